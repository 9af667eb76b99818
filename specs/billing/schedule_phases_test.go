package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// What a subscription schedule's phase says beyond its items: its
// discounts, its trial, its tax rates and its one-off items, each in
// effect on the subscription while the phase is current.
var _ = Describe("Subscription schedule phases", Label("billing", "subscriptions", "schedules"), func() {
	var (
		emu         *emulator.Emulator
		sc          *stripe.Client
		prod        *stripe.Product
		basic, plus *stripe.Price
		cus         *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		prod, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		price := func(amount int64) *stripe.Price { return recurringPrice(sc, prod.ID, "month", amount) }
		basic, plus = price(1000), price(2500)
		cus = customerWithCard(sc, "phases@example.com", "pm_card_visa", "")
	})

	subscription := func(id string) *stripe.Subscription {
		GinkgoHelper()
		s, err := sc.V1Subscriptions.Retrieve(Ctx, id, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice"), stripe.String("discounts")}})
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	retrieve := func(id string) *stripe.SubscriptionSchedule {
		GinkgoHelper()
		s, err := sc.V1SubscriptionSchedules.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	items := func(p *stripe.Price) []*stripe.SubscriptionScheduleCreatePhaseItemParams {
		return []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(p.ID)}}
	}
	taxRate := func(pct float64) *stripe.TaxRate {
		GinkgoHelper()
		r, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(pct), Inclusive: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		return r
	}
	at := func(months int) { emu.Clock().Set(Epoch.AddDate(0, months, 0).Add(2 * time.Hour)) }

	It("discounts the first three months 50% off, then bills full price, the subscription's discounts changing at the phase boundary", func() {
		coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), Iterations: stripe.Int64(3), Discounts: []*stripe.SubscriptionScheduleCreatePhaseDiscountParams{{Coupon: stripe.String(coupon.ID)}}},
				{Items: items(basic), Iterations: stripe.Int64(1)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Phases[0].Discounts).To(HaveLen(1))
		Expect(s.Phases[0].Discounts[0].Coupon.ID).To(Equal(coupon.ID))
		Expect(s.Phases[0].Discounts[0].PromotionCode).To(BeNil())
		Expect(s.Phases[1].Discounts).To(BeEmpty())

		sub := subscription(s.Subscription.ID)
		Expect(sub.Discounts).To(HaveLen(1))
		Expect(sub.Discounts[0].Coupon.ID).To(Equal(coupon.ID))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(500)))
		for m := 1; m <= 2; m++ {
			at(m)
			sub = subscription(sub.ID)
			Expect(sub.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
			Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(500)), "month %d is discounted", m)
			Expect(sub.Discounts).To(HaveLen(1))
		}

		// The second phase begins with the fourth period: no discount.
		at(3)
		sub = subscription(sub.ID)
		Expect(sub.Discounts).To(BeEmpty())
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1000)))
		Expect(sub.LatestInvoice.TotalDiscountAmounts).To(BeEmpty())
		Expect(retrieve(s.ID).CurrentPhase.StartDate).To(Equal(s.Phases[1].StartDate))
		dropped := 0
		for _, ev := range emu.Events("") {
			if ev["type"] != "customer.subscription.updated" {
				continue
			}
			data := ev["data"].(map[string]any)
			prev, _ := data["previous_attributes"].(map[string]any)
			if was, ok := prev["discounts"].([]any); ok && len(was) == 1 {
				Expect(data["object"].(map[string]any)["discounts"]).To(BeEmpty())
				Expect(ev["created"]).To(BeNumerically("==", Epoch.AddDate(0, 3, 0).Unix()))
				dropped++
			}
		}
		Expect(dropped).To(Equal(1), "one customer.subscription.updated drops the discount")

		at(4)
		sub = subscription(sub.ID)
		Expect(sub.Schedule).To(BeNil())
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1000)))
	})

	It("replaces one phase's discount with the next's, a promotion code redeemed when its phase begins", func() {
		half, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		fifth, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(20), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		promo, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{
			Coupon: stripe.String(fifth.ID), Code: stripe.String("LOYAL20")})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), Iterations: stripe.Int64(1), Discounts: []*stripe.SubscriptionScheduleCreatePhaseDiscountParams{{Coupon: stripe.String(half.ID)}}},
				{Items: items(basic), Iterations: stripe.Int64(1), Discounts: []*stripe.SubscriptionScheduleCreatePhaseDiscountParams{{PromotionCode: stripe.String(promo.ID)}}},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Phases[1].Discounts[0].PromotionCode.ID).To(Equal(promo.ID))
		Expect(s.Phases[1].Discounts[0].Coupon).To(BeNil())
		Expect(subscription(s.Subscription.ID).LatestInvoice.AmountPaid).To(Equal(int64(500)))
		at(1)
		sub := subscription(s.Subscription.ID)
		Expect(sub.Discounts).To(HaveLen(1))
		Expect(sub.Discounts[0].Coupon.ID).To(Equal(fifth.ID))
		Expect(sub.Discounts[0].PromotionCode.ID).To(Equal(promo.ID))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(800)))
	})

	It("applies a discount added to the current phase by an update at once, and redeems nothing again when the same phases are sent back", func() {
		coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: items(basic), Iterations: stripe.Int64(2)}},
		})
		Expect(err).NotTo(HaveOccurred())
		update := func() *stripe.SubscriptionSchedule {
			GinkgoHelper()
			u, err := sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{
				Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{{
					StartDate: stripe.Int64(s.Phases[0].StartDate), EndDate: stripe.Int64(s.Phases[0].EndDate),
					Items:     []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID)}},
					Discounts: []*stripe.SubscriptionScheduleUpdatePhaseDiscountParams{{Coupon: stripe.String(coupon.ID)}},
				}},
			})
			Expect(err).NotTo(HaveOccurred())
			return u
		}
		Expect(update().Phases[0].Discounts[0].Coupon.ID).To(Equal(coupon.ID))
		sub := subscription(s.Subscription.ID)
		Expect(sub.Discounts).To(HaveLen(1))
		first := sub.Discounts[0].ID
		update()
		sub = subscription(sub.ID)
		Expect(sub.Discounts).To(HaveLen(1))
		Expect(sub.Discounts[0].ID).To(Equal(first))
		Expect(emu.Count("", "discount")).To(Equal(1))
		at(1)
		Expect(subscription(sub.ID).LatestInvoice.AmountPaid).To(Equal(int64(500)))
	})

	It("takes back on an update the discounts its phases have though no longer redeemable, as a coupon the current phase used up, while refusing such a coupon new to it", func() {
		once, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("forever"), MaxRedemptions: stripe.Int64(1)})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), Iterations: stripe.Int64(1), Discounts: []*stripe.SubscriptionScheduleCreatePhaseDiscountParams{{Coupon: stripe.String(once.ID)}}},
				{Items: items(plus), Iterations: stripe.Int64(1)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		sub := subscription(s.Subscription.ID)
		Expect(sub.Discounts).To(HaveLen(1))
		usedUp, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever"), MaxRedemptions: stripe.Int64(1)})
		Expect(err).NotTo(HaveOccurred())
		other := customerWithCard(sc, "other@example.com", "pm_card_visa", "")
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(other.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID)}},
			Discounts: []*stripe.SubscriptionCreateDiscountParams{{Coupon: stripe.String(usedUp.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		update := func(next ...*stripe.SubscriptionScheduleUpdatePhaseDiscountParams) error {
			_, err := sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{StartDate: stripe.Int64(s.Phases[0].StartDate), EndDate: stripe.Int64(s.Phases[0].EndDate), Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID)}},
					Discounts: []*stripe.SubscriptionScheduleUpdatePhaseDiscountParams{{Coupon: stripe.String(once.ID)}}},
				{Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(plus.ID), Quantity: stripe.Int64(2)}}, Iterations: stripe.Int64(1), Discounts: next},
			}})
			return err
		}
		err = update(&stripe.SubscriptionScheduleUpdatePhaseDiscountParams{Coupon: stripe.String(usedUp.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "coupon_expired", "phases[1][discounts][0][coupon]")
		Expect(update()).To(Succeed(), "the current phase sent back as it is")
		sub = subscription(sub.ID)
		Expect(sub.Discounts).To(HaveLen(1))
		Expect(retrieve(s.ID).Phases[1].Items[0].Quantity).To(Equal(int64(2)))
		Expect(subscription(sub.ID).Discounts[0].ID).To(Equal(sub.Discounts[0].ID), "nothing redeemed again")
	})

	It("runs a trial phase free, then bills the paid phase when the trial ends", func() {
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), Iterations: stripe.Int64(1), Trial: stripe.Bool(true)},
				{Items: items(plus), Iterations: stripe.Int64(2)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		trialEnd := Epoch.AddDate(0, 1, 0).Unix()
		Expect(s.Phases[0].TrialEnd).To(Equal(trialEnd), "a whole-phase trial ends with the phase")
		Expect(s.Phases[1].TrialEnd).To(BeZero())
		sub := subscription(s.Subscription.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(sub.TrialEnd).To(Equal(trialEnd))
		Expect(sub.LatestInvoice.AmountDue).To(BeZero())

		at(1)
		sub = subscription(sub.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.Items.Data[0].Price.ID).To(Equal(plus.ID))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(2500)))
		Expect(sub.LatestInvoice.Lines.Data).To(HaveLen(1), "nothing prorated: the trial ended with the phase")
	})

	It("ends a phase's trial at its trial_end, the rest of the phase paid", func() {
		trialEnd := Epoch.AddDate(0, 0, 14).Unix()
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), Iterations: stripe.Int64(3), TrialEnd: stripe.Int64(trialEnd)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Phases[0].TrialEnd).To(Equal(trialEnd))
		sub := subscription(s.Subscription.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(sub.LatestInvoice.AmountDue).To(BeZero())
		emu.Clock().Set(time.Unix(trialEnd, 0).Add(2 * time.Hour))
		sub = subscription(sub.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1000)))
	})

	It("starts a later phase's trial as the phase begins: trialing, nothing invoiced until the trial ends, then a full period at the phase's price", func() {
		trialEnd := Epoch.AddDate(0, 1, 14).Unix()
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), Iterations: stripe.Int64(1)},
				{Items: items(plus), Iterations: stripe.Int64(2), TrialEnd: stripe.Int64(trialEnd)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Phases[1].TrialEnd).To(Equal(trialEnd))
		sub := subscription(s.Subscription.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		first := sub.LatestInvoice.ID

		By("previewing the schedule's next invoice: the one the trial's end makes")
		next, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Schedule: stripe.String(s.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(next.Total).To(Equal(int64(2500)))
		Expect(next.Lines.Data[0].Period.Start).To(Equal(trialEnd))

		at(1)
		sub = subscription(sub.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(sub.TrialStart).To(Equal(Epoch.AddDate(0, 1, 0).Unix()))
		Expect(sub.TrialEnd).To(Equal(trialEnd))
		Expect(sub.Items.Data[0].Price.ID).To(Equal(plus.ID))
		Expect(sub.Items.Data[0].CurrentPeriodStart).To(Equal(Epoch.AddDate(0, 1, 0).Unix()))
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(trialEnd), "the trial is the period")
		Expect(sub.BillingCycleAnchor).To(Equal(trialEnd))
		Expect(sub.LatestInvoice.ID).To(Equal(first), "nothing invoiced as the trial begins")
		Expect(emu.Count("", "invoiceitem")).To(BeZero(), "nothing left of the period to prorate")

		emu.Clock().Set(time.Unix(trialEnd, 0).Add(-48 * time.Hour))
		Expect(emu.EventTypes("")).To(ContainElement("customer.subscription.trial_will_end"), "three days before the trial ends")
		emu.Clock().Set(time.Unix(trialEnd, 0).Add(2 * time.Hour))
		sub = subscription(sub.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.LatestInvoice.ID).NotTo(Equal(first))
		Expect(sub.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(next.Total), "as previewed")
		Expect(sub.LatestInvoice.Lines.Data[0].Period.Start).To(Equal(trialEnd))
		Expect(sub.LatestInvoice.Lines.Data[0].Period.End).To(Equal(time.Unix(trialEnd, 0).AddDate(0, 1, 0).Unix()))
	})

	It("warns of each trial's end, a second trial's too", func() {
		secondEnd := Epoch.AddDate(0, 2, 2).Unix()
		_, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), Iterations: stripe.Int64(1), Trial: stripe.Bool(true)},
				{Items: items(basic), Iterations: stripe.Int64(1)},
				{Items: items(plus), Iterations: stripe.Int64(1), TrialEnd: stripe.Int64(secondEnd)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		warnings := func() int {
			n := 0
			for _, t := range emu.EventTypes("") {
				if t == "customer.subscription.trial_will_end" {
					n++
				}
			}
			return n
		}
		at(1)
		Expect(warnings()).To(Equal(1))
		at(2)
		Expect(warnings()).To(Equal(2), "the second trial, under three days, is warned of as it begins")
	})

	It("moves to another interval through a later phase's trial, the trial's end starting the new interval", func() {
		yearly := recurringPrice(sc, prod.ID, "year", 10000)
		trialEnd := Epoch.AddDate(0, 1, 7).Unix()
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), Iterations: stripe.Int64(1)},
				{Items: items(yearly), Iterations: stripe.Int64(1), TrialEnd: stripe.Int64(trialEnd)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		at(1)
		sub := subscription(s.Subscription.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(sub.Items.Data[0].Price.ID).To(Equal(yearly.ID))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1000)), "the first month's invoice, nothing since")
		emu.Clock().Set(time.Unix(trialEnd, 0).Add(2 * time.Hour))
		sub = subscription(s.Subscription.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(10000)))
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(time.Unix(trialEnd, 0).AddDate(1, 0, 0).Unix()))
	})

	It("credits the unused time when a trial phase begins mid-period, unless it says proration_behavior=none", func() {
		mid := Epoch.AddDate(0, 0, 15).Unix()
		trialEnd := Epoch.AddDate(0, 1, 15).Unix()
		schedule := func(behavior string) *stripe.SubscriptionSchedule {
			GinkgoHelper()
			owner := customerWithCard(sc, behavior+"@example.com", "pm_card_visa", "")
			s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
				Customer: stripe.String(owner.ID), StartDateNow: stripe.Bool(true),
				Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
					{Items: items(basic), EndDate: stripe.Int64(mid)},
					{Items: items(plus), Trial: stripe.Bool(true), EndDate: stripe.Int64(trialEnd), ProrationBehavior: stripe.String(behavior)},
					{Items: items(plus), Iterations: stripe.Int64(1)},
				},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(s.Phases[1].TrialEnd).To(Equal(trialEnd), "a whole-phase trial ends with the phase")
			return s
		}
		prorated, unprorated := schedule("create_prorations"), schedule("none")
		emu.Clock().Set(time.Unix(mid, 0).Add(time.Hour))
		for _, s := range []*stripe.SubscriptionSchedule{prorated, unprorated} {
			sub := subscription(s.Subscription.ID)
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
			Expect(sub.Items.Data[0].Price.ID).To(Equal(plus.ID))
			Expect(sub.TrialEnd).To(Equal(trialEnd))
		}
		emu.Clock().Set(time.Unix(trialEnd, 0).Add(2 * time.Hour))
		start, end := Epoch.Unix(), Epoch.AddDate(0, 1, 0).Unix()
		credit := -int64(float64(1000*(end-mid))/float64(end-start) + 0.5)
		sub := subscription(prorated.Subscription.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.LatestInvoice.Lines.Data).To(HaveLen(2))
		Expect(sub.LatestInvoice.Total).To(Equal(2500+credit), "the basic plan's unused half month credited")
		sub = subscription(unprorated.Subscription.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.LatestInvoice.Lines.Data).To(HaveLen(1), "nothing credited")
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(2500)))
	})

	It("invoices at once the credit of a trial phase that keeps the items and begins mid-period with proration_behavior=always_invoice", func() {
		mid := Epoch.AddDate(0, 0, 15).Unix()
		trialEnd := Epoch.AddDate(0, 1, 15).Unix()
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), EndDate: stripe.Int64(mid)},
				{Items: items(basic), TrialEnd: stripe.Int64(trialEnd), EndDate: stripe.Int64(trialEnd), ProrationBehavior: stripe.String("always_invoice")},
				{Items: items(basic), Iterations: stripe.Int64(1)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		first := subscription(s.Subscription.ID).LatestInvoice.ID
		emu.Clock().Set(time.Unix(mid, 0).Add(time.Hour))
		sub := subscription(s.Subscription.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		start, end := Epoch.Unix(), Epoch.AddDate(0, 1, 0).Unix()
		credit := -int64(float64(1000*(end-mid))/float64(end-start) + 0.5)
		Expect(sub.LatestInvoice.ID).NotTo(Equal(first), "the credit is invoiced at once")
		Expect(sub.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
		Expect(sub.LatestInvoice.Total).To(Equal(credit))
		Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			Fail("left pending: " + ii.ID)
		}
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Balance).To(Equal(credit), "the credit goes to the customer's balance")

		emu.Clock().Set(time.Unix(trialEnd, 0).Add(2 * time.Hour))
		sub = subscription(sub.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.LatestInvoice.Lines.Data).To(HaveLen(1), "the credit is not billed twice")
		Expect(sub.LatestInvoice.Total).To(Equal(int64(1000)))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(1000+credit), "the balance pays part of it")
	})

	It("taxes each phase with its default and items' tax rates", func() {
		vat10, vat20 := taxRate(10), taxRate(20)
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), Iterations: stripe.Int64(1), DefaultTaxRates: []*string{stripe.String(vat10.ID)}},
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID), TaxRates: []*string{stripe.String(vat20.ID)}}}, Iterations: stripe.Int64(1)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Phases[0].DefaultTaxRates).To(HaveLen(1))
		Expect(s.Phases[0].DefaultTaxRates[0].ID).To(Equal(vat10.ID))
		Expect(s.Phases[0].DefaultTaxRates[0].Percentage).To(Equal(10.0))
		Expect(s.Phases[1].Items[0].TaxRates[0].ID).To(Equal(vat20.ID))
		sub := subscription(s.Subscription.ID)
		Expect(sub.DefaultTaxRates).To(HaveLen(1))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1100)))
		// A rate archived after the schedule took it still applies when
		// its phase begins, as an object keeps the rates it has.
		_, err = sc.V1TaxRates.Update(Ctx, vat20.ID, &stripe.TaxRateUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())

		at(1)
		sub = subscription(sub.ID)
		Expect(sub.DefaultTaxRates).To(BeEmpty(), "the second phase has no default tax rates")
		Expect(sub.Items.Data[0].TaxRates).To(HaveLen(1))
		Expect(sub.Items.Data[0].TaxRates[0].ID).To(Equal(vat20.ID))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1200)))
	})

	It("bills a phase's add_invoice_items once, on its first invoice", func() {
		setup, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(5000)})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), Iterations: stripe.Int64(2), AddInvoiceItems: []*stripe.SubscriptionScheduleCreatePhaseAddInvoiceItemParams{{Price: stripe.String(setup.ID)}}},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Phases[0].AddInvoiceItems).To(HaveLen(1))
		Expect(s.Phases[0].AddInvoiceItems[0].Price.ID).To(Equal(setup.ID))
		Expect(s.Phases[0].AddInvoiceItems[0].Quantity).To(Equal(int64(1)))
		sub := subscription(s.Subscription.ID)
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(6000)))
		Expect(sub.LatestInvoice.Lines.Data).To(HaveLen(2))
		at(1)
		Expect(subscription(sub.ID).LatestInvoice.AmountPaid).To(Equal(int64(1000)), "the setup fee is billed once")
	})

	It("refuses an unknown coupon, an archived tax rate, and what it does not emulate, changing nothing", func() {
		coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		archived := taxRate(10)
		_, err = sc.V1TaxRates.Update(Ctx, archived.ID, &stripe.TaxRateUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		create := func(second *stripe.SubscriptionScheduleCreatePhaseParams) error {
			first := &stripe.SubscriptionScheduleCreatePhaseParams{Items: items(basic), Iterations: stripe.Int64(1),
				Discounts: []*stripe.SubscriptionScheduleCreatePhaseDiscountParams{{Coupon: stripe.String(coupon.ID)}}}
			_, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
				Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true), Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{first, second}})
			return err
		}
		err = create(&stripe.SubscriptionScheduleCreatePhaseParams{Items: items(plus),
			Discounts: []*stripe.SubscriptionScheduleCreatePhaseDiscountParams{{Coupon: stripe.String("nope")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "phases[1][discounts][0][coupon]")
		err = create(&stripe.SubscriptionScheduleCreatePhaseParams{Items: items(plus), DefaultTaxRates: []*string{stripe.String(archived.ID)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[1][default_tax_rates][0]")
		err = create(&stripe.SubscriptionScheduleCreatePhaseParams{Items: items(plus), Trial: stripe.Bool(true), BillingCycleAnchor: stripe.String("phase_start")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[1][billing_cycle_anchor]")
		m, err := sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{DisplayName: stripe.String("calls"), EventName: stripe.String("calls"),
			DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("sum")}})
		Expect(err).NotTo(HaveOccurred())
		perCall, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(3),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String(m.ID)}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true), Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(perCall), Iterations: stripe.Int64(1)}, {Items: items(plus), Trial: stripe.Bool(true)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[1][trial_end]")
		Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate a trial on a phase that follows metered prices"))
		err = create(&stripe.SubscriptionScheduleCreatePhaseParams{Items: items(plus), Trial: stripe.Bool(true), TrialEnd: stripe.Int64(Epoch.AddDate(0, 1, 5).Unix())})
		ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "phases[1][trial]")
		err = create(&stripe.SubscriptionScheduleCreatePhaseParams{Items: items(plus),
			AddInvoiceItems: []*stripe.SubscriptionScheduleCreatePhaseAddInvoiceItemParams{{Price: stripe.String(plus.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[1][add_invoice_items][0][price]")

		Expect(emu.Count("", "subscription_schedule")).To(BeZero())
		Expect(emu.Count("", "subscription")).To(BeZero())
		Expect(emu.Count("", "discount")).To(BeZero())
		cp, err := sc.V1Coupons.Retrieve(Ctx, coupon.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(cp.TimesRedeemed).To(BeZero())
	})

	It("bills items given as price_data: inline prices, inactive as Stripe makes them, when the schedule starts and as a later phase begins", func() {
		inline := func(amount int64) *stripe.SubscriptionScheduleCreatePhaseItemParams {
			return &stripe.SubscriptionScheduleCreatePhaseItemParams{PriceData: &stripe.SubscriptionItemPriceDataParams{
				Currency: stripe.String("usd"), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(700),
				Recurring: &stripe.SubscriptionItemPriceDataRecurringParams{Interval: stripe.String("month")},
			}, Quantity: stripe.Int64(amount)}
		}
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{inline(1)}, Iterations: stripe.Int64(1)},
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{inline(3)}, Iterations: stripe.Int64(1)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		first := s.Phases[0].Items[0].Price.ID
		Expect(first).NotTo(Equal(s.Phases[1].Items[0].Price.ID), "each item's price_data makes its own price")
		p, err := sc.V1Prices.Retrieve(Ctx, first, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(p.Active).To(BeFalse())
		Expect(p.UnitAmount).To(Equal(int64(700)))
		sub := subscription(s.Subscription.ID)
		Expect(sub.Items.Data[0].Price.ID).To(Equal(first))
		Expect(sub.LatestInvoice.AmountDue).To(Equal(int64(700)))

		at(1)
		sub = subscription(s.Subscription.ID)
		Expect(sub.Items.Data).To(HaveLen(1))
		Expect(sub.Items.Data[0].Price.ID).To(Equal(retrieve(s.ID).Phases[1].Items[0].Price.ID))
		Expect(sub.Items.Data[0].Quantity).To(Equal(int64(3)))
		Expect(sub.LatestInvoice.Total).To(Equal(int64(2100)))

		// One yet to start takes them too, and starts on its day.
		later, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDate: stripe.Int64(Epoch.AddDate(0, 2, 0).Unix()),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{inline(2)}}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(later.Status).To(Equal(stripe.SubscriptionScheduleStatusNotStarted))
		at(2)
		started := retrieve(later.ID)
		Expect(started.Status).To(Equal(stripe.SubscriptionScheduleStatusActive))
		Expect(subscription(started.Subscription.ID).LatestInvoice.Total).To(Equal(int64(1400)))
	})

	It("refuses a price named twice in a phase, naming the phase's item, and keeps nothing, even for a schedule yet to start", func() {
		for _, start := range []int64{0, Epoch.AddDate(0, 1, 0).Unix()} {
			p := &stripe.SubscriptionScheduleCreateParams{
				Customer: stripe.String(cus.ID),
				Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
					{Items: items(plus), Iterations: stripe.Int64(1)},
					{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}, {Price: stripe.String(basic.ID), Quantity: stripe.Int64(2)}}},
				},
			}
			if start == 0 {
				p.StartDateNow = stripe.Bool(true)
			} else {
				p.StartDate = stripe.Int64(start)
			}
			_, err := sc.V1SubscriptionSchedules.Create(Ctx, p)
			ExpectStripeError(err, 400, "invalid_request_error", "", "phases[1][items][1][price]")
			Expect(err.(*stripe.Error).Msg).To(Equal("Cannot add multiple subscription items with the same plan: " + basic.ID))
		}
		Expect(emu.Count("", "subscription_schedule")).To(BeZero())
		Expect(emu.Count("", "subscription")).To(BeZero())
	})

	It("refuses prices of different intervals in a phase, naming the phase's item, even in a later phase or a schedule yet to start", func() {
		yearly := recurringPrice(sc, prod.ID, "year", 10000)
		mixed := []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}, {Price: stripe.String(yearly.ID)}}
		for _, start := range []int64{0, Epoch.AddDate(0, 1, 0).Unix()} {
			p := &stripe.SubscriptionScheduleCreateParams{
				Customer: stripe.String(cus.ID),
				Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
					{Items: items(plus), Iterations: stripe.Int64(1)},
					{Items: mixed},
				},
			}
			if start == 0 {
				p.StartDateNow = stripe.Bool(true)
			} else {
				p.StartDate = stripe.Int64(start)
			}
			_, err := sc.V1SubscriptionSchedules.Create(Ctx, p)
			ExpectStripeError(err, 400, "invalid_request_error", "", "phases[1][items][1][price]")
			Expect(err.(*stripe.Error).Msg).To(Equal("All prices on a subscription must have the same recurring interval and interval_count."))
		}
		Expect(emu.Count("", "subscription_schedule")).To(BeZero())
		Expect(emu.Count("", "subscription")).To(BeZero())

		// A later phase may bill at another interval than the one before.
		_, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: items(basic), Iterations: stripe.Int64(1)}, {Items: items(yearly)}},
		})
		Expect(err).NotTo(HaveOccurred())
	})

	It("begins a phase whose coupon was deleted since without that discount, its other discounts redeemed, instead of staying in the phase before", func() {
		gone, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		kept, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{AmountOff: stripe.Int64(100), Currency: stripe.String("usd"), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), Iterations: stripe.Int64(1)},
				{Items: items(plus), Iterations: stripe.Int64(1), Discounts: []*stripe.SubscriptionScheduleCreatePhaseDiscountParams{
					{Coupon: stripe.String(gone.ID)}, {Coupon: stripe.String(kept.ID)},
				}},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Coupons.Delete(Ctx, gone.ID, nil)
		Expect(err).NotTo(HaveOccurred())

		at(1)
		Expect(retrieve(s.ID).CurrentPhase.StartDate).To(Equal(s.Phases[1].StartDate))
		sub := subscription(s.Subscription.ID)
		Expect(sub.Items.Data[0].Price.ID).To(Equal(plus.ID))
		Expect(sub.Discounts).To(HaveLen(1))
		Expect(sub.Discounts[0].Coupon.ID).To(Equal(kept.ID))
		Expect(sub.LatestInvoice.Total).To(Equal(int64(2400)))
		at(2)
		Expect(retrieve(s.ID).Status).To(Equal(stripe.SubscriptionScheduleStatusReleased))
	})

	It("bills a phase's price archived after the schedule took it when the phase begins", func() {
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), Iterations: stripe.Int64(1)},
				{Items: items(plus), Iterations: stripe.Int64(1)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Prices.Update(Ctx, plus.ID, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		at(1)
		Expect(retrieve(s.ID).CurrentPhase.StartDate).To(Equal(s.Phases[1].StartDate))
		sub := subscription(s.Subscription.ID)
		Expect(sub.Items.Data[0].Price.ID).To(Equal(plus.ID))
		Expect(sub.LatestInvoice.Total).To(Equal(int64(2500)))
	})

	It("takes back on an update the phases it has, whose prices are inline or archived since, while refusing such a price new to it", func() {
		fee, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(300)})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{PriceData: &stripe.SubscriptionItemPriceDataParams{
					Currency: stripe.String("usd"), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(700),
					Recurring: &stripe.SubscriptionItemPriceDataRecurringParams{Interval: stripe.String("month")}}}}, Iterations: stripe.Int64(1)},
				{Items: items(plus), Iterations: stripe.Int64(1),
					AddInvoiceItems: []*stripe.SubscriptionScheduleCreatePhaseAddInvoiceItemParams{{Price: stripe.String(fee.ID)}}},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		for _, id := range []string{plus.ID, fee.ID} {
			_, err = sc.V1Prices.Update(Ctx, id, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
		}
		// The phases as retrieved, sent back (Stripe's way to change one).
		sendBack := func(extra *stripe.SubscriptionScheduleUpdatePhaseItemParams) error {
			var phases []*stripe.SubscriptionScheduleUpdatePhaseParams
			for _, p := range s.Phases {
				up := &stripe.SubscriptionScheduleUpdatePhaseParams{StartDate: stripe.Int64(p.StartDate), EndDate: stripe.Int64(p.EndDate),
					Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(p.Items[0].Price.ID)}}}
				for _, a := range p.AddInvoiceItems {
					up.AddInvoiceItems = append(up.AddInvoiceItems, &stripe.SubscriptionScheduleUpdatePhaseAddInvoiceItemParams{Price: stripe.String(a.Price.ID)})
				}
				phases = append(phases, up)
			}
			if extra != nil {
				phases[1].Items = append(phases[1].Items, extra)
			}
			_, err := sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{Phases: phases, Metadata: map[string]string{"sent": "back"}})
			return err
		}
		Expect(sendBack(nil)).To(Succeed())
		Expect(retrieve(s.ID).Metadata).To(HaveKeyWithValue("sent", "back"))

		By("an inactive price the schedule does not have is still refused")
		other := recurringPrice(sc, prod.ID, "month", 4000)
		_, err = sc.V1Prices.Update(Ctx, other.ID, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		err = sendBack(&stripe.SubscriptionScheduleUpdatePhaseItemParams{Price: stripe.String(other.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[1][items][1][price]")
		Expect(StripeErr(err).Msg).To(Equal("The price specified is inactive. This field only accepts active prices."))

		at(1)
		sub := subscription(s.Subscription.ID)
		Expect(sub.Items.Data[0].Price.ID).To(Equal(plus.ID))
		Expect(sub.LatestInvoice.Total).To(Equal(int64(2500+300)), "the phase's price and one-off item, archived since")
	})

	It("takes back on an update the tax rates its phases have though archived since, while refusing an archived rate new to it", func() {
		vat, gst, old := taxRate(10), taxRate(5), taxRate(7)
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID), TaxRates: []*string{stripe.String(gst.ID)}}},
					DefaultTaxRates: []*string{stripe.String(vat.ID)}, Iterations: stripe.Int64(1)},
				{Items: items(plus), DefaultTaxRates: []*string{stripe.String(vat.ID)}, Iterations: stripe.Int64(1)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		for _, r := range []*stripe.TaxRate{vat, gst, old} {
			_, err = sc.V1TaxRates.Update(Ctx, r.ID, &stripe.TaxRateUpdateParams{Active: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
		}
		update := func(extra string) error {
			second := []*string{stripe.String(vat.ID)}
			if extra != "" {
				second = append(second, stripe.String(extra))
			}
			_, err := sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{StartDate: stripe.Int64(s.Phases[0].StartDate), EndDate: stripe.Int64(s.Phases[0].EndDate), DefaultTaxRates: []*string{stripe.String(vat.ID)},
					Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID), TaxRates: []*string{stripe.String(gst.ID)}}}},
				{Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(plus.ID), Quantity: stripe.Int64(2)}},
					DefaultTaxRates: second, Iterations: stripe.Int64(1)},
			}})
			return err
		}
		err = update(old.ID)
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[1][default_tax_rates][1]")
		Expect(update("")).To(Succeed())
		Expect(retrieve(s.ID).Phases[1].Items[0].Quantity).To(Equal(int64(2)))
		at(1)
		Expect(subscription(s.Subscription.ID).LatestInvoice.Total).To(Equal(int64(5500)), "2 × 2500 and 10% VAT")
	})

	It("bills a later phase's add_invoice_items once, on the first invoice after the phase begins", func() {
		setup, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(5000)})
		Expect(err).NotTo(HaveOccurred())
		rate := taxRate(10)
		fee := []*stripe.SubscriptionScheduleCreatePhaseAddInvoiceItemParams{{Price: stripe.String(setup.ID), Quantity: stripe.Int64(2), TaxRates: []*string{stripe.String(rate.ID)}}}
		// At a period's end: on the renewal that begins the phase.
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), Iterations: stripe.Int64(1)},
				{Items: items(plus), Iterations: stripe.Int64(2), AddInvoiceItems: fee},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Phases[1].AddInvoiceItems).To(HaveLen(1))
		Expect(subscription(s.Subscription.ID).LatestInvoice.Total).To(Equal(int64(1000)), "not before the phase")
		at(1)
		inv := subscription(s.Subscription.ID).LatestInvoice
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(inv.Total).To(Equal(int64(2500 + 11000)))
		Expect(inv.Lines.Data).To(HaveLen(2))
		at(2)
		Expect(subscription(s.Subscription.ID).LatestInvoice.Total).To(Equal(int64(2500)), "billed once")

		// Mid-period, prorated: on the next invoice, beside the prorations.
		other := customerWithCard(sc, "midphase@example.com", "pm_card_visa", "")
		emu.Clock().Set(Epoch.AddDate(0, 3, 0))
		start := emu.Clock().Now()
		s, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(other.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), EndDate: stripe.Int64(start.AddDate(0, 0, 15).Unix())},
				{Items: items(plus), Iterations: stripe.Int64(1), AddInvoiceItems: fee},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(start.AddDate(0, 0, 15).Add(time.Hour))
		Expect(subscription(s.Subscription.ID).LatestInvoice.Total).To(Equal(int64(1000)), "the phase invoices nothing at once")
		emu.Clock().Set(start.AddDate(0, 1, 0).Add(2 * time.Hour))
		inv = subscription(s.Subscription.ID).LatestInvoice
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		var fees int64
		for _, l := range inv.Lines.Data {
			if l.Pricing.PriceDetails.Price == setup.ID {
				fees += l.Amount
				Expect(l.Quantity).To(Equal(int64(2)))
				Expect(l.Taxes).To(HaveLen(1))
			}
		}
		Expect(fees).To(Equal(int64(10000)))
	})

	It("pays each phase's invoices with the phase's default_payment_method, which must be the customer's", func() {
		pm, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_mastercard", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		stranger := customerWithCard(sc, "stranger@example.com", "pm_card_visa", "")
		theirs := stranger.InvoiceSettings.DefaultPaymentMethod.ID
		phases := func(second string) []*stripe.SubscriptionScheduleCreatePhaseParams {
			return []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), Iterations: stripe.Int64(1)},
				{Items: items(plus), Iterations: stripe.Int64(1), DefaultPaymentMethod: stripe.String(second)},
			}
		}
		_, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true), Phases: phases(theirs)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[1][default_payment_method]")
		Expect(emu.Count("", "subscription_schedule")).To(BeZero())

		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true), Phases: phases(pm.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Phases[1].DefaultPaymentMethod.ID).To(Equal(pm.ID))
		Expect(subscription(s.Subscription.ID).DefaultPaymentMethod).To(BeNil())
		at(1)
		sub := subscription(s.Subscription.ID)
		Expect(sub.DefaultPaymentMethod.ID).To(Equal(pm.ID))
		intent, err := sc.V1PaymentIntents.Retrieve(Ctx, defaultIntent(sc, sub.LatestInvoice).ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(intent.PaymentMethod.ID).To(Equal(pm.ID))
	})

	It("takes back on an update a phase's default_payment_method detached since, which the phase then begins without", func() {
		pm, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_mastercard", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true), Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: items(basic), Iterations: stripe.Int64(1)},
				{Items: items(plus), Iterations: stripe.Int64(1), DefaultPaymentMethod: stripe.String(pm.ID)},
			}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentMethods.Detach(Ctx, pm.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
			{StartDate: stripe.Int64(s.Phases[0].StartDate), EndDate: stripe.Int64(s.Phases[0].EndDate), Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID)}}},
			{Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(plus.ID), Quantity: stripe.Int64(2)}}, Iterations: stripe.Int64(1),
				DefaultPaymentMethod: stripe.String(pm.ID)},
		}})
		Expect(err).NotTo(HaveOccurred(), "the phases as retrieved, sent back")
		at(1)
		sub := subscription(s.Subscription.ID)
		Expect(sub.Items.Data[0].Quantity).To(Equal(int64(2)))
		Expect(sub.DefaultPaymentMethod).To(BeNil(), "the detached method is left out")
		Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid), "paid with the customer's own default")

		By("its default_settings' too")
		other, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_mastercard", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{
			DefaultSettings: &stripe.SubscriptionScheduleUpdateDefaultSettingsParams{DefaultPaymentMethod: stripe.String(other.ID)}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentMethods.Detach(Ctx, other.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		s, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{Metadata: map[string]string{"sent": "back"},
			DefaultSettings: &stripe.SubscriptionScheduleUpdateDefaultSettingsParams{DefaultPaymentMethod: stripe.String(other.ID)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.DefaultSettings.DefaultPaymentMethod.ID).To(Equal(other.ID))
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{
			DefaultSettings: &stripe.SubscriptionScheduleUpdateDefaultSettingsParams{DefaultPaymentMethod: stripe.String(pm.ID)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "default_settings[default_payment_method]")
	})
})
