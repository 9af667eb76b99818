package payments

import (
	"strconv"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/accounts"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Top-ups (tu_…): money an account adds to its Stripe balance by debiting
// one of its bank accounts (the default one for the currency, or a test
// bank token given as source). A top-up is pending while the debit is
// made, which Stripe's test banks do in minutes (SettleDelay); it then
// succeeds, its funds a pending balance transaction of type topup that
// becomes available at its expected_availability_date (Stripe's standard
// schedule, as for a charge's funds), or fails as its test bank account
// decides. It can be canceled while pending. Stripe reverses a top-up only
// from the Dashboard or when the bank returns the debit late, neither of
// which the API or its test bank accounts can cause, so no top-up is ever
// reversed here.

// TopupKind is the topup object.
var TopupKind = &api.Kind{
	Object:     "topup",
	Prefix:     "tu_",
	Expandable: []string{"balance_transaction"},
}

// topupStatuses are the statuses a top-up list can be filtered on.
var topupStatuses = []string{"canceled", "failed", "pending", "succeeded"}

func topupRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/topups", params.FromStruct(stripe.TopupCreateParams{}).Require("amount", "currency").
			// Not in stripe-go's params (AddExtra sends it): the balance
			// the funds go to, Issuing's for a top-up that funds cards.
			With("destination_balance", params.String()).Enum("destination_balance", "issuing", "payments"), createTopup),
		api.GET("/v1/topups", params.FromStruct(stripe.TopupListParams{}).Enum("status", topupStatuses...), listTopups),
		api.GET("/v1/topups/{id}", params.FromStruct(stripe.TopupRetrieveParams{}), retrieveTopup),
		api.POST("/v1/topups/{id}", params.FromStruct(stripe.TopupUpdateParams{}), updateTopup),
		api.POST("/v1/topups/{id}/cancel", params.FromStruct(stripe.TopupCancelParams{}), cancelTopup),
	}
}

// topupLengths are the longest strings Stripe's OpenAPI spec lets a top-up
// take (its statement_descriptor: "Limited to 15 ASCII characters"):
// longer ones are refused as any over-long string is, before the source
// is looked up.
var topupLengths = []api.MaxLength{{Path: "description", Limit: 5000}, {Path: "source", Limit: 5000},
	{Path: "statement_descriptor", Limit: 15}}

// topupFailureMessages explain the failure codes of Stripe's test bank
// accounts, for a top-up (a debit of the account).
var topupFailureMessages = map[string]string{
	"no_account":           "The bank account details on file are probably incorrect. No bank account could be located with those details.",
	"account_closed":       "The bank account has been closed.",
	"insufficient_funds":   "The bank account has insufficient funds to cover the top-up.",
	"debit_not_authorized": "Debit transactions are not approved on the bank account.",
	"invalid_currency":     "The bank was unable to process this top-up because of its currency.",
}

// topupKey schedules the end of a pending top-up's debit (its value: when).
func topupKey(account, id string) string { return "topup:" + account + ":" + id }

// topupIssuingKey marks a top-up made with destination_balance=issuing.
func topupIssuingKey(account, id string) string { return "topupissuing:" + account + ":" + id }

// topupFailureKey holds how a pending top-up's debit ends when it fails:
// its bank account's failure code.
func topupFailureKey(account, id string) string { return "topupfailure:" + account + ":" + id }

func createTopup(c *api.Call) (any, error) {
	if err := c.CheckLengths(topupLengths...); err != nil {
		return nil, err
	}
	amount, cur, err := moneyParams(c)
	if err != nil {
		return nil, err
	}
	// Stripe's ceiling on an amount; it also keeps the balance from overflowing.
	if amount > 99999999 {
		return nil, apierr.InvalidRequest("Amount must be no more than 99999999").WithParam("amount").WithCode("amount_too_large")
	}
	if !currency.Supported(cur) {
		return nil, currency.Invalid(cur, "currency")
	}
	failure, err := topupSource(c, cur)
	if err != nil {
		return nil, err
	}
	var descriptor any
	if s, _ := c.Params.Str("statement_descriptor"); s != "" {
		if !strings.ContainsFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) {
			return nil, apierr.InvalidRequest("The statement descriptor of a top-up must contain at least one letter.").WithParam("statement_descriptor")
		}
		descriptor = s
	}
	metadata, err := requestMetadata(c)
	if err != nil {
		return nil, err
	}
	description, _ := c.Params.Str("description")
	group, _ := c.Params.Str("transfer_group")
	id := c.NewID("topup")
	tu := c.Object("topup", id, store.Obj{
		"amount": amount, "balance_transaction": nil, "currency": cur, "description": api.NilIfEmpty(description),
		"expected_availability_date": fundsAvailableOn(c.Now, PayoutDelayDays), "failure_code": nil, "failure_message": nil,
		"metadata": metadata, "source": nil, "statement_descriptor": descriptor, "status": "pending",
		"transfer_group": api.NilIfEmpty(group),
	})
	if err := c.Insert(tu); err != nil {
		return nil, err
	}
	if dest, _ := c.Params.Str("destination_balance"); dest == "issuing" {
		if err := c.Tx.SetMeta(topupIssuingKey(c.Account, id), "1"); err != nil {
			return nil, err
		}
	}
	if failure != "" {
		if err := c.Tx.SetMeta(topupFailureKey(c.Account, id), failure); err != nil {
			return nil, err
		}
	}
	at := c.Now + int64(SettleDelay.Seconds())
	return tu, c.Tx.SetMeta(topupKey(c.Account, id), strconv.FormatInt(at, 10))
}

// topupSource checks what a top-up debits: the source, a test bank token
// (Stripe's test mode takes those), or else the account's default bank
// account for the currency. It answers how the debit ends: the test
// account's failure code, "" when it succeeds.
func topupSource(c *api.Call, cur string) (string, error) {
	if src, _ := c.Params.Str("source"); src != "" {
		failure, ok := accounts.TestTokenFailure(src)
		if !ok {
			return "", apierr.NoSuchObject("source", src, "source")
		}
		if cur != "usd" {
			// Stripe's test bank tokens are US accounts.
			return "", apierr.InvalidRequest("The currency of the source bank account (usd) does not match the currency of the top-up (%s).", cur).WithParam("currency")
		}
		return failure, nil
	}
	ba, ok := accounts.DefaultBankAccount(c.Tx, c.Account, cur)
	if !ok {
		return "", apierr.InvalidRequest("You do not have a bank account for %s to top up from: add one in %s, or pass a test bank token as `source`.", cur, cur).WithParam("currency")
	}
	return accounts.PayoutFailure(c.Tx, c.Account, api.Str(ba["id"])), nil
}

func retrieveTopup(c *api.Call) (any, error) { return c.Retrieve("topup", c.Var("id")) }

// updateTopup changes a top-up's description and metadata. Stripe has no
// topup.updated event.
func updateTopup(c *api.Call) (any, error) {
	if err := c.CheckLengths(topupLengths[0]); err != nil {
		return nil, err
	}
	before, err := c.Load("topup", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	c.Copy(after, "description")
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	return after, c.Put(after)
}

func cancelTopup(c *api.Call) (any, error) {
	before, err := c.Load("topup", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if before["status"] != "pending" {
		return nil, apierr.InvalidRequest("This top-up cannot be canceled because it has a status of %s. Only pending top-ups can be canceled.", before["status"])
	}
	c.Tx.DeleteMeta(topupKey(c.Account, api.Str(before["id"])))
	c.Tx.DeleteMeta(topupFailureKey(c.Account, api.Str(before["id"])))
	c.Tx.DeleteMeta(topupIssuingKey(c.Account, api.Str(before["id"])))
	after := api.Clone(before)
	after["status"] = "canceled"
	return after, c.PutEmit(after, "topup.canceled", nil)
}

func listTopups(c *api.Call) (any, error) {
	q, err := c.ListQuery("topup")
	if err != nil {
		return nil, err
	}
	if s, _ := c.Params.Str("status"); s != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["status"] == s })
	}
	amount, err := c.RangeFilter("amount")
	if err != nil {
		return nil, err
	}
	if amount != nil {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return amount(api.Int(o["amount"])) })
	}
	return c.Page("topup", "/v1/topups", q), nil
}

// topupTimer ends pending top-ups' debits on the clock.
var topupTimer = metaTimer("topup", topupKey, topupWork)

func topupWork(account, id string, at int64) api.Due {
	return api.Due{At: at, Account: account, About: store.Ref{Type: "topup", ID: id}, Kind: "topup", Run: func(c *api.Call) error {
		c.Tx.DeleteMeta(topupKey(account, id))
		before, ok := c.Tx.Get(account, "topup", id)
		if !ok || before["status"] != "pending" {
			return nil
		}
		after := api.Clone(before)
		failureKey := topupFailureKey(account, id)
		if code, failed := c.Tx.GetMeta(failureKey); failed {
			c.Tx.DeleteMeta(failureKey)
			c.Tx.DeleteMeta(topupIssuingKey(account, id))
			after["status"] = "failed"
			after["failure_code"], after["failure_message"] = code, topupFailureMessages[code]
			return c.PutEmit(after, "topup.failed", nil)
		}
		amount := api.Int(before["amount"])
		if _, issuing := c.Tx.GetMeta(topupIssuingKey(account, id)); issuing {
			// Issuing funds can be spent once the debit is made: no
			// wait for availability, and never paid out.
			c.Tx.DeleteMeta(topupIssuingKey(account, id))
			txn, err := putIssuingBalanceTransaction(c, store.Obj{
				"amount": amount, "currency": before["currency"], "description": before["description"],
				"reporting_category": "topup", "source": id, "type": "topup",
			})
			if err != nil {
				return err
			}
			after["status"] = "succeeded"
			after["balance_transaction"] = txn["id"]
			return c.PutEmit(after, "topup.succeeded", nil)
		}
		txn, err := putBalanceTransaction(c, store.Obj{
			"amount": amount, "available_on": api.Int(before["expected_availability_date"]), "currency": before["currency"],
			"description": before["description"], "exchange_rate": nil, "fee": int64(0), "fee_details": []any{},
			"balance_type": "payments", "net": amount, "reporting_category": "topup", "source": id,
			"status": "pending", "type": "topup",
		})
		if err != nil {
			return err
		}
		// From now on the account's balance tells its bank_account
		// funds apart.
		if err := c.Tx.SetMeta(metaTopupFunds(account), "1"); err != nil {
			return err
		}
		after["status"] = "succeeded"
		after["balance_transaction"] = txn["id"]
		return c.PutEmit(after, "topup.succeeded", nil)
	}}
}
