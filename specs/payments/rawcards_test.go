package payments_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Stripe refuses card numbers sent to its API by an account without access
// to the raw card data APIs, which new accounts lack in test mode too: an
// app that works only because it sends numbers fails there. The emulator
// accepts numbers by default (as stripe-mock does and older accounts may);
// WithRawCardDataRefused makes it refuse them as Stripe does.
var _ = Describe("Raw card data", Label("payments", "cards"), func() {
	const refusal = "Sending credit card numbers directly to the Stripe API is generally unsafe. We suggest you use test tokens that map to the test card you are using, see https://stripe.com/docs/testing. To enable raw card data APIs in test mode, see https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis."
	const card = "card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2034&card[cvc]=123"

	It("is accepted by default", func() {
		emu := Emulator()
		r := Do(emu.URL(), "POST", "/v1/payment_methods", "type=card&"+card)
		Expect(r.Status).To(Equal(200))
		Expect(r.Body["card"].(map[string]any)["last4"]).To(Equal("4242"))
	})

	When("the emulator refuses raw card data", func() {
		var emu *emulator.Emulator
		BeforeEach(func() { emu = Emulator(emulator.WithRawCardDataRefused()) })

		It("refuses a number wherever one is sent, with Stripe's 402, and makes nothing", func() {
			cus, err := emu.Client().V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
			Expect(err).NotTo(HaveOccurred())
			for _, req := range []struct{ path, body string }{
				{"/v1/payment_methods", "type=card&" + card},
				{"/v1/tokens", card},
				{"/v1/payment_intents", "amount=1000&currency=usd&confirm=true&payment_method_types[]=card&payment_method_data[type]=card&payment_method_data[card][number]=4242424242424242&payment_method_data[card][exp_month]=12&payment_method_data[card][exp_year]=2034"},
				{"/v1/setup_intents", "payment_method_types[]=card&payment_method_data[type]=card&payment_method_data[card][number]=4242424242424242&payment_method_data[card][exp_month]=12&payment_method_data[card][exp_year]=2034"},
				{"/v1/charges", "amount=1000&currency=usd&source[object]=card&source[number]=4242424242424242&source[exp_month]=12&source[exp_year]=2034"},
				{"/v1/customers/" + cus.ID + "/sources", "source[object]=card&source[number]=4242424242424242&source[exp_month]=12&source[exp_year]=2034"},
			} {
				r := Do(emu.URL(), "POST", req.path, req.body)
				Expect(r.Status).To(Equal(402), "%s", req.path)
				Expect(r.Body).To(Equal(map[string]any{"error": map[string]any{
					"type": "invalid_request_error", "message": refusal,
					"request_log_url": r.Error()["request_log_url"],
				}}), "%s: Stripe's error names neither a code nor a parameter", req.path)
			}
			for _, typ := range []string{"payment_method", "token", "payment_intent", "setup_intent", "card", "charge"} {
				Expect(emu.Count("", typ)).To(BeZero(), typ)
			}
			Expect(emu.Count("", "customer")).To(Equal(1), "only the customer made before")
		})

		It("reaches stripe-go as an invalid request answered 402", func() {
			_, err := emu.Client().V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
				Type: stripe.String("card"),
				Card: &stripe.PaymentMethodCreateCardParams{Number: stripe.String("4242424242424242"), ExpMonth: stripe.Int64(12), ExpYear: stripe.Int64(2034)},
			})
			ExpectStripeError(err, 402, "invalid_request_error", "", "")
			Expect(StripeErr(err).Msg).To(Equal(refusal))
		})

		It("still takes Stripe's test PaymentMethods and tokens", func() {
			sc := emu.Client()
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(1000), Currency: stripe.String("usd"), PaymentMethod: stripe.String("pm_card_visa"),
				PaymentMethodTypes: []*string{stripe.String("card")}, Confirm: stripe.Bool(true),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
				Type: stripe.String("card"), Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String("tok_visa")},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(pm.Card.Last4).To(Equal("4242"))
			cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Source: stripe.String("tok_mastercard")})
			Expect(err).NotTo(HaveOccurred())
			Expect(cus.DefaultSource.ID).To(HavePrefix("card_"))
		})
	})
})
