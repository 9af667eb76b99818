package payments

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// SetupIntentKind is the setup_intent object.
var SetupIntentKind = &api.Kind{
	Object:     "setup_intent",
	Prefix:     "seti_",
	Name:       "setupintent",
	Expandable: []string{"customer", "payment_method", "latest_attempt", "mandate", "single_use_mandate", "application", "on_behalf_of"},
	Indexes:    []store.Index{{Name: "customer", Path: "customer"}, {Name: "payment_method", Path: "payment_method"}},
}

func setupIntentRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/setup_intents", setupEnums(params.FromStruct(stripe.SetupIntentCreateParams{}).With("payment_method_data.card", cardDataParam())), createSetupIntent),
		api.GET("/v1/setup_intents", params.FromStruct(stripe.SetupIntentListParams{}), listSetupIntents),
		publishable(api.GET("/v1/setup_intents/{id}", params.FromStruct(stripe.SetupIntentRetrieveParams{}).With("client_secret", params.String()), withClientSecret(setupSide, retrieveSetupIntent))),
		api.POST("/v1/setup_intents/{id}", setupEnums(params.FromStruct(stripe.SetupIntentUpdateParams{})), updateSetupIntent),
		publishable(api.POST("/v1/setup_intents/{id}/confirm", clientMandate(setupEnums(params.FromStruct(stripe.SetupIntentConfirmParams{}).With("payment_method_data.card", cardDataParam()).With("client_secret", params.String()))), confirmWithClientSecret(setupSide, confirmSetupIntent))),
		api.POST("/v1/setup_intents/{id}/cancel", params.FromStruct(stripe.SetupIntentCancelParams{}).Enum("cancellation_reason", "abandoned", "duplicate", "requested_by_customer"), cancelSetupIntent),
		api.POST("/v1/setup_intents/{id}/verify_microdeposits", params.FromStruct(stripe.SetupIntentVerifyMicrodepositsParams{}), verifySetupMicrodeposits),
		api.POST("/v1/test_helpers/setup_intents/{id}/authenticate", params.Object(map[string]*params.Schema{
			"outcome": params.String(), "expand": params.ArrayOf(params.String()),
		}).Enum("outcome", "succeed", "fail"), authenticateSetupIntent),
	}
}

// clientMandate lets a confirmation, which Stripe's client libraries send
// with the publishable key, accept a mandate with infer_from_client
// instead of the ip_address and user_agent Stripe's OpenAPI spec requires
// otherwise (inferredAcceptance).
func clientMandate(s *params.Schema) *params.Schema {
	const online = "mandate_data.customer_acceptance.online"
	return s.With(online+".infer_from_client", params.Bool()).
		RequiredUnless(online+".ip_address", "infer_from_client").RequiredUnless(online+".user_agent", "infer_from_client")
}

// setupEnums holds a SetupIntent's parameters that it keeps to Stripe's
// values, as intentEnums does a PaymentIntent's.
func setupEnums(s *params.Schema) *params.Schema {
	for path, values := range map[string][]string{
		"automatic_payment_methods.allow_redirects":          {"always", "never"},
		"payment_method_options.card.request_three_d_secure": {"any", "automatic", "challenge"},
		"payment_method_data.allow_redisplay":                redisplay,
	} {
		if s.Has(path) {
			s = s.Enum(path, values...)
		}
	}
	if s.Has("flow_directions") {
		s = s.With("flow_directions", params.ArrayOf(&params.Schema{Kind: params.KindString, Allowed: []string{"inbound", "outbound"}}))
	}
	return s
}

func createSetupIntent(c *api.Call) (any, error) {
	if self, ok := c.Params.Bool("attach_to_self"); ok && self {
		// Methods set up for the account's own Treasury money movement.
		return nil, apierr.InvalidRequest("stripe-emu does not emulate attach_to_self=true (payment methods set up for the account's own InboundTransfers and OutboundTransfers); leave it out or send false.").WithParam("attach_to_self")
	}
	si := newSetupIntent(c, c.NewID("setup_intent"))
	if cus, ok := c.Params.Str("customer"); ok && cus != "" {
		o, ok := c.Tx.Get(c.Account, "customer", cus)
		if !ok || api.Bool(o["deleted"]) {
			return nil, apierr.NoSuchObject("customer", cus, "customer")
		}
		si["customer"] = cus
	}
	if u, ok := c.Params.Str("usage"); ok && u != "" {
		if u != "on_session" && u != "off_session" {
			return nil, apierr.InvalidRequest("Invalid usage: must be one of on_session or off_session").WithParam("usage")
		}
		si["usage"] = u
	}
	if err := applySetupParams(c, si, nil); err != nil {
		return nil, err
	}
	confirm, _ := c.Params.Bool("confirm")
	if !confirm {
		// As a PaymentIntent's: what only a confirmation uses.
		for _, p := range []string{"return_url", "mandate_data", "confirmation_token"} {
			if c.Params.Has(p) {
				return nil, apierr.InvalidRequest("You can only pass %s when confirm=true.", p).WithParam(p)
			}
		}
	}
	if err := checkReturnURLScheme(c); err != nil {
		return nil, err
	}
	if err := applyConfirmationToken(c, si, setupTokenUse, true); err != nil {
		return nil, err
	}
	if si["automatic_payment_methods"] == nil && !c.Params.Has("payment_method_types") {
		// Without payment_method_types a SetupIntent offers what the
		// account's payment method configuration turns on.
		si["automatic_payment_methods"] = store.Obj{"allow_redirects": "always", "enabled": true}
	}
	if err := applyIntentConfiguration(c, si, true, "Setup Intent", true); err != nil {
		return nil, err
	}
	cardOptionDefaults(si)
	if err := c.Insert(si); err != nil {
		return nil, err
	}
	if confirm {
		return confirmSetup(c, si)
	}
	return si, nil
}

// OnSetupSucceeded is called inside the transaction when a SetupIntent
// succeeds (billing saves a subscription's pending setup's method).
var OnSetupSucceeded []func(c *api.Call, si store.Obj) error

// InsertSetupIntent creates an off-session card SetupIntent for a
// customer, under an id taken in advance: the pending_setup_intent a
// subscription hands its client to collect a card.
func InsertSetupIntent(c *api.Call, id, customer string) (store.Obj, error) {
	si := newSetupIntent(c, id)
	si["customer"] = customer
	return si, c.Insert(si)
}

func newSetupIntent(c *api.Call, id string) store.Obj {
	si := c.Object("setup_intent", id, store.Obj{
		"application": nil, "automatic_payment_methods": nil, "cancellation_reason": nil,
		"client_secret": id + "_secret_" + c.IDs.Secret(32), "customer": nil, "description": nil,
		"flow_directions": nil, "last_setup_error": nil, "latest_attempt": nil, "mandate": nil,
		"metadata": map[string]any{}, "next_action": nil, "on_behalf_of": nil, "payment_method": nil,
		"payment_method_configuration_details": nil, "payment_method_options": store.Obj{},
		"payment_method_types": []any{"card"}, "single_use_mandate": nil, "status": RequiresPaymentMethod, "usage": "off_session",
	})
	cardOptionDefaults(si)
	if c.Connected {
		// The platform makes it on its connected account: its Connect
		// application is the intent's, as a PaymentIntent's.
		si["application"] = c.ConnectApplication()
	}
	return si
}

// cardOptionDefaults shows the card options of a SetupIntent offering
// cards with Stripe's defaults for what the request left out, as the
// API reference's SetupIntent does, and its us_bank_account options with
// verification_method automatic; one offering neither shows none.
func cardOptionDefaults(si store.Obj) {
	optionDefaults(si, setupDefaults)
}

// The defaults optionDefaults fills in, made once: every intent's
// create and confirm asks for them.
var (
	setupCardDefaults   = store.Obj{"mandate_options": nil, "network": nil, "request_three_d_secure": "automatic"}
	paymentCardDefaults = store.Obj{"installments": nil, "mandate_options": nil, "network": nil, "request_three_d_secure": "automatic"}
	bankDefaults        = store.Obj{"mandate_options": store.Obj{}, "verification_method": "automatic"}
	// Link's deprecated persistent_token, null, as Stripe's PaymentIntents
	// listing link show it (a SetupIntent's the same, from its spec: not
	// verified against a recorded one).
	linkDefaults = store.Obj{"persistent_token": nil}
)

// typeDefaults are the payment_method_options a payment method type
// shows by default while an intent offers it.
type typeDefaults struct {
	typ      string
	defaults store.Obj
}

// paymentOptionDefaults shows the card options of a PaymentIntent
// offering cards with Stripe's defaults for what the request left out
// (request_three_d_secure automatic; installments, mandate_options and
// network null), as Stripe's PaymentIntents show them, its
// us_bank_account options as a SetupIntent's, and those of the redirect
// types it offers (redirectOptionDefaults).
func paymentOptionDefaults(pi store.Obj) {
	optionDefaults(pi, paymentDefaults)
}

// redirectOptionDefaults are the payment_method_options a PaymentIntent
// shows for a redirect type it offers, as recorded PaymentIntents of
// Stripe show them (iDEAL's as its guide does). Przelewy24's and
// Afterpay / Clearpay's are not known, so they show none.
var redirectOptionDefaults = map[string]store.Obj{
	"affirm": {}, "bancontact": {"preferred_language": "en"}, "eps": {}, "ideal": {},
	"klarna": {"preferred_locale": nil}, "paypal": {"preferred_locale": nil, "reference": nil},
	"oxxo": {"expires_after_days": int64(3)}, "boleto": {"expires_after_days": int64(3)},
	"konbini": {"confirmation_number": nil, "expires_after_days": nil, "expires_at": nil, "product_description": nil},
	// What Stripe's recorded BLIK intent shows (stripe-android's fixture);
	// Multibanco's has nothing to show either.
	"blik": {}, "multibanco": {},
}

// setupDefaults and paymentDefaults are the types whose defaults a
// SetupIntent and a PaymentIntent show: cards and us_bank_account (whose
// verification_method automatic Stripe's mobile SDKs read), and a
// PaymentIntent's redirect types.
var (
	setupDefaults   = []typeDefaults{{"card", setupCardDefaults}, {"us_bank_account", bankDefaults}, {"link", linkDefaults}}
	paymentDefaults = func() []typeDefaults {
		out := []typeDefaults{{"card", paymentCardDefaults}, {"us_bank_account", bankDefaults}, {"link", linkDefaults}}
		for _, typ := range slices.Sorted(maps.Keys(redirectOptionDefaults)) {
			out = append(out, typeDefaults{typ, redirectOptionDefaults[typ]})
		}
		return out
	}()
)

// optionDefaults fills in intent's payment_method_options for each type
// with its defaults for what the request left out while the intent
// offers the type, and drops options that are only those defaults once
// it does not. The options are copied once, and only when one type
// changes: most intents are left as they are.
func optionDefaults(intent store.Obj, types []typeDefaults) {
	var opts store.Obj
	for _, t := range types {
		if optionsSettled(intent, t.typ, t.defaults) {
			continue
		}
		if opts == nil {
			opts = api.Clone(api.Obj(intent["payment_method_options"]))
			intent["payment_method_options"] = opts
		}
		fillOptionDefaults(intent, opts, t.typ, t.defaults)
	}
}

// optionsSettled says intent's options for typ need nothing filled in
// or dropped.
func optionsSettled(intent store.Obj, typ string, defaults store.Obj) bool {
	current, ok := intent["payment_method_options"].(map[string]any)
	if !ok || current == nil {
		return false
	}
	types, _ := intent["payment_method_types"].([]any)
	offered := slices.Contains(types, any(typ))
	given, _ := current[typ].(map[string]any)
	return offered && hasDefaults(given, defaults) || !offered && (given == nil || !onlyDefaults(given, defaults))
}

// fillOptionDefaults fills in (in opts, intent's own copy of its options)
// typ's defaults while intent offers typ, or drops its options that are
// only those defaults once it does not.
func fillOptionDefaults(intent, opts store.Obj, typ string, defaults store.Obj) {
	types, _ := intent["payment_method_types"].([]any)
	given, _ := opts[typ].(map[string]any)
	switch {
	case slices.Contains(types, any(typ)):
		if given == nil {
			given = store.Obj{}
		}
		for k, v := range defaults {
			if _, ok := given[k]; !ok {
				if m, isMap := v.(store.Obj); isMap {
					v = api.Clone(m) // the defaults are shared
				}
				given[k] = v
			}
		}
		opts[typ] = given
	case given != nil && onlyDefaults(given, defaults):
		delete(opts, typ)
	}
}

// hasDefaults says given already sets every default.
func hasDefaults(given, defaults store.Obj) bool {
	if given == nil {
		return false
	}
	for k := range defaults {
		if _, ok := given[k]; !ok {
			return false
		}
	}
	return true
}

func onlyDefaults(given, defaults store.Obj) bool {
	if len(given) != len(defaults) {
		return false
	}
	for k, v := range defaults {
		g, ok := given[k]
		if !ok {
			return false
		}
		if m, isMap := v.(store.Obj); isMap {
			gm, _ := g.(map[string]any)
			if gm == nil || len(gm) != len(m) {
				return false
			}
			continue
		}
		if g != v {
			return false
		}
	}
	return true
}

// setupLengths are the string limits of a SetupIntent's create, update
// and confirm in Stripe's OpenAPI spec (each checks those it takes).
var setupLengths = []api.MaxLength{
	{Path: "description", Limit: 1000}, {Path: "payment_method_configuration", Limit: 100},
	{Path: "payment_method_options.card.mandate_options.description", Limit: 200},
	{Path: "payment_method_options.card.mandate_options.reference", Limit: 80},
	{Path: "payment_method_options.sepa_debit.mandate_options.reference_prefix", Limit: 12},
	{Path: "payment_method_options.bacs_debit.mandate_options.reference_prefix", Limit: 12},
}

// applySetupParams applies the request's parameters to si; stored is the
// SetupIntent as it was (nil on create), which refusals name.
func applySetupParams(c *api.Call, si, stored store.Obj) error {
	// How a client handles next_action; mandate_data is read when a bank
	// debit is set up (a card has no mandate).
	c.Inert("use_stripe_sdk", "mandate_data")
	if err := c.CheckLengths(setupLengths...); err != nil {
		return err
	}
	if err := checkIntentMethodOptions(c); err != nil {
		return err
	}
	c.Copy(si, "description", "payment_method_options", "flow_directions")
	if opts, ok := si["payment_method_options"].(map[string]any); ok {
		si["payment_method_options"] = setupShownOptions.shown(opts)
		if opts["acss_debit"] != nil {
			if err := checkACSSOptions(opts); err != nil {
				return err
			}
		}
	}
	if c.Params.Has("payment_method_types") && c.Params.Has("automatic_payment_methods") {
		return apierr.Exclusive("automatic_payment_methods", "payment_method_types")
	}
	if apm, ok := c.Params.Obj("automatic_payment_methods"); ok {
		si["automatic_payment_methods"] = automaticPaymentMethods(apm)
	}
	if obo, ok := c.Params.Str("on_behalf_of"); ok && obo != "" {
		if err := connectedAccount(c, "account", obo, "on_behalf_of"); err != nil {
			return err
		}
		si["on_behalf_of"] = obo
	}
	if types := c.Params.Strings("payment_method_types"); len(types) > 0 {
		list := make([]any, len(types))
		for i, t := range types {
			if e := retiredType(t, "payment_method_types"); e != nil {
				return e
			}
			if (!supportedTypes[t] && !readerTypes[t] && !listedOnly[t]) || (isRedirect(t) && !redirectMethods[t].sepa && !redirectMethods[t].reusable) || t == "customer_balance" || isVoucher(t) || t == "bacs_debit" || t == "interac_present" {
				return apierr.InvalidRequest("The payment method type %q is invalid. stripe-emu's SetupIntents support card, sepa_debit, us_bank_account, au_becs_debit, acss_debit, ideal, bancontact, cashapp, revolut_pay and amazon_pay, link (listed only), and card_present on a Terminal reader.", t).WithParam("payment_method_types")
			}
			list[i] = t
		}
		si["payment_method_types"] = list
		si["automatic_payment_methods"] = nil
	}
	if pmID, ok := c.Params.Str("payment_method"); ok && pmID != "" {
		pm, err := resolvePaymentMethod(c, pmID, "payment_method")
		if err != nil {
			return err
		}
		if e := ownershipRefusal(pm, si); e != nil {
			if stored != nil {
				// Refusals of an update or a confirmation name the
				// intent; a create's has none to name.
				e = aboutSetupIntent(e, stored)
			}
			return e
		}
		si["payment_method"] = pm["id"]
		methodChosen(si)
	} else if pmd, ok := c.Params.Obj("payment_method_data"); ok {
		pm, err := paymentMethodFromData(c, pmd)
		if err != nil {
			return err
		}
		si["payment_method"] = pm["id"]
		methodChosen(si)
	} else if c.Params.Unset("payment_method") {
		methodUnset(si)
	}
	return c.ApplyMetadata(si)
}

// setupStateRefusal is Stripe's refusal to confirm, update or cancel
// (verb) SetupIntent si that succeeded or was canceled, naming it. "has
// already succeeded" (confirm, update) and the cancel refusal's start are
// as integrations quote them; the rest as a third-party recording of
// Stripe has them, but for an update of a canceled intent, by analogy.
func setupStateRefusal(verb string, si store.Obj) *apierr.Error {
	var msg string
	switch {
	case verb == "cancel" && si["status"] == Canceled:
		msg = "You cannot cancel this SetupIntent because it is already canceled."
	case verb == "cancel":
		msg = fmt.Sprintf("You cannot cancel this SetupIntent because it has a status of %s. Only a SetupIntent with one of the following statuses may be canceled: `requires_payment_method`, `requires_confirmation`, or `requires_action`.", si["status"])
	case si["status"] == Canceled:
		msg = "You cannot " + verb + " this SetupIntent because it has been canceled."
	default:
		msg = "You cannot " + verb + " this SetupIntent because it has already succeeded."
	}
	return aboutSetupIntent(apierr.InvalidRequest("%s", msg).WithCode("setup_intent_unexpected_state"), si)
}

// aboutSetupIntent adds the SetupIntent a refusal is about to its body
// (error.setup_intent), as aboutIntent does for a PaymentIntent.
func aboutSetupIntent(e *apierr.Error, si store.Obj) *apierr.Error {
	e.SetupIntent = si
	return e
}

func loadSetupIntent(c *api.Call) (store.Obj, error) {
	return c.Load("setup_intent", c.Var("id"), "id")
}

func retrieveSetupIntent(c *api.Call) (any, error) { return loadSetupIntent(c) }

func updateSetupIntent(c *api.Call) (any, error) {
	before, err := loadSetupIntent(c)
	if err != nil {
		return nil, err
	}
	if before["status"] == Succeeded || before["status"] == Canceled {
		if c.Params.Has("payment_method") || c.Params.Has("payment_method_data") || c.Params.Has("payment_method_types") || c.Params.Has("payment_method_configuration") {
			return nil, setupStateRefusal("update", before)
		}
	}
	after := api.Clone(before)
	if cus, ok := c.Params.Str("customer"); ok && cus != "" {
		o, ok := c.Tx.Get(c.Account, "customer", cus)
		if !ok || api.Bool(o["deleted"]) {
			return nil, apierr.NoSuchObject("customer", cus, "customer")
		}
		after["customer"] = cus
	}
	if err := applySetupParams(c, after, before); err != nil {
		return nil, err
	}
	if err := applyIntentConfiguration(c, after, false, "Setup Intent", true); err != nil {
		return nil, err
	}
	cardOptionDefaults(after)
	return after, c.Save(before, after)
}

func confirmSetupIntent(c *api.Call) (any, error) {
	before, err := loadSetupIntent(c)
	if err != nil {
		return nil, err
	}
	switch before["status"] {
	case RequiresPaymentMethod, RequiresConfirmation, RequiresAction:
	default:
		if c.Params.Has("payment_method_data") {
			// Stripe.js confirming with new card details, which would
			// update the intent first (Mattermost matches this answer).
			return nil, setupStateRefusal("update", before)
		}
		return nil, setupStateRefusal("confirm", before)
	}
	if err := checkReturnURLScheme(c); err != nil {
		return nil, err
	}
	if err := abandonMicrodeposits(c, before); err != nil {
		return nil, err
	}
	si := api.Clone(before)
	if err := applySetupParams(c, si, before); err != nil {
		return nil, err
	}
	if err := applyConfirmationToken(c, si, setupTokenUse, false); err != nil {
		return nil, err
	}
	cardOptionDefaults(si)
	if err := c.Put(si); err != nil {
		return nil, err
	}
	return confirmSetup(c, si)
}

func confirmSetup(c *api.Call, si store.Obj) (any, error) {
	pmID := api.Str(si["payment_method"])
	if pmID == "" {
		e := apierr.InvalidRequest("You cannot confirm this SetupIntent because it's missing a payment method. Update the SetupIntent with a payment method and then confirm it again.").
			WithCode("setup_intent_unexpected_state")
		if c.Var("id") == api.Str(si["id"]) {
			// The confirm endpoint's intent stays, and is named.
			e = aboutSetupIntent(e, si)
		}
		return nil, e
	}
	if usedUp(c, pmID) {
		// As a payment's: a detached or once-used method is never set up.
		return nil, apierr.InvalidRequest(reuseRefused).WithParam("payment_method")
	}
	if err := checkReturnURLGiven(c, si, "Setup Intent"); err != nil {
		return nil, err
	}
	pm, _ := c.Tx.Get(c.Account, "payment_method", pmID)
	if !listsType(si, api.Str(pm["type"])) {
		// Not among the types it was given, or that its payment method
		// configuration offers, or it is a Terminal reader's, which saves
		// only what a reader reads: as a PaymentIntent pays with only the
		// types it lists.
		return nil, typeNotListed(si, api.Str(pm["type"]), "SetupIntent")
	}
	if pm["type"] == "customer_balance" {
		// Nothing to set up: each payment draws on the cash balance.
		return nil, apierr.InvalidRequest("The PaymentMethod provided (customer_balance) cannot be used with a SetupIntent: a customer's cash balance is paid from by PaymentIntents only.").WithParam("payment_method")
	}
	if pm["type"] == "bacs_debit" {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate setting up a bacs_debit PaymentMethod with a SetupIntent, so it refused the request rather than answer as if it had taken effect: pay with it under `mandate_data` (with `setup_future_usage` to reuse it).").WithParam("payment_method")
	}
	if pm["type"] == "acss_debit" && api.Obj(api.Obj(si["payment_method_options"])["acss_debit"])["currency"] == nil {
		// A PAD mandate debits in one currency, which a SetupIntent has
		// nowhere else to take from (the emulator's words).
		return nil, apierr.MissingParam("payment_method_options[acss_debit][currency]")
	}
	if isVoucher(api.Str(pm["type"])) {
		// A voucher pays once: nothing to set up.
		return nil, apierr.InvalidRequest("The PaymentMethod provided (%s) cannot be used with a SetupIntent: a voucher pays once.", pm["type"]).WithParam("payment_method")
	}
	if err := abandonWaitingAttempt(c, si); err != nil {
		return nil, err
	}
	if isRedirect(api.Str(pm["type"])) {
		return confirmRedirectSetup(c, si, pm)
	}
	si["last_setup_error"] = nil
	att := newSetupAttempt(c, si, pm)
	if pm["type"] == "card" {
		cd := cardOf(c, pm)
		checks := paymentChecks(pm, cd)
		// The attempt shows the checks its verification ran.
		api.Obj(api.Obj(att["payment_method_details"])["card"])["checks"] = checks
		fail := checkDecline(checks, true)
		if cd.Outcome == declines {
			fail = declineOf(cd)
		}
		switch {
		case fail != nil:
			e := fail
			e.PaymentMethod = pm
			lse := lastPaymentError(e, pm)
			si["status"] = RequiresPaymentMethod
			si["last_setup_error"] = lse
			si["payment_method"] = nil
			att["status"], att["setup_error"] = "failed", lse
			if err := c.Put(att); err != nil {
				return nil, err
			}
			if err := c.Put(si); err != nil {
				return nil, err
			}
			c.Emit("setup_intent.setup_failed", si, nil)
			e.SetupIntent = si
			return nil, api.Keep(e)
		case cd.Outcome == alwaysAuthenticate, cd.Outcome == authenticateUnlessSetUp, cd.Outcome == authenticateOnSession,
			asksThreeDSecure(si, cd):
			returnURL := confirmReturnURL(c)
			return awaitSetupAction(c, si, att, returnURL)
		}
	}
	verify, err := needsMicrodeposits(c, si, pm)
	if err != nil {
		return nil, err
	}
	m, err := intentMandate(c, si, pm, true)
	if err != nil {
		return nil, err
	}
	if verify {
		return awaitSetupMicrodeposits(c, si, pm, att, m)
	}
	if m != nil {
		si["mandate"] = m["id"]
	}
	return succeedSetup(c, si, pm, att)
}

func setupNextAction(c *api.Call, si store.Obj, returnURL string) store.Obj {
	url := testPageURL(c, "/v1/test_helpers/setup_intents/"+api.Str(si["id"])+"/authenticate")
	if returnURL != "" && !handledBySDK(c) {
		return store.Obj{"type": "redirect_to_url", "redirect_to_url": store.Obj{"return_url": returnURL, "url": url}}
	}
	return store.Obj{"type": "use_stripe_sdk", "use_stripe_sdk": store.Obj{"type": "three_d_secure_redirect", "stripe_js": url}}
}

// succeedSetup completes si and its attempt att (the confirmation's, or
// the one waiting for authentication).
func succeedSetup(c *api.Call, si, pm, att store.Obj) (any, error) {
	si["status"] = Succeeded
	si["next_action"] = nil
	typ := api.Str(pm["type"])
	if redirectMethods[typ].sepa {
		// iDEAL and Bancontact are not saved themselves: the bank
		// account behind them is, as a SEPA Direct Debit method.
		gen, err := generateSetupSEPA(c, si, pm, att)
		if err != nil {
			return nil, err
		}
		if att != nil {
			pmd := api.Clone(api.Obj(att["payment_method_details"]))
			d := api.Obj(pmd[typ])
			d["generated_sepa_debit"], d["generated_sepa_debit_mandate"] = gen["id"], si["mandate"]
			att["payment_method_details"] = pmd
		}
	} else {
		var err error
		if pm, err = walletAuthorized(c, pm); err != nil {
			return nil, err
		}
		if redirectMethods[typ].reusable {
			if err := walletSetupMandate(c, si, pm); err != nil {
				return nil, err
			}
		}
		if cus := api.Str(si["customer"]); cus != "" {
			if _, err := attach(c, pm, cus, "customer"); err != nil {
				return nil, err
			}
		}
		if err := c.Tx.SetMeta(metaSetUp(c.Account, api.Str(pm["id"])), "1"); err != nil {
			return nil, err
		}
	}
	return finishSetup(c, si, att)
}

// finishSetup stores si succeeded with its attempt att, says
// setup_intent.succeeded and queues the OnSetupSucceeded hooks.
func finishSetup(c *api.Call, si, att store.Obj) (any, error) {
	si["status"] = Succeeded
	si["next_action"] = nil
	if att != nil {
		att["status"] = Succeeded
		if err := c.Put(att); err != nil {
			return nil, err
		}
	}
	if err := c.Put(si); err != nil {
		return nil, err
	}
	c.Emit("setup_intent.succeeded", si, nil)
	if len(OnSetupSucceeded) > 0 {
		done := maps.Clone(si) // hooks read its top-level fields
		c.Later(func() error {
			for _, fn := range OnSetupSucceeded {
				if err := fn(c, done); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return si, nil
}

func authenticateSetupIntent(c *api.Call) (any, error) {
	si, err := loadSetupIntent(c)
	if err != nil {
		return nil, err
	}
	if si["status"] != RequiresAction {
		e := apierr.InvalidRequest("This SetupIntent has a status of %s; only a SetupIntent with status requires_action can be authenticated.", si["status"])
		return nil, e.WithCode("setup_intent_unexpected_state")
	}
	si = api.Clone(si)
	pm, _ := c.Tx.Get(c.Account, "payment_method", api.Str(si["payment_method"]))
	att := latestSetupAttempt(c, si)
	outcome, _ := c.Params.Str("outcome")
	if att != nil && pm["type"] == "card" {
		pmd := api.Clone(api.Obj(att["payment_method_details"]))
		api.Obj(pmd["card"])["three_d_secure"] = threeDSecure(c, outcome != "fail")
		att["payment_method_details"] = pmd
	}
	if outcome == "fail" {
		e := apierr.InvalidRequest("The latest attempt to set up the payment method has failed because authentication failed.").WithCode("setup_intent_authentication_failure")
		si["status"] = RequiresPaymentMethod
		si["next_action"] = nil
		si["last_setup_error"] = lastPaymentError(e, pm)
		si["payment_method"] = nil
		if att != nil {
			att["status"], att["setup_error"] = "failed", si["last_setup_error"]
			if err := c.Put(att); err != nil {
				return nil, err
			}
		}
		if err := c.Put(si); err != nil {
			return nil, err
		}
		c.Emit("setup_intent.setup_failed", si, nil)
		return si, nil
	}
	return succeedSetup(c, si, pm, att)
}

func cancelSetupIntent(c *api.Call) (any, error) {
	si, err := loadSetupIntent(c)
	if err != nil {
		return nil, err
	}
	if si["status"] == Succeeded || si["status"] == Canceled {
		return nil, setupStateRefusal("cancel", si)
	}
	if err := abandonWaitingAttempt(c, si); err != nil {
		return nil, err
	}
	if err := abandonMicrodeposits(c, si); err != nil {
		return nil, err
	}
	si = api.Clone(si)
	si["status"] = Canceled
	si["next_action"] = nil
	if r, ok := c.Params.Str("cancellation_reason"); ok && r != "" {
		si["cancellation_reason"] = r
	}
	if err := c.Put(si); err != nil {
		return nil, err
	}
	c.Emit("setup_intent.canceled", si, nil)
	return si, nil
}

func listSetupIntents(c *api.Call) (any, error) {
	// attach_to_self only concerns SetupIntents made for a Connect
	// account's own use, which are never made here: it filters nothing.
	c.Inert("attach_to_self")
	q, err := c.ListQuery("setup_intent")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "customer", "payment_method")
	return c.Page("setup_intent", "/v1/setup_intents", q), nil
}

// confirmRedirectSetup sends the customer to authorize an iDEAL or
// Bancontact setup on the test page: the SEPA Direct Debit mandate they
// accept (mandate_data, required) is made once they authorize.
func confirmRedirectSetup(c *api.Call, si, pm store.Obj) (any, error) {
	typ := api.Str(pm["type"])
	m := redirectMethods[typ]
	if !m.sepa && !m.reusable {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate SetupIntents with PaymentMethods of type %s: only iDEAL and Bancontact, which set up SEPA Direct Debit, and the wallets saved as themselves (cashapp, revolut_pay, amazon_pay) are emulated.", typ).WithParam("payment_method")
	}
	returnURL := confirmReturnURL(c)
	if returnURL == "" {
		return nil, apierr.InvalidRequest("You must provide a `return_url` when confirming a SetupIntent with the payment method type %s.", typ).WithParam("return_url")
	}
	md, ok := c.Params.Obj("mandate_data")
	if m.reusable {
		// A wallet is saved as itself once the customer authorizes it,
		// under a mandate recording their acceptance: mandate_data's if
		// sent (Stripe.js sends it), else the customer's on the page.
		if ok {
			if err := keepSetupAcceptance(c, si, md); err != nil {
				return nil, err
			}
		}
		si["last_setup_error"] = nil
		action, err := methodAction(c, "/v1/test_helpers/setup_intents/"+api.Str(si["id"])+"/authenticate", api.Str(si["id"]), typ, returnURL)
		if err != nil {
			return nil, err
		}
		return awaitSetupActionWith(c, si, newSetupAttempt(c, si, pm), action)
	}
	if !ok {
		return nil, apierr.InvalidRequest("When confirming a SetupIntent with a `%s` PaymentMethod, `mandate_data` is required.", typ).
			WithParam("mandate_data").WithCode("parameter_missing")
	}
	if err := keepSetupAcceptance(c, si, md); err != nil {
		return nil, err
	}
	si["last_setup_error"] = nil
	return awaitSetupAction(c, si, newSetupAttempt(c, si, pm), returnURL)
}

// keepSetupAcceptance keeps the customer acceptance mandate_data (md)
// gives a redirect setup until the customer authorizes it.
func keepSetupAcceptance(c *api.Call, si store.Obj, md params.Values) error {
	acceptance, err := mandateAcceptance(c, md)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(acceptance)
	if err != nil {
		return err
	}
	return c.Tx.SetMeta(metaSetupAcceptance(c.Account, api.Str(si["id"])), string(raw))
}

// setupAcceptance is the customer acceptance kept for si's mandate
// (keepSetupAcceptance), nil when none was.
func setupAcceptance(c *api.Call, si store.Obj) (store.Obj, error) {
	key := metaSetupAcceptance(c.Account, api.Str(si["id"]))
	raw, ok := c.Tx.GetMeta(key)
	if !ok {
		return nil, nil
	}
	c.Tx.DeleteMeta(key) // the mandate keeps it from now on
	acceptance := store.Obj{}
	if err := json.Unmarshal([]byte(raw), &acceptance); err != nil {
		return nil, err
	}
	if at, ok := acceptance["accepted_at"].(float64); ok {
		acceptance["accepted_at"] = int64(at)
	}
	return acceptance, nil
}

// walletSetupMandate is the multi-use mandate under which a wallet set up
// by si (Cash App Pay, Revolut Pay, Amazon Pay) is charged later: the
// acceptance its confirmation sent, else the customer accepting online
// as they authorized it on the test page.
func walletSetupMandate(c *api.Call, si, pm store.Obj) error {
	acceptance, err := setupAcceptance(c, si)
	if err != nil {
		return err
	}
	if acceptance == nil {
		var ip any
		if c.ClientIP != "" {
			ip = c.ClientIP
		}
		acceptance = store.Obj{"type": "online", "accepted_at": c.Now, "online": store.Obj{"ip_address": ip, "user_agent": nil}}
	}
	m, err := putMandate(c, si, api.Str(pm["id"]), api.Str(pm["type"]), acceptance, true)
	if err != nil {
		return err
	}
	si["mandate"] = m["id"]
	return nil
}

// awaitSetupAction stops a setup (and its attempt) at requires_action,
// for the customer to authenticate or authorize at returnURL's redirect.
func awaitSetupAction(c *api.Call, si, att store.Obj, returnURL string) (any, error) {
	return awaitSetupActionWith(c, si, att, setupNextAction(c, si, returnURL))
}

// awaitSetupActionWith stops a setup at requires_action with action.
func awaitSetupActionWith(c *api.Call, si, att, action store.Obj) (any, error) {
	si["status"] = RequiresAction
	si["next_action"] = action
	att["status"] = RequiresAction
	if err := c.Put(att); err != nil {
		return nil, err
	}
	if err := c.Put(si); err != nil {
		return nil, err
	}
	c.Emit("setup_intent.requires_action", si, nil)
	return si, nil
}

// metaSetupAcceptance holds the customer acceptance of a redirect setup
// waiting for the customer, until the mandate is made.
func metaSetupAcceptance(acct, si string) string { return "siaccept:" + acct + ":" + si }

// generateSetupSEPA saves the bank account behind an authorized iDEAL or
// Bancontact setup as a sepa_debit PaymentMethod on the SetupIntent's
// customer, under a multi-use mandate named as the SetupIntent's
// mandate; the method's generated_from names the attempt att.
func generateSetupSEPA(c *api.Call, si, pm, att store.Obj) (store.Obj, error) {
	var from any
	if att != nil {
		from = att["id"]
	}
	gen, err := generatedSEPAMethod(c, pm, api.Str(si["customer"]), nil, from)
	if err != nil {
		return nil, err
	}
	acceptance, err := setupAcceptance(c, si)
	if err != nil {
		return nil, err
	}
	if acceptance == nil {
		acceptance = store.Obj{}
	}
	m, err := putMandate(c, si, api.Str(gen["id"]), "sepa_debit", acceptance, true)
	if err != nil {
		return nil, err
	}
	si["mandate"] = m["id"]
	return gen, nil
}
