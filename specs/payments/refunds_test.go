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

// Refunds as Stripe refuses them: the messages here are the ones Stripe's
// test mode answers (recorded by integrations that quote them), in the
// charge's own currency.
var _ = Describe("Refund refusals", Label("payments", "refunds"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	pay := func(amount int64, currency string, edit ...func(*stripe.PaymentIntentCreateParams)) *stripe.PaymentIntent {
		GinkgoHelper()
		p := &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(amount), Currency: stripe.String(currency),
			PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true), ReturnURL: stripe.String("https://example.com/return"),
		}
		for _, e := range edit {
			e(p)
		}
		pi, err := sc.V1PaymentIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return pi
	}
	refund := func(p *stripe.RefundCreateParams) (*stripe.Refund, error) { return sc.V1Refunds.Create(Ctx, p) }
	// refused asserts err is Stripe's 400 invalid_request_error with this
	// code, param and message ("" where Stripe sends no code or param).
	refused := func(err error, code, param, msg string) {
		GinkgoHelper()
		ExpectStripeError(err, 400, "invalid_request_error", code, param)
		Expect(StripeErr(err).Msg).To(Equal(msg))
	}

	It("names the charge amount before any refund, the unrefunded amount after one, in the charge's currency", func() {
		eur := pay(5000, "eur")
		_, err := refund(&stripe.RefundCreateParams{PaymentIntent: stripe.String(eur.ID), Amount: stripe.Int64(6000)})
		refused(err, "", "amount", "Refund amount (€60.00) is greater than charge amount (€50.00)")

		_, err = refund(&stripe.RefundCreateParams{Charge: stripe.String(eur.LatestCharge.ID), Amount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		_, err = refund(&stripe.RefundCreateParams{Charge: stripe.String(eur.LatestCharge.ID), Amount: stripe.Int64(4500)})
		refused(err, "", "amount", "Refund amount (€45.00) is greater than unrefunded amount on charge (€40.00)")

		jpy := pay(5000, "jpy")
		_, err = refund(&stripe.RefundCreateParams{PaymentIntent: stripe.String(jpy.ID), Amount: stripe.Int64(6000)})
		refused(err, "", "amount", "Refund amount (¥6,000) is greater than charge amount (¥5,000)")
		Expect(emu.Count("", "refund")).To(Equal(1))
	})

	It("refuses an amount below 1 before looking at the charge", func() {
		ch := pay(2000, "usd").LatestCharge.ID
		for _, bad := range []int64{0, -5} {
			_, err := refund(&stripe.RefundCreateParams{Charge: stripe.String(ch), Amount: stripe.Int64(bad)})
			refused(err, "parameter_invalid_integer", "amount", "This value must be greater than or equal to 1.")
			_, err = refund(&stripe.RefundCreateParams{Charge: stripe.String("ch_missing"), Amount: stripe.Int64(bad)})
			refused(err, "parameter_invalid_integer", "amount", "This value must be greater than or equal to 1.")
		}
		Expect(emu.Count("", "refund")).To(BeZero())
	})

	It("refuses a reason Stripe does not know as a parameter, before looking at the charge", func() {
		ch := pay(2000, "usd").LatestCharge.ID
		_, err := refund(&stripe.RefundCreateParams{Charge: stripe.String(ch)})
		Expect(err).NotTo(HaveOccurred())
		const msg = "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer"
		for _, target := range []string{ch, "ch_missing"} {
			_, err = refund(&stripe.RefundCreateParams{Charge: stripe.String(target), Reason: stripe.String("changed_mind")})
			refused(err, "", "reason", msg)
		}
		Expect(emu.Count("", "refund")).To(Equal(1))
	})

	It("asks for a charge or a PaymentIntent when given neither", func() {
		_, err := refund(&stripe.RefundCreateParams{Amount: stripe.Int64(100)})
		refused(err, "", "", "One of the following params should be provided for this request: payment_intent or charge.")
	})

	It("names the PaymentIntent that has no successful charge, and sends an uncaptured charge's caller to cancel it", func() {
		held := pay(3300, "usd", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
		_, err := refund(&stripe.RefundCreateParams{PaymentIntent: stripe.String(held.ID)})
		refused(err, "charge_not_refundable", "payment_intent", "This PaymentIntent ("+held.ID+") does not have a successful charge to refund.")

		_, err = refund(&stripe.RefundCreateParams{Charge: stripe.String(held.LatestCharge.ID), Amount: stripe.Int64(100)})
		refused(err, "charge_not_refundable", "charge", "This uncaptured Charge was created by a PaymentIntent ("+held.ID+"). "+
			"You must cancel the PaymentIntent to reverse the authorization instead of refunding the Charge directly. "+
			"For more information, see https://stripe.com/docs/payments/place-a-hold-on-a-payment-method")

		unpaid, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(900), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		_, err = refund(&stripe.RefundCreateParams{PaymentIntent: stripe.String(unpaid.ID)})
		refused(err, "charge_not_refundable", "payment_intent", "This PaymentIntent ("+unpaid.ID+") does not have a successful charge to refund.")
		Expect(emu.Count("", "refund")).To(BeZero())
	})
})

// A refund with reason fraudulent reports the payment as fraud, as a
// charge update with fraud_details[user_report]=fraudulent does (Stripe's
// support pages give the two as the API's ways to block a card).
var _ = Describe("A refund as fraud", Label("payments", "refunds"), func() {
	It("marks the charge's fraud_details user_report fraudulent, told in charge.refunded; other reasons leave it", func() {
		emu := Emulator()
		sc := emu.Client()
		pay := func() *stripe.PaymentIntent {
			GinkgoHelper()
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
				PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true), ReturnURL: stripe.String("https://example.com/return")})
			Expect(err).NotTo(HaveOccurred())
			return pi
		}
		fraud := pay()
		mark := len(emu.EventTypes(""))
		re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(fraud.ID), Amount: stripe.Int64(500), Reason: stripe.String("fraudulent")})
		Expect(err).NotTo(HaveOccurred())
		Expect(re.Reason).To(Equal(stripe.RefundReasonFraudulent))
		ch, err := sc.V1Charges.Retrieve(Ctx, fraud.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.FraudDetails.UserReport).To(BeEquivalentTo("fraudulent"))
		Expect(emu.EventTypes("")[mark:]).To(Equal([]string{"refund.created", "charge.refunded"}))
		refunded := emu.Events("")[mark+1]["data"].(map[string]any)
		Expect(refunded["object"]).To(HaveKeyWithValue("fraud_details", map[string]any{"user_report": "fraudulent"}))
		Expect(refunded["previous_attributes"]).To(HaveKeyWithValue("fraud_details", map[string]any{"user_report": nil}))

		other := pay()
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(other.ID), Reason: stripe.String("requested_by_customer")})
		Expect(err).NotTo(HaveOccurred())
		ch, err = sc.V1Charges.Retrieve(Ctx, other.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.FraudDetails.UserReport).To(BeEmpty())
	})
})

// Stripe's asynchronous refund test cards: a refund of a payment with
// pm_card_pendingRefund (4000000000007726) begins pending and succeeds
// later; one with pm_card_refundFail (4000000000005126) begins succeeded
// and fails later, giving the money back to the balance.
var _ = Describe("Asynchronous refunds", Label("payments", "refunds"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	pay := func(pm string) *stripe.PaymentIntent {
		GinkgoHelper()
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("usd"), PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true),
			ReturnURL: stripe.String("https://example.com/return"),
		})
		Expect(err).NotTo(HaveOccurred())
		return pi
	}
	refund := func(pi *stripe.PaymentIntent, amount int64) *stripe.Refund {
		GinkgoHelper()
		re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(amount)})
		Expect(err).NotTo(HaveOccurred())
		return re
	}
	available := func() int64 {
		GinkgoHelper()
		b, err := sc.V1Balance.Retrieve(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		return b.Available[0].Amount + b.Pending[0].Amount
	}
	since := func(n int) []string { return emu.EventTypes("")[n:] }

	It("begins pending with pm_card_pendingRefund and succeeds later, with refund.updated and charge.refund.updated", func() {
		pi := pay("pm_card_pendingRefund")
		mark := len(emu.EventTypes(""))
		re := refund(pi, 2000)
		Expect(re.Status).To(Equal(stripe.RefundStatusPending))
		Expect(re.PendingReason).To(Equal(stripe.RefundPendingReasonProcessing))
		Expect(re.BalanceTransaction).NotTo(BeNil(), "the balance is debited as the refund is made")
		Expect(retrieveCharge(sc, pi.LatestCharge.ID).AmountRefunded).To(Equal(int64(2000)))
		Expect(since(mark)).To(Equal([]string{"refund.created", "charge.refunded"}))

		// A card refund is canceled only in the Dashboard.
		_, err := sc.V1Refunds.Cancel(Ctx, re.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")

		emu.Clock().Set(Epoch.Add(29 * time.Minute))
		Expect(retrieveRefund(sc, re.ID).Status).To(Equal(stripe.RefundStatusPending))
		mark = len(emu.EventTypes(""))
		emu.Clock().Set(Epoch.Add(30 * time.Minute))
		done := retrieveRefund(sc, re.ID)
		Expect(done.Status).To(Equal(stripe.RefundStatusSucceeded))
		Expect(done.PendingReason).To(BeEmpty())
		// Stripe still tells a card refund's change the older way too.
		Expect(since(mark)).To(Equal([]string{"refund.updated", "charge.refund.updated"}))
		for _, ev := range emu.Events("")[mark:] {
			Expect(ev["data"].(map[string]any)["object"]).To(HaveKeyWithValue("id", re.ID))
			Expect(ev["data"].(map[string]any)["previous_attributes"]).To(HaveKeyWithValue("status", "pending"))
		}
		Expect(retrieveCharge(sc, pi.LatestCharge.ID).AmountRefunded).To(Equal(int64(2000)))
	})

	It("begins succeeded with pm_card_refundFail and fails later, giving the money back, with refund.failed and charge.refund.updated", func() {
		pi := pay("pm_card_refundFail")
		before := available()
		re := refund(pi, 2000)
		Expect(re.Status).To(Equal(stripe.RefundStatusSucceeded))
		Expect(available()).To(Equal(before - 2000))
		Expect(retrieveCharge(sc, pi.LatestCharge.ID).AmountRefunded).To(Equal(int64(2000)))

		mark := len(emu.EventTypes(""))
		emu.Clock().Set(Epoch.Add(30 * time.Minute))
		p := &stripe.RefundRetrieveParams{}
		p.AddExpand("failure_balance_transaction")
		failed, err := sc.V1Refunds.Retrieve(Ctx, re.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(failed.Status).To(Equal(stripe.RefundStatusFailed))
		Expect(failed.FailureReason).To(Equal(stripe.RefundFailureReasonExpiredOrCanceledCard))
		back := failed.FailureBalanceTransaction
		Expect(back.Type).To(Equal(stripe.BalanceTransactionTypeRefundFailure))
		Expect(back.Amount).To(Equal(int64(2000)))
		Expect(back.Net).To(Equal(int64(2000)))
		Expect(back.Source.ID).To(Equal(re.ID))
		Expect(since(mark)).To(Equal([]string{"refund.failed", "charge.refund.updated"}))
		updated := emu.Events("")[mark+1]["data"].(map[string]any)
		Expect(updated["object"]).To(HaveKeyWithValue("status", "failed"))
		Expect(updated["previous_attributes"]).To(HaveKeyWithValue("status", "succeeded"))
		Expect(available()).To(Equal(before))

		ch := retrieveCharge(sc, pi.LatestCharge.ID)
		Expect(ch.AmountRefunded).To(BeZero())
		Expect(ch.Refunded).To(BeFalse())
		// What failed can be refunded again, whole.
		Expect(refund(pi, 5000).Status).To(Equal(stripe.RefundStatusSucceeded))
	})
})

// A charge shows its ten most recent refunds when refunds is expanded, as
// Stripe's docs say; GET /v1/charges/{id}/refunds pages the rest.
var _ = Describe("A charge's expanded refunds", Label("payments", "refunds"), func() {
	It("shows the ten most recent of twelve, has_more and the url paging all twelve", func() {
		sc := Emulator().Client()
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1200), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true), ReturnURL: stripe.String("https://example.com/return")})
		Expect(err).NotTo(HaveOccurred())
		var ids []string
		for range 12 {
			r, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(100)})
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, r.ID)
		}
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, &stripe.ChargeRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("refunds")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.AmountRefunded).To(Equal(int64(1200)))
		Expect(ch.Refunds.Data).To(HaveLen(10))
		Expect(ch.Refunds.HasMore).To(BeTrue())
		Expect(ch.Refunds.URL).To(Equal("/v1/charges/" + ch.ID + "/refunds"))
		Expect(ch.Refunds.Data[0].ID).To(Equal(ids[11]), "newest first")
		var paged int
		for _, err := range sc.V1Refunds.List(Ctx, &stripe.RefundListParams{Charge: stripe.String(ch.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			paged++
		}
		Expect(paged).To(Equal(12))
	})
})

// A bank debit can be refunded while it is still processing: the refund
// waits, pending with pending_reason charge_pending (stripe-go v82.5.1's
// RefundPendingReasonChargePending), for the payment to finish; it succeeds
// when the payment does, and is canceled when the payment fails, as
// Stripe's support page on ACH refunds says ("if the payment fails, the
// full or partial refund will be marked as cancelled").
var _ = Describe("A refund of a processing bank debit", Label("payments", "refunds"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	settle := func(pi *stripe.PaymentIntent, outcome string) {
		GinkgoHelper()
		status, body, err := emu.Call("POST", "/v1/test_helpers/payment_intents/"+pi.ID+"/settle", url.Values{"outcome": {outcome}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
	}

	It("waits for the payment, then succeeds with it, taking the money from the balance only then", func() {
		pi := sepaDebit(sc)
		mark := len(emu.EventTypes(""))
		re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(2000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(re.Status).To(Equal(stripe.RefundStatusPending))
		Expect(re.PendingReason).To(Equal(stripe.RefundPendingReasonChargePending))
		Expect(re.BalanceTransaction).To(BeNil(), "nothing is taken from the balance for a payment not yet received")
		Expect(emu.EventTypes("")[mark:]).To(Equal([]string{"refund.created", "charge.refunded"}))
		Expect(retrieveCharge(sc, pi.LatestCharge.ID).AmountRefunded).To(Equal(int64(2000)))
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(pi.LatestCharge.ID), Amount: stripe.Int64(3001)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "amount")
		Expect(StripeErr(err).Msg).To(Equal("Refund amount (€30.01) is greater than unrefunded amount on charge (€30.00)"))

		mark = len(emu.EventTypes(""))
		settle(pi, "succeed")
		// Told the older way too, as every other change of a charge's refund is.
		Expect(emu.EventTypes("")[mark:]).To(Equal([]string{"charge.succeeded", "payment_intent.succeeded", "refund.updated", "charge.refund.updated"}))
		events := emu.Events("")
		older := events[len(events)-1]
		Expect(older["data"].(map[string]any)["object"].(map[string]any)["status"]).To(Equal("succeeded"))
		Expect(older["data"].(map[string]any)["previous_attributes"]).To(HaveKeyWithValue("status", "pending"))
		p := &stripe.RefundRetrieveParams{}
		p.AddExpand("balance_transaction")
		done, err := sc.V1Refunds.Retrieve(Ctx, re.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(done.Status).To(Equal(stripe.RefundStatusSucceeded))
		Expect(done.PendingReason).To(BeEmpty())
		Expect(done.BalanceTransaction.Amount).To(Equal(int64(-2000)))
		Expect(done.BalanceTransaction.Type).To(Equal(stripe.BalanceTransactionTypePaymentRefund), "a bank debit's refund, as Stripe types refunds of payments other than by card")
		Expect(retrieveCharge(sc, pi.LatestCharge.ID).AmountRefunded).To(Equal(int64(2000)))
	})

	It("is canceled when the payment fails, the charge counting it refunded no more", func() {
		pi := sepaDebit(sc)
		re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(retrieveCharge(sc, pi.LatestCharge.ID).Refunded).To(BeTrue())

		mark := len(emu.EventTypes(""))
		settle(pi, "fail")
		Expect(emu.EventTypes("")[mark:]).To(Equal([]string{"charge.failed", "payment_intent.payment_failed", "refund.updated", "charge.refund.updated"}))
		canceled := retrieveRefund(sc, re.ID)
		Expect(canceled.Status).To(Equal(stripe.RefundStatusCanceled))
		Expect(canceled.PendingReason).To(BeEmpty())
		Expect(canceled.BalanceTransaction).To(BeNil())
		ch := retrieveCharge(sc, pi.LatestCharge.ID)
		Expect(ch.AmountRefunded).To(BeZero())
		Expect(ch.Refunded).To(BeFalse())
		b, err := sc.V1Balance.Retrieve(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		for _, m := range append(b.Available, b.Pending...) {
			Expect(m.Amount).To(BeZero())
		}
	})
})

var _ = Describe("A refund of an ACH Direct Debit", Label("payments", "refunds"), func() {
	It("is taken for 180 days after the payment, then refused, changing nothing", func() {
		emu := Emulator()
		sc := emu.Client()
		ManualPayouts(emu, "")
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(5000), Currency: stripe.String("usd"),
			PaymentMethodTypes: []*string{stripe.String("us_bank_account")}, PaymentMethod: stripe.String("pm_usBankAccount_success"), Confirm: stripe.Bool(true),
			MandateData: &stripe.PaymentIntentCreateMandateDataParams{CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{Type: stripe.String("offline")}},
		})
		Expect(err).NotTo(HaveOccurred())
		pi, err = sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, &stripe.PaymentIntentVerifyMicrodepositsParams{DescriptorCode: stripe.String("SM11AA")})
		Expect(err).NotTo(HaveOccurred())
		status, body, err := emu.Call("POST", "/v1/test_helpers/payment_intents/"+pi.ID+"/settle", url.Values{"outcome": {"succeed"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)

		created := time.Unix(retrieveCharge(sc, pi.LatestCharge.ID).Created, 0)
		emu.Clock().Set(created.Add(180 * 24 * time.Hour))
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred(), "Stripe's support page: refunds must be initiated within 180 days")

		emu.Clock().Set(created.Add(180*24*time.Hour + time.Second))
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1000)})
		ExpectStripeError(err, 400, "invalid_request_error", "charge_not_refundable", "")
		Expect(emu.Count("", "refund")).To(Equal(1))
		Expect(retrieveCharge(sc, pi.LatestCharge.ID).AmountRefunded).To(Equal(int64(1000)))
	})
})

func retrieveRefund(sc *stripe.Client, id string) *stripe.Refund {
	GinkgoHelper()
	re, err := sc.V1Refunds.Retrieve(Ctx, id, nil)
	Expect(err).NotTo(HaveOccurred())
	return re
}

func retrieveCharge(sc *stripe.Client, id string) *stripe.Charge {
	GinkgoHelper()
	ch, err := sc.V1Charges.Retrieve(Ctx, id, nil)
	Expect(err).NotTo(HaveOccurred())
	return ch
}
