package billing

import (
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// refreshUsageLines brings a subscription draft's metered lines up to the
// usage recorded for their periods, as Stripe does when it finalizes the
// invoice: usage reported during the finalization grace period (the hour a
// renewal's draft waits) for the period that ended is billed on it. The
// totals are worked out again only when a line changed.
func refreshUsageLines(c *api.Call, inv store.Obj) error {
	subID := api.Str(api.Obj(api.Obj(inv["parent"])["subscription_details"])["subscription"])
	if subID == "" || inv["billing_reason"] == "subscription_threshold" {
		return nil // a threshold invoice bills the usage up to its moment, no more
	}
	// Most subscriptions bill no usage: look before decoding the whole
	// subscription on every renewal's finalization.
	usage, ok := c.Tx.Fields(c.Account, "subscription", subID, "items.data.#.price.recurring.usage_type")
	if !ok || !strings.Contains(usage[0].Raw, `"metered"`) {
		return nil
	}
	sub, _ := c.Tx.Get(c.Account, "subscription", subID)
	items := map[string]store.Obj{}
	for _, it := range subItems(sub) {
		if metered(api.Obj(it["price"])) {
			items[api.Str(it["id"])] = it
		}
	}
	if len(items) == 0 {
		return nil
	}
	lines := asList(inv["lines"])
	changed := false
	for _, raw := range lines {
		l := api.Obj(raw)
		it := items[api.Str(api.Obj(api.Obj(l["parent"])["subscription_item_details"])["subscription_item"])]
		if it == nil || lineInvoiceItem(l) != "" {
			continue // not the item's own line
		}
		price := api.Obj(it["price"])
		period := api.Obj(l["period"])
		from, to := api.Int(period["start"]), api.Int(period["end"])
		// A usage line bills the period the invoice closes; the line of a
		// subscription's first invoice is for the period ahead, no usage.
		if from >= to || to != api.Int(inv["period_end"]) || api.Obj(api.Obj(l["pricing"])["price_details"])["price"] != price["id"] {
			continue
		}
		if v, ok := c.Tx.GetMeta(usageFromKey(c.Account, api.Str(it["id"]))); ok {
			if since, _ := strconv.ParseInt(v, 10, 64); since >= to {
				continue // switched after the period: its usage stays as billed
			}
		}
		qty := itemUsage(c, sub, it, from, to)
		if qty == api.Int(l["quantity"]) {
			continue
		}
		currency := api.Str(inv["currency"])
		l["quantity"] = qty
		l["amount"] = usageAmount(c, sub, it, from, qty, currency)
		l["description"] = periodLine(c, price, qty, currency)
		changed = true
	}
	if !changed {
		return nil
	}
	return setLines(c, inv, lines)
}
