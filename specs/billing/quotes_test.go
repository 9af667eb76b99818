package billing_test

import (
	"io"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Quotes: a draft of prices for a customer, finalized (open, numbered),
// then accepted into an invoice or a subscription, canceled, or expired
// by the clock.
var _ = Describe("Quotes", Label("billing", "quotes"), func() {
	var (
		emu              *emulator.Emulator
		sc               *stripe.Client
		prod             *stripe.Product
		oneTime, monthly *stripe.Price
		vat              *stripe.TaxRate
		cus              *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		prod, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Consulting")})
		Expect(err).NotTo(HaveOccurred())
		oneTime, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1500)})
		Expect(err).NotTo(HaveOccurred())
		monthly = recurringPrice(sc, prod.ID, "month", 1000)
		vat, err = sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(10), Inclusive: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "quotes@example.com", "pm_card_visa", "")
	})

	quoteEvents := func() []string {
		var out []string
		for _, t := range emu.EventTypes("") {
			if strings.HasPrefix(t, "quote.") || strings.HasPrefix(t, "invoice") || strings.HasPrefix(t, "customer.subscription.") {
				out = append(out, t)
			}
		}
		return out
	}
	oneTimeQuote := func() *stripe.Quote {
		GinkgoHelper()
		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{
			Customer: stripe.String(cus.ID), Header: stripe.String("Spring work"),
			LineItems: []*stripe.QuoteCreateLineItemParams{
				{Price: stripe.String(oneTime.ID), Quantity: stripe.Int64(2)},
				{PriceData: &stripe.QuoteCreateLineItemPriceDataParams{Currency: stripe.String("usd"), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(500)},
					TaxRates: []*string{stripe.String(vat.ID)}},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		return q
	}

	It("is drafted, finalized with a number, and accepted into a draft invoice of its lines", func() {
		q := oneTimeQuote()
		Expect(q.ID).To(HavePrefix("qt_"))
		Expect(q.Status).To(Equal(stripe.QuoteStatusDraft))
		Expect(q.Number).To(BeEmpty())
		Expect(q.Created).To(Equal(Epoch.Unix()))
		Expect(q.ExpiresAt).To(Equal(Epoch.AddDate(0, 0, 30).Unix()), "30 days by default")
		Expect(q.Currency).To(Equal(stripe.CurrencyUSD))
		Expect(q.AmountSubtotal).To(Equal(int64(3500)))
		Expect(q.TotalDetails.AmountTax).To(Equal(int64(50)), "10% of the 5.00 line only")
		Expect(q.AmountTotal).To(Equal(int64(3550)))
		Expect(q.Computed.Recurring).To(BeNil())
		Expect(q.Computed.Upfront.AmountTotal).To(Equal(int64(3550)))
		Expect(q.LineItems).To(BeNil(), "line items are left out unless expanded")

		var items []*stripe.LineItem
		for it, err := range sc.V1Quotes.ListLineItems(Ctx, &stripe.QuoteListLineItemsParams{Quote: stripe.String(q.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			items = append(items, it)
		}
		Expect(items).To(HaveLen(2))
		Expect(items[0].ID).To(HavePrefix("li_"))
		Expect(items[0].Price.ID).To(Equal(oneTime.ID))
		Expect(items[0].AmountTotal).To(Equal(int64(3000)))
		Expect(items[0].Description).To(Equal("Consulting"))
		Expect(items[1].Price.Active).To(BeFalse(), "price_data makes an archived inline price")
		Expect(items[1].AmountTax).To(Equal(int64(50)))

		q, err := sc.V1Quotes.Retrieve(Ctx, q.ID, &stripe.QuoteRetrieveParams{Expand: []*string{stripe.String("line_items.data.taxes"),
			stripe.String("computed.upfront.line_items"), stripe.String("customer"), stripe.String("default_tax_rates")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.LineItems.Data).To(HaveLen(2))
		Expect(q.LineItems.URL).To(Equal("/v1/quotes/" + q.ID + "/line_items"))
		Expect(q.LineItems.Data[1].Taxes).To(HaveLen(1))
		Expect(q.LineItems.Data[1].Taxes[0].Rate.ID).To(Equal(vat.ID))
		Expect(q.LineItems.Data[1].Taxes[0].Amount).To(Equal(int64(50)))
		Expect(q.Computed.Upfront.LineItems.Data).To(HaveLen(2))
		Expect(q.Customer.Email).To(Equal(cus.Email))

		q, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Status).To(Equal(stripe.QuoteStatusOpen))
		Expect(q.Number).To(MatchRegexp(`^QT-[0-9A-Z]{8}-0001-1$`))
		Expect(q.Number).To(ContainSubstring(cus.InvoicePrefix), "the customer's invoice prefix")
		Expect(q.StatusTransitions.FinalizedAt).To(Equal(Epoch.Unix()))

		_, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{Description: stripe.String("late change")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")

		q, err = sc.V1Quotes.Accept(Ctx, q.ID, &stripe.QuoteAcceptParams{Expand: []*string{stripe.String("invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Status).To(Equal(stripe.QuoteStatusAccepted))
		Expect(q.StatusTransitions.AcceptedAt).To(Equal(Epoch.Unix()))
		Expect(q.Subscription).To(BeNil())
		inv := q.Invoice
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusDraft))
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonQuoteAccept))
		Expect(inv.Parent.Type).To(Equal(stripe.InvoiceParentTypeQuoteDetails))
		Expect(inv.Parent.QuoteDetails.Quote).To(Equal(q.ID))
		Expect(inv.Customer.ID).To(Equal(cus.ID))
		Expect(inv.Lines.Data).To(HaveLen(2))
		Expect(inv.Lines.Data[0].Amount).To(Equal(int64(3000)))
		Expect(inv.Lines.Data[0].Quantity).To(Equal(int64(2)))
		Expect(inv.Lines.Data[1].Amount).To(Equal(int64(500)))
		Expect(inv.Lines.Data[1].Taxes).To(HaveLen(1))
		Expect(inv.Subtotal).To(Equal(int64(3500)))
		Expect(inv.Total).To(Equal(q.AmountTotal), "the invoice bills what the quote said")

		// The draft is the merchant's to finalize; it then charges the card.
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.Pay(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.AmountPaid).To(Equal(int64(3550)))

		Expect(quoteEvents()[:5]).To(Equal([]string{"quote.created", "quote.finalized", "invoiceitem.created", "invoiceitem.created", "invoice.created"}))
		Expect(quoteEvents()[5]).To(Equal("quote.accepted"))
	})

	It("accepts recurring lines into a subscription whose first invoice also bills the one-time lines", func() {
		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{
			Customer: stripe.String(cus.ID),
			LineItems: []*stripe.QuoteCreateLineItemParams{
				{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(3)},
				{Price: stripe.String(oneTime.ID)},
			},
			SubscriptionData: &stripe.QuoteCreateSubscriptionDataParams{Description: stripe.String("Retainer"), Metadata: map[string]string{"deal": "42"}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Computed.Recurring).NotTo(BeNil())
		Expect(q.Computed.Recurring.Interval).To(Equal(stripe.QuoteComputedRecurringIntervalMonth))
		Expect(q.Computed.Recurring.IntervalCount).To(Equal(int64(1)))
		Expect(q.Computed.Recurring.AmountTotal).To(Equal(int64(3000)), "each month after the first")
		Expect(q.Computed.Upfront.AmountTotal).To(Equal(int64(4500)), "the first invoice: a month and the one-time line")

		var upfront []*stripe.LineItem
		for it, err := range sc.V1Quotes.ListComputedUpfrontLineItems(Ctx, &stripe.QuoteListComputedUpfrontLineItemsParams{Quote: stripe.String(q.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			upfront = append(upfront, it)
		}
		Expect(upfront).To(HaveLen(2))
		Expect(upfront[0].AmountTotal + upfront[1].AmountTotal).To(Equal(int64(4500)))

		_, err = sc.V1Quotes.Accept(Ctx, q.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")

		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		q, err = sc.V1Quotes.Accept(Ctx, q.ID, &stripe.QuoteAcceptParams{Expand: []*string{stripe.String("subscription"), stripe.String("invoice")}})
		Expect(err).NotTo(HaveOccurred())
		sub := q.Subscription
		Expect(sub.ID).To(HavePrefix("sub_"))
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.Description).To(Equal("Retainer"))
		Expect(sub.Metadata).To(Equal(map[string]string{"deal": "42"}))
		Expect(sub.Items.Data).To(HaveLen(1))
		Expect(sub.Items.Data[0].Quantity).To(Equal(int64(3)))
		Expect(q.Invoice.ID).To(Equal(sub.LatestInvoice.ID))
		Expect(q.Invoice.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(q.Invoice.AmountPaid).To(Equal(q.Computed.Upfront.AmountTotal))
		Expect(q.Invoice.Lines.Data).To(HaveLen(2))

		// The next month bills the recurring amount.
		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(q.Computed.Recurring.AmountTotal))

		types := quoteEvents()
		Expect(types[:2]).To(Equal([]string{"quote.created", "quote.finalized"}))
		Expect(types[2]).To(Equal("customer.subscription.created"))
		Expect(types).To(ContainElement("quote.accepted"))
		Expect(slicesIndex(types, "quote.accepted")).To(BeNumerically(">", slicesIndex(types, "invoice.paid")), "accepted once what it made exists")
	})

	It("accepts into a subscription schedule starting at subscription_data[effective_date] when that is to come", func() {
		start := Epoch.AddDate(0, 0, 10)
		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{
			Customer: stripe.String(cus.ID),
			LineItems: []*stripe.QuoteCreateLineItemParams{
				{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(2)},
				{PriceData: &stripe.QuoteCreateLineItemPriceDataParams{Currency: stripe.String("usd"), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(500)}},
			},
			SubscriptionData: &stripe.QuoteCreateSubscriptionDataParams{EffectiveDate: stripe.Int64(start.Unix()), Metadata: map[string]string{"deal": "7"}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.SubscriptionData.EffectiveDate).To(Equal(start.Unix()))
		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		q, err = sc.V1Quotes.Accept(Ctx, q.ID, &stripe.QuoteAcceptParams{Expand: []*string{stripe.String("subscription_schedule")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Status).To(Equal(stripe.QuoteStatusAccepted))
		Expect(q.Subscription).To(BeNil(), "nothing is billed before the schedule starts")
		Expect(q.Invoice).To(BeNil())
		sched := q.SubscriptionSchedule
		Expect(sched.ID).To(HavePrefix("sub_sched_"))
		Expect(sched.Status).To(Equal(stripe.SubscriptionScheduleStatusNotStarted))
		Expect(sched.Customer.ID).To(Equal(cus.ID))
		Expect(sched.Phases).To(HaveLen(1))
		phase := sched.Phases[0]
		Expect(phase.StartDate).To(Equal(start.Unix()))
		Expect(phase.Items).To(HaveLen(1))
		Expect(phase.Items[0].Price.ID).To(Equal(monthly.ID))
		Expect(phase.Items[0].Quantity).To(Equal(int64(2)))
		Expect(phase.AddInvoiceItems).To(HaveLen(1), "the one-time line is billed as the schedule starts")
		Expect(emu.EventTypes("")).To(ContainElement("subscription_schedule.created"))

		emu.Clock().Set(start.Add(2 * time.Hour))
		sched, err = sc.V1SubscriptionSchedules.Retrieve(Ctx, sched.ID, &stripe.SubscriptionScheduleRetrieveParams{
			Params: stripe.Params{Expand: []*string{stripe.String("subscription.latest_invoice")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sched.Status).To(Equal(stripe.SubscriptionScheduleStatusActive))
		sub := sched.Subscription
		Expect(sub.StartDate).To(Equal(start.Unix()))
		Expect(sub.Metadata).To(Equal(map[string]string{"deal": "7"}))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(q.Computed.Upfront.AmountTotal))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(2500)))

		By("creating the subscription at once when the effective date has passed by acceptance")
		q, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{
			Customer:         stripe.String(cus.ID),
			LineItems:        []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(monthly.ID)}},
			SubscriptionData: &stripe.QuoteCreateSubscriptionDataParams{EffectiveDate: stripe.Int64(start.Add(4 * time.Hour).Unix())},
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(start.Add(5 * time.Hour))
		q, err = sc.V1Quotes.Accept(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(q.SubscriptionSchedule).To(BeNil())
		Expect(q.Subscription.ID).To(HavePrefix("sub_"))

		_, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			SubscriptionData: &stripe.QuoteCreateSubscriptionDataParams{EffectiveDateCurrentPeriodEnd: stripe.Bool(true)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "subscription_data[effective_date]")
	})

	It("puts nothing but the one-time lines upfront during a trial", func() {
		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{
			Customer:         stripe.String(cus.ID),
			LineItems:        []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(monthly.ID)}, {Price: stripe.String(oneTime.ID)}},
			SubscriptionData: &stripe.QuoteCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(14)},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Computed.Upfront.AmountTotal).To(Equal(int64(1500)))
		Expect(q.Computed.Recurring.AmountTotal).To(Equal(int64(1000)))
		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		q, err = sc.V1Quotes.Accept(Ctx, q.ID, &stripe.QuoteAcceptParams{Expand: []*string{stripe.String("subscription"), stripe.String("invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Subscription.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(q.Subscription.TrialEnd).To(Equal(Epoch.AddDate(0, 0, 14).Unix()))
		Expect(q.Invoice.AmountDue).To(Equal(int64(1500)), "the one-time line; the trial's month is free")
		Expect(q.Invoice.Status).To(Equal(stripe.InvoiceStatusPaid), "charged at once: the trial covers only the subscription's items")
		Expect(q.Invoice.AmountPaid).To(Equal(int64(1500)))
	})

	It("takes its discounts off the totals and hands them to what it bills", func() {
		cp, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(20), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{
			Customer:        stripe.String(cus.ID),
			LineItems:       []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(oneTime.ID), Quantity: stripe.Int64(2)}},
			Discounts:       []*stripe.QuoteCreateDiscountParams{{Coupon: stripe.String(cp.ID)}},
			DefaultTaxRates: []*string{stripe.String(vat.ID)},
			Expand:          []*string{stripe.String("total_details.breakdown")},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Discounts).To(HaveLen(1))
		Expect(q.TotalDetails.AmountDiscount).To(Equal(int64(600)))
		Expect(q.TotalDetails.AmountTax).To(Equal(int64(240)), "taxed on what the discount leaves")
		Expect(q.AmountTotal).To(Equal(int64(2640)))
		Expect(q.TotalDetails.Breakdown.Discounts[0].Discount.Coupon.ID).To(Equal(cp.ID))
		Expect(q.TotalDetails.Breakdown.Taxes[0].Rate.ID).To(Equal(vat.ID))

		// Each line item names what its discounts took off it.
		var items []*stripe.LineItem
		for it, err := range sc.V1Quotes.ListLineItems(Ctx, &stripe.QuoteListLineItemsParams{Quote: stripe.String(q.ID),
			ListParams: stripe.ListParams{Expand: []*string{stripe.String("data.discounts")}}}) {
			Expect(err).NotTo(HaveOccurred())
			items = append(items, it)
		}
		Expect(items).To(HaveLen(1))
		Expect(items[0].AmountDiscount).To(Equal(int64(600)))
		Expect(items[0].Discounts).To(HaveLen(1))
		Expect(items[0].Discounts[0].Amount).To(Equal(int64(600)))
		Expect(items[0].Discounts[0].Discount.ID).To(Equal(q.Discounts[0].ID))
		Expect(items[0].Discounts[0].Discount.Coupon.ID).To(Equal(cp.ID))
		for it, err := range sc.V1Quotes.ListComputedUpfrontLineItems(Ctx, &stripe.QuoteListComputedUpfrontLineItemsParams{Quote: stripe.String(q.ID),
			ListParams: stripe.ListParams{Expand: []*string{stripe.String("data.discounts")}}}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(it.Discounts[0].Amount).To(Equal(int64(600)))
		}

		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		q, err = sc.V1Quotes.Accept(Ctx, q.ID, &stripe.QuoteAcceptParams{Expand: []*string{stripe.String("invoice.discounts")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Invoice.Total).To(Equal(int64(2640)))
		Expect(q.Invoice.TotalDiscountAmounts[0].Amount).To(Equal(int64(600)))
		Expect(q.Invoice.Discounts[0].Invoice).To(Equal(q.Invoice.ID), "applied to the invoice, as one sent with it is")
	})

	It("starts a repeating coupon's months when the quote is accepted, not when it was drafted", func() {
		cp, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("repeating"), DurationInMonths: stripe.Int64(1)})
		Expect(err).NotTo(HaveOccurred())
		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(monthly.ID)}},
			Discounts: []*stripe.QuoteCreateDiscountParams{{Coupon: stripe.String(cp.ID)}},
			ExpiresAt: stripe.Int64(Epoch.AddDate(0, 3, 0).Unix())})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Computed.Upfront.AmountTotal).To(Equal(int64(500)))
		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())

		// Accepted six weeks later: the month starts then.
		accepted := Epoch.AddDate(0, 0, 42)
		emu.Clock().Set(accepted)
		q, err = sc.V1Quotes.Accept(Ctx, q.ID, &stripe.QuoteAcceptParams{Expand: []*string{stripe.String("invoice"), stripe.String("subscription.discounts")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Invoice.Total).To(Equal(int64(500)), "what the quote said upfront")
		Expect(q.Subscription.Discounts).To(HaveLen(1))
		Expect(q.Subscription.Discounts[0].Start).To(Equal(accepted.Unix()))
		Expect(q.Subscription.Discounts[0].End).To(Equal(accepted.AddDate(0, 1, 0).Unix()))
		Expect(q.Subscription.Discounts[0].Subscription).To(Equal(q.Subscription.ID), "applied to the subscription, as one sent with it is")

		By("and from an effective date still to come, applied to the subscription its schedule starts then")
		start := accepted.AddDate(0, 0, 10)
		q, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			LineItems:        []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(monthly.ID)}},
			Discounts:        []*stripe.QuoteCreateDiscountParams{{Coupon: stripe.String(cp.ID)}},
			SubscriptionData: &stripe.QuoteCreateSubscriptionDataParams{EffectiveDate: stripe.Int64(start.Unix())}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		q, err = sc.V1Quotes.Accept(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(start.Add(time.Hour))
		sched, err := sc.V1SubscriptionSchedules.Retrieve(Ctx, q.SubscriptionSchedule.ID, &stripe.SubscriptionScheduleRetrieveParams{
			Params: stripe.Params{Expand: []*string{stripe.String("subscription.discounts")}}})
		Expect(err).NotTo(HaveOccurred())
		sub := sched.Subscription
		Expect(sub.Discounts).To(HaveLen(1))
		Expect(sub.Discounts[0].ID).To(Equal(q.Discounts[0].ID))
		Expect(sub.Discounts[0].Start).To(Equal(start.Unix()))
		Expect(sub.Discounts[0].Subscription).To(Equal(sub.ID))
	})

	It("refuses an existing discount of a subscription, a quote's only ancestor being the customer, creating nothing", func() {
		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:     []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(recurringPrice(sc, prod.ID, "month", 1000).ID)}},
			Discounts: []*stripe.SubscriptionCreateDiscountParams{{Coupon: stripe.String(c.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		theirs := sub.Discounts[0].ID
		_, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(oneTime.ID)}},
			Discounts: []*stripe.QuoteCreateDiscountParams{{Discount: stripe.String(theirs)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "discounts[0][discount]")
		_, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(oneTime.ID),
				Discounts: []*stripe.QuoteCreateLineItemDiscountParams{{Discount: stripe.String(theirs)}}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "line_items[0][discounts][0][discount]")
		Expect(emu.Count("", "quote")).To(BeZero())
	})

	It("takes a line's own discounts off that line first, then the quote's, as its invoice does", func() {
		five, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{AmountOff: stripe.Int64(500), Currency: stripe.String("usd"), Duration: stripe.String("once")})
		Expect(err).NotTo(HaveOccurred())
		tenPct, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("once")})
		Expect(err).NotTo(HaveOccurred())
		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{
			Customer: stripe.String(cus.ID),
			LineItems: []*stripe.QuoteCreateLineItemParams{
				{Price: stripe.String(oneTime.ID), Quantity: stripe.Int64(2), Discounts: []*stripe.QuoteCreateLineItemDiscountParams{{Coupon: stripe.String(five.ID)}}},
				{Price: stripe.String(oneTime.ID)},
			},
			Discounts: []*stripe.QuoteCreateDiscountParams{{Coupon: stripe.String(tenPct.ID)}},
			Expand:    []*string{stripe.String("total_details.breakdown")},
		})
		Expect(err).NotTo(HaveOccurred())
		// 30.00 - 5.00 = 25.00, then 10% of 25.00 + 15.00.
		Expect(q.TotalDetails.AmountDiscount).To(Equal(int64(500 + 250 + 150)))
		Expect(q.AmountTotal).To(Equal(int64(4500 - 900)))
		Expect(q.TotalDetails.Breakdown.Discounts).To(HaveLen(2))
		Expect(q.TotalDetails.Breakdown.Discounts[0].Amount).To(Equal(int64(500)))
		Expect(q.TotalDetails.Breakdown.Discounts[0].Discount.Coupon.ID).To(Equal(five.ID))
		Expect(q.TotalDetails.Breakdown.Discounts[1].Amount).To(Equal(int64(400)))
		var items []*stripe.LineItem
		for it, err := range sc.V1Quotes.ListLineItems(Ctx, &stripe.QuoteListLineItemsParams{Quote: stripe.String(q.ID),
			ListParams: stripe.ListParams{Expand: []*string{stripe.String("data.discounts")}}}) {
			Expect(err).NotTo(HaveOccurred())
			items = append(items, it)
		}
		Expect(items[0].AmountDiscount).To(Equal(int64(750)))
		Expect(items[0].Discounts).To(HaveLen(2))
		Expect(items[1].AmountDiscount).To(Equal(int64(150)))

		// Updating another line keeps the named line's discounts.
		q, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{LineItems: []*stripe.QuoteUpdateLineItemParams{{ID: stripe.String(items[0].ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.TotalDetails.AmountDiscount).To(Equal(int64(750)))

		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		q, err = sc.V1Quotes.Accept(Ctx, q.ID, &stripe.QuoteAcceptParams{Expand: []*string{stripe.String("invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Invoice.Total).To(Equal(q.AmountTotal), "the invoice bills what the quote said")
		Expect(q.Invoice.Lines.Data[0].Discounts).To(HaveLen(1))
		itemID := q.Invoice.Lines.Data[0].Parent.InvoiceItemDetails.InvoiceItem
		ii, err := sc.V1InvoiceItems.Retrieve(Ctx, itemID, &stripe.InvoiceItemRetrieveParams{Expand: []*string{stripe.String("discounts")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Discounts).To(HaveLen(1))
		Expect(ii.Discounts[0].InvoiceItem).To(Equal(itemID), "applied to its invoice item, as one sent with the item is")

		// A recurring quote's line discounts would go to subscription items,
		// which the emulator does not take them on.
		_, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(monthly.ID), Discounts: []*stripe.QuoteCreateLineItemDiscountParams{{Coupon: stripe.String(tenPct.ID)}}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][discounts]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate"))
	})

	It("counts only forever coupons in computed.recurring, as Stripe documents", func() {
		for _, tc := range []struct {
			params   *stripe.CouponCreateParams
			discount int64
		}{
			{&stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("once")}, 0},
			{&stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("repeating"), DurationInMonths: stripe.Int64(3)}, 0},
			{&stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("forever")}, 500},
		} {
			cp, err := sc.V1Coupons.Create(Ctx, tc.params)
			Expect(err).NotTo(HaveOccurred())
			q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
				LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(monthly.ID)}},
				Discounts: []*stripe.QuoteCreateDiscountParams{{Coupon: stripe.String(cp.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(q.Computed.Upfront.TotalDetails.AmountDiscount).To(Equal(int64(500)), "%s: the first invoice is discounted", cp.Duration)
			Expect(q.Computed.Recurring.TotalDetails.AmountDiscount).To(Equal(tc.discount), "%s", cp.Duration)
			Expect(q.Computed.Recurring.AmountTotal).To(Equal(1000-tc.discount), "%s", cp.Duration)
		}
	})

	It("changes lines by id while a draft, and takes a customer only once", func() {
		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(oneTime.ID)}, {Price: stripe.String(monthly.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Customer).To(BeNil())
		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "customer")

		var first string
		for it, err := range sc.V1Quotes.ListLineItems(Ctx, &stripe.QuoteListLineItemsParams{Quote: stripe.String(q.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			first = it.ID
			break
		}
		q, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{Customer: stripe.String(cus.ID),
			LineItems: []*stripe.QuoteUpdateLineItemParams{{ID: stripe.String(first), Quantity: stripe.Int64(4)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Customer.ID).To(Equal(cus.ID))
		Expect(q.AmountSubtotal).To(Equal(int64(6000)), "the recurring line not named is gone")
		Expect(q.Computed.Recurring).To(BeNil())

		other := customerWithCard(sc, "other@example.com", "pm_card_visa", "")
		_, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{Customer: stripe.String(other.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "customer")

		_, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{LineItems: []*stripe.QuoteUpdateLineItemParams{{ID: stripe.String("li_nope")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "line_items[0][id]")
	})

	It("takes back a line's own price named with its id though inactive, an inline one or archived since, while refusing an inactive price new to the line", func() {
		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID), LineItems: []*stripe.QuoteCreateLineItemParams{
			{PriceData: &stripe.QuoteCreateLineItemPriceDataParams{Currency: stripe.String("usd"), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(800)}},
			{Price: stripe.String(oneTime.ID)},
		}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Prices.Update(Ctx, oneTime.ID, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		var lines []*stripe.LineItem
		for it, err := range sc.V1Quotes.ListLineItems(Ctx, &stripe.QuoteListLineItemsParams{Quote: stripe.String(q.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			lines = append(lines, it)
		}
		// The lines as listed, sent back with a quantity changed.
		q, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{LineItems: []*stripe.QuoteUpdateLineItemParams{
			{ID: stripe.String(lines[0].ID), Price: stripe.String(lines[0].Price.ID), Quantity: stripe.Int64(2)},
			{ID: stripe.String(lines[1].ID), Price: stripe.String(lines[1].Price.ID)},
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.AmountSubtotal).To(Equal(int64(2*800 + 1500)))

		_, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{LineItems: []*stripe.QuoteUpdateLineItemParams{
			{ID: stripe.String(lines[0].ID), Price: stripe.String(oneTime.ID)},
		}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][price]")
		Expect(StripeErr(err).Msg).To(Equal("The price specified is inactive. This field only accepts active prices."))
	})

	It("bills by email when collection_method is send_invoice, and leaves a customer without a card incomplete", func() {
		_, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "invoice_settings[days_until_due]")
		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"),
			InvoiceSettings: &stripe.QuoteCreateInvoiceSettingsParams{DaysUntilDue: stripe.Int64(15)},
			LineItems:       []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(oneTime.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.InvoiceSettings.DaysUntilDue).To(Equal(int64(15)))
		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		q, err = sc.V1Quotes.Accept(Ctx, q.ID, &stripe.QuoteAcceptParams{Expand: []*string{stripe.String("invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Invoice.CollectionMethod).To(Equal(stripe.InvoiceCollectionMethodSendInvoice))
		Expect(q.Invoice.DueDate).To(Equal(Epoch.AddDate(0, 0, 15).Unix()))

		bare, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("nocard@example.com")})
		Expect(err).NotTo(HaveOccurred())
		q, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(bare.ID), LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(monthly.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		q, err = sc.V1Quotes.Accept(Ctx, q.ID, &stripe.QuoteAcceptParams{Expand: []*string{stripe.String("subscription"), stripe.String("invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Subscription.Status).To(Equal(stripe.SubscriptionStatusIncomplete))
		Expect(q.Invoice.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(q.Invoice.AmountDue).To(Equal(int64(1000)))
	})

	It("refuses what it does not take, and changes nothing", func() {
		_, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{SubscriptionData: &stripe.QuoteCreateSubscriptionDataParams{EffectiveDateCurrentPeriodEnd: stripe.Bool(true)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "subscription_data[effective_date]")
		_, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String("cus_missing")})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "customer")
		_, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String("price_missing")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "line_items[0][price]")
		_, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{ExpiresAt: stripe.Int64(Epoch.Add(-time.Hour).Unix())})
		ExpectStripeError(err, 400, "invalid_request_error", "", "expires_at")
		_, err = sc.V1Quotes.Retrieve(Ctx, "qt_missing", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		r := Do(emu.URL(), "POST", "/v1/quotes", "line_items[0][price]="+oneTime.ID+"&line_items[0][quantity]=lots")
		Expect(r.Status).To(Equal(400))
		// An inline recurring price bills every 1 to 3 years' worth of
		// intervals, as a price created on its own does.
		for _, count := range []int64{0, -1, 37} {
			_, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
				LineItems: []*stripe.QuoteCreateLineItemParams{{PriceData: &stripe.QuoteCreateLineItemPriceDataParams{
					Currency: stripe.String("usd"), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(100),
					Recurring: &stripe.QuoteCreateLineItemPriceDataRecurringParams{Interval: stripe.String("month"), IntervalCount: stripe.Int64(count)}}}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][price_data][recurring][interval_count]")
		}
		// Its currency is one Stripe supports, written in lower case.
		inline := func(cur string) (*stripe.Quote, error) {
			return sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
				LineItems: []*stripe.QuoteCreateLineItemParams{{PriceData: &stripe.QuoteCreateLineItemPriceDataParams{
					Currency: stripe.String(cur), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(100)}}}})
		}
		_, err = inline("xyz")
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][price_data][currency]")
		Expect(StripeErr(err).Msg).To(HavePrefix("Invalid currency: xyz."))
		Expect(emu.EventTypes("")).NotTo(ContainElement("quote.created"))

		q, err := inline("USD")
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Currency).To(Equal(stripe.CurrencyUSD))
	})

	It("bills for a connected account: on_behalf_of, transfer_data and the application fee reach the invoice or subscription it makes", func() {
		acct := Seller(emu, nil).ID
		accepted := func(p *stripe.QuoteCreateParams) *stripe.Quote {
			GinkgoHelper()
			p.Customer = stripe.String(cus.ID)
			q, err := sc.V1Quotes.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			q, err = sc.V1Quotes.Accept(Ctx, q.ID, &stripe.QuoteAcceptParams{Expand: []*string{stripe.String("invoice"), stripe.String("subscription")}})
			Expect(err).NotTo(HaveOccurred())
			return q
		}
		paid := func(inv *stripe.Invoice) *stripe.PaymentIntent {
			GinkgoHelper()
			if inv.Status == stripe.InvoiceStatusDraft {
				_, err := sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				inv, err = sc.V1Invoices.Pay(Ctx, inv.ID, nil)
				Expect(err).NotTo(HaveOccurred())
			}
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
			return defaultIntent(sc, inv)
		}

		// One-time lines: a destination charge of a fixed amount, settled
		// on the connected account's behalf.
		q := accepted(&stripe.QuoteCreateParams{LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(oneTime.ID)}},
			OnBehalfOf: stripe.String(acct), TransferData: &stripe.QuoteCreateTransferDataParams{Destination: stripe.String(acct), Amount: stripe.Int64(700)}})
		Expect(q.OnBehalfOf.ID).To(Equal(acct))
		Expect(q.TransferData.Destination.ID).To(Equal(acct))
		Expect(q.TransferData.Amount).To(Equal(int64(700)))
		Expect(q.Invoice.OnBehalfOf.ID).To(Equal(acct))
		pi := paid(q.Invoice)
		Expect(pi.OnBehalfOf.ID).To(Equal(acct))
		Expect(pi.TransferData.Destination.ID).To(Equal(acct))
		Expect(pi.TransferData.Amount).To(Equal(int64(700)))

		q = accepted(&stripe.QuoteCreateParams{LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(oneTime.ID)}},
			ApplicationFeeAmount: stripe.Int64(150), TransferData: &stripe.QuoteCreateTransferDataParams{Destination: stripe.String(acct)}})
		Expect(q.ApplicationFeeAmount).To(Equal(int64(150)))
		Expect(paid(q.Invoice).ApplicationFeeAmount).To(Equal(int64(150)))

		// A recurring line: the subscription takes the percentages.
		q = accepted(&stripe.QuoteCreateParams{LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(monthly.ID)}},
			OnBehalfOf: stripe.String(acct), ApplicationFeePercent: stripe.Float64(10),
			TransferData: &stripe.QuoteCreateTransferDataParams{Destination: stripe.String(acct)}})
		Expect(q.ApplicationFeePercent).To(Equal(10.0))
		sub := q.Subscription
		Expect(sub.OnBehalfOf.ID).To(Equal(acct))
		Expect(sub.ApplicationFeePercent).To(Equal(10.0))
		Expect(sub.TransferData.Destination.ID).To(Equal(acct))
		Expect(paid(q.Invoice).ApplicationFeeAmount).To(Equal(int64(100)), "10% of the 10.00 first invoice")

		// What Stripe's reference says each takes, refused by name; nothing
		// changes.
		draft, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			LineItems:            []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(oneTime.ID)}},
			ApplicationFeeAmount: stripe.Int64(150), TransferData: &stripe.QuoteCreateTransferDataParams{Destination: stripe.String(acct)}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Quotes.Update(Ctx, draft.ID, &stripe.QuoteUpdateParams{LineItems: []*stripe.QuoteUpdateLineItemParams{{Price: stripe.String(monthly.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "application_fee_amount")
		_, err = sc.V1Quotes.Update(Ctx, draft.ID, &stripe.QuoteUpdateParams{ApplicationFeePercent: stripe.Float64(5)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "application_fee_percent")
		_, err = sc.V1Quotes.Update(Ctx, draft.ID, &stripe.QuoteUpdateParams{TransferData: &stripe.QuoteUpdateTransferDataParams{Destination: stripe.String(acct), AmountPercent: stripe.Float64(50)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "transfer_data[amount_percent]")
		_, err = sc.V1Quotes.Update(Ctx, draft.ID, &stripe.QuoteUpdateParams{TransferData: &stripe.QuoteUpdateTransferDataParams{Destination: stripe.String("acct_missing")}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "transfer_data[destination]")
		_, err = sc.V1Quotes.Update(Ctx, draft.ID, &stripe.QuoteUpdateParams{OnBehalfOf: stripe.String("acct_missing")})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "on_behalf_of")
		draft, err = sc.V1Quotes.Retrieve(Ctx, draft.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(draft.ApplicationFeeAmount).To(Equal(int64(150)))
		Expect(draft.ApplicationFeePercent).To(BeZero())
		Expect(draft.TransferData.AmountPercent).To(BeZero())
		Expect(draft.OnBehalfOf).To(BeNil())
		Expect(draft.AmountTotal).To(Equal(int64(1500)), "still its one-time line")

		_, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID), ApplicationFeeAmount: stripe.Int64(100),
			LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(oneTime.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "application_fee_amount")
		_, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			LineItems:    []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(monthly.ID)}},
			TransferData: &stripe.QuoteCreateTransferDataParams{Destination: stripe.String(acct), Amount: stripe.Int64(100)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "transfer_data[amount]")
	})

	// Stripe's object: application is the "ID of the Connect Application
	// that created the quote".
	It("names the platform's Connect application on a quote it makes on a connected account, which may take a fee without a destination", func() {
		acct := Seller(emu, nil).ID
		prodP := &stripe.ProductCreateParams{Name: stripe.String("Seat")}
		prodP.SetStripeAccount(acct)
		seat, err := sc.V1Products.Create(Ctx, prodP)
		Expect(err).NotTo(HaveOccurred())
		cusP := &stripe.CustomerCreateParams{Email: stripe.String("buyer@example.com")}
		cusP.SetStripeAccount(acct)
		buyer, err := sc.V1Customers.Create(Ctx, cusP)
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.QuoteCreateParams{Customer: stripe.String(buyer.ID), ApplicationFeeAmount: stripe.Int64(150),
			LineItems: []*stripe.QuoteCreateLineItemParams{{PriceData: &stripe.QuoteCreateLineItemPriceDataParams{
				Currency: stripe.String("usd"), Product: stripe.String(seat.ID), UnitAmount: stripe.Int64(1000)}}}}
		p.SetStripeAccount(acct)
		p.AddExpand("application")
		q, err := sc.V1Quotes.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Application).NotTo(BeNil())
		Expect(q.Application.ID).To(Equal(emu.ConnectApplication()))
		Expect(q.ApplicationFeeAmount).To(Equal(int64(150)))

		own, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(own.Application).To(BeNil(), "made by the account itself")
	})

	// Stripe's spec gives these no empty value: "" is refused as an
	// attempt to unset what cannot be (parameter_invalid_empty), where the
	// emptiable ones (header, default_tax_rates…) are cleared.
	It("refuses a trial over two years when the quote is made or changed, rather than when it is accepted", func() {
		// A subscription's trial is at most 730 days: a quote taking more
		// would make one its acceptance could never start.
		_, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{
			Customer: stripe.String(cus.ID), LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(monthly.ID)}},
			SubscriptionData: &stripe.QuoteCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(731)},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "subscription_data[trial_period_days]")
		Expect(StripeErr(err).Msg).To(Equal("The maximum number of trial period days is 730 (2 years)."))
		Expect(emu.Count("", "quote")).To(BeZero())

		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{
			Customer: stripe.String(cus.ID), LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(monthly.ID)}},
			SubscriptionData: &stripe.QuoteCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(30)},
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{SubscriptionData: &stripe.QuoteUpdateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(800)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "subscription_data[trial_period_days]")
		q, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{SubscriptionData: &stripe.QuoteUpdateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(730)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.SubscriptionData.TrialPeriodDays).To(Equal(int64(730)))
		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		q, err = sc.V1Quotes.Accept(Ctx, q.ID, &stripe.QuoteAcceptParams{Expand: []*string{stripe.String("subscription")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Subscription.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(q.Subscription.TrialEnd).To(Equal(Epoch.AddDate(0, 0, 730).Unix()))
	})

	It("gives the discounts it took before it had a customer that customer, refusing a promotion code the customer could not redeem", func() {
		cp, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{
			LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(monthly.ID)}},
			Discounts: []*stripe.QuoteCreateDiscountParams{{Coupon: stripe.String(cp.ID)}},
		})
		Expect(err).NotTo(HaveOccurred())
		q, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{Customer: stripe.String(cus.ID), Expand: []*string{stripe.String("discounts")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Discounts[0].Customer).NotTo(BeNil())
		Expect(q.Discounts[0].Customer.ID).To(Equal(cus.ID))
		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		q, err = sc.V1Quotes.Accept(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, q.Subscription.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("discounts")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Discounts).To(HaveLen(1))
		Expect(sub.Discounts[0].Customer.ID).To(Equal(cus.ID), "the subscription's discount is its customer's")

		By("a promotion code for another customer, or for first-time customers once this one has paid")
		other, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("other@example.com")})
		Expect(err).NotTo(HaveOccurred())
		theirs, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Customer: stripe.String(other.ID),
			Coupon: stripe.String(cp.ID)})
		Expect(err).NotTo(HaveOccurred())
		firstTime, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{
			Restrictions: &stripe.PromotionCodeCreateRestrictionsParams{FirstTimeTransaction: stripe.Bool(true)},
			Coupon:       stripe.String(cp.ID)})
		Expect(err).NotTo(HaveOccurred())
		for _, code := range []*stripe.PromotionCode{theirs, firstTime} {
			q, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{
				LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(oneTime.ID)}},
				Discounts: []*stripe.QuoteCreateDiscountParams{{PromotionCode: stripe.String(code.ID)}},
			})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{Customer: stripe.String(cus.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "customer")
			q, err = sc.V1Quotes.Retrieve(Ctx, q.ID, &stripe.QuoteRetrieveParams{Expand: []*string{stripe.String("discounts")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(q.Customer).To(BeNil(), "nothing changed")
			Expect(q.Discounts[0].Customer).To(BeNil())
			// The customer the code is for may take it.
			q, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{Customer: stripe.String(other.ID), Expand: []*string{stripe.String("discounts")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(q.Discounts[0].Customer.ID).To(Equal(other.ID))
		}
	})

	It("refuses an empty value for what cannot be unset, and changes nothing", func() {
		q := oneTimeQuote()
		for _, body := range []string{"customer=", "expires_at=", "collection_method=", "line_items=", "invoice_settings[days_until_due]=",
			"line_items[0][price]=&line_items[0][quantity]=1", "automatic_tax[enabled]="} {
			r := Do(emu.URL(), "POST", "/v1/quotes/"+q.ID, body)
			Expect(r.Status).To(Equal(400), body)
			Expect(r.Error()["code"]).To(Equal("parameter_invalid_empty"), body)
		}
		r := Do(emu.URL(), "POST", "/v1/quotes", "customer="+cus.ID+"&test_clock=")
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["param"]).To(Equal("test_clock"))
		got, err := sc.V1Quotes.Retrieve(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Customer.ID).To(Equal(cus.ID))
		Expect(got.AmountSubtotal).To(Equal(int64(3500)), "its lines kept")

		r = Do(emu.URL(), "POST", "/v1/quotes/"+q.ID, "header=&default_tax_rates=")
		Expect(r.Status).To(Equal(200))
		Expect(r.Body["header"]).To(BeNil())

		// The due days, which cannot be emptied, go with send_invoice.
		q, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{CollectionMethod: stripe.String("send_invoice"),
			InvoiceSettings: &stripe.QuoteUpdateInvoiceSettingsParams{DaysUntilDue: stripe.Int64(10)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.InvoiceSettings.DaysUntilDue).To(Equal(int64(10)))
		q, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{CollectionMethod: stripe.String("charge_automatically")})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.InvoiceSettings.DaysUntilDue).To(BeZero())

		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		r = Do(emu.URL(), "POST", "/v1/quotes/"+q.ID, "expires_at=")
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["param"]).To(Equal("expires_at"))
	})

	It("duplicates a quote with from_quote: a new draft of its lines and terms, naming the quote it came from", func() {
		q := oneTimeQuote()
		q, err := sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		dup, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{FromQuote: &stripe.QuoteCreateFromQuoteParams{Quote: stripe.String(q.ID)},
			Params: stripe.Params{Expand: []*string{stripe.String("from_quote.quote"), stripe.String("line_items")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(dup.ID).NotTo(Equal(q.ID))
		Expect(dup.Status).To(Equal(stripe.QuoteStatusDraft))
		Expect(dup.Number).To(BeEmpty())
		Expect(dup.FromQuote.IsRevision).To(BeFalse())
		Expect(dup.FromQuote.Quote.Number).To(Equal(q.Number), "from_quote.quote expands")
		Expect(dup.Customer.ID).To(Equal(cus.ID))
		Expect(dup.Header).To(Equal("Spring work"))
		Expect([]int64{dup.AmountSubtotal, dup.AmountTotal, dup.TotalDetails.AmountTax}).To(Equal([]int64{q.AmountSubtotal, q.AmountTotal, q.TotalDetails.AmountTax}))
		Expect(dup.ExpiresAt).To(Equal(Epoch.Unix() + 30*86400))
		Expect(dup.LineItems.Data).To(HaveLen(2))
		var original []string
		for li, err := range sc.V1Quotes.ListLineItems(Ctx, &stripe.QuoteListLineItemsParams{Quote: stripe.String(q.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			original = append(original, li.ID)
			Expect(li.ID).NotTo(BeElementOf(dup.LineItems.Data[0].ID, dup.LineItems.Data[1].ID), "the copy's lines are its own")
		}
		Expect(dup.LineItems.Data[1].AmountTax).To(Equal(int64(50)), "a line keeps its own tax rates")
		Expect(latestEvent(sc, "quote.created").Data.Object["id"]).To(Equal(dup.ID))

		// The copy is a quote of its own: finalized under the customer's
		// next number, the original left open.
		dup, err = sc.V1Quotes.FinalizeQuote(Ctx, dup.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(dup.Number).To(Equal(strings.TrimSuffix(q.Number, "0001-1") + "0002-1"))
		got, err := sc.V1Quotes.Retrieve(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.QuoteStatusOpen))
	})

	It("redeems a copy's discounts afresh, so a once coupon discounts the copy's invoice too", func() {
		once, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("once")})
		Expect(err).NotTo(HaveOccurred())
		billed := func(q *stripe.Quote) *stripe.Invoice {
			GinkgoHelper()
			_, err := sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			q, err = sc.V1Quotes.Accept(Ctx, q.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			inv, err := sc.V1Invoices.FinalizeInvoice(Ctx, q.Invoice.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			return inv
		}
		orig, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(oneTime.ID)}},
			Discounts: []*stripe.QuoteCreateDiscountParams{{Coupon: stripe.String(once.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(billed(orig).Total).To(Equal(int64(750)))

		dup, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{FromQuote: &stripe.QuoteCreateFromQuoteParams{Quote: stripe.String(orig.ID)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(dup.Discounts).To(HaveLen(1))
		Expect(dup.Discounts[0].ID).NotTo(Equal(orig.Discounts[0].ID), "a discount of its own")
		Expect(dup.AmountTotal).To(Equal(int64(750)))
		Expect(billed(dup).Total).To(Equal(dup.AmountTotal), "the copy's invoice bills what the copy said")
		cp, err := sc.V1Coupons.Retrieve(Ctx, once.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(cp.TimesRedeemed).To(Equal(int64(2)))

		By("its lines' own discounts too, the original's left applied to the original's invoice item")
		lineOnce, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("once")})
		Expect(err).NotTo(HaveOccurred())
		lineDiscount := func(id string) *stripe.Discount {
			GinkgoHelper()
			var out *stripe.Discount
			for it, err := range sc.V1Quotes.ListLineItems(Ctx, &stripe.QuoteListLineItemsParams{Quote: stripe.String(id),
				ListParams: stripe.ListParams{Expand: []*string{stripe.String("data.discounts")}}}) {
				Expect(err).NotTo(HaveOccurred())
				Expect(it.Discounts).To(HaveLen(1))
				out = it.Discounts[0].Discount
			}
			return out
		}
		orig, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(oneTime.ID),
				Discounts: []*stripe.QuoteCreateLineItemDiscountParams{{Coupon: stripe.String(lineOnce.ID)}}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(billed(orig).Total).To(Equal(int64(1350)))
		origItem := lineDiscount(orig.ID).InvoiceItem
		Expect(origItem).NotTo(BeEmpty())
		dup, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{FromQuote: &stripe.QuoteCreateFromQuoteParams{Quote: stripe.String(orig.ID)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(lineDiscount(dup.ID).ID).NotTo(Equal(lineDiscount(orig.ID).ID), "a discount of its own")
		Expect(billed(dup).Total).To(Equal(int64(1350)))
		Expect(lineDiscount(orig.ID).InvoiceItem).To(Equal(origItem), "the original's still names its own invoice item")
		Expect(lineDiscount(dup.ID).InvoiceItem).NotTo(Equal(origItem))
		cp, err = sc.V1Coupons.Retrieve(Ctx, lineOnce.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(cp.TimesRedeemed).To(Equal(int64(2)))
	})

	It("revises an open quote: the revision is numbered after it, and finalizing it cancels the original", func() {
		q := oneTimeQuote()
		q, err := sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		expires := Epoch.Add(10 * 24 * time.Hour).Unix()
		rev, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{ExpiresAt: stripe.Int64(expires),
			FromQuote: &stripe.QuoteCreateFromQuoteParams{Quote: stripe.String(q.ID), IsRevision: stripe.Bool(true)}})
		Expect(err).NotTo(HaveOccurred())
		other, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{
			FromQuote: &stripe.QuoteCreateFromQuoteParams{Quote: stripe.String(q.ID), IsRevision: stripe.Bool(true)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(rev.FromQuote.IsRevision).To(BeTrue())
		Expect(rev.FromQuote.Quote.ID).To(Equal(q.ID))
		Expect(rev.ExpiresAt).To(Equal(expires))
		rev, err = sc.V1Quotes.Update(Ctx, rev.ID, &stripe.QuoteUpdateParams{Header: stripe.String("Spring work, revised")})
		Expect(err).NotTo(HaveOccurred())
		rev, err = sc.V1Quotes.FinalizeQuote(Ctx, rev.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(rev.Number).To(Equal(strings.TrimSuffix(q.Number, "-1") + "-2"))
		got, err := sc.V1Quotes.Retrieve(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.QuoteStatusCanceled), "the revision replaces it")
		Expect(latestEvent(sc, "quote.canceled").Data.Object["id"]).To(Equal(q.ID))
		other, err = sc.V1Quotes.FinalizeQuote(Ctx, other.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(other.Number).To(Equal(strings.TrimSuffix(q.Number, "-1")+"-3"), "the revision after the one finalized first")

		By("refusing, with nothing kept, what from_quote cannot take")
		quotes := emu.Count("", "quote")
		draft := oneTimeQuote()
		quotes++
		from := func(id string, revise bool, extra func(*stripe.QuoteCreateParams)) error {
			p := &stripe.QuoteCreateParams{FromQuote: &stripe.QuoteCreateFromQuoteParams{Quote: stripe.String(id), IsRevision: stripe.Bool(revise)}}
			if extra != nil {
				extra(p)
			}
			_, err := sc.V1Quotes.Create(Ctx, p)
			return err
		}
		ExpectStripeError(from(draft.ID, true, nil), 400, "invalid_request_error", "", "from_quote[is_revision]")
		ExpectStripeError(from(q.ID, false, nil), 400, "invalid_request_error", "", "from_quote[quote]")
		ExpectStripeError(from("qt_missing", false, nil), 400, "invalid_request_error", "resource_missing", "from_quote[quote]")
		ExpectStripeError(from(rev.ID, false, func(p *stripe.QuoteCreateParams) { p.Header = stripe.String("x") }), 400, "invalid_request_error", "", "header")
		Expect(emu.Count("", "quote")).To(Equal(quotes))
	})

	It("takes a new expires_at while open, and nothing else (Stripe: an open quote's expiration date is all that can be edited)", func() {
		q := oneTimeQuote()
		q, err := sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		later := Epoch.AddDate(0, 0, 45).Unix()
		q, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{ExpiresAt: stripe.Int64(later)})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Status).To(Equal(stripe.QuoteStatusOpen))
		Expect(q.ExpiresAt).To(Equal(later))

		_, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{ExpiresAt: stripe.Int64(Epoch.Add(-time.Hour).Unix())})
		ExpectStripeError(err, 400, "invalid_request_error", "", "expires_at")
		_, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{ExpiresAt: stripe.Int64(later + 60), Footer: stripe.String("late change")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "footer")
		q, err = sc.V1Quotes.Retrieve(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(q.ExpiresAt).To(Equal(later), "a refused update changes nothing")
		Expect(q.Footer).To(BeEmpty())

		// The clock cancels it at the new date, not the old one.
		emu.Clock().Set(Epoch.AddDate(0, 0, 31))
		q, err = sc.V1Quotes.Retrieve(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Status).To(Equal(stripe.QuoteStatusOpen))
		emu.Clock().Set(Epoch.AddDate(0, 0, 46))
		q, err = sc.V1Quotes.Retrieve(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Status).To(Equal(stripe.QuoteStatusCanceled))
		Expect(q.StatusTransitions.CanceledAt).To(Equal(later))

		_, err = sc.V1Quotes.Update(Ctx, q.ID, &stripe.QuoteUpdateParams{ExpiresAt: stripe.Int64(Epoch.AddDate(0, 0, 60).Unix())})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
	})

	It("is canceled by request while draft or open, and not after", func() {
		q := oneTimeQuote()
		q, err := sc.V1Quotes.Cancel(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Status).To(Equal(stripe.QuoteStatusCanceled))
		Expect(q.StatusTransitions.CanceledAt).To(Equal(Epoch.Unix()))
		_, err = sc.V1Quotes.Cancel(Ctx, q.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")

		open := oneTimeQuote()
		_, err = sc.V1Quotes.FinalizeQuote(Ctx, open.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		open, err = sc.V1Quotes.Cancel(Ctx, open.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(open.Status).To(Equal(stripe.QuoteStatusCanceled))
		_, err = sc.V1Quotes.Accept(Ctx, open.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(emu.Count("", "invoice")).To(BeZero())
	})

	It("expires on the clock: an open quote past expires_at is canceled", func() {
		q := oneTimeQuote()
		at := Epoch.AddDate(0, 0, 3).Unix()
		q, err := sc.V1Quotes.FinalizeQuote(Ctx, q.ID, &stripe.QuoteFinalizeQuoteParams{ExpiresAt: stripe.Int64(at)})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.ExpiresAt).To(Equal(at))
		draft := oneTimeQuote() // expires after 30 days

		emu.Clock().Set(Epoch.AddDate(0, 0, 3).Add(-time.Second))
		q, err = sc.V1Quotes.Retrieve(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Status).To(Equal(stripe.QuoteStatusOpen))

		emu.Clock().Set(Epoch.AddDate(0, 0, 4))
		q, err = sc.V1Quotes.Retrieve(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Status).To(Equal(stripe.QuoteStatusCanceled))
		Expect(q.StatusTransitions.CanceledAt).To(Equal(at))
		_, err = sc.V1Quotes.Accept(Ctx, q.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")

		emu.Clock().Set(Epoch.AddDate(0, 0, 31))
		draft, err = sc.V1Quotes.Retrieve(Ctx, draft.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(draft.Status).To(Equal(stripe.QuoteStatusCanceled), "a draft expires too")
		var canceled []any
		for _, ev := range emu.Events("") {
			if ev["type"] == "quote.canceled" {
				canceled = append(canceled, ev["created"])
			}
		}
		Expect(canceled).To(HaveLen(2))
		Expect(canceled[0]).To(BeNumerically("==", at))
	})

	It("follows its test clock: created at the clock's time, expired by the clock's advance", func() {
		clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.AddDate(-1, 0, 0).Unix())})
		Expect(err).NotTo(HaveOccurred())
		onClock := customerWithCard(sc, "clock@example.com", "pm_card_visa", clk.ID)
		q, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(onClock.ID), LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(oneTime.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(q.TestClock.ID).To(Equal(clk.ID))
		Expect(q.Created).To(Equal(clk.FrozenTime))
		_, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())

		// Past the quote's expiry in the emulator's time (the clock stands a
		// year back), within the 30 days before Stripe deletes the clock.
		emu.Clock().Set(Epoch.AddDate(0, 0, 29))
		q, err = sc.V1Quotes.Retrieve(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Status).To(Equal(stripe.QuoteStatusOpen), "the emulator's clock is not the quote's")

		_, err = sc.V1TestHelpersTestClocks.Advance(Ctx, clk.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(clk.FrozenTime + 31*86400)})
		Expect(err).NotTo(HaveOccurred())
		q, err = sc.V1Quotes.Retrieve(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Status).To(Equal(stripe.QuoteStatusCanceled))
		Expect(q.StatusTransitions.CanceledAt).To(Equal(q.ExpiresAt))

		var found []string
		for it, err := range sc.V1Quotes.List(Ctx, &stripe.QuoteListParams{TestClock: stripe.String(clk.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			found = append(found, it.ID)
		}
		Expect(found).To(Equal([]string{q.ID}))
	})

	It("lists by customer and status, newest first", func() {
		a := oneTimeQuote()
		b := oneTimeQuote()
		_, err := sc.V1Quotes.FinalizeQuote(Ctx, b.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		other := customerWithCard(sc, "other@example.com", "pm_card_visa", "")
		c, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(other.ID)})
		Expect(err).NotTo(HaveOccurred())
		ids := func(p *stripe.QuoteListParams) []string {
			GinkgoHelper()
			var out []string
			for q, err := range sc.V1Quotes.List(Ctx, p) {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, q.ID)
			}
			return out
		}
		Expect(ids(&stripe.QuoteListParams{})).To(Equal([]string{c.ID, b.ID, a.ID}))
		Expect(ids(&stripe.QuoteListParams{Customer: stripe.String(cus.ID)})).To(Equal([]string{b.ID, a.ID}))
		Expect(ids(&stripe.QuoteListParams{Status: stripe.String("open")})).To(Equal([]string{b.ID}))
		Expect(ids(&stripe.QuoteListParams{Customer: stripe.String(cus.ID), Status: stripe.String("draft")})).To(Equal([]string{a.ID}))
		for _, err := range sc.V1Quotes.List(Ctx, &stripe.QuoteListParams{Status: stripe.String("pending")}) {
			ExpectStripeError(err, 400, "invalid_request_error", "", "status")
		}
	})

	It("serves a finalized quote's PDF from the emulator, and none for a draft", func() {
		q := oneTimeQuote()
		_, err := sc.V1Quotes.PDF(Ctx, q.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		q, err = sc.V1Quotes.FinalizeQuote(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		stream, err := sc.V1Quotes.PDF(Ctx, q.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		body, err := io.ReadAll(stream.LastResponse.Body)
		Expect(err).NotTo(HaveOccurred())
		Expect(stream.LastResponse.Header.Get("Content-Type")).To(Equal("application/pdf"))
		Expect(string(body)).To(HavePrefix("%PDF-1."))
		Expect(string(body)).To(HaveSuffix("%%EOF\n"))
		Expect(string(body)).To(ContainSubstring(q.Number))

		// Amounts are in the currency's units: yen have no minor unit.
		yen, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("jpy"), UnitAmount: stripe.Int64(1500)})
		Expect(err).NotTo(HaveOccurred())
		other, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("yen@example.com")})
		Expect(err).NotTo(HaveOccurred())
		jq, err := sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(other.ID),
			LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(yen.ID), Quantity: stripe.Int64(2)}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Quotes.FinalizeQuote(Ctx, jq.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		stream, err = sc.V1Quotes.PDF(Ctx, jq.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		body, err = io.ReadAll(stream.LastResponse.Body)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(body)).To(ContainSubstring("Total: JPY 3000"), "¥3,000, not ¥30")

		// A draft canceled before it was finalized never had one either.
		canceled, err := sc.V1Quotes.Cancel(Ctx, oneTimeQuote().ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Quotes.PDF(Ctx, canceled.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
	})
})

func slicesIndex(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
