package taxrates

import (
	"fmt"
	"math/bits"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// MaxPerObject is how many tax rates a line item (or an object's
// defaults) may have.
const MaxPerObject = 10

// Resolve checks the tax rate ids a request sent in param (such as
// "default_tax_rates" or "items[0][tax_rates]") and returns the rates,
// copies as Stripe renders them where they apply. An archived rate is
// refused, as Stripe refuses it on anything new, unless it is among kept:
// the rates the object already has, which keep working after archiving.
func Resolve(c *api.Call, ids []string, param string, kept []any) ([]any, error) {
	if len(ids) > MaxPerObject {
		return nil, apierr.InvalidRequest("You can apply at most %d tax rates; %s has %d.", MaxPerObject, param, len(ids)).WithParam(param)
	}
	out := make([]any, 0, len(ids))
	seen := map[string]bool{}
	for i, id := range ids {
		elem := fmt.Sprintf("%s[%d]", param, i)
		if seen[id] {
			return nil, apierr.InvalidRequest("The tax rate %s is given more than once.", id).WithParam(elem)
		}
		seen[id] = true
		r, ok := c.Tx.Get(c.Account, "tax_rate", id)
		if !ok {
			return nil, apierr.NoSuchObject("tax rate", id, elem)
		}
		if !api.Bool(r["active"]) && !Has(kept, id) && !keptInRequest(c, id) {
			return nil, apierr.InvalidRequest("The tax rate %s is archived (active=false): archived tax rates cannot be applied to new objects, only kept where they were already set.", id).WithParam(elem)
		}
		out = append(out, api.Clone(r))
	}
	return out, nil
}

// CheckBehavior refuses rates that contradict the tax behavior of the
// price they apply to (behavior: the price's tax_behavior): an inclusive
// rate on a price exclusive of tax, or an exclusive one on a price that
// includes it. A price whose behavior is unspecified takes either. The
// message is Stripe's, as integrators have logged it.
func CheckBehavior(behavior any, rates []any) error {
	b := api.Str(behavior)
	if b != "inclusive" && b != "exclusive" {
		return nil
	}
	for _, r := range rates {
		if api.Bool(api.Obj(r)["inclusive"]) != (b == "inclusive") {
			return apierr.InvalidRequest("One or more prices has a `tax_behavior` that conflicts with the tax rates that apply to the corresponding line item.")
		}
	}
	return nil
}

// Has reports whether a list of rendered tax rates holds the rate id.
func Has(rates []any, id string) bool {
	for _, r := range rates {
		if api.Obj(r)["id"] == id {
			return true
		}
	}
	return false
}

const scratchKept = "taxrates.kept"

// Keep lets this request apply the rates again even if they were
// archived since they were first set: a Checkout Session completing
// hands its rates on to the subscription it creates.
func Keep(c *api.Call, rates []any) {
	kept, _ := c.Scratch(scratchKept).([]any)
	c.SetScratch(scratchKept, append(kept, rates...))
}

func keptInRequest(c *api.Call, id string) bool {
	kept, _ := c.Scratch(scratchKept).([]any)
	return Has(kept, id)
}

// Load returns the current tax rates of the given ids (those that still
// exist).
func Load(c *api.Call, ids []string) []any {
	out := make([]any, 0, len(ids))
	for _, id := range ids {
		if r, ok := c.Tx.Get(c.Account, "tax_rate", id); ok {
			out = append(out, r)
		}
	}
	return out
}

// LineTax is one tax rate's tax on one line.
type LineTax struct {
	Rate store.Obj
	// Amount is the tax; Taxable the amount it is computed on (the
	// line's amount net of discounts and of inclusive tax).
	Amount, Taxable int64
	Inclusive       bool
}

// whole is 100% in the millionths micros counts in.
const whole = 1_000_000

// Compute works out the taxes rates put on amount (a line's amount after
// discounts), in the rates' order. An exclusive rate adds its
// percentage of the amount on top of it; inclusive rates take their tax
// out of the amount: together they make up the share
// P/(100%+P) of it (P their combined percentage), each rate its own
// part p/(100%+P). Exclusive rates then apply to the amount net of
// inclusive tax. Each rate's tax is rounded on its own, half away from
// zero, to the smallest currency unit (a credit's tax is the negative of
// the same charge's).
func Compute(amount int64, rates []any) []LineTax {
	if len(rates) == 0 {
		return nil
	}
	out := make([]LineTax, len(rates))
	var incl int64
	for i, r := range rates {
		o := api.Obj(r)
		out[i] = LineTax{Rate: o, Inclusive: api.Bool(o["inclusive"])}
		if out[i].Inclusive {
			incl += rateMicros(o)
		}
	}
	net := amount
	for i := range out {
		if out[i].Inclusive {
			out[i].Amount = mulDivRound(amount, rateMicros(out[i].Rate), whole+incl)
			net -= out[i].Amount
		}
	}
	for i := range out {
		if !out[i].Inclusive {
			out[i].Amount = mulDivRound(net, rateMicros(out[i].Rate), whole)
		}
		out[i].Taxable = net
	}
	return out
}

// InclusiveTax is the tax the inclusive ones among rates hold in amount.
func InclusiveTax(amount int64, rates []any) int64 {
	var sum int64
	for _, t := range Compute(amount, rates) {
		if t.Inclusive {
			sum += t.Amount
		}
	}
	return sum
}

func rateMicros(rate store.Obj) int64 {
	m, _ := micros(api.Float(rate["percentage"]))
	return m
}

// mulDivRound is a·b/d rounded half away from zero, for 0 ≤ b ≤ d (a
// rate's share): the product is taken in 128 bits, so that any amount
// (Stripe Tax takes line amounts far above a charge's maximum) is taxed
// exactly instead of overflowing.
func mulDivRound(a, b, d int64) int64 {
	neg := a < 0
	ua := uint64(a)
	if neg {
		ua = uint64(-(a + 1)) + 1 // |a|, math.MinInt64 included
	}
	hi, lo := bits.Mul64(ua, uint64(b))
	q, r := bits.Div64(hi, lo, uint64(d)) // hi < d as b ≤ d
	if r >= uint64(d)-r {
		q++ // the remainder is at least half of d
	}
	if neg {
		return -int64(q)
	}
	return int64(q)
}
