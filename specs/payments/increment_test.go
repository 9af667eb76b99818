package payments_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Incremental authorization", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }
	stripeErr := func(err error) *stripe.Error {
		Expect(err).To(HaveOccurred())
		se, ok := err.(*stripe.Error)
		Expect(ok).To(BeTrue(), "a Stripe error: %v", err)
		return se
	}
	authorize := func(pm string, request string) *stripe.PaymentIntent {
		p := &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1000), Currency: stripe.String("usd"), PaymentMethod: stripe.String(pm),
			PaymentMethodTypes: []*string{stripe.String("card")}, CaptureMethod: stripe.String("manual"), Confirm: stripe.Bool(true),
		}
		if request != "" {
			p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{
				RequestIncrementalAuthorization: stripe.String(request)}}
		}
		p.AddExpand("latest_charge")
		pi, err := sc.V1PaymentIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
		return pi
	}
	increment := func(id string, amount int64) (*stripe.PaymentIntent, error) {
		return sc.V1PaymentIntents.IncrementAuthorization(Ctx, id, &stripe.PaymentIntentIncrementAuthorizationParams{Amount: stripe.Int64(amount)})
	}

	It("raises an available authorization, then captures the higher amount", func() {
		pi := authorize("pm_card_visa", "if_available")
		Expect(pi.LatestCharge.PaymentMethodDetails.Card.IncrementalAuthorization.Status).To(Equal(stripe.ChargePaymentMethodDetailsCardIncrementalAuthorizationStatusAvailable))
		Expect(pi.PaymentMethodOptions.Card.RequestIncrementalAuthorization).To(Equal(stripe.PaymentIntentPaymentMethodOptionsCardRequestIncrementalAuthorizationIfAvailable))

		mark := len(emu.EventTypes(""))
		p := &stripe.PaymentIntentIncrementAuthorizationParams{Amount: stripe.Int64(1500), Description: stripe.String("room service added"),
			StatementDescriptor: stripe.String("HOTEL STAY")}
		p.AddMetadata("folio", "42")
		up, err := sc.V1PaymentIntents.IncrementAuthorization(Ctx, pi.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(up.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
		Expect(up.Amount).To(Equal(int64(1500)))
		Expect(up.AmountCapturable).To(Equal(int64(1500)))
		Expect(up.Description).To(Equal("room service added"))
		Expect(up.StatementDescriptor).To(Equal("HOTEL STAY"))
		Expect(up.Metadata).To(HaveKeyWithValue("folio", "42"))
		Expect(eventsSince(mark)).To(Equal([]string{"charge.updated", "payment_intent.amount_capturable_updated"}))
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.Amount).To(Equal(int64(1500)))
		Expect(ch.PaymentMethodDetails.Card.Overcapture.MaximumAmountCapturable).To(Equal(int64(1500)))

		up, err = increment(pi.ID, 2000)
		Expect(err).NotTo(HaveOccurred())
		Expect(up.AmountCapturable).To(Equal(int64(2000)))

		done, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(done.AmountReceived).To(Equal(int64(2000)))
		ch, err = sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.AmountCaptured).To(Equal(int64(2000)))
		Expect(ch.AmountRefunded).To(BeZero())

		_, err = increment(pi.ID, 2500)
		se := stripeErr(err)
		Expect(se.Code).To(Equal(stripe.ErrorCode("payment_intent_unexpected_state")))
		Expect(se.Msg).To(ContainSubstring("status of succeeded"))
	})

	It("shows the authorized amount as the charge's amount_authorized, raised by an increment, as Stripe's authorized card charges do", func() {
		pi := authorize("pm_card_visa", "if_available")
		Expect(pi.LatestCharge.PaymentMethodDetails.Card.AmountAuthorized).To(Equal(int64(1000)))
		_, err := increment(pi.ID, 1800)
		Expect(err).NotTo(HaveOccurred())
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.PaymentMethodDetails.Card.AmountAuthorized).To(Equal(int64(1800)))

		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String("pm_card_chargeDeclined"), PaymentMethodTypes: []*string{stripe.String("card")}, Confirm: stripe.Bool(true)})
		declined, ok := emu.Get(stripeErr(err).ChargeID)
		Expect(ok).To(BeTrue())
		Expect(declined["payment_method_details"].(map[string]any)["card"]).To(HaveKeyWithValue("amount_authorized", BeNil()))
	})

	It("is unavailable without the request, or on an automatically captured payment: the increment is refused, changing nothing", func() {
		pi := authorize("pm_card_mastercard", "")
		Expect(pi.LatestCharge.PaymentMethodDetails.Card.IncrementalAuthorization.Status).To(Equal(stripe.ChargePaymentMethodDetailsCardIncrementalAuthorizationStatusUnavailable))
		mark := len(emu.EventTypes(""))
		_, err := increment(pi.ID, 1500)
		Expect(stripeErr(err).HTTPStatusCode).To(Equal(400))
		never := authorize("pm_card_amex", "never")
		_, err = increment(never.ID, 1500)
		Expect(stripeErr(err).HTTPStatusCode).To(Equal(400))
		Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "charge.succeeded", "payment_intent.amount_capturable_updated"}), "only the second authorization's events")
		still, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(still.Amount).To(Equal(int64(1000)))
		Expect(still.AmountCapturable).To(Equal(int64(1000)))

		auto, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1000), Currency: stripe.String("usd"), PaymentMethod: stripe.String("pm_card_visa"),
			PaymentMethodTypes: []*string{stripe.String("card")}, Confirm: stripe.Bool(true),
			PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{
				RequestIncrementalAuthorization: stripe.String("if_available")}},
		})
		Expect(err).NotTo(HaveOccurred())
		ch, err := sc.V1Charges.Retrieve(Ctx, auto.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.PaymentMethodDetails.Card.IncrementalAuthorization.Status).To(Equal(stripe.ChargePaymentMethodDetailsCardIncrementalAuthorizationStatusUnavailable))
	})

	It("refuses an amount not above the authorized one, and a missing amount, changing nothing", func() {
		pi := authorize("pm_card_discover", "if_available")
		mark := len(emu.EventTypes(""))
		for _, amount := range []int64{1000, 500} {
			_, err := increment(pi.ID, amount)
			se := stripeErr(err)
			Expect(se.Param).To(Equal("amount"))
		}
		_, err := sc.V1PaymentIntents.IncrementAuthorization(Ctx, pi.ID, &stripe.PaymentIntentIncrementAuthorizationParams{})
		Expect(stripeErr(err).Param).To(Equal("amount"))
		Expect(eventsSince(mark)).To(BeEmpty())
		still, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(still.Amount).To(Equal(int64(1000)))
	})

	It("allows ten increments per PaymentIntent", func() {
		pi := authorize("pm_card_visa", "if_available")
		for i := int64(1); i <= 10; i++ {
			_, err := increment(pi.ID, 1000+i*100)
			Expect(err).NotTo(HaveOccurred())
		}
		_, err := increment(pi.ID, 5000)
		Expect(stripeErr(err).Msg).To(ContainSubstring("maximum of 10"))
	})

	It("raises a destination charge's transfer amount and application fee with it", func() {
		acct := Seller(emu, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US")})
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1000), Currency: stripe.String("usd"), PaymentMethod: stripe.String("pm_card_visa"),
			PaymentMethodTypes: []*string{stripe.String("card")}, CaptureMethod: stripe.String("manual"), Confirm: stripe.Bool(true),
			TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(acct.ID), Amount: stripe.Int64(800)},
			PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{
				RequestIncrementalAuthorization: stripe.String("if_available")}},
		})
		Expect(err).NotTo(HaveOccurred())
		up, err := sc.V1PaymentIntents.IncrementAuthorization(Ctx, pi.ID, &stripe.PaymentIntentIncrementAuthorizationParams{
			Amount: stripe.Int64(1500), TransferData: &stripe.PaymentIntentIncrementAuthorizationTransferDataParams{Amount: stripe.Int64(1200)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(up.TransferData.Amount).To(Equal(int64(1200)))
		Expect(up.TransferData.Destination.ID).To(Equal(acct.ID))
		_, err = sc.V1PaymentIntents.IncrementAuthorization(Ctx, pi.ID, &stripe.PaymentIntentIncrementAuthorizationParams{
			Amount: stripe.Int64(1600), TransferData: &stripe.PaymentIntentIncrementAuthorizationTransferDataParams{Amount: stripe.Int64(1700)}})
		Expect(stripeErr(err).Param).To(Equal("transfer_data[amount]"))
		still, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(still.Amount).To(Equal(int64(1500)), "the refused increment changed nothing")
	})

	DescribeTable("refuses card request values Stripe does not take",
		func(opts *stripe.PaymentIntentCreatePaymentMethodOptionsCardParams, param string) {
			count := emu.Count("", "payment_intent")
			_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(1000), Currency: stripe.String("usd"), CaptureMethod: stripe.String("manual"),
				PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: opts},
			})
			Expect(stripeErr(err).Param).To(Equal(param))
			Expect(emu.Count("", "payment_intent")).To(Equal(count))
		},
		Entry("overcapture", &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{RequestOvercapture: stripe.String("sometimes")},
			"payment_method_options[card][request_overcapture]"),
		Entry("extended authorization", &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{RequestExtendedAuthorization: stripe.String("always")},
			"payment_method_options[card][request_extended_authorization]"),
		Entry("multicapture", &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{RequestMulticapture: stripe.String("yes")},
			"payment_method_options[card][request_multicapture]"),
		Entry("an unknown value", &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{RequestIncrementalAuthorization: stripe.String("always")},
			"payment_method_options[card][request_incremental_authorization]"),
	)
})
