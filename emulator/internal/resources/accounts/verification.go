package accounts

import (
	"slices"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Verification of what the platform sends of a person (an account's
// individual or one of its persons) and of a company, by the test values
// Stripe's test mode reacts to (docs.stripe.com/connect/testing): dates of
// birth, ID numbers, address line1 tokens, document file tokens and
// business tax IDs. Stripe returns most results in a webhook a little
// later; here every result is there at once, as for its "immediate" test
// values (1902-01-01, 222222222).

// Stripe's test file tokens, which stand for an uploaded document that
// passes or fails review. They take precedence over every other value.
const (
	documentSuccess = "file_identity_document_success"
	documentFailure = "file_identity_document_failure"
)

// The requirement codes a failed verification shows, with Stripe's reasons
// (as its verification-handling guide words them; the test-mode document's
// is not documented there, and is the emulator's).
var failureReasons = map[string]string{
	"verification_failed_keyed_identity":     "The identity information you entered cannot be verified. Please correct any errors or upload a document that matches the identity fields (e.g., name and date of birth) that you entered.",
	"verification_failed_address_match":      "The address on the document doesn’t match the address on the account. Please verify and correct the provided address on the account, or upload a document with address that matches the account.",
	"verification_document_failed_test_mode": "A test data helper was supplied to simulate verification failure. Refer to the documentation for test file tokens.",
	"verification_failed_tax_id_match":       "The tax ID that you provided couldn’t be verified with the IRS. Please correct any possible errors in the company name or tax ID, or upload a document that contains those fields.",
	"verification_failed_tax_id_not_issued":  "The tax ID that you provided couldn’t be verified with the IRS. Please correct any possible errors in the company name or tax ID, or upload a document that contains those fields.",
}

// Stripe's test values for business details (its "Testing Stripe Connect"
// page): each token, sent in its field, triggers the verification error
// named there; https://accessible.stripe.com and any other value pass.
// What fails is due again with the error, as a failed identity is. The
// reasons are the emulator's wording (Stripe documents only the codes).
var businessTokens = []struct {
	field  string
	codes  map[string]string
	reason string
}{
	{"business_profile.url", map[string]string{
		"https://disallowed.stripe.com":        "invalid_url_denylisted",
		"https://geoblocked.stripe.com":        "invalid_url_website_inaccessible_geoblocked",
		"https://problem.stripe.com":           "invalid_url_website_other",
		"https://missing.stripe.com":           "invalid_url_website_incomplete",
		"https://mismatch.stripe.com":          "invalid_url_website_business_information_mismatch",
		"https://passwordprotected.stripe.com": "invalid_url_website_inaccessible_password_protected",
		"https://underconstruction.stripe.com": "invalid_url_website_incomplete_under_construction",
		"https://inaccessible.stripe.com":      "invalid_url_website_inaccessible",
	}, "The business website could not be verified (a Stripe test URL that fails review). Provide a website that describes the business."},
	{"business_profile.name", map[string]string{
		"disallowed_dba": "invalid_business_profile_name_denylisted",
		"invalid_dba":    "invalid_business_profile_name",
	}, "The business name could not be verified (a Stripe test value that fails review). Provide the name customers know the business by."},
	{"settings.payments.statement_descriptor", map[string]string{
		"mismatch":   "invalid_statement_descriptor_business_mismatch",
		"disallowed": "invalid_statement_descriptor_denylisted",
	}, "The statement descriptor could not be verified (a Stripe test value that fails review). Provide one that matches the business."},
	{"settings.card_payments.statement_descriptor_prefix", map[string]string{
		"mismatch":   "invalid_statement_descriptor_prefix_mismatch",
		"disallowed": "invalid_statement_descriptor_prefix_denylisted",
	}, "The statement descriptor prefix could not be verified (a Stripe test value that fails review). Provide one that matches the business."},
}

// businessDue is what the account's business details ask for again, with
// their errors, by Stripe's test tokens.
func businessDue(acct store.Obj) (due []string, errs []any) {
	for _, t := range businessTokens {
		var v any = acct
		for part := range strings.SplitSeq(t.field, ".") {
			v = api.Obj(v)[part]
		}
		s, _ := v.(string)
		code, ok := t.codes[strings.TrimSuffix(strings.ToLower(s), "/")]
		if !ok {
			continue
		}
		due = append(due, t.field)
		errs = append(errs, store.Obj{"code": code, "reason": t.reason, "requirement": t.field})
	}
	return due, errs
}

// Stripe's test ID number that fails the keyed identity check (000000000
// and 222222222 verify, as any other number does here).
const mismatchedIDNumber = "111111111"

// Stripe's test business tax IDs that fail (000000000, 000000001 and
// 222222222 verify, as any other number does here).
var failingTaxIDs = map[string]string{
	"111111111": "verification_failed_tax_id_match",
	"111111112": "verification_failed_tax_id_not_issued",
}

// Address line1 tokens that fail the address check.
var failingAddressLines = map[string]bool{"address_no_match": true, "address_line1_no_match": true}

// Stripe's business address tokens, in company[address][line1], by how
// restrictive they are: address_full_match (and any other address) enables
// charges and payouts, address_no_match only charges, line1 listed again,
// address_line1_no_match neither, the address listed again.
var businessAddressLevels = map[string]string{"address_no_match": "1", "address_line1_no_match": "2"}

// bizAddressKey holds how the account's business address was validated:
// "0" passed, "1" address_no_match, "2" address_line1_no_match.
func bizAddressKey(account string) string { return "bizaddress:" + account }

// recordBusinessAddress remembers how the company address line1 sent for
// the account (company is the company parameter) is validated. As Stripe's
// testing page says, a token cannot be more restrictive than the one
// before it ("if you provided address_full_match ... you can't disable
// payouts or charges afterward"): the least restrictive result stays.
func recordBusinessAddress(c *api.Call, account string, company store.Obj) error {
	line1, sent := api.Obj(company["address"])["line1"].(string)
	if !sent {
		return nil
	}
	level := businessAddressLevels[line1]
	if level == "" {
		level = "0"
	}
	if was, ok := c.Tx.GetMeta(bizAddressKey(account)); ok && was < level {
		return nil
	}
	return c.SetMeta(bizAddressKey(account), level)
}

// businessAddressDue is what the validation of the company's address asks
// for again: its line1, or its whole address.
func businessAddressDue(tx *store.Tx, acct store.Obj) []string {
	level, _ := tx.GetMeta(bizAddressKey(api.Str(acct["id"])))
	switch {
	case level == "1":
		return []string{"company.address.line1"}
	case level == "2" && api.Str(acct["country"]) == "US":
		return []string{"company.address.city", "company.address.line1", "company.address.postal_code", "company.address.state"}
	case level == "2":
		return []string{"company.address.city", "company.address.line1", "company.address.postal_code"}
	}
	return nil
}

// idMismatchKey marks a person whose ID number is Stripe's failing test
// value: the number itself is never shown, only id_number_provided.
func idMismatchKey(person string) string { return "idmismatch:" + person }

// taxIDKey holds the failure code of an account's company tax ID.
func taxIDKey(account string) string { return "taxidcheck:" + account }

func failure(requirement, code string) store.Obj {
	return store.Obj{"code": code, "reason": failureReasons[code], "requirement": requirement}
}

// recordIDNumber remembers whether the ID number sent for the person
// (sent reports whether one was) is Stripe's failing test value.
func recordIDNumber(c *api.Call, person, n string, sent bool) error {
	if !sent {
		return nil
	}
	if n == mismatchedIDNumber {
		return c.SetMeta(idMismatchKey(person), "1")
	}
	c.DeleteMeta(idMismatchKey(person))
	return nil
}

// recordTaxID remembers the failure code of the company tax ID sent for
// the account (company is the company parameter), if it is one of
// Stripe's failing test values.
func recordTaxID(c *api.Call, account string, company store.Obj) error {
	n, sent := company["tax_id"].(string)
	if !sent {
		return nil
	}
	if code, fails := failingTaxIDs[n]; fails {
		return c.SetMeta(taxIDKey(account), code)
	}
	c.DeleteMeta(taxIDKey(account))
	return nil
}

// forgetVerification drops what was kept of a deleted account's test
// values.
func forgetVerification(c *api.Call, acct store.Obj) {
	id := api.Str(acct["id"])
	c.DeleteMeta(taxIDKey(id))
	c.DeleteMeta(bizAddressKey(id))
	if ind := api.Obj(acct["individual"]); len(ind) > 0 {
		c.DeleteMeta(idMismatchKey(api.Str(ind["id"])))
	}
	c.Tx.Each(id, "person", func(p store.Obj) bool {
		c.DeleteMeta(idMismatchKey(api.Str(p["id"])))
		return true
	})
}

// checkDocumentFile refuses an identity document sent for a person that is
// neither a file uploaded by the platform or the account for that purpose
// nor one of Stripe's test file tokens; param names it.
func checkDocumentFile(c *api.Call, account, file, param string) error {
	if file == "" || file == documentSuccess || file == documentFailure {
		return nil
	}
	f, ok := c.Tx.Get(account, "file", file)
	if !ok {
		if f, ok = c.Tx.Get(c.Platform, "file", file); !ok {
			return apierr.NoSuchObject("file", file, param)
		}
	}
	if purpose := api.Str(f["purpose"]); purpose != "identity_document" {
		// Stripe's reference: "The front of an ID returned by a file upload
		// with a purpose value of identity_document" (the wording of the
		// refusal is the emulator's).
		return apierr.InvalidRequest("The file %s was uploaded with purpose `%s`: an identity document must be a file uploaded with purpose `identity_document`.", file, purpose).WithParam(param)
	}
	return nil
}

// dobOf is the person's date of birth as year, month and day, ok only
// when all three are known.
func dobOf(p store.Obj) (y, m, d int64, ok bool) {
	dob := api.Obj(p["dob"])
	if dob["year"] == nil || dob["month"] == nil || dob["day"] == nil {
		return 0, 0, 0, false
	}
	return api.Int(dob["year"]), api.Int(dob["month"]), api.Int(dob["day"]), true
}

// watchlisted reports whether the person's date of birth is Stripe's test
// value for an OFAC (watchlist) alert, 1900-01-01.
func watchlisted(p store.Obj) bool {
	y, m, d, ok := dobOf(p)
	return ok && y == 1900 && m == 1 && d == 1
}

// verifyPerson sets the person's verification and its own requirements
// from what it holds: a test document decides alone; otherwise a complete
// date of birth (or the failing ID number) runs the keyed identity check,
// which only Stripe's test dates pass (1901-01-01, 1902-01-01, and
// 1900-01-01, whose effect is the watchlist alert), and an address token
// can fail the address check. Without a date of birth, nothing is
// checked: the person stays unverified, with nothing failed.
func verifyPerson(tx *store.Tx, p store.Obj) {
	ver := api.Clone(api.Obj(p["verification"]))
	slots := map[string]store.Obj{}
	for _, doc := range []string{"document", "additional_document"} {
		slot := api.Clone(api.Obj(ver[doc]))
		slot["details"], slot["details_code"] = nil, nil
		slots[doc] = slot
	}
	front := func(doc string) string { return api.Str(slots[doc]["front"]) }

	var failed []store.Obj
	checked := false
	keyedFailed := false
	switch front("document") {
	case documentSuccess:
		checked = true
	case documentFailure:
		checked = true
		slots["document"]["details"] = "A test data helper was supplied to simulate verification failure."
		slots["document"]["details_code"] = "document_failed_test_mode"
		failed = append(failed, failure("verification.document", "verification_document_failed_test_mode"))
	default:
		y, m, d, hasDOB := dobOf(p)
		_, mismatch := tx.GetMeta(idMismatchKey(api.Str(p["id"])))
		checked = hasDOB || mismatch
		testDOB := y >= 1900 && y <= 1902 && m == 1 && d == 1
		if (hasDOB && !testDOB) || mismatch {
			keyedFailed = true
			failed = append(failed, failure("verification.document", "verification_failed_keyed_identity"))
		}
		switch {
		case front("additional_document") == documentSuccess:
		case front("additional_document") == documentFailure:
			slots["additional_document"]["details"] = "A test data helper was supplied to simulate verification failure."
			slots["additional_document"]["details_code"] = "document_failed_test_mode"
			failed = append(failed, failure("verification.additional_document", "verification_document_failed_test_mode"))
		case failingAddressLines[api.Str(api.Obj(p["address"])["line1"])]:
			checked = true
			failed = append(failed, failure("verification.additional_document", "verification_failed_address_match"))
		}
	}
	ver["document"], ver["additional_document"] = slots["document"], slots["additional_document"]
	ver["status"], ver["details"], ver["details_code"] = "unverified", nil, nil
	if checked && len(failed) == 0 {
		ver["status"] = "verified"
	}
	if keyedFailed {
		ver["details"], ver["details_code"] = "Provided identity information could not be verified", "failed_keyed_identity"
	}
	p["verification"] = ver

	reqs := api.Clone(api.Obj(p["requirements"]))
	var due []string
	errs := []any{}
	for _, f := range failed {
		if r := api.Str(f["requirement"]); !slices.Contains(due, r) {
			due = append(due, r)
		}
		errs = append(errs, f)
	}
	slices.Sort(due)
	list := func() []any { return api.Anys(due) }
	reqs["currently_due"], reqs["eventually_due"], reqs["past_due"], reqs["errors"] = list(), list(), list(), errs
	p["requirements"] = reqs
}

// verificationDue is what failed verification asks of the account again:
// its requirements (the individual's prefixed individual., a person's
// person_….), with Stripe's errors, and whether a person is on a
// watchlist.
func verificationDue(tx *store.Tx, acct store.Obj) (due []string, errs []any, listed bool) {
	add := func(prefix string, p store.Obj) {
		reqs := api.Obj(p["requirements"])
		for _, r := range api.Strs(reqs["currently_due"]) {
			due = append(due, prefix+r)
		}
		errList, _ := reqs["errors"].([]any)
		for _, e := range errList {
			f := api.Clone(api.Obj(e))
			f["requirement"] = prefix + api.Str(f["requirement"])
			errs = append(errs, f)
		}
		listed = listed || watchlisted(p)
	}
	if acct["business_type"] == "individual" {
		if ind := api.Obj(acct["individual"]); len(ind) > 0 {
			add("individual.", ind)
		}
	}
	id := api.Str(acct["id"])
	tx.Each(id, "person", func(p store.Obj) bool {
		add(api.Str(p["id"])+".", p)
		return true
	})
	bdue, berrs := businessDue(acct)
	due, errs = append(due, bdue...), append(errs, berrs...)
	if acct["business_type"] == "company" {
		due = append(due, businessAddressDue(tx, acct)...)
		if code, ok := tx.GetMeta(taxIDKey(id)); ok && api.Bool(api.Obj(acct["company"])["tax_id_provided"]) {
			due = append(due, "company.tax_id")
			errs = append(errs, failure("company.tax_id", code))
		}
	}
	return due, errs, listed
}
