// Package params declares the parameters each endpoint takes and checks a
// decoded form against them, answering Stripe's errors for unknown names,
// wrong types and missing values. Schemas are usually derived from
// stripe-go's …Params structs, so they follow Stripe's API exactly.
package params

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Kind is a parameter's type.
type Kind int

const (
	KindString  Kind = iota
	KindInteger      // whole number
	KindBoolean      // true/false
	KindNumber       // decimal
	KindObject       // fixed fields
	KindMap          // free keys → strings (metadata)
	KindMapOf        // free keys → Elem (currency_options)
	KindArray        // of Elem
	KindIntegerOrObject
	KindStringOrObject // an id or the object's fields (a card token or card details)
	KindAny            // anything well-formed (for fields stripe-go encodes by hand)
)

// Schema describes one parameter or a whole endpoint (an Object).
type Schema struct {
	Kind     Kind
	Fields   map[string]*Schema // Object, IntegerOrObject
	Elem     *Schema            // Array, MapOf
	Allowed  []string           // allowed strings (enum)
	MaxLen   int                // String: most characters taken (0: any)
	Required []string           // Object: fields that must be present
	// Unless: required fields (by name) that a sibling flag, sent true,
	// stands for (by the flag's name): a parameter Stripe's clients send
	// that its OpenAPI spec does not list.
	Unless map[string]string
	// NullValues: a Map's key may be sent null (v2's way to unset one
	// metadata key), kept as nil; otherwise its values are strings.
	NullValues bool
}

// Constructors for hand-built schemas.
func StringParam() *Schema  { return &Schema{Kind: KindString} }
func IntegerParam() *Schema { return &Schema{Kind: KindInteger} }
func BoolParam() *Schema    { return &Schema{Kind: KindBoolean} }
func AnyParam() *Schema     { return &Schema{Kind: KindAny} }

// String, Integer and Bool are the short names resource tables use.
func String() *Schema  { return StringParam() }
func Integer() *Schema { return IntegerParam() }
func Bool() *Schema    { return BoolParam() }

// ArrayOf is an array of elem.
func ArrayOf(elem *Schema) *Schema { return &Schema{Kind: KindArray, Elem: elem} }

// Object is an object with the given fields.
func Object(fields map[string]*Schema) *Schema { return &Schema{Kind: KindObject, Fields: fields} }

// StringOrObject is a parameter that is either a string (an id) or an
// object with the given fields: Stripe's source=tok_… or source[number]=….
func StringOrObject(fields map[string]*Schema) *Schema {
	return &Schema{Kind: KindStringOrObject, Fields: fields}
}

// MetadataParam is a string map.
func MetadataParam() *Schema { return &Schema{Kind: KindMap} }

// MetadataUpdateV2 is a v2 update's metadata: strings, or null for a key
// to unset (the type stripe-node and stripe-python give it).
func MetadataUpdateV2() *Schema { return &Schema{Kind: KindMap, NullValues: true} }

func (s *Schema) clone() *Schema {
	cp := *s
	cp.Fields = maps.Clone(s.Fields)
	cp.Required = slices.Clone(s.Required)
	cp.Unless = maps.Clone(s.Unless)
	cp.Allowed = slices.Clone(s.Allowed)
	return &cp
}

// at returns a copy of s with the schema at the dotted path replaced by
// what edit returns (copying along the way so shared schemas never change).
func (s *Schema) at(path string, edit func(parent *Schema, name string)) *Schema {
	cp := s.clone()
	name, rest, nested := strings.Cut(path, ".")
	if !nested {
		edit(cp, name)
		return cp
	}
	child := cp.Fields[name]
	if child == nil {
		child = Object(map[string]*Schema{})
	}
	if child.Kind == KindArray && child.Elem != nil {
		arr := child.clone()
		arr.Elem = child.Elem.at(rest, edit)
		cp.Fields[name] = arr
		return cp
	}
	cp.Fields[name] = child.at(rest, edit)
	return cp
}

// With adds or replaces the parameter at a dotted path.
func (s *Schema) With(path string, sub *Schema) *Schema {
	return s.at(path, func(p *Schema, name string) {
		if p.Fields == nil {
			p.Fields = map[string]*Schema{}
		}
		p.Fields[name] = sub
	})
}

// Without removes the parameter at a dotted path.
func (s *Schema) Without(path string) *Schema {
	return s.at(path, func(p *Schema, name string) { delete(p.Fields, name) })
}

// Require marks top-level parameters as required.
func (s *Schema) Require(names ...string) *Schema {
	cp := s.clone()
	cp.Required = append(cp.Required, names...)
	return cp
}

// RequiredUnless lets the flag flag (a boolean field beside it) stand for
// the required parameter at the dotted path when it is sent true.
func (s *Schema) RequiredUnless(path, flag string) *Schema {
	return s.at(path, func(p *Schema, name string) {
		if p.Unless == nil {
			p.Unless = map[string]string{}
		}
		p.Unless[name] = flag
	})
}

// Has reports whether the endpoint takes a parameter at the dotted path,
// so a table can restrict only the parameters an endpoint has.
func (s *Schema) Has(path string) bool {
	for name := range strings.SplitSeq(path, ".") {
		if s.Kind == KindArray && s.Elem != nil {
			s = s.Elem
		}
		if s = s.Fields[name]; s == nil {
			return false
		}
	}
	return true
}

// Enum restricts the string at a dotted path to the given values.
func (s *Schema) Enum(path string, values ...string) *Schema {
	return s.at(path, func(p *Schema, name string) {
		f := p.Fields[name]
		if f == nil {
			f = StringParam()
		}
		f = f.clone()
		f.Allowed = values
		p.Fields[name] = f
	})
}

var cache sync.Map // reflect.Type → *Schema

// FromStruct derives an endpoint's schema from a stripe-go params struct
// (value or pointer), following its form tags.
func FromStruct(v any) *Schema { return cached(&cache, v, fromType) }

// cached is the schema derive builds for v's struct type, built once per
// type.
func cached(c *sync.Map, v any, derive func(t reflect.Type, depth int) *Schema) *Schema {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := c.Load(t); ok {
		return s.(*Schema)
	}
	s := derive(t, 0)
	c.Store(t, s)
	return s
}

func fromType(t reflect.Type, depth int) *Schema { return derive(t, depth, fromType, addFields) }

// derive is the schema of a parameter of Go type t. self derives the
// types inside it and fields fills a struct's fields, by the tags of the
// wire format (form for v1, json for v2).
func derive(t reflect.Type, depth int, self func(reflect.Type, int) *Schema, fields func(*Schema, reflect.Type, int)) *Schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if depth > 12 {
		return AnyParam()
	}
	switch t.Kind() {
	case reflect.String:
		return StringParam()
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64:
		return IntegerParam()
	case reflect.Bool:
		return BoolParam()
	case reflect.Float32, reflect.Float64:
		return &Schema{Kind: KindNumber}
	case reflect.Slice, reflect.Array:
		return ArrayOf(self(t.Elem(), depth+1))
	case reflect.Map:
		elem := t.Elem()
		for elem.Kind() == reflect.Pointer {
			elem = elem.Elem()
		}
		if elem.Kind() == reflect.String {
			return MetadataParam()
		}
		return &Schema{Kind: KindMapOf, Elem: self(elem, depth+1)}
	case reflect.Struct:
		s := Object(map[string]*Schema{})
		fields(s, t, depth)
		return s
	}
	return AnyParam()
}

func addFields(s *Schema, t reflect.Type, depth int) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("form")
		name, _, _ := strings.Cut(tag, ",")
		switch {
		case name == "-" || name == "":
			continue
		case name == "*":
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && ft.Name() != "ExtraValues" && ft.Name() != "Filters" {
				addFields(s, ft, depth)
			}
			continue
		case !f.IsExported():
			continue
		}
		sub := fromType(f.Type, depth+1)
		if prev, dup := s.Fields[name]; dup && prev.Kind != sub.Kind {
			// One name, two Go types (created as int or range): a union.
			obj := prev
			if prev.Kind != KindObject {
				obj = sub
			}
			sub = &Schema{Kind: KindIntegerOrObject, Fields: obj.Fields}
		}
		s.Fields[name] = sub
	}
	// stripe-go writes an unbounded tier as up_to=inf (UpToInf, encoded
	// by hand): an integer or that word. A plan's tiers write up_to by
	// hand too (UpTo tagged form:"-"), so it is added here.
	if _, hasInf := t.FieldByName("UpToInf"); hasInf {
		if up, ok := s.Fields["up_to"]; !ok || up.Kind == KindInteger {
			s.Fields["up_to"] = &Schema{Kind: KindInteger, Allowed: []string{"inf"}}
		}
	}
}
