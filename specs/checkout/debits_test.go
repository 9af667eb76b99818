package checkout_test

import (
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// bankDebit is a bank debit Checkout takes in payment mode: its type, the
// one currency it debits, a currency it refuses, its settling and failing
// test methods, and what its charge shows of the account.
type bankDebit struct {
	typ, currency, other string
	ok, fail             string
	account              func(*stripe.ChargePaymentMethodDetails) string
	wantAccount          string
}

var _ = Describe("Checkout with bank debits", Label("checkout", "payments"), func() {
	price := func(sc *stripe.Client, currency string) *stripe.Price {
		GinkgoHelper()
		p, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String(currency), UnitAmount: stripe.Int64(2000),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Ticket")}})
		Expect(err).NotTo(HaveOccurred())
		return p
	}
	session := func(sc *stripe.Client, d bankDebit, p *stripe.Price) (*stripe.CheckoutSession, error) {
		return sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(p.ID), Quantity: stripe.Int64(1)}},
			PaymentMethodTypes: []*string{stripe.String(d.typ)},
		})
	}

	DescribeTable("completes unpaid, then async_payment_succeeded or _failed as the debit settles",
		func(d bankDebit) {
			emu := Emulator()
			sc := emu.Client()
			p := price(sc, d.currency)
			for pm, last := range map[string]string{d.ok: "checkout.session.async_payment_succeeded", d.fail: "checkout.session.async_payment_failed"} {
				s, err := session(sc, d, p)
				Expect(err).NotTo(HaveOccurred())
				mark := len(emu.Events(""))
				status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {pm}}, "")
				Expect(err).NotTo(HaveOccurred())
				Expect(status).To(Equal(200), "%v", body)
				Expect(body["payment_status"]).To(Equal("unpaid"))
				done, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, &stripe.CheckoutSessionRetrieveParams{})
				Expect(err).NotTo(HaveOccurred())
				pi, err := sc.V1PaymentIntents.Retrieve(Ctx, done.PaymentIntent.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
				ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(d.account(ch.PaymentMethodDetails)).To(Equal(d.wantAccount))
				emu.Clock().Advance(4 * time.Minute)
				Expect(sessionEventsSince(emu, mark)).To(Equal([]string{"checkout.session.completed", last}), pm)
			}
		},
		Entry("Bacs Direct Debit", bankDebit{typ: "bacs_debit", currency: "gbp", other: "usd", ok: "pm_bacs_debit", fail: "pm_bacs_debit_fail",
			account: func(d *stripe.ChargePaymentMethodDetails) string { return d.BACSDebit.SortCode }, wantAccount: "108800"}),
		Entry("BECS Direct Debit", bankDebit{typ: "au_becs_debit", currency: "aud", other: "usd", ok: "pm_au_becs_debit", fail: "pm_au_becs_debit_fail",
			account: func(d *stripe.ChargePaymentMethodDetails) string { return d.AUBECSDebit.BSBNumber }, wantAccount: "000000"}),
		Entry("pre-authorized debits", bankDebit{typ: "acss_debit", currency: "cad", other: "eur", ok: "pm_acss_debit", fail: "pm_acss_debit_fail",
			account: func(d *stripe.ChargePaymentMethodDetails) string { return d.ACSSDebit.TransitNumber }, wantAccount: "11000"}),
	)

	DescribeTable("refuses the type in setup mode by name, and a session in another currency",
		func(d bankDebit) {
			sc := Emulator().Client()
			_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("setup"), Currency: stripe.String(d.currency), SuccessURL: stripe.String("https://shop.example/ok"),
				PaymentMethodTypes: []*string{stripe.String(d.typ)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
			Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate"))

			_, err = session(sc, d, price(sc, d.other))
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		},
		Entry("Bacs Direct Debit", bankDebit{typ: "bacs_debit", currency: "gbp", other: "usd"}),
		Entry("BECS Direct Debit", bankDebit{typ: "au_becs_debit", currency: "aud", other: "usd"}),
		Entry("pre-authorized debits", bankDebit{typ: "acss_debit", currency: "cad", other: "eur"}),
	)
})
