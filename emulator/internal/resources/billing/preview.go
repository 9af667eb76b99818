package billing

import (
	"maps"
	"slices"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coupons"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/tax"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Invoice previews (POST /v1/invoices/create_preview) answer "what would
// the next invoice be": the subscription change asked for is applied and
// the next invoice built by the same code as the real ones, then all of
// it is thrown away (api.Discard), so a preview and the update it
// previews cannot disagree.

// previewUnsupported are create_preview parameters stripe-emu refuses
// rather than ignore: a preview that silently left out a tax or an
// issuer would show the wrong invoice.
var previewUnsupported = []string{"issuer", "on_behalf_of"}

// previewDetails are the subscription_details a preview of a
// subscription's update applies.
var previewDetails = map[string]bool{"items": true, "proration_behavior": true, "proration_date": true, "default_tax_rates": true, "billing_cycle_anchor": true,
	"trial_end": true, "cancel_at_period_end": true, "cancel_at": true, "cancel_now": true, "resume_at": true}

// previewUpdates are the previewDetails a preview hands to the update it
// runs (cancel_now is the cancellation's instead).
var previewUpdates = []string{"items", "proration_behavior", "proration_date", "default_tax_rates", "billing_cycle_anchor", "trial_end", "cancel_at_period_end", "cancel_at"}

func createPreview(c *api.Call) (any, error) {
	for _, p := range previewUnsupported {
		if c.Params.Has(p) {
			return nil, unsupportedInPreview(bracketed(p))
		}
	}
	if err := scheduleExclusive(c); err != nil {
		return nil, err
	}
	details, _ := c.Params.Obj("subscription_details")
	if !previewNames(c, details) {
		return nil, errNothingToPreview
	}
	subID, _ := c.Params.Str("subscription")
	allowed := previewDetails
	if subID == "" {
		allowed = map[string]bool{"proration_date": true} // refused below, in Stripe's terms
		for _, k := range newSubscriptionDetails {
			allowed[k] = true
		}
	}
	sent, _ := details.Sent("")
	m, _ := sent.(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !allowed[k] {
			return nil, unsupportedInPreview("subscription_details[" + k + "]")
		}
	}
	if !details.Has("items") {
		// Without items there is no change for these to shape.
		details.MarkRead("proration_behavior", "proration_date")
	}
	if mode, _ := c.Params.Str("preview_mode"); mode == "recurring" {
		return nil, unsupportedInPreview("preview_mode")
	}
	cusID, _ := c.Params.Str("customer")
	if subID == "" && details.Has("default_tax_rates") && !details.Has("items") {
		return nil, apierr.InvalidRequest("Previewing subscription_details[default_tax_rates] needs `subscription` or `subscription_details[items]`.").WithParam("subscription_details[default_tax_rates]")
	}
	if schedID, _ := c.Params.Str("schedule"); schedID != "" && subID == "" {
		sched, ok := c.Tx.Get(c.Account, "subscription_schedule", schedID)
		if !ok {
			return nil, apierr.NoSuchObject("subscription schedule", schedID, "schedule")
		}
		if cusID != "" && cusID != api.Str(sched["customer"]) {
			return nil, apierr.InvalidRequest("The subscription schedule %s does not belong to the customer %s.", schedID, cusID).WithParam("schedule")
		}
		cusID = api.Str(sched["customer"])
	}
	if subID == "" && cusID == "" {
		if c.Params.Has("customer_details") {
			// Stripe's reference lets customer_details stand for the
			// customer (a prospect's preview); what customer its
			// preview then shows is not documented.
			return nil, unsupportedInPreview("customer_details")
		}
		return nil, apierr.MissingParam("customer")
	}
	var sub store.Obj
	if subID != "" {
		var ok bool
		if sub, ok = c.Tx.Get(c.Account, "subscription", subID); !ok {
			return nil, apierr.NoSuchObject("subscription", subID, "subscription")
		}
		if cusID != "" && cusID != api.Str(sub["customer"]) {
			return nil, apierr.InvalidRequest("The subscription %s does not belong to the customer %s.", subID, cusID).WithParam("subscription")
		}
		cusID = api.Str(sub["customer"])
	}
	cus, ok := c.Tx.Get(c.Account, "customer", cusID)
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", cusID, "customer")
	}
	cus, err := previewCustomer(c, cus)
	if err != nil {
		return nil, err
	}
	if c.Params.Unset("discounts") {
		if cus, err = dropCustomerDiscount(c, cus); err != nil {
			return nil, err
		}
	}
	if c.Params.Has("schedule") || c.Params.Has("schedule_details") {
		if c.Params.Has("discounts") {
			// A schedule's discounts are its phases', which
			// schedule_details sets.
			return nil, unsupportedInPreview("discounts")
		}
		if err := previewInvoiceItems(c, cusID, ""); err != nil {
			return nil, err
		}
		inv, err := schedulePreview(c, cusID)
		if err != nil {
			return nil, err
		}
		return previewed(c, cus, inv)
	}
	if sub == nil && details.Has("items") {
		if err := previewInvoiceItems(c, cusID, ""); err != nil {
			return nil, err
		}
		inv, err := newSubscriptionPreview(c, cusID, details)
		if err != nil {
			return nil, err
		}
		return previewed(c, cus, inv)
	}
	autoTax, autoTaxSent, err := AutoTaxParam(c, c.Params, "automatic_tax", "automatic_tax")
	if err != nil {
		return nil, err
	}
	if sub != nil && autoTaxSent && autoTax != autoTaxOn(sub) {
		// The preview's automatic tax is the subscription's for this
		// preview (thrown away with it), so every invoice it builds
		// takes it.
		if autoTax {
			if param := subscriptionManualRates(sub); param != "" {
				return nil, ErrAutoTaxWithRates(param)
			}
		}
		sub = api.Clone(sub)
		sub["automatic_tax"] = subscriptionAutoTax(autoTax)
		if err := c.Put(sub); err != nil {
			return nil, err
		}
	}
	if err := previewInvoiceItems(c, cusID, subID); err != nil {
		return nil, err
	}
	var inv store.Obj
	if sub == nil {
		inv, err = pendingItemsPreview(c, cus, autoTaxSent && autoTax)
	} else {
		own := map[string]any{}
		if v, ok := c.Params.RawAt("discounts"); ok {
			own["discounts"] = v // the subscription's, for this preview
		}
		inv, err = subscriptionPreview(c, sub, details, own)
	}
	if err != nil {
		return nil, err
	}
	return previewed(c, cus, inv)
}

// previewCustomer is the customer as customer_details would have it
// (address, shipping, tax_exempt, tax_ids), stored for the preview only: Stripe
// Tax, and the invoice's customer fields, see it as the preview's
// customer.
func previewCustomer(c *api.Call, cus store.Obj) (store.Obj, error) {
	details, ok := c.Params.Obj("customer_details")
	if !ok {
		return cus, nil
	}
	next := api.Clone(cus)
	for _, k := range []string{"address", "shipping"} {
		if details.Has(k) {
			v, _ := details.Get(k)
			if details.Unset(k) {
				v = nil
			}
			next[k] = v
		}
	}
	if e, ok := details.Str("tax_exempt"); ok {
		if e == "" {
			e = "none"
		}
		if e != "none" && e != "exempt" && e != "reverse" {
			return nil, apierr.InvalidRequest("Invalid customer_details[tax_exempt]: must be one of none, exempt, or reverse").WithParam("customer_details[tax_exempt]")
		}
		next["tax_exempt"] = e
	}
	if t, ok := details.Obj("tax"); ok && t.Has("ip_address") {
		// Kept as customer.tax[ip_address] is, for the preview: used
		// only to refuse by name a customer it alone would locate
		// (previewed).
		ip, _ := t.Str("ip_address")
		if err := tax.CheckIPAddress(ip, "customer_details[tax][ip_address]"); err != nil {
			return nil, err
		}
		key := tax.IPAddressKey(c.Account, api.Str(cus["id"]))
		if ip == "" {
			c.DeleteMeta(key)
		} else if err := c.SetMeta(key, ip); err != nil {
			return nil, err
		}
	}
	if details.Has("tax_ids") {
		// The customer's tax IDs for the preview, as Stripe Tax and
		// customer_tax_ids see them.
		if err := customers.PreviewTaxIDs(c, api.Str(cus["id"]), details.Array("tax_ids"), "customer_details[tax_ids]"); err != nil {
			return nil, err
		}
	}
	return next, c.Put(next)
}

// previewed answers a preview's invoice, thrown away with everything the
// preview stored. Where automatic tax could not locate the customer but
// Stripe would geolocate its IP address (no address, a tax[ip_address],
// the customer's or customer_details'), the preview is refused by name
// rather than shown untaxed.
func previewed(c *api.Call, cus, inv store.Obj) (any, error) {
	if api.Obj(inv["automatic_tax"])["status"] == "requires_location_inputs" {
		param := "customer"
		if c.Params.Has("customer_details.tax.ip_address") {
			param = "customer_details[tax][ip_address]"
		}
		if err := tax.IPOnlyError(c, cus, param); err != nil {
			return nil, err
		}
	}
	return api.Discard{Result: asPreview(inv)}, nil
}

func unsupportedInPreview(param string) error {
	return apierr.InvalidRequest("%s is not supported by stripe-emu's invoice previews.", param).WithParam(param)
}

// bracketed is a dotted parameter path as Stripe names it:
// customer_details[tax_ids].
func bracketed(path string) string {
	first, rest, ok := strings.Cut(path, ".")
	if !ok {
		return path
	}
	return first + "[" + strings.ReplaceAll(rest, ".", "][") + "]"
}

// subscriptionPreview applies the change asked for (as
// POST /v1/subscriptions/:id would) and builds the invoice it leads to:
// with always_invoice the prorations invoiced at once, otherwise the next
// period's invoice, which carries any prorations.
//
// own are parameters of the preview's own to apply with the change
// (discounts), named as sent.
func subscriptionPreview(c *api.Call, sub store.Obj, details params.Values, own map[string]any) (store.Obj, error) {
	cancels := api.Bool(sub["cancel_at_period_end"]) || endsWithPeriod(sub)
	if v, ok := details.Bool("cancel_at_period_end"); ok {
		cancels = v
	}
	if details.Has("cancel_at") {
		cancels = false // the update below decides
	}
	if now, _ := details.Bool("cancel_now"); now && !subscriptionEnded(sub["status"]) {
		// Canceling now ends the period early, whenever it was to end.
		return cancelNowPreview(c, sub, details)
	}
	if subscriptionEnded(sub["status"]) || cancels {
		return nil, noUpcomingInvoice(sub)
	}
	if inv, err := pausedPreview(c, sub, details); inv != nil || err != nil {
		return inv, err
	}
	details.MarkRead("cancel_now")
	behavior := "create_prorations"
	if details.Has("items") || details.Has("default_tax_rates") || details.Has("billing_cycle_anchor") || details.Has("trial_end") ||
		details.Has("cancel_at_period_end") || details.Has("cancel_at") || len(own) > 0 {
		update := maps.Clone(own)
		if update == nil {
			update = map[string]any{}
		}
		for _, k := range previewUpdates {
			if v, ok := details.RawAt(k); ok {
				update[k] = v
			}
		}
		if b, _ := update["proration_behavior"].(string); b != "" {
			behavior = b
		}
		if behavior == "always_invoice" {
			// The prorations are made as for create_prorations and
			// invoiced below, as a draft: a preview charges nothing.
			update["proration_behavior"] = "create_prorations"
		}
		latest := sub["latest_invoice"]
		updated, err := runAs(c, updateSubscription, update, map[string]string{"id": api.Str(sub["id"]), previewVar: "1"}, func(name string) string {
			first, rest, _ := strings.Cut(name, "[")
			if _, ok := own[first]; ok {
				return name
			}
			if rest != "" {
				rest = "[" + rest
			}
			return "subscription_details[" + first + "]" + rest
		})
		if err != nil {
			return nil, err
		}
		sub = updated.(store.Obj) // the subscription as the update stored it
		if sub["latest_invoice"] != latest {
			// The change started a new billing cycle (another interval,
			// billing_cycle_anchor…): the invoice it made at once, left
			// a draft, is the next one.
			inv, _ := c.Tx.Get(c.Account, "invoice", api.Str(sub["latest_invoice"]))
			return inv, previewPretaxCredits(c, inv)
		}
	}
	if behavior == "always_invoice" {
		return draftFromPending(c, sub)
	}
	if api.Bool(sub["cancel_at_period_end"]) || endsWithPeriod(sub) {
		return nil, noUpcomingInvoice(sub)
	}
	if at := api.Int(sub["cancel_at"]); sub["cancel_at"] != nil && at < periodEnd(sub) {
		// The subscription ends before its next invoice, the time it cuts
		// off credited (pending for the customer), metered usage billed on
		// a final invoice; what Stripe's preview shows then is not
		// documented.
		param := "subscription"
		if details.Has("cancel_at") {
			param = "subscription_details[cancel_at]"
		}
		return nil, apierr.InvalidRequest("stripe-emu does not emulate previews of a subscription that cancels within its current period (it makes no further invoice but, with metered prices, the one billing their last usage; what Stripe's preview then shows is not documented), so it refused the request rather than answer as if it had taken effect.").
			WithParam(param)
	}
	return nextPeriodInvoice(c, sub)
}

// pausedPreview answers a preview of a paused subscription, which makes
// no invoices until it is resumed: with subscription_details[resume_at]=now
// the invoice POST /v1/subscriptions/:id/resume would make (a new period
// from now), otherwise Stripe's refusal. It answers nil, nil for a
// subscription not paused and not asked to resume.
func pausedPreview(c *api.Call, sub store.Obj, details params.Values) (store.Obj, error) {
	resume := details.Has("resume_at")
	if sub["status"] != "paused" {
		if resume {
			return nil, apierr.InvalidRequest("subscription_details[resume_at] previews resuming a paused subscription; the subscription %s is %s.", sub["id"], sub["status"]).
				WithParam("subscription_details[resume_at]")
		}
		return nil, nil
	}
	if !resume {
		// Stripe's message, with basil's name for the parameter.
		return nil, apierr.InvalidRequest("The subscription is paused and will not generate invoices until it has been resumed. Pass the `subscription_details[resume_at]` parameter to view the invoice that will be generated if the subscription is resumed.").
			WithParam("subscription")
	}
	for _, k := range previewUpdates {
		if details.Has(k) {
			return nil, unsupportedInPreview("subscription_details[" + k + "] with subscription_details[resume_at]")
		}
	}
	details.MarkRead("resume_at", "cancel_now")
	cus, _ := c.Tx.Get(c.Account, "customer", api.Str(sub["customer"]))
	c.Now = c.ClockNow(cus)
	interval, count := recurring(api.Obj(subItems(sub)[0]["price"]))
	inv, err := subscriptionInvoice(c, sub, periodInvoice{reason: "subscription_cycle", start: c.Now, end: addInterval(c.Now, interval, count)})
	if err != nil {
		return nil, err
	}
	return inv, previewPretaxCredits(c, inv)
}

// endsWithPeriod reports whether sub's cancel_at is the end of its
// current period: it ends then, as with cancel_at_period_end, and
// renews no more.
func endsWithPeriod(sub store.Obj) bool {
	return sub["cancel_at"] != nil && api.Int(sub["cancel_at"]) == periodEnd(sub)
}

func noUpcomingInvoice(sub store.Obj) error {
	return apierr.InvalidRequest("No upcoming invoices for subscription %s: it is canceled or cancels at the end of its period.", api.Str(sub["id"])).
		WithCode("invoice_upcoming_none").WithParam("subscription")
}

// cancelNowPreview is the invoice canceling sub now would end with, as
// DELETE /v1/subscriptions/:id with invoice_now makes it: the unused time
// of the period credited (unless proration_behavior is none), pending
// items and the usage metered so far. Nothing is charged: it stays a
// draft, and the preview is thrown away.
func cancelNowPreview(c *api.Call, sub store.Obj, details params.Values) (store.Obj, error) {
	details.MarkRead("cancel_at_period_end")
	for _, k := range []string{"items", "default_tax_rates", "billing_cycle_anchor", "trial_end", "proration_date"} {
		if details.Has(k) {
			return nil, unsupportedInPreview("subscription_details[" + k + "] with subscription_details[cancel_now]")
		}
	}
	behavior, _ := details.Str("proration_behavior")
	cus, _ := c.Tx.Get(c.Account, "customer", api.Str(sub["customer"]))
	c.Now = c.ClockNow(cus)
	if behavior != "none" && (sub["status"] == "active" || sub["status"] == "past_due") {
		if err := creditUnusedTime(c, sub, sub); err != nil {
			return nil, err
		}
	}
	from, usageFrom := periodStart(sub), periodStart(sub)
	if sub["status"] == "trialing" {
		usageFrom = c.Now // usage during a trial is free, as the cancellation bills it
	}
	inv, err := subscriptionInvoice(c, sub, periodInvoice{reason: "subscription_cycle", start: c.Now, end: c.Now, usageFrom: usageFrom, usageOnly: true, since: from})
	if err != nil {
		return nil, err
	}
	return inv, previewPretaxCredits(c, inv)
}

// nextPeriodInvoice builds (and stores: run it where it is thrown away)
// the invoice sub's current period ends with, as renew will make it.
func nextPeriodInvoice(c *api.Call, sub store.Obj) (store.Obj, error) {
	start := periodEnd(sub)
	interval, count := recurring(api.Obj(subItems(sub)[0]["price"]))
	c.Now = start // the next invoice is made when the period ends
	if own, _ := sub["discounts"].([]any); len(own) > 0 {
		// Discounts that end by then leave the subscription as the
		// period starts, before its invoice is made, as renew drops
		// them: one left with none inherits the customer's.
		sub = api.Clone(sub)
		sub["discounts"] = liveDiscounts(c, sub)
	}
	usageFrom := periodStart(sub)
	if sub["status"] == "trialing" {
		usageFrom = 0
	}
	period := periodInvoice{reason: "upcoming", start: start, end: cycleEnd(sub, start, interval, count), usageFrom: usageFrom, since: periodStart(sub)}
	if at := api.Int(sub["cancel_at"]); sub["cancel_at"] != nil && at > start && at < period.end {
		// A period cancel_at ends early is billed only up to it, as the
		// renewal bills it ("If set during a future period, this will
		// always cause a proration for that period").
		period.partial, period.fraction, period.end = true, float64(at-start)/float64(period.end-start), at
	}
	inv, err := subscriptionInvoice(c, sub, period)
	if err != nil {
		return nil, err
	}
	return inv, previewPretaxCredits(c, inv)
}

// pendingItemsPreview is the invoice of a customer's pending invoice
// items (invoice_items among them) when no subscription is previewed.
func pendingItemsPreview(c *api.Call, cus store.Obj, autoTax bool) (store.Obj, error) {
	pending := pendingItems(c, api.Str(cus["id"]))
	currency, _ := c.Params.Str("currency")
	if currency == "" {
		currency = "usd"
		if len(pending) > 0 {
			currency = api.Str(pending[0]["currency"])
		}
	}
	now := c.ClockNow(cus)
	inv := newInvoice(c, cus, currency, now, "upcoming")
	// The customer's discount, as the invoice would inherit it, unless
	// the preview names its own.
	inv["discounts"] = customerDiscounts(c, cus, currency, now)
	if c.Params.Has("discounts") {
		ids, err := RedeemDiscounts(c, coupons.Scope{Customer: api.Str(cus["id"]), Invoice: api.Str(inv["id"]), Currency: currency}, MinimumUnknown)
		if err != nil {
			return nil, err
		}
		inv["discounts"] = ids
	}
	if autoTax {
		inv["automatic_tax"] = invoiceAutoTax(true)
	}
	if err := includePending(c, inv, pending); err != nil {
		return nil, err
	}
	return inv, c.Insert(inv)
}

// asPreview renames the draft as Stripe names previews (upcoming_in_…):
// it was never created, so nothing can fetch, pay or edit it by id.
func asPreview(stored store.Obj) store.Obj {
	inv := api.Clone(stored) // the stored draft is shared within the transaction
	id := "upcoming_" + api.Str(inv["id"])
	inv["id"] = id
	inv["automatically_finalizes_at"] = nil
	lines := api.Obj(inv["lines"])
	for _, l := range asList(lines) {
		api.Obj(l)["invoice"] = id
	}
	lines["url"] = "/v1/invoices/" + id + "/lines"
	return inv
}
