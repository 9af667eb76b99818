package payments_test

import (
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("OXXO vouchers", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }
	oxxo := func(email string, extra func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
		return voucherIntent(sc, 10000, "mxn", &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("oxxo"),
			BillingDetails: &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{
				Name: stripe.String("Jenny Rosen"), Email: stripe.String(email)}}, extra)
	}

	It("issues a voucher (requires_action, oxxo_display_details) that a customer pays after about 3 minutes", func() {
		mark := len(emu.EventTypes(""))
		pi, err := oxxo("jenny@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionType("oxxo_display_details")))
		d := pi.NextAction.OXXODisplayDetails
		Expect(d.Number).To(MatchRegexp(`^[0-9]{32}$`))
		Expect(d.HostedVoucherURL).To(ContainSubstring("/v1/test_helpers/payment_intents/" + pi.ID + "/authenticate"))
		// Three calendar days on, at 23:59 Mexico City time (UTC-6).
		mx := time.FixedZone("MX", -6*3600)
		now := emu.Clock().Now().In(mx)
		Expect(d.ExpiresAfter).To(Equal(time.Date(now.Year(), now.Month(), now.Day()+3, 23, 59, 59, 0, mx).Unix()))
		Expect(pi.PaymentMethodOptions.OXXO.ExpiresAfterDays).To(Equal(int64(3)))
		Expect(pi.LatestCharge).To(BeNil())
		Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.requires_action"}))

		emu.Clock().Advance(time.Minute)
		still, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(still.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))

		emu.Clock().Advance(3 * time.Minute)
		done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, &stripe.PaymentIntentRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("latest_charge")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(done.AmountReceived).To(Equal(int64(10000)))
		Expect(done.NextAction).To(BeNil())
		Expect(done.LatestCharge.Status).To(Equal(stripe.ChargeStatusSucceeded))
		Expect(done.LatestCharge.PaymentMethodDetails.Type).To(Equal(stripe.ChargePaymentMethodDetailsType("oxxo")))
		Expect(done.LatestCharge.PaymentMethodDetails.OXXO.Number).To(Equal(d.Number))
		Expect(done.LatestCharge.BalanceTransaction).NotTo(BeNil())
		// The balance transaction follows as charge.updated (automatic_async capture).
		Expect(eventsSince(mark)[2:]).To(Equal([]string{"charge.succeeded", "payment_intent.succeeded", "charge.updated"}))
	})

	It("pays a succeed_immediately voucher within seconds", func() {
		pi, err := oxxo("any.succeed_immediately@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		emu.Clock().Advance(10 * time.Second)
		done, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})

	It("expires an expire_immediately voucher at once: requires_payment_method and payment_intent.payment_failed", func() {
		mark := len(emu.EventTypes(""))
		pi, err := oxxo("xexpire_immediately@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.NextAction.OXXODisplayDetails.ExpiresAfter).To(Equal(emu.Clock().Now().Unix()))
		emu.Clock().Advance(10 * time.Second)
		done, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(done.PaymentMethod).To(BeNil())
		Expect(done.NextAction).To(BeNil())
		Expect(done.LastPaymentError.Code).To(Equal(stripe.ErrorCode("payment_intent_payment_attempt_expired")))
		Expect(done.LastPaymentError.PaymentMethod.Type).To(Equal(stripe.PaymentMethodType("oxxo")))
		Expect(eventsSince(mark)[2:]).To(Equal([]string{"payment_intent.payment_failed"}))
	})

	It("expires an expire_with_delay voucher after about 3 minutes, and a fill_never one when it expires", func() {
		delayed, err := oxxo("expire_with_delay@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(delayed.NextAction.OXXODisplayDetails.ExpiresAfter).To(Equal(emu.Clock().Now().Add(3 * time.Minute).Unix()))
		never, err := oxxo("fill_never@example.com", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{OXXO: &stripe.PaymentIntentCreatePaymentMethodOptionsOXXOParams{ExpiresAfterDays: stripe.Int64(1)}}
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(never.PaymentMethodOptions.OXXO.ExpiresAfterDays).To(Equal(int64(1)))
		emu.Clock().Advance(4 * time.Minute)
		d, _ := sc.V1PaymentIntents.Retrieve(Ctx, delayed.ID, nil)
		Expect(d.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		n, _ := sc.V1PaymentIntents.Retrieve(Ctx, never.ID, nil)
		Expect(n.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		emu.Clock().Set(time.Unix(never.NextAction.OXXODisplayDetails.ExpiresAfter, 0))
		n, _ = sc.V1PaymentIntents.Retrieve(Ctx, never.ID, nil)
		Expect(n.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
	})

	It("is paid or expired at once through the voucher page's test helper", func() {
		paid, err := oxxo("fill_never@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		status, body, err := emu.Call("POST", "/v1/test_helpers/payment_intents/"+paid.ID+"/authenticate", url.Values{}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["status"]).To(Equal("succeeded"))
		// OXXO payments can't be refunded.
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(paid.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "charge_not_refundable", "charge")

		expired, err := oxxo("jenny@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		status, body, err = emu.Call("POST", "/v1/test_helpers/payment_intents/"+expired.ID+"/authenticate", url.Values{"outcome": {"fail"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["status"]).To(Equal("requires_payment_method"))
		// Its timer no longer pays it.
		emu.Clock().Advance(5 * time.Minute)
		e, _ := sc.V1PaymentIntents.Retrieve(Ctx, expired.ID, nil)
		Expect(e.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
	})

	It("is never paid once canceled", func() {
		pi, err := oxxo("jenny@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Cancel(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(5 * time.Minute)
		done, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusCanceled))
	})

	It("refuses other currencies than mxn, the name and email it needs missing, and what a voucher cannot do", func() {
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: []*string{stripe.String("oxxo")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(err.(*stripe.Error).Msg).To(ContainSubstring("oxxo only supports the following currencies: mxn"))

		_, err = sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("oxxo"),
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny Rosen")}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "billing_details[email]")

		_, err = oxxo("jenny@example.com", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{OXXO: &stripe.PaymentIntentCreatePaymentMethodOptionsOXXOParams{ExpiresAfterDays: stripe.Int64(8)}}
		})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "payment_method_options[oxxo][expires_after_days]")

		_, err = oxxo("jenny@example.com", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
		ExpectStripeError(err, 400, "invalid_request_error", "", "capture_method")

		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("oxxo")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")

		// Payment method configurations do not offer OXXO.
		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(10000), Currency: stripe.String("mxn"),
			AutomaticPaymentMethods: &stripe.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true), AllowRedirects: stripe.String("never")},
			PaymentMethodData: &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("oxxo"),
				BillingDetails: &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com")}},
			Confirm: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_incompatible_payment_method", "payment_method")
	})
})

var _ = Describe("Boleto vouchers", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }
	payer := func(email string) *stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams {
		return &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{
			Name: stripe.String("Jenny Rosen"), Email: stripe.String(email),
			Address: &stripe.AddressParams{Line1: stripe.String("Av. Paulista, 1578"), City: stripe.String("São Paulo"),
				State: stripe.String("SP"), PostalCode: stripe.String("01310-200"), Country: stripe.String("BR")}}
	}
	boleto := func(taxID, email string, extra func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
		return voucherIntent(sc, 5000, "brl", &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("boleto"),
			Boleto: &stripe.PaymentMethodBoletoParams{TaxID: stripe.String(taxID)}, BillingDetails: payer(email)}, extra)
	}

	It("issues a voucher (boleto_display_details) paid after about 3 minutes, the charge naming the tax ID", func() {
		mark := len(emu.EventTypes(""))
		pi, err := boleto("000.000.000-00", "jenny@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionType("boleto_display_details")))
		d := pi.NextAction.BoletoDisplayDetails
		Expect(d.Number).To(MatchRegexp(`^[0-9]{47}$`))
		Expect(d.HostedVoucherURL).To(ContainSubstring("/v1/test_helpers/payment_intents/" + pi.ID + "/authenticate"))
		Expect(d.PDF).NotTo(BeEmpty())
		// Three calendar days on, at 23:59 São Paulo time (UTC-3).
		br := time.FixedZone("BR", -3*3600)
		now := emu.Clock().Now().In(br)
		Expect(d.ExpiresAt).To(Equal(time.Date(now.Year(), now.Month(), now.Day()+3, 23, 59, 59, 0, br).Unix()))
		Expect(pi.PaymentMethodOptions.Boleto.ExpiresAfterDays).To(Equal(int64(3)))
		Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.requires_action"}))

		emu.Clock().Advance(4 * time.Minute)
		done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, &stripe.PaymentIntentRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("latest_charge")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(done.LatestCharge.PaymentMethodDetails.Boleto.TaxID).To(Equal("000.000.000-00"))
		Expect(eventsSince(mark)[2:]).To(Equal([]string{"charge.succeeded", "payment_intent.succeeded", "charge.updated"}))
	})

	It("follows the guide's test emails (paid at once, expired at once or after 3 minutes, never paid) and takes a valid CPF or CNPJ", func() {
		now, err := boleto("529.982.247-25", "a.succeed_immediately@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		expired, err := boleto("11.222.333/0001-81", "expire_immediately@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(expired.NextAction.BoletoDisplayDetails.ExpiresAt).To(Equal(emu.Clock().Now().Unix()))
		later, err := boleto("00.000.000/0000-00", "expire_with_delay@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		never, err := boleto("000.000.000-00", "fill_never@example.com", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Boleto: &stripe.PaymentIntentCreatePaymentMethodOptionsBoletoParams{ExpiresAfterDays: stripe.Int64(0)}}
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(never.PaymentMethodOptions.Boleto.ExpiresAfterDays).To(Equal(int64(0)))
		// 0 days: the end of the day in São Paulo.
		br := time.FixedZone("BR", -3*3600)
		today := emu.Clock().Now().In(br)
		Expect(never.NextAction.BoletoDisplayDetails.ExpiresAt).To(Equal(time.Date(today.Year(), today.Month(), today.Day(), 23, 59, 59, 0, br).Unix()))

		emu.Clock().Advance(10 * time.Second)
		status := func(id string) stripe.PaymentIntentStatus {
			pi, err := sc.V1PaymentIntents.Retrieve(Ctx, id, nil)
			Expect(err).NotTo(HaveOccurred())
			return pi.Status
		}
		Expect(status(now.ID)).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(status(expired.ID)).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(status(later.ID)).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		emu.Clock().Advance(3 * time.Minute)
		Expect(status(later.ID)).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(status(never.ID)).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		emu.Clock().Set(time.Unix(never.NextAction.BoletoDisplayDetails.ExpiresAt, 0))
		Expect(status(never.ID)).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))

		// Boleto payments can't be refunded.
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(now.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "charge_not_refundable", "charge")
	})

	It("refuses other currencies, a missing tax ID or address, a malformed tax ID, days out of range and setup_future_usage", func() {
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: []*string{stripe.String("boleto")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(err.(*stripe.Error).Msg).To(ContainSubstring("boleto only supports the following currencies: brl"))

		_, err = sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("boleto"),
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com"),
				Address: &stripe.AddressParams{Line1: stripe.String("Av. Paulista, 1578"), City: stripe.String("São Paulo"),
					State: stripe.String("SP"), PostalCode: stripe.String("01310-200"), Country: stripe.String("BR")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "boleto[tax_id]")

		_, err = sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("boleto"),
			Boleto:         &stripe.PaymentMethodCreateBoletoParams{TaxID: stripe.String("000.000.000-00")},
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com")}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "billing_details[address][line1]")

		for _, bad := range []string{"1234", "529.982.247-26", "111.111.111-11", "11.222.333/0001-80"} {
			_, err = boleto(bad, "jenny@example.com", nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_data[boleto][tax_id]")
		}

		_, err = boleto("000.000.000-00", "jenny@example.com", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Boleto: &stripe.PaymentIntentCreatePaymentMethodOptionsBoletoParams{ExpiresAfterDays: stripe.Int64(61)}}
		})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "payment_method_options[boleto][expires_after_days]")

		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		_, err = boleto("000.000.000-00", "jenny@example.com", func(p *stripe.PaymentIntentCreateParams) {
			p.Customer, p.SetupFutureUsage = stripe.String(cus.ID), stripe.String("off_session")
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "setup_future_usage")
	})
})

var _ = Describe("Konbini vouchers", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }
	jp := time.FixedZone("JST", 9*3600)
	konbini := func(email string, extra func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
		return voucherIntent(sc, 1099, "jpy", &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("konbini"),
			BillingDetails: &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{
				Name: stripe.String("Hanako Yamada"), Email: stripe.String(email)}}, extra)
	}
	options := func(o *stripe.PaymentIntentCreatePaymentMethodOptionsKonbiniParams) func(*stripe.PaymentIntentCreateParams) {
		return func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Konbini: o}
		}
	}

	It("issues a voucher (requires_action, konbini_display_details for four store chains) paid after about 3 minutes", func() {
		mark := len(emu.EventTypes(""))
		pi, err := konbini("hanako@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionType("konbini_display_details")))
		d := pi.NextAction.KonbiniDisplayDetails
		Expect(d.HostedVoucherURL).To(ContainSubstring("/v1/test_helpers/payment_intents/" + pi.ID + "/authenticate"))
		// Three calendar days on, at 23:59:59 Japan time (UTC+9).
		now := emu.Clock().Now().In(jp)
		Expect(d.ExpiresAt).To(Equal(time.Date(now.Year(), now.Month(), now.Day()+3, 23, 59, 59, 0, jp).Unix()))
		for _, s := range []struct{ confirmation, code string }{
			{d.Stores.FamilyMart.ConfirmationNumber, d.Stores.FamilyMart.PaymentCode},
			{d.Stores.Lawson.ConfirmationNumber, d.Stores.Lawson.PaymentCode},
			{d.Stores.Ministop.ConfirmationNumber, d.Stores.Ministop.PaymentCode},
			{d.Stores.Seicomart.ConfirmationNumber, d.Stores.Seicomart.PaymentCode},
		} {
			Expect(s.confirmation).To(MatchRegexp(`^[0-9]{11}$`))
			Expect(s.code).To(MatchRegexp(`^[0-9]+$`))
		}
		Expect(pi.PaymentMethodOptions.Konbini).NotTo(BeNil())
		Expect(pi.LatestCharge).To(BeNil())
		Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.requires_action"}))

		emu.Clock().Advance(time.Minute)
		still, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(still.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))

		emu.Clock().Advance(3 * time.Minute)
		done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, &stripe.PaymentIntentRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("latest_charge")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(done.AmountReceived).To(Equal(int64(1099)))
		Expect(done.NextAction).To(BeNil())
		Expect(done.LatestCharge.PaymentMethodDetails.Type).To(Equal(stripe.ChargePaymentMethodDetailsType("konbini")))
		Expect(done.LatestCharge.PaymentMethodDetails.Konbini.Store.Chain).To(Equal(stripe.ChargePaymentMethodDetailsKonbiniStoreChainFamilyMart))
		Expect(eventsSince(mark)[2:]).To(Equal([]string{"charge.succeeded", "payment_intent.succeeded", "charge.updated"}))

		// How Stripe refunds a Konbini payment is not emulated.
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "charge")
		Expect(err.(*stripe.Error).Msg).To(ContainSubstring("does not emulate refunding a Konbini payment"))
	})

	It("decides by the test emails: succeed_immediately, expire_immediately, expire_with_delay, fill_never", func() {
		now, err := konbini("hanako+succeed_immediately@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		gone, err := konbini("expire_immediately@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(gone.NextAction.KonbiniDisplayDetails.ExpiresAt).To(Equal(emu.Clock().Now().Unix()))
		delayed, err := konbini("expire_with_delay@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		never, err := konbini("fill_never@example.com", options(&stripe.PaymentIntentCreatePaymentMethodOptionsKonbiniParams{ExpiresAfterDays: stripe.Int64(60)}))
		Expect(err).NotTo(HaveOccurred())
		Expect(never.PaymentMethodOptions.Konbini.ExpiresAfterDays).To(Equal(int64(60)))
		emu.Clock().Advance(10 * time.Second)
		p, _ := sc.V1PaymentIntents.Retrieve(Ctx, now.ID, nil)
		Expect(p.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		g, _ := sc.V1PaymentIntents.Retrieve(Ctx, gone.ID, nil)
		Expect(g.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(g.LastPaymentError.Code).To(Equal(stripe.ErrorCode("payment_intent_payment_attempt_expired")))
		emu.Clock().Advance(4 * time.Minute)
		d, _ := sc.V1PaymentIntents.Retrieve(Ctx, delayed.ID, nil)
		Expect(d.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		n, _ := sc.V1PaymentIntents.Retrieve(Ctx, never.ID, nil)
		Expect(n.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		emu.Clock().Set(time.Unix(never.NextAction.KonbiniDisplayDetails.ExpiresAt, 0))
		n, _ = sc.V1PaymentIntents.Retrieve(Ctx, never.ID, nil)
		Expect(n.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
	})

	It("takes the confirmation number, product description and expires_at it is given", func() {
		at := emu.Clock().Now().Add(36 * time.Hour).Unix()
		pi, err := konbini("fill_never@example.com", options(&stripe.PaymentIntentCreatePaymentMethodOptionsKonbiniParams{
			ConfirmationNumber: stripe.String("09012345678"), ProductDescription: stripe.String("Tシャツ"), ExpiresAt: stripe.Int64(at)}))
		Expect(err).NotTo(HaveOccurred())
		o := pi.PaymentMethodOptions.Konbini
		Expect(o.ConfirmationNumber).To(Equal("09012345678"))
		Expect(o.ProductDescription).To(Equal("Tシャツ"))
		Expect(o.ExpiresAt).To(Equal(at))
		Expect(pi.NextAction.KonbiniDisplayDetails.ExpiresAt).To(Equal(at))
		Expect(pi.NextAction.KonbiniDisplayDetails.Stores.Lawson.ConfirmationNumber).To(Equal("09012345678"))
	})

	It("refuses other currencies than jpy, the name and email it needs missing, bad options, and what a voucher cannot do", func() {
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: []*string{stripe.String("konbini")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")

		_, err = sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("konbini"),
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Email: stripe.String("hanako@example.com")}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "billing_details[name]")

		bad := map[string]*stripe.PaymentIntentCreatePaymentMethodOptionsKonbiniParams{
			"payment_method_options[konbini][expires_after_days]":  {ExpiresAfterDays: stripe.Int64(61)},
			"payment_method_options[konbini][confirmation_number]": {ConfirmationNumber: stripe.String("00000000000")},
			"payment_method_options[konbini][product_description]": {ProductDescription: stripe.String("an item described too long")},
			"payment_method_options[konbini][expires_at]":          {ExpiresAt: stripe.Int64(emu.Clock().Now().Add(-time.Hour).Unix())},
		}
		for param, o := range bad {
			code := ""
			if o.ExpiresAfterDays != nil {
				code = "parameter_invalid_integer"
			}
			_, err = konbini("hanako@example.com", options(o))
			ExpectStripeError(err, 400, "invalid_request_error", code, param)
		}
		_, err = konbini("hanako@example.com", options(&stripe.PaymentIntentCreatePaymentMethodOptionsKonbiniParams{
			ExpiresAfterDays: stripe.Int64(2), ExpiresAt: stripe.Int64(emu.Clock().Now().Add(time.Hour).Unix())}))
		ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "payment_method_options[konbini][expires_after_days]")

		_, err = konbini("hanako@example.com", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
		ExpectStripeError(err, 400, "invalid_request_error", "", "capture_method")
		_, err = konbini("hanako@example.com", func(p *stripe.PaymentIntentCreateParams) { p.SetupFutureUsage = stripe.String("off_session") })
		ExpectStripeError(err, 400, "invalid_request_error", "", "setup_future_usage")

		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("konbini")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
	})
})

// Multibanco (Portugal, eur): a voucher with an entity and a reference the
// customer pays through online banking or at an ATM.
var _ = Describe("Multibanco vouchers", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }
	// intentEventsSince leaves out the balance's events (funds of a paid
	// voucher becoming available).
	intentEventsSince := func(n int) []string {
		var out []string
		for _, t := range eventsSince(n) {
			if strings.HasPrefix(t, "payment_intent.") {
				out = append(out, t)
			}
		}
		return out
	}
	multibanco := func(email string, extra func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
		return voucherIntent(sc, 2500, "eur", &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("multibanco"),
			BillingDetails: &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{Email: stripe.String(email)}}, extra)
	}

	It("issues a voucher (multibanco_display_details: entity, reference) that a customer pays after about 3 minutes", func() {
		mark := len(emu.EventTypes(""))
		pi, err := multibanco("joao@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionType("multibanco_display_details")))
		d := pi.NextAction.MultibancoDisplayDetails
		Expect(d.Entity).To(MatchRegexp(`^[0-9]{5}$`))
		Expect(d.Reference).To(MatchRegexp(`^[0-9]{9}$`))
		Expect(d.HostedVoucherURL).To(ContainSubstring("/v1/test_helpers/payment_intents/" + pi.ID + "/authenticate"))
		Expect(d.ExpiresAt).To(Equal(emu.Clock().Now().Add(7 * 24 * time.Hour).Unix()))
		Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.requires_action"}))

		emu.Clock().Advance(time.Minute)
		Expect(retrieveIntent(sc, pi.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		emu.Clock().Advance(3 * time.Minute)
		done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, &stripe.PaymentIntentRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("latest_charge")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(done.NextAction).To(BeNil())
		Expect(done.LatestCharge.PaymentMethodDetails.Type).To(Equal(stripe.ChargePaymentMethodDetailsType("multibanco")))
		Expect(done.LatestCharge.PaymentMethodDetails.Multibanco.Entity).To(Equal(d.Entity))
		Expect(done.LatestCharge.PaymentMethodDetails.Multibanco.Reference).To(Equal(d.Reference))
		Expect(eventsSince(mark)[2:]).To(ContainElement("payment_intent.succeeded"))

		// Refunded in full or in part, a succeeded refund carrying a
		// reference to give the customer (Stripe's Multibanco page).
		re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(re.Status).To(Equal(stripe.RefundStatusSucceeded))
		Expect(re.DestinationDetails.Type).To(Equal("multibanco"))
		Expect(re.DestinationDetails.Multibanco.Reference).NotTo(BeEmpty())
		Expect(re.DestinationDetails.Multibanco.ReferenceStatus).To(Equal("available"))
	})

	It("refuses a refund more than 365 days after the payment, changing nothing", func() {
		pi, err := multibanco("succeed_immediately@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(10 * time.Second)
		Expect(retrieveIntent(sc, pi.ID).Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		emu.Clock().Advance(366 * 24 * time.Hour)
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "charge_not_refundable", "charge")
		Expect(emu.Count("", "refund")).To(BeZero())
	})

	It("follows the test emails: paid within seconds, expired at once, after a delay, or never paid until it expires", func() {
		soon, err := multibanco("succeed_immediately@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		now, err := multibanco("expire_immediately@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(now.NextAction.MultibancoDisplayDetails.ExpiresAt).To(Equal(emu.Clock().Now().Unix()))
		later, err := multibanco("expire_with_delay@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		never, err := multibanco("fill_never@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		mark := len(emu.EventTypes(""))
		emu.Clock().Advance(10 * time.Second)
		Expect(retrieveIntent(sc, soon.ID).Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		expired := retrieveIntent(sc, now.ID)
		Expect(expired.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(expired.LastPaymentError.Code).To(Equal(stripe.ErrorCode("payment_intent_payment_attempt_expired")))
		Expect(eventsSince(mark)).To(ContainElement("payment_intent.payment_failed"))
		emu.Clock().Advance(4 * time.Minute)
		Expect(retrieveIntent(sc, later.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(retrieveIntent(sc, never.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))

		By("going processing once the voucher expires, for a buffer of 4 days, then failing (11 days in all)")
		mark = len(emu.EventTypes(""))
		emu.Clock().Set(time.Unix(never.NextAction.MultibancoDisplayDetails.ExpiresAt, 0))
		processing := retrieveIntent(sc, never.ID)
		Expect(processing.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		Expect(processing.NextAction).To(BeNil())
		Expect(intentEventsSince(mark)).To(Equal([]string{"payment_intent.processing"}))
		emu.Clock().Advance(4*24*time.Hour - time.Minute)
		Expect(retrieveIntent(sc, never.ID).Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		emu.Clock().Advance(2 * time.Minute)
		failed := retrieveIntent(sc, never.ID)
		Expect(failed.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(failed.LastPaymentError.Code).To(Equal(stripe.ErrorCode("payment_intent_payment_attempt_expired")))
		Expect(intentEventsSince(mark)).To(Equal([]string{"payment_intent.processing", "payment_intent.payment_failed"}))
	})

	It("is canceled while its voucher is out (payment_intent.canceled), no longer paid then", func() {
		pi, err := multibanco("joao@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		mark := len(emu.EventTypes(""))
		canceled, err := sc.V1PaymentIntents.Cancel(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(canceled.Status).To(Equal(stripe.PaymentIntentStatusCanceled))
		emu.Clock().Advance(5 * time.Minute)
		Expect(retrieveIntent(sc, pi.ID).Status).To(Equal(stripe.PaymentIntentStatusCanceled))
		Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.canceled"}))
	})

	It("is paid or expired at once through the voucher page's test helper", func() {
		pi, err := multibanco("fill_never@example.com", nil)
		Expect(err).NotTo(HaveOccurred())
		status, body, err := emu.Call("POST", "/v1/test_helpers/payment_intents/"+pi.ID+"/authenticate", url.Values{"outcome": {"fail"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["status"]).To(Equal("requires_payment_method"))
	})

	It("refuses what a Multibanco voucher cannot do: no email, another currency, manual capture, saving, SetupIntents", func() {
		_, err := multibanco("", nil)
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "payment_method_data[billing_details][email]")
		_, err = multibanco("joao@example.com", func(p *stripe.PaymentIntentCreateParams) { p.Currency = stripe.String("usd") })
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(StripeErr(err).Msg).To(ContainSubstring("The payment method type multibanco only supports the following currencies: eur"))
		_, err = multibanco("joao@example.com", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
		ExpectStripeError(err, 400, "invalid_request_error", "", "capture_method")
		_, err = multibanco("joao@example.com", func(p *stripe.PaymentIntentCreateParams) { p.SetupFutureUsage = stripe.String("off_session") })
		ExpectStripeError(err, 400, "invalid_request_error", "", "setup_future_usage")
		Expect(emu.Count("", "payment_intent")).To(BeZero())
		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("multibanco")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
	})
})

// voucherIntent confirms a PaymentIntent of amount in currency with the
// voucher method data describes (its type the intent's only one), edited
// by extra first when given.
func voucherIntent(sc *stripe.Client, amount int64, currency string, data *stripe.PaymentIntentCreatePaymentMethodDataParams,
	extra func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
	p := &stripe.PaymentIntentCreateParams{
		Amount: stripe.Int64(amount), Currency: stripe.String(currency), PaymentMethodTypes: []*string{data.Type},
		PaymentMethodData: data, Confirm: stripe.Bool(true),
	}
	if extra != nil {
		extra(p)
	}
	return sc.V1PaymentIntents.Create(Ctx, p)
}
