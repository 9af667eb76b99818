package checkout

import (
	"encoding/json"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Abandoned cart recovery (after_expiration[recovery]): when a session
// with recovery enabled expires, it shows a recovery URL, valid for 30
// days, that opens a new session copying it (recovered_from naming the
// expired one). The URL is the emulator's own page, which opens the copy
// through the test helper POST /v1/test_helpers/checkout/sessions/{id}/recover
// and sends the customer on to it.

// RecoveryLifetime is how long a recovery URL works (Stripe: 30 days).
const RecoveryLifetime = 30 * 24 * 3600

// recoveryKey keeps the parameters a session with recovery enabled was
// created with: the copy is created from them.
func recoveryKey(acct, id string) string { return "csrecover:" + acct + ":" + id }

// applyRecovery reads after_expiration[recovery] and keeps the request's
// parameters for the copy.
func applyRecovery(c *api.Call, s store.Obj) error {
	if !c.Params.Has("after_expiration") {
		return nil
	}
	r, ok := c.Params.Obj("after_expiration.recovery")
	if !ok {
		return apierr.MissingParam("after_expiration[recovery]")
	}
	enabled, ok := r.Bool("enabled")
	if !ok {
		return apierr.MissingParam("after_expiration[recovery][enabled]")
	}
	promo, _ := r.Bool("allow_promotion_codes")
	if promo && len(anyList(s["discounts"])) > 0 {
		return apierr.Exclusive("after_expiration[recovery][allow_promotion_codes]", "discounts")
	}
	if enabled && s["ui_mode"] != "hosted" {
		// The recovery URL reopens a hosted page; how an embedded or
		// custom form is recovered on the merchant's site is out of the
		// emulator's reach.
		return apierr.InvalidRequest("stripe-emu does not emulate the recovery of `ui_mode=%s` Checkout Sessions (only hosted pages, which the recovery URL reopens), so it refused `after_expiration[recovery][enabled]=true` rather than answer as if it had taken effect.", s["ui_mode"]).WithParam("after_expiration[recovery][enabled]")
	}
	s["after_expiration"] = store.Obj{"recovery": store.Obj{"allow_promotion_codes": promo, "enabled": enabled, "expires_at": nil, "url": nil}}
	if !enabled {
		return nil
	}
	raw, _ := json.Marshal(withoutUnset(c.Params.Unmarked()))
	return c.Tx.SetMeta(recoveryKey(c.Account, api.Str(s["id"])), string(raw))
}

// withoutUnset leaves out the parameters sent empty (to leave a default
// alone at creation), which JSON could not tell from an empty object.
func withoutUnset(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if e != params.Unset {
				out[k] = withoutUnset(e)
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if e != params.Unset {
				out = append(out, withoutUnset(e))
			}
		}
		return out
	}
	return v
}

func recoveryOf(s store.Obj) store.Obj {
	return api.Obj(api.Obj(s["after_expiration"])["recovery"])
}

// offerRecovery gives an expiring session (s, being changed) its recovery
// URL and the time it stops working.
func offerRecovery(c *api.Call, s store.Obj) {
	r := recoveryOf(s)
	if !api.Bool(r["enabled"]) || c.BaseURL == nil {
		return
	}
	r = api.Clone(r)
	r["url"] = c.PageURL("/checkout/" + api.Str(s["id"]) + "/recover")
	r["expires_at"] = c.Now + RecoveryLifetime
	s["after_expiration"] = store.Obj{"recovery": r}
}

// recoverSession is the customer opening an expired session's recovery
// URL: a new open session, created with the parameters of the expired one
// (promotion codes allowed when recovery allows them), recovered_from
// naming it.
func recoverSession(c *api.Call) (any, error) {
	s, err := load(c)
	if err != nil {
		return nil, err
	}
	r := recoveryOf(s)
	switch {
	case !api.Bool(r["enabled"]):
		return nil, apierr.InvalidRequest("This Checkout Session cannot be recovered: it was created without `after_expiration[recovery][enabled]=true`.")
	case s["status"] != "expired":
		return nil, apierr.InvalidRequest("Only expired Checkout Sessions can be recovered. This Checkout Session has a status of %q.", s["status"])
	case r["expires_at"] == nil || c.Now >= api.Int(r["expires_at"]):
		return nil, apierr.InvalidRequest("The recovery URL of this Checkout Session expired at %d.", api.Int(r["expires_at"]))
	}
	raw, ok := c.Tx.GetMeta(recoveryKey(c.Account, api.Str(s["id"])))
	if !ok {
		return nil, apierr.Internal("checkout session %s lost its recovery parameters", s["id"])
	}
	var p map[string]any
	_ = json.Unmarshal([]byte(raw), &p)
	p = retype(p).(map[string]any)
	// A fresh session: its own lifetime, the same line items and page.
	delete(p, "expires_at")
	delete(p, "expand")
	if api.Bool(r["allow_promotion_codes"]) {
		p["allow_promotion_codes"] = true
	}
	cs, err := createFrom(c, p)
	if err != nil {
		return nil, err
	}
	cs["recovered_from"] = s["id"]
	if s["payment_link"] != nil {
		// A link's session: the copy is the link's too, with its metadata.
		cs["payment_link"], cs["metadata"] = s["payment_link"], api.Clone(api.Obj(s["metadata"]))
	}
	return cs, c.Put(cs)
}
