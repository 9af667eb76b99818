package billing

import (
	"sort"
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Pending updates (payment_behavior=pending_if_incomplete): an update
// that has to be paid for applies only once its invoice is paid. Until
// then the subscription carries the change in pending_update and keeps
// cycling as it was; past expires_at the invoice is voided and the change
// dropped.

// PendingUpdateTTL bounds how long a pending update waits for payment.
const PendingUpdateTTL = 23 * 3600

// pendingUpdateParams are what a pending update may change (Stripe's
// pending updates reference).
var pendingUpdateParams = map[string]bool{
	"expand": true, "payment_behavior": true, "proration_behavior": true, "proration_date": true,
	"billing_cycle_anchor": true, "items": true, "trial_end": true, "trial_from_plan": true, "add_invoice_items": true,
}

var pendingItemParams = map[string]bool{"id": true, "price": true, "plan": true, "quantity": true, "deleted": true}

// checkPendingParams refuses what a pending update cannot carry.
func checkPendingParams(c *api.Call, sub store.Obj) error {
	if sub["collection_method"] != "charge_automatically" {
		return apierr.InvalidRequest("Pending updates are only supported for subscriptions with collection_method=charge_automatically.").WithParam("payment_behavior")
	}
	// Looked at with Sent, not read: what a pending update may carry is
	// still refused below if the update does not act on it.
	var bad []string
	sent, _ := c.Params.Sent("")
	top, _ := sent.(map[string]any)
	for name := range top {
		if !pendingUpdateParams[name] {
			bad = append(bad, name)
		}
	}
	items, _ := top["items"].([]any)
	for i, it := range items {
		m, _ := it.(map[string]any)
		for name := range m {
			if !pendingItemParams[name] {
				bad = append(bad, "items["+strconv.Itoa(i)+"]["+name+"]")
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	if strings.HasPrefix(c.Endpoint, "POST /v1/subscription_items") {
		// The item endpoints hand their item over as items[0]: name
		// what was refused as their caller sent it, against their own
		// list of what a pending update takes (Stripe's pending updates
		// reference lists both).
		for i, name := range bad {
			bad[i] = itemParamName(name)
		}
		sort.Strings(bad)
		return apierr.InvalidRequest("When payment_behavior is pending_if_incomplete, only these parameters can be updated: expand, payment_behavior, proration_behavior, proration_date, price, quantity. You sent: %s.", strings.Join(bad, ", ")).WithParam(bad[0])
	}
	sort.Strings(bad)
	return apierr.InvalidRequest("When payment_behavior is pending_if_incomplete, only these parameters can be updated: expand, payment_behavior, proration_behavior, proration_date, billing_cycle_anchor, items (price, quantity), trial_end, trial_from_plan, add_invoice_items. You sent: %s.", strings.Join(bad, ", ")).WithParam(bad[0])
}

// updatePending invoices the change against the subscription as it is,
// records it as the subscription's pending_update and tries to collect:
// paid, the change applies at once (see applyPendingUpdate); unpaid, it
// waits.
func updatePending(c *api.Call, before, after store.Obj) (store.Obj, error) {
	inv, err := subscriptionInvoiceFromPending(c, before)
	if err != nil {
		return nil, err
	}
	cur, _ := c.Tx.Get(c.Account, "subscription", api.Str(before["id"]))
	expires := c.Now + PendingUpdateTTL
	if end := periodEnd(cur); end > c.Now && end < expires {
		expires = end
	}
	if cur["status"] == "trialing" && cur["trial_end"] != nil && api.Int(cur["trial_end"]) < expires {
		expires = api.Int(cur["trial_end"])
	}
	items := make([]any, 0, len(subItems(after)))
	for _, it := range subItems(after) {
		items = append(items, it)
	}
	next := api.Clone(cur)
	next["pending_update"] = store.Obj{
		"billing_cycle_anchor": nil, "expires_at": expires, "subscription_items": items,
		"trial_end": nil, "trial_from_plan": nil,
	}
	// Stored quietly: if the payment goes through at once, the only
	// change anyone sees is the update itself.
	if err := c.Put(next); err != nil {
		return nil, err
	}
	c.SetScratch(scratchPendingOrigin+api.Str(cur["id"]), cur)
	if err := collectNow(c, inv); err != nil {
		return nil, err
	}
	if err := c.Flush(); err != nil {
		return nil, err
	}
	out, _ := c.Tx.Get(c.Account, "subscription", api.Str(before["id"]))
	if out["pending_update"] != nil {
		c.Emit("customer.subscription.updated", out, store.Obj{"pending_update": nil})
	}
	return out, nil
}

const scratchPendingOrigin = "billing.pending_origin:"

// pendingUpdateFor reports whether inv is the invoice of sub's pending
// update.
func pendingUpdateFor(sub, inv store.Obj) bool {
	return sub["pending_update"] != nil && sub["latest_invoice"] == inv["id"]
}

// applyPendingUpdate makes a paid pending update real.
func applyPendingUpdate(c *api.Call, before store.Obj) error {
	after := api.Clone(before)
	var items []store.Obj
	for _, it := range api.Obj(after["pending_update"])["subscription_items"].([]any) {
		items = append(items, api.Obj(it))
	}
	setItems(after, items)
	after["pending_update"] = nil
	if origin, _ := c.Scratch(scratchPendingOrigin + api.Str(before["id"])).(store.Obj); origin != nil {
		// Paid within the update's own request: compare with the
		// subscription as the caller last saw it.
		prev := api.PreviousAttributes(origin, after)
		if err := c.Put(after); err != nil {
			return err
		}
		c.Emit("customer.subscription.updated", after, prev)
		return nil
	}
	// A pending update the subscription showed is announced as applied.
	if err := c.Save(before, after); err != nil {
		return err
	}
	c.Emit("customer.subscription.pending_update_applied", after, nil)
	return nil
}

// expirePendingUpdate drops an unpaid pending update and voids its invoice.
func expirePendingUpdate(c *api.Call, id string) error {
	before, ok := c.Tx.Get(c.Account, "subscription", id)
	if !ok || before["pending_update"] == nil {
		return nil
	}
	if inv, ok := c.Tx.Get(c.Account, "invoice", api.Str(before["latest_invoice"])); ok && inv["status"] == "open" {
		if _, err := void(c, inv); err != nil {
			return err
		}
	}
	before, _ = c.Tx.Get(c.Account, "subscription", id)
	after := api.Clone(before)
	after["pending_update"] = nil
	if err := c.Save(before, after); err != nil {
		return err
	}
	c.Emit("customer.subscription.pending_update_expired", after, nil)
	return nil
}
