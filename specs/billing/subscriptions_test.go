package billing_test

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

var _ = Describe("Subscriptions", Label("billing", "subscriptions"), func() {
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		monthly *stripe.Price
		yearly  *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		mk := func(amount int64, interval string) *stripe.Price {
			p, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
				Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(amount),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String(interval)},
			})
			Expect(err).NotTo(HaveOccurred())
			return p
		}
		monthly, yearly = mk(1000, "month"), mk(10000, "year")
	})

	customerWith := func(pm string, clock string) *stripe.Customer {
		return customerWithCard(sc, "sub@example.com", pm, clock)
	}
	subscribe := func(cus *stripe.Customer, extra func(*stripe.SubscriptionCreateParams)) (*stripe.Subscription, error) {
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}}
		if extra != nil {
			extra(p)
		}
		p.AddExpand("latest_invoice")
		return sc.V1Subscriptions.Create(Ctx, p)
	}

	It("keeps a month-end billing day across short months (Jan 31 → Feb 28 → Mar 31 → Apr 30)", func() {
		emu.Clock().Set(time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC))
		sub, err := subscribe(customerWith("pm_card_visa", ""), nil)
		Expect(err).NotTo(HaveOccurred())
		ends := []time.Time{}
		for range 3 {
			got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			end := time.Unix(got.Items.Data[0].CurrentPeriodEnd, 0).UTC()
			ends = append(ends, end)
			emu.Clock().Set(end.Add(2 * time.Hour)) // renewed and its invoice finalized and paid
		}
		Expect(ends).To(Equal([]time.Time{
			time.Date(2026, 2, 28, 9, 0, 0, 0, time.UTC),
			time.Date(2026, 3, 31, 9, 0, 0, 0, time.UTC),
			time.Date(2026, 4, 30, 9, 0, 0, 0, time.UTC),
		}))
	})

	It("takes its trial from the price with trial_from_plan, and accepts what it does anyway", func() {
		trial, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(monthly.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), TrialPeriodDays: stripe.Int64(10)}})
		Expect(err).NotTo(HaveOccurred())
		sub, err := subscribe(customerWith("pm_card_visa", ""), func(p *stripe.SubscriptionCreateParams) {
			p.Items[0].Price = stripe.String(trial.ID)
			p.TrialFromPlan = stripe.Bool(true)
			p.AutomaticTax = &stripe.SubscriptionCreateAutomaticTaxParams{Enabled: stripe.Bool(false)}
			p.OffSession = stripe.Bool(true)
			p.Currency = stripe.String("usd")
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(sub.TrialEnd - sub.TrialStart).To(Equal(int64(10 * 86400)))
	})

	It("cancels at cancel_at, mid-period, on the clock; max_period_end is the period's end; empty unsets", func() {
		cus := customerWith("pm_card_visa", "")
		at := Epoch.Add(10 * 24 * time.Hour).Unix()
		sub, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) { p.CancelAt = stripe.Int64(at) })
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.CancelAt).To(Equal(at))
		emu.Clock().Advance(9 * 24 * time.Hour)
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
		emu.Clock().Advance(2 * 24 * time.Hour)
		got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(got.EndedAt).To(Equal(at))
		Expect(got.CancellationDetails.Reason).To(Equal(stripe.SubscriptionCancellationDetailsReasonCancellationRequested))
		Expect(emu.EventTypes("")).To(ContainElement("customer.subscription.deleted"))

		other, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		up := &stripe.SubscriptionUpdateParams{CancelAtMaxPeriodEnd: stripe.Bool(true)}
		other, err = sc.V1Subscriptions.Update(Ctx, other.ID, up)
		Expect(err).NotTo(HaveOccurred())
		Expect(other.CancelAt).To(Equal(other.Items.Data[0].CurrentPeriodEnd))
		_, err = sc.V1Subscriptions.Update(Ctx, other.ID, &stripe.SubscriptionUpdateParams{CancelAt: stripe.Int64(0)})
		Expect(StripeErr(err).Param).To(Equal("cancel_at"), "a time in the past")
		status, body, err := emu.Call("POST", "/v1/subscriptions/"+other.ID, url.Values{"cancel_at": {""}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		Expect(body["cancel_at"]).To(BeNil())
	})

	It("bills add_invoice_items once, on the first invoice (a setup fee)", func() {
		fee, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(monthly.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(2500)})
		Expect(err).NotTo(HaveOccurred())
		sub, err := subscribe(customerWith("pm_card_visa", ""), func(p *stripe.SubscriptionCreateParams) {
			p.AddInvoiceItems = []*stripe.SubscriptionCreateAddInvoiceItemParams{{Price: stripe.String(fee.ID)}}
		})
		Expect(err).NotTo(HaveOccurred())
		first := sub.LatestInvoice
		Expect(first.Lines.Data).To(HaveLen(2))
		Expect(first.AmountPaid).To(Equal(int64(3500)))
		n := 0
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Invoice: stripe.String(first.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(ii.Parent.SubscriptionDetails.Subscription).To(Equal(sub.ID))
			Expect(ii.Parent.SubscriptionDetails.SubscriptionItem).To(BeEmpty(), "a one-off is no subscription item's")
			n++
		}
		Expect(n).To(Equal(1))
		emu.Clock().Advance(31*24*time.Hour + 2*time.Hour)
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("latest_invoice")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LatestInvoice.ID).NotTo(Equal(first.ID))
		Expect(got.LatestInvoice.Total).To(Equal(int64(1000)))

		_, err = subscribe(customerWith("pm_card_visa", ""), func(p *stripe.SubscriptionCreateParams) {
			p.AddInvoiceItems = []*stripe.SubscriptionCreateAddInvoiceItemParams{{Price: stripe.String(monthly.ID)}}
		})
		Expect(StripeErr(err).Param).To(Equal("add_invoice_items[0][price]"), "a recurring price is not a one-off")
	})

	It("charges one-off items at once during a trial, keeping the subscription trialing", func() {
		fee, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(monthly.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(2500)})
		Expect(err).NotTo(HaveOccurred())
		withFee := func(p *stripe.SubscriptionCreateParams) {
			p.TrialPeriodDays = stripe.Int64(14)
			p.AddInvoiceItems = []*stripe.SubscriptionCreateAddInvoiceItemParams{{Price: stripe.String(fee.ID)}}
		}
		sub, err := subscribe(customerWith("pm_card_visa", ""), withFee)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid), "the trial is free, the one-off is not")
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(2500)))

		By("a declining card leaves the fee's invoice open and the trial running")
		sub, err = subscribe(customerWith("pm_card_chargeCustomerFail", ""), withFee)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(sub.LatestInvoice.AttemptCount).To(Equal(int64(1)))

		By("error_if_incomplete refuses it all with the decline")
		_, err = subscribe(customerWith("pm_card_chargeCustomerFail", ""), func(p *stripe.SubscriptionCreateParams) {
			withFee(p)
			p.PaymentBehavior = stripe.String("error_if_incomplete")
		})
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(402))

		By("without a card the invoice waits open, as a trial needs none")
		plain, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("nocard@example.com")})
		Expect(err).NotTo(HaveOccurred())
		sub, err = subscribe(plain, withFee)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(sub.LatestInvoice.AttemptCount).To(Equal(int64(0)))
	})

	It("refuses what it does not emulate, or a currency the prices do not have, creating nothing", func() {
		cus := customerWith("pm_card_visa", "")
		_, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) {
			p.AutomaticTax = &stripe.SubscriptionCreateAutomaticTaxParams{Enabled: stripe.Bool(true)}
		})
		Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCode("stripe_tax_inactive")), "automatic tax needs Stripe Tax set up")
		_, err = subscribe(cus, func(p *stripe.SubscriptionCreateParams) { p.Currency = stripe.String("eur") })
		Expect(StripeErr(err).Param).To(Equal("items[0][price]"))
		Expect(StripeErr(err).Msg).To(Equal("The price specified supports currencies of `usd` which doesn't include the expected currency of `eur`."))

		By("naming, in full, a usage threshold on an item that bills a quantity")
		_, err = subscribe(cus, func(p *stripe.SubscriptionCreateParams) {
			p.Items[0].BillingThresholds = &stripe.SubscriptionCreateItemBillingThresholdsParams{UsageGTE: stripe.Int64(10)}
		})
		se := StripeErr(err)
		Expect(se.Param).To(Equal("items[0][billing_thresholds]"))
		Expect(se.Msg).To(ContainSubstring("usage_type `metered`"))
		_, err = subscribe(cus, func(p *stripe.SubscriptionCreateParams) {
			p.PaymentSettings = &stripe.SubscriptionCreatePaymentSettingsParams{PaymentMethodOptions: &stripe.SubscriptionCreatePaymentSettingsPaymentMethodOptionsParams{
				Card: &stripe.SubscriptionCreatePaymentSettingsPaymentMethodOptionsCardParams{RequestThreeDSecure: stripe.String("any")}}}
		})
		Expect(StripeErr(err).Param).To(Equal("payment_settings[payment_method_options][card][request_three_d_secure]"))
		Expect(emu.Count("", "subscription")).To(BeZero())
		Expect(emu.Count("", "invoice")).To(BeZero())
	})

	It("keeps each item's metadata, a plan id as its price, and price_data's tax_behavior", func() {
		sub, err := subscribe(customerWith("pm_card_visa", ""), func(p *stripe.SubscriptionCreateParams) {
			p.Items = []*stripe.SubscriptionCreateItemParams{
				{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(2), Metadata: map[string]string{"seat": "team"}},
				{PriceData: &stripe.SubscriptionCreateItemPriceDataParams{Product: stripe.String(monthly.Product.ID), Currency: stripe.String("usd"),
					UnitAmount: stripe.Int64(500), TaxBehavior: stripe.String("exclusive"),
					Recurring: &stripe.SubscriptionCreateItemPriceDataRecurringParams{Interval: stripe.String("month")}}},
			}
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Items.Data).To(HaveLen(2))
		Expect(sub.Items.Data[0].Metadata).To(Equal(map[string]string{"seat": "team"}))
		Expect(sub.Items.Data[1].Metadata).To(BeEmpty())
		Expect(sub.Items.Data[1].Price.TaxBehavior).To(Equal(stripe.PriceTaxBehaviorExclusive))
		Expect(sub.LatestInvoice.Total).To(Equal(int64(2500)))

		addon, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(monthly.Product.ID), Currency: stripe.String("usd"),
			UnitAmount: stripe.Int64(300), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{ProrationBehavior: stripe.String("none"),
			Items: []*stripe.SubscriptionUpdateItemParams{{Plan: stripe.String(addon.ID), Metadata: map[string]string{"kind": "addon"}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Items.Data).To(HaveLen(3))
		Expect(sub.Items.Data[2].Price.ID).To(Equal(addon.ID))
		Expect(sub.Items.Data[2].Metadata).To(Equal(map[string]string{"kind": "addon"}))

		second, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(monthly.Product.ID), Currency: stripe.String("usd"),
			UnitAmount: stripe.Int64(200), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		added, err := sc.V1SubscriptionItems.Create(Ctx, &stripe.SubscriptionItemCreateParams{Subscription: stripe.String(sub.ID),
			Price: stripe.String(second.ID), Metadata: map[string]string{"kind": "second"}, ProrationBehavior: stripe.String("none")})
		Expect(err).NotTo(HaveOccurred())
		Expect(added.Metadata).To(Equal(map[string]string{"kind": "second"}))

		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{Plan: stripe.String("price_missing")}}})
		Expect(StripeErr(err).Param).To(Equal("items[0][plan]"))
	})

	It("leaves what a test clock made out of a list of all, showing it under its customer, subscription or clock", func() {
		clock, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		onClock, err := subscribe(customerWith("pm_card_visa", clock.ID), nil)
		Expect(err).NotTo(HaveOccurred())
		plain, err := subscribe(customerWith("pm_card_visa", ""), nil)
		Expect(err).NotTo(HaveOccurred())
		ids := func(path string) []string {
			GinkgoHelper()
			r := Do(emu.URL(), "GET", path, "")
			Expect(r.Status).To(Equal(200), r.Text)
			var out []string
			for _, o := range r.Body["data"].([]any) {
				out = append(out, o.(map[string]any)["id"].(string))
			}
			return out
		}
		Expect(ids("/v1/subscriptions")).To(Equal([]string{plain.ID}))
		Expect(ids("/v1/subscriptions?customer=" + onClock.Customer.ID)).To(Equal([]string{onClock.ID}))
		Expect(ids("/v1/subscriptions?test_clock=" + clock.ID)).To(Equal([]string{onClock.ID}))
		Expect(ids("/v1/invoices")).To(Equal([]string{plain.LatestInvoice.ID}))
		Expect(ids("/v1/invoices?subscription=" + onClock.ID)).To(Equal([]string{onClock.LatestInvoice.ID}))
		Expect(ids("/v1/invoices?customer=" + onClock.Customer.ID)).To(Equal([]string{onClock.LatestInvoice.ID}))
	})

	It("names what an item's price_data lacks, as Stripe's required parameters", func() {
		cus := customerWith("pm_card_visa", "")
		_, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) {
			p.Items = []*stripe.SubscriptionCreateItemParams{{PriceData: &stripe.SubscriptionCreateItemPriceDataParams{Currency: stripe.String("usd"),
				UnitAmount: stripe.Int64(500), Recurring: &stripe.SubscriptionCreateItemPriceDataRecurringParams{Interval: stripe.String("month")}}}}
		})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "items[0][price_data][product]")
		Expect(StripeErr(err).Msg).To(Equal("Missing required param: items[0][price_data][product]."))
		_, err = subscribe(cus, func(p *stripe.SubscriptionCreateParams) {
			p.Items = []*stripe.SubscriptionCreateItemParams{{PriceData: &stripe.SubscriptionCreateItemPriceDataParams{Product: stripe.String(monthly.Product.ID),
				UnitAmount: stripe.Int64(500), Recurring: &stripe.SubscriptionCreateItemPriceDataRecurringParams{Interval: stripe.String("month")}}}}
		})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "items[0][price_data][currency]")
		Expect(emu.Count("", "subscription")).To(BeZero())
	})

	It("creates and pays the first invoice, announcing incomplete before active", func() {
		cus := customerWith("pm_card_visa", "")
		mark := len(emu.EventTypes(""))
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.Items.Data[0].CurrentPeriodStart).To(Equal(Epoch.Unix()))
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(Epoch.AddDate(0, 1, 0).Unix()))
		Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(sub.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCreate))
		Expect(sub.LatestInvoice.Parent.SubscriptionDetails.Subscription.ID).To(Equal(sub.ID))

		// The customer's first subscription gives it its currency first.
		types := emu.EventTypes("")[mark:]
		Expect(types[0]).To(Equal("customer.updated"))
		Expect(emu.Events("")[mark]["data"].(map[string]any)["previous_attributes"]).To(Equal(map[string]any{"currency": nil}))
		Expect(types[1]).To(Equal("customer.subscription.created"))
		Expect(types[len(types)-1]).To(Equal("customer.subscription.updated"))
		Expect(types).To(ContainElements("invoice.created", "invoice.finalized", "payment_intent.succeeded", "invoice.paid", "invoice.payment_succeeded", "invoice_payment.paid"))
		created := emu.Events("")[mark+1]["data"].(map[string]any)["object"].(map[string]any)
		Expect(created["status"]).To(Equal("incomplete"))
		last := emu.Events("")[len(emu.Events(""))-1]["data"].(map[string]any)
		Expect(last["previous_attributes"]).To(HaveKeyWithValue("status", "incomplete"))
	})

	It("refuses inactive and one-time prices", func() {
		cus := customerWith("pm_card_visa", "")
		_, err := sc.V1Prices.Update(Ctx, monthly.ID, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		_, err = subscribe(cus, nil)
		se := StripeErr(err)
		Expect(se.Msg).To(Equal("The price specified is inactive. This field only accepts active prices."))
		Expect(se.Param).To(Equal("items[0][price]"))
		Expect(emu.Count("", "subscription")).To(BeZero())
	})

	It("stays incomplete with default_incomplete until the client pays the invoice's intent", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) {
			p.PaymentBehavior = stripe.String("default_incomplete")
			// How basil integrations reach the first invoice's secret.
			p.AddExpand("latest_invoice.confirmation_secret")
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusIncomplete))
		secret := sub.LatestInvoice.ConfirmationSecret.ClientSecret
		piID := secret[:len("pi_")+24]
		_, err = sc.V1PaymentIntents.Confirm(Ctx, piID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
	})

	It("lets an incomplete subscription have only its metadata and default payment method or source updated, as Stripe's reference says, changing nothing else", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) { p.PaymentBehavior = stripe.String("default_incomplete") })
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusIncomplete))
		item := sub.Items.Data[0].ID

		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(item), Quantity: stripe.Int64(2)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "items")
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "cancel_at_period_end")
		_, err = sc.V1SubscriptionItems.Update(Ctx, item, &stripe.SubscriptionItemUpdateParams{Quantity: stripe.Int64(3)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Items.Data[0].Quantity).To(Equal(int64(1)))
		Expect(got.CancelAtPeriodEnd).To(BeFalse())
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			Fail("no proration of a period never paid: " + ii.Description)
		}

		// (How a change would be made is no change itself.)
		got, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{Metadata: map[string]string{"plan": "pro"},
			DefaultPaymentMethod: stripe.String(cus.InvoiceSettings.DefaultPaymentMethod.ID), ProrationBehavior: stripe.String("none")})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Metadata).To(HaveKeyWithValue("plan", "pro"))
		Expect(got.DefaultPaymentMethod.ID).To(Equal(cus.InvoiceSettings.DefaultPaymentMethod.ID))
	})

	It("counts a declined client confirmation of the first invoice's intent as an attempt, saying invoice.payment_failed once", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) {
			p.PaymentBehavior = stripe.String("default_incomplete")
			p.AddExpand("latest_invoice.confirmation_secret")
		})
		Expect(err).NotTo(HaveOccurred())
		secret := sub.LatestInvoice.ConfirmationSecret.ClientSecret
		piID := secret[:strings.Index(secret, "_secret_")]
		Expect(emu.EventTypes("")).NotTo(ContainElement("invoice.payment_failed"))

		_, err = sc.V1PaymentIntents.Confirm(Ctx, piID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_chargeDeclined")})
		Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeCardDeclined))
		Expect(count(emu.EventTypes(""), "invoice.payment_failed")).To(Equal(1))
		inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(inv.Attempted).To(BeTrue())
		Expect(inv.AttemptCount).To(Equal(int64(1)), "any attempt counts as the first")
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusIncomplete))

		By("a second decline: another invoice.payment_failed, but only automatic retries count further attempts")
		_, err = sc.V1PaymentIntents.Confirm(Ctx, piID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_visa_chargeDeclinedInsufficientFunds")})
		Expect(StripeErr(err).DeclineCode).To(Equal(stripe.DeclineCodeInsufficientFunds))
		Expect(count(emu.EventTypes(""), "invoice.payment_failed")).To(Equal(2))
		inv, _ = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(inv.AttemptCount).To(Equal(int64(1)))

		By("a failed 3-D Secure authentication is a failed attempt too")
		_, err = sc.V1PaymentIntents.Confirm(Ctx, piID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_threeDSecure2Required")})
		Expect(err).NotTo(HaveOccurred())
		Expect(count(emu.EventTypes(""), "invoice.payment_failed")).To(Equal(2), "waiting for the customer is no failure of an on-session attempt")
		_, _, err = emu.Call("POST", "/v1/test_helpers/payment_intents/"+piID+"/authenticate", url.Values{"outcome": {"fail"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(count(emu.EventTypes(""), "invoice.payment_failed")).To(Equal(3))

		_, err = sc.V1PaymentIntents.Confirm(Ctx, piID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		sub, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(count(emu.EventTypes(""), "invoice.payment_failed")).To(Equal(3))
	})

	Describe("the basil integration: the client pays, the subscription keeps the card", func() {
		var cus *stripe.Customer
		BeforeEach(func() {
			var err error
			cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("new@example.com")})
			Expect(err).NotTo(HaveOccurred())
		})
		saving := func(p *stripe.SubscriptionCreateParams) {
			p.PaymentBehavior = stripe.String("default_incomplete")
			p.PaymentSettings = &stripe.SubscriptionCreatePaymentSettingsParams{SaveDefaultPaymentMethod: stripe.String("on_subscription")}
		}
		renewalPaid := func(sub *stripe.Subscription, at time.Time) {
			emu.Clock().Set(at.Add(2 * time.Hour))
			sub, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
			inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid), "charged with the saved card, the customer has no default")
		}

		It("saves the card that paid the first invoice as the subscription's default, and renews with it", func() {
			sub, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) {
				saving(p)
				p.AddExpand("latest_invoice.confirmation_secret")
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.PaymentSettings.SaveDefaultPaymentMethod).To(Equal(stripe.SubscriptionPaymentSettingsSaveDefaultPaymentMethodOnSubscription))
			Expect(sub.PendingSetupIntent).To(BeNil(), "there is something to pay now")
			secret := sub.LatestInvoice.ConfirmationSecret.ClientSecret
			pi, err := sc.V1PaymentIntents.Confirm(Ctx, secret[:strings.Index(secret, "_secret_")], &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_visa")})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.SetupFutureUsage).To(Equal(stripe.PaymentIntentSetupFutureUsageOffSession))

			sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
			Expect(sub.DefaultPaymentMethod.ID).To(Equal(pi.PaymentMethod.ID))
			pm, err := sc.V1PaymentMethods.Retrieve(Ctx, pi.PaymentMethod.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pm.Customer.ID).To(Equal(cus.ID), "saved to the customer")
			renewalPaid(sub, Epoch.AddDate(0, 1, 0))
		})

		It("hands a trial a pending SetupIntent whose card becomes the default and pays after the trial", func() {
			sub, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) {
				saving(p)
				p.TrialPeriodDays = stripe.Int64(7)
				p.AddExpand("pending_setup_intent")
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
			Expect(sub.PendingSetupIntent).NotTo(BeNil())
			Expect(sub.PendingSetupIntent.Customer.ID).To(Equal(cus.ID))
			Expect(sub.PendingSetupIntent.ClientSecret).To(ContainSubstring("_secret_"))

			si, err := sc.V1SetupIntents.Confirm(Ctx, sub.PendingSetupIntent.ID, &stripe.SetupIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_visa")})
			Expect(err).NotTo(HaveOccurred())
			Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
			sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.PendingSetupIntent).To(BeNil())
			Expect(sub.DefaultPaymentMethod.ID).To(Equal(si.PaymentMethod.ID))
			renewalPaid(sub, Epoch.AddDate(0, 0, 7))
		})

		It("refuses an unknown save_default_payment_method, creating nothing", func() {
			_, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) {
				p.PaymentBehavior = stripe.String("default_incomplete")
				p.PaymentSettings = &stripe.SubscriptionCreatePaymentSettingsParams{SaveDefaultPaymentMethod: stripe.String("always")}
			})
			Expect(StripeErr(err).Param).To(Equal("payment_settings[save_default_payment_method]"))
			Expect(emu.Count("", "subscription")).To(BeZero())
		})
	})

	It("expires an incomplete subscription whose first invoice is never paid", func() {
		cus := customerWith("pm_card_chargeCustomerFail", "")
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusIncomplete))
		emu.Clock().Advance(24 * time.Hour)
		sub, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusIncompleteExpired))
	})

	It("runs a trial and three renewals on a test clock with exact invoices and events", func() {
		clock, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix()), Name: stripe.String("renewals")})
		Expect(err).NotTo(HaveOccurred())
		cus := customerWith("pm_card_visa", clock.ID)
		sub, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) { p.TrialPeriodDays = stripe.Int64(14) })
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(sub.LatestInvoice.AmountDue).To(BeZero())
		Expect(sub.TrialEnd).To(Equal(Epoch.AddDate(0, 0, 14).Unix()))

		advance := func(to time.Time) {
			c, err := sc.V1TestHelpersTestClocks.Advance(Ctx, clock.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(to.Unix())})
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Status).To(Equal(stripe.TestHelpersTestClockStatusAdvancing))
			Eventually(func() stripe.TestHelpersTestClockStatus {
				c, _ := sc.V1TestHelpersTestClocks.Retrieve(Ctx, clock.ID, nil)
				return c.Status
			}).Should(Equal(stripe.TestHelpersTestClockStatusReady))
		}
		trialEnd := Epoch.AddDate(0, 0, 14)
		advance(trialEnd.Add(2 * time.Hour))
		for m := 1; m <= 3; m++ {
			advance(trialEnd.AddDate(0, m, 0).Add(2 * time.Hour))
		}
		var invoices []*stripe.Invoice
		for inv, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Subscription: stripe.String(sub.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			invoices = append(invoices, inv)
		}
		Expect(invoices).To(HaveLen(5), "the trial invoice, the trial-end invoice and three renewals")
		for i, inv := range invoices[:4] {
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid), "invoice %d", i)
			Expect(inv.AmountPaid).To(Equal(int64(1000)))
			Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		}
		// A renewal's own period is the one that just ended (Stripe's
		// subscription invoices look back one period); its line bills the next.
		Expect(invoices[0].PeriodStart).To(Equal(trialEnd.AddDate(0, 2, 0).Unix()))
		Expect(invoices[0].PeriodEnd).To(Equal(trialEnd.AddDate(0, 3, 0).Unix()))
		Expect(invoices[0].Lines.Data[0].Period.Start).To(Equal(trialEnd.AddDate(0, 3, 0).Unix()))
		Expect(invoices[4].AmountDue).To(BeZero())

		sub, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(trialEnd.AddDate(0, 4, 0).Unix()))
		types := emu.EventTypes("")
		Expect(count(types, "customer.subscription.trial_will_end")).To(Equal(1))
		Expect(count(types, "invoice.payment_succeeded")).To(Equal(5))
		Expect(count(types, "test_helpers.test_clock.ready")).To(Equal(4))
	})

	It("refuses to move a test clock backwards or more than two intervals", func() {
		clock, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		cus := customerWith("pm_card_visa", clock.ID)
		_, err = subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1TestHelpersTestClocks.Advance(Ctx, clock.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(Epoch.Unix() - 1)})
		Expect(StripeErr(err).Param).To(Equal("frozen_time"))
		_, err = sc.V1TestHelpersTestClocks.Advance(Ctx, clock.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(Epoch.AddDate(0, 3, 0).Unix())})
		Expect(StripeErr(err).Param).To(Equal("frozen_time"))
	})

	It("starts a renewal with a draft that finalizes an hour later, announced with the new latest_invoice", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		first := sub.LatestInvoice.ID
		periodEnd := sub.Items.Data[0].CurrentPeriodEnd

		emu.Clock().Set(time.Unix(periodEnd, 0).Add(30 * time.Minute))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.ID).NotTo(Equal(first))
		draft, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(draft.Status).To(Equal(stripe.InvoiceStatusDraft))
		Expect(draft.AutoAdvance).To(BeTrue())
		Expect(draft.AutomaticallyFinalizesAt).To(Equal(periodEnd + 3600))
		// next_payment_attempt is "the time at which payment will next be
		// attempted": the charge that follows the finalization.
		Expect(draft.NextPaymentAttempt).To(Equal(periodEnd + 3600))

		updated := latestEvent(sc, "customer.subscription.updated")
		Expect(updated.Data.Object["latest_invoice"]).To(Equal(draft.ID))
		Expect(updated.Data.PreviousAttributes).To(HaveKeyWithValue("latest_invoice", first))
		// As Stripe's renewal events show it: of the items list only its
		// changed data (the array whole, each item as it was), not the
		// list object around it.
		Expect(updated.Data.PreviousAttributes).To(HaveKeyWithValue("items", And(HaveLen(1), HaveKey("data"))))
		oldItems := updated.Data.PreviousAttributes["items"].(map[string]any)["data"].([]any)
		Expect(oldItems).To(HaveLen(1))
		Expect(oldItems[0]).To(HaveKeyWithValue("current_period_end", BeNumerically("==", periodEnd)))
		Expect(oldItems[0]).To(HaveKeyWithValue("object", "subscription_item"))
		created := latestEvent(sc, "invoice.created")
		Expect(created.Data.Object["id"]).To(Equal(draft.ID))
		Expect(created.Data.Object["auto_advance"]).To(BeTrue(), "invoice.created already shows the draft finalizing by itself")

		emu.Clock().Set(time.Unix(periodEnd, 0).Add(2 * time.Hour))
		paid, err := sc.V1Invoices.Retrieve(Ctx, draft.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(paid.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(paid.NextPaymentAttempt).To(BeZero())
	})

	It("plans no payment for a renewal draft once its automatic advance is turned off, and follows a new finalization time", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		periodEnd := sub.Items.Data[0].CurrentPeriodEnd
		emu.Clock().Set(time.Unix(periodEnd, 0).Add(10 * time.Minute))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		later := periodEnd + 3*3600
		draft, err := sc.V1Invoices.Update(Ctx, sub.LatestInvoice.ID, &stripe.InvoiceUpdateParams{AutomaticallyFinalizesAt: stripe.Int64(later)})
		Expect(err).NotTo(HaveOccurred())
		Expect(draft.NextPaymentAttempt).To(Equal(later))
		draft, err = sc.V1Invoices.Update(Ctx, draft.ID, &stripe.InvoiceUpdateParams{AutoAdvance: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(draft.NextPaymentAttempt).To(BeZero())
	})

	It("goes past_due when a renewal's card declines, retries, and recovers", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		bad, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_chargeCustomerFail", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultPaymentMethod: stripe.String(bad.ID)})
		Expect(err).NotTo(HaveOccurred())

		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		sub, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusPastDue))
		inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(inv.AttemptCount).To(Equal(int64(1)))
		Expect(inv.NextPaymentAttempt).To(Equal(Epoch.AddDate(0, 1, 3).Add(time.Hour).Unix()))
		Expect(emu.EventTypes("")).To(ContainElement("invoice.payment_failed"))

		good, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_visa", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultPaymentMethod: stripe.String(good.ID)})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(3 * 24 * time.Hour)
		sub, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		inv, _ = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.AttemptCount).To(Equal(int64(2)), "the automatic retry that paid counts")
	})

	failingRenewal := func() *stripe.Subscription {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		bad, _ := sc.V1PaymentMethods.Attach(Ctx, "pm_card_chargeCustomerFail", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultPaymentMethod: stripe.String(bad.ID)})
		Expect(err).NotTo(HaveOccurred())
		return sub
	}

	// exhaustRetries fails a renewal and every retry, under the account's
	// after-retries setting ("" keeps Stripe's default), and returns the
	// subscription as it then is.
	exhaustRetries := func(outcome string) *stripe.Subscription {
		if outcome != "" {
			Expect(emu.SetBillingSettings("", emulator.BillingSettings{SubscriptionAfterRetries: outcome})).To(Succeed())
		}
		sub := failingRenewal()
		emu.Clock().Set(Epoch.AddDate(0, 1, 10))
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return sub
	}

	It("cancels after every retry failed", func() {
		sub := exhaustRetries("")
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(emu.EventTypes("")).To(ContainElement("customer.subscription.deleted"))
	})

	It("marks the subscription unpaid after every retry failed when the account's settings say so", func() {
		sub := exhaustRetries(emulator.UnpaidAfterRetries)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusUnpaid))
		failed, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(failed.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(failed.AttemptCount).To(Equal(int64(4)))
		Expect(failed.NextPaymentAttempt).To(BeZero())
		Expect(emu.EventTypes("")).NotTo(ContainElement("customer.subscription.deleted"))

		// It keeps invoicing, but the next invoice stays a draft nobody charges.
		failures := count(emu.EventTypes(""), "invoice.payment_failed")
		emu.Clock().Set(Epoch.AddDate(0, 2, 2))
		sub, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusUnpaid))
		Expect(sub.LatestInvoice.ID).NotTo(Equal(failed.ID))
		draft, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(draft.Status).To(Equal(stripe.InvoiceStatusDraft))
		Expect(draft.AutoAdvance).To(BeFalse())
		Expect(count(emu.EventTypes(""), "invoice.payment_failed")).To(Equal(failures))

		// Paying what is owed brings it back.
		_, err = sc.V1Invoices.Pay(Ctx, failed.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		sub, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
	})

	It("leaves the subscription past_due after every retry failed when the account's settings say so", func() {
		sub := exhaustRetries(emulator.PastDueAfterRetries)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusPastDue))
		first := sub.LatestInvoice.ID
		// The next renewal is invoiced and attempted as usual.
		emu.Clock().Set(Epoch.AddDate(0, 2, 0).Add(2 * time.Hour))
		sub, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusPastDue))
		next, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(next.ID).NotTo(Equal(first))
		Expect(next.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(next.AttemptCount).To(Equal(int64(1)))
	})

	It("refuses an unknown billing setting and keeps the old one", func() {
		Expect(emu.SetBillingSettings("", emulator.BillingSettings{SubscriptionAfterRetries: "explode"})).NotTo(Succeed())
		Expect(emu.BillingSettings("").SubscriptionAfterRetries).To(Equal(emulator.CancelAfterRetries))
		Expect(emu.SetBillingSettings("acct_missing", emulator.BillingSettings{})).NotTo(Succeed())
	})

	It("adds, changes and removes items through /v1/subscription_items, as subscription updates", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		updates := count(emu.EventTypes(""), "customer.subscription.updated")

		seats, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(monthly.Product.ID), Currency: stripe.String("usd"),
			UnitAmount: stripe.Int64(300), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		added, err := sc.V1SubscriptionItems.Create(Ctx, &stripe.SubscriptionItemCreateParams{Subscription: stripe.String(sub.ID),
			Price: stripe.String(seats.ID), Quantity: stripe.Int64(2), ProrationBehavior: stripe.String("none")})
		Expect(err).NotTo(HaveOccurred())
		Expect(added.ID).To(HavePrefix("si_"))
		Expect(added.Subscription).To(Equal(sub.ID))
		Expect(added.Quantity).To(Equal(int64(2)))
		Expect(count(emu.EventTypes(""), "customer.subscription.updated")).To(Equal(updates + 1))

		changed, err := sc.V1SubscriptionItems.Update(Ctx, added.ID, &stripe.SubscriptionItemUpdateParams{Quantity: stripe.Int64(5), ProrationBehavior: stripe.String("none")})
		Expect(err).NotTo(HaveOccurred())
		Expect(changed.Quantity).To(Equal(int64(5)))
		// off_session is taken as the subscription update takes it: the
		// update's invoice is charged the same either way.
		changed, err = sc.V1SubscriptionItems.Update(Ctx, added.ID, &stripe.SubscriptionItemUpdateParams{Quantity: stripe.Int64(4),
			ProrationBehavior: stripe.String("none"), OffSession: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(changed.Quantity).To(Equal(int64(4)))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Items.Data).To(HaveLen(2))

		// A yearly price cannot join a monthly subscription; the parameter
		// is named as this endpoint's caller sent it, and nothing changes.
		_, err = sc.V1SubscriptionItems.Create(Ctx, &stripe.SubscriptionItemCreateParams{Subscription: stripe.String(sub.ID), Price: stripe.String(yearly.ID)})
		Expect(StripeErr(err).Param).To(Equal("price"))
		got, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(got.Items.Data).To(HaveLen(2))

		// What the item endpoint hands the subscription update but the
		// update does not act on is refused, named as sent here.
		other, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(monthly.Product.ID), Currency: stripe.String("usd"),
			UnitAmount: stripe.Int64(100), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SubscriptionItems.Create(Ctx, &stripe.SubscriptionItemCreateParams{Subscription: stripe.String(sub.ID),
			Price: stripe.String(other.ID), BillingThresholds: &stripe.SubscriptionItemCreateBillingThresholdsParams{UsageGTE: stripe.Int64(10)}})
		se := StripeErr(err)
		Expect(se.Param).To(Equal("billing_thresholds"), "a licensed item takes no usage threshold")
		Expect(se.Msg).To(ContainSubstring("usage_type `metered`"))
		_, err = sc.V1SubscriptionItems.Update(Ctx, added.ID, &stripe.SubscriptionItemUpdateParams{
			BillingThresholds: &stripe.SubscriptionItemUpdateBillingThresholdsParams{UsageGTE: stripe.Int64(10)}})
		Expect(StripeErr(err).Param).To(Equal("billing_thresholds"))
		got, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(got.Items.Data).To(HaveLen(2))

		// clear_usage is for metered items only, as Stripe's reference says.
		_, err = sc.V1SubscriptionItems.Delete(Ctx, added.ID, &stripe.SubscriptionItemDeleteParams{ClearUsage: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "clear_usage")
		Expect(StripeErr(err).Msg).To(ContainSubstring("metered"))
		got, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(got.Items.Data).To(HaveLen(2))
		del, err := sc.V1SubscriptionItems.Delete(Ctx, added.ID, &stripe.SubscriptionItemDeleteParams{ProrationBehavior: stripe.String("none"), ClearUsage: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(del.Deleted).To(BeTrue())
		got, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(got.Items.Data).To(HaveLen(1))
		_, err = sc.V1SubscriptionItems.Retrieve(Ctx, added.ID, nil)
		Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeResourceMissing))

		// The last item stays: cancel the subscription instead, in
		// Stripe's words (which integrations match on to cancel instead).
		lastWords := "A subscription must have at least one active plan. To cancel a subscription, please use the cancel API endpoint on /v1/subscriptions."
		_, err = sc.V1SubscriptionItems.Delete(Ctx, got.Items.Data[0].ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal(lastWords))
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(got.Items.Data[0].ID), Deleted: stripe.Bool(true)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "items")
		Expect(StripeErr(err).Msg).To(Equal(lastWords))
		got, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(got.Items.Data).To(HaveLen(1))
		_, err = sc.V1SubscriptionItems.Create(Ctx, &stripe.SubscriptionItemCreateParams{Subscription: stripe.String("sub_missing"), Price: stripe.String(seats.ID)})
		Expect(StripeErr(err).Param).To(Equal("subscription"))
	})

	Describe("pending updates (payment_behavior=pending_if_incomplete)", func() {
		upgrade := func(sub *stripe.Subscription) (*stripe.Subscription, error) {
			return sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
				PaymentBehavior: stripe.String("pending_if_incomplete"), ProrationBehavior: stripe.String("always_invoice"),
				Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(3)}},
			})
		}

		It("applies the change at once when its invoice is paid", func() {
			sub, err := subscribe(customerWith("pm_card_visa", ""), nil)
			Expect(err).NotTo(HaveOccurred())
			emu.Clock().Set(Epoch.AddDate(0, 0, 15))
			updates := count(emu.EventTypes(""), "customer.subscription.updated")
			got, err := upgrade(sub)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Items.Data[0].Quantity).To(Equal(int64(3)))
			Expect(got.PendingUpdate).To(BeNil())
			inv, _ := sc.V1Invoices.Retrieve(Ctx, got.LatestInvoice.ID, nil)
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(inv.AmountPaid).To(BeNumerically(">", 0))
			Expect(count(emu.EventTypes(""), "customer.subscription.updated")).To(Equal(updates + 1))
			Expect(emu.EventTypes("")).NotTo(ContainElement("customer.subscription.pending_update_applied"), "no pending update was ever seen")
		})

		It("keeps the subscription as it was until the update's invoice is paid", func() {
			sub := failingRenewal()
			emu.Clock().Set(Epoch.AddDate(0, 0, 15))
			got, err := upgrade(sub)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
			Expect(got.Items.Data[0].Quantity).To(Equal(int64(1)))
			Expect(got.PendingUpdate).NotTo(BeNil())
			Expect(got.PendingUpdate.SubscriptionItems[0].Quantity).To(Equal(int64(3)))
			Expect(got.PendingUpdate.ExpiresAt).To(Equal(Epoch.AddDate(0, 0, 15).Unix() + 23*3600))
			inv, _ := sc.V1Invoices.Retrieve(Ctx, got.LatestInvoice.ID, nil)
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))

			_, err = sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa")})
			Expect(err).NotTo(HaveOccurred())
			got, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(got.Items.Data[0].Quantity).To(Equal(int64(3)))
			Expect(got.PendingUpdate).To(BeNil())
			types := emu.EventTypes("")
			Expect(types[len(types)-2:]).To(Equal([]string{"customer.subscription.updated", "customer.subscription.pending_update_applied"}))
		})

		It("voids the invoice and drops the update once it expires unpaid", func() {
			sub := failingRenewal()
			emu.Clock().Set(Epoch.AddDate(0, 0, 15))
			got, err := upgrade(sub)
			Expect(err).NotTo(HaveOccurred())
			invID := got.LatestInvoice.ID
			emu.Clock().Advance(24 * time.Hour)
			got, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(got.PendingUpdate).To(BeNil())
			Expect(got.Items.Data[0].Quantity).To(Equal(int64(1)))
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
			inv, _ := sc.V1Invoices.Retrieve(Ctx, invID, nil)
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusVoid))
			Expect(count(emu.EventTypes(""), "customer.subscription.pending_update_expired")).To(Equal(1))
			Expect(emu.EventTypes("")).NotTo(ContainElement("customer.subscription.pending_update_applied"))
		})

		It("bills a pending update's add_invoice_items on its invoice: paid with it, voided with it as it expires", func() {
			fee, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(monthly.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(700)})
			Expect(err).NotTo(HaveOccurred())
			withFee := func(sub *stripe.Subscription) *stripe.Subscription {
				GinkgoHelper()
				got, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
					PaymentBehavior: stripe.String("pending_if_incomplete"), ProrationBehavior: stripe.String("always_invoice"),
					Items:           []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(3)}},
					AddInvoiceItems: []*stripe.SubscriptionUpdateAddInvoiceItemParams{{Price: stripe.String(fee.ID)}},
				})
				Expect(err).NotTo(HaveOccurred())
				return got
			}
			feeLine := func(invID string) bool {
				GinkgoHelper()
				inv, err := sc.V1Invoices.Retrieve(Ctx, invID, nil)
				Expect(err).NotTo(HaveOccurred())
				for _, l := range inv.Lines.Data {
					if l.Pricing.PriceDetails.Price == fee.ID {
						return true
					}
				}
				return false
			}
			emu.Clock().Set(Epoch.AddDate(0, 0, 15))
			paid, err := subscribe(customerWith("pm_card_visa", ""), nil)
			Expect(err).NotTo(HaveOccurred())
			got := withFee(paid)
			Expect(got.PendingUpdate).To(BeNil())
			Expect(feeLine(got.LatestInvoice.ID)).To(BeTrue())

			unpaid := failingRenewal()
			got = withFee(unpaid)
			Expect(got.PendingUpdate).NotTo(BeNil())
			waiting := got.LatestInvoice.ID
			Expect(feeLine(waiting)).To(BeTrue())
			emu.Clock().Advance(24 * time.Hour)
			inv, err := sc.V1Invoices.Retrieve(Ctx, waiting, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusVoid), "voided with the fee on it: nothing left pending")
		})

		It("refuses a change of items, or another pending update, while one waits for its payment, as not emulated, changing nothing", func() {
			sub := failingRenewal()
			emu.Clock().Set(Epoch.AddDate(0, 0, 15))
			got, err := upgrade(sub)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.PendingUpdate).NotTo(BeNil())
			waiting := got.LatestInvoice.ID
			invoices := func() int {
				n := 0
				for _, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Subscription: stripe.String(sub.ID)}) {
					Expect(err).NotTo(HaveOccurred())
					n++
				}
				return n
			}
			before := invoices()

			// Another pending update would leave the first one's invoice
			// open to be paid for a change that never applies.
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
				PaymentBehavior: stripe.String("pending_if_incomplete"), ProrationBehavior: stripe.String("always_invoice"),
				Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(5)}},
			})
			ExpectStripeError(err, 400, "invalid_request_error", "", "items")
			Expect(StripeErr(err).Msg).To(ContainSubstring("while a pending update waits for its payment"))
			// A plain change of items would be undone when the pending
			// update, which holds the items as they were, is paid.
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{ProrationBehavior: stripe.String("none"),
				Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(2)}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "items")
			_, err = sc.V1SubscriptionItems.Update(Ctx, sub.Items.Data[0].ID, &stripe.SubscriptionItemUpdateParams{Quantity: stripe.Int64(2), ProrationBehavior: stripe.String("none")})
			Expect(err).To(HaveOccurred())
			Expect(StripeErr(err).Msg).To(ContainSubstring("while a pending update waits for its payment"))

			got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Items.Data[0].Quantity).To(Equal(int64(1)))
			Expect(got.PendingUpdate.SubscriptionItems[0].Quantity).To(Equal(int64(3)))
			Expect(got.LatestInvoice.ID).To(Equal(waiting))
			Expect(invoices()).To(Equal(before))
			// What needs no payment still goes through.
			got, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{Metadata: map[string]string{"k": "v"}})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Metadata).To(HaveKeyWithValue("k", "v"))
		})

		It("refuses parameters a pending update cannot carry, changing nothing", func() {
			sub, err := subscribe(customerWith("pm_card_visa", ""), nil)
			Expect(err).NotTo(HaveOccurred())
			p := &stripe.SubscriptionUpdateParams{PaymentBehavior: stripe.String("pending_if_incomplete"), Description: stripe.String("x"),
				Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(3)}}}
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, p)
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(400))
			Expect(se.Param).To(Equal("description"))
			got, _ := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(got.Items.Data[0].Quantity).To(Equal(int64(1)))
			Expect(got.Description).To(BeEmpty())

			By("refusing what a pending update may carry but the emulator does not emulate: a trial starting in it")
			withTrial, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(monthly.Product.ID), Currency: stripe.String("usd"),
				UnitAmount: stripe.Int64(500), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), TrialPeriodDays: stripe.Int64(10)}})
			Expect(err).NotTo(HaveOccurred())
			p = &stripe.SubscriptionUpdateParams{PaymentBehavior: stripe.String("pending_if_incomplete"), TrialFromPlan: stripe.Bool(true),
				Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(withTrial.ID)}}}
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, p)
			Expect(StripeErr(err).Param).To(Equal("trial_from_plan"))
			Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate"))
			got, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(got.Items.Data[0].Price.ID).To(Equal(monthly.ID))
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
		})

		It("refuses ending a trial now in a pending update, which it does not emulate, rather than end it whatever the payment does", func() {
			sub, err := subscribe(customerWith("pm_card_chargeCustomerFail", ""), func(p *stripe.SubscriptionCreateParams) {
				p.TrialPeriodDays = stripe.Int64(10)
			})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
				PaymentBehavior: stripe.String("pending_if_incomplete"), TrialEndNow: stripe.Bool(true)})
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(400))
			Expect(se.Param).To(Equal("trial_end"))
			got, _ := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusTrialing))
			Expect(got.TrialEnd).To(Equal(sub.TrialEnd))

			By("moving the trial's end to a later time, which invoices nothing and so applies at once")
			later := time.Unix(sub.TrialEnd, 0).AddDate(0, 0, 5).Unix()
			got, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
				PaymentBehavior: stripe.String("pending_if_incomplete"), TrialEnd: stripe.Int64(later)})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.TrialEnd).To(Equal(later))
			Expect(got.PendingUpdate).To(BeNil())
		})

		It("answers an item added through the item endpoint as the pending update holds it, until its invoice is paid", func() {
			sub := failingRenewal()
			emu.Clock().Set(Epoch.AddDate(0, 0, 15))
			added, err := sc.V1SubscriptionItems.Create(Ctx, &stripe.SubscriptionItemCreateParams{Subscription: stripe.String(sub.ID),
				Price: stripe.String(monthlyAtTwice(sc, monthly).ID), Quantity: stripe.Int64(2),
				PaymentBehavior: stripe.String("pending_if_incomplete"), ProrationBehavior: stripe.String("always_invoice")})
			Expect(err).NotTo(HaveOccurred())
			Expect(added.ID).To(HavePrefix("si_"))
			Expect(added.Quantity).To(Equal(int64(2)))
			got, _ := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(got.Items.Data).To(HaveLen(1), "not added until paid")
			Expect(got.PendingUpdate).NotTo(BeNil())
			Expect(got.PendingUpdate.SubscriptionItems).To(HaveLen(2))

			_, err = sc.V1Invoices.Pay(Ctx, got.LatestInvoice.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa")})
			Expect(err).NotTo(HaveOccurred())
			got, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(got.Items.Data).To(HaveLen(2))
			Expect(got.Items.Data).To(ContainElement(HaveField("ID", added.ID)))
		})

		It("refuses through the item endpoints what their own list does not take, named as sent there", func() {
			sub, err := subscribe(customerWith("pm_card_visa", ""), nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1SubscriptionItems.Update(Ctx, sub.Items.Data[0].ID, &stripe.SubscriptionItemUpdateParams{
				PaymentBehavior: stripe.String("pending_if_incomplete"), Quantity: stripe.Int64(3), Metadata: map[string]string{"seat": "x"}})
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(400))
			Expect(se.Param).To(Equal("metadata"))
			// Stripe's pending updates reference: the item endpoints take
			// expand, payment_behavior, proration_behavior, proration_date,
			// price and quantity.
			Expect(se.Msg).To(ContainSubstring("expand, payment_behavior, proration_behavior, proration_date, price, quantity."))
			Expect(se.Msg).To(HaveSuffix("You sent: metadata."))
			got, _ := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(got.Items.Data[0].Quantity).To(Equal(int64(1)))
		})
	})

	It("prorates an upgrade mid-period onto the next invoice", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(Epoch.AddDate(0, 0, 15))
		up := &stripe.SubscriptionUpdateParams{Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(3)}}}
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, up)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Items.Data[0].Quantity).To(Equal(int64(3)))

		var prorations []*stripe.InvoiceItem
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			prorations = append(prorations, ii)
		}
		Expect(prorations).To(HaveLen(2))
		var net int64
		for _, ii := range prorations {
			net += ii.Amount
			Expect(ii.Parent.SubscriptionDetails.Subscription).To(Equal(sub.ID))
			Expect(ii.Parent.SubscriptionDetails.SubscriptionItem).To(Equal(sub.Items.Data[0].ID), "a proration names the item it prorates")
		}
		start, end := Epoch.Unix(), Epoch.AddDate(0, 1, 0).Unix()
		remaining := float64(end-Epoch.AddDate(0, 0, 15).Unix()) / float64(end-start)
		Expect(net).To(BeNumerically("~", 2000*remaining, 1), "two more seats for the rest of the period")

		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		sub, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		inv, _ := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(inv.Total).To(Equal(3000 + net))
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
	})

	It("shows a change of price in previous_attributes as Stripe's events do: of the items list its data, the old items whole", func() {
		sub, err := subscribe(customerWith("pm_card_visa", ""), nil)
		Expect(err).NotTo(HaveOccurred())
		dearer, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(monthly.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(2500),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{ProrationBehavior: stripe.String("none"),
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(dearer.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		prev := latestEvent(sc, "customer.subscription.updated").Data.PreviousAttributes
		Expect(prev).To(HaveKeyWithValue("items", HaveKey("data")))
		Expect(prev["items"]).To(HaveLen(1), "only the list's data changed")
		old := prev["items"].(map[string]any)["data"].([]any)
		Expect(old).To(HaveLen(1))
		Expect(old[0]).To(HaveKeyWithValue("price", HaveKeyWithValue("id", monthly.ID)), "an array is given whole, each element as it was")
		Expect(old[0]).To(HaveKeyWithValue("price", HaveKeyWithValue("object", "price")))
		Expect(prev).NotTo(HaveKey("quantity"), "unchanged")
	})

	It("starts a new cycle at once when the price changes to another interval, crediting the unused time", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		now := Epoch.AddDate(0, 0, 15) // half of September's 30 days
		emu.Clock().Set(now)
		item := []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(yearly.ID)}}

		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{Items: item, BillingCycleAnchorUnchanged: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "billing_cycle_anchor")

		p := &stripe.SubscriptionUpdateParams{Items: item}
		p.AddExpand("latest_invoice")
		got, err := sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.BillingCycleAnchor).To(Equal(now.Unix()))
		Expect(got.Items.Data[0].CurrentPeriodStart).To(Equal(now.Unix()))
		Expect(got.Items.Data[0].CurrentPeriodEnd).To(Equal(now.AddDate(1, 0, 0).Unix()))
		inv := got.LatestInvoice
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
		Expect(inv.Total).To(Equal(int64(10000-500)), "the year in full, less the unused half of September")
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			Fail("a proration was left: " + ii.ID)
		}
	})

	It("invoices an upgrade at once with always_invoice, and refuses mixing intervals", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(Epoch.AddDate(0, 0, 10))
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{Price: stripe.String(yearly.ID)}},
		})
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))

		premium, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(monthly.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(4000), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.SubscriptionUpdateParams{
			ProrationBehavior: stripe.String("always_invoice"),
			Items:             []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(premium.ID)}},
		}
		p.AddExpand("latest_invoice")
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
		Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(sub.LatestInvoice.Total).To(BeNumerically(">", 0))
		Expect(sub.LatestInvoice.Lines.Data).To(HaveLen(2))
	})

	Describe("canceling with prorate=true", func() {
		// April has 30 days: canceled halfway, half the month is unused.
		var sub *stripe.Subscription
		BeforeEach(func() {
			emu.Clock().Set(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
			var err error
			sub, err = subscribe(customerWith("pm_card_visa", ""), nil)
			Expect(err).NotTo(HaveOccurred())
			emu.Clock().Set(time.Date(2026, 4, 16, 0, 0, 0, 0, time.UTC))
		})
		pending := func() []*stripe.InvoiceItem {
			var out []*stripe.InvoiceItem
			for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(sub.Customer.ID), Pending: stripe.Bool(true)}) {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, ii)
			}
			return out
		}

		It("credits the unused time as a proration left for the customer's next invoice", func() {
			_, err := sc.V1Subscriptions.Cancel(Ctx, sub.ID, &stripe.SubscriptionCancelParams{Prorate: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			items := pending()
			Expect(items).To(HaveLen(1))
			Expect(items[0].Amount).To(Equal(int64(-500)))
			Expect(items[0].Proration).To(BeTrue())
			Expect(items[0].Description).To(Equal("Unused time on Pro after 16 Apr 2026"))
			Expect(items[0].Period.Start).To(Equal(time.Date(2026, 4, 16, 0, 0, 0, 0, time.UTC).Unix()))
			Expect(items[0].Period.End).To(Equal(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC).Unix()))

			inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(sub.Customer.ID), PendingInvoiceItemsBehavior: stripe.String("include")})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Total).To(Equal(int64(-500)))
		})

		It("puts the credit on the final invoice with invoice_now, crediting a negative total to the customer's balance", func() {
			p := &stripe.SubscriptionCancelParams{Prorate: stripe.Bool(true), InvoiceNow: stripe.Bool(true)}
			p.AddExpand("latest_invoice")
			got, err := sc.V1Subscriptions.Cancel(Ctx, sub.ID, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusCanceled))
			inv := got.LatestInvoice
			Expect(inv.ID).NotTo(Equal(sub.LatestInvoice.ID))
			Expect(inv.Lines.Data).To(HaveLen(1))
			Expect(inv.Lines.Data[0].Amount).To(Equal(int64(-500)))
			Expect(inv.Total).To(Equal(int64(-500)))
			Expect(inv.AmountDue).To(Equal(int64(0)))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid), "nothing is due")
			Expect(inv.StartingBalance).To(Equal(int64(0)))
			Expect(inv.EndingBalance).To(Equal(int64(-500)))
			Expect(pending()).To(BeEmpty())
			cus, err := sc.V1Customers.Retrieve(Ctx, sub.Customer.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(cus.Balance).To(Equal(int64(-500)))
			var txns []*stripe.CustomerBalanceTransaction
			for t, err := range sc.V1CustomerBalanceTransactions.List(Ctx, &stripe.CustomerBalanceTransactionListParams{Customer: stripe.String(cus.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				txns = append(txns, t)
			}
			Expect(txns).To(HaveLen(1))
			Expect(txns[0].Type).To(Equal(stripe.CustomerBalanceTransactionTypeAppliedToInvoice))
			Expect(txns[0].Amount).To(Equal(int64(-500)))
			Expect(txns[0].Invoice.ID).To(Equal(inv.ID))
		})

		It("credits nothing when the period is not running (a trial)", func() {
			trialing, err := subscribe(customerWith("pm_card_visa", ""), func(p *stripe.SubscriptionCreateParams) { p.TrialPeriodDays = stripe.Int64(7) })
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Subscriptions.Cancel(Ctx, trialing.ID, &stripe.SubscriptionCancelParams{Prorate: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(trialing.Customer.ID), Pending: stripe.Bool(true)}) {
				Expect(err).NotTo(HaveOccurred())
				Fail("unexpected pending item " + ii.ID)
			}
		})
	})

	It("lists a customer's current subscriptions when the customer is retrieved with expand[]=subscriptions", func() {
		cus := customerWith("pm_card_visa", "")
		kept, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		ended, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Cancel(Ctx, ended.ID, nil)
		Expect(err).NotTo(HaveOccurred())

		plain, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(plain.Subscriptions).To(BeNil(), "includable: only sent when expanded")

		p := &stripe.CustomerRetrieveParams{}
		p.AddExpand("subscriptions.data.default_payment_method")
		for _, f := range []string{"sources", "tax_ids", "cash_balance", "invoice_credit_balance", "tax"} {
			p.AddExpand(f)
		}
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Subscriptions.Data).To(HaveLen(1))
		Expect(got.Subscriptions.Data[0].ID).To(Equal(kept.ID), "the canceled one is not current")
		Expect(got.Subscriptions.URL).To(Equal("/v1/customers/" + cus.ID + "/subscriptions"))
		Expect(got.Sources.Data).To(BeEmpty())
		Expect(got.TaxIDs.Data).To(BeEmpty())
		Expect(got.CashBalance.Customer).To(Equal(cus.ID))
		Expect(got.Tax.AutomaticTax).To(Equal(stripe.CustomerTaxAutomaticTaxUnrecognizedLocation))
	})

	It("cancels at period end when asked", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		emu.Clock().Set(Epoch.AddDate(0, 1, 1))
		sub, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(sub.EndedAt).To(Equal(Epoch.AddDate(0, 1, 0).Unix()))
		Expect(sub.CanceledAt).To(Equal(Epoch.Unix()), "the time of the request that asked for it, not the period's end")
	})

	It("credits the time a cancel_at set within the period takes off it, and charges back what moving or removing it gives back", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		pending := func() map[string]int64 {
			GinkgoHelper()
			out := map[string]int64{}
			for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
				Expect(err).NotTo(HaveOccurred())
				Expect(ii.Proration).To(BeTrue())
				out[ii.Description] = ii.Amount
			}
			return out
		}
		day := func(d int) time.Time { return Epoch.AddDate(0, 0, d) } // September has 30 days
		emu.Clock().Set(day(10))
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAt: stripe.Int64(day(20).Unix())})
		Expect(err).NotTo(HaveOccurred())
		Expect(pending()).To(Equal(map[string]int64{"Unused time on Pro after 21 Sep 2025": -333}))

		emu.Clock().Set(day(14))
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAt: stripe.Int64(day(25).Unix())})
		Expect(err).NotTo(HaveOccurred())
		status, _, err := emu.Call("POST", "/v1/subscriptions/"+sub.ID, url.Values{"cancel_at": {""}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		Expect(pending()).To(Equal(map[string]int64{
			"Unused time on Pro after 21 Sep 2025":    -333,
			"Remaining time on Pro after 21 Sep 2025": 167,
			"Remaining time on Pro after 26 Sep 2025": 167,
		}))

		// proration_behavior=none leaves the period as it was billed.
		other, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Update(Ctx, other.ID, &stripe.SubscriptionUpdateParams{CancelAt: stripe.Int64(day(20).Unix()), ProrationBehavior: stripe.String("none")})
		Expect(err).NotTo(HaveOccurred())
		Expect(pending()).To(HaveLen(3))
	})

	It("charges back the time a cancel_at within the period took off when cancel_at_period_end moves the end to the period's end", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		pending := func() map[string]int64 {
			GinkgoHelper()
			out := map[string]int64{}
			for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
				Expect(err).NotTo(HaveOccurred())
				out[ii.Description] = ii.Amount
			}
			return out
		}
		day := func(d int) time.Time { return Epoch.AddDate(0, 0, d) } // September has 30 days
		emu.Clock().Set(day(10))
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAt: stripe.Int64(day(20).Unix())})
		Expect(err).NotTo(HaveOccurred())
		Expect(pending()).To(Equal(map[string]int64{"Unused time on Pro after 21 Sep 2025": -333}))

		// The subscription now runs to the period's end (its cancel_at):
		// the ten days the cancel_at credited are billed again.
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.CancelAt).To(Equal(Epoch.AddDate(0, 1, 0).Unix()))
		Expect(pending()).To(Equal(map[string]int64{
			"Unused time on Pro after 21 Sep 2025":    -333,
			"Remaining time on Pro after 21 Sep 2025": 333,
		}))
	})

	It("prorates a change of quantity, and the credit of a prorated cancel, only up to a cancel_at within the period", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		day := func(d int) time.Time { return Epoch.AddDate(0, 0, d) } // September has 30 days
		type line struct {
			Amount     int64
			Start, End int64
		}
		pending := func() map[string]line {
			GinkgoHelper()
			out := map[string]line{}
			for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
				Expect(err).NotTo(HaveOccurred())
				out[ii.Description] = line{ii.Amount, ii.Period.Start, ii.Period.End}
			}
			return out
		}
		emu.Clock().Set(day(10))
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAt: stripe.Int64(day(20).Unix())})
		Expect(err).NotTo(HaveOccurred())

		// Five days are left to the subscription's end on the 16th: the
		// days after the 21st were credited already and are not billed.
		emu.Clock().Set(day(15))
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(2)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pending()).To(Equal(map[string]line{
			"Unused time on Pro after 21 Sep 2025":        {-333, day(20).Unix(), day(30).Unix()},
			"Unused time on Pro after 16 Sep 2025":        {-167, day(15).Unix(), day(20).Unix()},
			"Remaining time on 2 × Pro after 16 Sep 2025": {333, day(15).Unix(), day(20).Unix()},
		}))

		emu.Clock().Set(day(17))
		_, err = sc.V1Subscriptions.Cancel(Ctx, sub.ID, &stripe.SubscriptionCancelParams{Prorate: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(pending()).To(HaveKeyWithValue("Unused time on 2 × Pro after 18 Sep 2025", line{-200, day(17).Unix(), day(20).Unix()}))
	})

	It("prorates the first invoice up to a cancel_at within the first period", func() {
		cus := customerWith("pm_card_visa", "")
		at := Epoch.AddDate(0, 0, 10) // 10 of September's 30 days
		sub, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) { p.CancelAt = stripe.Int64(at.Unix()) })
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.Total).To(Equal(int64(333)))
		Expect(sub.LatestInvoice.Lines.Data[0].Period.End).To(Equal(at.Unix()))

		full, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) {
			p.CancelAt = stripe.Int64(at.Unix())
			p.ProrationBehavior = stripe.String("none")
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(full.LatestInvoice.Total).To(Equal(int64(1000)))

		_, err = subscribe(cus, func(p *stripe.SubscriptionCreateParams) {
			p.CancelAt = stripe.Int64(at.Unix())
			p.BillingCycleAnchor = stripe.Int64(Epoch.AddDate(0, 0, 20).Unix())
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "cancel_at")
	})

	It("prorates the renewal of a period that cancel_at ends early", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		at := time.Date(2025, 10, 16, 12, 0, 0, 0, time.UTC) // 15 of October's 31 days into the period
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAt: stripe.Int64(at.Unix())})
		Expect(err).NotTo(HaveOccurred())

		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		inv := got.LatestInvoice
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(inv.Lines.Data).To(HaveLen(1))
		Expect(inv.Lines.Data[0].Amount).To(Equal(int64(484)), "1000 × 15 of October's 31 days")
		Expect(inv.Lines.Data[0].Period.End).To(Equal(at.Unix()))
		Expect(inv.AmountPaid).To(Equal(int64(484)))

		emu.Clock().Set(at.Add(time.Hour))
		got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(got.EndedAt).To(Equal(at.Unix()))
	})

	It("charges what moving or removing a cancel_at gives back of a period billed only up to it, at the renewal or at creation", func() {
		cus := customerWith("pm_card_visa", "")
		pending := func() map[string]int64 {
			GinkgoHelper()
			out := map[string]int64{}
			for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
				Expect(err).NotTo(HaveOccurred())
				out[ii.Description] += ii.Amount
			}
			return out
		}
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		at := time.Date(2025, 10, 16, 12, 0, 0, 0, time.UTC) // 15 of October's 31 days into the period
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAt: stripe.Int64(at.Unix())})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour)) // renewed, billed up to the 16th

		// Five more days, then the rest of October: neither was billed.
		emu.Clock().Set(time.Date(2025, 10, 10, 12, 0, 0, 0, time.UTC))
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAt: stripe.Int64(at.AddDate(0, 0, 5).Unix())})
		Expect(err).NotTo(HaveOccurred())
		Expect(pending()).To(Equal(map[string]int64{"Remaining time on Pro after 16 Oct 2025": 161}), "1000 × 5 of 31 days")
		status, _, err := emu.Call("POST", "/v1/subscriptions/"+sub.ID, url.Values{"cancel_at": {""}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		Expect(pending()).To(Equal(map[string]int64{
			"Remaining time on Pro after 16 Oct 2025": 161,
			"Remaining time on Pro after 21 Oct 2025": 355, // 11 of 31 days
		}))

		// A first period billed up to its cancel_at at creation.
		emu.Clock().Set(time.Date(2025, 10, 11, 12, 0, 0, 0, time.UTC))
		other, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) { p.CancelAt = stripe.Int64(at.Unix()) })
		Expect(err).NotTo(HaveOccurred())
		Expect(other.LatestInvoice.Total).To(Equal(int64(161)), "1000 × 5 of 31 days")
		_, err = sc.V1Subscriptions.Update(Ctx, other.ID, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(pending()).To(Equal(map[string]int64{
			"Remaining time on Pro after 16 Oct 2025": 161 + 839, // both subscriptions': the second's 26 of 31 days
			"Remaining time on Pro after 21 Oct 2025": 355,
		}))
	})

	It("records a requested cancellation's time and reason at once, and forgets them when it is taken back", func() {
		cus := customerWith("pm_card_visa", "")
		sub, err := subscribe(cus, nil)
		Expect(err).NotTo(HaveOccurred())
		asked := Epoch.AddDate(0, 0, 3)
		emu.Clock().Set(asked)
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.CanceledAt).To(Equal(asked.Unix()))
		Expect(sub.CancellationDetails.Reason).To(Equal(stripe.SubscriptionCancellationDetailsReasonCancellationRequested))
		Expect(sub.CancelAt).To(Equal(sub.Items.Data[0].CurrentPeriodEnd), "the period's end, when it cancels")

		emu.Clock().Set(asked.AddDate(0, 0, 1))
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.CancelAt).To(BeZero())
		Expect(sub.CanceledAt).To(BeZero())
		Expect(sub.CancellationDetails.Reason).To(BeEmpty())

		at := Epoch.AddDate(0, 0, 20)
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAt: stripe.Int64(at.Unix())})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.CanceledAt).To(Equal(asked.AddDate(0, 0, 1).Unix()))
		Expect(sub.CancellationDetails.Reason).To(Equal(stripe.SubscriptionCancellationDetailsReasonCancellationRequested))
		emu.Clock().Set(at.Add(time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(sub.EndedAt).To(Equal(at.Unix()))
		Expect(sub.CanceledAt).To(Equal(asked.AddDate(0, 0, 1).Unix()))
	})

	Describe("invoice previews (POST /v1/invoices/create_preview)", func() {
		preview := func(p *stripe.InvoiceCreatePreviewParams) (*stripe.Invoice, error) {
			return sc.V1Invoices.CreatePreview(Ctx, p)
		}

		It("shows the next invoice of an upgrade, prorated as of proration_date, and changes nothing", func() {
			cus := customerWith("pm_card_visa", "")
			sub, err := subscribe(cus, nil)
			Expect(err).NotTo(HaveOccurred())
			emu.Clock().Set(Epoch.AddDate(0, 0, 10))
			at := Epoch.AddDate(0, 0, 12).Unix()
			bigger, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
				Product: stripe.String(monthly.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(2500),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
			})
			Expect(err).NotTo(HaveOccurred())
			upgrade := []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(bigger.ID)}}
			events := len(emu.EventTypes(""))
			inv, err := preview(&stripe.InvoiceCreatePreviewParams{
				Subscription:        stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{Items: upgrade, ProrationDate: stripe.Int64(at)},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.ID).To(HavePrefix("upcoming_in_"))
			Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonUpcoming))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusDraft))
			Expect(inv.PeriodStart).To(Equal(Epoch.Unix()), "the period that ends, looking back")
			Expect(inv.PeriodEnd).To(Equal(Epoch.AddDate(0, 1, 0).Unix()))

			start, end := Epoch.Unix(), Epoch.AddDate(0, 1, 0).Unix()
			remaining := float64(end-at) / float64(end-start)
			var credit, debit, period int64
			for _, l := range inv.Lines.Data {
				Expect(l.Invoice).To(Equal(inv.ID))
				switch {
				case l.Amount < 0:
					credit += l.Amount
					Expect(l.Period.Start).To(Equal(at))
				case l.Period.Start == at:
					debit += l.Amount
				default:
					period += l.Amount
				}
			}
			Expect(credit).To(BeNumerically("~", -1000*remaining, 1), "unused time on the old price")
			Expect(debit).To(BeNumerically("~", 2500*remaining, 1), "remaining time on the new price")
			Expect(period).To(Equal(int64(2500)), "the next period at the new price")
			Expect(inv.AmountDue).To(Equal(credit + debit + period))

			By("leaving the subscription, its invoice items and the event log as they were")
			again, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(again.Items.Data[0].Price.ID).To(Equal(monthly.ID))
			Expect(again.LatestInvoice.ID).To(Equal(sub.LatestInvoice.ID))
			Expect(emu.Count("", "invoiceitem")).To(BeZero())
			Expect(emu.EventTypes("")).To(HaveLen(events))

			By("billing what it showed once the same change is made with the same proration_date")
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
				Items:         []*stripe.SubscriptionUpdateItemParams{{ID: upgrade[0].ID, Price: upgrade[0].Price}},
				ProrationDate: stripe.Int64(at),
			})
			Expect(err).NotTo(HaveOccurred())
			emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
			again, _ = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			billed, _ := sc.V1Invoices.Retrieve(Ctx, again.LatestInvoice.ID, nil)
			Expect(billed.Total).To(Equal(inv.Total))
		})

		It("shows the prorations alone, as a draft, for always_invoice, charging nothing", func() {
			cus := customerWith("pm_card_visa", "")
			sub, err := subscribe(cus, nil)
			Expect(err).NotTo(HaveOccurred())
			emu.Clock().Set(Epoch.AddDate(0, 0, 15))
			intents := emu.Count("", "payment_intent")
			inv, err := preview(&stripe.InvoiceCreatePreviewParams{
				Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{
					Items:             []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(2)}},
					ProrationBehavior: stripe.String("always_invoice"),
				},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusDraft))
			Expect(inv.Lines.Data).To(HaveLen(2), "a credit and a debit, no next period")
			Expect(emu.Count("", "payment_intent")).To(Equal(intents))
		})

		It("refuses a preview of a customer as a whole, as basil does, and takes invoice_items to preview pending items", func() {
			cus := customerWith("pm_card_visa", "")
			sub, err := subscribe(cus, nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = preview(&stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID)})
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(400))
			Expect(se.Type).To(Equal(stripe.ErrorTypeInvalidRequest))
			Expect(se.Msg).To(Equal("You must provide at least one of: `subscription`, `schedule`, `subscription_details.items`, `schedule_details.phases`, `invoice_items`."))
			renewal, err := preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				InvoiceItems: []*stripe.InvoiceCreatePreviewInvoiceItemParams{{UnitAmount: stripe.Int64(125), Quantity: stripe.Int64(2), Currency: stripe.String("usd")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(renewal.BillingReason).To(Equal(stripe.InvoiceBillingReasonUpcoming))
			Expect(renewal.AmountDue).To(Equal(int64(1000+250)), "the renewal and the item")

			pending, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(700), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
			items := emu.Count("", "invoiceitem")
			inv, err := preview(&stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID), InvoiceItems: []*stripe.InvoiceCreatePreviewInvoiceItemParams{
				{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(2)},
				{InvoiceItem: stripe.String(pending.ID), Amount: stripe.Int64(300)},
			}})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.ID).To(HavePrefix("upcoming_in_"))
			Expect(inv.Parent).To(BeNil(), "no subscription makes it")
			Expect(inv.Lines.Data).To(HaveLen(2))
			Expect(inv.AmountDue).To(Equal(int64(2*1000 + 300)))
			Expect(emu.Count("", "invoiceitem")).To(Equal(items), "the preview's items are not kept")
			kept, err := sc.V1InvoiceItems.Retrieve(Ctx, pending.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(kept.Amount).To(Equal(int64(700)), "nor its change to a pending one")

			By("naming the invoice item a bad entry is in")
			_, err = preview(&stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID), InvoiceItems: []*stripe.InvoiceCreatePreviewInvoiceItemParams{
				{Amount: stripe.Int64(100), Currency: stripe.String("usd")}, {Price: stripe.String("price_nope")},
			}})
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeResourceMissing))
			Expect(StripeErr(err).Param).To(Equal("invoice_items[1][price]"))
			_, err = preview(&stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID), InvoiceItems: []*stripe.InvoiceCreatePreviewInvoiceItemParams{{InvoiceItem: stripe.String("ii_nope"), Amount: stripe.Int64(1)}}})
			Expect(StripeErr(err).Param).To(Equal("invoice_items[0][invoiceitem]"))
			Expect(emu.Count("", "invoiceitem")).To(Equal(items))
		})

		It("previews the first invoice of a subscription not yet created, with its trial, and adds invoice_items to it", func() {
			cus := customerWith("pm_card_visa", "")
			objects := func() int {
				return emu.Count("", "subscription") + emu.Count("", "invoice") + emu.Count("", "invoiceitem") + emu.Count("", "payment_intent")
			}
			before, events := objects(), len(emu.EventTypes(""))
			inv, err := preview(&stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{
					Items: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(3)}}},
				InvoiceItems: []*stripe.InvoiceCreatePreviewInvoiceItemParams{{Amount: stripe.Int64(250), Currency: stripe.String("usd"), Description: stripe.String("Setup fee")}},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.ID).To(HavePrefix("upcoming_in_"))
			Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCreate))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusDraft))
			Expect(inv.AmountDue).To(Equal(int64(3*1000 + 250)))
			Expect(inv.PeriodStart).To(Equal(Epoch.Unix()))
			Expect(objects()).To(Equal(before), "nothing is kept")
			Expect(emu.EventTypes("")).To(HaveLen(events), "and nothing is told")

			By("matching what the subscription then really bills")
			sub, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) { p.Items[0].Quantity = stripe.Int64(3) })
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.LatestInvoice.AmountDue).To(Equal(int64(3 * 1000)))

			By("with a trial, the trial's free first invoice")
			trial, err := preview(&stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{
					Items:    []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{{Price: stripe.String(monthly.ID)}},
					TrialEnd: stripe.Int64(Epoch.AddDate(0, 0, 7).Unix())}})
			Expect(err).NotTo(HaveOccurred())
			Expect(trial.AmountDue).To(BeZero())
			Expect(trial.Lines.Data).To(HaveLen(1))
			Expect(trial.Lines.Data[0].Description).To(HavePrefix("Trial period for"))

			By("naming a bad parameter as the preview was sent it")
			_, err = preview(&stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{
					Items: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{{Price: stripe.String("price_nope")}}}})
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeResourceMissing))
			Expect(StripeErr(err).Param).To(Equal("subscription_details[items][0][price]"))
			_, err = preview(&stripe.InvoiceCreatePreviewParams{
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{
					Items: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{{Price: stripe.String(monthly.ID)}}}})
			Expect(StripeErr(err).Param).To(Equal("customer"))
		})

		It("takes the discounts to preview with, or none with an empty discounts", func() {
			coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(25), Duration: stripe.String("forever")})
			Expect(err).NotTo(HaveOccurred())
			other, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("forever")})
			Expect(err).NotTo(HaveOccurred())
			cus := customerWith("pm_card_visa", "")
			sub, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) {
				p.Discounts = []*stripe.SubscriptionCreateDiscountParams{{Coupon: stripe.String(coupon.ID)}}
			})
			Expect(err).NotTo(HaveOccurred())
			discounts := emu.Count("", "discount")

			inv, err := preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.AmountDue).To(Equal(int64(750)), "the subscription's own")
			inv, err = preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				Discounts: []*stripe.InvoiceCreatePreviewDiscountParams{{Coupon: stripe.String(other.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.AmountDue).To(Equal(int64(500)), "the preview's in its place")
			body := "subscription=" + sub.ID + "&discounts="
			res := Do(emu.URL(), "POST", "/v1/invoices/create_preview", body)
			Expect(res.Status).To(Equal(200), res.Text)
			Expect(res.Body["amount_due"]).To(BeNumerically("==", 1000), "none at all")

			inv, err = preview(&stripe.InvoiceCreatePreviewParams{Customer: stripe.String(cus.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{
					Items: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{{Price: stripe.String(yearly.ID)}}},
				Discounts: []*stripe.InvoiceCreatePreviewDiscountParams{{Coupon: stripe.String(other.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.AmountDue).To(Equal(int64(5000)), "a new subscription's")
			Expect(emu.Count("", "discount")).To(Equal(discounts), "no discount is kept")
			kept, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(kept.Discounts).To(HaveLen(1))
		})

		It("previews a change that starts a new billing cycle as the invoice the change makes at once", func() {
			cus := customerWith("pm_card_visa", "")
			sub, err := subscribe(cus, nil)
			Expect(err).NotTo(HaveOccurred())
			emu.Clock().Set(Epoch.AddDate(0, 0, 10))
			toYearly := []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(yearly.ID)}}
			intents := emu.Count("", "payment_intent")
			inv, err := preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{Items: toYearly}})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.ID).To(HavePrefix("upcoming_in_"))
			Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusDraft))
			Expect(emu.Count("", "payment_intent")).To(Equal(intents), "nothing is charged")
			var credit int64
			for _, l := range inv.Lines.Data {
				if l.Amount < 0 {
					credit += l.Amount
				}
			}
			Expect(credit).To(BeNumerically("<", 0), "the unused month is credited")
			Expect(inv.AmountDue).To(Equal(10000 + credit))

			By("billing what the update then bills (the clock stands still in between)")
			updated, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
				Items:  []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(yearly.ID)}},
				Expand: []*string{stripe.String("latest_invoice")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(updated.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
			Expect(updated.LatestInvoice.AmountPaid).To(Equal(inv.AmountDue))

			By("and billing_cycle_anchor=now alike")
			emu.Clock().Set(Epoch.AddDate(0, 0, 40))
			now, err := preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{BillingCycleAnchorNow: stripe.Bool(true)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(now.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
			reset, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{BillingCycleAnchorNow: stripe.Bool(true),
				Expand: []*string{stripe.String("latest_invoice")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(reset.LatestInvoice.AmountPaid).To(Equal(now.AmountDue))
		})

		It("replays a preview under its idempotency key, still keeping nothing", func() {
			cus := customerWith("pm_card_visa", "")
			sub, err := subscribe(cus, nil)
			Expect(err).NotTo(HaveOccurred())
			objects := emu.Count("", "invoice") + emu.Count("", "invoiceitem")
			body := "subscription=" + sub.ID + "&subscription_details[items][0][id]=" + sub.Items.Data[0].ID + "&subscription_details[items][0][quantity]=4"
			first := Do(emu.URL(), "POST", "/v1/invoices/create_preview", body, "Idempotency-Key", "preview-1")
			Expect(first.Status).To(Equal(200), first.Text)
			again := Do(emu.URL(), "POST", "/v1/invoices/create_preview", body, "Idempotency-Key", "preview-1")
			Expect(again.Header.Get("Idempotent-Replayed")).To(Equal("true"))
			Expect(again.Text).To(Equal(first.Text))
			Expect(emu.Count("", "invoice") + emu.Count("", "invoiceitem")).To(Equal(objects))
		})

		It("refuses what it cannot preview, naming the parameter", func() {
			cus := customerWith("pm_card_visa", "")
			_, err := preview(&stripe.InvoiceCreatePreviewParams{})
			Expect(StripeErr(err).Msg).To(HavePrefix("You must provide at least one of"))
			_, err = preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String("sub_nope")})
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeResourceMissing))

			By("naming in full what an item of the previewed change asks for that the update refuses")
			sub, err := subscribe(cus, nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{Items: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{
					{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(2),
						BillingThresholds: &stripe.InvoiceCreatePreviewSubscriptionDetailsItemBillingThresholdsParams{UsageGTE: stripe.Int64(10)}}}}})
			se := StripeErr(err)
			Expect(se.Param).To(Equal("subscription_details[items][0][billing_thresholds]"))
			Expect(se.Msg).To(ContainSubstring("usage_type `metered`"), "a licensed item takes no usage threshold")
			_, err = preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{ResumeAt: stripe.String("now")}})
			Expect(StripeErr(err).Param).To(Equal("subscription_details[resume_at]"))
		})

		It("previews canceling now: the final invoice, crediting the unused time unless proration_behavior is none, and changes nothing", func() {
			cus := customerWith("pm_card_visa", "")
			sub, err := subscribe(cus, nil)
			Expect(err).NotTo(HaveOccurred())
			emu.Clock().Set(Epoch.AddDate(0, 0, 10))
			events := len(emu.EventTypes(""))
			inv, err := preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{CancelNow: stripe.Bool(true)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusDraft))
			Expect(inv.Lines.Data).To(HaveLen(1))
			start, end, now := Epoch.Unix(), Epoch.AddDate(0, 1, 0).Unix(), Epoch.AddDate(0, 0, 10).Unix()
			Expect(inv.Lines.Data[0].Amount).To(BeNumerically("~", -1000*float64(end-now)/float64(end-start), 1), "the unused time, credited")
			Expect(inv.Lines.Data[0].Period.Start).To(Equal(now))
			Expect(inv.Total).To(Equal(inv.Lines.Data[0].Amount))
			Expect(inv.AmountDue).To(BeZero(), "a credit is not charged")

			none, err := preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{CancelNow: stripe.Bool(true), ProrationBehavior: stripe.String("none")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(none.Lines.Data).To(BeEmpty())
			Expect(none.Total).To(BeZero())

			By("leaving the subscription as it was")
			again, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(again.Status).To(Equal(stripe.SubscriptionStatusActive))
			Expect(emu.Count("", "invoiceitem")).To(BeZero())
			Expect(emu.EventTypes("")).To(HaveLen(events))

			By("crediting what canceling the same way does")
			_, err = sc.V1Subscriptions.Cancel(Ctx, sub.ID, &stripe.SubscriptionCancelParams{Prorate: stripe.Bool(true), InvoiceNow: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			ended, _ := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			final, _ := sc.V1Invoices.Retrieve(Ctx, ended.LatestInvoice.ID, nil)
			Expect(final.Total).To(Equal(inv.Total))
		})

		It("previews a cancel_at: a later period it ends early billed up to it, as the renewal then bills it, and none when it ends with the period", func() {
			cus := customerWith("pm_card_visa", "")
			sub, err := subscribe(cus, nil)
			Expect(err).NotTo(HaveOccurred())
			emu.Clock().Set(Epoch.AddDate(0, 0, 10))
			next, end := Epoch.AddDate(0, 1, 0), Epoch.AddDate(0, 2, 0)
			at := Epoch.AddDate(0, 1, 15).Unix()
			cancelAt := func(v int64) *stripe.InvoiceCreatePreviewParams {
				return &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
					SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{CancelAt: stripe.Int64(v)}}
			}
			inv, err := preview(cancelAt(at))
			Expect(err).NotTo(HaveOccurred())
			want := int64(float64(1000*(at-next.Unix()))/float64(end.Unix()-next.Unix()) + 0.5)
			Expect(inv.Total).To(Equal(want), "the next period billed up to cancel_at")
			Expect(inv.Lines.Data[0].Period.Start).To(Equal(next.Unix()))
			Expect(inv.Lines.Data[0].Period.End).To(Equal(at))
			Expect(emu.Count("", "invoiceitem")).To(BeZero())
			again, _ := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(again.CancelAt).To(BeZero(), "the preview changes nothing")

			_, err = preview(cancelAt(next.Unix()))
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeInvoiceUpcomingNone), "it ends with its period")
			_, err = preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{CancelAtMaxPeriodEnd: stripe.Bool(true)}})
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeInvoiceUpcomingNone))

			By("refusing a cancel_at within the current period, whose preview Stripe does not document")
			_, err = preview(cancelAt(Epoch.AddDate(0, 0, 20).Unix()))
			ExpectStripeError(err, 400, "invalid_request_error", "", "subscription_details[cancel_at]")
			Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate"))
			By("showing, with always_invoice, the invoice of the credit made at once, as the update makes it")
			mid := Epoch.AddDate(0, 0, 20).Unix()
			credit, err := preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{CancelAt: stripe.Int64(mid), ProrationBehavior: stripe.String("always_invoice")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(credit.Total).To(Equal(-int64(float64(1000*(next.Unix()-mid))/float64(next.Unix()-Epoch.Unix())+0.5)), "the time cancel_at cuts off, credited")

			By("previewing a subscription already set to cancel as its renewal will bill it")
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAt: stripe.Int64(at)})
			Expect(err).NotTo(HaveOccurred())
			set, err := preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(set.Total).To(Equal(want))
			unset := Do(emu.URL(), "POST", "/v1/invoices/create_preview", "subscription="+sub.ID+"&subscription_details[cancel_at]=")
			Expect(unset.Status).To(Equal(200), unset.Text)
			Expect(unset.Body["total"]).To(BeNumerically("==", 1000), "kept on, it renews in full")
			emu.Clock().Set(next.Add(2 * time.Hour))
			renewed, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(renewed.LatestInvoice.Total).To(Equal(want), "as previewed")

			By("refusing, rather than show a renewal it will not have, one set to cancel within its current period")
			_, err = preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "subscription")
			Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate"))

			By("answering none for one set to cancel as its period ends")
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAt: stripe.Int64(renewed.Items.Data[0].CurrentPeriodEnd)})
			Expect(err).NotTo(HaveOccurred())
			_, err = preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeInvoiceUpcomingNone))
		})

		It("previews a trial ended now, or moved, and a subscription set or unset to cancel at the period's end", func() {
			cus := customerWith("pm_card_visa", "")
			sub, err := subscribe(cus, func(p *stripe.SubscriptionCreateParams) { p.TrialPeriodDays = stripe.Int64(14) })
			Expect(err).NotTo(HaveOccurred())
			emu.Clock().Set(Epoch.AddDate(0, 0, 3))
			intents := emu.Count("", "payment_intent")
			now, err := preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{TrialEndNow: stripe.Bool(true)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(now.Status).To(Equal(stripe.InvoiceStatusDraft))
			Expect(now.Total).To(Equal(int64(1000)))
			Expect(now.Lines.Data[0].Period.Start).To(Equal(Epoch.AddDate(0, 0, 3).Unix()), "the first paid period starts now")
			Expect(emu.Count("", "payment_intent")).To(Equal(intents), "nothing charged")

			later := Epoch.AddDate(0, 0, 30).Unix()
			moved, err := preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{TrialEnd: stripe.Int64(later)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(moved.Lines.Data[0].Period.Start).To(Equal(later))
			again, _ := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(again.Status).To(Equal(stripe.SubscriptionStatusTrialing))
			Expect(again.TrialEnd).To(Equal(Epoch.AddDate(0, 0, 14).Unix()))

			_, err = preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{CancelAtPeriodEnd: stripe.Bool(true)}})
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeInvoiceUpcomingNone))
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			kept, err := preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{CancelAtPeriodEnd: stripe.Bool(false)}})
			Expect(err).NotTo(HaveOccurred(), "kept on, it renews")
			Expect(kept.Total).To(Equal(int64(1000)))
			final, err := preview(&stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{CancelNow: stripe.Bool(true)}})
			Expect(err).NotTo(HaveOccurred(), "set to cancel later, it can still be canceled now")
			Expect(final.Total).To(BeZero(), "a trial has no paid time to credit")
		})
	})
})

// monthlyAtTwice is another monthly price of monthly's product, at
// twice its amount.
func monthlyAtTwice(sc *stripe.Client, monthly *stripe.Price) *stripe.Price {
	GinkgoHelper()
	return recurringPrice(sc, monthly.Product.ID, "month", 2*monthly.UnitAmount)
}
