package billing_test

import (
	"encoding/json"
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Tax rates", Label("billing", "tax"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cus = customerWithCard(sc, "b2b@example.com", "pm_card_visa", "")
	})

	taxRate := func(name string, pct float64, inclusive bool) *stripe.TaxRate {
		r, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String(name), Percentage: stripe.Float64(pct), Inclusive: stripe.Bool(inclusive)})
		Expect(err).NotTo(HaveOccurred())
		return r
	}
	draft := func(defaults ...*stripe.TaxRate) *stripe.Invoice {
		p := &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30)}
		for _, r := range defaults {
			p.DefaultTaxRates = append(p.DefaultTaxRates, stripe.String(r.ID))
		}
		inv, err := sc.V1Invoices.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}
	item := func(inv *stripe.Invoice, amount int64, rates ...*stripe.TaxRate) *stripe.InvoiceItem {
		p := &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(amount), Currency: stripe.String("usd")}
		for _, r := range rates {
			p.TaxRates = append(p.TaxRates, stripe.String(r.ID))
		}
		ii, err := sc.V1InvoiceItems.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return ii
	}
	retrieve := func(id string) *stripe.Invoice {
		inv, err := sc.V1Invoices.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}
	// taxes sums an invoice's total_taxes by rate id.
	taxes := func(inv *stripe.Invoice) map[string][2]int64 {
		out := map[string][2]int64{}
		for _, t := range inv.TotalTaxes {
			Expect(t.Type).To(Equal(stripe.InvoiceTotalTaxTypeTaxRateDetails))
			Expect(t.TaxabilityReason).To(Equal(stripe.InvoiceTotalTaxTaxabilityReasonNotAvailable))
			out[t.TaxRateDetails.TaxRate] = [2]int64{t.Amount, t.TaxableAmount}
		}
		return out
	}

	It("creates, lists, updates and archives tax rates, as Stripe renders them", func() {
		vat, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(19), Inclusive: stripe.Bool(false),
			Country: stripe.String("DE"), Jurisdiction: stripe.String("DE"), Description: stripe.String("VAT Germany"), TaxType: stripe.String("vat"),
			Metadata: map[string]string{"ledger": "4400"}})
		Expect(err).NotTo(HaveOccurred())
		Expect(vat.ID).To(HavePrefix("txr_"))
		Expect(vat.Active).To(BeTrue())
		Expect(vat.Percentage).To(Equal(19.0))
		// effective_percentage describes automatic tax, and rate_type is
		// "only present for TaxRates created by Stripe Tax" (Stripe's
		// reference): a rate made here shows both null, as the reference's
		// own examples of a rate made by hand do.
		Expect(vat.EffectivePercentage).To(BeZero())
		Expect(vat.RateType).To(BeEmpty())
		shown := map[string]any{}
		Expect(json.Unmarshal(vat.LastResponse.RawJSON, &shown)).To(Succeed())
		Expect(shown).To(HaveKeyWithValue("effective_percentage", BeNil()))
		Expect(shown).To(HaveKeyWithValue("rate_type", BeNil()))
		Expect(vat.FlatAmount).To(BeNil())
		Expect(vat.JurisdictionLevel).To(BeEmpty())
		Expect(vat.TaxType).To(Equal(stripe.TaxRateTaxTypeVAT))
		Expect(vat.Country).To(Equal("DE"))
		Expect(vat.Created).To(Equal(Epoch.Unix()))
		_, raw, err := emu.Call("GET", "/v1/tax_rates/"+vat.ID, nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(raw).To(HaveKeyWithValue("state", BeNil()))
		Expect(raw).To(HaveKeyWithValue("jurisdiction_level", BeNil()))
		Expect(raw).To(HaveKeyWithValue("flat_amount", BeNil()))

		nyc := taxRate("Sales tax", 8.875, false)
		gst := taxRate("GST", 10, true)

		for _, bad := range []struct {
			p     *stripe.TaxRateCreateParams
			param string
		}{
			{&stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(19)}, "inclusive"},
			{&stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Inclusive: stripe.Bool(true)}, "percentage"},
			{&stripe.TaxRateCreateParams{Percentage: stripe.Float64(19), Inclusive: stripe.Bool(true)}, "display_name"},
			{&stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(101), Inclusive: stripe.Bool(true)}, "percentage"},
			{&stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(7), Inclusive: stripe.Bool(true), TaxType: stripe.String("tithe")}, "tax_type"},
		} {
			_, err := sc.V1TaxRates.Create(Ctx, bad.p)
			Expect(StripeErr(err).Param).To(Equal(bad.param))
		}

		// stripe-go sends four decimal places, as Stripe takes; more are refused.
		status, body, err := emu.Call("POST", "/v1/tax_rates", url.Values{"display_name": {"VAT"}, "percentage": {"7.12345"}, "inclusive": {"true"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(400))
		Expect(body["error"]).To(HaveKeyWithValue("param", "percentage"))

		By("changing what may change, and refusing percentage and inclusive, which may not")
		vat, err = sc.V1TaxRates.Update(Ctx, vat.ID, &stripe.TaxRateUpdateParams{DisplayName: stripe.String("MwSt"), Active: stripe.Bool(false),
			Metadata: map[string]string{"ledger": ""}})
		Expect(err).NotTo(HaveOccurred())
		Expect(vat.DisplayName).To(Equal("MwSt"))
		Expect(vat.Active).To(BeFalse())
		Expect(vat.Metadata).To(BeEmpty())
		Expect(vat.Percentage).To(Equal(19.0))
		for _, field := range []string{"percentage", "inclusive"} {
			_, err := sc.V1TaxRates.Update(Ctx, vat.ID, &stripe.TaxRateUpdateParams{Params: stripe.Params{Extra: &stripe.ExtraValues{Values: url.Values{field: {"5"}}}}})
			se := StripeErr(err)
			Expect(se.Code).To(Equal(stripe.ErrorCodeParameterUnknown))
			Expect(se.Param).To(Equal(field))
		}
		ev := latestEvent(sc, "tax_rate.updated")
		Expect(ev.Data.PreviousAttributes).To(HaveKeyWithValue("active", true))
		Expect(emu.EventTypes("")).To(ContainElements("tax_rate.created", "tax_rate.updated"))

		By("listing newest first, filtered by active and inclusive")
		ids := func(p *stripe.TaxRateListParams) []string {
			var out []string
			for r, err := range sc.V1TaxRates.List(Ctx, p) {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, r.ID)
			}
			return out
		}
		Expect(ids(&stripe.TaxRateListParams{})).To(Equal([]string{gst.ID, nyc.ID, vat.ID}))
		Expect(ids(&stripe.TaxRateListParams{Active: stripe.Bool(true)})).To(Equal([]string{gst.ID, nyc.ID}))
		Expect(ids(&stripe.TaxRateListParams{Inclusive: stripe.Bool(true)})).To(Equal([]string{gst.ID}))
		Expect(ids(&stripe.TaxRateListParams{Active: stripe.Bool(false), Inclusive: stripe.Bool(false)})).To(Equal([]string{vat.ID}))
		_, err = sc.V1TaxRates.Retrieve(Ctx, "txr_nope", nil)
		Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeResourceMissing))
	})

	It("adds exclusive tax on top and finds inclusive tax inside a one-off invoice, per line, rounding half up", func() {
		salesTax := taxRate("Sales tax", 8.875, false)
		vat := taxRate("VAT", 20, true)
		inv := draft(salesTax)
		Expect(inv.DefaultTaxRates).To(HaveLen(1))
		Expect(inv.DefaultTaxRates[0].Percentage).To(Equal(8.875))
		item(inv, 2000)            // the invoice's default: 8.875% of 20.00 is 1.775, rounded to 1.78
		ii := item(inv, 5000, vat) // its own rate only: 20% inside 50.00 is 8.33
		Expect(ii.TaxRates).To(HaveLen(1))
		Expect(ii.TaxRates[0].ID).To(Equal(vat.ID))
		Expect(ii.TaxRates[0].Inclusive).To(BeTrue())

		inv = retrieve(inv.ID)
		Expect(inv.Subtotal).To(Equal(int64(7000)))
		Expect(inv.SubtotalExcludingTax).To(Equal(int64(7000 - 833)))
		Expect(inv.TotalExcludingTax).To(Equal(int64(7000 - 833)))
		Expect(inv.Total).To(Equal(int64(7000 + 178)))
		Expect(inv.AmountDue).To(Equal(int64(7178)))
		Expect(taxes(inv)).To(Equal(map[string][2]int64{salesTax.ID: {178, 2000}, vat.ID: {833, 4167}}))
		Expect(inv.Lines.Data).To(HaveLen(2))
		for _, l := range inv.Lines.Data {
			Expect(l.Taxes).To(HaveLen(1))
			t := l.Taxes[0]
			Expect(t.Type).To(Equal(stripe.InvoiceLineItemTaxTypeTaxRateDetails))
			Expect(t.TaxabilityReason).To(Equal(stripe.InvoiceLineItemTaxTaxabilityReasonNotAvailable))
			switch l.Amount {
			case 2000:
				Expect(t.TaxRateDetails.TaxRate).To(Equal(salesTax.ID))
				Expect(t.TaxBehavior).To(Equal(stripe.InvoiceLineItemTaxTaxBehaviorExclusive))
				Expect([]int64{t.Amount, t.TaxableAmount}).To(Equal([]int64{178, 2000}))
			case 5000:
				Expect(t.TaxRateDetails.TaxRate).To(Equal(vat.ID))
				Expect(t.TaxBehavior).To(Equal(stripe.InvoiceLineItemTaxTaxBehaviorInclusive))
				Expect([]int64{t.Amount, t.TaxableAmount}).To(Equal([]int64{833, 4167}))
			default:
				Fail("unexpected line")
			}
		}

		By("recomputing when the invoice's default rates change: the line with its own rate keeps it")
		inv, err := sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{DefaultTaxRates: []*string{}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.DefaultTaxRates).To(BeEmpty())
		Expect(inv.Total).To(Equal(int64(7000)))
		Expect(taxes(inv)).To(Equal(map[string][2]int64{vat.ID: {833, 4167}}))
		inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{DefaultTaxRates: []*string{stripe.String(salesTax.ID)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(7178)))

		By("changing a line's rates with update_lines")
		var vatLine string
		for _, l := range inv.Lines.Data {
			if l.Amount == 5000 {
				vatLine = l.ID
			}
		}
		inv, err = sc.V1Invoices.UpdateLines(Ctx, inv.ID, &stripe.InvoiceUpdateLinesParams{Lines: []*stripe.InvoiceUpdateLinesLineParams{
			{ID: stripe.String(vatLine), TaxRates: []*string{stripe.String(vat.ID), stripe.String(salesTax.ID)}}}})
		Expect(err).NotTo(HaveOccurred())
		// 20% inside 50.00 is 8.33; 8.875% on the 41.67 left is 3.698…, 3.70.
		Expect(taxes(inv)).To(Equal(map[string][2]int64{salesTax.ID: {178 + 370, 2000 + 4167}, vat.ID: {833, 4167}}))
		Expect(inv.Total).To(Equal(int64(7000 + 178 + 370)))
		_, err = sc.V1Invoices.UpdateLines(Ctx, inv.ID, &stripe.InvoiceUpdateLinesParams{Lines: []*stripe.InvoiceUpdateLinesLineParams{
			{ID: stripe.String(vatLine), TaxAmounts: []*stripe.InvoiceUpdateLinesLineTaxAmountParams{{Amount: stripe.Int64(1), TaxableAmount: stripe.Int64(5000),
				TaxRateData: &stripe.InvoiceUpdateLinesLineTaxAmountTaxRateDataParams{DisplayName: stripe.String("VAT"), Inclusive: stripe.Bool(true), Percentage: stripe.Float64(20)}}}}}})
		se := StripeErr(err)
		Expect(se.Param).To(Equal("lines[0][tax_amounts]"), "what the line update does not act on is named in full")
		Expect(se.Msg).To(ContainSubstring("does not emulate the parameter `lines[0][tax_amounts]`"))
		inv, err = sc.V1Invoices.UpdateLines(Ctx, inv.ID, &stripe.InvoiceUpdateLinesParams{Lines: []*stripe.InvoiceUpdateLinesLineParams{
			{ID: stripe.String(vatLine), TaxRates: []*string{stripe.String(vat.ID)}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(7178)))

		By("charging the total, tax included")
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AmountDue).To(Equal(int64(7178)))
		inv, err = sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.AmountPaid).To(Equal(int64(7178)))
	})

	It("taxes what a discount leaves, exclusive and inclusive alike", func() {
		vat := taxRate("VAT", 19, false)
		coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(25), Duration: stripe.String("once")})
		Expect(err).NotTo(HaveOccurred())
		inv := draft(vat)
		item(inv, 1000)
		inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{Discounts: []*stripe.InvoiceUpdateDiscountParams{{Coupon: stripe.String(coupon.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		// 25% off 10.00 leaves 7.50; 19% of it is 1.425, rounded to 1.43.
		Expect(inv.Subtotal).To(Equal(int64(1000)))
		Expect(inv.TotalDiscountAmounts[0].Amount).To(Equal(int64(250)))
		Expect(inv.TotalExcludingTax).To(Equal(int64(750)))
		Expect(inv.Total).To(Equal(int64(750 + 143)))
		Expect(inv.Lines.Data[0].Taxes[0].TaxableAmount).To(Equal(int64(750)))
		Expect(taxes(inv)).To(Equal(map[string][2]int64{vat.ID: {143, 750}}))

		By("on a subscription with an inclusive rate and a once coupon: the first invoice taxes the discounted price, the next the full one")
		incl := taxRate("VAT incl.", 19, true)
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Team")})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1190),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		half, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("once")})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
			DefaultTaxRates: []*string{stripe.String(incl.ID)}, Discounts: []*stripe.SubscriptionCreateDiscountParams{{Coupon: stripe.String(half.ID)}}}
		p.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		first := sub.LatestInvoice
		Expect(first.Total).To(Equal(int64(595)), "inclusive tax adds nothing")
		Expect(first.TotalExcludingTax).To(Equal(int64(500)))
		Expect(first.SubtotalExcludingTax).To(Equal(int64(1000)), "before the discount, 11.90 holds 1.90 of tax")
		Expect(taxes(first)).To(Equal(map[string][2]int64{incl.ID: {95, 500}}))
		Expect(first.AmountPaid).To(Equal(int64(595)))
		emu.Clock().Advance(30*24*time.Hour + 2*time.Hour)
		next := retrieve(retrieveSub(sc, sub.ID).LatestInvoice.ID)
		Expect(next.ID).NotTo(Equal(first.ID))
		Expect(next.Total).To(Equal(int64(1190)))
		Expect(taxes(next)).To(Equal(map[string][2]int64{incl.ID: {190, 1000}}))
		Expect(next.Status).To(Equal(stripe.InvoiceStatusPaid))
	})

	It("carries a subscription's rates to every invoice it makes: first, prorations and renewals", func() {
		gst := taxRate("GST", 10, false)
		pst := taxRate("PST", 5, false)
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		mk := func(amount int64) *stripe.Price {
			p, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(amount),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
			Expect(err).NotTo(HaveOccurred())
			return p
		}
		base, seats := mk(1000), mk(500)
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), DefaultTaxRates: []*string{stripe.String(gst.ID)},
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(base.ID)},
				{Price: stripe.String(seats.ID), Quantity: stripe.Int64(2), TaxRates: []*string{stripe.String(pst.ID)}}}}
		p.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.DefaultTaxRates).To(HaveLen(1))
		Expect(sub.DefaultTaxRates[0].ID).To(Equal(gst.ID))
		Expect(sub.Items.Data[0].TaxRates).To(BeEmpty())
		Expect(sub.Items.Data[1].TaxRates[0].ID).To(Equal(pst.ID), "an item's own rates replace the defaults")
		first := sub.LatestInvoice
		Expect(first.DefaultTaxRates[0].ID).To(Equal(gst.ID))
		Expect(taxes(first)).To(Equal(map[string][2]int64{gst.ID: {100, 1000}, pst.ID: {50, 1000}}))
		Expect(first.Total).To(Equal(int64(2150)))
		Expect(first.AmountPaid).To(Equal(int64(2150)))

		By("prorating a seat added mid-period at the seats' own rate")
		emu.Clock().Advance(15 * 24 * time.Hour) // half of September
		seatItem := sub.Items.Data[1].ID
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{Items: []*stripe.SubscriptionUpdateItemParams{
			{ID: stripe.String(seatItem), Quantity: stripe.Int64(3)}}})
		Expect(err).NotTo(HaveOccurred())
		var prorations []*stripe.InvoiceItem
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			prorations = append(prorations, ii)
		}
		Expect(prorations).To(HaveLen(2))
		for _, ii := range prorations {
			Expect(ii.TaxRates).To(HaveLen(1))
			Expect(ii.TaxRates[0].ID).To(Equal(pst.ID))
		}

		By("renewing with the defaults, the items' rates and the prorations' taxes")
		emu.Clock().Advance(15*24*time.Hour + 2*time.Hour)
		renewal := retrieve(retrieveSub(sc, sub.ID).LatestInvoice.ID)
		Expect(renewal.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(renewal.DefaultTaxRates[0].ID).To(Equal(gst.ID))
		// 10.00 at 10%; 3 seats (15.00) at 5%; -5.00 unused and +7.50
		// remaining at 5%: -0.25 and +0.375, rounded to +0.38.
		Expect(renewal.Subtotal).To(Equal(int64(1000 + 1500 - 500 + 750)))
		Expect(taxes(renewal)).To(Equal(map[string][2]int64{gst.ID: {100, 1000}, pst.ID: {75 - 25 + 38, 1500 - 500 + 750}}))
		Expect(renewal.Total).To(Equal(int64(2750 + 188)))
		Expect(renewal.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(renewal.AmountPaid).To(Equal(int64(2938)))

		By("dropping the defaults: the next invoice taxes only the seats")
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultTaxRates: []*string{}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SubscriptionItems.Update(Ctx, seatItem, &stripe.SubscriptionItemUpdateParams{TaxRates: []*string{stripe.String(gst.ID), stripe.String(pst.ID)}})
		Expect(err).NotTo(HaveOccurred())
		preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(taxes(preview)).To(Equal(map[string][2]int64{gst.ID: {150, 1500}, pst.ID: {75, 1500}}))
		Expect(preview.Total).To(Equal(int64(2500 + 225)))
		preview, err = sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
			SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{DefaultTaxRates: []*string{stripe.String(pst.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(taxes(preview)).To(Equal(map[string][2]int64{gst.ID: {150, 1500}, pst.ID: {75 + 50, 1500 + 1000}}), "previewing default rates the base item would take")
		Expect(retrieveSub(sc, sub.ID).DefaultTaxRates).To(BeEmpty(), "a preview changes nothing")
	})

	It("taxes a one-off fee at its own rate, and a draft renewal's subscription line at the rate update_lines gives it", func() {
		vat := taxRate("VAT", 20, false)
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		monthly, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		setup, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500)})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}},
			AddInvoiceItems: []*stripe.SubscriptionCreateAddInvoiceItemParams{{Price: stripe.String(setup.ID), TaxRates: []*string{stripe.String(vat.ID)}}}}
		p.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(taxes(sub.LatestInvoice)).To(Equal(map[string][2]int64{vat.ID: {100, 500}}))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1600)))

		emu.Clock().Advance(30*24*time.Hour + 10*time.Minute) // the renewal waits an hour as a draft
		renewal := retrieve(retrieveSub(sc, sub.ID).LatestInvoice.ID)
		Expect(renewal.Status).To(Equal(stripe.InvoiceStatusDraft))
		Expect(renewal.Total).To(Equal(int64(1000)))
		renewal, err = sc.V1Invoices.UpdateLines(Ctx, renewal.ID, &stripe.InvoiceUpdateLinesParams{Lines: []*stripe.InvoiceUpdateLinesLineParams{
			{ID: stripe.String(renewal.Lines.Data[0].ID), TaxRates: []*string{stripe.String(vat.ID)}, Description: stripe.String("Pro, October")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(renewal.Lines.Data[0].Description).To(Equal("Pro, October"))
		Expect(renewal.Total).To(Equal(int64(1200)))
		_, err = sc.V1Invoices.UpdateLines(Ctx, renewal.ID, &stripe.InvoiceUpdateLinesParams{Lines: []*stripe.InvoiceUpdateLinesLineParams{
			{ID: stripe.String(renewal.Lines.Data[0].ID), Quantity: stripe.Int64(2)}}})
		Expect(StripeErr(err).Param).To(Equal("lines[0][quantity]"), "a subscription line's quantity is the subscription's")
		emu.Clock().Advance(time.Hour)
		renewal = retrieve(renewal.ID)
		Expect(renewal.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(renewal.AmountPaid).To(Equal(int64(1200)))
		Expect(retrieveSub(sc, sub.ID).Items.Data[0].TaxRates).To(BeEmpty(), "the line's rates are the line's, not the item's")
	})

	It("refuses an archived rate on anything new, and keeps applying it where it was already set", func() {
		vat := taxRate("VAT", 20, false)
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}, DefaultTaxRates: []*string{stripe.String(vat.ID)}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1TaxRates.Update(Ctx, vat.ID, &stripe.TaxRateUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())

		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(100), Currency: stripe.String("usd"),
			TaxRates: []*string{stripe.String(vat.ID)}})
		se := StripeErr(err)
		Expect(se.Param).To(Equal("tax_rates[0]"))
		Expect(se.Msg).To(ContainSubstring("archived"))
		_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), DefaultTaxRates: []*string{stripe.String(vat.ID)}})
		Expect(StripeErr(err).Param).To(Equal("default_tax_rates[0]"))
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID), TaxRates: []*string{stripe.String(vat.ID)}}}})
		Expect(StripeErr(err).Param).To(Equal("items[0][tax_rates][0]"))
		_, err = sc.V1SubscriptionItems.Update(Ctx, sub.Items.Data[0].ID, &stripe.SubscriptionItemUpdateParams{TaxRates: []*string{stripe.String(vat.ID)}})
		Expect(StripeErr(err).Param).To(Equal("tax_rates[0]"), "named as the item endpoint's caller sent it")
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(100), Currency: stripe.String("usd"),
			TaxRates: []*string{stripe.String("txr_nope")}})
		se = StripeErr(err)
		Expect(se.Code).To(Equal(stripe.ErrorCodeResourceMissing))
		Expect(se.Param).To(Equal("tax_rates[0]"))
		var eleven []*string
		for i := 0; i < 11; i++ {
			eleven = append(eleven, stripe.String(taxRate("Levy", 1, false).ID))
		}
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(100), Currency: stripe.String("usd"),
			TaxRates: eleven})
		Expect(StripeErr(err).Param).To(Equal("tax_rates"), "at most ten rates a line")
		Expect(emu.Count("", "invoiceitem")).To(Equal(0))

		By("keeping it on the subscription that has it: sent again, and on its renewals")
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultTaxRates: []*string{stripe.String(vat.ID)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.DefaultTaxRates[0].ID).To(Equal(vat.ID))
		emu.Clock().Advance(30*24*time.Hour + 2*time.Hour)
		renewal := retrieve(retrieveSub(sc, sub.ID).LatestInvoice.ID)
		Expect(renewal.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(renewal.Total).To(Equal(int64(1200)))
		Expect(renewal.Status).To(Equal(stripe.InvoiceStatusPaid))
	})

	It("accepts a quote finalized with rates archived since, into a subscription and an invoice that keep them", func() {
		vat, gst := taxRate("VAT", 20, false), taxRate("GST", 10, false)
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		monthly, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		setup, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500)})
		Expect(err).NotTo(HaveOccurred())
		finalized := func(price *stripe.Price) *stripe.Quote {
			q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID), DefaultTaxRates: []*string{stripe.String(gst.ID)},
				LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(price.ID), TaxRates: []*string{stripe.String(vat.ID)}}, {Price: stripe.String(setup.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			q, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			return q
		}
		subscribing, invoicing := finalized(monthly), finalized(setup)
		scheduled, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID), DefaultTaxRates: []*string{stripe.String(gst.ID)},
			LineItems:        []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(monthly.ID), TaxRates: []*string{stripe.String(vat.ID)}}},
			SubscriptionData: &stripe.QuoteCreateSubscriptionDataParams{EffectiveDate: stripe.Int64(emu.Clock().Now().Add(10 * 24 * time.Hour).Unix())}})
		Expect(err).NotTo(HaveOccurred())
		scheduled, err = sc.V1Quotes.FinalizeQuote(Ctx, scheduled.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		for _, r := range []*stripe.TaxRate{vat, gst} {
			_, err = sc.V1TaxRates.Update(Ctx, r.ID, &stripe.TaxRateUpdateParams{Active: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
		}

		q, err := sc.V1Quotes.Accept(Ctx, subscribing.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		sub := retrieveSub(sc, q.Subscription.ID)
		Expect(sub.DefaultTaxRates).To(HaveLen(1))
		Expect(sub.DefaultTaxRates[0].ID).To(Equal(gst.ID))
		Expect(sub.Items.Data[0].TaxRates[0].ID).To(Equal(vat.ID))
		// 20% on 10.00 and 10% on the 5.00 setup fee.
		Expect(taxes(retrieve(sub.LatestInvoice.ID))).To(Equal(map[string][2]int64{vat.ID: {200, 1000}, gst.ID: {50, 500}}))

		q, err = sc.V1Quotes.Accept(Ctx, invoicing.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(taxes(retrieve(q.Invoice.ID))).To(Equal(map[string][2]int64{vat.ID: {100, 500}, gst.ID: {50, 500}}))

		By("and into a schedule whose subscription, when it starts, keeps them")
		q, err = sc.V1Quotes.Accept(Ctx, scheduled.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(q.SubscriptionSchedule).NotTo(BeNil())
		emu.Clock().Advance(10*24*time.Hour + time.Hour)
		sched, err := sc.V1SubscriptionSchedules.Retrieve(Ctx, q.SubscriptionSchedule.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sched.Subscription).NotTo(BeNil())
		sub = retrieveSub(sc, sched.Subscription.ID)
		Expect(sub.DefaultTaxRates[0].ID).To(Equal(gst.ID))
		Expect(taxes(retrieve(sub.LatestInvoice.ID))).To(Equal(map[string][2]int64{vat.ID: {200, 1000}}))
	})

	It("refuses a rate whose inclusive flag conflicts with the tax behavior of the price it applies to, in Stripe's words", func() {
		// Stripe's words, as integrators have logged them from a live
		// subscription create.
		conflict := "One or more prices has a `tax_behavior` that conflicts with the tax rates that apply to the corresponding line item."
		included, added := taxRate("VAT", 20, true), taxRate("VAT", 20, false)
		monthly := func(behavior string) *stripe.Price {
			p := &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
				ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Pro")},
				Recurring:   &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}}
			if behavior != "" {
				p.TaxBehavior = stripe.String(behavior)
			}
			pr, err := sc.V1Prices.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			return pr
		}
		exclusive, inclusive, unspecified := monthly("exclusive"), monthly("inclusive"), monthly("")
		subscribe := func(pr *stripe.Price, own, defaults *stripe.TaxRate) error {
			p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(pr.ID)}}}
			if own != nil {
				p.Items[0].TaxRates = []*string{stripe.String(own.ID)}
			}
			if defaults != nil {
				p.DefaultTaxRates = []*string{stripe.String(defaults.ID)}
			}
			_, err := sc.V1Subscriptions.Create(Ctx, p)
			return err
		}
		for _, bad := range []error{subscribe(exclusive, included, nil), subscribe(inclusive, added, nil), subscribe(exclusive, nil, included)} {
			ExpectStripeError(bad, 400, "invalid_request_error", "", "")
			Expect(StripeErr(bad).Msg).To(Equal(conflict))
		}
		Expect(emu.Count("", "subscription")).To(BeZero(), "nothing is made")
		Expect(emu.Count("", "invoice")).To(BeZero())

		// A price's own rates win over the defaults; a price with no
		// behavior takes either kind.
		Expect(subscribe(exclusive, added, included)).To(Succeed())
		Expect(subscribe(inclusive, included, nil)).To(Succeed())
		Expect(subscribe(unspecified, included, nil)).To(Succeed())
		Expect(subscribe(unspecified, added, nil)).To(Succeed())

		// A quote's lines, likewise.
		_, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(exclusive.ID), TaxRates: []*string{stripe.String(included.ID)}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal(conflict))
		Expect(emu.Count("", "quote")).To(BeZero())

		// An invoice item of a price, likewise.
		oneOff, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500), TaxBehavior: stripe.String("exclusive"),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Setup")}})
		Expect(err).NotTo(HaveOccurred())
		inv := draft()
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(oneOff.ID)}, TaxRates: []*string{stripe.String(included.ID)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal(conflict))
		Expect(retrieve(inv.ID).Lines.Data).To(BeEmpty())
	})
})

func retrieveSub(sc *stripe.Client, id string) *stripe.Subscription {
	GinkgoHelper()
	sub, err := sc.V1Subscriptions.Retrieve(Ctx, id, nil)
	Expect(err).NotTo(HaveOccurred())
	return sub
}
