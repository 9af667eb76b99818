package issuing

import (
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

func transactionRoutes() []api.Route {
	return []api.Route{
		api.GET("/v1/issuing/transactions", params.FromStruct(stripe.IssuingTransactionListParams{}).Enum("type", "capture", "refund"), listTransactions),
		api.GET("/v1/issuing/transactions/{id}", params.FromStruct(stripe.IssuingTransactionRetrieveParams{}), retrieveTransaction),
		api.POST("/v1/issuing/transactions/{id}", params.FromStruct(stripe.IssuingTransactionUpdateParams{}), updateTransaction),
		api.POST("/v1/test_helpers/issuing/transactions/create_force_capture", params.FromStruct(stripe.TestHelpersIssuingTransactionCreateForceCaptureParams{}), unlinkedTransaction("capture")),
		api.POST("/v1/test_helpers/issuing/transactions/create_unlinked_refund", params.FromStruct(stripe.TestHelpersIssuingTransactionCreateUnlinkedRefundParams{}), unlinkedTransaction("refund")),
		api.POST("/v1/test_helpers/issuing/transactions/{id}/refund", params.FromStruct(stripe.TestHelpersIssuingTransactionRefundParams{}), refundTransaction),
	}
}

// newTransaction stores a transaction on card of typ (capture, refund)
// for amount (negative for money spent), with its issuing_transaction
// balance transaction, and emits issuing_transaction.created. authCode
// is the code of the approved authorization it comes of (nil for none):
// network_data.authorization_code "will be populated if the
// authorization message was approved" (Stripe's reference).
func newTransaction(c *api.Call, card store.Obj, typ string, amount int64, cur string, merchant store.Obj, authorization, authCode, wallet any) (store.Obj, error) {
	id := c.NewID("issuing.transaction")
	bt, err := payments.PutIssuingBalanceTransaction(c, "issuing_transaction", amount, cur, id)
	if err != nil {
		return nil, err
	}
	txn := c.Object("issuing.transaction", id, store.Obj{
		"amount": amount, "amount_details": store.Obj{"atm_fee": nil, "cashback_amount": nil},
		"authorization": authorization, "balance_transaction": bt["id"], "card": card["id"],
		"cardholder": api.Obj(card["cardholder"])["id"], "currency": cur, "dispute": nil,
		"merchant_amount": amount, "merchant_currency": cur, "merchant_data": api.Clone(merchant),
		"metadata": map[string]any{},
		"network_data": store.Obj{
			"authorization_code": authCode, "processing_date": time.Unix(c.Now, 0).UTC().Format("2006-01-02"), "transaction_id": nil,
		},
		"token": nil, "type": typ, "wallet": wallet,
	})
	return txn, c.PutEmit(txn, "issuing_transaction.created", nil)
}

// unlinkedTransaction serves the test helpers making a transaction no
// authorization asked for: a force capture (money spent) or an unlinked
// refund (money back). Neither is decided: the merchant's network sends
// them, whatever the card, its controls or the balance.
func unlinkedTransaction(typ string) func(c *api.Call) (any, error) {
	return func(c *api.Call) (any, error) {
		cardID, _ := c.Params.Str("card")
		card, ok := c.Tx.Get(c.Account, "issuing.card", cardID)
		if !ok {
			return nil, apierr.NoSuchObject("issuing card", cardID, "card")
		}
		amount, _ := c.Params.Int("amount")
		if amount < 1 {
			return nil, apierr.InvalidRequest("Invalid amount: must be at least 1.").WithParam("amount")
		}
		cur, _ := c.Params.Str("currency")
		if cur == "" {
			cur = api.Str(card["currency"])
		}
		if cur != card["currency"] {
			return nil, apierr.InvalidRequest("stripe-emu does not emulate transactions in a currency other than the card's (%s): it converts no currencies.", card["currency"]).WithParam("currency")
		}
		merchant, err := merchantData(c)
		if err != nil {
			return nil, err
		}
		if typ == "capture" {
			amount = -amount
		}
		txn, err := newTransaction(c, card, typ, amount, cur, merchant, nil, nil, nil)
		if err != nil {
			return nil, err
		}
		return txn, keepPurchaseDetails(c, txn, purchaseDetails(c))
	}
}

// refundTransaction refunds refund_amount (all that is left by default)
// of a capture: a refund transaction for the same card, authorization and
// merchant. The answer is the capture refunded, "not the new Transaction
// object of type refund that will be created as a side-effect of this
// API call" (Stripe's reference): issuing_transaction.created shows that.
func refundTransaction(c *api.Call) (any, error) {
	capture, err := c.Load("issuing.transaction", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if capture["type"] != "capture" {
		return nil, apierr.InvalidRequest("Only capture transactions can be refunded; %s is a %s.", capture["id"], capture["type"])
	}
	left := -api.Int(capture["amount"]) - refunded(c, capture)
	n := left
	if v, ok := c.Params.Int("refund_amount"); ok {
		n = v
	}
	if n < 1 || n > left {
		return nil, apierr.InvalidRequest("Refund amount must be between 1 and what is left to refund of the transaction (%d).", left).WithParam("refund_amount")
	}
	card, ok := c.Tx.Get(c.Account, "issuing.card", api.Str(capture["card"]))
	if !ok {
		return nil, apierr.NoSuchObject("issuing card", api.Str(capture["card"]), "card")
	}
	refund, err := newTransaction(c, card, "refund", n, api.Str(capture["currency"]), api.Obj(capture["merchant_data"]), capture["authorization"],
		api.Obj(capture["network_data"])["authorization_code"], capture["wallet"])
	if err != nil {
		return nil, err
	}
	if err := c.SetMeta(metaRefundOf(c.Account, api.Str(refund["id"])), api.Str(capture["id"])); err != nil {
		return nil, err
	}
	if auth := api.Str(capture["authorization"]); auth != "" {
		if before, ok := c.Tx.Get(c.Account, "issuing.authorization", auth); ok {
			after := api.Clone(before)
			after["transactions"] = append(append([]any{}, before["transactions"].([]any)...), refund)
			if err := c.Put(after); err != nil {
				return nil, err
			}
		}
	}
	return capture, nil
}

// metaRefundOf names the capture a refund transaction gave money back of.
func metaRefundOf(account, id string) string { return "issuingrefund:" + account + ":" + id }

// refunded is how much of a capture its refunds gave back.
func refunded(c *api.Call, capture store.Obj) int64 {
	var n int64
	c.Tx.EachIndexed(c.Account, "issuing.transaction", "card", api.Str(capture["card"]), func(t store.Obj) bool {
		if t["type"] == "refund" {
			if of, _ := c.Tx.GetMeta(metaRefundOf(c.Account, api.Str(t["id"]))); of == capture["id"] {
				n += api.Int(t["amount"])
			}
		}
		return true
	})
	return n
}

func retrieveTransaction(c *api.Call) (any, error) {
	return c.Retrieve("issuing.transaction", c.Var("id"))
}

// updateTransaction changes a transaction's metadata, shown too in its
// authorization's transactions.
func updateTransaction(c *api.Call) (any, error) {
	res, err := c.UpdateFields("issuing.transaction")
	if err != nil {
		return nil, err
	}
	txn := res.(store.Obj)
	if auth := api.Str(txn["authorization"]); auth != "" {
		if before, ok := c.Tx.Get(c.Account, "issuing.authorization", auth); ok {
			after := api.Clone(before)
			for i, t := range after["transactions"].([]any) {
				if api.Obj(t)["id"] == txn["id"] {
					after["transactions"].([]any)[i] = txn
				}
			}
			if err := c.Put(after); err != nil {
				return nil, err
			}
		}
	}
	return txn, nil
}

// listTransactions lists transactions newest first, by card, cardholder,
// type and created.
func listTransactions(c *api.Call) (any, error) {
	q, err := c.ListQuery("issuing.transaction")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "card")
	for _, f := range []string{"cardholder", "type"} {
		if v, _ := c.Params.Str(f); v != "" {
			q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Str(o[f]) == v })
		}
	}
	return c.Page("issuing.transaction", "/v1/issuing/transactions", q), nil
}
