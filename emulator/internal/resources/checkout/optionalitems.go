package checkout

import (
	"encoding/json"
	"fmt"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/catalog"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// MaxOptionalItems is how many optional items a session offers at most
// (Stripe: "You can offer up to 10 optional items").
const MaxOptionalItems = 10

// applyOptionalItems reads optional_items[]: prices the customer may add
// to the order on the page (the test helper's optional_items, see
// addOptionalItems). Each is an active price in the session's currency,
// one-time in payment mode and recurring in subscription mode (one-time
// extras on a subscription's first invoice are not emulated). Discounts
// and tax rates are worked out once, as the session is created, so they
// are refused beside optional items rather than left off what is added.
func applyOptionalItems(c *api.Call, s store.Obj, items []store.Obj, ownRates [][]any, data map[string]any) error {
	raw := c.Params.Array("optional_items")
	if len(raw) == 0 {
		return nil
	}
	mode := api.Str(s["mode"])
	refuse := func(what, param string) error {
		return apierr.InvalidRequest("stripe-emu does not emulate `optional_items` together with %s, so it refused the request rather than answer as if it had taken effect.", what).WithParam(param)
	}
	switch {
	case mode == "setup":
		return apierr.InvalidRequest("`optional_items` cannot be used in `setup` mode.").WithParam("optional_items")
	case s["ui_mode"] == "custom":
		return apierr.InvalidRequest("`optional_items` cannot be used with `ui_mode=custom`.").WithParam("optional_items")
	case len(raw) > MaxOptionalItems:
		return apierr.InvalidRequest("You can pass at most %d optional items; you passed %d.", MaxOptionalItems, len(raw)).WithParam("optional_items")
	case len(anyList(s["discounts"])) > 0:
		return refuse("discounts", "discounts")
	case api.Bool(s["allow_promotion_codes"]):
		return refuse("promotion codes", "allow_promotion_codes")
	case api.Bool(api.Obj(api.Obj(s["after_expiration"])["recovery"])["allow_promotion_codes"]):
		// The recovered copy would allow promotion codes: refused now
		// rather than when the customer follows the recovery URL.
		return refuse("promotion codes", "after_expiration[recovery][allow_promotion_codes]")
	case data["default_tax_rates"] != nil:
		return refuse("tax rates", "subscription_data[default_tax_rates]")
	}
	for i, r := range ownRates {
		if len(r) > 0 {
			return refuse("tax rates", fmt.Sprintf("line_items[%d][tax_rates]", i))
		}
	}
	var interval store.Obj
	for _, it := range items {
		if rec := api.Obj(api.Obj(it["price"])["recurring"]); len(rec) > 0 {
			interval = rec
		}
	}
	out := make([]any, len(raw))
	for i, o := range raw {
		p := fmt.Sprintf("optional_items[%d]", i)
		id, _ := o.Str("price")
		if id == "" {
			return apierr.MissingParam(p + "[price]")
		}
		price, ok := c.Tx.Get(c.Account, "price", id)
		if !ok {
			return apierr.NoSuchObject("price", id, p+"[price]")
		}
		if !api.Bool(price["active"]) {
			return apierr.InvalidRequest("The price specified is inactive. This field only accepts active prices.").WithParam(p + "[price]")
		}
		if err := productSells(c, price, p+"[price]"); err != nil {
			return err
		}
		if err := catalog.CheckCurrency(c, price, api.Str(s["currency"]), p+"[price]"); err != nil {
			return err
		}
		rec := api.Obj(price["recurring"])
		switch {
		case mode == "payment" && len(rec) > 0:
			return apierr.InvalidRequest("You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.").WithParam(p + "[price]")
		case mode == "subscription" && len(rec) == 0:
			return refuse("one-time prices in `subscription` mode (added to the subscription's first invoice)", p+"[price]")
		case len(rec) > 0 && (rec["interval"] != interval["interval"] || api.Int(rec["interval_count"]) != api.Int(interval["interval_count"])):
			return apierr.InvalidRequest("An optional item's recurring price must have the same interval and interval_count as the session's recurring prices.").WithParam(p + "[price]")
		}
		qty, ok := o.Int("quantity")
		if !ok {
			return apierr.MissingParam(p + "[quantity]")
		}
		if qty < 1 {
			return apierr.InvalidRequest("Quantity must be at least 1.").WithParam(p + "[quantity]")
		}
		item := store.Obj{"adjustable_quantity": nil, "price": id, "quantity": qty}
		if a, ok := o.Obj("adjustable_quantity"); ok {
			adj, err := checkAdjustable(a, p+"[adjustable_quantity]")
			if err != nil {
				return err
			}
			shown := store.Obj{"enabled": adj["enabled"], "maximum": adj["maximum"], "minimum": adj["minimum"]}
			if lo, ok := adj["minimum"].(int64); ok && qty < lo {
				return apierr.InvalidRequest("The quantity must be at least the minimum adjustable quantity (%d).", lo).WithParam(p + "[quantity]")
			}
			if hi, ok := adj["maximum"].(int64); ok && qty > hi {
				return apierr.InvalidRequest("The quantity must be at most the maximum adjustable quantity (%d).", hi).WithParam(p + "[quantity]")
			}
			item["adjustable_quantity"] = shown
		}
		out[i] = item
	}
	s["optional_items"] = out
	return nil
}

func anyList(v any) []any {
	l, _ := v.([]any)
	return l
}

func saveItems(c *api.Call, id string, items []store.Obj) error {
	raw, _ := json.Marshal(items)
	return c.Tx.SetMeta(itemsKey(c.Account, id), string(raw))
}

// addedItems is what a completion attempt added of a session's optional
// items: the line items before them and the amount they came to. A
// declined card keeps the attempt (the session stays open), so the next
// attempt starts again from the session as created.
type addedItems struct {
	Base   int   `json:"base"`
	Amount int64 `json:"amount"`
}

func addedKey(acct, id string) string { return "csoptadded:" + acct + ":" + id }

// addOptionalItems is the customer adding some of the session's optional
// items on the page (the test helper's optional_items[i][price] and
// [quantity], the item's own quantity by default, another only when it is
// adjustable and within its limits): each becomes a line item and counts
// in the session's amounts.
func addOptionalItems(c *api.Call, s store.Obj) error {
	chosen := c.Params.Array("optional_items")
	offered := anyList(s["optional_items"])
	if len(chosen) > 0 && len(offered) == 0 {
		return apierr.InvalidRequest("This Checkout Session offers no optional items: it was created without `optional_items`.").WithParam("optional_items")
	}
	if len(offered) == 0 {
		return nil
	}
	items := storedItems(c, api.Str(s["id"]))
	free := freeTrial(c, s)
	if raw, ok := c.Tx.GetMeta(addedKey(c.Account, api.Str(s["id"]))); ok {
		var before addedItems
		_ = json.Unmarshal([]byte(raw), &before)
		items = items[:min(before.Base, len(items))]
		if s["amount_total"] != nil && !free {
			s["amount_subtotal"] = api.Int(s["amount_subtotal"]) - before.Amount
			s["amount_total"] = api.Int(s["amount_total"]) - before.Amount
		}
	}
	base := len(items)
	taken := map[string]bool{}
	var added int64
	for i, ch := range chosen {
		p := fmt.Sprintf("optional_items[%d]", i)
		id, _ := ch.Str("price")
		if id == "" {
			return apierr.MissingParam(p + "[price]")
		}
		var offer store.Obj
		for _, o := range offered {
			if api.Obj(o)["price"] == id {
				offer = api.Obj(o)
			}
		}
		if offer == nil {
			return apierr.InvalidRequest("The price %s is not one of this Checkout Session's optional items.", id).WithParam(p + "[price]")
		}
		if taken[id] {
			return apierr.InvalidRequest("The optional item with the price %s is added more than once.", id).WithParam(p + "[price]")
		}
		taken[id] = true
		qty := api.Int(offer["quantity"])
		if q, ok := ch.Int("quantity"); ok && q != qty {
			adj := api.Obj(offer["adjustable_quantity"])
			if !api.Bool(adj["enabled"]) {
				return apierr.InvalidRequest("The quantity of the optional item with the price %s is not adjustable.", id).WithParam(p + "[quantity]")
			}
			lo, hi := int64(0), int64(99)
			if adj["minimum"] != nil {
				lo = api.Int(adj["minimum"])
			}
			if adj["maximum"] != nil {
				hi = api.Int(adj["maximum"])
			}
			if q < max(lo, 1) || q > hi {
				return apierr.InvalidRequest("The quantity of the optional item with the price %s must be between %d and %d.", id, max(lo, 1), hi).WithParam(p + "[quantity]")
			}
			qty = q
		}
		price, ok := c.Tx.Get(c.Account, "price", id)
		if !ok {
			return apierr.Internal("optional item's price %s is gone", id)
		}
		item, amount := newLineItem(c, price, api.Str(s["currency"]), qty)
		items = append(items, item)
		added += amount
	}
	if err := saveItems(c, api.Str(s["id"]), items); err != nil {
		return err
	}
	raw, _ := json.Marshal(addedItems{Base: base, Amount: added})
	if err := c.Tx.SetMeta(addedKey(c.Account, api.Str(s["id"])), string(raw)); err != nil {
		return err
	}
	if s["amount_total"] != nil && !free {
		s["amount_subtotal"] = api.Int(s["amount_subtotal"]) + added
		s["amount_total"] = api.Int(s["amount_total"]) + added
	}
	return nil
}

// freeTrial says whether the session starts a subscription on a free
// trial, whose first invoice (and so the session's amounts) bills only
// one-time prices (optional items, recurring in this mode, add nothing).
func freeTrial(c *api.Call, s store.Obj) bool {
	if s["mode"] != "subscription" {
		return false
	}
	data := storedData(c, api.Str(s["id"]))
	_, days := data.Get("trial_period_days")
	end, _ := data.Get("trial_end")
	return days || end != nil
}
