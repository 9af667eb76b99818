package credits

import (
	"sort"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billing"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// applyToInvoice applies a customer's billing credits to an invoice being
// finalized (billing's PretaxCreditHooks). Stripe applies them only to
// subscription lines of prices with a billing meter, on what discounts
// leave of each, before tax, from grants in the invoice's currency that
// are in effect and whose scope takes in the line's price. Grants are
// drawn down one after the other in Stripe's documented order: priority
// (0 first), then the soonest expiry (none last), promotional before paid,
// the earliest effective_at, the oldest. Each grant's share of each line
// is a credits_applied debit.
func applyToInvoice(c *api.Call, inv store.Obj) ([]billing.PretaxCredit, error) {
	if api.Obj(inv["parent"])["type"] != "subscription_details" {
		return nil, nil
	}
	// A customer without grants, the common case on every renewal, costs
	// this one index probe.
	grants := customerGrants(c.Tx, c.Account, api.Str(inv["customer"]))
	if len(grants) == 0 {
		return nil, nil
	}
	type eligible struct {
		line  int
		id    string
		price string
		left  int64
	}
	var lines []eligible
	for i, l := range asLines(inv) {
		line := api.Obj(l)
		if api.Obj(line["parent"])["type"] != "subscription_item_details" {
			continue
		}
		net := billing.LineNet(line)
		price := api.Str(api.Obj(api.Obj(line["pricing"])["price_details"])["price"])
		if net <= 0 || !metered(c, price) {
			continue
		}
		lines = append(lines, eligible{i, api.Str(line["id"]), price, net})
	}
	if len(lines) == 0 {
		return nil, nil
	}
	cus, _ := c.Tx.Get(c.Account, "customer", api.Str(inv["customer"]))
	now := c.ClockNow(cus)
	type source struct {
		grant store.Obj
		left  int64
	}
	var sources []source
	for _, g := range grants {
		if grantCurrency(g) != inv["currency"] || !usable(g, now) {
			continue
		}
		if left := ledger(c.Tx, c.Account, api.Str(g["id"])); left > 0 {
			sources = append(sources, source{g, left})
		}
	}
	sort.SliceStable(sources, func(i, j int) bool { return drawnFirst(sources[i].grant, sources[j].grant) })
	var out []billing.PretaxCredit
	for _, s := range sources {
		for j := range lines {
			l := &lines[j]
			if s.left == 0 {
				break
			}
			if l.left == 0 || !appliesTo(s.grant, l.price) {
				continue
			}
			take := min(s.left, l.left)
			t := newDebit(c, s.grant, take, "credits_applied", &invoiceRef{api.Str(inv["id"]), l.id}, now)
			if err := c.Insert(t); err != nil {
				return nil, err
			}
			s.left -= take
			l.left -= take
			out = append(out, billing.PretaxCredit{Line: l.line, Amount: take, Transaction: api.Str(t["id"])})
		}
	}
	return out, nil
}

// drawnFirst orders grants as Stripe draws them down.
func drawnFirst(a, b store.Obj) bool {
	if pa, pb := api.Int(a["priority"]), api.Int(b["priority"]); pa != pb {
		return pa < pb
	}
	ea, eb := a["expires_at"], b["expires_at"]
	switch {
	case ea != nil && eb == nil:
		return true
	case ea == nil && eb != nil:
		return false
	case ea != nil && api.Int(ea) != api.Int(eb):
		return api.Int(ea) < api.Int(eb)
	}
	if a["category"] != b["category"] {
		return a["category"] == "promotional"
	}
	if fa, fb := api.Int(a["effective_at"]), api.Int(b["effective_at"]); fa != fb {
		return fa < fb
	}
	if ca, cb := api.Int(a["created"]), api.Int(b["created"]); ca != cb {
		return ca < cb
	}
	return api.Str(a["id"]) < api.Str(b["id"]) // ids sort in creation order
}

// metered reports whether a price has a billing meter.
func metered(c *api.Call, price string) bool {
	f, ok := c.Tx.Fields(c.Account, "price", price, "recurring.usage_type", "recurring.meter")
	return ok && f[0].String() == "metered" && f[1].String() != ""
}

func asLines(inv store.Obj) []any {
	l, _ := api.Obj(inv["lines"])["data"].([]any)
	return l
}

// giveBack returns the credit a voided invoice took to the grants it came
// from (billing's VoidCreditHooks): a credits_application_invoice_voided
// credit for each line's debit. A grant that has since expired or been
// voided cannot use it: it is debited again at once, as the grant's end
// debited the rest.
func giveBack(c *api.Call, inv store.Obj) error {
	cus, _ := c.Tx.Get(c.Account, "customer", api.Str(inv["customer"]))
	now := c.ClockNow(cus)
	for _, l := range asLines(inv) {
		line := api.Obj(l)
		entries, _ := line["pretax_credit_amounts"].([]any)
		for _, e := range entries {
			entry := api.Obj(e)
			if entry["type"] != "credit_balance_transaction" {
				continue
			}
			f, ok := c.Tx.Fields(c.Account, txnObject, api.Str(entry["credit_balance_transaction"]), "credit_grant")
			if !ok {
				continue
			}
			g, ok := c.Tx.Get(c.Account, grantObject, f[0].String())
			if !ok {
				continue
			}
			amount := api.Int(entry["amount"])
			ref := &invoiceRef{api.Str(inv["id"]), api.Str(line["id"])}
			if err := c.Insert(newCredit(c, g, amount, "credits_application_invoice_voided", ref, now)); err != nil {
				return err
			}
			ended := ""
			switch {
			case g["voided_at"] != nil:
				ended = "credits_voided"
			case expired(g, now):
				ended = "credits_expired"
			}
			if ended != "" {
				if err := c.Insert(newDebit(c, g, amount, ended, nil, now)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
