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

// invoice.upcoming, with the emulator set to send it 3 days before a
// period ends with an automatically charged invoice: the invoice it will
// be, never created (no id). Without the option none is sent.
var _ = Describe("invoice.upcoming before renewals", Label("billing", "subscriptions"), func() {
	const lead = 3 * 24 * time.Hour
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		monthly *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator(emulator.WithUpcomingInvoiceEvents(lead))
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		monthly, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
		})
		Expect(err).NotTo(HaveOccurred())
	})

	subscribe := func(cus *stripe.Customer) *stripe.Subscription {
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(2)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		return sub
	}
	// upcomings are the invoice.upcoming events recorded, oldest first,
	// with their invoices decoded.
	type upcomingEvent struct {
		created int64
		raw     map[string]any
		inv     stripe.Invoice
	}
	upcomings := func() []upcomingEvent {
		var out []upcomingEvent
		for _, ev := range emu.Events("") {
			if ev["type"] != "invoice.upcoming" {
				continue
			}
			obj := ev["data"].(map[string]any)["object"].(map[string]any)
			b, err := json.Marshal(obj)
			Expect(err).NotTo(HaveOccurred())
			var inv stripe.Invoice
			Expect(json.Unmarshal(b, &inv)).To(Succeed())
			created := int64(ev["created"].(float64))
			out = append(out, upcomingEvent{created, obj, inv})
		}
		return out
	}
	invoiceCount := func(subID string) int {
		n := 0
		for _, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Subscription: stripe.String(subID)}) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		return n
	}
	// expectRenewal checks an invoice.upcoming against the renewal it
	// announces: the period [start, start + 1 month), 2 × 1000.
	expectRenewal := func(u upcomingEvent, sub *stripe.Subscription, start time.Time) {
		GinkgoHelper()
		end := start.AddDate(0, 1, 0)
		Expect(u.created).To(Equal(start.Add(-lead).Unix()), "sent 3 days before the period ends")
		Expect(u.raw).NotTo(HaveKey("id"), "an invoice that was never created has no id")
		Expect(u.inv.Object).To(Equal("invoice"))
		Expect(u.inv.Status).To(Equal(stripe.InvoiceStatusDraft))
		Expect(u.inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonUpcoming))
		Expect(u.inv.Customer.ID).To(Equal(sub.Customer.ID))
		Expect(u.inv.Parent.SubscriptionDetails.Subscription.ID).To(Equal(sub.ID))
		Expect(u.inv.AmountDue).To(Equal(int64(2000)))
		Expect(u.inv.Total).To(Equal(int64(2000)))
		// The invoice's own period looks back at the period that ends;
		// its line bills the next one.
		Expect(u.inv.PeriodStart).To(Equal(start.AddDate(0, -1, 0).Unix()))
		Expect(u.inv.PeriodEnd).To(Equal(start.Unix()))
		Expect(u.inv.Lines.Data).To(HaveLen(1))
		line := u.inv.Lines.Data[0]
		Expect(line.Amount).To(Equal(int64(2000)))
		Expect(line.Quantity).To(Equal(int64(2)))
		Expect(line.Pricing.PriceDetails.Price).To(Equal(monthly.ID))
		Expect(line.Period.Start).To(Equal(start.Unix()))
		Expect(line.Period.End).To(Equal(end.Unix()))
	}

	It("sends one invoice.upcoming 3 days before each renewal, before its invoice.created", func() {
		cus := customerWithCard(sc, "upcoming@example.com", "pm_card_visa", "")
		sub := subscribe(cus)
		renewal := time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).UTC()
		Expect(renewal).To(Equal(Epoch.AddDate(0, 1, 0)))

		emu.Clock().Set(renewal.Add(-lead - time.Minute))
		Expect(upcomings()).To(BeEmpty(), "not before the lead")

		emu.Clock().Set(renewal.Add(-lead + time.Minute))
		got := upcomings()
		Expect(got).To(HaveLen(1))
		expectRenewal(got[0], sub, renewal)
		Expect(invoiceCount(sub.ID)).To(Equal(1), "the announced invoice is not created")

		emu.Clock().Set(renewal.Add(-time.Hour))
		Expect(upcomings()).To(HaveLen(1), "once per period")

		// Two renewals in one move: each announced, in time order.
		second := renewal.AddDate(0, 1, 0)
		emu.Clock().Set(second.Add(2 * time.Hour))
		got = upcomings()
		Expect(got).To(HaveLen(2))
		expectRenewal(got[1], sub, second)
		Expect(invoiceCount(sub.ID)).To(Equal(3))

		var order []string
		var times []int64
		for _, ev := range emu.Events("") {
			if t := ev["type"].(string); t == "invoice.upcoming" || t == "invoice.created" {
				order = append(order, t)
				created := int64(ev["created"].(float64))
				times = append(times, created)
			}
		}
		Expect(order).To(Equal([]string{"invoice.created", "invoice.upcoming", "invoice.created", "invoice.upcoming", "invoice.created"}))
		Expect(times).To(Equal([]int64{Epoch.Unix(), renewal.Add(-lead).Unix(), renewal.Unix(), second.Add(-lead).Unix(), second.Unix()}))
	})

	It("sends none unless the emulator is asked to (Stripe's upcoming renewal events setting)", func() {
		plain := Emulator()
		psc := plain.Client()
		price, err := psc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000), ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Pro")},
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
		})
		Expect(err).NotTo(HaveOccurred())
		cus := customerWithCard(psc, "quiet@example.com", "pm_card_visa", "")
		_, err = psc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		plain.Clock().Set(Epoch.AddDate(0, 2, 1))
		Expect(plain.EventTypes("")).To(ContainElement("invoice.paid"), "it renewed")
		Expect(plain.EventTypes("")).NotTo(ContainElement("invoice.upcoming"))
	})

	It("announces the first charge after a trial, with trial_will_end", func() {
		cus := customerWithCard(sc, "trial@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), TrialPeriodDays: stripe.Int64(14),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(2)}}})
		Expect(err).NotTo(HaveOccurred())
		trialEnd := Epoch.AddDate(0, 0, 14)
		Expect(sub.TrialEnd).To(Equal(trialEnd.Unix()))

		emu.Clock().Set(trialEnd.Add(-lead + time.Minute))
		got := upcomings()
		Expect(got).To(HaveLen(1))
		// The first period after the trial is a month from its end.
		u := got[0]
		Expect(u.created).To(Equal(trialEnd.Add(-lead).Unix()))
		Expect(u.inv.AmountDue).To(Equal(int64(2000)), "the full price, not the trial's zero")
		Expect(u.inv.Lines.Data[0].Period.Start).To(Equal(trialEnd.Unix()))
		types := emu.EventTypes("")
		Expect(types[len(types)-2:]).To(Equal([]string{"customer.subscription.trial_will_end", "invoice.upcoming"}))
	})

	It("sends none for a subscription that cancels at the end of its period", func() {
		cus := customerWithCard(sc, "leaving@example.com", "pm_card_visa", "")
		sub := subscribe(cus)
		_, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())

		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(upcomings()).To(BeEmpty())
	})

	It("sends none for a subscription invoiced by email (send_invoice)", func() {
		cus := customerWithCard(sc, "byemail@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).Add(time.Hour))
		Expect(invoiceCount(sub.ID)).To(Equal(2), "it renewed")
		Expect(upcomings()).To(BeEmpty())
	})

	It("sends it on a test clock too, once per period", func() {
		clock, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		cus := customerWithCard(sc, "clocked@example.com", "pm_card_visa", clock.ID)
		sub := subscribe(cus)
		renewal := Epoch.AddDate(0, 1, 0)
		advance := func(to time.Time) {
			advanceClock(sc, clock.ID, to)
		}
		advance(renewal.Add(-lead + time.Minute))
		got := upcomings()
		Expect(got).To(HaveLen(1))
		expectRenewal(got[0], sub, renewal)
		Expect(invoiceCount(sub.ID)).To(Equal(1), "the announced invoice is not created")

		advance(renewal.AddDate(0, 1, 0).Add(time.Hour))
		got = upcomings()
		Expect(got).To(HaveLen(2))
		expectRenewal(got[1], sub, renewal.AddDate(0, 1, 0))
		Expect(invoiceCount(sub.ID)).To(Equal(3))
	})
})
