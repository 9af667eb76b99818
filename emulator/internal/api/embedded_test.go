package api

import (
	"testing"

	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

func invoiceOf(n int) store.Obj {
	data := make([]any, n)
	for i := range data {
		data[i] = store.Obj{"id": "il_" + string(rune('a'+i)), "object": "line_item"}
	}
	return store.Obj{"id": "in_1", "object": "invoice",
		"lines": store.Obj{"object": "list", "data": data, "has_more": false, "url": "/v1/invoices/in_1/lines"}}
}

// A long list is cut in a copy: the object the emulator's code reads keeps
// every element, and one within the limit is answered as it is.
func TestLimitedCutsACopy(t *testing.T) {
	r := NewRegistry(&Kind{Object: "invoice", Prefix: "in_", EmbeddedLists: []EmbeddedList{{Field: "lines", Element: "line_item"}}})
	inv := invoiceOf(12)
	got := r.limited("invoice", inv)
	lines := got["lines"].(store.Obj)
	if n := len(lines["data"].([]any)); n != 10 || lines["has_more"] != true || lines["url"] != "/v1/invoices/in_1/lines" {
		t.Fatalf("cut to %d, has_more %v, url %v", n, lines["has_more"], lines["url"])
	}
	if n := len(inv["lines"].(store.Obj)["data"].([]any)); n != 12 || inv["lines"].(store.Obj)["has_more"] != false {
		t.Fatalf("the stored object changed: %d lines", n)
	}
	ten := invoiceOf(10)
	if r.overLimit("invoice", ten) {
		t.Fatal("ten lines are within the limit")
	}
	raw, _ := jsonenc.Marshal(inv)
	if !rawOverLimit(r.Kind("invoice"), string(raw)) {
		t.Fatal("stored JSON of twelve lines not seen as over the limit")
	}
	raw, _ = jsonenc.Marshal(ten)
	if rawOverLimit(r.Kind("invoice"), string(raw)) {
		t.Fatal("stored JSON of ten lines seen as over the limit")
	}
	// An invoice expanded inside another object is cut in its parent.
	sub := store.Obj{"object": "subscription", "latest_invoice": inv}
	out, changed := r.limitDeep(sub)
	if !changed || len(out.(store.Obj)["latest_invoice"].(store.Obj)["lines"].(store.Obj)["data"].([]any)) != 10 {
		t.Fatal("expanded invoice not cut")
	}
}
