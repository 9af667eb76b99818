package jsonenc

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Unmarshal decodes JSON into the same values json.Unmarshal produces for
// an any (map[string]any, []any, string, float64, bool, nil), faster, for
// the documents the store reads back on every request.
func Unmarshal(data []byte) (any, error) { return UnmarshalString(string(data)) }

// UnmarshalString is Unmarshal of a document held as a string (the store
// keeps them so): keys and plain strings are slices of it, not copies.
func UnmarshalString(data string) (any, error) {
	d := decoders.Get().(*decoder)
	d.data, d.pos = data, 0
	d.space()
	v, err := d.value()
	if err == nil {
		d.space()
		if d.pos != len(d.data) {
			v, err = nil, errSyntax
		}
	}
	clear(d.fields[:d.used]) // drop references for the GC
	clear(d.items[:d.usedItems])
	d.data, d.fields, d.items, d.used, d.usedItems = "", d.fields[:0], d.items[:0], 0, 0
	decoders.Put(d)
	return v, err
}

var errSyntax = errors.New("jsonenc: invalid JSON")

// decoder gathers each object's fields and each array's items on a stack
// first, so maps and slices are made at their final size instead of
// growing (rehashing, for maps) as they fill.
type decoder struct {
	data   string
	pos    int
	fields []field
	items  []any
	// used, usedItems: the stacks' deepest points in this document.
	used, usedItems int
}

var decoders = sync.Pool{New: func() any { return &decoder{fields: make([]field, 0, 128), items: make([]any, 0, 32)} }}

func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) value() (any, error) {
	if d.pos >= len(d.data) {
		return nil, errSyntax
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return d.str()
	case c == 't':
		return d.literal("true", true)
	case c == 'f':
		return d.literal("false", false)
	case c == 'n':
		return d.literal("null", nil)
	default:
		return d.number()
	}
}

func (d *decoder) literal(word string, v any) (any, error) {
	if len(d.data)-d.pos < len(word) || d.data[d.pos:d.pos+len(word)] != word {
		return nil, errSyntax
	}
	d.pos += len(word)
	return v, nil
}

func (d *decoder) object() (any, error) {
	d.pos++
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return map[string]any{}, nil
	}
	base := len(d.fields)
	defer func() { d.fields = d.fields[:base] }()
	for {
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, errSyntax
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, errSyntax
		}
		d.pos++
		d.space()
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.fields = append(d.fields, field{k, v})
		d.used = max(d.used, len(d.fields))
		d.space()
		if d.pos >= len(d.data) {
			return nil, errSyntax
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			fs := d.fields[base:]
			m := make(map[string]any, len(fs))
			for _, f := range fs {
				m[f.key] = f.value // a repeated key keeps its last value, as encoding/json
			}
			return m, nil
		default:
			return nil, errSyntax
		}
	}
}

func (d *decoder) array() (any, error) {
	d.pos++
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return []any{}, nil
	}
	base := len(d.items)
	defer func() { d.items = d.items[:base] }()
	for {
		d.space()
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.items = append(d.items, v)
		d.usedItems = max(d.usedItems, len(d.items))
		d.space()
		if d.pos >= len(d.data) {
			return nil, errSyntax
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return append([]any(nil), d.items[base:]...), nil
		default:
			return nil, errSyntax
		}
	}
}

func (d *decoder) str() (string, error) {
	d.pos++ // opening quote
	start := d.pos
	// Eight bytes at a time while none of them needs a closer look (a
	// quote, a backslash, a control byte or non-ASCII): most strings of a
	// stored document are ids and words, and this is the decoder's
	// hottest loop.
	for d.pos+8 <= len(d.data) {
		w := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(d.data[d.pos:]), 8))
		if special(w) != 0 {
			break
		}
		d.pos += 8
	}
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			s := d.data[start:d.pos]
			d.pos++
			return s, nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return d.slowStr(start)
		}
		d.pos++
	}
	return "", errSyntax
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special is non-zero when some byte of w is a quote, a backslash, below
// 0x20 or above 0x7f (the classic "has a byte less than n" word tricks).
func special(w uint64) uint64 {
	less := func(x uint64, n uint64) uint64 { return (x - ones*n) & ^x & highs }
	return less(w^(ones*'"'), 1) | less(w^(ones*'\\'), 1) | less(w, 0x20) | w&highs
}

// slowStr handles escapes and non-ASCII by handing the literal to
// encoding/json, which knows every corner.
func (d *decoder) slowStr(start int) (string, error) {
	i := d.pos
	for i < len(d.data) {
		switch d.data[i] {
		case '\\':
			i += 2
			continue
		case '"':
			var s string
			if err := json.Unmarshal([]byte(d.data[start-1:i+1]), &s); err != nil {
				return "", err
			}
			d.pos = i + 1
			return s, nil
		}
		i++
	}
	return "", errSyntax
}

// number reads a JSON number (strict grammar: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?).
func (d *decoder) number() (any, error) {
	start := d.pos
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if d.pos < len(d.data) && d.data[d.pos] == '-' {
		d.pos++
	}
	if d.pos < len(d.data) && d.data[d.pos] == '0' {
		d.pos++
	} else if digits() == 0 {
		return nil, errSyntax
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			return nil, errSyntax
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return nil, errSyntax
		}
	}
	lit := d.data[start:d.pos]
	if n, ok := smallInt(lit); ok {
		return n, nil
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return nil, errSyntax
	}
	return f, nil
}

// smallInt reads the common case (amounts, timestamps) without ParseFloat:
// an optionally negative run of at most 15 digits, exact as a float64.
func smallInt(lit string) (float64, bool) {
	neg := false
	if lit != "" && lit[0] == '-' {
		neg, lit = true, lit[1:]
	}
	if lit == "" || len(lit) > 15 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(lit); i++ {
		c := lit[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		if n == 0 {
			return 0, false // -0 keeps its sign through ParseFloat
		}
		n = -n
	}
	return float64(n), true
}
