package payments_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Disputes", Label("payments", "disputes"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }

	pay := func(pm string, edit ...func(*stripe.PaymentIntentCreateParams)) *stripe.PaymentIntent {
		GinkgoHelper()
		p := &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Amount: stripe.Int64(4200), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true),
		}
		for _, e := range edit {
			e(p)
		}
		pi, err := sc.V1PaymentIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return pi
	}
	disputesOf := func(p *stripe.DisputeListParams) []*stripe.Dispute {
		GinkgoHelper()
		var out []*stripe.Dispute
		for d, err := range sc.V1Disputes.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, d)
		}
		return out
	}
	disputeOf := func(pi *stripe.PaymentIntent) *stripe.Dispute {
		GinkgoHelper()
		ds := disputesOf(&stripe.DisputeListParams{PaymentIntent: stripe.String(pi.ID)})
		Expect(ds).To(HaveLen(1))
		return ds[0]
	}
	// balances are the account's available and pending USD; balance is
	// their sum, less the pending net of the payments made (paid each).
	balances := func() (available, pending int64) {
		GinkgoHelper()
		b, err := sc.V1Balance.Retrieve(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		for _, a := range b.Available {
			if a.Currency == "usd" {
				available = a.Amount
			}
		}
		for _, a := range b.Pending {
			if a.Currency == "usd" {
				pending = a.Amount
			}
		}
		return available, pending
	}
	// paid is a 42.00 card payment's net (less 2.9% + 30¢), pending
	// like the dispute's balance transactions until the payout delay
	// passes.
	const paid = 4200 - 152
	balance := func() int64 {
		GinkgoHelper()
		available, pending := balances()
		return available + pending
	}
	update := func(id string, p *stripe.DisputeUpdateParams) (*stripe.Dispute, error) {
		return sc.V1Disputes.Update(Ctx, id, p)
	}
	evidence := func(text string) *stripe.DisputeUpdateParams {
		return &stripe.DisputeUpdateParams{Evidence: &stripe.DisputeUpdateEvidenceParams{UncategorizedText: stripe.String(text)}}
	}
	// stripeFees are the account's separately billed Stripe fees, oldest
	// first: where the dispute countered fee, and its return, are.
	stripeFees := func() []*stripe.BalanceTransaction {
		GinkgoHelper()
		var out []*stripe.BalanceTransaction
		for t, err := range sc.V1BalanceTransactions.List(Ctx, &stripe.BalanceTransactionListParams{Type: stripe.String("stripe_fee")}) {
			Expect(err).NotTo(HaveOccurred())
			out = append([]*stripe.BalanceTransaction{t}, out...)
		}
		return out
	}

	It("opens a fraudulent chargeback on a payment with pm_card_createDispute, withdrawing amount and fee", func() {
		mark := len(emu.EventTypes(""))
		pi := pay("pm_card_createDispute", func(p *stripe.PaymentIntentCreateParams) {
			p.AutomaticPaymentMethods = &stripe.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true), AllowRedirects: stripe.String("never")}
		})
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "charge.succeeded", "payment_intent.succeeded",
			"charge.updated", "charge.dispute.created", "charge.dispute.funds_withdrawn"}))

		cp := &stripe.ChargeRetrieveParams{}
		cp.AddExpand("balance_transaction")
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, cp)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.Disputed).To(BeTrue())

		du := disputeOf(pi)
		Expect(du.ID).To(HavePrefix("dp_"))
		Expect(du.Object).To(Equal("dispute"))
		Expect(du.Amount).To(Equal(int64(4200)))
		Expect(du.Currency).To(Equal(stripe.CurrencyUSD))
		Expect(du.Charge.ID).To(Equal(ch.ID))
		Expect(du.PaymentIntent.ID).To(Equal(pi.ID))
		Expect(du.Reason).To(Equal(stripe.DisputeReasonFraudulent))
		Expect(du.Status).To(Equal(stripe.DisputeStatusNeedsResponse))
		Expect(du.IsChargeRefundable).To(BeFalse())
		Expect(du.Created).To(Equal(Epoch.Unix()))
		Expect(du.EnhancedEligibilityTypes).To(BeEmpty())
		Expect(du.Evidence.UncategorizedText).To(BeEmpty())
		Expect(du.Evidence.Receipt).To(BeNil())
		Expect(du.EvidenceDetails.DueBy).To(Equal(time.Date(2025, 9, 8, 23, 59, 59, 0, time.UTC).Unix()))
		Expect(du.EvidenceDetails.HasEvidence).To(BeFalse())
		Expect(du.EvidenceDetails.PastDue).To(BeFalse())
		Expect(du.EvidenceDetails.SubmissionCount).To(BeZero())
		Expect(du.PaymentMethodDetails.Type).To(Equal(stripe.DisputePaymentMethodDetailsTypeCard))
		Expect(du.PaymentMethodDetails.Card.Brand).To(Equal("visa"))
		Expect(du.PaymentMethodDetails.Card.CaseType).To(Equal(stripe.DisputePaymentMethodDetailsCardCaseTypeChargeback))
		Expect(du.PaymentMethodDetails.Card.NetworkReasonCode).To(Equal("10.4"))

		Expect(du.BalanceTransactions).To(HaveLen(1))
		txn := du.BalanceTransactions[0]
		Expect(txn.Type).To(Equal(stripe.BalanceTransactionTypeAdjustment))
		Expect(string(txn.ReportingCategory)).To(Equal("dispute"))
		Expect(txn.Amount).To(Equal(int64(-4200)))
		Expect(txn.Fee).To(Equal(int64(1500)))
		Expect(txn.Net).To(Equal(int64(-5700)))
		Expect(txn.Source.ID).To(Equal(du.ID))
		// Pending, as the payment's own funds are, until the account's
		// payout delay has passed.
		Expect(txn.Status).To(Equal(stripe.BalanceTransactionStatusPending))
		Expect(txn.AvailableOn).To(Equal(ch.BalanceTransaction.AvailableOn))
		available, pending := balances()
		Expect(available).To(BeZero())
		Expect(pending).To(Equal(int64(paid - 5700)))

		// The withdrawal is a balance transaction of its own, whose source
		// expands to the dispute.
		p := &stripe.BalanceTransactionRetrieveParams{}
		p.AddExpand("source")
		got, err := sc.V1BalanceTransactions.Retrieve(Ctx, txn.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Source.Type).To(Equal(stripe.BalanceTransactionSourceTypeDispute))
		Expect(got.Source.Dispute.ID).To(Equal(du.ID))

		evs := emu.Events("")
		created := evs[len(evs)-2]["data"].(map[string]any)["object"].(map[string]any)
		Expect(created["id"]).To(Equal(du.ID))
		Expect(created["balance_transactions"]).To(HaveLen(1), "a chargeback is opened with its withdrawal")
		withdrawn := evs[len(evs)-1]["data"].(map[string]any)["object"].(map[string]any)
		Expect(withdrawn["balance_transactions"]).To(HaveLen(1))

		// The withdrawal becomes available with the payment's funds.
		emu.Clock().Advance(3 * 24 * time.Hour)
		Eventually(func() int64 { a, _ := balances(); return a }).Should(Equal(int64(paid - 5700)))
		got, err = sc.V1BalanceTransactions.Retrieve(Ctx, txn.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.BalanceTransactionStatusAvailable))
	})

	It("opens a product_not_received dispute when a manual capture is captured, not before", func() {
		pi := pay("pm_card_createDisputeProductNotReceived", func(p *stripe.PaymentIntentCreateParams) {
			p.CaptureMethod = stripe.String("manual")
		})
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
		Expect(disputesOf(nil)).To(BeEmpty())
		_, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(3000)})
		Expect(err).NotTo(HaveOccurred())
		du := disputeOf(pi)
		Expect(du.Reason).To(Equal(stripe.DisputeReasonProductNotReceived))
		Expect(du.Amount).To(Equal(int64(3000)))
		Expect(du.PaymentMethodDetails.Card.NetworkReasonCode).To(Equal("13.1"))
		Expect(emu.EventTypes("")[len(emu.EventTypes(""))-2:]).To(Equal([]string{"charge.dispute.created", "charge.dispute.funds_withdrawn"}))
	})

	It("opens a dispute from the raw card number too", func() {
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"),
			Card: &stripe.PaymentMethodCreateCardParams{Number: stripe.String("4000000000000259"), ExpMonth: stripe.Int64(12), ExpYear: stripe.Int64(2030), CVC: stripe.String("123")}})
		Expect(err).NotTo(HaveOccurred())
		disputeOf(pay(pm.ID))
	})

	It("opens no dispute for an ordinary card", func() {
		pi := pay("pm_card_visa")
		Expect(disputesOf(nil)).To(BeEmpty())
		ch, _ := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(ch.Disputed).To(BeFalse())
	})

	It("opens an inquiry with pm_card_createDisputeInquiry: no funds move and the charge stays refundable", func() {
		mark := len(emu.EventTypes(""))
		pi := pay("pm_card_createDisputeInquiry")
		Expect(eventsSince(mark)[len(eventsSince(mark))-1]).To(Equal("charge.dispute.created"))
		du := disputeOf(pi)
		Expect(du.Status).To(Equal(stripe.DisputeStatusWarningNeedsResponse))
		Expect(du.PaymentMethodDetails.Card.CaseType).To(Equal(stripe.DisputePaymentMethodDetailsCardCaseTypeInquiry))
		Expect(du.IsChargeRefundable).To(BeTrue())
		Expect(du.BalanceTransactions).To(BeEmpty())
		Expect(balance()).To(Equal(int64(paid)))
		_, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(pi.LatestCharge.ID)})
		Expect(err).NotTo(HaveOccurred())
	})

	It("refuses a further refund of an inquiry's fully refunded charge as already refunded: it was never charged back", func() {
		pi := pay("pm_card_createDisputeInquiry")
		_, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(disputeOf(pi).IsChargeRefundable).To(BeFalse())
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(100)})
		ExpectStripeError(err, 400, "invalid_request_error", "charge_already_refunded", "")
		Expect(StripeErr(err).Msg).To(Equal("Charge " + pi.LatestCharge.ID + " has already been refunded."))
		Expect(emu.Count("", "refund")).To(Equal(1))
	})

	It("refuses to refund a charged-back charge", func() {
		pi := pay("pm_card_createDispute")
		_, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID)})
		Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCode("charge_disputed")))
		Expect(emu.Count("", "refund")).To(BeZero())
	})

	// Integrations built on Stripe (WooCommerce Payments, GOV.UK Pay) refund
	// a charge again once its chargeback is won: the money came back.
	It("refunds a charge whose chargeback was won, as the funds came back; a lost one's stays refused", func() {
		lostPI := pay("pm_card_createDispute")
		_, err := update(disputeOf(lostPI).ID, evidence("losing_evidence"))
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(lostPI.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "charge_disputed", "charge")
		Expect(disputeOf(lostPI).IsChargeRefundable).To(BeFalse())

		wonPI := pay("pm_card_createDispute")
		won, err := update(disputeOf(wonPI).ID, evidence("winning_evidence"))
		Expect(err).NotTo(HaveOccurred())
		Expect(won.IsChargeRefundable).To(BeTrue())
		before := balance()
		mark := len(emu.EventTypes(""))
		rf, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(wonPI.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(rf.Amount).To(Equal(int64(4200)))
		Expect(balance()).To(Equal(before - 4200))
		Expect(eventsSince(mark)).To(ContainElement("charge.dispute.updated"))
		Expect(disputeOf(wonPI).IsChargeRefundable).To(BeFalse(), "refunded in full: nothing left to refund")
		Expect(disputeOf(wonPI).Status).To(Equal(stripe.DisputeStatusWon))
		Expect(emu.Count("", "refund")).To(Equal(1))
	})

	// Since 17 June 2025 Stripe keeps its dispute received fee whatever the
	// outcome; countering a chargeback costs a dispute countered fee, which
	// comes back only when the dispute is won.
	It("wins a chargeback with winning_evidence: the amount and the countered fee come back, the dispute fee does not", func() {
		du := disputeOf(pay("pm_card_createDispute"))
		mark := len(emu.EventTypes(""))
		p := evidence("winning_evidence")
		p.Evidence.CustomerName = stripe.String("Jenny Rosen")
		p.AddMetadata("case", "42")
		won, err := update(du.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(won.Status).To(Equal(stripe.DisputeStatusWon))
		Expect(won.Evidence.UncategorizedText).To(Equal("winning_evidence"))
		Expect(won.Evidence.CustomerName).To(Equal("Jenny Rosen"))
		Expect(won.Metadata).To(Equal(map[string]string{"case": "42"}))
		Expect(won.EvidenceDetails.HasEvidence).To(BeTrue())
		Expect(won.EvidenceDetails.SubmissionCount).To(Equal(int64(1)))
		Expect(won.EvidenceDetails.PastDue).To(BeFalse())
		Expect(won.BalanceTransactions).To(HaveLen(2))
		back := won.BalanceTransactions[1]
		Expect(back.Type).To(Equal(stripe.BalanceTransactionTypeAdjustment))
		Expect(string(back.ReportingCategory)).To(Equal("dispute_reversal"))
		Expect(back.Amount).To(Equal(int64(4200)))
		Expect(back.Fee).To(BeZero())
		Expect(back.FeeDetails).To(BeEmpty())
		Expect(back.Net).To(Equal(int64(4200)))
		Expect(back.Status).To(Equal(stripe.BalanceTransactionStatusPending))
		Expect(back.AvailableOn).To(Equal(won.BalanceTransactions[0].AvailableOn))
		fees := stripeFees()
		Expect(fees).To(HaveLen(2))
		for i, want := range []int64{-1500, 1500} {
			Expect(fees[i].Amount).To(Equal(want))
			Expect(fees[i].Net).To(Equal(want))
			Expect(fees[i].Fee).To(BeZero())
			Expect(string(fees[i].ReportingCategory)).To(Equal("fee"))
			Expect(fees[i].Currency).To(Equal(stripe.CurrencyUSD))
			Expect(fees[i].Status).To(Equal(stripe.BalanceTransactionStatusAvailable))
		}
		Expect(fees[0].Description).To(Equal("Card Dispute Countered Fee (2025-09-01)"))
		Expect(balance()).To(Equal(int64(paid-1500)), "only the dispute received fee is kept")
		Expect(eventsSince(mark)).To(Equal([]string{"charge.dispute.updated", "charge.dispute.closed", "charge.dispute.funds_reinstated"}))
		evs := emu.Events("")
		upd := evs[mark]
		Expect(upd["data"].(map[string]any)["object"].(map[string]any)["status"]).To(Equal("under_review"))
		Expect(upd["data"].(map[string]any)["previous_attributes"].(map[string]any)["status"]).To(Equal("needs_response"))

		again, err := sc.V1Disputes.Retrieve(Ctx, du.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Status).To(Equal(stripe.DisputeStatusWon))

		// Closed: no more evidence, no closing.
		_, err = update(du.ID, evidence("more"))
		Expect(StripeErr(err).Type).To(Equal(stripe.ErrorTypeInvalidRequest))
		Expect(StripeErr(err).Msg).To(ContainSubstring("closed"))
		_, err = sc.V1Disputes.Close(Ctx, du.ID, nil)
		Expect(StripeErr(err).Msg).To(ContainSubstring("closed"))
	})

	It("takes no countered fee from a business in Japan or Mexico, where Stripe's docs exempt it", func() {
		for _, country := range []string{"JP", "MX"} {
			acct := Seller(emu, &stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String(country)})
			p := &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
				Amount: stripe.Int64(4200), Currency: stripe.String("usd"),
				PaymentMethod: stripe.String("pm_card_createDispute"), Confirm: stripe.Bool(true),
			}
			p.SetStripeAccount(acct.ID)
			pi, err := sc.V1PaymentIntents.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			lp := &stripe.DisputeListParams{PaymentIntent: stripe.String(pi.ID)}
			lp.SetStripeAccount(acct.ID)
			var du *stripe.Dispute
			for d, err := range sc.V1Disputes.List(Ctx, lp) {
				Expect(err).NotTo(HaveOccurred())
				du = d
			}
			Expect(du).NotTo(BeNil())
			up := evidence("winning_evidence")
			up.SetStripeAccount(acct.ID)
			won, err := sc.V1Disputes.Update(Ctx, du.ID, up)
			Expect(err).NotTo(HaveOccurred())
			Expect(won.Status).To(Equal(stripe.DisputeStatusWon))
			tp := &stripe.BalanceTransactionListParams{Type: stripe.String("stripe_fee")}
			tp.SetStripeAccount(acct.ID)
			for t, err := range sc.V1BalanceTransactions.List(Ctx, tp) {
				Expect(err).NotTo(HaveOccurred())
				Fail(country + ": a countered fee was taken: " + t.ID)
			}
		}
		Expect(stripeFees()).To(BeEmpty())
	})

	It("loses a chargeback with losing_evidence: nothing comes back, the countered fee neither", func() {
		du := disputeOf(pay("pm_card_createDispute"))
		mark := len(emu.EventTypes(""))
		lost, err := update(du.ID, evidence("losing_evidence"))
		Expect(err).NotTo(HaveOccurred())
		Expect(lost.Status).To(Equal(stripe.DisputeStatusLost))
		Expect(lost.BalanceTransactions).To(HaveLen(1))
		fees := stripeFees()
		Expect(fees).To(HaveLen(1))
		Expect(fees[0].Amount).To(Equal(int64(-1500)))
		Expect(balance()).To(Equal(int64(paid - 7200)))
		Expect(eventsSince(mark)).To(Equal([]string{"charge.dispute.updated", "charge.dispute.closed"}))
	})

	It("puts other evidence under review, after staging it with submit=false", func() {
		du := disputeOf(pay("pm_card_createDispute"))
		p := evidence("The customer signed for it.")
		p.Submit = stripe.Bool(false)
		staged, err := update(du.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(staged.Status).To(Equal(stripe.DisputeStatusNeedsResponse))
		Expect(staged.EvidenceDetails.HasEvidence).To(BeTrue())
		Expect(staged.EvidenceDetails.SubmissionCount).To(BeZero())
		Expect(stripeFees()).To(BeEmpty(), "staged evidence counters nothing yet")

		mark := len(emu.EventTypes(""))
		sub, err := update(du.ID, &stripe.DisputeUpdateParams{Submit: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.DisputeStatusUnderReview))
		Expect(sub.Evidence.UncategorizedText).To(Equal("The customer signed for it."))
		Expect(sub.EvidenceDetails.SubmissionCount).To(Equal(int64(1)))
		Expect(eventsSince(mark)).To(Equal([]string{"charge.dispute.updated"}))
		Expect(stripeFees()).To(HaveLen(1), "submitting evidence counters the chargeback")
		Expect(balance()).To(Equal(int64(paid - 7200)))

		_, err = update(du.ID, evidence("winning_evidence"))
		Expect(StripeErr(err).Msg).To(ContainSubstring("under review"))
		_, err = sc.V1Disputes.Close(Ctx, du.ID, nil)
		Expect(StripeErr(err).Msg).To(ContainSubstring("under review"))
		// Metadata can still change.
		mp := &stripe.DisputeUpdateParams{}
		mp.AddMetadata("note", "waiting")
		m, err := update(du.ID, mp)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Metadata).To(HaveKeyWithValue("note", "waiting"))
	})

	It("takes submit=true with no evidence as a submission, as the README says (Stripe's answer is undocumented)", func() {
		du := disputeOf(pay("pm_card_createDispute"))
		sub, err := update(du.ID, &stripe.DisputeUpdateParams{Submit: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.DisputeStatusUnderReview))
		Expect(sub.EvidenceDetails.HasEvidence).To(BeFalse())
		Expect(sub.EvidenceDetails.SubmissionCount).To(Equal(int64(1)))
		Expect(stripeFees()).To(HaveLen(1), "it counters the chargeback")
	})
	It("marks evidence submitted after due_by as past_due", func() {
		du := disputeOf(pay("pm_card_createDispute"))
		p := evidence("on time")
		p.Submit = stripe.Bool(false)
		staged, err := update(du.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(staged.EvidenceDetails.PastDue).To(BeFalse())
		emu.Clock().Advance(8 * 24 * time.Hour)
		late, err := update(du.ID, &stripe.DisputeUpdateParams{Submit: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(late.EvidenceDetails.PastDue).To(BeTrue())
		Expect(late.Status).To(Equal(stripe.DisputeStatusUnderReview))
	})

	It("closes an inquiry with winning evidence", func() {
		du := disputeOf(pay("pm_card_createDisputeInquiry"))
		closed, err := update(du.ID, evidence("winning_evidence"))
		Expect(err).NotTo(HaveOccurred())
		Expect(closed.Status).To(Equal(stripe.DisputeStatusWarningClosed))
		Expect(closed.BalanceTransactions).To(BeEmpty())
		Expect(emu.EventTypes("")[len(emu.EventTypes(""))-1]).To(Equal("charge.dispute.closed"))
	})

	It("closes an inquiry with losing evidence, without escalating it", func() {
		du := disputeOf(pay("pm_card_createDisputeInquiry"))
		mark := len(emu.EventTypes(""))
		closed, err := update(du.ID, evidence("losing_evidence"))
		Expect(err).NotTo(HaveOccurred())
		Expect(closed.Status).To(Equal(stripe.DisputeStatusWarningClosed))
		Expect(closed.BalanceTransactions).To(BeEmpty())
		Expect(closed.IsChargeRefundable).To(BeTrue())
		Expect(balance()).To(Equal(int64(paid)))
		Expect(stripeFees()).To(BeEmpty(), "answering an inquiry costs nothing")
		Expect(eventsSince(mark)).To(Equal([]string{"charge.dispute.updated", "charge.dispute.closed"}))
	})

	It("escalates an inquiry to a chargeback with escalate_inquiry_evidence, withdrawing amount and fee", func() {
		pi := pay("pm_card_createDisputeInquiry")
		du := disputeOf(pi)
		mark := len(emu.EventTypes(""))
		esc, err := update(du.ID, evidence("escalate_inquiry_evidence"))
		Expect(err).NotTo(HaveOccurred())
		Expect(esc.Status).To(Equal(stripe.DisputeStatusNeedsResponse))
		Expect(esc.PaymentMethodDetails.Card.CaseType).To(Equal(stripe.DisputePaymentMethodDetailsCardCaseTypeChargeback))
		Expect(esc.IsChargeRefundable).To(BeFalse())
		Expect(esc.BalanceTransactions).To(HaveLen(1))
		out := esc.BalanceTransactions[0]
		Expect(out.Amount).To(Equal(int64(-4200)))
		Expect(out.Fee).To(Equal(int64(1500)))
		Expect(out.Net).To(Equal(int64(-5700)))
		Expect(string(out.ReportingCategory)).To(Equal("dispute"))
		Expect(out.Status).To(Equal(stripe.BalanceTransactionStatusPending))
		Expect(balance()).To(Equal(int64(paid - 5700)))
		Expect(eventsSince(mark)).To(Equal([]string{"charge.dispute.updated", "charge.dispute.updated", "charge.dispute.funds_withdrawn"}))
		escalated := emu.Events("")[len(emu.Events(""))-2]["data"].(map[string]any)["object"].(map[string]any)
		Expect(escalated["status"]).To(Equal("needs_response"))
		Expect(escalated["balance_transactions"]).To(HaveLen(1), "escalated with its withdrawal")

		// Now a chargeback: the charge cannot be refunded, and the
		// dispute is answered (and won) as any chargeback.
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID)})
		Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCode("charge_disputed")))
		won, err := update(du.ID, evidence("winning_evidence"))
		Expect(err).NotTo(HaveOccurred())
		Expect(won.Status).To(Equal(stripe.DisputeStatusWon))
		Expect(won.BalanceTransactions).To(HaveLen(2))
		Expect(stripeFees()).To(HaveLen(2))
		Expect(balance()).To(Equal(int64(paid - 1500)))
	})

	It("sends an early fraud warning for pm_card_createIssuerFraudRecord, opening no dispute", func() {
		pay("pm_card_createIssuerFraudRecord")
		Expect(emu.EventTypes("")).To(ContainElement("radar.early_fraud_warning.created"))
		Expect(disputesOf(nil)).To(BeEmpty())
	})

	It("records disputes and early fraud warnings as the card network's doing: their events name no request and no idempotency key", func() {
		since := emu.Clock().Now().Unix()
		for _, pm := range []string{"pm_card_createDispute", "pm_card_createIssuerFraudRecord"} {
			p := &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
				Amount: stripe.Int64(4200), Currency: stripe.String("usd"),
				PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true),
			}
			p.SetIdempotencyKey("pay-" + pm)
			_, err := sc.V1PaymentIntents.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
		}
		network := map[string]bool{}
		for ev, err := range sc.V1Events.List(Ctx, &stripe.EventListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: since}}) {
			Expect(err).NotTo(HaveOccurred())
			switch ev.Type {
			case "charge.dispute.created", "charge.dispute.funds_withdrawn", "radar.early_fraud_warning.created":
				network[string(ev.Type)] = true
				Expect(ev.Request.ID).To(BeEmpty(), string(ev.Type))
				Expect(ev.Request.IdempotencyKey).To(BeEmpty(), string(ev.Type))
			case "payment_intent.succeeded":
				// The merchant's own payment still names its request.
				Expect(ev.Request.ID).To(HavePrefix("req_"))
				Expect(ev.Request.IdempotencyKey).To(HavePrefix("pay-pm_card_"))
			}
		}
		Expect(network).To(HaveLen(3))
	})

	It("records the network's decision on submitted evidence as its own: closing, reinstating and escalating events name no request", func() {
		won := disputeOf(pay("pm_card_createDispute"))
		inquiry := disputeOf(pay("pm_card_createDisputeInquiry"))
		emu.Clock().Advance(time.Minute)
		since := emu.Clock().Now().Unix()
		_, err := update(won.ID, evidence("winning_evidence"))
		Expect(err).NotTo(HaveOccurred())
		_, err = update(inquiry.ID, evidence("escalate_inquiry_evidence"))
		Expect(err).NotTo(HaveOccurred())
		var seen []string
		for ev, err := range sc.V1Events.List(Ctx, &stripe.EventListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: since}}) {
			Expect(err).NotTo(HaveOccurred())
			var du stripe.Dispute
			Expect(json.Unmarshal(ev.Data.Raw, &du)).To(Succeed())
			status := string(ev.Type) + " " + string(du.Status)
			seen = append(seen, status)
			if status == "charge.dispute.updated under_review" || status == "charge.dispute.updated warning_under_review" {
				// The merchant's submission names its request.
				Expect(ev.Request.ID).To(HavePrefix("req_"), status)
				continue
			}
			Expect(ev.Request.ID).To(BeEmpty(), status)
		}
		Expect(seen).To(ConsistOf("charge.dispute.updated under_review", "charge.dispute.closed won", "charge.dispute.funds_reinstated won",
			"charge.dispute.updated warning_under_review", "charge.dispute.updated needs_response", "charge.dispute.funds_withdrawn needs_response"))
	})

	It("refuses Stripe's other dispute test cards, naming what is not emulated, rather than paying without a dispute", func() {
		for _, pm := range []string{"pm_card_createMultipleDisputes", "pm_card_createCe3EligibleDispute", "pm_card_createComplianceDispute",
			"pm_card_createMastercardComplianceDispute", "pm_card_createAutoRepresentmentEligibleDispute",
			"pm_card_createRapidDisputeResolutionDispute", "pm_card_createCe3BlockDispute", "pm_card_createEthocaAlert"} {
			_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(4200), Currency: stripe.String("usd"), PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true),
				ReturnURL: stripe.String("https://example.com/return"),
			})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method")
			Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate"), pm)
		}
		for _, number := range []string{"4000000404000079", "4000000404000038", "4000008400000779", "5105008400000002",
			"4000000001000043", "4000000404004816", "4000000404005649", "5105000300000018"} {
			_, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"),
				Card: &stripe.PaymentMethodCreateCardParams{Number: stripe.String(number), ExpMonth: stripe.Int64(12), ExpYear: stripe.Int64(2030)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "card[number]")
			Expect(StripeErr(err).Msg).To(ContainSubstring(number))
		}
		var ch stripe.Charge
		err := Legacy(emu, "POST", "/v1/charges", "amount=4200&currency=usd&source=tok_createMultipleDisputes", &ch)
		ExpectStripeError(err, 400, "invalid_request_error", "", "source")
		Expect(emu.Count("", "payment_intent")).To(BeZero())
		Expect(emu.Count("", "payment_method")).To(BeZero())
		Expect(emu.Count("", "charge")).To(BeZero())
	})

	// Stripe's is_charge_refundable: "After the payment has been fully
	// refunded, no further funds are withdrawn from your Stripe account as
	// a result of this dispute."
	It("withdraws nothing when an inquiry on a fully refunded charge escalates, and gives nothing back when it is won", func() {
		pi := pay("pm_card_createDisputeInquiry")
		du := disputeOf(pi)
		mark := len(emu.EventTypes(""))
		_, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(eventsSince(mark)).To(Equal([]string{"refund.created", "charge.refunded"}), "a partial refund leaves the rest refundable")
		partly, err := sc.V1Disputes.Retrieve(Ctx, du.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(partly.IsChargeRefundable).To(BeTrue())

		mark = len(emu.EventTypes(""))
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(eventsSince(mark)).To(Equal([]string{"refund.created", "charge.refunded", "charge.dispute.updated"}))
		upd := emu.Events("")[len(emu.Events(""))-1]["data"].(map[string]any)
		Expect(upd["previous_attributes"]).To(Equal(map[string]any{"is_charge_refundable": true}))
		refunded, err := sc.V1Disputes.Retrieve(Ctx, du.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(refunded.IsChargeRefundable).To(BeFalse(), "nothing is left to refund")
		Expect(refunded.Status).To(Equal(stripe.DisputeStatusWarningNeedsResponse))
		Expect(balance()).To(Equal(int64(paid-4200)), "the refund")

		mark = len(emu.EventTypes(""))
		esc, err := update(du.ID, evidence("escalate_inquiry_evidence"))
		Expect(err).NotTo(HaveOccurred())
		Expect(esc.Status).To(Equal(stripe.DisputeStatusNeedsResponse))
		Expect(esc.PaymentMethodDetails.Card.CaseType).To(Equal(stripe.DisputePaymentMethodDetailsCardCaseTypeChargeback))
		Expect(esc.BalanceTransactions).To(BeEmpty())
		Expect(eventsSince(mark)).To(Equal([]string{"charge.dispute.updated", "charge.dispute.updated"}))
		Expect(balance()).To(Equal(int64(paid-4200)), "neither the amount nor the dispute fee is taken again")

		mark = len(emu.EventTypes(""))
		won, err := update(du.ID, evidence("winning_evidence"))
		Expect(err).NotTo(HaveOccurred())
		Expect(won.Status).To(Equal(stripe.DisputeStatusWon))
		Expect(won.BalanceTransactions).To(BeEmpty(), "nothing was withdrawn, so nothing is reinstated")
		Expect(eventsSince(mark)).To(Equal([]string{"charge.dispute.updated", "charge.dispute.closed"}))
		Expect(balance()).To(Equal(int64(paid-4200)), "the countered fee was taken and returned")
	})

	It("opens a destination charge's dispute on the platform, debiting it, and a direct charge's on the connected account", func() {
		// Stripe's Connect disputes guide: with destination charges the
		// platform's balance is debited; with direct charges the
		// connected account's.
		seller := Seller(emu, nil).ID
		mark, sellerMark := len(emu.EventTypes("")), len(emu.EventTypes(seller))
		pi := pay("pm_card_createDispute", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodTypes = stripe.StringSlice([]string{"card"})
			p.TransferData = &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller)}
		})
		du := disputeOf(pi)
		Expect(du.Status).To(Equal(stripe.DisputeStatusNeedsResponse))
		Expect(du.BalanceTransactions).To(HaveLen(1))
		Expect(du.BalanceTransactions[0].Net).To(Equal(int64(-5700)))
		Expect(balance()).To(Equal(int64(paid-4200-5700)), "the platform paid the transfer and bears the dispute")
		Expect(eventsSince(mark)).To(ContainElements("charge.dispute.created", "charge.dispute.funds_withdrawn"))
		Expect(emu.EventTypes(seller)[sellerMark:]).NotTo(ContainElement(HavePrefix("charge.dispute.")))
		Expect(emu.Count(seller, "dispute")).To(BeZero())

		p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(3000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_createDispute"), Confirm: stripe.Bool(true)}
		p.SetStripeAccount(seller)
		direct, err := sc.V1PaymentIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		lp := &stripe.DisputeListParams{PaymentIntent: stripe.String(direct.ID)}
		lp.SetStripeAccount(seller)
		var got []*stripe.Dispute
		for d, err := range sc.V1Disputes.List(Ctx, lp) {
			Expect(err).NotTo(HaveOccurred())
			got = append(got, d)
		}
		Expect(got).To(HaveLen(1))
		Expect(got[0].BalanceTransactions[0].Net).To(Equal(int64(-4500)))
		Expect(emu.EventTypes(seller)).To(ContainElements("charge.dispute.created", "charge.dispute.funds_withdrawn"))
		Expect(disputesOf(&stripe.DisputeListParams{PaymentIntent: stripe.String(direct.ID)})).To(BeEmpty(), "not the platform's")
		Expect(balance()).To(Equal(int64(paid-4200-5700)), "the platform's balance is untouched by the direct charge's dispute")
	})
	It("accepts a chargeback on close (lost) and closes an inquiry (warning_closed)", func() {
		du := disputeOf(pay("pm_card_createDispute"))
		mark := len(emu.EventTypes(""))
		lost, err := sc.V1Disputes.Close(Ctx, du.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(lost.Status).To(Equal(stripe.DisputeStatusLost))
		Expect(eventsSince(mark)).To(Equal([]string{"charge.dispute.closed"}))
		Expect(balance()).To(Equal(int64(paid - 5700)))

		inq := disputeOf(pay("pm_card_createDisputeInquiry"))
		closed, err := sc.V1Disputes.Close(Ctx, inq.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(closed.Status).To(Equal(stripe.DisputeStatusWarningClosed))
	})

	It("lists disputes newest first, filtered by charge, payment_intent and created", func() {
		a := pay("pm_card_createDispute")
		emu.Clock().Advance(time.Hour)
		b := pay("pm_card_createDisputeInquiry")
		pay("pm_card_visa")
		all := disputesOf(nil)
		Expect(all).To(HaveLen(2))
		Expect(all[0].PaymentIntent.ID).To(Equal(b.ID))
		Expect(all[1].PaymentIntent.ID).To(Equal(a.ID))

		byCharge := disputesOf(&stripe.DisputeListParams{Charge: stripe.String(a.LatestCharge.ID)})
		Expect(byCharge).To(HaveLen(1))
		Expect(byCharge[0].ID).To(Equal(all[1].ID))
		Expect(disputesOf(&stripe.DisputeListParams{Charge: stripe.String(a.LatestCharge.ID), PaymentIntent: stripe.String(b.ID)})).To(BeEmpty())

		recent := disputesOf(&stripe.DisputeListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThan: Epoch.Unix()}})
		Expect(recent).To(HaveLen(1))
		Expect(recent[0].ID).To(Equal(all[0].ID))

		p := &stripe.DisputeListParams{}
		p.Limit = stripe.Int64(1)
		p.Single = true
		var first []*stripe.Dispute
		for d, err := range sc.V1Disputes.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			first = append(first, d)
		}
		Expect(first).To(HaveLen(1))
		Expect(first[0].ID).To(Equal(all[0].ID))
	})

	It("expands the dispute's charge and payment_intent", func() {
		pi := pay("pm_card_createDispute")
		du := disputeOf(pi)
		p := &stripe.DisputeRetrieveParams{}
		p.AddExpand("charge")
		p.AddExpand("payment_intent")
		got, err := sc.V1Disputes.Retrieve(Ctx, du.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Charge.Amount).To(Equal(int64(4200)))
		Expect(got.Charge.Disputed).To(BeTrue())
		Expect(got.PaymentIntent.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})

	It("expands the source of the dispute's balance transactions, as any balance transaction's", func() {
		pi := pay("pm_card_createDispute")
		du := disputeOf(pi)
		p := &stripe.DisputeRetrieveParams{}
		p.AddExpand("balance_transactions.source")
		got, err := sc.V1Disputes.Retrieve(Ctx, du.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.BalanceTransactions).To(HaveLen(1))
		src := got.BalanceTransactions[0].Source
		Expect(src.Type).To(Equal(stripe.BalanceTransactionSourceTypeDispute))
		Expect(src.Dispute).NotTo(BeNil())
		Expect(src.Dispute.ID).To(Equal(du.ID))
		Expect(src.Dispute.Reason).To(Equal(stripe.DisputeReasonFraudulent), "the source is the dispute itself, not its id")
	})

	It("refuses unknown disputes, evidence too long, and evidence naming no file", func() {
		_, err := sc.V1Disputes.Retrieve(Ctx, "dp_missing", nil)
		Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeResourceMissing))
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(404))

		du := disputeOf(pay("pm_card_createDispute"))
		_, err = update(du.ID, evidence(strings.Repeat("x", 20001)))
		Expect(StripeErr(err).Param).To(Equal("evidence[uncategorized_text]"))
		_, err = update(du.ID, &stripe.DisputeUpdateParams{Evidence: &stripe.DisputeUpdateEvidenceParams{CustomerName: stripe.String(strings.Repeat("x", 5001))}})
		Expect(StripeErr(err).Param).To(Equal("evidence[customer_name]"))

		// Eight long fields together pass 150,000 characters.
		long := stripe.String(strings.Repeat("y", 20000))
		_, err = update(du.ID, &stripe.DisputeUpdateParams{Evidence: &stripe.DisputeUpdateEvidenceParams{
			AccessActivityLog: long, CancellationPolicyDisclosure: long, CancellationRebuttal: long, DuplicateChargeExplanation: long,
			ProductDescription: long, RefundPolicyDisclosure: long, RefundRefusalExplanation: long, UncategorizedText: long,
		}})
		Expect(StripeErr(err).Param).To(Equal("evidence"))

		_, err = update(du.ID, &stripe.DisputeUpdateParams{Evidence: &stripe.DisputeUpdateEvidenceParams{Receipt: stripe.String("file_123")}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "evidence[receipt]")
		Expect(StripeErr(err).Msg).To(Equal("No such file upload: 'file_123'"))

		// Nothing of the refused updates stuck.
		again, _ := sc.V1Disputes.Retrieve(Ctx, du.ID, nil)
		Expect(again.Status).To(Equal(stripe.DisputeStatusNeedsResponse))
		Expect(again.EvidenceDetails.HasEvidence).To(BeFalse())
	})

	Context("evidence files", func() {
		uploadEvidence := func(purpose, name string, data []byte) *stripe.File {
			GinkgoHelper()
			f, err := sc.V1Files.Create(Ctx, &stripe.FileCreateParams{
				Purpose: stripe.String(purpose), Filename: stripe.String(name), FileReader: bytes.NewReader(data),
			})
			Expect(err).NotTo(HaveOccurred())
			return f
		}

		It("names uploaded dispute_evidence files, expandable, and wins with them", func() {
			du := disputeOf(pay("pm_card_createDispute"))
			receipt := uploadEvidence("dispute_evidence", "receipt.pdf", pdfOf(2000))
			chat := uploadEvidence("dispute_evidence", "chat.png", pngOf(3000))

			staged, err := update(du.ID, &stripe.DisputeUpdateParams{Submit: stripe.Bool(false), Evidence: &stripe.DisputeUpdateEvidenceParams{
				Receipt: stripe.String(receipt.ID), CustomerCommunication: stripe.String(chat.ID), UncategorizedFile: stripe.String(receipt.ID),
			}})
			Expect(err).NotTo(HaveOccurred())
			Expect(staged.Status).To(Equal(stripe.DisputeStatusNeedsResponse))
			Expect(staged.Evidence.Receipt.ID).To(Equal(receipt.ID))
			Expect(staged.Evidence.CustomerCommunication.ID).To(Equal(chat.ID))
			Expect(staged.Evidence.UncategorizedFile.ID).To(Equal(receipt.ID))
			Expect(staged.Evidence.ShippingDocumentation).To(BeNil())
			Expect(staged.EvidenceDetails.HasEvidence).To(BeTrue(), "files are evidence")
			Expect(staged.EvidenceDetails.SubmissionCount).To(BeZero())
			Expect(stripeFees()).To(BeEmpty(), "staged evidence counters nothing yet")

			p := &stripe.DisputeRetrieveParams{}
			p.AddExpand("evidence.receipt")
			p.AddExpand("evidence.customer_communication")
			got, err := sc.V1Disputes.Retrieve(Ctx, du.ID, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Evidence.Receipt.Filename).To(Equal("receipt.pdf"))
			Expect(got.Evidence.Receipt.Purpose).To(Equal(stripe.FilePurposeDisputeEvidence))
			Expect(got.Evidence.CustomerCommunication.Type).To(Equal("png"))
			Expect(got.Evidence.UncategorizedFile.Filename).To(BeEmpty(), "not expanded: an id")

			lp := &stripe.DisputeListParams{}
			lp.AddExpand("data.evidence.uncategorized_file")
			for d, err := range sc.V1Disputes.List(Ctx, lp) {
				Expect(err).NotTo(HaveOccurred())
				Expect(d.Evidence.UncategorizedFile.Size).To(Equal(receipt.Size))
			}

			// Clearing one file leaves the rest.
			cleared, err := update(du.ID, &stripe.DisputeUpdateParams{Submit: stripe.Bool(false), Evidence: &stripe.DisputeUpdateEvidenceParams{CustomerCommunication: stripe.String("")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(cleared.Evidence.CustomerCommunication).To(BeNil())
			Expect(cleared.Evidence.Receipt.ID).To(Equal(receipt.ID))

			won, err := update(du.ID, evidence("winning_evidence"))
			Expect(err).NotTo(HaveOccurred())
			Expect(won.Status).To(Equal(stripe.DisputeStatusWon))
			Expect(won.Evidence.Receipt.ID).To(Equal(receipt.ID))
			Expect(won.EvidenceDetails.SubmissionCount).To(Equal(int64(1)))
		})

		It("refuses a file of another purpose or account, or over Stripe's total, changing nothing", func() {
			du := disputeOf(pay("pm_card_createDispute"))
			mark := len(emu.EventTypes(""))
			logo := uploadEvidence("business_logo", "logo.png", pngOf(200))
			_, err := update(du.ID, &stripe.DisputeUpdateParams{Evidence: &stripe.DisputeUpdateEvidenceParams{Receipt: stripe.String(logo.ID)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "evidence[receipt]")
			Expect(StripeErr(err).Msg).To(ContainSubstring("purpose dispute_evidence"))

			acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express")})
			Expect(err).NotTo(HaveOccurred())
			fp := &stripe.FileCreateParams{Purpose: stripe.String("dispute_evidence"), Filename: stripe.String("x.pdf"), FileReader: bytes.NewReader(pdfOf(100))}
			fp.SetStripeAccount(acct.ID)
			theirs, err := sc.V1Files.Create(Ctx, fp)
			Expect(err).NotTo(HaveOccurred())
			_, err = update(du.ID, &stripe.DisputeUpdateParams{Evidence: &stripe.DisputeUpdateEvidenceParams{ServiceDocumentation: stripe.String(theirs.ID)}})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "evidence[service_documentation]")

			// Each file within its own 5 MB, but together over what a
			// dispute takes (about 4.5 MB, as merchants observed).
			a := uploadEvidence("dispute_evidence", "a.pdf", pdfOf(3<<20))
			b := uploadEvidence("dispute_evidence", "b.pdf", pdfOf(2<<20))
			_, err = update(du.ID, &stripe.DisputeUpdateParams{Evidence: &stripe.DisputeUpdateEvidenceParams{
				Receipt: stripe.String(a.ID), RefundPolicy: stripe.String(b.ID), UncategorizedText: stripe.String("winning_evidence"),
			}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "evidence")
			Expect(StripeErr(err).Msg).To(HavePrefix("The files you've attached to this dispute as evidence will exceed the limit for a dispute's total size."))
			// The same file twice counts once.
			_, err = update(du.ID, &stripe.DisputeUpdateParams{Submit: stripe.Bool(false), Evidence: &stripe.DisputeUpdateEvidenceParams{
				Receipt: stripe.String(a.ID), UncategorizedFile: stripe.String(a.ID),
			}})
			Expect(err).NotTo(HaveOccurred())

			got, err := sc.V1Disputes.Retrieve(Ctx, du.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.DisputeStatusNeedsResponse))
			Expect(got.Evidence.RefundPolicy).To(BeNil())
			Expect(got.Evidence.ServiceDocumentation).To(BeNil())
			Expect(got.Evidence.UncategorizedText).To(BeEmpty())
			Expect(eventsSince(mark)).To(Equal([]string{"file.created", "file.created", "file.created", "charge.dispute.updated"}),
				"the refused updates left no event (the connected account's upload is its own)")
		})
	})
})
