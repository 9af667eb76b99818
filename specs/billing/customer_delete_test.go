package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Deleting a customer", Label("billing", "customers"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	// Stripe's "Delete a customer": it "also immediately cancels any
	// active subscriptions on the customer".
	It("cancels the customer's subscriptions at once, and renews none of them", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		price := recurringPrice(sc, prod.ID, "month", 1000)
		cus := customerWithCard(sc, "gone@example.com", "pm_card_visa", "")
		paying, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		trialing, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}, TrialPeriodDays: stripe.Int64(7)})
		Expect(err).NotTo(HaveOccurred())
		invoices := emu.Count("", "invoice")

		_, err = sc.V1Customers.Delete(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		for _, id := range []string{paying.ID, trialing.ID} {
			sub, err := sc.V1Subscriptions.Retrieve(Ctx, id, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled))
			Expect(sub.CanceledAt).To(Equal(emu.Clock().Unix()))
			Expect(sub.EndedAt).To(Equal(emu.Clock().Unix()))
			Expect(sub.CancellationDetails.Reason).To(Equal(stripe.SubscriptionCancellationDetailsReasonCancellationRequested))
		}
		types := emu.EventTypes("")
		Expect(types[len(types)-3:]).To(Equal([]string{"customer.subscription.deleted", "customer.subscription.deleted", "customer.deleted"}))

		emu.Clock().Advance(40 * 24 * time.Hour)
		Expect(emu.Count("", "invoice")).To(Equal(invoices), "a canceled subscription bills nothing more")
	})

	It("cancels the customer's schedules yet to start too, which then never start", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		price := recurringPrice(sc, prod.ID, "month", 1000)
		cus := customerWithCard(sc, "later@example.com", "pm_card_visa", "")
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDate: stripe.Int64(Epoch.AddDate(0, 0, 10).Unix()),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(price.ID)}}}},
		})
		Expect(err).NotTo(HaveOccurred())

		_, err = sc.V1Customers.Delete(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		got, err := sc.V1SubscriptionSchedules.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionScheduleStatusCanceled))
		Expect(got.CanceledAt).To(Equal(emu.Clock().Unix()))
		types := emu.EventTypes("")
		Expect(types[len(types)-2:]).To(Equal([]string{"subscription_schedule.canceled", "customer.deleted"}))

		emu.Clock().Advance(40 * 24 * time.Hour)
		got, err = sc.V1SubscriptionSchedules.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionScheduleStatusCanceled))
		Expect(emu.Count("", "subscription")).To(BeZero())
	})
})
