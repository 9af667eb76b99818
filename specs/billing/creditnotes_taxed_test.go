package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Stripe's reference: a credit note line's amount is "the gross amount
// being credited for this line item, excluding (exclusive) tax and
// discounts"; the note's amount and total include tax and discounts, its
// subtotal excludes exclusive tax and discounts, its subtotal_excluding_tax
// all tax, its total_excluding_tax tax but not discounts. What a line
// credits takes its share of the line's discounts, and its taxes are the
// line's rates on what is credited after discounts.
var _ = Describe("Credit notes on taxed and discounted invoices", Label("billing", "credit-notes"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cus = customerWithCard(sc, "taxed@example.com", "pm_card_visa", "")
	})

	rate := func(pct float64, inclusive bool) *stripe.TaxRate {
		GinkgoHelper()
		r, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("Tax"), Percentage: stripe.Float64(pct), Inclusive: stripe.Bool(inclusive)})
		Expect(err).NotTo(HaveOccurred())
		return r
	}
	coupon := func(percent float64) *stripe.Coupon {
		GinkgoHelper()
		cp, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(percent), Duration: stripe.String("once")})
		Expect(err).NotTo(HaveOccurred())
		return cp
	}
	// invoice finalizes an invoice of one line (quantity units at unit)
	// taxed at tr and discounted by cp, paid or sent.
	invoice := func(unit, quantity int64, tr *stripe.TaxRate, cp *stripe.Coupon, pay bool) *stripe.Invoice {
		GinkgoHelper()
		p := &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)}
		if cp != nil {
			p.Discounts = []*stripe.InvoiceCreateDiscountParams{{Coupon: stripe.String(cp.ID)}}
		}
		if !pay {
			p.CollectionMethod, p.DaysUntilDue = stripe.String("send_invoice"), stripe.Int64(30)
		}
		inv, err := sc.V1Invoices.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		ip := &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), UnitAmountDecimal: stripe.Float64(float64(unit)),
			Quantity: stripe.Int64(quantity), Currency: stripe.String("usd"), Description: stripe.String("Seat"),
		}
		if tr != nil {
			ip.TaxRates = []*string{stripe.String(tr.ID)}
		}
		_, err = sc.V1InvoiceItems.Create(Ctx, ip)
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		if pay {
			inv, err = sc.V1Invoices.Pay(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		}
		return inv
	}
	byQuantity := func(inv *stripe.Invoice, q int64) []*stripe.CreditNoteCreateLineParams {
		return []*stripe.CreditNoteCreateLineParams{{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(inv.Lines.Data[0].ID), Quantity: stripe.Int64(q)}}
	}
	byAmount := func(inv *stripe.Invoice, a int64) []*stripe.CreditNoteCreateLineParams {
		return []*stripe.CreditNoteCreateLineParams{{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(inv.Lines.Data[0].ID), Amount: stripe.Int64(a)}}
	}
	getInvoice := func(id string) *stripe.Invoice {
		GinkgoHelper()
		inv, err := sc.V1Invoices.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}
	amounts := func(cn *stripe.CreditNote) []int64 {
		return []int64{cn.Amount, cn.Subtotal, cn.SubtotalExcludingTax, cn.Total, cn.TotalExcludingTax, cn.DiscountAmount}
	}

	It("credits a unit of an open invoice with exclusive tax and a coupon: its share of the discount, tax on the rest", func() {
		// 2 seats at 10.00, 25% off (5.00), 10% exclusive tax on 15.00
		// (1.50): the invoice's total is 16.50.
		tr, cp := rate(10, false), coupon(25)
		inv := invoice(1000, 2, tr, cp, false)
		Expect([]int64{inv.Subtotal, inv.Total, inv.AmountDue}).To(Equal([]int64{2000, 1650, 1650}))

		// One seat: 10.00 gross, 2.50 of the discount, 10% of 7.50 = 0.75
		// tax: 8.25 credited.
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: byQuantity(inv, 1)})
		Expect(err).NotTo(HaveOccurred())
		Expect(amounts(cn)).To(Equal([]int64{825, 1000, 1000, 825, 750, 250}))
		Expect(cn.PrePaymentAmount).To(Equal(int64(825)))
		Expect(cn.DiscountAmounts).To(HaveLen(1))
		Expect(cn.DiscountAmounts[0].Amount).To(Equal(int64(250)))
		Expect(cn.DiscountAmounts[0].Discount.ID).To(Equal(inv.Discounts[0].ID))
		Expect(cn.PretaxCreditAmounts).To(HaveLen(1))
		Expect(cn.PretaxCreditAmounts[0].Type).To(Equal(stripe.CreditNotePretaxCreditAmountTypeDiscount))
		Expect(cn.PretaxCreditAmounts[0].Amount).To(Equal(int64(250)))
		Expect(cn.TotalTaxes).To(HaveLen(1))
		Expect(cn.TotalTaxes[0].Amount).To(Equal(int64(75)))
		Expect(cn.TotalTaxes[0].TaxableAmount).To(Equal(int64(750)))
		Expect(cn.TotalTaxes[0].TaxBehavior).To(Equal(stripe.CreditNoteTotalTaxTaxBehaviorExclusive))
		Expect(cn.TotalTaxes[0].TaxRateDetails.TaxRate).To(Equal(tr.ID))

		line := cn.Lines.Data[0]
		Expect([]int64{line.Amount, line.DiscountAmount, line.Quantity, line.UnitAmount}).To(Equal([]int64{1000, 250, 1, 1000}))
		Expect(line.DiscountAmounts[0].Amount).To(Equal(int64(250)))
		Expect(line.PretaxCreditAmounts[0].Amount).To(Equal(int64(250)))
		Expect(line.Taxes).To(HaveLen(1))
		Expect([]int64{line.Taxes[0].Amount, line.Taxes[0].TaxableAmount}).To(Equal([]int64{75, 750}))
		Expect(line.TaxRates).To(HaveLen(1))
		Expect(line.TaxRates[0].ID).To(Equal(tr.ID))

		got, err := sc.V1CreditNotes.Retrieve(Ctx, cn.ID, &stripe.CreditNoteRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("discount_amounts.discount")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.DiscountAmounts[0].Discount.Coupon.ID).To(Equal(cp.ID), "expanded")

		after := getInvoice(inv.ID)
		Expect([]int64{after.AmountDue, after.AmountRemaining, after.PrePaymentCreditNotesAmount, after.Total}).To(Equal([]int64{825, 825, 825, 1650}))

		// The other seat credits what is left, and the invoice is paid.
		rest, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: byQuantity(inv, 1)})
		Expect(err).NotTo(HaveOccurred())
		Expect(amounts(rest)).To(Equal([]int64{825, 1000, 1000, 825, 750, 250}))
		after = getInvoice(inv.ID)
		Expect(after.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect([]int64{after.AmountRemaining, after.PrePaymentCreditNotesAmount}).To(Equal([]int64{0, 1650}))
	})

	It("gives back exactly what a line charged when it is credited unit by unit, its rounding on the last", func() {
		// 3 seats at 10.00, 33.33% off (10.00 of 30.00), 8.25% on 20.00
		// (1.65): 21.65.
		inv := invoice(1000, 3, rate(8.25, false), coupon(33.33), false)
		Expect([]int64{inv.Subtotal, inv.Total}).To(Equal([]int64{3000, 2165}))
		// Each seat takes a third of the discount, 3.33, and 8.25% of the
		// 6.67 left, 0.55: 7.22. The last takes what is left: 3.34 of the
		// discount, 0.55 of the tax, 7.21; together 21.65.
		var totals, discounts []int64
		for range 3 {
			cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: byQuantity(inv, 1)})
			Expect(err).NotTo(HaveOccurred())
			totals, discounts = append(totals, cn.Total), append(discounts, cn.DiscountAmount)
			Expect(cn.TotalTaxes[0].Amount).To(Equal(int64(55)))
		}
		Expect(totals).To(Equal([]int64{722, 722, 721}))
		Expect(discounts).To(Equal([]int64{333, 333, 334}))
		after := getInvoice(inv.ID)
		Expect(after.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(after.PrePaymentCreditNotesAmount).To(Equal(int64(2165)))
	})

	It("refunds a subscription's first invoice, taxed at its default rate and discounted by its coupon", func() {
		// 30.00 a month, 10% off (3.00), 8.25% on 27.00 (2.2275, 2.23):
		// 29.23 charged.
		tr, cp := rate(8.25, false), coupon(10)
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:           []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(recurringPrice(sc, prod.ID, "month", 3000).ID)}},
			DefaultTaxRates: []*string{stripe.String(tr.ID)}, Discounts: []*stripe.SubscriptionCreateDiscountParams{{Coupon: stripe.String(cp.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		inv := getInvoice(sub.LatestInvoice.ID)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect([]int64{inv.Subtotal, inv.Total, inv.AmountPaid}).To(Equal([]int64{3000, 2923, 2923}))

		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: byQuantity(inv, 1),
			RefundAmount: stripe.Int64(2923), Reason: stripe.String("product_unsatisfactory")})
		Expect(err).NotTo(HaveOccurred())
		Expect(amounts(cn)).To(Equal([]int64{2923, 3000, 3000, 2923, 2700, 300}))
		Expect(cn.TotalTaxes[0].Amount).To(Equal(int64(223)))
		ch, err := sc.V1Charges.Retrieve(Ctx, defaultIntent(sc, inv).LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.AmountRefunded).To(Equal(int64(2923)))
		Expect(getInvoice(inv.ID).PostPaymentCreditNotesAmount).To(Equal(int64(2923)))
		// Nothing is left of the invoice to credit.
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: byQuantity(inv, 1), RefundAmount: stripe.Int64(1)})
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
	})

	It("credits a paid invoice with inclusive tax and a coupon by amount, refunding what the note totals", func() {
		// 12.00 with 20% inclusive tax, 50% off: 6.00 paid, of which
		// 6.00 × 20/120 = 1.00 tax.
		tr, cp := rate(20, true), coupon(50)
		inv := invoice(1200, 1, tr, cp, true)
		Expect([]int64{inv.Subtotal, inv.SubtotalExcludingTax, inv.Total, inv.TotalExcludingTax, inv.AmountPaid}).To(Equal([]int64{1200, 1000, 600, 500, 600}))

		// 3.00 of the line: 1.50 of the discount, 1.50 credited of which
		// 1.50 × 20/120 = 0.25 tax; the subtotal without tax is 3.00 less
		// the 0.50 it holds before the discount.
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: byAmount(inv, 300), RefundAmount: stripe.Int64(150)})
		Expect(err).NotTo(HaveOccurred())
		Expect(amounts(cn)).To(Equal([]int64{150, 300, 250, 150, 125, 150}))
		Expect([]int64{cn.PostPaymentAmount, cn.PrePaymentAmount}).To(Equal([]int64{150, 0}))
		Expect(cn.TotalTaxes).To(HaveLen(1))
		Expect([]int64{cn.TotalTaxes[0].Amount, cn.TotalTaxes[0].TaxableAmount}).To(Equal([]int64{25, 125}))
		Expect(cn.TotalTaxes[0].TaxBehavior).To(Equal(stripe.CreditNoteTotalTaxTaxBehaviorInclusive))
		line := cn.Lines.Data[0]
		Expect([]int64{line.Amount, line.DiscountAmount}).To(Equal([]int64{300, 150}))
		Expect(cn.Refunds).To(HaveLen(1))
		Expect(cn.Refunds[0].AmountRefunded).To(Equal(int64(150)))

		// The whole amount of the note must be said: 1.50, not the 3.00
		// of its line.
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: byAmount(inv, 300), RefundAmount: stripe.Int64(300)})
		Expect(StripeErr(err).Msg).To(Equal("The sum of credit amount, refund amount and out of band amount ($3.00) must equal the credit note amount ($1.50)."))
		// The line has 9.00 left to credit, not more.
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: byAmount(inv, 901), CreditAmount: stripe.Int64(451)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "lines[0]")
		// amount, given with lines, is the note's total with tax and discounts.
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: byAmount(inv, 900), Amount: stripe.Int64(900), CreditAmount: stripe.Int64(900)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "amount")

		// The rest: 9.00 gross, 4.50 of the discount, 0.75 tax.
		rest, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: byAmount(inv, 900), Amount: stripe.Int64(450), CreditAmount: stripe.Int64(450)})
		Expect(err).NotTo(HaveOccurred())
		Expect(amounts(rest)).To(Equal([]int64{450, 900, 750, 450, 375, 450}))
		Expect(rest.TotalTaxes[0].Amount).To(Equal(int64(75)))
		after := getInvoice(inv.ID)
		Expect(after.PostPaymentCreditNotesAmount).To(Equal(int64(600)))
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Balance).To(Equal(int64(-450)))
	})

	It("taxes a custom line at the rates it names, and previews the same numbers", func() {
		tr := rate(10, false)
		inv := invoice(1000, 2, tr, nil, false)
		// Two goodwill units of 5.00 at 10%: 10.00 and 1.00 tax.
		lines := []*stripe.CreditNotePreviewLineParams{{Type: stripe.String("custom_line_item"), UnitAmount: stripe.Int64(500), Quantity: stripe.Int64(2),
			Description: stripe.String("Goodwill"), TaxRates: []*string{stripe.String(tr.ID)}}}
		preview, err := sc.V1CreditNotes.Preview(Ctx, &stripe.CreditNotePreviewParams{Invoice: stripe.String(inv.ID), Lines: lines})
		Expect(err).NotTo(HaveOccurred())
		Expect(amounts(preview)).To(Equal([]int64{1100, 1000, 1000, 1100, 1000, 0}))
		Expect(preview.Lines.Data[0].Taxes[0].Amount).To(Equal(int64(100)))
		Expect(preview.Lines.Data[0].TaxRates[0].ID).To(Equal(tr.ID))
		for l, err := range sc.V1CreditNotes.PreviewLines(Ctx, &stripe.CreditNotePreviewLinesParams{Invoice: stripe.String(inv.ID),
			Lines: []*stripe.CreditNotePreviewLinesLineParams{{Type: stripe.String("custom_line_item"), UnitAmount: stripe.Int64(500), Quantity: stripe.Int64(2),
				Description: stripe.String("Goodwill"), TaxRates: []*string{stripe.String(tr.ID)}}}}) {
			Expect(err).NotTo(HaveOccurred())
			Expect([]int64{l.Amount, l.Taxes[0].Amount}).To(Equal([]int64{1000, 100}))
		}
		// The invoice's line with the custom one: 10.00 + 1.00 tax and
		// 10.00 + 1.00 tax.
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: append(byQuantity(inv, 1),
			&stripe.CreditNoteCreateLineParams{Type: stripe.String("custom_line_item"), UnitAmount: stripe.Int64(500), Quantity: stripe.Int64(2),
				Description: stripe.String("Goodwill"), TaxRates: []*string{stripe.String(tr.ID)}})})
		Expect(err).NotTo(HaveOccurred())
		Expect(amounts(cn)).To(Equal([]int64{2200, 2000, 2000, 2200, 2000, 0}))
		Expect(cn.TotalTaxes).To(HaveLen(1), "summed per rate")
		Expect(cn.TotalTaxes[0].Amount).To(Equal(int64(200)))
		Expect(getInvoice(inv.ID).AmountDue).To(Equal(int64(0)))
	})

	It("credits an amount alone of a taxed invoice with each rate's share of the tax left, the last note all of it", func() {
		// 2 seats at 10.00 and 10% exclusive tax: 22.00, 2.00 of it tax.
		tr := rate(10, false)
		inv := invoice(1000, 2, tr, nil, false)
		Expect([]int64{inv.Total, inv.AmountDue}).To(Equal([]int64{2200, 2200}))

		// 3.33 of 22.00: 2.00 × 333/2200 = 0.3027, 0.30 tax, on 20.00 ×
		// 333/2200 = 3.027, 3.03 taxed.
		preview, err := sc.V1CreditNotes.Preview(Ctx, &stripe.CreditNotePreviewParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(333)})
		Expect(err).NotTo(HaveOccurred())
		Expect(amounts(preview)).To(Equal([]int64{333, 303, 303, 333, 303, 0}))
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(333)})
		Expect(err).NotTo(HaveOccurred())
		Expect(amounts(cn)).To(Equal([]int64{333, 303, 303, 333, 303, 0}))
		Expect(cn.Lines.Data).To(BeEmpty(), "no line credited")
		Expect(cn.TotalTaxes).To(HaveLen(1))
		Expect([]int64{cn.TotalTaxes[0].Amount, cn.TotalTaxes[0].TaxableAmount}).To(Equal([]int64{30, 303}))
		Expect(cn.TotalTaxes[0].TaxRateDetails.TaxRate).To(Equal(tr.ID))
		Expect(cn.TotalTaxes[0].TaxBehavior).To(Equal(stripe.CreditNoteTotalTaxTaxBehaviorExclusive))
		Expect(getInvoice(inv.ID).AmountDue).To(Equal(int64(1867)))

		// What is left, 18.67, credits the 1.70 of tax left on 16.97.
		rest, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1867)})
		Expect(err).NotTo(HaveOccurred())
		Expect([]int64{rest.TotalTaxes[0].Amount, rest.TotalTaxes[0].TaxableAmount}).To(Equal([]int64{170, 1697}))
		Expect(getInvoice(inv.ID).Status).To(Equal(stripe.InvoiceStatusPaid))

		By("an inclusive rate: the amount holds its share of the tax")
		// 12.00 with 20% inclusive tax (2.00): 6.00 credits 1.00 of it.
		incl := invoice(1200, 1, rate(20, true), nil, true)
		cn, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(incl.ID), Amount: stripe.Int64(600), RefundAmount: stripe.Int64(600)})
		Expect(err).NotTo(HaveOccurred())
		Expect(amounts(cn)).To(Equal([]int64{600, 600, 500, 600, 500, 0}))
		Expect([]int64{cn.TotalTaxes[0].Amount, cn.TotalTaxes[0].TaxableAmount}).To(Equal([]int64{100, 500}))
		Expect(cn.TotalTaxes[0].TaxBehavior).To(Equal(stripe.CreditNoteTotalTaxTaxBehaviorInclusive))
		Expect(cn.Refunds[0].AmountRefunded).To(Equal(int64(600)))
	})

	It("refuses what it does not emulate on taxed invoices by name, changing nothing", func() {
		tr := rate(10, false)
		inv := invoice(1000, 2, tr, nil, false)
		// tax_amounts on a line are not emulated.
		_, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: []*stripe.CreditNoteCreateLineParams{{
			Type: stripe.String("custom_line_item"), UnitAmount: stripe.Int64(500), Description: stripe.String("Goodwill"),
			TaxAmounts: []*stripe.CreditNoteCreateLineTaxAmountParams{{Amount: stripe.Int64(50), TaxRate: stripe.String(tr.ID), TaxableAmount: stripe.Int64(500)}}}}})
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
		Expect(StripeErr(err).Param).To(HavePrefix("lines[0][tax_amounts]"))
		// An amount on an untaxed, discounted invoice is a credit of its total.
		disc := invoice(1000, 2, nil, coupon(25), false)
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(disc.ID), Amount: stripe.Int64(500)})
		Expect(err).NotTo(HaveOccurred())
		Expect(amounts(cn)).To(Equal([]int64{500, 500, 500, 500, 500, 0}))
		Expect(getInvoice(inv.ID).AmountDue).To(Equal(int64(2200)))
	})

	Context("on an invoice with automatic tax (Stripe Tax: 19% German VAT)", func() {
		// autoInvoice finalizes an invoice of one 20.00 item (in eur, the
		// tax settings' behavior) to a Berlin customer, Stripe Tax on.
		autoInvoice := func(behavior string) *stripe.Invoice {
			GinkgoHelper()
			_, err := sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{HeadOffice: &stripe.TaxSettingsUpdateHeadOfficeParams{Address: &stripe.AddressParams{
				Line1: stripe.String("Unter den Linden 1"), City: stripe.String("Berlin"), PostalCode: stripe.String("10117"), Country: stripe.String("DE")}},
				Defaults: &stripe.TaxSettingsUpdateDefaultsParams{TaxCode: stripe.String("txcd_10000000"), TaxBehavior: stripe.String(behavior)}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{Country: stripe.String("DE"), ActiveFromNow: stripe.Bool(true),
				CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{DE: &stripe.TaxRegistrationCreateCountryOptionsDEParams{Type: stripe.String("standard")}}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Address: &stripe.AddressParams{
				Line1: stripe.String("Friedrichstraße 43"), City: stripe.String("Berlin"), PostalCode: stripe.String("10117"), Country: stripe.String("DE")}})
			Expect(err).NotTo(HaveOccurred())
			inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("eur"),
				CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30), AutomaticTax: &stripe.InvoiceCreateAutomaticTaxParams{Enabled: stripe.Bool(true)}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
				Amount: stripe.Int64(2000), Currency: stripe.String("eur")})
			Expect(err).NotTo(HaveOccurred())
			inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			return inv
		}

		It("credits a line by amount with the tax Stripe Tax charged on it, a custom line taxed as the customer is, and an amount alone", func() {
			inv := autoInvoice("exclusive")
			Expect([]int64{inv.Subtotal, inv.Total}).To(Equal([]int64{2000, 2380}))
			vat := inv.Lines.Data[0].Taxes[0]
			Expect(vat.TaxabilityReason).To(Equal(stripe.InvoiceLineItemTaxTaxabilityReasonStandardRated))

			// 10.00 of the line: 1.90 VAT.
			cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: byAmount(inv, 1000)})
			Expect(err).NotTo(HaveOccurred())
			Expect(amounts(cn)).To(Equal([]int64{1190, 1000, 1000, 1190, 1000, 0}))
			line := cn.Lines.Data[0]
			Expect(line.Taxes).To(HaveLen(1))
			Expect([]int64{line.Taxes[0].Amount, line.Taxes[0].TaxableAmount}).To(Equal([]int64{190, 1000}))
			Expect(string(line.Taxes[0].TaxabilityReason)).To(Equal("standard_rated"))
			Expect(line.Taxes[0].TaxRateDetails.TaxRate).To(Equal(vat.TaxRateDetails.TaxRate))
			Expect(cn.TotalTaxes[0].Amount).To(Equal(int64(190)))

			// A custom line of 5.00: 0.95 VAT; tax rates by hand are refused.
			custom := []*stripe.CreditNoteCreateLineParams{{Type: stripe.String("custom_line_item"), UnitAmount: stripe.Int64(500), Description: stripe.String("Goodwill")}}
			preview, err := sc.V1CreditNotes.Preview(Ctx, &stripe.CreditNotePreviewParams{Invoice: stripe.String(inv.ID), Lines: []*stripe.CreditNotePreviewLineParams{
				{Type: stripe.String("custom_line_item"), UnitAmount: stripe.Int64(500), Description: stripe.String("Goodwill")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(amounts(preview)).To(Equal([]int64{595, 500, 500, 595, 500, 0}))
			Expect(preview.Lines.Data[0].Taxes[0].TaxRateDetails.TaxRate).To(Equal(vat.TaxRateDetails.TaxRate))
			custom[0].TaxRates = []*string{stripe.String(rate(10, false).ID)}
			_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: custom})
			ExpectStripeError(err, 400, "invalid_request_error", "", "lines[0][tax_rates]")

			// An amount alone: 5.95 of the 11.90 left, half the 1.90 of VAT left.
			cn, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(595)})
			Expect(err).NotTo(HaveOccurred())
			Expect([]int64{cn.TotalTaxes[0].Amount, cn.TotalTaxes[0].TaxableAmount}).To(Equal([]int64{95, 500}))
			after := getInvoice(inv.ID)
			Expect([]int64{after.AmountDue, after.PrePaymentCreditNotesAmount}).To(Equal([]int64{595, 1785}))
		})

		It("takes a line's amount as tax exclusive where the price includes tax, as Stripe documents", func() {
			inv := autoInvoice("inclusive")
			// 20.00 holds 19% VAT: 3.19.
			Expect([]int64{inv.Total, inv.Lines.Data[0].Taxes[0].Amount}).To(Equal([]int64{2000, 319}))
			// 10.00 before tax: 11.90 of the line, of which 1.90 VAT.
			cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: byAmount(inv, 1000)})
			Expect(err).NotTo(HaveOccurred())
			Expect(amounts(cn)).To(Equal([]int64{1190, 1190, 1000, 1190, 1000, 0}))
			Expect(cn.Lines.Data[0].Amount).To(Equal(int64(1190)))
			Expect(cn.TotalTaxes[0].TaxBehavior).To(Equal(stripe.CreditNoteTotalTaxTaxBehaviorInclusive))
			Expect(cn.TotalTaxes[0].Amount).To(Equal(int64(190)))
			// The rest of the line, 8.10 with its VAT, is more than 6.81 before tax can take.
			_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: byAmount(inv, 700)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "lines[0]")
			Expect(getInvoice(inv.ID).AmountDue).To(Equal(int64(810)))
		})
	})
})
