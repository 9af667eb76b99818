package billing

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/tidwall/gjson"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/catalog"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coupons"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/meters"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/search"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// IncompleteExpiry is how long a first invoice may stay unpaid before its
// subscription becomes incomplete_expired.
const IncompleteExpiry = 23 * 3600

// TrialWillEnd is how long before a trial ends Stripe warns.
const TrialWillEnd = 3 * 86400

var subscriptionSearchFields = search.Fields{"status": search.Token, "created": search.Number, "canceled_at": search.Number, "metadata": search.Metadata}

func subscriptionRoutes() []api.Route {
	create := params.FromStruct(stripe.SubscriptionCreateParams{}).Require("customer", "items").
		With("trial_end", params.AnyParam()).With("billing_cycle_anchor", params.AnyParam()).With("cancel_at", params.AnyParam())
	update := params.FromStruct(stripe.SubscriptionUpdateParams{}).
		With("trial_end", params.AnyParam()).With("billing_cycle_anchor", params.AnyParam()).With("cancel_at", params.AnyParam())
	return []api.Route{
		api.POST("/v1/subscriptions", create, createSubscription),
		api.GET("/v1/subscriptions", params.FromStruct(stripe.SubscriptionListParams{}), listSubscriptions),
		api.GET("/v1/subscriptions/search", params.FromStruct(stripe.SubscriptionSearchParams{}).Require("query"), searchSubscriptions),
		api.GET("/v1/subscriptions/{id}", params.FromStruct(stripe.SubscriptionRetrieveParams{}), retrieveSubscription),
		api.POST("/v1/subscriptions/{id}", update, updateSubscription),
		api.DELETE("/v1/subscriptions/{id}", params.FromStruct(stripe.SubscriptionCancelParams{}), cancelSubscription),
		api.DELETE("/v1/subscriptions/{id}/discount", params.FromStruct(stripe.SubscriptionDeleteDiscountParams{}), deleteSubscriptionDiscount),
		api.POST("/v1/subscriptions/{id}/resume", params.FromStruct(stripe.SubscriptionResumeParams{}), resumeSubscription),
		api.GET("/v1/subscription_items", params.FromStruct(stripe.SubscriptionItemListParams{}).Require("subscription"), listSubscriptionItems),
		api.GET("/v1/subscription_items/{id}", params.FromStruct(stripe.SubscriptionItemRetrieveParams{}), retrieveSubscriptionItem),
		api.POST("/v1/subscription_items", params.FromStruct(stripe.SubscriptionItemCreateParams{}).Require("subscription"), createSubscriptionItem),
		api.POST("/v1/subscription_items/{id}", params.FromStruct(stripe.SubscriptionItemUpdateParams{}), updateSubscriptionItem),
		api.DELETE("/v1/subscription_items/{id}", params.FromStruct(stripe.SubscriptionItemDeleteParams{}), deleteSubscriptionItem),
	}
}

// addInterval moves t forward by n intervals of a price's recurrence, on
// calendar months and years as Stripe bills.
func addInterval(t int64, interval string, count int64) int64 {
	tm := time.Unix(t, 0).UTC()
	n := int(count)
	switch interval {
	case "day":
		tm = tm.AddDate(0, 0, n)
	case "week":
		tm = tm.AddDate(0, 0, 7*n)
	case "month":
		tm = addMonths(tm, n)
	case "year":
		tm = addMonths(tm, 12*n)
	}
	return tm.Unix()
}

// addIntervalOn is addInterval for a billing cycle on day day of the
// month (0: t's own day), clamped to shorter months.
func addIntervalOn(t int64, interval string, count int64, day int) int64 {
	if day == 0 || (interval != "month" && interval != "year") {
		return addInterval(t, interval, count)
	}
	if interval == "year" {
		count *= 12
	}
	return addMonthsOn(time.Unix(t, 0).UTC(), int(count), day).Unix()
}

// periodEndAfter is the end of the period a subscription anchored at
// anchor starts at start: a whole number of intervals after the anchor,
// so an anchor on the 31st comes back after a short month (Jan 31 →
// Feb 28 → Mar 31) as Stripe's billing cycle does, where adding a month
// to each period's end would drift to the 28th. day, when not 0, is the
// day of month periods end on instead of the anchor's own: a
// billing_cycle_anchor_config's day_of_month, which the anchor itself may
// fall short of (day 31 anchored on Feb 28 renews on Mar 31).
func periodEndAfter(anchor int64, day int, start int64, interval string, count int64) int64 {
	if (interval != "month" && interval != "year") || anchor <= 0 || anchor > start {
		return addInterval(start, interval, count)
	}
	months := int(count)
	if interval == "year" {
		months *= 12
	}
	a, s := time.Unix(anchor, 0).UTC(), time.Unix(start, 0).UTC()
	if day == 0 {
		day = a.Day()
	}
	elapsed := (s.Year()-a.Year())*12 + int(s.Month()-a.Month())
	for k := max(elapsed/months-1, 1); ; k++ {
		if end := addMonthsOn(a, k*months, day).Unix(); end > start {
			return end
		}
	}
}

// cycleEnd is the end of sub's period that starts at start, counted from
// its billing_cycle_anchor (on its billing_cycle_anchor_config's
// day_of_month when it has one).
func cycleEnd(sub store.Obj, start int64, interval string, count int64) int64 {
	day := 0
	if cfg, ok := sub["billing_cycle_anchor_config"].(map[string]any); ok {
		day = int(api.Int(cfg["day_of_month"]))
	}
	return periodEndAfter(api.Int(sub["billing_cycle_anchor"]), day, start, interval, count)
}

// addMonths keeps the day of month, clamping to the month's last day
// (Jan 31 + 1 month = Feb 28/29), as Stripe's billing anchor does.
func addMonths(t time.Time, n int) time.Time { return addMonthsOn(t, n, t.Day()) }

// addMonthsOn is t moved n months, on day day of that month (clamped to
// its last day), at t's time of day.
func addMonthsOn(t time.Time, n, day int) time.Time {
	y, m, _ := t.Date()
	return dayOfMonth(y, m+time.Month(n), day, t.Hour(), t.Minute(), t.Second())
}

// dayOfMonth is day (clamped to the month's last day) of month m of year
// y at h:mi:s UTC; m may run past December or before January.
func dayOfMonth(y int, m time.Month, day, h, mi, s int) time.Time {
	first := time.Date(y, m, 1, h, mi, s, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(day, last)-1)
}

func recurring(price store.Obj) (string, int64) {
	r := api.Obj(price["recurring"])
	return api.Str(r["interval"]), max(api.Int(r["interval_count"]), 1)
}

// itemPrice resolves a new item's price (price or price_data) and checks
// it is an active recurring price of a product that still sells.
func itemPrice(c *api.Call, ip params.Values, prefix string) (store.Obj, error) {
	price, param, err := resolveItemPrice(c, ip, prefix)
	if err != nil {
		return nil, err
	}
	return price, sellsNew(c, price, param)
}

// sellsNew refuses a price whose product is archived: its prices may stay
// active, but Stripe starts no new subscription item on them (in its
// words, quoted by its users, grammar and all). A quote's prices and those
// of a Checkout Session being completed were checked when taken; those a
// schedule's phases already bill go on (keepSchedulePrices).
func sellsNew(c *api.Call, price store.Obj, param string) error {
	if billsInactive(c, api.Str(price["id"])) || keptBySchedule(c, api.Str(price["id"])) {
		return nil
	}
	prod, ok := c.Tx.Get(c.Account, "product", api.Str(price["product"]))
	if !ok || prod["active"] != false {
		return nil
	}
	return apierr.InvalidRequest("The product %s is marked as inactive, and thus no new subscriptions can be create to any plans of this product. You provided the plan %s.", prod["id"], price["id"]).WithParam(param)
}

// resolveItemPrice is itemPrice without the product check, and the
// parameter that named the price.
func resolveItemPrice(c *api.Call, ip params.Values, prefix string) (store.Obj, string, error) {
	id, _ := ip.Str("price")
	param, kind := prefix+"[price]", "price"
	if plan, _ := ip.Str("plan"); plan != "" {
		// The legacy name: a plan's id is its price's id, so both may
		// name the same one.
		if id != "" && id != plan {
			return nil, "", apierr.Exclusive(prefix+"[price]", prefix+"[plan]")
		}
		id, param, kind = plan, prefix+"[plan]", "plan"
	}
	if id != "" {
		price, ok := c.Tx.Get(c.Account, "price", id)
		if !ok || (kind == "plan" && price["type"] != "recurring") {
			return nil, "", apierr.NoSuchObject(kind, id, param)
		}
		if !api.Bool(price["active"]) && catalog.Gone(c, id) {
			// Deleted as a plan: gone for new items.
			return nil, "", apierr.NoSuchObject(kind, id, param)
		}
		if !api.Bool(price["active"]) && !billsInactive(c, id) && !keptBySchedule(c, id) {
			return nil, "", apierr.InvalidRequest("The price specified is inactive. This field only accepts active prices.").WithParam(param)
		}
		if price["type"] != "recurring" {
			return nil, "", apierr.InvalidRequest("The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.").WithParam(param)
		}
		return price, param, nil
	}
	pd, ok := ip.Obj("price_data")
	if !ok {
		return nil, "", apierr.MissingParam(prefix + "[price]")
	}
	prod, cur, err := inlinePriceOf(c, pd, prefix+"[price_data]")
	if err != nil {
		return nil, "", err
	}
	amount, _ := pd.Int("unit_amount")
	rec, _ := pd.Obj("recurring")
	interval, _ := rec.Str("interval")
	if interval == "" {
		return nil, "", apierr.MissingParam(prefix + "[price_data][recurring][interval]")
	}
	count, ok := rec.Int("interval_count")
	if !ok {
		count = 1
	}
	price := catalog.NewInlinePrice(c, prod, cur, amount, store.Obj{"interval": interval, "interval_count": count, "meter": nil, "trial_period_days": nil, "usage_type": "licensed"})
	if err := catalog.InlineTaxBehavior(price, pd, prefix+"[price_data][tax_behavior]"); err != nil {
		return nil, "", err
	}
	// Inline prices exist but are archived at once, as Stripe does.
	return price, prefix + "[price_data][product]", c.Put(price)
}

// itemMetadata is an items[] entry's metadata for a new item (keys sent
// empty are left out).
func itemMetadata(ip params.Values) map[string]any {
	if md, ok := ip.Metadata("metadata"); ok {
		return md
	}
	return map[string]any{}
}

func newItem(c *api.Call, subID string, price store.Obj, qty int64, start, end int64) store.Obj {
	it := store.Obj{
		"id": c.NewID("subscription_item"), "object": "subscription_item", "billing_thresholds": nil, "created": start,
		"current_period_end": end, "current_period_start": start, "discounts": []any{}, "metadata": map[string]any{},
		"plan": catalog.PlanOf(price), "price": price, "quantity": qty, "subscription": subID, "tax_rates": []any{},
	}
	if metered(price) {
		delete(it, "quantity") // what is billed is the usage recorded
	}
	return it
}

// metered tells whether a price bills the usage a meter records.
// subscriptionEnded says whether a subscription's status is one it never
// leaves: canceled, or incomplete_expired.
func subscriptionEnded(status any) bool {
	return status == "canceled" || status == "incomplete_expired"
}

func metered(price store.Obj) bool { return api.Obj(price["recurring"])["usage_type"] == "metered" }

// itemQuantity reads an items[] entry's quantity: def when not sent;
// metered prices take none.
func itemQuantity(ip params.Values, price store.Obj, prefix string, def int64) (int64, bool, error) {
	q, ok := ip.Int("quantity")
	if ok && metered(price) {
		return 0, false, apierr.InvalidRequest("Quantity should not be specified where usage_type is `metered`. Remove quantity from `%s`.", prefix).WithParam(prefix + "[quantity]")
	}
	if !ok {
		q = def
	}
	if err := nonNegative(q, prefix+"[quantity]"); err != nil {
		return 0, false, err
	}
	return q, ok, nil
}

// nonNegative refuses a negative integer parameter, as Stripe does.
func nonNegative(n int64, param string) error {
	if n < 0 {
		return apierr.InvalidRequest("This value must be greater than or equal to 0.").WithParam(param).WithCode("parameter_invalid_integer")
	}
	return nil
}

// itemUsage is what a metered item's customer used from from to to, as
// the price's meter aggregates it (only since the item was added, and
// rounded to whole units, the line's quantity). Negative events correct
// usage, but a period whose total comes below zero bills none: Stripe
// reports the line's quantity as 0.
func itemUsage(c *api.Call, sub, it store.Obj, from, to int64) int64 {
	meter := api.Str(api.Obj(api.Obj(it["price"])["recurring"])["meter"])
	var billed int64
	if hasThresholds(sub, it) {
		// What threshold invoices billed of this period is not billed again.
		billed = thresholdBilled(c, api.Str(it["id"]), from)
	}
	from = max(from, api.Int(it["created"]))
	if v, ok := c.Tx.GetMeta(usageFromKey(c.Account, api.Str(it["id"]))); ok {
		since, _ := strconv.ParseInt(v, 10, 64)
		from = max(from, since)
	}
	used, _ := meters.Usage(c.Tx, c.Account, meter, api.Str(sub["customer"]), from, to)
	return max(int64(math.Round(used))-billed, 0)
}

// usageFromKey records when an item's metered price was last switched:
// usage before it is not billed (Stripe's classic billing mode).
func usageFromKey(account, item string) string { return "usagefrom:" + account + ":" + item }

func subItems(sub store.Obj) []store.Obj {
	var out []store.Obj
	for _, it := range asList(sub["items"]) {
		out = append(out, api.Obj(it))
	}
	return out
}

func setItems(sub store.Obj, items []store.Obj) {
	data := make([]any, len(items))
	for i, it := range items {
		data[i] = it
	}
	l := api.Obj(sub["items"])
	l["data"] = data
	sub["items"] = l
}

func periodEnd(sub store.Obj) int64 {
	items := subItems(sub)
	if len(items) == 0 {
		return 0
	}
	return api.Int(items[0]["current_period_end"])
}

func periodStart(sub store.Obj) int64 {
	items := subItems(sub)
	if len(items) == 0 {
		return 0
	}
	return api.Int(items[0]["current_period_start"])
}

// subscriptionLengths are the string limits Stripe's OpenAPI spec sets on
// subscription create and update below its usual 5000.
var subscriptionLengths = []api.MaxLength{
	{Path: "description", Limit: 500},
	{Path: "payment_settings.payment_method_options.card.mandate_options.description", Limit: 200},
}

func createSubscription(c *api.Call) (any, error) {
	if err := c.CheckLengths(subscriptionLengths...); err != nil {
		return nil, err
	}
	cusID, _ := c.Params.Str("customer")
	cus, ok := c.Tx.Get(c.Account, "customer", cusID)
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", cusID, "customer")
	}
	// A schedule starting its subscription was counted as it when created.
	if c.Var("schedule") == "" {
		if err := checkClockSubscriptions(c, cus); err != nil {
			return nil, err
		}
	}
	now := c.ClockNow(cus)
	c.Now = now
	itemParams := c.Params.Array("items")
	if len(itemParams) == 0 {
		return nil, apierr.MissingParam("items")
	}
	if len(itemParams) > maxPhaseItems {
		return nil, apierr.InvalidRequest("A subscription can have at most 20 items.").WithParam("items")
	}
	if n := len(c.Params.Array("add_invoice_items")); n > maxPhaseItems {
		// stripe-go: "You may pass up to 20 items." (the refusal's
		// wording is the emulator's: Stripe's is not documented).
		return nil, apierr.InvalidRequest("You may pass up to %d add_invoice_items; you passed %d.", maxPhaseItems, n).WithParam("add_invoice_items")
	}
	var prices []store.Obj
	var qtys []int64
	var metas []map[string]any
	var itemThresholds []any
	var itemRates [][]any
	for i, ip := range itemParams {
		price, err := itemPrice(c, ip, fmt.Sprintf("items[%d]", i))
		if err != nil {
			return nil, err
		}
		for _, p := range prices {
			if p["id"] == price["id"] {
				return nil, samePriceTwice(ip, fmt.Sprintf("items[%d]", i), price)
			}
		}
		if len(prices) > 0 {
			i0, c0 := recurring(prices[0])
			i1, c1 := recurring(price)
			if i0 != i1 || c0 != c1 {
				return nil, apierr.InvalidRequest(intervalMismatch).WithParam(fmt.Sprintf("items[%d][price]", i))
			}
		}
		q, _, err := itemQuantity(ip, price, fmt.Sprintf("items[%d]", i), 1)
		if err != nil {
			return nil, err
		}
		bt, _, err := itemThresholdsParam(c, ip, price, fmt.Sprintf("items[%d]", i))
		if err != nil {
			return nil, err
		}
		itemThresholds = append(itemThresholds, bt)
		rates, _, err := taxRatesParam(c, ip, "tax_rates", fmt.Sprintf("items[%d][tax_rates]", i), nil)
		if err != nil {
			return nil, err
		}
		prices = append(prices, price)
		qtys = append(qtys, q)
		metas = append(metas, itemMetadata(ip))
		itemRates = append(itemRates, rates)
	}
	// proration_behavior on create governs the first period before a
	// billing_cycle_anchor, and the backdated time before it.
	c.Inert("off_session")
	proration, _ := c.Params.Str("proration_behavior")
	if err := billingModeParam(c); err != nil {
		return nil, err
	}
	currency, err := subscriptionCurrency(c, cus, prices)
	if err != nil {
		return nil, err
	}
	collection, _ := c.Params.Str("collection_method")
	if collection == "" {
		collection = "charge_automatically"
	}
	days, hasDays := c.Params.Int("days_until_due")
	if collection == "send_invoice" && !hasDays {
		return nil, apierr.MissingParam("days_until_due")
	}
	if collection == "charge_automatically" && hasDays {
		return nil, errDaysUntilDueCharged()
	}
	behavior, _ := c.Params.Str("payment_behavior")
	if behavior == "" {
		behavior = "allow_incomplete"
	}
	if behavior == "pending_if_incomplete" {
		return nil, apierr.InvalidRequest("payment_behavior=pending_if_incomplete is only supported when updating a subscription.").WithParam("payment_behavior")
	}
	preview := c.Var(previewVar) != ""
	if preview {
		// A preview's subscription asks no one to pay.
		behavior = "default_incomplete"
	}
	var defaultPM any
	if pm, _ := c.Params.Str("default_payment_method"); pm != "" {
		o, ok := c.Tx.Get(c.Account, "payment_method", pm)
		if !ok {
			return nil, apierr.NoSuchObject("PaymentMethod", pm, "default_payment_method")
		}
		if o["customer"] != cusID {
			return nil, apierr.InvalidRequest("The customer does not have a payment method with the ID %s. The payment method must be attached to the customer.", pm).WithParam("default_payment_method")
		}
		defaultPM = pm
	}
	var defaultSource any
	if src, _ := c.Params.Str("default_source"); src != "" {
		if err := checkDefaultSource(c, src, cusID); err != nil {
			return nil, err
		}
		defaultSource = src
	}
	var trialEnd int64
	fromPlan, _ := c.Params.Bool("trial_from_plan")
	if fromPlan && (c.Params.Has("trial_period_days") || c.Params.Has("trial_end")) {
		return nil, apierr.InvalidRequest("You cannot set `trial_from_plan` together with `trial_end` or `trial_period_days`.").WithParam("trial_from_plan")
	}
	if d, ok := c.Params.Int("trial_period_days"); ok && d > MaxTrialDays {
		return nil, TrialTooLong("trial_period_days")
	}
	if d, ok := c.Params.Int("trial_period_days"); ok && d > 0 {
		trialEnd = now + d*86400
	} else if fromPlan {
		// The longest trial any item's price carries (recurring[trial_period_days]).
		var d int64
		for _, p := range prices {
			d = max(d, api.Int(api.Obj(p["recurring"])["trial_period_days"]))
		}
		if d > 0 {
			trialEnd = now + d*86400
		}
	}
	if v, ok := c.Params.Get("trial_end"); ok && v != nil {
		switch s := fmt.Sprint(v); s {
		case "now":
			trialEnd = 0
		default:
			var t int64
			if _, err := fmt.Sscan(s, &t); err != nil {
				return nil, apierr.InvalidRequest("Invalid trial_end: must be an integer Unix timestamp or `now`").WithParam("trial_end")
			}
			if t <= now {
				return nil, apierr.InvalidRequest("Invalid timestamp: must be an integer Unix timestamp in the future.").WithParam("trial_end")
			}
			if t > now+MaxTrialDays*86400 {
				return nil, TrialTooLong("trial_end")
			}
			trialEnd = t
		}
	}
	backdate, err := backdateParam(c, now, trialEnd > 0)
	if err != nil {
		return nil, err
	}
	id := c.NewID("subscription")
	interval, count := recurring(prices[0])
	start, end := now, addInterval(now, interval, count)
	if trialEnd > 0 {
		end = trialEnd
	}
	anchorConfig, configAnchor, err := anchorConfigParam(c, now, interval, trialEnd)
	if err != nil {
		return nil, err
	}
	anchor, err := anchorParam(c, now, end, trialEnd)
	if err != nil {
		return nil, err
	}
	// billing_cycle_anchor_config's anchor is billing_cycle_anchor's but
	// for the day periods end on: its day_of_month, even in a month the
	// anchor (clamped to that month's end) falls short of it.
	day := 0
	if anchorConfig != nil {
		day = int(api.Int(anchorConfig["day_of_month"]))
		if configAnchor > now {
			anchor = configAnchor
		} else {
			end = periodEndAfter(now, day, now, interval, count) // the anchor is now
		}
	}
	// A first period cut short by the anchor is prorated against a full
	// period ending at the anchor, or free with proration_behavior=none.
	fraction := 0.0
	if anchor > 0 {
		end = anchor
		if proration != "none" {
			full := anchor - addIntervalOn(anchor, interval, -count, day)
			fraction = float64(anchor-now) / float64(full)
		}
	}
	if backdate > 0 && anchor > 0 {
		// Backdated up to the anchor: one period from the backdated
		// start, prorated against an imagined one starting then.
		start = backdate
		if proration != "none" {
			fraction = backdateFraction(backdate, anchor, interval, count)
		}
	}
	var items []store.Obj
	for i, p := range prices {
		it := newItem(c, id, p, qtys[i], start, end)
		it["metadata"] = metas[i]
		it["billing_thresholds"] = itemThresholds[i]
		if itemRates[i] != nil {
			it["tax_rates"] = itemRates[i]
		}
		items = append(items, it)
	}
	sub := c.Object("subscription", id, store.Obj{
		"application": nil, "application_fee_percent": nil,
		"automatic_tax":        store.Obj{"disabled_reason": nil, "enabled": false, "liability": nil},
		"billing_cycle_anchor": end, "billing_cycle_anchor_config": nil, "billing_mode": store.Obj{"type": "classic"},
		"billing_thresholds": nil, "cancel_at": nil, "cancel_at_period_end": false, "canceled_at": nil,
		"cancellation_details": store.Obj{"comment": nil, "feedback": nil, "reason": nil}, "collection_method": collection,
		"currency": currency, "customer": cusID, "days_until_due": nil, "default_payment_method": defaultPM,
		"default_source": defaultSource, "default_tax_rates": []any{}, "description": nil, "discounts": []any{}, "ended_at": nil,
		"invoice_settings": store.Obj{"account_tax_ids": nil, "issuer": store.Obj{"type": "self"}},
		"items":            store.Obj{"object": "list", "data": []any{}, "has_more": false, "url": "/v1/subscription_items?subscription=" + id},
		"latest_invoice":   nil, "metadata": map[string]any{}, "next_pending_invoice_item_invoice": nil, "on_behalf_of": nil,
		"pause_collection": nil, "payment_settings": store.Obj{"payment_method_options": nil, "payment_method_types": nil, "save_default_payment_method": "off"},
		"pending_invoice_item_interval": nil, "pending_setup_intent": nil, "pending_update": nil, "schedule": nil,
		"start_date": now, "status": "incomplete", "test_clock": cus["test_clock"], "transfer_data": nil,
		"trial_end": nil, "trial_settings": store.Obj{"end_behavior": store.Obj{"missing_payment_method": "create_invoice"}}, "trial_start": nil,
	})
	if sched := c.Var("schedule"); sched != "" {
		sub["schedule"] = sched // started by its schedule (no route has this variable)
	}
	if c.Connected {
		// Made by the platform on its connected account: "ID of the
		// Connect Application that created the subscription".
		sub["application"] = c.ConnectApplication()
	}
	if backdate > 0 {
		sub["start_date"] = backdate
	}
	if trialEnd == 0 {
		sub["billing_cycle_anchor"] = now
	}
	if anchor > 0 {
		sub["billing_cycle_anchor"] = anchor
	}
	if anchorConfig != nil {
		sub["billing_cycle_anchor_config"] = anchorConfig
	}
	setItems(sub, items)
	if hasDays {
		sub["days_until_due"] = days
	}
	c.Copy(sub, "description", "cancel_at_period_end")
	if err := applyBillingThresholds(c, sub); err != nil {
		return nil, err
	}
	if err := applyCancelAt(c, sub); err != nil {
		return nil, err
	}
	periodEndCancel(c, nil, sub)
	noteCancellation(c, nil, sub)
	if ts, ok := c.Params.Obj("trial_settings"); ok {
		if b, _ := ts.Str("end_behavior.missing_payment_method"); b != "" {
			sub["trial_settings"] = store.Obj{"end_behavior": store.Obj{"missing_payment_method": b}}
		}
	}
	if err := c.ApplyMetadata(sub); err != nil {
		return nil, err
	}
	if err := applyPaymentSettings(c, sub); err != nil {
		return nil, err
	}
	if err := applyDefaultTaxRates(c, sub); err != nil {
		return nil, err
	}
	if err := applySubscriptionAutoTax(c, sub, cus); err != nil {
		return nil, err
	}
	if err := applySubscriptionTerms(c, sub); err != nil {
		return nil, err
	}
	if err := applySubscriptionAccountTaxIDs(c, sub); err != nil {
		return nil, err
	}
	if c.Params.Has("discounts") {
		ids, err := RedeemDiscounts(c, coupons.Scope{Customer: cusID, Subscription: id, Currency: currency}, itemsTotal(c, prices, qtys, currency))
		if err != nil {
			return nil, err
		}
		sub["discounts"] = ids
	}
	for i, ip := range itemParams {
		if err := redeemItemDiscounts(c, ip, fmt.Sprintf("items[%d]", i), sub, items[i]); err != nil {
			return nil, err
		}
	}
	if trialEnd > 0 {
		sub["status"] = "trialing"
		sub["trial_start"], sub["trial_end"] = now, trialEnd
	} else if collection == "send_invoice" {
		sub["status"] = "active"
	}
	payWith := ""
	// unpaidStart: a schedule's subscription with nothing to charge starts
	// anyway (Stripe CLI's subscription_schedule.* triggers start one for
	// a customer without a payment method, and run to completion): active,
	// its first invoice open with its automatic attempt failed, as a
	// renewal's would be, where a subscription created directly is refused.
	unpaidStart := false
	// needsMethod: nothing to charge, which only a first invoice with
	// something due refuses (a free price or a 100% discount needs no
	// payment method): decided once it is finalized.
	needsMethod := false
	switch {
	case behavior == "default_incomplete":
	case sub["status"] == "incomplete":
		payWith = api.Str(defaultPM)
		if payWith == "" {
			payWith = api.Str(defaultSource)
		}
		if payWith == "" {
			payWith = payments.DefaultPaymentMethod(c, cusID)
		}
		if payWith == "" && c.Var("schedule") != "" {
			sub["status"], unpaidStart = "active", true
		} else if payWith == "" {
			needsMethod = true
		}
	case sub["status"] == "trialing":
		// The trial covers the subscription's items, not one-off items
		// added to its first invoice: Stripe charges those at once with
		// the card there is. Without one the invoice waits open.
		payWith = api.Str(defaultPM)
		if payWith == "" {
			payWith = api.Str(defaultSource)
		}
		if payWith == "" {
			payWith = payments.DefaultPaymentMethod(c, cusID)
		}
	}
	// Nothing to pay now (a trial, a free plan): the client collects a
	// card for later through the subscription's pending SetupIntent.
	pendingSetup := ""
	if behavior == "default_incomplete" && defaultPM == nil && (trialEnd > 0 || itemsTotal(c, prices, qtys, currency) == 0 || (anchor > 0 && proration == "none")) {
		pendingSetup = c.NewID("setup_intent")
		sub["pending_setup_intent"] = pendingSetup
	}
	// The customer's currency becomes the subscription's (set, or changed
	// when nothing is active in the old one; refused otherwise). The
	// schedule or quote starting it is not in the way.
	if err := customers.AdoptCurrency(c, cusID, currency, "currency", c.Var("schedule"), c.Var(quoteVar)); err != nil {
		return nil, err
	}
	if err := c.Insert(sub); err != nil {
		return nil, err
	}
	if pendingSetup != "" {
		if _, err := payments.InsertSetupIntent(c, pendingSetup, cusID); err != nil {
			return nil, err
		}
	}
	if backdate > 0 && anchor == 0 && proration != "none" {
		// The backdated time before the first period is charged on the
		// first invoice, beside that period.
		if err := insertBackdateProrations(c, sub, itemRates, backdate, now, backdateFraction(backdate, now, interval, count)); err != nil {
			return nil, err
		}
	}
	oneOff, err := oneOffItems(c, cusID, api.Str(sub["currency"]), now)
	if err != nil {
		return nil, err
	}
	for _, ii := range oneOff {
		ii["test_clock"] = sub["test_clock"]
	}
	first := periodInvoice{reason: "subscription_create", start: start, end: end, trial: trialEnd > 0, oneOff: oneOff, partial: anchor > 0, fraction: fraction}
	if at := api.Int(sub["cancel_at"]); sub["cancel_at"] != nil && at < end && trialEnd == 0 {
		// A first period cancel_at cuts short is billed up to it (with
		// prorations on).
		if anchor > 0 || backdate > 0 {
			return nil, apierr.InvalidRequest("stripe-emu does not emulate a cancel_at within the first period together with billing_cycle_anchor or backdate_start_date, so it refused the request rather than answer as if it had taken effect.").WithParam("cancel_at")
		}
		if proration != "none" {
			first.partial, first.fraction, first.end = true, float64(at-start)/float64(end-start), at
			if err := markBilledThrough(c, api.Str(sub["id"]), start, at); err != nil {
				return nil, err
			}
		}
	}
	inv, err := subscriptionInvoice(c, sub, first)
	if err != nil {
		return nil, err
	}
	if preview {
		// The first invoice, as a preview shows it: a draft.
		if err := c.Flush(); err != nil {
			return nil, err
		}
		out, _ := c.Tx.Get(c.Account, "subscription", id)
		return out, nil
	}
	if collection == "send_invoice" && trialEnd == 0 && !unpaidStart {
		// Stripe finalizes (and sends) an emailed subscription's first
		// invoice an hour after it is made, not at once as it does one
		// charged automatically; the clock's finalize work does it.
		inv["auto_advance"] = true
		inv["automatically_finalizes_at"] = c.Now + AutoFinalizeDelay
		if err := c.Put(inv); err != nil {
			return nil, err
		}
		if err := c.Flush(); err != nil {
			return nil, err
		}
		out, _ := c.Tx.Get(c.Account, "subscription", id)
		return out, nil
	}
	if inv, err = finalize(c, inv); err != nil {
		return nil, err
	}
	if needsMethod && inv["status"] == "open" {
		return nil, errNoPaymentMethod() // roll everything back
	}
	if collection == "send_invoice" && inv["status"] == "open" {
		c.Emit("invoice.sent", inv, nil)
	}
	if unpaidStart && inv["status"] == "open" {
		if err := c.Flush(); err != nil {
			return nil, err
		}
		if err := automaticAttemptFailed(c, api.Str(inv["id"]), false); err != nil {
			return nil, err
		}
	}
	if payWith != "" && inv["status"] == "open" {
		err := attempt(c, api.Str(inv["id"]), payWith)
		var kept *api.KeptError
		switch {
		case err == nil:
		case err == errAwaitingAction && behavior == "error_if_incomplete":
			return nil, errSubscriptionActionRequired() // roll everything back
		case asKept(err, &kept) && behavior == "error_if_incomplete":
			return nil, kept.Err // roll everything back
		case failedAttempt(err):
			if err := c.Flush(); err != nil {
				return nil, err
			}
			if err := recordFailedAttempt(c, api.Str(inv["id"]), err == errAwaitingAction); err != nil {
				return nil, err
			}
		default:
			return nil, err
		}
	}
	if err := c.Flush(); err != nil {
		return nil, err
	}
	out, _ := c.Tx.Get(c.Account, "subscription", id)
	if out["status"] == "trialing" && api.Int(out["trial_end"])-c.Now < TrialWillEnd {
		// Stripe warns three days before a trial ends: a shorter trial
		// is warned of at once (Stripe CLI's trigger for the event makes
		// a one-day trial), and the clock's work does not warn again.
		c.Emit("customer.subscription.trial_will_end", out, nil)
		if err := c.Tx.SetMeta("twe:"+c.Account+":"+id, "1"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// errSubscriptionActionRequired is the answer to creating (or updating)
// a subscription under payment_behavior=error_if_incomplete when the
// invoice's card asks for 3-D Secure: a 402 card_error, and nothing is
// created or changed (Stripe's documentation of error_if_incomplete; the
// wording is Stripe's answer to a create as recorded by others, not seen
// by us).
func errSubscriptionActionRequired() error {
	e := &apierr.Error{Status: 402, Type: apierr.TypeCard, Message: "Payment for this subscription requires additional user action, but the requested payment behavior doesn't save the invoice or PaymentIntent. " +
		"Retry the request with `payment_behavior=allow_incomplete` or `payment_behavior=default_incomplete`, then complete the PaymentIntent on the subscription's latest invoice. " +
		"Additional information is available here: https://stripe.com/docs/billing/subscriptions/overview#requires-action"}
	// Code without a doc_url: Stripe's answer, as recorded, has none.
	e.Code = "subscription_payment_intent_requires_action"
	return e
}

func itemsTotal(c *api.Call, prices []store.Obj, qtys []int64, currency string) int64 {
	var total int64
	for i, p := range prices {
		if !metered(p) {
			total += catalog.Amount(c, p, currency, qtys[i])
		}
	}
	return total
}

// subscriptionCurrency is the currency a new subscription bills in: the
// one sent, else the customer's when every price supports it (Stripe
// bills a customer in one currency), else the first price's own. Every
// price must support it, in its own currency or one of its
// currency_options.
func subscriptionCurrency(c *api.Call, cus store.Obj, prices []store.Obj) (string, error) {
	requested, _ := c.Params.Str("currency")
	currency := catalog.BillingCurrency(c, requested, api.Str(cus["currency"]), prices)
	for i, p := range prices {
		if err := catalog.CheckCurrency(c, p, currency, fmt.Sprintf("items[%d][price]", i)); err != nil {
			return "", err
		}
	}
	return currency, nil
}

// periodLine describes a subscription item's line for a period: Stripe's
// "1 × Pro (at $10.00 / month)" for a per-unit price, at its amount in the
// subscription's currency; a tiered price has no one unit amount to show.
func periodLine(c *api.Call, price store.Obj, qty int64, cur string) string {
	if price["billing_scheme"] == "tiered" {
		return fmt.Sprintf("%d × %v", qty, productName(c, price))
	}
	unit, _ := catalog.UnitAmount(c, price, cur)
	interval, count := recurring(price)
	every := interval
	if count > 1 {
		every = fmt.Sprintf("every %d %ss", count, interval)
	}
	return fmt.Sprintf("%d × %v (at %s / %s)", qty, productName(c, price), currency.Format(unit, cur), every)
}

// anchorParam reads billing_cycle_anchor on create: a future time no
// later than the end of the first natural period (end), where full
// periods start. 0 when not sent.
func anchorParam(c *api.Call, now, end, trialEnd int64) (int64, error) {
	v, ok := c.Params.Get("billing_cycle_anchor")
	if !ok || v == nil {
		return 0, nil
	}
	return checkAnchor(v, now, end, trialEnd > 0, "billing_cycle_anchor")
}

// checkAnchor checks a billing_cycle_anchor (v, as sent) for a
// subscription starting now whose first natural period ends at end, and
// returns it as a time.
func checkAnchor(v any, now, end int64, trial bool, param string) (int64, error) {
	var t int64
	if _, err := fmt.Sscan(fmt.Sprint(v), &t); err != nil {
		return 0, apierr.InvalidRequest("Invalid %s: must be an integer Unix timestamp", param).WithParam(param)
	}
	if trial {
		return 0, apierr.InvalidRequest("stripe-emu does not emulate %s together with a trial, so it refused the request rather than answer as if it had taken effect.", param).WithParam(param)
	}
	if t <= now {
		return 0, apierr.InvalidRequest("Invalid timestamp: must be an integer Unix timestamp in the future.").WithParam(param)
	}
	if t > end {
		return 0, apierr.InvalidRequest("billing_cycle_anchor cannot be later than next natural billing date (%d) for plan", end).WithParam(param)
	}
	return t, nil
}

// CheckAnchor checks the billing_cycle_anchor (v, as sent, named param) of
// a subscription to start now on price (recurring), as creating it would:
// Checkout checks subscription_data[billing_cycle_anchor] so when a
// session is created.
func CheckAnchor(v any, now int64, price store.Obj, trial bool, param string) error {
	interval, count := recurring(price)
	_, err := checkAnchor(v, now, addInterval(now, interval, count), trial, param)
	return err
}

// anchorConfigParam reads billing_cycle_anchor_config on create: the
// anchor is the first time from now on on its day_of_month (clamped to a
// shorter month's last day), in its month when one is given (a yearly
// price's), at its hour, minute and second, each by default now's. It
// returns the config as the subscription shows it (what was sent, null
// for the rest) and the anchor; nil and 0 when it is not sent.
func anchorConfigParam(c *api.Call, now int64, interval string, trialEnd int64) (store.Obj, int64, error) {
	const name = "billing_cycle_anchor_config"
	p, ok := c.Params.Obj(name)
	if !ok {
		return nil, 0, nil
	}
	if v, ok := c.Params.Get("billing_cycle_anchor"); ok && v != nil {
		return nil, 0, apierr.Exclusive("billing_cycle_anchor", name)
	}
	t := time.Unix(now, 0).UTC()
	cfg := store.Obj{"day_of_month": nil, "hour": nil, "minute": nil, "month": nil, "second": nil}
	fields := []struct {
		key      string
		min, max int64
		def      int
	}{{"day_of_month", 1, 31, 0}, {"month", 1, 12, 0}, {"hour", 0, 23, t.Hour()}, {"minute", 0, 59, t.Minute()}, {"second", 0, 59, t.Second()}}
	vals := map[string]int{}
	for _, f := range fields {
		vals[f.key] = f.def
		n, ok := p.Int(f.key)
		if !ok {
			continue
		}
		if n < f.min || n > f.max {
			return nil, 0, apierr.InvalidRequest("Invalid %s[%s]: must be between %d and %d", name, f.key, f.min, f.max).WithParam(name + "[" + f.key + "]")
		}
		cfg[f.key] = n
		vals[f.key] = int(n)
	}
	if cfg["day_of_month"] == nil {
		return nil, 0, apierr.MissingParam(name + "[day_of_month]")
	}
	if interval != "month" && interval != "year" {
		return nil, 0, apierr.InvalidRequest("billing_cycle_anchor_config is only valid with monthly and yearly price intervals.").WithParam(name)
	}
	if cfg["month"] != nil && interval != "year" {
		return nil, 0, apierr.InvalidRequest("stripe-emu does not emulate billing_cycle_anchor_config[month] with a price that is not yearly, so it refused the request rather than answer as if it had taken effect.").WithParam(name + "[month]")
	}
	if trialEnd > 0 {
		return nil, 0, apierr.InvalidRequest("stripe-emu does not emulate billing_cycle_anchor_config together with a trial, so it refused the request rather than answer as if it had taken effect.").WithParam(name)
	}
	day, h, mi, s := vals["day_of_month"], vals["hour"], vals["minute"], vals["second"]
	var at time.Time
	if m := vals["month"]; m > 0 {
		for y := t.Year(); ; y++ {
			if at = dayOfMonth(y, time.Month(m), day, h, mi, s); at.Unix() >= now {
				break
			}
		}
	} else {
		for k := 0; ; k++ {
			if at = dayOfMonth(t.Year(), t.Month()+time.Month(k), day, h, mi, s); at.Unix() >= now {
				break
			}
		}
	}
	return cfg, at.Unix(), nil
}

// applyPaymentSettings sets what payment_settings create and update
// share: whether a successful payment's method becomes the
// subscription's default, and the method types its invoices offer.
func applyPaymentSettings(c *api.Call, sub store.Obj) error {
	ps, ok := c.Params.Obj("payment_settings")
	if !ok {
		return nil
	}
	settings := api.Clone(api.Obj(sub["payment_settings"]))
	if v, ok := ps.Str("save_default_payment_method"); ok && v != "" {
		if v != "off" && v != "on_subscription" {
			return apierr.InvalidRequest("Invalid payment_settings[save_default_payment_method]: must be one of off or on_subscription").WithParam("payment_settings[save_default_payment_method]")
		}
		settings["save_default_payment_method"] = v
	}
	if ps.Has("payment_method_types") {
		// Sent empty, it is unset (nil), as Stripe's "" does.
		list, err := invoiceMethodTypes(ps.Strings("payment_method_types"))
		if err != nil {
			return err
		}
		settings["payment_method_types"] = nil
		if len(list) > 0 {
			settings["payment_method_types"] = list
		}
	}
	opts, sent, err := methodOptionsParam(c, settings["payment_method_options"])
	if err != nil {
		return err
	}
	if sent {
		settings["payment_method_options"] = opts
	}
	sub["payment_settings"] = settings
	return nil
}

// applyDefaultTaxRates sets the subscription's default_tax_rates, which
// apply to its items without tax rates of their own (an empty value
// clears them; rates it already has may have been archived since).
func applyDefaultTaxRates(c *api.Call, sub store.Obj) error {
	rates, ok, err := taxRatesParam(c, c.Params, "default_tax_rates", "default_tax_rates", sub["default_tax_rates"])
	if ok {
		sub["default_tax_rates"] = rates
	}
	return err
}

// savesPaymentMethod reports whether a subscription keeps the method of
// a successful payment as its default.
func savesPaymentMethod(sub store.Obj) bool {
	return api.Obj(sub["payment_settings"])["save_default_payment_method"] == "on_subscription"
}

// onSetupSucceeded completes a subscription's pending SetupIntent: it is
// no longer pending, and its method becomes the subscription's default
// when the subscription saves methods.
func onSetupSucceeded(c *api.Call, si store.Obj) error {
	cus := api.Str(si["customer"])
	if cus == "" {
		return nil
	}
	p := c.Tx.List(c.Account, "subscription", store.Query{Index: "customer", Value: cus, Limit: 1,
		Filter: func(o store.Obj) bool { return o["pending_setup_intent"] == si["id"] }})
	for _, before := range p.Data {
		after := api.Clone(before)
		after["pending_setup_intent"] = nil
		if savesPaymentMethod(after) && si["payment_method"] != nil {
			after["default_payment_method"] = si["payment_method"]
		}
		if err := c.Save(before, after); err != nil {
			return err
		}
	}
	return nil
}

// onPaymentMethodDetached clears the default_payment_method (or, for a
// deleted card, the default_source) of the customer's subscriptions that
// named pmID, now detached: as the customer's invoice_settings, they fall
// back to the customer's default.
func onPaymentMethodDetached(c *api.Call, pmID, customer string) error {
	p := c.Tx.List(c.Account, "subscription", store.Query{Index: "customer", Value: customer, Limit: 1000,
		Filter: func(o store.Obj) bool {
			// An ended subscription is left as it ended.
			return (o["default_payment_method"] == pmID || o["default_source"] == pmID) && o["status"] != "canceled" && o["status"] != "incomplete_expired"
		}})
	for _, before := range p.Data {
		after := api.Clone(before)
		for _, f := range []string{"default_payment_method", "default_source"} {
			if after[f] == pmID {
				after[f] = nil
			}
		}
		if err := c.Save(before, after); err != nil {
			return err
		}
	}
	return nil
}

// subscriptionInvoice creates the invoice for one period of a
// subscription, with its pending invoice items (prorations) attached.
// periodInvoice says which invoice subscriptionInvoice makes.
type periodInvoice struct {
	reason     string
	start, end int64
	trial      bool
	// id, if set, is the invoice's id, taken in advance.
	id string
	// collection, if set, settles how the draft advances before it is
	// stored, so invoice.created already shows it as Stripe's does.
	collection func(inv store.Obj)
	// oneOff are invoice items billed on this invoice only
	// (add_invoice_items: a setup fee).
	oneOff []store.Obj
	// partial is a period shorter than the price's interval (up to a
	// billing_cycle_anchor), billed at fraction of the price.
	partial  bool
	fraction float64
	// usageFrom, when not 0, is where the usage metered items bill (in
	// arrears, up to start) begins: the period just ended. Otherwise a
	// metered item's line is for no usage yet.
	usageFrom int64
	// usageTo, when not 0, is where that usage ends instead of start: a
	// threshold invoice bills the usage recorded up to its own moment.
	usageTo int64
	// usageOnly bills metered usage alone, nothing ahead: the final
	// invoice of a subscription that ends.
	usageOnly bool
	// since, when not 0, is where the period just ended began: an invoice
	// made as a period ends shows that period as its own (period_start
	// to period_end), looking back one period as Stripe's subscription
	// invoices do, while its lines show the periods they bill. Other
	// invoices' own period is the moment they are made.
	since int64
}

// subscriptionInvoice creates the draft invoice for a subscription's
// period and makes it the subscription's latest.
func subscriptionInvoice(c *api.Call, sub store.Obj, p periodInvoice) (store.Obj, error) {
	cus, _ := c.Tx.Get(c.Account, "customer", api.Str(sub["customer"]))
	id := p.id
	if id == "" {
		id = c.NewID("invoice")
	}
	inv := newInvoiceWithID(c, id, cus, api.Str(sub["currency"]), c.Now, p.reason)
	inv["collection_method"] = sub["collection_method"]
	if days := sub["days_until_due"]; days != nil {
		inv["due_date"] = c.Now + api.Int(days)*86400
	}
	if p.since != 0 {
		inv["period_start"], inv["period_end"] = p.since, p.start
	}
	inv["parent"] = store.Obj{"type": "subscription_details", "quote_details": nil,
		"subscription_details": store.Obj{"metadata": sub["metadata"], "subscription": sub["id"]}}
	inv["default_tax_rates"] = cloneRates(sub["default_tax_rates"])
	if autoTaxOn(sub) {
		inv["automatic_tax"] = invoiceAutoTax(true)
	}
	currency := api.Str(sub["currency"])
	subscriptionAccountTaxIDs(sub, inv)
	subscriptionInvoiceTerms(sub, inv)
	var lines []any
	var own map[string][]string
	for _, it := range subItems(sub) {
		price := api.Obj(it["price"])
		isMetered := metered(price)
		if p.usageOnly && !isMetered {
			continue
		}
		qty := api.Int(it["quantity"])
		period := store.Obj{"start": p.start, "end": p.end}
		if isMetered {
			// Usage is billed in arrears: the period that just ended.
			qty = 0
			if p.usageFrom > 0 {
				to := p.start
				if p.usageTo != 0 {
					to = p.usageTo
				}
				qty = itemUsage(c, sub, it, p.usageFrom, to)
				period = store.Obj{"start": p.usageFrom, "end": p.start}
			}
		}
		amount := catalog.Amount(c, price, currency, qty)
		if isMetered && p.usageFrom > 0 {
			amount = usageAmount(c, sub, it, p.usageFrom, qty, currency)
		}
		if isMetered && p.usageFrom == 0 {
			amount = 0 // no usage billed yet, not even a tier's flat amount
		}
		desc := periodLine(c, price, qty, currency)
		if p.trial && !isMetered {
			amount = 0
			desc = fmt.Sprintf("Trial period for %v", productName(c, price))
		}
		if p.partial && !isMetered {
			amount = int64(math.Round(float64(amount) * p.fraction))
			desc = prorationDescription("Remaining time on", c, price, qty, p.start)
		}
		lineID := "il_" + c.IDs.Secret(24)
		if ids := idStrings(it["tax_rates"]); len(ids) > 0 {
			if own == nil {
				own = map[string][]string{}
			}
			own[lineID] = ids
		}
		lines = append(lines, store.Obj{
			"id": lineID, "object": "line_item", "amount": amount, "currency": currency,
			"description": desc, "discount_amounts": []any{}, "discountable": true, "discounts": itemLineDiscounts(c, it),
			"invoice": inv["id"], "livemode": false, "metadata": map[string]any{},
			"parent": store.Obj{"type": "subscription_item_details", "invoice_item_details": nil, "subscription_item_details": store.Obj{
				"invoice_item": nil, "proration": p.partial, "proration_details": store.Obj{"credited_items": nil},
				"subscription": sub["id"], "subscription_item": it["id"],
			}},
			"period": period, "pretax_credit_amounts": []any{},
			"pricing":  store.Obj{"type": "price_details", "price_details": store.Obj{"price": price["id"], "product": price["product"]}, "unit_amount_decimal": catalog.UnitAmountDecimal(c, price, currency)},
			"quantity": qty, "subscription": sub["id"], "taxes": []any{},
		})
	}
	for _, ii := range p.oneOff {
		ii["invoice"] = inv["id"]
		// An invoice item's subscription_details name the subscription
		// (and an item, for prorations); unlike an invoice's, no metadata.
		ii["parent"] = store.Obj{"type": "subscription_details", "subscription_details": store.Obj{"subscription": sub["id"]}}
		if err := c.Insert(ii); err != nil {
			return nil, err
		}
		lines = append(lines, lineFromItem(c, inv, ii))
	}
	if own != nil {
		if err := setSubscriptionLineRates(c, id, own); err != nil {
			return nil, err
		}
	}
	inv["discounts"] = invoiceDiscounts(c, sub, cus)
	if err := setLines(c, inv, lines); err != nil {
		return nil, err
	}
	if err := markOnceUsed(c, inv); err != nil {
		return nil, err
	}
	if p.collection != nil {
		p.collection(inv)
	}
	if err := c.Insert(inv); err != nil {
		return nil, err
	}
	if err := keepIntentTerms(c, sub, inv); err != nil {
		return nil, err
	}
	// Prorations waiting for this subscription's next invoice.
	relined, err := attachPending(c, sub, inv)
	if err != nil {
		return nil, err
	}
	if sub["latest_invoice"] != inv["id"] {
		if err := setLatestInvoice(c, api.Str(sub["id"]), api.Str(inv["id"])); err != nil {
			return nil, err
		}
	}
	if !relined {
		return inv, nil // as stored
	}
	out, _ := c.Tx.Get(c.Account, "invoice", api.Str(inv["id"]))
	return out, nil
}

// attachPending moves a subscription's pending invoice items (its
// prorations) onto an invoice and recomputes the invoice's lines,
// reporting whether there were any.
func attachPending(c *api.Call, sub, inv store.Obj) (bool, error) {
	return attachItems(c, inv, pendingFor(c, sub))
}

// attachItems puts pending invoice items on a draft and relines it.
func attachItems(c *api.Call, inv store.Obj, pending []store.Obj) (bool, error) {
	for _, ii := range pending {
		next := api.Clone(ii)
		next["invoice"] = inv["id"]
		if err := c.Save(ii, next); err != nil {
			return false, err
		}
	}
	if len(pending) == 0 {
		return false, nil
	}
	return true, relineInvoice(c, inv)
}

// pendingFor lists the invoice items waiting for a subscription's next
// invoice: its own (prorations, add_invoice_items, items made for it) and
// the customer's that name no subscription, which Stripe adds "to the
// next upcoming scheduled invoice" (those in another currency wait for
// an invoice in theirs).
func pendingFor(c *api.Call, sub store.Obj) []store.Obj {
	return c.Tx.List(c.Account, "invoiceitem", store.Query{Index: "customer", Value: api.Str(sub["customer"]), Filter: func(o store.Obj) bool {
		if o["invoice"] != nil || o["deleted"] == true {
			return false
		}
		if owner := api.Obj(api.Obj(o["parent"])["subscription_details"])["subscription"]; owner != nil {
			return owner == sub["id"]
		}
		return o["currency"] == sub["currency"]
	}}).Data
}

func setLatestInvoice(c *api.Call, subID, invID string) error {
	sub, ok := c.Tx.Get(c.Account, "subscription", subID)
	if !ok {
		return nil
	}
	sub["latest_invoice"] = invID
	return c.Put(sub)
}

func asKept(err error, k **api.KeptError) bool {
	v, ok := err.(*api.KeptError)
	if ok {
		*k = v
	}
	return ok
}

// subscriptionInvoicePaid moves a subscription out of incomplete or
// past_due once its invoice is paid.
func subscriptionInvoicePaid(c *api.Call, inv store.Obj, paidWith string) error {
	subID := api.Str(api.Obj(api.Obj(inv["parent"])["subscription_details"])["subscription"])
	if subID == "" {
		return nil
	}
	// Most renewals change nothing here: tell from the stored fields
	// before decoding the subscription.
	f, ok := c.Tx.Fields(c.Account, "subscription", subID, "status", "pending_update", "latest_invoice", "payment_settings.save_default_payment_method", "default_payment_method")
	if !ok {
		return nil
	}
	pending := f[1].IsObject() && f[2].String() == api.Str(inv["id"])
	switch status := f[0].String(); {
	case pending, status == "incomplete", status == "past_due", status == "unpaid":
	case paidWith != "" && f[3].String() == "on_subscription" && f[4].String() != paidWith:
	default:
		return nil // a renewal paid as usual: nothing changes
	}
	before, _ := c.Tx.Get(c.Account, "subscription", subID)
	if pendingUpdateFor(before, inv) {
		return applyPendingUpdate(c, before)
	}
	status := before["status"]
	activate := status == "incomplete" || status == "past_due" || status == "unpaid"
	if activate && status != "incomplete" && laterUnpaidInvoice(c, before, inv) {
		// Stripe's past_due is about the latest finalized invoice: paying
		// an older one leaves it as it is ("pay the most recent invoice").
		activate = false
	}
	save := paidWith != "" && savesPaymentMethod(before) && before["default_payment_method"] != paidWith
	if !activate && !save {
		return nil // a renewal paid as usual: nothing changes
	}
	after := api.Clone(before)
	if activate {
		after["status"] = "active"
	}
	if save {
		after["default_payment_method"] = paidWith
	}
	return c.Save(before, after)
}

// laterUnpaidInvoice reports whether the subscription has a finalized
// invoice made after inv that is still unpaid and holds it past_due: one
// charged automatically (open means its attempt failed or awaits the
// customer), or one emailed and past its due date.
func laterUnpaidInvoice(c *api.Call, sub, inv store.Obj) bool {
	created, id, latest := api.Int(inv["created"]), api.Str(inv["id"]), api.Str(sub["latest_invoice"])
	now := c.ClockNow(store.Obj{"test_clock": inv["test_clock"]})
	found := false
	c.Tx.EachIndexedRaw(c.Account, "invoice", "subscription", api.Str(sub["id"]), func(raw string) bool {
		f := store.Pick(raw, "id", "status", "created", "collection_method", "due_date")
		if f[0].String() == id || f[2].Int() < created || (f[1].String() != "open" && f[1].String() != "uncollectible") {
			return true
		}
		if f[2].Int() == created && f[0].String() != latest {
			return true // made in the same second: only the latest is later
		}
		if f[3].String() != "send_invoice" || (f[4].Exists() && f[4].Type != gjson.Null && f[4].Int() <= now) {
			found = true
			return false
		}
		return true
	})
	return found
}

// recoveredSince reports whether the subscription's latest invoice, a
// later one than inv, is paid: an older invoice running out of retries or
// past its deadline then leaves the subscription as it is (Stripe's
// support article on retry schedules longer than a billing period).
func recoveredSince(c *api.Call, sub, inv store.Obj) bool {
	if sub["latest_invoice"] == inv["id"] {
		return false
	}
	latest, ok := c.Tx.Fields(c.Account, "invoice", api.Str(sub["latest_invoice"]), "status")
	return ok && latest[0].String() == "paid"
}

// lapse does to a subscription whose invoice stayed unpaid to the end (its
// retries, or a send_invoice deadline) what the account's settings say:
// mark it unpaid, leave it past_due, or cancel it.
func lapse(c *api.Call, before store.Obj, action string) error {
	switch action {
	case AfterRetriesUnpaid:
		after := api.Clone(before)
		after["status"] = "unpaid"
		return c.Save(before, after)
	case AfterRetriesPastDue:
		return nil
	}
	return endSubscription(c, before, "payment_failed")
}

// subscriptionPaymentFailed moves a renewing subscription to past_due,
// and once every retry failed does what the account's settings say:
// cancel it, mark it unpaid, or leave it past_due. A payment awaiting the
// customer's 3-D Secure only makes it past_due.
func subscriptionPaymentFailed(c *api.Call, inv store.Obj, awaiting bool) error {
	subID := api.Str(api.Obj(api.Obj(inv["parent"])["subscription_details"])["subscription"])
	if subID == "" {
		return nil
	}
	before, ok := c.Tx.Get(c.Account, "subscription", subID)
	if ok && inv["billing_reason"] == "subscription_create" && before["status"] != "active" {
		// An incomplete subscription's first invoice failing is its own
		// state (incomplete, then incomplete_expired), and a trial's
		// one-off items wait; only an active one (started by a schedule
		// with nothing to charge) goes past due.
		return nil
	}
	if !ok || before["status"] == "canceled" || pendingUpdateFor(before, inv) {
		// A pending update's failed payment leaves the subscription as
		// it was: it keeps cycling and the update waits.
		return nil
	}
	if inv["next_payment_attempt"] == nil && recoveredSince(c, before, inv) {
		return nil
	}
	if inv["next_payment_attempt"] == nil && !awaiting {
		// Every retry failed. (A payment waiting for 3-D Secure is never
		// retried, and never ends the subscription this way.)
		if action := LoadSettings(c.Tx, c.Account).SubscriptionAfterRetries; action != AfterRetriesPastDue {
			return lapse(c, before, action)
		}
	}
	if before["status"] == "active" || before["status"] == "trialing" {
		after := api.Clone(before)
		after["status"] = "past_due"
		return c.Save(before, after)
	}
	return nil
}

// endSubscription cancels a subscription now (and the schedule still
// managing it, if any).
func endSubscription(c *api.Call, before store.Obj, reason string) error {
	if id := api.Str(before["schedule"]); id != "" {
		if sched, ok := c.Tx.Get(c.Account, "subscription_schedule", id); ok && sched["status"] == "active" {
			canceled := api.Clone(sched)
			canceled["status"], canceled["canceled_at"], canceled["current_phase"] = "canceled", c.Now, nil
			event := "subscription_schedule.canceled"
			if reason == "payment_failed" {
				event = "subscription_schedule.aborted" // ended by delinquency
			}
			if err := c.PutEmit(canceled, event, nil); err != nil {
				return err
			}
		}
	}
	after := api.Clone(before)
	after["status"] = "canceled"
	if !endsAsAsked(before, c.Now) {
		after["canceled_at"] = c.Now
	}
	after["ended_at"] = c.Now
	api.Obj(after["cancellation_details"])["reason"] = reason
	if err := c.Put(after); err != nil {
		return err
	}
	c.Emit("customer.subscription.deleted", after, nil)
	return stopCollection(c, api.Str(before["customer"]))
}

// stopCollection turns off automatic collection of the customer's open
// invoices as a subscription is canceled: Stripe's documented default,
// so nothing is charged after the customer canceled (collection can be
// turned back on with auto_advance).
func stopCollection(c *api.Call, customer string) error {
	var ids []string
	c.Tx.EachIndexedRaw(c.Account, "invoice", "customer", customer, func(raw string) bool {
		f := store.Pick(raw, "id", "status", "auto_advance", "next_payment_attempt")
		if f[1].String() == "open" && (f[2].Bool() || f[3].Exists() && f[3].Type != gjson.Null) {
			ids = append(ids, f[0].String())
		}
		return true
	})
	for _, id := range ids {
		before, ok := c.Tx.Get(c.Account, "invoice", id)
		if !ok {
			continue
		}
		after := api.Clone(before)
		after["auto_advance"], after["next_payment_attempt"] = false, nil
		if err := c.Save(before, after); err != nil {
			return err
		}
	}
	return nil
}

// cancelSubscriptionsOf ends, at once and without a final invoice, every
// subscription of a customer being deleted: Stripe's "Delete a customer"
// immediately cancels any active subscriptions on the customer.
func cancelSubscriptionsOf(c *api.Call, cus store.Obj) error {
	live := c.Tx.List(c.Account, "subscription", store.Query{Index: "customer", Value: api.Str(cus["id"]),
		Filter: func(o store.Obj) bool { return !subscriptionEnded(o["status"]) }})
	now := c.Now
	defer func() { c.Now = now }()
	c.Now = c.ClockNow(cus)
	for _, sub := range live.Data {
		if err := endSubscription(c, api.Clone(sub), "cancellation_requested"); err != nil {
			return err
		}
	}
	// A schedule yet to start could never start its subscription now.
	waiting := c.Tx.List(c.Account, "subscription_schedule", store.Query{Index: "customer", Value: api.Str(cus["id"]),
		Filter: func(o store.Obj) bool { return o["status"] == "not_started" }})
	for _, sched := range waiting.Data {
		after := api.Clone(sched)
		after["status"], after["canceled_at"] = "canceled", c.Now
		if err := c.PutEmit(after, "subscription_schedule.canceled", nil); err != nil {
			return err
		}
	}
	return nil
}

func loadSubscription(c *api.Call) (store.Obj, error) {
	return c.Load("subscription", c.Var("id"), "id")
}

func retrieveSubscription(c *api.Call) (any, error) { return loadSubscription(c) }

func cancelSubscription(c *api.Call) (any, error) {
	before, err := loadSubscription(c)
	if err != nil {
		return nil, err
	}
	if subscriptionEnded(before["status"]) {
		// Stripe answers as if an ended subscription were gone (its staff
		// on stripe-go#1887: "akin to being deleted already").
		return nil, apierr.NoSuchObject("subscription", api.Str(before["id"]), "id")
	}
	// invoice_now bills unbilled usage and pending prorations at once;
	// prorate credits the unused time of the period as prorations, on
	// that final invoice or left for the customer's next one.
	invoiceNow, _ := c.Params.Bool("invoice_now")
	prorate, _ := c.Params.Bool("prorate")
	cus, _ := c.Tx.Get(c.Account, "customer", api.Str(before["customer"]))
	c.Now = c.ClockNow(cus)
	if prorate && (before["status"] == "active" || before["status"] == "past_due") {
		if err := creditUnusedTime(c, before, before); err != nil {
			return nil, err
		}
	}
	if before["status"] == "incomplete" {
		return cancelIncomplete(c, before)
	}
	withDetails := api.Clone(before)
	if err := applyCancellationDetails(c, withDetails); err != nil {
		return nil, err
	}
	if err := endSubscription(c, withDetails, "cancellation_requested"); err != nil {
		return nil, err
	}
	if invoiceNow {
		if err := finalUsageInvoice(c, before, periodStart(before), c.Now, true); err != nil {
			return nil, err
		}
	}
	out, _ := c.Tx.Get(c.Account, "subscription", api.Str(before["id"]))
	return out, nil
}

// cancelIncomplete ends a subscription whose first invoice was never paid:
// as at Stripe, it becomes incomplete_expired (announced as an update, as
// its expiry after 23 hours is), not canceled, and the unpaid first invoice
// is voided.
func cancelIncomplete(c *api.Call, before store.Obj) (any, error) {
	if inv, ok := c.Tx.Get(c.Account, "invoice", api.Str(before["latest_invoice"])); ok && inv["status"] == "open" {
		if _, err := void(c, inv); err != nil {
			return nil, err
		}
	}
	after := api.Clone(before)
	if err := applyCancellationDetails(c, after); err != nil {
		return nil, err
	}
	after["status"] = "incomplete_expired"
	after["canceled_at"], after["ended_at"] = c.Now, c.Now
	api.Obj(after["cancellation_details"])["reason"] = "cancellation_requested"
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	if err := stopCollection(c, api.Str(before["customer"])); err != nil {
		return nil, err
	}
	return after, nil
}

func updateSubscription(c *api.Call) (any, error) {
	before, err := loadSubscription(c)
	if err != nil {
		return nil, err
	}
	c.Inert("off_session") // an update's invoice is charged the same either way
	if !c.Params.Has("items") && !c.Params.Has("cancel_at") && !c.Params.Has("billing_cycle_anchor") {
		// With nothing that prorates, Stripe takes proration_date and
		// has nothing to date by it.
		c.Inert("proration_date")
	}
	if subscriptionEnded(before["status"]) {
		// Stripe's reference: once canceled, neither the subscription nor
		// its metadata can be updated; the message is Stripe's own (seen
		// in client error reports).
		for _, k := range c.Params.Keys() {
			if k != "expand" {
				return nil, apierr.InvalidRequest("You cannot update a subscription that is `canceled` or `incomplete_expired`.").WithParam(k)
			}
		}
		return before, nil
	}
	if err := c.CheckLengths(subscriptionLengths...); err != nil {
		return nil, err
	}
	if err := checkIncompleteUpdate(c, before); err != nil {
		return nil, err
	}
	pending := false
	pb, _ := c.Params.Str("payment_behavior")
	if before["pending_update"] != nil && (c.Params.Has("items") || pb == "pending_if_incomplete") {
		// The waiting update holds the items as they were plus its own
		// change, and its invoice stays payable: a new change of items
		// would be undone by that payment, a second pending update would
		// leave the first one's invoice to be paid for nothing. Stripe
		// does not document how they combine.
		err := apierr.InvalidRequest("stripe-emu does not emulate changing a subscription's items, or another pending update, while a pending update waits for its payment (Stripe does not document how the two combine), so it refused the request rather than answer as if it had taken effect. Pay its invoice or let it expire first.")
		if !strings.Contains(c.Endpoint, "/v1/subscription_items") {
			err = err.WithParam("items")
		}
		return nil, err
	}
	if pb == "pending_if_incomplete" {
		if err := checkPendingParams(c, before); err != nil {
			return nil, err
		}
		// Ending a trial now invoices at once, which in a pending update
		// would have to wait for the payment; not emulated, so refused
		// rather than ended whatever the payment does.
		if v, _ := c.Params.Get("trial_end"); fmt.Sprint(v) == "now" && before["status"] == "trialing" {
			return nil, apierr.InvalidRequest("stripe-emu does not emulate trial_end=now in a pending update, so it refused the request rather than answer as if it had taken effect.").WithParam("trial_end")
		}
		pending = true
	}
	if n := len(c.Params.Array("add_invoice_items")); n > maxPhaseItems {
		return nil, apierr.InvalidRequest("You may pass up to %d add_invoice_items; you passed %d.", maxPhaseItems, n).WithParam("add_invoice_items")
	}
	cus, _ := c.Tx.Get(c.Account, "customer", api.Str(before["customer"]))
	c.Now = c.ClockNow(cus)
	if sched := api.Str(before["schedule"]); sched != "" && (c.Params.Has("cancel_at_period_end") || c.Params.Has("cancel_at")) {
		return nil, apierr.InvalidRequest("The subscription is managed by the subscription schedule `%s`, and updating any cancelation behavior directly is not allowed. Please update the schedule instead.", sched)
	}
	if before["status"] == "paused" {
		// A paused subscription's last period is over and no other runs
		// (Stripe does not document one): nothing ends with it.
		if end, _ := c.Params.Bool("cancel_at_period_end"); end {
			return nil, apierr.InvalidRequest("stripe-emu does not emulate cancel_at_period_end on a paused subscription, whose period is over, so it refused the request rather than answer as if it had taken effect; set cancel_at, or cancel it.").WithParam("cancel_at_period_end")
		}
		if v, _ := c.Params.Get("cancel_at"); fmt.Sprint(v) == "max_period_end" || fmt.Sprint(v) == "min_period_end" {
			s := fmt.Sprint(v)
			return nil, apierr.InvalidRequest("stripe-emu does not emulate cancel_at=%s on a paused subscription, whose period is over, so it refused the request rather than answer as if it had taken effect; set cancel_at to a time, or cancel it.", s).WithParam("cancel_at")
		}
	}
	after := api.Clone(before)
	c.Copy(after, "description", "cancel_at_period_end")
	if err := applyCancelAt(c, after); err != nil {
		return nil, err
	}
	periodEndCancel(c, before, after)
	noteCancellation(c, before, after)
	if err := applyCancellationDetails(c, after); err != nil {
		return nil, err
	}
	if err := applyPauseCollection(c, after); err != nil {
		return nil, err
	}
	if m, _ := c.Params.Str("collection_method"); m != "" {
		after["collection_method"] = m
	}
	if days, ok := c.Params.Int("days_until_due"); ok {
		after["days_until_due"] = days
	}
	if err := applyBillingThresholds(c, after); err != nil {
		return nil, err
	}
	if after["collection_method"] == "send_invoice" && after["days_until_due"] == nil {
		return nil, apierr.MissingParam("days_until_due")
	}
	if after["collection_method"] == "charge_automatically" {
		if c.Params.Has("days_until_due") {
			return nil, errDaysUntilDueCharged()
		}
		after["days_until_due"] = nil
	}
	if pm, ok := c.Params.Str("default_payment_method"); ok {
		if pm == "" {
			after["default_payment_method"] = nil
		} else {
			o, ok := c.Tx.Get(c.Account, "payment_method", pm)
			if !ok {
				return nil, apierr.NoSuchObject("PaymentMethod", pm, "default_payment_method")
			}
			if o["customer"] != before["customer"] {
				return nil, apierr.InvalidRequest("The customer does not have a payment method with the ID %s. The payment method must be attached to the customer.", pm).WithParam("default_payment_method")
			}
			after["default_payment_method"] = pm
		}
	}
	if src, ok := c.Params.Str("default_source"); ok {
		if src == "" {
			after["default_source"] = nil
		} else if err := checkDefaultSource(c, src, api.Str(before["customer"])); err != nil {
			return nil, err
		} else {
			after["default_source"] = src
		}
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if err := applyPaymentSettings(c, after); err != nil {
		return nil, err
	}
	if err := applySubscriptionTerms(c, after); err != nil {
		return nil, err
	}
	if err := applyDefaultTaxRates(c, after); err != nil {
		return nil, err
	}
	if err := applySubscriptionAccountTaxIDs(c, after); err != nil {
		return nil, err
	}
	if c.Params.Has("discounts") {
		// The list sent replaces the subscription's discounts (empty
		// clears them); a kept one is passed as discounts[][discount].
		ids, err := RedeemDiscounts(c, coupons.Scope{Customer: api.Str(before["customer"]), Subscription: api.Str(before["id"]), Currency: api.Str(before["currency"])}, MinimumRefused)
		if err != nil {
			return nil, err
		}
		after["discounts"] = ids
	}
	behavior, _ := c.Params.Str("proration_behavior")
	if behavior == "" {
		behavior = "create_prorations"
	}
	reset, err := resetAnchorParam(c, before, pending)
	if err != nil {
		return nil, err
	}
	trial, err := trialParam(c, before, pending)
	if err != nil {
		return nil, err
	}
	startsTrial := trial.end > 0 && before["status"] != "trialing"
	trialCredited := false // the unused time a trial starting now gives back
	cancelProrated := false
	if startsTrial {
		// Adding a trial to a subscription that is billing prorates, as
		// Stripe's billing cycle guide says ("The customer is credited
		// for the period they've already paid for that is now being
		// called free"): the unused time of its items is credited; the
		// items it has from now on are in the trial, so their change is
		// not prorated, nor is a cancel_at within it.
		if behavior != "none" {
			if trialCredited, err = creditTrialStart(c, before, after); err != nil {
				return nil, err
			}
		}
		after["status"] = "trialing"
	} else if cancelProrated, err = prorateCancelAt(c, before, after, behavior); err != nil {
		return nil, err
	}
	changed, err := applyItemChanges(c, before, after, behavior)
	if err != nil {
		return nil, err
	}
	if why := cycleReset(c, before, after); !reset && before["status"] != "trialing" && !startsTrial && why != "" {
		// Another interval, or a move between free and paid, starts a new
		// billing cycle now, as billing_cycle_anchor=now does (a trial's
		// end anchors it anyway).
		if reset, err = intervalReset(c, before, pending, why); err != nil {
			return nil, err
		}
	}
	if err := applySubscriptionAutoTax(c, after, cus); err != nil {
		return nil, err
	}
	if reset {
		if err := resetCycle(c, before, after, behavior); err != nil {
			return nil, err
		}
	}
	if err := moveTrialEnd(c, before, after, trial); err != nil {
		return nil, err
	}
	periodEndCancel(c, before, after) // again, the period may have moved
	if pending && changed && behavior == "always_invoice" {
		// The one-off items go on the pending update's invoice, paid
		// with it or voided with it as it expires.
		if err := updateOneOffItems(c, before); err != nil {
			return nil, err
		}
		return updatePending(c, before, after)
	}
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	if err := updateOneOffItems(c, after); err != nil {
		return nil, err
	}
	paused := pausedCollection(after, c.Now)
	if (changed || cancelProrated || trialCredited) && behavior == "always_invoice" && !reset {
		if paused != "" {
			inv, err := draftFromPending(c, after)
			if err != nil {
				return nil, err
			}
			if err := holdPaused(c, inv, paused); err != nil {
				return nil, err
			}
		} else {
			inv, err := subscriptionInvoiceFromPending(c, after)
			if err != nil {
				return nil, err
			}
			if err := collectUpdate(c, inv, pb); err != nil {
				return nil, err
			}
		}
	}
	if after["trial_end"] == c.Now && before["status"] == "trialing" && c.Var(previewVar) == "" {
		// (A preview shows the invoice the trial's end makes as the next
		// one instead: see subscriptionPreview.)
		if err := renew(c, api.Str(after["id"])); err != nil {
			return nil, err
		}
	}
	if reset {
		// The new period is invoiced at once, with the credit for the
		// old one's unused time.
		period := periodInvoice{reason: "subscription_update", start: c.Now, end: periodEnd(after)}
		if before["status"] != "trialing" {
			// The usage of the period cut short is billed in arrears on
			// it, as a renewal bills a period's; the new period's bills
			// only what comes after.
			period.usageFrom = periodStart(before)
		}
		if at := api.Int(after["cancel_at"]); after["cancel_at"] != nil && at > c.Now && at < period.end && behavior != "none" {
			// A cancel_at within the new period ends it early: billed
			// only up to it, as a renewal or a first period is.
			period.partial, period.fraction, period.end = true, float64(at-c.Now)/float64(period.end-c.Now), at
			if err := markBilledThrough(c, api.Str(after["id"]), c.Now, at); err != nil {
				return nil, err
			}
		}
		inv, err := subscriptionInvoice(c, after, period)
		if err != nil {
			return nil, err
		}
		if c.Var(previewVar) != "" {
			// A preview shows this invoice as it is made: a draft.
		} else if paused != "" {
			if err := holdPaused(c, inv, paused); err != nil {
				return nil, err
			}
		} else {
			if inv, err = finalize(c, inv); err != nil {
				return nil, err
			}
			if err := collectUpdate(c, inv, pb); err != nil {
				return nil, err
			}
		}
	}
	if err := c.Flush(); err != nil {
		return nil, err
	}
	out, _ := c.Tx.Get(c.Account, "subscription", api.Str(before["id"]))
	return out, nil
}

// incompleteUpdatable are what a client may update on an incomplete
// subscription: Stripe's reference says it "can only have metadata and
// default_source updated" until its first invoice is paid;
// default_payment_method, default_source's successor, is taken too, and
// so are the flags that only say how a change is made (they change
// nothing themselves).
var incompleteUpdatable = map[string]bool{"expand": true, "metadata": true, "default_source": true, "default_payment_method": true,
	"proration_behavior": true, "proration_date": true, "payment_behavior": true, "off_session": true}

// checkIncompleteUpdate refuses a client's update of an incomplete
// subscription beyond incompleteUpdatable, whose prorations would
// credit a first period never paid. The wording is the emulator's
// (Stripe's is not documented). Updates the emulator makes itself (a
// schedule's phases) are not refused.
func checkIncompleteUpdate(c *api.Call, before store.Obj) error {
	if before["status"] != "incomplete" {
		return nil
	}
	items := strings.HasPrefix(c.Endpoint, "POST /v1/subscription_items") || strings.HasPrefix(c.Endpoint, "DELETE /v1/subscription_items")
	if !items && !strings.HasPrefix(c.Endpoint, "POST /v1/subscriptions/") && !strings.HasPrefix(c.Endpoint, "POST /v1/customers/") {
		return nil
	}
	for _, k := range c.Params.Keys() {
		if incompleteUpdatable[k] {
			continue
		}
		msg := "A subscription whose status is incomplete can only have its metadata, default_source and default_payment_method updated until its first invoice is paid."
		if items {
			// The item endpoints hand their item over as items[0]: what
			// is refused is the request itself.
			return apierr.InvalidRequest("%s", msg)
		}
		return apierr.InvalidRequest("%s", msg).WithParam(k)
	}
	return nil
}

// holdPaused handles an update's draft invoice as paused collection says,
// collecting nothing: kept a draft that does not finalize itself, or
// finalized and at once marked uncollectible or voided, as a renewal's.
func holdPaused(c *api.Call, inv store.Obj, paused string) error {
	if paused == "keep_as_draft" {
		after := api.Clone(inv)
		after["auto_advance"], after["automatically_finalizes_at"] = false, nil
		return c.Save(inv, after)
	}
	return closePaused(c, inv, paused)
}

// closePaused finalizes the invoice of a subscription whose collection is
// paused and at once marks it uncollectible or voids it, as paused says:
// nothing is charged.
func closePaused(c *api.Call, inv store.Obj, paused string) error {
	inv, err := finalize(c, inv)
	if err != nil || inv["status"] != "open" {
		return err
	}
	if paused == "void" {
		_, err = void(c, inv)
	} else {
		_, err = uncollectible(c, inv)
	}
	return err
}

// applyPauseCollection sets or (sent empty) clears pause_collection:
// while it holds, renewals keep invoicing but their invoices are kept as
// drafts, marked uncollectible or voided, until resumes_at if given.
func applyPauseCollection(c *api.Call, sub store.Obj) error {
	if !c.Params.Has("pause_collection") {
		return nil
	}
	if c.Params.Unset("pause_collection") {
		sub["pause_collection"] = nil
		return nil
	}
	pc, _ := c.Params.Obj("pause_collection")
	b, _ := pc.Str("behavior")
	switch b {
	case "keep_as_draft", "mark_uncollectible", "void":
	case "":
		return apierr.MissingParam("pause_collection[behavior]")
	default:
		return apierr.InvalidRequest("Invalid pause_collection[behavior]: must be one of keep_as_draft, mark_uncollectible, or void").WithParam("pause_collection[behavior]")
	}
	var resumes any
	if pc.Has("resumes_at") {
		at, ok := pc.Int("resumes_at")
		if !ok || at <= c.Now {
			return apierr.InvalidRequest("Invalid timestamp: must be an integer Unix timestamp in the future.").WithParam("pause_collection[resumes_at]")
		}
		resumes = at
	}
	sub["pause_collection"] = store.Obj{"behavior": b, "resumes_at": resumes}
	return nil
}

// pausedCollection is how a subscription's invoices are handled while its
// collection is paused at now ("" when it is not).
func pausedCollection(sub store.Obj, now int64) string {
	pc := api.Obj(sub["pause_collection"])
	if r := pc["resumes_at"]; r != nil && api.Int(r) <= now {
		return ""
	}
	return api.Str(pc["behavior"])
}

// resetAnchorParam reads billing_cycle_anchor on update: now resets the
// billing cycle, unchanged (the default) leaves it.
func resetAnchorParam(c *api.Call, sub store.Obj, pending bool) (bool, error) {
	v, ok := c.Params.Get("billing_cycle_anchor")
	if !ok || v == nil || fmt.Sprint(v) == "unchanged" {
		return false, nil
	}
	if fmt.Sprint(v) != "now" {
		return false, apierr.InvalidRequest("Invalid billing_cycle_anchor: must be one of now or unchanged").WithParam("billing_cycle_anchor")
	}
	// What stripe-emu does not emulate together with a reset is refused
	// rather than half done.
	for _, p := range []string{"trial_end", "trial_from_plan", "trial_period_days", "proration_date", "cancel_at"} {
		if c.Params.Has(p) {
			return false, apierr.InvalidRequest("stripe-emu does not emulate billing_cycle_anchor=now together with %s, so it refused the request rather than answer as if it had taken effect.", p).WithParam("billing_cycle_anchor")
		}
	}
	if pending {
		return false, apierr.InvalidRequest("stripe-emu does not emulate billing_cycle_anchor=now in a pending update, so it refused the request rather than answer as if it had taken effect.").WithParam("billing_cycle_anchor")
	}
	if sub["status"] == "trialing" {
		return false, apierr.InvalidRequest("stripe-emu does not emulate billing_cycle_anchor=now during a trial (end it with trial_end=now), so it refused the request rather than answer as if it had taken effect.").WithParam("billing_cycle_anchor")
	}
	if sub["status"] != "active" && sub["status"] != "past_due" {
		return false, apierr.InvalidRequest("The billing cycle of a subscription whose status is %s cannot be reset.", sub["status"]).WithParam("billing_cycle_anchor")
	}
	return true, nil
}

// prorateCancelAt credits the part of the current period a cancel_at
// now cuts off, or charges back what moving it later (or dropping it)
// gives back, as Stripe does unless proration_behavior is none. What the
// period is billed up to is kept in paidThroughKey while it is not the
// period's end. cancel_at_period_end moves the end too (to the
// period's, or back off it), so it is prorated the same way. It reports
// whether it made prorations.
func prorateCancelAt(c *api.Call, before, after store.Obj, behavior string) (bool, error) {
	if (!c.Params.Has("cancel_at") && !c.Params.Has("cancel_at_period_end")) || behavior == "none" || (before["status"] != "active" && before["status"] != "past_due") {
		return false, nil
	}
	start, end := periodStart(before), periodEnd(before)
	if end <= start || c.Now >= end {
		return false, nil
	}
	key := paidThroughKey(c.Account, api.Str(before["id"]))
	paid := billedThrough(c, before)
	through := end
	if at := api.Int(after["cancel_at"]); after["cancel_at"] != nil && at < end {
		through = max(at, c.Now)
	}
	if through == paid {
		return false, nil
	}
	from, to, credit := through, paid, true
	if through > paid {
		from, to, credit = paid, through, false
	}
	fraction := float64(to-from) / float64(end-start)
	for _, it := range subItems(after) {
		rates, _ := it["tax_rates"].([]any)
		d := proration{api.Obj(it["price"]), api.Int(it["quantity"]), credit, it["id"], rates, ownDiscounts(it)}
		if err := insertProration(c, after, d, from, to, fraction); err != nil {
			return false, err
		}
	}
	if through == end {
		c.Tx.DeleteMeta(key)
		return true, nil
	}
	return true, markBilledThrough(c, api.Str(before["id"]), start, through)
}

// paidThroughKey holds "<period start>:<time>": how far into the period
// starting then a subscription is billed, once a cancel_at cut it short.
func paidThroughKey(account, id string) string { return "paidthrough:" + account + ":" + id }

// markBilledThrough records that the period of subscription id starting
// at start is billed only up to through (see billedThrough).
func markBilledThrough(c *api.Call, id string, start, through int64) error {
	return c.Tx.SetMeta(paidThroughKey(c.Account, id), fmt.Sprintf("%d:%d", start, through))
}

// billedThrough is how far into its current period a subscription is
// billed: the period's end, or the cancel_at within it whose cut was
// credited. Prorations of its time left stop there, the time after
// being credited already.
func billedThrough(c *api.Call, sub store.Obj) int64 {
	start, end := periodStart(sub), periodEnd(sub)
	if v, ok := c.Tx.GetMeta(paidThroughKey(c.Account, api.Str(sub["id"]))); ok {
		if from, paid, ok := strings.Cut(v, ":"); ok && from == strconv.FormatInt(start, 10) {
			if t, err := strconv.ParseInt(paid, 10, 64); err == nil {
				return t
			}
		}
	}
	return end
}

// intervalChanged reports whether an update moves a subscription's
// prices to another recurring interval.
func intervalChanged(before, after store.Obj) bool {
	i0, c0 := recurring(api.Obj(subItems(before)[0]["price"]))
	i1, c1 := recurring(api.Obj(subItems(after)[0]["price"]))
	return i0 != i1 || c0 != c1
}

// cycleReset says why an update's prices start a new billing cycle, ""
// when they do not. Stripe's reference names the cases: another interval
// (billing_cycle_anchor=unchanged is refused then, see intervalReset), or
// a move from free to paid or back, which unchanged keeps in the cycle,
// prorated as any change. Metered prices bill what is used, so whether
// such a subscription is free is not known ahead: only the interval counts.
func cycleReset(c *api.Call, before, after store.Obj) string {
	if intervalChanged(before, after) {
		return "a change of billing interval"
	}
	if v, _ := c.Params.Get("billing_cycle_anchor"); fmt.Sprint(v) == "unchanged" {
		return ""
	}
	was, wasMetered := upfrontAmount(c, before)
	now, nowMetered := upfrontAmount(c, after)
	if !wasMetered && !nowMetered && (was == 0) != (now == 0) {
		return "a move between free and paid prices"
	}
	return ""
}

// upfrontAmount is what a subscription's items bill for a period, and
// whether any is metered.
func upfrontAmount(c *api.Call, sub store.Obj) (int64, bool) {
	var total int64
	for _, it := range subItems(sub) {
		price := api.Obj(it["price"])
		if metered(price) {
			return 0, true
		}
		total += catalog.Amount(c, price, api.Str(sub["currency"]), api.Int(it["quantity"]))
	}
	return total, false
}

// intervalReset decides an update changing the interval (or moving
// between free and paid: why) resets the billing cycle, refusing what
// keeps it or what the emulator does not reset.
func intervalReset(c *api.Call, sub store.Obj, pending bool, why string) (bool, error) {
	if v, _ := c.Params.Get("billing_cycle_anchor"); fmt.Sprint(v) == "unchanged" {
		return false, apierr.InvalidRequest("The billing cycle anchor cannot be left unchanged when the prices change to another billing interval: the cycle starts again now.").WithParam("billing_cycle_anchor")
	}
	for _, p := range []string{"proration_date", "cancel_at", "trial_end"} {
		if c.Params.Has(p) {
			return false, apierr.InvalidRequest("stripe-emu does not emulate %s together with %s, so it refused the request rather than answer as if it had taken effect.", why, p).WithParam(p)
		}
	}
	if pending {
		return false, apierr.InvalidRequest("stripe-emu does not emulate %s in a pending update, so it refused the request rather than answer as if it had taken effect.", why).WithParam("payment_behavior")
	}
	if sub["status"] != "active" && sub["status"] != "past_due" {
		return false, apierr.InvalidRequest("stripe-emu does not emulate %s on a subscription whose status is %s, so it refused the request rather than answer as if it had taken effect.", why, sub["status"]).WithParam("items")
	}
	return true, nil
}

// resetCycle starts a new full period now (billing_cycle_anchor=now),
// crediting the old period's unused time unless proration_behavior=none.
func resetCycle(c *api.Call, before, after store.Obj, behavior string) error {
	if behavior != "none" {
		if err := creditUnusedTime(c, before, after); err != nil {
			return err
		}
	}
	interval, count := recurring(api.Obj(subItems(after)[0]["price"]))
	next := addInterval(c.Now, interval, count)
	for _, it := range subItems(after) {
		it["current_period_start"], it["current_period_end"] = c.Now, next
	}
	after["billing_cycle_anchor"] = c.Now
	after["billing_cycle_anchor_config"] = nil // periods no longer follow it
	return nil
}

// oneOffItems reads add_invoice_items: prices billed once, on the
// subscription's first invoice.
func oneOffItems(c *api.Call, customer, currency string, now int64) ([]store.Obj, error) {
	var out []store.Obj
	for i, entry := range c.Params.Array("add_invoice_items") {
		prefix := fmt.Sprintf("add_invoice_items[%d]", i)
		if entry.Has("period") {
			return nil, apierr.InvalidRequest("stripe-emu does not emulate the parameter `%s[period]`, so it refused the request rather than answer as if it had taken effect.", prefix).WithParam(prefix + "[period]")
		}
		if !entry.Has("price") && !entry.Has("price_data") {
			return nil, apierr.MissingParam(prefix + "[price]")
		}
		pr, err := resolvePricing(c, entry, prefix, currency)
		if err != nil {
			return nil, err
		}
		if pr.price["type"] != "one_time" {
			return nil, apierr.InvalidRequest("The price specified is set to `type=recurring` but this field only accepts prices with `type=one_time`.").WithParam(prefix + "[price]")
		}
		if pr.currency != currency {
			return nil, apierr.InvalidRequest("The price's currency (%s) does not match the subscription's (%s).", pr.currency, currency).WithParam(prefix + "[price]")
		}
		ii := newInvoiceItem(c, customer, pr, now)
		rates, ok, err := taxRatesParam(c, entry, "tax_rates", prefix+"[tax_rates]", nil)
		if err != nil {
			return nil, err
		}
		if ok {
			ii["tax_rates"] = rates
		}
		if md, ok := entry.Metadata("metadata"); ok {
			ii["metadata"] = md
		}
		if entry.Has("discounts") {
			// The one-off item's own, as an invoice item's are.
			scope := coupons.Scope{Customer: customer, InvoiceItem: api.Str(ii["id"]), Currency: currency}
			ids, err := RedeemDiscountsFrom(c, entry, prefix, scope, MinimumUnknown)
			if err != nil {
				return nil, err
			}
			ii["discounts"] = ids
		}
		out = append(out, ii)
	}
	return out, nil
}

// updateOneOffItems makes an update's add_invoice_items: invoice items
// of the subscription, "appended to the next invoice for this
// subscription" (Stripe's reference) — one the update makes at once, else
// the next renewal, as a later schedule phase's are.
func updateOneOffItems(c *api.Call, sub store.Obj) error {
	if !c.Params.Has("add_invoice_items") {
		return nil
	}
	items, err := oneOffItems(c, api.Str(sub["customer"]), api.Str(sub["currency"]), c.Now)
	if err != nil {
		return err
	}
	for _, ii := range items {
		ii["parent"] = store.Obj{"type": "subscription_details", "subscription_details": store.Obj{"subscription": sub["id"]}}
		ii["test_clock"] = sub["test_clock"]
		if err := c.Insert(ii); err != nil {
			return err
		}
	}
	return nil
}

// applyCancelAt schedules the subscription's end: a timestamp in the
// future, or max_period_end / min_period_end (its items share one period,
// so both are the current period's end); empty unsets it. At that time
// the clock cancels it, mid-period if need be (prorateCancelAt credits
// the time it cuts off when it is set).
func applyCancelAt(c *api.Call, sub store.Obj) error {
	v, ok := c.Params.Get("cancel_at")
	if !ok {
		return nil
	}
	if api.Bool(sub["cancel_at_period_end"]) && v != nil {
		return apierr.Exclusive("cancel_at", "cancel_at_period_end")
	}
	switch s := fmt.Sprint(v); {
	case v == nil || s == "":
		sub["cancel_at"] = nil
	case s == "max_period_end" || s == "min_period_end":
		sub["cancel_at"] = periodEnd(sub)
	default:
		var at int64
		if _, err := fmt.Sscan(s, &at); err != nil {
			return apierr.InvalidRequest("Invalid cancel_at: must be an integer Unix timestamp, max_period_end or min_period_end").WithParam("cancel_at")
		}
		if at <= c.Now {
			return apierr.InvalidRequest("Invalid timestamp: must be an integer Unix timestamp in the future.").WithParam("cancel_at")
		}
		sub["cancel_at"] = at
	}
	return nil
}

// trialRequest is what an update asks of the trial: an end to come
// (trial_end, or trial_from_plan's days from now), to end it now, or
// nothing (end 0, now false).
type trialRequest struct {
	end int64
	now bool
}

// MaxTrialDays is the longest free trial Stripe gives: two years, its
// trials guide says.
const MaxTrialDays = 730

// TrialTooLong refuses a trial over MaxTrialDays in the words Stripe's
// answers have been quoted with (stripe-ruby#804, async-stripe#445).
func TrialTooLong(param string) *apierr.Error {
	return apierr.InvalidRequest("The maximum number of trial period days is 730 (2 years).").WithParam(param)
}

// trialParam reads trial_end (a time to come, or now) and trial_from_plan
// on update. trial_from_plan gives the longest trial_period_days of the
// prices the subscription has after the update, from now: Stripe's
// changelog of 2018-05-21 says a plan's trial taken on a change of plan
// is added in full, whatever trials came before. A trial that would start
// on a subscription stripe-emu cannot start one on is refused here, before
// anything changes.
func trialParam(c *api.Call, before store.Obj, pending bool) (trialRequest, error) {
	fromPlan, _ := c.Params.Bool("trial_from_plan")
	v, sent := c.Params.Get("trial_end")
	param := "trial_end"
	var t trialRequest
	switch {
	case fromPlan && sent:
		return t, apierr.InvalidRequest("You cannot set `trial_from_plan` together with `trial_end` or `trial_period_days`.").WithParam("trial_from_plan")
	case fromPlan:
		param = "trial_from_plan"
		if d := planTrialDays(c, before); d > 0 {
			t.end = c.Now + d*86400
		}
	case !sent || v == nil:
	case fmt.Sprint(v) == "now":
		t.now = true
	default:
		if _, err := fmt.Sscan(fmt.Sprint(v), &t.end); err != nil {
			return t, apierr.InvalidRequest("Invalid trial_end: must be an integer Unix timestamp or `now`").WithParam("trial_end")
		}
		if t.end <= c.Now {
			return t, apierr.InvalidRequest("Invalid timestamp: must be an integer Unix timestamp in the future.").WithParam("trial_end")
		}
		if t.end > c.Now+MaxTrialDays*86400 {
			return t, TrialTooLong("trial_end")
		}
	}
	if t.end == 0 || before["status"] == "trialing" {
		return t, nil
	}
	switch before["status"] {
	case "active", "past_due", "unpaid":
	default:
		return t, apierr.InvalidRequest("stripe-emu does not emulate starting a trial on a subscription whose status is %s, so it refused the request rather than answer as if it had taken effect.", before["status"]).WithParam(param)
	}
	if pending {
		// Its credit would be invoiced or not as the payment goes.
		return t, apierr.InvalidRequest("stripe-emu does not emulate starting a trial in a pending update, so it refused the request rather than answer as if it had taken effect.").WithParam(param)
	}
	for _, it := range subItems(before) {
		if metered(api.Obj(it["price"])) {
			// The usage of the period would be billed at a renewal the
			// trial takes away.
			return t, apierr.InvalidRequest("stripe-emu does not emulate starting a trial on a subscription with metered prices (when their usage so far is billed), so it refused the request rather than answer as if it had taken effect.").WithParam(param)
		}
	}
	return t, nil
}

// planTrialDays is the longest recurring[trial_period_days] of the prices
// a subscription has once an update's items[] apply (a price_data price
// has none). Prices the update cannot take are left to its items' checks.
func planTrialDays(c *api.Call, before store.Obj) int64 {
	prices := map[string]store.Obj{}
	for _, it := range subItems(before) {
		prices[api.Str(it["id"])] = api.Obj(it["price"])
	}
	for i, ip := range c.Params.Array("items") {
		id, _ := ip.Str("id")
		if id == "" {
			id = fmt.Sprintf("items[%d]", i)
		}
		if del, _ := ip.Bool("deleted"); del {
			delete(prices, id)
			continue
		}
		pid, _ := ip.Str("price")
		if plan, _ := ip.Str("plan"); plan != "" {
			pid = plan
		}
		switch p, ok := c.Tx.Get(c.Account, "price", pid); {
		case ok:
			prices[id] = p
		case ip.Has("price_data"):
			prices[id] = nil
		}
	}
	var d int64
	for _, p := range prices {
		d = max(d, api.Int(api.Obj(p["recurring"])["trial_period_days"]))
	}
	return d
}

// creditTrialStart credits, as prorations, the unused time of the items
// before has when a trial starts now on it: from now (or proration_date)
// to the end of the period, or to where a cancel_at cut its billing short
// (paidThroughKey). It reports whether there was time to credit.
func creditTrialStart(c *api.Call, before, sub store.Obj) (bool, error) {
	start, end := periodStart(before), periodEnd(before)
	at := c.Now
	if d, ok := c.Params.Int("proration_date"); ok {
		if d < api.Int(before["start_date"]) {
			return false, apierr.InvalidRequest("Cannot specify proration date before the current subscription started").WithParam("proration_date")
		}
		at = d
	}
	at = max(at, start)
	through := billedThrough(c, before)
	c.Tx.DeleteMeta(paidThroughKey(c.Account, api.Str(before["id"])))
	if through <= at || end <= start {
		return false, nil
	}
	fraction := float64(through-at) / float64(end-start)
	for _, it := range subItems(before) {
		rates, _ := it["tax_rates"].([]any)
		d := proration{api.Obj(it["price"]), api.Int(it["quantity"]), true, it["id"], rates, ownDiscounts(it)}
		if err := insertProration(c, sub, d, at, through, fraction); err != nil {
			return false, err
		}
	}
	return true, nil
}

// moveTrialEnd applies an update's trial (see trialParam): now ends a
// trial (its renewal then runs), a time to come starts one (trialing from
// now, the period the trial) or moves its end, the billing cycle anchor
// and the period's end with it. customer.subscription.trial_will_end is
// sent at once when the trial ends now or is left under three days, and
// again three days before a later end.
func moveTrialEnd(c *api.Call, before, after store.Obj, t trialRequest) error {
	if (t.end == 0 && !t.now) || (t.now && before["status"] != "trialing") {
		return nil // nothing asked, or no trial to end
	}
	end := c.Now
	if !t.now {
		end = t.end
	}
	warned := "twe:" + c.Account + ":" + api.Str(before["id"])
	if before["status"] != "trialing" {
		// A trial starting now (trial_end or trial_from_plan on a
		// subscription that is billing, or a schedule's phase): it is the period,
		// and its end is warned of, whatever an earlier trial's was.
		after["trial_start"] = c.Now
		for _, it := range subItems(after) {
			it["current_period_start"] = c.Now
		}
		c.Tx.DeleteMeta(warned)
	}
	if api.Int(before["billing_cycle_anchor"]) == api.Int(before["trial_end"]) || end != c.Now {
		// The cycle anchored on the trial's end moves with it.
		after["billing_cycle_anchor"] = end
	}
	after["trial_end"] = end
	for _, it := range subItems(after) {
		it["current_period_end"] = end
	}
	if end-c.Now >= TrialWillEnd {
		c.Tx.DeleteMeta(warned) // warned again before the new end
		return nil
	}
	if _, done := c.Tx.GetMeta(warned); done {
		return nil
	}
	c.Emit("customer.subscription.trial_will_end", after, nil)
	return c.Tx.SetMeta(warned, "1")
}

// periodEndCancel shows, as Stripe does, the end of the period as the
// cancel_at of a subscription canceling at its period's end, and drops
// it when that is taken back (unless the request names another).
func periodEndCancel(c *api.Call, before, after store.Obj) {
	switch {
	case api.Bool(after["cancel_at_period_end"]):
		after["cancel_at"] = periodEnd(after)
	case before != nil && api.Bool(before["cancel_at_period_end"]) && !c.Params.Has("cancel_at"):
		after["cancel_at"] = nil
	}
}

// cancelAsked reports whether a subscription is to be canceled later
// (cancel_at_period_end or cancel_at).
func cancelAsked(sub store.Obj) bool {
	return sub != nil && (api.Bool(sub["cancel_at_period_end"]) || sub["cancel_at"] != nil)
}

// noteCancellation records a cancellation to come as Stripe shows it:
// canceled_at is the time of the latest request that asked for it (kept
// once the subscription ends), the reason cancellation_requested; taking
// it back clears both.
func noteCancellation(c *api.Call, before, after store.Obj) {
	switch {
	case cancelAsked(after) && (c.Params.Has("cancel_at_period_end") || c.Params.Has("cancel_at")):
		markCancellation(after, c.Now)
	case cancelAsked(before) && !cancelAsked(after):
		markCancellation(after, nil)
	}
}

// markCancellation sets (at a time) or clears (nil) a requested
// cancellation's canceled_at and reason.
func markCancellation(sub store.Obj, at any) {
	details := api.Clone(api.Obj(sub["cancellation_details"]))
	details["reason"] = nil
	if at != nil {
		details["reason"] = "cancellation_requested"
	}
	sub["canceled_at"], sub["cancellation_details"] = at, details
}

// endsAsAsked reports whether a subscription ending now ends when a
// requested cancellation said, keeping the request's canceled_at.
func endsAsAsked(sub store.Obj, now int64) bool {
	switch {
	case sub["canceled_at"] == nil:
		return false
	case api.Bool(sub["cancel_at_period_end"]):
		return periodEnd(sub) <= now
	default:
		return sub["cancel_at"] != nil && api.Int(sub["cancel_at"]) <= now
	}
}

// cancellationFeedback are the values Stripe takes for
// cancellation_details[feedback] (the DELETE's parameters are not checked
// against the spec's enums as a POST's are).
var cancellationFeedback = []string{"customer_service", "low_quality", "missing_features", "other", "switched_service", "too_complex", "too_expensive", "unused"}

// applyCancellationDetails records why the customer left, as the
// merchant tells it (comment, feedback); reason is Stripe's own.
func applyCancellationDetails(c *api.Call, sub store.Obj) error {
	cd, ok := c.Params.Obj("cancellation_details")
	if !ok {
		return nil
	}
	if f, _ := cd.Str("feedback"); f != "" && !slices.Contains(cancellationFeedback, f) {
		return apierr.InvalidRequest("Invalid cancellation_details[feedback]: must be one of %s, or %s",
			strings.Join(cancellationFeedback[:len(cancellationFeedback)-1], ", "), cancellationFeedback[len(cancellationFeedback)-1]).WithParam("cancellation_details[feedback]")
	}
	out := api.Clone(api.Obj(sub["cancellation_details"]))
	for _, k := range []string{"comment", "feedback"} {
		if cd.Has(k) {
			v, _ := cd.Get(k)
			if v == "" {
				v = nil
			}
			out[k] = v
		}
	}
	sub["cancellation_details"] = out
	return nil
}

// collectNow tries to pay a subscription's freshly finalized invoice
// (an update that invoices at once), recording a failed attempt as a
// renewal's would be.
func collectNow(c *api.Call, inv store.Obj) error {
	if inv == nil || inv["status"] != "open" || inv["collection_method"] != "charge_automatically" {
		return nil
	}
	pm := payingMethod(c, inv)
	if pm == "" {
		return nil
	}
	err := attempt(c, api.Str(inv["id"]), pm)
	if err == nil {
		return nil
	}
	if !failedAttempt(err) {
		return err
	}
	if ferr := c.Flush(); ferr != nil {
		return ferr
	}
	return recordFailedAttempt(c, api.Str(inv["id"]), err == errAwaitingAction)
}

// collectUpdate is collectNow for the invoice an update makes at once.
// Under payment_behavior=error_if_incomplete an invoice its card cannot
// pay now refuses the whole update instead, as Stripe documents: a 402
// with the decline, or for a card asking for 3-D Secure
// subscription_payment_intent_requires_action, and nothing changed.
// Under default_incomplete nothing is attempted: the subscription goes
// past_due and awaits the client's confirmation of the invoice's
// PaymentIntent, as Stripe's reference says.
func collectUpdate(c *api.Call, inv store.Obj, behavior string) error {
	if behavior == "default_incomplete" && inv != nil && inv["status"] == "open" && inv["collection_method"] == "charge_automatically" {
		return pastDueFor(c, inv)
	}
	if behavior != "error_if_incomplete" || inv == nil || inv["status"] != "open" || inv["collection_method"] != "charge_automatically" {
		return collectNow(c, inv)
	}
	pm := payingMethod(c, inv)
	if pm == "" {
		return collectNow(c, inv)
	}
	err := attempt(c, api.Str(inv["id"]), pm)
	var kept *api.KeptError
	switch {
	case err == errAwaitingAction:
		return errSubscriptionActionRequired()
	case asKept(err, &kept):
		return kept.Err // not kept: the update rolls back
	}
	return err
}

// checkDefaultSource refuses a default_source that is not one of the
// customer's saved cards, in the words of the customer's own
// default_source check.
func checkDefaultSource(c *api.Call, src, cusID string) error {
	if card, ok := c.Tx.Get(c.Account, "card", src); !ok || api.Str(card["customer"]) != cusID {
		return apierr.NoSuchObject("source", src, "default_source")
	}
	return nil
}

// pastDueFor makes the active subscription of an open invoice past_due:
// one an update under default_incomplete left unattempted, or a
// send_invoice one overdue.
func pastDueFor(c *api.Call, inv store.Obj) error {
	subID := api.Str(api.Obj(api.Obj(inv["parent"])["subscription_details"])["subscription"])
	before, ok := c.Tx.Get(c.Account, "subscription", subID)
	if !ok || before["status"] != "active" {
		return nil
	}
	after := api.Clone(before)
	after["status"] = "past_due"
	return c.Save(before, after)
}

// applyItemChanges applies items[] to the subscription and, per the
// proration behaviour, records proration invoice items for the rest of
// the period. It reports whether anything billable changed.
func applyItemChanges(c *api.Call, before, after store.Obj, behavior string) (bool, error) {
	if !c.Params.Has("items") {
		return false, nil
	}
	items := subItems(after)
	byID := map[string]store.Obj{}
	for _, it := range items {
		byID[api.Str(it["id"])] = it
	}
	start, end := periodStart(before), periodEnd(before)
	// New prices bill in the subscription's currency (Stripe keeps a
	// subscription in one), their own or an option's.
	currency := api.Str(before["currency"])
	// Prorations are computed as of proration_date when given, so that a
	// preview and the update it previewed agree to the second.
	at := c.Now
	if d, ok := c.Params.Int("proration_date"); ok {
		if d < api.Int(before["start_date"]) {
			// Stripe's words (seen by its users); a date since, even
			// before the current period, is taken.
			return false, apierr.InvalidRequest("Cannot specify proration date before the current subscription started").WithParam("proration_date")
		}
		at = d
	}
	// A cancel_at within the period ends the time left there (the rest
	// was credited when it was set).
	through := billedThrough(c, before)
	fraction := 0.0
	if end > start && at < through {
		fraction = float64(through-max(at, start)) / float64(end-start)
	}
	type delta = proration // its rates, as they were for a credit
	var deltas []delta
	changed := false
	var kept []store.Obj
	removed := map[string]bool{}
	// Where each item given a price by this request was named, to name
	// the parameter when two items end up on one price.
	sentAt, prefixOf := map[string]params.Values{}, map[string]string{}
	for i, ip := range c.Params.Array("items") {
		prefix := fmt.Sprintf("items[%d]", i)
		id, _ := ip.Str("id")
		if id != "" {
			it, ok := byID[id]
			if !ok {
				return false, apierr.NoSuchObject("subscription_item", id, prefix+"[id]")
			}
			oldPrice, oldQty := api.Obj(it["price"]), api.Int(it["quantity"])
			oldRates, _ := it["tax_rates"].([]any)
			oldOwn, _ := it["discounts"].([]any)
			if del, _ := ip.Bool("deleted"); del {
				// clear_usage "has no effect if the plan has a billing
				// meter attached" (stripe-go), as every metered price has
				// at basil; a licensed item has no usage, refused as the
				// item endpoint refuses it.
				if clear, _ := ip.Bool("clear_usage"); clear && !metered(oldPrice) {
					return false, apierr.InvalidRequest("clear_usage is only allowed when the subscription item's price has usage_type `metered`.").WithParam(prefix + "[clear_usage]")
				}
				removed[id] = true
				deltas = append(deltas, delta{oldPrice, oldQty, true, it["id"], oldRates, oldOwn})
				changed = true
				continue
			}
			newRates := oldRates
			rates, ok, err := taxRatesParam(c, ip, "tax_rates", prefix+"[tax_rates]", oldRates)
			if err != nil {
				return false, err
			}
			if ok {
				// New rates apply from the next invoice on; changing them
				// alone prorates nothing.
				it["tax_rates"], newRates = rates, rates
			}
			// New discounts apply from now on; changing them alone
			// prorates nothing, as with the subscription's own.
			if err := redeemItemDiscounts(c, ip, prefix, after, it); err != nil {
				return false, err
			}
			newOwn, _ := it["discounts"].([]any)
			newPrice := oldPrice
			if ip.Has("price") || ip.Has("plan") || ip.Has("price_data") {
				p, param, err := resolveItemPrice(c, ip, prefix)
				if err != nil {
					return false, err
				}
				if p["id"] != oldPrice["id"] {
					// An item staying on its price goes on though its
					// product was archived.
					if err := sellsNew(c, p, param); err != nil {
						return false, err
					}
				}
				sentAt[id] = ip
				prefixOf[id] = prefix
				if err := catalog.CheckCurrency(c, p, currency, prefix+"[price]"); err != nil {
					return false, err
				}
				newPrice = p
			}
			newQty := oldQty
			if metered(oldPrice) {
				newQty = 1 // a licensed price replacing a metered one
			}
			q, _, err := itemQuantity(ip, newPrice, prefix, newQty)
			if err != nil {
				return false, err
			}
			newQty = q
			if bt, ok, err := itemThresholdsParam(c, ip, newPrice, prefix); err != nil {
				return false, err
			} else if ok {
				it["billing_thresholds"] = bt
			} else if it["billing_thresholds"] != nil && !metered(newPrice) {
				return false, errLicensedThresholds(prefix)
			}
			if newPrice["id"] != oldPrice["id"] || newQty != oldQty {
				deltas = append(deltas, delta{oldPrice, oldQty, true, it["id"], oldRates, oldOwn}, delta{newPrice, newQty, false, it["id"], newRates, newOwn})
				it["price"], it["plan"], it["quantity"] = newPrice, catalog.PlanOf(newPrice), newQty
				if metered(newPrice) {
					delete(it, "quantity")
					if newPrice["id"] != oldPrice["id"] {
						// Only usage from now on is billed at the new price.
						if err := c.Tx.SetMeta(usageFromKey(c.Account, id), strconv.FormatInt(c.Now, 10)); err != nil {
							return false, err
						}
					}
				}
				changed = true
			}
			if md, ok := ip.Map("metadata"); ok {
				it["metadata"] = api.MergeMetadata(api.Obj(it["metadata"]), md)
			}
			continue
		}
		p, err := itemPrice(c, ip, prefix)
		if err != nil {
			return false, err
		}
		if err := catalog.CheckCurrency(c, p, currency, prefix+"[price]"); err != nil {
			return false, err
		}
		q, _, err := itemQuantity(ip, p, prefix, 1)
		if err != nil {
			return false, err
		}
		it := newItem(c, api.Str(after["id"]), p, q, start, end)
		it["created"] = c.Now
		bt, _, err := itemThresholdsParam(c, ip, p, prefix)
		if err != nil {
			return false, err
		}
		it["billing_thresholds"] = bt
		sentAt[api.Str(it["id"])], prefixOf[api.Str(it["id"])] = ip, prefix
		it["metadata"] = itemMetadata(ip)
		rates, ok, err := taxRatesParam(c, ip, "tax_rates", prefix+"[tax_rates]", nil)
		if err != nil {
			return false, err
		}
		if ok {
			it["tax_rates"] = rates
		}
		if err := redeemItemDiscounts(c, ip, prefix, after, it); err != nil {
			return false, err
		}
		items = append(items, it)
		deltas = append(deltas, delta{p, q, false, it["id"], rates, ownDiscounts(it)})
		changed = true
	}
	for _, it := range items {
		if !removed[api.Str(it["id"])] {
			kept = append(kept, it)
		}
	}
	for i, it := range kept {
		i0, c0 := recurring(api.Obj(kept[0]["price"]))
		if i1, c1 := recurring(api.Obj(it["price"])); i1 != i0 || c1 != c0 {
			return false, apierr.InvalidRequest(intervalMismatch).WithParam(fmt.Sprintf("items[%d][price]", i))
		}
	}
	if len(kept) == 0 {
		// Stripe's words, which integrations match on to cancel instead
		// (seen in their code); its param is not documented.
		err := apierr.InvalidRequest("A subscription must have at least one active plan. To cancel a subscription, please use the cancel API endpoint on /v1/subscriptions.")
		if !strings.Contains(c.Endpoint, "/v1/subscription_items") {
			err = err.WithParam("items")
		}
		return false, err
	}
	if len(kept) > maxPhaseItems {
		// Stripe's "A list of up to 20 subscription items" holds for the
		// items an update leaves, however they are added.
		err := apierr.InvalidRequest("A subscription can have at most 20 items.")
		if !strings.Contains(c.Endpoint, "/v1/subscription_items") {
			err = err.WithParam("items")
		}
		return false, err
	}
	onPrice := map[any]string{}
	for _, it := range kept {
		price, id := api.Obj(it["price"]), api.Str(it["id"])
		if other, dup := onPrice[price["id"]]; dup {
			if _, sent := sentAt[id]; !sent {
				id = other
			}
			return false, samePriceTwice(sentAt[id], prefixOf[id], price)
		}
		onPrice[price["id"]] = id
	}
	setItems(after, kept)
	anchorNow := false
	if v, _ := c.Params.Get("billing_cycle_anchor"); fmt.Sprint(v) == "now" {
		anchorNow = true
	}
	if behavior == "none" || fraction == 0 || after["status"] == "trialing" || anchorNow || cycleReset(c, before, after) != "" {
		// (billing_cycle_anchor=now, a new interval, or a move between
		// free and paid starts a new cycle, whose reset credits the old
		// items' unused time instead.)
		return changed, nil
	}
	for _, d := range deltas {
		if err := insertProration(c, after, d, at, through, fraction); err != nil {
			return false, err
		}
	}
	return changed, nil
}

// creditUnusedTime records, for each item before had, a proration of
// sub crediting its time from now to the end of the current period.
func creditUnusedTime(c *api.Call, before, sub store.Obj) error {
	start, end := periodStart(before), periodEnd(before)
	through := billedThrough(c, before) // not what a cancel_at credited already
	if through <= c.Now || end <= start {
		return nil
	}
	fraction := float64(through-max(c.Now, start)) / float64(end-start)
	for _, it := range subItems(before) {
		rates, _ := it["tax_rates"].([]any)
		d := proration{api.Obj(it["price"]), api.Int(it["quantity"]), true, it["id"], rates, ownDiscounts(it)}
		if err := insertProration(c, sub, d, c.Now, through, fraction); err != nil {
			return err
		}
	}
	return nil
}

// proration is one pending proration invoice item of a subscription:
// the remaining time on an item's price, or (credit) its unused time.
type proration struct {
	price  store.Obj
	qty    int64
	credit bool
	item   any   // the subscription item the proration is for
	rates  []any // its own tax rates
	own    []any // its own discounts
}

// insertProration records a proration for the time from at to end, the
// given fraction of the period, waiting for the subscription's next
// invoice.
func insertProration(c *api.Call, sub store.Obj, d proration, at, end int64, fraction float64) error {
	if metered(d.price) {
		return nil // usage is billed as recorded, never prorated
	}
	currency := api.Str(sub["currency"])
	full := catalog.Amount(c, d.price, currency, d.qty)
	// Basil prorates the discounted amount, and the proration is not
	// discounted again on its invoice (discountable is "always false for
	// prorations"), so a credit gives back what was paid.
	full -= prorationDiscount(c, sub, d, full)
	amount := int64(math.Round(float64(full) * fraction))
	desc := prorationDescription("Remaining time on", c, d.price, d.qty, at)
	if d.credit {
		amount = -amount
		desc = prorationDescription("Unused time on", c, d.price, d.qty, at)
	}
	ii := newInvoiceItem(c, api.Str(sub["customer"]), priced{unitAmount: amount, quantity: 1, currency: currency, price: d.price}, c.Now)
	ii["test_clock"] = sub["test_clock"]
	ii["amount"] = amount
	ii["quantity"] = d.qty
	if pricing := api.Obj(ii["pricing"]); pricing != nil {
		// The unit is the prorated amount's share per unit (Stripe's
		// proration items: a quantity one's unit amount is its amount).
		pricing["unit_amount_decimal"] = perUnit(amount, d.qty)
	}
	ii["description"] = desc
	ii["proration"] = true
	ii["discountable"] = false
	ii["tax_rates"] = cloneRates(d.rates)
	ii["period"] = store.Obj{"start": at, "end": end}
	ii["parent"] = store.Obj{"type": "subscription_details", "subscription_details": store.Obj{"subscription": sub["id"], "subscription_item": d.item}}
	ii["test_clock"] = sub["test_clock"]
	return c.Insert(ii)
}

// prorationDiscount is what discounts take off a period of d's item
// (full): its own first, as on its invoice line, then its share of what
// the discounts a subscription's invoice would carry take when spread
// over the subscription's items, each net of its own.
func prorationDiscount(c *api.Call, sub store.Obj, d proration, full int64) int64 {
	if full <= 0 {
		return 0
	}
	cur := api.Str(sub["currency"])
	product := api.Str(d.price["product"])
	off := ownOff(c, d.own, full, product, cur)
	cus, _ := c.Tx.Get(c.Account, "customer", api.Str(sub["customer"]))
	found := coupons.Load(c, invoiceDiscounts(c, sub, cus), cur)
	if len(found) == 0 {
		return off
	}
	amounts, products, discountable := []int64{full - off}, []string{product}, []bool{true}
	for _, it := range subItems(sub) {
		price := api.Obj(it["price"])
		if it["id"] == d.item || metered(price) {
			continue
		}
		amount := catalog.Amount(c, price, cur, api.Int(it["quantity"]))
		amounts = append(amounts, amount-ownOff(c, ownDiscounts(it), amount, api.Str(price["product"]), cur))
		products = append(products, api.Str(price["product"]))
		discountable = append(discountable, true)
	}
	for _, share := range coupons.Spread(found, amounts, products, discountable)[0] {
		off += api.Int(share["amount"])
	}
	return off
}

// ownOff is what a subscription item's own discounts (ids) that still
// apply take off amount of its product.
func ownOff(c *api.Call, ids []any, amount int64, product, cur string) int64 {
	if len(ids) == 0 || amount <= 0 {
		return 0
	}
	var off int64
	for _, share := range coupons.Spread(coupons.Load(c, liveIDs(c, ids), cur), []int64{amount}, []string{product}, []bool{true})[0] {
		off += api.Int(share["amount"])
	}
	return off
}

// perUnit is amount / qty as a decimal string of at most 12 places, as
// Stripe writes unit_amount_decimal.
func perUnit(amount, qty int64) string {
	if qty <= 0 {
		qty = 1
	}
	out := new(big.Rat).SetFrac64(amount, qty).FloatString(12)
	out = strings.TrimRight(out, "0")
	return strings.TrimSuffix(out, ".")
}

// prorationDescription is Stripe's wording of a proration: "Unused time
// on Pro after 16 Sep 2025", the quantity shown only when it is not one
// ("Remaining time on 2 × Pro after …"), as Stripe's own lines read.
func prorationDescription(what string, c *api.Call, price store.Obj, qty, at int64) string {
	name := fmt.Sprint(productName(c, price))
	if qty != 1 {
		name = fmt.Sprintf("%d × %s", qty, name)
	}
	return fmt.Sprintf("%s %s after %s", what, name, time.Unix(at, 0).UTC().Format("02 Jan 2006"))
}

// subscriptionInvoiceFromPending invoices a subscription's pending
// prorations now (proration_behavior=always_invoice).
func subscriptionInvoiceFromPending(c *api.Call, sub store.Obj) (store.Obj, error) {
	inv, err := draftFromPending(c, sub)
	if err != nil {
		return nil, err
	}
	return finalize(c, inv)
}

// draftFromPending puts a subscription's pending prorations on a new
// draft invoice, its latest.
func draftFromPending(c *api.Call, sub store.Obj) (store.Obj, error) {
	return draftFromPendingAs(c, sub, "subscription_update", nil, pendingFor(c, sub))
}

// draftFromPendingAs is draftFromPending for an invoice made for reason,
// of the pending items given; edit, if set, changes the draft before it
// is stored.
func draftFromPendingAs(c *api.Call, sub store.Obj, reason string, edit func(inv store.Obj), pending []store.Obj) (store.Obj, error) {
	cus, _ := c.Tx.Get(c.Account, "customer", api.Str(sub["customer"]))
	inv := newInvoice(c, cus, api.Str(sub["currency"]), c.Now, reason)
	inv["collection_method"] = sub["collection_method"]
	inv["default_tax_rates"] = cloneRates(sub["default_tax_rates"])
	if autoTaxOn(sub) {
		inv["automatic_tax"] = invoiceAutoTax(true)
	}
	subscriptionAccountTaxIDs(sub, inv)
	subscriptionInvoiceTerms(sub, inv)
	inv["parent"] = store.Obj{"type": "subscription_details", "quote_details": nil,
		"subscription_details": store.Obj{"metadata": sub["metadata"], "subscription": sub["id"]}}
	if edit != nil {
		edit(inv)
	}
	if err := c.Insert(inv); err != nil {
		return nil, err
	}
	if err := keepIntentTerms(c, sub, inv); err != nil {
		return nil, err
	}
	if _, err := attachItems(c, inv, pending); err != nil {
		return nil, err
	}
	if err := setLatestInvoice(c, api.Str(sub["id"]), api.Str(inv["id"])); err != nil {
		return nil, err
	}
	inv, _ = c.Tx.Get(c.Account, "invoice", api.Str(inv["id"]))
	return inv, nil
}

func resumeSubscription(c *api.Call) (any, error) {
	before, err := loadSubscription(c)
	if err != nil {
		return nil, err
	}
	if before["status"] != "paused" {
		return nil, apierr.InvalidRequest("Subscription %s is not paused; only paused subscriptions can be resumed (its status is %s).", before["id"], before["status"])
	}
	cus, _ := c.Tx.Get(c.Account, "customer", api.Str(before["customer"]))
	c.Now = c.ClockNow(cus)
	if anchor, _ := c.Params.Str("billing_cycle_anchor"); anchor == "unchanged" {
		return resumeUnchanged(c, before)
	}
	// A new cycle starting now is Stripe's default (billing_cycle_anchor
	// =now), which leaves nothing to prorate (nor to date).
	c.Inert("proration_behavior", "proration_date")
	after := api.Clone(before)
	interval, count := recurring(api.Obj(subItems(after)[0]["price"]))
	end := addInterval(c.Now, interval, count)
	for _, it := range subItems(after) {
		it["current_period_start"], it["current_period_end"] = c.Now, end
	}
	after["status"] = "active"
	after["billing_cycle_anchor"] = c.Now
	after["billing_cycle_anchor_config"] = nil // periods no longer follow it
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	c.Emit("customer.subscription.resumed", after, nil)
	inv, err := subscriptionInvoice(c, after, periodInvoice{reason: "subscription_cycle", start: c.Now, end: end})
	if err != nil {
		return nil, err
	}
	// The resumption invoice is charged at once (Stripe's reference: paid,
	// the subscription is active; failed, past_due).
	if err := chargeOrHold(c, after, inv); err != nil {
		return nil, err
	}
	out, _ := c.Tx.Get(c.Account, "subscription", api.Str(before["id"]))
	return out, nil
}

// chargeOrHold finalizes and collects an invoice a resumption makes at
// once, unless the subscription's collection is paused, which holds it as
// a renewal's.
func chargeOrHold(c *api.Call, sub, inv store.Obj) error {
	if paused := pausedCollection(sub, c.Now); paused != "" {
		return holdPaused(c, inv, paused)
	}
	inv, err := finalize(c, inv)
	if err != nil {
		return err
	}
	return collect(c, inv)
}

// resumeUnchanged resumes a paused subscription keeping its billing cycle
// anchor (billing_cycle_anchor=unchanged): it is advanced to the period
// around now, whose rest is prorated as proration_behavior says —
// create_prorations (the default) for its next invoice, always_invoice
// invoiced and charged at once, none not at all.
func resumeUnchanged(c *api.Call, before store.Obj) (any, error) {
	behavior, _ := c.Params.Str("proration_behavior")
	if behavior == "" {
		behavior = "create_prorations"
	}
	after := api.Clone(before)
	interval, count := recurring(api.Obj(subItems(after)[0]["price"]))
	start := periodEnd(before)
	end := cycleEnd(before, start, interval, count)
	for end <= c.Now {
		start, end = end, cycleEnd(before, end, interval, count)
	}
	// proration_date prorates "as though the subscription was resumed at
	// the given time" (stripe-go), as a preview would have; one outside
	// the period it resumes in has no documented meaning.
	at := c.Now
	if d, ok := c.Params.Int("proration_date"); ok {
		if d < start || d > end {
			return nil, apierr.InvalidRequest("stripe-emu does not emulate a proration_date outside the period the subscription resumes in (%d to %d), so it refused the request rather than answer as if it had taken effect.", start, end).WithParam("proration_date")
		}
		at = d
	}
	for _, it := range subItems(after) {
		it["current_period_start"], it["current_period_end"] = start, end
	}
	after["status"] = "active"
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	c.Emit("customer.subscription.resumed", after, nil)
	if behavior != "none" && at > start {
		fraction := float64(end-at) / float64(end-start)
		for _, it := range subItems(after) {
			rates, _ := it["tax_rates"].([]any)
			d := proration{api.Obj(it["price"]), api.Int(it["quantity"]), false, it["id"], rates, ownDiscounts(it)}
			if err := insertProration(c, after, d, at, end, fraction); err != nil {
				return nil, err
			}
		}
	}
	if behavior == "always_invoice" {
		inv, err := draftFromPending(c, after)
		if err != nil {
			return nil, err
		}
		if err := chargeOrHold(c, after, inv); err != nil {
			return nil, err
		}
	}
	if err := c.Flush(); err != nil {
		return nil, err
	}
	out, _ := c.Tx.Get(c.Account, "subscription", api.Str(before["id"]))
	return out, nil
}

func listSubscriptions(c *api.Call) (any, error) {
	q, err := c.ListQuery("subscription")
	if err != nil {
		return nil, err
	}
	status, _ := c.Params.Str("status")
	cus, _ := c.Params.Str("customer")
	price, _ := c.Params.Str("price")
	if plan, _ := c.Params.Str("plan"); plan != "" {
		// A plan's id is its price's id: both filters name one object.
		if price != "" && price != plan {
			return nil, apierr.Exclusive("price", "plan")
		}
		price = plan
	}
	switch {
	case cus != "":
		q.Index, q.Value = "customer", cus
	case price != "":
		q.Index, q.Value = "price", price
	case status != "" && status != "all" && status != "ended":
		q.Index, q.Value = "status", status
	}
	if cus != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["customer"] == cus })
	}
	q.Filter = api.And(q.Filter, func(o store.Obj) bool {
		switch status {
		case "":
			return !subscriptionEnded(o["status"])
		case "all":
			return true
		case "ended":
			return subscriptionEnded(o["status"])
		}
		return o["status"] == status
	})
	// Basil keeps the period on the items; every item shares it.
	for _, f := range []string{"current_period_start", "current_period_end"} {
		match, err := c.RangeFilter(f)
		if err != nil {
			return nil, err
		}
		if match != nil {
			q.Filter = api.And(q.Filter, func(o store.Obj) bool {
				items := subItems(o)
				return len(items) > 0 && match(api.Int(items[0][f]))
			})
		}
	}
	if on, ok := c.Params.Bool("automatic_tax.enabled"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return autoTaxOn(o) == on })
	}
	if price != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool {
			for _, it := range subItems(o) {
				if api.Obj(it["price"])["id"] == price {
					return true
				}
			}
			return false
		})
	}
	if clk, ok := c.Params.Str("test_clock"); ok && clk != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["test_clock"] == clk })
	}
	if m, ok := c.Params.Str("collection_method"); ok && m != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["collection_method"] == m })
	}
	q = api.OmitClockObjects(c, q, "customer", "test_clock")
	return c.Page("subscription", "/v1/subscriptions", q), nil
}

func searchSubscriptions(c *api.Call) (any, error) {
	return search.Run(c, "subscription", "/v1/subscriptions/search", subscriptionSearchFields)
}

func listSubscriptionItems(c *api.Call) (any, error) {
	subID, _ := c.Params.Str("subscription")
	sub, err := c.Load("subscription", subID, "subscription")
	if err != nil {
		return nil, err
	}
	// Paged like the subscription's own items list (oldest first), which
	// an SDK auto-paging sub.items asks this endpoint for.
	return api.EmbeddedPage(c, asList(sub["items"]), "/v1/subscription_items", SubscriptionItemKind.Name)
}

func retrieveSubscriptionItem(c *api.Call) (any, error) {
	sub, err := subscriptionOfItem(c, c.Var("id"))
	if err != nil {
		return nil, err
	}
	return itemOf(sub, c.Var("id")), nil
}

// CreateSubscription creates a subscription as POST /v1/subscriptions
// would, from already-validated parameters (Checkout's subscription mode).
func CreateSubscription(c *api.Call, p map[string]any) (store.Obj, error) {
	res, err := runAs(c, createSubscription, p, c.Vars, nil)
	if err != nil {
		return nil, err
	}
	return res.(store.Obj), nil
}

// intervalMismatch is Stripe's refusal of prices of different intervals
// on one subscription, in its words (stripe-node#682, and seen quoted in
// integrations' code).
const intervalMismatch = "Currency and interval fields must match across all plans on this subscription. Found mismatch in interval field."

// samePriceTwice is Stripe's refusal of a second item on a price the
// subscription already has an item on (the quantity of that item is what
// to change), naming the parameter the price was sent as.
func samePriceTwice(ip params.Values, prefix string, price store.Obj) error {
	param := prefix + "[price]"
	if prefix == "" {
		param = "items"
	} else if ip.Has("plan") {
		param = prefix + "[plan]"
	}
	return apierr.InvalidRequest("Cannot add multiple subscription items with the same plan: %s", api.Str(price["id"])).WithParam(param)
}

// errDaysUntilDueCharged refuses days_until_due on a subscription charged
// automatically, which has no due date: Stripe takes it only with
// collection_method=send_invoice (the wording is the emulator's).
func errDaysUntilDueCharged() error {
	return apierr.InvalidRequest("`days_until_due` can only be set on subscriptions with `collection_method=send_invoice`.").WithParam("days_until_due")
}
