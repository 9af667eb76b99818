// Package identity serves Stripe Identity's VerificationSessions
// (/v1/identity/verification_sessions, vs_…) and VerificationReports
// (/v1/identity/verification_reports, vr_…).
//
// A session starts requires_input, with a url and a client_secret for the
// user. Stripe's test mode runs no real checks: the user picks what
// happens. Here the session's url opens a page offering those outcomes,
// and POST /v1/test_helpers/identity/verification_sessions/{id}/submit
// (the emulator's, not Stripe's) is what the page does: the session goes
// processing, then verified or back to requires_input with a last_error,
// each step with its event, and a report records the checks. Redaction
// blanks personal data and finishes when the emulator's clock next moves
// (Stripe: up to four days), with identity.verification_session.redacted.
// Verification Flows are made in the Dashboard; none exists here.
package identity

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// SessionKind is the identity.verification_session object. The user's
// verified data and the details given about them are shown only when
// expanded, as Stripe keeps them out of the object otherwise.
var SessionKind = &api.Kind{
	Object: "identity.verification_session", Prefix: "vs_", Name: "verification session",
	Expandable: []string{"last_verification_report"},
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){
		"verified_outputs": verifiedOutputs,
		// As at Stripe, the date of birth, ID number and sex need
		// expanding on their own (stripe-node types them optional).
		"verified_outputs.dob":                     verifiedOutput("dob"),
		"verified_outputs.id_number":               verifiedOutput("id_number"),
		"verified_outputs.sex":                     verifiedOutput("sex"),
		"verified_outputs.unparsed_place_of_birth": verifiedOutput("unparsed_place_of_birth"),
		"verified_outputs.unparsed_sex":            verifiedOutput("unparsed_sex"),
		"provided_details":                         providedDetails,
	},
	Indexes: []store.Index{
		{Name: "client_reference_id", Path: "client_reference_id"},
		{Name: "related_customer", Path: "related_customer"},
	},
}

// ReportKind is the identity.verification_report object. As at Stripe,
// the dates of birth and numbers its checks read are shown only when
// expanded (Stripe's "Access verification results").
var ReportKind = &api.Kind{
	Object: "identity.verification_report", Prefix: "vr_", Name: "verification report",
	Indexes: []store.Index{{Name: "verification_session", Path: "verification_session"}},
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){
		"document.dob":                     reportOutput("document", "dob"),
		"document.expiration_date":         reportOutput("document", "expiration_date"),
		"document.number":                  reportOutput("document", "number"),
		"document.sex":                     reportOutput("document", "sex"),
		"document.unparsed_place_of_birth": reportOutput("document", "unparsed_place_of_birth"),
		"document.unparsed_sex":            reportOutput("document", "unparsed_sex"),
		"id_number.dob":                    reportOutput("id_number", "dob"),
		"id_number.id_number":              reportOutput("id_number", "id_number"),
	},
}

// Kinds are the family's object types.
func Kinds() []*api.Kind { return []*api.Kind{SessionKind, ReportKind} }

// Statuses of a session.
const (
	RequiresInput = "requires_input"
	Processing    = "processing"
	Verified      = "verified"
	Canceled      = "canceled"
)

// Routes are the endpoints.
func Routes() []api.Route {
	return []api.Route{
		api.POST("/v1/identity/verification_sessions", params.FromStruct(stripe.IdentityVerificationSessionCreateParams{}).
			Enum("type", "document", "id_number"), create),
		api.GET("/v1/identity/verification_sessions", params.FromStruct(stripe.IdentityVerificationSessionListParams{}).
			Enum("status", RequiresInput, Processing, Verified, Canceled), list),
		api.GET("/v1/identity/verification_sessions/{id}", params.FromStruct(stripe.IdentityVerificationSessionRetrieveParams{}), retrieve),
		api.POST("/v1/identity/verification_sessions/{id}", params.FromStruct(stripe.IdentityVerificationSessionUpdateParams{}).
			Enum("type", "document", "id_number"), update),
		api.POST("/v1/identity/verification_sessions/{id}/cancel", params.FromStruct(stripe.IdentityVerificationSessionCancelParams{}), cancel),
		api.POST("/v1/identity/verification_sessions/{id}/redact", params.FromStruct(stripe.IdentityVerificationSessionRedactParams{}), redact),
		api.POST("/v1/test_helpers/identity/verification_sessions/{id}/submit", params.Object(map[string]*params.Schema{
			"outcome": params.String(),
			"expand":  params.ArrayOf(params.String()),
		}), submit),
		api.GET("/v1/identity/verification_reports", params.FromStruct(stripe.IdentityVerificationReportListParams{}).
			Enum("type", "document", "id_number"), listReports),
		api.GET("/v1/identity/verification_reports/{id}", params.FromStruct(stripe.IdentityVerificationReportRetrieveParams{}), retrieveReport),
	}
}

// maxReference is the longest client_reference_id Stripe takes.
const maxReference = 5000

func create(c *api.Call) (any, error) {
	if flow, _ := c.Params.Str("verification_flow"); flow != "" {
		// Flows are made in the Dashboard, which the emulator has not.
		return nil, apierr.NoSuchObject("verification flow", flow, "verification_flow")
	}
	typ, _ := c.Params.Str("type")
	if typ == "" {
		return nil, apierr.MissingParam("type")
	}
	if err := c.CheckLengths(api.MaxLength{Path: "client_reference_id", Limit: maxReference}); err != nil {
		return nil, err
	}
	// The user is sent there, as from Checkout and Account Links.
	if err := c.CheckURLSchemes("return_url"); err != nil {
		return nil, err
	}
	if err := checkProvided(c); err != nil {
		return nil, err
	}
	ref, _ := c.Params.Str("client_reference_id")
	customer, _ := c.Params.Str("related_customer")
	if customer != "" {
		if cus, ok := c.Tx.Get(c.Account, "customer", customer); !ok || api.Bool(cus["deleted"]) {
			return nil, apierr.NoSuchObject("customer", customer, "related_customer")
		}
	}
	var person store.Obj
	if rp, ok := c.Params.Obj("related_person"); ok {
		acct, _ := rp.Str("account")
		pid, _ := rp.Str("person")
		if acct == "" {
			return nil, apierr.MissingParam("related_person[account]")
		}
		if pid == "" {
			return nil, apierr.MissingParam("related_person[person]")
		}
		if p, ok := c.Tx.Get(acct, "person", pid); !ok || api.Bool(p["deleted"]) {
			return nil, apierr.NoSuchObject("person", pid, "related_person[person]")
		}
		person = store.Obj{"account": acct, "person": pid}
	}
	id := c.NewID("identity.verification_session")
	vs := c.Object("identity.verification_session", id, store.Obj{
		"client_reference_id": nilIfEmpty(ref), "last_error": nil, "last_verification_report": nil,
		"metadata": map[string]any{}, "options": options(c, nil), "redaction": nil,
		"related_customer": nilIfEmpty(customer), "status": RequiresInput, "type": typ,
	})
	if person != nil {
		// Absent, never null, when not given (stripe-node types it
		// optional and not nullable).
		vs["related_person"] = person
	}
	if err := c.ApplyMetadata(vs); err != nil {
		return nil, err
	}
	if err := saveProvided(c, id, nil); err != nil {
		return nil, err
	}
	returnURL, _ := c.Params.Str("return_url")
	if err := c.SetMeta(metaReturnURL(c.Account, id), returnURL); err != nil {
		return nil, err
	}
	if err := openForInput(c, vs); err != nil {
		return nil, err
	}
	return vs, c.PutEmit(vs, "identity.verification_session.created", nil)
}

// options is the session's options as the request (over before's) sets
// them: each document option given is shown, as Stripe shows them.
func options(c *api.Call, before store.Obj) store.Obj {
	out := store.Obj{}
	if before != nil {
		out = api.Clone(before)
	}
	if c.Params.Unset("options.document") {
		// Stripe's spec takes options[document]= to clear them.
		delete(out, "document")
		return out
	}
	doc, ok := c.Params.Obj("options.document")
	if !ok {
		return out
	}
	d := api.Obj(out["document"])
	if d == nil {
		d = store.Obj{}
	}
	if doc.Has("allowed_types") {
		types := []any{}
		for _, t := range doc.Strings("allowed_types") {
			types = append(types, t)
		}
		d["allowed_types"] = types
	}
	for _, f := range []string{"require_id_number", "require_live_capture", "require_matching_selfie"} {
		if v, ok := doc.Bool(f); ok {
			d[f] = v
		}
	}
	out["document"] = d
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// openForInput gives a session awaiting the user a fresh url and
// client_secret: Stripe's are single-use, and a session back in
// requires_input hands out new ones.
func openForInput(c *api.Call, vs store.Obj) error {
	token := c.IDs.Secret(24)
	id := api.Str(vs["id"])
	closeForInput(c, vs)
	if err := c.SetMeta(metaPage(token), c.Account+" "+id); err != nil {
		return err
	}
	secret := id + "_secret_test_" + c.IDs.Secret(24)
	if err := c.SetMeta(metaSecret(secret), token); err != nil {
		return err
	}
	vs["client_secret"] = secret
	vs["url"] = "https://verify.stripe.com/start/test_" + token
	if c.BaseURL != nil {
		vs["url"] = c.BaseURL() + PagePath + "test_" + token
	}
	return nil
}

// closeForInput takes away the url and client_secret of a session no
// longer awaiting the user.
func closeForInput(c *api.Call, vs store.Obj) {
	if old := api.Str(vs["url"]); old != "" {
		c.DeleteMeta(metaPage(pageToken(old)))
	}
	if old := api.Str(vs["client_secret"]); old != "" {
		c.DeleteMeta(metaSecret(old))
	}
	vs["client_secret"], vs["url"] = nil, nil
}

// SecretPath is where Stripe.js's verifyIdentity opens a session by its
// client secret: the stand-in's modal frame loads it.
const SecretPath = "/verify.stripe.com/secret/"

// PageOfSecret is the page token a session's client secret opens.
func PageOfSecret(tx *store.Tx, secret string) (string, bool) {
	return tx.GetMeta(metaSecret(secret))
}

// PagePath is where a session's url points on the emulator, Stripe's host
// kept as a path.
const PagePath = "/verify.stripe.com/start/"

func pageToken(url string) string {
	for i := len(url) - 1; i >= 0; i-- {
		if url[i] == '/' {
			return trimTest(url[i+1:])
		}
	}
	return trimTest(url)
}

func trimTest(s string) string {
	if len(s) > 5 && s[:5] == "test_" {
		return s[5:]
	}
	return s
}

func metaPage(token string) string            { return "identitypage:" + token }
func metaSecret(secret string) string         { return "identitysecret:" + secret }
func metaReturnURL(account, id string) string { return "identityreturn:" + account + ":" + id }
func metaProvided(account, id string) string  { return "identityprovided:" + account + ":" + id }
func metaOutputs(account, id string) string   { return "identityoutputs:" + account + ":" + id }

// SessionOfPage names the session a page token opens, with its account
// and where the user returns ("" for nowhere).
func SessionOfPage(tx *store.Tx, path string) (account, id, returnURL string, ok bool) {
	v, found := tx.GetMeta(metaPage(trimTest(path)))
	if !found {
		return "", "", "", false
	}
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' {
			account, id = v[:i], v[i+1:]
			returnURL, _ = tx.GetMeta(metaReturnURL(account, id))
			return account, id, returnURL, true
		}
	}
	return "", "", "", false
}

// checkProvided refuses a provided_details[email] that is no email
// address, as Stripe refuses one wherever it takes an email.
func checkProvided(c *api.Call) error {
	if pd, ok := c.Params.Obj("provided_details"); ok {
		if email, _ := pd.Str("email"); email != "" {
			return customers.CheckEmail(email, "provided_details[email]")
		}
	}
	return nil
}

// saveProvided keeps provided_details (over before's): shown only when
// expanded, so kept beside the session.
func saveProvided(c *api.Call, id string, before store.Obj) error {
	pd, ok := c.Params.Obj("provided_details")
	out := store.Obj{}
	for k, v := range before {
		out[k] = v
	}
	if ok {
		for _, f := range []string{"email", "phone"} {
			if v, ok := pd.Str(f); ok {
				out[f] = v
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return c.SetMetaJSON(metaProvided(c.Account, id), out)
}

func loadMetaObj(tx *store.Tx, name string) store.Obj {
	var o store.Obj
	if !tx.GetMetaJSON(name, &o) {
		return nil
	}
	return o
}

func providedDetails(c *api.Call, vs store.Obj) (any, error) {
	o := loadMetaObj(c.Tx, metaProvided(c.Account, api.Str(vs["id"])))
	if o == nil {
		return nil, nil
	}
	return o, nil // only what was given: the spec allows no null there
}

func verifiedOutputs(c *api.Call, vs store.Obj) (any, error) {
	o := loadMetaObj(c.Tx, metaOutputs(c.Account, api.Str(vs["id"])))
	if o == nil {
		return nil, nil
	}
	for _, f := range includedOutputs {
		delete(o, f)
	}
	return o, nil
}

// includedOutputs are the verified outputs shown only when expanded on
// their own.
var includedOutputs = []string{"dob", "id_number", "sex", "unparsed_place_of_birth", "unparsed_sex"}

func verifiedOutput(field string) func(c *api.Call, vs store.Obj) (any, error) {
	return func(c *api.Call, vs store.Obj) (any, error) {
		o := loadMetaObj(c.Tx, metaOutputs(c.Account, api.Str(vs["id"])))
		return o[field], nil
	}
}

func retrieve(c *api.Call) (any, error) {
	return c.Retrieve("identity.verification_session", c.Var("id"))
}

// list lists sessions newest first, by client_reference_id,
// related_customer and status.
func list(c *api.Call) (any, error) {
	q, err := c.ListQuery("identity.verification_session")
	if err != nil {
		return nil, err
	}
	if v, _ := c.Params.Str("client_reference_id"); v != "" {
		q.Index, q.Value = "client_reference_id", v
	} else if v, _ := c.Params.Str("related_customer"); v != "" {
		q.Index, q.Value = "related_customer", v
	}
	ref, _ := c.Params.Str("client_reference_id")
	customer, _ := c.Params.Str("related_customer")
	status, _ := c.Params.Str("status")
	q.Filter = api.And(q.Filter, func(o store.Obj) bool {
		return (ref == "" || o["client_reference_id"] == ref) && (customer == "" || o["related_customer"] == customer) &&
			(status == "" || o["status"] == status)
	})
	return c.Page("identity.verification_session", "/v1/identity/verification_sessions", q), nil
}

// load reads the session the path names.
func load(c *api.Call) (store.Obj, error) {
	return c.Load("identity.verification_session", c.Var("id"), "id")
}

// loadAwaiting reads the session the path names for an action (done to
// it: "updated") only a session awaiting its user takes.
func loadAwaiting(c *api.Call, action string) (store.Obj, error) {
	vs, err := load(c)
	if err != nil {
		return nil, err
	}
	if err := redacted(vs); err != nil {
		return nil, err
	}
	if vs["status"] != RequiresInput {
		return nil, unexpectedState(vs, action, RequiresInput)
	}
	return vs, nil
}

// unexpectedState refuses an action on a session in another status.
func unexpectedState(vs store.Obj, action string, allowed string) error {
	return apierr.InvalidRequest("This VerificationSession has a status of %s and cannot be %s. Only a VerificationSession with a status of %s can be %s.",
		vs["status"], action, allowed, action).WithCode("verification_session_unexpected_state")
}

// redacted refuses changing a redacted session: "Redacted objects cannot
// be updated or used for any purpose."
func redacted(vs store.Obj) error {
	if vs["redaction"] == nil {
		return nil
	}
	return apierr.InvalidRequest("VerificationSession %s has been redacted and cannot be used.", vs["id"])
}

// update changes a session awaiting the user: its type, options,
// provided_details and metadata. Stripe has no event for it.
func update(c *api.Call) (any, error) {
	before, err := loadAwaiting(c, "updated")
	if err != nil {
		return nil, err
	}
	if err := checkProvided(c); err != nil {
		return nil, err
	}
	vs := api.Clone(before)
	if typ, _ := c.Params.Str("type"); typ != "" {
		vs["type"] = typ
	}
	vs["options"] = options(c, api.Obj(before["options"]))
	if err := c.ApplyMetadata(vs); err != nil {
		return nil, err
	}
	id := api.Str(vs["id"])
	if err := saveProvided(c, id, loadMetaObj(c.Tx, metaProvided(c.Account, id))); err != nil {
		return nil, err
	}
	return vs, c.Put(vs)
}

// cancel ends a session awaiting the user, for good.
func cancel(c *api.Call) (any, error) {
	before, err := loadAwaiting(c, "canceled")
	if err != nil {
		return nil, err
	}
	vs := api.Clone(before)
	vs["status"] = Canceled
	closeForInput(c, vs)
	return vs, c.PutEmit(vs, "identity.verification_session.canceled", nil)
}
