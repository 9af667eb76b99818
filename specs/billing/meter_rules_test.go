package billing_test

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Usage-based billing rules as Stripe documents them, beyond the happy
// path: which meter an event counts for, pre-aggregated meters, and the
// limits Stripe's API reference sets on meters, events and adjustments.
var _ = Describe("Billing meter rules", Label("billing", "meters"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("usage@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})
	day := Epoch.Truncate(24 * time.Hour) // 2025-09-01 00:00 UTC; the clock is at 12:00

	meterParams := func(eventName, formula string) *stripe.BillingMeterCreateParams {
		return &stripe.BillingMeterCreateParams{DisplayName: stripe.String("Usage"), EventName: stripe.String(eventName),
			DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String(formula)}}
	}
	newMeter := func(p *stripe.BillingMeterCreateParams) *stripe.BillingMeter {
		GinkgoHelper()
		m, err := sc.V1BillingMeters.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return m
	}
	// meteredPrice is 3¢ a unit of the meter's usage a month, on a new
	// product.
	meteredPrice := func(meterID string) *stripe.Price {
		GinkgoHelper()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("API")})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(3),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String(meterID)}})
		Expect(err).NotTo(HaveOccurred())
		return price
	}
	record := func(eventName, value string, at time.Time) {
		GinkgoHelper()
		_, err := sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String(eventName),
			Payload: map[string]string{"stripe_customer_id": cus.ID, "value": value}, Timestamp: stripe.Int64(at.Unix())})
		Expect(err).NotTo(HaveOccurred())
	}
	total := func(meter string, from, to time.Time) float64 {
		GinkgoHelper()
		var sum float64
		for s, err := range sc.V1BillingMeterEventSummaries.List(Ctx, &stripe.BillingMeterEventSummaryListParams{ID: stripe.String(meter),
			Customer: stripe.String(cus.ID), StartTime: stripe.Int64(from.Unix()), EndTime: stripe.Int64(to.Unix())}) {
			Expect(err).NotTo(HaveOccurred())
			sum += s.AggregatedValue
		}
		return sum
	}
	// meteredSubscription subscribes a new card customer to 3 cents a call,
	// counted by a new "calls" meter.
	meteredSubscription := func() (*stripe.Customer, *stripe.Subscription) {
		GinkgoHelper()
		m := newMeter(meterParams("calls", "sum"))
		price := meteredPrice(m.ID)
		payer := customerWithCard(sc, "payer@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(payer.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		return payer, sub
	}

	It("counts no event sent while its meter was inactive, once the meter is active again", func() {
		first := newMeter(meterParams("calls", "sum"))
		record("calls", "5", Epoch.Add(-time.Hour))
		_, err := sc.V1BillingMeters.Deactivate(Ctx, first.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		record("calls", "7", Epoch.Add(-time.Hour)) // accepted; Stripe reports it later, no meter takes it
		_, err = sc.V1BillingMeters.Reactivate(Ctx, first.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(total(first.ID, day, day.Add(24*time.Hour))).To(Equal(5.0), "the event sent while the meter was inactive")
		record("calls", "3", Epoch.Add(-time.Hour))
		Expect(total(first.ID, day, day.Add(24*time.Hour))).To(Equal(8.0))
	})

	It("refuses to attach a deactivated meter to a new price or plan", func() {
		m := newMeter(meterParams("calls", "sum"))
		_, err := sc.V1BillingMeters.Deactivate(Ctx, m.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("API")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(3),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String(m.ID)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "recurring[meter]")
		_, err = sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{ProductID: stripe.String(prod.ID),
			Currency: stripe.String("usd"), Amount: stripe.Int64(3), Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String(m.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "meter")
		Expect(emu.Count("", "price")).To(BeZero())

		_, err = sc.V1BillingMeters.Reactivate(Ctx, m.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(3),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String(m.ID)}})
		Expect(err).NotTo(HaveOccurred())
	})

	It("pre-aggregates by event_time_window: the event sent last in an hour or a day stands for it", func() {
		p := meterParams("gpu_hours", "sum")
		p.EventTimeWindow = stripe.String("hour")
		hourly := newMeter(p)
		Expect(hourly.EventTimeWindow).To(Equal(stripe.BillingMeterEventTimeWindowHour))
		p = meterParams("storage_gb", "sum")
		p.EventTimeWindow = stripe.String("day")
		daily := newMeter(p)
		raw := newMeter(meterParams("requests", "sum"))

		base := day.Add(-48 * time.Hour)
		for _, name := range []string{"gpu_hours", "storage_gb", "requests"} {
			record(name, "9", base.Add(50*time.Minute))
			record(name, "4", base.Add(10*time.Minute)) // sent later, earlier in the hour: it overwrites
			record(name, "6", base.Add(65*time.Minute))
		}
		from, to := base, base.Add(24*time.Hour)
		Expect(total(hourly.ID, from, to)).To(Equal(10.0), "4 for the first hour, 6 for the second")
		Expect(total(daily.ID, from, to)).To(Equal(6.0), "the day's last event")
		Expect(total(raw.ID, from, to)).To(Equal(19.0), "raw events each count")
	})

	It("refuses an identifier taken in the last 24 hours with Stripe's message", func() {
		newMeter(meterParams("calls", "sum"))
		p := &stripe.BillingMeterEventCreateParams{EventName: stripe.String("calls"),
			Payload: map[string]string{"stripe_customer_id": cus.ID, "value": "2"}, Identifier: stripe.String("calls:org_1:1756000000")}
		_, err := sc.V1BillingMeterEvents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BillingMeterEvents.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "identifier")
		// As Stripe answers it (quoted in langfuse/langfuse#16292).
		Expect(StripeErr(err).Msg).To(Equal("An event already exists with identifier calls:org_1:1756000000."))
	})

	It("bills usage reported in the renewal's finalization grace hour for the period that ended", func() {
		payer, sub := meteredSubscription()
		var err error
		send := func(value string, at time.Time) {
			GinkgoHelper()
			_, err := sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("calls"),
				Payload: map[string]string{"stripe_customer_id": payer.ID, "value": value}, Timestamp: stripe.Int64(at.Unix())})
			Expect(err).NotTo(HaveOccurred())
		}
		send("10", Epoch)
		periodEnd := time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0)
		emu.Clock().Set(periodEnd.Add(time.Minute)) // the renewal's draft is made
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		draft, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(draft.Status).To(Equal(stripe.InvoiceStatusDraft))
		Expect(draft.AmountDue).To(Equal(int64(30)))

		send("5", periodEnd.Add(-time.Minute)) // late, for the period that ended
		send("7", periodEnd.Add(time.Minute))  // the new period's
		emu.Clock().Set(periodEnd.Add(2 * time.Hour))
		inv, err := sc.V1Invoices.Retrieve(Ctx, draft.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.Lines.Data[0].Quantity).To(Equal(int64(15)))
		Expect(inv.Lines.Data[0].Amount).To(Equal(int64(45)))
		Expect(inv.AmountPaid).To(Equal(int64(45)))
	})

	It("times a test-clock customer's meter events by the clock, so the usage of each of its periods is billed", func() {
		m := newMeter(meterParams("calls", "sum"))
		price := meteredPrice(m.ID)
		clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		payer := customerWithCard(sc, "clocked@example.com", "pm_card_visa", clk.ID)
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(payer.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		advance := func(to time.Time) {
			GinkgoHelper()
			_, err := sc.V1TestHelpersTestClocks.Advance(Ctx, clk.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(to.Unix())})
			Expect(err).NotTo(HaveOccurred())
		}
		send := func(value string, at *time.Time) (*stripe.BillingMeterEvent, error) {
			p := &stripe.BillingMeterEventCreateParams{EventName: stripe.String("calls"),
				Payload: map[string]string{"stripe_customer_id": payer.ID, "value": value}}
			if at != nil {
				p.Timestamp = stripe.Int64(at.Unix())
			}
			return sc.V1BillingMeterEvents.Create(Ctx, p)
		}
		// In the second period, 40 days on by the clock (the emulator's
		// own clock has not moved): an event at the clock's time is not
		// "in the future", and one without a timestamp takes the clock's.
		second := time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).Add(10 * 24 * time.Hour)
		advance(second)
		_, err = send("4", &second)
		Expect(err).NotTo(HaveOccurred())
		ev, err := send("6", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ev.Timestamp).To(Equal(second.Unix()))
		// The window is the clock's: more than 5 minutes past its time is
		// too far ahead, more than 35 days before it too old.
		ahead, old := second.Add(10*time.Minute), second.Add(-36*24*time.Hour)
		_, err = send("1", &ahead)
		ExpectStripeError(err, 400, "invalid_request_error", "", "timestamp")
		_, err = send("1", &old)
		ExpectStripeError(err, 400, "invalid_request_error", "", "timestamp")

		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		advance(time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).Add(2 * time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		renewal := sub.LatestInvoice
		Expect(renewal.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(renewal.Lines.Data[0].Quantity).To(Equal(int64(10)), "the second period's usage")
		Expect(renewal.AmountPaid).To(Equal(int64(30)))
	})

	It("refuses a quantity on a previewed metered item, naming the item as it was sent", func() {
		_, sub := meteredSubscription()
		_, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
			SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{Items: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{
				{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(2)}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "subscription_details[items][0][quantity]")
		// Stripe's words, the item quoted as sent (as for line_items[0] in Checkout).
		Expect(StripeErr(err).Msg).To(Equal("Quantity should not be specified where usage_type is `metered`. Remove quantity from `subscription_details[items][0]`."))
	})

	It("names the meter's old updated time among the previous attributes of each change", func() {
		m := newMeter(meterParams("calls", "sum"))
		emu.Clock().Advance(time.Hour)
		m, err := sc.V1BillingMeters.Update(Ctx, m.ID, &stripe.BillingMeterUpdateParams{DisplayName: stripe.String("Requests")})
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Updated).To(Equal(Epoch.Add(time.Hour).Unix()))
		emu.Clock().Advance(time.Hour)
		_, err = sc.V1BillingMeters.Deactivate(Ctx, m.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		var prevs []map[string]any
		for _, ev := range emu.Events("") {
			if t := ev["type"].(string); t == "billing.meter.updated" || t == "billing.meter.deactivated" {
				prevs = append(prevs, ev["data"].(map[string]any)["previous_attributes"].(map[string]any))
			}
		}
		Expect(prevs).To(HaveLen(2))
		Expect(prevs[0]).To(HaveKeyWithValue("display_name", "Usage"))
		Expect(prevs[0]).To(HaveKeyWithValue("updated", BeNumerically("==", Epoch.Unix())))
		Expect(prevs[1]).To(HaveKeyWithValue("status", "active"))
		Expect(prevs[1]).To(HaveKeyWithValue("updated", BeNumerically("==", Epoch.Add(time.Hour).Unix())))
	})

	It("refuses a timestamp more than 35 days old in Stripe's words, naming the earliest it takes", func() {
		newMeter(meterParams("calls", "sum"))
		send := func(at time.Time) error {
			_, err := sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("calls"),
				Payload: map[string]string{"stripe_customer_id": cus.ID, "value": "1"}, Timestamp: stripe.Int64(at.Unix())})
			return err
		}
		earliest := Epoch.Add(-35 * 24 * time.Hour)
		Expect(send(earliest)).To(Succeed())
		err := send(earliest.Add(-time.Second))
		ExpectStripeError(err, 400, "invalid_request_error", "", "timestamp")
		// As Stripe answers it (quoted in the-answerai/theanswer#624).
		Expect(StripeErr(err).Msg).To(Equal(fmt.Sprintf("The event timestamp cannot be more than 35 days in past. Expected a timestamp greater than or equal to %d.", earliest.Unix())))
		Expect(send(Epoch.Add(5 * time.Minute))).To(Succeed())
		err = send(Epoch.Add(5*time.Minute + time.Second))
		ExpectStripeError(err, 400, "invalid_request_error", "", "timestamp")
		Expect(StripeErr(err).Msg).To(ContainSubstring("5 minutes in the future"))
	})

	It("shows in create_preview the billing credits the next invoice will take, taking none", func() {
		payer, sub := meteredSubscription()
		_, err := sc.V1BillingCreditGrants.Create(Ctx, &stripe.BillingCreditGrantCreateParams{Customer: stripe.String(payer.ID), Category: stripe.String("promotional"),
			Amount: &stripe.BillingCreditGrantCreateAmountParams{Type: stripe.String("monetary"),
				Monetary: &stripe.BillingCreditGrantCreateAmountMonetaryParams{Currency: stripe.String("usd"), Value: stripe.Int64(200)}},
			ApplicabilityConfig: &stripe.BillingCreditGrantCreateApplicabilityConfigParams{
				Scope: &stripe.BillingCreditGrantCreateApplicabilityConfigScopeParams{PriceType: stripe.String("metered")}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("calls"),
			Payload: map[string]string{"stripe_customer_id": payer.ID, "value": "100"}})
		Expect(err).NotTo(HaveOccurred())

		preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(preview.Subtotal).To(Equal(int64(300)))
		Expect(preview.AmountDue).To(Equal(int64(100)), "200 of credit off the 300 of usage")
		Expect(preview.TotalPretaxCreditAmounts).To(HaveLen(1))
		Expect(preview.TotalPretaxCreditAmounts[0].Amount).To(Equal(int64(200)))
		Expect(preview.TotalPretaxCreditAmounts[0].Type).To(Equal(stripe.InvoiceTotalPretaxCreditAmountTypeCreditBalanceTransaction))

		summary, err := sc.V1BillingCreditBalanceSummary.Retrieve(Ctx, &stripe.BillingCreditBalanceSummaryRetrieveParams{Customer: stripe.String(payer.ID),
			Filter: &stripe.BillingCreditBalanceSummaryRetrieveFilterParams{Type: stripe.String("applicability_scope"),
				ApplicabilityScope: &stripe.BillingCreditBalanceSummaryRetrieveFilterApplicabilityScopeParams{PriceType: stripe.String("metered")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(summary.Balances[0].AvailableBalance.Monetary.Value).To(Equal(int64(200)), "a preview takes nothing")
	})

	It("requires the type of a meter event adjustment", func() {
		m := newMeter(meterParams("calls", "sum"))
		_, err := sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("calls"),
			Payload: map[string]string{"stripe_customer_id": cus.ID, "value": "2"}, Identifier: stripe.String("e-1")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BillingMeterEventAdjustments.Create(Ctx, &stripe.BillingMeterEventAdjustmentCreateParams{EventName: stripe.String("calls"),
			Cancel: &stripe.BillingMeterEventAdjustmentCreateCancelParams{Identifier: stripe.String("e-1")}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "type")
		Expect(total(m.ID, day, day.Add(24*time.Hour))).To(Equal(2.0), "nothing canceled")
	})

	It("holds names, payload keys and identifiers to the lengths in Stripe's API reference", func() {
		long := func(n int) string { return strings.Repeat("a", n) }
		tooLong := func(err error, param string, limit int) {
			GinkgoHelper()
			ExpectStripeError(err, 400, "invalid_request_error", "", param)
			Expect(StripeErr(err).Msg).To(Equal("Invalid string: aaaa...aaaa; must be at most " + map[int]string{100: "100", 250: "250", 256: "256"}[limit] + " characters"))
		}
		p := meterParams("calls", "sum")
		p.DisplayName = stripe.String(long(251))
		_, err := sc.V1BillingMeters.Create(Ctx, p)
		tooLong(err, "display_name", 250)
		_, err = sc.V1BillingMeters.Create(Ctx, meterParams(long(101), "sum"))
		tooLong(err, "event_name", 100)
		p = meterParams("calls", "sum")
		p.CustomerMapping = &stripe.BillingMeterCreateCustomerMappingParams{EventPayloadKey: stripe.String(long(101)), Type: stripe.String("by_id")}
		_, err = sc.V1BillingMeters.Create(Ctx, p)
		tooLong(err, "customer_mapping[event_payload_key]", 100)
		p = meterParams("calls", "sum")
		p.ValueSettings = &stripe.BillingMeterCreateValueSettingsParams{EventPayloadKey: stripe.String(long(101))}
		_, err = sc.V1BillingMeters.Create(Ctx, p)
		tooLong(err, "value_settings[event_payload_key]", 100)
		Expect(emu.Count("", "billing.meter")).To(BeZero())

		m := newMeter(meterParams("calls", "sum"))
		_, err = sc.V1BillingMeters.Update(Ctx, m.ID, &stripe.BillingMeterUpdateParams{DisplayName: stripe.String(long(251))})
		tooLong(err, "display_name", 250)
		_, err = sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("calls"),
			Payload: map[string]string{"stripe_customer_id": cus.ID, "value": "1"}, Identifier: stripe.String(long(101))})
		tooLong(err, "identifier", 100)
		_, err = sc.V1BillingMeterEventAdjustments.Create(Ctx, &stripe.BillingMeterEventAdjustmentCreateParams{EventName: stripe.String("calls"),
			Type: stripe.String("cancel"), Cancel: &stripe.BillingMeterEventAdjustmentCreateCancelParams{Identifier: stripe.String(long(101))}})
		tooLong(err, "cancel[identifier]", 100)
		_, err = sc.V1BillingAlerts.Create(Ctx, &stripe.BillingAlertCreateParams{AlertType: stripe.String("usage_threshold"), Title: stripe.String(long(257)),
			UsageThreshold: &stripe.BillingAlertCreateUsageThresholdParams{GTE: stripe.Int64(1), Meter: stripe.String(m.ID), Recurrence: stripe.String("one_time")}})
		tooLong(err, "title", 256)
		_, err = sc.V1BillingCreditGrants.Create(Ctx, &stripe.BillingCreditGrantCreateParams{Customer: stripe.String(cus.ID), Category: stripe.String("promotional"),
			Name: stripe.String(long(101)),
			Amount: &stripe.BillingCreditGrantCreateAmountParams{Type: stripe.String("monetary"),
				Monetary: &stripe.BillingCreditGrantCreateAmountMonetaryParams{Currency: stripe.String("usd"), Value: stripe.Int64(500)}},
			ApplicabilityConfig: &stripe.BillingCreditGrantCreateApplicabilityConfigParams{
				Scope: &stripe.BillingCreditGrantCreateApplicabilityConfigScopeParams{PriceType: stripe.String("metered")}}})
		tooLong(err, "name", 100)
	})

	It("answers event summaries of an unknown customer with No such customer", func() {
		m := newMeter(meterParams("calls", "sum"))
		for _, err := range sc.V1BillingMeterEventSummaries.List(Ctx, &stripe.BillingMeterEventSummaryListParams{ID: stripe.String(m.ID),
			Customer: stripe.String("cus_nope"), StartTime: stripe.Int64(day.Unix()), EndTime: stripe.Int64(day.Add(time.Hour).Unix())}) {
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "customer")
			Expect(StripeErr(err).Msg).To(Equal("No such customer: 'cus_nope'"))
		}
	})

	It("reports streamed events naming no customer or an unknown one, with Stripe's summary, and counts neither", func() {
		m := newMeter(meterParams("calls", "sum"))
		session, err := sc.V2BillingMeterEventSessions.Create(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.ClientWithKey(session.AuthenticationToken).V2BillingMeterEventStreams.Create(Ctx, &stripe.V2BillingMeterEventStreamCreateParams{
			Events: []*stripe.V2BillingMeterEventStreamCreateEventParams{
				{EventName: stripe.String("calls"), Identifier: stripe.String("nobody"), Payload: map[string]string{"value": "1"}},
				{EventName: stripe.String("calls"), Identifier: stripe.String("stranger"), Payload: map[string]string{"stripe_customer_id": "cus_nope", "value": "1"}},
				{EventName: stripe.String("calls"), Identifier: stripe.String("fine"), Payload: map[string]string{"stripe_customer_id": cus.ID, "value": "2"}},
			}})).To(Succeed())
		var reports []*stripe.V1BillingMeterErrorReportTriggeredEvent
		for ev, err := range sc.V2CoreEvents.List(Ctx, &stripe.V2CoreEventListParams{ObjectID: stripe.String(m.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			reports = append(reports, ev.(*stripe.V1BillingMeterErrorReportTriggeredEvent))
		}
		Expect(reports).To(HaveLen(1))
		data := reports[0].Data
		Expect(data.DeveloperMessageSummary).To(Equal("There are 2 invalid events"))
		Expect(data.Reason.ErrorCount).To(Equal(int64(2)))
		byCode := map[string]string{}
		for _, t := range data.Reason.ErrorTypes {
			byCode[string(t.Code)] = t.SampleErrors[0].ErrorMessage
		}
		Expect(byCode).To(HaveKeyWithValue("meter_event_no_customer_defined", "Customer mapping key stripe_customer_id not found in payload."))
		Expect(byCode).To(HaveKey("meter_event_customer_not_found"))
		Expect(total(m.ID, day, day.Add(24*time.Hour))).To(Equal(2.0))
	})

	It("takes v1 and v2 meter events it cannot use, and reports them afterwards as Stripe's asynchronous validation does", func() {
		m := newMeter(meterParams("calls", "sum"))
		reports := func() []*stripe.V1BillingMeterErrorReportTriggeredEvent {
			GinkgoHelper()
			var out []*stripe.V1BillingMeterErrorReportTriggeredEvent
			for ev, err := range sc.V2CoreEvents.List(Ctx, &stripe.V2CoreEventListParams{ObjectID: stripe.String(m.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				if r, ok := ev.(*stripe.V1BillingMeterErrorReportTriggeredEvent); ok {
					out = append(out, r)
				}
			}
			return out
		}
		_, err := sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("calls"),
			Identifier: stripe.String("nobody"), Payload: map[string]string{"value": "1"}})
		Expect(err).NotTo(HaveOccurred(), "accepted: Stripe validates the payload's customer later")
		_, err = sc.V2BillingMeterEvents.Create(Ctx, &stripe.V2BillingMeterEventCreateParams{EventName: stripe.String("calls"),
			Identifier: stripe.String("stranger"), Payload: map[string]string{"stripe_customer_id": "cus_nope", "value": "1"}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("calls"),
			Identifier: stripe.String("valueless"), Payload: map[string]string{"stripe_customer_id": cus.ID}})
		Expect(err).NotTo(HaveOccurred())
		record("calls", "2", Epoch) // a good one reports nothing

		got := reports()
		Expect(got).To(HaveLen(3))
		codes := map[string]string{}
		for _, r := range got {
			Expect(r.Data.Reason.ErrorTypes).To(HaveLen(1))
			t := r.Data.Reason.ErrorTypes[0]
			codes[t.SampleErrors[0].Request.Identifier] = string(t.Code)
		}
		Expect(codes).To(Equal(map[string]string{"nobody": "meter_event_no_customer_defined",
			"stranger": "meter_event_customer_not_found", "valueless": "meter_event_invalid_value"}))
		Expect(total(m.ID, day, day.Add(24*time.Hour))).To(Equal(2.0))

		_, err = sc.V1BillingMeters.Deactivate(Ctx, m.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		record("calls", "5", Epoch)
		got = reports()
		Expect(got).To(HaveLen(4))
		Expect(string(got[0].Data.Reason.ErrorTypes[0].Code)).To(Equal("archived_meter"), "newest first")
	})

	It("reports a streamed event for a deactivated meter as archived_meter on that meter", func() {
		m := newMeter(meterParams("calls", "sum"))
		_, err := sc.V1BillingMeters.Deactivate(Ctx, m.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		session, err := sc.V2BillingMeterEventSessions.Create(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.ClientWithKey(session.AuthenticationToken).V2BillingMeterEventStreams.Create(Ctx, &stripe.V2BillingMeterEventStreamCreateParams{
			Events: []*stripe.V2BillingMeterEventStreamCreateEventParams{{EventName: stripe.String("calls"), Identifier: stripe.String("s-1"),
				Payload: map[string]string{"stripe_customer_id": cus.ID, "value": "1"}}}})).To(Succeed())
		var reports []*stripe.V1BillingMeterErrorReportTriggeredEvent
		for ev, err := range sc.V2CoreEvents.List(Ctx, &stripe.V2CoreEventListParams{ObjectID: stripe.String(m.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			if r, ok := ev.(*stripe.V1BillingMeterErrorReportTriggeredEvent); ok {
				reports = append(reports, r)
			}
		}
		Expect(reports).To(HaveLen(1))
		Expect(reports[0].Data.Reason.ErrorTypes).To(HaveLen(1))
		Expect(string(reports[0].Data.Reason.ErrorTypes[0].Code)).To(Equal("archived_meter"))
		Expect(total(m.ID, day, day.Add(24*time.Hour))).To(BeZero())
	})
	It("bills the usage of a period a cancel_at ends early when the subscription ends there, as at a period's end", func() {
		payer, sub := meteredSubscription()
		cancelAt := Epoch.Add(10 * 24 * time.Hour)
		sub, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAt: stripe.Int64(cancelAt.Unix())})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("calls"),
			Payload: map[string]string{"stripe_customer_id": payer.ID, "value": "7"}, Timestamp: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(cancelAt.Add(time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		final := sub.LatestInvoice
		Expect(final.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(final.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(final.Lines.Data).To(HaveLen(1))
		Expect(final.Lines.Data[0].Quantity).To(Equal(int64(7)))
		Expect(final.Lines.Data[0].Period.Start).To(Equal(Epoch.Unix()))
		Expect(final.Lines.Data[0].Period.End).To(Equal(cancelAt.Unix()))
		Expect(final.AmountPaid).To(Equal(int64(21)))
	})

	It("bills the usage so far on the invoice a new billing cycle starts with (billing_cycle_anchor=now), as a renewal bills it", func() {
		payer, sub := meteredSubscription()
		_, err := sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("calls"),
			Payload: map[string]string{"stripe_customer_id": payer.ID, "value": "10"}, Timestamp: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(5 * 24 * time.Hour)
		p := &stripe.SubscriptionUpdateParams{BillingCycleAnchorNow: stripe.Bool(true)}
		p.AddExpand("latest_invoice")
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		inv := sub.LatestInvoice
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
		Expect(inv.Lines.Data).To(HaveLen(1))
		Expect(inv.Lines.Data[0].Quantity).To(Equal(int64(10)))
		Expect(inv.Lines.Data[0].Period.Start).To(Equal(Epoch.Unix()))
		Expect(inv.Lines.Data[0].Period.End).To(Equal(emu.Clock().Now().Unix()))
		Expect(inv.AmountPaid).To(Equal(int64(30)))

		// Billed once: the next renewal bills only what came after.
		emu.Clock().Set(time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).Add(2 * time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(sub.LatestInvoice.AmountDue).To(BeZero())
	})

	It("names event summaries with Stripe's test-mode prefix", func() {
		m := newMeter(meterParams("calls", "sum"))
		record("calls", "5", Epoch)
		for s, err := range sc.V1BillingMeterEventSummaries.List(Ctx, &stripe.BillingMeterEventSummaryListParams{ID: stripe.String(m.ID),
			Customer: stripe.String(cus.ID), StartTime: stripe.Int64(day.Unix()), EndTime: stripe.Int64(day.Add(24 * time.Hour).Unix()),
			ValueGroupingWindow: stripe.String("hour")}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(s.ID).To(HavePrefix("mtrusg_test_"))
			Expect(s.ID).NotTo(ContainSubstring(cus.ID), "an opaque id, as Stripe's")
		}
	})
	It("cancels the event sent last under an identifier taken again once its 24 hours had passed", func() {
		m := newMeter(meterParams("calls", "sum"))
		p := &stripe.BillingMeterEventCreateParams{EventName: stripe.String("calls"),
			Payload: map[string]string{"stripe_customer_id": cus.ID, "value": "2"}, Identifier: stripe.String("again")}
		_, err := sc.V1BillingMeterEvents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(25 * time.Hour)
		p.Payload["value"] = "3"
		_, err = sc.V1BillingMeterEvents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BillingMeterEventAdjustments.Create(Ctx, &stripe.BillingMeterEventAdjustmentCreateParams{EventName: stripe.String("calls"),
			Type: stripe.String("cancel"), Cancel: &stripe.BillingMeterEventAdjustmentCreateCancelParams{Identifier: stripe.String("again")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(total(m.ID, day, day.Add(48*time.Hour))).To(Equal(2.0), "the second event is canceled, the first still counts")
	})
	It("bills no usage reported during a trial on the invoice ending a trialing subscription, as its renewal bills none", func() {
		m := newMeter(meterParams("calls", "sum"))
		price := meteredPrice(m.ID)
		for _, how := range []string{"at the trial's end", "at once with invoice_now"} {
			payer := customerWithCard(sc, "trial@example.com", "pm_card_visa", "")
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(payer.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}, TrialPeriodDays: stripe.Int64(7),
				CancelAtPeriodEnd: stripe.Bool(how == "at the trial's end")})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("calls"),
				Payload: map[string]string{"stripe_customer_id": payer.ID, "value": "9"}})
			Expect(err).NotTo(HaveOccurred())
			if how == "at the trial's end" {
				emu.Clock().Advance(8 * 24 * time.Hour)
			} else {
				emu.Clock().Advance(24 * time.Hour)
				_, err = sc.V1Subscriptions.Cancel(Ctx, sub.ID, &stripe.SubscriptionCancelParams{InvoiceNow: stripe.Bool(true)})
				Expect(err).NotTo(HaveOccurred())
			}
			sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled), how)
			var billed int64
			for inv, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Subscription: stripe.String(sub.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				billed += inv.Total
			}
			Expect(billed).To(BeZero(), how)
		}
	})
})
