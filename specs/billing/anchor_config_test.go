package billing_test

import (
	"encoding/json"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("billing_cycle_anchor_config on subscription create", Label("billing", "subscriptions"), func() {
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
		cus = customerWithCard(sc, "anchorcfg@example.com", "pm_card_visa", "")
	})

	subscribe := func(price string, cfg *stripe.SubscriptionCreateBillingCycleAnchorConfigParams, extra func(*stripe.SubscriptionCreateParams)) (*stripe.Subscription, error) {
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price)}},
			BillingCycleAnchorConfig: cfg}
		if extra != nil {
			extra(p)
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
	// renewsAt moves the emulator clock just past at and checks the
	// subscription renewed there for a full period ending at next.
	renewsAt := func(id string, at, next time.Time, amount int64) *stripe.Subscription {
		GinkgoHelper()
		emu.Clock().Set(at.Add(2 * time.Hour))
		sub := retrieve(id)
		Expect(sub.Items.Data[0].CurrentPeriodStart).To(Equal(at.Unix()))
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(next.Unix()))
		inv := sub.LatestInvoice
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.AmountPaid).To(Equal(amount))
		Expect(inv.PeriodEnd).To(Equal(at.Unix()), "a renewal's own period is the one that ends")
		Expect(inv.PeriodStart).To(BeNumerically("<", at.Unix()))
		Expect(inv.Lines.Data[0].Period.Start).To(Equal(at.Unix()))
		Expect(inv.Lines.Data[0].Period.End).To(Equal(next.Unix()))
		return sub
	}
	rawConfig := func(sub *stripe.Subscription) map[string]any {
		GinkgoHelper()
		var raw map[string]any
		Expect(json.Unmarshal(sub.LastResponse.RawJSON, &raw)).To(Succeed())
		return raw["billing_cycle_anchor_config"].(map[string]any)
	}
	day := func(d int64) *stripe.SubscriptionCreateBillingCycleAnchorConfigParams {
		return &stripe.SubscriptionCreateBillingCycleAnchorConfigParams{DayOfMonth: stripe.Int64(d)}
	}
	midnight := func(p *stripe.SubscriptionCreateBillingCycleAnchorConfigParams) *stripe.SubscriptionCreateBillingCycleAnchorConfigParams {
		p.Hour, p.Minute, p.Second = stripe.Int64(0), stripe.Int64(0), stripe.Int64(0)
		return p
	}

	// Sept 15 2025 12:00.
	now := Epoch.AddDate(0, 0, 14)
	oct1 := time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC)

	It("anchors a monthly subscription on the 1st at the start's time of day, prorates up to it, then renews on the 1st", func() {
		emu.Clock().Set(now)
		sub, err := subscribe(monthly.ID, day(1), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.BillingCycleAnchor).To(Equal(oct1.Unix()), "the next 1st, at 12:00:00 as the subscription started")
		Expect(sub.BillingCycleAnchorConfig.DayOfMonth).To(Equal(int64(1)))
		Expect(rawConfig(sub)).To(Equal(map[string]any{"day_of_month": 1.0, "hour": nil, "minute": nil, "month": nil, "second": nil}))
		Expect(sub.StartDate).To(Equal(now.Unix()))
		Expect(sub.Items.Data[0].CurrentPeriodStart).To(Equal(now.Unix()))
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(oct1.Unix()))
		first := sub.LatestInvoice
		Expect(first.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(first.AmountDue).To(Equal(int64(533)), "1000 × 16/30, rounded")
		Expect(first.Lines.Data).To(HaveLen(1))
		Expect(first.Lines.Data[0].Period.End).To(Equal(oct1.Unix()))
		Expect(first.Lines.Data[0].Parent.SubscriptionItemDetails.Proration).To(BeTrue())

		nov1, dec1, jan1 := oct1.AddDate(0, 1, 0), oct1.AddDate(0, 2, 0), oct1.AddDate(0, 3, 0)
		renewsAt(sub.ID, oct1, nov1, 1000)
		renewsAt(sub.ID, nov1, dec1, 1000)
		sub = renewsAt(sub.ID, dec1, jan1, 1000)
		Expect(sub.BillingCycleAnchor).To(Equal(oct1.Unix()))
		Expect(sub.BillingCycleAnchorConfig.DayOfMonth).To(Equal(int64(1)))
	})

	It("bills exactly as the same billing_cycle_anchor timestamp would with hour, minute and second given", func() {
		emu.Clock().Set(now)
		sub, err := subscribe(monthly.ID, midnight(day(1)), nil)
		Expect(err).NotTo(HaveOccurred())
		anchor := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
		Expect(sub.BillingCycleAnchor).To(Equal(anchor.Unix()))
		Expect(rawConfig(sub)).To(Equal(map[string]any{"day_of_month": 1.0, "hour": 0.0, "minute": 0.0, "month": nil, "second": 0.0}))
		Expect(sub.LatestInvoice.AmountDue).To(Equal(int64(517)), "1000 × 15.5/30, as billing_cycle_anchor=Oct 1 00:00 bills")
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(anchor.Unix()))
	})

	It("starts at once with a full period when the next such time is the start itself", func() {
		sub, err := subscribe(monthly.ID, day(1), nil) // Sept 1 12:00
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.BillingCycleAnchor).To(Equal(Epoch.Unix()))
		Expect(sub.LatestInvoice.AmountDue).To(Equal(int64(1000)))
		Expect(sub.LatestInvoice.Lines.Data[0].Parent.SubscriptionItemDetails.Proration).To(BeFalse())
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(oct1.Unix()))
	})

	It("keeps day_of_month=31 on the last day of short months and returns to the 31st", func() {
		feb10 := time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)
		feb28 := time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)
		mar31, apr30, may31 := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC)
		emu.Clock().Set(feb10)
		sub, err := subscribe(monthly.ID, midnight(day(31)), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.BillingCycleAnchor).To(Equal(feb28.Unix()), "February has no 31st")
		Expect(sub.BillingCycleAnchorConfig.DayOfMonth).To(Equal(int64(31)))
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(feb28.Unix()))
		Expect(sub.LatestInvoice.AmountDue).To(Equal(int64(625)), "1000 × 17.5/28: the full period is Jan 31 – Feb 28")

		renewsAt(sub.ID, feb28, mar31, 1000)

		By("previewing the next renewal on the same days")
		preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(preview.Lines.Data[0].Period.Start).To(Equal(mar31.Unix()))
		Expect(preview.Lines.Data[0].Period.End).To(Equal(apr30.Unix()))

		renewsAt(sub.ID, mar31, apr30, 1000)
		sub = renewsAt(sub.ID, apr30, may31, 1000)
		Expect(sub.BillingCycleAnchor).To(Equal(feb28.Unix()))
	})

	It("anchors a yearly price on month and day, from a test clock's time", func() {
		yearly := recurringPrice(sc, prod.ID, "year", 12000)
		clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(now.Unix())})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "yearly@example.com", "pm_card_visa", clk.ID)
		cfg := midnight(day(15))
		cfg.Month = stripe.Int64(1)
		sub, err := subscribe(yearly.ID, cfg, nil)
		Expect(err).NotTo(HaveOccurred())
		jan15 := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
		Expect(sub.StartDate).To(Equal(now.Unix()), "the clock's time, not the emulator's (Sept 1)")
		Expect(sub.BillingCycleAnchor).To(Equal(jan15.Unix()))
		Expect(sub.BillingCycleAnchorConfig.Month).To(Equal(int64(1)))
		Expect(sub.BillingCycleAnchorConfig.DayOfMonth).To(Equal(int64(15)))
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(jan15.Unix()))
		Expect(sub.LatestInvoice.AmountDue).To(Equal(int64(3995)), "12000 × 121.5/365, rounded")

		_, err = sc.V1TestHelpersTestClocks.Advance(Ctx, clk.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(jan15.Add(2 * time.Hour).Unix())})
		Expect(err).NotTo(HaveOccurred())
		sub = retrieve(sub.ID)
		Expect(sub.Items.Data[0].CurrentPeriodStart).To(Equal(jan15.Unix()))
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(jan15.AddDate(1, 0, 0).Unix()))
		Expect(sub.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(12000)))
	})

	It("charges nothing until the anchor with proration_behavior=none", func() {
		emu.Clock().Set(now)
		sub, err := subscribe(monthly.ID, day(1), func(p *stripe.SubscriptionCreateParams) { p.ProrationBehavior = stripe.String("none") })
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.BillingCycleAnchor).To(Equal(oct1.Unix()))
		Expect(sub.LatestInvoice.AmountDue).To(BeZero())
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(oct1.Unix()))
		renewsAt(sub.ID, oct1, oct1.AddDate(0, 1, 0), 1000)
	})

	It("is dropped when billing_cycle_anchor=now resets the cycle", func() {
		emu.Clock().Set(now)
		sub, err := subscribe(monthly.ID, day(1), nil)
		Expect(err).NotTo(HaveOccurred())
		reset := now.AddDate(0, 0, 5)
		emu.Clock().Set(reset)
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{BillingCycleAnchorNow: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.BillingCycleAnchor).To(Equal(reset.Unix()))
		Expect(sub.BillingCycleAnchorConfig).To(BeNil())
		renewsAt(sub.ID, reset.AddDate(0, 1, 0), reset.AddDate(0, 2, 0), 1000)
	})

	It("refuses what Stripe refuses, and what it does not emulate, creating nothing", func() {
		emu.Clock().Set(now)
		weekly := recurringPrice(sc, prod.ID, "week", 300)
		refused := []struct {
			param string
			code  string
			set   func(*stripe.SubscriptionCreateParams)
		}{
			{"billing_cycle_anchor", "parameters_exclusive", func(p *stripe.SubscriptionCreateParams) {
				p.BillingCycleAnchor = stripe.Int64(oct1.Unix())
			}},
			{"billing_cycle_anchor_config", "", func(p *stripe.SubscriptionCreateParams) { p.TrialPeriodDays = stripe.Int64(7) }},
			{"billing_cycle_anchor_config[day_of_month]", "", func(p *stripe.SubscriptionCreateParams) { p.BillingCycleAnchorConfig.DayOfMonth = stripe.Int64(32) }},
			{"billing_cycle_anchor_config[day_of_month]", "parameter_missing", func(p *stripe.SubscriptionCreateParams) {
				p.BillingCycleAnchorConfig = &stripe.SubscriptionCreateBillingCycleAnchorConfigParams{Hour: stripe.Int64(3)}
			}},
			{"billing_cycle_anchor_config[hour]", "", func(p *stripe.SubscriptionCreateParams) { p.BillingCycleAnchorConfig.Hour = stripe.Int64(24) }},
			{"billing_cycle_anchor_config[month]", "", func(p *stripe.SubscriptionCreateParams) { p.BillingCycleAnchorConfig.Month = stripe.Int64(13) }},
			{"billing_cycle_anchor_config[month]", "", func(p *stripe.SubscriptionCreateParams) { p.BillingCycleAnchorConfig.Month = stripe.Int64(3) }},
			{"billing_cycle_anchor_config", "", func(p *stripe.SubscriptionCreateParams) { p.Items[0].Price = stripe.String(weekly.ID) }},
		}
		for _, r := range refused {
			_, err := subscribe(monthly.ID, day(1), r.set)
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(400))
			Expect(se.Param).To(Equal(r.param))
			if r.code != "" {
				Expect(string(se.Code)).To(Equal(r.code))
			}
		}
		for s, err := range sc.V1Subscriptions.List(Ctx, &stripe.SubscriptionListParams{Customer: stripe.String(cus.ID), Status: stripe.String("all")}) {
			Expect(err).NotTo(HaveOccurred())
			Fail("a refused request created subscription " + s.ID)
		}
		for inv, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			Fail("a refused request created invoice " + inv.ID)
		}
	})
})
