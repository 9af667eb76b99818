package payments_test

import (
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Link, Stripe's saved-details wallet: many integrations (Stripe's own
// samples) send payment_method_types card and link. The intents take it
// and show its options as Stripe's do; its PaymentMethods come only from
// Link's own sign-in flow in Stripe.js or Checkout, which the emulator
// does not offer.
var _ = Describe("Link", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	cardAndLink := []*string{stripe.String("card"), stripe.String("link")}

	It("is offered beside cards by a PaymentIntent, which shows its options as Stripe's do and still pays by card", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(2000), Currency: stripe.String("usd"), PaymentMethodTypes: cardAndLink,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.PaymentMethodTypes).To(Equal([]string{"card", "link"}))
		Expect(pi.PaymentMethodOptions.Link).NotTo(BeNil())
		Expect(pi.PaymentMethodOptions.Card.RequestThreeDSecure).To(Equal(stripe.PaymentIntentPaymentMethodOptionsCardRequestThreeDSecureAutomatic))
		// Stripe's PaymentIntents listing link show its deprecated token, null.
		status, body, err := emu.Call("GET", "/v1/payment_intents/"+pi.ID, nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		Expect(body["payment_method_options"].(map[string]any)["link"]).To(Equal(map[string]any{"persistent_token": nil}))

		pi, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.PaymentMethodDetails.Type).To(Equal(stripe.ChargePaymentMethodDetailsTypeCard))
	})

	It("takes payment_method_options[link] (a manual capture, saving off-session) and shows them", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(2000), Currency: stripe.String("eur"), PaymentMethodTypes: cardAndLink,
			PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Link: &stripe.PaymentIntentCreatePaymentMethodOptionsLinkParams{
				CaptureMethod: stripe.String("manual"), SetupFutureUsage: stripe.String("off_session"),
			}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.PaymentMethodOptions.Link.CaptureMethod).To(Equal(stripe.PaymentIntentPaymentMethodOptionsLinkCaptureMethodManual))
		Expect(pi.PaymentMethodOptions.Link.SetupFutureUsage).To(Equal(stripe.PaymentIntentPaymentMethodOptionsLinkSetupFutureUsageOffSession))
		Expect(pi.CaptureMethod).To(Equal(stripe.PaymentIntentCaptureMethodAutomaticAsync), "the link option is link's own")

		// A card still pays as the intent captures it: automatically.
		pi, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))

		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(2000), Currency: stripe.String("usd"), PaymentMethodTypes: cardAndLink,
			PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Link: &stripe.PaymentIntentCreatePaymentMethodOptionsLinkParams{
				SetupFutureUsage: stripe.String("on_session"),
			}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_options[link][setup_future_usage]")
	})

	It("is offered beside cards by a SetupIntent, which shows its options and still sets up a card", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID), PaymentMethodTypes: cardAndLink})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.PaymentMethodTypes).To(Equal([]string{"card", "link"}))
		status, body, err := emu.Call("GET", "/v1/setup_intents/"+si.ID, nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		Expect(body["payment_method_options"].(map[string]any)["link"]).To(Equal(map[string]any{"persistent_token": nil}))

		si, err = sc.V1SetupIntents.Confirm(Ctx, si.ID, &stripe.SetupIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
	})

	It("refuses to make a Link PaymentMethod by name, explaining where Stripe makes them, making nothing", func() {
		for _, call := range []func() error{
			func() error {
				_, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("link")})
				return err
			},
			func() error {
				_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
					Amount: stripe.Int64(2000), Currency: stripe.String("usd"), PaymentMethodTypes: cardAndLink,
					PaymentMethodData: &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("link")},
				})
				return err
			},
		} {
			err := call()
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
			Expect(StripeErr(err).Msg).To(ContainSubstring("Link PaymentMethods"))
			Expect(StripeErr(err).Msg).To(ContainSubstring("Stripe.js"))
		}
		status, _, err := emu.Call("POST", "/v1/payment_methods", url.Values{"type": {"link"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(400))
		Expect(emu.Count("", "payment_method")).To(BeZero())
		Expect(emu.Count("", "payment_intent")).To(BeZero())
	})
})
