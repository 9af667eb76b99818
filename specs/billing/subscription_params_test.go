package billing_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Subscription parameters as integrations send them", Label("billing", "subscriptions"), func() {
	var (
		emu   *emulator.Emulator
		sc    *stripe.Client
		cus   *stripe.Customer
		price *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		price = recurringPrice(sc, prod.ID, "month", 1000)
		cus = customerWithCard(sc, "params@example.com", "pm_card_visa", "")
	})

	It("refuses a description longer than Stripe's 500 characters on create and update, changing nothing", func() {
		long := strings.Repeat("d", 501)
		_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}, Description: stripe.String(long)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: dddd...dddd; must be at most 500 characters"))
		list := sc.V1Subscriptions.List(Ctx, &stripe.SubscriptionListParams{Customer: stripe.String(cus.ID)})
		n := 0
		for _, err := range list {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		Expect(n).To(BeZero())

		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}, Description: stripe.String(strings.Repeat("d", 500))})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{Description: stripe.String(long)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Description).To(HaveLen(500))
	})

	It("leaves an update's invoice unattempted under payment_behavior=default_incomplete: past_due until the client pays its intent", func() {
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		dearer := recurringPrice(sc, price.Product.ID, "month", 3000)
		upd := &stripe.SubscriptionUpdateParams{PaymentBehavior: stripe.String("default_incomplete"), ProrationBehavior: stripe.String("always_invoice"),
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(dearer.ID)}}}
		upd.AddExpand("latest_invoice.confirmation_secret")
		got, err := sc.V1Subscriptions.Update(Ctx, sub.ID, upd)
		Expect(err).NotTo(HaveOccurred())
		// Stripe's reference: default_incomplete moves the subscription to
		// past_due when payment is required and awaits explicit
		// confirmation of the invoice's PaymentIntent; the change applies.
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusPastDue))
		Expect(got.Items.Data[0].Price.ID).To(Equal(dearer.ID))
		Expect(got.LatestInvoice.ID).NotTo(Equal(sub.LatestInvoice.ID))
		inv, err := sc.V1Invoices.Retrieve(Ctx, got.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(inv.Attempted).To(BeFalse())
		Expect(inv.AmountDue).To(BeNumerically(">", 0))
		Expect(emu.EventTypes("")).NotTo(ContainElement("invoice.payment_failed"))
		pi := defaultIntent(sc, inv)
		Expect(pi.Status).NotTo(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(got.LatestInvoice.ConfirmationSecret.ClientSecret).To(Equal(pi.ClientSecret))

		_, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
	})
})
