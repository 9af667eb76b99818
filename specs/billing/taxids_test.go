package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Customer tax IDs on invoices", Label("billing", "tax-ids"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String("Acme BV"), TaxIDData: []*stripe.CustomerCreateTaxIDDataParams{
			{Type: stripe.String("eu_vat"), Value: stripe.String("NL123456789B12")},
		}})
		Expect(err).NotTo(HaveOccurred())
	})
	addTaxID := func(typ, value string) *stripe.TaxID {
		GinkgoHelper()
		txi, err := sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Customer: stripe.String(cus.ID), Type: stripe.String(typ), Value: stripe.String(value)})
		Expect(err).NotTo(HaveOccurred())
		return txi
	}
	draft := func() *stripe.Invoice {
		GinkgoHelper()
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{
			Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30),
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(10000), Currency: stripe.String("eur"),
		})
		Expect(err).NotTo(HaveOccurred())
		return inv
	}
	taxIDsOf := func(id string) []string {
		GinkgoHelper()
		inv, err := sc.V1Invoices.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.CustomerTaxIDs).NotTo(BeNil(), "customer_tax_ids is always an array on an invoice with a customer")
		var out []string
		for _, t := range inv.CustomerTaxIDs {
			out = append(out, string(*t.Type)+" "+t.Value)
		}
		return out
	}

	It("follows the customer's tax IDs while a draft, and keeps them as they were at finalization", func() {
		inv := draft()
		Expect(inv.CustomerTaxIDs).To(HaveLen(1))
		Expect(*inv.CustomerTaxIDs[0].Type).To(Equal(stripe.TaxIDTypeEUVAT))
		Expect(inv.CustomerTaxIDs[0].Value).To(Equal("NL123456789B12"))

		ein := addTaxID("us_ein", "12-3456789")
		Expect(taxIDsOf(inv.ID)).To(Equal([]string{"us_ein 12-3456789", "eu_vat NL123456789B12"}), "the same tax IDs as customer.tax_ids")
		_, err := sc.V1TaxIDs.Delete(Ctx, ein.ID, &stripe.TaxIDDeleteParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(taxIDsOf(inv.ID)).To(Equal([]string{"eu_vat NL123456789B12"}))
		gb := addTaxID("gb_vat", "GB123456789")

		fin, err := sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(fin.CustomerTaxIDs).To(HaveLen(2))
		Expect(taxIDsOf(inv.ID)).To(Equal([]string{"gb_vat GB123456789", "eu_vat NL123456789B12"}))

		// Once finalized, the invoice no longer follows the customer.
		_, err = sc.V1TaxIDs.Delete(Ctx, gb.ID, &stripe.TaxIDDeleteParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		addTaxID("ch_vat", "CHE-123.456.789 MWST")
		emu.Clock().Advance(time.Minute) // verifications settle; nothing about invoices
		Expect(taxIDsOf(inv.ID)).To(Equal([]string{"gb_vat GB123456789", "eu_vat NL123456789B12"}))

		next := draft()
		Expect(taxIDsOf(next.ID)).To(Equal([]string{"ch_vat CHE-123.456.789 MWST", "eu_vat NL123456789B12"}), "a new draft shows the customer's tax IDs now")

		// Tax ID changes show on drafts without invoice events of their
		// own: each invoice.updated here is an invoice item's.
		Expect(emu.EventTypes("")).To(Equal([]string{
			"customer.created", "customer.tax_id.created",
			"invoice.created", "invoiceitem.created", "invoice.updated",
			"customer.tax_id.created", "customer.tax_id.deleted", "customer.tax_id.created",
			"payment_intent.created", "invoice.finalized",
			"customer.tax_id.deleted", "customer.tax_id.created", "customer.tax_id.updated",
			"invoice.created", "invoiceitem.created", "invoice.updated",
		}))
	})

	It("shows no tax IDs for a customer without any, and leaves other customers' drafts alone", func() {
		other, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String("Consumer")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(other.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.CustomerTaxIDs).To(BeEmpty())
		Expect(inv.CustomerTaxIDs).NotTo(BeNil())
		addTaxID("eu_vat", "DE123456789")
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.CustomerTaxIDs).To(BeEmpty())
	})
})
