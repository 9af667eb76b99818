package payments_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("BECS Direct Debit", Label("payments"), func() {
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

	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }
	online := onlineAcceptance()
	jenny := &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com")}
	debit := func(account string, extra func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
		p := &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1500), Currency: stripe.String("aud"), Customer: stripe.String(cus.ID),
			PaymentMethodTypes: []*string{stripe.String("au_becs_debit")},
			PaymentMethodData: &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("au_becs_debit"),
				AUBECSDebit:    &stripe.PaymentMethodAUBECSDebitParams{BSBNumber: stripe.String("000-000"), AccountNumber: stripe.String(account)},
				BillingDetails: jenny},
			Confirm: stripe.Bool(true), MandateData: online,
		}
		if extra != nil {
			extra(p)
		}
		return sc.V1PaymentIntents.Create(Ctx, p)
	}
	createPM := func(bsb, account string, bd *stripe.PaymentMethodCreateBillingDetailsParams) (*stripe.PaymentMethod, error) {
		return sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("au_becs_debit"),
			AUBECSDebit:    &stripe.PaymentMethodCreateAUBECSDebitParams{BSBNumber: stripe.String(bsb), AccountNumber: stripe.String(account)},
			BillingDetails: bd})
	}
	named := &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com")}

	It("makes a PaymentMethod with bsb_number, last4 and the account's fingerprint, and refuses bad account details", func() {
		pm, err := createPM("000000", "000123456", named)
		Expect(err).NotTo(HaveOccurred())
		Expect(pm.Type).To(Equal(stripe.PaymentMethodTypeAUBECSDebit))
		Expect(pm.AUBECSDebit.BSBNumber).To(Equal("000000"))
		Expect(pm.AUBECSDebit.Last4).To(Equal("3456"))
		Expect(pm.AUBECSDebit.Fingerprint).NotTo(BeEmpty())
		same, err := createPM("000-000", "000123456", named)
		Expect(err).NotTo(HaveOccurred())
		Expect(same.AUBECSDebit.Fingerprint).To(Equal(pm.AUBECSDebit.Fingerprint))
		other, err := createPM("000000", "900123456", named)
		Expect(err).NotTo(HaveOccurred())
		Expect(other.AUBECSDebit.Fingerprint).NotTo(Equal(pm.AUBECSDebit.Fingerprint))

		_, err = createPM("00000", "000123456", named)
		ExpectStripeError(err, 400, "invalid_request_error", "", "au_becs_debit[bsb_number]")
		_, err = createPM("000000", "1234", named)
		ExpectStripeError(err, 400, "invalid_request_error", "", "au_becs_debit[account_number]")
		_, err = createPM("000000", "1234567890", named)
		ExpectStripeError(err, 400, "invalid_request_error", "", "au_becs_debit[account_number]")
		_, err = createPM("000000", "000123456", &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny Rosen")})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "billing_details[email]")
		_, err = createPM("000000", "666666660", named)
		ExpectStripeError(err, 400, "invalid_request_error", "", "au_becs_debit[account_number]")
		Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate"))
	})

	It("debits under a new mandate (au_becs_debit url), processing, then succeeded within seconds for 000123456", func() {
		mark := len(emu.EventTypes(""))
		pi, err := debit("000123456", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.processing", "charge.pending"}))
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		d := ch.PaymentMethodDetails.AUBECSDebit
		Expect(d.BSBNumber).To(Equal("000000"))
		Expect(d.Last4).To(Equal("3456"))
		Expect(d.Fingerprint).NotTo(BeEmpty())
		Expect(d.Mandate).NotTo(BeEmpty())
		m, err := sc.V1Mandates.Retrieve(Ctx, d.Mandate, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Status).To(Equal(stripe.MandateStatusActive))
		Expect(m.Type).To(Equal(stripe.MandateTypeSingleUse))
		Expect(m.PaymentMethodDetails.Type).To(Equal(stripe.MandatePaymentMethodDetailsTypeAUBECSDebit))
		Expect(m.PaymentMethodDetails.AUBECSDebit.URL).To(ContainSubstring("/mandates/" + m.ID))

		emu.Clock().Advance(10 * time.Second)
		done, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(done.AmountReceived).To(Equal(int64(1500)))
		Expect(eventsSince(mark)[3:]).To(Equal([]string{"charge.succeeded", "payment_intent.succeeded"}))

		re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(500)})
		Expect(err).NotTo(HaveOccurred())
		Expect(re.Amount).To(Equal(int64(500)))
		Expect(re.Currency).To(Equal(stripe.Currency("aud")))
	})

	It("settles 900123456 after 3 minutes, and fails 111111113 with account_closed, leaving its mandate inactive", func() {
		ok, err := debit("900123456", nil)
		Expect(err).NotTo(HaveOccurred())
		bad, err := debit("111111113", nil)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(time.Minute)
		o, _ := sc.V1PaymentIntents.Retrieve(Ctx, ok.ID, nil)
		Expect(o.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		b, _ := sc.V1PaymentIntents.Retrieve(Ctx, bad.ID, nil)
		Expect(b.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(b.LastPaymentError.Code).To(Equal(stripe.ErrorCodeAccountClosed))
		Expect(b.LastPaymentError.PaymentMethod.Type).To(Equal(stripe.PaymentMethodTypeAUBECSDebit))
		ch, _ := sc.V1Charges.Retrieve(Ctx, bad.LatestCharge.ID, nil)
		Expect(ch.FailureCode).To(Equal("account_closed"))
		m, err := sc.V1Mandates.Retrieve(Ctx, ch.PaymentMethodDetails.AUBECSDebit.Mandate, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Status).To(Equal(stripe.MandateStatusInactive))
		Expect(emu.EventTypes("")).To(ContainElement("mandate.updated"))

		emu.Clock().Advance(3 * time.Minute)
		o, _ = sc.V1PaymentIntents.Retrieve(Ctx, ok.ID, nil)
		Expect(o.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})

	It("fails 222222227 with refer_to_customer and 333333335 with debit_not_authorized, only the latter ending the mandate", func() {
		refer, err := debit("222222227", nil)
		Expect(err).NotTo(HaveOccurred())
		unauth, err := debit("333333335", nil)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(10 * time.Second)
		r, _ := sc.V1PaymentIntents.Retrieve(Ctx, refer.ID, nil)
		Expect(r.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(r.LastPaymentError.Code).To(Equal(stripe.ErrorCodeReferToCustomer))
		ch, _ := sc.V1Charges.Retrieve(Ctx, refer.LatestCharge.ID, nil)
		m, _ := sc.V1Mandates.Retrieve(Ctx, ch.PaymentMethodDetails.AUBECSDebit.Mandate, nil)
		Expect(m.Status).To(Equal(stripe.MandateStatusActive))
		u, _ := sc.V1PaymentIntents.Retrieve(Ctx, unauth.ID, nil)
		Expect(u.LastPaymentError.Code).To(Equal(stripe.ErrorCode("debit_not_authorized")))
		ch, _ = sc.V1Charges.Retrieve(Ctx, unauth.LatestCharge.ID, nil)
		m, _ = sc.V1Mandates.Retrieve(Ctx, ch.PaymentMethodDetails.AUBECSDebit.Mandate, nil)
		Expect(m.Status).To(Equal(stripe.MandateStatusInactive))
	})

	It("refuses other currencies, a debit without a mandate and manual capture", func() {
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: []*string{stripe.String("au_becs_debit")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(StripeErr(err).Msg).To(ContainSubstring("au_becs_debit only supports the following currencies: aud"))

		_, err = debit("000123456", func(p *stripe.PaymentIntentCreateParams) { p.MandateData = nil })
		Expect(err).To(HaveOccurred())
		Expect(StripeErr(err).Msg).To(Equal("This PaymentIntent requires a mandate, but no existing mandate was found. Collect mandate acceptance from the customer and try again, providing acceptance data in the mandate_data parameter."))

		_, err = debit("000123456", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
		ExpectStripeError(err, 400, "invalid_request_error", "", "capture_method")

		_, err = debit("12", nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_data[au_becs_debit][account_number]")
	})

	It("sets up a multi-use mandate with a SetupIntent, which later off-session debits use", func() {
		pm, err := createPM("000000", "000123456", named)
		Expect(err).NotTo(HaveOccurred())
		siParams := func() *stripe.SetupIntentCreateParams {
			return &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm.ID),
				PaymentMethodTypes: []*string{stripe.String("au_becs_debit")}, Confirm: stripe.Bool(true)}
		}
		_, err = sc.V1SetupIntents.Create(Ctx, siParams())
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "mandate_data")
		Expect(StripeErr(err).Msg).To(Equal("When confirming a SetupIntent with a `au_becs_debit` PaymentMethod, `mandate_data` is required."))

		p := siParams()
		p.MandateData = &stripe.SetupIntentCreateMandateDataParams{CustomerAcceptance: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceParams{
			Type: stripe.String("offline")}}
		si, err := sc.V1SetupIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
		m, err := sc.V1Mandates.Retrieve(Ctx, si.Mandate.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Type).To(Equal(stripe.MandateTypeMultiUse))
		Expect(m.PaymentMethodDetails.AUBECSDebit.URL).NotTo(BeEmpty())
		saved, _ := sc.V1PaymentMethods.Retrieve(Ctx, pm.ID, nil)
		Expect(saved.Customer.ID).To(Equal(cus.ID))

		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2500), Currency: stripe.String("aud"),
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm.ID), PaymentMethodTypes: []*string{stripe.String("au_becs_debit")},
			Confirm: stripe.Bool(true), OffSession: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		ch, _ := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(ch.PaymentMethodDetails.AUBECSDebit.Mandate).To(Equal(m.ID))
	})
})

var _ = Describe("BECS Direct Debit mandate page", Label("payments"), func() {
	It("shows the BECS Direct Debit Request at its url, with the account's BSB", func() {
		emu := Emulator()
		sc := emu.Client()
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1500), Currency: stripe.String("aud"), PaymentMethodTypes: []*string{stripe.String("au_becs_debit")},
			PaymentMethodData: &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("au_becs_debit"),
				AUBECSDebit: &stripe.PaymentMethodAUBECSDebitParams{BSBNumber: stripe.String("000000"), AccountNumber: stripe.String("000123456")},
				BillingDetails: &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{
					Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com")}},
			Confirm: stripe.Bool(true), MandateData: &stripe.PaymentIntentCreateMandateDataParams{CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{
				Type: stripe.String("offline")}},
		})
		Expect(err).NotTo(HaveOccurred())
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		m, err := sc.V1Mandates.Retrieve(Ctx, ch.PaymentMethodDetails.AUBECSDebit.Mandate, nil)
		Expect(err).NotTo(HaveOccurred())
		page := Visit("GET", m.PaymentMethodDetails.AUBECSDebit.URL, nil)
		Expect(page.Status).To(Equal(200))
		Expect(page.Body).To(ContainSubstring("BECS Direct Debit mandate"))
		Expect(page.Body).To(ContainSubstring("000000 •••• 3456"))
		Expect(page.Body).To(ContainSubstring("Jenny Rosen"))
		Expect(page.Body).NotTo(ContainSubstring("Mandate reference"))
	})
})
