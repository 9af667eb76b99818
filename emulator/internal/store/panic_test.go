package store

import "testing"

// A transaction whose function panics keeps nothing it wrote (buntdb
// alone would commit it, its error being nil), and the panic goes on.
func TestPanicKeepsNothing(t *testing.T) {
	s, err := Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Fatal("the panic did not go on")
			}
		}()
		_ = s.Update(func(tx *Tx) error {
			if err := tx.Put("a", Obj{"id": "cus_1", "object": "customer"}); err != nil {
				return err
			}
			panic("a handler's bug")
		})
	}()
	_ = s.View(func(tx *Tx) error {
		if _, ok := tx.Get("a", "customer", "cus_1"); ok {
			t.Fatal("a panicking transaction was committed")
		}
		return nil
	})
	if err := s.Update(func(tx *Tx) error { return tx.Put("a", Obj{"id": "cus_2", "object": "customer"}) }); err != nil {
		t.Fatalf("the store is unusable after a panic: %v", err)
	}
}
