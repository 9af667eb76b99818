package coreevents

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/delivery"
	"github.com/stripe-emu/stripe-emu/emulator/internal/eventtypes"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// DestinationKind is the v2 event destination. Its signing secret is kept
// beside it (m:edsecret:<account>:<id>), shown only when asked for at
// creation.
var DestinationKind = &api.Kind{Object: "v2.core.event_destination", Prefix: "ed_test_", Name: "event destination"}

func secretKey(account, id string) string { return "edsecret:" + account + ":" + id }

// invalid is a v2 field error.
func invalid(format string, args ...any) *apierr.Error {
	return apierr.InvalidRequest(format, args...).WithCode(params.CodeInvalidFields)
}

// includes reads include[], each one of allowed.
func includes(c *api.Call, allowed ...string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, inc := range c.Params.Strings("include") {
		if !slices.Contains(allowed, inc) {
			return nil, invalid("Invalid include: %s is not one of %v.", inc, allowed)
		}
		out[inc] = true
	}
	return out, nil
}

// render is a destination as an answer shows it: its webhook endpoint's
// url and signing secret, the fields Stripe calls includable, are null
// unless include asked for them (the secret only at creation).
func render(c *api.Call, o store.Obj, include map[string]bool) store.Obj {
	out := api.Clone(o)
	stored := api.Obj(o["webhook_endpoint"])
	out["webhook_endpoint"] = nil
	if o["type"] == "webhook_endpoint" {
		we := store.Obj{"url": nil, "signing_secret": nil}
		if include["webhook_endpoint.url"] {
			we["url"] = stored["url"]
		}
		if include["webhook_endpoint.signing_secret"] {
			secret, _ := c.Tx.GetMeta(secretKey(c.Account, api.Str(o["id"])))
			we["signing_secret"] = secret
		}
		out["webhook_endpoint"] = we
	}
	return out
}

// checkMetadata holds metadata to Stripe's limits, which its metadata
// guide states for every object: each key sent (sent) and the metadata
// kept once they are applied (kept), in v2's error shape.
func checkMetadata(sent map[string]string, kept map[string]any) error {
	for _, k := range slices.Sorted(maps.Keys(sent)) {
		if err := params.MetadataEntry("metadata", k, sent[k]); err != nil {
			return invalid("%s", err.Message)
		}
	}
	if len(kept) > params.MaxMetadataKeys {
		return invalid("Invalid metadata: metadata can have up to %d keys, but you passed in %d keys.", params.MaxMetadataKeys, len(kept))
	}
	return nil
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid("Invalid webhook_endpoint[url]: %s. URLs must begin with http:// or https://.", raw)
	}
	return nil
}

// enabledEvents checks the event types a destination takes: thin event
// types the emulator produces, or, for snapshot payloads, v1 event types of
// the pinned version, * for all of them, or a group of them (customer.*).
func enabledEvents(c *api.Call, payload string) ([]any, error) {
	evs := c.Params.Strings("enabled_events")
	if len(evs) == 0 {
		return nil, invalid("Invalid enabled_events: name at least one event type.")
	}
	out := make([]any, len(evs))
	for i, e := range evs {
		switch {
		case payload == "thin" && !slices.Contains(ThinTypes, e):
			return nil, invalid("Invalid enabled_events[%d]: %s is not a thin event type stripe-emu produces (%v).", i, e, ThinTypes)
		case payload == "snapshot" && !snapshotType(e):
			return nil, invalid("Invalid enabled_events[%d]: %s is not a valid event type.", i, e)
		}
		out[i] = e
	}
	return out, nil
}

// snapshotType reports whether a snapshot destination may take e.
func snapshotType(e string) bool {
	if group, ok := strings.CutSuffix(e, ".*"); ok {
		return eventtypes.IsGroup(group)
	}
	return e == "*" || eventtypes.IsV1(e)
}

func createDestination(c *api.Call) (any, error) {
	include, err := includes(c, "webhook_endpoint.url", "webhook_endpoint.signing_secret")
	if err != nil {
		return nil, err
	}
	typ, _ := c.Params.Str("type")
	if typ == "amazon_eventbridge" {
		return nil, api.NotEmulated("type", c.Endpoint)
	}
	name, _ := c.Params.Str("name")
	if name == "" {
		return nil, invalid("Invalid name: it must not be empty.")
	}
	payload, _ := c.Params.Str("event_payload")
	events, err := enabledEvents(c, payload)
	if err != nil {
		return nil, err
	}
	var version any
	if v, ok := c.Params.Str("snapshot_api_version"); ok {
		if payload != "snapshot" {
			return nil, invalid("Invalid snapshot_api_version: it applies to snapshot event payloads only.")
		}
		// Events are rendered in the pinned version whatever the request's
		// Stripe-Version, so that is the only one a destination can take.
		if v != api.APIVersion {
			return nil, apierr.InvalidRequest("stripe-emu renders events in %s only, so it refused snapshot_api_version %s rather than send events in shapes it does not emulate.", api.APIVersion, v)
		}
		version = v
	} else if payload == "snapshot" {
		version = api.APIVersion
	}
	from := c.Params.Strings("events_from")
	if len(from) == 0 {
		from = []string{"self"}
	}
	for i, f := range from {
		switch {
		case f != "self" && f != "other_accounts":
			return nil, params.UnrecognizedEnumV2(fmt.Sprintf("events_from[%d]", i), f, []string{"self", "other_accounts"})
		case f == "other_accounts" && c.Connected:
			return nil, invalid("Invalid events_from[%d]: only a platform takes events from other accounts.", i)
		}
	}
	we, _ := c.Params.Obj("webhook_endpoint")
	u, _ := we.Str("url")
	if u == "" {
		return nil, invalid("Missing required parameter: webhook_endpoint[url] (the type is webhook_endpoint).")
	}
	if err := checkURL(u); err != nil {
		return nil, err
	}
	// Never null: Stripe's reference does not make it nullable, and it
	// answers "" for a destination made without one.
	description, _ := c.Params.Str("description")
	sent, _ := c.Params.Map("metadata")
	metadata, _ := c.Params.Metadata("metadata")
	if metadata == nil {
		metadata = map[string]any{}
	}
	if err := checkMetadata(sent, metadata); err != nil {
		return nil, err
	}
	o := store.Obj{
		"id": c.NewID("v2.core.event_destination"), "object": "v2.core.event_destination", "amazon_eventbridge": nil,
		"created": api.V2Time(c.Now), "description": description, "enabled_events": events, "event_payload": payload,
		"events_from": api.Anys(from), "livemode": false, "metadata": metadata, "name": name, "snapshot_api_version": version,
		"status": "enabled", "status_details": nil, "type": typ, "updated": api.V2Time(c.Now),
		"webhook_endpoint": store.Obj{"url": u},
	}
	if err := c.Put(o); err != nil {
		return nil, err
	}
	if err := c.Tx.SetMeta(secretKey(c.Account, api.Str(o["id"])), "whsec_"+c.IDs.Secret(32)); err != nil {
		return nil, err
	}
	register(c, o)
	return render(c, o, include), nil
}

// register tells the dispatcher of the destination as it is now, once the
// request commits.
func register(c *api.Call, o store.Obj) {
	c.PutWebhookEndpoint(ToEndpoint(c.Tx, c.Account, c.Platform, o))
}

// ToEndpoint is the dispatcher's view of a stored destination.
func ToEndpoint(tx *store.Tx, account, platform string, o store.Obj) delivery.Endpoint {
	var events []string
	for _, e := range o["enabled_events"].([]any) {
		events = append(events, api.Str(e))
	}
	owner := account
	if account == platform {
		owner = ""
	}
	from := map[string]bool{}
	for _, f := range o["events_from"].([]any) {
		from[api.Str(f)] = true
	}
	secret, _ := tx.GetMeta(secretKey(account, api.Str(o["id"])))
	return delivery.Endpoint{
		ID: api.Str(o["id"]), URL: api.Str(api.Obj(o["webhook_endpoint"])["url"]), Secret: secret, Account: owner,
		Connect: from["other_accounts"] && !from["self"], Everywhere: from["other_accounts"] && from["self"],
		EnabledEvents: events, Disabled: o["status"] == "disabled", Thin: o["event_payload"] == "thin",
	}
}

func load(c *api.Call) (store.Obj, error) {
	return c.Load("v2.core.event_destination", c.Var("id"), "id")
}

func retrieveDestination(c *api.Call) (any, error) {
	include, err := includes(c, "webhook_endpoint.url")
	if err != nil {
		return nil, err
	}
	o, err := load(c)
	if err != nil {
		return nil, err
	}
	return render(c, o, include), nil
}

func listDestinations(c *api.Call) (any, error) {
	include, err := includes(c, "webhook_endpoint.url")
	if err != nil {
		return nil, err
	}
	q, err := c.V2ListQuery()
	if err != nil {
		return nil, err
	}
	filters := url.Values{}
	for inc := range include {
		filters.Add("include", inc)
	}
	return c.V2Page("v2.core.event_destination", "/v2/core/event_destinations", q, filters,
		func(o store.Obj) any { return render(c, o, include) }), nil
}

func updateDestination(c *api.Call) (any, error) {
	include, err := includes(c, "webhook_endpoint.url")
	if err != nil {
		return nil, err
	}
	before, err := load(c)
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if c.Params.Has("enabled_events") {
		events, err := enabledEvents(c, api.Str(before["event_payload"]))
		if err != nil {
			return nil, err
		}
		after["enabled_events"] = events
	}
	if name, ok := c.Params.Str("name"); ok {
		if name == "" {
			return nil, invalid("Invalid name: it must not be empty.")
		}
		after["name"] = name
	}
	if d, ok := c.Params.Str("description"); ok {
		after["description"] = d
	}
	if md, ok := c.Params.Map("metadata"); ok {
		// Keys merge in; one sent null is unset.
		sent, _ := c.Params.Sent("metadata")
		merged := api.Clone(api.Obj(before["metadata"]))
		for k, v := range md {
			if sent.(map[string]any)[k] == nil {
				delete(merged, k)
			} else {
				merged[k] = v
			}
		}
		if err := checkMetadata(md, merged); err != nil {
			return nil, err
		}
		after["metadata"] = merged
	}
	if we, ok := c.Params.Obj("webhook_endpoint"); ok {
		if before["type"] != "webhook_endpoint" {
			return nil, invalid("Invalid webhook_endpoint: the destination is not a webhook endpoint.")
		}
		u, _ := we.Str("url")
		if err := checkURL(u); err != nil {
			return nil, err
		}
		after["webhook_endpoint"] = store.Obj{"url": u}
	}
	return saveDestination(c, before, after, include)
}

// saveDestination stores a changed destination, its updated time moved
// on when anything changed.
func saveDestination(c *api.Call, before, after store.Obj, include map[string]bool) (any, error) {
	if len(api.PreviousAttributes(before, after)) > 0 {
		after["updated"] = api.V2Time(c.Now)
		if err := c.Put(after); err != nil {
			return nil, err
		}
		register(c, after)
	}
	return render(c, after, include), nil
}

func setStatus(status string) func(*api.Call) (any, error) {
	return func(c *api.Call) (any, error) {
		before, err := load(c)
		if err != nil {
			return nil, err
		}
		if before["status"] == status {
			return nil, apierr.InvalidRequest("The event destination %s is already %s.", before["id"], status)
		}
		after := api.Clone(before)
		after["status"] = status
		after["status_details"] = nil
		if status == "disabled" {
			after["status_details"] = store.Obj{"disabled": store.Obj{"reason": "user"}}
		}
		return saveDestination(c, before, after, nil)
	}
}

func deleteDestination(c *api.Call) (any, error) {
	o, err := load(c)
	if err != nil {
		return nil, err
	}
	id := api.Str(o["id"])
	if err := c.Tx.Delete(c.Account, "v2.core.event_destination", id); err != nil {
		return nil, err
	}
	c.Tx.DeleteMeta(secretKey(c.Account, id))
	c.RemoveWebhookEndpoint(api.Str(o["id"]))
	// As Stripe's v2 deletes answer: the id and object alone.
	return store.Obj{"id": id, "object": "v2.core.event_destination"}, nil
}

// ping sends the destination a v2.core.event_destination.ping thin event
// about itself, whatever events it takes, and answers the event.
func ping(c *api.Call) (any, error) {
	o, err := load(c)
	if err != nil {
		return nil, err
	}
	id := api.Str(o["id"])
	if o["status"] == "disabled" {
		return nil, apierr.InvalidRequest("The event destination %s is disabled: enable it to ping it.", id)
	}
	ev, err := record(c, "v2.core.event_destination.ping", &Related{ID: id, Type: "v2.core.event_destination",
		URL: "/v2/core/event_destinations/" + id}, nil, true)
	if err != nil {
		return nil, err
	}
	if c.Webhooks != nil {
		out := notification(c, ev)
		c.AfterCommit(func() { _ = c.Webhooks.Redeliver(out, id) })
	}
	return ev, nil
}
