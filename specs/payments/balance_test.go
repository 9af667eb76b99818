package payments_test

import (
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Balance", Label("payments", "balance"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		// The balance stays as the specs leave it, paid out by no schedule.
		ManualPayouts(emu, "")
	})

	// The spec clock starts at 2025-09-01 12:00 UTC: a payment's funds are
	// available from midnight UTC two days later.
	availableOn := time.Date(2025, 9, 3, 0, 0, 0, 0, time.UTC)

	// pay takes a card payment, on acct when it is not "".
	pay := func(acct string, amount int64, currency, pm string, edit ...func(*stripe.PaymentIntentCreateParams)) *stripe.PaymentIntent {
		GinkgoHelper()
		p := &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Amount: stripe.Int64(amount), Currency: stripe.String(currency),
			PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true),
		}
		for _, e := range edit {
			e(p)
		}
		if acct != "" {
			p.SetStripeAccount(acct)
		}
		pi, err := sc.V1PaymentIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		return pi
	}
	balance := func(acct string) *stripe.Balance {
		GinkgoHelper()
		p := &stripe.BalanceRetrieveParams{}
		if acct != "" {
			p.SetStripeAccount(acct)
		}
		b, err := sc.V1Balance.Retrieve(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(b.Object).To(Equal("balance"))
		Expect(b.Livemode).To(BeFalse())
		return b
	}
	// in is the amount of one currency in a balance list, checking that its
	// source_types tell the same amount as card.
	in := func(amounts []*stripe.BalanceAmount, currency string) int64 {
		GinkgoHelper()
		for _, a := range amounts {
			if string(a.Currency) == currency {
				Expect(a.SourceTypes).To(Equal(map[stripe.BalanceSourceType]int64{stripe.BalanceSourceTypeCard: a.Amount}))
				return a.Amount
			}
		}
		Fail("no " + currency + " in the balance")
		return 0
	}
	txnOf := func(acct, chargeID string) *stripe.BalanceTransaction {
		GinkgoHelper()
		p := &stripe.ChargeRetrieveParams{}
		p.AddExpand("balance_transaction")
		if acct != "" {
			p.SetStripeAccount(acct)
		}
		ch, err := sc.V1Charges.Retrieve(Ctx, chargeID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.BalanceTransaction).NotTo(BeNil())
		return ch.BalanceTransaction
	}
	list := func(p *stripe.BalanceTransactionListParams) []*stripe.BalanceTransaction {
		GinkgoHelper()
		var out []*stripe.BalanceTransaction
		for t, err := range sc.V1BalanceTransactions.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, t)
		}
		return out
	}
	listErr := func(p *stripe.BalanceTransactionListParams) error {
		for _, err := range sc.V1BalanceTransactions.List(Ctx, p) {
			if err != nil {
				return err
			}
		}
		return nil
	}
	ids := func(ts []*stripe.BalanceTransaction) []string {
		out := make([]string, len(ts))
		for i, t := range ts {
			out[i] = t.ID
		}
		return out
	}

	It("is zero in the account's currency before any payment", func() {
		b := balance("")
		Expect(b.Available).To(HaveLen(1))
		Expect(in(b.Available, "usd")).To(BeZero())
		Expect(in(b.Pending, "usd")).To(BeZero())
		Expect(b.ConnectReserved).To(HaveLen(1))
		Expect(b.ConnectReserved[0].Amount).To(BeZero())
		Expect(b.InstantAvailable).To(BeNil(), "Stripe's example balance has no instant_available")
	})

	It("holds a card payment's net as pending until its available_on, then makes it available", func() {
		pi := pay("", 2000, "usd", "pm_card_visa")
		txn := txnOf("", pi.LatestCharge.ID)
		Expect(txn.Status).To(Equal(stripe.BalanceTransactionStatusPending))
		Expect(txn.AvailableOn).To(Equal(availableOn.Unix()))
		Expect(txn.Fee).To(Equal(int64(88)), "2.9% + 30¢")
		Expect(txn.FeeDetails).To(HaveLen(1))
		Expect(txn.FeeDetails[0].Type).To(Equal("stripe_fee"))
		Expect(txn.Net).To(Equal(int64(1912)))
		Expect(txn.ReportingCategory).To(BeEquivalentTo("charge"))
		Expect(txn.ExchangeRate).To(BeZero())

		b := balance("")
		Expect(in(b.Pending, "usd")).To(Equal(int64(1912)))
		Expect(in(b.Available, "usd")).To(BeZero())

		mark := len(emu.EventTypes(""))
		emu.Clock().Set(availableOn.Add(-time.Second))
		Expect(in(balance("").Pending, "usd")).To(Equal(int64(1912)), "not yet")
		Expect(emu.EventTypes("")[mark:]).To(BeEmpty())

		emu.Clock().Set(availableOn)
		b = balance("")
		Expect(in(b.Pending, "usd")).To(BeZero())
		Expect(in(b.Available, "usd")).To(Equal(int64(1912)))
		Expect(txnOf("", pi.LatestCharge.ID).Status).To(Equal(stripe.BalanceTransactionStatusAvailable), "the transaction follows the clock")
		Expect(emu.EventTypes("")[mark:]).To(Equal([]string{"balance.available"}))
		evs := emu.Events("")
		obj := evs[len(evs)-1]["data"].(map[string]any)["object"].(map[string]any)
		Expect(obj["object"]).To(Equal("balance"))
		Expect(obj["available"].([]any)[0].(map[string]any)["amount"]).To(BeEquivalentTo(1912))
	})

	It("prices a card issued outside the account's country at Stripe's international rate", func() {
		// Stripe's standard US pricing: 2.9% + 30¢, 1.5% more for an
		// international card (what the test cards of other countries are
		// for); fee_details keeps it one stripe_fee line.
		gb := txnOf("", pay("", 10000, "usd", "pm_card_gb").LatestCharge.ID)
		Expect(gb.Fee).To(Equal(int64(470)), "4.4%% + 30¢")
		Expect(gb.Net).To(Equal(int64(9530)))
		Expect(gb.FeeDetails).To(HaveLen(1))
		Expect(gb.FeeDetails[0].Amount).To(Equal(int64(470)))
		Expect(gb.FeeDetails[0].Description).To(Equal("Stripe processing fees"))
		Expect(txnOf("", pay("", 10000, "usd", "pm_card_visa").LatestCharge.ID).Fee).To(Equal(int64(320)), "a US card on a US account is domestic")

		By("judging by the account's own country on a direct charge")
		acct := Seller(emu, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("GB")}).ID
		Expect(txnOf(acct, pay(acct, 10000, "gbp", "pm_card_gb").LatestCharge.ID).Fee).To(Equal(int64(320)), "a GB card on a GB account is domestic")
		Expect(txnOf(acct, pay(acct, 10000, "gbp", "pm_card_visa").LatestCharge.ID).Fee).To(Equal(int64(470)), "a US card on a GB account is international")
	})

	It("takes a partial refund from the available balance at once", func() {
		pi := pay("", 2000, "usd", "pm_card_visa", func(p *stripe.PaymentIntentCreateParams) {
			p.Description = stripe.String("Order 42")
		})
		re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(500)})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.BalanceTransactionRetrieveParams{}
		p.AddExpand("source")
		txn, err := sc.V1BalanceTransactions.Retrieve(Ctx, re.BalanceTransaction.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(txn.Type).To(Equal(stripe.BalanceTransactionTypeRefund))
		Expect(txn.Amount).To(Equal(int64(-500)))
		Expect(txn.Net).To(Equal(int64(-500)))
		Expect(txn.Fee).To(BeZero())
		Expect(txn.Status).To(Equal(stripe.BalanceTransactionStatusAvailable))
		Expect(txn.AvailableOn).To(Equal(txn.Created))
		Expect(txn.Description).To(Equal("REFUND FOR CHARGE (Order 42)"))
		Expect(txn.Source.Refund.ID).To(Equal(re.ID))

		b := balance("")
		Expect(in(b.Available, "usd")).To(Equal(int64(-500)))
		Expect(in(b.Pending, "usd")).To(Equal(int64(1912)))

		emu.Clock().Set(availableOn)
		b = balance("")
		Expect(in(b.Available, "usd")).To(Equal(int64(1412)))
		Expect(in(b.Pending, "usd")).To(BeZero())
	})

	It("keeps each currency apart", func() {
		pay("", 2000, "usd", "pm_card_visa")
		pay("", 1000, "eur", "pm_card_visa")
		pay("", 500, "eur", "pm_card_mastercard")
		b := balance("")
		Expect(b.Pending).To(HaveLen(2))
		Expect(b.Available).To(HaveLen(2), "every currency held is listed in both")
		Expect(in(b.Pending, "usd")).To(Equal(int64(1912)))
		Expect(in(b.Pending, "eur")).To(Equal(int64(941 + 455)))
		Expect(in(b.Available, "eur")).To(BeZero())
		Expect(b.ConnectReserved).To(HaveLen(2))
	})

	It("adds a payment on the card that bypasses the pending balance to the available balance at once", func() {
		mark := len(emu.EventTypes(""))
		pi := pay("", 2000, "usd", "pm_card_bypassPending")
		txn := txnOf("", pi.LatestCharge.ID)
		Expect(txn.Status).To(Equal(stripe.BalanceTransactionStatusAvailable))
		Expect(txn.AvailableOn).To(Equal(txn.Created))
		b := balance("")
		Expect(in(b.Available, "usd")).To(Equal(int64(1912)))
		Expect(in(b.Pending, "usd")).To(BeZero())

		By("telling the account with balance.available, as Stripe does for such a payment")
		Expect(emu.EventTypes("")[mark:]).To(ContainElement("balance.available"))
		var obj map[string]any
		for _, ev := range emu.Events("") {
			if ev["type"] == "balance.available" {
				obj = ev["data"].(map[string]any)["object"].(map[string]any)
			}
		}
		Expect(obj["available"].([]any)[0].(map[string]any)["amount"]).To(BeEquivalentTo(1912))
	})

	It("counts an authorisation only once captured, for the amount captured", func() {
		p := &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Amount: stripe.Int64(2000), Currency: stripe.String("usd"), PaymentMethod: stripe.String("pm_card_visa"),
			Confirm: stripe.Bool(true), CaptureMethod: stripe.String("manual"),
		}
		pi, err := sc.V1PaymentIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(in(balance("").Pending, "usd")).To(BeZero())

		_, err = sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(1500)})
		Expect(err).NotTo(HaveOccurred())
		Expect(in(balance("").Pending, "usd")).To(Equal(int64(1500 - 74)))
	})

	It("types a bank debit's funds payment and its refund payment_refund, as Stripe types payments other than by card", func() {
		// Stripe's reporting categories guide: card charges are type
		// charge, other payment methods' type payment; their refunds
		// refund and payment_refund. The categories are charge and refund
		// for both.
		pi := sepaDebit(sc)
		status, body, err := emu.Call("POST", "/v1/test_helpers/payment_intents/"+pi.ID+"/settle", url.Values{"outcome": {"succeed"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		txn := txnOf("", pi.LatestCharge.ID)
		Expect(txn.Type).To(Equal(stripe.BalanceTransactionTypePayment))
		Expect(txn.ReportingCategory).To(BeEquivalentTo("charge"))
		Expect(txn.Fee).To(Equal(int64(40)), "0.8%")

		re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.BalanceTransactionListParams{Type: stripe.String("payment_refund")}
		refunds := list(p)
		Expect(ids(refunds)).To(Equal([]string{re.BalanceTransaction.ID}))
		Expect(refunds[0].Amount).To(Equal(int64(-1000)))
		Expect(refunds[0].ReportingCategory).To(BeEquivalentTo("refund"))
		Expect(list(&stripe.BalanceTransactionListParams{Type: stripe.String("charge")})).To(BeEmpty(), "no card was charged")
		Expect(list(&stripe.BalanceTransactionListParams{Type: stripe.String("refund")})).To(BeEmpty())

		By("keeping a card's types charge and refund")
		card := pay("", 2000, "usd", "pm_card_visa")
		Expect(txnOf("", card.LatestCharge.ID).Type).To(Equal(stripe.BalanceTransactionTypeCharge))
		re, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(card.ID), Amount: stripe.Int64(100)})
		Expect(err).NotTo(HaveOccurred())
		Expect(ids(list(&stripe.BalanceTransactionListParams{Type: stripe.String("refund")}))).To(Equal([]string{re.BalanceTransaction.ID}))
	})

	Describe("on Connect", Label("connect"), func() {
		var acct string
		BeforeEach(func() {
			acct = Seller(emu, nil).ID
		})

		It("gives a connected account a balance of its own", func() {
			pay("", 2000, "usd", "pm_card_visa")
			direct := pay(acct, 1000, "usd", "pm_card_visa")

			mine := balance(acct)
			Expect(in(mine.Pending, "usd")).To(Equal(int64(941)))
			Expect(mine.ConnectReserved).To(BeNil(), "only a platform holds reserves for connected accounts")
			Expect(in(balance("").Pending, "usd")).To(Equal(int64(1912)), "the platform's is its own too")

			p := &stripe.BalanceTransactionListParams{}
			p.SetStripeAccount(acct)
			txns := list(p)
			Expect(txns).To(HaveLen(1))
			Expect(txns[0].Source.ID).To(Equal(direct.LatestCharge.ID))
			Expect(list(&stripe.BalanceTransactionListParams{})).To(HaveLen(1))

			_, err := sc.V1BalanceTransactions.Retrieve(Ctx, txns[0].ID, nil)
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(404), "one account's transaction is not another's")

			emu.Clock().Set(availableOn)
			Expect(in(balance(acct).Available, "usd")).To(Equal(int64(941)))
			Expect(emu.EventTypes(acct)).To(ContainElement("balance.available"))
		})

		It("starts a connected account's balance in its own default currency", func() {
			a, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("GB")})
			Expect(err).NotTo(HaveOccurred())
			b := balance(a.ID)
			Expect(b.Available).To(HaveLen(1))
			Expect(in(b.Available, "gbp")).To(BeZero())
		})

		It("tells the balances a destination charge's transfer changes on both sides", func() {
			pay("", 2000, "usd", "pm_card_visa", func(p *stripe.PaymentIntentCreateParams) {
				p.TransferData = &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(acct)}
			})
			Expect(in(balance("").Pending, "usd")).To(Equal(int64(1912-2000)), "the charge's net less the transfer: the platform pays Stripe's fee")
			Expect(in(balance(acct).Pending, "usd")).To(Equal(int64(2000)))
			Expect(list(&stripe.BalanceTransactionListParams{})).To(HaveLen(2), "the charge and the transfer")
			p := &stripe.BalanceTransactionListParams{Type: stripe.String("payment")}
			p.SetStripeAccount(acct)
			Expect(list(p)).To(HaveLen(1), "the transfer's payment on the connected account")

			emu.Clock().Set(availableOn)
			Expect(in(balance("").Available, "usd")).To(Equal(int64(-88)))
			Expect(in(balance(acct).Available, "usd")).To(Equal(int64(2000)))
		})

		It("tells the balances a direct charge's application fee changes on both sides", func() {
			pay(acct, 1000, "usd", "pm_card_visa", func(p *stripe.PaymentIntentCreateParams) {
				p.ApplicationFeeAmount = stripe.Int64(100)
			})
			Expect(in(balance(acct).Pending, "usd")).To(Equal(int64(941-100)), "the fee is taken out of the charge")
			Expect(in(balance("").Pending, "usd")).To(Equal(int64(100)))
		})
	})

	Describe("GET /v1/balance_transactions", func() {
		var usd, eur *stripe.PaymentIntent
		var refund *stripe.Refund
		BeforeEach(func() {
			usd = pay("", 2000, "usd", "pm_card_visa")
			emu.Clock().Advance(time.Minute)
			eur = pay("", 1000, "eur", "pm_card_visa")
			emu.Clock().Advance(time.Minute)
			var err error
			refund, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(usd.ID), Amount: stripe.Int64(300)})
			Expect(err).NotTo(HaveOccurred())
		})

		It("lists newest first, page by page", func() {
			all := list(&stripe.BalanceTransactionListParams{})
			Expect(all).To(HaveLen(3))
			Expect(all[0].ID).To(Equal(refund.BalanceTransaction.ID))
			Expect(all[1].Source.ID).To(Equal(eur.LatestCharge.ID))
			Expect(all[2].Source.ID).To(Equal(usd.LatestCharge.ID))

			p := &stripe.BalanceTransactionListParams{}
			p.Limit = stripe.Int64(1)
			Expect(ids(list(p))).To(Equal(ids(all)), "pages of one, each after the last")

			r := Do(emu.URL(), "GET", "/v1/balance_transactions?limit=1&ending_before="+all[2].ID, "")
			Expect(r.Status).To(Equal(200))
			Expect(r.Body["has_more"]).To(BeTrue())
			Expect(r.Body["url"]).To(Equal("/v1/balance_transactions"))
			Expect(r.Body["data"].([]any)[0].(map[string]any)["id"]).To(Equal(all[1].ID))
		})

		It("filters by type, source, currency and created, together", func() {
			p := &stripe.BalanceTransactionListParams{Type: stripe.String("charge")}
			Expect(ids(list(p))).To(Equal([]string{txnOf("", eur.LatestCharge.ID).ID, txnOf("", usd.LatestCharge.ID).ID}))
			p = &stripe.BalanceTransactionListParams{Type: stripe.String("refund")}
			Expect(ids(list(p))).To(Equal([]string{refund.BalanceTransaction.ID}))
			p = &stripe.BalanceTransactionListParams{Source: stripe.String(usd.LatestCharge.ID)}
			Expect(ids(list(p))).To(Equal([]string{txnOf("", usd.LatestCharge.ID).ID}))
			p = &stripe.BalanceTransactionListParams{Currency: stripe.String("usd")}
			Expect(list(p)).To(HaveLen(2))
			p = &stripe.BalanceTransactionListParams{Currency: stripe.String("USD")}
			Expect(list(p)).To(HaveLen(2), "a currency in capitals is the same currency, as everywhere in Stripe's API")
			p = &stripe.BalanceTransactionListParams{Currency: stripe.String("usd"), Type: stripe.String("charge")}
			Expect(ids(list(p))).To(Equal([]string{txnOf("", usd.LatestCharge.ID).ID}), "filters combine")
			p = &stripe.BalanceTransactionListParams{Currency: stripe.String("eur"), Type: stripe.String("refund")}
			Expect(list(p)).To(BeEmpty())
			p = &stripe.BalanceTransactionListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThan: Epoch.Unix()}}
			Expect(list(p)).To(HaveLen(2))
		})

		It("refuses unknown types and payouts, which are not emulated", func() {
			err := listErr(&stripe.BalanceTransactionListParams{Type: stripe.String("chargez")})
			Expect(StripeErr(err).Param).To(Equal("type"))
			err = listErr(&stripe.BalanceTransactionListParams{Payout: stripe.String("po_123")})
			Expect(StripeErr(err).Msg).To(Equal("No such payout: 'po_123'"))
		})

		It("expands each transaction's source", func() {
			p := &stripe.BalanceTransactionListParams{}
			p.AddExpand("data.source")
			all := list(p)
			Expect(all[0].Source.Type).To(Equal(stripe.BalanceTransactionSourceTypeRefund))
			Expect(all[0].Source.Refund.Amount).To(Equal(int64(300)))
			Expect(all[1].Source.Type).To(Equal(stripe.BalanceTransactionSourceTypeCharge))
			Expect(all[1].Source.Charge.Currency).To(Equal(stripe.CurrencyEUR))
			Expect(all[2].Source.Charge.PaymentIntent.ID).To(Equal(usd.ID))
		})
	})
})
