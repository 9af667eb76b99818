package api

import (
	"testing"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Due work runs earliest first across timers; what a piece writes is asked
// again what it has due; and work that keeps leaving itself due at the
// same moment (a bug) is dropped instead of spinning.
func TestRunDue(t *testing.T) {
	start := time.Unix(1000, 0)
	env := testEnv(t, start, nil)

	var order []string
	thing := store.Ref{Type: "thing", ID: "t1"}
	step := func(at int64, name string, about store.Ref) Due {
		return Due{At: at, Account: "acct_p", About: about, Kind: name, Run: func(c *Call) error {
			order = append(order, name)
			if about.ID == "" {
				return nil
			}
			return c.Put(store.Obj{"object": about.Type, "id": about.ID, "at": c.Now})
		}}
	}
	stuck := 0
	timers := []Timer{
		{Due: func(_ *Env, _ *store.Tx, _ string, _ int64) []Due {
			return []Due{step(30, "late", store.Ref{}), step(10, "first", thing)}
		}},
		{Due: func(_ *Env, _ *store.Tx, _ string, _ int64) []Due { return []Due{step(20, "middle", store.Ref{})} },
			Watch: []string{"thing"},
			DueOf: func(_ *Env, _ *store.Tx, _ string, ref store.Ref, target int64) []Due {
				// Writing the thing at 10 makes a follow-up due at 25, and
				// the follow-up (wrongly) leaves itself due again.
				stuck++
				if stuck == 1 {
					return []Due{step(25, "follow-up", ref)}
				}
				return []Due{step(25, "again", ref)}
			}},
	}
	env.RunDue(timers, start.Add(time.Hour))
	want := []string{"first", "middle", "follow-up"}
	for i := 0; i < maxRepeats; i++ {
		want = append(want, "again")
	}
	want = append(want, "late")
	if len(order) != len(want) {
		t.Fatalf("ran %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("ran %v, want %v", order, want)
		}
	}
}
