package api

import (
	"maps"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// EmbeddedListLimit is how many elements Stripe shows of a list an object
// embeds (an invoice's lines, a credit note's): the first ten, has_more
// saying the rest are at the list's url.
const EmbeddedListLimit = 10

// EmbeddedList is a field holding a list that is stored whole (what the
// emulator's own code reads) but shown only up to EmbeddedListLimit: in
// answers, expansions and event payloads.
type EmbeddedList struct {
	Field string
	// Element is the object of the list's elements ("line_item"): counting
	// it in stored JSON tells, without decoding, whether a list may be over
	// the limit.
	Element string
}

// overLimit reports whether o, an object of type typ, holds a list longer
// than Stripe embeds: a map lookup and a length for each declared list,
// so objects within the limit cost nothing more.
func (r *Registry) overLimit(typ string, o store.Obj) bool {
	if r == nil || o == nil {
		return false
	}
	k := r.byObject[typ]
	if k == nil {
		return false
	}
	for _, l := range k.EmbeddedLists {
		if list, ok := o[l.Field].(map[string]any); ok {
			if data, _ := list["data"].([]any); len(data) > EmbeddedListLimit {
				return true
			}
		}
	}
	return false
}

// limited is o as Stripe shows it: o itself when no list is over the
// limit, else a copy whose long lists are cut to their first page (o and
// its lists are left whole for the code that reads them).
func (r *Registry) limited(typ string, o store.Obj) store.Obj {
	if !r.overLimit(typ, o) {
		return o
	}
	out := maps.Clone(o)
	for _, l := range r.byObject[typ].EmbeddedLists {
		list, ok := o[l.Field].(map[string]any)
		if !ok {
			continue
		}
		if data, _ := list["data"].([]any); len(data) > EmbeddedListLimit {
			cut := maps.Clone(list)
			// A copy of the page: what is done to it later (expansion)
			// must not reach the stored list.
			cut["data"], cut["has_more"] = append([]any(nil), data[:EmbeddedListLimit]...), true
			out[l.Field] = cut
		}
	}
	return out
}

// rawOverLimit reports whether stored JSON of a kind may hold a list over
// the limit: its elements are counted by their object, so an answer
// served from stored bytes is decoded only when that count is over.
func rawOverLimit(k *Kind, raw string) bool {
	for _, l := range k.EmbeddedLists {
		if strings.Count(raw, `"object":"`+l.Element+`"`) > EmbeddedListLimit {
			return true
		}
	}
	return false
}

// Shown is a stored object as an answer shows it, its long embedded lists
// cut to their first page: what the Go API's Get gives a test.
func (r *Registry) Shown(o store.Obj) store.Obj { return r.limitTop(o) }

// limitTop applies the limit to an answer as handlers give it: the object,
// or each object of a list or search result. Nothing deeper is an object
// with an embedded list unless it was expanded (limitDeep).
func (r *Registry) limitTop(o store.Obj) store.Obj {
	typ, _ := o["object"].(string)
	if typ == "list" || typ == "search_result" {
		data, _ := o["data"].([]any)
		for i, e := range data {
			if eo, ok := e.(map[string]any); ok {
				if t, _ := eo["object"].(string); r.overLimit(t, eo) {
					data[i] = r.limited(t, eo)
				}
			}
		}
		return o
	}
	return r.limited(typ, o)
}

// limitDeep applies the limit everywhere in an expanded answer (a
// subscription's latest_invoice, a list's data.invoice), replacing what is
// cut in its parent as expansion itself does; changed says whether v, or
// anything in it, was replaced.
func (r *Registry) limitDeep(v any) (out any, changed bool) {
	switch x := v.(type) {
	case map[string]any:
		typ, _ := x["object"].(string)
		if r.overLimit(typ, x) {
			x, changed = r.limited(typ, x), true
		}
		for k, e := range x {
			switch e.(type) {
			case map[string]any, []any:
				if ne, ch := r.limitDeep(e); ch {
					x[k], changed = ne, true
				}
			}
		}
		return x, changed
	case []any:
		for i, e := range x {
			if ne, ch := r.limitDeep(e); ch {
				x[i], changed = ne, true
			}
		}
	}
	return v, changed
}
