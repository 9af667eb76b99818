package api

import (
	"encoding/json"
	"reflect"

	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// PreviousAttributes is what Stripe puts in an update event's
// data.previous_attributes: for each changed field its old value; for a
// changed sub-object only its changed keys (recursively); arrays whole.
// Fields that are new get null as their previous value. A list object (a
// subscription's items) is a sub-object too: Stripe's events show only
// its changed data, {"data": [...]}, not the list around it; any other
// object with an "object" of its own (an expanded plan) is given whole.
func PreviousAttributes(before, after store.Obj) store.Obj {
	prev := store.Obj{}
	for k, nv := range after {
		ov, had := before[k]
		if !had {
			prev[k] = nil
			continue
		}
		if equalJSON(ov, nv) {
			continue
		}
		om, oIsMap := ov.(map[string]any)
		nm, nIsMap := nv.(map[string]any)
		if oIsMap && nIsMap && om["object"] == "list" && nm["object"] == "list" {
			prev[k] = listPrevious(om, nm)
			continue
		}
		if oIsMap && nIsMap && om["object"] == nil {
			prev[k] = PreviousAttributes(om, nm)
			continue
		}
		prev[k] = ov
	}
	for k, ov := range before {
		if _, still := after[k]; !still {
			prev[k] = ov
		}
	}
	return prev
}

// listPrevious is PreviousAttributes of two list objects known to
// differ: when nothing but their data can, their data did, which is not
// compared again (a renewal's items are deep).
func listPrevious(before, after store.Obj) store.Obj {
	for _, k := range [...]string{"has_more", "total_count", "url"} {
		if !equalJSON(before[k], after[k]) {
			return PreviousAttributes(before, after)
		}
	}
	if len(before) != len(after) {
		return PreviousAttributes(before, after)
	}
	for k := range after {
		if _, known := before[k]; !known {
			return PreviousAttributes(before, after)
		}
		switch k {
		case "object", "data", "has_more", "total_count", "url":
		default:
			return PreviousAttributes(before, after)
		}
	}
	return store.Obj{"data": before["data"]}
}

// equalJSON compares two decoded JSON values, treating the numeric types a
// freshly built object (int64) and a stored one (float64) use as equal.
func equalJSON(a, b any) bool {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for k, x := range av {
			y, ok := bv[k]
			if !ok || !equalJSON(x, y) {
				return false
			}
		}
		return true
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if !equalJSON(av[i], bv[i]) {
				return false
			}
		}
		return true
	}
	if af, ok := number(a); ok {
		bf, ok := number(b)
		return ok && af == bf
	}
	if reflect.DeepEqual(a, b) {
		return true
	}
	// Differently typed but equal values ([]string vs []any): compare as JSON.
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}
