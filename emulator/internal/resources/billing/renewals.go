package billing

import (
	"fmt"
	"slices"
	"sort"
	"strconv"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/catalog"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
	"github.com/tidwall/gjson"
)

// What time drives, for the subscriptions and invoices of one clock (the
// emulator's own, or one test clock): renewals at period end, trial-end
// warnings, automatic finalization an hour after a renewal invoice is
// created, payment retries, and expiry of unpaid first invoices.

type dueAction struct {
	at   int64
	kind string // renew, finalize, retry, expire, trial_will_end
	id   string
}

// dueFields are the fields Due reads from a stored subscription.
var dueFields = []string{"id", "pending_update.expires_at", "created", "items.data.0.current_period_end", "trial_end", "trial_start", "cancel_at", "pause_collection.resumes_at",
	"items.data.0.current_period_start", "cancel_at_period_end", "collection_method", "pause_collection", "test_clock", "status",
	"next_pending_invoice_item_invoice"}

// Due lists what is due by target for objects on clockID ("" = the
// emulator clock), earliest first. It reads the few fields it needs from
// the stored JSON, in one walk of each document.
func Due(tx *store.Tx, account, clockID string, target, upcomingLead int64) []dueAction {
	var out []dueAction
	each := dueScan(tx, account, clockID)
	// Schedules first: a phase that begins as a period ends changes the
	// subscription before it renews.
	each("subscription_schedule", []string{"not_started", "active"}, func(raw string) {
		out = scheduleDue(out, tx, account, clockID, store.Pick(raw, scheduleDueFields...), target)
	})
	each("subscription", []string{"active", "trialing", "past_due", "unpaid", "incomplete", "paused"}, func(raw string) {
		out = subscriptionDue(out, tx, account, clockID, store.Pick(raw, dueFields...), target, upcomingLead)
	})
	each("invoice", []string{"draft", "open"}, func(raw string) {
		out = invoiceDue(out, tx, account, clockID, store.Pick(raw, invoiceDueFields...), target)
	})
	// Customers whose repeating discount ends: on a test clock, its own.
	index, value := "discount_duration", "repeating"
	if clockID != "" {
		index, value = "test_clock", clockID
	}
	tx.EachIndexedRaw(account, "customer", index, value, func(raw string) bool {
		out = customerDue(out, clockID, store.Pick(raw, customerDueFields...), target)
		return true
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].at < out[j].at })
	return out
}

// dueScan walks the objects of a type that may have work due, in the
// given statuses, status by status: on the emulator's clock through the
// status index; on a test clock through the clock's own objects, so that
// advancing one clock reads none of the others'.
func dueScan(tx *store.Tx, account, clockID string) func(typ string, statuses []string, fn func(raw string)) {
	return func(typ string, statuses []string, fn func(raw string)) {
		if clockID == "" {
			for _, status := range statuses {
				tx.EachIndexedRaw(account, typ, "status", status, func(raw string) bool { fn(raw); return true })
			}
			return
		}
		var mine []string
		tx.EachIndexedRaw(account, typ, "test_clock", clockID, func(raw string) bool {
			mine = append(mine, raw)
			return true
		})
		for _, status := range statuses {
			for _, raw := range mine {
				if store.Pick(raw, "status")[0].String() == status {
					fn(raw)
				}
			}
		}
	}
}

// dueOf lists what is due by target for one subscription, invoice,
// schedule or customer.
func dueOf(tx *store.Tx, account, clockID string, ref store.Ref, target, upcomingLead int64) []dueAction {
	fields := dueFields
	switch ref.Type {
	case "invoice":
		fields = invoiceDueFields
	case "customer":
		fields = customerDueFields
	case "subscription_schedule":
		fields = scheduleDueFields
	}
	f, ok := tx.Fields(account, ref.Type, ref.ID, fields...)
	if !ok {
		return nil
	}
	switch ref.Type {
	case "invoice":
		return invoiceDue(nil, tx, account, clockID, f, target)
	case "customer":
		return customerDue(nil, clockID, f, target)
	case "subscription_schedule":
		return scheduleDue(nil, tx, account, clockID, f, target)
	}
	return subscriptionDue(nil, tx, account, clockID, f, target, upcomingLead)
}

var (
	invoiceDueFields  = []string{"id", "status", "test_clock", "automatically_finalizes_at", "next_payment_attempt", "collection_method", "due_date", "parent.subscription_details.subscription", "webhooks_delivered_at", "created"}
	customerDueFields = []string{"id", "test_clock", "discount.end"}
)

// invoiceDue appends an invoice's automatic finalization or payment
// retry, or a subscription's emailed invoice falling past due, if due.
func invoiceDue(out []dueAction, tx *store.Tx, account, clockID string, f []gjson.Result, target int64) []dueAction {
	if f[2].String() != clockID {
		return out
	}
	at := f[3]
	kind := "finalize"
	switch f[1].String() {
	case "draft":
		if clockID == "" && f[8].Type == gjson.Null && f[3].Int() > f[9].Int() {
			// Its invoice.created is still on its way to an endpoint:
			// the hour after creation waits for its delivery.
			kind = "finalize_after_webhooks"
		}
	case "open":
		at, kind = f[4], "retry"
		if f[5].String() == "send_invoice" {
			if f[7].String() == "" || f[6].Type != gjson.Number {
				return out
			}
			// The due date makes the subscription past_due; the account's
			// deadline after it, if it has one, does the rest. Both are
			// listed at once: going past_due writes no invoice, so the
			// deadline would not be looked for again in this advance.
			if settings := LoadSettings(tx, account); settings.SubscriptionAfterDue != AfterRetriesPastDue {
				if _, done := tx.GetMeta(deadlineKey(account, f[0].String())); !done {
					if deadline := f[6].Int() + int64(settings.DaysAfterDue)*86400; deadline <= target {
						out = append(out, dueAction{deadline, "overdue_deadline", f[0].String()})
					}
				}
			}
			if _, done := tx.GetMeta(overdueKey(account, f[0].String())); done {
				return out
			}
			at, kind = f[6], "overdue"
		}
	default:
		return out
	}
	if at.Type == gjson.Number && at.Int() <= target {
		out = append(out, dueAction{at.Int(), kind, f[0].String()})
	}
	return out
}

// customerDue appends the end of a customer's repeating discount, if
// due: its months over, it leaves the customer.
func customerDue(out []dueAction, clockID string, f []gjson.Result, target int64) []dueAction {
	if f[1].String() != clockID || f[2].Type != gjson.Number || f[2].Int() > target {
		return out
	}
	return append(out, dueAction{f[2].Int(), "discount_end", f[0].String()})
}

// subscriptionDue appends what is due for one subscription, in the order
// actions due at the same moment run.
func subscriptionDue(out []dueAction, tx *store.Tx, account, clockID string, f []gjson.Result, target, upcomingLead int64) []dueAction {
	if f[12].String() != clockID {
		return out
	}
	id, status := f[0].String(), f[13].String()
	switch status {
	case "active", "trialing", "past_due", "unpaid", "incomplete":
	case "paused":
		// A paused subscription makes no invoices; only a cancel_at set
		// while it is paused still ends it.
		if at := f[6].Int(); f[6].Type == gjson.Number && at <= target {
			out = append(out, dueAction{at, "cancel_at", id})
		}
		return out
	default:
		return out
	}
	if at := f[7].Int(); f[7].Type == gjson.Number && at <= target {
		// Collection resumes before a renewal due at the same time.
		out = append(out, dueAction{at, "resume_collection", id})
	}
	if at := f[6].Int(); f[6].Type == gjson.Number && at <= target && at < f[3].Int() && status != "incomplete" {
		// Ends mid-period; one ending with its period renews into its end
		// instead.
		return append(out, dueAction{at, "cancel_at", id})
	}
	if f[1].Exists() && f[1].Type != gjson.Null && f[1].Int() <= target {
		out = append(out, dueAction{f[1].Int(), "pending_expire", id})
	}
	if status == "incomplete" {
		if at := f[2].Int() + IncompleteExpiry; at <= target {
			out = append(out, dueAction{at, "expire", id})
		}
		return out
	}
	if end := f[3].Int(); end <= target {
		out = append(out, dueAction{end, "renew", id})
	}
	if at := f[14]; at.Type == gjson.Number && at.Int() <= target {
		// After a renewal at the same moment, which takes the pending
		// items onto its own invoice.
		out = append(out, dueAction{at.Int(), "pending_items", id})
	}
	if status == "trialing" {
		if at := f[4].Int() - TrialWillEnd; at <= target {
			if _, warned := tx.GetMeta("twe:" + account + ":" + id); !warned {
				out = append(out, dueAction{max(at, f[5].Int()), "trial_will_end", id})
			}
		}
	}
	// After trial_will_end when both fall due together.
	if at := f[3].Int() - upcomingLead; upcomingLead > 0 && at <= target && upcomingDue(status, f, upcomingLead) {
		if _, sent := tx.GetMeta(upcomingKey(account, id, f[3].Int())); !sent {
			out = append(out, dueAction{at, "upcoming", id})
		}
	}
	return out
}

// run carries out one due action at its own time.
func run(c *api.Call, a dueAction) error {
	c.Now, c.NowFixed = a.at, true
	defer func() { c.NowFixed = false }()
	switch a.kind {
	case "renew":
		return renew(c, a.id)
	case "schedule":
		return advanceSchedule(c, a.id)
	case "schedule_expiring":
		sched, ok := c.Tx.Get(c.Account, "subscription_schedule", a.id)
		if !ok || (sched["status"] != "active" && sched["status"] != "not_started") {
			return nil
		}
		c.Emit("subscription_schedule.expiring", sched, nil)
		phases := asAnys(sched["phases"])
		end := api.Int(api.Obj(phases[len(phases)-1])["end_date"])
		return c.Tx.SetMeta(expiringKey(c.Account, a.id), strconv.FormatInt(end, 10))
	case "trial_will_end":
		sub, ok := c.Tx.Get(c.Account, "subscription", a.id)
		if !ok {
			return nil
		}
		c.Emit("customer.subscription.trial_will_end", sub, nil)
		return c.Tx.SetMeta("twe:"+c.Account+":"+a.id, "1")
	case "upcoming":
		return upcoming(c, a.id)
	case "pending_items":
		return invoicePendingItems(c, a.id)
	case "finalize", "finalize_after_webhooks":
		inv, ok := c.Tx.Get(c.Account, "invoice", a.id)
		if !ok || inv["status"] != "draft" {
			return nil
		}
		if a.kind == "finalize_after_webhooks" {
			if later, err := awaitWebhooks(c, inv); later || err != nil {
				return err
			}
		}
		inv, err := finalize(c, inv)
		if locationUnrecognized(err) {
			return finalizationFailed(c, a.id, err)
		}
		if err != nil {
			return err
		}
		return collect(c, inv)
	case "retry":
		inv, ok := c.Tx.Get(c.Account, "invoice", a.id)
		if !ok || inv["status"] != "open" {
			return nil
		}
		return collect(c, inv)
	case "expire":
		return expire(c, a.id)
	case "overdue":
		return invoiceOverdue(c, a.id)
	case "overdue_deadline":
		return overdueDeadline(c, a.id)
	case "discount_end":
		cus, ok := c.Tx.Get(c.Account, "customer", a.id)
		if d := api.Obj(cus["discount"]); !ok || d["end"] == nil || api.Int(d["end"]) > c.Now {
			return nil
		}
		_, err := customers.RemoveDiscount(c, a.id)
		return err
	case "cancel_at":
		sub, ok := c.Tx.Get(c.Account, "subscription", a.id)
		if !ok || sub["status"] == "canceled" || sub["cancel_at"] == nil || api.Int(sub["cancel_at"]) > c.Now {
			return nil
		}
		if err := endSubscription(c, sub, "cancellation_requested"); err != nil {
			return err
		}
		// The usage of the period the cancel_at cut short is still
		// billed, as at a period's end.
		return finalUsageInvoice(c, sub, periodStart(sub), c.Now, false)
	case "pending_expire":
		return expirePendingUpdate(c, a.id)
	case "resume_collection":
		before, ok := c.Tx.Get(c.Account, "subscription", a.id)
		if !ok || before["pause_collection"] == nil || pausedCollection(before, c.Now) != "" {
			return nil
		}
		after := api.Clone(before)
		after["pause_collection"] = nil
		return c.Save(before, after)
	}
	return nil
}

// upcomingDue tells from a subscription's stored fields (Due's f) whether
// its period ends with an invoice that will be charged automatically, so
// gets invoice.upcoming the configured lead before: not one that cancels
// then, invoices by email (send_invoice), keeps its invoices as drafts
// (unpaid) or has collection paused past the renewal, and not a period
// shorter than the lead.
func upcomingDue(status string, f []gjson.Result, lead int64) bool {
	end := f[3].Int()
	switch {
	case status != "active" && status != "trialing" && status != "past_due":
		return false
	case f[9].Bool(), f[10].String() != "charge_automatically":
		return false
	case f[6].Type == gjson.Number && f[6].Int() <= end:
		return false
	case f[11].IsObject() && !(f[7].Type == gjson.Number && f[7].Int() <= end):
		return false
	}
	return end-lead >= f[8].Int()
}

func upcomingKey(account, id string, periodEnd int64) string {
	return "upc:" + account + ":" + id + ":" + strconv.FormatInt(periodEnd, 10)
}

// upcoming sends invoice.upcoming: the invoice the subscription's period
// will end with, built by the renewal's own code (as create_preview does)
// and thrown away, so it was never created and has no id. Once per period.
func upcoming(c *api.Call, id string) error {
	sub, ok := c.Tx.Get(c.Account, "subscription", id)
	if !ok {
		return nil
	}
	raw, _ := c.Tx.GetRaw(c.Account, "subscription", id)
	status := api.Str(sub["status"])
	f := store.Pick(raw, dueFields...)
	key := upcomingKey(c.Account, id, f[3].Int())
	lead := c.UpcomingInvoiceLead
	if _, sent := c.Tx.GetMeta(key); sent || lead <= 0 || !upcomingDue(status, f, lead) || f[3].Int()-lead > c.Now {
		return nil // sent, no longer due, or not yet due for the period it has now
	}
	var preview store.Obj
	err := c.Sandbox(func() error {
		inv, err := nextPeriodInvoice(c, sub)
		if err != nil {
			return err
		}
		preview = asPreview(inv)
		return nil
	})
	if err != nil {
		return err
	}
	delete(preview, "id")
	for _, l := range asList(api.Obj(preview["lines"])) {
		api.Obj(l)["invoice"] = nil
	}
	api.Obj(preview["lines"])["url"] = "/v1/invoices/upcoming/lines"
	c.Emit("invoice.upcoming", preview, nil)
	return c.Tx.SetMeta(key, "1")
}

// collect makes an automatic payment attempt on an open invoice.
func collect(c *api.Call, inv store.Obj) error {
	if inv["status"] != "open" || inv["collection_method"] != "charge_automatically" {
		if inv["status"] == "open" && inv["collection_method"] == "send_invoice" {
			c.Emit("invoice.sent", inv, nil)
		}
		return c.Flush()
	}
	pm := payingMethod(c, inv)
	if pm == "" {
		return automaticAttemptFailed(c, api.Str(inv["id"]), false)
	}
	c.SetScratch(automaticKey(api.Str(inv["id"])), true)
	err := attempt(c, api.Str(inv["id"]), pm)
	if ferr := c.Flush(); ferr != nil {
		return ferr
	}
	if failedAttempt(err) {
		return automaticAttemptFailed(c, api.Str(inv["id"]), err == errAwaitingAction)
	}
	return err
}

// automaticAttemptFailed records a failed automatic attempt and, when it
// was the last the retry schedule allows, marks the invoice uncollectible
// if the account's settings say so. One waiting for the customer's
// authentication (awaiting) is no last attempt: the invoice stays open.
func automaticAttemptFailed(c *api.Call, id string, awaiting bool) error {
	if err := recordFailedAttempt(c, id, awaiting); err != nil {
		return err
	}
	inv, ok := c.Tx.Get(c.Account, "invoice", id)
	if awaiting || !ok || inv["status"] != "open" || inv["next_payment_attempt"] != nil || inv["collection_method"] != "charge_automatically" ||
		LoadSettings(c.Tx, c.Account).InvoiceAfterRetries != InvoiceAfterRetriesUncollectible {
		return nil
	}
	_, err := uncollectible(c, inv)
	return err
}

// renew ends a subscription's period: it is canceled if it asked to be,
// paused if its trial ended without a payment method and it asked for
// that, and otherwise starts its next period with a draft invoice that
// finalizes an hour later.
func renew(c *api.Call, id string) error {
	before, ok := c.Tx.Get(c.Account, "subscription", id)
	if !ok {
		return nil
	}
	if sched := api.Str(before["schedule"]); sched != "" {
		// A phase that begins as the period ends applies first, so the
		// new period is billed at its prices.
		if err := advanceSchedule(c, sched); err != nil {
			return err
		}
		if before, ok = c.Tx.Get(c.Account, "subscription", id); !ok || before["status"] == "canceled" || periodEnd(before) > c.Now {
			return nil
		}
	}
	if api.Bool(before["cancel_at_period_end"]) || (before["cancel_at"] != nil && api.Int(before["cancel_at"]) <= c.Now) {
		if err := endSubscription(c, before, "cancellation_requested"); err != nil {
			return err
		}
		// The usage of the period that ended is still billed.
		return finalUsageInvoice(c, before, periodStart(before), c.Now, false)
	}
	after := api.Clone(before)
	start := periodEnd(before)
	// The period's invoice.upcoming mark is needed no more.
	c.Tx.DeleteMeta(upcomingKey(c.Account, id, start))
	interval, count := recurring(api.Obj(subItems(after)[0]["price"]))
	end := cycleEnd(before, start, interval, count)
	trialEnded := before["status"] == "trialing"
	if trialEnded {
		after["status"] = "active"
		if payingMethodForSub(c, before) == "" {
			switch api.Obj(api.Obj(before["trial_settings"])["end_behavior"])["missing_payment_method"] {
			case "pause":
				after["status"] = "paused"
				after["pause_collection"] = nil
				if err := c.Save(before, after); err != nil {
					return err
				}
				c.Emit("customer.subscription.paused", after, nil)
				return nil
			case "cancel":
				// Nothing is invoiced for the period that never starts.
				return endSubscription(c, before, "cancellation_requested")
			}
		}
	}
	// Discounts that ended (repeating ones past their end, once ones
	// already taken) leave the subscription and its items as the new
	// period starts.
	c.Now = start
	for _, it := range subItems(after) {
		it["current_period_start"], it["current_period_end"] = start, end
		if own := ownDiscounts(it); len(own) > 0 {
			it["discounts"] = liveIDs(c, own)
		}
	}
	after["discounts"] = liveDiscounts(c, before)
	// The new period's invoice is the subscription's latest from the
	// moment the period starts, as customer.subscription.updated shows.
	invID := c.NewID("invoice")
	after["latest_invoice"] = invID
	if err := c.Save(before, after); err != nil {
		return err
	}
	unpaid := before["status"] == "unpaid"
	paused := pausedCollection(before, c.Now)
	usageFrom := periodStart(before)
	if trialEnded {
		usageFrom = 0 // usage during a trial is free
	}
	period := periodInvoice{reason: "subscription_cycle", start: start, end: end, id: invID, usageFrom: usageFrom, since: periodStart(before)}
	if at := api.Int(before["cancel_at"]); before["cancel_at"] != nil && at > start && at < end {
		// A period cancel_at ends early is billed only up to it; moving
		// or removing the cancel_at prorates from there.
		period.partial, period.fraction, period.end = true, float64(at-start)/float64(end-start), at
		if err := markBilledThrough(c, api.Str(before["id"]), start, at); err != nil {
			return err
		}
	}
	period.collection = func(inv store.Obj) {
		if unpaid || paused != "" {
			// An unpaid subscription keeps invoicing, but its invoices stay
			// drafts until someone turns automatic collection back on; so
			// do those of one whose collection is paused.
			inv["auto_advance"] = false
			inv["automatically_finalizes_at"] = nil
			return
		}
		inv["auto_advance"] = true
		inv["automatically_finalizes_at"] = c.Now + AutoFinalizeDelay
		if trialEnded {
			// The first real invoice after a trial is collected at once.
			inv["automatically_finalizes_at"] = c.Now
		}
		planDraftAttempt(inv)
	}
	inv, err := subscriptionInvoice(c, after, period)
	if err != nil || (paused != "mark_uncollectible" && paused != "void") {
		return err
	}
	return closePaused(c, inv, paused)
}

// finalUsageInvoice bills an ending subscription's unbilled metered usage
// from from to to, with the prorations still pending for it, and
// collects it as a renewal's invoice would be. With nothing to bill (no
// usage and, unless withPending, whatever is pending) there is no invoice.
func finalUsageInvoice(c *api.Call, sub store.Obj, from, to int64, withPending bool) error {
	since := from // the invoice's own period
	if sub["status"] == "trialing" {
		from = to // usage during a trial is free, as at the trial's end
	}
	due := false
	for _, it := range subItems(sub) {
		price := api.Obj(it["price"])
		if !metered(price) {
			continue
		}
		// A period without usage still costs a graduated price's first
		// tier's flat amount, as a renewal bills it (none for a trial).
		if used := itemUsage(c, sub, it, from, to); used != 0 ||
			(from < to && catalog.Amount(c, price, api.Str(sub["currency"]), used) != 0) {
			due = true
		}
	}
	if !due && (!withPending || len(pendingFor(c, sub)) == 0) {
		return nil
	}
	inv, err := subscriptionInvoice(c, sub, periodInvoice{reason: "subscription_cycle", start: to, end: to, usageFrom: from, usageOnly: true, since: since})
	if err != nil {
		return err
	}
	if inv, err = finalize(c, inv); err != nil {
		return err
	}
	return collect(c, inv)
}

func payingMethodForSub(c *api.Call, sub store.Obj) string {
	if pm := api.Str(sub["default_payment_method"]); pm != "" {
		return pm
	}
	if src := api.Str(sub["default_source"]); src != "" {
		return src
	}
	return payingMethod(c, store.Obj{"customer": sub["customer"]})
}

func overdueKey(account, invoice string) string { return "overdue:" + account + ":" + invoice }

func deadlineKey(account, invoice string) string {
	return "overdue_deadline:" + account + ":" + invoice
}

// invoiceOverdue is a subscription's emailed invoice (send_invoice) still
// unpaid at its due date: the invoice stays open, and an active
// subscription becomes past_due, as Stripe documents for send_invoice
// subscriptions. What happens after a further deadline is overdueDeadline.
func invoiceOverdue(c *api.Call, invID string) error {
	inv, ok := c.Tx.Get(c.Account, "invoice", invID)
	if !ok || inv["status"] != "open" || inv["due_date"] == nil || api.Int(inv["due_date"]) > c.Now {
		return nil
	}
	if err := c.Tx.SetMeta(overdueKey(c.Account, invID), "1"); err != nil {
		return err
	}
	// "passing the invoice.due_date" makes the customer delinquent.
	if err := setDelinquent(c, api.Str(inv["customer"]), true); err != nil {
		return err
	}
	return pastDueFor(c, inv)
}

// overdueDeadline is a subscription's emailed invoice still unpaid the
// account's days_after_due after its due date: the "additional deadline"
// Stripe documents for send_invoice subscriptions, after which the
// subscription is canceled or marked unpaid as the account's settings say
// (or left past_due). The invoice itself stays open. As with retries, an
// older invoice counts no more once the subscription's latest is paid.
func overdueDeadline(c *api.Call, invID string) error {
	inv, ok := c.Tx.Get(c.Account, "invoice", invID)
	if !ok || inv["status"] != "open" {
		return nil
	}
	if err := c.Tx.SetMeta(deadlineKey(c.Account, invID), "1"); err != nil {
		return err
	}
	subID := api.Str(api.Obj(api.Obj(inv["parent"])["subscription_details"])["subscription"])
	before, ok := c.Tx.Get(c.Account, "subscription", subID)
	if !ok || (before["status"] != "past_due" && before["status"] != "active") {
		return nil
	}
	if recoveredSince(c, before, inv) {
		return nil
	}
	return lapse(c, before, LoadSettings(c.Tx, c.Account).SubscriptionAfterDue)
}

// expire gives up on a subscription whose first invoice was never paid.
func expire(c *api.Call, id string) error {
	before, ok := c.Tx.Get(c.Account, "subscription", id)
	if !ok || before["status"] != "incomplete" {
		return nil
	}
	if inv, ok := c.Tx.Get(c.Account, "invoice", api.Str(before["latest_invoice"])); ok && inv["status"] == "open" {
		if _, err := void(c, inv); err != nil {
			return err
		}
	}
	after := api.Clone(before)
	after["status"] = "incomplete_expired"
	after["ended_at"] = c.Now
	return c.Save(before, after)
}

// Advance runs everything due on clockID up to target inside one call,
// in time order.
func Advance(c *api.Call, clockID string, target int64) error {
	q := api.NewDueQueue()
	q.Push(asWork(c.Env, c.Account, Due(c.Tx, c.Account, clockID, target, c.UpcomingInvoiceLead))...)
	c.Tx.Track(Timer.Watch...)
	for _, t := range ClockTimers {
		q.Push(t.Due(c.Tx, c.Account, clockID, target)...)
		c.Tx.Track(t.Watch...)
	}
	runs := map[dueAction]int{}
	for {
		d, ok := q.Next()
		if !ok {
			return nil
		}
		if a := (dueAction{d.At, d.Kind, d.About.ID}); runs[a] < 8 {
			runs[a]++
		} else {
			// Work that keeps leaving itself due at the same moment (a
			// bug) must not hang the advance.
			return fmt.Errorf("billing: %s of %s keeps falling due at %d", d.Kind, d.About.ID, d.At)
		}
		if err := d.Run(c); err != nil {
			return err
		}
		// Everything the piece did is stored: what it wrote is read from
		// the objects still decoded (see store.Tx.Settle).
		c.Tx.Settle()
		for _, ref := range c.Tx.TakeWritten() {
			q.Forget(ref)
			if slices.Contains(Timer.Watch, ref.Type) {
				q.Push(asWork(c.Env, c.Account, dueOf(c.Tx, c.Account, clockID, ref, target, c.UpcomingInvoiceLead))...)
			}
			for _, t := range ClockTimers {
				if slices.Contains(t.Watch, ref.Type) {
					q.Push(t.DueOf(c.Tx, c.Account, clockID, ref, target)...)
				}
			}
		}
		c.Tx.Unsettle()
	}
}

// ClockTimers are other families' time-driven work (a quote's expiry),
// for the objects of one clock (clockID "" is the emulator's own): a test
// clock's advance runs it with billing's, in one time order. Families
// register theirs at init.
var ClockTimers []ClockTimer

// ClockTimer is a family's work on the objects of one clock, as api.Timer
// is for the emulator's clock.
type ClockTimer struct {
	Due   func(tx *store.Tx, account, clockID string, target int64) []api.Due
	Watch []string
	DueOf func(tx *store.Tx, account, clockID string, ref store.Ref, target int64) []api.Due
}

// Timer is billing's work on the emulator clock (test clocks Advance).
var Timer = api.Timer{
	Due: func(env *api.Env, tx *store.Tx, account string, target int64) []api.Due {
		return asWork(env, account, Due(tx, account, "", target, env.UpcomingInvoiceLead))
	},
	Watch: []string{"subscription", "invoice", "subscription_schedule", "customer"},
	DueOf: func(env *api.Env, tx *store.Tx, account string, ref store.Ref, target int64) []api.Due {
		return asWork(env, account, dueOf(tx, account, "", ref, target, env.UpcomingInvoiceLead))
	},
}

func asWork(env *api.Env, account string, actions []dueAction) []api.Due {
	out := make([]api.Due, len(actions))
	for i, a := range actions {
		typ := "subscription"
		switch a.kind {
		case "finalize", "retry", "overdue", "overdue_deadline":
			typ = "invoice"
		case "finalize_after_webhooks":
			typ = "invoice"
			out[i].Wait = settleWebhooks(env)
		case "schedule", "schedule_expiring":
			typ = "subscription_schedule"
		case "discount_end":
			typ = "customer"
		}
		out[i].At, out[i].Account, out[i].About, out[i].Kind = a.at, account, store.Ref{Type: typ, ID: a.id}, a.kind
		out[i].Run = func(c *api.Call) error { return run(c, a) }
	}
	return out
}
