package payments_test

import "github.com/stripe/stripe-go/v82"

// onlineAcceptance is mandate_data for a customer who accepted a mandate
// online, from 203.0.113.9 in a browser: what a PaymentIntent debiting a
// bank account sends.
func onlineAcceptance() *stripe.PaymentIntentCreateMandateDataParams {
	return &stripe.PaymentIntentCreateMandateDataParams{CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{
		Type:   stripe.String("online"),
		Online: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceOnlineParams{IPAddress: stripe.String("203.0.113.9"), UserAgent: stripe.String("Mozilla/5.0")},
	}}
}
