package issuing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Every optional part of the Issuing objects, sent once, so the strict
// checks of every answer and event (stripe-go's types, Stripe's OpenAPI
// spec) see them filled in.
var _ = Describe("Issuing objects with every part filled in", Label("issuing"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	It("shows a cardholder's date of birth, a physical card's customs and address validation, and an authorization's details and wallet", func() {
		p := cardholderParams()
		p.Individual.DOB = &stripe.IssuingCardholderCreateIndividualDOBParams{Day: stripe.Int64(1), Month: stripe.Int64(2), Year: stripe.Int64(1990)}
		p.Individual.CardIssuing.UserTermsAcceptance.UserAgent = stripe.String("Mozilla/5.0")
		p.SpendingControls = &stripe.IssuingCardholderCreateSpendingControlsParams{
			SpendingLimits: []*stripe.IssuingCardholderCreateSpendingControlsSpendingLimitParams{
				{Amount: stripe.Int64(100000), Interval: stripe.String("monthly"), Categories: []*string{stripe.String("aquariums")}},
			},
		}
		ch, err := sc.V1IssuingCardholders.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.Individual.DOB.Year).To(BeEquivalentTo(1990))
		Expect(ch.SpendingControls.SpendingLimits[0].Categories).To(Equal([]string{"aquariums"}))

		card, err := sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("physical"), Status: stripe.String("active"),
			Shipping: &stripe.IssuingCardCreateShippingParams{
				Name: stripe.String("Jenny Rosen"), Service: stripe.String("express"), Type: stripe.String("bulk"),
				PhoneNumber: stripe.String("+18008675309"), RequireSignature: stripe.Bool(true),
				Customs:           &stripe.IssuingCardCreateShippingCustomsParams{EORINumber: stripe.String("GB123456789000")},
				AddressValidation: &stripe.IssuingCardCreateShippingAddressValidationParams{Mode: stripe.String("normalization_only")},
				Address: &stripe.AddressParams{Line1: stripe.String("1 Main St"), City: stripe.String("Austin"), State: stripe.String("TX"),
					PostalCode: stripe.String("78701"), Country: stripe.String("US")},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(card.Shipping.Customs.EORINumber).To(Equal("GB123456789000"))
		Expect(card.Shipping.AddressValidation.NormalizedAddress.City).To(Equal("Austin"))
		Expect(card.Shipping.RequireSignature).To(BeTrue())

		fundIssuing(emu, 5000)
		auth := authorize(sc, card.ID, 1500, func(p *stripe.TestHelpersIssuingAuthorizationCreateParams) {
			p.AuthorizationMethod = stripe.String("contactless")
			p.Wallet = stripe.String("apple_pay")
			p.AmountDetails = &stripe.TestHelpersIssuingAuthorizationCreateAmountDetailsParams{CashbackAmount: stripe.Int64(500)}
			p.NetworkData = &stripe.TestHelpersIssuingAuthorizationCreateNetworkDataParams{AcquiringInstitutionID: stripe.String("12345")}
			p.MerchantData = &stripe.TestHelpersIssuingAuthorizationCreateMerchantDataParams{
				Category: stripe.String("aquariums"), Name: stripe.String("Deep Blue"), City: stripe.String("Austin"),
				Country: stripe.String("US"), NetworkID: stripe.String("777"), TerminalID: stripe.String("T1"), URL: stripe.String("https://example.com"),
			}
			p.VerificationData = &stripe.TestHelpersIssuingAuthorizationCreateVerificationDataParams{
				CVCCheck: stripe.String("match"), ExpiryCheck: stripe.String("match"),
				AuthenticationExemption: &stripe.TestHelpersIssuingAuthorizationCreateVerificationDataAuthenticationExemptionParams{
					ClaimedBy: stripe.String("issuer"), Type: stripe.String("low_value_transaction"),
				},
				ThreeDSecure: &stripe.TestHelpersIssuingAuthorizationCreateVerificationDataThreeDSecureParams{Result: stripe.String("authenticated")},
			}
		})
		Expect(auth.Approved).To(BeTrue())
		Expect(string(auth.Wallet)).To(Equal("apple_pay"))
		Expect(auth.AmountDetails.CashbackAmount).To(BeEquivalentTo(500))
		Expect(auth.NetworkData.AcquiringInstitutionID).To(Equal("12345"))
		Expect(auth.MerchantData.NetworkID).To(Equal("777"))
		Expect(auth.VerificationData.ThreeDSecure.Result).To(Equal(stripe.IssuingAuthorizationVerificationDataThreeDSecureResultAuthenticated))

		p2 := &stripe.IssuingAuthorizationRetrieveParams{}
		p2.AddExpand("cardholder")
		got, err := sc.V1IssuingAuthorizations.Retrieve(Ctx, auth.ID, p2)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Cardholder.Name).To(Equal("Jenny Rosen"))

		captured, err := sc.V1TestHelpersIssuingAuthorizations.Capture(Ctx, auth.ID, &stripe.TestHelpersIssuingAuthorizationCaptureParams{CloseAuthorization: stripe.Bool(false), CaptureAmount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(captured.Status).To(Equal(stripe.IssuingAuthorizationStatusPending))
		Expect(captured.Transactions[0].Wallet).To(Equal(stripe.IssuingTransactionWalletApplePay))

		tp := &stripe.IssuingTransactionRetrieveParams{}
		for _, e := range []string{"card", "cardholder", "authorization", "purchase_details"} {
			tp.AddExpand(e)
		}
		txn, err := sc.V1IssuingTransactions.Retrieve(Ctx, captured.Transactions[0].ID, tp)
		Expect(err).NotTo(HaveOccurred())
		Expect(txn.Card.Last4).To(Equal(card.Last4))
		Expect(txn.Authorization.ID).To(Equal(auth.ID))
		Expect(txn.PurchaseDetails).To(BeNil())
	})
})
