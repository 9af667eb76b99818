package events

import "testing"

// An event's type is read from the end of its stored JSON, past any
// "type" inside its object.
func TestEventTypeReadsTheEventsOwnType(t *testing.T) {
	cases := map[string]string{
		`{"data":{"object":{"object":"payment_method","type":"card"}},"id":"evt_1","type":"payment_method.attached"}`: "payment_method.attached",
		`{"data":{"object":{"type":"x"}},"type":"charge.dispute.created"}`:                                            "charge.dispute.created",
		`{"type":"customer.created"}`: "customer.created",
		`{"id":"evt_1"}`:              "",
		``:                            "",
		`{"type":"`:                   "",
	}
	for raw, want := range cases {
		if got := eventType(raw); got != want {
			t.Errorf("eventType(%s) = %q, want %q", raw, got, want)
		}
	}
}

// An event's created time is read from the start of its stored JSON,
// before any "created" inside its object.
func TestEventCreatedReadsTheEventsOwnTime(t *testing.T) {
	cases := map[string]int64{
		`{"api_version":"2025-08-27.basil","created":1700000000,"data":{"object":{"created":5}},"id":"evt_1"}`: 1700000000,
		`{"account":"acct_1","api_version":"x","created":42,"data":{}}`:                                        42,
		`{"id":"evt_1"}`: 0,
		``:               0,
	}
	for raw, want := range cases {
		if got := eventCreated(raw); got != want {
			t.Errorf("eventCreated(%s) = %d, want %d", raw, got, want)
		}
	}
}
