package payments_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Canadian pre-authorized debits", Label("payments"), func() {
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

	online := onlineAcceptance()
	sporadic := func() *stripe.PaymentIntentCreatePaymentMethodOptionsParams {
		return &stripe.PaymentIntentCreatePaymentMethodOptionsParams{ACSSDebit: &stripe.PaymentIntentCreatePaymentMethodOptionsACSSDebitParams{
			MandateOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsACSSDebitMandateOptionsParams{
				PaymentSchedule: stripe.String("sporadic"), TransactionType: stripe.String("personal")}}}
	}
	debit := func(account string, extra func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
		p := &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1500), Currency: stripe.String("cad"), Customer: stripe.String(cus.ID),
			PaymentMethodTypes: []*string{stripe.String("acss_debit")},
			PaymentMethodData: &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("acss_debit"),
				ACSSDebit: &stripe.PaymentMethodACSSDebitParams{InstitutionNumber: stripe.String("000"), TransitNumber: stripe.String("11000"),
					AccountNumber: stripe.String(account)},
				BillingDetails: &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com")}},
			PaymentMethodOptions: sporadic(),
			Confirm:              stripe.Bool(true), MandateData: online,
		}
		if extra != nil {
			extra(p)
		}
		return sc.V1PaymentIntents.Create(Ctx, p)
	}
	verify := func(id string) (*stripe.PaymentIntent, error) {
		return sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, id, &stripe.PaymentIntentVerifyMicrodepositsParams{Amounts: []*int64{stripe.Int64(32), stripe.Int64(45)}})
	}
	createPM := func(inst, transit, account string, email *string) (*stripe.PaymentMethod, error) {
		return sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("acss_debit"),
			ACSSDebit: &stripe.PaymentMethodCreateACSSDebitParams{InstitutionNumber: stripe.String(inst), TransitNumber: stripe.String(transit),
				AccountNumber: stripe.String(account)},
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: email}})
	}
	email := stripe.String("jenny@example.com")

	It("makes a PaymentMethod with institution_number, transit_number, last4, fingerprint and the test bank's name, and refuses bad numbers", func() {
		pm, err := createPM("000", "11000", "900123456789", email)
		Expect(err).NotTo(HaveOccurred())
		Expect(pm.Type).To(Equal(stripe.PaymentMethodTypeACSSDebit))
		Expect(pm.ACSSDebit.InstitutionNumber).To(Equal("000"))
		Expect(pm.ACSSDebit.TransitNumber).To(Equal("11000"))
		Expect(pm.ACSSDebit.Last4).To(Equal("6789"))
		Expect(pm.ACSSDebit.BankName).To(Equal("STRIPE TEST BANK"))
		Expect(pm.ACSSDebit.Fingerprint).NotTo(BeEmpty())
		other, err := createPM("001", "12345", "900123456789", email)
		Expect(err).NotTo(HaveOccurred())
		Expect(other.ACSSDebit.BankName).To(BeEmpty())
		Expect(other.ACSSDebit.Fingerprint).NotTo(Equal(pm.ACSSDebit.Fingerprint))

		_, err = createPM("00", "11000", "900123456789", email)
		ExpectStripeError(err, 400, "invalid_request_error", "", "acss_debit[institution_number]")
		_, err = createPM("000", "1100", "900123456789", email)
		ExpectStripeError(err, 400, "invalid_request_error", "", "acss_debit[transit_number]")
		_, err = createPM("000", "11000", "123456", email)
		ExpectStripeError(err, 400, "invalid_request_error", "", "acss_debit[account_number]")
		_, err = createPM("000", "11000", "900123456789", nil)
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "billing_details[email]")
		_, err = createPM("000", "11000", "900555555559", email)
		ExpectStripeError(err, 400, "invalid_request_error", "", "acss_debit[account_number]")
		Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate"))
	})

	It("verifies the account by microdeposit amounts, then debits under a PAD mandate with the intent's terms, processing then succeeded", func() {
		mark := len(emu.EventTypes(""))
		pi, err := debit("900123456789", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionTypeVerifyWithMicrodeposits))
		Expect(pi.NextAction.VerifyWithMicrodeposits.MicrodepositType).To(Equal(stripe.PaymentIntentNextActionVerifyWithMicrodepositsMicrodepositTypeAmounts))
		Expect(pi.NextAction.VerifyWithMicrodeposits.HostedVerificationURL).NotTo(BeEmpty())
		Expect(pi.PaymentMethodOptions.ACSSDebit.MandateOptions.PaymentSchedule).To(Equal(stripe.PaymentIntentPaymentMethodOptionsACSSDebitMandateOptionsPaymentScheduleSporadic))
		Expect(emu.EventTypes("")[mark:]).To(Equal([]string{"payment_intent.created", "payment_intent.requires_action"}))

		hosted := pi.NextAction.VerifyWithMicrodeposits.HostedVerificationURL
		page := Visit("GET", hosted, nil)
		Expect(page.Status).To(Equal(200))
		Expect(page.Body).To(ContainSubstring(`name="amounts"`))
		page = Visit("GET", hosted+"?amounts=32&amounts=45", nil)
		Expect(page.Status).To(Equal(200), page.Body)
		pi, err = sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		d := ch.PaymentMethodDetails.ACSSDebit
		Expect(d.InstitutionNumber).To(Equal("000"))
		Expect(d.TransitNumber).To(Equal("11000"))
		Expect(d.Last4).To(Equal("6789"))
		Expect(d.BankName).To(Equal("STRIPE TEST BANK"))
		m, err := sc.V1Mandates.Retrieve(Ctx, d.Mandate, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Status).To(Equal(stripe.MandateStatusActive))
		Expect(m.Type).To(Equal(stripe.MandateTypeSingleUse))
		Expect(m.PaymentMethodDetails.ACSSDebit.PaymentSchedule).To(Equal(stripe.MandatePaymentMethodDetailsACSSDebitPaymentScheduleSporadic))
		Expect(m.PaymentMethodDetails.ACSSDebit.TransactionType).To(Equal(stripe.MandatePaymentMethodDetailsACSSDebitTransactionTypePersonal))

		emu.Clock().Advance(4 * time.Minute)
		done, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})

	It("fails 900222222227 with insufficient_funds once verified, and 900666666661 at once, its microdeposits not sent", func() {
		pi, err := debit("900222222227", nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = verify(pi.ID)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(4 * time.Minute)
		b, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(b.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(b.LastPaymentError.Code).To(Equal(stripe.ErrorCodeInsufficientFunds))

		failed, err := debit("900666666661", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(failed.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(failed.LastPaymentError.Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositFailed))
	})

	It("refuses a mandate without its terms, an interval without a description, a bad custom mandate URL, instant verification and other currencies", func() {
		_, err := debit("900123456789", func(p *stripe.PaymentIntentCreateParams) { p.PaymentMethodOptions = nil })
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "payment_method_options[acss_debit][mandate_options][payment_schedule]")

		_, err = debit("900123456789", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodOptions.ACSSDebit.MandateOptions.PaymentSchedule = stripe.String("interval")
		})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "payment_method_options[acss_debit][mandate_options][interval_description]")

		_, err = debit("900123456789", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodOptions.ACSSDebit.MandateOptions.CustomMandateURL = stripe.String("not a url")
		})
		ExpectStripeError(err, 400, "invalid_request_error", "url_invalid", "payment_method_options[acss_debit][mandate_options][custom_mandate_url]")

		_, err = debit("900123456789", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodOptions.ACSSDebit.VerificationMethod = stripe.String("instant")
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_options[acss_debit][verification_method]")

		_, err = debit("900123456789", func(p *stripe.PaymentIntentCreateParams) { p.MandateData = nil })
		Expect(err).To(HaveOccurred())
		Expect(StripeErr(err).Msg).To(HavePrefix("This PaymentIntent requires a mandate"))

		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur"),
			PaymentMethodTypes: []*string{stripe.String("acss_debit")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(StripeErr(err).Msg).To(ContainSubstring("acss_debit only supports the following currencies: cad, usd"))
	})

	It("sets up a multi-use mandate with a SetupIntent in a currency, verified by microdeposits, which later off-session debits use", func() {
		pm, err := createPM("000", "11000", "900123456789", email)
		Expect(err).NotTo(HaveOccurred())
		accept := &stripe.SetupIntentCreateMandateDataParams{CustomerAcceptance: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceParams{Type: stripe.String("offline")}}
		opts := &stripe.SetupIntentCreatePaymentMethodOptionsACSSDebitParams{MandateOptions: &stripe.SetupIntentCreatePaymentMethodOptionsACSSDebitMandateOptionsParams{
			PaymentSchedule: stripe.String("interval"), IntervalDescription: stripe.String("First day of every month"), TransactionType: stripe.String("business")}}
		p := &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm.ID),
			PaymentMethodTypes: []*string{stripe.String("acss_debit")}, Confirm: stripe.Bool(true), MandateData: accept,
			PaymentMethodOptions: &stripe.SetupIntentCreatePaymentMethodOptionsParams{ACSSDebit: opts}}
		_, err = sc.V1SetupIntents.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "payment_method_options[acss_debit][currency]")

		opts.Currency = stripe.String("cad")
		si, err := sc.V1SetupIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresAction))
		Expect(si.NextAction.VerifyWithMicrodeposits.MicrodepositType).To(Equal(stripe.SetupIntentNextActionVerifyWithMicrodepositsMicrodepositTypeAmounts))
		pending, _ := sc.V1Mandates.Retrieve(Ctx, si.Mandate.ID, nil)
		Expect(pending.Status).To(Equal(stripe.MandateStatusPending))

		si, err = sc.V1SetupIntents.VerifyMicrodeposits(Ctx, si.ID, &stripe.SetupIntentVerifyMicrodepositsParams{Amounts: []*int64{stripe.Int64(32), stripe.Int64(45)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
		m, err := sc.V1Mandates.Retrieve(Ctx, si.Mandate.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Status).To(Equal(stripe.MandateStatusActive))
		Expect(m.Type).To(Equal(stripe.MandateTypeMultiUse))
		Expect(m.PaymentMethodDetails.ACSSDebit.PaymentSchedule).To(Equal(stripe.MandatePaymentMethodDetailsACSSDebitPaymentScheduleInterval))
		Expect(m.PaymentMethodDetails.ACSSDebit.IntervalDescription).To(Equal("First day of every month"))
		Expect(m.PaymentMethodDetails.ACSSDebit.TransactionType).To(Equal(stripe.MandatePaymentMethodDetailsACSSDebitTransactionTypeBusiness))

		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2500), Currency: stripe.String("cad"),
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm.ID), PaymentMethodTypes: []*string{stripe.String("acss_debit")},
			Confirm: stripe.Bool(true), OffSession: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		ch, _ := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(ch.PaymentMethodDetails.ACSSDebit.Mandate).To(Equal(m.ID))
	})
})
