// Package search implements Stripe's Search Query Language for the
// /v1/<resource>/search endpoints.
package search

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FieldType says how a field is compared.
type FieldType int

const (
	String   FieldType = iota // exact (:) or substring (~), case-insensitive
	Token                     // exact (:) only, case-insensitive
	Number                    // : = > < >= <=
	Metadata                  // metadata["key"]:"value"
	Bool                      // active:"true"
)

// Fields maps the searchable fields of a resource to their types.
type Fields map[string]FieldType

// Clause is one `field op value` term.
type Clause struct {
	Field   string
	Type    FieldType
	Key     string // metadata key
	Op      string // ":", "~", ">", "<", ">=", "<=", "="
	Value   string
	Null    bool // value was the bare word null
	Negated bool
}

// Query is a parsed search query.
type Query struct {
	Clauses []Clause
	Or      bool
}

// MaxClauses is Stripe's limit on clauses per query.
const MaxClauses = 10

// SyntaxError is a query that does not parse. Stripe answers every such
// query with one message (Unparsable), whatever the mistake; Detail says
// what it was, for the emulator's own tests.
type SyntaxError struct{ Detail string }

func (e SyntaxError) Error() string { return e.Detail }

// Unparsable is Stripe's answer to a query it cannot parse.
const Unparsable = "We were unable to parse your search query. Try using the format `metadata[\"key\"]:\"value\"` to query for metadata or key:\"value\" to query for other fields."

// UnsupportedField is a query naming a field the resource cannot be
// searched by.
type UnsupportedField struct{ Field string }

func (e UnsupportedField) Error() string { return "unsupported search field " + e.Field }

// Parse parses a query, checking fields against the resource's. The whole
// query is parsed before any field is looked up, so a query that does not
// parse is refused as such whatever fields it names.
func Parse(q string, fields Fields) (Query, error) {
	p := &parser{s: q}
	var out Query
	var parsed []Clause
	sawAnd, sawOr := false, false
	for {
		p.skipSpace()
		if p.eof() {
			break
		}
		if len(parsed) > 0 {
			switch w := strings.ToUpper(p.peekWord()); w {
			case "AND":
				sawAnd = true
				p.pos += 3
				p.skipSpace()
			case "OR":
				sawOr = true
				p.pos += 2
				p.skipSpace()
			default: // clauses side by side are ANDed
				sawAnd = true
			}
		}
		cl, err := p.clause()
		if err != nil {
			return out, SyntaxError{err.Error()}
		}
		parsed = append(parsed, cl)
	}
	for _, cl := range parsed {
		ft, ok := fields[cl.Field]
		if !ok {
			return out, UnsupportedField{cl.Field}
		}
		cl.Type = ft
		if (ft == Metadata) != (cl.Key != "") {
			return out, SyntaxError{fmt.Sprintf("`%s` must be written as %s", cl.Field, map[bool]string{true: `metadata["key"]:"value"`, false: cl.Field + `:"value"`}[ft == Metadata])}
		}
		if cl.Op == "~" && ft != String {
			return out, fmt.Errorf("the substring operator ~ only applies to string fields, not `%s`", cl.Field)
		}
		if cl.Op == "~" && utf8.RuneCountInString(cl.Value) < 3 {
			return out, fmt.Errorf("substring search on `%s` needs at least 3 characters", cl.Field)
		}
		if cl.Op != ":" && cl.Op != "~" && ft != Number {
			return out, fmt.Errorf("the operator %s only applies to numeric fields, not `%s`", cl.Op, cl.Field)
		}
		if ft == Number && !cl.Null {
			if !isNumber(cl.Value) {
				return out, fmt.Errorf("`%s` takes a number, not %q", cl.Field, cl.Value)
			}
		}
		out.Clauses = append(out.Clauses, cl)
	}
	if len(out.Clauses) == 0 {
		return out, SyntaxError{"the query is empty"}
	}
	if sawAnd && sawOr {
		return out, fmt.Errorf("a query cannot mix AND and OR")
	}
	if len(out.Clauses) > MaxClauses {
		return out, fmt.Errorf("a query can have at most %d clauses", MaxClauses)
	}
	out.Or = sawOr
	return out, nil
}

type parser struct {
	s   string
	pos int
}

func (p *parser) eof() bool { return p.pos >= len(p.s) }

func (p *parser) skipSpace() {
	for !p.eof() && unicode.IsSpace(rune(p.s[p.pos])) {
		p.pos++
	}
}

func (p *parser) peekWord() string {
	end := p.pos
	for end < len(p.s) && unicode.IsLetter(rune(p.s[end])) {
		end++
	}
	if end < len(p.s) && !unicode.IsSpace(rune(p.s[end])) {
		return "" // part of a field name, e.g. "order_id"
	}
	return p.s[p.pos:end]
}

func (p *parser) clause() (Clause, error) {
	var cl Clause
	if p.eof() {
		// A query ending in AND or OR.
		return cl, fmt.Errorf("expected a clause after the last AND or OR")
	}
	if p.s[p.pos] == '-' {
		cl.Negated = true
		p.pos++
	}
	start := p.pos
	for !p.eof() && (p.s[p.pos] == '_' || p.s[p.pos] == '.' || unicode.IsLetter(rune(p.s[p.pos])) || unicode.IsDigit(rune(p.s[p.pos]))) {
		p.pos++
	}
	cl.Field = p.s[start:p.pos]
	if cl.Field == "" {
		return cl, fmt.Errorf("expected a field name at position %d", p.pos)
	}
	if !p.eof() && p.s[p.pos] == '[' {
		p.pos++
		key, err := p.quoted()
		if err != nil {
			return cl, err
		}
		if p.eof() || p.s[p.pos] != ']' {
			return cl, fmt.Errorf("expected ] after metadata key at position %d", p.pos)
		}
		p.pos++
		cl.Key = key
	}
	for _, op := range []string{">=", "<=", ":", "~", ">", "<", "="} {
		if strings.HasPrefix(p.s[p.pos:], op) {
			cl.Op = op
			p.pos += len(op)
			break
		}
	}
	if cl.Op == "" {
		return cl, fmt.Errorf("expected an operator (: ~ > < >= <= =) after `%s`", cl.Field)
	}
	if !p.eof() && isQuote(p.s[p.pos]) {
		v, err := p.quoted()
		cl.Value = v
		return cl, err
	}
	start = p.pos
	for !p.eof() && !unicode.IsSpace(rune(p.s[p.pos])) {
		p.pos++
	}
	cl.Value = p.s[start:p.pos]
	switch {
	case cl.Value == "":
		return cl, fmt.Errorf("expected a value after `%s%s`", cl.Field, cl.Op)
	case strings.EqualFold(cl.Value, "null"): // NULL or null, Stripe's guide says
		cl.Null = true
	default:
		if !isNumber(cl.Value) {
			return cl, fmt.Errorf("string values must be quoted: %s%s\"%s\"", cl.Field, cl.Op, cl.Value)
		}
	}
	return cl, nil
}

// isQuote reports whether c opens a string: Stripe takes single quotes
// as well as double ones (its own examples write name:'Jane Doe').
func isQuote(c byte) bool { return c == '"' || c == '\'' }

func (p *parser) quoted() (string, error) {
	if p.eof() || !isQuote(p.s[p.pos]) {
		return "", fmt.Errorf("expected a quoted string at position %d", p.pos)
	}
	quote := p.s[p.pos]
	p.pos++
	var b strings.Builder
	for !p.eof() {
		ch := p.s[p.pos]
		switch {
		case ch == '\\' && p.pos+1 < len(p.s):
			b.WriteByte(p.s[p.pos+1])
			p.pos += 2
		case ch == quote:
			p.pos++
			return b.String(), nil
		default:
			b.WriteByte(ch)
			p.pos++
		}
	}
	return "", fmt.Errorf("unterminated quoted string")
}

// number is the syntax of a numeric value. ParseFloat alone would also take
// NaN, Inf and hexadecimal floats.
var number = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// isNumber says whether s is a number a query can compare with.
func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil && number.MatchString(s)
}
