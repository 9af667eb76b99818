// Package meters serves Billing Meters (/v1/billing/meters), the meter
// events that record usage against them, their adjustments and event
// summaries, and tells billing how much a customer used in a period: the
// usage a metered price bills in arrears.
package meters

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/ids"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Kind is the billing.meter object.
var Kind = &api.Kind{Object: "billing.meter", Prefix: "mtr_test_", Name: "billing meter"}

// EventKind is a recorded meter event. Stripe gives them no id and no
// retrieve endpoint; the emulator keeps them under an internal one.
var EventKind = &api.Kind{Object: "billing.meter_event", Prefix: "mtrevt_", Name: "billing meter event",
	Indexes: []store.Index{{Type: "billing.meter_event", Name: "event_name", Path: "event_name"}}}

// Kinds are the family's object types.
func Kinds() []*api.Kind { return []*api.Kind{Kind, EventKind} }

var formulas = []string{"count", "last", "sum"}

// Routes are the endpoints.
func Routes() []api.Route {
	return []api.Route{
		api.POST("/v1/billing/meters", params.FromStruct(stripe.BillingMeterCreateParams{}).
			Require("display_name", "event_name", "default_aggregation").Enum("default_aggregation.formula", formulas...).
			Enum("customer_mapping.type", "by_id").Enum("event_time_window", "day", "hour"), create),
		api.GET("/v1/billing/meters", params.FromStruct(stripe.BillingMeterListParams{}).Enum("status", "active", "inactive"), list),
		api.GET("/v1/billing/meters/{id}", params.FromStruct(stripe.BillingMeterRetrieveParams{}), retrieve),
		api.POST("/v1/billing/meters/{id}", params.FromStruct(stripe.BillingMeterUpdateParams{}), update),
		api.POST("/v1/billing/meters/{id}/deactivate", params.FromStruct(stripe.BillingMeterDeactivateParams{}), setStatus("inactive")),
		api.POST("/v1/billing/meters/{id}/reactivate", params.FromStruct(stripe.BillingMeterReactivateParams{}), setStatus("active")),
		api.GET("/v1/billing/meters/{id}/event_summaries", params.FromStruct(stripe.BillingMeterEventSummaryListParams{}).
			Require("customer", "start_time", "end_time").Enum("value_grouping_window", "day", "hour"), summaries),
		api.POST("/v1/billing/meter_events", params.FromStruct(stripe.BillingMeterEventCreateParams{}).
			Require("event_name", "payload"), recordEvent),
		api.POST("/v1/billing/meter_event_adjustments", params.FromStruct(stripe.BillingMeterEventAdjustmentCreateParams{}).
			Require("event_name", "type").Enum("type", "cancel"), adjust),
	}
}

// meterLengths are the meter parameters' limits in Stripe's API reference.
var meterLengths = []api.MaxLength{{Path: "display_name", Limit: 250}, {Path: "event_name", Limit: 100},
	{Path: "customer_mapping.event_payload_key", Limit: 100}, {Path: "value_settings.event_payload_key", Limit: 100}}

// eventLengths are a meter event's and an adjustment's limits there.
var eventLengths = []api.MaxLength{{Path: "event_name", Limit: 100}, {Path: "identifier", Limit: 100}, {Path: "cancel.identifier", Limit: 100}}

func create(c *api.Call) (any, error) {
	eventName, _ := c.Params.Str("event_name")
	if eventName == "" {
		return nil, apierr.InvalidEmpty("event_name")
	}
	if err := c.CheckLengths(meterLengths...); err != nil {
		return nil, err
	}
	// An event name belongs to one meter for good: a deactivated meter
	// keeps it (Stripe: "You can only use an event name with a single
	// meter").
	if other := meterNamed(c.Tx, c.Account, eventName); other != nil {
		return nil, apierr.InvalidRequest("A meter with event_name `%s` already exists (%s, %s). Each meter needs its own event_name, inactive meters included.", eventName, other["id"], other["status"]).WithParam("event_name")
	}
	agg, _ := c.Params.Obj("default_aggregation")
	formula, _ := agg.Str("formula")
	if formula == "" {
		return nil, apierr.MissingParam("default_aggregation[formula]")
	}
	customerKey, valueKey := "stripe_customer_id", "value"
	if cm, ok := c.Params.Obj("customer_mapping"); ok {
		k, _ := cm.Str("event_payload_key")
		if k == "" {
			return nil, apierr.MissingParam("customer_mapping[event_payload_key]")
		}
		if t, _ := cm.Str("type"); t == "" {
			return nil, apierr.MissingParam("customer_mapping[type]")
		}
		customerKey = k
	}
	if vs, ok := c.Params.Obj("value_settings"); ok {
		k, _ := vs.Str("event_payload_key")
		if k == "" {
			return nil, apierr.MissingParam("value_settings[event_payload_key]")
		}
		valueKey = k
	}
	if customerKey == valueKey {
		return nil, apierr.InvalidRequest("The customer mapping and value settings cannot use the same event payload key (`%s`).", valueKey).WithParam("value_settings[event_payload_key]")
	}
	name, _ := c.Params.Str("display_name")
	if name == "" {
		return nil, apierr.InvalidEmpty("display_name")
	}
	var window any
	if w, _ := c.Params.Str("event_time_window"); w != "" {
		window = w
	}
	o := c.Object("billing.meter", c.NewID("billing.meter"), store.Obj{
		"customer_mapping":    store.Obj{"event_payload_key": customerKey, "type": "by_id"},
		"default_aggregation": store.Obj{"formula": formula},
		"display_name":        name, "event_name": eventName, "event_time_window": window, "status": "active",
		"status_transitions": store.Obj{"deactivated_at": nil}, "updated": c.Now,
		"value_settings": store.Obj{"event_payload_key": valueKey},
	})
	return o, c.Insert(o)
}

func retrieve(c *api.Call) (any, error) { return c.Retrieve("billing.meter", c.Var("id")) }

func update(c *api.Call) (any, error) {
	before, err := c.Load("billing.meter", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if err := c.CheckLengths(meterLengths...); err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if c.Params.Has("display_name") {
		name, _ := c.Params.Str("display_name")
		if name == "" {
			return nil, apierr.InvalidEmpty("display_name")
		}
		after["display_name"] = name
	}
	return saveMeter(c, before, after, "updated")
}

// saveMeter stores a changed meter with its event (updated, deactivated,
// reactivated), its updated time moved on and the old one among the
// previous attributes.
func saveMeter(c *api.Call, before, after store.Obj, action string) (any, error) {
	prev := api.PreviousAttributes(before, after)
	if len(prev) == 0 {
		return after, nil
	}
	after["updated"] = c.Now
	if before["updated"] != after["updated"] {
		prev["updated"] = before["updated"]
	}
	return after, c.PutEmit(after, "billing.meter."+action, prev)
}

func setStatus(status string) func(*api.Call) (any, error) {
	return func(c *api.Call) (any, error) {
		before, err := c.Load("billing.meter", c.Var("id"), "id")
		if err != nil {
			return nil, err
		}
		if before["status"] == status {
			verb := map[string]string{"inactive": "deactivate", "active": "reactivate"}[status]
			return nil, apierr.InvalidRequest("Cannot %s meter %s: it is already %s.", verb, before["id"], status)
		}
		if status == "active" { // only meters stored before names were kept for good can clash
			if other := activeMeter(c.Tx, c.Account, api.Str(before["event_name"])); other != nil {
				return nil, apierr.InvalidRequest("A meter with event_name `%s` already exists (%s). Each active meter needs its own event_name.", before["event_name"], other["id"])
			}
		}
		after := api.Clone(before)
		after["status"] = status
		if status == "inactive" {
			after["status_transitions"] = store.Obj{"deactivated_at": c.Now}
			return saveMeter(c, before, after, "deactivated")
		}
		after["status_transitions"] = store.Obj{"deactivated_at": nil}
		return saveMeter(c, before, after, "reactivated")
	}
}

func list(c *api.Call) (any, error) {
	q, err := c.ListQuery("billing.meter")
	if err != nil {
		return nil, err
	}
	if s, _ := c.Params.Str("status"); s != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["status"] == s })
	}
	return c.Page("billing.meter", "/v1/billing/meters", q), nil
}

// activeMeter is the account's active meter for an event name, if any.
func activeMeter(tx *store.Tx, account, eventName string) store.Obj {
	var found store.Obj
	tx.Each(account, "billing.meter", func(o store.Obj) bool {
		if o["event_name"] == eventName && o["status"] == "active" {
			found = o
			return false
		}
		return true
	})
	return found
}

// meterNamed is the account's active meter for an event name, else the
// one of that name deactivated last, if any.
func meterNamed(tx *store.Tx, account, eventName string) store.Obj {
	if m := activeMeter(tx, account, eventName); m != nil {
		return m
	}
	var found store.Obj
	tx.Each(account, "billing.meter", func(o store.Obj) bool {
		if o["event_name"] == eventName && (found == nil ||
			api.Int(api.Obj(o["status_transitions"])["deactivated_at"]) >= api.Int(api.Obj(found["status_transitions"])["deactivated_at"])) {
			found = o
		}
		return true
	})
	return found
}

// maxEventAge and maxEventLead bound a meter event's timestamp, as Stripe
// does: within the past 35 days, at most 5 minutes ahead.
const (
	maxEventAge  = 35 * 86400
	maxEventLead = 5 * 60
	// identifierWindow is how long an identifier stays taken.
	identifierWindow = 86400
)

// recordEvent records usage. Stripe validates a meter event at once but
// aggregates it later, reporting events it cannot use (no meter for the
// name, no such customer) asynchronously; here an event no meter takes is
// kept and simply counts for nothing.
func recordEvent(c *api.Call) (any, error) {
	if err := c.CheckLengths(eventLengths...); err != nil {
		return nil, err
	}
	eventName, _ := c.Params.Str("event_name")
	payload, _ := c.Params.Obj("payload")
	fields := map[string]any{}
	for _, k := range payload.Keys() {
		v, _ := payload.Str(k)
		fields[k] = v
	}
	ts, hasTS := c.Params.Int("timestamp")
	identifier, _ := c.Params.Str("identifier")
	ev, err := record(c, eventName, identifier, fields, ts, hasTS)
	if err != nil {
		return nil, err
	}
	if err := reportRecorded(c, ev); err != nil {
		return nil, err
	}
	return public(ev), nil
}

// record checks and stores one meter event, whichever API it came
// through (v1, v2, the v2 stream): the same rules, the same aggregation.
// payload holds strings; ts is the event's time when hasTS, else now.
func record(c *api.Call, eventName, identifier string, payload map[string]any, ts int64, hasTS bool) (store.Obj, error) {
	if eventName == "" {
		return nil, apierr.InvalidEmpty("event_name")
	}
	// The meter that takes the event, if any: the event counts for it
	// alone, never for a meter reactivated or made later under its name.
	var meterID any
	// now is the time the event is checked and stamped by: its customer's
	// test clock's when it is on one, as the subscription it bills runs
	// by that clock (else usage reported during a clocked period could
	// never land in it).
	now := c.Now
	meter := activeMeter(c.Tx, c.Account, eventName)
	if meter != nil {
		meterID = meter["id"]
		if id, _ := payload[api.Str(api.Obj(meter["customer_mapping"])["event_payload_key"])].(string); id != "" {
			if cus, ok := c.Tx.Get(c.Account, "customer", id); ok {
				now = c.ClockNow(cus)
			}
		}
		valueKey := api.Str(api.Obj(meter["value_settings"])["event_payload_key"])
		if raw, ok := payload[valueKey]; ok {
			if _, err := strconv.ParseInt(raw.(string), 10, 64); err != nil {
				return nil, apierr.InvalidRequest("Invalid payload[%s]: `%s` is not a whole number; meter event values must be integers sent as strings.", valueKey, raw).WithParam("payload[" + valueKey + "]")
			}
		}
	}
	at := now
	if hasTS {
		// Stripe's words for an old event (quoted from a real answer);
		// those for one ahead are written the same way, not verified.
		if ts < now-maxEventAge {
			return nil, apierr.InvalidRequest("The event timestamp cannot be more than 35 days in past. Expected a timestamp greater than or equal to %d.", now-maxEventAge).WithParam("timestamp")
		}
		if ts > now+maxEventLead {
			return nil, apierr.InvalidRequest("The event timestamp cannot be more than 5 minutes in the future. Expected a timestamp less than or equal to %d.", now+maxEventLead).WithParam("timestamp")
		}
		at = ts
	}
	if identifier == "" {
		identifier = c.IDs.Long("")
	}
	key := "mtrid:" + c.Account + ":" + identifier
	if taken, ok := c.Tx.GetMeta(key); ok {
		if when, _ := strconv.ParseInt(taken, 10, 64); c.Now-when < identifierWindow {
			return nil, apierr.InvalidRequest("An event already exists with identifier %s.", identifier).WithParam("identifier")
		}
	}
	if err := c.Tx.SetMeta(key, strconv.FormatInt(c.Now, 10)); err != nil {
		return nil, err
	}
	ev := store.Obj{
		"id": c.NewID("billing.meter_event"), "object": "billing.meter_event", "created": c.Now, "event_name": eventName,
		"identifier": identifier, "livemode": false, "payload": payload, "timestamp": at, "canceled": false, "meter": meterID,
	}
	if err := c.Put(ev); err != nil {
		return nil, err
	}
	return ev, nil
}

// public is a meter event as Stripe renders it: no id, nothing internal.
func public(ev store.Obj) store.Obj {
	out := store.Obj{}
	for _, k := range []string{"object", "created", "event_name", "identifier", "livemode", "payload", "timestamp"} {
		out[k] = ev[k]
	}
	return out
}

// adjust cancels a recorded event by its identifier: it stops counting at
// once, though the answer says pending, as Stripe's does (it processes
// adjustments after answering; there is no endpoint to see one again).
func adjust(c *api.Call) (any, error) {
	if err := c.CheckLengths(eventLengths...); err != nil {
		return nil, err
	}
	eventName, _ := c.Params.Str("event_name")
	typ, _ := c.Params.Str("type") // cancel, the one type (required)
	cancel, _ := c.Params.Obj("cancel")
	identifier, _ := cancel.Str("identifier")
	if err := cancelEvent(c, eventName, identifier); err != nil {
		return nil, err
	}
	return store.Obj{"object": "billing.meter_event_adjustment", "cancel": store.Obj{"identifier": identifier},
		"event_name": eventName, "livemode": false, "status": "pending", "type": typ}, nil
}

// cancelEvent stops the event recorded under identifier for eventName
// from counting, within 24 hours of its recording (v1 and v2 alike).
func cancelEvent(c *api.Call, eventName, identifier string) error {
	if identifier == "" {
		return apierr.MissingParam("cancel[identifier]")
	}
	// An identifier can be taken again once its 24 hours are over: the
	// event sent last under it is the one meant (events are visited in
	// the order they were sent).
	var target store.Obj
	c.Tx.EachIndexed(c.Account, "billing.meter_event", "event_name", eventName, func(ev store.Obj) bool {
		if ev["identifier"] == identifier {
			target = ev
		}
		return true
	})
	if target == nil {
		return apierr.InvalidRequest("No meter event with identifier `%s` and event_name `%s` was found.", identifier, eventName).WithParam("cancel[identifier]")
	}
	if c.Now-api.Int(target["created"]) > identifierWindow {
		return apierr.InvalidRequest("Meter event `%s` can no longer be canceled: events can be canceled within 24 hours of being recorded.", identifier).WithParam("cancel[identifier]")
	}
	if api.Bool(target["canceled"]) {
		return nil
	}
	after := api.Clone(target)
	after["canceled"] = true
	return c.Put(after)
}

// summaries answers GET /v1/billing/meters/{id}/event_summaries: the
// customer's usage between start_time and end_time, whole or per hour or
// day, as billing would count it.
func summaries(c *api.Call) (any, error) {
	meter, err := c.Load("billing.meter", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	customer, _ := c.Params.Str("customer")
	if _, ok := c.Tx.Get(c.Account, "customer", customer); !ok {
		return nil, apierr.NoSuchObject("customer", customer, "customer")
	}
	start, _ := c.Params.Int("start_time")
	end, _ := c.Params.Int("end_time")
	step := int64(60)
	window, _ := c.Params.Str("value_grouping_window")
	switch window {
	case "hour":
		step = 3600
	case "day":
		step = 86400
	}
	// In a fixed order, so that a request with both times off names the
	// same one every time.
	for _, t := range []struct {
		name string
		at   int64
	}{{"start_time", start}, {"end_time", end}} {
		if t.at%step != 0 {
			unit := map[int64]string{60: "minute", 3600: "hour", 86400: "day"}[step]
			return nil, apierr.InvalidRequest("Invalid %s: must be aligned with %s boundaries.", t.name, unit).WithParam(t.name)
		}
	}
	if end <= start {
		return nil, apierr.InvalidRequest("Invalid end_time: must be after start_time.").WithParam("end_time")
	}
	bounds := [][2]int64{{start, end}}
	if window != "" {
		bounds = bounds[:0]
		for t := start; t < end; t += step {
			bounds = append(bounds, [2]int64{t, min(t+step, end)})
		}
	}
	var data []any
	for i := len(bounds) - 1; i >= 0; i-- { // newest first, as Stripe lists
		b := bounds[i]
		v, _ := Usage(c.Tx, c.Account, api.Str(meter["id"]), customer, b[0], b[1])
		data = append(data, store.Obj{
			"id": summaryID(api.Str(meter["id"]), customer, b), "object": "billing.meter_event_summary",
			"aggregated_value": v, "start_time": b[0], "end_time": b[1], "livemode": false, "meter": meter["id"],
		})
	}
	return api.EmbeddedPage(c, data, "/v1/billing/meters/"+api.Str(meter["id"])+"/event_summaries", "billing meter event summary")
}

// summaryID is an event summary's id: Stripe's test-mode prefix and an
// opaque body, the same for the same meter, customer and window on every
// request (a page's cursor names it).
func summaryID(meter, customer string, window [2]int64) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d\x00%d", meter, customer, window[0], window[1]))
	return "mtrusg_test_" + hex.EncodeToString(sum[:24])
}

// Usage is what a customer used on a meter from start (inclusive) to end
// (exclusive) by the meter's formula: the sum of the values, the count of
// events, or the last value. found is false when the meter does not exist.
func Usage(tx *store.Tx, account, meterID, customer string, start, end int64) (usage float64, found bool) {
	return aggregate(tx, account, meterID, customer, func(_ string, at int64) bool { return at >= start && at < end })
}

// UsageRecordedAfter is what a customer used on a meter by the events
// recorded after id (an id of any kind: ids sort in creation order by the
// sequence that begins their body), whatever their timestamps: usage
// reported since an object was made (a billing alert watches only that).
func UsageRecordedAfter(tx *store.Tx, account, meterID, customer, id string) (usage float64, found bool) {
	since := ids.Sequence(id)
	return aggregate(tx, account, meterID, customer, func(evID string, _ int64) bool { return ids.Sequence(evID) > since })
}

// eventWindows are the pre-aggregation windows a meter's
// event_time_window names, in seconds.
var eventWindows = map[string]int64{"hour": 3600, "day": 86400}

// counted is a meter event aggregation looks at.
type counted struct {
	id    string
	at    int64
	value string
}

// aggregate is a customer's usage on a meter by the meter's formula, over
// the events (not canceled) the meter took that keep takes, by id and
// timestamp. A pre-aggregated meter (event_time_window) counts only the
// event sent last in each hour or day, as Stripe documents: a newer event
// in the window overwrites the ones before it.
func aggregate(tx *store.Tx, account, meterID, customer string, keep func(id string, at int64) bool) (usage float64, found bool) {
	meter, ok := tx.Get(account, "billing.meter", meterID)
	if !ok {
		return 0, false
	}
	customerKey := api.Str(api.Obj(meter["customer_mapping"])["event_payload_key"])
	valueKey := api.Str(api.Obj(meter["value_settings"])["event_payload_key"])
	formula := api.Str(api.Obj(meter["default_aggregation"])["formula"])
	window := eventWindows[api.Str(meter["event_time_window"])]
	var events []counted
	latest := map[int64]int{} // a window's start → its event in events
	tx.EachIndexedRaw(account, "billing.meter_event", "event_name", api.Str(meter["event_name"]), func(raw string) bool {
		f := store.Pick(raw, "timestamp", "canceled", "payload."+customerKey, "payload."+valueKey, "id", "meter")
		// An event counts for the meter that took it; one stored before
		// events named their meter counts for any meter of its name.
		if f[1].Bool() || f[2].String() != customer || (f[5].Exists() && f[5].String() != meterID) {
			return true
		}
		ev := counted{id: f[4].String(), at: f[0].Int(), value: f[3].String()}
		if window == 0 {
			events = append(events, ev)
			return true
		}
		// Events are visited in the order they were sent.
		start := ev.at - ev.at%window
		if i, seen := latest[start]; seen {
			events[i] = ev
			return true
		}
		latest[start] = len(events)
		events = append(events, ev)
		return true
	})
	lastAt := int64(math.MinInt64)
	for _, ev := range events {
		if !keep(ev.id, ev.at) {
			continue
		}
		if formula == "count" {
			usage++ // counting needs no value
			continue
		}
		v, err := strconv.ParseFloat(ev.value, 64)
		if err != nil {
			continue // never valid: not counted, as Stripe reports it later
		}
		switch formula {
		case "last":
			if ev.at >= lastAt {
				usage, lastAt = v, ev.at
			}
		default:
			usage += v
		}
	}
	return usage, true
}
