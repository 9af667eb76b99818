package api

import (
	"encoding/json"
	"sync"

	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// EventLog builds events inside a request's transaction and, once the
// transaction has committed, hands them to subscribers (the webhook
// dispatcher). Subscribers never run inside a transaction.
type EventLog struct {
	mu          sync.RWMutex
	subscribers []func([]Committed)
	// Pending, if set, tells how many webhook endpoints an event will be
	// sent to, for the event's pending_webhooks.
	Pending func(account, eventType string) int
}

// Committed is an event whose transaction committed.
type Committed struct {
	Account string // namespace the event lives in
	Event   store.Obj
}

// Subscribe registers fn to receive committed events, in commit order.
func (l *EventLog) Subscribe(fn func([]Committed)) {
	l.mu.Lock()
	l.subscribers = append(l.subscribers, fn)
	l.mu.Unlock()
}

func (l *EventLog) publish(evs []Committed) {
	if len(evs) == 0 {
		return
	}
	l.mu.RLock()
	subs := l.subscribers
	l.mu.RUnlock()
	for _, fn := range subs {
		fn(evs)
	}
}

func (l *EventLog) build(c *Call, account string, connected bool, eventType string, snap []byte, previous store.Obj) store.Obj {
	data := store.Obj{"object": json.RawMessage(snap)}
	if previous != nil {
		data["previous_attributes"] = previous
	}
	var req store.Obj
	if c.RequestID != "" {
		req = store.Obj{"id": c.RequestID, "idempotency_key": nilIfEmpty(c.IdempotencyKey)}
	} else {
		// Events caused by time passing (renewals, retries) have no request.
		req = store.Obj{"id": nil, "idempotency_key": nil}
	}
	ev := store.Obj{
		"id":               c.IDs.Long("evt_"),
		"object":           "event",
		"api_version":      APIVersion,
		"created":          c.Now,
		"data":             data,
		"livemode":         false,
		"pending_webhooks": 0,
		"request":          req,
		"type":             eventType,
	}
	if connected {
		ev["account"] = account
	}
	if l.Pending != nil {
		ev["pending_webhooks"] = l.Pending(account, eventType)
	}
	return ev
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
