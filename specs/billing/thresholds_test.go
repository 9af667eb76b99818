package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Billing thresholds: usage that reaches a subscription's amount_gte (or
// an item's usage_gte) is billed at once on a subscription_threshold
// invoice, and the period's own invoice bills only the usage after it.
var _ = Describe("Subscription billing thresholds", Label("billing", "meters"), func() {
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		clk     *stripe.TestHelpersTestClock
		cus     *stripe.Customer
		perCall *stripe.Price
		base    *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		meter, err := sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{
			DisplayName: stripe.String("API calls"), EventName: stripe.String("api_call"),
			DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("sum")},
		})
		Expect(err).NotTo(HaveOccurred())
		_, perCall, base = apiPrices(sc, meter.ID)
		clk, err = sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "t@example.com", "pm_card_visa", clk.ID)
	})
	record := func(value string) {
		GinkgoHelper()
		_, err := sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("api_call"),
			Payload: map[string]string{"stripe_customer_id": cus.ID, "value": value}})
		Expect(err).NotTo(HaveOccurred())
	}
	invoicesOf := func(sub string) []*stripe.Invoice {
		GinkgoHelper()
		var out []*stripe.Invoice
		for inv, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Subscription: stripe.String(sub)}) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, inv)
		}
		return out
	}
	eventsOf := func(typ, invoice string) int {
		n := 0
		for _, ev := range emu.Events("") {
			if ev["type"] == typ && ev["data"].(map[string]any)["object"].(map[string]any)["id"] == invoice {
				n++
			}
		}
		return n
	}

	It("bill the usage that reaches amount_gte at once, and only the usage after it at period end", func() {
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:             []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(base.ID)}, {Price: stripe.String(perCall.ID)}},
			BillingThresholds: &stripe.SubscriptionCreateBillingThresholdsParams{AmountGTE: stripe.Int64(600)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.BillingThresholds).NotTo(BeNil())
		Expect(sub.BillingThresholds.AmountGTE).To(Equal(int64(600)))
		Expect(sub.BillingThresholds.ResetBillingCycleAnchor).To(BeFalse())
		periodStart, periodEnd := sub.Items.Data[0].CurrentPeriodStart, sub.Items.Data[0].CurrentPeriodEnd

		record("100") // 300 accrued: under the threshold
		Expect(invoicesOf(sub.ID)).To(HaveLen(1), "the first invoice alone")

		advanceClock(sc, clk.ID, Epoch.Add(5*24*time.Hour))
		record("150") // 750 accrued: reaches 600
		invs := invoicesOf(sub.ID)
		Expect(invs).To(HaveLen(2))
		th := invs[0]
		Expect(th.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionThreshold))
		Expect(th.Created).To(Equal(Epoch.Add(5*24*time.Hour).Unix()), "made at the clock's time")
		Expect(th.Status).To(Equal(stripe.InvoiceStatusPaid), "charged as a renewal's invoice is")
		Expect(th.AmountPaid).To(Equal(int64(750)))
		Expect(th.Lines.Data).To(HaveLen(1), "the usage alone, not the licensed price")
		Expect(th.Lines.Data[0].Quantity).To(Equal(int64(250)))
		Expect(th.Lines.Data[0].Period.Start).To(Equal(periodStart))
		Expect(th.ThresholdReason).NotTo(BeNil())
		Expect(th.ThresholdReason.AmountGTE).To(Equal(int64(600)))
		Expect(th.ThresholdReason.ItemReasons).To(BeEmpty())
		Expect(eventsOf("invoice.created", th.ID)).To(Equal(1))
		Expect(eventsOf("invoice.paid", th.ID)).To(Equal(1))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LatestInvoice.ID).To(Equal(th.ID))
		Expect(got.Items.Data[0].CurrentPeriodEnd).To(Equal(periodEnd), "the cycle is not reset")

		record("10") // 30 unbilled: under the threshold again
		Expect(invoicesOf(sub.ID)).To(HaveLen(2))

		advanceClock(sc, clk.ID, time.Unix(periodEnd, 0).Add(2*time.Hour))
		got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		renewal := got.LatestInvoice
		Expect(renewal.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(renewal.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(renewal.Lines.Data[1].Quantity).To(Equal(int64(10)), "only the usage after the threshold invoice")
		Expect(renewal.AmountPaid).To(Equal(int64(1000 + 30)))

		// The next period starts afresh: its usage counts from zero.
		record("199")
		Expect(invoicesOf(sub.ID)).To(HaveLen(3))
		record("1")
		Expect(invoicesOf(sub.ID)).To(HaveLen(4))
		Expect(invoicesOf(sub.ID)[0].AmountPaid).To(Equal(int64(600)))
	})

	It("bill a metered item's usage at once when it reaches the item's usage_gte, set on metered items only", func() {
		_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(base.ID),
				BillingThresholds: &stripe.SubscriptionCreateItemBillingThresholdsParams{UsageGTE: stripe.Int64(10)}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "items[0][billing_thresholds]")
		Expect(emu.Count("", "subscription")).To(BeZero())

		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(base.ID)}, {Price: stripe.String(perCall.ID),
				BillingThresholds: &stripe.SubscriptionCreateItemBillingThresholdsParams{UsageGTE: stripe.Int64(100)}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.BillingThresholds).To(BeNil())
		Expect(sub.Items.Data[0].BillingThresholds).To(BeNil())
		Expect(sub.Items.Data[1].BillingThresholds.UsageGTE).To(Equal(int64(100)))
		periodEnd := sub.Items.Data[0].CurrentPeriodEnd

		record("99")
		Expect(invoicesOf(sub.ID)).To(HaveLen(1))
		record("5")
		invs := invoicesOf(sub.ID)
		Expect(invs).To(HaveLen(2))
		th := invs[0]
		Expect(th.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionThreshold))
		Expect(th.AmountPaid).To(Equal(int64(104 * 3)))
		Expect(th.Lines.Data).To(HaveLen(1))
		Expect(th.ThresholdReason.AmountGTE).To(BeZero(), "no amount threshold")
		Expect(th.ThresholdReason.ItemReasons).To(HaveLen(1))
		Expect(th.ThresholdReason.ItemReasons[0].UsageGTE).To(Equal(int64(100)))
		Expect(th.ThresholdReason.ItemReasons[0].LineItemIDs).To(Equal([]string{th.Lines.Data[0].ID}))

		// Through /v1/subscription_items: a licensed item takes none.
		_, err = sc.V1SubscriptionItems.Update(Ctx, sub.Items.Data[0].ID, &stripe.SubscriptionItemUpdateParams{
			BillingThresholds: &stripe.SubscriptionItemUpdateBillingThresholdsParams{UsageGTE: stripe.Int64(10)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "billing_thresholds")
		it, err := sc.V1SubscriptionItems.Update(Ctx, sub.Items.Data[1].ID, &stripe.SubscriptionItemUpdateParams{
			BillingThresholds: &stripe.SubscriptionItemUpdateBillingThresholdsParams{UsageGTE: stripe.Int64(20)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(it.BillingThresholds.UsageGTE).To(Equal(int64(20)))
		record("19")
		Expect(invoicesOf(sub.ID)).To(HaveLen(2))

		advanceClock(sc, clk.ID, time.Unix(periodEnd, 0).Add(2*time.Hour))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(got.LatestInvoice.Lines.Data[1].Quantity).To(Equal(int64(19)))
		Expect(got.LatestInvoice.AmountPaid).To(Equal(int64(1000 + 19*3)))
	})

	It("price a graduated item's usage after a threshold invoice on the period's whole usage, its tiers not starting over", func() {
		graduated, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Product: stripe.String(perCall.Product.ID), Currency: stripe.String("usd"),
			BillingScheme: stripe.String("tiered"), TiersMode: stripe.String("graduated"),
			Tiers: []*stripe.PriceCreateTierParams{
				{UpTo: stripe.Int64(100), UnitAmount: stripe.Int64(0)},
				{UpToInf: stripe.Bool(true), UnitAmount: stripe.Int64(5)},
			},
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String(perCall.Recurring.Meter)},
		})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:             []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(graduated.ID)}},
			BillingThresholds: &stripe.SubscriptionCreateBillingThresholdsParams{AmountGTE: stripe.Int64(500)}})
		Expect(err).NotTo(HaveOccurred())
		record("150") // 100 free, 50 at 5: 250
		Expect(invoicesOf(sub.ID)).To(HaveLen(1))
		record("50") // 200 used: 500
		invs := invoicesOf(sub.ID)
		Expect(invs).To(HaveLen(2))
		Expect(invs[0].AmountPaid).To(Equal(int64(500)))

		record("50") // past the free tier already: 250 more, under the threshold
		Expect(invoicesOf(sub.ID)).To(HaveLen(2))
		advanceClock(sc, clk.ID, time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).Add(2*time.Hour))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(got.LatestInvoice.Lines.Data[0].Quantity).To(Equal(int64(50)))
		Expect(got.LatestInvoice.AmountPaid).To(Equal(int64(250)), "the free tier was used up before the threshold invoice")
	})

	It("are removed with an empty string, and a reset of the billing cycle is refused by name", func() {
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(perCall.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.BillingThresholds).To(BeNil())

		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			BillingThresholds: &stripe.SubscriptionUpdateBillingThresholdsParams{AmountGTE: stripe.Int64(600), ResetBillingCycleAnchor: stripe.Bool(true)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "billing_thresholds[reset_billing_cycle_anchor]")
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.BillingThresholds).To(BeNil(), "a refused update changes nothing")

		up, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			BillingThresholds: &stripe.SubscriptionUpdateBillingThresholdsParams{AmountGTE: stripe.Int64(600)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(up.BillingThresholds.AmountGTE).To(Equal(int64(600)))

		p := &stripe.SubscriptionUpdateParams{}
		p.AddExtra("billing_thresholds", "")
		up, err = sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(up.BillingThresholds).To(BeNil())
		record("1000") // 3000 accrued, no threshold any more
		Expect(invoicesOf(sub.ID)).To(HaveLen(1))
	})
})
