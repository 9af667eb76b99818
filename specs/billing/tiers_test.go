package billing_test

import (
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Tiered prices billed: the same tiers (1–5 at $10.00; 6 and up at $8.00
// plus a $5.00 flat fee for reaching the tier) charged graduated and by
// volume, for quantities in each tier.
var _ = Describe("Tiered prices on invoices", Label("billing", "tiers"), func() {
	var (
		emu       *emulator.Emulator
		sc        *stripe.Client
		prod      *stripe.Product
		graduated *stripe.Price
		volume    *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		prod, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Seats")})
		Expect(err).NotTo(HaveOccurred())
		mk := func(mode string) *stripe.Price {
			p, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
				Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
				Recurring:     &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
				BillingScheme: stripe.String("tiered"), TiersMode: stripe.String(mode),
				Tiers: []*stripe.PriceCreateTierParams{
					{UpTo: stripe.Int64(5), UnitAmount: stripe.Int64(1000)},
					{UpToInf: stripe.Bool(true), UnitAmount: stripe.Int64(800), FlatAmount: stripe.Int64(500)},
				},
			})
			Expect(err).NotTo(HaveOccurred())
			return p
		}
		graduated, volume = mk("graduated"), mk("volume")
	})

	subscribe := func(price *stripe.Price, qty int64) *stripe.Subscription {
		GinkgoHelper()
		cus := customerWithCard(sc, "tiers@example.com", "pm_card_visa", "")
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(qty)}}}
		p.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return sub
	}

	DescribeTable("a subscription's first invoice",
		func(mode string, qty, want int64) {
			price := graduated
			if mode == "volume" {
				price = volume
			}
			sub := subscribe(price, qty)
			inv := sub.LatestInvoice
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(inv.Total).To(Equal(want))
			Expect(inv.AmountPaid).To(Equal(want))
			Expect(inv.Lines.Data).To(HaveLen(1))
			line := inv.Lines.Data[0]
			Expect(line.Amount).To(Equal(want))
			Expect(line.Quantity).To(Equal(qty))
			Expect(line.Description).To(Equal(map[int64]string{3: "3 × Seats", 8: "8 × Seats"}[qty]), "no one unit amount to show")
			Expect(line.Pricing.PriceDetails.Price).To(Equal(price.ID))
			Expect(line.Pricing.UnitAmountDecimal).To(BeZero())

			plan := sub.Items.Data[0].Plan
			Expect(plan.BillingScheme).To(Equal(stripe.PlanBillingSchemeTiered))
			Expect(string(plan.TiersMode)).To(Equal(mode))
			_, raw, err := emu.Call("GET", "/v1/subscriptions/"+sub.ID, nil, "")
			Expect(err).NotTo(HaveOccurred())
			item := raw["items"].(map[string]any)["data"].([]any)[0].(map[string]any)
			Expect(item["plan"].(map[string]any)["amount"]).To(BeNil(), "a tiered plan has no amount")
			Expect(item["price"].(map[string]any)).NotTo(HaveKey("tiers"), "tiers only when expanded")
		},
		Entry("graduated, 3 in the first tier: 3 × 1000", "graduated", int64(3), int64(3000)),
		Entry("graduated, 8 across both tiers: 5 × 1000 + 3 × 800 + 500", "graduated", int64(8), int64(7900)),
		Entry("volume, 3 in the first tier: 3 × 1000", "volume", int64(3), int64(3000)),
		Entry("volume, 8 in the second tier: 8 × 800 + 500", "volume", int64(8), int64(6900)),
	)

	It("renews at the tiers' amount", func() {
		sub := subscribe(graduated, 8)
		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(inv.Total).To(Equal(int64(7900)))
	})

	It("prorates a quantity change by the item's whole amount before and after", func() {
		sub := subscribe(graduated, 3)
		Expect(sub.LatestInvoice.Total).To(Equal(int64(3000)))
		emu.Clock().Set(Epoch.AddDate(0, 0, 15))
		sub, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(8)}}})
		Expect(err).NotTo(HaveOccurred())

		start, end := Epoch.Unix(), Epoch.AddDate(0, 1, 0).Unix()
		remaining := float64(end-Epoch.AddDate(0, 0, 15).Unix()) / float64(end-start)
		var credit, charge int64
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(sub.Customer.ID), Pending: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(ii.Proration).To(BeTrue())
			if ii.Amount < 0 {
				credit = ii.Amount
				Expect(ii.Quantity).To(Equal(int64(3)))
			} else {
				charge = ii.Amount
				Expect(ii.Quantity).To(Equal(int64(8)))
			}
		}
		Expect(credit).To(BeNumerically("~", -3000*remaining, 1), "unused time on 3 seats: 3 × 1000")
		Expect(charge).To(BeNumerically("~", 7900*remaining, 1), "remaining time on 8 seats: 5 × 1000 + 3 × 800 + 500, not 8 × a unit amount")

		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(7900 + credit + charge))
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
	})

	It("bills an invoice item of a tiered price by its tiers, and again when its quantity changes", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("items@example.com")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
			CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30)})
		Expect(err).NotTo(HaveOccurred())
		ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(graduated.ID)}, Quantity: stripe.Int64(8)})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Amount).To(Equal(int64(7900)))
		Expect(ii.Quantity).To(Equal(int64(8)))
		Expect(ii.Pricing.PriceDetails.Price).To(Equal(graduated.ID))
		Expect(ii.Pricing.UnitAmountDecimal).To(BeZero())

		ii, err = sc.V1InvoiceItems.Update(Ctx, ii.ID, &stripe.InvoiceItemUpdateParams{Quantity: stripe.Int64(3)})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Amount).To(Equal(int64(3000)))

		vol, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(volume.ID)}, Quantity: stripe.Int64(8)})
		Expect(err).NotTo(HaveOccurred())
		Expect(vol.Amount).To(Equal(int64(6900)))

		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Subtotal).To(Equal(int64(3000 + 6900)))
		Expect(inv.Total).To(Equal(int64(3000 + 6900)))
	})

	It("prices a Checkout line item by its tiers, and the subscription it starts", func() {
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://x.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(graduated.ID), Quantity: stripe.Int64(8)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.AmountSubtotal).To(Equal(int64(7900)))
		Expect(s.AmountTotal).To(Equal(int64(7900)))
		var items []*stripe.LineItem
		for li, err := range sc.V1CheckoutSessions.ListLineItems(Ctx, &stripe.CheckoutSessionListLineItemsParams{Session: stripe.String(s.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			items = append(items, li)
		}
		Expect(items).To(HaveLen(1))
		Expect(items[0].AmountSubtotal).To(Equal(int64(7900)))
		Expect(items[0].AmountTotal).To(Equal(int64(7900)))
		Expect(items[0].Quantity).To(Equal(int64(8)))
		Expect(items[0].Price.BillingScheme).To(Equal(stripe.PriceBillingSchemeTiered))

		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_card_visa"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		gp := &stripe.SubscriptionRetrieveParams{}
		gp.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, body["subscription"].(string), gp)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Items.Data[0].Quantity).To(Equal(int64(8)))
		Expect(sub.LatestInvoice.Total).To(Equal(int64(7900)))
		Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
	})

	// graduatedCalls is a monthly metered price of api_call events (a sum
	// meter): a 20.00 fee with 1000 calls included, then 2¢ a call.
	graduatedCalls := func() *stripe.Price {
		GinkgoHelper()
		meter, err := sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{
			DisplayName: stripe.String("API calls"), EventName: stripe.String("api_call"),
			DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("sum")},
		})
		Expect(err).NotTo(HaveOccurred())
		calls, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
			Recurring:     &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String(meter.ID)},
			BillingScheme: stripe.String("tiered"), TiersMode: stripe.String("graduated"),
			Tiers: []*stripe.PriceCreateTierParams{
				{UpTo: stripe.Int64(1000), FlatAmount: stripe.Int64(2000), UnitAmount: stripe.Int64(0)},
				{UpToInf: stripe.Bool(true), UnitAmount: stripe.Int64(2)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		return calls
	}

	It("bills metered usage by the tiers in arrears: nothing ahead, then the period's usage", func() {
		calls := graduatedCalls()
		cus := customerWithCard(sc, "calls@example.com", "pm_card_visa", "")
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(calls.ID)}}}
		p.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.Total).To(BeZero(), "usage is billed in arrears: not even the first tier's flat amount ahead")

		_, err = sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("api_call"),
			Payload: map[string]string{"stripe_customer_id": cus.ID, "value": "1500"}, Timestamp: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		line := sub.LatestInvoice.Lines.Data[0]
		Expect(line.Quantity).To(Equal(int64(1500)))
		Expect(line.Amount).To(Equal(int64(2000+500*2)), "the fee for the first 1000 calls, 2¢ for each of the other 500")
		Expect(line.Description).To(Equal("1500 × Seats"))
		Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
	})

	It("bills the first tier's flat amount of a period without usage, on a renewal and on the final invoice of a subscription ending at period end", func() {
		calls := graduatedCalls()
		cus := customerWithCard(sc, "calls@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(calls.ID)}}})
		Expect(err).NotTo(HaveOccurred())

		// No usage in the first period: the renewal bills the fee.
		end := sub.Items.Data[0].CurrentPeriodEnd
		emu.Clock().Set(time.Unix(end, 0).Add(2 * time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(sub.LatestInvoice.Total).To(Equal(int64(2000)))
		renewal := sub.LatestInvoice.ID

		// None in the last either: the final invoice bills it as well.
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).Add(2 * time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(sub.LatestInvoice.ID).NotTo(Equal(renewal), "a final invoice for the last period")
		Expect(sub.LatestInvoice.Total).To(Equal(int64(2000)))
		Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
	})
})
