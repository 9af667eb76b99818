package checkout

import (
	"slices"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billing"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// customFieldEnums adds the values Stripe takes for custom_fields to a
// session's or a payment link's schema.
func customFieldEnums(s *params.Schema) *params.Schema {
	return s.Enum("custom_fields.type", "dropdown", "numeric", "text").Enum("custom_fields.label.type", "custom")
}

// pageEnums adds the values Stripe takes for the page's parameters to a
// session's create schema.
func pageEnums(s *params.Schema) *params.Schema {
	return customFieldEnums(s).
		Enum("saved_payment_method_options.payment_method_save", "disabled", "enabled").
		Enum("saved_payment_method_options.payment_method_remove", "disabled", "enabled").
		Enum("permissions.update_shipping_details", "client_only", "server_only").
		Enum("wallet_options.link.display", "auto", "never").
		Enum("origin_context", "mobile_app", "web").
		Enum("tax_id_collection.required", "if_supported", "never").
		Enum("locale", checkoutLocales...)
}

// checkoutLocales are the locales Checkout is shown in. Stripe's OpenAPI
// spec marks this enum as not validated, yet Stripe refuses other values
// ("Invalid locale: must be one of auto, bg, …", as integrators met it).
var checkoutLocales = []string{"auto", "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil", "fr", "fr-CA",
	"hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl", "pt", "pt-BR", "ro", "ru", "sk", "sl", "sv", "th",
	"tr", "vi", "zh", "zh-HK", "zh-TW"}

// IsLocale reports whether Checkout is shown in locale.
func IsLocale(locale string) bool { return slices.Contains(checkoutLocales, locale) }

// sessionLengths are the longest strings Stripe takes for what a session
// hands to the objects it makes (its OpenAPI spec's maxLength), checked
// at creation, as Stripe does, rather than when the session completes.
var sessionLengths = []api.MaxLength{
	{Path: "payment_intent_data.description", Limit: 1000},
	{Path: "payment_intent_data.statement_descriptor", Limit: 22},
	{Path: "payment_intent_data.statement_descriptor_suffix", Limit: 22},
	{Path: "subscription_data.description", Limit: 500},
	{Path: "setup_intent_data.description", Limit: 1000},
}

// applyPageParams reads what a new session's page shows and asks beyond
// the purchase (custom text and fields, saved methods, per-method
// options, recovery, presentation) and checks a subscription's
// billing_cycle_anchor. It returns the mode's *_data with the
// payment_method_options the session's intent is to be given.
func applyPageParams(c *api.Call, s store.Obj, items []store.Obj, data map[string]any) (map[string]any, error) {
	if err := applyCustomPage(c, s); err != nil {
		return nil, err
	}
	if err := applyPagePresentation(c, s); err != nil {
		return nil, err
	}
	if err := applySavedMethodOptions(c, s, data); err != nil {
		return nil, err
	}
	shown, handed, err := readMethodOptions(c, api.Str(s["mode"]), api.Str(s["currency"]))
	if err != nil {
		return nil, err
	}
	if shown != nil {
		s["payment_method_options"] = shown
		if h := intentMethodOptions(handed); len(h) > 0 {
			if data == nil {
				data = map[string]any{}
			}
			data["payment_method_options"] = h
		}
	}
	if v, ok := data["billing_cycle_anchor"]; ok && s["mode"] == "subscription" {
		_, days := data["trial_period_days"]
		trial := days || data["trial_end"] != nil
		for _, it := range items {
			if price := api.Obj(it["price"]); price["type"] == "recurring" {
				if err := billing.CheckAnchor(v, c.Now, price, trial, "subscription_data[billing_cycle_anchor]"); err != nil {
					return nil, err
				}
				break
			}
		}
	}
	if err := applyRecovery(c, s); err != nil {
		return nil, err
	}
	return data, nil
}

// dropPassedAnchor leaves out of a completing session's subscription
// parameters a billing_cycle_anchor that has passed since the session was
// created (Stripe then charges a full period from the start), and says
// whether one still applies.
func dropPassedAnchor(c *api.Call, p map[string]any) bool {
	v, ok := p["billing_cycle_anchor"]
	if !ok {
		return false
	}
	if api.Int(v) <= c.Now {
		delete(p, "billing_cycle_anchor")
		delete(p, "proration_behavior")
		return false
	}
	return true
}

// firstInvoiceAmounts shows on an anchored subscription's session what its
// first, prorated invoice charged.
func firstInvoiceAmounts(c *api.Call, s store.Obj) {
	inv, ok := c.Tx.Get(c.Account, "invoice", api.Str(s["invoice"]))
	if !ok {
		return
	}
	s["amount_subtotal"], s["amount_total"] = inv["subtotal"], inv["total"]
}
