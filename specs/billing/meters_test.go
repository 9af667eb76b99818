package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Usage-based billing on the basil API: meters, the events that record
// usage on them, and metered prices billing that usage in arrears.
var _ = Describe("Billing meters and metered prices", Label("billing", "meters"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	newMeter := func(eventName, formula string) *stripe.BillingMeter {
		GinkgoHelper()
		m, err := sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{
			DisplayName: stripe.String("API calls"), EventName: stripe.String(eventName),
			DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String(formula)},
		})
		Expect(err).NotTo(HaveOccurred())
		return m
	}
	record := func(eventName, customer, value string, at time.Time, identifier string) error {
		payload := map[string]string{"stripe_customer_id": customer}
		if value != "" {
			payload["value"] = value
		}
		p := &stripe.BillingMeterEventCreateParams{EventName: stripe.String(eventName), Payload: payload, Timestamp: stripe.Int64(at.Unix())}
		if identifier != "" {
			p.Identifier = stripe.String(identifier)
		}
		_, err := sc.V1BillingMeterEvents.Create(Ctx, p)
		return err
	}
	summary := func(meter, customer string, from, to time.Time, window string) []float64 {
		GinkgoHelper()
		p := &stripe.BillingMeterEventSummaryListParams{ID: stripe.String(meter), Customer: stripe.String(customer),
			StartTime: stripe.Int64(from.Unix()), EndTime: stripe.Int64(to.Unix())}
		if window != "" {
			p.ValueGroupingWindow = stripe.String(window)
		}
		var out []float64
		for s, err := range sc.V1BillingMeterEventSummaries.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			Expect(s.Meter).To(Equal(meter))
			out = append(out, s.AggregatedValue)
		}
		return out
	}
	newCustomer := func(email string) *stripe.Customer { return customerWithCard(sc, email, "pm_card_visa", "") }
	day := Epoch.Truncate(24 * time.Hour) // 2025-09-01 00:00 UTC; the clock is at 12:00

	Describe("meters", func() {
		It("are created, listed, renamed, deactivated and reactivated, each with its event", func() {
			m := newMeter("api_call", "sum")
			Expect(m.ID).To(HavePrefix("mtr_"))
			Expect(m.Status).To(Equal(stripe.BillingMeterStatusActive))
			Expect(m.CustomerMapping.EventPayloadKey).To(Equal("stripe_customer_id"))
			Expect(m.CustomerMapping.Type).To(Equal(stripe.BillingMeterCustomerMappingTypeByID))
			Expect(m.ValueSettings.EventPayloadKey).To(Equal("value"))
			Expect(m.DefaultAggregation.Formula).To(Equal(stripe.BillingMeterDefaultAggregationFormulaSum))

			m, err := sc.V1BillingMeters.Update(Ctx, m.ID, &stripe.BillingMeterUpdateParams{DisplayName: stripe.String("Requests")})
			Expect(err).NotTo(HaveOccurred())
			Expect(m.DisplayName).To(Equal("Requests"))
			m, err = sc.V1BillingMeters.Deactivate(Ctx, m.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(m.Status).To(Equal(stripe.BillingMeterStatusInactive))
			Expect(m.StatusTransitions.DeactivatedAt).To(Equal(Epoch.Unix()))
			_, err = sc.V1BillingMeters.Deactivate(Ctx, m.ID, nil)
			Expect(err).To(HaveOccurred())

			var inactive []string
			for x, err := range sc.V1BillingMeters.List(Ctx, &stripe.BillingMeterListParams{Status: stripe.String("inactive")}) {
				Expect(err).NotTo(HaveOccurred())
				inactive = append(inactive, x.ID)
			}
			Expect(inactive).To(Equal([]string{m.ID}))

			m, err = sc.V1BillingMeters.Reactivate(Ctx, m.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(m.Status).To(Equal(stripe.BillingMeterStatusActive))
			Expect(m.StatusTransitions.DeactivatedAt).To(BeZero())

			var types []string
			for _, ev := range emu.Events("") {
				types = append(types, ev["type"].(string))
			}
			Expect(types).To(Equal([]string{"billing.meter.created", "billing.meter.updated", "billing.meter.deactivated", "billing.meter.reactivated"}))
		})

		It("refuse a second meter for an event name, even once the first is inactive", func() {
			first := newMeter("api_call", "sum")
			_, err := sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{
				DisplayName: stripe.String("Again"), EventName: stripe.String("api_call"),
				DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("sum")},
			})
			ExpectStripeError(err, 400, "invalid_request_error", "", "event_name")
			Expect(emu.Count("", "billing.meter")).To(Equal(1))
			// A deactivated meter keeps its name: "You can only use an
			// event name with a single meter."
			_, err = sc.V1BillingMeters.Deactivate(Ctx, first.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{
				DisplayName: stripe.String("Again"), EventName: stripe.String("api_call"),
				DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("count")},
			})
			ExpectStripeError(err, 400, "invalid_request_error", "", "event_name")
			Expect(emu.Count("", "billing.meter")).To(Equal(1))
			_, err = sc.V1BillingMeters.Reactivate(Ctx, first.ID, nil)
			Expect(err).NotTo(HaveOccurred())
		})

		It("refuse a formula Stripe does not have", func() {
			_, err := sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{
				DisplayName: stripe.String("x"), EventName: stripe.String("x"),
				DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("max")},
			})
			ExpectStripeError(err, 400, "invalid_request_error", "", "default_aggregation[formula]")
			Expect(emu.Count("", "billing.meter")).To(BeZero())
		})
	})

	Describe("meter events and summaries", func() {
		It("aggregate a customer's usage by the meter's formula, per window, newest first", func() {
			sum, count, last := newMeter("tokens", "sum"), newMeter("logins", "count"), newMeter("seats", "last")
			cus, other := newCustomer("a@example.com"), newCustomer("b@example.com")
			for _, e := range []struct {
				name, cus, value string
				at               time.Duration
			}{
				{"tokens", cus.ID, "10", 1 * time.Hour}, {"tokens", cus.ID, "5", 25 * time.Hour}, {"tokens", other.ID, "99", 2 * time.Hour},
				{"logins", cus.ID, "1", 1 * time.Hour}, {"logins", cus.ID, "", 2 * time.Hour}, // a count needs no value
				{"seats", cus.ID, "7", 1 * time.Hour}, {"seats", cus.ID, "3", 3 * time.Hour},
			} {
				Expect(record(e.name, e.cus, e.value, day.Add(-48*time.Hour).Add(e.at), "")).To(Succeed())
			}
			from, to := day.Add(-48*time.Hour), day
			Expect(summary(sum.ID, cus.ID, from, to, "")).To(Equal([]float64{15}))
			Expect(summary(sum.ID, cus.ID, from, to, "day")).To(Equal([]float64{5, 10}))
			Expect(summary(sum.ID, other.ID, from, to, "")).To(Equal([]float64{99}))
			Expect(summary(count.ID, cus.ID, from, to, "")).To(Equal([]float64{2}))
			Expect(summary(last.ID, cus.ID, from, to, "")).To(Equal([]float64{3}))

			for _, err := range sc.V1BillingMeterEventSummaries.List(Ctx, &stripe.BillingMeterEventSummaryListParams{ID: stripe.String(sum.ID),
				Customer: stripe.String(cus.ID), StartTime: stripe.Int64(from.Unix() + 30), EndTime: stripe.Int64(to.Unix())}) {
				ExpectStripeError(err, 400, "invalid_request_error", "", "start_time")
			}
			// Both times off their boundaries: start_time is named, on
			// every request alike.
			for range 16 {
				for _, err := range sc.V1BillingMeterEventSummaries.List(Ctx, &stripe.BillingMeterEventSummaryListParams{ID: stripe.String(sum.ID),
					Customer: stripe.String(cus.ID), StartTime: stripe.Int64(from.Unix() + 30), EndTime: stripe.Int64(to.Unix() + 30)}) {
					ExpectStripeError(err, 400, "invalid_request_error", "", "start_time")
				}
			}
		})

		It("take an identifier once, and a cancellation takes the event back out", func() {
			m := newMeter("tokens", "sum")
			cus := newCustomer("a@example.com")
			Expect(record("tokens", cus.ID, "10", Epoch.Add(-time.Hour), "req-1")).To(Succeed())
			Expect(record("tokens", cus.ID, "4", Epoch.Add(-time.Hour), "req-2")).To(Succeed())
			err := record("tokens", cus.ID, "10", Epoch.Add(-time.Hour), "req-1")
			ExpectStripeError(err, 400, "invalid_request_error", "", "identifier")
			Expect(summary(m.ID, cus.ID, day, day.Add(24*time.Hour), "")).To(Equal([]float64{14}))

			adj, err := sc.V1BillingMeterEventAdjustments.Create(Ctx, &stripe.BillingMeterEventAdjustmentCreateParams{
				EventName: stripe.String("tokens"), Type: stripe.String("cancel"),
				Cancel: &stripe.BillingMeterEventAdjustmentCreateCancelParams{Identifier: stripe.String("req-1")},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(adj.Cancel.Identifier).To(Equal("req-1"))
			Expect(adj.Status).To(Equal(stripe.BillingMeterEventAdjustmentStatusPending), "as Stripe's answer shows it")
			Expect(summary(m.ID, cus.ID, day, day.Add(24*time.Hour), "")).To(Equal([]float64{4}))
		})

		It("refuse values that are not whole numbers and times out of range, keeping nothing", func() {
			m := newMeter("tokens", "sum")
			cus := newCustomer("a@example.com")
			ExpectStripeError(record("tokens", cus.ID, "2.5", Epoch, ""), 400, "invalid_request_error", "", "payload[value]")
			ExpectStripeError(record("tokens", cus.ID, "1", Epoch.Add(-36*24*time.Hour), ""), 400, "invalid_request_error", "", "timestamp")
			ExpectStripeError(record("tokens", cus.ID, "1", Epoch.Add(10*time.Minute), ""), 400, "invalid_request_error", "", "timestamp")
			Expect(summary(m.ID, cus.ID, day.Add(-40*24*time.Hour), day.Add(24*time.Hour), "")).To(Equal([]float64{0}))
		})
	})

	Describe("metered prices", func() {
		var (
			meter   *stripe.BillingMeter
			prod    *stripe.Product
			perCall *stripe.Price
			base    *stripe.Price
		)
		BeforeEach(func() {
			meter = newMeter("api_call", "sum")
			prod, perCall, base = apiPrices(sc, meter.ID)
		})

		It("need a meter, and only metered prices take one", func() {
			_, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(3),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
			Expect(StripeErr(err).Msg).To(Equal("Starting with Stripe version `2025-03-31.basil`, metered prices must be backed by meters."))
			_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(3),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), Meter: stripe.String(meter.ID)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "recurring[meter]")
			_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(3),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String("mtr_test_nope")}})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "recurring[meter]")
			Expect(emu.Count("", "price")).To(Equal(2))
		})

		It("bill the usage of each period in arrears, next to the licensed price billed ahead", func() {
			cus := newCustomer("a@example.com")
			_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(perCall.ID), Quantity: stripe.Int64(1)}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "items[0][quantity]")

			p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(base.ID)}, {Price: stripe.String(perCall.ID)}}}
			p.AddExpand("latest_invoice")
			sub, err := sc.V1Subscriptions.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			raw, _ := emu.Get(sub.ID)
			meteredItem := raw["items"].(map[string]any)["data"].([]any)[1].(map[string]any)
			Expect(meteredItem).NotTo(HaveKey("quantity"), "a metered item bills usage, not a quantity")

			first := sub.LatestInvoice
			Expect(first.AmountDue).To(Equal(int64(1000)), "no usage yet")
			Expect(first.Lines.Data).To(HaveLen(2))
			Expect(first.Lines.Data[1].Quantity).To(BeZero())
			Expect(first.Lines.Data[1].Amount).To(BeZero())

			periodStart, periodEnd := sub.Items.Data[0].CurrentPeriodStart, sub.Items.Data[0].CurrentPeriodEnd
			Expect(record("api_call", cus.ID, "100", Epoch, "")).To(Succeed())
			emu.Clock().Advance(10 * 24 * time.Hour)
			Expect(record("api_call", cus.ID, "150", emu.Clock().Now(), "")).To(Succeed())

			// The preview of the next invoice shows the usage so far.
			preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(preview.AmountDue).To(Equal(int64(1000 + 250*3)))

			emu.Clock().Set(time.Unix(periodEnd, 0).Add(2 * time.Hour))
			Expect(record("api_call", cus.ID, "7", emu.Clock().Now(), "")).To(Succeed()) // the next period's

			sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
			Expect(err).NotTo(HaveOccurred())
			renewal := sub.LatestInvoice
			Expect(renewal.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
			Expect(renewal.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(renewal.AmountPaid).To(Equal(int64(1000 + 250*3)))
			usage := renewal.Lines.Data[1]
			Expect(usage.Quantity).To(Equal(int64(250)))
			Expect(usage.Amount).To(Equal(int64(750)))
			Expect(usage.Period.Start).To(Equal(periodStart), "usage is billed for the period that ended")
			Expect(usage.Period.End).To(Equal(periodEnd))
			Expect(renewal.Lines.Data[0].Period.Start).To(Equal(periodEnd), "the licensed price, for the period ahead")
		})

		It("bill only the usage after an item switched to another metered price", func() {
			cheaper, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
				Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(2),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String(meter.ID)},
			})
			Expect(err).NotTo(HaveOccurred())
			cus := newCustomer("a@example.com")
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(perCall.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(record("api_call", cus.ID, "100", Epoch, "")).To(Succeed())
			emu.Clock().Advance(24 * time.Hour)
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{Items: []*stripe.SubscriptionUpdateItemParams{
				{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(cheaper.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(record("api_call", cus.ID, "10", emu.Clock().Now(), "")).To(Succeed())
			emu.Clock().Set(time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).Add(2 * time.Hour))
			sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.LatestInvoice.Lines.Data[0].Quantity).To(Equal(int64(10)))
			Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(20)))
		})

		It("bill a period whose usage came to less than zero as none, as Stripe documents negative corrections", func() {
			cus := newCustomer("a@example.com")
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(base.ID)}, {Price: stripe.String(perCall.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(record("api_call", cus.ID, "10", Epoch, "")).To(Succeed())
			Expect(record("api_call", cus.ID, "-25", Epoch, "")).To(Succeed()) // a correction past what was used

			preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(preview.Lines.Data[1].Quantity).To(BeZero())
			Expect(preview.AmountDue).To(Equal(int64(1000)))

			emu.Clock().Set(time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).Add(2 * time.Hour))
			sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
			Expect(err).NotTo(HaveOccurred())
			usage := sub.LatestInvoice.Lines.Data[1]
			Expect(usage.Quantity).To(BeZero(), "a negative total is reported as 0")
			Expect(usage.Amount).To(BeZero())
			Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1000)))
			// The meter itself still shows the total as recorded.
			Expect(summary(meter.ID, cus.ID, day, day.Add(24*time.Hour), "")).To(Equal([]float64{-15}))
		})

		It("bill the last period's usage when the subscription ends, at period end or at once with invoice_now", func() {
			cus := newCustomer("a@example.com")
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(perCall.ID)}}, CancelAtPeriodEnd: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(record("api_call", cus.ID, "40", Epoch, "")).To(Succeed())
			emu.Clock().Set(time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).Add(time.Hour))
			sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled))
			Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(120)))
			Expect(sub.LatestInvoice.Lines.Data).To(HaveLen(1))

			other := newCustomer("b@example.com")
			sub, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(other.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(perCall.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(record("api_call", other.ID, "5", emu.Clock().Now(), "")).To(Succeed())
			emu.Clock().Advance(time.Hour)
			sub, err = sc.V1Subscriptions.Cancel(Ctx, sub.ID, &stripe.SubscriptionCancelParams{InvoiceNow: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(inv.AmountPaid).To(Equal(int64(15)))
		})
	})
})
