package payments_test

import (
	"net/http"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("SetupIntents authorized with iDEAL or Bancontact", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("jenny@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})

	const returnURL = "https://shop.example/return"
	acceptance := func() *stripe.SetupIntentCreateMandateDataParams {
		return &stripe.SetupIntentCreateMandateDataParams{CustomerAcceptance: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceParams{
			Type:   stripe.String("online"),
			Online: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceOnlineParams{IPAddress: stripe.String("203.0.113.9"), UserAgent: stripe.String("Mozilla/5.0")},
		}}
	}
	create := func(typ string, extra func(*stripe.SetupIntentCreateParams)) (*stripe.SetupIntent, error) {
		d := &stripe.SetupIntentCreatePaymentMethodDataParams{Type: stripe.String(typ),
			BillingDetails: &stripe.SetupIntentCreatePaymentMethodDataBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com")}}
		if typ == "ideal" {
			d.IDEAL = &stripe.SetupIntentCreatePaymentMethodDataIDEALParams{Bank: stripe.String("ing")}
		} else if typ == "bancontact" {
			d.Bancontact = &stripe.SetupIntentCreatePaymentMethodDataBancontactParams{}
		}
		p := &stripe.SetupIntentCreateParams{
			Customer: stripe.String(cus.ID), PaymentMethodTypes: []*string{stripe.String(typ)}, PaymentMethodData: d,
			Confirm: stripe.Bool(true), ReturnURL: stripe.String(returnURL), MandateData: acceptance(),
		}
		if extra != nil {
			extra(p)
		}
		return sc.V1SetupIntents.Create(Ctx, p)
	}
	visit := func(si *stripe.SetupIntent, outcome string) map[string]any {
		Expect(si.NextAction).NotTo(BeNil())
		Expect(si.NextAction.Type).To(Equal(stripe.SetupIntentNextActionTypeRedirectToURL))
		Expect(si.NextAction.RedirectToURL.ReturnURL).To(Equal(returnURL))
		u, err := url.Parse(si.NextAction.RedirectToURL.URL)
		Expect(err).NotTo(HaveOccurred())
		Expect(u.Path).To(Equal("/v1/test_helpers/setup_intents/" + si.ID + "/authenticate"))
		status, body, err := emu.Call("POST", u.Path, url.Values{"outcome": {outcome}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		return body
	}
	saved := func() []*stripe.PaymentMethod {
		var list []*stripe.PaymentMethod
		for pm, err := range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			list = append(list, pm)
		}
		return list
	}

	It("sends a browser that opens redirect_to_url back to return_url with setup_intent, its client secret and redirect_status", func() {
		si, err := create("ideal", nil)
		Expect(err).NotTo(HaveOccurred())
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noRedirect.Get(si.NextAction.RedirectToURL.URL + "?outcome=succeed")
		Expect(err).NotTo(HaveOccurred())
		res.Body.Close()
		Expect(res.StatusCode).To(Equal(http.StatusSeeOther))
		back, err := url.Parse(res.Header.Get("Location"))
		Expect(err).NotTo(HaveOccurred())
		Expect(back.Query().Get("setup_intent")).To(Equal(si.ID))
		Expect(back.Query().Get("setup_intent_client_secret")).To(Equal(si.ClientSecret))
		Expect(back.Query().Get("redirect_status")).To(Equal("succeeded"))
		got, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
	})

	DescribeTable("authorized, saves a generated SEPA Direct Debit method under a multi-use mandate that pays off-session",
		func(typ, last4 string) {
			mark := len(emu.EventTypes(""))
			si, err := create(typ, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresAction))
			Expect(si.Mandate).To(BeNil(), "no mandate before the customer authorizes")
			Expect(emu.EventTypes("")[mark:]).To(Equal([]string{"setup_intent.created", "setup_intent.requires_action"}))

			mark = len(emu.EventTypes(""))
			body := visit(si, "succeed")
			Expect(body["status"]).To(Equal("succeeded"))
			Expect(emu.EventTypes("")[mark:]).To(ContainElement("setup_intent.succeeded"))

			done, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, &stripe.SetupIntentRetrieveParams{
				Params: stripe.Params{Expand: []*string{stripe.String("mandate.payment_method")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(done.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
			Expect(done.NextAction).To(BeNil())
			own, err := sc.V1PaymentMethods.Retrieve(Ctx, done.PaymentMethod.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(own.Type)).To(Equal(typ), "the SetupIntent keeps the method the customer authorized with")
			Expect(own.Customer).To(BeNil(), "which is not saved itself")
			Expect(done.Mandate).NotTo(BeNil())
			Expect(done.Mandate.Type).To(Equal(stripe.MandateTypeMultiUse))
			Expect(done.Mandate.Status).To(Equal(stripe.MandateStatusActive))
			Expect(done.Mandate.CustomerAcceptance.Online.IPAddress).To(Equal("203.0.113.9"))
			gen := done.Mandate.PaymentMethod
			Expect(gen.Type).To(Equal(stripe.PaymentMethodTypeSEPADebit))
			Expect(gen.SEPADebit.Last4).To(Equal(last4))
			Expect(gen.BillingDetails.Name).To(Equal("Jenny Rosen"))

			list := saved()
			Expect(list).To(HaveLen(1), "only the generated method is saved, not the %s one", typ)
			Expect(list[0].ID).To(Equal(gen.ID))
			Expect(list[0].Customer.ID).To(Equal(cus.ID))

			later, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(1000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
				PaymentMethodTypes: []*string{stripe.String("sepa_debit")}, PaymentMethod: stripe.String(gen.ID),
				OffSession: stripe.Bool(true), Confirm: stripe.Bool(true),
				Params: stripe.Params{Expand: []*string{stripe.String("latest_charge")}},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(later.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
			Expect(later.LatestCharge.PaymentMethodDetails.SEPADebit.Mandate).To(Equal(done.Mandate.ID))
		},
		Entry("iDEAL", "ideal", "5264"),
		Entry("Bancontact", "bancontact", "7061"),
	)

	It("fails on the test page, back to requires_payment_method with last_setup_error, saving nothing", func() {
		si, err := create("ideal", nil)
		Expect(err).NotTo(HaveOccurred())
		mark := len(emu.EventTypes(""))
		body := visit(si, "fail")
		Expect(body["status"]).To(Equal("requires_payment_method"))
		Expect(emu.EventTypes("")[mark:]).To(Equal([]string{"setup_intent.setup_failed"}))

		got, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SetupIntentStatusRequiresPaymentMethod))
		Expect(got.PaymentMethod).To(BeNil())
		Expect(got.Mandate).To(BeNil())
		Expect(got.LastSetupError).NotTo(BeNil())
		Expect(got.LastSetupError.Code).To(Equal(stripe.ErrorCodeSetupIntentAuthenticationFailure))
		Expect(got.LastSetupError.PaymentMethod.Type).To(Equal(stripe.PaymentMethodTypeIDEAL))
		Expect(saved()).To(BeEmpty())
	})

	It("refuses to confirm without a return_url or mandate_data, keeping nothing", func() {
		mark := len(emu.EventTypes(""))
		_, err := create("ideal", func(p *stripe.SetupIntentCreateParams) { p.ReturnURL = nil })
		ExpectStripeError(err, 400, "invalid_request_error", "", "return_url")
		Expect(StripeErr(err).Msg).To(Equal("You must provide a `return_url` when confirming a SetupIntent with the payment method type ideal."))
		_, err = create("bancontact", func(p *stripe.SetupIntentCreateParams) { p.MandateData = nil })
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "mandate_data")
		_, err = create("eps", nil)
		Expect(StripeErr(err).Param).To(Equal("payment_method_types"))

		Expect(emu.EventTypes("")[mark:]).To(BeEmpty())
		n := 0
		for _, err := range sc.V1SetupIntents.List(Ctx, &stripe.SetupIntentListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		Expect(n).To(BeZero(), "no SetupIntent kept")
		n = 0
		for range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{}) {
			n++
		}
		Expect(n).To(BeZero(), "no PaymentMethod kept")
	})
})
