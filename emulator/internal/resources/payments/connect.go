package payments

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Connect money movement: the transfers (tr_) a platform sends to its
// connected accounts, the payments (py_) they become there, their
// reversals (trr_, each refunding the payment with a pyr_ refund), and the
// application fees (fee_) a platform collects, with their refunds (fr_).
// Every movement is a balance transaction on each side, so GET
// /v1/balance tells every account's funds.

// TransferKind is the transfer object (on the platform).
var TransferKind = &api.Kind{
	Object:     "transfer",
	Prefix:     "tr_",
	Expandable: []string{"balance_transaction", "destination", "destination_payment", "source_transaction"},
	// The payment is on the destination account.
	ExpandIn:   map[string]string{"destination_payment": "destination"},
	OnPlatform: true,
	Indexes: []store.Index{
		{Name: "destination", Path: "destination"},
		{Name: "source_transaction", Path: "source_transaction"},
	},
}

// TransferReversalKind is the transfer_reversal object (on the platform).
var TransferReversalKind = &api.Kind{
	Object:     "transfer_reversal",
	Prefix:     "trr_",
	Expandable: []string{"balance_transaction", "destination_payment_refund", "source_refund", "transfer"},
	// The payment's refund is on the transfer's destination.
	ExpandInVia: map[string]func(*api.Call, store.Obj) string{"destination_payment_refund": transferDestination},
	Indexes:     []store.Index{{Name: "transfer", Path: "transfer"}},
	OnPlatform:  true,
}

// transferDestination is the destination of a reversal's transfer.
func transferDestination(c *api.Call, trr store.Obj) string {
	f, ok := c.Tx.Fields(c.Platform, "transfer", api.RefID(trr["transfer"]), "destination")
	if !ok {
		return ""
	}
	return f[0].String()
}

// ApplicationFeeKind is the application_fee object (on the platform).
var ApplicationFeeKind = &api.Kind{
	Object:     "application_fee",
	Prefix:     "fee_",
	Expandable: []string{"account", "application", "balance_transaction", "charge", "originating_transaction"},
	// The charge the fee came out of is on the account it was collected from.
	ExpandIn:   map[string]string{"charge": "account"},
	Indexes:    []store.Index{{Name: "charge", Path: "charge"}},
	OnPlatform: true,
}

// FeeRefundKind is the fee_refund object (on the platform); its events are
// application_fee.refund.*.
var FeeRefundKind = &api.Kind{
	Object:      "fee_refund",
	Prefix:      "fr_",
	EventPrefix: "application_fee.refund",
	Expandable:  []string{"balance_transaction", "fee"},
	Indexes:     []store.Index{{Name: "fee", Path: "fee"}},
	OnPlatform:  true,
}

// Payment ids: a transfer's payment on the connected account is a charge
// whose id begins py_, and its refunds (a reversal's) begin pyr_.
const (
	paymentPrefix       = "py_"
	paymentRefundPrefix = "pyr_"
)

// embeddedListSize is how many reversals (refunds) a transfer (an
// application fee) shows in its own list, newest first: Stripe's 10.
const embeddedListSize = 10

// funds is when money a balance transaction moves can be paid out: it
// follows the funds it came from (a transfer made from a pending charge is
// pending on both sides until the charge's funds are available).
type funds struct {
	status      string
	availableOn int64
}

// availableNow is money that is available at once.
func availableNow(c *api.Call) funds { return funds{"available", c.Now} }

// fundsOf is the availability of a stored balance transaction: its own
// while pending, available now once it is.
func fundsOf(c *api.Call, account, txnID string) funds {
	f, ok := c.Tx.Fields(account, "balance_transaction", txnID, "status", "available_on")
	if !ok || f[0].String() != "pending" {
		return availableNow(c)
	}
	return funds{"pending", f[1].Int()}
}

// recipientHold is how much longer funds transferred to an account under
// the recipient service agreement take to become available: "an extra 24
// hours", Stripe's service agreement guide says.
const recipientHold = 24 * 60 * 60

// recipientFunds is when funds transferred to the account become
// available on its side: at, or a day after it under the recipient
// service agreement.
func recipientFunds(c *api.Call, account string, at funds) funds {
	acct, _ := c.Tx.Get(c.Platform, "account", account)
	if api.Str(api.Obj(acct["tos_acceptance"])["service_agreement"]) != "recipient" {
		return at
	}
	return funds{"pending", max(at.availableOn, c.Now) + recipientHold}
}

// connectTxn records a balance transaction that moves money between
// accounts (no Stripe fee): amount is signed, fee what the account is
// charged out of it (application fees), details its fee_details.
func connectTxn(c *api.Call, account string, amount, fee int64, details []any, currency any, typ, category, source string, description any, at funds) (store.Obj, error) {
	if details == nil {
		details = []any{}
	}
	return putBalanceTransactionIn(c, account, store.Obj{
		"amount": amount, "available_on": at.availableOn, "currency": currency, "description": description,
		"exchange_rate": nil, "fee": fee, "fee_details": details, "balance_type": "payments", "net": amount - fee,
		"reporting_category": category, "source": source, "status": at.status, "type": typ,
	})
}

// applicationFeeDetail is the fee_details entry for an application fee
// taken out of a payment on a connected account.
func applicationFeeDetail(amount int64, currency any, application string) store.Obj {
	return store.Obj{"amount": amount, "application": application, "currency": currency, "description": "Application fee", "type": "application_fee"}
}

// emptyList is an embedded list with nothing yet.
func emptyList(url string) store.Obj {
	return store.Obj{"object": "list", "data": []any{}, "has_more": false, "url": url}
}

// prependToList puts o first in an embedded list (a copy), keeping the
// newest embeddedListSize.
func prependToList(list any, o store.Obj) store.Obj {
	l := api.Clone(api.Obj(list))
	data, _ := l["data"].([]any)
	data = append([]any{api.Clone(o)}, data...)
	if len(data) > embeddedListSize {
		data = data[:embeddedListSize]
		l["has_more"] = true
	}
	l["data"] = data
	return l
}

// replaceInList puts o in place of the entry with its id, if listed.
func replaceInList(list any, o store.Obj) (store.Obj, bool) {
	l := api.Clone(api.Obj(list))
	data, _ := l["data"].([]any)
	for i, it := range data {
		if api.Obj(it)["id"] == o["id"] {
			data[i] = api.Clone(o)
			return l, true
		}
	}
	return l, false
}

// newTransfer is what a transfer is made of.
type newTransfer struct {
	amount      int64
	currency    any
	destination string
	source      store.Obj // the platform charge it is funded by, or nil
	group       any       // transfer_group (string or nil)
	description any
	metadata    map[string]any // nil for none
	// appFee is what the platform collects back from the payment (a
	// destination charge's application_fee_amount), 0 for none.
	appFee int64
	// at is the availability of the funds moved.
	at funds
	// sourceType is the part of the balance it draws from: card unless
	// bank_account (top-up funds).
	sourceType string
}

// makeTransfer moves money from the platform to a connected account: the
// transfer and its balance transaction on the platform, the payment (py_)
// and its balance transaction on the connected account, and, when the
// platform collects a fee out of it, the application fee and its balance
// transaction on the platform. It stores everything and emits
// transfer.created (and application_fee.created) on the platform; the
// transfer is returned stored, for the caller to edit and store again.
func makeTransfer(c *api.Call, t newTransfer) (tr, fee store.Obj, err error) {
	platform, dest := c.Platform, t.destination
	application := c.ConnectApplication()
	trID, pyID := c.NewID("transfer"), c.IDs.Long(paymentPrefix)
	trTxn, err := connectTxn(c, platform, -t.amount, 0, nil, t.currency, "transfer", "transfer", trID, t.description, t.at)
	if err != nil {
		return nil, nil, err
	}
	var feeID any
	var details []any
	if t.appFee > 0 {
		feeID = c.NewID("application_fee")
		details = []any{applicationFeeDetail(t.appFee, t.currency, application)}
	}
	pyTxn, err := connectTxn(c, dest, t.amount, t.appFee, details, t.currency, "payment", "charge", pyID, nil, recipientFunds(c, dest, t.at))
	if err != nil {
		return nil, nil, err
	}
	var appFeeAmount any
	if t.appFee > 0 {
		appFeeAmount = t.appFee
	}
	py := c.Object("charge", pyID, store.Obj{
		"amount": t.amount, "amount_captured": t.amount, "amount_refunded": int64(0), "application": application,
		"application_fee": feeID, "application_fee_amount": appFeeAmount, "balance_transaction": pyTxn["id"],
		"billing_details":                 store.Obj{"address": emptyAddress(), "email": nil, "name": nil, "phone": nil, "tax_id": nil},
		"calculated_statement_descriptor": nil, "captured": true, "currency": t.currency, "customer": nil, "description": nil,
		"disputed": false, "failure_balance_transaction": nil, "failure_code": nil, "failure_message": nil,
		"fraud_details": store.Obj{}, "metadata": map[string]any{}, "on_behalf_of": nil, "outcome": nil, "paid": true,
		"payment_intent": nil, "payment_method": nil,
		"payment_method_details": store.Obj{"type": "stripe_account", "stripe_account": store.Obj{}},
		"receipt_email":          nil, "receipt_number": nil, "receipt_url": nil, "refunded": false, "review": nil, "shipping": nil,
		// Paid from the platform's Stripe account, which Stripe shows as
		// the payment's source.
		"source": store.Obj{"id": platform, "object": "account"}, "source_transfer": trID, "statement_descriptor": nil, "statement_descriptor_suffix": nil,
		"status": "succeeded", "transfer_data": nil, "transfer_group": t.group,
	})
	if err := c.PutIn(dest, py); err != nil {
		return nil, nil, err
	}
	var source any
	if t.source != nil {
		source = t.source["id"]
	}
	if t.metadata == nil {
		t.metadata = map[string]any{}
	}
	tr = c.Object("transfer", trID, store.Obj{
		"amount": t.amount, "amount_reversed": int64(0), "balance_transaction": trTxn["id"], "currency": t.currency,
		"description": t.description, "destination": dest, "destination_payment": pyID, "metadata": t.metadata,
		"reversals": emptyList("/v1/transfers/" + trID + "/reversals"), "reversed": false,
		"source_transaction": source, "source_type": sourceTypeOr(t.sourceType), "transfer_group": t.group,
	})
	if err := c.PutIn(platform, tr); err != nil {
		return nil, nil, err
	}
	c.EmitIn(platform, "transfer.created", tr, nil)
	if t.appFee > 0 {
		var origin any
		if t.source != nil {
			origin = t.source["id"]
		}
		fee, err = collectFee(c, api.Str(feeID), dest, pyID, origin, t.appFee, t.currency, t.at)
		if err != nil {
			return nil, nil, err
		}
	}
	return tr, fee, nil
}

// collectFee records an application fee the platform collected out of a
// charge on a connected account (the fee was already taken out of that
// charge's balance transaction): the fee_… object and its balance
// transaction on the platform, with application_fee.created.
// originating is the platform's charge for a destination charge.
func collectFee(c *api.Call, id, account, chargeID string, originating any, amount int64, currency any, at funds) (store.Obj, error) {
	platform, application := c.Platform, c.ConnectApplication()
	txn, err := connectTxn(c, platform, amount, 0, nil, currency, "application_fee", "platform_earning", id, nil, at)
	if err != nil {
		return nil, err
	}
	fee := c.Object("application_fee", id, store.Obj{
		"account": account, "amount": amount, "amount_refunded": int64(0), "application": application,
		"balance_transaction": txn["id"], "charge": chargeID, "currency": currency,
		"fee_source": store.Obj{"charge": chargeID, "type": "charge"}, "originating_transaction": originating,
		"refunded": false, "refunds": emptyList("/v1/application_fees/" + id + "/refunds"),
	})
	if err := c.PutIn(platform, fee); err != nil {
		return nil, err
	}
	c.EmitIn(platform, "application_fee.created", fee, nil)
	return fee, nil
}

// moveChargeFunds is what a captured charge's funds do under Connect, once
// its own balance transaction (txn) is recorded: a destination charge
// transfers to its destination, collecting its application fee from the
// payment there; a direct charge's application fee (already taken out of
// txn by settleFunds) goes to the platform. It sets the charge's transfer
// and application_fee (the caller stores the charge).
func moveChargeFunds(c *api.Call, ch, txn store.Obj, appFee int64) error {
	at := fundsOf(c, c.Account, api.Str(txn["id"]))
	if td := api.Obj(ch["transfer_data"]); td["destination"] != nil {
		captured := api.Int(ch["amount_captured"])
		amount := captured
		if td["amount"] != nil {
			amount = min(api.Int(td["amount"]), captured)
		}
		tr, fee, err := makeTransfer(c, newTransfer{
			amount: amount, currency: ch["currency"], destination: api.Str(td["destination"]), source: ch,
			group: ch["transfer_group"], appFee: appFee, at: at,
		})
		if err != nil {
			return err
		}
		ch["transfer"] = tr["id"]
		if fee != nil {
			ch["application_fee"] = fee["id"]
		}
		return nil
	}
	if c.Connected && appFee > 0 {
		fee, err := collectFee(c, c.NewID("application_fee"), c.Account, api.Str(ch["id"]), nil, appFee, ch["currency"], at)
		if err != nil {
			return err
		}
		ch["application_fee"] = fee["id"]
	}
	return nil
}

// appFeeOf is the application fee a captured charge collects: its
// application_fee_amount, capped at what was captured.
func appFeeOf(ch store.Obj) int64 {
	if ch["application_fee_amount"] == nil {
		return 0
	}
	return min(api.Int(ch["application_fee_amount"]), api.Int(ch["amount_captured"]))
}

// reverseTransfer takes amount of a transfer back from its destination:
// the reversal, the payment's refund (pyr_) and both balance transactions,
// transfer.reversed on the platform. id is the reversal's id (made ahead
// by refunds, which name it first); sourceRefund the refund that asked for
// it, if any. It returns the reversal and the transfer as now stored.
func reverseTransfer(c *api.Call, before store.Obj, id string, amount int64, sourceRefund, metadata any) (trr, tr store.Obj, err error) {
	platform, dest := c.Platform, api.Str(before["destination"])
	trID := api.Str(before["id"])
	remaining := api.Int(before["amount"]) - api.Int(before["amount_reversed"])
	if remaining <= 0 {
		return nil, nil, apierr.InvalidRequest("The transfer %s is already fully reversed.", trID)
	}
	if amount > remaining {
		currency := api.Str(before["currency"])
		return nil, nil, apierr.InvalidRequest("Transfer reversal amount (%s) is greater than the amount left on the transfer (%s).", money(amount, currency), money(remaining, currency)).WithParam("amount")
	}
	if !fromDestinationCharge(c, before) {
		// Stripe reverses a transfer that is not a destination charge's
		// only when the destination can cover it.
		if have := balanceSums(c, dest)[api.Str(before["currency"])]; have == nil || have.available+have.pending < amount {
			return nil, nil, apierr.InvalidRequest("The destination account %s does not have enough balance to cover this reversal.", dest).WithParam("amount").WithCode("balance_insufficient")
		}
	}
	at := fundsOf(c, platform, api.Str(before["balance_transaction"]))
	pyBefore, ok := c.Tx.Get(dest, "charge", api.Str(before["destination_payment"]))
	if !ok {
		return nil, nil, apierr.Internal("the payment of transfer %s is missing", trID)
	}
	pyAt := fundsOf(c, dest, api.Str(pyBefore["balance_transaction"]))
	pyrID := c.IDs.Long(paymentRefundPrefix)
	pyrTxn, err := connectTxn(c, dest, -amount, 0, nil, before["currency"], "payment_refund", "refund", pyrID, nil, pyAt)
	if err != nil {
		return nil, nil, err
	}
	pyr := c.Base("refund", pyrID)
	delete(pyr, "livemode") // Stripe's refunds have none
	for k, v := range map[string]any{
		"amount": amount, "balance_transaction": pyrTxn["id"], "charge": pyBefore["id"], "currency": before["currency"],
		"metadata": map[string]any{}, "payment_intent": nil, "reason": nil, "receipt_number": nil,
		"source_transfer_reversal": id, "status": "succeeded", "transfer_reversal": nil,
	} {
		pyr[k] = v
	}
	if err := c.PutIn(dest, pyr); err != nil {
		return nil, nil, err
	}
	py := api.Clone(pyBefore)
	py["amount_refunded"] = api.Int(py["amount_refunded"]) + amount
	py["refunded"] = api.Int(py["amount_refunded"]) >= api.Int(py["amount"])
	if err := c.PutIn(dest, py); err != nil {
		return nil, nil, err
	}
	txn, err := connectTxn(c, platform, amount, 0, nil, before["currency"], "transfer_refund", "transfer_reversal", id, nil, at)
	if err != nil {
		return nil, nil, err
	}
	trr = c.Base("transfer_reversal", id)
	delete(trr, "livemode") // Stripe's reversals have none
	for k, v := range map[string]any{
		"amount": amount, "balance_transaction": txn["id"], "currency": before["currency"],
		"destination_payment_refund": pyrID, "metadata": metadata, "source_refund": sourceRefund, "transfer": trID,
	} {
		trr[k] = v
	}
	if err := c.PutIn(platform, trr); err != nil {
		return nil, nil, err
	}
	tr = api.Clone(before)
	tr["amount_reversed"] = api.Int(tr["amount_reversed"]) + amount
	tr["reversed"] = api.Int(tr["amount_reversed"]) >= api.Int(tr["amount"])
	tr["reversals"] = prependToList(tr["reversals"], trr)
	if err := c.PutIn(platform, tr); err != nil {
		return nil, nil, err
	}
	c.EmitIn(platform, "transfer.reversed", tr, api.PreviousAttributes(before, tr))
	return trr, tr, nil
}

// fromDestinationCharge reports whether a transfer is the one a
// destination charge made.
func fromDestinationCharge(c *api.Call, tr store.Obj) bool {
	src := api.Str(tr["source_transaction"])
	if src == "" {
		return false
	}
	f, ok := c.Tx.Fields(c.Platform, "charge", src, "transfer")
	return ok && f[0].String() == api.Str(tr["id"])
}

// refundFee gives amount of an application fee back to the account it
// was collected from: the fee refund (fr_) and a balance transaction on
// each side, application_fee.refunded on the platform. It returns the fee
// refund (metadata its metadata).
func refundFee(c *api.Call, before store.Obj, amount int64, metadata any) (store.Obj, error) {
	platform, account := c.Platform, api.Str(before["account"])
	id := api.Str(before["id"])
	remaining := api.Int(before["amount"]) - api.Int(before["amount_refunded"])
	// An amount too large is refused by it, on a fee fully refunded too
	// (Stripe's "… on fee ($0.00)").
	if amount > remaining {
		currency := api.Str(before["currency"])
		return nil, apierr.InvalidRequest("Refund amount (%s) is greater than unrefunded amount on fee (%s)", money(amount, currency), money(remaining, currency)).WithParam("amount")
	}
	if remaining <= 0 {
		return nil, apierr.InvalidRequest("Application fee %s has already been refunded.", id)
	}
	at := fundsOf(c, platform, api.Str(before["balance_transaction"]))
	frID := c.NewID("fee_refund")
	txn, err := connectTxn(c, platform, -amount, 0, nil, before["currency"], "application_fee_refund", "platform_earning_refund", frID, nil, at)
	if err != nil {
		return nil, err
	}
	// The account the fee was collected from books it back as a fee
	// returned: Stripe's reporting categories file "Connect platform fee
	// refunds" under fee.
	if _, err := connectTxn(c, account, amount, 0, nil, before["currency"], "application_fee_refund", "fee", frID, nil, at); err != nil {
		return nil, err
	}
	fr := c.Base("fee_refund", frID)
	delete(fr, "livemode") // Stripe's fee refunds have none
	for k, v := range map[string]any{
		"amount": amount, "balance_transaction": txn["id"], "currency": before["currency"], "fee": id, "metadata": metadata,
	} {
		fr[k] = v
	}
	if err := c.PutIn(platform, fr); err != nil {
		return nil, err
	}
	fee := api.Clone(before)
	fee["amount_refunded"] = api.Int(fee["amount_refunded"]) + amount
	fee["refunded"] = api.Int(fee["amount_refunded"]) >= api.Int(fee["amount"])
	fee["refunds"] = prependToList(fee["refunds"], fr)
	if err := c.PutIn(platform, fee); err != nil {
		return nil, err
	}
	c.EmitIn(platform, "application_fee.refunded", fee, api.PreviousAttributes(before, fee))
	return fr, nil
}
