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

// A data file written with other indexes is reindexed when opened: an
// index added since finds the older objects, and a dropped one leaves no
// entries behind.
func TestOpenReindexesDataFileWrittenWithOtherIndexes(t *testing.T) {
	path := t.TempDir() + "/emu.db"
	status := Index{Type: "subscription", Name: "status", Path: "status"}
	clock := Index{Type: "subscription", Name: "test_clock", Path: "test_clock"}
	ids := func(s *Store, index, value string) []string {
		var out []string
		_ = s.View(func(tx *Tx) error {
			tx.EachIndexedRaw("acct_1", "subscription", index, value, func(raw string) bool {
				out = append(out, Pick(raw, "id")[0].String())
				return true
			})
			return nil
		})
		return out
	}

	s, err := Open(path, []Index{status})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx *Tx) error {
		for _, o := range []Obj{
			{"id": "sub_1", "object": "subscription", "status": "active", "test_clock": "clock_1"},
			{"id": "sub_2", "object": "subscription", "status": "active", "test_clock": nil},
		} {
			if err := tx.Put("acct_1", o); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path, []Index{status, clock})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(s, "test_clock", "clock_1"); !slices.Equal(got, []string{"sub_1"}) {
		t.Errorf("added index: got %q, want [sub_1]", got)
	}
	if got := ids(s, "status", "active"); !slices.Equal(got, []string{"sub_1", "sub_2"}) {
		t.Errorf("kept index: got %q, want [sub_1 sub_2]", got)
	}
	_ = s.Close()

	s, err = Open(path, []Index{clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := ids(s, "status", "active"); len(got) != 0 {
		t.Errorf("dropped index still lists %q", got)
	}
	if got := ids(s, "test_clock", "clock_1"); !slices.Equal(got, []string{"sub_1"}) {
		t.Errorf("after dropping another index: got %q, want [sub_1]", got)
	}
}
