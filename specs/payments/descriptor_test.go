package payments_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Since January 2024 a PaymentIntent that a card can pay takes no full
// statement_descriptor (Stripe answers 400): card statements show the
// account's prefix and statement_descriptor_suffix.
var _ = Describe("statement descriptors on PaymentIntents", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	It("refuses statement_descriptor when card is among the types, on create and update, changing nothing", func() {
		for _, types := range [][]string{nil, {"card"}, {"card", "sepa_debit"}} {
			_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur"),
				PaymentMethodTypes: stripe.StringSlice(types), StatementDescriptor: stripe.String("SHOP ORDER 42")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "statement_descriptor")
		}
		Expect(emu.Count("", "payment_intent")).To(BeZero())

		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur"),
			StatementDescriptorSuffix: stripe.String("ORDER 42")})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.StatementDescriptorSuffix).To(Equal("ORDER 42"))
		_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{StatementDescriptor: stripe.String("SHOP ORDER 42")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "statement_descriptor")
		after, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(after.StatementDescriptor).To(BeEmpty())
	})

	It("refuses a suffix or descriptor with a character Stripe forbids or without a letter, on create, update and capture, changing nothing", func() {
		for _, bad := range []string{"ORDER <42>", `ORDER \42`, "ORDER '42'", `ORDER "42"`, "ORDER *42", "12345"} {
			_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
				PaymentMethodTypes: stripe.StringSlice([]string{"card"}), StatementDescriptorSuffix: stripe.String(bad)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "statement_descriptor_suffix")
			_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur"),
				PaymentMethodTypes: stripe.StringSlice([]string{"sepa_debit"}), StatementDescriptor: stripe.String(bad)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "statement_descriptor")
		}
		Expect(emu.Count("", "payment_intent")).To(BeZero())

		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			CaptureMethod: stripe.String("manual"), StatementDescriptorSuffix: stripe.String("ORDER 42")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{StatementDescriptorSuffix: stripe.String("ORDER <42>")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "statement_descriptor_suffix")
		_, err = sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{StatementDescriptorSuffix: stripe.String("4242")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "statement_descriptor_suffix")
		after, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(after.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
		Expect(after.StatementDescriptorSuffix).To(Equal("ORDER 42"))
	})

	It("takes statement_descriptor when no card can pay", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur"),
			PaymentMethodTypes: stripe.StringSlice([]string{"sepa_debit"}), StatementDescriptor: stripe.String("SHOP ORDER 42")})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.StatementDescriptor).To(Equal("SHOP ORDER 42"))
	})

	Describe("the charge's calculated_statement_descriptor", func() {
		calculated := func(p *stripe.PaymentIntentCreateParams) string {
			GinkgoHelper()
			p.Amount, p.Currency, p.Confirm = stripe.Int64(1000), stripe.String("usd"), stripe.Bool(true)
			p.Params.AddExpand("latest_charge")
			pi, err := sc.V1PaymentIntents.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			return pi.LatestCharge.CalculatedStatementDescriptor
		}
		card := func(suffix string) *stripe.PaymentIntentCreateParams {
			p := &stripe.PaymentIntentCreateParams{PaymentMethod: stripe.String("pm_card_visa"), PaymentMethodTypes: stripe.StringSlice([]string{"card"})}
			if suffix != "" {
				p.StatementDescriptorSuffix = stripe.String(suffix)
			}
			return p
		}
		settings := func(static, prefix string) {
			GinkgoHelper()
			acct, err := sc.V1Accounts.Retrieve(Ctx, nil)
			Expect(err).NotTo(HaveOccurred())
			s := &stripe.AccountUpdateSettingsParams{Payments: &stripe.AccountUpdateSettingsPaymentsParams{StatementDescriptor: stripe.String(static)}}
			if prefix != "" {
				s.CardPayments = &stripe.AccountUpdateSettingsCardPaymentsParams{StatementDescriptorPrefix: stripe.String(prefix)}
			}
			_, err = sc.V1Accounts.Update(Ctx, acct.ID, &stripe.AccountUpdateParams{Settings: s})
			Expect(err).NotTo(HaveOccurred())
		}

		It("is the account's static descriptor without a suffix, and its prefix, an asterisk, a space and the suffix with one, as Stripe's statement descriptor guide combines them", func() {
			settings("RUNCLUB RACES", "RUNCLUB")
			Expect(calculated(card(""))).To(Equal("RUNCLUB RACES"))
			Expect(calculated(card("OCT MARATHON"))).To(Equal("RUNCLUB* OCT MARATHON"))
		})

		It("takes the capture's statement_descriptor_suffix, as the capture reference describes it, on the intent and its charge", func() {
			settings("RUNCLUB RACES", "RUNCLUB")
			p := card("")
			p.Amount, p.Currency, p.Confirm, p.CaptureMethod = stripe.Int64(1000), stripe.String("usd"), stripe.Bool(true), stripe.String("manual")
			held, err := sc.V1PaymentIntents.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			pi, err := sc.V1PaymentIntents.Capture(Ctx, held.ID, &stripe.PaymentIntentCaptureParams{StatementDescriptorSuffix: stripe.String("OCT MARATHON"),
				Params: stripe.Params{Expand: []*string{stripe.String("latest_charge")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.StatementDescriptorSuffix).To(Equal("OCT MARATHON"))
			Expect(pi.LatestCharge.StatementDescriptorSuffix).To(Equal("OCT MARATHON"))
			Expect(pi.LatestCharge.CalculatedStatementDescriptor).To(Equal("RUNCLUB* OCT MARATHON"))
		})

		It("takes the static descriptor's first 10 characters as the prefix when the account sets none", func() {
			settings("RUNCLUB MARATHONS", "")
			Expect(calculated(card("10K RACE"))).To(Equal("RUNCLUB MA* 10K RACE"))
		})
	})
})
