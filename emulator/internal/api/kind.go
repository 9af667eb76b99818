package api

import (
	"sort"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Kind describes one type of Stripe object: how its ids look, how Stripe
// names it in errors, which fields can be expanded, and which lists it is
// indexed for.
type Kind struct {
	Object string // the "object" value, e.g. "customer", "checkout.session"
	Name   string // as in "No such customer: 'cus_…'" (defaults to Object)
	Prefix string // id prefix, e.g. "cus_"
	// EventPrefix names the object in event types when it differs from
	// Object ("customer.subscription" for subscriptions).
	EventPrefix string
	// ShortID marks kinds whose ids are Stripe's older 14-character form
	// (cus_, prod_, acct_); the rest get the 24-character form.
	ShortID bool
	// Expandable fields hold an id (or null) that expand[] turns into the
	// object. Nested fields are dotted, e.g. "invoice_settings.default_payment_method".
	Expandable []string
	// Includable fields are left out of the object unless expanded; the
	// function computes them.
	Includable map[string]func(c *Call, o store.Obj) (any, error)
	// Indexes lets lists filter without walking every object.
	Indexes []store.Index
}

// Registry knows every Kind.
type Registry struct {
	byObject map[string]*Kind
	prefixes []*Kind // longest prefix first
}

// NewRegistry builds a registry.
func NewRegistry(kinds ...*Kind) *Registry {
	r := &Registry{byObject: map[string]*Kind{}}
	for _, k := range kinds {
		r.Add(k)
	}
	return r
}

// Add registers a kind.
func (r *Registry) Add(k *Kind) {
	if k.Name == "" {
		k.Name = k.Object
	}
	r.byObject[k.Object] = k
	if k.Prefix != "" {
		r.prefixes = append(r.prefixes, k)
		sort.SliceStable(r.prefixes, func(i, j int) bool { return len(r.prefixes[i].Prefix) > len(r.prefixes[j].Prefix) })
	}
}

// Kind returns the kind of an object type.
func (r *Registry) Kind(object string) *Kind { return r.byObject[object] }

// ByID guesses an object's kind from its id prefix.
func (r *Registry) ByID(id string) *Kind {
	for _, k := range r.prefixes {
		if strings.HasPrefix(id, k.Prefix) {
			return k
		}
	}
	return nil
}

// Indexes lists every declared index.
func (r *Registry) Indexes() []store.Index {
	var out []store.Index
	for _, k := range r.byObject {
		for _, ix := range k.Indexes {
			ix.Type = k.Object
			out = append(out, ix)
		}
	}
	return out
}

// EventType is the type of an event about this kind, e.g. "created".
func (r *Registry) EventType(object, action string) string {
	if k := r.byObject[object]; k != nil && k.EventPrefix != "" {
		return k.EventPrefix + "." + action
	}
	return object + "." + action
}

func (k *Kind) expandable(field string) bool {
	for _, f := range k.Expandable {
		if f == field {
			return true
		}
	}
	_, ok := k.Includable[field]
	return ok
}
