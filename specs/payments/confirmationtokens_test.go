package payments_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// ConfirmationTokens: what Stripe.js's Payment Element collected, made
// here with the test helper, and used once to confirm a PaymentIntent or
// SetupIntent on the server.
var _ = Describe("ConfirmationTokens", Label("payments", "confirmation_tokens"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	token := func(p *stripe.TestHelpersConfirmationTokenCreateParams) *stripe.ConfirmationToken {
		GinkgoHelper()
		tok, err := sc.V1TestHelpersConfirmationTokens.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return tok
	}
	sepaData := func() *stripe.TestHelpersConfirmationTokenCreatePaymentMethodDataParams {
		return &stripe.TestHelpersConfirmationTokenCreatePaymentMethodDataParams{
			Type:      stripe.String("sepa_debit"),
			SEPADebit: &stripe.TestHelpersConfirmationTokenCreatePaymentMethodDataSEPADebitParams{IBAN: stripe.String("DE89370400440532013000")},
			BillingDetails: &stripe.TestHelpersConfirmationTokenCreatePaymentMethodDataBillingDetailsParams{
				Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com"),
			},
			Metadata: map[string]string{"from": "elements"},
		}
	}
	shipping := &stripe.TestHelpersConfirmationTokenCreateShippingParams{
		Name: stripe.String("Jenny Rosen"),
		Address: &stripe.AddressParams{Line1: stripe.String("1 Main St"), City: stripe.String("Springfield"),
			PostalCode: stripe.String("12345"), State: stripe.String("CA"), Country: stripe.String("US")},
	}
	payWith := func(tok string, edit ...func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
		p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
			AutomaticPaymentMethods: &stripe.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true), AllowRedirects: stripe.String("never")},
			Confirm:                 stripe.Bool(true), ConfirmationToken: stripe.String(tok)}
		for _, e := range edit {
			e(p)
		}
		return sc.V1PaymentIntents.Create(Ctx, p)
	}

	It("is made from a test PaymentMethod, previews it, expires in 12 hours and is retrieved as made", func() {
		tok := token(&stripe.TestHelpersConfirmationTokenCreateParams{PaymentMethod: stripe.String("pm_card_visa"),
			ReturnURL: stripe.String("https://shop.example/return"), SetupFutureUsage: stripe.String("off_session"), Shipping: shipping})
		Expect(tok.ID).To(HavePrefix("ctoken_"))
		Expect(tok.Created).To(Equal(Epoch.Unix()))
		Expect(tok.ExpiresAt).To(Equal(Epoch.Add(12 * time.Hour).Unix()))
		Expect(tok.Livemode).To(BeFalse())
		Expect(tok.UseStripeSDK).To(BeTrue())
		Expect(tok.PaymentIntent).To(BeEmpty())
		Expect(tok.SetupIntent).To(BeEmpty())
		Expect(tok.ReturnURL).To(Equal("https://shop.example/return"))
		Expect(tok.SetupFutureUsage).To(Equal(stripe.ConfirmationTokenSetupFutureUsageOffSession))
		Expect(tok.Shipping.Name).To(Equal("Jenny Rosen"))
		Expect(tok.Shipping.Address.City).To(Equal("Springfield"))
		Expect(tok.PaymentMethodPreview.Type).To(Equal(stripe.ConfirmationTokenPaymentMethodPreviewType("card")))
		Expect(tok.PaymentMethodPreview.Card.Last4).To(Equal("4242"))
		Expect(tok.PaymentMethodPreview.Card.Brand).To(Equal("visa"))

		got, err := sc.V1ConfirmationTokens.Retrieve(Ctx, tok.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		got.APIResource, tok.APIResource = stripe.APIResource{}, stripe.APIResource{} // the HTTP exchange
		Expect(got).To(Equal(tok))

		_, err = sc.V1ConfirmationTokens.Retrieve(Ctx, "ctoken_missing", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(emu.Events("")).To(BeEmpty(), "Stripe sends no events about ConfirmationTokens")
	})

	It("confirms a PaymentIntent with the token's payment method, shipping and setup_future_usage, and is used up", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		tok := token(&stripe.TestHelpersConfirmationTokenCreateParams{PaymentMethod: stripe.String("pm_card_visa"),
			SetupFutureUsage: stripe.String("off_session"), Shipping: shipping})
		pi, err := payWith(tok.ID, func(p *stripe.PaymentIntentCreateParams) { p.Customer = stripe.String(cus.ID) })
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(pi.SetupFutureUsage).To(Equal(stripe.PaymentIntentSetupFutureUsageOffSession))
		Expect(pi.Shipping.Name).To(Equal("Jenny Rosen"))
		Expect(pi.Shipping.Address.PostalCode).To(Equal("12345"))

		pm, err := sc.V1PaymentMethods.Retrieve(Ctx, pi.PaymentMethod.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pm.Card.Last4).To(Equal("4242"))
		Expect(pm.Customer.ID).To(Equal(cus.ID), "setup_future_usage saves the card to the customer")

		used, err := sc.V1ConfirmationTokens.Retrieve(Ctx, tok.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(used.PaymentIntent).To(Equal(pi.ID))

		_, err = payWith(tok.ID)
		ExpectStripeError(err, 400, "invalid_request_error", "", "confirmation_token")
		Expect(emu.Count("", "payment_intent")).To(Equal(1), "the refused request made nothing")
	})

	It("creates the PaymentMethod of payment_method_data only when the token is used", func() {
		tok := token(&stripe.TestHelpersConfirmationTokenCreateParams{PaymentMethodData: sepaData()})
		Expect(tok.PaymentMethodPreview.Type).To(Equal(stripe.ConfirmationTokenPaymentMethodPreviewType("sepa_debit")))
		Expect(tok.PaymentMethodPreview.SEPADebit.Last4).To(Equal("3000"))
		Expect(tok.PaymentMethodPreview.BillingDetails.Name).To(Equal("Jenny Rosen"))
		Expect(emu.Count("", "payment_method")).To(Equal(0))

		pi, err := payWith(tok.ID, func(p *stripe.PaymentIntentCreateParams) {
			p.Currency = stripe.String("eur")
			p.AutomaticPaymentMethods = nil
			p.PaymentMethodTypes = []*string{stripe.String("sepa_debit")}
			p.MandateData = &stripe.PaymentIntentCreateMandateDataParams{CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{
				Type: stripe.String("offline")}}
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		pm, err := sc.V1PaymentMethods.Retrieve(Ctx, pi.PaymentMethod.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pm.Type).To(Equal(stripe.PaymentMethodTypeSEPADebit))
		Expect(pm.SEPADebit.Last4).To(Equal("3000"))
		Expect(pm.Metadata).To(Equal(map[string]string{"from": "elements"}))
		Expect(pm.Created).To(Equal(Epoch.Unix()))
		Expect(emu.Count("", "payment_method")).To(Equal(1))
	})

	It("confirms an existing PaymentIntent, whose own payment method and shipping take precedence over the token's", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1500), Currency: stripe.String("usd"),
			PaymentMethodTypes: []*string{stripe.String("card")}})
		Expect(err).NotTo(HaveOccurred())
		tok := token(&stripe.TestHelpersConfirmationTokenCreateParams{PaymentMethod: stripe.String("pm_card_visa"), Shipping: shipping})
		pi, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), ConfirmationToken: stripe.String(tok.ID),
			PaymentMethod: stripe.String("pm_card_mastercard"),
			Shipping:      &stripe.ShippingDetailsParams{Name: stripe.String("Sam"), Address: &stripe.AddressParams{Line1: stripe.String("2 High St"), Country: stripe.String("GB")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(pi.Shipping.Name).To(Equal("Sam"))
		pm, err := sc.V1PaymentMethods.Retrieve(Ctx, pi.PaymentMethod.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pm.Card.Brand).To(Equal(stripe.PaymentMethodCardBrand("mastercard")))
		used, err := sc.V1ConfirmationTokens.Retrieve(Ctx, tok.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(used.PaymentIntent).To(Equal(pi.ID))
	})

	// "values present on the ConfirmationToken are written onto the
	// Intent", use_stripe_sdk among them ("Defaults to true on
	// ConfirmationToken"): Stripe.js's handleNextAction shows 3-D Secure in
	// the page rather than sending the customer away to return_url.
	It("leaves a card's authentication to Stripe.js (use_stripe_sdk), its return_url only a fallback", func() {
		tok := token(&stripe.TestHelpersConfirmationTokenCreateParams{PaymentMethod: stripe.String("pm_card_authenticationRequired"),
			ReturnURL: stripe.String("https://shop.example/return")})
		pi, err := payWith(tok.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionType("use_stripe_sdk")))

		// Confirmed without a token, the return_url sends the customer away,
		// unless the server says a client SDK handles the action.
		confirm := func(sdk bool) *stripe.PaymentIntent {
			GinkgoHelper()
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
				PaymentMethod: stripe.String("pm_card_authenticationRequired"), Confirm: stripe.Bool(true),
				ReturnURL: stripe.String("https://shop.example/return"), UseStripeSDK: stripe.Bool(sdk)})
			Expect(err).NotTo(HaveOccurred())
			return pi
		}
		pi = confirm(false)
		Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionType("redirect_to_url")))
		Expect(pi.NextAction.RedirectToURL.ReturnURL).To(Equal("https://shop.example/return"))
		Expect(confirm(true).NextAction.Type).To(Equal(stripe.PaymentIntentNextActionType("use_stripe_sdk")))
	})

	// A bank debit's mandate is accepted where the customer typed the
	// account: Stripe.js sends the acceptance with the token, which shows it
	// as mandate_data and hands it to the confirmation.
	It("carries the mandate acceptance Stripe.js sent to the confirmation it is used for", func() {
		body := "payment_method_data[type]=sepa_debit&payment_method_data[sepa_debit][iban]=DE89370400440532013000" +
			"&payment_method_data[billing_details][name]=Jenny+Rosen&payment_method_data[billing_details][email]=jenny@example.com" +
			"&mandate_data[customer_acceptance][type]=online&mandate_data[customer_acceptance][online][infer_from_client]=true"
		r := Do(emu.URL(), "POST", "/v1/confirmation_tokens", body, "Authorization", "Bearer pk_test_browser")
		Expect(r.Status).To(Equal(200), r.Text)
		tok, err := sc.V1ConfirmationTokens.Retrieve(Ctx, r.Body["id"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(tok.MandateData.CustomerAcceptance.Type).To(Equal("online"))
		Expect(tok.MandateData.CustomerAcceptance.Online.IPAddress).NotTo(BeEmpty(), "the client's address")

		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("eur"),
			PaymentMethodTypes: []*string{stripe.String("sepa_debit")}, Confirm: stripe.Bool(true), ConfirmationToken: stripe.String(tok.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		m, err := sc.V1Mandates.Retrieve(Ctx, ch.PaymentMethodDetails.SEPADebit.Mandate, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.CustomerAcceptance.Online.IPAddress).To(Equal(tok.MandateData.CustomerAcceptance.Online.IPAddress))

		// Without it, the server must send one, as before.
		helperTok := token(&stripe.TestHelpersConfirmationTokenCreateParams{PaymentMethodData: sepaData()})
		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("eur"),
			PaymentMethodTypes: []*string{stripe.String("sepa_debit")}, Confirm: stripe.Bool(true), ConfirmationToken: stripe.String(helperTok.ID)})
		Expect(err).To(HaveOccurred())
	})

	// Stripe.js's createConfirmationToken posts the card the customer typed
	// with the publishable key; the server uses the token.
	It("is made by Stripe.js from a typed card with the publishable key, and by nothing else at that URL", func() {
		const card = "payment_method_data[type]=card&payment_method_data[card][number]=4000002500003155&payment_method_data[card][exp_month]=12&payment_method_data[card][exp_year]=2034&payment_method_data[card][cvc]=123"
		r := Do(emu.URL(), "POST", "/v1/confirmation_tokens", card+"&payment_method_data[billing_details][name]=Jenny+Rosen&return_url=https://shop.example/return",
			"Authorization", "Bearer pk_test_browser")
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body["id"]).To(HavePrefix("ctoken_"))
		preview := r.Body["payment_method_preview"].(map[string]any)
		Expect(preview["card"].(map[string]any)["last4"]).To(Equal("3155"))
		Expect(emu.Count("", "payment_method")).To(BeZero(), "the PaymentMethod is made when the token is used")

		pi, err := payWith(r.Body["id"].(string))
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction), "the test card's 3-D Secure, kept through the token")
		pm, err := sc.V1PaymentMethods.Retrieve(Ctx, pi.PaymentMethod.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pm.BillingDetails.Name).To(Equal("Jenny Rosen"))

		secret := Do(emu.URL(), "POST", "/v1/confirmation_tokens", card, "Authorization", "Bearer "+emulator.DefaultAPIKey)
		Expect(secret.Status).To(Equal(400), secret.Text)
		Expect(secret.Error()["message"]).To(ContainSubstring("POST /v1/test_helpers/confirmation_tokens"))
		Expect(emu.Count("", "confirmation_token")).To(Equal(1), "the refusal made no token")

		bad := Do(emu.URL(), "POST", "/v1/confirmation_tokens", "payment_method_data[type]=card&payment_method_data[card][number]=4242424242424241&payment_method_data[card][exp_month]=12&payment_method_data[card][exp_year]=2034",
			"Authorization", "Bearer pk_test_browser")
		Expect(bad.Status).To(Equal(402), bad.Text)
		Expect(bad.Error()["code"]).To(Equal("incorrect_number"))
		Expect(emu.Count("", "confirmation_token")).To(Equal(1))
	})

	It("refuses an expired token, a token whose setup_future_usage is not the intent's, and a token without confirm=true", func() {
		tok := token(&stripe.TestHelpersConfirmationTokenCreateParams{PaymentMethod: stripe.String("pm_card_visa"), SetupFutureUsage: stripe.String("on_session")})
		_, err := payWith(tok.ID, func(p *stripe.PaymentIntentCreateParams) { p.SetupFutureUsage = stripe.String("off_session") })
		ExpectStripeError(err, 400, "invalid_request_error", "", "confirmation_token")

		_, err = payWith(tok.ID, func(p *stripe.PaymentIntentCreateParams) { p.Confirm = nil })
		ExpectStripeError(err, 400, "invalid_request_error", "", "confirmation_token")

		emu.Clock().Advance(12 * time.Hour)
		_, err = payWith(tok.ID)
		ExpectStripeError(err, 400, "invalid_request_error", "", "confirmation_token")
		Expect(emu.Count("", "payment_intent")).To(Equal(0))
		unused, err := sc.V1ConfirmationTokens.Retrieve(Ctx, tok.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(unused.PaymentIntent).To(BeEmpty())

		_, err = payWith("ctoken_missing")
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "confirmation_token")
	})

	It("previews a saved payment method with its customer, expandable", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		var saved string
		for pm, err := range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			saved = pm.ID
		}
		tok := token(&stripe.TestHelpersConfirmationTokenCreateParams{PaymentMethod: stripe.String(saved)})
		Expect(tok.PaymentMethodPreview.Customer.ID).To(Equal(cus.ID))
		p := &stripe.ConfirmationTokenRetrieveParams{}
		p.AddExpand("payment_method_preview.customer")
		got, err := sc.V1ConfirmationTokens.Retrieve(Ctx, tok.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.PaymentMethodPreview.Customer.Created).To(Equal(cus.Created), "expanded")

		// The saved method pays for its own customer's intent.
		pi, err := payWith(tok.ID, func(p *stripe.PaymentIntentCreateParams) { p.Customer = stripe.String(cus.ID) })
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.PaymentMethod.ID).To(Equal(saved))
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})

	It("refuses a token without a payment method, with two, or with card details it cannot take", func() {
		_, err := sc.V1TestHelpersConfirmationTokens.Create(Ctx, &stripe.TestHelpersConfirmationTokenCreateParams{})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "payment_method")
		_, err = sc.V1TestHelpersConfirmationTokens.Create(Ctx, &stripe.TestHelpersConfirmationTokenCreateParams{
			PaymentMethod: stripe.String("pm_card_visa"), PaymentMethodData: sepaData()})
		ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "payment_method")
		_, err = sc.V1TestHelpersConfirmationTokens.Create(Ctx, &stripe.TestHelpersConfirmationTokenCreateParams{
			PaymentMethodData: &stripe.TestHelpersConfirmationTokenCreatePaymentMethodDataParams{Type: stripe.String("card")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_data[type]")
		_, err = sc.V1TestHelpersConfirmationTokens.Create(Ctx, &stripe.TestHelpersConfirmationTokenCreateParams{
			PaymentMethodData: &stripe.TestHelpersConfirmationTokenCreatePaymentMethodDataParams{Type: stripe.String("sepa_debit"),
				SEPADebit: &stripe.TestHelpersConfirmationTokenCreatePaymentMethodDataSEPADebitParams{IBAN: stripe.String("DE89370400440532013000")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "payment_method_data[billing_details]")
		_, err = sc.V1TestHelpersConfirmationTokens.Create(Ctx, &stripe.TestHelpersConfirmationTokenCreateParams{PaymentMethod: stripe.String("pm_card_visa"),
			Shipping: &stripe.TestHelpersConfirmationTokenCreateShippingParams{Name: stripe.String("Jenny Rosen")}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "shipping[address]")
		Expect(emu.Count("", "confirmation_token")).To(Equal(0))
	})

	It("sets up a SetupIntent with the token, which takes the token's usage", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		tok := token(&stripe.TestHelpersConfirmationTokenCreateParams{PaymentMethod: stripe.String("pm_card_visa"), SetupFutureUsage: stripe.String("on_session")})
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"), Customer: stripe.String(cus.ID),
			Confirm: stripe.Bool(true), ConfirmationToken: stripe.String(tok.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
		Expect(si.Usage).To(Equal(stripe.SetupIntentUsageOnSession))
		pm, err := sc.V1PaymentMethods.Retrieve(Ctx, si.PaymentMethod.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pm.Customer.ID).To(Equal(cus.ID))
		used, err := sc.V1ConfirmationTokens.Retrieve(Ctx, tok.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(used.SetupIntent).To(Equal(si.ID))

		// An existing SetupIntent keeps its usage: a token collected for
		// another is refused.
		si, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		other := token(&stripe.TestHelpersConfirmationTokenCreateParams{PaymentMethod: stripe.String("pm_card_visa"), SetupFutureUsage: stripe.String("on_session")})
		_, err = sc.V1SetupIntents.Confirm(Ctx, si.ID, &stripe.SetupIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), ConfirmationToken: stripe.String(other.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "confirmation_token")
		same := token(&stripe.TestHelpersConfirmationTokenCreateParams{PaymentMethodData: sepaData()})
		si, err = sc.V1SetupIntents.Confirm(Ctx, si.ID, &stripe.SetupIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), ConfirmationToken: stripe.String(same.ID),
			MandateData: &stripe.SetupIntentMandateDataParams{CustomerAcceptance: &stripe.SetupIntentMandateDataCustomerAcceptanceParams{Type: stripe.MandateCustomerAcceptanceTypeOffline}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
		Expect(si.PaymentMethod.ID).NotTo(BeEmpty())
	})
})
