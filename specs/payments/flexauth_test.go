package payments_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Extended authorization, overcapture and multicapture", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }
	const day = 86400
	// authorize confirms a manually captured 10.00 payment with the card
	// options given.
	authorize := func(pm string, opts *stripe.PaymentIntentCreatePaymentMethodOptionsCardParams) *stripe.PaymentIntent {
		p := &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1000), Currency: stripe.String("usd"), PaymentMethod: stripe.String(pm),
			PaymentMethodTypes: []*string{stripe.String("card")}, CaptureMethod: stripe.String("manual"), Confirm: stripe.Bool(true),
			PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: opts},
		}
		p.AddExpand("latest_charge")
		pi, err := sc.V1PaymentIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
		return pi
	}
	capture := func(id string, amount int64, final bool) (*stripe.PaymentIntent, error) {
		p := &stripe.PaymentIntentCaptureParams{FinalCapture: stripe.Bool(final)}
		if amount > 0 {
			p.AmountToCapture = stripe.Int64(amount)
		}
		return sc.V1PaymentIntents.Capture(Ctx, id, p)
	}
	chargeOf := func(pi *stripe.PaymentIntent) *stripe.Charge {
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return ch
	}

	Describe("extended authorization", func() {
		extended := &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{RequestExtendedAuthorization: stripe.String("if_available")}

		It("gives an eligible card 30 days to capture, and the intent expires then", func() {
			pi := authorize("pm_card_mastercard", extended)
			card := pi.LatestCharge.PaymentMethodDetails.Card
			Expect(card.ExtendedAuthorization.Status).To(Equal(stripe.ChargePaymentMethodDetailsCardExtendedAuthorizationStatusEnabled))
			Expect(card.CaptureBefore).To(Equal(pi.Created + 30*day))
			Expect(pi.PaymentMethodOptions.Card.RequestExtendedAuthorization).To(Equal(stripe.PaymentIntentPaymentMethodOptionsCardRequestExtendedAuthorizationIfAvailable))

			emu.Clock().Set(time.Unix(pi.Created+7*day, 0))
			got, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture), "still capturable after the standard seven days")

			mark := len(emu.EventTypes(""))
			emu.Clock().Set(time.Unix(card.CaptureBefore, 0))
			Expect(eventsSince(mark)).To(Equal([]string{"charge.expired", "payment_intent.canceled"}))
			got, err = sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.PaymentIntentStatusCanceled))
			Expect(got.CancellationReason).To(Equal(stripe.PaymentIntentCancellationReasonExpired))
			Expect(got.AmountCapturable).To(BeZero())
			// 2025-03-31.basil: the expired authorization is released
			// without a Refund; the charge is not marked refunded.
			ch := chargeOf(pi)
			Expect(ch.Refunded).To(BeFalse())
			Expect(ch.AmountRefunded).To(BeZero())
			Expect(ch.AmountCaptured).To(BeZero())
			Expect(emu.Count("", "refund")).To(BeZero())
			_, err = capture(pi.ID, 0, true)
			ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "")
			_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(ch.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "charge_not_refundable", "charge")
		})

		It("leaves other brands, and intents that did not ask, the standard seven days", func() {
			for _, pm := range []string{"pm_card_jcb", "pm_card_diners", "pm_card_unionpay"} {
				pi := authorize(pm, extended)
				card := pi.LatestCharge.PaymentMethodDetails.Card
				Expect(card.ExtendedAuthorization.Status).To(Equal(stripe.ChargePaymentMethodDetailsCardExtendedAuthorizationStatusDisabled), pm)
				Expect(card.CaptureBefore).To(Equal(pi.Created+7*day), pm)
			}
			plain := authorize("pm_card_visa", &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{RequestExtendedAuthorization: stripe.String("never")})
			Expect(plain.LatestCharge.PaymentMethodDetails.Card.ExtendedAuthorization.Status).To(Equal(stripe.ChargePaymentMethodDetailsCardExtendedAuthorizationStatusDisabled))

			mark := len(emu.EventTypes(""))
			emu.Clock().Set(time.Unix(plain.Created+7*day, 0))
			Expect(eventsSince(mark)).To(ContainElements("charge.expired", "payment_intent.canceled"))
			got, err := sc.V1PaymentIntents.Retrieve(Ctx, plain.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.PaymentIntentStatusCanceled))
		})

		It("does not expire an intent captured in time", func() {
			pi := authorize("pm_card_visa", extended)
			_, err := capture(pi.ID, 0, true)
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(""))
			emu.Clock().Set(time.Unix(pi.Created+31*day, 0))
			Expect(eventsSince(mark)).NotTo(ContainElement("charge.expired"))
		})

		It("is not requested by an automatic capture", func() {
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(1000), Currency: stripe.String("usd"), PaymentMethod: stripe.String("pm_card_visa"),
				PaymentMethodTypes: []*string{stripe.String("card")}, Confirm: stripe.Bool(true),
				PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: extended},
			})
			Expect(err).NotTo(HaveOccurred())
			card := chargeOf(pi).PaymentMethodDetails.Card
			Expect(card.ExtendedAuthorization.Status).To(Equal(stripe.ChargePaymentMethodDetailsCardExtendedAuthorizationStatusDisabled))
			Expect(card.CaptureBefore).To(BeZero())
		})
	})

	Describe("overcapture", func() {
		over := &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{RequestOvercapture: stripe.String("if_available")}

		It("captures above the authorization up to the brand's limit", func() {
			pi := authorize("pm_card_visa", over)
			oc := pi.LatestCharge.PaymentMethodDetails.Card.Overcapture
			Expect(oc.Status).To(Equal(stripe.ChargePaymentMethodDetailsCardOvercaptureStatusAvailable))
			Expect(oc.MaximumAmountCapturable).To(Equal(int64(1150)), "Visa: 15% above")

			_, err := capture(pi.ID, 1151, true)
			ExpectStripeError(err, 400, "invalid_request_error", "amount_too_large", "amount_to_capture")
			Expect(chargeOf(pi).Captured).To(BeFalse(), "the refused capture changed nothing")

			mark := len(emu.EventTypes(""))
			got, err := capture(pi.ID, 1150, true)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(got.AmountReceived).To(Equal(int64(1150)))
			Expect(eventsSince(mark)).To(Equal([]string{"charge.captured", "payment_intent.succeeded"}))
			ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, &stripe.ChargeRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("balance_transaction")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.AmountCaptured).To(Equal(int64(1150)))
			Expect(ch.AmountRefunded).To(BeZero())
			Expect(ch.BalanceTransaction.Amount).To(Equal(int64(1150)))
		})

		It("gives Mastercard 20%, and unavailable brands nothing above the amount", func() {
			mc := authorize("pm_card_mastercard", over)
			Expect(mc.LatestCharge.PaymentMethodDetails.Card.Overcapture.MaximumAmountCapturable).To(Equal(int64(1200)))
			jcb := authorize("pm_card_jcb", over)
			oc := jcb.LatestCharge.PaymentMethodDetails.Card.Overcapture
			Expect(oc.Status).To(Equal(stripe.ChargePaymentMethodDetailsCardOvercaptureStatusUnavailable))
			Expect(oc.MaximumAmountCapturable).To(Equal(int64(1000)))
			_, err := capture(jcb.ID, 1001, true)
			ExpectStripeError(err, 400, "invalid_request_error", "amount_too_large", "amount_to_capture")
		})
	})

	Describe("multicapture", func() {
		multi := &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{RequestMulticapture: stripe.String("if_available")}

		It("captures several times on one charge until the final capture releases the rest", func() {
			pi := authorize("pm_card_amex", multi)
			Expect(pi.LatestCharge.PaymentMethodDetails.Card.Multicapture.Status).To(Equal(stripe.ChargePaymentMethodDetailsCardMulticaptureStatusAvailable))

			mark := len(emu.EventTypes(""))
			got, err := capture(pi.ID, 300, false)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
			Expect(got.AmountCapturable).To(Equal(int64(700)))
			Expect(got.AmountReceived).To(Equal(int64(300)))
			Expect(eventsSince(mark)).To(Equal([]string{"charge.captured", "payment_intent.amount_capturable_updated"}))
			ch := chargeOf(pi)
			Expect(ch.Captured).To(BeTrue())
			Expect(ch.AmountCaptured).To(Equal(int64(300)))
			first := ch.BalanceTransaction.ID

			got, err = capture(pi.ID, 200, false)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.AmountCapturable).To(Equal(int64(500)))
			Expect(chargeOf(pi).AmountCaptured).To(Equal(int64(500)))

			_, err = capture(pi.ID, 501, false)
			ExpectStripeError(err, 400, "invalid_request_error", "amount_too_large", "amount_to_capture")

			mark = len(emu.EventTypes(""))
			got, err = capture(pi.ID, 100, true)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(got.AmountReceived).To(Equal(int64(600)))
			Expect(got.AmountCapturable).To(BeZero())
			Expect(eventsSince(mark)).To(Equal([]string{"charge.captured", "payment_intent.succeeded"}))
			ch = chargeOf(pi)
			Expect(ch.AmountCaptured).To(Equal(int64(600)))
			// 2025-03-31.basil: the uncaptured rest is released without a
			// Refund.
			Expect(ch.AmountRefunded).To(BeZero(), "the release is no refund")
			Expect(ch.Refunded).To(BeFalse())
			Expect(emu.Count("", "refund")).To(BeZero())
			Expect(ch.BalanceTransaction.ID).To(Equal(first))

			var amounts []int64
			for bt, err := range sc.V1BalanceTransactions.List(Ctx, &stripe.BalanceTransactionListParams{Source: stripe.String(ch.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				amounts = append(amounts, bt.Amount)
			}
			Expect(amounts).To(ConsistOf(int64(300), int64(200), int64(100)), "one balance transaction per capture")
		})

		It("succeeds with what was captured when the rest is canceled", func() {
			pi := authorize("pm_card_visa", multi)
			_, err := capture(pi.ID, 400, false)
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(""))
			got, err := sc.V1PaymentIntents.Cancel(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(got.AmountReceived).To(Equal(int64(400)))
			Expect(got.AmountCapturable).To(BeZero())
			// 2025-03-31.basil: releasing the rest makes no Refund and
			// changes nothing on the charge, so no charge event.
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.succeeded"}))
			ch := chargeOf(pi)
			Expect(ch.AmountCaptured).To(Equal(int64(400)))
			Expect(ch.AmountRefunded).To(BeZero())
			Expect(ch.Refunded).To(BeFalse())
			Expect(emu.Count("", "refund")).To(BeZero())

			// What was captured can still be refunded, all of it.
			re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(re.Amount).To(Equal(int64(400)))
			ch = chargeOf(pi)
			Expect(ch.AmountRefunded).To(Equal(int64(400)))
			Expect(ch.Refunded).To(BeTrue())
		})

		It("releases the rest when the authorization expires", func() {
			ManualPayouts(emu, "") // no automatic payout among the events of the week
			pi := authorize("pm_card_discover", multi)
			_, err := capture(pi.ID, 250, false)
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(""))
			emu.Clock().Set(time.Unix(pi.LatestCharge.PaymentMethodDetails.Card.CaptureBefore, 0))
			// The captured funds became available on the way.
			Expect(eventsSince(mark)).To(Equal([]string{"balance.available", "charge.expired", "payment_intent.succeeded"}))
			got, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(got.AmountReceived).To(Equal(int64(250)))
			// 2025-03-31.basil: no Refund for the expired rest.
			ch := chargeOf(pi)
			Expect(ch.AmountCaptured).To(Equal(int64(250)))
			Expect(ch.AmountRefunded).To(BeZero())
			Expect(ch.Refunded).To(BeFalse())
			Expect(emu.Count("", "refund")).To(BeZero())
		})

		It("refuses final_capture=false without multicapture, changing nothing", func() {
			for _, pm := range []string{"pm_card_visa", "pm_card_unionpay"} {
				var opts *stripe.PaymentIntentCreatePaymentMethodOptionsCardParams
				if pm == "pm_card_unionpay" {
					opts = multi
				}
				pi := authorize(pm, opts)
				_, err := capture(pi.ID, 300, false)
				ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "final_capture")
				got, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(got.AmountCapturable).To(Equal(int64(1000)), pm)
				Expect(chargeOf(pi).Captured).To(BeFalse(), pm)
			}
		})
	})
})
