package compat_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// The four stories stripe-emu exists for, told through the public API only.
var _ = Describe("The four stories", Label("compat"), func() {
	var t *target
	BeforeEach(func() { t = newTarget() })

	It("pays one invoice with two PaymentIntents, linked both ways, with no invoice on either", func() {
		cus, err := t.sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String(t.email("split"))})
		Expect(err).NotTo(HaveOccurred())
		inv, err := t.sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{
			Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30),
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = t.sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(10000), Currency: stripe.String("usd"),
		})
		Expect(err).NotTo(HaveOccurred())
		inv, err = t.sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AmountRemaining).To(Equal(int64(10000)))
		Expect(fields(inv.LastResponse.RawJSON)).NotTo(HaveKey("payment_intent"))
		Expect(fields(inv.LastResponse.RawJSON)).NotTo(HaveKey("charge"))

		pay := func(amount int64) *stripe.PaymentIntent {
			GinkgoHelper()
			pi, err := t.sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(amount), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
				PaymentMethodTypes: []*string{stripe.String("card")}, PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(fields(pi.LastResponse.RawJSON)).NotTo(HaveKey("invoice"))
			return pi
		}
		first, second := pay(4000), pay(6000)
		inv, err = t.sc.V1Invoices.AttachPayment(Ctx, inv.ID, &stripe.InvoiceAttachPaymentParams{PaymentIntent: stripe.String(first.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect([]int64{inv.AmountPaid, inv.AmountRemaining}).To(Equal([]int64{4000, 6000}))
		inv, err = t.sc.V1Invoices.AttachPayment(Ctx, inv.ID, &stripe.InvoiceAttachPaymentParams{PaymentIntent: stripe.String(second.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect([]int64{inv.AmountPaid, inv.AmountRemaining}).To(Equal([]int64{10000, 0}))

		p := &stripe.InvoiceRetrieveParams{}
		p.AddExpand("payments")
		got, err := t.sc.V1Invoices.Retrieve(Ctx, inv.ID, p)
		Expect(err).NotTo(HaveOccurred())
		var byIntent = map[string]int64{}
		for _, ip := range got.Payments.Data {
			if ip.Payment.PaymentIntent != nil && ip.Status == "paid" {
				byIntent[ip.Payment.PaymentIntent.ID] = ip.AmountPaid
			}
		}
		Expect(byIntent).To(Equal(map[string]int64{first.ID: 4000, second.ID: 6000}))

		for _, pi := range []*stripe.PaymentIntent{first, second} {
			var invoices []string
			for ip, err := range t.sc.V1InvoicePayments.List(Ctx, &stripe.InvoicePaymentListParams{
				Payment: &stripe.InvoicePaymentListPaymentParams{Type: stripe.String("payment_intent"), PaymentIntent: stripe.String(pi.ID)},
			}) {
				Expect(err).NotTo(HaveOccurred())
				invoices = append(invoices, ip.Invoice.ID)
			}
			Expect(invoices).To(Equal([]string{inv.ID}), "the invoice found from its payment %s", pi.ID)
			ch, err := t.sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(fields(ch.LastResponse.RawJSON)).NotTo(HaveKey("invoice"))
		}
	})

	It("refuses to archive a product's default price until the product points elsewhere", func() {
		prod, err := t.sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{
			Name: stripe.String("Compat " + t.run),
			DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{
				Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1500),
			},
		})
		Expect(err).NotTo(HaveOccurred())
		price := prod.DefaultPrice.ID
		_, err = t.sc.V1Prices.Update(Ctx, price, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(400))
		Expect(string(se.Type)).To(Equal("invalid_request_error"))
		Expect(se.Msg).To(Equal("This price cannot be archived because it is the default price of its product."))
		still, err := t.sc.V1Prices.Retrieve(Ctx, price, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(still.Active).To(BeTrue(), "nothing changed")

		other, err := t.sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(2500),
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = t.sc.V1Products.Update(Ctx, prod.ID, &stripe.ProductUpdateParams{DefaultPrice: stripe.String(other.ID)})
		Expect(err).NotTo(HaveOccurred())
		archived, err := t.sc.V1Prices.Update(Ctx, price, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(archived.Active).To(BeFalse())

		cus, err := t.sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String(t.email("inactive"))})
		Expect(err).NotTo(HaveOccurred())
		_, err = t.sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(price)},
		})
		se = StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(400))
		Expect(se.Msg).To(Equal("The price specified is inactive. This field only accepts active prices."))

		_, err = t.sc.V1Products.Delete(Ctx, prod.ID, nil)
		se = StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(400))
		Expect(se.Msg).To(Equal("This product cannot be deleted because it has one or more user-created prices."))
	})

	It("keeps each connected account's customers to itself", Label("connect"), func() {
		account := func() string {
			GinkgoHelper()
			acct, err := t.sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{
				Type: stripe.String("custom"), Country: stripe.String("US"), Email: stripe.String(t.email("seller")),
				Capabilities: &stripe.AccountCreateCapabilitiesParams{
					CardPayments: &stripe.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
					Transfers:    &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)},
				},
			})
			Expect(err).NotTo(HaveOccurred())
			return acct.ID
		}
		a, b := account(), account()
		email := t.email("shared")
		customerOn := func(acct string) *stripe.Customer {
			GinkgoHelper()
			p := &stripe.CustomerCreateParams{Email: stripe.String(email)}
			p.SetStripeAccount(acct)
			cus, err := t.sc.V1Customers.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			return cus
		}
		onA, onB := customerOn(a), customerOn(b)
		Expect(onA.ID).NotTo(Equal(onB.ID), "the same email is a customer on each account")

		get := &stripe.CustomerRetrieveParams{}
		get.SetStripeAccount(b)
		_, err := t.sc.V1Customers.Retrieve(Ctx, onA.ID, get)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(StripeErr(err).Msg).To(Equal("No such customer: '" + onA.ID + "'"))

		_, err = t.sc.V1Customers.Retrieve(Ctx, onA.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(StripeErr(err).Msg).To(Equal("No such customer: '"+onA.ID+"'"), "nor on the platform")

		pi := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Customer: stripe.String(onA.ID)}
		pi.SetStripeAccount(b)
		_, err = t.sc.V1PaymentIntents.Create(Ctx, pi)
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "customer")
	})
})
