package api

import (
	"errors"
	"testing"

	"github.com/stripe-emu/stripe-emu/emulator/internal/ids"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Whatever a sandbox stores, sets, deletes or emits is gone after it:
// objects as they were (indexes too), new ones removed, meta restored,
// no event, and fn's error handed back.
func TestSandboxUndoes(t *testing.T) {
	st, err := store.Open("", []store.Index{{Type: "customer", Name: "email", Path: "email"}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	boom := errors.New("boom")
	err = st.Update(func(tx *store.Tx) error {
		c := &Call{Env: &Env{IDs: ids.New(1), Events: &EventLog{}}, Tx: tx, Account: "acct_1", Now: 100}
		if err := c.Put(store.Obj{"id": "cus_a", "object": "customer", "email": "a@x"}); err != nil {
			return err
		}
		if err := c.SetMeta("kept", "1"); err != nil {
			return err
		}
		before, _ := tx.GetRaw("acct_1", "customer", "cus_a")
		got := c.Sandbox(func() error {
			a, _ := tx.Get("acct_1", "customer", "cus_a")
			a = store.Clone(a)
			a["email"] = "changed@x"
			if err := c.Put(a); err != nil {
				return err
			}
			b := store.Obj{"id": "cus_b", "object": "customer", "email": "b@x"}
			if err := c.Put(b); err != nil {
				return err
			}
			c.Emit("customer.created", b, nil)
			if err := c.SetMeta("new", "1"); err != nil {
				return err
			}
			c.DeleteMeta("kept")
			c.Now = 999
			return boom
		})
		if !errors.Is(got, boom) {
			t.Errorf("Sandbox returned %v, want fn's error", got)
		}
		if after, _ := tx.GetRaw("acct_1", "customer", "cus_a"); after != before {
			t.Errorf("cus_a is %s, want %s", after, before)
		}
		if a, _ := tx.Get("acct_1", "customer", "cus_a"); a["email"] != "a@x" {
			t.Errorf("Get sees %v", a["email"])
		}
		if tx.Exists("acct_1", "customer", "cus_b") {
			t.Error("cus_b is still stored")
		}
		for _, email := range []string{"b@x", "changed@x"} {
			if n := len(tx.List("acct_1", "customer", store.Query{Index: "email", Value: email, Limit: 10}).Data); n != 0 {
				t.Errorf("index email=%s still lists %d", email, n)
			}
		}
		if n := len(tx.List("acct_1", "customer", store.Query{Index: "email", Value: "a@x", Limit: 10}).Data); n != 1 {
			t.Errorf("index email=a@x lists %d, want 1", n)
		}
		if _, ok := tx.GetMeta("new"); ok {
			t.Error("meta set in the sandbox is still there")
		}
		if v, ok := tx.GetMeta("kept"); !ok || v != "1" {
			t.Error("meta deleted in the sandbox is not back")
		}
		if len(c.events) != 0 || c.Now != 100 {
			t.Errorf("events %d, now %d: want none and 100", len(c.events), c.Now)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
