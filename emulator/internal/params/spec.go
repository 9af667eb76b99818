package params

import (
	"maps"
	"regexp"
	"slices"
)

//go:generate go run ./genspec -o spec_gen.go

var pathVariable = regexp.MustCompile(`\{[^}]*\}`)

// ApplySpec returns s with what Stripe's OpenAPI spec says of the
// parameters of the v1 POST endpoint at path (a route template), wherever
// s takes them: the parameters it requires, nested ones included
// (tax_id_collection[enabled]), and the values of its enums, for strings
// the endpoint's table does not restrict itself. stripe-go's params
// structs say neither, so the spec's tables are generated into spec_gen.go.
func (s *Schema) ApplySpec(path string) *Schema {
	key := pathVariable.ReplaceAllString(path, "{}")
	for _, p := range specRequired[key] {
		if !s.Has(p) {
			continue
		}
		s = s.at(p, func(parent *Schema, name string) {
			if !slices.Contains(parent.Required, name) {
				parent.Required = append(parent.Required, name)
			}
		})
	}
	return s.withEnums(specEnums[key]).withMaxLengths(specMaxLengths[key])
}

// withMaxLengths returns s with the most characters the spec lets each
// string it takes hold (by dotted path), where s sets none itself.
func (s *Schema) withMaxLengths(limits map[string]int) *Schema {
	return onStrings(s, limits, func(f *Schema, inArray bool, n int) *Schema {
		if f.MaxLen != 0 || !(f.Kind == KindString || f.Kind == KindStringOrObject && !inArray) {
			return nil
		}
		f = f.clone()
		f.MaxLen = n
		return f
	})
}

// ApplyQuerySpec returns s with the values the enums among the query
// parameters of the v1 GET endpoint at path allow (a list's status=),
// wherever s takes them and does not restrict them itself.
func (s *Schema) ApplyQuerySpec(path string) *Schema {
	return s.withEnums(specQueryEnums[pathVariable.ReplaceAllString(path, "{}")])
}

// withEnums returns s with the values enums allow (by dotted path) on
// the strings, and arrays of strings, it takes unrestricted.
func (s *Schema) withEnums(enums map[string][]string) *Schema {
	return onStrings(s, enums, func(f *Schema, _ bool, values []string) *Schema {
		if f.Kind != KindString || len(f.Allowed) != 0 {
			return nil
		}
		f = f.clone()
		f.Allowed = values
		return f
	})
}

// onStrings returns s with what table says of each dotted path s takes
// applied by set to the field there (an array's elements for an array,
// inArray then true). set answers a changed copy of the field, or nil to
// leave it.
func onStrings[V any](s *Schema, table map[string]V, set func(f *Schema, inArray bool, v V) *Schema) *Schema {
	for _, p := range slices.Sorted(maps.Keys(table)) {
		if !s.Has(p) {
			continue
		}
		s = s.at(p, func(parent *Schema, name string) {
			f := parent.Fields[name]
			if f.Kind == KindArray && f.Elem != nil {
				if e := set(f.Elem, true, table[p]); e != nil {
					f = f.clone()
					f.Elem = e
				}
			} else if g := set(f, false, table[p]); g != nil {
				f = g
			}
			parent.Fields[name] = f
		})
	}
	return s
}
