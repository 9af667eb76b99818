package harness

import "testing"

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
