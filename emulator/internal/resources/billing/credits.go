package billing

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Billing credits (package credits) reach invoices through these hooks:
// credit grants are applied as an invoice is finalized, before tax, and
// given back when it is voided (their clock work is a ClockTimer). Billing owns how an invoice shows them
// (its lines' pretax_credit_amounts and the totals); the credits family
// owns the grants and their ledger.

// PretaxCredit is credit taken off one line of an invoice before tax: a
// credit balance transaction debiting a grant.
type PretaxCredit struct {
	Line        int // index in the invoice's lines
	Amount      int64
	Transaction string // the billing.credit_balance_transaction
}

// PretaxCreditHooks are asked, for every invoice being finalized and
// before the customer's balance is used, what credit its lines take. They
// record their own transactions; billing shows the credit on the lines and
// takes it off the totals. They must stay cheap for customers with nothing
// to apply: they run on every renewal.
var PretaxCreditHooks []func(c *api.Call, inv store.Obj) ([]PretaxCredit, error)

// VoidCreditHooks run when an invoice that took billing credits is voided
// (inv is the voided invoice), to give the credit back.
var VoidCreditHooks []func(c *api.Call, inv store.Obj) error

// LineNet is what is left of an invoice line once its discounts are
// taken off: what billing credits can apply to.
func LineNet(line store.Obj) int64 {
	net := api.Int(line["amount"])
	shares, _ := line["discount_amounts"].([]any)
	for _, s := range shares {
		net -= api.Int(api.Obj(s)["amount"])
	}
	return net
}

// applyPretaxCredits asks the hooks what credit an invoice being
// finalized takes and, if any, shows it on the lines and recomputes the
// invoice's totals (taxes on what is left, amount due).
func applyPretaxCredits(c *api.Call, inv store.Obj) error {
	lines := asList(inv["lines"])
	took := false
	for _, hook := range PretaxCreditHooks {
		credits, err := hook(c, inv)
		if err != nil {
			return err
		}
		for _, cr := range credits {
			line := api.Obj(lines[cr.Line])
			entries, _ := line["pretax_credit_amounts"].([]any)
			line["pretax_credit_amounts"] = append(entries, store.Obj{
				"amount": cr.Amount, "credit_balance_transaction": cr.Transaction, "type": "credit_balance_transaction",
			})
			took = true
		}
	}
	if !took {
		return nil
	}
	off := make([]int64, len(lines))
	var gross int64 // the lines' own amounts (the invoice's subtotal is net of item discounts)
	for i, l := range lines {
		gross += api.Int(api.Obj(l)["amount"])
		off[i] = api.Int(api.Obj(l)["amount"]) - LineNet(api.Obj(l))
	}
	return totals(c, inv, lines, gross, off, true)
}

// previewPretaxCredits shows on a previewed invoice (thrown away with
// everything its building wrote) the billing credits it would take: the
// amounts as finalization would work them out, with no credit balance
// transaction behind them, since a preview takes nothing.
func previewPretaxCredits(c *api.Call, inv store.Obj) error {
	if err := applyPretaxCredits(c, inv); err != nil || !tookCredits(inv) {
		return err
	}
	unlink := func(entries any) {
		list, _ := entries.([]any)
		for _, e := range list {
			if o := api.Obj(e); o["type"] == "credit_balance_transaction" {
				o["credit_balance_transaction"] = nil
			}
		}
	}
	for _, l := range asList(inv["lines"]) {
		unlink(api.Obj(l)["pretax_credit_amounts"])
	}
	unlink(inv["total_pretax_credit_amounts"])
	return c.Put(inv) // changed since it was stored
}

// tookCredits reports whether an invoice took billing credits.
func tookCredits(inv store.Obj) bool {
	entries, _ := inv["total_pretax_credit_amounts"].([]any)
	for _, e := range entries {
		if api.Obj(e)["type"] == "credit_balance_transaction" {
			return true
		}
	}
	return false
}

// pretaxEntries rebuilds the lines' and the invoice's
// pretax_credit_amounts (basil lists discounts and billing credits there,
// discounts first) and returns what they take off each line. off is what
// discounts take (nil: none); billing credits are the lines'
// credit_balance_transaction entries, kept as they are.
func pretaxEntries(inv store.Obj, lines []any, off []int64) []int64 {
	all := make([]int64, len(lines))
	var credits []any
	for i, l := range lines {
		line := api.Obj(l)
		shares, _ := line["discount_amounts"].([]any)
		old, _ := line["pretax_credit_amounts"].([]any)
		entries := make([]any, 0, len(shares)+len(old))
		for _, s := range shares {
			entries = append(entries, store.Obj{"amount": api.Obj(s)["amount"], "credit_balance_transaction": nil,
				"discount": api.Obj(s)["discount"], "type": "discount"})
		}
		if off != nil {
			all[i] = off[i]
		}
		for _, e := range old {
			if api.Obj(e)["type"] == "credit_balance_transaction" {
				entries = append(entries, e)
				credits = append(credits, api.Clone(api.Obj(e)))
				all[i] += api.Int(api.Obj(e)["amount"])
			}
		}
		line["pretax_credit_amounts"] = entries
	}
	totalsOf, _ := inv["total_discount_amounts"].([]any)
	total := make([]any, 0, len(totalsOf)+len(credits))
	for _, t := range totalsOf {
		total = append(total, store.Obj{"amount": api.Obj(t)["amount"], "credit_balance_transaction": nil,
			"discount": api.Obj(t)["discount"], "type": "discount"})
	}
	inv["total_pretax_credit_amounts"] = append(total, credits...)
	return all
}
