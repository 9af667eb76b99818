package payments_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Radar", Label("payments", "radar"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }
	lastEvent := func(typ string) map[string]any {
		GinkgoHelper()
		evs := emu.Events("")
		for i := len(evs) - 1; i >= 0; i-- {
			if evs[i]["type"] == typ {
				return evs[i]
			}
		}
		Fail("no " + typ + " event")
		return nil
	}
	pay := func(pm string, edit ...func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
		p := &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(4200), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
		}
		for _, e := range edit {
			e(p)
		}
		return sc.V1PaymentIntents.Create(Ctx, p)
	}
	mustPay := func(pm string, edit ...func(*stripe.PaymentIntentCreateParams)) *stripe.PaymentIntent {
		GinkgoHelper()
		pi, err := pay(pm, edit...)
		Expect(err).NotTo(HaveOccurred())
		return pi
	}
	reviews := func(p *stripe.ReviewListParams) []*stripe.Review {
		GinkgoHelper()
		var out []*stripe.Review
		for r, err := range sc.V1Reviews.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, r)
		}
		return out
	}
	warnings := func(p *stripe.RadarEarlyFraudWarningListParams) []*stripe.RadarEarlyFraudWarning {
		GinkgoHelper()
		var out []*stripe.RadarEarlyFraudWarning
		for w, err := range sc.V1RadarEarlyFraudWarnings.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, w)
		}
		return out
	}
	refund := func(pi *stripe.PaymentIntent, edit ...func(*stripe.RefundCreateParams)) {
		GinkgoHelper()
		p := &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID)}
		for _, e := range edit {
			e(p)
		}
		_, err := sc.V1Refunds.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
	}

	Describe("an elevated-risk payment (4000000000009235)", func() {
		It("succeeds in manual review, opening a review on the charge and the intent", func() {
			mark := len(emu.EventTypes(""))
			pi := mustPay("pm_card_riskLevelElevated")
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(pi.Review).NotTo(BeNil())
			Expect(pi.Review.ID).To(HavePrefix("prv_"))
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "charge.succeeded", "payment_intent.succeeded", "charge.updated", "review.opened"}))
			succeeded := lastEvent("charge.succeeded")["data"].(map[string]any)["object"].(map[string]any)
			Expect(succeeded["review"]).To(Equal(pi.Review.ID), "the charge has its review from the start")

			ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.Review.ID).To(Equal(pi.Review.ID))
			Expect(ch.Outcome.Type).To(Equal("manual_review"))
			Expect(ch.Outcome.RiskLevel).To(Equal("elevated"))
			Expect(ch.Outcome.Reason).To(Equal("elevated_risk_level"))
			Expect(ch.Outcome.NetworkStatus).To(Equal("approved_by_network"))

			rv, err := sc.V1Reviews.Retrieve(Ctx, pi.Review.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(rv.Object).To(Equal("review"))
			Expect(rv.Open).To(BeTrue())
			Expect(rv.OpenedReason).To(Equal(stripe.ReviewOpenedReasonRule))
			Expect(rv.Reason).To(Equal(stripe.ReviewReasonRule))
			Expect(rv.ClosedReason).To(BeEmpty())
			Expect(rv.Charge.ID).To(Equal(ch.ID))
			Expect(rv.PaymentIntent.ID).To(Equal(pi.ID))
			Expect(rv.Created).To(Equal(Epoch.Unix()))

			ev := lastEvent("review.opened")
			Expect(ev["data"].(map[string]any)["object"].(map[string]any)["id"]).To(Equal(rv.ID))

			p := &stripe.ReviewRetrieveParams{}
			p.AddExpand("charge")
			rv, err = sc.V1Reviews.Retrieve(Ctx, rv.ID, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(rv.Charge.Amount).To(Equal(int64(4200)))
		})

		It("is reviewed on the Charges API too", func() {
			ch, err := sc.V1Charges.Create(Ctx, &stripe.ChargeCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
				Source: &stripe.PaymentSourceSourceParams{Token: stripe.String("tok_riskLevelElevated")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.Review).NotTo(BeNil())
			rv, err := sc.V1Reviews.Retrieve(Ctx, ch.Review.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(rv.Charge.ID).To(Equal(ch.ID))
			Expect(rv.PaymentIntent).To(BeNil())
		})

		It("is approved, closing the review and leaving the open reviews' list", func() {
			pi := mustPay("pm_card_riskLevelElevated")
			other := mustPay("pm_card_riskLevelElevated")
			Expect(reviews(nil)).To(HaveLen(2))

			mark := len(emu.EventTypes(""))
			rv, err := sc.V1Reviews.Approve(Ctx, pi.Review.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(rv.Open).To(BeFalse())
			Expect(rv.ClosedReason).To(Equal(stripe.ReviewClosedReasonApproved))
			Expect(rv.Reason).To(Equal(stripe.ReviewReasonApproved))
			Expect(eventsSince(mark)).To(Equal([]string{"review.closed"}))

			open := reviews(nil)
			Expect(open).To(HaveLen(1))
			Expect(open[0].ID).To(Equal(other.Review.ID))

			_, err = sc.V1Reviews.Approve(Ctx, pi.Review.ID, nil)
			ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "")
			_, err = sc.V1Reviews.Retrieve(Ctx, "prv_missing", nil)
			ExpectStripeError(err, http.StatusNotFound, "invalid_request_error", "resource_missing", "id")
		})

		It("is closed, canceled, when its uncaptured payment is canceled or expires", func() {
			manual := func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") }
			pi := mustPay("pm_card_riskLevelElevated", manual)
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
			mark := len(emu.EventTypes(""))
			_, err := sc.V1PaymentIntents.Cancel(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			// 2025-03-31.basil: canceled, not refunded, as the
			// cancellation makes no Refund.
			Expect(eventsSince(mark)).To(Equal([]string{"review.closed", "payment_intent.canceled"}))
			rv, err := sc.V1Reviews.Retrieve(Ctx, pi.Review.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(rv.Open).To(BeFalse())
			Expect(rv.ClosedReason).To(Equal(stripe.ReviewClosedReasonCanceled))
			Expect(rv.Reason).To(Equal(stripe.ReviewReasonCanceled))

			expiring := mustPay("pm_card_riskLevelElevated", manual, func(p *stripe.PaymentIntentCreateParams) { p.AddExpand("latest_charge") })
			mark = len(emu.EventTypes(""))
			emu.Clock().Set(time.Unix(expiring.LatestCharge.PaymentMethodDetails.Card.CaptureBefore, 0))
			Expect(eventsSince(mark)).To(Equal([]string{"charge.expired", "review.closed", "payment_intent.canceled"}))
			rv, err = sc.V1Reviews.Retrieve(Ctx, expiring.Review.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(rv.ClosedReason).To(Equal(stripe.ReviewClosedReasonCanceled))
			Expect(reviews(nil)).To(BeEmpty())
		})

		// Stripe's "Review uncaptured payments": approving a review and
		// capturing the payment are separate actions.
		It("is neither closed by capturing its uncaptured payment nor captures it when approved", func() {
			manual := func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") }
			pi := mustPay("pm_card_riskLevelElevated", manual)
			_, err := sc.V1Reviews.Approve(Ctx, pi.Review.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			got, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))

			other := mustPay("pm_card_riskLevelElevated", manual)
			mark := len(emu.EventTypes(""))
			_, err = sc.V1PaymentIntents.Capture(Ctx, other.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(eventsSince(mark)).NotTo(ContainElement("review.closed"))
			rv, err := sc.V1Reviews.Retrieve(Ctx, other.Review.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(rv.Open).To(BeTrue())
		})

		It("is closed by a refund: refunded, or refunded_as_fraud", func() {
			pi := mustPay("pm_card_riskLevelElevated")
			mark := len(emu.EventTypes(""))
			refund(pi, func(p *stripe.RefundCreateParams) { p.Amount = stripe.Int64(1000) })
			Expect(eventsSince(mark)).To(Equal([]string{"refund.created", "charge.refunded", "review.closed"}))
			rv, err := sc.V1Reviews.Retrieve(Ctx, pi.Review.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(rv.Open).To(BeFalse())
			Expect(rv.ClosedReason).To(Equal(stripe.ReviewClosedReasonRefunded))

			fraud := mustPay("pm_card_riskLevelElevated")
			refund(fraud, func(p *stripe.RefundCreateParams) { p.Reason = stripe.String("fraudulent") })
			rv, err = sc.V1Reviews.Retrieve(Ctx, fraud.Review.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(rv.ClosedReason).To(Equal(stripe.ReviewClosedReasonRefundedAsFraud))
			Expect(reviews(nil)).To(BeEmpty())
		})

		// A Charges API authorization is released by refunding it: a
		// refund like any other, which closes the review and, as fraud,
		// reports the payment.
		It("is closed by the refund that releases an uncaptured Charges API authorization, as fraud too", func() {
			for _, reason := range []string{"requested_by_customer", "fraudulent"} {
				ch, err := sc.V1Charges.Create(Ctx, &stripe.ChargeCreateParams{Amount: stripe.Int64(3000), Currency: stripe.String("usd"),
					Source: &stripe.PaymentSourceSourceParams{Token: stripe.String("tok_riskLevelElevated")}, Capture: stripe.Bool(false)})
				Expect(err).NotTo(HaveOccurred())
				Expect(ch.Review).NotTo(BeNil())
				mark := len(emu.EventTypes(""))
				_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(ch.ID), Reason: stripe.String(reason)})
				Expect(err).NotTo(HaveOccurred())
				Expect(eventsSince(mark)).To(Equal([]string{"refund.created", "charge.refunded", "review.closed"}))
				rv, err := sc.V1Reviews.Retrieve(Ctx, ch.Review.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(rv.Open).To(BeFalse())
				got, err := sc.V1Charges.Retrieve(Ctx, ch.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				if reason == "fraudulent" {
					Expect(rv.ClosedReason).To(Equal(stripe.ReviewClosedReasonRefundedAsFraud))
					Expect(got.FraudDetails.UserReport).To(BeEquivalentTo("fraudulent"))
				} else {
					Expect(rv.ClosedReason).To(Equal(stripe.ReviewClosedReasonRefunded))
					Expect(got.FraudDetails.UserReport).To(BeEmpty())
				}
			}
			Expect(reviews(nil)).To(BeEmpty())
		})

		It("filters the open reviews by created", func() {
			first := mustPay("pm_card_riskLevelElevated")
			emu.Clock().Set(Epoch.Add(time.Hour))
			second := mustPay("pm_card_riskLevelElevated")
			got := reviews(&stripe.ReviewListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThan: Epoch.Unix()}})
			Expect(got).To(HaveLen(1))
			Expect(got[0].ID).To(Equal(second.Review.ID))
			got = reviews(&stripe.ReviewListParams{Created: stripe.Int64(Epoch.Unix())})
			Expect(got).To(HaveLen(1))
			Expect(got[0].ID).To(Equal(first.Review.ID))
		})

		It("opens no review for a normal payment", func() {
			pi := mustPay("pm_card_visa")
			Expect(pi.Review).To(BeNil())
			ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.Outcome.RiskLevel).To(Equal("normal"))
			Expect(ch.Outcome.Type).To(Equal("authorized"))
			Expect(reviews(nil)).To(BeEmpty())
		})
	})

	// Stripe's reference of charge.outcome: "For non-card payments ... this
	// field [risk_level] will have the value not_assessed"; risk_score
	// "will not be present".
	It("assesses no payment that is not a card's: risk_level not_assessed, no risk_score", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("payer@example.com")})
		Expect(err).NotTo(HaveOccurred())
		for _, pm := range []string{"pm_success_de", "pm_failed_de"} {
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur"),
				Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm), PaymentMethodTypes: stripe.StringSlice([]string{"sepa_debit"}),
				Confirm: stripe.Bool(true), MandateData: &stripe.PaymentIntentCreateMandateDataParams{
					CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{Type: stripe.String("offline")}}})
			Expect(err).NotTo(HaveOccurred())
			for _, settled := range []bool{false, true} {
				if settled {
					emu.Clock().Advance(10 * time.Minute)
				}
				ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(ch.Outcome.RiskLevel).To(Equal("not_assessed"), pm)
				var raw map[string]any
				Expect(json.Unmarshal(ch.LastResponse.RawJSON, &raw)).To(Succeed())
				Expect(raw["outcome"]).NotTo(HaveKey("risk_score"), pm)
			}
		}
		ch, err := sc.V1Charges.Retrieve(Ctx, mustPay("pm_card_visa").LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.Outcome.RiskLevel).To(Equal("normal"), "a card's is assessed")
	})

	// Stripe's spec lets fraud_details[user_report] be fraudulent, safe or
	// "" (the report withdrawn).
	It("takes the integration's fraud report on a charge: fraudulent, safe, or withdrawn with an empty user_report", func() {
		pi := mustPay("pm_card_visa")
		report := func(v string) map[string]any {
			GinkgoHelper()
			ch, err := sc.V1Charges.Update(Ctx, pi.LatestCharge.ID, &stripe.ChargeUpdateParams{
				FraudDetails: &stripe.ChargeUpdateFraudDetailsParams{UserReport: stripe.String(v)}})
			Expect(err).NotTo(HaveOccurred())
			var raw map[string]any
			Expect(json.Unmarshal(ch.LastResponse.RawJSON, &raw)).To(Succeed())
			return raw["fraud_details"].(map[string]any)
		}
		Expect(report("fraudulent")).To(Equal(map[string]any{"user_report": "fraudulent"}))
		Expect(report("safe")).To(Equal(map[string]any{"user_report": "safe"}))
		mark := len(emu.EventTypes(""))
		Expect(report("")).To(BeEmpty())
		Expect(eventsSince(mark)).To(Equal([]string{"charge.updated"}))
		Expect(lastEvent("charge.updated")["data"].(map[string]any)["previous_attributes"]).To(Equal(map[string]any{"fraud_details": map[string]any{"user_report": "safe"}}))

		_, err := sc.V1Charges.Update(Ctx, pi.LatestCharge.ID, &stripe.ChargeUpdateParams{
			FraudDetails: &stripe.ChargeUpdateFraudDetailsParams{UserReport: stripe.String("suspicious")}})
		ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "fraud_details[user_report]")
		status, body, err := emu.Call("POST", "/v1/charges/"+pi.LatestCharge.ID, url.Values{"fraud_details": {""}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(http.StatusBadRequest))
		Expect(body["error"]).To(HaveKeyWithValue("code", "parameter_invalid_empty"))
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.FraudDetails).NotTo(BeNil(), "fraud_details is kept, not unset")
	})

	Describe("a highest-risk payment", func() {
		for _, pm := range []string{"pm_card_chargeDeclinedFraudulent", "pm_card_riskLevelHighest"} {
			It("is blocked by Radar: "+pm, func() {
				mark := len(emu.EventTypes(""))
				_, err := pay(pm)
				se := StripeErr(err)
				Expect(se.HTTPStatusCode).To(Equal(http.StatusPaymentRequired))
				Expect(se.Type).To(Equal(stripe.ErrorTypeCard))
				Expect(se.Code).To(Equal(stripe.ErrorCodeCardDeclined))
				Expect(se.DeclineCode).To(Equal(stripe.DeclineCodeFraudulent))
				Expect(se.Msg).To(Equal("Your card was declined."))
				Expect(se.PaymentIntent.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
				Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "charge.failed", "payment_intent.payment_failed"}))

				ch, err := sc.V1Charges.Retrieve(Ctx, se.ChargeID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(ch.Status).To(Equal(stripe.ChargeStatusFailed))
				Expect(ch.FailureCode).To(Equal("card_declined"))
				Expect(ch.Outcome.Type).To(Equal("blocked"))
				Expect(ch.Outcome.NetworkStatus).To(Equal("not_sent_to_network"))
				Expect(ch.Outcome.RiskLevel).To(Equal("highest"))
				Expect(ch.Outcome.Reason).To(Equal("highest_risk_level"))
				Expect(ch.Outcome.SellerMessage).To(Equal("Stripe blocked this payment as too risky."))
				Expect(ch.Review).To(BeNil())
			})
		}

		It("is blocked on the Charges API too", func() {
			_, err := sc.V1Charges.Create(Ctx, &stripe.ChargeCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
				Source: &stripe.PaymentSourceSourceParams{Token: stripe.String("tok_chargeDeclinedFraudulent")}})
			se := StripeErr(err)
			Expect(se.DeclineCode).To(Equal(stripe.DeclineCodeFraudulent))
			ch, err := sc.V1Charges.Retrieve(Ctx, se.ChargeID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.Outcome.Type).To(Equal("blocked"))
			Expect(ch.Outcome.NetworkStatus).To(Equal("not_sent_to_network"))
		})
	})

	Describe("an early fraud warning (4000000000005423)", func() {
		newPM := func() string {
			GinkgoHelper()
			pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"),
				Card: &stripe.PaymentMethodCreateCardParams{Number: stripe.String("4000000000005423"), ExpMonth: stripe.Int64(12), ExpYear: stripe.Int64(2030), CVC: stripe.String("123")}})
			Expect(err).NotTo(HaveOccurred())
			return pm.ID
		}

		It("is issued once the payment is captured, actionable", func() {
			pm := newPM()
			mark := len(emu.EventTypes(""))
			pi := mustPay(pm, func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
			Expect(eventsSince(mark)).NotTo(ContainElement("radar.early_fraud_warning.created"))
			Expect(warnings(nil)).To(BeEmpty())

			pi, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(emu.EventTypes("")[len(emu.EventTypes(""))-1]).To(Equal("radar.early_fraud_warning.created"))

			ws := warnings(&stripe.RadarEarlyFraudWarningListParams{PaymentIntent: stripe.String(pi.ID)})
			Expect(ws).To(HaveLen(1))
			w := ws[0]
			Expect(w.ID).To(HavePrefix("issfr_"))
			Expect(w.Object).To(Equal("radar.early_fraud_warning"))
			Expect(w.Actionable).To(BeTrue())
			Expect(w.FraudType).To(Equal(stripe.RadarEarlyFraudWarningFraudTypeMadeWithStolenCard))
			Expect(w.Charge.ID).To(Equal(pi.LatestCharge.ID))
			Expect(w.PaymentIntent.ID).To(Equal(pi.ID))

			got, err := sc.V1RadarEarlyFraudWarnings.Retrieve(Ctx, w.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.ID).To(Equal(w.ID))
			ev := lastEvent("radar.early_fraud_warning.created")
			Expect(ev["data"].(map[string]any)["object"].(map[string]any)["id"]).To(Equal(w.ID))
		})

		It("is filtered by charge and payment_intent", func() {
			a := mustPay(newPM())
			b := mustPay(newPM())
			mustPay("pm_card_visa")
			Expect(warnings(nil)).To(HaveLen(2))
			byCharge := warnings(&stripe.RadarEarlyFraudWarningListParams{Charge: stripe.String(a.LatestCharge.ID)})
			Expect(byCharge).To(HaveLen(1))
			Expect(byCharge[0].Charge.ID).To(Equal(a.LatestCharge.ID))
			byPI := warnings(&stripe.RadarEarlyFraudWarningListParams{PaymentIntent: stripe.String(b.ID)})
			Expect(byPI).To(HaveLen(1))
			Expect(byPI[0].PaymentIntent.ID).To(Equal(b.ID))
			Expect(warnings(&stripe.RadarEarlyFraudWarningListParams{Charge: stripe.String(a.LatestCharge.ID), PaymentIntent: stripe.String(b.ID)})).To(BeEmpty())
		})

		It("is no longer actionable once the charge is fully refunded", func() {
			pi := mustPay(newPM())
			w := warnings(nil)[0]

			mark := len(emu.EventTypes(""))
			refund(pi, func(p *stripe.RefundCreateParams) { p.Amount = stripe.Int64(200) })
			Expect(eventsSince(mark)).To(Equal([]string{"refund.created", "charge.refunded"}), "a partial refund leaves it actionable")
			got, err := sc.V1RadarEarlyFraudWarnings.Retrieve(Ctx, w.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Actionable).To(BeTrue())

			mark = len(emu.EventTypes(""))
			refund(pi)
			Expect(eventsSince(mark)).To(Equal([]string{"refund.created", "charge.refunded", "radar.early_fraud_warning.updated"}))
			got, err = sc.V1RadarEarlyFraudWarnings.Retrieve(Ctx, w.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Actionable).To(BeFalse())
			ev := lastEvent("radar.early_fraud_warning.updated")
			Expect(ev["data"].(map[string]any)["previous_attributes"]).To(Equal(map[string]any{"actionable": true}))
		})
	})
})
