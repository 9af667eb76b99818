package tax_test

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Tax transactions", Label("tax"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	items := func(id string) []*stripe.TaxTransactionLineItem {
		GinkgoHelper()
		var out []*stripe.TaxTransactionLineItem
		for li, err := range sc.V1TaxTransactions.ListLineItems(Ctx, &stripe.TaxTransactionListLineItemsParams{Transaction: stripe.String(id)}) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, li)
		}
		return out
	}
	reverseLine := func(orig, ref, lineID string, amount, tax int64) (*stripe.TaxTransaction, error) {
		return sc.V1TaxTransactions.CreateReversal(Ctx, &stripe.TaxTransactionCreateReversalParams{
			Mode: stripe.String("partial"), OriginalTransaction: stripe.String(orig), Reference: stripe.String(ref),
			LineItems: []*stripe.TaxTransactionCreateReversalLineItemParams{{
				Amount: stripe.Int64(amount), AmountTax: stripe.Int64(tax), OriginalLineItem: stripe.String(lineID),
				Reference: stripe.String(ref + "-line"), Quantity: stripe.Int64(1),
			}},
		})
	}

	It("record a calculation once per reference, then reverse part of it, then the rest, never more", func() {
		activateTax(sc, "US", "CA", "94080")
		registerUSState(sc, "CA")
		a := line(2000, "exclusive", "A")
		a.Metadata = map[string]string{"sku": "pizza"}
		calc, err := sc.V1TaxCalculations.Create(Ctx, &stripe.TaxCalculationCreateParams{
			Currency: stripe.String("usd"), CustomerDetails: buyerAt("CA", "94080"),
			LineItems: []*stripe.TaxCalculationCreateLineItemParams{a, line(1000, "exclusive", "B")},
		})
		Expect(err).NotTo(HaveOccurred())

		emu.Clock().Advance(time.Hour)
		_, err = sc.V1TaxTransactions.CreateFromCalculation(Ctx, &stripe.TaxTransactionCreateFromCalculationParams{
			Calculation: stripe.String(calc.ID), Reference: stripe.String("order_1"), PostedAt: stripe.Int64(Epoch.Add(2 * time.Hour).Unix())})
		ExpectStripeError(err, 400, "invalid_request_error", "", "posted_at")

		p := &stripe.TaxTransactionCreateFromCalculationParams{
			Calculation: stripe.String(calc.ID), Reference: stripe.String("order_1"), Metadata: map[string]string{"order": "1"}}
		p.AddExpand("line_items")
		txn, err := sc.V1TaxTransactions.CreateFromCalculation(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(txn.ID).To(HavePrefix("tax_"))
		Expect(txn.Object).To(Equal("tax.transaction"))
		Expect(txn.Type).To(Equal(stripe.TaxTransactionTypeTransaction))
		Expect(txn.Reference).To(Equal("order_1"))
		Expect(txn.Created).To(Equal(Epoch.Add(time.Hour).Unix()))
		Expect(txn.PostedAt).To(Equal(Epoch.Add(time.Hour).Unix()))
		Expect(txn.TaxDate).To(Equal(Epoch.Unix()), "the calculation's tax date")
		Expect(txn.Currency).To(Equal(stripe.CurrencyUSD))
		Expect(txn.CustomerDetails.Address.State).To(Equal("CA"))
		Expect(txn.Metadata).To(Equal(map[string]string{"order": "1"}))
		Expect(txn.Reversal).To(BeNil())
		Expect(txn.LineItems.Data).To(HaveLen(2))
		la, lb := txn.LineItems.Data[0], txn.LineItems.Data[1]
		Expect(la.ID).To(HavePrefix("tax_li_"))
		Expect(la.Type).To(Equal(stripe.TaxTransactionLineItemTypeTransaction))
		Expect(la.Amount).To(Equal(int64(2000)))
		Expect(la.AmountTax).To(Equal(int64(145)))
		Expect(la.Reference).To(Equal("A"))
		Expect(la.Metadata).To(Equal(map[string]string{"sku": "pizza"}))
		Expect(la.Reversal).To(BeNil())
		Expect(lb.AmountTax).To(Equal(int64(73)), "7.25% of 10.00 is 0.725, rounded half away from zero")

		_, err = sc.V1TaxTransactions.CreateFromCalculation(Ctx, &stripe.TaxTransactionCreateFromCalculationParams{
			Calculation: stripe.String(calc.ID), Reference: stripe.String("order_1")})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_already_exists", "reference")

		got, err := sc.V1TaxTransactions.Retrieve(Ctx, txn.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LineItems).To(BeNil(), "line items only when expanded")
		Expect(items(txn.ID)).To(HaveLen(2))

		// Half of line A back.
		part, err := reverseLine(txn.ID, "order_1-refund_1", la.ID, -1000, -73)
		Expect(err).NotTo(HaveOccurred())
		Expect(part.Type).To(Equal(stripe.TaxTransactionTypeReversal))
		Expect(part.Reversal.OriginalTransaction).To(Equal(txn.ID))
		Expect(part.TaxDate).To(Equal(txn.TaxDate))
		rl := items(part.ID)
		Expect(rl).To(HaveLen(1))
		Expect(rl[0].Type).To(Equal(stripe.TaxTransactionLineItemTypeReversal))
		Expect(rl[0].Reversal.OriginalLineItem).To(Equal(la.ID))
		Expect(rl[0].Amount).To(Equal(int64(-1000)))
		Expect(rl[0].AmountTax).To(Equal(int64(-73)))
		Expect(rl[0].Reference).To(Equal("order_1-refund_1-line"))
		Expect(rl[0].TaxCode).To(Equal(la.TaxCode))

		// More than is left of line A, a reference already used, a
		// positive amount, and a line of another transaction: refused.
		_, err = reverseLine(txn.ID, "order_1-refund_2", la.ID, -1001, -72)
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][amount]")
		_, err = reverseLine(txn.ID, "order_1", la.ID, -1, 0)
		ExpectStripeError(err, 400, "invalid_request_error", "resource_already_exists", "reference")
		_, err = reverseLine(txn.ID, "order_1-refund_2", la.ID, 10, 0)
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][amount]")
		_, err = reverseLine(txn.ID, "order_1-refund_2", rl[0].ID, -1, 0)
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][original_line_item]")

		// The rest: what is left of A, and all of B.
		full, err := sc.V1TaxTransactions.CreateReversal(Ctx, &stripe.TaxTransactionCreateReversalParams{
			Mode: stripe.String("full"), OriginalTransaction: stripe.String(txn.ID), Reference: stripe.String("order_1-refund_2")})
		Expect(err).NotTo(HaveOccurred())
		fl := items(full.ID)
		Expect(fl).To(HaveLen(2))
		Expect(fl[0].Reversal.OriginalLineItem).To(Equal(la.ID))
		Expect([]int64{fl[0].Amount, fl[0].AmountTax}).To(Equal([]int64{-1000, -72}))
		Expect(fl[1].Reversal.OriginalLineItem).To(Equal(lb.ID))
		Expect([]int64{fl[1].Amount, fl[1].AmountTax}).To(Equal([]int64{-1000, -73}))
		Expect(fl[1].Reference).To(Equal("B"))

		// Nothing is left: Stripe's answer, whatever the mode (its
		// wording, as integrators have met it in production).
		fully := "You can't reverse transaction '" + txn.ID + "' because it has been fully reversed."
		_, err = sc.V1TaxTransactions.CreateReversal(Ctx, &stripe.TaxTransactionCreateReversalParams{
			Mode: stripe.String("full"), OriginalTransaction: stripe.String(txn.ID), Reference: stripe.String("order_1-refund_3")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "original_transaction")
		Expect(StripeErr(err).Msg).To(Equal(fully))
		_, err = reverseLine(txn.ID, "order_1-refund_3", lb.ID, -1, 0)
		ExpectStripeError(err, 400, "invalid_request_error", "", "original_transaction")
		Expect(StripeErr(err).Msg).To(Equal(fully))
		_, err = sc.V1TaxTransactions.CreateReversal(Ctx, &stripe.TaxTransactionCreateReversalParams{
			Mode: stripe.String("partial"), OriginalTransaction: stripe.String(txn.ID), Reference: stripe.String("order_1-refund_3"),
			FlatAmount: stripe.Int64(-1)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "original_transaction")
		Expect(StripeErr(err).Msg).To(Equal(fully))
		_, err = sc.V1TaxTransactions.CreateReversal(Ctx, &stripe.TaxTransactionCreateReversalParams{
			Mode: stripe.String("full"), OriginalTransaction: stripe.String(part.ID), Reference: stripe.String("order_1-refund_3")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "original_transaction")

		Expect(emu.Count("", "tax.transaction")).To(Equal(3))
		for _, ev := range emu.Events("") {
			Expect(ev["type"]).NotTo(HavePrefix("tax.transaction"), "Stripe has no tax transaction events")
		}
	})

	It("reverse a flat amount across the lines and the shipping cost, then the shipping cost", func() {
		activateTax(sc, "DE", "", "10117")
		registerDE(sc)
		calc, err := sc.V1TaxCalculations.Create(Ctx, &stripe.TaxCalculationCreateParams{
			Currency: stripe.String("eur"),
			CustomerDetails: &stripe.TaxCalculationCreateCustomerDetailsParams{
				Address: &stripe.AddressParams{Country: stripe.String("DE"), PostalCode: stripe.String("10117")}, AddressSource: stripe.String("billing")},
			LineItems:    []*stripe.TaxCalculationCreateLineItemParams{line(10000, "exclusive", "book")},
			ShippingCost: &stripe.TaxCalculationCreateShippingCostParams{Amount: stripe.Int64(500)},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(calc.AmountTotal).To(Equal(int64(12495)))
		txn, err := sc.V1TaxTransactions.CreateFromCalculation(Ctx, &stripe.TaxTransactionCreateFromCalculationParams{
			Calculation: stripe.String(calc.ID), Reference: stripe.String("de_1")})
		Expect(err).NotTo(HaveOccurred())
		Expect(txn.ShippingCost.Amount).To(Equal(int64(500)))
		Expect(txn.ShippingCost.AmountTax).To(Equal(int64(95)))

		// A fifth of everything, tax included: 119.00 of the book, 5.95
		// of the shipping.
		flat, err := sc.V1TaxTransactions.CreateReversal(Ctx, &stripe.TaxTransactionCreateReversalParams{
			Mode: stripe.String("partial"), OriginalTransaction: stripe.String(txn.ID), Reference: stripe.String("de_1-r1"),
			FlatAmount: stripe.Int64(-2499)})
		Expect(err).NotTo(HaveOccurred())
		Expect(flat.ShippingCost.Amount).To(Equal(int64(-100)))
		Expect(flat.ShippingCost.AmountTax).To(Equal(int64(-19)))
		fl := items(flat.ID)
		Expect(fl).To(HaveLen(1))
		Expect([]int64{fl[0].Amount, fl[0].AmountTax}).To(Equal([]int64{-2000, -380}))

		_, err = sc.V1TaxTransactions.CreateReversal(Ctx, &stripe.TaxTransactionCreateReversalParams{
			Mode: stripe.String("partial"), OriginalTransaction: stripe.String(txn.ID), Reference: stripe.String("de_1-r2"),
			FlatAmount: stripe.Int64(-(12495 - 2499 + 1))})
		ExpectStripeError(err, 400, "invalid_request_error", "", "flat_amount")
		_, err = sc.V1TaxTransactions.CreateReversal(Ctx, &stripe.TaxTransactionCreateReversalParams{
			Mode: stripe.String("partial"), OriginalTransaction: stripe.String(txn.ID), Reference: stripe.String("de_1-r2"),
			FlatAmount: stripe.Int64(-1), LineItems: []*stripe.TaxTransactionCreateReversalLineItemParams{{
				Amount: stripe.Int64(-1), AmountTax: stripe.Int64(0), OriginalLineItem: stripe.String(fl[0].Reversal.OriginalLineItem), Reference: stripe.String("x")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "flat_amount")

		ship, err := sc.V1TaxTransactions.CreateReversal(Ctx, &stripe.TaxTransactionCreateReversalParams{
			Mode: stripe.String("partial"), OriginalTransaction: stripe.String(txn.ID), Reference: stripe.String("de_1-r2"),
			ShippingCost: &stripe.TaxTransactionCreateReversalShippingCostParams{Amount: stripe.Int64(-400), AmountTax: stripe.Int64(-76)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(ship.ShippingCost.Amount).To(Equal(int64(-400)))
		Expect(items(ship.ID)).To(BeEmpty())
		_, err = sc.V1TaxTransactions.CreateReversal(Ctx, &stripe.TaxTransactionCreateReversalParams{
			Mode: stripe.String("partial"), OriginalTransaction: stripe.String(txn.ID), Reference: stripe.String("de_1-r3"),
			ShippingCost: &stripe.TaxTransactionCreateReversalShippingCostParams{Amount: stripe.Int64(-1), AmountTax: stripe.Int64(0)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "shipping_cost[amount]")
	})
})

var _ = Describe("Tax references", Label("tax"), func() {
	It("take up to 500 characters, counted as characters, and refuse a longer one as Stripe refuses any long string", func() {
		emu := Emulator()
		sc := emu.Client()
		activateTax(sc, "US", "CA", "94080")
		registerUSState(sc, "CA")
		long := strings.Repeat("x", 501)
		_, err := sc.V1TaxCalculations.Create(Ctx, &stripe.TaxCalculationCreateParams{
			Currency: stripe.String("usd"), CustomerDetails: buyerAt("CA", "94080"),
			LineItems: []*stripe.TaxCalculationCreateLineItemParams{line(1000, "exclusive", long)},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][reference]")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: xxxx...xxxx; must be at most 500 characters"))

		// 300 characters of two bytes each: within the limit.
		accented := strings.Repeat("é", 300)
		calc, err := sc.V1TaxCalculations.Create(Ctx, &stripe.TaxCalculationCreateParams{
			Currency: stripe.String("usd"), CustomerDetails: buyerAt("CA", "94080"),
			LineItems: []*stripe.TaxCalculationCreateLineItemParams{line(1000, "exclusive", accented)},
		})
		Expect(err).NotTo(HaveOccurred())
		txn, err := sc.V1TaxTransactions.CreateFromCalculation(Ctx, &stripe.TaxTransactionCreateFromCalculationParams{
			Calculation: stripe.String(calc.ID), Reference: stripe.String(accented)})
		Expect(err).NotTo(HaveOccurred())
		Expect(txn.Reference).To(Equal(accented))

		_, err = sc.V1TaxTransactions.CreateFromCalculation(Ctx, &stripe.TaxTransactionCreateFromCalculationParams{
			Calculation: stripe.String(calc.ID), Reference: stripe.String(long)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "reference")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: xxxx...xxxx; must be at most 500 characters"))

		var lineID string
		for li, err := range sc.V1TaxTransactions.ListLineItems(Ctx, &stripe.TaxTransactionListLineItemsParams{Transaction: stripe.String(txn.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			lineID = li.ID
		}
		rev, err := sc.V1TaxTransactions.CreateReversal(Ctx, &stripe.TaxTransactionCreateReversalParams{
			Mode: stripe.String("partial"), OriginalTransaction: stripe.String(txn.ID), Reference: stripe.String("r-" + accented[:100]),
			LineItems: []*stripe.TaxTransactionCreateReversalLineItemParams{{
				Amount: stripe.Int64(-100), AmountTax: stripe.Int64(0), OriginalLineItem: stripe.String(lineID),
				Reference: stripe.String(accented), Quantity: stripe.Int64(1),
			}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(rev.Type).To(Equal(stripe.TaxTransactionTypeReversal))
		_, err = sc.V1TaxTransactions.CreateReversal(Ctx, &stripe.TaxTransactionCreateReversalParams{
			Mode: stripe.String("partial"), OriginalTransaction: stripe.String(txn.ID), Reference: stripe.String("r2"),
			LineItems: []*stripe.TaxTransactionCreateReversalLineItemParams{{
				Amount: stripe.Int64(-100), AmountTax: stripe.Int64(0), OriginalLineItem: stripe.String(lineID),
				Reference: stripe.String(long), Quantity: stripe.Int64(1),
			}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][reference]")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: xxxx...xxxx; must be at most 500 characters"))
	})
})
