package billing

import (
	"slices"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/taxrates"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// What a credit note line takes of its invoice line's discounts and taxes.
// Part of a line credits its share of each discount (rounded half away
// from zero) and is taxed at the line's rates on what is left after them,
// as the invoice taxed the line; the credit that takes what is left of a
// line takes exactly what is left of its discounts and taxes, so a line
// credited in parts gives back what the invoice charged for it, no cent
// more or less.

// lineCredit is what issued credit notes took from one invoice line.
type lineCredit struct {
	amount     int64
	byQuantity bool
	// quantity is the units credited, when credited by quantity.
	quantity  int64
	discounts map[string]int64
	taxes     map[string]lineTaxCredit
}

type lineTaxCredit struct{ amount, taxable int64 }

// noteAmounts are a credit note line's amounts beyond its gross amount.
type noteAmounts struct {
	discount, exclusive, inclusive int64
	// itemDiscount is the part of discount the invoice line's own
	// discounts take (subtotals incorporate it, as the invoice's do).
	itemDiscount int64
	// inclusiveBefore is the inclusive tax the amount holds before the
	// invoice's discounts, after the line's own (subtotal_excluding_tax
	// leaves it out).
	inclusiveBefore int64
}

// creditedByLine is what issued credit notes took from each invoice line.
func creditedByLine(c *api.Call, invID string) map[string]*lineCredit {
	out := map[string]*lineCredit{}
	for _, cn := range c.Tx.List(c.Account, "credit_note", store.Query{Index: "invoice", Value: invID}).Data {
		if cn["status"] != "issued" {
			continue
		}
		for _, l := range asList(cn["lines"]) {
			line := api.Obj(l)
			il := api.Str(line["invoice_line_item"])
			if il == "" {
				continue
			}
			creditOf(out, il).add(line)
		}
	}
	return out
}

// add counts a credit note line crediting the invoice line.
func (lc *lineCredit) add(line store.Obj) {
	lc.amount += api.Int(line["amount"])
	// A line credited by quantity has a unit amount; one credited by
	// amount has none (and a quantity of 1).
	lc.byQuantity = line["unit_amount_decimal"] != nil
	if lc.byQuantity {
		lc.quantity += api.Int(line["quantity"])
	}
	for _, d := range asAnys(line["discount_amounts"]) {
		lc.discounts[api.Str(api.Obj(d)["discount"])] += api.Int(api.Obj(d)["amount"])
	}
	for _, t := range asAnys(line["taxes"]) {
		id := taxRateOf(api.Obj(t))
		sum := lc.taxes[id]
		sum.amount += api.Int(api.Obj(t)["amount"])
		sum.taxable += api.Int(api.Obj(t)["taxable_amount"])
		lc.taxes[id] = sum
	}
}

func creditOf(m map[string]*lineCredit, il string) *lineCredit {
	if m[il] == nil {
		m[il] = &lineCredit{discounts: map[string]int64{}, taxes: map[string]lineTaxCredit{}}
	}
	return m[il]
}

func taxRateOf(tax store.Obj) string {
	return api.Str(api.Obj(tax["tax_rate_details"])["tax_rate"])
}

// shareOfInvoiceLine sets on line (a credit note line crediting amount of
// the invoice line il, of which earlier notes took done) its discounts,
// pretax credits, taxes and tax rates.
func shareOfInvoiceLine(c *api.Call, line, il store.Obj, amount int64, done *lineCredit) noteAmounts {
	gross := api.Int(il["amount"])
	last := amount == gross-done.amount
	var n noteAmounts
	var discounts, pretax []any
	own := asAnys(il["discounts"])
	for _, d := range asAnys(il["discount_amounts"]) {
		id, of := api.Str(api.Obj(d)["discount"]), api.Int(api.Obj(d)["amount"])
		share := currency.Share(of, amount, gross)
		if last {
			share = of - done.discounts[id]
		}
		n.discount += share
		if slices.Contains(own, any(id)) {
			n.itemDiscount += share
		}
		discounts = append(discounts, store.Obj{"amount": share, "discount": id})
		pretax = append(pretax, store.Obj{"amount": share, "discount": id, "type": "discount"})
	}
	line["discount_amount"], line["discount_amounts"], line["pretax_credit_amounts"] = n.discount, orEmpty(discounts), orEmpty(pretax)

	invTaxes := asAnys(il["taxes"])
	ids := make([]string, len(invTaxes))
	for i, t := range invTaxes {
		ids[i] = taxRateOf(api.Obj(t))
	}
	rates := taxrates.Load(c, ids)
	computed := taxrates.Compute(amount-n.discount, rates)
	taxes := make([]any, len(invTaxes))
	for i, t := range invTaxes {
		tax := api.Obj(t)
		amt, taxable := api.Int(tax["amount"])-done.taxes[ids[i]].amount, api.Int(tax["taxable_amount"])-done.taxes[ids[i]].taxable
		if !last && i < len(computed) {
			amt, taxable = computed[i].Amount, computed[i].Taxable
			if tax["taxability_reason"] == "not_collecting" {
				taxable = 0 // as the invoice shows it
			}
		}
		if tax["tax_behavior"] == "inclusive" {
			n.inclusive += amt
		} else {
			n.exclusive += amt
		}
		taxes[i] = taxEntry(amt, api.Str(tax["tax_behavior"]), ids[i], taxable, api.Str(tax["taxability_reason"]))
	}
	n.inclusiveBefore = taxrates.InclusiveTax(amount-n.itemDiscount, rates)
	line["taxes"], line["tax_rates"] = taxes, cloneRates(rates)
	return n
}

// taxCustomLine taxes a custom credit note line at the rates it names.
func taxCustomLine(line store.Obj, amount int64, rates []any, reason string) noteAmounts {
	var n noteAmounts
	taxes := []any{}
	for _, t := range taxrates.Compute(amount, rates) {
		behavior := "exclusive"
		if t.Inclusive {
			behavior = "inclusive"
			n.inclusive += t.Amount
		} else {
			n.exclusive += t.Amount
		}
		if reason == "not_collecting" {
			t.Taxable = 0 // as on invoices: no tax base where nothing is collected
		}
		taxes = append(taxes, taxEntry(t.Amount, behavior, api.Str(t.Rate["id"]), t.Taxable, reason))
	}
	n.inclusiveBefore = n.inclusive
	line["taxes"], line["tax_rates"] = taxes, cloneRates(rates)
	return n
}

func orEmpty(list []any) []any {
	if list == nil {
		return []any{}
	}
	return list
}

// noteTotals sums a credit note's lines into its own discount_amounts,
// pretax_credit_amounts and total_taxes (per discount and per rate, in
// the order they first appear).
func noteTotals(lines []any) (discounts, pretax, taxes []any) {
	discounts, pretax, taxes = []any{}, []any{}, []any{}
	byDiscount, byRate := map[string]store.Obj{}, map[string]store.Obj{}
	for _, l := range lines {
		line := api.Obj(l)
		for _, d := range asAnys(line["discount_amounts"]) {
			id := api.Str(api.Obj(d)["discount"])
			if sum := byDiscount[id]; sum != nil {
				sum["amount"] = api.Int(sum["amount"]) + api.Int(api.Obj(d)["amount"])
				continue
			}
			byDiscount[id] = store.Obj{"amount": api.Obj(d)["amount"], "discount": id}
			discounts = append(discounts, byDiscount[id])
		}
		for _, t := range asAnys(line["taxes"]) {
			tax := api.Obj(t)
			id := taxRateOf(tax)
			if sum := byRate[id]; sum != nil {
				sum["amount"] = api.Int(sum["amount"]) + api.Int(tax["amount"])
				sum["taxable_amount"] = api.Int(sum["taxable_amount"]) + api.Int(tax["taxable_amount"])
				continue
			}
			byRate[id] = api.Clone(tax)
			taxes = append(taxes, byRate[id])
		}
	}
	for _, d := range discounts {
		pretax = append(pretax, store.Obj{"amount": api.Obj(d)["amount"], "discount": api.Obj(d)["discount"], "type": "discount"})
	}
	return discounts, pretax, taxes
}

// taxOfAmount is the tax a credit note of amount alone (no lines, tax
// included) credits of a taxed invoice, of which left is still to be
// credited: each rate's share of its tax and taxable amount not yet
// credited, in proportion amount/left (rounded half away from zero), so
// that the note crediting all that is left credits all the tax left.
func taxOfAmount(c *api.Call, inv store.Obj, amount, left int64) ([]any, noteAmounts) {
	credited := map[string]lineTaxCredit{}
	for _, cn := range c.Tx.List(c.Account, "credit_note", store.Query{Index: "invoice", Value: api.Str(inv["id"])}).Data {
		if cn["status"] != "issued" {
			continue
		}
		for _, t := range asAnys(cn["total_taxes"]) {
			id := taxRateOf(api.Obj(t))
			sum := credited[id]
			sum.amount += api.Int(api.Obj(t)["amount"])
			sum.taxable += api.Int(api.Obj(t)["taxable_amount"])
			credited[id] = sum
		}
	}
	var n noteAmounts
	taxes := []any{}
	for _, t := range asAnys(inv["total_taxes"]) {
		tax := api.Obj(t)
		id := taxRateOf(tax)
		amt := currency.Share(api.Int(tax["amount"])-credited[id].amount, amount, left)
		taxable := currency.Share(api.Int(tax["taxable_amount"])-credited[id].taxable, amount, left)
		if tax["tax_behavior"] == "inclusive" {
			n.inclusive += amt
		} else {
			n.exclusive += amt
		}
		taxes = append(taxes, taxEntry(amt, api.Str(tax["tax_behavior"]), id, taxable, api.Str(tax["taxability_reason"])))
	}
	return taxes, n
}

// inclusiveTaxAdded is the inclusive tax on amount (tax exclusive, as
// Stripe takes a line's amount on an invoice with automatic tax) at the
// inclusive rates the invoice line il was taxed at: what the credit note
// line's gross amount holds on top of it.
func inclusiveTaxAdded(c *api.Call, il store.Obj, amount int64) int64 {
	var ids []string
	for _, t := range asAnys(il["taxes"]) {
		if api.Obj(t)["tax_behavior"] == "inclusive" {
			ids = append(ids, taxRateOf(api.Obj(t)))
		}
	}
	rates := taxrates.Load(c, ids)
	asExclusive := make([]any, len(rates))
	for i, r := range rates {
		o := api.Clone(api.Obj(r))
		o["inclusive"] = false
		asExclusive[i] = o
	}
	var sum int64
	for _, t := range taxrates.Compute(amount, asExclusive) {
		sum += t.Amount
	}
	return sum
}
