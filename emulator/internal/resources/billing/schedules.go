package billing

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/catalog"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coupons"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/taxrates"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
	"github.com/tidwall/gjson"
)

// Subscription schedules: a subscription's changes planned ahead as
// phases. The schedule starts its subscription when its start date comes,
// moves the subscription's items to each phase's as the phase begins, and
// at the end of the last phase releases the subscription (it goes on as
// it is) or cancels it, as end_behavior says.

// ScheduleKind is the subscription_schedule object.
var ScheduleKind = &api.Kind{
	Object: "subscription_schedule", Prefix: "sub_sched_", Name: "subscription schedule",
	Expandable: []string{"customer", "subscription", "test_clock", "application", "default_settings.default_payment_method",
		"default_settings.on_behalf_of", "phases.items.price", "phases.add_invoice_items.price", "phases.discounts.coupon",
		"phases.discounts.promotion_code", "phases.discounts.discount", "phases.default_payment_method", "phases.on_behalf_of",
		"phases.items.plan",
		// Always empty here (the parameters that set them are refused),
		// but Stripe's expandable all the same.
		"phases.items.discounts.coupon", "phases.items.discounts.promotion_code", "phases.items.discounts.discount",
		"phases.add_invoice_items.discounts.coupon", "phases.add_invoice_items.discounts.promotion_code", "phases.add_invoice_items.discounts.discount",
		"phases.invoice_settings.account_tax_ids", "phases.transfer_data.destination",
		"default_settings.invoice_settings.account_tax_ids", "default_settings.transfer_data.destination"},
	ExpandAs: map[string]func(c *api.Call, id string) any{"phases.items.plan": phasePlan},
	Indexes:  []store.Index{{Name: "customer", Path: "customer"}, {Name: "status", Path: "status"}, {Name: "test_clock", Path: "test_clock"}},
}

// phasePlan is a phase item's plan, expanded: its price as a plan.
func phasePlan(c *api.Call, id string) any {
	if price, ok := c.Tx.Get(c.Account, "price", id); ok {
		return catalog.PlanOf(price)
	}
	return id
}

func scheduleRoutes() []api.Route {
	create := params.FromStruct(stripe.SubscriptionScheduleCreateParams{}).With("start_date", params.AnyParam()).
		Enum("end_behavior", "cancel", "none", "release", "renew").Enum("phases.proration_behavior", "always_invoice", "create_prorations", "none")
	update := params.FromStruct(stripe.SubscriptionScheduleUpdateParams{}).
		With("phases.start_date", params.AnyParam()).With("phases.end_date", params.AnyParam()).With("phases.trial_end", params.AnyParam()).
		Enum("end_behavior", "cancel", "none", "release", "renew").Enum("phases.proration_behavior", "always_invoice", "create_prorations", "none")
	return []api.Route{
		api.POST("/v1/subscription_schedules", create, createSchedule),
		api.GET("/v1/subscription_schedules", params.FromStruct(stripe.SubscriptionScheduleListParams{}), listSchedules),
		api.GET("/v1/subscription_schedules/{id}", params.FromStruct(stripe.SubscriptionScheduleRetrieveParams{}), retrieveSchedule),
		api.POST("/v1/subscription_schedules/{id}", update, updateSchedule),
		api.POST("/v1/subscription_schedules/{id}/cancel", params.FromStruct(stripe.SubscriptionScheduleCancelParams{}), cancelSchedule),
		api.POST("/v1/subscription_schedules/{id}/release", params.FromStruct(stripe.SubscriptionScheduleReleaseParams{}), releaseSchedule),
	}
}

func newSchedule(c *api.Call, cus store.Obj) store.Obj {
	sched := c.Object("subscription_schedule", c.NewID("subscription_schedule"), store.Obj{
		"application": nil, "billing_mode": store.Obj{"type": "classic"}, "canceled_at": nil, "completed_at": nil,
		"current_phase": nil, "customer": cus["id"],
		"default_settings": store.Obj{
			"application_fee_percent": nil, "automatic_tax": store.Obj{"disabled_reason": nil, "enabled": false, "liability": nil},
			"billing_cycle_anchor": "automatic", "billing_thresholds": nil, "collection_method": "charge_automatically",
			"default_payment_method": nil, "description": nil,
			"invoice_settings": store.Obj{"account_tax_ids": nil, "days_until_due": nil, "issuer": store.Obj{"type": "self"}},
			"on_behalf_of":     nil, "transfer_data": nil,
		},
		"end_behavior": "release", "metadata": map[string]any{}, "phases": []any{}, "released_at": nil,
		"released_subscription": nil, "status": "not_started", "subscription": nil, "test_clock": cus["test_clock"],
	})
	if c.Connected {
		// Made by the platform on its connected account: "ID of the
		// Connect Application that created the schedule".
		sched["application"] = c.ConnectApplication()
	}
	return sched
}

func createSchedule(c *api.Call) (any, error) {
	if fromID, _ := c.Params.Str("from_subscription"); fromID != "" {
		return scheduleFromSubscription(c, fromID)
	}
	cusID, _ := c.Params.Str("customer")
	if cusID == "" {
		return nil, apierr.MissingParam("customer")
	}
	// The subscription it starts bills as its own billing_mode would.
	if err := billingModeParam(c); err != nil {
		return nil, err
	}
	cus, ok := c.Tx.Get(c.Account, "customer", cusID)
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", cusID, "customer")
	}
	if err := checkClockSubscriptions(c, cus); err != nil {
		return nil, err
	}
	c.Now = c.ClockNow(cus)
	if !c.Params.Has("phases") {
		return nil, apierr.MissingParam("phases")
	}
	start, err := startDate(c, c.Params, "start_date")
	if err != nil {
		return nil, err
	}
	sched := newSchedule(c, cus)
	if err := applyScheduleSettings(c, sched); err != nil {
		return nil, err
	}
	phases, err := schedulePhases(c, start, nil, nil, cusID)
	if err != nil {
		return nil, err
	}
	sched["phases"] = phases
	if err := checkPhaseBilling(sched); err != nil {
		return nil, err
	}
	// A schedule, like a subscription, makes its currency the customer's
	// (refused while the customer has anything active in its own).
	if err := customers.AdoptCurrency(c, cusID, api.Str(api.Obj(phases[0])["currency"]), "phases[0][currency]"); err != nil {
		return nil, err
	}
	if start <= c.Now {
		// Created already running: its subscription is created with it.
		return sched, startSchedule(c, sched, true)
	}
	return sched, c.Insert(sched)
}

// startDate reads a schedule's start_date (of p, named param): now, or
// a time to come.
func startDate(c *api.Call, p params.Values, param string) (int64, error) {
	v, ok := p.Get("start_date")
	if !ok || v == "now" {
		return c.Now, nil
	}
	n, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
	switch {
	case err != nil:
		return 0, apierr.InvalidRequest("Invalid %s: must be an integer Unix timestamp or `now`", param).WithParam(param)
	case n < c.Now:
		return 0, apierr.InvalidRequest("stripe-emu does not emulate backdated subscription schedules: %s must be `now` or a time to come.", param).WithParam(param)
	}
	return n, nil
}

// applyScheduleSettings sets what create and update share: end_behavior,
// metadata and the default settings the emulator acts on.
func applyScheduleSettings(c *api.Call, sched store.Obj) error {
	if eb, _ := c.Params.Str("end_behavior"); eb != "" {
		if eb != "cancel" && eb != "release" {
			// Older behaviors Stripe's API still takes.
			return apierr.InvalidRequest("stripe-emu does not emulate end_behavior=%s (only release and cancel), so it refused the request rather than answer as if it had taken effect.", eb).WithParam("end_behavior")
		}
		sched["end_behavior"] = eb
	}
	if ds, ok := c.Params.Obj("default_settings"); ok {
		settings := api.Obj(sched["default_settings"])
		if m, _ := ds.Str("collection_method"); m != "" {
			settings["collection_method"] = m
		}
		if d, ok := ds.Int("invoice_settings.days_until_due"); ok {
			if err := nonNegative(d, "default_settings[invoice_settings][days_until_due]"); err != nil {
				return err
			}
			is := api.Clone(api.Obj(settings["invoice_settings"]))
			is["days_until_due"] = d
			settings["invoice_settings"] = is
		}
		if pm, ok := ds.Str("default_payment_method"); ok {
			switch {
			case pm == "":
				settings["default_payment_method"] = nil
			case pm == api.Str(settings["default_payment_method"]):
				// Its own sent back, kept though detached since (the
				// phases then begin without it).
			default:
				if err := ownPaymentMethod(c, api.Str(sched["customer"]), pm, "default_settings[default_payment_method]"); err != nil {
					return err
				}
				settings["default_payment_method"] = pm
			}
		}
		if d, ok := ds.Str("description"); ok {
			settings["description"] = nilIfEmpty(d)
		}
		if err := defaultAnchorParam(ds, settings); err != nil {
			return err
		}
		on, sent, err := AutoTaxParam(c, ds, "automatic_tax", "default_settings[automatic_tax]")
		if err != nil {
			return err
		}
		if sent {
			settings["automatic_tax"] = subscriptionAutoTax(on)
		}
	}
	return c.ApplyMetadata(sched)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ownPaymentMethod checks pm is attached to the customer.
func ownPaymentMethod(c *api.Call, customer, pm, param string) error {
	o, ok := c.Tx.Get(c.Account, "payment_method", pm)
	if !ok {
		return apierr.NoSuchObject("PaymentMethod", pm, param)
	}
	if o["customer"] != customer {
		return apierr.InvalidRequest("The PaymentMethod `%s` does not belong to the customer `%s`.", pm, customer).WithParam(param)
	}
	return nil
}

// maxSchedulePhases is how many phases a schedule may have.
const maxSchedulePhases = 10

// maxPhaseItems is how many items, and how many one-off items, a phase
// may have: a subscription's "up to 20 subscription items", and
// add_invoice_items' "You may pass up to 20 items" (stripe-go).
const maxPhaseItems = 20

// schedulePhases builds phases[] from the request: each starts where the
// one before ends, the first at start; each lasts until its end_date, or
// its iterations (or duration) of its prices' interval, one interval if
// neither is given. current, on an update of an active schedule, is the
// phase under way: phases[0] is it, and keeps its start.
func schedulePhases(c *api.Call, start int64, current store.Obj, stored []any, customer string) ([]any, error) {
	defer keepSchedulePrices(c, stored)()
	var out []any
	at := start
	ps := c.Params.Array("phases")
	if len(ps) == 0 {
		return nil, apierr.InvalidRequest("A subscription schedule needs at least one phase.").WithParam("phases")
	}
	if len(ps) > maxSchedulePhases {
		// Stripe's guide: "You can have up to 10 phases." (its refusal's
		// wording is not known).
		return nil, apierr.InvalidRequest("A subscription schedule can have at most %d phases.", maxSchedulePhases).WithParam("phases")
	}
	first := 0 // the phase that starts at start
	if current != nil {
		var err error
		if out, first, err = pastPhases(c, ps, current, stored, customer); err != nil {
			return nil, err
		}
		if first == len(ps) {
			return nil, apierr.InvalidRequest("The phases must include the current phase, which started at %d.", start).WithParam("phases")
		}
	}
	for i, pp := range ps[first:] {
		i += first
		prefix := fmt.Sprintf("phases[%d]", i)
		if i == first && current != nil {
			if v, ok := pp.Get("start_date"); ok && fmt.Sprint(v) != strconv.FormatInt(start, 10) {
				return nil, apierr.InvalidRequest("You can not modify the start date of the current phase.").WithParam(prefix + "[start_date]")
			}
		} else if i > 0 && pp.Has("start_date") {
			// The first phase's start is start, which its caller read.
			if v, _ := pp.Get("start_date"); fmt.Sprint(v) != strconv.FormatInt(at, 10) {
				return nil, apierr.InvalidRequest("Each phase must start when the one before it ends (%d).", at).WithParam(prefix + "[start_date]")
			}
		}
		phase, err := schedulePhase(c, pp, prefix, at, nextStart(ps, i, at), customer)
		if err != nil {
			return nil, err
		}
		if i == first && current != nil && api.Int(phase["end_date"]) < c.Now {
			return nil, apierr.InvalidRequest("The end date of the current phase must be in the future.").WithParam(prefix + "[end_date]")
		}
		if i > first && phase["trial_end"] != nil && len(out) > 0 && meteredPhase(api.Obj(out[len(out)-1])) {
			// The trial would begin where the metered usage of the phase
			// before is billed, at a renewal it no longer has.
			return nil, apierr.InvalidRequest("stripe-emu does not emulate a trial on a phase that follows metered prices (when their last usage is billed), so it refused the request rather than answer as if it had taken effect.").WithParam(prefix + "[trial_end]")
		}
		if len(out) > 0 && phase["currency"] != api.Obj(out[len(out)-1])["currency"] {
			return nil, apierr.InvalidRequest("All phases of a subscription schedule must use the same currency.").WithParam(prefix + "[items]")
		}
		out = append(out, phase)
		at = api.Int(phase["end_date"])
	}
	return out, nil
}

// pastPhases reads the phases an update of an active schedule sends
// before its current phase (stored: the schedule's phases): each must be
// one of those that have ended, as it was, since the past is not changed,
// and is kept as stored. first is the index of the phase sent for the
// current one.
func pastPhases(c *api.Call, ps []params.Values, current store.Obj, stored []any, customer string) (kept []any, first int, err error) {
	start := api.Int(current["start_date"])
	for ; first < len(ps); first++ {
		v, ok := ps[first].Get("start_date")
		at, perr := strconv.ParseInt(fmt.Sprint(v), 10, 64)
		if !ok || perr != nil || at >= start {
			return kept, first, nil
		}
		prefix := fmt.Sprintf("phases[%d]", first)
		var was store.Obj
		for _, p := range stored {
			if api.Int(api.Obj(p)["start_date"]) == at && api.Int(api.Obj(p)["end_date"]) <= start {
				was = api.Obj(p)
			}
		}
		if was == nil {
			return nil, 0, apierr.InvalidRequest("You can not add a phase that starts before the current phase.").WithParam(prefix + "[start_date]")
		}
		if len(kept) > 0 && api.Int(api.Obj(kept[len(kept)-1])["end_date"]) != at {
			return nil, 0, apierr.InvalidRequest("Each phase must start when the one before it ends (%d).", api.Int(api.Obj(kept[len(kept)-1])["end_date"])).WithParam(prefix + "[start_date]")
		}
		// Read as any phase is, so a bad parameter is refused the same way.
		sent, err := schedulePhase(c, ps[first], prefix, at, nextStart(ps, first, at), customer)
		if err != nil {
			return nil, 0, err
		}
		if api.Int(sent["end_date"]) != api.Int(was["end_date"]) {
			return nil, 0, apierr.InvalidRequest("You can not modify the end date of a phase that has already ended.").WithParam(prefix + "[end_date]")
		}
		kept = append(kept, was)
	}
	return kept, first, nil
}

// nextStart is the start_date sent for the phase after ps[i], if it is
// a time after start: where ps[i] ends when it does not say how long it
// lasts. 0 if there is none.
func nextStart(ps []params.Values, i int, start int64) int64 {
	if i+1 >= len(ps) {
		return 0
	}
	v, ok := ps[i+1].Get("start_date")
	n, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
	if !ok || err != nil || n <= start {
		return 0
	}
	return n
}

// schedulePhase reads phases[i] (prefix), starting at start; until, if
// not 0, is where it ends if it does not say (the next phase's start).
func schedulePhase(c *api.Call, pp params.Values, prefix string, start, until int64, customer string) (store.Obj, error) {
	items := pp.Array("items")
	if len(items) == 0 {
		return nil, apierr.MissingParam(prefix + "[items]")
	}
	if len(items) > maxPhaseItems {
		// The phase's items become its subscription's, which takes no
		// more: refused now rather than when the phase begins.
		return nil, apierr.InvalidRequest("A subscription can have at most %d items.", maxPhaseItems).WithParam(prefix + "[items]")
	}
	var rendered []any
	var first store.Obj
	// The phase bills in the currency sent, else its first price's own;
	// every price supports it, itself or by one of its currency_options.
	currency, _ := pp.Str("currency")
	currency = strings.ToLower(currency)
	seen := map[string]bool{}
	for j, ip := range items {
		ipre := fmt.Sprintf("%s[items][%d]", prefix, j)
		price, err := itemPrice(c, ip, ipre)
		if err != nil {
			return nil, err
		}
		// Refused here, not only when the phase begins, which for a
		// schedule yet to start would be after it was taken.
		if seen[api.Str(price["id"])] {
			return nil, samePriceTwice(ip, ipre, price)
		}
		seen[api.Str(price["id"])] = true
		if first != nil {
			i0, c0 := recurring(first)
			if i1, c1 := recurring(price); i0 != i1 || c0 != c1 {
				return nil, apierr.InvalidRequest("All prices on a subscription must have the same recurring interval and interval_count.").WithParam(ipre + "[price]")
			}
		}
		if first == nil {
			first = price
			if currency == "" {
				currency = api.Str(price["currency"])
			}
		}
		if err := catalog.CheckCurrency(c, price, currency, ipre+"[price]"); err != nil {
			return nil, err
		}
		q, _, err := itemQuantity(ip, price, ipre, 1)
		if err != nil {
			return nil, err
		}
		it := phaseItem(price, q, sentMetadata(ip))
		rates, ok, err := taxRatesParam(c, ip, "tax_rates", ipre+"[tax_rates]", nil)
		if err != nil {
			return nil, err
		}
		if ok {
			it["tax_rates"] = rates
		}
		if it["discounts"], err = phaseDiscounts(c, ip, ipre, customer, currency); err != nil {
			return nil, err
		}
		rendered = append(rendered, it)
	}
	interval, count := recurring(first)
	end := int64(0)
	endDate, hasEnd := pp.Get("end_date")
	iterations, hasIterations := pp.Int("iterations")
	duration, hasDuration := pp.Obj("duration")
	switch {
	case hasEnd && hasIterations:
		return nil, apierr.Exclusive(prefix+"[end_date]", prefix+"[iterations]")
	case hasEnd && hasDuration:
		return nil, apierr.Exclusive(prefix+"[end_date]", prefix+"[duration]")
	case hasEnd:
		n, err := strconv.ParseInt(fmt.Sprint(endDate), 10, 64)
		switch {
		case endDate == "now":
			// Only an update takes it: the current phase ends now.
			n = c.Now
		case err != nil:
			return nil, apierr.InvalidRequest("Invalid %s[end_date]: must be an integer Unix timestamp or `now`", prefix).WithParam(prefix + "[end_date]")
		}
		end = n
	case hasIterations && hasDuration:
		return nil, apierr.Exclusive(prefix+"[iterations]", prefix+"[duration]")
	case hasIterations:
		if iterations < 1 {
			return nil, apierr.InvalidRequest("Invalid %s[iterations]: must be at least 1", prefix).WithParam(prefix + "[iterations]")
		}
		end = addInterval(start, interval, count*iterations)
	case hasDuration:
		di, _ := duration.Str("interval")
		dc, ok := duration.Int("interval_count")
		if !ok {
			dc = 1
		}
		if _, known := map[string]bool{"day": true, "week": true, "month": true, "year": true}[di]; !known || dc < 1 {
			return nil, apierr.InvalidRequest("Invalid %s[duration]: interval must be day, week, month or year and interval_count at least 1.", prefix).WithParam(prefix + "[duration][interval]")
		}
		end = addInterval(start, di, dc)
	case until != 0:
		end = until
	default:
		end = addInterval(start, interval, count)
	}
	if end <= start {
		return nil, apierr.InvalidRequest("The end date of a phase must be after its start date.").WithParam(prefix + "[end_date]")
	}
	proration, _ := pp.Str("proration_behavior")
	if proration == "" {
		proration = "create_prorations"
	}
	phase := newPhase(currency, start, end, rendered, proration)
	if _, ok := pp.Map("metadata"); ok {
		phase["metadata"] = sentMetadata(pp)
	}
	if m, _ := pp.Str("collection_method"); m != "" {
		phase["collection_method"] = m
	}
	if d, ok := pp.Int("invoice_settings.days_until_due"); ok {
		if err := nonNegative(d, prefix+"[invoice_settings][days_until_due]"); err != nil {
			return nil, err
		}
		phase["invoice_settings"] = store.Obj{"account_tax_ids": nil, "days_until_due": d, "issuer": nil}
	}
	if d, ok := pp.Str("description"); ok {
		phase["description"] = nilIfEmpty(d)
	}
	if pm, _ := pp.Str("default_payment_method"); pm != "" {
		// One the schedule's phases already have is taken back though
		// detached since (its phase begins without it).
		if !keptBySchedule(c, "default_payment_method:"+pm) {
			if err := ownPaymentMethod(c, customer, pm, prefix+"[default_payment_method]"); err != nil {
				return nil, err
			}
		}
		phase["default_payment_method"] = pm
	}
	if err := phaseExtras(c, pp, prefix, phase, customer); err != nil {
		return nil, err
	}
	if err := phaseAnchorParam(pp, prefix, phase); err != nil {
		return nil, err
	}
	if phase["billing_cycle_anchor"] == "phase_start" && phase["trial_end"] != nil {
		// stripe-go's doc of the parameter: "Cannot be set to
		// `phase_start` if this phase specifies a trial."
		return nil, apierr.InvalidRequest("%s[billing_cycle_anchor] cannot be `phase_start` when the phase has a trial.", prefix).WithParam(prefix + "[billing_cycle_anchor]")
	}
	return phase, nil
}

// sentMetadata is the metadata of p (a phase or one of its items) kept as
// sent, empty values too: it is merged into the subscription's (or its
// item's) as the phase begins, and an empty value unsets that key there
// (stripe-go's doc of both parameters).
func sentMetadata(p params.Values) map[string]any {
	md, _ := p.Map("metadata")
	kept := make(map[string]any, len(md))
	for k, v := range md {
		kept[k] = v
	}
	return kept
}

// meteredPhase reports whether a phase bills a metered price.
func meteredPhase(phase store.Obj) bool {
	for _, it := range phaseItems(phase) {
		if _, ok := it["quantity"]; !ok {
			return true // phaseItem leaves a metered price's quantity out
		}
	}
	return false
}

// phaseExtras reads what a phase may say beyond its items and length:
// its discounts (checked now, redeemed on the subscription when the
// phase begins), its trial (trial: the whole phase; trial_end: until
// then), its default tax rates and its one-off items.
func phaseExtras(c *api.Call, pp params.Values, prefix string, phase store.Obj, customer string) error {
	currency := api.Str(phase["currency"])
	discounts, err := phaseDiscounts(c, pp, prefix, customer, currency)
	if err != nil {
		return err
	}
	phase["discounts"] = discounts
	start, end := api.Int(phase["start_date"]), api.Int(phase["end_date"])
	trial, _ := pp.Bool("trial")
	if v, ok := pp.Get("trial_end"); ok && v != nil {
		if trial {
			return apierr.Exclusive(prefix+"[trial]", prefix+"[trial_end]")
		}
		t, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
		switch {
		case v == "now":
			t = c.Now // only an update takes it
		case err != nil:
			return apierr.InvalidRequest("Invalid %s[trial_end]: must be an integer Unix timestamp or `now`", prefix).WithParam(prefix + "[trial_end]")
		}
		if t <= start || t > end {
			return apierr.InvalidRequest("The trial end of a phase must be after its start date and no later than its end date.").WithParam(prefix + "[trial_end]")
		}
		phase["trial_end"] = t
	} else if trial {
		phase["trial_end"] = end
	}
	if t := api.Int(phase["trial_end"]); phase["trial_end"] != nil && t > start+MaxTrialDays*86400 &&
		!keptBySchedule(c, "trial_end:"+strconv.FormatInt(t, 10)) {
		// The subscription's trial starts with the phase and could not
		// take more: refused now rather than when the phase begins.
		if trial {
			return TrialTooLong(prefix + "[trial]")
		}
		return TrialTooLong(prefix + "[trial_end]")
	}
	rates, ok, err := taxRatesParam(c, pp, "default_tax_rates", prefix+"[default_tax_rates]", nil)
	if err != nil {
		return err
	}
	if ok {
		phase["default_tax_rates"] = rates
	}
	on, sent, err := AutoTaxParam(c, pp, "automatic_tax", prefix+"[automatic_tax]")
	if err != nil {
		return err
	}
	if sent {
		phase["automatic_tax"] = subscriptionAutoTax(on)
	}
	adds := []any{}
	if n := len(pp.Array("add_invoice_items")); n > maxPhaseItems {
		// Stripe's limit (its refusal's wording is not documented).
		return apierr.InvalidRequest("A phase can have at most %d add_invoice_items; you passed %d.", maxPhaseItems, n).WithParam(prefix + "[add_invoice_items]")
	}
	for i, entry := range pp.Array("add_invoice_items") {
		ipre := fmt.Sprintf("%s[add_invoice_items][%d]", prefix, i)
		for _, f := range []string{"price_data", "period"} {
			if entry.Has(f) {
				return apierr.InvalidRequest("stripe-emu does not emulate the parameter `%s[%s]`, so it refused the request rather than answer as if it had taken effect.", ipre, f).WithParam(ipre + "[" + f + "]")
			}
		}
		id, _ := entry.Str("price")
		if id == "" {
			return apierr.MissingParam(ipre + "[price]")
		}
		price, ok := c.Tx.Get(c.Account, "price", id)
		switch {
		case !ok:
			return apierr.NoSuchObject("price", id, ipre+"[price]")
		case !api.Bool(price["active"]) && !quotedPrices(c) && !keptBySchedule(c, id):
			return apierr.InvalidRequest("The price specified is inactive. This field only accepts active prices.").WithParam(ipre + "[price]")
		case price["type"] != "one_time":
			return apierr.InvalidRequest("The price specified is set to `type=recurring` but this field only accepts prices with `type=one_time`.").WithParam(ipre + "[price]")
		}
		if err := catalog.CheckCurrency(c, price, currency, ipre+"[price]"); err != nil {
			return err
		}
		q, ok := entry.Int("quantity")
		if !ok {
			q = 1
		} else if err := nonNegative(q, ipre+"[quantity]"); err != nil {
			return err
		}
		item := store.Obj{"discounts": []any{}, "price": id, "quantity": q, "tax_rates": []any{}}
		rates, ok, err := taxRatesParam(c, entry, "tax_rates", ipre+"[tax_rates]", nil)
		if err != nil {
			return err
		}
		if ok {
			item["tax_rates"] = rates
		}
		if item["discounts"], err = phaseDiscounts(c, entry, ipre, customer, currency); err != nil {
			return err
		}
		adds = append(adds, item)
	}
	phase["add_invoice_items"] = adds
	return nil
}

// phaseDiscounts reads the discounts[] of p (a phase, or one of its items
// or add_invoice_items, named prefix): checked now, redeemed when the
// phase begins.
func phaseDiscounts(c *api.Call, pp params.Values, prefix, customer, currency string) ([]any, error) {
	discounts := []any{}
	for i, entry := range pp.Array("discounts") {
		param := fmt.Sprintf("%s[discounts][%d]", prefix, i)
		d := store.Obj{"coupon": nil, "discount": nil, "promotion_code": nil}
		if key, ok := discountKey(entry); ok && keptBySchedule(c, key) {
			// One the schedule's phases already have, sent back: taken as
			// it is though it could no longer be redeemed (a coupon its
			// phase used up); a phase yet to begin begins without it.
			k, id, _ := strings.Cut(key, ":")
			d[k] = id
			discounts = append(discounts, d)
			continue
		}
		_, existing, err := coupons.Resolve(c, entry, param, coupons.Scope{Customer: customer, Currency: currency})
		if err != nil {
			return nil, err
		}
		switch {
		case existing != nil:
			d["discount"] = existing["id"]
		case entry.Has("promotion_code"):
			d["promotion_code"], _ = entry.Str("promotion_code")
		default:
			d["coupon"], _ = entry.Str("coupon")
		}
		discounts = append(discounts, d)
	}
	return discounts, nil
}

// currentPhase is the stored phase under way on an active schedule.
func currentPhase(sched store.Obj) store.Obj {
	start := api.Int(api.Obj(sched["current_phase"])["start_date"])
	for _, p := range asAnys(sched["phases"]) {
		if api.Int(api.Obj(p)["start_date"]) == start {
			return api.Obj(p)
		}
	}
	return nil
}

// keepsStarted refuses an update of the current phase that changes what
// took effect when it began: its trial and its one-off items.
func keepsStarted(phase, old store.Obj, prefix string) error {
	if api.Int(phase["trial_end"]) != api.Int(old["trial_end"]) {
		return apierr.InvalidRequest("stripe-emu does not emulate changing the trial of the current phase, so it refused the request rather than answer as if it had taken effect.").WithParam(prefix + "[trial_end]")
	}
	if len(asAnys(phase["add_invoice_items"])) > 0 && !sameJSON(phase["add_invoice_items"], old["add_invoice_items"]) {
		return apierr.InvalidRequest("stripe-emu does not emulate add_invoice_items on the current phase, so it refused the request rather than answer as if it had taken effect.").WithParam(prefix + "[add_invoice_items]")
	}
	return nil
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// discountParams are a phase's discounts as a subscription takes them.
func discountParams(phase store.Obj) []any {
	return entryParams(phase["discounts"])
}

// entryParams are stored discounts entries (a phase's, or one of its
// items') as a discounts[] parameter.
func entryParams(stored any) []any {
	var out []any
	for _, d := range asAnys(stored) {
		e := map[string]any{}
		for _, k := range []string{"coupon", "promotion_code", "discount"} {
			if v := api.Str(api.Obj(d)[k]); v != "" {
				e[k] = v
			}
		}
		out = append(out, e)
	}
	return out
}

// redeemableDiscounts are the phase's discounts that can still be
// redeemed as it begins: one whose coupon was deleted or expired, or
// whose promotion code was deactivated, since the schedule took it, or
// an existing discount that is not the subscription's to take, is left
// out, so the phase begins without it rather than not at all.
func redeemableDiscounts(c *api.Call, sched, phase store.Obj) []any {
	// For the subscription they go to: an existing discount of another
	// subscription is not its own (a schedule not started yet makes a
	// new one, which has none).
	sub := api.Str(sched["subscription"])
	if sub == "" {
		sub = "sub_not_yet_made"
	}
	scope := coupons.Scope{Customer: api.Str(sched["customer"]), Subscription: sub, Currency: api.Str(phase["currency"])}
	return redeemableIn(c, phase["discounts"], scope)
}

// redeemableIn are the stored discounts entries that can still be
// redeemed for scope, as redeemableDiscounts says.
func redeemableIn(c *api.Call, stored any, scope coupons.Scope) []any {
	var out []any
	for _, d := range entryParams(stored) {
		if _, _, err := coupons.Resolve(c, params.NewValues(d.(map[string]any)), "discounts", scope); err == nil {
			out = append(out, d)
		}
	}
	return out
}

// phaseItemScope is what a phase's item's discounts are redeemed for: the
// subscription item id (or, for one not made yet, a placeholder no
// existing discount names).
func phaseItemScope(sched, phase store.Obj, item string) coupons.Scope {
	sub := api.Str(sched["subscription"])
	if sub == "" {
		sub = "sub_not_yet_made"
	}
	if item == "" {
		item = "si_not_yet_made"
	}
	return coupons.Scope{Customer: api.Str(sched["customer"]), Subscription: sub, SubscriptionItem: item, Currency: api.Str(phase["currency"])}
}

// addScope is what a phase's add_invoice_items' discounts are redeemed
// for: an invoice item not made yet.
func addScope(sched, phase store.Obj) coupons.Scope {
	return coupons.Scope{Customer: api.Str(sched["customer"]), InvoiceItem: "ii_not_yet_made", Currency: api.Str(phase["currency"])}
}

// unsetIfEmpty is a list as a parameter: empty, it clears.
func unsetIfEmpty(list []any) any {
	if len(list) == 0 {
		return params.Unset
	}
	return list
}

func rateIDs(v any) []any {
	return api.Anys(idStrings(v))
}

// phaseItem is one item of a phase (a metered price has no quantity).
func phaseItem(price store.Obj, qty int64, metadata any) store.Obj {
	it := store.Obj{"billing_thresholds": nil, "discounts": []any{}, "metadata": metadata,
		"plan": price["id"], "price": price["id"], "quantity": qty, "tax_rates": []any{}}
	if metered(price) {
		delete(it, "quantity")
	}
	return it
}

// newPhase is a phase with the settings the emulator acts on.
func newPhase(currency any, start, end int64, items []any, proration string) store.Obj {
	return store.Obj{
		"add_invoice_items": []any{}, "application_fee_percent": nil, "billing_cycle_anchor": nil, "billing_thresholds": nil,
		"collection_method": nil, "currency": currency, "default_payment_method": nil, "default_tax_rates": []any{},
		"description": nil, "discounts": []any{}, "end_date": end, "invoice_settings": nil, "items": items,
		"metadata": map[string]any{}, "on_behalf_of": nil, "proration_behavior": proration, "start_date": start,
		"transfer_data": nil, "trial_end": nil,
	}
}

// scheduleFromSubscription puts an existing subscription on a schedule:
// one phase, its current items until its period ends, then released.
func scheduleFromSubscription(c *api.Call, subID string) (any, error) {
	for _, p := range []string{"phases", "customer", "start_date", "end_behavior", "default_settings"} {
		if c.Params.Has(p) {
			return nil, apierr.InvalidRequest("You cannot set `%s` if `from_subscription` is set.", p).WithParam(p)
		}
	}
	sub, err := c.Load("subscription", subID, "from_subscription")
	if err != nil {
		return nil, err
	}
	if s := api.Str(sub["schedule"]); s != "" {
		return nil, apierr.InvalidRequest("You cannot migrate a subscription that is already attached to a schedule: `%s`.", s).WithParam("from_subscription")
	}
	if subscriptionEnded(sub["status"]) {
		return nil, apierr.InvalidRequest("You cannot create a subscription schedule from a canceled subscription.").WithParam("from_subscription")
	}
	cus, _ := c.Tx.Get(c.Account, "customer", api.Str(sub["customer"]))
	c.Now = c.ClockNow(cus)
	sched := newSchedule(c, cus)
	if err := c.ApplyMetadata(sched); err != nil {
		return nil, err
	}
	// The phase mirrors the subscription: its items with their tax
	// rates, its default tax rates and discounts, which a later phase
	// without them then takes away, and its trial.
	var items []any
	for _, it := range subItems(sub) {
		item := phaseItem(api.Obj(it["price"]), api.Int(it["quantity"]), it["metadata"])
		item["tax_rates"] = cloneRates(it["tax_rates"])
		// Its own discounts, as the subscription's are: by id.
		ds := []any{}
		for _, id := range ownDiscounts(it) {
			ds = append(ds, store.Obj{"coupon": nil, "discount": id, "promotion_code": nil})
		}
		item["discounts"] = ds
		items = append(items, item)
	}
	start, end := periodStart(sub), periodEnd(sub)
	phase := newPhase(sub["currency"], start, end, items, "create_prorations")
	phase["default_tax_rates"] = cloneRates(sub["default_tax_rates"])
	discounts := []any{}
	for _, id := range asAnys(sub["discounts"]) {
		discounts = append(discounts, store.Obj{"coupon": nil, "discount": id, "promotion_code": nil})
	}
	phase["discounts"] = discounts
	if sub["status"] == "trialing" {
		// A trialing subscription's period is its trial: the phase carries
		// it, so the phase sent back on an update keeps the trial as is.
		phase["trial_end"] = sub["trial_end"]
	}
	sched["phases"] = []any{phase}
	settings := api.Obj(sched["default_settings"])
	settings["collection_method"] = sub["collection_method"]
	api.Obj(settings["invoice_settings"])["days_until_due"] = sub["days_until_due"]
	// Its automatic tax too: the phases follow the default settings, so an
	// update or the next phase would otherwise turn it off.
	settings["automatic_tax"] = subscriptionAutoTax(autoTaxOn(sub))
	sched["status"], sched["subscription"] = "active", sub["id"]
	sched["current_phase"] = store.Obj{"start_date": start, "end_date": end}
	if err := c.Insert(sched); err != nil {
		return nil, err
	}
	return sched, linkSubscription(c, api.Str(sub["id"]), sched["id"])
}

// linkSubscription sets (or clears, id nil) the subscription's schedule.
func linkSubscription(c *api.Call, subID string, id any) error {
	before, ok := c.Tx.Get(c.Account, "subscription", subID)
	if !ok {
		return nil
	}
	after := api.Clone(before)
	after["schedule"] = id
	return c.Save(before, after)
}

// phaseItems are a phase's items.
func phaseItems(phase store.Obj) []store.Obj {
	var out []store.Obj
	for _, it := range asAnys(phase["items"]) {
		out = append(out, api.Obj(it))
	}
	return out
}

func asAnys(v any) []any {
	a, _ := v.([]any)
	return a
}

// startSchedule starts a schedule's subscription with its first phase, as
// POST /v1/subscriptions would, the subscription naming its schedule from
// the start. A new schedule (insert) is stored already active.
func startSchedule(c *api.Call, sched store.Obj, insert bool) error {
	phase := api.Obj(asAnys(sched["phases"])[0])
	var items []any
	for _, it := range phaseItems(phase) {
		item := map[string]any{"price": it["price"], "metadata": it["metadata"]}
		if q, ok := it["quantity"]; ok {
			item["quantity"] = api.Int(q)
		}
		if rates := rateIDs(it["tax_rates"]); len(rates) > 0 {
			item["tax_rates"] = rates
		}
		if ds := redeemableIn(c, it["discounts"], phaseItemScope(sched, phase, "")); len(ds) > 0 {
			item["discounts"] = ds
		}
		items = append(items, item)
	}
	p := map[string]any{"customer": sched["customer"], "items": items, "metadata": phase["metadata"], "currency": phase["currency"]}
	if ds := redeemableDiscounts(c, sched, phase); len(ds) > 0 {
		p["discounts"] = ds
	}
	if t := phase["trial_end"]; t != nil {
		p["trial_end"] = api.Int(t)
	}
	if rates := rateIDs(phase["default_tax_rates"]); len(rates) > 0 {
		p["default_tax_rates"] = rates
	}
	if phaseAutoTax(sched, phase) {
		p["automatic_tax"] = map[string]any{"enabled": true}
	}
	var adds []any
	for _, a := range asAnys(phase["add_invoice_items"]) {
		add := map[string]any{"price": api.Obj(a)["price"], "quantity": api.Int(api.Obj(a)["quantity"])}
		if rates := rateIDs(api.Obj(a)["tax_rates"]); len(rates) > 0 {
			add["tax_rates"] = rates
		}
		if ds := redeemableIn(c, api.Obj(a)["discounts"], addScope(sched, phase)); len(ds) > 0 {
			add["discounts"] = ds
		}
		adds = append(adds, add)
	}
	if len(adds) > 0 {
		p["add_invoice_items"] = adds
	}
	settings := api.Obj(sched["default_settings"])
	if pm := firstString(phase["default_payment_method"], settings["default_payment_method"]); pm != "" &&
		ownPaymentMethod(c, api.Str(sched["customer"]), pm, "") == nil {
		p["default_payment_method"] = pm
	}
	if m, days := phaseBilling(sched, phase); m != "" {
		p["collection_method"] = m
		if m == "send_invoice" {
			p["days_until_due"] = api.Int(days)
		}
	}
	if d := firstString(phase["description"], settings["description"]); d != "" {
		p["description"] = d
	}
	if sched["end_behavior"] == "cancel" {
		// The subscription is created to end with the schedule.
		phases := asAnys(sched["phases"])
		p["cancel_at"] = api.Int(api.Obj(phases[len(phases)-1])["end_date"])
	}
	keepPhaseRates(c, phase)
	vars := map[string]string{"schedule": api.Str(sched["id"])}
	if c.Var(previewVar) != "" {
		vars[previewVar] = "1"
	}
	quote, fromQuote := c.Tx.GetMeta(quoteScheduleKey(c.Account, api.Str(sched["id"])))
	if fromQuote {
		vars[quoteVar] = quote // the quote's prices apply, even inactive
	}
	restore := billPhasePrices(c, phase)
	res, err := runAs(c, createSubscription, p, vars, nil)
	restore()
	if err != nil {
		return err
	}
	sub := res.(store.Obj)
	if fromQuote {
		if err := quoteDiscountsApplied(c, phase, sub); err != nil {
			return err
		}
	}
	after := sched
	if !insert {
		after = api.Clone(sched)
	}
	after["status"], after["subscription"] = "active", sub["id"]
	after["current_phase"] = store.Obj{"start_date": phase["start_date"], "end_date": phase["end_date"]}
	if insert {
		return c.Insert(after)
	}
	return c.Save(sched, after)
}

// syncScheduleCancel shows on an active schedule's subscription the
// cancellation its end_behavior makes (see scheduleCancel); was is the
// schedule before the change.
func syncScheduleCancel(c *api.Call, was, sched store.Obj) error {
	before, ok := c.Tx.Get(c.Account, "subscription", api.Str(sched["subscription"]))
	if !ok {
		return nil
	}
	after := api.Clone(before)
	scheduleCancel(c, was, sched, after, false)
	return c.Save(before, after)
}

// scheduleCancel sets on sub the cancellation its schedule makes: while
// the schedule is active with end_behavior cancel, cancel_at is the end
// of its last phase (canceled_at the time that was set). One the schedule
// (as it was) set goes when it no longer does, unless keep (a release
// with preserve_cancel_date) leaves it in place; the subscription's own
// are not the schedule's to drop.
func scheduleCancel(c *api.Call, was, sched, sub store.Obj, keep bool) {
	if subscriptionEnded(sub["status"]) {
		return
	}
	phases := asAnys(sched["phases"])
	if sched["status"] == "active" && sched["end_behavior"] == "cancel" && len(phases) > 0 {
		end := api.Int(api.Obj(phases[len(phases)-1])["end_date"])
		if sub["cancel_at"] == nil || api.Int(sub["cancel_at"]) != end {
			sub["cancel_at"], sub["cancel_at_period_end"] = end, false
			markCancellation(sub, c.Now)
		}
	} else if was["end_behavior"] == "cancel" && sub["cancel_at"] != nil && !api.Bool(sub["cancel_at_period_end"]) && !keep {
		sub["cancel_at"] = nil
		markCancellation(sub, nil)
	}
}

// phaseBilling is how a phase's invoices are collected: its own
// collection_method and days_until_due, else the schedule's defaults.
func phaseBilling(sched, phase store.Obj) (method string, days any) {
	settings := api.Obj(sched["default_settings"])
	method = firstString(phase["collection_method"], settings["collection_method"])
	days = api.Obj(phase["invoice_settings"])["days_until_due"]
	if days == nil {
		days = api.Obj(settings["invoice_settings"])["days_until_due"]
	}
	return method, days
}

// checkPhaseBilling refuses a schedule whose phases would be invoiced by
// email without saying when their invoices are due, or would start a
// trial where the default settings reset the billing cycle.
func checkPhaseBilling(sched store.Obj) error {
	if err := checkDefaultAnchor(sched); err != nil {
		return err
	}
	for _, p := range asAnys(sched["phases"]) {
		if method, days := phaseBilling(sched, api.Obj(p)); method == "send_invoice" && days == nil {
			return apierr.MissingParam("default_settings[invoice_settings][days_until_due]")
		}
	}
	return nil
}

// phaseAutoTax reports whether a phase's invoices have automatic tax: its
// own automatic_tax, else the schedule's default_settings'.
func phaseAutoTax(sched, phase store.Obj) bool {
	if _, ok := phase["automatic_tax"]; ok {
		return autoTaxOn(phase)
	}
	return autoTaxOn(api.Obj(sched["default_settings"]))
}

func firstString(vs ...any) string {
	for _, v := range vs {
		if s, _ := v.(string); s != "" {
			return s
		}
	}
	return ""
}

// advanceSchedule runs what is due on a schedule at c.Now: its start,
// its next phase, or its end.
func advanceSchedule(c *api.Call, id string) error {
	sched, ok := c.Tx.Get(c.Account, "subscription_schedule", id)
	if !ok {
		return nil
	}
	switch sched["status"] {
	case "not_started":
		if api.Int(api.Obj(asAnys(sched["phases"])[0])["start_date"]) <= c.Now {
			return startSchedule(c, sched, false)
		}
		return nil
	case "active":
	default:
		return nil
	}
	cur := api.Obj(sched["current_phase"])
	if api.Int(cur["end_date"]) > c.Now {
		return nil
	}
	phases := asAnys(sched["phases"])
	next := -1
	for i, p := range phases {
		if api.Int(api.Obj(p)["start_date"]) == api.Int(cur["end_date"]) {
			next = i
		}
	}
	if next < 0 {
		return endSchedule(c, sched)
	}
	phase := api.Obj(phases[next])
	if err := phaseOneOffItems(c, sched, phase); err != nil {
		return err
	}
	if err := applyPhase(c, sched, currentPhase(sched), phase, api.Str(phase["proration_behavior"]), true); err != nil {
		return err
	}
	before, _ := c.Tx.Get(c.Account, "subscription_schedule", id)
	after := api.Clone(before)
	after["current_phase"] = store.Obj{"start_date": phase["start_date"], "end_date": phase["end_date"]}
	return c.Save(before, after)
}

// phaseOneOffItems makes a later phase's add_invoice_items as it begins:
// invoice items of its subscription, "appended to the next invoice for
// this phase" (Stripe's reference) — the renewal that begins it, or the
// one after. (The first phase's are billed on the first invoice.)
func phaseOneOffItems(c *api.Call, sched, phase store.Obj) error {
	sub, ok := c.Tx.Get(c.Account, "subscription", api.Str(sched["subscription"]))
	if !ok {
		return nil
	}
	defer billPhasePrices(c, phase)()
	for i, a := range asAnys(phase["add_invoice_items"]) {
		entry := api.Obj(a)
		pv := params.NewValues(map[string]any{"price": entry["price"], "quantity": api.Int(entry["quantity"])})
		pr, err := resolvePricing(c, pv, fmt.Sprintf("add_invoice_items[%d]", i), api.Str(sub["currency"]))
		if err != nil {
			return err
		}
		ii := newInvoiceItem(c, api.Str(sub["customer"]), pr, c.Now)
		ii["tax_rates"] = cloneRates(asAnys(entry["tax_rates"]))
		if ds := redeemableIn(c, entry["discounts"], addScope(sched, phase)); len(ds) > 0 {
			scope := coupons.Scope{Customer: api.Str(sub["customer"]), InvoiceItem: api.Str(ii["id"]), Currency: api.Str(sub["currency"])}
			ids, err := RedeemDiscountsFrom(c, params.NewValues(map[string]any{"discounts": ds}), fmt.Sprintf("add_invoice_items[%d]", i), scope, MinimumUnknown)
			if err != nil {
				return err
			}
			ii["discounts"] = ids
		}
		ii["parent"] = store.Obj{"type": "subscription_details", "subscription_details": store.Obj{"subscription": sub["id"]}}
		ii["test_clock"] = sub["test_clock"]
		if err := c.Insert(ii); err != nil {
			return err
		}
	}
	return nil
}

// applyPhase moves the schedule's subscription to a phase's items (an
// item whose price stays keeps its id), as POST /v1/subscriptions/:id
// would, prorating as the phase says unless the phase begins as a
// period ends (nothing is left of the period to prorate). A phase that
// begins (begins) with a trial starts it on the subscription, and one
// with billing_cycle_anchor=phase_start its new cycle.
func applyPhase(c *api.Call, sched, prev, phase store.Obj, proration string, begins bool) error {
	sub, ok := c.Tx.Get(c.Account, "subscription", api.Str(sched["subscription"]))
	if !ok {
		return nil
	}
	byPrice := map[string]string{}
	ratesByID := map[string]any{}
	for _, it := range subItems(sub) {
		byPrice[api.Str(api.Obj(it["price"])["id"])] = api.Str(it["id"])
		ratesByID[api.Str(it["id"])] = it["tax_rates"]
	}
	// The last phase's items' discounts, by price: an item's own change
	// only when its phase item's do.
	prevDiscounts := map[string]any{}
	for _, it := range phaseItems(prev) {
		prevDiscounts[api.Str(it["price"])] = it["discounts"]
	}
	var items []any
	kept := map[string]bool{}
	for _, it := range phaseItems(phase) {
		item := map[string]any{"metadata": it["metadata"]}
		rates := rateIDs(it["tax_rates"])
		if id, ok := byPrice[api.Str(it["price"])]; ok && !kept[id] {
			item["id"] = id
			kept[id] = true
			if !sameJSON(rates, rateIDs(ratesByID[id])) {
				item["tax_rates"] = unsetIfEmpty(rates)
			}
			if was := prevDiscounts[api.Str(it["price"])]; !(len(asAnys(was)) == 0 && len(asAnys(it["discounts"])) == 0) && !sameJSON(was, it["discounts"]) {
				item["discounts"] = unsetIfEmpty(redeemableIn(c, it["discounts"], phaseItemScope(sched, phase, id)))
			}
		} else {
			item["price"] = it["price"]
			if len(rates) > 0 {
				item["tax_rates"] = rates
			}
			if ds := redeemableIn(c, it["discounts"], phaseItemScope(sched, phase, "")); len(ds) > 0 {
				item["discounts"] = ds
			}
		}
		if q, ok := it["quantity"]; ok {
			item["quantity"] = api.Int(q)
		}
		items = append(items, item)
	}
	for _, id := range byPrice {
		if !kept[id] {
			items = append(items, map[string]any{"id": id, "deleted": true})
		}
	}
	if periodEnd(sub) == c.Now {
		proration = "none"
	}
	p := map[string]any{"items": items, "proration_behavior": proration, "metadata": phase["metadata"]}
	// The phase's discounts and default tax rates replace the last
	// phase's (none left when it has none); unchanged, they are kept.
	if !sameJSON(phase["discounts"], prev["discounts"]) {
		p["discounts"] = unsetIfEmpty(redeemableDiscounts(c, sched, phase))
	}
	if rates := rateIDs(phase["default_tax_rates"]); !sameJSON(rates, rateIDs(prev["default_tax_rates"])) {
		p["default_tax_rates"] = unsetIfEmpty(rates)
	}
	phaseSettings(c, sched, phase, sub, p)
	keepPhaseRates(c, phase)
	defer billPhasePrices(c, phase)()
	// Only entering the phase resets the cycle: an update sending back
	// the phase under way leaves it where the phase began.
	if begins && resetsCycleAt(c, sched, sub, phase) {
		return applyPhaseWithReset(c, sub, p, proration)
	}
	if t := api.Int(phase["trial_end"]); begins && phase["trial_end"] != nil && t > c.Now {
		switch sub["status"] {
		case "trialing", "active", "past_due", "unpaid":
			// The trial goes on to the phase's end of it, or starts.
			p["trial_end"] = t
		}
	}
	_, err := runAs(c, updateSubscription, p, map[string]string{"id": api.Str(sub["id"])}, nil)
	return err
}

// billPhasePrices lets the subscription take the phase's prices though
// inactive: those its items' price_data made (inline prices are archived
// from the start, as Stripe's are) or archived since the schedule took
// them. The returned func ends it.
func billPhasePrices(c *api.Call, phase store.Obj) func() {
	prev := c.Scratch(scratchSoldPrices)
	sold := map[string]bool{}
	if m, ok := prev.(map[string]bool); ok {
		for id := range m {
			sold[id] = true
		}
	}
	for _, it := range phaseItems(phase) {
		sold[api.Str(it["price"])] = true
	}
	for _, a := range asAnys(phase["add_invoice_items"]) {
		sold[api.Str(api.Obj(a)["price"])] = true
	}
	c.SetScratch(scratchSoldPrices, sold)
	return func() { c.SetScratch(scratchSoldPrices, prev) }
}

// keepSchedulePrices lets the phases of a schedule update name the prices
// its phases (items and one-off items) already bill though archived since,
// inactive from the start as the inline ones its price_data made, or of a
// product archived since (a subscription's items go on on them likewise),
// the tax rates they have though archived since, the discounts they have
// though no longer redeemable and the payment methods they name though
// detached since (and the trials they have, past the bound on a new one),
// so that its phases as retrieved can be sent back; such a price, rate,
// discount or method new to the schedule is refused. The
// returned func ends it (for all but the rates).
func keepSchedulePrices(c *api.Call, stored []any) func() {
	prev := c.Scratch(scratchKeptPrices)
	kept := map[string]bool{}
	for _, ph := range stored {
		var entries []any
		for _, it := range phaseItems(api.Obj(ph)) {
			kept[api.Str(it["price"])] = true
			entries = append(entries, asAnys(it["discounts"])...)
		}
		for _, a := range asAnys(api.Obj(ph)["add_invoice_items"]) {
			kept[api.Str(api.Obj(a)["price"])] = true
			entries = append(entries, asAnys(api.Obj(a)["discounts"])...)
		}
		for _, d := range entries {
			if key, ok := discountKey(params.NewValues(api.Obj(d))); ok {
				kept[key] = true
			}
		}
		for _, d := range asAnys(api.Obj(ph)["discounts"]) {
			if key, ok := discountKey(params.NewValues(api.Obj(d))); ok {
				kept[key] = true
			}
		}
		if pm := api.Str(api.Obj(ph)["default_payment_method"]); pm != "" {
			kept["default_payment_method:"+pm] = true
		}
		if t := api.Obj(ph)["trial_end"]; t != nil {
			// A trial a subscription taken over had, which may run past
			// two years from its start once extended.
			kept["trial_end:"+strconv.FormatInt(api.Int(t), 10)] = true
		}
		// Its tax rates likewise, archived since or not.
		keepPhaseRates(c, api.Obj(ph))
	}
	c.SetScratch(scratchKeptPrices, kept)
	return func() { c.SetScratch(scratchKeptPrices, prev) }
}

// scratchKeptPrices names, while a schedule's phases are read, the prices
// its phases billed before, which it takes back though inactive or of an
// archived product (keptBySchedule).
const scratchKeptPrices = "billing.keptPrices"

// discountKey names a discounts[] entry that gives exactly one of coupon,
// promotion_code or discount: "coupon:<id>"…
func discountKey(entry params.Values) (string, bool) {
	var key string
	for _, k := range []string{"coupon", "promotion_code", "discount"} {
		if v, _ := entry.Str(k); v != "" {
			if key != "" {
				return "", false
			}
			key = k + ":" + v
		}
	}
	return key, key != ""
}

// keptBySchedule reports whether the price (or discount entry, by its
// discountKey) is one the phases of the schedule being updated already
// have (keepSchedulePrices).
func keptBySchedule(c *api.Call, id string) bool {
	kept, _ := c.Scratch(scratchKeptPrices).(map[string]bool)
	return kept[id]
}

// keepPhaseRates lets the subscription take the phase's tax rates even if
// archived since the schedule took them (as an object keeps its rates).
func keepPhaseRates(c *api.Call, phase store.Obj) {
	var rates []any
	rates = append(rates, asAnys(phase["default_tax_rates"])...)
	for _, it := range phaseItems(phase) {
		rates = append(rates, asAnys(it["tax_rates"])...)
	}
	for _, a := range asAnys(phase["add_invoice_items"]) {
		rates = append(rates, asAnys(api.Obj(a)["tax_rates"])...)
	}
	if len(rates) > 0 {
		taxrates.Keep(c, rates)
	}
}

// endSchedule finishes a schedule after its last phase: the subscription
// goes on alone (release) or is canceled (cancel).
func endSchedule(c *api.Call, sched store.Obj) error {
	after := api.Clone(sched)
	after["current_phase"] = nil
	subID := api.Str(sched["subscription"])
	if sched["end_behavior"] == "cancel" {
		after["status"], after["completed_at"] = "completed", c.Now
		if err := c.PutEmit(after, "subscription_schedule.completed", nil); err != nil {
			return err
		}
		sub, ok := c.Tx.Get(c.Account, "subscription", subID)
		if !ok || sub["status"] == "canceled" {
			return nil
		}
		return endSubscription(c, sub, "cancellation_requested")
	}
	after["status"], after["released_at"], after["released_subscription"], after["subscription"] = "released", c.Now, subID, nil
	if err := c.PutEmit(after, "subscription_schedule.released", nil); err != nil {
		return err
	}
	return linkSubscription(c, subID, nil)
}

func retrieveSchedule(c *api.Call) (any, error) {
	return c.Retrieve("subscription_schedule", c.Var("id"))
}

// loadOpenSchedule loads the schedule a request acts on (verb: update,
// cancel, release), which must not have ended, and takes its customer's
// time.
func loadOpenSchedule(c *api.Call, verb string) (store.Obj, error) {
	sched, err := c.Load("subscription_schedule", c.Var("id"), "")
	if err != nil {
		return nil, err
	}
	if s := sched["status"]; s != "not_started" && s != "active" {
		done := map[string]string{"update": "updated", "cancel": "canceled", "release": "released"}[verb]
		return nil, apierr.InvalidRequest("You cannot %s a subscription schedule that is currently in the `%s` status. It must be in `not_started, active` status to be %s.", verb, s, done)
	}
	cus, _ := c.Tx.Get(c.Account, "customer", api.Str(sched["customer"]))
	c.Now = c.ClockNow(cus)
	return sched, nil
}

func updateSchedule(c *api.Call) (any, error) {
	before, err := loadOpenSchedule(c, "update")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if err := applyScheduleSettings(c, after); err != nil {
		return nil, err
	}
	proration, _ := c.Params.Str("proration_behavior")
	if proration == "" {
		proration = "create_prorations"
	}
	if !c.Params.Has("phases") {
		if err := checkPhaseBilling(after); err != nil {
			return nil, err
		}
	}
	if c.Params.Has("phases") {
		if !anchored(c.Params.Array("phases")) {
			return nil, apierr.InvalidRequest("The subscription schedule update is missing at least one phase with a `start_date` to anchor end dates to.").WithParam("phases")
		}
		start := api.Int(api.Obj(asAnys(before["phases"])[0])["start_date"])
		var current store.Obj
		if before["status"] == "active" {
			current = api.Obj(before["current_phase"])
			start = api.Int(current["start_date"])
		} else if ps := c.Params.Array("phases"); len(ps) > 0 && ps[0].Has("start_date") {
			// A schedule yet to start may be moved, to now too.
			if start, err = startDate(c, ps[0], "phases[0][start_date]"); err != nil {
				return nil, err
			}
		}
		phases, err := schedulePhases(c, start, current, asAnys(before["phases"]), api.Str(before["customer"]))
		if err != nil {
			return nil, err
		}
		after["phases"] = phases
		if err := checkPhaseBilling(after); err != nil {
			return nil, err
		}
		// Phases moved to another currency make it the customer's, as a
		// new schedule's would, refused while the customer has anything
		// else active in its own (the schedule itself does not count; an
		// active one's subscription does, which cannot change currency).
		cur := api.Str(api.Obj(phases[0])["currency"])
		if cur != api.Str(api.Obj(asAnys(before["phases"])[0])["currency"]) {
			if err := customers.AdoptCurrency(c, api.Str(before["customer"]), cur, "phases[0][currency]", api.Str(before["id"])); err != nil {
				return nil, err
			}
		}
		if current != nil {
			k := 0 // the current phase, after the past ones sent
			for api.Int(api.Obj(phases[k])["start_date"]) != start {
				k++
			}
			first := api.Obj(phases[k])
			old := currentPhase(before)
			if err := keepsStarted(first, old, fmt.Sprintf("phases[%d]", k)); err != nil {
				return nil, err
			}
			if api.Int(first["end_date"]) <= c.Now {
				// end_date=now: the current phase ends with the request.
				return endCurrentPhase(c, before, after, old, phases[k+1:])
			}
			after["current_phase"] = store.Obj{"start_date": first["start_date"], "end_date": first["end_date"]}
			if err := c.Save(before, after); err != nil {
				return nil, err
			}
			// The current phase's items take effect at once.
			if err := applyPhase(c, after, old, first, proration, false); err != nil {
				return nil, err
			}
			out, _ := c.Tx.Get(c.Account, "subscription_schedule", api.Str(before["id"]))
			return out, syncScheduleCancel(c, before, out)
		}
	}
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	if before["status"] == "not_started" && api.Int(api.Obj(asAnys(after["phases"])[0])["start_date"]) <= c.Now {
		// Moved to now: its subscription starts with the request.
		if err := startSchedule(c, after, false); err != nil {
			return nil, err
		}
		out, _ := c.Tx.Get(c.Account, "subscription_schedule", api.Str(before["id"]))
		return out, nil
	}
	if before["status"] == "active" {
		// Default settings changed for the phase under way take effect at
		// once, as a phase's own would.
		if err := applyDefaultSettings(c, after); err != nil {
			return nil, err
		}
		if err := syncScheduleCancel(c, before, after); err != nil {
			return nil, err
		}
	}
	return after, nil
}

// endCurrentPhase carries out an update ending the current phase now
// (old, as stored): the next phase begins with the request, prorated as
// that phase says, as it would on the clock; with none left the schedule
// ends as its end_behavior says.
func endCurrentPhase(c *api.Call, before, after, old store.Obj, rest []any) (any, error) {
	if len(rest) == 0 {
		after["current_phase"] = store.Obj{"start_date": old["start_date"], "end_date": c.Now}
		if err := c.Save(before, after); err != nil {
			return nil, err
		}
		if err := endSchedule(c, after); err != nil {
			return nil, err
		}
		out, _ := c.Tx.Get(c.Account, "subscription_schedule", api.Str(before["id"]))
		return out, nil
	}
	next := api.Obj(rest[0])
	after["current_phase"] = store.Obj{"start_date": next["start_date"], "end_date": next["end_date"]}
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	if err := phaseOneOffItems(c, after, next); err != nil {
		return nil, err
	}
	if err := applyPhase(c, after, old, next, api.Str(next["proration_behavior"]), true); err != nil {
		return nil, err
	}
	out, _ := c.Tx.Get(c.Account, "subscription_schedule", api.Str(before["id"]))
	return out, syncScheduleCancel(c, before, out)
}

// anchored reports whether an update's phases say when one of them
// starts: Stripe works their dates out from such a phase, so it refuses
// phases with none.
func anchored(ps []params.Values) bool {
	for _, p := range ps {
		if p.Has("start_date") {
			return true
		}
	}
	return false
}

// applyAutoTaxSetting turns automatic tax on or off on an active
// schedule's subscription when its current phase now says otherwise.
func applyDefaultSettings(c *api.Call, sched store.Obj) error {
	sub, ok := c.Tx.Get(c.Account, "subscription", api.Str(sched["subscription"]))
	phase := currentPhase(sched)
	if !ok || phase == nil {
		return nil
	}
	p := map[string]any{}
	phaseSettings(c, sched, phase, sub, p)
	if len(p) == 0 {
		return nil
	}
	p["proration_behavior"] = "none"
	_, err := runAs(c, updateSubscription, p, map[string]string{"id": api.Str(sub["id"])}, nil)
	return err
}

// phaseSettings adds to p, a subscription update's parameters, the
// settings a phase gives its subscription (its own, else the schedule's
// default settings) that the subscription does not have yet.
func phaseSettings(c *api.Call, sched, phase, sub store.Obj, p map[string]any) {
	m, days := phaseBilling(sched, phase)
	if m != "" && m != api.Str(sub["collection_method"]) {
		p["collection_method"] = m
	}
	if m == "send_invoice" && api.Int(days) != api.Int(sub["days_until_due"]) {
		p["collection_method"], p["days_until_due"] = m, api.Int(days)
	}
	if on := phaseAutoTax(sched, phase); on != autoTaxOn(sub) {
		p["automatic_tax"] = map[string]any{"enabled": on}
	}
	settings := api.Obj(sched["default_settings"])
	// One detached since the schedule took it is left out: the phase
	// still begins.
	if pm := firstString(phase["default_payment_method"], settings["default_payment_method"]); pm != "" && pm != api.Str(sub["default_payment_method"]) &&
		ownPaymentMethod(c, api.Str(sub["customer"]), pm, "") == nil {
		p["default_payment_method"] = pm
	}
	if d := firstString(phase["description"], settings["description"]); d != "" && d != api.Str(sub["description"]) {
		p["description"] = d
	}
}

func cancelSchedule(c *api.Call) (any, error) {
	before, err := loadOpenSchedule(c, "cancel")
	if err != nil {
		return nil, err
	}
	// Unlike a subscription's own cancellation, both default to true.
	invoiceNow, prorate := true, true
	if v, ok := c.Params.Bool("invoice_now"); ok {
		invoiceNow = v
	}
	if v, ok := c.Params.Bool("prorate"); ok {
		prorate = v
	}
	after := api.Clone(before)
	after["status"], after["canceled_at"], after["current_phase"] = "canceled", c.Now, nil
	if err := c.PutEmit(after, "subscription_schedule.canceled", nil); err != nil {
		return nil, err
	}
	if sub, ok := c.Tx.Get(c.Account, "subscription", api.Str(before["subscription"])); ok && sub["status"] != "canceled" {
		if prorate && (sub["status"] == "active" || sub["status"] == "past_due") {
			if err := creditUnusedTime(c, sub, sub); err != nil {
				return nil, err
			}
		}
		if err := endSubscription(c, sub, "cancellation_requested"); err != nil {
			return nil, err
		}
		if invoiceNow {
			if err := finalUsageInvoice(c, sub, periodStart(sub), c.Now, true); err != nil {
				return nil, err
			}
		}
	}
	out, _ := c.Tx.Get(c.Account, "subscription_schedule", api.Str(before["id"]))
	return out, nil
}

func releaseSchedule(c *api.Call) (any, error) {
	before, err := loadOpenSchedule(c, "release")
	if err != nil {
		return nil, err
	}
	// The cancellation end_behavior=cancel set on the subscription goes,
	// unless preserve_cancel_date keeps it.
	preserve, _ := c.Params.Bool("preserve_cancel_date")
	subID := api.Str(before["subscription"])
	after := api.Clone(before)
	after["status"], after["released_at"], after["current_phase"], after["subscription"] = "released", c.Now, nil, nil
	if subID != "" {
		after["released_subscription"] = subID
	}
	// Stripe's event stream shows a release as an update, then the
	// release itself.
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	c.Emit("subscription_schedule.released", after, nil)
	if sub, ok := c.Tx.Get(c.Account, "subscription", subID); ok {
		released := api.Clone(sub)
		released["schedule"] = nil
		scheduleCancel(c, before, after, released, preserve)
		if err := c.Save(sub, released); err != nil {
			return nil, err
		}
	}
	return after, nil
}

func listSchedules(c *api.Call) (any, error) {
	q, err := c.ListQuery("subscription_schedule")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "customer")
	if scheduled, ok := c.Params.Bool("scheduled"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return (o["status"] == "not_started") == scheduled })
	}
	// A schedule that never ended so has none of these times.
	for _, f := range []string{"canceled_at", "completed_at", "released_at"} {
		match, err := c.RangeFilter(f)
		if err != nil {
			return nil, err
		}
		if match != nil {
			q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o[f] != nil && match(api.Int(o[f])) })
		}
	}
	q = api.OmitClockObjects(c, q, "customer")
	return c.Page("subscription_schedule", "/v1/subscription_schedules", q), nil
}

// ScheduleExpiring is how long before a schedule's last phase ends
// Stripe sends subscription_schedule.expiring.
const ScheduleExpiring = 7 * 86400

// expiringKey holds the end date a schedule's warning was sent for.
func expiringKey(account, id string) string { return "schexp:" + account + ":" + id }

// scheduleDue appends a schedule's start or phase change, and its
// expiring warning, if due.
var scheduleDueFields = []string{"id", "status", "test_clock", "current_phase.end_date", "phases.0.start_date", "phases.#.end_date"}

func scheduleDue(out []dueAction, tx *store.Tx, account, clockID string, f []gjson.Result, target int64) []dueAction {
	if f[2].String() != clockID {
		return out
	}
	id, at := f[0].String(), f[3].Int()
	switch f[1].String() {
	case "not_started":
		at = f[4].Int()
	case "active":
	default:
		return out
	}
	ends := f[5].Array()
	if len(ends) > 0 {
		// Sent once per end: an update that moves the end warns again.
		end := ends[len(ends)-1].Int()
		warn := max(end-ScheduleExpiring, f[4].Int())
		if sentFor, _ := tx.GetMeta(expiringKey(account, id)); sentFor != strconv.FormatInt(end, 10) && warn <= target {
			out = append(out, dueAction{warn, "schedule_expiring", id})
		}
	}
	if at <= target {
		out = append(out, dueAction{at, "schedule", id})
	}
	return out
}
