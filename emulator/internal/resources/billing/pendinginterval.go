package billing

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// pending_invoice_item_interval: a subscription's pending invoice items
// (those made for it, prorations included; not the customer's others) are invoiced on their own
// every interval, as if an invoice were created for the subscription
// then; next_pending_invoice_item_invoice shows when, and billing's Timer
// reads it (one more field of the walk it makes anyway).

// applyPendingInterval reads pending_invoice_item_interval on create and
// update: at most a year (1 year, 12 months, 52 weeks or 365 days); an
// empty value removes it. The next invoice of pending items is one
// interval from now.
func applyPendingInterval(c *api.Call, sub store.Obj, now int64) error {
	const name = "pending_invoice_item_interval"
	if !c.Params.Has(name) {
		return nil
	}
	if c.Params.Unset(name) {
		sub[name], sub["next_pending_invoice_item_invoice"] = nil, nil
		return nil
	}
	p, _ := c.Params.Obj(name)
	interval, _ := p.Str("interval")
	if interval == "" {
		return apierr.MissingParam(name + "[interval]")
	}
	count, ok := p.Int("interval_count")
	if !ok {
		count = 1
	}
	limit := map[string]int64{"day": 365, "week": 52, "month": 12, "year": 1}[interval]
	if limit == 0 {
		return apierr.InvalidRequest("Invalid %s[interval]: must be one of day, week, month, or year", name).WithParam(name + "[interval]")
	}
	if count < 1 || count > limit {
		return apierr.InvalidRequest("Invalid %s: the maximum interval is one year (1 year, 12 months, 52 weeks or 365 days).", name).WithParam(name + "[interval_count]")
	}
	sub[name] = store.Obj{"interval": interval, "interval_count": count}
	sub["next_pending_invoice_item_invoice"] = addInterval(now, interval, count)
	return nil
}

// invoicePendingItems is the work due at a subscription's
// next_pending_invoice_item_invoice: its pending invoice items, if any,
// go on an invoice of their own (billing_reason
// automatic_pending_invoice_item_invoice), a draft that finalizes and is
// collected an hour later like a renewal's, and the next such invoice is
// one interval on.
func invoicePendingItems(c *api.Call, id string) error {
	before, ok := c.Tx.Get(c.Account, "subscription", id)
	if !ok {
		return nil
	}
	iv := api.Obj(before["pending_invoice_item_interval"])
	next := api.Int(before["next_pending_invoice_item_invoice"])
	if iv == nil || before["next_pending_invoice_item_invoice"] == nil || next > c.Now {
		return nil
	}
	interval, count := api.Str(iv["interval"]), max(api.Int(iv["interval_count"]), 1)
	after := api.Clone(before)
	for next <= c.Now {
		next = addInterval(next, interval, count)
	}
	after["next_pending_invoice_item_invoice"] = next
	// "Analogous to calling Create an invoice for the given subscription"
	// (Stripe's reference), which "will only include pending invoice
	// items for that subscription": the customer's others wait for a
	// scheduled invoice.
	if own := pendingOf(pendingFor(c, before), api.Str(before["id"])); len(own) > 0 {
		inv, err := draftFromPendingAs(c, before, "automatic_pending_invoice_item_invoice", func(inv store.Obj) {
			inv["auto_advance"] = true
			inv["automatically_finalizes_at"] = c.Now + AutoFinalizeDelay
			if days := before["days_until_due"]; days != nil {
				inv["due_date"] = c.Now + api.Int(days)*86400
			}
		}, own)
		if err != nil {
			return err
		}
		after["latest_invoice"] = inv["id"]
	}
	return c.Save(before, after)
}

// invoiceItemSubscription reads an invoice item's subscription on create:
// the item waits for that subscription's next invoice (its renewal, or an
// invoice of pending items on its pending_invoice_item_interval) and no
// other's.
func invoiceItemSubscription(c *api.Call, ii store.Obj, customer string) error {
	id, _ := c.Params.Str("subscription")
	if id == "" {
		return nil
	}
	if ii["invoice"] != nil {
		return apierr.Exclusive("invoice", "subscription")
	}
	f, ok := c.Tx.Fields(c.Account, "subscription", id, "customer", "status")
	if !ok {
		return apierr.NoSuchObject("subscription", id, "subscription")
	}
	if f[0].String() != customer {
		return apierr.InvalidRequest("The subscription %s belongs to another customer.", id).WithParam("subscription")
	}
	if s := f[1].String(); subscriptionEnded(s) {
		return apierr.InvalidRequest("The subscription %s is %s: invoice items cannot be added to it.", id, s).WithParam("subscription")
	}
	ii["parent"] = store.Obj{"type": "subscription_details", "subscription_details": store.Obj{"subscription": id}}
	return nil
}
