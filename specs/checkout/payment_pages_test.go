package checkout_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Stripe CLI's checkout.session.* triggers, and test suites that pay a
// session without a browser, read the session's page and confirm it
// through Stripe's private /v1/payment_pages API with a secret key and a
// PaymentMethod made through the API.
var _ = Describe("Checkout's payment page API (Stripe CLI triggers)", Label("checkout"), func() {
	var (
		emu   *emulator.Emulator
		sc    *stripe.Client
		price *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		price = oneTimePrice(sc, "Concert ticket", 1500)
	})

	session := func(types ...string) *stripe.CheckoutSession {
		GinkgoHelper()
		p := &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(2)}},
		}
		for _, t := range types {
			p.PaymentMethodTypes = append(p.PaymentMethodTypes, stripe.String(t))
		}
		s, err := sc.V1CheckoutSessions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	paymentMethod := func(p *stripe.PaymentMethodCreateParams) string {
		GinkgoHelper()
		pm, err := sc.V1PaymentMethods.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return pm.ID
	}
	card := func() string {
		return paymentMethod(&stripe.PaymentMethodCreateParams{Type: stripe.String("card"), Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String("tok_visa")}})
	}
	retrieve := func(id string) *stripe.CheckoutSession {
		GinkgoHelper()
		s, err := sc.V1CheckoutSessions.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return s
	}

	It("reads the page and pays it, as `stripe trigger checkout.session.completed` does", func() {
		s := session()
		page := Do(emu.URL(), "GET", "/v1/payment_pages/"+s.ID, "")
		Expect(page.Status).To(Equal(200))
		Expect(page.Body["id"]).To(Equal(s.ID))
		Expect(page.Body["status"]).To(Equal("open"))

		mark := len(emu.EventTypes(""))
		r := Do(emu.URL(), "POST", "/v1/payment_pages/"+s.ID+"/confirm", "payment_method="+card()+"&expected_amount=3000")
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body["status"]).To(Equal("complete"))
		Expect(r.Body["payment_status"]).To(Equal("paid"))
		done := retrieve(s.ID)
		Expect(done.Status).To(Equal(stripe.CheckoutSessionStatusComplete))
		Expect(done.PaymentIntent).NotTo(BeNil())
		Expect(emu.EventTypes("")[mark:]).To(ContainElements("payment_intent.succeeded", "checkout.session.completed"))
	})

	It("pays a delayed method as the page does: completed unpaid, then the payment succeeds on the clock", func() {
		s := session("sepa_debit")
		sepa := paymentMethod(&stripe.PaymentMethodCreateParams{
			Type: stripe.String("sepa_debit"), SEPADebit: &stripe.PaymentMethodCreateSEPADebitParams{IBAN: stripe.String("DE89370400440532013000")},
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com")},
		})
		r := Do(emu.URL(), "POST", "/v1/payment_pages/"+s.ID+"/confirm", "payment_method="+sepa+"&expected_payment_method_type=sepa_debit")
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body["payment_status"]).To(Equal("unpaid"))
		Expect(emu.EventTypes("")).NotTo(ContainElement("checkout.session.async_payment_succeeded"))
		emu.Clock().Advance(time.Hour)
		Expect(emu.EventTypes("")).To(ContainElement("checkout.session.async_payment_succeeded"))
		Expect(retrieve(s.ID).PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusPaid))
	})

	It("refuses a confirmation that does not match the page, paying nothing", func() {
		s := session("card")
		pm := card()
		for _, tc := range []struct{ body, param string }{
			{"expected_amount=2999&payment_method=" + pm, "expected_amount"},
			{"expected_payment_method_type=sepa_debit&payment_method=" + pm, "expected_payment_method_type"},
			{"expected_amount=3000", "payment_method"},
		} {
			r := Do(emu.URL(), "POST", "/v1/payment_pages/"+s.ID+"/confirm", tc.body)
			Expect(r.Status).To(Equal(400), tc.body)
			Expect(r.Error()["param"]).To(Equal(tc.param), tc.body)
		}
		Expect(retrieve(s.ID).Status).To(Equal(stripe.CheckoutSessionStatusOpen))
		Expect(emu.Count("", "payment_intent")).To(BeZero())

		Expect(Do(emu.URL(), "POST", "/v1/payment_pages/"+s.ID+"/confirm", "payment_method="+pm).Status).To(Equal(200))
		again := Do(emu.URL(), "POST", "/v1/payment_pages/"+s.ID+"/confirm", "payment_method="+pm)
		Expect(again.Status).To(Equal(400), "a completed session's page is paid once")
		Expect(Do(emu.URL(), "GET", "/v1/payment_pages/cs_test_missing", "").Status).To(Equal(404))
	})
})
