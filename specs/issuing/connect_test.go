package issuing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Issuing on connected accounts", Label("issuing"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	It("issues cards on an account whose card_issuing capability is active, funded from its own Issuing balance", func() {
		plain := Seller(emu, nil)
		p := cardholderParams()
		OnAccount(&p.Params, plain.ID)
		_, err := sc.V1IssuingCardholders.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")

		acct := Seller(emu, &stripe.AccountCreateParams{
			Type: stripe.String("custom"), Country: stripe.String("US"), ExternalAccount: &stripe.AccountExternalAccountParams{Token: stripe.String("btok_us_verified")},
			Capabilities: &stripe.AccountCreateCapabilitiesParams{
				CardIssuing: &stripe.AccountCreateCapabilitiesCardIssuingParams{Requested: stripe.Bool(true)},
				Transfers:   &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)},
			},
		})
		p = cardholderParams()
		OnAccount(&p.Params, acct.ID)
		ch, err := sc.V1IssuingCardholders.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		cp := &stripe.IssuingCardCreateParams{Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("virtual"), Status: stripe.String("active")}
		OnAccount(&cp.Params, acct.ID)
		card, err := sc.V1IssuingCards.Create(Ctx, cp)
		Expect(err).NotTo(HaveOccurred())

		tp := &stripe.TopupCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd")}
		tp.AddExtra("destination_balance", "issuing")
		OnAccount(&tp.Params, acct.ID)
		_, err = sc.V1Topups.Create(Ctx, tp)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(3 * time.Minute)

		ap := &stripe.TestHelpersIssuingAuthorizationCreateParams{Card: stripe.String(card.ID), Amount: stripe.Int64(1500)}
		OnAccount(&ap.Params, acct.ID)
		auth, err := sc.V1TestHelpersIssuingAuthorizations.Create(Ctx, ap)
		Expect(err).NotTo(HaveOccurred())
		Expect(auth.Approved).To(BeTrue())

		bp := &stripe.BalanceRetrieveParams{}
		OnAccount(&bp.Params, acct.ID)
		b, err := sc.V1Balance.Retrieve(Ctx, bp)
		Expect(err).NotTo(HaveOccurred())
		Expect(b.Issuing.Available[0].Amount).To(BeEquivalentTo(500))
		Expect(issuingAvailable(sc)).To(BeZero()) // the platform's own

		// The platform sees none of it.
		_, err = sc.V1IssuingCards.Retrieve(Ctx, card.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		CheckAccountEvents(emu, acct.ID)
	})
})
