package checkout

import (
	"encoding/json"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/taxrates"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// ItemKind is a session's line item (object "item"): its taxes are left
// out unless expanded (line_items.data.taxes), as on Stripe. Its price is
// embedded whole, and that price's product expands as anywhere else
// (line_items.data.price.product, how integrators fulfil an order).
var ItemKind = &api.Kind{Object: "item", Name: "line item", Expandable: []string{"price.product"},
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){"taxes": itemTaxes, "discounts": itemDiscounts}}

// itemDiscounts is what a line item's discounts include when expanded
// (line_items.data.discounts, as Stripe's item lists them): what each
// Discount took off it, for an item whose family keeps them (a quote's,
// SaveItemTaxes; a paid session's, keepRedeemed); none while nothing is
// taken off it. A discounted item of a session not yet paid would name
// Discount objects its payment has not made yet (as
// total_details.breakdown), so it is refused by name.
func itemDiscounts(c *api.Call, o store.Obj) (any, error) {
	if t := loadItemTax(c, api.Str(o["id"])); t.Discounts != nil {
		out := []any{}
		for _, e := range t.Discounts {
			m := api.Obj(e)
			if d, ok := c.Tx.Get(c.Account, "discount", api.Str(m["discount"])); ok {
				out = append(out, store.Obj{"amount": api.Int(m["amount"]), "discount": d})
			}
		}
		return out, nil
	}
	if api.Int(o["amount_discount"]) == 0 {
		return []any{}, nil
	}
	return nil, apierr.InvalidRequest("stripe-emu does not emulate the `discounts` of a discounted Checkout line item before the session is paid (the Discount objects behind its amount_discount, made when the payment redeems them), so it refused the expansion rather than answer without them.").WithParam("expand")
}

// itemTax is what a line item keeps about its taxes: its own tax rates
// (handed on to the subscription a session in subscription mode
// creates) and the taxes it shows.
type itemTax struct {
	TaxRates []string `json:"tax_rates"`
	Taxes    []any    `json:"taxes"`
	// Discounts are what each discount took off the item ({amount,
	// discount id}), kept for the items of families that have Discount
	// objects (quotes).
	Discounts []any `json:"discounts,omitempty"`
}

func itemTaxKey(acct, item string) string { return "csitemtax:" + acct + ":" + item }

func loadItemTax(c *api.Call, item string) itemTax {
	var t itemTax
	if raw, ok := c.Tx.GetMeta(itemTaxKey(c.Account, item)); ok {
		_ = json.Unmarshal([]byte(raw), &t)
	}
	return t
}

func itemTaxes(c *api.Call, o store.Obj) (any, error) {
	t := loadItemTax(c, api.Str(o["id"]))
	if t.Taxes == nil {
		return []any{}, nil
	}
	return t.Taxes, nil
}

// lineTaxRates reads a line item's tax_rates (line_items[i][tax_rates]).
func lineTaxRates(c *api.Call, ids []string, param string) ([]any, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return taxrates.Resolve(c, ids, param, nil)
}

// defaultTaxRates checks subscription_data[default_tax_rates], which
// apply to the line items without tax rates of their own.
func defaultTaxRates(c *api.Call, data map[string]any) ([]any, error) {
	list, _ := data["default_tax_rates"].([]any)
	ids := make([]string, 0, len(list))
	for _, v := range list {
		s, ok := v.(string)
		if !ok {
			return nil, apierr.InvalidRequest("Invalid subscription_data[default_tax_rates]: must be a list of tax rate ids").WithParam("subscription_data[default_tax_rates]")
		}
		ids = append(ids, s)
	}
	return lineTaxRates(c, ids, "subscription_data[default_tax_rates]")
}

// applyTaxes works out each line item's taxes, by its own rates or else
// the defaults, on what discounts leave of it, and the session's totals:
// exclusive tax is added to the item's and the session's amount_total,
// inclusive tax is already in them; amount_tax counts both.
func applyTaxes(c *api.Call, s store.Obj, items []store.Obj, own [][]any, defaults []any) error {
	var exclusive, all int64
	for i, it := range items {
		rates := own[i]
		if len(rates) == 0 {
			rates = defaults
		}
		if len(rates) == 0 {
			continue
		}
		ids := []string{}
		for _, r := range own[i] {
			ids = append(ids, api.Str(api.Obj(r)["id"]))
		}
		itemAll, itemExclusive, err := taxItem(c, it, rates, nil, ids)
		if err != nil {
			return err
		}
		exclusive += itemExclusive
		all += itemAll
	}
	if s["amount_total"] != nil {
		s["amount_total"] = api.Int(s["amount_total"]) + exclusive
		api.Obj(s["total_details"])["amount_tax"] = all
	}
	return nil
}

// taxItem taxes one line item by rates on what discounts leave of it,
// setting its amount_tax and amount_total, and keeps the taxes it shows
// (with reason as their taxability_reason: null for rates set by hand)
// and its own rate ids. It returns all the item's tax and the exclusive
// part of it.
func taxItem(c *api.Call, it store.Obj, rates []any, reason any, ownIDs []string) (all, exclusive int64, err error) {
	net := api.Int(it["amount_subtotal"]) - api.Int(it["amount_discount"])
	entries := lineTaxes(net, rates, reason, &all, &exclusive)
	it["amount_tax"] = all
	it["amount_total"] = net + exclusive
	if ownIDs == nil {
		ownIDs = []string{}
	}
	raw, _ := json.Marshal(itemTax{TaxRates: ownIDs, Taxes: entries})
	return all, exclusive, c.Tx.SetMeta(itemTaxKey(c.Account, api.Str(it["id"])), string(raw))
}

// lineTaxes is what rates put on amount as a line's taxes[] entries,
// adding all of it and its exclusive part to the sums given.
func lineTaxes(amount int64, rates []any, reason any, all, exclusive *int64) []any {
	entries := []any{}
	for _, t := range taxrates.Compute(amount, rates) {
		if reason == "not_collecting" {
			t.Taxable = 0 // no tax base where nothing is collected
		}
		entries = append(entries, store.Obj{"amount": t.Amount, "rate": t.Rate, "taxability_reason": reason, "taxable_amount": t.Taxable})
		*all += t.Amount
		if !t.Inclusive {
			*exclusive += t.Amount
		}
	}
	return entries
}

// SaveItemTaxes keeps, for a line item ("item") another family makes (a
// quote's), its own tax rate ids, the taxes it shows when
// line_items.data.taxes is expanded and the discounts ({amount,
// discount id}) line_items.data.discounts shows: every "item" is of this
// one kind.
func SaveItemTaxes(c *api.Call, item string, rates []string, taxes, discounts []any) error {
	if rates == nil {
		rates = []string{}
	}
	raw, _ := json.Marshal(itemTax{TaxRates: rates, Taxes: taxes, Discounts: discounts})
	return c.Tx.SetMeta(itemTaxKey(c.Account, item), string(raw))
}

// breakdown answers expand[]=total_details.breakdown: the session's taxes
// by rate, in the order the rates first apply, summed over its line items
// and its shipping cost, each rate shown as it is now; and its discount,
// the Discount object its payment redeemed. A session with a discount
// not yet redeemed (open, or a subscription's) is refused rather than
// shown without it.
func breakdown(c *api.Call, s store.Obj) (any, error) {
	if s["total_details"] == nil {
		return nil, nil
	}
	discounts := []any{}
	if list, _ := s["discounts"].([]any); len(list) > 0 {
		// The Discount objects are those the session's payment redeemed:
		// an open session (or a subscription's, whose discount is the
		// subscription's) has none to show.
		redeemed := redeemedDiscounts(c, api.Str(s["id"]))
		if len(redeemed) != 1 || len(list) != 1 {
			return nil, apierr.InvalidRequest("stripe-emu does not emulate `total_details.breakdown` of Checkout Sessions with discounts before they are paid (the Discount objects behind the totals, made when the payment redeems them), so it refused the expansion rather than answer without them.").WithParam("expand")
		}
		discounts = []any{store.Obj{"amount": api.Int(api.Obj(s["total_details"])["amount_discount"]), "discount": redeemed[0]}}
	}
	var order []string
	byRate := map[string]store.Obj{}
	add := func(entries []any) {
		for _, e := range entries {
			t := api.Obj(e)
			rate := api.Obj(t["rate"])
			id := api.Str(rate["id"])
			sum, ok := byRate[id]
			if !ok {
				if current, found := c.Tx.Get(c.Account, "tax_rate", id); found {
					rate = current
				}
				sum = store.Obj{"amount": int64(0), "rate": rate, "taxability_reason": t["taxability_reason"], "taxable_amount": int64(0)}
				byRate[id] = sum
				order = append(order, id)
			}
			sum["amount"] = api.Int(sum["amount"]) + api.Int(t["amount"])
			sum["taxable_amount"] = api.Int(sum["taxable_amount"]) + api.Int(t["taxable_amount"])
		}
	}
	for _, it := range storedItems(c, api.Str(s["id"])) {
		add(loadItemTax(c, api.Str(it["id"])).Taxes)
	}
	if cost := api.Obj(s["shipping_cost"]); cost != nil {
		list, _ := cost["taxes"].([]any)
		add(list)
	}
	taxes := make([]any, len(order))
	for i, id := range order {
		taxes[i] = byRate[id]
	}
	return store.Obj{"discounts": discounts, "taxes": taxes}, nil
}
