package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// An invoice item made for a customer without naming a subscription is
// added "to the next upcoming scheduled invoice" (Stripe's invoice item
// reference): a subscription's first invoice, or its next renewal. One
// made for a subscription waits for that subscription's invoice only.
var _ = Describe("A customer's pending invoice items on subscription invoices", Label("billing", "invoiceitems"), func() {
	var (
		emu   *emulator.Emulator
		sc    *stripe.Client
		cus   *stripe.Customer
		price *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cus = customerWithCard(sc, "pending@example.com", "pm_card_visa", "")
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		price = recurringPrice(sc, prod.ID, "month", 900)
	})

	item := func(amount int64, currency string, sub string) *stripe.InvoiceItem {
		GinkgoHelper()
		p := &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(amount), Currency: stripe.String(currency),
			Description: stripe.String("Setup fee")}
		if sub != "" {
			p.Subscription = stripe.String(sub)
		}
		ii, err := sc.V1InvoiceItems.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return ii
	}
	subscribe := func() *stripe.Subscription {
		GinkgoHelper()
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
			Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
		})
		Expect(err).NotTo(HaveOccurred())
		return sub
	}
	invoice := func(id string) *stripe.Invoice {
		GinkgoHelper()
		inv, err := sc.V1Invoices.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}

	It("refuses an item for an unknown subscription, another customer's or a canceled one, or for another customer's invoice, making nothing", func() {
		sub := subscribe()
		other := customerWithCard(sc, "other@example.com", "pm_card_visa", "")
		theirs, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
			Customer: stripe.String(other.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		draft, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(other.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Cancel(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		for _, p := range []*stripe.InvoiceItemCreateParams{
			{Subscription: stripe.String("sub_missing")},
			{Subscription: stripe.String(theirs.ID)},
			{Subscription: stripe.String(sub.ID)},
			{Invoice: stripe.String(draft.ID)},
		} {
			p.Customer, p.Amount, p.Currency = stripe.String(cus.ID), stripe.Int64(100), stripe.String("usd")
			_, err := sc.V1InvoiceItems.Create(Ctx, p)
			param := "subscription"
			if p.Invoice != nil {
				param = "invoice"
			}
			Expect(StripeErr(err).HTTPStatusCode).To(BeNumerically(">=", 400))
			Expect(StripeErr(err).Param).To(Equal(param))
		}
		Expect(emu.Count("", "invoiceitem")).To(BeZero())
	})

	It("puts what is pending on a new subscription's first invoice, and charges it with the first period", func() {
		fee := item(500, "usd", "")
		inEuros := item(700, "eur", "")
		sub := subscribe()
		first := invoice(sub.LatestInvoice.ID)
		Expect(first.Total).To(Equal(int64(1400)))
		Expect(first.AmountPaid).To(Equal(int64(1400)))
		Expect(first.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(first.Lines.Data).To(HaveLen(2))
		Expect(invoiceOfItem(sc, fee)).To(Equal(first.ID))
		Expect(invoiceOfItem(sc, inEuros)).To(BeEmpty(), "an item in another currency waits for an invoice in euros")
	})

	It("puts an item made between renewals on the next renewal, and one for another subscription on that one's", func() {
		sub := subscribe()
		other := subscribe()
		fee := item(500, "usd", "")
		theirs := item(300, "usd", other.ID)
		Expect(invoiceOfItem(sc, fee)).To(BeEmpty(), "pending until a scheduled invoice")

		emu.Clock().Advance(32 * 24 * time.Hour)
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		other, err = sc.V1Subscriptions.Retrieve(Ctx, other.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		renewals := map[string]string{sub.LatestInvoice.ID: sub.ID, other.LatestInvoice.ID: other.ID}
		Expect(renewals).To(HaveKey(invoiceOfItem(sc, fee)), "the customer's item joins one of the renewals")
		Expect(invoiceOfItem(sc, theirs)).To(Equal(other.LatestInvoice.ID))
		Expect(invoice(other.LatestInvoice.ID).Total).To(BeNumerically(">=", 1200))
		total := invoice(sub.LatestInvoice.ID).Total + invoice(other.LatestInvoice.ID).Total
		Expect(total).To(Equal(int64(900 + 900 + 500 + 300)))
	})

	It("takes an update's add_invoice_items as invoice items of the subscription appended to its next invoice: the renewal, or the invoice the update makes at once", func() {
		fee, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(price.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(250)})
		Expect(err).NotTo(HaveOccurred())
		sub := subscribe()
		got, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			AddInvoiceItems: []*stripe.SubscriptionUpdateAddInvoiceItemParams{{Price: stripe.String(fee.ID), Quantity: stripe.Int64(2)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LatestInvoice.ID).To(Equal(sub.LatestInvoice.ID), "nothing invoiced yet")
		var pending []*stripe.InvoiceItem
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			pending = append(pending, ii)
		}
		Expect(pending).To(HaveLen(1))
		Expect(pending[0].Amount).To(Equal(int64(500)))
		Expect(pending[0].Quantity).To(Equal(int64(2)))
		Expect(pending[0].Parent.SubscriptionDetails.Subscription).To(Equal(sub.ID))

		emu.Clock().Advance(32 * 24 * time.Hour)
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(invoiceOfItem(sc, pending[0])).To(Equal(sub.LatestInvoice.ID))
		Expect(invoice(sub.LatestInvoice.ID).Total).To(Equal(int64(900 + 500)))

		By("an update that invoices at once bills them on that invoice")
		p := &stripe.SubscriptionUpdateParams{BillingCycleAnchorNow: stripe.Bool(true), ProrationBehavior: stripe.String("none"),
			AddInvoiceItems: []*stripe.SubscriptionUpdateAddInvoiceItemParams{{Price: stripe.String(fee.ID)}}}
		p.AddExpand("latest_invoice")
		got, err = sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LatestInvoice.ID).NotTo(Equal(sub.LatestInvoice.ID))
		Expect(got.LatestInvoice.Total).To(Equal(int64(900 + 250)))
		Expect(got.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))

		By("more than 20 are refused, nothing kept")
		many := make([]*stripe.SubscriptionUpdateAddInvoiceItemParams, 21)
		for i := range many {
			many[i] = &stripe.SubscriptionUpdateAddInvoiceItemParams{Price: stripe.String(fee.ID)}
		}
		n := emu.Count("", "invoiceitem")
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{AddInvoiceItems: many})
		ExpectStripeError(err, 400, "invalid_request_error", "", "add_invoice_items")
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			AddInvoiceItems: []*stripe.SubscriptionUpdateAddInvoiceItemParams{{Price: stripe.String(price.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "add_invoice_items[0][price]")
		Expect(emu.Count("", "invoiceitem")).To(Equal(n))
	})
})
