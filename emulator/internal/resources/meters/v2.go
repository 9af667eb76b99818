package meters

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coreevents"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// sessionLifetime is how long a meter event session's token is good for.
const sessionLifetime = 15 * 60

// maxStreamEvents is how many events one meter event stream request may
// carry.
const maxStreamEvents = 100

// V2Routes are the v2 API's meter event endpoints: one event at a time,
// validated at once (meter_events); cancelling one (adjustments); and the
// high-throughput stream, authenticated by a short-lived session token and
// validated afterwards. All record into the same aggregation as v1.
func V2Routes() []api.Route {
	stream := api.V2POST("/v2/billing/meter_event_stream",
		params.FromJSONStruct(stripe.V2BillingMeterEventStreamCreateParams{}), streamEvents)
	stream.TokenAuth = sessionAccount
	return []api.Route{
		api.V2POST("/v2/billing/meter_events", params.FromJSONStruct(stripe.V2BillingMeterEventCreateParams{}), recordEventV2),
		api.V2POST("/v2/billing/meter_event_adjustments", params.FromJSONStruct(stripe.V2BillingMeterEventAdjustmentCreateParams{}).
			Enum("type", "cancel"), adjustV2),
		api.V2POST("/v2/billing/meter_event_session", params.FromJSONStruct(stripe.V2BillingMeterEventSessionCreateParams{}), createSession),
		stream,
	}
}

// payloadOf reads a v2 event's payload (strings by key).
func payloadOf(v params.Values) map[string]any {
	payload, _ := v.Obj("payload")
	fields := map[string]any{}
	for _, k := range payload.Keys() {
		s, _ := payload.Str(k)
		fields[k] = s
	}
	return fields
}

func recordEventV2(c *api.Call) (any, error) {
	eventName, _ := c.Params.Str("event_name")
	identifier, _ := c.Params.Str("identifier")
	ts, hasTS := c.Params.Int("timestamp")
	ev, err := record(c, eventName, identifier, payloadOf(c.Params), ts, hasTS)
	if err != nil {
		return nil, err
	}
	if err := reportRecorded(c, ev); err != nil {
		return nil, err
	}
	return publicV2(ev), nil
}

// publicV2 is a recorded event as the v2 API renders it: v1's fields,
// times as v2 timestamps.
func publicV2(ev store.Obj) store.Obj {
	return store.Obj{
		"object": "v2.billing.meter_event", "created": api.V2Time(api.Int(ev["created"])),
		"event_name": ev["event_name"], "identifier": ev["identifier"], "livemode": false,
		"payload": ev["payload"], "timestamp": api.V2Time(api.Int(ev["timestamp"])),
	}
}

// adjustV2 cancels an event as v1's adjustments do; the adjustment has an
// id in v2 (nothing retrieves it, so it is not stored).
func adjustV2(c *api.Call) (any, error) {
	eventName, _ := c.Params.Str("event_name")
	typ, _ := c.Params.Str("type")
	cancel, _ := c.Params.Obj("cancel")
	identifier, _ := cancel.Str("identifier")
	if eventName == "" {
		return nil, apierr.InvalidEmpty("event_name")
	}
	if err := cancelEvent(c, eventName, identifier); err != nil {
		return nil, err
	}
	return store.Obj{
		"id": c.IDs.Long("mtrea_test_"), "object": "v2.billing.meter_event_adjustment",
		"cancel": store.Obj{"identifier": identifier}, "created": api.V2Time(c.Now), "event_name": eventName,
		"livemode": false, "status": "pending", "type": typ,
	}, nil
}

// session is what a meter event session's token stands for, kept under
// m:mtrsession:<token>.
type session struct {
	ID        string `json:"id"`
	Account   string `json:"account"`
	ExpiresAt int64  `json:"expires_at"`
}

func sessionKey(token string) string { return "mtrsession:" + token }

// createSession makes a meter event session: a token good for 15 minutes
// of emulator time, for the account the request was made in.
func createSession(c *api.Call) (any, error) {
	s := session{ID: c.IDs.Long("mtres_test_"), Account: c.Account, ExpiresAt: c.Now + sessionLifetime}
	token := "token_test_" + c.IDs.Secret(32)
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	if err := c.Tx.SetMeta(sessionKey(token), string(b)); err != nil {
		return nil, err
	}
	return store.Obj{
		"id": s.ID, "object": "v2.billing.meter_event_session", "authentication_token": token,
		"created": api.V2Time(c.Now), "expires_at": api.V2Time(s.ExpiresAt), "livemode": false,
	}, nil
}

// sessionAccount authenticates a meter event stream request by its
// session token: the session's account, or Stripe's 401s (an expired
// session is temporary_session_expired, which stripe-go answers with a
// *TemporarySessionExpiredError).
func sessionAccount(tx *store.Tx, now int64, token string) (string, *apierr.Error) {
	raw, ok := tx.GetMeta(sessionKey(token))
	var s session
	if !ok || json.Unmarshal([]byte(raw), &s) != nil {
		msg := "Invalid authentication token. The meter event stream is authenticated by the authentication_token of a meter event session (POST /v2/billing/meter_event_session)."
		if strings.HasPrefix(token, "sk_") || strings.HasPrefix(token, "rk_") {
			msg = "The meter event stream is not authenticated by an API key: create a meter event session (POST /v2/billing/meter_event_session) and send its authentication_token as the bearer token."
		}
		return "", &apierr.Error{Status: 401, Type: apierr.TypeInvalidRequest, Message: msg}
	}
	if now >= s.ExpiresAt {
		return "", (&apierr.Error{Status: 401, Type: "temporary_session_expired",
			Message: "The meter event session's authentication token has expired. Create a new meter event session (POST /v2/billing/meter_event_session)."}).WithCode("billing_meter_event_session_expired")
	}
	return s.Account, nil
}

// streamEvents records a batch of events from the stream. Stripe accepts a
// well-formed batch at once and validates its events afterwards, so an
// event breaking a rule (a timestamp out of range, a value that is not a
// number) is not recorded and does not fail the request: it is reported in
// a thin event instead, v1.billing.meter.error_report_triggered on its
// meter, and an event no active meter takes (kept, counting for nothing,
// as v1's are) in v1.billing.meter.no_meter_found. An identifier already
// taken is a resent event, dropped quietly: that uniqueness is what makes
// resending a batch safe. The answer is an empty object.
func streamEvents(c *api.Call) (any, error) {
	events := c.Params.Array("events")
	if len(events) == 0 || len(events) > maxStreamEvents {
		return nil, apierr.InvalidRequest("Invalid events: a meter event stream request carries 1 to %d events, not %d.", maxStreamEvents, len(events)).WithCode(params.CodeInvalidFields)
	}
	var report streamReport
	for _, ev := range events {
		eventName, _ := ev.Str("event_name")
		identifier, _ := ev.Str("identifier")
		ts, hasTS := ev.Int("timestamp")
		payload := payloadOf(ev)
		if identifier == "" {
			identifier = c.IDs.Long("")
		}
		if code, msg := payloadProblem(c, eventName, payload); code != "" {
			report.add(eventName, code, msg, identifier)
			continue
		}
		// record checks everything before it writes anything, so a
		// rejected event leaves nothing behind.
		_, err := record(c, eventName, identifier, payload, ts, hasTS)
		var rejected *apierr.Error
		switch {
		case errors.As(err, &rejected):
			if code := rejectionCode(rejected); code != "" {
				report.add(eventName, code, rejected.Message, identifier)
			}
		case err != nil:
			return nil, err
		default:
			if code, msg := meterProblem(c, eventName); code != "" {
				report.add(eventName, code, msg, identifier)
			}
		}
	}
	if err := report.emit(c); err != nil {
		return nil, err
	}
	return store.Obj{}, nil
}

// payloadProblem is what an active meter finds wrong with a streamed
// event's payload, as an error report's code and message ("" when
// nothing): no customer under its customer mapping key, a customer that
// does not exist, no value under its value key (a count needs none).
func payloadProblem(c *api.Call, eventName string, payload map[string]any) (code, message string) {
	meter := activeMeter(c.Tx, c.Account, eventName)
	if meter == nil {
		return "", ""
	}
	customerKey := api.Str(api.Obj(meter["customer_mapping"])["event_payload_key"])
	cus, _ := payload[customerKey].(string)
	if cus == "" {
		// Stripe's message (its Event object's example).
		return "meter_event_no_customer_defined", "Customer mapping key " + customerKey + " not found in payload."
	}
	if o, ok := c.Tx.Get(c.Account, "customer", cus); !ok || api.Bool(o["deleted"]) {
		return "meter_event_customer_not_found", "Customer " + cus + " not found."
	}
	valueKey := api.Str(api.Obj(meter["value_settings"])["event_payload_key"])
	if _, ok := payload[valueKey]; !ok && api.Obj(meter["default_aggregation"])["formula"] != "count" {
		return "meter_event_invalid_value", "Value key " + valueKey + " not found in payload."
	}
	return "", ""
}

// meterProblem is why an event no active meter takes counts for nothing:
// its meter is inactive, or there is none of its name.
func meterProblem(c *api.Call, eventName string) (code, message string) {
	if activeMeter(c.Tx, c.Account, eventName) != nil {
		return "", ""
	}
	if inactive := meterNamed(c.Tx, c.Account, eventName); inactive != nil {
		return "archived_meter", "The meter " + api.Str(inactive["id"]) + " for event_name `" + eventName + "` is inactive."
	}
	return "no_meter", "No active meter was found for event_name `" + eventName + "`."
}

// reportRecorded reports a single meter event (v1 or v2) that the request
// took but that counts for nothing — no customer in its payload, an
// unknown one, no value, no active meter —, as Stripe does: it validates
// those after answering, and tells of them in an error report event.
func reportRecorded(c *api.Call, ev store.Obj) error {
	eventName := api.Str(ev["event_name"])
	payload, _ := ev["payload"].(map[string]any)
	code, msg := payloadProblem(c, eventName, payload)
	if code == "" {
		code, msg = meterProblem(c, eventName)
	}
	if code == "" {
		return nil
	}
	var report streamReport
	report.add(eventName, code, msg, api.Str(ev["identifier"]))
	return report.emit(c)
}

// rejectionCode is the error report's code for a rejected streamed event,
// "" for a resent one.
func rejectionCode(e *apierr.Error) string {
	switch {
	case e.Param == "identifier":
		return ""
	case e.Param == "event_name":
		return "no_meter"
	case e.Param == "timestamp" && strings.Contains(e.Message, "in the future"): // the time checked may be a test clock's
		return "timestamp_in_future"
	case e.Param == "timestamp":
		return "timestamp_too_far_in_past"
	}
	return "meter_event_invalid_value"
}

// maxSampleErrors is how many errors of a type a report shows.
const maxSampleErrors = 5

// streamReport gathers one stream request's rejected events by event name.
type streamReport struct {
	names  []string
	byName map[string][]streamError
}

type streamError struct{ code, message, identifier string }

func (r *streamReport) add(eventName, code, message, identifier string) {
	if r.byName == nil {
		r.byName = map[string][]streamError{}
	}
	if _, seen := r.byName[eventName]; !seen {
		r.names = append(r.names, eventName)
	}
	r.byName[eventName] = append(r.byName[eventName], streamError{code, message, identifier})
}

// emit sends a thin event per event name: the errors on a meter (the
// active one of the name, else the one deactivated last) as its error
// report, events no meter of the name takes as no_meter_found.
func (r *streamReport) emit(c *api.Call) error {
	for _, name := range r.names {
		errs := r.byName[name]
		var types []any
		byCode := map[string]store.Obj{}
		for _, e := range errs {
			t, ok := byCode[e.code]
			if !ok {
				t = store.Obj{"code": e.code, "error_count": int64(0), "sample_errors": []any{}}
				byCode[e.code] = t
				types = append(types, t)
			}
			t["error_count"] = t["error_count"].(int64) + 1
			if samples := t["sample_errors"].([]any); len(samples) < maxSampleErrors {
				t["sample_errors"] = append(samples, store.Obj{"error_message": e.message, "request": store.Obj{"identifier": e.identifier}})
			}
		}
		data := store.Obj{
			"developer_message_summary": invalidSummary(len(errs)),
			"reason":                    store.Obj{"error_count": int64(len(errs)), "error_types": types},
			"validation_start":          api.V2Time(c.Now), "validation_end": api.V2Time(c.Now),
		}
		meter := meterNamed(c.Tx, c.Account, name)
		if meter == nil {
			if _, err := coreevents.EmitProcessed(c, "v1.billing.meter.no_meter_found", nil, data); err != nil {
				return err
			}
			continue
		}
		id := api.Str(meter["id"])
		related := &coreevents.Related{ID: id, Type: "billing.meter", URL: "/v1/billing/meters/" + id}
		if _, err := coreevents.EmitProcessed(c, "v1.billing.meter.error_report_triggered", related, data); err != nil {
			return err
		}
	}
	return nil
}

// invalidSummary is an error report's developer_message_summary, as
// Stripe's Event object's example words it ("There is 1 invalid event").
func invalidSummary(n int) string {
	if n == 1 {
		return "There is 1 invalid event"
	}
	return fmt.Sprintf("There are %d invalid events", n)
}
