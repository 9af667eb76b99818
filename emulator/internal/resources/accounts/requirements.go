package accounts

import (
	"slices"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// What Stripe asks of an account before it can use the capabilities it
// requested, as its answers show a new US account's (business details, a
// bank account, terms acceptance, and the person behind it: the
// representative of a company, the individual of an individual's account,
// with the address, phone and SSN last 4 digits Stripe's guide to testing
// API onboarding lists for a US person), and a German one's for elsewhere
// (the person's address and phone, no state, no SSN, no statement
// descriptor). A field leaves the list once the account has it;
// onboarding completing (the test helper) clears the list. Which fields
// each country and capability really ask for is not emulated.
var (
	businessFields = []string{"business_profile.mcc", "business_profile.url", "business_type", "external_account"}
	personFields   = []string{"dob.day", "dob.month", "dob.year", "email", "first_name", "last_name"}
	usFields       = []string{"settings.payments.statement_descriptor"}
	abroadPerson   = []string{"address.city", "address.line1", "address.postal_code", "phone"}
	termsFields    = []string{"tos_acceptance.date", "tos_acceptance.ip"}
	// A company's own details, as Stripe's guide to testing API onboarding
	// shows a new US company's requirements (the address state in the US
	// only, as for persons).
	companyFields = []string{"company.address.city", "company.address.line1", "company.address.postal_code",
		"company.address.state", "company.name", "company.phone", "company.tax_id"}
)

// has reports whether the dotted path of o holds a value.
func has(o store.Obj, path string) bool {
	var v any = o
	for part := range strings.SplitSeq(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		v = m[part]
	}
	return v != nil && v != ""
}

// representative is the person the account names as its representative,
// if any.
func representative(tx *store.Tx, account string) store.Obj {
	var found store.Obj
	tx.Each(account, "person", func(p store.Obj) bool {
		if api.Bool(api.Obj(p["relationship"])["representative"]) {
			found = p
			return false
		}
		return true
	})
	return found
}

// ownedShare is how much of the account its persons who are owners own
// together, in percent.
func ownedShare(tx *store.Tx, account string) float64 {
	var share float64
	tx.Each(account, "person", func(p store.Obj) bool {
		if rel := api.Obj(p["relationship"]); api.Bool(rel["owner"]) {
			if pct, ok := rel["percent_ownership"].(float64); ok {
				share += pct
			}
		}
		return true
	})
	return share
}

// dueFields is what the account must still provide, sorted as Stripe
// sorts it; nothing once onboarding completed or while no capability is
// requested.
func dueFields(tx *store.Tx, acct store.Obj) []string {
	if api.Bool(acct["details_submitted"]) || len(api.Obj(acct["capabilities"])) == 0 {
		return nil
	}
	us := api.Str(acct["country"]) == "US"
	var due []string
	for _, f := range businessFields {
		switch f {
		case "business_profile.url":
			if has(acct, f) || has(acct, "business_profile.product_description") {
				continue
			}
		case "external_account":
			if banks, _ := api.Obj(acct["external_accounts"])["data"].([]any); len(banks) > 0 {
				continue
			}
		default:
			if has(acct, f) {
				continue
			}
		}
		due = append(due, f)
	}
	switch acct["business_type"] {
	case "company", "non_profit", "government_entity":
		// Each is described by the account's company hash.
		for _, f := range companyFields {
			switch {
			case f == "company.address.state" && !us:
			case f == "company.tax_id" && api.Bool(api.Obj(acct["company"])["tax_id_provided"]):
			case f != "company.tax_id" && has(acct, f):
			default:
				due = append(due, f)
			}
		}
	}
	if acct["business_type"] == "company" && !api.Bool(api.Obj(acct["company"])["owners_provided"]) &&
		ownedShare(tx, api.Str(acct["id"])) < 100 {
		due = append(due, "relationship.owner")
	}
	prefix, person := "representative.", representative(tx, api.Str(acct["id"]))
	if acct["business_type"] == "individual" {
		prefix, person = "individual.", api.Obj(acct["individual"])
	}
	fields := append(append([]string{}, abroadPerson...), personFields...)
	if us {
		fields = append(fields, "address.state", "ssn_last_4")
	}
	for _, f := range fields {
		if f == "ssn_last_4" && person != nil && (api.Bool(person["ssn_last_4_provided"]) || api.Bool(person["id_number_provided"])) {
			continue
		}
		if person == nil || !has(person, f) {
			due = append(due, prefix+f)
		}
	}
	if us {
		for _, f := range usFields {
			if !has(acct, f) {
				due = append(due, f)
			}
		}
	}
	for _, f := range termsFields {
		if !has(acct, f) {
			due = append(due, f)
		}
	}
	slices.Sort(due)
	return due
}

// bankErrored reports whether a default bank account of the account (one
// its payouts in a currency go to) is errored, a payout to it having
// failed: Stripe's support page on payout failures lists such an account
// as needing "bank account or debit card" until it is updated or replaced.
// Only an account whose requirements the platform collects is held for it
// here, the others' owners fixing it in Stripe's Dashboard, which is not
// emulated.
func bankErrored(acct store.Obj) bool {
	if requirementCollection(acct) != "application" {
		return false
	}
	banks, _ := api.Obj(acct["external_accounts"])["data"].([]any)
	for _, b := range banks {
		if ba := api.Obj(b); ba["status"] == "errored" && api.Bool(ba["default_for_currency"]) {
			return true
		}
	}
	return false
}

// payoutsOnlyHeld reports whether all the account lacks is what holds
// only its payouts (charges and capabilities staying): the external
// account an errored bank account asks for again, the line1 of a business
// address that failed Stripe's address_no_match test token.
func payoutsOnlyHeld(tx *store.Tx, acct store.Obj) bool {
	reqs := api.Obj(acct["requirements"])
	errs, _ := reqs["errors"].([]any)
	due := api.Strs(reqs["currently_due"])
	if len(errs) > 0 || len(due) == 0 || requirementCollection(acct) != "application" ||
		reqs["disabled_reason"] != "requirements.past_due" {
		return false
	}
	for _, f := range due {
		switch {
		case f == "external_account" && bankErrored(acct):
		case f == "company.address.line1" && acct["business_type"] == "company" &&
			slices.Equal(businessAddressDue(tx, acct), []string{f}):
		default:
			return false
		}
	}
	return true
}

// refreshRequirements sets the account's requirements from what it still
// has to provide: due now and past due (Stripe sets no deadline on a new
// account), the account disabled for it. What failed verification is due
// again, with Stripe's errors, on an account not yet onboarded and, after,
// on one whose requirements the platform collects (Stripe's onboarding
// answers for the others); a person on a watchlist disables the account as
// listed. A rejection's reason stays.
func refreshRequirements(tx *store.Tx, acct store.Obj) {
	due := dueFields(tx, acct)
	var errs []any
	listed := false
	if len(api.Obj(acct["capabilities"])) > 0 && (!api.Bool(acct["details_submitted"]) || requirementCollection(acct) == "application") {
		var failed []string
		failed, errs, listed = verificationDue(tx, acct)
		for _, f := range failed {
			if !slices.Contains(due, f) {
				due = append(due, f)
			}
		}
		slices.Sort(due)
	}
	if len(api.Obj(acct["capabilities"])) > 0 && bankErrored(acct) && !slices.Contains(due, "external_account") {
		due = append(due, "external_account")
		slices.Sort(due)
	}
	reqs := requirements()
	if len(due) > 0 {
		list := func() []any { return api.Anys(due) }
		reqs["currently_due"], reqs["eventually_due"], reqs["past_due"] = list(), list(), list()
		reqs["disabled_reason"] = "requirements.past_due"
		if api.Str(acct["country"]) == "US" && slices.Contains(due, "business_profile.url") {
			reqs["alternatives"] = []any{store.Obj{
				"alternative_fields_due": []any{"business_profile.product_description"},
				"original_fields_due":    []any{"business_profile.url"},
			}}
		}
	}
	if len(errs) > 0 {
		reqs["errors"] = errs
	}
	if listed {
		reqs["disabled_reason"] = "listed"
	}
	if rejected(acct) {
		reqs["disabled_reason"] = api.Obj(acct["requirements"])["disabled_reason"]
	}
	acct["requirements"] = reqs
}

// requirementsMet reports whether the platform has now provided everything
// due, verified, on an account whose requirements it collects (Custom): in
// test mode Stripe then verifies it at once, so it is onboarded without its
// owner (again, after a failed verification was corrected).
func requirementsMet(acct store.Obj) bool {
	reqs := api.Obj(acct["requirements"])
	return requirementCollection(acct) == "application" && len(api.Obj(acct["capabilities"])) > 0 &&
		len(api.Strs(reqs["currently_due"])) == 0 && reqs["disabled_reason"] == nil
}

// onboard makes an account what finished onboarding makes it: every
// requested capability active, charges and payouts enabled, nothing due.
func onboard(acct store.Obj) {
	caps := store.Obj{}
	for name := range api.Obj(acct["capabilities"]) {
		caps[name] = "active"
	}
	acct["capabilities"] = caps
	acct["details_submitted"], acct["charges_enabled"], acct["payouts_enabled"] = true, true, true
	acct["requirements"], acct["future_requirements"] = requirements(), requirements()
}

// hold disables an onboarded account whose platform-collected requirements
// are due again (a verification failed) or that is listed: every
// capability inactive, no charges or payouts, until they are met.
func hold(acct store.Obj) {
	caps := store.Obj{}
	for name := range api.Obj(acct["capabilities"]) {
		caps[name] = "inactive"
	}
	acct["capabilities"] = caps
	acct["charges_enabled"], acct["payouts_enabled"] = false, false
}

// settleRequirements refreshes the requirements of after (a changed
// account) and onboards it when they are all met, or holds it when a
// verification failed after onboarding.
func settleRequirements(tx *store.Tx, after store.Obj) {
	refreshRequirements(tx, after)
	switch {
	case rejected(after):
	case requirementsMet(after):
		onboard(after)
	case payoutsOnlyHeld(tx, after):
		// Onboarded but for payouts: what holds them stays due.
		onboard(after)
		refreshRequirements(tx, after)
		after["payouts_enabled"] = false
	case api.Bool(after["details_submitted"]) && requirementCollection(after) == "application" &&
		api.Obj(after["requirements"])["disabled_reason"] != nil:
		hold(after)
	}
}

// saveRequirements stores a connected account whose requirements may have
// changed by something stored beside it (a bank account, a person): the
// account is stored again, capability.updated sent for every capability
// that changed with them, and account.updated when they did (showing all
// that changed when the account was onboarded or held by it).
func saveRequirements(c *api.Call, before, after store.Obj) error {
	was := capabilitiesOf(c.Tx, before)
	settleRequirements(c.Tx, after)
	enabled := func(o store.Obj) []any {
		return []any{o["charges_enabled"], o["payouts_enabled"], o["details_submitted"], o["capabilities"]}
	}
	if len(api.PreviousAttributes(store.Obj{"e": enabled(before)}, store.Obj{"e": enabled(after)})) > 0 {
		_, err := saveWithCapabilities(c, was, before, after)
		return err
	}
	emitCapabilityChanges(c, was, before, after)
	if err := c.Tx.Put(c.Platform, after); err != nil {
		return err
	}
	prev := api.PreviousAttributes(store.Obj{"requirements": before["requirements"]}, store.Obj{"requirements": after["requirements"]})
	if len(prev) > 0 {
		c.EmitIn(api.Str(after["id"]), "account.updated", after, prev)
	}
	return nil
}
