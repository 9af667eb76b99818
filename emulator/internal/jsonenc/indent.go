package jsonenc

// IndentCompact appends src, compact JSON as Marshal writes it (no space
// outside strings), indented two spaces a level from depth: what
// json.Indent(src, "", "  ") gives at depth 0, without json.Indent's
// validation pass. Stored objects are rendered this way on every GET.
// Input that is not such JSON comes out mangled, never panics.
func IndentCompact[S string | []byte](b []byte, src S, depth int) []byte {
	for i := 0; i < len(src); {
		// Copy a run of bytes that need no layout in one go.
		j := i
		for j < len(src) && !structural[src[j]] {
			j++
		}
		b = append(b, src[i:j]...)
		if j == len(src) {
			break
		}
		i = j
		switch c := src[i]; c {
		case '"':
			// A string, escapes and all, up to its closing quote.
			j = i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(src))
			b = append(b, src[i:j]...)
			i = j
		case '{', '[':
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				b = append(b, c, src[i+1])
				i += 2
				continue
			}
			depth++
			b = newline(append(b, c), depth)
			i++
		case '}', ']':
			depth = max(depth-1, 0)
			b = append(newline(b, depth), c)
			i++
		case ',':
			b = newline(append(b, ','), depth)
			i++
		case ':':
			b = append(b, ':', ' ')
			i++
		}
	}
	return b
}

var structural = func() (t [256]bool) {
	for _, c := range `"{}[],:` {
		t[c] = true
	}
	return t
}()
