package payments_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Redirect-based payment methods", Label("payments"), func() {
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
	jenny := func() *stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams {
		return &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com"),
			Address: &stripe.AddressParams{Country: stripe.String("NL")}}
	}
	data := func(typ string) *stripe.PaymentIntentCreatePaymentMethodDataParams {
		d := &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String(typ), BillingDetails: jenny()}
		switch typ {
		case "ideal":
			d.IDEAL = &stripe.PaymentMethodIDEALParams{Bank: stripe.String("ing")}
		case "eps":
			d.EPS = &stripe.PaymentMethodEPSParams{Bank: stripe.String("bank_austria")}
		case "p24":
			d.P24 = &stripe.PaymentMethodP24Params{Bank: stripe.String("mbank_mtransfer")}
		}
		return d
	}
	// create makes a confirmed PaymentIntent paying with a new method of
	// type typ (and card allowed as a second choice).
	create := func(typ, currency string, extra func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
		p := &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(2500), Currency: stripe.String(currency), Customer: stripe.String(cus.ID),
			PaymentMethodTypes: []*string{stripe.String(typ), stripe.String("card")},
			PaymentMethodData:  data(typ), Confirm: stripe.Bool(true), ReturnURL: stripe.String(returnURL),
		}
		if extra != nil {
			extra(p)
		}
		return sc.V1PaymentIntents.Create(Ctx, p)
	}
	// visit is the customer on the test page the intent redirects to.
	visit := func(pi *stripe.PaymentIntent, outcome string) map[string]any {
		Expect(pi.NextAction).NotTo(BeNil())
		Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionTypeRedirectToURL))
		Expect(pi.NextAction.RedirectToURL.ReturnURL).To(Equal(returnURL))
		u, err := url.Parse(pi.NextAction.RedirectToURL.URL)
		Expect(err).NotTo(HaveOccurred())
		Expect(u.Path).To(Equal("/v1/test_helpers/payment_intents/" + pi.ID + "/authenticate"))
		status, body, err := emu.Call("POST", u.Path, url.Values{"outcome": {outcome}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		return body
	}
	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }
	nothingKept := func(mark int) {
		Expect(eventsSince(mark)).To(BeEmpty())
		n := 0
		for range sc.V1PaymentIntents.List(Ctx, &stripe.PaymentIntentListParams{}) {
			n++
		}
		Expect(n).To(BeZero(), "no PaymentIntent kept")
		n = 0
		for range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{}) {
			n++
		}
		Expect(n).To(BeZero(), "no PaymentMethod kept")
	}

	DescribeTable("authorized on the test page, the payment succeeds with its charge and events",
		func(typ, currency string, check func(*stripe.ChargePaymentMethodDetails)) {
			mark := len(emu.EventTypes(""))
			pi, err := create(typ, currency, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
			Expect(pi.LatestCharge).To(BeNil(), "nothing is charged before the customer authorizes")
			Expect(pi.PaymentMethod.ID).To(HavePrefix("pm_"))
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.requires_action"}))

			mark = len(emu.EventTypes(""))
			body := visit(pi, "succeed")
			Expect(body["status"]).To(Equal("succeeded"))
			Expect(eventsSince(mark)).To(Equal([]string{"charge.succeeded", "payment_intent.succeeded", "charge.updated"}))

			done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, &stripe.PaymentIntentRetrieveParams{
				Params: stripe.Params{Expand: []*string{stripe.String("latest_charge.balance_transaction"), stripe.String("payment_method")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(done.AmountReceived).To(Equal(int64(2500)))
			Expect(done.NextAction).To(BeNil())
			Expect(string(done.PaymentMethod.Type)).To(Equal(typ))
			ch := done.LatestCharge
			Expect(ch.Status).To(Equal(stripe.ChargeStatusSucceeded))
			Expect(string(ch.PaymentMethodDetails.Type)).To(Equal(typ))
			check(ch.PaymentMethodDetails)
			Expect(ch.BalanceTransaction.Amount).To(Equal(int64(2500)))
			Expect(ch.BalanceTransaction.Net).To(BeNumerically("<", 2500))
		},
		Entry("iDEAL", "ideal", "eur", func(d *stripe.ChargePaymentMethodDetails) {
			Expect(d.IDEAL.Bank).To(BeEquivalentTo("ing"))
			Expect(d.IDEAL.BIC).To(BeEquivalentTo("INGBNL2A"))
			Expect(d.IDEAL.VerifiedName).To(Equal("Jenny Rosen"))
			Expect(d.IDEAL.GeneratedSEPADebit).To(BeNil())
		}),
		Entry("Bancontact", "bancontact", "eur", func(d *stripe.ChargePaymentMethodDetails) {
			Expect(d.Bancontact.BIC).To(Equal("VAPEBE22"))
			Expect(d.Bancontact.VerifiedName).To(Equal("Jenny Rosen"))
		}),
		Entry("EPS", "eps", "eur", func(d *stripe.ChargePaymentMethodDetails) {
			Expect(d.EPS.Bank).To(BeEquivalentTo("bank_austria"))
		}),
		Entry("Przelewy24 in zloty", "p24", "pln", func(d *stripe.ChargePaymentMethodDetails) {
			Expect(d.P24.Bank).To(BeEquivalentTo("mbank_mtransfer"))
		}),
		Entry("Klarna", "klarna", "eur", func(d *stripe.ChargePaymentMethodDetails) {
			Expect(d.Klarna.PaymentMethodCategory).To(Equal(stripe.ChargePaymentMethodDetailsKlarnaPaymentMethodCategoryPayLater))
			Expect(d.Klarna.PayerDetails.Address.Country).To(Equal("NL"))
		}),
		Entry("Affirm", "affirm", "usd", func(d *stripe.ChargePaymentMethodDetails) {
			Expect(d.Affirm.TransactionID).NotTo(BeEmpty())
		}),
		Entry("Clearpay in pounds", "afterpay_clearpay", "gbp", func(d *stripe.ChargePaymentMethodDetails) {
			Expect(d.AfterpayClearpay.OrderID).NotTo(BeEmpty())
			Expect(d.AfterpayClearpay.Reference).To(BeEmpty())
		}),
		Entry("PayPal", "paypal", "eur", func(d *stripe.ChargePaymentMethodDetails) {
			Expect(d.Paypal.PayerEmail).To(Equal("jenny@example.com"))
			Expect(d.Paypal.PayerName).To(Equal("Jenny Rosen"))
			Expect(d.Paypal.Country).To(Equal("NL"))
			Expect(d.Paypal.PayerID).NotTo(BeEmpty())
			Expect(d.Paypal.TransactionID).NotTo(BeEmpty())
			Expect(d.Paypal.SellerProtection.Status).To(Equal(stripe.ChargePaymentMethodDetailsPaypalSellerProtectionStatusEligible))
		}),
	)

	DescribeTable("refuses a currency the buy now, pay later or wallet method does not take, keeping nothing",
		func(typ, currency, accepted string) {
			mark := len(emu.EventTypes(""))
			_, err := create(typ, currency, nil)
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(400))
			Expect(se.Param).To(Equal("payment_method_types"))
			Expect(se.Msg).To(Equal("The currency provided (" + currency + ") is invalid for one or more payment method types on this PaymentIntent. The payment method type " + typ + " only supports the following currencies: " + accepted + "."))
			nothingKept(mark)
		},
		Entry("Affirm in euros", "affirm", "eur", "cad, usd"),
		Entry("Afterpay / Clearpay in euros", "afterpay_clearpay", "eur", "aud, cad, gbp, nzd, usd"),
		Entry("PayPal in yen", "paypal", "jpy", "aud, cad, chf, czk, dkk, eur, gbp, hkd, nok, nzd, pln, sek, sgd, usd"),
	)

	It("hands Afterpay's order reference from payment_method_options to the charge", func() {
		pi, err := create("afterpay_clearpay", "usd", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{
				AfterpayClearpay: &stripe.PaymentIntentCreatePaymentMethodOptionsAfterpayClearpayParams{Reference: stripe.String("order-42")}}
		})
		Expect(err).NotTo(HaveOccurred())
		visit(pi, "succeed")
		done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, &stripe.PaymentIntentRetrieveParams{
			Params: stripe.Params{Expand: []*string{stripe.String("latest_charge")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(done.LatestCharge.PaymentMethodDetails.AfterpayClearpay.Reference).To(Equal("order-42"))
	})

	It("fails on the test page, back to requires_payment_method, and is paid by card on retry", func() {
		pi, err := create("ideal", "eur", nil)
		Expect(err).NotTo(HaveOccurred())
		mark := len(emu.EventTypes(""))
		body := visit(pi, "fail")
		Expect(body["status"]).To(Equal("requires_payment_method"))
		Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.payment_failed"}))

		failed, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(failed.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(failed.LastPaymentError.Code).To(Equal(stripe.ErrorCodePaymentIntentAuthenticationFailure))
		Expect(failed.LastPaymentError.PaymentMethod.Type).To(Equal(stripe.PaymentMethodTypeIDEAL))
		Expect(failed.PaymentMethod).To(BeNil())
		Expect(failed.NextAction).To(BeNil())

		paid, err := sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(paid.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(paid.LastPaymentError).To(BeNil())
	})

	It("sends a browser that opens redirect_to_url to a test page, and back to return_url with the intent's parameters", func() {
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		page := func(u string) (int, string, string) {
			GinkgoHelper()
			res, err := noRedirect.Get(u)
			Expect(err).NotTo(HaveOccurred())
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			Expect(err).NotTo(HaveOccurred())
			return res.StatusCode, string(b), res.Header.Get("Location")
		}
		pi, err := create("ideal", "eur", func(p *stripe.PaymentIntentCreateParams) { p.ReturnURL = stripe.String(returnURL + "?order=42") })
		Expect(err).NotTo(HaveOccurred())
		status, body, _ := page(pi.NextAction.RedirectToURL.URL)
		Expect(status).To(Equal(200), body)
		Expect(body).To(ContainSubstring(pi.ID))
		Expect(body).To(ContainSubstring("outcome"))
		Expect(retrieveIntent(sc, pi.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresAction), "opening the page decides nothing")

		u, err := url.Parse(pi.NextAction.RedirectToURL.URL)
		Expect(err).NotTo(HaveOccurred())
		q := u.Query()
		q.Set("outcome", "succeed")
		u.RawQuery = q.Encode()
		status, body, location := page(u.String())
		Expect(status).To(Equal(http.StatusSeeOther), body)
		back, err := url.Parse(location)
		Expect(err).NotTo(HaveOccurred())
		Expect(back.Host).To(Equal("shop.example"))
		Expect(back.Path).To(Equal("/return"))
		Expect(back.Query().Get("order")).To(Equal("42"))
		Expect(back.Query().Get("payment_intent")).To(Equal(pi.ID))
		Expect(back.Query().Get("payment_intent_client_secret")).To(Equal(pi.ClientSecret))
		Expect(back.Query().Get("redirect_status")).To(Equal("succeeded"))
		Expect(retrieveIntent(sc, pi.ID).Status).To(Equal(stripe.PaymentIntentStatusSucceeded))

		failing, err := create("klarna", "eur", nil)
		Expect(err).NotTo(HaveOccurred())
		status, body, location = page(failing.NextAction.RedirectToURL.URL + "?outcome=fail")
		Expect(status).To(Equal(http.StatusSeeOther), body)
		back, err = url.Parse(location)
		Expect(err).NotTo(HaveOccurred())
		Expect(back.Query().Get("redirect_status")).To(Equal("failed"))
		Expect(retrieveIntent(sc, failing.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))

		// Done once: coming back to the page changes nothing.
		status, _, _ = page(failing.NextAction.RedirectToURL.URL + "?outcome=succeed")
		Expect(status).To(Equal(http.StatusConflict))
		Expect(retrieveIntent(sc, failing.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
	})

	It("refuses to confirm without a return_url, keeping nothing", func() {
		mark := len(emu.EventTypes(""))
		_, err := create("bancontact", "eur", func(p *stripe.PaymentIntentCreateParams) { p.ReturnURL = nil })
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(400))
		Expect(se.Param).To(Equal("return_url"))
		Expect(se.Msg).To(Equal("You must provide a `return_url` when confirming a PaymentIntent with the payment method type bancontact."))
		nothingKept(mark)
	})

	It("refuses a currency the method does not take, keeping nothing", func() {
		mark := len(emu.EventTypes(""))
		_, err := create("ideal", "usd", nil)
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(400))
		Expect(se.Param).To(Equal("payment_method_types"))
		Expect(se.Msg).To(Equal("The currency provided (usd) is invalid for one or more payment method types on this PaymentIntent. The payment method type ideal only supports the following currencies: eur."))

		_, err = create("klarna", "jpy", nil)
		Expect(StripeErr(err).Msg).To(ContainSubstring("The payment method type klarna only supports the following currencies: aud, cad, chf"))

		// With automatic payment methods the method's currency decides at
		// confirmation.
		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(2500), Currency: stripe.String("usd"),
			AutomaticPaymentMethods: &stripe.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true)},
			PaymentMethodData:       data("eps"), Confirm: stripe.Bool(true), ReturnURL: stripe.String(returnURL),
		})
		Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodePaymentIntentIncompatiblePaymentMethod))
		nothingKept(mark)
	})

	It("requires the billing details each method needs (Klarna's email and country are optional since 2025-02-24)", func() {
		mark := len(emu.EventTypes(""))
		_, err := create("bancontact", "eur", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodData.BillingDetails = &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{Email: stripe.String("j@example.com")}
		})
		Expect(StripeErr(err).Param).To(Equal("payment_method_data[billing_details][name]"))
		_, err = create("p24", "eur", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodData.BillingDetails = &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{Name: stripe.String("Jenny")}
		})
		Expect(StripeErr(err).Param).To(Equal("payment_method_data[billing_details][email]"))
		_, err = create("afterpay_clearpay", "usd", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodData.BillingDetails = &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{Email: stripe.String("j@example.com")}
		})
		Expect(StripeErr(err).Param).To(Equal("payment_method_data[billing_details][name]"))
		_, err = create("afterpay_clearpay", "usd", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodData.BillingDetails = &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{Name: stripe.String("Jenny")}
		})
		Expect(StripeErr(err).Param).To(Equal("payment_method_data[billing_details][email]"))
		nothingKept(mark)

		pi, err := create("klarna", "eur", func(p *stripe.PaymentIntentCreateParams) { p.PaymentMethodData.BillingDetails = nil })
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
	})

	It("creates PaymentMethods of these types with their details, refusing an unknown bank", func() {
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
			Type: stripe.String("ideal"), IDEAL: &stripe.PaymentMethodCreateIDEALParams{Bank: stripe.String("rabobank")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pm.Type).To(Equal(stripe.PaymentMethodTypeIDEAL))
		Expect(pm.IDEAL.Bank).To(BeEquivalentTo("rabobank"))
		Expect(pm.IDEAL.BIC).To(BeEquivalentTo("RABONL2U"))

		_, err = sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
			Type: stripe.String("ideal"), IDEAL: &stripe.PaymentMethodCreateIDEALParams{Bank: stripe.String("bank_of_nowhere")}})
		Expect(StripeErr(err).Param).To(Equal("ideal[bank]"))
		_, err = sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("bancontact")})
		Expect(StripeErr(err).Param).To(Equal("billing_details[name]"))

		k, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("klarna"),
			Klarna: &stripe.PaymentMethodCreateKlarnaParams{DOB: &stripe.PaymentMethodCreateKlarnaDOBParams{Day: stripe.Int64(1), Month: stripe.Int64(2), Year: stripe.Int64(1990)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(k.Klarna.DOB.Year).To(Equal(int64(1990)))

		pp, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("paypal"), Paypal: &stripe.PaymentMethodCreatePaypalParams{}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pp.Type).To(Equal(stripe.PaymentMethodTypePaypal))
		Expect(pp.Paypal.PayerEmail).To(BeEmpty(), "PayPal reports the payer once they authorize a payment")
		a, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("affirm"), Affirm: &stripe.PaymentMethodCreateAffirmParams{}})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Affirm).NotTo(BeNil())
		_, err = sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("afterpay_clearpay")})
		Expect(StripeErr(err).Param).To(Equal("billing_details[name]"))
	})

	It("takes every iDEAL bank of the API version's list, buut included, with its BIC", func() {
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
			Type: stripe.String("ideal"), IDEAL: &stripe.PaymentMethodCreateIDEALParams{Bank: stripe.String("buut")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pm.IDEAL.Bank).To(BeEquivalentTo("buut"))
		Expect(pm.IDEAL.BIC).To(Equal("BUUTNL2A"))
	})

	It("saves iDEAL's bank account as a generated SEPA Direct Debit method for later off-session payments", func() {
		pi, err := create("ideal", "eur", func(p *stripe.PaymentIntentCreateParams) {
			p.SetupFutureUsage = stripe.String("off_session")
		})
		Expect(err).NotTo(HaveOccurred())
		visit(pi, "succeed")
		done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, &stripe.PaymentIntentRetrieveParams{
			Params: stripe.Params{Expand: []*string{stripe.String("latest_charge")}}})
		Expect(err).NotTo(HaveOccurred())
		gen := done.LatestCharge.PaymentMethodDetails.IDEAL.GeneratedSEPADebit
		Expect(gen).NotTo(BeNil())

		var saved []*stripe.PaymentMethod
		for pm, err := range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			saved = append(saved, pm)
		}
		Expect(saved).To(HaveLen(1), "the iDEAL method itself is not saved")
		Expect(saved[0].ID).To(Equal(gen.ID))
		Expect(saved[0].Type).To(Equal(stripe.PaymentMethodTypeSEPADebit))
		Expect(saved[0].SEPADebit.GeneratedFrom.Charge.ID).To(Equal(done.LatestCharge.ID))

		later, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
			PaymentMethodTypes: []*string{stripe.String("sepa_debit")}, PaymentMethod: stripe.String(gen.ID),
			OffSession: stripe.Bool(true), Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(later.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
	})

	DescribeTable("saves, for iDEAL and Bancontact, the account of Stripe's test bank, whose later debits succeed",
		func(typ, last4, bankCode string) {
			pi, err := create(typ, "eur", func(p *stripe.PaymentIntentCreateParams) {
				p.SetupFutureUsage = stripe.String("off_session")
			})
			Expect(err).NotTo(HaveOccurred())
			visit(pi, "succeed")
			ch, err := sc.V1Charges.Retrieve(Ctx, mustIntent(sc, pi.ID).LatestCharge.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			var gen *stripe.PaymentMethod
			var mandate *stripe.Mandate
			if typ == "ideal" {
				Expect(ch.PaymentMethodDetails.IDEAL.IBANLast4).To(Equal(last4))
				gen, mandate = ch.PaymentMethodDetails.IDEAL.GeneratedSEPADebit, ch.PaymentMethodDetails.IDEAL.GeneratedSEPADebitMandate
			} else {
				Expect(ch.PaymentMethodDetails.Bancontact.IBANLast4).To(Equal(last4))
				gen, mandate = ch.PaymentMethodDetails.Bancontact.GeneratedSEPADebit, ch.PaymentMethodDetails.Bancontact.GeneratedSEPADebitMandate
			}
			saved, err := sc.V1PaymentMethods.Retrieve(Ctx, gen.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(saved.SEPADebit.Last4).To(Equal(last4))
			Expect(saved.SEPADebit.BankCode).To(Equal(bankCode))
			// The generated method's mandate, which its later debits go on under.
			Expect(mandate).NotTo(BeNil())
			m, err := sc.V1Mandates.Retrieve(Ctx, mandate.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(m.Type).To(Equal(stripe.MandateTypeMultiUse))
			Expect(m.Status).To(Equal(stripe.MandateStatusActive))
			Expect(m.PaymentMethod.ID).To(Equal(gen.ID))
			Expect(m.CustomerAcceptance.Type).To(Equal(stripe.MandateCustomerAcceptanceTypeOnline), "accepted on the bank's page")

			later, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(1000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
				PaymentMethodTypes: []*string{stripe.String("sepa_debit")}, PaymentMethod: stripe.String(gen.ID),
				OffSession: stripe.Bool(true), Confirm: stripe.Bool(true),
				Params: stripe.Params{Expand: []*string{stripe.String("latest_charge")}},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(later.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
			Expect(later.LatestCharge.PaymentMethodDetails.SEPADebit.Mandate).To(Equal(mandate.ID))
			emu.Clock().Advance(10 * time.Minute)
			Expect(mustIntent(sc, later.ID).Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		},
		// Stripe's recorded test-mode iDEAL setup generated NL39RABO0300065264's
		// method; its Bancontact guide shows iban_last4 7061 (BE62510007547061).
		Entry("iDEAL", "ideal", "5264", "RABO"),
		Entry("Bancontact", "bancontact", "7061", "510"),
	)

	It("makes the generated method's mandate with the acceptance the payment was confirmed with, when it sent mandate_data", func() {
		pi, err := create("ideal", "eur", func(p *stripe.PaymentIntentCreateParams) {
			p.SetupFutureUsage = stripe.String("off_session")
			p.MandateData = &stripe.PaymentIntentCreateMandateDataParams{CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{
				Type:   stripe.String("online"),
				Online: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceOnlineParams{IPAddress: stripe.String("203.0.113.9"), UserAgent: stripe.String("Mozilla/5.0")},
			}}
		})
		Expect(err).NotTo(HaveOccurred())
		visit(pi, "succeed")
		ch, err := sc.V1Charges.Retrieve(Ctx, mustIntent(sc, pi.ID).LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		m, err := sc.V1Mandates.Retrieve(Ctx, ch.PaymentMethodDetails.IDEAL.GeneratedSEPADebitMandate.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.CustomerAcceptance.Online.IPAddress).To(Equal("203.0.113.9"))
		Expect(m.CustomerAcceptance.Online.UserAgent).To(Equal("Mozilla/5.0"))
	})

	It("shows each offered redirect type's payment_method_options with Stripe's defaults, as Stripe's PaymentIntents do", func() {
		status, body, err := emu.Call("POST", "/v1/payment_intents", url.Values{
			"amount": {"2500"}, "currency": {"eur"}, "payment_method_types[]": {"card", "bancontact", "eps", "klarna", "paypal", "ideal"},
			"payment_method_options[klarna][preferred_locale]": {"nl-NL"},
		}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		opts := body["payment_method_options"].(map[string]any)
		// As recorded PaymentIntents of Stripe show them (iDEAL's as its guide does).
		Expect(opts["bancontact"]).To(Equal(map[string]any{"preferred_language": "en"}))
		Expect(opts["eps"]).To(Equal(map[string]any{}))
		Expect(opts["klarna"]).To(Equal(map[string]any{"preferred_locale": "nl-NL"}), "what was sent stays")
		Expect(opts["paypal"]).To(Equal(map[string]any{"preferred_locale": nil, "reference": nil}))
		Expect(opts["ideal"]).To(Equal(map[string]any{}))
		Expect(opts).To(HaveKey("card"))

		status, body, err = emu.Call("POST", "/v1/payment_intents/"+body["id"].(string), url.Values{
			"payment_method_types[]": {"card", "klarna"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		opts = body["payment_method_options"].(map[string]any)
		Expect(opts).NotTo(HaveKey("bancontact"), "no longer offered")
		Expect(opts).NotTo(HaveKey("eps"))
		Expect(opts).NotTo(HaveKey("paypal"))
		Expect(opts["klarna"]).To(Equal(map[string]any{"preferred_locale": "nl-NL"}))

		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(5000), Currency: stripe.String("usd"),
			PaymentMethodTypes: []*string{stripe.String("affirm"), stripe.String("klarna")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.PaymentMethodOptions.Affirm).NotTo(BeNil())
		Expect(pi.PaymentMethodOptions.Klarna).NotTo(BeNil())
		Expect(pi.PaymentMethodOptions.Klarna.PreferredLocale).To(BeEmpty())
	})

	It("takes options that act on the request alone (P24's terms, PayPal's risk id, MOTO, ACH networks) without showing them on the intent", func() {
		optionsOf := func(path string, form url.Values) map[string]any {
			GinkgoHelper()
			status, body, err := emu.Call("POST", path, form, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			return body["payment_method_options"].(map[string]any)
		}
		opts := optionsOf("/v1/payment_intents", url.Values{"amount": {"2500"}, "currency": {"eur"},
			"payment_method_types[]":                              {"card", "paypal"},
			"payment_method_options[paypal][risk_correlation_id]": {"risk-1"}, "payment_method_options[paypal][reference]": {"order-7"},
			"payment_method_options[card][moto]": {"true"}, "payment_method_options[card][request_three_d_secure]": {"any"}})
		Expect(opts["paypal"]).To(Equal(map[string]any{"preferred_locale": nil, "reference": "order-7"}))
		Expect(opts["card"]).NotTo(HaveKey("moto"))
		Expect(opts["card"]).To(HaveKeyWithValue("request_three_d_secure", "any"))

		opts = optionsOf("/v1/payment_intents", url.Values{"amount": {"2500"}, "currency": {"pln"},
			"payment_method_types[]": {"p24"}, "payment_method_options[p24][tos_shown_and_accepted]": {"true"}})
		Expect(opts["p24"]).To(Equal(map[string]any{}))

		opts = optionsOf("/v1/payment_intents", url.Values{"amount": {"2500"}, "currency": {"usd"},
			"payment_method_types[]": {"us_bank_account"}, "payment_method_options[us_bank_account][networks][requested][]": {"ach"}})
		Expect(opts["us_bank_account"]).NotTo(HaveKey("networks"))

		opts = optionsOf("/v1/setup_intents", url.Values{"payment_method_types[]": {"card", "us_bank_account"},
			"payment_method_options[card][moto]": {"true"}, "payment_method_options[us_bank_account][networks][requested][]": {"ach"}})
		Expect(opts["card"]).NotTo(HaveKey("moto"))
		Expect(opts["us_bank_account"]).NotTo(HaveKey("networks"))
	})

	It("refuses setup_future_usage where the method cannot save, and off-session confirmation", func() {
		mark := len(emu.EventTypes(""))
		_, err := create("eps", "eur", func(p *stripe.PaymentIntentCreateParams) { p.SetupFutureUsage = stripe.String("off_session") })
		Expect(StripeErr(err).Param).To(Equal("setup_future_usage"))
		_, err = create("ideal", "eur", func(p *stripe.PaymentIntentCreateParams) { p.OffSession = stripe.Bool(true) })
		Expect(StripeErr(err).Param).To(Equal("off_session"))
		_, err = create("ideal", "eur", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
		Expect(StripeErr(err).Param).To(Equal("capture_method"))
		nothingKept(mark)
	})

	DescribeTable("authorizes for later capture",
		func(typ, currency string) {
			pi, err := create(typ, currency, func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
			Expect(err).NotTo(HaveOccurred())
			Expect(visit(pi, "succeed")["status"]).To(Equal("requires_capture"))
			done, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(done.AmountReceived).To(Equal(int64(2500)))
		},
		Entry("Klarna", "klarna", "eur"),
		Entry("Affirm", "affirm", "cad"),
		Entry("Afterpay / Clearpay", "afterpay_clearpay", "aud"),
		Entry("PayPal", "paypal", "gbp"),
	)

	It("holds a redirect payment's authorization for the API reference's default seven days, not until the clock next moves", func() {
		pi, err := create("klarna", "eur", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
		Expect(err).NotTo(HaveOccurred())
		Expect(visit(pi, "succeed")["status"]).To(Equal("requires_capture"))
		emu.Clock().Advance(6 * 24 * time.Hour)
		held, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(held.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
		Expect(held.AmountCapturable).To(Equal(int64(2500)))

		mark := len(emu.EventTypes(""))
		emu.Clock().Advance(24 * time.Hour)
		expired, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(expired.Status).To(Equal(stripe.PaymentIntentStatusCanceled))
		Expect(expired.CancellationReason).To(Equal(stripe.PaymentIntentCancellationReasonExpired))
		Expect(eventsSince(mark)).To(ContainElements("charge.expired", "payment_intent.canceled"))
	})

	It("refuses saving an Affirm, Afterpay or PayPal method for later, which stripe-emu does not emulate", func() {
		mark := len(emu.EventTypes(""))
		for _, typ := range []string{"affirm", "afterpay_clearpay", "paypal"} {
			_, err := create(typ, "usd", func(p *stripe.PaymentIntentCreateParams) { p.SetupFutureUsage = stripe.String("off_session") })
			Expect(StripeErr(err).Param).To(Equal("setup_future_usage"), typ)
		}
		nothingKept(mark)
	})

	It("completes a Checkout Session paid with iDEAL", func() {
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
			Type: stripe.String("ideal"), IDEAL: &stripe.PaymentMethodCreateIDEALParams{Bank: stripe.String("ing")}})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			PaymentMethodTypes: []*string{stripe.String("ideal")},
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Quantity: stripe.Int64(1), PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Currency: stripe.String("eur"), UnitAmount: stripe.Int64(1500), ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Stroopwafels")}}}},
		})
		Expect(err).NotTo(HaveOccurred())
		done, err := emu.CompleteCheckout("", s.ID, pm.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(done["payment_status"]).To(Equal("paid"))
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, done["payment_intent"].(string), &stripe.PaymentIntentRetrieveParams{
			Params: stripe.Params{Expand: []*string{stripe.String("latest_charge")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(pi.LatestCharge.PaymentMethodDetails.IDEAL.BIC).To(BeEquivalentTo("INGBNL2A"))
		Expect(strings.Join(emu.EventTypes(""), " ")).To(ContainSubstring("payment_intent.requires_action"))
	})

	// Stripe's Refund object tells where the money goes back with a
	// destination_details hash keyed by the payment method's type (stripe-go
	// v82.5.1's RefundDestinationDetails): empty for these, with the bank's
	// reference still to come for Przelewy24.
	DescribeTable("tells where a refund goes back, by the payment method's type",
		func(typ, currency string, check func(*stripe.RefundDestinationDetails)) {
			pi, err := create(typ, currency, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(visit(pi, "succeed")["status"]).To(Equal("succeeded"))
			re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(500)})
			Expect(err).NotTo(HaveOccurred())
			Expect(re.DestinationDetails).NotTo(BeNil())
			Expect(re.DestinationDetails.Type).To(Equal(typ))
			check(re.DestinationDetails)
		},
		Entry("Klarna", "klarna", "eur", func(d *stripe.RefundDestinationDetails) { Expect(d.Klarna).NotTo(BeNil()) }),
		Entry("Affirm", "affirm", "usd", func(d *stripe.RefundDestinationDetails) { Expect(d.Affirm).NotTo(BeNil()) }),
		Entry("Clearpay", "afterpay_clearpay", "gbp", func(d *stripe.RefundDestinationDetails) { Expect(d.AfterpayClearpay).NotTo(BeNil()) }),
		Entry("PayPal", "paypal", "eur", func(d *stripe.RefundDestinationDetails) { Expect(d.Paypal).NotTo(BeNil()) }),
		Entry("EPS", "eps", "eur", func(d *stripe.RefundDestinationDetails) { Expect(d.EPS).NotTo(BeNil()) }),
		Entry("Przelewy24", "p24", "pln", func(d *stripe.RefundDestinationDetails) {
			Expect(d.P24).NotTo(BeNil())
			Expect(d.P24.ReferenceStatus).To(Equal("pending"))
			Expect(d.P24.Reference).To(BeEmpty())
		}),
	)
	It("refuses giropay, which Stripe retired in June 2024, in Stripe's words, making nothing", func() {
		const retired = "Giropay is deprecated and can no longer be used for payment acceptance. Please refer to https://docs.stripe.com/payments/giropay"
		intents, methods, setups := emu.Count("", "payment_intent"), emu.Count("", "payment_method"), emu.Count("", "setup_intent")
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur"),
			PaymentMethodTypes: []*string{stripe.String("card"), stripe.String("giropay")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(err.(*stripe.Error).Msg).To(Equal(retired))
		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur"),
			PaymentMethodData: &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("giropay")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_data[type]")
		Expect(err.(*stripe.Error).Msg).To(Equal(retired))
		_, err = sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("giropay")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "type")
		Expect(err.(*stripe.Error).Msg).To(Equal(retired))
		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("giropay")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(err.(*stripe.Error).Msg).To(Equal(retired))
		Expect(emu.Count("", "payment_intent")).To(Equal(intents))
		Expect(emu.Count("", "payment_method")).To(Equal(methods))
		Expect(emu.Count("", "setup_intent")).To(Equal(setups))
	})

})

func retrieveIntent(sc *stripe.Client, id string) *stripe.PaymentIntent {
	GinkgoHelper()
	pi, err := sc.V1PaymentIntents.Retrieve(Ctx, id, nil)
	Expect(err).NotTo(HaveOccurred())
	return pi
}

// mustIntent is the PaymentIntent as it stands now.
func mustIntent(sc *stripe.Client, id string) *stripe.PaymentIntent {
	GinkgoHelper()
	pi, err := sc.V1PaymentIntents.Retrieve(Ctx, id, nil)
	Expect(err).NotTo(HaveOccurred())
	return pi
}
