package payments_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Details of SetupIntents as Stripe's API reference and OpenAPI spec give
// them at the pinned version.
var _ = Describe("SetupIntent fidelity", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	// Stripe's OpenAPI spec: description 1000 characters, a configuration
	// id 100, a card mandate's description 200 and reference 80, a SEPA or
	// Bacs mandate's reference_prefix 12; Stripe's words for any string
	// over its limit.
	It("holds its strings to the lengths of Stripe's OpenAPI spec on create, update and confirm, changing nothing", func() {
		long := func(n int) string { return strings.Repeat("x", n) }
		_, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Description: stripe.String(long(1001))})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: xxxx...xxxx; must be at most 1000 characters"))
		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodConfiguration: stripe.String("pmc_" + long(97))})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_configuration")
		prefix := &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"sepa_debit"}),
			PaymentMethodOptions: &stripe.SetupIntentCreatePaymentMethodOptionsParams{SEPADebit: &stripe.SetupIntentCreatePaymentMethodOptionsSEPADebitParams{
				MandateOptions: &stripe.SetupIntentCreatePaymentMethodOptionsSEPADebitMandateOptionsParams{ReferencePrefix: stripe.String(long(13))}}}}
		_, err = sc.V1SetupIntents.Create(Ctx, prefix)
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_options[sepa_debit][mandate_options][reference_prefix]")
		mandate := func(description, reference string) *stripe.SetupIntentCreatePaymentMethodOptionsParams {
			return &stripe.SetupIntentCreatePaymentMethodOptionsParams{Card: &stripe.SetupIntentCreatePaymentMethodOptionsCardParams{
				MandateOptions: &stripe.SetupIntentCreatePaymentMethodOptionsCardMandateOptionsParams{
					Amount: stripe.Int64(1000), AmountType: stripe.String("fixed"), Currency: stripe.String("inr"),
					Interval: stripe.String("month"), StartDate: stripe.Int64(1800000000), Reference: stripe.String(reference),
					Description: stripe.String(description), SupportedTypes: stripe.StringSlice([]string{"india"})}}}
		}
		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
			PaymentMethodOptions: mandate(long(201), "ref")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_options[card][mandate_options][description]")
		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
			PaymentMethodOptions: mandate("Monthly plan", long(81))})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_options[card][mandate_options][reference]")
		Expect(emu.Count("", "setup_intent")).To(BeZero())

		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
			Description: stripe.String(long(1000))})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SetupIntents.Update(Ctx, si.ID, &stripe.SetupIntentUpdateParams{Description: stripe.String(long(1001))})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		mo := "payment_method_options[card][mandate_options]"
		r := Do(emu.URL(), "POST", "/v1/setup_intents/"+si.ID+"/confirm", "payment_method=pm_card_visa&"+mo+"[amount]=1000&"+mo+"[amount_type]=fixed&"+
			mo+"[currency]=inr&"+mo+"[interval]=month&"+mo+"[start_date]=1800000000&"+mo+"[reference]="+long(81))
		Expect(r.Status).To(Equal(400))
		Expect(r.Body["error"].(map[string]any)["param"]).To(Equal("payment_method_options[card][mandate_options][reference]"))
		got, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Description).To(Equal(long(1000)))
		Expect(got.Status).To(Equal(stripe.SetupIntentStatusRequiresPaymentMethod))
	})
	// A SetupIntent sets up only the types it lists, as a PaymentIntent
	// pays with only those: Stripe's refusal names the type and the list.
	It("refuses a PaymentMethod of a type its payment_method_types leave out, setting up nothing", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SetupIntents.Confirm(Ctx, si.ID, &stripe.SetupIntentConfirmParams{PaymentMethod: stripe.String("pm_success_de"),
			MandateData: &stripe.SetupIntentMandateDataParams{CustomerAcceptance: &stripe.SetupIntentMandateDataCustomerAcceptanceParams{
				Type: stripe.MandateCustomerAcceptanceTypeOffline, Offline: &stripe.SetupIntentMandateDataCustomerAcceptanceOfflineParams{}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method")
		Expect(StripeErr(err).Msg).To(Equal("The PaymentMethod provided (sepa_debit) is not allowed for this SetupIntent. Please attach a PaymentMethod of one of the following types: card. Alternatively, update the allowed payment_method_types for this SetupIntent to include \"sepa_debit\""))
		got, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SetupIntentStatusRequiresPaymentMethod))
		Expect(emu.Count("", "mandate")).To(BeZero())
		for pm, err := range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			Fail("nothing is saved to the customer, yet " + pm.ID + " is")
		}

		// Listed, it is set up.
		si, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID),
			PaymentMethodTypes: stripe.StringSlice([]string{"card", "sepa_debit"}), PaymentMethod: stripe.String("pm_success_de"), Confirm: stripe.Bool(true),
			MandateData: &stripe.SetupIntentCreateMandateDataParams{CustomerAcceptance: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceParams{
				Type: stripe.String("offline"), Offline: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceOfflineParams{}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
	})

	// A 3-D Secure setup waits with redirect_to_url when the confirmation
	// gives a return_url, else with use_stripe_sdk for Stripe.js, as a
	// PaymentIntent does.
	It("waits for 3-D Secure with redirect_to_url given a return_url, else use_stripe_sdk", func() {
		confirm := func(returnURL *string) *stripe.SetupIntent {
			si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{
				PaymentMethod: stripe.String("pm_card_authenticationRequiredOnSetup"), Confirm: stripe.Bool(true), ReturnURL: returnURL,
				Usage: stripe.String("off_session"), PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
			Expect(err).NotTo(HaveOccurred())
			Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresAction))
			return si
		}
		redirected := confirm(stripe.String("https://example.com/return"))
		Expect(redirected.NextAction.Type).To(Equal(stripe.SetupIntentNextActionTypeRedirectToURL))
		Expect(redirected.NextAction.RedirectToURL.ReturnURL).To(Equal("https://example.com/return"))
		Expect(redirected.NextAction.RedirectToURL.URL).To(ContainSubstring(redirected.ID))
		sdk := confirm(nil)
		Expect(sdk.NextAction.Type).To(Equal(stripe.SetupIntentNextActionTypeUseStripeSDK))
		Expect(sdk.NextAction.RedirectToURL).To(BeNil())
		Expect(emu.EventTypes("")).To(ContainElement("setup_intent.requires_action"))
	})
})
