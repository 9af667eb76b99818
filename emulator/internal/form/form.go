// Package form decodes Stripe's application/x-www-form-urlencoded bodies
// and query strings into a tree: nested keys (a[b][c]=v) become maps and
// append-style arrays (a[]=x) become slices. Indexed arrays (a[0]=x, what
// stripe-go sends) stay maps keyed "0", "1"… because only the endpoint's
// schema knows whether a key like metadata[0] is an index or a name.
package form

import (
	"fmt"
	"net/url"
	"strings"
)

// Limits that keep a hostile body from costing much.
const (
	MaxKeys  = 10000
	MaxDepth = 10
)

// Parse decodes a form body or query string. A plain key given twice
// keeps its last value.
func Parse(raw string) (map[string]any, error) { return parser{}.parse(raw) }

// ParseRepeated decodes a v2 query string, where a key given more than
// once is an array of its values in order (a=x&a=y): stripe-node sends a
// v2 query's arrays so, as the v2 API takes them.
func ParseRepeated(raw string) (map[string]any, error) { return parser{repeat: true}.parse(raw) }

type parser struct{ repeat bool }

func (p parser) parse(raw string) (map[string]any, error) {
	root := map[string]any{}
	if raw == "" {
		return root, nil
	}
	n := 0
	for len(raw) > 0 {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		if n++; n > MaxKeys {
			return nil, fmt.Errorf("too many parameters (more than %d)", MaxKeys)
		}
		rawKey, rawVal, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			return nil, fmt.Errorf("invalid percent-encoding in key %q", rawKey)
		}
		val, err := url.QueryUnescape(rawVal)
		if err != nil {
			return nil, fmt.Errorf("invalid percent-encoding in the value of %q", key)
		}
		parts, err := splitKey(key)
		if err != nil {
			return nil, err
		}
		if err := p.insert(root, parts, val, key); err != nil {
			return nil, err
		}
	}
	return root, nil
}

// splitKey turns "a[b][][c]" into ["a", "b", "", "c"].
func splitKey(key string) ([]string, error) {
	open := strings.IndexByte(key, '[')
	if open < 0 {
		if key == "" || strings.ContainsRune(key, ']') {
			return nil, fmt.Errorf("invalid parameter name %q", key)
		}
		return []string{key}, nil
	}
	if open == 0 {
		return nil, fmt.Errorf("invalid parameter name %q", key)
	}
	parts := []string{key[:open]}
	rest := key[open:]
	for rest != "" {
		if rest[0] != '[' {
			return nil, fmt.Errorf("invalid parameter name %q: unexpected %q after ]", key, rest)
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, fmt.Errorf("invalid parameter name %q: unbalanced [", key)
		}
		seg := rest[1:end]
		if strings.ContainsRune(seg, '[') {
			return nil, fmt.Errorf("invalid parameter name %q: nested [", key)
		}
		parts = append(parts, seg)
		rest = rest[end+1:]
		if len(parts) > MaxDepth {
			return nil, fmt.Errorf("parameter %q is nested too deeply (more than %d levels)", key, MaxDepth)
		}
	}
	return parts, nil
}

// isTokenOf reports whether a hash is just {token: val}: stripe-go sends
// a parameter that is either a token or the details it stands for
// (external_account=btok_…) both as the value and as [token], and
// Stripe takes that as the value.
func isTokenOf(existing any, val string) bool {
	m, ok := existing.(map[string]any)
	return ok && len(m) == 1 && m["token"] == val
}

// insert places val at parts under m.
func (p parser) insert(m map[string]any, parts []string, val, key string) error {
	name := parts[0]
	if len(parts) == 1 {
		if existing, ok := m[name]; ok {
			if p.repeat {
				switch x := existing.(type) {
				case string:
					m[name] = []any{x, val}
					return nil
				case []any:
					m[name] = append(x, val)
					return nil
				}
			}
			if _, isLeaf := existing.(string); !isLeaf && !isTokenOf(existing, val) {
				return fmt.Errorf("parameter %q is given both as a value and as a hash or array", key)
			}
		}
		m[name] = val
		return nil
	}
	if parts[1] == "" {
		return p.appendTo(m, name, parts[2:], val, key)
	}
	child, ok := m[name]
	if !ok {
		next := map[string]any{}
		m[name] = next
		return p.insert(next, parts[1:], val, key)
	}
	sub, isMap := child.(map[string]any)
	if !isMap && len(parts) == 2 && parts[1] == "token" && child == val {
		return nil // the token again, already given as the value
	}
	if !isMap {
		return fmt.Errorf("parameter %q is given both as a value and as a hash or array", key)
	}
	return p.insert(sub, parts[1:], val, key)
}

// appendTo handles a[]=v and a[][b]=v. For the latter, a new element starts
// whenever the last one already has the key (Rack's convention).
func (p parser) appendTo(m map[string]any, name string, rest []string, val, key string) error {
	var list []any
	switch existing := m[name].(type) {
	case nil:
	case []any:
		list = existing
	default:
		return fmt.Errorf("parameter %q is given both as an array and as something else", key)
	}
	if len(rest) == 0 {
		m[name] = append(list, val)
		return nil
	}
	if rest[0] == "" {
		return fmt.Errorf("parameter %q nests arrays in arrays, which Stripe does not take", key)
	}
	var last map[string]any
	if len(list) > 0 {
		last, _ = list[len(list)-1].(map[string]any)
	}
	if last == nil || has(last, rest) {
		last = map[string]any{}
		list = append(list, last)
	}
	m[name] = list
	return p.insert(last, rest, val, key)
}

func has(m map[string]any, parts []string) bool {
	v, ok := m[parts[0]]
	if !ok {
		return false
	}
	if len(parts) == 1 {
		return true
	}
	sub, isMap := v.(map[string]any)
	return !isMap || has(sub, parts[1:])
}
