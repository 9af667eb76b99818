package payments

import (
	"strconv"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	currencies "github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/accounts"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Manual payouts (po_…): money an account sends from its available balance
// to one of its bank accounts. A payout debits the balance at once; it is
// pending until submitted to the bank an hour later (or at its arrival
// date, if sooner), then in transit until its arrival date: the start of
// the next day (UTC), as in Stripe's test mode examples. It is then paid,
// or failed as its test bank account decides, the money given back.
// Automatic payouts, made on the account's payout schedule, are in
// autopayouts.go.

// PayoutKind is the payout object.
var PayoutKind = &api.Kind{
	Object: "payout",
	Prefix: "po_",
	Expandable: []string{"application_fee", "balance_transaction", "destination", "failure_balance_transaction",
		"original_payout", "reversed_by"},
	Indexes: []store.Index{{Name: "destination", Path: "destination"}},
}

func payoutRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/payouts", params.FromStruct(stripe.PayoutCreateParams{}).Require("amount", "currency").Enum("method", "standard", "instant").Enum("source_type", "bank_account", "card", "fpx"), createPayout),
		api.GET("/v1/payouts", params.FromStruct(stripe.PayoutListParams{}), listPayouts),
		api.GET("/v1/payouts/{id}", params.FromStruct(stripe.PayoutRetrieveParams{}), retrievePayout),
		api.POST("/v1/payouts/{id}", params.FromStruct(stripe.PayoutUpdateParams{}), updatePayout),
		api.POST("/v1/payouts/{id}/cancel", params.FromStruct(stripe.PayoutCancelParams{}), cancelPayout),
		api.POST("/v1/payouts/{payout}/reverse", params.FromStruct(stripe.PayoutReverseParams{}), reversePayout),
	}
}

// payoutInsufficient is Stripe's refusal of a payout the available balance
// of its source type cannot cover (transfers have a refusal of their own).
func payoutInsufficient(sourceType string) error {
	// Stripe's words name the card balance; a bank_account one's wording
	// is the emulator's guess.
	balance := map[string]string{"card": "card", "bank_account": "bank account"}[sourceType]
	return apierr.InvalidRequest("You have insufficient funds in your Stripe account for this transfer. Your %s balance is too low.  You can use the /v1/balance endpoint to view your Stripe balance (for more details, see stripe.com/docs/api#balance).", balance).WithCode("balance_insufficient")
}

// submitDelay is how long a payout stays pending (cancelable) before it
// is submitted to the bank.
const submitDelay = 3600

// payoutFailureMessages are Stripe's explanations of the failure codes
// its test bank accounts produce.
var payoutFailureMessages = map[string]string{
	"no_account":           "The bank account details on file are probably incorrect. No bank account could be located with those details.",
	"account_closed":       "The bank account has been closed.",
	"insufficient_funds":   "Your Stripe account has insufficient funds to cover the payout.",
	"debit_not_authorized": "Debit transactions are not approved on the bank account. (Stripe requires bank accounts to be set up for both credit and debit payouts.)",
	"invalid_currency":     "The bank was unable to process this payout because of its currency. This is probably because the bank account cannot accept payments in that currency.",
}

// payoutLengths are the longest strings Stripe's OpenAPI spec lets a
// payout take: longer ones are refused as any over-long string is.
var payoutLengths = []api.MaxLength{{Path: "description", Limit: 5000}, {Path: "statement_descriptor", Limit: 22}}

func createPayout(c *api.Call) (any, error) {
	if err := c.CheckLengths(payoutLengths...); err != nil {
		return nil, err
	}
	sourceType := drawnSourceType(c)
	amount, currency, err := moneyParams(c)
	if err != nil {
		return nil, err
	}
	// An unknown currency is refused as such before any bank account is
	// looked for in it.
	if !currencies.Supported(currency) {
		return nil, currencies.Invalid(currency, "currency")
	}
	if c.Connected {
		// A connected account pays out only while Stripe lets it: not
		// before onboarding completes, nor once rejected.
		if acct, ok := c.Tx.Get(c.Platform, "account", c.Account); ok && !api.Bool(acct["payouts_enabled"]) {
			return nil, apierr.InvalidRequest("Payouts have been disabled on the connected account %s: its payouts_enabled is false.", c.Account).WithCode("payouts_not_allowed")
		}
		// Stripe pays a connected account on an automatic schedule itself
		// and refuses standard payouts made through the API (its error
		// code; the wording is the emulator's).
		if schedule := accounts.Schedule(c.Tx, c.Platform, c.Account); accounts.Automatic(schedule) {
			return nil, apierr.InvalidRequest("You cannot create standard payouts through the API for the connected account %s: it is on an automatic payout schedule (settings[payouts][schedule][interval] is %s). Set its interval to manual to create payouts yourself.", c.Account, schedule["interval"]).WithCode("cannot_create_connect_standard_payouts_through_api")
		}
	}
	var dest store.Obj
	if id, _ := c.Params.Str("destination"); id != "" {
		o, ok := c.Tx.Get(c.Account, "bank_account", id)
		if !ok {
			return nil, apierr.NoSuchObject("external account", id, "destination")
		}
		if o["currency"] != currency {
			return nil, apierr.InvalidRequest("The currency of the destination bank account (%s) does not match the currency of the payout (%s).", o["currency"], currency).WithParam("currency")
		}
		dest = o
	} else {
		o, ok := accounts.DefaultBankAccount(c.Tx, c.Account, currency)
		if !ok {
			return nil, apierr.InvalidRequest("Sorry, you don't have any external accounts in that currency (%s).", currency).WithParam("currency")
		}
		dest = o
	}
	if m, _ := c.Params.Str("method"); m == "instant" {
		// Instant Payouts need a debit card or a bank account that
		// supports them; the emulator's bank accounts support standard
		// payouts only (their available_payout_methods).
		return nil, apierr.InvalidRequest("The destination %s does not support Instant Payouts: its available_payout_methods are standard only.", dest["id"]).WithParam("method").WithCode("instant_payouts_unsupported")
	}
	var descriptor any
	if s, _ := c.Params.Str("statement_descriptor"); s != "" {
		descriptor = s
	}
	var description any
	if s, _ := c.Params.Str("description"); s != "" {
		description = s
	}
	if balanceSums(c, c.Account)[currency].of(sourceType).available < amount {
		return nil, payoutInsufficient(sourceType)
	}
	metadata, err := requestMetadata(c)
	if err != nil {
		return nil, err
	}
	po, _, err := putPayout(c, c.Account, payoutDraft{amount: amount, currency: currency, description: description,
		destination: dest["id"], sourceType: sourceType, metadata: metadata, descriptor: descriptor,
		reconciliation: "not_applicable"})
	return po, err
}

// payoutDraft is what tells payouts apart: the manual ones an account
// makes and the automatic ones its schedule makes.
type payoutDraft struct {
	amount                               int64
	currency, sourceType, reconciliation string
	description, destination, descriptor any
	metadata                             store.Obj
	automatic                            bool
}

// putPayout stores a payout of account leaving its balance now: its payout
// balance transaction, and the payout, pending, to arrive at the next
// day's start and be submitted to the bank on the clock (payoutKey).
func putPayout(c *api.Call, account string, d payoutDraft) (po, txn store.Obj, err error) {
	id := c.NewID("payout")
	arrival := (c.Now/86400 + 1) * 86400
	txn, err = putBalanceTransaction(c, store.Obj{
		"amount": -d.amount, "available_on": arrival, "currency": d.currency, "description": d.description,
		"exchange_rate": nil, "fee": int64(0), "fee_details": []any{}, "balance_type": "payments", "net": -d.amount,
		"reporting_category": "payout", "source": id, "status": "available", "type": "payout",
	})
	if err != nil {
		return nil, nil, err
	}
	po = c.Object("payout", id, store.Obj{
		"amount": d.amount, "application_fee": nil, "application_fee_amount": nil, "arrival_date": arrival,
		"automatic": d.automatic, "balance_transaction": txn["id"], "currency": d.currency, "description": d.description,
		"destination": d.destination, "failure_balance_transaction": nil, "failure_code": nil, "failure_message": nil,
		"metadata": d.metadata, "method": "standard", "original_payout": nil, "payout_method": nil,
		"reconciliation_status": d.reconciliation, "reversed_by": nil, "source_type": d.sourceType,
		"statement_descriptor": d.descriptor, "status": "pending",
		"trace_id": store.Obj{"status": "pending", "value": nil}, "type": "bank_account",
	})
	if err := c.Insert(po); err != nil {
		return nil, nil, err
	}
	return po, txn, c.SetMeta(payoutKey(account, id), strconv.FormatInt(min(c.Now+submitDelay, arrival), 10))
}

func listPayouts(c *api.Call) (any, error) {
	q, err := c.ListQuery("payout")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "destination")
	if s, _ := c.Params.Str("status"); s != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["status"] == s })
	}
	arrival, err := c.RangeFilter("arrival_date")
	if err != nil {
		return nil, err
	}
	if arrival != nil {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return arrival(api.Int(o["arrival_date"])) })
	}
	return c.Page("payout", "/v1/payouts", q), nil
}

func retrievePayout(c *api.Call) (any, error) {
	return c.Retrieve("payout", c.Var("id"))
}

func updatePayout(c *api.Call) (any, error) { return c.UpdateFields("payout") }

func cancelPayout(c *api.Call) (any, error) {
	before, err := c.Load("payout", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if api.Bool(before["automatic"]) {
		// Stripe's API reference: automatic payouts cannot be canceled
		// (the wording is the emulator's).
		return nil, apierr.InvalidRequest("Payout %s is an automatic payout: automatic payouts cannot be canceled.", before["id"])
	}
	if before["status"] != "pending" {
		// Stripe's words, as its client libraries' tests quote them.
		return nil, apierr.InvalidRequest("Payouts can only be canceled while they are pending.")
	}
	c.Tx.DeleteMeta(payoutKey(c.Account, api.Str(before["id"])))
	after, err := givePayoutBack(c, before, "payout_cancel")
	if err != nil {
		return nil, err
	}
	after["status"] = "canceled"
	after["trace_id"] = store.Obj{"status": "unsupported", "value": nil}
	return after, c.PutEmit(after, "payout.canceled", nil)
}

// Payout reversals: what Stripe documents of them (connect/payout-reversals,
// and the reverse endpoint's description).
const (
	// reversalWindow is how long after its arrival date a payout can
	// still be reversed (90 days).
	reversalWindow = 90 * 86400
	// reversalDelayDays is when a reversal's money can be paid out again:
	// "five business days after the reversal is requested" (Stripe's
	// support page on payout reversals; business days are not emulated).
	reversalDelayDays = 5
)

// reversalCountries are where the bank accounts of reversible payouts
// are: the API reference says the US, the Connect guide the US or Canada.
var reversalCountries = map[string]bool{"US": true, "CA": true}

// reversePayout takes a payout to a connected account's bank account back
// by debiting that account, once the payout was submitted to the bank (in
// transit or paid: Stripe's reference sends a pending one to cancel, and
// its support page counts the 90 days from submission): a new payout, the
// reversal (a debit: a negative amount, its original_payout the payout
// reversed), which moves on the clock as payouts do (payout.created, then
// payout.updated and payout.paid, or payout.failed as the test bank
// account decides) and whose money can be paid out again five days after
// the request; the original shows it in reversed_by (payout.updated). A
// reversal still pending when the payout it reverses fails is canceled
// (cancelReversal).
func reversePayout(c *api.Call) (any, error) {
	before, err := c.Load("payout", c.Var("payout"), "id")
	if err != nil {
		return nil, err
	}
	id := api.Str(before["id"])
	switch {
	case before["status"] == "pending" && api.Bool(before["automatic"]):
		return nil, apierr.InvalidRequest("Payout %s is pending: a payout can be reversed once it has been submitted to the bank.", id)
	case before["status"] == "pending":
		return nil, apierr.InvalidRequest("Payout %s is pending: a pending payout is canceled (POST /v1/payouts/%s/cancel), not reversed.", id, id)
	case !c.Connected:
		return nil, apierr.InvalidRequest("You can only reverse payouts of connected accounts: payout %s is of your own account.", id)
	case before["reversed_by"] != nil:
		return nil, apierr.InvalidRequest("Payout %s has already been reversed.", id)
	case before["original_payout"] != nil || api.Int(before["amount"]) < 0:
		return nil, apierr.InvalidRequest("Payout %s is a debit and cannot be reversed.", id)
	case before["method"] == "instant":
		return nil, apierr.InvalidRequest("Payout %s is an Instant Payout and cannot be reversed.", id)
	case before["status"] != "paid" && before["status"] != "in_transit":
		return nil, apierr.InvalidRequest("Payout %s cannot be reversed because its status is %s: only payouts in transit or paid can be reversed.", id, before["status"])
	case c.Now-api.Int(before["arrival_date"]) >= reversalWindow:
		return nil, apierr.InvalidRequest("Payout %s arrived more than 90 days ago and can no longer be reversed.", id)
	}
	ba, ok := c.Tx.Get(c.Account, "bank_account", api.Str(before["destination"]))
	if !ok {
		return nil, apierr.InvalidRequest("Payout %s was not paid to a bank account and cannot be reversed.", id)
	}
	if !reversalCountries[api.Str(ba["country"])] {
		return nil, apierr.InvalidRequest("Payout %s cannot be reversed: only payouts to bank accounts in the US or Canada can be, and %s is in %s.", id, ba["id"], ba["country"])
	}
	metadata, err := requestMetadata(c)
	if err != nil {
		return nil, err
	}
	amount := api.Int(before["amount"])
	revID := c.NewID("payout")
	arrival := (c.Now/86400 + 1) * 86400
	txn, err := putBalanceTransaction(c, store.Obj{
		"amount": amount, "available_on": fundsAvailableOn(c.Now, reversalDelayDays), "currency": before["currency"], "description": before["description"],
		"exchange_rate": nil, "fee": int64(0), "fee_details": []any{}, "balance_type": "payments", "net": amount,
		"reporting_category": "payout_reversal", "source": revID, "status": "pending", "type": "payout",
	})
	if err != nil {
		return nil, err
	}
	fields := api.Clone(before)
	for k, v := range map[string]any{
		"amount": -amount, "arrival_date": arrival, "balance_transaction": txn["id"], "failure_balance_transaction": nil,
		"failure_code": nil, "failure_message": nil, "metadata": metadata, "original_payout": id, "reversed_by": nil,
		"status": "pending", "trace_id": store.Obj{"status": "pending", "value": nil},
	} {
		fields[k] = v
	}
	rev := c.Object("payout", revID, fields)
	if err := c.Insert(rev); err != nil {
		return nil, err
	}
	after := api.Clone(before)
	after["reversed_by"] = revID
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	return rev, c.Tx.SetMeta(payoutKey(c.Account, revID), strconv.FormatInt(min(c.Now+submitDelay, arrival), 10))
}

// givePayoutBack credits the balance with what the payout took (a
// payout_cancel or payout_failure balance transaction), returning the
// payout (not yet stored) that names it. A reversal's money is not in the
// balance yet while its own transaction is pending: what undoes it waits
// with it, until the same available_on.
func givePayoutBack(c *api.Call, before store.Obj, typ string) (store.Obj, error) {
	amount := api.Int(before["amount"])
	status, availableOn := "available", c.Now
	if before["original_payout"] != nil {
		if f, ok := c.Tx.Fields(c.Account, "balance_transaction", api.Str(before["balance_transaction"]), "status", "available_on"); ok && f[0].String() == "pending" {
			status, availableOn = "pending", f[1].Int()
		}
	}
	description := before["description"]
	if typ == "payout_failure" {
		// Stripe's words, as its failed payouts' transactions show them
		// (a canceled payout's are not seen: it keeps the payout's).
		description = "REFUND FOR PAYOUT"
		if d := api.Str(before["description"]); d != "" {
			description = "REFUND FOR PAYOUT (" + d + ")"
		}
	}
	txn, err := putBalanceTransaction(c, store.Obj{
		"amount": amount, "available_on": availableOn, "currency": before["currency"], "description": description,
		"exchange_rate": nil, "fee": int64(0), "fee_details": []any{}, "balance_type": "payments", "net": amount,
		"reporting_category": "payout_reversal", "source": before["id"], "status": status, "type": typ,
	})
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	after["failure_balance_transaction"] = txn["id"]
	return after, nil
}

// payoutKey schedules a payout's next step (its value: when).
func payoutKey(account, id string) string { return "payout:" + account + ":" + id }

// payoutTimer moves payouts on the clock: submitted to the bank, then
// paid or failed on their arrival date.
var payoutTimer = metaTimer("payout", payoutKey, payoutWork)

func payoutWork(account, id string, at int64) api.Due {
	return api.Due{At: at, Account: account, About: store.Ref{Type: "payout", ID: id}, Kind: "payout", Run: func(c *api.Call) error {
		key := payoutKey(account, id)
		before, ok := c.Tx.Get(account, "payout", id)
		if !ok {
			c.Tx.DeleteMeta(key)
			return nil
		}
		switch before["status"] {
		case "pending":
			if reversalOfFailed(c, before) {
				c.Tx.DeleteMeta(key)
				return cancelReversal(c, before)
			}
			after := api.Clone(before)
			after["status"] = "in_transit"
			if err := c.Tx.SetMeta(key, strconv.FormatInt(api.Int(before["arrival_date"]), 10)); err != nil {
				return err
			}
			if before["reconciliation_status"] != "in_progress" {
				return c.Save(before, after)
			}
			// An automatic payout's transactions are settled by the time
			// it goes to the bank (Stripe's example: in transit, completed).
			after["reconciliation_status"] = "completed"
			if err := c.Save(before, after); err != nil {
				return err
			}
			c.Emit("payout.reconciliation_completed", after, nil)
			return nil
		case "in_transit":
			c.Tx.DeleteMeta(key)
			code := accounts.PayoutFailure(c.Tx, account, api.Str(before["destination"]))
			if code == "" {
				after := api.Clone(before)
				after["status"] = "paid"
				after["trace_id"] = store.Obj{"status": "unsupported", "value": nil}
				return c.PutEmit(after, "payout.paid", nil)
			}
			after, err := givePayoutBack(c, before, "payout_failure")
			if err != nil {
				return err
			}
			after["status"] = "failed"
			after["failure_code"], after["failure_message"] = code, payoutFailureMessages[code]
			after["trace_id"] = store.Obj{"status": "unsupported", "value": nil}
			if err := c.PutEmit(after, "payout.failed", nil); err != nil {
				return err
			}
			if err := accounts.MarkErrored(c, account, api.Str(before["destination"])); err != nil {
				return err
			}
			// Stripe cancels a reversal still pending when the payout it
			// reverses fails.
			if rev, ok := c.Tx.Get(account, "payout", api.Str(before["reversed_by"])); ok && rev["status"] == "pending" {
				c.Tx.DeleteMeta(payoutKey(account, api.Str(rev["id"])))
				return cancelReversal(c, rev)
			}
			return nil
		}
		c.Tx.DeleteMeta(key)
		return nil
	}}
}

// reversalOfFailed says whether a payout is a reversal of a payout that
// failed.
func reversalOfFailed(c *api.Call, po store.Obj) bool {
	if po["original_payout"] == nil {
		return false
	}
	f, ok := c.Tx.Fields(c.Account, "payout", api.Str(po["original_payout"]), "status")
	return ok && f[0].String() == "failed"
}

// cancelReversal cancels a pending reversal (payout.canceled), its debit
// never made: a payout_cancel transaction undoes its own.
func cancelReversal(c *api.Call, before store.Obj) error {
	after, err := givePayoutBack(c, before, "payout_cancel")
	if err != nil {
		return err
	}
	after["status"] = "canceled"
	after["trace_id"] = store.Obj{"status": "unsupported", "value": nil}
	return c.PutEmit(after, "payout.canceled", nil)
}
