package payments_test

import (
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
})
