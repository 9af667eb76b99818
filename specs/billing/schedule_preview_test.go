package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Invoice previews of subscription schedules (create_preview with
// schedule or schedule_details): the invoice the schedule makes next, the
// schedule created, changed, started and moved through its phases only
// for the preview, which leaves nothing behind.
var _ = Describe("Invoice previews of subscription schedules", Label("billing", "subscriptions", "schedules"), func() {
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
		basic = recurringPrice(sc, prod.ID, "month", 1000)
		plus = recurringPrice(sc, prod.ID, "month", 2500)
		cus = customerWithCard(sc, "preview@example.com", "pm_card_visa", "")
	})

	preview := func(p *stripe.InvoiceCreatePreviewParams) (*stripe.Invoice, error) {
		return sc.V1Invoices.CreatePreview(Ctx, p)
	}
	item := func(price *stripe.Price, qty int64) []*stripe.SubscriptionScheduleCreatePhaseItemParams {
		return []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(qty)}}
	}
	detailItem := func(price *stripe.Price, qty int64) []*stripe.InvoiceCreatePreviewScheduleDetailsPhaseItemParams {
		return []*stripe.InvoiceCreatePreviewScheduleDetailsPhaseItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(qty)}}
	}
	// state is what a preview must leave as it was.
	type state struct {
		objects map[string]int
		events  int
	}
	snapshot := func() state {
		s := state{objects: map[string]int{}, events: len(emu.EventTypes(""))}
		for _, o := range []string{"subscription_schedule", "subscription", "invoice", "invoiceitem", "payment_intent", "setup_intent"} {
			s.objects[o] = emu.Count("", o)
		}
		return s
	}
	expectPreview := func(inv *stripe.Invoice) {
		GinkgoHelper()
		Expect(inv.ID).To(HavePrefix("upcoming_in_"))
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusDraft))
		Expect(inv.Customer.ID).To(Equal(cus.ID))
		for _, l := range inv.Lines.Data {
			Expect(l.Invoice).To(Equal(inv.ID))
		}
	}
	twoPhases := func(first *stripe.SubscriptionScheduleCreatePhaseParams, endBehavior string, start int64) *stripe.SubscriptionSchedule {
		GinkgoHelper()
		p := &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID), EndBehavior: stripe.String(endBehavior),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{first, {Items: item(plus, 2), Iterations: stripe.Int64(2)}}}
		if start == 0 {
			p.StartDateNow = stripe.Bool(true)
		} else {
			p.StartDate = stripe.Int64(start)
		}
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return s
	}

	It("shows an active schedule's next renewal at the next phase's prices, as the renewal then bills it", func() {
		s := twoPhases(&stripe.SubscriptionScheduleCreatePhaseParams{Items: item(basic, 1), Iterations: stripe.Int64(1)}, "release", 0)
		before := snapshot()
		inv, err := preview(&stripe.InvoiceCreatePreviewParams{Schedule: stripe.String(s.ID)})
		Expect(err).NotTo(HaveOccurred())
		expectPreview(inv)
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonUpcoming))
		Expect(inv.Parent.SubscriptionDetails.Subscription.ID).To(Equal(s.Subscription.ID))
		Expect(inv.Lines.Data).To(HaveLen(1))
		Expect(inv.Lines.Data[0].Pricing.PriceDetails.Price).To(Equal(plus.ID))
		Expect(inv.Lines.Data[0].Quantity).To(Equal(int64(2)))
		Expect(inv.Lines.Data[0].Period.Start).To(Equal(Epoch.AddDate(0, 1, 0).Unix()))
		Expect(inv.AmountDue).To(Equal(int64(5000)))
		Expect(snapshot()).To(Equal(before), "nothing made, no event")
		again, err := sc.V1SubscriptionSchedules.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.CurrentPhase.StartDate).To(Equal(Epoch.Unix()), "the schedule is where it was")

		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, s.Subscription.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.AmountDue).To(Equal(inv.AmountDue), "the renewal bills what the preview showed")
		Expect(sub.LatestInvoice.Lines.Data[0].Period).To(Equal(inv.Lines.Data[0].Period))
	})

	It("carries the prorations of a phase that begins mid-period onto the next invoice", func() {
		mid := Epoch.AddDate(0, 0, 15).Unix()
		s := twoPhases(&stripe.SubscriptionScheduleCreatePhaseParams{Items: item(basic, 1), EndDate: stripe.Int64(mid)}, "release", 0)
		inv, err := preview(&stripe.InvoiceCreatePreviewParams{Schedule: stripe.String(s.ID), Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		expectPreview(inv)
		start, end := Epoch.Unix(), Epoch.AddDate(0, 1, 0).Unix()
		remaining := float64(end-mid) / float64(end-start)
		var credit, debit, period int64
		for _, l := range inv.Lines.Data {
			switch {
			case l.Amount < 0:
				credit += l.Amount
			case l.Period.Start == mid:
				debit += l.Amount
			default:
				period += l.Amount
			}
		}
		Expect(credit).To(BeNumerically("~", -1000*remaining, 1), "unused time on the first phase's price")
		Expect(debit).To(BeNumerically("~", 5000*remaining, 1), "the rest of the period at the second phase's")
		Expect(period).To(Equal(int64(5000)))

		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, s.Subscription.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.AmountDue).To(Equal(inv.AmountDue), "the renewal bills what the preview showed")
	})

	It("shows a schedule yet to start its first invoice, leaving it not_started", func() {
		startAt := Epoch.AddDate(0, 0, 10).Unix()
		s := twoPhases(&stripe.SubscriptionScheduleCreatePhaseParams{Items: item(basic, 3), Iterations: stripe.Int64(1)}, "release", startAt)
		Expect(s.Status).To(Equal(stripe.SubscriptionScheduleStatusNotStarted))
		before := snapshot()
		inv, err := preview(&stripe.InvoiceCreatePreviewParams{Schedule: stripe.String(s.ID)})
		Expect(err).NotTo(HaveOccurred())
		expectPreview(inv)
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCreate))
		Expect(inv.AmountDue).To(Equal(int64(3000)))
		Expect(inv.Lines.Data).To(HaveLen(1))
		Expect(inv.Lines.Data[0].Period.Start).To(Equal(startAt))
		Expect(inv.Lines.Data[0].Period.End).To(Equal(time.Unix(startAt, 0).UTC().AddDate(0, 1, 0).Unix()))
		Expect(snapshot()).To(Equal(before), "no subscription started, nothing charged")
		again, err := sc.V1SubscriptionSchedules.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Status).To(Equal(stripe.SubscriptionScheduleStatusNotStarted))
		Expect(again.Subscription).To(BeNil())
	})

	It("previews the schedule schedule_details would create for the customer, now or from a later start", func() {
		before := snapshot()
		details := &stripe.InvoiceCreatePreviewScheduleDetailsParams{
			EndBehavior: stripe.String("cancel"),
			Phases: []*stripe.InvoiceCreatePreviewScheduleDetailsPhaseParams{
				{Items: detailItem(basic, 2), Iterations: stripe.Int64(1)},
				{Items: detailItem(plus, 1), Iterations: stripe.Int64(1)},
			},
		}
		inv, err := preview(&stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID), ScheduleDetails: details})
		Expect(err).NotTo(HaveOccurred())
		expectPreview(inv)
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCreate))
		Expect(inv.AmountDue).To(Equal(int64(2000)))
		Expect(inv.Lines.Data[0].Period.Start).To(Equal(Epoch.Unix()))

		later := Epoch.AddDate(0, 0, 5).Unix()
		details.Phases[0].StartDate = stripe.Int64(later)
		inv, err = preview(&stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID), ScheduleDetails: details})
		Expect(err).NotTo(HaveOccurred())
		expectPreview(inv)
		Expect(inv.Lines.Data[0].Period.Start).To(Equal(later))

		By("with invoice_items, on that first invoice")
		inv, err = preview(&stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID), ScheduleDetails: details,
			InvoiceItems: []*stripe.InvoiceCreatePreviewInvoiceItemParams{{Amount: stripe.Int64(499), Currency: stripe.String("usd"), Description: stripe.String("Setup")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AmountDue).To(Equal(int64(2000 + 499)))
		_, err = preview(&stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID), ScheduleDetails: details,
			Discounts: []*stripe.InvoiceCreatePreviewDiscountParams{{Coupon: stripe.String("X")}}})
		Expect(StripeErr(err).Param).To(Equal("discounts"), "a schedule's discounts are its phases'")
		Expect(snapshot()).To(Equal(before), "no schedule, subscription, invoice or event left behind")
	})

	It("applies schedule_details to the schedule named, as its update would", func() {
		s := twoPhases(&stripe.SubscriptionScheduleCreatePhaseParams{Items: item(basic, 1), Iterations: stripe.Int64(1)}, "release", 0)
		before := snapshot()
		inv, err := preview(&stripe.InvoiceCreatePreviewParams{Schedule: stripe.String(s.ID), ScheduleDetails: &stripe.InvoiceCreatePreviewScheduleDetailsParams{
			Phases: []*stripe.InvoiceCreatePreviewScheduleDetailsPhaseParams{
				{Items: detailItem(basic, 1), StartDate: stripe.Int64(Epoch.Unix()), EndDate: stripe.Int64(Epoch.AddDate(0, 1, 0).Unix())},
				{Items: detailItem(plus, 3), Iterations: stripe.Int64(1)},
			},
		}})
		Expect(err).NotTo(HaveOccurred())
		expectPreview(inv)
		Expect(inv.AmountDue).To(Equal(int64(7500)), "the changed second phase's price and quantity")
		Expect(snapshot()).To(Equal(before))
		again, err := sc.V1SubscriptionSchedules.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Phases[1].Items[0].Quantity).To(Equal(int64(2)), "the schedule itself is unchanged")
	})

	It("shows the proration invoice an always_invoice change of the current phase makes, as the update then bills it", func() {
		s := twoPhases(&stripe.SubscriptionScheduleCreatePhaseParams{Items: item(basic, 1), Iterations: stripe.Int64(1)}, "release", 0)
		emu.Clock().Set(Epoch.AddDate(0, 0, 15))
		before := snapshot()
		phases := []*stripe.InvoiceCreatePreviewScheduleDetailsPhaseParams{
			{Items: detailItem(basic, 2), StartDate: stripe.Int64(Epoch.Unix()), EndDate: stripe.Int64(Epoch.AddDate(0, 1, 0).Unix())},
			{Items: detailItem(plus, 2), Iterations: stripe.Int64(2)},
		}
		inv, err := preview(&stripe.InvoiceCreatePreviewParams{Schedule: stripe.String(s.ID), ScheduleDetails: &stripe.InvoiceCreatePreviewScheduleDetailsParams{
			ProrationBehavior: stripe.String("always_invoice"), Phases: phases}})
		Expect(err).NotTo(HaveOccurred())
		expectPreview(inv)
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
		Expect(inv.Lines.Data).To(HaveLen(2), "a credit and a debit, no next period")
		start, end, at := Epoch.Unix(), Epoch.AddDate(0, 1, 0).Unix(), Epoch.AddDate(0, 0, 15).Unix()
		Expect(inv.AmountDue).To(BeNumerically("~", 1000*float64(end-at)/float64(end-start), 2))
		Expect(snapshot()).To(Equal(before), "nothing charged or kept")

		var real []*stripe.SubscriptionScheduleUpdatePhaseParams
		for _, p := range phases {
			up := &stripe.SubscriptionScheduleUpdatePhaseParams{StartDate: p.StartDate, EndDate: p.EndDate, Iterations: p.Iterations,
				Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: p.Items[0].Price, Quantity: p.Items[0].Quantity}}}
			real = append(real, up)
		}
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{ProrationBehavior: stripe.String("always_invoice"), Phases: real})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, s.Subscription.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
		Expect(sub.LatestInvoice.AmountDue).To(Equal(inv.AmountDue), "the update bills what the preview showed")
	})

	It("shows the first invoice of a schedule schedule_details moves to start now, with its phase's discount", func() {
		coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		s := twoPhases(&stripe.SubscriptionScheduleCreatePhaseParams{Items: item(basic, 1), Iterations: stripe.Int64(1)}, "release", Epoch.AddDate(0, 0, 3).Unix())
		before := snapshot()
		inv, err := preview(&stripe.InvoiceCreatePreviewParams{Schedule: stripe.String(s.ID), ScheduleDetails: &stripe.InvoiceCreatePreviewScheduleDetailsParams{
			Phases: []*stripe.InvoiceCreatePreviewScheduleDetailsPhaseParams{{Items: detailItem(basic, 4), StartDateNow: stripe.Bool(true), Iterations: stripe.Int64(1),
				Discounts: []*stripe.InvoiceCreatePreviewScheduleDetailsPhaseDiscountParams{{Coupon: stripe.String(coupon.ID)}}}}}})
		Expect(err).NotTo(HaveOccurred())
		expectPreview(inv)
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCreate))
		Expect(inv.Lines.Data[0].Period.Start).To(Equal(Epoch.Unix()))
		Expect(inv.Subtotal).To(Equal(int64(4000)))
		Expect(inv.AmountDue).To(Equal(int64(2000)), "half off")
		Expect(snapshot()).To(Equal(before))
	})

	It("refuses to preview a phase that resets the billing cycle before the next renewal", func() {
		mid := Epoch.AddDate(0, 0, 10).Unix()
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: item(basic, 1), EndDate: stripe.Int64(mid)},
				{Items: item(plus, 1), Iterations: stripe.Int64(1), BillingCycleAnchor: stripe.String("phase_start")}}})
		Expect(err).NotTo(HaveOccurred())
		before := snapshot()
		_, err = preview(&stripe.InvoiceCreatePreviewParams{Schedule: stripe.String(s.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "schedule")
		Expect(StripeErr(err).Msg).To(ContainSubstring("billing_cycle_anchor=phase_start"))
		Expect(snapshot()).To(Equal(before))
	})

	It("answers invoice_upcoming_none when the schedule cancels its subscription before it would invoice again", func() {
		s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID),
			StartDateNow: stripe.Bool(true), EndBehavior: stripe.String("cancel"),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: item(basic, 1), Iterations: stripe.Int64(1)}}})
		Expect(err).NotTo(HaveOccurred())
		before := snapshot()
		_, err = preview(&stripe.InvoiceCreatePreviewParams{Schedule: stripe.String(s.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "invoice_upcoming_none", "subscription")
		Expect(snapshot()).To(Equal(before))
	})

	It("refuses what Stripe refuses, and what it cannot preview, naming the parameter", func() {
		s := twoPhases(&stripe.SubscriptionScheduleCreatePhaseParams{Items: item(basic, 1), Iterations: stripe.Int64(1)}, "release", 0)
		other := customerWithCard(sc, "other@example.com", "pm_card_visa", "")
		before := snapshot()
		_, err := preview(&stripe.InvoiceCreatePreviewParams{Schedule: stripe.String(s.ID), Subscription: stripe.String(s.Subscription.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "subscription")
		_, err = preview(&stripe.InvoiceCreatePreviewParams{Schedule: stripe.String(s.ID),
			SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{
				Items: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{{Price: stripe.String(plus.ID)}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "subscription_details")
		_, err = preview(&stripe.InvoiceCreatePreviewParams{ScheduleDetails: &stripe.InvoiceCreatePreviewScheduleDetailsParams{
			Phases: []*stripe.InvoiceCreatePreviewScheduleDetailsPhaseParams{{Items: detailItem(basic, 1)}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "customer")
		_, err = preview(&stripe.InvoiceCreatePreviewParams{Schedule: stripe.String("sub_sched_nope")})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "schedule")
		_, err = preview(&stripe.InvoiceCreatePreviewParams{Schedule: stripe.String(s.ID), Customer: stripe.String(other.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "schedule")
		_, err = preview(&stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID), ScheduleDetails: &stripe.InvoiceCreatePreviewScheduleDetailsParams{
			Phases: []*stripe.InvoiceCreatePreviewScheduleDetailsPhaseParams{{Items: detailItem(basic, 1), ApplicationFeePercent: stripe.Float64(10)}}}})
		Expect(StripeErr(err).Param).To(Equal("schedule_details[phases][0][application_fee_percent]"))
		_, err = preview(&stripe.InvoiceCreatePreviewParams{Schedule: stripe.String(s.ID), PreviewMode: stripe.String("recurring")})
		Expect(StripeErr(err).Param).To(Equal("preview_mode"))
		Expect(snapshot()).To(Equal(before))
	})
})
