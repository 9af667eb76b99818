package billing

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// maxFinalizeAhead is how far ahead a draft may be scheduled to finalize
// (Stripe: up to 5 years in the future).
const maxFinalizeAhead = 5 * 365 * 86400

// finalizesAtParam reads automatically_finalizes_at on create and update
// of a draft: the time the clock finalizes it (billing's Timer reads the
// field) instead of an hour after it was made. It must be in the future,
// at most five years ahead, on an invoice that advances automatically.
func finalizesAtParam(c *api.Call, inv store.Obj, now int64) error {
	const name = "automatically_finalizes_at"
	t, ok := c.Params.Int(name)
	if !ok {
		return nil
	}
	if t <= now {
		return apierr.InvalidRequest("Invalid timestamp: must be an integer Unix timestamp in the future.").WithParam(name)
	}
	if t > now+maxFinalizeAhead {
		return apierr.InvalidRequest("Invalid %s: must be at most 5 years in the future.", name).WithParam(name)
	}
	if !api.Bool(inv["auto_advance"]) {
		return apierr.InvalidRequest("You can only set `%s` on an invoice with `auto_advance` set to true.", name).WithParam(name)
	}
	inv[name] = t
	// Stripe: "When you use a custom finalization time for invoices,
	// finalization won't be delayed because of invoice.created webhook
	// failures."
	return c.SetMeta(customFinalizationKey(c.Account, api.Str(inv["id"])), "1")
}

// customFinalizationKey marks a draft whose automatically_finalizes_at
// the caller chose, which the wait for its webhooks leaves alone.
func customFinalizationKey(account, invoiceID string) string {
	return "custom_finalization:" + account + ":" + invoiceID
}

// customFinalization tells whether the caller chose when the draft
// finalizes.
func customFinalization(tx *store.Tx, account, invoiceID string) bool {
	_, ok := tx.GetMeta(customFinalizationKey(account, invoiceID))
	return ok
}

// planDraftAttempt sets a draft's next_payment_attempt, "the time at
// which payment will next be attempted": a draft that finalizes by
// itself and is charged automatically is charged as it is finalized, at
// automatically_finalizes_at; any other draft plans no payment.
func planDraftAttempt(inv store.Obj) {
	if inv["status"] != "draft" {
		return
	}
	inv["next_payment_attempt"] = nil
	if api.Bool(inv["auto_advance"]) && inv["collection_method"] == "charge_automatically" {
		inv["next_payment_attempt"] = inv["automatically_finalizes_at"]
	}
}
