// Package events serves /v1/events: the events every change records.
package events

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/delivery"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/webhookendpoints"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Kind is the event object. It has no index: every request that changes
// something writes events, and a list filtered by type checks each
// event's type at the end of its stored JSON (eventType) without
// decoding it, which costs less than an index entry for every event.
var Kind = &api.Kind{Object: "event", Prefix: "evt_"}

// Routes is the event endpoint table.
func Routes() []api.Route {
	return []api.Route{
		api.GET("/v1/events", params.FromStruct(stripe.EventListParams{}), list),
		api.GET("/v1/events/{id}", params.FromStruct(stripe.EventRetrieveParams{}), retrieve),
		// Stripe CLI's events resend: a route of Stripe's that its
		// reference and the SDKs leave out.
		api.POST("/v1/events/{id}/retry", params.Object(map[string]*params.Schema{
			"webhook_endpoint": params.String(),
			"for_stripecli":    params.Bool(),
			"account":          params.String(),
			"expand":           params.ArrayOf(params.String()),
		}), retry),
	}
}

// Retention is how far back Stripe keeps events to list or retrieve:
// "List events, going back up to 30 days", and retrieve "if it was
// created in the last 30 days" (its API reference).
const Retention = 30 * 24 * 60 * 60

// retained tells whether an event is still within Retention of now.
func retained(c *api.Call, o store.Obj) bool { return api.Int(o["created"]) > c.Now-Retention }

func retrieve(c *api.Call) (any, error) {
	o, err := c.Load("event", c.Var("id"), "id")
	if err == nil && !retained(c, o) {
		return nil, apierr.NoSuchObject("event", c.Var("id"), "id")
	}
	return o, err
}

// retry sends a recorded event to one webhook endpoint again, as Stripe
// CLI's "events resend --webhook-endpoint" asks, and answers the event.
func retry(c *api.Call) (any, error) {
	id := c.Var("id")
	// The CLI's --account names the connected account whose event it is.
	evAccount := c.Account
	if a, _ := c.Params.Str("account"); a != "" && a != c.Account {
		if c.Connected || !c.Tx.Exists(c.Platform, "account", a) {
			return nil, apierr.NoSuchObject("account", a, "account")
		}
		evAccount = a
	}
	ev, ok := c.Tx.Get(evAccount, "event", id)
	if !ok || !retained(c, ev) {
		// Stripe's answer to a resend of an event past its 30 days, as a
		// Stripe CLI issue (stripe/stripe-cli#923) quotes it.
		return nil, apierr.NoSuchObject("notification", id, "id")
	}
	if forCLI, _ := c.Params.Bool("for_stripecli"); forCLI {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate resending to stripe listen, which needs Stripe's servers: name a webhook endpoint (webhook_endpoint, the CLI's --webhook-endpoint).").WithParam("for_stripecli")
	}
	if err := c.Require("webhook_endpoint"); err != nil {
		return nil, err
	}
	weID, _ := c.Params.Str("webhook_endpoint")
	// A connected account's event goes to the platform's Connect endpoints.
	weAccount := c.Account
	we, ok := c.Tx.Get(weAccount, "webhook_endpoint", weID)
	if !ok && weAccount != c.Platform {
		weAccount = c.Platform
		we, ok = c.Tx.Get(weAccount, "webhook_endpoint", weID)
	}
	if !ok {
		return nil, apierr.NoSuchObject("webhook endpoint", weID, "webhook_endpoint")
	}
	if we["status"] == "disabled" {
		return nil, apierr.InvalidRequest("The webhook endpoint %s is disabled: enable it to resend events to it.", weID).WithParam("webhook_endpoint")
	}
	owner, typ := evAccount, api.Str(ev["type"])
	if evAccount == c.Platform {
		owner = ""
	}
	ep := webhookendpoints.ToEndpoint(c.Tx, weAccount, c.Platform, we)
	if !delivery.Takes(ep, owner, typ) {
		// Stripe resends an event only to an endpoint that takes its type
		// (stripe/stripe-cli#675).
		return nil, apierr.InvalidRequest("The webhook endpoint %s does not take %s events of this account, so the event cannot be resent to it.", weID, typ).WithParam("webhook_endpoint")
	}
	raw, _ := c.Tx.GetRaw(evAccount, "event", id)
	if c.Webhooks != nil {
		// Laid out from the stored bytes, as first deliveries are.
		out := delivery.Event{ID: id, Type: typ, Account: owner, Created: api.Int(ev["created"]), Payload: jsonenc.IndentCompact(nil, raw, 0)}
		c.AfterCommit(func() { _ = c.Webhooks.Redeliver(out, weID) })
	}
	return ev, nil
}

// MaxTypes is how many types[] Stripe takes at once.
const MaxTypes = 20

// MaxTypeLength is the maxLength of type and of each types[] in Stripe's
// OpenAPI spec.
const MaxTypeLength = 5000

func list(c *api.Call) (any, error) {
	q, err := c.ListQuery("event")
	if err != nil {
		return nil, err
	}
	// A cursor names an event as retrieve does: one past retention is gone.
	for param, id := range map[string]string{"starting_after": q.StartingAfter, "ending_before": q.EndingBefore} {
		if o, ok := c.Tx.Get(c.Account, "event", id); ok && !retained(c, o) {
			return nil, apierr.NoSuchObject("event", id, param)
		}
	}
	typ, hasType := c.Params.Str("type")
	types := c.Params.Strings("types")
	// Stripe's spec takes event type strings of at most MaxTypeLength.
	if utf8.RuneCountInString(typ) > MaxTypeLength {
		return nil, apierr.TooLong("type", typ, MaxTypeLength)
	}
	for i, t := range types {
		if utf8.RuneCountInString(t) > MaxTypeLength {
			return nil, apierr.TooLong(fmt.Sprintf("types[%d]", i), t, MaxTypeLength)
		}
	}
	if hasType && typ != "" && len(types) > 0 {
		return nil, apierr.Exclusive("type", "types")
	}
	if len(types) > MaxTypes {
		return nil, apierr.InvalidRequest("You may pass at most %d types.", MaxTypes).WithParam("types")
	}
	switch {
	case typ != "" && !strings.Contains(typ, "*"):
		q.RawFilter = func(raw string) bool { return eventType(raw) == typ }
	case typ != "":
		q.RawFilter = func(raw string) bool { return wildcard(typ, eventType(raw)) }
	case len(types) > 0:
		want := map[string]bool{}
		for _, t := range types {
			want[t] = true
		}
		q.RawFilter = func(raw string) bool { return want[eventType(raw)] }
	}
	// Retention is read from the stored JSON too: after a long clock jump
	// a list would otherwise decode every expired event to turn it away.
	cutoff, byType := c.Now-Retention, q.RawFilter
	q.RawFilter = func(raw string) bool { return eventCreated(raw) > cutoff && (byType == nil || byType(raw)) }
	if ds, ok := c.Params.Bool("delivery_success"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return (api.Int(o["pending_webhooks"]) == 0) == ds })
	}
	return c.Page("event", "/v1/events", q), nil
}

// eventCreated is an event's created time read from its stored JSON: the
// event builder (api.EventLog) writes "created" before the object, so the
// first one is the event's (0 for anything else).
func eventCreated(raw string) int64 {
	const key = `"created":`
	i := strings.Index(raw, key)
	if i < 0 {
		return 0
	}
	n, j := int64(0), i+len(key)
	for ; j < len(raw) && raw[j] >= '0' && raw[j] <= '9'; j++ {
		n = n*10 + int64(raw[j]-'0')
	}
	return n
}

// eventType is an event's type read from its stored JSON: the event
// builder (api.EventLog) writes "type" as the last key, so it is the
// last "type" in the document ("" for anything else).
func eventType(raw string) string {
	const key = `"type":"`
	i := strings.LastIndex(raw, key)
	if i < 0 || !strings.HasSuffix(raw, `"}`) || i+len(key) > len(raw)-2 {
		return ""
	}
	return raw[i+len(key) : len(raw)-2]
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
