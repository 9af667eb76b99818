package payments

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/search"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// PaymentIntentKind is the payment_intent object.
var PaymentIntentKind = &api.Kind{
	Object:     "payment_intent",
	Prefix:     "pi_",
	Name:       "payment_intent",
	Expandable: []string{"customer", "payment_method", "latest_charge", "application", "on_behalf_of", "review", "last_payment_error.payment_method", "transfer_data.destination"},
	Indexes:    []store.Index{{Name: "customer", Path: "customer"}},
}

var intentSearchFields = search.Fields{
	"amount": search.Number, "currency": search.Token, "customer": search.Token, "status": search.Token,
	"created": search.Number, "metadata": search.Metadata,
}

// PI statuses.
const (
	RequiresPaymentMethod = "requires_payment_method"
	RequiresConfirmation  = "requires_confirmation"
	RequiresAction        = "requires_action"
	Processing            = "processing"
	RequiresCapture       = "requires_capture"
	Succeeded             = "succeeded"
	Canceled              = "canceled"
)

func intentRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/payment_intents", intentEnums(params.FromStruct(stripe.PaymentIntentCreateParams{}).With("payment_method_data.card", cardDataParam()).Require("amount", "currency")), createIntent),
		api.GET("/v1/payment_intents", params.FromStruct(stripe.PaymentIntentListParams{}), listIntents),
		api.GET("/v1/payment_intents/search", params.FromStruct(stripe.PaymentIntentSearchParams{}).Require("query"), searchIntents),
		publishable(api.GET("/v1/payment_intents/{id}", params.FromStruct(stripe.PaymentIntentRetrieveParams{}).With("client_secret", params.String()), withClientSecret(paymentSide, retrieveIntent))),
		api.POST("/v1/payment_intents/{id}", intentEnums(params.FromStruct(stripe.PaymentIntentUpdateParams{})), updateIntent),
		publishable(api.POST("/v1/payment_intents/{id}/confirm", clientMandate(intentEnums(params.FromStruct(stripe.PaymentIntentConfirmParams{}).With("payment_method_data.card", cardDataParam()).With("client_secret", params.String()))), confirmWithClientSecret(paymentSide, confirmIntent))),
		// Stripe's capture takes transfer_data[amount] only; stripe-go shares
		// a struct with destination for it.
		api.POST("/v1/payment_intents/{id}/capture", params.FromStruct(stripe.PaymentIntentCaptureParams{}).Without("transfer_data.destination"), captureIntent),
		api.POST("/v1/payment_intents/{id}/cancel", params.FromStruct(stripe.PaymentIntentCancelParams{}), cancelIntent),
		api.POST("/v1/payment_intents/{id}/verify_microdeposits", params.FromStruct(stripe.PaymentIntentVerifyMicrodepositsParams{}), verifyIntentMicrodeposits),
		api.POST("/v1/payment_intents/{id}/increment_authorization", params.FromStruct(stripe.PaymentIntentIncrementAuthorizationParams{}).Require("amount"), incrementAuthorization),
		api.POST("/v1/test_helpers/payment_intents/{id}/authenticate", params.Object(map[string]*params.Schema{
			"outcome": params.String(), "expand": params.ArrayOf(params.String()),
		}).Enum("outcome", "succeed", "fail"), authenticateIntent),
		api.POST("/v1/test_helpers/payment_intents/{id}/settle", params.Object(map[string]*params.Schema{
			"outcome": params.String(), "expand": params.ArrayOf(params.String()),
		}).Enum("outcome", "succeed", "fail"), settleIntent),
	}
}

// intentEnums holds a PaymentIntent's create, update and confirm
// parameters that the intent keeps to Stripe's values for them (the
// OpenAPI spec's enums), refused otherwise as Stripe refuses them: "Invalid
// capture_method: must be one of …". A parameter an endpoint does not take
// is left out.
func intentEnums(s *params.Schema) *params.Schema {
	for path, values := range map[string][]string{
		"capture_method":      {"automatic", "automatic_async", "manual"},
		"confirmation_method": {"automatic", "manual"},
		"setup_future_usage":  {"off_session", "on_session"},
		"off_session":         {"one_off", "recurring"},
		"automatic_payment_methods.allow_redirects":                 {"always", "never"},
		"payment_method_options.card.capture_method":                {"manual"},
		"payment_method_options.card.request_three_d_secure":        {"any", "automatic", "challenge"},
		"payment_method_options.card.setup_future_usage":            futureUsages,
		"payment_method_options.sepa_debit.setup_future_usage":      futureUsages,
		"payment_method_options.us_bank_account.setup_future_usage": futureUsages,
		"payment_method_data.allow_redisplay":                       redisplay,
	} {
		if s.Has(path) {
			s = s.Enum(path, values...)
		}
	}
	for typ := range redirectMethods {
		// A type that can hold funds may be captured manually on its own.
		if path := "payment_method_options." + typ + ".capture_method"; s.Has(path) {
			s = s.Enum(path, "manual")
		}
	}
	return s
}

// checkClientFutureUsage keeps a confirmation with the publishable key
// from lowering the setup_future_usage the server set: the API reference
// lets it change the value only from on_session to off_session. Stripe's
// words for the refusal are not known.
func checkClientFutureUsage(c *api.Call, pi store.Obj) error {
	current := api.Str(pi["setup_future_usage"])
	if !c.Publishable || current == "" || !c.Params.Has("setup_future_usage") {
		return nil
	}
	asked, _ := c.Params.Str("setup_future_usage") // empty when unset
	if asked == current || (current == "on_session" && asked == "off_session") {
		return nil
	}
	return aboutIntent(apierr.InvalidRequest("This PaymentIntent's `setup_future_usage` is `%s`: with a publishable key it can only be changed from `on_session` to `off_session`.", current).WithParam("setup_future_usage"), pi)
}

// confirmedOffSession says the confirmation's off_session has the
// customer away: true, or the kind of merchant-initiated payment
// (one_off, recurring) the API takes in its place, which stripe-go's
// boolean cannot send.
func confirmedOffSession(c *api.Call) bool {
	if b, ok := c.Params.Bool("off_session"); ok {
		return b
	}
	kind, _ := c.Params.Str("off_session")
	return kind == "one_off" || kind == "recurring"
}

// captureMethodFor is how a payment by a method of the type is captured:
// payment_method_options[<type>][capture_method] (manual) when set, as
// it overrides the intent's capture_method for that type, else the
// intent's.
func captureMethodFor(pi store.Obj, typ string) string {
	if v := api.Str(api.Obj(api.Obj(pi["payment_method_options"])[typ])["capture_method"]); v != "" {
		return v
	}
	return api.Str(pi["capture_method"])
}

// futureUsages are the values of a payment method type's own
// setup_future_usage ("none" saving nothing).
var futureUsages = []string{"none", "off_session", "on_session"}

// Guards let other resource families veto direct changes to a
// PaymentIntent they own (an invoice's default payment, a Checkout
// Session's payment): each returns an error for the action ("update",
// "cancel", "confirm") or nil.
var Guards []func(c *api.Call, pi store.Obj, action string) error

// guard runs the Guards; the first refusal wins.
func guard(c *api.Call, pi store.Obj, action string) error {
	for _, g := range Guards {
		if err := g(c, pi, action); err != nil {
			return err
		}
	}
	return nil
}

// OnChange is called inside the transaction whenever a PaymentIntent
// changes status (billing credits invoices when their payments succeed).
var OnChange []func(c *api.Call, ch IntentChange) error

// OnConfirmFailed is called, after OnChange, when a confirmation through
// the API (a client's, or a hosted page's) ends in a failed attempt: the
// intent, with its last_payment_error, needs a new payment method.
// Billing counts it as a payment attempt of the invoice the intent pays.
var OnConfirmFailed []func(c *api.Call, pi store.Obj) error

// IntentChange is a PaymentIntent's move from one status to another, as
// the hooks see it once the request's own work is done.
type IntentChange struct {
	ID, From, To string
	stored       []byte // the intent as stored at the change
}

// Intent is the PaymentIntent as it was right after the change, decoded
// only for the hooks that need more than its statuses.
func (ch IntentChange) Intent() store.Obj {
	v, err := jsonenc.Unmarshal(ch.stored)
	o, _ := v.(map[string]any)
	if err != nil || o == nil {
		panic("payments: a stored intent does not decode")
	}
	return o
}

// checkAmount refuses an amount below the currency's minimum charge or
// above eight digits, in Stripe's words: "Amount must be at least $0.50
// usd".
func checkAmount(c *api.Call, amount int64, code string) error {
	switch {
	case amount < currency.Minimum(code):
		return apierr.InvalidRequest("Amount must be at least %s %s", currency.Format(currency.Minimum(code), code), code).WithParam("amount").WithCode("amount_too_small")
	case amount > currency.MaxAmount:
		return apierr.InvalidRequest("Amount must be no more than %s %s", currency.Format(currency.MaxAmount, code), code).WithParam("amount").WithCode("amount_too_large")
	}
	return checkTens(amount, code)
}

// checkTens refuses a three-decimal currency's amount (BHD, JOD, KWD, OMR,
// TND, in thousandths) whose last digit is not 0: Stripe's payment flows
// require whole tens (docs.stripe.com/currencies#three-decimal). Stripe's
// message is not documented; the wording is the emulator's. It refuses
// too an ISK amount that is not whole krónur (a multiple of 100: ISK stays
// two-decimal in the API), in the words of Stripe's support article on
// the deprecation of fractional ISK charges and refunds.
func checkTens(amount int64, code string) error {
	if code == "isk" && amount%100 != 0 {
		return apierr.InvalidRequest("Invalid amount. Currency ISK has become effectively zero-decimal and charged amounts must be evenly divisible by 100. See https://stripe.com/docs/currencies#special-cases for more information.").
			WithParam("amount").WithCode("invalid_charge_amount_no_decimal_compatible")
	}
	if amount%10 == 0 || currency.Decimals(code) != 3 {
		return nil
	}
	down := amount - amount%10
	return apierr.InvalidRequest("Amounts in %s must be divisible by 10 (their last digit must be 0): %d is not. Round to the nearest ten, such as %d or %d.", code, amount, down, down+10).WithParam("amount")
}

// NewIntent builds a PaymentIntent object; billing uses it for invoices.
func NewIntent(c *api.Call, amount int64, currency string, customer any) store.Obj {
	id := c.NewID("payment_intent")
	pi := c.Object("payment_intent", id, store.Obj{
		"amount": amount, "amount_capturable": int64(0), "amount_details": store.Obj{"tip": store.Obj{}},
		"amount_received": int64(0), "application": nil, "application_fee_amount": nil,
		"automatic_payment_methods": store.Obj{"allow_redirects": "always", "enabled": true},
		"canceled_at":               nil, "cancellation_reason": nil, "capture_method": "automatic_async",
		"client_secret": id + "_secret_" + c.IDs.Secret(25), "confirmation_method": "automatic",
		"currency": strings.ToLower(currency), "customer": customer, "description": nil,
		"excluded_payment_method_types": nil, "last_payment_error": nil, "latest_charge": nil,
		"metadata": map[string]any{}, "next_action": nil, "on_behalf_of": nil, "payment_method": nil,
		"payment_method_configuration_details": nil, "payment_method_options": store.Obj{},
		"payment_method_types": []any{"card"}, "processing": nil, "receipt_email": nil, "review": nil,
		"setup_future_usage": nil, "shipping": nil, "source": nil, "statement_descriptor": nil,
		"statement_descriptor_suffix": nil, "status": RequiresPaymentMethod, "transfer_data": nil, "transfer_group": nil,
	})
	if c.Connected {
		// The platform creates it on its connected account: its Connect
		// application is the intent's application.
		pi["application"] = c.ConnectApplication()
	}
	return pi
}

func createIntent(c *api.Call) (any, error) {
	amount, _ := c.Params.Int("amount")
	cur, _ := c.Params.Str("currency")
	if !currency.Supported(strings.ToLower(cur)) {
		return nil, currency.Invalid(cur, "currency")
	}
	if err := checkAmount(c, amount, strings.ToLower(cur)); err != nil {
		return nil, err
	}
	var customer any
	if cus, ok := c.Params.Str("customer"); ok && cus != "" {
		o, ok := c.Tx.Get(c.Account, "customer", cus)
		if !ok || api.Bool(o["deleted"]) {
			return nil, apierr.NoSuchObject("customer", cus, "customer")
		}
		customer = cus
	}
	pi := NewIntent(c, amount, cur, customer)
	if err := applyIntentParams(c, pi); err != nil {
		return nil, err
	}
	confirm, _ := c.Params.Bool("confirm")
	if !confirm {
		for _, p := range []string{"off_session", "return_url", "error_on_requires_action", "mandate_data", "confirmation_token"} {
			if c.Params.Has(p) {
				return nil, apierr.InvalidRequest("You can only pass %s when confirm=true.", p).WithParam(p)
			}
		}
		if err := blikCodeOutsideConfirmation(c); err != nil {
			return nil, err
		}
	}
	if err := checkReturnURLScheme(c); err != nil {
		return nil, err
	}
	if err := applyConfirmationToken(c, pi, paymentTokenUse, true); err != nil {
		return nil, err
	}
	if err := applyIntentConfiguration(c, pi, true, "Payment Intent", false); err != nil {
		return nil, err
	}
	paymentOptionDefaults(pi)
	if err := checkCardDescriptor(c, pi); err != nil {
		return nil, err
	}
	if err := checkSettlementMerchant(pi); err != nil {
		return nil, err
	}
	if err := c.Insert(pi); err != nil {
		return nil, err
	}
	if !confirm {
		return pi, nil
	}
	return confirmWith(c, pi)
}

// intentLengths are the string limits of a PaymentIntent's parameters
// in Stripe's OpenAPI spec (create, update, capture and
// increment_authorization; each checks those it takes).
var intentLengths = []api.MaxLength{{Path: "description", Limit: 1000}, {Path: "statement_descriptor", Limit: 22},
	{Path: "statement_descriptor_suffix", Limit: 22}, {Path: "payment_method_configuration", Limit: 100}}

// checkIntentStrings refuses the strings of a PaymentIntent's create,
// update, capture or increment_authorization that Stripe would not take:
// longer than its OpenAPI spec allows, or a statement descriptor (or
// suffix) without a letter or with one of the characters Stripe's
// statement descriptor guide forbids (< > \ ' " *). The refusals'
// wording is the emulator's (Stripe's is not documented).
func checkIntentStrings(c *api.Call) error {
	if err := c.CheckLengths(intentLengths...); err != nil {
		return err
	}
	for _, f := range [...]string{"statement_descriptor", "statement_descriptor_suffix"} {
		d, _ := c.Params.Str(f)
		switch {
		case d == "":
		case strings.ContainsAny(d, `<>\'"*`):
			return apierr.InvalidRequest("The %s cannot contain any of the special characters <, >, \\, ', \" or *.", strings.ReplaceAll(f, "_", " ")).WithParam(f)
		case !strings.ContainsFunc(d, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }):
			return apierr.InvalidRequest("The %s must contain at least one letter.", strings.ReplaceAll(f, "_", " ")).WithParam(f)
		}
	}
	return nil
}

// CheckIntentInputs refuses the strings and the receipt_email a
// PaymentIntent would not take, for what makes intents later (a Checkout
// Session's payment_intent_data) to refuse them up front.
func CheckIntentInputs(c *api.Call) error {
	if err := checkIntentStrings(c); err != nil {
		return err
	}
	if e, _ := c.Params.Str("receipt_email"); e != "" {
		if err := customers.CheckEmail(e, "receipt_email"); err != nil {
			return err
		}
	}
	return nil
}

// applyIntentParams sets what create, update and confirm share.
func applyIntentParams(c *api.Call, pi store.Obj) error {
	if err := CheckIntentInputs(c); err != nil {
		return err
	}
	// use_stripe_sdk only says how a client will handle next_action;
	// radar_options feed fraud scoring, which test mode does not do;
	// mandate_data is read when a bank debit is confirmed (a card payment
	// has no mandate).
	c.Inert("use_stripe_sdk", "radar_options", "mandate_data")
	if err := checkIntentMethodOptions(c); err != nil {
		return err
	}
	if err := applyConnect(c, pi); err != nil {
		return err
	}
	if types := c.Params.Strings("excluded_payment_method_types"); len(types) > 0 {
		pi["excluded_payment_method_types"] = api.Anys(types)
	}
	c.Copy(pi, "description", "receipt_email", "shipping", "statement_descriptor", "statement_descriptor_suffix", "transfer_group", "setup_future_usage")
	pi["shipping"] = wholeShipping(pi["shipping"])
	if v, ok := c.Params.Get("payment_method_options"); ok {
		pi["payment_method_options"] = paymentShownOptions.shown(mergeMethodOptions(api.Obj(pi["payment_method_options"]), api.Obj(v)))
		if api.Obj(v)["acss_debit"] != nil {
			if err := checkACSSOptions(api.Obj(pi["payment_method_options"])); err != nil {
				return err
			}
		}
	}
	if err := checkCustomerBalanceOptions(c, pi); err != nil {
		return err
	}
	if v, ok := c.Params.Str("capture_method"); ok && v != "" {
		pi["capture_method"] = v
	}
	if v, ok := c.Params.Str("confirmation_method"); ok && v != "" {
		pi["confirmation_method"] = v
	}
	if c.Params.Has("payment_method_types") && c.Params.Has("automatic_payment_methods") {
		return apierr.Exclusive("automatic_payment_methods", "payment_method_types")
	}
	if c.Params.Has("payment_method") && c.Params.Has("payment_method_data") {
		return apierr.Exclusive("payment_method", "payment_method_data")
	}
	if types := c.Params.Strings("payment_method_types"); len(types) > 0 {
		list := make([]any, len(types))
		for i, t := range types {
			if e := retiredType(t, "payment_method_types"); e != nil {
				return e
			}
			if !supportedTypes[t] && !readerTypes[t] && !listedOnly[t] {
				return apierr.InvalidRequest("The payment method type %q is invalid. stripe-emu supports "+supportedList+", link (listed only) and, paid on a Terminal reader, card_present and interac_present.", t).WithParam("payment_method_types")
			}
			list[i] = t
		}
		if err := checkTypesCurrency(pi, list, "payment_method_types"); err != nil {
			return err
		}
		pi["payment_method_types"] = list
		pi["automatic_payment_methods"] = nil
	} else if apm, ok := c.Params.Obj("automatic_payment_methods"); ok {
		pi["automatic_payment_methods"] = automaticPaymentMethods(apm)
	}
	if pmID, ok := c.Params.Str("payment_method"); ok && pmID != "" {
		pm, err := resolvePaymentMethod(c, pmID, "payment_method")
		if err != nil {
			return err
		}
		pi["payment_method"] = pm["id"]
		methodChosen(pi)
	} else if pmd, ok := c.Params.Obj("payment_method_data"); ok {
		pm, err := paymentMethodFromData(c, pmd)
		if err != nil {
			return err
		}
		pi["payment_method"] = pm["id"]
		methodChosen(pi)
	} else if c.Params.Unset("payment_method") {
		methodUnset(pi)
	}
	return c.ApplyMetadata(pi)
}

// mergeMethodOptions is an intent's payment_method_options after a
// request: each type's options are merged into what is stored,
// as Stripe's update reference describes (an option not sent stays; one
// sent empty is unset, so absent rather than null; a type sent empty
// drops all its options).
func mergeMethodOptions(stored, sent store.Obj) store.Obj {
	out := api.Clone(stored)
	if out == nil {
		out = store.Obj{}
	}
	for typ, v := range sent {
		opts, isObj := v.(map[string]any)
		if !isObj {
			delete(out, typ) // payment_method_options[<type>]= unsets them all
			continue
		}
		merged := api.Clone(api.Obj(out[typ]))
		if merged == nil {
			merged = store.Obj{}
		}
		for k, o := range opts {
			if o == nil || o == "" {
				delete(merged, k)
			} else {
				merged[k] = o
			}
		}
		out[typ] = merged
	}
	return out
}

// checkTypesCurrency refuses an intent's currency that one of its
// payment method types does not take (param names what changed: the
// types or the currency).
func checkTypesCurrency(pi store.Obj, types []any, param string) error {
	return CheckTypesCurrency("PaymentIntent", pi["currency"], types, param)
}

// CheckTypesCurrency refuses payment method types of which one does not
// take currency, on the object named (a PaymentIntent, a Checkout
// Session). currency is the object's field as it holds it, so the check
// boxes nothing.
func CheckTypesCurrency(object string, currency any, types []any, param string) error {
	for _, t := range types {
		if typ := api.Str(t); !currencyAllowed(typ, currency) {
			return apierr.InvalidRequest("The currency provided (%s) is invalid for one or more payment method types on this %s. The payment method type %s only supports the following currencies: %s.", currency, object, typ, strings.Join(methodCurrencies(typ), ", ")).WithParam(param)
		}
	}
	return nil
}

// methodUnset takes an intent's payment method away (payment_method sent
// empty, which stripe-go's update params document as unsetting it): one
// waiting to be confirmed or authenticated needs a payment method again.
func methodUnset(intent store.Obj) {
	intent["payment_method"] = nil
	switch intent["status"] {
	case RequiresConfirmation, RequiresAction:
		intent["status"] = RequiresPaymentMethod
		intent["next_action"] = nil
	}
}

// methodChosen moves an intent (PaymentIntent or SetupIntent) that was
// given a payment method to requires_confirmation: Stripe has an intent
// confirmed again whenever its payment method is set, even one that was
// waiting for the customer's action on the method it had.
func methodChosen(intent store.Obj) {
	switch intent["status"] {
	case RequiresPaymentMethod, RequiresAction:
		intent["status"] = RequiresConfirmation
		intent["next_action"] = nil
	}
}

// connectTerms are how Stripe's Connect refusals name what is paid for:
// a PaymentIntent, or a charge of the Charges API.
type connectTerms struct {
	object            string // in "the PaymentIntent's amount"
	feeWithoutConnect string // an application fee with neither a destination nor a connected account
}

var intentTerms = connectTerms{
	object: "PaymentIntent",
	feeWithoutConnect: "Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment " +
		"(using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).",
}

// applyConnect is applyConnectWith for a PaymentIntent.
func applyConnect(c *api.Call, pi store.Obj) error { return applyConnectWith(c, pi, intentTerms) }

// ApplyIntentConnect sets the Connect fields of what will make
// PaymentIntents (a payment link), held to a PaymentIntent's refusals; o
// without an amount of its own is not held to one.
func ApplyIntentConnect(c *api.Call, o store.Obj) error { return applyConnectWith(c, o, intentTerms) }

// applyConnectWith sets a platform's Connect fields: a destination charge
// (transfer_data[destination], optionally transfer_data[amount]), the
// settlement merchant (on_behalf_of) and the platform's cut
// (application_fee_amount), with Stripe's refusals. The money moves when
// the charge's funds settle (settleFunds): a transfer to the destination,
// an application fee to the platform.
func applyConnectWith(c *api.Call, pi store.Obj, terms connectTerms) error {
	if td, ok := c.Params.Obj("transfer_data"); ok {
		dest, _ := td.Str("destination")
		if dest != "" {
			if pi["transfer_data"] != nil && api.Str(api.Obj(pi["transfer_data"])["destination"]) != dest {
				return apierr.InvalidRequest("You cannot change `transfer_data[destination]` once it is set.").WithParam("transfer_data[destination]")
			}
			if err := destinationAccount(c, dest, "transfer_data[destination]"); err != nil {
				return err
			}
		} else if pi["transfer_data"] == nil {
			return apierr.MissingParam("transfer_data[destination]")
		} else {
			dest = api.Str(api.Obj(pi["transfer_data"])["destination"])
		}
		out := store.Obj{"destination": dest}
		if amount, ok := td.Int("amount"); ok {
			if amount < 1 {
				// A destination charge transfers something (Stripe takes
				// no empty or negative transfer).
				return apierr.InvalidRequest("This value must be greater than or equal to 1.").WithParam("transfer_data[amount]").WithCode("parameter_invalid_integer")
			}
			if pi["amount"] != nil && amount > api.Int(pi["amount"]) {
				return apierr.InvalidRequest("The amount to transfer (`transfer_data[amount]`) cannot be greater than the %s's amount.", terms.object).WithParam("transfer_data[amount]")
			}
			out["amount"] = amount
		}
		pi["transfer_data"] = out
	}
	if obo, ok := c.Params.Str("on_behalf_of"); ok && obo != "" {
		if err := connectedAccount(c, "account", obo, "on_behalf_of"); err != nil {
			return err
		}
		pi["on_behalf_of"] = obo
	}
	if fee, ok := c.Params.Int("application_fee_amount"); ok {
		if fee < 0 {
			// 0 is taken: no fee is collected then.
			return apierr.InvalidRequest("This value must be greater than or equal to 0.").WithParam("application_fee_amount").WithCode("parameter_invalid_integer")
		}
		if pi["transfer_data"] == nil && !c.Connected {
			return apierr.InvalidRequest("%s", terms.feeWithoutConnect).WithParam("application_fee_amount")
		}
		if pi["amount"] != nil && fee > api.Int(pi["amount"]) {
			return apierr.InvalidRequest("The application fee (`application_fee_amount`) cannot be greater than the %s's amount.", terms.object).WithParam("application_fee_amount")
		}
		pi["application_fee_amount"] = fee
	}
	if td := api.Obj(pi["transfer_data"]); td["amount"] != nil && pi["application_fee_amount"] != nil {
		// Stripe's two ways for a platform to keep part of a destination
		// charge; how they combine is not emulated.
		return apierr.InvalidRequest("stripe-emu does not emulate a destination charge with both `transfer_data[amount]` and `application_fee_amount`: use one of them.").WithParam("application_fee_amount")
	}
	return nil
}

// connectedAccount checks that id is one of the platform's connected
// accounts, as a destination or on_behalf_of must be (kind names it in
// the error).
func connectedAccount(c *api.Call, kind, id, param string) error {
	if c.Connected {
		return apierr.InvalidRequest("Connected accounts cannot send funds to other accounts: `%s` can only be used by the platform.", param).WithParam(param)
	}
	if id == c.Platform || !c.Tx.Exists(c.Platform, "account", id) {
		return apierr.NoSuchObject(kind, id, param)
	}
	return nil
}

// transferCapabilities are the capabilities any one of which, active,
// lets a connected account receive funds from the platform.
var transferCapabilities = []string{"transfers", "crypto_transfers", "legacy_payments"}

// destinationAccount checks a destination charge's destination (named by
// param): one of the platform's connected accounts that can receive
// funds, as Stripe refuses one whose transfers capability is not active
// (requested at creation, active once onboarding completes).
func destinationAccount(c *api.Call, id, param string) error {
	if err := connectedAccount(c, "destination", id, param); err != nil {
		return err
	}
	acct, _ := c.Tx.Get(c.Platform, "account", id)
	caps := api.Obj(acct["capabilities"])
	for _, name := range transferCapabilities {
		if caps[name] == "active" {
			return nil
		}
	}
	return apierr.InvalidRequest("Your destination account needs to have at least one of the following capabilities enabled: %s", strings.Join(transferCapabilities, ", ")).
		WithParam(param).WithCode("insufficient_capabilities_for_transfer")
}

// cardDataParam is payment_method_data[card]: a card's details (number,
// expiry, CVC) or a token, as POST /v1/payment_methods takes them. Stripe
// takes it (test mode: for test cards) though its spec, and so stripe-go,
// leave it out.
func cardDataParam() *params.Schema { return params.FromStruct(stripe.PaymentMethodCreateCardParams{}) }

// paymentMethodFromData creates the PaymentMethod described inline by
// payment_method_data (card tokens, sepa_debit, us_bank_account).
func paymentMethodFromData(c *api.Call, pmd params.Values) (store.Obj, error) {
	if pmd.Unset("allow_redisplay") {
		// Named in full: the refusals below are named after the switch.
		return nil, apierr.InvalidEmpty("payment_method_data[allow_redisplay]")
	}
	typ, _ := pmd.Str("type")
	bdp, hasBD := pmd.Obj("billing_details")
	bd := billingDetails(bdp, hasBD)
	sub := *c
	sub.Params = pmd
	var o store.Obj
	var err error
	switch typ {
	case "card":
		o, err = cardFromParams(&sub, bd)
	case "sepa_debit":
		o, err = sepaFromParams(&sub, bd)
	case "us_bank_account":
		o, err = usBankFromParams(&sub, bd)
	case "bacs_debit":
		o, err = bacsFromParams(&sub, bd)
	case "au_becs_debit":
		o, err = becsFromParams(&sub, bd)
	case "acss_debit":
		o, err = acssFromParams(&sub, bd)
	case "customer_balance":
		pmd.MarkRead("customer_balance") // {}: nothing to read
		o = customerBalanceMethod(c, bd)
	case "oxxo", "boleto", "konbini", "multibanco":
		o, err = voucherFromParams(&sub, typ, bd)
	case "":
		return nil, apierr.MissingParam("payment_method_data[type]")
	default:
		if isRedirect(typ) {
			o, err = redirectFromParams(&sub, typ, bd)
			break
		}
		if e := retiredType(typ, "payment_method_data[type]"); e != nil {
			return nil, e
		}
		if listedOnly[typ] {
			return nil, linkRefused("payment_method_data[type]")
		}
		return nil, apierr.InvalidRequest("The payment method type `%s` is not supported by stripe-emu.", typ).WithParam("payment_method_data[type]")
	}
	if err == nil {
		// A Radar session is a fraud signal about the customer's browser;
		// test mode scores nothing.
		pmd.MarkRead("radar_options")
		if err = copyRedisplay(pmd, o, "allow_redisplay"); err == nil {
			err = sub.ApplyMetadata(o)
		}
	}
	if err != nil {
		if e, ok := err.(*apierr.Error); ok && e.Param != "" {
			e.Param = "payment_method_data[" + strings.ReplaceAll(e.Param, "[", "][") + "]"
			e.Param = strings.ReplaceAll(e.Param, "]]", "]")
		}
		return nil, err
	}
	return o, c.Put(o)
}

func loadIntent(c *api.Call) (store.Obj, error) {
	return c.Load("payment_intent", c.Var("id"), "id")
}

func retrieveIntent(c *api.Call) (any, error) {
	return c.Retrieve("payment_intent", c.Var("id"))
}

func unexpectedState(verb string, pi store.Obj, allowed ...string) error {
	e := apierr.InvalidRequest("You cannot %s this PaymentIntent because it has a status of %s. Only a PaymentIntent with one of the following statuses may be %s: %s.",
		verb, pi["status"], pastTense(verb), strings.Join(allowed, ", "))
	return aboutIntent(e.WithCode("payment_intent_unexpected_state"), pi)
}

// aboutIntent adds the PaymentIntent a refusal is about to its body, as
// Stripe's errors on an intent's endpoints carry it (error.payment_intent).
func aboutIntent(e *apierr.Error, pi store.Obj) *apierr.Error {
	e.PaymentIntent = pi
	return e
}

// captureTooLarge is Stripe's refusal of an amount_to_capture above what
// is left to capture (observed, amount_too_large).
const captureTooLarge = "The payment could not be captured because the requested capture amount is greater than the amount you can capture for this charge. " +
	"If you are trying to collect a tip or over-capture, your account might not be configured for those features. Contact us via https://support.stripe.com/contact/"

func pastTense(verb string) string {
	switch verb {
	case "cancel":
		return "canceled"
	case "capture":
		return "captured"
	}
	return verb + "ed"
}

func updateIntent(c *api.Call) (any, error) {
	before, err := loadIntent(c)
	if err != nil {
		return nil, err
	}
	if err := guard(c, before, "update"); err != nil {
		return nil, err
	}
	after := api.Clone(before)
	editable := map[string]bool{RequiresPaymentMethod: true, RequiresConfirmation: true, RequiresAction: true}
	for _, p := range []string{"amount", "currency", "payment_method", "payment_method_types", "payment_method_configuration", "capture_method", "setup_future_usage", "customer"} {
		if c.Params.Has(p) && !editable[api.Str(before["status"])] {
			return nil, aboutIntent(apierr.InvalidRequest("This PaymentIntent's %s could not be updated because it has a status of %s. You may only update the %s of a PaymentIntent with one of the following statuses: requires_payment_method, requires_confirmation, requires_action.", p, before["status"], p).WithParam(p).WithCode("payment_intent_unexpected_state"), before)
		}
	}
	// receipt_email has statuses of its own, as Stripe answered an
	// integration (solspace/craft-freeform#2644): neither processing nor
	// canceled among them.
	if st := before["status"]; c.Params.Has("receipt_email") && (st == Processing || st == Canceled) {
		return nil, aboutIntent(apierr.InvalidRequest("This PaymentIntent's receipt_email could not be updated because it has a status of %s. You may only update the receipt_email of a PaymentIntent with one of the following statuses: requires_payment_method, requires_confirmation, requires_action, requires_capture, succeeded.", before["status"]).WithParam("receipt_email").WithCode("payment_intent_unexpected_state"), before)
	}
	if captured := before["status"] == Succeeded || before["status"] == Processing; captured {
		// The fee and the transfer were settled with the capture (a
		// processing debit's charge is captured, its money moving when it
		// settles): a new value would show money that never moved.
		for _, p := range [][2]string{{"application_fee_amount", "application_fee_amount"}, {"transfer_data.amount", "transfer_data[amount]"}} {
			if c.Params.Has(p[0]) {
				return nil, aboutIntent(apierr.InvalidRequest("The parameter %s cannot be updated on a PaymentIntent after a capture has already been made.", p[1]).WithParam(p[1]), before)
			}
		}
	}
	if g, ok := c.Params.Str("transfer_group"); ok && before["transfer_group"] != nil && g != api.Str(before["transfer_group"]) {
		// Stripe's reference: transfer_group can be provided only while
		// it is not set (a destination charge sets its own); the wording
		// is the emulator's.
		return nil, aboutIntent(apierr.InvalidRequest("You cannot change `transfer_group` once it is set (it is %s).", before["transfer_group"]).WithParam("transfer_group"), before)
	}
	if cur, ok := c.Params.Str("currency"); ok && cur != "" {
		if !currency.Supported(strings.ToLower(cur)) {
			return nil, currency.Invalid(cur, "currency")
		}
		after["currency"] = strings.ToLower(cur)
	}
	if amount, ok := c.Params.Int("amount"); ok {
		if err := checkAmount(c, amount, api.Str(after["currency"])); err != nil {
			return nil, err
		}
		after["amount"] = amount
	} else if _, ok := c.Params.Str("currency"); ok {
		// A new three-decimal currency holds the kept amount to whole tens.
		if err := checkTens(api.Int(after["amount"]), api.Str(after["currency"])); err != nil {
			return nil, err
		}
	}
	if cus, ok := c.Params.Str("customer"); ok && cus != "" {
		if !c.Tx.Exists(c.Account, "customer", cus) {
			return nil, apierr.NoSuchObject("customer", cus, "customer")
		}
		after["customer"] = cus
	}
	if err := blikCodeOutsideConfirmation(c); err != nil {
		return nil, err
	}
	if err := applyIntentParams(c, after); err != nil {
		return nil, err
	}
	if err := applyIntentConfiguration(c, after, false, "Payment Intent", false); err != nil {
		return nil, err
	}
	paymentOptionDefaults(after)
	if c.Params.Has("currency") && !api.Bool(api.Obj(after["automatic_payment_methods"])["enabled"]) {
		// The types listed stay; the new currency must suit them.
		types, _ := after["payment_method_types"].([]any)
		if err := checkTypesCurrency(after, types, "currency"); err != nil {
			return nil, err
		}
	}
	if err := checkCardDescriptor(c, after); err != nil {
		return nil, err
	}
	if err := checkIntentCashChange(c, before, after); err != nil {
		return nil, err
	}
	return after, saveIntent(c, before, after)
}

// saveIntent stores a changed PaymentIntent (Stripe has no
// payment_intent.updated event: status moves have their own) and lets
// other families react.
func saveIntent(c *api.Call, before, after store.Obj) error {
	return saveIntentEmitting(c, before, after, "")
}

// saveIntentEmitting is saveIntent followed by event (the intent's own,
// "" for none); when the status moved, one encoding serves both.
func saveIntentEmitting(c *api.Call, before, after store.Obj, event string) error {
	switch {
	case before["status"] == after["status"]:
		if err := c.Save(before, after); err != nil {
			return err
		}
		if event != "" {
			c.Emit(event, after, nil)
		}
	case event != "":
		if err := c.PutEmit(after, event, nil); err != nil {
			return err
		}
	default:
		if err := c.Put(after); err != nil {
			return err
		}
	}
	if before["status"] != after["status"] && len(OnChange) > 0 {
		// Hooks run when the request's work is flushed; the stored bytes
		// keep the intent as it was now, whatever changes it later.
		stored, ok := c.Stored(after)
		if !ok {
			stored, _ = jsonenc.Marshal(after) // every branch above stores it; this is a safety net
		}
		ch := IntentChange{ID: api.Str(after["id"]), From: api.Str(before["status"]), To: api.Str(after["status"]), stored: stored}
		c.Later(func() error {
			for _, fn := range OnChange {
				if err := fn(c, ch); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return nil
}

func confirmIntent(c *api.Call) (any, error) {
	before, err := loadIntent(c)
	if err != nil {
		return nil, err
	}
	if err := guard(c, before, "confirm"); err != nil {
		return nil, err
	}
	switch before["status"] {
	case RequiresPaymentMethod, RequiresConfirmation, RequiresAction:
	case Succeeded:
		// Stripe's own answer to a second confirmation, which integrations
		// quote and match on to tell a double submit.
		e := apierr.InvalidRequest("You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.")
		return nil, aboutIntent(e.WithCode("payment_intent_unexpected_state"), before)
	default:
		return nil, unexpectedState("confirm", before, RequiresConfirmation, RequiresPaymentMethod, RequiresAction)
	}
	if err := checkReturnURLScheme(c); err != nil {
		return nil, err
	}
	if err := checkClientFutureUsage(c, before); err != nil {
		return nil, err
	}
	pi := api.Clone(before)
	if err := applyIntentParams(c, pi); err != nil {
		return nil, err
	}
	if err := applyConfirmationToken(c, pi, paymentTokenUse, false); err != nil {
		return nil, err
	}
	if err := applyIntentConfiguration(c, pi, false, "Payment Intent", false); err != nil {
		return nil, err
	}
	paymentOptionDefaults(pi)
	if err := checkIntentCashChange(c, before, pi); err != nil {
		return nil, err
	}
	if err := c.Put(pi); err != nil {
		return nil, err
	}
	res, err := confirmWith(c, pi)
	var kept *api.KeptError
	if errors.As(err, &kept) && len(OnConfirmFailed) > 0 {
		if ferr := c.Flush(); ferr != nil {
			return nil, ferr
		}
		after, _ := c.Tx.Get(c.Account, "payment_intent", api.Str(pi["id"]))
		if after["status"] == RequiresPaymentMethod {
			for _, fn := range OnConfirmFailed {
				if ferr := fn(c, after); ferr != nil {
					return nil, ferr
				}
			}
		}
	}
	return res, err
}

// checkCardDescriptor refuses a full statement_descriptor on an intent
// that can be paid by card: since January 2024 Stripe answers 400 and wants
// statement_descriptor_suffix, the card's descriptor being the account's
// prefix and that suffix.
func checkCardDescriptor(c *api.Call, pi store.Obj) error {
	if d, _ := c.Params.Str("statement_descriptor"); d == "" {
		return nil
	}
	types, _ := pi["payment_method_types"].([]any)
	if !slices.Contains(types, any("card")) {
		return nil
	}
	return apierr.InvalidRequest("The `statement_descriptor` parameter is not supported for the `card` payment method type. Use `statement_descriptor_suffix` instead.").WithParam("statement_descriptor")
}

// checkSettlementMerchant refuses a card payment settled by one connected
// account (on_behalf_of) and transferred to another: card networks need the
// settlement merchant to be the business paid. pi is an intent, or a
// Charges API charge's spec (a card, with no payment_method_types).
func checkSettlementMerchant(pi store.Obj) error {
	obo := api.Str(pi["on_behalf_of"])
	dest := api.Str(api.Obj(pi["transfer_data"])["destination"])
	if obo == "" || dest == "" || obo == dest {
		return nil
	}
	if types, listed := pi["payment_method_types"].([]any); listed &&
		!slices.Contains(types, any("card")) && !slices.Contains(types, any("card_present")) {
		return nil
	}
	// Stripe's message goes on to explain why; only this much of it is known.
	return apierr.InvalidRequest("You cannot specify an `on_behalf_of` value that is different from the `transfer_data[destination]` value when using `card` or `card_present` in `payment_method_types`.").WithParam("on_behalf_of")
}

// checkMerchantCapabilities refuses a charge by an account that cannot
// take it, as Stripe does when the charge is made: a card payment made
// directly on a connected account needs its card_payments capability
// active, and a payment settled by a connected account (on_behalf_of)
// needs that account's card_payments active whatever the method.
func checkMerchantCapabilities(c *api.Call, pi store.Obj, methodType string) *apierr.Error {
	if obo := api.Str(pi["on_behalf_of"]); obo != "" && !capabilityActive(c, obo, "card_payments") {
		return apierr.InvalidRequest("You cannot create a charge with the `on_behalf_of` parameter set to a connected account with `transfers` but without the `card_payments` capability enabled.")
	}
	if c.Connected && methodType == "card" && !capabilityActive(c, c.Account, "card_payments") {
		return apierr.InvalidRequest("You cannot create a charge on a connected account without the `card_payments` capability enabled.")
	}
	return nil
}

// capabilityActive reports whether the platform's connected account has
// the capability active.
func capabilityActive(c *api.Call, account, name string) bool {
	acct, ok := c.Tx.Get(c.Platform, "account", account)
	return ok && api.Obj(acct["capabilities"])[name] == "active"
}

// automaticPaymentMethods is automatic_payment_methods as an intent shows
// it (redirects allowed unless the request says never).
func automaticPaymentMethods(apm params.Values) store.Obj {
	enabled, _ := apm.Bool("enabled")
	redirects, _ := apm.Str("allow_redirects")
	if redirects == "" {
		redirects = "always"
	}
	return store.Obj{"allow_redirects": redirects, "enabled": enabled}
}

// confirmWith runs a confirmation: the payment method is charged, sent to
// authentication, or set processing. The intent passed is already stored.
func confirmWith(c *api.Call, pi store.Obj) (any, error) {
	res, err := confirmAs(c, pi, true)
	if err != nil {
		return nil, err
	}
	if paid, _ := res.(store.Obj); paid != nil {
		switch paid["status"] {
		case Succeeded, RequiresCapture, Processing:
			if err := useUp(c, paid); err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

// confirmAs is confirmWith; fromAPI is false when Stripe itself confirms
// (invoices, hosted pages), which never refuses for a missing mandate.
func confirmAs(c *api.Call, pi store.Obj, fromAPI bool) (any, error) {
	// Confirmation only sets top-level fields of the intent (nested values
	// are replaced whole, never edited), so a top-level copy is a faithful
	// picture of what it was.
	before := maps.Clone(pi)
	pmID := api.Str(pi["payment_method"])
	if pmID == "" {
		e := apierr.InvalidRequest("You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.").
			WithCode("payment_intent_unexpected_state")
		if c.Var("id") == api.Str(pi["id"]) {
			// The confirm endpoint's intent stays, and is named.
			e = aboutIntent(e, before)
		}
		return nil, e
	}
	if fromAPI && pi["setup_future_usage"] != nil && confirmedOffSession(c) {
		// Nothing is set up while the customer is away (Stripe's words,
		// as integrations quote them).
		e := apierr.InvalidRequest("You cannot confirm with the `off_session` parameter when `setup_future_usage` is also set on the PaymentIntent because you cannot set up future usages when processing payments off-session.").WithParam("off_session")
		if c.Var("id") == api.Str(pi["id"]) {
			e = aboutIntent(e, before)
		}
		return nil, e
	}
	pm, ok := c.Tx.Get(c.Account, "payment_method", pmID)
	if !ok {
		return nil, apierr.NoSuchObject("PaymentMethod", pmID, "payment_method")
	}
	if fromAPI && reuseBlocked(c, pm) {
		return nil, apierr.InvalidRequest(reuseRefused).WithParam("payment_method")
	}
	if err := checkMethodAllowed(pi, pm); err != nil {
		return nil, err
	}
	if fromAPI {
		// Time-driven payments (renewals) are not refused here: what an
		// account cannot charge is refused when a request asks for it.
		if e := checkMerchantCapabilities(c, pi, api.Str(pm["type"])); e != nil {
			return nil, aboutIntent(e, before)
		}
	}
	if e := ownershipRefusal(pm, pi); e != nil {
		if c.Var("id") == api.Str(pi["id"]) {
			// Only an intent that stays is named: a create's is undone.
			e = aboutIntent(e, before)
		}
		return nil, e
	}
	if fromAPI {
		if err := checkReturnURLGiven(c, pi, "Payment Intent"); err != nil {
			return nil, err
		}
	}
	offSession := confirmedOffSession(c)
	returnURL := confirmReturnURL(c)
	errorOnAction, _ := c.Params.Bool("error_on_requires_action")
	pi["last_payment_error"] = nil
	pi["next_action"] = nil
	authKey := metaAuthenticated(c.Account, api.Str(pi["id"]))
	if authed, ok := c.Tx.GetMeta(authKey); ok {
		c.Tx.DeleteMeta(authKey)
		if authed == pmID {
			// The customer already authenticated this method for this
			// manually confirmed intent.
			return chargeAuthenticated(c, before, pi, pm)
		}
	}

	if typ := api.Str(pm["type"]); delayed[typ] && captureMethodFor(pi, typ) == "manual" {
		// A bank debit is collected whole: nothing is held to capture
		// later.
		return nil, apierr.InvalidRequest("The payment method type %s does not support `capture_method=manual`.", typ).WithParam("capture_method")
	}
	if pm["type"] == "customer_balance" {
		return confirmCustomerBalance(c, before, pi, pm)
	}
	if delayed[api.Str(pm["type"])] {
		verify, err := needsMicrodeposits(c, pi, pm)
		if err != nil {
			return nil, err
		}
		if verify && errorOnAction {
			return actionRefused(c, before, pi, pm)
		}
		m, err := intentMandate(c, pi, pm, fromAPI)
		if err != nil {
			return nil, err
		}
		if verify {
			return awaitIntentMicrodeposits(c, before, pi, pm, m)
		}
		return startProcessing(c, before, pi, pm, m)
	}
	if isVoucher(api.Str(pm["type"])) {
		return confirmVoucher(c, before, pi, pm, errorOnAction)
	}
	if isRedirect(api.Str(pm["type"])) {
		if chargesSavedWallet(c, pm) {
			// The customer agreed to later charges when they saved it.
			return charge(c, before, pi, pm, card{})
		}
		if err := checkRedirectConfirm(c, pi, pm, returnURL); err != nil {
			return nil, err
		}
		if pm["type"] == "blik" {
			if err := startBlik(c, before, pi, pm, fromAPI); err != nil {
				return nil, err
			}
		}
		if errorOnAction {
			return actionRefused(c, before, pi, pm)
		}
		if err := keepRedirectAcceptance(c, pi, pm); err != nil {
			return nil, err
		}
		action, err := redirectAction(c, pi, pm, returnURL)
		if err != nil {
			return nil, err
		}
		pi["status"] = RequiresAction
		pi["next_action"] = action
		if err := saveIntentEmitting(c, before, pi, "payment_intent.requires_action"); err != nil {
			return nil, err
		}
		return pi, nil
	}
	cd := cardOf(c, pm)
	switch pm["type"] {
	case "card_present":
		// The card was in the reader: no 3-D Secure in person.
		return charge(c, before, pi, pm, amountDecline(cd, api.Int(pi["amount"])))
	case "interac_present":
		return confirmInterac(c, before, pi, pm)
	}
	needsAuth := cd.Outcome == alwaysAuthenticate ||
		(cd.Outcome == authenticateUnlessSetUp && !(offSession && isSetUp(c, pm))) ||
		(cd.Outcome == authenticateOnSession && !offSession) ||
		// A Link payment is no card's: the card's 3-D Secure request
		// does not reach it (checked only once it is asked for).
		(asksThreeDSecure(pi, cd) && !offSession && pm["type"] != "link")
	if needsAuth {
		// Stripe Billing collecting an invoice off-session (Stripe itself
		// confirming) does not decline a card that asks for 3-D Secure: the
		// intent waits in requires_action for the customer, whom the
		// invoice's payment_action_required tells. A merchant's own
		// off-session confirmation is declined.
		if (offSession && fromAPI) || errorOnAction {
			fail := cardError("authentication_required", "authentication_required", authenticationRequiredMessage, "")
			return decline(c, before, pi, pm, fail)
		}
		pi["status"] = RequiresAction
		pi["next_action"] = nextAction(c, pi, returnURL)
		if err := saveIntentEmitting(c, before, pi, "payment_intent.requires_action"); err != nil {
			return nil, err
		}
		return pi, nil
	}
	return charge(c, before, pi, pm, cd)
}

// asksThreeDSecure reports whether an intent's
// payment_method_options[card][request_three_d_secure] (any, challenge)
// has a card that supports 3-D Secure authenticate, whether or not the
// card itself would ask.
func asksThreeDSecure(intent store.Obj, cd card) bool {
	v := api.Obj(api.Obj(intent["payment_method_options"])["card"])["request_three_d_secure"]
	return (v == "any" || v == "challenge") && !cd.NoThreeDS
}

// actionRefused fails a payment attempt that would wait for the
// customer's action (a redirect, microdeposits) when the confirmation set
// error_on_requires_action: the intent needs a new payment method, as
// after a decline, and the refusal carries it. (A card needing 3-D Secure
// is declined with authentication_required instead, as at Stripe.)
func actionRefused(c *api.Call, before, pi, pm store.Obj) (any, error) {
	e := apierr.InvalidRequest("The provided payment method requires customer actions to complete, but `error_on_requires_action` was set. " +
		"If you'd like to add this payment method to your integration, we recommend that you first upgrade your integration to handle actions.").
		WithCode("payment_intent_action_required")
	e.PaymentMethod = pm
	if err := failAttempt(c, before, pi, pm, e); err != nil {
		return nil, err
	}
	e.PaymentIntent = pi
	return nil, api.Keep(e)
}

// failAttempt ends an attempt to pay with pm in e: the intent needs a new
// payment method, shows e as its last_payment_error and says
// payment_intent.payment_failed.
func failAttempt(c *api.Call, before, pi, pm store.Obj, e *apierr.Error) error {
	pi["status"] = RequiresPaymentMethod
	pi["last_payment_error"] = lastPaymentError(e, pm)
	pi["payment_method"] = nil
	pi["next_action"] = nil
	return saveIntentEmitting(c, before, pi, "payment_intent.payment_failed")
}

// handledBySDK says a client SDK will handle the confirmation's next
// action, so 3-D Secure is use_stripe_sdk even with a return_url (which
// serves as the fallback): use_stripe_sdk=true, or a ConfirmationToken,
// whose use_stripe_sdk is true ("Defaults to true on ConfirmationToken").
func handledBySDK(c *api.Call) bool {
	sdk, _ := c.Params.Bool("use_stripe_sdk")
	return sdk || c.Params.Has("confirmation_token")
}

func nextAction(c *api.Call, pi store.Obj, returnURL string) store.Obj {
	authURL := testPageURL(c, "/v1/test_helpers/payment_intents/"+api.Str(pi["id"])+"/authenticate")
	if returnURL != "" && !handledBySDK(c) {
		return store.Obj{"type": "redirect_to_url", "redirect_to_url": store.Obj{"return_url": returnURL, "url": authURL}}
	}
	return store.Obj{"type": "use_stripe_sdk", "use_stripe_sdk": store.Obj{
		"type": "three_d_secure_redirect", "stripe_js": authURL, "source": "src_" + c.IDs.Secret(24),
	}}
}

func checkMethodAllowed(pi, pm store.Obj) error {
	typ := api.Str(pm["type"])
	if apm := api.Obj(pi["automatic_payment_methods"]); api.Bool(apm["enabled"]) {
		if isRedirect(typ) && apm["allow_redirects"] == "never" {
			return apierr.InvalidRequest("The PaymentMethod provided (%s) requires a redirect, and this PaymentIntent's `automatic_payment_methods[allow_redirects]` is `never`.", typ).WithParam("payment_method").WithCode("payment_intent_incompatible_payment_method")
		}
		if !currencyAllowed(typ, pi["currency"]) {
			return apierr.InvalidRequest("The PaymentMethod provided (%s) is not available for this PaymentIntent's currency (%s).", typ, pi["currency"]).WithParam("payment_method").WithCode("payment_intent_incompatible_payment_method")
		}
		if !followsConfiguration(pi) || listsType(pi, typ) {
			return nil
		}
		// The payment method configuration does not offer it here.
		return notAllowed(pi, typ)
	}
	for _, t := range pi["payment_method_types"].([]any) {
		if t == typ {
			if !currencyAllowed(typ, pi["currency"]) {
				// Types are checked against the currency when set; a hosted
				// page's intent gets the payment method's type directly.
				return apierr.InvalidRequest("The currency provided (%s) is invalid for one or more payment method types on this PaymentIntent. The payment method type %s only supports the following currencies: %s.", pi["currency"], typ, strings.Join(methodCurrencies(typ), ", ")).WithParam("payment_method")
			}
			return nil
		}
	}
	return notAllowed(pi, typ)
}

// notAllowed refuses a payment method whose type the intent does not list.
func notAllowed(pi store.Obj, typ string) error {
	return typeNotListed(pi, typ, "PaymentIntent").WithCode("payment_intent_incompatible_payment_method")
}

// typeNotListed is Stripe's refusal of a payment method of a type an
// intent (object names it: PaymentIntent, SetupIntent) does not list.
func typeNotListed(intent store.Obj, typ, object string) *apierr.Error {
	var names []string
	for _, t := range intent["payment_method_types"].([]any) {
		names = append(names, api.Str(t))
	}
	return apierr.InvalidRequest("The PaymentMethod provided (%s) is not allowed for this %s. Please attach a PaymentMethod of one of the following types: %s. Alternatively, update the allowed payment_method_types for this %s to include \"%s\"", typ, object, strings.Join(names, ", "), object, typ).WithParam("payment_method")
}

func isSetUp(c *api.Call, pm store.Obj) bool {
	_, ok := c.Tx.GetMeta(metaSetUp(c.Account, api.Str(pm["id"])))
	return ok
}

// charge runs a card payment after any authentication.
func charge(c *api.Call, before, pi, pm store.Obj, cd card) (any, error) {
	if cd.Decline != "" && cd.Outcome != succeeds {
		fail := declineOf(cd)
		return decline(c, before, pi, pm, fail)
	}
	if pm["type"] == "card" {
		if fail := checkDecline(paymentChecks(pm, cd), false); fail != nil {
			return decline(c, before, pi, pm, fail)
		}
	}
	capture := captureMethodFor(pi, api.Str(pm["type"]))
	manual := capture == "manual"
	ch := newCharge(c, pi, pm, "succeeded", !manual, nil)
	// With asynchronous capture the balance transaction arrives just after
	// the payment succeeded, as a charge.updated.
	asyncCapture := capture == "automatic_async"
	if !manual && !asyncCapture {
		txn, err := settleFunds(c, ch)
		if err != nil {
			return nil, err
		}
		ch["balance_transaction"] = txn["id"]
	}
	pi["latest_charge"] = ch["id"]
	pi["payment_method"] = pm["id"]
	if ch["review"] != nil {
		pi["review"] = ch["review"]
	}
	event := "payment_intent.succeeded"
	if manual {
		pi["status"] = RequiresCapture
		pi["amount_capturable"] = pi["amount"]
		event = "payment_intent.amount_capturable_updated"
		if err := scheduleIntentExpiry(c, pi, ch); err != nil {
			return nil, err
		}
	} else {
		pi["status"] = Succeeded
		pi["amount_received"] = pi["amount"]
	}
	if redirectMethods[api.Str(pm["type"])].sepa && futureUsage(pi, pm) != nil && pi["customer"] != nil {
		// iDEAL and Bancontact save the bank account behind the payment
		// as a SEPA Direct Debit method, not themselves.
		if err := generateSEPADebit(c, pi, pm, ch); err != nil {
			return nil, err
		}
	} else if pm["type"] == "card_present" {
		// A card read in person is saved as a generated card.
		if err := generatePresentCard(c, pi, pm, ch); err != nil {
			return nil, err
		}
	} else if pm["type"] != "customer_balance" { // a cash balance is not saved for later
		if err := setUpForFuture(c, pi, pm); err != nil {
			return nil, err
		}
	}
	if asyncCapture {
		// Stored once, below, with its balance transaction; the event
		// shows it as it was a moment before.
		c.Emit("charge.succeeded", ch, nil)
	} else if err := c.PutEmit(ch, "charge.succeeded", nil); err != nil {
		return nil, err
	}
	if err := saveIntentEmitting(c, before, pi, event); err != nil {
		return nil, err
	}
	if asyncCapture {
		txn, err := settleFunds(c, ch)
		if err != nil {
			return nil, err
		}
		ch["balance_transaction"] = txn["id"]
		prev := store.Obj{"balance_transaction": nil}
		for _, f := range []string{"transfer", "application_fee"} {
			if ch[f] != nil {
				prev[f] = nil // what the Connect funds moved
			}
		}
		// Stripe attaches the balance transaction moments after answering,
		// as its own work: this charge.updated names no request.
		if err := c.Automatic(func() error { return c.PutEmit(ch, "charge.updated", prev) }); err != nil {
			return nil, err
		}
	}
	if err := openReview(c, ch); err != nil {
		return nil, err
	}
	if !manual {
		// A dispute or early-fraud-warning test card: the cardholder
		// disputes the payment, the issuer warns (moments later at Stripe).
		if err := afterCapture(c, ch, cd); err != nil {
			return nil, err
		}
	}
	return pi, nil
}

// futureUsage is the setup_future_usage that applies to paying with pm:
// its type's own payment_method_options[…][setup_future_usage] when set
// ("none" saving nothing), else the intent's.
func futureUsage(pi, pm store.Obj) any {
	if v := api.Obj(api.Obj(pi["payment_method_options"])[api.Str(pm["type"])])["setup_future_usage"]; v != nil {
		if v == "none" {
			return nil
		}
		return v
	}
	return pi["setup_future_usage"]
}

// setUpForFuture saves the payment method to the customer when the
// intent asks for setup_future_usage.
func setUpForFuture(c *api.Call, pi, pm store.Obj) error {
	if futureUsage(pi, pm) == nil || pi["customer"] == nil {
		return nil
	}
	if _, err := attach(c, pm, api.Str(pi["customer"]), "customer"); err != nil {
		return err
	}
	return c.Tx.SetMeta(metaSetUp(c.Account, api.Str(pm["id"])), "1")
}

// decline records a failed charge and answers Stripe's 402, keeping the
// failed charge, the intent back in requires_payment_method and the
// events.
func decline(c *api.Call, before, pi, pm store.Obj, fail *apierr.Error) (any, error) {
	ch := newCharge(c, pi, pm, "failed", false, fail)
	if err := c.Put(ch); err != nil {
		return nil, err
	}
	fail.Charge = api.Str(ch["id"])
	fail.PaymentMethod = pm
	lpe := lastPaymentError(fail, pm)
	pi["status"] = RequiresPaymentMethod
	pi["latest_charge"] = ch["id"]
	pi["last_payment_error"] = lpe
	pi["payment_method"] = nil
	pi["next_action"] = nil
	if err := saveIntent(c, before, pi); err != nil {
		return nil, err
	}
	c.Emit("charge.failed", ch, nil)
	c.Emit("payment_intent.payment_failed", pi, nil)
	fail.PaymentIntent = pi
	fail.PaymentMethodType = api.Str(pm["type"])
	return nil, api.Keep(fail)
}

func lastPaymentError(e *apierr.Error, pm store.Obj) store.Obj {
	lpe := store.Obj{"type": e.Type, "code": e.Code, "message": e.Message, "doc_url": e.DocURL, "payment_method": pm}
	if e.Charge != "" {
		lpe["charge"] = e.Charge
	}
	if e.DeclineCode != "" {
		lpe["decline_code"] = e.DeclineCode
	}
	if e.Param != "" {
		lpe["param"] = e.Param
	}
	if pm != nil {
		lpe["payment_method_type"] = pm["type"]
	}
	return lpe
}

// startProcessing begins a delayed-notification payment (bank debits):
// the charge is pending until settle time. A debit saved with
// setup_future_usage is attached to the customer now, as the intent
// turns processing (Stripe.js's confirmSepaDebitPayment reference), not
// once it settles.
func startProcessing(c *api.Call, before, pi, pm, mandate store.Obj) (any, error) {
	ch := newCharge(c, pi, pm, "pending", true, nil)
	withMandate(ch, mandate)
	if err := c.Put(ch); err != nil {
		return nil, err
	}
	if err := setUpForFuture(c, pi, pm); err != nil {
		return nil, err
	}
	pi["status"] = Processing
	pi["latest_charge"] = ch["id"]
	pi["processing"] = nil
	if err := saveIntent(c, before, pi); err != nil {
		return nil, err
	}
	settleAt := c.Now + int64(settleDelay(c, pm).Seconds())
	if err := c.Tx.SetMeta(settleKey(c.Account, api.Str(pi["id"])), fmt.Sprint(settleAt)); err != nil {
		return nil, err
	}
	c.Emit("payment_intent.processing", pi, nil)
	c.Emit("charge.pending", ch, nil)
	return pi, nil
}

func captureIntent(c *api.Call) (any, error) {
	if err := checkIntentStrings(c); err != nil {
		return nil, err
	}
	before, err := loadIntent(c)
	if err != nil {
		return nil, err
	}
	if before["status"] == Succeeded {
		// Stripe words this status apart from the others (observed).
		e := apierr.InvalidRequest("This PaymentIntent could not be captured because it has already been captured.")
		return nil, aboutIntent(e.WithCode("payment_intent_unexpected_state"), before)
	}
	if before["status"] != RequiresCapture {
		e := apierr.InvalidRequest("This PaymentIntent could not be captured because it has a status of %s. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.", before["status"])
		return nil, aboutIntent(e.WithCode("payment_intent_unexpected_state"), before)
	}
	chBefore, _ := c.Tx.Get(c.Account, "charge", api.Str(before["latest_charge"]))
	cardDetails := api.Obj(api.Obj(chBefore["payment_method_details"])["card"])
	final := true
	if v, ok := c.Params.Bool("final_capture"); ok {
		final = v
	}
	multi := api.Obj(cardDetails["multicapture"])["status"] == "available"
	if !final {
		if err := checkPartialCapture(c, before, multi); err != nil {
			return nil, err
		}
	}
	capturable := api.Int(before["amount_capturable"])
	capturedBefore := api.Int(before["amount_received"])
	amount := capturable
	if n, ok := c.Params.Int("amount_to_capture"); ok {
		if n < 1 {
			return nil, apierr.InvalidRequest("The amount to capture must be at least 1.").WithParam("amount_to_capture")
		}
		if code := api.Str(before["currency"]); n < currency.Minimum(code) {
			// The currency's minimum charge holds for what is captured too
			// (Stripe answers amount_too_small; its words are the create's).
			return nil, apierr.InvalidRequest("Amount must be at least %s %s", currency.Format(currency.Minimum(code), code), code).WithParam("amount_to_capture").WithCode("amount_too_small")
		} else if err := checkTens(n, code); err != nil {
			// Whole krónur, and three-decimal currencies' last 0, hold for
			// what is captured too.
			return nil, err.(*apierr.Error).WithParam("amount_to_capture")
		}
		over := api.Obj(cardDetails["overcapture"])
		switch {
		case n <= capturable:
		case over["status"] == "available" && final && capturedBefore == 0:
			// Overcapture: up to the brand's limit above the authorization.
			if limit := api.Int(over["maximum_amount_capturable"]); n > limit {
				return nil, apierr.InvalidRequest("The amount to capture (%d) is greater than the maximum amount capturable with overcapture (%d).", n, limit).WithParam("amount_to_capture").WithCode("amount_too_large")
			}
		default:
			return nil, aboutIntent(apierr.InvalidRequest("%s", captureTooLarge).WithParam("amount_to_capture").WithCode("amount_too_large"), before)
		}
		amount = n
	}
	if amount >= capturable {
		final = true // nothing would be left to capture later
	}
	pi := api.Clone(before)
	if err := c.ApplyMetadata(pi); err != nil {
		return nil, err
	}
	if d, _ := c.Params.Str("statement_descriptor"); d != "" && api.Obj(chBefore["payment_method_details"])["type"] == "card" {
		// Stripe's reference: setting it for a card charge is an error.
		return nil, apierr.InvalidRequest("The `statement_descriptor` parameter is not supported for the `card` payment method type. Use `statement_descriptor_suffix` instead.").WithParam("statement_descriptor")
	}
	c.Copy(pi, "statement_descriptor", "statement_descriptor_suffix")
	if err := applyConnect(c, pi); err != nil {
		return nil, err
	}
	if multi {
		key := metaCaptures(c.Account, api.Str(pi["id"]))
		prev, _ := c.Tx.GetMeta(key)
		done, _ := strconv.Atoi(prev)
		if done >= maxCaptures {
			return nil, apierr.InvalidRequest("This PaymentIntent has reached the maximum of %d captures.", maxCaptures).WithCode("payment_intent_unexpected_state")
		}
		if final {
			c.Tx.DeleteMeta(key)
		} else if err := c.Tx.SetMeta(key, strconv.Itoa(done+1)); err != nil {
			return nil, err
		}
	}
	ch := api.Clone(chBefore)
	// The Connect terms an update or this capture set are the charge's,
	// which its transfer and fee follow.
	ch["application_fee_amount"] = pi["application_fee_amount"]
	ch["transfer_data"] = chargeTransferData(pi)
	ch["captured"] = true
	// The capture's descriptors are the charge's, as the capture
	// reference describes them.
	ch["statement_descriptor"], ch["statement_descriptor_suffix"] = pi["statement_descriptor"], pi["statement_descriptor_suffix"]
	ch["calculated_statement_descriptor"] = calculatedDescriptor(c, pi, store.Obj{"type": api.Obj(ch["payment_method_details"])["type"]})
	total := capturedBefore + amount
	ch["amount_captured"] = total
	// Each capture is a balance transaction of its own; the charge names
	// the first.
	captured := ch
	if capturedBefore > 0 {
		captured = maps.Clone(ch)
		captured["amount_captured"] = amount
	}
	txn, err := settleFunds(c, captured)
	if err != nil {
		return nil, err
	}
	if capturedBefore == 0 {
		ch["balance_transaction"] = txn["id"]
	}
	pi["amount_received"] = total
	if final {
		// What is not captured is released back to the customer. Since
		// 2025-03-31.basil that makes no Refund and leaves amount_refunded
		// alone: the charge shows the release only as amount_captured
		// below amount.
		pi["status"] = Succeeded
		pi["amount_capturable"] = int64(0)
		c.Tx.DeleteMeta(intentExpiryKey(c.Account, api.Str(pi["id"])))
	} else {
		pi["amount_capturable"] = capturable - amount
	}
	if err := c.Put(ch); err != nil {
		return nil, err
	}
	if final {
		if err := saveIntent(c, before, pi); err != nil {
			return nil, err
		}
		c.Emit("charge.captured", ch, api.PreviousAttributes(chBefore, ch))
		c.Emit("payment_intent.succeeded", pi, nil)
	} else {
		// The intent stays requires_capture: this one event tells of what
		// is left, as after an incremental authorization.
		c.Emit("charge.captured", ch, api.PreviousAttributes(chBefore, ch))
		if err := c.PutEmit(pi, "payment_intent.amount_capturable_updated", nil); err != nil {
			return nil, err
		}
	}
	if capturedBefore == 0 && api.Obj(ch["payment_method_details"])["type"] == "card" {
		if err := afterCapture(c, ch, cardByID(c, api.Str(ch["payment_method"]))); err != nil {
			return nil, err
		}
	}
	return pi, nil
}

// checkPartialCapture refuses final_capture=false (more captures to come)
// on an intent without multicapture, and on the Connect payments whose
// repeated captures the emulator does not split (a destination charge's
// transfer, an application fee).
func checkPartialCapture(c *api.Call, pi store.Obj, multi bool) error {
	if !multi {
		return apierr.InvalidRequest("This PaymentIntent cannot be partially captured more than once: its charge's `payment_method_details.card.multicapture.status` is not `available`. Confirm a manually captured card payment with `payment_method_options[card][request_multicapture]=if_available` to capture it several times.").
			WithParam("final_capture").WithCode("payment_intent_unexpected_state")
	}
	if pi["transfer_data"] != nil || pi["application_fee_amount"] != nil || c.Params.Has("application_fee_amount") || c.Params.Has("transfer_data") {
		return apierr.InvalidRequest("stripe-emu does not emulate `final_capture=false` on a destination charge or a payment with an application fee: capture it once.").WithParam("final_capture")
	}
	return nil
}

func cancelIntent(c *api.Call) (any, error) {
	before, err := loadIntent(c)
	if err != nil {
		return nil, err
	}
	if err := guard(c, before, "cancel"); err != nil {
		return nil, err
	}
	switch before["status"] {
	case RequiresPaymentMethod, RequiresCapture, RequiresConfirmation, RequiresAction:
	case Processing:
		// Stripe's "rare cases": an ACH debit not yet settled can be
		// called back (its test account 000000000009 stays processing
		// for testing this); other processing payments cannot.
		if !cancelsWhileProcessing(c, before) {
			return nil, unexpectedState("cancel", before, RequiresPaymentMethod, RequiresCapture, RequiresConfirmation, RequiresAction, Processing)
		}
	default:
		return nil, unexpectedState("cancel", before, RequiresPaymentMethod, RequiresCapture, RequiresConfirmation, RequiresAction, Processing)
	}
	reason, _ := c.Params.Str("cancellation_reason")
	if reason != "" && reason != "duplicate" && reason != "fraudulent" && reason != "requested_by_customer" && reason != "abandoned" {
		return nil, apierr.InvalidRequest("Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer or abandoned").WithParam("cancellation_reason")
	}
	pi := api.Clone(before)
	pi["status"] = Canceled
	pi["canceled_at"] = c.Now
	pi["next_action"] = nil
	c.Tx.DeleteMeta(metaAuthenticated(c.Account, api.Str(pi["id"])))
	if reason != "" {
		pi["cancellation_reason"] = reason
	}
	if before["status"] == RequiresCapture && api.Int(before["amount_received"]) > 0 {
		// Multicapture: what was captured stays; the rest is released.
		return releaseRemainder(c, before)
	}
	if before["status"] == RequiresCapture {
		if err := releaseAuthorization(c, pi); err != nil {
			return nil, err
		}
	}
	if before["status"] == Processing {
		if err := callBackDebit(c, pi); err != nil {
			return nil, err
		}
	}
	if err := saveIntentEmitting(c, before, pi, "payment_intent.canceled"); err != nil {
		return nil, err
	}
	// What the customer's cash balance had given it goes back.
	if err := returnCash(c, pi); err != nil {
		return nil, err
	}
	return pi, nil
}

// cancelsWhileProcessing tells whether a processing PaymentIntent can be
// canceled: a us_bank_account debit can.
func cancelsWhileProcessing(c *api.Call, pi store.Obj) bool {
	pm, _ := c.Tx.Get(c.Account, "payment_method", api.Str(pi["payment_method"]))
	return pm["type"] == "us_bank_account"
}

// callBackDebit ends the pending charge of a bank debit canceled before it
// settled: it fails (charge.failed) and will not settle.
func callBackDebit(c *api.Call, pi store.Obj) error {
	c.Tx.DeleteMeta(settleKey(c.Account, api.Str(pi["id"])))
	chBefore, ok := c.Tx.Get(c.Account, "charge", api.Str(pi["latest_charge"]))
	if !ok || chBefore["status"] != "pending" {
		return nil
	}
	ch := api.Clone(chBefore)
	ch["status"], ch["paid"], ch["captured"], ch["amount_captured"] = "failed", false, false, int64(0)
	unrefundWaiting(c, ch)
	if err := c.Put(ch); err != nil {
		return err
	}
	c.Emit("charge.failed", ch, nil)
	return endWaitingRefunds(c, ch, false)
}

// releaseRemainder cancels what is left of a multicaptured intent's
// authorization: the intent succeeds with what was captured. Since
// 2025-03-31.basil the release is no Refund and the charge is left as it
// was (amount_refunded counts real refunds only), so no charge event.
func releaseRemainder(c *api.Call, before store.Obj) (any, error) {
	pi := api.Clone(before)
	pi["amount_capturable"] = int64(0)
	pi["status"] = Succeeded
	id := api.Str(pi["id"])
	c.Tx.DeleteMeta(intentExpiryKey(c.Account, id))
	c.Tx.DeleteMeta(metaCaptures(c.Account, id))
	if err := saveIntentEmitting(c, before, pi, "payment_intent.succeeded"); err != nil {
		return nil, err
	}
	return pi, nil
}

func listIntents(c *api.Call) (any, error) {
	q, err := c.ListQuery("payment_intent")
	if err != nil {
		return nil, err
	}
	if cus, ok := c.Params.Str("customer"); ok && cus != "" {
		q.Index, q.Value = "customer", cus
	}
	return c.Page("payment_intent", "/v1/payment_intents", q), nil
}

func searchIntents(c *api.Call) (any, error) {
	return search.Run(c, "payment_intent", "/v1/payment_intents/search", intentSearchFields)
}
