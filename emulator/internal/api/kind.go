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
	// OtherPrefixes are further prefixes ids of this kind may have (a
	// Connect payment is a charge whose id begins py_, its refunds pyr_).
	OtherPrefixes []string
	// EventPrefix names the object in event types when it differs from
	// Object ("customer.subscription" for subscriptions).
	EventPrefix string
	// ShortID marks kinds whose ids are Stripe's older 14-character form
	// (cus_, prod_, acct_); the rest get the 24-character form.
	ShortID bool
	// Expandable fields hold an id (or null) that expand[] turns into the
	// object. Nested fields are dotted, e.g. "invoice_settings.default_payment_method".
	Expandable []string
	// ExpandIn names, for expandable fields whose object lives in another
	// account, the field holding that account (a transfer's
	// destination_payment is in its destination): the platform expands
	// them there.
	ExpandIn map[string]string
	// ExpandInVia is ExpandIn for fields whose account the object does
	// not hold itself (a transfer reversal's destination_payment_refund
	// is in its transfer's destination): the function finds it, "" for
	// the account in scope.
	ExpandInVia map[string]func(c *Call, o store.Obj) string
	// ExpandAs renders expandable fields whose object is a view of
	// another (a schedule phase item's plan is its price as a plan): the
	// function gets the id and returns the object, or the id as it was.
	ExpandAs map[string]func(c *Call, id string) any
	// OnPlatform marks kinds only the platform keeps that a connected
	// account's objects name (a payment's source_transfer, a direct
	// charge's application_fee): expanded from such an object, they are
	// found on the platform.
	OnPlatform bool
	// Includable fields are left out of the object unless expanded; the
	// function computes them.
	Includable map[string]func(c *Call, o store.Obj) (any, error)
	// IncludableIn are includable fields inside the entries of an
	// includable map, named "<map>.*.<field>" (a price's
	// currency_options.*.tiers: expand[]=currency_options.eur.tiers). The
	// function is given the entry's key; expanding one includes the map.
	IncludableIn map[string]func(c *Call, o store.Obj, key string) (any, error)
	// EmbeddedLists are fields holding a list the object stores whole but
	// Stripe shows only the first EmbeddedListLimit elements of (an
	// invoice's lines): answers, expansions and events cut them.
	EmbeddedLists []EmbeddedList
	// Indexes lets lists filter without walking every object.
	Indexes []store.Index
	// DeletedStub marks kinds deleted for good that other objects may
	// still name (an invoice's account_tax_ids): expanding such an id
	// gives Stripe's {id, object, deleted: true}, as the OpenAPI spec's
	// deleted_… expansion resources say.
	DeletedStub bool
	// Static serves objects that are the same for every account and never
	// stored (Stripe's tax codes): expansion asks it for their ids.
	Static func(id string) (store.Obj, bool)
}

// Registry knows every Kind.
type Registry struct {
	byObject map[string]*Kind
	prefixes []prefixKind // longest prefix first
}

type prefixKind struct {
	prefix string
	kind   *Kind
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
	for _, p := range append([]string{k.Prefix}, k.OtherPrefixes...) {
		if p != "" {
			r.prefixes = append(r.prefixes, prefixKind{p, k})
		}
	}
	sort.SliceStable(r.prefixes, func(i, j int) bool { return len(r.prefixes[i].prefix) > len(r.prefixes[j].prefix) })
}

// Kind returns the kind of an object type.
func (r *Registry) Kind(object string) *Kind { return r.byObject[object] }

// ByID guesses an object's kind from its id prefix.
func (r *Registry) ByID(id string) *Kind {
	for _, p := range r.prefixes {
		if strings.HasPrefix(id, p.prefix) {
			return p.kind
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

// includableIn finds the IncludableIn field path names (exactly three
// parts: map, key, field) and the key it names.
func (k *Kind) includableIn(parts []string) (func(c *Call, o store.Obj, key string) (any, error), bool) {
	if len(parts) != 3 || len(k.IncludableIn) == 0 {
		return nil, false
	}
	fn, ok := k.IncludableIn[parts[0]+".*."+parts[2]]
	return fn, ok
}
