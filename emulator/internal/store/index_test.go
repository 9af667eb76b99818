package store

import (
	"slices"
	"testing"
)

// objIndexValues must index exactly what parsing the stored JSON would.
func TestObjIndexValuesMatchJSON(t *testing.T) {
	docs := []string{
		`{"id":"sub_1","object":"subscription","customer":"cus_1","status":"active","items":{"object":"list","data":[{"id":"si_1","price":{"id":"price_1"}},{"id":"si_2"},{"id":null},{"x":1}]}}`,
		`{"id":"in_1","object":"invoice","customer":{"id":"cus_9","object":"customer"},"status":null,"parent":{"subscription_details":{"subscription":"sub_1"}},"amount":1250,"paid":true}`,
		`{"id":"inpay_1","object":"invoice_payment","payment":{"type":"payment_intent","payment_intent":"pi_1"},"invoice":"in_1","active":false}`,
		`{"id":"price_1","object":"price","lookup_key":"gold","tags":["a",null,"b"],"amount":12.5,"n":-3}`,
		`{"id":"x_1","object":"x","parent":null,"items":{"data":[]}}`,
	}
	paths := []string{"customer", "status", "items.data.#.id", "parent.subscription_details.subscription",
		"payment.payment_intent", "invoice", "active", "lookup_key", "tags", "amount", "n", "paid", "missing", "items.missing.#.id"}
	for _, raw := range docs {
		o := decode(raw)
		for _, p := range paths {
			want, got := indexValues(raw, p), objIndexValues(o, p)
			if !slices.Equal(want, got) {
				t.Errorf("%s in %s: got %q, want %q", p, raw, got, want)
			}
		}
	}
}
