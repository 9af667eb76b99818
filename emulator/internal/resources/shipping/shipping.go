// Package shipping serves Shipping Rates (/v1/shipping_rates): the fixed
// shipping prices Checkout Sessions and Payment Links offer as their
// shipping_options. Stripe sends no events about shipping rates (its event
// types have none), so neither does the emulator.
package shipping

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	stripecurrency "github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/tax"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Kind is the shipping_rate object.
var Kind = &api.Kind{Object: "shipping_rate", Prefix: "shr_", Name: "shipping rate", Expandable: []string{"tax_code"}}

// Enum values of a shipping rate's parameters (Stripe's OpenAPI spec).
var (
	Types         = []string{"fixed_amount"}
	TaxBehaviors  = []string{"exclusive", "inclusive", "unspecified"}
	DeliveryUnits = []string{"business_day", "day", "hour", "month", "week"}
)

// MaxDisplayName is the longest display_name Stripe takes.
const MaxDisplayName = 100

// WithEnums restricts the enum parameters of shipping rate data at prefix
// (a dotted path, "" for the top level) to Stripe's values.
func WithEnums(s *params.Schema, prefix string) *params.Schema {
	at := func(f string) string {
		if prefix == "" {
			return f
		}
		return prefix + "." + f
	}
	return s.Enum(at("type"), Types...).Enum(at("tax_behavior"), TaxBehaviors...).
		Enum(at("delivery_estimate.minimum.unit"), DeliveryUnits...).
		Enum(at("delivery_estimate.maximum.unit"), DeliveryUnits...)
}

// Routes are the endpoints. Stripe has no DELETE for shipping rates:
// active=false archives one.
func Routes() []api.Route {
	return []api.Route{
		api.POST("/v1/shipping_rates", WithEnums(params.FromStruct(stripe.ShippingRateCreateParams{}), ""), create),
		api.GET("/v1/shipping_rates", params.FromStruct(stripe.ShippingRateListParams{}), list),
		api.GET("/v1/shipping_rates/{id}", params.FromStruct(stripe.ShippingRateRetrieveParams{}), retrieve),
		api.POST("/v1/shipping_rates/{id}", params.FromStruct(stripe.ShippingRateUpdateParams{}).Enum("tax_behavior", TaxBehaviors...), update),
	}
}

func create(c *api.Call) (any, error) {
	o, err := Build(c, c.Params, "")
	if err != nil {
		return nil, err
	}
	// No shipping_rate.created: Stripe has no such event.
	return o, c.Put(o)
}

// Build makes a shipping rate (not stored) from create parameters p: those
// of POST /v1/shipping_rates (prefix "") or a Checkout Session's inline
// shipping_options[i][shipping_rate_data] (prefix is that name, for
// errors).
func Build(c *api.Call, p params.Values, prefix string) (store.Obj, error) {
	name := params.Namer(prefix)
	display, ok := p.Str("display_name")
	switch {
	case !ok:
		return nil, apierr.MissingParam(name("display_name"))
	case display == "":
		return nil, apierr.InvalidEmpty(name("display_name"))
	case utf8.RuneCountInString(display) > MaxDisplayName:
		return nil, apierr.TooLong(name("display_name"), display, MaxDisplayName)
	}
	// type has one value, fixed_amount, which is also what a rate is
	// without one; fixed_amount "must be present if type is fixed_amount".
	p.MarkRead("type")
	fa, ok := p.Obj("fixed_amount")
	if !ok {
		return nil, apierr.MissingParam(name("fixed_amount"))
	}
	if fa.Has("currency_options") {
		return nil, currencyOptionsRefused(name("fixed_amount.currency_options"))
	}
	amount, ok := fa.Int("amount")
	if !ok {
		return nil, apierr.MissingParam(name("fixed_amount.amount"))
	}
	if amount < 0 {
		return nil, apierr.InvalidRequest("Invalid non-negative integer: %d", amount).WithParam(name("fixed_amount.amount")).WithCode("parameter_invalid_integer")
	}
	currency, _ := fa.Str("currency")
	if currency == "" {
		return nil, apierr.MissingParam(name("fixed_amount.currency"))
	}
	if !stripecurrency.Supported(strings.ToLower(currency)) {
		return nil, stripecurrency.Invalid(currency, name("fixed_amount.currency"))
	}
	estimate, err := deliveryEstimate(p, name)
	if err != nil {
		return nil, err
	}
	taxBehavior, _ := p.Str("tax_behavior")
	if taxBehavior == "" {
		taxBehavior = "unspecified"
	}
	taxCode, _ := p.Str("tax_code")
	if err := tax.CheckCode(taxCode, name("tax_code")); err != nil {
		return nil, err
	}
	o := c.Object("shipping_rate", c.NewID("shipping_rate"), store.Obj{
		"active": true, "delivery_estimate": estimate, "display_name": display,
		"fixed_amount": store.Obj{"amount": amount, "currency": strings.ToLower(currency)},
		"metadata":     map[string]any{}, "tax_behavior": taxBehavior, "tax_code": api.NilIfEmpty(taxCode), "type": "fixed_amount",
	})
	if prefix == "" {
		if err := c.ApplyMetadata(o); err != nil {
			return nil, err
		}
	} else if md, ok := p.Metadata("metadata"); ok {
		o["metadata"] = md
	}
	return o, nil
}

// deliveryEstimate reads delivery_estimate: each bound, when given, needs
// a unit and a value above 0 (stripe-go: "Must be greater than 0").
func deliveryEstimate(p params.Values, name func(string) string) (any, error) {
	de, ok := p.Obj("delivery_estimate")
	if !ok {
		return nil, nil
	}
	out := store.Obj{"maximum": nil, "minimum": nil}
	for _, bound := range []string{"minimum", "maximum"} {
		b, ok := de.Obj(bound)
		if !ok {
			continue
		}
		unit, _ := b.Str("unit")
		if unit == "" {
			return nil, apierr.MissingParam(name("delivery_estimate." + bound + ".unit"))
		}
		value, ok := b.Int("value")
		if !ok {
			return nil, apierr.MissingParam(name("delivery_estimate." + bound + ".value"))
		}
		if value < 1 {
			return nil, apierr.InvalidRequest("Invalid %s: must be greater than 0", name("delivery_estimate."+bound+".value")).WithParam(name("delivery_estimate." + bound + ".value"))
		}
		out[bound] = store.Obj{"unit": unit, "value": value}
	}
	return out, nil
}

// currencyOptionsRefused is the answer to rates in several currencies,
// which the emulator does not keep (as for prices' currency_options).
func currencyOptionsRefused(param string) error {
	return apierr.InvalidRequest("stripe-emu does not emulate the parameter `%s` of shipping rates (a rate in several currencies), so it refused the request rather than answer as if it had taken effect. Create one shipping rate per currency instead.", param).WithParam(param)
}

func retrieve(c *api.Call) (any, error) { return c.Retrieve("shipping_rate", c.Var("id")) }

// update changes what Stripe lets change: active (archive or restore),
// metadata and tax_behavior (not once inclusive or exclusive). The amount
// and currency never change: Stripe has a new rate made instead.
func update(c *api.Call) (any, error) {
	before, err := c.Load("shipping_rate", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if c.Params.Has("fixed_amount.currency_options") {
		return nil, currencyOptionsRefused("fixed_amount[currency_options]")
	}
	after := api.Clone(before)
	if v, ok := c.Params.Bool("active"); ok {
		after["active"] = v
	}
	if v, ok := c.Params.Str("tax_behavior"); ok && v != "" {
		if before["tax_behavior"] != "unspecified" && before["tax_behavior"] != v {
			return nil, apierr.InvalidRequest("The tax_behavior of a shipping rate cannot be changed once it is set to inclusive or exclusive.").WithParam("tax_behavior")
		}
		after["tax_behavior"] = v
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	// No shipping_rate.updated: Stripe has no such event.
	return after, c.Put(after)
}

func list(c *api.Call) (any, error) {
	q, err := c.ListQuery("shipping_rate")
	if err != nil {
		return nil, err
	}
	if v, ok := c.Params.Bool("active"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Bool(o["active"]) == v })
	}
	if cur, _ := c.Params.Str("currency"); cur != "" {
		cur = strings.ToLower(cur)
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Obj(o["fixed_amount"])["currency"] == cur })
	}
	return c.Page("shipping_rate", "/v1/shipping_rates", q), nil
}

// Option is a shipping option as Checkout Sessions and Payment Links show
// it.
func Option(rate store.Obj) store.Obj {
	return store.Obj{"shipping_amount": Amount(rate), "shipping_rate": rate["id"]}
}

// Amount is what a rate charges.
func Amount(rate store.Obj) int64 { return api.Int(api.Obj(rate["fixed_amount"])["amount"]) }

// Currency is the currency a rate charges in.
func Currency(rate store.Obj) string { return api.Str(api.Obj(rate["fixed_amount"])["currency"]) }

// Usable loads the rate named by id for a new purchase (param names it in
// errors): it must exist and be active, unless kept says the object
// offering it already offered it (a payment link opening a session keeps
// offering a rate archived since).
func Usable(c *api.Call, id, param string, kept bool) (store.Obj, error) {
	rate, ok := c.Tx.Get(c.Account, "shipping_rate", id)
	if !ok {
		return nil, apierr.NoSuchObject("shipping rate", id, param)
	}
	if !api.Bool(rate["active"]) && !kept {
		return nil, apierr.InvalidRequest("The shipping rate specified is inactive. This field only accepts active shipping rates.").WithParam(param)
	}
	return rate, nil
}

// Chosen is the rate a shipping_rate / shipping_rate_data pair names (p
// holds them; rateParam and dataParam are their names): an existing
// usable rate, or a new shr_ object built from the inline data, stored, as
// Stripe's inline rates are real ones. currencyParam names where its
// currency came from, for a refusal. none reports that p named neither,
// for the caller to refuse in its own words; both is refused here.
func Chosen(c *api.Call, p params.Values, rateParam, dataParam string, kept bool) (rate store.Obj, currencyParam string, none bool, err error) {
	id, _ := p.Str("shipping_rate")
	data, inline := p.Obj("shipping_rate_data")
	switch {
	case id != "" && inline:
		return nil, "", false, apierr.Exclusive(rateParam, dataParam)
	case id != "":
		rate, err = Usable(c, id, rateParam, kept)
		return rate, rateParam, false, err
	case inline:
		if rate, err = Build(c, data, dataParam); err == nil {
			err = c.Put(rate)
		}
		return rate, dataParam + "[fixed_amount][currency]", false, err
	}
	return nil, "", true, nil
}

// CheckCurrency refuses a rate whose currency is not the purchase's.
func CheckCurrency(rate store.Obj, currency, param string) error {
	if cur := Currency(rate); currency != "" && cur != currency {
		return apierr.InvalidRequest("Shipping options must be in the currency of the line items (%s); this shipping rate is in %s.", currency, cur).WithParam(param)
	}
	return nil
}

// elem names the i-th element of an array parameter.
func elem(name string, i int) string { return fmt.Sprintf("%s[%d]", name, i) }

// Elem names a field of the i-th element of an array parameter
// ("shipping_options[0][shipping_rate]").
func Elem(name string, i int, field string) string { return elem(name, i) + "[" + field + "]" }
