package tax

import (
	"regexp"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/country"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Behaviors are the values defaults[tax_behavior] takes.
var Behaviors = []string{"exclusive", "inclusive", "inferred_by_currency"}

// SettingsRoutes are the tax settings endpoints: one settings object per
// account (a connected account has its own).
func SettingsRoutes() []api.Route {
	return []api.Route{
		api.GET("/v1/tax/settings", params.FromStruct(stripe.TaxSettingsRetrieveParams{}), retrieveSettings),
		api.POST("/v1/tax/settings", params.FromStruct(stripe.TaxSettingsUpdateParams{}).Enum("defaults.tax_behavior", Behaviors...), updateSettings),
	}
}

// settingsKey is where an account's settings are kept: they have no id,
// so they live in the store's metadata rather than among its objects.
func settingsKey(account string) string { return "taxsettings:" + account }

// Settings are the account's tax settings as Stripe shows them: pending
// with no head office until one is set.
func Settings(c *api.Call) store.Obj {
	if raw, ok := c.Tx.GetMeta(settingsKey(c.Account)); ok {
		if v, err := jsonenc.UnmarshalString(raw); err == nil {
			if o, ok := v.(map[string]any); ok {
				return o
			}
		}
	}
	o := store.Obj{
		"object": "tax.settings", "livemode": false,
		"defaults":    store.Obj{"tax_behavior": nil, "tax_code": nil},
		"head_office": nil,
	}
	setStatus(o)
	return o
}

// setStatus derives status and status_details from what is set.
func setStatus(o store.Obj) {
	if o["head_office"] == nil {
		o["status"] = "pending"
		o["status_details"] = store.Obj{"pending": store.Obj{"missing_fields": []any{"head_office"}}}
		return
	}
	o["status"] = "active"
	o["status_details"] = store.Obj{"active": store.Obj{}}
}

func retrieveSettings(c *api.Call) (any, error) { return Settings(c), nil }

var countryCode = regexp.MustCompile(`^[A-Za-z]{2}$`)

func updateSettings(c *api.Call) (any, error) {
	before := Settings(c)
	after := api.Clone(before)
	// Stripe: "All parameters are editable but none can be removed once
	// set." An empty defaults or head_office removes nothing when nothing
	// is set.
	if c.Params.Unset("defaults") {
		d := api.Obj(before["defaults"])
		if d["tax_behavior"] != nil || d["tax_code"] != nil {
			return nil, cannotRemove("defaults")
		}
	}
	if c.Params.Unset("head_office") && before["head_office"] != nil {
		return nil, cannotRemove("head_office")
	}
	if d, ok := c.Params.Obj("defaults"); ok {
		defaults := api.Clone(api.Obj(after["defaults"]))
		if d.Has("tax_behavior") {
			v, _ := d.Str("tax_behavior")
			if v == "" {
				if defaults["tax_behavior"] != nil {
					return nil, apierr.InvalidRequest("The default tax behavior cannot be changed back to null once it is set.").WithParam("defaults[tax_behavior]")
				}
			} else {
				defaults["tax_behavior"] = v
			}
		}
		if d.Has("tax_code") {
			v, _ := d.Str("tax_code")
			if err := CheckCode(v, "defaults[tax_code]"); err != nil {
				return nil, err
			}
			if v == "" && defaults["tax_code"] != nil {
				return nil, cannotRemove("defaults[tax_code]")
			}
			defaults["tax_code"] = api.NilIfEmpty(v)
		}
		after["defaults"] = defaults
	}
	if h, ok := c.Params.Obj("head_office"); ok {
		a, ok := h.Obj("address")
		if !ok {
			return nil, apierr.MissingParam("head_office[address]")
		}
		addr, err := readAddress(a, "head_office[address]")
		if err != nil {
			return nil, err
		}
		after["head_office"] = store.Obj{"address": addr}
	}
	setStatus(after)
	prev := api.PreviousAttributes(before, after)
	if len(prev) == 0 {
		return after, nil
	}
	b, err := jsonenc.Marshal(after)
	if err != nil {
		return nil, err
	}
	if err := c.SetMeta(settingsKey(c.Account), string(b)); err != nil {
		return nil, err
	}
	c.Emit("tax.settings.updated", after, prev)
	return after, nil
}

// cannotRemove refuses emptying a setting that is set: Stripe lets every
// setting change but none be removed.
func cannotRemove(param string) error {
	return apierr.InvalidRequest("%s cannot be removed once it is set: tax settings can be changed, but not removed.", param).WithParam(param)
}

// readAddress reads an address parameter (country required, two letters)
// into Stripe's address shape.
func readAddress(a params.Values, name string) (store.Obj, error) {
	code, _ := a.Str("country")
	if code == "" {
		return nil, apierr.MissingParam(name + "[country]")
	}
	if !countryCode.MatchString(code) || !country.Known(strings.ToUpper(code)) {
		return nil, apierr.InvalidRequest("Country '%s' is unknown. Try using a 2-character alphanumeric country code instead, such as 'US', 'EG', or 'GB'. A full list of country codes is available at https://stripe.com/docs/api#country_codes", code).WithParam(name + "[country]")
	}
	out := store.Obj{"country": strings.ToUpper(code)}
	for _, f := range []string{"city", "line1", "line2", "postal_code", "state"} {
		v, _ := a.Str(f)
		out[f] = api.NilIfEmpty(v)
	}
	return out, nil
}

// ready is nil when the settings are active.
func ready(c *api.Call) error {
	if Settings(c)["status"] == "active" {
		return nil
	}
	return inactiveError()
}

// inactiveError is Stripe's answer to automatic tax on an account whose
// tax settings are not active.
func inactiveError() error {
	return apierr.InvalidRequest("Stripe Tax has not been activated on your account. Please visit https://stripe.com/docs/tax/set-up to get started.").WithCode("stripe_tax_inactive")
}

// headOfficeCountry is the country of the account's head office ("" when
// none is set).
func headOfficeCountry(settings store.Obj) string {
	return api.Str(api.Obj(api.Obj(settings["head_office"])["address"])["country"])
}

// resolveBehavior answers Behavior.
func resolveBehavior(c *api.Call, behavior any, param string) (bool, error) {
	return resolveBehaviorIn(c, behavior, "", "", param)
}

// BehaviorIn is Behavior for a price in currency: a default of
// inferred_by_currency makes prices in usd and cad exclusive and every
// other currency inclusive, as Stripe infers it.
func BehaviorIn(c *api.Call, behavior any, currency, param string) (inclusive bool, err error) {
	return resolveBehaviorIn(c, behavior, currency, "", param)
}

// PriceBehavior is Behavior for a stored price or shipping rate: its own
// tax_behavior, else the settings' default (inferred from its currency
// when the default says so). The error names it as Stripe's does.
func PriceBehavior(c *api.Call, o store.Obj, param string) (inclusive bool, err error) {
	currency := api.Str(o["currency"])
	noun := "price"
	if o["object"] == "shipping_rate" {
		currency, noun = api.Str(api.Obj(o["fixed_amount"])["currency"]), "shipping rate"
	}
	return resolveBehaviorIn(c, o["tax_behavior"], currency, noun+" `"+api.Str(o["id"])+"`", param)
}

func resolveBehaviorIn(c *api.Call, behavior any, currency, what, param string) (bool, error) {
	switch api.Str(behavior) {
	case "inclusive":
		return true, nil
	case "exclusive":
		return false, nil
	}
	switch api.Str(api.Obj(Settings(c)["defaults"])["tax_behavior"]) {
	case "inclusive":
		return true, nil
	case "exclusive":
		return false, nil
	case "inferred_by_currency":
		cur := strings.ToLower(currency)
		return cur != "" && cur != "usd" && cur != "cad", nil
	}
	subject := "The price"
	if what != "" {
		subject = "The " + what
	}
	// Stripe's words, as integrators have logged them from live requests.
	return false, apierr.InvalidRequest("%s does not have a tax behavior set, which is required for automatic tax computation.", subject).WithParam(param)
}
