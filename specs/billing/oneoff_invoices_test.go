package billing_test

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// One-off invoices as a merchant drives them by hand: numbering, sending,
// voiding, updating after finalization, finding them again.
var _ = Describe("One-off invoices", Label("billing", "invoices"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cus = customerWithCard(sc, "oneoff@example.com", "pm_card_visa", "")
	})

	// draft is a draft invoice of one item of amount, made with p.
	draft := func(p *stripe.InvoiceCreateParams, amount int64) *stripe.Invoice {
		GinkgoHelper()
		p.Customer = stripe.String(cus.ID)
		inv, err := sc.V1Invoices.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(amount), Currency: stripe.String("usd"),
		})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}
	emailed := func(amount int64) *stripe.Invoice {
		GinkgoHelper()
		inv := draft(&stripe.InvoiceCreateParams{CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(14)}, amount)
		inv, err := sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}
	balance := func() int64 {
		GinkgoHelper()
		c, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return c.Balance
	}
	newestTransaction := func() *stripe.CustomerBalanceTransaction {
		GinkgoHelper()
		for t, err := range sc.V1CustomerBalanceTransactions.List(Ctx, &stripe.CustomerBalanceTransactionListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			return t
		}
		Fail("no balance transaction")
		return nil
	}

	It("bills an invoice item's price_data through an archived one-time price of the product, as Stripe makes one inline", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Setup")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Quantity: stripe.Int64(2),
			PriceData: &stripe.InvoiceItemCreatePriceDataParams{Currency: stripe.String("usd"), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(500)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Amount).To(Equal(int64(1000)))
		Expect(ii.Quantity).To(Equal(int64(2)))
		Expect(ii.Pricing.PriceDetails.Product).To(Equal(prod.ID))
		price, err := sc.V1Prices.Retrieve(Ctx, ii.Pricing.PriceDetails.Price, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(price.Active).To(BeFalse())
		Expect(price.Type).To(Equal(stripe.PriceTypeOneTime))
		Expect(price.UnitAmount).To(Equal(int64(500)))

		half, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Quantity: stripe.Int64(3),
			PriceData: &stripe.InvoiceItemCreatePriceDataParams{Currency: stripe.String("usd"), Product: stripe.String(prod.ID), UnitAmountDecimal: stripe.Float64(12.5)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(half.Amount).To(Equal(int64(38)), "3 × 12.5 rounds to 38")
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AmountDue).To(Equal(int64(1038)))
	})

	It("refuses a price_data without its product or amount, or beside an amount, and makes nothing", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Setup")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID),
			PriceData: &stripe.InvoiceItemCreatePriceDataParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500)}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "price_data[product]")
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID),
			PriceData: &stripe.InvoiceItemCreatePriceDataParams{Currency: stripe.String("usd"), Product: stripe.String(prod.ID)}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "price_data[unit_amount]")
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID),
			PriceData: &stripe.InvoiceItemCreatePriceDataParams{Currency: stripe.String("usd"), Product: stripe.String("prod_missing"), UnitAmount: stripe.Int64(500)}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "price_data[product]")
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(500), Currency: stripe.String("usd"),
			PriceData: &stripe.InvoiceItemCreatePriceDataParams{Currency: stripe.String("usd"), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(500)}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "amount")
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID),
			PriceData: &stripe.InvoiceItemCreatePriceDataParams{Currency: stripe.String("xyz"), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(500)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "price_data[currency]")
		Expect(StripeErr(err).Msg).To(HavePrefix("Invalid currency: xyz."))
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{PriceData: &stripe.SubscriptionCreateItemPriceDataParams{Currency: stripe.String("xyz"),
				Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(500), Recurring: &stripe.SubscriptionCreateItemPriceDataRecurringParams{Interval: stripe.String("month")}}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "items[0][price_data][currency]")
		// Nor a subscription billed every 0 or 37 months, which a price of its own could not be.
		for _, count := range []int64{0, 37} {
			_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{PriceData: &stripe.SubscriptionCreateItemPriceDataParams{Currency: stripe.String("usd"),
					Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(500),
					Recurring: &stripe.SubscriptionCreateItemPriceDataRecurringParams{Interval: stripe.String("month"), IntervalCount: stripe.Int64(count)}}}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "items[0][price_data][recurring][interval_count]")
		}
		Expect(emu.Count("", "invoiceitem")).To(BeZero())
		Expect(emu.Count("", "price")).To(BeZero())
		Expect(emu.Count("", "subscription")).To(BeZero())
	})

	It("refuses an amount beside a quantity, as Stripe does (the amount is the item's total), and makes nothing", func() {
		_, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Quantity: stripe.Int64(3)})
		ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "amount")
		Expect(StripeErr(err).Msg).To(Equal("You may only specify one of these parameters: amount, quantity."))
		Expect(emu.Count("", "invoiceitem")).To(BeZero())
	})

	It("bills a unit_amount_decimal times the quantity, rounded, and refuses it beside an amount", func() {
		ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), UnitAmountDecimal: stripe.Float64(10.5), Currency: stripe.String("usd"), Quantity: stripe.Int64(3)})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Amount).To(Equal(int64(32)), "3 × 10.5 = 31.5 rounds to 32")
		Expect(ii.Quantity).To(Equal(int64(3)))

		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), UnitAmountDecimal: stripe.Float64(10.5), Amount: stripe.Int64(5), Currency: stripe.String("usd")})
		ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "amount")
		Expect(emu.Count("", "invoiceitem")).To(Equal(1))
	})

	It("rounds a decimal unit amount times the quantity exactly, a half cent up, however binary floating point would hold it", func() {
		// 0.145 × 100 is 14.5 cents, rounded up to 15 as Stripe's decimal
		// amounts guide rounds 0.05 × 30 = 1.5 up to 2; as float64s the
		// product is 14.499999999999998.
		ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), UnitAmountDecimal: stripe.Float64(0.145), Currency: stripe.String("usd"), Quantity: stripe.Int64(100)})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Amount).To(Equal(int64(15)))
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Storage")})
		Expect(err).NotTo(HaveOccurred())
		ii, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Quantity: stripe.Int64(100),
			PriceData: &stripe.InvoiceItemCreatePriceDataParams{Currency: stripe.String("usd"), Product: stripe.String(prod.ID), UnitAmountDecimal: stripe.Float64(0.145)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Amount).To(Equal(int64(15)), "a price's unit_amount_decimal")
		graduated, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}, BillingScheme: stripe.String("tiered"), TiersMode: stripe.String("graduated"),
			Tiers: []*stripe.PriceCreateTierParams{{UpTo: stripe.Int64(100), UnitAmountDecimal: stripe.Float64(0.145)}, {UpToInf: stripe.Bool(true), UnitAmountDecimal: stripe.Float64(0.1)}}})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(graduated.ID), Quantity: stripe.Int64(100)}}}
		p.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.Lines.Data[0].Amount).To(Equal(int64(15)), "a tier's unit_amount_decimal")
	})

	It("reprices an item on update by unit_amount_decimal, pricing or price_data, keeping its quantity unless sent", func() {
		ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), UnitAmountDecimal: stripe.Float64(10), Currency: stripe.String("usd"), Quantity: stripe.Int64(3)})
		Expect(err).NotTo(HaveOccurred())
		ii, err = sc.V1InvoiceItems.Update(Ctx, ii.ID, &stripe.InvoiceItemUpdateParams{UnitAmountDecimal: stripe.Float64(33.3)})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Quantity).To(Equal(int64(3)), "the quantity it had")
		Expect(ii.Amount).To(Equal(int64(100)), "3 × 33.3 = 99.9 rounds to 100")

		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Gadget")})
		Expect(err).NotTo(HaveOccurred())
		ii, err = sc.V1InvoiceItems.Update(Ctx, ii.ID, &stripe.InvoiceItemUpdateParams{PriceData: &stripe.InvoiceItemUpdatePriceDataParams{
			Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(250)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Amount).To(Equal(int64(750)))
		Expect(ii.Pricing.PriceDetails.Product).To(Equal(prod.ID))

		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(400)})
		Expect(err).NotTo(HaveOccurred())
		ii, err = sc.V1InvoiceItems.Update(Ctx, ii.ID, &stripe.InvoiceItemUpdateParams{Pricing: &stripe.InvoiceItemUpdatePricingParams{Price: stripe.String(price.ID)}, Quantity: stripe.Int64(2)})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Amount).To(Equal(int64(800)))
		Expect(ii.Quantity).To(Equal(int64(2)))
	})

	It("leaves a negative item out of discounts unless told otherwise, as Stripe's discountable defaults", func() {
		coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("once")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
			Discounts: []*stripe.InvoiceCreateDiscountParams{{Coupon: stripe.String(coupon.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		charge, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		Expect(charge.Discountable).To(BeTrue())
		credit, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(-200), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		Expect(credit.Discountable).To(BeFalse())
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(300)), "half off the 10.00 charge, the 2.00 credit in full")

		inv, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{
			{Amount: stripe.Int64(-100)}, {Amount: stripe.Int64(-100), Discountable: stripe.Bool(true)}}})
		Expect(err).NotTo(HaveOccurred())
		lines := inv.Lines.Data
		Expect(lines).To(HaveLen(4))
		Expect(lines[2].Discountable).To(BeFalse(), "a negative line added is not discountable by default")
		Expect(lines[3].Discountable).To(BeTrue(), "unless it says so")
	})

	It("bills a subscription's add_invoice_items price_data once, on its first invoice", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		monthly, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(900),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}},
			AddInvoiceItems: []*stripe.SubscriptionCreateAddInvoiceItemParams{{Quantity: stripe.Int64(1),
				PriceData: &stripe.InvoiceItemPriceDataParams{Currency: stripe.String("usd"), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(2500)}}},
			Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(3400)))
	})

	It("numbers invoices by the customer's prefix and sequence, as they are finalized", func() {
		_, err := sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{InvoicePrefix: stripe.String("ACME")})
		Expect(err).NotTo(HaveOccurred())
		first := draft(&stripe.InvoiceCreateParams{}, 1000)
		Expect(first.Number).To(BeEmpty(), "a draft has no number yet")
		gone := draft(&stripe.InvoiceCreateParams{}, 1000)
		_, err = sc.V1Invoices.Delete(Ctx, gone.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		second := draft(&stripe.InvoiceCreateParams{}, 1000)

		second, err = sc.V1Invoices.FinalizeInvoice(Ctx, second.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		first, err = sc.V1Invoices.FinalizeInvoice(Ctx, first.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(second.Number).To(Equal("ACME-0001"), "numbered in the order finalized; a deleted draft uses none")
		Expect(first.Number).To(Equal("ACME-0002"))
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.NextInvoiceSequence).To(Equal(int64(3)))
	})

	It("refuses an invoice prefix that is not 3-12 uppercase letters or digits", func() {
		for _, bad := range []string{"AB", "ABCDEFGHIJKLM", "acme", "AC-ME", ""} {
			_, err := sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{InvoicePrefix: stripe.String(bad)})
			Expect(StripeErr(err).Param).To(Equal("invoice_prefix"), bad)
			_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{InvoicePrefix: stripe.String(bad)})
			Expect(StripeErr(err).Param).To(Equal("invoice_prefix"), bad)
		}
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.InvoicePrefix).To(Equal(cus.InvoicePrefix))
		Expect(got.InvoicePrefix).To(MatchRegexp(`^[A-Z0-9]{3,12}$`), "the one Stripe makes up fits too")
		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{InvoicePrefix: stripe.String("ACME2026")})
		Expect(err).NotTo(HaveOccurred())
	})

	DescribeTable("holds an invoice's texts to Stripe's limits, on create and on update, changing nothing",
		func(edit func(p *stripe.InvoiceCreateParams), param string) {
			invoices := emu.Count("", "invoice")
			p := &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)}
			edit(p)
			_, err := sc.V1Invoices.Create(Ctx, p)
			ExpectStripeError(err, 400, "invalid_request_error", "", param)
			Expect(emu.Count("", "invoice")).To(Equal(invoices))

			inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			up := &stripe.InvoiceUpdateParams{Description: p.Description, Footer: p.Footer, StatementDescriptor: p.StatementDescriptor}
			for _, f := range p.CustomFields {
				up.CustomFields = append(up.CustomFields, &stripe.InvoiceUpdateCustomFieldParams{Name: f.Name, Value: f.Value})
			}
			_, err = sc.V1Invoices.Update(Ctx, inv.ID, up)
			ExpectStripeError(err, 400, "invalid_request_error", "", param)
			got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Description).To(BeEmpty())
			Expect(got.Footer).To(BeEmpty())
			Expect(got.StatementDescriptor).To(BeEmpty())
			Expect(got.CustomFields).To(BeEmpty())
		},
		Entry("a description over 1500 characters", func(p *stripe.InvoiceCreateParams) {
			p.Description = stripe.String(strings.Repeat("d", 1501))
		}, "description"),
		Entry("a footer over 5000 characters", func(p *stripe.InvoiceCreateParams) {
			p.Footer = stripe.String(strings.Repeat("f", 5001))
		}, "footer"),
		Entry("a statement descriptor over 22 characters", func(p *stripe.InvoiceCreateParams) {
			p.StatementDescriptor = stripe.String(strings.Repeat("S", 23))
		}, "statement_descriptor"),
		Entry("more than 4 custom fields", func(p *stripe.InvoiceCreateParams) {
			for range 5 {
				p.CustomFields = append(p.CustomFields, &stripe.InvoiceCreateCustomFieldParams{Name: stripe.String("PO"), Value: stripe.String("1")})
			}
		}, "custom_fields"),
		Entry("a custom field's name over 40 characters", func(p *stripe.InvoiceCreateParams) {
			p.CustomFields = []*stripe.InvoiceCreateCustomFieldParams{{Name: stripe.String(strings.Repeat("n", 41)), Value: stripe.String("1")}}
		}, "custom_fields[0][name]"),
		Entry("a custom field's value over 140 characters", func(p *stripe.InvoiceCreateParams) {
			p.CustomFields = []*stripe.InvoiceCreateCustomFieldParams{{Name: stripe.String("PO"), Value: stripe.String(strings.Repeat("v", 141))}}
		}, "custom_fields[0][value]"),
	)

	It("shows rendering and shipping_details whole, as a customer's shipping is, every field null unless sent", func() {
		raw := Do(emu.URL(), "POST", "/v1/invoices", "customer="+cus.ID+"&rendering[amount_tax_display]=include_inclusive_tax"+
			"&shipping_details[name]=Jo&shipping_details[address][line1]=1 Main St")
		Expect(raw.Status).To(Equal(200), raw.Text)
		Expect(raw.Body["rendering"]).To(Equal(map[string]any{"amount_tax_display": "include_inclusive_tax", "pdf": nil, "template": nil, "template_version": nil}))
		Expect(raw.Body["shipping_details"]).To(Equal(map[string]any{"name": "Jo", "phone": nil,
			"address": map[string]any{"line1": "1 Main St", "line2": nil, "city": nil, "state": nil, "postal_code": nil, "country": nil}}))
		raw = Do(emu.URL(), "POST", "/v1/invoices/"+raw.Body["id"].(string), "rendering[pdf][page_size]=a4")
		Expect(raw.Status).To(Equal(200), raw.Text)
		Expect(raw.Body["rendering"]).To(Equal(map[string]any{"amount_tax_display": "include_inclusive_tax", "pdf": map[string]any{"page_size": "a4"}, "template": nil, "template_version": nil}))
	})

	It("puts on an invoice only its customer's items in its currency, refusing others and changing nothing", func() {
		other := customerWithCard(sc, "other@example.com", "pm_card_visa", "")
		theirs, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(other.ID), Amount: stripe.Int64(100), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		euros, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(100), Currency: stripe.String("eur")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())

		_, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{{InvoiceItem: stripe.String(theirs.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "lines[0][invoice_item]")
		_, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{{InvoiceItem: stripe.String(euros.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "lines[0][invoice_item]")
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(100), Currency: stripe.String("eur")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency")
		upper, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(other.ID), Amount: stripe.Int64(100), Currency: stripe.String("USD")})
		Expect(err).NotTo(HaveOccurred())
		Expect(upper.Currency).To(Equal(stripe.CurrencyUSD), "lowercase, as Stripe shows currencies")

		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Lines.Data).To(BeEmpty())
		Expect(got.Total).To(BeZero())
		for _, id := range []string{theirs.ID, euros.ID} {
			ii, err := sc.V1InvoiceItems.Retrieve(Ctx, id, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ii.Invoice).To(BeNil(), "still pending")
		}
	})

	It("lists invoice items by created, the date each was made", func() {
		item := func() *stripe.InvoiceItem {
			GinkgoHelper()
			ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(100), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
			return ii
		}
		first := item()
		emu.Clock().Advance(time.Hour)
		second := item()
		Expect(second.Date).To(BeNumerically(">", first.Date))
		ids := func(created *stripe.RangeQueryParams) []string {
			GinkgoHelper()
			out := []string{}
			for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), CreatedRange: created}) {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, ii.ID)
			}
			return out
		}
		Expect(ids(&stripe.RangeQueryParams{GreaterThanOrEqual: second.Date})).To(Equal([]string{second.ID}))
		Expect(ids(&stripe.RangeQueryParams{LesserThan: second.Date})).To(Equal([]string{first.ID}))
		Expect(ids(&stripe.RangeQueryParams{GreaterThanOrEqual: first.Date})).To(Equal([]string{second.ID, first.ID}))
	})

	It("holds an invoice item's description to 5000 characters", func() {
		_, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(100),
			Currency: stripe.String("usd"), Description: stripe.String(strings.Repeat("d", 5001))})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		Expect(emu.Count("", "invoiceitem")).To(BeZero())
	})

	It("shows the hosted page and PDF once finalized, not on a draft", func() {
		inv := draft(&stripe.InvoiceCreateParams{CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30)}, 1000)
		Expect(inv.HostedInvoiceURL).To(BeEmpty())
		Expect(inv.InvoicePDF).To(BeEmpty())
		Expect(inv.DueDate).To(Equal(inv.Created + 30*86400))
		inv, err := sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.HostedInvoiceURL).NotTo(BeEmpty())
		Expect(inv.InvoicePDF).NotTo(BeEmpty())
	})

	Describe("sending", func() {
		It("sends an open invoice, and a paid one again, each with invoice.sent", func() {
			inv := emailed(2500)
			sent, err := sc.V1Invoices.SendInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(sent.Status).To(Equal(stripe.InvoiceStatusOpen))
			_, err = sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaidOutOfBand: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())

			By("sending the paid invoice too, as Stripe's reference allows (the email then leaves the payment out)")
			sent, err = sc.V1Invoices.SendInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(sent.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(count(emu.EventTypes(""), "invoice.sent")).To(Equal(2))
		})

		It("finalizes a draft it is asked to send", func() {
			inv := draft(&stripe.InvoiceCreateParams{CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(7)}, 900)
			sent, err := sc.V1Invoices.SendInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(sent.Status).To(Equal(stripe.InvoiceStatusOpen))
			Expect(sent.Number).NotTo(BeEmpty())
			types := emu.EventTypes("")
			Expect(count(types, "invoice.finalized")).To(Equal(1))
			Expect(count(types, "invoice.sent")).To(Equal(1))
		})

		It("won't send a void invoice, nor one charged automatically", func() {
			inv := emailed(900)
			_, err := sc.V1Invoices.VoidInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Invoices.SendInvoice(Ctx, inv.ID, nil)
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
			auto := draft(&stripe.InvoiceCreateParams{}, 900)
			_, err = sc.V1Invoices.SendInvoice(Ctx, auto.ID, nil)
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
			Expect(emu.EventTypes("")).NotTo(ContainElement("invoice.sent"))
		})
	})

	It("shows the customer's balance as it is on a draft, and as it was applied once finalized", func() {
		inv := draft(&stripe.InvoiceCreateParams{}, 2000)
		Expect(inv.StartingBalance).To(BeZero())
		Expect(inv.EndingBalance).To(BeZero(), "null until finalized")
		_, err := sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{
			Customer: stripe.String(cus.ID), Amount: stripe.Int64(-300), Currency: stripe.String("usd"),
		})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.StartingBalance).To(Equal(int64(-300)), "a draft shows the current balance")
		other := draft(&stripe.InvoiceCreateParams{}, 100)

		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.StartingBalance).To(Equal(int64(-300)))
		Expect(inv.EndingBalance).To(BeZero())
		Expect(inv.AmountDue).To(Equal(int64(1700)))
		other, err = sc.V1Invoices.Retrieve(Ctx, other.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(other.StartingBalance).To(BeZero(), "the other draft follows the balance the finalized one used up")
	})

	It("shows the customer's details as they are on a draft, and as they were once finalized", func() {
		inv := draft(&stripe.InvoiceCreateParams{}, 2000)
		_, err := sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Email: stripe.String("billing@example.com"), Name: stripe.String("Acme Ltd"),
			Address: &stripe.AddressParams{Line1: stripe.String("1 Main St"), City: stripe.String("Springfield"), Country: stripe.String("US")}})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.CustomerEmail).To(Equal("billing@example.com"))
		Expect(inv.CustomerName).To(Equal("Acme Ltd"))
		Expect(inv.CustomerAddress.Line1).To(Equal("1 Main St"))

		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Email: stripe.String("new@example.com")})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.CustomerEmail).To(Equal("billing@example.com"), "finalized: no longer updated")
	})

	Describe("voiding", func() {
		It("gives back the credit an invoice used, as Stripe has since 2019-12-03", func() {
			_, err := sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{
				Customer: stripe.String(cus.ID), Amount: stripe.Int64(-500), Currency: stripe.String("usd"),
			})
			Expect(err).NotTo(HaveOccurred())
			inv := emailed(2000)
			Expect(inv.AmountDue).To(Equal(int64(1500)))
			Expect(balance()).To(BeZero())

			_, err = sc.V1Invoices.VoidInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(balance()).To(Equal(int64(-500)))
			txn := newestTransaction()
			Expect(txn.Type).To(Equal(stripe.CustomerBalanceTransactionTypeUnappliedFromInvoice))
			Expect(txn.Amount).To(Equal(int64(-500)))
			Expect(txn.EndingBalance).To(Equal(int64(-500)))
			Expect(txn.Invoice.ID).To(Equal(inv.ID))
			ev := latestEvent(sc, "customer.updated")
			Expect(ev.Data.PreviousAttributes).To(HaveKeyWithValue("balance", BeNumerically("==", 0)))
		})

		It("gives back a debt an invoice took on, after it was marked uncollectible too", func() {
			_, err := sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{
				Customer: stripe.String(cus.ID), Amount: stripe.Int64(700), Currency: stripe.String("usd"),
			})
			Expect(err).NotTo(HaveOccurred())
			inv := emailed(2000)
			Expect(inv.AmountDue).To(Equal(int64(2700)))
			_, err = sc.V1Invoices.MarkUncollectible(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Invoices.VoidInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(balance()).To(Equal(int64(700)))
			Expect(newestTransaction().Amount).To(Equal(int64(700)))
		})

		It("moves no balance for an invoice that used none", func() {
			inv := emailed(2000)
			updates := count(emu.EventTypes(""), "customer.updated")
			_, err := sc.V1Invoices.VoidInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(count(emu.EventTypes(""), "customer.updated")).To(Equal(updates))
			n := 0
			for _, err := range sc.V1CustomerBalanceTransactions.List(Ctx, &stripe.CustomerBalanceTransactionListParams{Customer: stripe.String(cus.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				n++
			}
			Expect(n).To(BeZero())
		})
	})

	It("pays a draft by finalizing it, even one with nothing due", func() {
		inv := draft(&stripe.InvoiceCreateParams{}, 1500)
		paid, err := sc.V1Invoices.Pay(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(paid.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(paid.AmountPaid).To(Equal(int64(1500)))

		_, err = sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{
			Customer: stripe.String(cus.ID), Amount: stripe.Int64(-5000), Currency: stripe.String("usd"),
		})
		Expect(err).NotTo(HaveOccurred())
		covered := draft(&stripe.InvoiceCreateParams{}, 1500)
		paid, err = sc.V1Invoices.Pay(Ctx, covered.ID, nil)
		Expect(err).NotTo(HaveOccurred(), "the credit pays it as it is finalized")
		Expect(paid.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(paid.AmountDue).To(BeZero())
		Expect(paid.Number).NotTo(BeEmpty())

		_, err = sc.V1Invoices.Pay(Ctx, covered.ID, nil)
		Expect(StripeErr(err).Msg).To(Equal("Invoice is already paid"), "paying it again is refused")
	})

	// forgive: "Passing forgive=false will fail the charge if the source
	// hasn't been pre-funded with the right amount ... Defaults to false."
	It("takes forgive=false, the default, on /pay, and refuses forgive=true as not emulated", func() {
		inv := emailed(1300)
		_, err := sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa"), Forgive: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "forgive")
		paid, err := sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa"), Forgive: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(paid.Status).To(Equal(stripe.InvoiceStatusPaid))
	})

	It("pays an invoice marked uncollectible", func() {
		inv := emailed(1200)
		inv, err := sc.V1Invoices.MarkUncollectible(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusUncollectible))
		paid, err := sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(paid.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(paid.StatusTransitions.MarkedUncollectibleAt).NotTo(BeZero())
		Expect(paid.AmountPaid).To(Equal(int64(1200)))
	})

	Describe("updating a finalized invoice", func() {
		It("takes a new default payment method, which paying then uses", func() {
			inv := draft(&stripe.InvoiceCreateParams{}, 1800)
			inv, err := sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			pm, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_mastercard", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{DefaultPaymentMethod: stripe.String(pm.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.DefaultPaymentMethod.ID).To(Equal(pm.ID))
			paid, err := sc.V1Invoices.Pay(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(paid.Status).To(Equal(stripe.InvoiceStatusPaid))
			pi := defaultIntent(sc, paid)
			Expect(pi.PaymentMethod.ID).To(Equal(pm.ID))
		})

		It("refuses a payment method the customer does not have", func() {
			inv := draft(&stripe.InvoiceCreateParams{}, 1800)
			inv, err := sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			loose, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"), Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String("tok_visa")}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{DefaultPaymentMethod: stripe.String(loose.ID)})
			se := StripeErr(err)
			Expect(se.Param).To(Equal("default_payment_method"))
			Expect(se.Msg).To(Equal("The customer does not have a payment method with the ID " + loose.ID + ". The payment method must be attached to the customer."))
			_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), DefaultPaymentMethod: stripe.String(loose.ID)})
			Expect(StripeErr(err).Param).To(Equal("default_payment_method"))
		})

		It("refuses a due date, which only a draft takes, changing nothing", func() {
			inv := emailed(1800)
			_, err := sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{DueDate: stripe.Int64(inv.DueDate + 86400)})
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeInvoiceNotEditable))
			got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.DueDate).To(Equal(inv.DueDate))
		})
	})

	It("drops the due date of a draft switched to charge automatically", func() {
		inv := draft(&stripe.InvoiceCreateParams{CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30)}, 500)
		Expect(inv.DueDate).NotTo(BeZero())
		inv, err := sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{CollectionMethod: stripe.String("charge_automatically")})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.CollectionMethod).To(Equal(stripe.InvoiceCollectionMethodChargeAutomatically))
		Expect(inv.DueDate).To(BeZero(), "null: an automatically charged invoice has no due date")
	})

	It("refuses a due date already past, on create and on a draft's update, changing nothing", func() {
		past := Epoch.Add(-time.Hour).Unix()
		_, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"), DueDate: stripe.Int64(past)})
		se := StripeErr(err)
		Expect(se.Param).To(Equal("due_date"))
		Expect(se.Msg).To(Equal("Invalid timestamp: must be an integer Unix timestamp in the future."))
		Expect(emu.EventTypes("")).NotTo(ContainElement("invoice.created"))

		_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"),
			DueDate: stripe.Int64(Epoch.Add(48 * time.Hour).Unix()), DaysUntilDue: stripe.Int64(3)})
		Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeParametersExclusive), "one due date or the other, not both")

		_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(-1)})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "days_until_due")
		Expect(emu.EventTypes("")).NotTo(ContainElement("invoice.created"), "a negative days_until_due is a due date past too")

		inv := draft(&stripe.InvoiceCreateParams{CollectionMethod: stripe.String("send_invoice"), DueDate: stripe.Int64(Epoch.Add(48 * time.Hour).Unix())}, 500)
		_, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{DueDate: stripe.Int64(Epoch.Unix())})
		Expect(StripeErr(err).Param).To(Equal("due_date"), "now is not in the future either")
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.DueDate).To(Equal(Epoch.Add(48 * time.Hour).Unix()))
	})

	Describe("automatic advancement", func() {
		It("is turned off once an invoice is paid, void or uncollectible, and can't be turned back on", func() {
			advancing := func() *stripe.Invoice {
				GinkgoHelper()
				inv := draft(&stripe.InvoiceCreateParams{AutoAdvance: stripe.Bool(true), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(10)}, 800)
				inv, err := sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(inv.AutoAdvance).To(BeTrue())
				return inv
			}
			paid, err := sc.V1Invoices.Pay(Ctx, advancing().ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa")})
			Expect(err).NotTo(HaveOccurred())
			Expect(paid.AutoAdvance).To(BeFalse(), "paid by card")
			oob, err := sc.V1Invoices.Pay(Ctx, advancing().ID, &stripe.InvoicePayParams{PaidOutOfBand: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(oob.AutoAdvance).To(BeFalse(), "paid out of band")
			voided, err := sc.V1Invoices.VoidInvoice(Ctx, advancing().ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(voided.AutoAdvance).To(BeFalse(), "void")
			bad, err := sc.V1Invoices.MarkUncollectible(Ctx, advancing().ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(bad.AutoAdvance).To(BeFalse(), "uncollectible")

			_, err = sc.V1Invoices.Update(Ctx, paid.ID, &stripe.InvoiceUpdateParams{AutoAdvance: stripe.Bool(true)})
			se := StripeErr(err)
			Expect(se.Code).To(Equal(stripe.ErrorCodeInvoiceNotEditable))
			Expect(se.Param).To(Equal("auto_advance"))
			got, err := sc.V1Invoices.Retrieve(Ctx, paid.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.AutoAdvance).To(BeFalse())

			By("an open invoice still takes it either way")
			open := advancing()
			open, err = sc.V1Invoices.Update(Ctx, open.ID, &stripe.InvoiceUpdateParams{AutoAdvance: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			Expect(open.AutoAdvance).To(BeFalse())
		})
	})

	It("puts a deleted draft's items back to pending, for the next invoice that includes them", func() {
		inv := draft(&stripe.InvoiceCreateParams{}, 1300)
		_, err := sc.V1Invoices.Delete(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		plain, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(plain.Total).To(BeZero(), "pending items are excluded unless asked for")
		with, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), PendingInvoiceItemsBehavior: stripe.String("include")})
		Expect(err).NotTo(HaveOccurred())
		Expect(with.Total).To(Equal(int64(1300)))

		// The invoice is made with its items: invoice.created shows them,
		// and no invoice.updated follows as if they were added after.
		var created []map[string]any
		for _, ev := range emu.Events("") {
			obj := ev["data"].(map[string]any)["object"].(map[string]any)
			if obj["id"] != with.ID {
				continue
			}
			Expect(ev["type"]).To(Equal("invoice.created"))
			created = append(created, obj)
		}
		Expect(created).To(HaveLen(1))
		Expect(created[0]["total"]).To(BeNumerically("==", 1300))
		Expect(created[0]["lines"].(map[string]any)["data"]).To(HaveLen(1))
	})

	It("finalizes an auto-advancing emailed invoice an hour after creation on its clock, and sends it", func() {
		clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "clocked@example.com", "pm_card_visa", clk.ID)
		inv := draft(&stripe.InvoiceCreateParams{AutoAdvance: stripe.Bool(true), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30)}, 4000)
		Expect(inv.AutomaticallyFinalizesAt).To(Equal(Epoch.Unix() + 3600))
		advanceClock(sc, clk.ID, Epoch.Add(59*time.Minute))
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.InvoiceStatusDraft))
		advanceClock(sc, clk.ID, Epoch.Add(61*time.Minute))
		got, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(got.Number).NotTo(BeEmpty())
		types := emu.EventTypes("")
		Expect(count(types, "invoice.finalized")).To(Equal(1))
		Expect(count(types, "invoice.sent")).To(Equal(1))
	})

	It("finalizes a draft turned auto-advancing an hour later on its clock, not on the wall clock", func() {
		// The clock stands ten days before the emulator's own time.
		start := Epoch.AddDate(0, 0, -10)
		clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(start.Unix())})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "turned@example.com", "pm_card_visa", clk.ID)
		inv := draft(&stripe.InvoiceCreateParams{CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30)}, 2500)
		Expect(inv.AutoAdvance).To(BeFalse(), "an invoice made through the API does not advance unless asked")
		Expect(inv.AutomaticallyFinalizesAt).To(BeZero())
		inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{AutoAdvance: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AutomaticallyFinalizesAt).To(Equal(start.Unix() + 3600))
		advanceClock(sc, clk.ID, start.Add(61*time.Minute))
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.InvoiceStatusOpen))
	})

	It("dates what is done to a test-clock customer's invoice by the clock's time, not the wall clock", func() {
		start := Epoch.AddDate(0, 0, -10)
		clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(start.Unix())})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "dated@example.com", "pm_card_visa", clk.ID)
		inv := draft(&stripe.InvoiceCreateParams{CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30)}, 1200)
		Expect(inv.Created).To(Equal(start.Unix()))
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.EffectiveAt).To(Equal(start.Unix()))
		Expect(inv.StatusTransitions.FinalizedAt).To(Equal(start.Unix()))
		inv, err = sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaidOutOfBand: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.StatusTransitions.PaidAt).To(Equal(start.Unix()))

		other := draft(&stripe.InvoiceCreateParams{CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30)}, 800)
		other, err = sc.V1Invoices.FinalizeInvoice(Ctx, other.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		other, err = sc.V1Invoices.MarkUncollectible(Ctx, other.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(other.StatusTransitions.MarkedUncollectibleAt).To(Equal(start.Unix()))
		other, err = sc.V1Invoices.VoidInvoice(Ctx, other.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(other.StatusTransitions.VoidedAt).To(Equal(start.Unix()))

		By("dating the events of a draft's line edits by the clock too")
		edited := draft(&stripe.InvoiceCreateParams{}, 500)
		line := edited.Lines.Data[0]
		lastCreated := func() any {
			evs := emu.Events("")
			return evs[len(evs)-1]["created"]
		}
		_, err = sc.V1Invoices.UpdateLines(Ctx, edited.ID, &stripe.InvoiceUpdateLinesParams{Lines: []*stripe.InvoiceUpdateLinesLineParams{
			{ID: stripe.String(line.ID), Amount: stripe.Int64(600)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(lastCreated()).To(BeEquivalentTo(start.Unix()), "update_lines")
		_, err = sc.V1InvoiceLineItems.Update(Ctx, line.ID, &stripe.InvoiceLineItemUpdateParams{Invoice: stripe.String(edited.ID), Amount: stripe.Int64(700)})
		Expect(err).NotTo(HaveOccurred())
		Expect(lastCreated()).To(BeEquivalentTo(start.Unix()), "a line's update")
		_, err = sc.V1Invoices.RemoveLines(Ctx, edited.ID, &stripe.InvoiceRemoveLinesParams{Lines: []*stripe.InvoiceRemoveLinesLineParams{
			{ID: stripe.String(line.ID), Behavior: stripe.String("delete")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(lastCreated()).To(BeEquivalentTo(start.Unix()), "remove_lines")
	})

	It("names a test-clock customer's clock on its invoice items, which a list of all leaves out", func() {
		clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "clocked-items@example.com", "pm_card_visa", clk.ID)
		pending, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(300), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		Expect(pending.TestClock).NotTo(BeNil())
		Expect(pending.TestClock.ID).To(Equal(clk.ID))
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{{Amount: stripe.Int64(400)}}})
		Expect(err).NotTo(HaveOccurred())
		line := inv.Lines.Data[0]
		added, err := sc.V1InvoiceItems.Retrieve(Ctx, line.Parent.InvoiceItemDetails.InvoiceItem, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(added.TestClock.ID).To(Equal(clk.ID))
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(ii.Customer.ID).NotTo(Equal(cus.ID), "a clock's items are listed under their customer only")
		}
	})

	It("charges an auto-advancing invoice finalized by hand an hour later on its clock, unless advancement is turned off", func() {
		clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "collected@example.com", "pm_card_visa", clk.ID)
		inv := draft(&stripe.InvoiceCreateParams{}, 1500)
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, &stripe.InvoiceFinalizeInvoiceParams{AutoAdvance: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.NextPaymentAttempt).To(Equal(Epoch.Unix() + 3600))
		paused := draft(&stripe.InvoiceCreateParams{}, 700)
		paused, err = sc.V1Invoices.FinalizeInvoice(Ctx, paused.ID, &stripe.InvoiceFinalizeInvoiceParams{AutoAdvance: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		paused, err = sc.V1Invoices.Update(Ctx, paused.ID, &stripe.InvoiceUpdateParams{AutoAdvance: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(paused.NextPaymentAttempt).To(BeZero(), "no attempt is planned once advancement is off")
		manual := draft(&stripe.InvoiceCreateParams{}, 900)
		manual, err = sc.V1Invoices.FinalizeInvoice(Ctx, manual.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(manual.NextPaymentAttempt).To(BeZero())

		advanceClock(sc, clk.ID, Epoch.Add(61*time.Minute))
		for id, want := range map[string]stripe.InvoiceStatus{inv.ID: stripe.InvoiceStatusPaid, paused.ID: stripe.InvoiceStatusOpen, manual.ID: stripe.InvoiceStatusOpen} {
			got, err := sc.V1Invoices.Retrieve(Ctx, id, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(want), id)
		}
	})

	It("removes only invoice items' lines from a subscription's draft renewal, refusing its subscription line for what it is", func() {
		clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "removing@example.com", "pm_card_visa", clk.ID)
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(recurringPrice(sc, prod.ID, "month", 1500).ID)}}})
		Expect(err).NotTo(HaveOccurred())
		extra, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(55),
			Currency: stripe.String("usd"), Subscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1TestHelpersTestClocks.Advance(Ctx, clk.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(sub.Items.Data[0].CurrentPeriodEnd + 60)})
		Expect(err).NotTo(HaveOccurred())
		var renewal *stripe.Invoice
		for inv, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Subscription: stripe.String(sub.ID), Status: stripe.String("draft")}) {
			Expect(err).NotTo(HaveOccurred())
			renewal = inv
		}
		Expect(renewal).NotTo(BeNil())
		Expect(renewal.Total).To(Equal(int64(1555)))
		var subLine, itemLine string
		for _, l := range renewal.Lines.Data {
			if l.Parent.Type == "subscription_item_details" {
				subLine = l.ID
			} else {
				itemLine = l.ID
			}
		}
		Expect(subLine).NotTo(BeEmpty())
		Expect(itemLine).NotTo(BeEmpty())
		for _, behavior := range []string{"delete", "unassign"} {
			_, err = sc.V1Invoices.RemoveLines(Ctx, renewal.ID, &stripe.InvoiceRemoveLinesParams{Lines: []*stripe.InvoiceRemoveLinesLineParams{
				{ID: stripe.String(itemLine), Behavior: stripe.String("unassign")}, {ID: stripe.String(subLine), Behavior: stripe.String(behavior)}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "lines[1][id]")
			Expect(StripeErr(err).Msg).To(ContainSubstring("subscription item"))
		}
		got, err := sc.V1Invoices.Retrieve(Ctx, renewal.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Total).To(Equal(int64(1555)), "nothing removed")

		got, err = sc.V1Invoices.RemoveLines(Ctx, renewal.ID, &stripe.InvoiceRemoveLinesParams{Lines: []*stripe.InvoiceRemoveLinesLineParams{
			{ID: stripe.String(itemLine), Behavior: stripe.String("unassign")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Total).To(Equal(int64(1500)))
		ii, err := sc.V1InvoiceItems.Retrieve(Ctx, extra.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Invoice).To(BeNil(), "unassigned: pending again")
	})

	It("won't delete a subscription's draft renewal", func() {
		clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "renewing@example.com", "pm_card_visa", clk.ID)
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(recurringPrice(sc, prod.ID, "month", 1500).ID)}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1TestHelpersTestClocks.Advance(Ctx, clk.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(sub.Items.Data[0].CurrentPeriodEnd + 60)})
		Expect(err).NotTo(HaveOccurred())
		var renewal *stripe.Invoice
		for inv, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Subscription: stripe.String(sub.ID), Status: stripe.String("draft")}) {
			Expect(err).NotTo(HaveOccurred())
			renewal = inv
		}
		Expect(renewal).NotTo(BeNil())
		_, err = sc.V1Invoices.Delete(Ctx, renewal.ID, nil)
		Expect(StripeErr(err).Msg).To(Equal("You can't delete invoices created by subscriptions."))
		got, err := sc.V1Invoices.Retrieve(Ctx, renewal.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.InvoiceStatusDraft))
	})

	It("finds a subscription's invoices by search", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		price := recurringPrice(sc, prod.ID, "month", 1500)
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		emailed(700) // another invoice of the same customer
		var found []string
		for inv, err := range sc.V1Invoices.Search(Ctx, &stripe.InvoiceSearchParams{SearchParams: stripe.SearchParams{Query: "subscription:'" + sub.ID + "'"}}) {
			Expect(err).NotTo(HaveOccurred())
			found = append(found, inv.ID)
		}
		Expect(found).To(Equal([]string{sub.LatestInvoice.ID}))
	})

	It("dates a send_invoice draft by days_until_due or due_date, refuses neither or both, and a due date on one charged automatically, naming what was sent", func() {
		_, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "days_until_due")
		Expect(StripeErr(err).Msg).To(Equal("Invoices with `collection_method=send_invoice` must have a `due_date` or `days_until_due`."))
		_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"),
			DaysUntilDue: stripe.Int64(3), DueDate: stripe.Int64(Epoch.Add(72 * time.Hour).Unix())})
		ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "days_until_due")
		_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), DueDate: stripe.Int64(Epoch.Add(72 * time.Hour).Unix())})
		ExpectStripeError(err, 400, "invalid_request_error", "", "due_date")
		Expect(StripeErr(err).Msg).To(Equal("Invoices with `collection_method=charge_automatically` can't have a due date."))
		_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), DaysUntilDue: stripe.Int64(3)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "days_until_due")
		Expect(emu.Count("", "invoice")).To(BeZero())

		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(3)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.DueDate).To(Equal(Epoch.Add(72*time.Hour).Unix()), "days from the invoice's creation")
		inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{DueDate: stripe.Int64(Epoch.Add(24 * time.Hour).Unix())})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.DueDate).To(Equal(Epoch.Add(24 * time.Hour).Unix()))
		inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{CollectionMethod: stripe.String("charge_automatically")})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.DueDate).To(BeZero(), "no due date once charged automatically")
		_, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{CollectionMethod: stripe.String("send_invoice")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "days_until_due")
		_, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{DueDate: stripe.Int64(Epoch.Add(24 * time.Hour).Unix())})
		ExpectStripeError(err, 400, "invalid_request_error", "", "due_date")
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.CollectionMethod).To(Equal(stripe.InvoiceCollectionMethodChargeAutomatically))
	})

	It("refuses paying a customer with no way to pay, sending one charged automatically, void or uncollectible, and paying or marking what is settled, changing nothing", func() {
		bare, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("bare@example.com")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(bare.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(bare.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		mark := len(emu.EventTypes(""))
		_, err = sc.V1Invoices.Pay(Ctx, inv.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("This customer has no attached payment source or default payment method. Please consider adding a default payment method. " +
			"For more information, visit https://stripe.com/docs/billing/subscriptions/payment-methods-setting#payment-method-priority."))
		Expect(emu.EventTypes("")[mark:]).To(BeEmpty(), "the draft is not finalized by a payment that cannot be made")
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.InvoiceStatusDraft))

		_, err = sc.V1Invoices.SendInvoice(Ctx, inv.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("You can only manually send an invoice if its collection method is 'send_invoice'."))

		paid, err := sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaidOutOfBand: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(paid.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(paid.AmountPaid).To(Equal(int64(1000)), "basil's amount_paid counts what was paid out of band")
		mark = len(emu.EventTypes(""))
		_, err = sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaidOutOfBand: stripe.Bool(true)})
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
		Expect(StripeErr(err).Msg).To(Equal("Invoice is already paid"))
		_, err = sc.V1Invoices.MarkUncollectible(Ctx, inv.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "invoice_not_editable", "")
		_, err = sc.V1Invoices.VoidInvoice(Ctx, inv.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "invoice_not_editable", "")
		_, err = sc.V1Invoices.Delete(Ctx, inv.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "invoice_not_editable", "")

		emailed := func() *stripe.Invoice {
			GinkgoHelper()
			inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(7)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(500), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
			inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			return inv
		}
		voided, err := sc.V1Invoices.VoidInvoice(Ctx, emailed().ID, nil)
		Expect(err).NotTo(HaveOccurred())
		lost, err := sc.V1Invoices.MarkUncollectible(Ctx, emailed().ID, nil)
		Expect(err).NotTo(HaveOccurred())
		for _, settled := range []*stripe.Invoice{voided, lost} {
			_, err = sc.V1Invoices.SendInvoice(Ctx, settled.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
		}
		_, err = sc.V1Invoices.Pay(Ctx, voided.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "invoice_not_editable", "")
		Expect(emu.EventTypes("")[mark:]).NotTo(ContainElement("invoice.sent"))
		// An uncollectible invoice can still be paid.
		lost, err = sc.V1Invoices.Pay(Ctx, lost.ID, &stripe.InvoicePayParams{PaidOutOfBand: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(lost.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(lost.StatusTransitions.MarkedUncollectibleAt).NotTo(BeZero(), "its history kept")
		Expect(lost.StatusTransitions.PaidAt).NotTo(BeZero())
	})

	It("refuses an empty due date, number, timestamp, choice, object or id that Stripe's spec lets no one unset, changing nothing", func() {
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
			CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(3)})
		Expect(err).NotTo(HaveOccurred())
		ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			UnitAmountDecimal: stripe.Float64(250), Quantity: stripe.Int64(2), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		mark := len(emu.EventTypes(""))
		emptied := func(field string, send func(p *stripe.Params) error) {
			GinkgoHelper()
			err := send(&stripe.Params{})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_empty", field)
			Expect(StripeErr(err).Msg).To(Equal("You passed an empty string for '" + field + "'. We assume empty values are an attempt to unset a parameter; however '" +
				field + "' cannot be unset. You should remove '" + field + "' from your request or supply a non-empty value."))
		}
		for _, f := range []string{"due_date", "days_until_due", "collection_method", "automatically_finalizes_at", "application_fee_amount", "automatic_tax", "payment_settings"} {
			emptied(f, func(_ *stripe.Params) error {
				p := &stripe.InvoiceUpdateParams{}
				p.AddExtra(f, "")
				_, err := sc.V1Invoices.Update(Ctx, inv.ID, p)
				return err
			})
			emptied(f, func(_ *stripe.Params) error {
				p := &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)}
				p.AddExtra(f, "")
				_, err := sc.V1Invoices.Create(Ctx, p)
				return err
			})
		}
		for _, f := range []string{"currency", "subscription", "default_tax_rates", "shipping_cost", "pending_invoice_items_behavior"} {
			emptied(f, func(_ *stripe.Params) error {
				p := &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)}
				p.AddExtra(f, "")
				_, err := sc.V1Invoices.Create(Ctx, p)
				return err
			})
		}
		for _, f := range []string{"amount", "quantity", "period", "unit_amount_decimal", "pricing", "price_data", "tax_behavior"} {
			emptied(f, func(_ *stripe.Params) error {
				p := &stripe.InvoiceItemUpdateParams{}
				p.AddExtra(f, "")
				_, err := sc.V1InvoiceItems.Update(Ctx, ii.ID, p)
				return err
			})
		}
		for _, f := range []string{"invoice", "subscription", "period", "tax_rates", "tax_behavior"} {
			emptied(f, func(_ *stripe.Params) error {
				p := &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(100), Currency: stripe.String("usd")}
				p.AddExtra(f, "")
				_, err := sc.V1InvoiceItems.Create(Ctx, p)
				return err
			})
		}
		// An invoice item's line, as update_lines names it.
		up := &stripe.InvoiceUpdateLinesParams{Lines: []*stripe.InvoiceUpdateLinesLineParams{{ID: stripe.String(inv.Lines.Data[0].ID)}}}
		up.AddExtra("lines[0][quantity]", "")
		_, err = sc.V1Invoices.UpdateLines(Ctx, inv.ID, up)
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_empty", "lines[0][quantity]")

		Expect(emu.EventTypes("")[mark:]).To(BeEmpty())
		Expect(emu.Count("", "invoice")).To(Equal(1))
		Expect(emu.Count("", "invoiceitem")).To(Equal(1))
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.DueDate).To(Equal(inv.DueDate))
		Expect(got.CollectionMethod).To(Equal(stripe.InvoiceCollectionMethodSendInvoice))
		Expect(got.Total).To(Equal(int64(500)))
		Expect(got.Lines.Data[0].Quantity).To(Equal(int64(2)))
	})
})

// effective_at (create, and a draft's update): "The date when this
// invoice is in effect. Same as finalized_at unless overwritten."
var _ = Describe("An invoice's effective_at", Label("billing"), func() {
	It("keeps a date set on the draft through finalization, else takes the finalization's", func() {
		emu := Emulator()
		sc := emu.Client()
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("effective@example.com")})
		Expect(err).NotTo(HaveOccurred())
		set := Epoch.AddDate(0, 0, -10).Unix()
		p := &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), EffectiveAt: stripe.Int64(set)}
		inv, err := sc.V1Invoices.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.EffectiveAt).To(Equal(set))
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.EffectiveAt).To(Equal(set))
		Expect(inv.StatusTransitions.FinalizedAt).To(Equal(Epoch.Unix()))

		other, err := sc.V1Invoices.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		up := &stripe.InvoiceUpdateParams{}
		up.AddExtra("effective_at", "")
		other, err = sc.V1Invoices.Update(Ctx, other.ID, up)
		Expect(err).NotTo(HaveOccurred())
		Expect(other.EffectiveAt).To(BeZero())
		other, err = sc.V1Invoices.FinalizeInvoice(Ctx, other.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(other.EffectiveAt).To(Equal(Epoch.Unix()))

		_, err = sc.V1Invoices.Update(Ctx, other.ID, &stripe.InvoiceUpdateParams{EffectiveAt: stripe.Int64(set)})
		ExpectStripeError(err, 400, "invalid_request_error", "invoice_not_editable", "")
	})
})

// Stripe's changelog (2016-02-22): "Returns an error on attempts to add
// more than 250 invoice items to an invoice." The wording of that error is
// not documented.
var _ = Describe("An invoice's 250 invoice items", Label("billing"), func() {
	It("refuses a 251st item, by add_lines or by an item made for the invoice, adding nothing", func() {
		emu := Emulator()
		sc := emu.Client()
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("many@example.com")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		lines := make([]*stripe.InvoiceAddLinesLineParams, 249)
		for i := range lines {
			lines[i] = &stripe.InvoiceAddLinesLineParams{Amount: stripe.Int64(100)}
		}
		_, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: lines})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(100), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred(), "the 250th")

		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(100), Currency: stripe.String("usd")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "invoice")
		_, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{{Amount: stripe.Int64(100)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "lines")
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(25000)), "nothing added")
		Expect(emu.Count("", "invoiceitem")).To(Equal(250))
	})
})

// default_source: "ID of the default payment source for the invoice. It
// must belong to the customer associated with the invoice and be in a
// chargeable state. If not set, defaults to the subscription's default
// source, if any, or to the customer's default source."
var _ = Describe("An invoice's default_source", Label("billing"), func() {
	It("charges a card saved on the customer before the customer's default, and refuses another customer's card", func() {
		emu := Emulator()
		sc := emu.Client()
		owner, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Source: stripe.String("tok_visa")})
		Expect(err).NotTo(HaveOccurred())
		mc, err := sc.V1PaymentSources.Create(Ctx, &stripe.PaymentSourceCreateParams{Customer: stripe.String(owner.ID), Source: &stripe.PaymentSourceSourceParams{Token: stripe.String("tok_mastercard")}})
		Expect(err).NotTo(HaveOccurred())
		other, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Source: stripe.String("tok_visa")})
		Expect(err).NotTo(HaveOccurred())

		_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(owner.ID), DefaultSource: stripe.String(other.DefaultSource.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "default_source")
		Expect(emu.Count("", "invoice")).To(BeZero())

		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(owner.ID), DefaultSource: stripe.String(mc.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.DefaultSource.ID).To(Equal(mc.ID))
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(owner.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1500), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		paid, err := sc.V1Invoices.Pay(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(paid.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(defaultIntent(sc, paid).PaymentMethod.ID).To(Equal(mc.ID))

		cleared, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(owner.ID), DefaultSource: stripe.String(mc.ID)})
		Expect(err).NotTo(HaveOccurred())
		cleared, err = sc.V1Invoices.Update(Ctx, cleared.ID, &stripe.InvoiceUpdateParams{DefaultSource: stripe.String("")})
		Expect(err).NotTo(HaveOccurred())
		Expect(cleared.DefaultSource).To(BeNil())
	})
})
