package store

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func sameMap(a, b Obj) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// Objects a KeepWarm transaction held when it committed are handed, not
// decoded again, to the next write transaction that reads them; never to
// a view, never after a write replaced them, never when the transaction
// that held them failed.
func TestWarmObjects(t *testing.T) {
	s, err := Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var kept Obj
	if err := s.Update(func(tx *Tx) error {
		tx.KeepWarm()
		kept = Obj{"id": "cus_1", "object": "customer", "name": "Ada"}
		return tx.Put("acct_1", kept)
	}); err != nil {
		t.Fatal(err)
	}
	get := func(update bool) Obj {
		t.Helper()
		var o Obj
		read := func(tx *Tx) error {
			o, _ = tx.Get("acct_1", "customer", "cus_1")
			return nil
		}
		if update {
			_ = s.Update(func(tx *Tx) error { tx.KeepWarm(); return read(tx) })
		} else {
			_ = s.View(read)
		}
		return o
	}

	if v := get(false); sameMap(v, kept) {
		t.Error("a view was handed the warm object")
	}
	if u := get(true); !sameMap(u, kept) {
		t.Error("the next write transaction decoded the object again")
	}
	if u := get(true); !sameMap(u, kept) {
		t.Error("a transaction that only read the warm object did not give it back")
	}

	// A failed transaction's changes never become warm.
	_ = s.Update(func(tx *Tx) error {
		tx.KeepWarm()
		o, _ := tx.Get("acct_1", "customer", "cus_1")
		o["name"] = "Grace"
		_ = tx.Put("acct_1", o)
		return errors.New("refused")
	})
	if u := get(true); u["name"] != "Ada" || sameMap(u, kept) {
		t.Errorf("after a failed change read %v (same object: %v)", u["name"], sameMap(u, kept))
	}

	// A write by a transaction that keeps nothing warm drops the entry.
	warmNow := get(true)
	if err := s.Update(func(tx *Tx) error {
		return tx.Put("acct_1", Obj{"id": "cus_1", "object": "customer", "name": "Lin"})
	}); err != nil {
		t.Fatal(err)
	}
	if u := get(true); u["name"] != "Lin" || sameMap(u, warmNow) {
		t.Errorf("after a write read %v (same object: %v)", u["name"], sameMap(u, warmNow))
	}

	// So does a delete, and Reset empties warm.
	_ = get(true)
	if err := s.Update(func(tx *Tx) error { return tx.Delete("acct_1", "customer", "cus_1") }); err != nil {
		t.Fatal(err)
	}
	if u := get(true); u != nil {
		t.Errorf("a deleted object read %v", u)
	}
	_ = s.Update(func(tx *Tx) error {
		tx.KeepWarm()
		return tx.Put("acct_1", Obj{"id": "cus_2", "object": "customer"})
	})
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if len(s.warm.young.objs)+len(s.warm.old.objs) != 0 {
		t.Error("Reset left warm objects")
	}
}

// A warm object that differs from what is stored is caught in race builds
// (the test suite): a write path that bypassed set would leave one.
func TestWarmObjectStaleIsCaught(t *testing.T) {
	if !CheckShared {
		t.Skip("checked only in race builds")
	}
	s, _ := Open("", nil)
	defer s.Close()
	_ = s.Update(func(tx *Tx) error {
		tx.KeepWarm()
		return tx.Put("acct_1", Obj{"id": "cus_1", "object": "customer", "name": "Ada"})
	})
	s.warm.young.objs["o:acct_1:customer:cus_1"].o["name"] = "changed behind the store's back"
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "differs from what is stored") {
			t.Errorf("recovered %v", r)
		}
	}()
	_ = s.Update(func(tx *Tx) error {
		_, _ = tx.Get("acct_1", "customer", "cus_1")
		return nil
	})
}

// Each generation holds warmBytes of JSON; the old one is dropped whole
// when the young one fills, so recently kept objects survive.
func TestWarmGenerations(t *testing.T) {
	var w warmSet
	size := warmBytes / 4
	for i, k := range []string{"a", "b", "c", "d", "e"} {
		w.put(k, warmObj{Obj{"n": i}, size})
	}
	if _, ok := w.take("e"); !ok {
		t.Error("the newest object was dropped")
	}
	if _, ok := w.take("a"); !ok {
		t.Error("an object of the old generation was dropped before the young one filled")
	}
	for _, k := range []string{"f", "g", "h", "i"} {
		w.put(k, warmObj{Obj{}, size})
	}
	if _, ok := w.take("b"); ok {
		t.Error("two generations on, an object is still kept")
	}
	if w.young.bytes+w.old.bytes > 2*warmBytes {
		t.Errorf("warm holds %d bytes", w.young.bytes+w.old.bytes)
	}
}
