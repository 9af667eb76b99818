package quotes

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// A draft or open quote is canceled when its expires_at comes (Stripe:
// "the date on which the quote will be canceled if in open or draft
// status"), by the emulator's clock or, for a quote on a test clock, by
// that clock's advance. Stripe sends quote.canceled, as for a quote
// canceled by request.

// Timer is the quotes' work on the emulator clock.
var Timer = api.Timer{
	Due: func(_ *api.Env, tx *store.Tx, account string, target int64) []api.Due {
		return due(tx, account, "", target)
	},
	Watch: []string{"quote"},
	DueOf: func(_ *api.Env, tx *store.Tx, account string, ref store.Ref, target int64) []api.Due {
		return dueOf(tx, account, "", ref, target)
	},
}

// due lists the expiries due by target of the quotes on clockID ("": the
// emulator's clock).
func due(tx *store.Tx, account, clockID string, target int64) []api.Due {
	var out []api.Due
	for _, status := range []string{"draft", "open"} {
		tx.EachIndexedRaw(account, "quote", "status", status, func(raw string) bool {
			out = expiryDue(out, account, clockID, raw, target)
			return true
		})
	}
	return out
}

func dueOf(tx *store.Tx, account, clockID string, ref store.Ref, target int64) []api.Due {
	raw, ok := tx.GetRaw(account, ref.Type, ref.ID)
	if !ok {
		return nil
	}
	return expiryDue(nil, account, clockID, raw, target)
}

func expiryDue(out []api.Due, account, clockID, raw string, target int64) []api.Due {
	f := store.Pick(raw, "id", "status", "test_clock", "expires_at")
	if f[2].String() != clockID || (f[1].String() != "draft" && f[1].String() != "open") {
		return out
	}
	at, id := f[3].Int(), f[0].String()
	if at > target {
		return out
	}
	return append(out, api.Due{At: at, Account: account, About: store.Ref{Type: "quote", ID: id}, Kind: "quote_expire",
		Run: func(c *api.Call) error { return expire(c, id, at) }})
}

// expire cancels a quote whose time ran out at at.
func expire(c *api.Call, id string, at int64) error {
	q, ok := c.Tx.Get(c.Account, "quote", id)
	if !ok || (q["status"] != "draft" && q["status"] != "open") || api.Int(q["expires_at"]) > at {
		return nil
	}
	c.Now, c.NowFixed = at, true
	defer func() { c.NowFixed = false }()
	_, err := cancel(c, q)
	return err
}
