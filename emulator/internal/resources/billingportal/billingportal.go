// Package billingportal serves the customer portal's API: portal
// configurations and the sessions an app redirects its customer to
// ("Manage billing"). A session is stored so the emulator's portal page
// (its url, served by package emulator) can find it; what a customer does
// there goes through the API, which emits the same events.
package billingportal

import (
	"reflect"
	"slices"
	"strconv"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coupons"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// The objects this family owns.
var (
	ConfigurationKind = &api.Kind{
		Object: "billing_portal.configuration", Prefix: "bpc_", Name: "configuration",
		Expandable: []string{"application"},
		Indexes:    []store.Index{{Name: "is_default", Path: "is_default"}},
	}
	SessionKind = &api.Kind{Object: "billing_portal.session", Prefix: "bps_", Name: "session", Expandable: []string{"configuration"}}
)

func init() {
	// Stripe leaves a configuration's products out unless expanded
	// (expand[]=features.subscription_update.products).
	ConfigurationKind.Includable = map[string]func(c *api.Call, o store.Obj) (any, error){
		productsPath: func(c *api.Call, o store.Obj) (any, error) { return storedProducts(c, api.Str(o["id"])), nil },
	}
}

// Kinds lists the family's objects.
func Kinds() []*api.Kind { return []*api.Kind{ConfigurationKind, SessionKind} }

// Routes is the family's endpoint table.
func Routes() []api.Route {
	cfg := "/v1/billing_portal/configurations"
	return []api.Route{
		api.POST(cfg, featureEnums(params.FromStruct(stripe.BillingPortalConfigurationCreateParams{})).Require("features"), createConfiguration),
		api.GET(cfg, params.FromStruct(stripe.BillingPortalConfigurationListParams{}), listConfigurations),
		api.GET(cfg+"/{id}", params.FromStruct(stripe.BillingPortalConfigurationRetrieveParams{}), retrieveConfiguration),
		api.POST(cfg+"/{id}", featureEnums(params.FromStruct(stripe.BillingPortalConfigurationUpdateParams{})), updateConfiguration),
		api.POST("/v1/billing_portal/sessions", params.FromStruct(stripe.BillingPortalSessionCreateParams{}).Require("customer").
			Enum("locale", locales...), createSession),
	}
}

// SessionPath is where the emulator serves a session's portal page
// (followed by the session's id), as Stripe's are under /p/session/.
const SessionPath = "/p/session/"

// LoginPath is where the emulator serves a configuration's login page
// (followed by its token).
const LoginPath = "/p/login/"

// pageURL is the address of the emulator's portal page at path+name when
// the emulator knows where it is served; else one of Stripe's shape
// ending in secret, which leads nowhere.
func pageURL(c *api.Call, path, name, secret string) string {
	if c.BaseURL == nil || c.BaseURL() == "" {
		return "https://billing.stripe.com" + path + secret
	}
	return c.PageURL(path + name)
}

// MarkLoginSession records that the session id (of account, "" the
// platform) was opened from a configuration's login page: Stripe's portal
// does not let a customer who came in by that link change their email.
func MarkLoginSession(tx *store.Tx, account, id string) error {
	return tx.SetMeta(loginSessionKey(account, id), "1")
}

// LoginSession reports whether MarkLoginSession marked the session.
func LoginSession(tx *store.Tx, account, id string) bool {
	_, ok := tx.GetMeta(loginSessionKey(account, id))
	return ok
}

func loginSessionKey(account, id string) string { return "bpslogin:" + account + ":" + id }

// SessionLifetime is how long a session's page stays open after it is
// made. Stripe says only that sessions are short-lived and expire if not
// visited; the emulator keeps each for an hour of its clock.
const SessionLifetime = 3600

// locales are the languages Stripe shows the portal in.
var locales = []string{"auto", "bg", "cs", "da", "de", "el", "en", "en-AU", "en-CA", "en-GB", "en-IE", "en-IN", "en-NZ", "en-SG",
	"es", "es-419", "et", "fi", "fil", "fr", "fr-CA", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl",
	"pl", "pt", "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK", "zh-TW"}

// featureEnums restricts the configuration's feature settings to Stripe's
// values, lists of them included.
func featureEnums(s *params.Schema) *params.Schema {
	list := func(values ...string) *params.Schema {
		return params.ArrayOf(&params.Schema{Kind: params.KindString, Allowed: values})
	}
	prorations := []string{"always_invoice", "create_prorations", "none"}
	return s.With("features.customer_update.allowed_updates", list("address", "email", "name", "phone", "shipping", "tax_id")).
		Enum("features.subscription_cancel.mode", "at_period_end", "immediately").
		// Stripe: "Passing `always_invoice` will result in an error."
		Enum("features.subscription_cancel.proration_behavior", "create_prorations", "none").
		With("features.subscription_cancel.cancellation_reason.options", list("customer_service", "low_quality", "missing_features",
			"other", "switched_service", "too_complex", "too_expensive", "unused")).
		With("features.subscription_update.default_allowed_updates", list("price", "promotion_code", "quantity")).
		Enum("features.subscription_update.proration_behavior", prorations...).
		Enum("features.subscription_update.schedule_at_period_end.conditions.type", "decreasing_item_amount", "shortening_interval")
}

// newConfiguration is a configuration with Stripe's defaults: invoice
// history on, everything a customer could change off, five cancellation
// reasons ready to be collected.
func newConfiguration(c *api.Call, isDefault bool) store.Obj {
	return c.Object("billing_portal.configuration", c.NewID("billing_portal.configuration"), store.Obj{
		"active": true, "application": nil,
		"business_profile":   store.Obj{"headline": nil, "privacy_policy_url": nil, "terms_of_service_url": nil},
		"default_return_url": nil,
		"features": store.Obj{
			"customer_update":       store.Obj{"allowed_updates": []any{}, "enabled": false},
			"invoice_history":       store.Obj{"enabled": true},
			"payment_method_update": store.Obj{"enabled": false},
			"subscription_cancel": store.Obj{
				// Stripe's reference shows these five offered (once
				// enabled) by a configuration created without a choice.
				"cancellation_reason": store.Obj{"enabled": false, "options": []any{"too_expensive", "missing_features", "switched_service", "unused", "other"}},
				"enabled":             false, "mode": "at_period_end", "proration_behavior": "none",
			},
			"subscription_update": store.Obj{
				"default_allowed_updates": []any{}, "enabled": false, "proration_behavior": "none",
				"schedule_at_period_end": store.Obj{"conditions": []any{}},
			},
		},
		"is_default": isDefault, "login_page": store.Obj{"enabled": false, "url": nil},
		"metadata": map[string]any{}, "name": nil, "updated": c.Now,
	})
}

// defaultConfiguration is the account's default configuration. At Stripe
// it is saved once in the Dashboard; the emulator makes it on first use.
func defaultConfiguration(c *api.Call) (store.Obj, error) {
	p := c.Tx.List(c.Account, "billing_portal.configuration", store.Query{Index: "is_default", Value: "true", Limit: 1})
	if len(p.Data) > 0 {
		return p.Data[0], nil
	}
	cfg := newConfiguration(c, true)
	// The Dashboard's portal settings start with payment method updates
	// and cancellations (at period end) on, so its deep links to them work.
	features := api.Obj(cfg["features"])
	api.Obj(features["payment_method_update"])["enabled"] = true
	api.Obj(features["subscription_cancel"])["enabled"] = true
	return cfg, c.Insert(cfg)
}

// apply merges the request's configuration fields into cfg, nested
// objects field by field (a feature sent alone keeps the others). isNew
// holds a create to the fields Stripe requires there.
func apply(c *api.Call, cfg store.Obj, isNew bool) error {
	if err := c.CheckLengths(api.MaxLength{Path: "business_profile.headline", Limit: 60}); err != nil {
		return err
	}
	if err := checkEmptied(c, isNew); err != nil {
		return err
	}
	// Where the portal sends the customer back to: held to Stripe's URL
	// check, as its other return URLs are.
	if err := c.CheckURLSchemes("default_return_url"); err != nil {
		return err
	}
	products, productsSent, err := readProducts(c)
	if err != nil {
		return err
	}
	if err := requireFeatureFields(c, isNew); err != nil {
		return err
	}
	for _, f := range []string{"business_profile", "features", "login_page"} {
		if v, ok := c.Params.Obj(f); ok {
			raw := v.Raw()
			if f == "features" {
				raw = withoutProducts(raw)
			}
			cfg[f] = merge(api.Obj(cfg[f]), raw)
		}
	}
	// Stripe: create_prorations "is only compatible with mode=immediately"
	// (a cancellation at the period's end leaves nothing to prorate).
	if cancel := api.Obj(api.Obj(cfg["features"])["subscription_cancel"]); cancel["proration_behavior"] == "create_prorations" && cancel["mode"] != "immediately" {
		return apierr.InvalidRequest("`features[subscription_cancel][proration_behavior]=create_prorations` is only compatible with `features[subscription_cancel][mode]=immediately`.").WithParam("features[subscription_cancel][proration_behavior]")
	}
	c.Copy(cfg, "default_return_url", "name")
	if c.Params.Has("active") {
		active, _ := c.Params.Bool("active")
		if !active && api.Bool(cfg["is_default"]) {
			return apierr.InvalidRequest("You cannot deactivate the default configuration.").WithParam("active")
		}
		cfg["active"] = active
	}
	// Stripe: disabling the login page deactivates its URL; enabling it
	// again makes a new one.
	if lp := api.Obj(cfg["login_page"]); !api.Bool(lp["enabled"]) {
		lp["url"] = nil
	} else if lp["url"] == nil {
		token := "test_" + c.IDs.Secret(20)
		lp["url"] = pageURL(c, LoginPath, token, token)
	}
	if !productsSent {
		products = storedProducts(c, api.Str(cfg["id"]))
	}
	// Switching plans needs the products a customer may switch between
	// (Stripe: "Missing required param: features[subscription_update][products].").
	if api.Bool(api.Obj(api.Obj(cfg["features"])["subscription_update"])["enabled"]) && len(products) == 0 {
		return apierr.MissingParam("features[subscription_update][products]")
	}
	if productsSent {
		if err := saveProducts(c, api.Str(cfg["id"]), products); err != nil {
			return err
		}
	}
	return c.ApplyMetadata(cfg)
}

// emptiable are the settings Stripe's spec lets a create (true) or an
// update (false) send as "" to empty them (null, or an empty list).
var emptiable = map[bool]map[string]bool{
	true: {"business_profile.headline": true, "features.customer_update.allowed_updates": true,
		"features.subscription_cancel.cancellation_reason.options": true, "features.subscription_update.default_allowed_updates": true,
		"features.subscription_update.products": true},
	false: {"business_profile.headline": true, "business_profile.privacy_policy_url": true, "business_profile.terms_of_service_url": true,
		"features.customer_update.allowed_updates": true, "features.subscription_cancel.cancellation_reason.options": true,
		"features.subscription_update.default_allowed_updates": true, "features.subscription_update.products": true,
		"features.subscription_update.schedule_at_period_end.conditions": true},
}

// checkEmptied refuses "" for any other of the configuration's objects
// and settings, as Stripe does ("… cannot be unset"), rather than store a
// null where Stripe always shows a value.
func checkEmptied(c *api.Call, isNew bool) error {
	tree := map[string]any{}
	for _, f := range []string{"business_profile", "features", "login_page"} {
		if v, sent := c.Params.Unmarked()[f]; sent {
			tree[f] = v
		}
	}
	return api.RefuseEmptied(tree, emptiable[isNew])
}

// requireFeatureFields refuses a feature sent without the fields Stripe's
// spec requires with it: on create each feature's enabled, a cancellation
// reason's enabled and options, and an enabled plan switcher's
// default_allowed_updates; on update the cancellation reason's enabled (an
// update may change a feature's other fields alone).
func requireFeatureFields(c *api.Call, isNew bool) error {
	reasonFields := []string{"enabled"}
	if isNew {
		for _, f := range []string{"customer_update", "invoice_history", "payment_method_update", "subscription_cancel", "subscription_update"} {
			if _, ok := c.Params.Obj("features." + f); ok && !c.Params.Has("features."+f+".enabled") {
				return apierr.MissingParam("features[" + f + "][enabled]")
			}
		}
		reasonFields = append(reasonFields, "options")
		// Stripe's 2024-09-30.acacia made default_allowed_updates (like
		// products) optional only while plan switching is off: "You won't
		// encounter a missing parameter error when you set
		// subscription_update.enabled to false."
		if on, _ := c.Params.Bool("features.subscription_update.enabled"); on && !c.Params.Has("features.subscription_update.default_allowed_updates") {
			return apierr.MissingParam("features[subscription_update][default_allowed_updates]")
		}
	}
	if _, ok := c.Params.Obj("features.subscription_cancel.cancellation_reason"); ok {
		for _, f := range reasonFields {
			if !c.Params.Has("features.subscription_cancel.cancellation_reason." + f) {
				return apierr.MissingParam("features[subscription_cancel][cancellation_reason][" + f + "]")
			}
		}
	}
	return nil
}

func merge(into store.Obj, from map[string]any) store.Obj {
	out := api.Clone(into)
	for k, v := range from {
		if sub, ok := v.(map[string]any); ok {
			out[k] = merge(api.Obj(out[k]), sub)
			continue
		}
		if v == params.Unset {
			// An emptied list is an empty list, anything else null.
			if _, isList := out[k].([]any); isList {
				out[k] = []any{}
			} else {
				out[k] = nil
			}
			continue
		}
		out[k] = v
	}
	return out
}

func createConfiguration(c *api.Call) (any, error) {
	cfg := newConfiguration(c, false)
	if c.Connected {
		// Made by the platform on its connected account: its Connect
		// application created it (the default configuration, saved by
		// the account itself, names none).
		cfg["application"] = c.ConnectApplication()
	}
	if err := apply(c, cfg, true); err != nil {
		return nil, err
	}
	return cfg, c.Insert(cfg)
}

func retrieveConfiguration(c *api.Call) (any, error) {
	return c.Load("billing_portal.configuration", c.Var("id"), "id")
}

func updateConfiguration(c *api.Call) (any, error) {
	before, err := c.Load("billing_portal.configuration", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	oldProducts := storedProducts(c, api.Str(before["id"]))
	if err := apply(c, after, false); err != nil {
		return nil, err
	}
	prev := api.PreviousAttributes(before, after)
	if prev == nil {
		prev = store.Obj{}
	}
	if !reflect.DeepEqual(oldProducts, storedProducts(c, api.Str(before["id"]))) {
		// The products are kept beside the object: their change is one
		// of the configuration's too.
		prev = merge(prev, map[string]any{"features": map[string]any{"subscription_update": map[string]any{"products": oldProducts}}})
	}
	if len(prev) == 0 {
		return before, nil
	}
	after["updated"] = c.Now
	if before["updated"] != after["updated"] {
		prev["updated"] = before["updated"]
	}
	return after, c.PutEmit(after, "billing_portal.configuration.updated", prev)
}

func listConfigurations(c *api.Call) (any, error) {
	q, err := c.ListQuery("billing_portal.configuration")
	if err != nil {
		return nil, err
	}
	for _, f := range []string{"active", "is_default"} {
		if want, ok := c.Params.Bool(f); ok {
			q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Bool(o[f]) == want })
		}
	}
	return c.Page("billing_portal.configuration", "/v1/billing_portal/configurations", q), nil
}

// flowTypes are the deep links a session can open at; the subscription
// flows name the subscription they act on.
var flowTypes = map[string]string{
	"payment_method_update":       "",
	"subscription_cancel":         "subscription_cancel",
	"subscription_update":         "subscription_update",
	"subscription_update_confirm": "subscription_update_confirm",
}

func createSession(c *api.Call) (any, error) {
	// Stripe's spec lets a session's request empty nothing.
	if err := api.RefuseEmptied(c.Params.Unmarked(), nil); err != nil {
		return nil, err
	}
	if err := c.CheckURLSchemes("return_url"); err != nil {
		return nil, err
	}
	cusID, _ := c.Params.Str("customer")
	cus, ok := c.Tx.Get(c.Account, "customer", cusID)
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", cusID, "customer")
	}
	var cfg store.Obj
	if id, _ := c.Params.Str("configuration"); id != "" {
		var err error
		if cfg, err = c.Load("billing_portal.configuration", id, "configuration"); err != nil {
			return nil, err
		}
		if !api.Bool(cfg["active"]) {
			return nil, apierr.InvalidRequest("The configuration %s is not active.", id).WithParam("configuration")
		}
	} else {
		var err error
		if cfg, err = defaultConfiguration(c); err != nil {
			return nil, err
		}
	}
	returnURL := cfg["default_return_url"]
	if u, _ := c.Params.Str("return_url"); u != "" {
		returnURL = u
	}
	flow, err := sessionFlow(c, cusID, cfg)
	if err != nil {
		return nil, err
	}
	locale, _ := c.Params.Str("locale")
	id := c.NewID("billing_portal.session")
	session := c.Object("billing_portal.session", id, store.Obj{
		"configuration": cfg["id"], "customer": cusID, "flow": flow, "locale": api.NilIfEmpty(locale),
		"on_behalf_of": nil, "return_url": returnURL, "url": pageURL(c, SessionPath, id, "test_"+c.IDs.Secret(48)),
	})
	if obo, _ := c.Params.Str("on_behalf_of"); obo != "" {
		if !c.Tx.Exists(c.Platform, "account", obo) {
			return nil, apierr.NoSuchObject("account", obo, "on_behalf_of")
		}
		session["on_behalf_of"] = obo
	}
	// Sessions are short-lived links, not objects the API can fetch again
	// (no route reads them); stored for the portal page, and announced as
	// Stripe announces each one.
	return session, c.Insert(session)
}

// sessionFlow checks flow_data and renders it as the session's flow.
func sessionFlow(c *api.Call, cusID string, cfg store.Obj) (any, error) {
	fd, ok := c.Params.Obj("flow_data")
	if !ok {
		return nil, nil
	}
	if err := c.CheckLengths(api.MaxLength{Path: "flow_data.after_completion.hosted_confirmation.custom_message", Limit: 500}); err != nil {
		return nil, err
	}
	typ, _ := fd.Str("type")
	if typ == "" {
		return nil, apierr.MissingParam("flow_data[type]") // required, in Stripe's spec
	}
	field, known := flowTypes[typ]
	if !known {
		return nil, apierr.InvalidRequest("Invalid flow_data[type]: must be one of payment_method_update, subscription_cancel, subscription_update, or subscription_update_confirm").WithParam("flow_data[type]")
	}
	// Each flow's settings go with its own type only, as Stripe's
	// reference words them ("Configuration when flow_data.type=…").
	for _, other := range []string{"subscription_cancel", "subscription_update", "subscription_update_confirm"} {
		if _, sent := fd.Obj(other); sent && other != field {
			return nil, apierr.InvalidRequest("`flow_data[%s]` can only be passed when `flow_data[type]` is `%s`.", other, other).WithParam("flow_data[" + other + "]")
		}
	}
	// A flow opens a page of the portal, which the configuration must
	// offer (the update flows the plan switcher, the others their own).
	feature := map[string]string{"payment_method_update": "payment_method_update", "subscription_cancel": "subscription_cancel",
		"subscription_update": "subscription_update", "subscription_update_confirm": "subscription_update"}[typ]
	if !api.Bool(api.Obj(api.Obj(cfg["features"])[feature])["enabled"]) {
		return nil, apierr.InvalidRequest("The `%s` flow cannot be used with the configuration %s: it does not have `features[%s][enabled]` set to true.", typ, cfg["id"], feature).WithParam("flow_data[type]")
	}
	flow := store.Obj{"type": typ, "subscription_cancel": nil, "subscription_update": nil, "subscription_update_confirm": nil,
		"after_completion": store.Obj{"type": "portal_homepage", "hosted_confirmation": nil, "redirect": nil}}
	if ac, ok := fd.Obj("after_completion"); ok {
		acType, _ := ac.Str("type")
		if acType == "" {
			return nil, apierr.MissingParam("flow_data[after_completion][type]")
		}
		for _, other := range []string{"hosted_confirmation", "redirect"} {
			if _, sent := ac.Obj(other); sent && other != acType && slices.Contains([]string{"hosted_confirmation", "portal_homepage", "redirect"}, acType) {
				return nil, apierr.InvalidRequest("`flow_data[after_completion][%s]` can only be passed when `flow_data[after_completion][type]` is `%s`.", other, other).WithParam("flow_data[after_completion][" + other + "]")
			}
		}
		done := store.Obj{"type": acType, "hosted_confirmation": nil, "redirect": nil}
		switch acType {
		case "portal_homepage":
		case "hosted_confirmation":
			msg, _ := ac.Str("hosted_confirmation.custom_message")
			done["hosted_confirmation"] = store.Obj{"custom_message": api.NilIfEmpty(msg)}
		case "redirect":
			u, _ := ac.Str("redirect.return_url")
			if u == "" {
				return nil, apierr.MissingParam("flow_data[after_completion][redirect][return_url]")
			}
			if !api.HasScheme(u) {
				return nil, apierr.URLWithoutScheme("flow_data[after_completion][redirect][return_url]")
			}
			done["redirect"] = store.Obj{"return_url": u}
		default:
			return nil, apierr.InvalidRequest("Invalid flow_data[after_completion][type]: must be one of hosted_confirmation, portal_homepage, or redirect").WithParam("flow_data[after_completion][type]")
		}
		flow["after_completion"] = done
	}
	if field == "" {
		return flow, nil
	}
	param := "flow_data[" + field + "][subscription]"
	subID, _ := fd.Str(field + ".subscription")
	if subID == "" {
		return nil, apierr.MissingParam(param)
	}
	sub, ok := c.Tx.Get(c.Account, "subscription", subID)
	if !ok || sub["customer"] != cusID {
		return nil, apierr.NoSuchObject("subscription", subID, param)
	}
	if sub["status"] == "canceled" || sub["status"] == "incomplete_expired" {
		return nil, apierr.InvalidRequest("The subscription %s has ended; a portal flow cannot act on it.", subID).WithParam(param)
	}
	if field == "subscription_cancel" && (api.Bool(sub["cancel_at_period_end"]) || sub["cancel_at"] != nil) {
		// Stripe's answer, for a cancel_at as for cancel_at_period_end:
		// there is nothing left for the customer to cancel.
		return nil, apierr.InvalidRequest("The subscription %s is already set to be canceled at period end.", subID).WithParam(param)
	}
	if field != "subscription_cancel" {
		// Stripe: "subscriptions with multiple items are not updatable".
		items, _ := api.Obj(sub["items"])["data"].([]any)
		if len(items) > 1 {
			return nil, apierr.InvalidRequest("The subscription %s has more than one item; the portal can only update subscriptions with a single item.", subID).WithParam(param)
		}
		if field == "subscription_update" && len(items) == 1 && !offersChange(c, cfg, api.Obj(api.Obj(items[0])["price"]), api.Str(sub["currency"])) {
			// Stripe refuses a flow that would open on nothing to choose;
			// its message's key phrase is known, the rest of it is not.
			return nil, apierr.InvalidRequest("The subscription %s cannot be updated: there is no price in the portal configuration available to change to, and its quantity cannot be changed.", subID).WithParam(param)
		}
	}
	detail := store.Obj{"subscription": subID}
	// Offers and discounts are shown on the portal page the session opens;
	// the session records them, checked as redeemable for the customer.
	scope := coupons.Scope{Customer: cusID, Subscription: subID, Currency: api.Str(sub["currency"])}
	switch field {
	case "subscription_cancel":
		detail["retention"] = nil
		if ret, ok := fd.Obj("subscription_cancel.retention"); ok {
			const param = "flow_data[subscription_cancel][retention]"
			switch t, _ := ret.Str("type"); t {
			case "coupon_offer":
			case "":
				return nil, apierr.MissingParam(param + "[type]")
			default:
				return nil, apierr.InvalidRequest("Invalid %s[type]: must be coupon_offer", param).WithParam(param + "[type]")
			}
			offer, _ := ret.Obj("coupon_offer")
			if id, _ := offer.Sent("coupon"); id == nil || id == "" {
				return nil, apierr.MissingParam(param + "[coupon_offer][coupon]")
			}
			src, _, err := coupons.Resolve(c, offer, param+"[coupon_offer]", scope)
			if err != nil {
				return nil, err
			}
			detail["retention"] = store.Obj{"type": "coupon_offer", "coupon_offer": store.Obj{"coupon": src.Coupon["id"]}}
		}
	case "subscription_update_confirm":
		discounts := []any{}
		entries := fd.Array("subscription_update_confirm.discounts")
		if len(entries) > 1 {
			return nil, apierr.InvalidRequest("Only one discount can be applied to a subscription update.").WithParam("flow_data[subscription_update_confirm][discounts]")
		}
		for i, entry := range entries {
			param := "flow_data[subscription_update_confirm][discounts][" + strconv.Itoa(i) + "]"
			src, _, err := coupons.Resolve(c, entry, param, scope)
			if err != nil {
				return nil, err
			}
			d := store.Obj{"coupon": nil, "promotion_code": nil}
			if src.PromotionCode != nil {
				d["promotion_code"] = src.PromotionCode["id"]
			} else {
				d["coupon"] = src.Coupon["id"]
			}
			discounts = append(discounts, d)
		}
		var items []any
		for i, it := range fd.Array("subscription_update_confirm.items") {
			prefix := "flow_data[subscription_update_confirm][items][" + strconv.Itoa(i) + "]"
			id, _ := it.Str("id")
			if id == "" {
				return nil, apierr.MissingParam(prefix + "[id]")
			}
			if !hasItem(sub, id) {
				return nil, apierr.NoSuchObject("subscription_item", id, prefix+"[id]")
			}
			// quantity is never null at Stripe: left out when not sent.
			item := store.Obj{"id": id, "price": nil}
			if p, ok := it.Str("price"); ok && p != "" {
				if !c.Tx.Exists(c.Account, "price", p) {
					return nil, apierr.NoSuchObject("price", p, prefix+"[price]")
				}
				if !allowsPrice(c, cfg, p) {
					return nil, apierr.InvalidRequest("The item `%s` cannot be updated to price `%s` because the configuration `%s` does not include the price in its `features[subscription_update][products]`.", id, p, cfg["id"]).WithParam(prefix + "[price]")
				}
				item["price"] = p
			}
			if q, ok := it.Int("quantity"); ok {
				item["quantity"] = q
			}
			items = append(items, item)
		}
		if len(items) == 0 {
			return nil, apierr.MissingParam("flow_data[subscription_update_confirm][items]")
		}
		if len(items) > 1 {
			return nil, apierr.InvalidRequest("Only one item can be updated in a subscription update flow.").WithParam("flow_data[subscription_update_confirm][items]")
		}
		detail["items"], detail["discounts"] = items, discounts
	}
	flow[field] = detail
	return flow, nil
}

// hasItem reports whether id is one of the subscription's items.
func hasItem(sub store.Obj, id string) bool {
	items, _ := api.Obj(sub["items"])["data"].([]any)
	for _, it := range items {
		if api.Obj(it)["id"] == id {
			return true
		}
	}
	return false
}
