package harness

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

var refRe = regexp.MustCompile(`\$\{([^}]*)\}`)

// lookup follows a dotted path ("body.items.0.id") through JSON-like data.
func lookup(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[part]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// resolve replaces ${name.path} references in s. A string that is one
// whole reference keeps the referenced value's type.
func (r *run) resolve(s string) (any, error) {
	if m := refRe.FindStringSubmatch(s); m != nil && m[0] == s {
		return r.ref(m[1])
	}
	var firstErr error
	out := refRe.ReplaceAllStringFunc(s, func(whole string) string {
		v, err := r.ref(whole[2 : len(whole)-1])
		if err == nil && v == nil {
			// Inside text (a path, an id) a null is a mistake, not "<nil>".
			err = nullRef(whole)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return scalar(v)
	})
	return out, firstErr
}

func (r *run) ref(ref string) (any, error) {
	if name, ok := strings.CutPrefix(ref, "env:"); ok {
		// Unset is a CI job without the variable, not an empty value.
		v, set := os.LookupEnv(name)
		if !set {
			return nil, fmt.Errorf("${%s}: %s is not set in the environment", ref, name)
		}
		return v, nil
	}
	name, path, _ := strings.Cut(ref, ".")
	root, ok := r.vars[name]
	if !ok {
		return nil, fmt.Errorf("${%s}: nothing is captured as %q", ref, name)
	}
	v, ok := lookup(root, path)
	if !ok {
		return nil, fmt.Errorf("${%s}: %q has no %s (it is %s)", ref, name, path, brief(root))
	}
	return v, nil
}

func (r *run) resolveString(s string) (string, error) {
	v, err := r.resolve(s)
	if err != nil {
		return "", err
	}
	if str, ok := v.(string); ok {
		return str, nil
	}
	if v == nil {
		return "", nullRef(s)
	}
	return fmt.Sprint(v), nil
}

// nullRef explains a reference to a field that was null when captured, most
// often one Stripe fills in later (a Checkout Session's payment_intent).
func nullRef(ref string) error {
	name, _, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(ref, "${"), "}"), ".")
	return fmt.Errorf("%s is null: it had no value when %q was captured; if Stripe sets it later, capture the object again (a GET step with as:)", ref, name)
}

// resolveAll resolves references inside nested values.
func (r *run) resolveAll(v any) (any, error) { return mapStrings(v, r.resolve) }

// mapStrings copies nested maps and lists with each string replaced by
// what fn makes of it.
func mapStrings(v any, fn func(string) (any, error)) (any, error) {
	switch x := v.(type) {
	case string:
		return fn(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			rv, err := mapStrings(e, fn)
			if err != nil {
				return nil, err
			}
			out[k] = rv
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			rv, err := mapStrings(e, fn)
			if err != nil {
				return nil, err
			}
			out[i] = rv
		}
		return out, nil
	}
	return v, nil
}

// match compares an actual value with an expected literal or matcher.
func match(want, got any, present bool) error {
	if m, ok := want.(map[string]any); ok && len(m) == 1 {
		for op, arg := range m {
			switch op {
			case "present":
				if present != (arg == true) {
					return fmt.Errorf("want present=%v, got %s", arg, describe(got, present))
				}
				return nil
			case "not":
				if present && equal(arg, got) {
					return fmt.Errorf("want anything but %s", brief(arg))
				}
				return nil
			case "contains":
				if !present || !contains(got, arg) {
					return fmt.Errorf("want something containing %s, got %s", brief(arg), describe(got, present))
				}
				return nil
			case "one_of":
				opts, _ := arg.([]any)
				for _, o := range opts {
					if present && equal(o, got) {
						return nil
					}
				}
				return fmt.Errorf("want one of %s, got %s", brief(arg), describe(got, present))
			}
		}
	}
	if !present || !equal(want, got) {
		return fmt.Errorf("want %s, got %s", brief(want), describe(got, present))
	}
	return nil
}

// contains reports whether got holds want as Stripe's JSON reads: text
// holding it as a substring, a list holding an element equal to it, an
// object holding each of its fields (matchers allowed). Anything else
// (a number, null) contains nothing: comparing printed forms would let
// {contains: 1} pass on 10, or a key name match inside an object.
func contains(got, want any) bool {
	switch g := got.(type) {
	case string:
		w, ok := want.(string)
		return ok && strings.Contains(g, w)
	case []any:
		for _, e := range g {
			if equal(want, e) {
				return true
			}
		}
		return false
	case map[string]any:
		fields, ok := want.(map[string]any)
		if !ok {
			return false
		}
		for k, w := range fields {
			v, present := g[k]
			if match(w, v, present) != nil {
				return false
			}
		}
		return true
	}
	return false
}

// equal compares JSON-ish values, numbers by value.
func equal(a, b any) bool {
	ja, _ := json.Marshal(normalize(a))
	jb, _ := json.Marshal(normalize(b))
	return string(ja) == string(jb)
}

func normalize(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	}
	if v != nil && reflect.TypeOf(v).Kind() == reflect.Map {
		b, _ := json.Marshal(v)
		var out any
		_ = json.Unmarshal(b, &out)
		return out
	}
	return v
}

func describe(v any, present bool) string {
	if !present {
		return "nothing (absent)"
	}
	return brief(v)
}

func brief(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	s := string(b)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// flatten turns nested params into Stripe form keys: a[b][0]=v.
func flatten(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			key := k
			if prefix != "" {
				key = prefix + "[" + k + "]"
			}
			flatten(key, e, out)
		}
	case []any:
		for i, e := range x {
			flatten(fmt.Sprintf("%s[%d]", prefix, i), e, out)
		}
	case nil:
		out[prefix] = ""
	default:
		out[prefix] = scalar(x)
	}
}

// scalar writes a value as Stripe's form takes it: numbers read from JSON
// (float64) in full, never in exponent form (a timestamp is
// 1795791951, not 1.795791951e+09).
func scalar(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
