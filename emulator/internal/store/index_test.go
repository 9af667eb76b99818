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

// Index entries follow an object through a read, changes and a delete in
// one transaction (old entries are found from what was read or written,
// not by parsing), and Track lists what was written.
func TestIndexesFollowChangesWithinTransaction(t *testing.T) {
	s, err := Open("", []Index{{Type: "invoice", Name: "status", Path: "status"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids := func(status string) []string {
		var out []string
		_ = s.View(func(tx *Tx) error {
			tx.EachIndexed("a", "invoice", "status", status, func(o Obj) bool {
				out = append(out, o["id"].(string))
				return true
			})
			return nil
		})
		return out
	}
	_ = s.Update(func(tx *Tx) error {
		return tx.Put("a", Obj{"id": "in_1", "object": "invoice", "status": "draft"})
	})
	err = s.Update(func(tx *Tx) error {
		tx.Track("invoice")
		inv, _ := tx.Get("a", "invoice", "in_1")
		inv["status"] = "open"
		if err := tx.Put("a", inv); err != nil {
			return err
		}
		inv["status"] = "paid"
		if err := tx.Put("a", inv); err != nil {
			return err
		}
		if err := tx.Put("a", Obj{"id": "in_2", "object": "invoice", "status": "open"}); err != nil {
			return err
		}
		if err := tx.Put("a", Obj{"id": "cus_1", "object": "customer"}); err != nil {
			return err
		}
		if got := tx.TakeWritten(); !slices.Equal(got, []Ref{{"invoice", "in_1"}, {"invoice", "in_2"}}) {
			t.Errorf("written %v", got)
		}
		return tx.Delete("a", "invoice", "in_2")
	})
	if err != nil {
		t.Fatal(err)
	}
	for status, want := range map[string][]string{"draft": nil, "open": nil, "paid": {"in_1"}} {
		if got := ids(status); !slices.Equal(got, want) {
			t.Errorf("status %s lists %v, want %v", status, got, want)
		}
	}
}
