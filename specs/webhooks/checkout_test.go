package webhooks_test

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

var _ = Describe("Checkout", Label("checkout", "story-4"), func() {
	var (
		emu   *emulator.Emulator
		sc    *stripe.Client
		rcv   *receiver
		price *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		rcv = newReceiver()
		_, secret, err := emu.Webhooks().Listen(rcv.Srv.URL, "checkout.session.*", "payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.processing")
		Expect(err).NotTo(HaveOccurred())
		rcv.Secret = secret
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Concert ticket"),
			DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(4500)}})
		Expect(err).NotTo(HaveOccurred())
		price, err = sc.V1Prices.Retrieve(Ctx, prod.DefaultPrice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
	})

	session := func() *stripe.CheckoutSession {
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems:         []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(2)}},
			ClientReferenceID: stripe.String("order-1"),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.ID).To(HavePrefix("cs_test_"))
		Expect(s.Status).To(Equal(stripe.CheckoutSessionStatusOpen))
		Expect(s.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusUnpaid))
		Expect(s.AmountTotal).To(Equal(int64(9000)))
		Expect(s.URL).To(HavePrefix(emu.URL()))
		Expect(s.PaymentIntent).To(BeNil(), "no PaymentIntent before the customer confirms")
		return s
	}
	// usdSession is a session of one ticket in dollars, which ACH debits.
	usdSession := func() *stripe.CheckoutSession {
		usd, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(price.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(4500)})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(usd.ID), Quantity: stripe.Int64(1)}},
		})
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	complete := func(id, pm string) map[string]any {
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+id+"/complete", url.Values{"payment_method": {pm}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		return body
	}
	delivered := func() []string {
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		return rcv.Types()
	}
	sessionFromEvent := func(i int) *stripe.CheckoutSession {
		ev := rcv.All()[i]
		var s stripe.CheckoutSession
		Expect(s.UnmarshalJSON(ev.Data.Raw)).To(Succeed())
		return &s
	}

	It("completes a card session paid, after the payment succeeded", func() {
		s := session()
		body := complete(s.ID, "pm_card_visa")
		Expect(body["payment_status"]).To(Equal("paid"))
		Expect(delivered()).To(Equal([]string{"payment_intent.succeeded", "checkout.session.completed"}))
		Expect(sessionFromEvent(1).PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusPaid))
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.CheckoutSessionStatusComplete))
		Expect(got.PaymentIntent.ID).To(HavePrefix("pi_"))

		n := 0
		for li, err := range sc.V1CheckoutSessions.ListLineItems(Ctx, &stripe.CheckoutSessionListLineItemsParams{Session: stripe.String(s.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(li.Quantity).To(Equal(int64(2)))
			n++
		}
		Expect(n).To(Equal(1))
	})

	It("names no request of the merchant's in the events of a completion, which is the customer's on Stripe's page", func() {
		s := session()
		emu.Clock().Advance(time.Minute) // apart from the merchant's setup
		paid := emu.Clock().Now().Unix()
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_card_visa"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		Expect(delivered()).To(Equal([]string{"payment_intent.succeeded", "checkout.session.completed"}))
		succeeded, completed := rcv.All()[0], rcv.All()[1]
		// As in Stripe's own: the payment's events carry the page's
		// idempotency key, the completion neither request nor key.
		Expect(succeeded.Request.ID).To(BeEmpty())
		Expect(succeeded.Request.IdempotencyKey).To(MatchRegexp(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`))
		Expect(completed.Request.ID).To(BeEmpty())
		Expect(completed.Request.IdempotencyKey).To(BeEmpty())
		var payment []string
		for ev, err := range sc.V1Events.List(Ctx, &stripe.EventListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: paid}}) {
			Expect(err).NotTo(HaveOccurred())
			if ev.Type == "checkout.session.completed" || ev.Type == "charge.updated" {
				// Stripe's own work: neither request nor key.
				Expect(ev.Request.ID).To(BeEmpty(), string(ev.Type))
				Expect(ev.Request.IdempotencyKey).To(BeEmpty(), string(ev.Type))
				continue
			}
			Expect(ev.Request.ID).To(BeEmpty(), string(ev.Type))
			Expect(ev.Request.IdempotencyKey).To(Equal(succeeded.Request.IdempotencyKey), string(ev.Type))
			payment = append(payment, string(ev.Type))
		}
		Expect(payment).To(ContainElements("payment_intent.created", "charge.succeeded", "payment_intent.succeeded"))

		By("leaving the merchant's own requests named")
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		for ev, err := range sc.V1Events.List(Ctx, &stripe.EventListParams{Type: stripe.String("customer.created")}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(ev.Request.ID).To(HavePrefix("req_"))
			Expect(ev.Request.IdempotencyKey).NotTo(BeEmpty(), "stripe-go sends one on every POST")
			break
		}
	})

	It("completes a SEPA session unpaid first, then reports the payment that arrives later", func() {
		s := session()
		body := complete(s.ID, "pm_sepa_debit")
		Expect(body["status"]).To(Equal("complete"))
		Expect(body["payment_status"]).To(Equal("unpaid"), "completed is not paid")
		Expect(delivered()).To(Equal([]string{"payment_intent.processing", "checkout.session.completed"}))
		Expect(sessionFromEvent(1).PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusUnpaid))

		emu.Clock().Advance(5 * time.Minute)
		Expect(delivered()).To(Equal([]string{"payment_intent.processing", "checkout.session.completed", "payment_intent.succeeded", "checkout.session.async_payment_succeeded"}))
		got, _ := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusPaid))
	})

	It("completes a SEPA session unpaid, then reports the failure", func() {
		s := session()
		complete(s.ID, "pm_sepa_debit_fail")
		emu.Clock().Advance(5 * time.Minute)
		Expect(delivered()).To(Equal([]string{"payment_intent.processing", "checkout.session.completed", "payment_intent.payment_failed", "checkout.session.async_payment_failed"}))
		got, _ := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusUnpaid))
	})

	It("completes an ACH session unpaid while the microdeposits wait, then debits once they are verified", func() {
		s := usdSession()
		body := complete(s.ID, "pm_usBankAccount_success")
		Expect(body["status"]).To(Equal("complete"))
		Expect(body["payment_status"]).To(Equal("unpaid"), "no bank debit succeeds at once")
		Expect(delivered()).To(Equal([]string{"checkout.session.completed"}))
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionTypeVerifyWithMicrodeposits))

		pi, err = sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, &stripe.PaymentIntentVerifyMicrodepositsParams{Amounts: []*int64{stripe.Int64(32), stripe.Int64(45)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		emu.Clock().Advance(5 * time.Minute)
		Expect(delivered()).To(Equal([]string{"checkout.session.completed", "payment_intent.processing", "payment_intent.succeeded", "checkout.session.async_payment_succeeded"}))
		got, _ := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusPaid))
	})

	It("reports an ACH session's failed microdeposit verification as its async payment failing", func() {
		s := usdSession()
		body := complete(s.ID, "pm_usBankAccount_success")
		// Stripe's test amounts for a customer out of attempts.
		_, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, body["payment_intent"].(string), &stripe.PaymentIntentVerifyMicrodepositsParams{Amounts: []*int64{stripe.Int64(10), stripe.Int64(11)}})
		Expect(err).To(HaveOccurred())
		Expect(delivered()).To(Equal([]string{"checkout.session.completed", "payment_intent.payment_failed", "checkout.session.async_payment_failed"}))
		failed := sessionFromEvent(2)
		Expect(failed.Status).To(Equal(stripe.CheckoutSessionStatusComplete))
		Expect(failed.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusUnpaid))
	})

	It("keeps the session open when the card declines", func() {
		s := session()
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_card_chargeDeclined"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(402))
		Expect(body["error"].(map[string]any)["code"]).To(Equal("card_declined"))
		got, _ := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(got.Status).To(Equal(stripe.CheckoutSessionStatusOpen))
		complete(s.ID, "pm_card_visa")
	})

	It("expires open sessions when the clock passes expires_at", func() {
		s := session()
		emu.Clock().Advance(23 * time.Hour)
		Expect(delivered()).To(BeEmpty())
		emu.Clock().Advance(2 * time.Hour)
		Expect(delivered()).To(Equal([]string{"checkout.session.expired"}))
		got, _ := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(got.Status).To(Equal(stripe.CheckoutSessionStatusExpired))
	})

	It("refuses recurring prices in payment mode and inactive prices", func() {
		rec, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(price.Product.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(100), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(rec.ID), Quantity: stripe.Int64(1)}}})
		Expect(StripeErr(err).Param).To(Equal("line_items[0][price]"))
	})

	It("makes line items' prices and products inline with what price_data and product_data describe", func() {
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://x.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{
				Quantity: stripe.Int64(3),
				AdjustableQuantity: &stripe.CheckoutSessionCreateLineItemAdjustableQuantityParams{Enabled: stripe.Bool(true),
					Minimum: stripe.Int64(1), Maximum: stripe.Int64(10)},
				PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(1200),
					TaxBehavior: stripe.String("inclusive"),
					ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Backstage pass"),
						Description: stripe.String("Meet the band"), Images: []*string{stripe.String("https://shop.example/pass.png")},
						Metadata: map[string]string{"sku": "pass-1"}, TaxCode: stripe.String("txcd_99999999")}},
			}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.AmountTotal).To(Equal(int64(3600)))
		var items []*stripe.LineItem
		for li, err := range sc.V1CheckoutSessions.ListLineItems(Ctx, &stripe.CheckoutSessionListLineItemsParams{Session: stripe.String(s.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			items = append(items, li)
		}
		Expect(items).To(HaveLen(1))
		Expect(items[0].Quantity).To(Equal(int64(3)))
		Expect(items[0].Price.TaxBehavior).To(Equal(stripe.PriceTaxBehaviorInclusive))
		prod, err := sc.V1Products.Retrieve(Ctx, items[0].Price.Product.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(prod.Name).To(Equal("Backstage pass"))
		Expect(prod.Description).To(Equal("Meet the band"))
		Expect(prod.Images).To(Equal([]string{"https://shop.example/pass.png"}))
		Expect(prod.Metadata).To(Equal(map[string]string{"sku": "pass-1"}))
		Expect(prod.TaxCode.ID).To(Equal("txcd_99999999"))

		By("refusing tax rates on a line item, naming it in full")
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://x.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1),
				DynamicTaxRates: []*string{stripe.String("txr_vat")}}}})
		Expect(StripeErr(err).Param).To(Equal("line_items[0][dynamic_tax_rates]"))
	})

	It("creates the subscription and its first invoice in subscription mode", func() {
		rec, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(price.Product.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(900), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://x.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(rec.ID), Quantity: stripe.Int64(1)}}})
		Expect(err).NotTo(HaveOccurred())
		body := complete(s.ID, "pm_card_visa")
		Expect(body["payment_status"]).To(Equal("paid"))
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, body["subscription"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(body["customer"]).To(Equal(sub.Customer.ID))
	})

	It("adds line items' exclusive tax rates to what the customer pays, and shows inclusive ones inside it", func() {
		taxRate := func(name string, pct float64, inclusive bool) *stripe.TaxRate {
			r, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String(name), Percentage: stripe.Float64(pct), Inclusive: stripe.Bool(inclusive)})
			Expect(err).NotTo(HaveOccurred())
			return r
		}
		vat, included := taxRate("VAT", 19, false), taxRate("VAT incl.", 19, true)
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://x.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{
				{Price: stripe.String(price.ID), Quantity: stripe.Int64(2), TaxRates: []*string{stripe.String(vat.ID)}},
				{PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(1190),
					ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Poster")}},
					Quantity: stripe.Int64(1), TaxRates: []*string{stripe.String(included.ID)}},
			}})
		Expect(err).NotTo(HaveOccurred())
		// 19% on top of 90.00 is 17.10; 19% inside 11.90 is 1.90.
		Expect(s.AmountSubtotal).To(Equal(int64(9000 + 1190)))
		Expect(s.AmountTotal).To(Equal(int64(9000 + 1710 + 1190)))
		Expect(s.TotalDetails.AmountTax).To(Equal(int64(1710 + 190)))

		lp := &stripe.CheckoutSessionListLineItemsParams{Session: stripe.String(s.ID)}
		lp.AddExpand("data.taxes")
		var items []*stripe.LineItem
		for li, err := range sc.V1CheckoutSessions.ListLineItems(Ctx, lp) {
			Expect(err).NotTo(HaveOccurred())
			items = append(items, li)
		}
		Expect(items).To(HaveLen(2))
		Expect([]int64{items[0].AmountSubtotal, items[0].AmountTax, items[0].AmountTotal}).To(Equal([]int64{9000, 1710, 10710}))
		Expect([]int64{items[1].AmountSubtotal, items[1].AmountTax, items[1].AmountTotal}).To(Equal([]int64{1190, 190, 1190}))
		Expect(items[0].Taxes).To(HaveLen(1))
		Expect(items[0].Taxes[0].Rate.ID).To(Equal(vat.ID))
		Expect(items[0].Taxes[0].Rate.Percentage).To(Equal(19.0))
		Expect([]int64{items[0].Taxes[0].Amount, items[0].Taxes[0].TaxableAmount}).To(Equal([]int64{1710, 9000}))
		Expect([]int64{items[1].Taxes[0].Amount, items[1].Taxes[0].TaxableAmount}).To(Equal([]int64{190, 1000}))
		for li, err := range sc.V1CheckoutSessions.ListLineItems(Ctx, &stripe.CheckoutSessionListLineItemsParams{Session: stripe.String(s.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(li.Taxes).To(BeNil(), "taxes are only sent when expanded")
		}

		body := complete(s.ID, "pm_card_visa")
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Amount).To(Equal(int64(11900)))
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))

		By("refusing an archived rate by its full name")
		_, err = sc.V1TaxRates.Update(Ctx, vat.ID, &stripe.TaxRateUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://x.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1), TaxRates: []*string{stripe.String(vat.ID)}}}})
		Expect(StripeErr(err).Param).To(Equal("line_items[0][tax_rates][0]"))
	})

	It("hands line items' tax rates and subscription_data's default_tax_rates to the subscription it creates", func() {
		mk := func(amount int64) *stripe.Price {
			p, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(price.Product.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(amount),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
			Expect(err).NotTo(HaveOccurred())
			return p
		}
		ten, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("GST"), Percentage: stripe.Float64(10), Inclusive: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		twenty, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(20), Inclusive: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://x.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{
				{Price: stripe.String(mk(900).ID), Quantity: stripe.Int64(1)},
				{Price: stripe.String(mk(100).ID), Quantity: stripe.Int64(1), TaxRates: []*string{stripe.String(twenty.ID)}},
			},
			SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{DefaultTaxRates: []*string{stripe.String(ten.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.AmountTotal).To(Equal(int64(1000 + 90 + 20)))
		Expect(s.TotalDetails.AmountTax).To(Equal(int64(110)))

		// Archived after the session showed it: the rate still applies.
		_, err = sc.V1TaxRates.Update(Ctx, twenty.ID, &stripe.TaxRateUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		body := complete(s.ID, "pm_card_visa")
		Expect(body["payment_status"]).To(Equal("paid"))
		gp := &stripe.SubscriptionRetrieveParams{}
		gp.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, body["subscription"].(string), gp)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.DefaultTaxRates).To(HaveLen(1))
		Expect(sub.DefaultTaxRates[0].ID).To(Equal(ten.ID))
		Expect(sub.Items.Data[0].TaxRates).To(BeEmpty())
		Expect(sub.Items.Data[1].TaxRates[0].ID).To(Equal(twenty.ID))
		Expect(sub.LatestInvoice.Total).To(Equal(int64(1110)))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1110)))
	})

	It("carries payment_intent_data over to the PaymentIntent it creates", func() {
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{
				Metadata:      map[string]string{"order_id": "42"},
				Description:   stripe.String("Order 42"),
				CaptureMethod: stripe.String("manual"),
			},
		})
		Expect(err).NotTo(HaveOccurred())
		body := complete(s.ID, "pm_card_visa")
		Expect(body["payment_status"]).To(Equal("unpaid"), "an authorized, uncaptured payment is not money arrived")
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Metadata).To(Equal(map[string]string{"order_id": "42"}))
		Expect(pi.Description).To(Equal("Order 42"))
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
		Expect(pi.AmountCapturable).To(Equal(int64(4500)))
	})

	It("saves a card in setup mode through a SetupIntent that later pays off-session", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("save@example.com")})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), Currency: stripe.String("eur"),
			Customer: stripe.String(cus.ID), SuccessURL: stripe.String("https://x.example/ok"),
			SetupIntentData: &stripe.CheckoutSessionCreateSetupIntentDataParams{Description: stripe.String("Card on file"), Metadata: map[string]string{"plan": "later"}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.AmountTotal).To(BeZero())
		body := complete(s.ID, "pm_card_authenticationRequiredOnSetup")
		Expect(body["payment_status"]).To(Equal("no_payment_required"))
		si, err := sc.V1SetupIntents.Retrieve(Ctx, body["setup_intent"].(string), &stripe.SetupIntentRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("latest_attempt")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
		Expect(si.Customer.ID).To(Equal(cus.ID))
		Expect(si.Description).To(Equal("Card on file"))
		Expect(si.Metadata).To(Equal(map[string]string{"plan": "later"}))
		Expect(si.LatestAttempt).NotTo(BeNil(), "every confirmation makes an attempt")
		Expect(si.LatestAttempt.Status).To(Equal(stripe.SetupAttemptStatusSucceeded))
		Expect(si.LatestAttempt.PaymentMethod.ID).To(Equal(si.PaymentMethod.ID))

		var types []string
		for _, ev := range emu.Events("") {
			if t := ev["type"].(string); t != "customer.created" {
				types = append(types, t)
			}
		}
		Expect(types).To(ContainElements("setup_intent.created", "payment_method.attached", "setup_intent.succeeded", "checkout.session.completed"))

		By("the card set up on the session pays off-session without asking the customer again")
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"), Amount: stripe.Int64(1200), Currency: stripe.String("eur"),
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(si.PaymentMethod.ID), OffSession: stripe.Bool(true), Confirm: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})

	It("starts a subscription with subscription_data's trial and metadata, nothing due today", func() {
		rec, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(price.Product.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(900), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://x.example/ok"),
			LineItems:        []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(rec.ID), Quantity: stripe.Int64(1)}},
			SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(14), Metadata: map[string]string{"plan": "pro"}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.AmountTotal).To(BeZero())
		body := complete(s.ID, "pm_card_visa")
		Expect(body["payment_status"]).To(Equal("no_payment_required"))
		Expect(delivered()).To(Equal([]string{"checkout.session.completed"}))
		Expect(sessionFromEvent(0).PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusNoPaymentRequired))
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, body["subscription"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(sub.Metadata).To(Equal(map[string]string{"plan": "pro"}))
		Expect(sub.TrialEnd - sub.TrialStart).To(Equal(int64(14 * 86400)))
	})

	Describe("post-payment invoices (invoice_creation)", func() {
		var inv *receiver
		BeforeEach(func() {
			inv = newReceiver()
			_, secret, err := emu.Webhooks().Listen(inv.Srv.URL, "invoice.*", "invoice_payment.paid", "invoiceitem.created", "checkout.session.completed", "checkout.session.async_payment_succeeded")
			Expect(err).NotTo(HaveOccurred())
			inv.Secret = secret
		})
		invoicing := func() *stripe.CheckoutSession {
			vat, err := sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Type: stripe.String("eu_vat"), Value: stripe.String("DE123456789")})
			Expect(err).NotTo(HaveOccurred())
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(2)}},
				InvoiceCreation: &stripe.CheckoutSessionCreateInvoiceCreationParams{Enabled: stripe.Bool(true),
					InvoiceData: &stripe.CheckoutSessionCreateInvoiceCreationInvoiceDataParams{
						AccountTaxIDs: []*string{stripe.String(vat.ID)},
						CustomFields:  []*stripe.CheckoutSessionCreateInvoiceCreationInvoiceDataCustomFieldParams{{Name: stripe.String("PO"), Value: stripe.String("PO-42")}},
						Description:   stripe.String("Two concert tickets"), Footer: stripe.String("Thank you"),
						Metadata:         map[string]string{"order": "o-1"},
						RenderingOptions: &stripe.CheckoutSessionCreateInvoiceCreationInvoiceDataRenderingOptionsParams{AmountTaxDisplay: stripe.String("exclude_tax")},
					}},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(s.InvoiceCreation.Enabled).To(BeTrue())
			d := s.InvoiceCreation.InvoiceData
			Expect(d.AccountTaxIDs).To(HaveLen(1))
			Expect(d.AccountTaxIDs[0].ID).To(Equal(vat.ID))
			Expect(d.CustomFields[0].Name).To(Equal("PO"))
			Expect(d.Description).To(Equal("Two concert tickets"))
			Expect(d.Footer).To(Equal("Thank you"))
			Expect(d.Metadata).To(Equal(map[string]string{"order": "o-1"}))
			Expect(d.RenderingOptions.AmountTaxDisplay).To(Equal("exclude_tax"))
			Expect(s.CustomerCreation).To(Equal(stripe.CheckoutSessionCustomerCreationIfRequired))
			Expect(s.Invoice).To(BeNil())
			return s
		}
		checkInvoice := func(s *stripe.CheckoutSession) *stripe.Invoice {
			Expect(s.Invoice).NotTo(BeNil())
			Expect(s.Customer).NotTo(BeNil(), "a post-payment invoice needs a customer: one is made")
			got, err := sc.V1Invoices.Retrieve(Ctx, s.Invoice.ID, &stripe.InvoiceRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("payments")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(got.Customer.ID).To(Equal(s.Customer.ID))
			Expect(got.Currency).To(Equal(stripe.CurrencyEUR))
			Expect(got.Total).To(Equal(int64(9000)))
			Expect(got.AmountPaid).To(Equal(int64(9000)))
			Expect(got.AmountRemaining).To(BeZero())
			Expect(got.Number).NotTo(BeEmpty())
			Expect(got.Lines.Data).To(HaveLen(1))
			line := got.Lines.Data[0]
			Expect(line.Quantity).To(Equal(int64(2)))
			Expect(line.Amount).To(Equal(int64(9000)))
			Expect(line.Description).To(Equal("Concert ticket"))
			Expect(line.Pricing.PriceDetails.Price).To(Equal(price.ID))
			Expect(got.Description).To(Equal("Two concert tickets"))
			Expect(got.Footer).To(Equal("Thank you"))
			Expect(got.CustomFields).To(HaveLen(1))
			Expect(got.CustomFields[0].Value).To(Equal("PO-42"))
			Expect(got.Metadata).To(Equal(map[string]string{"order": "o-1"}))
			Expect(got.AccountTaxIDs).To(HaveLen(1))
			Expect(got.Rendering.AmountTaxDisplay).To(Equal("exclude_tax"))
			Expect(got.Payments.Data).To(HaveLen(1))
			pay := got.Payments.Data[0]
			Expect(pay.Payment.PaymentIntent.ID).To(Equal(s.PaymentIntent.ID), "paid by the session's PaymentIntent")
			Expect(pay.Status).To(Equal("paid"))
			Expect(pay.AmountPaid).To(Equal(int64(9000)))
			Expect(pay.IsDefault).To(BeFalse())
			return got
		}

		It("makes the purchase's invoice, paid by the session's payment, before checkout.session.completed", func() {
			s := invoicing()
			body := complete(s.ID, "pm_card_visa")
			Expect(body["invoice"]).To(HavePrefix("in_"))
			got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			invoice := checkInvoice(got)
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			Expect(inv.Types()).To(Equal([]string{"invoice.created", "invoiceitem.created", "invoice.finalized", "invoice_payment.paid",
				"invoice.paid", "invoice.payment_succeeded", "checkout.session.completed"}))
			var completed stripe.CheckoutSession
			Expect(completed.UnmarshalJSON(inv.All()[6].Data.Raw)).To(Succeed())
			Expect(completed.Invoice.ID).To(Equal(invoice.ID), "the completed event names the invoice")
			Expect(emu.Count("", "payment_intent")).To(Equal(1), "no PaymentIntent of the invoice's own")
		})

		It("makes a SEPA session's invoice once the debit succeeds", func() {
			s := invoicing()
			body := complete(s.ID, "pm_sepa_debit")
			Expect(body["payment_status"]).To(Equal("unpaid"))
			Expect(body["invoice"]).To(BeNil(), "nothing is paid yet")
			Expect(body["customer"]).To(HavePrefix("cus_"))
			Expect(emu.Count("", "invoice")).To(BeZero())

			emu.Clock().Advance(5 * time.Minute)
			got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusPaid))
			checkInvoice(got)
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			Expect(inv.Types()).To(Equal([]string{"checkout.session.completed", "invoice.created", "invoiceitem.created", "invoice.finalized",
				"invoice_payment.paid", "invoice.paid", "invoice.payment_succeeded", "checkout.session.async_payment_succeeded"}))
		})

		It("bills the shipping the session charged on its invoice: shipping_cost, amount_shipping and the address collected", func() {
			ground, err := sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{DisplayName: stripe.String("Ground"),
				FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(700), Currency: stripe.String("eur")}})
			Expect(err).NotTo(HaveOccurred())
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:                 []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(2)}},
				ShippingOptions:           []*stripe.CheckoutSessionCreateShippingOptionParams{{ShippingRate: stripe.String(ground.ID)}},
				ShippingAddressCollection: &stripe.CheckoutSessionCreateShippingAddressCollectionParams{AllowedCountries: []*string{stripe.String("DE")}},
				InvoiceCreation:           &stripe.CheckoutSessionCreateInvoiceCreationParams{Enabled: stripe.Bool(true)},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(s.AmountTotal).To(Equal(int64(9700)))
			body := complete(s.ID, "pm_card_visa")
			got, err := sc.V1Invoices.Retrieve(Ctx, body["invoice"].(string), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(got.Subtotal).To(Equal(int64(9000)))
			Expect(got.ShippingCost.ShippingRate.ID).To(Equal(ground.ID))
			Expect(got.ShippingCost.AmountTotal).To(Equal(int64(700)))
			Expect(got.AmountShipping).To(Equal(int64(700)))
			Expect(got.Total).To(Equal(int64(9700)))
			Expect(got.AmountPaid).To(Equal(int64(9700)), "what the session's payment collected")
			Expect(got.ShippingDetails).NotTo(BeNil())
			Expect(got.ShippingDetails.Address.Country).To(Equal("DE"))
			Expect(got.ShippingDetails.Name).NotTo(BeEmpty())
		})

		It("makes a no-cost order's invoice too, for nothing due and paid without a payment, before checkout.session.completed", func() {
			free, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(price.Product.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(0)})
			Expect(err).NotTo(HaveOccurred())
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:       []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(free.ID), Quantity: stripe.Int64(2)}},
				InvoiceCreation: &stripe.CheckoutSessionCreateInvoiceCreationParams{Enabled: stripe.Bool(true)},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(s.AmountTotal).To(BeZero())
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["payment_status"]).To(Equal("no_payment_required"))
			Expect(body["payment_intent"]).To(BeNil())
			Expect(body["invoice"]).To(HavePrefix("in_"))

			got, err := sc.V1Invoices.Retrieve(Ctx, body["invoice"].(string), &stripe.InvoiceRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("payments")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(got.Customer.ID).To(Equal(body["customer"]))
			Expect(got.Total).To(BeZero())
			Expect(got.AmountPaid).To(BeZero())
			Expect(got.StatusTransitions.PaidAt).To(Equal(got.StatusTransitions.FinalizedAt))
			Expect(got.Lines.Data).To(HaveLen(1))
			Expect(got.Lines.Data[0].Quantity).To(Equal(int64(2)))
			Expect(got.Lines.Data[0].Pricing.PriceDetails.Price).To(Equal(free.ID))
			Expect(got.Payments.Data).To(BeEmpty(), "nothing was paid")
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			Expect(inv.Types()).To(Equal([]string{"invoice.created", "invoiceitem.created", "invoice.finalized",
				"invoice.paid", "invoice.payment_succeeded", "checkout.session.completed"}))
			Expect(emu.Count("", "payment_intent")).To(BeZero())
		})

		It("makes no invoice when the session does not ask for one, and shows invoice_creation disabled", func() {
			s := session()
			Expect(s.InvoiceCreation.Enabled).To(BeFalse())
			body := complete(s.ID, "pm_card_visa")
			Expect(body["invoice"]).To(BeNil())
			Expect(body["customer"]).To(BeNil(), "a guest: if_required makes no customer")
			Expect(emu.Count("", "invoice")).To(BeZero())
		})

		It("refuses it outside payment mode, and with what the invoice would not show, creating nothing", func() {
			rec, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(price.Product.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(900), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
			Expect(err).NotTo(HaveOccurred())
			on := &stripe.CheckoutSessionCreateInvoiceCreationParams{Enabled: stripe.Bool(true)}
			_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://x.example/ok"),
				LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(rec.ID), Quantity: stripe.Int64(1)}}, InvoiceCreation: on})
			Expect(StripeErr(err).Param).To(Equal("invoice_creation"))
			_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), Currency: stripe.String("eur"),
				SuccessURL: stripe.String("https://x.example/ok"), InvoiceCreation: on})
			Expect(StripeErr(err).Param).To(Equal("invoice_creation"))
			_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://x.example/ok"),
				LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}}, InvoiceCreation: on,
				PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{CaptureMethod: stripe.String("manual")}})
			Expect(StripeErr(err).Param).To(Equal("payment_intent_data[capture_method]"))
			Expect(StripeErr(err).Msg).To(ContainSubstring("does not emulate"))
			_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://x.example/ok"),
				LineItems:       []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
				InvoiceCreation: &stripe.CheckoutSessionCreateInvoiceCreationParams{Enabled: stripe.Bool(true), InvoiceData: &stripe.CheckoutSessionCreateInvoiceCreationInvoiceDataParams{AccountTaxIDs: []*string{stripe.String("txi_missing")}}}})
			Expect(StripeErr(err).Param).To(Equal("invoice_creation[invoice_data][account_tax_ids][0]"))
			// At most 25, as on an invoice.
			_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://x.example/ok"),
				LineItems:       []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
				InvoiceCreation: &stripe.CheckoutSessionCreateInvoiceCreationParams{Enabled: stripe.Bool(true), InvoiceData: &stripe.CheckoutSessionCreateInvoiceCreationInvoiceDataParams{AccountTaxIDs: stripe.StringSlice(strings.Split(strings.Repeat("txi_missing,", 26)[:26*12-1], ","))}}})
			Expect(StripeErr(err).Param).To(Equal("invoice_creation[invoice_data][account_tax_ids]"))
			Expect(emu.Count("", "checkout.session")).To(BeZero())
		})
	})

	It("refuses *_data of another mode, and fields it does not carry over, by name, creating nothing", func() {
		_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://x.example/ok"),
			LineItems:        []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{Metadata: map[string]string{"a": "b"}}})
		Expect(StripeErr(err).Param).To(Equal("subscription_data"))
		rec, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(price.Product.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(900), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://x.example/ok"),
			LineItems:        []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(rec.ID), Quantity: stripe.Int64(1)}},
			SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{BillingMode: &stripe.CheckoutSessionCreateSubscriptionDataBillingModeParams{Type: stripe.String("flexible")}}})
		Expect(StripeErr(err).Param).To(Equal("subscription_data[billing_mode][type]"))
		Expect(StripeErr(err).Msg).To(ContainSubstring("does not emulate"))
		Expect(emu.Count("", "checkout.session")).To(BeZero())
	})

	It("serves embedded sessions a client secret and a return_url instead of a hosted page", func() {
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"),
			UIMode: stripe.String("embedded"), ReturnURL: stripe.String("https://shop.example/return?session_id={CHECKOUT_SESSION_ID}"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.UIMode).To(Equal(stripe.CheckoutSessionUIModeEmbedded))
		Expect(s.URL).To(BeEmpty())
		Expect(s.ClientSecret).To(HavePrefix(s.ID + "_secret_"))
		Expect(s.ReturnURL).To(HavePrefix("https://shop.example/return"))
		Expect(s.RedirectOnCompletion).To(Equal(stripe.CheckoutSessionRedirectOnCompletionAlways))

		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"),
			UIMode: stripe.String("embedded"), SuccessURL: stripe.String("https://x.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}}})
		Expect(StripeErr(err).Param).To(Equal("success_url"))
	})
})
