package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// An invoice item's own discounts: "The coupons and promotion codes to
// redeem into discounts for the invoice item or invoice line item. Item
// discounts are applied before invoice discounts." (API reference.)
var _ = Describe("Invoice item discounts", Label("billing", "discounts"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("items@example.com")})
		Expect(err).NotTo(HaveOccurred())
		for _, p := range []*stripe.CouponCreateParams{
			{ID: stripe.String("HALF"), PercentOff: stripe.Float64(50)},
			{ID: stripe.String("TWO"), AmountOff: stripe.Int64(200), Currency: stripe.String("usd")},
		} {
			_, err := sc.V1Coupons.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
		}
	})

	// vatDraft is a draft with TWO off the invoice, a 1200 item taxed at an
	// inclusive 20% VAT with HALF of its own, and a 600 item.
	vatDraft := func() *stripe.Invoice {
		GinkgoHelper()
		vat, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(20), Inclusive: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{
			Customer: stripe.String(cus.ID), Discounts: []*stripe.InvoiceCreateDiscountParams{{Coupon: stripe.String("TWO")}},
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1200), Currency: stripe.String("usd"),
			TaxRates: []*string{stripe.String(vat.ID)}, Discounts: []*stripe.InvoiceItemCreateDiscountParams{{Coupon: stripe.String("HALF")}},
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(600), Currency: stripe.String("usd"),
		})
		Expect(err).NotTo(HaveOccurred())
		return inv
	}

	It("takes the item's own discounts off its line first, then the invoice's off what is left", func() {
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{
			Customer: stripe.String(cus.ID), Discounts: []*stripe.InvoiceCreateDiscountParams{{Coupon: stripe.String("TWO")}},
		})
		Expect(err).NotTo(HaveOccurred())
		ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			Discounts: []*stripe.InvoiceItemCreateDiscountParams{{Coupon: stripe.String("HALF")}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Discounts).To(HaveLen(1))
		own := ii.Discounts[0].ID
		Expect(own).To(HavePrefix("di_"))
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(500), Currency: stripe.String("usd"),
		})
		Expect(err).NotTo(HaveOccurred())

		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		// "before any invoice level discount or exclusive tax is applied. Item
		// discounts are already incorporated" (the reference's subtotal).
		Expect(inv.Subtotal).To(Equal(int64(1000)))
		// 1000 - 500 (HALF) = 500 and 500 left: TWO shares 200 in proportion.
		Expect(inv.Total).To(Equal(int64(800)))
		Expect(inv.TotalExcludingTax).To(Equal(int64(800)))
		amounts := map[string]int64{}
		for _, d := range inv.TotalDiscountAmounts {
			amounts[d.Discount.ID] = d.Amount
		}
		Expect(amounts).To(HaveKeyWithValue(own, int64(500)))
		Expect(amounts).To(HaveLen(2))
		var first *stripe.InvoiceLineItem
		for _, l := range inv.Lines.Data {
			if l.Amount == 1000 {
				first = l
			}
		}
		Expect(first).NotTo(BeNil())
		Expect(first.Discounts).To(HaveLen(1))
		Expect(first.Discounts[0].ID).To(Equal(own))
		Expect(first.DiscountAmounts).To(HaveLen(2))
		Expect(first.DiscountAmounts[0].Amount).To(Equal(int64(500)))
		Expect(first.DiscountAmounts[0].Discount.ID).To(Equal(own))

		cp, err := sc.V1Coupons.Retrieve(Ctx, "HALF", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(cp.TimesRedeemed).To(Equal(int64(1)))
	})

	It("incorporates item discounts in subtotal and subtotal_excluding_tax, and leaves the invoice's out", func() {
		inv, err := sc.V1Invoices.Retrieve(Ctx, vatDraft().ID, nil)
		Expect(err).NotTo(HaveOccurred())
		// The lines keep their own amounts; HALF takes 600 off the first,
		// which holds 100 of VAT in the 600 left before the invoice's TWO.
		Expect([]int64{inv.Lines.Data[0].Amount, inv.Lines.Data[1].Amount}).To(Equal([]int64{1200, 600}))
		Expect(inv.Subtotal).To(Equal(int64(1200)))
		Expect(inv.SubtotalExcludingTax).To(Equal(int64(1100)))
		// TWO takes 100 off each line's 600; the first then holds 83 of VAT in its 500.
		Expect(inv.Total).To(Equal(int64(1000)))
		Expect(inv.TotalExcludingTax).To(Equal(int64(1000 - 83)))
		Expect(inv.AmountDue).To(Equal(int64(1000)))
	})

	It("incorporates item discounts in a credit note's subtotal and subtotal_excluding_tax too, and leaves the invoice's out", func() {
		// The credit note reference's subtotal is "excluding exclusive tax
		// and invoice level discounts", as the invoice's is: crediting the
		// whole invoice shows the invoice's subtotals.
		inv, err := sc.V1Invoices.FinalizeInvoice(Ctx, vatDraft().ID, nil)
		Expect(err).NotTo(HaveOccurred())
		lines := make([]*stripe.CreditNoteCreateLineParams, len(inv.Lines.Data))
		for i, l := range inv.Lines.Data {
			lines[i] = &stripe.CreditNoteCreateLineParams{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(l.ID), Amount: stripe.Int64(l.Amount)}
		}
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: lines})
		Expect(err).NotTo(HaveOccurred())
		Expect([]int64{cn.Subtotal, cn.SubtotalExcludingTax, cn.Total, cn.TotalExcludingTax}).To(Equal(
			[]int64{inv.Subtotal, inv.SubtotalExcludingTax, inv.Total, inv.TotalExcludingTax}))
		Expect([]int64{cn.Subtotal, cn.SubtotalExcludingTax}).To(Equal([]int64{1200, 1100}))
		// The lines keep their gross amounts ("excluding (exclusive) tax and discounts").
		Expect([]int64{cn.Lines.Data[0].Amount, cn.Lines.Data[1].Amount}).To(ConsistOf(int64(1200), int64(600)))

		// Half of the discounted line: 600 gross, 300 of it HALF's.
		inv2, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(inv2.ID), Amount: stripe.Int64(1200), Currency: stripe.String("usd"),
			Discounts: []*stripe.InvoiceItemCreateDiscountParams{{Coupon: stripe.String("HALF")}},
		})
		Expect(err).NotTo(HaveOccurred())
		inv2, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv2.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		cn, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv2.ID), Lines: []*stripe.CreditNoteCreateLineParams{
			{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(inv2.Lines.Data[0].ID), Amount: stripe.Int64(600)},
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect([]int64{cn.Subtotal, cn.SubtotalExcludingTax, cn.Total, cn.DiscountAmount}).To(Equal([]int64{300, 300, 300, 300}))
	})

	It("lists a discount several lines share once in total_discount_amounts, with what it took off them all", func() {
		_, err := emu.ApplyCustomerDiscount("", cus.ID, emulator.CustomerDiscount{Coupon: "HALF"})
		Expect(err).NotTo(HaveOccurred())
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AutoAdvance: stripe.Bool(false)}
		p.AddExtra("discounts", "")
		inv, err := sc.V1Invoices.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		for _, amount := range []int64{1000, 600} {
			_, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
				Amount: stripe.Int64(amount), Currency: stripe.String("usd"),
				Discounts: []*stripe.InvoiceItemCreateDiscountParams{{Discount: stripe.String(got.Discount.ID)}}})
			Expect(err).NotTo(HaveOccurred())
		}
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(800)))
		Expect(inv.TotalDiscountAmounts).To(HaveLen(1))
		Expect(inv.TotalDiscountAmounts[0].Discount.ID).To(Equal(got.Discount.ID))
		Expect(inv.TotalDiscountAmounts[0].Amount).To(Equal(int64(800)))
	})

	It("replaces them on update, and removes them with discounts=", func() {
		ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			Discounts: []*stripe.InvoiceItemCreateDiscountParams{{Coupon: stripe.String("HALF")}},
		})
		Expect(err).NotTo(HaveOccurred())
		ii, err = sc.V1InvoiceItems.Update(Ctx, ii.ID, &stripe.InvoiceItemUpdateParams{
			Discounts: []*stripe.InvoiceItemUpdateDiscountParams{{Coupon: stripe.String("TWO")}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Discounts).To(HaveLen(1))
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), PendingInvoiceItemsBehavior: stripe.String("include")})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(800)))

		p := &stripe.InvoiceItemUpdateParams{}
		p.AddExtra("discounts", "")
		_, err = sc.V1InvoiceItems.Update(Ctx, ii.ID, p)
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(1000)))
		Expect(inv.TotalDiscountAmounts).To(BeEmpty())
	})

	It("gives a line added by add_lines its own discounts", func() {
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{
			{Amount: stripe.Int64(1000), Discounts: []*stripe.InvoiceAddLinesLineDiscountParams{{Coupon: stripe.String("HALF")}}},
			{Amount: stripe.Int64(400)},
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(900)))
		Expect(inv.TotalDiscountAmounts).To(HaveLen(1))
		Expect(inv.TotalDiscountAmounts[0].Amount).To(Equal(int64(500)))

		_, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{
			{Amount: stripe.Int64(300), Discounts: []*stripe.InvoiceAddLinesLineDiscountParams{{Coupon: stripe.String("NOPE")}}},
		}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "lines[0][discounts][0][coupon]")
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(900)), "nothing added")
	})

	It("refuses an unknown coupon, making no item", func() {
		_, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			Discounts: []*stripe.InvoiceItemCreateDiscountParams{{Coupon: stripe.String("NOPE")}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "discounts[0][coupon]")
		Expect(emu.Count("", "invoiceitem")).To(BeZero())
	})
})

// Stripe's OpenAPI spec marks these of an invoice's nested ids
// expandable (x-expansionResources): a line's discounts, its
// discount_amounts' discount and its subscription, the invoice's own
// discounts, total_discount_amounts.discount, from_invoice.invoice.
var _ = Describe("Invoice discount expansion", Label("billing", "discounts"), func() {
	It("expands a line's discounts and discount amounts, on the invoice and on its lines list", func() {
		emu := Emulator()
		sc := emu.Client()
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("expand@example.com")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{ID: stripe.String("HALF"), PercentOff: stripe.Float64(50)})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{
			Customer: stripe.String(cus.ID), Discounts: []*stripe.InvoiceCreateDiscountParams{{Coupon: stripe.String("HALF")}},
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{
			{Amount: stripe.Int64(1000), Discounts: []*stripe.InvoiceAddLinesLineDiscountParams{{Coupon: stripe.String("HALF")}}},
		}})
		Expect(err).NotTo(HaveOccurred())

		p := &stripe.InvoiceRetrieveParams{}
		for _, f := range []string{"discounts", "lines.data.discounts", "lines.data.discount_amounts.discount", "total_discount_amounts.discount",
			"lines.data.subscription", "issuer.account", "from_invoice.invoice", "automatic_tax.liability.account", "shipping_cost.shipping_rate"} {
			p.AddExpand(f)
		}
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Issuer.Type).To(Equal(stripe.InvoiceIssuerTypeSelf))
		Expect(got.Discounts).To(HaveLen(1))
		Expect(got.Discounts[0].Coupon).NotTo(BeNil())
		Expect(got.Discounts[0].Coupon.ID).To(Equal("HALF"))
		line := got.Lines.Data[0]
		Expect(line.Discounts).To(HaveLen(1))
		Expect(line.Discounts[0].Coupon).NotTo(BeNil())
		Expect(line.Discounts[0].Coupon.ID).To(Equal("HALF"))
		Expect(line.DiscountAmounts).To(HaveLen(2))
		for _, d := range line.DiscountAmounts {
			Expect(d.Discount.Coupon).NotTo(BeNil())
		}

		lp := &stripe.InvoiceListLinesParams{Invoice: stripe.String(inv.ID)}
		lp.AddExpand("data.discounts")
		lp.AddExpand("data.discount_amounts.discount")
		for l, err := range sc.V1Invoices.ListLines(Ctx, lp) {
			Expect(err).NotTo(HaveOccurred())
			Expect(l.Discounts[0].Coupon.ID).To(Equal("HALF"))
			Expect(l.DiscountAmounts[0].Discount.Coupon).NotTo(BeNil())
		}
	})
})

// An invoice item's and a line's pricing.price_details.price, and an
// item's parent.subscription_details.subscription, are plain ids at
// basil: Stripe's OpenAPI spec does not mark them expandable and stripe-go
// holds them in strings.
var _ = Describe("Invoice pricing expansion", Label("billing"), func() {
	It("refuses to expand pricing.price_details.price, on an invoice item and on an invoice's lines", func() {
		emu := Emulator()
		sc := emu.Client()
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("pricing@example.com")})
		Expect(err).NotTo(HaveOccurred())
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Widget")})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(700)})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(price.ID)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Pricing.PriceDetails.Price).To(Equal(price.ID))

		rp := &stripe.InvoiceItemRetrieveParams{}
		rp.AddExpand("pricing.price_details.price")
		_, err = sc.V1InvoiceItems.Retrieve(Ctx, ii.ID, rp)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("This property cannot be expanded (pricing.price_details.price)."))

		// Likewise an item's parent.subscription_details.subscription
		// (an invoice's own is expandable).
		rp = &stripe.InvoiceItemRetrieveParams{}
		rp.AddExpand("parent.subscription_details.subscription")
		_, err = sc.V1InvoiceItems.Retrieve(Ctx, ii.ID, rp)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")

		lp := &stripe.InvoiceListLinesParams{Invoice: stripe.String(inv.ID)}
		lp.AddExpand("data.pricing.price_details.price")
		for _, err := range sc.V1Invoices.ListLines(Ctx, lp) {
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
			break
		}
	})
})
