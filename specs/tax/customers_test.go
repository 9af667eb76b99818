package tax_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("customer.tax", Label("tax", "customers"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	withTax := func(id string) *stripe.Customer {
		p := &stripe.CustomerRetrieveParams{}
		p.AddExpand("tax")
		cus, err := sc.V1Customers.Retrieve(Ctx, id, p)
		Expect(err).NotTo(HaveOccurred())
		return cus
	}
	registerCA := func(from int64) {
		_, err := sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{Country: stripe.String("US"), ActiveFrom: stripe.Int64(from),
			CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{US: &stripe.TaxRegistrationCreateCountryOptionsUSParams{State: stripe.String("CA"), Type: stripe.String("state_sales_tax")}}})
		Expect(err).NotTo(HaveOccurred())
	}

	It("locates a customer by its address, else its shipping address, and says whether tax is collected there", func() {
		none, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("a@example.com")})
		Expect(err).NotTo(HaveOccurred())
		t := withTax(none.ID).Tax
		Expect(t.AutomaticTax).To(Equal(stripe.CustomerTaxAutomaticTaxUnrecognizedLocation))
		Expect(t.Location).To(BeNil())

		byZIP, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Address: &stripe.AddressParams{Country: stripe.String("US"), PostalCode: stripe.String("94080")}})
		Expect(err).NotTo(HaveOccurred())
		t = withTax(byZIP.ID).Tax
		Expect(t.AutomaticTax).To(Equal(stripe.CustomerTaxAutomaticTaxNotCollecting))
		Expect(t.Location.Country).To(Equal("US"))
		Expect(t.Location.State).To(Equal("CA"))
		Expect(t.Location.Source).To(Equal(stripe.CustomerTaxLocationSourceBillingAddress))

		shipped, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Shipping: &stripe.CustomerCreateShippingParams{Name: stripe.String("Jenny"),
			Address: &stripe.AddressParams{Country: stripe.String("DE"), City: stripe.String("Berlin"), Line1: stripe.String("Unter den Linden 1")}}})
		Expect(err).NotTo(HaveOccurred())
		t = withTax(shipped.ID).Tax
		Expect(t.Location.Country).To(Equal("DE"))
		Expect(t.Location.Source).To(Equal(stripe.CustomerTaxLocationSourceShippingDestination))

		// The shipping address comes first, and one that does not locate
		// is the answer: Stripe does not fall back to the billing address.
		both, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Address: &stripe.AddressParams{Country: stripe.String("US"), PostalCode: stripe.String("94080")},
			Shipping: &stripe.CustomerCreateShippingParams{Name: stripe.String("Jenny"), Address: &stripe.AddressParams{Country: stripe.String("FR"), City: stripe.String("Paris")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(withTax(both.ID).Tax.Location.Country).To(Equal("FR"))
		badShipping, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Address: &stripe.AddressParams{Country: stripe.String("US"), PostalCode: stripe.String("94080")},
			Shipping: &stripe.CustomerCreateShippingParams{Name: stripe.String("Jenny"), Address: &stripe.AddressParams{Country: stripe.String("US"), State: stripe.String("CA"), Line1: stripe.String("1 Main St")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(withTax(badShipping.ID).Tax.AutomaticTax).To(Equal(stripe.CustomerTaxAutomaticTaxUnrecognizedLocation))
		// A US state without a ZIP code does not locate anyone.
		stateOnly, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Address: &stripe.AddressParams{Country: stripe.String("US"), State: stripe.String("CA")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(withTax(stateOnly.ID).Tax.Location).To(BeNil())

		registerCA(Epoch.Add(time.Hour).Unix())
		Expect(withTax(byZIP.ID).Tax.AutomaticTax).To(Equal(stripe.CustomerTaxAutomaticTaxNotCollecting))
		emu.Clock().Advance(2 * time.Hour)
		Expect(withTax(byZIP.ID).Tax.AutomaticTax).To(Equal(stripe.CustomerTaxAutomaticTaxSupported))
	})

	It("falls back on the default payment method's billing details and card country", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{PaymentMethod: stripe.String("pm_card_fr")})
		Expect(err).NotTo(HaveOccurred())
		Expect(withTax(cus.ID).Tax.Location).To(BeNil(), "a card that is not the default one does not count")
		var pm string
		for m, err := range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			pm = m.ID
		}
		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{InvoiceSettings: &stripe.CustomerUpdateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String(pm)}})
		Expect(err).NotTo(HaveOccurred())
		t := withTax(cus.ID).Tax
		Expect(t.Location.Country).To(Equal("FR"))
		Expect(t.Location.Source).To(Equal(stripe.CustomerTaxLocationSourcePaymentMethod))

		us, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{PaymentMethod: stripe.String("pm_card_visa"),
			InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{}})
		Expect(err).NotTo(HaveOccurred())
		for m, err := range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(us.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			pm = m.ID
		}
		_, err = sc.V1Customers.Update(Ctx, us.ID, &stripe.CustomerUpdateParams{InvoiceSettings: &stripe.CustomerUpdateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String(pm)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(withTax(us.ID).Tax.Location).To(BeNil(), "a US card without a billing ZIP code does not locate its owner")
	})

	It("follows the customer's test clock", func() {
		registerCA(Epoch.Add(24 * time.Hour).Unix())
		clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{TestClock: stripe.String(clk.ID),
			Address: &stripe.AddressParams{Country: stripe.String("US"), State: stripe.String("CA"), PostalCode: stripe.String("90210")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(withTax(cus.ID).Tax.AutomaticTax).To(Equal(stripe.CustomerTaxAutomaticTaxNotCollecting))
		_, err = sc.V1TestHelpersTestClocks.Advance(Ctx, clk.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(Epoch.Add(48 * time.Hour).Unix())})
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() stripe.CustomerTaxAutomaticTax { return withTax(cus.ID).Tax.AutomaticTax }).Should(Equal(stripe.CustomerTaxAutomaticTaxSupported))
	})

	It("validates the location immediately when asked, and keeps tax[ip_address]", func() {
		_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Address: &stripe.AddressParams{Country: stripe.String("US"), State: stripe.String("Nowhere")},
			Tax: &stripe.CustomerCreateTaxParams{ValidateLocation: stripe.String("immediately")}})
		ExpectStripeError(err, 400, "invalid_request_error", "customer_tax_location_invalid", "tax[validate_location]")
		Expect(emu.Count("", "customer")).To(BeZero())

		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Address: &stripe.AddressParams{Country: stripe.String("US"), State: stripe.String("Nowhere")},
			Tax: &stripe.CustomerCreateTaxParams{ValidateLocation: stripe.String("deferred"), IPAddress: stripe.String("203.0.113.7")}})
		Expect(err).NotTo(HaveOccurred())
		t := withTax(cus.ID).Tax
		Expect(t.IPAddress).To(Equal("203.0.113.7"))
		Expect(t.AutomaticTax).To(Equal(stripe.CustomerTaxAutomaticTaxUnrecognizedLocation))

		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Tax: &stripe.CustomerUpdateTaxParams{ValidateLocation: stripe.String("immediately")}})
		ExpectStripeError(err, 400, "invalid_request_error", "customer_tax_location_invalid", "tax[validate_location]")
		// auto (an update's default) validates only customers with an
		// automatic-tax subscription: this one has none.
		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Name: stripe.String("Jenny")})
		Expect(err).NotTo(HaveOccurred())
		cus, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Address: &stripe.AddressParams{Country: stripe.String("GB"), PostalCode: stripe.String("SW1A 2AA")},
			Tax: &stripe.CustomerUpdateTaxParams{ValidateLocation: stripe.String("immediately"), IPAddress: stripe.String("")}})
		Expect(err).NotTo(HaveOccurred())
		t = withTax(cus.ID).Tax
		Expect(t.Location.Country).To(Equal("GB"))
		Expect(t.IPAddress).To(BeEmpty())

		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Tax: &stripe.CustomerUpdateTaxParams{IPAddress: stripe.String("not-an-ip")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "tax[ip_address]")
	})

	It("refuses by name what only locating by IP address would answer, rather than calling the customer unlocatable", func() {
		// Stripe's guide: "Instead of a physical address, you can provide
		// their IP address", validated immediately. Stripe geolocates it;
		// the emulator does not.
		_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{
			Tax: &stripe.CustomerCreateTaxParams{IPAddress: stripe.String("203.0.113.0"), ValidateLocation: stripe.String("immediately")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "tax[ip_address]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate locating a customer by IP address"))
		Expect(emu.Count("", "customer")).To(BeZero())

		_, err = sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{
			HeadOffice: &stripe.TaxSettingsUpdateHeadOfficeParams{Address: &stripe.AddressParams{Country: stripe.String("US"), State: stripe.String("CA"), PostalCode: stripe.String("94080")}},
			Defaults:   &stripe.TaxSettingsUpdateDefaultsParams{TaxCode: stripe.String("txcd_10000000"), TaxBehavior: stripe.String("exclusive")}})
		Expect(err).NotTo(HaveOccurred())
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{PaymentMethod: stripe.String("pm_card_visa"),
			InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String("pm_card_visa")},
			Tax:             &stripe.CustomerCreateTaxParams{IPAddress: stripe.String("203.0.113.0")}})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Plan")}, Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:        []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
			AutomaticTax: &stripe.SubscriptionCreateAutomaticTaxParams{Enabled: stripe.Bool(true)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "customer")
		Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate locating a customer by IP address"))
		Expect(emu.Count("", "subscription")).To(BeZero())

		// A tax calculation for that customer: Stripe copies what it knows
		// of the customer and would locate it by its IP address.
		_, err = sc.V1TaxCalculations.Create(Ctx, &stripe.TaxCalculationCreateParams{Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
			LineItems: []*stripe.TaxCalculationCreateLineItemParams{{Amount: stripe.Int64(1000)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "customer")
		Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate locating a customer by IP address"))
		Expect(emu.Count("", "tax.calculation")).To(BeZero())
	})
})
