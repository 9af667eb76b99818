package billing

import (
	"context"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// WaitedEvent is the event an invoice's automatic finalization waits on:
// Stripe finalizes a draft an hour after its invoice.created webhooks
// were delivered, and records when that was in webhooks_delivered_at.
const WaitedEvent = "invoice.created"

// webhookWaitLimit is how long a draft waits for its webhooks at most:
// "If we don't receive a successful response within 72 hours, we attempt
// to finalize and send the invoice."
const webhookWaitLimit = 72 * 3600

// settleTimeout bounds how long a clock's move waits for deliveries in
// flight: a few attempts, each cut off after the dispatcher's timeout.
const settleTimeout = 2 * time.Minute

// markWebhooksDelivered sets webhooks_delivered_at on a new invoice that
// has no webhooks to deliver: "If the invoice had no webhooks to deliver,
// this will be set while the invoice is being created."
func markWebhooksDelivered(c *api.Call, inv store.Obj, now int64) {
	if c.Events == nil || c.Events.Pending == nil || c.Events.Pending(c.Account, WaitedEvent) == 0 {
		inv["webhooks_delivered_at"] = now
	}
}

// settleWebhooks lets every delivery due by now land before a draft
// decides whether its webhooks arrived: the attempts a clock's move makes
// are stamped with their own moments, so what the draft finds depends on
// what the receiver answered, never on how fast it answered.
func settleWebhooks(env *api.Env) func() {
	if env == nil || env.Webhooks == nil {
		return nil
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), settleTimeout)
		defer cancel()
		_ = env.Webhooks.Flush(ctx)
	}
}

// awaitWebhooks tells whether a draft due to finalize waits longer for
// its invoice.created deliveries, and if so moves its finalization to
// when it next has news of them (a retry falling due) or to the 72-hour
// limit. A delivery that lands in the meantime sets the draft's time
// itself (WebhooksDelivered); a draft whose deliveries are all spent, or
// whose endpoints are gone, finalizes now.
func awaitWebhooks(c *api.Call, inv store.Obj) (later bool, err error) {
	if at := api.Int(inv["automatically_finalizes_at"]); inv["automatically_finalizes_at"] != nil && at > c.Now {
		// Moved later by a delivery since this work was queued: stored
		// again, so the work is asked for anew at the new time.
		return true, c.Put(api.Clone(inv))
	}
	if inv["webhooks_delivered_at"] != nil || c.Webhooks == nil || customFinalization(c.Tx, c.Account, api.Str(inv["id"])) {
		return false, nil
	}
	account := c.Account
	if account == c.Platform {
		account = ""
	}
	pending, next := c.Webhooks.Awaiting(account, WaitedEvent, api.Str(inv["id"]))
	if !pending {
		return false, nil
	}
	limit := api.Int(inv["created"]) + webhookWaitLimit
	if limit <= c.Now {
		return false, nil
	}
	when := limit
	if !next.IsZero() && next.Unix() < limit {
		when = max(next.Unix(), c.Now+1)
	}
	after := api.Clone(inv)
	if err := rememberPlannedFinalization(c.Tx, c.Account, inv); err != nil {
		return false, err
	}
	after["automatically_finalizes_at"] = when
	planDraftAttempt(after)
	return true, c.Put(after)
}

// waitKey names where a draft whose finalization was put off for its
// webhooks keeps the time it had planned.
func waitKey(account, invoiceID string) string { return "webhook_wait:" + account + ":" + invoiceID }

func rememberPlannedFinalization(tx *store.Tx, account string, inv store.Obj) error {
	key := waitKey(account, api.Str(inv["id"]))
	if _, ok := tx.GetMeta(key); ok {
		return nil
	}
	return tx.SetMetaJSON(key, api.Int(inv["automatically_finalizes_at"]))
}

// WebhooksDelivered records that every endpoint took an invoice's
// invoice.created at at (on the emulator clock): the invoice's
// webhooks_delivered_at, and for a draft waiting on it, finalization an
// hour later (never before the time it had planned). On a test clock the
// delivery comes after the clock's advance, at the clock's time.
func WebhooksDelivered(tx *store.Tx, account, invoiceID string, at int64) error {
	inv, ok := tx.Get(account, "invoice", invoiceID)
	if !ok || inv["webhooks_delivered_at"] != nil {
		return nil
	}
	inv = api.Clone(inv)
	if clockID := api.Str(inv["test_clock"]); clockID != "" {
		if clk, ok := tx.Get(account, "test_helpers.test_clock", clockID); ok {
			at = api.Int(clk["frozen_time"])
		}
	}
	at = max(at, api.Int(inv["created"]))
	waiting := inv["status"] == "draft" && inv["test_clock"] == nil && inv["automatically_finalizes_at"] != nil &&
		api.Int(inv["automatically_finalizes_at"]) > api.Int(inv["created"]) && !customFinalization(tx, account, invoiceID)
	inv["webhooks_delivered_at"] = at
	if waiting {
		planned := api.Int(inv["automatically_finalizes_at"])
		key := waitKey(account, invoiceID)
		var first int64
		if tx.GetMetaJSON(key, &first) {
			planned = first
			tx.DeleteMeta(key)
		}
		inv["automatically_finalizes_at"] = max(planned, at+AutoFinalizeDelay)
		planDraftAttempt(inv)
	}
	return tx.Put(account, inv)
}
