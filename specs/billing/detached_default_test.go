package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// A detached PaymentMethod can no longer pay (Stripe's detach reference):
// a subscription whose default it was stops naming it, as the customer's
// invoice_settings does, and its renewals fall back to the customer's
// default.
var _ = Describe("Detaching a subscription's default PaymentMethod", Label("billing"), func() {
	It("clears the subscription's default_payment_method, and renewals charge the customer's default instead", func() {
		emu := Emulator()
		sc := emu.Client()
		cus := customerWithCard(sc, "detach@example.com", "pm_card_mastercard", "")
		fallback := cus.InvoiceSettings.DefaultPaymentMethod.ID
		own, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_visa", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			DefaultPaymentMethod: stripe.String(own.ID),
			Items:                []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(recurringPrice(sc, prod.ID, "month", 1000).ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.DefaultPaymentMethod.ID).To(Equal(own.ID))

		mark := len(emu.EventTypes(""))
		_, err = sc.V1PaymentMethods.Detach(Ctx, own.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.EventTypes("")[mark:]).To(Equal([]string{"payment_method.detached", "customer.subscription.updated"}))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.DefaultPaymentMethod).To(BeNil())

		emu.Clock().Advance(31*24*time.Hour + 2*time.Hour)
		got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("latest_invoice")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(defaultIntent(sc, got.LatestInvoice).PaymentMethod.ID).To(Equal(fallback))
	})
})
