package payments_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Bacs Direct Debit", Label("payments"), func() {
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
	debit := func(account string, extra func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
		p := &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1500), Currency: stripe.String("gbp"), Customer: stripe.String(cus.ID),
			PaymentMethodTypes: []*string{stripe.String("bacs_debit")},
			PaymentMethodData: &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("bacs_debit"),
				BACSDebit: &stripe.PaymentMethodBACSDebitParams{SortCode: stripe.String("10-88-00"), AccountNumber: stripe.String(account)},
				BillingDetails: &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{
					Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com"),
					Address: &stripe.AddressParams{Line1: stripe.String("1 Test Street"), City: stripe.String("London"),
						PostalCode: stripe.String("EC1A 1AA"), Country: stripe.String("GB")}}},
			Confirm: stripe.Bool(true), MandateData: online,
		}
		if extra != nil {
			extra(p)
		}
		return sc.V1PaymentIntents.Create(Ctx, p)
	}

	It("debits under a new mandate (bacs_debit details accepted), processing, then succeeded within seconds for 00012345", func() {
		mark := len(emu.EventTypes(""))
		pi, err := debit("00012345", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.processing", "charge.pending"}))
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		d := ch.PaymentMethodDetails.BACSDebit
		Expect(d.SortCode).To(Equal("108800"))
		Expect(d.Last4).To(Equal("2345"))
		Expect(d.Mandate).NotTo(BeEmpty())
		m, err := sc.V1Mandates.Retrieve(Ctx, d.Mandate, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Status).To(Equal(stripe.MandateStatusActive))
		Expect(m.Type).To(Equal(stripe.MandateTypeSingleUse))
		Expect(m.PaymentMethodDetails.BACSDebit.NetworkStatus).To(Equal(stripe.MandatePaymentMethodDetailsBACSDebitNetworkStatusAccepted))
		Expect(m.PaymentMethodDetails.BACSDebit.Reference).NotTo(BeEmpty())
		Expect(m.PaymentMethodDetails.BACSDebit.URL).To(ContainSubstring("/mandates/" + m.ID))

		emu.Clock().Advance(10 * time.Second)
		done, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(done.AmountReceived).To(Equal(int64(1500)))
		Expect(eventsSince(mark)[3:]).To(Equal([]string{"charge.succeeded", "payment_intent.succeeded"}))
	})

	It("settles 90012345 after 3 minutes, and fails 93333335 with debit_not_authorized, revoking its mandate", func() {
		ok, err := debit("90012345", nil)
		Expect(err).NotTo(HaveOccurred())
		bad, err := debit("93333335", func(p *stripe.PaymentIntentCreateParams) { p.SetupFutureUsage = stripe.String("off_session") })
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(time.Minute)
		o, _ := sc.V1PaymentIntents.Retrieve(Ctx, ok.ID, nil)
		Expect(o.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		emu.Clock().Advance(3 * time.Minute)
		o, _ = sc.V1PaymentIntents.Retrieve(Ctx, ok.ID, nil)
		Expect(o.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		b, _ := sc.V1PaymentIntents.Retrieve(Ctx, bad.ID, nil)
		Expect(b.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(b.LastPaymentError.Code).To(Equal(stripe.ErrorCode("debit_not_authorized")))
		ch, _ := sc.V1Charges.Retrieve(Ctx, bad.LatestCharge.ID, nil)
		m, err := sc.V1Mandates.Retrieve(Ctx, ch.PaymentMethodDetails.BACSDebit.Mandate, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Type).To(Equal(stripe.MandateTypeMultiUse))
		Expect(m.Status).To(Equal(stripe.MandateStatusInactive))
		Expect(m.PaymentMethodDetails.BACSDebit.NetworkStatus).To(Equal(stripe.MandatePaymentMethodDetailsBACSDebitNetworkStatusRevoked))
		Expect(string(m.PaymentMethodDetails.BACSDebit.RevocationReason)).To(Equal("debit_not_authorized"))
		Expect(emu.EventTypes("")).To(ContainElement("mandate.updated"))
	})

	It("fails 22222227 with insufficient_funds, its mandate staying active", func() {
		pi, err := debit("22222227", nil)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(10 * time.Second)
		b, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(b.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(b.LastPaymentError.Code).To(Equal(stripe.ErrorCode("insufficient_funds")))
		ch, _ := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		m, _ := sc.V1Mandates.Retrieve(Ctx, ch.PaymentMethodDetails.BACSDebit.Mandate, nil)
		Expect(m.Status).To(Equal(stripe.MandateStatusActive))
	})

	It("refuses other currencies, a debit without a mandate, manual capture, bad account details and SetupIntents", func() {
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur"),
			PaymentMethodTypes: []*string{stripe.String("bacs_debit")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(err.(*stripe.Error).Msg).To(ContainSubstring("bacs_debit only supports the following currencies: gbp"))

		_, err = debit("00012345", func(p *stripe.PaymentIntentCreateParams) { p.MandateData = nil })
		Expect(err).To(HaveOccurred())
		Expect(err.(*stripe.Error).Msg).To(ContainSubstring("requires a mandate"))

		_, err = debit("00012345", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
		ExpectStripeError(err, 400, "invalid_request_error", "", "capture_method")

		_, err = debit("1234", nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_data[bacs_debit][account_number]")

		_, err = sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("bacs_debit"),
			BACSDebit:      &stripe.PaymentMethodCreateBACSDebitParams{SortCode: stripe.String("108800"), AccountNumber: stripe.String("00012345")},
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com")}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "billing_details[address][line1]")

		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("bacs_debit")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
	})
})

var _ = Describe("Bacs Direct Debit mandate page", Label("payments"), func() {
	It("shows the Bacs mandate at its url, with its reference and sort code", func() {
		emu := Emulator()
		sc := emu.Client()
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1500), Currency: stripe.String("gbp"), PaymentMethodTypes: []*string{stripe.String("bacs_debit")},
			PaymentMethodData: &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("bacs_debit"),
				BACSDebit: &stripe.PaymentMethodBACSDebitParams{SortCode: stripe.String("108800"), AccountNumber: stripe.String("00012345")},
				BillingDetails: &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{
					Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com"),
					Address: &stripe.AddressParams{Line1: stripe.String("1 Test Street"), PostalCode: stripe.String("EC1A 1AA"), Country: stripe.String("GB")}}},
			Confirm: stripe.Bool(true), MandateData: &stripe.PaymentIntentCreateMandateDataParams{CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{
				Type: stripe.String("offline")}},
		})
		Expect(err).NotTo(HaveOccurred())
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		m, err := sc.V1Mandates.Retrieve(Ctx, ch.PaymentMethodDetails.BACSDebit.Mandate, nil)
		Expect(err).NotTo(HaveOccurred())
		page := Visit("GET", m.PaymentMethodDetails.BACSDebit.URL, nil)
		Expect(page.Status).To(Equal(200))
		Expect(page.Body).To(ContainSubstring("Bacs Direct Debit mandate"))
		Expect(page.Body).To(ContainSubstring(m.PaymentMethodDetails.BACSDebit.Reference))
		Expect(page.Body).To(ContainSubstring("108800 •••• 2345"))
	})
})
