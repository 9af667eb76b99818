package billing_test

import (
	"encoding/json"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

func count(types []string, t string) int {
	n := 0
	for _, x := range types {
		if x == t {
			n++
		}
	}
	return n
}

// latestEvent is the newest event of a type, as the API lists it.
func latestEvent(sc *stripe.Client, eventType string) *stripe.Event {
	for ev, err := range sc.V1Events.List(Ctx, &stripe.EventListParams{Type: stripe.String(eventType)}) {
		Expect(err).NotTo(HaveOccurred())
		return ev
	}
	Fail("no " + eventType + " event")
	return nil
}

var _ = Describe("Invoices paid by several payments", Label("billing", "story-1"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("buyer@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})

	openInvoice := func(amount int64) *stripe.Invoice {
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{
			Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30),
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(amount),
			Currency: stripe.String("usd"), Description: stripe.String("Consulting"),
		})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}
	payment := func(amount int64) *stripe.PaymentIntent {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(amount), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
		})
		Expect(err).NotTo(HaveOccurred())
		return pi
	}
	confirm := func(pi *stripe.PaymentIntent) {
		_, err := sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
	}

	// attempt_count's reference: "Any payment attempt counts as the first
	// attempt"; attempted: "Whether an attempt has been made to pay the
	// invoice."
	It("counts paying a sent invoice by /pay as its first attempt", func() {
		inv := openInvoice(10000)
		Expect(inv.Attempted).To(BeFalse())
		inv, err := sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.Attempted).To(BeTrue())
		Expect(inv.AttemptCount).To(Equal(int64(1)))
		ev := latestEvent(sc, "invoice.paid")
		Expect(ev.Data.Object["attempt_count"]).To(BeEquivalentTo(1))
	})

	// auto_advance: "Controls whether Stripe performs automatic collection
	// of the invoice. If false, the invoice's state doesn't automatically
	// advance without an explicit action."
	It("plans no retry after a declined /pay on an invoice without automatic collection", func() {
		failOnce := func(autoAdvance bool) *stripe.Invoice {
			inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AutoAdvance: stripe.Bool(autoAdvance)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
				Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_chargeDeclined")})
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(402))
			inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
			Expect(inv.AttemptCount).To(Equal(int64(1)))
			return inv
		}
		manual := failOnce(false)
		Expect(manual.NextPaymentAttempt).To(BeZero())
		collected := failOnce(true)
		Expect(collected.NextPaymentAttempt).NotTo(BeZero(), "automatic collection retries it")
		emu.Clock().Advance(4 * 24 * time.Hour)
		manual, err := sc.V1Invoices.Retrieve(Ctx, manual.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(manual.AttemptCount).To(Equal(int64(1)), "not retried")
		Expect(manual.NextPaymentAttempt).To(BeZero())
	})

	// The reference's example of a finalized invoice with nothing due:
	// "attempt_count": 0, "attempted": true.
	It("marks an invoice paid at finalization, nothing being due, attempted with no attempt counted", func() {
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{
			Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(7),
		})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.Attempted).To(BeTrue())
		Expect(inv.AttemptCount).To(BeZero())
	})

	// amount_overpaid's reference: "The amount overpaid is credited to
	// the customer's credit balance" (an invoice_overpaid transaction).
	It("credits what two payments pay over the total to the customer's balance, once", func() {
		inv := openInvoice(10000)
		first, second := payment(6000), payment(6000)
		for _, pi := range []*stripe.PaymentIntent{first, second} {
			_, err := sc.V1Invoices.AttachPayment(Ctx, inv.ID, &stripe.InvoiceAttachPaymentParams{PaymentIntent: stripe.String(pi.ID)})
			Expect(err).NotTo(HaveOccurred())
		}
		confirm(first)
		confirm(second)
		inv, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.AmountPaid).To(Equal(int64(12000)))
		Expect(inv.AmountOverpaid).To(Equal(int64(2000)))
		c, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Balance).To(Equal(int64(-2000)))
		var txns []*stripe.CustomerBalanceTransaction
		for t, err := range sc.V1CustomerBalanceTransactions.List(Ctx, &stripe.CustomerBalanceTransactionListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			txns = append(txns, t)
		}
		Expect(txns).To(HaveLen(1))
		Expect(txns[0].Type).To(Equal(stripe.CustomerBalanceTransactionTypeInvoiceOverpaid))
		Expect(txns[0].Amount).To(Equal(int64(-2000)))
		Expect(txns[0].Invoice.ID).To(Equal(inv.ID))
		evs := emu.Events("")
		var types []string
		for _, e := range evs {
			types = append(types, e["type"].(string))
		}
		Expect(count(types, "invoice.paid")).To(Equal(1))
		Expect(count(types, "invoice.overpaid")).To(Equal(1))
	})

	It("takes 40.00 and 60.00 on a 100.00 invoice and links both ways", func() {
		inv := openInvoice(10000)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(inv.AmountDue).To(Equal(int64(10000)))
		Expect(inv.ConfirmationSecret).To(BeNil(), "includable: only sent when expanded")
		expanded, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, &stripe.InvoiceRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("confirmation_secret")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(expanded.ConfirmationSecret).NotTo(BeNil())
		Expect(expanded.ConfirmationSecret.Type).To(Equal("payment_intent"))
		defaultPI := expanded.ConfirmationSecret.ClientSecret[:strings.Index(expanded.ConfirmationSecret.ClientSecret, "_secret_")]
		for ip, err := range sc.V1InvoicePayments.List(Ctx, &stripe.InvoicePaymentListParams{Invoice: stripe.String(inv.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(ip.IsDefault).To(BeTrue())
			Expect(ip.Payment.PaymentIntent.ID).To(Equal(defaultPI), "the secret is the default payment's intent's")
		}
		Expect(inv.Number).NotTo(BeEmpty())

		first, second := payment(4000), payment(6000)
		inv, err = sc.V1Invoices.AttachPayment(Ctx, inv.ID, &stripe.InvoiceAttachPaymentParams{PaymentIntent: stripe.String(first.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AmountPaid).To(BeZero(), "attached but not yet paid")
		confirm(first)

		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(inv.AmountPaid).To(Equal(int64(4000)))
		Expect(inv.AmountRemaining).To(Equal(int64(6000)))

		_, err = sc.V1Invoices.AttachPayment(Ctx, inv.ID, &stripe.InvoiceAttachPaymentParams{PaymentIntent: stripe.String(second.ID)})
		Expect(err).NotTo(HaveOccurred())
		confirm(second)

		p := &stripe.InvoiceRetrieveParams{}
		p.AddExpand("payments")
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.AmountPaid).To(Equal(int64(10000)))
		Expect(inv.AmountRemaining).To(BeZero())
		var paidBy []string
		statuses := map[string]int{}
		for _, pay := range inv.Payments.Data {
			statuses[pay.Status]++
			if pay.Status == "paid" {
				paidBy = append(paidBy, pay.Payment.PaymentIntent.ID)
			}
		}
		Expect(paidBy).To(ConsistOf(first.ID, second.ID))
		Expect(statuses).To(Equal(map[string]int{"paid": 2, "canceled": 1}), "the default payment is canceled once nothing remains")

		for _, pi := range []*stripe.PaymentIntent{first, second} {
			var found []string
			for ip, err := range sc.V1InvoicePayments.List(Ctx, &stripe.InvoicePaymentListParams{
				Payment: &stripe.InvoicePaymentListPaymentParams{Type: stripe.String("payment_intent"), PaymentIntent: stripe.String(pi.ID)},
			}) {
				Expect(err).NotTo(HaveOccurred())
				found = append(found, ip.Invoice.ID)
			}
			Expect(found).To(Equal([]string{inv.ID}))
		}

		types := emu.EventTypes("")
		Expect(count(types, "invoice_payment.paid")).To(Equal(2))
		Expect(count(types, "invoice.paid")).To(Equal(1))
		Expect(count(types, "invoice.payment_succeeded")).To(Equal(1))
	})

	It("keeps a merchant's own number and payment method types through finalization", func() {
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{
			Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30),
			Number:          stripe.String("ACME-2026-0042"),
			PaymentSettings: &stripe.InvoiceCreatePaymentSettingsParams{PaymentMethodTypes: []*string{stripe.String("card"), stripe.String("us_bank_account")}},
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(5000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.InvoiceFinalizeInvoiceParams{}
		p.AddExpand("confirmation_secret")
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Number).To(Equal("ACME-2026-0042"))
		Expect(inv.PaymentSettings.PaymentMethodTypes).To(ConsistOf(stripe.InvoicePaymentSettingsPaymentMethodType("card"), stripe.InvoicePaymentSettingsPaymentMethodType("us_bank_account")))
		piID := strings.Split(inv.ConfirmationSecret.ClientSecret, "_secret_")[0]
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, piID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.PaymentMethodTypes).To(Equal([]string{"card", "us_bank_account"}))
	})

	It("renders basil shapes: no invoice on charges and intents, no charge or payment_intent on invoices", func() {
		inv := openInvoice(5000)
		pi := payment(5000)
		_, err := sc.V1Invoices.AttachPayment(Ctx, inv.ID, &stripe.InvoiceAttachPaymentParams{PaymentIntent: stripe.String(pi.ID)})
		Expect(err).NotTo(HaveOccurred())
		confirm(pi)
		for _, path := range []string{"/v1/invoices/" + inv.ID, "/v1/payment_intents/" + pi.ID} {
			r := Do(emu.URL(), "GET", path, "")
			Expect(r.Status).To(Equal(200))
			for _, gone := range []string{"invoice", "charge", "payment_intent", "paid", "paid_out_of_band", "subscription"} {
				Expect(r.Body).NotTo(HaveKey(gone), path)
			}
		}
		got, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		r := Do(emu.URL(), "GET", "/v1/charges/"+got.LatestCharge.ID, "")
		Expect(r.Body).NotTo(HaveKey("invoice"))
		Expect(Do(emu.URL(), "GET", "/v1/invoices/"+inv.ID, "").Body).NotTo(HaveKey("payments"), "payments is includable only")
	})

	It("moves the default payment with what remains, and pays it with the confirmation secret's intent", func() {
		inv := openInvoice(10000)
		part := payment(2500)
		_, err := sc.V1Invoices.AttachPayment(Ctx, inv.ID, &stripe.InvoiceAttachPaymentParams{PaymentIntent: stripe.String(part.ID)})
		Expect(err).NotTo(HaveOccurred())
		confirm(part)

		var def *stripe.InvoicePayment
		for ip, err := range sc.V1InvoicePayments.List(Ctx, &stripe.InvoicePaymentListParams{Invoice: stripe.String(inv.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			if ip.IsDefault {
				def = ip
			}
		}
		Expect(def).NotTo(BeNil())
		Expect(def.AmountRequested).To(Equal(int64(7500)))
		defPI, err := sc.V1PaymentIntents.Retrieve(Ctx, def.Payment.PaymentIntent.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(defPI.Amount).To(Equal(int64(7500)))

		_, err = sc.V1PaymentIntents.Cancel(Ctx, defPI.ID, nil)
		Expect(StripeErr(err).Msg).To(ContainSubstring("managed by it"), "the invoice owns its default PaymentIntent")

		confirm(defPI)
		inv, _ = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
	})

	Describe("refusals, each changing nothing", func() {
		It("refuses an attachment larger than what remains, of another customer or currency", func() {
			inv := openInvoice(3000)
			_, err := sc.V1Invoices.AttachPayment(Ctx, inv.ID, &stripe.InvoiceAttachPaymentParams{PaymentIntent: stripe.String(payment(3100).ID)})
			Expect(StripeErr(err).Param).To(Equal("payment_intent"))

			other, _ := sc.V1Customers.Create(Ctx, nil)
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Customer: stripe.String(other.ID)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Invoices.AttachPayment(Ctx, inv.ID, &stripe.InvoiceAttachPaymentParams{PaymentIntent: stripe.String(pi.ID)})
			Expect(StripeErr(err).Msg).To(ContainSubstring("customer"))

			eur, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Invoices.AttachPayment(Ctx, inv.ID, &stripe.InvoiceAttachPaymentParams{PaymentIntent: stripe.String(eur.ID)})
			Expect(StripeErr(err).Msg).To(ContainSubstring("currency"))

			n := 0
			for _, err := range sc.V1InvoicePayments.List(Ctx, &stripe.InvoicePaymentListParams{Invoice: stripe.String(inv.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				n++
			}
			Expect(n).To(Equal(1), "only the default payment")
		})

		It("refuses to edit a finalized invoice with invoice_not_editable", func() {
			inv := openInvoice(3000)
			_, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1), Currency: stripe.String("usd")})
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeInvoiceNotEditable))
			_, err = sc.V1Invoices.Delete(Ctx, inv.ID, nil)
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeInvoiceNotEditable))
			got, _ := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
			Expect(got.AmountDue).To(Equal(int64(3000)))
		})

		It("won't void an invoice with paid payments, and voids one without", func() {
			inv := openInvoice(3000)
			pi := payment(1000)
			_, err := sc.V1Invoices.AttachPayment(Ctx, inv.ID, &stripe.InvoiceAttachPaymentParams{PaymentIntent: stripe.String(pi.ID)})
			Expect(err).NotTo(HaveOccurred())
			confirm(pi)
			_, err = sc.V1Invoices.VoidInvoice(Ctx, inv.ID, nil)
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
			got, _ := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
			Expect(got.Status).To(Equal(stripe.InvoiceStatusOpen))

			clean := openInvoice(2000)
			voided, err := sc.V1Invoices.VoidInvoice(Ctx, clean.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(voided.Status).To(Equal(stripe.InvoiceStatusVoid))
			Expect(emu.EventTypes("")).To(ContainElement("invoice.voided"))
		})

		It("marks a canceled attached PaymentIntent's payment canceled", func() {
			inv := openInvoice(3000)
			pi := payment(1000)
			_, err := sc.V1Invoices.AttachPayment(Ctx, inv.ID, &stripe.InvoiceAttachPaymentParams{PaymentIntent: stripe.String(pi.ID)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1PaymentIntents.Cancel(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			for ip, err := range sc.V1InvoicePayments.List(Ctx, &stripe.InvoicePaymentListParams{Payment: &stripe.InvoicePaymentListPaymentParams{Type: stripe.String("payment_intent"), PaymentIntent: stripe.String(pi.ID)}}) {
				Expect(err).NotTo(HaveOccurred())
				Expect(ip.Status).To(BeEquivalentTo("canceled"))
				Expect(ip.StatusTransitions.CanceledAt).NotTo(BeZero())
			}
		})
	})

	It("pays out of band: invoice.paid without invoice.payment_succeeded", func() {
		inv := openInvoice(4200)
		paid, err := sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaidOutOfBand: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(paid.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(paid.AmountPaid).To(Equal(int64(4200)), "basil counts out-of-band payments in amount_paid")
		types := emu.EventTypes("")
		Expect(types).To(ContainElement("invoice.paid"))
		Expect(types).NotTo(ContainElement("invoice.payment_succeeded"))
	})

	It("pays with a declining card: 402, still open, attempt counted", func() {
		inv := openInvoice(1500)
		_, err := sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_chargeDeclined")})
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(402))
		got, _ := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(got.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(got.AttemptCount).To(Equal(int64(1)))
		Expect(emu.EventTypes("")).To(ContainElement("invoice.payment_failed"))

		ok, err := sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		Expect(ok.Status).To(Equal(stripe.InvoiceStatusPaid))
	})

	It("adds and removes lines on drafts, keeping totals right", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Seat"), DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(700)}})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{
			{Pricing: &stripe.InvoiceAddLinesLinePricingParams{Price: stripe.String(prod.DefaultPrice.ID)}, Quantity: stripe.Int64(3)},
			{Amount: stripe.Int64(50), Description: stripe.String("Setup")},
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(2150)))
		Expect(inv.Lines.Data).To(HaveLen(2))
		Expect(inv.Lines.Data[0].Pricing.PriceDetails.Price).To(Equal(prod.DefaultPrice.ID))
		raw, _ := json.Marshal(inv.Lines.Data[0].Parent)
		Expect(string(raw)).To(ContainSubstring("invoice_item_details"))

		By("refusing a line named twice, gone from the invoice by its second mention, and changing nothing")
		_, err = sc.V1Invoices.RemoveLines(Ctx, inv.ID, &stripe.InvoiceRemoveLinesParams{Lines: []*stripe.InvoiceRemoveLinesLineParams{
			{ID: stripe.String(inv.Lines.Data[1].ID), Behavior: stripe.String("unassign")}, {ID: stripe.String(inv.Lines.Data[1].ID), Behavior: stripe.String("delete")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "lines[1][id]")
		setup, err := sc.V1InvoiceItems.Retrieve(Ctx, inv.Lines.Data[1].Parent.InvoiceItemDetails.InvoiceItem, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(setup.Invoice.ID).To(Equal(inv.ID), "still on the invoice")

		inv, err = sc.V1Invoices.RemoveLines(Ctx, inv.ID, &stripe.InvoiceRemoveLinesParams{Lines: []*stripe.InvoiceRemoveLinesLineParams{{ID: stripe.String(inv.Lines.Data[1].ID), Behavior: stripe.String("delete")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(2100)))

		By("keeping a line's period and discountable, which a discount then skips")
		start, end := Epoch.AddDate(0, -1, 0).Unix(), Epoch.Unix()
		inv, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{
			{Amount: stripe.Int64(900), Description: stripe.String("Last month's overage"), Discountable: stripe.Bool(false),
				Period: &stripe.InvoiceAddLinesLinePeriodParams{Start: stripe.Int64(start), End: stripe.Int64(end)}},
		}})
		Expect(err).NotTo(HaveOccurred())
		overage := inv.Lines.Data[len(inv.Lines.Data)-1]
		Expect(overage.Period.Start).To(Equal(start))
		Expect(overage.Period.End).To(Equal(end))
		Expect(overage.Discountable).To(BeFalse())
		coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("once")})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{Discounts: []*stripe.InvoiceUpdateDiscountParams{{Coupon: stripe.String(coupon.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(2100/2+900)), "half off the seats, not the overage")

		By("taking a line's own discounts off it before the invoice's")
		again, err := sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{
			{Amount: stripe.Int64(100), Discounts: []*stripe.InvoiceAddLinesLineDiscountParams{{Coupon: stripe.String(coupon.ID)}}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Lines.Data).To(HaveLen(len(inv.Lines.Data) + 1))
		Expect(again.Total).To(Equal(int64(2100/2+900+25)), "100 less its own half, less the invoice's half of what is left")
	})

	It("adds a line priced by price_data, as add_lines documents, holding it to the invoice's currency", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Consulting")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{{
			PriceData: &stripe.InvoiceAddLinesLinePriceDataParams{Currency: stripe.String("usd"), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(300)},
			Quantity:  stripe.Int64(2)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(600)))
		Expect(inv.Lines.Data).To(HaveLen(1))
		Expect(inv.Lines.Data[0].Quantity).To(Equal(int64(2)))
		Expect(inv.Lines.Data[0].Pricing.PriceDetails.Product).To(Equal(prod.ID))

		_, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{{
			PriceData: &stripe.InvoiceAddLinesLinePriceDataParams{Currency: stripe.String("eur"), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(300)}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "lines[0][pricing][price]")
		_, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{{Amount: stripe.Int64(5),
			PriceData: &stripe.InvoiceAddLinesLinePriceDataParams{Currency: stripe.String("usd"), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(300)}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "lines[0][amount]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("lines[0][price_data]"))
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Lines.Data).To(HaveLen(1), "a refused line adds nothing")
	})

	It("sets the invoice's metadata from invoice_metadata on add_lines, update_lines and remove_lines, merged as metadata is", func() {
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Metadata: map[string]string{"kept": "1", "dropped": "1"}})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{InvoiceMetadata: map[string]string{"added": "yes", "dropped": ""},
			Lines: []*stripe.InvoiceAddLinesLineParams{{Amount: stripe.Int64(100)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Metadata).To(Equal(map[string]string{"kept": "1", "added": "yes"}))
		Expect(inv.Lines.Data[0].Metadata).To(BeEmpty(), "the line's own metadata is lines[][metadata]")
		inv, err = sc.V1Invoices.UpdateLines(Ctx, inv.ID, &stripe.InvoiceUpdateLinesParams{InvoiceMetadata: map[string]string{"updated": "yes"},
			Lines: []*stripe.InvoiceUpdateLinesLineParams{{ID: stripe.String(inv.Lines.Data[0].ID), Description: stripe.String("Setup")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Metadata).To(HaveKeyWithValue("updated", "yes"))
		Expect(inv.Lines.Data[0].Description).To(Equal("Setup"))
		inv, err = sc.V1Invoices.RemoveLines(Ctx, inv.ID, &stripe.InvoiceRemoveLinesParams{InvoiceMetadata: map[string]string{"removed": "yes"},
			Lines: []*stripe.InvoiceRemoveLinesLineParams{{ID: stripe.String(inv.Lines.Data[0].ID), Behavior: stripe.String("delete")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Metadata).To(Equal(map[string]string{"kept": "1", "added": "yes", "updated": "yes", "removed": "yes"}))
		Expect(inv.Lines.Data).To(BeEmpty())
		cleared := &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{{Amount: stripe.Int64(100)}}}
		cleared.AddExtra("invoice_metadata", "")
		inv, err = sc.V1Invoices.AddLines(Ctx, inv.ID, cleared)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Metadata).To(BeEmpty(), "invoice_metadata= clears it all")

		By("changing nothing when the lines are refused")
		_, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{InvoiceMetadata: map[string]string{"refused": "yes"},
			Lines: []*stripe.InvoiceAddLinesLineParams{{InvoiceItem: stripe.String("ii_missing")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "lines[0][invoice_item]")
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Metadata).NotTo(HaveKey("refused"))
	})

	It("changes an invoice item's amount and period, refusing the whole update when any of it is refused", func() {
		ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(700), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		start, end := Epoch.AddDate(0, 0, -7).Unix(), Epoch.Unix()
		ii, err = sc.V1InvoiceItems.Update(Ctx, ii.ID, &stripe.InvoiceItemUpdateParams{Amount: stripe.Int64(800), TaxBehavior: stripe.String("exclusive"),
			Period: &stripe.InvoiceItemUpdatePeriodParams{Start: stripe.Int64(start), End: stripe.Int64(end)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Amount).To(Equal(int64(800)))
		Expect(ii.Period.Start).To(Equal(start))
		Expect(ii.Period.End).To(Equal(end))

		_, err = sc.V1InvoiceItems.Update(Ctx, ii.ID, &stripe.InvoiceItemUpdateParams{Amount: stripe.Int64(900),
			Discounts: []*stripe.InvoiceItemUpdateDiscountParams{{Coupon: stripe.String("SAVE")}}})
		Expect(StripeErr(err).Param).To(Equal("discounts[0][coupon]"), "changing the amount does not make the rest go unchecked")
		ii, err = sc.V1InvoiceItems.Retrieve(Ctx, ii.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Amount).To(Equal(int64(800)))
	})
})
