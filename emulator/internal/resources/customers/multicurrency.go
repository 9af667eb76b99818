package customers

import (
	"sort"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// A customer has a credit balance in each currency it was billed or
// credited in. The one in its own currency is its `balance`; the others
// ("The current multi-currency balances, if any, that's stored on the
// customer", invoice_credit_balance) are kept beside it, keyed by the
// customer, so a customer billed in one currency only never reads them.

func otherBalancesKey(account, customer string) string { return "cusbal:" + account + ":" + customer }

func otherBalances(c *api.Call, customer string) map[string]int64 {
	m := map[string]int64{}
	c.Tx.GetMetaJSON(otherBalancesKey(c.Account, customer), &m)
	return m
}

func setOtherBalances(c *api.Call, customer string, m map[string]int64) error {
	for cur, v := range m {
		if v == 0 {
			delete(m, cur)
		}
	}
	if len(m) == 0 {
		c.Tx.DeleteMeta(otherBalancesKey(c.Account, customer))
		return nil
	}
	return c.Tx.SetMetaJSON(otherBalancesKey(c.Account, customer), m)
}

// OwnCurrency reports whether cus's balance in cur is its balance field:
// cur is the customer's currency, or the customer has none yet.
func OwnCurrency(cus store.Obj, cur string) bool {
	own := api.Str(cus["currency"])
	return own == "" || cur == "" || own == cur
}

// BalanceIn is cus's balance in cur: what an invoice in cur uses when it
// is finalized. "A CAD invoice doesn't apply a customer credit balance
// denominated in USD."
func BalanceIn(c *api.Call, cus store.Obj, cur string) int64 {
	if OwnCurrency(cus, cur) {
		return api.Int(cus["balance"])
	}
	return otherBalances(c, api.Str(cus["id"]))[cur]
}

// swapOwnBalance is what a customer's change of currency from own to cur
// does to its balances: balance becomes the one in cur, and the one in
// own is kept among the others. after is the caller's to store.
func swapOwnBalance(c *api.Call, after store.Obj, own, cur string) error {
	if own == "" || own == cur {
		return nil
	}
	id := api.Str(after["id"])
	m := otherBalances(c, id)
	if bal := api.Int(after["balance"]); bal != 0 {
		m[own] = bal
	}
	after["balance"] = m[cur]
	delete(m, cur)
	return setOtherBalances(c, id, m)
}

// invoiceCreditBalance is the includable customer.invoice_credit_balance:
// the balance in each currency the customer's balance ever moved in.
func invoiceCreditBalance(c *api.Call, cus store.Obj) (any, error) {
	seen := map[string]bool{}
	var curs []string
	c.Tx.EachIndexedRaw(c.Account, "customer_balance_transaction", "customer", api.Str(cus["id"]), func(raw string) bool {
		cur := store.Pick(raw, "currency")[0].String()
		if !seen[cur] {
			seen[cur] = true
			curs = append(curs, cur)
		}
		return true
	})
	sort.Strings(curs)
	out := store.Obj{}
	for _, cur := range curs {
		out[cur] = BalanceIn(c, cus, cur)
	}
	return out, nil
}
