package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// customerWithCard is a customer whose invoices are paid by a saved card:
// pm (a test method such as pm_card_visa) attached and made the default
// for invoices. testClock, when not empty, puts the customer on that
// clock.
func customerWithCard(sc *stripe.Client, email, pm, testClock string) *stripe.Customer {
	p := &stripe.CustomerCreateParams{Email: stripe.String(email), PaymentMethod: stripe.String(pm),
		InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{}}
	if testClock != "" {
		p.TestClock = stripe.String(testClock)
	}
	cus, err := sc.V1Customers.Create(Ctx, p)
	Expect(err).NotTo(HaveOccurred())
	var pmID string
	for m, err := range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID)}) {
		Expect(err).NotTo(HaveOccurred())
		pmID = m.ID
	}
	cus, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{InvoiceSettings: &stripe.CustomerUpdateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String(pmID)}})
	Expect(err).NotTo(HaveOccurred())
	return cus
}

// recurringPrice is a price of product, in usd, billed every interval.
func recurringPrice(sc *stripe.Client, product, interval string, amount int64) *stripe.Price {
	GinkgoHelper()
	p, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
		Product: stripe.String(product), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(amount),
		Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String(interval)},
	})
	Expect(err).NotTo(HaveOccurred())
	return p
}

// defaultIntent is the PaymentIntent of an invoice's default payment (the
// one finalization made).
func defaultIntent(sc *stripe.Client, inv *stripe.Invoice) *stripe.PaymentIntent {
	GinkgoHelper()
	for p, err := range sc.V1InvoicePayments.List(Ctx, &stripe.InvoicePaymentListParams{Invoice: stripe.String(inv.ID)}) {
		Expect(err).NotTo(HaveOccurred())
		if p.IsDefault {
			pi, err := sc.V1PaymentIntents.Retrieve(Ctx, p.Payment.PaymentIntent.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			return pi
		}
	}
	Fail("no default payment")
	return nil
}

// advanceClock moves a test clock to to; the advance must be taken.
func advanceClock(sc *stripe.Client, clockID string, to time.Time) {
	GinkgoHelper()
	_, err := sc.V1TestHelpersTestClocks.Advance(Ctx, clockID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(to.Unix())})
	Expect(err).NotTo(HaveOccurred())
}

// invoiceOfItem is the invoice an invoice item is on now, "" while it is
// pending.
func invoiceOfItem(sc *stripe.Client, ii *stripe.InvoiceItem) string {
	GinkgoHelper()
	got, err := sc.V1InvoiceItems.Retrieve(Ctx, ii.ID, nil)
	Expect(err).NotTo(HaveOccurred())
	if got.Invoice == nil {
		return ""
	}
	return got.Invoice.ID
}

// apiPrices makes an "API" product with two monthly prices: 3¢ a call
// of meter's usage, and 10.00 a month licensed.
func apiPrices(sc *stripe.Client, meter string) (prod *stripe.Product, perCall, base *stripe.Price) {
	GinkgoHelper()
	prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("API")})
	Expect(err).NotTo(HaveOccurred())
	perCall, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
		Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(3),
		Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String(meter)},
	})
	Expect(err).NotTo(HaveOccurred())
	base, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
		Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
		Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
	})
	Expect(err).NotTo(HaveOccurred())
	return prod, perCall, base
}

// subscriptionInvoices are a subscription's invoices, oldest first.
func subscriptionInvoices(sc *stripe.Client, sub string) []*stripe.Invoice {
	GinkgoHelper()
	var out []*stripe.Invoice
	for inv, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Subscription: stripe.String(sub)}) {
		Expect(err).NotTo(HaveOccurred())
		out = append([]*stripe.Invoice{inv}, out...) // the list is newest first
	}
	return out
}

// invoiceCountOf is how many invoices the customer has.
func invoiceCountOf(sc *stripe.Client, customer string) int {
	GinkgoHelper()
	n := 0
	for _, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Customer: stripe.String(customer)}) {
		Expect(err).NotTo(HaveOccurred())
		n++
	}
	return n
}
