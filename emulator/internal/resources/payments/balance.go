package payments

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// BalanceTransactionKind is the balance_transaction object.
var BalanceTransactionKind = &api.Kind{
	Object:     "balance_transaction",
	Prefix:     "txn_",
	Expandable: []string{"source"},
	// Only source is indexed: it picks one or two transactions among
	// thousands, while every payment would pay for type and currency
	// entries that a newest-first page finds soon enough by scanning.
	Indexes: []store.Index{{Name: "source", Path: "source"}},
}

// balanceTransactionTypes are the values of a balance transaction's type
// (the list's type filter takes any of them).
var balanceTransactionTypes = []string{
	"adjustment", "advance", "advance_funding", "anticipation_repayment", "application_fee", "application_fee_refund",
	"charge", "climate_order_purchase", "climate_order_refund", "connect_collection_transfer", "contribution",
	"issuing_authorization_hold", "issuing_authorization_release", "issuing_dispute", "issuing_transaction",
	"obligation_outbound", "obligation_reversal_inbound", "payment", "payment_failure_refund",
	"payment_network_reserve_hold", "payment_network_reserve_release", "payment_refund", "payment_reversal",
	"payment_unreconciled", "payout", "payout_cancel", "payout_failure", "payout_minimum_balance_hold",
	"payout_minimum_balance_release", "refund", "refund_failure", "reserve_transaction", "reserved_funds",
	"stripe_fee", "stripe_fx_fee", "stripe_balance_payment_debit", "stripe_balance_payment_debit_reversal", "tax_fee",
	"topup", "topup_reversal", "transfer", "transfer_cancel", "transfer_failure", "transfer_refund",
}

func balanceRoutes() []api.Route {
	return []api.Route{
		api.GET("/v1/balance", params.FromStruct(stripe.BalanceRetrieveParams{}), retrieveBalance),
		api.GET("/v1/balance_transactions", params.FromStruct(stripe.BalanceTransactionListParams{}).Enum("type", balanceTransactionTypes...), listBalanceTransactions),
		api.GET("/v1/balance_transactions/{id}", params.FromStruct(stripe.BalanceTransactionRetrieveParams{}), retrieveBalanceTransaction),
	}
}

// PayoutDelayDays is how many days a top-up's funds stay pending (Stripe's
// standard delay for US accounts).
const PayoutDelayDays = 2

// fundsAvailableOn is when funds that came in at now become available:
// midnight UTC that many days after the day they came in, as Stripe's
// available_on always falls on a day's start.
func fundsAvailableOn(now, delayDays int64) int64 {
	return (now/86400 + delayDays) * 86400
}

// putBalanceTransaction stores a new balance transaction (fields are its
// own: amount, fee, status…); a pending one is scheduled to become
// available when the clock reaches its available_on.
func putBalanceTransaction(c *api.Call, fields store.Obj) (store.Obj, error) {
	return putBalanceTransactionIn(c, c.Account, fields)
}

// putBalanceTransactionIn is putBalanceTransaction in another account
// (Connect moves money between accounts).
func putBalanceTransactionIn(c *api.Call, account string, fields store.Obj) (store.Obj, error) {
	txn := c.Object("balance_transaction", c.NewID("balance_transaction"), fields)
	delete(txn, "livemode") // Stripe's balance transactions have none
	if err := c.PutIn(account, txn); err != nil {
		return nil, err
	}
	if txn["status"] == "pending" {
		if err := c.SetMeta(availableKey(api.Int(txn["available_on"]), account, api.Str(txn["id"])), ""); err != nil {
			return nil, err
		}
	} else if api.Int(txn["net"]) > 0 && txn["type"] != "payout_failure" {
		// A failed payout's money is not sent straight back to the bank
		// account that failed: it goes with the next funds that come in,
		// or once a bank account is added.
		if err := expectPayout(c, account, c.Now+1); err != nil {
			return nil, err
		}
	}
	return txn, nil
}

// availableKey schedules a pending balance transaction: keys sort by time
// (fixed width), so a clock tick reads only what is due.
func availableKey(at int64, acct, txn string) string {
	return fmt.Sprintf("available:%012d:%s:%s", at, acct, txn)
}

// availableTimer makes pending balance transactions available when their
// available_on comes, telling the account with balance.available.
var availableTimer = api.Timer{
	Due: func(_ *api.Env, tx *store.Tx, account string, target int64) []api.Due {
		var out []api.Due
		last := int64(-1)
		scanAvailable(tx, target, func(s availableSlot) bool {
			if s.account == account && s.at != last {
				out = append(out, availableWork(account, s.at))
				last = s.at
			}
			return true
		})
		return out
	},
	Watch: []string{"balance_transaction"},
	DueOf: func(_ *api.Env, tx *store.Tx, account string, ref store.Ref, target int64) []api.Due {
		f, ok := tx.Fields(account, "balance_transaction", ref.ID, "status", "available_on")
		if !ok {
			// Written in another account (Connect funds reaching a
			// connected account): its schedule names the account.
			return pendingElsewhere(tx, ref.ID, target)
		}
		if f[0].String() != "pending" || f[1].Int() > target {
			return nil
		}
		return []api.Due{availableWork(account, f[1].Int())}
	},
}

// pendingElsewhere finds the schedule of a pending balance transaction
// by its id alone.
func pendingElsewhere(tx *store.Tx, txn string, target int64) []api.Due {
	var out []api.Due
	scanAvailable(tx, target, func(s availableSlot) bool {
		if s.txn == txn {
			out = append(out, availableWork(s.account, s.at))
			return false
		}
		return true
	})
	return out
}

// availableSlot is one pending balance transaction's schedule entry.
type availableSlot struct {
	key, account, txn string
	at                int64
}

// scanAvailable walks the schedule of pending balance transactions due by
// target, earliest first, until fn returns false.
func scanAvailable(tx *store.Tx, target int64, fn func(availableSlot) bool) {
	tx.ScanMeta("available:", func(name, _ string) bool {
		parts := strings.SplitN(name, ":", 4)
		if len(parts) != 4 {
			return true
		}
		at, _ := strconv.ParseInt(parts[1], 10, 64)
		if at > target {
			return false // the rest are later still
		}
		return fn(availableSlot{key: name, account: parts[2], txn: parts[3], at: at})
	})
}

// availableWork makes available, at its time, every pending balance
// transaction of the account due by then: one balance.available for all
// that became available together.
func availableWork(account string, at int64) api.Due {
	return api.Due{At: at, Account: account, Kind: "balance_available", Run: func(c *api.Call) error {
		var keys, txns []string
		scanAvailable(c.Tx, c.Now, func(s availableSlot) bool {
			if s.account == account {
				keys, txns = append(keys, s.key), append(txns, s.txn)
			}
			return true
		})
		grew := false
		for i, key := range keys {
			c.Tx.DeleteMeta(key)
			before, ok := c.Tx.Get(account, "balance_transaction", txns[i])
			if !ok || before["status"] != "pending" {
				continue
			}
			after := api.Clone(before)
			after["status"] = "available"
			if err := c.Put(after); err != nil {
				return err
			}
			grew = grew || api.Int(after["net"]) > 0
		}
		if grew {
			// Funds available at a payout day's start go out that day.
			if err := expectPayout(c, account, at); err != nil {
				return err
			}
			// Stripe sends no balance.available for negative transactions.
			c.Emit("balance.available", balanceOf(c), nil)
		}
		return nil
	}}
}

func retrieveBalance(c *api.Call) (any, error) {
	return balanceOf(c), nil
}

// sums is one currency of an account's balance, or one source type's
// part of it.
type sums struct{ available, pending int64 }

// currencySums is one currency of an account's balance by source type:
// card (every payment, as Stripe counts cards and non-legacy bank debits)
// and bank_account (top-ups, and what payouts and transfers drawing on
// them take).
type currencySums struct {
	sums
	card, bankAccount sums
}

// of is the part of the balance a payout or transfer with source_type
// draws from.
func (s *currencySums) of(sourceType string) sums {
	if s == nil {
		return sums{}
	}
	if sourceType == "bank_account" {
		return s.bankAccount
	}
	return s.card
}

// metaTopupFunds marks an account that has had top-up funds: only then
// are its balance transactions told apart by source type.
func metaTopupFunds(acct string) string { return "topupfunds:" + acct }

// balanceSums is the net of an account's balance transactions by
// currency, available or still pending, and by source type.
func balanceSums(c *api.Call, account string) map[string]*currencySums {
	totals := map[string]*currencySums{}
	_, split := c.Tx.GetMeta(metaTopupFunds(account))
	c.Tx.EachRaw(account, "balance_transaction", func(raw string) bool {
		f := store.Pick(raw, "currency", "status", "net", "type", "source", "balance_type")
		if f[5].String() == "issuing" {
			return true // the Issuing balance is apart (issuingSums)
		}
		s := totals[f[0].String()]
		if s == nil {
			s = &currencySums{}
			totals[f[0].String()] = s
		}
		part := &s.card
		if split && bankAccountFunds(c, account, f[3].String(), f[4].String()) {
			part = &s.bankAccount
		}
		if f[1].String() == "available" {
			s.available += f[2].Int()
			part.available += f[2].Int()
		} else {
			s.pending += f[2].Int()
			part.pending += f[2].Int()
		}
		return true
	})
	return totals
}

// metaIssuingFunds marks an account that has had Issuing funds: only
// then has it an Issuing balance to sum.
func metaIssuingFunds(acct string) string { return "issuingfunds:" + acct }

// putIssuingBalanceTransaction stores money moving in the account's
// Issuing balance (fields: amount, currency, description, type,
// reporting_category, source): available at once, with no fee, apart
// from the payments balance (balance_type issuing).
func putIssuingBalanceTransaction(c *api.Call, fields store.Obj) (store.Obj, error) {
	fields["available_on"], fields["balance_type"], fields["status"] = c.Now, "issuing", "available"
	fields["exchange_rate"], fields["fee"], fields["fee_details"], fields["net"] = nil, int64(0), []any{}, fields["amount"]
	txn := c.Object("balance_transaction", c.NewID("balance_transaction"), fields)
	delete(txn, "livemode") // Stripe's balance transactions have none
	if err := c.Put(txn); err != nil {
		return nil, err
	}
	return txn, c.Tx.SetMeta(metaIssuingFunds(c.Account), "1")
}

// issuingSums is the account's Issuing balance by currency (every Issuing
// balance transaction is available at once), nil when it has none.
func issuingSums(c *api.Call, account string) map[string]int64 {
	if _, ok := c.Tx.GetMeta(metaIssuingFunds(account)); !ok {
		return nil // spares every other account's balance a second scan
	}
	var out map[string]int64
	c.Tx.EachRaw(account, "balance_transaction", func(raw string) bool {
		f := store.Pick(raw, "balance_type", "currency", "net")
		if f[0].String() != "issuing" {
			return true
		}
		if out == nil {
			out = map[string]int64{}
		}
		out[f[1].String()] += f[2].Int()
		return true
	})
	return out
}

// bankAccountFunds says whether a balance transaction (its type and
// source) moves bank_account funds: a top-up's, or a payout's or
// transfer's (and what gives them back) made with source_type
// bank_account.
func bankAccountFunds(c *api.Call, account, typ, source string) bool {
	sourceType := func(object, id string) bool {
		f, ok := c.Tx.Fields(account, object, id, "source_type")
		return ok && f[0].String() == "bank_account"
	}
	switch typ {
	case "topup", "topup_reversal":
		return true
	case "payout", "payout_cancel", "payout_failure":
		return sourceType("payout", source)
	case "transfer":
		return sourceType("transfer", source)
	case "transfer_refund":
		f, ok := c.Tx.Fields(account, "transfer_reversal", source, "transfer")
		return ok && sourceType("transfer", f[0].String())
	}
	return false
}

// balanceOf is the balance of the account in scope: the net of its
// balance transactions by currency, available or still pending, with
// the part of each from top-ups under source_types.bank_account and the
// rest under card (Stripe counts cards and non-legacy bank debits alike
// as card). A currency is settled as it was charged (no conversion): as
// for an account with a bank account in each currency.
func balanceOf(c *api.Call) store.Obj {
	totals := balanceSums(c, c.Account)
	currency := "usd"
	if f, ok := c.Tx.Fields(c.Platform, "account", c.Account, "default_currency"); ok && f[0].String() != "" {
		currency = f[0].String()
	}
	if totals[currency] == nil {
		totals[currency] = &currencySums{}
	}
	currencies := make([]string, 0, len(totals))
	for cur := range totals {
		currencies = append(currencies, cur)
	}
	sort.Strings(currencies)
	amounts := func(pick func(sums) int64) []any {
		out := make([]any, len(currencies))
		for i, cur := range currencies {
			s := totals[cur]
			types := store.Obj{"card": pick(s.card)}
			if n := pick(s.bankAccount); n != 0 {
				types["bank_account"] = n
			}
			out[i] = store.Obj{"amount": pick(s.sums), "currency": cur, "source_types": types}
		}
		return out
	}
	b := store.Obj{
		"object": "balance", "livemode": false,
		"available": amounts(func(s sums) int64 { return s.available }),
		"pending":   amounts(func(s sums) int64 { return s.pending }),
	}
	if issuing := issuingSums(c, c.Account); issuing != nil {
		// Shown once the account has had Issuing funds, as Stripe shows
		// it for accounts with Issuing.
		curs := make([]string, 0, len(issuing))
		for cur := range issuing {
			curs = append(curs, cur)
		}
		sort.Strings(curs)
		available := make([]any, len(curs))
		for i, cur := range curs {
			available[i] = store.Obj{"amount": issuing[cur], "currency": cur}
		}
		b["issuing"] = store.Obj{"available": available}
	}
	if !c.Connected {
		// Funds held for connected accounts' negative balances: a
		// platform's, always zero here (Stripe's reserves for connected
		// accounts a reversal leaves negative are not emulated).
		reserved := make([]any, len(currencies))
		for i, cur := range currencies {
			reserved[i] = store.Obj{"amount": int64(0), "currency": cur}
		}
		b["connect_reserved"] = reserved
	}
	return b
}

func listBalanceTransactions(c *api.Call) (any, error) {
	q, err := c.ListQuery("balance_transaction")
	if err != nil {
		return nil, err
	}
	if po, _ := c.Params.Str("payout"); po != "" {
		// Only automatic payouts list what they paid out: a manual one's
		// amount is the caller's, paying out no transactions in particular.
		f, ok := c.Tx.Fields(c.Account, "payout", po, "automatic")
		if !ok {
			return nil, apierr.NoSuchObject("payout", po, "payout")
		}
		if !f[0].Bool() {
			return nil, apierr.InvalidRequest("Balance transaction history can only be filtered on automatic transfers, not manual.").WithParam("payout")
		}
		paid := payoutTxns(c.Tx, c.Account, po)
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return paid[api.Str(o["id"])] })
	}
	q = api.IndexedFilters(c, q, "source")
	if v, _ := c.Params.Str("type"); v != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Str(o["type"]) == v })
	}
	// Stripe takes a currency in any case, storing it lowercase.
	if v, _ := c.Params.Str("currency"); v != "" {
		v = strings.ToLower(v)
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Str(o["currency"]) == v })
	}
	return c.Page("balance_transaction", "/v1/balance_transactions", q), nil
}

func retrieveBalanceTransaction(c *api.Call) (any, error) {
	return c.Load("balance_transaction", c.Var("id"), "id")
}
