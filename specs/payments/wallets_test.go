package payments_test

import (
	"io"
	"net/http"
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Wallets the customer authorizes on the test page their next action
// leads to (a QR code, a redirect): Cash App Pay, Revolut Pay, Amazon
// Pay, Alipay, WeChat Pay, GrabPay, MobilePay, TWINT, Swish, PayNow,
// PromptPay, Pix; and BLIK, approved in the customer's bank's app.
var _ = Describe("Wallet payment methods", Label("payments"), func() {
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
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) (int, string, string, string) {
		GinkgoHelper()
		res, err := noRedirect.Get(u)
		Expect(err).NotTo(HaveOccurred())
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		Expect(err).NotTo(HaveOccurred())
		return res.StatusCode, string(b), res.Header.Get("Location"), res.Header.Get("Content-Type")
	}
	// qrShown checks a QR code action: its data is the hosted
	// instructions page, and its PNG image is served. It answers the page.
	qrShown := func(data, hosted, png string) string {
		GinkgoHelper()
		Expect(data).To(Equal(hosted))
		status, body, _, ctype := get(png)
		Expect(status).To(Equal(200), body)
		Expect(ctype).To(Equal("image/png"))
		return hosted
	}
	// pay makes a confirmed PaymentIntent paying with a new method of type
	// typ.
	pay := func(typ, currency string, extra func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
		p := &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(2500), Currency: stripe.String(currency), Customer: stripe.String(cus.ID),
			PaymentMethodTypes: []*string{stripe.String(typ)},
			PaymentMethodData:  &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String(typ)},
			Confirm:            stripe.Bool(true), ReturnURL: stripe.String(returnURL),
		}
		if extra != nil {
			extra(p)
		}
		return sc.V1PaymentIntents.Create(Ctx, p)
	}
	authorize := func(path, outcome string) map[string]any {
		GinkgoHelper()
		status, body, err := emu.Call("POST", path, url.Values{"outcome": {outcome}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		return body
	}
	authorizePayment := func(pi *stripe.PaymentIntent, outcome string) map[string]any {
		GinkgoHelper()
		return authorize("/v1/test_helpers/payment_intents/"+pi.ID+"/authenticate", outcome)
	}
	withCharge := func(id string) *stripe.PaymentIntent {
		GinkgoHelper()
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, id, &stripe.PaymentIntentRetrieveParams{
			Params: stripe.Params{Expand: []*string{stripe.String("latest_charge.balance_transaction"), stripe.String("payment_method")}}})
		Expect(err).NotTo(HaveOccurred())
		return pi
	}
	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }

	Describe("Cash App Pay", func() {
		It("shows the QR code and mobile redirect leading to the test page, and is paid once the customer authorizes", func() {
			mark := len(emu.EventTypes(""))
			pi, err := pay("cashapp", "usd", nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
			Expect(pi.LatestCharge).To(BeNil())
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.requires_action"}))
			Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionType("cashapp_handle_redirect_or_display_qr_code")))
			Expect(pi.NextAction.RedirectToURL).To(BeNil())
			ca := pi.NextAction.CashAppHandleRedirectOrDisplayQRCode
			Expect(ca).NotTo(BeNil())
			page, err := url.Parse(ca.HostedInstructionsURL)
			Expect(err).NotTo(HaveOccurred())
			Expect(page.Path).To(Equal("/v1/test_helpers/payment_intents/" + pi.ID + "/authenticate"))
			Expect(ca.MobileAuthURL).To(Equal(ca.HostedInstructionsURL))
			Expect(ca.QRCode.ExpiresAt).To(BeNumerically(">", emu.Clock().Now().Unix()))
			status, body, _, ctype := get(ca.QRCode.ImageURLPNG)
			Expect(status).To(Equal(200), body)
			Expect(ctype).To(Equal("image/png"))
			Expect(body).To(HavePrefix("\x89PNG"))
			status, body, _, ctype = get(ca.QRCode.ImageURLSVG)
			Expect(status).To(Equal(200), body)
			Expect(ctype).To(Equal("image/svg+xml"))
			Expect(body).To(ContainSubstring("<svg"))

			method, err := sc.V1PaymentMethods.Retrieve(Ctx, pi.PaymentMethod.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(method.Type).To(Equal(stripe.PaymentMethodTypeCashApp))
			Expect(method.CashApp.BuyerID).To(BeEmpty(), "Cash App names the buyer once they authorize")

			mark = len(emu.EventTypes(""))
			Expect(authorizePayment(pi, "succeed")["status"]).To(Equal("succeeded"))
			Expect(eventsSince(mark)).To(Equal([]string{"charge.succeeded", "payment_intent.succeeded", "charge.updated"}))
			done := withCharge(pi.ID)
			Expect(done.NextAction).To(BeNil())
			Expect(done.AmountReceived).To(Equal(int64(2500)))
			Expect(done.PaymentMethod.CashApp.BuyerID).NotTo(BeEmpty())
			Expect(done.PaymentMethod.CashApp.Cashtag).To(HavePrefix("$"))
			d := done.LatestCharge.PaymentMethodDetails
			Expect(d.Type).To(Equal(stripe.ChargePaymentMethodDetailsType("cashapp")))
			Expect(d.CashApp.BuyerID).To(Equal(done.PaymentMethod.CashApp.BuyerID))
			Expect(d.CashApp.Cashtag).To(Equal(done.PaymentMethod.CashApp.Cashtag))
			Expect(d.CashApp.TransactionID).NotTo(BeEmpty())
			Expect(done.LatestCharge.BalanceTransaction.Amount).To(Equal(int64(2500)))
		})

		It("sends a browser on the hosted instructions page back to return_url once it decides", func() {
			pi, err := pay("cashapp", "usd", func(p *stripe.PaymentIntentCreateParams) { p.ReturnURL = stripe.String(returnURL + "?order=7") })
			Expect(err).NotTo(HaveOccurred())
			hosted := pi.NextAction.CashAppHandleRedirectOrDisplayQRCode.HostedInstructionsURL
			status, body, _, _ := get(hosted)
			Expect(status).To(Equal(200), body)
			Expect(body).To(ContainSubstring(pi.ID))
			status, body, location, _ := get(hosted + "?outcome=succeed")
			Expect(status).To(Equal(http.StatusSeeOther), body)
			back, err := url.Parse(location)
			Expect(err).NotTo(HaveOccurred())
			Expect(back.Host + back.Path).To(Equal("shop.example/return"))
			Expect(back.Query().Get("order")).To(Equal("7"))
			Expect(back.Query().Get("payment_intent")).To(Equal(pi.ID))
			Expect(back.Query().Get("redirect_status")).To(Equal("succeeded"))
			Expect(retrieveIntent(sc, pi.ID).Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		})

		It("fails when the customer declines, needing a new payment method", func() {
			pi, err := pay("cashapp", "usd", nil)
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(""))
			Expect(authorizePayment(pi, "fail")["status"]).To(Equal("requires_payment_method"))
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.payment_failed"}))
			failed := retrieveIntent(sc, pi.ID)
			Expect(failed.LastPaymentError.Code).To(Equal(stripe.ErrorCodePaymentIntentAuthenticationFailure))
			Expect(failed.LastPaymentError.PaymentMethod.Type).To(Equal(stripe.PaymentMethodTypeCashApp))
			Expect(failed.NextAction).To(BeNil())
		})

		It("takes only US dollars, and needs a return_url", func() {
			_, err := pay("cashapp", "eur", nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
			Expect(StripeErr(err).Msg).To(Equal("The currency provided (eur) is invalid for one or more payment method types on this PaymentIntent. The payment method type cashapp only supports the following currencies: usd."))
			_, err = pay("cashapp", "usd", func(p *stripe.PaymentIntentCreateParams) { p.ReturnURL = nil })
			ExpectStripeError(err, 400, "invalid_request_error", "", "return_url")
			Expect(StripeErr(err).Msg).To(Equal("You must provide a `return_url` when confirming a PaymentIntent with the payment method type cashapp."))
			Expect(emu.Count("", "payment_intent")).To(BeZero())
		})

		It("holds the funds for a manual capture, then captures and refunds them", func() {
			pi, err := pay("cashapp", "usd", func(p *stripe.PaymentIntentCreateParams) {
				p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{
					CashApp: &stripe.PaymentIntentCreatePaymentMethodOptionsCashAppParams{CaptureMethod: stripe.String("manual")}}
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(authorizePayment(pi, "succeed")["status"]).To(Equal("requires_capture"))
			held := withCharge(pi.ID)
			Expect(held.AmountCapturable).To(Equal(int64(2500)))
			Expect(held.LatestCharge.Captured).To(BeFalse())

			captured, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(2000)})
			Expect(err).NotTo(HaveOccurred())
			Expect(captured.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(captured.AmountReceived).To(Equal(int64(2000)))

			re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(500)})
			Expect(err).NotTo(HaveOccurred())
			Expect(re.Status).To(Equal(stripe.RefundStatusSucceeded))
			Expect(re.DestinationDetails.Type).To(Equal("cashapp"))
			Expect(re.DestinationDetails.CashApp).NotTo(BeNil())
			ch, err := sc.V1Charges.Retrieve(Ctx, captured.LatestCharge.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.AmountRefunded).To(Equal(int64(500)))
		})

		DescribeTable("saved by setup_future_usage, is charged off-session without the customer",
			func(usage string) {
				pi, err := pay("cashapp", "usd", func(p *stripe.PaymentIntentCreateParams) { p.SetupFutureUsage = stripe.String(usage) })
				Expect(err).NotTo(HaveOccurred())
				Expect(pi.SetupFutureUsage).To(BeEquivalentTo(usage))
				authorizePayment(pi, "succeed")
				saved, err := sc.V1PaymentMethods.Retrieve(Ctx, pi.PaymentMethod.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(saved.Customer.ID).To(Equal(cus.ID))

				mark := len(emu.EventTypes(""))
				again, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
					Amount: stripe.Int64(1200), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
					PaymentMethodTypes: []*string{stripe.String("cashapp")}, PaymentMethod: stripe.String(saved.ID),
					Confirm: stripe.Bool(true), OffSession: stripe.Bool(true),
				})
				Expect(err).NotTo(HaveOccurred())
				Expect(again.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
				Expect(again.NextAction).To(BeNil())
				Expect(eventsSince(mark)).To(ContainElements("charge.succeeded", "payment_intent.succeeded"))
				Expect(withCharge(again.ID).LatestCharge.PaymentMethodDetails.CashApp.BuyerID).To(Equal(saved.CashApp.BuyerID))
			},
			Entry("off_session", "off_session"),
			Entry("on_session, which Cash App Pay takes too", "on_session"),
		)

		It("refuses an off-session payment with a method never saved", func() {
			pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("cashapp")})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(1200), Currency: stripe.String("usd"),
				PaymentMethodTypes: []*string{stripe.String("cashapp")}, PaymentMethod: stripe.String(pm.ID),
				Confirm: stripe.Bool(true), OffSession: stripe.Bool(true), ReturnURL: stripe.String(returnURL),
			})
			ExpectStripeError(err, 400, "invalid_request_error", "", "off_session")
		})

		It("is set up by a SetupIntent the customer authorizes, under a mandate, then charged off-session", func() {
			si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{
				Customer: stripe.String(cus.ID), PaymentMethodTypes: []*string{stripe.String("cashapp")},
				PaymentMethodData: &stripe.SetupIntentCreatePaymentMethodDataParams{Type: stripe.String("cashapp")},
				Confirm:           stripe.Bool(true), ReturnURL: stripe.String(returnURL),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresAction))
			Expect(si.NextAction.Type).To(Equal(stripe.SetupIntentNextActionType("cashapp_handle_redirect_or_display_qr_code")))
			page, err := url.Parse(si.NextAction.CashAppHandleRedirectOrDisplayQRCode.HostedInstructionsURL)
			Expect(err).NotTo(HaveOccurred())
			Expect(page.Path).To(Equal("/v1/test_helpers/setup_intents/" + si.ID + "/authenticate"))

			mark := len(emu.EventTypes(""))
			Expect(authorize(page.Path, "succeed")["status"]).To(Equal("succeeded"))
			Expect(eventsSince(mark)).To(ContainElement("setup_intent.succeeded"))
			done, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, &stripe.SetupIntentRetrieveParams{
				Params: stripe.Params{Expand: []*string{stripe.String("mandate"), stripe.String("payment_method"), stripe.String("latest_attempt")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(done.PaymentMethod.Customer.ID).To(Equal(cus.ID))
			Expect(done.PaymentMethod.CashApp.BuyerID).NotTo(BeEmpty())
			Expect(done.Mandate.Type).To(Equal(stripe.MandateTypeMultiUse))
			Expect(done.Mandate.Status).To(Equal(stripe.MandateStatusActive))
			Expect(string(done.Mandate.PaymentMethodDetails.Type)).To(Equal("cashapp"))
			Expect(done.Mandate.PaymentMethodDetails.CashApp).NotTo(BeNil())
			Expect(done.Mandate.CustomerAcceptance.Type).To(Equal(stripe.MandateCustomerAcceptanceTypeOnline))
			Expect(done.LatestAttempt.PaymentMethodDetails.CashApp).NotTo(BeNil())

			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(900), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
				PaymentMethodTypes: []*string{stripe.String("cashapp")}, PaymentMethod: stripe.String(done.PaymentMethod.ID),
				Confirm: stripe.Bool(true), OffSession: stripe.Bool(true),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		})

		It("pays a subscription's invoices off-session once set up, as Billing charges a saved method", func() {
			si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{
				Customer: stripe.String(cus.ID), PaymentMethodTypes: []*string{stripe.String("cashapp")},
				PaymentMethodData: &stripe.SetupIntentCreatePaymentMethodDataParams{Type: stripe.String("cashapp")},
				Confirm:           stripe.Bool(true), ReturnURL: stripe.String(returnURL),
			})
			Expect(err).NotTo(HaveOccurred())
			authorize("/v1/test_helpers/setup_intents/"+si.ID+"/authenticate", "succeed")
			price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(999),
				Recurring:   &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
				ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Plan")}})
			Expect(err).NotTo(HaveOccurred())
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
				Customer: stripe.String(cus.ID), DefaultPaymentMethod: stripe.String(si.PaymentMethod.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
			inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		})

		It("fails a SetupIntent the customer declines, saving nothing", func() {
			si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{
				Customer: stripe.String(cus.ID), PaymentMethodTypes: []*string{stripe.String("cashapp")},
				PaymentMethodData: &stripe.SetupIntentCreatePaymentMethodDataParams{Type: stripe.String("cashapp")},
				Confirm:           stripe.Bool(true), ReturnURL: stripe.String(returnURL),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(authorize("/v1/test_helpers/setup_intents/"+si.ID+"/authenticate", "fail")["status"]).To(Equal("requires_payment_method"))
			Expect(emu.Count("", "mandate")).To(BeZero())
			n := 0
			for range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID)}) {
				n++
			}
			Expect(n).To(BeZero())
		})
	})

	DescribeTable("Revolut Pay and Amazon Pay redirect to the test page, and are paid, held or saved as Stripe's spec allows",
		func(typ, currency, refused string, details func(*stripe.ChargePaymentMethodDetails) (string, bool)) {
			mark := len(emu.EventTypes(""))
			pi, err := pay(typ, currency, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.requires_action"}))
			Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionTypeRedirectToURL))
			Expect(pi.NextAction.RedirectToURL.ReturnURL).To(Equal(returnURL))
			page, err := url.Parse(pi.NextAction.RedirectToURL.URL)
			Expect(err).NotTo(HaveOccurred())
			Expect(page.Path).To(Equal("/v1/test_helpers/payment_intents/" + pi.ID + "/authenticate"))
			Expect(authorizePayment(pi, "succeed")["status"]).To(Equal("succeeded"))
			done := withCharge(pi.ID)
			Expect(string(done.PaymentMethod.Type)).To(Equal(typ))
			Expect(string(done.LatestCharge.PaymentMethodDetails.Type)).To(Equal(typ))
			txn, hasFunding := details(done.LatestCharge.PaymentMethodDetails)
			Expect(txn).NotTo(BeEmpty())
			Expect(hasFunding).To(BeTrue())

			By("refusing a currency it does not take")
			_, err = pay(typ, refused, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
			Expect(StripeErr(err).Msg).To(ContainSubstring("The payment method type " + typ + " only supports the following currencies: "))

			By("holding the funds for a manual capture")
			held, err := pay(typ, currency, func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
			Expect(err).NotTo(HaveOccurred())
			Expect(authorizePayment(held, "succeed")["status"]).To(Equal("requires_capture"))
			captured, err := sc.V1PaymentIntents.Capture(Ctx, held.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(captured.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(held.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(re.Amount).To(Equal(int64(2500)))
			if typ == "amazon_pay" {
				// Revolut Pay's hash is named revolut: what its type says is not verified.
				Expect(re.DestinationDetails.Type).To(Equal("amazon_pay"))
				Expect(re.DestinationDetails.AmazonPay).NotTo(BeNil())
			}

			By("refusing on_session saving, which only Cash App Pay of the wallets takes")
			_, err = pay(typ, currency, func(p *stripe.PaymentIntentCreateParams) { p.SetupFutureUsage = stripe.String("on_session") })
			ExpectStripeError(err, 400, "invalid_request_error", "", "setup_future_usage")
			Expect(StripeErr(err).Msg).To(Equal("The payment method type " + typ + " only supports `setup_future_usage=off_session`."))

			By("saving it with setup_future_usage=off_session, then charging it off-session")
			saving, err := pay(typ, currency, func(p *stripe.PaymentIntentCreateParams) {
				p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{}
				if typ == "revolut_pay" {
					p.PaymentMethodOptions.RevolutPay = &stripe.PaymentIntentCreatePaymentMethodOptionsRevolutPayParams{SetupFutureUsage: stripe.String("off_session")}
				} else {
					p.PaymentMethodOptions.AmazonPay = &stripe.PaymentIntentCreatePaymentMethodOptionsAmazonPayParams{SetupFutureUsage: stripe.String("off_session")}
				}
			})
			Expect(err).NotTo(HaveOccurred())
			authorizePayment(saving, "succeed")
			pm, err := sc.V1PaymentMethods.Retrieve(Ctx, saving.PaymentMethod.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pm.Customer.ID).To(Equal(cus.ID))
			later, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(700), Currency: stripe.String(currency), Customer: stripe.String(cus.ID),
				PaymentMethodTypes: []*string{stripe.String(typ)}, PaymentMethod: stripe.String(pm.ID),
				Confirm: stripe.Bool(true), OffSession: stripe.Bool(true),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(later.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))

			By("setting it up with a SetupIntent the customer authorizes, under a mandate")
			si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{
				Customer: stripe.String(cus.ID), PaymentMethodTypes: []*string{stripe.String(typ)},
				PaymentMethodData: &stripe.SetupIntentCreatePaymentMethodDataParams{Type: stripe.String(typ)},
				Confirm:           stripe.Bool(true), ReturnURL: stripe.String(returnURL),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(si.NextAction.Type).To(Equal(stripe.SetupIntentNextActionTypeRedirectToURL))
			page, err = url.Parse(si.NextAction.RedirectToURL.URL)
			Expect(err).NotTo(HaveOccurred())
			Expect(authorize(page.Path, "succeed")["status"]).To(Equal("succeeded"))
			set, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, &stripe.SetupIntentRetrieveParams{
				Params: stripe.Params{Expand: []*string{stripe.String("mandate")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(string(set.Mandate.PaymentMethodDetails.Type)).To(Equal(typ))
			Expect(set.Mandate.Type).To(Equal(stripe.MandateTypeMultiUse))
		},
		Entry("Revolut Pay in pounds", "revolut_pay", "gbp", "usd", func(d *stripe.ChargePaymentMethodDetails) (string, bool) {
			return d.RevolutPay.TransactionID, d.RevolutPay.Funding != nil
		}),
		Entry("Amazon Pay in dollars", "amazon_pay", "usd", "mxn", func(d *stripe.ChargePaymentMethodDetails) (string, bool) {
			return d.AmazonPay.TransactionID, d.AmazonPay.Funding != nil
		}),
	)

	Describe("Alipay", func() {
		It("sends the customer on with alipay_handle_redirect to the test page, and is paid once they authorize", func() {
			mark := len(emu.EventTypes(""))
			pi, err := pay("alipay", "usd", nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.requires_action"}))
			Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionTypeAlipayHandleRedirect))
			ah := pi.NextAction.AlipayHandleRedirect
			Expect(ah.ReturnURL).To(Equal(returnURL))
			Expect(ah.NativeURL).To(BeEmpty())
			Expect(ah.NativeData).To(BeEmpty())
			page, err := url.Parse(ah.URL)
			Expect(err).NotTo(HaveOccurred())
			Expect(page.Path).To(Equal("/v1/test_helpers/payment_intents/" + pi.ID + "/authenticate"))

			status, body, location, _ := get(ah.URL + "?outcome=succeed")
			Expect(status).To(Equal(http.StatusSeeOther), body)
			back, err := url.Parse(location)
			Expect(err).NotTo(HaveOccurred())
			Expect(back.Query().Get("payment_intent")).To(Equal(pi.ID))
			Expect(back.Query().Get("redirect_status")).To(Equal("succeeded"))
			done := withCharge(pi.ID)
			Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			d := done.LatestCharge.PaymentMethodDetails.Alipay
			Expect(d.BuyerID).To(HavePrefix("2088"))
			Expect(d.Fingerprint).NotTo(BeEmpty())
			Expect(d.TransactionID).NotTo(BeEmpty())

			re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(re.Status).To(Equal(stripe.RefundStatusSucceeded))
			Expect(re.DestinationDetails.Type).To(Equal("alipay"))
			Expect(re.DestinationDetails.Alipay).NotTo(BeNil())
		})

		It("fails when the customer declines", func() {
			pi, err := pay("alipay", "eur", nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(authorizePayment(pi, "fail")["status"]).To(Equal("requires_payment_method"))
			Expect(retrieveIntent(sc, pi.ID).LastPaymentError.Code).To(Equal(stripe.ErrorCodePaymentIntentAuthenticationFailure))
		})

		It("refuses what Alipay cannot do: another currency, manual capture, saving, no return_url, SetupIntents", func() {
			_, err := pay("alipay", "mxn", nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
			_, err = pay("alipay", "usd", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
			ExpectStripeError(err, 400, "invalid_request_error", "", "capture_method")
			Expect(StripeErr(err).Msg).To(Equal("The payment method type alipay does not support `capture_method=manual`."))
			_, err = pay("alipay", "usd", func(p *stripe.PaymentIntentCreateParams) { p.SetupFutureUsage = stripe.String("off_session") })
			ExpectStripeError(err, 400, "invalid_request_error", "", "setup_future_usage")
			Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate `setup_future_usage` with the payment method type alipay"))
			_, err = pay("alipay", "usd", func(p *stripe.PaymentIntentCreateParams) { p.ReturnURL = nil })
			ExpectStripeError(err, 400, "invalid_request_error", "", "return_url")
			_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("alipay")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
			Expect(emu.Count("", "payment_intent")).To(BeZero())
			Expect(emu.Count("", "setup_intent")).To(BeZero())
		})
	})

	Describe("WeChat Pay", func() {
		web := func(p *stripe.PaymentIntentCreateParams) {
			p.ReturnURL = nil // a QR code needs no return
			p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{
				WeChatPay: &stripe.PaymentIntentCreatePaymentMethodOptionsWeChatPayParams{Client: stripe.String("web")}}
		}

		It("shows a QR code leading to the test page for the web client, and is paid once the customer authorizes", func() {
			mark := len(emu.EventTypes(""))
			pi, err := pay("wechat_pay", "usd", web)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.requires_action"}))
			Expect(pi.PaymentMethodOptions.WeChatPay.Client).To(BeEquivalentTo("web"))
			Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionType("wechat_pay_display_qr_code")))
			qr := pi.NextAction.WeChatPayDisplayQRCode
			page, err := url.Parse(qr.HostedInstructionsURL)
			Expect(err).NotTo(HaveOccurred())
			Expect(page.Path).To(Equal("/v1/test_helpers/payment_intents/" + pi.ID + "/authenticate"))
			Expect(qr.Data).To(Equal(qr.HostedInstructionsURL))
			Expect(qr.ImageDataURL).To(HavePrefix("data:image/png;base64,"))
			status, body, _, ctype := get(qr.ImageURLPNG)
			Expect(status).To(Equal(200), body)
			Expect(ctype).To(Equal("image/png"))
			status, _, _, ctype = get(qr.ImageURLSVG)
			Expect(status).To(Equal(200))
			Expect(ctype).To(Equal("image/svg+xml"))

			status, body, _, _ = get(qr.HostedInstructionsURL + "?outcome=succeed")
			Expect(status).To(Equal(200), "no return_url to go back to: the page says how it ended")
			Expect(body).To(ContainSubstring("succeeded"))
			done := withCharge(pi.ID)
			Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			d := done.LatestCharge.PaymentMethodDetails.WeChatPay
			Expect(d.Fingerprint).NotTo(BeEmpty())
			Expect(d.TransactionID).NotTo(BeEmpty())

			re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1000)})
			Expect(err).NotTo(HaveOccurred())
			Expect(re.Amount).To(Equal(int64(1000)))
			Expect(re.DestinationDetails.Type).To(Equal("wechat_pay"))
			Expect(re.DestinationDetails.WeChatPay).NotTo(BeNil())
		})

		It("needs payment_method_options[wechat_pay][client], and emulates only the web client", func() {
			_, err := pay("wechat_pay", "usd", func(p *stripe.PaymentIntentCreateParams) { p.ReturnURL = nil })
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "payment_method_options[wechat_pay][client]")
			_, err = pay("wechat_pay", "usd", func(p *stripe.PaymentIntentCreateParams) {
				web(p)
				p.PaymentMethodOptions.WeChatPay.Client = stripe.String("ios")
				p.PaymentMethodOptions.WeChatPay.AppID = stripe.String("wx123")
			})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_options[wechat_pay][client]")
			Expect(StripeErr(err).Msg).To(ContainSubstring("does not emulate WeChat Pay in an ios app"))
			_, err = pay("wechat_pay", "mxn", web)
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
			_, err = pay("wechat_pay", "usd", func(p *stripe.PaymentIntentCreateParams) { web(p); p.CaptureMethod = stripe.String("manual") })
			ExpectStripeError(err, 400, "invalid_request_error", "", "capture_method")
			Expect(emu.Count("", "payment_intent")).To(BeZero())
		})

		It("fails when the customer declines", func() {
			pi, err := pay("wechat_pay", "eur", web)
			Expect(err).NotTo(HaveOccurred())
			Expect(authorizePayment(pi, "fail")["status"]).To(Equal("requires_payment_method"))
		})
	})

	It("shows Swish's order reference on the intent, as its guide's example does", func() {
		pi, err := pay("swish", "sek", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{
				Swish: &stripe.PaymentIntentCreatePaymentMethodOptionsSwishParams{Reference: stripe.String("Order-123")}}
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.PaymentMethodOptions.Swish.Reference).To(Equal("Order-123"))
	})

	Describe("Pix", func() {
		pix := func(opts *stripe.PaymentIntentCreatePaymentMethodOptionsPixParams) (*stripe.PaymentIntent, error) {
			return pay("pix", "brl", func(p *stripe.PaymentIntentCreateParams) {
				p.ReturnURL = nil
				p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Pix: opts}
			})
		}

		It("expires unpaid once payment_method_options[pix][expires_after_seconds] have passed since confirmation", func() {
			pi, err := pix(&stripe.PaymentIntentCreatePaymentMethodOptionsPixParams{ExpiresAfterSeconds: stripe.Int64(600)})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.PaymentMethodOptions.Pix.ExpiresAfterSeconds).To(Equal(int64(600)))
			Expect(pi.NextAction.PixDisplayQRCode.ExpiresAt).To(Equal(emu.Clock().Now().Unix() + 600))
			emu.Clock().Advance(599 * time.Second)
			Expect(retrieveIntent(sc, pi.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
			mark := len(emu.EventTypes(""))
			emu.Clock().Advance(2 * time.Second)
			expired := retrieveIntent(sc, pi.ID)
			Expect(expired.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
			Expect(expired.NextAction).To(BeNil())
			Expect(expired.LastPaymentError.Code).To(Equal(stripe.ErrorCode("payment_intent_payment_attempt_expired")))
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.payment_failed"}))
		})

		It("expires at payment_method_options[pix][expires_at] when set", func() {
			at := emu.Clock().Now().Unix() + 3600
			pi, err := pix(&stripe.PaymentIntentCreatePaymentMethodOptionsPixParams{ExpiresAt: stripe.Int64(at)})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.NextAction.PixDisplayQRCode.ExpiresAt).To(Equal(at))
			emu.Clock().Advance(time.Hour + time.Second)
			Expect(retrieveIntent(sc, pi.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		})

		It("is not expired once paid", func() {
			pi, err := pix(&stripe.PaymentIntentCreatePaymentMethodOptionsPixParams{ExpiresAfterSeconds: stripe.Int64(60)})
			Expect(err).NotTo(HaveOccurred())
			Expect(authorizePayment(pi, "succeed")["status"]).To(Equal("succeeded"))
			emu.Clock().Advance(2 * time.Minute)
			Expect(retrieveIntent(sc, pi.ID).Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		})

		It("refuses an expiry outside 10 seconds to 14 days, making nothing", func() {
			for _, secs := range []int64{9, 1209601} {
				_, err := pix(&stripe.PaymentIntentCreatePaymentMethodOptionsPixParams{ExpiresAfterSeconds: stripe.Int64(secs)})
				ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_options[pix][expires_after_seconds]")
			}
			_, err := pix(&stripe.PaymentIntentCreatePaymentMethodOptionsPixParams{ExpiresAt: stripe.Int64(emu.Clock().Now().Unix() + 5)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_options[pix][expires_at]")
			_, err = pix(&stripe.PaymentIntentCreatePaymentMethodOptionsPixParams{
				ExpiresAfterSeconds: stripe.Int64(600), ExpiresAt: stripe.Int64(emu.Clock().Now().Unix() + 600)})
			ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "payment_method_options[pix][expires_after_seconds]")
			Expect(emu.Count("", "payment_intent")).To(BeZero())
		})
	})

	// BLIK (Poland, pln): the customer types the 6-digit code from their
	// bank's app into the payment form, confirmation sends it
	// (payment_method_options[blik][code]), and they approve the payment in
	// the app (next_action blik_authorize, nothing to show), within 60
	// seconds as Stripe's BLIK guide says.
	Describe("BLIK", func() {
		blik := func(code string, extra func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
			return pay("blik", "pln", func(p *stripe.PaymentIntentCreateParams) {
				p.ReturnURL = nil
				if code != "" {
					p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{
						BLIK: &stripe.PaymentIntentCreatePaymentMethodOptionsBLIKParams{Code: stripe.String(code)}}
				}
				if extra != nil {
					extra(p)
				}
			})
		}

		It("waits in requires_action (blik_authorize) for the customer's approval in their bank's app, then is paid and refunded", func() {
			mark := len(emu.EventTypes(""))
			pi, err := blik("777123", nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
			Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionType("blik_authorize")))
			Expect(pi.PaymentMethodOptions.BLIK).NotTo(BeNil(), "the code is not shown back")
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.requires_action"}))
			// The test page stands for the bank's app: no return_url to go
			// back to, it says how the payment ended.
			status, body, _, _ := get(emu.URL() + "/v1/test_helpers/payment_intents/" + pi.ID + "/authenticate?outcome=succeed")
			Expect(status).To(Equal(200), body)
			Expect(body).To(ContainSubstring("succeeded"))
			done := withCharge(pi.ID)
			Expect(string(done.LatestCharge.PaymentMethodDetails.Type)).To(Equal("blik"))
			Expect(done.LatestCharge.PaymentMethodDetails.BLIK.BuyerID).NotTo(BeEmpty())
			re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1000)})
			Expect(err).NotTo(HaveOccurred())
			Expect(re.Status).To(Equal(stripe.RefundStatusSucceeded))
			Expect(re.DestinationDetails.Type).To(Equal("blik"))
			Expect(re.DestinationDetails.BLIK.ReferenceStatus).To(Equal("pending"))
		})

		It("fails when the customer declines in the app", func() {
			pi, err := blik("777123", nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(authorizePayment(pi, "fail")["status"]).To(Equal("requires_payment_method"))
			Expect(retrieveIntent(sc, pi.ID).LastPaymentError.Code).To(Equal(stripe.ErrorCodePaymentIntentAuthenticationFailure))
		})

		withEmail := func(email string) func(*stripe.PaymentIntentCreateParams) {
			return func(p *stripe.PaymentIntentCreateParams) {
				p.PaymentMethodData.BillingDetails = &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{Email: stripe.String(email)}
			}
		}

		It("is approved within seconds when the test page does not decide and no failure email is given", func() {
			pi, err := blik("777123", nil)
			Expect(err).NotTo(HaveOccurred())
			emu.Clock().Advance(6 * time.Second)
			Expect(retrieveIntent(sc, pi.ID).Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		})

		It("is declined after 8 seconds, or times out after 60, as the guide's test emails say", func() {
			declined, err := blik("777123", withEmail("jan.customer_declined@example.com"))
			Expect(err).NotTo(HaveOccurred())
			timedOut, err := blik("777123", withEmail("customer_timeout@example.com"))
			Expect(err).NotTo(HaveOccurred())
			emu.Clock().Advance(7 * time.Second)
			Expect(retrieveIntent(sc, declined.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
			mark := len(emu.EventTypes(""))
			emu.Clock().Advance(2 * time.Second)
			d := retrieveIntent(sc, declined.ID)
			Expect(d.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
			Expect(d.NextAction).To(BeNil())
			Expect(d.LastPaymentError.Code).To(Equal(stripe.ErrorCode("payment_method_provider_decline")))
			Expect(d.LastPaymentError.Msg).To(Equal("The customer declined this payment."))
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.payment_failed"}))
			Expect(retrieveIntent(sc, timedOut.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
			emu.Clock().Advance(52 * time.Second)
			t := retrieveIntent(sc, timedOut.ID)
			Expect(t.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
			Expect(t.LastPaymentError.Code).To(Equal(stripe.ErrorCode("payment_method_provider_timeout")))
		})

		It("fails at confirmation a code the test email says is invalid or expired", func() {
			for _, email := range []string{"invalid_code@example.com", "x.expired_code@example.com"} {
				_, err := blik("777123", withEmail(email))
				ExpectStripeError(err, 400, "invalid_request_error", "payment_method_invalid_parameter", "payment_method_options[blik][code]")
				pi := StripeErr(err).PaymentIntent
				Expect(pi).NotTo(BeNil())
				failed := retrieveIntent(sc, pi.ID)
				Expect(failed.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
				Expect(failed.LastPaymentError.Code).To(Equal(stripe.ErrorCode("payment_method_invalid_parameter")))
			}
		})

		It("refuses a confirmation without a 6-digit code, a code sent before confirming, and what BLIK cannot do, making nothing", func() {
			const param = "payment_method_options[blik][code]"
			_, err := blik("", nil)
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", param)
			for _, code := range []string{"12345", "1234567", "12345a"} {
				_, err = blik(code, nil)
				ExpectStripeError(err, 400, "invalid_request_error", "", param)
			}
			_, err = blik("777123", func(p *stripe.PaymentIntentCreateParams) { p.Confirm = nil })
			ExpectStripeError(err, 400, "invalid_request_error", "", param)
			_, err = blik("777123", func(p *stripe.PaymentIntentCreateParams) { p.Currency = stripe.String("eur") })
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
			Expect(StripeErr(err).Msg).To(ContainSubstring("The payment method type blik only supports the following currencies: pln"))
			_, err = blik("777123", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
			ExpectStripeError(err, 400, "invalid_request_error", "", "capture_method")
			_, err = blik("777123", func(p *stripe.PaymentIntentCreateParams) { p.SetupFutureUsage = stripe.String("off_session") })
			ExpectStripeError(err, 400, "invalid_request_error", "", "setup_future_usage")
			Expect(emu.Count("", "payment_intent")).To(BeZero())
			_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("blik")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
			Expect(emu.Count("", "setup_intent")).To(BeZero())
		})

		It("takes the code on the confirmation of an intent made earlier", func() {
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2500), Currency: stripe.String("pln"),
				PaymentMethodTypes: []*string{stripe.String("blik")}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{PaymentMethodOptions: &stripe.PaymentIntentUpdatePaymentMethodOptionsParams{
				BLIK: &stripe.PaymentIntentUpdatePaymentMethodOptionsBLIKParams{Code: stripe.String("777123")}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_options[blik][code]")
			confirmed, err := sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{
				PaymentMethodData:    &stripe.PaymentIntentPaymentMethodDataParams{Type: stripe.String("blik")},
				PaymentMethodOptions: &stripe.PaymentIntentPaymentMethodOptionsParams{BLIK: &stripe.PaymentIntentPaymentMethodOptionsBLIKParams{Code: stripe.String("777123")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(confirmed.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		})
	})

	// redirected is the test page a redirect_to_url action leads to.
	redirected := func(pi *stripe.PaymentIntent) string {
		GinkgoHelper()
		Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionTypeRedirectToURL))
		Expect(pi.NextAction.RedirectToURL.ReturnURL).To(Equal(returnURL))
		return pi.NextAction.RedirectToURL.URL
	}
	noReturn := func(p *stripe.PaymentIntentCreateParams) { p.ReturnURL = nil }
	refundDestinations := map[string]func(*stripe.RefundDestinationDetails) bool{
		"grabpay": func(d *stripe.RefundDestinationDetails) bool { return d.Grabpay != nil },
		"paynow":  func(d *stripe.RefundDestinationDetails) bool { return d.PayNow != nil },
		"pix":     func(d *stripe.RefundDestinationDetails) bool { return d.Pix != nil },
		"swish": func(d *stripe.RefundDestinationDetails) bool {
			return d.Swish != nil && d.Swish.ReferenceStatus == "pending" && d.Swish.Reference == ""
		},
	}
	// The types paid by scanning a QR code alone, which need no return_url.
	qrOnly := map[string]bool{"paynow": true, "promptpay": true, "pix": true}

	// Wallets and real-time payments that pay once (Stripe's pages:
	// "Recurring payments: No"); MobilePay can hold funds. action checks
	// the next action and gives the test page it leads to.
	DescribeTable("single-use wallets lead to the test page, are paid, declined and refunded, and refuse what Stripe's pages say they cannot do",
		func(typ, currency, refused string, manual bool, action func(*stripe.PaymentIntent) string, details func(*stripe.ChargePaymentMethodDetails) bool) {
			qr := qrOnly[typ]
			opt := func(f func(*stripe.PaymentIntentCreateParams)) func(*stripe.PaymentIntentCreateParams) {
				return func(p *stripe.PaymentIntentCreateParams) {
					if qr {
						noReturn(p)
					}
					if f != nil {
						f(p)
					}
				}
			}
			mark := len(emu.EventTypes(""))
			pi, err := pay(typ, currency, opt(nil))
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.requires_action"}))
			pageURL := action(pi)
			page, err := url.Parse(pageURL)
			Expect(err).NotTo(HaveOccurred())
			Expect(page.Path).To(Equal("/v1/test_helpers/payment_intents/" + pi.ID + "/authenticate"))
			status, body, location, _ := get(pageURL + "?outcome=succeed")
			if qr {
				Expect(status).To(Equal(200), "no return_url to go back to: the page says how it ended")
				Expect(body).To(ContainSubstring("succeeded"))
			} else {
				Expect(status).To(Equal(http.StatusSeeOther), body)
				back, err := url.Parse(location)
				Expect(err).NotTo(HaveOccurred())
				Expect(back.Query().Get("redirect_status")).To(Equal("succeeded"))
			}
			done := withCharge(pi.ID)
			Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(string(done.PaymentMethod.Type)).To(Equal(typ))
			Expect(string(done.LatestCharge.PaymentMethodDetails.Type)).To(Equal(typ))
			Expect(details(done.LatestCharge.PaymentMethodDetails)).To(BeTrue())
			re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1000)})
			if typ == "promptpay" {
				// Stripe asks the customer by email where to send a PromptPay
				// refund: not emulated, so refused by name.
				ExpectStripeError(err, 400, "invalid_request_error", "", "charge")
				Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate refunding a PromptPay payment"))
				Expect(emu.Count("", "refund")).To(BeZero())
			} else {
				Expect(err).NotTo(HaveOccurred())
				Expect(re.Status).To(Equal(stripe.RefundStatusSucceeded))
				// Where the money goes back: a hash keyed by the type where
				// stripe-go v82.5.1's RefundDestinationDetails has one.
				if check, ok := refundDestinations[typ]; ok {
					Expect(re.DestinationDetails).NotTo(BeNil())
					Expect(re.DestinationDetails.Type).To(Equal(typ))
					Expect(check(re.DestinationDetails)).To(BeTrue())
				}
			}

			By("failing when the customer declines")
			declined, err := pay(typ, currency, opt(nil))
			Expect(err).NotTo(HaveOccurred())
			Expect(authorizePayment(declined, "fail")["status"]).To(Equal("requires_payment_method"))
			Expect(retrieveIntent(sc, declined.ID).LastPaymentError.Code).To(Equal(stripe.ErrorCodePaymentIntentAuthenticationFailure))

			if manual {
				By("holding the funds for a manual capture")
				held, err := pay(typ, currency, opt(func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") }))
				Expect(err).NotTo(HaveOccurred())
				Expect(authorizePayment(held, "succeed")["status"]).To(Equal("requires_capture"))
				captured, err := sc.V1PaymentIntents.Capture(Ctx, held.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(2000)})
				Expect(err).NotTo(HaveOccurred())
				Expect(captured.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
				Expect(captured.AmountReceived).To(Equal(int64(2000)))
				if typ == "mobilepay" {
					// Or by its own option, as Stripe's spec has it.
					own, err := pay(typ, currency, func(p *stripe.PaymentIntentCreateParams) {
						p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{
							Mobilepay: &stripe.PaymentIntentCreatePaymentMethodOptionsMobilepayParams{CaptureMethod: stripe.String("manual")}}
					})
					Expect(err).NotTo(HaveOccurred())
					Expect(authorizePayment(own, "succeed")["status"]).To(Equal("requires_capture"))
				}
			}

			By("refusing what it cannot do, making nothing")
			before := emu.Count("", "payment_intent")
			_, err = pay(typ, refused, opt(nil))
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
			Expect(StripeErr(err).Msg).To(ContainSubstring("The payment method type " + typ + " only supports the following currencies: "))
			if !manual {
				_, err = pay(typ, currency, opt(func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") }))
				ExpectStripeError(err, 400, "invalid_request_error", "", "capture_method")
				Expect(StripeErr(err).Msg).To(Equal("The payment method type " + typ + " does not support `capture_method=manual`."))
			}
			_, err = pay(typ, currency, opt(func(p *stripe.PaymentIntentCreateParams) { p.SetupFutureUsage = stripe.String("off_session") }))
			ExpectStripeError(err, 400, "invalid_request_error", "", "setup_future_usage")
			Expect(StripeErr(err).Msg).To(Equal("The payment method type " + typ + " does not support `setup_future_usage`: it cannot be saved for later payments."))
			if !qr {
				_, err = pay(typ, currency, noReturn)
				ExpectStripeError(err, 400, "invalid_request_error", "", "return_url")
			}
			Expect(emu.Count("", "payment_intent")).To(Equal(before))
			_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String(typ)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
			Expect(emu.Count("", "setup_intent")).To(BeZero())
		},
		Entry("GrabPay in Singapore dollars", "grabpay", "sgd", "usd", false, redirected, func(d *stripe.ChargePaymentMethodDetails) bool {
			return d.Grabpay != nil && d.Grabpay.TransactionID != ""
		}),
		Entry("MobilePay in Danish kroner, which can hold funds", "mobilepay", "dkk", "usd", true, redirected, func(d *stripe.ChargePaymentMethodDetails) bool {
			c := d.Mobilepay.Card
			return c != nil && c.Brand != "" && c.Country == "DK" && len(c.Last4) == 4 && c.ExpYear > 2000
		}),
		Entry("TWINT in Swiss francs", "twint", "chf", "eur", false, redirected, func(d *stripe.ChargePaymentMethodDetails) bool {
			return d.TWINT != nil // {}: Stripe's charge shows nothing more of a TWINT payment
		}),
		Entry("Swish in Swedish kronor, by QR code or the app", "swish", "sek", "eur", false, func(pi *stripe.PaymentIntent) string {
			Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionType("swish_handle_redirect_or_display_qr_code")))
			sw := pi.NextAction.SwishHandleRedirectOrDisplayQRCode
			Expect(sw.MobileAuthURL).To(Equal(sw.HostedInstructionsURL))
			Expect(sw.QRCode.Data).To(Equal(sw.HostedInstructionsURL))
			status, body, _, ctype := get(sw.QRCode.ImageURLPNG)
			Expect(status).To(Equal(200), body)
			Expect(ctype).To(Equal("image/png"))
			status, _, _, ctype = get(sw.QRCode.ImageURLSVG)
			Expect(status).To(Equal(200))
			Expect(ctype).To(Equal("image/svg+xml"))
			return sw.HostedInstructionsURL
		}, func(d *stripe.ChargePaymentMethodDetails) bool {
			return d.Swish != nil && d.Swish.Fingerprint != "" && d.Swish.PaymentReference != "" && len(d.Swish.VerifiedPhoneLast4) == 4
		}),
		Entry("PayNow in Singapore dollars, by QR code", "paynow", "sgd", "usd", false, func(pi *stripe.PaymentIntent) string {
			Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionType("paynow_display_qr_code")))
			qr := pi.NextAction.PayNowDisplayQRCode
			status, _, _, ctype := get(qr.ImageURLSVG)
			Expect(status).To(Equal(200))
			Expect(ctype).To(Equal("image/svg+xml"))
			return qrShown(qr.Data, qr.HostedInstructionsURL, qr.ImageURLPNG)
		}, func(d *stripe.ChargePaymentMethodDetails) bool {
			return d.PayNow != nil && d.PayNow.Reference != ""
		}),
		Entry("PromptPay in Thai baht, by QR code", "promptpay", "thb", "usd", false, func(pi *stripe.PaymentIntent) string {
			Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionType("promptpay_display_qr_code")))
			qr := pi.NextAction.PromptPayDisplayQRCode
			return qrShown(qr.Data, qr.HostedInstructionsURL, qr.ImageURLPNG)
		}, func(d *stripe.ChargePaymentMethodDetails) bool {
			return d.PromptPay != nil && d.PromptPay.Reference != ""
		}),
		Entry("Pix in Brazilian reais, by QR code", "pix", "brl", "usd", false, func(pi *stripe.PaymentIntent) string {
			Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionType("pix_display_qr_code")))
			qr := pi.NextAction.PixDisplayQRCode
			Expect(qr.ExpiresAt).To(Equal(emu.Clock().Now().Unix()+86400), "a day unless expires_after_seconds says otherwise")
			return qrShown(qr.Data, qr.HostedInstructionsURL, qr.ImageURLPNG)
		}, func(d *stripe.ChargePaymentMethodDetails) bool {
			return d.Pix != nil && d.Pix.BankTransactionID != ""
		}),
	)
})
