package payments_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// What a SetupIntent that succeeded or was canceled answers when confirmed,
// updated or canceled again: Stripe's words, which integrations match on
// (a client confirming twice treats "already succeeded" as done).
var _ = Describe("SetupIntents refusing their status", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("states@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})
	refused := func(err error, msg, id string) {
		GinkgoHelper()
		ExpectStripeError(err, 400, "invalid_request_error", "setup_intent_unexpected_state", "")
		Expect(StripeErr(err).Msg).To(Equal(msg))
		Expect(StripeErr(err).SetupIntent.ID).To(Equal(id))
	}

	It("answers a succeeded one that it already succeeded, and lists the statuses it may be canceled in", func() {
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true), PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))

		_, err = sc.V1SetupIntents.Confirm(Ctx, si.ID, nil)
		refused(err, "You cannot confirm this SetupIntent because it has already succeeded.", si.ID)
		// Stripe.js confirming with new card details updates the intent.
		p := &stripe.SetupIntentConfirmParams{PaymentMethodData: &stripe.SetupIntentConfirmPaymentMethodDataParams{Type: stripe.String("card")}}
		p.AddExtra("payment_method_data[card][token]", "tok_visa")
		_, err = sc.V1SetupIntents.Confirm(Ctx, si.ID, p)
		refused(err, "You cannot update this SetupIntent because it has already succeeded.", si.ID)
		_, err = sc.V1SetupIntents.Update(Ctx, si.ID, &stripe.SetupIntentUpdateParams{PaymentMethod: stripe.String("pm_card_mastercard")})
		refused(err, "You cannot update this SetupIntent because it has already succeeded.", si.ID)
		_, err = sc.V1SetupIntents.Cancel(Ctx, si.ID, nil)
		refused(err, "You cannot cancel this SetupIntent because it has a status of succeeded. Only a SetupIntent with one of the following statuses may be canceled: `requires_payment_method`, `requires_confirmation`, or `requires_action`.", si.ID)

		// What describes it can still change.
		got, err := sc.V1SetupIntents.Update(Ctx, si.ID, &stripe.SetupIntentUpdateParams{Description: stripe.String("saved")})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Description).To(Equal("saved"))
		Expect(got.PaymentMethod.ID).To(Equal(si.PaymentMethod.ID))
	})

	It("answers a canceled one that it was canceled", func() {
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SetupIntents.Cancel(Ctx, si.ID, &stripe.SetupIntentCancelParams{CancellationReason: stripe.String("abandoned")})
		Expect(err).NotTo(HaveOccurred())

		_, err = sc.V1SetupIntents.Confirm(Ctx, si.ID, &stripe.SetupIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
		refused(err, "You cannot confirm this SetupIntent because it has been canceled.", si.ID)
		_, err = sc.V1SetupIntents.Cancel(Ctx, si.ID, nil)
		refused(err, "You cannot cancel this SetupIntent because it is already canceled.", si.ID)
		got, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SetupIntentStatusCanceled))
		Expect(got.CancellationReason).To(Equal(stripe.SetupIntentCancellationReasonAbandoned))
		Expect(got.PaymentMethod).To(BeNil())
		Expect(emu.Count("", "payment_method")).To(BeZero(), "the refused confirmation made no PaymentMethod")
	})

	// The API reference's cancellation_reason: abandoned,
	// requested_by_customer or duplicate; cancel while waiting for 3-D
	// Secure too, which setup_intent.canceled tells.
	It("cancels with Stripe's cancellation reasons only, refusing another and changing nothing", func() {
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String("pm_card_authenticationRequired"), Confirm: stripe.Bool(true),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresAction))
		events := len(emu.EventTypes(""))
		_, err = sc.V1SetupIntents.Cancel(Ctx, si.ID, &stripe.SetupIntentCancelParams{CancellationReason: stripe.String("failed_invoice")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "cancellation_reason")
		Expect(StripeErr(err).Msg).To(Equal("Invalid cancellation_reason: must be one of abandoned, duplicate, or requested_by_customer"))
		got, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SetupIntentStatusRequiresAction))
		Expect(emu.EventTypes("")).To(HaveLen(events))

		canceled, err := sc.V1SetupIntents.Cancel(Ctx, si.ID, &stripe.SetupIntentCancelParams{CancellationReason: stripe.String("duplicate")})
		Expect(err).NotTo(HaveOccurred())
		Expect(canceled.Status).To(Equal(stripe.SetupIntentStatusCanceled))
		Expect(canceled.CancellationReason).To(Equal(stripe.SetupIntentCancellationReasonDuplicate))
		Expect(canceled.NextAction).To(BeNil())
		Expect(emu.EventTypes("")[events:]).To(Equal([]string{"setup_intent.canceled"}))
		pm, err := sc.V1PaymentMethods.Retrieve(Ctx, canceled.PaymentMethod.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pm.Customer).To(BeNil(), "a setup canceled before it succeeded saves nothing")

		plain, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		plain, err = sc.V1SetupIntents.Cancel(Ctx, plain.ID, &stripe.SetupIntentCancelParams{CancellationReason: stripe.String("requested_by_customer")})
		Expect(err).NotTo(HaveOccurred())
		Expect(plain.CancellationReason).To(Equal(stripe.SetupIntentCancellationReasonRequestedByCustomer))
	})

})
