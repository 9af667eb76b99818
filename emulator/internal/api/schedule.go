package api

import (
	"container/heap"
	"strconv"
	"strings"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Due is a piece of work that time made due: it runs at At, in Account,
// as if that moment had just come.
type Due struct {
	At      int64
	Account string
	// About is the object the work is for. When that object is written,
	// its queued work is dropped and it is asked again what it has due
	// (the zero Ref: work no write replaces).
	About store.Ref
	Kind  string // for logs
	Run   func(c *Call) error
	// Wait, if set, runs first, outside any transaction: work that
	// depends on something beyond the store (a webhook's delivery) waits
	// for it there, where the receiver can still call the API.
	Wait func()
}

// Timer is a resource family's time-driven work.
type Timer struct {
	// Due lists all that is due by target in account.
	Due func(env *Env, tx *store.Tx, account string, target int64) []Due
	// Watch are the object types whose writes can make work due; DueOf
	// lists what one of them, just written, has due by target.
	Watch []string
	DueOf func(env *Env, tx *store.Tx, account string, ref store.Ref, target int64) []Due
}

// RawDue is what one object has due by target, read from its stored JSON
// (out with that work appended).
type RawDue func(out []Due, account, raw string, target int64) []Due

// RawTimer is a Timer whose work is read from the stored JSON of objects
// of typ: each, in Due, walks the ones that may have work (all of them,
// or an index of those still waiting); due reads one.
func RawTimer(typ string, each func(tx *store.Tx, account string, fn func(raw string) bool), due RawDue) Timer {
	return Timer{
		Due: func(_ *Env, tx *store.Tx, account string, target int64) []Due {
			var out []Due
			each(tx, account, func(raw string) bool {
				out = due(out, account, raw, target)
				return true
			})
			return out
		},
		Watch: []string{typ},
		DueOf: func(_ *Env, tx *store.Tx, account string, ref store.Ref, target int64) []Due {
			raw, ok := tx.GetRaw(account, ref.Type, ref.ID)
			if !ok {
				return nil
			}
			return due(nil, account, raw, target)
		},
	}
}

// RunDue runs all the work due by now, in every account and family, in
// time order, each piece in a transaction of its own at its own time.
// What a piece makes due by now (a renewal's invoice to finalize, a bank
// debit to settle, funds becoming available) runs in its turn too: after
// a clock jump the world is as if the time had passed.
func (e *Env) RunDue(timers []Timer, now time.Time) {
	target := now.Unix()
	q := NewDueQueue()
	accounts := e.Accounts()
	_ = e.Store.View(func(tx *store.Tx) error {
		for _, acct := range accounts {
			for _, t := range timers {
				q.Push(t.Due(e, tx, acct, target)...)
			}
		}
		return nil
	})
	var watched []string
	for _, t := range timers {
		watched = append(watched, t.Watch...)
	}
	// runs counts each piece of work by what, when and about what: work
	// that leaves itself due again (a bug) must not spin forever.
	runs := map[dueKey]int{}
	for {
		d, ok := q.Next()
		if !ok {
			return
		}
		k := dueKey{d.Account, d.Kind, d.About, d.At}
		if runs[k]++; runs[k] > maxRepeats {
			e.Log.Error("scheduled work keeps falling due at the same moment; dropped", "account", d.Account, "kind", d.Kind, "about", d.About.ID, "at", d.At)
			continue
		}
		// What the work wrote is asked what it has due in the same
		// transaction, once everything is stored: the objects are still
		// decoded there, so the few fields a Timer reads need no parse of
		// their JSON. Queued only once the work committed.
		if d.Wait != nil {
			d.Wait()
		}
		var next []refDue
		_, err := e.background(d.Account, watched, func(c *Call) error {
			c.Now = d.At
			return d.Run(c)
		}, func(tx *store.Tx, changed []store.Ref) {
			for _, ref := range changed {
				rd := refDue{ref: ref}
				for _, t := range timers {
					if watches(t, ref.Type) {
						rd.due = append(rd.due, t.DueOf(e, tx, d.Account, ref, target)...)
					}
				}
				next = append(next, rd)
			}
		})
		if err != nil {
			// Nothing it did was kept; it is not tried again this time.
			e.Log.Error("scheduled work failed", "account", d.Account, "kind", d.Kind, "about", d.About.ID, "err", err)
			continue
		}
		for _, rd := range next {
			q.Forget(rd.ref)
			q.Push(rd.due...)
		}
	}
}

type refDue struct {
	ref store.Ref
	due []Due
}

type dueKey struct {
	account, kind string
	about         store.Ref
	at            int64
}

// maxRepeats is how often the same work may run at the same moment.
const maxRepeats = 8

func watches(t Timer, typ string) bool {
	for _, w := range t.Watch {
		if w == typ {
			return true
		}
	}
	return false
}

// DueQueue orders due work by time, then by when it was queued.
type DueQueue struct {
	items dueHeap
	seq   int
	// gen counts how often each object's work was dropped: queued work
	// from an earlier count is stale.
	gen map[store.Ref]int
	// batches are the queued pieces of work about no one object, queued
	// once each (many balance transactions becoming available at the
	// same moment are one piece of work).
	batches map[batchKey]bool
}

type batchKey struct {
	account, kind string
	at            int64
}

type queuedDue struct {
	Due
	seq, gen int
}

func NewDueQueue() *DueQueue {
	return &DueQueue{gen: map[store.Ref]int{}, batches: map[batchKey]bool{}}
}

// Push queues work.
func (q *DueQueue) Push(ds ...Due) {
	for _, d := range ds {
		if d.About == (store.Ref{}) {
			k := batchKey{d.Account, d.Kind, d.At}
			if q.batches[k] {
				continue
			}
			q.batches[k] = true
		}
		q.seq++
		heap.Push(&q.items, queuedDue{d, q.seq, q.gen[d.About]})
	}
}

// Forget drops the work queued for ref.
func (q *DueQueue) Forget(ref store.Ref) { q.gen[ref]++ }

// Next takes the earliest work still queued.
func (q *DueQueue) Next() (Due, bool) {
	for q.items.Len() > 0 {
		d := heap.Pop(&q.items).(queuedDue)
		if d.About == (store.Ref{}) {
			delete(q.batches, batchKey{d.Account, d.Kind, d.At})
			return d.Due, true
		}
		if d.gen == q.gen[d.About] {
			return d.Due, true
		}
	}
	return Due{}, false
}

type dueHeap []queuedDue

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if h[i].At != h[j].At {
		return h[i].At < h[j].At
	}
	return h[i].seq < h[j].seq
}
func (h dueHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)   { *h = append(*h, x.(queuedDue)) }
func (h *dueHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// MetaTimer is time-driven work about objects of one type, scheduled in
// the store's metadata: key(account, id) holds the Unix time it falls due
// (key(account, "") is the account's prefix). Writing such an object asks
// its key again, so work scheduled during a clock jump runs in it.
func MetaTimer(typ string, key func(account, id string) string, work func(account, id string, at int64) Due) Timer {
	return Timer{
		Due: func(_ *Env, tx *store.Tx, account string, target int64) []Due {
			var out []Due
			prefix := key(account, "")
			tx.ScanMeta(prefix, func(name, value string) bool {
				if at, _ := strconv.ParseInt(value, 10, 64); at <= target {
					out = append(out, work(account, strings.TrimPrefix(name, prefix), at))
				}
				return true
			})
			return out
		},
		Watch: []string{typ},
		DueOf: func(_ *Env, tx *store.Tx, account string, ref store.Ref, target int64) []Due {
			value, ok := tx.GetMeta(key(account, ref.ID))
			if !ok {
				// Most objects written have no such timer: parsing "" would
				// allocate its error for each.
				return nil
			}
			at, _ := strconv.ParseInt(value, 10, 64)
			if at > target {
				return nil
			}
			return []Due{work(account, ref.ID, at)}
		},
	}
}
