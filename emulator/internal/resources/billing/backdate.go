package billing

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// backdateParam reads backdate_start_date on create: a past time the
// subscription is said to have started at (its start_date), whose
// elapsed time the first invoice bills, prorated against an imagined
// period starting then, as Stripe's classic billing mode does. 0 when
// not sent.
func backdateParam(c *api.Call, now int64, trial bool) (int64, error) {
	const name = "backdate_start_date"
	t, ok := c.Params.Int(name)
	if !ok {
		return 0, nil
	}
	if t >= now {
		return 0, apierr.InvalidRequest("Invalid %s: must be in the past.", name).WithParam(name)
	}
	if trial {
		return 0, apierr.InvalidRequest("stripe-emu does not emulate %s together with a trial, so it refused the request rather than answer as if it had taken effect.", name).WithParam(name)
	}
	return t, nil
}

// backdateFraction is the part of a period the time from backdate to to
// is, the period being an imagined one that starts at backdate (Stripe's
// example: Feb 15 to Mar 1 is half the month Feb 15 to Mar 15).
func backdateFraction(backdate, to int64, interval string, count int64) float64 {
	return float64(to-backdate) / float64(addInterval(backdate, interval, count)-backdate)
}

// insertBackdateProrations records, for a backdated subscription without
// a billing_cycle_anchor, each item's charge for the time from backdate
// to now: prorations its first invoice takes with the period from now.
func insertBackdateProrations(c *api.Call, sub store.Obj, rates [][]any, backdate, now int64, fraction float64) error {
	for i, it := range subItems(sub) {
		var own []any
		if i < len(rates) {
			own = rates[i]
		}
		d := proration{price: api.Obj(it["price"]), qty: api.Int(it["quantity"]), item: it["id"], rates: own, own: ownDiscounts(it)}
		if err := insertProration(c, sub, d, backdate, now, fraction); err != nil {
			return err
		}
	}
	return nil
}
