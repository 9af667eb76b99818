// Package jsonenc encodes the emulator's JSON documents (maps, slices and
// scalars as encoding/json decodes them) without reflection. Every request
// encodes several objects and events, so this is the hot path; anything
// it does not know it hands to encoding/json.
package jsonenc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Marshal encodes v compactly, map keys sorted, like json.Marshal with
// HTML escaping off. The result is exactly as long as it needs to be: it
// is encoded in a reused buffer and copied once, rather than grown from
// small to large for every document.
func Marshal(v any) ([]byte, error) {
	return withBuffer(func(b []byte) ([]byte, error) { return Append(b, v) })
}

// MarshalIndent is AppendIndent into a new slice of exactly the
// document's size.
func MarshalIndent(v any) ([]byte, error) {
	return withBuffer(func(b []byte) ([]byte, error) { return AppendIndent(b, v) })
}

var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// maxPooledBuffer keeps a rare huge document from pinning its buffer.
const maxPooledBuffer = 1 << 20

func withBuffer(fill func([]byte) ([]byte, error)) ([]byte, error) {
	bp := buffers.Get().(*[]byte)
	b, err := fill((*bp)[:0])
	var out []byte
	if err == nil {
		out = make([]byte, len(b))
		copy(out, b)
	}
	if cap(b) <= maxPooledBuffer {
		*bp = b[:0]
		buffers.Put(bp)
	}
	return out, err
}

// Append appends v's compact encoding to b.
func Append(b []byte, v any) ([]byte, error) { return encode(b, v, -1) }

// AppendIndent appends v indented by two spaces per level and followed by
// a newline: exactly what json.Indent(Marshal(v), "", "  ") gives, as
// Stripe renders its answers, without encoding twice.
func AppendIndent(b []byte, v any) ([]byte, error) {
	b, err := encode(b, v, 0)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

const spaces = "                                                                "

// newline starts a line at depth (two spaces a level); depth < 0 means
// compact output.
func newline(b []byte, depth int) []byte {
	b = append(b, '\n')
	for n := depth * 2; n > 0; {
		k := min(n, len(spaces))
		b = append(b, spaces[:k]...)
		n -= k
	}
	return b
}

// encoder keeps one scratch stack of map entries for a whole document, so
// sorting keys allocates nothing once warm. used is the stack's deepest
// point in this document: only that much needs clearing afterwards.
type encoder struct {
	scratch []field
	used    int
}

var encoders = sync.Pool{New: func() any { return &encoder{scratch: make([]field, 0, 256)} }}

func encode(b []byte, v any, depth int) ([]byte, error) {
	e := encoders.Get().(*encoder)
	b, err := e.appendValue(b, v, depth, root)
	clear(e.scratch[:e.used]) // drop references for the GC
	e.scratch, e.used = e.scratch[:0], 0
	encoders.Put(e)
	return b, err
}

// appendValue appends v; at is the shape of v's place in the document
// (nil where shapes are not worth tracking).
func (e *encoder) appendValue(b []byte, v any, depth int, at *shape) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return appendString(b, x), nil
	case int:
		if x > MaxExact || x < -MaxExact {
			return nil, &InexactError{N: int64(x)}
		}
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		if x > MaxExact || x < -MaxExact {
			return nil, &InexactError{N: x}
		}
		return strconv.AppendInt(b, x, 10), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 && (x != 0 || !math.Signbit(x)) {
			return strconv.AppendInt(b, int64(x), 10), nil
		}
		return appendFloat(b, x)
	case json.RawMessage:
		if depth < 0 {
			return append(b, x...), nil
		}
		return appendIndentedRaw(b, x, depth)
	case map[string]any:
		if len(x) == 0 {
			return append(b, '{', '}'), nil
		}
		at = at.of(x)
		if ord := at.candidate(x); ord != nil {
			if out, ok, err := e.appendKnown(b, x, ord, depth, at); ok || err != nil {
				return out, err
			}
			at.misses.Add(1)
		}
		base := len(e.scratch)
		for k, v := range x {
			e.scratch = append(e.scratch, field{k, v})
		}
		e.used = max(e.used, len(e.scratch))
		sortFields(e.scratch[base:])
		if at != nil {
			at.remember(e.scratch[base:])
		}
		b = append(b, '{')
		for i := range len(x) {
			// Nested maps push onto the same scratch (which may move), so
			// read the entry afresh each time.
			f := e.scratch[base+i]
			if i > 0 {
				b = append(b, ',')
			}
			if depth >= 0 {
				b = newline(b, depth+1)
			}
			b = appendString(b, f.key)
			b = append(b, ':')
			if depth >= 0 {
				b = append(b, ' ')
			}
			var err error
			if b, err = e.appendValue(b, f.value, inner(depth), childOf(at, f.key, f.value)); err != nil {
				return nil, err
			}
		}
		e.scratch = e.scratch[:base]
		if depth >= 0 {
			b = newline(b, depth)
		}
		return append(b, '}'), nil
	case []any:
		if len(x) == 0 {
			return append(b, '[', ']'), nil
		}
		var each *shape
		if at != nil {
			each = at.child(elements)
		}
		b = append(b, '[')
		for i, el := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if depth >= 0 {
				b = newline(b, depth+1)
			}
			var err error
			if b, err = e.appendValue(b, el, inner(depth), each); err != nil {
				return nil, err
			}
		}
		if depth >= 0 {
			b = newline(b, depth)
		}
		return append(b, ']'), nil
	case []string:
		if len(x) == 0 {
			return append(b, '[', ']'), nil
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if depth >= 0 {
				b = newline(b, depth+1)
			}
			b = appendString(b, e)
		}
		if depth >= 0 {
			b = newline(b, depth)
		}
		return append(b, ']'), nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if depth < 0 {
		return append(b, raw...), nil
	}
	return appendIndentedRaw(b, raw, depth)
}

// appendKnown appends map m in the remembered key order ord. ok is false,
// with b as it was, if m turns out to have other keys than ord's.
func (e *encoder) appendKnown(b []byte, m map[string]any, ord *keyOrder, depth int, at *shape) (_ []byte, ok bool, _ error) {
	start := len(b)
	b = append(b, '{')
	for i, k := range ord.keys {
		v, found := m[k]
		if !found {
			return b[:start], false, nil
		}
		if i > 0 {
			b = append(b, ',')
		}
		if depth >= 0 {
			b = newline(b, depth+1)
		}
		b = append(b, ord.quoted[i]...)
		b = append(b, ':')
		if depth >= 0 {
			b = append(b, ' ')
		}
		var err error
		if b, err = e.appendValue(b, v, inner(depth), childOf(at, k, v)); err != nil {
			return nil, false, err
		}
	}
	at.hit()
	if depth >= 0 {
		b = newline(b, depth)
	}
	return append(b, '}'), true, nil
}

// childOf is the shape of field key's place, tracked only for values
// that contain maps.
func childOf(at *shape, key string, v any) *shape {
	if at == nil {
		return nil
	}
	switch v.(type) {
	case map[string]any, []any:
		return at.child(key)
	}
	return nil
}

// field is one map entry; sorting entries rather than keys spares a map
// lookup per field.
type field struct {
	key   string
	value any
}

// sortFields sorts by key: insertion sort for the small maps that are
// most of a Stripe object, the standard library's sort beyond.
func sortFields(fs []field) {
	if len(fs) > 12 {
		slices.SortFunc(fs, func(a, b field) int { return strings.Compare(a.key, b.key) })
		return
	}
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].key < fs[j-1].key; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

func inner(depth int) int {
	if depth < 0 {
		return depth
	}
	return depth + 1
}

// appendIndentedRaw indents already-encoded JSON to sit at depth.
func appendIndentedRaw(b, raw []byte, depth int) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, strings.Repeat("  ", depth), "  "); err != nil {
		return nil, err
	}
	return append(b, buf.Bytes()...), nil
}

func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, &json.UnsupportedValueError{Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	// As encoding/json: plain notation unless the number is very large or
	// very small.
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		b = strconv.AppendFloat(b, f, 'e', -1, 64)
		// e-07 → e-7, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
		return b, nil
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64), nil
}

const hex = "0123456789abcdef"

// plain marks the bytes a JSON string holds as they are.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendString appends s as a JSON string, escaped as Marshal escapes it.
func AppendString(b []byte, s string) []byte { return appendString(b, s) }

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	i := 0
	for i < len(s) && plain[s[i]] {
		i++
	}
	if i == len(s) {
		b = append(b, s...)
		return append(b, '"')
	}
	start := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// MaxExact is the largest integer a document keeps exactly: decoding reads
// numbers as float64s, exact up to 2^53.
const MaxExact = 1<<53 - 1

// InexactError is an integer past MaxExact, which would be read back
// rounded: it is refused rather than written.
type InexactError struct{ N int64 }

func (e *InexactError) Error() string {
	return fmt.Sprintf("the integer %d is past %d, the largest kept exactly", e.N, int64(MaxExact))
}
