package checkout

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coupons"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// applyDiscounts takes the session's discounts[] (a coupon or a promotion
// code, checked now and redeemed when the session completes) off its line
// items and totals.
func applyDiscounts(c *api.Call, s store.Obj, items []store.Obj, customer any) error {
	entries := c.Params.Array("discounts")
	if len(entries) == 0 {
		return nil
	}
	if api.Bool(s["allow_promotion_codes"]) {
		return apierr.Exclusive("allow_promotion_codes", "discounts")
	}
	if len(entries) > 1 {
		return apierr.TooMany("discounts", 1)
	}
	if s["mode"] == "setup" {
		return apierr.InvalidRequest("You can not pass `discounts` in `setup` mode.").WithParam("discounts")
	}
	scope := coupons.Scope{Customer: api.Str(customer), Currency: api.Str(s["currency"])}
	src, existing, err := coupons.Resolve(c, entries[0], "discounts[0]", scope)
	if err != nil {
		return err
	}
	if existing != nil {
		return apierr.InvalidRequest("Checkout Sessions take a coupon or a promotion code, not an existing discount.").WithParam("discounts[0][discount]")
	}
	param := "discounts[0][promotion_code]"
	if src.PromotionCode == nil {
		param = "discounts[0][coupon]"
	}
	return discount(c, s, items, src, param, coupons.AmountOf(c, api.Str(src.Coupon["id"]), src.Coupon, api.Str(s["currency"])))
}

// discount applies a checked coupon or promotion code to the session:
// the promotion code's own rules that depend on the session first (param
// names it in errors), then its amount off each line item and the totals.
func discount(c *api.Call, s store.Obj, items []store.Obj, src coupons.Source, param string, amount coupons.Amount) error {
	if pc := src.PromotionCode; pc != nil && pc["customer"] != nil && s["customer"] == nil {
		// A code kept for one customer: a session without a customer
		// would be paid by a new one (another customer's is refused as
		// the code is resolved).
		return apierr.InvalidRequest("This promotion code (%s) cannot be redeemed by this customer.", pc["code"]).WithParam(param)
	}
	if guest(s) && src.PromotionCode != nil && api.Bool(api.Obj(src.PromotionCode["restrictions"])["first_time_transaction"]) {
		// Stripe: codes limited to first-time customers are invalid for
		// sessions that create no customer (its answer, observed).
		return apierr.InvalidRequest("This promotion code cannot be redeemed because the associated customer has prior transactions.").WithParam(param)
	}
	if err := coupons.CheckMinimum(c, src, minimumBase(s, items), api.Str(s["currency"]), param); err != nil {
		return err
	}
	if amount.Products != nil && !slices.ContainsFunc(items, func(it store.Obj) bool {
		return slices.Contains(amount.Products, api.Str(api.Obj(it["price"])["product"]))
	}) {
		// Stripe's words, which integrators match on; its error code and
		// param for it are not documented.
		return apierr.InvalidRequest("This coupon cannot be redeemed because it does not apply to anything in this order.").WithParam(param)
	}
	cp := src.Coupon
	entry := store.Obj{"coupon": cp["id"], "promotion_code": nil}
	if src.PromotionCode != nil {
		entry["promotion_code"] = src.PromotionCode["id"]
	}
	s["discounts"] = []any{entry}
	amounts := make([]int64, len(items))
	products := make([]string, len(items))
	discountable := make([]bool, len(items))
	for i, it := range items {
		amounts[i] = api.Int(it["amount_subtotal"])
		products[i] = api.Str(api.Obj(it["price"])["product"])
		discountable[i] = true
	}
	spread := coupons.Spread([]coupons.Amount{amount}, amounts, products, discountable)
	var off int64
	for i, it := range items {
		var lineOff int64
		for _, share := range spread[i] {
			lineOff += api.Int(share["amount"])
		}
		it["amount_discount"] = lineOff
		it["amount_total"] = api.Int(it["amount_subtotal"]) - lineOff
		off += lineOff
	}
	if s["amount_total"] != nil {
		s["amount_total"] = api.Int(s["amount_subtotal"]) - off
	}
	api.Obj(s["total_details"])["amount_discount"] = off
	return nil
}

// applyTypedCode applies the promotion code the customer types on the
// page of a session with allow_promotion_codes (the complete helper's
// promotion_code): the active code of that name, whatever its case, open
// to the session's customer, checked as Stripe checks codes.
func applyTypedCode(c *api.Call, s store.Obj) error {
	code, _ := c.Params.Str("promotion_code")
	if code == "" {
		return nil
	}
	switch {
	case !api.Bool(s["allow_promotion_codes"]):
		return apierr.InvalidRequest("This Checkout Session does not let the customer enter a promotion code (`allow_promotion_codes` is not set).").WithParam("promotion_code")
	case hasDiscount(s):
		return apierr.InvalidRequest("This Checkout Session already has a discount.").WithParam("promotion_code")
	case autoTaxEnabled(s) || api.Int(api.Obj(s["total_details"])["amount_tax"]) != 0 || hasTaxRates(c, s):
		// The taxes were worked out on the amounts before the code.
		return apierr.InvalidRequest("stripe-emu does not emulate a promotion code typed on a Checkout Session with tax rates or automatic tax, so it refused the completion rather than tax the wrong amounts.").WithParam("promotion_code")
	}
	promo := coupons.FindCode(c, code, api.Str(s["customer"]))
	if promo == nil {
		// Stripe's page says the code is invalid; its wording is not known.
		return apierr.InvalidRequest("This code is invalid: no active promotion code `%s` can be redeemed here.", code).WithParam("promotion_code")
	}
	scope := coupons.Scope{Customer: api.Str(s["customer"]), Currency: api.Str(s["currency"])}
	src, _, err := coupons.Resolve(c, params.NewValues(map[string]any{"promotion_code": promo["id"]}), "", scope)
	if err != nil {
		return err
	}
	items := storedItems(c, api.Str(s["id"]))
	for _, it := range items {
		if it["quantity"] != nil { // a metered price's item has none
			it["quantity"] = api.Int(it["quantity"])
		}
	}
	if err := discount(c, s, items, src, "promotion_code", coupons.AmountOf(c, api.Str(src.Coupon["id"]), src.Coupon, api.Str(s["currency"]))); err != nil {
		return err
	}
	return saveItems(c, api.Str(s["id"]), items)
}

func hasDiscount(s store.Obj) bool {
	list, _ := s["discounts"].([]any)
	return len(list) > 0
}

// hasTaxRates reports whether a session's line items or subscription
// carry tax rates set by hand.
func hasTaxRates(c *api.Call, s store.Obj) bool {
	for _, it := range storedItems(c, api.Str(s["id"])) {
		if len(loadItemTax(c, api.Str(it["id"])).TaxRates) > 0 {
			return true
		}
	}
	rates, _ := storedData(c, api.Str(s["id"])).Get("default_tax_rates")
	list, _ := rates.([]any)
	return len(list) > 0
}

// guest reports a payment-mode session that makes no customer.
func guest(s store.Obj) bool {
	return s["mode"] == "payment" && s["customer"] == nil && s["customer_creation"] != "always"
}

// minimumBase is what a promotion code's minimum_amount is held to: the
// session's subtotal, or in subscription mode its recurring items', which
// the subscription it starts checks the code against again.
func minimumBase(s store.Obj, items []store.Obj) int64 {
	if s["mode"] != "subscription" {
		return api.Int(s["amount_subtotal"])
	}
	var total int64
	for _, it := range items {
		if api.Obj(it["price"])["type"] == "recurring" {
			total += api.Int(it["amount_subtotal"])
		}
	}
	return total
}

// RedeemDiscounts counts the session's discount as redeemed when a
// payment-mode session completes (subscription mode hands it to the
// subscription, which redeems it). The coupon and promotion code are
// checked again first: another session may have used up their last
// redemption, or their time run out, since this one showed them.
func RedeemDiscounts(c *api.Call, s store.Obj) error {
	list, _ := s["discounts"].([]any)
	scope := coupons.Scope{Customer: api.Str(s["customer"]), CheckoutSession: api.Str(s["id"]), Currency: api.Str(s["currency"])}
	var ids []string
	for i, d := range list {
		entry := api.Obj(d)
		if !c.Tx.Exists(c.Account, "coupon", api.Str(entry["coupon"])) {
			// Deleted since: the session keeps the discount it showed.
			continue
		}
		ref := map[string]any{"coupon": entry["coupon"]}
		if pc := api.Str(entry["promotion_code"]); pc != "" {
			ref = map[string]any{"promotion_code": pc}
		}
		src, _, err := coupons.Resolve(c, params.NewValues(ref), fmt.Sprintf("discounts[%d]", i), scope)
		if err != nil {
			return err
		}
		d, err := coupons.Redeem(c, src, scope)
		if err != nil {
			return err
		}
		ids = append(ids, api.Str(d["id"]))
	}
	return keepRedeemed(c, s, ids)
}

func discountsKey(acct, id string) string { return "csdisc:" + acct + ":" + id }

// keepRedeemed records the Discount objects a payment-mode session's
// redemption made, for total_details.breakdown to show, and what each
// took off each line item, for the items' discounts. Checkout takes one
// discount, so an item's amount_discount is all that discount's.
func keepRedeemed(c *api.Call, s store.Obj, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	raw, _ := json.Marshal(ids)
	if err := c.Tx.SetMeta(discountsKey(c.Account, api.Str(s["id"])), string(raw)); err != nil {
		return err
	}
	if len(ids) != 1 {
		return nil
	}
	for _, it := range storedItems(c, api.Str(s["id"])) {
		t := loadItemTax(c, api.Str(it["id"]))
		t.Discounts = []any{}
		if off := api.Int(it["amount_discount"]); off > 0 {
			t.Discounts = []any{store.Obj{"amount": off, "discount": ids[0]}}
		}
		if err := SaveItemTaxes(c, api.Str(it["id"]), t.TaxRates, t.Taxes, t.Discounts); err != nil {
			return err
		}
	}
	return nil
}

// redeemedDiscounts is the Discount objects a session's redemption made,
// none before it is paid.
func redeemedDiscounts(c *api.Call, id string) []store.Obj {
	raw, ok := c.Tx.GetMeta(discountsKey(c.Account, id))
	if !ok {
		return nil
	}
	var ids []string
	_ = json.Unmarshal([]byte(raw), &ids)
	var out []store.Obj
	for _, d := range ids {
		if o, ok := c.Tx.Get(c.Account, "discount", d); ok {
			out = append(out, o)
		}
	}
	return out
}

// subscriptionDiscounts passes the session's discount on to the
// subscription it creates, as a discounts[] parameter.
func subscriptionDiscounts(s store.Obj) []any {
	list, _ := s["discounts"].([]any)
	out := []any{}
	for _, d := range list {
		entry := api.Obj(d)
		if pc := entry["promotion_code"]; pc != nil {
			out = append(out, map[string]any{"promotion_code": pc})
		} else {
			out = append(out, map[string]any{"coupon": entry["coupon"]})
		}
	}
	return out
}
