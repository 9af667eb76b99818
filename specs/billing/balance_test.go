package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Invoices using the customer balance", Label("billing", "customer-balance"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cus = customerWithCard(sc, "balance@example.com", "pm_card_visa", "")
	})

	adjust := func(amount int64) *stripe.CustomerBalanceTransaction {
		txn, err := sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{
			Customer: stripe.String(cus.ID), Amount: stripe.Int64(amount), Currency: stripe.String("usd"),
		})
		Expect(err).NotTo(HaveOccurred())
		return txn
	}
	// finalized is a one-item invoice of amount, finalized.
	finalized := func(amount int64) *stripe.Invoice {
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AutoAdvance: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(amount), Currency: stripe.String("usd"),
		})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}
	balance := func() int64 {
		c, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return c.Balance
	}
	transactions := func() []*stripe.CustomerBalanceTransaction {
		var out []*stripe.CustomerBalanceTransaction
		for t, err := range sc.V1CustomerBalanceTransactions.List(Ctx, &stripe.CustomerBalanceTransactionListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, t)
		}
		return out
	}

	It("pays part of an invoice with credit, recording what it used", func() {
		adjust(-500)
		inv := finalized(2000)
		Expect(inv.Total).To(Equal(int64(2000)))
		Expect(inv.StartingBalance).To(Equal(int64(-500)))
		Expect(inv.EndingBalance).To(Equal(int64(0)))
		Expect(inv.AmountDue).To(Equal(int64(1500)))
		Expect(inv.AmountRemaining).To(Equal(int64(1500)))
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(balance()).To(Equal(int64(0)))

		txns := transactions()
		Expect(txns).To(HaveLen(2))
		Expect(txns[0].Type).To(Equal(stripe.CustomerBalanceTransactionTypeAppliedToInvoice))
		Expect(txns[0].Amount).To(Equal(int64(500)))
		Expect(txns[0].EndingBalance).To(Equal(int64(0)))
		Expect(txns[0].Invoice.ID).To(Equal(inv.ID))

		ev := latestEvent(sc, "customer.updated")
		Expect(ev.Data.PreviousAttributes).To(HaveKeyWithValue("balance", BeNumerically("==", -500)))
		Expect(ev.Data.Object["balance"]).To(BeNumerically("==", 0))

		paid, err := sc.V1Invoices.Pay(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(paid.AmountPaid).To(Equal(int64(1500)), "only what the credit left is charged")
	})

	It("covers a whole invoice with a larger credit: nothing due, paid at finalization", func() {
		adjust(-3000)
		inv := finalized(2000)
		Expect(inv.StartingBalance).To(Equal(int64(-3000)))
		Expect(inv.EndingBalance).To(Equal(int64(-1000)))
		Expect(inv.AmountDue).To(Equal(int64(0)))
		Expect(inv.AmountPaid).To(Equal(int64(0)))
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(balance()).To(Equal(int64(-1000)))
		Expect(transactions()[0].Amount).To(Equal(int64(2000)))
	})

	It("adds a debt to the next invoice", func() {
		adjust(700)
		inv := finalized(2000)
		Expect(inv.StartingBalance).To(Equal(int64(700)))
		Expect(inv.EndingBalance).To(Equal(int64(0)))
		Expect(inv.AmountDue).To(Equal(int64(2700)))
		Expect(balance()).To(Equal(int64(0)))
		Expect(transactions()[0].Amount).To(Equal(int64(-700)))

		next := finalized(1000)
		Expect(next.StartingBalance).To(Equal(int64(0)))
		Expect(next.AmountDue).To(Equal(int64(1000)), "the debt was used once")
	})

	It("leaves the balance to invoices in its own currency, as Stripe's multi-currency guide says", func() {
		adjust(-500)
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), Currency: stripe.String("eur"), AutoAdvance: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.StartingBalance).To(Equal(int64(0)), "a draft in another currency shows no usd credit")
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(2000), Currency: stripe.String("eur"),
		})
		Expect(err).NotTo(HaveOccurred())
		adjust(-100)
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.StartingBalance).To(Equal(int64(0)))
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect([]int64{inv.StartingBalance, inv.EndingBalance, inv.AmountDue}).To(Equal([]int64{0, 0, 2000}))
		Expect(balance()).To(Equal(int64(-600)))
		Expect(transactions()).To(HaveLen(2))

		// Credit goes to the balance in euros, leaving the dollars.
		inv, err = sc.V1Invoices.Pay(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(300), CreditAmount: stripe.Int64(300)})
		Expect(err).NotTo(HaveOccurred())
		Expect(balance()).To(Equal(int64(-600)))
		txns := transactions()
		Expect(txns).To(HaveLen(3))
		Expect(txns[0].Currency).To(Equal(stripe.CurrencyEUR))
		Expect(txns[0].EndingBalance).To(Equal(int64(-300)))
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(300), OutOfBandAmount: stripe.Int64(300)})
		Expect(err).NotTo(HaveOccurred())
	})

	It("takes an adjustment's currency in either case, and only one Stripe supports", func() {
		create := func(cur string) (*stripe.CustomerBalanceTransaction, error) {
			return sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{
				Customer: stripe.String(cus.ID), Amount: stripe.Int64(-300), Currency: stripe.String(cur)})
		}
		_, err := create("xyz")
		se := StripeErr(err)
		Expect(se.Param).To(Equal("currency"))
		Expect(se.Msg).To(HavePrefix("Invalid currency: xyz. Stripe currently supports these currencies: usd, "))
		Expect(transactions()).To(BeEmpty())

		txn, err := create("USD")
		Expect(err).NotTo(HaveOccurred())
		Expect(txn.Currency).To(Equal(stripe.CurrencyUSD))
		Expect(balance()).To(Equal(int64(-300)))
		eur, err := create("EUR")
		Expect(err).NotTo(HaveOccurred(), "another currency moves the balance in it")
		Expect(eur.EndingBalance).To(Equal(int64(-300)))
		Expect(balance()).To(Equal(int64(-300)), "the dollar balance is unchanged")
	})

	It("records the balance set directly on the customer", func() {
		c, err := sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Balance: stripe.Int64(-250)})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Balance).To(Equal(int64(-250)))
		txns := transactions()
		Expect(txns).To(HaveLen(1))
		Expect(txns[0].Type).To(Equal(stripe.CustomerBalanceTransactionTypeAdjustment))
		Expect(txns[0].Amount).To(Equal(int64(-250)))
		Expect(txns[0].EndingBalance).To(Equal(int64(-250)))
		inv := finalized(1000)
		Expect(inv.AmountDue).To(Equal(int64(750)))
	})

	It("uses credit on a subscription's renewal", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
		})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
			Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		adjust(-400)

		emu.Clock().Set(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(inv.StartingBalance).To(Equal(int64(-400)))
		Expect(inv.EndingBalance).To(Equal(int64(0)))
		Expect(inv.AmountDue).To(Equal(int64(600)))
		Expect(inv.AmountPaid).To(Equal(int64(600)))
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(balance()).To(Equal(int64(0)))
	})
})
