package checkout_test

import (
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Automatic tax (Stripe Tax) in Checkout and Payment Links", Label("checkout", "tax"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	// activate turns Stripe Tax on: a head office in Berlin.
	activate := func() {
		_, err := sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{
			HeadOffice: &stripe.TaxSettingsUpdateHeadOfficeParams{Address: &stripe.AddressParams{
				Line1: stripe.String("Unter den Linden 1"), City: stripe.String("Berlin"), PostalCode: stripe.String("10117"), Country: stripe.String("DE"),
			}},
		})
		Expect(err).NotTo(HaveOccurred())
	}
	// registerDE registers the account for VAT in Germany from now on.
	registerDE := func() {
		_, err := sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("DE"), ActiveFromNow: stripe.Bool(true),
			CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{DE: &stripe.TaxRegistrationCreateCountryOptionsDEParams{Type: stripe.String("standard")}},
		})
		Expect(err).NotTo(HaveOccurred())
	}
	// price is a one-time EUR price of tangible goods.
	price := func(amount int64, behavior string) *stripe.Price {
		p, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Currency: stripe.String("eur"), UnitAmount: stripe.Int64(amount), TaxBehavior: stripe.String(behavior),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Kettle"), TaxCode: stripe.String("txcd_99999999")},
		})
		Expect(err).NotTo(HaveOccurred())
		return p
	}
	monthly := func(amount int64) *stripe.Price {
		p, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Currency: stripe.String("eur"), UnitAmount: stripe.Int64(amount), TaxBehavior: stripe.String("exclusive"),
			Recurring:   &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Kettle club"), TaxCode: stripe.String("txcd_99999999")},
		})
		Expect(err).NotTo(HaveOccurred())
		return p
	}
	lines := func(p *stripe.Price, qty int64) []*stripe.CheckoutSessionCreateLineItemParams {
		return []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(p.ID), Quantity: stripe.Int64(qty)}}
	}
	auto := func() *stripe.CheckoutSessionCreateAutomaticTaxParams {
		return &stripe.CheckoutSessionCreateAutomaticTaxParams{Enabled: stripe.Bool(true)}
	}
	berlin := url.Values{
		"billing_address[line1]": {"Alexanderplatz 1"}, "billing_address[city]": {"Berlin"},
		"billing_address[postal_code]": {"10178"}, "billing_address[country]": {"DE"},
	}
	complete := func(id string, form url.Values) map[string]any {
		GinkgoHelper()
		form.Set("payment_method", "pm_card_visa")
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+id+"/complete", form, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		return body
	}
	retrieve := func(id string) *stripe.CheckoutSession {
		GinkgoHelper()
		p := &stripe.CheckoutSessionRetrieveParams{}
		p.AddExpand("line_items.data.taxes")
		p.AddExpand("payment_intent")
		s, err := sc.V1CheckoutSessions.Retrieve(Ctx, id, p)
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	sessions := func() int {
		n := 0
		for _, err := range sc.V1CheckoutSessions.List(Ctx, &stripe.CheckoutSessionListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		return n
	}

	It("charges a German buyer 19% VAT on the items and on shipping once the address is entered", func() {
		activate()
		registerDE()
		kettle := price(2000, "exclusive")
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), LineItems: lines(kettle, 2),
			AutomaticTax:              auto(),
			ShippingAddressCollection: &stripe.CheckoutSessionCreateShippingAddressCollectionParams{AllowedCountries: stripe.StringSlice([]string{"DE"})},
			ShippingOptions: []*stripe.CheckoutSessionCreateShippingOptionParams{{ShippingRateData: &stripe.CheckoutSessionCreateShippingOptionShippingRateDataParams{
				DisplayName: stripe.String("DHL"), Type: stripe.String("fixed_amount"), TaxBehavior: stripe.String("exclusive"),
				FixedAmount: &stripe.CheckoutSessionCreateShippingOptionShippingRateDataFixedAmountParams{Amount: stripe.Int64(500), Currency: stripe.String("eur")},
			}}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.AutomaticTax.Enabled).To(BeTrue())
		Expect(s.AutomaticTax.Provider).To(Equal("stripe"))
		Expect(s.AutomaticTax.Liability.Type).To(Equal(stripe.CheckoutSessionAutomaticTaxLiabilityTypeSelf))
		Expect(s.AutomaticTax.Status).To(Equal(stripe.CheckoutSessionAutomaticTaxStatusRequiresLocationInputs), "nobody is located yet")
		Expect(s.TotalDetails.AmountTax).To(BeZero())
		Expect(s.AmountTotal).To(Equal(int64(4500)))

		complete(s.ID, url.Values{
			"shipping_details[name]": {"Erika Mustermann"}, "shipping_details[address][line1]": {"Alexanderplatz 1"},
			"shipping_details[address][city]": {"Berlin"}, "shipping_details[address][postal_code]": {"10178"},
			"shipping_details[address][country]": {"DE"},
		})
		got := retrieve(s.ID)
		Expect(got.AutomaticTax.Status).To(Equal(stripe.CheckoutSessionAutomaticTaxStatusComplete))
		Expect(got.TotalDetails.AmountTax).To(Equal(int64(760 + 95)))
		Expect(got.AmountSubtotal).To(Equal(int64(4000)))
		Expect(got.AmountTotal).To(Equal(int64(4000 + 500 + 855)))
		Expect(got.PaymentIntent.Amount).To(Equal(got.AmountTotal), "the buyer pays the tax")
		Expect(got.CustomerDetails.Address.Country).To(Equal("DE"), "the billing address starts as the shipping address")

		item := got.LineItems.Data[0]
		Expect(item.AmountTax).To(Equal(int64(760)))
		Expect(item.AmountTotal).To(Equal(int64(4760)))
		Expect(item.Taxes).To(HaveLen(1))
		Expect(item.Taxes[0].Amount).To(Equal(int64(760)))
		Expect(item.Taxes[0].TaxableAmount).To(Equal(int64(4000)))
		Expect(string(item.Taxes[0].TaxabilityReason)).To(Equal("standard_rated"))
		Expect(item.Taxes[0].Rate.ID).To(HavePrefix("txr_"))
		Expect(item.Taxes[0].Rate.Percentage).To(Equal(19.0))
		Expect(item.Taxes[0].Rate.Country).To(Equal("DE"))

		Expect(got.ShippingCost.AmountSubtotal).To(Equal(int64(500)))
		Expect(got.ShippingCost.AmountTax).To(Equal(int64(95)))
		Expect(got.ShippingCost.AmountTotal).To(Equal(int64(595)))
		Expect(got.ShippingCost.Taxes).To(HaveLen(1))
		Expect(string(got.ShippingCost.Taxes[0].TaxabilityReason)).To(Equal("standard_rated"))
		Expect(got.ShippingCost.Taxes[0].Rate.ID).To(Equal(item.Taxes[0].Rate.ID), "Stripe Tax reuses the rate it made for DE VAT")

		bp := &stripe.CheckoutSessionRetrieveParams{}
		bp.AddExpand("total_details.breakdown")
		got, err = sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, bp)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.TotalDetails.Breakdown.Taxes).To(HaveLen(1), "the items' and shipping's VAT under the one rate")
		t := got.TotalDetails.Breakdown.Taxes[0]
		Expect(t.Rate.ID).To(Equal(item.Taxes[0].Rate.ID))
		Expect([]int64{t.Amount, t.TaxableAmount}).To(Equal([]int64{760 + 95, 4000 + 500}))
		Expect(string(t.TaxabilityReason)).To(Equal("standard_rated"))
	})

	It("finds the VAT inside an inclusive price, the total unchanged", func() {
		activate()
		registerDE()
		kettle := price(11900, "inclusive")
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), LineItems: lines(kettle, 1), AutomaticTax: auto(),
		})
		Expect(err).NotTo(HaveOccurred())
		complete(s.ID, berlin)
		got := retrieve(s.ID)
		Expect(got.AmountTotal).To(Equal(int64(11900)))
		Expect(got.TotalDetails.AmountTax).To(Equal(int64(1900)))
		Expect(got.PaymentIntent.Amount).To(Equal(int64(11900)))
		Expect(got.LineItems.Data[0].Taxes[0].Rate.Inclusive).To(BeTrue())
		Expect(got.LineItems.Data[0].Taxes[0].TaxableAmount).To(Equal(int64(10000)))
		Expect(got.CustomerDetails.Address.City).To(Equal("Berlin"))
	})

	It("collects nothing where the account is not registered: not_collecting", func() {
		activate()
		kettle := price(2000, "exclusive")
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), LineItems: lines(kettle, 1), AutomaticTax: auto(),
		})
		Expect(err).NotTo(HaveOccurred())
		complete(s.ID, berlin)
		got := retrieve(s.ID)
		Expect(got.AutomaticTax.Status).To(Equal(stripe.CheckoutSessionAutomaticTaxStatusComplete))
		Expect(got.TotalDetails.AmountTax).To(BeZero())
		Expect(got.AmountTotal).To(Equal(int64(2000)))
		taxes := got.LineItems.Data[0].Taxes
		Expect(taxes).To(HaveLen(1), "nothing collected still shows, at 0%")
		Expect(taxes[0].Amount).To(BeZero())
		Expect(taxes[0].TaxableAmount).To(BeZero())
		Expect(taxes[0].Rate.Percentage).To(BeZero())
		Expect(string(taxes[0].TaxabilityReason)).To(Equal("not_collecting"))
	})

	It("charges a French consumer French VAT under OSS, and reverse charges a French business that enters its VAT number", func() {
		activate()
		_, err := sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("DE"), ActiveFromNow: stripe.Bool(true),
			CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{DE: &stripe.TaxRegistrationCreateCountryOptionsDEParams{Type: stripe.String("oss_union")}},
		})
		Expect(err).NotTo(HaveOccurred())
		kettle := price(2000, "exclusive")
		open := func() *stripe.CheckoutSession {
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), LineItems: lines(kettle, 1),
				AutomaticTax: auto(), TaxIDCollection: &stripe.CheckoutSessionCreateTaxIDCollectionParams{Enabled: stripe.Bool(true)},
				CustomerCreation: stripe.String("always"),
			})
			Expect(err).NotTo(HaveOccurred())
			return s
		}
		paris := url.Values{"billing_address[line1]": {"1 rue de Rivoli"}, "billing_address[city]": {"Paris"},
			"billing_address[postal_code]": {"75001"}, "billing_address[country]": {"FR"}}

		consumer := open()
		complete(consumer.ID, paris)
		got := retrieve(consumer.ID)
		Expect(got.TotalDetails.AmountTax).To(Equal(int64(400)))
		Expect(got.LineItems.Data[0].Taxes[0].Rate.Country).To(Equal("FR"))
		Expect(got.LineItems.Data[0].Taxes[0].Rate.Percentage).To(Equal(20.0))

		business := open()
		paris.Set("tax_id[type]", "eu_vat")
		paris.Set("tax_id[value]", "FRAB123456789")
		complete(business.ID, paris)
		got = retrieve(business.ID)
		Expect(got.CustomerDetails.TaxIDs).To(HaveLen(1))
		Expect(string(got.CustomerDetails.TaxIDs[0].Type)).To(Equal("eu_vat"))
		Expect(got.CustomerDetails.TaxIDs[0].Value).To(Equal("FRAB123456789"))
		Expect(got.TotalDetails.AmountTax).To(BeZero(), "the business accounts for the VAT itself")
		Expect(string(got.LineItems.Data[0].Taxes[0].TaxabilityReason)).To(Equal("reverse_charge"))
		var saved []*stripe.TaxID
		for t, err := range sc.V1TaxIDs.List(Ctx, &stripe.TaxIDListParams{Customer: stripe.String(got.Customer.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			saved = append(saved, t)
		}
		Expect(saved).To(HaveLen(1), "Checkout saves the tax ID on the customer it makes")
		Expect(saved[0].Value).To(Equal("FRAB123456789"))
		Expect(got.AmountTotal).To(Equal(int64(2000)))

		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+open().ID+"/complete",
			url.Values{"tax_id[type]": {"eu_vat"}, "tax_id[value]": {"not a number"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(400), "%v", body)
		Expect(body["error"].(map[string]any)["code"]).To(Equal("tax_id_invalid"))
	})

	It("refuses an existing customer without an address unless Checkout saves the one entered", func() {
		activate()
		registerDE()
		kettle := price(2000, "exclusive")
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("erika@example.com")})
		Expect(err).NotTo(HaveOccurred())
		params := func() *stripe.CheckoutSessionCreateParams {
			return &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), LineItems: lines(kettle, 1),
				AutomaticTax: auto(), Customer: stripe.String(cus.ID),
			}
		}
		_, err = sc.V1CheckoutSessions.Create(Ctx, params())
		ExpectStripeError(err, 400, "invalid_request_error", "customer_tax_location_invalid", "")
		Expect(StripeErr(err).Msg).To(ContainSubstring("`customer_update[address]` to 'auto'"))
		Expect(sessions()).To(BeZero(), "nothing is created on refusal")

		p := params()
		p.CustomerUpdate = &stripe.CheckoutSessionCreateCustomerUpdateParams{Address: stripe.String("auto")}
		s, err := sc.V1CheckoutSessions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.AutomaticTax.Status).To(Equal(stripe.CheckoutSessionAutomaticTaxStatusRequiresLocationInputs))
		complete(s.ID, berlin)
		got := retrieve(s.ID)
		Expect(got.TotalDetails.AmountTax).To(Equal(int64(380)))
		Expect(got.AmountTotal).To(Equal(int64(2380)))
		saved, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(saved.Address.Country).To(Equal("DE"), "customer_update[address]=auto saves the billing address")
		Expect(saved.Address.PostalCode).To(Equal("10178"))

		// Now that the customer has an address, the next session knows
		// the tax at once.
		again, err := sc.V1CheckoutSessions.Create(Ctx, params())
		Expect(err).NotTo(HaveOccurred())
		Expect(again.AutomaticTax.Status).To(Equal(stripe.CheckoutSessionAutomaticTaxStatusComplete))
		Expect(again.TotalDetails.AmountTax).To(Equal(int64(380)))
		Expect(again.AmountTotal).To(Equal(int64(2380)))
	})

	It("refuses automatic tax while Stripe Tax is inactive, beside manual tax rates, and in setup mode, creating nothing", func() {
		kettle := price(2000, "exclusive")
		create := func(p *stripe.CheckoutSessionCreateParams) error {
			p.SuccessURL = stripe.String("https://shop.example/ok")
			p.AutomaticTax = auto()
			_, err := sc.V1CheckoutSessions.Create(Ctx, p)
			return err
		}
		err := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: lines(kettle, 1)})
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
		Expect(string(StripeErr(err).Code)).To(Equal("stripe_tax_inactive"))

		activate()
		rate, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(19), Inclusive: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		manual := lines(kettle, 1)
		manual[0].TaxRates = stripe.StringSlice([]string{rate.ID})
		err = create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: manual})
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][tax_rates]")
		err = create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), Currency: stripe.String("eur")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "automatic_tax[enabled]")
		unspecified, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(500),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Descaler")}})
		Expect(err).NotTo(HaveOccurred())
		err = create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: append(lines(kettle, 1), lines(unspecified, 1)...)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[1][price]")
		Expect(StripeErr(err).Msg).To(Equal("The price `" + unspecified.ID + "` does not have a tax behavior set, which is required for automatic tax computation."))
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("erika@example.com")})
		Expect(err).NotTo(HaveOccurred())
		err = create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: lines(kettle, 1), Customer: stripe.String(cus.ID),
			ShippingAddressCollection: &stripe.CheckoutSessionCreateShippingAddressCollectionParams{AllowedCountries: stripe.StringSlice([]string{"DE"})}})
		ExpectStripeError(err, 400, "invalid_request_error", "customer_tax_location_invalid", "")
		Expect(StripeErr(err).Msg).To(ContainSubstring("`customer_update[shipping]` to 'auto'"), "collecting shipping, saving it is the other way out")
		Expect(create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: lines(kettle, 1), Customer: stripe.String(cus.ID),
			CustomerUpdate:            &stripe.CheckoutSessionCreateCustomerUpdateParams{Shipping: stripe.String("auto")},
			ShippingAddressCollection: &stripe.CheckoutSessionCreateShippingAddressCollectionParams{AllowedCountries: stripe.StringSlice([]string{"DE"})}})).To(Succeed())
		err = create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: lines(kettle, 1), Customer: stripe.String(cus.ID),
			CustomerUpdate:  &stripe.CheckoutSessionCreateCustomerUpdateParams{Address: stripe.String("auto")},
			TaxIDCollection: &stripe.CheckoutSessionCreateTaxIDCollectionParams{Enabled: stripe.Bool(true)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(ContainSubstring("please set `customer_update[name]` to `auto`"), "the business name typed goes onto the customer")
		// customer_update saves what the page collects on an existing
		// customer: without one Stripe refuses it (its words, as
		// integrators have met them).
		err = create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: lines(kettle, 1), CustomerEmail: stripe.String("erika@example.com"),
			CustomerUpdate: &stripe.CheckoutSessionCreateCustomerUpdateParams{Address: stripe.String("auto")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "customer_update")
		Expect(StripeErr(err).Msg).To(Equal("You cannot use customer_update without setting customer."))
		Expect(sessions()).To(Equal(1), "only the one saving the shipping address was created")
	})

	It("names price_data[tax_behavior] and shipping_rate_data[tax_behavior] when an inline price or rate has none", func() {
		activate()
		kettle := price(2000, "exclusive")
		p := &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), AutomaticTax: auto(),
			LineItems: append(lines(kettle, 1), &stripe.CheckoutSessionCreateLineItemParams{Quantity: stripe.Int64(1),
				PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(500),
					ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Descaler")}}})}
		_, err := sc.V1CheckoutSessions.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[1][price_data][tax_behavior]")

		p.LineItems = lines(kettle, 1)
		p.ShippingAddressCollection = &stripe.CheckoutSessionCreateShippingAddressCollectionParams{AllowedCountries: stripe.StringSlice([]string{"DE"})}
		p.ShippingOptions = []*stripe.CheckoutSessionCreateShippingOptionParams{{ShippingRateData: &stripe.CheckoutSessionCreateShippingOptionShippingRateDataParams{
			DisplayName: stripe.String("Post"), FixedAmount: &stripe.CheckoutSessionCreateShippingOptionShippingRateDataFixedAmountParams{
				Amount: stripe.Int64(500), Currency: stripe.String("eur")}}}}
		_, err = sc.V1CheckoutSessions.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "shipping_options[0][shipping_rate_data][tax_behavior]")
		Expect(sessions()).To(BeZero())
		Expect(emu.Count("", "price")).To(Equal(1), "no inline price is left behind")
		Expect(emu.Count("", "shipping_rate")).To(BeZero(), "nor an inline shipping rate")

		_, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{AutomaticTax: &stripe.PaymentLinkCreateAutomaticTaxParams{Enabled: stripe.Bool(true)},
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Quantity: stripe.Int64(1), PriceData: &stripe.PaymentLinkCreateLineItemPriceDataParams{
				Currency: stripe.String("eur"), UnitAmount: stripe.Int64(500), ProductData: &stripe.PaymentLinkCreateLineItemPriceDataProductDataParams{Name: stripe.String("Descaler")}}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][price_data][tax_behavior]")
		Expect(emu.Count("", "payment_link")).To(BeZero())
	})

	It("refuses a line item without a tax code on an account whose settings preset none, for sessions and payment links alike", func() {
		activate()
		registerDE()
		bare, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(500), TaxBehavior: stripe.String("exclusive"),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Descaler")}})
		Expect(err).NotTo(HaveOccurred())
		missing := "You must specify a tax code in all line items to calculate taxes. Alternatively you can set a default tax code on your tax settings."
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems: append(lines(price(2000, "exclusive"), 1), lines(bare, 1)...), AutomaticTax: auto()})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal(missing))
		_, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:    []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(bare.ID), Quantity: stripe.Int64(1)}},
			AutomaticTax: &stripe.PaymentLinkCreateAutomaticTaxParams{Enabled: stripe.Bool(true)},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal(missing))
		Expect(sessions()).To(BeZero())

		// A preset code in the settings covers every product without one.
		_, err = sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{Defaults: &stripe.TaxSettingsUpdateDefaultsParams{TaxCode: stripe.String("txcd_99999999")}})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems: lines(bare, 1), AutomaticTax: auto()})
		Expect(err).NotTo(HaveOccurred())
		complete(s.ID, berlin)
		Expect(retrieve(s.ID).TotalDetails.AmountTax).To(Equal(int64(95)))
	})

	It("refuses a tax rate set by hand that conflicts with its price's tax behavior", func() {
		kettle := price(2000, "exclusive")
		included, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(19), Inclusive: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		manual := lines(kettle, 1)
		manual[0].TaxRates = stripe.StringSlice([]string{included.ID})
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), LineItems: manual})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("One or more prices has a `tax_behavior` that conflicts with the tax rates that apply to the corresponding line item."))
		Expect(sessions()).To(BeZero())
	})

	It("carries a payment link's automatic tax to the sessions it opens", func() {
		kettle := price(2000, "exclusive")
		_, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:    []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(kettle.ID), Quantity: stripe.Int64(3)}},
			AutomaticTax: &stripe.PaymentLinkCreateAutomaticTaxParams{Enabled: stripe.Bool(true)},
		})
		Expect(string(StripeErr(err).Code)).To(Equal("stripe_tax_inactive"))
		activate()
		registerDE()
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:    []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(kettle.ID), Quantity: stripe.Int64(3)}},
			AutomaticTax: &stripe.PaymentLinkCreateAutomaticTaxParams{Enabled: stripe.Bool(true)},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.AutomaticTax.Enabled).To(BeTrue())
		Expect(l.AutomaticTax.Liability.Type).To(Equal(stripe.PaymentLinkAutomaticTaxLiabilityTypeSelf))

		status, opened, err := emu.Call("POST", "/v1/test_helpers/payment_links/"+l.ID+"/sessions", nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", opened)
		id := opened["id"].(string)
		Expect(retrieve(id).AutomaticTax.Enabled).To(BeTrue())
		complete(id, berlin)
		got := retrieve(id)
		Expect(got.TotalDetails.AmountTax).To(Equal(int64(1140)))
		Expect(got.PaymentIntent.Amount).To(Equal(int64(7140)))

		_, err = sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{InvoiceCreation: &stripe.PaymentLinkUpdateInvoiceCreationParams{Enabled: stripe.Bool(true)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "automatic_tax[enabled]")
		off, err := sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{AutomaticTax: &stripe.PaymentLinkUpdateAutomaticTaxParams{Enabled: stripe.Bool(false)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(off.AutomaticTax.Enabled).To(BeFalse())
		Expect(off.AutomaticTax.Liability).To(BeNil())
	})

	It("starts a subscription with automatic tax enabled, taxed for the address entered", func() {
		activate()
		registerDE()
		club := monthly(1000)
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://shop.example/ok"), LineItems: lines(club, 1), AutomaticTax: auto(),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.AutomaticTax.Status).To(Equal(stripe.CheckoutSessionAutomaticTaxStatusRequiresLocationInputs))
		complete(s.ID, berlin)
		got := retrieve(s.ID)
		Expect(got.TotalDetails.AmountTax).To(Equal(int64(190)))
		Expect(got.AmountTotal).To(Equal(int64(1190)))
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, got.Subscription.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.AutomaticTax.Enabled).To(BeTrue(), "billing taxes the subscription's invoices from here")
		inv, err := sc.V1Invoices.Retrieve(Ctx, got.Invoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(got.AmountTotal), "the first invoice bills what the session showed")
		cus, err := sc.V1Customers.Retrieve(Ctx, sub.Customer.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(cus.Address.Country).To(Equal("DE"), "the customer Checkout made has the billing address entered")
	})
})
