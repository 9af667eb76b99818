package issuing

import (
	"strconv"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// DisputeKind is the issuing.dispute object: the account disputing a
// capture of one of its cards. Its balance transactions are shown only
// when expanded, as Stripe's reference says ("includable").
var DisputeKind = &api.Kind{
	Object: "issuing.dispute", Prefix: "idp_", Name: "issuing dispute", EventPrefix: "issuing_dispute",
	Expandable: disputeExpandable(),
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){
		"balance_transactions": disputeBalanceTransactions,
	},
	Indexes: []store.Index{{Name: "transaction", Path: "transaction"}},
}

// Dispute statuses.
const (
	disputeUnsubmitted = "unsubmitted"
	disputeSubmitted   = "submitted"
	disputeWon         = "won"
	disputeLost        = "lost"
	disputeExpired     = "expired"
)

// disputeDays is how long after its capture a transaction can be
// disputed: "If you don't submit a dispute within 110 days of the
// transaction clearing, its status becomes expired" (Stripe's Issuing
// disputes guide, test mode alike).
const disputeDays = 110

// Stripe's test-mode outcomes: the explanation its Dashboard fills in
// when Won or Lost is chosen on submission.
const (
	winningEvidence = "winning_evidence"
	losingEvidence  = "losing_evidence"
)

// evidenceField is one field of a reason's evidence: kind "string"
// (limit: its longest length), "time", "bool", "enum" or "file".
type evidenceField struct {
	name, kind string
	limit      int
}

// evidenceFields are the fields of each reason's evidence, as Stripe's
// OpenAPI spec lists them (the order they are shown in).
var evidenceFields = map[string][]evidenceField{
	"canceled": {
		{name: "additional_documentation", kind: "file"}, {name: "canceled_at", kind: "time"},
		{name: "cancellation_policy_provided", kind: "bool"}, {name: "cancellation_reason", kind: "string", limit: 2500},
		{name: "expected_at", kind: "time"}, {name: "explanation", kind: "string", limit: 2500},
		{name: "product_description", kind: "string", limit: 2500}, {name: "product_type", kind: "enum"},
		{name: "return_status", kind: "enum"}, {name: "returned_at", kind: "time"},
	},
	"duplicate": {
		{name: "additional_documentation", kind: "file"}, {name: "card_statement", kind: "file"},
		{name: "cash_receipt", kind: "file"}, {name: "check_image", kind: "file"},
		{name: "explanation", kind: "string", limit: 2500}, {name: "original_transaction", kind: "string", limit: 5000},
	},
	"fraudulent": {{name: "additional_documentation", kind: "file"}, {name: "explanation", kind: "string", limit: 2500}},
	"merchandise_not_as_described": {
		{name: "additional_documentation", kind: "file"}, {name: "explanation", kind: "string", limit: 2500},
		{name: "received_at", kind: "time"}, {name: "return_description", kind: "string", limit: 2500},
		{name: "return_status", kind: "enum"}, {name: "returned_at", kind: "time"},
	},
	"no_valid_authorization": {{name: "additional_documentation", kind: "file"}, {name: "explanation", kind: "string", limit: 2500}},
	"not_received": {
		{name: "additional_documentation", kind: "file"}, {name: "expected_at", kind: "time"},
		{name: "explanation", kind: "string", limit: 2500}, {name: "product_description", kind: "string", limit: 2500},
		{name: "product_type", kind: "enum"},
	},
	"other": {
		{name: "additional_documentation", kind: "file"}, {name: "explanation", kind: "string", limit: 2500},
		{name: "product_description", kind: "string", limit: 2500}, {name: "product_type", kind: "enum"},
	},
	"service_not_as_described": {
		{name: "additional_documentation", kind: "file"}, {name: "canceled_at", kind: "time"},
		{name: "cancellation_reason", kind: "string", limit: 2500}, {name: "explanation", kind: "string", limit: 2500},
		{name: "received_at", kind: "time"},
	},
}

// disputeReasons are the reasons a dispute can be filed for.
var disputeReasons = []string{
	"canceled", "duplicate", "fraudulent", "merchandise_not_as_described", "no_valid_authorization",
	"not_received", "other", "service_not_as_described",
}

// disputeExpandable are the dispute's transaction and the files of its
// evidence (evidence.<reason>.<field>).
func disputeExpandable() []string {
	out := []string{"transaction"}
	for _, r := range disputeReasons {
		for _, f := range evidenceFields[r] {
			if f.kind == "file" {
				out = append(out, "evidence."+r+"."+f.name)
			}
		}
	}
	return out
}

func disputeRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/issuing/disputes", params.FromStruct(stripe.IssuingDisputeCreateParams{}).
			Enum("evidence.reason", disputeReasons...), createDispute),
		api.GET("/v1/issuing/disputes", params.FromStruct(stripe.IssuingDisputeListParams{}), listDisputes),
		api.GET("/v1/issuing/disputes/{id}", params.FromStruct(stripe.IssuingDisputeRetrieveParams{}), retrieveDispute),
		api.POST("/v1/issuing/disputes/{id}", params.FromStruct(stripe.IssuingDisputeUpdateParams{}).
			Enum("evidence.reason", disputeReasons...), updateDispute),
		api.POST("/v1/issuing/disputes/{id}/submit", params.FromStruct(stripe.IssuingDisputeSubmitParams{}), submitDispute),
	}
}

// createDispute disputes a capture: unsubmitted, for the amount asked
// (the whole transaction by default), with the evidence given.
func createDispute(c *api.Call) (any, error) {
	txID, _ := c.Params.Str("transaction")
	if txID == "" {
		// Stripe's alternative, treasury[received_debit], is not
		// emulated (refused as an unread parameter).
		return nil, apierr.MissingParam("transaction")
	}
	txn, err := c.Load("issuing.transaction", txID, "transaction")
	if err != nil {
		return nil, err
	}
	if txn["type"] != "capture" {
		// "The transaction is a refund and not a capture": card networks
		// consider such a dispute invalid, and the API refuses it.
		return nil, apierr.InvalidRequest("Transaction %s is a refund: only captures can be disputed.", txID).WithParam("transaction")
	}
	if txn["dispute"] != nil {
		return nil, apierr.InvalidRequest("Transaction %s has already been disputed (%s).", txID, txn["dispute"]).WithParam("transaction")
	}
	if c.Now > disputeDeadline(txn) {
		return nil, apierr.InvalidRequest("Transaction %s was captured more than %d days ago and can no longer be disputed.", txID, disputeDays).WithParam("transaction")
	}
	full := -api.Int(txn["amount"])
	amount := full
	if v, ok := c.Params.Int("amount"); ok {
		amount = v
	}
	if err := checkDisputeAmount(amount, full); err != nil {
		return nil, err
	}
	if !c.Params.Has("evidence.reason") {
		// Stripe's object always has a reason, and what it shows for a
		// dispute filed without one is not documented.
		return nil, apierr.MissingParam("evidence[reason]")
	}
	ev, err := disputeEvidence(c, nil)
	if err != nil {
		return nil, err
	}
	if err := checkReasonDeadline(c, txn, ev); err != nil {
		return nil, err
	}
	id := c.NewID("issuing.dispute")
	d := c.Object("issuing.dispute", id, store.Obj{
		"amount": amount, "currency": txn["currency"], "evidence": ev, "metadata": map[string]any{},
		"status": disputeUnsubmitted, "transaction": txID, "treasury": nil,
	})
	if err := c.ApplyMetadata(d); err != nil {
		return nil, err
	}
	if err := c.PutEmit(d, "issuing_dispute.created", nil); err != nil {
		return nil, err
	}
	if err := markDisputed(c, txn, id); err != nil {
		return nil, err
	}
	return d, c.SetMeta(metaDisputeExpiry(c.Account, id), strconv.FormatInt(disputeDeadline(txn), 10))
}

// disputeDeadline is when a capture can no longer be disputed, and an
// unsubmitted dispute of it expires.
func disputeDeadline(txn store.Obj) int64 { return api.Int(txn["created"]) + disputeDays*86400 }

// authorizationDisputeDays is how long after its capture a Visa
// transaction can be disputed for want of a valid authorization ("if you
// plan to file an Authorization dispute, this deadline is shorter: For
// Visa, the transaction was captured more than 65 days ago"). Every card
// here is a Visa.
const authorizationDisputeDays = 65

// checkReasonDeadline refuses a no_valid_authorization dispute of a
// capture made more than 65 days ago, an ineligible transaction.
func checkReasonDeadline(c *api.Call, txn, ev store.Obj) error {
	if ev["reason"] == "no_valid_authorization" && c.Now > api.Int(txn["created"])+authorizationDisputeDays*86400 {
		return apierr.InvalidRequest("Transaction %s was captured more than %d days ago and can no longer be disputed for want of a valid authorization (reason no_valid_authorization).", txn["id"], authorizationDisputeDays).WithParam("evidence[reason]")
	}
	return nil
}

// checkDisputeAmount refuses a disputed amount that is not part of the
// transaction ("full or partial").
func checkDisputeAmount(amount, full int64) error {
	if amount < 1 || amount > full {
		return apierr.InvalidRequest("The dispute amount must be between 1 and the transaction's amount (%d).", full).WithParam("amount")
	}
	return nil
}

// markDisputed names the dispute on its transaction (its dispute field),
// and in the copy of it its authorization holds. Not a change the
// transaction's events announce.
func markDisputed(c *api.Call, txn store.Obj, id string) error {
	next := api.Clone(txn)
	next["dispute"] = id
	if err := c.Put(next); err != nil {
		return err
	}
	auth := api.Str(txn["authorization"])
	if auth == "" {
		return nil
	}
	before, ok := c.Tx.Get(c.Account, "issuing.authorization", auth)
	if !ok {
		return nil
	}
	after := api.Clone(before)
	for i, t := range after["transactions"].([]any) {
		if api.Obj(t)["id"] == txn["id"] {
			after["transactions"].([]any)[i] = next
		}
	}
	return c.Put(after)
}

// disputeEvidence reads the evidence sent over before's (nil for a new
// dispute): the reason, and that reason's evidence, every field shown
// (null until given; "" unsets one, and the whole hash when sent as "").
// Evidence for a reason other than the dispute's is refused: Stripe
// shows only the reason's ("Its value will match the field containing
// the evidence"), and what it does with the rest is not documented. A
// new reason starts with no evidence.
func disputeEvidence(c *api.Call, before store.Obj) (store.Obj, error) {
	reason := api.Str(before["reason"])
	if r, _ := c.Params.Str("evidence.reason"); r != "" {
		reason = r
	}
	var kept store.Obj
	if reason == api.Str(before["reason"]) {
		kept = api.Obj(before[reason])
	}
	for _, r := range disputeReasons {
		if r != reason && c.Params.Has("evidence."+r) {
			return nil, apierr.InvalidRequest("The evidence for %s does not match the dispute's reason (%s): give the evidence of evidence[%s].", r, reason, reason).WithParam("evidence[" + r + "]")
		}
	}
	hash := store.Obj{}
	for _, f := range evidenceFields[reason] {
		hash[f.name] = nil
		if kept != nil {
			hash[f.name] = kept[f.name]
		}
	}
	path := "evidence." + reason
	if c.Params.Unset(path) {
		for k := range hash {
			hash[k] = nil
		}
	}
	for _, f := range evidenceFields[reason] {
		p := path + "." + f.name
		if !c.Params.Has(p) {
			continue
		}
		if c.Params.Unset(p) {
			hash[f.name] = nil
			continue
		}
		switch f.kind {
		case "string", "enum":
			s, _ := c.Params.Str(p)
			if f.limit > 0 {
				if err := c.CheckLengths(api.MaxLength{Path: p, Limit: f.limit}); err != nil {
					return nil, err
				}
			}
			hash[f.name] = s
		case "time":
			n, _ := c.Params.Int(p)
			hash[f.name] = n
		case "bool":
			b, _ := c.Params.Bool(p)
			hash[f.name] = b
		case "file":
			id, _ := c.Params.Str(p)
			param := params.Namer("")(p)
			file, err := c.Load("file", id, param)
			if err != nil {
				return nil, err
			}
			// "The files must be in PDF or JPEG format" (the guide's
			// evidence table).
			if t := api.Str(file["type"]); t != "pdf" && t != "jpg" {
				return nil, apierr.InvalidRequest("The file %s is of type %s: evidence files must be in PDF or JPEG format.", id, t).WithParam(param)
			}
			hash[f.name] = id
		}
	}
	return store.Obj{"reason": reason, reason: hash}, nil
}

// updateDispute changes an unsubmitted dispute's evidence and amount;
// metadata can change whatever its status.
func updateDispute(c *api.Call) (any, error) {
	before, err := c.Load("issuing.dispute", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if c.Params.Has("evidence") || c.Params.Has("amount") {
		if before["status"] != disputeUnsubmitted {
			// "Stripe and card networks process disputes that have a
			// status of submitted. As such, you can't update dispute
			// evidence, but you can still update their metadata."
			return nil, apierr.InvalidRequest("This dispute has a status of %s: only an unsubmitted dispute's evidence and amount can be changed (its metadata always can).", before["status"])
		}
		txn, _ := c.Tx.Get(c.Account, "issuing.transaction", api.Str(before["transaction"]))
		if v, ok := c.Params.Int("amount"); ok {
			if err := checkDisputeAmount(v, -api.Int(txn["amount"])); err != nil {
				return nil, err
			}
			after["amount"] = v
		}
		if c.Params.Has("evidence") {
			ev, err := disputeEvidence(c, api.Obj(before["evidence"]))
			if err != nil {
				return nil, err
			}
			if ev["reason"] != api.Obj(before["evidence"])["reason"] {
				if err := checkReasonDeadline(c, txn, ev); err != nil {
					return nil, err
				}
			}
			after["evidence"] = ev
		}
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	return after, c.Save(before, after)
}

// submitDispute sends an unsubmitted dispute to the card network
// (issuing_dispute.submitted). In test mode Stripe then settles it "in
// the seconds after you submit", as its explanation says: winning_evidence
// wins it (the amount credited to the Issuing balance, an issuing_dispute
// balance transaction, issuing_dispute.closed and
// issuing_dispute.funds_reinstated), losing_evidence loses it
// (issuing_dispute.closed, nothing credited). Any other explanation has
// no documented test outcome: the dispute stays submitted. The answer
// shows it submitted, as Stripe's does; the outcome follows at once.
func submitDispute(c *api.Call) (any, error) {
	before, err := c.Load("issuing.dispute", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if before["status"] != disputeUnsubmitted {
		return nil, apierr.InvalidRequest("This dispute has a status of %s and cannot be submitted: a dispute can be submitted only once, while unsubmitted.", before["status"])
	}
	// Which evidence each reason requires at submission is not
	// documented field by field: what was given is submitted.
	after := api.Clone(before)
	after["status"] = disputeSubmitted
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if err := c.PutEmit(after, "issuing_dispute.submitted", nil); err != nil {
		return nil, err
	}
	c.DeleteMeta(metaDisputeExpiry(c.Account, api.Str(after["id"])))
	ev := api.Obj(after["evidence"])
	explanation := api.Str(api.Obj(ev[api.Str(ev["reason"])])["explanation"])
	answer := api.Clone(after)
	return answer, c.Automatic(func() error { return settleDispute(c, after, explanation) })
}

// settleDispute is the network's answer to Stripe's test evidence on a
// dispute just submitted (d, stored, changed in place).
func settleDispute(c *api.Call, d store.Obj, explanation string) error {
	switch explanation {
	case winningEvidence:
		d["status"] = disputeWon
		if _, err := payments.PutIssuingBalanceTransaction(c, "issuing_dispute", api.Int(d["amount"]), api.Str(d["currency"]), api.Str(d["id"])); err != nil {
			return err
		}
		if err := c.PutEmit(d, "issuing_dispute.closed", nil); err != nil {
			return err
		}
		c.Emit("issuing_dispute.funds_reinstated", d, nil)
	case losingEvidence:
		// Which loss_reason Stripe gives a test dispute lost is not
		// documented: it is left out, as for a dispute not lost.
		d["status"] = disputeLost
		return c.PutEmit(d, "issuing_dispute.closed", nil)
	}
	return nil
}

// disputeBalanceTransactions are a dispute's balance transactions, shown
// when expanded: the credit of a won dispute.
func disputeBalanceTransactions(c *api.Call, d store.Obj) (any, error) {
	out := []any{}
	for _, t := range c.Tx.List(c.Account, "balance_transaction", store.Query{Index: "source", Value: api.Str(d["id"])}).Data {
		out = append(out, t)
	}
	return out, nil
}

func retrieveDispute(c *api.Call) (any, error) { return c.Retrieve("issuing.dispute", c.Var("id")) }

// listDisputes lists disputes newest first, by transaction, status and
// created.
func listDisputes(c *api.Call) (any, error) {
	q, err := c.ListQuery("issuing.dispute")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "transaction")
	if v, _ := c.Params.Str("status"); v != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Str(o["status"]) == v })
	}
	return c.Page("issuing.dispute", "/v1/issuing/disputes", q), nil
}

// metaDisputeExpiry schedules an unsubmitted dispute's expiry (its value:
// when).
func metaDisputeExpiry(account, id string) string {
	return "issuingdisputeexpiry:" + account + ":" + id
}

// DisputeTimer expires disputes left unsubmitted 110 days after their
// capture: status expired, issuing_dispute.closed ("Dispute transitioned
// into a won, lost, or expired status").
var DisputeTimer = api.MetaTimer("issuing.dispute", metaDisputeExpiry, func(account, id string, at int64) api.Due {
	return api.Due{At: at, Account: account, About: store.Ref{Type: "issuing.dispute", ID: id}, Kind: "issuing_dispute_expiry",
		Run: func(c *api.Call) error {
			c.DeleteMeta(metaDisputeExpiry(account, id))
			before, ok := c.Tx.Get(account, "issuing.dispute", id)
			if !ok || before["status"] != disputeUnsubmitted {
				return nil
			}
			after := api.Clone(before)
			after["status"] = disputeExpired
			return c.PutEmit(after, "issuing_dispute.closed", nil)
		}}
})
