package payments

import (
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/accounts"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// DisputeKind is the dispute object: a cardholder questioning a charge
// with their bank. Its events are charge.dispute.*.
var DisputeKind = &api.Kind{
	Object:      "dispute",
	Prefix:      "dp_",
	EventPrefix: "charge.dispute",
	Expandable:  append([]string{"charge", "payment_intent", "balance_transactions.source"}, evidenceFileFields()...),
	Indexes:     []store.Index{{Name: "charge", Path: "charge"}, {Name: "payment_intent", Path: "payment_intent"}},
}

// evidenceFileFields are the file evidence fields as expand[] names them
// (evidence.receipt…): each holds a file id or the file.
func evidenceFileFields() []string {
	out := make([]string, len(disputeFileEvidence))
	for i, f := range disputeFileEvidence {
		out[i] = "evidence." + f
	}
	return out
}

func disputeRoutes() []api.Route {
	return []api.Route{
		api.GET("/v1/disputes", params.FromStruct(stripe.DisputeListParams{}), listDisputes),
		api.GET("/v1/disputes/{id}", params.FromStruct(stripe.DisputeRetrieveParams{}), retrieveDispute),
		api.POST("/v1/disputes/{id}", params.FromStruct(stripe.DisputeUpdateParams{}), updateDispute),
		api.POST("/v1/disputes/{id}/close", params.FromStruct(stripe.DisputeCloseParams{}), closeDispute),
	}
}

// Dispute statuses.
const (
	disputeNeedsResponse        = "needs_response"
	disputeUnderReview          = "under_review"
	disputeWon                  = "won"
	disputeLost                 = "lost"
	disputeWarningNeedsResponse = "warning_needs_response"
	disputeWarningUnderReview   = "warning_under_review"
	disputeWarningClosed        = "warning_closed"
)

func disputeClosed(status any) bool {
	return status == disputeWon || status == disputeLost || status == disputeWarningClosed
}

// DisputeFee is what Stripe takes for a chargeback ($15), in the minor
// unit of the charge's currency (no conversion is emulated): its dispute
// received fee, which Stripe never returns, even when the dispute is won.
const DisputeFee = 1500

// DisputeCounteredFee is what Stripe takes when a chargeback is countered
// (evidence submitted: $15 in the US, in the same minor unit as
// DisputeFee), on disputes opened since 17 June 2025. It comes back if
// the dispute is won.
const DisputeCounteredFee = 1500

// noCounteredFeeCountries are where Stripe's docs say the dispute
// countered fee does not apply.
var noCounteredFeeCountries = map[string]bool{"MX": true, "JP": true}

// DisputeResponseDays is how long a merchant has to answer a dispute:
// evidence is due at the end of that day (UTC).
const DisputeResponseDays = 7

// disputeTextEvidence are the evidence fields that take text, with
// Stripe's maximum lengths.
var disputeTextEvidence = map[string]int{
	"access_activity_log": 20000, "billing_address": 5000, "cancellation_policy_disclosure": 20000,
	"cancellation_rebuttal": 20000, "customer_email_address": 5000, "customer_name": 5000,
	"customer_purchase_ip": 5000, "duplicate_charge_explanation": 20000, "duplicate_charge_id": 5000,
	"product_description": 20000, "refund_policy_disclosure": 20000, "refund_refusal_explanation": 20000,
	"service_date": 5000, "shipping_address": 5000, "shipping_carrier": 5000, "shipping_date": 5000,
	"shipping_tracking_number": 5000, "uncategorized_text": 20000,
}

// disputeFileEvidence are the evidence fields that name a file uploaded
// with purpose dispute_evidence.
var disputeFileEvidence = []string{
	"cancellation_policy", "customer_communication", "customer_signature", "duplicate_charge_documentation",
	"receipt", "refund_policy", "service_documentation", "shipping_documentation", "uncategorized_file",
}

// maxEvidenceChars is Stripe's limit on all the evidence text together.
const maxEvidenceChars = 150000

// maxEvidenceFileBytes is the most the files of one dispute's evidence may
// add up to. Stripe does not document it; merchants observed refusals
// beyond about 4.5 MB, with the message of evidenceFilesTooLarge.
const maxEvidenceFileBytes = 4.5 * (1 << 20)

func evidenceFilesTooLarge() error {
	return apierr.InvalidRequest("The files you've attached to this dispute as evidence will exceed the limit for a dispute's total size. Try using smaller files as evidence. Hint: if you've attached images, you might want to try providing them in lower resolutions.").WithParam("evidence")
}

// Stripe's test-mode evidence: uncategorized_text decides the outcome.
const (
	winningEvidence = "winning_evidence"
	losingEvidence  = "losing_evidence"
	// escalateEvidence turns an inquiry into a chargeback.
	escalateEvidence = "escalate_inquiry_evidence"
)

func emptyEvidence() store.Obj {
	ev := store.Obj{"enhanced_evidence": store.Obj{}}
	for f := range disputeTextEvidence {
		ev[f] = nil
	}
	for _, f := range disputeFileEvidence {
		ev[f] = nil
	}
	return ev
}

// openDispute opens the dispute a dispute test card asks for on a charge
// just captured (ch, this request's own object, already stored): the
// charge is marked disputed and, for a chargeback, the amount and the
// dispute fee are withdrawn from the balance.
func openDispute(c *api.Call, ch store.Obj, spec *disputeCard) error {
	amount, currency := api.Int(ch["amount_captured"]), ch["currency"]
	status, caseType := disputeNeedsResponse, "chargeback"
	if spec.Inquiry {
		status, caseType = disputeWarningNeedsResponse, "inquiry"
	}
	var brand any = "visa"
	if cd := api.Obj(api.Obj(ch["payment_method_details"])["card"]); cd["brand"] != nil {
		brand = cd["brand"]
	}
	du := c.Object("dispute", c.NewID("dispute"), store.Obj{
		"amount": amount, "balance_transactions": []any{}, "charge": ch["id"], "currency": currency,
		"enhanced_eligibility_types": []any{}, "evidence": emptyEvidence(),
		"evidence_details": store.Obj{
			"due_by":               evidenceDueBy(c),
			"enhanced_eligibility": store.Obj{}, "has_evidence": false, "past_due": false, "submission_count": int64(0),
		},
		// A chargeback has already taken the money back: the charge can no
		// longer be refunded. An inquiry has not.
		"is_charge_refundable": spec.Inquiry, "metadata": map[string]any{}, "payment_intent": ch["payment_intent"],
		"payment_method_details": store.Obj{"type": "card", "card": store.Obj{
			"brand": brand, "case_type": caseType, "network_reason_code": spec.NetworkCode}},
		"reason": spec.Reason, "status": status,
	})
	ch["disputed"] = true
	if err := c.Put(ch); err != nil {
		return err
	}
	// A chargeback is opened with its withdrawal: Stripe's
	// charge.dispute.created already lists it, as funds_withdrawn does.
	if !spec.Inquiry {
		if err := withdrawFunds(c, du); err != nil {
			return err
		}
	}
	if err := c.PutEmit(du, "charge.dispute.created", nil); err != nil {
		return err
	}
	if !spec.Inquiry {
		c.Emit("charge.dispute.funds_withdrawn", du, nil)
	}
	return nil
}

// evidenceDueBy is when evidence for a dispute opened now is due: the end
// of the last day (UTC) the merchant has to answer.
func evidenceDueBy(c *api.Call) int64 {
	return (c.Now/86400+DisputeResponseDays+1)*86400 - 1
}

// withdrawFunds takes a chargeback's amount and the dispute fee from the
// balance and records it on the dispute (this request's own copy, which
// the caller stores, then tells with charge.dispute.funds_withdrawn).
func withdrawFunds(c *api.Call, du store.Obj) error {
	amount, currency := api.Int(du["amount"]), du["currency"]
	status, availableOn := disputeSettlement(c)
	txn, err := putBalanceTransaction(c, store.Obj{
		"amount": -amount, "available_on": availableOn, "currency": currency,
		"description": "Chargeback withdrawal for " + api.Str(du["charge"]), "exchange_rate": nil, "fee": int64(DisputeFee),
		"fee_details":  []any{store.Obj{"amount": int64(DisputeFee), "application": nil, "currency": currency, "description": "Dispute fee", "type": "stripe_fee"}},
		"balance_type": "payments", "net": -amount - DisputeFee, "reporting_category": "dispute",
		"source": du["id"], "status": status, "type": "adjustment",
	})
	if err != nil {
		return err
	}
	txns, _ := du["balance_transactions"].([]any)
	du["balance_transactions"] = append(append([]any{}, txns...), api.Clone(txn))
	return nil
}

// disputeSettlement is when a dispute's withdrawal or reinstatement
// reaches the available balance: pending until the account's payout
// delay has passed, as a charge's funds are (Stripe's test-mode dispute
// balance transactions are pending, available on the payout schedule's
// day).
func disputeSettlement(c *api.Call) (status string, availableOn int64) {
	_, delay := accounts.Settlement(c.Tx, c.Platform, c.Account)
	return "pending", fundsAvailableOn(c.Now, delay)
}

// withdrawnAmount is what a dispute's withdrawal took from the balance
// (the fee aside): 0 when nothing was withdrawn.
func withdrawnAmount(du store.Obj) int64 {
	txns, _ := du["balance_transactions"].([]any)
	for _, t := range txns {
		if txn := api.Obj(t); txn["reporting_category"] == "dispute" {
			return -api.Int(txn["amount"])
		}
	}
	return 0
}

// reinstateFunds gives back the amount a won chargeback withdrew, not the
// dispute fee (Stripe keeps its dispute received fee whatever the
// outcome), and records it on the dispute (this request's own copy). It
// reports whether anything came back: a chargeback on a charge already
// fully refunded withdrew nothing.
func reinstateFunds(c *api.Call, du store.Obj) (bool, error) {
	amount, currency := withdrawnAmount(du), du["currency"]
	if amount == 0 {
		return false, nil
	}
	status, availableOn := disputeSettlement(c)
	txn, err := putBalanceTransaction(c, store.Obj{
		"amount": amount, "available_on": availableOn, "currency": currency,
		"description": "Chargeback reversal for " + api.Str(du["charge"]), "exchange_rate": nil, "fee": int64(0),
		"fee_details":  []any{},
		"balance_type": "payments", "net": amount, "reporting_category": "dispute_reversal",
		"source": du["id"], "status": status, "type": "adjustment",
	})
	if err != nil {
		return false, err
	}
	txns, _ := du["balance_transactions"].([]any)
	du["balance_transactions"] = append(append([]any{}, txns...), api.Clone(txn))
	return true, nil
}

// disputesAfterFullRefund marks the open disputes of ch, a charge this
// request has just fully refunded, as no longer refundable (only an
// inquiry's charge can be refunded while disputed), with
// charge.dispute.updated.
func disputesAfterFullRefund(c *api.Call, ch store.Obj) error {
	if !api.Bool(ch["disputed"]) || !api.Bool(ch["refunded"]) {
		return nil
	}
	for _, du := range c.Tx.List(c.Account, "dispute", store.Query{Index: "charge", Value: api.Str(ch["id"])}).Data {
		if !api.Bool(du["is_charge_refundable"]) {
			continue
		}
		after := api.Clone(du)
		after["is_charge_refundable"] = false
		if err := c.Save(du, after); err != nil {
			return err
		}
	}
	return nil
}

// chargeFullyRefunded reports whether the charge of a dispute has been
// refunded in full.
func chargeFullyRefunded(c *api.Call, du store.Obj) bool {
	ch, ok := c.Tx.Get(c.Account, "charge", api.Str(du["charge"]))
	return ok && api.Bool(ch["refunded"])
}

// counteredFeeApplies reports whether countering a chargeback costs the
// account the dispute countered fee: everywhere but where Stripe's docs
// exempt.
func counteredFeeApplies(c *api.Call) bool {
	country := "US"
	if f, ok := c.Tx.Fields(c.Platform, "account", c.Account, "country"); ok && f[0].String() != "" {
		country = f[0].String()
	}
	return !noCounteredFeeCountries[country]
}

// counteredFee takes the dispute countered fee for du (sign -1), or gives
// it back once du is won (sign 1). Stripe bills it apart from the
// dispute's own balance transactions (those are the withdrawal and the
// reinstatement): a Stripe fee, in the fee reporting category, named
// by day.
func counteredFee(c *api.Call, du store.Obj, sign int64) error {
	description := "Card Dispute Countered Fee (" + time.Unix(c.Now, 0).UTC().Format(time.DateOnly) + ")"
	if sign > 0 {
		description = "Card Dispute Countered Fee refund (" + time.Unix(c.Now, 0).UTC().Format(time.DateOnly) + ")"
	}
	_, err := putBalanceTransaction(c, store.Obj{
		"amount": sign * DisputeCounteredFee, "available_on": c.Now, "currency": du["currency"], "description": description,
		"exchange_rate": nil, "fee": int64(0), "fee_details": []any{}, "balance_type": "payments", "net": sign * DisputeCounteredFee,
		"reporting_category": "fee", "source": nil, "status": "available", "type": "stripe_fee",
	})
	return err
}

// chargedBack reports whether a charge has a chargeback not won, which
// forbids refunds (only disputed charges are looked at). An inquiry is
// none, even once its charge is fully refunded (is_charge_refundable false
// then): what refuses a further refund of it is that it is refunded
// already. A won chargeback gave the money back, so the charge can be
// refunded again.
func chargedBack(c *api.Call, ch store.Obj) bool {
	if !api.Bool(ch["disputed"]) {
		return false
	}
	for _, du := range c.Tx.List(c.Account, "dispute", store.Query{Index: "charge", Value: api.Str(ch["id"])}).Data {
		if api.Obj(api.Obj(du["payment_method_details"])["card"])["case_type"] == "chargeback" && du["status"] != disputeWon {
			return true
		}
	}
	return false
}

func retrieveDispute(c *api.Call) (any, error) {
	return c.Retrieve("dispute", c.Var("id"))
}

func listDisputes(c *api.Call) (any, error) {
	q, err := c.ListQuery("dispute")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "charge", "payment_intent")
	return c.Page("dispute", "/v1/disputes", q), nil
}

func updateDispute(c *api.Call) (any, error) {
	before, err := c.Load("dispute", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	evp, hasEvidence := c.Params.Obj("evidence")
	submit, hasSubmit := c.Params.Bool("submit")
	if !hasSubmit {
		submit = hasEvidence // Stripe submits evidence unless told to stage it
	}
	status := api.Str(before["status"])
	if hasEvidence || submit {
		switch {
		case disputeClosed(status):
			return nil, apierr.InvalidRequest("This dispute is already closed (its status is %s): its evidence can no longer be changed or submitted.", status)
		case status == disputeUnderReview || status == disputeWarningUnderReview:
			return nil, apierr.InvalidRequest("This dispute's evidence has already been submitted and is under review: it can no longer be changed or submitted.")
		}
	}
	after := api.Clone(before)
	ev := api.Obj(after["evidence"])
	if hasEvidence {
		for f, max := range disputeTextEvidence {
			if !evp.Has(f) {
				continue
			}
			if evp.Unset(f) {
				ev[f] = nil
				continue
			}
			v, _ := evp.Str(f)
			if len([]rune(v)) > max {
				return nil, apierr.InvalidRequest("Invalid evidence[%s]: must be at most %d characters", f, max).WithParam("evidence[" + f + "]")
			}
			ev[f] = v
		}
		for _, f := range disputeFileEvidence {
			if err := setEvidenceFile(c, evp, ev, f); err != nil {
				return nil, err
			}
		}
	}
	total, staged := 0, false
	for f := range disputeTextEvidence {
		if v, ok := ev[f].(string); ok {
			total += len([]rune(v))
			staged = true
		}
	}
	if total > maxEvidenceChars {
		return nil, apierr.InvalidRequest("The combined character count of all evidence fields is limited to %d; this dispute's evidence would have %d.", maxEvidenceChars, total).WithParam("evidence")
	}
	var fileBytes int64
	counted := map[string]bool{}
	for _, f := range disputeFileEvidence {
		id, ok := ev[f].(string)
		if !ok {
			continue
		}
		staged = true
		if !counted[id] {
			counted[id] = true
			fileBytes += fileSize(c, id)
		}
	}
	if fileBytes > maxEvidenceFileBytes {
		return nil, evidenceFilesTooLarge()
	}
	ed := api.Obj(after["evidence_details"])
	ed["has_evidence"] = staged
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if !submit {
		return after, c.Save(before, after)
	}
	ed["submission_count"] = api.Int(ed["submission_count"]) + 1
	// Evidence sent after its due date is still taken, marked late.
	ed["past_due"] = c.Now > api.Int(ed["due_by"])
	inquiry := status == disputeWarningNeedsResponse
	if inquiry {
		after["status"] = disputeWarningUnderReview
	} else {
		after["status"] = disputeUnderReview
	}
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	// Countering a chargeback costs the countered fee (an inquiry is no
	// chargeback yet: answering it costs nothing).
	countered := !inquiry && counteredFeeApplies(c)
	if countered {
		if err := counteredFee(c, after, -1); err != nil {
			return nil, err
		}
	}
	// Stripe's test evidence settles the dispute at once: a chargeback is
	// won (the funds come back) or lost; an inquiry is closed, won or lost
	// alike, or escalated to a chargeback. That is the card network's
	// decision, not the merchant's request: its events name no request.
	return after, c.Automatic(func() error { return settleOnEvidence(c, after, api.Str(ev["uncategorized_text"]), inquiry, countered) })
}

// settleOnEvidence is the network's answer to the test evidence text
// submitted on after, the dispute this request stored (changed in place).
func settleOnEvidence(c *api.Call, after store.Obj, text string, inquiry, countered bool) error {
	switch {
	case (text == winningEvidence || text == losingEvidence) && inquiry:
		after["status"] = disputeWarningClosed
		return c.PutEmit(after, "charge.dispute.closed", nil)
	case text == escalateEvidence && inquiry:
		return escalate(c, after)
	case text == winningEvidence:
		after["status"] = disputeWon
		// The money came back: the charge can be refunded again, unless
		// it already was in full.
		after["is_charge_refundable"] = !chargeFullyRefunded(c, after)
		reinstated, err := reinstateFunds(c, after)
		if err != nil {
			return err
		}
		if countered {
			if err := counteredFee(c, after, 1); err != nil {
				return err
			}
		}
		if err := c.PutEmit(after, "charge.dispute.closed", nil); err != nil {
			return err
		}
		if reinstated {
			c.Emit("charge.dispute.funds_reinstated", after, nil)
		}
	case text == losingEvidence && !inquiry:
		after["status"] = disputeLost
		return c.PutEmit(after, "charge.dispute.closed", nil)
	}
	return nil
}

// escalate turns an inquiry whose evidence is under review (du, stored by
// this request) into a chargeback: it needs a response again, by a new due
// date, the charge can no longer be refunded, and the amount and the fee
// are withdrawn, unless the charge was refunded in full (Stripe: "After
// the payment has been fully refunded, no further funds are withdrawn
// from your Stripe account as a result of this dispute").
func escalate(c *api.Call, du store.Obj) error {
	before := api.Clone(du)
	du["status"] = disputeNeedsResponse
	du["is_charge_refundable"] = false
	api.Obj(api.Obj(du["payment_method_details"])["card"])["case_type"] = "chargeback"
	api.Obj(du["evidence_details"])["due_by"] = evidenceDueBy(c)
	// Escalated with its withdrawal, as a chargeback is opened.
	withdraw := !chargeFullyRefunded(c, du)
	if withdraw {
		if err := withdrawFunds(c, du); err != nil {
			return err
		}
	}
	if err := c.Save(before, du); err != nil {
		return err
	}
	if withdraw {
		c.Emit("charge.dispute.funds_withdrawn", du, nil)
	}
	return nil
}

// setEvidenceFile sets the file evidence field f from the request: the id
// of a file of the account uploaded with purpose dispute_evidence, or
// empty to clear it.
func setEvidenceFile(c *api.Call, evp params.Values, ev store.Obj, f string) error {
	if !evp.Has(f) {
		return nil
	}
	if evp.Unset(f) {
		ev[f] = nil
		return nil
	}
	id, _ := evp.Str(f)
	param := "evidence[" + f + "]"
	file, err := c.Load("file", id, param)
	if err != nil {
		return err
	}
	if purpose := api.Str(file["purpose"]); purpose != "dispute_evidence" {
		return apierr.InvalidRequest("The file %s was uploaded with purpose %s, but %s takes a file uploaded with purpose dispute_evidence.", id, purpose, param).WithParam(param)
	}
	ev[f] = id
	return nil
}

// fileSize is the size of a stored file, read without decoding it.
func fileSize(c *api.Call, id string) int64 {
	f, ok := c.Tx.Fields(c.Account, "file", id, "size")
	if !ok {
		return 0
	}
	return f[0].Int()
}

// closeDispute accepts a dispute: a chargeback is lost, an inquiry closed.
func closeDispute(c *api.Call) (any, error) {
	before, err := c.Load("dispute", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	switch status := api.Str(before["status"]); status {
	case disputeNeedsResponse:
		after["status"] = disputeLost
	case disputeWarningNeedsResponse:
		after["status"] = disputeWarningClosed
	case disputeUnderReview, disputeWarningUnderReview:
		return nil, apierr.InvalidRequest("This dispute's evidence has already been submitted and is under review: it can no longer be closed.")
	default:
		return nil, apierr.InvalidRequest("This dispute is already closed (its status is %s).", status)
	}
	return after, c.PutEmit(after, "charge.dispute.closed", nil)
}
