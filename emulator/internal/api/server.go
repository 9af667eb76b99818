package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"
	"github.com/tidwall/gjson"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/faults"
	"github.com/stripe-emu/stripe-emu/emulator/internal/form"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// MaxBodyBytes bounds a request body; Stripe's own requests are far smaller.
const MaxBodyBytes = 1 << 20

// Server is the emulator's HTTP API: it runs every request through the same
// pipeline (auth, version, account, params, idempotency, one transaction,
// expansion, rendering) and dispatches to the resource handlers.
type Server struct {
	*Env
	routes *Routes
	// handlers serve routes.table, slot by slot.
	handlers []http.Handler
	idem     *idempotency
	// Faults are failures a test asked for on chosen routes.
	Faults *faults.Set
	// Pages, if set, serves a request no API route matched (the emulator's
	// own pages and control surface), reporting whether it did.
	Pages func(w http.ResponseWriter, r *http.Request) bool
	// Observe, if set, sees every finished request (request log).
	Observe func(Logged)
}

// Logged is one finished request, for logs and inspection.
type Logged struct {
	RequestID      string `json:"request_id"`
	Method         string `json:"method"`
	Path           string `json:"path"`
	Query          string `json:"query,omitempty"`
	Body           string `json:"body,omitempty"`
	Account        string `json:"account,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	UserAgent      string `json:"user_agent,omitempty"`
	Status         int    `json:"status"`
	// Error is the message of an error answer: why the request failed.
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	At       time.Time     `json:"at"`
}

// Routes are resource route tables compiled for matching. Compiling a
// pattern is most of what building a server costs (a regular expression
// per route), and the tables are the same for every emulator in a
// process, so they are compiled once and shared: matching only reads them.
type Routes struct {
	table  []Route
	router *mux.Router // each route's handler is its routeSlot
	// static are the routes without path variables, by path and method.
	static map[string]map[string]int
}

// routeSlot stands for table[i] in the shared router; the server that
// matched it serves its own handler for that route.
type routeSlot int

func (routeSlot) ServeHTTP(http.ResponseWriter, *http.Request) {
	panic("api: a shared route is served through its Server")
}

// Compile compiles route tables for NewServer. The tables must not change
// afterwards. A v1 POST route's parameters gain the requirements and enum
// values Stripe's spec declares (params.ApplySpec), a GET route's query
// parameters the enum values (params.ApplyQuerySpec).
func Compile(tables ...[]Route) *Routes {
	rs := &Routes{router: mux.NewRouter(), static: map[string]map[string]int{}}
	for _, table := range tables {
		for _, rt := range table {
			if !rt.V2 && rt.Params != nil {
				switch rt.Method {
				case http.MethodPost:
					rt.Params = rt.Params.ApplySpec(rt.Path)
				case http.MethodGet:
					rt.Params = rt.Params.ApplyQuerySpec(rt.Path)
				}
			}
			slot := len(rs.table)
			rs.table = append(rs.table, rt)
			rs.router.Handle(rt.Path, routeSlot(slot)).Methods(rt.Method)
			if strings.Contains(rt.Path, "{") {
				continue
			}
			if rs.static[rt.Path] == nil {
				rs.static[rt.Path] = map[string]int{}
			}
			if _, taken := rs.static[rt.Path][rt.Method]; !taken {
				rs.static[rt.Path][rt.Method] = slot
			}
		}
	}
	return rs
}

// NewServer builds the API from compiled resource route tables.
func NewServer(env *Env, routes *Routes) *Server {
	s := &Server{Env: env, routes: routes, idem: newIdempotency(), Faults: faults.NewSet()}
	s.handlers = make([]http.Handler, len(routes.table))
	for i, rt := range routes.table {
		switch {
		case rt.removed:
			s.handlers[i] = http.HandlerFunc(s.unrecognized)
		case rt.V2:
			s.handlers[i] = s.endpointV2(rt)
		default:
			s.handlers[i] = s.endpoint(rt)
		}
	}
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		s.preflight(w, r)
		return
	}
	// A path without variables is found by a map lookup rather than by
	// trying the routes' patterns one after the other, as mux does.
	if slot, ok := s.routes.static[r.URL.Path][r.Method]; ok {
		s.handlers[slot].ServeHTTP(w, r)
		return
	}
	// Matching never cleans the path (mux's ServeHTTP would redirect
	// /v1/./customers, which Stripe answers as an unrecognized URL).
	var m mux.RouteMatch
	if s.routes.router.Match(r, &m) && m.MatchErr == nil {
		if slot, ok := m.Handler.(routeSlot); ok {
			s.handlers[slot].ServeHTTP(w, mux.SetURLVars(r, m.Vars))
			return
		}
	}
	if s.Pages != nil && s.Pages(w, r) {
		return
	}
	s.unrecognized(w, r)
}

func (s *Server) newRequestID() string { return "req_" + s.IDs.Secret(14) }

// preflight answers a browser's CORS preflight, which an official SDK
// running in a page sends before its requests: any path, any of the
// headers it asks for, no body. Nothing is run.
func (s *Server) preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	stamp(h, s.newRequestID())
	delete(h, "Content-Type")
	if asked := r.Header.Get("Access-Control-Request-Headers"); asked != "" {
		h.Set("Access-Control-Allow-Headers", asked)
	}
	h["Content-Length"] = []string{"0"}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) unrecognized(rw http.ResponseWriter, r *http.Request) {
	w := &errorAnswer{ResponseWriter: rw}
	reqID := s.newRequestID()
	stamp(w.Header(), reqID)
	e := unrecognizedURL(r.Method, r.URL.Path)
	if strings.HasPrefix(r.URL.Path, "/v2/") {
		s.finish(w, r, reqID, "", "", "", writeV2Error(w, e), time.Now())
		return
	}
	s.finish(w, r, reqID, "", "", "", writeError(w, reqID, s.Clock.Unix(), e), time.Now())
}

// endpoint wraps one route in the request pipeline.
func (s *Server) endpoint(rt Route) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		reqID := s.newRequestID()
		h := rw.Header()
		stamp(h, reqID)
		var w http.ResponseWriter = &errorAnswer{ResponseWriter: rw}

		body, account, idemKey := "", "", ""
		status := func() (status int) {
			defer func() {
				// A handler's bug answers Stripe's 500 (the store kept
				// nothing it wrote), not a dropped connection.
				if p := recover(); p != nil {
					if s.Log != nil {
						s.Log.Error("handler panicked", "method", r.Method, "path", r.URL.Path, "request_id", reqID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
					}
					status = writeError(w, reqID, s.Clock.Unix(), apierr.Internal("An unexpected error occurred in the emulator: %v", p))
				}
			}()
			key, kerr := apiKey(r, rt.Publishable)
			if kerr != nil {
				if r.Header.Get("Authorization") == "" {
					h.Set("WWW-Authenticate", `Basic realm="Stripe"`)
				}
				return writeError(w, reqID, s.Clock.Unix(), kerr)
			}
			version, rendered, verr := apiVersion(r, s.StrictVersions)
			if rt.PinnedVersion {
				rendered = false
				version, verr = pinnedVersion(r)
			}
			if verr != nil {
				return writeError(w, reqID, s.Clock.Unix(), verr)
			}
			if rendered {
				h.Set("Stripe-Emu-Warning", renderedWarning(strings.TrimSpace(r.Header.Get("Stripe-Version"))))
			}
			h.Set("Stripe-Version", version)
			var err error
			account, err = s.accountFor(r)
			if err != nil {
				return writeError(w, reqID, s.Clock.Unix(), err)
			}
			echoAccount(h, r)
			if r.Method == http.MethodPost {
				if err := keyHeaders(h, r, reqID); err != nil {
					return writeError(w, reqID, s.Clock.Unix(), err)
				}
			}
			fault := s.Faults.Match(r.Method, r.URL.Path)
			switch {
			case fault == nil:
			case fault.Err != nil:
				// Injected failures happen before the endpoint runs, so
				// (as with Stripe) the idempotency key is not used up.
				if fault.ShouldRetry != "" {
					h["Stripe-Should-Retry"] = []string{fault.ShouldRetry}
				}
				return writeError(w, reqID, s.Clock.Unix(), fault.Err)
			case fault.Drop:
				dropConnection(rw)
				return 0
			case fault.DropAnswer:
				w = &lostAnswer{conn: rw, header: http.Header{}}
			}
			if r.Method == http.MethodPost {
				// Whatever this POST answers, a retry under its key
				// would be answered the same: Stripe tells clients so.
				h["Stripe-Should-Retry"] = shouldNotRetry
			}
			var raw string
			var up *Upload
			if rt.Upload && r.Method == http.MethodPost && isMultipart(r) {
				raw, up, err = readMultipart(r)
			} else {
				raw, err = readParams(r)
			}
			body = raw
			if err != nil {
				return writeError(w, reqID, s.Clock.Unix(), err)
			}
			tree, ferr := form.Parse(raw)
			if ferr != nil {
				return writeError(w, reqID, s.Clock.Unix(), apierr.InvalidRequest("Invalid request: %v", ferr))
			}
			if r.Method == http.MethodPost {
				// Stripe refuses what is not UTF-8 rather than keep it
				// mangled (Go would write each bad byte as U+FFFD).
				if name, bad := notUTF8(tree, ""); bad {
					return writeError(w, reqID, s.Clock.Unix(), apierr.InvalidRequest("Invalid UTF-8 characters found in POST body: %q.  For assistance, please contact support@stripe.com.", strings.ToValidUTF8(name, "\ufffd")))
				}
			}
			vals, perr := params.Validate(rt.Params, tree)
			if perr != nil {
				return writeError(w, reqID, s.Clock.Unix(), perr)
			}
			c := s.newCall(rt, r, vals, account, version, reqID, fault)
			c.Publishable = strings.HasPrefix(key, "pk_")
			c.Upload = up
			idemKey = c.IdempotencyKey
			if idemKey == "" {
				status, out := s.execute(rt, c, nil)
				if c.contentType != "" && status == 200 {
					h["Content-Type"] = []string{c.contentType}
				}
				return writeJSON(w, status, out)
			}
			return s.idempotent(w, rt, c, idemKey)
		}()
		s.finish(w, r, reqID, body, account, idemKey, status, start)
		if lost, ok := w.(*lostAnswer); ok {
			dropConnection(lost.conn)
		}
	})
}

func (s *Server) finish(w http.ResponseWriter, r *http.Request, reqID, body, account, idemKey string, status int, start time.Time) {
	if s.Observe == nil {
		return
	}
	if account == s.Platform {
		account = ""
	}
	var message string
	if ea, ok := w.(*errorAnswer); ok && len(ea.body) > 0 {
		message = gjson.GetBytes(ea.body, "error.message").String()
	}
	s.Observe(Logged{
		RequestID: reqID, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body,
		Account: account, IdempotencyKey: idemKey, UserAgent: r.Header.Get("User-Agent"), Status: status,
		Error: message, Duration: time.Since(start), At: s.Clock.Now(),
	})
}

// errorAnswer keeps the body of an error answer (a status of 400 or
// more), for the request log to say why the request failed.
type errorAnswer struct {
	http.ResponseWriter
	status int
	body   []byte
}

func (e *errorAnswer) WriteHeader(status int) {
	e.status = status
	e.ResponseWriter.WriteHeader(status)
}

func (e *errorAnswer) Write(b []byte) (int, error) {
	if e.status >= 400 && len(e.body) < 8<<10 {
		e.body = append(e.body, b...)
	}
	return e.ResponseWriter.Write(b)
}

// newCall is the Call a request's handler runs with: its parameters, the
// account and version in scope, its Idempotency-Key (POST, and v2's
// DELETE) and an injected stall.
func (s *Server) newCall(rt Route, r *http.Request, vals params.Values, account, version, reqID string, fault *faults.Action) *Call {
	c := &Call{
		Env: s.Env, Params: vals.Tracked(), Vars: mux.Vars(r),
		Account: account, Connected: account != s.Platform,
		RequestID: reqID, APIVersion: version, Path: r.URL.Path, Endpoint: rt.Method + " " + rt.Path,
		ClientIP: clientIP(r), AskedVersion: strings.TrimSpace(r.Header.Get("Stripe-Version")),
	}
	// v2's keys cover deletes too: Stripe's reference lists a 409
	// idempotency_error on its v2 DELETE endpoints, and stripe-go sends a
	// key with every write.
	if rt.Method == http.MethodPost || (rt.V2 && rt.Method == http.MethodDelete) {
		c.IdempotencyKey = strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	}
	if fault != nil {
		c.stall = fault.Stall
	}
	return c
}

// notEmulated refuses a request that sent a parameter its handler never
// looked at: stripe-go's schemas accept every parameter Stripe has, and
// answering as if one took effect when it did not would let a test pass
// against the emulator and fail against Stripe. The transaction is rolled
// back, so nothing the handler did is kept.
func notEmulated(rt Route, c *Call) error {
	c.Params.MarkRead("expand") // rendering reads it
	unread := c.Params.Unread()
	if len(unread) == 0 {
		return nil
	}
	return NotEmulated(unread[0], rt.Method+" "+rt.Path)
}

// NotEmulated is the refusal of a parameter Stripe has but the emulator
// does not act on, sent to endpoint ("POST /v1/customers").
func NotEmulated(param, endpoint string) error {
	return apierr.InvalidRequest("stripe-emu does not emulate the parameter `%s` of %s, so it refused the request rather than answer as if it had taken effect. Leave it out, or see the README for what is emulated.", param, endpoint).WithParam(param)
}

// clientIP is the address a request came from, without its port.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// readParams returns the form-encoded parameters: the body for POST (with
// any query string merged in front, so the body wins), the query otherwise.
// notUTF8 finds a parameter whose name or value is not UTF-8, naming it
// as the form does (a[b][0]).
func notUTF8(v any, name string) (string, bool) {
	switch v := v.(type) {
	case string:
		return name, !utf8.ValidString(v)
	case map[string]any:
		for k, sub := range v {
			n := k
			if name != "" {
				n = name + "[" + k + "]"
			}
			if !utf8.ValidString(k) {
				return n, true
			}
			if n, bad := notUTF8(sub, n); bad {
				return n, true
			}
		}
	case []any:
		for i, sub := range v {
			if n, bad := notUTF8(sub, name+"["+strconv.Itoa(i)+"]"); bad {
				return n, true
			}
		}
	}
	return "", false
}

func readParams(r *http.Request) (string, error) {
	q := r.URL.RawQuery
	if r.Method != http.MethodPost && r.Method != http.MethodDelete {
		return q, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return "", apierr.InvalidRequest("Could not read the request body: %v", err)
	}
	if len(b) > MaxBodyBytes {
		e := apierr.InvalidRequest("Request body too large: the limit is %d bytes.", MaxBodyBytes)
		e.Status = http.StatusRequestEntityTooLarge
		return "", e
	}
	ct := r.Header.Get("Content-Type")
	if len(b) > 0 && ct != "" && !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return "", apierr.InvalidRequest("Invalid request: unsupported Content-Type %s. If error persists and you need assistance, please contact support@stripe.com.", ct)
	}
	switch {
	case q == "":
		return string(b), nil
	case len(b) == 0:
		return q, nil
	}
	return q + "&" + string(b), nil
}

// execute runs the handler in one transaction and renders its answer. On
// error nothing the handler wrote is kept. onSuccess, if set, runs inside
// the transaction with the rendered body (to save it for idempotency).
func (s *Server) execute(rt Route, c *Call, onSuccess func(c *Call, body []byte) error) (int, []byte) {
	if c.stall != nil {
		c.stall()
	}
	var out []byte
	var kept *KeptError
	run := func(tx *store.Tx) error {
		c.Tx = tx
		c.Now = s.Clock.Unix()
		c.events = c.events[:0]
		c.stored.reset()
		kept = nil
		c.later, c.after = nil, nil
		c.refused = nil
		res, err := rt.Handle(c)
		if err == nil {
			err = notEmulated(rt, c)
		}
		if err == nil || errors.As(err, &kept) {
			if ferr := c.Flush(); ferr != nil {
				return ferr
			}
		}
		if c.refused != nil && (err == nil || kept != nil) {
			return c.refused
		}
		if errors.As(err, &kept) {
			// A decline: the failed charge and its events are real.
			return c.commitEvents()
		}
		if err != nil {
			return err
		}
		// Rendering expands objects in place: it must not see them shared.
		c.Tx.EndWrites()
		if d, ok := res.(Discard); ok {
			// Rendered inside the transaction (expansions see what the
			// handler wrote), then everything is rolled back.
			if out, err = s.render(c, d.Result); err != nil {
				return err
			}
			return errDiscarded
		}
		rendered, err := s.render(c, res)
		if err != nil {
			return err
		}
		out = rendered
		if onSuccess != nil {
			if err := onSuccess(c, rendered); err != nil {
				return err
			}
		}
		return c.commitEvents()
	}
	var err error
	if rt.Method == http.MethodGet {
		err = s.Store.View(run)
	} else {
		err = s.Store.Update(run)
	}
	if errors.Is(err, errDiscarded) {
		c.events, c.after = nil, nil
		if onSuccess != nil {
			// The answer is kept for idempotent replays, though nothing
			// that produced it was.
			_ = s.Store.Update(func(tx *store.Tx) error { c.Tx = tx; return onSuccess(c, out) })
		}
		return 200, out
	}
	if err != nil {
		return errorFor(c, err)
	}
	c.runAfterCommit()
	s.Events.publish(c.committed())
	if kept != nil {
		return errorFor(c, kept.Err)
	}
	return 200, out
}

// Blob is a handler's answer that is a file rather than a Stripe object
// (a quote's PDF), served with its own Content-Type. GET endpoints only:
// idempotent replays store JSON.
type Blob struct {
	ContentType string
	Body        []byte
}

// Discard is a handler's answer that is computed by writing to the store
// and then thrown away: previews (POST /v1/invoices/create_preview) run
// the real rules on a copy of the world. Result is rendered as usual;
// nothing the handler wrote is kept and no event is recorded.
type Discard struct{ Result any }

var errDiscarded = errors.New("api: discarded")

// KeptError answers the request with an error while keeping everything
// the handler wrote: Stripe's card declines leave a failed charge, an
// updated PaymentIntent and their events behind.
type KeptError struct{ Err *apierr.Error }

func (k *KeptError) Error() string { return k.Err.Error() }

// Keep wraps err so the request's changes commit despite it.
func Keep(err *apierr.Error) error { return &KeptError{Err: err} }

func (c *Call) commitEvents() error {
	if len(c.events) > 0 && c.Tx == nil {
		return errors.New("events outside a transaction")
	}
	for _, ev := range c.events {
		if err := c.Tx.PutRaw(ev.Account, "event", ev.ID, ev.JSON, nil); err != nil {
			return err
		}
	}
	return nil
}

func (c *Call) committed() []Committed { return c.events }

// render expands what the request asked for and encodes the answer.
func (s *Server) render(c *Call, res any) ([]byte, error) {
	expand := c.Params.Strings("expand")
	switch v := res.(type) {
	case store.Obj:
		// Long embedded lists are cut first, so expansion works on the
		// page shown, then again in what expansion brought in.
		v = s.Registry.limitTop(v)
		if err := s.expandAll(c, v, expand, false); err != nil {
			return nil, err
		}
		return marshal(s.limitExpanded(v, expand))
	case *List:
		obj := s.Registry.limitTop(v.render())
		if err := s.expandAll(c, obj, expand, true); err != nil {
			return nil, err
		}
		return marshal(s.limitExpanded(obj, expand))
	case Blob:
		// A file, not JSON: served as it is (expand[] has nothing to act on).
		c.contentType = v.ContentType
		return v.Body, nil
	case json.RawMessage:
		if len(expand) > 0 {
			var o store.Obj
			if err := json.Unmarshal(v, &o); err != nil {
				return nil, err
			}
			return s.render(c, o)
		}
		// Stored JSON is ours, compact and valid: lay it out without
		// validating it again.
		out := jsonenc.IndentCompact(make([]byte, 0, len(v)*3/2+64), []byte(v), 0)
		return append(out, '\n'), nil
	case ClientView:
		full, err := s.render(c, v.Result)
		if err != nil {
			return nil, err
		}
		var o store.Obj
		if err := json.Unmarshal(full, &o); err != nil {
			return nil, err
		}
		return marshal(v.restrict(o))
	case *V2List:
		// Last: v1's answers are matched first.
		return marshal(v.render())
	}
	return nil, fmt.Errorf("api: handler returned %T", res)
}

// limitExpanded cuts the lists of the objects expansion put inside an
// answer (a subscription's latest_invoice) to the first page Stripe shows
// (Kind.EmbeddedLists).
func (s *Server) limitExpanded(o store.Obj, expand []string) store.Obj {
	if len(expand) == 0 {
		return o
	}
	out, _ := s.Registry.limitDeep(o)
	return out.(store.Obj)
}

// marshal renders an answer the way Stripe does: indented JSON.
func marshal(v any) ([]byte, error) {
	return jsonenc.MarshalIndent(v)
}

// lostAnswer is where the answer of a request whose answer is to be lost
// goes: the request runs as usual, what it answers is thrown away, and
// then the client's connection (conn) is closed.
type lostAnswer struct {
	conn   http.ResponseWriter
	header http.Header
}

func (l *lostAnswer) Header() http.Header         { return l.header }
func (l *lostAnswer) WriteHeader(int)             {}
func (l *lostAnswer) Write(b []byte) (int, error) { return len(b), nil }

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// Header values every response shares (net/http only reads them). The
// CORS and caching ones are those api.stripe.com sends.
var (
	jsonContentType = []string{"application/json"}
	anyOrigin       = []string{"*"}
	shouldNotRetry  = []string{"false"}
	yes             = []string{"true"}
	corsMethods     = []string{"GET,HEAD,PUT,PATCH,POST,DELETE"}
	corsExposed     = []string{"Request-Id, Stripe-Manage-Version, X-Stripe-External-Auth-Required, X-Stripe-Privileged-Session-Required"}
	corsMaxAge      = []string{"300"}
	neverCache      = []string{"no-cache, no-store"}
)

// stamp sets the headers every answer carries, an unknown URL's 404
// included: its request id, JSON's content type, and what lets a page in
// a browser read it. Keys already canonical are assigned directly,
// skipping Set's canonicalization on every request.
func stamp(h http.Header, reqID string) {
	h["Request-Id"] = []string{reqID}
	h["Content-Type"] = jsonContentType
	h["Access-Control-Allow-Origin"] = anyOrigin
	h["Access-Control-Allow-Credentials"] = yes
	h["Access-Control-Allow-Methods"] = corsMethods
	h["Access-Control-Expose-Headers"] = corsExposed
	h["Access-Control-Max-Age"] = corsMaxAge
	h["Cache-Control"] = neverCache
}

func writeJSON(w http.ResponseWriter, status int, body []byte) int {
	// With its length known, net/http writes the body as is rather than
	// in chunks once it outgrows its 2 KB buffer; Stripe sends it too.
	w.Header()["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
}

func writeError(w http.ResponseWriter, reqID string, now int64, err error) int {
	status, body := errorBody(reqID, now, err)
	return writeJSON(w, status, body)
}

// asAPIError is err as a Stripe error: an integer the store would keep
// rounded is bad input (400); other errors that are not Stripe-shaped are
// the emulator's own failures (500 api_error).
func asAPIError(err error) *apierr.Error {
	var e *apierr.Error
	if errors.As(err, &e) {
		return e
	}
	var inexact *jsonenc.InexactError
	if errors.As(err, &inexact) {
		return apierr.InvalidInteger("", strconv.FormatInt(inexact.N, 10))
	}
	return apierr.Internal("An unexpected error occurred in the emulator: %v", err)
}

// errorBody renders any error as Stripe's error envelope; errors that are
// not Stripe-shaped are the emulator's own failures (500 api_error).
func errorBody(reqID string, now int64, err error) (int, []byte) {
	e := asAPIError(err)
	cp := *e
	if !e.Unlogged {
		cp.RequestLogURL = fmt.Sprintf("https://dashboard.stripe.com/test/logs/%s?t=%d", reqID, now)
	}
	body, merr := marshal(map[string]any{"error": &cp})
	if merr != nil {
		body = []byte(`{"error":{"type":"api_error","message":"error encoding failed"}}`)
	}
	return cp.Status, body
}
