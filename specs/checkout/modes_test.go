package checkout_test

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

var _ = Describe("Checkout Session modes, their parameters and their discounts", Label("checkout"), func() {
	var (
		emu              *emulator.Emulator
		sc               *stripe.Client
		ticket, monthly  *stripe.Price
		ticketLine, plan []*stripe.CheckoutSessionCreateLineItemParams
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		ticket = oneTimePrice(sc, "Setup fee", 1500)
		monthly = monthlyPrice(sc, 2000)
		ticketLine = []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}}
		plan = []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(1)}}
	})

	create := func(p *stripe.CheckoutSessionCreateParams) *stripe.CheckoutSession {
		GinkgoHelper()
		if p.SuccessURL == nil {
			p.SuccessURL = stripe.String("https://shop.example/ok")
		}
		s, err := sc.V1CheckoutSessions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	refused := func(p *stripe.CheckoutSessionCreateParams, param, msg string) {
		GinkgoHelper()
		before := emu.Count("", "checkout.session")
		_, err := sc.V1CheckoutSessions.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", string(StripeErr(err).Code), param)
		Expect(StripeErr(err).Msg).To(Equal(msg))
		Expect(emu.Count("", "checkout.session")).To(Equal(before), "a refused session creates nothing")
	}
	complete := func(id string) (int, map[string]any) {
		GinkgoHelper()
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+id+"/complete", url.Values{"payment_method": {"pm_card_visa"}}, "")
		Expect(err).NotTo(HaveOccurred())
		return status, body
	}

	It("bills a subscription session's one-time prices once, on the first invoice, beside the subscription", func() {
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"),
			LineItems: append(append([]*stripe.CheckoutSessionCreateLineItemParams{}, plan...), ticketLine...)})
		Expect(s.AmountTotal).To(Equal(int64(3500)))
		status, body := complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["payment_status"]).To(Equal("paid"))

		sub := mustSubscription(sc, body["subscription"].(string), "latest_invoice")
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.Items.Data).To(HaveLen(1), "only recurring prices become subscription items")
		Expect(sub.Items.Data[0].Price.ID).To(Equal(monthly.ID))
		Expect(sub.LatestInvoice.Total).To(Equal(int64(3500)))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(3500)))
		Expect(sub.LatestInvoice.Lines.Data).To(HaveLen(2))

		emu.Clock().Set(time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).Add(2 * time.Hour))
		renewal, err := sc.V1Invoices.Retrieve(Ctx, mustSubscription(sc, sub.ID).LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(renewal.ID).NotTo(Equal(sub.LatestInvoice.ID))
		Expect(renewal.Total).To(Equal(int64(2000)), "the one-time price is not billed again")
	})

	// Stripe's own basil payloads of a Checkout subscription's first
	// invoice, paid on the page: "attempt_count": 0, "attempted": true,
	// "auto_advance": false — the customer's payment is no attempt of the
	// retry schedule's.
	It("leaves the first invoice paid on the page at attempt_count 0, attempted, as Stripe's own payloads show", func() {
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan})
		status, body := complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
		inv := mustSubscription(sc, body["subscription"].(string), "latest_invoice").LatestInvoice
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCreate))
		Expect(inv.Attempted).To(BeTrue())
		Expect(inv.AttemptCount).To(BeZero())
		Expect(inv.AutoAdvance).To(BeFalse())
		Expect(inv.NextPaymentAttempt).To(BeZero())
	})

	It("sends checkout.session.completed after the subscription and its paid first invoice, naming the customer, subscription and invoice", func() {
		for _, trial := range []bool{false, true} {
			p := &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan, CustomerEmail: stripe.String("jo@example.com")}
			if trial {
				p.SubscriptionData = &stripe.CheckoutSessionCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(7)}
			}
			s := create(p)
			mark := len(emu.Events(""))
			status, body := complete(s.ID)
			Expect(status).To(Equal(200), "%v", body)
			var types []string
			var completed map[string]any
			for _, ev := range emu.Events("")[mark:] {
				types = append(types, ev["type"].(string))
				if ev["type"] == "checkout.session.completed" {
					completed = ev["data"].(map[string]any)["object"].(map[string]any)
				}
			}
			Expect(types).To(ContainElements("customer.created", "customer.subscription.created", "invoice.paid", "checkout.session.completed"))
			Expect(types[len(types)-1]).To(Equal("checkout.session.completed"), "the session completes once the subscription is made and its first invoice paid")
			Expect(completed["customer"]).To(Equal(body["customer"]))
			Expect(completed["subscription"]).To(Equal(body["subscription"]))
			Expect(completed["invoice"]).To(Equal(mustSubscription(sc, body["subscription"].(string)).LatestInvoice.ID))
			Expect(completed["payment_intent"]).To(BeNil(), "a subscription session's payment is its invoice's")
			Expect(completed["payment_status"]).To(Equal(map[bool]string{false: "paid", true: "no_payment_required"}[trial]))
		}
	})

	It("reports the first invoice's delayed debit of a subscription session as its async payment, succeeded or failed", func() {
		for _, pm := range []string{"pm_sepa_debit", "pm_sepa_debit_fail"} {
			s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan,
				PaymentMethodTypes: []*string{stripe.String("sepa_debit")}})
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {pm}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["payment_status"]).To(Equal("unpaid"), "a bank debit does not succeed at once")
			seen := len(emu.Events(""))
			emu.Clock().Advance(4 * 24 * time.Hour)
			types := sessionEventsSince(emu, seen)
			got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			if pm == "pm_sepa_debit" {
				Expect(types).To(Equal([]string{"checkout.session.async_payment_succeeded"}))
				Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusPaid))
				Expect(mustSubscription(sc, got.Subscription.ID).Status).To(Equal(stripe.SubscriptionStatusActive))
			} else {
				Expect(types).To(Equal([]string{"checkout.session.async_payment_failed"}))
				Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusUnpaid))
			}
		}
	})

	It("starts a subscription of price_data lines: the inline prices, inactive from the start, are billed and renewed", func() {
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: []*stripe.CheckoutSessionCreateLineItemParams{
			{PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{Currency: stripe.String("usd"), Product: stripe.String(monthly.Product.ID),
				UnitAmount: stripe.Int64(2500), Recurring: &stripe.CheckoutSessionCreateLineItemPriceDataRecurringParams{Interval: stripe.String("month")}}, Quantity: stripe.Int64(1)},
			{PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{Currency: stripe.String("usd"), Product: stripe.String(ticket.Product.ID),
				UnitAmount: stripe.Int64(900)}, Quantity: stripe.Int64(1)},
		}})
		Expect(s.AmountTotal).To(Equal(int64(3400)))
		status, body := complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["payment_status"]).To(Equal("paid"))

		sub := mustSubscription(sc, body["subscription"].(string), "latest_invoice")
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.Items.Data).To(HaveLen(1))
		Expect(sub.Items.Data[0].Price.Active).To(BeFalse())
		Expect(sub.Items.Data[0].Price.UnitAmount).To(Equal(int64(2500)))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(3400)), "the one-time inline price on the first invoice")

		emu.Clock().Set(time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).Add(2 * time.Hour))
		renewal, err := sc.V1Invoices.Retrieve(Ctx, mustSubscription(sc, sub.ID).LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(renewal.Total).To(Equal(int64(2500)))
	})

	It("charges a subscription session's one-time prices today even during a free trial", func() {
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"),
			LineItems:        append(append([]*stripe.CheckoutSessionCreateLineItemParams{}, plan...), ticketLine...),
			SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(7)}})
		Expect(s.AmountSubtotal).To(Equal(int64(1500)))
		Expect(s.AmountTotal).To(Equal(int64(1500)), "the trial makes the plan free today, not the setup fee")
		status, body := complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["payment_status"]).To(Equal("paid"))
		sub := mustSubscription(sc, body["subscription"].(string))
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AmountPaid).To(Equal(int64(1500)))
	})

	It("checks a promotion code's minimum amount in subscription mode as the subscription it starts will", func() {
		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		promo, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(c.ID),
			Restrictions: &stripe.PromotionCodeCreateRestrictionsParams{MinimumAmount: stripe.Int64(3000), MinimumAmountCurrency: stripe.String("eur")}})
		Expect(err).NotTo(HaveOccurred())
		both := append(append([]*stripe.CheckoutSessionCreateLineItemParams{}, plan...), ticketLine...)
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: both, SuccessURL: stripe.String("https://shop.example/ok"),
			Discounts: []*stripe.CheckoutSessionCreateDiscountParams{{PromotionCode: stripe.String(promo.ID)}}},
			"discounts[0][promotion_code]", "This promotion code cannot be redeemed because the associated purchase does not meet the minimum amount requirement.")

		two := []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(2)}}
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: append(two, ticketLine...),
			Discounts: []*stripe.CheckoutSessionCreateDiscountParams{{PromotionCode: stripe.String(promo.ID)}}})
		status, body := complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
	})

	It("refuses a first-time-customer code on a session that makes no customer", func() {
		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10)})
		Expect(err).NotTo(HaveOccurred())
		promo, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(c.ID),
			Restrictions: &stripe.PromotionCodeCreateRestrictionsParams{FirstTimeTransaction: stripe.Bool(true)}})
		Expect(err).NotTo(HaveOccurred())
		firstTime := []*stripe.CheckoutSessionCreateDiscountParams{{PromotionCode: stripe.String(promo.ID)}}
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, SuccessURL: stripe.String("https://shop.example/ok"), Discounts: firstTime},
			"discounts[0][promotion_code]", "This promotion code cannot be redeemed because the associated customer has prior transactions.")

		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, CustomerCreation: stripe.String("always"), Discounts: firstTime})
		Expect(s.TotalDetails.AmountDiscount).To(Equal(int64(150)))
		s = create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan, Discounts: firstTime})
		Expect(s.TotalDetails.AmountDiscount).To(Equal(int64(200)))
	})

	It("refuses a code kept for one customer on a session without that customer, in either mode", func() {
		owner, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("owner@example.com")})
		Expect(err).NotTo(HaveOccurred())
		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10)})
		Expect(err).NotTo(HaveOccurred())
		promo, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(c.ID), Code: stripe.String("OWNERONLY"),
			Customer: stripe.String(owner.ID)})
		Expect(err).NotTo(HaveOccurred())
		theirs := []*stripe.CheckoutSessionCreateDiscountParams{{PromotionCode: stripe.String(promo.ID)}}
		// The buyer of a session without a customer would be a new one.
		for _, p := range []*stripe.CheckoutSessionCreateParams{
			{Mode: stripe.String("payment"), LineItems: ticketLine, Discounts: theirs},
			{Mode: stripe.String("payment"), LineItems: ticketLine, CustomerCreation: stripe.String("always"), Discounts: theirs},
			{Mode: stripe.String("subscription"), LineItems: plan, Discounts: theirs},
		} {
			p.SuccessURL = stripe.String("https://shop.example/ok")
			refused(p, "discounts[0][promotion_code]", "This promotion code (OWNERONLY) cannot be redeemed by this customer.")
		}
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, Customer: stripe.String(owner.ID), Discounts: theirs})
		Expect(s.TotalDetails.AmountDiscount).To(Equal(int64(150)))
	})

	It("ends a trial no sooner than two days after the session is made", func() {
		now := Epoch.Unix()
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan, SuccessURL: stripe.String("https://shop.example/ok"),
			SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{TrialEnd: stripe.Int64(now + 47*3600 + 59*60)}},
			"subscription_data[trial_end]", "The `trial_end` date has to be at least 2 days in the future.")
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan,
			SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{TrialEnd: stripe.Int64(now + 48*3600 + 60)}})
		Expect(s.AmountTotal).To(BeZero())
		Expect(s.PaymentMethodCollection).To(Equal(stripe.CheckoutSessionPaymentMethodCollectionAlways))
		status, body := complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
		Expect(mustSubscription(sc, body["subscription"].(string)).TrialEnd).To(Equal(now + 48*3600 + 60))
	})

	It("ends a trial no later than 730 days after the session is made, refusing a longer one in Stripe's words", func() {
		now := Epoch.Unix()
		for _, sd := range []*stripe.CheckoutSessionCreateSubscriptionDataParams{{TrialPeriodDays: stripe.Int64(731)}, {TrialEnd: stripe.Int64(now + 730*86400 + 60)}} {
			_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan,
				SuccessURL: stripe.String("https://shop.example/ok"), SubscriptionData: sd})
			Expect(err).To(HaveOccurred())
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
			Expect(StripeErr(err).Msg).To(Equal("The maximum number of trial period days is 730 (2 years)."))
		}
		Expect(emu.Count("", "checkout.session")).To(BeZero(), "a refused session creates nothing")
		// A payment link's trial is held to it when the link is made, not
		// when a customer opens it.
		_, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(1)}},
			SubscriptionData: &stripe.PaymentLinkCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(731)}})
		Expect(err).To(HaveOccurred())
		Expect(StripeErr(err).Msg).To(Equal("The maximum number of trial period days is 730 (2 years)."))
		Expect(emu.Count("", "payment_link")).To(BeZero())
		for _, sd := range []*stripe.CheckoutSessionCreateSubscriptionDataParams{{TrialPeriodDays: stripe.Int64(730)}, {TrialEnd: stripe.Int64(now + 730*86400)}} {
			s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan, SubscriptionData: sd})
			status, body := complete(s.ID)
			Expect(status).To(Equal(200), "%v", body)
			Expect(mustSubscription(sc, body["subscription"].(string)).TrialEnd).To(Equal(now + 730*86400))
		}
	})

	It("refuses at creation what the subscription could not be made of, and more line items than Stripe takes", func() {
		twice := []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(1)}, {Price: stripe.String(monthly.ID), Quantity: stripe.Int64(2)}}
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: twice, SuccessURL: stripe.String("https://shop.example/ok")},
			"line_items[1][price]", "Cannot add multiple subscription items with the same plan: "+monthly.ID)

		lines := func(n int, recurring bool) []*stripe.CheckoutSessionCreateLineItemParams {
			var out []*stripe.CheckoutSessionCreateLineItemParams
			for i := 0; i < n; i++ {
				pd := &stripe.CheckoutSessionCreateLineItemPriceDataParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(int64(100 + i)),
					ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Item")}}
				if recurring {
					pd.Recurring = &stripe.CheckoutSessionCreateLineItemPriceDataRecurringParams{Interval: stripe.String("month")}
				}
				out = append(out, &stripe.CheckoutSessionCreateLineItemParams{PriceData: pd, Quantity: stripe.Int64(1)})
			}
			return out
		}
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: lines(101, false), SuccessURL: stripe.String("https://shop.example/ok")},
			"line_items", "Array line_items exceeded maximum 100 allowed elements.")
		_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: lines(21, true), SuccessURL: stripe.String("https://shop.example/ok")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items")
		create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: lines(100, false)})
		create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: append(lines(20, true), lines(20, false)...)})
	})

	It("hands subscription_data's Connect terms, billing mode and issuer to the subscription it starts, checking them at creation", func() {
		seller := Seller(emu, nil)
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan,
			SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{
				ApplicationFeePercent: stripe.Float64(10), OnBehalfOf: stripe.String(seller.ID),
				TransferData:    &stripe.CheckoutSessionCreateSubscriptionDataTransferDataParams{Destination: stripe.String(seller.ID)},
				BillingMode:     &stripe.CheckoutSessionCreateSubscriptionDataBillingModeParams{Type: stripe.String("classic")},
				InvoiceSettings: &stripe.CheckoutSessionCreateSubscriptionDataInvoiceSettingsParams{Issuer: &stripe.CheckoutSessionCreateSubscriptionDataInvoiceSettingsIssuerParams{Type: stripe.String("self")}}}})
		status, body := complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
		sub := mustSubscription(sc, body["subscription"].(string))
		Expect(sub.ApplicationFeePercent).To(Equal(10.0))
		Expect(sub.OnBehalfOf.ID).To(Equal(seller.ID))
		Expect(sub.TransferData.Destination.ID).To(Equal(seller.ID))
		Expect(sub.BillingMode.Type).To(Equal(stripe.SubscriptionBillingModeTypeClassic))
		Expect(sub.InvoiceSettings.Issuer.Type).To(Equal(stripe.SubscriptionInvoiceSettingsIssuerTypeSelf))

		_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan, SuccessURL: stripe.String("https://shop.example/ok"),
			SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{TransferData: &stripe.CheckoutSessionCreateSubscriptionDataTransferDataParams{Destination: stripe.String("acct_nope")}}})
		ExpectStripeError(err, 400, "invalid_request_error", string(StripeErr(err).Code), "subscription_data[transfer_data][destination]")
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan, SuccessURL: stripe.String("https://shop.example/ok"),
			SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{ApplicationFeePercent: stripe.Float64(10)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "subscription_data[application_fee_percent]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("Can only apply an application_fee_percent"))
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan, SuccessURL: stripe.String("https://shop.example/ok"),
			SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{OnBehalfOf: stripe.String("acct_nope")}})
		ExpectStripeError(err, 400, "invalid_request_error", string(StripeErr(err).Code), "subscription_data[on_behalf_of]")
		Expect(emu.Count("", "checkout.session")).To(Equal(1), "a refused session creates nothing")
	})

	// Stripe refuses payment_intent_data's Connect terms when the session is
	// created (an integration met the application fee's refusal from
	// Checkout\Session::create, Sylius/PayumStripe#14), not when the
	// customer pays.
	It("checks payment_intent_data's Connect terms at creation with a PaymentIntent's refusals, and pays a session that has them", func() {
		seller := Seller(emu, nil)
		pd := func(p *stripe.CheckoutSessionCreatePaymentIntentDataParams) *stripe.CheckoutSessionCreateParams {
			return &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
				SuccessURL: stripe.String("https://shop.example/ok"), PaymentIntentData: p}
		}
		refused(pd(&stripe.CheckoutSessionCreatePaymentIntentDataParams{ApplicationFeeAmount: stripe.Int64(100)}),
			"payment_intent_data[application_fee_amount]", "Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).")
		before := emu.Count("", "checkout.session")
		_, err := sc.V1CheckoutSessions.Create(Ctx, pd(&stripe.CheckoutSessionCreatePaymentIntentDataParams{OnBehalfOf: stripe.String("acct_nope")}))
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "payment_intent_data[on_behalf_of]")
		_, err = sc.V1CheckoutSessions.Create(Ctx, pd(&stripe.CheckoutSessionCreatePaymentIntentDataParams{
			TransferData: &stripe.CheckoutSessionCreatePaymentIntentDataTransferDataParams{Destination: stripe.String(seller.ID), Amount: stripe.Int64(0)}}))
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "payment_intent_data[transfer_data][amount]")
		_, err = sc.V1CheckoutSessions.Create(Ctx, pd(&stripe.CheckoutSessionCreatePaymentIntentDataParams{
			TransferData: &stripe.CheckoutSessionCreatePaymentIntentDataTransferDataParams{Destination: stripe.String("acct_nope")}}))
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "payment_intent_data[transfer_data][destination]")
		Expect(emu.Count("", "checkout.session")).To(Equal(before), "a refused session creates nothing")

		s := create(pd(&stripe.CheckoutSessionCreatePaymentIntentDataParams{ApplicationFeeAmount: stripe.Int64(100),
			TransferData: &stripe.CheckoutSessionCreatePaymentIntentDataTransferDataParams{Destination: stripe.String(seller.ID)}}))
		status, body := complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
		pp := &stripe.PaymentIntentRetrieveParams{}
		pp.AddExpand("latest_charge.application_fee")
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), pp)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.TransferData.Destination.ID).To(Equal(seller.ID))
		Expect(pi.LatestCharge.ApplicationFee.Amount).To(Equal(int64(100)))
	})

	It("completes a setup session with a succeeded SetupIntent carrying setup_intent_data, its on_behalf_of checked at creation", func() {
		seller := Seller(emu, nil)
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("saver@example.com")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), Currency: stripe.String("eur"), SuccessURL: stripe.String("https://shop.example/ok"),
			SetupIntentData: &stripe.CheckoutSessionCreateSetupIntentDataParams{OnBehalfOf: stripe.String("acct_nope")}})
		ExpectStripeError(err, 400, "invalid_request_error", string(StripeErr(err).Code), "setup_intent_data[on_behalf_of]")
		Expect(emu.Count("", "checkout.session")).To(BeZero(), "a refused session creates nothing")

		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
			SetupIntentData: &stripe.CheckoutSessionCreateSetupIntentDataParams{Description: stripe.String("Card on file"), Metadata: map[string]string{"k": "v"}, OnBehalfOf: stripe.String(seller.ID)}})
		Expect(s.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusNoPaymentRequired))
		Expect(s.SetupIntent).To(BeNil(), "made only when the customer completes the page")
		status, body := complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["payment_status"]).To(Equal("no_payment_required"))
		Expect(body["amount_total"]).To(BeNil())
		si, err := sc.V1SetupIntents.Retrieve(Ctx, body["setup_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
		Expect(si.Customer.ID).To(Equal(cus.ID))
		Expect(si.Description).To(Equal("Card on file"))
		Expect(si.Metadata).To(Equal(map[string]string{"k": "v"}))
		Expect(si.OnBehalfOf).NotTo(BeNil())
		Expect(si.OnBehalfOf.ID).To(Equal(seller.ID))
		pm, err := sc.V1PaymentMethods.Retrieve(Ctx, si.PaymentMethod.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pm.Customer.ID).To(Equal(cus.ID), "the method is attached to the customer")
		Expect(emu.EventTypes("")).To(ContainElements("setup_intent.created", "payment_method.attached", "setup_intent.succeeded", "checkout.session.completed"))
	})

	It("shows no address in a setup session's customer_details, as Stripe's reference says, even one it collected", func() {
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), Currency: stripe.String("eur"),
			BillingAddressCollection: stripe.String("required")})
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_card_visa"},
			"billing_address[country]": {"DE"}, "billing_address[postal_code]": {"10115"}, "email": {"saver@example.com"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		details := body["customer_details"].(map[string]any)
		Expect(details["email"]).To(Equal("saver@example.com"))
		Expect(details).To(HaveKeyWithValue("address", BeNil()))
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.CustomerDetails.Address).To(BeNil())

		paid := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			BillingAddressCollection: stripe.String("required")})
		status, body, err = emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+paid.ID+"/complete", url.Values{"payment_method": {"pm_card_visa"},
			"billing_address[country]": {"DE"}, "billing_address[postal_code]": {"10115"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["customer_details"].(map[string]any)["address"]).To(HaveKeyWithValue("country", "DE"), "a payment session shows it")
	})

	It("refuses at creation recurring prices of different intervals, which the subscription could not take together, creating nothing", func() {
		yearly, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(20000),
			Recurring:   &stripe.PriceCreateRecurringParams{Interval: stripe.String("year")},
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Yearly plan")}})
		Expect(err).NotTo(HaveOccurred())
		quarterly, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(5000),
			Recurring:   &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), IntervalCount: stripe.Int64(3)},
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Quarterly plan")}})
		Expect(err).NotTo(HaveOccurred())
		for _, other := range []*stripe.Price{yearly, quarterly} {
			lines := append(append(append([]*stripe.CheckoutSessionCreateLineItemParams{}, plan...), ticketLine...),
				&stripe.CheckoutSessionCreateLineItemParams{Price: stripe.String(other.ID), Quantity: stripe.Int64(1)})
			refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: lines, SuccessURL: stripe.String("https://shop.example/ok")},
				"line_items[2][price]", "All prices on a subscription must have the same recurring interval and interval_count.")
		}
		// A one-time price beside them has no interval to match.
		create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: append(append([]*stripe.CheckoutSessionCreateLineItemParams{}, ticketLine...), plan...)})
	})

	It("holds a line item's adjustable quantity to Stripe's limits, the quantity within them, creating nothing otherwise", func() {
		adjustable := func(qty int64, aq *stripe.CheckoutSessionCreateLineItemAdjustableQuantityParams) *stripe.CheckoutSessionCreateParams {
			return &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(qty), AdjustableQuantity: aq}}}
		}
		on := func(lo, hi int64) *stripe.CheckoutSessionCreateLineItemAdjustableQuantityParams {
			aq := &stripe.CheckoutSessionCreateLineItemAdjustableQuantityParams{Enabled: stripe.Bool(true)}
			if lo >= 0 {
				aq.Minimum = stripe.Int64(lo)
			}
			if hi >= 0 {
				aq.Maximum = stripe.Int64(hi)
			}
			return aq
		}
		refused(adjustable(1, on(-1, 1000000)), "line_items[0][adjustable_quantity][maximum]", "The maximum adjustable quantity must be between 1 and 999999.")
		refused(adjustable(1, on(5, 2)), "line_items[0][adjustable_quantity][minimum]", "The minimum adjustable quantity must be between 0 and the maximum.")
		refused(adjustable(10, on(-1, 5)), "line_items[0][quantity]", "The quantity must be at most the maximum adjustable quantity (5).")
		refused(adjustable(1, on(2, 5)), "line_items[0][quantity]", "The quantity must be at least the minimum adjustable quantity (2).")
		// Stripe's docs: a quantity over 99, the default maximum, needs a
		// maximum at least as large.
		refused(adjustable(150, on(-1, -1)), "line_items[0][quantity]", "The quantity must be at most the maximum adjustable quantity (99).")
		s := create(adjustable(150, on(-1, 200)))
		Expect(s.AmountSubtotal).To(Equal(int64(150 * 1500)))
	})

	It("refuses a line item naming both a price and price_data, creating nothing", func() {
		products := emu.Count("", "product")
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1),
				PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(100),
					ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Other")}}}}},
			"line_items[0][price]", "You may only specify one of these parameters: line_items[0][price], line_items[0][price_data].")
		Expect(emu.Count("", "product")).To(Equal(products))
	})

	It("holds price_data to what a price takes: a supported currency, an amount of at least 0, unit_amount or unit_amount_decimal", func() {
		inline := func(pd *stripe.CheckoutSessionCreateLineItemPriceDataParams) *stripe.CheckoutSessionCreateParams {
			if pd.Currency == nil {
				pd.Currency = stripe.String("eur")
			}
			pd.ProductData = &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Item")}
			return &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{PriceData: pd, Quantity: stripe.Int64(2)}}}
		}
		products := emu.Count("", "product")
		_, err := sc.V1CheckoutSessions.Create(Ctx, inline(&stripe.CheckoutSessionCreateLineItemPriceDataParams{Currency: stripe.String("xyz"), UnitAmount: stripe.Int64(1000)}))
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][price_data][currency]")
		Expect(StripeErr(err).Msg).To(HavePrefix("Invalid currency: xyz. Stripe currently supports these currencies: usd, "))
		refused(inline(&stripe.CheckoutSessionCreateLineItemPriceDataParams{UnitAmount: stripe.Int64(-1)}),
			"line_items[0][price_data][unit_amount]", "Invalid line_items[0][price_data][unit_amount]: must be at least 0")
		refused(inline(&stripe.CheckoutSessionCreateLineItemPriceDataParams{UnitAmount: stripe.Int64(1000), UnitAmountDecimal: stripe.Float64(1000)}),
			"line_items[0][price_data][unit_amount]", "You may only specify one of these parameters: line_items[0][price_data][unit_amount], line_items[0][price_data][unit_amount_decimal].")
		Expect(emu.Count("", "product")).To(Equal(products), "a refused line makes no product")

		s := create(inline(&stripe.CheckoutSessionCreateLineItemPriceDataParams{UnitAmountDecimal: stripe.Float64(1250.5)}))
		Expect(s.AmountTotal).To(Equal(int64(2501)), "two units of 1250.5")
		status, body := complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Amount).To(Equal(int64(2501)))
	})

	It("refuses a payment below the currency's minimum charge, for a session and a payment link, in Stripe's words and with its amount_too_small code", func() {
		cheap := oneTimePrice(sc, "Sticker", 10)
		sessions := emu.Count("", "checkout.session")
		_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(cheap.ID), Quantity: stripe.Int64(2)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "amount_too_small", "")
		Expect(StripeErr(err).Msg).To(Equal("The Checkout Session's total amount due must add up to at least €0.50 eur"))
		Expect(emu.Count("", "checkout.session")).To(Equal(sessions))
		links := emu.Count("", "payment_link")
		_, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{
			{Price: stripe.String(cheap.ID), Quantity: stripe.Int64(1)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "amount_too_small", "")
		Expect(StripeErr(err).Msg).To(Equal("The Checkout Session's total amount due must add up to at least €0.50 eur"))
		Expect(emu.Count("", "payment_link")).To(Equal(links))

		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(cheap.ID), Quantity: stripe.Int64(5)}}})
		Expect(s.AmountTotal).To(Equal(int64(50)), "the minimum itself is taken")
	})

	It("refuses a currency Stripe does not support, an email that is not one and a URL without a scheme, naming them, creating nothing", func() {
		_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			SuccessURL: stripe.String("https://shop.example/ok"), Currency: stripe.String("xyz")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency")
		Expect(StripeErr(err).Msg).To(HavePrefix("Invalid currency: xyz. Stripe currently supports these currencies: usd, "))
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, CustomerEmail: stripe.String("not-an-email")},
			"customer_email", "Invalid email address: not-an-email")
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, SuccessURL: stripe.String("shop.example/ok")},
			"success_url", "Invalid URL: An explicit scheme (such as https) must be provided.")
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, CancelURL: stripe.String("shop.example/back")},
			"cancel_url", "Invalid URL: An explicit scheme (such as https) must be provided.")
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, UIMode: stripe.String("embedded"),
			SuccessURL: nil, ReturnURL: stripe.String("localhost:3000/return")},
			"return_url", "Invalid URL: An explicit scheme (such as https) must be provided.")
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			SuccessURL: stripe.String("https://shop.example/{CHECKOUT_SESSION_ID}/ok?id={CHECKOUT_SESSION_ID}")})
		Expect(s.SuccessURL).To(Equal("https://shop.example/{CHECKOUT_SESSION_ID}/ok?id={CHECKOUT_SESSION_ID}"))
	})

	It("refuses at creation a payment_intent_data[receipt_email] that is no email address, which the PaymentIntent it makes could not take", func() {
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{ReceiptEmail: stripe.String("not-an-email")}},
			"payment_intent_data[receipt_email]", "Invalid email address: not-an-email")
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{ReceiptEmail: stripe.String("receipts@shop.example")}})
		status, body := complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.ReceiptEmail).To(Equal("receipts@shop.example"))
	})

	It("refuses at creation a statement descriptor suffix the PaymentIntent it makes could not take, naming it under payment_intent_data", func() {
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{StatementDescriptorSuffix: stripe.String("<ORDER>")}},
			"payment_intent_data[statement_descriptor_suffix]", "The statement descriptor suffix cannot contain any of the special characters <, >, \\, ', \" or *.")
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{StatementDescriptorSuffix: stripe.String("12345")}},
			"payment_intent_data[statement_descriptor_suffix]", "The statement descriptor suffix must contain at least one letter.")
		_, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:         []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}},
			PaymentIntentData: &stripe.PaymentLinkCreatePaymentIntentDataParams{StatementDescriptorSuffix: stripe.String("<ORDER>")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_intent_data[statement_descriptor_suffix]")
		Expect(emu.Count("", "payment_link")).To(BeZero(), "a payment link opening such sessions is refused too")
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{StatementDescriptorSuffix: stripe.String("ORDER 12")}})
		status, body := complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
		var pi *stripe.PaymentIntent
		pi, err = sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.StatementDescriptorSuffix).To(Equal("ORDER 12"))
	})

	It("shows an existing customer's email, and gives a customer without one the email typed", func() {
		known, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("known@example.com")})
		Expect(err).NotTo(HaveOccurred())
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, Customer: stripe.String(known.ID)})
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"email": {"other@example.com"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["customer_details"].(map[string]any)["email"]).To(Equal("known@example.com"), "prefilled and not editable")

		anonymous, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String("No email")})
		Expect(err).NotTo(HaveOccurred())
		s = create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, Customer: stripe.String(anonymous.ID)})
		status, body, err = emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"email": {"typed@example.com"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["customer_details"].(map[string]any)["email"]).To(Equal("typed@example.com"))
		got, err := sc.V1Customers.Retrieve(Ctx, anonymous.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Email).To(Equal("typed@example.com"), "Checkout sets the email entered on a customer without one")
	})

	It("takes a client_reference_id of up to 200 characters", func() {
		long := strings.Repeat("order-", 33) + "123" // 201
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, SuccessURL: stripe.String("https://shop.example/ok"),
			ClientReferenceID: stripe.String(long)}, "client_reference_id", "Invalid string: orde...-123; must be at most 200 characters")
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, ClientReferenceID: stripe.String(long[:200])})
		Expect(s.ClientReferenceID).To(Equal(long[:200]))
	})

	Describe("a promotion code the customer types (allow_promotion_codes)", func() {
		var promo *stripe.PromotionCode
		BeforeEach(func() {
			c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(20), Duration: stripe.String("forever")})
			Expect(err).NotTo(HaveOccurred())
			promo, err = sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(c.ID), Code: stripe.String("SUMMER20")})
			Expect(err).NotTo(HaveOccurred())
		})
		typed := func(id, code string) (int, map[string]any) {
			GinkgoHelper()
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+id+"/complete", url.Values{"payment_method": {"pm_card_visa"}, "promotion_code": {code}}, "")
			Expect(err).NotTo(HaveOccurred())
			return status, body
		}

		It("takes the code off what the customer pays, whatever its case, and redeems it", func() {
			s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, AllowPromotionCodes: stripe.Bool(true)})
			status, body := typed(s.ID, "summer20")
			Expect(status).To(Equal(200), "%v", body)
			got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, &stripe.CheckoutSessionRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("payment_intent"), stripe.String("line_items")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.AmountTotal).To(Equal(int64(1200)))
			Expect(got.TotalDetails.AmountDiscount).To(Equal(int64(300)))
			Expect(got.Discounts[0].PromotionCode.ID).To(Equal(promo.ID))
			Expect(got.LineItems.Data[0].AmountDiscount).To(Equal(int64(300)))
			Expect(got.PaymentIntent.Amount).To(Equal(int64(1200)))
			promo, err = sc.V1PromotionCodes.Retrieve(Ctx, promo.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(promo.TimesRedeemed).To(Equal(int64(1)))
		})

		It("asks for the code on the hosted page", func() {
			s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, AllowPromotionCodes: stripe.Bool(true)})
			res, err := http.Get(s.URL)
			Expect(err).NotTo(HaveOccurred())
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			Expect(string(page)).To(ContainSubstring(`name="promotion_code"`))
			noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err = noRedirect.PostForm(s.URL, url.Values{"payment_method": {"pm_card_visa"}, "promotion_code": {"Summer20"}})
			Expect(err).NotTo(HaveOccurred())
			res.Body.Close()
			Expect(res.StatusCode).To(Equal(http.StatusSeeOther))
			got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.AmountTotal).To(Equal(int64(1200)))
		})

		It("hands the code to the subscription a session starts", func() {
			s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan, AllowPromotionCodes: stripe.Bool(true)})
			status, body := typed(s.ID, "SUMMER20")
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["amount_total"]).To(BeNumerically("==", 1600))
			sub, err := sc.V1Subscriptions.Retrieve(Ctx, body["subscription"].(string), &stripe.SubscriptionRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("discounts"), stripe.String("latest_invoice")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Discounts[0].PromotionCode.ID).To(Equal(promo.ID))
			Expect(sub.LatestInvoice.Total).To(Equal(int64(1600)))
		})

		It("refuses a code the session does not take or the customer cannot redeem, keeping the session open", func() {
			other, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("vip@example.com")})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(promo.Coupon.ID), Code: stripe.String("VIPONLY"), Customer: stripe.String(other.ID)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(promo.Coupon.ID), Code: stripe.String("BIGORDER"),
				Restrictions: &stripe.PromotionCodeCreateRestrictionsParams{MinimumAmount: stripe.Int64(5000), MinimumAmountCurrency: stripe.String("eur")}})
			Expect(err).NotTo(HaveOccurred())

			closed := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine})
			status, body := typed(closed.ID, "SUMMER20")
			Expect(status).To(Equal(400), "%v", body)
			open := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, AllowPromotionCodes: stripe.Bool(true)})
			for _, code := range []string{"NOSUCHCODE", "VIPONLY", "BIGORDER"} {
				status, body = typed(open.ID, code)
				Expect(status).To(Equal(400), "%s: %v", code, body)
				Expect(body["error"].(map[string]any)["param"]).To(Equal("promotion_code"), code)
			}
			got, err := sc.V1CheckoutSessions.Retrieve(Ctx, open.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.CheckoutSessionStatusOpen))
			Expect(got.Discounts).To(BeEmpty())
			Expect(emu.Count("", "discount")).To(BeZero())
		})
	})

	It("refuses a coupon for none of the session's products, in Stripe's words, creating nothing", func() {
		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10),
			AppliesTo: &stripe.CouponCreateAppliesToParams{Products: []*string{stripe.String(monthly.Product.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		const msg = "This coupon cannot be redeemed because it does not apply to anything in this order."
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			Discounts: []*stripe.CheckoutSessionCreateDiscountParams{{Coupon: stripe.String(c.ID)}}}, "discounts[0][coupon]", msg)
		promo, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(c.ID)})
		Expect(err).NotTo(HaveOccurred())
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			Discounts: []*stripe.CheckoutSessionCreateDiscountParams{{PromotionCode: stripe.String(promo.ID)}}}, "discounts[0][promotion_code]", msg)

		// With the product among its items, it takes 10% of that item only.
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"),
			LineItems: append(append([]*stripe.CheckoutSessionCreateLineItemParams{}, plan...), ticketLine...),
			Discounts: []*stripe.CheckoutSessionCreateDiscountParams{{Coupon: stripe.String(c.ID)}}})
		Expect(s.TotalDetails.AmountDiscount).To(Equal(int64(200)))
	})

	It("takes one discount, refusing more in Stripe's words", func() {
		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10)})
		Expect(err).NotTo(HaveOccurred())
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, SuccessURL: stripe.String("https://shop.example/ok"),
			Discounts: []*stripe.CheckoutSessionCreateDiscountParams{{Coupon: stripe.String(c.ID)}, {Coupon: stripe.String(c.ID)}}},
			"discounts", "Array discounts exceeded maximum 1 allowed elements.")
	})

	It("refuses what a mode does not take, as Stripe words it, creating nothing", func() {
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan, CustomerCreation: stripe.String("always")},
			"", "`customer_creation` can only be used in `payment` mode.")
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), Currency: stripe.String("eur"), LineItems: ticketLine},
			"line_items", "You can not pass `line_items` in `setup` mode.")
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), Currency: stripe.String("eur"), AllowPromotionCodes: stripe.Bool(true)},
			"allow_promotion_codes", "You can not pass `allow_promotion_codes` in `setup` mode.")
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup")}, "currency", "Missing required param: currency.")

		// Setup mode needs no currency when the types are named.
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), PaymentMethodTypes: []*string{stripe.String("card")}})
		Expect(s.Currency).To(BeEmpty())
		s = create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, CustomerCreation: stripe.String("always")})
		Expect(s.CustomerCreation).To(Equal(stripe.CheckoutSessionCustomerCreationAlways))
	})

	It("refuses submit_type in setup mode, which pays nothing, creating nothing", func() {
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), Currency: stripe.String("eur"), SubmitType: stripe.String("donate")},
			"submit_type", "You can not pass `submit_type` in `setup` mode.")
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, SubmitType: stripe.String("donate")})
		Expect(s.SubmitType).To(Equal(stripe.CheckoutSessionSubmitTypeDonate))
		s = create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan, SubmitType: stripe.String("subscribe")})
		Expect(s.SubmitType).To(Equal(stripe.CheckoutSessionSubmitTypeSubscribe))
	})

	It("shows a session's taxes by rate in total_details.breakdown, and refuses it by name, as not emulated, where the session has discounts", func() {
		rate := func(name string, pct float64, inclusive bool) *stripe.TaxRate {
			r, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String(name), Percentage: stripe.Float64(pct), Inclusive: stripe.Bool(inclusive)})
			Expect(err).NotTo(HaveOccurred())
			return r
		}
		gst, vat := rate("GST", 10, false), rate("VAT", 20, true)
		poster := oneTimePrice(sc, "Poster", 1200)
		p := &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: []*stripe.CheckoutSessionCreateLineItemParams{
			{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1), TaxRates: []*string{stripe.String(gst.ID)}},
			{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(2), TaxRates: []*string{stripe.String(gst.ID), stripe.String(vat.ID)}},
			{Price: stripe.String(poster.ID), Quantity: stripe.Int64(1)},
		}}
		p.AddExpand("total_details.breakdown")
		s := create(p)
		// 10% on 15.00 is 1.50; 20% inside 30.00 is 5.00, and 10% on the
		// 25.00 left is 2.50; the poster has no rate.
		Expect(s.TotalDetails.AmountTax).To(Equal(int64(150 + 500 + 250)))
		b := s.TotalDetails.Breakdown
		Expect(b).NotTo(BeNil())
		Expect(b.Discounts).To(BeEmpty())
		Expect(b.Taxes).To(HaveLen(2), "one entry a rate, summed over the line items")
		Expect(b.Taxes[0].Rate.ID).To(Equal(gst.ID))
		Expect(b.Taxes[0].Rate.DisplayName).To(Equal("GST"))
		Expect([]int64{b.Taxes[0].Amount, b.Taxes[0].TaxableAmount}).To(Equal([]int64{150 + 250, 1500 + 2500}))
		Expect(b.Taxes[1].Rate.ID).To(Equal(vat.ID))
		Expect([]int64{b.Taxes[1].Amount, b.Taxes[1].TaxableAmount}).To(Equal([]int64{500, 2500}))

		s, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.TotalDetails.Breakdown).To(BeNil(), "only sent when expanded")
		untaxed := &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine}
		untaxed.AddExpand("total_details.breakdown")
		s = create(untaxed)
		Expect(s.TotalDetails.Breakdown.Taxes).To(BeEmpty())
		Expect(s.TotalDetails.Breakdown.Discounts).To(BeEmpty())

		coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("once")})
		Expect(err).NotTo(HaveOccurred())
		discounted := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			Discounts: []*stripe.CheckoutSessionCreateDiscountParams{{Coupon: stripe.String(coupon.ID)}}})
		rp := &stripe.CheckoutSessionRetrieveParams{}
		rp.AddExpand("total_details.breakdown")
		_, err = sc.V1CheckoutSessions.Retrieve(Ctx, discounted.ID, rp)
		Expect(err).To(HaveOccurred())
		Expect(StripeErr(err).Msg).To(ContainSubstring("does not emulate `total_details.breakdown`"))
		Expect(StripeErr(err).Msg).To(ContainSubstring("discounts"))
	})

	It("includes a line item's discounts when expanded: none where nothing is taken off, refused by name, as not emulated, where a discount is", func() {
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine})
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, &stripe.CheckoutSessionRetrieveParams{Params: stripe.Params{
			Expand: []*string{stripe.String("line_items.data.discounts")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LineItems.Data[0].Discounts).NotTo(BeNil())
		Expect(got.LineItems.Data[0].Discounts).To(BeEmpty())

		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10)})
		Expect(err).NotTo(HaveOccurred())
		off := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			Discounts: []*stripe.CheckoutSessionCreateDiscountParams{{Coupon: stripe.String(c.ID)}}})
		status, body, err := emu.Call("GET", "/v1/checkout/sessions/"+off.ID+"/line_items?expand[]=data.discounts", nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(400), "%v", body)
		Expect(body["error"].(map[string]any)["message"]).To(ContainSubstring("stripe-emu does not emulate"))
	})

	It("shows a completed payment-mode session's discount in total_details.breakdown and in its line items' discounts, as the Discount redeemed for the session", func() {
		poster := oneTimePrice(sc, "Poster", 1200)
		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("once")})
		Expect(err).NotTo(HaveOccurred())
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: []*stripe.CheckoutSessionCreateLineItemParams{
			{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}, {Price: stripe.String(poster.ID), Quantity: stripe.Int64(1)}},
			Discounts: []*stripe.CheckoutSessionCreateDiscountParams{{Coupon: stripe.String(c.ID)}}})
		status, body := complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)

		rp := &stripe.CheckoutSessionRetrieveParams{}
		rp.AddExpand("total_details.breakdown")
		rp.AddExpand("line_items.data.discounts")
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, rp)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.TotalDetails.AmountDiscount).To(Equal(int64(270)))
		b := got.TotalDetails.Breakdown
		Expect(b.Discounts).To(HaveLen(1))
		Expect(b.Discounts[0].Amount).To(Equal(int64(270)))
		d := b.Discounts[0].Discount
		Expect(d.ID).To(HavePrefix("di_"))
		Expect(d.CheckoutSession).To(Equal(s.ID))
		Expect(d.Coupon.ID).To(Equal(c.ID))
		Expect(b.Taxes).To(BeEmpty())

		Expect(got.LineItems.Data).To(HaveLen(2))
		for i, want := range []int64{150, 120} {
			li := got.LineItems.Data[i]
			Expect(li.AmountDiscount).To(Equal(want))
			Expect(li.Discounts).To(HaveLen(1))
			Expect(li.Discounts[0].Amount).To(Equal(want))
			Expect(li.Discounts[0].Discount.ID).To(Equal(d.ID))
		}
		status, page, err := emu.Call("GET", "/v1/checkout/sessions/"+s.ID+"/line_items?expand[]=data.discounts", nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", page)
	})

	It("takes the locales Checkout is shown in, refusing others in Stripe's words", func() {
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, Locale: stripe.String("pt-BR")})
		Expect(s.Locale).To(Equal("pt-BR"))
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, Locale: stripe.String("ku")},
			"locale", "Invalid locale: must be one of auto, bg, cs, da, de, el, en, en-GB, es, es-419, et, fi, fil, fr, fr-CA, hr, hu, id, it, ja, ko, lt, lv, ms, mt, nb, nl, pl, pt, pt-BR, ro, ru, sk, sl, sv, th, tr, vi, zh, zh-HK, or zh-TW")
	})

	It("refuses at creation a statement descriptor or description longer than the objects it makes take", func() {
		long := strings.Repeat("A", 23)
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{StatementDescriptor: stripe.String(long)}},
			"payment_intent_data[statement_descriptor]", "Invalid string: AAAA...AAAA; must be at most 22 characters")
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{StatementDescriptorSuffix: stripe.String(long)}},
			"payment_intent_data[statement_descriptor_suffix]", "Invalid string: AAAA...AAAA; must be at most 22 characters")
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan,
			SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{Description: stripe.String(strings.Repeat("d", 501))}},
			"subscription_data[description]", "Invalid string: dddd...dddd; must be at most 500 characters")
	})

	It("refuses an expires_at outside 30 minutes to 24 hours, saying which bound it missed", func() {
		now := Epoch.Unix()
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, ExpiresAt: stripe.Int64(now + 29*60)},
			"expires_at", "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.")
		refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, ExpiresAt: stripe.Int64(now + 24*3600 + 1)},
			"expires_at", "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.")
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, ExpiresAt: stripe.Int64(now + 30*60)})
		Expect(s.ExpiresAt).To(Equal(now + 30*60))
	})

	It("expires an open session once, and says which status stops it after", func() {
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine})
		seen := len(emu.Events(""))
		got, err := sc.V1CheckoutSessions.Expire(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.CheckoutSessionStatusExpired))
		Expect(emu.EventTypes("")[seen:]).To(Equal([]string{"checkout.session.expired"}))
		_, err = sc.V1CheckoutSessions.Expire(Ctx, s.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of `expired`."))
	})

	It("expands the session's discounts' coupon and promotion code", func() {
		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{ID: stripe.String("SPRING"), PercentOff: stripe.Float64(10)})
		Expect(err).NotTo(HaveOccurred())
		promo, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(c.ID), Code: stripe.String("SPRING10")})
		Expect(err).NotTo(HaveOccurred())
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			Discounts: []*stripe.CheckoutSessionCreateDiscountParams{{PromotionCode: stripe.String(promo.ID)}}})
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, &stripe.CheckoutSessionRetrieveParams{Params: stripe.Params{
			Expand: []*string{stripe.String("discounts.coupon"), stripe.String("discounts.promotion_code")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Discounts[0].Coupon.PercentOff).To(Equal(float64(10)))
		Expect(got.Discounts[0].PromotionCode.Code).To(Equal("SPRING10"))
	})

	It("does not redeem a coupon past its max_redemptions when two open sessions offered it", func() {
		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), MaxRedemptions: stripe.Int64(1)})
		Expect(err).NotTo(HaveOccurred())
		withCoupon := func() *stripe.CheckoutSession {
			return create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
				Discounts: []*stripe.CheckoutSessionCreateDiscountParams{{Coupon: stripe.String(c.ID)}}})
		}
		first, second := withCoupon(), withCoupon()
		status, body := complete(first.ID)
		Expect(status).To(Equal(200), "%v", body)
		status, body = complete(second.ID)
		Expect(status).To(Equal(400), "%v", body)
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, second.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.CheckoutSessionStatusOpen))
		Expect(got.PaymentIntent).To(BeNil(), "nothing was charged")
		c, err = sc.V1Coupons.Retrieve(Ctx, c.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.TimesRedeemed).To(Equal(int64(1)))
	})

	It("redeems a session's promotion code once, for the attempt that pays, not for a declined card", func() {
		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50)})
		Expect(err).NotTo(HaveOccurred())
		promo, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(c.ID)})
		Expect(err).NotTo(HaveOccurred())
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			Discounts: []*stripe.CheckoutSessionCreateDiscountParams{{PromotionCode: stripe.String(promo.ID)}}})
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_card_chargeDeclined"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(402), "%v", body)
		promo, err = sc.V1PromotionCodes.Retrieve(Ctx, promo.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(promo.TimesRedeemed).To(BeZero(), "the declined attempt redeemed nothing")
		Expect(emu.Count("", "discount")).To(BeZero())

		status, body = complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
		promo, err = sc.V1PromotionCodes.Retrieve(Ctx, promo.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(promo.TimesRedeemed).To(Equal(int64(1)))
		c, err = sc.V1Coupons.Retrieve(Ctx, c.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.TimesRedeemed).To(Equal(int64(1)))
	})

	It("retries a declined payment on the session's one PaymentIntent", func() {
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine})
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_card_chargeDeclined"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(402), "%v", body)
		declined, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(declined.PaymentIntent).NotTo(BeNil(), "the attempt made the session's PaymentIntent")

		status, body = complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["payment_intent"]).To(Equal(declined.PaymentIntent.ID))
		Expect(emu.Count("", "payment_intent")).To(Equal(1))
		created := 0
		for _, t := range emu.EventTypes("") {
			if t == "payment_intent.created" {
				created++
			}
		}
		Expect(created).To(Equal(1))
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, declined.PaymentIntent.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(pi.Amount).To(Equal(int64(1500)))
	})

	It("cancels the PaymentIntent a declined attempt left when the session expires, by the API or on the clock", func() {
		for _, byClock := range []bool{false, true} {
			s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine})
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_card_chargeDeclined"}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(402), "%v", body)
			seen := len(emu.Events(""))
			if byClock {
				emu.Clock().Set(time.Unix(s.ExpiresAt, 0).Add(time.Minute))
			} else {
				_, err = sc.V1CheckoutSessions.Expire(Ctx, s.ID, nil)
				Expect(err).NotTo(HaveOccurred())
			}
			got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, &stripe.CheckoutSessionRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("payment_intent")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.CheckoutSessionStatusExpired))
			Expect(got.PaymentIntent.Status).To(Equal(stripe.PaymentIntentStatusCanceled), "no later attempt can pay it")
			Expect(got.PaymentIntent.CancellationReason).To(Equal(stripe.PaymentIntentCancellationReasonExpired))
			Expect(emu.EventTypes("")[seen:]).To(Equal([]string{"payment_intent.canceled", "checkout.session.expired"}))
		}
	})

	It("refuses to cancel the session's PaymentIntent directly unless it awaits capture, as Stripe's cancel reference says, changing nothing", func() {
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine})
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_card_chargeDeclined"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(402), "%v", body)
		declined, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		mark := len(emu.EventTypes(""))
		_, err = sc.V1PaymentIntents.Cancel(Ctx, declined.PaymentIntent.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("You cannot perform this action on PaymentIntents created by Checkout. (Hint: The feature you are trying to use is deprecated.)"))
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, declined.PaymentIntent.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(emu.EventTypes("")[mark:]).To(BeEmpty())
		// Expiring the session is the way to end it.
		expired, err := sc.V1CheckoutSessions.Expire(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(expired.Status).To(Equal(stripe.CheckoutSessionStatusExpired))

		// A held payment can be canceled directly.
		held := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{CaptureMethod: stripe.String("manual")}})
		status, body = complete(held.ID)
		Expect(status).To(Equal(200), "%v", body)
		pi, err = sc.V1PaymentIntents.Cancel(Ctx, body["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusCanceled))
	})

	It("completes a no-cost order without a payment: no PaymentIntent, no_payment_required, a customer made", func() {
		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(100)})
		Expect(err).NotTo(HaveOccurred())
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			Discounts: []*stripe.CheckoutSessionCreateDiscountParams{{Coupon: stripe.String(c.ID)}}})
		Expect(s.AmountTotal).To(BeZero())
		seen := len(emu.Events(""))
		status, body := complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["status"]).To(Equal("complete"))
		Expect(body["payment_status"]).To(Equal("no_payment_required"))
		Expect(body["payment_intent"]).To(BeNil(), "nothing to charge, so no PaymentIntent")
		Expect(body["customer"]).To(HavePrefix("cus_"), "guest customers are not supported for no-cost orders")
		Expect(emu.EventTypes("")[seen:]).To(Equal([]string{"customer.created", "checkout.session.completed"}))
		Expect(emu.Count("", "payment_intent")).To(BeZero())
		c, err = sc.V1Coupons.Retrieve(Ctx, c.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.TimesRedeemed).To(Equal(int64(1)))
	})

	It("shows customer_creation null on a session for an existing customer, in every mode, as Stripe's payloads do: there is no customer to create", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("known@example.com")})
		Expect(err).NotTo(HaveOccurred())
		for _, p := range []*stripe.CheckoutSessionCreateParams{
			{Mode: stripe.String("payment"), LineItems: ticketLine, Customer: stripe.String(cus.ID)},
			{Mode: stripe.String("subscription"), LineItems: plan, Customer: stripe.String(cus.ID)},
			{Mode: stripe.String("setup"), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID)},
		} {
			s := create(p)
			Expect(s.CustomerCreation).To(BeEmpty(), "%s mode", s.Mode)
			status, body := complete(s.ID)
			Expect(status).To(Equal(200), "%v", body)
			Expect(body).To(HaveKeyWithValue("customer_creation", BeNil()))
			Expect(body["customer"]).To(Equal(cus.ID))
		}
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine})
		Expect(s.CustomerCreation).To(Equal(stripe.CheckoutSessionCustomerCreationIfRequired), "without a customer, the default")
	})

	It("saves the name the customer types onto an existing customer with customer_update[name]=auto, as the parameter says, and not without it", func() {
		for _, auto := range []bool{true, false} {
			cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("known@example.com"), Name: stripe.String("Old Name")})
			Expect(err).NotTo(HaveOccurred())
			p := &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, Customer: stripe.String(cus.ID)}
			if auto {
				p.CustomerUpdate = &stripe.CheckoutSessionCreateCustomerUpdateParams{Name: stripe.String("auto")}
			}
			s := create(p)
			from := len(emu.EventTypes(""))
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete",
				url.Values{"payment_method": {"pm_card_visa"}, "name": {"Jo Buyer"}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["customer_details"]).To(HaveKeyWithValue("name", "Jo Buyer"))
			got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			if auto {
				Expect(got.Name).To(Equal("Jo Buyer"))
				Expect(emu.EventTypes("")[from:]).To(ContainElement("customer.updated"))
			} else {
				Expect(got.Name).To(Equal("Old Name"), "customer_update[name] defaults to never")
				Expect(emu.EventTypes("")[from:]).NotTo(ContainElement("customer.updated"))
			}
		}
	})

	It("shows a post-payment invoice's issuer as the account itself when invoice_creation is enabled without one, as Stripe's sessions do, and none while disabled", func() {
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			InvoiceCreation: &stripe.CheckoutSessionCreateInvoiceCreationParams{Enabled: stripe.Bool(true)}})
		Expect(s.InvoiceCreation.InvoiceData.Issuer).NotTo(BeNil())
		Expect(s.InvoiceCreation.InvoiceData.Issuer.Type).To(Equal(stripe.CheckoutSessionInvoiceCreationInvoiceDataIssuerTypeSelf))
		Expect(s.InvoiceCreation.InvoiceData.RenderingOptions).To(BeNil())
		status, body := complete(s.ID)
		Expect(status).To(Equal(200), "%v", body)
		inv, err := sc.V1Invoices.Retrieve(Ctx, body["invoice"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Issuer.Type).To(Equal(stripe.InvoiceIssuerTypeSelf))

		s = create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine})
		Expect(s.InvoiceCreation.Enabled).To(BeFalse())
		Expect(s.InvoiceCreation.InvoiceData.Issuer).To(BeNil(), "no invoice, no issuer")
	})

	Describe("payment_method_collection", func() {
		It("shows if_required on a payment-mode session, its own or a payment link's, as Stripe's basil payloads do", func() {
			s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine})
			Expect(s.PaymentMethodCollection).To(Equal(stripe.CheckoutSessionPaymentMethodCollectionIfRequired))
			status, body := complete(s.ID)
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["payment_method_collection"]).To(Equal("if_required"))

			link, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{
				{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}}})
			Expect(err).NotTo(HaveOccurred())
			opened, err := emu.OpenPaymentLink("", link.ID)
			Expect(err).NotTo(HaveOccurred())
			Expect(opened["payment_method_collection"]).To(Equal("if_required"))

			s = create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan})
			Expect(s.PaymentMethodCollection).To(Equal(stripe.CheckoutSessionPaymentMethodCollectionAlways), "subscription mode's default")
		})

		It("starts a free trial without a payment method when asked only if required", func() {
			s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan,
				PaymentMethodCollection: stripe.String("if_required"),
				SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(14),
					TrialSettings: &stripe.CheckoutSessionCreateSubscriptionDataTrialSettingsParams{EndBehavior: &stripe.CheckoutSessionCreateSubscriptionDataTrialSettingsEndBehaviorParams{
						MissingPaymentMethod: stripe.String("cancel")}}}})
			Expect(s.PaymentMethodCollection).To(Equal(stripe.CheckoutSessionPaymentMethodCollectionIfRequired))
			status, body := complete(s.ID)
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["payment_status"]).To(Equal("no_payment_required"))
			sub := mustSubscription(sc, body["subscription"].(string))
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
			Expect(sub.DefaultPaymentMethod).To(BeNil(), "the page asked for no payment method")
			Expect(emu.EventTypes("")).NotTo(ContainElement("payment_method.attached"))

			emu.Clock().Set(time.Unix(sub.TrialEnd, 0).Add(time.Hour))
			Expect(mustSubscription(sc, sub.ID).Status).To(Equal(stripe.SubscriptionStatusCanceled), "the trial ended without a payment method")
		})

		It("still collects a payment method when something is due today, and by default", func() {
			s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan,
				PaymentMethodCollection: stripe.String("if_required")})
			status, body := complete(s.ID)
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["payment_status"]).To(Equal("paid"))
			Expect(mustSubscription(sc, body["subscription"].(string)).DefaultPaymentMethod).NotTo(BeNil())

			s = create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan, PaymentMethodCollection: stripe.String("always"),
				SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(14)}})
			Expect(s.PaymentMethodCollection).To(Equal(stripe.CheckoutSessionPaymentMethodCollectionAlways))
			status, body = complete(s.ID)
			Expect(status).To(Equal(200), "%v", body)
			Expect(mustSubscription(sc, body["subscription"].(string)).DefaultPaymentMethod).NotTo(BeNil())
		})

		It("starts a subscription a 100%-off discount makes free without a payment method, nothing being due", func() {
			free, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(100), Duration: stripe.String("forever")})
			Expect(err).NotTo(HaveOccurred())
			s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan,
				PaymentMethodCollection: stripe.String("if_required"),
				Discounts:               []*stripe.CheckoutSessionCreateDiscountParams{{Coupon: stripe.String(free.ID)}}})
			Expect(s.AmountTotal).To(Equal(int64(0)))
			status, body := complete(s.ID)
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["status"]).To(Equal("complete"))
			Expect(body["payment_status"]).To(Equal("no_payment_required"))
			sub := mustSubscription(sc, body["subscription"].(string), "latest_invoice")
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
			Expect(sub.DefaultPaymentMethod).To(BeNil(), "the page asked for no payment method")
			Expect(sub.LatestInvoice.ID).To(Equal(body["invoice"]))
			Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(sub.LatestInvoice.AmountDue).To(Equal(int64(0)))
			Expect(emu.EventTypes("")).NotTo(ContainElement("payment_method.attached"))
		})

		It("is refused outside subscription mode, creating nothing", func() {
			refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine, PaymentMethodCollection: stripe.String("if_required")},
				"payment_method_collection", "`payment_method_collection` can only be used in `subscription` mode.")
		})
	})

	It("sends the customer on from the hosted page to success_url with {CHECKOUT_SESSION_ID} filled in, the session keeping the template", func() {
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine,
			SuccessURL: stripe.String("https://shop.example/thanks?session_id={CHECKOUT_SESSION_ID}")})
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noRedirect.PostForm(s.URL, url.Values{"payment_method": {"pm_card_visa"}})
		Expect(err).NotTo(HaveOccurred())
		res.Body.Close()
		Expect(res.StatusCode).To(Equal(http.StatusSeeOther))
		Expect(res.Header.Get("Location")).To(Equal("https://shop.example/thanks?session_id=" + s.ID))
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.CheckoutSessionStatusComplete))
		Expect(got.SuccessURL).To(Equal("https://shop.example/thanks?session_id={CHECKOUT_SESSION_ID}"))
	})

	It("lists sessions by status, refusing a status Checkout Sessions do not have as Stripe's enums are refused", func() {
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine})
		create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine})
		_, err := sc.V1CheckoutSessions.Expire(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		var ids []string
		for got, err := range sc.V1CheckoutSessions.List(Ctx, &stripe.CheckoutSessionListParams{Status: stripe.String("expired")}) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, got.ID)
		}
		Expect(ids).To(Equal([]string{s.ID}))
		var listErr error
		for _, err := range sc.V1CheckoutSessions.List(Ctx, &stripe.CheckoutSessionListParams{Status: stripe.String("paid")}) {
			listErr = err
			break
		}
		ExpectStripeError(listErr, 400, "invalid_request_error", "", "status")
		Expect(StripeErr(listErr).Msg).To(Equal("Invalid status: must be one of complete, expired, or open"))
	})

	It("lists sessions by customer, customer_details[email], payment_intent, subscription and created, the filters combining", func() {
		paid := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine})
		status, body := complete(paid.ID)
		Expect(status).To(Equal(200), "%v", body)
		pi, cus := body["payment_intent"].(string), body["customer"]
		emu.Clock().Advance(time.Hour)
		later := emu.Clock().Now().Unix()
		subscribed := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan, CustomerEmail: stripe.String("jo@example.com")})
		status, body = complete(subscribed.ID)
		Expect(status).To(Equal(200), "%v", body)
		sub, subCus := body["subscription"].(string), body["customer"].(string)
		open := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), LineItems: plan, Customer: stripe.String(subCus)})

		ids := func(p *stripe.CheckoutSessionListParams) []string {
			GinkgoHelper()
			var out []string
			for s, err := range sc.V1CheckoutSessions.List(Ctx, p) {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, s.ID)
			}
			return out
		}
		Expect(cus).To(BeNil(), "a paid one-time order makes no customer unless asked")
		Expect(ids(&stripe.CheckoutSessionListParams{PaymentIntent: stripe.String(pi)})).To(Equal([]string{paid.ID}))
		Expect(ids(&stripe.CheckoutSessionListParams{Subscription: stripe.String(sub)})).To(Equal([]string{subscribed.ID}))
		Expect(ids(&stripe.CheckoutSessionListParams{Customer: stripe.String(subCus)})).To(Equal([]string{open.ID, subscribed.ID}), "newest first")
		Expect(ids(&stripe.CheckoutSessionListParams{CustomerDetails: &stripe.CheckoutSessionListCustomerDetailsParams{Email: stripe.String("jo@example.com")}})).To(Equal([]string{subscribed.ID}),
			"an open session has no customer_details yet")
		Expect(ids(&stripe.CheckoutSessionListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: later}})).To(Equal([]string{open.ID, subscribed.ID}))
		Expect(ids(&stripe.CheckoutSessionListParams{Customer: stripe.String(subCus), Status: stripe.String("complete")})).To(Equal([]string{subscribed.ID}))
		Expect(ids(&stripe.CheckoutSessionListParams{Subscription: stripe.String(sub), Status: stripe.String("open")})).To(BeEmpty())
	})

	It("pages through a session's line items as Stripe lists do, ten at a time unless asked", func() {
		var lines []*stripe.CheckoutSessionCreateLineItemParams
		for i := 0; i < 12; i++ {
			lines = append(lines, &stripe.CheckoutSessionCreateLineItemParams{Quantity: stripe.Int64(1),
				PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(int64(100 + i)),
					ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Item")}}})
		}
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: lines})
		var amounts []int64
		for li, err := range sc.V1CheckoutSessions.ListLineItems(Ctx, &stripe.CheckoutSessionListLineItemsParams{Session: stripe.String(s.ID),
			ListParams: stripe.ListParams{Limit: stripe.Int64(5)}}) {
			Expect(err).NotTo(HaveOccurred())
			amounts = append(amounts, li.AmountSubtotal)
		}
		Expect(amounts).To(HaveLen(12))
		Expect(amounts[0]).To(Equal(int64(100)), "in the order they were given")
		Expect(amounts[11]).To(Equal(int64(111)))

		status, page, err := emu.Call("GET", "/v1/checkout/sessions/"+s.ID+"/line_items", nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", page)
		Expect(page["data"]).To(HaveLen(10))
		Expect(page["has_more"]).To(BeTrue())
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, &stripe.CheckoutSessionRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("line_items")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LineItems.Data).To(HaveLen(10), "the expanded list is its first page")
		Expect(got.LineItems.HasMore).To(BeTrue())

		var linkLines []*stripe.PaymentLinkCreateLineItemParams
		for i := 0; i < 12; i++ {
			linkLines = append(linkLines, &stripe.PaymentLinkCreateLineItemParams{Price: stripe.String(oneTimePrice(sc, "Item", int64(100+i)).ID), Quantity: stripe.Int64(1)})
		}
		link, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: linkLines})
		Expect(err).NotTo(HaveOccurred())
		n := 0
		for _, err := range sc.V1PaymentLinks.ListLineItems(Ctx, &stripe.PaymentLinkListLineItemsParams{PaymentLink: stripe.String(link.ID),
			ListParams: stripe.ListParams{Limit: stripe.Int64(5)}}) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		Expect(n).To(Equal(12))
	})

	It("expands the products of a session's and a payment link's line items' prices, as integrators fulfil orders by them", func() {
		s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), LineItems: ticketLine})
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, &stripe.CheckoutSessionRetrieveParams{Params: stripe.Params{
			Expand: []*string{stripe.String("line_items.data.price.product")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LineItems.Data[0].Price.Product.Name).To(Equal("Setup fee"))
		n := 0
		for li, err := range sc.V1CheckoutSessions.ListLineItems(Ctx, &stripe.CheckoutSessionListLineItemsParams{Session: stripe.String(s.ID),
			ListParams: stripe.ListParams{Expand: []*string{stripe.String("data.price.product")}}}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(li.Price.Product.Name).To(Equal("Setup fee"))
			n++
		}
		Expect(n).To(Equal(1))

		link, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{
			{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}}})
		Expect(err).NotTo(HaveOccurred())
		gotLink, err := sc.V1PaymentLinks.Retrieve(Ctx, link.ID, &stripe.PaymentLinkRetrieveParams{Params: stripe.Params{
			Expand: []*string{stripe.String("line_items.data.price.product")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(gotLink.LineItems.Data[0].Price.Product.Name).To(Equal("Setup fee"))
	})
})

// mustSubscription retrieves a subscription, with expand[] of the paths
// given.
func mustSubscription(sc *stripe.Client, id string, expand ...string) *stripe.Subscription {
	GinkgoHelper()
	p := &stripe.SubscriptionRetrieveParams{}
	for _, e := range expand {
		p.AddExpand(e)
	}
	sub, err := sc.V1Subscriptions.Retrieve(Ctx, id, p)
	Expect(err).NotTo(HaveOccurred())
	return sub
}
