package billing

import (
	"encoding/json"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/taxrates"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Tax rates on invoices, as Stripe applies them: a line's own rates (its
// invoice item's tax_rates, or its subscription item's) or, when it has
// none, the invoice's default_tax_rates (a subscription's invoices take
// the subscription's). Each line is taxed on its amount after discounts;
// the invoice sums the taxes per rate in total_taxes.

// taxRatesParam reads the tax rate ids sent at name in p (param names it
// in errors): ok is false when nothing was sent, and an empty value
// clears them. kept are the rates the object already has, which may
// have been archived since.
func taxRatesParam(c *api.Call, p params.Values, name, param string, kept any) ([]any, bool, error) {
	if !p.Has(name) {
		return nil, false, nil
	}
	if p.Unset(name) {
		return []any{}, true, nil
	}
	keptRates, _ := kept.([]any)
	rates, err := taxrates.Resolve(c, p.Strings(name), param, keptRates)
	return rates, err == nil, err
}

// cloneRates copies a list of rendered tax rates for another object.
func cloneRates(v any) []any {
	rates, _ := v.([]any)
	out := make([]any, len(rates))
	for i, r := range rates {
		out[i] = api.Clone(api.Obj(r))
	}
	return out
}

// lineRatesKey keeps an invoice's subscription lines' own tax rates (their
// subscription item's when the line was made), by line id: basil's lines
// do not show their rates, only the taxes they lead to.
func lineRatesKey(acct, invoice string) string { return "ilrates:" + acct + ":" + invoice }

func subscriptionLineRates(c *api.Call, invoice string) map[string][]string {
	raw, ok := c.Tx.GetMeta(lineRatesKey(c.Account, invoice))
	if !ok {
		return nil
	}
	var m map[string][]string
	_ = json.Unmarshal([]byte(raw), &m)
	return m
}

func setSubscriptionLineRates(c *api.Call, invoice string, m map[string][]string) error {
	if len(m) == 0 {
		c.DeleteMeta(lineRatesKey(c.Account, invoice))
		return nil
	}
	raw, _ := json.Marshal(m)
	return c.SetMeta(lineRatesKey(c.Account, invoice), string(raw))
}

// idStrings are the ids of rendered tax rates.
func idStrings(rates any) []string {
	list, _ := rates.([]any)
	out := make([]string, 0, len(list))
	for _, r := range list {
		out = append(out, api.Str(api.Obj(r)["id"]))
	}
	return out
}

// ownRates are the tax rates a line has of its own (none: the invoice's
// defaults apply).
func ownRates(c *api.Call, line store.Obj, subLines map[string][]string) []any {
	if id := lineInvoiceItem(line); id != "" {
		if ii, ok := c.Tx.Get(c.Account, "invoiceitem", id); ok {
			rates, _ := ii["tax_rates"].([]any)
			return rates
		}
		return nil
	}
	if ids := subLines[api.Str(line["id"])]; len(ids) > 0 {
		return taxrates.Load(c, ids)
	}
	return nil
}

// applyTaxes sets each line's taxes, on its amount less off (what
// discounts took from it; nil for nothing), and the invoice's
// total_taxes. It returns the exclusive tax (added to the total), the
// inclusive tax (contained in it), and the inclusive tax the lines hold
// before discounts. An invoice with automatic tax has its lines' rates
// decided by Stripe Tax (lineTaxer), not set by hand; only it can fail.
func applyTaxes(c *api.Call, inv store.Obj, lines []any, off []int64) (exclusive, inclusive, inclusiveBefore int64, err error) {
	var auto *LineTaxer
	var defaults []any
	var subLines map[string][]string
	if autoTaxOn(inv) {
		auto = NewLineTaxer(c, api.Str(inv["customer"]))
		at := api.Clone(api.Obj(inv["automatic_tax"]))
		at["status"] = auto.Status()
		inv["automatic_tax"] = at
	} else {
		defaults, _ = inv["default_tax_rates"].([]any)
		subLines = subscriptionLineRates(c, api.Str(inv["id"]))
	}
	totals := []any{}
	var byRate map[string]store.Obj
	for i, l := range lines {
		line := api.Obj(l)
		var rates []any
		reason := "not_available" // rates set by hand give no reason
		switch {
		case auto == nil:
			if rates = ownRates(c, line, subLines); len(rates) == 0 {
				rates = defaults
			}
			if err := checkLineBehavior(c, line, rates); err != nil {
				return 0, 0, 0, err
			}
		case auto.Located:
			if rates, reason, err = auto.line(c, line); err != nil {
				return 0, 0, 0, err
			}
		}
		if len(rates) == 0 {
			line["taxes"] = []any{}
			continue
		}
		amount := api.Int(line["amount"])
		net := amount
		if off != nil {
			net -= off[i]
		}
		taxes := taxrates.Compute(net, rates)
		entries := make([]any, len(taxes))
		for j, t := range taxes {
			if reason == "not_collecting" {
				t.Taxable = 0 // no tax base where nothing is collected
			}
			behavior := "exclusive"
			if t.Inclusive {
				behavior = "inclusive"
				inclusive += t.Amount
			} else {
				exclusive += t.Amount
			}
			id := api.Str(t.Rate["id"])
			entries[j] = taxEntry(t.Amount, behavior, id, t.Taxable, reason)
			if sum := byRate[id]; sum != nil {
				sum["amount"] = api.Int(sum["amount"]) + t.Amount
				sum["taxable_amount"] = api.Int(sum["taxable_amount"]) + t.Taxable
			} else {
				if byRate == nil {
					byRate = map[string]store.Obj{}
				}
				sum = taxEntry(t.Amount, behavior, id, t.Taxable, reason)
				byRate[id] = sum
				totals = append(totals, sum)
			}
		}
		line["taxes"] = entries
		// Before the invoice's discounts, after the line's own.
		inclusiveBefore += taxrates.InclusiveTax(amount-itemDiscountsTook(line), rates)
	}
	inv["total_taxes"] = totals
	return exclusive, inclusive, inclusiveBefore, nil
}

// checkLineBehavior refuses, as a request that bills it, a line whose
// price's tax behavior the rates applied to it contradict. Work made due
// (a renewal) is not refused: a price with no behavior may have been given
// one since its rates were set.
func checkLineBehavior(c *api.Call, line store.Obj, rates []any) error {
	id := api.Str(api.Obj(api.Obj(line["pricing"])["price_details"])["price"])
	if c.NowFixed || id == "" || len(rates) == 0 {
		return nil
	}
	f, ok := c.Tx.Fields(c.Account, "price", id, "tax_behavior")
	if !ok {
		return nil
	}
	return taxrates.CheckBehavior(f[0].String(), rates)
}

func taxEntry(amount int64, behavior, rate string, taxable int64, reason string) store.Obj {
	return store.Obj{
		"amount": amount, "tax_behavior": behavior, "tax_rate_details": store.Obj{"tax_rate": rate},
		"taxability_reason": reason, "taxable_amount": taxable, "type": "tax_rate_details",
	}
}
