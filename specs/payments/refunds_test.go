package payments_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Refunds as Stripe refuses them: the messages here are the ones Stripe's
// test mode answers (recorded by integrations that quote them), in the
// charge's own currency.
var _ = Describe("Refund refusals", Label("payments", "refunds"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	pay := func(amount int64, currency string, edit ...func(*stripe.PaymentIntentCreateParams)) *stripe.PaymentIntent {
		GinkgoHelper()
		p := &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(amount), Currency: stripe.String(currency),
			PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
		}
		for _, e := range edit {
			e(p)
		}
		pi, err := sc.V1PaymentIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return pi
	}
	refund := func(p *stripe.RefundCreateParams) (*stripe.Refund, error) { return sc.V1Refunds.Create(Ctx, p) }
	// refused asserts err is Stripe's 400 invalid_request_error with this
	// code, param and message ("" where Stripe sends no code or param).
	refused := func(err error, code, param, msg string) {
		GinkgoHelper()
		ExpectStripeError(err, 400, "invalid_request_error", code, param)
		Expect(StripeErr(err).Msg).To(Equal(msg))
	}

	It("names the charge amount before any refund, the unrefunded amount after one, in the charge's currency", func() {
		eur := pay(5000, "eur")
		_, err := refund(&stripe.RefundCreateParams{PaymentIntent: stripe.String(eur.ID), Amount: stripe.Int64(6000)})
		refused(err, "", "amount", "Refund amount (€60.00) is greater than charge amount (€50.00)")

		_, err = refund(&stripe.RefundCreateParams{Charge: stripe.String(eur.LatestCharge.ID), Amount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		_, err = refund(&stripe.RefundCreateParams{Charge: stripe.String(eur.LatestCharge.ID), Amount: stripe.Int64(4500)})
		refused(err, "", "amount", "Refund amount (€45.00) is greater than unrefunded amount on charge (€40.00)")

		jpy := pay(5000, "jpy")
		_, err = refund(&stripe.RefundCreateParams{PaymentIntent: stripe.String(jpy.ID), Amount: stripe.Int64(6000)})
		refused(err, "", "amount", "Refund amount (¥6,000) is greater than charge amount (¥5,000)")
		Expect(emu.Count("", "refund")).To(Equal(1))
	})

	It("refuses an amount below 1 before looking at the charge", func() {
		ch := pay(2000, "usd").LatestCharge.ID
		for _, bad := range []int64{0, -5} {
			_, err := refund(&stripe.RefundCreateParams{Charge: stripe.String(ch), Amount: stripe.Int64(bad)})
			refused(err, "parameter_invalid_integer", "amount", "This value must be greater than or equal to 1.")
			_, err = refund(&stripe.RefundCreateParams{Charge: stripe.String("ch_missing"), Amount: stripe.Int64(bad)})
			refused(err, "parameter_invalid_integer", "amount", "This value must be greater than or equal to 1.")
		}
		Expect(emu.Count("", "refund")).To(BeZero())
	})

	It("asks for a charge or a PaymentIntent when given neither", func() {
		_, err := refund(&stripe.RefundCreateParams{Amount: stripe.Int64(100)})
		refused(err, "", "", "One of the following params should be provided for this request: payment_intent or charge.")
	})

	It("names the PaymentIntent that has no successful charge, and sends an uncaptured charge's caller to cancel it", func() {
		held := pay(3300, "usd", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
		_, err := refund(&stripe.RefundCreateParams{PaymentIntent: stripe.String(held.ID)})
		refused(err, "charge_not_refundable", "payment_intent", "This PaymentIntent ("+held.ID+") does not have a successful charge to refund.")

		_, err = refund(&stripe.RefundCreateParams{Charge: stripe.String(held.LatestCharge.ID), Amount: stripe.Int64(100)})
		refused(err, "charge_not_refundable", "charge", "This uncaptured Charge was created by a PaymentIntent ("+held.ID+"). "+
			"You must cancel the PaymentIntent to reverse the authorization instead of refunding the Charge directly. "+
			"For more information, see https://stripe.com/docs/payments/place-a-hold-on-a-payment-method")

		unpaid, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(900), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		_, err = refund(&stripe.RefundCreateParams{PaymentIntent: stripe.String(unpaid.ID)})
		refused(err, "charge_not_refundable", "payment_intent", "This PaymentIntent ("+unpaid.ID+") does not have a successful charge to refund.")
		Expect(emu.Count("", "refund")).To(BeZero())
	})
})
