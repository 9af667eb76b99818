package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// POST /v1/invoices with subscription (a subscription's pending invoice
// items only) and shipping_cost (a shipping rate charged on the invoice).
var _ = Describe("Invoices made for a subscription or with shipping", Label("billing", "invoices"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
		sub *stripe.Subscription
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cus = customerWithCard(sc, "params@example.com", "pm_card_visa", "")
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		sub, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(recurringPrice(sc, prod.ID, "month", 1500).ID)}}})
		Expect(err).NotTo(HaveOccurred())
	})
	item := func(amount int64, subID string) *stripe.InvoiceItem {
		GinkgoHelper()
		p := &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(amount), Currency: stripe.String("usd")}
		if subID != "" {
			p.Subscription = stripe.String(subID)
		}
		ii, err := sc.V1InvoiceItems.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return ii
	}

	Describe("subscription", func() {
		It("includes only that subscription's pending items, and names the subscription as the invoice's parent", func() {
			mine := item(300, sub.ID)
			loose := item(700, "")
			inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
				Subscription: stripe.String(sub.ID), PendingInvoiceItemsBehavior: stripe.String("include")})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Parent).NotTo(BeNil())
			Expect(string(inv.Parent.Type)).To(Equal("subscription_details"))
			Expect(inv.Parent.SubscriptionDetails.Subscription.ID).To(Equal(sub.ID))
			Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonManual))
			Expect(inv.Total).To(Equal(int64(300)))
			Expect(inv.Lines.Data).To(HaveLen(1))
			Expect(invoiceOfItem(sc, mine)).To(Equal(inv.ID))
			Expect(invoiceOfItem(sc, loose)).To(BeEmpty(), "an item not made for the subscription stays pending")

			listed := 0
			for got, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Subscription: stripe.String(sub.ID), Status: stripe.String("draft")}) {
				Expect(err).NotTo(HaveOccurred())
				Expect(got.ID).To(Equal(inv.ID))
				listed++
			}
			Expect(listed).To(Equal(1), "listed among the subscription's invoices")

			got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.LatestInvoice.ID).To(Equal(sub.LatestInvoice.ID), "the subscription's own invoices are not affected")

			_, err = sc.V1Invoices.Delete(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred(), "made by request, it is not a subscription's own invoice")
			Expect(invoiceOfItem(sc, mine)).To(BeEmpty())
		})

		It("leaves the pending items out without pending_invoice_items_behavior=include", func() {
			mine := item(300, sub.ID)
			inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Subscription: stripe.String(sub.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Lines.Data).To(BeEmpty())
			Expect(inv.Parent.SubscriptionDetails.Subscription.ID).To(Equal(sub.ID))
			Expect(invoiceOfItem(sc, mine)).To(BeEmpty())
		})

		It("refuses an unknown subscription, another customer's and a canceled one, making nothing", func() {
			mine := item(300, sub.ID)
			other := customerWithCard(sc, "other@example.com", "pm_card_visa", "")
			before := invoiceCountOf(sc, cus.ID)
			create := func(customer, subID string) error {
				_, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(customer),
					Subscription: stripe.String(subID), PendingInvoiceItemsBehavior: stripe.String("include")})
				return err
			}
			ExpectStripeError(create(cus.ID, "sub_missing"), 400, "invalid_request_error", "resource_missing", "subscription")
			ExpectStripeError(create(other.ID, sub.ID), 400, "invalid_request_error", "", "subscription")
			_, err := sc.V1Subscriptions.Cancel(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			events := len(emu.Events(""))
			ExpectStripeError(create(cus.ID, sub.ID), 400, "invalid_request_error", "", "subscription")
			Expect(invoiceCountOf(sc, cus.ID)).To(Equal(before))
			Expect(emu.Events("")).To(HaveLen(events), "a refused request records no event")
			Expect(invoiceOfItem(sc, mine)).To(BeEmpty())
		})
	})

	Describe("shipping_cost", func() {
		rate := func(amount int64, currency string) *stripe.ShippingRate {
			GinkgoHelper()
			r, err := sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{DisplayName: stripe.String("Ground"), Type: stripe.String("fixed_amount"),
				FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(amount), Currency: stripe.String(currency)}})
			Expect(err).NotTo(HaveOccurred())
			return r
		}
		draft := func(p *stripe.InvoiceCreateParams) *stripe.Invoice {
			GinkgoHelper()
			p.Customer = stripe.String(cus.ID)
			inv, err := sc.V1Invoices.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
				Amount: stripe.Int64(2000), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
			inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			return inv
		}

		It("charges a shipping rate on top of the lines: shipping_cost, amount_shipping and the total, paid as one", func() {
			ground := rate(500, "usd")
			inv := draft(&stripe.InvoiceCreateParams{ShippingCost: &stripe.InvoiceCreateShippingCostParams{ShippingRate: stripe.String(ground.ID)},
				ShippingDetails: &stripe.InvoiceCreateShippingDetailsParams{Name: stripe.String("Jenny Rosen"),
					Address: &stripe.AddressParams{Line1: stripe.String("1 Main St"), Country: stripe.String("US"), PostalCode: stripe.String("94111")}}})
			Expect(inv.ShippingCost).NotTo(BeNil())
			Expect(inv.ShippingCost.ShippingRate.ID).To(Equal(ground.ID))
			Expect(inv.ShippingCost.AmountSubtotal).To(Equal(int64(500)))
			Expect(inv.ShippingCost.AmountTax).To(Equal(int64(0)))
			Expect(inv.ShippingCost.AmountTotal).To(Equal(int64(500)))
			Expect(inv.ShippingCost.Taxes).To(BeEmpty())
			Expect(inv.AmountShipping).To(Equal(int64(500)))
			Expect(inv.Subtotal).To(Equal(int64(2000)), "the subtotal is the lines'")
			Expect(inv.Total).To(Equal(int64(2500)))
			Expect(inv.TotalExcludingTax).To(Equal(int64(2500)))
			Expect(inv.AmountDue).To(Equal(int64(2500)))
			Expect(inv.ShippingDetails.Name).To(Equal("Jenny Rosen"))

			p := &stripe.InvoiceRetrieveParams{}
			p.AddExpand("shipping_cost.shipping_rate")
			got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.ShippingCost.ShippingRate.DisplayName).To(Equal("Ground"))

			paid, err := sc.V1Invoices.Pay(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(paid.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(paid.AmountPaid).To(Equal(int64(2500)))
		})

		It("makes a shipping rate from shipping_rate_data, and a draft's update changes or removes the shipping", func() {
			inv := draft(&stripe.InvoiceCreateParams{ShippingCost: &stripe.InvoiceCreateShippingCostParams{ShippingRateData: &stripe.InvoiceCreateShippingCostShippingRateDataParams{
				DisplayName: stripe.String("Express"), FixedAmount: &stripe.InvoiceCreateShippingCostShippingRateDataFixedAmountParams{Amount: stripe.Int64(1200), Currency: stripe.String("usd")}}}})
			Expect(inv.ShippingCost.ShippingRate.ID).To(HavePrefix("shr_"))
			made, err := sc.V1ShippingRates.Retrieve(Ctx, inv.ShippingCost.ShippingRate.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(made.DisplayName).To(Equal("Express"))
			Expect(inv.Total).To(Equal(int64(3200)))

			ground := rate(400, "usd")
			inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{ShippingCost: &stripe.InvoiceUpdateShippingCostParams{ShippingRate: stripe.String(ground.ID)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.ShippingCost.ShippingRate.ID).To(Equal(ground.ID))
			Expect(inv.AmountShipping).To(Equal(int64(400)))
			Expect(inv.Total).To(Equal(int64(2400)))

			up := &stripe.InvoiceUpdateParams{}
			up.AddExtra("shipping_cost", "")
			inv, err = sc.V1Invoices.Update(Ctx, inv.ID, up)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.ShippingCost).To(BeNil())
			Expect(inv.AmountShipping).To(Equal(int64(0)))
			Expect(inv.Total).To(Equal(int64(2000)))
		})

		It("refuses an inactive rate, one in another currency, both or neither of rate and data, and shipping on a finalized invoice, changing nothing", func() {
			inactive := rate(500, "usd")
			_, err := sc.V1ShippingRates.Update(Ctx, inactive.ID, &stripe.ShippingRateUpdateParams{Active: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			euros := rate(500, "eur")
			ground := rate(500, "usd")
			before := invoiceCountOf(sc, cus.ID)
			for _, tc := range []struct {
				param string
				cost  *stripe.InvoiceCreateShippingCostParams
			}{
				{"shipping_cost[shipping_rate]", &stripe.InvoiceCreateShippingCostParams{ShippingRate: stripe.String(inactive.ID)}},
				{"shipping_cost[shipping_rate]", &stripe.InvoiceCreateShippingCostParams{ShippingRate: stripe.String(euros.ID)}},
				{"shipping_cost[shipping_rate_data][fixed_amount][currency]", &stripe.InvoiceCreateShippingCostParams{ShippingRateData: &stripe.InvoiceCreateShippingCostShippingRateDataParams{
					DisplayName: stripe.String("Euro"), FixedAmount: &stripe.InvoiceCreateShippingCostShippingRateDataFixedAmountParams{Amount: stripe.Int64(1), Currency: stripe.String("eur")}}}},
			} {
				_, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("usd"), ShippingCost: tc.cost})
				ExpectStripeError(err, 400, "invalid_request_error", "", tc.param)
			}
			_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), ShippingCost: &stripe.InvoiceCreateShippingCostParams{
				ShippingRate: stripe.String(ground.ID), ShippingRateData: &stripe.InvoiceCreateShippingCostShippingRateDataParams{DisplayName: stripe.String("X"),
					FixedAmount: &stripe.InvoiceCreateShippingCostShippingRateDataFixedAmountParams{Amount: stripe.Int64(1), Currency: stripe.String("usd")}}}})
			ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "shipping_cost[shipping_rate]")
			_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), ShippingCost: &stripe.InvoiceCreateShippingCostParams{ShippingRate: stripe.String("shr_missing")}})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "shipping_cost[shipping_rate]")
			Expect(invoiceCountOf(sc, cus.ID)).To(Equal(before))

			inv := draft(&stripe.InvoiceCreateParams{ShippingCost: &stripe.InvoiceCreateShippingCostParams{ShippingRate: stripe.String(ground.ID)}})
			inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{ShippingCost: &stripe.InvoiceUpdateShippingCostParams{ShippingRate: stripe.String(rate(900, "usd").ID)}})
			ExpectStripeError(err, 400, "invalid_request_error", "invoice_not_editable", "")
			got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.ShippingCost.ShippingRate.ID).To(Equal(ground.ID))
			Expect(got.Total).To(Equal(int64(2500)))
		})
	})
})
