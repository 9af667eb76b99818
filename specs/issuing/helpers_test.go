package issuing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// cardholderParams is an individual cardholder with nothing past due.
func cardholderParams() *stripe.IssuingCardholderCreateParams {
	return &stripe.IssuingCardholderCreateParams{
		Name:  stripe.String("Jenny Rosen"),
		Email: stripe.String("jenny@example.com"),
		Billing: &stripe.IssuingCardholderCreateBillingParams{Address: &stripe.AddressParams{
			Line1: stripe.String("1234 Main Street"), City: stripe.String("San Francisco"), State: stripe.String("CA"),
			PostalCode: stripe.String("94111"), Country: stripe.String("US"),
		}},
		Individual: &stripe.IssuingCardholderCreateIndividualParams{
			FirstName: stripe.String("Jenny"), LastName: stripe.String("Rosen"),
			CardIssuing: &stripe.IssuingCardholderCreateIndividualCardIssuingParams{
				UserTermsAcceptance: &stripe.IssuingCardholderCreateIndividualCardIssuingUserTermsAcceptanceParams{
					Date: stripe.Int64(1700000000), IP: stripe.String("91.121.146.224"),
				},
			},
		},
	}
}

func newCardholder(sc *stripe.Client) *stripe.IssuingCardholder {
	GinkgoHelper()
	ch, err := sc.V1IssuingCardholders.Create(Ctx, cardholderParams())
	Expect(err).NotTo(HaveOccurred())
	return ch
}

// activeCard is an active virtual card of a new cardholder.
func activeCard(sc *stripe.Client) *stripe.IssuingCard {
	GinkgoHelper()
	ch := newCardholder(sc)
	card, err := sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
		Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("virtual"), Status: stripe.String("active"),
	})
	Expect(err).NotTo(HaveOccurred())
	return card
}
