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
