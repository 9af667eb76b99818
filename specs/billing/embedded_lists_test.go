package billing_test

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Stripe embeds at most ten lines in an invoice or credit note, with
// has_more and the url that pages the rest (answers, expansions and event
// payloads alike); the emulator keeps every line for its own work.
var _ = Describe("Long embedded lists", Label("billing", "invoices"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cus = customerWithCard(sc, "lines@example.com", "pm_card_visa", "")
	})

	// draftOf is a draft invoice of n items, of 100, 200, … n×100.
	draftOf := func(n int) *stripe.Invoice {
		GinkgoHelper()
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		for i := 1; i <= n; i++ {
			_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
				Amount: stripe.Int64(int64(i) * 100), Currency: stripe.String("usd"), Description: stripe.String(fmt.Sprintf("item %d", i))})
			Expect(err).NotTo(HaveOccurred())
		}
		return inv
	}
	allLines := func(inv string) []*stripe.InvoiceLineItem {
		GinkgoHelper()
		var out []*stripe.InvoiceLineItem
		for l, err := range sc.V1Invoices.ListLines(Ctx, &stripe.InvoiceListLinesParams{Invoice: stripe.String(inv)}) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, l)
		}
		return out
	}
	// payloads are the objects of the events of type typ about id.
	payloads := func(typ, id string) []map[string]any {
		var out []map[string]any
		for _, ev := range emu.Events("") {
			obj := ev["data"].(map[string]any)["object"].(map[string]any)
			if ev["type"] == typ && obj["id"] == id {
				out = append(out, obj)
			}
		}
		return out
	}
	// shownLines is the lines list an event payload shows.
	shownLines := func(obj map[string]any) (int, bool, string) {
		l := obj["lines"].(map[string]any)
		return len(l["data"].([]any)), l["has_more"].(bool), l["url"].(string)
	}

	It("shows an invoice's first ten of its twelve lines with has_more and the lines url, which pages all twelve", func() {
		inv := draftOf(12)
		url := "/v1/invoices/" + inv.ID + "/lines"
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Lines.Data).To(HaveLen(10))
		Expect(got.Lines.HasMore).To(BeTrue())
		Expect(got.Lines.URL).To(Equal(url))
		Expect(got.Subtotal).To(Equal(int64(7800)), "the total counts every line, shown or not")

		lines := allLines(inv.ID)
		Expect(lines).To(HaveLen(12))
		seen := map[string]bool{}
		for i, l := range lines {
			seen[l.ID] = true
			if i < 10 {
				Expect(l.ID).To(Equal(got.Lines.Data[i].ID), "the embedded lines are the list's first page")
			}
		}
		Expect(seen).To(HaveLen(12))
		var rest int
		for _, err := range sc.V1Invoices.ListLines(Ctx, &stripe.InvoiceListLinesParams{Invoice: stripe.String(inv.ID),
			ListParams: stripe.ListParams{StartingAfter: stripe.String(got.Lines.Data[9].ID)}}) {
			Expect(err).NotTo(HaveOccurred())
			rest++
		}
		Expect(rest).To(Equal(2), "paging on from the last line shown gives the other two")

		fin, err := sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(fin.Lines.Data).To(HaveLen(10))
		Expect(fin.Lines.HasMore).To(BeTrue())
		Expect(fin.AmountDue).To(Equal(int64(7800)))
		paid, err := sc.V1Invoices.Pay(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(paid.AmountPaid).To(Equal(int64(7800)))
		Expect(paid.Lines.Data).To(HaveLen(10))

		By("lists of invoices and expansions showing the first page too")
		for listed, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(listed.Lines.Data).To(HaveLen(10))
			Expect(listed.Lines.HasMore).To(BeTrue())
		}
		expanded, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, &stripe.InvoiceRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("customer")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(expanded.Customer.Email).To(Equal("lines@example.com"))
		Expect(expanded.Lines.Data).To(HaveLen(10))
		Expect(expanded.Lines.HasMore).To(BeTrue())

		By("every event's payload showing ten lines, has_more and the url")
		for _, typ := range []string{"invoice.finalized", "invoice.paid", "invoice.payment_succeeded"} {
			objs := payloads(typ, inv.ID)
			Expect(objs).NotTo(BeEmpty(), typ)
			for _, o := range objs {
				n, more, u := shownLines(o)
				Expect([]any{n, more, u}).To(Equal([]any{10, true, url}), typ)
			}
		}

		By("the emulator keeping every line, the Go API's Get showing the page GET shows")
		n := 0
		for _, err := range sc.V1Invoices.ListLines(Ctx, &stripe.InvoiceListLinesParams{Invoice: stripe.String(inv.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		Expect(n).To(Equal(12), "the paid invoice's lines url still pages all twelve")
		stored, ok := emu.Get(inv.ID)
		Expect(ok).To(BeTrue())
		n, more, u := shownLines(stored)
		Expect([]any{n, more, u}).To(Equal([]any{10, true, url}))
	})

	It("shows all of exactly ten lines, with no more to page", func() {
		inv := draftOf(10)
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Lines.Data).To(HaveLen(10))
		Expect(got.Lines.HasMore).To(BeFalse())
	})

	It("shows a subscription's twelve items whole, and the first ten lines of its invoices, renewals' events included", func() {
		clock, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "items@example.com", "pm_card_visa", clock.ID)
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Seats")})
		Expect(err).NotTo(HaveOccurred())
		var items []*stripe.SubscriptionCreateItemParams
		for i := 1; i <= 12; i++ {
			items = append(items, &stripe.SubscriptionCreateItemParams{Price: stripe.String(recurringPrice(sc, prod.ID, "month", int64(i)*100).ID)})
		}
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: items,
			Params: stripe.Params{Expand: []*string{stripe.String("latest_invoice")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Items.Data).To(HaveLen(12), "Stripe shows every item of a subscription (at most 20)")
		Expect(sub.Items.HasMore).To(BeFalse())
		Expect(sub.LatestInvoice.Lines.Data).To(HaveLen(10), "an expanded invoice shows its first ten lines")
		Expect(sub.LatestInvoice.Lines.HasMore).To(BeTrue())
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(7800)))
		first := sub.LatestInvoice.ID
		Expect(payloads("customer.subscription.created", sub.ID)[0]["items"].(map[string]any)["data"]).To(HaveLen(12))
		n, more, _ := shownLines(payloads("invoice.paid", first)[0])
		Expect([]any{n, more}).To(Equal([]any{10, true}))

		advanceClock(sc, clock.ID, Epoch.AddDate(0, 1, 0).Add(2*time.Hour))
		renewed, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(renewed.LatestInvoice.ID).NotTo(Equal(first))
		Expect(allLines(renewed.LatestInvoice.ID)).To(HaveLen(12))
		for _, typ := range []string{"invoice.created", "invoice.finalized", "invoice.paid"} {
			objs := payloads(typ, renewed.LatestInvoice.ID)
			Expect(objs).NotTo(BeEmpty(), typ)
			n, more, url := shownLines(objs[0])
			Expect([]any{n, more, url}).To(Equal([]any{10, true, "/v1/invoices/" + renewed.LatestInvoice.ID + "/lines"}), typ)
		}
	})

	It("shows a credit note's first ten of its twelve lines, the rest paged at its lines url", func() {
		inv := draftOf(12)
		_, err := sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		var lines []*stripe.CreditNoteCreateLineParams
		for _, l := range allLines(inv.ID) {
			lines = append(lines, &stripe.CreditNoteCreateLineParams{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(l.ID), Amount: stripe.Int64(50)})
		}
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: lines})
		Expect(err).NotTo(HaveOccurred())
		url := "/v1/credit_notes/" + cn.ID + "/lines"
		Expect(cn.Amount).To(Equal(int64(600)))
		Expect(cn.Lines.Data).To(HaveLen(10))
		Expect(cn.Lines.HasMore).To(BeTrue())
		Expect(cn.Lines.URL).To(Equal(url))
		got, err := sc.V1CreditNotes.Retrieve(Ctx, cn.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Lines.Data).To(HaveLen(10))
		Expect(got.Lines.HasMore).To(BeTrue())
		var paged int
		for _, err := range sc.V1CreditNotes.ListLines(Ctx, &stripe.CreditNoteListLinesParams{CreditNote: stripe.String(cn.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			paged++
		}
		Expect(paged).To(Equal(12))
		objs := payloads("credit_note.created", cn.ID)
		Expect(objs).To(HaveLen(1))
		n, more, u := shownLines(objs[0])
		Expect([]any{n, more, u}).To(Equal([]any{10, true, url}))
	})
})
