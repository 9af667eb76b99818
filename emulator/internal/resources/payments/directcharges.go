package payments

import (
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// The Charges API: POST /v1/charges charges a card at once, without a
// PaymentIntent (payment_intent null, source the card, payment_method the
// card's id), and POST /v1/charges/{id}/capture captures what it only
// authorized. Charges, balance transactions, fees, Connect money and
// disputes are the PaymentIntents' own (newCharge, settleFunds,
// openDispute).

// CaptureWindowDays is how long an uncaptured charge can be captured:
// Stripe's seven days, after which the authorization is released.
const CaptureWindowDays = 7

// chargeTerms are how the Charges API's Connect refusals name things.
var chargeTerms = connectTerms{
	object: "charge",
	feeWithoutConnect: "Can only apply an application_fee_amount when the request is made on behalf of another account " +
		"(using an OAuth key, the Stripe-Account header, or the destination parameter).",
}

func createCharge(c *api.Call) (any, error) {
	// Fraud signals: test mode scores nothing.
	c.Inert("radar_options")
	amount, _ := c.Params.Int("amount")
	currency, _ := c.Params.Str("currency")
	currency = strings.ToLower(currency)
	if len(currency) != 3 {
		return nil, apierr.InvalidRequest("Invalid currency: %s", currency).WithParam("currency")
	}
	if err := checkAmount(c, amount, currency); err != nil {
		return nil, err
	}
	capture := true
	if b, ok := c.Params.Bool("capture"); ok {
		capture = b
	}
	// What the charge is for, in the shape newCharge reads from a
	// PaymentIntent.
	spec := store.Obj{
		"id": nil, "amount": amount, "currency": currency, "customer": nil, "description": nil, "metadata": map[string]any{},
		"receipt_email": nil, "shipping": nil, "statement_descriptor": nil, "statement_descriptor_suffix": nil,
		"transfer_data": nil, "transfer_group": nil, "application_fee_amount": nil, "on_behalf_of": nil,
	}
	c.Copy(spec, "description", "receipt_email", "shipping", "statement_descriptor", "statement_descriptor_suffix", "transfer_group")
	spec["shipping"] = wholeShipping(spec["shipping"])
	if err := applyConnectWith(c, spec, chargeTerms); err != nil {
		return nil, err
	}
	if err := checkSettlementMerchant(spec); err != nil {
		return nil, err
	}
	if e := checkMerchantCapabilities(c, spec, "card"); e != nil {
		return nil, e
	}
	if err := c.ApplyMetadata(spec); err != nil {
		return nil, err
	}
	card, err := chargedCard(c, spec)
	if err != nil {
		return nil, err
	}
	cd := cardByID(c, api.Str(card["id"]))
	checked(card, cd)
	pm := cardPaymentMethod(c, card)
	if fail := directChargeFailure(cd, card); fail != nil {
		ch := newCharge(c, spec, pm, "failed", false, fail)
		fillDirectCharge(c, ch, card)
		if err := c.PutEmit(ch, "charge.failed", nil); err != nil {
			return nil, err
		}
		fail.Charge = api.Str(ch["id"])
		return nil, api.Keep(fail)
	}
	ch := newCharge(c, spec, pm, "succeeded", capture, nil)
	fillDirectCharge(c, ch, card)
	if capture {
		txn, err := settleFunds(c, ch)
		if err != nil {
			return nil, err
		}
		ch["balance_transaction"] = txn["id"]
	} else {
		// An authorization: captured within the window, or released.
		until := c.Now + CaptureWindowDays*86400
		api.Obj(api.Obj(ch["payment_method_details"])["card"])["capture_before"] = until
		if err := c.Tx.SetMeta(expiryKey(c.Account, api.Str(ch["id"])), strconv.FormatInt(until, 10)); err != nil {
			return nil, err
		}
	}
	if err := c.PutEmit(ch, "charge.succeeded", nil); err != nil {
		return nil, err
	}
	if err := openReview(c, ch); err != nil {
		return nil, err
	}
	if capture {
		if err := afterCapture(c, ch, cd); err != nil {
			return nil, err
		}
	}
	return ch, nil
}

// fillDirectCharge sets what a charge made by the Charges API shows
// beyond a PaymentIntent's: the card charged as its source, the card's
// checks, and a destination charge's transfer group.
func fillDirectCharge(c *api.Call, ch, card store.Obj) {
	ch["source"] = card
	pmd := api.Obj(api.Obj(ch["payment_method_details"])["card"])
	pmd["checks"] = sourceChecks(card)
	if ch["transfer_data"] != nil && ch["transfer_group"] == nil {
		ch["transfer_group"] = "group_" + api.Str(ch["id"])
	}
}

// directChargeFailure is how a test card's charge fails on the Charges
// API, nil if it succeeds; card is the card charged, its checks run. The
// Charges API cannot authenticate: a card that needs 3-D Secure is
// declined with authentication_required.
func directChargeFailure(cd card, card store.Obj) *apierr.Error {
	switch cd.Outcome {
	case alwaysAuthenticate, authenticateUnlessSetUp, authenticateOnSession:
		return cardError("authentication_required", "authentication_required", authenticationRequiredMessage, "")
	case declines, declinesOnCharge:
		return declineOf(cd)
	}
	return checkDecline(sourceChecks(card), false)
}

// chargedCard is the card a charge request names: a token or card
// details alone, or a customer's card (source, else its default source).
// A customer's card comes as saved; the others are new. spec gets the
// customer.
func chargedCard(c *api.Call, spec store.Obj) (store.Obj, error) {
	cusID, _ := c.Params.Str("customer")
	_, hasSource := c.Params.Sent("source")
	if cusID == "" {
		if !hasSource {
			return nil, apierr.InvalidRequest("Must provide source or customer.").WithCode("parameter_missing")
		}
		return cardFromSource(c, "source")
	}
	cus, ok := c.Tx.Get(c.Account, "customer", cusID)
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", cusID, "customer")
	}
	spec["customer"] = cusID
	cardID := api.Str(cus["default_source"])
	if hasSource {
		raw, _ := c.Params.Sent("source")
		if _, isObj := raw.(map[string]any); isObj {
			return nil, apierr.InvalidRequest("stripe-emu does not emulate charging card details together with `customer`: save the card on the customer (POST /v1/customers/{customer}/sources) and charge its id, or leave `customer` out.").WithParam("source")
		}
		cardID, _ = c.Params.Str("source")
		if card, ok := c.Tx.Get(c.Account, "card", cardID); !ok || api.Str(card["customer"]) != cusID {
			e := apierr.InvalidRequest("Customer %s does not have a linked source with ID %s.", cusID, cardID).WithParam("source").WithCode("missing")
			e.Status = 404
			return nil, e
		}
	}
	if cardID == "" {
		msg := "This Customer doesn't have any saved payment details. Attach a legacy Token, Card, Bank Account, or Source to this Customer and then try this request again, or use Payment Intents and Payment Methods instead."
		if len(c.Tx.List(c.Account, "payment_method", store.Query{Index: "customer", Value: cusID, Limit: 1}).Data) > 0 {
			msg = "This Customer doesn't have any legacy saved payment details, but does have a Payment Method attached. Use a Payment Intent instead of creating a Charge: https://stripe.com/docs/payments/payment-intents/migration"
		}
		return nil, cardError("missing", "", msg, "card")
	}
	card, _ := c.Tx.Get(c.Account, "card", cardID)
	return api.Clone(card), nil
}

func captureCharge(c *api.Call) (any, error) {
	chBefore, err := c.Load("charge", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	id := api.Str(chBefore["id"])
	switch {
	case chBefore["payment_intent"] != nil && !api.Bool(chBefore["captured"]):
		return nil, apierr.InvalidRequest("This uncaptured Charge was created by a PaymentIntent (%s). You must capture the PaymentIntent instead. For more information, see https://stripe.com/docs/payments/place-a-hold-on-a-payment-method", chBefore["payment_intent"])
	case api.Bool(chBefore["captured"]):
		return nil, apierr.InvalidRequest("Charge %s has already been captured.", id).WithCode("charge_already_captured")
	case chBefore["status"] != "succeeded":
		return nil, apierr.InvalidRequest("Charge %s has failed and cannot be captured.", id)
	case captureExpired(c, chBefore):
		return nil, apierr.InvalidRequest("Charge %s cannot be captured because the charge has expired (a charge must be captured within %d days). You will need to create a new charge to retry the payment.", id, CaptureWindowDays).WithCode("charge_expired_for_capture")
	case api.Bool(chBefore["refunded"]):
		return nil, apierr.InvalidRequest("Charge %s has already been refunded.", id).WithCode("charge_already_refunded")
	}
	authorized := api.Int(chBefore["amount"])
	amount := authorized
	if n, ok := c.Params.Int("amount"); ok {
		if n > authorized {
			return nil, apierr.InvalidRequest("The amount to capture (%d) is greater than the amount of the charge (%d).", n, authorized).WithParam("amount").WithCode("amount_too_large")
		}
		if err := checkAmount(c, n, api.Str(chBefore["currency"])); err != nil {
			return nil, err
		}
		amount = n
	}
	ch := api.Clone(chBefore)
	c.Copy(ch, "receipt_email", "statement_descriptor", "statement_descriptor_suffix", "transfer_group")
	// The Connect fields a capture may still set: the platform's fee and
	// the part of a destination charge transferred.
	spec := store.Obj{"amount": amount, "transfer_data": ch["transfer_data"], "application_fee_amount": ch["application_fee_amount"]}
	if err := applyConnectWith(c, spec, chargeTerms); err != nil {
		return nil, err
	}
	ch["application_fee_amount"] = spec["application_fee_amount"]
	ch["transfer_data"] = chargeTransferData(spec)
	ch["captured"] = true
	// What is not captured goes back to the cardholder: since
	// 2025-03-31.basil no Refund, amount_refunded untouched, and one
	// balance transaction, of the amount captured.
	ch["amount_captured"] = amount
	txn, err := settleFunds(c, ch)
	if err != nil {
		return nil, err
	}
	ch["balance_transaction"] = txn["id"]
	c.Tx.DeleteMeta(expiryKey(c.Account, id))
	if err := c.PutEmit(ch, "charge.captured", api.PreviousAttributes(chBefore, ch)); err != nil {
		return nil, err
	}
	if err := afterCapture(c, ch, cardByID(c, api.Str(ch["payment_method"]))); err != nil {
		return nil, err
	}
	return ch, nil
}

// captureExpired reports whether an uncaptured charge's capture window
// has passed (its authorization is released then, if the clock has not
// done it already).
func captureExpired(c *api.Call, ch store.Obj) bool {
	until := api.Int(api.Obj(api.Obj(ch["payment_method_details"])["card"])["capture_before"])
	return until > 0 && c.Now >= until
}

// releaseCharge refunds an uncaptured charge of the Charges API: the
// authorization is released, whole, and nothing moves in the balance.
func releaseCharge(c *api.Call, chBefore store.Obj) (any, error) {
	id := api.Str(chBefore["id"])
	amount := api.Int(chBefore["amount"])
	if n, ok := c.Params.Int("amount"); ok && n != amount {
		return nil, apierr.InvalidRequest("You cannot partially refund an uncaptured charge. Instead, capture the charge for an amount less than the original amount").WithParam("amount")
	}
	reason, _ := c.Params.Str("reason")
	if reason != "" && !refundReasons[reason] {
		return nil, apierr.InvalidRequest("Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer").WithParam("reason")
	}
	re := c.Base("refund", c.NewID("refund"))
	delete(re, "livemode")
	for k, v := range map[string]any{
		"amount": amount, "balance_transaction": nil, "charge": id, "currency": chBefore["currency"],
		"metadata": map[string]any{}, "payment_intent": nil, "reason": api.NilIfEmpty(reason), "receipt_number": nil,
		"source_transfer_reversal": nil, "status": "succeeded", "transfer_reversal": nil,
	} {
		re[k] = v
	}
	if api.Obj(chBefore["payment_method_details"])["type"] == "card" {
		// The authorization is reversed: nothing goes back to the card, so
		// no acquirer reference is to come (Stripe's example refund).
		re["destination_details"] = store.Obj{"type": "card", "card": store.Obj{"type": "reversal"}}
	}
	if err := c.ApplyMetadata(re); err != nil {
		return nil, err
	}
	if err := c.Put(re); err != nil {
		return nil, err
	}
	ch := api.Clone(chBefore)
	ch["amount_refunded"] = amount
	ch["refunded"] = true
	reportRefundedAsFraud(ch, reason)
	if err := c.Put(ch); err != nil {
		return nil, err
	}
	c.Tx.DeleteMeta(expiryKey(c.Account, id))
	c.Emit("refund.created", re, nil)
	c.Emit("charge.refunded", ch, api.PreviousAttributes(chBefore, ch))
	// A refund like any other: it closes the charge's review.
	if err := radarAfterRefund(c, ch, reason); err != nil {
		return nil, err
	}
	return re, nil
}

// expiryKey schedules the end of an uncaptured charge's capture window.
func expiryKey(acct, charge string) string { return "chargeexpiry:" + acct + ":" + charge }

// expiryTimer releases uncaptured charges of the Charges API whose capture
// window ended, with charge.expired. Since 2025-03-31.basil that makes no
// Refund and leaves the charge as it was (not refunded, amount_refunded
// 0); what refuses its capture or refund afterwards is its capture_before
// in the past (captureExpired). An open Radar review closes, canceled.
var expiryTimer = metaTimer("charge", expiryKey, expiryWork)

func expiryWork(account, id string, at int64) api.Due {
	return api.Due{At: at, Account: account, About: store.Ref{Type: "charge", ID: id}, Kind: "charge_expiry", Run: func(c *api.Call) error {
		c.Tx.DeleteMeta(expiryKey(account, id))
		ch, ok := c.Tx.Get(account, "charge", id)
		if !ok || api.Bool(ch["captured"]) || api.Bool(ch["refunded"]) || ch["status"] != "succeeded" {
			return nil
		}
		c.Emit("charge.expired", ch, nil)
		return closeReview(c, ch, "canceled")
	}}
}
