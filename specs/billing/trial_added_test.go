package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// A trial added to a subscription that is already billing, with
// trial_end (or trial_from_plan) on POST /v1/subscriptions/{id}. Stripe's
// billing cycle guide: the subscription is not billed until the trial's
// end, which anchors its cycle from then on, and "introducing a trial to
// an existing, paid subscription results in a proration. The customer is
// credited for the period they've already paid for that is now being
// called free" (unless proration_behavior=none).
var _ = Describe("A trial added to an active subscription", Label("billing", "subscriptions", "trials"), func() {
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		monthly *stripe.Price
		cus     *stripe.Customer
		sub     *stripe.Subscription
	)
	// The subscription started at Epoch; the trial is added ten days in,
	// to end two weeks into the next month.
	mid := Epoch.AddDate(0, 0, 10).Unix()
	periodEnd := Epoch.AddDate(0, 1, 0).Unix()
	trialEnd := Epoch.AddDate(0, 1, 14).Unix()
	credit := -int64(float64(1000*(periodEnd-mid))/float64(periodEnd-Epoch.Unix()) + 0.5)

	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		monthly = recurringPrice(sc, prod.ID, "month", 1000)
		cus = customerWithCard(sc, "added@example.com", "pm_card_visa", "")
		sub, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		emu.Clock().Set(time.Unix(mid, 0))
	})

	retrieve := func() *stripe.Subscription {
		GinkgoHelper()
		s, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	addTrial := func(end int64, behavior string) *stripe.Subscription {
		GinkgoHelper()
		p := &stripe.SubscriptionUpdateParams{TrialEnd: stripe.Int64(end)}
		if behavior != "" {
			p.ProrationBehavior = stripe.String(behavior)
		}
		s, err := sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	pending := func() []*stripe.InvoiceItem {
		GinkgoHelper()
		var out []*stripe.InvoiceItem
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, ii)
		}
		return out
	}
	eventsOf := func(from int, typ string) []map[string]any {
		var out []map[string]any
		for _, ev := range emu.Events("")[from:] {
			if ev["type"] == typ {
				out = append(out, ev)
			}
		}
		return out
	}

	It("makes it trialing until trial_end, the cycle anchored there, and credits the unused time on the invoice the trial's end makes", func() {
		first := retrieve().LatestInvoice.ID
		seen := len(emu.Events(""))
		got := addTrial(trialEnd, "")
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(got.TrialStart).To(Equal(mid))
		Expect(got.TrialEnd).To(Equal(trialEnd))
		Expect(got.BillingCycleAnchor).To(Equal(trialEnd))
		Expect(got.Items.Data[0].CurrentPeriodStart).To(Equal(mid), "the trial is the period")
		Expect(got.Items.Data[0].CurrentPeriodEnd).To(Equal(trialEnd))
		Expect(retrieve().LatestInvoice.ID).To(Equal(first), "nothing invoiced as the trial begins")

		items := pending()
		Expect(items).To(HaveLen(1))
		Expect(items[0].Amount).To(Equal(credit))
		Expect(items[0].Proration).To(BeTrue())
		Expect(items[0].Period.Start).To(Equal(mid))
		Expect(items[0].Period.End).To(Equal(periodEnd))

		ups := eventsOf(seen, "customer.subscription.updated")
		Expect(ups).To(HaveLen(1))
		prev := ups[0]["data"].(map[string]any)["previous_attributes"].(map[string]any)
		Expect(prev).To(HaveKeyWithValue("status", "active"))
		Expect(prev).To(HaveKeyWithValue("trial_end", BeNil()))
		Expect(prev).To(HaveKeyWithValue("trial_start", BeNil()))
		Expect(prev).To(HaveKeyWithValue("billing_cycle_anchor", BeNumerically("==", Epoch.Unix())))
		Expect(eventsOf(seen, "customer.subscription.trial_will_end")).To(BeEmpty(), "more than three days are left")

		By("warning three days before the trial ends")
		emu.Clock().Set(time.Unix(trialEnd, 0).Add(-3*24*time.Hour + time.Hour))
		Expect(eventsOf(seen, "customer.subscription.trial_will_end")).To(HaveLen(1))

		By("not billing the renewal the trial took away, and billing a full period with the credit at its end")
		emu.Clock().Set(time.Unix(trialEnd, 0).Add(2 * time.Hour))
		got = retrieve()
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(got.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(got.LatestInvoice.Total).To(Equal(1000 + credit))
		Expect(got.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
		n := 0
		for inv, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Subscription: stripe.String(sub.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			n++
			_ = inv
		}
		Expect(n).To(Equal(2), "the first invoice and the trial's end: nothing at the old period's end")
		Expect(got.Items.Data[0].CurrentPeriodEnd).To(Equal(time.Unix(trialEnd, 0).AddDate(0, 1, 0).Unix()))
		Expect(pending()).To(BeEmpty())
	})

	It("credits nothing with proration_behavior=none", func() {
		addTrial(trialEnd, "none")
		Expect(pending()).To(BeEmpty())
		emu.Clock().Set(time.Unix(trialEnd, 0).Add(2 * time.Hour))
		got := retrieve()
		Expect(got.LatestInvoice.Total).To(Equal(int64(1000)))
		Expect(got.LatestInvoice.Lines.Data).To(HaveLen(1))
	})

	It("invoices the credit at once with proration_behavior=always_invoice, to the customer's balance", func() {
		first := retrieve().LatestInvoice.ID
		got := addTrial(trialEnd, "always_invoice")
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		got = retrieve()
		Expect(got.LatestInvoice.ID).NotTo(Equal(first))
		Expect(got.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
		Expect(got.LatestInvoice.Total).To(Equal(credit))
		Expect(got.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(pending()).To(BeEmpty())
		c, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Balance).To(Equal(credit))
	})

	It("warns of a trial left under three days at once", func() {
		seen := len(emu.Events(""))
		addTrial(mid+2*86400, "")
		Expect(eventsOf(seen, "customer.subscription.trial_will_end")).To(HaveLen(1))
		emu.Clock().Set(time.Unix(mid+2*86400, 0).Add(-time.Hour))
		Expect(eventsOf(seen, "customer.subscription.trial_will_end")).To(HaveLen(1), "warned once")
	})

	It("previews with subscription_details[trial_end] exactly what the update then bills", func() {
		preview := func(behavior string) *stripe.Invoice {
			GinkgoHelper()
			inv, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{TrialEnd: stripe.Int64(trialEnd), ProrationBehavior: stripe.String(behavior)}})
			Expect(err).NotTo(HaveOccurred())
			return inv
		}
		next := preview("create_prorations")
		Expect(next.Total).To(Equal(1000 + credit))
		Expect(next.Lines.Data).To(HaveLen(2))
		Expect(next.PeriodEnd).To(Equal(trialEnd))
		now := preview("always_invoice")
		Expect(now.Total).To(Equal(credit), "the credit invoiced at once")
		Expect(now.Lines.Data).To(HaveLen(1))
		Expect(pending()).To(BeEmpty(), "a preview changes nothing")
		Expect(retrieve().Status).To(Equal(stripe.SubscriptionStatusActive))

		addTrial(trialEnd, "")
		emu.Clock().Set(time.Unix(trialEnd, 0).Add(2 * time.Hour))
		got := retrieve()
		Expect(got.LatestInvoice.Total).To(Equal(next.Total), "as previewed")
		Expect(got.LatestInvoice.Lines.Data[0].Amount).To(Equal(next.Lines.Data[0].Amount))
		Expect(got.LatestInvoice.Lines.Data[1].Amount).To(Equal(next.Lines.Data[1].Amount))
	})

	It("prorates as of proration_date, as the preview that named it", func() {
		at := mid - 86400
		inv, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
			SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{TrialEnd: stripe.Int64(trialEnd), ProrationDate: stripe.Int64(at)}})
		Expect(err).NotTo(HaveOccurred())
		want := -int64(float64(1000*(periodEnd-at))/float64(periodEnd-Epoch.Unix()) + 0.5)
		Expect(inv.Total).To(Equal(1000 + want))
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{TrialEnd: stripe.Int64(trialEnd), ProrationDate: stripe.Int64(at)})
		Expect(err).NotTo(HaveOccurred())
		items := pending()
		Expect(items).To(HaveLen(1))
		Expect(items[0].Amount).To(Equal(want))
	})

	It("takes the trial of the new price with trial_from_plan, in full from now", func() {
		withTrial, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(monthly.Product.ID), Currency: stripe.String("usd"),
			UnitAmount: stripe.Int64(2000), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), TrialPeriodDays: stripe.Int64(7)}})
		Expect(err).NotTo(HaveOccurred())

		By("doing nothing to the trial when no price has one")
		got, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{TrialFromPlan: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(got.TrialEnd).To(BeZero())

		By("refusing it with trial_end")
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{TrialFromPlan: stripe.Bool(true), TrialEnd: stripe.Int64(trialEnd)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "trial_from_plan")

		got, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{TrialFromPlan: stripe.Bool(true),
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(withTrial.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(got.TrialStart).To(Equal(mid))
		Expect(got.TrialEnd).To(Equal(mid + 7*86400))
		Expect(got.Items.Data[0].Price.ID).To(Equal(withTrial.ID))
		items := pending()
		Expect(items).To(HaveLen(1), "the old price's unused time credited; the new one is in the trial")
		Expect(items[0].Amount).To(Equal(credit))
	})

	It("refuses, changing nothing, a trial_end in the past, and what it does not emulate", func() {
		_, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{TrialEnd: stripe.Int64(mid - 60)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "trial_end")

		By("a subscription with metered prices, whose usage so far the trial would leave unbilled")
		m, err := sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{DisplayName: stripe.String("calls"), EventName: stripe.String("calls"),
			DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("sum")}})
		Expect(err).NotTo(HaveOccurred())
		perCall, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(monthly.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(3),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String(m.ID)}})
		Expect(err).NotTo(HaveOccurred())
		metered, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(perCall.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Update(Ctx, metered.ID, &stripe.SubscriptionUpdateParams{TrialEnd: stripe.Int64(trialEnd)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "trial_end")
		Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate"))

		By("a subscription whose first invoice is not paid yet, which takes no change but its metadata and default payment method")
		incomplete, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}, PaymentBehavior: stripe.String("default_incomplete")})
		Expect(err).NotTo(HaveOccurred())
		Expect(incomplete.Status).To(Equal(stripe.SubscriptionStatusIncomplete))
		_, err = sc.V1Subscriptions.Update(Ctx, incomplete.ID, &stripe.SubscriptionUpdateParams{TrialEnd: stripe.Int64(trialEnd)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "trial_end")
		Expect(StripeErr(err).Msg).To(HavePrefix("A subscription whose status is incomplete can only"))

		By("a trial started in a pending update")
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{TrialEnd: stripe.Int64(trialEnd), PaymentBehavior: stripe.String("pending_if_incomplete")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "trial_end")
		Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate"))

		got := retrieve()
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(got.TrialEnd).To(BeZero())
		Expect(pending()).To(BeEmpty())
	})
})

// Stripe gives trials of up to two years (its trials guide), refusing a
// longer one in the words its answers have been quoted with.
var _ = Describe("A trial longer than two years", Label("billing", "subscriptions", "trials"), func() {
	It("is refused on create and update, changing nothing; 730 days is taken", func() {
		emu := Emulator()
		sc := emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		price := recurringPrice(sc, prod.ID, "month", 1000)
		cus := customerWithCard(sc, "long-trial@example.com", "pm_card_visa", "")
		items := []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}
		now := emu.Clock().Now()

		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: items, TrialPeriodDays: stripe.Int64(731)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "trial_period_days")
		Expect(err.(*stripe.Error).Msg).To(Equal("The maximum number of trial period days is 730 (2 years)."))
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: items,
			TrialEnd: stripe.Int64(now.AddDate(0, 0, 731).Unix())})
		ExpectStripeError(err, 400, "invalid_request_error", "", "trial_end")
		Expect(emu.Count("", "subscription")).To(Equal(0))

		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: items, TrialPeriodDays: stripe.Int64(730)})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.TrialEnd).To(Equal(now.AddDate(0, 0, 730).Unix()))

		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{TrialEnd: stripe.Int64(now.AddDate(0, 0, 731).Unix())})
		ExpectStripeError(err, 400, "invalid_request_error", "", "trial_end")
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.TrialEnd).To(Equal(sub.TrialEnd))
	})
})

// Stripe sends customer.subscription.trial_will_end three days before a
// trial ends; a subscription created with a shorter trial is warned of at
// once (Stripe CLI's trigger for the event creates one with
// trial_period_days=1), and only once: the clock passing the three-day
// mark does not warn again.
var _ = Describe("A subscription created with a trial under three days", Label("billing", "subscriptions", "trials"), func() {
	It("sends trial_will_end at once, and once", func() {
		emu := Emulator()
		sc := emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		monthly := recurringPrice(sc, prod.ID, "month", 1000)
		cus := customerWithCard(sc, "short-trial@example.com", "pm_card_visa", "")
		warnings := func() int { return count(emu.EventTypes(""), "customer.subscription.trial_will_end") }
		long, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), TrialPeriodDays: stripe.Int64(7),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(long.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(warnings()).To(BeZero(), "seven days are left")

		short, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), TrialPeriodDays: stripe.Int64(1),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(short.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(warnings()).To(Equal(1), "one day is left")
		evs := emu.Events("")
		ev := evs[len(evs)-1]
		Expect(ev["type"]).To(Equal("customer.subscription.trial_will_end"))
		Expect(ev["data"].(map[string]any)["object"].(map[string]any)["id"]).To(Equal(short.ID))

		emu.Clock().Advance(12 * time.Hour)
		Expect(warnings()).To(Equal(1), "warned once")
		emu.Clock().Advance(5 * 24 * time.Hour)
		Expect(warnings()).To(Equal(2), "the seven-day trial, three days ahead")
	})
})
