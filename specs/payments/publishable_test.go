package payments_test

import (
	"fmt"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Stripe.js calls the API with the publishable key: it turns the card
// details a customer typed into a PaymentMethod or token, and retrieves
// and confirms the intent whose client_secret the server gave the page.
// Stripe answers a publishable key there and nowhere else; an intent asked
// for with it needs its client_secret and is shown in its client-side view
// (the object reference's "retrievable with publishable key" fields).
var _ = Describe("The publishable key", Label("payments", "publishable"), func() {
	const pk = "pk_test_browser"
	const publishableRefusal = "This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys."
	const card = "card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2034&card[cvc]=123"
	var emu *emulator.Emulator
	var sc *stripe.Client
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	browser := func(method, path, body string) Raw {
		GinkgoHelper()
		return Do(emu.URL(), method, path, body, "Authorization", "Bearer "+pk)
	}
	refused := func(r Raw) {
		GinkgoHelper()
		Expect(r.Status).To(Equal(401), r.Text)
		Expect(r.Error()["message"]).To(Equal(publishableRefusal))
	}
	newIntent := func() *stripe.PaymentIntent {
		GinkgoHelper()
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(2000), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
			PaymentMethodTypes: []*string{stripe.String("card")}, Metadata: map[string]string{"order": "42"},
		})
		Expect(err).NotTo(HaveOccurred())
		return pi
	}
	withSecret := func(secret string) string { return "client_secret=" + url.QueryEscape(secret) }

	It("creates PaymentMethods and tokens from typed card numbers", func() {
		r := browser("POST", "/v1/payment_methods", "type=card&"+card+"&billing_details[address][postal_code]=42424")
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body["card"].(map[string]any)["last4"]).To(Equal("4242"))
		pm, err := sc.V1PaymentMethods.Retrieve(Ctx, r.Body["id"].(string), nil)
		Expect(err).NotTo(HaveOccurred(), "the PaymentMethod is the account's")
		Expect(pm.BillingDetails.Address.PostalCode).To(Equal("42424"))

		r = browser("POST", "/v1/tokens", card)
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body["object"]).To(Equal("token"))
		Expect(r.Body["card"].(map[string]any)["last4"]).To(Equal("4242"))
	})

	It("still takes card numbers when the emulator refuses raw card data, which Stripe refuses to secret keys only", func() {
		emu = Emulator(emulator.WithRawCardDataRefused())
		Expect(Do(emu.URL(), "POST", "/v1/payment_methods", "type=card&"+card).Status).To(Equal(402))
		r := browser("POST", "/v1/payment_methods", "type=card&"+card)
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(browser("POST", "/v1/tokens", card).Status).To(Equal(200))
		pi := newIntentOn(emu)
		r = browser("POST", "/v1/payment_intents/"+pi.ID+"/confirm", withSecret(pi.ClientSecret)+"&payment_method_data[type]=card&payment_method_data[card][number]=4242424242424242&payment_method_data[card][exp_month]=12&payment_method_data[card][exp_year]=2034")
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body["status"]).To(Equal("succeeded"))
	})

	It("retrieves a PaymentIntent only with its client_secret, in the client-side view", func() {
		pi := newIntent()
		refused(browser("GET", "/v1/payment_intents/"+pi.ID, ""))

		r := browser("GET", "/v1/payment_intents/"+pi.ID+"?"+withSecret(pi.ID+"_secret_wrong"), "")
		Expect(r.Status).To(Equal(400), r.Text)
		Expect(r.Error()).To(HaveKeyWithValue("code", "payment_intent_invalid_parameter"))
		Expect(r.Error()).To(HaveKeyWithValue("param", "client_secret"))
		Expect(r.Error()["message"]).To(Equal("The client_secret provided does not match any associated PaymentIntent on this account. Ensure the publishable key used belongs to the same account that created the PaymentIntent."))

		other := newIntent()
		Expect(browser("GET", "/v1/payment_intents/"+pi.ID+"?"+withSecret(other.ClientSecret), "").Status).To(Equal(400), "another intent's secret")

		r = browser("GET", "/v1/payment_intents/"+pi.ID+"?"+withSecret(pi.ClientSecret), "")
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body).To(HaveKeyWithValue("id", pi.ID))
		Expect(r.Body).To(HaveKeyWithValue("object", "payment_intent"))
		Expect(r.Body).To(HaveKeyWithValue("status", "requires_payment_method"))
		Expect(r.Body).To(HaveKeyWithValue("client_secret", pi.ClientSecret))
		Expect(r.Body).To(HaveKeyWithValue("amount", BeNumerically("==", 2000)))
		for _, hidden := range []string{"customer", "metadata", "amount_received", "latest_charge", "transfer_data", "on_behalf_of"} {
			Expect(r.Body).NotTo(HaveKey(hidden), "a publishable key is not shown %s", hidden)
		}

		r = Do(emu.URL(), "GET", "/v1/payment_intents/"+pi.ID+"?"+withSecret(pi.ClientSecret), "")
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body).To(HaveKey("customer"), "the secret key sees the whole intent")
		Expect(Do(emu.URL(), "GET", "/v1/payment_intents/"+pi.ID+"?"+withSecret("pi_nope_secret_x"), "").Status).To(Equal(400), "a secret sent with the secret key must match too")
	})

	It("confirms a PaymentIntent with its client_secret, as Stripe.js does, answering the client-side view", func() {
		pi := newIntent()
		confirm := "payment_method_data[type]=card&payment_method_data[card][number]=%s&payment_method_data[card][exp_month]=12&payment_method_data[card][exp_year]=2034&payment_method_data[card][cvc]=123"
		refused(browser("POST", "/v1/payment_intents/"+pi.ID+"/confirm", fmt.Sprintf(confirm, "4242424242424242")))
		Expect(emu.Count("", "payment_method")).To(BeZero(), "the refusal made nothing")

		r := browser("POST", "/v1/payment_intents/"+pi.ID+"/confirm", withSecret(pi.ClientSecret)+"&"+fmt.Sprintf(confirm, "4000000000000002"))
		Expect(r.Status).To(Equal(402), r.Text)
		Expect(r.Error()).To(HaveKeyWithValue("type", "card_error"))
		Expect(r.Error()).To(HaveKeyWithValue("decline_code", "generic_decline"))
		declined := r.Error()["payment_intent"].(map[string]any)
		Expect(declined).To(HaveKeyWithValue("status", "requires_payment_method"))
		Expect(declined).To(HaveKey("last_payment_error"))
		Expect(declined).NotTo(HaveKey("metadata"), "the intent in the refusal is the client-side view too")

		r = browser("POST", "/v1/payment_intents/"+pi.ID+"/confirm", withSecret(pi.ClientSecret)+"&"+fmt.Sprintf(confirm, "4242424242424242"))
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body).To(HaveKeyWithValue("status", "succeeded"))
		Expect(r.Body).NotTo(HaveKey("latest_charge"))
		got, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(got.AmountReceived).To(Equal(int64(2000)))
	})

	// The API reference's setup_future_usage: "If you've already set
	// setup_future_usage and you're performing a request using a publishable
	// key, you can only update the value from on_session to off_session."
	It("lets a confirmation change setup_future_usage only from on_session to off_session", func() {
		saving := func(usage string) *stripe.PaymentIntent {
			GinkgoHelper()
			pi := newIntent()
			pi, err := sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{SetupFutureUsage: stripe.String(usage)})
			Expect(err).NotTo(HaveOccurred())
			return pi
		}
		confirm := func(pi *stripe.PaymentIntent, usage string) Raw {
			GinkgoHelper()
			return browser("POST", "/v1/payment_intents/"+pi.ID+"/confirm", withSecret(pi.ClientSecret)+"&payment_method=pm_card_visa&setup_future_usage="+usage)
		}
		for _, tc := range []struct{ from, to string }{{"off_session", "on_session"}, {"off_session", ""}, {"on_session", ""}} {
			pi := saving(tc.from)
			r := confirm(pi, tc.to)
			Expect(r.Status).To(Equal(400), r.Text)
			Expect(r.Error()).To(HaveKeyWithValue("param", "setup_future_usage"))
			got, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(got.SetupFutureUsage)).To(Equal(tc.from), "nothing changed")
			Expect(got.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		}

		up := saving("on_session")
		r := confirm(up, "off_session")
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body).To(HaveKeyWithValue("setup_future_usage", "off_session"))
		same := saving("off_session")
		r = confirm(same, "off_session")
		Expect(r.Status).To(Equal(200), r.Text)

		// The secret key changes it freely.
		pi := saving("off_session")
		got, err := sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa"), SetupFutureUsage: stripe.String("on_session")})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.SetupFutureUsage).To(Equal(stripe.PaymentIntentSetupFutureUsageOnSession))
	})

	It("confirms into 3-D Secure, whose next_action the client-side view shows", func() {
		pi := newIntent()
		r := browser("POST", "/v1/payment_intents/"+pi.ID+"/confirm", withSecret(pi.ClientSecret)+"&payment_method_data[type]=card&payment_method_data[card][number]=4000002760003184&payment_method_data[card][exp_month]=12&payment_method_data[card][exp_year]=2034")
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body).To(HaveKeyWithValue("status", "requires_action"))
		next := r.Body["next_action"].(map[string]any)
		Expect(next).To(HaveKeyWithValue("type", "use_stripe_sdk"))
		Expect(next["use_stripe_sdk"]).To(HaveKeyWithValue("stripe_js", ContainSubstring("/v1/test_helpers/payment_intents/"+pi.ID+"/authenticate")))
	})

	It("retrieves and confirms a SetupIntent only with its client_secret", func() {
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{
			PaymentMethodTypes: []*string{stripe.String("card")}, Metadata: map[string]string{"plan": "pro"},
		})
		Expect(err).NotTo(HaveOccurred())
		refused(browser("GET", "/v1/setup_intents/"+si.ID, ""))
		r := browser("GET", "/v1/setup_intents/"+si.ID+"?"+withSecret(si.ID+"_secret_wrong"), "")
		Expect(r.Status).To(Equal(400), r.Text)
		Expect(r.Error()).To(HaveKeyWithValue("code", "setup_intent_invalid_parameter"))
		Expect(r.Error()["message"]).To(Equal("The client_secret provided does not match any associated SetupIntent on this account. Ensure the publishable key used belongs to the same account that created the SetupIntent."))

		r = browser("GET", "/v1/setup_intents/"+si.ID+"?"+withSecret(si.ClientSecret), "")
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body).To(HaveKeyWithValue("usage", "off_session"))
		Expect(r.Body).NotTo(HaveKey("metadata"))
		Expect(r.Body).NotTo(HaveKey("customer"))

		refused(browser("POST", "/v1/setup_intents/"+si.ID+"/confirm", "payment_method=pm_card_visa"))
		r = browser("POST", "/v1/setup_intents/"+si.ID+"/confirm", withSecret(si.ClientSecret)+"&payment_method_data[type]=card&"+
			"payment_method_data[card][number]=4242424242424242&payment_method_data[card][exp_month]=12&payment_method_data[card][exp_year]=2034")
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body).To(HaveKeyWithValue("status", "succeeded"))
		Expect(r.Body).NotTo(HaveKey("metadata"))
	})

	// Stripe's client libraries confirm a bank debit's mandate with
	// mandate_data[customer_acceptance][online][infer_from_client]=true
	// (Stripe.js in Stripe's setup guides, the Android and iOS SDKs'
	// MandateDataParams): Stripe takes the address of the browser or app
	// that confirmed instead of an ip_address and user_agent sent.
	It("takes a mandate's acceptance inferred from the client confirming a bank debit, as Stripe's client libraries send it", func() {
		const inferred = "mandate_data[customer_acceptance][type]=online&mandate_data[customer_acceptance][online][infer_from_client]=true"
		const sepa = "payment_method_data[type]=sepa_debit&payment_method_data[sepa_debit][iban]=DE89370400440532013000" +
			"&payment_method_data[billing_details][name]=Jenny%20Rosen&payment_method_data[billing_details][email]=jenny@example.com"
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID),
			PaymentMethodTypes: stripe.StringSlice([]string{"sepa_debit"})})
		Expect(err).NotTo(HaveOccurred())
		r := browser("POST", "/v1/setup_intents/"+si.ID+"/confirm", withSecret(si.ClientSecret)+"&"+sepa+"&"+inferred)
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body).To(HaveKeyWithValue("status", "succeeded"))
		done, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		m, err := sc.V1Mandates.Retrieve(Ctx, done.Mandate.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Status).To(Equal(stripe.MandateStatusActive))
		Expect(m.CustomerAcceptance.Type).To(Equal(stripe.MandateCustomerAcceptanceTypeOnline))
		Expect(m.CustomerAcceptance.Online.IPAddress).To(Equal("127.0.0.1"), "the address the confirmation came from")

		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1500), Currency: stripe.String("eur"),
			Customer: stripe.String(cus.ID), PaymentMethodTypes: stripe.StringSlice([]string{"sepa_debit"})})
		Expect(err).NotTo(HaveOccurred())
		r = browser("POST", "/v1/payment_intents/"+pi.ID+"/confirm", withSecret(pi.ClientSecret)+"&"+sepa+"&"+inferred)
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body).To(HaveKeyWithValue("status", "processing"))

		// A server sends the customer's address and user agent itself.
		si, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID),
			PaymentMethodTypes: stripe.StringSlice([]string{"sepa_debit"})})
		Expect(err).NotTo(HaveOccurred())
		r = Do(emu.URL(), "POST", "/v1/setup_intents/"+si.ID+"/confirm", sepa+"&"+inferred)
		Expect(r.Status).To(Equal(400), r.Text)
		Expect(r.Error()["param"]).To(Equal("mandate_data[customer_acceptance][online][infer_from_client]"))
		got, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SetupIntentStatusRequiresPaymentMethod))
	})

	It("does not confirm a PaymentIntent the server confirms (confirmation_method manual), but handles its action", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(2000), Currency: stripe.String("usd"), PaymentMethodTypes: []*string{stripe.String("card")},
			ConfirmationMethod: stripe.String("manual"), PaymentMethod: stripe.String("pm_card_authenticationRequired"), Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		r := browser("POST", "/v1/payment_intents/"+pi.ID+"/confirm", withSecret(pi.ClientSecret))
		Expect(r.Status).To(Equal(400), r.Text)
		Expect(r.Error()["message"]).To(Equal("This PaymentIntent " + pi.ID + " cannot be confirmed using your publishable key because its `confirmation_method` is set to `manual`. Please use your secret key instead, or create a PaymentIntent with `confirmation_method` set to `automatic`."))
		r = browser("GET", "/v1/payment_intents/"+pi.ID+"?"+withSecret(pi.ClientSecret), "")
		Expect(r.Status).To(Equal(200), "Stripe.js's handleCardAction reads it")
		Expect(r.Body).To(HaveKeyWithValue("confirmation_method", "manual"))
		Expect(r.Body["next_action"]).To(HaveKeyWithValue("type", "use_stripe_sdk"))
	})

	It("works on a connected account named in Stripe-Account, as Stripe.js's stripeAccount sends it", func() {
		acct := Seller(emu, nil).ID
		p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"), PaymentMethodTypes: []*string{stripe.String("card")}}
		p.SetStripeAccount(acct)
		pi, err := sc.V1PaymentIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		onAccount := func(method, path, body string) Raw {
			return Do(emu.URL(), method, path, body, "Authorization", "Bearer "+pk, "Stripe-Account", acct)
		}
		Expect(browser("GET", "/v1/payment_intents/"+pi.ID+"?"+withSecret(pi.ClientSecret), "").Status).To(Equal(404), "not on the platform")
		r := onAccount("POST", "/v1/payment_intents/"+pi.ID+"/confirm", withSecret(pi.ClientSecret)+"&payment_method_data[type]=card&payment_method_data[card][number]=4242424242424242&payment_method_data[card][exp_month]=12&payment_method_data[card][exp_year]=2034")
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body).To(HaveKeyWithValue("status", "succeeded"))
		got, ok := emu.GetIn(acct, pi.ID)
		Expect(ok).To(BeTrue())
		Expect(got["status"]).To(Equal("succeeded"))
	})

	It("is refused everywhere else, with Stripe's message", func() {
		pi := newIntent()
		pm := browser("POST", "/v1/payment_methods", "type=card&"+card)
		Expect(pm.Status).To(Equal(200))
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		for _, req := range []struct{ method, path, body string }{
			{"GET", "/v1/payment_methods/" + pm.Body["id"].(string), ""},
			{"POST", "/v1/payment_methods/" + pm.Body["id"].(string) + "/attach", "customer=" + cus.ID},
			{"POST", "/v1/payment_intents", "amount=100&currency=usd"},
			{"POST", "/v1/payment_intents/" + pi.ID, withSecret(pi.ClientSecret) + "&description=x"},
			{"POST", "/v1/payment_intents/" + pi.ID + "/cancel", withSecret(pi.ClientSecret)},
			{"GET", "/v1/payment_intents", ""},
			{"GET", "/v1/customers/" + cus.ID, ""},
			{"POST", "/v1/tokens", "customer=" + cus.ID},
			{"POST", "/v1/payment_methods", "payment_method=" + pm.Body["id"].(string)},
		} {
			refused(browser(req.method, req.path, req.body))
		}
		Expect(emu.Count("", "payment_method")).To(Equal(1))
		Expect(emu.Count("", "token")).To(BeZero())
	})
})

func newIntentOn(emu *emulator.Emulator) *stripe.PaymentIntent {
	GinkgoHelper()
	pi, err := emu.Client().V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
		Amount: stripe.Int64(2000), Currency: stripe.String("usd"), PaymentMethodTypes: []*string{stripe.String("card")},
	})
	Expect(err).NotTo(HaveOccurred())
	return pi
}
