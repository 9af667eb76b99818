// Package delivery sends events to webhook endpoints the way Stripe does
// (signed POSTs, retried on failure) under a delivery policy a test
// chooses: in order, reversed, shuffled by seed, duplicated, delayed,
// held until released, several at once. Every random choice comes from
// the dispatcher's seed, so an order that broke an app can be replayed.
package delivery

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/clock"
)

// Endpoint is where events go.
type Endpoint struct {
	ID, URL, Secret string
	Account         string   // owner: "" is the platform
	Connect         bool     // a platform endpoint for connected accounts' events
	EnabledEvents   []string // "*" = all
	Disabled        bool
	// Everywhere, on a platform endpoint, takes the platform's events and
	// its connected accounts' (an event destination with events_from
	// self and other_accounts).
	Everywhere bool
	// Thin marks an event destination taking thin (v2) events; every
	// other endpoint takes snapshot (v1) events.
	Thin bool
	// PreviousSecret, after a roll, still signs deliveries until
	// PreviousSecretExpires on the emulator clock.
	PreviousSecret        string
	PreviousSecretExpires time.Time
}

// Event is one event ready to send.
type Event struct {
	ID, Type string
	Account  string // "" for the platform's own events
	Created  int64
	Payload  []byte
	// Thin is a v2 thin event (for thin event destinations only).
	Thin bool
	// Object is the id of the object the event is about, where someone
	// asks after its delivery (Awaiting); "" otherwise.
	Object string
}

// Order is the order a batch of deliveries starts in.
type Order string

const (
	InOrder Order = "inorder"
	Reverse Order = "reverse"
	Shuffle Order = "shuffle"
)

// Policy is how one endpoint receives its events.
type Policy struct {
	Order Order `json:"order,omitempty"`
	// Duplicate sends every event this many extra times.
	Duplicate int `json:"duplicate,omitempty"`
	// DuplicateFraction sends a seeded fraction of events once more.
	DuplicateFraction float64 `json:"duplicate_fraction,omitempty"`
	// Delay holds events back on the emulator clock, by type, group
	// ("checkout.session.*") or "*" for all, the most specific winning.
	Delay map[string]time.Duration `json:"delay,omitempty"`
	// Hold queues everything until released.
	Hold bool `json:"hold,omitempty"`
	// Concurrency is how many deliveries may be in flight at once (≥1).
	Concurrency int `json:"concurrency,omitempty"`
}

// Attempt is one delivery attempt.
type Attempt struct {
	EventID      string        `json:"event_id"`
	EventType    string        `json:"event_type"`
	EndpointID   string        `json:"endpoint_id"`
	Copy         int           `json:"copy"`
	Redelivery   bool          `json:"redelivery,omitempty"` // a resend asked for, not a copy the policy made
	Number       int           `json:"attempt"`
	At           time.Time     `json:"at"`
	Status       int           `json:"status"`
	Error        string        `json:"error,omitempty"`
	ResponseBody string        `json:"response_body,omitempty"`
	Duration     time.Duration `json:"duration_ns"`
	OK           bool          `json:"ok"`
	NextRetry    *time.Time    `json:"next_retry,omitempty"`
}

// Config sets a dispatcher up.
type Config struct {
	Clock      *clock.Clock
	HTTPClient *http.Client
	Seed       uint64
	// RetrySchedule: the waits after each failed attempt (test mode: a
	// few retries over a few hours).
	RetrySchedule []time.Duration
	Timeout       time.Duration
	// SignTime stamps signatures; receivers check it against their wall
	// clock, so it is the wall clock by default.
	SignTime func() time.Time
	// OnResult hears the outcome of each event's delivery to each
	// endpoint it was published to (for pending_webhooks): its first
	// success, whichever copy or redelivery made it, or the final failure
	// of its first copy. at is the attempt's moment on the emulator clock.
	OnResult func(ev Event, endpointID string, ok bool, at time.Time)
}

// DefaultRetrySchedule is Stripe test mode's: three retries over hours.
var DefaultRetrySchedule = []time.Duration{5 * time.Minute, time.Hour, 3 * time.Hour}

type delivery struct {
	ev      Event
	copy    int
	attempt int // attempts made so far
	// due is when the delivery falls (or fell) due on the emulator clock:
	// its attempt is made as of then, and its retry counted from then.
	due time.Time
	seq int
	// resent marks a redelivery to an endpoint the event was not
	// published to: its outcome changes no pending_webhooks.
	resent bool
	// redelivery marks any resend, so attempts tell it from the original.
	redelivery bool
}

type endpointState struct {
	ep      Endpoint
	ordinal int
	policy  Policy
	rng     *rand.Rand
	held    []delivery
	waiting []delivery // delayed or retrying, due on the clock
	ready   []delivery
	running int
	// flying are the deliveries in flight, until their result is heard.
	flying []delivery
}

// Dispatcher delivers events. It is safe for concurrent use.
type Dispatcher struct {
	cfg       Config
	mu        sync.Mutex
	cond      *sync.Cond
	endpoints map[string]*endpointState
	defaultP  Policy
	attempts  []Attempt
	reported  map[[2]string]bool // event and endpoint ids whose success OnResult heard
	// dropped are the event and endpoint ids of first deliveries dropped
	// untried (the endpoint disabled): the event was still sent there.
	dropped  map[[2]string]bool
	inflight int
	seq      int
	created  int
	closed   bool
	// gen counts resets: a delivery in flight across one is neither
	// logged nor reported, its event gone with the reset.
	gen        int
	removeTick func()
	wg         sync.WaitGroup
	// movedFrom is where the clock stood before the move under way
	// (moving, from tick to EndMove): the work the clock does in it
	// records events dated between then and now.
	movedFrom, lastTick time.Time
	moving              bool
}

// New starts a dispatcher.
func New(cfg Config) *Dispatcher {
	if cfg.Clock == nil {
		cfg.Clock = clock.New()
	}
	if cfg.HTTPClient == nil {
		// Stripe "considers any redirect response to be a failure": the
		// 3xx is the answer, not a hop to follow.
		cfg.HTTPClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if cfg.RetrySchedule == nil {
		cfg.RetrySchedule = DefaultRetrySchedule
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.SignTime == nil {
		cfg.SignTime = time.Now
	}
	if cfg.Seed == 0 {
		cfg.Seed = RandomSeed()
	}
	d := &Dispatcher{cfg: cfg, endpoints: map[string]*endpointState{}, reported: map[[2]string]bool{}, dropped: map[[2]string]bool{}}
	d.movedFrom = cfg.Clock.Now()
	d.lastTick = d.movedFrom
	d.cond = sync.NewCond(&d.mu)
	d.removeTick = cfg.Clock.OnTick(d.tick)
	return d
}

// RandomSeed picks a seed for a run not given one: below 2^53, so it
// comes through every JSON reader exactly (JavaScript's holds numbers as
// doubles), and the seed a team reads from /_emu/health replays the run.
func RandomSeed() uint64 { return rand.Uint64N(1<<53-1) + 1 }

// Seed is the seed every random choice derives from.
func (d *Dispatcher) Seed() uint64 { return d.cfg.Seed }

// rngFor derives an endpoint's random source from the seed and the
// endpoint's place in creation order (not its id, which differs between
// runs), so the same seed replays the same choices.
func (d *Dispatcher) rngFor(ordinal int) *rand.Rand {
	return rand.New(rand.NewPCG(d.cfg.Seed, uint64(ordinal)*0x9e3779b97f4a7c15+1))
}

// PutEndpoint adds or updates an endpoint.
func (d *Dispatcher) PutEndpoint(ep Endpoint) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if st, ok := d.endpoints[ep.ID]; ok {
		st.ep = ep
		if ep.Disabled {
			// Retries, delays and what is held stay: Stripe drops an
			// event's retries only if the endpoint is still disabled when
			// one falls due, and keeps them when it was enabled again
			// before; a release is when held deliveries fall due.
			d.dropLocked(st, st.ready)
			st.ready = nil
		}
		return
	}
	d.created++
	d.endpoints[ep.ID] = &endpointState{ep: ep, policy: d.defaultP, ordinal: d.created, rng: d.rngFor(d.created)}
}

// RemoveEndpoint stops all delivery to an endpoint.
func (d *Dispatcher) RemoveEndpoint(id string) {
	d.mu.Lock()
	delete(d.endpoints, id)
	d.cond.Broadcast()
	d.mu.Unlock()
}

// Reset forgets every endpoint, queued delivery, attempt and the default
// policy, as a new dispatcher with the same seed: the endpoints made after
// it draw the choices the first ones of a fresh dispatcher drew.
func (d *Dispatcher) Reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.endpoints = map[string]*endpointState{}
	d.attempts, d.reported, d.dropped = nil, map[[2]string]bool{}, map[[2]string]bool{}
	d.defaultP = Policy{}
	d.seq, d.created = 0, 0
	d.gen++
	d.cond.Broadcast()
}

// Endpoints lists the endpoints, sorted by id (creation order).
func (d *Dispatcher) Endpoints() []Endpoint {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Endpoint, 0, len(d.endpoints))
	for _, st := range d.endpoints {
		out = append(out, st.ep)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// SetPolicy changes one endpoint's policy (and reseeds its choices, so a
// replay from the same point gives the same order).
func (d *Dispatcher) SetPolicy(endpointID string, p Policy) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, ok := d.endpoints[endpointID]
	if !ok {
		return fmt.Errorf("no webhook endpoint %s", endpointID)
	}
	st.policy = p
	st.rng = d.rngFor(st.ordinal)
	if !p.Hold && len(st.held) > 0 {
		released := st.held
		st.held = nil
		d.order(st, released)
		d.release(st, released)
		d.pumpLocked()
	}
	return nil
}

// SetDefaultPolicy sets the policy of endpoints added from now on.
func (d *Dispatcher) SetDefaultPolicy(p Policy) {
	d.mu.Lock()
	d.defaultP = p
	d.mu.Unlock()
}

// Policy returns an endpoint's policy.
func (d *Dispatcher) Policy(endpointID string) (Policy, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, ok := d.endpoints[endpointID]
	if !ok {
		return Policy{}, false
	}
	return st.policy, true
}

func matches(ep Endpoint, ev Event) bool {
	if ep.Disabled || ep.Thin != ev.Thin {
		return false
	}
	switch {
	case ep.Account != "" && ep.Account != ev.Account:
		return false
	case ep.Account == "" && !ep.Everywhere && ep.Connect != (ev.Account != ""):
		return false
	}
	for _, t := range ep.EnabledEvents {
		if t == "*" || t == ev.Type {
			return true
		}
		if strings.HasSuffix(t, ".*") && strings.HasPrefix(ev.Type, strings.TrimSuffix(t, "*")) {
			return true
		}
	}
	return false
}

// Takes tells whether ep, enabled, takes an event of eventType recorded
// in account ("" for the platform).
func Takes(ep Endpoint, account, eventType string) bool {
	return matches(ep, Event{Type: eventType, Account: account})
}

// Matching counts the endpoints an event will go to (pending_webhooks).
func (d *Dispatcher) Matching(account, eventType string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, st := range d.endpoints {
		if matches(st.ep, Event{Type: eventType, Account: account}) {
			n++
		}
	}
	return n
}

func (d *Dispatcher) sortedEndpoints() []*endpointState {
	out := make([]*endpointState, 0, len(d.endpoints))
	for _, st := range d.endpoints {
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ep.ID < out[j].ep.ID })
	return out
}

// Publish queues a batch of events (one request's, in creation order). It
// never waits for HTTP.
func (d *Dispatcher) Publish(events ...Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	now := d.cfg.Clock.Now()
	for _, st := range d.sortedEndpoints() {
		var batch []delivery
		for _, ev := range events {
			if !matches(st.ep, ev) {
				continue
			}
			copies := 1 + max(st.policy.Duplicate, 0)
			if st.policy.DuplicateFraction > 0 && st.rng.Float64() < st.policy.DuplicateFraction {
				copies++
			}
			for i := 0; i < copies; i++ {
				d.seq++
				batch = append(batch, delivery{ev: ev, copy: i, seq: d.seq})
			}
		}
		d.order(st, batch)
		for _, dl := range batch {
			d.enqueue(st, dl, now)
		}
	}
	d.pumpLocked()
}

// order arranges deliveries that become due together per the policy.
func (d *Dispatcher) order(st *endpointState, batch []delivery) {
	switch st.policy.Order {
	case Reverse:
		for i, j := 0, len(batch)-1; i < j; i, j = i+1, j-1 {
			batch[i], batch[j] = batch[j], batch[i]
		}
	case Shuffle:
		st.rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
	}
}

// orderFirstAttempts orders the deliveries of a group not yet tried (the
// delays ending together) per the policy, in the places they hold among
// the retries falling due with them, which keep theirs.
func (d *Dispatcher) orderFirstAttempts(st *endpointState, group []delivery) {
	var at []int
	var fresh []delivery
	for i, dl := range group {
		if dl.attempt == 0 {
			at = append(at, i)
			fresh = append(fresh, dl)
		}
	}
	d.order(st, fresh)
	for k, i := range at {
		group[i] = fresh[k]
	}
}

// delayFor is the delay of an event type: the most specific entry naming
// it wins (the type, then the longest group such as "checkout.session.*",
// then "*"), as endpoints name the events they take.
func (p Policy) delayFor(eventType string) time.Duration {
	if d, ok := p.Delay[eventType]; ok {
		return d
	}
	best, bestLen := time.Duration(0), -1
	for k, d := range p.Delay {
		if prefix, ok := strings.CutSuffix(k, "*"); ok && strings.HasSuffix(prefix, ".") && strings.HasPrefix(eventType, prefix) && len(k) > bestLen {
			best, bestLen = d, len(k)
		}
	}
	if bestLen >= 0 {
		return best
	}
	return p.Delay["*"]
}

func (d *Dispatcher) enqueue(st *endpointState, dl delivery, now time.Time) {
	if st.policy.Hold {
		st.held = append(st.held, dl)
		return
	}
	dl.due = d.moment(dl.ev, now).Add(st.policy.delayFor(dl.ev.Type))
	if dl.due.After(now) {
		st.waiting = append(st.waiting, dl)
		return
	}
	st.ready = append(st.ready, dl)
}

// moment is when an event was made, as its delivery counts from it: its
// created time if the work of the clock's move under way made it (each
// piece at its moment, as a retry counts from its attempt), else now (a
// request's event, one dated by a test clock among them).
func (d *Dispatcher) moment(ev Event, now time.Time) time.Time {
	if t := time.Unix(ev.Created, 0); d.moving && ev.Created > 0 && !t.Before(d.movedFrom.Truncate(time.Second)) && t.Before(now) {
		return t
	}
	return now
}

// release makes held deliveries ready, due now: a release is when they
// are sent, whenever a delay or retry of theirs fell due. Released while
// the endpoint is disabled, they are dropped, as retries falling due then.
func (d *Dispatcher) release(st *endpointState, released []delivery) {
	if st.ep.Disabled {
		d.dropLocked(st, released)
		return
	}
	now := d.cfg.Clock.Now()
	for i := range released {
		released[i].due = now
	}
	st.ready = append(st.ready, released...)
}

// tick moves deliveries whose time came (delays, retries) to ready. It
// runs before the emulator's scheduled work (its hook is registered
// first) and starts the move EndMove ends after that work, so what the
// work publishes meanwhile sees where the move started.
func (d *Dispatcher) tick(now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.movedFrom, d.lastTick, d.moving = d.lastTick, now, true
	for _, st := range d.sortedEndpoints() {
		var due, still []delivery
		for _, dl := range st.waiting {
			if !dl.due.After(now) {
				due = append(due, dl)
			} else {
				still = append(still, dl)
			}
		}
		if len(due) == 0 {
			continue
		}
		st.waiting = still
		if st.ep.Disabled {
			d.dropLocked(st, due)
			continue // disabled as they fall due: no more attempts
		}
		sort.SliceStable(due, func(i, j int) bool {
			if !due[i].due.Equal(due[j].due) {
				return due[i].due.Before(due[j].due)
			}
			return due[i].seq < due[j].seq
		})
		// Deliveries due at the same moment are ordered together.
		for i := 0; i < len(due); {
			j := i
			for j < len(due) && due[j].due.Equal(due[i].due) {
				j++
			}
			group := due[i:j]
			d.orderFirstAttempts(st, group)
			if st.policy.Hold {
				// A hold keeps everything, retries and delays ending too.
				st.held = append(st.held, group...)
			} else {
				st.ready = append(st.ready, group...)
			}
			i = j
		}
	}
	d.pumpLocked()
}

// fallDue sends a retry the clock has already passed, as tick would: not
// to an endpoint disabled now, held under a hold, otherwise ready in its
// place by due time among what waits to go.
func (d *Dispatcher) fallDue(st *endpointState, dl delivery) {
	switch {
	case st.ep.Disabled:
	case st.policy.Hold:
		st.held = append(st.held, dl)
	default:
		i := slices.IndexFunc(st.ready, func(r delivery) bool { return r.due.After(dl.due) })
		if i < 0 {
			i = len(st.ready)
		}
		st.ready = slices.Insert(st.ready, i, dl)
	}
}

// EndMove ends the clock's move tick started: the owner of the clock's
// scheduled work calls it once that work is done.
func (d *Dispatcher) EndMove() {
	d.mu.Lock()
	d.moving = false
	d.mu.Unlock()
}

// pumpLocked starts deliveries up to each endpoint's concurrency.
func (d *Dispatcher) pumpLocked() {
	for _, st := range d.sortedEndpoints() {
		limit := max(st.policy.Concurrency, 1)
		for st.running < limit && len(st.ready) > 0 {
			dl := st.ready[0]
			st.ready = st.ready[1:]
			st.running++
			st.flying = append(st.flying, dl)
			d.inflight++
			d.wg.Add(1)
			go d.deliver(st, dl)
		}
	}
	d.cond.Broadcast()
}

// Sign computes Stripe's test-mode signature header for a payload: a v1
// signature per live secret (two while one is rolled), then the fake v0
// signature Stripe adds to test-mode events, which no secret verifies.
func Sign(t time.Time, payload []byte, secrets ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "t=%d", t.Unix())
	for _, secret := range secrets {
		b.WriteString(",v1=" + signature(secret, t, payload))
	}
	b.WriteString(",v0=" + signature("v0 is not verified: "+strings.Join(secrets, ","), t, payload))
	return b.String()
}

func signature(secret string, t time.Time, payload []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", t.Unix())
	mac.Write(payload)
	return hex.EncodeToString(mac.Sum(nil))
}

// secrets are the secrets signing a delivery to ep made at at (on the
// emulator clock).
func secrets(ep Endpoint, at time.Time) []string {
	if ep.PreviousSecret != "" && at.Before(ep.PreviousSecretExpires) {
		return []string{ep.Secret, ep.PreviousSecret}
	}
	return []string{ep.Secret}
}

func (d *Dispatcher) deliver(st *endpointState, dl delivery) {
	defer d.wg.Done()
	d.mu.Lock()
	ep, gen := st.ep, d.gen
	d.mu.Unlock()
	dl.attempt++
	// The attempt is made as of the moment it fell due: a clock moved
	// past several retries in one step makes each at its own moment, as
	// RunDue runs scheduled work (never later than now, should the clock
	// have been set back).
	at := d.cfg.Clock.Now()
	if !dl.due.IsZero() && dl.due.Before(at) {
		at = dl.due
	}
	start := time.Now()
	status, body, err := d.post(ep, dl.ev.Payload, at)
	ok := err == nil && status >= 200 && status < 300
	att := Attempt{EventID: dl.ev.ID, EventType: dl.ev.Type, EndpointID: ep.ID, Copy: dl.copy, Redelivery: dl.redelivery, Number: dl.attempt,
		At: at, Status: status, ResponseBody: body, Duration: time.Since(start), OK: ok}
	if err != nil {
		att.Error = err.Error()
	}
	final := ok
	d.mu.Lock()
	if gen != d.gen {
		// Reset while in flight: the event and its endpoint are gone.
		st.running--
		st.land(dl)
		d.inflight--
		d.pumpLocked()
		d.mu.Unlock()
		return
	}
	if !ok && dl.attempt <= len(d.cfg.RetrySchedule) && !d.closed {
		if cur, still := d.endpoints[ep.ID]; still && cur == st {
			// Counted from this attempt's moment: a retry the clock has
			// already passed falls due at once, as the tick would have
			// made it.
			next := at.Add(d.cfg.RetrySchedule[dl.attempt-1])
			att.NextRetry = &next
			dl.due = next
			if next.After(d.cfg.Clock.Now()) {
				st.waiting = append(st.waiting, dl)
			} else {
				d.fallDue(st, dl)
			}
		} else {
			final = true
		}
	} else if !ok {
		final = true
	}
	d.attempts = append(d.attempts, att)
	st.running--
	d.pumpLocked()
	// A success is reported once per event and endpoint, whichever copy
	// a duplicating policy sent made it: a resend of what already arrived
	// counts nothing down again. A failure is final for the first copy.
	report := !dl.resent && !d.reported[[2]string{dl.ev.ID, ep.ID}] && (ok || final && dl.copy == 0)
	if report && ok {
		d.reported[[2]string{dl.ev.ID, ep.ID}] = true
	}
	d.mu.Unlock()
	if report && d.cfg.OnResult != nil {
		d.cfg.OnResult(dl.ev, ep.ID, ok, at)
	}
	// In flight until its result is heard: a Flush returning then finds
	// pending_webhooks as this delivery left it.
	d.mu.Lock()
	st.land(dl)
	d.inflight--
	d.cond.Broadcast()
	d.mu.Unlock()
}

// land takes a delivery whose result was heard off the flying list.
func (st *endpointState) land(dl delivery) {
	if i := slices.IndexFunc(st.flying, func(f delivery) bool { return f.seq == dl.seq }); i >= 0 {
		st.flying = slices.Delete(st.flying, i, i+1)
	}
}

// post sends one attempt, signed with the secrets alive at its moment.
func (d *Dispatcher) post(ep Endpoint, payload []byte, at time.Time) (int, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(payload))
	if err != nil {
		return 0, "", err
	}
	// The headers Stripe's deliveries carry, as receivers log them.
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
	req.Header.Set("Cache-Control", "no-cache")
	req.Header.Set("Accept", "*/*; q=0.5, application/xml")
	req.Header.Set("Stripe-Signature", Sign(d.cfg.SignTime(), payload, secrets(ep, at)...))
	resp, err := d.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, string(b), nil
}

// Release sends everything held for an endpoint, in policy order.
func (d *Dispatcher) Release(endpointID string) error {
	return d.ReleaseMatching(endpointID, func(Event) bool { return true })
}

// ReleaseMatching sends the held events a filter picks.
func (d *Dispatcher) ReleaseMatching(endpointID string, pick func(Event) bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, ok := d.endpoints[endpointID]
	if !ok {
		return fmt.Errorf("no webhook endpoint %s", endpointID)
	}
	var keep, released []delivery
	for _, dl := range st.held {
		if pick(dl.ev) {
			released = append(released, dl)
		} else {
			keep = append(keep, dl)
		}
	}
	st.held = keep
	// What is released together is ordered together, per the policy.
	d.order(st, released)
	d.release(st, released)
	d.pumpLocked()
	return nil
}

// ReleaseInOrder sends the held events named, in exactly that order.
func (d *Dispatcher) ReleaseInOrder(endpointID string, eventIDs ...string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, ok := d.endpoints[endpointID]
	if !ok {
		return fmt.Errorf("no webhook endpoint %s", endpointID)
	}
	// All or nothing: an id that is not held releases none of the others.
	held := slices.Clone(st.held)
	var released []delivery
	for _, id := range eventIDs {
		i := slices.IndexFunc(held, func(dl delivery) bool { return dl.ev.ID == id })
		if i < 0 {
			return fmt.Errorf("event %s is not held for %s; held: %s", id, endpointID, describeHeld(st.held))
		}
		released = append(released, held[i])
		held = slices.Delete(held, i, i+1)
	}
	st.held = held
	d.release(st, released)
	d.pumpLocked()
	return nil
}

// describeHeld lists held events as "evt_… (type)", for errors.
func describeHeld(held []delivery) string {
	if len(held) == 0 {
		return "nothing"
	}
	parts := make([]string, len(held))
	for i, dl := range held {
		parts[i] = fmt.Sprintf("%s (%s)", dl.ev.ID, dl.ev.Type)
	}
	return strings.Join(parts, ", ")
}

// Held lists the events held for an endpoint, in queue order (one entry
// per copy); ok is false when there is no such endpoint.
func (d *Dispatcher) Held(endpointID string) (held []Event, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, ok := d.endpoints[endpointID]
	if !ok {
		return nil, false
	}
	out := make([]Event, len(st.held))
	for i, dl := range st.held {
		out[i] = dl.ev
	}
	return out, true
}

// Pending is a delivery waiting on the clock: delayed by the policy, or
// failed and waiting for its retry.
type Pending struct {
	Event    Event
	Copy     int
	Attempts int // attempts made so far (0: delayed, not yet tried)
	Due      time.Time
}

// Waiting lists an endpoint's deliveries waiting on the clock, soonest
// first; ok is false when there is no such endpoint.
func (d *Dispatcher) Waiting(endpointID string) (waiting []Pending, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, ok := d.endpoints[endpointID]
	if !ok {
		return nil, false
	}
	dls := slices.Clone(st.waiting)
	sort.SliceStable(dls, func(i, j int) bool {
		if !dls[i].due.Equal(dls[j].due) {
			return dls[i].due.Before(dls[j].due)
		}
		return dls[i].seq < dls[j].seq
	})
	out := make([]Pending, len(dls))
	for i, dl := range dls {
		out[i] = Pending{Event: dl.ev, Copy: dl.copy, Attempts: dl.attempt, Due: dl.due}
	}
	return out, true
}

// Redeliver sends an event to an endpoint again, as a new series of
// attempts (Stripe's "resend").
func (d *Dispatcher) Redeliver(ev Event, endpointID string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, ok := d.endpoints[endpointID]
	if !ok {
		return fmt.Errorf("no webhook endpoint %s", endpointID)
	}
	if st.ep.Disabled {
		// A disabled endpoint receives nothing, a resend neither.
		return fmt.Errorf("webhook endpoint %s is disabled: enable it to redeliver to it", endpointID)
	}
	d.seq++
	st.ready = append(st.ready, delivery{ev: ev, copy: 0, seq: d.seq, due: d.cfg.Clock.Now(), resent: !d.publishedLocked(st, ev.ID), redelivery: true})
	d.pumpLocked()
	return nil
}

// publishedLocked tells whether an event was published to an endpoint,
// so its pending_webhooks counted it: a first delivery of it was tried
// there, still waits to be, or was dropped untried. Whether the endpoint
// takes the event now does not tell: it may have been made, or its
// enabled_events changed, since. Asked on a resend only, so publishing
// keeps no record of it.
func (d *Dispatcher) publishedLocked(st *endpointState, eventID string) bool {
	first := func(dl delivery) bool { return dl.ev.ID == eventID && !dl.redelivery }
	if slices.ContainsFunc(st.ready, first) || slices.ContainsFunc(st.flying, first) ||
		slices.ContainsFunc(st.held, first) || slices.ContainsFunc(st.waiting, first) {
		return true
	}
	if d.dropped[[2]string{eventID, st.ep.ID}] {
		return true
	}
	return slices.ContainsFunc(d.attempts, func(a Attempt) bool {
		return a.EventID == eventID && a.EndpointID == st.ep.ID && !a.Redelivery
	})
}

// dropLocked remembers the first deliveries among dls dropped untried,
// so a resend there counts down pending_webhooks as theirs would have.
func (d *Dispatcher) dropLocked(st *endpointState, dls []delivery) {
	for _, dl := range dls {
		if !dl.redelivery && dl.attempt == 0 {
			d.dropped[[2]string{dl.ev.ID, st.ep.ID}] = true
		}
	}
}

// Awaiting tells whether an event of typ about object, in account, still
// has deliveries to come: due now, in flight, held, or waiting on the
// clock. next is the soonest of those on the clock: now for one due or in
// flight, zero when only held ones are left (they wait for a release).
func (d *Dispatcher) Awaiting(account, typ, object string) (pending bool, next time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	about := func(dl delivery) bool {
		return dl.ev.Object == object && dl.ev.Type == typ && dl.ev.Account == account
	}
	now := d.cfg.Clock.Now()
	soonest := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	for _, st := range d.endpoints {
		if slices.ContainsFunc(st.ready, about) || slices.ContainsFunc(st.flying, about) {
			pending = true
			soonest(now)
		}
		if slices.ContainsFunc(st.held, about) {
			pending = true
		}
		for _, dl := range st.waiting {
			if about(dl) {
				pending = true
				soonest(dl.due)
			}
		}
	}
	return pending, next
}

// Attempts returns every attempt so far, in the order they finished.
func (d *Dispatcher) Attempts() []Attempt {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Attempt(nil), d.attempts...)
}

// Flush waits until nothing is due now and nothing is in flight; held,
// delayed and retrying deliveries wait for the clock or a release.
func (d *Dispatcher) Flush(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		d.mu.Lock()
		d.cond.Broadcast()
		d.mu.Unlock()
	})
	defer stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		if d.idleLocked() {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		d.cond.Wait()
	}
}

func (d *Dispatcher) idleLocked() bool {
	if d.inflight > 0 {
		return false
	}
	for _, st := range d.endpoints {
		if len(st.ready) > 0 {
			return false
		}
	}
	return true
}

// Close stops delivering; queued work is dropped. Safe twice.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	for _, st := range d.endpoints {
		st.ready, st.waiting, st.held = nil, nil, nil
	}
	d.cond.Broadcast()
	d.mu.Unlock()
	d.removeTick()
	d.wg.Wait()
}
