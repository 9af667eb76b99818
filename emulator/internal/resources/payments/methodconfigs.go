package payments

import (
	"slices"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// MethodConfigurationKind is the payment_method_configuration object: which
// payment method types intents and Checkout Sessions without explicit
// payment_method_types offer. Stripe sends no events about configurations.
var MethodConfigurationKind = &api.Kind{Object: "payment_method_configuration", Prefix: "pmc_", Name: "payment method configuration"}

// configuredMethod is a payment method type a configuration can turn on or
// off, as the emulator knows it: what Stripe turns on by default, whether it
// can be saved for later (SetupIntents, subscriptions) and whether a
// PaymentIntent can hold its funds for a later capture. Currencies and
// redirects come from methodCurrencies and redirectMethods.
type configuredMethod struct {
	typ           string
	onByDefault   bool
	setup         bool
	manualCapture bool
}

// configuredMethods are the types a configuration shows, card first and
// then by name, the order payment_method_types lists them in. Stripe turns
// cards on for every account, and the local methods its test accounts show
// with automatic payment methods (iDEAL, Bancontact, EPS, Klarna). The
// debits are on too: which methods an account has on is its own Dashboard
// choice, and an app that confirms with the emulator's SEPA and ACH test
// methods has turned them on at Stripe, so a test should not have to turn
// them on here first. The rest (PayPal needs a linked PayPal account; the
// others are turned on by request; bank transfers, customer_balance, are
// off until the account turns them on) stay off until a configuration
// turns them on.
var configuredMethods = []configuredMethod{
	{typ: "card", onByDefault: true, setup: true, manualCapture: true},
	{typ: "affirm", manualCapture: true},
	{typ: "afterpay_clearpay", manualCapture: true},
	{typ: "bancontact", onByDefault: true, setup: true},
	{typ: "customer_balance"},
	{typ: "eps", onByDefault: true},
	{typ: "ideal", onByDefault: true, setup: true},
	{typ: "klarna", onByDefault: true, manualCapture: true},
	{typ: "p24"},
	{typ: "paypal", manualCapture: true},
	{typ: "sepa_debit", onByDefault: true, setup: true},
	{typ: "us_bank_account", onByDefault: true, setup: true},
}

var displayPreferences = []string{"none", "off", "on"}

func methodConfigurationRoutes() []api.Route {
	withEnums := func(s *params.Schema) *params.Schema {
		for _, m := range configuredMethods {
			s = s.Enum(m.typ+".display_preference.preference", displayPreferences...)
		}
		return s
	}
	return []api.Route{
		api.POST("/v1/payment_method_configurations", withEnums(params.FromStruct(stripe.PaymentMethodConfigurationCreateParams{})), createMethodConfiguration),
		api.GET("/v1/payment_method_configurations", params.FromStruct(stripe.PaymentMethodConfigurationListParams{}), listMethodConfigurations),
		api.GET("/v1/payment_method_configurations/{id}", params.FromStruct(stripe.PaymentMethodConfigurationRetrieveParams{}), retrieveMethodConfiguration),
		api.POST("/v1/payment_method_configurations/{id}", withEnums(params.FromStruct(stripe.PaymentMethodConfigurationUpdateParams{})), updateMethodConfiguration),
	}
}

// defaultConfigurationID is the id of an account's default configuration.
// Every account has one from the start, which is not stored until it is
// changed (a GET cannot write), so its id is derived from the account's:
// the same on every request, and older than anything made in the account,
// so it lists last.
func defaultConfigurationID(account string) string {
	body := strings.TrimPrefix(account, "acct_")
	id := body
	for len(id) < 24 {
		id += body
	}
	return "pmc_" + id[:24]
}

// newConfiguration is a configuration whose every type has no preference
// of its own, so each shows Stripe's default.
func newConfiguration(id, name string, isDefault bool) store.Obj {
	o := store.Obj{"id": id, "object": "payment_method_configuration", "active": true, "application": nil,
		"is_default": isDefault, "livemode": false, "name": name, "parent": nil}
	for _, m := range configuredMethods {
		o[m.typ] = methodSetting(m, "none")
	}
	return o
}

// methodSetting is how a configuration shows a type with the account's
// preference: on or off, or none to follow Stripe's default. A type that
// is on is available: test mode has every capability the emulator knows.
func methodSetting(m configuredMethod, preference string) store.Obj {
	on := preference == "on" || (preference == "none" && m.onByDefault)
	value := "off"
	if on {
		value = "on"
	}
	return store.Obj{"available": on, "display_preference": store.Obj{"overridable": nil, "preference": preference, "value": value}}
}

// loadConfiguration returns the account's configuration id (param names
// it in errors), its default one included whether stored or not.
func loadConfiguration(c *api.Call, id, param string) (store.Obj, error) {
	if o, ok := c.Tx.Get(c.Account, "payment_method_configuration", id); ok {
		return o, nil
	}
	if id == defaultConfigurationID(c.Account) {
		o := newConfiguration(id, "Default", true)
		// The default configuration shows the account's choices: Stripe's
		// defaults, as preferences of its own.
		for _, m := range configuredMethods {
			o[m.typ] = methodSetting(m, map[bool]string{true: "on", false: "off"}[m.onByDefault])
		}
		return o, nil
	}
	return nil, apierr.NoSuchObject("payment method configuration", id, param)
}

func createMethodConfiguration(c *api.Call) (any, error) {
	if c.Params.Has("parent") {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate the parameter `parent` of payment method configurations: child configurations follow a parent configuration managed in a platform's Dashboard, which the emulator does not have. Create a configuration in the connected account (Stripe-Account header) instead.").WithParam("parent")
	}
	name, _ := c.Params.Str("name")
	o := newConfiguration(c.NewID("payment_method_configuration"), name, false)
	if err := applyDisplayPreferences(c, o); err != nil {
		return nil, err
	}
	return o, c.Put(o)
}

// applyDisplayPreferences sets each <type>[display_preference][preference]
// sent.
func applyDisplayPreferences(c *api.Call, o store.Obj) error {
	for _, m := range configuredMethods {
		pref, ok := c.Params.Str(m.typ + ".display_preference.preference")
		if !ok {
			c.Params.MarkRead(m.typ) // <type>[display_preference]={} changes nothing
			continue
		}
		if pref == "" {
			return apierr.InvalidEmpty(m.typ + "[display_preference][preference]")
		}
		o[m.typ] = methodSetting(m, pref)
	}
	return nil
}

func retrieveMethodConfiguration(c *api.Call) (any, error) {
	return loadConfiguration(c, c.Var("id"), "id")
}

// updateMethodConfiguration changes the name, whether the configuration
// is active and display preferences. The default configuration is stored
// from its first change on.
func updateMethodConfiguration(c *api.Call) (any, error) {
	before, err := loadConfiguration(c, c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if name, ok := c.Params.Str("name"); ok {
		after["name"] = name
	}
	if active, ok := c.Params.Bool("active"); ok {
		if !active && api.Bool(before["is_default"]) {
			return nil, apierr.InvalidRequest("The default payment method configuration cannot be deactivated.").WithParam("active")
		}
		after["active"] = active
	}
	if err := applyDisplayPreferences(c, after); err != nil {
		return nil, err
	}
	return after, c.Put(after)
}

// listMethodConfigurations lists the account's configurations, newest
// first, its default one (oldest of all) last, stored or not.
func listMethodConfigurations(c *api.Call) (any, error) {
	const url = "/v1/payment_method_configurations"
	dflt := defaultConfigurationID(c.Account)
	virtual := !c.Tx.Exists(c.Account, "payment_method_configuration", dflt)
	after, _ := c.Params.Str("starting_after")
	before, _ := c.Params.Str("ending_before")
	app, _ := c.Params.Str("application")
	if virtual && (after == dflt || before == dflt) {
		// Nothing is older than the default configuration; everything
		// stored is newer.
		if after != "" && before != "" {
			return nil, apierr.Exclusive("starting_after", "ending_before")
		}
		q := store.Query{Limit: 10, EndingBefore: dflt, Filter: applicationFilter(app)}
		if n, ok := c.Params.Int("limit"); ok {
			if n < 1 || n > 100 {
				return nil, apierr.InvalidRequest("Invalid limit: must be between 1 and 100").WithParam("limit")
			}
			q.Limit = int(n)
		}
		if after == dflt {
			return &api.List{URL: url, Data: []store.Obj{}}, nil
		}
		return c.Page("payment_method_configuration", url, q), nil
	}
	q, err := c.ListQuery("payment_method_configuration")
	if err != nil {
		return nil, err
	}
	q.Filter = api.And(q.Filter, applicationFilter(app))
	page := c.Page("payment_method_configuration", url, q)
	if !virtual || before != "" || page.HasMore || app != "" {
		// The default configuration, null application, is never newer
		// than a cursor nor in another application's list.
		return page, nil
	}
	if len(page.Data) == q.Limit {
		page.HasMore = true
		return page, nil
	}
	o, _ := loadConfiguration(c, dflt, "")
	page.Data = append(page.Data, o)
	return page, nil
}

// applicationFilter keeps the configurations of a Connect application
// (none when app is "").
func applicationFilter(app string) func(store.Obj) bool {
	if app == "" {
		return nil
	}
	return func(o store.Obj) bool { return api.Str(o["application"]) == app }
}

// offerable tells whether a configuration's type can pay an intent: in
// its currency (any when ""), for later use when setup is asked, held for
// a manual capture, without a redirect when redirects are refused, and
// not among the types the intent excludes.
type offerable struct {
	currency                      string
	setup, manual, redirectsNever bool
	excluded                      []any
	// noCustomer: paying from a customer's cash balance needs a
	// customer (and Checkout's bank transfer page is not emulated).
	noCustomer bool
}

func (f offerable) allows(m configuredMethod) bool {
	switch {
	case slices.Contains(f.excluded, any(m.typ)):
		return false
	case f.currency != "" && !currencyAllowed(m.typ, f.currency):
		return false
	case f.setup && !m.setup, f.manual && !m.manualCapture:
		return false
	case f.redirectsNever && isRedirect(m.typ):
		return false
	case f.noCustomer && m.typ == "customer_balance":
		return false
	}
	return true
}

// ConfiguredTypes reads the payment method configuration named by id (the
// account's default when ""; param names it in errors) and returns the
// types it turns on that fit f, with the configuration details to show.
func configuredTypes(c *api.Call, id, param string, f offerable) ([]any, store.Obj, error) {
	if id == "" {
		id = defaultConfigurationID(c.Account)
	}
	// Every intent asks this, so an account's default configuration that
	// was never changed (not stored, cfg nil) is read from the table of
	// defaults rather than built as the object loadConfiguration shows.
	cfg, stored := c.Tx.Get(c.Account, "payment_method_configuration", id)
	switch {
	case !stored && id != defaultConfigurationID(c.Account):
		return nil, nil, apierr.NoSuchObject("payment method configuration", id, param)
	case stored && !api.Bool(cfg["active"]):
		return nil, nil, apierr.InvalidRequest("The payment method configuration %s is inactive. Only active configurations can be used.", id).WithParam(param)
	}
	types := make([]any, 0, len(configuredMethods))
	for _, m := range configuredMethods {
		on := m.onByDefault
		if stored {
			on = api.Obj(api.Obj(cfg[m.typ])["display_preference"])["value"] == "on"
		}
		if on && f.allows(m) {
			types = append(types, m.typ)
		}
	}
	return types, store.Obj{"id": id, "parent": cfg["parent"]}, nil
}

// noTypesLeft is Stripe's refusal of an intent or session (object: "Payment
// Intent", "Checkout Session") none of whose configured types fits.
func noTypesLeft(object string) error {
	return apierr.InvalidRequest("No valid payment method types for this %s. Please ensure that you have activated payment methods compatible with your chosen currency in your dashboard (https://dashboard.stripe.com/settings/payment_methods).", object)
}

// applyIntentConfiguration gives an intent with automatic payment methods
// the types its payment method configuration turns on (the one sent, the
// one it already follows, else the account's default) that fit its
// currency, capture and redirects, and shows the configuration in
// payment_method_configuration_details. creating says the intent is new;
// an existing intent follows a configuration only if it did already or
// the request turns automatic payment methods on. obj names the intent in
// Stripe's refusals ("Payment Intent"); setup says it is a SetupIntent.
func applyIntentConfiguration(c *api.Call, intent store.Obj, creating bool, obj string, setup bool) error {
	id, sent := c.Params.Str("payment_method_configuration")
	apm := api.Obj(intent["automatic_payment_methods"])
	if sent && id != "" && c.Params.Has("payment_method_types") {
		return apierr.Exclusive("payment_method_configuration", "payment_method_types")
	}
	if !api.Bool(apm["enabled"]) {
		if sent && id != "" {
			return apierr.InvalidRequest("You can only pass `payment_method_configuration` when `automatic_payment_methods[enabled]` is true; payment_method_types lists the types without one.").WithParam("payment_method_configuration")
		}
		intent["payment_method_configuration_details"] = nil
		return nil
	}
	details := api.Obj(intent["payment_method_configuration_details"])
	if !creating && !sent && details == nil && !c.Params.Has("automatic_payment_methods") {
		// An intent Stripe made for an invoice or a hosted page keeps its
		// types.
		return nil
	}
	if id == "" && details != nil {
		id = api.Str(details["id"])
	}
	f := offerable{currency: api.Str(intent["currency"]), setup: setup || intent["setup_future_usage"] != nil,
		manual: intent["capture_method"] == "manual", redirectsNever: apm["allow_redirects"] == "never",
		noCustomer: intent["customer"] == nil || setup}
	f.excluded, _ = intent["excluded_payment_method_types"].([]any)
	types, shown, err := configuredTypes(c, id, "payment_method_configuration", f)
	if err != nil {
		return err
	}
	if len(types) == 0 {
		return noTypesLeft(obj)
	}
	intent["payment_method_types"], intent["payment_method_configuration_details"] = types, shown
	return nil
}

// SessionOffer is what narrows the types a Checkout Session offers from
// its configuration: Saves for a subscription or setup session (types that
// can be saved), Manual for a payment captured later (types that can hold
// funds), NoRedirects for an embedded session that never redirects (no
// redirect-based type).
type SessionOffer struct{ Saves, Manual, NoRedirects bool }

// SessionTypes are the payment method types a Checkout Session without
// payment_method_types offers, from the payment method configuration named
// by id (the default when ""), and the details to show: in the session's
// currency (any when ""), narrowed as o says.
func SessionTypes(c *api.Call, id, currency string, o SessionOffer) ([]any, store.Obj, error) {
	f := offerable{currency: currency, setup: o.Saves, manual: o.Manual, redirectsNever: o.NoRedirects, noCustomer: true}
	types, shown, err := configuredTypes(c, id, "payment_method_configuration", f)
	if err != nil {
		return nil, nil, err
	}
	if len(types) == 0 {
		return nil, nil, noTypesLeft("Checkout Session")
	}
	return types, shown, nil
}

// followsConfiguration tells whether an intent's types came from a payment
// method configuration, which confirming then holds it to.
func followsConfiguration(intent store.Obj) bool {
	return intent["payment_method_configuration_details"] != nil
}

// listsType tells whether an intent's payment_method_types has typ.
func listsType(intent store.Obj, typ string) bool {
	types, _ := intent["payment_method_types"].([]any)
	return slices.Contains(types, any(typ))
}
