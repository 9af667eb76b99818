package catalog

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// tier is one pricing tier of a tiered price, as Stripe renders it
// (expand[]=tiers): amounts not given are null, up_to is null for the
// last, unbounded tier.
type tier struct {
	FlatAmount        *int64  `json:"flat_amount"`
	FlatAmountDecimal *string `json:"flat_amount_decimal"`
	UnitAmount        *int64  `json:"unit_amount"`
	UnitAmountDecimal *string `json:"unit_amount_decimal"`
	UpTo              *int64  `json:"up_to"`
}

// Tiers are kept beside the price, not in it: Stripe leaves them out of
// the price object (and of every copy of it on subscription items,
// Checkout line items and events) unless tiers is expanded.
func tiersKey(account, priceID string) string { return "pricetiers:" + account + ":" + priceID }

// readTiers reads and checks a tiered price's tiers[] (base is the full
// name of the tiers parameter, for errors). Each tier's own parameters are
// checked first, then how the tiers fit together: Stripe answered a
// single tier with up_to=24 and both unit_amount and unit_amount_decimal
// with the exclusive-parameters error, not with the missing inf tier.
// Stripe's own wording where known: a tier without up_to is a missing
// parameter, both forms of an amount are exclusive (param the integer
// form, no code), and a tier with no amount at all is "An entry in the
// tiers array is missing an amount." (param amount).
func readTiers(p params.Values, base string) ([]tier, error) {
	entries := p.Array("tiers")
	out := make([]tier, 0, len(entries))
	upTo := make([]any, 0, len(entries))
	for i, tp := range entries {
		field := func(f string) string { return fmt.Sprintf("%s[%d][%s]", base, i, f) }
		var t tier
		up, ok := tp.Get("up_to")
		switch n, isInt := up.(int64); {
		case !ok || up == nil:
			return nil, apierr.MissingParam(field("up_to"))
		case isInt && n < 1:
			return nil, apierr.InvalidRequest("Invalid %s: must be a positive integer or `inf`.", field("up_to")).WithParam(field("up_to"))
		}
		upTo = append(upTo, up)
		var err error
		if t.UnitAmount, t.UnitAmountDecimal, err = tierAmount(tp, "unit_amount", field, false); err != nil {
			return nil, err
		}
		if t.FlatAmount, t.FlatAmountDecimal, err = tierAmount(tp, "flat_amount", field, true); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	var prev int64
	for i := range out {
		field := fmt.Sprintf("%s[%d][up_to]", base, i)
		if out[i].UnitAmountDecimal == nil && out[i].FlatAmountDecimal == nil {
			return nil, apierr.InvalidRequest("An entry in the tiers array is missing an amount.").WithParam("amount")
		}
		n, bounded := upTo[i].(int64)
		last := i == len(out)-1
		switch {
		case !bounded && !last:
			return nil, apierr.InvalidRequest("Invalid %s: only the last tier can have `up_to` set to `inf`.", field).WithParam(field)
		case bounded && last:
			return nil, apierr.InvalidRequest("Invalid %s: the last tier must have `up_to` set to `inf`.", field).WithParam(field)
		case bounded && i > 0 && n <= prev:
			return nil, apierr.InvalidRequest("Invalid %s: each tier's `up_to` must be greater than the previous tier's (%d).", field, prev).WithParam(field)
		case bounded:
			out[i].UpTo, prev = &n, n
		}
	}
	return out, nil
}

// tierAmount reads one amount of a tier, given as an integer (f) or a
// decimal (f_decimal, up to 12 places; a flat amount's must be whole), and
// returns both forms: the integer one is null for a fractional decimal.
func tierAmount(tp params.Values, f string, field func(string) string, whole bool) (*int64, *string, error) {
	n, hasInt := tp.Int(f)
	hasDecimal := tp.Has(f + "_decimal")
	switch {
	case hasInt && hasDecimal:
		return nil, nil, apierr.InvalidRequest("You may only specify one of these parameters: %s, %s_decimal.", f, f).WithParam(field(f))
	case hasInt:
		if n < 0 {
			return nil, nil, apierr.InvalidRequest("Invalid non-negative integer: %d", n).WithParam(field(f)).WithCode("parameter_invalid_integer")
		}
		s := strconv.FormatInt(n, 10)
		return &n, &s, nil
	case hasDecimal:
		d, ok := tp.Float(f + "_decimal")
		if !ok {
			return nil, nil, nil // sent empty: not given
		}
		if err := checkDecimal(d, field(f+"_decimal")); err != nil {
			return nil, nil, err
		}
		s := strconv.FormatFloat(d, 'f', -1, 64)
		if d != math.Trunc(d) {
			if whole {
				return nil, nil, apierr.InvalidRequest("Invalid %s: must be a whole number of the currency's minor unit.", field(f+"_decimal")).WithParam(field(f + "_decimal"))
			}
			return nil, &s, nil
		}
		i := int64(d)
		return &i, &s, nil
	}
	return nil, nil, nil
}

// checkDecimal refuses an amount's decimal form (param names it) that
// Stripe does not take: below 0, or with more than 12 decimal places (the
// API reference's limit).
func checkDecimal(d float64, param string) error {
	if d < 0 {
		return apierr.InvalidRequest("Invalid %s: must be at least 0.", param).WithParam(param)
	}
	if decimalPlaces(d) > 12 {
		return apierr.InvalidRequest("Invalid %s: must have at most 12 decimal places.", param).WithParam(param)
	}
	return nil
}

// CheckDecimal is checkDecimal for other families' decimal amounts.
func CheckDecimal(d float64, param string) error { return checkDecimal(d, param) }

// decimalPlaces is how many decimal places d is written with.
func decimalPlaces(d float64) int {
	_, frac, _ := strings.Cut(strconv.FormatFloat(d, 'f', -1, 64), ".")
	return len(frac)
}

// storeTiers keeps a new price's tiers.
func storeTiers(c *api.Call, priceID string, tiers []tier) error {
	raw, err := json.Marshal(tiers)
	if err != nil {
		return err
	}
	return c.SetMeta(tiersKey(c.Account, priceID), string(raw))
}

func loadTiers(c *api.Call, priceID string) []tier {
	raw, ok := c.Tx.GetMeta(tiersKey(c.Account, priceID))
	if !ok {
		return nil
	}
	var tiers []tier
	_ = json.Unmarshal([]byte(raw), &tiers)
	return tiers
}

// priceTiers is the includable price.tiers: a tiered price's tiers in
// order; a per-unit price has none.
func priceTiers(c *api.Call, price store.Obj) (any, error) {
	return renderTiers(loadTiers(c, api.Str(price["id"]))), nil
}

func renderTiers(tiers []tier) []any {
	out := []any{}
	for _, t := range tiers {
		out = append(out, store.Obj{
			"flat_amount": intOrNil(t.FlatAmount), "flat_amount_decimal": strOrNil(t.FlatAmountDecimal),
			"unit_amount": intOrNil(t.UnitAmount), "unit_amount_decimal": strOrNil(t.UnitAmountDecimal),
			"up_to": intOrNil(t.UpTo),
		})
	}
	return out
}

func intOrNil(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func strOrNil(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// decimal is an amount's decimal form as a number (0 when not given).
func decimal(s *string) *big.Rat {
	r := new(big.Rat)
	if s != nil {
		r.SetString(*s)
	}
	return r
}

// times is d × n, exactly.
func times(d *big.Rat, n int64) *big.Rat {
	return d.Mul(d, new(big.Rat).SetInt64(n))
}

// Times is a decimal amount (a unit_amount_decimal as sent, up to 12
// decimal places) times quantity, rounded half away from zero as Stripe
// rounds a line's decimal amount ("0.05 * 30 = 1.5, which is then rounded
// up to 2 cents"), or false when past what the emulator keeps exactly. It
// multiplies exactly: as float64s, 0.145 × 100 is 14.499999999999998.
func Times(amount float64, quantity int64) (int64, bool) {
	s := strconv.FormatFloat(amount, 'f', -1, 64)
	return fits(times(decimal(&s), quantity))
}

// Amount is what quantity units of price cost in currency, in its minor
// unit, before discounts and taxes: every place that bills a price for a
// quantity (subscription invoices and their prorations, invoice items,
// Checkout line items, Payment Links) asks it. In the price's own currency
// ("" stands for it) the price's amounts apply; in another, those of its
// currency_options for it, read only then, so single-currency billing
// costs nothing more. A currency the price has no option for (callers
// check with CheckCurrency first) falls back to the price's own amounts.
//
// A per_unit price charges unit_amount (or unit_amount_decimal) for each
// unit. A tiered price charges by its tiers (each tier holds the units
// from the previous tier's up_to + 1 to its own up_to):
//   - volume: the tier that holds the quantity prices every unit, plus its
//     flat amount;
//   - graduated: each tier prices the units that fall in it, plus the flat
//     amount of every tier the quantity reaches. The first tier is always
//     reached, so its flat amount is due even for a quantity of 0.
//
// A per_unit price with transform_quantity (a plan's transform_usage)
// bills the quantity divided by divide_by, rounded up or down, first: 10
// units of a price per package of 4 rounded up bill 3 packages.
//
// Fractional unit amounts are summed exactly and rounded once, half away
// from zero.
func Amount(c *api.Call, price store.Obj, currency string, quantity int64) int64 {
	n, ok := amount(c, price, currency, quantity)
	if !ok {
		// An amount past what an int64 holds would wrap around to a
		// nonsense one, and one past 2^53 would be kept rounded: the
		// request is refused instead. Stripe's own limit and words for it
		// are not documented.
		c.Refuse(apierr.InvalidRequest("Invalid quantity: %d units of price %s come to an amount larger than can be billed.", quantity, api.Str(price["id"])))
		return 0
	}
	return n
}

// amount is Amount, or false when it does not fit in an int64.
func amount(c *api.Call, price store.Obj, currency string, quantity int64) (int64, bool) {
	tiered := price["billing_scheme"] == "tiered"
	if tq := api.Obj(price["transform_quantity"]); tq != nil && !tiered {
		quantity = transformQuantity(quantity, api.Int(tq["divide_by"]), api.Str(tq["round"]))
	}
	if currency != "" && currency != price["currency"] {
		if o, ok := option(c, price, currency); ok {
			if tiered {
				return fits(tiersAmount(o.Tiers, api.Str(price["tiers_mode"]), quantity))
			}
			if o.UnitAmount != nil {
				return mul(*o.UnitAmount, quantity)
			}
			return fits(times(decimal(o.UnitAmountDecimal), quantity))
		}
	}
	if !tiered {
		if v := price["unit_amount"]; v != nil {
			return mul(api.Int(v), quantity)
		}
		s := api.Str(price["unit_amount_decimal"])
		return fits(times(decimal(&s), quantity))
	}
	return fits(tiersAmount(loadTiers(c, api.Str(price["id"])), api.Str(price["tiers_mode"]), quantity))
}

// mul is a*b, or false when it is past what the emulator keeps exactly
// (params.MaxInt).
func mul(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	if abs(a) > params.MaxInt/abs(b) {
		return 0, false
	}
	return a * b, true
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// fits rounds r half away from zero, or says it is past what the emulator
// keeps exactly.
func fits(r *big.Rat) (int64, bool) {
	den := r.Denom()
	q, m := new(big.Int).QuoRem(r.Num(), den, new(big.Int)) // toward zero
	if m.Abs(m).Lsh(m, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(int64(r.Sign())))
	}
	if !q.IsInt64() || abs(q.Int64()) > params.MaxInt {
		return 0, false
	}
	return q.Int64(), true
}

// tiersAmount is what quantity units cost by tiers, in mode (volume or
// graduated), before rounding.
func tiersAmount(tiers []tier, mode string, quantity int64) *big.Rat {
	total := new(big.Rat)
	if mode == "volume" {
		for _, t := range tiers {
			if t.UpTo == nil || quantity <= *t.UpTo {
				total.Add(times(decimal(t.UnitAmountDecimal), quantity), decimal(t.FlatAmountDecimal))
				break
			}
		}
		return total
	}
	var below int64 // the units the tiers before this one hold
	for i, t := range tiers {
		if i > 0 && quantity <= below {
			break
		}
		upper := quantity
		if t.UpTo != nil && *t.UpTo < quantity {
			upper = *t.UpTo
		}
		total.Add(total, times(decimal(t.UnitAmountDecimal), max(upper-below, 0)))
		total.Add(total, decimal(t.FlatAmountDecimal))
		if t.UpTo == nil {
			break
		}
		below = *t.UpTo
	}
	return total
}

// transformQuantity divides quantity by divideBy, rounding up or down.
func transformQuantity(quantity, divideBy int64, round string) int64 {
	if divideBy < 1 {
		return quantity
	}
	q := quantity / divideBy
	if round == "up" && quantity%divideBy != 0 {
		q++
	}
	return q
}
