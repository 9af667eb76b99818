package payments

import (
	"sort"
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/accounts"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Automatic payouts: on each day of an account's payout schedule (at the
// day's start, UTC, once that day's funds have become available) Stripe
// pays the whole available balance of each currency with a default bank
// account out to it: a payout with automatic true, made and moving on the
// clock as a manual one does. Its reconciliation is in progress until it
// is submitted to the bank, then completed
// (payout.reconciliation_completed); the balance transactions it paid out
// are listed by GET /v1/balance_transactions?payout=.
//
// Work is looked for only where funds came in: a positive balance
// transaction becoming (or made) available sets the account's
// accounts.AutoPayoutKey to its next payout day, and that day's work
// clears it.

// autoPayoutDescription is what Stripe writes on automatic payouts.
const autoPayoutDescription = "STRIPE PAYOUT"

// paidOutKey marks a balance transaction an automatic payout paid out
// (its value: the payout).
func paidOutKey(account, txn string) string { return "paidout:" + account + ":" + txn }

// unpaidFromKey holds the oldest balance transaction of an account an
// automatic payout may still take (one pending, or available but left
// unpaid): every older one was paid out or is not for payouts, so a
// payout day reads the few days' transactions since, not the account's
// whole history.
func unpaidFromKey(account string) string { return "unpaidfrom:" + account }

// payoutTxnKey lists the balance transactions of an automatic payout, by
// payout (its own among them).
func payoutTxnKey(account, payout, txn string) string {
	return "payouttxn:" + account + ":" + payout + ":" + txn
}

// expectPayout has funds that came into account looked at on the
// account's first payout day at or after `from`, if its schedule is
// automatic: funds becoming available at a day's start go out that day,
// those made available later in a day (or at its start by a request, after
// the day's payouts) on the next.
func expectPayout(c *api.Call, account string, from int64) error {
	next, ok := accounts.NextPayoutDay(accounts.Schedule(c.Tx, c.Platform, account), from)
	if !ok {
		return nil
	}
	key := accounts.AutoPayoutKey(account)
	if v, ok := c.Tx.GetMeta(key); ok {
		if at, _ := strconv.ParseInt(v, 10, 64); at <= next {
			return nil
		}
	}
	return c.SetMeta(key, strconv.FormatInt(next, 10))
}

// autoPayoutTimer makes the automatic payouts due.
var autoPayoutTimer = api.Timer{
	Due: func(_ *api.Env, tx *store.Tx, account string, target int64) []api.Due {
		if at, ok := autoPayoutAt(tx, account); ok && at <= target {
			return []api.Due{autoPayoutWork(account, at)}
		}
		return nil
	},
	// Funds becoming available during a clock jump are paid out in it.
	Watch: []string{"balance_transaction"},
	DueOf: func(_ *api.Env, tx *store.Tx, _ string, _ store.Ref, target int64) []api.Due {
		// The funds may be another account's (Connect): the few accounts
		// with funds waiting are all looked at.
		var out []api.Due
		tx.ScanMeta(accounts.AutoPayoutKey(""), func(name, value string) bool {
			if at, _ := strconv.ParseInt(value, 10, 64); at <= target {
				out = append(out, autoPayoutWork(strings.TrimPrefix(name, accounts.AutoPayoutKey("")), at))
			}
			return true
		})
		return out
	},
}

func autoPayoutAt(tx *store.Tx, account string) (int64, bool) {
	v, ok := tx.GetMeta(accounts.AutoPayoutKey(account))
	if !ok {
		return 0, false
	}
	at, err := strconv.ParseInt(v, 10, 64)
	return at, err == nil
}

// autoPayoutWork pays out, on a payout day, the account's available
// balance in each currency it has a default bank account in.
func autoPayoutWork(account string, at int64) api.Due {
	return api.Due{At: at, Account: account, Kind: "automatic_payout", Run: func(c *api.Call) error {
		key := accounts.AutoPayoutKey(account)
		if stored, ok := autoPayoutAt(c.Tx, account); !ok || stored != at {
			return nil // already done, or moved
		}
		schedule := accounts.Schedule(c.Tx, c.Platform, account)
		next, ok := accounts.NextPayoutDay(schedule, at)
		switch {
		case !ok:
			c.DeleteMeta(key) // the schedule became manual
			return nil
		case next != at:
			// The schedule changed: not a payout day any more.
			return c.SetMeta(key, strconv.FormatInt(next, 10))
		}
		c.DeleteMeta(key)
		if c.Connected {
			if f, ok := c.Tx.Fields(c.Platform, "account", account, "payouts_enabled"); !ok || !f[0].Bool() {
				return nil
			}
		}
		funds, from := unpaid(c, account)
		for _, cur := range sortedCurrencies(funds) {
			paid, err := payOutAutomatically(c, account, cur, funds[cur])
			if err != nil {
				return err
			}
			if !paid && len(funds[cur]) > 0 {
				// Left for a later day: its oldest holds the place.
				from = minID(from, funds[cur][0].id)
			}
		}
		if from == "" {
			return nil // nothing scanned: the place stays
		}
		return c.SetMeta(unpaidFromKey(account), from)
	}}
}

// minID is the older of two balance transaction ids ("" is none).
func minID(a, b string) string {
	if a == "" || (b != "" && b < a) {
		return b
	}
	return a
}

// unpaidTxn is an available balance transaction no automatic payout has
// paid out yet.
type unpaidTxn struct {
	id  string
	net int64
}

// unpaid are the account's available card funds (what automatic payouts
// take; top-up funds stay for transfers, the Issuing balance apart) no
// automatic payout took yet, by
// currency. Each automatic payout nets to zero with its own transaction,
// so their sum is the available balance.
//
// from is where the next payout day is to start reading: the oldest
// transaction still pending, or else the newest read ("" when none was).
func unpaid(c *api.Call, account string) (out map[string][]unpaidTxn, from string) {
	out = map[string][]unpaidTxn{}
	_, split := c.Tx.GetMeta(metaTopupFunds(account))
	start, _ := c.Tx.GetMeta(unpaidFromKey(account))
	pending, last := "", ""
	c.Tx.EachRawFrom(account, "balance_transaction", start, func(id, raw string) bool {
		last = id
		f := store.Pick(raw, "id", "currency", "status", "net", "type", "source", "balance_type")
		if f[6].String() == "issuing" {
			return true // the Issuing balance is never paid out
		}
		if f[2].String() != "available" {
			pending = minID(pending, id)
			return true
		}
		if split && bankAccountFunds(c, account, f[4].String(), f[5].String()) {
			return true
		}
		if _, paid := c.Tx.GetMeta(paidOutKey(account, f[0].String())); paid {
			return true
		}
		out[f[1].String()] = append(out[f[1].String()], unpaidTxn{f[0].String(), f[3].Int()})
		return true
	})
	if pending != "" {
		return out, pending
	}
	return out, last
}

func sortedCurrencies(m map[string][]unpaidTxn) []string {
	out := make([]string, 0, len(m))
	for cur := range m {
		out = append(out, cur)
	}
	sort.Strings(out)
	return out
}

// payOutAutomatically pays out what is available in currency, if it is
// positive and the account has a default bank account in it.
// It says whether it did.
func payOutAutomatically(c *api.Call, account, currency string, txns []unpaidTxn) (bool, error) {
	var amount int64
	for _, t := range txns {
		amount += t.net
	}
	if amount <= 0 {
		return false, nil
	}
	dest, ok := accounts.DefaultBankAccount(c.Tx, account, currency)
	if !ok || dest["status"] == "errored" {
		// The funds wait for a bank account in their currency, or for
		// the details of the one a payout failed to to be updated.
		return false, nil
	}
	po, txn, err := putPayout(c, account, payoutDraft{amount: amount, currency: currency, description: autoPayoutDescription,
		destination: dest["id"], sourceType: "card", metadata: store.Obj{}, reconciliation: "in_progress", automatic: true})
	if err != nil {
		return false, err
	}
	id := api.Str(po["id"])
	for _, t := range append(txns, unpaidTxn{id: api.Str(txn["id"])}) {
		if err := c.SetMeta(paidOutKey(account, t.id), id); err != nil {
			return false, err
		}
		if err := c.SetMeta(payoutTxnKey(account, id, t.id), ""); err != nil {
			return false, err
		}
	}
	return true, nil
}

// payoutTxns are the balance transactions an automatic payout paid out,
// its own among them.
func payoutTxns(tx *store.Tx, account, payout string) map[string]bool {
	out := map[string]bool{}
	prefix := payoutTxnKey(account, payout, "")
	tx.ScanMeta(prefix, func(name, _ string) bool {
		out[strings.TrimPrefix(name, prefix)] = true
		return true
	})
	return out
}

// AutomaticPayoutOf is the automatic payout that paid a balance
// transaction of account out, if one did (reports show it).
func AutomaticPayoutOf(tx *store.Tx, account, txn string) (string, bool) {
	return tx.GetMeta(paidOutKey(account, txn))
}
