package wirecheck

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/wirecheck/openapi"
)

// v2types maps the v2 API's object names to stripe-go's types. Stripe's
// OpenAPI spec in stripe-mock has no v2 schemas, so v2 answers are held
// to stripe-go alone, strictly, and must carry every field the type has
// (v2 objects render them all, null where there is nothing).
var v2types = map[string]reflect.Type{
	"v2.billing.meter_event":            reflect.TypeOf(stripe.V2BillingMeterEvent{}),
	"v2.billing.meter_event_adjustment": reflect.TypeOf(stripe.V2BillingMeterEventAdjustment{}),
	"v2.billing.meter_event_session":    reflect.TypeOf(stripe.V2BillingMeterEventSession{}),
	"v2.core.event":                     reflect.TypeOf(stripe.V2RawEvent{}),
	"v2.core.event_destination":         reflect.TypeOf(stripe.V2EventDestination{}),
}

var timeType = reflect.TypeOf(time.Time{})

// IsV2 reports whether a request path is the v2 API's.
func IsV2(path string) bool { return strings.HasPrefix(path, "/v2/") }

// CheckV2 checks a v2 answer: an error in v2's envelope (what stripe-go's
// V2RawError, or the typed error of its type, decodes), a v2 list page, the meter event stream's empty
// object, or a v2 object.
func CheckV2(body []byte) error {
	m, err := decodeBody(body)
	if err != nil {
		return err
	}
	if e, isErr := m["error"]; isErr && len(m) == 1 {
		em, ok := e.(map[string]any)
		if !ok {
			return fmt.Errorf("error: want an object, got %s", openapi.Describe(e))
		}
		if _, ok := em["type"].(string); !ok {
			return fmt.Errorf("error: no type")
		}
		if _, ok := em["message"].(string); !ok {
			return fmt.Errorf("error: no message")
		}
		// As stripe-go's responseToErrorV2 decodes it: by its type.
		if em["type"] == string(stripe.ErrorTypeTemporarySessionExpired) {
			return walk(e, reflect.TypeOf(stripe.TemporarySessionExpiredError{}), "error")
		}
		return walk(e, reflect.TypeOf(stripe.V2RawError{}), "error")
	}
	if len(m) == 0 {
		return nil // the meter event stream's answer
	}
	if _, isList := m["next_page_url"]; isList {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			switch k {
			case "data", "next_page_url", "previous_page_url":
			default:
				return fmt.Errorf("unknown key %q on a v2 list", k)
			}
		}
		items, ok := m["data"].([]any)
		if !ok {
			return fmt.Errorf("v2 list without a data array")
		}
		for i, it := range items {
			im, ok := it.(map[string]any)
			if !ok {
				return fmt.Errorf("data[%d]: not an object", i)
			}
			if err := checkV2Object(im, fmt.Sprintf(".data[%d]", i)); err != nil {
				return err
			}
		}
		return nil
	}
	return checkV2Object(m, "")
}

// CheckV2Deleted checks the answer of a v2 DELETE: an error as CheckV2
// does, or the deleted object's id and object and nothing else, what
// Stripe's v2 deletes answer (stripe-python's v2 DeletedObject).
func CheckV2Deleted(body []byte) error {
	m, err := decodeBody(body)
	if err != nil {
		return err
	}
	if _, isErr := m["error"]; isErr {
		return CheckV2(body)
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if k != "id" && k != "object" {
			return fmt.Errorf("unknown key %q on a v2 deleted object", k)
		}
	}
	if id, _ := m["id"].(string); id == "" {
		return fmt.Errorf("v2 deleted object without an id")
	}
	if _, ok := v2types[fmt.Sprint(m["object"])]; !ok {
		return fmt.Errorf("v2 deleted object of unknown type %v", m["object"])
	}
	return nil
}

// checkerFor is the check of a request's answer.
func checkerFor(method, path string) func([]byte) error {
	switch {
	case IsV2(path) && method == "DELETE":
		return CheckV2Deleted
	case IsV2(path):
		return CheckV2
	case path == "/oauth/token":
		return func(b []byte) error { return checkOAuth(b, stripe.OAuthToken{}) }
	case path == "/oauth/deauthorize":
		return func(b []byte) error { return checkOAuth(b, stripe.Deauthorize{}) }
	}
	return Check
}

// checkOAuth checks a Connect OAuth answer (connect.stripe.com, outside
// the API and its spec): stripe-go's type with every field present, or an
// error in OAuth's own shape, which stripe-go reads into its Error.
func checkOAuth(body []byte, v any) error {
	m, err := decodeBody(body)
	if err != nil {
		return err
	}
	if _, isErr := m["error"]; isErr {
		for k := range m {
			if k != "error" && k != "error_description" {
				return fmt.Errorf("oauth error: unknown key %q", k)
			}
		}
		return CheckAs(body, stripe.Error{})
	}
	for field := range fieldsOf(reflect.TypeOf(v)) {
		if _, ok := m[field]; !ok {
			return fmt.Errorf("oauth answer without %q", field)
		}
	}
	return CheckAs(body, v)
}

func checkV2Object(m map[string]any, path string) error {
	name, _ := m["object"].(string)
	t, ok := v2types[name]
	if !ok {
		return fmt.Errorf("%s: unknown v2 object type %q", label(path), name)
	}
	for field := range fieldsOf(t) {
		if _, ok := m[field]; !ok {
			return fmt.Errorf("%s: %s without %q", label(path), name, field)
		}
	}
	return walk(m, t, path)
}

// checkTime checks a v2 timestamp: an RFC 3339 string.
func checkTime(v any, path string) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%s: want a timestamp string, got %s", label(path), openapi.Describe(v))
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		return fmt.Errorf("%s: %q is not an RFC 3339 timestamp", label(path), s)
	}
	return nil
}
