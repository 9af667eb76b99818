package billing

import (
	"fmt"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// linkedRefunds reads a credit note's refunds[]: refunds already made of
// the invoice's payments (POST /v1/refunds) that the credit note accounts
// for instead of refunding again, each for its amount_refunded (by
// default the whole refund), never more of a refund than other credit
// notes have left of it. It returns the credit note's refunds entries
// and their sum; only a note with a post-payment part (post, what it
// credits past what remains to pay) links refunds.
func linkedRefunds(c *api.Call, inv store.Obj, post int64) ([]any, int64, error) {
	entries := c.Params.Array("refunds")
	if len(entries) == 0 {
		return nil, 0, nil
	}
	if post == 0 {
		return nil, 0, apierr.InvalidRequest("Refunds can only be linked to the part of a credit note credited after payment: this credit note only lowers what remains to pay on invoice %s.", inv["id"]).WithParam("refunds")
	}
	intents := map[string]bool{}
	for _, p := range c.Tx.List(c.Account, "invoice_payment", store.Query{Index: "invoice", Value: api.Str(inv["id"])}).Data {
		intents[api.Str(api.Obj(p["payment"])["payment_intent"])] = true
	}
	// What earlier credit notes of the invoice already account for, by
	// refund.
	used := map[string]int64{}
	for _, cn := range c.Tx.List(c.Account, "credit_note", store.Query{Index: "invoice", Value: api.Str(inv["id"])}).Data {
		refunds, _ := cn["refunds"].([]any)
		for _, r := range refunds {
			used[api.Str(api.Obj(r)["refund"])] += api.Int(api.Obj(r)["amount_refunded"])
		}
	}
	var out []any
	var sum int64
	for i, e := range entries {
		param := fmt.Sprintf("refunds[%d]", i)
		id, _ := e.Str("refund")
		if id == "" {
			return nil, 0, apierr.MissingParam(param + "[refund]")
		}
		re, ok := c.Tx.Get(c.Account, "refund", id)
		if !ok {
			return nil, 0, apierr.NoSuchObject("refund", id, param+"[refund]")
		}
		if !intents[api.Str(re["payment_intent"])] {
			return nil, 0, apierr.InvalidRequest("The refund %s is not a refund of a payment of invoice %s.", id, inv["id"]).WithParam(param + "[refund]")
		}
		if s := re["status"]; s == "failed" || s == "canceled" {
			return nil, 0, apierr.InvalidRequest("The refund %s has status %s and cannot be linked to a credit note.", id, s).WithParam(param + "[refund]")
		}
		left := api.Int(re["amount"]) - used[id]
		amount, ok := e.Int("amount_refunded")
		if !ok {
			amount = left
		}
		if amount <= 0 || amount > left {
			return nil, 0, apierr.InvalidRequest("The amount_refunded (%d) must be positive and at most what is left of refund %s to link (%d).", amount, id, left).WithParam(param + "[amount_refunded]")
		}
		used[id] += amount
		sum += amount
		out = append(out, store.Obj{"amount_refunded": amount, "refund": id})
	}
	return out, sum, nil
}
