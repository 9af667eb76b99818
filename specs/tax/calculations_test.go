package tax_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// activateTax sets a head office (in country, state) so the account's
// tax settings are active, and the preset tax code (General -
// Electronically Supplied Services) Stripe applies to lines with none.
func activateTax(sc *stripe.Client, country, state, postal string) {
	GinkgoHelper()
	_, err := sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{
		HeadOffice: &stripe.TaxSettingsUpdateHeadOfficeParams{Address: &stripe.AddressParams{
			Country: stripe.String(country), State: stripe.String(state), PostalCode: stripe.String(postal)}},
		Defaults: &stripe.TaxSettingsUpdateDefaultsParams{TaxCode: stripe.String("txcd_10000000")},
	})
	Expect(err).NotTo(HaveOccurred())
}

// registerUSState registers the account for sales tax in a US state,
// from now.
func registerUSState(sc *stripe.Client, state string) {
	GinkgoHelper()
	_, err := sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
		Country: stripe.String("US"), ActiveFromNow: stripe.Bool(true),
		CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{US: &stripe.TaxRegistrationCreateCountryOptionsUSParams{
			State: stripe.String(state), Type: stripe.String("state_sales_tax")}},
	})
	Expect(err).NotTo(HaveOccurred())
}

// registerDE registers the account for German VAT (a standard
// registration), from now.
func registerDE(sc *stripe.Client) {
	GinkgoHelper()
	_, err := sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
		Country: stripe.String("DE"), ActiveFromNow: stripe.Bool(true),
		CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{DE: &stripe.TaxRegistrationCreateCountryOptionsDEParams{Type: stripe.String("standard")}},
	})
	Expect(err).NotTo(HaveOccurred())
}

// buyerAt is customer_details for a buyer at a US address.
func buyerAt(state, postal string) *stripe.TaxCalculationCreateCustomerDetailsParams {
	return &stripe.TaxCalculationCreateCustomerDetailsParams{
		Address: &stripe.AddressParams{Line1: stripe.String("1 Main Street"), Country: stripe.String("US"),
			State: stripe.String(state), PostalCode: stripe.String(postal)},
		AddressSource: stripe.String("shipping"),
	}
}

func line(amount int64, behavior, ref string) *stripe.TaxCalculationCreateLineItemParams {
	return &stripe.TaxCalculationCreateLineItemParams{Amount: stripe.Int64(amount), TaxBehavior: stripe.String(behavior), Reference: stripe.String(ref)}
}

var _ = Describe("Tax calculations", Label("tax"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	It("tax a buyer in California under a California registration, an exclusive and an inclusive line", func() {
		activateTax(sc, "US", "CA", "94080")
		registerUSState(sc, "CA")
		p := &stripe.TaxCalculationCreateParams{
			Currency:        stripe.String("usd"),
			CustomerDetails: buyerAt("CA", "94080"),
			LineItems: []*stripe.TaxCalculationCreateLineItemParams{
				line(2000, "exclusive", "Pepperoni Pizza"),
				line(2145, "inclusive", "Margherita"),
			},
		}
		p.AddExpand("line_items")
		calc, err := sc.V1TaxCalculations.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(calc.ID).To(HavePrefix("taxcalc_"))
		Expect(calc.Object).To(Equal("tax.calculation"))
		Expect(calc.Currency).To(Equal(stripe.CurrencyUSD))
		Expect(calc.Customer).To(BeEmpty())
		Expect(calc.CustomerDetails.Address.State).To(Equal("CA"))
		Expect(calc.CustomerDetails.AddressSource).To(Equal(stripe.TaxCalculationCustomerDetailsAddressSourceShipping))
		Expect(calc.CustomerDetails.TaxabilityOverride).To(Equal(stripe.TaxCalculationCustomerDetailsTaxabilityOverrideNone))
		Expect(calc.TaxDate).To(Equal(Epoch.Unix()))
		Expect(calc.ExpiresAt).To(Equal(Epoch.Add(90 * 24 * time.Hour).Unix()))

		// 7.25% of 20.00 on top; 7.25% taken out of 21.45 (20.00 + 1.45).
		Expect(calc.TaxAmountExclusive).To(Equal(int64(145)))
		Expect(calc.TaxAmountInclusive).To(Equal(int64(145)))
		Expect(calc.AmountTotal).To(Equal(int64(2000 + 2145 + 145)))
		Expect(calc.TaxBreakdown).To(HaveLen(2))
		for i, inclusive := range []bool{false, true} {
			b := calc.TaxBreakdown[i]
			Expect(b.Inclusive).To(Equal(inclusive))
			Expect(b.Amount).To(Equal(int64(145)))
			Expect(b.TaxableAmount).To(Equal(int64(2000)))
			Expect(b.TaxabilityReason).To(Equal(stripe.TaxCalculationTaxBreakdownTaxabilityReasonStandardRated))
			Expect(b.TaxRateDetails.Country).To(Equal("US"))
			Expect(b.TaxRateDetails.State).To(Equal("CA"))
			Expect(b.TaxRateDetails.PercentageDecimal).To(Equal("7.25"))
			Expect(b.TaxRateDetails.TaxType).To(Equal(stripe.TaxCalculationTaxBreakdownTaxRateDetailsTaxTypeSalesTax))
			Expect(b.TaxRateDetails.RateType).To(Equal(stripe.TaxCalculationTaxBreakdownTaxRateDetailsRateTypePercentage))
		}

		Expect(calc.LineItems.Data).To(HaveLen(2))
		first := calc.LineItems.Data[0]
		Expect(first.ID).To(HavePrefix("tax_li_"))
		Expect(first.Amount).To(Equal(int64(2000)))
		Expect(first.AmountTax).To(Equal(int64(145)))
		Expect(first.Quantity).To(Equal(int64(1)))
		Expect(first.Reference).To(Equal("Pepperoni Pizza"))
		Expect(first.TaxBehavior).To(Equal(stripe.TaxCalculationLineItemTaxBehaviorExclusive))
		Expect(first.TaxCode).To(Equal("txcd_10000000"), "Stripe's default tax code when neither the line nor the settings name one")
		Expect(first.TaxBreakdown).To(BeNil(), "a line item's tax_breakdown is shown only when expanded")
		Expect(calc.LineItems.Data[1].TaxBehavior).To(Equal(stripe.TaxCalculationLineItemTaxBehaviorInclusive))

		// Retrieved, the calculation leaves its line items out; its line
		// items list pages and shows each line's breakdown when expanded.
		got, err := sc.V1TaxCalculations.Retrieve(Ctx, calc.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LineItems).To(BeNil())
		Expect(got.AmountTotal).To(Equal(calc.AmountTotal))

		lp := &stripe.TaxCalculationListLineItemsParams{Calculation: stripe.String(calc.ID)}
		lp.Limit = stripe.Int64(1)
		lp.AddExpand("data.tax_breakdown")
		var items []*stripe.TaxCalculationLineItem
		for li, err := range sc.V1TaxCalculations.ListLineItems(Ctx, lp) {
			Expect(err).NotTo(HaveOccurred())
			items = append(items, li)
		}
		Expect(items).To(HaveLen(2))
		Expect(items[0].ID).To(Equal(first.ID))
		Expect(items[1].Reference).To(Equal("Margherita"))
		bd := items[1].TaxBreakdown
		Expect(bd).To(HaveLen(1))
		Expect(bd[0].Amount).To(Equal(int64(145)))
		Expect(bd[0].TaxableAmount).To(Equal(int64(2000)))
		Expect(bd[0].Sourcing).To(Equal(stripe.TaxCalculationLineItemTaxBreakdownSourcingDestination))
		Expect(bd[0].Jurisdiction.Country).To(Equal("US"))
		Expect(bd[0].Jurisdiction.State).To(Equal("CA"))
		Expect(bd[0].Jurisdiction.Level).To(Equal(stripe.TaxCalculationLineItemTaxBreakdownJurisdictionLevelState))
		Expect(bd[0].Jurisdiction.DisplayName).To(Equal("California"))
		Expect(bd[0].TaxRateDetails.DisplayName).To(Equal("Sales Tax"))
		Expect(bd[0].TaxRateDetails.PercentageDecimal).To(Equal("7.25"))
		Expect(bd[0].TaxRateDetails.TaxType).To(Equal(stripe.TaxCalculationLineItemTaxBreakdownTaxRateDetailsTaxTypeSalesTax))

		Expect(eventsOf(emu, "tax_rate.created")).To(BeEmpty(), "Stripe Tax makes its rates without events")
		for _, ev := range emu.Events("") {
			Expect(ev["type"]).NotTo(HavePrefix("tax.calculation"), "Stripe has no calculation events")
		}
	})

	It("collect nothing from a buyer where the account is not registered", func() {
		activateTax(sc, "US", "CA", "94080")
		registerUSState(sc, "CA")
		calc, err := sc.V1TaxCalculations.Create(Ctx, &stripe.TaxCalculationCreateParams{
			Currency:        stripe.String("usd"),
			CustomerDetails: buyerAt("NY", "10001"),
			LineItems:       []*stripe.TaxCalculationCreateLineItemParams{line(5000, "exclusive", "L1")},
			ShippingCost:    &stripe.TaxCalculationCreateShippingCostParams{Amount: stripe.Int64(500)},
			ShipFromDetails: &stripe.TaxCalculationCreateShipFromDetailsParams{Address: &stripe.AddressParams{
				Country: stripe.String("US"), State: stripe.String("CA"), PostalCode: stripe.String("94080")}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(calc.ShipFromDetails.Address.State).To(Equal("CA"), "shipped across states, the sale is sourced at its destination")
		Expect(calc.TaxAmountExclusive).To(BeZero())
		Expect(calc.TaxAmountInclusive).To(BeZero())
		Expect(calc.AmountTotal).To(Equal(int64(5500)))
		Expect(calc.TaxBreakdown).To(HaveLen(1), "the line and the shipping, collected nowhere, in one entry")
		Expect(calc.TaxBreakdown[0].Amount).To(BeZero())
		Expect(calc.TaxBreakdown[0].TaxableAmount).To(BeZero())
		Expect(calc.TaxBreakdown[0].TaxabilityReason).To(Equal(stripe.TaxCalculationTaxBreakdownTaxabilityReasonNotCollecting))
		Expect(calc.TaxBreakdown[0].TaxRateDetails.PercentageDecimal).To(Equal("0.0"))
		Expect(calc.TaxBreakdown[0].TaxRateDetails.State).To(Equal("NY"))
		Expect(calc.TaxBreakdown[0].TaxRateDetails.TaxType).To(Equal(stripe.TaxCalculationTaxBreakdownTaxRateDetailsTaxTypeSalesTax), "the tax Stripe would collect there, at 0%")
		Expect(calc.ShippingCost.Amount).To(Equal(int64(500)))
		Expect(calc.ShippingCost.AmountTax).To(BeZero())
		Expect(calc.ShippingCost.TaxBehavior).To(Equal(stripe.TaxCalculationShippingCostTaxBehaviorExclusive))
		Expect(calc.ShippingCost.TaxCode).To(Equal("txcd_92010001"))
		Expect(calc.ShippingCost.TaxBreakdown).To(BeNil(), "shown only when expanded")

		p := &stripe.TaxCalculationRetrieveParams{}
		p.AddExpand("shipping_cost.tax_breakdown")
		got, err := sc.V1TaxCalculations.Retrieve(Ctx, calc.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.ShippingCost.TaxBreakdown).To(HaveLen(1))
		Expect(got.ShippingCost.TaxBreakdown[0].TaxabilityReason).To(Equal(stripe.TaxCalculationShippingCostTaxBreakdownTaxabilityReasonNotCollecting))
		Expect(got.ShippingCost.TaxBreakdown[0].TaxRateDetails).To(BeNil())
		Expect(got.ShippingCost.TaxBreakdown[0].Jurisdiction.DisplayName).To(Equal("New York"))
		Expect(got.ShippingCost.TaxBreakdown[0].Jurisdiction.Level).To(Equal(stripe.TaxCalculationShippingCostTaxBreakdownJurisdictionLevelState))
	})

	It("tax shipping with the goods, and copy a stored customer's address and tax ids", func() {
		activateTax(sc, "DE", "", "10117")
		registerDE(sc)
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{
			Address:   &stripe.AddressParams{Line1: stripe.String("Unter den Linden 1"), City: stripe.String("Berlin"), PostalCode: stripe.String("10117"), Country: stripe.String("DE")},
			TaxIDData: []*stripe.CustomerCreateTaxIDDataParams{{Type: stripe.String("eu_vat"), Value: stripe.String("DE123456789")}},
		})
		Expect(err).NotTo(HaveOccurred())
		rate, err := sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{
			DisplayName: stripe.String("Standard"), TaxBehavior: stripe.String("exclusive"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(500), Currency: stripe.String("eur")},
		})
		Expect(err).NotTo(HaveOccurred())

		calc, err := sc.V1TaxCalculations.Create(Ctx, &stripe.TaxCalculationCreateParams{
			Currency:     stripe.String("EUR"),
			Customer:     stripe.String(cus.ID),
			LineItems:    []*stripe.TaxCalculationCreateLineItemParams{{Amount: stripe.Int64(10000), Quantity: stripe.Int64(2)}},
			ShippingCost: &stripe.TaxCalculationCreateShippingCostParams{ShippingRate: stripe.String(rate.ID)},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(calc.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(calc.Customer).To(Equal(cus.ID))
		Expect(calc.CustomerDetails.Address.City).To(Equal("Berlin"))
		Expect(calc.CustomerDetails.AddressSource).To(Equal(stripe.TaxCalculationCustomerDetailsAddressSourceBilling))
		Expect(calc.CustomerDetails.TaxIDs).To(HaveLen(1))
		Expect(calc.CustomerDetails.TaxIDs[0].Type).To(Equal(stripe.TaxCalculationCustomerDetailsTaxIDTypeEUVAT))
		Expect(calc.CustomerDetails.TaxIDs[0].Value).To(Equal("DE123456789"))
		Expect(calc.ShippingCost.ShippingRate).To(Equal(rate.ID))
		Expect(calc.ShippingCost.AmountTax).To(Equal(int64(95)))
		Expect(calc.TaxAmountExclusive).To(Equal(int64(1900 + 95)))
		Expect(calc.AmountTotal).To(Equal(int64(10000 + 500 + 1995)))
		Expect(calc.TaxBreakdown).To(HaveLen(1), "the goods and the shipping bear the one VAT rate")
		Expect(calc.TaxBreakdown[0].TaxableAmount).To(Equal(int64(10500)))
		Expect(calc.TaxBreakdown[0].TaxRateDetails.TaxType).To(Equal(stripe.TaxCalculationTaxBreakdownTaxRateDetailsTaxTypeVAT))

		var items []*stripe.TaxCalculationLineItem
		for li, err := range sc.V1TaxCalculations.ListLineItems(Ctx, &stripe.TaxCalculationListLineItemsParams{Calculation: stripe.String(calc.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			items = append(items, li)
		}
		Expect(items).To(HaveLen(1))
		Expect(items[0].Reference).To(Equal("L1"), "a line item sent without a reference is named by its position")
		Expect(items[0].Quantity).To(Equal(int64(2)))
		Expect(items[0].AmountTax).To(Equal(int64(1900)))
	})

	It("refuse a buyer's tax ID that creating a customer's would refuse, rather than reverse-charge it", func() {
		activateTax(sc, "DE", "", "10117")
		registerDE(sc)
		calculate := func(vat string) (*stripe.TaxCalculation, error) {
			return sc.V1TaxCalculations.Create(Ctx, &stripe.TaxCalculationCreateParams{
				Currency: stripe.String("eur"),
				CustomerDetails: &stripe.TaxCalculationCreateCustomerDetailsParams{
					Address:       &stripe.AddressParams{Line1: stripe.String("1 rue de Rivoli"), City: stripe.String("Paris"), PostalCode: stripe.String("75001"), Country: stripe.String("FR")},
					AddressSource: stripe.String("billing"),
					TaxIDs:        []*stripe.TaxCalculationCreateCustomerDetailsTaxIDParams{{Type: stripe.String("eu_vat"), Value: stripe.String(vat)}},
				},
				LineItems: []*stripe.TaxCalculationCreateLineItemParams{line(10000, "exclusive", "Widget")},
			})
		}
		before := emu.Count("", "tax.calculation")
		_, err := calculate("garbage")
		ExpectStripeError(err, 400, "invalid_request_error", "tax_id_invalid", "customer_details[tax_ids][0][value]")
		Expect(StripeErr(err).Msg).To(Equal("Invalid value for eu_vat."))
		_, err = calculate("DE123")
		ExpectStripeError(err, 400, "invalid_request_error", "tax_id_invalid", "customer_details[tax_ids][0][value]")
		Expect(emu.Count("", "tax.calculation")).To(Equal(before))

		calc, err := calculate("FRAB123456789")
		Expect(err).NotTo(HaveOccurred())
		Expect(calc.TaxAmountExclusive).To(BeZero(), "a business buyer's valid VAT number is reverse-charged")
		Expect(calc.CustomerDetails.TaxIDs[0].Value).To(Equal("FRAB123456789"))
	})

	It("tax a line amount too large for 64-bit arithmetic exactly", func() {
		activateTax(sc, "DE", "", "10117")
		registerDE(sc)
		calc, err := sc.V1TaxCalculations.Create(Ctx, &stripe.TaxCalculationCreateParams{
			Currency: stripe.String("eur"),
			CustomerDetails: &stripe.TaxCalculationCreateCustomerDetailsParams{
				Address:       &stripe.AddressParams{Line1: stripe.String("Unter den Linden 1"), City: stripe.String("Berlin"), PostalCode: stripe.String("10117"), Country: stripe.String("DE")},
				AddressSource: stripe.String("billing"),
			},
			// 1,000,000,000,000.00 EUR: times 19% in millionths it is past int64.
			LineItems: []*stripe.TaxCalculationCreateLineItemParams{line(100_000_000_000_000, "exclusive", "Bridge")},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(calc.TaxAmountExclusive).To(Equal(int64(19_000_000_000_000)))
		Expect(calc.AmountTotal).To(Equal(int64(119_000_000_000_000)))
	})

	It("take a taxability_override into account", func() {
		activateTax(sc, "US", "CA", "94080")
		registerUSState(sc, "CA")
		for _, override := range []string{"customer_exempt", "reverse_charge"} {
			buyer := buyerAt("CA", "94080")
			buyer.TaxabilityOverride = stripe.String(override)
			p := &stripe.TaxCalculationCreateParams{
				Currency: stripe.String("usd"), CustomerDetails: buyer,
				LineItems: []*stripe.TaxCalculationCreateLineItemParams{line(1000, "exclusive", "a")},
			}
			p.AddExpand("line_items")
			calc, err := sc.V1TaxCalculations.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(calc.CustomerDetails.TaxabilityOverride)).To(Equal(override))
			Expect(calc.AmountTotal).To(Equal(int64(1000)))
			Expect(calc.TaxBreakdown).To(HaveLen(1))
			Expect(string(calc.TaxBreakdown[0].TaxabilityReason)).To(Equal(override))
			Expect(calc.LineItems.Data[0].AmountTax).To(BeZero())
		}
	})

	It("need a tax code for every line: its own, its product's, or the settings' preset", func() {
		_, err := sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{HeadOffice: &stripe.TaxSettingsUpdateHeadOfficeParams{
			Address: &stripe.AddressParams{Country: stripe.String("US"), State: stripe.String("CA"), PostalCode: stripe.String("94080")}}})
		Expect(err).NotTo(HaveOccurred())
		registerUSState(sc, "CA")
		calc := func(items ...*stripe.TaxCalculationCreateLineItemParams) (*stripe.TaxCalculation, error) {
			p := &stripe.TaxCalculationCreateParams{Currency: stripe.String("usd"), CustomerDetails: buyerAt("CA", "94080"), LineItems: items}
			p.AddExpand("line_items")
			return sc.V1TaxCalculations.Create(Ctx, p)
		}
		coded := line(1000, "exclusive", "coded")
		coded.TaxCode = stripe.String("txcd_99999999")
		_, err = calc(coded, line(1000, "exclusive", "bare"))
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("You must specify a tax code in all line items to calculate taxes. Alternatively you can set a default tax code on your tax settings."))
		Expect(emu.Count("", "tax.calculation")).To(BeZero())

		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Tent"), TaxCode: stripe.String("txcd_99999999")})
		Expect(err).NotTo(HaveOccurred())
		byProduct := line(1000, "exclusive", "tent")
		byProduct.Product = stripe.String(prod.ID)
		got, err := calc(coded, byProduct)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LineItems.Data[1].TaxCode).To(Equal("txcd_99999999"))
		// Shipping has a code of its own (Shipping) when none is given.
		_, err = sc.V1TaxCalculations.Create(Ctx, &stripe.TaxCalculationCreateParams{Currency: stripe.String("usd"), CustomerDetails: buyerAt("CA", "94080"),
			LineItems: []*stripe.TaxCalculationCreateLineItemParams{coded}, ShippingCost: &stripe.TaxCalculationCreateShippingCostParams{Amount: stripe.Int64(500)}})
		Expect(err).NotTo(HaveOccurred())
	})

	It("refuse what Stripe refuses, and change nothing", func() {
		p := func() *stripe.TaxCalculationCreateParams {
			return &stripe.TaxCalculationCreateParams{
				Currency: stripe.String("usd"), CustomerDetails: buyerAt("CA", "94080"),
				LineItems: []*stripe.TaxCalculationCreateLineItemParams{line(1000, "exclusive", "a")},
			}
		}
		_, err := sc.V1TaxCalculations.Create(Ctx, p())
		ExpectStripeError(err, 400, "invalid_request_error", "stripe_tax_inactive", "")
		// Stripe's words, as users of an integration reported them.
		Expect(StripeErr(err).Msg).To(Equal("Stripe Tax has not been activated on your account. Please visit https://stripe.com/docs/tax/set-up to get started."))

		activateTax(sc, "US", "CA", "94080")
		bad := p()
		bad.Currency = stripe.String("xyz")
		_, err = sc.V1TaxCalculations.Create(Ctx, bad)
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency")

		bad = p()
		bad.CustomerDetails = &stripe.TaxCalculationCreateCustomerDetailsParams{Address: &stripe.AddressParams{Country: stripe.String("US"), Line1: stripe.String("1 Main Street")}}
		_, err = sc.V1TaxCalculations.Create(Ctx, bad)
		ExpectStripeError(err, 400, "invalid_request_error", "customer_tax_location_invalid", "customer_details[address]")
		// The Tax API's own words, as Stripe's guide to it shows them.
		Expect(StripeErr(err).Msg).To(Equal("We could not determine the customer's tax location based on the provided customer address."))
		Expect(StripeErr(err).DocURL).To(Equal("https://stripe.com/docs/error-codes/customer-tax-location-invalid"))

		bad = p()
		bad.LineItems = append(bad.LineItems, line(500, "exclusive", "a"))
		_, err = sc.V1TaxCalculations.Create(Ctx, bad)
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[1][reference]")

		bad = p()
		bad.LineItems[0].TaxCode = stripe.String("txcd_pizza")
		_, err = sc.V1TaxCalculations.Create(Ctx, bad)
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "line_items[0][tax_code]")

		bad = p()
		bad.TaxDate = stripe.Int64(Epoch.Add(-72 * time.Hour).Unix())
		_, err = sc.V1TaxCalculations.Create(Ctx, bad)
		ExpectStripeError(err, 400, "invalid_request_error", "", "tax_date")

		bad = p()
		bad.Customer = stripe.String("cus_missing")
		_, err = sc.V1TaxCalculations.Create(Ctx, bad)
		ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "customer")

		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String("Nowhere")})
		Expect(err).NotTo(HaveOccurred())
		bad = p()
		bad.CustomerDetails, bad.Customer = nil, stripe.String(cus.ID)
		_, err = sc.V1TaxCalculations.Create(Ctx, bad)
		ExpectStripeError(err, 400, "invalid_request_error", "customer_tax_location_invalid", "customer")

		bad = p()
		bad.CustomerDetails = &stripe.TaxCalculationCreateCustomerDetailsParams{IPAddress: stripe.String("8.8.8.8")}
		_, err = sc.V1TaxCalculations.Create(Ctx, bad)
		ExpectStripeError(err, 400, "invalid_request_error", "", "customer_details[ip_address]")

		// An IP address (IPv4 or IPv6, the reference says) is checked
		// beside an address as a customer's tax[ip_address] is.
		bad = p()
		bad.CustomerDetails.IPAddress = stripe.String("not-an-ip")
		_, err = sc.V1TaxCalculations.Create(Ctx, bad)
		ExpectStripeError(err, 400, "invalid_request_error", "", "customer_details[ip_address]")
		Expect(StripeErr(err).Msg).To(Equal("Invalid IP address: not-an-ip"))

		bad = p()
		bad.ShipFromDetails = &stripe.TaxCalculationCreateShipFromDetailsParams{Address: &stripe.AddressParams{Country: stripe.String("US"), State: stripe.String("CA"), PostalCode: stripe.String("90001")}}
		_, err = sc.V1TaxCalculations.Create(Ctx, bad)
		ExpectStripeError(err, 400, "invalid_request_error", "", "ship_from_details")

		Expect(emu.Count("", "tax.calculation")).To(BeZero())
		Expect(emu.Count("", "tax_rate")).To(BeZero())
	})

	It("page their line items, and a transaction's, both ways", func() {
		activateTax(sc, "US", "CA", "94080")
		registerUSState(sc, "CA")
		p := &stripe.TaxCalculationCreateParams{Currency: stripe.String("usd"), CustomerDetails: buyerAt("CA", "94080")}
		for i := range 5 {
			p.LineItems = append(p.LineItems, line(int64(1000*(i+1)), "exclusive", string(rune('a'+i))))
		}
		calc, err := sc.V1TaxCalculations.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())

		var all []string
		for li, err := range sc.V1TaxCalculations.ListLineItems(Ctx, &stripe.TaxCalculationListLineItemsParams{Calculation: stripe.String(calc.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			all = append(all, li.Reference)
		}
		Expect(all).To(Equal([]string{"a", "b", "c", "d", "e"}))
		ids := map[string]string{}
		for li, err := range sc.V1TaxCalculations.ListLineItems(Ctx, &stripe.TaxCalculationListLineItemsParams{Calculation: stripe.String(calc.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			ids[li.Reference] = li.ID
		}

		// Backwards from the last, two a page: stripe-go walks back with
		// ending_before and hands the items over nearest first.
		var back []string
		bp := &stripe.TaxCalculationListLineItemsParams{Calculation: stripe.String(calc.ID)}
		bp.EndingBefore = stripe.String(ids["e"])
		bp.Limit = stripe.Int64(2)
		for li, err := range sc.V1TaxCalculations.ListLineItems(Ctx, bp) {
			Expect(err).NotTo(HaveOccurred())
			back = append(back, li.Reference)
		}
		Expect(back).To(Equal([]string{"d", "c", "b", "a"}))
		bp.EndingBefore = stripe.String("tax_li_nope")
		for _, err := range sc.V1TaxCalculations.ListLineItems(Ctx, bp) {
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "ending_before")
			break
		}

		txn, err := sc.V1TaxTransactions.CreateFromCalculation(Ctx, &stripe.TaxTransactionCreateFromCalculationParams{
			Calculation: stripe.String(calc.ID), Reference: stripe.String("order-both-ways")})
		Expect(err).NotTo(HaveOccurred())
		var last string
		for li, err := range sc.V1TaxTransactions.ListLineItems(Ctx, &stripe.TaxTransactionListLineItemsParams{Transaction: stripe.String(txn.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			last = li.ID
		}
		tp := &stripe.TaxTransactionListLineItemsParams{Transaction: stripe.String(txn.ID)}
		tp.EndingBefore = stripe.String(last)
		back = nil
		for li, err := range sc.V1TaxTransactions.ListLineItems(Ctx, tp) {
			Expect(err).NotTo(HaveOccurred())
			back = append(back, li.Reference)
		}
		Expect(back).To(Equal([]string{"d", "c", "b", "a"}))
	})

	It("expire after 90 days on the clock", func() {
		activateTax(sc, "US", "CA", "94080")
		registerUSState(sc, "CA")
		calc, err := sc.V1TaxCalculations.Create(Ctx, &stripe.TaxCalculationCreateParams{
			Currency: stripe.String("usd"), CustomerDetails: buyerAt("CA", "94080"),
			LineItems: []*stripe.TaxCalculationCreateLineItemParams{line(1000, "exclusive", "a")},
		})
		Expect(err).NotTo(HaveOccurred())

		emu.Clock().Advance(90*24*time.Hour - time.Second)
		_, err = sc.V1TaxCalculations.Retrieve(Ctx, calc.ID, nil)
		Expect(err).NotTo(HaveOccurred())

		emu.Clock().Advance(time.Second)
		_, err = sc.V1TaxCalculations.Retrieve(Ctx, calc.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		for _, err := range sc.V1TaxCalculations.ListLineItems(Ctx, &stripe.TaxCalculationListLineItemsParams{Calculation: stripe.String(calc.ID)}) {
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		}
		_, err = sc.V1TaxTransactions.CreateFromCalculation(Ctx, &stripe.TaxTransactionCreateFromCalculationParams{
			Calculation: stripe.String(calc.ID), Reference: stripe.String("order_1")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "calculation")
		Expect(emu.Count("", "tax.transaction")).To(BeZero())
	})
})
