package store

import (
	"strings"
	"testing"
)

// Within a transaction an object is decoded once and shared; a stored one
// is what later reads see; a transaction that changed a shared object
// without storing it is caught.
func TestTransactionSharesObjects(t *testing.T) {
	s, err := Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	put := func(o Obj) {
		t.Helper()
		if err := s.Update(func(tx *Tx) error { return tx.Put("acct_1", o) }); err != nil {
			t.Fatal(err)
		}
	}
	put(Obj{"id": "cus_1", "object": "customer", "name": "Ada"})

	_ = s.Update(func(tx *Tx) error {
		a, _ := tx.Get("acct_1", "customer", "cus_1")
		b, _ := tx.Get("acct_1", "customer", "cus_1")
		a["name"] = "Grace"
		if b["name"] != "Grace" {
			t.Error("two reads in one transaction are not the same object")
		}
		if err := tx.Put("acct_1", a); err != nil {
			t.Fatal(err)
		}
		if f, _ := tx.Fields("acct_1", "customer", "cus_1", "name"); f[0].String() != "Grace" {
			t.Errorf("stored fields read %q", f[0].String())
		}
		tx.EndWrites()
		c, _ := tx.Get("acct_1", "customer", "cus_1")
		c["name"] = "for rendering only"
		if d, _ := tx.Get("acct_1", "customer", "cus_1"); d["name"] != "Grace" {
			t.Error("after EndWrites, reads are still shared")
		}
		return nil
	})

	// Changed in place, never stored again: the check (run at the end of
	// every transaction in race builds) names the object.
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "cus_1 was changed in place") {
			t.Errorf("check did not catch the change: %v", r)
		}
	}()
	_ = s.View(func(btx *Tx) error {
		o, _ := btx.Get("acct_1", "customer", "cus_1")
		o["name"] = "Lost"
		btx.checkHeld()
		return nil
	})
}
