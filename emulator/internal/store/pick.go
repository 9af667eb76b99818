package store

import (
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"

	"github.com/tidwall/gjson"
)

// Pick reads gjson paths from a JSON object in one walk of its top level,
// skipping the values it does not want without parsing them (gjson.GetMany
// walks the document once per path, and its ForEach builds every value).
// Each path's first segment must be a plain key.
func Pick(raw string, paths ...string) []gjson.Result {
	out := make([]gjson.Result, len(paths))
	left := len(paths)
	var buf [16]int
	dots := buf[:0] // where each path's first segment ends
	for _, p := range paths {
		if d := strings.IndexByte(p, '.'); d >= 0 {
			dots = append(dots, d)
		} else {
			dots = append(dots, len(p))
		}
	}
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return out
	}
	i++
	for left > 0 {
		i = skipSpace(raw, i)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
		if i >= len(raw) || raw[i] != '"' {
			break
		}
		end, escaped := skipString(raw, i)
		if escaped {
			// Keys are plain names in the emulator's documents; anything
			// else is gjson's to read.
			return gjson.GetMany(raw, paths...)
		}
		key := raw[i+1 : end-1]
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			break
		}
		start := skipSpace(raw, i+1)
		i = skipValue(raw, start)
		for n, p := range paths {
			if dots[n] != len(key) || p[:dots[n]] != key {
				continue
			}
			v := gjson.Parse(raw[start:i])
			if dots[n] < len(p) {
				v = v.Get(p[dots[n]+1:])
			}
			out[n] = v
			left--
		}
	}
	return out
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just after the string starting at s[i]
// (a quote), and whether it holds escapes.
func skipString(s string, i int) (int, bool) {
	escaped := false
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			return i + 1, escaped
		}
	}
	return len(s), escaped
}

// skipValue returns the index just after the value starting at s[i].
func skipValue(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '"':
		end, _ := skipString(s, i)
		return end
	case '{', '[':
		depth := 0
		for i < len(s) {
			switch s[i] {
			case '"':
				i, _ = skipString(s, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	default:
		for i < len(s) && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r' {
			i++
		}
		return i
	}
}

// PickObj is Pick on a decoded object: the same answers without encoding
// it. Paths walk objects by key and arrays by index; a path with gjson's
// other syntax (phases.#.end_date) is answered from its top-level value
// encoded.
func PickObj(o Obj, paths ...string) []gjson.Result {
	out := make([]gjson.Result, len(paths))
	for n, p := range paths {
		out[n] = pickObj(o, p)
	}
	return out
}

func pickObj(o Obj, path string) gjson.Result {
	var v any = o
	rest := path
	for rest != "" {
		seg := rest
		if d := strings.IndexByte(rest, '.'); d >= 0 {
			seg, rest = rest[:d], rest[d+1:]
		} else {
			rest = ""
		}
		switch x := v.(type) {
		case map[string]any:
			if strings.ContainsAny(seg, "#*?|@\\") {
				return gjsonOf(x, seg+dotted(rest))
			}
			var ok bool
			if v, ok = x[seg]; !ok {
				return gjson.Result{}
			}
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil {
				return gjsonOf(x, seg+dotted(rest))
			}
			if i < 0 || i >= len(x) {
				return gjson.Result{}
			}
			v = x[i]
		default:
			return gjson.Result{}
		}
	}
	return resultOf(v)
}

func dotted(rest string) string {
	if rest == "" {
		return ""
	}
	return "." + rest
}

// gjsonOf answers path within v by encoding v.
func gjsonOf(v any, path string) gjson.Result {
	b, err := jsonenc.Marshal(v)
	if err != nil {
		return gjson.Result{}
	}
	return gjson.GetBytes(b, path)
}

// exactFloat is the largest integer a float64 holds exactly (2^53).
const exactFloat = 1 << 53

// intResult is an integer's Result. One a float64 holds exactly carries no
// Raw, as gjson's own computed numbers do: Int, String and the rest read
// Num then, and timestamps, read on every renewal, cost no formatting.
func intResult(x int64) gjson.Result {
	if x > -exactFloat && x < exactFloat {
		return gjson.Result{Type: gjson.Number, Num: float64(x)}
	}
	return gjson.Result{Type: gjson.Number, Num: float64(x), Raw: strconv.FormatInt(x, 10)}
}

// SameResult reports whether two Results of Pick and PickObj say the same:
// the same Raw, or for a number or string PickObj gave without one, the
// same value.
func SameResult(a, b gjson.Result) bool {
	if a.Type != b.Type {
		return false
	}
	if a.Raw == "" || b.Raw == "" {
		switch a.Type {
		case gjson.Number:
			return a.Num == b.Num
		case gjson.String:
			return a.Str == b.Str
		}
	}
	return a.Raw == b.Raw
}

// resultOf is the gjson.Result Pick gives for a decoded value.
func resultOf(v any) gjson.Result {
	switch x := v.(type) {
	case nil:
		return gjson.Result{Type: gjson.Null, Raw: "null"}
	case string:
		// Without Raw too: String reads Str.
		return gjson.Result{Type: gjson.String, Str: x}
	case bool:
		if x {
			return gjson.Result{Type: gjson.True, Raw: "true"}
		}
		return gjson.Result{Type: gjson.False, Raw: "false"}
	case int64:
		return intResult(x)
	case int:
		return intResult(int64(x))
	case float64:
		b, err := jsonenc.Marshal(x)
		if err != nil {
			return gjson.Result{}
		}
		return gjson.Result{Type: gjson.Number, Num: x, Raw: string(b)}
	}
	b, err := jsonenc.Marshal(v)
	if err != nil {
		return gjson.Result{}
	}
	return gjson.ParseBytes(b)
}
