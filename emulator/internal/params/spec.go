package params

import (
	"regexp"
	"slices"
)

//go:generate go run ./genrequired -o required_gen.go

var pathVariable = regexp.MustCompile(`\{[^}]*\}`)

// RequireSpec returns s with the parameters Stripe's OpenAPI spec requires
// on the v1 POST endpoint at path (a route template) marked required,
// nested ones included (tax_id_collection[enabled]), wherever s takes
// them. stripe-go's params structs do not say which fields are required,
// so the spec's list is generated into required_gen.go.
func (s *Schema) RequireSpec(path string) *Schema {
	for _, p := range specRequired[pathVariable.ReplaceAllString(path, "{}")] {
		if !s.Has(p) {
			continue
		}
		s = s.at(p, func(parent *Schema, name string) {
			if !slices.Contains(parent.Required, name) {
				parent.Required = append(parent.Required, name)
			}
		})
	}
	return s
}
