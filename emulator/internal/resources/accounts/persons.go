package accounts

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// PersonKind is a person behind a connected account's business (owner,
// director, executive, representative…). Persons live in the namespace of
// the account they belong to, as its bank accounts do, and their events
// (person.created/updated/deleted) belong to that account.
//
// A person is verified by Stripe's test values (verification.go): what its
// verification fails is its own requirement and its account's
// (person_….verification.document). Which persons an account needs, and
// what else a person must provide, are not emulated.
var PersonKind = &api.Kind{Object: "person", Prefix: "person_"}

// relationships are the roles a person can have, each a boolean of
// relationship[…] and a filter of the list.
var relationships = []string{"authorizer", "director", "executive", "legal_guardian", "owner", "representative"}

func personRoutes() []api.Route {
	create := params.FromStruct(stripe.PersonCreateParams{}).Enum("political_exposure", "existing", "none")
	update := params.FromStruct(stripe.PersonUpdateParams{}).Enum("political_exposure", "existing", "none")
	var routes []api.Route
	// /people is the older name of /persons; both answer the same.
	for _, base := range []string{"/v1/accounts/{id}/persons", "/v1/accounts/{id}/people"} {
		routes = append(routes,
			api.POST(base, create, createPerson),
			api.GET(base, params.FromStruct(stripe.PersonListParams{}), listPersons),
			api.GET(base+"/{person}", params.FromStruct(stripe.PersonRetrieveParams{}), retrievePerson),
			api.POST(base+"/{person}", update, updatePerson),
			api.DELETE(base+"/{person}", params.FromStruct(stripe.PersonDeleteParams{}), deletePerson),
		)
	}
	return routes
}

func loadPerson(c *api.Call, acct store.Obj) (store.Obj, error) {
	o, ok := c.Tx.Get(api.Str(acct["id"]), "person", c.Var("person"))
	if !ok {
		return nil, apierr.NoSuchObject("person", c.Var("person"), "id")
	}
	return o, nil
}

func createPerson(c *api.Call) (any, error) {
	acct, err := owner(c)
	if err != nil {
		return nil, err
	}
	id := api.Str(acct["id"])
	o := newPerson(c.NewID("person"), id, c.Now)
	if err := applyPerson(c, acct, o); err != nil {
		return nil, err
	}
	if err := c.PutIn(id, o); err != nil {
		return nil, err
	}
	c.EmitIn(id, "person.created", o, nil)
	return o, saveRequirements(c, acct, api.Clone(acct))
}

func retrievePerson(c *api.Call) (any, error) {
	acct, err := owner(c)
	if err != nil {
		return nil, err
	}
	return loadPerson(c, acct)
}

func updatePerson(c *api.Call) (any, error) {
	acct, err := owner(c)
	if err != nil {
		return nil, err
	}
	before, err := loadPerson(c, acct)
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if err := applyPerson(c, acct, after); err != nil {
		return nil, err
	}
	prev := api.PreviousAttributes(before, after)
	if len(prev) == 0 {
		return after, nil
	}
	id := api.Str(acct["id"])
	if err := c.PutIn(id, after); err != nil {
		return nil, err
	}
	c.EmitIn(id, "person.updated", after, prev)
	return after, saveRequirements(c, acct, api.Clone(acct))
}

func deletePerson(c *api.Call) (any, error) {
	acct, err := owner(c)
	if err != nil {
		return nil, err
	}
	o, err := loadPerson(c, acct)
	if err != nil {
		return nil, err
	}
	id := api.Str(acct["id"])
	if err := c.Tx.Delete(id, "person", api.Str(o["id"])); err != nil {
		return nil, err
	}
	c.DeleteMeta(idMismatchKey(api.Str(o["id"])))
	c.EmitIn(id, "person.deleted", o, nil)
	return api.Deleted("person", api.Str(o["id"])), saveRequirements(c, acct, api.Clone(acct))
}

func listPersons(c *api.Call) (any, error) {
	acct, err := owner(c)
	if err != nil {
		return nil, err
	}
	id := api.Str(acct["id"])
	q := store.Query{Limit: 10}
	if n, ok := c.Params.Int("limit"); ok {
		if n < 1 || n > 100 {
			return nil, apierr.InvalidRequest("Invalid limit: must be between 1 and 100").WithParam("limit")
		}
		q.Limit = int(n)
	}
	after, _ := c.Params.Str("starting_after")
	before, _ := c.Params.Str("ending_before")
	if after != "" && before != "" {
		return nil, apierr.Exclusive("starting_after", "ending_before")
	}
	// The cursors are persons of the account in the path, which need
	// not be the account in scope.
	for _, cur := range []struct{ param, id string }{{"starting_after", after}, {"ending_before", before}} {
		if cur.id != "" && !c.Tx.Exists(id, "person", cur.id) {
			return nil, apierr.NoSuchObject("person", cur.id, cur.param)
		}
	}
	q.StartingAfter, q.EndingBefore = after, before
	want := map[string]bool{}
	if rel, ok := c.Params.Obj("relationship"); ok {
		for _, r := range relationships {
			if b, ok := rel.Bool(r); ok {
				want[r] = b
			}
		}
	}
	if len(want) > 0 {
		q.Filter = func(o store.Obj) bool {
			has := api.Obj(o["relationship"])
			for r, b := range want {
				if api.Bool(has[r]) != b {
					return false
				}
			}
			return true
		}
	}
	p := c.Tx.List(id, "person", q)
	// The URL asked at: /persons or its older name /people.
	return &api.List{URL: c.Path, Data: p.Data, HasMore: p.HasMore}, nil
}

// personStrings are the person's text fields, shown as sent (an empty
// value unsets one).
var personStrings = []string{"email", "first_name", "first_name_kana", "first_name_kanji", "gender", "last_name",
	"last_name_kana", "last_name_kanji", "maiden_name", "nationality", "phone", "political_exposure"}

// personShapes are the person's nested objects as they are before anything
// is sent, each field null: a parameter merges into them.
var personShapes = map[string]func() store.Obj{
	"address":            address,
	"registered_address": address,
	"address_kana":       kanaAddress,
	"address_kanji":      kanaAddress,
	"dob":                func() store.Obj { return store.Obj{"day": nil, "month": nil, "year": nil} },
	"us_cfpb_data": func() store.Obj {
		return store.Obj{"ethnicity_details": nil, "race_details": nil, "self_identified_gender": nil}
	},
}

// shapeDetails gives what sent (a person's or company's details) asks to
// change of into the whole shape its nested objects have at Stripe, every
// field null until sent: shapes are each nested object's.
func shapeDetails(into, sent store.Obj, shapes map[string]func() store.Obj) store.Obj {
	out := api.Clone(into)
	for f, shape := range shapes {
		if _, ok := sent[f].(map[string]any); ok && len(api.Obj(out[f])) == 0 {
			out[f] = shape()
		}
	}
	return out
}

// newCompany is an account's company before anything is sent, as Stripe
// shows it: the flags false, the rest null.
func newCompany() store.Obj {
	return store.Obj{"address": address(), "directors_provided": false, "executives_provided": false, "name": nil,
		"owners_provided": false, "phone": nil, "tax_id_provided": false,
		"verification": store.Obj{"document": store.Obj{"back": nil, "details": nil, "details_code": nil, "front": nil}}}
}

// companyShapes are the company's nested objects other than those
// newCompany has.
var companyShapes = map[string]func() store.Obj{
	"address_kana": kanaAddress, "address_kanji": kanaAddress,
	"registration_date": func() store.Obj { return store.Obj{"day": nil, "month": nil, "year": nil} },
}

func address() store.Obj {
	return store.Obj{"city": nil, "country": nil, "line1": nil, "line2": nil, "postal_code": nil, "state": nil}
}

func kanaAddress() store.Obj {
	a := address()
	a["town"] = nil
	return a
}

// applyPerson records what the request tells about a person o of the
// account acct (create and update alike). Identity numbers show, as on
// Stripe, only as *_provided flags.
func applyPerson(c *api.Call, acct store.Obj, o store.Obj) error {
	p := c.Params
	if p.Has("person_token") {
		return apierr.InvalidRequest("stripe-emu does not emulate person tokens: send the person's details as parameters instead.").WithParam("person_token")
	}
	if err := checkPersonEmail(p); err != nil {
		return err
	}
	if err := checkSoleRoles(c, acct, o); err != nil {
		return err
	}
	if err := checkDOB(c); err != nil {
		return err
	}
	for _, f := range personStrings {
		if s, ok := p.Str(f); ok {
			if s == "" {
				o[f] = nil
			} else {
				o[f] = s
			}
		}
	}
	if p.Has("full_name_aliases") {
		aliases := []any{}
		for _, s := range p.Strings("full_name_aliases") {
			aliases = append(aliases, s)
		}
		o["full_name_aliases"] = aliases
	}
	for f, shape := range personShapes {
		if v, ok := p.Get(f); ok {
			base := api.Obj(o[f])
			if len(base) == 0 {
				base = shape()
			}
			o[f] = mergeDetails(base, api.Obj(v))
		}
	}
	if data := api.Obj(o["us_cfpb_data"]); data != nil {
		// Each detail sent shows all its fields, those not sent null.
		for f, keys := range map[string][]string{"ethnicity_details": {"ethnicity", "ethnicity_other"}, "race_details": {"race", "race_other"}} {
			if d := api.Obj(data[f]); len(d) > 0 {
				for _, k := range keys {
					if _, has := d[k]; !has {
						d[k] = nil
					}
				}
			}
		}
	}
	for param, flag := range map[string]string{"id_number": "id_number_provided", "id_number_secondary": "id_number_secondary_provided", "ssn_last_4": "ssn_last_4_provided"} {
		if s, ok := p.Str(param); ok {
			o[flag] = s != ""
			// A full US social security number gives its last four too.
			if param == "id_number" && acct["country"] == "US" && len(s) == 9 {
				o["ssn_last_4_provided"] = true
			}
		}
	}
	if rel, ok := p.Obj("relationship"); ok {
		r := api.Clone(api.Obj(o["relationship"]))
		for _, name := range relationships {
			if b, ok := rel.Bool(name); ok {
				r[name] = b
			}
		}
		if rel.Has("percent_ownership") {
			if pct, ok := rel.Float("percent_ownership"); ok {
				if pct < 0 || pct > 100 {
					return apierr.InvalidRequest("Invalid percent_ownership: must be between 0 and 100").WithParam("relationship[percent_ownership]")
				}
				r["percent_ownership"] = pct
			} else {
				r["percent_ownership"] = nil
			}
		}
		if s, ok := rel.Str("title"); ok {
			r["title"] = nilIfEmpty(s)
		}
		o["relationship"] = r
	}
	if tos, ok := p.Obj("additional_tos_acceptances"); ok {
		if a, ok := tos.Obj("account"); ok {
			t := api.Clone(api.Obj(api.Obj(o["additional_tos_acceptances"])["account"]))
			if d, ok := a.Int("date"); ok {
				t["date"] = d
			}
			for _, f := range []string{"ip", "user_agent"} {
				if s, ok := a.Str(f); ok {
					t[f] = nilIfEmpty(s)
				}
			}
			o["additional_tos_acceptances"] = store.Obj{"account": t}
		}
	}
	if err := applyVerification(c, acct, o); err != nil {
		return err
	}
	n, hasNumber := p.Str("id_number")
	if err := recordIDNumber(c, api.Str(o["id"]), n, hasNumber); err != nil {
		return err
	}
	verifyPerson(c.Tx, o)
	// Documents (passport, visa, company authorization) only ever serve
	// Stripe's verification requirements, which are not emulated: nothing
	// shows them.
	c.Inert("documents")
	return api.ApplyMetadataFrom(o, p)
}

// applyVerification records the identity documents sent for the person:
// uploaded files, or Stripe's test file tokens, the only documents whose
// review is emulated (verifyPerson).
func applyVerification(c *api.Call, acct store.Obj, o store.Obj) error {
	ver, ok := c.Params.Obj("verification")
	if !ok {
		return nil
	}
	v := api.Clone(api.Obj(o["verification"]))
	for _, doc := range []string{"document", "additional_document"} {
		d, ok := ver.Obj(doc)
		if !ok {
			continue
		}
		slot := api.Clone(api.Obj(v[doc]))
		for _, side := range []string{"front", "back"} {
			file, ok := d.Str(side)
			if !ok {
				continue
			}
			if err := checkDocumentFile(c, api.Str(acct["id"]), file, "verification["+doc+"]["+side+"]"); err != nil {
				return err
			}
			slot[side] = nilIfEmpty(file)
		}
		v[doc] = slot
	}
	o["verification"] = v
	return nil
}

func nilIfEmpty(s string) any {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return s
}

// checkPersonEmail refuses an email that is no address, as Stripe does for
// a customer's.
func checkPersonEmail(p params.Values) error { return checkEmailAt(p, "email") }

// checkEmailAt refuses the email sent at the dotted path when it is no
// address, naming it as Stripe names parameters.
func checkEmailAt(p params.Values, path string) error {
	email, ok := p.Str(path)
	if !ok || email == "" {
		return nil
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 512 {
		return apierr.InvalidRequest("Invalid email address: %s", email).WithParam(params.Namer("")(path)).WithCode("email_invalid")
	}
	return nil
}

// checkDOB refuses a date of birth that names no day of the calendar or
// one still to come; the parts sent merge with those already stored, so
// the date is checked once complete.
func checkDOB(c *api.Call) error {
	dob, ok := c.Params.Obj("dob")
	if !ok {
		return nil
	}
	day, hasDay := dob.Int("day")
	month, hasMonth := dob.Int("month")
	year, hasYear := dob.Int("year")
	bad := func(why string) error {
		return apierr.InvalidRequest("Invalid dob: %s", why).WithParam("dob")
	}
	if hasDay && (day < 1 || day > 31) {
		return bad("day must be between 1 and 31")
	}
	if hasMonth && (month < 1 || month > 12) {
		return bad("month must be between 1 and 12")
	}
	if hasYear && year < 1900 {
		return bad("year must be 1900 or later")
	}
	if !hasDay || !hasMonth || !hasYear {
		return nil
	}
	t := time.Date(int(year), time.Month(month), int(day), 0, 0, 0, 0, time.UTC)
	if t.Day() != int(day) {
		return bad(fmt.Sprintf("%d-%02d-%02d is not a date", year, month, day))
	}
	if t.Unix() > c.Now {
		return bad("the date of birth is in the future")
	}
	return nil
}

// checkSoleRoles refuses to make o the account's representative or
// authorizer while another person is: Stripe's reference allows one of
// each at a time, and its guide to changing the representative has the
// current one unset first.
func checkSoleRoles(c *api.Call, acct, o store.Obj) error {
	for _, role := range []string{"representative", "authorizer"} {
		if want, _ := c.Params.Bool("relationship." + role); !want {
			continue
		}
		var holder string
		c.Tx.Each(api.Str(acct["id"]), "person", func(p store.Obj) bool {
			if p["id"] != o["id"] && api.Bool(api.Obj(p["relationship"])[role]) {
				holder = api.Str(p["id"])
			}
			return holder == ""
		})
		if holder != "" {
			return apierr.InvalidRequest("There can only be one %s at any given time: %s is the account's %s; set its relationship[%s] to false first.", role, holder, role, role).WithParam("relationship[" + role + "]")
		}
	}
	return nil
}
