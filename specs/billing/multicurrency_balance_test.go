package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Stripe keeps a customer's credit balance per currency: `balance` is the
// one in the customer's currency, invoice_credit_balance shows them all,
// and "A CAD invoice doesn't apply a customer credit balance denominated
// in USD".
var _ = Describe("A customer's balance in several currencies", Label("billing", "customer-balance", "currencies"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cus = customerWithCard(sc, "multi@example.com", "pm_card_visa", "")
	})

	adjust := func(amount int64, cur string) *stripe.CustomerBalanceTransaction {
		GinkgoHelper()
		txn, err := sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{
			Customer: stripe.String(cus.ID), Amount: stripe.Int64(amount), Currency: stripe.String(cur)})
		Expect(err).NotTo(HaveOccurred())
		return txn
	}
	// invoice is a one-item invoice of amount in cur, finalized.
	invoice := func(amount int64, cur string) *stripe.Invoice {
		GinkgoHelper()
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
			Currency: stripe.String(cur), AutoAdvance: stripe.Bool(false), CollectionMethod: stripe.String("send_invoice"),
			DaysUntilDue: stripe.Int64(30)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID),
			Invoice: stripe.String(inv.ID), Amount: stripe.Int64(amount), Currency: stripe.String(cur)})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}
	balances := func() (int64, map[string]int64) {
		GinkgoHelper()
		p := &stripe.CustomerRetrieveParams{}
		p.AddExpand("invoice_credit_balance")
		c, err := sc.V1Customers.Retrieve(Ctx, cus.ID, p)
		Expect(err).NotTo(HaveOccurred())
		return c.Balance, c.InvoiceCreditBalance
	}

	It("keeps credit in another currency apart, for invoices in that currency only", func() {
		adjust(-200, "usd")
		txn := adjust(-300, "eur")
		Expect(txn.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(txn.EndingBalance).To(Equal(int64(-300)), "the balance in euros")
		own, all := balances()
		Expect(own).To(Equal(int64(-200)), "balance is the one in the customer's currency")
		Expect(all).To(Equal(map[string]int64{"usd": -200, "eur": -300}))

		usd := invoice(1000, "usd")
		Expect(usd.StartingBalance).To(Equal(int64(-200)))
		Expect(usd.AmountDue).To(Equal(int64(800)), "the euros are not used on a dollar invoice")

		eur := invoice(1000, "eur")
		Expect(eur.StartingBalance).To(Equal(int64(-300)))
		Expect(eur.EndingBalance).To(Equal(int64(0)))
		Expect(eur.AmountDue).To(Equal(int64(700)))
		own, all = balances()
		Expect(own).To(Equal(int64(0)))
		Expect(all).To(Equal(map[string]int64{"usd": 0, "eur": 0}))

		var applied *stripe.CustomerBalanceTransaction
		for t, err := range sc.V1CustomerBalanceTransactions.List(Ctx, &stripe.CustomerBalanceTransactionListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			if t.Invoice != nil && t.Invoice.ID == eur.ID {
				applied = t
			}
		}
		Expect(applied).NotTo(BeNil())
		Expect(applied.Type).To(Equal(stripe.CustomerBalanceTransactionTypeAppliedToInvoice))
		Expect(applied.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(applied.Amount).To(Equal(int64(300)))

		// Voiding it gives the euros back.
		_, err := sc.V1Invoices.VoidInvoice(Ctx, eur.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, all = balances()
		Expect(all["eur"]).To(Equal(int64(-300)))
	})

	It("credits a credit note's credit_amount to the balance in its invoice's currency", func() {
		adjust(-100, "usd")
		eur := invoice(1000, "eur")
		_, err := sc.V1Invoices.Pay(Ctx, eur.ID, &stripe.InvoicePayParams{PaidOutOfBand: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(eur.ID),
			Amount: stripe.Int64(400), CreditAmount: stripe.Int64(400)})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.CustomerBalanceTransaction).NotTo(BeNil())
		own, all := balances()
		Expect(own).To(Equal(int64(-100)), "the customer's dollars are untouched")
		Expect(all).To(HaveKeyWithValue("eur", int64(-400)))

		next := invoice(1000, "eur")
		Expect(next.AmountDue).To(Equal(int64(600)), "the next euro invoice uses the credit")
	})

	It("keeps the balance of the customer's old currency when it takes a new one", func() {
		adjust(-500, "usd")
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(2000),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}, ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Plan")}})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		first, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(first.AmountPaid).To(Equal(int64(2000)), "the dollar credit does not pay a euro invoice")

		c, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Currency).To(Equal(stripe.CurrencyEUR))
		own, all := balances()
		Expect(own).To(Equal(int64(0)), "balance is now the one in euros")
		Expect(all).To(Equal(map[string]int64{"usd": -500}))

		usd := invoice(1000, "usd")
		Expect(usd.AmountDue).To(Equal(int64(500)), "the dollar credit is still there for dollar invoices")
	})
})
