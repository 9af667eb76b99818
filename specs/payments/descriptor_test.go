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

	It("takes statement_descriptor when no card can pay", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur"),
			PaymentMethodTypes: stripe.StringSlice([]string{"sepa_debit"}), StatementDescriptor: stripe.String("SHOP ORDER 42")})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.StatementDescriptor).To(Equal("SHOP ORDER 42"))
	})
})
