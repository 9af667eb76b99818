package payments_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("A payment method type's own setup_future_usage", Label("payments"), func() {
	var (
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		sc = Emulator().Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
	})
	confirmed := func(opts *stripe.PaymentIntentCreatePaymentMethodOptionsParams, intentUsage *string) *stripe.PaymentMethod {
		GinkgoHelper()
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String("pm_card_visa"), PaymentMethodTypes: []*string{stripe.String("card")},
			PaymentMethodOptions: opts, SetupFutureUsage: intentUsage, Confirm: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		pm, err := sc.V1PaymentMethods.Retrieve(Ctx, pi.PaymentMethod.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return pm
	}

	It("saves the card to the customer when the card's options ask, the intent's being unset", func() {
		pm := confirmed(&stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{
			SetupFutureUsage: stripe.String("off_session")}}, nil)
		Expect(pm.Customer).NotTo(BeNil())
		Expect(pm.Customer.ID).To(Equal(cus.ID))
	})
	It("saves nothing when the card's options say none, whatever the intent says", func() {
		pm := confirmed(&stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{
			SetupFutureUsage: stripe.String("none")}}, stripe.String("off_session"))
		Expect(pm.Customer).To(BeNil())
	})
})
