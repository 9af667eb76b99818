package checkout

import (
	"fmt"
	"slices"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// applyPagePresentation echoes the parameters that only change how the
// page looks or who may change it (permissions, wallet_options,
// origin_context): the emulator shows them on the session and nothing
// else depends on them. Adaptive Pricing (presenting prices in the
// customer's local currency) is not emulated: it is accepted turned off.
func applyPagePresentation(c *api.Call, s store.Obj) error {
	if enabled, ok := c.Params.Bool("adaptive_pricing.enabled"); ok {
		if enabled {
			return apierr.InvalidRequest("stripe-emu does not emulate Adaptive Pricing (prices converted to the customer's local currency), so it refused `adaptive_pricing[enabled]=true` rather than answer as if it had taken effect.").WithParam("adaptive_pricing[enabled]")
		}
		s["adaptive_pricing"] = store.Obj{"enabled": false}
	}
	if ui, _ := c.Params.Str("ui_mode"); c.Params.Has("permissions") && (ui == "" || ui == "hosted") {
		// Stripe's reference: "Can only be set when creating `embedded`
		// or `custom` sessions" (its wording for the refusal is not known).
		return apierr.InvalidRequest("`permissions` can only be set when creating `embedded` or `custom` sessions.").WithParam("permissions")
	}
	if v, _ := c.Params.Str("permissions.update_shipping_details"); v != "" {
		// Who may update shipping_details while the session is open:
		// the emulator's update endpoint takes only metadata either way.
		s["permissions"] = store.Obj{"update_shipping_details": v}
	}
	if v, _ := c.Params.Str("wallet_options.link.display"); v != "" {
		s["wallet_options"] = store.Obj{"link": store.Obj{"display": v}}
	}
	if v, _ := c.Params.Str("origin_context"); v != "" {
		s["origin_context"] = v
	}
	return nil
}

// applySavedMethodOptions reads saved_payment_method_options: which saved
// methods a returning customer is shown (allow_redisplay_filters, by
// default those with allow_redisplay=always), whether they may remove
// them, and whether a checkbox lets them save the new one
// (payment_method_save, acted on at completion: see saveConsent).
//
// Payment and subscription sessions show Stripe's defaults when none are
// sent (basil sessions, with and without a customer, as Stripe answered
// them); a setup-mode session's are not verified and stay null.
func applySavedMethodOptions(c *api.Call, s store.Obj, data map[string]any) error {
	out := store.Obj{"allow_redisplay_filters": []any{"always"}, "payment_method_remove": "disabled", "payment_method_save": nil}
	o, ok := c.Params.Obj("saved_payment_method_options")
	if !ok {
		if s["mode"] != "setup" {
			s["saved_payment_method_options"] = out
		}
		return nil
	}
	if s["mode"] == "setup" {
		// Stripe's reference: "Only available in `payment` and
		// `subscription` mode" (its wording for the refusal is not known).
		return apierr.InvalidRequest("`saved_payment_method_options` cannot be used in `setup` mode: it is only available in `payment` and `subscription` mode.").WithParam("saved_payment_method_options")
	}
	if o.Has("allow_redisplay_filters") {
		filters := o.Strings("allow_redisplay_filters")
		for i, f := range filters {
			if !slices.Contains([]string{"always", "limited", "unspecified"}, f) {
				return apierr.InvalidRequest("Invalid saved_payment_method_options[allow_redisplay_filters][%d]: must be one of always, limited, or unspecified", i).WithParam(fmt.Sprintf("saved_payment_method_options[allow_redisplay_filters][%d]", i))
			}
		}
		out["allow_redisplay_filters"] = api.Anys(filters)
	}
	if v, _ := o.Str("payment_method_remove"); v != "" {
		out["payment_method_remove"] = v
	}
	if v, _ := o.Str("payment_method_save"); v != "" {
		if v == "enabled" {
			if data["setup_future_usage"] != nil {
				return apierr.Exclusive("payment_intent_data[setup_future_usage]", "saved_payment_method_options[payment_method_save]")
			}
		}
		out["payment_method_save"] = v
	}
	s["saved_payment_method_options"] = out
	return nil
}

func saveEnabled(s store.Obj) bool {
	return api.Obj(s["saved_payment_method_options"])["payment_method_save"] == "enabled"
}

// saveConsent reads the test helper's save_payment_method: the customer
// ticking the page's "save my payment details" box, which only a session
// with payment_method_save=enabled shows.
func saveConsent(c *api.Call, s store.Obj) (bool, error) {
	save, _ := c.Params.Bool("save_payment_method")
	if save && !saveEnabled(s) {
		return false, apierr.InvalidRequest("This Checkout Session does not offer to save the payment method: it was created without `saved_payment_method_options[payment_method_save]=enabled`.").WithParam("save_payment_method")
	}
	return save, nil
}

// keepSavedMethod attaches the payment method the customer chose to save
// to the session's customer with allow_redisplay=always, as Checkout saves
// a method whose box was ticked (so it is offered again next time).
func keepSavedMethod(c *api.Call, s store.Obj, pmID string) error {
	pm, ok := c.Tx.Get(c.Account, "payment_method", pmID)
	if !ok {
		return apierr.Internal("checkout session's payment method %s is gone", pmID)
	}
	if api.Str(pm["customer"]) != api.Str(s["customer"]) {
		attached, err := payments.AttachTo(c, pm, api.Str(s["customer"]))
		if err != nil {
			return err
		}
		pm = attached
	}
	if pm["allow_redisplay"] == "always" {
		return nil
	}
	after := api.Clone(pm)
	after["allow_redisplay"] = "always"
	return c.Save(pm, after)
}

// methodOptionFields are the per-method options a session hands on to the
// PaymentIntent (payment mode) or SetupIntent (setup mode) it creates,
// each one the emulator's intents act on or show: setup_future_usage
// saves the method to the customer once the payment succeeds;
// request_three_d_secure is the 3-D Secure the page runs (the test helper
// is a customer who passes it). The rest (installments, extended or
// incremental authorization, overcapture, mandate options, target dates,
// per-method capture_method…) is left unread, so it is refused by name.
var methodOptionFields = map[string][]string{
	"card":            {"request_three_d_secure", "setup_future_usage"},
	"sepa_debit":      {"setup_future_usage"},
	"us_bank_account": {"setup_future_usage"},
	"ideal":           {"setup_future_usage"},
	"bancontact":      {"setup_future_usage"},
	"revolut_pay":     {"setup_future_usage"},
	"amazon_pay":      {"setup_future_usage"},
	"link":            {"setup_future_usage"},
	"oxxo":            {"expires_after_days"},
	"boleto":          {"expires_after_days"},
	"konbini":         {"expires_after_days"},
	"swish":           {"reference"},
	"pix":             {"expires_after_seconds"},
}

// setupModeOptions are what a SetupIntent takes of them.
var setupModeOptions = map[string][]string{"card": {"request_three_d_secure"}}

// readMethodOptions reads payment_method_options into what the session
// shows and what its PaymentIntent or SetupIntent is given (nil when none
// was sent). Subscription mode refuses them: its intents are the
// subscription's invoices', not the session's.
func readMethodOptions(c *api.Call, mode, currency string) (shown store.Obj, handed map[string]any, err error) {
	o, ok := c.Params.Obj("payment_method_options")
	if !ok {
		return nil, nil, nil
	}
	if mode == "subscription" {
		return nil, nil, apierr.InvalidRequest("stripe-emu does not emulate `payment_method_options` on Checkout Sessions in `subscription` mode (options handed to the subscription's invoices' payments), so it refused the request rather than answer as if it had taken effect.").WithParam("payment_method_options")
	}
	allowed := methodOptionFields
	if mode == "setup" {
		allowed = setupModeOptions
	}
	shown, handed = store.Obj{}, map[string]any{}
	if cb, ok := o.Obj("customer_balance"); ok && mode == "payment" {
		// A bank transfer's options, checked against the session's
		// currency as its PaymentIntent checks them, and handed to it.
		opts, err := payments.CustomerBalanceOptions(cb, currency, "payment_method_options[customer_balance]")
		if err != nil {
			return nil, nil, err
		}
		shown["customer_balance"] = opts
		handed["customer_balance"] = withoutNil(opts)
	}
	for _, method := range sortedKeys(allowedMethods(allowed)) {
		if !o.Has(method) {
			continue // other methods' options are left unread: refused by name
		}
		fields := allowed[method]
		m, _ := o.Obj(method)
		show, hand := store.Obj{}, map[string]any{}
		for _, f := range fields {
			if f == "expires_after_days" {
				// A voucher's days before it expires: the PaymentIntent's
				// own checks apply to it.
				if days, ok := m.Int(f); ok {
					if err := payments.CheckExpiresAfterDays(method, days); err != nil {
						return nil, nil, err
					}
					show[f], hand[f] = days, days
				}
				continue
			}
			if f == "expires_after_seconds" {
				// Pix's seconds before its code expires, checked as the
				// PaymentIntent checks them.
				if secs, ok := m.Int(f); ok {
					if err := payments.CheckPixExpiresAfterSeconds(secs); err != nil {
						return nil, nil, err
					}
					show[f], hand[f] = secs, secs
				}
				continue
			}
			v, _ := m.Str(f)
			if v == "" {
				continue
			}
			if f == "reference" {
				// Swish's order reference, shown to the payer: free text.
				show[f], hand[f] = v, v
				continue
			}
			if err := checkMethodOption(method, f, v); err != nil {
				return nil, nil, err
			}
			show[f] = v
			hand[f] = v
		}
		if method == "card" {
			if show["request_three_d_secure"] == nil {
				show["request_three_d_secure"] = "automatic"
			}
		}
		shown[method] = show
		handed[method] = hand
	}
	if wp, ok := o.Obj("wechat_pay"); ok && mode == "payment" {
		// The client WeChat Pay is paid from goes to the PaymentIntent; a
		// session does not show WeChat Pay options (Stripe's spec has none).
		if client, _ := wp.Str("client"); client != "" {
			handed["wechat_pay"] = map[string]any{"client": client}
		}
	}
	return shown, handed, nil
}

// defaultCardOptions shows, on a payment or subscription session that
// offers cards and was sent no payment_method_options, the card's 3D
// Secure default, as Stripe's basil sessions do (a setup-mode session's
// defaults are not verified and are left empty).
func defaultCardOptions(s store.Obj) {
	opts := api.Obj(s["payment_method_options"])
	if s["mode"] == "setup" || len(opts) > 0 {
		return
	}
	types, _ := s["payment_method_types"].([]any)
	if slices.Contains(types, any("card")) {
		s["payment_method_options"] = store.Obj{"card": store.Obj{"request_three_d_secure": "automatic"}}
	}
}

func allowedMethods(m map[string][]string) map[string]any {
	out := map[string]any{}
	for k := range m {
		out[k] = nil
	}
	return out
}

func checkMethodOption(method, field, v string) error {
	param := fmt.Sprintf("payment_method_options[%s][%s]", method, field)
	var allowed []string
	switch field {
	case "request_three_d_secure":
		allowed = []string{"any", "automatic", "challenge"}
	case "setup_future_usage":
		allowed = []string{"none", "off_session", "on_session"}
		if method != "card" {
			// Bank debits and redirect methods are saved for payments
			// made without the customer.
			allowed = []string{"none", "off_session"}
		}
	}
	if !slices.Contains(allowed, v) {
		return apierr.InvalidRequest("Invalid %s: must be one of %s", param, oneOf(allowed)).WithParam(param)
	}
	return nil
}

func oneOf(values []string) string {
	if len(values) < 2 {
		return fmt.Sprint(values)
	}
	out := ""
	for i, v := range values {
		switch {
		case i == 0:
			out = v
		case i == len(values)-1:
			out += ", or " + v
		default:
			out += ", " + v
		}
	}
	return out
}

// intentMethodOptions are the options handed on, without the methods for
// which none was set.
func intentMethodOptions(handed map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range handed {
		if m, _ := v.(map[string]any); len(m) > 0 {
			out[k] = m
		}
	}
	return out
}

// setupIntentOptions is payment_method_options as a SetupIntent shows
// them (its card options have mandate_options and network too).
func setupIntentOptions(data params.Values) store.Obj {
	v, ok := data.Get("payment_method_options")
	if !ok {
		return nil
	}
	out := store.Obj{}
	if card := api.Obj(api.Obj(v)["card"]); len(card) > 0 {
		out["card"] = store.Obj{"mandate_options": nil, "network": nil, "request_three_d_secure": card["request_three_d_secure"]}
	}
	return out
}

// withoutNil is o without its null fields, as parameters to hand on.
func withoutNil(o store.Obj) map[string]any {
	out := map[string]any{}
	for k, v := range o {
		switch v := v.(type) {
		case nil:
		case map[string]any:
			out[k] = withoutNil(v)
		default:
			out[k] = v
		}
	}
	return out
}
