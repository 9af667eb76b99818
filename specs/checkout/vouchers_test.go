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

// An OXXO voucher is a delayed payment: the session completes unpaid as
// the voucher is issued, then async_payment_succeeded once it is paid or
// async_payment_failed once it expires.
var _ = Describe("Checkout with OXXO vouchers", Label("checkout", "payments"), func() {
	var (
		emu   *emulator.Emulator
		sc    *stripe.Client
		pesos *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		pesos, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("mxn"), UnitAmount: stripe.Int64(25000),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Boleto de concierto")}})
		Expect(err).NotTo(HaveOccurred())
	})

	session := func(mode string, opts *stripe.CheckoutSessionCreatePaymentMethodOptionsParams) (*stripe.CheckoutSession, error) {
		return sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String(mode), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems:            []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(pesos.ID), Quantity: stripe.Int64(1)}},
			PaymentMethodTypes:   []*string{stripe.String("oxxo")},
			PaymentMethodOptions: opts,
		})
	}
	complete := func(s *stripe.CheckoutSession, email string) map[string]any {
		GinkgoHelper()
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete",
			url.Values{"payment_method": {"pm_oxxo"}, "email": {email}, "name": {"Jenny Rosen"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		return body
	}

	It("completes unpaid as the voucher is issued, then async_payment_succeeded once it is paid", func() {
		s, err := session("payment", nil)
		Expect(err).NotTo(HaveOccurred())
		mark := len(emu.Events(""))
		body := complete(s, "jenny@example.com")
		Expect(body["status"]).To(Equal("complete"))
		Expect(body["payment_status"]).To(Equal("unpaid"))
		Expect(sessionEventsSince(emu, mark)).To(Equal([]string{"checkout.session.completed"}))
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		Expect(pi.NextAction.OXXODisplayDetails.Number).NotTo(BeEmpty())

		emu.Clock().Advance(4 * time.Minute)
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusPaid))
		Expect(sessionEventsSince(emu, mark)).To(Equal([]string{"checkout.session.completed", "checkout.session.async_payment_succeeded"}))
	})

	It("reports a voucher that expires unpaid as async_payment_failed, the session staying unpaid", func() {
		s, err := session("payment", &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{
			OXXO: &stripe.CheckoutSessionCreatePaymentMethodOptionsOXXOParams{ExpiresAfterDays: stripe.Int64(2)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.PaymentMethodOptions.OXXO.ExpiresAfterDays).To(Equal(int64(2)))
		mark := len(emu.Events(""))
		body := complete(s, "jenny.expire_immediately@example.com")
		Expect(body["payment_status"]).To(Equal("unpaid"))
		emu.Clock().Advance(time.Minute)
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusUnpaid))
		Expect(sessionEventsSince(emu, mark)).To(Equal([]string{"checkout.session.completed", "checkout.session.async_payment_failed"}))
		pi, _ := sc.V1PaymentIntents.Retrieve(Ctx, got.PaymentIntent.ID, nil)
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
	})

	It("hands expires_after_days to the voucher and refuses days out of range, vouchers outside payment mode, and other currencies", func() {
		s, err := session("payment", &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{
			OXXO: &stripe.CheckoutSessionCreatePaymentMethodOptionsOXXOParams{ExpiresAfterDays: stripe.Int64(1)}})
		Expect(err).NotTo(HaveOccurred())
		body := complete(s, "fill_never@example.com")
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.PaymentMethodOptions.OXXO.ExpiresAfterDays).To(Equal(int64(1)))

		_, err = session("payment", &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{
			OXXO: &stripe.CheckoutSessionCreatePaymentMethodOptionsOXXOParams{ExpiresAfterDays: stripe.Int64(0)}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "payment_method_options[oxxo][expires_after_days]")

		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("setup"), Currency: stripe.String("mxn"), SuccessURL: stripe.String("https://shop.example/ok"),
			PaymentMethodTypes: []*string{stripe.String("oxxo")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")

		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(oneTimePrice(sc, "Concert", 4500).ID), Quantity: stripe.Int64(1)}},
			PaymentMethodTypes: []*string{stripe.String("oxxo")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(StripeErr(err).Msg).To(ContainSubstring("The payment method type oxxo only supports the following currencies: mxn."))
	})
})

var _ = Describe("Checkout with Boleto vouchers", Label("checkout", "payments"), func() {
	var (
		emu   *emulator.Emulator
		sc    *stripe.Client
		reais *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		reais, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("brl"), UnitAmount: stripe.Int64(9900),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Ingresso")}})
		Expect(err).NotTo(HaveOccurred())
	})

	It("completes unpaid as the Boleto is issued, then async_payment_succeeded or _failed as the test email says", func() {
		for _, email := range []string{"jenny@example.com", "jenny.expire_with_delay@example.com"} {
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(reais.ID), Quantity: stripe.Int64(1)}},
				PaymentMethodTypes: []*string{stripe.String("boleto")},
			})
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.Events(""))
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete",
				url.Values{"payment_method": {"pm_boleto"}, "email": {email}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["payment_status"]).To(Equal("unpaid"))
			pi, err := sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.NextAction.BoletoDisplayDetails.Number).NotTo(BeEmpty())
			emu.Clock().Advance(4 * time.Minute)
			types := sessionEventsSince(emu, mark)
			got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			if email == "jenny@example.com" {
				Expect(types).To(Equal([]string{"checkout.session.completed", "checkout.session.async_payment_succeeded"}))
				Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusPaid))
			} else {
				Expect(types).To(Equal([]string{"checkout.session.completed", "checkout.session.async_payment_failed"}))
				Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusUnpaid))
			}
		}
	})

	It("refuses Boleto in subscription mode by name, and in setup mode", func() {
		monthly, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("brl"), UnitAmount: stripe.Int64(2900),
			Recurring:   &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Plano")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(1)}},
			PaymentMethodTypes: []*string{stripe.String("boleto")},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate"))
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("setup"), Currency: stripe.String("brl"), SuccessURL: stripe.String("https://shop.example/ok"),
			PaymentMethodTypes: []*string{stripe.String("boleto")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
	})
})

var _ = Describe("Checkout with Konbini vouchers", Label("checkout", "payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		yen *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		yen, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("jpy"), UnitAmount: stripe.Int64(1500),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("お弁当")}})
		Expect(err).NotTo(HaveOccurred())
	})

	It("completes unpaid as the voucher is issued, then async_payment_succeeded or _failed as the test email says", func() {
		for _, email := range []string{"hanako@example.com", "hanako.expire_with_delay@example.com"} {
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(yen.ID), Quantity: stripe.Int64(1)}},
				PaymentMethodTypes: []*string{stripe.String("konbini")},
				PaymentMethodOptions: &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{
					Konbini: &stripe.CheckoutSessionCreatePaymentMethodOptionsKonbiniParams{ExpiresAfterDays: stripe.Int64(10)}},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(s.PaymentMethodOptions.Konbini.ExpiresAfterDays).To(Equal(int64(10)))
			mark := len(emu.Events(""))
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete",
				url.Values{"payment_method": {"pm_konbini"}, "email": {email}, "name": {"Hanako Yamada"}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["payment_status"]).To(Equal("unpaid"))
			pi, err := sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.NextAction.KonbiniDisplayDetails.Stores.FamilyMart.PaymentCode).NotTo(BeEmpty())
			Expect(pi.PaymentMethodOptions.Konbini.ExpiresAfterDays).To(Equal(int64(10)))
			emu.Clock().Advance(4 * time.Minute)
			types := sessionEventsSince(emu, mark)
			got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			if email == "hanako@example.com" {
				Expect(types).To(Equal([]string{"checkout.session.completed", "checkout.session.async_payment_succeeded"}))
				Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusPaid))
			} else {
				Expect(types).To(Equal([]string{"checkout.session.completed", "checkout.session.async_payment_failed"}))
				Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusUnpaid))
			}
		}
	})

	It("refuses Konbini outside payment mode, days out of range, and other currencies", func() {
		_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("setup"), Currency: stripe.String("jpy"), SuccessURL: stripe.String("https://shop.example/ok"),
			PaymentMethodTypes: []*string{stripe.String("konbini")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(yen.ID), Quantity: stripe.Int64(1)}},
			PaymentMethodTypes: []*string{stripe.String("konbini")},
			PaymentMethodOptions: &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{
				Konbini: &stripe.CheckoutSessionCreatePaymentMethodOptionsKonbiniParams{ExpiresAfterDays: stripe.Int64(61)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "payment_method_options[konbini][expires_after_days]")
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(oneTimePrice(sc, "Concert", 4500).ID), Quantity: stripe.Int64(1)}},
			PaymentMethodTypes: []*string{stripe.String("konbini")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(StripeErr(err).Msg).To(ContainSubstring("The payment method type konbini only supports the following currencies: jpy."))
	})
})

// A Multibanco voucher, as OXXO's: the session completes unpaid, then is
// paid or not as the test email says.
var _ = Describe("Checkout with Multibanco vouchers", Label("checkout", "payments"), func() {
	var (
		emu   *emulator.Emulator
		sc    *stripe.Client
		euros *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		euros, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(2500),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Bilhete")}})
		Expect(err).NotTo(HaveOccurred())
	})

	It("completes unpaid as the voucher is issued, then async_payment_succeeded or _failed as the test email says", func() {
		for _, email := range []string{"joao@example.com", "joao.expire_with_delay@example.com"} {
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(euros.ID), Quantity: stripe.Int64(1)}},
				PaymentMethodTypes: []*string{stripe.String("multibanco")},
			})
			Expect(err).NotTo(HaveOccurred())
			// The page's test method, the email the page collected deciding;
			// or a method the integration made.
			form := url.Values{"payment_method": {"pm_multibanco"}, "email": {email}}
			if email == "joao@example.com" {
				pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("multibanco"),
					BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Email: stripe.String(email)}})
				Expect(err).NotTo(HaveOccurred())
				form = url.Values{"payment_method": {pm.ID}}
			}
			mark := len(emu.Events(""))
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", form, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["payment_status"]).To(Equal("unpaid"))
			pi, err := sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.NextAction.MultibancoDisplayDetails.Reference).NotTo(BeEmpty())
			emu.Clock().Advance(4 * time.Minute)
			types := sessionEventsSince(emu, mark)
			if email == "joao@example.com" {
				Expect(types).To(Equal([]string{"checkout.session.completed", "checkout.session.async_payment_succeeded"}))
			} else {
				Expect(types).To(Equal([]string{"checkout.session.completed", "checkout.session.async_payment_failed"}))
			}
		}
	})

	It("refuses Multibanco outside payment mode and in other currencies", func() {
		_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("setup"), Currency: stripe.String("eur"), SuccessURL: stripe.String("https://shop.example/ok"),
			PaymentMethodTypes: []*string{stripe.String("multibanco")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Quantity: stripe.Int64(1), PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Currency: stripe.String("usd"), UnitAmount: stripe.Int64(4500), ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Concert")}}}},
			PaymentMethodTypes: []*string{stripe.String("multibanco")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(StripeErr(err).Msg).To(ContainSubstring("The payment method type multibanco only supports the following currencies: eur."))
		Expect(emu.Count("", "checkout.session")).To(BeZero())
	})
})
