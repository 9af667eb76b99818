package billing

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/shipping"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/tax"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/taxrates"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// An invoice's shipping_cost: a shipping rate (an active one of the
// account's, or one made from shipping_rate_data, as a Checkout Session
// makes its inline rates) in the invoice's currency, charged on top of
// the lines. Its taxes follow Checkout's: Stripe Tax taxes it when the
// invoice has automatic tax (the rate's tax_code, else Shipping); tax
// rates set by hand apply to lines only. totals() adds it up.

// applyShippingCost reads shipping_cost on create and on a draft's
// update (a finalized invoice refuses it before): shipping_rate or
// shipping_rate_data, one of them; an empty shipping_cost removes it.
// It reports whether the invoice's shipping changed (its totals must be
// worked out again).
func applyShippingCost(c *api.Call, inv store.Obj) (bool, error) {
	raw, ok := c.Params.Sent("shipping_cost")
	if !ok {
		return false, nil
	}
	if raw == params.Unset {
		c.Params.MarkRead("shipping_cost")
		inv["shipping_cost"], inv["amount_shipping"] = nil, int64(0)
		return true, nil
	}
	p, _ := c.Params.Obj("shipping_cost")
	const rateParam, dataParam = "shipping_cost[shipping_rate]", "shipping_cost[shipping_rate_data]"
	rate, currencyParam, none, err := shipping.Chosen(c, p, rateParam, dataParam, false)
	if none {
		return false, apierr.InvalidRequest("Missing required param: one of shipping_cost[shipping_rate] or shipping_cost[shipping_rate_data].").WithParam(rateParam)
	}
	if err != nil {
		return false, err
	}
	if cur, want := shipping.Currency(rate), api.Str(inv["currency"]); cur != want {
		return false, apierr.InvalidRequest("The shipping rate's currency (%s) must match the invoice's (%s).", cur, want).WithParam(currencyParam)
	}
	amount := shipping.Amount(rate)
	inv["shipping_cost"] = store.Obj{
		"amount_subtotal": amount, "amount_tax": int64(0), "amount_total": amount,
		"shipping_rate": rate["id"], "taxes": []any{},
	}
	return true, nil
}

// shippingTotals works out the taxes of an invoice's shipping cost, if
// it has one, and amount_shipping: it returns the shipping's amount, what
// it adds to the total (with its exclusive tax) and the tax it contains
// (inclusive).
// An invoice without shipping (every renewal) costs one map lookup.
func shippingTotals(c *api.Call, inv store.Obj) (amount, total, inclusive int64, err error) {
	cost, _ := inv["shipping_cost"].(store.Obj)
	if cost == nil {
		return 0, 0, 0, nil
	}
	amount = api.Int(cost["amount_subtotal"])
	var rates []any
	reason := any(nil)
	if autoTaxOn(inv) {
		if rates, reason, err = shippingAutoTax(c, inv, api.Str(cost["shipping_rate"])); err != nil {
			return 0, 0, 0, err
		}
	}
	entries := []any{}
	var all, exclusive int64
	for _, t := range taxrates.Compute(amount, rates) {
		if reason == "not_collecting" {
			t.Taxable = 0 // no tax base where nothing is collected
		}
		entries = append(entries, store.Obj{"amount": t.Amount, "rate": t.Rate, "taxability_reason": reason, "taxable_amount": t.Taxable})
		all += t.Amount
		if t.Inclusive {
			inclusive += t.Amount
		} else {
			exclusive += t.Amount
		}
	}
	next := store.Obj{
		"amount_subtotal": amount, "amount_tax": all, "amount_total": amount + exclusive,
		"shipping_rate": cost["shipping_rate"], "taxes": entries,
	}
	inv["shipping_cost"] = next
	inv["amount_shipping"] = next["amount_total"]
	return amount, amount + exclusive, inclusive, nil
}

// shippingAutoTax is what Stripe Tax applies to the shipping rate rateID
// sold to the invoice's customer: nothing while the customer's location
// is unknown (the invoice's automatic_tax status says so).
func shippingAutoTax(c *api.Call, inv store.Obj, rateID string) ([]any, any, error) {
	t := NewLineTaxer(c, api.Str(inv["customer"]))
	if !t.Located {
		return nil, nil, nil
	}
	rate, _ := c.Tx.Get(c.Account, "shipping_rate", rateID)
	inclusive, err := tax.PriceBehavior(c, rate, "shipping_cost[shipping_rate]")
	if err != nil {
		return nil, nil, err
	}
	code := api.Str(rate["tax_code"])
	if code == "" {
		code = tax.ShippingTaxCode
	}
	d, err := tax.Decide(c, t.buyer, code, inclusive, t.at)
	if err != nil {
		return nil, nil, err
	}
	found := d.Rates
	if len(found) == 0 {
		found = d.ZeroRates // a 0 tax still shows, with its reason
	}
	rates := make([]any, len(found))
	for i, r := range found {
		rates[i] = api.Clone(r)
	}
	return rates, d.Reason, nil
}
