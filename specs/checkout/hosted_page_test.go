package checkout_test

import (
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// The hosted page a session's url opens, driven as a browser without
// JavaScript would: plain forms, labelled inputs, buttons.
var _ = Describe("The hosted Checkout page", Label("checkout"), func() {
	var (
		emu   *emulator.Emulator
		sc    *stripe.Client
		price *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		price = oneTimePrice(sc, "Concert ticket", 4500)
	})
	create := func(edit func(p *stripe.CheckoutSessionCreateParams)) *stripe.CheckoutSession {
		GinkgoHelper()
		p := &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok?s={CHECKOUT_SESSION_ID}"),
			CancelURL: stripe.String("https://shop.example/cart"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(2)}},
		}
		if edit != nil {
			edit(p)
		}
		s, err := sc.V1CheckoutSessions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	session := func(id string) *stripe.CheckoutSession {
		GinkgoHelper()
		s, err := sc.V1CheckoutSessions.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return s
	}

	It("shows the total in the currency's units and a way back to cancel_url", func() {
		s := create(nil)
		p := Visit("GET", s.URL, nil)
		Expect(p.Status).To(Equal(200))
		Expect(p.Body).To(ContainSubstring("90.00 EUR"))
		Expect(p.Body).To(ContainSubstring(`<a class="cancel" href="https://shop.example/cart">`))
		Expect(Visit("GET", emu.URL()+"/checkout/"+price.ID, nil).Status).To(Equal(404), "only a session has a page")
	})

	It("shows a decline's message on the page, which stays open to pay again", func() {
		s := create(nil)
		p := Visit("POST", s.URL, url.Values{"payment_method": {"pm_card_chargeDeclined"}})
		Expect(p.Status).To(Equal(402))
		Expect(p.Header.Get("Content-Type")).To(HavePrefix("text/html"))
		Expect(p.Body).To(ContainSubstring(`<p class="failure" role="alert">Your card was declined.</p>`))
		Expect(p.Body).To(ContainSubstring(`value="pm_card_visa"`), "the customer may try another card")
		Expect(session(s.ID).Status).To(Equal(stripe.CheckoutSessionStatusOpen))
		Expect(emu.EventTypes("")).To(ContainElements("charge.failed", "payment_intent.payment_failed"))

		p = Visit("POST", s.URL, url.Values{"payment_method": {"pm_card_visa"}})
		Expect(p.Status).To(Equal(303))
		Expect(p.Location).To(Equal("https://shop.example/ok?s=" + s.ID))
		Expect(session(s.ID).PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusPaid))
	})

	// Link's test mode: any email, and a one-time passcode of any six
	// digits but 000001 (invalid), 000002 (expired), 000003 (too many
	// attempts), as Stripe's Link guides list them.
	It("offers Link when the session does, signing the customer in with the email typed and a test passcode", func() {
		s := create(func(p *stripe.CheckoutSessionCreateParams) {
			p.PaymentMethodTypes = []*string{stripe.String("card"), stripe.String("link")}
		})
		p := Visit("GET", s.URL, nil)
		Expect(p.Body).To(ContainSubstring(`name="link_passcode"`))
		Expect(p.Body).To(ContainSubstring(`value="pm_link"`))
		Expect(Visit("GET", create(nil).URL, nil).Body).NotTo(ContainSubstring(`value="pm_link"`), "only where link is offered")

		before := emu.Count("", "payment_intent")
		for code, msg := range map[string]string{"": "Enter the 6-digit code", "12ab56": "Enter the 6-digit code",
			"000001": "invalid", "000002": "expired", "000003": "Too many attempts"} {
			p = Visit("POST", s.URL, url.Values{"payment_method": {"pm_link"}, "email": {"link.user@example.com"}, "link_passcode": {code}})
			Expect(p.Status).To(Equal(400), code)
			Expect(p.Body).To(ContainSubstring(`<p class="failure" role="alert">`))
			Expect(p.Body).To(ContainSubstring(msg), code)
		}
		Expect(session(s.ID).Status).To(Equal(stripe.CheckoutSessionStatusOpen))
		Expect(emu.Count("", "payment_intent")).To(Equal(before), "a refused passcode pays nothing")

		p = Visit("POST", s.URL, url.Values{"payment_method": {"pm_link"}, "email": {"link.user@example.com"}, "link_passcode": {"424242"}})
		Expect(p.Status).To(Equal(303), p.Body)
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, &stripe.CheckoutSessionRetrieveParams{
			Params: stripe.Params{Expand: []*string{stripe.String("payment_intent.payment_method")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusPaid))
		Expect(got.PaymentIntent.PaymentMethod.Type).To(Equal(stripe.PaymentMethodTypeLink))
		Expect(got.PaymentIntent.PaymentMethod.Link.Email).To(Equal("link.user@example.com"))
	})

	It("shows a refused promotion code's message, completing nothing", func() {
		s := create(func(p *stripe.CheckoutSessionCreateParams) { p.AllowPromotionCodes = stripe.Bool(true) })
		before := emu.Count("", "payment_intent")
		p := Visit("POST", s.URL, url.Values{"payment_method": {"pm_card_visa"}, "promotion_code": {"NOSUCHCODE"}})
		Expect(p.Status).To(Equal(400))
		Expect(p.Body).To(ContainSubstring(`<p class="failure" role="alert">`))
		Expect(p.Body).NotTo(ContainSubstring("map["), "the message, not the error's fields")
		Expect(session(s.ID).Status).To(Equal(stripe.CheckoutSessionStatusOpen))
		Expect(emu.Count("", "payment_intent")).To(Equal(before))
	})

	It("prefills customer_email, which the customer cannot change, and asks an email otherwise, refusing a malformed one", func() {
		s := create(func(p *stripe.CheckoutSessionCreateParams) { p.CustomerEmail = stripe.String("ada@example.com") })
		p := Visit("GET", s.URL, nil)
		Expect(p.Body).To(ContainSubstring(`<input type="email" id="email" name="email" value="ada@example.com" readonly>`))
		Visit("POST", s.URL, url.Values{"payment_method": {"pm_card_visa"}, "email": {"eve@example.com"}})
		Expect(session(s.ID).CustomerDetails.Email).To(Equal("ada@example.com"))

		s = create(nil)
		before := emu.Count("", "payment_intent")
		p = Visit("POST", s.URL, url.Values{"payment_method": {"pm_card_visa"}, "email": {"not-an-email"}})
		Expect(p.Status).To(Equal(400))
		Expect(p.Body).To(ContainSubstring(`<p class="failure" role="alert">`))
		Expect(p.Body).To(ContainSubstring(`value="not-an-email"`), "what was typed stays in the field")
		Expect(session(s.ID).Status).To(Equal(stripe.CheckoutSessionStatusOpen))
		Expect(emu.Count("", "payment_intent")).To(Equal(before))
		Visit("POST", s.URL, url.Values{"payment_method": {"pm_card_visa"}, "email": {"bob@example.com"}})
		Expect(session(s.ID).CustomerDetails.Email).To(Equal("bob@example.com"))
	})

	It("asks for the terms to be accepted, the phone number and the billing address the session collects", func() {
		s := create(func(p *stripe.CheckoutSessionCreateParams) {
			p.ConsentCollection = &stripe.CheckoutSessionCreateConsentCollectionParams{TermsOfService: stripe.String("required"), Promotions: stripe.String("auto")}
			p.CustomText = &stripe.CheckoutSessionCreateCustomTextParams{TermsOfServiceAcceptance: &stripe.CheckoutSessionCreateCustomTextTermsOfServiceAcceptanceParams{
				Message: stripe.String("I agree to the concert rules")}}
			p.PhoneNumberCollection = &stripe.CheckoutSessionCreatePhoneNumberCollectionParams{Enabled: stripe.Bool(true)}
			p.BillingAddressCollection = stripe.String("required")
		})
		p := Visit("GET", s.URL, nil)
		Expect(p.Body).To(ContainSubstring(`<input type="checkbox" name="terms_of_service" value="accepted"> I agree to the concert rules</label>`))
		Expect(p.Body).To(ContainSubstring(`name="promotions" value="opt_in"`))
		Expect(p.Body).To(ContainSubstring(`<label for="phone">Phone number</label>`))
		Expect(p.Body).To(ContainSubstring(`<label for="billing_country">Country</label>`))

		filled := url.Values{"payment_method": {"pm_card_visa"}, "phone": {"+33612345678"}, "billing_line1": {"1 rue de la Paix"},
			"billing_city": {"Paris"}, "billing_postal_code": {"75002"}, "billing_country": {"FR"}, "promotions": {"opt_in"}}
		before := emu.Count("", "payment_intent")
		p = Visit("POST", s.URL, filled)
		Expect(p.Status).To(Equal(400), "the box is not ticked")
		Expect(p.Body).To(ContainSubstring(`<p class="failure" role="alert">`))
		Expect(p.Body).To(ContainSubstring(`33612345678"`), "what was typed stays in the form")
		Expect(session(s.ID).Status).To(Equal(stripe.CheckoutSessionStatusOpen))
		Expect(emu.Count("", "payment_intent")).To(Equal(before))

		blank := url.Values{"terms_of_service": {"accepted"}}
		for k, v := range filled {
			blank[k] = v
		}
		blank.Set("phone", "")
		p = Visit("POST", s.URL, blank)
		Expect(p.Status).To(Equal(400), "the phone number is required")
		Expect(session(s.ID).Status).To(Equal(stripe.CheckoutSessionStatusOpen))

		filled.Set("terms_of_service", "accepted")
		p = Visit("POST", s.URL, filled)
		Expect(p.Status).To(Equal(303))
		got := session(s.ID)
		Expect(got.Consent.TermsOfService).To(Equal(stripe.CheckoutSessionConsentTermsOfServiceAccepted))
		Expect(got.Consent.Promotions).To(Equal(stripe.CheckoutSessionConsentPromotionsOptIn))
		Expect(got.CustomerDetails.Phone).To(Equal("+33612345678"))
		Expect(got.CustomerDetails.Address.City).To(Equal("Paris"))
		Expect(got.CustomerDetails.Address.Country).To(Equal("FR"))
	})

	It("asks the shipping address in an allowed country and offers the shipping options", func() {
		s := create(func(p *stripe.CheckoutSessionCreateParams) {
			p.ShippingAddressCollection = &stripe.CheckoutSessionCreateShippingAddressCollectionParams{AllowedCountries: stripe.StringSlice([]string{"FR", "DE"})}
			p.ShippingOptions = []*stripe.CheckoutSessionCreateShippingOptionParams{
				{ShippingRateData: &stripe.CheckoutSessionCreateShippingOptionShippingRateDataParams{DisplayName: stripe.String("Standard"), Type: stripe.String("fixed_amount"),
					FixedAmount: &stripe.CheckoutSessionCreateShippingOptionShippingRateDataFixedAmountParams{Amount: stripe.Int64(500), Currency: stripe.String("eur")}}},
				{ShippingRateData: &stripe.CheckoutSessionCreateShippingOptionShippingRateDataParams{DisplayName: stripe.String("Express"), Type: stripe.String("fixed_amount"),
					FixedAmount: &stripe.CheckoutSessionCreateShippingOptionShippingRateDataFixedAmountParams{Amount: stripe.Int64(1500), Currency: stripe.String("eur")}}}}
		})
		express := s.ShippingOptions[1].ShippingRate.ID
		p := Visit("GET", s.URL, nil)
		Expect(p.Body).To(ContainSubstring(`<label for="shipping_name">Name</label>`))
		Expect(p.Body).To(ContainSubstring(`<option value="DE">DE</option>`))
		Expect(p.Body).NotTo(ContainSubstring(`<option value="US">`), "only the allowed countries")
		Expect(p.Body).To(ContainSubstring(`<input type="radio" name="shipping_rate" value="` + express + `"> Express, 15.00 EUR</label>`))

		form := url.Values{"payment_method": {"pm_card_visa"}, "shipping_name": {"Marie Curie"}, "shipping_line1": {"36 quai de Béthune"},
			"shipping_city": {"Paris"}, "shipping_postal_code": {"75004"}, "shipping_country": {"FR"}, "shipping_rate": {express}}
		form.Set("shipping_line1", "")
		before := emu.Count("", "payment_intent")
		p = Visit("POST", s.URL, form)
		Expect(p.Status).To(Equal(400))
		Expect(p.Body).To(ContainSubstring(`<p class="failure" role="alert">`))
		Expect(emu.Count("", "payment_intent")).To(Equal(before))

		form.Set("shipping_line1", "36 quai de Béthune")
		p = Visit("POST", s.URL, form)
		Expect(p.Status).To(Equal(303), p.Body)
		got := session(s.ID)
		Expect(got.CollectedInformation.ShippingDetails.Name).To(Equal("Marie Curie"))
		Expect(got.CollectedInformation.ShippingDetails.Address.City).To(Equal("Paris"))
		Expect(got.ShippingCost.ShippingRate.ID).To(Equal(express))
		Expect(got.AmountTotal).To(Equal(int64(10500)))
	})

	It("asks the billing address and a tax ID of a session collecting tax IDs, prefilling the customer's address", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("einkauf@example.com"),
			Address: &stripe.AddressParams{Line1: stripe.String("Unter den Linden 1"), City: stripe.String("Berlin"), PostalCode: stripe.String("10117"), Country: stripe.String("DE")}})
		Expect(err).NotTo(HaveOccurred())
		s := create(func(p *stripe.CheckoutSessionCreateParams) {
			p.Customer = stripe.String(cus.ID)
			p.TaxIDCollection = &stripe.CheckoutSessionCreateTaxIDCollectionParams{Enabled: stripe.Bool(true)}
			p.CustomerUpdate = &stripe.CheckoutSessionCreateCustomerUpdateParams{Name: stripe.String("auto"), Address: stripe.String("auto")}
		})
		p := Visit("GET", s.URL, nil)
		Expect(p.Body).To(ContainSubstring(`name="billing_city" value="Berlin"`))
		Expect(p.Body).To(ContainSubstring(`<label for="tax_id_value">Tax ID</label>`))
		p = Visit("POST", s.URL, url.Values{"payment_method": {"pm_card_visa"}, "billing_line1": {"Unter den Linden 1"}, "billing_city": {"Berlin"},
			"billing_postal_code": {"10117"}, "billing_country": {"DE"}, "tax_id_type": {"eu_vat"}, "tax_id_value": {"DE123456789"}})
		Expect(p.Status).To(Equal(303), p.Body)
		got := session(s.ID)
		Expect(got.CustomerDetails.TaxIDs).To(HaveLen(1))
		Expect(got.CustomerDetails.TaxIDs[0].Value).To(Equal("DE123456789"))
	})

	It("words its buttons by submit_type and names optional items by product and price", func() {
		extra := oneTimePrice(sc, "Tote bag", 1500)
		s := create(func(p *stripe.CheckoutSessionCreateParams) {
			p.SubmitType = stripe.String("donate")
			p.OptionalItems = []*stripe.CheckoutSessionCreateOptionalItemParams{{Price: stripe.String(extra.ID), Quantity: stripe.Int64(2)}}
		})
		p := Visit("GET", s.URL, nil)
		Expect(p.Body).To(ContainSubstring(`<button name="payment_method" value="pm_card_visa">Donate with Visa 4242</button>`))
		Expect(p.Body).To(ContainSubstring(`<input type="checkbox" name="optional_item" value="` + extra.ID + `"> Add 2 × Tote bag, 15.00 EUR</label>`))
		Expect(Visit("GET", create(nil).URL, nil).Body).To(ContainSubstring(`>Pay with Visa 4242</button>`))
	})

	It("offers only the payment method types the session does", func() {
		cardOnly := Visit("GET", create(func(p *stripe.CheckoutSessionCreateParams) {
			p.PaymentMethodTypes = []*string{stripe.String("card")}
		}).URL, nil).Body
		Expect(cardOnly).To(ContainSubstring(`value="pm_card_visa"`))
		Expect(cardOnly).NotTo(ContainSubstring(`value="pm_sepa_debit"`))
		sepaOnly := Visit("GET", create(func(p *stripe.CheckoutSessionCreateParams) {
			p.PaymentMethodTypes = []*string{stripe.String("sepa_debit")}
		}).URL, nil).Body
		Expect(sepaOnly).To(ContainSubstring(`value="pm_sepa_debit"`))
		Expect(sepaOnly).NotTo(ContainSubstring(`value="pm_card_visa"`))
	})

	It("shows a payment link's hosted confirmation message once paid", func() {
		link, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			AfterCompletion: &stripe.PaymentLinkCreateAfterCompletionParams{Type: stripe.String("hosted_confirmation"),
				HostedConfirmation: &stripe.PaymentLinkCreateAfterCompletionHostedConfirmationParams{CustomMessage: stripe.String("See you at the show!")}}})
		Expect(err).NotTo(HaveOccurred())
		p := Visit("GET", link.URL, nil)
		Expect(p.Status).To(Equal(303))
		p = Visit("POST", p.Location, url.Values{"payment_method": {"pm_card_visa"}})
		Expect(p.Status).To(Equal(200))
		Expect(p.Body).To(ContainSubstring("See you at the show!"))
	})
})
