package issuing

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

func cardholderRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/issuing/cardholders", params.FromStruct(stripe.IssuingCardholderCreateParams{}).
			Enum("type", "individual", "company").Enum("status", "active", "inactive"), createCardholder),
		api.GET("/v1/issuing/cardholders", params.FromStruct(stripe.IssuingCardholderListParams{}).
			Enum("status", "active", "blocked", "inactive").Enum("type", "individual", "company"), listCardholders),
		api.GET("/v1/issuing/cardholders/{id}", params.FromStruct(stripe.IssuingCardholderRetrieveParams{}), retrieveCardholder),
		api.POST("/v1/issuing/cardholders/{id}", params.FromStruct(stripe.IssuingCardholderUpdateParams{}).
			Enum("status", "active", "inactive"), updateCardholder),
	}
}

// Stripe's limits on a cardholder's strings (its OpenAPI spec).
var cardholderLengths = []api.MaxLength{
	{Path: "individual.first_name", Limit: 5000}, {Path: "individual.last_name", Limit: 5000},
	{Path: "email", Limit: 5000}, {Path: "phone_number", Limit: 5000},
}

func createCardholder(c *api.Call) (any, error) {
	if err := issuingEnabled(c); err != nil {
		return nil, err
	}
	if err := c.CheckLengths(cardholderLengths...); err != nil {
		return nil, err
	}
	name, _ := c.Params.Str("name")
	if err := checkName(name); err != nil {
		return nil, err
	}
	typ, _ := c.Params.Str("type")
	if typ == "" {
		typ = "individual" // Stripe's default
	}
	status, _ := c.Params.Str("status")
	if status == "" {
		status = "active"
	}
	id := c.NewID("issuing.cardholder")
	ch := c.Object("issuing.cardholder", id, store.Obj{
		"billing": nil, "company": nil, "email": nil, "individual": nil, "metadata": map[string]any{},
		"name": name, "phone_number": nil, "preferred_locales": []any{}, "spending_controls": nil,
		"status": status, "type": typ,
	})
	if err := applyCardholder(c, ch); err != nil {
		return nil, err
	}
	return ch, c.PutEmit(ch, "issuing_cardholder.created", nil)
}

// maxName is the longest name Stripe prints on a card.
const maxName = 24

// checkName refuses a name Stripe cannot print on a card: longer than 24
// characters, or with numbers or special characters (read here as
// anything but letters, spaces and the punctuation of names: ' - .).
func checkName(name string) error {
	if utf8.RuneCountInString(name) > maxName {
		return apierr.TooLong("name", name, maxName)
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && r != ' ' && r != '\'' && r != '-' && r != '.' {
			return apierr.InvalidRequest("Invalid name: the cardholder's name is printed on cards and cannot contain numbers or special characters (%q).", string(r)).WithParam("name")
		}
	}
	return nil
}

// minAge is the youngest a cardholder can be.
const minAge = 13

// checkPersonName refuses an individual's first or last name with what
// Stripe's reference says it cannot contain: "any numbers, special
// characters (except periods, commas, hyphens, spaces and apostrophes)
// or non-latin letters".
func checkPersonName(name, param string) error {
	for _, r := range name {
		if !unicode.Is(unicode.Latin, r) && !strings.ContainsRune(".,- '", r) && !unicode.Is(unicode.Mn, r) {
			return apierr.InvalidRequest("Invalid %s: it cannot contain numbers, special characters (except periods, commas, hyphens, spaces and apostrophes) or non-latin letters (%q).", param, string(r)).WithParam(param)
		}
	}
	return nil
}

// applyCardholder sets on ch what a create or update request sends, and
// computes its requirements.
func applyCardholder(c *api.Call, ch store.Obj) error {
	if b, ok := c.Params.Obj("billing"); ok {
		a, _ := b.Obj("address")
		ch["billing"] = store.Obj{"address": address(a)}
	}
	if email, _ := c.Params.Str("email"); email != "" {
		if err := customers.CheckEmail(email, "email"); err != nil {
			return err
		}
	}
	for _, f := range []string{"email", "phone_number"} {
		if c.Params.Has(f) {
			s, _ := c.Params.Str(f)
			if f == "phone_number" {
				s = e164(s, api.Str(api.Obj(api.Obj(ch["billing"])["address"])["country"]))
			}
			ch[f] = api.NilIfEmpty(s)
		}
	}
	if s, _ := c.Params.Str("status"); s != "" {
		ch["status"] = s
	}
	if c.Params.Has("preferred_locales") {
		ch["preferred_locales"] = api.Anys(c.Params.Strings("preferred_locales"))
	}
	if co, ok := c.Params.Obj("company"); ok {
		if ch["type"] != "company" {
			return apierr.InvalidRequest("You cannot provide company information for a cardholder of type %s.", ch["type"]).WithParam("company")
		}
		// The tax ID itself is never shown, only that one was given.
		tax, _ := co.Str("tax_id")
		provided := tax != ""
		if prev := api.Obj(ch["company"]); !co.Has("tax_id") && prev != nil {
			provided = api.Bool(prev["tax_id_provided"])
		}
		ch["company"] = store.Obj{"tax_id_provided": provided}
	}
	if in, ok := c.Params.Obj("individual"); ok {
		if ch["type"] != "individual" {
			return apierr.InvalidRequest("You cannot provide individual information for a cardholder of type %s.", ch["type"]).WithParam("individual")
		}
		if err := applyIndividual(c, in, ch); err != nil {
			return err
		}
	}
	limitsCurrency := accountCurrency(c)
	var prev store.Obj
	if ch["spending_controls"] != nil {
		prev = api.Obj(ch["spending_controls"])
	}
	sc, err := spendingControls(c, prev, true, limitsCurrency)
	if err != nil {
		return err
	}
	ch["spending_controls"] = sc
	if err := c.ApplyMetadata(ch); err != nil {
		return err
	}
	ch["requirements"] = requirements(ch)
	return nil
}

// applyIndividual sets individual: what is sent replaces what was there
// field by field.
func applyIndividual(c *api.Call, in params.Values, ch store.Obj) error {
	ind := api.Clone(api.Obj(ch["individual"]))
	if ch["individual"] == nil {
		ind = store.Obj{"card_issuing": nil, "dob": nil, "first_name": nil, "last_name": nil, "verification": nil}
	}
	for _, f := range []string{"first_name", "last_name"} {
		if in.Has(f) {
			s, _ := in.Str(f)
			if err := checkPersonName(s, "individual["+f+"]"); err != nil {
				return err
			}
			ind[f] = api.NilIfEmpty(s)
		}
	}
	if dob, ok := in.Obj("dob"); ok {
		d, _ := dob.Int("day")
		m, _ := dob.Int("month")
		y, _ := dob.Int("year")
		if d < 1 || d > 31 || m < 1 || m > 12 || y < 1900 {
			return apierr.InvalidRequest("Invalid date of birth: day must be 1-31, month 1-12 and year after 1900.").WithParam("individual[dob]")
		}
		// "Cardholders must be older than 13 years old": read here as
		// having had their 13th birthday.
		if time.Date(int(y)+minAge, time.Month(m), int(d), 0, 0, 0, 0, time.UTC).Unix() > c.Now {
			return apierr.InvalidRequest("Invalid date of birth: cardholders must be at least %d years old.", minAge).WithParam("individual[dob]")
		}
		ind["dob"] = store.Obj{"day": d, "month": m, "year": y}
	}
	if ci, ok := in.Obj("card_issuing"); ok {
		if uta, ok := ci.Obj("user_terms_acceptance"); ok {
			prev := api.Obj(api.Obj(ind["card_issuing"])["user_terms_acceptance"])
			terms := store.Obj{"date": prev["date"], "ip": prev["ip"], "user_agent": prev["user_agent"]}
			if d, ok := uta.Int("date"); ok {
				terms["date"] = d
			}
			for _, f := range []string{"ip", "user_agent"} {
				if uta.Has(f) {
					s, _ := uta.Str(f)
					terms[f] = api.NilIfEmpty(s)
				}
			}
			ind["card_issuing"] = store.Obj{"user_terms_acceptance": terms}
		}
	}
	if v, ok := in.Obj("verification"); ok {
		doc, _ := v.Obj("document")
		// A side sent replaces that side; the other stays.
		prev := api.Obj(api.Obj(ind["verification"])["document"])
		sides := store.Obj{"back": prev["back"], "front": prev["front"]}
		for _, side := range []string{"back", "front"} {
			if !doc.Has(side) {
				continue
			}
			id, _ := doc.Str(side)
			if id != "" {
				param := "individual[verification][document][" + side + "]"
				f, ok := c.Tx.Get(c.Account, "file", id)
				if !ok {
					return apierr.NoSuchObject("file", id, param)
				}
				// "returned by a file upload with a purpose value of
				// identity_document" (Stripe's reference).
				if purpose := api.Str(f["purpose"]); purpose != "identity_document" {
					return apierr.InvalidRequest("The file %s was uploaded with purpose `%s`: an identity document must be a file uploaded with purpose `identity_document`.", id, purpose).WithParam(param)
				}
			}
			sides[side] = api.NilIfEmpty(id)
		}
		ind["verification"] = store.Obj{"document": sides}
	}
	ch["individual"] = ind
	return nil
}

// requirements is what Stripe asks of a cardholder before its cards can
// be used: an individual's first and last name and their acceptance of
// the authorized user terms (date and IP). Anything missing is past due
// and disables the cardholder (requirements.past_due): its cards'
// authorizations are declined with cardholder_verification_required.
func requirements(ch store.Obj) store.Obj {
	due := []any{}
	if ch["type"] == "individual" {
		ind := api.Obj(ch["individual"])
		terms := api.Obj(api.Obj(ind["card_issuing"])["user_terms_acceptance"])
		// In the order of Stripe's reference examples: ip before date.
		if terms["ip"] == nil {
			due = append(due, "individual.card_issuing.user_terms_acceptance.ip")
		}
		if terms["date"] == nil {
			due = append(due, "individual.card_issuing.user_terms_acceptance.date")
		}
		if ind["first_name"] == nil {
			due = append(due, "individual.first_name")
		}
		if ind["last_name"] == nil {
			due = append(due, "individual.last_name")
		}
	}
	var reason any
	if len(due) > 0 {
		reason = "requirements.past_due"
	}
	return store.Obj{"disabled_reason": reason, "past_due": due}
}

func retrieveCardholder(c *api.Call) (any, error) {
	return c.Retrieve("issuing.cardholder", c.Var("id"))
}

func updateCardholder(c *api.Call) (any, error) {
	if err := c.CheckLengths(cardholderLengths...); err != nil {
		return nil, err
	}
	before, err := c.Load("issuing.cardholder", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if before["status"] == "blocked" {
		// Stripe blocks a cardholder for good (a rejected listing).
		if s, _ := c.Params.Str("status"); s != "" {
			return nil, apierr.InvalidRequest("This cardholder is blocked and its status cannot be changed.").WithParam("status")
		}
	}
	after := api.Clone(before)
	if err := applyCardholder(c, after); err != nil {
		return nil, err
	}
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	return after, refreshCardholder(c, after)
}

// refreshCardholder shows a changed cardholder in its cards, which carry
// it whole (and in their authorizations), as Stripe always shows the
// cardholder as it is.
func refreshCardholder(c *api.Call, ch store.Obj) error {
	// Whether a card can join a wallet follows its cardholder's contact
	// details.
	return reembed(c, "issuing.card", "cardholder", ch, func(card store.Obj) { card["wallets"] = wallets(ch) }, refreshCard)
}

// listCardholders lists cardholders newest first, by email, phone_number,
// status, type and created.
func listCardholders(c *api.Call) (any, error) {
	q, err := c.ListQuery("issuing.cardholder")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "email")
	for _, f := range []string{"phone_number", "status", "type"} {
		if v, _ := c.Params.Str(f); v != "" {
			q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Str(o[f]) == v })
		}
	}
	return c.Page("issuing.cardholder", "/v1/issuing/cardholders", q), nil
}

// nanp are the countries of the North American Numbering Plan Stripe
// bills cardholders in: their national numbers take +1.
var nanp = map[string]bool{"US": true, "CA": true, "PR": true, "GU": true, "VI": true, "AS": true, "MP": true}

// e164 is a cardholder's phone number "transformed to E.164 if it is not
// provided in that format already" (Stripe's reference): spacing and
// punctuation dropped, an international 00 prefix written +, and a
// national number of a cardholder billed in a NANP country given +1. A
// national number of another country, whose trunk prefix rules the
// emulator does not know, is kept as given, as is anything else.
func e164(phone, country string) string {
	var digits []byte
	for i := 0; i < len(phone); i++ {
		switch b := phone[i]; {
		case b >= '0' && b <= '9':
			digits = append(digits, b)
		case b == '+' && i == 0, b == ' ', b == '-', b == '.', b == '(', b == ')':
		default:
			return phone // letters, extensions: not a number to rewrite
		}
	}
	d := string(digits)
	switch {
	case d == "":
		return phone
	case phone[0] == '+':
		return "+" + d
	case len(d) > 2 && d[:2] == "00":
		return "+" + d[2:]
	case nanp[country] && len(d) == 10:
		return "+1" + d
	case nanp[country] && len(d) == 11 && d[0] == '1':
		return "+" + d
	}
	return phone
}
