package billing

import (
	"maps"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Schedule previews (create_preview with schedule or schedule_details):
// the schedule is created or updated by its own handlers, started and
// moved through its phases on a clock run forward inside the preview's
// transaction, and the invoice that makes first is answered; all of it
// is then thrown away with the rest of the preview (api.Discard).

// previewVar, set on a call, has createSubscription leave the first
// invoice a draft and collect nothing: a preview bills no one.
const previewVar = "invoice_preview"

// scheduleExclusive refuses a preview of a schedule and a subscription
// at once, which Stripe's reference rules out ("Cannot be used with
// subscription or subscription_ prefixed fields").
func scheduleExclusive(c *api.Call) error {
	other := "schedule"
	if !c.Params.Has(other) {
		if other = "schedule_details"; !c.Params.Has(other) {
			return nil
		}
	}
	for _, p := range []string{"subscription", "subscription_details"} {
		if c.Params.Has(p) {
			return apierr.InvalidRequest("You may only specify one of these parameters: %s, %s.", other, p).WithParam(p)
		}
	}
	return nil
}

// schedulePreview answers create_preview for a schedule: the one named
// by schedule (changed by schedule_details if sent), or the one
// schedule_details would create for the customer.
func schedulePreview(c *api.Call, cusID string) (store.Obj, error) {
	if c.Params.Has("automatic_tax") {
		// A schedule's automatic tax is its default_settings' or its
		// phases', which schedule_details sets.
		return nil, unsupportedInPreview("automatic_tax")
	}
	vars := map[string]string{previewVar: "1"}
	for k, v := range c.Vars {
		vars[k] = v
	}
	c.Vars = vars
	details, hasDetails := c.Params.Obj("schedule_details")
	update := map[string]any{}
	for _, k := range []string{"end_behavior", "phases", "proration_behavior", "billing_mode"} {
		if v, ok := details.RawAt(k); ok {
			update[k] = v
		}
	}
	rename := func(name string) string {
		first, rest, _ := strings.Cut(name, "[")
		if rest != "" {
			rest = "[" + rest
		}
		return "schedule_details[" + first + "]" + rest
	}
	var sched store.Obj
	if id, _ := c.Params.Str("schedule"); id != "" {
		var ok bool
		if sched, ok = c.Tx.Get(c.Account, "subscription_schedule", id); !ok {
			return nil, apierr.NoSuchObject("subscription schedule", id, "schedule")
		}
		if hasDetails {
			started := sched["status"] == "active"
			alwaysInvoice := update["proration_behavior"] == "always_invoice"
			if alwaysInvoice {
				// Prorated as for create_prorations and invoiced below, as
				// a draft: a preview charges nothing.
				update["proration_behavior"] = "create_prorations"
			}
			res, err := runAs(c, updateSchedule, update, map[string]string{"id": id, previewVar: "1"}, rename)
			if err != nil {
				return nil, err
			}
			sched = res.(store.Obj)
			switch {
			case sched["status"] != "active":
			case !started:
				// Moved to start now: its first invoice is the next.
				return startedInvoice(c, sched)
			case alwaysInvoice:
				sub, _ := c.Tx.Get(c.Account, "subscription", api.Str(sched["subscription"]))
				return draftFromPending(c, sub)
			}
		}
	} else {
		if cusID == "" {
			return nil, apierr.MissingParam("customer")
		}
		if !details.Has("phases") {
			return nil, apierr.MissingParam("schedule_details[phases]")
		}
		// A new schedule has no current phase to prorate.
		delete(update, "proration_behavior")
		update["customer"] = cusID
		if ps, _ := update["phases"].([]any); len(ps) > 0 {
			// Stripe's create takes the first phase's start as start_date.
			if first, ok := ps[0].(map[string]any); ok {
				if v, ok := first["start_date"]; ok {
					first = maps.Clone(first)
					delete(first, "start_date")
					update["start_date"] = v
					ps = append([]any{first}, ps[1:]...)
					update["phases"] = ps
				}
			}
		}
		res, err := runAs(c, createSchedule, update, map[string]string{previewVar: "1"}, func(name string) string {
			if name == "start_date" {
				return "schedule_details[phases][0][start_date]"
			}
			return rename(name)
		})
		if err != nil {
			return nil, err
		}
		sched = res.(store.Obj)
		if sched["status"] == "active" {
			// Started as it was created: its first invoice is the next.
			return startedInvoice(c, sched)
		}
	}
	return scheduleNextInvoice(c, sched)
}

// startedInvoice is the first invoice of a schedule the preview started
// (left a draft: see previewVar).
func startedInvoice(c *api.Call, sched store.Obj) (store.Obj, error) {
	sub, _ := c.Tx.Get(c.Account, "subscription", api.Str(sched["subscription"]))
	inv, ok := c.Tx.Get(c.Account, "invoice", api.Str(sub["latest_invoice"]))
	if !ok {
		return nil, apierr.InvalidRequest("No upcoming invoices for subscription schedule %s.", api.Str(sched["id"])).WithCode("invoice_upcoming_none").WithParam("schedule")
	}
	return inv, nil
}

// scheduleNextInvoice runs sched forward (in the preview's transaction)
// to the invoice it makes next: its start's, for one yet to start, else
// its subscription's next period's, with every phase that begins by then
// applied as the schedule will apply it.
func scheduleNextInvoice(c *api.Call, sched store.Obj) (store.Obj, error) {
	id := api.Str(sched["id"])
	switch sched["status"] {
	case "not_started":
		c.Now = api.Int(api.Obj(asAnys(sched["phases"])[0])["start_date"])
		if err := startSchedule(c, sched, false); err != nil {
			return nil, err
		}
		sched, _ = c.Tx.Get(c.Account, "subscription_schedule", id)
		return startedInvoice(c, sched)
	case "active":
	default:
		return nil, apierr.InvalidRequest("No upcoming invoices for subscription schedule %s: it is %s.", id, api.Str(sched["status"])).
			WithCode("invoice_upcoming_none").WithParam("schedule")
	}
	sub, ok := c.Tx.Get(c.Account, "subscription", api.Str(sched["subscription"]))
	if !ok {
		return nil, apierr.NoSuchObject("subscription", api.Str(sched["subscription"]), "schedule")
	}
	latest := sub["latest_invoice"]
	// Each pass moves the schedule one phase on; a schedule has finitely
	// many phases, and none after it ends.
	for range len(asAnys(sched["phases"])) + 1 {
		if sched["status"] != "active" || sub["status"] == "canceled" {
			break
		}
		end := api.Int(api.Obj(sched["current_phase"])["end_date"])
		if end > periodEnd(sub) {
			break
		}
		c.Now = end
		if err := advanceSchedule(c, id); err != nil {
			return nil, err
		}
		sched, _ = c.Tx.Get(c.Account, "subscription_schedule", id)
		sub, _ = c.Tx.Get(c.Account, "subscription", api.Str(sub["id"]))
	}
	if sub["latest_invoice"] != latest && sub["status"] != "canceled" {
		// A phase that resets the billing cycle invoices as it begins.
		return nil, apierr.InvalidRequest("stripe-emu does not emulate previews of a schedule whose next phase invoices as it begins (billing_cycle_anchor=phase_start), so it refused the request rather than answer as if it had taken effect.").WithParam("schedule")
	}
	return subscriptionPreview(c, sub, params.NewValues(map[string]any{}), nil)
}
