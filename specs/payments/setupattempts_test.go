package payments_test

import (
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("SetupAttempts", Label("payments"), func() {
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

	attempts := func(si string) []*stripe.SetupAttempt {
		var list []*stripe.SetupAttempt
		for a, err := range sc.V1SetupAttempts.List(Ctx, &stripe.SetupAttemptListParams{SetupIntent: stripe.String(si)}) {
			Expect(err).NotTo(HaveOccurred())
			list = append(list, a)
		}
		return list
	}
	expandAttempt := func(id string) *stripe.SetupIntent {
		si, err := sc.V1SetupIntents.Retrieve(Ctx, id, &stripe.SetupIntentRetrieveParams{
			Params: stripe.Params{Expand: []*string{stripe.String("latest_attempt")}}})
		Expect(err).NotTo(HaveOccurred())
		return si
	}
	noAttemptEvents := func() {
		for _, t := range emu.EventTypes("") {
			Expect(strings.HasPrefix(t, "setup_attempt")).To(BeFalse(), "Stripe sends no events for setup attempts: %s", t)
		}
	}

	It("records a card setup's attempt as succeeded, named by latest_attempt", func() {
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
		Expect(si.LatestAttempt).NotTo(BeNil())
		Expect(si.LatestAttempt.ID).To(HavePrefix("setatt_"))

		att := expandAttempt(si.ID).LatestAttempt
		Expect(att.ID).To(Equal(si.LatestAttempt.ID))
		Expect(att.Object).To(Equal("setup_attempt"))
		Expect(att.Status).To(Equal(stripe.SetupAttemptStatusSucceeded))
		Expect(att.SetupIntent.ID).To(Equal(si.ID))
		Expect(att.Customer.ID).To(Equal(cus.ID))
		Expect(att.PaymentMethod.ID).To(Equal(si.PaymentMethod.ID))
		Expect(att.Usage).To(Equal(stripe.SetupAttemptUsageOffSession))
		Expect(att.SetupError).To(BeNil())
		Expect(att.PaymentMethodDetails.Type).To(Equal(stripe.SetupAttemptPaymentMethodDetailsTypeCard))
		Expect(att.PaymentMethodDetails.Card.Last4).To(Equal("4242"))
		Expect(att.PaymentMethodDetails.Card.Brand).To(Equal("visa"))
		Expect(att.PaymentMethodDetails.Card.ThreeDSecure).To(BeNil())
		noAttemptEvents()
	})

	It("keeps a 3-D Secure setup's attempt at requires_action until the customer authenticates", func() {
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String("pm_card_authenticationRequiredOnSetup"), Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresAction))
		att := expandAttempt(si.ID).LatestAttempt
		Expect(att.Status).To(Equal(stripe.SetupAttemptStatusRequiresAction))

		status, body, err := emu.Call("POST", "/v1/test_helpers/setup_intents/"+si.ID+"/authenticate", url.Values{}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["latest_attempt"]).To(Equal(att.ID), "authenticating completes the same attempt")

		done := expandAttempt(si.ID).LatestAttempt
		Expect(done.Status).To(Equal(stripe.SetupAttemptStatusSucceeded))
		tds := done.PaymentMethodDetails.Card.ThreeDSecure
		Expect(tds).NotTo(BeNil())
		Expect(tds.Result).To(Equal(stripe.SetupAttemptPaymentMethodDetailsCardThreeDSecureResultAuthenticated))
		Expect(attempts(si.ID)).To(HaveLen(1))
		noAttemptEvents()
	})

	It("fails a 3-D Secure setup's attempt when authentication fails, and a new confirmation makes a new attempt", func() {
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String("pm_card_authenticationRequiredOnSetup"), Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		status, body, err := emu.Call("POST", "/v1/test_helpers/setup_intents/"+si.ID+"/authenticate", url.Values{"outcome": {"fail"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		failed := expandAttempt(si.ID).LatestAttempt
		Expect(failed.Status).To(Equal(stripe.SetupAttemptStatusFailed))
		Expect(failed.SetupError.Code).To(Equal(stripe.ErrorCodeSetupIntentAuthenticationFailure))

		again, err := sc.V1SetupIntents.Confirm(Ctx, si.ID, &stripe.SetupIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
		Expect(again.LatestAttempt.ID).NotTo(Equal(failed.ID))
		list := attempts(si.ID)
		Expect(list).To(HaveLen(2))
		Expect(list[0].ID).To(Equal(again.LatestAttempt.ID), "newest first")
		Expect(list[0].Status).To(Equal(stripe.SetupAttemptStatusSucceeded))
		Expect(list[1].ID).To(Equal(failed.ID))
	})

	// Stripe lists abandoned among an attempt's statuses without saying
	// when; an attempt left waiting for the customer can no longer finish
	// once its SetupIntent is canceled or confirmed afresh.
	It("abandons an attempt waiting for 3-D Secure when its SetupIntent is canceled or confirmed again", func() {
		waiting := func() (*stripe.SetupIntent, string) {
			si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
				Customer: stripe.String(cus.ID), PaymentMethod: stripe.String("pm_card_authenticationRequired"), Confirm: stripe.Bool(true),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresAction))
			return si, si.LatestAttempt.ID
		}

		si, first := waiting()
		_, err := sc.V1SetupIntents.Cancel(Ctx, si.ID, &stripe.SetupIntentCancelParams{CancellationReason: stripe.String("abandoned")})
		Expect(err).NotTo(HaveOccurred())
		list := attempts(si.ID)
		Expect(list).To(HaveLen(1))
		Expect(list[0].ID).To(Equal(first))
		Expect(list[0].Status).To(Equal(stripe.SetupAttemptStatusAbandoned))
		Expect(list[0].SetupError).To(BeNil())

		si, first = waiting()
		again, err := sc.V1SetupIntents.Confirm(Ctx, si.ID, &stripe.SetupIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
		list = attempts(si.ID)
		Expect(list).To(HaveLen(2))
		Expect(list[0].Status).To(Equal(stripe.SetupAttemptStatusSucceeded))
		Expect(list[1].ID).To(Equal(first))
		Expect(list[1].Status).To(Equal(stripe.SetupAttemptStatusAbandoned))
		noAttemptEvents()
	})

	It("records a declined setup's attempt as failed with its error", func() {
		_, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String("pm_card_chargeDeclined"), Confirm: stripe.Bool(true),
		})
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(402))
		Expect(se.SetupIntent.LatestAttempt).NotTo(BeNil())
		att := expandAttempt(se.SetupIntent.ID).LatestAttempt
		Expect(att.Status).To(Equal(stripe.SetupAttemptStatusFailed))
		Expect(att.SetupError).NotTo(BeNil())
		Expect(att.SetupError.Code).To(Equal(stripe.ErrorCodeCardDeclined))
		Expect(att.SetupError.DeclineCode).To(Equal(stripe.DeclineCodeGenericDecline))
		Expect(att.PaymentMethod.ID).NotTo(BeEmpty(), "the attempt keeps the method that was declined")
		noAttemptEvents()
	})

	It("names an iDEAL setup's generated SEPA Direct Debit method and mandate", func() {
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{
			Customer: stripe.String(cus.ID), PaymentMethodTypes: []*string{stripe.String("ideal")},
			PaymentMethodData: &stripe.SetupIntentCreatePaymentMethodDataParams{Type: stripe.String("ideal"),
				IDEAL:          &stripe.SetupIntentCreatePaymentMethodDataIDEALParams{Bank: stripe.String("ing")},
				BillingDetails: &stripe.SetupIntentCreatePaymentMethodDataBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com")}},
			Confirm: stripe.Bool(true), ReturnURL: stripe.String("https://shop.example/return"),
			MandateData: &stripe.SetupIntentCreateMandateDataParams{CustomerAcceptance: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceParams{
				Type:   stripe.String("online"),
				Online: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceOnlineParams{IPAddress: stripe.String("203.0.113.9"), UserAgent: stripe.String("Mozilla/5.0")},
			}},
		})
		Expect(err).NotTo(HaveOccurred())
		pending := expandAttempt(si.ID).LatestAttempt
		Expect(pending.Status).To(Equal(stripe.SetupAttemptStatusRequiresAction))
		Expect(pending.PaymentMethodDetails.IDEAL.GeneratedSEPADebit).To(BeNil())

		status, body, err := emu.Call("POST", "/v1/test_helpers/setup_intents/"+si.ID+"/authenticate", url.Values{"outcome": {"succeed"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)

		done, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, &stripe.SetupIntentRetrieveParams{
			Params: stripe.Params{Expand: []*string{stripe.String("latest_attempt.payment_method_details.ideal.generated_sepa_debit"), stripe.String("mandate")}}})
		Expect(err).NotTo(HaveOccurred())
		att := done.LatestAttempt
		Expect(att.ID).To(Equal(pending.ID))
		Expect(att.Status).To(Equal(stripe.SetupAttemptStatusSucceeded))
		Expect(att.PaymentMethod.ID).To(Equal(done.PaymentMethod.ID), "the attempt names the iDEAL method")
		d := att.PaymentMethodDetails.IDEAL
		Expect(d.Bank).To(Equal("ing"))
		Expect(d.IBANLast4).To(Equal("5264"))
		Expect(d.GeneratedSEPADebit.ID).To(Equal(done.Mandate.PaymentMethod.ID))
		Expect(d.GeneratedSEPADebit.Type).To(Equal(stripe.PaymentMethodTypeSEPADebit))
		Expect(d.GeneratedSEPADebit.SEPADebit.GeneratedFrom.SetupAttempt.ID).To(Equal(att.ID))
		Expect(d.GeneratedSEPADebitMandate.ID).To(Equal(done.Mandate.ID))
		noAttemptEvents()
	})

	It("lists a SetupIntent's attempts, requiring setup_intent and filtering on created", func() {
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		other, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(attempts(other.ID)).To(BeEmpty(), "an unconfirmed SetupIntent has no attempts")

		list := attempts(si.ID)
		Expect(list).To(HaveLen(1))
		Expect(list[0].ID).To(Equal(si.LatestAttempt.ID))

		var n int
		for _, err := range sc.V1SetupAttempts.List(Ctx, &stripe.SetupAttemptListParams{SetupIntent: stripe.String(si.ID),
			CreatedRange: &stripe.RangeQueryParams{GreaterThan: list[0].Created}}) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		Expect(n).To(BeZero())

		r := Do(emu.URL(), "GET", "/v1/setup_attempts", "")
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["code"]).To(Equal("parameter_missing"))
		Expect(r.Error()["param"]).To(Equal("setup_intent"))
	})
})
