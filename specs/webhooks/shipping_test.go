package webhooks_test

import (
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Shipping in Checkout and Payment Links", Label("checkout", "shipping"), func() {
	var (
		emu              *emulator.Emulator
		sc               *stripe.Client
		rcv              *receiver
		price, recurring *stripe.Price
		ground           *stripe.ShippingRate
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		rcv = newReceiver()
		_, secret, err := emu.Webhooks().Listen(rcv.Srv.URL, "checkout.session.completed", "customer.updated")
		Expect(err).NotTo(HaveOccurred())
		rcv.Secret = secret
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Espresso machine"),
			DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(4500)}})
		Expect(err).NotTo(HaveOccurred())
		price, err = sc.V1Prices.Retrieve(Ctx, prod.DefaultPrice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		recurring, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
			UnitAmount: stripe.Int64(900), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		ground, err = sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{
			DisplayName: stripe.String("Ground"), Type: stripe.String("fixed_amount"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(500), Currency: stripe.String("usd")},
		})
		Expect(err).NotTo(HaveOccurred())
	})

	lines := func(p *stripe.Price, qty int64) []*stripe.CheckoutSessionCreateLineItemParams {
		return []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(p.ID), Quantity: stripe.Int64(qty)}}
	}
	countries := func(cc ...string) *stripe.CheckoutSessionCreateShippingAddressCollectionParams {
		return &stripe.CheckoutSessionCreateShippingAddressCollectionParams{AllowedCountries: stripe.StringSlice(cc)}
	}
	express := func() *stripe.CheckoutSessionCreateShippingOptionParams {
		return &stripe.CheckoutSessionCreateShippingOptionParams{ShippingRateData: &stripe.CheckoutSessionCreateShippingOptionShippingRateDataParams{
			DisplayName: stripe.String("Next day air"), Type: stripe.String("fixed_amount"),
			FixedAmount: &stripe.CheckoutSessionCreateShippingOptionShippingRateDataFixedAmountParams{Amount: stripe.Int64(1500), Currency: stripe.String("usd")},
			DeliveryEstimate: &stripe.CheckoutSessionCreateShippingOptionShippingRateDataDeliveryEstimateParams{
				Minimum: &stripe.CheckoutSessionCreateShippingOptionShippingRateDataDeliveryEstimateMinimumParams{Unit: stripe.String("business_day"), Value: stripe.Int64(1)},
				Maximum: &stripe.CheckoutSessionCreateShippingOptionShippingRateDataDeliveryEstimateMaximumParams{Unit: stripe.String("business_day"), Value: stripe.Int64(1)},
			},
			Metadata: map[string]string{"speed": "overnight"},
		}}
	}
	twoOptions := func() *stripe.CheckoutSession {
		GinkgoHelper()
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems:                 lines(price, 2),
			ShippingAddressCollection: countries("US", "CA"),
			ShippingOptions:           []*stripe.CheckoutSessionCreateShippingOptionParams{{ShippingRate: stripe.String(ground.ID)}, express()},
		})
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	rateIDs := func() []string {
		GinkgoHelper()
		var out []string
		for r, err := range sc.V1ShippingRates.List(Ctx, &stripe.ShippingRateListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, r.ID)
		}
		return out
	}
	complete := func(id string, form url.Values) (int, map[string]any) {
		GinkgoHelper()
		if form.Get("payment_method") == "" {
			form.Set("payment_method", "pm_card_visa")
		}
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+id+"/complete", form, "")
		Expect(err).NotTo(HaveOccurred())
		return status, body
	}
	errorOf := func(body map[string]any) map[string]any { return body["error"].(map[string]any) }

	It("offers two options, charges the first one preselected, and makes the inline one a real shipping rate", func() {
		s := twoOptions()
		Expect(s.AmountSubtotal).To(Equal(int64(9000)), "shipping is not part of the subtotal")
		Expect(s.AmountTotal).To(Equal(int64(9500)))
		Expect(s.TotalDetails.AmountShipping).To(Equal(int64(500)))
		Expect(s.ShippingCost.AmountSubtotal).To(Equal(int64(500)))
		Expect(s.ShippingCost.AmountTax).To(Equal(int64(0)))
		Expect(s.ShippingCost.AmountTotal).To(Equal(int64(500)))
		Expect(s.ShippingCost.ShippingRate.ID).To(Equal(ground.ID))
		Expect(s.ShippingCost.Taxes).To(BeEmpty())
		Expect(s.ShippingAddressCollection.AllowedCountries).To(HaveExactElements("US", "CA"))
		Expect(s.ShippingOptions).To(HaveLen(2))
		Expect(s.ShippingOptions[0].ShippingAmount).To(Equal(int64(500)))
		Expect(s.ShippingOptions[0].ShippingRate.ID).To(Equal(ground.ID))
		Expect(s.ShippingOptions[1].ShippingAmount).To(Equal(int64(1500)))
		Expect(s.CollectedInformation).To(BeNil(), "nothing is collected before the customer pays")

		inline := s.ShippingOptions[1].ShippingRate.ID
		Expect(inline).To(HavePrefix("shr_"))
		Expect(rateIDs()).To(Equal([]string{inline, ground.ID}), "shipping_rate_data creates a shipping rate")
		r, err := sc.V1ShippingRates.Retrieve(Ctx, inline, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.DisplayName).To(Equal("Next day air"))
		Expect(r.DeliveryEstimate.Maximum.Unit).To(Equal(stripe.ShippingRateDeliveryEstimateMaximumUnitBusinessDay))
		Expect(r.Metadata).To(Equal(map[string]string{"speed": "overnight"}))

		p := &stripe.CheckoutSessionRetrieveParams{}
		p.AddExpand("shipping_options.shipping_rate")
		p.AddExpand("shipping_cost.shipping_rate")
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.ShippingCost.ShippingRate.DisplayName).To(Equal("Ground"))
		Expect(got.ShippingOptions[0].ShippingRate.DisplayName).To(Equal("Ground"))
		Expect(got.ShippingOptions[1].ShippingRate.FixedAmount.Amount).To(Equal(int64(1500)))
	})

	It("fills collected_information and the PaymentIntent's shipping from what the customer entered", func() {
		s := twoOptions()
		status, body := complete(s.ID, url.Values{
			"shipping_details[name]":                 {"Ada Lovelace"},
			"shipping_details[address][line1]":       {"12 Analytical Way"},
			"shipping_details[address][city]":        {"Toronto"},
			"shipping_details[address][state]":       {"ON"},
			"shipping_details[address][postal_code]": {"M5V 2T6"},
			"shipping_details[address][country]":     {"ca"},
		})
		Expect(status).To(Equal(200), "%v", body)

		p := &stripe.CheckoutSessionRetrieveParams{}
		p.AddExpand("payment_intent.latest_charge")
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusPaid))
		sd := got.CollectedInformation.ShippingDetails
		Expect(sd.Name).To(Equal("Ada Lovelace"))
		Expect(*sd.Address).To(Equal(stripe.Address{Line1: "12 Analytical Way", City: "Toronto", State: "ON", PostalCode: "M5V 2T6", Country: "CA"}))
		pi := got.PaymentIntent
		Expect(pi.Amount).To(Equal(int64(9500)), "the PaymentIntent charges the items and the shipping")
		Expect(pi.Shipping.Name).To(Equal("Ada Lovelace"))
		Expect(pi.Shipping.Address.Country).To(Equal("CA"))
		Expect(pi.LatestCharge.Shipping.Address.City).To(Equal("Toronto"))
		Expect(pi.LatestCharge.Amount).To(Equal(int64(9500)))

		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(Equal([]string{"checkout.session.completed"}))
		var fromEvent stripe.CheckoutSession
		Expect(fromEvent.UnmarshalJSON(rcv.All()[0].Data.Raw)).To(Succeed())
		Expect(fromEvent.CollectedInformation.ShippingDetails.Address.PostalCode).To(Equal("M5V 2T6"))
		Expect(fromEvent.ShippingCost.AmountTotal).To(Equal(int64(500)))
	})

	It("charges the option the customer picks on the page instead of the preselected one", func() {
		s := twoOptions()
		express := s.ShippingOptions[1].ShippingRate.ID

		status, body := complete(s.ID, url.Values{"shipping_rate": {"shr_elsewhere"}})
		Expect(status).To(Equal(400))
		Expect(errorOf(body)["param"]).To(Equal("shipping_rate"), "only the session's own options can be picked")

		status, body = complete(s.ID, url.Values{"shipping_rate": {express}})
		Expect(status).To(Equal(200), "%v", body)
		p := &stripe.CheckoutSessionRetrieveParams{}
		p.AddExpand("payment_intent")
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.ShippingCost.ShippingRate.ID).To(Equal(express))
		Expect(got.ShippingCost.AmountTotal).To(Equal(int64(1500)))
		Expect(got.TotalDetails.AmountShipping).To(Equal(int64(1500)))
		Expect(got.AmountTotal).To(Equal(int64(10500)), "9000 of items and the 15.00 overnight option")
		Expect(got.PaymentIntent.Amount).To(Equal(int64(10500)))
	})

	It("ships to a sample address in an allowed country when the customer enters none", func() {
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), LineItems: lines(price, 1),
			ShippingAddressCollection: countries("GB"),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.ShippingCost).To(BeNil(), "no shipping options, no shipping cost")
		Expect(s.AmountTotal).To(Equal(int64(4500)))
		done, err := emu.CompleteCheckout("", s.ID, "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		sd := done["collected_information"].(map[string]any)["shipping_details"].(map[string]any)
		Expect(sd["name"]).To(Equal("Jenny Rosen"))
		Expect(sd["address"]).To(HaveKeyWithValue("country", "GB"))
		Expect(sd["address"]).To(HaveKeyWithValue("line1", Not(BeEmpty())))
	})

	It("saves the address on the customer with customer_update[shipping]=auto", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("ada@example.com")})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), LineItems: lines(price, 1),
			Customer: stripe.String(cus.ID), CustomerUpdate: &stripe.CheckoutSessionCreateCustomerUpdateParams{Shipping: stripe.String("auto")},
			ShippingAddressCollection: countries("US"),
			ShippingOptions:           []*stripe.CheckoutSessionCreateShippingOptionParams{{ShippingRate: stripe.String(ground.ID)}},
		})
		Expect(err).NotTo(HaveOccurred())
		status, body := complete(s.ID, url.Values{"name": {"Ada Lovelace"}})
		Expect(status).To(Equal(200), "%v", body)
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Shipping.Name).To(Equal("Ada Lovelace"), "the helper's name is the one shipped to")
		Expect(got.Shipping.Address.Country).To(Equal("US"))
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(Equal([]string{"customer.updated", "checkout.session.completed"}))
	})

	It("refuses what Stripe refuses, and an address the session does not ship to, keeping nothing", func() {
		create := func(p *stripe.CheckoutSessionCreateParams) error {
			if p.Mode == nil {
				p.Mode = stripe.String("payment")
			}
			if p.LineItems == nil {
				p.LineItems = lines(price, 1)
			}
			p.SuccessURL = stripe.String("https://shop.example/ok")
			_, err := sc.V1CheckoutSessions.Create(Ctx, p)
			return err
		}
		eur, err := sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{DisplayName: stripe.String("Europe"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(900), Currency: stripe.String("eur")}})
		Expect(err).NotTo(HaveOccurred())
		archived, err := sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{DisplayName: stripe.String("Old"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(300), Currency: stripe.String("usd")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1ShippingRates.Update(Ctx, archived.ID, &stripe.ShippingRateUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		rates := rateIDs()

		err = create(&stripe.CheckoutSessionCreateParams{ShippingOptions: []*stripe.CheckoutSessionCreateShippingOptionParams{
			express(), {ShippingRate: stripe.String(eur.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "shipping_options[1][shipping_rate]")
		Expect(rateIDs()).To(Equal(rates), "the inline rate of a refused session is not kept")

		err = create(&stripe.CheckoutSessionCreateParams{ShippingOptions: []*stripe.CheckoutSessionCreateShippingOptionParams{{ShippingRate: stripe.String(archived.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "shipping_options[0][shipping_rate]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("inactive"))

		err = create(&stripe.CheckoutSessionCreateParams{ShippingOptions: []*stripe.CheckoutSessionCreateShippingOptionParams{{ShippingRate: stripe.String("shr_missing")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "shipping_options[0][shipping_rate]")

		both := express()
		both.ShippingRate = stripe.String(ground.ID)
		err = create(&stripe.CheckoutSessionCreateParams{ShippingOptions: []*stripe.CheckoutSessionCreateShippingOptionParams{both}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "shipping_options[0][shipping_rate]")

		noName := express()
		noName.ShippingRateData.DisplayName = nil
		err = create(&stripe.CheckoutSessionCreateParams{ShippingOptions: []*stripe.CheckoutSessionCreateShippingOptionParams{noName}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "shipping_options[0][shipping_rate_data][display_name]")

		badUnit := express()
		badUnit.ShippingRateData.DeliveryEstimate.Minimum.Unit = stripe.String("fortnight")
		err = create(&stripe.CheckoutSessionCreateParams{ShippingOptions: []*stripe.CheckoutSessionCreateShippingOptionParams{badUnit}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "shipping_options[0][shipping_rate_data][delivery_estimate][minimum][unit]")

		six := make([]*stripe.CheckoutSessionCreateShippingOptionParams, 6)
		for i := range six {
			six[i] = &stripe.CheckoutSessionCreateShippingOptionParams{ShippingRate: stripe.String(ground.ID)}
		}
		err = create(&stripe.CheckoutSessionCreateParams{ShippingOptions: six})
		ExpectStripeError(err, 400, "invalid_request_error", "", "shipping_options")

		err = create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), LineItems: []*stripe.CheckoutSessionCreateLineItemParams{},
			Currency: stripe.String("usd"), ShippingOptions: []*stripe.CheckoutSessionCreateShippingOptionParams{{ShippingRate: stripe.String(ground.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "shipping_options")

		err = create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: lines(recurring, 1),
			ShippingOptions: []*stripe.CheckoutSessionCreateShippingOptionParams{{ShippingRate: stripe.String(ground.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "shipping_options")
		Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate"))

		err = create(&stripe.CheckoutSessionCreateParams{ShippingAddressCollection: countries("US", "XY")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "shipping_address_collection[allowed_countries][1]")

		for _, err := range sc.V1CheckoutSessions.List(Ctx, &stripe.CheckoutSessionListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			Fail("no session was kept")
		}

		s := twoOptions()
		status, body := complete(s.ID, url.Values{"shipping_details[name]": {"Ada"}, "shipping_details[address][line1]": {"1 Rue de Rivoli"},
			"shipping_details[address][country]": {"FR"}})
		Expect(status).To(Equal(400))
		Expect(errorOf(body)["param"]).To(Equal("shipping_details[address][country]"))
		status, body = complete(s.ID, url.Values{"shipping_details[name]": {"Ada"}, "shipping_details[address][country]": {"US"}})
		Expect(status).To(Equal(400))
		Expect(errorOf(body)["code"]).To(Equal("parameter_missing"))
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.CheckoutSessionStatusOpen))
		Expect(got.PaymentIntent).To(BeNil())

		plain, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"),
			SuccessURL: stripe.String("https://shop.example/ok"), LineItems: lines(price, 1)})
		Expect(err).NotTo(HaveOccurred())
		status, body = complete(plain.ID, url.Values{"shipping_details[name]": {"Ada"}})
		Expect(status).To(Equal(400), "a session without shipping_address_collection collects no address")
		Expect(errorOf(body)["param"]).To(Equal("shipping_details"))
	})

	It("carries a payment link's shipping options and address collection to the sessions it opens", func() {
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:                 []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			ShippingAddressCollection: &stripe.PaymentLinkCreateShippingAddressCollectionParams{AllowedCountries: stripe.StringSlice([]string{"US"})},
			ShippingOptions:           []*stripe.PaymentLinkCreateShippingOptionParams{{ShippingRate: stripe.String(ground.ID)}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.ShippingOptions).To(HaveLen(1))
		Expect(l.ShippingOptions[0].ShippingAmount).To(Equal(int64(500)))
		Expect(l.ShippingOptions[0].ShippingRate.ID).To(Equal(ground.ID))
		Expect(l.ShippingAddressCollection.AllowedCountries).To(HaveExactElements("US"))
		p := &stripe.PaymentLinkRetrieveParams{}
		p.AddExpand("shipping_options.shipping_rate")
		got, err := sc.V1PaymentLinks.Retrieve(Ctx, l.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.ShippingOptions[0].ShippingRate.DisplayName).To(Equal("Ground"))

		// A rate archived after the link was made is still offered by it.
		_, err = sc.V1ShippingRates.Update(Ctx, ground.ID, &stripe.ShippingRateUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		s, err := emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(s["amount_total"]).To(BeNumerically("==", 5000))
		Expect(s["shipping_cost"]).To(HaveKeyWithValue("shipping_rate", ground.ID))
		Expect(s["shipping_options"]).To(HaveLen(1))
		Expect(s["shipping_address_collection"]).To(Equal(map[string]any{"allowed_countries": []any{"US"}}))

		done, err := emu.CompleteCheckout("", s["id"].(string), "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		Expect(done["collected_information"]).To(HaveKey("shipping_details"))
		cp := &stripe.CheckoutSessionRetrieveParams{}
		cp.AddExpand("payment_intent")
		cs, err := sc.V1CheckoutSessions.Retrieve(Ctx, s["id"].(string), cp)
		Expect(err).NotTo(HaveOccurred())
		Expect(cs.PaymentIntent.Amount).To(Equal(int64(5000)))
		Expect(cs.PaymentIntent.Shipping.Address.Country).To(Equal("US"))

		_, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:       []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			ShippingOptions: []*stripe.PaymentLinkCreateShippingOptionParams{{ShippingRate: stripe.String(ground.ID)}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "shipping_options[0][shipping_rate]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("inactive"), "a new link takes active rates only")

		_, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:       []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(recurring.ID), Quantity: stripe.Int64(1)}},
			ShippingOptions: []*stripe.PaymentLinkCreateShippingOptionParams{{ShippingRate: stripe.String(ground.ID)}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "shipping_options")
		Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate"))
	})
})
