package payments

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Radar, as Stripe's fraud test cards show it: a payment of elevated risk
// succeeds and is put in review (a review, prv_), one of the highest risk
// is blocked before it reaches the network, and the early-fraud-warning
// card gets an early fraud warning (issfr_) from its issuer once captured.

// ReviewKind is a payment Radar queued for manual review.
var ReviewKind = &api.Kind{
	Object:     "review",
	Prefix:     "prv_",
	Expandable: []string{"charge", "payment_intent"},
	Indexes:    []store.Index{{Name: "charge", Path: "charge"}},
}

// EarlyFraudWarningKind is an issuer's early fraud warning on a charge.
var EarlyFraudWarningKind = &api.Kind{
	Object:     "radar.early_fraud_warning",
	Prefix:     "issfr_",
	Expandable: []string{"charge", "payment_intent"},
	Indexes:    []store.Index{{Name: "charge", Path: "charge"}, {Name: "payment_intent", Path: "payment_intent"}},
}

// Radar's risk levels of the test cards.
const (
	riskElevated = "elevated"
	riskHighest  = "highest"
)

func radarRoutes() []api.Route {
	return []api.Route{
		api.GET("/v1/reviews", params.FromStruct(stripe.ReviewListParams{}), listReviews),
		api.GET("/v1/reviews/{id}", params.FromStruct(stripe.ReviewRetrieveParams{}), retrieveReview),
		api.POST("/v1/reviews/{id}/approve", params.FromStruct(stripe.ReviewApproveParams{}), approveReview),
		api.GET("/v1/radar/early_fraud_warnings", params.FromStruct(stripe.RadarEarlyFraudWarningListParams{}), listEarlyFraudWarnings),
		api.GET("/v1/radar/early_fraud_warnings/{id}", params.FromStruct(stripe.RadarEarlyFraudWarningRetrieveParams{}), retrieveEarlyFraudWarning),
	}
}

// Radar's built-in rules, by the ids Stripe's charges name in
// outcome.rule: the default block of the highest risk level and the
// review of an elevated one.
const (
	ruleBlockHighestRisk   = "block_if_high_risk"
	ruleReviewElevatedRisk = "manual_review_if_elevated_risk"
)

// applyRisk gives a new charge of a test card Radar's verdict: a blocked
// payment (the highest-risk cards) never reached the network; an
// elevated-risk one succeeds in manual review, its review's id reserved
// here for openReview. Each names the built-in rule that acted.
func applyRisk(c *api.Call, ch store.Obj, cd card) {
	o := api.Obj(ch["outcome"])
	switch {
	case cd.Risk == riskHighest && ch["status"] == "failed":
		o["network_status"], o["reason"], o["risk_level"], o["risk_score"] = "not_sent_to_network", "highest_risk_level", riskHighest, int64(85)
		o["seller_message"], o["type"], o["rule"] = "Stripe blocked this payment as too risky.", "blocked", ruleBlockHighestRisk
	case cd.Risk == riskElevated && ch["status"] != "failed":
		o["reason"], o["risk_level"], o["risk_score"] = "elevated_risk_level", riskElevated, int64(70)
		o["seller_message"], o["type"] = "Stripe evaluated this payment as having elevated risk, and placed it in your manual review queue.", "manual_review"
		o["rule"] = ruleReviewElevatedRisk
		ch["review"] = c.NewID("review")
	case cd.Risk == riskElevated:
		// Declined all the same (a failed check): the risk shows.
		o["risk_level"], o["risk_score"] = riskElevated, int64(70)
	}
}

// openReview opens the review applyRisk reserved for a charge, once the
// charge is stored (review.opened).
func openReview(c *api.Call, ch store.Obj) error {
	if ch["review"] == nil {
		return nil
	}
	var zip any
	if bd := api.Obj(ch["billing_details"]); bd["address"] != nil {
		zip = api.Obj(bd["address"])["postal_code"]
	}
	rv := c.Object("review", api.Str(ch["review"]), store.Obj{
		"billing_zip": zip, "charge": ch["id"], "closed_reason": nil, "ip_address": nil, "ip_address_location": nil,
		"open": true, "opened_reason": "rule", "reason": "rule", "session": nil,
	})
	if ch["payment_intent"] != nil {
		rv["payment_intent"] = ch["payment_intent"]
	}
	return c.PutEmit(rv, "review.opened", nil)
}

// closeReview closes a charge's open review, if it has one, for reason
// (review.closed).
func closeReview(c *api.Call, ch store.Obj, reason string) error {
	if ch["review"] == nil {
		return nil
	}
	before, ok := c.Tx.Get(c.Account, "review", api.Str(ch["review"]))
	if !ok || !api.Bool(before["open"]) {
		return nil
	}
	after := api.Clone(before)
	after["open"], after["closed_reason"], after["reason"] = false, reason, reason
	return c.PutEmit(after, "review.closed", nil)
}

// issueEarlyFraudWarning records the issuer's early fraud warning the
// test card asks for on a charge just captured
// (radar.early_fraud_warning.created). Stripe does not document when it
// arrives; here it is at once.
func issueEarlyFraudWarning(c *api.Call, ch store.Obj, cd card) error {
	if cd.EarlyFraudWarning == "" {
		return nil
	}
	w := c.Object("radar.early_fraud_warning", c.NewID("radar.early_fraud_warning"), store.Obj{
		"actionable": true, "charge": ch["id"], "fraud_type": cd.EarlyFraudWarning,
	})
	if ch["payment_intent"] != nil {
		w["payment_intent"] = ch["payment_intent"]
	}
	return c.Insert(w)
}

// afterCapture is what Stripe's test cards set off once a charge is
// captured: a dispute, an early fraud warning. The card network raises
// them, not the merchant's request, so their events name no request.
func afterCapture(c *api.Call, ch store.Obj, cd card) error {
	return c.Automatic(func() error {
		if err := issueEarlyFraudWarning(c, ch, cd); err != nil {
			return err
		}
		if cd.Dispute != nil {
			return openDispute(c, ch, cd.Dispute)
		}
		return nil
	})
}

// radarAfterRefund closes the charge's open review (refunded, or
// refunded_as_fraud for a refund for fraud) and, once the charge is fully
// refunded, makes its early fraud warnings no longer actionable
// (radar.early_fraud_warning.updated).
func radarAfterRefund(c *api.Call, ch store.Obj, reason string) error {
	closed := "refunded"
	if reason == "fraudulent" {
		closed = "refunded_as_fraud"
	}
	if err := closeReview(c, ch, closed); err != nil {
		return err
	}
	if !api.Bool(ch["refunded"]) {
		return nil
	}
	for _, w := range c.Tx.List(c.Account, "radar.early_fraud_warning", store.Query{Index: "charge", Value: api.Str(ch["id"])}).Data {
		if !api.Bool(w["actionable"]) {
			continue
		}
		after := api.Clone(w)
		after["actionable"] = false
		if err := c.Save(w, after); err != nil {
			return err
		}
	}
	return nil
}

func retrieveReview(c *api.Call) (any, error) {
	return c.Retrieve("review", c.Var("id"))
}

// listReviews lists the open reviews, as Stripe's list does.
func listReviews(c *api.Call) (any, error) {
	q, err := c.ListQuery("review")
	if err != nil {
		return nil, err
	}
	q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Bool(o["open"]) })
	return c.Page("review", "/v1/reviews", q), nil
}

func approveReview(c *api.Call) (any, error) {
	before, err := c.Load("review", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if !api.Bool(before["open"]) {
		return nil, apierr.InvalidRequest("This review is already closed (its closed_reason is %s): it cannot be approved.", before["closed_reason"])
	}
	after := api.Clone(before)
	after["open"], after["closed_reason"], after["reason"] = false, "approved", "approved"
	return after, c.PutEmit(after, "review.closed", nil)
}

func retrieveEarlyFraudWarning(c *api.Call) (any, error) {
	return c.Retrieve("radar.early_fraud_warning", c.Var("id"))
}

func listEarlyFraudWarnings(c *api.Call) (any, error) {
	q, err := c.ListQuery("radar.early_fraud_warning")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "charge", "payment_intent")
	return c.Page("radar.early_fraud_warning", "/v1/radar/early_fraud_warnings", q), nil
}
