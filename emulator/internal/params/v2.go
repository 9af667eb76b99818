package params

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
)

// KindTimestamp is a v2 API time: an RFC 3339 string in JSON bodies and
// queries, read by handlers as Unix seconds.
const KindTimestamp Kind = 100

// CodeInvalidFields is the code of Stripe's v2 answer to a request whose
// fields are wrong (unknown, missing, of the wrong type): stripe-node and
// stripe-python map it to their invalid-request error.
const CodeInvalidFields = "invalid_fields"

var timeType = reflect.TypeOf(time.Time{})

var v2cache sync.Map // reflect.Type → *Schema

// FromJSONStruct derives a v2 endpoint's schema from a stripe-go
// V2…Params struct, following its json tags (v2 bodies are JSON): a field
// tagged without omitempty is one stripe-go always sends, Stripe's
// required fields, and is required here (at every level); time.Time is a
// timestamp.
func FromJSONStruct(v any) *Schema { return cached(&v2cache, v, fromJSONType) }

func fromJSONType(t reflect.Type, depth int) *Schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return &Schema{Kind: KindTimestamp}
	}
	return derive(t, depth, fromJSONType, addJSONFields)
}

func addJSONFields(s *Schema, t reflect.Type, depth int) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			continue // the embedded Params: headers and context, never the body
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || name == "" || !f.IsExported() {
			continue
		}
		s.Fields[name] = fromJSONType(f.Type, depth+1)
		if !strings.Contains(opts, "omitempty") {
			s.Required = append(s.Required, name)
		}
	}
}

// DecodeJSON reads a v2 request body: one JSON object, numbers kept
// exact. An empty body is no fields.
func DecodeJSON(body []byte) (map[string]any, *apierr.Error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return map[string]any{}, nil
	}
	if !utf8.Valid(body) {
		// JSON is UTF-8; Go's decoder would keep each bad byte as U+FFFD.
		return nil, apierr.InvalidRequest("Invalid JSON in the request body: it is not UTF-8.").WithCode("invalid_json")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, apierr.InvalidRequest("Invalid JSON in the request body: %v.", err).WithCode("invalid_json")
	}
	if dec.More() {
		return nil, apierr.InvalidRequest("Invalid JSON in the request body: more than one JSON value.").WithCode("invalid_json")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, apierr.InvalidRequest("Invalid JSON in the request body: it must be a JSON object, not %s.", jsonType(v)).WithCode("invalid_json")
	}
	return m, nil
}

// ValidateV2 checks a v2 request's fields against s: a JSON body's
// (query false), whose leaves keep their JSON types, or a query string's
// decoded by form.ParseRepeated (query true), whose leaves are strings read as the
// schema says. null is a field not sent. Leaves become what Validate makes
// of v1 parameters (string, int64, bool, float64; a timestamp is Unix
// seconds), so handlers read both alike.
func ValidateV2(s *Schema, raw map[string]any, query bool) (Values, *apierr.Error) {
	if s == nil {
		s = Object(map[string]*Schema{})
	}
	v := v2validator{query: query}
	out, err := v.object(s, raw, "")
	if err != nil {
		return Values{}, err
	}
	return Values{m: out}, nil
}

type v2validator struct{ query bool }

// UnrecognizedEnumV2 is v2's refusal of a value outside an enum, in
// Stripe's words (as it answered an events_from it does not take, quoted
// in stripe/terraform-provider-stripe#40), the valid values sorted.
func UnrecognizedEnumV2(name, got string, allowed []string) *apierr.Error {
	return invalidField("Some fields in the request were invalid: '%s: Unrecognized enum value '%s', valid values are: %s.'",
		name, got, strings.Join(slices.Sorted(slices.Values(allowed)), ", ")).WithParam(name)
}

func invalidField(format string, args ...any) *apierr.Error {
	return apierr.InvalidRequest(format, args...).WithCode(CodeInvalidFields)
}

func (v v2validator) object(s *Schema, raw map[string]any, prefix string) (map[string]any, *apierr.Error) {
	out := make(map[string]any, len(raw))
	for _, k := range sortedKeys(raw) {
		name := join(prefix, k)
		sub, ok := s.Fields[k]
		if !ok {
			return nil, invalidField("Received unknown parameter: %s", name).WithParam(name)
		}
		if raw[k] == nil {
			continue // null: not sent
		}
		val, err := v.value(sub, raw[k], name)
		if err != nil {
			return nil, err
		}
		out[k] = val
	}
	for _, r := range s.Required {
		if _, ok := out[r]; !ok {
			name := join(prefix, r)
			return nil, invalidField("Missing required parameter: %s.", name).WithParam(name)
		}
	}
	return out, nil
}

func wrongType(name, want string, got any) *apierr.Error {
	return invalidField("Invalid %s: expected %s, got %s.", name, want, jsonType(got)).WithParam(name)
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func (v v2validator) value(s *Schema, raw any, name string) (any, *apierr.Error) {
	str, isStr := raw.(string)
	switch s.Kind {
	case KindAny:
		return raw, nil
	case KindString:
		if !isStr {
			return nil, wrongType(name, "a string", raw)
		}
		if len(s.Allowed) > 0 && !contains(s.Allowed, str) {
			return nil, UnrecognizedEnumV2(name, str, s.Allowed)
		}
		return str, nil
	case KindInteger:
		n, ok := raw.(json.Number)
		text := string(n)
		if v.query && isStr {
			text, ok = str, true
		}
		if !ok {
			return nil, wrongType(name, "an integer", raw)
		}
		i, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, invalidField("Invalid %s: %s is not an integer.", name, text).WithParam(name)
		}
		return i, nil
	case KindNumber:
		n, ok := raw.(json.Number)
		text := string(n)
		if v.query && isStr {
			text, ok = str, true
		}
		if !ok {
			return nil, wrongType(name, "a number", raw)
		}
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || !decimal.MatchString(text) {
			return nil, invalidField("Invalid %s: %s is not a number.", name, text).WithParam(name)
		}
		return f, nil
	case KindBoolean:
		if b, ok := raw.(bool); ok {
			return b, nil
		}
		if v.query && (str == "true" || str == "false") {
			return str == "true", nil
		}
		return nil, wrongType(name, "a boolean", raw)
	case KindTimestamp:
		if !isStr {
			return nil, wrongType(name, "a timestamp (an RFC 3339 string)", raw)
		}
		t, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			return nil, invalidField("Invalid %s: %q is not an RFC 3339 timestamp.", name, str).WithParam(name)
		}
		return t.Unix(), nil
	case KindObject:
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, wrongType(name, "an object", raw)
		}
		return v.object(s, m, name)
	case KindMap:
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, wrongType(name, "an object", raw)
		}
		out := make(map[string]any, len(m))
		for _, k := range sortedKeys(m) {
			if m[k] == nil && s.NullValues {
				out[k] = nil
				continue
			}
			s, ok := m[k].(string)
			if !ok {
				return nil, wrongType(join(name, k), "a string", m[k])
			}
			out[k] = s
		}
		return out, nil
	case KindMapOf:
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, wrongType(name, "an object", raw)
		}
		out := make(map[string]any, len(m))
		for _, k := range sortedKeys(m) {
			e, err := v.value(s.Elem, m[k], join(name, k))
			if err != nil {
				return nil, err
			}
			out[k] = e
		}
		return out, nil
	case KindArray:
		var items []any
		switch x := raw.(type) {
		case []any:
			items = x
		case map[string]any:
			if !v.query {
				return nil, wrongType(name, "an array", raw)
			}
			var err *apierr.Error
			if items, err = arrayItems(x, name); err != nil {
				return nil, invalidField("Invalid %s: expected an array.", name).WithParam(name)
			}
		case string:
			if !v.query {
				return nil, wrongType(name, "an array", raw)
			}
			items = []any{x} // one value of a repeated key (a=x)
		default:
			return nil, wrongType(name, "an array", raw)
		}
		out := make([]any, len(items))
		for i, it := range items {
			if it == nil {
				return nil, wrongType(fmt.Sprintf("%s[%d]", name, i), "a value", it)
			}
			e, err := v.value(s.Elem, it, fmt.Sprintf("%s[%d]", name, i))
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	}
	return nil, apierr.Internal("unknown parameter kind for %s", name)
}
