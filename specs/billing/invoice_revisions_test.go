package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Stripe's "Edit invoices" guide: a finalized invoice, open or
// uncollectible, is revised by creating an invoice with from_invoice; the
// revision is a draft copying it, and finalizing it voids the original.
var _ = Describe("Invoice revisions (from_invoice)", Label("billing", "invoices"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cus = customerWithCard(sc, "revised@example.com", "pm_card_visa", "")
	})
	// open is a finalized one-off invoice of two items with settings of
	// its own, sent by email (nothing charged yet).
	open := func() *stripe.Invoice {
		GinkgoHelper()
		vat, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(10), Inclusive: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Description: stripe.String("Consulting"), Footer: stripe.String("Thanks"),
			CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30), DefaultTaxRates: []*string{stripe.String(vat.ID)}}
		p.AddMetadata("order", "42")
		inv, err := sc.V1Invoices.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		for _, amount := range []int64{1000, 500} {
			_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
				Amount: stripe.Int64(amount), Currency: stripe.String("usd"), Description: stripe.String("Hours")})
			Expect(err).NotTo(HaveOccurred())
		}
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(inv.Total).To(Equal(int64(1650)))
		return inv
	}
	revise := func(id string, p *stripe.InvoiceCreateParams) (*stripe.Invoice, error) {
		if p == nil {
			p = &stripe.InvoiceCreateParams{}
		}
		p.FromInvoice = &stripe.InvoiceCreateFromInvoiceParams{Action: stripe.String("revision"), Invoice: stripe.String(id)}
		return sc.V1Invoices.Create(Ctx, p)
	}
	retrieve := func(id string) *stripe.Invoice {
		GinkgoHelper()
		inv, err := sc.V1Invoices.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}

	It("makes a draft copying the invoice, which voids the original once finalized, naming itself its latest_revision", func() {
		orig := open()
		_, err := sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Email: stripe.String("billing@example.com")})
		Expect(err).NotTo(HaveOccurred())
		pending, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(99), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		rev, err := revise(orig.ID, &stripe.InvoiceCreateParams{Description: stripe.String("Consulting, corrected"),
			PendingInvoiceItemsBehavior: stripe.String("include")})
		Expect(err).NotTo(HaveOccurred())
		Expect(rev.ID).NotTo(Equal(orig.ID))
		Expect(rev.Status).To(Equal(stripe.InvoiceStatusDraft))
		Expect(rev.FromInvoice).NotTo(BeNil())
		Expect(rev.FromInvoice.Action).To(Equal("revision"))
		Expect(rev.FromInvoice.Invoice.ID).To(Equal(orig.ID))
		Expect(rev.Customer.ID).To(Equal(cus.ID), "the original's customer, though none was sent")
		Expect(rev.Number).To(BeEmpty())
		Expect(rev.CustomerEmail).To(Equal("billing@example.com"), "the customer's details as they are now")
		Expect(retrieve(orig.ID).CustomerEmail).To(Equal("revised@example.com"))
		Expect(rev.Description).To(Equal("Consulting, corrected"), "what the request sends is applied on top of the copy")
		Expect(rev.Footer).To(Equal("Thanks"))
		Expect(rev.Metadata).To(HaveKeyWithValue("order", "42"))
		Expect(rev.CollectionMethod).To(Equal(stripe.InvoiceCollectionMethodSendInvoice))
		Expect(rev.DueDate).To(Equal(orig.DueDate))
		Expect(rev.DefaultTaxRates).To(HaveLen(1))
		Expect(rev.Total).To(Equal(int64(1650)))
		Expect(rev.Lines.Data).To(HaveLen(2), "a revision doesn't pull in pending invoice items")
		stillPending, err := sc.V1InvoiceItems.Retrieve(Ctx, pending.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(stillPending.Invoice).To(BeNil())
		origLines := map[string]bool{}
		for _, l := range orig.Lines.Data {
			origLines[l.ID] = true
		}
		for _, l := range rev.Lines.Data {
			Expect(origLines).NotTo(HaveKey(l.ID), "its lines are copies, not the original's")
			Expect(l.Description).To(Equal("Hours"))
		}
		ep := &stripe.InvoiceRetrieveParams{}
		ep.AddExpand("from_invoice.invoice")
		expanded, err := sc.V1Invoices.Retrieve(Ctx, rev.ID, ep)
		Expect(err).NotTo(HaveOccurred())
		Expect(expanded.FromInvoice.Invoice.Total).To(Equal(int64(1650)))
		Expect(retrieve(orig.ID).LatestRevision).To(BeNil(), "the most recent non-draft revision: none yet")
		Expect(retrieve(orig.ID).Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(retrieve(orig.ID).Total).To(Equal(int64(1650)), "the original bills what it did")

		// Edited, then finalized: the original is void.
		rev, err = sc.V1Invoices.AddLines(Ctx, rev.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{{Amount: stripe.Int64(200), Description: stripe.String("Travel")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(rev.Total).To(Equal(int64(1870)))
		rev, err = sc.V1Invoices.FinalizeInvoice(Ctx, rev.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(rev.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(rev.Number).NotTo(BeEmpty())
		Expect(rev.Number).NotTo(Equal(orig.Number))
		was := retrieve(orig.ID)
		Expect(was.Status).To(Equal(stripe.InvoiceStatusVoid))
		Expect(was.LatestRevision.ID).To(Equal(rev.ID))
		Expect(defaultIntent(sc, was).Status).To(Equal(stripe.PaymentIntentStatusCanceled), "the original can no longer be paid")

		var voided map[string]any
		for _, ev := range emu.Events("") {
			if ev["type"] == "invoice.voided" {
				voided = ev["data"].(map[string]any)["object"].(map[string]any)
			}
		}
		Expect(voided).NotTo(BeNil())
		Expect(voided["id"]).To(Equal(orig.ID))
		Expect(voided["latest_revision"]).To(Equal(rev.ID), "invoice.voided shows the revision replacing it")

		paid, err := sc.V1Invoices.Pay(Ctx, rev.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String(cus.InvoiceSettings.DefaultPaymentMethod.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(paid.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(paid.AmountPaid).To(Equal(int64(1870)))
	})

	It("revises an uncollectible invoice too", func() {
		orig := open()
		_, err := sc.V1Invoices.MarkUncollectible(Ctx, orig.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		rev, err := revise(orig.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.FinalizeInvoice(Ctx, rev.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(retrieve(orig.ID).Status).To(Equal(stripe.InvoiceStatusVoid))
	})

	It("refuses to revise a draft, a paid or void invoice, a subscription's, another customer's or an unknown one, making nothing", func() {
		draft, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		paid := open()
		_, err = sc.V1Invoices.Pay(Ctx, paid.ID, &stripe.InvoicePayParams{PaidOutOfBand: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		void := open()
		_, err = sc.V1Invoices.VoidInvoice(Ctx, void.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"),
			DaysUntilDue: stripe.Int64(30), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(recurringPrice(sc, prod.ID, "month", 900).ID)}}})
		Expect(err).NotTo(HaveOccurred())
		if retrieve(sub.LatestInvoice.ID).Status == stripe.InvoiceStatusDraft {
			_, err = sc.V1Invoices.FinalizeInvoice(Ctx, sub.LatestInvoice.ID, nil)
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(retrieve(sub.LatestInvoice.ID).Status).To(Equal(stripe.InvoiceStatusOpen))
		openOne := open()
		other := customerWithCard(sc, "other@example.com", "pm_card_visa", "")

		before, events := invoiceCountOf(sc, cus.ID), len(emu.Events(""))
		for _, id := range []string{draft.ID, paid.ID, void.ID, sub.LatestInvoice.ID} {
			_, err := revise(id, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "invoice_not_editable", "from_invoice[invoice]")
		}
		_, err = revise("in_missing", nil)
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "from_invoice[invoice]")
		_, err = revise(openOne.ID, &stripe.InvoiceCreateParams{Customer: stripe.String(other.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "customer")
		_, err = revise(openOne.ID, &stripe.InvoiceCreateParams{Currency: stripe.String("eur")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency")
		_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Description: stripe.String("nobody's")})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "customer")
		Expect(invoiceCountOf(sc, cus.ID)).To(Equal(before))
		Expect(emu.Events("")).To(HaveLen(events), "a refused request records no event")
		Expect(retrieve(openOne.ID).LatestRevision).To(BeNil())
	})

	It("won't finalize a revision of an invoice paid since, and deleting a revision leaves nothing pending", func() {
		orig := open()
		rev, err := revise(orig.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.Pay(Ctx, orig.ID, &stripe.InvoicePayParams{PaidOutOfBand: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.FinalizeInvoice(Ctx, rev.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "invoice_not_editable", "")
		Expect(retrieve(rev.ID).Status).To(Equal(stripe.InvoiceStatusDraft))
		Expect(retrieve(orig.ID).Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(retrieve(orig.ID).LatestRevision).To(BeNil())

		_, err = sc.V1Invoices.Delete(Ctx, rev.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID), Pending: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			Fail("a deleted revision's copied item went pending, to be billed twice: " + ii.ID)
		}
		Expect(retrieve(orig.ID).Lines.Data).To(HaveLen(2))
	})
})
