package store

import (
	"strings"

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
