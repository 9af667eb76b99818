package payments

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// ConfirmationTokens (ctoken_…) carry what Stripe.js's Payment Element
// collected (payment details, shipping, return URL, setup_future_usage) to
// the server, which confirms a PaymentIntent or SetupIntent with them
// ("finalize payments on the server"). Stripe.js makes them with a
// publishable key; the API makes them only through the test helper. A
// token is used once and expires 12 hours after it is made (the expires_at
// of Stripe's examples). The PaymentMethod behind a token made from
// payment_method_data is created when the token is used, as Stripe does:
// until then the token keeps it in metadata (ctokenpm:…), with what makes
// the test card or bank account behave as it does. Stripe sends no events
// about ConfirmationTokens.

// ConfirmationTokenKind is the confirmation_token object.
var ConfirmationTokenKind = &api.Kind{
	Object:     "confirmation_token",
	Prefix:     "ctoken_",
	Expandable: []string{"payment_method_preview.customer"},
}

// confirmationTokenLifetime is how long a token can be used: the
// expires_at of Stripe's examples is 12 hours after created.
const confirmationTokenLifetime = 12 * 3600

func confirmationTokenRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/test_helpers/confirmation_tokens", params.FromStruct(stripe.TestHelpersConfirmationTokenCreateParams{}).
			Enum("setup_future_usage", "off_session", "on_session").
			Enum("payment_method_data.allow_redisplay", "always", "limited", "unspecified"), createConfirmationToken),
		api.GET("/v1/confirmation_tokens/{id}", params.FromStruct(stripe.ConfirmationTokenRetrieveParams{}), retrieveConfirmationToken),
		// What Stripe.js's createConfirmationToken posts with the
		// publishable key: the helper's parameters, with the card the
		// customer typed.
		publishable(api.POST("/v1/confirmation_tokens", clientMandate(params.FromStruct(stripe.TestHelpersConfirmationTokenCreateParams{}).
			With("payment_method_data.card", cardDataParam()).
			With("mandate_data", params.FromStruct(stripe.PaymentIntentMandateDataParams{}))).
			Enum("setup_future_usage", "off_session", "on_session").
			Enum("payment_method_data.allow_redisplay", "always", "limited", "unspecified"), createClientConfirmationToken)),
	}
}

// createClientConfirmationToken is Stripe.js's way of making a token; a
// server makes one through the test helper instead.
func createClientConfirmationToken(c *api.Call) (any, error) {
	if !c.Publishable {
		return nil, apierr.InvalidRequest("ConfirmationTokens are created by Stripe.js with your publishable key. To create one from your server in test mode, use POST /v1/test_helpers/confirmation_tokens.")
	}
	return createConfirmationToken(c)
}

// metaTokenPM holds the payment method a token was made with: the id of
// an existing one, or the PaymentMethod to create when the token is used
// and its test card or account reference (what metaCard keeps).
func metaTokenPM(acct, token string) string { return "ctokenpm:" + acct + ":" + token }

func createConfirmationToken(c *api.Call) (any, error) {
	pmID, hasPM := c.Params.Str("payment_method")
	pmd, hasData := c.Params.Obj("payment_method_data")
	if hasPM && hasData {
		return nil, apierr.Exclusive("payment_method", "payment_method_data")
	}
	var pm store.Obj
	source := store.Obj{}
	switch {
	case hasPM && pmID != "":
		o, err := resolvePaymentMethod(c, pmID, "payment_method")
		if err != nil {
			return nil, err
		}
		pm, source["payment_method"] = o, o["id"]
	case hasData:
		o, ref, err := previewPaymentMethod(c, pmd)
		if err != nil {
			return nil, err
		}
		pm, source["data"], source["ref"] = o, o, ref
	default:
		return nil, apierr.InvalidRequest("You must provide either `payment_method` or `payment_method_data` to create a ConfirmationToken.").WithParam("payment_method").WithCode("parameter_missing")
	}
	if err := checkReturnURLScheme(c); err != nil {
		return nil, err
	}
	var mandateData any
	if md, ok := c.Params.Obj("mandate_data"); ok {
		// A bank debit's mandate, accepted where the customer typed it
		// (Stripe.js sends it); the confirmation creates the mandate.
		acceptance, err := mandateAcceptance(c, md)
		if err != nil {
			return nil, err
		}
		source["acceptance"] = acceptance
		mandateData = store.Obj{"customer_acceptance": store.Obj{"online": acceptance["online"], "type": acceptance["type"]}}
	}
	shipping, err := tokenShipping(c)
	if err != nil {
		return nil, err
	}
	id := c.NewID("confirmation_token")
	tok := c.Object("confirmation_token", id, store.Obj{
		"expires_at": c.Now + confirmationTokenLifetime, "mandate_data": mandateData, "payment_intent": nil,
		"payment_method_options": nil, "payment_method_preview": paymentMethodPreview(api.Clone(pm)), "return_url": nil,
		"setup_future_usage": nil, "setup_intent": nil, "shipping": shipping, "use_stripe_sdk": true,
	})
	c.Copy(tok, "return_url", "setup_future_usage")
	raw, err := jsonenc.Marshal(source)
	if err != nil {
		return nil, err
	}
	if err := c.Tx.SetMeta(metaTokenPM(c.Account, id), string(raw)); err != nil {
		return nil, err
	}
	return tok, c.Put(tok)
}

// previewPaymentMethod builds the PaymentMethod payment_method_data
// describes, with Stripe's checks, without keeping it: it is created when
// the token is used. ref is its test card or account (metaCard's value).
func previewPaymentMethod(c *api.Call, pmd params.Values) (store.Obj, string, error) {
	if typ, _ := pmd.Str("type"); typ == "card" && !pmd.Has("card") {
		// The helper's payment_method_data has no card hash: Stripe.js
		// collects card numbers itself (and sends them here with the
		// publishable key).
		return nil, "", apierr.InvalidRequest("stripe-emu cannot make a card ConfirmationToken from `payment_method_data`, which takes no card details here: pass `payment_method` instead (a test PaymentMethod such as pm_card_visa).").WithParam("payment_method_data[type]")
	}
	var pm store.Obj
	var ref string
	err := c.Sandbox(func() error {
		o, err := paymentMethodFromData(c, pmd)
		if err != nil {
			return err
		}
		key := metaCard(c.Account, api.Str(o["id"]))
		ref, _ = c.Tx.GetMeta(key)
		c.Tx.DeleteMeta(key) // written past the sandbox's journal
		pm = api.Clone(o)
		return nil
	})
	return pm, ref, err
}

// paymentMethodPreview is what a token shows of its payment method: the
// PaymentMethod's details without its identity and metadata (pm is a copy
// the preview keeps).
func paymentMethodPreview(pm store.Obj) store.Obj {
	out := store.Obj{}
	for k, v := range pm {
		switch k {
		case "id", "object", "created", "livemode", "metadata":
		default:
			out[k] = v
		}
	}
	return out
}

// tokenShipping reads the token's shipping (name and address required).
func tokenShipping(c *api.Call) (any, error) {
	sp, ok := c.Params.Obj("shipping")
	if !ok {
		return nil, nil
	}
	name, _ := sp.Str("name")
	if name == "" {
		return nil, apierr.MissingParam("shipping[name]")
	}
	addr, ok := sp.Obj("address")
	if !ok {
		return nil, apierr.MissingParam("shipping[address]")
	}
	a := emptyAddress()
	for k := range a {
		if v, ok := addr.Str(k); ok && v != "" {
			a[k] = v
		}
	}
	phone, _ := sp.Str("phone")
	return store.Obj{"address": a, "name": name, "phone": api.NilIfEmpty(phone)}, nil
}

func retrieveConfirmationToken(c *api.Call) (any, error) {
	return c.Retrieve("confirmation_token", c.Var("id"))
}

// scratchTokenReturnURL is the return_url a token gives the confirmation
// it is used for, when the request sends none.
const scratchTokenReturnURL = "payments.confirmation_token_return_url"

// confirmReturnURL is the return_url of a confirmation: the request's, or
// the ConfirmationToken's.
func confirmReturnURL(c *api.Call) string {
	if u, _ := c.Params.Str("return_url"); u != "" {
		return u
	}
	u, _ := c.Scratch(scratchTokenReturnURL).(string)
	return u
}

// tokenUse is what a token confirms, as its refusals and fields name it.
type tokenUse struct {
	object string // PaymentIntent, SetupIntent
	field  string // the token's field naming the intent it confirmed
}

var (
	paymentTokenUse = tokenUse{object: "PaymentIntent", field: "payment_intent"}
	setupTokenUse   = tokenUse{object: "SetupIntent", field: "setup_intent"}
)

// applyConfirmationToken confirms intent with the request's
// confirmation_token, if any: the token's payment method (created now when
// the token was made from payment_method_data), setup_future_usage,
// shipping and return_url, each unless the request sends its own (Stripe:
// "the values in this request will take precedence"). The token is used
// up: it names the intent from now on.
// creating says the intent is made by this request.
func applyConfirmationToken(c *api.Call, intent store.Obj, use tokenUse, creating bool) error {
	id, _ := c.Params.Str("confirmation_token")
	if id == "" {
		return nil
	}
	before, ok := c.Tx.Get(c.Account, "confirmation_token", id)
	if !ok {
		return apierr.NoSuchObject("confirmation_token", id, "confirmation_token")
	}
	for _, f := range []string{"payment_intent", "setup_intent"} {
		if used := api.Str(before[f]); used != "" {
			return apierr.InvalidRequest("This ConfirmationToken has already been used to confirm %s; a ConfirmationToken can only be used once. Create a new ConfirmationToken.", used).
				WithParam("confirmation_token")
		}
	}
	if c.Now >= api.Int(before["expires_at"]) {
		return apierr.InvalidRequest("This ConfirmationToken has expired: it can no longer be used to confirm a %s. Create a new ConfirmationToken.", use.object).
			WithParam("confirmation_token")
	}
	if err := applyTokenFutureUsage(c, intent, before, use, creating); err != nil {
		return err
	}
	source, err := tokenSource(c, id)
	if err != nil {
		return err
	}
	if !c.Params.Has("payment_method") && !c.Params.Has("payment_method_data") {
		pm, err := tokenPaymentMethod(c, source)
		if err != nil {
			return err
		}
		intent["payment_method"] = pm["id"]
		if intent["status"] == RequiresPaymentMethod {
			intent["status"] = RequiresConfirmation
		}
	}
	if sh, ok := before["shipping"].(map[string]any); ok && use == paymentTokenUse && !c.Params.Has("shipping") {
		intent["shipping"] = store.Obj{"address": sh["address"], "carrier": nil, "name": sh["name"], "phone": sh["phone"], "tracking_number": nil}
	}
	if u := api.Str(before["return_url"]); u != "" {
		c.SetScratch(scratchTokenReturnURL, u)
	}
	if acceptance, _ := source["acceptance"].(map[string]any); acceptance != nil && !c.Params.Has("mandate_data") {
		c.SetScratch(scratchTokenMandate, acceptance)
	}
	tok := api.Clone(before)
	tok[use.field] = intent["id"]
	return c.Put(tok)
}

// applyTokenFutureUsage sets the intent's setup_future_usage (a
// SetupIntent's usage) from the token, refusing a token collected for
// another usage than the intent's.
func applyTokenFutureUsage(c *api.Call, intent, tok store.Obj, use tokenUse, creating bool) error {
	usage := tok["setup_future_usage"]
	if usage == nil {
		return nil
	}
	field := "setup_future_usage"
	if use == setupTokenUse {
		field = "usage"
		if creating && !c.Params.Has("usage") {
			// A SetupIntent made with the token takes its usage (every
			// SetupIntent has one: off_session unless told).
			intent["usage"] = usage
			return nil
		}
	}
	switch intent[field] {
	case nil:
		intent[field] = usage
	case usage:
	default:
		return apierr.InvalidRequest("The ConfirmationToken's `setup_future_usage` (%s) does not match this %s's `%s` (%s). Collect the payment details with the same setup_future_usage as the %s.", usage, use.object, field, intent[field], use.object).
			WithParam("confirmation_token")
	}
	return nil
}

// scratchTokenMandate holds the mandate acceptance a token carries, for the
// confirmation it is used for when the request sends no mandate_data.
const scratchTokenMandate = "payments.confirmation_token_mandate"

// tokenSource is what a token was made with (metaTokenPM): its payment
// method or the data to make one, and a bank debit's mandate acceptance.
func tokenSource(c *api.Call, token string) (map[string]any, error) {
	raw, ok := c.Tx.GetMeta(metaTokenPM(c.Account, token))
	if !ok {
		return nil, nil
	}
	v, err := jsonenc.UnmarshalString(raw)
	if err != nil {
		return nil, err
	}
	source, _ := v.(map[string]any)
	return source, nil
}

// tokenPaymentMethod is the PaymentMethod a token confirms with (source
// is tokenSource's): the one it was made with, or a new one made now from
// its payment_method_data.
func tokenPaymentMethod(c *api.Call, source map[string]any) (store.Obj, error) {
	if id := api.Str(source["payment_method"]); id != "" {
		pm, ok := c.Tx.Get(c.Account, "payment_method", id)
		if !ok {
			return nil, apierr.NoSuchObject("PaymentMethod", id, "confirmation_token")
		}
		return pm, nil
	}
	pm := api.Clone(api.Obj(source["data"]))
	pm["id"], pm["created"] = c.NewID("payment_method"), c.Now
	if err := c.Put(pm); err != nil {
		return nil, err
	}
	if ref := api.Str(source["ref"]); ref != "" {
		if err := c.Tx.SetMeta(metaCard(c.Account, api.Str(pm["id"])), ref); err != nil {
			return nil, err
		}
	}
	return pm, nil
}
