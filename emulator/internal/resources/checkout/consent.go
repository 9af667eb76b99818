package checkout

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// completeConsentSchema is the test helper's consent: the promotions
// choice the customer makes on the page (the terms of service need no
// choice, as the page takes no payment until their box is ticked).
var completeConsentSchema = params.Object(map[string]*params.Schema{"promotions": params.String()})

// collectConsent sets the session's consent from what the page asked:
// terms_of_service accepted where consent_collection required them, and
// the promotions choice sent, which only a session with
// consent_collection[promotions]=auto offers. Stripe shows that option by
// the customer's locale, so a choice not sent stays null, as for a
// customer never shown it.
func collectConsent(c *api.Call, s store.Obj) error {
	asked := api.Obj(s["consent_collection"])
	s["consent"] = nil
	out := store.Obj{"promotions": nil, "terms_of_service": nil}
	if v, ok := c.Params.Str("consent.promotions"); ok {
		if asked["promotions"] != "auto" {
			return apierr.InvalidRequest("This Checkout Session does not ask for consent to promotional communications: it was created without `consent_collection[promotions]=auto`.").WithParam("consent[promotions]")
		}
		if v != "opt_in" && v != "opt_out" {
			return apierr.InvalidRequest("Invalid consent[promotions]: must be one of opt_in or opt_out").WithParam("consent[promotions]")
		}
		out["promotions"] = v
	}
	if asked["terms_of_service"] == "required" {
		out["terms_of_service"] = "accepted"
	}
	if out["promotions"] != nil || out["terms_of_service"] != nil {
		s["consent"] = out
	}
	return nil
}

// samplePhone is the number a session that collects one gets when the
// test helper is given none, as a sample address fills a shipping form
// left empty (a US test number, from the 555-01xx range set aside for
// fiction).
const samplePhone = "+15555550100"

// collectPhone reads the phone number typed into the required field that
// phone_number_collection adds (the test helper's phone).
func collectPhone(c *api.Call, s store.Obj) (any, error) {
	phone, _ := c.Params.Str("phone")
	if !api.Bool(api.Obj(s["phone_number_collection"])["enabled"]) {
		if phone != "" {
			return nil, apierr.InvalidRequest("This Checkout Session does not collect a phone number: it was created without `phone_number_collection[enabled]=true`.").WithParam("phone")
		}
		return nil, nil
	}
	if phone == "" {
		phone = samplePhone
	}
	return phone, nil
}
