package checkout_test

import (
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
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

// The mandate a customer accepts on Checkout's page, under the bank details
// they enter, is what a SEPA or ACH debit is made under, and what later
// debits of a saved method are: Stripe requires one for each debit.
var _ = Describe("Checkout's bank debit mandates", Label("checkout", "payments"), func() {
	type debit struct{ typ, currency, pm string }
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("jo@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})
	complete := func(s *stripe.CheckoutSession, pm string) *stripe.CheckoutSession {
		GinkgoHelper()
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {pm}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		p := &stripe.CheckoutSessionRetrieveParams{}
		p.AddExpand("setup_intent")
		p.AddExpand("payment_intent.latest_charge")
		p.AddExpand("subscription")
		done, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, p)
		Expect(err).NotTo(HaveOccurred())
		return done
	}
	// debitLater charges the saved method off-session through the API,
	// which Stripe refuses without a mandate.
	debitLater := func(d debit, pm string) *stripe.PaymentIntent {
		GinkgoHelper()
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String(d.currency),
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm), PaymentMethodTypes: []*string{stripe.String(d.typ)},
			OffSession: stripe.Bool(true), Confirm: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred(), "the method was saved under a mandate")
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		return pi
	}
	// chargeMandate is the mandate a debit's charge names.
	chargeMandate := func(d debit, id string) string {
		GinkgoHelper()
		ch, err := sc.V1Charges.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		if d.typ == "sepa_debit" {
			return ch.PaymentMethodDetails.SEPADebit.Mandate
		}
		if ch.PaymentMethodDetails.USBankAccount.Mandate == nil {
			return ""
		}
		return ch.PaymentMethodDetails.USBankAccount.Mandate.ID
	}
	multiUse := func(id, pm string) {
		GinkgoHelper()
		m, err := sc.V1Mandates.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Type).To(Equal(stripe.MandateTypeMultiUse))
		Expect(m.Status).To(Equal(stripe.MandateStatusActive))
		Expect(m.PaymentMethod.ID).To(Equal(pm))
		Expect(m.CustomerAcceptance.Type).To(Equal(stripe.MandateCustomerAcceptanceTypeOnline), "accepted on the page")
	}
	entries := []TableEntry{
		Entry("SEPA Direct Debit", debit{"sepa_debit", "eur", "pm_sepa_debit"}),
		Entry("ACH Direct Debit", debit{"us_bank_account", "usd", "pm_us_bank_account"}),
	}

	DescribeTable("sets up a method in setup mode under a multi-use mandate on the SetupIntent, which later debits use",
		func(d debit) {
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), Currency: stripe.String(d.currency),
				Customer: stripe.String(cus.ID), SuccessURL: stripe.String("https://shop.example/ok"), PaymentMethodTypes: []*string{stripe.String(d.typ)}})
			Expect(err).NotTo(HaveOccurred())
			si := complete(s, d.pm).SetupIntent
			Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
			Expect(si.Mandate).NotTo(BeNil())
			multiUse(si.Mandate.ID, si.PaymentMethod.ID)
			Expect(chargeMandate(d, debitLater(d, si.PaymentMethod.ID).LatestCharge.ID)).To(Equal(si.Mandate.ID))
		}, entries)

	DescribeTable("debits in payment mode under a mandate, multi-use when saved with setup_future_usage",
		func(d debit) {
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), Customer: stripe.String(cus.ID),
				SuccessURL: stripe.String("https://shop.example/ok"), PaymentMethodTypes: []*string{stripe.String(d.typ)},
				LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Quantity: stripe.Int64(1), PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
					Currency: stripe.String(d.currency), UnitAmount: stripe.Int64(2000), ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Ticket")}}}},
				PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{SetupFutureUsage: stripe.String("off_session")}})
			Expect(err).NotTo(HaveOccurred())
			pi := complete(s, d.pm).PaymentIntent
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
			mandate := chargeMandate(d, pi.LatestCharge.ID)
			Expect(mandate).NotTo(BeEmpty(), "the debit names its mandate")
			multiUse(mandate, pi.PaymentMethod.ID)
			debitLater(d, pi.PaymentMethod.ID)
		}, entries)

	DescribeTable("starts a subscription whose method is saved under a multi-use mandate, which later debits use",
		func(d debit) {
			price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String(d.currency), UnitAmount: stripe.Int64(2000),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}, ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Plan")}})
			Expect(err).NotTo(HaveOccurred())
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), Customer: stripe.String(cus.ID),
				SuccessURL: stripe.String("https://shop.example/ok"), PaymentMethodTypes: []*string{stripe.String(d.typ)},
				LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}}})
			Expect(err).NotTo(HaveOccurred())
			sub := complete(s, d.pm).Subscription
			Expect(sub.DefaultPaymentMethod).NotTo(BeNil())
			debitLater(d, sub.DefaultPaymentMethod.ID)
		}, entries)
})
