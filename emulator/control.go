package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/stripe-emu/stripe-emu/emulator/internal/delivery"
	"github.com/stripe-emu/stripe-emu/emulator/internal/faults"
	"github.com/stripe-emu/stripe-emu/emulator/internal/pages"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billingportal"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/files"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/identity"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
	"github.com/stripe-emu/stripe-emu/emulator/internal/stripejs"
)

// page is one of the emulator's own paths, served beside Stripe's API:
// the control surface and the pages a customer's browser opens.
type page func(e *Emulator, w http.ResponseWriter, req *http.Request)

// ServeHTTP is never called: pages are matched in pageRoutes and served
// with their emulator (see servePage).
func (page) ServeHTTP(http.ResponseWriter, *http.Request) {
	panic("emulator: a page is served with its emulator")
}

// pageRoutes are the pages, compiled once and shared by every emulator
// (compiling a route's pattern costs more than the rest of New).
//
// The control surface: what a test written in any language (or the
// scenario harness driving an external app) needs besides Stripe's own
// API. JSON over HTTP under /_emu/, no API key. The same operations are
// methods on Emulator for Go tests.
var pageRoutes = sync.OnceValue(func() *mux.Router {
	root := mux.NewRouter()
	r := root.PathPrefix("/_emu").Subrouter()
	r.Handle("/health", page((*Emulator).ctlHealth)).Methods("GET")
	r.Handle("/reset", page((*Emulator).ctlReset)).Methods("POST")
	r.Handle("/clock", page((*Emulator).ctlClock)).Methods("GET", "POST")
	r.Handle("/requests", page(func(e *Emulator, w http.ResponseWriter, _ *http.Request) { writeCtl(w, 200, e.Requests()) })).Methods("GET")
	r.Handle("/events", page(func(e *Emulator, w http.ResponseWriter, req *http.Request) {
		account := req.URL.Query().Get("account")
		if err := e.checkAccount(account); err != nil {
			ctlError(w, 404, "%v", err)
			return
		}
		writeCtl(w, 200, e.Events(account))
	})).Methods("GET")
	r.Handle("/webhooks/attempts", page(func(e *Emulator, w http.ResponseWriter, _ *http.Request) { writeCtl(w, 200, e.Webhooks().Attempts()) })).Methods("GET")
	r.Handle("/webhooks/endpoints", page(func(e *Emulator, w http.ResponseWriter, _ *http.Request) {
		var out []map[string]any
		for _, ep := range e.env.Webhooks.Endpoints() {
			p, _ := e.env.Webhooks.Policy(ep.ID)
			out = append(out, map[string]any{"id": ep.ID, "url": ep.URL, "account": ep.Account, "connect": ep.Connect,
				"enabled_events": ep.EnabledEvents, "disabled": ep.Disabled, "policy": policyJSON(p)})
		}
		writeCtl(w, 200, out)
	})).Methods("GET")
	r.Handle("/webhooks/flush", page((*Emulator).ctlFlush)).Methods("POST")
	r.Handle("/webhooks/endpoints/{id}/policy", page((*Emulator).ctlPolicy)).Methods("POST")
	r.Handle("/webhooks/endpoints/{id}/held", page(func(e *Emulator, w http.ResponseWriter, req *http.Request) {
		if id := mux.Vars(req)["id"]; e.endpointFound(w, id) {
			writeCtl(w, 200, e.Webhooks().Held(id))
		}
	})).Methods("GET")
	r.Handle("/webhooks/endpoints/{id}/waiting", page(func(e *Emulator, w http.ResponseWriter, req *http.Request) {
		if id := mux.Vars(req)["id"]; e.endpointFound(w, id) {
			writeCtl(w, 200, e.Webhooks().Waiting(id))
		}
	})).Methods("GET")
	r.Handle("/webhooks/endpoints/{id}/release", page((*Emulator).ctlRelease)).Methods("POST")
	r.Handle("/webhooks/endpoints/{id}/roll_secret", page((*Emulator).ctlRollSecret)).Methods("POST")
	r.Handle("/webhooks/redeliver", page((*Emulator).ctlRedeliver)).Methods("POST")
	r.Handle("/billing/settings", page((*Emulator).ctlBillingSettings)).Methods("GET", "POST")
	r.Handle("/customers/{id}/discount", page((*Emulator).ctlCustomerDiscount)).Methods("POST")
	r.Handle("/faults", page(func(e *Emulator, w http.ResponseWriter, _ *http.Request) { writeCtl(w, 200, e.Faults().List()) })).Methods("GET")
	r.Handle("/faults", page((*Emulator).ctlAddFault)).Methods("POST")
	r.Handle("/faults", page(func(e *Emulator, w http.ResponseWriter, _ *http.Request) {
		e.Faults().Clear()
		writeCtl(w, 200, map[string]bool{"ok": true})
	})).Methods("DELETE")
	r.Handle("/faults/{id}", page(func(e *Emulator, w http.ResponseWriter, req *http.Request) {
		e.Faults().Remove(mux.Vars(req)["id"])
		writeCtl(w, 200, map[string]bool{"ok": true})
	})).Methods("DELETE")
	root.Handle("/checkout/{id}", page((*Emulator).checkoutPage)).Methods("GET", "POST")
	root.Handle("/checkout/{id}/recover", page((*Emulator).recoverPage)).Methods("GET")
	// The API answers POST on these paths (the authenticate test helpers);
	// a browser following next_action GETs the test page.
	root.Handle("/v1/test_helpers/payment_intents/{id}/authenticate", page(func(e *Emulator, w http.ResponseWriter, req *http.Request) {
		e.intentPage("payment_intent")(w, req)
	})).Methods("GET")
	root.Handle("/v1/test_helpers/setup_intents/{id}/authenticate", page(func(e *Emulator, w http.ResponseWriter, req *http.Request) {
		e.intentPage("setup_intent")(w, req)
	})).Methods("GET")
	root.Handle("/qr_codes/{id}.{format:png|svg}", page(func(e *Emulator, w http.ResponseWriter, req *http.Request) {
		e.qrCodeImage(w, req)
	})).Methods("GET")
	for _, path := range stripejs.Paths {
		root.Handle(path, page(func(_ *Emulator, w http.ResponseWriter, req *http.Request) { stripejs.Serve(w, req) })).Methods("GET")
	}
	// Connect OAuth (connect.stripe.com): the SDKs' connect base URL is
	// pointed at the emulator itself.
	root.Handle("/oauth/authorize", page((*Emulator).oauthAuthorize)).Methods("GET", "POST")
	root.Handle("/oauth/token", page((*Emulator).oauthToken)).Methods("POST")
	root.Handle("/oauth/deauthorize", page((*Emulator).oauthDeauthorize)).Methods("POST")
	root.Handle("/connect.stripe.com/setup/{flow}/{account}/{token}", served(pages.AccountLink)).Methods("GET", "POST")
	root.Handle("/connect.stripe.com/express/{account}/{token}", served(pages.ExpressDashboard)).Methods("GET")
	root.Handle("/buy.stripe.com/{token}", served(pages.PaymentLink)).Methods("GET")
	root.Handle("/donate.stripe.com/{token}", served(pages.PaymentLink)).Methods("GET")
	root.Handle("/invoices/{id}", served(pages.Invoice)).Methods("GET", "POST")
	root.Handle("/invoices/{id}/pdf", served(pages.InvoicePDF)).Methods("GET")
	root.Handle(billingportal.SessionPath+"{id}", served(pages.Portal)).Methods("GET", "POST")
	root.Handle(billingportal.LoginPath+"{token}", served(pages.PortalLogin)).Methods("GET", "POST")
	root.Handle("/receipts/{id}", served(pages.Receipt)).Methods("GET")
	root.Handle("/credit_notes/{id}/pdf", served(pages.CreditNotePDF)).Methods("GET")
	root.Handle("/mandates/{id}", served(pages.Mandate)).Methods("GET")
	root.Handle(identity.PagePath+"{token}", served(pages.Identity)).Methods("GET", "POST")
	root.Handle(identity.SecretPath+"{secret}", served(pages.IdentityBySecret)).Methods("GET")
	root.Handle("/bank_transfer_instructions/{id}", page((*Emulator).transferInstructionsPage)).Methods("GET")
	root.Handle("/microdeposit/{token}", page((*Emulator).microdepositPage)).Methods("GET")
	// A file link's URL: public, as Stripe's files.stripe.com/links/… are.
	root.Handle("/links/{token}", page(func(e *Emulator, w http.ResponseWriter, req *http.Request) {
		files.ServeLink(e.env).ServeHTTP(w, req)
	})).Methods("GET")
	return root
})

// served is a page of package pages, served with this emulator behind it.
func served(fn func(pages.Backend, http.ResponseWriter, *http.Request)) page {
	return func(e *Emulator, w http.ResponseWriter, req *http.Request) { fn(pageBackend{e}, w, req) }
}

// pageBackend is the emulator as package pages sees it.
type pageBackend struct{ *Emulator }

// GetIn reads without Emulator.GetIn's panic on an unknown account: a
// page's account comes from its URL, and an unknown one is a page not
// found.
func (b pageBackend) GetIn(account, id string) (Object, bool) { return b.getIn(account, id) }

func (b pageBackend) View(fn func(tx *store.Tx) error) error   { return b.env.Store.View(fn) }
func (b pageBackend) Update(fn func(tx *store.Tx) error) error { return b.env.Store.Update(fn) }

// servePage serves one of the emulator's own pages, if the request is for
// one.
func (e *Emulator) servePage(w http.ResponseWriter, req *http.Request) bool {
	var m mux.RouteMatch
	if !pageRoutes().Match(req, &m) || m.MatchErr != nil {
		return false
	}
	p, ok := m.Handler.(page)
	if ok {
		p(e, w, mux.SetURLVars(req, m.Vars))
	}
	return ok
}

func writeCtl(w http.ResponseWriter, status int, v any) {
	// A list with nothing in it yet is [], not null: clients iterate it.
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.IsNil() {
		v = []any{}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func ctlError(w http.ResponseWriter, status int, format string, args ...any) {
	writeCtl(w, status, map[string]any{"error": map[string]string{"type": "invalid_request_error", "message": fmt.Sprintf(format, args...)}})
}

func decodeCtl(w http.ResponseWriter, req *http.Request, v any) bool {
	if req.ContentLength == 0 {
		return true
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, req.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		ctlError(w, 400, "invalid JSON body: %v", err)
		return false
	}
	return true
}

func (e *Emulator) ctlHealth(w http.ResponseWriter, _ *http.Request) {
	writeCtl(w, 200, map[string]any{"ok": true, "platform": e.Platform(), "connect_application": e.ConnectApplication(), "api_version": APIVersion,
		"webhook_seed": e.Webhooks().Seed(), "now": e.Clock().Unix()})
}

func (e *Emulator) ctlReset(w http.ResponseWriter, _ *http.Request) {
	if err := e.Reset(); err != nil {
		ctlError(w, 500, "%v", err)
		return
	}
	writeCtl(w, 200, map[string]bool{"ok": true})
}

// maxSeconds is about the longest time.Duration, in seconds (292 years):
// longer ones would wrap around.
const maxSeconds = float64(math.MaxInt64/int64(time.Second)) - 86400

// Duration is a JSON duration: "90s", "3d", or a number of seconds.
type Duration time.Duration

// UnmarshalJSON reads "1h30m", "3d" or seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var n float64
	if err := json.Unmarshal(b, &n); err == nil {
		if math.Abs(n) > maxSeconds {
			return fmt.Errorf("a duration of %v seconds is longer than the clock can move", n)
		}
		*d = Duration(time.Duration(n * float64(time.Second)))
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string like \"90s\" or \"3d\", or seconds")
	}
	v, err := ParseDuration(s)
	*d = Duration(v)
	return err
}

// MarshalJSON writes the Go form ("1h0m0s").
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// ParseDuration is time.ParseDuration plus days ("3d", "1d12h").
func ParseDuration(s string) (time.Duration, error) {
	var total time.Duration
	if i := indexDay(s); i >= 0 {
		days, err := strconv.ParseFloat(s[:i], 64)
		if err != nil || math.IsNaN(days) || math.Abs(days*86400) > maxSeconds {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		total = time.Duration(days * 24 * float64(time.Hour))
		s = s[i+1:]
		if s == "" {
			return total, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: use Go durations (90s, 1h30m) or days (3d)", s)
	}
	return total + d, nil
}

func indexDay(s string) int {
	for i, c := range s {
		if c == 'd' {
			return i
		}
		if (c < '0' || c > '9') && c != '.' {
			return -1
		}
	}
	return -1
}

// clockLimit is the latest time the clock is moved to: a running clock
// keeps its time as an offset from the wall clock, a time.Duration, which
// cannot reach much past the year 2250.
var clockLimit = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

type clockRequest struct {
	Advance *Duration `json:"advance"`
	Set     *int64    `json:"set"`
	Freeze  *bool     `json:"freeze"`
}

func (e *Emulator) ctlClock(w http.ResponseWriter, req *http.Request) {
	if req.Method == "POST" {
		var cr clockRequest
		if !decodeCtl(w, req, &cr) {
			return
		}
		// Everything is checked before anything moves: a refused request
		// changes nothing.
		if cr.Advance != nil && *cr.Advance < 0 {
			ctlError(w, 400, "the clock only moves forward with advance; use set")
			return
		}
		if cr.Set != nil || cr.Advance != nil {
			target := e.Clock().Now()
			if cr.Set != nil {
				target = time.Unix(*cr.Set, 0)
			}
			if cr.Advance != nil {
				target = target.Add(time.Duration(*cr.Advance))
			}
			if target.Before(time.Unix(0, 0)) || target.After(clockLimit) {
				ctlError(w, 400, "the clock keeps times from 1970 to the year 2200 (Unix 0 to %d), not %d", clockLimit.Unix(), target.Unix())
				return
			}
		}
		if cr.Freeze != nil {
			if *cr.Freeze {
				e.Clock().Freeze()
			} else {
				e.Clock().Resume()
			}
		}
		if cr.Set != nil {
			e.Clock().Set(time.Unix(*cr.Set, 0))
		}
		if cr.Advance != nil {
			e.Clock().Advance(time.Duration(*cr.Advance))
		}
	}
	writeCtl(w, 200, map[string]any{"now": e.Clock().Unix(), "frozen": e.Clock().Frozen()})
}

func (e *Emulator) ctlFlush(w http.ResponseWriter, req *http.Request) {
	ctx, cancel := context.WithTimeout(req.Context(), 60*time.Second)
	defer cancel()
	if err := e.Webhooks().Flush(ctx); err != nil {
		ctlError(w, 504, "webhook deliveries did not finish: %v", err)
		return
	}
	writeCtl(w, 200, map[string]bool{"ok": true})
}

// endpointFound answers 404 for an endpoint the dispatcher does not know.
func (e *Emulator) endpointFound(w http.ResponseWriter, id string) bool {
	if !e.Webhooks().hasEndpoint(id) {
		ctlError(w, 404, "no webhook endpoint %s", id)
		return false
	}
	return true
}

// PolicyJSON is a webhook policy as JSON (durations as strings).
type PolicyJSON struct {
	Order             string              `json:"order,omitempty"`
	Duplicate         int                 `json:"duplicate,omitempty"`
	DuplicateFraction float64             `json:"duplicate_fraction,omitempty"`
	Delay             map[string]Duration `json:"delay,omitempty"`
	Hold              bool                `json:"hold,omitempty"`
	Concurrency       int                 `json:"concurrency,omitempty"`
}

// Policy converts to a delivery policy, checking the order.
func (p PolicyJSON) Policy() (WebhookPolicy, error) {
	out := WebhookPolicy{Order: delivery.Order(p.Order), Duplicate: p.Duplicate, DuplicateFraction: p.DuplicateFraction,
		Hold: p.Hold, Concurrency: p.Concurrency}
	if len(p.Delay) > 0 {
		out.Delay = map[string]time.Duration{}
		for k, v := range p.Delay {
			out.Delay[k] = time.Duration(v)
		}
	}
	return out, CheckWebhookPolicy(out)
}

func policyJSON(p WebhookPolicy) PolicyJSON {
	out := PolicyJSON{Order: string(p.Order), Duplicate: p.Duplicate, DuplicateFraction: p.DuplicateFraction, Hold: p.Hold, Concurrency: p.Concurrency}
	if len(p.Delay) > 0 {
		out.Delay = map[string]Duration{}
		for k, v := range p.Delay {
			out.Delay[k] = Duration(v)
		}
	}
	return out
}

func (e *Emulator) ctlPolicy(w http.ResponseWriter, req *http.Request) {
	var pj PolicyJSON
	if !decodeCtl(w, req, &pj) {
		return
	}
	p, err := pj.Policy()
	if err != nil {
		ctlError(w, 400, "%v", err)
		return
	}
	if err := e.Webhooks().SetPolicy(mux.Vars(req)["id"], p); err != nil {
		ctlError(w, 404, "%v", err)
		return
	}
	writeCtl(w, 200, policyJSON(p))
}

type releaseRequest struct {
	EventIDs []string `json:"event_ids"`
	Types    []string `json:"types"`
}

func (e *Emulator) ctlRelease(w http.ResponseWriter, req *http.Request) {
	var rr releaseRequest
	if !decodeCtl(w, req, &rr) {
		return
	}
	id := mux.Vars(req)["id"]
	if !e.endpointFound(w, id) {
		return
	}
	var err error
	switch {
	case len(rr.EventIDs) > 0 && len(rr.Types) > 0:
		ctlError(w, 400, "give event_ids or types, not both: event_ids release in exactly their order")
		return
	case len(rr.EventIDs) > 0:
		err = e.Webhooks().ReleaseInOrder(id, rr.EventIDs...)
	case len(rr.Types) > 0:
		err = e.Webhooks().ReleaseTypes(id, rr.Types...)
	default:
		err = e.Webhooks().Release(id)
	}
	if err != nil {
		ctlError(w, 400, "%v", err)
		return
	}
	writeCtl(w, 200, map[string]bool{"ok": true})
}

type rollRequest struct {
	ExpiresIn Duration `json:"expires_in"`
}

func (e *Emulator) ctlRollSecret(w http.ResponseWriter, req *http.Request) {
	var rr rollRequest
	if !decodeCtl(w, req, &rr) {
		return
	}
	id := mux.Vars(req)["id"]
	if !e.endpointFound(w, id) {
		return
	}
	secret, err := e.Webhooks().RollSecret(id, time.Duration(rr.ExpiresIn))
	if err != nil {
		ctlError(w, 400, "%v", err)
		return
	}
	writeCtl(w, 200, map[string]any{"secret": secret, "previous_secret_expires": e.Clock().Now().Add(time.Duration(rr.ExpiresIn)).Unix()})
}

type redeliverRequest struct {
	Event    string `json:"event"`
	Endpoint string `json:"endpoint"`
}

func (e *Emulator) ctlRedeliver(w http.ResponseWriter, req *http.Request) {
	var rr redeliverRequest
	if !decodeCtl(w, req, &rr) {
		return
	}
	if rr.Event == "" || rr.Endpoint == "" {
		ctlError(w, 400, `give the event to redeliver and the endpoint to send it to: {"event": "evt_…", "endpoint": "we_…"}`)
		return
	}
	if !e.endpointFound(w, rr.Endpoint) {
		return
	}
	if err := e.Webhooks().Redeliver(rr.Event, rr.Endpoint); err != nil {
		status := 400
		if errors.Is(err, errNoEvent) {
			status = 404
		}
		ctlError(w, status, "%v", err)
		return
	}
	writeCtl(w, 200, map[string]bool{"ok": true})
}

type faultRequest struct {
	Method   string    `json:"method"`
	Path     string    `json:"path"`
	Kind     string    `json:"kind"`
	Times    int       `json:"times"`
	Duration *Duration `json:"duration"`
}

func (e *Emulator) ctlAddFault(w http.ResponseWriter, req *http.Request) {
	var fr faultRequest
	if !decodeCtl(w, req, &fr) {
		return
	}
	f := Fault{Method: fr.Method, Path: fr.Path, Kind: faults.Kind(fr.Kind), Times: fr.Times}
	if fr.Duration != nil {
		f.Duration = time.Duration(*fr.Duration)
	}
	if err := CheckFault(f); err != nil {
		ctlError(w, 400, "%v", err)
		return
	}
	// Over HTTP the method is written as a request's is.
	if fr.Method != strings.ToUpper(fr.Method) {
		ctlError(w, 400, "method %q: must be one of DELETE, GET, POST, or left out for any", fr.Method)
		return
	}
	writeCtl(w, 200, map[string]string{"id": e.Faults().Add(f)})
}

// recoverPage is an expired session's recovery URL
// (after_expiration.recovery.url): it opens a copy of the session and
// sends the customer on to its page.
func (e *Emulator) recoverPage(w http.ResponseWriter, req *http.Request) {
	id := mux.Vars(req)["id"]
	account := req.URL.Query().Get("account")
	status, body, err := e.Call("POST", "/v1/test_helpers/checkout/sessions/"+id+"/recover", url.Values{}, account)
	if err != nil || status != 200 {
		msg := fmt.Sprint(err)
		if body != nil {
			msg = fmt.Sprint(body["error"])
		}
		http.Error(w, "This link cannot be used: "+msg, http.StatusGone)
		return
	}
	next, _ := body["url"].(string)
	http.Redirect(w, req, next, http.StatusSeeOther)
}

// ctlBillingSettings reads (GET) or changes (POST, JSON body) an
// account's Billing settings; ?account=acct_… picks a connected account.
func (e *Emulator) ctlBillingSettings(w http.ResponseWriter, req *http.Request) {
	account := req.URL.Query().Get("account")
	if req.Method == http.MethodPost {
		s := e.BillingSettings(account)
		dec := json.NewDecoder(http.MaxBytesReader(w, req.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			ctlError(w, 400, "billing settings: %v", err)
			return
		}
		if err := e.SetBillingSettings(account, s); err != nil {
			ctlError(w, 400, "billing settings: %v", err)
			return
		}
	}
	writeCtl(w, 200, e.BillingSettings(account))
}
