package tax

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// RegistrationKind is the tax.registration object. Its status (active,
// expired, scheduled) follows the emulator clock: it is worked out from
// active_from and expires_at whenever a registration is shown.
var RegistrationKind = &api.Kind{Object: "tax.registration", Prefix: "taxreg_", Name: "tax registration"}

// RegistrationStatuses are the values status takes.
var RegistrationStatuses = []string{"active", "expired", "scheduled"}

// timeOrNow is a timestamp parameter that also takes "now".
func timeOrNow() *params.Schema {
	return &params.Schema{Kind: params.KindInteger, Allowed: []string{"now"}}
}

// RegistrationRoutes are the tax registration endpoints. Stripe has no
// DELETE: expires_at ends a registration.
func RegistrationRoutes() []api.Route {
	create := params.FromStruct(stripe.TaxRegistrationCreateParams{}).
		With("active_from", timeOrNow()).Require("active_from", "country", "country_options")
	for cc, types := range registrationTypes {
		create = create.Enum("country_options."+cc+".type", types...)
	}
	create = create.Enum("country_options.ca.province_standard.province", keys(canadaProvinces)...)
	for cc := range standardOptions {
		schemes := []string{"inbound_goods", "standard"}
		if euMembers[strings.ToUpper(cc)] {
			schemes = append(schemes, "small_seller")
		}
		create = create.Enum("country_options."+cc+".standard.place_of_supply_scheme", schemes...)
	}
	return []api.Route{
		api.POST("/v1/tax/registrations", create, createRegistration),
		api.GET("/v1/tax/registrations", params.FromStruct(stripe.TaxRegistrationListParams{}).Enum("status", append([]string{"all"}, RegistrationStatuses...)...), listRegistrations),
		api.GET("/v1/tax/registrations/{id}", params.FromStruct(stripe.TaxRegistrationRetrieveParams{}), retrieveRegistration),
		api.POST("/v1/tax/registrations/{id}", params.FromStruct(stripe.TaxRegistrationUpdateParams{}).
			With("active_from", timeOrNow()).With("expires_at", timeOrNow()), updateRegistration),
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// timeParam reads a timestamp parameter that may be "now" (the
// request's time).
func timeParam(c *api.Call, name string) (int64, bool) {
	v, ok := c.Params.Get(name)
	if !ok {
		return 0, false
	}
	if fmt.Sprint(v) == "now" {
		return c.Now, true
	}
	n, _ := c.Params.Int(name)
	return n, true
}

func createRegistration(c *api.Call) (any, error) {
	country, _ := c.Params.Str("country")
	if !countryCode.MatchString(country) {
		return nil, apierr.InvalidRequest("Invalid country: must be a two-letter country code (ISO 3166-1 alpha-2)").WithParam("country")
	}
	country = strings.ToUpper(country)
	opt, err := countryOptions(c, country)
	if err != nil {
		return nil, err
	}
	options := store.Obj{strings.ToLower(country): opt}
	activeFrom, _ := timeParam(c, "active_from")
	if activeFrom < c.Now {
		return nil, apierr.InvalidRequest("active_from must be `now` or a time in the future.").WithParam("active_from")
	}
	var expiresAt any
	if at, ok := c.Params.Int("expires_at"); ok {
		if at <= activeFrom {
			return nil, apierr.InvalidRequest("expires_at must be after active_from.").WithParam("expires_at")
		}
		expiresAt = at
	}
	if err := checkOverlap(c, "", country, options, activeFrom, expiresAt); err != nil {
		return nil, err
	}
	o := c.Object("tax.registration", c.NewID("tax.registration"), store.Obj{
		"active_from": activeFrom, "country": country, "country_options": options, "expires_at": expiresAt,
	})
	o["status"] = registrationStatus(o, c.Now)
	// Stripe sends no events about tax registrations.
	return o, c.Put(o)
}

// countryOptions validates country_options against the country, as Stripe
// does: exactly the country's own key, a type it takes, and what that
// type needs. It answers the options as Stripe shows them.
func countryOptions(c *api.Call, country string) (store.Obj, error) {
	cc := strings.ToLower(country)
	all, _ := c.Params.Obj("country_options")
	for _, k := range all.Keys() {
		if k != cc {
			return nil, apierr.InvalidRequest("country_options[%s] cannot be provided when country is %s: give country_options[%s] instead.", k, country, cc).WithParam("country_options[" + k + "]")
		}
	}
	name := func(f string) string { return "country_options[" + cc + "][" + f + "]" }
	if _, ok := registrationTypes[cc]; !ok {
		return nil, apierr.InvalidRequest("Stripe Tax does not support registrations in %s.", country).WithParam("country")
	}
	opt, ok := all.Obj(cc)
	if !ok {
		return nil, apierr.MissingParam("country_options[" + cc + "]")
	}
	typ, _ := opt.Str("type")
	if typ == "" {
		return nil, apierr.MissingParam(name("type"))
	}
	// The schema's enum has refused any type the country does not take.
	out := store.Obj{"type": typ}
	switch cc {
	case "us":
		state, _ := opt.Str("state")
		if state == "" {
			return nil, apierr.MissingParam(name("state"))
		}
		state = strings.ToUpper(state)
		if _, ok := usStates[state]; !ok {
			return nil, apierr.InvalidRequest("Invalid %s: %s is not a US state code.", name("state"), state).WithParam(name("state"))
		}
		if typ != "state_sales_tax" {
			return nil, notEmulated(name("type"), "a US registration of type "+typ+" (only state_sales_tax is emulated)")
		}
		if opt.Has("state_sales_tax") {
			return nil, notEmulated(name("state_sales_tax"), "state sales tax elections (local use taxes)")
		}
		out["state"] = state
		return out, nil
	case "ca":
		if typ == "province_standard" {
			province, _ := opt.Str("province_standard.province")
			if province == "" {
				return nil, apierr.MissingParam(name("province_standard") + "[province]")
			}
			if _, ok := canadaProvincial[province]; !ok {
				return nil, apierr.InvalidRequest("Invalid %s[province]: a provincial registration is for a province with its own sales tax (%s).", name("province_standard"), strings.Join(keys(canadaProvincial), ", ")).WithParam(name("province_standard") + "[province]")
			}
			out["province_standard"] = store.Obj{"province": province}
		} else if opt.Has("province_standard") {
			return nil, apierr.InvalidRequest("%s can only be provided when %s is province_standard.", name("province_standard"), name("type")).WithParam(name("province_standard"))
		}
		return out, nil
	}
	if _, ok := countryLevies[country]; !ok {
		return nil, notEmulated("country", "registrations in "+country+" (the emulator has no tax rates for it)")
	}
	s, given := opt.Obj("standard")
	switch {
	case given && typ != "standard":
		return nil, apierr.InvalidRequest("%s can only be provided when %s is standard.", name("standard"), name("type")).WithParam(name("standard"))
	case typ != "standard":
	case !standardOptions[cc]:
		if given {
			return nil, notEmulated(name("standard"), "the place of supply scheme of a registration in "+country)
		}
	default:
		// A standard registration shows its place of supply scheme,
		// standard unless another is given.
		scheme, _ := s.Str("place_of_supply_scheme")
		if scheme == "" {
			scheme = "standard"
		}
		out["standard"] = store.Obj{"place_of_supply_scheme": scheme}
	}
	return out, nil
}

// standardOptions are the countries whose standard registrations show
// country_options[<country>][standard] (stripe-go v82.5.1's objects).
var standardOptions = map[string]bool{
	"ae": true, "at": true, "au": true, "be": true, "bg": true, "ch": true, "cy": true, "cz": true, "de": true,
	"dk": true, "ee": true, "es": true, "fi": true, "fr": true, "gb": true, "gr": true, "hr": true, "hu": true,
	"ie": true, "it": true, "jp": true, "lt": true, "lu": true, "lv": true, "mt": true, "nl": true, "no": true,
	"nz": true, "pl": true, "pt": true, "ro": true, "se": true, "sg": true, "si": true, "sk": true,
}

// notEmulated refuses what the emulator does not act on.
func notEmulated(param, what string) error {
	return apierr.InvalidRequest("stripe-emu does not emulate %s, so it refused the request rather than answer as if it had taken effect.", what).WithParam(param)
}

// jurisdictionOf is what a registration covers, as a comparable key:
// country, type and state/province.
func jurisdictionOf(country string, options store.Obj) string {
	opt := api.Obj(options[strings.ToLower(country)])
	key := country + "|" + api.Str(opt["type"])
	if s := api.Str(opt["state"]); s != "" {
		key += "|" + s
	}
	if p := api.Str(api.Obj(opt["province_standard"])["province"]); p != "" {
		key += "|" + p
	}
	return key
}

// checkOverlap refuses a registration for a jurisdiction another one
// (not id) already covers for part of the same time.
func checkOverlap(c *api.Call, id, country string, options store.Obj, from int64, until any) error {
	key := jurisdictionOf(country, options)
	var clash bool
	c.Tx.Each(c.Account, "tax.registration", func(o store.Obj) bool {
		if o["id"] == id || jurisdictionOf(api.Str(o["country"]), api.Obj(o["country_options"])) != key {
			return true
		}
		if overlaps(from, until, api.Int(o["active_from"]), o["expires_at"]) {
			clash = true
			return false
		}
		return true
	})
	if clash {
		return apierr.InvalidRequest("A registration for this jurisdiction already exists for an overlapping period. Expire it before adding another.")
	}
	return nil
}

func overlaps(from1 int64, until1 any, from2 int64, until2 any) bool {
	end := func(v any) int64 {
		if v == nil {
			return 1<<62 - 1
		}
		return api.Int(v)
	}
	return from1 < end(until2) && from2 < end(until1)
}

// registrationStatus is what a registration is at time at.
func registrationStatus(o store.Obj, at int64) string {
	switch {
	case api.Int(o["active_from"]) > at:
		return "scheduled"
	case o["expires_at"] != nil && api.Int(o["expires_at"]) <= at:
		return "expired"
	}
	return "active"
}

// inForce says whether a registration covers time at.
func inForce(o store.Obj, at int64) bool { return registrationStatus(o, at) == "active" }

// shown is a registration as it is at the emulator's now.
func shown(c *api.Call, o store.Obj) store.Obj {
	if s := registrationStatus(o, c.Now); s != o["status"] {
		o = api.Clone(o)
		o["status"] = s
	}
	return o
}

func retrieveRegistration(c *api.Call) (any, error) {
	o, err := c.Load("tax.registration", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	return shown(c, o), nil
}

func listRegistrations(c *api.Call) (any, error) {
	q, err := c.ListQuery("tax.registration")
	if err != nil {
		return nil, err
	}
	if s, _ := c.Params.Str("status"); s != "" && s != "all" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return registrationStatus(o, c.Now) == s })
	}
	page := c.Page("tax.registration", "/v1/tax/registrations", q)
	for i, o := range page.Data {
		page.Data[i] = shown(c, o)
	}
	return page, nil
}

// updateRegistration moves active_from (of a registration not yet
// active) and expires_at ("now" expires it at once).
func updateRegistration(c *api.Call) (any, error) {
	before, err := c.Load("tax.registration", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	status := registrationStatus(before, c.Now)
	if status == "expired" {
		return nil, apierr.InvalidRequest("This registration has expired and can no longer be updated.")
	}
	if from, ok := timeParam(c, "active_from"); ok {
		if status != "scheduled" && from != api.Int(before["active_from"]) {
			return nil, apierr.InvalidRequest("active_from cannot be changed once the registration is active.").WithParam("active_from")
		}
		if from < c.Now {
			return nil, apierr.InvalidRequest("active_from must be `now` or a time in the future.").WithParam("active_from")
		}
		after["active_from"] = from
	}
	if c.Params.Has("expires_at") {
		if c.Params.Unset("expires_at") {
			after["expires_at"] = nil
		} else {
			at, _ := timeParam(c, "expires_at")
			if at < c.Now {
				return nil, apierr.InvalidRequest("expires_at must be `now` or a time in the future.").WithParam("expires_at")
			}
			after["expires_at"] = at
		}
	}
	// Whichever moved, a registration must end after it starts; only one
	// active from now may end now (expires_at=now on a fresh one).
	if until := after["expires_at"]; until != nil {
		at, from := api.Int(until), api.Int(after["active_from"])
		if at < from || (at == from && status == "scheduled") {
			if c.Params.Has("expires_at") {
				return nil, apierr.InvalidRequest("expires_at must be after active_from.").WithParam("expires_at")
			}
			return nil, apierr.InvalidRequest("active_from must be before the registration's expires_at (%d).", at).WithParam("active_from")
		}
	}
	if err := checkOverlap(c, api.Str(before["id"]), api.Str(after["country"]), api.Obj(after["country_options"]), api.Int(after["active_from"]), after["expires_at"]); err != nil {
		return nil, err
	}
	after["status"] = registrationStatus(after, c.Now)
	return after, c.Put(after)
}
