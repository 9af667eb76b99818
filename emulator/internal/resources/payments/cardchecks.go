package payments

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// A card payment's checks, as Stripe's test cards give them: what was
// given (a CVC, an address line 1, a postal code) is checked and passes,
// unless the test card fails it or has it unavailable; what was not given
// is not checked (null), so it can't fail.

// paymentChecks are the checks of a payment with card PaymentMethod pm of
// test card cd: payment_method_details.card.checks. A CVC was given when
// pm's cvc_check is set; the address is pm's billing address.
func paymentChecks(pm store.Obj, cd card) store.Obj {
	given := api.Obj(api.Obj(pm["card"])["checks"])
	addr := api.Obj(api.Obj(pm["billing_details"])["address"])
	return store.Obj{
		"address_line1_check":       checkResult(addr["line1"] != nil, cd.Line1Check),
		"address_postal_code_check": checkResult(addr["postal_code"] != nil, cd.ZipCheck),
		"cvc_check":                 checkResult(given["cvc_check"] != nil, cd.CVCCheck),
	}
}

// checkResult is one check's result: null when nothing was given to
// check, else the test card's result (fail, unavailable) or pass.
func checkResult(given bool, result string) any {
	switch {
	case !given:
		return nil
	case result != "":
		return result
	}
	return "pass"
}

// checkDecline is the decline a failed check brings, nil if none: a
// failed CVC check declines (incorrect_cvc), as does a failed postal code
// check on a payment (Radar's default rules block both); a failed or
// unavailable address line 1 check declines nothing. onAttach: the check
// of a card being saved, which declines a failed CVC only.
func checkDecline(checks store.Obj, onAttach bool) *apierr.Error {
	if checks["cvc_check"] == "fail" {
		return cardError("incorrect_cvc", "", incorrectCVCMessage, declineParams["incorrect_cvc"])
	}
	if !onAttach && checks["address_postal_code_check"] == "fail" {
		return cardError("incorrect_zip", "", incorrectZipMessage, "")
	}
	return nil
}

// checkedAddress gives the billing details bd of a test PaymentMethod or
// token of an address-check test card (pm_card_avsFail…) the address its
// checks run on, unless bd has one: Stripe's are made with one, or their
// checks could not fail. Stripe's address is not documented; this is a
// sample.
func checkedAddress(cd card, bd store.Obj) store.Obj {
	addr := api.Obj(bd["address"])
	if (cd.Line1Check == "" && cd.ZipCheck == "") || addr["line1"] != nil || addr["postal_code"] != nil {
		return bd
	}
	bd["address"] = store.Obj{"city": "San Francisco", "country": "US", "line1": "510 Townsend St", "line2": nil,
		"postal_code": "94103", "state": "CA"}
	return bd
}
