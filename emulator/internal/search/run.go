package search

import (
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Paths says where an object keeps a search field that is not at its top
// level under the field's name (an invoice's subscription is
// parent.subscription_details.subscription).
type Paths map[string][]string

// Values computes the search fields an object does not hold as such (a
// charge's refunded is null in Stripe's index until something is refunded).
type Values map[string]func(store.Obj) any

// Values reads each path's field where the path says.
func (p Paths) Values() Values {
	out := Values{}
	for field, path := range p {
		out[field] = func(o store.Obj) any {
			var v any = o
			for _, k := range path {
				v = api.Obj(v)[k]
			}
			return v
		}
	}
	return out
}

// Match reports whether an object satisfies the query.
func (q Query) Match(o store.Obj) bool { return q.matchAt(o, nil) }

func (q Query) matchAt(o store.Obj, values Values) bool {
	for _, cl := range q.Clauses {
		ok := cl.match(o, values)
		if cl.Negated {
			ok = !ok
		}
		if q.Or && ok {
			return true
		}
		if !q.Or && !ok {
			return false
		}
	}
	return !q.Or
}

func (cl Clause) match(o store.Obj, values Values) bool {
	v := o[cl.Field]
	if value, ok := values[cl.Field]; ok {
		v = value(o)
	}
	if cl.Key != "" {
		md, _ := v.(map[string]any)
		v = md[cl.Key]
	}
	if cl.Null {
		return v == nil
	}
	if v == nil {
		return false
	}
	switch x := v.(type) {
	case string:
		switch {
		case cl.Op == "~":
			return strings.Contains(strings.ToLower(x), strings.ToLower(cl.Value))
		case cl.Type == String:
			return hasPhrase(words(x), words(cl.Value))
		}
		return strings.EqualFold(x, cl.Value)
	case bool:
		return strconv.FormatBool(x) == strings.ToLower(cl.Value)
	}
	n := float64(api.Int(v))
	if f, ok := v.(float64); ok {
		n = f
	}
	want, _ := strconv.ParseFloat(cl.Value, 64)
	switch cl.Op {
	case ":", "=":
		return n == want
	case ">":
		return n > want
	case "<":
		return n < want
	case ">=":
		return n >= want
	case "<=":
		return n <= want
	}
	return false
}

// words splits a string field's value into its lower-cased words, as a
// search index's tokenizer does by Unicode's word boundaries, roughly:
// letters, digits and underscores make words, and a dot or apostrophe
// between two of them does not end one (jane_doe, rocketrides.io and bob's
// are one word each; amy@rocketrides.io is two).
func words(s string) []string {
	rs := []rune(strings.ToLower(s))
	inWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }
	var out []string
	start := -1
	for i, r := range rs {
		joins := (r == '.' || r == '\'') && i > 0 && i+1 < len(rs) && inWord(rs[i-1]) && inWord(rs[i+1])
		switch {
		case inWord(r) || (joins && start >= 0):
			if start < 0 {
				start = i
			}
		case start >= 0:
			out = append(out, string(rs[start:i]))
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, string(rs[start:]))
	}
	return out
}

// hasPhrase reports whether phrase stands, word for word and in order,
// somewhere in text: Stripe's exact match on a string field ("name:"one
// two three" would match … "one two three four"").
func hasPhrase(text, phrase []string) bool {
	if len(phrase) == 0 {
		return len(text) == 0
	}
	for i := 0; i+len(phrase) <= len(text); i++ {
		if slices.Equal(text[i:i+len(phrase)], phrase) {
			return true
		}
	}
	return false
}

// MinVersion is the first API version with search ("The minimum supported
// API Version to use search is 2020-08-27").
const MinVersion = "2020-08-27"

// Run answers a search endpoint: it parses `query`, pages with the opaque
// `page` token and renders Stripe's search_result. keep, if given, leaves
// out objects that are stored but gone for the API (a price deleted as a
// plan).
func Run(c *api.Call, object, url string, fields Fields, keep ...func(store.Obj) bool) (any, error) {
	return RunAt(c, object, url, fields, nil, keep...)
}

// RunAt is Run for a resource with fields kept below its top level.
func RunAt(c *api.Call, object, url string, fields Fields, paths Paths, keep ...func(store.Obj) bool) (any, error) {
	return RunWith(c, object, url, fields, paths.Values(), keep...)
}

// RunWith is Run for a resource with fields computed from its objects.
func RunWith(c *api.Call, object, url string, fields Fields, values Values, keep ...func(store.Obj) bool) (any, error) {
	// Versions are dates first (2020-08-27, 2025-08-27.basil), so their
	// order is that of their first 10 characters.
	if v := c.AskedVersion; len(v) >= 10 && v[:10] < MinVersion {
		return nil, apierr.InvalidRequest("Search is not supported on api version %s. Update your API version, or set the API Version of this request to %s or greater.", v, MinVersion)
	}
	raw, _ := c.Params.Str("query")
	q, err := Parse(raw, fields)
	if err != nil {
		return nil, queryError(err, url).WithParam("query")
	}
	limit := int64(10)
	if n, ok := c.Params.Int("limit"); ok {
		if n < 1 || n > 100 {
			return nil, apierr.InvalidRequest("Invalid limit: must be between 1 and 100").WithParam("limit")
		}
		limit = n
	}
	after := ""
	if page, ok := c.Params.Str("page"); ok && page != "" {
		b, err := base64.RawURLEncoding.DecodeString(page)
		if err != nil || !strings.HasPrefix(string(b), object+":") {
			return nil, apierr.InvalidRequest("Invalid page: %s", page).WithParam("page")
		}
		after = strings.TrimPrefix(string(b), object+":")
	}
	match := func(o store.Obj) bool {
		for _, k := range keep {
			if !k(o) {
				return false
			}
		}
		return o["deleted"] != true && q.matchAt(o, values)
	}
	p := c.Tx.List(c.Account, object, store.Query{StartingAfter: after, Limit: int(limit), Filter: match})
	data := make([]any, len(p.Data))
	for i, o := range p.Data {
		data[i] = o
	}
	var next any
	if p.HasMore && len(p.Data) > 0 {
		last := api.Str(p.Data[len(p.Data)-1]["id"])
		next = base64.RawURLEncoding.EncodeToString([]byte(object + ":" + last))
	}
	result := api.SearchResult(url, data, p.HasMore, next)
	if slices.Contains(c.Params.Strings("expand"), "total_count") {
		// Shown only when asked for: every match, not the page's.
		result["total_count"] = int64(len(c.Tx.List(c.Account, object, store.Query{Filter: match}).Data))
	}
	return result, nil
}

// queryError is Stripe's refusal of a query: one message for any that does
// not parse, and one naming the resource for a field it cannot be searched
// by (/v1/payment_intents/search is payment_intents, its fields listed at
// #query-fields-for-payment-intents).
func queryError(err error, url string) *apierr.Error {
	var unsupported UnsupportedField
	switch {
	case errors.As(err, new(SyntaxError)):
		return apierr.InvalidRequest("%s", Unparsable)
	case errors.As(err, &unsupported):
		resource := strings.TrimSuffix(strings.TrimPrefix(url, "/v1/"), "/search")
		return apierr.InvalidRequest("Field `%s` is an unsupported search field for resource `%s`. See http://stripe.com/docs/search#query-fields-for-%s for a list of supported fields.",
			unsupported.Field, resource, strings.ReplaceAll(resource, "_", "-"))
	}
	return apierr.InvalidRequest("Invalid query: %v", err)
}
