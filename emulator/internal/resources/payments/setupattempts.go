package payments

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// SetupAttemptKind is the setup_attempt object: one confirmation of a
// SetupIntent, named by its latest_attempt. Stripe sends no events for
// attempts and has no retrieve endpoint: they are listed per SetupIntent.
var SetupAttemptKind = &api.Kind{
	Object: "setup_attempt",
	Prefix: "setatt_",
	Name:   "setupattempt",
	Expandable: []string{"application", "customer", "on_behalf_of", "payment_method", "setup_intent",
		"payment_method_details.ideal.generated_sepa_debit", "payment_method_details.ideal.generated_sepa_debit_mandate",
		"payment_method_details.bancontact.generated_sepa_debit", "payment_method_details.bancontact.generated_sepa_debit_mandate",
		"payment_method_details.card_present.generated_card"},
	Indexes: []store.Index{{Name: "setup_intent", Path: "setup_intent"}},
}

func setupAttemptRoutes() []api.Route {
	return []api.Route{
		api.GET("/v1/setup_attempts", params.FromStruct(stripe.SetupAttemptListParams{}).Require("setup_intent"), listSetupAttempts),
	}
}

func listSetupAttempts(c *api.Call) (any, error) {
	si, _ := c.Params.Str("setup_intent")
	if !c.Tx.Exists(c.Account, "setup_intent", si) {
		return nil, apierr.NoSuchObject("setupintent", si, "setup_intent")
	}
	q, err := c.ListQuery("setup_attempt")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "setup_intent")
	return c.Page("setup_attempt", "/v1/setup_attempts", q), nil
}

// newSetupAttempt is the attempt a confirmation of si with pm makes,
// named as si's latest_attempt; the caller sets its status and stores it.
func newSetupAttempt(c *api.Call, si, pm store.Obj) store.Obj {
	att := c.Object("setup_attempt", c.NewID("setup_attempt"), store.Obj{
		"application": si["application"], "attach_to_self": false, "customer": si["customer"],
		"flow_directions": si["flow_directions"], "on_behalf_of": si["on_behalf_of"], "payment_method": pm["id"],
		"payment_method_details": setupAttemptDetails(pm), "setup_error": nil, "setup_intent": si["id"],
		"status": RequiresConfirmation, "usage": si["usage"],
	})
	si["latest_attempt"] = att["id"]
	return att
}

// setupAttemptDetails is an attempt's payment_method_details: a card's
// particulars, the bank behind an iDEAL or Bancontact authorization
// (its generated SEPA Direct Debit method once authorized), nothing
// more for bank debits.
func setupAttemptDetails(pm store.Obj) store.Obj {
	typ := api.Str(pm["type"])
	d := store.Obj{"type": typ}
	switch {
	case typ == "card":
		cd := api.Obj(pm["card"])
		checks := store.Obj{"address_line1_check": nil, "address_postal_code_check": nil, "cvc_check": nil}
		if ch := api.Obj(cd["checks"]); ch != nil {
			checks = api.Clone(ch)
		}
		d["card"] = store.Obj{
			"brand": cd["brand"], "checks": checks, "country": cd["country"], "exp_month": cd["exp_month"],
			"exp_year": cd["exp_year"], "fingerprint": cd["fingerprint"], "funding": cd["funding"], "last4": cd["last4"],
			"network": cd["brand"], "three_d_secure": nil, "wallet": nil,
		}
	case isRedirect(typ) && !redirectMethods[typ].reusable: // a wallet's attempt shows nothing of it
		d[typ] = redirectDetails(pm, nil)
	default:
		d[typ] = store.Obj{}
	}
	return d
}

// threeDSecure is a card attempt's three_d_secure once the customer went
// through the challenge the authenticate helper stands for.
func threeDSecure(c *api.Call, ok bool) store.Obj {
	tds := store.Obj{"authentication_flow": "challenge", "electronic_commerce_indicator": "05", "result": "authenticated",
		"result_reason": nil, "transaction_id": transactionID(c), "version": "2.2.0"}
	if !ok {
		tds["electronic_commerce_indicator"], tds["result"], tds["result_reason"] = nil, "failed", "rejected"
	}
	return tds
}

// abandonWaitingAttempt marks si's latest attempt abandoned when it is
// still waiting (for 3-D Secure, a redirect or microdeposits) and si is
// canceled or confirmed afresh: the customer can no longer finish it.
// Stripe lists abandoned among an attempt's statuses without saying when.
func abandonWaitingAttempt(c *api.Call, si store.Obj) error {
	att := latestSetupAttempt(c, si)
	if att == nil || (att["status"] != RequiresAction && att["status"] != RequiresConfirmation) {
		return nil
	}
	att["status"] = "abandoned"
	return c.Put(att)
}

// latestSetupAttempt is a copy of si's latest attempt, to change.
func latestSetupAttempt(c *api.Call, si store.Obj) store.Obj {
	if o, ok := c.Tx.Get(c.Account, "setup_attempt", api.Str(si["latest_attempt"])); ok {
		return api.Clone(o)
	}
	return nil
}

// transactionID is a 3-D Secure server transaction id: a UUID.
func transactionID(c *api.Call) string {
	const hex = "0123456789abcdef"
	raw := c.IDs.Secret(32)
	b := make([]byte, 0, 36)
	for i := 0; i < 32; i++ {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b = append(b, '-')
		}
		b = append(b, hex[raw[i]%16])
	}
	return string(b)
}
