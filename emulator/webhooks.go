package emulator

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/delivery"
	"github.com/stripe-emu/stripe-emu/emulator/internal/eventtypes"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billing"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coreevents"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/events"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/webhookendpoints"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
	"github.com/stripe-emu/stripe-emu/emulator/suggest"
	"github.com/tidwall/gjson"
)

// Webhook delivery types, re-exported for tests.
type (
	// WebhookPolicy is how one endpoint receives events.
	WebhookPolicy = delivery.Policy
	// WebhookAttempt is one delivery attempt.
	WebhookAttempt = delivery.Attempt
	// WebhookOrder is the order a batch of deliveries starts in.
	WebhookOrder = delivery.Order
)

// Delivery orders.
const (
	InOrder = delivery.InOrder
	Reverse = delivery.Reverse
	Shuffle = delivery.Shuffle
)

// startWebhooks wires the dispatcher to the event log and loads the
// endpoints a persisted store already has.
func (e *Emulator) startWebhooks() error {
	env := e.env
	d := delivery.New(delivery.Config{
		Clock:    e.cfg.clock,
		Seed:     e.cfg.seed,
		OnResult: e.delivered,
	})
	env.Webhooks = d
	env.Events.Pending = func(account, eventType string) int {
		if account == env.Platform {
			account = ""
		}
		return d.Matching(account, eventType)
	}
	env.Events.Subscribe(func(evs []api.Committed) {
		if len(d.Endpoints()) == 0 {
			return // nobody listens: skip rendering payloads
		}
		out := make([]delivery.Event, 0, len(evs))
		for _, c := range evs {
			acct := c.Account
			if acct == env.Platform {
				acct = ""
			}
			ev := delivery.Event{ID: c.ID, Type: c.Type, Account: acct, Created: c.Created,
				Payload: jsonenc.IndentCompact(nil, c.JSON, 0)}
			if c.Type == billing.WaitedEvent {
				// A draft's automatic finalization asks after its delivery.
				ev.Object = gjson.GetBytes(c.JSON, "data.object.id").String()
			}
			out = append(out, ev)
		}
		d.Publish(out...)
	})
	return env.Store.View(func(tx *store.Tx) error {
		for _, acct := range env.Accounts() {
			tx.Each(acct, "webhook_endpoint", func(o store.Obj) bool {
				d.PutEndpoint(webhookendpoints.ToEndpoint(tx, acct, env.Platform, o))
				return true
			})
			tx.Each(acct, "v2.core.event_destination", func(o store.Obj) bool {
				d.PutEndpoint(coreevents.ToEndpoint(tx, acct, env.Platform, o))
				return true
			})
		}
		return nil
	})
}

// delivered counts an event's pending_webhooks down once an endpoint got
// it. The last endpoint taking an invoice's invoice.created marks the
// invoice's webhooks delivered, in the same transaction.
func (e *Emulator) delivered(ev delivery.Event, endpointID string, ok bool, at time.Time) {
	if !ok {
		return
	}
	acct := ev.Account
	if acct == "" {
		acct = e.env.Platform
	}
	_ = e.env.Store.Update(func(tx *store.Tx) error {
		o, found := tx.Get(acct, "event", ev.ID)
		if !found {
			return nil
		}
		n := api.Int(o["pending_webhooks"])
		if n <= 0 {
			return nil
		}
		o["pending_webhooks"] = n - 1
		if err := tx.Put(acct, o); err != nil {
			return err
		}
		if n == 1 && ev.Type == billing.WaitedEvent && ev.Object != "" {
			return billing.WebhooksDelivered(tx, acct, ev.Object, at.Unix())
		}
		return nil
	})
}

// WebhookControl steers webhook delivery from a test.
type WebhookControl struct{ e *Emulator }

// Webhooks controls webhook delivery.
func (e *Emulator) Webhooks() WebhookControl { return WebhookControl{e} }

// Listen creates a webhook endpoint on the platform for url and returns
// its id and signing secret (events default to all).
func (w WebhookControl) Listen(endpointURL string, events ...string) (id, secret string, err error) {
	return w.ListenOn("", endpointURL, false, events...)
}

// ListenOn creates an endpoint on a connected account (account != "") or,
// with connect, a platform endpoint for connected accounts' events. Besides
// the event types Stripe takes (and *), events may name a group of them,
// "customer.*": a convenience of this API, which the Stripe API's
// enabled_events refuses. A name that is neither is an error.
func (w WebhookControl) ListenOn(account, endpointURL string, connect bool, events ...string) (id, secret string, err error) {
	if w.e.isClosed() {
		return "", "", errClosed
	}
	evs, err := listenEvents(events)
	if err != nil {
		return "", "", err
	}
	if account == "" {
		account = w.e.env.Platform
	}
	err = w.e.env.Background(account, func(c *api.Call) error {
		if account != w.e.env.Platform && !c.Tx.Exists(w.e.env.Platform, "account", account) {
			return fmt.Errorf("no connected account %s", account)
		}
		if connect {
			c.Params = params.NewValues(map[string]any{"connect": true})
		}
		o, err := webhookendpoints.Create(c, endpointURL, evs, "")
		if err != nil {
			return err
		}
		id = api.Str(o["id"])
		secret = webhookendpoints.Secret(c.Tx, c.Account, id)
		return nil
	})
	if err != nil {
		return "", "", fmt.Errorf("stripe-emu: creating the webhook endpoint: %w", err)
	}
	return id, secret, nil
}

// listenEvents checks the event types given to Listen and its kin (all
// of them when none are).
func listenEvents(events []string) ([]any, error) {
	if len(events) == 0 {
		events = []string{"*"}
	}
	evs := make([]any, len(events))
	for i, e := range events {
		if err := CheckEventType(e); err != nil {
			return nil, fmt.Errorf("stripe-emu: %w", err)
		}
		evs[i] = e
	}
	return evs, nil
}

// CheckEventType says whether name is an event type of the pinned API
// version, a group of them ("customer.*") or "*": what Listen and a
// policy's Delay take.
func CheckEventType(name string) error {
	group, isGroup := strings.CutSuffix(name, ".*")
	if name != "*" && !eventtypes.IsV1(name) && !(isGroup && eventtypes.IsGroup(group)) {
		return fmt.Errorf("%q is not an event type of %s, nor a group of them (customer.*) or *%s", name, api.APIVersion, suggest.Hint(name, eventtypes.V1()))
	}
	return nil
}

// checkDeliveredType says whether name is a type a policy's Delay or
// ReleaseTypes may name: one CheckEventType takes, or a thin event type
// (or group of them, "v1.billing.meter.*") a thin event destination
// receives.
func checkDeliveredType(name string) error {
	group, isGroup := strings.CutSuffix(name, ".*")
	for _, t := range coreevents.ThinTypes {
		if t == name || isGroup && strings.HasPrefix(t, group+".") {
			return nil
		}
	}
	if err := CheckEventType(name); err != nil {
		return fmt.Errorf("%w; nor a thin event type (%s)", err, strings.Join(coreevents.ThinTypes, ", "))
	}
	return nil
}

// CheckWebhookPolicy refuses a policy the dispatcher would not apply as
// written: an unknown order, negative counts or delays, a delay for an
// event type that does not exist.
func CheckWebhookPolicy(p WebhookPolicy) error {
	switch p.Order {
	case "", InOrder, Reverse, Shuffle:
	default:
		return fmt.Errorf("order %q: must be one of inorder, reverse, shuffle", p.Order)
	}
	switch {
	case p.Duplicate < 0:
		return fmt.Errorf("duplicate must not be negative, got %d", p.Duplicate)
	case p.DuplicateFraction < 0 || p.DuplicateFraction > 1:
		return fmt.Errorf("duplicate_fraction must be between 0 and 1, got %v", p.DuplicateFraction)
	case p.Concurrency < 0:
		return fmt.Errorf("concurrency must not be negative, got %d", p.Concurrency)
	}
	types := make([]string, 0, len(p.Delay))
	for t := range p.Delay {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		if err := checkDeliveredType(t); err != nil {
			return fmt.Errorf("delay: %w", err)
		}
		if p.Delay[t] < 0 {
			return fmt.Errorf("delay of %s must not be negative, got %s", t, p.Delay[t])
		}
	}
	return nil
}

// ListenWithSecret wires an endpoint with a secret of your choosing (the
// binary's --webhook/--webhook-secret), reusing one with the same URL (a
// Connect endpoint on that URL, ListenWithSecretOn's, is another). It
// is configuration, as the app's secret is: Reset makes it again (a new
// endpoint, with the same URL, secret and events). An empty secret keeps
// the secret of the endpoint it reuses (one kept in a data file), or makes
// a random one; Secret tells which.
func (w WebhookControl) ListenWithSecret(endpointURL, secret string, events ...string) (string, error) {
	return w.ListenWithSecretOn("", false, endpointURL, secret, events...)
}

// ListenWithSecretOn is ListenWithSecret on a connected account (account
// != "") or, with connect, for connected accounts' events. Reset makes a
// platform's endpoint again, not a connected account's, gone with it.
func (w WebhookControl) ListenWithSecretOn(account string, connect bool, endpointURL, secret string, events ...string) (string, error) {
	if w.e.isClosed() {
		return "", errClosed
	}
	id, err := w.listenWithSecretOn(account, connect, endpointURL, secret, events...)
	if err == nil && secret == "" {
		// Reset makes it again with the secret it signs with now.
		secret, _ = w.Secret(id)
	}
	if err == nil && account == "" {
		w.e.wire(wiredEndpoint{url: endpointURL, secret: secret, connect: connect, events: events})
	}
	return id, err
}

// Secret is the signing secret an endpoint (or event destination) signs
// its deliveries with now; ok is false for an id no endpoint has.
func (w WebhookControl) Secret(endpointID string) (secret string, ok bool) {
	for _, ep := range w.e.env.Webhooks.Endpoints() {
		if ep.ID == endpointID {
			return ep.Secret, true
		}
	}
	return "", false
}

// wire remembers a platform endpoint to make again on Reset (one per URL
// and kind, as ListenWithSecretOn reuses the endpoint of a URL and kind).
func (e *Emulator) wire(we wiredEndpoint) {
	e.mu.Lock()
	defer e.mu.Unlock()
	we.events = slices.Clone(we.events)
	for i := range e.wired {
		if e.wired[i].url == we.url && e.wired[i].connect == we.connect {
			e.wired[i] = we
			return
		}
	}
	e.wired = append(e.wired, we)
}

// rewire makes the wired endpoints again, in the order first wired.
func (e *Emulator) rewire() error {
	e.mu.Lock()
	wired := slices.Clone(e.wired)
	e.mu.Unlock()
	for _, we := range wired {
		if _, err := e.Webhooks().listenWithSecretOn("", we.connect, we.url, we.secret, we.events...); err != nil {
			return fmt.Errorf("stripe-emu: wiring %s again: %w", we.url, err)
		}
	}
	return nil
}

func (w WebhookControl) listenWithSecretOn(account string, connect bool, endpointURL, secret string, events ...string) (string, error) {
	if account == "" {
		account = w.e.env.Platform
	}
	evs, err := listenEvents(events)
	if err != nil {
		return "", err
	}
	var id string
	err = w.e.env.Background(account, func(c *api.Call) error {
		if account != w.e.env.Platform && !c.Tx.Exists(w.e.env.Platform, "account", account) {
			return fmt.Errorf("stripe-emu: no connected account %s", account)
		}
		// The endpoint of this URL of the same kind: an app registers its
		// one handler URL twice at Stripe, for its account's events and
		// for connected accounts', each endpoint with its own secret.
		var existing store.Obj
		c.Tx.Each(c.Account, "webhook_endpoint", func(o store.Obj) bool {
			if o["url"] == endpointURL && webhookendpoints.IsConnect(c.Tx, c.Account, api.Str(o["id"])) == connect {
				existing = o
			}
			return true
		})
		if existing != nil {
			id = api.Str(existing["id"])
			// No secret given keeps the endpoint's (one kept in a data
			// file), as a Stripe endpoint's stays until rolled.
			if secret != "" {
				if err := c.Tx.SetMeta("whsec:"+c.Account+":"+id, secret); err != nil {
					return err
				}
			}
			existing["enabled_events"] = evs
			if err := c.Put(existing); err != nil {
				return err
			}
			ep := webhookendpoints.ToEndpoint(c.Tx, c.Account, c.Platform, existing)
			c.AfterCommit(func() { c.Webhooks.PutEndpoint(ep) })
			return nil
		}
		if connect {
			c.Params = params.NewValues(map[string]any{"connect": true})
		}
		o, err := webhookendpoints.Create(c, endpointURL, evs, secret)
		if o != nil {
			id = api.Str(o["id"])
		}
		return err
	})
	return id, err
}

// SetPolicy changes how an endpoint receives events from now on.
func (w WebhookControl) SetPolicy(endpointID string, p WebhookPolicy) error {
	if err := CheckWebhookPolicy(p); err != nil {
		return fmt.Errorf("stripe-emu: %w", err)
	}
	return w.e.env.Webhooks.SetPolicy(endpointID, p)
}

// RollSecret is the Dashboard's "Roll secret" on a webhook endpoint: it
// returns the new signing secret; the old one keeps signing deliveries
// beside it (a second v1 signature) for keepOld on the emulator clock, at
// most 24 hours, 0 ending it at once.
func (w WebhookControl) RollSecret(endpointID string, keepOld time.Duration) (string, error) {
	if keepOld < 0 || keepOld > webhookendpoints.MaxPreviousSecretLife {
		return "", fmt.Errorf("stripe-emu: the previous secret expires within 24 hours, got %s", keepOld)
	}
	var ep *delivery.Endpoint
	for _, e := range w.e.env.Webhooks.Endpoints() {
		if e.ID == endpointID {
			ep = &e
		}
	}
	switch {
	case ep == nil:
		return "", fmt.Errorf("stripe-emu: no webhook endpoint %s", endpointID)
	case !strings.HasPrefix(endpointID, "we_"):
		return "", fmt.Errorf("stripe-emu: rolling the secret of %s is not emulated: only webhook endpoints' secrets roll", endpointID)
	}
	account := ep.Account
	if account == "" {
		account = w.e.env.Platform
	}
	var secret string
	err := w.e.env.Background(account, func(c *api.Call) error {
		var err error
		secret, err = webhookendpoints.RollSecret(c, endpointID, w.e.Clock().Now().Add(keepOld))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("stripe-emu: %w", err)
	}
	return secret, nil
}

// SetDefaultPolicy sets the policy of endpoints created from now on,
// refusing one SetPolicy would.
func (w WebhookControl) SetDefaultPolicy(p WebhookPolicy) error {
	if err := CheckWebhookPolicy(p); err != nil {
		return fmt.Errorf("stripe-emu: %w", err)
	}
	w.e.env.Webhooks.SetDefaultPolicy(p)
	return nil
}

// Release sends everything held for an endpoint, in policy order.
func (w WebhookControl) Release(endpointID string) error { return w.e.env.Webhooks.Release(endpointID) }

// ReleaseTypes sends the held events of the given types or groups of
// them ("customer.*"; thin event types too), in policy order.
func (w WebhookControl) ReleaseTypes(endpointID string, types ...string) error {
	for _, t := range types {
		if err := checkDeliveredType(t); err != nil {
			return fmt.Errorf("stripe-emu: %w", err) // it would release nothing
		}
	}
	return w.e.env.Webhooks.ReleaseMatching(endpointID, func(ev delivery.Event) bool {
		for _, t := range types {
			if t == "*" || t == ev.Type || strings.HasSuffix(t, ".*") && strings.HasPrefix(ev.Type, strings.TrimSuffix(t, "*")) {
				return true
			}
		}
		return false
	})
}

// ReleaseInOrder sends held events in exactly the order given, all or
// none: an id not held releases nothing. An id names one copy of a
// duplicated event; name it again for the next.
func (w WebhookControl) ReleaseInOrder(endpointID string, eventIDs ...string) error {
	return w.e.env.Webhooks.ReleaseInOrder(endpointID, eventIDs...)
}

// Held lists the ids and types of the events held for an endpoint, in
// the order a Release would start from (one entry per duplicate copy).
func (w WebhookControl) Held(endpointID string) []HeldEvent {
	held, _ := w.e.env.Webhooks.Held(endpointID)
	out := []HeldEvent{}
	for _, ev := range held {
		out = append(out, HeldEvent{ID: ev.ID, Type: ev.Type})
	}
	return out
}

// WaitingDelivery is a delivery waiting on the emulator clock: delayed by
// the policy (Attempts 0) or failed and waiting for its retry.
type WaitingDelivery struct {
	ID       string    `json:"id"`
	Type     string    `json:"type"`
	Copy     int       `json:"copy"`
	Attempts int       `json:"attempts"`
	Due      time.Time `json:"due"`
}

// Waiting lists an endpoint's deliveries waiting on the clock, soonest
// first: advancing the clock to Due sends them.
func (w WebhookControl) Waiting(endpointID string) []WaitingDelivery {
	pending, _ := w.e.env.Webhooks.Waiting(endpointID)
	out := []WaitingDelivery{}
	for _, p := range pending {
		out = append(out, WaitingDelivery{ID: p.Event.ID, Type: p.Event.Type, Copy: p.Copy, Attempts: p.Attempts, Due: p.Due})
	}
	return out
}

// hasEndpoint says whether the dispatcher knows an endpoint.
func (w WebhookControl) hasEndpoint(endpointID string) bool {
	_, ok := w.e.env.Webhooks.Policy(endpointID)
	return ok
}

// HeldEvent names an event waiting for release.
type HeldEvent struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// Redeliver sends a recorded event to an endpoint again: a thin event to
// a thin event destination, a v1 event to any other endpoint, as Stripe
// sends them.
func (w WebhookControl) Redeliver(eventID, endpointID string) error {
	known, thinEndpoint := false, false
	for _, ep := range w.e.env.Webhooks.Endpoints() {
		if ep.ID == endpointID {
			known, thinEndpoint = true, ep.Thin
		}
	}
	for _, acct := range w.e.env.Accounts() {
		var raw, thin string
		var found bool
		_ = w.e.env.Store.View(func(tx *store.Tx) error {
			if raw, found = tx.GetRaw(acct, "event", eventID); !found {
				thin, found = tx.GetRaw(acct, "v2.core.event", eventID)
			}
			return nil
		})
		if !found {
			continue
		}
		owner := acct
		if acct == w.e.env.Platform {
			owner = ""
		}
		if known && (thin != "") != thinEndpoint {
			// Neither payload is one the other kind of receiver decodes.
			if thin != "" {
				return fmt.Errorf("stripe-emu: %s is a thin event: it goes to thin event destinations only, and %s is not one", eventID, endpointID)
			}
			return fmt.Errorf("stripe-emu: %s takes thin events only, and %s is not a thin event", endpointID, eventID)
		}
		if thin != "" {
			// A thin event goes out without its data, as first sent.
			payload, err := coreevents.Notification(thin)
			if err != nil {
				return err
			}
			return w.e.env.Webhooks.Redeliver(delivery.Event{ID: eventID, Type: gjson.Get(thin, "type").String(), Account: owner,
				Payload: payload, Thin: true}, endpointID)
		}
		// Stripe keeps events 30 days: one older cannot be resent, as the
		// Events API no longer shows it.
		if gjson.Get(raw, "created").Int() <= w.e.Clock().Unix()-events.Retention {
			return fmt.Errorf("stripe-emu: %w %s within the 30 days Stripe keeps events", errNoEvent, eventID)
		}
		// Laid out from the stored bytes, as first deliveries are.
		return w.e.env.Webhooks.Redeliver(delivery.Event{ID: eventID, Type: gjson.Get(raw, "type").String(), Account: owner,
			Payload: jsonenc.IndentCompact(nil, raw, 0)}, endpointID)
	}
	return fmt.Errorf("stripe-emu: %w %s", errNoEvent, eventID)
}

// errNoEvent is a redelivery of an event the emulator never recorded.
var errNoEvent = errors.New("no event")

// Flush waits until every delivery that is due has been attempted; held,
// delayed and retrying ones wait for a release or the clock.
func (w WebhookControl) Flush(ctx context.Context) error { return w.e.env.Webhooks.Flush(ctx) }

// WaitIdle is Flush with a generous timeout, for tests.
func (w WebhookControl) WaitIdle() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return w.Flush(ctx)
}

// Attempts returns every delivery attempt so far.
func (w WebhookControl) Attempts() []WebhookAttempt { return w.e.env.Webhooks.Attempts() }

// Seed is the seed of every randomised delivery choice; pass it to
// WithSeed to replay an order.
func (w WebhookControl) Seed() uint64 { return w.e.env.Webhooks.Seed() }

// Policy returns an endpoint's current delivery policy.
func (w WebhookControl) Policy(endpointID string) (WebhookPolicy, bool) {
	return w.e.env.Webhooks.Policy(endpointID)
}
