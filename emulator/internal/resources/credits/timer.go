package credits

import (
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// What the clock does to grants: a grant whose effective_at is to come
// gets its credit then (credits_granted), and one with an expires_at
// loses what is left of it then (credits_expired). Each is kept in the
// store's metadata until done, under workKey, as "<time> <test clock>",
// so finding what is due scans only grants with work left, and an account
// without grants scans nothing.
const (
	effectiveKey = "credeff:"
	expiryKey    = "credexp:"
)

func workKey(kind, account, id string) string { return kind + account + ":" + id }

// schedule records that a grant has work at at.
func schedule(c *api.Call, kind string, g store.Obj, at int64) error {
	return c.SetMeta(workKey(kind, c.Account, api.Str(g["id"])), strconv.FormatInt(at, 10)+" "+api.Str(g["test_clock"]))
}

func parseWork(v string) (at int64, clock string) {
	t, clock, _ := strings.Cut(v, " ")
	at, _ = strconv.ParseInt(t, 10, 64)
	return at, clock
}

// Timer runs grants' work on the emulator's clock; grants of customers on
// test clocks move with their clock (billing's ClockTimers).
var Timer = api.Timer{
	Due: func(_ *api.Env, tx *store.Tx, account string, target int64) []api.Due {
		return dueOn(tx, account, "", target)
	},
	Watch: []string{grantObject},
	DueOf: func(_ *api.Env, tx *store.Tx, account string, ref store.Ref, target int64) []api.Due {
		return dueOfOn(tx, account, "", ref, target)
	},
}

// dueOn lists the grant work due by target on clockID ("" = the
// emulator's clock).
func dueOn(tx *store.Tx, account, clockID string, target int64) []api.Due {
	var out []api.Due
	for _, kind := range []string{effectiveKey, expiryKey} {
		prefix := workKey(kind, account, "")
		tx.ScanMeta(prefix, func(name, value string) bool {
			if at, clock := parseWork(value); clock == clockID && at <= target {
				out = append(out, grantWork(kind, account, strings.TrimPrefix(name, prefix), at))
			}
			return true
		})
	}
	return out
}

// dueOfOn lists what one grant, just written, has due by target.
func dueOfOn(tx *store.Tx, account, clockID string, ref store.Ref, target int64) []api.Due {
	var out []api.Due
	for _, kind := range []string{effectiveKey, expiryKey} {
		v, ok := tx.GetMeta(workKey(kind, account, ref.ID))
		if at, clock := parseWork(v); ok && clock == clockID && at <= target {
			out = append(out, grantWork(kind, account, ref.ID, at))
		}
	}
	return out
}

func grantWork(kind, account, id string, at int64) api.Due {
	name := "credit grant takes effect"
	if kind == expiryKey {
		name = "credit grant expires"
	}
	return api.Due{At: at, Account: account, About: store.Ref{Type: grantObject, ID: id}, Kind: name, Run: func(c *api.Call) error {
		// The moment of the work, not a test clock's stored time.
		c.Now, c.NowFixed = at, true
		defer func() { c.NowFixed = false }()
		key := workKey(kind, account, id)
		v, ok := c.Tx.GetMeta(key)
		if due, _ := parseWork(v); !ok || due != at {
			return nil // done, or moved since it was queued
		}
		c.DeleteMeta(key)
		g, ok := c.Tx.Get(account, grantObject, id)
		if !ok || g["voided_at"] != nil {
			return nil
		}
		if kind == effectiveKey {
			return grantCredits(c, g)
		}
		if left := ledger(c.Tx, account, id); left > 0 {
			return c.Insert(newDebit(c, g, left, "credits_expired", nil, at))
		}
		return nil
	}}
}
