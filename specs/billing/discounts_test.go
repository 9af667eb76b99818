package billing_test

import (
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Coupons, promotion codes and discounts", Label("billing", "discounts"), func() {
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		prod    *stripe.Product
		monthly *stripe.Price
		cus     *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		prod, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		monthly, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
			UnitAmount: stripe.Int64(1000), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "saver@example.com", "pm_card_visa", "")
	})

	coupon := func(p *stripe.CouponCreateParams) *stripe.Coupon {
		c, err := sc.V1Coupons.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return c
	}
	subscribe := func(d *stripe.SubscriptionCreateDiscountParams) *stripe.Subscription {
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}},
			Discounts: []*stripe.SubscriptionCreateDiscountParams{d}}
		p.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return sub
	}
	invoicesOf := func(sub string) []*stripe.Invoice { return subscriptionInvoices(sc, sub) }

	It("creates, lists, updates and deletes coupons with Stripe's refusals", func() {
		c := coupon(&stripe.CouponCreateParams{ID: stripe.String("LAUNCH"), PercentOff: stripe.Float64(12.5), Duration: stripe.String("forever"), Name: stripe.String("Launch")})
		Expect(c.ID).To(Equal("LAUNCH"))
		Expect(c.Valid).To(BeTrue())
		auto := coupon(&stripe.CouponCreateParams{AmountOff: stripe.Int64(500), Currency: stripe.String("usd")})
		Expect(auto.ID).To(MatchRegexp(`^[A-Z0-9]{8}$`))
		Expect(auto.Duration).To(Equal(stripe.CouponDurationOnce))

		for _, bad := range []struct {
			p     *stripe.CouponCreateParams
			param string
		}{
			// Stripe's answers as recorded from live requests: this one
			// names no param, the repeating one names duration.
			{&stripe.CouponCreateParams{PercentOff: stripe.Float64(10), AmountOff: stripe.Int64(5), Currency: stripe.String("usd")}, ""},
			{&stripe.CouponCreateParams{AmountOff: stripe.Int64(5)}, "currency"},
			{&stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("repeating")}, "duration"},
			{&stripe.CouponCreateParams{PercentOff: stripe.Float64(101)}, "percent_off"},
			{&stripe.CouponCreateParams{ID: stripe.String("LAUNCH"), PercentOff: stripe.Float64(5)}, ""},
		} {
			_, err := sc.V1Coupons.Create(Ctx, bad.p)
			Expect(StripeErr(err).Param).To(Equal(bad.param))
		}

		c, err := sc.V1Coupons.Update(Ctx, "LAUNCH", &stripe.CouponUpdateParams{Name: stripe.String("Launch week")})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Name).To(Equal("Launch week"))
		var ids []string
		for c, err := range sc.V1Coupons.List(Ctx, &stripe.CouponListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, c.ID)
		}
		Expect(ids).To(Equal([]string{auto.ID, "LAUNCH"}), "newest first, whatever the ids")
		lp := &stripe.CouponListParams{}
		lp.Limit = stripe.Int64(1)
		lp.Single = true
		page := sc.V1Coupons.List(Ctx, lp)
		for c, err := range page {
			Expect(err).NotTo(HaveOccurred())
			Expect(c.ID).To(Equal(auto.ID))
		}
		_, next, err := emu.Call("GET", "/v1/coupons", url.Values{"limit": {"1"}, "starting_after": {auto.ID}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(next["data"].([]any)[0].(map[string]any)["id"]).To(Equal("LAUNCH"))
		Expect(next["has_more"]).To(BeFalse())
		del, err := sc.V1Coupons.Delete(Ctx, "LAUNCH", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(del.Deleted).To(BeTrue())
		_, err = sc.V1Coupons.Retrieve(Ctx, "LAUNCH", nil)
		Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeResourceMissing))
	})

	It("reuses a deleted coupon's id for a new coupon, which takes nothing from the old one", func() {
		limited := &stripe.CouponCreateParams{ID: stripe.String("SPRING"), PercentOff: stripe.Float64(20), Duration: stripe.String("forever"),
			AppliesTo: &stripe.CouponCreateAppliesToParams{Products: []*string{stripe.String(prod.ID)}}}
		coupon(limited)
		_, err := sc.V1Coupons.Create(Ctx, limited)
		ExpectStripeError(err, 400, "invalid_request_error", "resource_already_exists", "")
		Expect(StripeErr(err).Msg).To(Equal("Coupon already exists."))
		_, err = sc.V1Coupons.Delete(Ctx, "SPRING", nil)
		Expect(err).NotTo(HaveOccurred())

		again := coupon(&stripe.CouponCreateParams{ID: stripe.String("SPRING"), PercentOff: stripe.Float64(10), Duration: stripe.String("once")})
		Expect(again.PercentOff).To(Equal(float64(10)))
		got, err := sc.V1Coupons.Retrieve(Ctx, "SPRING", &stripe.CouponRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("applies_to")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.AppliesTo.Products).To(BeEmpty(), "the deleted coupon's products are not the new one's")
	})

	It("keeps what a deleted coupon's discounts take off when its id is used again", func() {
		other, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Support")})
		Expect(err).NotTo(HaveOccurred())
		onProd := &stripe.CouponCreateParams{ID: stripe.String("FALL"), PercentOff: stripe.Float64(50), Duration: stripe.String("forever"),
			AppliesTo: &stripe.CouponCreateAppliesToParams{Products: []*string{stripe.String(prod.ID)}}}
		coupon(onProd)
		sub := subscribe(&stripe.SubscriptionCreateDiscountParams{Coupon: stripe.String("FALL")})
		Expect(sub.LatestInvoice.Total).To(Equal(int64(500)))
		_, err = sc.V1Coupons.Delete(Ctx, "FALL", nil)
		Expect(err).NotTo(HaveOccurred())

		before := len(emu.Events(""))
		_, err = sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{ID: stripe.String("FALL"), PercentOff: stripe.Float64(50), Duration: stripe.String("forever"),
			AppliesTo: &stripe.CouponCreateAppliesToParams{Products: []*string{stripe.String(other.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "id")
		Expect(StripeErr(err).Msg).To(ContainSubstring("does not emulate"))
		Expect(emu.Events("")).To(HaveLen(before))
		_, err = sc.V1Coupons.Retrieve(Ctx, "FALL", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")

		// The same products: nothing the old discounts take off changes.
		coupon(onProd)
		emu.Clock().Advance(32 * 24 * time.Hour)
		invs := invoicesOf(sub.ID)
		Expect(invs).To(HaveLen(2))
		Expect(invs[1].Total).To(Equal(int64(500)))
	})

	It("takes a repeating discount off for its months, then drops it from the subscription", func() {
		c := coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(25), Duration: stripe.String("repeating"), DurationInMonths: stripe.Int64(2)})
		promo, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(c.ID), Code: stripe.String("QUARTER")})
		Expect(err).NotTo(HaveOccurred())
		sub := subscribe(&stripe.SubscriptionCreateDiscountParams{PromotionCode: stripe.String(promo.ID)})
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.Discounts).To(HaveLen(1))
		first := sub.LatestInvoice
		Expect(first.Subtotal).To(Equal(int64(1000)))
		Expect(first.Total).To(Equal(int64(750)))
		Expect(first.AmountPaid).To(Equal(int64(750)))
		Expect(first.TotalDiscountAmounts).To(HaveLen(1))
		Expect(first.TotalDiscountAmounts[0].Amount).To(Equal(int64(250)))
		Expect(first.Lines.Data[0].DiscountAmounts[0].Amount).To(Equal(int64(250)))
		// basil lists discounts among the pretax credit amounts too.
		Expect(first.TotalPretaxCreditAmounts).To(HaveLen(1))
		Expect(first.TotalPretaxCreditAmounts[0].Type).To(Equal(stripe.InvoiceTotalPretaxCreditAmountTypeDiscount))
		Expect(first.TotalPretaxCreditAmounts[0].Amount).To(Equal(int64(250)))
		Expect(first.TotalPretaxCreditAmounts[0].Discount.ID).To(Equal(first.TotalDiscountAmounts[0].Discount.ID))
		Expect(first.Lines.Data[0].PretaxCreditAmounts).To(HaveLen(1))
		Expect(first.Lines.Data[0].PretaxCreditAmounts[0].Amount).To(Equal(int64(250)))
		expanded, err := sc.V1Invoices.Retrieve(Ctx, first.ID, &stripe.InvoiceRetrieveParams{Expand: []*string{
			stripe.String("total_discount_amounts.discount"), stripe.String("total_pretax_credit_amounts.discount")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(expanded.TotalDiscountAmounts[0].Discount.PromotionCode.ID).To(Equal(promo.ID), "amounts' discounts expand, inside their arrays")
		Expect(expanded.TotalPretaxCreditAmounts[0].Discount.PromotionCode.ID).To(Equal(promo.ID))

		emu.Clock().Advance(3*31*24*time.Hour + time.Hour)
		var totals []int64
		for _, inv := range invoicesOf(sub.ID) {
			totals = append(totals, inv.Total)
		}
		Expect(totals).To(Equal([]int64{750, 750, 1000, 1000}), "two months of the coupon, then the full price")
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Discounts).To(BeEmpty())

		c, err = sc.V1Coupons.Retrieve(Ctx, c.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.TimesRedeemed).To(Equal(int64(1)))
		promo, err = sc.V1PromotionCodes.Retrieve(Ctx, promo.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(promo.TimesRedeemed).To(Equal(int64(1)))
	})

	It("ends a repeating discount begun on a month's last day on the shorter month's last day, discounting only its months' invoices", func() {
		start := time.Date(2027, time.January, 31, 10, 0, 0, 0, time.UTC)
		emu.Clock().Set(start)
		c := coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("repeating"), DurationInMonths: stripe.Int64(1)})
		sub := subscribe(&stripe.SubscriptionCreateDiscountParams{Coupon: stripe.String(c.ID)})
		p := &stripe.SubscriptionRetrieveParams{}
		p.AddExpand("discounts")
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Discounts).To(HaveLen(1))
		Expect(got.Discounts[0].End).To(Equal(time.Date(2027, time.February, 28, 10, 0, 0, 0, time.UTC).Unix()),
			"one month after January 31 is February 28, as a billing period's end")

		emu.Clock().Set(time.Date(2027, time.March, 1, 10, 0, 0, 0, time.UTC))
		var totals []int64
		for _, inv := range invoicesOf(sub.ID) {
			totals = append(totals, inv.Total)
		}
		Expect(totals).To(Equal([]int64{500, 1000}), "one month of the coupon: January's invoice, not February's")
	})

	It("removes a subscription's discounts with DELETE /v1/subscriptions/{id}/discount, answering with the deleted discount", func() {
		sub := subscribe(&stripe.SubscriptionCreateDiscountParams{Coupon: stripe.String(coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(20), Duration: stripe.String("forever")}).ID)})
		Expect(sub.LatestInvoice.Total).To(Equal(int64(800)))
		Expect(sub.Discounts).To(HaveLen(1))
		seen := len(emu.Events(""))
		del, err := sc.V1Subscriptions.DeleteDiscount(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		// stripe-go decodes Stripe's deleted_discount into a Subscription.
		Expect(del.ID).To(Equal(sub.Discounts[0].ID))
		Expect(del.Object).To(Equal("discount"))
		evs := emu.Events("")[seen:]
		Expect(evs).To(HaveLen(1))
		Expect(evs[0]["type"]).To(Equal("customer.subscription.updated"))
		Expect(evs[0]["data"].(map[string]any)["previous_attributes"]).To(HaveKey("discounts"))

		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Discounts).To(BeEmpty())
		emu.Clock().Set(time.Unix(got.Items.Data[0].CurrentPeriodEnd, 0).Add(2 * time.Hour))
		invs := invoicesOf(sub.ID)
		Expect(invs).To(HaveLen(2))
		Expect(invs[1].Total).To(Equal(int64(1000)), "the renewal is no longer discounted")

		_, err = sc.V1Subscriptions.DeleteDiscount(Ctx, sub.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "")
		Expect(StripeErr(err).Msg).To(Equal("No active discount for subscription " + sub.ID + " on customer " + cus.ID))
		_, err = sc.V1Subscriptions.DeleteDiscount(Ctx, "sub_missing", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})

	It("shows on a new discount its coupon with that redemption counted, as Stripe's discount shows it", func() {
		c := coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever"), MaxRedemptions: stripe.Int64(1)})
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}},
			Discounts: []*stripe.SubscriptionCreateDiscountParams{{Coupon: stripe.String(c.ID)}}}
		p.AddExpand("discounts")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Discounts).To(HaveLen(1))
		Expect(sub.Discounts[0].Coupon.TimesRedeemed).To(Equal(int64(1)))
		Expect(sub.Discounts[0].Coupon.Valid).To(BeFalse(), "its one redemption is used")
		now, err := sc.V1Coupons.Retrieve(Ctx, c.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Discounts[0].Coupon.TimesRedeemed).To(Equal(now.TimesRedeemed))
	})

	It("takes a once discount off the first invoice only", func() {
		c := coupon(&stripe.CouponCreateParams{AmountOff: stripe.Int64(300), Currency: stripe.String("usd"), Duration: stripe.String("once")})
		sub := subscribe(&stripe.SubscriptionCreateDiscountParams{Coupon: stripe.String(c.ID)})
		Expect(sub.LatestInvoice.AmountDue).To(Equal(int64(700)))
		emu.Clock().Advance(31*24*time.Hour + time.Hour)
		invs := invoicesOf(sub.ID)
		Expect(invs).To(HaveLen(2))
		Expect(invs[1].Total).To(Equal(int64(1000)))
		Expect(invs[1].Discounts).To(BeEmpty())
	})

	It("shares a fixed amount across lines in proportion, only on the products it applies to", func() {
		other, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Support")})
		Expect(err).NotTo(HaveOccurred())
		c := coupon(&stripe.CouponCreateParams{AmountOff: stripe.Int64(100), Currency: stripe.String("usd"),
			AppliesTo: &stripe.CouponCreateAppliesToParams{Products: []*string{stripe.String(prod.ID)}}})
		one, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(200)})
		Expect(err).NotTo(HaveOccurred())
		two, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100)})
		Expect(err).NotTo(HaveOccurred())
		support, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(other.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500)})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AutoAdvance: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		for _, p := range []*stripe.Price{one, two, support} {
			_, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
				Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(p.ID)}})
			Expect(err).NotTo(HaveOccurred())
		}
		p := &stripe.InvoiceUpdateParams{Discounts: []*stripe.InvoiceUpdateDiscountParams{{Coupon: stripe.String(c.ID)}}}
		p.AddExpand("discounts")
		inv, err = sc.V1Invoices.Update(Ctx, inv.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Subtotal).To(Equal(int64(800)))
		Expect(inv.Total).To(Equal(int64(700)))
		Expect(inv.Discounts[0].Coupon.ID).To(Equal(c.ID))
		byAmount := map[int64]int64{}
		for _, l := range inv.Lines.Data {
			var off int64
			for _, d := range l.DiscountAmounts {
				off += d.Amount
			}
			byAmount[l.Amount] = off
		}
		Expect(byAmount).To(Equal(map[int64]int64{200: 67, 100: 33, 500: 0}))
	})

	It("shares a discount smaller than the lines' count without a negative share, adding up to it", func() {
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AutoAdvance: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		for _, amount := range []int64{100, 100, 100, 100, 100, 1, 1, 1, 1, 1} {
			_, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
				Amount: stripe.Int64(amount), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
		}
		// 3 cents over ten lines, then half of what is left of each.
		fixed := coupon(&stripe.CouponCreateParams{AmountOff: stripe.Int64(3), Currency: stripe.String("usd")})
		half := coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(50)})
		inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{Discounts: []*stripe.InvoiceUpdateDiscountParams{
			{Coupon: stripe.String(fixed.ID)}, {Coupon: stripe.String(half.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		byDiscount := map[string]int64{}
		for _, l := range inv.Lines.Data {
			var off int64
			for _, d := range l.DiscountAmounts {
				Expect(d.Amount).To(BeNumerically(">=", 0), "no line takes a negative share")
				byDiscount[d.Discount.ID] += d.Amount
				off += d.Amount
			}
			Expect(off).To(BeNumerically("<=", l.Amount))
		}
		Expect(inv.TotalDiscountAmounts).To(HaveLen(2))
		for _, t := range inv.TotalDiscountAmounts {
			Expect(byDiscount[t.Discount.ID]).To(Equal(t.Amount), "the lines' shares add up to the invoice's")
		}
		Expect(inv.TotalDiscountAmounts[0].Amount).To(Equal(int64(3)))
		Expect(inv.TotalDiscountAmounts[1].Amount).To(Equal(int64(251)), "half of the 502 the first leaves, rounded half up")
		Expect(inv.Total).To(Equal(int64(505 - 3 - 251)))
	})

	It("takes a percentage off exactly, a half cent rounded up, however binary floating point would hold it", func() {
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AutoAdvance: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			Amount: stripe.Int64(3000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		// 1.15% of 3000 is 34.5; as float64s 3000 × 1.15 / 100 is 34.49999999999999.
		pct := coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(1.15)})
		inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{Discounts: []*stripe.InvoiceUpdateDiscountParams{{Coupon: stripe.String(pct.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.TotalDiscountAmounts[0].Amount).To(Equal(int64(35)))
		Expect(inv.Lines.Data[0].DiscountAmounts[0].Amount).To(Equal(int64(35)))
		Expect(inv.Total).To(Equal(int64(2965)))
	})

	It("reuses an existing discount only on its own object or one of its descendants, as Stripe's reference says", func() {
		forever := coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")})
		first := subscribe(&stripe.SubscriptionCreateDiscountParams{Coupon: stripe.String(forever.ID)})
		theirs := first.Discounts[0].ID
		refused := func(err error) {
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "discounts[0][discount]")
			Expect(StripeErr(err).Msg).To(Equal("No such discount: '" + theirs + "'"))
		}
		before := emu.Count("", "subscription")
		_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:     []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}},
			Discounts: []*stripe.SubscriptionCreateDiscountParams{{Discount: stripe.String(theirs)}}})
		refused(err)
		Expect(emu.Count("", "subscription")).To(Equal(before), "another subscription's discount is not this one's")

		one, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AutoAdvance: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.Update(Ctx, one.ID, &stripe.InvoiceUpdateParams{Discounts: []*stripe.InvoiceUpdateDiscountParams{{Discount: stripe.String(theirs)}}})
		refused(err)
		item, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(one.ID),
			Amount: stripe.Int64(500), Currency: stripe.String("usd"), Discounts: []*stripe.InvoiceItemCreateDiscountParams{{Coupon: stripe.String(forever.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		theirs = item.Discounts[0].ID
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(one.ID),
			Amount: stripe.Int64(500), Currency: stripe.String("usd"), Discounts: []*stripe.InvoiceItemCreateDiscountParams{{Discount: stripe.String(theirs)}}})
		refused(err)

		// Its own, and its invoices', take it.
		theirs = first.Discounts[0].ID
		upd, err := sc.V1Subscriptions.Update(Ctx, first.ID, &stripe.SubscriptionUpdateParams{
			Discounts: []*stripe.SubscriptionUpdateDiscountParams{{Discount: stripe.String(theirs)}, {Coupon: stripe.String(forever.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(upd.Discounts).To(HaveLen(2))
		Expect(upd.Discounts[0].ID).To(Equal(theirs))
		// The renewal's invoice stays a draft for an hour.
		emu.Clock().Set(time.Unix(upd.Items.Data[0].CurrentPeriodEnd, 0).Add(time.Minute))
		invs := invoicesOf(first.ID)
		draft := invs[len(invs)-1]
		Expect(draft.Status).To(Equal(stripe.InvoiceStatusDraft))
		_, err = sc.V1Invoices.Update(Ctx, draft.ID, &stripe.InvoiceUpdateParams{Discounts: []*stripe.InvoiceUpdateDiscountParams{{Discount: stripe.String(theirs)}}})
		Expect(err).NotTo(HaveOccurred(), "a subscription's invoice takes the subscription's discount")

		// The customer's own is every object's ancestor's.
		_, err = emu.ApplyCustomerDiscount("", cus.ID, emulator.CustomerDiscount{Coupon: forever.ID})
		Expect(err).NotTo(HaveOccurred())
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		second, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:     []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}},
			Discounts: []*stripe.SubscriptionCreateDiscountParams{{Discount: stripe.String(got.Discount.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(second.Discounts[0].ID).To(Equal(got.Discount.ID))
	})

	It("refuses the same discount given twice, rather than take it off twice", func() {
		c := coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")})
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AutoAdvance: stripe.Bool(false),
			Discounts: []*stripe.InvoiceCreateDiscountParams{{Coupon: stripe.String(c.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			Amount: stripe.Int64(1000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		d := inv.Discounts[0].ID
		_, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{Discounts: []*stripe.InvoiceUpdateDiscountParams{
			{Discount: stripe.String(d)}, {Discount: stripe.String(d)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "discounts[1][discount]")
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(900)), "10% once, as before")
		Expect(inv.TotalDiscountAmounts).To(HaveLen(1))
		Expect(inv.TotalDiscountAmounts[0].Amount).To(Equal(int64(100)))
	})

	It("refuses codes that can't be redeemed, by name, creating nothing", func() {
		c := coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(10), MaxRedemptions: stripe.Int64(1)})
		_, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(c.ID), Code: stripe.String("TEN")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(c.ID), Code: stripe.String("TEN")})
		Expect(StripeErr(err).Msg).To(Equal("An active promotion code with `code: TEN` already exists."), "one active code per code")
		other, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("other@example.com")})
		Expect(err).NotTo(HaveOccurred())
		mine, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(c.ID), Customer: stripe.String(other.ID)})
		Expect(err).NotTo(HaveOccurred())
		off, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(c.ID), Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())

		try := func(d *stripe.SubscriptionCreateDiscountParams) *stripe.Error {
			_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}, Discounts: []*stripe.SubscriptionCreateDiscountParams{d}})
			return StripeErr(err)
		}
		Expect(try(&stripe.SubscriptionCreateDiscountParams{Coupon: stripe.String("NOPE")}).Code).To(Equal(stripe.ErrorCodeResourceMissing))
		Expect(try(&stripe.SubscriptionCreateDiscountParams{PromotionCode: stripe.String(mine.ID)}).Msg).To(ContainSubstring("cannot be redeemed by this customer"))
		Expect(try(&stripe.SubscriptionCreateDiscountParams{PromotionCode: stripe.String(off.ID)}).Msg).To(ContainSubstring("not active"))
		Expect(emu.Count("", "subscription")).To(BeZero())
		Expect(emu.Count("", "discount")).To(BeZero())

		subscribe(&stripe.SubscriptionCreateDiscountParams{Coupon: stripe.String(c.ID)})
		c, err = sc.V1Coupons.Retrieve(Ctx, c.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Valid).To(BeFalse(), "its one redemption is used")
		once, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(5)}).ID),
			MaxRedemptions: stripe.Int64(1)})
		Expect(err).NotTo(HaveOccurred())
		subscribe(&stripe.SubscriptionCreateDiscountParams{PromotionCode: stripe.String(once.ID)})
		used := try(&stripe.SubscriptionCreateDiscountParams{PromotionCode: stripe.String(once.ID)})
		Expect(used.Param).To(Equal("discounts[0][promotion_code]"))
		Expect(used.Msg).To(Equal("This promotion code cannot be redeemed because it has been used the maximum number of times."))

		spent := try(&stripe.SubscriptionCreateDiscountParams{Coupon: stripe.String(c.ID)})
		Expect(spent.Param).To(Equal("discounts[0][coupon]"))
		// Stripe's code for a coupon that can no longer be redeemed, and
		// its message's start (apps match on "Coupon expired").
		Expect(spent.Code).To(Equal(stripe.ErrorCodeCouponExpired))
		Expect(spent.Msg).To(Equal("Coupon expired: " + c.ID))
	})

	It("discounts a Checkout Session and redeems the code when it completes", func() {
		once, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(4000)})
		Expect(err).NotTo(HaveOccurred())
		c := coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(20)})
		promo, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(c.ID), Code: stripe.String("TWENTY")})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://x.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(once.ID), Quantity: stripe.Int64(1)}},
			Discounts: []*stripe.CheckoutSessionCreateDiscountParams{{PromotionCode: stripe.String(promo.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.AmountSubtotal).To(Equal(int64(4000)))
		Expect(s.AmountTotal).To(Equal(int64(3200)))
		Expect(s.TotalDetails.AmountDiscount).To(Equal(int64(800)))
		Expect(s.Discounts[0].PromotionCode.ID).To(Equal(promo.ID))

		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_card_visa"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Amount).To(Equal(int64(3200)))
		promo, err = sc.V1PromotionCodes.Retrieve(Ctx, promo.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(promo.TimesRedeemed).To(Equal(int64(1)))

		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://x.example/ok"),
			LineItems:           []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(once.ID), Quantity: stripe.Int64(1)}},
			AllowPromotionCodes: stripe.Bool(true), Discounts: []*stripe.CheckoutSessionCreateDiscountParams{{Coupon: stripe.String(c.ID)}}})
		Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCode("parameters_exclusive")))
	})
})
