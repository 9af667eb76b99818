package api

import (
	"encoding/json"
	"reflect"
	"slices"
	"sync"
	"unsafe"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/delivery"
	"github.com/stripe-emu/stripe-emu/emulator/internal/eventtypes"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Call is one API request as a resource handler sees it: validated params,
// the account in scope, and an open store transaction. Everything a handler
// writes through it commits together with the events it emits.
type Call struct {
	*Env
	Tx     *store.Tx
	Params params.Values
	Vars   map[string]string // path variables

	Account   string // the account whose objects are in scope
	Connected bool   // Account is a connected account (Stripe-Account header)
	Now       int64  // emulator time, fixed for the whole request
	// NowFixed says Now is the moment of work time made due (a renewal, a
	// schedule's phase): handlers run for it keep that time rather than
	// reading a test clock's.
	NowFixed       bool
	RequestID      string
	IdempotencyKey string
	APIVersion     string
	// AskedVersion is the Stripe-Version the request named ("" when none),
	// which APIVersion is not when an older one is answered in basil's
	// shapes: an endpoint that older versions lack refuses it.
	AskedVersion string
	Path         string
	// Endpoint is the route the request matched ("POST /v1/customers/{id}"),
	// for naming it in errors.
	Endpoint string
	// ClientIP is the address the request came from (a token's client_ip),
	// "" for work no request made.
	ClientIP string
	// Upload is the file a multipart request carried (Route.Upload), nil
	// for any other request.
	Upload *Upload
	// Publishable says a publishable key made the request (only on a
	// Route.Publishable endpoint).
	Publishable bool

	// v2 says the request came through the v2 pipeline (its errors are
	// rendered in v2's envelope).
	v2 bool

	// contentType is what a Blob answer is served as ("" for JSON).
	contentType string

	events  []Committed
	scratch map[string]any // values hooks of one request hand each other
	stall   func()         // an injected delay or hold, run before the transaction
	later   []func() error
	after   []func()
	refused error // see Refuse
	// stored is each object's encoding as this request last stored it,
	// by map identity, so an event about an object just stored reuses
	// the bytes instead of encoding it again.
	stored storedSet
	// journal, inside a Sandbox, records what to put back.
	journal *journal
}

// PageURL is the address of one of the emulator's own pages (Checkout,
// hosted invoices, receipts) for an object of the call's account: a
// connected account's carries ?account=, as Stripe's hosted pages carry
// the account in their URLs.
func (c *Call) PageURL(path string) string {
	if c.Connected {
		return c.BaseURL() + path + "?account=" + c.Account
	}
	return c.BaseURL() + path
}

// AfterCommit runs fn once the request's transaction has committed (to
// tell the world outside the store, e.g. the webhook dispatcher).
func (c *Call) AfterCommit(fn func()) { c.after = append(c.after, fn) }

// PutWebhookEndpoint tells the webhook dispatcher of an endpoint made or
// changed (a webhook endpoint, a v2 event destination) once the request
// commits; RemoveWebhookEndpoint of one deleted.
func (c *Call) PutWebhookEndpoint(ep delivery.Endpoint) {
	if c.Webhooks != nil {
		c.AfterCommit(func() { c.Webhooks.PutEndpoint(ep) })
	}
}

func (c *Call) RemoveWebhookEndpoint(id string) {
	if c.Webhooks != nil {
		c.AfterCommit(func() { c.Webhooks.RemoveEndpoint(id) })
	}
}

func (c *Call) runAfterCommit() {
	for _, fn := range c.after {
		fn()
	}
	c.after = nil
}

// Refuse fails the request with err once its handler returns, whatever
// the handler answers, so nothing it wrote is kept: for a helper that finds
// bad input deep inside a computation it returns no error from (an amount
// past what an int64 holds). The first refusal wins.
func (c *Call) Refuse(err error) {
	if c.refused == nil {
		c.refused = err
	}
}

// Later queues work that must follow this request's own events (billing
// reacting to a payment it did not make): it runs, in the same
// transaction, when the handler returns or when Flush is called.
func (c *Call) Later(fn func() error) { c.later = append(c.later, fn) }

// Flush runs queued Later work now (including work it queues in turn).
func (c *Call) Flush() error {
	for len(c.later) > 0 {
		fn := c.later[0]
		c.later = c.later[1:]
		if err := fn(); err != nil {
			return err
		}
	}
	return nil
}

// SetScratch keeps a value for later hooks of the same request.
func (c *Call) SetScratch(key string, v any) {
	if c.scratch == nil {
		c.scratch = map[string]any{}
	}
	c.scratch[key] = v
}

// Scratch returns a value an earlier hook of this request kept.
func (c *Call) Scratch(key string) any { return c.scratch[key] }

// Var returns a path variable.
func (c *Call) Var(name string) string { return c.Vars[name] }

// NewID makes an id for a kind of object.
func (c *Call) NewID(object string) string {
	k := c.Registry.Kind(object)
	if k.ShortID {
		return c.IDs.Short(k.Prefix)
	}
	return c.IDs.Long(k.Prefix)
}

// Load fetches an object of the account in scope, or answers Stripe's
// resource_missing. param names where the id came from ("" or "id" for the
// URL path).
func (c *Call) Load(object, id, param string) (store.Obj, error) {
	o, ok := c.Tx.Get(c.Account, object, id)
	if !ok {
		return nil, apierr.NoSuchObject(c.Registry.Kind(object).Name, id, param)
	}
	return o, nil
}

// Insert stores a new object and emits "<object>.created".
func (c *Call) Insert(o store.Obj) error {
	return c.PutEmit(o, c.Registry.EventType(o["object"].(string), "created"), nil)
}

// Save stores a changed object and emits "<object>.updated" with the
// previous values of what changed; nothing is emitted when nothing changed.
func (c *Call) Save(before, after store.Obj) error {
	if store.CheckShared && len(after) > 0 && reflect.ValueOf(before).UnsafePointer() == reflect.ValueOf(after).UnsafePointer() {
		// Objects from Get are shared within a transaction: a second Get
		// is not a copy to change.
		panic("api: Save of an object against itself: Clone the object before changing it")
	}
	prev := PreviousAttributes(before, after)
	if len(prev) == 0 {
		return nil
	}
	typ := c.Registry.EventType(after["object"].(string), "updated")
	if !eventtypes.IsV1(typ) {
		// Stripe sends no such event (invoiceitem.updated,
		// payment_intent.updated): the change is only stored.
		return c.Put(after)
	}
	return c.PutEmit(after, typ, prev)
}

// PutEmit stores o and records eventType with o as just stored. o is
// encoded once, into the event's own buffer, and the store keeps the
// object's part of that buffer: the event and the object share their
// bytes instead of holding two copies. previous is the event's
// previous_attributes, if any.
func (c *Call) PutEmit(o store.Obj, eventType string, previous store.Obj) error {
	if c.Registry.overLimit(Str(o["object"]), o) {
		// The event shows a list cut to its first page: stored whole,
		// encoded apart.
		if _, err := c.put(o); err != nil {
			return err
		}
		c.EmitIn(c.Account, eventType, o, previous)
		return nil
	}
	ev, b := c.openEvent(c.Account, eventType, o, previous)
	b, err := c.putAppend(c.Account, o, b)
	if err != nil {
		return err
	}
	c.events = append(c.events, c.Events.close(c, ev, b, previous))
	return nil
}

// Put stores an object without emitting anything.
func (c *Call) Put(o store.Obj) error {
	_, err := c.put(o)
	return err
}

// Stored is o's encoding as this request last stored it (the store's
// own bytes: never change them), if it stored o.
func (c *Call) Stored(o store.Obj) ([]byte, bool) { return c.storedSnapshot(o) }

func (c *Call) storedSnapshot(o store.Obj) ([]byte, bool) {
	if i := c.stored.find(reflect.ValueOf(o).UnsafePointer()); i >= 0 {
		return c.stored.list[i].snap, true
	}
	return nil, false
}

// storedObj keeps the object itself too, so its address cannot be reused
// by another map while the request runs.
type storedObj struct {
	obj  store.Obj
	snap []byte
}

// storedSet is what a call stored, by map identity: a short list, as most
// requests store a handful of objects, indexed once it grows (a test
// clock's advance stores thousands in one call).
type storedSet struct {
	list  []storedObj
	index map[unsafe.Pointer]int
}

const storedIndexAt = 16

func (s *storedSet) find(p unsafe.Pointer) int {
	if len(s.list) > storedIndexAt {
		if s.index == nil {
			s.index = make(map[unsafe.Pointer]int, len(s.list)*2)
			for i, st := range s.list {
				s.index[reflect.ValueOf(st.obj).UnsafePointer()] = i
			}
		}
		if i, ok := s.index[p]; ok {
			return i
		}
		return -1
	}
	for i, st := range s.list {
		if reflect.ValueOf(st.obj).UnsafePointer() == p {
			return i
		}
	}
	return -1
}

func (s *storedSet) put(o store.Obj, snap []byte) {
	p := reflect.ValueOf(o).UnsafePointer()
	if i := s.find(p); i >= 0 {
		s.list[i].snap = snap
		return
	}
	s.list = append(s.list, storedObj{o, snap})
	if s.index != nil {
		s.index[p] = len(s.list) - 1
	}
}

func (s *storedSet) reset() {
	s.list, s.index = s.list[:0], nil
}

func (s *storedSet) clone() storedSet { return storedSet{list: slices.Clone(s.list)} }

func (c *Call) put(o store.Obj) ([]byte, error) { return c.putIn(c.Account, o) }

// PutIn stores an object in another account's namespace without emitting
// anything (Connect moves money between accounts in one request: a
// destination charge's payment lands in the connected account).
func (c *Call) PutIn(account string, o store.Obj) error {
	_, err := c.putIn(account, o)
	return err
}

func (c *Call) putIn(account string, o store.Obj) ([]byte, error) {
	return c.putAppend(account, o, nil)
}

// openEvent starts an event in account about obj, in a buffer sized for
// obj's encoding and previous, which the caller appends.
func (c *Call) openEvent(account, eventType string, obj, previous store.Obj) (Committed, []byte) {
	typ, _ := obj["object"].(string)
	return c.Events.open(c, account, account != c.Platform, eventType, encodedSize(typ)+64*len(previous))
}

// putAppend stores o, encoded at the end of dst, and returns dst with the
// encoding appended (the appended bytes are the store's: never change
// them).
func (c *Call) putAppend(account string, o store.Obj, dst []byte) ([]byte, error) {
	noteSize(o)
	if c.journal != nil {
		c.journal.noteObj(c.Tx, account, o)
	}
	b, err := c.Tx.PutAppend(account, o, dst)
	if err != nil {
		return nil, err
	}
	snap := b[len(dst):len(b):len(b)]
	noteEncodedSize(o, len(snap))
	c.stored.put(o, snap)
	if hooks := WriteHooks[Str(o["object"])]; len(hooks) > 0 && c.journal == nil {
		for _, hook := range hooks {
			hook(c, account, o)
		}
	}
	return b, nil
}

// WriteHooks, by object type, run each time a request or background work
// stores an object of that type (not inside a Sandbox, whose writes are
// undone): a family whose state derives from another's objects (active
// entitlements from subscriptions) queues its work there with Later. They
// are registered at init and must stay cheap.
var WriteHooks = map[string][]func(c *Call, account string, o store.Obj){}

// Automatic runs fn as Stripe's own work that a request only set off
// (what Stripe does moments after answering): the events it records name
// no request and no idempotency key, as automatic events do.
func (c *Call) Automatic(fn func() error) error {
	requestID, key := c.RequestID, c.IdempotencyKey
	c.RequestID, c.IdempotencyKey = "", ""
	defer func() { c.RequestID, c.IdempotencyKey = requestID, key }()
	return fn()
}

// Emit records an event for obj in this request's transaction, in the
// account in scope.
func (c *Call) Emit(eventType string, obj store.Obj, previous store.Obj) {
	c.EmitIn(c.Account, eventType, obj, previous)
}

// EmitIn records an event in another account's namespace (account.updated
// belongs to the connected account even though the platform made it).
func (c *Call) EmitIn(account, eventType string, obj store.Obj, previous store.Obj) {
	if typ := Str(obj["object"]); c.Registry.overLimit(typ, obj) || c.Registry.overLimit(typ, previous) {
		// Stripe's payload shows the first page of a long embedded
		// list (an invoice's lines), as its answers do.
		obj, previous = c.Registry.limited(typ, obj), c.Registry.limited(typ, previous)
		c.emitEncoded(account, eventType, obj, previous)
		return
	}
	// Snapshot the object now: the handler may change it again before the
	// request ends, and the event must show this moment's state. An
	// object just stored is that state, already encoded (an object is
	// stored again after every change: race builds check it).
	snap, ok := c.storedSnapshot(obj)
	if ok && store.CheckShared {
		if fresh, _ := jsonenc.Marshal(obj); string(fresh) != string(snap) {
			panic("api: " + eventType + " about an object changed since it was stored: store it again first")
		}
	}
	if ok {
		c.emitSnapshot(account, eventType, snap, previous)
		return
	}
	// Not stored as it is now (a charge shown before its balance
	// transaction arrives): encoded straight into the event.
	c.emitEncoded(account, eventType, obj, previous)
}

// emitEncoded records an event about obj, encoded into the event.
func (c *Call) emitEncoded(account, eventType string, obj, previous store.Obj) {
	ev, b := c.openEvent(account, eventType, obj, previous)
	b, err := jsonenc.Append(b, obj)
	if err != nil {
		panic("api: event object does not encode: " + err.Error())
	}
	c.events = append(c.events, c.Events.close(c, ev, b, previous))
}

// emitSnapshot records an event whose object is already encoded (the
// bytes just stored: nothing can change them any more).
func (c *Call) emitSnapshot(account, eventType string, snap []byte, previous store.Obj) {
	c.events = append(c.events, c.Events.build(c, account, account != c.Platform, eventType, snap, previous))
}

// Base returns the fields every object has, in a map made big enough for
// the fields objects of that type were last stored with, so filling in the
// rest does not grow it step by step.
func (c *Call) Base(object, id string) store.Obj {
	size := 8
	if n, ok := objectSizes.Load(object); ok {
		size = n.(int)
	}
	o := make(store.Obj, size)
	o["id"], o["object"], o["livemode"], o["created"] = id, object, false, c.Now
	return o
}

// Object completes fields, a new object's own fields in a map made for
// it, with the fields every object has: one map, built once, instead of
// Base's map filled from another.
func (c *Call) Object(object, id string, fields store.Obj) store.Obj {
	fields["id"], fields["object"], fields["livemode"], fields["created"] = id, object, false, c.Now
	return fields
}

// objectSizes is how many fields each object type was last stored with.
var objectSizes sync.Map

// encodedSizes is how long each object type's JSON last was, so a
// buffer can be made big enough for the next one at once.
var encodedSizes sync.Map

func encodedSize(typ string) int {
	if n, ok := encodedSizes.Load(typ); ok {
		return n.(int)
	}
	return 1024
}

func noteEncodedSize(o store.Obj, n int) {
	typ, _ := o["object"].(string)
	// A little room over the size seen: the next object of the type may
	// carry a longer description or more metadata. Kept while it fits
	// and is not far too big, so most writes change nothing here.
	n += n / 8
	if m, ok := encodedSizes.Load(typ); !ok || n > m.(int) || n < m.(int)*3/4 {
		encodedSizes.Store(typ, n)
	}
}

func noteSize(o store.Obj) {
	typ, _ := o["object"].(string)
	if n, ok := objectSizes.Load(typ); !ok || n.(int) != len(o) {
		objectSizes.Store(typ, len(o))
	}
}

// Param errors handlers raise often.
func (c *Call) Require(names ...string) error {
	for _, n := range names {
		if !c.Params.Has(n) {
			return apierr.MissingParam(n)
		}
		if c.Params.Unset(n) {
			return apierr.InvalidEmpty(n)
		}
	}
	return nil
}

// Retrieve answers a GET of one object. Without expand[] it hands back the
// stored JSON as it is (no decode and re-encode: the hot path).
func (c *Call) Retrieve(object, id string) (any, error) {
	if len(c.Params.Strings("expand")) == 0 {
		raw, ok := c.Tx.GetRaw(c.Account, object, id)
		if !ok {
			return nil, apierr.NoSuchObject(c.Registry.Kind(object).Name, id, "id")
		}
		if k := c.Registry.Kind(object); len(k.EmbeddedLists) == 0 || !rawOverLimit(k, raw) {
			return json.RawMessage(raw), nil
		}
		// A list to cut to its first page (render does): decoded.
	}
	return c.Load(object, id, "id")
}

// ClockNow is the time for a customer: its test clock's frozen time if it
// is on one, else the call's (and always the call's for work made due at
// a moment, NowFixed).
func (c *Call) ClockNow(cus store.Obj) int64 {
	if c.NowFixed {
		return c.Now
	}
	if id := Str(cus["test_clock"]); id != "" {
		if clk, ok := c.Tx.Get(c.Account, "test_helpers.test_clock", id); ok {
			return Int(clk["frozen_time"])
		}
	}
	return c.Now
}
