package payments_test

import (
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Charging a card saved with a SetupIntent later, without the customer:
// the flow behind subscriptions and marketplaces.
var _ = Describe("Charging a saved card off-session", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("later@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})
	// setUp saves card to the customer with a SetupIntent, authenticating
	// it when it asks.
	setUp := func(card string) string {
		GinkgoHelper()
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(card), Confirm: stripe.Bool(true), PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		if si.Status == stripe.SetupIntentStatusRequiresAction {
			_, obj, err := emu.Call("POST", "/v1/test_helpers/setup_intents/"+si.ID+"/authenticate", map[string][]string{"outcome": {"succeed"}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(obj["status"]).To(Equal("succeeded"))
		}
		si, err = sc.V1SetupIntents.Retrieve(Ctx, si.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return si.PaymentMethod.ID
	}
	offSession := func(pm, value string) (*stripe.PaymentIntent, error) {
		p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2500), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true), PaymentMethodTypes: stripe.StringSlice([]string{"card"})}
		// stripe-go types off_session as a boolean; the API also takes
		// the kind of merchant-initiated payment (stripe-node sends it).
		p.AddExtra("off_session", value)
		return sc.V1PaymentIntents.Create(Ctx, p)
	}

	It("takes off_session as recurring or one_off, as the API reference's boolean | string has it", func() {
		pm := setUp("pm_card_authenticationRequiredOnSetup")
		for _, kind := range []string{"recurring", "one_off", "true"} {
			pi, err := offSession(pm, kind)
			Expect(err).NotTo(HaveOccurred(), kind)
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded), kind)
		}

		// A card that always asks is declined off-session whichever kind.
		always := setUp("pm_card_authenticationRequired")
		_, err := offSession(always, "recurring")
		ExpectStripeError(err, 402, "card_error", "authentication_required", "")
		Expect(StripeErr(err).PaymentIntent.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))

		open, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(900), Currency: stripe.String("usd"),
			Customer: stripe.String(cus.ID), PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		cp := &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String(always)}
		cp.AddExtra("off_session", "one_off")
		_, err = sc.V1PaymentIntents.Confirm(Ctx, open.ID, cp)
		ExpectStripeError(err, 402, "card_error", "authentication_required", "")
	})

	// Stripe's words, as integrations quote them (artsy/exchange#484,
	// tastyigniter/ti-ext-payregister#38): nothing is set up off-session.
	It("refuses off_session on an intent with setup_future_usage, changing nothing", func() {
		const msg = "You cannot confirm with the `off_session` parameter when `setup_future_usage` is also set on the PaymentIntent because you cannot set up future usages when processing payments off-session."
		pm := setUp("pm_card_visa")
		intents, events := emu.Count("", "payment_intent"), len(emu.EventTypes(""))
		for _, usage := range []string{"off_session", "on_session"} {
			_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2500), Currency: stripe.String("usd"),
				Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true), OffSession: stripe.Bool(true),
				SetupFutureUsage: stripe.String(usage), PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
			ExpectStripeError(err, 400, "invalid_request_error", "", "off_session")
			Expect(StripeErr(err).Msg).To(Equal(msg))
		}
		Expect(emu.Count("", "payment_intent")).To(Equal(intents))
		Expect(emu.EventTypes("")).To(HaveLen(events))

		open, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(900), Currency: stripe.String("usd"),
			Customer: stripe.String(cus.ID), SetupFutureUsage: stripe.String("off_session"), PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Confirm(Ctx, open.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String(pm), OffSession: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "off_session")
		Expect(StripeErr(err).Msg).To(Equal(msg))
		got, err := sc.V1PaymentIntents.Retrieve(Ctx, open.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(got.PaymentMethod).To(BeNil())

		// Unsetting it on the confirmation lets the payment through.
		cp := &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String(pm), OffSession: stripe.Bool(true)}
		cp.AddExtra("setup_future_usage", "")
		paid, err := sc.V1PaymentIntents.Confirm(Ctx, open.ID, cp)
		Expect(err).NotTo(HaveOccurred())
		Expect(paid.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})

	It("refuses any other word, and off_session without confirm, changing nothing", func() {
		pm := setUp("pm_card_visa")
		intents := emu.Count("", "payment_intent")
		_, err := offSession(pm, "sometimes")
		ExpectStripeError(err, 400, "invalid_request_error", "", "off_session")
		p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2500), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(pm), PaymentMethodTypes: stripe.StringSlice([]string{"card"})}
		p.AddExtra("off_session", "recurring")
		_, err = sc.V1PaymentIntents.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "off_session")
		Expect(StripeErr(err).Msg).To(Equal("You can only pass off_session when confirm=true."))
		Expect(emu.Count("", "payment_intent")).To(Equal(intents))
	})

	// Stripe's guide to charging a saved card later: an off-session
	// payment the bank wants authenticated fails with
	// authentication_required, the error naming the intent; the customer
	// is brought back on-session, where the intent is confirmed again with
	// last_payment_error's method and authenticated.
	It("brings the customer back after an authentication_required decline, confirming the intent the error names on-session", func() {
		always := setUp("pm_card_authenticationRequired")
		_, err := offSession(always, "true")
		ExpectStripeError(err, 402, "card_error", "authentication_required", "")
		se := StripeErr(err)
		Expect(string(se.DeclineCode)).To(Equal("authentication_required"))
		Expect(se.Msg).To(Equal("Your card was declined. This transaction requires authentication."))
		Expect(se.PaymentMethod.ID).To(Equal(always))
		pi := se.PaymentIntent
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(pi.PaymentMethod).To(BeNil())
		Expect(pi.LastPaymentError.Code).To(Equal(stripe.ErrorCodeAuthenticationRequired))
		Expect(pi.LastPaymentError.PaymentMethod.ID).To(Equal(always))
		Expect(emu.EventTypes("")).To(ContainElement("payment_intent.payment_failed"))

		back, err := sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{
			PaymentMethod: stripe.String(pi.LastPaymentError.PaymentMethod.ID), ReturnURL: stripe.String("https://example.com/return")})
		Expect(err).NotTo(HaveOccurred())
		Expect(back.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		Expect(back.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionTypeRedirectToURL))
		Expect(back.LastPaymentError).To(BeNil())
		status, body, err := emu.Call("POST", "/v1/test_helpers/payment_intents/"+pi.ID+"/authenticate", url.Values{"outcome": {"succeed"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["status"]).To(Equal("succeeded"))
	})

	// Stripe's test cards: 4000002500003155 needs no authentication
	// off-session once set up, but on-session payments still ask for it;
	// 4000003800000446 pays off-session as if it had been set up already.
	It("asks a card set up for later to authenticate on-session only, and lets the already-set-up card pay off-session unsaved", func() {
		pm := setUp("pm_card_authenticationRequiredOnSetup")
		onSession := func(errorOnAction bool) (*stripe.PaymentIntent, error) {
			return sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2500), Currency: stripe.String("usd"),
				Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true),
				ErrorOnRequiresAction: stripe.Bool(errorOnAction), PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		}
		pi, err := onSession(false)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionTypeUseStripeSDK))
		_, err = onSession(true)
		ExpectStripeError(err, 402, "card_error", "authentication_required", "")
		paid, err := offSession(pm, "true")
		Expect(err).NotTo(HaveOccurred())
		Expect(paid.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))

		// Attached without a setup, the same card is declined off-session.
		attached, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_authenticationRequiredOnSetup", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = offSession(attached.ID, "true")
		ExpectStripeError(err, 402, "card_error", "authentication_required", "")

		ready, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_authenticationRequiredSetupForOffSession", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		paid, err = offSession(ready.ID, "true")
		Expect(err).NotTo(HaveOccurred())
		Expect(paid.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})
})
