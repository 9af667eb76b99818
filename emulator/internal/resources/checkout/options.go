package checkout

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billing"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// What a session is told to do with the objects it creates on completion:
// each *_data parameter belongs to one mode, and only the fields the
// emulator carries over are accepted (the rest is refused by name rather
// than dropped).
var objectDataFields = map[string]struct {
	mode   string
	fields []string
}{
	"payment_intent_data": {"payment", []string{"application_fee_amount", "capture_method", "description", "metadata", "on_behalf_of",
		"receipt_email", "setup_future_usage", "shipping", "statement_descriptor", "statement_descriptor_suffix", "transfer_data", "transfer_group"}},
	"subscription_data": {"subscription", []string{"application_fee_percent", "billing_cycle_anchor", "billing_mode", "default_tax_rates", "description",
		"invoice_settings", "metadata", "on_behalf_of", "proration_behavior", "transfer_data", "trial_end", "trial_period_days", "trial_settings"}},
	"setup_intent_data": {"setup", []string{"description", "metadata", "on_behalf_of"}},
}

// objectData validates the mode's *_data parameter and returns it as plain
// values, or nil when none was sent.
func objectData(c *api.Call, mode string) (map[string]any, error) {
	var out map[string]any
	for _, name := range []string{"payment_intent_data", "subscription_data", "setup_intent_data"} {
		v, ok := c.Params.Get(name)
		if !ok {
			continue
		}
		spec := objectDataFields[name]
		if spec.mode != mode {
			return nil, apierr.InvalidRequest("You can only pass `%s` in `%s` mode.", name, spec.mode).WithParam(name)
		}
		m, _ := v.(map[string]any)
		for _, k := range sortedKeys(m) {
			if !slices.Contains(spec.fields, k) {
				return nil, apierr.InvalidRequest("stripe-emu does not emulate the parameter `%s[%s]` of Checkout Sessions, so it refused the request rather than answer as if it had taken effect.", name, k).WithParam(name + "[" + k + "]")
			}
		}
		if d, ok := m["trial_period_days"].(int64); ok && d < 1 {
			return nil, apierr.InvalidRequest("The trial period must be at least one day.").WithParam(name + "[trial_period_days]")
		}
		// Stripe's upper bound and words for both (reported for trial_end
		// on a Checkout Session; the param it names is not known).
		if d, ok := m["trial_period_days"].(int64); ok && d > billing.MaxTrialDays {
			return nil, billing.TrialTooLong(name + "[trial_period_days]")
		}
		if end, ok := m["trial_end"].(int64); ok && end > c.Now+billing.MaxTrialDays*24*3600 {
			return nil, billing.TrialTooLong(name + "[trial_end]")
		}
		if end, ok := m["trial_end"].(int64); ok && end < c.Now+2*24*3600 {
			// Stripe's bound and words (observed: 47h59m refused, 48h01m taken).
			return nil, apierr.InvalidRequest("The `trial_end` date has to be at least 2 days in the future.").WithParam(name + "[trial_end]")
		}
		out = m
	}
	return out, nil
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// storedData reads back what objectData kept, with whole numbers typed as
// parameters are (JSON made them floats).
func storedData(c *api.Call, id string) params.Values {
	raw, ok := c.Tx.GetMeta(dataKey(c.Account, id))
	if !ok {
		return params.NewValues(map[string]any{})
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(raw), &m)
	return params.NewValues(retype(m).(map[string]any))
}

func retype(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = retype(e)
		}
	case []any:
		for i, e := range x {
			x[i] = retype(e)
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	}
	return v
}

// applyPageOptions records what the hosted page is asked to collect. The
// test helper completes sessions without a form, so these show on the
// session only. invoice_creation is kept for completion.
func applyPageOptions(c *api.Call, s store.Obj, customer any) error {
	if err := applySessionInvoiceCreation(c, s); err != nil {
		return err
	}
	if enabled, ok := c.Params.Bool("phone_number_collection.enabled"); ok {
		s["phone_number_collection"] = store.Obj{"enabled": enabled}
	}
	if countries := c.Params.Strings("shipping_address_collection.allowed_countries"); len(countries) > 0 {
		list := make([]any, len(countries))
		for i, cc := range countries {
			list[i] = cc
		}
		s["shipping_address_collection"] = store.Obj{"allowed_countries": list}
	}
	if enabled, ok := c.Params.Bool("tax_id_collection.enabled"); ok {
		required, _ := c.Params.Str("tax_id_collection.required")
		if required == "" {
			required = "never"
		}
		s["tax_id_collection"] = store.Obj{"enabled": enabled, "required": required}
		if name, _ := c.Params.Str("customer_update.name"); enabled && customer != nil && name != "auto" {
			// The business name typed beside the tax ID goes onto the
			// customer (Stripe's answer, observed in test mode).
			return apierr.InvalidRequest("Tax ID collection requires updating business name on the customer. To enable tax ID collection for an existing customer, please set `customer_update[name]` to `auto`.")
		}
	}
	if cc, ok := c.Params.Obj("consent_collection"); ok {
		s["consent_collection"] = readConsentCollection(cc)
	}
	if c.Params.Has("customer_update") {
		if customer == nil {
			// Stripe's words, as integrators have met them (the closing
			// period is not verified).
			return apierr.InvalidRequest("You cannot use customer_update without setting customer.").WithParam("customer_update")
		}
		// Which collected details are written back to the customer:
		// create reads them (shipping, address, name).
		c.Inert("customer_update")
	}
	return nil
}

// readConsentCollection is consent_collection as a session or a payment
// link shows it.
func readConsentCollection(cc params.Values) store.Obj {
	out := store.Obj{"payment_method_reuse_agreement": nil, "promotions": nil, "terms_of_service": nil}
	for _, k := range []string{"promotions", "terms_of_service"} {
		if v, _ := cc.Str(k); v != "" {
			out[k] = v
		}
	}
	if pos, _ := cc.Str("payment_method_reuse_agreement.position"); pos != "" {
		out["payment_method_reuse_agreement"] = store.Obj{"position": pos}
	}
	return out
}

// applyUIMode sets up embedded and custom sessions: no hosted URL, a
// client secret for the front end, and a return_url instead of
// success_url / cancel_url.
func applyUIMode(c *api.Call, s store.Obj, id string) error {
	mode, _ := c.Params.Str("ui_mode")
	redirect, _ := c.Params.Str("redirect_on_completion")
	returnURL, _ := c.Params.Str("return_url")
	if mode == "" || mode == "hosted" {
		if returnURL != "" || redirect != "" {
			return apierr.InvalidRequest("`return_url` and `redirect_on_completion` can only be used with `ui_mode=embedded` or `ui_mode=custom`.").WithParam(map[bool]string{true: "return_url", false: "redirect_on_completion"}[returnURL != ""])
		}
		return nil
	}
	if s["success_url"] != nil {
		return apierr.InvalidRequest("You may not specify `success_url` when `ui_mode` is `%s`; use `return_url` instead.", mode).WithParam("success_url")
	}
	if s["cancel_url"] != nil {
		return apierr.InvalidRequest("You may not specify `cancel_url` when `ui_mode` is `%s`.", mode).WithParam("cancel_url")
	}
	if redirect == "" {
		redirect = "always"
	}
	if redirect == "never" && returnURL != "" {
		// There is no return page then: Stripe refuses one (as
		// integrators met it, laravel/cashier-stripe#1629; its words are
		// not known).
		return apierr.InvalidRequest("You may not specify `return_url` when `redirect_on_completion` is `never`.").WithParam("return_url")
	}
	if returnURL == "" && redirect != "never" {
		return apierr.MissingParam("return_url")
	}
	s["ui_mode"] = mode
	s["url"] = nil
	s["client_secret"] = id + "_secret_" + c.IDs.Secret(24)
	s["redirect_on_completion"] = redirect
	if returnURL != "" {
		s["return_url"] = returnURL
	}
	return nil
}

// checkPaymentTerms checks at creation, with a PaymentIntent's refusals,
// the Connect terms (destination, on_behalf_of, application fee) of the
// payment_intent_data the session's PaymentIntent takes, as Stripe refuses
// them when the session is made, and its statement descriptors and
// receipt_email, which the intent made on payment would refuse (when
// Stripe checks these is not verified); a refusal names the parameter
// under payment_intent_data.
func checkPaymentTerms(c *api.Call, data map[string]any) error {
	sub := *c
	sub.Params = params.NewValues(data)
	err := payments.CheckIntentInputs(&sub)
	if err == nil {
		err = payments.ApplyIntentConnect(&sub, store.Obj{})
	}
	return underIntentData(err)
}

// checkIntentInputs refuses in data (a payment_intent_data) the strings
// and receipt_email the PaymentIntent made from it would refuse.
func checkIntentInputs(c *api.Call, data params.Values) error {
	sub := *c
	sub.Params = data
	return underIntentData(payments.CheckIntentInputs(&sub))
}

// underIntentData names a PaymentIntent's refusal's parameter under
// payment_intent_data.
func underIntentData(err error) error {
	if e := (*apierr.Error)(nil); errors.As(err, &e) && e.Param != "" {
		name, rest, _ := strings.Cut(e.Param, "[")
		e.Param = "payment_intent_data[" + name + "]"
		if rest != "" {
			e.Param += "[" + rest
		}
	}
	return err
}

// checkSubscriptionTerms checks at creation, with the subscription's
// refusals, the subscription_data the subscription takes as its own
// terms: Connect's (destination, on_behalf_of, fee), its billing mode
// and its invoices' issuer (what the emulator's subscriptions take).
func checkSubscriptionTerms(c *api.Call, data map[string]any) error {
	const pre = "subscription_data"
	if bm, ok := data["billing_mode"].(map[string]any); ok {
		for k, v := range bm {
			if k != "type" || v != "classic" {
				return apierr.InvalidRequest("stripe-emu does not emulate flexible billing mode (`%s[billing_mode]` other than `[type]=classic`), so it refused the request rather than answer as if it had taken effect. Leave it out or use `classic`.", pre).WithParam(pre + "[billing_mode][" + k + "]")
			}
		}
	}
	if is, ok := data["invoice_settings"].(map[string]any); ok {
		for k, v := range is {
			if iss, _ := v.(map[string]any); k != "issuer" || len(iss) != 1 || iss["type"] != "self" {
				return apierr.InvalidRequest("stripe-emu does not emulate the parameter `%s[invoice_settings][%s]` of Checkout Sessions other than `[issuer][type]=self`, so it refused the request rather than answer as if it had taken effect.", pre, k).WithParam(pre + "[invoice_settings][" + k + "]")
			}
		}
	}
	td, hasTD := data["transfer_data"].(map[string]any)
	if hasTD {
		dest, _ := td["destination"].(string)
		if dest == "" {
			return apierr.MissingParam(pre + "[transfer_data][destination]")
		}
		if err := payments.DestinationAccount(c, dest, pre+"[transfer_data][destination]"); err != nil {
			return err
		}
		if p, ok := params.NewValues(td).Float("amount_percent"); ok {
			if err := billing.CheckPercent(p, pre+"[transfer_data][amount_percent]"); err != nil {
				return err
			}
		}
	}
	if obo, ok := data["on_behalf_of"].(string); ok && obo != "" {
		if err := payments.ConnectedAccount(c, "account", obo, pre+"[on_behalf_of]"); err != nil {
			return err
		}
	}
	if _, ok := data["application_fee_percent"]; ok {
		const param = pre + "[application_fee_percent]"
		fee, _ := params.NewValues(data).Float("application_fee_percent")
		if err := billing.CheckPercent(fee, param); err != nil {
			return err
		}
		if !hasTD && !c.Connected {
			return apierr.InvalidRequest("Can only apply an application_fee_percent when the request is made on behalf of another account (using an OAuth key or Stripe-Account header) or when the subscription has `transfer_data[destination]`.").WithParam(param)
		}
		if _, ok := td["amount_percent"]; ok {
			return apierr.InvalidRequest("stripe-emu does not emulate a subscription with both `transfer_data[amount_percent]` and `application_fee_percent`: use one of them.").WithParam(param)
		}
	}
	return nil
}
