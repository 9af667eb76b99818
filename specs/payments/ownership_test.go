package payments_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// A PaymentMethod saved to a customer is used with that customer only: an
// intent naming another customer, or none, is refused with Stripe's words,
// the ones integrations meet when they forget the customer of a saved card.
var _ = Describe("PaymentMethods saved to a customer, used for another", Label("payments"), func() {
	var (
		emu          *emulator.Emulator
		sc           *stripe.Client
		owner, other *stripe.Customer
		pm           *stripe.PaymentMethod
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		owner, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("owner@example.com")})
		Expect(err).NotTo(HaveOccurred())
		other, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("other@example.com")})
		Expect(err).NotTo(HaveOccurred())
		pm, err = sc.V1PaymentMethods.Attach(Ctx, "pm_card_visa", &stripe.PaymentMethodAttachParams{Customer: stripe.String(owner.ID)})
		Expect(err).NotTo(HaveOccurred())
	})
	notTheirs := func() string {
		return "The PaymentMethod " + pm.ID + " does not belong to the Customer you supplied " + other.ID +
			". Please use this PaymentMethod with the Customer that it belongs to instead."
	}

	It("refuses it on a SetupIntent of another customer or of none, at create, update and confirm, changing nothing", func() {
		noCustomer := "The payment method supplied (" + pm.ID + ") belongs to the Customer " + owner.ID +
			". Please include the Customer in the `customer` parameter on the SetupIntent."
		types := stripe.StringSlice([]string{"card"})

		_, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(other.ID),
			PaymentMethod: stripe.String(pm.ID), PaymentMethodTypes: types, Confirm: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method")
		Expect(StripeErr(err).Msg).To(Equal(notTheirs()))
		Expect(StripeErr(err).SetupIntent).To(BeNil())
		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethod: stripe.String(pm.ID), PaymentMethodTypes: types})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method")
		Expect(StripeErr(err).Msg).To(Equal(noCustomer))
		Expect(emu.Count("", "setup_intent")).To(BeZero())

		bare, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: types})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SetupIntents.Update(Ctx, bare.ID, &stripe.SetupIntentUpdateParams{PaymentMethod: stripe.String(pm.ID)})
		Expect(StripeErr(err).Msg).To(Equal(noCustomer))
		Expect(StripeErr(err).SetupIntent.ID).To(Equal(bare.ID))

		theirs, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(other.ID), PaymentMethodTypes: types})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SetupIntents.Confirm(Ctx, theirs.ID, &stripe.SetupIntentConfirmParams{PaymentMethod: stripe.String(pm.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method")
		Expect(StripeErr(err).Msg).To(Equal(notTheirs()))
		Expect(StripeErr(err).SetupIntent.ID).To(Equal(theirs.ID))

		for _, id := range []string{bare.ID, theirs.ID} {
			got, err := sc.V1SetupIntents.Retrieve(Ctx, id, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.SetupIntentStatusRequiresPaymentMethod))
			Expect(got.PaymentMethod).To(BeNil())
			Expect(got.LatestAttempt).To(BeNil())
		}
		Expect(emu.Count("", "setup_attempt")).To(BeZero())

		mine, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(owner.ID),
			PaymentMethod: stripe.String(pm.ID), PaymentMethodTypes: types, Confirm: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(mine.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
	})

	It("refuses it on a PaymentIntent of another customer or of none, naming the intent, charging nothing", func() {
		pay := func(customer string) (*stripe.PaymentIntent, error) {
			p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1200), Currency: stripe.String("usd"),
				PaymentMethodTypes: stripe.StringSlice([]string{"card"})}
			if customer != "" {
				p.Customer = stripe.String(customer)
			}
			pi, err := sc.V1PaymentIntents.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String(pm.ID)})
			return pi, err
		}
		pi, err := pay(other.ID)
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method")
		Expect(StripeErr(err).Msg).To(Equal(notTheirs()))
		Expect(StripeErr(err).PaymentIntent.ID).To(Equal(pi.ID))

		// A recording of Stripe's answer has this refusal under
		// parameter_missing and param source.
		pi, err = pay("")
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "source")
		Expect(StripeErr(err).Msg).To(Equal("The `payment_method` parameter supplied " + pm.ID + " belongs to the Customer " + owner.ID +
			". Please include the Customer in the `customer` parameter on the PaymentIntent."))
		Expect(StripeErr(err).PaymentIntent.ID).To(Equal(pi.ID))

		// Refused as it is created, the intent is not kept, nor named.
		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1200), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String(pm.ID), Confirm: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "source")
		Expect(StripeErr(err).PaymentIntent).To(BeNil())
		Expect(emu.Count("", "payment_intent")).To(Equal(2))
		Expect(emu.Count("", "charge")).To(BeZero())
	})
})
