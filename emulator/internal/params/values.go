package params

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Values are validated parameters, read by dotted path
// ("invoice_settings.default_payment_method").
type Values struct {
	m map[string]any
	// prefix is v's full parameter name ("items[0]"), "" at the top.
	prefix string
	// reads, when set, records which parameters are looked at, so a
	// request can tell which of the parameters it was sent nothing used.
	reads *reads
}

// reads is what one request's handler looked at, by full parameter name.
type reads struct {
	// read lists names as they are read, repeats and all: appending is
	// cheaper than a set for the few dozen reads of a request, and only
	// Unread, once, looks through it.
	read []string
	// opened are the objects a handler went into (Obj, Array): their
	// keys are the ones checked, so a value read whole (metadata) is not
	// picked apart.
	opened []Values
	// whole are names taken with everything under them (Raw, Keys).
	whole []string
}

// NewValues wraps an already-typed tree (for internal callers).
func NewValues(m map[string]any) Values { return Values{m: m} }

// Tracked is v recording which parameters are read: its top level, and
// inside every object or array element a handler opens with Obj or Array.
func (v Values) Tracked() Values {
	v.reads = &reads{read: make([]string, 0, 16)}
	v.reads.open(v)
	return v
}

func (r *reads) open(v Values) {
	for _, o := range r.opened {
		if o.prefix == v.prefix {
			return
		}
	}
	r.opened = append(r.opened, v)
}

// covered reports whether name was taken whole with a parent.
func (r *reads) covered(name string) bool {
	for _, w := range r.whole {
		if w == "" || name == w || strings.HasPrefix(name, w+"[") {
			return true
		}
	}
	return false
}

// Unread lists, by full name ("items[0][discounts]"), the parameters sent
// that nothing read (only for Tracked values), sorted.
func (v Values) Unread() []string {
	if v.reads == nil {
		return nil
	}
	var out []string
	for _, o := range v.reads.opened {
		for k := range o.m {
			name := join(o.prefix, k)
			if !slices.Contains(v.reads.read, name) && !v.reads.covered(name) {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// MarkRead records parameters (dotted paths under v) as used without
// reading them: ones that change nothing an API caller can observe in
// test mode.
func (v Values) MarkRead(paths ...string) {
	for _, p := range paths {
		v.mark(p)
	}
}

// mark records path and every object on the way to it as read.
func (v Values) mark(path string) {
	if v.reads == nil {
		return
	}
	// Only what was sent can be left unread, so reads of parameters the
	// request does not have are not recorded (most reads, most requests).
	if v.prefix == "" && strings.IndexByte(path, '.') < 0 {
		if _, sent := v.m[path]; sent {
			v.reads.read = append(v.reads.read, path) // the usual case: no name to build
		}
		return
	}
	name := v.prefix
	cur := v.m
	for path != "" {
		var seg string
		seg, path, _ = strings.Cut(path, ".")
		x, sent := cur[seg]
		if !sent {
			return
		}
		name = join(name, seg)
		v.reads.read = append(v.reads.read, name)
		cur, _ = x.(map[string]any)
	}
}

// markAll counts everything at and under v as read.
func (v Values) markAll() {
	if v.reads != nil {
		v.reads.whole = append(v.reads.whole, v.prefix)
	}
}

// child is the tracked Values of the object m at name under v.
func (v Values) child(name string, m map[string]any) Values {
	out := Values{m: m, prefix: join(v.prefix, name), reads: v.reads}
	if v.reads != nil {
		v.reads.open(out)
	}
	return out
}

func (v Values) lookup(path string) (any, bool) {
	v.mark(path)
	return v.Sent(path)
}

// Sent is the raw value at path without counting it as read: for deciding
// whether a parameter asks for anything the emulator would not do anyway.
func (v Values) Sent(path string) (any, bool) {
	var cur any = v.m
	for path != "" {
		var name string
		name, path, _ = strings.Cut(path, ".")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[name]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// Has reports whether the parameter was sent (empty counts).
func (v Values) Has(path string) bool {
	_, ok := v.lookup(path)
	return ok
}

// Unset reports whether the parameter was sent as an empty string.
func (v Values) Unset(path string) bool {
	x, ok := v.lookup(path)
	return ok && x == Unset
}

// Get returns the typed value (nil for an unset one).
func (v Values) Get(path string) (any, bool) {
	x, ok := v.lookup(path)
	if x == Unset {
		return nil, ok
	}
	return plain(x), ok
}

// plain turns Unset markers inside nested values into nulls so the value
// can be stored as JSON.
func plain(x any) any {
	switch t := x.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = plain(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = plain(e)
		}
		return out
	}
	if x == Unset {
		return nil
	}
	return x
}

// Str returns a string parameter; an unset one is "" with ok true.
func (v Values) Str(path string) (string, bool) {
	x, ok := v.lookup(path)
	if !ok {
		return "", false
	}
	s, isStr := x.(string)
	return s, isStr || x == Unset
}

// Int returns an integer parameter.
func (v Values) Int(path string) (int64, bool) {
	x, _ := v.lookup(path)
	n, ok := x.(int64)
	return n, ok
}

// Bool returns a boolean parameter.
func (v Values) Bool(path string) (bool, bool) {
	x, _ := v.lookup(path)
	b, ok := x.(bool)
	return b, ok
}

// Float returns a decimal parameter.
func (v Values) Float(path string) (float64, bool) {
	x, _ := v.lookup(path)
	switch n := x.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// Obj returns a nested object's values.
func (v Values) Obj(path string) (Values, bool) {
	x, _ := v.lookup(path)
	m, ok := x.(map[string]any)
	if !ok {
		return Values{m: m}, false
	}
	out := v
	for _, name := range strings.Split(path, ".") {
		sub, _ := out.m[name].(map[string]any)
		out = out.child(name, sub)
	}
	return out, true
}

// Array returns the elements of an array of objects.
func (v Values) Array(path string) []Values {
	x, _ := v.lookup(path)
	items, _ := x.([]any)
	parent := v
	segs := strings.Split(path, ".")
	for _, name := range segs[:len(segs)-1] {
		sub, _ := parent.m[name].(map[string]any)
		parent = parent.child(name, sub)
	}
	array := Values{prefix: join(parent.prefix, segs[len(segs)-1]), reads: v.reads}
	out := make([]Values, 0, len(items))
	for i, it := range items {
		m, _ := it.(map[string]any)
		out = append(out, array.child(strconv.Itoa(i), m))
	}
	return out
}

// Strings returns an array of strings (expand[], lookup_keys[]…).
func (v Values) Strings(path string) []string {
	x, _ := v.lookup(path)
	items, _ := x.([]any)
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Map returns a string map such as metadata. A key sent with an empty
// value maps to "" (Stripe: delete that key).
func (v Values) Map(path string) (map[string]string, bool) {
	x, _ := v.lookup(path)
	m, ok := x.(map[string]any)
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		s, _ := e.(string)
		out[k] = s
	}
	return out, true
}

// Metadata returns a metadata parameter as a new object stores it: keys
// sent with an empty value (Stripe's "unset") have nothing to unset and
// are left out.
func (v Values) Metadata(path string) (map[string]any, bool) {
	md, ok := v.Map(path)
	if !ok {
		return nil, false
	}
	out := make(map[string]any, len(md))
	for k, val := range md {
		if val != "" {
			out[k] = val
		}
	}
	return out, true
}

// Raw returns the typed tree (Unset markers included). Whoever takes the
// whole tree is taken to use all of it.
func (v Values) Raw() map[string]any {
	v.markAll()
	return v.m
}

// Unmarked is v's typed tree without counting as reading it: for keeping
// a request's parameters to replay later (a Checkout Session's recovery)
// while the ones its handler never reads are still refused.
func (v Values) Unmarked() map[string]any { return v.m }

// RawAt is one top-level parameter's typed value, Unset markers included.
func (v Values) RawAt(name string) (any, bool) {
	v.mark(name)
	x, ok := v.m[name]
	return x, ok
}

// Keys lists the parameters present at the top level of v (taken, like
// Raw, as using them all).
func (v Values) Keys() []string {
	v.markAll()
	return sortedKeys(v.m)
}

// Canonical is a stable rendering of the parameters, to compare two
// requests (idempotency).
func (v Values) Canonical() string {
	b, _ := json.Marshal(plainMarked(v.m))
	return string(b)
}

func plainMarked(x any) any {
	switch t := x.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = plainMarked(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = plainMarked(e)
		}
		return out
	}
	if x == Unset {
		return "\x00unset"
	}
	return x
}

// With is v with the top-level parameters set added, as if they had been
// sent and read: an older route names in its path what the route it is
// another name for takes as a parameter (POST /v1/charges/{charge}/refunds
// is POST /v1/refunds with charge=…). What v was sent is still tracked.
func (v Values) With(set map[string]any) Values {
	m := make(map[string]any, len(v.m)+len(set))
	for k, x := range v.m {
		m[k] = x
	}
	for k, x := range set {
		m[k] = x
	}
	v.m = m
	return v
}
