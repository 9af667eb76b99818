package identity

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Failures a user's session can end in before any check runs: the
// session goes back to requires_input with no report.
var sessionFailures = map[string]string{
	"abandoned":             "The user abandoned the verification flow.",
	"consent_declined":      "The user declined to be verified by Stripe.",
	"country_not_supported": "The user's identity document was issued by a country Stripe Identity does not support.",
	"device_not_supported":  "The user's device cannot take part in the verification flow (no camera).",
	"under_supported_age":   "The user is under the age Stripe Identity supports.",
}

// checkFailures are the failures of each check, with the reason shown.
var checkFailures = map[string]map[string]string{
	"document": {
		"document_expired":            "The provided identity document has expired.",
		"document_type_not_supported": "The provided identity document is not one of the session's allowed types.",
		"document_unverified_other":   "The provided identity document could not be verified.",
	},
	"selfie": {
		"selfie_document_missing_photo": "The provided identity document did not contain a picture of a face.",
		"selfie_face_mismatch":          "The captured face image did not match the document's face.",
		"selfie_manipulated":            "The captured face image was manipulated.",
		"selfie_unverified_other":       "The selfie could not be verified.",
	},
	"id_number": {
		"id_number_insufficient_document_data": "The provided document did not contain enough data to match the ID number.",
		"id_number_mismatch":                   "The information provided could not be matched against global databases.",
		"id_number_unverified_other":           "The ID number could not be verified.",
	},
}

// checks are the checks a session runs, in Stripe's report order.
func checks(vs store.Obj) []string {
	doc := api.Obj(api.Obj(vs["options"])["document"])
	if vs["type"] == "id_number" {
		return []string{"id_number"}
	}
	out := []string{"document"}
	if api.Bool(doc["require_matching_selfie"]) {
		out = append(out, "selfie")
	}
	if api.Bool(doc["require_id_number"]) {
		out = append(out, "id_number")
	}
	return out
}

// Outcomes are what a session awaiting its user can end in: verified, or
// one of the failures its checks can have.
func Outcomes(vs store.Obj) []string {
	out := []string{Verified}
	for _, check := range checks(vs) {
		codes := make([]string, 0, len(checkFailures[check]))
		for code := range checkFailures[check] {
			codes = append(codes, code)
		}
		slices.Sort(codes)
		out = append(out, codes...)
	}
	session := make([]string, 0, len(sessionFailures))
	for code := range sessionFailures {
		session = append(session, code)
	}
	slices.Sort(session)
	return append(out, session...)
}

// submit is what the user does on the session's page: they submit, the
// checks run (processing), and the session ends verified or back in
// requires_input with the failure as its last_error.
func submit(c *api.Call) (any, error) {
	before, err := loadAwaiting(c, "submitted")
	if err != nil {
		return nil, err
	}
	outcome, _ := c.Params.Str("outcome")
	if outcome == "" {
		outcome = Verified
	}
	allowed := Outcomes(before)
	if !slices.Contains(allowed, outcome) {
		return nil, apierr.InvalidRequest("Invalid outcome: must be one of %s", strings.Join(allowed, ", ")).WithParam("outcome")
	}
	vs := api.Clone(before)
	if reason, ok := sessionFailures[outcome]; ok {
		vs["last_error"] = store.Obj{"code": outcome, "reason": reason}
		if err := openForInput(c, vs); err != nil {
			return nil, err
		}
		return vs, c.PutEmit(vs, "identity.verification_session.requires_input", nil)
	}
	closeForInput(c, vs)
	vs["status"] = Processing
	vs["last_error"] = nil
	if err := c.PutEmit(vs, "identity.verification_session.processing", nil); err != nil {
		return nil, err
	}
	report, failed, err := newReport(c, vs, outcome)
	if err != nil {
		return nil, err
	}
	if err := c.Put(report); err != nil {
		return nil, err
	}
	done := api.Clone(vs)
	done["last_verification_report"] = report["id"]
	if failed != nil {
		done["status"] = RequiresInput
		done["last_error"] = failed
		if err := openForInput(c, done); err != nil {
			return nil, err
		}
		return done, c.PutEmit(done, "identity.verification_session.requires_input", nil)
	}
	done["status"] = Verified
	if err := saveOutputs(c, done); err != nil {
		return nil, err
	}
	return done, c.PutEmit(done, "identity.verification_session.verified", nil)
}

// The person Stripe's test mode verifies (its example report's).
var (
	testFirstName = "Jenny"
	testLastName  = "Rosen"
	testAddress   = store.Obj{"city": "San Francisco", "country": "US", "line1": "1234 Main St.", "line2": nil, "postal_code": "94111", "state": "CA"}
	testDOB       = store.Obj{"day": int64(1), "month": int64(1), "year": int64(1901)}
	testIDNumber  = "000000000"
)

// newReport records the checks a submission ran; failed is the session's
// last_error when the outcome fails one (nil when all verified).
func newReport(c *api.Call, vs store.Obj, outcome string) (store.Obj, store.Obj, error) {
	var failed store.Obj
	result := func(check string) (string, store.Obj) {
		if reason, ok := checkFailures[check][outcome]; ok {
			failed = store.Obj{"code": outcome, "reason": reason}
			return "unverified", store.Obj{"code": outcome, "reason": reason}
		}
		return "verified", nil
	}
	opts := api.Obj(vs["options"])
	report := c.Object("identity.verification_report", c.NewID("identity.verification_report"), store.Obj{
		"client_reference_id": vs["client_reference_id"], "type": vs["type"], "verification_session": vs["id"],
		"options": store.Obj{"document": api.Clone(api.Obj(opts["document"])), "id_number": store.Obj{}},
	})
	if api.Obj(opts["document"]) == nil {
		api.Obj(report["options"])["document"] = store.Obj{}
	}
	now := time.Unix(c.Now, 0).UTC()
	for _, check := range checks(vs) {
		status, e := result(check)
		ok := status == "verified"
		switch check {
		case "document":
			docType := "driving_license"
			if allowed := api.Strs(api.Obj(opts["document"])["allowed_types"]); len(allowed) > 0 && !slices.Contains(allowed, docType) {
				docType = allowed[0]
			}
			doc := store.Obj{"status": status, "error": e, "files": []any{}, "type": docType, "issuing_country": "US",
				"first_name": nil, "last_name": nil, "address": nil, "issued_date": nil}
			if ok || outcome == "document_expired" {
				doc["first_name"], doc["last_name"], doc["address"] = testFirstName, testLastName, api.Clone(testAddress)
				issued, expires := now.AddDate(-5, 0, 0), now.AddDate(5, 0, 0)
				if outcome == "document_expired" {
					issued, expires = now.AddDate(-10, 0, 0), now.AddDate(0, -1, 0)
				}
				doc["issued_date"] = ymd(issued)
				// Shown only when expanded: kept beside the report.
				if err := c.SetMetaJSON(metaExpiry(c.Account, api.Str(report["id"])), ymd(expires)); err != nil {
					return nil, nil, err
				}
			}
			report["document"] = doc
		case "selfie":
			report["selfie"] = store.Obj{"status": status, "error": e, "document": nil, "selfie": nil}
		case "id_number":
			idn := store.Obj{"status": status, "error": e, "id_number_type": "us_ssn", "first_name": nil, "last_name": nil}
			if ok {
				idn["first_name"], idn["last_name"] = testFirstName, testLastName
			}
			report["id_number"] = idn
		}
	}
	return report, failed, nil
}

func metaExpiry(account, id string) string { return "identityexpiry:" + account + ":" + id }

// reportOutput is a report check's field kept out of it unless expanded
// (the fields stripe-node types as optional): the test person's, once the
// check has read them (a verified check, or an expired document), and
// nothing after redaction. A report without the check leaves it out. The
// test document's number and the person's sex are not documented: null.
func reportOutput(check, field string) func(c *api.Call, r store.Obj) (any, error) {
	return func(c *api.Call, r store.Obj) (any, error) {
		o := api.Obj(r[check])
		if o == nil {
			return api.Omitted, nil
		}
		// The names are set exactly when the check read the person.
		if name := o["first_name"]; name == nil || name == Redacted {
			return nil, nil
		}
		switch field {
		case "expiration_date":
			if o := loadMetaObj(c.Tx, metaExpiry(c.Account, api.Str(r["id"]))); o != nil {
				return o, nil
			}
			return nil, nil
		case "dob":
			return api.Clone(testDOB), nil
		case "id_number":
			// Stripe: "When id_number_type is us_ssn, only the last 4
			// digits are present."
			return testIDNumber[len(testIDNumber)-4:], nil
		}
		return nil, nil
	}
}

func ymd(t time.Time) store.Obj {
	return store.Obj{"day": int64(t.Day()), "month": int64(t.Month()), "year": int64(t.Year())}
}

// saveOutputs keeps what a verified session shows in verified_outputs.
func saveOutputs(c *api.Call, vs store.Obj) error {
	out := store.Obj{
		"address": api.Clone(testAddress), "dob": api.Clone(testDOB), "email": nil, "first_name": testFirstName,
		"id_number": nil, "id_number_type": nil, "last_name": testLastName, "phone": nil, "sex": nil,
		"unparsed_place_of_birth": nil, "unparsed_sex": nil,
	}
	if slices.Contains(checks(vs), "id_number") {
		out["id_number"], out["id_number_type"] = testIDNumber, "us_ssn"
	}
	return c.SetMetaJSON(metaOutputs(c.Account, api.Str(vs["id"])), out)
}

// Redacted is Stripe's placeholder for redacted personal data.
const Redacted = "[redacted]"

// redact starts redacting a session (verified, or awaiting its user,
// which cancels it): Stripe finishes in up to four days, the emulator
// when its clock next moves.
func redact(c *api.Call) (any, error) {
	before, err := load(c)
	if err != nil {
		return nil, err
	}
	if before["redaction"] != nil {
		return before, nil // already under way or done
	}
	switch before["status"] {
	case RequiresInput, Verified:
	default:
		return nil, apierr.InvalidRequest("This VerificationSession has a status of %s and cannot be redacted. Only a VerificationSession with a status of requires_input or verified can be redacted.", before["status"]).
			WithCode("verification_session_unexpected_state")
	}
	vs := api.Clone(before)
	vs["redaction"] = store.Obj{"status": "processing"}
	if err := c.SetMeta(metaRedaction(c.Account, api.Str(vs["id"])), strconv.FormatInt(c.Now, 10)); err != nil {
		return nil, err
	}
	if vs["status"] == RequiresInput {
		vs["status"] = Canceled
		closeForInput(c, vs)
		return vs, c.PutEmit(vs, "identity.verification_session.canceled", nil)
	}
	return vs, c.Put(vs)
}

func metaRedaction(account, id string) string { return "identityredact:" + account + ":" + id }

// Timer finishes redactions once the clock moves past their start.
var Timer = api.Timer{
	Due: func(_ *api.Env, tx *store.Tx, account string, target int64) []api.Due {
		var out []api.Due
		prefix := metaRedaction(account, "")
		tx.ScanMeta(prefix, func(name, value string) bool {
			at, _ := strconv.ParseInt(value, 10, 64)
			if at < target {
				id := strings.TrimPrefix(name, prefix)
				out = append(out, api.Due{At: at, Account: account, Kind: "identity_redaction",
					Run: func(c *api.Call) error { return finishRedaction(c, id) }})
			}
			return true
		})
		return out
	},
}

// finishRedaction replaces the session's personal data, its reports' and
// what it kept aside with Stripe's placeholder, erases its metadata, and
// says identity.verification_session.redacted.
func finishRedaction(c *api.Call, id string) error {
	c.DeleteMeta(metaRedaction(c.Account, id))
	before, ok := c.Tx.Get(c.Account, "identity.verification_session", id)
	if !ok {
		return nil
	}
	vs := api.Clone(before)
	vs["redaction"] = store.Obj{"status": "redacted"}
	vs["metadata"] = map[string]any{}
	if vs["client_reference_id"] != nil {
		vs["client_reference_id"] = Redacted
	}
	for _, name := range []string{metaProvided(c.Account, id), metaOutputs(c.Account, id)} {
		if o := loadMetaObj(c.Tx, name); o != nil {
			if err := c.SetMetaJSON(name, redactValues(o)); err != nil {
				return err
			}
		}
	}
	for _, r := range c.Tx.List(c.Account, "identity.verification_report", store.Query{Index: "verification_session", Value: id}).Data {
		next := api.Clone(r)
		if next["client_reference_id"] != nil {
			next["client_reference_id"] = Redacted
		}
		c.DeleteMeta(metaExpiry(c.Account, api.Str(r["id"])))
		for _, check := range []string{"document", "id_number"} {
			if o := api.Obj(next[check]); o != nil {
				for _, f := range []string{"first_name", "last_name"} {
					if o[f] != nil {
						o[f] = Redacted
					}
				}
				if a := api.Obj(o["address"]); a != nil {
					o["address"] = redactValues(a)
				}
				if o["issued_date"] != nil {
					o["issued_date"] = nil
				}
			}
		}
		if err := c.Put(next); err != nil {
			return err
		}
	}
	return c.PutEmit(vs, "identity.verification_session.redacted", nil)
}

// redactValues replaces every string of o with the placeholder and every
// date with nothing.
func redactValues(o store.Obj) store.Obj {
	out := store.Obj{}
	for k, v := range o {
		switch v.(type) {
		case string:
			out[k] = Redacted
		case map[string]any:
			if k == "address" {
				out[k] = redactValues(v.(map[string]any))
			} else {
				out[k] = nil
			}
		default:
			out[k] = v
		}
	}
	return out
}

func retrieveReport(c *api.Call) (any, error) {
	return c.Retrieve("identity.verification_report", c.Var("id"))
}

// listReports lists reports newest first, by verification_session,
// client_reference_id and type.
func listReports(c *api.Call) (any, error) {
	q, err := c.ListQuery("identity.verification_report")
	if err != nil {
		return nil, err
	}
	session, _ := c.Params.Str("verification_session")
	if session != "" {
		q.Index, q.Value = "verification_session", session
	}
	ref, _ := c.Params.Str("client_reference_id")
	typ, _ := c.Params.Str("type")
	q.Filter = api.And(q.Filter, func(o store.Obj) bool {
		return (ref == "" || o["client_reference_id"] == ref) && (typ == "" || o["type"] == typ)
	})
	return c.Page("identity.verification_report", "/v1/identity/verification_reports", q), nil
}
