package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// A subscription item's own discounts: "The discounts applied to the
// subscription item. Subscription item discounts are applied before
// subscription discounts." (API reference, subscription item.)
var _ = Describe("Subscription item discounts", Label("billing", "discounts"), func() {
	var (
		emu          *emulator.Emulator
		sc           *stripe.Client
		cus          *stripe.Customer
		basic, extra *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		basic = recurringPrice(sc, prod.ID, "month", 1000)
		other, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Seats")})
		Expect(err).NotTo(HaveOccurred())
		extra = recurringPrice(sc, other.ID, "month", 500)
		cus = customerWithCard(sc, "items@example.com", "pm_card_visa", "")
		for _, p := range []*stripe.CouponCreateParams{
			{ID: stripe.String("HALF"), PercentOff: stripe.Float64(50), Duration: stripe.String("forever")},
			{ID: stripe.String("TWO"), AmountOff: stripe.Int64(200), Currency: stripe.String("usd"), Duration: stripe.String("forever")},
			{ID: stripe.String("QUARTER"), PercentOff: stripe.Float64(25), Duration: stripe.String("repeating"), DurationInMonths: stripe.Int64(2)},
		} {
			_, err := sc.V1Coupons.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
		}
	})

	subscribe := func(edit func(*stripe.SubscriptionCreateParams)) (*stripe.Subscription, error) {
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{
			{Price: stripe.String(basic.ID), Discounts: []*stripe.SubscriptionCreateItemDiscountParams{{Coupon: stripe.String("HALF")}}},
			{Price: stripe.String(extra.ID)},
		}}
		p.AddExpand("latest_invoice")
		p.AddExpand("items.data.discounts")
		if edit != nil {
			edit(p)
		}
		return sc.V1Subscriptions.Create(Ctx, p)
	}
	itemOn := func(sub *stripe.Subscription, price string) *stripe.SubscriptionItem {
		GinkgoHelper()
		for _, it := range sub.Items.Data {
			if it.Price.ID == price {
				return it
			}
		}
		Fail("no item on " + price)
		return nil
	}
	lineOf := func(inv *stripe.Invoice, item string) *stripe.InvoiceLineItem {
		GinkgoHelper()
		for _, l := range inv.Lines.Data {
			if d := l.Parent.SubscriptionItemDetails; d != nil && d.SubscriptionItem == item && !d.Proration {
				return l
			}
		}
		Fail("no line of " + item)
		return nil
	}
	invoicesOf := func(sub string) []*stripe.Invoice { return subscriptionInvoices(sc, sub) }
	timesRedeemed := func(coupon string) int64 {
		GinkgoHelper()
		cp, err := sc.V1Coupons.Retrieve(Ctx, coupon, nil)
		Expect(err).NotTo(HaveOccurred())
		return cp.TimesRedeemed
	}

	It("redeems an item's discounts for it and takes them off its line before the subscription's", func() {
		sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
			p.Discounts = []*stripe.SubscriptionCreateDiscountParams{{Coupon: stripe.String("TWO")}}
		})
		Expect(err).NotTo(HaveOccurred())
		it := itemOn(sub, basic.ID)
		Expect(it.Discounts).To(HaveLen(1))
		own := it.Discounts[0]
		Expect(own.ID).To(HavePrefix("di_"))
		Expect(own.SubscriptionItem).To(Equal(it.ID))
		Expect(own.Subscription).To(Equal(sub.ID))
		Expect(own.Coupon.ID).To(Equal("HALF"))
		Expect(itemOn(sub, extra.ID).Discounts).To(BeEmpty())
		Expect(sub.Discounts).To(HaveLen(1))
		Expect(sub.Discounts[0].ID).NotTo(Equal(own.ID))

		inv := sub.LatestInvoice
		// 1000 - 500 (HALF, the item's) = 500, with 500 of the other
		// item: TWO shares its 200 in proportion, 100 each.
		Expect(inv.Subtotal).To(Equal(int64(1000)), "net of item discounts")
		Expect(inv.Total).To(Equal(int64(800)))
		Expect(inv.AmountPaid).To(Equal(int64(800)))
		line := lineOf(inv, it.ID)
		Expect(line.Amount).To(Equal(int64(1000)))
		Expect(line.Discounts).To(HaveLen(1))
		Expect(line.Discounts[0].ID).To(Equal(own.ID))
		Expect(line.DiscountAmounts).To(HaveLen(2))
		Expect(line.DiscountAmounts[0].Discount.ID).To(Equal(own.ID))
		Expect(line.DiscountAmounts[0].Amount).To(Equal(int64(500)))
		Expect(line.DiscountAmounts[1].Amount).To(Equal(int64(100)))
		other := lineOf(inv, itemOn(sub, extra.ID).ID)
		Expect(other.Discounts).To(BeEmpty())
		Expect(other.DiscountAmounts).To(HaveLen(1))
		Expect(other.DiscountAmounts[0].Amount).To(Equal(int64(100)))
		Expect(inv.TotalDiscountAmounts).To(HaveLen(2))
		Expect(inv.TotalDiscountAmounts[0].Discount.ID).To(Equal(own.ID), "the item's first")
		Expect(inv.TotalDiscountAmounts[0].Amount).To(Equal(int64(500)))
		Expect(inv.TotalDiscountAmounts[1].Amount).To(Equal(int64(200)))
		Expect(timesRedeemed("HALF")).To(Equal(int64(1)))

		By("billing it again on the renewal, and in the upcoming invoice")
		preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(preview.Total).To(Equal(int64(800)))
		Expect(lineOf(preview, it.ID).Discounts[0].ID).To(Equal(own.ID))
		emu.Clock().Advance(32 * 24 * time.Hour)
		invs := invoicesOf(sub.ID)
		Expect(invs).To(HaveLen(2))
		Expect(invs[1].Total).To(Equal(int64(800)))
		Expect(lineOf(invs[1], it.ID).DiscountAmounts[0].Amount).To(Equal(int64(500)))

		By("keeping the item's discounts when the subscription's are deleted")
		_, err = sc.V1Subscriptions.DeleteDiscount(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Discounts).To(BeEmpty())
		Expect(itemOn(got, basic.ID).Discounts).To(HaveLen(1))
		preview, err = sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(preview.Total).To(Equal(int64(1000)))
	})

	It("takes a repeating item discount off for its months, then drops it from the item", func() {
		sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
			p.Items[0].Discounts[0].Coupon = stripe.String("QUARTER")
		})
		Expect(err).NotTo(HaveOccurred())
		it := itemOn(sub, basic.ID)
		Expect(it.Discounts[0].End).To(BeNumerically(">", it.Discounts[0].Start))
		emu.Clock().Advance(3*31*24*time.Hour + time.Hour)
		var totals []int64
		for _, inv := range invoicesOf(sub.ID) {
			totals = append(totals, inv.Total)
		}
		Expect(totals).To(Equal([]int64{1250, 1250, 1500, 1500}), "two months of 250 off the item, then the full price")
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(itemOn(got, basic.ID).Discounts).To(BeEmpty())
	})

	It("uses an item's once discount on its first paid invoice only", func() {
		_, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{ID: stripe.String("ONCE"), AmountOff: stripe.Int64(300), Currency: stripe.String("usd"), Duration: stripe.String("once")})
		Expect(err).NotTo(HaveOccurred())
		sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
			p.Items[0].Discounts[0].Coupon = stripe.String("ONCE")
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.Total).To(Equal(int64(1200)))
		emu.Clock().Advance(32 * 24 * time.Hour)
		invs := invoicesOf(sub.ID)
		Expect(invs).To(HaveLen(2))
		Expect(invs[1].Total).To(Equal(int64(1500)))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(itemOn(got, basic.ID).Discounts).To(BeEmpty())
	})

	It("sets and removes an item's discounts on update, by the subscription and by the item", func() {
		sub, err := subscribe(nil)
		Expect(err).NotTo(HaveOccurred())
		it, seat := itemOn(sub, basic.ID), itemOn(sub, extra.ID)

		By("giving the other item one through /v1/subscription_items")
		si, err := sc.V1SubscriptionItems.Update(Ctx, seat.ID, &stripe.SubscriptionItemUpdateParams{
			Discounts: []*stripe.SubscriptionItemUpdateDiscountParams{{Coupon: stripe.String("TWO")}}, ProrationBehavior: stripe.String("none")})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Discounts).To(HaveLen(1))
		added, err := sc.V1SubscriptionItems.Create(Ctx, &stripe.SubscriptionItemCreateParams{Subscription: stripe.String(sub.ID),
			Price: stripe.String(recurringPrice(sc, basic.Product.ID, "month", 700).ID), ProrationBehavior: stripe.String("none"),
			Discounts: []*stripe.SubscriptionItemCreateDiscountParams{{Coupon: stripe.String("HALF")}}})
		Expect(err).NotTo(HaveOccurred())
		fetched, err := sc.V1SubscriptionItems.Retrieve(Ctx, added.ID, &stripe.SubscriptionItemRetrieveParams{Expand: []*string{stripe.String("discounts")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(fetched.Discounts).To(HaveLen(1))
		Expect(fetched.Discounts[0].SubscriptionItem).To(Equal(added.ID))
		Expect(fetched.Discounts[0].Coupon.ID).To(Equal("HALF"))
		_, err = sc.V1SubscriptionItems.Delete(Ctx, added.ID, &stripe.SubscriptionItemDeleteParams{ProrationBehavior: stripe.String("none")})
		Expect(err).NotTo(HaveOccurred())

		By("removing the first item's with discounts=")
		p := &stripe.SubscriptionUpdateParams{Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(it.ID), Discounts: []*stripe.SubscriptionUpdateItemDiscountParams{}}}}
		p.AddExpand("items.data.discounts")
		got, err := sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(itemOn(got, basic.ID).Discounts).To(BeEmpty())
		Expect(itemOn(got, extra.ID).Discounts).To(HaveLen(1))
		Expect(itemOn(got, extra.ID).Discounts[0].SubscriptionItem).To(Equal(seat.ID))
		preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(preview.Total).To(Equal(int64(1300)))

		By("taking an item's discount again for it, but not another item's")
		own := itemOn(got, extra.ID).Discounts[0].ID
		_, err = sc.V1SubscriptionItems.Update(Ctx, it.ID, &stripe.SubscriptionItemUpdateParams{
			Discounts: []*stripe.SubscriptionItemUpdateDiscountParams{{Discount: stripe.String(own)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "discounts[0][discount]")
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Discounts: []*stripe.SubscriptionUpdateDiscountParams{{Discount: stripe.String(own)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "discounts[0][discount]")
		_, err = sc.V1SubscriptionItems.Update(Ctx, seat.ID, &stripe.SubscriptionItemUpdateParams{
			Discounts: []*stripe.SubscriptionItemUpdateDiscountParams{{Discount: stripe.String(own)}}})
		Expect(err).NotTo(HaveOccurred())
	})

	It("previews item discounts of a new subscription and of an update, redeeming nothing", func() {
		preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID),
			SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{Items: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{
				{Price: stripe.String(basic.ID), Discounts: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemDiscountParams{{Coupon: stripe.String("HALF")}}}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(preview.Total).To(Equal(int64(500)))
		Expect(preview.Lines.Data[0].Discounts).To(HaveLen(1))
		_, err = sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID),
			SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{Items: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{
				{Price: stripe.String(basic.ID), Discounts: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemDiscountParams{{Coupon: stripe.String("NOPE")}}}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "subscription_details[items][0][discounts][0][coupon]")
		Expect(timesRedeemed("HALF")).To(Equal(int64(0)))

		sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) { p.Items[0].Discounts = nil })
		Expect(err).NotTo(HaveOccurred())
		preview, err = sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
			SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{ProrationBehavior: stripe.String("none"), Items: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{
				{ID: stripe.String(itemOn(sub, extra.ID).ID), Discounts: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemDiscountParams{{Coupon: stripe.String("HALF")}}}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(preview.Total).To(Equal(int64(1250)))
		Expect(timesRedeemed("HALF")).To(Equal(int64(0)))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(itemOn(got, extra.ID).Discounts).To(BeEmpty())
	})

	It("prorates an item's change on what its own discounts leave", func() {
		sub, err := subscribe(nil)
		Expect(err).NotTo(HaveOccurred())
		it := itemOn(sub, basic.ID)
		half := it.CurrentPeriodStart + (it.CurrentPeriodEnd-it.CurrentPeriodStart)/2
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items:         []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(it.ID), Quantity: stripe.Int64(2)}},
			ProrationDate: stripe.Int64(half), ProrationBehavior: stripe.String("create_prorations")})
		Expect(err).NotTo(HaveOccurred())
		var amounts []int64
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			amounts = append(amounts, ii.Amount)
		}
		// Half a period of 1000 at 50% off credited, of 2000 at 50% off charged.
		Expect(amounts).To(ConsistOf(int64(-250), int64(500)))
	})

	It("takes discounts on a subscription's add_invoice_items, off their line only", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Setup")})
		Expect(err).NotTo(HaveOccurred())
		fee, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(300)})
		Expect(err).NotTo(HaveOccurred())
		sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
			p.Items[0].Discounts = nil
			p.AddInvoiceItems = []*stripe.SubscriptionCreateAddInvoiceItemParams{{Price: stripe.String(fee.ID),
				Discounts: []*stripe.SubscriptionCreateAddInvoiceItemDiscountParams{{Coupon: stripe.String("HALF")}}}}
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.Total).To(Equal(int64(1000 + 500 + 150)))
		for _, l := range sub.LatestInvoice.Lines.Data {
			if l.Amount == 300 {
				Expect(l.Discounts).To(HaveLen(1))
				Expect(l.DiscountAmounts[0].Amount).To(Equal(int64(150)))
			} else {
				Expect(l.Discounts).To(BeEmpty())
			}
		}
	})

	It("takes phases' item and one-off item discounts on a schedule, each phase's items with their own", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Setup")})
		Expect(err).NotTo(HaveOccurred())
		fee, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(300)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID), StartDate: stripe.Int64(emu.Clock().Now().Unix()),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{
					{Price: stripe.String(basic.ID), Discounts: []*stripe.SubscriptionScheduleCreatePhaseItemDiscountParams{{Coupon: stripe.String("NOPE")}}}}},
			}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "phases[0][items][0][discounts][0][coupon]")
		sched, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID), StartDate: stripe.Int64(emu.Clock().Now().Unix()),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Iterations: stripe.Int64(1), Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{
					{Price: stripe.String(basic.ID), Discounts: []*stripe.SubscriptionScheduleCreatePhaseItemDiscountParams{{Coupon: stripe.String("HALF")}}},
					{Price: stripe.String(extra.ID)}},
					AddInvoiceItems: []*stripe.SubscriptionScheduleCreatePhaseAddInvoiceItemParams{{Price: stripe.String(fee.ID),
						Discounts: []*stripe.SubscriptionScheduleCreatePhaseAddInvoiceItemDiscountParams{{Coupon: stripe.String("TWO")}}}}},
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}, {Price: stripe.String(extra.ID)}}},
			}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sched.Phases[0].Items[0].Discounts).To(HaveLen(1))
		Expect(sched.Phases[0].Items[0].Discounts[0].Coupon.ID).To(Equal("HALF"))
		Expect(sched.Phases[0].AddInvoiceItems[0].Discounts[0].Coupon.ID).To(Equal("TWO"))
		p := &stripe.SubscriptionRetrieveParams{}
		p.AddExpand("latest_invoice")
		p.AddExpand("items.data.discounts")
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, sched.Subscription.ID, p)
		Expect(err).NotTo(HaveOccurred())
		it := itemOn(sub, basic.ID)
		Expect(it.Discounts).To(HaveLen(1))
		Expect(it.Discounts[0].SubscriptionItem).To(Equal(it.ID))
		// 1000 - 500 (HALF) + 500 + 300 - 200 (TWO, the fee's own).
		Expect(sub.LatestInvoice.Total).To(Equal(int64(1100)))

		emu.Clock().Advance(32 * 24 * time.Hour)
		invs := invoicesOf(sub.ID)
		Expect(invs).To(HaveLen(2))
		Expect(invs[1].Total).To(Equal(int64(1500)), "the second phase's item has none")
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(itemOn(got, basic.ID).ID).To(Equal(it.ID))
		Expect(itemOn(got, basic.ID).Discounts).To(BeEmpty())
	})

	It("keeps a subscription's item discounts on a schedule made from it", func() {
		sub, err := subscribe(nil)
		Expect(err).NotTo(HaveOccurred())
		it := itemOn(sub, basic.ID)
		sched, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{FromSubscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		var phaseItem *stripe.SubscriptionSchedulePhaseItem
		for _, pi := range sched.Phases[0].Items {
			if pi.Price.ID == basic.ID {
				phaseItem = pi
			}
		}
		Expect(phaseItem.Discounts).To(HaveLen(1))
		Expect(phaseItem.Discounts[0].Discount.ID).To(Equal(it.Discounts[0].ID))

		By("sending the phase back unchanged, and then without the discount")
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{{
			StartDate: stripe.Int64(sched.Phases[0].StartDate), EndDate: stripe.Int64(sched.Phases[0].EndDate),
			Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{
				{Price: stripe.String(basic.ID), Discounts: []*stripe.SubscriptionScheduleUpdatePhaseItemDiscountParams{{Discount: stripe.String(it.Discounts[0].ID)}}},
				{Price: stripe.String(extra.ID)}}}}})
		Expect(err).NotTo(HaveOccurred())
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(itemOn(got, basic.ID).Discounts).To(HaveLen(1))
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{ProrationBehavior: stripe.String("none"), Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{{
			StartDate: stripe.Int64(sched.Phases[0].StartDate), EndDate: stripe.Int64(sched.Phases[0].EndDate),
			Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID)}, {Price: stripe.String(extra.ID)}}}}})
		Expect(err).NotTo(HaveOccurred())
		got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(itemOn(got, basic.ID).Discounts).To(BeEmpty())
	})

	It("refuses bad item discounts naming them, changing nothing", func() {
		subsOf := func() int {
			n := 0
			for _, err := range sc.V1Subscriptions.List(Ctx, &stripe.SubscriptionListParams{Customer: stripe.String(cus.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				n++
			}
			return n
		}
		_, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
			p.Items[1].Discounts = []*stripe.SubscriptionCreateItemDiscountParams{{Coupon: stripe.String("NOPE")}}
		})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "items[1][discounts][0][coupon]")
		other, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("other@example.com")})
		Expect(err).NotTo(HaveOccurred())
		promo, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String("TWO"), Code: stripe.String("THEIRS"), Customer: stripe.String(other.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = subscribe(func(p *stripe.SubscriptionCreateParams) {
			p.Items[1].Discounts = []*stripe.SubscriptionCreateItemDiscountParams{{PromotionCode: stripe.String(promo.ID)}}
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "items[1][discounts][0][promotion_code]")
		_, err = subscribe(func(p *stripe.SubscriptionCreateParams) {
			p.Items[1].Discounts = []*stripe.SubscriptionCreateItemDiscountParams{{Coupon: stripe.String("TWO"), PromotionCode: stripe.String(promo.ID)}}
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "items[1][discounts][0]")
		Expect(subsOf()).To(Equal(0))
		Expect(timesRedeemed("HALF")).To(Equal(int64(0)), "the first item's redemption went with the refusal")

		sub, err := subscribe(nil)
		Expect(err).NotTo(HaveOccurred())
		it := itemOn(sub, basic.ID)
		own := it.Discounts[0].ID
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{Items: []*stripe.SubscriptionUpdateItemParams{
			{ID: stripe.String(it.ID), Discounts: []*stripe.SubscriptionUpdateItemDiscountParams{{Discount: stripe.String(own)}, {Discount: stripe.String(own)}}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "items[0][discounts][1][discount]")
		_, err = sc.V1SubscriptionItems.Update(Ctx, it.ID, &stripe.SubscriptionItemUpdateParams{
			Discounts: []*stripe.SubscriptionItemUpdateDiscountParams{{Coupon: stripe.String("NOPE")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "discounts[0][coupon]")
		_, err = sc.V1SubscriptionItems.Create(Ctx, &stripe.SubscriptionItemCreateParams{Subscription: stripe.String(sub.ID), Price: stripe.String(recurringPrice(sc, basic.Product.ID, "month", 700).ID),
			Discounts: []*stripe.SubscriptionItemCreateDiscountParams{{Coupon: stripe.String("NOPE")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "discounts[0][coupon]")
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Items.Data).To(HaveLen(2))
		Expect(itemOn(got, basic.ID).Discounts).To(HaveLen(1))
		Expect(itemOn(got, basic.ID).Discounts[0].ID).To(Equal(own))
		Expect(timesRedeemed("HALF")).To(Equal(int64(1)))
	})
})
