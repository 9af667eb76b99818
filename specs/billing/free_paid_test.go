package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Stripe's reference for updating a subscription: switching prices does
// not change the billing date or charge at once unless the interval
// changes or "the subscription moves from free to paid, or paid to free";
// then the unused time is credited, the new price charged at once, and the
// billing date reset.
var _ = Describe("Moving a subscription between free and paid", Label("billing", "subscriptions", "prorations"), func() {
	var (
		emu        *emulator.Emulator
		sc         *stripe.Client
		free, paid *stripe.Price
		cus        *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		free = recurringPrice(sc, prod.ID, "month", 0)
		paid = recurringPrice(sc, prod.ID, "month", 1000)
		cus = customerWithCard(sc, "free@example.com", "pm_card_visa", "")
	})
	subscribe := func(price *stripe.Price) *stripe.Subscription {
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		return sub
	}
	move := func(sub *stripe.Subscription, to *stripe.Price) *stripe.Subscription {
		p := &stripe.SubscriptionUpdateParams{Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(to.ID)}}}
		p.AddExpand("latest_invoice")
		got, err := sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		return got
	}

	It("charges a full period at once from free to paid, the cycle starting again on the day of the change", func() {
		sub := subscribe(free)
		now := Epoch.AddDate(0, 0, 15) // 16 September, noon
		emu.Clock().Set(now)
		got := move(sub, paid)
		Expect(got.BillingCycleAnchor).To(Equal(now.Unix()))
		Expect(got.Items.Data[0].CurrentPeriodStart).To(Equal(now.Unix()))
		Expect(got.Items.Data[0].CurrentPeriodEnd).To(Equal(now.AddDate(0, 1, 0).Unix()))
		inv := got.LatestInvoice
		Expect(inv.ID).NotTo(Equal(sub.LatestInvoice.ID))
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
		Expect(inv.Total).To(Equal(int64(1000)), "the month from 16 September in full; nothing to credit for the free half")
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
	})

	It("starts a subscription with nothing due for a customer without a payment method, refusing one with something due, creating nothing", func() {
		bare, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("bare@example.com")})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(bare.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(free.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive), "a free first invoice needs no payment method")

		full, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(100), Duration: stripe.String("once")})
		Expect(err).NotTo(HaveOccurred())
		sub, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(bare.ID),
			Items:     []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(paid.ID)}},
			Discounts: []*stripe.SubscriptionCreateDiscountParams{{Coupon: stripe.String(full.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive), "a 100% discount leaves nothing due")

		before := emu.Count("", "subscription")
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(bare.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(paid.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(HavePrefix("This customer has no attached payment source or default payment method."))
		Expect(emu.Count("", "subscription")).To(Equal(before))
	})

	It("credits the unused paid time from paid to free, the cycle starting again, the credit left on the balance", func() {
		sub := subscribe(paid)
		now := Epoch.AddDate(0, 0, 15) // half of September's 30 days left
		emu.Clock().Set(now)
		got := move(sub, free)
		Expect(got.BillingCycleAnchor).To(Equal(now.Unix()))
		Expect(got.Items.Data[0].CurrentPeriodEnd).To(Equal(now.AddDate(0, 1, 0).Unix()))
		inv := got.LatestInvoice
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
		Expect(inv.Total).To(Equal(int64(-500)), "-5.00 for the unused half of the 10.00 month")
		Expect(inv.AmountDue).To(Equal(int64(0)))
		c, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Balance).To(Equal(int64(-500)))
	})

	It("keeps the billing date between two paid prices, prorating onto the next invoice", func() {
		dearer := recurringPrice(sc, paid.Product.ID, "month", 2000)
		sub := subscribe(paid)
		emu.Clock().Set(Epoch.AddDate(0, 0, 15))
		got := move(sub, dearer)
		Expect(got.BillingCycleAnchor).To(Equal(Epoch.Unix()))
		Expect(got.LatestInvoice.ID).To(Equal(sub.LatestInvoice.ID))
	})

	It("keeps the cycle from free to paid with billing_cycle_anchor=unchanged, prorating the half month (+5.00) onto the next invoice", func() {
		sub := subscribe(free)
		emu.Clock().Set(Epoch.AddDate(0, 0, 15))
		got, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{BillingCycleAnchorUnchanged: stripe.Bool(true),
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(paid.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.BillingCycleAnchor).To(Equal(Epoch.Unix()))
		Expect(got.LatestInvoice.ID).To(Equal(sub.LatestInvoice.ID))
		var pending int64
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			pending += ii.Amount
		}
		Expect(pending).To(Equal(int64(500)))
	})
})
