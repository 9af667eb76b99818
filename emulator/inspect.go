package emulator

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/accounts"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Object is a Stripe object as the API renders it (unexpanded), decoded as
// encoding/json decodes into an any: numbers are float64, nested objects
// map[string]any, lists []any.
type Object = map[string]any

// Request is one API request the emulator answered.
type Request = api.Logged

// Get returns an object by id from the platform account, as GET would
// render it (unexpanded; an invoice's lines, like any embedded list, are
// the first ten, has_more saying the rest are at the list's url), without
// going through HTTP. A deleted object that GET still answers, as a
// customer, is found as {id, object, deleted}.
func (e *Emulator) Get(id string) (Object, bool) { return e.GetIn("", id) }

// GetIn returns an object by id from a connected account ("" = platform).
// It panics on an account id the emulator never made, as Count does.
// An id without a prefix (a coupon's, or an id chosen when creating a
// product, plan or coupon) is looked for as a product, then a price (a
// plan is one), then a coupon.
func (e *Emulator) GetIn(account, id string) (Object, bool) {
	return e.getIn(e.knownAccount("GetIn", account), id)
}

// getIn is GetIn for an account from a request (a page's URL), where an
// unknown account is only an object not found.
func (e *Emulator) getIn(account, id string) (Object, bool) {
	if account == "" {
		account = e.env.Platform
	}
	var o store.Obj
	_ = e.env.Store.View(func(tx *store.Tx) error {
		if kind := e.env.Registry.ByID(id); kind != nil {
			acct := account
			if kind.Object == "account" {
				acct = e.env.Platform
			}
			if o, _ = tx.Get(acct, kind.Object, id); o != nil {
				return nil
			}
		}
		for _, object := range chosenIDs {
			if o, _ = tx.Get(account, object, id); o != nil {
				return nil
			}
		}
		return nil
	})
	if o == nil {
		return nil, false
	}
	return e.env.Registry.Shown(o), true
}

// knownAccount is account with "" read as the platform. It panics, naming
// the caller, on an id that is neither the platform nor an account the
// emulator made (deleted or not): reading such
// an account finds nothing, so an assertion that something is absent from
// it could never fail.
func (e *Emulator) knownAccount(caller, account string) string {
	if err := e.checkAccount(account); err != nil {
		panic("stripe-emu: " + caller + ": " + err.Error())
	}
	if account == "" {
		return e.env.Platform
	}
	return account
}

// HasAccount reports whether the inspection methods (Count, Events, GetIn,
// List) take account: "" or the platform's id, or an account the emulator
// made, deleted or not.
func (e *Emulator) HasAccount(account string) bool { return e.checkAccount(account) == nil }

// checkAccount is knownAccount's test, as an error.
func (e *Emulator) checkAccount(account string) error {
	if account == "" || account == e.env.Platform || e.isClosed() {
		return nil
	}
	known := false
	_ = e.env.Store.View(func(tx *store.Tx) error {
		known = accounts.Made(tx, e.env.Platform, account)
		return nil
	})
	if !known {
		return fmt.Errorf("no account %q in this emulator (\"\" is the platform; a connected account's id is the one its creation answered)", account)
	}
	return nil
}

// chosenIDs are the objects whose ids may be anything: chosen when they
// are made, or without a prefix (coupons').
var chosenIDs = []string{"product", "price", "coupon"}

// Events returns every event recorded in an account ("" = platform),
// oldest first. It panics on an account id the emulator never made, as
// Count does.
func (e *Emulator) Events(account string) []Object {
	account = e.knownAccount("Events", account)
	var out []Object
	_ = e.env.Store.View(func(tx *store.Tx) error {
		tx.Each(account, "event", func(o store.Obj) bool { out = append(out, o); return true })
		return nil
	})
	return out
}

// EventTypes returns the types of Events(account), oldest first.
func (e *Emulator) EventTypes(account string) []string {
	evs := e.Events(e.knownAccount("EventTypes", account))
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = api.Str(ev["type"])
	}
	return out
}

// CheckObjectType says whether name is an object type Count knows: the
// singular "object" value of Stripe's objects ("customer",
// "checkout.session"). Count panics with its error on anything else.
func CheckObjectType(name string) error {
	objectTypesOnce.Do(func() {
		objectTypes = map[string]bool{}
		for _, k := range kinds() {
			objectTypes[k.Object] = true
		}
	})
	if objectTypes[name] {
		return nil
	}
	if singular := strings.TrimSuffix(name, "s"); objectTypes[singular] {
		return fmt.Errorf("%q is not an object type (its \"object\" field, singular): did you mean %q?", name, singular)
	}
	return fmt.Errorf("%q is not an object type (its \"object\" field, singular, as customer or checkout.session)", name)
}

var (
	objectTypesOnce sync.Once
	objectTypes     map[string]bool
)

// Count is how many live objects of a type ("customer", "price", …) an
// account holds ("" = platform). The type is the objects' "object" field,
// singular: Count panics on a name no object has ("customers"), whose
// count would be 0 whatever the test did, saying which to use.
// It panics likewise on an account id the emulator never made (a typo, or
// a connected account's id from another emulator), whose count would be 0
// too.
func (e *Emulator) Count(account, object string) int {
	if err := CheckObjectType(object); err != nil {
		panic("stripe-emu: Count: " + err.Error())
	}
	account = e.knownAccount("Count", account)
	n := 0
	_ = e.env.Store.View(func(tx *store.Tx) error {
		tx.EachRaw(account, object, func(raw string) bool {
			if !gjson.Get(raw, "deleted").Bool() {
				n++
			}
			return true
		})
		return nil
	})
	return n
}

// Call runs one API request in-process (no network) through the same
// pipeline as HTTP, as the platform or, with account set, as a connected
// account. It is how a test seeds state with Stripe's rules applied.
// method is GET, POST or DELETE, in any case; form is a POST's body, or a
// GET's or DELETE's query (joined to one the path already has). A Stripe error is an answer like any other: its
// status and its {"error": …} object, with a nil error; the error is for a
// request that never reached the API (a method or path that cannot be
// sent, a closed emulator).
func (e *Emulator) Call(method, path string, form url.Values, account string) (int, Object, error) {
	// httptest.NewRequest panics on what it cannot send: tell the caller
	// instead.
	if e.isClosed() {
		return 0, nil, errClosed
	}
	unsendable := func(r rune) bool { return r <= ' ' || r == 0x7f }
	if method == "" || strings.ContainsFunc(method, unsendable) {
		return 0, nil, fmt.Errorf("stripe-emu: Call's method %q is not an HTTP method (GET, POST, DELETE)", method)
	}
	if _, err := url.ParseRequestURI(path); err != nil || !strings.HasPrefix(path, "/") || strings.ContainsFunc(path, unsendable) {
		return 0, nil, fmt.Errorf("stripe-emu: Call's path %q is not a request path such as /v1/customers", path)
	}
	method = strings.ToUpper(method)
	var body *strings.Reader
	target := path
	if method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
		if len(form) > 0 {
			sep := "?"
			if strings.Contains(target, "?") {
				sep = "&"
			}
			target += sep + form.Encode()
		}
	}
	req := httptest.NewRequest(method, target, body)
	req.Header.Set("Authorization", "Bearer "+e.cfg.apiKey)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if account != "" {
		req.Header.Set("Stripe-Account", account)
	}
	rec := httptest.NewRecorder()
	e.server.ServeHTTP(rec, req)
	v, err := jsonenc.Unmarshal(rec.Body.Bytes())
	out, isObject := v.(map[string]any)
	if err != nil || !isObject {
		return rec.Code, nil, fmt.Errorf("stripe-emu: %s %s answered non-JSON: %v", method, path, err)
	}
	return rec.Code, out, nil
}

// Requests returns the most recent API requests (the last 1000, Call's
// included), oldest first.
func (e *Emulator) Requests() []Request { return e.log.all() }

// Reset deletes every object, event and idempotency key, keeping the
// platform account id, as if the emulator had just started: webhook
// attempts, policies and the default policy go too, and so do faults,
// the request log and Billing settings; endpoints made after it draw the
// seed's choices as a fresh emulator's do, and those wired with
// ListenWithSecret (the binary's --webhook) are made again. The clock is
// left as it is.
func (e *Emulator) Reset() error {
	if e.isClosed() {
		return errClosed
	}
	if err := e.env.Store.Reset(); err != nil {
		return err
	}
	e.env.Webhooks.Reset()
	e.server.Faults.Clear()
	e.log.clear()
	id := e.env.Platform
	err := e.env.Store.Update(func(tx *store.Tx) error {
		if err := accounts.PutPlatform(tx, e.env.IDs, id, e.env.Clock.Unix(), e.cfg.manualPay); err != nil {
			return err
		}
		return tx.SetMeta("platform", id)
	})
	if err != nil {
		return err
	}
	return e.rewire()
}

// observe records a request and logs it: at info when answered, at warn
// when refused (4xx, with why), at error when the emulator failed (5xx),
// so --log-level warn shows just what went wrong.
func (e *Emulator) observe(r api.Logged) {
	e.log.add(r)
	level := slog.LevelInfo
	switch {
	case r.Status >= 500:
		level = slog.LevelError
	case r.Status >= 400:
		level = slog.LevelWarn
	}
	if !e.cfg.logger.Enabled(context.Background(), level) {
		return
	}
	attrs := []any{"method", r.Method, "path", r.Path, "status", r.Status,
		"request_id", r.RequestID, "account", r.Account, "duration", r.Duration}
	if r.Error != "" {
		attrs = append(attrs, "error", r.Error)
	}
	e.cfg.logger.Log(context.Background(), level, "request", attrs...)
}

// requestLog keeps the last n requests in a ring.
type requestLog struct {
	mu   sync.Mutex
	max  int
	next int // where the next request goes once the ring is full
	reqs []Request
}

// newRequestLog keeps up to max requests. The ring grows as requests come
// (most emulators in tests see a few dozen), rather than starting full size.
func newRequestLog(max int) *requestLog { return &requestLog{max: max} }

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	if len(l.reqs) < l.max {
		l.reqs = append(l.reqs, r)
	} else {
		l.reqs[l.next] = r
		l.next = (l.next + 1) % l.max
	}
	l.mu.Unlock()
}

func (l *requestLog) all() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	// next is the oldest once the ring is full, and 0 until then.
	return append(append([]Request(nil), l.reqs[l.next:]...), l.reqs[:l.next]...)
}

func (l *requestLog) clear() {
	l.mu.Lock()
	l.reqs, l.next = l.reqs[:0], 0
	l.mu.Unlock()
}
