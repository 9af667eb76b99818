package billing_test

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Subscription schedules: a subscription's changes planned as phases,
// carried out as their time comes.
var _ = Describe("Subscription schedules", Label("billing", "subscriptions", "schedules"), func() {
	var (
		emu         *emulator.Emulator
		sc          *stripe.Client
		basic, plus *stripe.Price
		cus         *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		basic, plus = recurringPrice(sc, prod.ID, "month", 1000), recurringPrice(sc, prod.ID, "month", 2500)
		cus = customerWithCard(sc, "sched@example.com", "pm_card_visa", "")
	})

	retrieve := func(id string) *stripe.SubscriptionSchedule {
		GinkgoHelper()
		s, err := sc.V1SubscriptionSchedules.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	// keepTrialThenPlus sends a schedule's trialing basic phase back as
	// retrieved, its trial included, followed by a month of plus.
	keepTrialThenPlus := func(id string, phase *stripe.SubscriptionSchedulePhase) {
		GinkgoHelper()
		_, err := sc.V1SubscriptionSchedules.Update(Ctx, id, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID)}},
					StartDate: stripe.Int64(phase.StartDate), EndDate: stripe.Int64(phase.EndDate), TrialEnd: stripe.Int64(phase.TrialEnd)},
				{Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(plus.ID)}}, Iterations: stripe.Int64(1)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
	}
	subscription := func(id string) *stripe.Subscription {
		GinkgoHelper()
		s, err := sc.V1Subscriptions.Retrieve(Ctx, id, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	twoPhases := func(endBehavior string) *stripe.SubscriptionSchedule {
		GinkgoHelper()
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true), EndBehavior: stripe.String(endBehavior),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}, Iterations: stripe.Int64(1)},
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(plus.ID), Quantity: stripe.Int64(2)}}, Iterations: stripe.Int64(2)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		return s
	}

	It("begins a phase without an existing discount that belongs to another subscription, rather than not at all", func() {
		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		other, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:     []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID)}},
			Discounts: []*stripe.SubscriptionCreateDiscountParams{{Coupon: stripe.String(c.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}, Iterations: stripe.Int64(1)},
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(plus.ID)}}, Iterations: stripe.Int64(1),
					Discounts: []*stripe.SubscriptionScheduleCreatePhaseDiscountParams{{Discount: stripe.String(other.Discounts[0].ID)}, {Coupon: stripe.String(c.ID)}}},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(time.Unix(s.Phases[1].StartDate, 0).Add(2 * time.Hour))
		sub := subscription(s.Subscription.ID)
		Expect(sub.Items.Data[0].Price.ID).To(Equal(plus.ID), "the second phase began")
		Expect(sub.Discounts).To(HaveLen(1))
		Expect(sub.Discounts[0].ID).NotTo(Equal(other.Discounts[0].ID))
		Expect(sub.LatestInvoice.Total).To(Equal(int64(2250)), "10% once, not twice")
	})

	It("starts its subscription now, moves it to each phase as the phase begins, then releases it", func() {
		s := twoPhases("release")
		Expect(s.ID).To(HavePrefix("sub_sched_"))
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusActive))
		Expect(s.Phases).To(HaveLen(2))
		Expect(s.Phases[0].StartDate).To(Equal(Epoch.Unix()))
		Expect(s.Phases[0].EndDate).To(Equal(Epoch.AddDate(0, 1, 0).Unix()))
		Expect(s.Phases[1].StartDate).To(Equal(s.Phases[0].EndDate))
		Expect(s.Phases[1].EndDate).To(Equal(Epoch.AddDate(0, 3, 0).Unix()))
		Expect(s.CurrentPhase.StartDate).To(Equal(s.Phases[0].StartDate))
		Expect(s.Phases[1].Items[0].Price.ID).To(Equal(plus.ID))
		Expect(s.Phases[1].Items[0].Quantity).To(Equal(int64(2)))

		sub := subscription(s.Subscription.ID)
		Expect(sub.Schedule.ID).To(Equal(s.ID))
		created := emu.Events("")
		for _, ev := range created {
			if ev["type"] == "customer.subscription.created" {
				Expect(ev["data"].(map[string]any)["object"].(map[string]any)["schedule"]).To(Equal(s.ID), "the subscription names its schedule from the start")
			}
		}
		Expect(sub.Items.Data).To(HaveLen(1))
		Expect(sub.Items.Data[0].Price.ID).To(Equal(basic.ID))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1000)))

		// Phase 2 begins as the first period ends: the renewal bills it,
		// with nothing to prorate.
		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		sub = subscription(sub.ID)
		Expect(sub.Items.Data).To(HaveLen(1))
		Expect(sub.Items.Data[0].Price.ID).To(Equal(plus.ID))
		Expect(sub.Items.Data[0].Quantity).To(Equal(int64(2)))
		Expect(sub.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(5000)))
		Expect(sub.LatestInvoice.Lines.Data).To(HaveLen(1))
		Expect(retrieve(s.ID).CurrentPhase.StartDate).To(Equal(s.Phases[1].StartDate))

		// After the last phase the subscription goes on by itself.
		emu.Clock().Set(Epoch.AddDate(0, 3, 0).Add(2 * time.Hour))
		s = retrieve(s.ID)
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusReleased))
		Expect(s.ReleasedAt).To(Equal(Epoch.AddDate(0, 3, 0).Unix()))
		Expect(s.ReleasedSubscription.ID).To(Equal(sub.ID))
		Expect(s.Subscription).To(BeNil())
		Expect(s.CurrentPhase).To(BeNil())
		sub = subscription(sub.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.Schedule).To(BeNil())
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(5000)), "renewed at the last phase's prices")

		var types []string
		for _, ev := range emu.Events("") {
			if t := ev["type"].(string); len(t) > 22 && t[:22] == "subscription_schedule." {
				types = append(types, t)
			}
		}
		Expect(types).To(Equal([]string{"subscription_schedule.created", "subscription_schedule.updated", "subscription_schedule.expiring", "subscription_schedule.released"}))
		for _, ev := range emu.Events("") {
			if ev["type"] == "subscription_schedule.expiring" {
				Expect(ev["created"]).To(BeNumerically("==", Epoch.AddDate(0, 3, -7).Unix()), "a week before the last phase ends")
			}
		}
	})

	It("warns again a week before the new end when an update extends it after the warning", func() {
		s := twoPhases("release")
		emu.Clock().Set(Epoch.AddDate(0, 3, -5))
		Expect(count(emu.EventTypes(""), "subscription_schedule.expiring")).To(Equal(1))
		s = retrieve(s.ID)
		phase := func(p *stripe.SubscriptionSchedulePhase) *stripe.SubscriptionScheduleUpdatePhaseParams {
			return &stripe.SubscriptionScheduleUpdatePhaseParams{StartDate: stripe.Int64(p.StartDate), EndDate: stripe.Int64(p.EndDate),
				Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(p.Items[0].Price.ID), Quantity: stripe.Int64(p.Items[0].Quantity)}}}
		}
		_, err := sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
			phase(s.Phases[1]), {Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID)}}, Iterations: stripe.Int64(1)}}})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(Epoch.AddDate(0, 4, -6))
		Expect(count(emu.EventTypes(""), "subscription_schedule.expiring")).To(Equal(2))
		last := emu.Events("")
		for _, ev := range last {
			if ev["type"] == "subscription_schedule.expiring" {
				Expect(ev["created"]).To(BeNumerically("<=", Epoch.AddDate(0, 4, -7).Unix()))
			}
		}
	})

	It("cancels its subscription after the last phase when end_behavior is cancel, and is then completed", func() {
		s := twoPhases("cancel")
		emu.Clock().Set(Epoch.AddDate(0, 3, 0).Add(2 * time.Hour))
		s = retrieve(s.ID)
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusCompleted))
		Expect(s.CompletedAt).To(Equal(Epoch.AddDate(0, 3, 0).Unix()))
		sub := subscription(s.Subscription.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(sub.EndedAt).To(Equal(Epoch.AddDate(0, 3, 0).Unix()))
	})

	It("bills the last period only up to a last phase ending mid-period when end_behavior is cancel, as a cancel_at within a period is prorated", func() {
		end := Epoch.AddDate(0, 1, 15)
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true), EndBehavior: stripe.String("cancel"),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}, Iterations: stripe.Int64(1)},
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(plus.ID)}}, EndDate: stripe.Int64(end.Unix())},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(end.Add(2 * time.Hour))
		s = retrieve(s.ID)
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusCompleted))
		sub := subscription(s.Subscription.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(sub.EndedAt).To(Equal(end.Unix()))
		// The renewal on October 1 billed the second phase's price for the
		// 15 days of its 31 left before the schedule ends.
		var renewal *stripe.Invoice
		for inv, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Subscription: stripe.String(sub.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			if inv.BillingReason == stripe.InvoiceBillingReasonSubscriptionCycle {
				renewal = inv
			}
		}
		Expect(renewal).NotTo(BeNil())
		Expect(renewal.Total).To(Equal(int64(1210)), "2500 × 15/31, rounded")
		Expect(renewal.Lines.Data[0].Period.End).To(Equal(end.Unix()))
		var schedEvents []string
		for _, t := range emu.EventTypes("") {
			if strings.HasPrefix(t, "subscription_schedule.") {
				schedEvents = append(schedEvents, t)
			}
		}
		Expect(schedEvents).To(Equal([]string{"subscription_schedule.created", "subscription_schedule.updated",
			"subscription_schedule.expiring", "subscription_schedule.completed"}), "completed, not canceled, by its own end")
	})

	It("sets its subscription's cancel_at to the last phase's end while end_behavior is cancel", func() {
		s := twoPhases("cancel")
		end := s.Phases[1].EndDate
		sub := subscription(s.Subscription.ID)
		Expect(sub.CancelAt).To(Equal(end))
		Expect(sub.CancelAtPeriodEnd).To(BeFalse())
		Expect(sub.CanceledAt).To(Equal(Epoch.Unix()))

		emu.Clock().Set(Epoch.AddDate(0, 0, 5))
		s, err := sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{EndBehavior: stripe.String("release")})
		Expect(err).NotTo(HaveOccurred())
		sub = subscription(s.Subscription.ID)
		Expect(sub.CancelAt).To(BeZero(), "released at the end, nothing cancels it")
		Expect(sub.CanceledAt).To(BeZero())

		s, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{EndBehavior: stripe.String("cancel")})
		Expect(err).NotTo(HaveOccurred())
		Expect(subscription(s.Subscription.ID).CancelAt).To(Equal(end))

		// Released, the subscription forgets the schedule's cancellation
		// unless asked to keep it.
		s, err = sc.V1SubscriptionSchedules.Release(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		sub = subscription(s.ReleasedSubscription.ID)
		Expect(sub.CancelAt).To(BeZero())
		Expect(sub.CanceledAt).To(BeZero())

		kept := twoPhases("cancel")
		_, err = sc.V1SubscriptionSchedules.Release(Ctx, kept.ID, &stripe.SubscriptionScheduleReleaseParams{PreserveCancelDate: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		sub = subscription(kept.Subscription.ID)
		Expect(sub.CancelAt).To(Equal(kept.Phases[1].EndDate))
		emu.Clock().Set(time.Unix(sub.CancelAt, 0).Add(time.Hour))
		sub = subscription(sub.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(sub.EndedAt).To(Equal(kept.Phases[1].EndDate))
	})

	It("takes its phases back with the past ones included, and refuses to move the current phase's start or end it in the past", func() {
		s := twoPhases("release")
		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		s = retrieve(s.ID)
		Expect(s.CurrentPhase.StartDate).To(Equal(s.Phases[1].StartDate))
		past, current := s.Phases[0], s.Phases[1]
		phase := func(p *stripe.SubscriptionSchedulePhase) *stripe.SubscriptionScheduleUpdatePhaseParams {
			return &stripe.SubscriptionScheduleUpdatePhaseParams{StartDate: stripe.Int64(p.StartDate), EndDate: stripe.Int64(p.EndDate),
				Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(p.Items[0].Price.ID), Quantity: stripe.Int64(p.Items[0].Quantity)}}}
		}
		// A phase added after the ones retrieved, all sent back as they are.
		s, err := sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
			phase(past), phase(current),
			{Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID)}}, Iterations: stripe.Int64(1)},
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Phases).To(HaveLen(3))
		Expect(s.Phases[0].StartDate).To(Equal(past.StartDate))
		Expect(s.Phases[0].Items[0].Price.ID).To(Equal(basic.ID))
		Expect(s.CurrentPhase.StartDate).To(Equal(current.StartDate))
		Expect(s.Phases[2].StartDate).To(Equal(current.EndDate))
		sub := subscription(s.Subscription.ID)
		Expect(sub.Items.Data[0].Price.ID).To(Equal(plus.ID), "the current phase goes on as it was")
		Expect(sub.Items.Data[0].Quantity).To(Equal(int64(2)))

		refused := func(param string, phases ...*stripe.SubscriptionScheduleUpdatePhaseParams) *stripe.Error {
			GinkgoHelper()
			_, err := sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{Phases: phases})
			ExpectStripeError(err, 400, "invalid_request_error", "", param)
			Expect(retrieve(s.ID).Phases).To(HaveLen(3), "nothing changed")
			return StripeErr(err)
		}
		moved := phase(past)
		moved.EndDate = stripe.Int64(past.EndDate - 86400)
		refused("phases[0][end_date]", moved, phase(current))
		now := phase(current)
		now.StartDate, now.StartDateNow = nil, stripe.Bool(true)
		Expect(refused("phases[0][start_date]", now).Msg).To(Equal("You can not modify the start date of the current phase."))
		ended := phase(current)
		ended.EndDate = stripe.Int64(Epoch.AddDate(0, 1, 0).Add(time.Hour).Unix())
		refused("phases[1][end_date]", phase(past), ended)
	})

	It("leaves a cancellation the subscription had before it was taken over to the subscription", func() {
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID)}}, CancelAtPeriodEnd: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{FromSubscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{Metadata: map[string]string{"k": "v"}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SubscriptionSchedules.Release(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		got := subscription(sub.ID)
		Expect(got.CancelAtPeriodEnd).To(BeTrue())
		Expect(got.CancelAt).To(Equal(got.Items.Data[0].CurrentPeriodEnd))
	})

	It("starts at a later start_date, with no subscription until then", func() {
		start := Epoch.AddDate(0, 0, 10)
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDate: stripe.Int64(start.Unix()),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusNotStarted))
		Expect(s.Subscription).To(BeNil())
		Expect(s.CurrentPhase).To(BeNil())
		var scheduled []string
		for x, err := range sc.V1SubscriptionSchedules.List(Ctx, &stripe.SubscriptionScheduleListParams{Scheduled: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			scheduled = append(scheduled, x.ID)
		}
		Expect(scheduled).To(Equal([]string{s.ID}))

		emu.Clock().Set(start.Add(time.Minute))
		s = retrieve(s.ID)
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusActive))
		sub := subscription(s.Subscription.ID)
		Expect(sub.StartDate).To(Equal(start.Unix()))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1000)))
	})

	It("moves a schedule that has not started to another start date, or starts it now, on update", func() {
		start := Epoch.AddDate(0, 0, 10)
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDate: stripe.Int64(start.Unix()),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}}},
		})
		Expect(err).NotTo(HaveOccurred())
		later := Epoch.AddDate(0, 0, 20)
		items := []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID)}}
		s, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
			{Items: items, StartDate: stripe.Int64(later.Unix())}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusNotStarted))
		Expect(s.Phases[0].StartDate).To(Equal(later.Unix()))
		Expect(s.Phases[0].EndDate).To(Equal(later.AddDate(0, 1, 0).Unix()))

		emu.Clock().Set(start.Add(time.Hour))
		Expect(retrieve(s.ID).Status).To(Equal(stripe.SubscriptionScheduleStatusNotStarted), "no longer starting then")

		_, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
			{Items: items, StartDate: stripe.Int64(Epoch.Unix())}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[0][start_date]")

		s, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
			{Items: items, StartDateNow: stripe.Bool(true)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusActive))
		Expect(s.Phases[0].StartDate).To(Equal(start.Add(time.Hour).Unix()))
		sub := subscription(s.Subscription.ID)
		Expect(sub.StartDate).To(Equal(start.Add(time.Hour).Unix()))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1000)))
	})

	It("mirrors the subscription it takes over in its phase: discounts and tax rates, which the next phase replaces", func() {
		coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		vat, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(20), Inclusive: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:           []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(plus.ID), TaxRates: []*string{stripe.String(vat.ID)}}},
			DefaultTaxRates: []*string{stripe.String(vat.ID)},
			Discounts:       []*stripe.SubscriptionCreateDiscountParams{{Coupon: stripe.String(coupon.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{FromSubscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		phase := s.Phases[0]
		Expect(phase.Discounts).To(HaveLen(1))
		Expect(phase.Discounts[0].Discount.ID).To(Equal(sub.Discounts[0].ID))
		Expect(phase.DefaultTaxRates).To(HaveLen(1))
		Expect(phase.DefaultTaxRates[0].ID).To(Equal(vat.ID))
		Expect(phase.Items[0].TaxRates).To(HaveLen(1))

		// The next phase, with neither, leaves the subscription without them.
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(plus.ID), TaxRates: []*string{stripe.String(vat.ID)}}},
					StartDate: stripe.Int64(phase.StartDate), EndDate: stripe.Int64(phase.EndDate),
					Discounts:       []*stripe.SubscriptionScheduleUpdatePhaseDiscountParams{{Discount: stripe.String(phase.Discounts[0].Discount.ID)}},
					DefaultTaxRates: []*string{stripe.String(vat.ID)}},
				{Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID)}}, Iterations: stripe.Int64(1)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(subscription(sub.ID).Discounts).To(HaveLen(1), "the current phase keeps them")

		emu.Clock().Set(time.Unix(phase.EndDate, 0).Add(2 * time.Hour))
		after := subscription(sub.ID)
		Expect(after.Discounts).To(BeEmpty())
		Expect(after.DefaultTaxRates).To(BeEmpty())
		Expect(after.LatestInvoice.Total).To(Equal(int64(1000)), "full price, untaxed")
	})

	It("takes over a trialing subscription with its trial in the phase, which an update sending the phase back keeps", func() {
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID)}}, TrialPeriodDays: stripe.Int64(14)})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{FromSubscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		phase := s.Phases[0]
		Expect(phase.TrialEnd).To(Equal(sub.TrialEnd))
		Expect(phase.EndDate).To(Equal(sub.TrialEnd), "the phase is the trial period")

		// Ending the trial now is changing what the phase began with.
		emu.Clock().Set(Epoch.AddDate(0, 0, 3))
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID)}},
					StartDate: stripe.Int64(phase.StartDate), EndDate: stripe.Int64(phase.EndDate), TrialEndNow: stripe.Bool(true)},
			},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[0][trial_end]")
		Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate changing the trial of the current phase"))

		keepTrialThenPlus(s.ID, phase)
		Expect(subscription(sub.ID).Status).To(Equal(stripe.SubscriptionStatusTrialing), "still in its trial")

		emu.Clock().Set(time.Unix(phase.TrialEnd, 0).Add(2 * time.Hour))
		after := subscription(sub.ID)
		Expect(after.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(after.Items.Data[0].Price.ID).To(Equal(plus.ID))
		Expect(after.LatestInvoice.AmountPaid).To(Equal(int64(2500)), "the first paid period at the next phase's price")
	})

	It("takes back the phase of a trialing subscription whose trial was extended past two years from its start", func() {
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID)}}, TrialPeriodDays: stripe.Int64(700)})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(Epoch.AddDate(0, 0, 100))
		// At most 730 days from now, so more than that from the trial's start.
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{TrialEnd: stripe.Int64(Epoch.AddDate(0, 0, 800).Unix()), ProrationBehavior: stripe.String("none")})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{FromSubscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		phase := s.Phases[0]
		Expect(phase.TrialEnd).To(Equal(Epoch.AddDate(0, 0, 800).Unix()))
		keepTrialThenPlus(s.ID, phase)
	})

	It("takes over an existing subscription and plans a downgrade for its period end", func() {
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(plus.ID)}}}
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{FromSubscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusActive))
		Expect(s.Phases).To(HaveLen(1))
		Expect(s.Phases[0].StartDate).To(Equal(sub.Items.Data[0].CurrentPeriodStart))
		Expect(s.Phases[0].EndDate).To(Equal(sub.Items.Data[0].CurrentPeriodEnd))
		Expect(s.Phases[0].TrialEnd).To(BeZero(), "no trial to carry")

		_, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{FromSubscription: stripe.String(sub.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "from_subscription")
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(subscription(sub.ID).CancelAtPeriodEnd).To(BeFalse())

		s, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(plus.ID)}},
					StartDate: stripe.Int64(s.Phases[0].StartDate), EndDate: stripe.Int64(s.Phases[0].EndDate)},
				{Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID)}}, Iterations: stripe.Int64(1)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Phases).To(HaveLen(2))
		Expect(subscription(sub.ID).Items.Data[0].Price.ID).To(Equal(plus.ID), "the current phase is unchanged")

		emu.Clock().Set(time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).Add(2 * time.Hour))
		after := subscription(sub.ID)
		Expect(after.Items.Data[0].Price.ID).To(Equal(basic.ID))
		Expect(after.LatestInvoice.AmountPaid).To(Equal(int64(1000)))
	})

	It("is released or canceled on request, with its subscription kept or canceled", func() {
		s := twoPhases("release")
		mark := len(emu.Events(""))
		s, err := sc.V1SubscriptionSchedules.Release(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusReleased))
		// As Stripe's event stream shows a release: updated, then released.
		var released []string
		for _, ev := range emu.Events("")[mark:] {
			if t := ev["type"].(string); strings.HasPrefix(t, "subscription_schedule.") {
				released = append(released, t)
				Expect(ev["data"].(map[string]any)["object"].(map[string]any)["status"]).To(Equal("released"))
			}
		}
		Expect(released).To(Equal([]string{"subscription_schedule.updated", "subscription_schedule.released"}))
		Expect(s.Subscription).To(BeNil())
		sub := subscription(s.ReleasedSubscription.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.Schedule).To(BeNil())
		_, err = sc.V1SubscriptionSchedules.Release(Ctx, s.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(HavePrefix("You cannot release a subscription schedule that is currently in the `released` status."))
		_, err = sc.V1SubscriptionSchedules.Cancel(Ctx, s.ID, nil)
		Expect(StripeErr(err).Msg).To(Equal("You cannot cancel a subscription schedule that is currently in the `released` status. It must be in `not_started, active` status to be canceled."))

		other := twoPhases("release")
		other, err = sc.V1SubscriptionSchedules.Cancel(Ctx, other.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(other.Status).To(Equal(stripe.SubscriptionScheduleStatusCanceled))
		Expect(other.CanceledAt).To(Equal(Epoch.Unix()))
		Expect(subscription(other.Subscription.ID).Status).To(Equal(stripe.SubscriptionStatusCanceled))

		listed := func(p *stripe.SubscriptionScheduleListParams) []string {
			GinkgoHelper()
			var ids []string
			for x, err := range sc.V1SubscriptionSchedules.List(Ctx, p) {
				Expect(err).NotTo(HaveOccurred())
				ids = append(ids, x.ID)
			}
			return ids
		}
		Expect(listed(&stripe.SubscriptionScheduleListParams{CanceledAtRange: &stripe.RangeQueryParams{GreaterThanOrEqual: Epoch.Unix()}})).To(Equal([]string{other.ID}))
		Expect(listed(&stripe.SubscriptionScheduleListParams{ReleasedAt: stripe.Int64(Epoch.Unix())})).To(Equal([]string{s.ID}))
		Expect(listed(&stripe.SubscriptionScheduleListParams{CompletedAtRange: &stripe.RangeQueryParams{GreaterThan: 1}})).To(BeEmpty())

		// Canceling the subscription itself cancels the schedule managing it.
		third := twoPhases("release")
		_, err = sc.V1Subscriptions.Cancel(Ctx, third.Subscription.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		third = retrieve(third.ID)
		Expect(third.Status).To(Equal(stripe.SubscriptionScheduleStatusCanceled))
		Expect(third.CurrentPhase).To(BeNil())
	})

	It("credits the unused time on a final invoice when canceled, by default, as its prorate and invoice_now default to true", func() {
		s := twoPhases("release")
		first := subscription(s.Subscription.ID).LatestInvoice.ID
		emu.Clock().Set(Epoch.AddDate(0, 0, 15)) // half of September's 30 days
		_, err := sc.V1SubscriptionSchedules.Cancel(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		sub := subscription(s.Subscription.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		inv := sub.LatestInvoice
		Expect(inv.ID).NotTo(Equal(first))
		Expect(inv.Total).To(Equal(int64(-500)))
		Expect(inv.Lines.Data).To(HaveLen(1))
		Expect(inv.Lines.Data[0].Description).To(HavePrefix("Unused time on Plan"))
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Balance).To(Equal(int64(-500)))

		// prorate=false credits nothing.
		other := twoPhases("release") // its first invoice takes the credit
		emu.Clock().Set(Epoch.AddDate(0, 0, 20))
		_, err = sc.V1SubscriptionSchedules.Cancel(Ctx, other.ID, &stripe.SubscriptionScheduleCancelParams{Prorate: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		got, err = sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Balance).To(BeZero())
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			Fail("a proration was left: " + ii.ID)
		}
	})

	It("invoices by email with default_settings or a phase's invoice_settings[days_until_due]", func() {
		_, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			DefaultSettings: &stripe.SubscriptionScheduleCreateDefaultSettingsParams{CollectionMethod: stripe.String("send_invoice")},
			Phases:          []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "default_settings[invoice_settings][days_until_due]")
		Expect(emu.Count("", "subscription")).To(BeZero())

		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			DefaultSettings: &stripe.SubscriptionScheduleCreateDefaultSettingsParams{CollectionMethod: stripe.String("send_invoice"),
				InvoiceSettings: &stripe.SubscriptionScheduleCreateDefaultSettingsInvoiceSettingsParams{DaysUntilDue: stripe.Int64(30)}},
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}, Iterations: stripe.Int64(1)},
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}, Iterations: stripe.Int64(1),
					InvoiceSettings: &stripe.SubscriptionScheduleCreatePhaseInvoiceSettingsParams{DaysUntilDue: stripe.Int64(10)}},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.DefaultSettings.InvoiceSettings.DaysUntilDue).To(Equal(int64(30)))
		Expect(s.Phases[1].InvoiceSettings.DaysUntilDue).To(Equal(int64(10)))
		sub := subscription(s.Subscription.ID)
		Expect(sub.CollectionMethod).To(Equal(stripe.SubscriptionCollectionMethodSendInvoice))
		Expect(sub.DaysUntilDue).To(Equal(int64(30)))
		Expect(sub.LatestInvoice.DueDate).To(Equal(Epoch.AddDate(0, 0, 30).Unix()))

		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		sub = subscription(sub.ID)
		Expect(sub.DaysUntilDue).To(Equal(int64(10)))

		// Taken over, a subscription invoiced by email is the default.
		emailed, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:            []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(plus.ID)}},
			CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(14)})
		Expect(err).NotTo(HaveOccurred())
		taken, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{FromSubscription: stripe.String(emailed.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(*taken.DefaultSettings.CollectionMethod).To(Equal(stripe.SubscriptionCollectionMethodSendInvoice))
		Expect(taken.DefaultSettings.InvoiceSettings.DaysUntilDue).To(Equal(int64(14)))
	})

	It("is aborted when failed payments cancel its subscription", func() {
		s := twoPhases("release")
		failing, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_chargeCustomerFail", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{InvoiceSettings: &stripe.CustomerUpdateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String(failing.ID)}})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(Epoch.AddDate(0, 1, 10)) // the renewal and every retry fail
		Expect(subscription(s.Subscription.ID).Status).To(Equal(stripe.SubscriptionStatusCanceled))
		s = retrieve(s.ID)
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusCanceled))
		Expect(emu.EventTypes("")).To(ContainElement("subscription_schedule.aborted"))
		Expect(emu.EventTypes("")).NotTo(ContainElement("subscription_schedule.canceled"))
	})

	It("refuses phases it cannot carry out, creating nothing", func() {
		_, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}},
				Iterations: stripe.Int64(1), EndDate: stripe.Int64(Epoch.AddDate(0, 2, 0).Unix())}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "phases[0][end_date]")
		_, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}},
				Duration: &stripe.SubscriptionScheduleCreatePhaseDurationParams{Interval: stripe.String("month")}, EndDate: stripe.Int64(Epoch.AddDate(0, 2, 0).Unix())}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "phases[0][end_date]")
		Expect(StripeErr(err).Msg).To(Equal("You may only specify one of these parameters: phases[0][end_date], phases[0][duration]."), "names the two sent")
		_, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String("price_nope")}}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "phases[0][items][0][price]")
		_, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "phases")
		// Stripe still takes its older end behaviors; the emulator says it
		// does not carry them out rather than call them invalid.
		for _, eb := range []string{"none", "renew"} {
			_, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID), EndBehavior: stripe.String(eb),
				Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "end_behavior")
			Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate end_behavior=" + eb))
		}
		Expect(emu.Count("", "subscription_schedule")).To(BeZero())
		Expect(emu.Count("", "subscription")).To(BeZero())
	})

	It("refuses a phase its subscription could not take, even on a schedule yet to start, instead of one that never starts", func() {
		later := Epoch.AddDate(0, 0, 5)
		create := func(phases ...*stripe.SubscriptionScheduleCreatePhaseParams) (*stripe.SubscriptionSchedule, error) {
			return sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID),
				StartDate: stripe.Int64(later.Unix()), Phases: phases})
		}
		var many []*stripe.SubscriptionScheduleCreatePhaseItemParams
		for i := range 21 {
			many = append(many, &stripe.SubscriptionScheduleCreatePhaseItemParams{Price: stripe.String(recurringPrice(sc, basic.Product.ID, "month", 100+int64(i)).ID)})
		}
		one, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(basic.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500)})
		Expect(err).NotTo(HaveOccurred())
		var fees []*stripe.SubscriptionScheduleCreatePhaseAddInvoiceItemParams
		for range 21 {
			fees = append(fees, &stripe.SubscriptionScheduleCreatePhaseAddInvoiceItemParams{Price: stripe.String(one.ID)})
		}
		basicItems := []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}

		By("more items than a subscription has (20)")
		_, err = create(&stripe.SubscriptionScheduleCreatePhaseParams{Items: many})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[0][items]")
		Expect(StripeErr(err).Msg).To(Equal("A subscription can have at most 20 items."))
		By("more one-off items than a phase takes (stripe-go: \"You may pass up to 20 items.\")")
		_, err = create(&stripe.SubscriptionScheduleCreatePhaseParams{Items: basicItems, AddInvoiceItems: fees})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[0][add_invoice_items]")
		By("a trial over two years from the phase's start, the first phase's or a later one's")
		_, err = create(&stripe.SubscriptionScheduleCreatePhaseParams{Items: basicItems, Iterations: stripe.Int64(30),
			TrialEnd: stripe.Int64(later.AddDate(0, 0, 731).Unix())})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[0][trial_end]")
		Expect(StripeErr(err).Msg).To(Equal("The maximum number of trial period days is 730 (2 years)."))
		_, err = create(&stripe.SubscriptionScheduleCreatePhaseParams{Items: basicItems, Iterations: stripe.Int64(25), Trial: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[0][trial]")
		_, err = create(&stripe.SubscriptionScheduleCreatePhaseParams{Items: basicItems},
			&stripe.SubscriptionScheduleCreatePhaseParams{Items: basicItems, Iterations: stripe.Int64(30),
				TrialEnd: stripe.Int64(later.AddDate(0, 1, 731).Unix())})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[1][trial_end]")
		Expect(emu.Count("", "subscription_schedule")).To(BeZero())

		By("an update too, changing nothing")
		s, err := create(&stripe.SubscriptionScheduleCreatePhaseParams{Items: many[:20], AddInvoiceItems: fees[:20], Iterations: stripe.Int64(30),
			TrialEnd: stripe.Int64(later.AddDate(0, 0, 730).Unix())})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{{
			StartDate: stripe.Int64(later.Unix()), Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID)}},
			TrialEnd: stripe.Int64(later.AddDate(0, 0, 731).Unix()), Iterations: stripe.Int64(30)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[0][trial_end]")
		Expect(retrieve(s.ID).Phases[0].Items).To(HaveLen(20))

		By("the most it takes starts as planned")
		emu.Clock().Set(later.Add(time.Hour))
		s = retrieve(s.ID)
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusActive))
		sub := subscription(s.Subscription.ID)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(sub.Items.Data).To(HaveLen(20))
		Expect(sub.TrialEnd).To(Equal(later.AddDate(0, 0, 730).Unix()))
		Expect(sub.LatestInvoice.AmountDue).To(Equal(int64(20*500)), "its 20 one-off items; the items' first period is the trial's")
	})

	It("counts a phase's iterations from the phase's start alone, as Stripe did before 2025-09-30.clover, though its subscription renews on the 31st", func() {
		start := time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDate: stripe.Int64(start.Unix()),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}, Iterations: stripe.Int64(1)},
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(plus.ID)}}, Iterations: stripe.Int64(1)},
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		feb28, mar28 := time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC), time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC)
		Expect(s.Phases[0].EndDate).To(Equal(feb28.Unix()))
		Expect(s.Phases[1].EndDate).To(Equal(mar28.Unix()), "a month from February 28")
		Expect(s.Phases[2].EndDate).To(Equal(time.Date(2026, 4, 28, 12, 0, 0, 0, time.UTC).Unix()))

		emu.Clock().Set(mar28.Add(time.Hour))
		sub := subscription(retrieve(s.ID).Subscription.ID)
		Expect(sub.Items.Data[0].Price.ID).To(Equal(basic.ID), "the third phase began on March 28")
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC).Unix()), "the cycle anchored on the 31st")
	})

	It("takes billing_mode[type]=classic, the billing it does, and refuses flexible by name, creating nothing", func() {
		create := func(mode string) (*stripe.SubscriptionSchedule, error) {
			return sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
				BillingMode: &stripe.SubscriptionScheduleCreateBillingModeParams{Type: stripe.String(mode)},
				Phases:      []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}}}})
		}
		_, err := create("flexible")
		ExpectStripeError(err, 400, "invalid_request_error", "", "billing_mode[type]")
		Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate flexible billing mode"))
		Expect(emu.Count("", "subscription_schedule")).To(BeZero())
		s, err := create("classic")
		Expect(err).NotTo(HaveOccurred())
		Expect(s.BillingMode.Type).To(Equal(stripe.SubscriptionScheduleBillingModeTypeClassic))
		Expect(subscription(s.Subscription.ID).BillingMode.Type).To(Equal(stripe.SubscriptionBillingModeTypeClassic))
	})

	It("refuses a negative quantity or days_until_due, as Stripe refuses a negative integer, creating nothing", func() {
		phase := func() *stripe.SubscriptionScheduleCreatePhaseParams {
			return &stripe.SubscriptionScheduleCreatePhaseParams{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}}
		}
		p := phase()
		p.Items[0].Quantity = stripe.Int64(-1)
		_, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{phase(), p}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "phases[1][items][0][quantity]")
		Expect(StripeErr(err).Msg).To(Equal("This value must be greater than or equal to 0."))

		p = phase()
		p.CollectionMethod = stripe.String("send_invoice")
		p.InvoiceSettings = &stripe.SubscriptionScheduleCreatePhaseInvoiceSettingsParams{DaysUntilDue: stripe.Int64(-3)}
		_, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{p}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "phases[0][invoice_settings][days_until_due]")

		_, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			DefaultSettings: &stripe.SubscriptionScheduleCreateDefaultSettingsParams{CollectionMethod: stripe.String("send_invoice"),
				InvoiceSettings: &stripe.SubscriptionScheduleCreateDefaultSettingsInvoiceSettingsParams{DaysUntilDue: stripe.Int64(-3)}},
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{phase()}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "default_settings[invoice_settings][days_until_due]")
		Expect(emu.Count("", "subscription_schedule")).To(BeZero())
		Expect(emu.Count("", "subscription")).To(BeZero())

		// A subscription's own items are refused alike.
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID), Quantity: stripe.Int64(-1)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "items[0][quantity]")
		Expect(emu.Count("", "subscription")).To(BeZero())
	})

	It("takes up to 10 phases, as Stripe's guide says, refusing an eleventh on create and update, changing nothing", func() {
		phases := func(n int) []*stripe.SubscriptionScheduleCreatePhaseParams {
			var ps []*stripe.SubscriptionScheduleCreatePhaseParams
			for range n {
				ps = append(ps, &stripe.SubscriptionScheduleCreatePhaseParams{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}, Iterations: stripe.Int64(1)})
			}
			return ps
		}
		_, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true), Phases: phases(11)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases")
		Expect(emu.Count("", "subscription_schedule")).To(BeZero())
		Expect(emu.Count("", "subscription")).To(BeZero())

		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true), Phases: phases(10)})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Phases).To(HaveLen(10))
		var update []*stripe.SubscriptionScheduleUpdatePhaseParams
		for i := range 11 {
			p := &stripe.SubscriptionScheduleUpdatePhaseParams{Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(plus.ID)}}, Iterations: stripe.Int64(1)}
			if i == 0 {
				p.StartDate = stripe.Int64(s.Phases[0].StartDate)
			}
			update = append(update, p)
		}
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{Phases: update})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases")
		Expect(retrieve(s.ID).Phases).To(HaveLen(10))
		Expect(subscription(s.Subscription.ID).Items.Data[0].Price.ID).To(Equal(basic.ID), "the current phase's items unchanged")
	})

	It("expands its phases' prices, discounts' coupons and one-off items' prices, in a list too", func() {
		co, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		once, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(basic.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500)})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDate: stripe.Int64(Epoch.AddDate(0, 0, 3).Unix()),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{
				Items:           []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}},
				Discounts:       []*stripe.SubscriptionScheduleCreatePhaseDiscountParams{{Coupon: stripe.String(co.ID)}},
				AddInvoiceItems: []*stripe.SubscriptionScheduleCreatePhaseAddInvoiceItemParams{{Price: stripe.String(once.ID)}},
			}},
		})
		Expect(err).NotTo(HaveOccurred())
		got, err := sc.V1SubscriptionSchedules.Retrieve(Ctx, s.ID, &stripe.SubscriptionScheduleRetrieveParams{Expand: []*string{
			stripe.String("phases.items.price.product"), stripe.String("phases.discounts.coupon"), stripe.String("phases.add_invoice_items.price")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Phases[0].Items[0].Price.UnitAmount).To(Equal(int64(1000)))
		Expect(got.Phases[0].Items[0].Price.Product.Name).To(Equal("Plan"))
		Expect(got.Phases[0].Discounts[0].Coupon.PercentOff).To(Equal(float64(10)))
		Expect(got.Phases[0].AddInvoiceItems[0].Price.UnitAmount).To(Equal(int64(500)))
		for listed, err := range sc.V1SubscriptionSchedules.List(Ctx, &stripe.SubscriptionScheduleListParams{Customer: stripe.String(cus.ID),
			ListParams: stripe.ListParams{Expand: []*string{stripe.String("data.phases.items.price")}}}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(listed.Phases[0].Items[0].Price.Currency).To(Equal(stripe.CurrencyUSD))
		}
	})

	It("expands its phase items' plan as the plan its price is, and the account references it leaves empty", func() {
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDate: stripe.Int64(Epoch.AddDate(0, 0, 3).Unix()),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(basic.ID)}}}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Phases[0].Items[0].Plan.ID).To(Equal(basic.ID), "the plan is the price's id")
		got, err := sc.V1SubscriptionSchedules.Retrieve(Ctx, s.ID, &stripe.SubscriptionScheduleRetrieveParams{Expand: []*string{
			stripe.String("phases.items.plan.product"), stripe.String("phases.items.discounts.coupon"),
			stripe.String("phases.invoice_settings.account_tax_ids"), stripe.String("default_settings.invoice_settings.account_tax_ids"),
			stripe.String("phases.transfer_data.destination"), stripe.String("default_settings.transfer_data.destination")}})
		Expect(err).NotTo(HaveOccurred())
		plan := got.Phases[0].Items[0].Plan
		Expect(plan.Object).To(Equal("plan"))
		Expect(plan.ID).To(Equal(basic.ID))
		Expect(plan.Amount).To(Equal(int64(1000)))
		Expect(plan.Interval).To(Equal(stripe.PlanIntervalMonth))
		Expect(plan.Product.Name).To(Equal("Plan"))
		Expect(got.Phases[0].Items[0].Price.ID).To(Equal(basic.ID), "the price itself stays an id")
	})

	It("follows a test clock's time", func() {
		clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "clock@example.com", "pm_card_visa", clk.ID)
		s := twoPhases("release")
		Expect(s.TestClock.ID).To(Equal(clk.ID))
		advanceClock(sc, clk.ID, Epoch.AddDate(0, 1, 5))
		sub := subscription(s.Subscription.ID)
		Expect(sub.Items.Data[0].Price.ID).To(Equal(plus.ID))
		Expect(sub.LatestInvoice.Created).To(Equal(Epoch.AddDate(0, 1, 0).Unix()), "the phase's renewal happened at its time, not the clock's new time")
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(5000)))
	})
})
