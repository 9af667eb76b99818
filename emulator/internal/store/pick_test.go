package store

import (
	"testing"

	"github.com/tidwall/gjson"
)

// Pick reads what gjson reads, for every kind of value and layout.
func TestPickMatchesGJSON(t *testing.T) {
	docs := []string{
		`{"id":"in_1","lines":{"data":[{"id":"il_1","x":"}]\"{"}],"has_more":false},"status":"open","n":-12.5e3,"t":true,"f":false,"z":null,"test_clock":"clock_1"}`,
		"{\n  \"a\" : [1, [2, {\"b\": \"c\"}], \"]\"] ,\n  \"status\" : \"draft\",\n  \"items\": {\"data\": [{\"current_period_end\": 42}]}\n}",
		`{"esc\"aped":1,"status":"x"}`,
		`{}`,
		`[]`,
		``,
		`{"status":`,
	}
	paths := []string{"id", "status", "n", "t", "f", "z", "test_clock", "missing", "lines.data.0.x", "lines.has_more", "a", "items.data.0.current_period_end", "lines"}
	for _, raw := range docs {
		got, want := Pick(raw, paths...), gjson.GetMany(raw, paths...)
		for i, p := range paths {
			if got[i].Raw != want[i].Raw || got[i].Type != want[i].Type || got[i].String() != want[i].String() {
				t.Errorf("%s in %q: got %q (%v), want %q (%v)", p, raw, got[i].Raw, got[i].Type, want[i].Raw, want[i].Type)
			}
		}
	}
}

func BenchmarkPick(b *testing.B) {
	raw := `{"amount_due":900,"automatically_finalizes_at":1700003600,"customer":"cus_1","id":"in_1","lines":{"data":[{"id":"il_1","amount":900,"metadata":{},"period":{"end":1,"start":2}}]},"next_payment_attempt":null,"status":"draft","test_clock":null}`
	for b.Loop() {
		Pick(raw, "id", "status", "test_clock", "automatically_finalizes_at", "next_payment_attempt")
	}
}
