package catalog

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// supportedCurrency and invalidCurrency are the currency package's
// (whose name this package's parameters often shadow).
func supportedCurrency(code string) bool { return currency.Supported(code) }

func invalidCurrency(code, param string) error { return currency.Invalid(code, param) }

// currencyOption is what a price charges in a currency other than its
// own, as Stripe shows it in currency_options (tiers only when
// expanded). Options are kept beside the price, as its tiers are: Stripe
// leaves currency_options out of the price (and of every copy of it on
// subscription items, Checkout line items and events) unless expanded,
// and a single-currency price never reads them.
type currencyOption struct {
	CustomUnitAmount  *customUnitAmount `json:"custom_unit_amount"`
	TaxBehavior       string            `json:"tax_behavior"`
	Tiers             []tier            `json:"tiers,omitempty"`
	UnitAmount        *int64            `json:"unit_amount"`
	UnitAmountDecimal *string           `json:"unit_amount_decimal"`
}

type customUnitAmount struct {
	Maximum *int64 `json:"maximum"`
	Minimum *int64 `json:"minimum"`
	Preset  *int64 `json:"preset"`
}

// readCustomAmount reads a custom_unit_amount (at names its fields in
// errors): enabled must be true, and the amounts given must keep
// minimum ≤ preset ≤ maximum.
func readCustomAmount(cua params.Values, at func(string) string, cur string) (*customUnitAmount, error) {
	if enabled, _ := cua.Bool("enabled"); !enabled {
		return nil, apierr.InvalidRequest("%s must be true to create a price with a customer-chosen amount.", at("enabled")).WithParam(at("enabled"))
	}
	cu := &customUnitAmount{}
	for f, dst := range map[string]**int64{"maximum": &cu.Maximum, "minimum": &cu.Minimum, "preset": &cu.Preset} {
		if v, ok := cua.Int(f); ok {
			if v < 0 {
				return nil, apierr.InvalidRequest("Invalid non-negative integer: %d", v).WithParam(at(f)).WithCode("parameter_invalid_integer")
			}
			*dst = &v
		}
	}
	// Stripe's reference: the minimum "Must be at least the minimum charge
	// amount" (the wording is the emulator's).
	if least := currency.Minimum(cur); cu.Minimum != nil && *cu.Minimum < least {
		return nil, apierr.InvalidRequest("%s must be at least the minimum charge amount, %s %s.", at("minimum"), currency.Format(least, cur), cur).WithParam(at("minimum"))
	}
	below := func(a, b *int64) bool { return a != nil && b != nil && *a < *b }
	switch {
	case below(cu.Maximum, cu.Minimum):
		return nil, apierr.InvalidRequest("%s must be less than or equal to %s.", at("minimum"), at("maximum")).WithParam(at("minimum"))
	case below(cu.Preset, cu.Minimum), below(cu.Maximum, cu.Preset):
		return nil, apierr.InvalidRequest("%s must be between %s and %s.", at("preset"), at("minimum"), at("maximum")).WithParam(at("preset"))
	}
	return cu, nil
}

func (cu *customUnitAmount) render() any {
	if cu == nil {
		return nil
	}
	return store.Obj{"maximum": intOrNil(cu.Maximum), "minimum": intOrNil(cu.Minimum), "preset": intOrNil(cu.Preset)}
}

func optionsKey(account, priceID string) string { return "pricecurrencies:" + account + ":" + priceID }

func loadOptions(c *api.Call, priceID string) map[string]currencyOption {
	raw, ok := c.Tx.GetMeta(optionsKey(c.Account, priceID))
	if !ok {
		return nil
	}
	var out map[string]currencyOption
	_ = json.Unmarshal([]byte(raw), &out)
	return out
}

func storeOptions(c *api.Call, priceID string, opts map[string]currencyOption) error {
	if len(opts) == 0 {
		c.DeleteMeta(optionsKey(c.Account, priceID))
		return nil
	}
	raw, err := json.Marshal(opts)
	if err != nil {
		return err
	}
	return c.SetMeta(optionsKey(c.Account, priceID), string(raw))
}

// option is what price charges in currency: false when it has no
// option for it. Not for the price's own currency.
func option(c *api.Call, price store.Obj, currency string) (currencyOption, bool) {
	o, ok := loadOptions(c, api.Str(price["id"]))[currency]
	return o, ok
}

// Supports reports whether price can be billed in currency: its own, or
// one of its currency_options.
func Supports(c *api.Call, price store.Obj, currency string) bool {
	if currency == "" || currency == price["currency"] {
		return true
	}
	_, ok := option(c, price, currency)
	return ok
}

// TaxBehavior is price's tax_behavior in currency: a currency option's
// own where it is billed in one, as Stripe Tax reads it.
func TaxBehavior(c *api.Call, price store.Obj, currency string) any {
	if currency != "" && currency != price["currency"] {
		if o, ok := option(c, price, currency); ok && o.TaxBehavior != "" {
			return o.TaxBehavior
		}
	}
	return price["tax_behavior"]
}

// BillingCurrency is the currency prices billed together (a
// subscription's items, a Checkout Session's line items) are in:
// requested when sent; else the customer's (customer, "" for none) when
// every price supports it, as Stripe bills a customer in its currency;
// else the first price's own. Callers still CheckCurrency each price.
func BillingCurrency(c *api.Call, requested, customer string, prices []store.Obj) string {
	if requested != "" || len(prices) == 0 {
		return strings.ToLower(requested)
	}
	own := api.Str(prices[0]["currency"])
	if customer == "" || customer == own {
		return own
	}
	for _, p := range prices {
		if !Supports(c, p, customer) {
			return own
		}
	}
	return customer
}

// CheckCurrency refuses, as Stripe does, a price used in a currency it
// has no option for (param names where the price was given). Every place
// that bills a price asks it first, so it refuses a customer-chosen
// price there too (CheckChosenAmount).
func CheckCurrency(c *api.Call, price store.Obj, currency, param string) error {
	if err := CheckChosenAmount(price, param); err != nil {
		return err
	}
	if Supports(c, price, currency) {
		return nil
	}
	all := []string{api.Str(price["currency"])}
	for cur := range loadOptions(c, api.Str(price["id"])) {
		all = append(all, cur)
	}
	slices.Sort(all)
	return apierr.InvalidRequest("The price specified supports currencies of `%s` which doesn't include the expected currency of `%s`.", strings.Join(all, ", "), currency).WithParam(param)
}

// CheckChosenAmount refuses, as not emulated, billing a price whose amount
// its customer chooses (custom_unit_amount, which Stripe's Checkout and
// Payment Links ask the customer for): the emulator takes no such amount,
// and billing the price as 0 would be a wrong answer.
func CheckChosenAmount(price store.Obj, param string) error {
	if price["custom_unit_amount"] == nil {
		return nil
	}
	return apierr.InvalidRequest("stripe-emu does not emulate billing a price with `custom_unit_amount` (an amount the customer chooses), so it refused the request rather than bill it as 0. Use a price with a `unit_amount`.").WithParam(param)
}

// UnitAmount is what one unit of a per-unit price costs in currency, in
// its minor unit (false for a tiered price, a fractional amount or a
// customer-chosen one).
func UnitAmount(c *api.Call, price store.Obj, currency string) (int64, bool) {
	if price["billing_scheme"] == "tiered" {
		return 0, false
	}
	if currency == "" || currency == price["currency"] {
		v := price["unit_amount"]
		return api.Int(v), v != nil
	}
	o, ok := option(c, price, currency)
	if !ok || o.UnitAmount == nil {
		return 0, false
	}
	return *o.UnitAmount, true
}

// UnitAmountDecimal is a price's unit_amount_decimal in currency, as an
// invoice line's pricing shows it (null for a tiered price).
func UnitAmountDecimal(c *api.Call, price store.Obj, currency string) any {
	if currency == "" || currency == price["currency"] {
		return price["unit_amount_decimal"]
	}
	o, ok := option(c, price, currency)
	if !ok || price["billing_scheme"] == "tiered" {
		return nil
	}
	return strOrNil(o.UnitAmountDecimal)
}

// Stripe's words for currency_options naming the price's own currency,
// as a price is created and as it is updated (observed).
const (
	ownOptionCreated = "You are specifying a currency option that matches the top-level currency for this price. Please remove this currency option and it will be added automatically on creation."
	ownOptionUpdated = "You are specifying an update to a currency option that matches the top-level currency for this price. Please remove this currency option and update the top-level params instead."
)

// checkOwnOption refuses currency_options (name turns a dotted path into
// its full name) with an option in the price's own currency, with
// message: Stripe looks at that before the price's amounts.
func checkOwnOption(p params.Values, name func(string) string, currency, message string) error {
	raw, _ := p.Sent("currency_options")
	sent, _ := raw.(map[string]any)
	for key := range sent {
		if strings.ToLower(key) == currency {
			return apierr.InvalidRequest("%s", message).WithParam(name("currency_options." + key))
		}
	}
	return nil
}

// readOptions reads currency_options (create-style) for price, which
// has its own fields set: each key a supported currency other than the
// price's (checkOwnOption has made sure), each option priced the way the price is (tiers for a tiered
// price, a customer-chosen amount for a customer-chosen price, a unit
// amount otherwise). prev are the options the price has (an update),
// whose tax behavior an option keeps unless sent. name turns a dotted
// path into the parameter's full name.
func readOptions(p params.Values, name func(string) string, price store.Obj, prev map[string]currencyOption) (map[string]currencyOption, error) {
	raw, _ := p.Sent("currency_options")
	sent, _ := raw.(map[string]any)
	keys := make([]string, 0, len(sent))
	for k := range sent {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := map[string]currencyOption{}
	for _, key := range keys {
		cur := strings.ToLower(key)
		at := func(f string) string { return name("currency_options." + key + "." + f) }
		if !supportedCurrency(cur) {
			return nil, invalidCurrency(key, name("currency_options."+key))
		}
		if _, dup := out[cur]; dup {
			return nil, apierr.InvalidRequest("The currency %s is given twice in `currency_options`.", cur).WithParam(name("currency_options." + key))
		}
		op, _ := p.Obj("currency_options." + key)
		o, err := readOption(op, at, price, cur)
		if err != nil {
			return nil, err
		}
		// A new option takes the price's tax behavior unless sent; a
		// replaced one keeps its own, which, as the price's, cannot
		// change once inclusive or exclusive.
		old, replaced := prev[cur]
		o.TaxBehavior = api.Str(price["tax_behavior"])
		if replaced {
			o.TaxBehavior = old.TaxBehavior
		}
		if v, _ := op.Str("tax_behavior"); v != "" {
			switch {
			case v != "exclusive" && v != "inclusive" && v != "unspecified":
				return nil, apierr.InvalidRequest("Invalid %s: must be one of exclusive, inclusive, or unspecified", at("tax_behavior")).WithParam(at("tax_behavior"))
			case replaced && old.TaxBehavior != "unspecified" && old.TaxBehavior != v:
				return nil, apierr.InvalidRequest("The tax_behavior of a price cannot be changed once it is set to inclusive or exclusive.").WithParam(at("tax_behavior"))
			}
			o.TaxBehavior = v
		}
		out[cur] = o
	}
	return out, nil
}

// readOption reads one option's amounts, held to the price's billing
// scheme with the messages the price's own amounts get.
func readOption(op params.Values, at func(string) string, price store.Obj, cur string) (currencyOption, error) {
	var o currencyOption
	scheme := func(f string) error {
		return apierr.InvalidRequest("You may not specify `%s` when `billing_scheme` is `%s`.", at(f), price["billing_scheme"]).WithParam(at(f))
	}
	if price["billing_scheme"] == "tiered" {
		for _, f := range []string{"unit_amount", "unit_amount_decimal", "custom_unit_amount"} {
			if _, sent := op.Sent(f); sent {
				return o, scheme(f)
			}
		}
		if v, sent := op.Sent("tiers"); !sent || v == params.Unset {
			return o, apierr.MissingParam(at("tiers"))
		}
		tiers, err := readTiers(op, at("tiers"))
		if err != nil {
			return o, err
		}
		o.Tiers = tiers
		return o, nil
	}
	if _, sent := op.Sent("tiers"); sent {
		return o, apierr.InvalidRequest("You may only specify `%s` when `billing_scheme` is `tiered`.", at("tiers")).WithParam(at("tiers"))
	}
	if price["custom_unit_amount"] != nil {
		// A price the customer names the amount of is named in each
		// currency the same way.
		for _, f := range []string{"unit_amount", "unit_amount_decimal"} {
			if _, sent := op.Sent(f); sent {
				return o, apierr.InvalidRequest("You may not specify `%s` on a price with `custom_unit_amount`: each currency takes a `custom_unit_amount` of its own.", at(f)).WithParam(at(f))
			}
		}
		cua, ok := op.Obj("custom_unit_amount")
		if !ok {
			return o, apierr.MissingParam(at("custom_unit_amount"))
		}
		cu, err := readCustomAmount(cua, func(f string) string { return at("custom_unit_amount." + f) }, cur)
		o.CustomUnitAmount = cu
		return o, err
	}
	if _, sent := op.Sent("custom_unit_amount"); sent {
		return o, apierr.InvalidRequest("You may only specify `%s` on a price with `custom_unit_amount`.", at("custom_unit_amount")).WithParam(at("custom_unit_amount"))
	}
	amount, hasAmount := op.Int("unit_amount")
	switch {
	case hasAmount && op.Has("unit_amount_decimal"):
		return o, apierr.Exclusive(at("unit_amount"), at("unit_amount_decimal"))
	case hasAmount:
		if amount < 0 {
			return o, apierr.InvalidRequest("Invalid non-negative integer: %d", amount).WithParam(at("unit_amount")).WithCode("parameter_invalid_integer")
		}
		s := strconv.FormatInt(amount, 10)
		o.UnitAmount, o.UnitAmountDecimal = &amount, &s
	case op.Has("unit_amount_decimal"):
		d, ok := op.Float("unit_amount_decimal")
		if !ok {
			return o, apierr.MissingParam(at("unit_amount"))
		}
		if err := checkDecimal(d, at("unit_amount_decimal")); err != nil {
			return o, err
		}
		s := strconv.FormatFloat(d, 'f', -1, 64)
		o.UnitAmountDecimal = &s
		if d == math.Trunc(d) {
			n := int64(d)
			o.UnitAmount = &n
		}
	default:
		return o, apierr.MissingParam(at("unit_amount"))
	}
	return o, nil
}

// priceCurrencyOptions is the includable price.currency_options: every
// currency the price can be billed in, its own included (its own amounts,
// tax behavior and custom amount).
func priceCurrencyOptions(c *api.Call, price store.Obj) (any, error) {
	out := store.Obj{api.Str(price["currency"]): store.Obj{
		"custom_unit_amount": price["custom_unit_amount"], "tax_behavior": price["tax_behavior"],
		"unit_amount": price["unit_amount"], "unit_amount_decimal": price["unit_amount_decimal"],
	}}
	for cur, o := range loadOptions(c, api.Str(price["id"])) {
		out[cur] = store.Obj{
			"custom_unit_amount": o.CustomUnitAmount.render(), "tax_behavior": o.TaxBehavior,
			"unit_amount": intOrNil(o.UnitAmount), "unit_amount_decimal": strOrNil(o.UnitAmountDecimal),
		}
	}
	return out, nil
}

// optionTiers is currency_options.<currency>.tiers, left out unless
// expanded as the price's own tiers are.
func optionTiers(c *api.Call, price store.Obj, currency string) (any, error) {
	if currency == price["currency"] {
		return priceTiers(c, price)
	}
	o, _ := option(c, price, currency)
	return renderTiers(o.Tiers), nil
}

// updateOptions applies currency_options on a price update: the options
// sent are added or replace the ones of the same currency; sent empty,
// every option is removed, which is refused while a subscription is
// billed in one of them (its renewals would have no amount).
func updateOptions(c *api.Call, price store.Obj) (bool, error) {
	if !c.Params.Has("currency_options") {
		return false, nil
	}
	id := api.Str(price["id"])
	prev := loadOptions(c, id)
	if c.Params.Unset("currency_options") {
		if len(prev) == 0 {
			return false, nil
		}
		subs := c.Tx.List(c.Account, "subscription", store.Query{Index: "price", Value: id, Filter: func(o store.Obj) bool {
			_, billed := prev[api.Str(o["currency"])]
			return billed && o["status"] != "canceled" && o["status"] != "incomplete_expired"
		}, Limit: 1})
		if len(subs.Data) > 0 {
			sub := subs.Data[0]
			return false, apierr.InvalidRequest("The currency options of this price cannot be removed: the subscription `%s` is billed in %s with it.", sub["id"], sub["currency"]).WithParam("currency_options")
		}
		return true, storeOptions(c, id, nil)
	}
	if err := checkOwnOption(c.Params, params.Namer(""), api.Str(price["currency"]), ownOptionUpdated); err != nil {
		return false, err
	}
	sent, err := readOptions(c.Params, params.Namer(""), price, prev)
	if err != nil {
		return false, err
	}
	next := make(map[string]currencyOption, len(prev)+len(sent))
	for cur, o := range prev {
		next[cur] = o
	}
	for cur, o := range sent {
		next[cur] = o
	}
	return true, storeOptions(c, id, next)
}
