package payments_test

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Charge search", Label("payments", "search"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	pay := func(pm string) *stripe.PaymentIntent {
		GinkgoHelper()
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(4200), Currency: stripe.String("usd"), PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true),
			AutomaticPaymentMethods: &stripe.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true), AllowRedirects: stripe.String("never")},
		})
		Expect(err).NotTo(HaveOccurred())
		return pi
	}
	search := func(q string) []string {
		GinkgoHelper()
		var out []string
		for ch, err := range sc.V1Charges.Search(Ctx, &stripe.ChargeSearchParams{SearchParams: stripe.SearchParams{Query: q}}) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, ch.PaymentIntent.ID)
		}
		return out
	}

	// Stripe's search guide looks charges up by the card's last 4 digits
	// (payment_method_details.card.last4:4242, unquoted), and lists
	// disputed and billing_details.address.postal_code among the charge's
	// query fields.
	It("finds charges by card last4, billing postal code and whether they are disputed", func() {
		withZip, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"),
			Card:           &stripe.PaymentMethodCreateCardParams{Token: stripe.String("tok_mastercard")},
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Address: &stripe.AddressParams{PostalCode: stripe.String("94107")}}})
		Expect(err).NotTo(HaveOccurred())
		visa, mastercard, disputed := pay("pm_card_visa"), pay(withZip.ID), pay("pm_card_createDispute")

		Expect(search(`payment_method_details.card.last4:4242`)).To(Equal([]string{visa.ID}))
		Expect(search(`payment_method_details.card.last4:"4444"`)).To(Equal([]string{mastercard.ID}))
		Expect(search(`billing_details.address.postal_code:"94107"`)).To(Equal([]string{mastercard.ID}))
		Expect(search(`disputed:"true"`)).To(Equal([]string{disputed.ID}))
		Expect(search(`disputed:"false" AND amount>=4200`)).To(ConsistOf(visa.ID, mastercard.ID))

		for _, err := range sc.V1Charges.Search(Ctx, &stripe.ChargeSearchParams{SearchParams: stripe.SearchParams{Query: `billing_details.name:"Jenny"`}}) {
			Expect(StripeErr(err).Msg).To(Equal("Field `billing_details.name` is an unsupported search field for resource `charges`. See http://stripe.com/docs/search#query-fields-for-charges for a list of supported fields."))
		}
	})

	// The guide's table: payment_method_details.{SOURCE}.last4, exp_month,
	// exp_year, brand and fingerprint, SOURCE being card online and
	// card_present or interac_present for Terminal's charges; all tokens,
	// matched whole and case-insensitively.
	It("finds charges by the card's brand, expiry and fingerprint, and takes the Terminal sources' fields", func() {
		visa, mastercard := pay("pm_card_visa"), pay("pm_card_mastercard")
		ch, err := sc.V1Charges.Retrieve(Ctx, visa.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		card := ch.PaymentMethodDetails.Card

		Expect(search(`payment_method_details.card.brand:"VISA"`)).To(Equal([]string{visa.ID}))
		Expect(search(`payment_method_details.card.brand:"mastercard"`)).To(Equal([]string{mastercard.ID}))
		Expect(search(`payment_method_details.card.fingerprint:"` + card.Fingerprint + `"`)).To(Equal([]string{visa.ID}))
		Expect(search(fmt.Sprintf(`payment_method_details.card.exp_month:%d AND payment_method_details.card.exp_year:"%d"`, card.ExpMonth, card.ExpYear))).To(ContainElement(visa.ID))
		Expect(search(`payment_method_details.card_present.last4:4242`)).To(BeEmpty())
		Expect(search(`payment_method_details.interac_present.brand:"interac"`)).To(BeEmpty())

		for _, err := range sc.V1Charges.Search(Ctx, &stripe.ChargeSearchParams{SearchParams: stripe.SearchParams{Query: `payment_method_details.card.funding:"credit"`}}) {
			Expect(StripeErr(err).Msg).To(HavePrefix("Field `payment_method_details.card.funding` is an unsupported search field for resource `charges`."))
		}
	})

	// "refunded:"true" filters for fully-refunded charges,
	// refunded:"false" filters for partially-refunded charges, and
	// refunded:null filters for non-refunded charges." (Stripe's search
	// guide; integrations find the charges they may still refund with
	// status:'succeeded' AND refunded:null.)
	It("tells fully, partially and non-refunded charges apart by refunded", func() {
		none, part, full := pay("pm_card_visa"), pay("pm_card_visa"), pay("pm_card_visa")
		_, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(part.ID), Amount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(full.ID)})
		Expect(err).NotTo(HaveOccurred())

		Expect(search(`refunded:"true"`)).To(Equal([]string{full.ID}))
		Expect(search(`refunded:"false"`)).To(Equal([]string{part.ID}))
		Expect(search(`status:"succeeded" AND refunded:null`)).To(Equal([]string{none.ID}))
		Expect(search(`-refunded:null`)).To(ConsistOf(part.ID, full.ID))
	})
})
