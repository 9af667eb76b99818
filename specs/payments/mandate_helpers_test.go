package payments_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// onlineAcceptance is mandate_data for a customer who accepted a mandate
// online, from 203.0.113.9 in a browser: what a PaymentIntent debiting a
// bank account sends.
func onlineAcceptance() *stripe.PaymentIntentCreateMandateDataParams {
	return &stripe.PaymentIntentCreateMandateDataParams{CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{
		Type:   stripe.String("online"),
		Online: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceOnlineParams{IPAddress: stripe.String("203.0.113.9"), UserAgent: stripe.String("Mozilla/5.0")},
	}}
}

// sepaDebit confirms a 50.00 EUR SEPA Direct Debit from Stripe's test IBAN
// that settles, its mandate accepted offline: the intent, processing.
func sepaDebit(sc *stripe.Client) *stripe.PaymentIntent {
	GinkgoHelper()
	pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(5000), Currency: stripe.String("eur"),
		PaymentMethodTypes: []*string{stripe.String("sepa_debit")}, Confirm: stripe.Bool(true),
		PaymentMethodData: &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("sepa_debit"),
			SEPADebit:      &stripe.PaymentMethodSEPADebitParams{IBAN: stripe.String("DE89370400440532013000")},
			BillingDetails: &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com")}},
		MandateData: &stripe.PaymentIntentCreateMandateDataParams{CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{Type: stripe.String("offline")}},
	})
	Expect(err).NotTo(HaveOccurred())
	Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
	return pi
}
