package emulator

import (
	"maps"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/wirecheck/openapi"
)

// For every v1 POST endpoint the emulator serves, every parameter Stripe's
// OpenAPI spec marks required — top-level or inside an object the request
// sends — that the endpoint's own schema takes is left out of an otherwise
// complete request (its other required fields given values of their
// types), which must fail as Stripe's does: 400 parameter_missing naming
// that parameter, and nothing created. A field that is all its object
// holds (country_options[ph][type]) cannot be left out of a sent object,
// so it is counted and skipped.
func TestSpecRequiredParamsAreRequired(t *testing.T) {
	checked, unsendable := 0, 0
	sweepPOSTs(t, func(rt api.Route, body *openapi.Param, call func(url.Values) (int, map[string]any, bool)) {
		for _, target := range requiredPaths(body, rt.Params, nil) {
			want := formName(rt.Params, target)
			form := url.Values{}
			fillObject(form, "", body, rt.Params, target)
			if !sends(form, want) {
				unsendable++
				continue
			}
			status, e, served := call(form)
			if !served {
				return
			}
			checked++
			if status != 400 || e["type"] != "invalid_request_error" || e["code"] != "parameter_missing" || e["param"] != want ||
				e["message"] != "Missing required param: "+want+"." {
				t.Errorf("POST %s without %s (%s): %d %v", rt.Path, want, form.Encode(), status, e)
			}
		}
	})
	t.Logf("%d required params checked, %d in objects that cannot be sent without them", checked, unsendable)
}

// ownEnumChecks are the spec's enums the emulator checks in its handler
// instead, with the reason (genspec's ownEnumCheck leaves them out).
var ownEnumChecks = map[string]string{
	"/v1/reporting/report_runs parameters[timezone]": "checked against the IANA database, answering Stripe's " +
		"\"Invalid timezone: …\" naming the value, after the report type is found",
}

// Likewise every string parameter (or array of strings) whose values the
// spec lists, and Stripe validates, is sent a value outside them, in an
// otherwise complete request: 400 "Invalid <param>: must be one of …".
func TestSpecEnumsAreEnforced(t *testing.T) {
	checked := 0
	sweepPOSTs(t, func(rt api.Route, body *openapi.Param, call func(url.Values) (int, map[string]any, bool)) {
		for _, target := range enumPaths(body, rt.Params, nil) {
			want := formName(rt.Params, target)
			if _, own := ownEnumChecks[rt.Path+" "+want]; own {
				continue
			}
			form := url.Values{}
			fillObject(form, "", body, rt.Params, append(slices.Clone(target), ""))
			if leaf := leafSchema(rt.Params, target); leaf.Kind == params.KindArray {
				want += "[0]"
			}
			form.Set(want, "zz_not_a_value")
			status, e, served := call(form)
			if !served {
				return
			}
			checked++
			msg, _ := e["message"].(string)
			if status != 400 || e["type"] != "invalid_request_error" || e["param"] != want || !strings.HasPrefix(msg, "Invalid "+want+": must be one of ") {
				t.Errorf("POST %s with %s=zz_not_a_value (%s): %d %v", rt.Path, want, form.Encode(), status, e)
			}
		}
	})
	t.Logf("%d enum params checked", checked)
}

// sweepPOSTs runs check on every v1 POST route the emulator serves that
// Stripe's spec describes, with call sending a form to it (path variables
// x_123); call reports served=false for a route the emulator answers as
// unrecognized (a removed one). Nothing the checks send may create an
// object.
func sweepPOSTs(t *testing.T, check func(rt api.Route, body *openapi.Param, call func(url.Values) (status int, err map[string]any, served bool))) {
	emu := Start(t)
	before := countObjects(emu)
	variable := regexp.MustCompile(`\{[^}]*\}`)
	for _, table := range routes() {
		for _, rt := range table {
			if rt.Method != "POST" || rt.V2 || rt.Params == nil {
				continue
			}
			body, err := openapi.RequestBody(rt.Path)
			if err != nil {
				t.Fatal(err)
			}
			if body == nil {
				continue
			}
			path := variable.ReplaceAllString(rt.Path, "x_123")
			check(rt, body, func(form url.Values) (int, map[string]any, bool) {
				status, out, err := emu.Call("POST", path, form, "")
				if err != nil {
					t.Fatalf("POST %s: %v", rt.Path, err)
				}
				e, _ := out["error"].(map[string]any)
				msg, _ := e["message"].(string)
				return status, e, !strings.HasPrefix(msg, "Unrecognized request URL")
			})
		}
	}
	if after := countObjects(emu); !maps.Equal(before, after) {
		t.Errorf("refused requests created objects: %v → %v", before, after)
	}
}

// enumPaths lists the string (or string array) parameters under spec
// whose values Stripe validates and that the emulator's schema s takes.
func enumPaths(spec *openapi.Param, s *params.Schema, at []string) [][]string {
	so, eo := specObject(spec), objectOf(s)
	if so == nil || eo == nil {
		return nil
	}
	var out [][]string
	for _, name := range sortedKeys(so.Fields) {
		f, ef := so.Fields[name], eo.Fields[name]
		if ef == nil {
			continue
		}
		leaf := ef
		if leaf.Kind == params.KindArray && leaf.Elem != nil {
			leaf = leaf.Elem
		}
		items := f
		if items.Type == "array" && items.Items != nil {
			items = items.Items
		}
		if leaf.Kind == params.KindString && !items.Bypass && slices.ContainsFunc(items.Enum, func(v string) bool { return v != "" }) {
			out = append(out, append(slices.Clone(at), name))
		}
		out = append(out, enumPaths(f, ef, append(slices.Clone(at), name))...)
	}
	return out
}

// leafSchema is the emulator's schema of the parameter at target.
func leafSchema(s *params.Schema, target []string) *params.Schema {
	for _, name := range target {
		s = objectOf(s).Fields[name]
	}
	return s
}

// requiredPaths lists the required fields of the object spec (and of the
// objects inside it) that the emulator's schema s takes, as paths of names.
func requiredPaths(spec *openapi.Param, s *params.Schema, at []string) [][]string {
	so, eo := specObject(spec), objectOf(s)
	if so == nil || eo == nil {
		return nil
	}
	var out [][]string
	for _, r := range sorted(so.Required) {
		if eo.Fields[r] != nil {
			out = append(out, append(slices.Clone(at), r))
		}
	}
	for _, name := range sortedKeys(so.Fields) {
		if f := eo.Fields[name]; f != nil {
			out = append(out, requiredPaths(so.Fields[name], f, append(slices.Clone(at), name))...)
		}
	}
	return out
}

// fillObject writes into form the object at key (the request itself when
// key is ""): its required fields, and the path rest down to the field
// left out, which is its last name.
func fillObject(form url.Values, key string, spec *openapi.Param, s *params.Schema, rest []string) {
	so, eo := specObject(spec), objectOf(s)
	required := eo.Required
	if so != nil {
		required = sorted(so.Required)
	}
	n := len(form)
	for _, r := range required {
		f := eo.Fields[r]
		switch {
		case f == nil:
		case len(rest) == 1 && rest[0] == r: // the one left out
		case len(rest) > 1 && rest[0] == r:
			fillValue(form, join(key, r), field(so, r), f, rest[1:])
		default:
			fillValue(form, join(key, r), field(so, r), f, nil)
		}
	}
	if len(rest) > 1 && !slices.Contains(required, rest[0]) {
		fillValue(form, join(key, rest[0]), field(so, rest[0]), eo.Fields[rest[0]], rest[1:])
	}
	if len(form) > n || key == "" {
		return
	}
	// The field left out was all the object required: an optional field
	// of a simple type, else an optional object, makes it present.
	for _, simple := range []bool{true, false} {
		for _, name := range sortedKeys(eo.Fields) {
			if len(rest) > 0 && name == rest[0] {
				continue
			}
			switch eo.Fields[name].Kind {
			case params.KindString, params.KindInteger, params.KindBoolean, params.KindNumber, params.KindMap:
			default:
				if simple {
					continue
				}
			}
			fillValue(form, join(key, name), field(so, name), eo.Fields[name], nil)
			if len(form) > n {
				return
			}
		}
	}
}

// fillValue writes a value of the parameter at key that the emulator's
// schema takes (the spec's first enum value, for an enum), or, with rest,
// the object at key down to the field rest leaves out.
func fillValue(form url.Values, key string, spec *openapi.Param, s *params.Schema, rest []string) {
	switch s.Kind {
	case params.KindArray:
		if spec != nil && spec.Type == "array" {
			spec = spec.Items
		}
		fillValue(form, key+"[0]", spec, s.Elem, rest)
	case params.KindObject:
		fillObject(form, key, spec, s, rest)
	case params.KindIntegerOrObject, params.KindStringOrObject:
		if len(rest) > 0 {
			fillObject(form, key, spec, s, rest)
		} else if s.Kind == params.KindIntegerOrObject {
			form.Set(key, "1")
		} else {
			form.Set(key, "x_123")
		}
	case params.KindInteger, params.KindNumber:
		form.Set(key, "1")
	case params.KindBoolean:
		form.Set(key, "true")
	case params.KindMap:
		form.Set(key+"[k]", "v")
	case params.KindMapOf:
		fillValue(form, key+"[usd]", nil, s.Elem, nil)
	default:
		v := "x_123"
		if len(s.Allowed) > 0 {
			v = s.Allowed[0]
		} else if spec != nil {
			for _, e := range spec.Enum {
				if e != "" {
					v = e
					break
				}
			}
		}
		if len(s.Allowed) == 0 && (spec == nil || len(spec.Enum) == 0) {
			v = "x_1" // short enough for the spec's shortest strings (a 3-D Secure exemption: 4)
		}
		form.Set(key, v)
	}
}

// sends reports whether form sends the object holding the parameter
// named want (always true for a top-level parameter).
func sends(form url.Values, want string) bool {
	i := strings.LastIndex(want, "[")
	if i < 0 {
		return true
	}
	parent := want[:i] + "["
	for k := range form {
		if strings.HasPrefix(k, parent) {
			return true
		}
	}
	return false
}

// formName is the target's name as Stripe writes it in errors, arrays at
// index 0: line_items[0][price_data][currency].
func formName(s *params.Schema, target []string) string {
	name := ""
	for _, t := range target {
		s = objectOf(s)
		name = join(name, t)
		s = s.Fields[t]
		if s.Kind == params.KindArray && len(target) > 1 {
			name += "[0]"
		}
	}
	return strings.TrimSuffix(name, "[0]")
}

func join(key, name string) string {
	if key == "" {
		return name
	}
	return key + "[" + name + "]"
}

// specObject is the object p stands for (an array's items), if any.
func specObject(p *openapi.Param) *openapi.Param {
	for p != nil && p.Type == "array" {
		p = p.Items
	}
	if p == nil || p.Fields == nil {
		return nil
	}
	return p
}

// objectOf is the object schema s stands for (an array's elements, an
// id-or-object's fields), if any.
func objectOf(s *params.Schema) *params.Schema {
	for s != nil && s.Kind == params.KindArray {
		s = s.Elem
	}
	if s == nil || (s.Kind != params.KindObject && s.Kind != params.KindIntegerOrObject && s.Kind != params.KindStringOrObject) {
		return nil
	}
	return s
}

func field(p *openapi.Param, name string) *openapi.Param {
	if p == nil {
		return nil
	}
	return p.Fields[name]
}

func sorted(names []string) []string {
	out := slices.Clone(names)
	sort.Strings(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// countObjects counts the platform's live objects of every kind.
func countObjects(emu *Emulator) map[string]int {
	out := map[string]int{}
	for _, k := range kinds() {
		if n := emu.Count("", k.Object); n > 0 {
			out[k.Object] = n
		}
	}
	return out
}
