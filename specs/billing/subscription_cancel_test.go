package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Canceling a subscription (DELETE /v1/subscriptions/:id)", Label("billing", "subscriptions"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		sub *stripe.Subscription
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		price := recurringPrice(sc, prod.ID, "month", 1000)
		cus := customerWithCard(sc, "cancel@example.com", "pm_card_visa", "")
		sub, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
	})

	It("answers a second cancel as Stripe does, as if the subscription were gone: 404 No such subscription", func() {
		got, err := sc.V1Subscriptions.Cancel(Ctx, sub.ID, &stripe.SubscriptionCancelParams{
			CancellationDetails: &stripe.SubscriptionCancelCancellationDetailsParams{Feedback: stripe.String("too_expensive"), Comment: stripe.String("Too dear")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(got.CancellationDetails.Feedback).To(Equal(stripe.SubscriptionCancellationDetailsFeedbackTooExpensive))
		Expect(got.CancellationDetails.Comment).To(Equal("Too dear"))
		Expect(got.CancellationDetails.Reason).To(Equal(stripe.SubscriptionCancellationDetailsReasonCancellationRequested))

		_, err = sc.V1Subscriptions.Cancel(Ctx, sub.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(StripeErr(err).Msg).To(Equal("No such subscription: '" + sub.ID + "'"))
		// It is still there to retrieve.
		got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusCanceled))
	})

	It("refuses an unknown cancellation_details[feedback], canceling nothing", func() {
		_, err := sc.V1Subscriptions.Cancel(Ctx, sub.ID, &stripe.SubscriptionCancelParams{
			CancellationDetails: &stripe.SubscriptionCancelCancellationDetailsParams{Feedback: stripe.String("too_pricey")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "cancellation_details[feedback]")
		Expect(StripeErr(err).Msg).To(Equal("Invalid cancellation_details[feedback]: must be one of customer_service, low_quality, missing_features, other, switched_service, too_complex, too_expensive, or unused"))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
	})
})
