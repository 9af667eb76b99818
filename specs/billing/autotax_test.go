package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Automatic tax (Stripe Tax) in billing", Label("billing", "tax"), func() {
	var (
		emu  *emulator.Emulator
		sc   *stripe.Client
		prod *stripe.Product
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		prod, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Hosting")})
		Expect(err).NotTo(HaveOccurred())
	})

	// activate turns Stripe Tax on for an account in Berlin, its prices
	// exclusive of tax unless they say otherwise (behavior "" sets no
	// default), products without a tax code of their own taxed by the
	// preset code (General - Electronically Supplied Services),
	// registered for VAT in Germany.
	activate := func(behavior string) {
		GinkgoHelper()
		p := &stripe.TaxSettingsUpdateParams{HeadOffice: &stripe.TaxSettingsUpdateHeadOfficeParams{Address: &stripe.AddressParams{
			Line1: stripe.String("Unter den Linden 1"), City: stripe.String("Berlin"), PostalCode: stripe.String("10117"), Country: stripe.String("DE")}},
			Defaults: &stripe.TaxSettingsUpdateDefaultsParams{TaxCode: stripe.String("txcd_10000000")}}
		if behavior != "" {
			p.Defaults.TaxBehavior = stripe.String(behavior)
		}
		settings, err := sc.V1TaxSettings.Update(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(settings.Status).To(Equal(stripe.TaxSettingsStatusActive))
		_, err = sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{Country: stripe.String("DE"), ActiveFromNow: stripe.Bool(true),
			CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{DE: &stripe.TaxRegistrationCreateCountryOptionsDEParams{Type: stripe.String("standard")}}})
		Expect(err).NotTo(HaveOccurred())
	}
	// buyer is a customer with a card at address (nil: none).
	buyer := func(address *stripe.AddressParams, taxIDs ...*stripe.CustomerCreateTaxIDDataParams) *stripe.Customer {
		GinkgoHelper()
		cus := customerWithCard(sc, "buyer@example.com", "pm_card_visa", "")
		if address != nil || len(taxIDs) > 0 {
			var err error
			cus, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Address: address})
			Expect(err).NotTo(HaveOccurred())
			for _, id := range taxIDs {
				_, err := sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Customer: stripe.String(cus.ID), Type: id.Type, Value: id.Value})
				Expect(err).NotTo(HaveOccurred())
			}
		}
		return cus
	}
	berlin := func() *stripe.AddressParams {
		return &stripe.AddressParams{Line1: stripe.String("Friedrichstraße 43"), City: stripe.String("Berlin"), PostalCode: stripe.String("10117"), Country: stripe.String("DE")}
	}
	price := func(amount int64, behavior string) *stripe.Price {
		GinkgoHelper()
		p := &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(amount),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}}
		if behavior != "" {
			p.TaxBehavior = stripe.String(behavior)
		}
		pr, err := sc.V1Prices.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return pr
	}
	subscribe := func(cus *stripe.Customer, pr *stripe.Price) (*stripe.Subscription, error) {
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:        []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(pr.ID)}},
			AutomaticTax: &stripe.SubscriptionCreateAutomaticTaxParams{Enabled: stripe.Bool(true)}}
		p.AddExpand("latest_invoice")
		return sc.V1Subscriptions.Create(Ctx, p)
	}
	rate := func(id string) *stripe.TaxRate {
		GinkgoHelper()
		r, err := sc.V1TaxRates.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return r
	}

	It("charges a German customer 19% VAT on a subscription's invoices, across a renewal", func() {
		activate("exclusive")
		cus := buyer(berlin())
		sub, err := subscribe(cus, price(1000, ""))
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.AutomaticTax.Enabled).To(BeTrue())
		Expect(sub.AutomaticTax.Liability.Type).To(Equal(stripe.SubscriptionAutomaticTaxLiabilityTypeSelf))

		first := sub.LatestInvoice
		Expect(first.AutomaticTax.Enabled).To(BeTrue())
		Expect(first.AutomaticTax.Status).To(Equal(stripe.InvoiceAutomaticTaxStatusComplete))
		Expect(first.AutomaticTax.Provider).To(Equal("stripe"))
		Expect(first.AutomaticTax.Liability.Type).To(Equal(stripe.InvoiceAutomaticTaxLiabilityTypeSelf))
		Expect(first.Subtotal).To(Equal(int64(1000)))
		Expect(first.Total).To(Equal(int64(1190)))
		Expect(first.TotalExcludingTax).To(Equal(int64(1000)))
		Expect(first.AmountPaid).To(Equal(int64(1190)))
		Expect(first.TotalTaxes).To(HaveLen(1))
		tax := first.TotalTaxes[0]
		Expect(tax.Amount).To(Equal(int64(190)))
		Expect(tax.TaxableAmount).To(Equal(int64(1000)))
		Expect(tax.TaxBehavior).To(Equal(stripe.InvoiceTotalTaxTaxBehaviorExclusive))
		Expect(tax.TaxabilityReason).To(Equal(stripe.InvoiceTotalTaxTaxabilityReasonStandardRated))
		line := first.Lines.Data[0]
		Expect(line.Taxes).To(HaveLen(1))
		Expect(line.Taxes[0].Amount).To(Equal(int64(190)))
		Expect(line.Taxes[0].TaxabilityReason).To(Equal(stripe.InvoiceLineItemTaxTaxabilityReasonStandardRated))
		vat := rate(tax.TaxRateDetails.TaxRate)
		Expect(vat.Percentage).To(Equal(19.0))
		Expect(vat.Country).To(Equal("DE"))
		Expect(vat.TaxType).To(Equal(stripe.TaxRateTaxTypeVAT))
		Expect(defaultIntent(sc, first).Amount).To(Equal(int64(1190)))

		emu.Clock().Advance(31*24*time.Hour + 2*time.Hour)
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("latest_invoice")}}})
		Expect(err).NotTo(HaveOccurred())
		renewal := got.LatestInvoice
		Expect(renewal.ID).NotTo(Equal(first.ID))
		Expect(renewal.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(renewal.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(renewal.AutomaticTax.Status).To(Equal(stripe.InvoiceAutomaticTaxStatusComplete))
		Expect(renewal.Total).To(Equal(int64(1190)))
		Expect(renewal.TotalTaxes[0].TaxRateDetails.TaxRate).To(Equal(vat.ID), "Stripe Tax reuses the rate it made")
		Expect(defaultIntent(sc, renewal).Amount).To(Equal(int64(1190)))
	})

	It("takes the VAT out of a price that includes it", func() {
		activate("exclusive")
		sub, err := subscribe(buyer(berlin()), price(1190, "inclusive"))
		Expect(err).NotTo(HaveOccurred())
		inv := sub.LatestInvoice
		Expect(inv.Subtotal).To(Equal(int64(1190)))
		Expect(inv.Total).To(Equal(int64(1190)))
		Expect(inv.TotalExcludingTax).To(Equal(int64(1000)))
		Expect(inv.SubtotalExcludingTax).To(Equal(int64(1000)))
		Expect(inv.TotalTaxes[0].Amount).To(Equal(int64(190)))
		Expect(inv.TotalTaxes[0].TaxBehavior).To(Equal(stripe.InvoiceTotalTaxTaxBehaviorInclusive))
		Expect(defaultIntent(sc, inv).Amount).To(Equal(int64(1190)))
	})

	It("collects nothing where the account has no registration", func() {
		activate("exclusive")
		cus := buyer(&stripe.AddressParams{Line1: stripe.String("1 Rue de Rivoli"), City: stripe.String("Paris"), PostalCode: stripe.String("75001"), Country: stripe.String("FR")})
		sub, err := subscribe(cus, price(1000, ""))
		Expect(err).NotTo(HaveOccurred())
		inv := sub.LatestInvoice
		Expect(inv.AutomaticTax.Status).To(Equal(stripe.InvoiceAutomaticTaxStatusComplete))
		Expect(inv.Total).To(Equal(int64(1000)))
		Expect(inv.TotalTaxes).To(HaveLen(1), "nothing collected still shows, at a 0% rate")
		Expect(inv.TotalTaxes[0].Amount).To(BeZero())
		Expect(inv.TotalTaxes[0].TaxableAmount).To(BeZero())
		Expect(inv.TotalTaxes[0].TaxabilityReason).To(Equal(stripe.InvoiceTotalTaxTaxabilityReasonNotCollecting))
		Expect(rate(inv.TotalTaxes[0].TaxRateDetails.TaxRate).Percentage).To(BeZero())
		Expect(inv.Lines.Data[0].Taxes[0].TaxabilityReason).To(Equal(stripe.InvoiceLineItemTaxTaxabilityReasonNotCollecting))
	})

	It("charges a tax-exempt customer nothing, saying why", func() {
		activate("exclusive")
		cus := buyer(berlin())
		cus, err := sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{TaxExempt: stripe.String("exempt")})
		Expect(err).NotTo(HaveOccurred())
		sub, err := subscribe(cus, price(1000, ""))
		Expect(err).NotTo(HaveOccurred())
		inv := sub.LatestInvoice
		Expect(*inv.CustomerTaxExempt).To(Equal(stripe.CustomerTaxExemptExempt))
		Expect(inv.Total).To(Equal(int64(1000)))
		Expect(inv.TotalTaxes).To(HaveLen(1))
		Expect(inv.TotalTaxes[0].Amount).To(BeZero())
		Expect(inv.TotalTaxes[0].TaxabilityReason).To(Equal(stripe.InvoiceTotalTaxTaxabilityReasonCustomerExempt))
	})

	It("reverse charges a business in another EU country that gave its VAT id", func() {
		activate("exclusive")
		// The union OSS scheme, registered at home, covers sales to the
		// other member states.
		_, err := sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{Country: stripe.String("DE"), ActiveFromNow: stripe.Bool(true),
			CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{DE: &stripe.TaxRegistrationCreateCountryOptionsDEParams{Type: stripe.String("oss_union")}}})
		Expect(err).NotTo(HaveOccurred())
		cus := buyer(&stripe.AddressParams{Line1: stripe.String("1 Rue de Rivoli"), City: stripe.String("Paris"), PostalCode: stripe.String("75001"), Country: stripe.String("FR")},
			&stripe.CustomerCreateTaxIDDataParams{Type: stripe.String("eu_vat"), Value: stripe.String("FRAB123456789")})
		sub, err := subscribe(cus, price(1000, ""))
		Expect(err).NotTo(HaveOccurred())
		inv := sub.LatestInvoice
		Expect(inv.Total).To(Equal(int64(1000)))
		Expect(inv.TotalTaxes).NotTo(BeEmpty())
		for _, t := range inv.TotalTaxes {
			Expect(t.Amount).To(BeZero())
			Expect(t.TaxabilityReason).To(Equal(stripe.InvoiceTotalTaxTaxabilityReasonReverseCharge))
		}

		// A consumer there pays French VAT.
		consumer := buyer(&stripe.AddressParams{Line1: stripe.String("1 Rue de Rivoli"), City: stripe.String("Paris"), PostalCode: stripe.String("75001"), Country: stripe.String("FR")})
		sub, err = subscribe(consumer, price(1000, ""))
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.Total).To(Equal(int64(1200)))
		Expect(sub.LatestInvoice.TotalTaxes[0].TaxabilityReason).To(Equal(stripe.InvoiceTotalTaxTaxabilityReasonStandardRated))
	})

	It("refuses a subscription for a customer Stripe Tax cannot locate, and makes nothing", func() {
		activate("exclusive")
		cus := buyer(nil)
		_, err := subscribe(cus, price(1000, ""))
		ExpectStripeError(err, 400, "invalid_request_error", "customer_tax_location_invalid", "customer")
		Expect(emu.Count("", "subscription")).To(BeZero())
		Expect(emu.Count("", "invoice")).To(BeZero())
		Expect(emu.Count("", "payment_intent")).To(BeZero())
	})

	It("refuses automatic tax for a product without a tax code on an account whose settings preset none, in Stripe's words", func() {
		_, err := sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{HeadOffice: &stripe.TaxSettingsUpdateHeadOfficeParams{
			Address: &stripe.AddressParams{City: stripe.String("Berlin"), PostalCode: stripe.String("10117"), Country: stripe.String("DE")}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{Country: stripe.String("DE"), ActiveFromNow: stripe.Bool(true),
			CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{DE: &stripe.TaxRegistrationCreateCountryOptionsDEParams{Type: stripe.String("standard")}}})
		Expect(err).NotTo(HaveOccurred())
		cus := buyer(berlin())
		pr := price(1000, "exclusive")
		_, err = subscribe(cus, pr)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("You must specify a tax code in all line items to calculate taxes. Alternatively you can set a default tax code on your tax settings."))
		Expect(emu.Count("", "subscription")).To(BeZero(), "nothing is made")
		Expect(emu.Count("", "invoice")).To(BeZero())

		// The product's own code is enough.
		_, err = sc.V1Products.Update(Ctx, prod.ID, &stripe.ProductUpdateParams{TaxCode: stripe.String("txcd_10103001")})
		Expect(err).NotTo(HaveOccurred())
		sub, err := subscribe(cus, pr)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.Total).To(Equal(int64(1190)))
	})

	It("refuses automatic tax while Stripe Tax is not active, with tax rates set by hand, or for a price without tax behavior", func() {
		cus := buyer(berlin())
		pr := price(1000, "")
		_, err := subscribe(cus, pr)
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
		Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCode("stripe_tax_inactive")))

		activate("") // no default tax behavior
		_, err = subscribe(cus, pr)
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
		// Stripe's words, as integrators have met them in production.
		Expect(StripeErr(err).Msg).To(Equal("The price `" + pr.ID + "` does not have a tax behavior set, which is required for automatic tax computation."))
		Expect(emu.Count("", "subscription")).To(BeZero())

		vat, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(19), Inclusive: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:           []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price(1000, "exclusive").ID)}},
			DefaultTaxRates: []*string{stripe.String(vat.ID)},
			AutomaticTax:    &stripe.SubscriptionCreateAutomaticTaxParams{Enabled: stripe.Bool(true)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "default_tax_rates")
		Expect(emu.Count("", "subscription")).To(BeZero())
		Expect(emu.Count("", "invoice")).To(BeZero())

		By("on an invoice: its default tax rates, or an item's own rates put on it")
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("eur"), DefaultTaxRates: []*string{stripe.String(vat.ID)}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{AutomaticTax: &stripe.InvoiceUpdateAutomaticTaxParams{Enabled: stripe.Bool(true)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "default_tax_rates")
		inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{DefaultTaxRates: []*string{}, AutomaticTax: &stripe.InvoiceUpdateAutomaticTaxParams{Enabled: stripe.Bool(true)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AutomaticTax.Enabled).To(BeTrue())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			Amount: stripe.Int64(500), Currency: stripe.String("eur"), TaxRates: []*string{stripe.String(vat.ID)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "tax_rates")
		Expect(emu.Count("", "invoiceitem")).To(BeZero())
	})

	It("taxes a one-off invoice, and will not finalize it once the customer cannot be located", func() {
		activate("exclusive")
		cus := buyer(berlin())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("eur"),
			AutomaticTax: &stripe.InvoiceCreateAutomaticTaxParams{Enabled: stripe.Bool(true)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AutomaticTax.Enabled).To(BeTrue())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(price(2000, "exclusive").ID)}})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(2380)))
		Expect(inv.AutomaticTax.Status).To(Equal(stripe.InvoiceAutomaticTaxStatusComplete))

		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Address: &stripe.AddressParams{Country: stripe.String("")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "customer_tax_location_invalid", "customer")
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusDraft))

		// Turned off, the invoice is finalized without tax.
		inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{AutomaticTax: &stripe.InvoiceUpdateAutomaticTaxParams{Enabled: stripe.Bool(false)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(2000)))
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
	})

	It("previews the tax a subscription would pay with automatic tax on, for a customer elsewhere", func() {
		activate("exclusive")
		cus := buyer(&stripe.AddressParams{Country: stripe.String("US"), PostalCode: stripe.String("94080")})
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price(1000, "").ID)}}})
		Expect(err).NotTo(HaveOccurred())
		preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
			AutomaticTax:    &stripe.InvoiceCreatePreviewAutomaticTaxParams{Enabled: stripe.Bool(true)},
			CustomerDetails: &stripe.InvoiceCreatePreviewCustomerDetailsParams{Address: berlin()}})
		Expect(err).NotTo(HaveOccurred())
		Expect(preview.AutomaticTax.Enabled).To(BeTrue())
		Expect(preview.AutomaticTax.Status).To(Equal(stripe.InvoiceAutomaticTaxStatusComplete))
		Expect(preview.CustomerAddress.Country).To(Equal("DE"))
		Expect(preview.Total).To(Equal(int64(1190)))

		// The preview changed nothing.
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.AutomaticTax.Enabled).To(BeFalse())
		again, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Address.Country).To(Equal("US"))
	})

	It("previews with customer_details[tax_ids] standing for the customer's tax IDs, for the preview only", func() {
		activate("exclusive")
		cus := buyer(berlin())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price(1000, "").ID)}}})
		Expect(err).NotTo(HaveOccurred())
		paris := &stripe.AddressParams{Line1: stripe.String("1 rue de Rivoli"), City: stripe.String("Paris"), PostalCode: stripe.String("75001"), Country: stripe.String("FR")}
		// "Details about the customer you want to invoice or overrides for
		// an existing customer": a French business with its VAT number,
		// sold to from Berlin, accounts for the VAT itself.
		preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
			AutomaticTax: &stripe.InvoiceCreatePreviewAutomaticTaxParams{Enabled: stripe.Bool(true)},
			CustomerDetails: &stripe.InvoiceCreatePreviewCustomerDetailsParams{Address: paris,
				TaxIDs: []*stripe.InvoiceCreatePreviewCustomerDetailsTaxIDParams{{Type: stripe.String("eu_vat"), Value: stripe.String("FRAB123456789")}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(preview.CustomerTaxIDs).To(HaveLen(1))
		Expect(*preview.CustomerTaxIDs[0].Type).To(Equal(stripe.TaxIDTypeEUVAT))
		Expect(preview.CustomerTaxIDs[0].Value).To(Equal("FRAB123456789"))
		Expect(preview.Total).To(Equal(int64(1000)))
		Expect(preview.TotalTaxes).To(HaveLen(1))
		Expect(preview.TotalTaxes[0].TaxabilityReason).To(Equal(stripe.InvoiceTotalTaxTaxabilityReasonReverseCharge))

		// A number a customer's tax ID would refuse is refused here too,
		// and the preview changed nothing.
		_, err = sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
			CustomerDetails: &stripe.InvoiceCreatePreviewCustomerDetailsParams{
				TaxIDs: []*stripe.InvoiceCreatePreviewCustomerDetailsTaxIDParams{{Type: stripe.String("eu_vat"), Value: stripe.String("FR1")}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "tax_id_invalid", "customer_details[tax_ids][0][value]")
		ids, err := sc.V1Customers.Retrieve(Ctx, cus.ID, &stripe.CustomerRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("tax_ids")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(ids.TaxIDs.Data).To(BeEmpty())
		Expect(emu.Count("", "tax_id")).To(BeZero())
		for _, ev := range emu.Events("") {
			Expect(ev["type"]).NotTo(Equal("customer.tax_id.created"))
		}
	})

	It("previews with customer_details[tax][ip_address] where an address locates the customer, and refuses by name where only the IP address would", func() {
		activate("exclusive")
		cus := buyer(berlin())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price(1000, "").ID)}}})
		Expect(err).NotTo(HaveOccurred())
		preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
			AutomaticTax:    &stripe.InvoiceCreatePreviewAutomaticTaxParams{Enabled: stripe.Bool(true)},
			CustomerDetails: &stripe.InvoiceCreatePreviewCustomerDetailsParams{Tax: &stripe.InvoiceCreatePreviewCustomerDetailsTaxParams{IPAddress: stripe.String("203.0.113.7")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(preview.AutomaticTax.Status).To(Equal(stripe.InvoiceAutomaticTaxStatusComplete))
		Expect(preview.Total).To(Equal(int64(1190)), "the address locates the customer, not the IP address")

		_, err = sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
			CustomerDetails: &stripe.InvoiceCreatePreviewCustomerDetailsParams{Tax: &stripe.InvoiceCreatePreviewCustomerDetailsTaxParams{IPAddress: stripe.String("not-an-ip")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "customer_details[tax][ip_address]")
		Expect(StripeErr(err).Msg).To(Equal("Invalid IP address: not-an-ip"))

		// Without an address Stripe would geolocate the IP address; the
		// emulator cannot, and says so rather than show no tax.
		params := &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
			AutomaticTax:    &stripe.InvoiceCreatePreviewAutomaticTaxParams{Enabled: stripe.Bool(true)},
			CustomerDetails: &stripe.InvoiceCreatePreviewCustomerDetailsParams{Tax: &stripe.InvoiceCreatePreviewCustomerDetailsTaxParams{IPAddress: stripe.String("203.0.113.7")}}}
		params.AddExtra("customer_details[address]", "")
		_, err = sc.V1Invoices.CreatePreview(Ctx, params)
		ExpectStripeError(err, 400, "invalid_request_error", "", "customer_details[tax][ip_address]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate locating a customer by IP address"))
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, &stripe.CustomerRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("tax")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Tax.IPAddress).To(BeEmpty(), "the preview kept nothing")
	})

	It("refuses, as not emulated, a preview for customer_details alone (no customer, subscription or schedule), which Stripe's reference allows", func() {
		activate("exclusive")
		_, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{
			AutomaticTax:        &stripe.InvoiceCreatePreviewAutomaticTaxParams{Enabled: stripe.Bool(true)},
			CustomerDetails:     &stripe.InvoiceCreatePreviewCustomerDetailsParams{Address: berlin()},
			SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{Items: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{{Price: stripe.String(price(1000, "").ID)}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "customer_details")
		Expect(StripeErr(err).Msg).To(ContainSubstring("not supported by stripe-emu"))
		// Without customer_details either, the customer is what is missing.
		_, err = sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{
			SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{Items: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{{Price: stripe.String(price(1000, "").ID)}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "customer")
	})

	It("turns automatic tax on for a schedule's phase", func() {
		activate("exclusive")
		cus := buyer(berlin())
		pr := price(1000, "")
		sched, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID), StartDate: stripe.Int64(Epoch.Unix()),
			DefaultSettings: &stripe.SubscriptionScheduleCreateDefaultSettingsParams{AutomaticTax: &stripe.SubscriptionAutomaticTaxParams{Enabled: stripe.Bool(true)}},
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(pr.ID)}}, Iterations: stripe.Int64(1)},
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(pr.ID)}}, Iterations: stripe.Int64(1),
					AutomaticTax: &stripe.SubscriptionScheduleCreatePhaseAutomaticTaxParams{Enabled: stripe.Bool(false)}},
			}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sched.DefaultSettings.AutomaticTax.Enabled).To(BeTrue())
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, sched.Subscription.ID, &stripe.SubscriptionRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("latest_invoice")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.AutomaticTax.Enabled).To(BeTrue())
		Expect(sub.LatestInvoice.Total).To(Equal(int64(1190)))

		emu.Clock().Advance(31*24*time.Hour + 2*time.Hour)
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("latest_invoice")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.AutomaticTax.Enabled).To(BeFalse(), "the second phase turns it off")
		Expect(sub.LatestInvoice.Total).To(Equal(int64(1000)))
	})

	It("taxes the prorations of a change the same way", func() {
		activate("exclusive")
		cus := buyer(berlin())
		sub, err := subscribe(cus, price(1000, ""))
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(15 * 24 * time.Hour)
		p := &stripe.SubscriptionUpdateParams{ProrationBehavior: stripe.String("always_invoice"),
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(price(3000, "").ID)}}}
		p.AddExpand("latest_invoice")
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		inv := sub.LatestInvoice
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
		Expect(inv.AutomaticTax.Status).To(Equal(stripe.InvoiceAutomaticTaxStatusComplete))
		Expect(inv.Lines.Data).To(HaveLen(2))
		var taxed int64
		for _, l := range inv.Lines.Data {
			Expect(l.Taxes).To(HaveLen(1))
			Expect(l.Taxes[0].TaxabilityReason).To(Equal(stripe.InvoiceLineItemTaxTaxabilityReasonStandardRated))
			taxed += l.Taxes[0].Amount
			// 19% of each line, the unused time's credit too.
			Expect(l.Taxes[0].Amount).To(BeNumerically("~", float64(l.Amount)*0.19, 1))
		}
		Expect(inv.Total).To(Equal(inv.Subtotal + taxed))
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(defaultIntent(sc, inv).Amount).To(Equal(inv.Total))
	})

	It("finalizes a renewal without tax once the customer cannot be located, turning automatic tax off", func() {
		activate("exclusive")
		cus := buyer(berlin())
		sub, err := subscribe(cus, price(1000, ""))
		Expect(err).NotTo(HaveOccurred())
		// Its subscription has automatic tax: the update is checked
		// unless deferred.
		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Address: &stripe.AddressParams{Country: stripe.String("")}})
		ExpectStripeError(err, 400, "invalid_request_error", "customer_tax_location_invalid", "tax[validate_location]")
		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Address: &stripe.AddressParams{Country: stripe.String("")},
			Tax: &stripe.CustomerUpdateTaxParams{ValidateLocation: stripe.String("deferred")}})
		Expect(err).NotTo(HaveOccurred())

		emu.Clock().Advance(31*24*time.Hour + 2*time.Hour)
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("latest_invoice")}}})
		Expect(err).NotTo(HaveOccurred())
		renewal := got.LatestInvoice
		Expect(renewal.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(renewal.Total).To(Equal(int64(1000)))
		Expect(renewal.AutomaticTax.Enabled).To(BeFalse())
		Expect(renewal.AutomaticTax.DisabledReason).To(Equal(stripe.InvoiceAutomaticTaxDisabledReasonFinalizationRequiresLocationInputs))
		Expect(got.AutomaticTax.Enabled).To(BeFalse())
		Expect(got.AutomaticTax.DisabledReason).To(Equal(stripe.SubscriptionAutomaticTaxDisabledReasonRequiresLocationInputs))
	})

	It("taxes a quote's totals and what accepting it bills", func() {
		activate("exclusive")
		cus := buyer(berlin())
		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			AutomaticTax: &stripe.QuoteCreateAutomaticTaxParams{Enabled: stripe.Bool(true)},
			LineItems:    []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(price(1000, "").ID), Quantity: stripe.Int64(2)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.AutomaticTax.Enabled).To(BeTrue())
		Expect(q.AutomaticTax.Status).To(Equal(stripe.QuoteAutomaticTaxStatusComplete))
		Expect(q.AmountTotal).To(Equal(int64(2380)))
		Expect(q.TotalDetails.AmountTax).To(Equal(int64(380)))
		Expect(q.Computed.Upfront.AmountTotal).To(Equal(int64(2380)))
		Expect(q.Computed.Recurring.AmountTotal).To(Equal(int64(2380)))

		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		q, err = sc.V1Quotes.Accept(Ctx, q.ID, &stripe.QuoteAcceptParams{Expand: []*string{stripe.String("subscription.latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Subscription.AutomaticTax.Enabled).To(BeTrue())
		Expect(q.Subscription.LatestInvoice.Total).To(Equal(int64(2380)))
	})

	It("refuses by name a quote with automatic tax for a customer only an IP address would locate, rather than show it untaxed", func() {
		activate("exclusive")
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Tax: &stripe.CustomerCreateTaxParams{IPAddress: stripe.String("203.0.113.7")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			AutomaticTax: &stripe.QuoteCreateAutomaticTaxParams{Enabled: stripe.Bool(true)},
			LineItems:    []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(price(1000, "").ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "customer")
		Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate locating a customer by IP address"))
		Expect(emu.Count("", "quote")).To(BeZero())

		// A customer with no location at all is quoted without tax, as
		// Stripe shows it (requires_location_inputs).
		nowhere, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String("Nowhere")})
		Expect(err).NotTo(HaveOccurred())
		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(nowhere.ID),
			AutomaticTax: &stripe.QuoteCreateAutomaticTaxParams{Enabled: stripe.Bool(true)},
			LineItems:    []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(price(1000, "").ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.AutomaticTax.Status).To(Equal(stripe.QuoteAutomaticTaxStatusRequiresLocationInputs))
	})

	It("refuses by name automatic tax on a one-off invoice for a customer only an IP address would locate, rather than draft it untaxed", func() {
		activate("exclusive")
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Tax: &stripe.CustomerCreateTaxParams{IPAddress: stripe.String("203.0.113.7")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
			AutomaticTax: &stripe.InvoiceCreateAutomaticTaxParams{Enabled: stripe.Bool(true)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "customer")
		Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate locating a customer by IP address"))
		Expect(emu.Count("", "invoice")).To(BeZero())

		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{AutomaticTax: &stripe.InvoiceUpdateAutomaticTaxParams{Enabled: stripe.Bool(true)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "customer")
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.AutomaticTax.Enabled).To(BeFalse())
	})

	It("refuses a connected account liable for the tax, naming the parameter", func() {
		activate("exclusive")
		cus := buyer(berlin())
		_, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
			AutomaticTax: &stripe.InvoiceCreateAutomaticTaxParams{Enabled: stripe.Bool(true),
				Liability: &stripe.InvoiceCreateAutomaticTaxLiabilityParams{Type: stripe.String("account"), Account: stripe.String("acct_1")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "automatic_tax[liability][type]")
		Expect(emu.Count("", "invoice")).To(BeZero())
	})

	It("reports a one-off invoice it could not finalize when due, for a customer it cannot locate", func() {
		activate("exclusive")
		cus := buyer(nil)
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("eur"), AutoAdvance: stripe.Bool(true),
			AutomaticTax: &stripe.InvoiceCreateAutomaticTaxParams{Enabled: stripe.Bool(true)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AutomaticTax.Status).To(Equal(stripe.InvoiceAutomaticTaxStatusRequiresLocationInputs))
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(price(2000, "exclusive").ID)}})
		Expect(err).NotTo(HaveOccurred())

		emu.Clock().Advance(2 * time.Hour)
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusDraft))
		Expect(inv.Total).To(Equal(int64(2000)))
		Expect(inv.AutomaticallyFinalizesAt).To(BeZero())
		Expect(inv.LastFinalizationError.Code).To(Equal(stripe.ErrorCode("customer_tax_location_invalid")))
		var failed []string
		for ev, err := range sc.V1Events.List(Ctx, &stripe.EventListParams{Type: stripe.String("invoice.finalization_failed")}) {
			Expect(err).NotTo(HaveOccurred())
			failed = append(failed, ev.Data.Object["id"].(string))
		}
		Expect(failed).To(Equal([]string{inv.ID}))

		// "This field is cleared when the invoice is successfully
		// finalized." (last_finalization_error's reference.)
		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Address: berlin()})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(inv.AutomaticTax.Status).To(Equal(stripe.InvoiceAutomaticTaxStatusComplete))
		Expect(inv.LastFinalizationError).To(BeNil())
	})

	It("taxes an invoice's shipping cost as Checkout's, by the shipping rate's behavior (none by hand-set rates)", func() {
		activate("exclusive")
		cus := buyer(berlin())
		ground, err := sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{DisplayName: stripe.String("Ground"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur")}, TaxBehavior: stripe.String("exclusive")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("eur"),
			AutomaticTax: &stripe.InvoiceCreateAutomaticTaxParams{Enabled: stripe.Bool(true)},
			ShippingCost: &stripe.InvoiceCreateShippingCostParams{ShippingRate: stripe.String(ground.ID)}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(price(2000, "exclusive").ID)}})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.ShippingCost.AmountSubtotal).To(Equal(int64(1000)))
		Expect(inv.ShippingCost.AmountTax).To(Equal(int64(190)))
		Expect(inv.ShippingCost.AmountTotal).To(Equal(int64(1190)))
		Expect(inv.ShippingCost.Taxes).To(HaveLen(1))
		Expect(inv.ShippingCost.Taxes[0].Rate.Percentage).To(Equal(19.0))
		Expect(inv.ShippingCost.Taxes[0].TaxableAmount).To(Equal(int64(1000)))
		Expect(inv.AmountShipping).To(Equal(int64(1190)))
		Expect(inv.Subtotal).To(Equal(int64(2000)))
		Expect(inv.Total).To(Equal(int64(2380 + 1190)))
		Expect(inv.TotalExcludingTax).To(Equal(int64(3000)))
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AmountDue).To(Equal(int64(3570)))

		// Tax rates set by hand tax the lines only.
		vat, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(10), Inclusive: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		byHand, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("eur"),
			DefaultTaxRates: []*string{stripe.String(vat.ID)}, ShippingCost: &stripe.InvoiceCreateShippingCostParams{ShippingRate: stripe.String(ground.ID)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(byHand.ShippingCost.AmountTax).To(Equal(int64(0)))
		Expect(byHand.Total).To(Equal(int64(1000)))
	})

	It("taxes an invoice item of an amount alone by the tax behavior it was given, else the settings' default", func() {
		activate("exclusive")
		cus := buyer(berlin())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("eur"),
			AutomaticTax: &stripe.InvoiceCreateAutomaticTaxParams{Enabled: stripe.Bool(true)}})
		Expect(err).NotTo(HaveOccurred())
		for _, behavior := range []string{"inclusive", ""} {
			p := &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1190), Currency: stripe.String("eur")}
			if behavior != "" {
				p.TaxBehavior = stripe.String(behavior)
			}
			_, err = sc.V1InvoiceItems.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
		}
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Subtotal).To(Equal(int64(2380)))
		Expect(inv.Total).To(Equal(int64(2380+226)), "190 inside the first, 19% of 1190 on top of the second")
		Expect(inv.TotalExcludingTax).To(Equal(int64(2190)))
		Expect(inv.TotalTaxes).To(HaveLen(2))
	})

	It("turns a schedule's automatic tax off with its subscription's when the customer can no longer be located", func() {
		activate("exclusive")
		cus := buyer(berlin())
		pr := price(1000, "")
		sched, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID), StartDate: stripe.Int64(Epoch.Unix()),
			DefaultSettings: &stripe.SubscriptionScheduleCreateDefaultSettingsParams{AutomaticTax: &stripe.SubscriptionAutomaticTaxParams{Enabled: stripe.Bool(true)}},
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{
				{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(pr.ID)}}, Iterations: stripe.Int64(3)},
			}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Address: &stripe.AddressParams{Country: stripe.String("")},
			Tax: &stripe.CustomerUpdateTaxParams{ValidateLocation: stripe.String("deferred")}})
		Expect(err).NotTo(HaveOccurred())

		emu.Clock().Advance(31*24*time.Hour + 2*time.Hour)
		sched, err = sc.V1SubscriptionSchedules.Retrieve(Ctx, sched.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sched.DefaultSettings.AutomaticTax.Enabled).To(BeFalse())
		Expect(sched.DefaultSettings.AutomaticTax.DisabledReason).To(Equal(stripe.SubscriptionAutomaticTaxDisabledReasonRequiresLocationInputs))
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, sched.Subscription.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.AutomaticTax.Enabled).To(BeFalse())
	})

	It("keeps a subscription's automatic tax when it is put on a schedule (from_subscription) and its phases are changed", func() {
		activate("exclusive")
		cus := buyer(berlin())
		basic, plus := price(1000, ""), price(2500, "")
		sub, err := subscribe(cus, basic)
		Expect(err).NotTo(HaveOccurred())
		sched, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{FromSubscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(sched.DefaultSettings.AutomaticTax.Enabled).To(BeTrue(), "the schedule takes the subscription's automatic tax")
		// Upgrade at the period's end, the guide's use case.
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{StartDate: stripe.Int64(sched.Phases[0].StartDate), EndDate: stripe.Int64(sched.Phases[0].EndDate),
					Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(basic.ID)}}},
				{Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(plus.ID)}}, Iterations: stripe.Int64(1)},
			}})
		Expect(err).NotTo(HaveOccurred())
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.AutomaticTax.Enabled).To(BeTrue(), "the update leaves automatic tax on")

		emu.Clock().Advance(31*24*time.Hour + 2*time.Hour)
		p := &stripe.SubscriptionRetrieveParams{}
		p.AddExpand("latest_invoice")
		got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Items.Data[0].Price.ID).To(Equal(plus.ID))
		Expect(got.AutomaticTax.Enabled).To(BeTrue(), "the next phase keeps it on")
		Expect(got.LatestInvoice.AutomaticTax.Enabled).To(BeTrue())
		Expect(got.LatestInvoice.TotalTaxes).To(HaveLen(1))
		Expect(got.LatestInvoice.TotalTaxes[0].Amount).To(Equal(int64(475)), "19% of 25.00")
	})

	It("refuses automatic_tax without [enabled] rather than turning it off, and leaves it on", func() {
		activate("exclusive")
		cus := buyer(berlin())
		sub, err := subscribe(cus, price(1000, ""))
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.AutomaticTax.Enabled).To(BeTrue())

		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			AutomaticTax: &stripe.SubscriptionUpdateAutomaticTaxParams{Liability: &stripe.SubscriptionUpdateAutomaticTaxLiabilityParams{Type: stripe.String("self")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "automatic_tax[enabled]")
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.AutomaticTax.Enabled).To(BeTrue())

		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AutomaticTax: &stripe.InvoiceCreateAutomaticTaxParams{Enabled: stripe.Bool(true)}})
		Expect(err).NotTo(HaveOccurred())
		events := len(emu.Events(""))
		_, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{
			AutomaticTax: &stripe.InvoiceUpdateAutomaticTaxParams{Liability: &stripe.InvoiceUpdateAutomaticTaxLiabilityParams{Type: stripe.String("self")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "automatic_tax[enabled]")
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AutomaticTax.Enabled).To(BeTrue())
		Expect(emu.Events("")).To(HaveLen(events), "a refused update sends no event")
	})
})
