package billing

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/catalog"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Billing thresholds: a subscription's billing_thresholds[amount_gte]
// (the accrued amount of its metered usage) or an item's
// billing_thresholds[usage_gte] (its usage), once reached, bill that usage
// at once on an invoice with billing_reason=subscription_threshold; the
// period's own invoice then bills only the usage after it.

func init() {
	api.WriteHooks["billing.meter_event"] = append(api.WriteHooks["billing.meter_event"], watchThresholds)
}

// thresholdsKey marks an account that has had a subscription with
// thresholds: a meter event elsewhere costs one look at it, no more.
func thresholdsKey(account string) string { return "thresholds:" + account }

// thresholdBilledKey holds what threshold invoices billed of an item's
// usage in one period: "periodStart quantity".
func thresholdBilledKey(account, item string) string {
	return "thresholdbilled:" + account + ":" + item
}

// applyBillingThresholds takes billing_thresholds on a subscription's
// create or update ("" removes them).
func applyBillingThresholds(c *api.Call, sub store.Obj) error {
	if !c.Params.Has("billing_thresholds") {
		return nil
	}
	if c.Params.Unset("billing_thresholds") {
		sub["billing_thresholds"] = nil
		return nil
	}
	reset, _ := c.Params.Bool("billing_thresholds.reset_billing_cycle_anchor")
	if reset {
		// Resetting the cycle at the threshold is not emulated.
		return api.NotEmulated("billing_thresholds[reset_billing_cycle_anchor]", c.Endpoint)
	}
	var amount any
	if n, ok := c.Params.Int("billing_thresholds.amount_gte"); ok {
		if err := nonNegative(n, "billing_thresholds[amount_gte]"); err != nil {
			return err
		}
		amount = n
	}
	sub["billing_thresholds"] = store.Obj{"amount_gte": amount, "reset_billing_cycle_anchor": reset}
	return markThresholds(c)
}

func markThresholds(c *api.Call) error {
	if _, ok := c.Tx.GetMeta(thresholdsKey(c.Account)); ok {
		return nil
	}
	return c.Tx.SetMeta(thresholdsKey(c.Account), "1")
}

// thresholdBilled is the usage of an item's period beginning at from that
// threshold invoices already billed.
func thresholdBilled(c *api.Call, item string, from int64) int64 {
	v, ok := c.Tx.GetMeta(thresholdBilledKey(c.Account, item))
	if !ok {
		return 0
	}
	start, qty, _ := strings.Cut(v, " ")
	if s, _ := strconv.ParseInt(start, 10, 64); s != from {
		return 0
	}
	n, _ := strconv.ParseInt(qty, 10, 64)
	return n
}

// hasThresholds tells whether a subscription or one of its items has
// billing thresholds, read off the document in hand.
func hasThresholds(sub, it store.Obj) bool {
	return sub["billing_thresholds"] != nil || it["billing_thresholds"] != nil
}

// watchThresholds runs as a meter event is stored: once the request's own
// work is done, the customer's subscriptions with thresholds look at their
// usage. Stripe aggregates meter events asynchronously; here the
// threshold invoice is made as the event that reaches it is recorded.
func watchThresholds(c *api.Call, account string, ev store.Obj) {
	if api.Bool(ev["canceled"]) || ev["meter"] == nil || account != c.Account {
		return
	}
	if _, ok := c.Tx.GetMeta(thresholdsKey(account)); !ok {
		return // the common case: no subscription has thresholds
	}
	c.Later(func() error { return checkThresholds(c, ev) })
}

func checkThresholds(c *api.Call, ev store.Obj) error {
	meter, ok := c.Tx.Get(c.Account, "billing.meter", api.Str(ev["meter"]))
	if !ok {
		return nil
	}
	cusID := api.Str(api.Obj(ev["payload"])[api.Str(api.Obj(meter["customer_mapping"])["event_payload_key"])])
	cus, ok := c.Tx.Get(c.Account, "customer", cusID)
	if cusID == "" || !ok {
		return nil
	}
	now, fixed := c.Now, c.NowFixed
	c.Now, c.NowFixed = c.ClockNow(cus), true
	defer func() { c.Now, c.NowFixed = now, fixed }()
	subs := c.Tx.List(c.Account, "subscription", store.Query{Index: "customer", Value: cusID, Limit: 1000})
	for _, sub := range subs.Data {
		if err := checkThreshold(c, sub); err != nil {
			return err
		}
	}
	return nil
}

// checkThreshold bills a subscription's unbilled usage of its period on a
// threshold invoice if it reached one of its thresholds.
func checkThreshold(c *api.Call, sub store.Obj) error {
	if sub["status"] != "active" && sub["status"] != "past_due" {
		return nil // a trial's usage is free; other states bill nothing
	}
	from, to := periodStart(sub), c.Now+1 // usage stamped now counts
	var accrued int64
	hit, some := false, false
	var itemReasons []store.Obj // the items whose usage_gte was reached
	for _, it := range subItems(sub) {
		price := api.Obj(it["price"])
		if !metered(price) || !hasThresholds(sub, it) {
			continue
		}
		unbilled := itemUsage(c, sub, it, from, to)
		if unbilled > 0 {
			some = true
		}
		accrued += usageAmount(c, sub, it, from, unbilled, api.Str(sub["currency"]))
		if bt := api.Obj(it["billing_thresholds"]); it["billing_thresholds"] != nil && unbilled > 0 && unbilled >= api.Int(bt["usage_gte"]) {
			hit = true
			itemReasons = append(itemReasons, store.Obj{"item": it["id"], "usage_gte": bt["usage_gte"]})
		}
	}
	var amountGTE any
	if bt := api.Obj(sub["billing_thresholds"]); sub["billing_thresholds"] != nil && bt["amount_gte"] != nil && some && accrued >= api.Int(bt["amount_gte"]) {
		hit, amountGTE = true, bt["amount_gte"]
	}
	if !hit {
		return nil
	}
	// threshold_reason names what was reached: the amount, and each item
	// by its line on the invoice.
	reason := func(inv store.Obj) {
		reasons := []any{}
		for _, r := range itemReasons {
			var lines []any
			for _, raw := range asList(inv["lines"]) {
				l := api.Obj(raw)
				if api.Obj(api.Obj(l["parent"])["subscription_item_details"])["subscription_item"] == r["item"] && lineInvoiceItem(l) == "" {
					lines = append(lines, l["id"])
				}
			}
			reasons = append(reasons, store.Obj{"line_item_ids": lines, "usage_gte": r["usage_gte"]})
		}
		inv["threshold_reason"] = store.Obj{"amount_gte": amountGTE, "item_reasons": reasons}
	}
	inv, err := subscriptionInvoice(c, sub, periodInvoice{reason: "subscription_threshold", start: c.Now, end: c.Now, usageFrom: from, usageTo: to, usageOnly: true, since: from, collection: reason})
	if err != nil {
		return err
	}
	// What the invoice billed is not billed again in this period.
	for _, raw := range asList(inv["lines"]) {
		l := api.Obj(raw)
		item := api.Str(api.Obj(api.Obj(l["parent"])["subscription_item_details"])["subscription_item"])
		if item == "" || lineInvoiceItem(l) != "" {
			continue
		}
		billed := thresholdBilled(c, item, from) + api.Int(l["quantity"])
		if err := c.Tx.SetMeta(thresholdBilledKey(c.Account, item), fmt.Sprintf("%d %d", from, billed)); err != nil {
			return err
		}
	}
	if inv, err = finalize(c, inv); err != nil {
		return err
	}
	return collect(c, inv)
}

// itemThresholdsParam reads an items[] entry's billing_thresholds for an
// item on price: (the value to set, whether it was sent). Only a metered
// item has usage to reach a usage_gte.
func itemThresholdsParam(c *api.Call, ip params.Values, price store.Obj, prefix string) (any, bool, error) {
	if !ip.Has("billing_thresholds") {
		return nil, false, nil
	}
	if ip.Unset("billing_thresholds") {
		return nil, true, nil
	}
	n, ok := ip.Int("billing_thresholds.usage_gte")
	if !ok {
		return nil, false, apierr.MissingParam(prefix + "[billing_thresholds][usage_gte]")
	}
	if err := nonNegative(n, prefix+"[billing_thresholds][usage_gte]"); err != nil {
		return nil, false, err
	}
	if !metered(price) {
		return nil, false, errLicensedThresholds(prefix)
	}
	return store.Obj{"usage_gte": n}, true, markThresholds(c)
}

// errLicensedThresholds refuses a usage threshold on an item that bills a
// quantity (Stripe's wording not verified).
func errLicensedThresholds(prefix string) error {
	return apierr.InvalidRequest("Usage thresholds can only be set on subscription items whose price has usage_type `metered`.").WithParam(prefix + "[billing_thresholds]")
}

// usageAmount is what qty of a metered item's unbilled usage of the period
// beginning at from costs: after a threshold invoice, tiers go on from the
// usage it billed rather than starting over (what the whole period's
// usage costs, less what was billed), as a tiered price prices a period.
func usageAmount(c *api.Call, sub, it store.Obj, from, qty int64, currency string) int64 {
	price := api.Obj(it["price"])
	if hasThresholds(sub, it) {
		if billed := thresholdBilled(c, api.Str(it["id"]), from); billed > 0 {
			return max(catalog.Amount(c, price, currency, billed+qty)-catalog.Amount(c, price, currency, billed), 0)
		}
	}
	return catalog.Amount(c, price, currency, qty)
}
