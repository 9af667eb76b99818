package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Stripe (basil, 2025-05-28 "partial payments"): a credit note first lowers
// the invoice's amount_remaining (and amount_due), not below zero — its
// pre_payment_amount; the rest is its post_payment_amount, which refunds,
// customer balance credit and credit outside Stripe must add up to. A note
// with both parts is of type mixed.
var _ = Describe("Credit notes on partly paid invoices", Label("billing", "credit-notes"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cus = customerWithCard(sc, "partial@example.com", "pm_card_visa", "")
	})

	// sent finalizes a 130.00 invoice sent for payment.
	sent := func() *stripe.Invoice {
		GinkgoHelper()
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
			CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			Amount: stripe.Int64(13000), Currency: stripe.String("usd"), Description: stripe.String("Consulting")})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}
	// pay attaches a payment of amount to inv and pays it by card.
	pay := func(inv *stripe.Invoice, amount int64) *stripe.PaymentIntent {
		GinkgoHelper()
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(amount), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.AttachPayment(Ctx, inv.ID, &stripe.InvoiceAttachPaymentParams{PaymentIntent: stripe.String(pi.ID)})
		Expect(err).NotTo(HaveOccurred())
		pi, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		return pi
	}
	getInvoice := func(id string) *stripe.Invoice {
		GinkgoHelper()
		inv, err := sc.V1Invoices.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}
	refunded := func(pi *stripe.PaymentIntent) int64 {
		GinkgoHelper()
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return ch.AmountRefunded
	}
	balance := func() int64 {
		GinkgoHelper()
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return got.Balance
	}

	It("takes what remains to pay first, then refunds and credits the rest: a mixed note that pays the invoice", func() {
		inv := sent()
		part := pay(inv, 5000)
		inv = getInvoice(inv.ID)
		Expect([]int64{inv.AmountDue, inv.AmountPaid, inv.AmountRemaining}).To(Equal([]int64{13000, 5000, 8000}))
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))

		By("refusing a post-payment part that is not said in full, with Stripe's words and nothing kept")
		notes, events := emu.Count("", "credit_note"), len(emu.EventTypes(""))
		_, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(10000)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("The sum of credit amount, refund amount and out of band amount ($0.00) must equal the credit note amount ($20.00)."))
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(10000), RefundAmount: stripe.Int64(2500)})
		Expect(StripeErr(err).Msg).To(Equal("The sum of credit amount, refund amount and out of band amount ($25.00) must equal the credit note amount ($20.00)."))
		Expect(emu.Count("", "credit_note")).To(Equal(notes))
		Expect(emu.EventTypes("")).To(HaveLen(events))

		By("previewing it: 80.00 before payment, 20.00 after, nothing changed")
		preview, err := sc.V1CreditNotes.Preview(Ctx, &stripe.CreditNotePreviewParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(10000),
			RefundAmount: stripe.Int64(1500), CreditAmount: stripe.Int64(500)})
		Expect(err).NotTo(HaveOccurred())
		Expect(preview.Type).To(Equal(stripe.CreditNoteTypeMixed))
		Expect([]int64{preview.Total, preview.PrePaymentAmount, preview.PostPaymentAmount}).To(Equal([]int64{10000, 8000, 2000}))
		Expect(getInvoice(inv.ID).AmountRemaining).To(Equal(int64(8000)))
		Expect(refunded(part)).To(BeZero())
		Expect(emu.EventTypes("")).To(HaveLen(events))

		By("issuing it: the refund comes from the payment made, the credit goes to the balance")
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(10000),
			RefundAmount: stripe.Int64(1500), CreditAmount: stripe.Int64(500)})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.Type).To(Equal(stripe.CreditNoteTypeMixed))
		Expect([]int64{cn.Amount, cn.PrePaymentAmount, cn.PostPaymentAmount}).To(Equal([]int64{10000, 8000, 2000}))
		Expect(cn.Refunds).To(HaveLen(1))
		Expect(cn.Refunds[0].AmountRefunded).To(Equal(int64(1500)))
		re, err := sc.V1Refunds.Retrieve(Ctx, cn.Refunds[0].Refund.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(re.PaymentIntent.ID).To(Equal(part.ID))
		Expect(refunded(part)).To(Equal(int64(1500)))
		Expect(cn.CustomerBalanceTransaction).NotTo(BeNil())
		Expect(balance()).To(Equal(int64(-500)))
		got := emu.EventTypes("")[events:]
		Expect(got).To(ContainElements("refund.created", "charge.refunded", "invoice.paid"))
		Expect(got[len(got)-2:]).To(Equal([]string{"customer.updated", "credit_note.created"}))
		Expect(got).To(ContainElement("invoice.updated"))

		after := getInvoice(inv.ID)
		Expect(after.Status).To(Equal(stripe.InvoiceStatusPaid), "nothing remains to pay")
		Expect([]int64{after.AmountDue, after.AmountPaid, after.AmountRemaining, after.PrePaymentCreditNotesAmount, after.PostPaymentCreditNotesAmount}).
			To(Equal([]int64{5000, 5000, 0, 8000, 2000}))
		Expect(defaultIntent(sc, inv).Status).To(Equal(stripe.PaymentIntentStatusCanceled), "the invoice's own intent asks for nothing")

		By("crediting at most what is left of the invoice: 30.00, all of it after payment")
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(3001), OutOfBandAmount: stripe.Int64(3001)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "amount")
		rest, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(3000), RefundAmount: stripe.Int64(3000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(rest.Type).To(Equal(stripe.CreditNoteTypePostPayment))
		Expect(refunded(part)).To(Equal(int64(4500)))
		Expect(getInvoice(inv.ID).PostPaymentCreditNotesAmount).To(Equal(int64(5000)))
	})

	It("only lowers what remains while the note is no more than that, changing the intent's amount", func() {
		inv := sent()
		part := pay(inv, 5000)
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(3000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.Type).To(Equal(stripe.CreditNoteTypePrePayment))
		Expect([]int64{cn.PrePaymentAmount, cn.PostPaymentAmount}).To(Equal([]int64{3000, 0}))
		after := getInvoice(inv.ID)
		Expect(after.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect([]int64{after.AmountDue, after.AmountPaid, after.AmountRemaining, after.PrePaymentCreditNotesAmount}).To(Equal([]int64{10000, 5000, 5000, 3000}))
		Expect(defaultIntent(sc, inv).Amount).To(Equal(int64(5000)), "the invoice's intent asks for what remains")

		By("refusing a refund, or a linked one, where nothing is credited after payment")
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1000), RefundAmount: stripe.Int64(1000)})
		Expect(StripeErr(err).Msg).To(Equal("The sum of credit amount, refund amount and out of band amount ($10.00) must equal the credit note amount ($0.00)."))
		direct, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(part.ID), Amount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1000),
			Refunds: []*stripe.CreditNoteCreateRefundParams{{Refund: stripe.String(direct.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "refunds")

		By("linking it once the note reaches past what remains")
		cn, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(getInvoice(inv.ID).ID), Amount: stripe.Int64(6000),
			Refunds: []*stripe.CreditNoteCreateRefundParams{{Refund: stripe.String(direct.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.Type).To(Equal(stripe.CreditNoteTypeMixed))
		Expect([]int64{cn.PrePaymentAmount, cn.PostPaymentAmount}).To(Equal([]int64{5000, 1000}))
		Expect(cn.Refunds).To(HaveLen(1))
		Expect(cn.Refunds[0].Refund.ID).To(Equal(direct.ID))
		Expect(refunded(part)).To(Equal(int64(1000)), "no second refund")
	})

	It("refunds an invoice paid by two payments from the oldest first, never more than they have left", func() {
		inv := sent()
		first, second := pay(inv, 4000), pay(inv, 9000)
		inv = getInvoice(inv.ID)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.AmountPaid).To(Equal(int64(13000)))

		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(6000), RefundAmount: stripe.Int64(6000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.Type).To(Equal(stripe.CreditNoteTypePostPayment))
		Expect(cn.Refunds).To(HaveLen(2))
		Expect([]int64{cn.Refunds[0].AmountRefunded, cn.Refunds[1].AmountRefunded}).To(Equal([]int64{4000, 2000}))
		Expect([]int64{refunded(first), refunded(second)}).To(Equal([]int64{4000, 2000}))

		By("refusing a refund past what the payments have left, changing nothing")
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(second.ID), Amount: stripe.Int64(5000)})
		Expect(err).NotTo(HaveOccurred())
		refunds := emu.Count("", "refund")
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(3000), RefundAmount: stripe.Int64(3000)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "refund_amount")
		Expect(emu.Count("", "refund")).To(Equal(refunds))
		Expect(getInvoice(inv.ID).PostPaymentCreditNotesAmount).To(Equal(int64(6000)))
	})
})
