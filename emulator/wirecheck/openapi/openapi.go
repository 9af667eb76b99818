// Package openapi checks Stripe JSON against Stripe's own OpenAPI spec
// (spec3.json, embedded in stripe-mock). Where wirecheck's strict decoding
// into stripe-go's types catches invented, misspelled and mistyped fields,
// this catches the opposite mistakes: a field Stripe always sends that is
// missing, a null where Stripe never sends one, an enum value Stripe never
// uses, an expandable field in the wrong shape.
//
// Fields the spec does not know are not checked: the spec is for
// 2025-05-28.basil, older than the emulator's 2025-08-27.basil, and
// unknown fields are wirecheck's business. Where the two versions really
// differ, exceptions.go says so, one field at a time.
//
// It is for tests only: it embeds a 7 MB spec, so no package of the
// emulator or its binary may import it.
package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/stripe/stripe-mock/embedded"
)

// Version is the API version of the embedded spec.
const Version = "2025-05-28.basil"

// schema is the part of an OpenAPI 3.0 schema object that Stripe's
// response and request body schemas use.
type schema struct {
	Ref                  string             `json:"$ref"`
	Type                 string             `json:"type"`
	Nullable             bool               `json:"nullable"`
	Enum                 []any              `json:"enum"`
	Properties           map[string]*schema `json:"properties"`
	Required             []string           `json:"required"`
	AnyOf                []*schema          `json:"anyOf"`
	Items                *schema            `json:"items"`
	AdditionalProperties json.RawMessage    `json:"additionalProperties"`
	MaxLength            int                `json:"maxLength"`
	Pattern              string             `json:"pattern"`
	Bypass               bool               `json:"x-stripeBypassValidation"`

	name    string         // the components.schemas key, for named schemas
	object  []string       // values of its "object" enum
	deleted bool           // a deleted_… stub
	extra   *schema        // additionalProperties as a schema
	pattern *regexp.Regexp // Pattern compiled
	// exceptions recorded for this schema's properties (exceptions.go)
	notRequired map[string]bool
	nullable    map[string]bool
	moreEnum    map[string][]string
}

type spec struct {
	schemas  map[string]*schema
	byObject map[string][]*schema // "object" value → schemas with it
	list     *schema              // a top-level list
	search   *schema              // a top-level search result
}

var (
	loadOnce sync.Once
	loaded   *spec
	loadErr  error
)

func load() (*spec, error) {
	loadOnce.Do(func() { loaded, loadErr = parse(embedded.OpenAPISpec) })
	return loaded, loadErr
}

func parse(raw []byte) (*spec, error) {
	var doc struct {
		Info struct {
			Version string `json:"version"`
		} `json:"info"`
		Components struct {
			Schemas map[string]*schema `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	if doc.Info.Version != Version {
		return nil, fmt.Errorf("openapi: embedded spec is %s, want %s", doc.Info.Version, Version)
	}
	sp := &spec{schemas: doc.Components.Schemas, byObject: map[string][]*schema{}}
	for name, s := range sp.schemas {
		s.name = name
	}
	seen := map[*schema]bool{}
	var resolve func(s *schema) error
	resolve = func(s *schema) error {
		if s == nil || seen[s] {
			return nil
		}
		seen[s] = true
		if len(s.AdditionalProperties) > 0 && s.AdditionalProperties[0] == '{' {
			s.extra = &schema{}
			if err := json.Unmarshal(s.AdditionalProperties, s.extra); err != nil {
				return err
			}
		}
		if s.Pattern != "" {
			re, err := regexp.Compile(s.Pattern)
			if err != nil {
				return err
			}
			s.pattern = re
		}
		for _, sub := range s.subschemas() {
			if err := resolve(sub); err != nil {
				return err
			}
		}
		return nil
	}
	for _, s := range sp.schemas {
		if err := resolve(s); err != nil {
			return nil, fmt.Errorf("openapi: schema %s: %w", s.name, err)
		}
		if o := s.Properties["object"]; o != nil {
			for _, e := range o.Enum {
				if name, ok := e.(string); ok {
					s.object = append(s.object, name)
					sp.byObject[name] = append(sp.byObject[name], s)
				}
			}
		}
		if d := s.Properties["deleted"]; d != nil && len(d.Enum) == 1 && d.Enum[0] == true {
			s.deleted = true
		}
	}
	for _, ss := range sp.byObject {
		sort.Slice(ss, func(i, j int) bool { return ss[i].name < ss[j].name })
	}
	// Top-level lists and search results are described inline, once per
	// endpoint; their items are checked by their own "object".
	sp.list = &schema{Type: "object", Required: []string{"data", "has_more", "object", "url"},
		Properties: map[string]*schema{
			"data":     {Type: "array"},
			"has_more": {Type: "boolean"},
			"object":   {Type: "string", Enum: []any{"list"}},
			"url":      {Type: "string", MaxLength: 5000},
		}}
	sp.search = &schema{Type: "object", Required: []string{"data", "has_more", "object", "url"},
		Properties: map[string]*schema{
			"data":        {Type: "array"},
			"has_more":    {Type: "boolean"},
			"next_page":   {Type: "string", MaxLength: 5000, Nullable: true},
			"object":      {Type: "string", Enum: []any{"search_result"}},
			"total_count": {Type: "integer"},
			"url":         {Type: "string", MaxLength: 5000},
		}}
	if err := sp.applyExceptions(); err != nil {
		return nil, err
	}
	return sp, nil
}

func (s *schema) subschemas() []*schema {
	var out []*schema
	keys := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, s.Properties[k])
	}
	out = append(out, s.AnyOf...)
	if s.Items != nil {
		out = append(out, s.Items)
	}
	if s.extra != nil {
		out = append(out, s.extra)
	}
	return out
}

// deref follows a $ref to its named schema.
func (sp *spec) deref(s *schema) (*schema, error) {
	for s.Ref != "" {
		name, ok := strings.CutPrefix(s.Ref, "#/components/schemas/")
		t := sp.schemas[name]
		if !ok || t == nil {
			return nil, fmt.Errorf("unresolvable $ref %q", s.Ref)
		}
		s = t
	}
	return s, nil
}

// Check checks a whole response body: a Stripe object (found by its
// "object"), a list or search result of them, or an error envelope.
func Check(body []byte) error {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("not a JSON object")
	}
	return CheckDecoded(m)
}

// CheckDecoded is Check for a body already decoded with UseNumber.
func CheckDecoded(m map[string]any) error {
	sp, err := load()
	if err != nil {
		return err
	}
	if _, isErr := m["error"]; isErr && len(m) == 1 {
		return sp.validate(m, sp.schemas["error"], "")
	}
	return sp.checkObject(m, "")
}

// checkObject dispatches on "object".
func (sp *spec) checkObject(m map[string]any, path string) error {
	name, _ := m["object"].(string)
	root := path
	if root == "" {
		root = name
	}
	switch name {
	case "list", "search_result":
		s := sp.list
		if name == "search_result" {
			s = sp.search
		}
		if err := sp.validate(m, s, root); err != nil {
			return err
		}
		items, _ := m["data"].([]any)
		for i, it := range items {
			p := fmt.Sprintf("%s.data[%d]", root, i)
			im, ok := it.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: want an object, got %s", p, Describe(it))
			}
			if err := sp.checkObject(im, p); err != nil {
				return err
			}
		}
		return nil
	case "":
		return fmt.Errorf("%s: object without an \"object\" key", label(path))
	}
	if name == "event" {
		m = upcomingWithID(m)
	}
	cands := sp.byObject[name]
	if len(cands) == 0 && schemalessPayloads[name] {
		// Only the objects inside can be held to the spec.
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if sub, ok := m[k].(map[string]any); ok && sub["object"] != nil {
				if err := sp.checkObject(sub, root+"."+k); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if len(cands) == 0 {
		return fmt.Errorf("%s: object %q has no schema in the OpenAPI spec", label(path), name)
	}
	return sp.validate(m, pickByDeleted(cands, m), root)
}

// upcomingWithID is the one hole in the spec's invoice: invoice.upcoming
// events carry an invoice that was never created, without an id (Stripe's
// event docs: "The received Invoice object will not have an invoice ID"),
// though the spec requires one. Only there is a missing id let through,
// by checking the event as if its invoice had one.
func upcomingWithID(ev map[string]any) map[string]any {
	data, _ := ev["data"].(map[string]any)
	inv, _ := data["object"].(map[string]any)
	if ev["type"] != "invoice.upcoming" || inv == nil || inv["object"] != "invoice" {
		return ev
	}
	if _, ok := inv["id"]; ok {
		return ev
	}
	inv = maps.Clone(inv)
	inv["id"] = "upcoming"
	data = maps.Clone(data)
	data["object"] = inv
	ev = maps.Clone(ev)
	ev["data"] = data
	return ev
}

// pickByDeleted chooses among the schemas sharing an "object" value: the
// deleted_… stub for {"deleted": true}, the live object otherwise.
func pickByDeleted(cands []*schema, m map[string]any) *schema {
	deleted := m["deleted"] == true
	for _, s := range cands {
		if s.deleted == deleted {
			return s
		}
	}
	return cands[0]
}

func label(path string) string {
	if path == "" {
		return "(root)"
	}
	return path
}

// validate checks v against s; path names v in errors.
func (sp *spec) validate(v any, s *schema, path string) error {
	nullable := s.Nullable
	s, err := sp.deref(s)
	if err != nil {
		return fmt.Errorf("%s: %v", label(path), err)
	}
	if v == nil {
		if nullable || s.Nullable {
			return nil
		}
		for _, a := range s.AnyOf {
			if r, err := sp.deref(a); err == nil && (a.Nullable || r.Nullable) {
				return nil
			}
		}
		return fmt.Errorf("%s: null where the spec does not allow null", label(path))
	}
	if len(s.AnyOf) > 0 {
		return sp.validateAnyOf(v, s, path)
	}
	switch s.Type {
	case "string":
		x, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: want a string, got %s", label(path), Describe(v))
		}
		if s.MaxLength > 0 && utf8.RuneCountInString(x) > s.MaxLength {
			return fmt.Errorf("%s: %d characters, longer than maxLength %d", label(path), utf8.RuneCountInString(x), s.MaxLength)
		}
		if s.pattern != nil && !s.pattern.MatchString(x) {
			return fmt.Errorf("%s: %q does not match pattern %s", label(path), x, s.Pattern)
		}
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("%s: want an integer, got %s", label(path), Describe(v))
		}
		if _, err := n.Int64(); err != nil {
			return fmt.Errorf("%s: want an integer, got %s", label(path), n)
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			return fmt.Errorf("%s: want a number, got %s", label(path), Describe(v))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: want a boolean, got %s", label(path), Describe(v))
		}
	case "array":
		items, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: want an array, got %s", label(path), Describe(v))
		}
		if s.Items != nil {
			for i, it := range items {
				if err := sp.validate(it, s.Items, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
		return nil
	case "object", "":
		m, ok := v.(map[string]any)
		if !ok {
			if s.Type == "" && len(s.Properties) == 0 {
				return nil // a schema that says nothing
			}
			return fmt.Errorf("%s: want an object, got %s", label(path), Describe(v))
		}
		return sp.validateObject(m, s, path)
	default:
		return fmt.Errorf("%s: the spec has an unknown type %q", label(path), s.Type)
	}
	return checkEnum(v, s, path)
}

func checkEnum(v any, s *schema, path string) error {
	if len(s.Enum) == 0 {
		return nil
	}
	for _, e := range s.Enum {
		if sameValue(v, e) {
			return nil
		}
	}
	return fmt.Errorf("%s: %s not in enum %s", label(path), show(v), showEnum(s.Enum))
}

func (sp *spec) validateObject(m map[string]any, s *schema, path string) error {
	for _, k := range s.Required {
		if _, ok := m[k]; !ok && !s.notRequired[k] {
			return fmt.Errorf("%s.%s: required field missing", label(path), k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		p := path + "." + k
		if path == "" {
			p = k
		}
		ps, known := s.Properties[k]
		switch {
		case known:
			if m[k] == nil && s.nullable[k] {
				continue
			}
			if more := s.moreEnum[k]; len(more) > 0 {
				if x, ok := m[k].(string); ok && slices.Contains(more, x) {
					continue
				}
			}
			if s.name == "notification_event_data" && k == "object" {
				// An event's data.object is the resource itself; the spec
				// leaves it free-form, so check it by its own "object".
				if obj, ok := m[k].(map[string]any); ok {
					if name, _ := obj["object"].(string); len(sp.byObject[name]) > 0 || name == "list" {
						if err := sp.checkObject(obj, p); err != nil {
							return err
						}
					}
				}
				continue
			}
			if err := sp.validate(m[k], ps, p); err != nil {
				return err
			}
		case s.extra != nil:
			if err := sp.validate(m[k], s.extra, p); err != nil {
				return err
			}
		}
		// Keys the spec does not know are wirecheck's business.
	}
	return nil
}

// validateAnyOf passes v if one alternative accepts it. An object with an
// "object" key is checked against the alternative of that object (an
// expanded field, one of a polymorphic list), so its error is precise.
func (sp *spec) validateAnyOf(v any, s *schema, path string) error {
	alts := make([]*schema, 0, len(s.AnyOf))
	for _, a := range s.AnyOf {
		r, err := sp.deref(a)
		if err != nil {
			return fmt.Errorf("%s: %v", label(path), err)
		}
		alts = append(alts, r)
	}
	if m, ok := v.(map[string]any); ok {
		if name, _ := m["object"].(string); name != "" {
			var named []*schema
			for _, a := range alts {
				if slices.Contains(a.object, name) {
					named = append(named, a)
				}
			}
			if len(named) > 0 {
				return sp.validate(v, pickByDeleted(named, m), path)
			}
			var want []string
			for _, a := range alts {
				want = append(want, a.object...)
			}
			if len(want) > 0 {
				return fmt.Errorf("%s: an object %q where the spec allows %s", label(path), name, strings.Join(describeAlts(alts), " or "))
			}
		}
	}
	var fits []error
	for i, a := range alts {
		err := sp.validate(v, s.AnyOf[i], path)
		if err == nil {
			return nil
		}
		if kindFits(v, a) {
			fits = append(fits, err)
		}
	}
	if len(fits) == 1 {
		return fits[0]
	}
	if len(fits) == 0 {
		return fmt.Errorf("%s: %s where the spec allows %s", label(path), Describe(v), strings.Join(describeAlts(alts), " or "))
	}
	msgs := make([]string, len(fits))
	for i, e := range fits {
		msgs[i] = e.Error()
	}
	return fmt.Errorf("%s: matches none of its %d alternatives: %s", label(path), len(fits), strings.Join(msgs, "; "))
}

// kindFits reports whether v has the JSON type of alternative a.
func kindFits(v any, a *schema) bool {
	switch v.(type) {
	case string:
		return a.Type == "string"
	case bool:
		return a.Type == "boolean"
	case json.Number:
		return a.Type == "integer" || a.Type == "number"
	case []any:
		return a.Type == "array"
	case map[string]any:
		return a.Type == "object" || (a.Type == "" && len(a.AnyOf) == 0)
	}
	return false
}

func describeAlts(alts []*schema) []string {
	var out []string
	for _, a := range alts {
		switch {
		case len(a.object) > 0 && a.deleted:
			out = append(out, "a deleted "+strings.Join(a.object, "/"))
		case len(a.object) > 0:
			out = append(out, "a "+strings.Join(a.object, "/"))
		case a.name != "":
			out = append(out, a.name)
		case a.Type != "":
			out = append(out, "a "+a.Type)
		default:
			out = append(out, "anything")
		}
	}
	return out
}

func sameValue(v, e any) bool {
	switch x := v.(type) {
	case json.Number:
		switch y := e.(type) {
		case float64:
			f, err := x.Float64()
			return err == nil && f == y
		case json.Number:
			return x == y
		}
		return false
	default:
		return v == e
	}
}

func show(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

func showEnum(enum []any) string {
	parts := make([]string, len(enum))
	for i, e := range enum {
		if s, ok := e.(string); ok {
			parts[i] = s
		} else {
			parts[i] = fmt.Sprint(e)
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// Describe names a decoded JSON value for an error message.
func Describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("string %q", x)
	case json.Number:
		return "number " + x.String()
	case bool:
		return fmt.Sprintf("boolean %v", x)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// schemalessPayloads are objects Stripe sends only as an event's
// data.object, which the spec has no schema for.
var schemalessPayloads = map[string]bool{"entitlements.active_entitlement_summary": true, "billing.alert_triggered": true}
