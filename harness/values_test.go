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
