// Package coreevents serves the v2 API's core events: thin events
// (/v2/core/events), which v2 families record about their objects with
// Emit, and event destinations (/v2/core/event_destinations), which are
// webhook endpoints taking either thin events or v1's snapshot events,
// delivered by the webhook dispatcher under its policies like any
// endpoint.
package coreevents

import (
	"net/url"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/delivery"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// EventKind is the v2 thin event, listed by the object it is about.
var EventKind = &api.Kind{Object: "v2.core.event", Prefix: "evt_test_", Name: "event",
	Indexes: []store.Index{{Type: "v2.core.event", Name: "object_id", Path: "related_object.id"}}}

// Kinds are the family's object types.
func Kinds() []*api.Kind { return []*api.Kind{EventKind, DestinationKind} }

// ThinTypes are the thin event types the emulator produces, the ones a
// thin event destination can take. A ping goes to the destination pinged
// whatever it takes; taking it changes nothing.
var ThinTypes = []string{
	"v1.billing.meter.error_report_triggered",
	"v1.billing.meter.no_meter_found",
	"v2.core.event_destination.ping",
}

// Routes are the endpoints.
func Routes() []api.Route {
	return []api.Route{
		api.V2GET("/v2/core/events", api.V2ListParams(params.FromJSONStruct(stripe.V2CoreEventListParams{})), listEvents),
		api.V2GET("/v2/core/events/{id}", params.FromJSONStruct(stripe.V2CoreEventRetrieveParams{}), retrieveEvent),
		api.V2POST("/v2/core/event_destinations", params.FromJSONStruct(stripe.V2CoreEventDestinationCreateParams{}).
			Enum("type", "webhook_endpoint", "amazon_eventbridge").Enum("event_payload", "thin", "snapshot"), createDestination),
		api.V2GET("/v2/core/event_destinations", api.V2ListParams(params.FromJSONStruct(stripe.V2CoreEventDestinationListParams{})), listDestinations),
		api.V2GET("/v2/core/event_destinations/{id}", params.FromJSONStruct(stripe.V2CoreEventDestinationRetrieveParams{}), retrieveDestination),
		api.V2POST("/v2/core/event_destinations/{id}", params.FromJSONStruct(stripe.V2CoreEventDestinationUpdateParams{}).
			With("metadata", params.MetadataUpdateV2()), updateDestination),
		api.V2DELETE("/v2/core/event_destinations/{id}", params.FromJSONStruct(stripe.V2CoreEventDestinationDeleteParams{}), deleteDestination),
		api.V2POST("/v2/core/event_destinations/{id}/enable", params.FromJSONStruct(stripe.V2CoreEventDestinationEnableParams{}), setStatus("enabled")),
		api.V2POST("/v2/core/event_destinations/{id}/disable", params.FromJSONStruct(stripe.V2CoreEventDestinationDisableParams{}), setStatus("disabled")),
		api.V2POST("/v2/core/event_destinations/{id}/ping", params.FromJSONStruct(stripe.V2CoreEventDestinationPingParams{}), ping),
	}
}

// Related is the object a thin event is about.
type Related struct{ ID, Type, URL string }

// Emit records a thin event of typ in the call's account, about related
// (nil for none) with data (nil for none), and once the request commits
// hands it to the dispatcher for the thin destinations that take it.
func Emit(c *api.Call, typ string, related *Related, data store.Obj) (store.Obj, error) {
	return emit(c, typ, related, data, true)
}

// EmitProcessed is Emit for an event Stripe produces from its own
// processing after the request answered (the validation of streamed meter
// events): its reason is null, as in Stripe's example of such an event,
// rather than the request that happened to start the work.
func EmitProcessed(c *api.Call, typ string, related *Related, data store.Obj) (store.Obj, error) {
	return emit(c, typ, related, data, false)
}

func emit(c *api.Call, typ string, related *Related, data store.Obj, byRequest bool) (store.Obj, error) {
	ev, err := record(c, typ, related, data, byRequest)
	if err != nil {
		return nil, err
	}
	if c.Webhooks != nil {
		out := notification(c, ev)
		c.AfterCommit(func() { c.Webhooks.Publish(out) })
	}
	return ev, nil
}

// record stores a thin event; byRequest names the call's request as its
// reason.
func record(c *api.Call, typ string, related *Related, data store.Obj, byRequest bool) (store.Obj, error) {
	var context, reason, rel, payload any
	if c.Connected {
		context = c.Account
	}
	if byRequest && c.RequestID != "" {
		reason = store.Obj{"type": "request", "request": store.Obj{"id": c.RequestID, "idempotency_key": c.IdempotencyKey}}
	}
	if related != nil {
		rel = store.Obj{"id": related.ID, "type": related.Type, "url": related.URL}
	}
	if data != nil {
		payload = data
	}
	ev := store.Obj{
		"id": c.NewID("v2.core.event"), "object": "v2.core.event", "type": typ, "created": api.V2Time(c.Now),
		"livemode": false, "context": context, "reason": reason, "related_object": rel, "data": payload,
	}
	return ev, c.Put(ev)
}

// notification is a thin event as destinations receive it: the event
// without its data, which the receiver fetches (stripe-go's ThinEvent).
func notification(c *api.Call, ev store.Obj) delivery.Event {
	push := api.Clone(ev)
	delete(push, "data")
	payload, _ := jsonenc.MarshalIndent(push)
	account := c.Account
	if account == c.Platform {
		account = ""
	}
	return delivery.Event{ID: api.Str(ev["id"]), Type: api.Str(ev["type"]), Account: account, Created: c.Now, Payload: payload, Thin: true}
}

// Notification is a stored thin event's payload as destinations receive
// it (to send it again).
func Notification(stored string) ([]byte, error) {
	v, err := jsonenc.Unmarshal([]byte(stored))
	if err != nil {
		return nil, err
	}
	ev, _ := v.(map[string]any)
	delete(ev, "data")
	return jsonenc.MarshalIndent(ev)
}

// Retention is how far back the list of thin events goes: 30 days, as
// Stripe's reference says. Retrieving one by id is not limited: Stripe's
// v2 reference, unlike v1's, documents no limit there.
const Retention = 30 * 24 * 60 * 60

func listEvents(c *api.Call) (any, error) {
	q, err := c.V2ListQuery()
	if err != nil {
		return nil, err
	}
	objectID, _ := c.Params.Str("object_id")
	q.Index, q.Value = "object_id", objectID
	// Stripe lists events "going back up to 30 days".
	cutoff := time.Unix(c.Now-Retention, 0)
	q.Filter = api.And(q.Filter, func(o store.Obj) bool {
		created, err := time.Parse(time.RFC3339, api.Str(o["created"]))
		return err == nil && created.After(cutoff)
	})
	return c.V2Page("v2.core.event", "/v2/core/events", q, url.Values{"object_id": {objectID}}, nil), nil
}

func retrieveEvent(c *api.Call) (any, error) { return c.Retrieve("v2.core.event", c.Var("id")) }
