package params

import (
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
	names := make([]string, 0, len(limits))
	for p := range limits {
		names = append(names, p)
	}
	slices.Sort(names)
	for _, p := range names {
		if !s.Has(p) {
			continue
		}
		s = s.at(p, func(parent *Schema, name string) {
			f := parent.Fields[name]
			switch {
			case (f.Kind == KindString || f.Kind == KindStringOrObject) && f.MaxLen == 0:
				f = f.clone()
				f.MaxLen = limits[p]
			case f.Kind == KindArray && f.Elem != nil && f.Elem.Kind == KindString && f.Elem.MaxLen == 0:
				f = f.clone()
				f.Elem = f.Elem.clone()
				f.Elem.MaxLen = limits[p]
			}
			parent.Fields[name] = f
		})
	}
	return s
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
	names := make([]string, 0, len(enums))
	for p := range enums {
		names = append(names, p)
	}
	slices.Sort(names)
	for _, p := range names {
		if !s.Has(p) {
			continue
		}
		s = s.at(p, func(parent *Schema, name string) {
			f := parent.Fields[name]
			switch {
			case f.Kind == KindString && len(f.Allowed) == 0:
				f = f.clone()
				f.Allowed = enums[p]
			case f.Kind == KindArray && f.Elem != nil && f.Elem.Kind == KindString && len(f.Elem.Allowed) == 0:
				f = f.clone()
				f.Elem = f.Elem.clone()
				f.Elem.Allowed = enums[p]
			}
			parent.Fields[name] = f
		})
	}
	return s
}
