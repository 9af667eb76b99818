package payments_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Saving payment methods for later, as integrations do it: the rules a
// SetupIntent and the PaymentMethods API keep around a customer's saved
// methods.
var _ = Describe("Saving payment methods for later", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("saver@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})
	card := func() *stripe.PaymentMethod {
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"),
			Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String("tok_visa")}})
		Expect(err).NotTo(HaveOccurred())
		return pm
	}

	It("keeps allow_redisplay to always, limited or unspecified", func() {
		_, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"),
			Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String("tok_visa")}, AllowRedisplay: stripe.String("sometimes")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "allow_redisplay")
		Expect(StripeErr(err).Msg).To(Equal("Invalid allow_redisplay: must be one of always, limited, or unspecified"))

		pm, err := sc.V1PaymentMethods.Attach(Ctx, card().ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentMethods.Update(Ctx, pm.ID, &stripe.PaymentMethodUpdateParams{AllowRedisplay: stripe.String("never")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "allow_redisplay")
		after, err := sc.V1PaymentMethods.Retrieve(Ctx, pm.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(after.AllowRedisplay).To(Equal(stripe.PaymentMethodAllowRedisplayUnspecified))

		after, err = sc.V1PaymentMethods.Update(Ctx, pm.ID, &stripe.PaymentMethodUpdateParams{AllowRedisplay: stripe.String("limited")})
		Expect(err).NotTo(HaveOccurred())
		Expect(after.AllowRedisplay).To(Equal(stripe.PaymentMethodAllowRedisplayLimited))
	})

	It("won't give a SetupIntent a deleted customer on update, as on create", func() {
		gone, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Delete(Ctx, gone.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SetupIntents.Update(Ctx, si.ID, &stripe.SetupIntentUpdateParams{Customer: stripe.String(gone.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "customer")
		Expect(StripeErr(err).Msg).To(Equal("No such customer: '" + gone.ID + "'"))
		after, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(after.Customer).To(BeNil())
	})
})
