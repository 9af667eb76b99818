package store

import (
	"testing"

	"github.com/tidwall/gjson"

	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
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

// PickObj answers what Pick answers of the same object encoded.
func TestPickObjIsPickOfTheEncoding(t *testing.T) {
	o := Obj{
		"id": "sub_1", "status": "active", "created": int64(1700000000), "amount": 12.5, "cancel_at": nil,
		"cancel_at_period_end": false, "live": true, "name": "a \"quoted\" <name>",
		"items":            Obj{"data": []any{Obj{"current_period_end": int64(1700086400), "price": Obj{"id": "price_1"}}}},
		"phases":           []any{Obj{"end_date": int64(1)}, Obj{"end_date": int64(2)}},
		"pause_collection": Obj{"behavior": "void", "resumes_at": nil},
		"metadata":         Obj{},
	}
	raw, err := jsonenc.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"id", "status", "created", "amount", "cancel_at", "cancel_at_period_end", "live", "name",
		"items.data.0.current_period_end", "items.data.0.price.id", "items.data.1.price", "items.data.x",
		"phases.#.end_date", "phases.1.end_date", "pause_collection", "pause_collection.resumes_at",
		"metadata", "missing", "missing.deeper", "id.deeper"}
	want := Pick(string(raw), paths...)
	got := PickObj(o, paths...)
	for i, p := range paths {
		// A number may come without its Raw; it reads the same.
		if !SameResult(got[i], want[i]) || got[i].Exists() != want[i].Exists() ||
			got[i].String() != want[i].String() || got[i].Int() != want[i].Int() {
			t.Errorf("%s: PickObj %#v, Pick %#v", p, got[i], want[i])
		}
	}
}
