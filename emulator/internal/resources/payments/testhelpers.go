package payments

import (
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// SettleDelay is how long a bank debit stays processing before it settles
// by itself on the emulator clock (Stripe's test banks take minutes).
var SettleDelay = 3 * time.Minute

func settleKey(acct, pi string) string { return "settle:" + acct + ":" + pi }

// authenticateIntent is what the customer does on the 3-D Secure page,
// or on a redirect method's test page (authorize or fail the test
// payment): outcome=succeed (default) charges the payment method,
// outcome=fail leaves the intent needing a new payment method.
func authenticateIntent(c *api.Call) (any, error) {
	before, err := loadIntent(c)
	if err != nil {
		return nil, err
	}
	if before["status"] != RequiresAction {
		e := apierr.InvalidRequest("This PaymentIntent has a status of %s; only a PaymentIntent with status requires_action can be authenticated.", before["status"])
		return nil, e.WithCode("payment_intent_unexpected_state")
	}
	if api.Obj(before["next_action"])["type"] == "display_bank_transfer_instructions" {
		return nil, apierr.InvalidRequest("This PaymentIntent waits for a bank transfer, not an authentication: fund the customer's cash balance with POST /v1/test_helpers/customers/%s/fund_cash_balance instead.", before["customer"]).WithCode("payment_intent_unexpected_state")
	}
	if waitsForVoucher(before) {
		// The customer pays the voucher at the store, or it expires.
		if outcome, _ := c.Params.Str("outcome"); outcome == "fail" {
			return expireVoucher(c, before)
		}
		return payVoucher(c, before)
	}
	pi := api.Clone(before)
	pi["next_action"] = nil
	pm, _ := c.Tx.Get(c.Account, "payment_method", api.Str(pi["payment_method"]))
	if outcome, _ := c.Params.Str("outcome"); outcome == "fail" {
		e := apierr.InvalidRequest("The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.").WithCode("payment_intent_authentication_failure")
		if err := failAttempt(c, before, pi, pm, e); err != nil {
			return nil, err
		}
		return pi, nil
	}
	if pi["confirmation_method"] == "manual" {
		// Manual confirmation: the intent waits for the server to confirm
		// it again, which charges the method without asking anew.
		pi["status"] = RequiresConfirmation
		if err := c.Tx.SetMeta(metaAuthenticated(c.Account, api.Str(pi["id"])), api.Str(pm["id"])); err != nil {
			return nil, err
		}
		return pi, saveIntent(c, before, pi)
	}
	res, err := chargeAuthenticated(c, before, pi, pm)
	if _, kept := err.(*api.KeptError); kept {
		// The decline after authentication is the intent's state, not an
		// error of this helper call.
		o, _ := c.Tx.Get(c.Account, "payment_intent", api.Str(pi["id"]))
		return o, nil
	}
	if paid, _ := res.(store.Obj); err == nil && paid != nil {
		switch paid["status"] {
		case Succeeded, RequiresCapture, Processing:
			// The API's confirmation paid once the customer authenticated:
			// the method is used as a payment confirmed at once uses it.
			if err := useUp(c, paid); err != nil {
				return nil, err
			}
		}
	}
	return res, err
}

// metaAuthenticated names the payment method the customer authenticated
// (or authorized) for a manually confirmed intent, until the server's
// confirmation charges it.
func metaAuthenticated(acct, pi string) string { return "piauthed:" + acct + ":" + pi }

// chargeAuthenticated charges pm for pi once the customer authenticated
// or authorized the payment.
func chargeAuthenticated(c *api.Call, before, pi, pm store.Obj) (any, error) {
	// Authenticating on-session also sets the card up for later
	// off-session use when the intent asked for it.
	cd := card{} // a redirect method's authorized payment charges as is
	if pm["type"] == "card" {
		cd = authenticated(cardOf(c, pm))
		c.SetScratch(scratchThreeDSecure, true)
	} else {
		var err error
		if pm, err = walletAuthorized(c, pm); err != nil {
			return nil, err
		}
	}
	return charge(c, before, pi, pm, cd)
}

// scratchThreeDSecure marks a call whose card charge follows the
// customer's 3-D Secure challenge, which the charge then shows.
const scratchThreeDSecure = "payments.three_d_secure"

// threeDSecureDetails is a charge's payment_method_details.card.three_d_secure
// after the test page's challenge passed: authenticated, with the
// network's electronic commerce indicator for it (Mastercard's 02, the
// others' 05).
func threeDSecureDetails(c *api.Call, brand string) store.Obj {
	eci := "05"
	if brand == "mastercard" {
		eci = "02"
	}
	return store.Obj{"authentication_flow": "challenge", "electronic_commerce_indicator": eci, "exemption_indicator": nil,
		"exemption_indicator_applied": false, "result": "authenticated", "result_reason": nil,
		"transaction_id": c.IDs.UUID(), "version": "2.2.0"}
}

// authenticated is the card once its 3-D Secure challenge passed: it
// charges like a plain card (or declines if it is one that declines after
// authentication).
func authenticated(cd card) card {
	if cd.Decline != "" {
		cd.Outcome = declines
	} else {
		cd.Outcome = succeeds
	}
	return cd
}

// settleIntent settles a processing bank debit now: outcome=succeed
// (default) or fail.
func settleIntent(c *api.Call) (any, error) {
	pi, err := loadIntent(c)
	if err != nil {
		return nil, err
	}
	if pi["status"] != Processing {
		e := apierr.InvalidRequest("This PaymentIntent has a status of %s; only a processing PaymentIntent can be settled.", pi["status"])
		return nil, e.WithCode("payment_intent_unexpected_state")
	}
	fail := ""
	if outcome, _ := c.Params.Str("outcome"); outcome == "fail" {
		fail = "insufficient_funds"
	}
	return settle(c, pi, fail)
}

// settle finishes a processing payment: it succeeds unless failCode is set.
func settle(c *api.Call, before store.Obj, failCode string) (store.Obj, error) {
	c.Tx.DeleteMeta(settleKey(c.Account, api.Str(before["id"])))
	pi := api.Clone(before)
	chBefore, _ := c.Tx.Get(c.Account, "charge", api.Str(pi["latest_charge"]))
	ch := api.Clone(chBefore)
	pm, _ := c.Tx.Get(c.Account, "payment_method", api.Str(pi["payment_method"]))
	if failCode != "" {
		e := &apierr.Error{Status: 402, Type: apierr.TypeInvalidRequest, Message: bankFailureMessage(failCode)}
		e.WithCode(failCode)
		ch["status"] = "failed"
		ch["paid"] = false
		ch["captured"] = false
		ch["amount_captured"] = int64(0)
		ch["failure_code"] = failCode
		ch["failure_message"] = e.Message
		// A bank's return has no decline code of its own: the outcome
		// names the failure code, as a declined card's names its decline.
		ch["outcome"] = chargeOutcome(api.Str(pm["type"]), "failed", &apierr.Error{DeclineCode: failCode})
		e.Charge = api.Str(ch["id"])
		pi["status"] = RequiresPaymentMethod
		pi["last_payment_error"] = lastPaymentError(e, pm)
		pi["payment_method"] = nil
		if pm["type"] == "bacs_debit" && failCode == "debit_not_authorized" {
			if err := revokeBacsMandates(c, api.Str(pm["id"])); err != nil {
				return nil, err
			}
		}
		if pm["type"] == "au_becs_debit" {
			if a := becsAccount(c, pm); a.inactive && a.fail == failCode {
				// The BECS guide's closed, missing and unauthorized
				// accounts leave the mandate inactive.
				if err := deactivateMandates(c, api.Str(pm["id"])); err != nil {
					return nil, err
				}
			}
		}
		unrefundWaiting(c, ch)
		if err := c.Put(ch); err != nil {
			return nil, err
		}
		if err := saveIntent(c, before, pi); err != nil {
			return nil, err
		}
		c.Emit("charge.failed", ch, nil)
		c.Emit("payment_intent.payment_failed", pi, nil)
		return pi, endWaitingRefunds(c, ch, false)
	}
	txn, err := settleFunds(c, ch)
	if err != nil {
		return nil, err
	}
	ch["status"] = "succeeded"
	ch["paid"] = true
	ch["balance_transaction"] = txn["id"]
	pi["status"] = Succeeded
	pi["amount_received"] = pi["amount"]
	if err := c.Put(ch); err != nil {
		return nil, err
	}
	if err := setUpForFuture(c, pi, pm); err != nil {
		return nil, err
	}
	if err := saveIntent(c, before, pi); err != nil {
		return nil, err
	}
	c.Emit("charge.succeeded", ch, nil)
	c.Emit("payment_intent.succeeded", pi, nil)
	return pi, endWaitingRefunds(c, ch, true)
}

func bankFailureMessage(code string) string {
	switch code {
	case "account_closed":
		return "The customer's bank account has been closed."
	case "no_account":
		return "The customer's bank account could not be located."
	case "insufficient_funds":
		return "The customer's account has insufficient funds to cover this payment."
	case "debit_not_authorized":
		return "The customer notified their bank that this payment was unauthorized."
	case "invalid_currency":
		return "The bank was unable to process this payment because of its currency."
	case "charge_exceeds_source_limit":
		return "This payment would exceed the weekly payment volume allowed for this bank account."
	case "charge_exceeds_transaction_limit":
		return "This payment exceeds the amount allowed for a single debit from this bank account."
	case "charge_exceeds_weekly_limit":
		return "This payment exceeds the amount allowed for a single debit from this bank account."
	}
	return "The customer's bank could not process this payment."
}

// settleTimer settles each bank debit when its time comes.
var settleTimer = metaTimer("payment_intent", settleKey, settleWork)

func settleWork(account, id string, at int64) api.Due {
	return api.Due{At: at, Account: account, About: store.Ref{Type: "payment_intent", ID: id}, Kind: "settle", Run: func(c *api.Call) error {
		pi, ok := c.Tx.Get(account, "payment_intent", id)
		if !ok || pi["status"] != Processing {
			c.Tx.DeleteMeta(settleKey(account, id))
			return nil
		}
		pm, _ := c.Tx.Get(account, "payment_method", api.Str(pi["payment_method"]))
		if achNumber(c, pm) == achStaysProcessing {
			// Stripe's test account whose debit stays processing (the
			// settle test helper still ends it).
			c.Tx.DeleteMeta(settleKey(account, id))
			return nil
		}
		_, err := settle(c, pi, bankFailure(c, pm))
		return err
	}}
}
