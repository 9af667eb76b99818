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

var _ = Describe("Checkout with Bacs Direct Debit", Label("checkout", "payments"), func() {
	var (
		emu    *emulator.Emulator
		sc     *stripe.Client
		pounds *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		pounds, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("gbp"), UnitAmount: stripe.Int64(2000),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Ticket")}})
		Expect(err).NotTo(HaveOccurred())
	})

	It("completes unpaid, then async_payment_succeeded or _failed as the debit settles", func() {
		for _, pm := range []string{"pm_bacs_debit", "pm_bacs_debit_fail"} {
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(pounds.ID), Quantity: stripe.Int64(1)}},
				PaymentMethodTypes: []*string{stripe.String("bacs_debit")},
			})
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.Events(""))
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {pm}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["payment_status"]).To(Equal("unpaid"))
			emu.Clock().Advance(4 * time.Minute)
			types := sessionEventsSince(emu, mark)
			if pm == "pm_bacs_debit" {
				Expect(types).To(Equal([]string{"checkout.session.completed", "checkout.session.async_payment_succeeded"}))
			} else {
				Expect(types).To(Equal([]string{"checkout.session.completed", "checkout.session.async_payment_failed"}))
			}
		}
	})

	It("refuses bacs_debit in setup mode by name", func() {
		_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("setup"), Currency: stripe.String("gbp"), SuccessURL: stripe.String("https://shop.example/ok"),
			PaymentMethodTypes: []*string{stripe.String("bacs_debit")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate"))
	})
})
