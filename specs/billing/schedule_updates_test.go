package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Updating a schedule's phases: what Stripe asks of the phases sent, and
// ending the current phase now.
var _ = Describe("Subscription schedule updates", Label("billing", "subscriptions", "schedules"), func() {
	var (
		emu         *emulator.Emulator
		sc          *stripe.Client
		basic, plus *stripe.Price
		cus         *stripe.Customer
		sub         *stripe.Subscription
		sched       *stripe.SubscriptionSchedule
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		basic, plus = recurringPrice(sc, prod.ID, "month", 1000), recurringPrice(sc, prod.ID, "month", 2500)
		cus = customerWithCard(sc, "sched-update@example.com", "pm_card_visa", "")
		sub, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		sched, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{FromSubscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
	})

	items := func(p *stripe.Price) []*stripe.SubscriptionScheduleUpdatePhaseItemParams {
		return []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(p.ID)}}
	}
	retrieveSub := func() *stripe.Subscription {
		GinkgoHelper()
		s, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return s
	}

	It("refuses phases none of which has a start_date to anchor the others to, changing nothing", func() {
		// Stripe's message, as quoted in stripe/stripe-dotnet#1754.
		_, err := sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{Items: items(basic), EndDate: stripe.Int64(sched.Phases[0].EndDate)},
				{Items: items(plus), Iterations: stripe.Int64(1)},
			}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases")
		Expect(StripeErr(err).Msg).To(Equal("The subscription schedule update is missing at least one phase with a `start_date` to anchor end dates to."))
		s, err := sc.V1SubscriptionSchedules.Retrieve(Ctx, sched.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Phases).To(HaveLen(1))
	})

	It("ends the current phase at once with end_date=now: the next phase begins with the request, prorated", func() {
		now := Epoch.AddDate(0, 0, 10)
		emu.Clock().Set(now)
		s, err := sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{Items: items(basic), StartDate: stripe.Int64(sched.Phases[0].StartDate), EndDateNow: stripe.Bool(true)},
				{Items: items(plus), Iterations: stripe.Int64(1)},
			}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusActive))
		Expect(s.Phases).To(HaveLen(2))
		Expect(s.Phases[0].EndDate).To(Equal(now.Unix()))
		Expect(s.Phases[1].StartDate).To(Equal(now.Unix()))
		Expect(s.Phases[1].EndDate).To(Equal(now.AddDate(0, 1, 0).Unix()))
		Expect(s.CurrentPhase.StartDate).To(Equal(now.Unix()))
		Expect(s.CurrentPhase.EndDate).To(Equal(s.Phases[1].EndDate))

		after := retrieveSub()
		Expect(after.Items.Data).To(HaveLen(1))
		Expect(after.Items.Data[0].Price.ID).To(Equal(plus.ID), "the next phase's items, at once")
		var pending []*stripe.InvoiceItem
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			pending = append(pending, ii)
		}
		Expect(pending).To(HaveLen(2), "the unused basic time credited, the rest of the period on plus charged")
		var net int64
		for _, ii := range pending {
			Expect(ii.Proration).To(BeTrue())
			net += ii.Amount
		}
		Expect(net).To(BeNumerically(">", 0))
		Expect(count(emu.EventTypes(""), "subscription_schedule.updated")).To(Equal(1), "one update, the phase change included")
	})

	It("ends the schedule at once when the last phase ends now, as its end_behavior says", func() {
		now := Epoch.AddDate(0, 0, 10)
		emu.Clock().Set(now)
		s, err := sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{Items: items(basic), StartDate: stripe.Int64(sched.Phases[0].StartDate), EndDateNow: stripe.Bool(true)},
			}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusReleased))
		Expect(s.ReleasedAt).To(Equal(now.Unix()))
		Expect(s.ReleasedSubscription.ID).To(Equal(sub.ID))
		Expect(s.CurrentPhase).To(BeNil())
		after := retrieveSub()
		Expect(after.Schedule).To(BeNil())
		Expect(after.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(emu.EventTypes("")).To(ContainElement("subscription_schedule.released"))

		// With end_behavior=cancel the subscription ends with it.
		other, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(plus.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		s, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{FromSubscription: stripe.String(other.ID)})
		Expect(err).NotTo(HaveOccurred())
		now = now.Add(time.Hour)
		emu.Clock().Set(now)
		s, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{EndBehavior: stripe.String("cancel"),
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{Items: items(plus), StartDate: stripe.Int64(s.Phases[0].StartDate), EndDateNow: stripe.Bool(true)},
			}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusCompleted))
		Expect(s.CompletedAt).To(Equal(now.Unix()))
		ended, err := sc.V1Subscriptions.Retrieve(Ctx, other.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ended.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(ended.EndedAt).To(Equal(now.Unix()))
	})

	It("still refuses an end_date before now for the current phase", func() {
		emu.Clock().Set(Epoch.AddDate(0, 0, 10))
		_, err := sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{Items: items(basic), StartDate: stripe.Int64(sched.Phases[0].StartDate), EndDate: stripe.Int64(Epoch.AddDate(0, 0, 9).Unix())},
			}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[0][end_date]")
		Expect(retrieveSub().Schedule.ID).To(Equal(sched.ID))
	})

	It("merges the next phase's metadata into the subscription's as it begins, an empty value unsetting a key", func() {
		_, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{Metadata: map[string]string{"plan": "basic", "promo": "spring"}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{Items: items(basic), StartDate: stripe.Int64(sched.Phases[0].StartDate), EndDate: stripe.Int64(sched.Phases[0].EndDate)},
				{Items: items(plus), Iterations: stripe.Int64(1), Metadata: map[string]string{"plan": "plus", "promo": ""}},
			}})
		Expect(err).NotTo(HaveOccurred())
		Expect(retrieveSub().Metadata).To(Equal(map[string]string{"plan": "basic", "promo": "spring"}), "the current phase adds nothing")
		emu.Clock().Set(time.Unix(sched.Phases[0].EndDate, 0).Add(time.Hour))
		Expect(retrieveSub().Metadata).To(Equal(map[string]string{"plan": "plus"}))
	})

	It("merges the next phase's item metadata into the subscription item's as the phase begins, an empty value unsetting a key", func() {
		_, err := sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{StartDate: stripe.Int64(sched.Phases[0].StartDate), EndDate: stripe.Int64(sched.Phases[0].EndDate),
					Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID), Metadata: map[string]string{"seat": "a", "promo": "spring"}}}},
				{Iterations: stripe.Int64(1),
					Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID), Metadata: map[string]string{"promo": "", "tier": "2"}}}},
			}})
		Expect(err).NotTo(HaveOccurred())
		Expect(retrieveSub().Items.Data[0].Metadata).To(Equal(map[string]string{"seat": "a", "promo": "spring"}))
		emu.Clock().Set(time.Unix(sched.Phases[0].EndDate, 0).Add(time.Hour))
		Expect(retrieveSub().Items.Data[0].Metadata).To(Equal(map[string]string{"seat": "a", "tier": "2"}))
	})

	It("ends a phase sent without a length where the next phase sent starts", func() {
		switchAt := time.Unix(sched.Phases[0].StartDate, 0).AddDate(0, 0, 20)
		s, err := sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{Items: items(basic), StartDate: stripe.Int64(sched.Phases[0].StartDate)},
				{Items: items(plus), StartDate: stripe.Int64(switchAt.Unix()), Iterations: stripe.Int64(1)},
			}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Phases[0].EndDate).To(Equal(switchAt.Unix()))
		Expect(s.CurrentPhase.EndDate).To(Equal(switchAt.Unix()))
		Expect(s.Phases[1].StartDate).To(Equal(switchAt.Unix()))
		emu.Clock().Set(switchAt.Add(time.Hour))
		Expect(retrieveSub().Items.Data[0].Price.ID).To(Equal(plus.ID))

		// A phase that says how long it lasts must still end where the next starts.
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{Items: items(plus), StartDate: stripe.Int64(switchAt.Unix()), Iterations: stripe.Int64(1)},
				{Items: items(basic), StartDate: stripe.Int64(switchAt.AddDate(0, 0, 3).Unix())},
			}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[1][start_date]")
	})

	It("applies changed default settings to the subscription at once, for the phase under way", func() {
		pm, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_mastercard", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{
			DefaultSettings: &stripe.SubscriptionScheduleUpdateDefaultSettingsParams{
				CollectionMethod:     stripe.String("send_invoice"),
				InvoiceSettings:      &stripe.SubscriptionScheduleUpdateDefaultSettingsInvoiceSettingsParams{DaysUntilDue: stripe.Int64(7)},
				DefaultPaymentMethod: stripe.String(pm.ID), Description: stripe.String("Managed"),
			}})
		Expect(err).NotTo(HaveOccurred())
		s := retrieveSub()
		Expect(s.CollectionMethod).To(Equal(stripe.SubscriptionCollectionMethodSendInvoice))
		Expect(s.DaysUntilDue).To(Equal(int64(7)))
		Expect(s.DefaultPaymentMethod.ID).To(Equal(pm.ID))
		Expect(s.Description).To(Equal("Managed"))
		types := emu.EventTypes("")
		Expect(types[len(types)-2:]).To(ConsistOf("subscription_schedule.updated", "customer.subscription.updated"))

		_, err = sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{
			DefaultSettings: &stripe.SubscriptionScheduleUpdateDefaultSettingsParams{CollectionMethod: stripe.String("charge_automatically")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(retrieveSub().CollectionMethod).To(Equal(stripe.SubscriptionCollectionMethodChargeAutomatically))
	})
})
