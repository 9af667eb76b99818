package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Multi-currency prices: one price in USD with amounts of its own in EUR
// and GBP (currency_options), billed in whichever currency the
// subscription, Checkout Session, Payment Link or invoice item is in.
var _ = Describe("Prices in several currencies (currency_options)", Label("billing", "currencies"), func() {
	var (
		emu  *emulator.Emulator
		sc   *stripe.Client
		prod *stripe.Product
		plan *stripe.Price // $10.00, €9.00, £8.00 a month
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		prod, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		plan, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
			CurrencyOptions: map[string]*stripe.PriceCreateCurrencyOptionsParams{
				"eur": {UnitAmount: stripe.Int64(900)},
				"gbp": {UnitAmountDecimal: stripe.Float64(800), TaxBehavior: stripe.String("inclusive")},
			},
		})
		Expect(err).NotTo(HaveOccurred())
	})

	withOptions := func(id string) *stripe.Price {
		GinkgoHelper()
		p := &stripe.PriceRetrieveParams{}
		p.AddExpand("currency_options")
		price, err := sc.V1Prices.Retrieve(Ctx, id, p)
		Expect(err).NotTo(HaveOccurred())
		return price
	}

	It("shows its options, its own currency among them, only when expanded", func() {
		Expect(plan.Currency).To(Equal(stripe.CurrencyUSD))
		Expect(plan.UnitAmount).To(Equal(int64(1000)))
		Expect(plan.CurrencyOptions).To(BeNil(), "not included unless expanded")
		_, raw, err := emu.Call("GET", "/v1/prices/"+plan.ID, nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(raw).NotTo(HaveKey("currency_options"))

		price := withOptions(plan.ID)
		Expect(price.CurrencyOptions).To(HaveLen(3))
		usd, eur, gbp := price.CurrencyOptions["usd"], price.CurrencyOptions["eur"], price.CurrencyOptions["gbp"]
		Expect(usd.UnitAmount).To(Equal(int64(1000)))
		Expect(usd.TaxBehavior).To(Equal(stripe.PriceCurrencyOptionsTaxBehaviorUnspecified))
		Expect(eur.UnitAmount).To(Equal(int64(900)))
		Expect(eur.UnitAmountDecimal).To(Equal(float64(900)))
		Expect(eur.TaxBehavior).To(Equal(stripe.PriceCurrencyOptionsTaxBehaviorUnspecified), "the price's, not sent")
		Expect(gbp.UnitAmount).To(Equal(int64(800)))
		Expect(gbp.TaxBehavior).To(Equal(stripe.PriceCurrencyOptionsTaxBehaviorInclusive))

		lp := &stripe.PriceListParams{Product: stripe.String(prod.ID)}
		lp.AddExpand("data.currency_options")
		for p, err := range sc.V1Prices.List(Ctx, lp) {
			Expect(err).NotTo(HaveOccurred())
			Expect(p.CurrencyOptions).To(HaveKey("gbp"))
		}
		ev := emu.Events("")
		// A recurring price is a plan too: plan.created follows.
		Expect(ev[len(ev)-2]["type"]).To(Equal("price.created"))
		Expect(ev[len(ev)-1]["type"]).To(Equal("plan.created"))
		Expect(ev[len(ev)-2]["data"].(map[string]any)["object"]).NotTo(HaveKey("currency_options"))
	})

	It("adds and replaces options on update, with price.updated", func() {
		price, err := sc.V1Prices.Update(Ctx, plan.ID, &stripe.PriceUpdateParams{CurrencyOptions: map[string]*stripe.PriceUpdateCurrencyOptionsParams{
			"eur": {UnitAmount: stripe.Int64(950)}, "jpy": {UnitAmount: stripe.Int64(1500)},
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect(price.UnitAmount).To(Equal(int64(1000)))
		types := emu.EventTypes("")
		Expect(types[len(types)-1]).To(Equal("price.updated"))
		price = withOptions(plan.ID)
		Expect(price.CurrencyOptions).To(HaveLen(4))
		Expect(price.CurrencyOptions["eur"].UnitAmount).To(Equal(int64(950)))
		Expect(price.CurrencyOptions["jpy"].UnitAmount).To(Equal(int64(1500)))
		Expect(price.CurrencyOptions["gbp"].UnitAmount).To(Equal(int64(800)), "an option not sent stays")

		By("keeping an option's tax behavior once inclusive or exclusive")
		_, err = sc.V1Prices.Update(Ctx, plan.ID, &stripe.PriceUpdateParams{CurrencyOptions: map[string]*stripe.PriceUpdateCurrencyOptionsParams{
			"gbp": {UnitAmount: stripe.Int64(700), TaxBehavior: stripe.String("exclusive")},
		}})
		Expect(StripeErr(err).Param).To(Equal("currency_options[gbp][tax_behavior]"))
		Expect(withOptions(plan.ID).CurrencyOptions["gbp"].UnitAmount).To(Equal(int64(800)), "nothing changed")
	})

	Describe("refusals, which change nothing", func() {
		create := func(opts map[string]*stripe.PriceCreateCurrencyOptionsParams) error {
			_, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
				Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000), CurrencyOptions: opts})
			return err
		}
		It("refuses an option in the price's own currency, an unsupported currency, or one without an amount", func() {
			prices, events := emu.Count("", "price"), len(emu.Events(""))
			err := create(map[string]*stripe.PriceCreateCurrencyOptionsParams{"usd": {UnitAmount: stripe.Int64(900)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "currency_options[usd]")

			err = create(map[string]*stripe.PriceCreateCurrencyOptionsParams{"xyz": {UnitAmount: stripe.Int64(900)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "currency_options[xyz]")
			Expect(StripeErr(err).Msg).To(HavePrefix("Invalid currency: xyz. Stripe currently supports these currencies: usd, aed, afn,"))

			err = create(map[string]*stripe.PriceCreateCurrencyOptionsParams{"eur": {TaxBehavior: stripe.String("exclusive")}})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "currency_options[eur][unit_amount]")

			err = create(map[string]*stripe.PriceCreateCurrencyOptionsParams{"eur": {UnitAmount: stripe.Int64(900), UnitAmountDecimal: stripe.Float64(900)}})
			ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "currency_options[eur][unit_amount]")

			err = create(map[string]*stripe.PriceCreateCurrencyOptionsParams{"eur": {Tiers: []*stripe.PriceCreateCurrencyOptionsTierParams{
				{UpToInf: stripe.Bool(true), UnitAmount: stripe.Int64(900)}}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "currency_options[eur][tiers]")

			Expect(emu.Count("", "price")).To(Equal(prices))
			Expect(emu.Events("")).To(HaveLen(events))
		})

		It("refuses a subscription, invoice item or Checkout Session in a currency the price has no option for", func() {
			cus := customerWithCard(sc, "yen@example.com", "pm_card_visa", "")
			_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("jpy"),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(plan.ID)}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "items[0][price]")
			Expect(StripeErr(err).Msg).To(Equal("The price specified supports currencies of `eur, gbp, usd` which doesn't include the expected currency of `jpy`."))

			_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("jpy"),
				Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(plan.ID)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "pricing[price]")

			_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), Currency: stripe.String("jpy"),
				SuccessURL: stripe.String("https://x.example/ok"),
				LineItems:  []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(plan.ID), Quantity: stripe.Int64(1)}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][price]")

			Expect(emu.Count("", "subscription")).To(BeZero())
			Expect(emu.Count("", "invoice")).To(BeZero())
			Expect(emu.Count("", "invoiceitem")).To(BeZero())
			Expect(emu.Count("", "checkout.session")).To(BeZero())
		})

		It("refuses removing the options while a subscription is billed in one", func() {
			cus := customerWithCard(sc, "eur@example.com", "pm_card_visa", "")
			_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("eur"),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(plan.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			p := &stripe.PriceUpdateParams{}
			p.AddExtra("currency_options", "")
			_, err = sc.V1Prices.Update(Ctx, plan.ID, p)
			ExpectStripeError(err, 400, "invalid_request_error", "", "currency_options")
			Expect(withOptions(plan.ID).CurrencyOptions).To(HaveLen(3))
		})
	})

	It("writes a line's unit amount as Stripe does: a zero-decimal currency in whole units, the interval count spelled out", func() {
		cus := customerWithCard(sc, "jpy@example.com", "pm_card_visa", "")
		jpy, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(plan.Product.ID), Currency: stripe.String("jpy"), UnitAmount: stripe.Int64(3000),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(jpy.ID)}}}
		p.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.Total).To(Equal(int64(3000)))
		Expect(sub.LatestInvoice.Lines.Data[0].Description).To(Equal("1 × Pro (at ¥3,000 / month)"))

		other := customerWithCard(sc, "usd@example.com", "pm_card_visa", "")
		quarterly, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(plan.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(123456),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), IntervalCount: stripe.Int64(3)}})
		Expect(err).NotTo(HaveOccurred())
		p = &stripe.SubscriptionCreateParams{Customer: stripe.String(other.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(quarterly.ID)}}}
		p.AddExpand("latest_invoice")
		sub, err = sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.Lines.Data[0].Description).To(Equal("1 × Pro (at $1,234.56 / every 3 months)"))
	})

	It("bills a subscription in EUR at the EUR amount, and renews at it", func() {
		cus := customerWithCard(sc, "eur@example.com", "pm_card_visa", "")
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("eur"),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(plan.ID), Quantity: stripe.Int64(2)}}}
		p.AddExpand("latest_invoice.payments")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.Items.Data[0].Price.Currency).To(Equal(stripe.CurrencyUSD), "the price is the same object, in its own currency")
		inv := sub.LatestInvoice
		Expect(inv.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(inv.Total).To(Equal(int64(1800)))
		Expect(inv.AmountPaid).To(Equal(int64(1800)))
		line := inv.Lines.Data[0]
		Expect(line.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(line.Amount).To(Equal(int64(1800)))
		Expect(line.Pricing.UnitAmountDecimal).To(Equal(float64(900)))
		Expect(line.Description).To(Equal("2 × Pro (at €9.00 / month)"))
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, inv.Payments.Data[0].Payment.PaymentIntent.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(pi.Amount).To(Equal(int64(1800)))
		// Offering cards, it shows Stripe's card option defaults, as an
		// intent made through the API does.
		Expect(pi.PaymentMethodOptions.Card).NotTo(BeNil())
		Expect(pi.PaymentMethodOptions.Card.RequestThreeDSecure).To(Equal(stripe.PaymentIntentPaymentMethodOptionsCardRequestThreeDSecureAutomatic))

		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		renewal, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(renewal.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(renewal.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(renewal.Total).To(Equal(int64(1800)))
		Expect(renewal.Status).To(Equal(stripe.InvoiceStatusPaid))

		By("prorating a quantity change in EUR, and refusing a price without EUR")
		emu.Clock().Set(Epoch.AddDate(0, 1, 15))
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(3)}}})
		Expect(err).NotTo(HaveOccurred())
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(ii.Currency).To(Equal(stripe.CurrencyEUR))
			Expect(ii.Proration).To(BeTrue())
		}
		usdOnly := recurringPrice(sc, prod.ID, "month", 300)
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{Price: stripe.String(usdOnly.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "items[0][price]")
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Items.Data).To(HaveLen(1))
	})

	It("starts a schedule's subscription in its phase's currency", func() {
		cus := customerWithCard(sc, "sched@example.com", "pm_card_visa", "")
		sched, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Currency: stripe.String("gbp"), Iterations: stripe.Int64(2),
				Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(plan.ID)}}}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(sched.Phases[0].Currency).To(Equal(stripe.CurrencyGBP))
		gp := &stripe.SubscriptionRetrieveParams{}
		gp.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, sched.Subscription.ID, gp)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Currency).To(Equal(stripe.CurrencyGBP))
		Expect(sub.LatestInvoice.Total).To(Equal(int64(800)))
	})

	It("bills metered usage in arrears at the option's amount", func() {
		meter, err := sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{
			DisplayName: stripe.String("API calls"), EventName: stripe.String("api_call"),
			DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("sum")},
		})
		Expect(err).NotTo(HaveOccurred())
		calls, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(3),
			Recurring:       &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String(meter.ID)},
			CurrencyOptions: map[string]*stripe.PriceCreateCurrencyOptionsParams{"eur": {UnitAmountDecimal: stripe.Float64(2.5)}}})
		Expect(err).NotTo(HaveOccurred())
		cus := customerWithCard(sc, "calls@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("eur"),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(calls.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("api_call"),
			Payload: map[string]string{"stripe_customer_id": cus.ID, "value": "101"}, Timestamp: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		line := sub.LatestInvoice.Lines.Data[0]
		Expect(line.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(line.Quantity).To(Equal(int64(101)))
		Expect(line.Amount).To(Equal(int64(253)), "101 × 2.5 cents, rounded once")
		Expect(line.Pricing.UnitAmountDecimal).To(Equal(2.5))
	})

	It("bills a customer whose currency is set in it, without currency sent", func() {
		cus := customerWithCard(sc, "gbp@example.com", "pm_card_visa", "")
		_, err := sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{
			Customer: stripe.String(cus.ID), Amount: stripe.Int64(-100), Currency: stripe.String("gbp")})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(plan.ID)}}}
		p.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Currency).To(Equal(stripe.CurrencyGBP))
		Expect(sub.LatestInvoice.Subtotal).To(Equal(int64(800)))
		Expect(sub.LatestInvoice.Total).To(Equal(int64(800)))
		Expect(sub.LatestInvoice.AmountDue).To(Equal(int64(700)), "the customer's £1.00 credit applied")
	})

	It("opens a Checkout Session in GBP, and completes it into a GBP subscription", func() {
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), Currency: stripe.String("gbp"),
			SuccessURL: stripe.String("https://x.example/ok"),
			LineItems:  []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(plan.ID), Quantity: stripe.Int64(3)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Currency).To(Equal(stripe.CurrencyGBP))
		Expect(s.AmountSubtotal).To(Equal(int64(2400)))
		Expect(s.AmountTotal).To(Equal(int64(2400)))
		for li, err := range sc.V1CheckoutSessions.ListLineItems(Ctx, &stripe.CheckoutSessionListLineItemsParams{Session: stripe.String(s.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(li.Currency).To(Equal(stripe.CurrencyGBP))
			Expect(li.AmountTotal).To(Equal(int64(2400)))
			Expect(li.Price.ID).To(Equal(plan.ID))
		}
		done, err := emu.CompleteCheckout("", s.ID, "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		gp := &stripe.SubscriptionRetrieveParams{}
		gp.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, done["subscription"].(string), gp)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Currency).To(Equal(stripe.CurrencyGBP))
		Expect(sub.LatestInvoice.Total).To(Equal(int64(2400)))
		Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
	})

	It("charges a one-time Checkout Session and Payment Link in an option's currency", func() {
		bottle, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(2000),
			CurrencyOptions: map[string]*stripe.PriceCreateCurrencyOptionsParams{"eur": {UnitAmount: stripe.Int64(1850)}}})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), Currency: stripe.String("eur"),
			SuccessURL: stripe.String("https://x.example/ok"),
			LineItems:  []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(bottle.ID), Quantity: stripe.Int64(2)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.AmountTotal).To(Equal(int64(3700)))
		done, err := emu.CompleteCheckout("", s.ID, "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, done["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(pi.Amount).To(Equal(int64(3700)))

		link, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{Currency: stripe.String("eur"),
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(bottle.ID), Quantity: stripe.Int64(1)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(link.Currency).To(Equal(stripe.CurrencyEUR))
		opened, err := emu.OpenPaymentLink("", link.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(opened["currency"]).To(Equal("eur"))
		Expect(opened["amount_total"]).To(BeNumerically("==", 1850))

		_, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{Currency: stripe.String("gbp"),
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(bottle.ID), Quantity: stripe.Int64(1)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][price]")
	})

	It("bills an invoice item in an option's currency, and an invoice in it", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("items@example.com")})
		Expect(err).NotTo(HaveOccurred())
		ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("eur"),
			Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(plan.ID)}, Quantity: stripe.Int64(2)})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(ii.Amount).To(Equal(int64(1800)))
		Expect(ii.Pricing.UnitAmountDecimal).To(Equal(float64(900)))

		ii, err = sc.V1InvoiceItems.Update(Ctx, ii.ID, &stripe.InvoiceItemUpdateParams{Quantity: stripe.Int64(3)})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Amount).To(Equal(int64(2700)))

		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("eur"),
			PendingInvoiceItemsBehavior: stripe.String("include"), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(inv.Total).To(Equal(int64(2700)))

		By("pricing an item added to an invoice in the invoice's currency")
		ii, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(plan.ID)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(ii.Amount).To(Equal(int64(900)))
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(3600)))
	})

	Describe("tiered prices", func() {
		var seats *stripe.Price
		BeforeEach(func() {
			// 1–5 at $10.00 / €9.00; 6 and up at $8.00 / €7.00 plus a
			// $5.00 / €4.00 flat fee.
			var err error
			seats, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
				Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
				Recurring:     &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
				BillingScheme: stripe.String("tiered"), TiersMode: stripe.String("graduated"),
				Tiers: []*stripe.PriceCreateTierParams{
					{UpTo: stripe.Int64(5), UnitAmount: stripe.Int64(1000)},
					{UpToInf: stripe.Bool(true), UnitAmount: stripe.Int64(800), FlatAmount: stripe.Int64(500)},
				},
				CurrencyOptions: map[string]*stripe.PriceCreateCurrencyOptionsParams{"eur": {Tiers: []*stripe.PriceCreateCurrencyOptionsTierParams{
					{UpTo: stripe.Int64(5), UnitAmount: stripe.Int64(900)},
					{UpToInf: stripe.Bool(true), UnitAmount: stripe.Int64(700), FlatAmount: stripe.Int64(400)},
				}}},
			})
			Expect(err).NotTo(HaveOccurred())
		})

		It("shows an option's tiers when expanded, and bills by them", func() {
			price := withOptions(seats.ID)
			Expect(price.CurrencyOptions["eur"].Tiers).To(BeNil(), "tiers only when expanded")
			_, raw, err := emu.Call("GET", "/v1/prices/"+seats.ID+"?expand[]=currency_options", nil, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(raw["currency_options"].(map[string]any)["eur"]).NotTo(HaveKey("tiers"))

			p := &stripe.PriceRetrieveParams{}
			p.AddExpand("currency_options.eur.tiers")
			p.AddExpand("currency_options.usd.tiers")
			price, err = sc.V1Prices.Retrieve(Ctx, seats.ID, p)
			Expect(err).NotTo(HaveOccurred())
			eur := price.CurrencyOptions["eur"]
			Expect(eur.UnitAmount).To(BeZero())
			Expect(eur.Tiers).To(HaveLen(2))
			Expect(eur.Tiers[0].UpTo).To(Equal(int64(5)))
			Expect(eur.Tiers[0].UnitAmount).To(Equal(int64(900)))
			Expect(eur.Tiers[1].FlatAmount).To(Equal(int64(400)))
			Expect(price.CurrencyOptions["usd"].Tiers[1].UnitAmount).To(Equal(int64(800)))

			cus := customerWithCard(sc, "seats@example.com", "pm_card_visa", "")
			sp := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("eur"),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(seats.ID), Quantity: stripe.Int64(8)}}}
			sp.AddExpand("latest_invoice")
			sub, err := sc.V1Subscriptions.Create(Ctx, sp)
			Expect(err).NotTo(HaveOccurred())
			line := sub.LatestInvoice.Lines.Data[0]
			Expect(line.Amount).To(Equal(int64(5*900 + 3*700 + 400)))
			Expect(line.Description).To(Equal("8 × Pro"))
			Expect(line.Pricing.UnitAmountDecimal).To(BeZero())
		})

		It("requires tiers of each option, and no single amount", func() {
			_, err := sc.V1Prices.Update(Ctx, seats.ID, &stripe.PriceUpdateParams{CurrencyOptions: map[string]*stripe.PriceUpdateCurrencyOptionsParams{
				"gbp": {UnitAmount: stripe.Int64(700)}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "currency_options[gbp][unit_amount]")
			_, err = sc.V1Prices.Update(Ctx, seats.ID, &stripe.PriceUpdateParams{CurrencyOptions: map[string]*stripe.PriceUpdateCurrencyOptionsParams{
				"gbp": {TaxBehavior: stripe.String("exclusive")}}})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "currency_options[gbp][tiers]")
			Expect(withOptions(seats.ID).CurrencyOptions).To(HaveLen(2))
		})
	})
})
