package emulator

import (
	"fmt"
	"net/url"
)

// CompleteCheckout pays a Checkout Session as its customer would, with a
// test payment method: pm_card_visa (and the other pm_card_* ids),
// pm_sepa_debit / pm_us_bank_account (complete unpaid, settle later) or
// their _fail variants. account names a connected account ("" =
// platform). A session that collects a shipping address ships to a sample
// address in a country it allows (to enter one, POST the helper
// /v1/test_helpers/checkout/sessions/:id/complete with shipping_details).
// It returns the session as completed.
func (e *Emulator) CompleteCheckout(account, sessionID, paymentMethod string) (Object, error) {
	status, body, err := e.Call("POST", "/v1/test_helpers/checkout/sessions/"+sessionID+"/complete", url.Values{"payment_method": {paymentMethod}}, account)
	if err != nil {
		return nil, err
	}
	if status != 200 {
		return body, fmt.Errorf("stripe-emu: completing %s answered %d: %v", sessionID, status, body["error"])
	}
	return body, nil
}

// OpenPaymentLink is a customer visiting a payment link's URL: it opens a
// Checkout Session for the link's line items, with payment_link set
// (complete it with CompleteCheckout). A deactivated link opens nothing.
func (e *Emulator) OpenPaymentLink(account, linkID string) (Object, error) {
	status, body, err := e.Call("POST", "/v1/test_helpers/payment_links/"+linkID+"/sessions", url.Values{}, account)
	if err != nil {
		return nil, err
	}
	if status != 200 {
		return body, fmt.Errorf("stripe-emu: opening payment link %s answered %d: %v", linkID, status, body["error"])
	}
	return body, nil
}
