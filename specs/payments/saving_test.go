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

	It("won't set up a PaymentMethod that was detached or paid without a customer, changing nothing", func() {
		const reuse = "The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first."
		pm, err := sc.V1PaymentMethods.Attach(Ctx, card().ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentMethods.Detach(Ctx, pm.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		paid := card()
		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(900), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String(paid.ID), Confirm: stripe.Bool(true), PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())

		for _, used := range []string{pm.ID, paid.ID} {
			for _, customer := range []*string{nil, stripe.String(cus.ID)} {
				intents, attempts, events := emu.Count("", "setup_intent"), emu.Count("", "setup_attempt"), len(emu.EventTypes(""))
				_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: customer, PaymentMethod: stripe.String(used),
					Confirm: stripe.Bool(true), PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
				ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method")
				Expect(StripeErr(err).Msg).To(Equal(reuse))
				Expect(emu.Count("", "setup_intent")).To(Equal(intents))
				Expect(emu.Count("", "setup_attempt")).To(Equal(attempts))
				Expect(emu.EventTypes("")).To(HaveLen(events))
			}
			open, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1SetupIntents.Confirm(Ctx, open.ID, &stripe.SetupIntentConfirmParams{PaymentMethod: stripe.String(used)})
			Expect(StripeErr(err).Msg).To(Equal(reuse))
			after, err := sc.V1SetupIntents.Retrieve(Ctx, open.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(after.Status).To(Equal(stripe.SetupIntentStatusRequiresPaymentMethod))
			Expect(after.PaymentMethod).To(BeNil())
		}
	})

	It("tells of a card source deleted from its customer with payment_method.detached, as its PaymentMethod view goes too", func() {
		src, err := sc.V1PaymentSources.Create(Ctx, &stripe.PaymentSourceCreateParams{Customer: stripe.String(cus.ID), Source: &stripe.PaymentSourceSourceParams{Token: stripe.String("tok_visa")}})
		Expect(err).NotTo(HaveOccurred())
		mark := len(emu.EventTypes(""))
		_, err = sc.V1PaymentSources.Delete(Ctx, src.ID, &stripe.PaymentSourceDeleteParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.EventTypes("")[mark:]).To(ContainElements("customer.source.deleted", "payment_method.detached"))
		var detached map[string]any
		for _, e := range emu.Events("")[mark:] {
			if e["type"] == "payment_method.detached" {
				detached = e["data"].(map[string]any)
			}
		}
		Expect(detached["object"]).To(HaveKeyWithValue("id", src.ID))
		Expect(detached["object"]).To(HaveKeyWithValue("customer", BeNil()))
		Expect(detached["previous_attributes"]).To(HaveKeyWithValue("customer", cus.ID))
		_, err = sc.V1PaymentMethods.Retrieve(Ctx, src.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")

		// Detached through the PaymentMethods API, it is told once.
		src, err = sc.V1PaymentSources.Create(Ctx, &stripe.PaymentSourceCreateParams{Customer: stripe.String(cus.ID), Source: &stripe.PaymentSourceSourceParams{Token: stripe.String("tok_mastercard")}})
		Expect(err).NotTo(HaveOccurred())
		mark = len(emu.EventTypes(""))
		_, err = sc.V1PaymentMethods.Detach(Ctx, src.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.EventTypes("")[mark:]).To(ConsistOf("customer.source.deleted", "payment_method.detached", "customer.updated"))
	})

	It("shows a card SetupIntent's card options with their defaults, as Stripe's reference does", func() {
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.PaymentMethodOptions.Card).NotTo(BeNil())
		Expect(si.PaymentMethodOptions.Card.RequestThreeDSecure).To(Equal(stripe.SetupIntentPaymentMethodOptionsCardRequestThreeDSecureAutomatic))
		Expect(si.PaymentMethodOptions.Card.MandateOptions).To(BeNil())
		Expect(string(si.PaymentMethodOptions.Card.Network)).To(BeEmpty())
		raw, ok := emu.Get(si.ID)
		Expect(ok).To(BeTrue())
		Expect(raw["payment_method_options"]).To(Equal(map[string]any{"card": map[string]any{"mandate_options": nil, "network": nil, "request_three_d_secure": "automatic"}}))

		// What the request asks for is kept over the defaults.
		si, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
			PaymentMethodOptions: &stripe.SetupIntentCreatePaymentMethodOptionsParams{Card: &stripe.SetupIntentCreatePaymentMethodOptionsCardParams{RequestThreeDSecure: stripe.String("any")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.PaymentMethodOptions.Card.RequestThreeDSecure).To(Equal(stripe.SetupIntentPaymentMethodOptionsCardRequestThreeDSecureAny))
		raw, _ = emu.Get(si.ID)
		Expect(raw["payment_method_options"]).To(HaveKeyWithValue("card", HaveKeyWithValue("network", BeNil())))

		// Offering no card, it shows no card options.
		si, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"sepa_debit"})})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.PaymentMethodOptions.Card).To(BeNil())
	})

	It("takes attach_to_self=false, what a SetupIntent for a customer is anyway, and refuses true by name", func() {
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID), AttachToSelf: stripe.Bool(false),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Customer.ID).To(Equal(cus.ID))

		intents := emu.Count("", "setup_intent")
		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{AttachToSelf: stripe.Bool(true), PaymentMethodTypes: stripe.StringSlice([]string{"us_bank_account"})})
		ExpectStripeError(err, 400, "invalid_request_error", "", "attach_to_self")
		Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate"))
		Expect(emu.Count("", "setup_intent")).To(Equal(intents))
	})

	It("keeps payment_method_data[allow_redisplay] of a SetupIntent or PaymentIntent to Stripe's values too", func() {
		data := func(redisplay string) *stripe.SetupIntentCreatePaymentMethodDataParams {
			return &stripe.SetupIntentCreatePaymentMethodDataParams{Type: stripe.String("sepa_debit"), AllowRedisplay: stripe.String(redisplay),
				SEPADebit:      &stripe.SetupIntentCreatePaymentMethodDataSEPADebitParams{IBAN: stripe.String("DE89370400440532013000")},
				BillingDetails: &stripe.SetupIntentCreatePaymentMethodDataBillingDetailsParams{Name: stripe.String("Jenny"), Email: stripe.String("jenny@example.com")}}
		}
		methods := emu.Count("", "payment_method")
		_, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"sepa_debit"}), PaymentMethodData: data("sometimes")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_data[allow_redisplay]")
		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur"),
			PaymentMethodTypes: stripe.StringSlice([]string{"sepa_debit"}),
			PaymentMethodData: &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("sepa_debit"), AllowRedisplay: stripe.String("sometimes"),
				SEPADebit:      &stripe.PaymentMethodSEPADebitParams{IBAN: stripe.String("DE89370400440532013000")},
				BillingDetails: &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{Name: stripe.String("Jenny"), Email: stripe.String("jenny@example.com")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_data[allow_redisplay]")
		Expect(emu.Count("", "payment_method")).To(Equal(methods))

		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"sepa_debit"}), PaymentMethodData: data("always"),
			Params: stripe.Params{Expand: []*string{stripe.String("payment_method")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.PaymentMethod.AllowRedisplay).To(Equal(stripe.PaymentMethodAllowRedisplayAlways))
	})

	It("answers for a deleted customer's PaymentMethods as for a customer that is not there, as its sources do", func() {
		pm, err := sc.V1PaymentMethods.Attach(Ctx, card().ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Delete(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		answers := 0
		for _, err := range sc.V1Customers.ListPaymentMethods(Ctx, &stripe.CustomerListPaymentMethodsParams{Customer: stripe.String(cus.ID)}) {
			answers++
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
			Expect(StripeErr(err).Msg).To(Equal("No such customer: '" + cus.ID + "'"))
		}
		Expect(answers).To(Equal(1))
		_, err = sc.V1Customers.RetrievePaymentMethod(Ctx, pm.ID, &stripe.CustomerRetrievePaymentMethodParams{Customer: stripe.String(cus.ID)})
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(StripeErr(err).Msg).To(Equal("No such customer: '" + cus.ID + "'"))
		// The customer filter of the PaymentMethods list alike.
		answers = 0
		for _, err := range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID)}) {
			answers++
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "customer")
			Expect(StripeErr(err).Msg).To(Equal("No such customer: '" + cus.ID + "'"))
		}
		Expect(answers).To(Equal(1))
	})

	// Stripe checks what came with a card when it is added to a customer
	// (changelog 2014-12-22: "Unchecked properties are checked when a card
	// is charged or added to a Customer object"); until then a check of
	// what was given is unchecked, and one of what was not is null.
	It("shows a card's checks unchecked until it is saved to a customer, then their results", func() {
		given, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"),
			Card: &stripe.PaymentMethodCreateCardParams{Number: stripe.String("4000000000000028"), ExpMonth: stripe.Int64(12),
				ExpYear: stripe.Int64(2034), CVC: stripe.String("123")},
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Address: &stripe.AddressParams{
				Line1: stripe.String("1 Main St"), PostalCode: stripe.String("94107"), Country: stripe.String("US")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(given.Card.Checks.CVCCheck).To(Equal(stripe.PaymentMethodCardChecksCVCCheckUnchecked))
		Expect(given.Card.Checks.AddressLine1Check).To(Equal(stripe.PaymentMethodCardChecksAddressLine1CheckUnchecked))
		Expect(given.Card.Checks.AddressPostalCodeCheck).To(Equal(stripe.PaymentMethodCardChecksAddressPostalCodeCheckUnchecked))

		saved, err := sc.V1PaymentMethods.Attach(Ctx, given.ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(saved.Card.Checks.CVCCheck).To(Equal(stripe.PaymentMethodCardChecksCVCCheckPass))
		Expect(saved.Card.Checks.AddressLine1Check).To(Equal(stripe.PaymentMethodCardChecksAddressLine1CheckFail), "the test card fails it")
		Expect(saved.Card.Checks.AddressPostalCodeCheck).To(Equal(stripe.PaymentMethodCardChecksAddressPostalCodeCheckPass))
		got, err := sc.V1PaymentMethods.Retrieve(Ctx, given.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Card.Checks).To(Equal(saved.Card.Checks))

		// Set up for the customer: the attempt shows the checks it ran.
		pm := card()
		Expect(pm.Card.Checks.AddressLine1Check).To(BeEmpty(), "no address, no check")
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(pm.ID), Confirm: stripe.Bool(true), PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		var attempts []*stripe.SetupAttempt
		for a, err := range sc.V1SetupAttempts.List(Ctx, &stripe.SetupAttemptListParams{SetupIntent: stripe.String(si.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			attempts = append(attempts, a)
		}
		Expect(attempts).To(HaveLen(1))
		Expect(attempts[0].PaymentMethodDetails.Card.Checks.CVCCheck).To(Equal("pass"))
		got, err = sc.V1PaymentMethods.Retrieve(Ctx, pm.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Card.Checks.CVCCheck).To(Equal(stripe.PaymentMethodCardChecksCVCCheckPass))
		Expect(got.Card.Checks.AddressLine1Check).To(BeEmpty())
	})
})
