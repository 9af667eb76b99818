package payments_test

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Top-ups: a platform adds money to its balance from its bank account. The
// debit takes minutes at Stripe's test banks; the funds then become
// available on Stripe's schedule, under the balance's bank_account source
// type, which payouts and transfers draw from with source_type=bank_account.
var _ = Describe("Top-ups", Label("payments", "topups", "balance"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	// The spec clock starts at 2025-09-01 12:00 UTC: funds added then are
	// available at the start of the second day after.
	availableOn := time.Date(2025, 9, 3, 0, 0, 0, 0, time.UTC)

	topUp := func(amount int64, edit ...func(*stripe.TopupCreateParams)) *stripe.Topup {
		GinkgoHelper()
		p := &stripe.TopupCreateParams{Amount: stripe.Int64(amount), Currency: stripe.String("usd")}
		for _, e := range edit {
			e(p)
		}
		tu, err := sc.V1Topups.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return tu
	}
	get := func(id string) *stripe.Topup {
		GinkgoHelper()
		p := &stripe.TopupRetrieveParams{}
		p.AddExpand("balance_transaction")
		tu, err := sc.V1Topups.Retrieve(Ctx, id, p)
		Expect(err).NotTo(HaveOccurred())
		return tu
	}
	balance := func() *stripe.Balance {
		GinkgoHelper()
		b, err := sc.V1Balance.Retrieve(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		return b
	}
	usd := func(amounts []*stripe.BalanceAmount) *stripe.BalanceAmount {
		GinkgoHelper()
		for _, a := range amounts {
			if a.Currency == "usd" {
				return a
			}
		}
		Fail("no usd in the balance")
		return nil
	}
	// eventTypes are the platform's events, oldest first.
	eventTypes := func() []string {
		var out []string
		for _, ev := range emu.Events("") {
			out = append(out, ev["type"].(string))
		}
		return out
	}

	It("debits the bank account, succeeds minutes later and adds its funds to the balance when they are available", func() {
		tu := topUp(50000, func(p *stripe.TopupCreateParams) {
			p.Description = stripe.String("Bonus pool")
			p.StatementDescriptor = stripe.String("BONUS POOL")
			p.TransferGroup = stripe.String("september")
			p.AddMetadata("batch", "7")
		})
		Expect(tu.ID).To(HavePrefix("tu_"))
		Expect(tu.Status).To(Equal(stripe.TopupStatusPending))
		Expect(tu.BalanceTransaction).To(BeNil())
		Expect(tu.ExpectedAvailabilityDate).To(Equal(availableOn.Unix()))
		Expect(tu.Description).To(Equal("Bonus pool"))
		Expect(tu.StatementDescriptor).To(Equal("BONUS POOL"))
		Expect(tu.TransferGroup).To(Equal("september"))
		Expect(tu.Metadata).To(Equal(map[string]string{"batch": "7"}))
		Expect(eventTypes()).To(Equal([]string{"topup.created"}))

		emu.Clock().Advance(3 * time.Minute)
		tu = get(tu.ID)
		Expect(tu.Status).To(Equal(stripe.TopupStatusSucceeded))
		txn := tu.BalanceTransaction
		Expect(txn.Type).To(Equal(stripe.BalanceTransactionTypeTopup))
		Expect(txn.ReportingCategory).To(Equal(stripe.BalanceTransactionReportingCategory("topup")))
		Expect(txn.Amount).To(Equal(int64(50000)))
		Expect(txn.Fee).To(BeZero())
		Expect(txn.Net).To(Equal(int64(50000)))
		Expect(txn.Status).To(Equal(stripe.BalanceTransactionStatusPending))
		Expect(txn.AvailableOn).To(Equal(availableOn.Unix()))
		Expect(txn.Source.ID).To(Equal(tu.ID))
		Expect(eventTypes()).To(Equal([]string{"topup.created", "topup.succeeded"}))
		pending := usd(balance().Pending)
		Expect(pending.Amount).To(Equal(int64(50000)))
		Expect(pending.SourceTypes[stripe.BalanceSourceTypeBankAccount]).To(Equal(int64(50000)))
		Expect(pending.SourceTypes[stripe.BalanceSourceTypeCard]).To(BeZero())

		emu.Clock().Set(availableOn)
		available := usd(balance().Available)
		Expect(available.Amount).To(Equal(int64(50000)))
		Expect(available.SourceTypes[stripe.BalanceSourceTypeBankAccount]).To(Equal(int64(50000)))
		Expect(eventTypes()).To(HaveLen(3))
		Expect(eventTypes()[2]).To(Equal("balance.available"))
		Expect(get(tu.ID).BalanceTransaction.Status).To(Equal(stripe.BalanceTransactionStatusAvailable))
	})

	It("funds transfers and payouts drawing on bank_account, not those drawing on card", func() {
		tu := topUp(30000)
		emu.Clock().Set(availableOn)
		Expect(get(tu.ID).Status).To(Equal(stripe.TopupStatusSucceeded))
		seller := Seller(emu, nil)

		_, err := sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{Amount: stripe.Int64(10000), Currency: stripe.String("usd"),
			Destination: stripe.String(seller.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "balance_insufficient", "")

		tr, err := sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{Amount: stripe.Int64(10000), Currency: stripe.String("usd"),
			Destination: stripe.String(seller.ID), SourceType: stripe.String("bank_account")})
		Expect(err).NotTo(HaveOccurred())
		Expect(tr.SourceType).To(Equal(stripe.TransferSourceType("bank_account")))
		po, err := sc.V1Payouts.Create(Ctx, &stripe.PayoutCreateParams{Amount: stripe.Int64(15000), Currency: stripe.String("usd"),
			SourceType: stripe.String("bank_account")})
		Expect(err).NotTo(HaveOccurred())
		Expect(po.SourceType).To(Equal(stripe.PayoutSourceType("bank_account")))

		available := usd(balance().Available)
		Expect(available.Amount).To(Equal(int64(5000)))
		Expect(available.SourceTypes[stripe.BalanceSourceTypeBankAccount]).To(Equal(int64(5000)))
		_, err = sc.V1Payouts.Create(Ctx, &stripe.PayoutCreateParams{Amount: stripe.Int64(6000), Currency: stripe.String("usd"),
			SourceType: stripe.String("bank_account")})
		ExpectStripeError(err, 400, "invalid_request_error", "balance_insufficient", "")
	})

	It("fails as the test bank token given as source decides, adding nothing", func() {
		tu := topUp(2000, func(p *stripe.TopupCreateParams) { p.Source = stripe.String("btok_us_verified_noAccount") })
		Expect(tu.Status).To(Equal(stripe.TopupStatusPending))
		emu.Clock().Advance(3 * time.Minute)
		tu = get(tu.ID)
		Expect(tu.Status).To(Equal(stripe.TopupStatusFailed))
		Expect(tu.FailureCode).To(Equal("no_account"))
		Expect(tu.FailureMessage).NotTo(BeEmpty())
		Expect(tu.BalanceTransaction).To(BeNil())
		Expect(eventTypes()).To(Equal([]string{"topup.created", "topup.failed"}))
		Expect(usd(balance().Pending).Amount).To(BeZero())

		ok := topUp(2000, func(p *stripe.TopupCreateParams) { p.Source = stripe.String("btok_us_verified") })
		emu.Clock().Advance(3 * time.Minute)
		Expect(get(ok.ID).Status).To(Equal(stripe.TopupStatusSucceeded))
	})

	It("is canceled only while pending", func() {
		tu := topUp(1000)
		canceled, err := sc.V1Topups.Cancel(Ctx, tu.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(canceled.Status).To(Equal(stripe.TopupStatusCanceled))
		emu.Clock().Advance(time.Hour)
		Expect(get(tu.ID).Status).To(Equal(stripe.TopupStatusCanceled))
		Expect(eventTypes()).To(Equal([]string{"topup.created", "topup.canceled"}))
		_, err = sc.V1Topups.Cancel(Ctx, tu.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")

		done := topUp(1000)
		emu.Clock().Advance(3 * time.Minute)
		_, err = sc.V1Topups.Cancel(Ctx, done.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(get(done.ID).Status).To(Equal(stripe.TopupStatusSucceeded))
	})

	It("updates its description and metadata without an event, and lists by status, amount and created", func() {
		small := topUp(1000)
		emu.Clock().Advance(3 * time.Minute)
		big := topUp(9000)
		updated, err := sc.V1Topups.Update(Ctx, big.ID, &stripe.TopupUpdateParams{Description: stripe.String("Refill"),
			Metadata: map[string]string{"k": "v"}})
		Expect(err).NotTo(HaveOccurred())
		Expect(updated.Description).To(Equal("Refill"))
		Expect(updated.Metadata).To(Equal(map[string]string{"k": "v"}))
		Expect(eventTypes()).NotTo(ContainElement("topup.updated"))
		_, err = sc.V1Topups.Update(Ctx, big.ID, &stripe.TopupUpdateParams{Description: stripe.String(strings.Repeat("d", 5001))})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: dddd...dddd; must be at most 5000 characters"))
		got, err := sc.V1Topups.Retrieve(Ctx, big.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Description).To(Equal("Refill"))

		ids := func(p *stripe.TopupListParams) []string {
			GinkgoHelper()
			var out []string
			for tu, err := range sc.V1Topups.List(Ctx, p) {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, tu.ID)
			}
			return out
		}
		Expect(ids(&stripe.TopupListParams{})).To(Equal([]string{big.ID, small.ID}))
		Expect(ids(&stripe.TopupListParams{Status: stripe.String("pending")})).To(Equal([]string{big.ID}))
		Expect(ids(&stripe.TopupListParams{Status: stripe.String("succeeded")})).To(Equal([]string{small.ID}))
		Expect(ids(&stripe.TopupListParams{Amount: stripe.Int64(1000)})).To(Equal([]string{small.ID}))
		Expect(ids(&stripe.TopupListParams{AmountRange: &stripe.RangeQueryParams{GreaterThan: 5000}})).To(Equal([]string{big.ID}))
		Expect(ids(&stripe.TopupListParams{CreatedRange: &stripe.RangeQueryParams{LesserThan: big.Created}})).To(Equal([]string{small.ID}))
	})

	It("refuses what Stripe refuses, making nothing", func() {
		_, err := sc.V1Topups.Create(Ctx, &stripe.TopupCreateParams{Currency: stripe.String("usd")})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "amount")
		_, err = sc.V1Topups.Create(Ctx, &stripe.TopupCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			Source: stripe.String("btok_unknown")})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "source")
		// Stripe's OpenAPI spec limits these strings: its words for any
		// string too long, checked before the source is looked up.
		_, err = sc.V1Topups.Create(Ctx, &stripe.TopupCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			StatementDescriptor: stripe.String("MUCH TOO LONG A DESCRIPTOR"), Source: stripe.String("btok_unknown")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "statement_descriptor")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: MUCH...PTOR; must be at most 15 characters"))
		_, err = sc.V1Topups.Create(Ctx, &stripe.TopupCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			Description: stripe.String(strings.Repeat("d", 5001))})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: dddd...dddd; must be at most 5000 characters"))
		_, err = sc.V1Topups.Create(Ctx, &stripe.TopupCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency")
		// Past Stripe's ceiling on an amount, which keeps the balance from overflowing.
		_, err = sc.V1Topups.Create(Ctx, &stripe.TopupCreateParams{Amount: stripe.Int64(9_000_000_000_000_000_000), Currency: stripe.String("usd")})
		ExpectStripeError(err, 400, "invalid_request_error", "amount_too_large", "amount")
		_, err = sc.V1Topups.Retrieve(Ctx, "tu_missing", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(emu.Count("", "topup")).To(BeZero())
	})
})
