package harness

import (
	"strings"
	"testing"
)

// Params built from values read out of Stripe's JSON keep whole numbers
// whole: a timestamp goes back to Stripe as 1795791951, not in exponent
// form, which Stripe (and the emulator) would refuse.
func TestFlattenWritesNumbersInFull(t *testing.T) {
	out := map[string]string{}
	flatten("", map[string]any{"start_date": float64(1795791951), "amount": 12.5, "items": []any{map[string]any{"quantity": float64(2)}}}, out)
	want := map[string]string{"start_date": "1795791951", "amount": "12.5", "items[0][quantity]": "2"}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%s = %q, want %q", k, out[k], v)
		}
	}
}

// A field that was null when captured, inside a path or as an id, is the
// scenario's mistake (most often a Checkout Session's payment_intent, set
// only once it is paid): said so, rather than sent as "<nil>".
func TestAReferenceToANullFieldInTextIsAnError(t *testing.T) {
	r := &run{vars: map[string]any{"session": map[string]any{"id": "cs_test_1", "payment_intent": nil}}}
	if _, err := r.resolve("/v1/payment_intents/${session.payment_intent}"); err == nil || !strings.Contains(err.Error(), "${session.payment_intent} is null") {
		t.Errorf("in a path: %v", err)
	}
	if _, err := r.resolveString("${session.payment_intent}"); err == nil || !strings.Contains(err.Error(), "capture the object again") {
		t.Errorf("as an id: %v", err)
	}
	// A whole reference keeps its value, null included, for comparisons.
	if v, err := r.resolve("${session.payment_intent}"); err != nil || v != nil {
		t.Errorf("whole reference = %v, %v; want nil, nil", v, err)
	}
}

// contains reads Stripe's JSON as JSON: a list holds an element, an object
// holds fields, text holds text. Before, the printed forms were compared,
// so "car" matched a list holding "card", a key name matched an object,
// and 1 matched 10.
func TestContainsReadsValuesAsJSON(t *testing.T) {
	types := []any{"card", "link"}
	details := map[string]any{"type": "card", "card": map[string]any{"brand": "visa", "last4": "4242"}}
	cases := []struct {
		name      string
		got, want any
		holds     bool
	}{
		{"text holding text", "in_1/recover", "/recover", true},
		{"text not holding it", "in_1", "/recover", false},
		{"a list holding the element", types, "link", true},
		{"a list holding only a longer element", types, "car", false},
		{"a list of numbers", []any{float64(10), float64(20)}, 20, true},
		{"a list of objects", []any{map[string]any{"price": "price_1", "quantity": float64(2)}}, map[string]any{"price": "price_1", "quantity": 2}, true},
		{"an object holding a nested field", details, map[string]any{"card": map[string]any{"brand": "visa", "last4": "4242"}}, true},
		{"an object holding the fields with a matcher", details, map[string]any{"type": map[string]any{"one_of": []any{"card", "link"}}}, true},
		{"an object whose field differs", details, map[string]any{"type": "link"}, false},
		{"an object whose key name is the text", details, "brand", false},
		{"a number", float64(10), 1, false},
		{"null", nil, "", false},
	}
	for _, c := range cases {
		if err := match(map[string]any{"contains": c.want}, c.got, true); (err == nil) != c.holds {
			t.Errorf("%s: contains %v in %v: %v, want holds=%v", c.name, c.want, c.got, err, c.holds)
		}
	}
	if err := match(map[string]any{"contains": "x"}, nil, false); err == nil || !strings.Contains(err.Error(), "absent") {
		t.Errorf("an absent field: %v", err)
	}
}
