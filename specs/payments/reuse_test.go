package payments_test

import (
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// A PaymentMethod attached to no customer pays once. Stripe refuses to let
// it pay again or be attached afterwards, and a detached one likewise: the
// error an integration meets when it charges a saved card it never attached.
var _ = Describe("PaymentMethods used without a customer", Label("payments"), func() {
	const (
		reuse    = "The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first."
		reattach = "This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again."
	)
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("reuse@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})
	newCard := func() *stripe.PaymentMethod {
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"),
			Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String("tok_visa")}})
		Expect(err).NotTo(HaveOccurred())
		return pm
	}
	pay := func(pm string, edit func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
		p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1500), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true), PaymentMethodTypes: stripe.StringSlice([]string{"card"})}
		if edit != nil {
			edit(p)
		}
		return sc.V1PaymentIntents.Create(Ctx, p)
	}

	It("pays once, then refuses to pay again or be attached, changing nothing", func() {
		pm := newCard()
		pi, err := pay(pm.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		intents, events := emu.Count("", "payment_intent"), len(emu.EventTypes(""))

		_, err = pay(pm.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method")
		Expect(StripeErr(err).Msg).To(Equal(reuse))
		Expect(emu.Count("", "payment_intent")).To(Equal(intents))
		Expect(emu.EventTypes("")).To(HaveLen(events))

		open, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(700), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Confirm(Ctx, open.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String(pm.ID)})
		Expect(StripeErr(err).Msg).To(Equal(reuse))

		_, err = sc.V1PaymentMethods.Attach(Ctx, pm.ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal(reattach))
		after, err := sc.V1PaymentMethods.Retrieve(Ctx, pm.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(after.Customer).To(BeNil())
	})

	It("is used up by an authorization too", func() {
		pm := newCard()
		pi, err := pay(pm.ID, func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
		_, err = pay(pm.ID, nil)
		Expect(StripeErr(err).Msg).To(Equal(reuse))
	})

	It("pays again and again once saved to a customer, by attaching it or with setup_future_usage", func() {
		attached := newCard()
		_, err := sc.V1PaymentMethods.Attach(Ctx, attached.ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		saved := newCard()
		_, err = pay(saved.ID, func(p *stripe.PaymentIntentCreateParams) {
			p.Customer = stripe.String(cus.ID)
			p.SetupFutureUsage = stripe.String("off_session")
		})
		Expect(err).NotTo(HaveOccurred())
		for _, pm := range []string{attached.ID, saved.ID, attached.ID, saved.ID} {
			pi, err := pay(pm, func(p *stripe.PaymentIntentCreateParams) {
				p.Customer = stripe.String(cus.ID)
				p.OffSession = stripe.Bool(true)
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		}
	})

	// The API reference's setup_future_usage: "If you don't provide a
	// Customer, you can still attach the payment method to a Customer after
	// the transaction completes."
	It("can still be attached after a payment with setup_future_usage and no customer, then pays for that customer", func() {
		pm := newCard()
		pi, err := pay(pm.ID, func(p *stripe.PaymentIntentCreateParams) { p.SetupFutureUsage = stripe.String("off_session") })
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		got, err := sc.V1PaymentMethods.Retrieve(Ctx, pm.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Customer).To(BeNil(), "no customer to save it to")

		// Not attached, it does not pay again.
		_, err = pay(pm.ID, nil)
		Expect(StripeErr(err).Msg).To(Equal(reuse))

		attached, err := sc.V1PaymentMethods.Attach(Ctx, pm.ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(attached.Customer.ID).To(Equal(cus.ID))
		again, err := pay(pm.ID, func(p *stripe.PaymentIntentCreateParams) {
			p.Customer = stripe.String(cus.ID)
			p.OffSession = stripe.Bool(true)
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})

	It("is used up by a payment the customer authenticated with 3-D Secure too", func() {
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"),
			Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String("tok_threeDSecure2Required")}})
		Expect(err).NotTo(HaveOccurred())
		pi, err := pay(pm.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		status, body, err := emu.Call("POST", "/v1/test_helpers/payment_intents/"+pi.ID+"/authenticate", url.Values{"outcome": {"succeed"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["status"]).To(Equal("succeeded"))

		_, err = pay(pm.ID, nil)
		Expect(StripeErr(err).Msg).To(Equal(reuse))
		_, err = sc.V1PaymentMethods.Attach(Ctx, pm.ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(StripeErr(err).Msg).To(Equal(reattach))
	})

	It("is used up by a payment for a customer that does not save it", func() {
		pm := newCard()
		_, err := pay(pm.ID, func(p *stripe.PaymentIntentCreateParams) { p.Customer = stripe.String(cus.ID) })
		Expect(err).NotTo(HaveOccurred())
		_, err = pay(pm.ID, func(p *stripe.PaymentIntentCreateParams) { p.Customer = stripe.String(cus.ID) })
		Expect(StripeErr(err).Msg).To(Equal(reuse))
	})

	It("refuses a detached PaymentMethod for payments and attachments", func() {
		pm := newCard()
		_, err := sc.V1PaymentMethods.Attach(Ctx, pm.ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentMethods.Detach(Ctx, pm.ID, nil)
		Expect(err).NotTo(HaveOccurred())

		_, err = pay(pm.ID, nil)
		Expect(StripeErr(err).Msg).To(Equal(reuse))
		_, err = sc.V1PaymentMethods.Attach(Ctx, pm.ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(StripeErr(err).Msg).To(Equal(reattach))
	})

	It("leaves a magic test id usable every time: each use is a new PaymentMethod", func() {
		for range 3 {
			_, err := pay("pm_card_visa", nil)
			Expect(err).NotTo(HaveOccurred())
		}
	})
})
