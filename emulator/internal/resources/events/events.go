// Package events serves /v1/events: the events every change records.
package events

import (
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Kind is the event object.
var Kind = &api.Kind{
	Object:  "event",
	Prefix:  "evt_",
	Indexes: []store.Index{{Name: "type", Path: "type"}},
}

// Routes is the event endpoint table.
func Routes() []api.Route {
	return []api.Route{
		api.GET("/v1/events", params.FromStruct(stripe.EventListParams{}), list),
		api.GET("/v1/events/{id}", params.FromStruct(stripe.EventRetrieveParams{}), retrieve),
	}
}

func retrieve(c *api.Call) (any, error) {
	return c.Load("event", c.Var("id"), "id")
}

// MaxTypes is how many types[] Stripe takes at once.
const MaxTypes = 20

func list(c *api.Call) (any, error) {
	q, err := c.ListQuery("event")
	if err != nil {
		return nil, err
	}
	typ, hasType := c.Params.Str("type")
	types := c.Params.Strings("types")
	if hasType && typ != "" && len(types) > 0 {
		return nil, apierr.Exclusive("type", "types")
	}
	if len(types) > MaxTypes {
		return nil, apierr.InvalidRequest("You may pass at most %d types.", MaxTypes).WithParam("types")
	}
	switch {
	case typ != "" && !strings.Contains(typ, "*"):
		q.Index, q.Value = "type", typ
	case typ != "":
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return wildcard(typ, api.Str(o["type"])) })
	case len(types) > 0:
		want := map[string]bool{}
		for _, t := range types {
			want[t] = true
		}
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return want[api.Str(o["type"])] })
	}
	if ds, ok := c.Params.Bool("delivery_success"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return (api.Int(o["pending_webhooks"]) == 0) == ds })
	}
	return c.Page("event", "/v1/events", q), nil
}

// wildcard matches Stripe's event type patterns: "*" matches one or more
// dot-separated words at its position ("customer.*", "*.created").
func wildcard(pattern, typ string) bool {
	if pattern == "*" {
		return true
	}
	pp := strings.Split(pattern, ".")
	tp := strings.Split(typ, ".")
	if pp[len(pp)-1] == "*" {
		prefix := strings.Join(pp[:len(pp)-1], ".") + "."
		return strings.HasPrefix(typ, prefix)
	}
	if len(pp) != len(tp) {
		return false
	}
	for i := range pp {
		if pp[i] != "*" && pp[i] != tp[i] {
			return false
		}
	}
	return true
}
