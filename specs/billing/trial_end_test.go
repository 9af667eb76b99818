package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("A trial that ends without a payment method", Label("billing"), func() {
	var (
		emu   *emulator.Emulator
		sc    *stripe.Client
		price *stripe.Price
		cus   *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		price = recurringPrice(sc, prod.ID, "month", 1000)
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("trial@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})
	trial := func(behavior string) *stripe.Subscription {
		GinkgoHelper()
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}, TrialPeriodDays: stripe.Int64(7),
			TrialSettings: &stripe.SubscriptionCreateTrialSettingsParams{EndBehavior: &stripe.SubscriptionCreateTrialSettingsEndBehaviorParams{
				MissingPaymentMethod: stripe.String(behavior)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		return sub
	}

	It("is canceled at the trial's end with missing_payment_method=cancel, invoicing nothing", func() {
		sub := trial("cancel")
		invoices := emu.Count("", "invoice")
		seen := len(emu.Events(""))
		emu.Clock().Set(time.Unix(sub.TrialEnd, 0).Add(time.Hour))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(got.EndedAt).To(Equal(sub.TrialEnd))
		Expect(emu.EventTypes("")[seen:]).To(ContainElement("customer.subscription.deleted"))
		Expect(emu.Count("", "invoice")).To(Equal(invoices), "no invoice for the period that never starts")
	})

	It("is paused at the trial's end with missing_payment_method=pause", func() {
		sub := trial("pause")
		emu.Clock().Set(time.Unix(sub.TrialEnd, 0).Add(time.Hour))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusPaused))
	})
})
