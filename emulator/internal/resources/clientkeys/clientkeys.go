// Package clientkeys serves what a backend hands its client app so the
// app can act for a customer: ephemeral keys (/v1/ephemeral_keys, for the
// mobile SDKs' PaymentSheet and customer sheets) and Customer Sessions
// (/v1/customer_sessions, for the Payment Element and pricing tables).
package clientkeys

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// EphemeralKeyKind is the ephemeral_key object.
var EphemeralKeyKind = &api.Kind{Object: "ephemeral_key", Prefix: "ephkey_", Name: "ephemeral key"}

// Kinds are the family's object types.
func Kinds() []*api.Kind { return []*api.Kind{EphemeralKeyKind} }

// EphemeralKeyLifetime is how long an ephemeral key lasts; CustomerSessionLifetime
// how long a Customer Session's client secret does (Stripe: 30 minutes).
const (
	EphemeralKeyLifetime    = 3600
	CustomerSessionLifetime = 30 * 60
)

// Routes are the endpoints.
func Routes() []api.Route {
	create := api.POST("/v1/ephemeral_keys", params.FromStruct(stripe.EphemeralKeyCreateParams{}), createKey)
	create.PinnedVersion = true
	return []api.Route{
		create,
		api.DELETE("/v1/ephemeral_keys/{id}", params.FromStruct(stripe.EphemeralKeyDeleteParams{}), deleteKey),
		api.POST("/v1/customer_sessions", params.FromStruct(stripe.CustomerSessionCreateParams{}).Require("customer", "components").
			Enum("components.payment_element.features.payment_method_redisplay", "disabled", "enabled").
			Enum("components.payment_element.features.payment_method_remove", "disabled", "enabled").
			Enum("components.payment_element.features.payment_method_save", "disabled", "enabled").
			Enum("components.payment_element.features.payment_method_save_usage", "off_session", "on_session"), createSession),
	}
}

// createKey makes a key for a customer (the mobile SDKs' PaymentSheet) or
// an Identity verification session (the Identity mobile SDK). Issuing
// cards, the other thing Stripe makes keys for, are not emulated: that
// parameter is refused.
func createKey(c *api.Call) (any, error) {
	for _, other := range []string{"issuing_card", "nonce"} {
		if c.Params.Has(other) {
			return nil, api.NotEmulated(other, c.Endpoint)
		}
	}
	cusID, _ := c.Params.Str("customer")
	vsID, _ := c.Params.Str("verification_session")
	var associated store.Obj
	switch {
	case cusID != "" && vsID != "":
		return nil, apierr.InvalidRequest("An ephemeral key is for one object: provide only one of customer or verification_session.").WithParam("verification_session")
	case vsID != "":
		if _, ok := c.Tx.Get(c.Account, "identity.verification_session", vsID); !ok {
			return nil, apierr.NoSuchObject("verification session", vsID, "verification_session")
		}
		associated = store.Obj{"id": vsID, "type": "identity.verification_session"}
	case cusID == "":
		return nil, apierr.MissingParam("customer")
	default:
		if cus, ok := c.Tx.Get(c.Account, "customer", cusID); !ok || api.Bool(cus["deleted"]) {
			return nil, apierr.NoSuchObject("customer", cusID, "customer")
		}
		associated = store.Obj{"id": cusID, "type": "customer"}
	}
	key := c.Object("ephemeral_key", c.NewID("ephemeral_key"), store.Obj{
		// Undocumented in the API reference but sent by Stripe and read by
		// the mobile SDKs, which check the key is for their object.
		"associated_objects": []any{associated},
		"expires":            c.Now + EphemeralKeyLifetime,
		"secret":             "ek_test_" + c.IDs.Secret(99),
	})
	return key, c.Put(key)
}

// deleteKey expires a key at once; the answer no longer carries its
// secret.
func deleteKey(c *api.Call) (any, error) {
	before, err := c.Load("ephemeral_key", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	after["expires"] = min(api.Int(before["expires"]), c.Now)
	if err := c.Put(after); err != nil {
		return nil, err
	}
	out := api.Clone(after)
	delete(out, "secret")
	return out, nil
}

// createSession answers a Customer Session: a client secret the Payment
// Element, buy button or pricing table uses for the customer. The
// components it enables are rendered as asked; the client-side UIs
// themselves are not emulated.
func createSession(c *api.Call) (any, error) {
	cusID, _ := c.Params.Str("customer")
	if cus, ok := c.Tx.Get(c.Account, "customer", cusID); !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", cusID, "customer")
	}
	comp, _ := c.Params.Obj("components")
	enabled := func(name string) bool {
		v, _ := comp.Bool(name + ".enabled")
		return v
	}
	features := store.Obj{
		"payment_method_allow_redisplay_filters": []any{"always"}, "payment_method_redisplay": "disabled",
		"payment_method_redisplay_limit": nil, "payment_method_remove": "disabled", "payment_method_save": "disabled",
		"payment_method_save_usage": nil,
	}
	if f, ok := comp.Obj("payment_element.features"); ok {
		if filters := f.Strings("payment_method_allow_redisplay_filters"); len(filters) > 0 {
			for _, v := range filters {
				if v != "always" && v != "limited" && v != "unspecified" {
					return nil, apierr.InvalidRequest("Invalid components[payment_element][features][payment_method_allow_redisplay_filters][]: must be one of always, limited or unspecified").
						WithParam("components[payment_element][features][payment_method_allow_redisplay_filters]")
				}
			}
			features["payment_method_allow_redisplay_filters"] = api.Anys(filters)
		}
		for _, k := range []string{"payment_method_redisplay", "payment_method_remove", "payment_method_save", "payment_method_save_usage"} {
			if v, _ := f.Str(k); v != "" {
				features[k] = v
			}
		}
		if n, ok := f.Int("payment_method_redisplay_limit"); ok {
			if n < 1 || n > 10 {
				return nil, apierr.InvalidRequest("Invalid components[payment_element][features][payment_method_redisplay_limit]: must be between 1 and 10").
					WithParam("components[payment_element][features][payment_method_redisplay_limit]")
			}
			features["payment_method_redisplay_limit"] = n
		}
	}
	if !enabled("buy_button") && !enabled("payment_element") && !enabled("pricing_table") {
		return nil, apierr.InvalidRequest("A Customer Session needs at least one component enabled: components[buy_button][enabled], components[payment_element][enabled] or components[pricing_table][enabled].").WithParam("components")
	}
	return store.Obj{
		"object": "customer_session", "client_secret": "cuss_secret_" + c.IDs.Secret(48),
		"components": store.Obj{
			"buy_button":      store.Obj{"enabled": enabled("buy_button")},
			"payment_element": store.Obj{"enabled": enabled("payment_element"), "features": features},
			"pricing_table":   store.Obj{"enabled": enabled("pricing_table")},
		},
		"created": c.Now, "customer": cusID, "expires_at": c.Now + CustomerSessionLifetime, "livemode": false,
	}, nil
}
