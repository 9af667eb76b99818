package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// The shape of the lines a subscription update's prorations make, as
// basil shows them: a proration's line hangs under
// parent.subscription_item_details (naming its invoice item), not
// invoice_item_details.
var _ = Describe("Proration lines", Label("billing", "subscriptions", "prorations"), func() {
	var (
		emu         *emulator.Emulator
		sc          *stripe.Client
		basic, plus *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		basic = recurringPrice(sc, prod.ID, "month", 1000)
		plus = recurringPrice(sc, prod.ID, "month", 2000)
	})

	It("credits -5.00 and charges 10.00 for an upgrade from 10.00 to 20.00 half-way through September, each line under subscription_item_details", func() {
		cus := customerWithCard(sc, "shape@example.com", "pm_card_visa", "")
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID)}}}
		p.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		first := sub.LatestInvoice
		item := sub.Items.Data[0].ID

		// September has 30 days: on the 16th at noon, 15 days are left.
		half := Epoch.AddDate(0, 0, 15)
		end := Epoch.AddDate(0, 1, 0)
		emu.Clock().Set(half)
		up := &stripe.SubscriptionUpdateParams{ProrationBehavior: stripe.String("always_invoice"),
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(item), Price: stripe.String(plus.ID)}}}
		up.AddExpand("latest_invoice")
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, up)
		Expect(err).NotTo(HaveOccurred())
		inv := sub.LatestInvoice
		Expect(inv.Total).To(Equal(int64(500)), "-5.00 + 10.00")
		Expect(inv.Lines.Data).To(HaveLen(2))

		credit, charge := inv.Lines.Data[0], inv.Lines.Data[1]
		Expect(credit.Amount).To(Equal(int64(-500)))
		Expect(credit.Description).To(Equal("Unused time on Pro after 16 Sep 2025"))
		Expect(credit.Pricing.PriceDetails.Price).To(Equal(basic.ID))
		Expect(charge.Amount).To(Equal(int64(1000)))
		Expect(charge.Description).To(Equal("Remaining time on Pro after 16 Sep 2025"))
		Expect(charge.Pricing.PriceDetails.Price).To(Equal(plus.ID))
		for _, l := range []*stripe.InvoiceLineItem{credit, charge} {
			Expect(l.Parent.Type).To(Equal(stripe.InvoiceLineItemParentTypeSubscriptionItemDetails))
			Expect(l.Parent.InvoiceItemDetails).To(BeNil())
			d := l.Parent.SubscriptionItemDetails
			Expect(d.Proration).To(BeTrue())
			Expect(d.InvoiceItem).To(HavePrefix("ii_"), "a proration's line names its invoice item")
			Expect(d.Subscription).To(Equal(sub.ID))
			Expect(d.SubscriptionItem).To(Equal(item))
			Expect(l.Period.Start).To(Equal(half.Unix()))
			Expect(l.Period.End).To(Equal(end.Unix()))
			Expect(l.Quantity).To(Equal(int64(1)))

			ii, err := sc.V1InvoiceItems.Retrieve(Ctx, d.InvoiceItem, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ii.Amount).To(Equal(l.Amount))
			Expect(ii.Proration).To(BeTrue())
			Expect(ii.Parent.SubscriptionDetails.SubscriptionItem).To(Equal(item))
		}
		// The credit names what it credits: the first invoice's line for
		// the item; the charge credits nothing.
		Expect(credit.Parent.SubscriptionItemDetails.ProrationDetails.CreditedItems).NotTo(BeNil())
		Expect(credit.Parent.SubscriptionItemDetails.ProrationDetails.CreditedItems.Invoice).To(Equal(first.ID))
		Expect(credit.Parent.SubscriptionItemDetails.ProrationDetails.CreditedItems.InvoiceLineItems).To(Equal([]string{first.Lines.Data[0].ID}))
		Expect(charge.Parent.SubscriptionItemDetails.ProrationDetails.CreditedItems).To(BeNil())

		// Listed on their own, the lines are the same.
		var listed []*stripe.InvoiceLineItem
		for l, err := range sc.V1Invoices.ListLines(Ctx, &stripe.InvoiceListLinesParams{Invoice: stripe.String(inv.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			listed = append(listed, l)
		}
		Expect(listed).To(HaveLen(2))
		Expect(listed[0].Parent.SubscriptionItemDetails.InvoiceItem).To(Equal(credit.Parent.SubscriptionItemDetails.InvoiceItem))
	})

	It("keeps a proration line a proration line when the invoice is recomputed (an item added to its draft)", func() {
		cus := customerWithCard(sc, "draft@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(Epoch.AddDate(0, 0, 15))
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(2)}}})
		Expect(err).NotTo(HaveOccurred())
		// A one-off invoice of the customer's pending items takes the
		// prorations (+5.00 for a second seat for half of September).
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
			PendingInvoiceItemsBehavior: stripe.String("include")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID),
			Invoice: stripe.String(inv.ID), Amount: stripe.Int64(300), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(-500 + 1000 + 300)))
		Expect(inv.Lines.Data).To(HaveLen(3))
		kinds := map[stripe.InvoiceLineItemParentType]int{}
		descriptions := map[string]int64{}
		for _, l := range inv.Lines.Data {
			kinds[l.Parent.Type]++
			descriptions[l.Description] = l.Amount
		}
		// Stripe shows the quantity only when it is not one.
		Expect(descriptions).To(HaveKeyWithValue("Unused time on Pro after 16 Sep 2025", int64(-500)))
		Expect(descriptions).To(HaveKeyWithValue("Remaining time on 2 × Pro after 16 Sep 2025", int64(1000)))
		for _, l := range inv.Lines.Data {
			if l.Parent.SubscriptionItemDetails != nil {
				// The unit amount is the prorated amount's share per unit:
				// -500 for one, 1000 / 2 = 500 for two.
				Expect(l.Pricing.UnitAmountDecimal * float64(l.Quantity)).To(Equal(float64(l.Amount)))
			}
		}
		Expect(kinds).To(Equal(map[stripe.InvoiceLineItemParentType]int{
			stripe.InvoiceLineItemParentTypeSubscriptionItemDetails: 2,
			stripe.InvoiceLineItemParentTypeInvoiceItemDetails:      1,
		}))
	})

	It("won't make a proration discountable, on its invoice item or its line, as Stripe's reference says, changing nothing", func() {
		cus := customerWithCard(sc, "undiscounted@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(Epoch.AddDate(0, 0, 15))
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(2)}}})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
			PendingInvoiceItemsBehavior: stripe.String("include")})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Lines.Data).To(HaveLen(2))
		line := inv.Lines.Data[1]
		Expect(line.Parent.SubscriptionItemDetails.Proration).To(BeTrue())
		Expect(line.Discountable).To(BeFalse())

		_, err = sc.V1Invoices.UpdateLines(Ctx, inv.ID, &stripe.InvoiceUpdateLinesParams{Lines: []*stripe.InvoiceUpdateLinesLineParams{
			{ID: stripe.String(line.ID), Discountable: stripe.Bool(true)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "lines[0][discountable]")
		_, err = sc.V1InvoiceLineItems.Update(Ctx, line.ID, &stripe.InvoiceLineItemUpdateParams{Invoice: stripe.String(inv.ID), Discountable: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "discountable")
		_, err = sc.V1InvoiceItems.Update(Ctx, line.Parent.SubscriptionItemDetails.InvoiceItem, &stripe.InvoiceItemUpdateParams{Discountable: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "discountable")
		ii, err := sc.V1InvoiceItems.Retrieve(Ctx, line.Parent.SubscriptionItemDetails.InvoiceItem, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Discountable).To(BeFalse())

		By("taking discountable=false, which it is")
		_, err = sc.V1InvoiceItems.Update(Ctx, ii.ID, &stripe.InvoiceItemUpdateParams{Discountable: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
	})

	It("prorates as of proration_date (20 of September's 30 days left: -6.67 and +13.33), refusing a date before the subscription started", func() {
		cus := customerWithCard(sc, "date@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(Epoch.AddDate(0, 0, 15))
		item := []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(plus.ID)}}

		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{Items: item, ProrationDate: stripe.Int64(Epoch.Unix() - 1)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "proration_date")
		Expect(StripeErr(err).Msg).To(Equal("Cannot specify proration date before the current subscription started"))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Items.Data[0].Price.ID).To(Equal(basic.ID), "nothing changed")

		// Sent with nothing to prorate, it changes nothing.
		got, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{ProrationDate: stripe.Int64(Epoch.AddDate(0, 0, 10).Unix()),
			Metadata: map[string]string{"plan": "basic"}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Metadata).To(HaveKeyWithValue("plan", "basic"))

		at := Epoch.AddDate(0, 0, 10)
		p := &stripe.SubscriptionUpdateParams{Items: item, ProrationDate: stripe.Int64(at.Unix()), ProrationBehavior: stripe.String("always_invoice")}
		p.AddExpand("latest_invoice")
		got, err = sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		lines := got.LatestInvoice.Lines.Data
		Expect(lines).To(HaveLen(2))
		Expect([]int64{lines[0].Amount, lines[1].Amount}).To(Equal([]int64{-667, 1333}))
		Expect(lines[0].Period.Start).To(Equal(at.Unix()))
		Expect(lines[0].Description).To(Equal("Unused time on Pro after 11 Sep 2025"))
		Expect(got.LatestInvoice.Total).To(Equal(int64(666)))
	})

	It("nets a subscription's 50% discount into the prorations, which are not discountable: -2.50 and +5.00 for the half-month upgrade", func() {
		coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		cus := customerWithCard(sc, "half@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:     []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID)}},
			Discounts: []*stripe.SubscriptionCreateDiscountParams{{Coupon: stripe.String(coupon.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(Epoch.AddDate(0, 0, 15))
		p := &stripe.SubscriptionUpdateParams{ProrationBehavior: stripe.String("always_invoice"),
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(plus.ID)}}}
		p.AddExpand("latest_invoice")
		got, err := sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		inv := got.LatestInvoice
		Expect(inv.Lines.Data).To(HaveLen(2))
		Expect([]int64{inv.Lines.Data[0].Amount, inv.Lines.Data[1].Amount}).To(Equal([]int64{-250, 500}))
		for _, l := range inv.Lines.Data {
			Expect(l.Discountable).To(BeFalse(), "Stripe: always false for prorations")
		}
		Expect(inv.Total).To(Equal(int64(250)), "half of the undiscounted 5.00")
	})
})
