package store

import "maps"

// Clone deep-copies an object so a handler can change it and still diff
// against the original. maps.Clone copies a map's table whole instead of
// hashing every key again, so only nested maps and arrays are revisited.
func Clone(o Obj) Obj {
	if o == nil {
		return Obj{}
	}
	out := maps.Clone(o)
	for k, v := range out {
		switch x := v.(type) {
		case map[string]any:
			out[k] = Clone(x)
		case []any:
			out[k] = cloneSlice(x)
		}
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return Clone(x)
	case []any:
		return cloneSlice(x)
	}
	return v
}

func cloneSlice(x []any) []any {
	out := make([]any, len(x))
	for i, v := range x {
		out[i] = cloneValue(v)
	}
	return out
}
