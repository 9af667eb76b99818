package emulator

import (
	"fmt"
	"net/url"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
)

// CompleteCheckout pays a Checkout Session as its customer would, with a
// test payment method: pm_card_visa (and the other pm_card_* ids),
// pm_sepa_debit / pm_us_bank_account (complete unpaid, settle later) or
// their _fail variants, pm_oxxo / pm_boleto / pm_konbini / pm_multibanco (a voucher: complete unpaid,
// paid after 3 minutes on the clock), pm_link (a customer signed in to Link
// with the session's email: a Link PaymentMethod, paid at once). account names a connected account ("" =
// platform). A session that collects a shipping address ships to a sample
// address in a country it allows (to enter one, POST the helper
// /v1/test_helpers/checkout/sessions/:id/complete with shipping_details).
// It returns the session as completed.
func (e *Emulator) CompleteCheckout(account, sessionID, paymentMethod string) (Object, error) {
	return e.testHelper("completing "+sessionID, "/v1/test_helpers/checkout/sessions/"+sessionID+"/complete", url.Values{"payment_method": {paymentMethod}}, account)
}

// OpenPaymentLink is a customer visiting a payment link's URL: it opens a
// Checkout Session for the link's line items, with payment_link set
// (complete it with CompleteCheckout). A deactivated link opens nothing.
func (e *Emulator) OpenPaymentLink(account, linkID string) (Object, error) {
	return e.testHelper("opening payment link "+linkID, "/v1/test_helpers/payment_links/"+linkID+"/sessions", url.Values{}, account)
}

// VerifyIdentity is the user submitting an Identity VerificationSession on
// its test page with outcome: "verified", or a failure the session's checks
// can have (a last_error code such as "document_expired"). It answers the
// session as the submission left it.
func (e *Emulator) VerifyIdentity(account, sessionID, outcome string) (Object, error) {
	return e.testHelper("verifying "+sessionID, "/v1/test_helpers/identity/verification_sessions/"+sessionID+"/submit", url.Values{"outcome": {outcome}}, account)
}

// testHelper runs a test helper's POST as the platform (or account),
// answering an error that names what was done when it is refused.
func (e *Emulator) testHelper(doing, path string, form url.Values, account string) (Object, error) {
	status, body, err := e.Call("POST", path, form, account)
	if err != nil {
		return nil, err
	}
	if status != 200 {
		e, _ := body["error"].(map[string]any)
		code := api.Str(e["code"])
		if code != "" {
			code = " " + code
		}
		return body, fmt.Errorf("stripe-emu: %s answered %d%s: %s", doing, status, code, api.Str(e["message"]))
	}
	return body, nil
}
