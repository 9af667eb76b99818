package credits

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// A grant's ledger is its credit balance transactions: a credit when its
// credit takes effect (credits_granted) or comes back from a voided
// invoice (credits_application_invoice_voided), a debit when an invoice
// takes some (credits_applied) and for what is left when it expires or is
// voided. Its balance is their sum; nothing else is kept.

// newTxn builds a transaction of a grant, effective at, with its credit
// or debit details.
func newTxn(c *api.Call, g store.Obj, typ string, details store.Obj, at int64) store.Obj {
	t := c.Object(txnObject, c.NewID(txnObject), store.Obj{
		"credit": nil, "credit_grant": g["id"], "debit": nil, "effective_at": at,
		"test_clock": g["test_clock"], "type": typ,
	})
	t[typ] = details
	return t
}

// invoiceRef names the invoice line a transaction is about (nil: none).
type invoiceRef struct{ invoice, line string }

func (r *invoiceRef) obj() any {
	if r == nil {
		return nil
	}
	return store.Obj{"invoice": r.invoice, "invoice_line_item": r.line}
}

func grantCurrency(g store.Obj) string {
	return api.Str(api.Obj(api.Obj(g["amount"])["monetary"])["currency"])
}

func grantValue(g store.Obj) int64 {
	return api.Int(api.Obj(api.Obj(g["amount"])["monetary"])["value"])
}

// newCredit is a credit to a grant: of type credits_granted, or
// credits_application_invoice_voided with the invoice line it comes back
// from.
func newCredit(c *api.Call, g store.Obj, amount int64, typ string, from *invoiceRef, at int64) store.Obj {
	return newTxn(c, g, "credit", store.Obj{
		"amount": money(grantCurrency(g), amount), "credits_application_invoice_voided": from.obj(), "type": typ,
	}, at)
}

// newDebit is a debit of a grant: credits_applied to an invoice line,
// credits_expired or credits_voided.
func newDebit(c *api.Call, g store.Obj, amount int64, typ string, to *invoiceRef, at int64) store.Obj {
	return newTxn(c, g, "debit", store.Obj{
		"amount": money(grantCurrency(g), amount), "credits_applied": to.obj(), "type": typ,
	}, at)
}

// grantCredits records a grant's credit taking effect.
func grantCredits(c *api.Call, g store.Obj) error {
	return c.Insert(newCredit(c, g, grantValue(g), "credits_granted", nil, api.Int(g["effective_at"])))
}

// ledger is a grant's balance: its credits less its debits.
func ledger(tx *store.Tx, account, grantID string) int64 {
	var balance int64
	tx.EachIndexedRaw(account, txnObject, "credit_grant", grantID, func(raw string) bool {
		f := store.Pick(raw, "type", "credit.amount.monetary.value", "debit.amount.monetary.value")
		if f[0].String() == "credit" {
			balance += f[1].Int()
		} else {
			balance -= f[2].Int()
		}
		return true
	})
	return balance
}

// usable reports whether a grant's credit can be used at now: in effect,
// not expired, not voided.
func usable(g store.Obj, now int64) bool {
	return g["voided_at"] == nil && api.Int(g["effective_at"]) <= now && !expired(g, now)
}

// customerGrants are a customer's grants, oldest first.
func customerGrants(tx *store.Tx, account, customer string) []store.Obj {
	var out []store.Obj
	tx.EachIndexed(account, grantObject, "customer", customer, func(g store.Obj) bool {
		out = append(out, g)
		return true
	})
	return out
}

// balanceSummary answers GET /v1/billing/credit_balance_summary: per
// currency of the customer's grants the filter selects, the ledger
// balance and what of it is available now (Stripe: the ledger balance
// less credit that expired before its expiry was recorded).
func balanceSummary(c *api.Call) (any, error) {
	cusID, _ := c.Params.Str("customer")
	cus, ok := c.Tx.Get(c.Account, "customer", cusID)
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", cusID, "customer")
	}
	match, err := summaryFilter(c)
	if err != nil {
		return nil, err
	}
	now := c.ClockNow(cus)
	type sums struct{ ledger, available int64 }
	var currencies []string
	byCurrency := map[string]*sums{}
	for _, g := range customerGrants(c.Tx, c.Account, cusID) {
		if !match(g) {
			continue
		}
		cur := grantCurrency(g)
		s := byCurrency[cur]
		if s == nil {
			s = &sums{}
			byCurrency[cur] = s
			currencies = append(currencies, cur)
		}
		bal := ledger(c.Tx, c.Account, api.Str(g["id"]))
		s.ledger += bal
		if usable(g, now) {
			s.available += bal
		}
	}
	balances := make([]any, len(currencies))
	for i, cur := range currencies {
		s := byCurrency[cur]
		balances[i] = store.Obj{"available_balance": money(cur, s.available), "ledger_balance": money(cur, s.ledger)}
	}
	return store.Obj{"object": summaryObject, "balances": balances, "customer": cusID, "livemode": false}, nil
}

// summaryFilter reads filter[]: one grant (type=credit_grant), or the
// grants whose credit can apply within a scope (type=applicability_scope:
// price_type=metered, every grant; prices, the grants that apply to any
// of them).
func summaryFilter(c *api.Call) (func(store.Obj) bool, error) {
	f, _ := c.Params.Obj("filter")
	typ, _ := f.Str("type")
	switch typ {
	case "":
		return nil, apierr.MissingParam("filter[type]")
	case "credit_grant":
		id, _ := f.Str("credit_grant")
		if id == "" {
			return nil, apierr.MissingParam("filter[credit_grant]")
		}
		if !c.Tx.Exists(c.Account, grantObject, id) {
			return nil, apierr.NoSuchObject("credit grant", id, "filter[credit_grant]")
		}
		return func(g store.Obj) bool { return g["id"] == id }, nil
	}
	scope, ok := f.Obj("applicability_scope")
	if !ok {
		return nil, apierr.MissingParam("filter[applicability_scope]")
	}
	priceType, ids, err := readScope(c, scope, "filter[applicability_scope]")
	switch {
	case err != nil:
		return nil, err
	case priceType != "":
		return func(store.Obj) bool { return true }, nil
	}
	return func(g store.Obj) bool {
		for _, id := range ids {
			if appliesTo(g, id) {
				return true
			}
		}
		return false
	}, nil
}

// appliesTo reports whether a grant's scope takes in a metered price.
func appliesTo(g store.Obj, price string) bool {
	scope := api.Obj(api.Obj(g["applicability_config"])["scope"])
	if scope["price_type"] == "metered" {
		return true
	}
	prices, _ := scope["prices"].([]any)
	for _, p := range prices {
		if api.Obj(p)["id"] == price {
			return true
		}
	}
	return false
}

func retrieveTransaction(c *api.Call) (any, error) { return c.Retrieve(txnObject, c.Var("id")) }

// listTransactions lists a customer's credit balance transactions, or one
// of its grants', newest first. Transactions do not name their customer:
// without a grant, the account's are walked for the customer's grants.
func listTransactions(c *api.Call) (any, error) {
	cusID, _ := c.Params.Str("customer")
	if cusID == "" {
		return nil, apierr.InvalidEmpty("customer")
	}
	cus, ok := c.Tx.Get(c.Account, "customer", cusID)
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", cusID, "customer")
	}
	q, err := c.ListQuery(txnObject)
	if err != nil {
		return nil, err
	}
	mine := map[string]bool{}
	for _, g := range customerGrants(c.Tx, c.Account, cusID) {
		mine[api.Str(g["id"])] = true
	}
	if id, _ := c.Params.Str("credit_grant"); id != "" {
		if !c.Tx.Exists(c.Account, grantObject, id) {
			return nil, apierr.NoSuchObject("credit grant", id, "credit_grant")
		}
		q.Index, q.Value = "credit_grant", id
	}
	q.Filter = api.And(q.Filter, func(o store.Obj) bool { return mine[api.Str(o["credit_grant"])] })
	return c.Page(txnObject, "/v1/billing/credit_balance_transactions", q), nil
}
