// Package checkout serves Checkout Sessions, completes them as a customer
// would (test helper and a small hosted page), and tells the truth about
// delayed payments: checkout.session.completed with payment_status unpaid,
// then async_payment_succeeded or async_payment_failed.
package checkout

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billing"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/catalog"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/shipping"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/taxrates"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Kind is the checkout.session object.
var Kind = &api.Kind{
	Object: "checkout.session", Prefix: "cs_test_", Name: "checkout session",
	Expandable: []string{"customer", "payment_intent", "setup_intent", "subscription", "invoice", "payment_link",
		"shipping_cost.shipping_rate", "shipping_options.shipping_rate", "discounts.coupon", "discounts.promotion_code"},
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){"line_items": lineItemsList, "total_details.breakdown": breakdown},
	Indexes: []store.Index{
		{Name: "payment_intent", Path: "payment_intent"},
		{Name: "status", Path: "status"},
		{Name: "customer", Path: "customer"},
		{Name: "invoice", Path: "invoice"},
	},
}

// DefaultLifetime is how long a session stays open (Stripe: 24 hours).
const DefaultLifetime = 24 * 3600

// maxClientReference is the longest client_reference_id Stripe takes.
const maxClientReference = 200

// Stripe's limits on line items: 100 in payment mode, 20 recurring and 20
// one-time ones in subscription mode.
const (
	maxPaymentItems      = 100
	maxSubscriptionItems = 20
)

// Routes is the endpoint table.
func Routes() []api.Route {
	base := "/v1/checkout/sessions"
	complete := params.Object(map[string]*params.Schema{
		"payment_method": params.String(), "email": params.String(), "name": params.String(),
		"shipping_details": completeShippingSchema, "shipping_rate": params.String(), "expand": params.ArrayOf(params.String()),
		"custom_fields":       params.ArrayOf(params.Object(map[string]*params.Schema{"key": params.String(), "value": params.String()})),
		"optional_items":      params.ArrayOf(params.Object(map[string]*params.Schema{"price": params.String(), "quantity": params.Integer()})),
		"promotion_code":      params.String(),
		"save_payment_method": params.Bool(),
		"billing_address":     completeAddressSchema,
		"tax_id":              completeTaxIDSchema,
		"consent":             completeConsentSchema,
		"phone":               params.String(),
	})
	createSchema := pageEnums(shipping.WithEnums(params.FromStruct(stripe.CheckoutSessionCreateParams{}), "shipping_options.shipping_rate_data").
		With("shipping_address_collection.allowed_countries", shipping.AllowedCountries()))
	return append([]api.Route{
		api.POST(base, createSchema, create),
		api.GET(base, params.FromStruct(stripe.CheckoutSessionListParams{}), list),
		api.GET(base+"/{id}", params.FromStruct(stripe.CheckoutSessionRetrieveParams{}), retrieve),
		api.POST(base+"/{id}", params.FromStruct(stripe.CheckoutSessionUpdateParams{}), update),
		api.GET(base+"/{id}/line_items", params.FromStruct(stripe.CheckoutSessionListLineItemsParams{}), listLineItems),
		api.POST(base+"/{id}/expire", params.FromStruct(stripe.CheckoutSessionExpireParams{}), expireSession),
		api.POST("/v1/test_helpers/checkout/sessions/{id}/complete", complete, completeSession),
		api.POST("/v1/test_helpers/checkout/sessions/{id}/recover", params.Object(map[string]*params.Schema{"expand": params.ArrayOf(params.String())}), recoverSession),
	}, paymentPageRoutes()...)
}

func init() {
	payments.OnChange = append(payments.OnChange, onIntentChange)
	payments.Guards = append(payments.Guards, guardSessionIntent)
}

// guardSessionIntent refuses to cancel a Checkout Session's PaymentIntent
// directly unless it holds an authorization to release (requires_capture):
// Stripe's cancel reference says to expire the session instead, and
// answers with this message (observed). A succeeded or canceled intent
// gets the status refusal any intent gets.
func guardSessionIntent(c *api.Call, pi store.Obj, action string) error {
	switch pi["status"] {
	case payments.RequiresPaymentMethod, payments.RequiresConfirmation, payments.RequiresAction, payments.Processing:
	default:
		return nil
	}
	if action != "cancel" {
		return nil
	}
	if p := c.Tx.List(c.Account, "checkout.session", store.Query{Index: "payment_intent", Value: api.Str(pi["id"]), Limit: 1}); len(p.Data) == 0 {
		return nil
	}
	return apierr.InvalidRequest("You cannot perform this action on PaymentIntents created by Checkout. (Hint: The feature you are trying to use is deprecated.)")
}

func itemsKey(acct, id string) string { return "csitems:" + acct + ":" + id }

// dataKey keeps a session's payment_intent_data, subscription_data or
// setup_intent_data for when it completes (the session does not show them).
func dataKey(acct, id string) string { return "csdata:" + acct + ":" + id }

func create(c *api.Call) (any, error) {
	mode, _ := c.Params.Str("mode")
	switch mode {
	case "payment", "subscription", "setup":
	case "":
		return nil, apierr.MissingParam("mode")
	default:
		return nil, apierr.InvalidRequest("Invalid mode: must be one of payment, setup, or subscription").WithParam("mode")
	}
	if err := checkModeParams(c, mode); err != nil {
		return nil, err
	}
	if err := c.CheckLengths(sessionLengths...); err != nil {
		return nil, err
	}
	if err := checkSessionInputs(c); err != nil {
		return nil, err
	}
	id := c.IDs.Long("cs_test_") + c.IDs.Secret(34)
	var customer any
	var cusObj store.Obj
	if cus, _ := c.Params.Str("customer"); cus != "" {
		o, ok := c.Tx.Get(c.Account, "customer", cus)
		if !ok || api.Bool(o["deleted"]) {
			return nil, apierr.NoSuchObject("customer", cus, "customer")
		}
		customer, cusObj = cus, o
		if email, _ := c.Params.Str("customer_email"); email != "" {
			return nil, apierr.Exclusive("customer", "customer_email")
		}
	}
	requested, _ := c.Params.Str("currency")
	items, ownRates, currency, total, err := lineItems(c, mode, requested, cusObj)
	if err != nil {
		return nil, err
	}
	if mode == "subscription" && cusObj != nil {
		// The subscription it would start could not be the customer's.
		if err := customers.CheckCurrency(c, cusObj, currency, "currency"); err != nil {
			return nil, err
		}
	}
	expires := c.Now + DefaultLifetime
	if e, ok := c.Params.Int("expires_at"); ok {
		// Stripe's two messages, as observed.
		if e < c.Now+30*60 {
			return nil, apierr.InvalidRequest("The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.").WithParam("expires_at")
		}
		if e > c.Now+DefaultLifetime {
			return nil, apierr.InvalidRequest("The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.").WithParam("expires_at")
		}
		expires = e
	}
	// A session for an existing customer has none to create: Stripe's
	// payloads show customer_creation null then, in every mode.
	var creation any
	switch v, _ := c.Params.Str("customer_creation"); {
	case v != "":
		creation = v
	case customer != nil:
	case mode == "subscription":
		creation = "always"
	default:
		creation = "if_required"
	}
	// Stripe's basil payloads show a payment-mode session's payment
	// method collection as if_required (the parameter itself is for
	// subscription mode, whose default is always).
	collection := "always"
	if mode == "payment" {
		collection = "if_required"
	}
	s := c.Base("checkout.session", id)
	paymentStatus := "unpaid"
	if mode == "setup" {
		paymentStatus = "no_payment_required"
	}
	url := ""
	if c.BaseURL != nil {
		url = c.PageURL("/checkout/" + id)
	}
	for k, v := range map[string]any{
		"adaptive_pricing": nil, "after_expiration": nil, "allow_promotion_codes": nil,
		"amount_subtotal": nilIfSetup(mode, total), "amount_total": nilIfSetup(mode, total),
		"automatic_tax":              store.Obj{"enabled": false, "liability": nil, "provider": nil, "status": nil},
		"billing_address_collection": nil, "cancel_url": nil, "client_reference_id": nil, "client_secret": nil,
		"collected_information": nil, "consent": nil, "consent_collection": nil, "currency": api.NilIfEmpty(currency),
		"currency_conversion": nil, "custom_fields": []any{}, "custom_text": store.Obj{"after_submit": nil, "shipping_address": nil, "submit": nil, "terms_of_service_acceptance": nil},
		"customer": customer, "customer_creation": creation, "customer_details": nil, "customer_email": nil,
		"discounts": []any{}, "expires_at": expires, "invoice": nil, "invoice_creation": nil, "locale": nil,
		"metadata": map[string]any{}, "mode": mode, "origin_context": nil, "payment_intent": nil, "payment_link": nil,
		"payment_method_collection": collection, "payment_method_configuration_details": nil,
		"payment_method_options": store.Obj{}, "payment_method_types": []any{"card"}, "payment_status": paymentStatus,
		"permissions": nil, "phone_number_collection": store.Obj{"enabled": false}, "recovered_from": nil,
		"saved_payment_method_options": nil, "setup_intent": nil, "shipping_address_collection": nil,
		"shipping_cost": nil, "shipping_options": []any{}, "status": "open", "submit_type": nil, "subscription": nil,
		"success_url": nil, "total_details": totalDetails(mode), "ui_mode": "hosted", "url": url, "wallet_options": nil,
	} {
		s[k] = v
	}
	if ref, _ := c.Params.Str("client_reference_id"); utf8.RuneCountInString(ref) > maxClientReference {
		return nil, apierr.TooLong("client_reference_id", ref, maxClientReference)
	}
	c.Copy(s, "success_url", "cancel_url", "client_reference_id", "customer_email", "allow_promotion_codes", "locale", "submit_type", "billing_address_collection",
		"payment_method_collection")
	if err := applyDiscounts(c, s, items, customer); err != nil {
		return nil, err
	}
	if err := applyPageOptions(c, s, customer); err != nil {
		return nil, err
	}
	if err := applyUIMode(c, s, id); err != nil {
		return nil, err
	}
	data, err := objectData(c, mode)
	if err != nil {
		return nil, err
	}
	if mode == "subscription" {
		if err := checkSubscriptionTerms(c, data); err != nil {
			return nil, err
		}
	}
	if obo, ok := data["on_behalf_of"].(string); ok && obo != "" && mode == "setup" {
		// As a SetupIntent checks it, now rather than on completion.
		if err := payments.ConnectedAccount(c, "account", obo, "setup_intent_data[on_behalf_of]"); err != nil {
			return nil, err
		}
	}
	// The Connect terms are checked now, as Stripe does, not when the
	// intent is made on completion.
	if mode == "payment" {
		if err := checkPaymentTerms(c, data); err != nil {
			return nil, err
		}
	}
	if data, err = applyPageParams(c, s, items, data); err != nil {
		return nil, err
	}
	defaultRates, err := defaultTaxRates(c, data)
	if err != nil {
		return nil, err
	}
	autoTax, _, err := readAutomaticTax(c)
	if err != nil {
		return nil, err
	}
	if autoTax {
		if err := refuseManualRates(ownRates, defaultRates); err != nil {
			return nil, err
		}
	}
	for i, it := range items {
		rates := ownRates[i]
		if len(rates) == 0 {
			rates = defaultRates
		}
		if err := taxrates.CheckBehavior(api.Obj(it["price"])["tax_behavior"], rates); err != nil {
			return nil, err
		}
	}
	if err := applyTaxes(c, s, items, ownRates, defaultRates); err != nil {
		return nil, err
	}
	if err := applyOptionalItems(c, s, items, ownRates, data); err != nil {
		return nil, err
	}
	if err := applyShipping(c, s); err != nil {
		return nil, err
	}
	var updates customerUpdates
	updates.Shipping = paramIs(c, "customer_update.shipping", "auto")
	updates.Address = paramIs(c, "customer_update.address", "auto")
	updates.Name = paramIs(c, "customer_update.name", "auto")
	if updates.Shipping || updates.Address || updates.Name {
		if err := saveCustomerUpdates(c, id, updates); err != nil {
			return nil, err
		}
	}
	if autoTax {
		if err := applyAutomaticTax(c, s, items, cusObj, updates); err != nil {
			return nil, err
		}
	}
	if err := checkInvoiceCreation(c, s, ownRates, data); err != nil {
		return nil, err
	}
	if hasTrial(data) {
		trialAmounts(s, items)
	}
	if data != nil {
		raw, _ := json.Marshal(data)
		if err := c.Tx.SetMeta(dataKey(c.Account, id), string(raw)); err != nil {
			return nil, err
		}
	}
	if err := applyPaymentMethodTypes(c, s, currency); err != nil {
		return nil, err
	}
	if err := checkCardDescriptor(c, s); err != nil {
		return nil, err
	}
	defaultCardOptions(s)
	if mode == "payment" {
		if err := checkMinimumCharge(api.Int(s["amount_total"]), api.Str(s["currency"])); err != nil {
			return nil, err
		}
	}
	if err := c.ApplyMetadata(s); err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(items)
	if err := c.Tx.SetMeta(itemsKey(c.Account, id), string(raw)); err != nil {
		return nil, err
	}
	if err := c.Put(s); err != nil {
		return nil, err
	}
	return s, nil
}

// checkSessionInputs refuses, as Stripe does, a currency it does not
// support, a customer_email that is no email address, and a redirect URL
// without a scheme (Stripe's message for these URLs; other schemes are
// taken, as apps return to their own).
func checkSessionInputs(c *api.Call) error {
	if cur, _ := c.Params.Str("currency"); cur != "" && !currency.Supported(strings.ToLower(cur)) {
		return currency.Invalid(cur, "currency")
	}
	if email, _ := c.Params.Str("customer_email"); email != "" {
		if err := customers.CheckEmail(email, "customer_email"); err != nil {
			return err
		}
	}
	return c.CheckURLSchemes("success_url", "cancel_url", "return_url")
}

// checkCardDescriptor refuses payment_intent_data[statement_descriptor] on
// a session that can be paid by card: stripe-go's reference says setting
// it for a card charge returns an error, as a PaymentIntent that lists card
// refuses it (in whose words; when Checkout answers, and its wording, are
// not documented: here at creation, as the Connect terms are checked).
func checkCardDescriptor(c *api.Call, s store.Obj) error {
	if d, _ := c.Params.Str("payment_intent_data.statement_descriptor"); d == "" {
		return nil
	}
	if types, _ := s["payment_method_types"].([]any); !slices.Contains(types, any("card")) {
		return nil
	}
	return cardDescriptorRefused()
}

func cardDescriptorRefused() error {
	return apierr.InvalidRequest("The `statement_descriptor` parameter is not supported for the `card` payment method type. Use `statement_descriptor_suffix` instead.").WithParam("payment_intent_data[statement_descriptor]")
}

// checkMinimumCharge refuses a payment-mode order that costs something but
// less than Stripe charges in its currency (a no-cost order completes
// without a payment), in Stripe's words as integrators meet them, with
// the amount_too_small code a PaymentIntent's minimum has (as an
// integrator's sandbox notes report it); the answer names no parameter.
func checkMinimumCharge(total int64, code string) error {
	if total <= 0 || total >= currency.Minimum(code) {
		return nil
	}
	return apierr.InvalidRequest("The Checkout Session's total amount due must add up to at least %s %s", currency.Format(currency.Minimum(code), code), code).WithCode("amount_too_small")
}

// checkModeParams refuses what the session's mode does not take, in
// Stripe's words.
func checkModeParams(c *api.Call, mode string) error {
	if v, _ := c.Params.Str("customer_creation"); v != "" && mode == "subscription" {
		// Stripe's answer names no parameter (observed).
		return apierr.InvalidRequest("`customer_creation` can only be used in `payment` mode.")
	}
	switch v, _ := c.Params.Str("payment_method_collection"); {
	case v == "":
	case mode != "subscription":
		return apierr.InvalidRequest("`payment_method_collection` can only be used in `subscription` mode.").WithParam("payment_method_collection")
	case v != "always" && v != "if_required":
		return apierr.InvalidRequest("Invalid payment_method_collection: must be one of always or if_required").WithParam("payment_method_collection")
	}
	if mode != "setup" {
		return nil
	}
	if enabled, _ := c.Params.Bool("phone_number_collection.enabled"); enabled {
		// Stripe's docs: phone numbers are not collected in setup mode
		// (the wording of its refusal is not verified).
		return apierr.InvalidRequest("`phone_number_collection` cannot be used in `setup` mode.").WithParam("phone_number_collection")
	}
	if len(c.Params.Array("line_items")) > 0 {
		return apierr.InvalidRequest("You can not pass `line_items` in `setup` mode.").WithParam("line_items")
	}
	if _, ok := c.Params.Bool("allow_promotion_codes"); ok {
		return apierr.InvalidRequest("You can not pass `allow_promotion_codes` in `setup` mode.").WithParam("allow_promotion_codes")
	}
	if v, _ := c.Params.Str("submit_type"); v != "" {
		// Stripe: submit_type is for payment and subscription mode only
		// (the wording, that of the two refusals above, is not verified).
		return apierr.InvalidRequest("You can not pass `submit_type` in `setup` mode.").WithParam("submit_type")
	}
	// The currency picks the payment method types a setup session
	// offers when none are named.
	if cur, _ := c.Params.Str("currency"); cur == "" && len(c.Params.Strings("payment_method_types")) == 0 {
		return apierr.MissingParam("currency")
	}
	return nil
}

// applyPaymentMethodTypes sets the types a session offers: those sent, or
// else those its payment method configuration (the one sent, or the
// account's default) turns on for the session's currency, shown in
// payment_method_configuration_details; subscription and setup sessions
// offer only types that can be saved.
func applyPaymentMethodTypes(c *api.Call, s store.Obj, currency string) error {
	cfg, _ := c.Params.Str("payment_method_configuration")
	// Manual capture leaves out of the page the types that cannot hold
	// funds, and refuses them when named (Stripe's changelog for
	// 2025-09-30.clover, which lifted this; the refusal's words are the
	// emulator's PaymentIntents', Checkout's own not verified).
	manual := paramIs(c, "payment_intent_data.capture_method", "manual")
	// An embedded session that never redirects has no redirect-based
	// types (Stripe's redirect guide for embedded forms); the refusal of
	// one named is in the emulator's words, Stripe's not known.
	noRedirects := s["redirect_on_completion"] == "never"
	if types := c.Params.Strings("payment_method_types"); len(types) > 0 {
		if cfg != "" {
			return apierr.Exclusive("payment_method_configuration", "payment_method_types")
		}
		list := api.Anys(types)
		for _, t := range types {
			if err := refuseSessionType(t, api.Str(s["mode"]), manual, noRedirects, wechatClient(c)); err != nil {
				return err
			}
		}
		if currency != "" {
			// Stripe's PaymentIntent words for it, naming the session (its
			// own wording for a session not verified).
			if err := payments.CheckTypesCurrency("Checkout Session", currency, list, "payment_method_types"); err != nil {
				return err
			}
		}
		s["payment_method_types"] = list
		return nil
	}
	types, details, err := payments.SessionTypes(c, cfg, currency, payments.SessionOffer{Saves: s["mode"] != "payment", Manual: manual, NoRedirects: noRedirects})
	if err != nil {
		return err
	}
	s["payment_method_types"], s["payment_method_configuration_details"] = types, details
	return nil
}

// trialAmounts sets what a session starting a free trial charges today:
// only its one-time prices, which the first invoice bills beside the
// trial's free period.
func trialAmounts(s store.Obj, items []store.Obj) {
	var subtotal, total, discount, tax int64
	for _, it := range items {
		if api.Obj(it["price"])["type"] != "one_time" {
			continue
		}
		subtotal += api.Int(it["amount_subtotal"])
		total += api.Int(it["amount_total"])
		discount += api.Int(it["amount_discount"])
		tax += api.Int(it["amount_tax"])
	}
	s["amount_subtotal"], s["amount_total"] = subtotal, total
	details := api.Obj(s["total_details"])
	details["amount_discount"], details["amount_tax"] = discount, tax
}

// hasTrial reports whether a session's subscription_data starts a free
// trial: nothing is due today.
func hasTrial(data map[string]any) bool {
	_, days := data["trial_period_days"]
	return days || data["trial_end"] != nil
}

// refuseSessionType refuses a named payment method type a Checkout Session
// in mode cannot offer: not emulated, or not for that mode, a manual
// capture (manual), a session that never redirects (noRedirects), or
// WeChat Pay without its client (wechat). A payment link's types are held
// to it when the link is made or changed, as the sessions it opens are.
func refuseSessionType(t, mode string, manual, noRedirects bool, wechat string) error {
	if err := payments.CheckEmulatedType(t, "payment_method_types"); err != nil {
		return err
	}
	switch {
	case t == "boleto" && mode == "subscription":
		// Stripe's Boleto pays subscriptions' invoices by voucher.
		return apierr.InvalidRequest("stripe-emu does not emulate the payment method type boleto in `subscription` mode (a subscription's invoices paid by voucher), so it refused the request rather than answer as if it had taken effect.").WithParam("payment_method_types")
	case t == "bacs_debit" && mode != "payment":
		return apierr.InvalidRequest("stripe-emu does not emulate the payment method type bacs_debit in `%s` mode (a Bacs mandate set up for later debits), so it refused the request rather than answer as if it had taken effect.", mode).WithParam("payment_method_types")
	case (t == "au_becs_debit" || t == "acss_debit") && mode != "payment":
		return apierr.InvalidRequest("stripe-emu does not emulate the payment method type %s in `%s` mode (a mandate set up for later debits), so it refused the request rather than answer as if it had taken effect.", t, mode).WithParam("payment_method_types")
	case payments.IsWallet(t) && !payments.SavesWallet(t) && mode != "payment":
		// Alipay and WeChat Pay pay once (the emulator's wording).
		return apierr.InvalidRequest("The payment method type `%s` cannot be used in `%s` mode: it cannot be saved for later payments.", t, mode).WithParam("payment_method_types")
	case t == "wechat_pay" && wechat == "":
		// Stripe requires the client WeChat Pay is paid from.
		return apierr.MissingParam("payment_method_options[wechat_pay][client]")
	case payments.IsWallet(t) && mode == "subscription":
		// The first invoice would be paid by the wallet the page
		// authorizes; that hand-over is not emulated.
		return apierr.InvalidRequest("stripe-emu does not emulate the payment method type %s in `subscription` mode (the subscription's first invoice paid by the wallet the customer authorizes), so it refused the request rather than answer as if it had taken effect.", t).WithParam("payment_method_types")
	case payments.IsVoucher(t) && mode != "payment":
		// Stripe's guides: OXXO and Konbini pay one-time line
		// items only, and none of the three has a setup mode.
		return apierr.InvalidRequest("The payment method type `%s` cannot be used in `%s` mode: a voucher pays once.", t, mode).WithParam("payment_method_types")
	case manual && payments.RefusesManualCapture(t):
		return payments.ManualCaptureRefused(t, "payment_method_types")
	case noRedirects && payments.IsRedirect(t):
		return apierr.InvalidRequest("The payment method type `%s` redirects the customer, which `redirect_on_completion=never` disables.", t).WithParam("payment_method_types")
	}
	return nil
}

// wechatClient is the session's payment_method_options[wechat_pay][client].
func wechatClient(c *api.Call) string {
	o, _ := c.Params.Obj("payment_method_options")
	wp, _ := o.Obj("wechat_pay")
	client, _ := wp.Str("client")
	return client
}

func paramIs(c *api.Call, path, want string) bool {
	v, _ := c.Params.Str(path)
	return v == want
}

func nilIfSetup(mode string, total int64) any {
	if mode == "setup" {
		return nil
	}
	return total
}

func totalDetails(mode string) any {
	if mode == "setup" {
		return nil
	}
	return store.Obj{"amount_discount": int64(0), "amount_shipping": int64(0), "amount_tax": int64(0)}
}

// lineItems validates line_items and returns the checkout items, their
// own tax rates, the currency and the total. The currency is requested
// (the session's currency parameter) when sent, else the customer's when
// every price supports it, else the first price's own; each price must
// support it, in its own currency or one of its currency_options, whose
// amounts then apply. Stripe also localizes a session to the currency of
// the customer's location (from their IP address, or Adaptive Pricing's
// conversion), which has no place in the emulator: without a currency
// sent or a customer's, a session is in its prices' own currency.
func lineItems(c *api.Call, mode, requested string, cus store.Obj) ([]store.Obj, [][]any, string, int64, error) {
	raw := c.Params.Array("line_items")
	if mode != "setup" && len(raw) == 0 {
		return nil, nil, "", 0, apierr.MissingParam("line_items")
	}
	if mode == "payment" && len(raw) > maxPaymentItems {
		return nil, nil, "", 0, apierr.TooMany("line_items", maxPaymentItems)
	}
	var out []store.Obj
	var rates [][]any
	var total int64
	recurringSeen := false
	prices := make([]store.Obj, len(raw))
	byType := map[any]int{}
	planned := map[string]bool{} // the subscription's items, by price
	var first store.Obj          // the first recurring price's recurring
	for i, li := range raw {
		prefix := fmt.Sprintf("line_items[%d]", i)
		price, err := linePrice(c, li, prefix)
		if err != nil {
			return nil, nil, "", 0, err
		}
		if price["type"] == "recurring" {
			recurringSeen = true
			if mode == "payment" {
				return nil, nil, "", 0, apierr.InvalidRequest("You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.").WithParam(prefix + "[price]")
			}
			// Each becomes an item of the subscription, which takes a
			// price once: refused now rather than when the customer pays.
			if id := api.Str(price["id"]); planned[id] {
				return nil, nil, "", 0, apierr.InvalidRequest("Cannot add multiple subscription items with the same plan: %s", id).WithParam(prefix + "[price]")
			}
			planned[api.Str(price["id"])] = true
			// The subscription bills its items on one cycle: refused now,
			// in the subscription's words (Checkout's own are not known).
			r := api.Obj(price["recurring"])
			if first == nil {
				first = r
			} else if r["interval"] != first["interval"] || api.Int(r["interval_count"]) != api.Int(first["interval_count"]) {
				return nil, nil, "", 0, apierr.InvalidRequest("All prices on a subscription must have the same recurring interval and interval_count.").WithParam(prefix + "[price]")
			}
		}
		if byType[price["type"]]++; mode == "subscription" && byType[price["type"]] > maxSubscriptionItems {
			return nil, nil, "", 0, apierr.InvalidRequest("In `subscription` mode a Checkout Session takes at most %d line items with recurring prices and %d with one-time prices.", maxSubscriptionItems, maxSubscriptionItems).WithParam("line_items")
		}
		prices[i] = price
	}
	currency := catalog.BillingCurrency(c, requested, api.Str(cus["currency"]), prices)
	for i, li := range raw {
		prefix := fmt.Sprintf("line_items[%d]", i)
		price := prices[i]
		if err := catalog.CheckCurrency(c, price, currency, prefix+"[price]"); err != nil {
			return nil, nil, "", 0, err
		}
		qty, ok := li.Int("quantity")
		metered := isMetered(price)
		switch {
		case metered && ok:
			// Stripe: "Quantity should not be defined when
			// recurring.usage_type=metered" (worded as subscriptions refuse it).
			return nil, nil, "", 0, apierr.InvalidRequest("Quantity should not be specified where usage_type is `metered`. Remove quantity from `%s`.", prefix).WithParam(prefix + "[quantity]")
		case metered:
		case !ok:
			return nil, nil, "", 0, apierr.MissingParam(prefix + "[quantity]")
		case qty < 1:
			return nil, nil, "", 0, apierr.InvalidRequest("Quantity must be at least 1.").WithParam(prefix + "[quantity]")
		}
		if err := checkLineAdjustable(li, qty, prefix); err != nil {
			return nil, nil, "", 0, err
		}
		own, err := lineTaxRates(c, li.Strings("tax_rates"), prefix+"[tax_rates]")
		if err != nil {
			return nil, nil, "", 0, err
		}
		rates = append(rates, own)
		item, amount := newLineItem(c, price, currency, qty)
		out = append(out, item)
		total += amount
	}
	if mode == "subscription" && !recurringSeen {
		return nil, nil, "", 0, apierr.InvalidRequest("You must provide at least one recurring price in `subscription` mode when using prices.").WithParam("line_items")
	}
	return out, rates, currency, total, nil
}

// defaultAdjustableMaximum is the most an adjustable quantity goes up to
// without a maximum of its own (Stripe: 99 by default).
const defaultAdjustableMaximum = 99

// checkLineAdjustable holds a line item's adjustable_quantity (a control
// on the hosted page; the test helper completes with the quantity sent)
// to Stripe's limits, and the quantity within its minimum and maximum:
// Stripe's docs ask for a maximum at least as large as a quantity over
// the default 99. The wording of these refusals is not verified.
func checkLineAdjustable(li params.Values, qty int64, prefix string) error {
	a, ok := li.Obj("adjustable_quantity")
	if !ok {
		return nil
	}
	adj, err := checkAdjustable(a, prefix+"[adjustable_quantity]")
	if err != nil {
		return err
	}
	return quantityWithin(adj, qty, prefix+"[quantity]")
}

// quantityWithin refuses a quantity outside an enabled adjustable
// quantity's minimum and maximum (param names what was sent).
func quantityWithin(adj map[string]any, qty int64, param string) error {
	if adj["enabled"] != true {
		return nil
	}
	lo, _ := adj["minimum"].(int64)
	hi, ok := adj["maximum"].(int64)
	if !ok {
		hi = defaultAdjustableMaximum
	}
	if qty < lo {
		return apierr.InvalidRequest("The quantity must be at least the minimum adjustable quantity (%d).", lo).WithParam(param)
	}
	if qty > hi {
		return apierr.InvalidRequest("The quantity must be at most the maximum adjustable quantity (%d).", hi).WithParam(param)
	}
	return nil
}

// productSells refuses a price (param names it) whose product is
// archived: the price may still be active, but Checkout does not sell it,
// in Stripe's words as its API logs show them.
func productSells(c *api.Call, price store.Obj, param string) error {
	if prod, ok := c.Tx.Get(c.Account, "product", api.Str(price["product"])); ok && prod["active"] == false {
		return apierr.InvalidRequest("Price `%s` is not available to be purchased because its product is not active.", price["id"]).WithParam(param)
	}
	return nil
}

func linePrice(c *api.Call, li params.Values, prefix string) (store.Obj, error) {
	if li.Has("price") && li.Has("price_data") {
		// As quote lines refuse it (Stripe's wording here is not verified).
		return nil, apierr.Exclusive(prefix+"[price]", prefix+"[price_data]")
	}
	if id, _ := li.Str("price"); id != "" {
		price, ok := c.Tx.Get(c.Account, "price", id)
		if !ok {
			return nil, apierr.NoSuchObject("price", id, prefix+"[price]")
		}
		if inline, _ := c.Scratch(scratchLinkPrices).(map[string]bool); !api.Bool(price["active"]) && !inline[id] {
			return nil, apierr.InvalidRequest("The price specified is inactive. This field only accepts active prices.").WithParam(prefix + "[price]")
		}
		if err := productSells(c, price, prefix+"[price]"); err != nil {
			return nil, err
		}
		return price, nil
	}
	pd, ok := li.Obj("price_data")
	if !ok {
		return nil, apierr.MissingParam(prefix + "[price]")
	}
	cur, _ := pd.Str("currency")
	cur = strings.ToLower(cur)
	if cur == "" {
		return nil, apierr.MissingParam(prefix + "[price_data][currency]")
	}
	if !currency.Supported(cur) {
		return nil, currency.Invalid(cur, prefix+"[price_data][currency]")
	}
	// As quote lines check price_data: a whole amount or a decimal one,
	// never below 0.
	amount, hasAmount := pd.Int("unit_amount")
	decimal, hasDecimal := pd.Float("unit_amount_decimal")
	switch {
	case hasAmount && hasDecimal:
		return nil, apierr.Exclusive(prefix+"[price_data][unit_amount]", prefix+"[price_data][unit_amount_decimal]")
	case !hasAmount && !hasDecimal:
		return nil, apierr.MissingParam(prefix + "[price_data][unit_amount]")
	case amount < 0 || decimal < 0:
		return nil, apierr.InvalidRequest("Invalid %s: must be at least 0", prefix+"[price_data][unit_amount]").WithParam(prefix + "[price_data][unit_amount]")
	}
	prodID, _ := pd.Str("product")
	if prodID == "" {
		pdata, ok := pd.Obj("product_data")
		name, _ := pdata.Str("name")
		if !ok || name == "" {
			return nil, apierr.MissingParam(prefix + "[price_data][product_data][name]")
		}
		prod := catalog.NewProduct(c, "", name)
		if d, _ := pdata.Str("description"); d != "" {
			prod["description"] = d
		}
		if code, _ := pdata.Str("tax_code"); code != "" {
			prod["tax_code"] = code
		}
		if images := pdata.Strings("images"); len(images) > 0 {
			prod["images"] = api.Anys(images)
		}
		if md, ok := pdata.Metadata("metadata"); ok {
			prod["metadata"] = md
		}
		if err := c.Put(prod); err != nil {
			return nil, err
		}
		prodID = api.Str(prod["id"])
	} else if _, err := catalog.Product(c, prodID, prefix+"[price_data][product]"); err != nil {
		return nil, err
	}
	var rec store.Obj
	if r, ok := pd.Obj("recurring"); ok {
		interval, _ := r.Str("interval")
		count, ok := r.Int("interval_count")
		if !ok {
			count = 1
		}
		rec = store.Obj{"interval": interval, "interval_count": count, "meter": nil, "trial_period_days": nil, "usage_type": "licensed"}
	}
	price := catalog.NewInlinePrice(c, prodID, cur, amount, rec)
	if hasDecimal {
		price["unit_amount"] = nil
		price["unit_amount_decimal"] = strconv.FormatFloat(decimal, 'f', -1, 64)
		if decimal == float64(int64(decimal)) {
			price["unit_amount"] = int64(decimal)
		}
	}
	if err := catalog.InlineTaxBehavior(price, pd, prefix+"[price_data][tax_behavior]"); err != nil {
		return nil, err
	}
	return price, c.Put(price)
}

func storedItems(c *api.Call, id string) []store.Obj {
	raw, _ := c.Tx.GetMeta(itemsKey(c.Account, id))
	var items []store.Obj
	_ = json.Unmarshal([]byte(raw), &items)
	return items
}

func lineItemsList(c *api.Call, s store.Obj) (any, error) {
	items := storedItems(c, api.Str(s["id"]))
	data := make([]any, len(items))
	for i, it := range items {
		data[i] = it
	}
	return firstPage(data, "/v1/checkout/sessions/"+api.Str(s["id"])+"/line_items"), nil
}

// firstPage is an expanded list of line items: its first page of ten,
// as the list endpoint answers without a limit.
func firstPage(data []any, url string) store.Obj {
	const pageSize = 10
	more := len(data) > pageSize
	if more {
		data = data[:pageSize]
	}
	return store.Obj{"object": "list", "data": data, "has_more": more, "url": url}
}

func load(c *api.Call) (store.Obj, error) {
	return c.Load("checkout.session", c.Var("id"), "id")
}

func retrieve(c *api.Call) (any, error) { return load(c) }

func update(c *api.Call) (any, error) {
	before, err := load(c)
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	return after, c.Put(after)
}

func listLineItems(c *api.Call) (any, error) {
	s, err := load(c)
	if err != nil {
		return nil, err
	}
	items := storedItems(c, api.Str(s["id"]))
	data := make([]any, len(items))
	for i, it := range items {
		data[i] = it
	}
	return api.EmbeddedPage(c, data, "/v1/checkout/sessions/"+api.Str(s["id"])+"/line_items", ItemKind.Name)
}

func list(c *api.Call) (any, error) {
	q, err := c.ListQuery("checkout.session")
	if err != nil {
		return nil, err
	}
	// The most selective filter walks its index; every filter sent also
	// checks each session, so they combine.
	for _, f := range []string{"payment_intent", "customer", "status", "subscription", "payment_link"} {
		v, _ := c.Params.Str(f)
		if v == "" {
			continue
		}
		if q.Index == "" && f != "subscription" && f != "payment_link" {
			q.Index, q.Value = f, v
		}
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Str(o[f]) == v })
	}
	if email, _ := c.Params.Str("customer_details.email"); email != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool {
			return strings.EqualFold(api.Str(api.Obj(o["customer_details"])["email"]), email)
		})
	}
	return c.Page("checkout.session", "/v1/checkout/sessions", q), nil
}

func expireSession(c *api.Call) (any, error) {
	s, err := load(c)
	if err != nil {
		return nil, err
	}
	if s["status"] != "open" {
		return nil, apierr.InvalidRequest("Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of `%s`.", s["status"])
	}
	return expire(c, s)
}

func expire(c *api.Call, before store.Obj) (store.Obj, error) {
	// A declined attempt leaves the session's PaymentIntent open; Stripe
	// says to expire the session to cancel it, so expiring does. The
	// reason (Stripe's internal "expired") and the events' order are not
	// verified.
	if pi, ok := c.Tx.Get(c.Account, "payment_intent", api.Str(before["payment_intent"])); ok {
		switch pi["status"] {
		case payments.RequiresPaymentMethod, payments.RequiresConfirmation, payments.RequiresAction:
			if _, err := payments.Cancel(c, pi, "expired"); err != nil {
				return nil, err
			}
		}
	}
	s := api.Clone(before)
	s["status"] = "expired"
	s["url"] = nil
	offerRecovery(c, s)
	if err := c.Put(s); err != nil {
		return nil, err
	}
	c.Emit("checkout.session.expired", s, nil)
	return s, nil
}

// completeSession is what the customer does on the Checkout page: pay (or
// set up) with a payment method. Cards settle now; bank debits complete
// the session unpaid and settle later.
func completeSession(c *api.Call) (any, error) {
	s, err := load(c)
	if err != nil {
		return nil, err
	}
	// This stands in for the customer paying on Stripe's page, not for a
	// request of the merchant's: as in a real completion's events, none
	// names a request, and those of the payment carry the page's own
	// idempotency key (checkout.session.completed none: see finish).
	requestID, key := c.RequestID, c.IdempotencyKey
	c.RequestID, c.IdempotencyKey = "", c.IDs.UUID()
	defer func() { c.RequestID, c.IdempotencyKey = requestID, key }()
	return Complete(c, s)
}

// Complete finishes an open session with the request's payment method.
func Complete(c *api.Call, before store.Obj) (store.Obj, error) {
	if before["status"] != "open" {
		return nil, apierr.InvalidRequest("This Checkout Session is no longer open (status %s).", before["status"])
	}
	pmID, _ := c.Params.Str("payment_method")
	if pmID == "" {
		pmID = "pm_card_visa"
	}
	pm, err := payments.TestPaymentMethod(c, pmID, "payment_method")
	if err != nil {
		return nil, err
	}
	if offered, _ := before["payment_method_types"].([]any); len(offered) > 0 && !slices.Contains(offered, any(api.Str(pm["type"]))) {
		// Stripe's page shows only the types the session offers.
		return nil, apierr.InvalidRequest("This Checkout Session does not offer payment method type %s: it offers %s.", pm["type"], strings.Join(api.Strs(offered), ", ")).WithParam("payment_method")
	}
	s := api.Clone(before)
	var existing store.Obj
	if id := api.Str(s["customer"]); id != "" {
		existing, _ = c.Tx.Get(c.Account, "customer", id)
	}
	email, _ := c.Params.Str("email")
	if email == "" {
		email = api.Str(s["customer_email"])
	}
	if email == "" {
		email = "customer@example.com"
	}
	if known := api.Str(existing["email"]); known != "" {
		// Stripe prefills a customer's email and does not let it change.
		email = known
	} else if existing != nil {
		// A customer without an email gets the one entered.
		after := api.Clone(existing)
		after["email"] = email
		if err := c.Save(existing, after); err != nil {
			return nil, err
		}
		existing = after
	}
	name, _ := c.Params.Str("name")
	var nameV any
	if name != "" {
		nameV = name
	}
	if pmID == "pm_oxxo" || pmID == "pm_boleto" || pmID == "pm_konbini" || pmID == "pm_multibanco" {
		if pm, err = payments.VoucherPayer(c, pm, nameV, email); err != nil {
			return nil, err
		}
	} else if pmID == "pm_link" {
		if pm, err = payments.LinkPayer(c, pm, email); err != nil {
			return nil, err
		}
	}
	if err := fillCustomFields(c, s); err != nil {
		return nil, err
	}
	if err := addOptionalItems(c, s); err != nil {
		return nil, err
	}
	if err := applyTypedCode(c, s); err != nil {
		return nil, err
	}
	save, err := saveConsent(c, s)
	if err != nil {
		return nil, err
	}
	if err := collectConsent(c, s); err != nil {
		return nil, err
	}
	phone, err := collectPhone(c, s)
	if err != nil {
		return nil, err
	}
	if err := chooseShipping(c, s); err != nil {
		return nil, err
	}
	details, err := collectShipping(c, s, name)
	if err != nil {
		return nil, err
	}
	if details != nil {
		// Basil keeps what the page collected under collected_information
		// (shipping_details left the session's top level in 2025-03-31).
		s["collected_information"] = store.Obj{"shipping_details": details}
	}
	billing, err := collectBilling(c, s, existing)
	if err != nil {
		return nil, err
	}
	// Where the buyer is, for tax ID collection: the shipping address,
	// else the billing address, as entered (or the customer's own); an
	// address the helper made up itself places nobody.
	var where store.Obj
	switch {
	case c.Params.Has("shipping_details"):
		where = api.Obj(details["address"])
	case c.Params.Has("billing_address") || api.Str(api.Obj(existing["address"])["country"]) != "":
		where = billing
	}
	taxID, err := collectTaxID(c, s, where)
	if err != nil {
		return nil, err
	}
	cd := store.Obj{"address": nil, "email": email, "name": nameV, "phone": phone, "tax_exempt": "none", "tax_ids": []any{}}
	if billing != nil && s["mode"] != "setup" {
		// Stripe's reference: a setup session's customer_details has no
		// address.
		cd["address"] = billing
	}
	if existing != nil {
		cd["tax_exempt"] = existing["tax_exempt"]
	}
	if taxID != nil {
		cd["tax_ids"] = []any{taxID}
	}
	s["customer_details"] = cd
	if autoTaxEnabled(s) {
		updates := loadCustomerUpdates(c, api.Str(s["id"]))
		buyer, err := buyerAt(c, s, existing, billing, updates, taxID)
		if err != nil {
			return nil, err
		}
		if err := completeAutomaticTax(c, s, buyer); err != nil {
			return nil, err
		}
	}
	if s["customer"] == nil && (s["customer_creation"] == "always" || invoiceEnabled(s) || save || noCost(s)) {
		// A post-payment invoice is a customer's, and so is a saved
		// payment method: Stripe makes one (customer_creation=if_required
		// requires it then), with the billing address entered, which its
		// later invoices are taxed by.
		cus := customers.New(c)
		cus["email"], cus["name"], cus["phone"] = email, nameV, phone
		if billing != nil {
			cus["address"] = api.Clone(billing)
		}
		if err := c.Insert(cus); err != nil {
			return nil, err
		}
		if err := customers.ClaimInvoicePrefix(c, cus); err != nil {
			return nil, err
		}
		s["customer"] = cus["id"]
	}
	switch s["mode"] {
	case "payment":
		return completePayment(c, s, pm, save)
	case "subscription":
		return completeSubscription(c, s, pm, save)
	}
	return completeSetup(c, s, pm)
}

// noCost reports a payment-mode session with nothing to pay (free prices,
// a 100% discount): Stripe collects no payment method, makes no
// PaymentIntent, and supports no guest customers for it.
func noCost(s store.Obj) bool {
	return s["mode"] == "payment" && api.Int(s["amount_total"]) == 0
}

func completePayment(c *api.Call, s, pm store.Obj, save bool) (store.Obj, error) {
	if noCost(s) {
		if err := RedeemDiscounts(c, s); err != nil {
			return nil, err
		}
		return finish(c, s, "no_payment_required")
	}
	// An attempt after a declined one pays the session's PaymentIntent
	// again, as Stripe's page does, for what this attempt adds up to.
	var pi store.Obj
	if declined, ok := c.Tx.Get(c.Account, "payment_intent", api.Str(s["payment_intent"])); ok && declined["status"] == payments.RequiresPaymentMethod {
		pi = api.Clone(declined)
		pi["amount"], pi["customer"] = s["amount_total"], s["customer"]
	} else {
		pi = payments.NewIntent(c, api.Int(s["amount_total"]), api.Str(s["currency"]), s["customer"])
		pi["metadata"] = map[string]any{}
		if err := payments.ApplyIntentData(c, pi, storedData(c, api.Str(s["id"]))); err != nil {
			return nil, err
		}
	}
	if d := shippingDetails(s); len(d) > 0 {
		// What the customer entered is where the order goes, whatever
		// payment_intent_data[shipping] said.
		pi["shipping"] = intentShipping(d)
	}
	if pi["customer"] != nil && pm["customer"] == nil && savesFor(pi, api.Str(pm["type"])) {
		// Saved by setup_future_usage as the payment succeeds, with
		// Checkout's allow_redisplay (the box ticked makes it always).
		if err := c.Put(limitedRedisplay(pm)); err != nil {
			return nil, err
		}
	}
	list := []any{"card"}
	if t := api.Str(pm["type"]); t != "card" {
		list = []any{t}
	}
	pi["payment_method_types"], pi["automatic_payment_methods"] = list, nil
	payments.OptionDefaults(pi)
	if s["payment_intent"] == pi["id"] {
		// No event: Stripe has no payment_intent.updated.
		if err := c.Put(pi); err != nil {
			return nil, err
		}
	} else if err := payments.InsertIntent(c, pi); err != nil {
		return nil, err
	}
	s["payment_intent"] = pi["id"]
	if err := c.Put(s); err != nil {
		return nil, err
	}
	// A redirect method (iDEAL, Klarna…) comes back to the session's
	// success page once authorized.
	returnURL := api.Str(s["success_url"])
	if returnURL == "" {
		returnURL = api.Str(s["return_url"])
	}
	if pm["type"] != "card" {
		// A bank debit is made under the mandate the page shows.
		payments.AcceptMandateOnPage(c)
	}
	after, err := payments.ChargeOnPage(c, pi, api.Str(pm["id"]), returnURL)
	var kept *api.KeptError
	if errors.As(err, &kept) {
		// The customer sees the decline and may try again: the session
		// stays open.
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	// Only now: a declined attempt redeems nothing. A discount that can
	// no longer be redeemed fails the completion, the charge with it.
	if err := RedeemDiscounts(c, s); err != nil {
		return nil, err
	}
	if next := api.Obj(after["next_action"])["type"]; after["status"] == payments.RequiresAction && next != "verify_with_microdeposits" && next != "display_bank_transfer_instructions" && !payments.WaitsForVoucher(after) {
		// The customer passes 3-D Secure on the page, or authorizes
		// the redirect method's payment. A bank account entered by hand
		// waits for its microdeposits: the session completes unpaid, and
		// the debit starts once the customer verifies them, as a bank
		// debit never succeeds at once. A bank transfer waits for the
		// customer's transfer likewise: completed unpaid.
		if after, err = payments.Authenticate(c, after); err != nil {
			return nil, err
		}
	}
	if save {
		if err := keepSavedMethod(c, s, api.Str(pm["id"])); err != nil {
			return nil, err
		}
	}
	if err := c.Flush(); err != nil {
		return nil, err
	}
	s, _ = c.Tx.Get(c.Account, "checkout.session", api.Str(s["id"]))
	return finish(c, s, paidOrNot(after["status"] == payments.Succeeded))
}

// limitedRedisplay is pm as Checkout saves it for a subscription or
// setup_future_usage: allow_redisplay=limited, so that its page does not
// offer it again, as Stripe's support article "Prefilling saved cards in
// Checkout" says (a value already set stays).
func limitedRedisplay(pm store.Obj) store.Obj {
	if pm["allow_redisplay"] != "unspecified" {
		return pm
	}
	out := api.Clone(pm)
	out["allow_redisplay"] = "limited"
	return out
}

// savesFor reports whether pi saves a payment method of type typ for
// later: its own setup_future_usage or the type's option.
func savesFor(pi store.Obj, typ string) bool {
	if pi["setup_future_usage"] != nil {
		return true
	}
	return api.Obj(api.Obj(pi["payment_method_options"])[typ])["setup_future_usage"] != nil
}

func paidOrNot(paid bool) string { return map[bool]string{true: "paid", false: "unpaid"}[paid] }

// finish completes the session with its payment_status: paid once money
// arrived, unpaid while it has not (delayed methods, manual capture),
// no_payment_required when nothing was due (setup, free trials).
func finish(c *api.Call, before store.Obj, paymentStatus string) (store.Obj, error) {
	s := api.Clone(before)
	s["status"] = "complete"
	s["url"] = nil
	s["payment_status"] = paymentStatus
	// What the customer entered is the customer's before the invoice is
	// made, which shows their tax ID.
	if err := saveToCustomer(c, s); err != nil {
		return nil, err
	}
	if invoiceEnabled(s) && (paymentStatus == "paid" || noCost(s)) {
		// The invoice is made as the payment succeeds (or a no-cost
		// order completes), so the completed event names it.
		if err := postPaymentInvoice(c, s); err != nil {
			return nil, err
		}
	}
	if err := c.Put(s); err != nil {
		return nil, err
	}
	// Stripe records the completion itself as its own automatic work.
	_ = c.Automatic(func() error { c.Emit("checkout.session.completed", s, nil); return nil })
	if s["payment_link"] != nil {
		if err := linkSessionCompleted(c, s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func completeSubscription(c *api.Call, s, pm store.Obj, save bool) (store.Obj, error) {
	cusID := api.Str(s["customer"])
	// payment_method_collection=if_required: with nothing due today (a
	// free trial) the page asks for no payment method at all.
	collect := s["payment_method_collection"] != "if_required" || api.Int(s["amount_total"]) > 0
	if collect {
		if _, err := payments.AttachTo(c, limitedRedisplay(pm), cusID); err != nil {
			return nil, err
		}
		// A bank debit is saved for the subscription's debits under the
		// mandate the page shows.
		if _, err := payments.PageMandate(c, pm); err != nil {
			return nil, err
		}
	}
	if save && collect {
		if err := keepSavedMethod(c, s, api.Str(pm["id"])); err != nil {
			return nil, err
		}
	}
	var items, oneOff []any
	sold := map[string]bool{} // the session bills what it showed, inline prices included
	for _, it := range storedItems(c, api.Str(s["id"])) {
		sold[api.Str(api.Obj(it["price"])["id"])] = true
		// Stored items come back from JSON: the quantity as an integer,
		// as the subscription's parameters take it.
		item := map[string]any{"price": api.Str(api.Obj(it["price"])["id"]), "quantity": api.Int(it["quantity"])}
		if isMetered(api.Obj(it["price"])) {
			delete(item, "quantity")
		}
		if own := loadItemTax(c, api.Str(it["id"])).TaxRates; len(own) > 0 {
			ids := make([]any, len(own))
			for i, id := range own {
				ids[i] = id
			}
			item["tax_rates"] = ids
			// Rates the session showed still apply if archived since.
			taxrates.Keep(c, taxrates.Load(c, own))
		}
		if api.Obj(it["price"])["type"] == "one_time" {
			// Stripe bills a one-time price once, on the first invoice.
			oneOff = append(oneOff, item)
			continue
		}
		items = append(items, item)
	}
	p := map[string]any{
		"customer": cusID, "items": items,
		"payment_behavior": "error_if_incomplete", "currency": s["currency"],
	}
	if collect {
		p["default_payment_method"] = pm["id"]
	}
	if len(oneOff) > 0 {
		p["add_invoice_items"] = oneOff
	}
	for k, v := range storedData(c, api.Str(s["id"])).Raw() {
		p[k] = v // subscription_data: trial, metadata, description, default_tax_rates, billing_cycle_anchor
	}
	anchored := dropPassedAnchor(c, p)
	if ids, _ := p["default_tax_rates"].([]any); len(ids) > 0 {
		own := make([]string, 0, len(ids))
		for _, id := range ids {
			own = append(own, api.Str(id))
		}
		taxrates.Keep(c, taxrates.Load(c, own))
	}
	if d := subscriptionDiscounts(s); len(d) > 0 {
		p["discounts"] = d
	}
	if autoTaxEnabled(s) {
		// Billing taxes the subscription's invoices for the customer's
		// location: the address entered is saved on the customer first.
		p["automatic_tax"] = map[string]any{"enabled": true}
		if err := saveToCustomer(c, s); err != nil {
			return nil, err
		}
	} else if err := saveTaxIDs(c, s); err != nil {
		// The first invoice shows the tax ID entered.
		return nil, err
	}
	sub, err := billing.CreateSoldSubscription(c, p, sold)
	if err != nil {
		return nil, err
	}
	if autoTaxEnabled(s) && !autoTaxEnabled(sub) {
		// Billing without automatic tax would take the parameter
		// quietly: say so rather than bill the subscription untaxed.
		return nil, apierr.InvalidRequest("stripe-emu's billing did not turn automatic tax on for the subscription this Checkout Session creates (`automatic_tax[enabled]=true`), so it refused to complete the session rather than create the subscription untaxed.")
	}
	c.Now = c.Clock.Unix()
	s["subscription"] = sub["id"]
	s["invoice"] = sub["latest_invoice"]
	if anchored {
		firstInvoiceAmounts(c, s)
	}
	if (sub["status"] == "active" || sub["status"] == "trialing") && api.Int(s["amount_total"]) == 0 {
		// Nothing is due today: a free trial, proration_behavior=none
		// until the anchor, a 100% discount (Stripe's "doesn't require a
		// payment at this time").
		return finish(c, s, "no_payment_required")
	}
	if err := c.Put(s); err != nil {
		return nil, err
	}
	if sub["status"] == "trialing" {
		// One-time prices were charged on the trial's first invoice.
		inv, _ := c.Tx.Get(c.Account, "invoice", api.Str(sub["latest_invoice"]))
		return finish(c, s, paidOrNot(inv["status"] == "paid"))
	}
	return finish(c, s, paidOrNot(sub["status"] == "active"))
}

func completeSetup(c *api.Call, s, pm store.Obj) (store.Obj, error) {
	data := storedData(c, api.Str(s["id"]))
	si := payments.NewSetupIntent(c, c.IDs.Long("seti_"))
	si["customer"], si["payment_method"], si["payment_method_types"] = s["customer"], pm["id"], []any{pm["type"]}
	if description, ok := data.Get("description"); ok {
		si["description"] = description
	}
	if metadata, ok := data.Get("metadata"); ok {
		si["metadata"] = metadata
	}
	if obo, _ := data.Str("on_behalf_of"); obo != "" {
		si["on_behalf_of"] = obo
	}
	if options := setupIntentOptions(data); options != nil {
		si["payment_method_options"] = options
	}
	si, err := payments.SetUpAtOnce(c, si, pm)
	if err != nil {
		return nil, err
	}
	s["setup_intent"] = si["id"]
	return finish(c, s, "no_payment_required")
}

// onIntentChange reports a delayed payment's outcome on its completed
// session: the debit's end, or the failed microdeposit verification of
// an account entered by hand (its debit never starts).
func onIntentChange(c *api.Call, ch payments.IntentChange) error {
	// A voucher (OXXO) goes from requires_action to succeeded once paid,
	// as a bank transfer's intent does when the transfer's funds arrive.
	if ch.From != payments.Processing && !(ch.From == payments.RequiresAction && (ch.To == payments.RequiresPaymentMethod || ch.To == payments.Succeeded)) {
		return nil
	}
	p := c.Tx.List(c.Account, "checkout.session", store.Query{Index: "payment_intent", Value: ch.ID, Limit: 1})
	if len(p.Data) == 0 {
		// A subscription session pays through its first invoice's
		// PaymentIntent: that debit is the session's async payment.
		if ip := c.Tx.List(c.Account, "invoice_payment", store.Query{Index: "payment_intent", Value: ch.ID, Limit: 1}); len(ip.Data) > 0 {
			p = c.Tx.List(c.Account, "checkout.session", store.Query{Index: "invoice", Value: api.Str(ip.Data[0]["invoice"]), Limit: 1})
		}
	}
	if len(p.Data) == 0 || p.Data[0]["status"] != "complete" || p.Data[0]["payment_status"] != "unpaid" {
		return nil
	}
	s := api.Clone(p.Data[0])
	switch ch.To {
	case payments.Succeeded:
		s["payment_status"] = "paid"
		if invoiceEnabled(s) {
			if err := postPaymentInvoice(c, s); err != nil {
				return err
			}
		}
		if err := c.Put(s); err != nil {
			return err
		}
		c.Emit("checkout.session.async_payment_succeeded", s, nil)
	case payments.RequiresPaymentMethod:
		c.Emit("checkout.session.async_payment_failed", s, nil)
	}
	return nil
}

// Timer expires open sessions when their time runs out.
var Timer = api.Timer{
	Due: func(_ *api.Env, tx *store.Tx, account string, target int64) []api.Due {
		var out []api.Due
		tx.EachIndexedRaw(account, "checkout.session", "status", "open", func(raw string) bool {
			f := store.Pick(raw, "id", "expires_at")
			if at := f[1].Int(); at <= target {
				out = append(out, expiryWork(account, f[0].String(), at))
			}
			return true
		})
		return out
	},
	Watch: []string{"checkout.session"},
	DueOf: func(_ *api.Env, tx *store.Tx, account string, ref store.Ref, target int64) []api.Due {
		f, ok := tx.Fields(account, "checkout.session", ref.ID, "status", "expires_at")
		if !ok || f[0].String() != "open" || f[1].Int() > target {
			return nil
		}
		return []api.Due{expiryWork(account, ref.ID, f[1].Int())}
	},
}

func expiryWork(account, id string, at int64) api.Due {
	return api.Due{At: at, Account: account, About: store.Ref{Type: "checkout.session", ID: id}, Kind: "expire", Run: func(c *api.Call) error {
		s, ok := c.Tx.Get(account, "checkout.session", id)
		if !ok || s["status"] != "open" {
			return nil
		}
		_, err := expire(c, s)
		return err
	}}
}

// newLineItem is a session's line item for qty of price, billed in
// currency, before discounts and taxes, and its amount.
func newLineItem(c *api.Call, price store.Obj, currency string, qty int64) (store.Obj, int64) {
	var quantity any = qty
	var amount int64
	if isMetered(price) {
		quantity = nil // usage, billed by the subscription in arrears: nothing now
	} else {
		amount = catalog.Amount(c, price, currency, qty)
	}
	desc := any(nil)
	if prod, ok := c.Tx.Get(c.Account, "product", api.Str(price["product"])); ok {
		desc = prod["name"]
	}
	return store.Obj{
		"id": c.IDs.Long("li_"), "object": "item", "amount_discount": int64(0), "amount_subtotal": amount,
		"amount_tax": int64(0), "amount_total": amount, "currency": currency, "description": desc,
		"price": price, "quantity": quantity,
	}, amount
}

// isMetered tells whether a price bills the usage a meter records (its
// line items and subscription items take no quantity).
func isMetered(price store.Obj) bool {
	return api.Obj(price["recurring"])["usage_type"] == "metered"
}

// createFrom creates a session from parameters the emulator wrote (a
// payment link's, a recovered session's), as if they had been sent.
func createFrom(c *api.Call, p map[string]any) (store.Obj, error) {
	saved := c.Params
	c.Params = params.NewValues(p)
	defer func() { c.Params = saved }()
	res, err := create(c)
	if err != nil {
		return nil, err
	}
	return res.(store.Obj), nil
}
