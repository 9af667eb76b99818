package payments

import (
	"strconv"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// RefundKind is the refund object.
var RefundKind = &api.Kind{
	Object: "refund",
	Prefix: "re_",
	// A transfer reversal's refund of the payment on the destination.
	OtherPrefixes: []string{paymentRefundPrefix},
	Expandable:    []string{"charge", "payment_intent", "balance_transaction", "failure_balance_transaction", "source_transfer_reversal", "transfer_reversal"},
	Indexes:       []store.Index{{Name: "charge", Path: "charge"}, {Name: "payment_intent", Path: "payment_intent"}},
}

func refundRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/refunds", params.FromStruct(stripe.RefundCreateParams{}), createRefund),
		api.GET("/v1/refunds", params.FromStruct(stripe.RefundListParams{}), listRefunds),
		api.GET("/v1/refunds/{id}", params.FromStruct(stripe.RefundRetrieveParams{}), retrieveRefund),
		api.POST("/v1/refunds/{id}", params.FromStruct(stripe.RefundUpdateParams{}), updateRefund),
		api.POST("/v1/refunds/{id}/cancel", params.FromStruct(stripe.RefundCancelParams{}), cancelRefund),
		api.POST("/v1/test_helpers/refunds/{refund}/expire", params.FromStruct(stripe.TestHelpersRefundExpireParams{}), expireRefund),
	}
}

var refundReasons = map[string]bool{"duplicate": true, "fraudulent": true, "requested_by_customer": true}

// money writes an amount as Stripe's refusals quote it: "$60.00",
// "€45.00", "¥6,000".
func money(amount int64, code string) string { return currency.Format(amount, code) }

func createRefund(c *api.Call) (any, error) {
	// Where Stripe emails instructions when a card refund cannot go back
	// to the card: never the case for test cards.
	c.Inert("instructions_email")
	for _, p := range []string{"origin", "customer"} {
		if c.Params.Has(p) {
			// Returning a cash balance to the customer's bank needs their
			// bank details, which Stripe collects by email.
			return nil, apierr.InvalidRequest("stripe-emu does not emulate refunds from a customer's cash balance (`origin=customer_balance` with `customer`): refund a customer_balance payment by `charge` or `payment_intent` instead, which goes back to the cash balance.").WithParam(p)
		}
	}
	// The amount is checked as a parameter, before anything is looked up.
	amount, hasAmount := c.Params.Int("amount")
	if hasAmount && amount < 1 {
		return nil, amountBelowOne()
	}
	chID, hasCharge := c.Params.Str("charge")
	piID, hasPI := c.Params.Str("payment_intent")
	var chBefore store.Obj
	switch {
	case hasCharge && chID != "" && hasPI && piID != "":
		return nil, apierr.Exclusive("charge", "payment_intent")
	case hasCharge && chID != "":
		o, ok := c.Tx.Get(c.Account, "charge", chID)
		if !ok {
			return nil, apierr.NoSuchObject("charge", chID, "charge")
		}
		chBefore = o
	case hasPI && piID != "":
		pi, ok := c.Tx.Get(c.Account, "payment_intent", piID)
		if !ok {
			return nil, apierr.NoSuchObject("payment_intent", piID, "payment_intent")
		}
		if pi["status"] != Succeeded && pi["status"] != Processing {
			return nil, apierr.InvalidRequest("This PaymentIntent (%s) does not have a successful charge to refund.", piID).WithParam("payment_intent").WithCode("charge_not_refundable")
		}
		chBefore, _ = c.Tx.Get(c.Account, "charge", api.Str(pi["latest_charge"]))
	default:
		return nil, apierr.InvalidRequest("One of the following params should be provided for this request: payment_intent or charge.")
	}
	chID = api.Str(chBefore["id"])
	if typ := api.Str(api.Obj(chBefore["payment_method_details"])["type"]); typ == "konbini" {
		// How Stripe refunds a Konbini payment (cash paid at a store) is
		// not modelled.
		return nil, apierr.InvalidRequest("stripe-emu does not emulate refunding a Konbini payment (%s), so it refused the request rather than answer as if it had taken effect.", chID).WithParam("charge")
	} else if typ == "promptpay" {
		// Stripe's PromptPay page: the customer is emailed to say where
		// the funds go back to, which is not modelled.
		return nil, apierr.InvalidRequest("stripe-emu does not emulate refunding a PromptPay payment (%s): Stripe asks the customer where to return the funds. It refused the request rather than answer as if it had taken effect.", chID).WithParam("charge")
	} else if typ == "multibanco" {
		// Stripe's Multibanco page: refunded in full or in part for up to
		// 365 days (the refusal's wording is the emulator's).
		if c.Now > api.Int(chBefore["created"])+multibancoRefundWindow {
			return nil, apierr.InvalidRequest("Charge %s was made more than 365 days ago: a Multibanco payment can be refunded for up to 365 days after it was made.", chID).WithParam("charge").WithCode("charge_not_refundable")
		}
	} else if isVoucher(typ) {
		// The OXXO and Boleto guides: their payments can't be refunded
		// (Stripe's refusal of such a refund is not documented).
		return nil, apierr.InvalidRequest("%s payments can't be refunded: the charge %s was paid by %s voucher.", voucherNames[typ], chID, voucherNames[typ]).WithParam("charge").WithCode("charge_not_refundable")
	} else if typ == "interac_present" && c.Scratch(scratchInPersonRefund) == nil {
		// Stripe's Terminal refunds guide: Interac payments are refunded
		// in person only, the card presented to a reader.
		return nil, apierr.InvalidRequest("The charge %s was paid with an Interac card, which can only be refunded in person: refund it on a reader (POST /v1/terminal/readers/{id}/refund_payment) with the card presented.", chID).WithParam("charge").WithCode("charge_not_refundable")
	}
	if api.Obj(chBefore["payment_method_details"])["type"] == "stripe_account" {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate refunding %s, the payment a transfer made on this account: the platform reverses the transfer instead (POST /v1/transfers/{id}/reversals, or a refund of its charge with reverse_transfer=true).", chID).WithParam("charge")
	}
	if chBefore["status"] == "succeeded" && !api.Bool(chBefore["captured"]) && chBefore["payment_intent"] == nil {
		// An authorization of the Charges API: refunding it releases it,
		// unless it was released already: by a refund, or by expiring
		// (which, since 2025-03-31.basil, leaves it unrefunded).
		if api.Bool(chBefore["refunded"]) {
			return nil, apierr.InvalidRequest("Charge %s has already been refunded.", chID).WithCode("charge_already_refunded")
		}
		if captureExpired(c, chBefore) {
			return nil, released(chID, "its authorization expired")
		}
		return releaseCharge(c, chBefore)
	}
	if chBefore["status"] == "succeeded" && !api.Bool(chBefore["captured"]) {
		// A PaymentIntent's authorization: its intent is canceled, by
		// request or by expiry, once the hold is released.
		if pi, ok := c.Tx.Get(c.Account, "payment_intent", api.Str(chBefore["payment_intent"])); ok && pi["status"] == Canceled {
			return nil, released(chID, "its PaymentIntent ("+api.Str(pi["id"])+") was canceled, releasing its authorization")
		}
	}
	if chBefore["status"] == "succeeded" && !api.Bool(chBefore["captured"]) {
		return nil, apierr.InvalidRequest("This uncaptured Charge was created by a PaymentIntent (%s). You must cancel the PaymentIntent to reverse the authorization instead of refunding the Charge directly. For more information, see https://stripe.com/docs/payments/place-a-hold-on-a-payment-method", chBefore["payment_intent"]).WithParam("charge").WithCode("charge_not_refundable")
	}
	// A bank debit still processing can be refunded: the refund waits
	// for the payment (see chargePending).
	waits := chargePending(chBefore)
	if chBefore["status"] != "succeeded" && !waits {
		if pi := api.Str(chBefore["payment_intent"]); pi != "" {
			return nil, apierr.InvalidRequest("This PaymentIntent (%s) does not have a successful charge to refund.", pi).WithParam("charge").WithCode("charge_not_refundable")
		}
		return nil, apierr.InvalidRequest("Charge %s has not succeeded and cannot be refunded.", chID).WithParam("charge").WithCode("charge_not_refundable")
	}
	if chargedBack(c, chBefore) {
		return nil, apierr.InvalidRequest("Charge %s has been charged back; cannot issue a refund.", chID).WithParam("charge").WithCode("charge_disputed")
	}
	if err := checkCashRefund(c, chBefore); err != nil {
		return nil, err
	}
	// Stripe's support page on ACH Direct Debit refunds: they "must be
	// initiated within 180 days from the date of the original payment"
	// (the wording of the refusal is the emulator's).
	if api.Obj(chBefore["payment_method_details"])["type"] == "us_bank_account" && c.Now > api.Int(chBefore["created"])+refundWindow {
		return nil, apierr.InvalidRequest("Charge %s was made more than 180 days ago: an ACH Direct Debit payment can be refunded for up to 180 days after it was created.", chID).WithCode("charge_not_refundable")
	}
	remaining := api.Int(chBefore["amount_captured"]) - refundedSoFar(c, chBefore)
	if remaining <= 0 {
		return nil, apierr.InvalidRequest("Charge %s has already been refunded.", chID).WithCode("charge_already_refunded")
	}
	if !hasAmount {
		amount = remaining
	} else if amount > remaining {
		// Stripe names what is left "charge amount" until something is
		// refunded, and sends no code with either.
		what, cur := "unrefunded amount on charge", api.Str(chBefore["currency"])
		if remaining == api.Int(chBefore["amount_captured"]) {
			what = "charge amount"
		}
		return nil, apierr.InvalidRequest("Refund amount (%s) is greater than %s (%s)", money(amount, cur), what, money(remaining, cur)).WithParam("amount")
	}
	if hasAmount {
		// Stripe's currencies page names Refunds beside PaymentIntents.
		if err := checkTens(amount, api.Str(chBefore["currency"])); err != nil {
			return nil, err
		}
	}
	reason, _ := c.Params.Str("reason")
	if reason != "" && !refundReasons[reason] {
		return nil, apierr.InvalidRequest("Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer").WithParam("reason")
	}
	reverse, _ := c.Params.Bool("reverse_transfer")
	if reverse && chBefore["transfer"] == nil {
		return nil, apierr.InvalidRequest("Charge %s has no transfer to reverse: `reverse_transfer` is for destination charges (`transfer_data[destination]`).", chID).WithParam("reverse_transfer")
	}
	refundFeeToo, _ := c.Params.Bool("refund_application_fee")
	if waits && (reverse || refundFeeToo) {
		// The transfer and the application fee are made as the payment
		// settles; undoing them from a refund waiting for it is not
		// emulated.
		p := "reverse_transfer"
		if !reverse {
			p = "refund_application_fee"
		}
		return nil, apierr.InvalidRequest("stripe-emu does not emulate `%s` on a refund of %s, a payment still processing: refund it once it has succeeded.", p, chID).WithParam(p)
	}
	if refundFeeToo && chBefore["application_fee"] == nil {
		// Stripe refuses the flag on a charge without a fee (one made
		// with application_fee_amount 0 too) rather than ignoring it.
		return nil, apierr.InvalidRequest("Attempting to refund_application_fee on %s, but it has no application fee", chID).WithParam("refund_application_fee")
	}
	re := c.Base("refund", c.NewID("refund"))
	var txnID any
	if !waits {
		txn, err := refundBalanceTransaction(c, chBefore, api.Str(re["id"]), amount)
		if err != nil {
			return nil, err
		}
		txnID = txn["id"]
	}
	var reasonV any
	if reason != "" {
		reasonV = reason
	}
	// The part of the transfer the refund takes back, known before the
	// refund is made: it names its reversal, unless that part rounds to
	// nothing (a sliver of a charge that transferred little).
	var reversalID any
	var toReverse int64
	var trBefore store.Obj
	if reverse {
		var err error
		if trBefore, toReverse, err = transferShare(c, chBefore, amount); err != nil {
			return nil, err
		}
		if toReverse > 0 {
			if err := coverReversal(c, chBefore, trBefore, toReverse, amount, refundFeeToo); err != nil {
				return nil, err
			}
			reversalID = c.NewID("transfer_reversal")
		}
	}
	for k, v := range map[string]any{
		"amount": amount, "balance_transaction": txnID, "charge": chID, "currency": chBefore["currency"],
		"metadata": map[string]any{}, "payment_intent": chBefore["payment_intent"],
		"reason": reasonV, "receipt_number": nil, "source_transfer_reversal": nil, "status": "succeeded", "transfer_reversal": reversalID,
	} {
		re[k] = v
	}
	if waits {
		re["status"], re["pending_reason"] = "pending", "charge_pending"
	}
	if async := asyncRefundOf(c, chBefore); async != refundAtOnce {
		if async == refundPendingFirst {
			re["status"], re["pending_reason"] = "pending", "processing"
		}
		if err := c.SetMeta(refundKey(c.Account, api.Str(re["id"])), strconv.FormatInt(c.Now+AsyncRefundDelay, 10)); err != nil {
			return nil, err
		}
	}
	if d := refundDestination(api.Str(api.Obj(chBefore["payment_method_details"])["type"])); d != nil {
		if m := api.Obj(d["multibanco"]); m != nil {
			// Stripe's Multibanco page: a succeeded refund's reference is
			// an identifier to give the customer (its format is not
			// documented: the refund's own id's end).
			m["reference"] = providerRef(re, 16)
		}
		re["destination_details"] = d
	}
	delete(re, "livemode")
	if err := c.ApplyMetadata(re); err != nil {
		return nil, err
	}
	if err := c.Put(re); err != nil {
		return nil, err
	}
	ch := api.Clone(chBefore)
	ch["amount_refunded"] = api.Int(ch["amount_refunded"]) + amount
	// Fully refunded is all that was captured: a partial capture's
	// release is no refund (2025-03-31.basil).
	ch["refunded"] = api.Int(ch["amount_refunded"]) >= api.Int(ch["amount_captured"])
	reportRefundedAsFraud(ch, reason)
	if err := c.Put(ch); err != nil {
		return nil, err
	}
	c.Emit("refund.created", re, nil)
	c.Emit("charge.refunded", ch, api.PreviousAttributes(chBefore, ch))
	if err := disputesAfterFullRefund(c, ch); err != nil {
		return nil, err
	}
	if api.Obj(ch["payment_method_details"])["type"] == "customer_balance" {
		if err := refundToCash(c, ch, re); err != nil {
			return nil, err
		}
	}
	if err := radarAfterRefund(c, ch, reason); err != nil {
		return nil, err
	}
	if toReverse > 0 {
		if _, _, err := reverseTransfer(c, trBefore, api.Str(reversalID), toReverse, re["id"], map[string]any{}); err != nil {
			return nil, err
		}
	}
	if refundFeeToo {
		if err := refundFeeForRefund(c, ch, amount); err != nil {
			return nil, err
		}
	}
	return re, nil
}

// reportRefundedAsFraud marks ch, a charge being refunded, as reported
// fraudulent when the refund's reason says so, as a charge update with
// fraud_details[user_report]=fraudulent does.
func reportRefundedAsFraud(ch store.Obj, reason string) {
	if reason != "fraudulent" {
		return
	}
	fd := api.Clone(api.Obj(ch["fraud_details"]))
	fd["user_report"] = "fraudulent"
	ch["fraud_details"] = fd
}

// refundDestination is where a refund of a payment of this type goes
// back, as the Refund's destination_details tells it (nil where Stripe's
// spec has no hash for the type: the bank debits and iDEAL / Bancontact,
// whose refunds are bank transfers; the field is optional). Revolut Pay's
// hash is named revolut, the type naming it not verified: left out.
func refundDestination(typ string) store.Obj {
	switch typ {
	case "card":
		// The card, with the acquirer's reference number still to come.
		return store.Obj{"type": "card", "card": store.Obj{
			"reference_status": "pending", "reference_type": "acquirer_reference_number", "type": "refund"}}
	case "customer_balance":
		// A bank transfer's payment is refunded to the customer's cash
		// balance, from where it can be returned to their bank.
		return store.Obj{"type": "customer_cash_balance", "customer_cash_balance": store.Obj{}}
	case "p24":
		// The bank's reference for the refund comes later.
		return store.Obj{"type": "p24", "p24": store.Obj{"reference": nil, "reference_status": "pending"}}
	case "klarna", "affirm", "afterpay_clearpay", "paypal", "eps", "grabpay", "paynow", "pix",
		"alipay", "cashapp", "wechat_pay", "amazon_pay":
		// Stripe's spec gives these an empty hash.
		return store.Obj{"type": typ, typ: store.Obj{}}
	case "multibanco":
		// Its reference is filled in by the refund (createRefund).
		return store.Obj{"type": "multibanco", "multibanco": store.Obj{"reference": nil, "reference_status": "available"}}
	case "swish", "blik":
		// Swish's and BLIK's reference for the refund comes later.
		return store.Obj{"type": typ, typ: store.Obj{"network_decline_code": nil, "reference": nil, "reference_status": "pending"}}
	}
	return nil
}

// refundBalanceTransaction takes a refund from the balance: at once,
// available when made (type refund for a card payment's, payment_refund
// for another method's).
func refundBalanceTransaction(c *api.Call, ch store.Obj, refundID string, amount int64) (store.Obj, error) {
	description := "REFUND FOR CHARGE"
	if d := api.Str(ch["description"]); d != "" {
		description += " (" + d + ")"
	}
	var typ any = "refund"
	if !cardBased(api.Str(api.Obj(ch["payment_method_details"])["type"])) {
		typ = "payment_refund"
	}
	return putBalanceTransaction(c, store.Obj{
		"amount": -amount, "available_on": c.Now, "currency": ch["currency"], "description": description,
		"exchange_rate": nil, "fee": int64(0), "fee_details": []any{}, "balance_type": "payments", "net": -amount, "reporting_category": "refund",
		"source": refundID, "status": "available", "type": typ,
	})
}

// chargePending tells whether a charge is a bank debit still processing,
// which Stripe lets be refunded: the refund is pending (pending_reason
// charge_pending) until the payment finishes, taking nothing from the
// balance meanwhile; endWaitingRefunds finishes it.
func chargePending(ch store.Obj) bool {
	return ch["status"] == "pending" && api.Bool(ch["captured"]) && delayed[api.Str(api.Obj(ch["payment_method_details"])["type"])]
}

// waitingRefunds are the refunds of a charge waiting for it to finish.
func waitingRefunds(c *api.Call, chargeID string) []store.Obj {
	var out []store.Obj
	for _, r := range c.Tx.List(c.Account, "refund", store.Query{Index: "charge", Value: chargeID}).Data {
		if r["status"] == "pending" && r["pending_reason"] == "charge_pending" {
			out = append(out, r)
		}
	}
	return out
}

// unrefundWaiting takes the refunds waiting for a charge that failed off
// its amount_refunded; the caller stores the charge, then calls
// endWaitingRefunds.
func unrefundWaiting(c *api.Call, ch store.Obj) {
	for _, r := range waitingRefunds(c, api.Str(ch["id"])) {
		ch["amount_refunded"] = api.Int(ch["amount_refunded"]) - api.Int(r["amount"])
		ch["refunded"] = false
	}
}

// endWaitingRefunds finishes the refunds that waited for a bank debit
// (refund.updated each, and charge.refund.updated, as every other change
// of a charge's refund is told): they succeed with it, taken from the
// balance now, or are canceled when it failed ("marked as cancelled",
// Stripe's support page on ACH refunds says), the money never having
// come in.
func endWaitingRefunds(c *api.Call, ch store.Obj, succeeded bool) error {
	for _, before := range waitingRefunds(c, api.Str(ch["id"])) {
		after := api.Clone(before)
		delete(after, "pending_reason")
		after["status"] = "canceled"
		if succeeded {
			txn, err := refundBalanceTransaction(c, ch, api.Str(before["id"]), api.Int(before["amount"]))
			if err != nil {
				return err
			}
			after["status"], after["balance_transaction"] = "succeeded", txn["id"]
		}
		if err := c.Save(before, after); err != nil {
			return err
		}
		c.Emit("charge.refund.updated", after, api.PreviousAttributes(before, after))
	}
	return nil
}

// released refuses a refund of a charge never captured whose
// authorization was released without a Refund (how, in why): since
// 2025-03-31.basil such a charge is not marked refunded, yet nothing was
// taken from the customer to give back. Stripe's exact wording is not
// documented; the code is its general one for a charge that cannot be
// refunded.
func released(chID, why string) error {
	return apierr.InvalidRequest("Charge %s cannot be refunded: it was never captured, and %s. There is nothing to refund.", chID, why).
		WithParam("charge").WithCode("charge_not_refundable")
}

// share is the part of a charge's transferred amount or application fee
// (total, of which left is not given back yet) that a refund of amount
// gives back: in proportion to the charge refunded, everything left once
// the charge is fully refunded.
func share(ch store.Obj, amount, total, left int64) int64 {
	if ch["refunded"] == true {
		return left
	}
	return min(currency.Share(total, amount, api.Int(ch["amount_captured"])), left)
}

// transferShare is a destination charge's transfer (as it is before the
// refund) and the part of it a refund of amount reverses
// (reverse_transfer=true): in proportion, all that is left once the
// charge is fully refunded, possibly nothing when the proportion rounds
// to 0. A transfer already fully reversed is refused.
func transferShare(c *api.Call, chBefore store.Obj, amount int64) (store.Obj, int64, error) {
	tr, ok := c.Tx.Get(c.Platform, "transfer", api.Str(chBefore["transfer"]))
	if !ok {
		return nil, 0, apierr.Internal("the transfer of charge %s is missing", chBefore["id"])
	}
	left := api.Int(tr["amount"]) - api.Int(tr["amount_reversed"])
	if left <= 0 {
		return nil, 0, apierr.InvalidRequest("The transfer %s is already fully reversed.", tr["id"]).WithParam("reverse_transfer")
	}
	return tr, share(refundedBy(chBefore, amount), amount, api.Int(tr["amount"]), left), nil
}

// refundedBy is what share needs of a charge once a refund of amount is
// made: whether it is then fully refunded, and what was captured.
func refundedBy(chBefore store.Obj, amount int64) store.Obj {
	return store.Obj{"refunded": api.Int(chBefore["amount_refunded"])+amount >= api.Int(chBefore["amount_captured"]),
		"amount_captured": chBefore["amount_captured"]}
}

// coverReversal refuses a refund whose transfer reversal (n) the
// destination's balance cannot cover, counting pending funds and the
// application fee the same refund gives back to it (refund_application_fee):
// Stripe's Connect charges guide says such a refund returns an error
// instead of waiting for funds. The wording is the emulator's.
func coverReversal(c *api.Call, chBefore, tr store.Obj, n, amount int64, feeToo bool) error {
	dest, cur := api.Str(tr["destination"]), api.Str(tr["currency"])
	var have int64
	if s := balanceSums(c, dest)[cur]; s != nil {
		have = s.available + s.pending
	}
	if feeToo {
		if fee, ok := c.Tx.Get(c.Platform, "application_fee", api.Str(chBefore["application_fee"])); ok && api.Str(fee["account"]) == dest {
			left := api.Int(fee["amount"]) - api.Int(fee["amount_refunded"])
			have += share(refundedBy(chBefore, amount), amount, api.Int(fee["amount"]), left)
		}
	}
	if have < n {
		return apierr.InvalidRequest("The destination account %s does not have enough balance to cover this reversal.", dest).
			WithParam("reverse_transfer").WithCode("balance_insufficient")
	}
	return nil
}

// refundFeeForRefund refunds a charge's application fee in proportion to a
// refund of it (refund_application_fee=true, refused before on a charge
// without one).
func refundFeeForRefund(c *api.Call, ch store.Obj, amount int64) error {
	fee, ok := c.Tx.Get(c.Platform, "application_fee", api.Str(ch["application_fee"]))
	if !ok {
		return apierr.Internal("the application fee of charge %s is missing", ch["id"])
	}
	left := api.Int(fee["amount"]) - api.Int(fee["amount_refunded"])
	if n := share(ch, amount, api.Int(fee["amount"]), left); n > 0 {
		_, err := refundFee(c, fee, n, map[string]any{})
		return err
	}
	return nil
}

// refundedSoFar is what refunds took back (uncaptured remainders are not
// refunds and are not counted).
func refundedSoFar(c *api.Call, ch store.Obj) int64 {
	var total int64
	for _, r := range c.Tx.List(c.Account, "refund", store.Query{Index: "charge", Value: api.Str(ch["id"])}).Data {
		if r["status"] != "failed" && r["status"] != "canceled" {
			total += api.Int(r["amount"])
		}
	}
	return total
}

func retrieveRefund(c *api.Call) (any, error) {
	return c.Load("refund", c.Var("id"), "id")
}

// updateRefund changes a refund's metadata. A refund of a charge is told
// the older way too, with charge.refund.updated, as its settlement is
// (Stripe CLI's trigger for that event is this very update).
func updateRefund(c *api.Call) (any, error) {
	before, err := c.Load("refund", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	if prev := api.PreviousAttributes(before, after); len(prev) > 0 && after["charge"] != nil {
		c.Emit("charge.refund.updated", after, prev)
	}
	return after, nil
}

func cancelRefund(c *api.Call) (any, error) {
	re, err := c.Load("refund", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	return nil, apierr.InvalidRequest("Refund %s cannot be canceled because it has a status of %s. Only refunds with a status of requires_action can be canceled.", re["id"], re["status"])
}

// expireRefund is the test helper that expires a refund waiting for the
// customer (status requires_action: a refund to a payment method that
// needs the customer's details to send the money back). The emulated
// refunds never wait (cards and the bank debits emulated take refunds
// at once), so every refund is refused as cancelRefund refuses it.
func expireRefund(c *api.Call) (any, error) {
	re, err := c.Load("refund", c.Var("refund"), "id")
	if err != nil {
		return nil, err
	}
	return nil, apierr.InvalidRequest("Refund %s cannot be expired because it has a status of %s. Only refunds with a status of requires_action can be expired.", re["id"], re["status"])
}

func listRefunds(c *api.Call) (any, error) {
	q, err := c.ListQuery("refund")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "charge", "payment_intent")
	return c.Page("refund", "/v1/refunds", q), nil
}

// AsyncRefundDelay is how long after it is made a refund to one of
// Stripe's asynchronous refund test cards settles (pending → succeeded,
// or succeeded → failed). Stripe says only "some time later"; its
// testing environments let a card refund be canceled in the Dashboard for
// 30 minutes, so it settles then.
const AsyncRefundDelay = 30 * 60

// asyncRefundOf is how a refund of the charge ends when it was paid with
// one of Stripe's asynchronous refund test cards.
func asyncRefundOf(c *api.Call, ch store.Obj) asyncRefund {
	if api.Obj(ch["payment_method_details"])["type"] != "card" || ch["payment_method"] == nil {
		return refundAtOnce
	}
	return cardByID(c, api.Str(ch["payment_method"])).Refund
}

// refundKey schedules when a refund to an asynchronous refund test card
// settles (its value: when).
func refundKey(account, id string) string { return "asyncrefund:" + account + ":" + id }

// refundTimer settles refunds to Stripe's asynchronous refund test cards:
// a pending one succeeds (refund.updated); a succeeded one fails
// (refund.failed), its amount coming back to the balance with a
// refund_failure balance transaction and off the charge's amount_refunded.
// Either change is also told the older way, with charge.refund.updated,
// which Stripe still sends when a card refund changes.
var refundTimer = metaTimer("refund", refundKey, func(account, id string, at int64) api.Due {
	return api.Due{At: at, Account: account, About: store.Ref{Type: "refund", ID: id}, Kind: "refund", Run: func(c *api.Call) error {
		c.Tx.DeleteMeta(refundKey(account, id))
		before, ok := c.Tx.Get(account, "refund", id)
		if !ok {
			return nil
		}
		switch before["status"] {
		case "pending":
			after := api.Clone(before)
			after["status"] = "succeeded"
			delete(after, "pending_reason")
			if err := c.Save(before, after); err != nil {
				return err
			}
			c.Emit("charge.refund.updated", after, api.PreviousAttributes(before, after))
			return nil
		case "succeeded":
			return failRefund(c, before)
		}
		return nil
	}}
})

// failRefund fails a refund that had succeeded: the money comes back to
// the balance and the charge counts it refunded no more. What the refund
// reversed of a transfer or an application fee stays reversed.
func failRefund(c *api.Call, before store.Obj) error {
	amount := api.Int(before["amount"])
	txn, err := putBalanceTransaction(c, store.Obj{
		"amount": amount, "available_on": c.Now, "currency": before["currency"], "description": "REFUND FAILURE",
		"exchange_rate": nil, "fee": int64(0), "fee_details": []any{}, "balance_type": "payments", "net": amount,
		"reporting_category": "refund_failure", "source": before["id"], "status": "available", "type": "refund_failure",
	})
	if err != nil {
		return err
	}
	after := api.Clone(before)
	after["status"] = "failed"
	after["failure_reason"] = "expired_or_canceled_card"
	after["failure_balance_transaction"] = txn["id"]
	if err := c.PutEmit(after, "refund.failed", nil); err != nil {
		return err
	}
	c.Emit("charge.refund.updated", after, api.PreviousAttributes(before, after))
	ch, ok := c.Tx.Get(c.Account, "charge", api.Str(before["charge"]))
	if !ok {
		return apierr.Internal("the charge of refund %s is missing", before["id"])
	}
	ch = api.Clone(ch)
	ch["amount_refunded"] = api.Int(ch["amount_refunded"]) - amount
	ch["refunded"] = false
	return c.Put(ch)
}
