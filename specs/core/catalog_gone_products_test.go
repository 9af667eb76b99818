package core_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// A deleted product is gone: Stripe answers "No such product" wherever its
// id is named (a 400 for an id in the body), a price_data's product
// included, and bills nothing for it.
var _ = Describe("A deleted product named in price_data", Label("catalog"), func() {
	var (
		emu  *emulator.Emulator
		sc   *stripe.Client
		prod string
		cus  string
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		p, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Retired")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Products.Delete(Ctx, p.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		prod = p.ID
		c, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("gone@example.com")})
		Expect(err).NotTo(HaveOccurred())
		cus = c.ID
	})

	expectNoSuchProduct := func(err error, param string) {
		GinkgoHelper()
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", param)
		Expect(StripeErr(err).Msg).To(Equal("No such product: '" + prod + "'"))
	}

	It("is refused on a subscription's items", func() {
		_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
			Customer: stripe.String(cus),
			Items: []*stripe.SubscriptionCreateItemParams{{PriceData: &stripe.SubscriptionCreateItemPriceDataParams{
				Product: stripe.String(prod), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500),
				Recurring: &stripe.SubscriptionCreateItemPriceDataRecurringParams{Interval: stripe.String("month")},
			}}},
			PaymentBehavior: stripe.String("default_incomplete"),
		})
		expectNoSuchProduct(err, "items[0][price_data][product]")
		n := 0
		for _, err := range sc.V1Subscriptions.List(Ctx, &stripe.SubscriptionListParams{Customer: stripe.String(cus), Status: stripe.String("all")}) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		Expect(n).To(BeZero(), "nothing made")
	})

	It("is refused on an invoice item", func() {
		_, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus),
			PriceData: &stripe.InvoiceItemCreatePriceDataParams{
				Product: stripe.String(prod), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500),
			},
		})
		expectNoSuchProduct(err, "price_data[product]")
	})

	It("is refused on a Checkout Session's line items", func() {
		_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://example.com/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Quantity: stripe.Int64(1), PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Product: stripe.String(prod), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500),
			}}},
		})
		expectNoSuchProduct(err, "line_items[0][price_data][product]")
	})

	It("is refused on a Payment Link's line items", func() {
		_, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Quantity: stripe.Int64(1), PriceData: &stripe.PaymentLinkCreateLineItemPriceDataParams{
				Product: stripe.String(prod), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500),
			}}},
		})
		expectNoSuchProduct(err, "line_items[0][price_data][product]")
	})

	It("is refused on a quote's line items", func() {
		_, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{
			Customer: stripe.String(cus),
			LineItems: []*stripe.QuoteCreateLineItemParams{{PriceData: &stripe.QuoteCreateLineItemPriceDataParams{
				Product: stripe.String(prod), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500),
			}}},
		})
		expectNoSuchProduct(err, "line_items[0][price_data][product]")
	})
})
