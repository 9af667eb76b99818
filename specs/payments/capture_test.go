package payments_test

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// The capture and cancellation lifecycle of a PaymentIntent, where the
// other payment suites leave it: Stripe's refusals and what each step
// leaves on the intent and its charge.
var _ = Describe("Capturing and canceling a PaymentIntent", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }
	// pay confirms a 10.00 card payment captured as captureMethod says.
	pay := func(captureMethod string) *stripe.PaymentIntent {
		GinkgoHelper()
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1000), Currency: stripe.String("usd"), PaymentMethod: stripe.String("pm_card_visa"),
			PaymentMethodTypes: []*string{stripe.String("card")}, CaptureMethod: stripe.String(captureMethod), Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		return pi
	}

	Describe("capturing an intent that was captured already", func() {
		// Stripe's own words for it (payment_intent_unexpected_state,
		// with the intent), not the status refusal other statuses get.
		const already = "This PaymentIntent could not be captured because it has already been captured."

		It("is refused in Stripe's words after an automatic capture, changing nothing", func() {
			pi := pay("automatic")
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			mark := len(emu.EventTypes(""))
			_, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "")
			se := StripeErr(err)
			Expect(se.Msg).To(Equal(already))
			Expect(se.PaymentIntent).NotTo(BeNil())
			Expect(se.PaymentIntent.ID).To(Equal(pi.ID))
			Expect(se.PaymentIntent.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(eventsSince(mark)).To(BeEmpty())
		})

		It("is refused in Stripe's words after a manual capture", func() {
			pi := pay("manual")
			_, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(600)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1PaymentIntents.Capture(Ctx, pi.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "")
			Expect(StripeErr(err).Msg).To(Equal(already))
			again, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(again.AmountReceived).To(Equal(int64(600)))
		})

		It("keeps the status refusal for the statuses that were never captured", func() {
			pi := pay("manual")
			_, err := sc.V1PaymentIntents.Cancel(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1PaymentIntents.Capture(Ctx, pi.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "")
			Expect(StripeErr(err).Msg).To(Equal("This PaymentIntent could not be captured because it has a status of canceled. Only a PaymentIntent with one of the following statuses may be captured: requires_capture."))
		})
	})

	It("refuses strings longer than Stripe's OpenAPI spec allows, on create, update, capture and increment, in Stripe's words, changing nothing", func() {
		long := func(n int) *string { return stripe.String(strings.Repeat("A", n)) }
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Description: long(1001)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: AAAA...AAAA; must be at most 1000 characters"))
		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"), StatementDescriptorSuffix: long(23)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "statement_descriptor_suffix")
		Expect(emu.Count("", "payment_intent")).To(BeZero())

		pi := pay("manual")
		_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{StatementDescriptorSuffix: long(23)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "statement_descriptor_suffix")
		_, err = sc.V1PaymentIntents.IncrementAuthorization(Ctx, pi.ID, &stripe.PaymentIntentIncrementAuthorizationParams{Amount: stripe.Int64(1500), Description: long(1001)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		_, err = sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{StatementDescriptorSuffix: long(23)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "statement_descriptor_suffix")
		after, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(after.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
		Expect(after.StatementDescriptorSuffix).To(BeEmpty())
	})

	// Stripe's minimum charge applies to what is captured: its WooCommerce
	// gateway (woocommerce-gateway-stripe) handles amount_too_small answered
	// to a capture of an order total below the currencies page's minimum.
	// The message and param are not documented: the emulator answers the
	// create's words on amount_to_capture.
	It("refuses an amount_to_capture below the currency's minimum charge with amount_too_small, changing nothing", func() {
		pi := pay("manual")
		mark := len(emu.EventTypes(""))
		_, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(49)})
		ExpectStripeError(err, 400, "invalid_request_error", "amount_too_small", "amount_to_capture")
		Expect(StripeErr(err).Msg).To(Equal("Amount must be at least $0.50 usd"))
		again, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
		Expect(again.AmountCapturable).To(Equal(int64(1000)))
		Expect(eventsSince(mark)).To(BeEmpty())

		done, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(50)})
		Expect(err).NotTo(HaveOccurred())
		Expect(done.AmountReceived).To(Equal(int64(50)))
	})

	// The ISK rule of Stripe's "Deprecation of fractional ISK charges and
	// refunds" holds "in all contexts", captures included; so does the
	// three-decimal currencies' last 0.
	It("refuses an amount_to_capture of fractional krónur or not ending in 0 for three-decimal currencies, changing nothing", func() {
		for _, c := range []struct {
			currency  string
			bad, good int64
		}{{"isk", 5050, 5000}, {"kwd", 5005, 5000}} {
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(10000), Currency: stripe.String(c.currency), PaymentMethod: stripe.String("pm_card_visa"),
				PaymentMethodTypes: []*string{stripe.String("card")}, CaptureMethod: stripe.String("manual"), Confirm: stripe.Bool(true),
			})
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(""))
			_, err = sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(c.bad)})
			Expect(err).To(HaveOccurred(), c.currency)
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
			Expect(StripeErr(err).Param).To(Equal("amount_to_capture"))
			again, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(again.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
			Expect(eventsSince(mark)).To(BeEmpty())

			done, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(c.good)})
			Expect(err).NotTo(HaveOccurred())
			Expect(done.AmountReceived).To(Equal(c.good))
		}
		_, err := sc.V1PaymentIntents.Capture(Ctx, pay("manual").ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(555)})
		Expect(err).NotTo(HaveOccurred(), "any amount in a two-decimal currency")
	})

	It("refuses statement_descriptor on the capture of a card payment, as Stripe's reference says, changing nothing", func() {
		pi := pay("manual")
		mark := len(emu.EventTypes(""))
		_, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{StatementDescriptor: stripe.String("HOTEL STAY")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "statement_descriptor")
		Expect(StripeErr(err).Msg).To(ContainSubstring("statement_descriptor_suffix"))
		again, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
		Expect(again.StatementDescriptor).To(BeEmpty())
		Expect(eventsSince(mark)).To(BeEmpty())

		// The suffix is what a card statement takes.
		done, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{StatementDescriptorSuffix: stripe.String("ROOM 12")})
		Expect(err).NotTo(HaveOccurred())
		Expect(done.StatementDescriptorSuffix).To(Equal("ROOM 12"))
	})

	It("refuses to increment an authorization once part of it was captured with multicapture, as Stripe's docs say, changing nothing", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1000), Currency: stripe.String("usd"), PaymentMethod: stripe.String("pm_card_visa"),
			PaymentMethodTypes: []*string{stripe.String("card")}, CaptureMethod: stripe.String("manual"), Confirm: stripe.Bool(true),
			PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{
				RequestMulticapture: stripe.String("if_available"), RequestIncrementalAuthorization: stripe.String("if_available"),
			}},
		})
		Expect(err).NotTo(HaveOccurred())
		pi, err = sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(300), FinalCapture: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.AmountCapturable).To(Equal(int64(700)))
		mark := len(emu.EventTypes(""))
		_, err = sc.V1PaymentIntents.IncrementAuthorization(Ctx, pi.ID, &stripe.PaymentIntentIncrementAuthorizationParams{Amount: stripe.Int64(1500)})
		ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "")
		Expect(StripeErr(err).PaymentIntent).NotTo(BeNil())
		again, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Amount).To(Equal(int64(1000)))
		Expect(again.AmountCapturable).To(Equal(int64(700)))
		Expect(again.AmountReceived).To(Equal(int64(300)))
		Expect(eventsSince(mark)).To(BeEmpty())
	})

	It("keeps a card's capture_method through updates of its other options, and unsets it with an empty value, as Stripe's update reference says", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1000), Currency: stripe.String("usd"), PaymentMethod: stripe.String("pm_card_visa"),
			PaymentMethodTypes: []*string{stripe.String("card")},
			PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{
				CaptureMethod: stripe.String("manual"),
			}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.CaptureMethod).To(Equal(stripe.PaymentIntentCaptureMethodAutomaticAsync))

		// Another of the card's options changes; the hold stays asked for.
		pi, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{
			PaymentMethodOptions: &stripe.PaymentIntentUpdatePaymentMethodOptionsParams{Card: &stripe.PaymentIntentUpdatePaymentMethodOptionsCardParams{RequestThreeDSecure: stripe.String("automatic")}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.PaymentMethodOptions.Card.CaptureMethod).To(Equal(stripe.PaymentIntentPaymentMethodOptionsCardCaptureMethodManual))
		Expect(pi.PaymentMethodOptions.Card.RequestThreeDSecure).To(Equal(stripe.PaymentIntentPaymentMethodOptionsCardRequestThreeDSecureAutomatic))

		// An empty value unsets it (the field is then absent, which the
		// strict response check holds the emulator to, not null).
		pi, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{
			PaymentMethodOptions: &stripe.PaymentIntentUpdatePaymentMethodOptionsParams{Card: &stripe.PaymentIntentUpdatePaymentMethodOptionsCardParams{CaptureMethod: stripe.String("")}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.PaymentMethodOptions.Card.CaptureMethod).To(BeEmpty())
		Expect(pi.PaymentMethodOptions.Card.RequestThreeDSecure).To(Equal(stripe.PaymentIntentPaymentMethodOptionsCardRequestThreeDSecureAutomatic))
		pi, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})

	It("gives a merchant-initiated (off-session) Visa authorization Stripe's 4 days and 18 hours, other brands their seven days", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		offSession := func(card string) *stripe.PaymentIntent {
			GinkgoHelper()
			pm, err := sc.V1PaymentMethods.Attach(Ctx, card, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			p := &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm.ID),
				PaymentMethodTypes: []*string{stripe.String("card")}, CaptureMethod: stripe.String("manual"), Confirm: stripe.Bool(true), OffSession: stripe.Bool(true),
			}
			p.AddExpand("latest_charge")
			pi, err := sc.V1PaymentIntents.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
			return pi
		}
		const window = 4*86400 + 18*3600
		visa := offSession("pm_card_visa")
		Expect(visa.LatestCharge.PaymentMethodDetails.Card.CaptureBefore).To(Equal(visa.Created + window))
		mastercard := offSession("pm_card_mastercard")
		Expect(mastercard.LatestCharge.PaymentMethodDetails.Card.CaptureBefore).To(Equal(mastercard.Created + 7*86400))

		emu.Clock().Advance(window * time.Second)
		v, err := sc.V1PaymentIntents.Retrieve(Ctx, visa.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(v.Status).To(Equal(stripe.PaymentIntentStatusCanceled))
		Expect(v.CancellationReason).To(Equal(stripe.PaymentIntentCancellationReasonExpired))
		m, err := sc.V1PaymentIntents.Retrieve(Ctx, mastercard.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
	})
})
