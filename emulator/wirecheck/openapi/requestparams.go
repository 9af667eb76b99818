package openapi

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/stripe/stripe-mock/embedded"
)

// Param is a request parameter as the spec describes it, in its object
// form where it has one: a parameter that is an id or an object (anyOf)
// is the object, an array is its items' object, "" (unset) is dropped.
type Param struct {
	Type     string // string, integer, boolean, number, object, array
	Enum     []string
	Bypass   bool              // the enum is documentation only: Stripe takes other values
	Required []string          // object: the fields the spec requires
	Fields   map[string]*Param // object: its fields
	Items    *Param            // array: its items
}

var (
	bodiesOnce sync.Once
	bodies     map[string]*Param // by POST path, variables written {}
	bodiesErr  error
)

var pathVariable = regexp.MustCompile(`\{[^}]*\}`)

// RequestBody is the form-encoded body of the POST operation at path (a
// path template; variable names do not matter), or nil when the spec has
// no such operation.
func RequestBody(path string) (*Param, error) {
	bodiesOnce.Do(func() { bodies, bodiesErr = parseBodies(embedded.OpenAPISpec) })
	return bodies[pathVariable.ReplaceAllString(path, "{}")], bodiesErr
}

func parseBodies(raw []byte) (map[string]*Param, error) {
	var doc struct {
		Paths map[string]map[string]struct {
			RequestBody struct {
				Content map[string]struct {
					Schema *schema `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]*schema `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	resolve := func(s *schema) *schema {
		for s != nil && s.Ref != "" {
			s = doc.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
		}
		return s
	}
	var convert func(s *schema, depth int) *Param
	convert = func(s *schema, depth int) *Param {
		s = resolve(s)
		if s == nil || depth > 10 {
			return nil
		}
		if len(s.AnyOf) > 0 {
			// The object variant wins, then an array, then the first
			// variant that is not "" (Stripe's way to unset).
			// Several object variants (card details or a card token)
			// take any of their fields and require only what all do.
			var pick *Param
			for _, v := range s.AnyOf {
				p := convert(v, depth)
				switch {
				case p == nil || (len(p.Enum) == 1 && p.Enum[0] == ""):
				case pick != nil && pick.Type == "object" && p.Type == "object":
					pick = mergeObjects(pick, p)
				case pick == nil, p.Type == "object" && pick.Type != "object", p.Type == "array" && pick.Type != "object" && pick.Type != "array":
					pick = p
				}
			}
			return pick
		}
		p := &Param{Type: s.Type, Required: s.Required, Bypass: s.Bypass}
		for _, e := range s.Enum {
			if str, ok := e.(string); ok {
				p.Enum = append(p.Enum, str)
			}
		}
		if s.Type == "object" && s.Properties != nil {
			p.Fields = map[string]*Param{}
			for name, f := range s.Properties {
				if c := convert(f, depth+1); c != nil {
					p.Fields[name] = c
				}
			}
		}
		if s.Type == "array" {
			p.Items = convert(s.Items, depth+1)
		}
		return p
	}
	out := map[string]*Param{}
	for path, methods := range doc.Paths {
		op, ok := methods["post"]
		if !ok {
			continue
		}
		if s := op.RequestBody.Content["application/x-www-form-urlencoded"].Schema; s != nil {
			out[pathVariable.ReplaceAllString(path, "{}")] = convert(s, 0)
		}
	}
	return out, nil
}

// mergeObjects is an object taking the fields of a and b and requiring
// what both require.
func mergeObjects(a, b *Param) *Param {
	m := &Param{Type: "object", Fields: map[string]*Param{}}
	for name, f := range a.Fields {
		m.Fields[name] = f
	}
	for name, f := range b.Fields {
		if m.Fields[name] == nil {
			m.Fields[name] = f
		}
	}
	for _, r := range a.Required {
		if slices.Contains(b.Required, r) {
			m.Required = append(m.Required, r)
		}
	}
	return m
}
