package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"unsafe"

	"github.com/stripe-emu/stripe-emu/emulator/internal/ids"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// The event build writes by hand must be the document Marshal makes of
// the same event as a map, byte for byte: stored documents are read back
// with gjson and laid out for GET without re-encoding.
func TestBuildWritesWhatMarshalWould(t *testing.T) {
	snap := []byte(`{"id":"cus_1","name":"A \"quoted\" \u003cname\u003e","object":"customer"}`)
	cases := []struct {
		name                 string
		connected            bool
		requestID, idemKey   string
		previous             store.Obj
		pending              int
		eventType, accountID string
	}{
		{name: "platform, request with key", requestID: "req_1", idemKey: "k\"1", eventType: "customer.created", accountID: "acct_p"},
		{name: "request without key", requestID: "req_2", eventType: "customer.updated", previous: store.Obj{"name": nil, "metadata": store.Obj{"a": "b"}}},
		{name: "no request", eventType: "invoice.paid", pending: 3},
		{name: "connected", connected: true, accountID: "acct_1Ab", requestID: "req_3", eventType: "customer.deleted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			log := &EventLog{Pending: func(string, string) int { return tc.pending }}
			c := &Call{Env: &Env{IDs: ids.New(1)}, Now: 1700000000, RequestID: tc.requestID, IdempotencyKey: tc.idemKey}
			ev := log.build(c, tc.accountID, tc.connected, tc.eventType, snap, tc.previous)

			data := store.Obj{"object": json.RawMessage(snap)}
			if tc.previous != nil {
				data["previous_attributes"] = tc.previous
			}
			req := store.Obj{"id": nil, "idempotency_key": nil}
			if tc.requestID != "" {
				req["id"] = tc.requestID
				if tc.idemKey != "" {
					req["idempotency_key"] = tc.idemKey
				}
			}
			want := store.Obj{"id": ev.ID, "object": "event", "api_version": APIVersion, "created": int64(1700000000),
				"data": data, "livemode": false, "pending_webhooks": tc.pending, "request": req, "type": tc.eventType}
			if tc.connected {
				want["account"], want["context"] = tc.accountID, tc.accountID
			}
			wantJSON, err := jsonenc.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ev.JSON, wantJSON) {
				t.Fatalf("built\n%s\nwant\n%s", ev.JSON, wantJSON)
			}
			// Type filters on GET /v1/events read the type from the end of
			// the stored JSON (package events): it must stay the last key.
			if suffix := `"type":"` + tc.eventType + `"}`; !bytes.HasSuffix(ev.JSON, []byte(suffix)) {
				t.Fatalf("event does not end with %s: %s", suffix, ev.JSON)
			}
			if ev.Type != tc.eventType || ev.Created != 1700000000 || ev.Account != tc.accountID {
				t.Fatalf("fields: %+v", ev)
			}
		})
	}
}

// PutEmit encodes the object once: the store keeps the object's part of
// the event's own buffer, so a stored object and the event about it hold
// one copy of the object between them, not two.
func TestPutEmitSharesTheObjectWithItsEvent(t *testing.T) {
	st, err := store.Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Update(func(tx *store.Tx) error {
		c := &Call{Env: &Env{IDs: ids.New(1), Events: &EventLog{}, Platform: "acct_1"}, Tx: tx, Account: "acct_1", Now: 100}
		// Twice, the second time with a longer object than the buffer
		// was sized for: the sharing is an economy, never a condition.
		for _, name := range []string{"A", string(bytes.Repeat([]byte("long name "), 400))} {
			o := store.Obj{"id": "cus_a", "object": "customer", "name": name}
			if err := c.PutEmit(o, "customer.updated", store.Obj{"name": "before"}); err != nil {
				return err
			}
			ev := c.events[len(c.events)-1]
			var decoded struct {
				Data struct {
					Object             json.RawMessage `json:"object"`
					PreviousAttributes store.Obj       `json:"previous_attributes"`
				} `json:"data"`
			}
			if err := json.Unmarshal(ev.JSON, &decoded); err != nil {
				t.Fatalf("event does not decode: %v\n%s", err, ev.JSON)
			}
			raw, _ := tx.GetRaw("acct_1", "customer", "cus_a")
			if string(decoded.Data.Object) != raw {
				t.Fatalf("event object\n%s\nstored\n%s", decoded.Data.Object, raw)
			}
			if decoded.Data.PreviousAttributes["name"] != "before" {
				t.Errorf("previous_attributes %v", decoded.Data.PreviousAttributes)
			}
			if name == "A" {
				start := uintptr(unsafe.Pointer(unsafe.SliceData(ev.JSON)))
				at := uintptr(unsafe.Pointer(unsafe.StringData(raw)))
				if at < start || at >= start+uintptr(len(ev.JSON)) {
					t.Errorf("the stored object is a copy, not the event's bytes")
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// An event about an object not stored as it is (emitted before a change
// that is then stored) is encoded straight into the event: the same
// document build makes around the object's own encoding.
func TestEmitOfAnUnstoredObject(t *testing.T) {
	c := &Call{Env: &Env{IDs: ids.New(1), Events: &EventLog{}, Platform: "acct_p"}, Account: "acct_1", Now: 100, RequestID: "req_1"}
	o := store.Obj{"id": "ch_1", "object": "charge", "balance_transaction": nil, "metadata": store.Obj{"k": "v"}}
	c.Emit("charge.succeeded", o, store.Obj{"status": "pending"})
	got := c.events[0]
	snap, err := jsonenc.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	want := c.Events.build(c, "acct_1", true, "charge.succeeded", snap, store.Obj{"status": "pending"})
	want.JSON = bytes.Replace(want.JSON, []byte(want.ID), []byte(got.ID), 1)
	if !bytes.Equal(got.JSON, want.JSON) {
		t.Fatalf("emitted\n%s\nwant\n%s", got.JSON, want.JSON)
	}
}
