package params

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
)

// unset marks a parameter sent as an empty string: Stripe's "unset".
type unset struct{}

// Unset is the value stored for an emptied parameter.
var Unset any = unset{}

// MaxInt is the largest integer the emulator keeps: its store holds
// numbers as JSON doubles, exact up to 2^53 (jsonenc refuses to store a
// larger one). Stripe takes 64 bits, but no amount or timestamp comes near
// this; computed amounts past it are refused where they are computed.
const MaxInt = 1<<53 - 1

// decimal is the syntax of a decimal parameter: digits with an optional
// sign, fraction and exponent.
var decimal = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// Validate checks a decoded form against s and returns typed values: leaves
// become string, int64, bool or float64; arrays []any; objects and maps
// map[string]any; empty strings Unset.
func Validate(s *Schema, raw map[string]any) (Values, *apierr.Error) {
	if s == nil {
		s = Object(map[string]*Schema{})
	}
	out, err := validateObject(s, raw, "")
	if err != nil {
		return Values{}, err
	}
	if err := checkRequired(s, out, ""); err != nil {
		return Values{}, err
	}
	return Values{m: out}, nil
}

// checkRequired answers Stripe's error for the first of s's required
// fields missing, or sent empty, in the validated object out.
func checkRequired(s *Schema, out map[string]any, prefix string) *apierr.Error {
	for _, name := range s.Required {
		v, ok := out[name]
		if !ok && s.Unless != nil && out[s.Unless[name]] == true {
			continue
		}
		if !ok {
			return apierr.MissingParam(join(prefix, name))
		}
		if v == Unset {
			return apierr.InvalidEmpty(join(prefix, name))
		}
	}
	return nil
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "[" + name + "]"
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func validateObject(s *Schema, raw map[string]any, prefix string) (map[string]any, *apierr.Error) {
	keys := sortedKeys(raw)
	var unknown []string
	for _, k := range keys {
		if _, ok := s.Fields[k]; !ok {
			unknown = append(unknown, join(prefix, k))
		}
	}
	if len(unknown) > 0 {
		return nil, apierr.UnknownParam(unknown...)
	}
	out := make(map[string]any, len(raw))
	for _, k := range keys {
		sub := s.Fields[k]
		v, err := validateValue(sub, raw[k], join(prefix, k))
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// validateNested validates an object inside the request, required
// fields included (the request's own are checked once all of it is valid).
func validateNested(s *Schema, m map[string]any, name string) (any, *apierr.Error) {
	out, err := validateObject(s, m, name)
	if err != nil {
		return nil, err
	}
	if err := checkRequired(s, out, name); err != nil {
		return nil, err
	}
	return out, nil
}

func validateValue(s *Schema, raw any, name string) (any, *apierr.Error) {
	if str, ok := raw.(string); ok && str == "" {
		if s.Kind == KindBoolean {
			// A flag has no empty value to go back to: Stripe refuses
			// active= as it does a required string sent empty.
			return nil, apierr.InvalidEmpty(name)
		}
		return Unset, nil
	}
	switch s.Kind {
	case KindAny:
		return raw, nil
	case KindString:
		str, ok := raw.(string)
		if !ok {
			return nil, apierr.InvalidRequest("Invalid string: %s", describe(raw)).WithParam(name)
		}
		if len(s.Allowed) > 0 && !contains(s.Allowed, str) {
			return nil, apierr.InvalidRequest("Invalid %s: must be one of %s", name, oneOf(s.Allowed)).WithParam(name)
		}
		if s.tooLong(str) {
			return nil, apierr.TooLong(name, str, s.MaxLen)
		}
		return str, nil
	case KindInteger:
		str, ok := raw.(string)
		if !ok {
			return nil, apierr.InvalidInteger(name, describe(raw))
		}
		if contains(s.Allowed, str) {
			return str, nil // a word the integer may also be (up_to=inf)
		}
		n, err := strconv.ParseInt(str, 10, 64)
		if err != nil {
			return nil, apierr.InvalidInteger(name, str)
		}
		return n, nil
	case KindBoolean:
		str, ok := raw.(string)
		if !ok {
			return nil, apierr.InvalidRequest("Invalid boolean: %s", describe(raw)).WithParam(name)
		}
		if contains(s.Allowed, str) {
			return str, nil // a word the flag may also be (off_session=recurring)
		}
		// Stripe's v1 API takes any case: stripe-python before 12 and
		// stripe-dotnet before 48 send Python's and .NET's True/False.
		switch {
		case strings.EqualFold(str, "true"):
			return true, nil
		case strings.EqualFold(str, "false"):
			return false, nil
		}
		return nil, apierr.InvalidRequest("Invalid boolean: %s", str).WithParam(name)
	case KindNumber:
		str, ok := raw.(string)
		if !ok {
			return nil, apierr.InvalidRequest("Invalid decimal: %s", describe(raw)).WithParam(name)
		}
		// ParseFloat also reads NaN, Inf and hexadecimal floats, which are
		// not decimals: NaN kept in an object cannot even be stored.
		f, err := strconv.ParseFloat(str, 64)
		if err != nil || !decimal.MatchString(str) {
			return nil, apierr.InvalidRequest("Invalid decimal: %s", str).WithParam(name)
		}
		return f, nil
	case KindObject:
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, apierr.InvalidRequest("Invalid object").WithParam(name)
		}
		return validateNested(s, m, name)
	case KindIntegerOrObject:
		if str, ok := raw.(string); ok {
			n, err := strconv.ParseInt(str, 10, 64)
			if err != nil {
				return nil, apierr.InvalidInteger(name, str)
			}
			return n, nil
		}
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, apierr.InvalidRequest("Invalid object").WithParam(name)
		}
		return validateNested(&Schema{Kind: KindObject, Fields: s.Fields, Required: s.Required}, m, name)
	case KindStringOrObject:
		if str, ok := raw.(string); ok {
			if s.tooLong(str) {
				return nil, apierr.TooLong(name, str, s.MaxLen)
			}
			return str, nil
		}
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, apierr.InvalidRequest("Invalid object").WithParam(name)
		}
		return validateNested(&Schema{Kind: KindObject, Fields: s.Fields, Required: s.Required}, m, name)
	case KindMap:
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, apierr.InvalidRequest("Invalid hash").WithParam(name)
		}
		out := make(map[string]any, len(m))
		for k, v := range m {
			str, ok := v.(string)
			if !ok {
				return nil, apierr.InvalidRequest("Invalid string: %s", describe(v)).WithParam(join(name, k))
			}
			out[k] = str
		}
		if isMetadata(name) {
			if err := checkMetadata(name, out); err != nil {
				return nil, err
			}
		}
		return out, nil
	case KindMapOf:
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, apierr.InvalidRequest("Invalid hash").WithParam(name)
		}
		out := make(map[string]any, len(m))
		for _, k := range sortedKeys(m) {
			v, err := validateValue(s.Elem, m[k], join(name, k))
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case KindArray:
		items, err := arrayItems(raw, name)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(items))
		for i, it := range items {
			v, err := validateValue(s.Elem, it, fmt.Sprintf("%s[%d]", name, i))
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return nil, apierr.Internal("unknown parameter kind for %s", name)
}

// arrayItems accepts a[]=… lists and a[0]=… maps with decimal keys.
func arrayItems(raw any, name string) ([]any, *apierr.Error) {
	switch v := raw.(type) {
	case []any:
		return v, nil
	case map[string]any:
		type entry struct {
			i int
			v any
		}
		entries := make([]entry, 0, len(v))
		for k, x := range v {
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || strconv.Itoa(i) != k {
				return nil, notSequential(v, name)
			}
			entries = append(entries, entry{i, x})
		}
		sort.Slice(entries, func(a, b int) bool { return entries[a].i < entries[b].i })
		// Keys in any order, but none missing: Stripe refuses a[1] without
		// a[0] rather than close the gap.
		if n := len(entries); n > 0 && entries[n-1].i != n-1 {
			return nil, notSequential(v, name)
		}
		out := make([]any, len(entries))
		for i, e := range entries {
			out[i] = e.v
		}
		return out, nil
	}
	return nil, apierr.InvalidRequest("Invalid array").WithParam(name)
}

// notSequential is Stripe's refusal of an indexed array whose keys are not
// 0, 1, 2…: it lists the keys sent (numbers in order, then the others) and
// the first index missing.
func notSequential(m map[string]any, name string) *apierr.Error {
	var nums []int
	var words []string
	for k := range m {
		if i, err := strconv.Atoi(k); err == nil && i >= 0 && strconv.Itoa(i) == k {
			nums = append(nums, i)
		} else {
			words = append(words, k)
		}
	}
	sort.Ints(nums)
	sort.Strings(words)
	keys := make([]string, 0, len(m))
	expected := 0
	for _, i := range nums {
		if i == expected {
			expected++
		}
		keys = append(keys, "`"+strconv.Itoa(i)+"`")
	}
	for _, w := range words {
		keys = append(keys, "`"+w+"`")
	}
	return apierr.InvalidRequest("If passing an array with explicit keys (e.g. foo[0]=a&foo[1]=b) instead of as an array (e.g. foo[]=a&foo[]=b), the keys must be numeric and sequential starting from 0. You passed the keys %s, we expected to have a key with the value `%d`.", strings.Join(keys, ", "), expected).WithParam(name)
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		keys := sortedKeys(x)
		return "{" + strings.Join(keys, ", ") + "}"
	case []any:
		return fmt.Sprintf("array of %d", len(x))
	}
	return fmt.Sprint(v)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func oneOf(values []string) string {
	switch len(values) {
	case 1:
		return values[0]
	case 2:
		return values[0] + " or " + values[1]
	}
	return strings.Join(values[:len(values)-1], ", ") + ", or " + values[len(values)-1]
}

// Namer turns dotted paths into full parameter names under prefix ("" for
// the top level), as errors name them: with prefix "price_data",
// currency_options.eur.unit_amount → price_data[currency_options][eur][unit_amount].
func Namer(prefix string) func(path string) string {
	return func(path string) string {
		if prefix == "" {
			head, rest, nested := strings.Cut(path, ".")
			if !nested {
				return path
			}
			return head + "[" + strings.ReplaceAll(rest, ".", "][") + "]"
		}
		return prefix + "[" + strings.ReplaceAll(path, ".", "][") + "]"
	}
}

// Metadata limits, as Stripe enforces them wherever metadata is sent.
const (
	MaxMetadataKeys  = 50
	MaxMetadataKey   = 40
	MaxMetadataValue = 500
)

// isMetadata reports whether the string map a parameter names is metadata
// (at the top level or inside another parameter: default_price_data's),
// rather than a map that is not (a meter event's payload).
func isMetadata(name string) bool {
	last := name
	if i := strings.LastIndexByte(name, '['); i >= 0 {
		last = strings.TrimSuffix(name[i+1:], "]")
	}
	return last == "metadata" || last == "invoice_metadata"
}

// checkMetadata holds the metadata sent as name to Stripe's limits: the
// keys it sets (an empty value unsets one), each key and each value.
func checkMetadata(name string, m map[string]any) *apierr.Error {
	set := 0
	for _, k := range sortedKeys(m) {
		v, _ := m[k].(string)
		if err := MetadataEntry(name, k, v); err != nil {
			return err
		}
		if v != "" {
			set++
		}
	}
	if set > MaxMetadataKeys {
		return apierr.InvalidRequest("Invalid metadata: metadata can have up to %d keys, but you passed in %d keys.", MaxMetadataKeys, set).WithParam(name)
	}
	return nil
}

// MetadataEntry checks one key and value of the metadata sent as name.
func MetadataEntry(name, k, v string) *apierr.Error {
	switch {
	case k == "":
		return apierr.InvalidRequest("Invalid metadata: metadata keys must not be empty.").WithParam(name)
	case longer(k, MaxMetadataKey):
		return apierr.InvalidRequest("Metadata keys can have up to %d characters, but the key '%s' has %d characters.", MaxMetadataKey, k, utf8.RuneCountInString(k)).WithParam(join(name, k))
	case strings.ContainsAny(k, "[]"):
		return apierr.InvalidRequest("Metadata keys cannot contain square brackets ('[' or ']'): '%s'.", k).WithParam(name)
	case longer(v, MaxMetadataValue):
		return apierr.InvalidRequest("Metadata values can have up to %d characters, but the value for key '%s' has %d characters.", MaxMetadataValue, k, utf8.RuneCountInString(v)).WithParam(join(name, k))
	}
	return nil
}

// longer reports whether s has more than n characters, as Stripe counts
// metadata's limits (a key of 40 accented letters is 80 bytes). Characters
// are counted only when the bytes already exceed n.
func longer(s string, n int) bool {
	return len(s) > n && utf8.RuneCountInString(s) > n
}

// tooLong reports whether str holds more characters than the schema's
// MaxLen (Stripe counts characters, not bytes: the count is made only for
// a string whose bytes already exceed it).
func (s *Schema) tooLong(str string) bool {
	return s.MaxLen > 0 && len(str) > s.MaxLen && utf8.RuneCountInString(str) > s.MaxLen
}
