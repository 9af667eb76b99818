package api

import (
	"strconv"
	"sync"

	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
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
	ID      string
	Type    string
	Created int64
	JSON    []byte // the event as stored: read it, never change it
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

// build writes the event straight to its stored JSON, around the object
// snapshot already encoded: an event is all fixed fields but that one, so
// encoding it as a map would only copy the snapshot once more. Keys come in
// the sorted order Marshal gives every stored document.
func (l *EventLog) build(c *Call, account string, connected bool, eventType string, snap []byte, previous store.Obj) Committed {
	ev, b := l.open(c, account, connected, eventType, len(snap)+64*len(previous))
	b = append(b, snap...)
	return l.close(c, ev, b, previous)
}

// open starts an event: its fields up to the object, in a buffer with
// room for an object of about objectSize bytes and the fields after it.
func (l *EventLog) open(c *Call, account string, connected bool, eventType string, objectSize int) (Committed, []byte) {
	ev := Committed{Account: account, ID: c.IDs.Long("evt_"), Type: eventType, Created: c.Now}
	b := make([]byte, 0, objectSize+320)
	b = append(b, '{')
	if connected {
		b = append(b, `"account":`...)
		b = jsonenc.AppendString(b, account)
		b = append(b, ',')
	}
	b = append(b, `"api_version":`...)
	b = jsonenc.AppendString(b, APIVersion)
	if connected {
		// The account to act as to fetch what the event names (basil
		// added context beside account on Connect events, 2025-04-30).
		b = append(b, `,"context":`...)
		b = jsonenc.AppendString(b, account)
	}
	b = append(b, `,"created":`...)
	b = strconv.AppendInt(b, c.Now, 10)
	b = append(b, `,"data":{"object":`...)
	return ev, b
}

// close ends an event whose object b ends with.
func (l *EventLog) close(c *Call, ev Committed, b []byte, previous store.Obj) Committed {
	pending := 0
	if l.Pending != nil {
		pending = l.Pending(ev.Account, ev.Type)
	}
	if previous != nil {
		b = append(b, `,"previous_attributes":`...)
		var err error
		if b, err = jsonenc.Append(b, previous); err != nil {
			panic("api: previous_attributes do not encode: " + err.Error())
		}
	}
	b = append(b, `},"id":`...)
	b = jsonenc.AppendString(b, ev.ID)
	b = append(b, `,"livemode":false,"object":"event","pending_webhooks":`...)
	b = strconv.AppendInt(b, int64(pending), 10)
	// Events caused by time passing (renewals, retries) have no request
	// and no key; those of a customer on Stripe's pages (Checkout) have
	// the page's key but no request of the merchant's.
	b = append(b, `,"request":{"id":`...)
	b = appendStringOrNull(b, c.RequestID)
	b = append(b, `,"idempotency_key":`...)
	b = appendStringOrNull(b, c.IdempotencyKey)
	b = append(b, `},"type":`...)
	b = jsonenc.AppendString(b, ev.Type)
	ev.JSON = append(b, '}')
	return ev
}

func appendStringOrNull(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return jsonenc.AppendString(b, s)
}
