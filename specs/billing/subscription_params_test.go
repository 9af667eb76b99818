package billing_test

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Subscription parameters as integrations send them", Label("billing", "subscriptions"), func() {
	var (
		emu   *emulator.Emulator
		sc    *stripe.Client
		cus   *stripe.Customer
		price *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		price = recurringPrice(sc, prod.ID, "month", 1000)
		cus = customerWithCard(sc, "params@example.com", "pm_card_visa", "")
	})

	It("takes items[][clear_usage] beside deleted as the item endpoint does: no effect on a meter-backed item, refused on a licensed one", func() {
		m, err := sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{
			DisplayName: stripe.String("API calls"), EventName: stripe.String("api_call"),
			DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("sum")},
		})
		Expect(err).NotTo(HaveOccurred())
		usage, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Product: stripe.String(price.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(5),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String(m.ID)},
		})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}, {Price: stripe.String(usage.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		var licensed, meteredItem string
		for _, it := range sub.Items.Data {
			if it.Price.ID == price.ID {
				licensed = it.ID
			} else {
				meteredItem = it.ID
			}
		}

		// A licensed item has no usage to clear: refused as the item
		// endpoint refuses it, nothing removed.
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(licensed), Deleted: stripe.Bool(true), ClearUsage: stripe.Bool(true)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "items[0][clear_usage]")
		Expect(StripeErr(err).Msg).To(Equal("clear_usage is only allowed when the subscription item's price has usage_type `metered`."))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Items.Data).To(HaveLen(2))

		// stripe-go: "clear_usage has no effect if the plan has a billing
		// meter attached", as every metered price has at basil.
		got, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(meteredItem), Deleted: stripe.Bool(true), ClearUsage: stripe.Bool(true)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Items.Data).To(HaveLen(1))
		Expect(got.Items.Data[0].ID).To(Equal(licensed))

		// false asks for nothing on a licensed item either.
		got, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(licensed), Deleted: stripe.Bool(true), ClearUsage: stripe.Bool(false)}, {Price: stripe.String(usage.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Items.Data).To(HaveLen(1))
		Expect(got.Items.Data[0].Price.ID).To(Equal(usage.ID))
	})

	It("refuses more than 20 add_invoice_items (stripe-go: \"You may pass up to 20 items.\"), creating nothing; 20 are billed", func() {
		fee, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(price.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100)})
		Expect(err).NotTo(HaveOccurred())
		fees := make([]*stripe.SubscriptionCreateAddInvoiceItemParams, 21)
		for i := range fees {
			fees[i] = &stripe.SubscriptionCreateAddInvoiceItemParams{Price: stripe.String(fee.ID)}
		}
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}, AddInvoiceItems: fees}
		_, err = sc.V1Subscriptions.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "add_invoice_items")
		Expect(emu.Count("", "subscription")).To(BeZero())
		Expect(emu.Count("", "invoiceitem")).To(BeZero())
		Expect(emu.Count("", "invoice")).To(BeZero())

		p.AddInvoiceItems = fees[:20]
		p.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1000 + 20*100)))
	})

	It("refuses an update or a new subscription item that would take the subscription past 20 items, changing nothing; a swap within 20 is taken", func() {
		var items []*stripe.SubscriptionCreateItemParams
		var extra []*stripe.Price
		for i := range 22 {
			p := recurringPrice(sc, price.Product.ID, "month", 100+int64(i))
			if i < 20 {
				items = append(items, &stripe.SubscriptionCreateItemParams{Price: stripe.String(p.ID)})
			} else {
				extra = append(extra, p)
			}
		}
		_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: append(items[:20:20], &stripe.SubscriptionCreateItemParams{Price: stripe.String(extra[0].ID)})})
		ExpectStripeError(err, 400, "invalid_request_error", "", "items")
		Expect(StripeErr(err).Msg).To(Equal("A subscription can have at most 20 items."))
		Expect(emu.Count("", "subscription")).To(BeZero())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: items})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Items.Data).To(HaveLen(20))

		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{Price: stripe.String(extra[0].ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "items")
		Expect(StripeErr(err).Msg).To(Equal("A subscription can have at most 20 items."))
		_, err = sc.V1SubscriptionItems.Create(Ctx, &stripe.SubscriptionItemCreateParams{Subscription: stripe.String(sub.ID), Price: stripe.String(extra[1].ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("A subscription can have at most 20 items."))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Items.Data).To(HaveLen(20))
		Expect(emu.Count("", "invoiceitem")).To(BeZero(), "no proration kept")

		got, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{ProrationBehavior: stripe.String("none"),
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Deleted: stripe.Bool(true)}, {Price: stripe.String(extra[0].ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Items.Data).To(HaveLen(20))
	})

	It("refuses prices of different intervals on one subscription in Stripe's words (stripe-node#682), on create, update and a new item, changing nothing", func() {
		const mismatch = "Currency and interval fields must match across all plans on this subscription. Found mismatch in interval field."
		yearly := recurringPrice(sc, price.Product.ID, "year", 10000)
		_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}, {Price: stripe.String(yearly.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "items[1][price]")
		Expect(StripeErr(err).Msg).To(Equal(mismatch))
		Expect(emu.Count("", "subscription")).To(BeZero())

		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{Price: stripe.String(yearly.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "items[1][price]")
		Expect(StripeErr(err).Msg).To(Equal(mismatch))
		_, err = sc.V1SubscriptionItems.Create(Ctx, &stripe.SubscriptionItemCreateParams{Subscription: stripe.String(sub.ID), Price: stripe.String(yearly.ID)})
		Expect(StripeErr(err).Msg).To(Equal(mismatch))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Items.Data).To(HaveLen(1))
	})

	It("lists by a price on any item, by status (ended: canceled and incomplete_expired; none: not canceled) and by current_period_end", func() {
		ids := func(p *stripe.SubscriptionListParams) []string {
			GinkgoHelper()
			var out []string
			for s, err := range sc.V1Subscriptions.List(Ctx, p) {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, s.ID)
			}
			return out
		}
		other := recurringPrice(sc, price.Product.ID, "month", 300)
		create := func(c *stripe.Customer, prices ...*stripe.Price) *stripe.Subscription {
			GinkgoHelper()
			p := &stripe.SubscriptionCreateParams{Customer: stripe.String(c.ID)}
			for _, pr := range prices {
				p.Items = append(p.Items, &stripe.SubscriptionCreateItemParams{Price: stripe.String(pr.ID)})
			}
			sub, err := sc.V1Subscriptions.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			return sub
		}
		both := create(cus, price, other)
		emu.Clock().Advance(48 * time.Hour)
		canceled := create(cus, price)
		_, err := sc.V1Subscriptions.Cancel(Ctx, canceled.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		failing := create(customerWithCard(sc, "fails@example.com", "pm_card_chargeCustomerFail", ""), price)
		Expect(failing.Status).To(Equal(stripe.SubscriptionStatusIncomplete))
		emu.Clock().Advance(24 * time.Hour)
		later := create(cus, other)

		Expect(ids(&stripe.SubscriptionListParams{Price: stripe.String(other.ID)})).To(ConsistOf(both.ID, later.ID), "the price of a second item counts")
		Expect(ids(&stripe.SubscriptionListParams{Status: stripe.String("ended")})).To(ConsistOf(canceled.ID, failing.ID))
		Expect(ids(&stripe.SubscriptionListParams{Status: stripe.String("canceled")})).To(ConsistOf(canceled.ID))
		Expect(ids(&stripe.SubscriptionListParams{})).NotTo(ContainElement(canceled.ID))
		Expect(ids(&stripe.SubscriptionListParams{Status: stripe.String("all")})).To(ConsistOf(both.ID, canceled.ID, failing.ID, later.ID))
		Expect(ids(&stripe.SubscriptionListParams{CurrentPeriodEndRange: &stripe.RangeQueryParams{
			LesserThan: Epoch.AddDate(0, 1, 1).Unix()}})).To(ConsistOf(both.ID), "a period ending before Oct 2")
		Expect(ids(&stripe.SubscriptionListParams{CurrentPeriodEndRange: &stripe.RangeQueryParams{
			GreaterThanOrEqual: Epoch.AddDate(0, 1, 3).Unix()}})).To(ConsistOf(later.ID))
	})

	It("refuses a description longer than Stripe's 500 characters on create and update, changing nothing", func() {
		long := strings.Repeat("d", 501)
		_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}, Description: stripe.String(long)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: dddd...dddd; must be at most 500 characters"))
		list := sc.V1Subscriptions.List(Ctx, &stripe.SubscriptionListParams{Customer: stripe.String(cus.ID)})
		n := 0
		for _, err := range list {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		Expect(n).To(BeZero())

		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}, Description: stripe.String(strings.Repeat("d", 500))})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{Description: stripe.String(long)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Description).To(HaveLen(500))
	})

	It("offers link beside cards in payment_settings[payment_method_types], on a subscription's invoices and an invoice, paid by the customer's card", func() {
		cardAndLink := []*string{stripe.String("card"), stripe.String("link")}
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:           []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
			PaymentSettings: &stripe.SubscriptionCreatePaymentSettingsParams{PaymentMethodTypes: cardAndLink}}
		p.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.PaymentSettings.PaymentMethodTypes).To(Equal([]stripe.SubscriptionPaymentSettingsPaymentMethodType{"card", "link"}))
		Expect(sub.LatestInvoice.PaymentSettings.PaymentMethodTypes).To(Equal([]stripe.InvoicePaymentSettingsPaymentMethodType{"card", "link"}))
		pi := defaultIntent(sc, sub.LatestInvoice)
		Expect(pi.PaymentMethodTypes).To(Equal([]string{"card", "link"}))
		Expect(pi.PaymentMethodOptions.Link).NotTo(BeNil(), "Stripe's invoice intents listing link show its options")
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))

		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
			PaymentSettings: &stripe.InvoiceCreatePaymentSettingsParams{PaymentMethodTypes: cardAndLink}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.PaymentSettings.PaymentMethodTypes).To(Equal([]stripe.InvoicePaymentSettingsPaymentMethodType{"card", "link"}))
	})

	It("clears payment_settings[payment_method_types] sent empty, as Stripe's empty value unsets it, the next invoices offering any type again", func() {
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:           []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
			PaymentSettings: &stripe.SubscriptionCreatePaymentSettingsParams{PaymentMethodTypes: []*string{stripe.String("card")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.PaymentSettings.PaymentMethodTypes).To(Equal([]stripe.SubscriptionPaymentSettingsPaymentMethodType{"card"}))

		p := &stripe.SubscriptionUpdateParams{}
		p.AddExtra("payment_settings[payment_method_types]", "")
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.PaymentSettings.PaymentMethodTypes).To(BeNil())

		emu.Clock().Set(Epoch.AddDate(0, 0, 15))
		up := &stripe.SubscriptionUpdateParams{ProrationBehavior: stripe.String("always_invoice"),
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(2)}}}
		up.AddExpand("latest_invoice")
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, up)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.PaymentSettings.PaymentMethodTypes).To(BeNil())
	})

	It("leaves an update's invoice unattempted under payment_behavior=default_incomplete: past_due until the client pays its intent", func() {
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		dearer := recurringPrice(sc, price.Product.ID, "month", 3000)
		upd := &stripe.SubscriptionUpdateParams{PaymentBehavior: stripe.String("default_incomplete"), ProrationBehavior: stripe.String("always_invoice"),
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(dearer.ID)}}}
		upd.AddExpand("latest_invoice.confirmation_secret")
		got, err := sc.V1Subscriptions.Update(Ctx, sub.ID, upd)
		Expect(err).NotTo(HaveOccurred())
		// Stripe's reference: default_incomplete moves the subscription to
		// past_due when payment is required and awaits explicit
		// confirmation of the invoice's PaymentIntent; the change applies.
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusPastDue))
		Expect(got.Items.Data[0].Price.ID).To(Equal(dearer.ID))
		Expect(got.LatestInvoice.ID).NotTo(Equal(sub.LatestInvoice.ID))
		inv, err := sc.V1Invoices.Retrieve(Ctx, got.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(inv.Attempted).To(BeFalse())
		Expect(inv.AmountDue).To(BeNumerically(">", 0))
		Expect(emu.EventTypes("")).NotTo(ContainElement("invoice.payment_failed"))
		pi := defaultIntent(sc, inv)
		Expect(pi.Status).NotTo(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(got.LatestInvoice.ConfirmationSecret.ClientSecret).To(Equal(pi.ClientSecret))

		_, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
	})

	It("charges the subscription's default_source, a card saved on its customer, before the customer's default", func() {
		owner, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Source: stripe.String("tok_visa")})
		Expect(err).NotTo(HaveOccurred())
		mc, err := sc.V1PaymentSources.Create(Ctx, &stripe.PaymentSourceCreateParams{Customer: stripe.String(owner.ID), Source: &stripe.PaymentSourceSourceParams{Token: stripe.String("tok_mastercard")}})
		Expect(err).NotTo(HaveOccurred())
		other, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Source: stripe.String("tok_visa")})
		Expect(err).NotTo(HaveOccurred())

		By("a card of another customer is refused, creating nothing")
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(owner.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}, DefaultSource: stripe.String(other.DefaultSource.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "default_source")

		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(owner.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}, DefaultSource: stripe.String(mc.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.DefaultSource.ID).To(Equal(mc.ID))
		inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(defaultIntent(sc, inv).PaymentMethod.ID).To(Equal(mc.ID))

		By("an empty default_source clears it")
		got, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultSource: stripe.String("")})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.DefaultSource).To(BeNil())
		got, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultSource: stripe.String(mc.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.DefaultSource.ID).To(Equal(mc.ID))

		By("deleting the card clears it from the subscription")
		_, err = sc.V1PaymentSources.Delete(Ctx, mc.ID, &stripe.PaymentSourceDeleteParams{Customer: stripe.String(owner.ID)})
		Expect(err).NotTo(HaveOccurred())
		got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.DefaultSource).To(BeNil())
	})
})
