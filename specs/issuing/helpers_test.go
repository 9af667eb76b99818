package issuing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
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

// fundIssuing tops up the Issuing balance (destination_balance=issuing,
// which stripe-go sends as an extra) and lets the debit go through.
func fundIssuing(emu *emulator.Emulator, amount int64) {
	GinkgoHelper()
	p := &stripe.TopupCreateParams{Amount: stripe.Int64(amount), Currency: stripe.String("usd")}
	p.AddExtra("destination_balance", "issuing")
	tu, err := emu.Client().V1Topups.Create(Ctx, p)
	Expect(err).NotTo(HaveOccurred())
	emu.Clock().Advance(3 * time.Minute)
	got, err := emu.Client().V1Topups.Retrieve(Ctx, tu.ID, nil)
	Expect(err).NotTo(HaveOccurred())
	Expect(got.Status).To(Equal(stripe.TopupStatusSucceeded))
}

// issuingAvailable is the available Issuing balance in usd (0 when the
// balance shows none).
func issuingAvailable(sc *stripe.Client) int64 {
	GinkgoHelper()
	b, err := sc.V1Balance.Retrieve(Ctx, nil)
	Expect(err).NotTo(HaveOccurred())
	if b.Issuing == nil {
		return 0
	}
	for _, a := range b.Issuing.Available {
		if a.Currency == "usd" {
			return a.Amount
		}
	}
	return 0
}

// authorize asks for an authorization of amount on card (at Stripe's
// example merchant unless edited).
func authorize(sc *stripe.Client, card string, amount int64, edit ...func(*stripe.TestHelpersIssuingAuthorizationCreateParams)) *stripe.IssuingAuthorization {
	GinkgoHelper()
	p := &stripe.TestHelpersIssuingAuthorizationCreateParams{Card: stripe.String(card), Amount: stripe.Int64(amount)}
	for _, e := range edit {
		e(p)
	}
	auth, err := sc.V1TestHelpersIssuingAuthorizations.Create(Ctx, p)
	Expect(err).NotTo(HaveOccurred())
	return auth
}

// declineReason is the reason of an authorization's last request.
func declineReason(a *stripe.IssuingAuthorization) stripe.IssuingAuthorizationRequestHistoryReason {
	GinkgoHelper()
	Expect(a.RequestHistory).NotTo(BeEmpty())
	last := a.RequestHistory[len(a.RequestHistory)-1]
	Expect(last.Approved).To(BeFalse())
	return last.Reason
}

// listedIDs are the ids a list call pages through, in its order.
func listedIDs[T any, S ~func(func(T, error) bool)](seq S, id func(T) string) []string {
	GinkgoHelper()
	var out []string
	for x, err := range seq {
		Expect(err).NotTo(HaveOccurred())
		out = append(out, id(x))
	}
	return out
}
