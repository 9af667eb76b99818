package store

import (
	"reflect"
	"testing"
)

// A clone shares nothing a handler could change with its original: the
// before/after diff of every update event depends on it.
func TestCloneIsDeep(t *testing.T) {
	orig := Obj{
		"id": "in_1", "amount_due": 900.0, "nothing": nil,
		"status_transitions": map[string]any{"paid_at": nil, "nested": map[string]any{"x": 1.0}},
		"lines":              map[string]any{"data": []any{map[string]any{"amount": 900.0}, []any{"a"}}},
		"empty":              map[string]any(nil),
	}
	want := Clone(orig)
	if !reflect.DeepEqual(orig["lines"], want["lines"]) || want["empty"] == nil {
		t.Fatalf("clone differs: %v", want)
	}
	c := Clone(orig)
	c["amount_due"] = 0.0
	c["status_transitions"].(map[string]any)["paid_at"] = 1.0
	c["status_transitions"].(map[string]any)["nested"].(map[string]any)["x"] = 2.0
	line := c["lines"].(map[string]any)["data"].([]any)
	line[0].(map[string]any)["amount"] = 1.0
	line[1].([]any)[0] = "b"
	c["lines"].(map[string]any)["data"] = append(line, "more")
	if orig["amount_due"] != 900.0 ||
		orig["status_transitions"].(map[string]any)["paid_at"] != nil ||
		orig["status_transitions"].(map[string]any)["nested"].(map[string]any)["x"] != 1.0 ||
		orig["lines"].(map[string]any)["data"].([]any)[0].(map[string]any)["amount"] != 900.0 ||
		orig["lines"].(map[string]any)["data"].([]any)[1].([]any)[0] != "a" ||
		len(orig["lines"].(map[string]any)["data"].([]any)) != 2 {
		t.Fatalf("changing the clone changed the original: %v", orig)
	}
	if len(Clone(nil)) != 0 || Clone(nil) == nil {
		t.Fatal("Clone(nil) is an empty object")
	}
}
