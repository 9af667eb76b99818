package billing_test

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// A customer's default currency (customer.currency), as Stripe keeps it:
// set by the first subscription, invoice, invoice item, balance
// adjustment or amount-off discount; a subscription, schedule, quote or
// amount-off discount in another currency refused while anything is
// active in it; changed by a new subscription once nothing is.
var _ = Describe("A customer's currency", Label("billing", "currencies"), func() {
	const combine = "You cannot combine currencies on a single customer. This customer has an active subscription, subscription schedule, discount, quote, or invoice item with currency %s."
	var (
		emu  *emulator.Emulator
		sc   *stripe.Client
		prod *stripe.Product
		plan *stripe.Price // $10.00, €9.00, £8.00 a month
		cus  *stripe.Customer
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
				"gbp": {UnitAmount: stripe.Int64(800)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "cur@example.com", "pm_card_visa", "")
		Expect(cus.Currency).To(BeEmpty())
	})

	subscribeIn := func(cur string) (*stripe.Subscription, error) {
		return sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String(cur),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(plan.ID)}}})
	}
	currencyOf := func() stripe.Currency {
		GinkgoHelper()
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return got.Currency
	}
	// updates are the customer.updated events about cus from mark on.
	updates := func(mark int) []map[string]any {
		var out []map[string]any
		for _, ev := range emu.Events("")[mark:] {
			data := ev["data"].(map[string]any)
			if ev["type"] == "customer.updated" && data["object"].(map[string]any)["id"] == cus.ID {
				out = append(out, data)
			}
		}
		return out
	}

	It("is set by the customer's first subscription, with customer.updated", func() {
		mark := len(emu.Events(""))
		sub, err := subscribeIn("eur")
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(currencyOf()).To(Equal(stripe.CurrencyEUR))
		types := emu.EventTypes("")[mark:]
		Expect(types[:2]).To(Equal([]string{"customer.updated", "customer.subscription.created"}))
		ups := updates(mark)
		Expect(ups).To(HaveLen(1))
		Expect(ups[0]["previous_attributes"]).To(Equal(map[string]any{"currency": nil}))
		Expect(ups[0]["object"]).To(HaveKeyWithValue("currency", "eur"))

		By("billing a second subscription in it without currency sent, with no new event about the customer")
		mark = len(emu.Events(""))
		again, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(plan.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(updates(mark)).To(BeEmpty())
	})

	It("is set by the customer's first invoice item, and not by one in another currency after it", func() {
		mark := len(emu.Events(""))
		_, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID),
			Amount: stripe.Int64(500), Currency: stripe.String("gbp")})
		Expect(err).NotTo(HaveOccurred())
		Expect(currencyOf()).To(Equal(stripe.CurrencyGBP))
		ups := updates(mark)
		Expect(ups).To(HaveLen(1))
		Expect(ups[0]["previous_attributes"]).To(Equal(map[string]any{"currency": nil}))

		mark = len(emu.Events(""))
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID),
			Amount: stripe.Int64(700), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred(), "an item for a one-off invoice in another currency")
		Expect(currencyOf()).To(Equal(stripe.CurrencyGBP))
		Expect(updates(mark)).To(BeEmpty())

		By("refusing a subscription in another currency while the GBP item is pending")
		_, err = subscribeIn("eur")
		Expect(StripeErr(err).Msg).To(Equal(fmt.Sprintf(combine, "gbp")))
	})

	It("refuses a subscription in another currency while one is active, with nothing created, and takes it once that one is canceled", func() {
		first, err := subscribeIn("eur")
		Expect(err).NotTo(HaveOccurred())
		mark, subs, invs := len(emu.Events("")), emu.Count("", "subscription"), emu.Count("", "invoice")

		_, err = subscribeIn("gbp")
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency")
		Expect(StripeErr(err).Msg).To(Equal(fmt.Sprintf(combine, "eur")))
		Expect(emu.Events("")).To(HaveLen(mark), "no event")
		Expect(emu.Count("", "subscription")).To(Equal(subs))
		Expect(emu.Count("", "invoice")).To(Equal(invs))
		Expect(currencyOf()).To(Equal(stripe.CurrencyEUR))

		By("refusing a schedule in it too")
		_, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDateNow: stripe.Bool(true),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Currency: stripe.String("gbp"),
				Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(plan.ID)}}}},
		})
		Expect(StripeErr(err).Msg).To(Equal(fmt.Sprintf(combine, "eur")))
		Expect(emu.Count("", "subscription_schedule")).To(BeZero())

		By("refusing a subscription mode Checkout Session in it for the customer")
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"),
			Customer: stripe.String(cus.ID), Currency: stripe.String("gbp"), SuccessURL: stripe.String("https://x.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(plan.ID), Quantity: stripe.Int64(1)}}})
		Expect(StripeErr(err).Msg).To(Equal(fmt.Sprintf(combine, "eur")))

		By("taking a GBP subscription once the EUR one is canceled, which makes GBP the customer's")
		_, err = sc.V1Subscriptions.Cancel(Ctx, first.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		mark = len(emu.Events(""))
		sub, err := subscribeIn("gbp")
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Currency).To(Equal(stripe.CurrencyGBP))
		Expect(currencyOf()).To(Equal(stripe.CurrencyGBP))
		ups := updates(mark)
		Expect(ups).To(HaveLen(1))
		Expect(ups[0]["previous_attributes"]).To(Equal(map[string]any{"currency": "eur"}))
	})

	It("refuses an update moving a schedule's phases to another currency while one is active, and takes it for a schedule that is the customer's only one", func() {
		waiting := func() *stripe.SubscriptionSchedule {
			GinkgoHelper()
			s, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
				Customer: stripe.String(cus.ID), StartDate: stripe.Int64(Epoch.AddDate(0, 0, 5).Unix()),
				Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(plan.ID)}}}},
			})
			Expect(err).NotTo(HaveOccurred())
			return s
		}
		toGBP := func(s *stripe.SubscriptionSchedule) error {
			_, err := sc.V1SubscriptionSchedules.Update(Ctx, s.ID, &stripe.SubscriptionScheduleUpdateParams{
				Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{{StartDate: stripe.Int64(s.Phases[0].StartDate), Currency: stripe.String("gbp"),
					Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(plan.ID)}}}}})
			return err
		}
		By("moving the customer's only schedule, yet to start, to GBP, which makes GBP the customer's")
		alone := waiting()
		Expect(currencyOf()).To(Equal(stripe.CurrencyUSD))
		Expect(toGBP(alone)).To(Succeed())
		Expect(currencyOf()).To(Equal(stripe.CurrencyGBP))
		_, err := sc.V1SubscriptionSchedules.Cancel(Ctx, alone.ID, nil)
		Expect(err).NotTo(HaveOccurred())

		By("refusing it while a subscription in EUR is active, the schedule left as it was to start when it says")
		_, err = subscribeIn("eur")
		Expect(err).NotTo(HaveOccurred())
		later, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDate: stripe.Int64(Epoch.AddDate(0, 0, 5).Unix()),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Currency: stripe.String("eur"), Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(plan.ID)}}}},
		})
		Expect(err).NotTo(HaveOccurred())
		err = toGBP(later)
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases[0][currency]")
		Expect(StripeErr(err).Msg).To(Equal(fmt.Sprintf(combine, "eur")))
		got, err := sc.V1SubscriptionSchedules.Retrieve(Ctx, later.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Phases[0].Currency).To(Equal(stripe.CurrencyEUR))
		emu.Clock().Set(Epoch.AddDate(0, 0, 6))
		got, err = sc.V1SubscriptionSchedules.Retrieve(Ctx, later.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionScheduleStatusActive))
	})

	It("lets a one-off invoice be in another currency without changing the customer's", func() {
		_, err := subscribeIn("eur")
		Expect(err).NotTo(HaveOccurred())
		mark := len(emu.Events(""))
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Currency).To(Equal(stripe.CurrencyUSD))
		Expect(currencyOf()).To(Equal(stripe.CurrencyEUR))
		Expect(updates(mark)).To(BeEmpty())

		By("billing an invoice without currency in the customer's")
		inv, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Currency).To(Equal(stripe.CurrencyEUR))
	})

	It("is set by the customer's first invoice", func() {
		mark := len(emu.Events(""))
		_, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("gbp")})
		Expect(err).NotTo(HaveOccurred())
		Expect(currencyOf()).To(Equal(stripe.CurrencyGBP))
		Expect(emu.EventTypes("")[mark:]).To(Equal([]string{"customer.updated", "invoice.created"}))
	})

	It("is set by a balance given on create, in the account's currency", func() {
		c2, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Balance: stripe.Int64(-500)})
		Expect(err).NotTo(HaveOccurred())
		Expect(c2.Currency).To(Equal(stripe.CurrencyUSD))
	})

	It("is set by an amount-off discount, and refuses one in another currency while a subscription is active", func() {
		off, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{AmountOff: stripe.Int64(200), Currency: stripe.String("gbp"), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		mark := len(emu.Events(""))
		_, err = emu.ApplyCustomerDiscount("", cus.ID, emulator.CustomerDiscount{Coupon: off.ID})
		Expect(err).NotTo(HaveOccurred())
		Expect(currencyOf()).To(Equal(stripe.CurrencyGBP))
		ups := updates(mark)
		Expect(ups).To(HaveLen(1))
		Expect(ups[0]["previous_attributes"]).To(HaveKeyWithValue("currency", BeNil()))

		By("refusing a EUR subscription while the GBP discount is the customer's")
		_, err = subscribeIn("eur")
		Expect(StripeErr(err).Msg).To(Equal(fmt.Sprintf(combine, "gbp")))

		By("refusing a EUR amount-off coupon while a GBP subscription is active")
		_, err = sc.V1Customers.DeleteDiscount(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = subscribeIn("gbp")
		Expect(err).NotTo(HaveOccurred())
		eurOff, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{AmountOff: stripe.Int64(200), Currency: stripe.String("eur"), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		_, err = emu.ApplyCustomerDiscount("", cus.ID, emulator.CustomerDiscount{Coupon: eurOff.ID})
		Expect(err).To(MatchError(ContainSubstring(fmt.Sprintf(combine, "gbp"))))
	})

	It("refuses to finalize a quote for a subscription in another currency while one is active", func() {
		_, err := subscribeIn("eur")
		Expect(err).NotTo(HaveOccurred())
		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(plan.ID), Quantity: stripe.Int64(1)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Currency).To(Equal(stripe.CurrencyUSD))
		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(StripeErr(err).Msg).To(Equal(fmt.Sprintf(combine, "eur")))
		q, err = sc.V1Quotes.Retrieve(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Status).To(Equal(stripe.QuoteStatusDraft))
	})
})
