package billing

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// phaseAnchorParam reads a schedule phase's billing_cycle_anchor:
// automatic (the default: the phase keeps the subscription's cycle) or
// phase_start (the cycle starts again as the phase begins).
func phaseAnchorParam(pp params.Values, prefix string, phase store.Obj) error {
	v, ok := pp.Str("billing_cycle_anchor")
	if !ok || v == "" {
		return nil
	}
	if v != "automatic" && v != "phase_start" {
		return apierr.InvalidRequest("Invalid %s[billing_cycle_anchor]: must be one of automatic or phase_start", prefix).WithParam(prefix + "[billing_cycle_anchor]")
	}
	phase["billing_cycle_anchor"] = v
	return nil
}

// defaultAnchorParam reads default_settings[billing_cycle_anchor] (ds):
// what a phase that sets none of its own does.
func defaultAnchorParam(ds params.Values, settings store.Obj) error {
	v, ok := ds.Str("billing_cycle_anchor")
	if !ok || v == "" {
		return nil
	}
	if v != "automatic" && v != "phase_start" {
		return apierr.InvalidRequest("Invalid default_settings[billing_cycle_anchor]: must be one of automatic or phase_start").WithParam("default_settings[billing_cycle_anchor]")
	}
	settings["billing_cycle_anchor"] = v
	return nil
}

// phaseAnchor is a phase's billing_cycle_anchor: its own, else the
// schedule's default settings'.
func phaseAnchor(sched, phase store.Obj) string {
	if a := api.Str(phase["billing_cycle_anchor"]); a != "" {
		return a
	}
	return api.Str(api.Obj(sched["default_settings"])["billing_cycle_anchor"])
}

// checkDefaultAnchor refuses a default phase_start with a phase that has
// a trial and no anchor of its own: stripe-go's doc of the default says
// it "Cannot be set to `phase_start` if this phase specifies a trial".
func checkDefaultAnchor(sched store.Obj) error {
	for _, p := range asAnys(sched["phases"]) {
		if phase := api.Obj(p); phase["trial_end"] != nil && phaseAnchor(sched, phase) == "phase_start" {
			return apierr.InvalidRequest("default_settings[billing_cycle_anchor] cannot be `phase_start` when a phase has a trial.").WithParam("default_settings[billing_cycle_anchor]")
		}
	}
	return nil
}

// resetsCycleAt tells whether a phase of sched beginning now resets its
// subscription's billing cycle: billing_cycle_anchor=phase_start (the
// phase's or the default) while a period is under way (one ending now
// starts a new cycle anyway) on a subscription that is billing (not in a
// trial).
func resetsCycleAt(c *api.Call, sched, sub, phase store.Obj) bool {
	return phaseAnchor(sched, phase) == "phase_start" && periodEnd(sub) != c.Now &&
		(sub["status"] == "active" || sub["status"] == "past_due")
}

// applyPhaseWithReset moves the subscription to the phase's items (p, the
// update's parameters) and starts its cycle again now, as Stripe does for
// billing_cycle_anchor=phase_start: the items change without prorations
// of their own, the old items' unused time is credited (unless the phase
// says proration_behavior=none), and the new full period is invoiced and
// collected at once, with that credit.
func applyPhaseWithReset(c *api.Call, sub store.Obj, p map[string]any, proration string) error {
	old := api.Clone(sub)
	p["proration_behavior"] = "none"
	if _, err := runAs(c, updateSubscription, p, map[string]string{"id": api.Str(sub["id"])}, nil); err != nil {
		return err
	}
	before, ok := c.Tx.Get(c.Account, "subscription", api.Str(sub["id"]))
	if !ok {
		return nil
	}
	after := api.Clone(before)
	if err := resetCycle(c, old, after, proration); err != nil {
		return err
	}
	if err := c.Save(before, after); err != nil {
		return err
	}
	period := periodInvoice{reason: "subscription_update", start: c.Now, end: periodEnd(after)}
	if old["status"] != "trialing" {
		period.usageFrom = periodStart(old) // the usage of the period cut short, as at a reset by update
	}
	inv, err := subscriptionInvoice(c, after, period)
	if err != nil {
		return err
	}
	if inv, err = finalize(c, inv); err != nil {
		return err
	}
	if err := collectNow(c, inv); err != nil {
		return err
	}
	return c.Flush()
}
