// Package taxrates serves Tax Rates (/v1/tax_rates) and works out the
// taxes they put on an amount, for billing and Checkout to apply: per
// line, on the amount after discounts, each rate's tax rounded half away
// from zero to the currency's smallest unit.
package taxrates

import (
	"math"
	"regexp"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Kind is the tax_rate object.
var Kind = &api.Kind{Object: "tax_rate", Prefix: "txr_", Name: "tax rate"}

// taxTypes are the values tax_type takes.
var taxTypes = []string{
	"amusement_tax", "communications_tax", "gst", "hst", "igst", "jct", "lease_tax", "pst", "qst",
	"retail_delivery_fee", "rst", "sales_tax", "service_tax", "vat",
}

// Routes are the endpoints.
func Routes() []api.Route {
	return []api.Route{
		api.POST("/v1/tax_rates", params.FromStruct(stripe.TaxRateCreateParams{}).
			Require("display_name", "inclusive", "percentage").Enum("tax_type", taxTypes...), create),
		api.GET("/v1/tax_rates", params.FromStruct(stripe.TaxRateListParams{}), list),
		api.GET("/v1/tax_rates/{id}", params.FromStruct(stripe.TaxRateRetrieveParams{}), retrieve),
		api.POST("/v1/tax_rates/{id}", params.FromStruct(stripe.TaxRateUpdateParams{}).Enum("tax_type", taxTypes...), update),
	}
}

var countryCode = regexp.MustCompile(`^[A-Za-z]{2}$`)

func create(c *api.Call) (any, error) {
	pct, _ := c.Params.Float("percentage")
	if _, err := micros(pct); err != nil {
		return nil, err
	}
	inclusive, _ := c.Params.Bool("inclusive")
	// effective_percentage and rate_type are only set on the rates Stripe
	// Tax makes (tax.engine), as Stripe's examples of a rate made by hand show.
	o := c.Object("tax_rate", c.NewID("tax_rate"), store.Obj{
		"active": true, "country": nil, "description": nil, "display_name": nil, "effective_percentage": nil,
		"flat_amount": nil, "inclusive": inclusive, "jurisdiction": nil, "jurisdiction_level": nil,
		"metadata": map[string]any{}, "percentage": pct, "rate_type": nil, "state": nil, "tax_type": nil,
	})
	if err := apply(c, o); err != nil {
		return nil, err
	}
	return o, c.Insert(o)
}

// apply sets what create and update share.
func apply(c *api.Call, o store.Obj) error {
	if err := c.CheckLengths(api.MaxLength{Path: "display_name", Limit: 50}, api.MaxLength{Path: "jurisdiction", Limit: 50}); err != nil {
		return err
	}
	if c.Params.Has("display_name") {
		name, _ := c.Params.Str("display_name")
		if name == "" {
			return apierr.InvalidEmpty("display_name")
		}
		o["display_name"] = name
	}
	if c.Params.Has("country") {
		cc, _ := c.Params.Str("country")
		switch {
		case cc == "":
			o["country"] = nil
		case !countryCode.MatchString(cc):
			return apierr.InvalidRequest("Invalid country: must be a two-letter country code (ISO 3166-1 alpha-2)").WithParam("country")
		default:
			o["country"] = strings.ToUpper(cc)
		}
	}
	if v, ok := c.Params.Bool("active"); ok {
		o["active"] = v
	}
	c.Copy(o, "description", "jurisdiction", "state", "tax_type")
	return c.ApplyMetadata(o)
}

func retrieve(c *api.Call) (any, error) { return c.Retrieve("tax_rate", c.Var("id")) }

func update(c *api.Call) (any, error) {
	before, err := c.Load("tax_rate", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if err := apply(c, after); err != nil {
		return nil, err
	}
	return after, c.Save(before, after)
}

func list(c *api.Call) (any, error) {
	q, err := c.ListQuery("tax_rate")
	if err != nil {
		return nil, err
	}
	for _, f := range []string{"active", "inclusive"} {
		if v, ok := c.Params.Bool(f); ok {
			f := f
			q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Bool(o[f]) == v })
		}
	}
	return c.Page("tax_rate", "/v1/tax_rates", q), nil
}

// micros is a percentage in millionths of the whole (19.5% = 195000):
// Stripe takes at most four decimal places, so the arithmetic on it is
// exact in integers.
func micros(pct float64) (int64, error) {
	if pct < 0 || pct > 100 || math.IsNaN(pct) {
		return 0, apierr.InvalidRequest("Invalid percentage: must be between 0 and 100").WithParam("percentage")
	}
	m := math.Round(pct * 10000)
	if math.Abs(pct*10000-m) > 1e-6 {
		return 0, apierr.InvalidRequest("Invalid percentage: %v has more than 4 decimal places", pct).WithParam("percentage")
	}
	return int64(m), nil
}
