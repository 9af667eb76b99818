package billing_test

import (
	"encoding/json"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Credit notes", Label("billing", "credit-notes"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cus = customerWithCard(sc, "credit@example.com", "pm_card_visa", "")
	})

	// invoice makes a finalized invoice of 100.00 consulting and three
	// widgets at 10.00: sent (open) or charged (paid).
	invoice := func(customer string, pay bool) *stripe.Invoice {
		GinkgoHelper()
		p := &stripe.InvoiceCreateParams{Customer: stripe.String(customer)}
		if !pay {
			p.CollectionMethod, p.DaysUntilDue = stripe.String("send_invoice"), stripe.Int64(30)
		}
		inv, err := sc.V1Invoices.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(customer), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(10000),
			Currency: stripe.String("usd"), Description: stripe.String("Consulting"),
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(customer), Invoice: stripe.String(inv.ID), UnitAmountDecimal: stripe.Float64(1000),
			Quantity: stripe.Int64(3), Currency: stripe.String("usd"), Description: stripe.String("Widget"),
		})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		if pay {
			inv, err = sc.V1Invoices.Pay(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		}
		Expect(inv.AmountDue).To(Equal(int64(13000)))
		return inv
	}
	lineOf := func(inv *stripe.Invoice, description string) string {
		GinkgoHelper()
		for _, l := range inv.Lines.Data {
			if l.Description == description {
				return l.ID
			}
		}
		Fail("no line " + description)
		return ""
	}
	getInvoice := func(id string) *stripe.Invoice {
		GinkgoHelper()
		inv, err := sc.V1Invoices.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}
	creditNotes := func(p *stripe.CreditNoteListParams) []string {
		GinkgoHelper()
		var ids []string
		for cn, err := range sc.V1CreditNotes.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, cn.ID)
		}
		return ids
	}

	It("on an open invoice reduces what is due, and voiding gives it back", func() {
		inv := invoice(cus.ID, false)
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{
			Invoice: stripe.String(inv.ID), Amount: stripe.Int64(2500), Reason: stripe.String("order_change"),
			Memo: stripe.String("Late delivery"), Metadata: map[string]string{"ticket": "42"},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.ID).To(HavePrefix("cn_"))
		Expect(cn.Object).To(Equal("credit_note"))
		Expect(cn.Status).To(Equal(stripe.CreditNoteStatusIssued))
		Expect(cn.Type).To(Equal(stripe.CreditNoteTypePrePayment))
		Expect(cn.Number).To(Equal(inv.Number + "-CN-01"))
		Expect([]int64{cn.Amount, cn.Subtotal, cn.Total, cn.PrePaymentAmount, cn.PostPaymentAmount}).To(Equal([]int64{2500, 2500, 2500, 2500, 0}))
		Expect(cn.Reason).To(Equal(stripe.CreditNoteReasonOrderChange))
		Expect(cn.Memo).To(Equal("Late delivery"))
		Expect(cn.Metadata).To(Equal(map[string]string{"ticket": "42"}))
		Expect(cn.Customer.ID).To(Equal(cus.ID))
		Expect(cn.Invoice.ID).To(Equal(inv.ID))
		Expect(cn.Refunds).To(BeEmpty())

		after := getInvoice(inv.ID)
		Expect(after.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(after.AmountDue).To(Equal(int64(10500)))
		Expect(after.AmountRemaining).To(Equal(int64(10500)))
		Expect(after.PrePaymentCreditNotesAmount).To(Equal(int64(2500)))
		Expect(after.PostPaymentCreditNotesAmount).To(Equal(int64(0)))
		Expect(after.Total).To(Equal(int64(13000)), "a credit note does not change the invoice's total")
		Expect(defaultIntent(sc, inv).Amount).To(Equal(int64(10500)), "the invoice's PaymentIntent asks for what remains")
		types := emu.EventTypes("")
		Expect(types).To(ContainElements("credit_note.created", "invoice.updated"))
		ev := latestEvent(sc, "invoice.updated")
		Expect(ev.Data.PreviousAttributes).To(HaveKeyWithValue("amount_due", BeNumerically("==", 13000)))

		got, err := sc.V1CreditNotes.Retrieve(Ctx, cn.ID, &stripe.CreditNoteRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("invoice"), stripe.String("customer")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Amount).To(Equal(int64(2500)))
		Expect(got.Invoice.AmountDue).To(Equal(int64(10500)), "expanded")
		Expect(got.Customer.Email).To(Equal("credit@example.com"), "expanded")

		voided, err := sc.V1CreditNotes.VoidCreditNote(Ctx, cn.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(voided.Status).To(Equal(stripe.CreditNoteStatusVoid))
		Expect(voided.VoidedAt).To(Equal(Epoch.Unix()))
		after = getInvoice(inv.ID)
		Expect(after.AmountDue).To(Equal(int64(13000)))
		Expect(after.AmountRemaining).To(Equal(int64(13000)))
		Expect(after.PrePaymentCreditNotesAmount).To(Equal(int64(0)))
		Expect(defaultIntent(sc, inv).Amount).To(Equal(int64(13000)))
		Expect(emu.EventTypes("")).To(ContainElement("credit_note.voided"))

		_, err = sc.V1CreditNotes.VoidCreditNote(Ctx, cn.ID, nil)
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))

		// The next note on the invoice is numbered after the voided one.
		cn2, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(100)})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn2.Number).To(Equal(inv.Number + "-CN-02"))
	})

	It("credits an open invoice in full: the invoice is paid and its PaymentIntent canceled", func() {
		inv := invoice(cus.ID, false)
		pi := defaultIntent(sc, inv)
		_, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(13000)})
		Expect(err).NotTo(HaveOccurred())
		after := getInvoice(inv.ID)
		Expect(after.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(after.AmountRemaining).To(Equal(int64(0)))
		Expect(after.AmountPaid).To(Equal(int64(0)))
		Expect(after.PrePaymentCreditNotesAmount).To(Equal(int64(13000)))
		pi, err = sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusCanceled))
		Expect(emu.EventTypes("")).To(ContainElement("invoice.paid"))
	})

	It("credits part of an invoice by lines", func() {
		inv := invoice(cus.ID, false)
		widgets := lineOf(inv, "Widget")
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{
			Invoice: stripe.String(inv.ID),
			Lines: []*stripe.CreditNoteCreateLineParams{
				{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(widgets), Quantity: stripe.Int64(2)},
				{Type: stripe.String("custom_line_item"), UnitAmount: stripe.Int64(250), Quantity: stripe.Int64(2), Description: stripe.String("Goodwill")},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.Amount).To(Equal(int64(2500)))
		Expect(cn.Lines.Data).To(HaveLen(2))
		l := cn.Lines.Data[0]
		Expect([]any{l.Object, l.Type, l.InvoiceLineItem, l.Quantity, l.UnitAmount, l.Amount, l.Description}).To(
			Equal([]any{"credit_note_line_item", stripe.CreditNoteLineItemTypeInvoiceLineItem, widgets, int64(2), int64(1000), int64(2000), "Widget"}))
		l = cn.Lines.Data[1]
		Expect([]any{l.Type, l.Quantity, l.UnitAmount, l.Amount, l.Description}).To(
			Equal([]any{stripe.CreditNoteLineItemTypeCustomLineItem, int64(2), int64(250), int64(500), "Goodwill"}))
		Expect(getInvoice(inv.ID).AmountDue).To(Equal(int64(10500)))

		var listed []string
		for li, err := range sc.V1CreditNotes.ListLines(Ctx, &stripe.CreditNoteListLinesParams{CreditNote: stripe.String(cn.ID), ListParams: stripe.ListParams{Limit: stripe.Int64(1)}}) {
			Expect(err).NotTo(HaveOccurred())
			listed = append(listed, li.ID)
		}
		Expect(listed).To(Equal([]string{cn.Lines.Data[0].ID, cn.Lines.Data[1].ID}))

		// One widget is left to credit on that line.
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{
			Invoice: stripe.String(inv.ID),
			Lines: []*stripe.CreditNoteCreateLineParams{
				{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(widgets), Quantity: stripe.Int64(2)},
			},
		})
		Expect(StripeErr(err).Param).To(Equal("lines[0]"))
		// A line credited by quantity is credited by quantity from then on,
		// and one credited by amount by amount, as Stripe documents.
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{
			Invoice: stripe.String(inv.ID),
			Lines: []*stripe.CreditNoteCreateLineParams{
				{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(widgets), Amount: stripe.Int64(1000)},
			},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "lines[0][amount]")
		mixed, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{
			Invoice: stripe.String(inv.ID),
			Lines: []*stripe.CreditNoteCreateLineParams{
				{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(widgets), Quantity: stripe.Int64(1)},
				{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(lineOf(inv, "Consulting")), Amount: stripe.Int64(500)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		// A line credited by amount has no unit amount and a quantity of 1,
		// as Stripe's example credit notes show.
		var raw struct {
			Lines struct {
				Data []map[string]any `json:"data"`
			} `json:"lines"`
		}
		Expect(json.Unmarshal(mixed.LastResponse.RawJSON, &raw)).To(Succeed())
		byAmount := raw.Lines.Data[1]
		Expect(byAmount).To(HaveKeyWithValue("amount", BeNumerically("==", 500)))
		Expect(byAmount).To(HaveKeyWithValue("quantity", BeNumerically("==", 1)))
		Expect(byAmount).To(HaveKeyWithValue("unit_amount", BeNil()))
		Expect(byAmount).To(HaveKeyWithValue("unit_amount_decimal", BeNil()))
		Expect(getInvoice(inv.ID).AmountDue).To(Equal(int64(9000)))
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{
			Invoice: stripe.String(inv.ID),
			Lines: []*stripe.CreditNoteCreateLineParams{
				{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(lineOf(inv, "Consulting")), Quantity: stripe.Int64(1)},
			},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "lines[0][quantity]")
		Expect(getInvoice(inv.ID).AmountDue).To(Equal(int64(9000)))
	})

	It("credits by quantity times a fractional unit price, the last units taking what is left of the line", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Metered widget")})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmountDecimal: stripe.Float64(1000.5)})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(price.ID)}, Quantity: stripe.Int64(3)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			UnitAmountDecimal: stripe.Float64(250.25), Quantity: stripe.Int64(2), Currency: stripe.String("usd"), Description: stripe.String("Hours")})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AmountDue).To(Equal(int64(3002 + 501)))
		priced, hours := inv.Lines.Data[0], inv.Lines.Data[1]
		if priced.Description == "Hours" {
			priced, hours = hours, priced
		}
		byQuantity := func(line string, q int64) *stripe.CreditNoteCreateLineParams {
			return &stripe.CreditNoteCreateLineParams{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(line), Quantity: stripe.Int64(q)}
		}
		// Stripe: a quantity credited is that quantity times the line's
		// unit price, 2 × 10.005 USD here; all of a line is all it charged.
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID),
			Lines: []*stripe.CreditNoteCreateLineParams{byQuantity(priced.ID, 2), byQuantity(hours.ID, 2)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.Lines.Data[0].Amount).To(Equal(int64(2001)))
		Expect(cn.Lines.Data[0].UnitAmountDecimal).To(Equal(1000.5))
		Expect(cn.Lines.Data[1].Amount).To(Equal(int64(501)), "the whole line, as it was charged")
		var raw struct {
			Lines struct {
				Data []map[string]any `json:"data"`
			} `json:"lines"`
		}
		Expect(json.Unmarshal(cn.LastResponse.RawJSON, &raw)).To(Succeed())
		Expect(raw.Lines.Data[0]).To(HaveKeyWithValue("unit_amount", BeNil()), "a fractional unit price has no integer unit_amount")
		Expect(raw.Lines.Data[0]).To(HaveKeyWithValue("unit_amount_decimal", "1000.5"))
		// The last unit takes exactly what is left of the line.
		last, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID),
			Lines: []*stripe.CreditNoteCreateLineParams{byQuantity(priced.ID, 1)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(last.Amount).To(Equal(int64(1001)))
		after := getInvoice(inv.ID)
		Expect(after.Status).To(Equal(stripe.InvoiceStatusPaid), "every unit credited")
		Expect(after.PrePaymentCreditNotesAmount).To(Equal(int64(3503)))
	})

	It("takes a custom line's unit_amount_decimal, as Stripe's reference does, rounding the line's amount", func() {
		inv := invoice(cus.ID, false)
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{
			Invoice: stripe.String(inv.ID),
			Lines: []*stripe.CreditNoteCreateLineParams{
				{Type: stripe.String("custom_line_item"), UnitAmountDecimal: stripe.Float64(150.4), Quantity: stripe.Int64(2), Description: stripe.String("Goodwill")},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		l := cn.Lines.Data[0]
		Expect([]any{l.Quantity, l.UnitAmount, l.UnitAmountDecimal, l.Amount}).To(Equal([]any{int64(2), int64(0), 150.4, int64(301)}))
		Expect(cn.Amount).To(Equal(int64(301)))
		Expect(getInvoice(inv.ID).AmountDue).To(Equal(int64(13000 - 301)))

		// Only one of the two, and a decimal Stripe takes.
		for _, lp := range []*stripe.CreditNoteCreateLineParams{
			{Type: stripe.String("custom_line_item"), UnitAmount: stripe.Int64(150), UnitAmountDecimal: stripe.Float64(150.4), Description: stripe.String("Goodwill")},
			{Type: stripe.String("custom_line_item"), UnitAmountDecimal: stripe.Float64(-1), Description: stripe.String("Goodwill")},
		} {
			_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: []*stripe.CreditNoteCreateLineParams{lp}})
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
		}
		Expect(creditNotes(&stripe.CreditNoteListParams{Invoice: stripe.String(inv.ID)})).To(Equal([]string{cn.ID}))
		// Exactly: 100 × 0.145 is 14.5, a half cent rounded up (as float64s, 14.499999999999998).
		cn, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Lines: []*stripe.CreditNoteCreateLineParams{
			{Type: stripe.String("custom_line_item"), UnitAmountDecimal: stripe.Float64(0.145), Quantity: stripe.Int64(100), Description: stripe.String("Goodwill")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.Amount).To(Equal(int64(15)))
		Expect(getInvoice(inv.ID).AmountDue).To(Equal(int64(13000 - 301 - 15)))
	})

	It("links refunds already made of a paid invoice's payments instead of refunding again", func() {
		inv := invoice(cus.ID, true)
		pay := defaultIntent(sc, inv)
		refundOf := func(amount int64) *stripe.Refund {
			GinkgoHelper()
			re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pay.ID), Amount: stripe.Int64(amount)})
			Expect(err).NotTo(HaveOccurred())
			return re
		}
		refunded := func() int64 {
			GinkgoHelper()
			ch, err := sc.V1Charges.Retrieve(Ctx, pay.LatestCharge.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			return ch.AmountRefunded
		}
		whole := refundOf(3000)
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(3000),
			Refunds: []*stripe.CreditNoteCreateRefundParams{{Refund: stripe.String(whole.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.Refunds).To(HaveLen(1))
		Expect(cn.Refunds[0].Refund.ID).To(Equal(whole.ID))
		Expect(cn.Refunds[0].AmountRefunded).To(Equal(int64(3000)))
		Expect(refunded()).To(Equal(int64(3000)), "no second refund")
		Expect(getInvoice(inv.ID).PostPaymentCreditNotesAmount).To(Equal(int64(3000)))

		// Part of a refund linked, the rest of the credit refunded now.
		part := refundOf(1000)
		cn, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(2500), RefundAmount: stripe.Int64(2500),
			Refunds: []*stripe.CreditNoteCreateRefundParams{{Refund: stripe.String(part.ID), AmountRefunded: stripe.Int64(600)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.Refunds).To(HaveLen(2))
		Expect(cn.Refunds[0].Refund.ID).To(Equal(part.ID))
		Expect(cn.Refunds[0].AmountRefunded).To(Equal(int64(600)))
		Expect(cn.Refunds[1].AmountRefunded).To(Equal(int64(1900)))
		Expect(refunded()).To(Equal(int64(3000 + 1000 + 1900)))

		By("refusing, with nothing kept, a refund used up, unknown, of another invoice, or more than the credit refunds")
		notes, refunds := emu.Count("", "credit_note"), emu.Count("", "refund")
		link := func(amount int64, r *stripe.CreditNoteCreateRefundParams) error {
			_, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(amount), RefundAmount: stripe.Int64(amount),
				Refunds: []*stripe.CreditNoteCreateRefundParams{r}})
			return err
		}
		ExpectStripeError(link(100, &stripe.CreditNoteCreateRefundParams{Refund: stripe.String(whole.ID)}), 400, "invalid_request_error", "", "refunds[0][amount_refunded]")
		ExpectStripeError(link(100, &stripe.CreditNoteCreateRefundParams{Refund: stripe.String("re_missing")}), 400, "invalid_request_error", "resource_missing", "refunds[0][refund]")
		ExpectStripeError(link(100, &stripe.CreditNoteCreateRefundParams{Refund: stripe.String(part.ID)}), 400, "invalid_request_error", "", "refunds")
		other := defaultIntent(sc, invoice(cus.ID, true))
		foreign, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(other.ID), Amount: stripe.Int64(100)})
		Expect(err).NotTo(HaveOccurred())
		refunds++
		ExpectStripeError(link(100, &stripe.CreditNoteCreateRefundParams{Refund: stripe.String(foreign.ID)}), 400, "invalid_request_error", "", "refunds[0][refund]")
		Expect(emu.Count("", "credit_note")).To(Equal(notes))
		Expect(emu.Count("", "refund")).To(Equal(refunds))
	})

	It("on a paid invoice refunds the payment, or records credit outside Stripe", func() {
		inv := invoice(cus.ID, true)
		pay := defaultIntent(sc, inv)
		Expect(pay.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{
			Invoice: stripe.String(inv.ID), Reason: stripe.String("product_unsatisfactory"), RefundAmount: stripe.Int64(4000),
			Lines: []*stripe.CreditNoteCreateLineParams{
				{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(lineOf(inv, "Consulting")), Amount: stripe.Int64(4000)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.Type).To(Equal(stripe.CreditNoteTypePostPayment))
		Expect([]int64{cn.Amount, cn.PrePaymentAmount, cn.PostPaymentAmount, cn.OutOfBandAmount}).To(Equal([]int64{4000, 0, 4000, 0}))
		Expect(cn.Refunds).To(HaveLen(1))
		Expect(cn.Refunds[0].AmountRefunded).To(Equal(int64(4000)))
		re, err := sc.V1Refunds.Retrieve(Ctx, cn.Refunds[0].Refund.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(re.Amount).To(Equal(int64(4000)))
		Expect(re.PaymentIntent.ID).To(Equal(pay.ID))
		expanded, err := sc.V1CreditNotes.Retrieve(Ctx, cn.ID, &stripe.CreditNoteRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("refunds.refund")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(expanded.Refunds[0].Refund.Amount).To(Equal(int64(4000)), "refunds.refund expands, as Stripe's spec says")
		ch, err := sc.V1Charges.Retrieve(Ctx, pay.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.AmountRefunded).To(Equal(int64(4000)))
		Expect(ch.Refunded).To(BeFalse())
		after := getInvoice(inv.ID)
		Expect(after.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(after.AmountPaid).To(Equal(int64(13000)))
		Expect(after.AmountRemaining).To(Equal(int64(0)))
		Expect(after.PostPaymentCreditNotesAmount).To(Equal(int64(4000)))
		Expect(after.PrePaymentCreditNotesAmount).To(Equal(int64(0)))
		Expect(emu.EventTypes("")).To(ContainElements("refund.created", "charge.refunded", "credit_note.created"))

		oob, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{
			Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1000), OutOfBandAmount: stripe.Int64(1000),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(oob.OutOfBandAmount).To(Equal(int64(1000)))
		Expect(oob.Refunds).To(BeEmpty())
		Expect(getInvoice(inv.ID).PostPaymentCreditNotesAmount).To(Equal(int64(5000)))
		ch, err = sc.V1Charges.Retrieve(Ctx, pay.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.AmountRefunded).To(Equal(int64(4000)), "out of band: no refund")

		split, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{
			Invoice: stripe.String(inv.ID), Amount: stripe.Int64(3000), RefundAmount: stripe.Int64(2000), OutOfBandAmount: stripe.Int64(1000),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(split.Refunds[0].AmountRefunded).To(Equal(int64(2000)))
		ch, err = sc.V1Charges.Retrieve(Ctx, pay.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.AmountRefunded).To(Equal(int64(6000)))

		// A post-payment note can't be voided: its invoice is not open.
		_, err = sc.V1CreditNotes.VoidCreditNote(Ctx, cn.ID, nil)
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
		got, err := sc.V1CreditNotes.Retrieve(Ctx, cn.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.CreditNoteStatusIssued))
	})

	It("credits the customer's balance with credit_amount, which the next invoice uses", func() {
		paid := invoice(cus.ID, true)
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{
			Invoice: stripe.String(paid.ID), Amount: stripe.Int64(5000), CreditAmount: stripe.Int64(3000), RefundAmount: stripe.Int64(2000),
			Expand: []*string{stripe.String("customer_balance_transaction")},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.Refunds[0].AmountRefunded).To(Equal(int64(2000)))
		txn := cn.CustomerBalanceTransaction
		Expect(txn).NotTo(BeNil())
		Expect(txn.Type).To(Equal(stripe.CustomerBalanceTransactionTypeCreditNote))
		Expect(txn.Amount).To(Equal(int64(-3000)))
		Expect(txn.EndingBalance).To(Equal(int64(-3000)))
		Expect(txn.CreditNote.ID).To(Equal(cn.ID))
		Expect(txn.Invoice.ID).To(Equal(paid.ID))
		c, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Balance).To(Equal(int64(-3000)))

		p := &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30)}
		next, err := sc.V1Invoices.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(next.ID), Amount: stripe.Int64(10000), Currency: stripe.String("usd"),
		})
		Expect(err).NotTo(HaveOccurred())
		next, err = sc.V1Invoices.FinalizeInvoice(Ctx, next.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(next.StartingBalance).To(Equal(int64(-3000)))
		Expect(next.AmountDue).To(Equal(int64(7000)))
	})

	// since returns the event types recorded after the first n.
	since := func(n int) []string {
		GinkgoHelper()
		return emu.EventTypes("")[n:]
	}

	It("sends invoice.updated before credit_note.created and credit_note.voided, as Stripe does", func() {
		open := invoice(cus.ID, false)
		n := len(emu.EventTypes(""))
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(open.ID), Amount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(since(n)).To(Equal([]string{"invoice.updated", "credit_note.created"}))
		n = len(emu.EventTypes(""))
		_, err = sc.V1CreditNotes.VoidCreditNote(Ctx, cn.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(since(n)).To(Equal([]string{"invoice.updated", "credit_note.voided"}))

		By("refunding and crediting the customer's balance before the note is created")
		paid := invoice(cus.ID, true)
		n = len(emu.EventTypes(""))
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{
			Invoice: stripe.String(paid.ID), Amount: stripe.Int64(3000), RefundAmount: stripe.Int64(1000), CreditAmount: stripe.Int64(2000),
		})
		Expect(err).NotTo(HaveOccurred())
		got := since(n)
		Expect(got[len(got)-3:]).To(Equal([]string{"invoice.updated", "customer.updated", "credit_note.created"}))
		Expect(got).To(ContainElements("refund.created", "charge.refunded"))
	})

	It("refuses to void a note on an invoice that is no longer open, in Stripe's words", func() {
		open := invoice(cus.ID, false)
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(open.ID), Amount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.Pay(Ctx, open.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CreditNotes.VoidCreditNote(Ctx, cn.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("You can only void a credit note if the associated invoice is open."))
	})

	It("on a paid invoice needs the whole amount refunded, credited or recorded out of band", func() {
		paid := invoice(cus.ID, true)
		events, refunds := len(emu.EventTypes("")), emu.Count("", "refund")
		_, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(paid.ID), Amount: stripe.Int64(1000)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("The sum of credit amount, refund amount and out of band amount ($0.00) must equal the credit note amount ($10.00)."))
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(paid.ID), Amount: stripe.Int64(1000),
			RefundAmount: stripe.Int64(100), CreditAmount: stripe.Int64(200)})
		Expect(StripeErr(err).Msg).To(Equal("The sum of credit amount, refund amount and out of band amount ($3.00) must equal the credit note amount ($10.00)."))
		_, err = sc.V1CreditNotes.Preview(Ctx, &stripe.CreditNotePreviewParams{Invoice: stripe.String(paid.ID), Amount: stripe.Int64(1000)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(emu.EventTypes("")).To(HaveLen(events))
		Expect(emu.Count("", "refund")).To(Equal(refunds), "nothing refunded")
		Expect(getInvoice(paid.ID).PostPaymentCreditNotesAmount).To(BeZero())
	})

	It("credits what the customer's balance paid back to the balance, past what is left to pay", func() {
		balance := func() int64 {
			GinkgoHelper()
			c, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			return c.Balance
		}
		fund := func(amount int64) {
			GinkgoHelper()
			_, err := sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{
				Customer: stripe.String(cus.ID), Amount: stripe.Int64(-amount), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
		}
		sent := func() *stripe.Invoice {
			GinkgoHelper()
			inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
				CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
				Amount: stripe.Int64(10000), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
			inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			return inv
		}

		By("an invoice the balance paid whole: nothing was charged, everything is creditable")
		fund(10000)
		paid := sent()
		Expect(paid.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(paid.AmountPaid).To(BeZero())
		Expect(balance()).To(BeZero())
		_, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(paid.ID), Amount: stripe.Int64(1000), RefundAmount: stripe.Int64(1000)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "refund_amount")
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(paid.ID), Amount: stripe.Int64(4000), CreditAmount: stripe.Int64(4000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.Type).To(Equal(stripe.CreditNoteTypePostPayment))
		Expect(balance()).To(Equal(int64(-4000)))
		Expect(getInvoice(paid.ID).PostPaymentCreditNotesAmount).To(Equal(int64(4000)))
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(paid.ID), Amount: stripe.Int64(6001), CreditAmount: stripe.Int64(6001)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "amount")

		By("an open invoice the balance paid part of: what is left to pay first, the rest after payment")
		open := sent()
		Expect(open.AmountRemaining).To(Equal(int64(6000)))
		Expect(balance()).To(BeZero())
		cn, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(open.ID), Amount: stripe.Int64(7000), CreditAmount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.Type).To(Equal(stripe.CreditNoteTypeMixed), "both before and after payment")
		Expect([]int64{cn.PrePaymentAmount, cn.PostPaymentAmount}).To(Equal([]int64{6000, 1000}))
		after := getInvoice(open.ID)
		Expect(after.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect([]int64{after.AmountRemaining, after.PrePaymentCreditNotesAmount, after.PostPaymentCreditNotesAmount}).To(Equal([]int64{0, 6000, 1000}))
		Expect(balance()).To(Equal(int64(-1000)))
	})

	It("refuses what Stripe refuses and changes nothing", func() {
		paid := invoice(cus.ID, true)
		open := invoice(cus.ID, false)
		pay := defaultIntent(sc, paid)
		events := len(emu.EventTypes(""))
		refuse := func(p *stripe.CreditNoteCreateParams, param string) {
			GinkgoHelper()
			_, err := sc.V1CreditNotes.Create(Ctx, p)
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(400))
			Expect(se.Type).To(Equal(stripe.ErrorTypeInvalidRequest))
			if param != "" {
				Expect(se.Param).To(Equal(param))
			}
		}
		refuse(&stripe.CreditNoteCreateParams{Invoice: stripe.String(open.ID), Amount: stripe.Int64(13001)}, "amount")
		refuse(&stripe.CreditNoteCreateParams{Invoice: stripe.String(paid.ID), Amount: stripe.Int64(13001)}, "amount")
		refuse(&stripe.CreditNoteCreateParams{Invoice: stripe.String(paid.ID), Amount: stripe.Int64(1000), RefundAmount: stripe.Int64(500)}, "")
		refuse(&stripe.CreditNoteCreateParams{Invoice: stripe.String(paid.ID), Amount: stripe.Int64(1000), CreditAmount: stripe.Int64(-1)}, "credit_amount")
		refuse(&stripe.CreditNoteCreateParams{Invoice: stripe.String(open.ID), Amount: stripe.Int64(1000), Reason: stripe.String("requested_by_customer")}, "reason")
		refuse(&stripe.CreditNoteCreateParams{Invoice: stripe.String(open.ID)}, "")
		refuse(&stripe.CreditNoteCreateParams{Invoice: stripe.String("in_missing"), Amount: stripe.Int64(100)}, "invoice")
		refuse(&stripe.CreditNoteCreateParams{Invoice: stripe.String(open.ID), Lines: []*stripe.CreditNoteCreateLineParams{
			{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(lineOf(open, "Widget")), Quantity: stripe.Int64(4)},
		}}, "lines[0][quantity]")
		refuse(&stripe.CreditNoteCreateParams{Invoice: stripe.String(open.ID), Amount: stripe.Int64(100),
			ShippingCost: &stripe.CreditNoteCreateShippingCostParams{ShippingRate: stripe.String("shr_x")}}, "shipping_cost")
		// Parameters of the other type of line are refused as Stripe's
		// reference says they are only valid for it, not as not emulated.
		for _, l := range []struct {
			line  *stripe.CreditNoteCreateLineParams
			param string
		}{
			{&stripe.CreditNoteCreateLineParams{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(lineOf(open, "Widget")),
				Quantity: stripe.Int64(1), Description: stripe.String("One widget")}, "lines[0][description]"},
			{&stripe.CreditNoteCreateLineParams{Type: stripe.String("custom_line_item"), UnitAmount: stripe.Int64(100),
				Description: stripe.String("Goodwill"), Amount: stripe.Int64(100)}, "lines[0][amount]"},
		} {
			_, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(open.ID), Lines: []*stripe.CreditNoteCreateLineParams{l.line}})
			ExpectStripeError(err, 400, "invalid_request_error", "", l.param)
			Expect(StripeErr(err).Msg).To(ContainSubstring("only valid when"))
		}
		Expect(emu.EventTypes("")).To(HaveLen(events), "refusals record no event")
		// A refund the payments can't cover is refused after everything
		// else was checked: no refund is kept either.
		_, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pay.ID), Amount: stripe.Int64(12000)})
		Expect(err).NotTo(HaveOccurred())
		draft, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		events = len(emu.EventTypes(""))
		refuse(&stripe.CreditNoteCreateParams{Invoice: stripe.String(paid.ID), Amount: stripe.Int64(2000), RefundAmount: stripe.Int64(2000)}, "refund_amount")
		refuse(&stripe.CreditNoteCreateParams{Invoice: stripe.String(draft.ID), Amount: stripe.Int64(100)}, "invoice")

		Expect(creditNotes(&stripe.CreditNoteListParams{})).To(BeEmpty())
		Expect(emu.EventTypes("")).To(HaveLen(events))
		for _, id := range []string{paid.ID, open.ID} {
			inv := getInvoice(id)
			Expect(inv.AmountDue).To(Equal(int64(13000)))
			Expect(inv.PrePaymentCreditNotesAmount + inv.PostPaymentCreditNotesAmount).To(Equal(int64(0)))
		}
		ch, err := sc.V1Charges.Retrieve(Ctx, pay.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.AmountRefunded).To(Equal(int64(12000)))

		_, err = sc.V1CreditNotes.Retrieve(Ctx, "cn_missing", nil)
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(404))
	})

	It("refuses an open invoice whose bank debit is processing", func() {
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("eur"),
			PaymentSettings: &stripe.InvoiceCreatePaymentSettingsParams{PaymentMethodTypes: []*string{stripe.String("sepa_debit")}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(5000), Currency: stripe.String("eur"),
		})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
			Type:           stripe.String("sepa_debit"),
			SEPADebit:      &stripe.PaymentMethodCreateSEPADebitParams{IBAN: stripe.String("DE89370400440532013000")},
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny"), Email: stripe.String("j@example.com")},
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentMethods.Attach(Ctx, pm.ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String(pm.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(defaultIntent(sc, inv).Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(5000)})
		Expect(StripeErr(err).Param).To(Equal("invoice"))
		Expect(getInvoice(inv.ID).AmountRemaining).To(Equal(int64(5000)))
	})

	It("refuses an open invoice with an attached payment", func() {
		inv := invoice(cus.ID, false)
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(3000), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.AttachPayment(Ctx, inv.ID, &stripe.InvoiceAttachPaymentParams{PaymentIntent: stripe.String(pi.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(13000)})
		Expect(StripeErr(err).Param).To(Equal("invoice"))
		Expect(getInvoice(inv.ID).AmountRemaining).To(Equal(int64(13000)))
	})

	It("lists newest first, by invoice and by customer, and updates memo and metadata", func() {
		other := customerWithCard(sc, "other@example.com", "pm_card_visa", "")
		a := invoice(cus.ID, false)
		b := invoice(other.ID, false)
		var ids []string
		for _, p := range []struct {
			inv    string
			amount int64
		}{{a.ID, 100}, {b.ID, 200}, {a.ID, 300}} {
			cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(p.inv), Amount: stripe.Int64(p.amount)})
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, cn.ID)
		}
		Expect(creditNotes(&stripe.CreditNoteListParams{})).To(Equal([]string{ids[2], ids[1], ids[0]}))
		Expect(creditNotes(&stripe.CreditNoteListParams{Invoice: stripe.String(a.ID)})).To(Equal([]string{ids[2], ids[0]}))
		Expect(creditNotes(&stripe.CreditNoteListParams{Customer: stripe.String(other.ID)})).To(Equal([]string{ids[1]}))
		Expect(creditNotes(&stripe.CreditNoteListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(1)}})).To(HaveLen(3), "pages through")

		up, err := sc.V1CreditNotes.Update(Ctx, ids[0], &stripe.CreditNoteUpdateParams{Memo: stripe.String("Thanks"), Metadata: map[string]string{"k": "v"}})
		Expect(err).NotTo(HaveOccurred())
		Expect(up.Memo).To(Equal("Thanks"))
		Expect(up.Metadata).To(Equal(map[string]string{"k": "v"}))
		ev := latestEvent(sc, "credit_note.updated")
		Expect(ev.Data.Object["id"]).To(Equal(ids[0]))
	})

	It("previews the credit note the same parameters would issue, changing nothing", func() {
		inv := invoice(cus.ID, true)
		widget := lineOf(inv, "Widget")
		eventsBefore := len(emu.EventTypes(""))
		lines := []*stripe.CreditNotePreviewLineParams{
			{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(widget), Quantity: stripe.Int64(2)},
			{Type: stripe.String("custom_line_item"), UnitAmount: stripe.Int64(500), Description: stripe.String("Goodwill")},
		}
		preview, err := sc.V1CreditNotes.Preview(Ctx, &stripe.CreditNotePreviewParams{
			Invoice: stripe.String(inv.ID), Lines: lines, Reason: stripe.String("product_unsatisfactory"),
			CreditAmount: stripe.Int64(500), RefundAmount: stripe.Int64(2000),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(preview.Object).To(Equal("credit_note"))
		Expect(preview.ID).To(HavePrefix("cn_"))
		Expect(preview.Number).To(Equal(inv.Number + "-CN-01"))
		Expect([]int64{preview.Total, preview.PostPaymentAmount, preview.PrePaymentAmount}).To(Equal([]int64{2500, 2500, 0}))
		Expect(preview.Type).To(Equal(stripe.CreditNoteTypePostPayment))
		Expect(preview.Lines.Data).To(HaveLen(2))
		Expect(preview.Lines.Data[0].Amount).To(Equal(int64(2000)))
		Expect(preview.Lines.Data[0].InvoiceLineItem).To(Equal(widget))
		Expect(preview.Lines.URL).To(Equal("/v1/credit_notes/preview/lines"))
		Expect(preview.CustomerBalanceTransaction).To(BeNil(), "nothing is credited by a preview")

		var described []string
		for line, err := range sc.V1CreditNotes.PreviewLines(Ctx, &stripe.CreditNotePreviewLinesParams{
			Invoice: stripe.String(inv.ID), Lines: []*stripe.CreditNotePreviewLinesLineParams{
				{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(widget), Quantity: stripe.Int64(2)},
				{Type: stripe.String("custom_line_item"), UnitAmount: stripe.Int64(500), Description: stripe.String("Goodwill")},
			}, RefundAmount: stripe.Int64(2500), ListParams: stripe.ListParams{Limit: stripe.Int64(1)},
		}) {
			Expect(err).NotTo(HaveOccurred())
			described = append(described, line.Description)
		}
		Expect(described).To(Equal([]string{"Widget", "Goodwill"}), "paged one line at a time")

		Expect(creditNotes(&stripe.CreditNoteListParams{Invoice: stripe.String(inv.ID)})).To(BeEmpty())
		Expect(emu.EventTypes("")).To(HaveLen(eventsBefore), "a preview sends no event")
		after := getInvoice(inv.ID)
		Expect(after.PostPaymentCreditNotesAmount).To(BeZero())
		for _, err := range sc.V1Refunds.List(Ctx, &stripe.RefundListParams{}) {
			Fail(fmt.Sprintf("nothing is refunded by a preview (%v)", err))
		}
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Balance).To(BeZero(), "nothing is credited by a preview")

		issued, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{
			Invoice: stripe.String(inv.ID), Lines: []*stripe.CreditNoteCreateLineParams{
				{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(widget), Quantity: stripe.Int64(2)},
				{Type: stripe.String("custom_line_item"), UnitAmount: stripe.Int64(500), Description: stripe.String("Goodwill")},
			}, Reason: stripe.String("product_unsatisfactory"), CreditAmount: stripe.Int64(500), RefundAmount: stripe.Int64(2000),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(issued.Total).To(Equal(preview.Total))
		Expect(issued.Number).To(Equal(preview.Number), "the preview showed the number it would take")
		Expect(issued.Refunds).To(HaveLen(1))

		_, err = sc.V1CreditNotes.Preview(Ctx, &stripe.CreditNotePreviewParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(999999)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "amount")
		_, err = sc.V1CreditNotes.Preview(Ctx, &stripe.CreditNotePreviewParams{Invoice: stripe.String("in_missing"), Amount: stripe.Int64(100)})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "invoice")
	})
})
