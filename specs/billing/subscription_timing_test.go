package billing_test

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Parameters that move billing in time: a backdated start, pending
// invoice items invoiced on their own interval, a draft finalized at a
// time of the merchant's choosing, and a schedule phase that starts the
// billing cycle again.
var _ = Describe("subscription and invoice timing parameters", Label("billing", "subscriptions", "clock"), func() {
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
		monthly = recurringPrice(sc, prod.ID, "month", 1000)
		cus = customerWithCard(sc, "timing@example.com", "pm_card_visa", "")
	})
	subscribe := func(edit func(*stripe.SubscriptionCreateParams)) (*stripe.Subscription, error) {
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}}
		if edit != nil {
			edit(p)
		}
		p.AddExpand("latest_invoice")
		return sc.V1Subscriptions.Create(Ctx, p)
	}
	retrieve := func(id string) *stripe.Subscription {
		GinkgoHelper()
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, id, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		return sub
	}
	count := func(typ string) int { return emu.Count("", typ) }
	refusedUnchanged := func(err error, param, message string, before map[string]int) {
		GinkgoHelper()
		ExpectStripeError(err, 400, "invalid_request_error", "", param)
		Expect(StripeErr(err).Msg).To(ContainSubstring(message))
		for typ, n := range before {
			Expect(count(typ)).To(Equal(n), typ)
		}
	}
	counts := func() map[string]int {
		return map[string]int{"subscription": count("subscription"), "invoice": count("invoice"), "invoiceitem": count("invoiceitem")}
	}

	Describe("backdate_start_date", func() {
		// Aug 15 12:00: the imagined month from then (Aug 15 - Sep 15) has
		// 31 days, of which 17 have passed by Sep 1 12:00.
		backdate := Epoch.AddDate(0, 0, -17)

		It("bills the backdated time, prorated against a period starting then, beside the first period", func() {
			sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) { p.BackdateStartDate = stripe.Int64(backdate.Unix()) })
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.StartDate).To(Equal(backdate.Unix()))
			Expect(sub.BillingCycleAnchor).To(Equal(Epoch.Unix()))
			Expect(sub.Items.Data[0].CurrentPeriodStart).To(Equal(Epoch.Unix()))
			inv := sub.LatestInvoice
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(inv.Lines.Data).To(HaveLen(2))
			var prorated *stripe.InvoiceLineItem
			for _, l := range inv.Lines.Data {
				if l.Period.Start == backdate.Unix() {
					prorated = l
				}
			}
			Expect(prorated).NotTo(BeNil())
			Expect(prorated.Amount).To(Equal(int64(548))) // 17/31 of 10.00
			Expect(prorated.Period.Start).To(Equal(backdate.Unix()))
			Expect(prorated.Period.End).To(Equal(Epoch.Unix()))
			Expect(inv.AmountPaid).To(Equal(int64(1548)))
		})

		It("with proration_behavior=none only dates the start back", func() {
			sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
				p.BackdateStartDate = stripe.Int64(backdate.Unix())
				p.ProrationBehavior = stripe.String("none")
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.StartDate).To(Equal(backdate.Unix()))
			Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1000)))
			Expect(sub.LatestInvoice.Lines.Data).To(HaveLen(1))
		})

		It("with a billing_cycle_anchor bills one prorated period from the backdated start to the anchor, then full periods", func() {
			anchor := Epoch.AddDate(0, 0, 14) // Sep 15: Aug 15 - Sep 15 is the whole imagined month
			sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
				p.BackdateStartDate = stripe.Int64(backdate.Unix())
				p.BillingCycleAnchor = stripe.Int64(anchor.Unix())
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.StartDate).To(Equal(backdate.Unix()))
			Expect(sub.BillingCycleAnchor).To(Equal(anchor.Unix()))
			Expect(sub.Items.Data[0].CurrentPeriodStart).To(Equal(backdate.Unix()))
			Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(anchor.Unix()))
			Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1000)))
			Expect(sub.LatestInvoice.Lines.Data[0].Period.Start).To(Equal(backdate.Unix()))

			emu.Clock().Set(anchor.Add(2 * time.Hour))
			sub = retrieve(sub.ID)
			Expect(sub.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
			Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1000)))
			Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(anchor.AddDate(0, 1, 0).Unix()))
		})

		It("refuses a start date in the future, changing nothing", func() {
			before := counts()
			_, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
				p.BackdateStartDate = stripe.Int64(Epoch.Add(time.Hour).Unix())
			})
			refusedUnchanged(err, "backdate_start_date", "must be in the past", before)
		})
	})

	Describe("pending_invoice_item_interval", func() {
		It("invoices the subscription's pending items every interval, on the clock", func() {
			sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
				p.PendingInvoiceItemInterval = &stripe.SubscriptionCreatePendingInvoiceItemIntervalParams{Interval: stripe.String("week")}
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.PendingInvoiceItemInterval.Interval).To(Equal(stripe.SubscriptionPendingInvoiceItemIntervalIntervalWeek))
			Expect(sub.PendingInvoiceItemInterval.IntervalCount).To(Equal(int64(1)))
			week := Epoch.AddDate(0, 0, 7)
			Expect(sub.NextPendingInvoiceItemInvoice).To(Equal(week.Unix()))

			ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Subscription: stripe.String(sub.ID),
				Amount: stripe.Int64(300), Currency: stripe.String("usd"), Description: stripe.String("Extra seats")})
			Expect(err).NotTo(HaveOccurred())

			// A week on, the item is on an invoice of its own, finalized and
			// paid an hour later; the next one is a week after.
			emu.Clock().Set(week.Add(2 * time.Hour))
			ii, err = sc.V1InvoiceItems.Retrieve(Ctx, ii.ID, &stripe.InvoiceItemRetrieveParams{Expand: []*string{stripe.String("invoice")}})
			Expect(err).NotTo(HaveOccurred())
			inv := ii.Invoice
			Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonAutomaticPendingInvoiceItemInvoice))
			Expect(inv.Created).To(Equal(week.Unix()))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(inv.AmountPaid).To(Equal(int64(300)))
			Expect(inv.Parent.SubscriptionDetails.Subscription.ID).To(Equal(sub.ID))
			sub = retrieve(sub.ID)
			Expect(sub.NextPendingInvoiceItemInvoice).To(Equal(week.AddDate(0, 0, 7).Unix()))
			Expect(sub.LatestInvoice.ID).To(Equal(inv.ID))

			// Nothing pending: no invoice, the date moves on.
			invoices := count("invoice")
			emu.Clock().Set(week.AddDate(0, 0, 7).Add(2 * time.Hour))
			Expect(count("invoice")).To(Equal(invoices))
			Expect(retrieve(sub.ID).NextPendingInvoiceItemInvoice).To(Equal(week.AddDate(0, 0, 14).Unix()))

			// Sent empty, the interval is removed.
			raw := Do(emu.URL(), http.MethodPost, "/v1/subscriptions/"+sub.ID, "pending_invoice_item_interval=")
			Expect(raw.Status).To(Equal(200))
			Expect(raw.Body["pending_invoice_item_interval"]).To(BeNil())
			Expect(raw.Body["next_pending_invoice_item_invoice"]).To(BeNil())
		})

		It("invoices only the subscription's own pending items, as creating an invoice for it would: the customer's other items wait for the renewal", func() {
			sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
				p.PendingInvoiceItemInterval = &stripe.SubscriptionCreatePendingInvoiceItemIntervalParams{Interval: stripe.String("week")}
			})
			Expect(err).NotTo(HaveOccurred())
			week := Epoch.AddDate(0, 0, 7)
			loose, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID),
				Amount: stripe.Int64(400), Currency: stripe.String("usd"), Description: stripe.String("Not the subscription's")})
			Expect(err).NotTo(HaveOccurred())
			invoices := count("invoice")
			emu.Clock().Set(week.Add(2 * time.Hour))
			Expect(count("invoice")).To(Equal(invoices), "nothing of the subscription's own is pending")
			loose, err = sc.V1InvoiceItems.Retrieve(Ctx, loose.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(loose.Invoice).To(BeNil())

			own, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Subscription: stripe.String(sub.ID),
				Amount: stripe.Int64(300), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
			emu.Clock().Set(week.AddDate(0, 0, 7).Add(2 * time.Hour))
			own, err = sc.V1InvoiceItems.Retrieve(Ctx, own.ID, &stripe.InvoiceItemRetrieveParams{Expand: []*string{stripe.String("invoice")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(own.Invoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonAutomaticPendingInvoiceItemInvoice))
			Expect(own.Invoice.Total).To(Equal(int64(300)), "the customer's other item is not on it")

			emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
			loose, err = sc.V1InvoiceItems.Retrieve(Ctx, loose.ID, &stripe.InvoiceItemRetrieveParams{Expand: []*string{stripe.String("invoice")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(loose.Invoice).NotTo(BeNil())
			Expect(loose.Invoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle), "on the renewal")
		})

		It("refuses an interval over a year, changing nothing", func() {
			before := counts()
			_, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
				p.PendingInvoiceItemInterval = &stripe.SubscriptionCreatePendingInvoiceItemIntervalParams{Interval: stripe.String("month"), IntervalCount: stripe.Int64(13)}
			})
			refusedUnchanged(err, "pending_invoice_item_interval[interval_count]", "one year", before)
		})
	})

	Describe("automatically_finalizes_at on invoices", func() {
		create := func(edit func(*stripe.InvoiceCreateParams)) (*stripe.Invoice, error) {
			p := &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AutoAdvance: stripe.Bool(true)}
			if edit != nil {
				edit(p)
			}
			return sc.V1Invoices.Create(Ctx, p)
		}
		It("finalizes the draft at that time instead of an hour after it was made", func() {
			at := Epoch.AddDate(0, 0, 3)
			_, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(700), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
			inv, err := create(func(p *stripe.InvoiceCreateParams) {
				p.AutomaticallyFinalizesAt = stripe.Int64(at.Unix())
				p.PendingInvoiceItemsBehavior = stripe.String("include")
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.AutomaticallyFinalizesAt).To(Equal(at.Unix()))

			emu.Clock().Set(Epoch.Add(2 * time.Hour))
			inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusDraft))

			emu.Clock().Set(at.Add(time.Minute))
			inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(inv.StatusTransitions.FinalizedAt).To(Equal(at.Unix()))
		})

		It("is moved by an update of the draft", func() {
			inv, err := create(nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.AutomaticallyFinalizesAt).To(Equal(Epoch.Add(time.Hour).Unix()))
			inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{AutomaticallyFinalizesAt: stripe.Int64(Epoch.AddDate(0, 0, 1).Unix())})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.AutomaticallyFinalizesAt).To(Equal(Epoch.AddDate(0, 0, 1).Unix()))
		})

		DescribeTable("refuses, changing nothing",
			func(edit func(*stripe.InvoiceCreateParams), message string) {
				before := counts()
				_, err := create(edit)
				refusedUnchanged(err, "automatically_finalizes_at", message, before)
			},
			Entry("a time in the past", func(p *stripe.InvoiceCreateParams) {
				p.AutomaticallyFinalizesAt = stripe.Int64(Epoch.Add(-time.Hour).Unix())
			}, "in the future"),
			Entry("more than five years ahead", func(p *stripe.InvoiceCreateParams) {
				p.AutomaticallyFinalizesAt = stripe.Int64(Epoch.AddDate(6, 0, 0).Unix())
			}, "5 years"),
			Entry("an invoice that does not advance automatically", func(p *stripe.InvoiceCreateParams) {
				p.AutoAdvance = stripe.Bool(false)
				p.AutomaticallyFinalizesAt = stripe.Int64(Epoch.AddDate(0, 0, 1).Unix())
			}, "auto_advance"),
		)
	})

	Describe("a schedule phase's billing_cycle_anchor", func() {
		It("phase_start starts the cycle again as the phase begins, invoicing the new period with the old one's unused time credited", func() {
			plus := recurringPrice(sc, prod.ID, "month", 2500)
			s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
				Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
				Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
					{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(monthly.ID)}},
						Duration: &stripe.SubscriptionScheduleCreatePhaseDurationParams{Interval: stripe.String("day"), IntervalCount: stripe.Int64(10)}},
					{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(plus.ID)}},
						Iterations: stripe.Int64(2), BillingCycleAnchor: stripe.String("phase_start")},
				},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(string(s.Phases[1].BillingCycleAnchor)).To(Equal("phase_start"))
			phase := Epoch.AddDate(0, 0, 10)
			emu.Clock().Set(phase.Add(time.Minute))
			sub := retrieve(s.Subscription.ID)
			Expect(sub.BillingCycleAnchor).To(Equal(phase.Unix()))
			Expect(sub.Items.Data[0].Price.ID).To(Equal(plus.ID))
			Expect(sub.Items.Data[0].CurrentPeriodStart).To(Equal(phase.Unix()))
			Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(phase.AddDate(0, 1, 0).Unix()))
			inv := sub.LatestInvoice
			Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
			// 25.00 for the new month, less 20/30 of 10.00 unused.
			Expect(inv.AmountPaid).To(Equal(int64(2500 - 667)))

			// The next renewal comes a month after the phase began.
			emu.Clock().Set(phase.AddDate(0, 1, 0).Add(2 * time.Hour))
			sub = retrieve(sub.ID)
			Expect(sub.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
			Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(2500)))
		})

		It("phase_start does not start the cycle again when an update sends back the phase under way: only entering a phase does", func() {
			s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
				Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
				Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
					{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(monthly.ID)}},
						Iterations: stripe.Int64(2), BillingCycleAnchor: stripe.String("phase_start")},
				},
			})
			Expect(err).NotTo(HaveOccurred())
			first := retrieve(s.Subscription.ID).LatestInvoice.ID
			emu.Clock().Set(Epoch.AddDate(0, 0, 10))
			u, err := sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{
				Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{{StartDate: stripe.Int64(s.Phases[0].StartDate),
					Items:      []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(monthly.ID)}},
					Iterations: stripe.Int64(2), BillingCycleAnchor: stripe.String("phase_start"), Metadata: map[string]string{"plan": "kept"}}},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(string(u.Phases[0].BillingCycleAnchor)).To(Equal("phase_start"))
			sub := retrieve(s.Subscription.ID)
			Expect(sub.BillingCycleAnchor).To(Equal(Epoch.Unix()), "the cycle still starts where the phase did")
			Expect(sub.Items.Data[0].CurrentPeriodStart).To(Equal(Epoch.Unix()))
			Expect(sub.LatestInvoice.ID).To(Equal(first), "nothing invoiced")
		})

		It("takes default_settings[billing_cycle_anchor]: phase_start for every phase that sets none, automatic (the default) as it is", func() {
			plus := recurringPrice(sc, prod.ID, "month", 2500)
			s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
				Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
				DefaultSettings: &stripe.SubscriptionScheduleCreateDefaultSettingsParams{BillingCycleAnchor: stripe.String("phase_start")},
				Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
					{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(monthly.ID)}},
						Duration: &stripe.SubscriptionScheduleCreatePhaseDurationParams{Interval: stripe.String("day"), IntervalCount: stripe.Int64(10)}},
					{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(plus.ID)}}, Iterations: stripe.Int64(2)},
				},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(string(s.DefaultSettings.BillingCycleAnchor)).To(Equal("phase_start"))
			Expect(string(s.Phases[1].BillingCycleAnchor)).To(BeEmpty(), "the phase sets none of its own")
			phase := Epoch.AddDate(0, 0, 10)
			emu.Clock().Set(phase.Add(time.Minute))
			sub := retrieve(s.Subscription.ID)
			Expect(sub.BillingCycleAnchor).To(Equal(phase.Unix()))
			Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(2500 - 667)))

			a, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
				Customer: stripe.String(cus.ID), StartDate: stripe.Int64(Epoch.AddDate(0, 1, 0).Unix()),
				DefaultSettings: &stripe.SubscriptionScheduleCreateDefaultSettingsParams{BillingCycleAnchor: stripe.String("automatic")},
				Phases:          []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(monthly.ID)}}}},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(string(a.DefaultSettings.BillingCycleAnchor)).To(Equal("automatic"))
		})

		It("refuses default_settings[billing_cycle_anchor]=phase_start with a phase that has a trial, as stripe-go documents, and a value other than automatic or phase_start", func() {
			before := map[string]int{"subscription_schedule": count("subscription_schedule"), "subscription": count("subscription")}
			_, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
				Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
				DefaultSettings: &stripe.SubscriptionScheduleCreateDefaultSettingsParams{BillingCycleAnchor: stripe.String("phase_start")},
				Phases:          []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(monthly.ID)}}, Trial: stripe.Bool(true)}},
			})
			refusedUnchanged(err, "default_settings[billing_cycle_anchor]", "trial", before)
			_, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
				Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
				DefaultSettings: &stripe.SubscriptionScheduleCreateDefaultSettingsParams{BillingCycleAnchor: stripe.String("now")},
				Phases:          []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(monthly.ID)}}}},
			})
			refusedUnchanged(err, "default_settings[billing_cycle_anchor]", "automatic or phase_start", before)
		})

		It("refuses a value other than automatic or phase_start, changing nothing", func() {
			before := map[string]int{"subscription_schedule": count("subscription_schedule"), "subscription": count("subscription")}
			_, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
				Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
				Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(monthly.ID)}}, BillingCycleAnchor: stripe.String("now")}},
			})
			refusedUnchanged(err, "phases[0][billing_cycle_anchor]", "automatic or phase_start", before)
		})
	})
})
