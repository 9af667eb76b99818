package checkout_test

import (
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// A metered price in a subscription-mode session, as Stripe's usage-based
// billing guides make one: its line item takes no quantity ("Quantity
// should not be defined when recurring.usage_type=metered"), and the
// subscription it starts bills the usage in arrears.
var _ = Describe("Checkout Sessions with metered prices", Label("checkout", "meters"), func() {
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		monthly *stripe.Price
		perCall *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		monthly = monthlyPrice(sc, 2000)
		m, err := sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{DisplayName: stripe.String("API calls"), EventName: stripe.String("api_call"),
			DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("sum")}})
		Expect(err).NotTo(HaveOccurred())
		perCall, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(3),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("API calls")},
			Recurring:   &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String(m.ID)}})
		Expect(err).NotTo(HaveOccurred())
	})

	It("takes the metered line without a quantity, refuses one with, and starts a subscription billing the usage in arrears", func() {
		lines := []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(1)}, {Price: stripe.String(perCall.ID), Quantity: stripe.Int64(1)}}
		_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: lines,
			SuccessURL: stripe.String("https://shop.example/ok")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[1][quantity]")
		Expect(emu.Count("", "checkout.session")).To(BeZero())

		lines[1].Quantity = nil
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: lines,
			SuccessURL: stripe.String("https://shop.example/ok")})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.AmountTotal).To(Equal(int64(2000)), "usage is billed later")
		var metered *stripe.LineItem
		for li, err := range sc.V1CheckoutSessions.ListLineItems(Ctx, &stripe.CheckoutSessionListLineItemsParams{Session: stripe.String(s.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			if li.Price.ID == perCall.ID {
				metered = li
			}
		}
		Expect(metered).NotTo(BeNil())
		Expect(metered.AmountTotal).To(BeZero())

		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_card_visa"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		sub := mustSubscription(sc, body["subscription"].(string), "latest_invoice")
		Expect(sub.Items.Data).To(HaveLen(2))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(2000)))
		raw, _ := emu.Get(sub.ID)
		for _, it := range raw["items"].(map[string]any)["data"].([]any) {
			item := it.(map[string]any)
			if item["price"].(map[string]any)["id"] == perCall.ID {
				Expect(item).NotTo(HaveKey("quantity"), "a metered item bills usage, not a quantity")
			}
		}

		_, err = sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("api_call"),
			Payload: map[string]string{"stripe_customer_id": sub.Customer.ID, "value": "100"}})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).Add(2 * time.Hour))
		renewal, err := sc.V1Invoices.Retrieve(Ctx, mustSubscription(sc, sub.ID).LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(renewal.AmountPaid).To(Equal(int64(2000 + 300)))
	})
})
