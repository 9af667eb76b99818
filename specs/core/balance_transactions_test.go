package core_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Customer balance transactions", Label("customers", "customer-balance"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("credit@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})
	create := func(amount int64) *stripe.CustomerBalanceTransaction {
		txn, err := sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{
			Customer: stripe.String(cus.ID), Amount: stripe.Int64(amount), Currency: stripe.String("usd"),
		})
		Expect(err).NotTo(HaveOccurred())
		return txn
	}

	It("credits the customer, moving its balance with a customer.updated event", func() {
		p := &stripe.CustomerBalanceTransactionCreateParams{
			Customer: stripe.String(cus.ID), Amount: stripe.Int64(-500), Currency: stripe.String("usd"), Description: stripe.String("Goodwill"),
		}
		p.AddMetadata("ticket", "42")
		txn, err := sc.V1CustomerBalanceTransactions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(txn.ID).To(MatchRegexp(`^cbtxn_`))
		Expect(txn.Object).To(Equal("customer_balance_transaction"))
		Expect(txn.Type).To(Equal(stripe.CustomerBalanceTransactionTypeAdjustment))
		Expect(txn.Amount).To(Equal(int64(-500)))
		Expect(txn.EndingBalance).To(Equal(int64(-500)))
		Expect(txn.Customer.ID).To(Equal(cus.ID))
		Expect(txn.Currency).To(Equal(stripe.CurrencyUSD))
		Expect(txn.Description).To(Equal("Goodwill"))
		Expect(txn.Metadata).To(Equal(map[string]string{"ticket": "42"}))

		c, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Balance).To(Equal(int64(-500)))
		Expect(c.Currency).To(Equal(stripe.CurrencyUSD), "the transaction's currency becomes the customer's")
		Expect(emu.EventTypes("")).To(Equal([]string{"customer.created", "customer.updated"}))
		prev := emu.Events("")[1]["data"].(map[string]any)["previous_attributes"]
		Expect(prev).To(Equal(map[string]any{"balance": float64(0), "currency": nil}))

		txn2 := create(200)
		Expect(txn2.EndingBalance).To(Equal(int64(-300)))

		got, err := sc.V1CustomerBalanceTransactions.Retrieve(Ctx, txn.ID, &stripe.CustomerBalanceTransactionRetrieveParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.EndingBalance).To(Equal(int64(-500)))
	})

	It("updates description and metadata only, and lists newest first with pagination", func() {
		a, b, c := create(-100), create(-200), create(-300)
		up := &stripe.CustomerBalanceTransactionUpdateParams{Customer: stripe.String(cus.ID), Description: stripe.String("Refund for outage")}
		up.AddMetadata("k", "v")
		got, err := sc.V1CustomerBalanceTransactions.Update(Ctx, a.ID, up)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Description).To(Equal("Refund for outage"))
		Expect(got.Metadata).To(Equal(map[string]string{"k": "v"}))
		Expect(got.Amount).To(Equal(int64(-100)))

		var ids []string
		lp := &stripe.CustomerBalanceTransactionListParams{Customer: stripe.String(cus.ID)}
		lp.Limit = stripe.Int64(2)
		for t, err := range sc.V1CustomerBalanceTransactions.List(Ctx, lp) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, t.ID)
		}
		Expect(ids).To(Equal([]string{c.ID, b.ID, a.ID}))

		eur, err := sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{
			Customer: stripe.String(cus.ID), Amount: stripe.Int64(-100), Currency: stripe.String("eur"),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(eur.EndingBalance).To(Equal(int64(-100)), "the balance in euros, apart from the customer's in dollars")
	})

	It("keeps transactions to their customer and refuses what is not emulated", func() {
		txn := create(-100)
		other, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CustomerBalanceTransactions.Retrieve(Ctx, txn.ID, &stripe.CustomerBalanceTransactionRetrieveParams{Customer: stripe.String(other.ID)})
		Expect(err).To(HaveOccurred())
		Expect(err.(*stripe.Error).HTTPStatusCode).To(Equal(404))

		_, err = sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(-100)})
		Expect(err).To(HaveOccurred())
		Expect(err.(*stripe.Error).Param).To(Equal("currency"))

		p := &stripe.CustomerBalanceTransactionUpdateParams{Customer: stripe.String(cus.ID)}
		p.AddExtra("amount", "5")
		_, err = sc.V1CustomerBalanceTransactions.Update(Ctx, txn.ID, p)
		Expect(err).To(HaveOccurred())
		Expect(err.(*stripe.Error).HTTPStatusCode).To(Equal(400))
		Expect(err.Error()).To(ContainSubstring("amount"))
	})

	// Stripe's OpenAPI spec: a balance transaction's description is at
	// most 350 characters, on create and update.
	It("holds the description to 350 characters, moving no balance and changing nothing", func() {
		long := strings.Repeat("d", 351)
		_, err := sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{
			Customer: stripe.String(cus.ID), Amount: stripe.Int64(-100), Currency: stripe.String("usd"), Description: stripe.String(long)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: dddd...dddd; must be at most 350 characters"))
		c, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Balance).To(BeZero())
		Expect(c.Currency).To(BeEmpty())
		Expect(emu.Count("", "customer_balance_transaction")).To(BeZero())

		txn := create(-100)
		_, err = sc.V1CustomerBalanceTransactions.Update(Ctx, txn.ID, &stripe.CustomerBalanceTransactionUpdateParams{
			Customer: stripe.String(cus.ID), Description: stripe.String(long)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		got, err := sc.V1CustomerBalanceTransactions.Retrieve(Ctx, txn.ID, &stripe.CustomerBalanceTransactionRetrieveParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Description).To(BeEmpty())
		ok, err := sc.V1CustomerBalanceTransactions.Update(Ctx, txn.ID, &stripe.CustomerBalanceTransactionUpdateParams{
			Customer: stripe.String(cus.ID), Description: stripe.String(long[:350])})
		Expect(err).NotTo(HaveOccurred())
		Expect(ok.Description).To(HaveLen(350))
	})

	It("records a balance set on create as the initial transaction", func() {
		c, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Balance: stripe.Int64(-800)})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Balance).To(Equal(int64(-800)))
		var txns []*stripe.CustomerBalanceTransaction
		for t, err := range sc.V1CustomerBalanceTransactions.List(Ctx, &stripe.CustomerBalanceTransactionListParams{Customer: stripe.String(c.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			txns = append(txns, t)
		}
		Expect(txns).To(HaveLen(1))
		Expect(txns[0].Type).To(Equal(stripe.CustomerBalanceTransactionTypeInitial))
		Expect(txns[0].Amount).To(Equal(int64(-800)))
		Expect(txns[0].EndingBalance).To(Equal(int64(-800)))
	})
})
