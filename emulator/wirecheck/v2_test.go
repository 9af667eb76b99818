package wirecheck

import (
	"strings"
	"testing"
)

// stripe-go's own generated example answers pass; a field too many, one
// missing, a v1 timestamp or a v1 error envelope fail.
func TestCheckV2(t *testing.T) {
	good := []string{
		`{"created":"1970-01-12T21:42:34.472Z","event_name":"e","identifier":"i","object":"v2.billing.meter_event","payload":{"k":"v"},"timestamp":"1970-01-01T15:18:46.294Z","livemode":true}`,
		`{"cancel":{"identifier":"i"},"created":"1970-01-12T21:42:34.472Z","event_name":"e","id":"obj_123","object":"v2.billing.meter_event_adjustment","status":"complete","type":"cancel","livemode":true}`,
		`{"authentication_token":"t","created":"1970-01-12T21:42:34.472Z","expires_at":"1970-01-10T15:36:51.170Z","id":"obj_123","object":"v2.billing.meter_event_session","livemode":true}`,
		`{}`,
		`{"error":{"type":"temporary_session_expired","code":"billing_meter_event_session_expired","message":"expired"}}`,
		`{"data":[],"next_page_url":null,"previous_page_url":null}`,
	}
	for _, b := range good {
		if err := CheckV2([]byte(b)); err != nil {
			t.Errorf("%s: %v", b, err)
		}
	}
	bad := map[string]string{
		`{"created":"1970-01-12T21:42:34.472Z","event_name":"e","identifier":"i","object":"v2.billing.meter_event","payload":{"k":"v"},"timestamp":"1970-01-01T15:18:46.294Z","livemode":true,"id":"x"}`: "unknown field",
		`{"created":"1970-01-12T21:42:34.472Z","event_name":"e","object":"v2.billing.meter_event","payload":{"k":"v"},"timestamp":"1970-01-01T15:18:46.294Z","livemode":true}`:                           "without \"identifier\"",
		`{"created":1000,"event_name":"e","identifier":"i","object":"v2.billing.meter_event","payload":{"k":"v"},"timestamp":"1970-01-01T15:18:46.294Z","livemode":true}`:                                "timestamp string",
		`{"error":{"type":"invalid_request_error","message":"m","param":"p"}}`:                                                                                                                           "unknown field",
		`{"data":[],"next_page_url":null,"has_more":false}`: "unknown key",
		`{"object":"customer","id":"cus_1"}`:                "unknown v2 object",
	}
	for b, want := range bad {
		if err := CheckV2([]byte(b)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error about %s", b, err, want)
		}
	}
}

// A v2 DELETE answers the deleted object's id and object alone, or an error.
func TestCheckV2Deleted(t *testing.T) {
	for _, b := range []string{
		`{"id":"ed_test_1","object":"v2.core.event_destination"}`,
		`{"error":{"type":"invalid_request_error","code":"not_found","message":"m"}}`,
	} {
		if err := CheckV2Deleted([]byte(b)); err != nil {
			t.Errorf("%s: %v", b, err)
		}
	}
	bad := map[string]string{
		`{"id":"ed_test_1","object":"v2.core.event_destination","name":"n"}`:   "unknown key",
		`{"object":"v2.core.event_destination"}`:                               "without an id",
		`{"id":"cus_1","object":"customer"}`:                                   "unknown type",
		`{"error":{"type":"invalid_request_error","message":"m","param":"p"}}`: "unknown field",
	}
	for b, want := range bad {
		if err := CheckV2Deleted([]byte(b)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error about %s", b, err, want)
		}
	}
}
