package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// A customer's own discount (applied as the Dashboard does: since basil
// the API has no parameter for it) is inherited by the customer's
// invoices and subscriptions that have no discounts of their own.
var _ = Describe("A customer's discount on its invoices", Label("billing", "discounts"), func() {
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		monthly *stripe.Price
		cus     *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		monthly, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
			UnitAmount: stripe.Int64(1000), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "loyal@example.com", "pm_card_visa", "")
	})

	// discountCustomer applies a new coupon to the customer and returns
	// the customer's discount id.
	discountCustomer := func(customer string, p *stripe.CouponCreateParams) string {
		GinkgoHelper()
		c, err := sc.V1Coupons.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		got, err := emu.ApplyCustomerDiscount("", customer, emulator.CustomerDiscount{Coupon: c.ID})
		Expect(err).NotTo(HaveOccurred())
		return got["discount"].(map[string]any)["id"].(string)
	}
	subscribe := func(customer string, discounts ...*stripe.SubscriptionCreateDiscountParams) *stripe.Subscription {
		GinkgoHelper()
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(customer), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}},
			Discounts: discounts}
		p.AddExpand("latest_invoice.discounts")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return sub
	}
	invoicesOf := func(sub string) []*stripe.Invoice { return subscriptionInvoices(sc, sub) }
	totals := func(invs []*stripe.Invoice) []int64 {
		var out []int64
		for _, inv := range invs {
			out = append(out, inv.Total)
		}
		return out
	}
	discountIDs := func(inv *stripe.Invoice) []string {
		ids := []string{}
		for _, d := range inv.Discounts {
			ids = append(ids, d.ID)
		}
		return ids
	}
	customerDiscount := func(customer string) *stripe.Discount {
		GinkgoHelper()
		got, err := sc.V1Customers.Retrieve(Ctx, customer, nil)
		Expect(err).NotTo(HaveOccurred())
		return got.Discount
	}
	pendingItem := func(customer string, amount int64) {
		GinkgoHelper()
		_, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(customer), Amount: stripe.Int64(amount), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
	}

	It("discounts the invoices of a subscription without discounts of its own, renewals included", func() {
		di := discountCustomer(cus.ID, &stripe.CouponCreateParams{PercentOff: stripe.Float64(20), Duration: stripe.String("forever")})
		sub := subscribe(cus.ID)
		Expect(sub.Discounts).To(BeEmpty(), "the subscription has none of its own")
		first := sub.LatestInvoice
		Expect(first.Discounts).To(HaveLen(1))
		Expect(first.Discounts[0].ID).To(Equal(di))
		Expect(first.Discounts[0].Customer.ID).To(Equal(cus.ID))
		Expect(first.Discounts[0].Subscription).To(BeEmpty())
		Expect(first.Subtotal).To(Equal(int64(1000)))
		Expect(first.Total).To(Equal(int64(800)))
		Expect(first.AmountPaid).To(Equal(int64(800)))
		Expect(first.TotalDiscountAmounts).To(HaveLen(1))
		Expect(first.TotalDiscountAmounts[0].Amount).To(Equal(int64(200)))
		Expect(first.TotalDiscountAmounts[0].Discount.ID).To(Equal(di))
		Expect(first.Lines.Data[0].DiscountAmounts[0].Amount).To(Equal(int64(200)))

		preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(preview.Total).To(Equal(int64(800)), "the preview of the renewal inherits it too")
		Expect(discountIDs(preview)).To(Equal([]string{di}))

		emu.Clock().Advance(2*31*24*time.Hour + time.Hour)
		invs := invoicesOf(sub.ID)
		Expect(totals(invs)).To(Equal([]int64{800, 800, 800}), "a forever discount on every renewal")
		Expect(discountIDs(invs[2])).To(Equal([]string{di}))
		Expect(customerDiscount(cus.ID).ID).To(Equal(di), "a forever discount stays the customer's")
	})

	It("is not added to a subscription's own discounts", func() {
		discountCustomer(cus.ID, &stripe.CouponCreateParams{PercentOff: stripe.Float64(20), Duration: stripe.String("forever")})
		own, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		sub := subscribe(cus.ID, &stripe.SubscriptionCreateDiscountParams{Coupon: stripe.String(own.ID)})
		Expect(sub.Discounts).To(HaveLen(1))
		Expect(discountIDs(sub.LatestInvoice)).To(Equal([]string{sub.Discounts[0].ID}))
		Expect(sub.LatestInvoice.Total).To(Equal(int64(900)), "10% off, not 10% and then 20%")
		emu.Clock().Advance(31*24*time.Hour + time.Hour)
		Expect(totals(invoicesOf(sub.ID))).To(Equal([]int64{900, 900}))
	})

	It("is inherited once the subscription's own discount has ended, by the renewal and by its preview alike", func() {
		di := discountCustomer(cus.ID, &stripe.CouponCreateParams{PercentOff: stripe.Float64(20), Duration: stripe.String("forever")})
		own, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("repeating"), DurationInMonths: stripe.Int64(1)})
		Expect(err).NotTo(HaveOccurred())
		sub := subscribe(cus.ID, &stripe.SubscriptionCreateDiscountParams{Coupon: stripe.String(own.ID)})
		Expect(sub.LatestInvoice.Total).To(Equal(int64(500)))

		preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(discountIDs(preview)).To(Equal([]string{di}), "the subscription's month is over when the renewal is made")
		Expect(preview.Total).To(Equal(int64(800)))

		emu.Clock().Advance(31*24*time.Hour + time.Hour)
		invs := invoicesOf(sub.ID)
		Expect(totals(invs)).To(Equal([]int64{500, 800}), "the preview showed the renewal as it is made")
		Expect(discountIDs(invs[1])).To(Equal([]string{di}))
	})

	It("discounts a one-off invoice that does not say otherwise, and its preview", func() {
		di := discountCustomer(cus.ID, &stripe.CouponCreateParams{AmountOff: stripe.Int64(150), Currency: stripe.String("usd"), Duration: stripe.String("forever")})
		oneOff := []*stripe.InvoiceCreatePreviewInvoiceItemParams{{Amount: stripe.Int64(500), Currency: stripe.String("usd")}}
		preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID), InvoiceItems: oneOff})
		Expect(err).NotTo(HaveOccurred())
		Expect(preview.Total).To(Equal(int64(350)))
		Expect(discountIDs(preview)).To(Equal([]string{di}))
		res := Do(emu.URL(), "POST", "/v1/invoices/create_preview", "customer="+cus.ID+"&invoice_items[0][amount]=500&invoice_items[0][currency]=usd&discounts=")
		Expect(res.Status).To(Equal(200), res.Text)
		Expect(res.Body["total"]).To(BeNumerically("==", 500), "an empty discounts= inherits none, the customer's neither")
		pendingItem(cus.ID, 500)

		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), PendingInvoiceItemsBehavior: stripe.String("include"), AutoAdvance: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(discountIDs(inv)).To(Equal([]string{di}))
		Expect(inv.Subtotal).To(Equal(int64(500)))
		Expect(inv.Total).To(Equal(int64(350)))
		Expect(inv.TotalDiscountAmounts[0].Amount).To(Equal(int64(150)))

		pendingItem(cus.ID, 500)
		plain, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), PendingInvoiceItemsBehavior: stripe.String("include"), AutoAdvance: stripe.Bool(false),
			Discounts: []*stripe.InvoiceCreateDiscountParams{}})
		Expect(err).NotTo(HaveOccurred())
		Expect(plain.Discounts).To(BeEmpty(), "an empty discounts= avoids inheriting")
		Expect(plain.Total).To(Equal(int64(500)))
		Expect(emu.Count("", "discount")).To(Equal(1), "inheriting redeems nothing")
	})

	It("takes a once discount off one invoice only, then leaves the customer", func() {
		di := discountCustomer(cus.ID, &stripe.CouponCreateParams{AmountOff: stripe.Int64(300), Currency: stripe.String("usd"), Duration: stripe.String("once")})
		seen := len(emu.Events(""))
		sub := subscribe(cus.ID)
		Expect(sub.LatestInvoice.Total).To(Equal(int64(700)))
		Expect(discountIDs(sub.LatestInvoice)).To(Equal([]string{di}))
		Expect(customerDiscount(cus.ID)).To(BeNil(), "used up")
		Expect(emu.EventTypes("")[seen:]).To(ContainElement("customer.discount.deleted"))

		pendingItem(cus.ID, 400)
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), PendingInvoiceItemsBehavior: stripe.String("include"), AutoAdvance: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Discounts).To(BeEmpty())
		Expect(inv.Total).To(Equal(int64(400)))
		emu.Clock().Advance(31*24*time.Hour + time.Hour)
		invs := invoicesOf(sub.ID)
		Expect(totals(invs)).To(Equal([]int64{700, 1000}))
		Expect(invs[1].Discounts).To(BeEmpty())
	})

	It("uses a once discount on the one-off invoice that is finalized with it", func() {
		other := customerWithCard(sc, "once@example.com", "pm_card_visa", "")
		di := discountCustomer(other.ID, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("once")})
		pendingItem(other.ID, 800)
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(other.ID), PendingInvoiceItemsBehavior: stripe.String("include"), AutoAdvance: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(400)))
		Expect(customerDiscount(other.ID).ID).To(Equal(di), "a draft does not use it up")
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AmountDue).To(Equal(int64(400)))
		Expect(customerDiscount(other.ID)).To(BeNil())
		sub := subscribe(other.ID)
		Expect(sub.LatestInvoice.Total).To(Equal(int64(1000)))
	})

	It("stops at a repeating discount's end, on a test clock too", func() {
		clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		onClock := customerWithCard(sc, "clocked@example.com", "pm_card_visa", clk.ID)
		di := discountCustomer(onClock.ID, &stripe.CouponCreateParams{PercentOff: stripe.Float64(25), Duration: stripe.String("repeating"), DurationInMonths: stripe.Int64(2)})
		Expect(customerDiscount(onClock.ID).End).To(Equal(Epoch.AddDate(0, 2, 0).Unix()))
		sub := subscribe(onClock.ID)
		Expect(sub.LatestInvoice.Total).To(Equal(int64(750)))
		seen := len(emu.Events(""))
		for _, to := range []time.Time{Epoch.AddDate(0, 1, 0).Add(2 * time.Hour), Epoch.AddDate(0, 2, 0).Add(2 * time.Hour)} {
			advanceClock(sc, clk.ID, to)
		}
		invs := invoicesOf(sub.ID)
		Expect(totals(invs)).To(Equal([]int64{750, 750, 1000}), "two months of 25% off, then the full price")
		Expect(discountIDs(invs[1])).To(Equal([]string{di}))
		Expect(customerDiscount(onClock.ID)).To(BeNil())
		Expect(emu.EventTypes("")[seen:]).To(ContainElement("customer.discount.deleted"))
	})
})
