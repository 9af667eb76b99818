package checkout_test

import (
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Checkout with pre-authorized debits", Label("checkout", "payments"), func() {
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		loonies *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		loonies, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("cad"), UnitAmount: stripe.Int64(2000),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Ticket")}})
		Expect(err).NotTo(HaveOccurred())
	})

	It("completes unpaid, then async_payment_succeeded or _failed as the debit settles", func() {
		for _, pm := range []string{"pm_acss_debit", "pm_acss_debit_fail"} {
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(loonies.ID), Quantity: stripe.Int64(1)}},
				PaymentMethodTypes: []*string{stripe.String("acss_debit")},
			})
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.Events(""))
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {pm}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["payment_status"]).To(Equal("unpaid"))
			done, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, &stripe.CheckoutSessionRetrieveParams{})
			Expect(err).NotTo(HaveOccurred())
			pi, err := sc.V1PaymentIntents.Retrieve(Ctx, done.PaymentIntent.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
			ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.PaymentMethodDetails.ACSSDebit.TransitNumber).To(Equal("11000"))
			emu.Clock().Advance(4 * time.Minute)
			types := sessionEventsSince(emu, mark)
			if pm == "pm_acss_debit" {
				Expect(types).To(Equal([]string{"checkout.session.completed", "checkout.session.async_payment_succeeded"}))
			} else {
				Expect(types).To(Equal([]string{"checkout.session.completed", "checkout.session.async_payment_failed"}))
			}
		}
	})

	It("refuses acss_debit in setup mode by name, and a session in another currency", func() {
		_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("setup"), Currency: stripe.String("cad"), SuccessURL: stripe.String("https://shop.example/ok"),
			PaymentMethodTypes: []*string{stripe.String("acss_debit")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate"))

		eur, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(2000),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Ticket")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(eur.ID), Quantity: stripe.Int64(1)}},
			PaymentMethodTypes: []*string{stripe.String("acss_debit")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
	})
})
