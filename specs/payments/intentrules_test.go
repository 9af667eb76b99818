package payments_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// eventsSinceIn are the types of the events emu recorded after the first
// mark ones.
func eventsSinceIn(emu *emulator.Emulator, mark int) []string { return emu.EventTypes("")[mark:] }

// What Stripe refuses along a PaymentIntent's or SetupIntent's life, in
// Stripe's words, as an integration meets it beyond the plain card payment.
var _ = Describe("Intent lifecycle refusals", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	card := func(extra func(*stripe.PaymentIntentCreateParams)) *stripe.PaymentIntent {
		GinkgoHelper()
		p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
			PaymentMethodTypes: []*string{stripe.String("card")}, PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)}
		if extra != nil {
			extra(p)
		}
		pi, err := sc.V1PaymentIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return pi
	}
	manual := func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") }

	DescribeTable("refuses an amount below the currency's minimum charge, or above eight digits, in Stripe's words, creating nothing",
		func(amount int64, cur, code, message string) {
			_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(amount), Currency: stripe.String(cur)})
			ExpectStripeError(err, 400, "invalid_request_error", code, "amount")
			Expect(StripeErr(err).Msg).To(Equal(message))
			Expect(emu.Count("", "payment_intent")).To(BeZero())
		},
		Entry("49 cents", int64(49), "usd", "amount_too_small", "Amount must be at least $0.50 usd"),
		Entry("29 pence", int64(29), "gbp", "amount_too_small", "Amount must be at least £0.30 gbp"),
		Entry("¥49: yen are whole units, with a minimum of ¥50", int64(49), "jpy", "amount_too_small", "Amount must be at least ¥50 jpy"),
		Entry("HK$3.99", int64(399), "hkd", "amount_too_small", "Amount must be at least HK$4.00 hkd"),
		Entry("nine digits", int64(100000000), "usd", "amount_too_large", "Amount must be no more than $999,999.99 usd"),
	)

	// docs.stripe.com/currencies#three-decimal: the API takes BHD, JOD,
	// KWD, OMR and TND in thousandths, but PaymentIntents (and the other
	// payment flows) require the last digit to be 0. Stripe's message is
	// not documented; the wording is the emulator's.
	It("refuses a three-decimal currency's amount whose last digit is not 0, on create and update alike, changing nothing", func() {
		for _, cur := range []string{"bhd", "jod", "kwd", "omr", "tnd"} {
			_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(5124), Currency: stripe.String(cur)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "amount")
			Expect(StripeErr(err).Msg).To(Equal("Amounts in " + cur + " must be divisible by 10 (their last digit must be 0): 5124 is not. Round to the nearest ten, such as 5120 or 5130."))
		}
		Expect(emu.Count("", "payment_intent")).To(BeZero())

		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(5120), Currency: stripe.String("kwd")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{Amount: stripe.Int64(5125)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "amount")
		usd, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2005), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Update(Ctx, usd.ID, &stripe.PaymentIntentUpdateParams{Currency: stripe.String("bhd")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "amount")

		again, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Amount).To(Equal(int64(5120)))
		again, err = sc.V1PaymentIntents.Retrieve(Ctx, usd.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Currency).To(Equal(stripe.CurrencyUSD))
		Expect(again.Amount).To(Equal(int64(2005)))

		// Whole tens go through, confirmed with a card.
		_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{Amount: stripe.Int64(5130)})
		Expect(err).NotTo(HaveOccurred())
		done, err := sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(done.AmountReceived).To(Equal(int64(5130)))

		// The page names Refunds too: a partial refund in thousandths is
		// refused, one in whole tens taken.
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1005)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "amount")
		Expect(emu.Count("", "refund")).To(BeZero())
		refund, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1010)})
		Expect(err).NotTo(HaveOccurred())
		Expect(refund.Amount).To(Equal(int64(1010)))
	})

	// Stripe's support article "Deprecation of fractional ISK charges and
	// refunds": since April 2023 ISK stays two-decimal in the API but its
	// amounts must be whole krónur (multiples of 100), in Payment Intents
	// and refunds, refused with invalid_charge_amount_no_decimal_compatible.
	It("refuses an ISK amount that is not whole krónur, on create, update, a new currency and a refund, in Stripe's words, changing nothing", func() {
		const msg = "Invalid amount. Currency ISK has become effectively zero-decimal and charged amounts must be evenly divisible by 100. See https://stripe.com/docs/currencies#special-cases for more information."
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(4010), Currency: stripe.String("isk")})
		ExpectStripeError(err, 400, "invalid_request_error", "invalid_charge_amount_no_decimal_compatible", "amount")
		Expect(StripeErr(err).Msg).To(Equal(msg))
		Expect(emu.Count("", "payment_intent")).To(BeZero())

		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(4000), Currency: stripe.String("isk")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{Amount: stripe.Int64(4150)})
		ExpectStripeError(err, 400, "invalid_request_error", "invalid_charge_amount_no_decimal_compatible", "amount")
		usd, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2050), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Update(Ctx, usd.ID, &stripe.PaymentIntentUpdateParams{Currency: stripe.String("isk")})
		ExpectStripeError(err, 400, "invalid_request_error", "invalid_charge_amount_no_decimal_compatible", "amount")
		again, err := sc.V1PaymentIntents.Retrieve(Ctx, usd.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Currency).To(Equal(stripe.CurrencyUSD))

		done, err := sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(done.AmountReceived).To(Equal(int64(4000)))
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1050)})
		ExpectStripeError(err, 400, "invalid_request_error", "invalid_charge_amount_no_decimal_compatible", "amount")
		Expect(emu.Count("", "refund")).To(BeZero())
		refund, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(refund.Amount).To(Equal(int64(1000)))
	})

	It("takes each currency's minimum itself", func() {
		for cur, min := range map[string]int64{"usd": 50, "gbp": 30, "jpy": 50, "hkd": 400, "eur": 50} {
			_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(min), Currency: stripe.String(cur)})
			Expect(err).NotTo(HaveOccurred(), cur)
		}
	})

	It("refuses to lower an intent's amount below the minimum on update, keeping the amount", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(5000), Currency: stripe.String("jpy")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{Amount: stripe.Int64(10)})
		ExpectStripeError(err, 400, "invalid_request_error", "amount_too_small", "amount")
		Expect(StripeErr(err).Msg).To(Equal("Amount must be at least ¥50 jpy"))
		again, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Amount).To(Equal(int64(5000)))
	})

	It("refuses a currency Stripe does not support, and one the intent's payment method types do not take, on create and update alike", func() {
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("xyz")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency")
		Expect(StripeErr(err).Msg).To(HavePrefix("Invalid currency: xyz. Stripe currently supports these currencies: usd, aed,"))
		Expect(emu.Count("", "payment_intent")).To(BeZero())

		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("eur"),
			PaymentMethodTypes: []*string{stripe.String("sepa_debit")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{Currency: stripe.String("xyz")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency")
		_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{Currency: stripe.String("usd")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency")
		Expect(StripeErr(err).Msg).To(Equal("The currency provided (usd) is invalid for one or more payment method types on this PaymentIntent. The payment method type sepa_debit only supports the following currencies: eur."))
		again, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Currency).To(Equal(stripe.CurrencyEUR))

		pi, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{Currency: stripe.String("usd"), PaymentMethodTypes: []*string{stripe.String("card")}})
		Expect(err).NotTo(HaveOccurred(), "the types and the currency change together")
		Expect(pi.Currency).To(Equal(stripe.CurrencyUSD))
	})

	It("holds a card payment for capture when the card's own capture_method says manual, whatever the intent's", func() {
		pi := card(func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{
				CaptureMethod: stripe.String("manual")}}
			p.AddExpand("latest_charge")
		})
		Expect(pi.CaptureMethod).To(Equal(stripe.PaymentIntentCaptureMethodAutomaticAsync))
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
		Expect(pi.AmountCapturable).To(Equal(int64(2000)))
		Expect(pi.LatestCharge.Captured).To(BeFalse())
		Expect(pi.LatestCharge.PaymentMethodDetails.Card.CaptureBefore).NotTo(BeZero())
		pi, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(1500)})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(pi.AmountReceived).To(Equal(int64(1500)))

		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
			PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{
				CaptureMethod: stripe.String("automatic")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_options[card][capture_method]")
	})

	It("refuses to capture more than is capturable in Stripe's words, with the intent, changing nothing", func() {
		pi := card(manual)
		mark := len(emu.EventTypes(""))
		_, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(2001)})
		ExpectStripeError(err, 400, "invalid_request_error", "amount_too_large", "amount_to_capture")
		se := StripeErr(err)
		Expect(se.Msg).To(HavePrefix("The payment could not be captured because the requested capture amount is greater than the amount you can capture for this charge."))
		Expect(se.PaymentIntent).NotTo(BeNil())
		Expect(se.PaymentIntent.ID).To(Equal(pi.ID))
		Expect(se.PaymentIntent.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
		Expect(emu.EventTypes("")).To(HaveLen(mark))
	})

	It("names the intent in its unexpected-state refusals, as Stripe's error bodies do", func() {
		pi := card(nil)
		for _, call := range []func() error{
			func() error { _, err := sc.V1PaymentIntents.Cancel(Ctx, pi.ID, nil); return err },
			func() error { _, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, nil); return err },
			func() error { _, err := sc.V1PaymentIntents.Confirm(Ctx, pi.ID, nil); return err },
		} {
			err := call()
			ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "")
			se := StripeErr(err)
			Expect(se.PaymentIntent).NotTo(BeNil(), se.Msg)
			Expect(se.PaymentIntent.ID).To(Equal(pi.ID))
			Expect(se.PaymentIntent.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		}
		_, err := sc.V1PaymentIntents.Cancel(Ctx, pi.ID, nil)
		Expect(StripeErr(err).Msg).To(Equal("You cannot cancel this PaymentIntent because it has a status of succeeded. " +
			"Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing."))
		// The answer integrations match on to tell a double submit.
		_, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(StripeErr(err).Msg).To(Equal("You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed."))
	})

	It("names the intent it refuses to confirm without a payment method, PaymentIntent and SetupIntent alike", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(500), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "")
		Expect(StripeErr(err).Msg).To(HavePrefix("You cannot confirm this PaymentIntent because it's missing a payment method."))
		Expect(StripeErr(err).PaymentIntent.ID).To(Equal(pi.ID))

		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SetupIntents.Confirm(Ctx, si.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "setup_intent_unexpected_state", "")
		Expect(StripeErr(err).Msg).To(Equal("You cannot confirm this SetupIntent because it's missing a payment method. Update the SetupIntent with a payment method and then confirm it again."))
		Expect(StripeErr(err).SetupIntent.ID).To(Equal(si.ID))
		Expect(StripeErr(err).SetupIntent.LatestAttempt).To(BeNil())
	})

	// stripe-go's update params: "To unset this field to null, pass in an
	// empty string."
	It("unsets an intent's payment method sent empty on update, back to requires_payment_method", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(500), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresConfirmation))
		pi, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{PaymentMethod: stripe.String("")})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.PaymentMethod).To(BeNil())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))

		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
			PaymentMethod: stripe.String("pm_card_threeDSecure2Required"), Confirm: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresAction))
		si, err = sc.V1SetupIntents.Update(Ctx, si.ID, &stripe.SetupIntentUpdateParams{PaymentMethod: stripe.String("")})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.PaymentMethod).To(BeNil())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresPaymentMethod))
		Expect(si.NextAction).To(BeNil())
	})

	It("refuses values Stripe does not take for the settings an intent keeps, creating nothing", func() {
		refused := func(param string, set func(*stripe.PaymentIntentCreateParams)) {
			GinkgoHelper()
			p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd")}
			set(p)
			_, err := sc.V1PaymentIntents.Create(Ctx, p)
			ExpectStripeError(err, 400, "invalid_request_error", "", param)
			Expect(StripeErr(err).Msg).To(HavePrefix("Invalid " + param + ": must be one of"))
		}
		refused("capture_method", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("later") })
		refused("confirmation_method", func(p *stripe.PaymentIntentCreateParams) { p.ConfirmationMethod = stripe.String("sometimes") })
		refused("setup_future_usage", func(p *stripe.PaymentIntentCreateParams) { p.SetupFutureUsage = stripe.String("forever") })
		refused("automatic_payment_methods[allow_redirects]", func(p *stripe.PaymentIntentCreateParams) {
			p.AutomaticPaymentMethods = &stripe.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true), AllowRedirects: stripe.String("sometimes")}
		})
		refused("payment_method_options[card][request_three_d_secure]", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{RequestThreeDSecure: stripe.String("always")}}
		})
		Expect(emu.Count("", "payment_intent")).To(BeZero())

		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{CaptureMethod: stripe.String("later")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "capture_method")
		pi, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{CaptureMethod: stripe.String("manual")})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.CaptureMethod).To(Equal(stripe.PaymentIntentCaptureMethodManual))

		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{FlowDirections: []*string{stripe.String("sideways")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "flow_directions[0]")
		Expect(emu.Count("", "setup_intent")).To(BeZero())
	})

	It("needs confirming again once its payment method changes while it waits for authentication", func() {
		pi := card(func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethod = stripe.String("pm_card_threeDSecure2Required")
		})
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		pi, err := sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresConfirmation))
		Expect(pi.NextAction).To(BeNil())
		err = Legacy(emu, "POST", "/v1/test_helpers/payment_intents/"+pi.ID+"/authenticate", "", nil)
		ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "")
		pi, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))

		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("card")},
			PaymentMethod: stripe.String("pm_card_threeDSecure2Required"), Confirm: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresAction))
		si, err = sc.V1SetupIntents.Update(Ctx, si.ID, &stripe.SetupIntentUpdateParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresConfirmation))
		Expect(si.NextAction).To(BeNil())
	})

	It("fails a redirect payment's attempt with payment_intent_action_required when error_on_requires_action is set", func() {
		mark := len(emu.EventTypes(""))
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("eur"),
			PaymentMethodTypes: []*string{stripe.String("ideal")}, Confirm: stripe.Bool(true), ErrorOnRequiresAction: stripe.Bool(true),
			ReturnURL:         stripe.String("https://example.com/return"),
			PaymentMethodData: &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("ideal")}})
		ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_action_required", "")
		se := StripeErr(err)
		Expect(se.Msg).To(HavePrefix("The provided payment method requires customer actions to complete, but `error_on_requires_action` was set."))
		Expect(se.PaymentIntent).NotTo(BeNil())
		Expect(se.PaymentIntent.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(string(se.PaymentIntent.LastPaymentError.Code)).To(Equal("payment_intent_action_required"))
		Expect(se.PaymentIntent.NextAction).To(BeNil())
		Expect(eventsSinceIn(emu, mark)).To(Equal([]string{"payment_intent.created", "payment_intent.payment_failed"}))
	})

	It("authenticates a card that supports 3-D Secure when the intent asks for it with request_three_d_secure", func() {
		ask := &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{
			RequestThreeDSecure: stripe.String("any")}}
		pi := card(func(p *stripe.PaymentIntentCreateParams) { p.PaymentMethodOptions = ask })
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction), "4242… supports 3-D Secure")
		Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionTypeUseStripeSDK))
		var done stripe.PaymentIntent
		Expect(Legacy(emu, "POST", "/v1/test_helpers/payment_intents/"+pi.ID+"/authenticate", "outcome=succeed", &done)).To(Succeed())
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))

		pi = card(func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodOptions = ask
			p.PaymentMethod = stripe.String("pm_card_amex_threeDSecureNotSupported")
		})
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded), "a card without 3-D Secure is charged as it is")

		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("card")},
			PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			PaymentMethodOptions: &stripe.SetupIntentCreatePaymentMethodOptionsParams{Card: &stripe.SetupIntentCreatePaymentMethodOptionsCardParams{
				RequestThreeDSecure: stripe.String("challenge")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresAction))
	})

	Describe("manual confirmation", func() {
		authenticate := func(id, outcome string) *stripe.PaymentIntent {
			GinkgoHelper()
			var pi stripe.PaymentIntent
			Expect(Legacy(emu, "POST", "/v1/test_helpers/payment_intents/"+id+"/authenticate", "outcome="+outcome, &pi)).To(Succeed())
			return &pi
		}

		It("comes back to requires_confirmation once the customer authenticated, and the server's confirmation then charges without asking again", func() {
			pi := card(func(p *stripe.PaymentIntentCreateParams) {
				p.ConfirmationMethod = stripe.String("manual")
				p.PaymentMethod = stripe.String("pm_card_threeDSecure2Required")
			})
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
			mark := len(emu.EventTypes(""))

			pi = authenticate(pi.ID, "succeed")
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresConfirmation))
			Expect(pi.NextAction).To(BeNil())
			Expect(pi.LatestCharge).To(BeNil(), "nothing is charged before the server confirms")
			Expect(eventsSinceIn(emu, mark)).To(BeEmpty())

			pi, err := sc.V1PaymentIntents.Confirm(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(eventsSinceIn(emu, mark)).To(ContainElements("charge.succeeded", "payment_intent.succeeded"))
			Expect(eventsSinceIn(emu, mark)).NotTo(ContainElement("payment_intent.requires_action"))
		})

		It("asks again for a different payment method, and fails as automatic confirmation does", func() {
			pi := card(func(p *stripe.PaymentIntentCreateParams) {
				p.ConfirmationMethod = stripe.String("manual")
				p.PaymentMethod = stripe.String("pm_card_threeDSecure2Required")
			})
			pi = authenticate(pi.ID, "succeed")
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresConfirmation))
			pi, err := sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_threeDSecure2Required")})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction), "a new card authenticates anew")

			pi = authenticate(pi.ID, "fail")
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
			Expect(string(pi.LastPaymentError.Code)).To(Equal("payment_intent_authentication_failure"))
		})
	})

	It("refuses manual capture for a bank debit, which holds nothing to capture later, leaving the intent to confirm", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(5000), Currency: stripe.String("eur"),
			Customer: stripe.String(cus.ID), CaptureMethod: stripe.String("manual"), PaymentMethodTypes: []*string{stripe.String("sepa_debit")},
			PaymentMethodData: &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("sepa_debit"),
				SEPADebit:      &stripe.PaymentMethodSEPADebitParams{IBAN: stripe.String("DE89370400440532013000")},
				BillingDetails: &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com")}},
		})
		Expect(err).NotTo(HaveOccurred())
		mark := len(emu.EventTypes(""))
		_, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{MandateData: &stripe.PaymentIntentMandateDataParams{
			CustomerAcceptance: &stripe.PaymentIntentMandateDataCustomerAcceptanceParams{Type: stripe.String("offline")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "capture_method")
		Expect(StripeErr(err).Msg).To(Equal("The payment method type sepa_debit does not support `capture_method=manual`."))
		Expect(eventsSinceIn(emu, mark)).To(BeEmpty())
		Expect(emu.Count("", "charge")).To(BeZero())
		again, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Status).To(Equal(stripe.PaymentIntentStatusRequiresConfirmation))
	})

	DescribeTable("settles Stripe's SEPA Direct Debit test IBANs of each country as Stripe's testing page says",
		func(iban, failure string) {
			cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
			Expect(err).NotTo(HaveOccurred())
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(5000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID), Confirm: stripe.Bool(true),
				PaymentMethodTypes: []*string{stripe.String("sepa_debit")},
				PaymentMethodData: &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("sepa_debit"),
					SEPADebit:      &stripe.PaymentMethodSEPADebitParams{IBAN: stripe.String(iban)},
					BillingDetails: &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com")}},
				MandateData: &stripe.PaymentIntentCreateMandateDataParams{CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{
					Type: stripe.String("offline")}},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
			emu.Clock().Advance(10 * time.Minute)
			pi, err = sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			if failure == "" {
				Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
				return
			}
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
			Expect(string(pi.LastPaymentError.Code)).To(Equal(failure))
			ch, err := sc.V1Charges.Retrieve(Ctx, pi.LastPaymentError.ChargeID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.FailureCode).To(Equal(failure))
		},
		Entry("DE, succeeding", "DE89370400440532013000", ""),
		Entry("DE, succeeding after three minutes", "DE08370400440532013003", ""),
		Entry("DE, failing after three minutes", "DE78370400440532013004", "insufficient_funds"),
		Entry("DE, insufficient funds", "DE65370400440002222227", "insufficient_funds"),
		Entry("DE, over the weekly volume limit", "DE65370400440000343434", "charge_exceeds_source_limit"),
		Entry("DE, over the transaction limit", "DE27370400440000121212", "charge_exceeds_weekly_limit"),
		Entry("FR, failing", "FR8420041010050500013M02607", "insufficient_funds"),
		Entry("NL, failing", "NL91ABNA0417164300", "insufficient_funds"),
		Entry("BE, failing", "BE68539007547034", "insufficient_funds"),
		Entry("ES, over the weekly volume limit", "ES1700120345000000343434", "charge_exceeds_source_limit"),
		Entry("IE, failing after three minutes", "IE94AIBK93115212345672", "insufficient_funds"),
		Entry("AT, succeeding", "AT611904300234573201", ""),
	)

	Describe("SetupIntents", func() {
		It("take only Stripe's cancellation reasons for a SetupIntent, changing nothing otherwise", func() {
			si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("card")}})
			Expect(err).NotTo(HaveOccurred())
			for _, reason := range []string{"fraudulent", "bogus"} {
				_, err = sc.V1SetupIntents.Cancel(Ctx, si.ID, &stripe.SetupIntentCancelParams{CancellationReason: stripe.String(reason)})
				ExpectStripeError(err, 400, "invalid_request_error", "", "cancellation_reason")
			}
			again, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(again.Status).To(Equal(stripe.SetupIntentStatusRequiresPaymentMethod))

			si, err = sc.V1SetupIntents.Cancel(Ctx, si.ID, &stripe.SetupIntentCancelParams{CancellationReason: stripe.String("requested_by_customer")})
			Expect(err).NotTo(HaveOccurred())
			Expect(si.CancellationReason).To(Equal(stripe.SetupIntentCancellationReasonRequestedByCustomer))
		})

		It("refuse what only a confirmation uses on a creation that does not confirm, as PaymentIntents do", func() {
			_, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{ReturnURL: stripe.String("https://example.com/return")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "return_url")
			Expect(StripeErr(err).Msg).To(Equal("You can only pass return_url when confirm=true."))
			_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
				ReturnURL: stripe.String("https://example.com/return")})
			Expect(StripeErr(err).Msg).To(Equal("You can only pass return_url when confirm=true."))

			_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{MandateData: &stripe.SetupIntentCreateMandateDataParams{
				CustomerAcceptance: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceParams{Type: stripe.String("offline")}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "mandate_data")
			Expect(emu.Count("", "setup_intent")).To(BeZero())
		})

		It("name the SetupIntent in their unexpected-state refusals", func() {
			si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("card")},
				PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
			_, err = sc.V1SetupIntents.Cancel(Ctx, si.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "setup_intent_unexpected_state", "")
			Expect(StripeErr(err).SetupIntent).NotTo(BeNil())
			Expect(StripeErr(err).SetupIntent.ID).To(Equal(si.ID))
			_, err = sc.V1SetupIntents.Confirm(Ctx, si.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "setup_intent_unexpected_state", "")
			Expect(StripeErr(err).SetupIntent).NotTo(BeNil())
		})
	})
})
