package api

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/form"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Stripe's v2 API (/v2/…) differs from v1 in its wire format, not in what
// a handler does: POST bodies are JSON (GET and DELETE still take a query
// string), errors are {"error": {type, code, message}}, lists page with
// next_page_url and previous_page_url, times are RFC 3339 strings, and an
// idempotency key keeps only successes. Its routes (Route.V2) get their own
// pipeline, chosen when the route table is built, so v1 requests never
// pass through any of this.

// V2POST, V2GET and V2DELETE build v2 routes; their schemas usually come
// from params.FromJSONStruct.
func V2POST(path string, p *params.Schema, h func(*Call) (any, error)) Route {
	return Route{Method: "POST", Path: path, Params: p, Handle: h, V2: true}
}

func V2GET(path string, p *params.Schema, h func(*Call) (any, error)) Route {
	return Route{Method: "GET", Path: path, Params: p, Handle: h, V2: true}
}

func V2DELETE(path string, p *params.Schema, h func(*Call) (any, error)) Route {
	return Route{Method: "DELETE", Path: path, Params: p, Handle: h, V2: true}
}

// TokenAuth resolves the bearer token of a route authenticated by a
// temporary session rather than an API key (the meter event stream) to
// the account the session was made in. It runs in a read transaction.
type TokenAuth func(tx *store.Tx, now int64, token string) (account string, err *apierr.Error)

// IdempotencyTTLV2 is how long a v2 idempotency key is kept: 30 days,
// against v1's 24 hours.
const IdempotencyTTLV2 = 30 * 24 * time.Hour

// V2Time renders Unix seconds as a v2 timestamp
// ("2024-06-01T12:00:00.000Z").
func V2Time(unix int64) string {
	return time.Unix(unix, 0).UTC().Format("2006-01-02T15:04:05.000Z")
}

// endpointV2 wraps one v2 route in the v2 request pipeline: the same
// steps as v1's (key, version, account, faults, parameters, idempotency,
// one transaction), each in v2's wire format.
func (s *Server) endpointV2(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		reqID := s.newRequestID()
		h := w.Header()
		stamp(h, reqID)

		body, account, idemKey := "", "", ""
		status := func() (status int) {
			defer func() {
				// As v1's: a handler's bug answers a 500 in v2's envelope.
				if p := recover(); p != nil {
					if s.Log != nil {
						s.Log.Error("handler panicked", "method", r.Method, "path", r.URL.Path, "request_id", reqID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
					}
					status = writeV2Error(w, apierr.Internal("An unexpected error occurred in the emulator: %v", p))
				}
			}()
			var err error
			if rt.TokenAuth != nil {
				if account, err = s.tokenAccount(rt.TokenAuth, r); err != nil {
					return writeV2Error(w, err)
				}
			} else if _, kerr := apiKey(r, false); kerr != nil {
				if r.Header.Get("Authorization") == "" {
					h.Set("WWW-Authenticate", `Basic realm="Stripe"`)
				}
				return writeV2Error(w, kerr)
			}
			version, rendered, verr := apiVersion(r, s.StrictVersions)
			if verr != nil {
				return writeV2Error(w, verr)
			}
			if rendered {
				h.Set("Stripe-Emu-Warning", renderedWarning(strings.TrimSpace(r.Header.Get("Stripe-Version"))))
			}
			h.Set("Stripe-Version", version)
			if rt.TokenAuth == nil {
				if account, err = s.accountFor(r); err != nil {
					return writeV2Error(w, err)
				}
				echoAccount(h, r)
			}
			fault := s.Faults.Match(r.Method, r.URL.Path)
			switch {
			case fault == nil:
			case fault.Err != nil:
				if fault.ShouldRetry != "" {
					h["Stripe-Should-Retry"] = []string{fault.ShouldRetry}
				}
				return writeV2Error(w, fault.Err)
			case fault.Drop:
				dropConnection(w)
				return 0
			case fault.DropAnswer:
				w = &lostAnswer{conn: w, header: http.Header{}}
			}
			raw, vals, perr := readV2Params(rt, r)
			body = raw
			if perr != nil {
				return writeV2Error(w, perr)
			}
			c := s.newCall(rt, r, vals, account, version, reqID, fault)
			c.v2 = true
			idemKey = c.IdempotencyKey
			if idemKey == "" {
				status, out := s.execute(rt, c, nil)
				return writeJSON(w, status, out)
			}
			h.Set("Idempotency-Key", idemKey)
			return s.idempotentV2(w, rt, c, idemKey)
		}()
		s.finish(w, r, reqID, body, account, idemKey, status, start)
		if lost, ok := w.(*lostAnswer); ok {
			dropConnection(lost.conn)
		}
	})
}

// tokenAccount checks a temporary session's bearer token.
func (s *Server) tokenAccount(auth TokenAuth, r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	token = strings.TrimSpace(token)
	if !ok || token == "" {
		return "", &apierr.Error{Status: 401, Type: apierr.TypeInvalidRequest, Message: "You did not provide a session token. This endpoint is authenticated by the authentication_token of a meter event session (POST /v2/billing/meter_event_session), as 'Authorization: Bearer <token>'."}
	}
	var account string
	var aerr *apierr.Error
	if err := s.Store.View(func(tx *store.Tx) error {
		account, aerr = auth(tx, s.Clock.Unix(), token)
		return nil
	}); err != nil {
		return "", err
	}
	if aerr != nil {
		return "", aerr
	}
	return account, nil
}

// readV2Params reads a v2 request's fields: the JSON body of a POST, the
// query string of a GET or DELETE, each refusing parameters sent the other
// way. raw is what the request log keeps.
func readV2Params(rt Route, r *http.Request) (raw string, vals params.Values, err error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return "", vals, apierr.InvalidRequest("Could not read the request body: %v", err)
	}
	if len(b) > MaxBodyBytes {
		e := apierr.InvalidRequest("Request body too large: the limit is %d bytes.", MaxBodyBytes)
		e.Status = http.StatusRequestEntityTooLarge
		return "", vals, e
	}
	if rt.Method != http.MethodPost {
		if len(strings.TrimSpace(string(b))) > 0 {
			return string(b), vals, apierr.InvalidRequest("A %s request to the v2 API takes its parameters in the query string; this one had a body.", rt.Method).WithCode(params.CodeInvalidFields)
		}
		tree, ferr := form.ParseRepeated(r.URL.RawQuery)
		if ferr != nil {
			return r.URL.RawQuery, vals, apierr.InvalidRequest("Invalid request: %v", ferr).WithCode(params.CodeInvalidFields)
		}
		v, verr := params.ValidateV2(rt.Params, tree, true)
		if verr != nil {
			return r.URL.RawQuery, vals, verr
		}
		return r.URL.RawQuery, v, nil
	}
	if q := r.URL.RawQuery; q != "" {
		name, _, _ := strings.Cut(q, "=")
		name, _ = url.QueryUnescape(name)
		return string(b), vals, apierr.InvalidRequest("Received unknown parameter: %s (a POST to the v2 API takes its parameters in a JSON body, not the query string).", name).WithCode(params.CodeInvalidFields)
	}
	ct := r.Header.Get("Content-Type")
	if len(b) > 0 && ct != "" && !strings.HasPrefix(ct, "application/json") {
		return string(b), vals, apierr.InvalidRequest("Invalid request: unsupported Content-Type %s. The v2 API takes JSON request bodies (application/json).", ct)
	}
	tree, jerr := params.DecodeJSON(b)
	if jerr != nil {
		return string(b), vals, jerr
	}
	v, verr := params.ValidateV2(rt.Params, tree, false)
	if verr != nil {
		return string(b), vals, verr
	}
	return string(b), v, nil
}

// v2ErrorBody renders an error in v2's envelope: type, code (when there is
// one) and message, what stripe-go's V2RawError decodes. Errors that are
// not Stripe-shaped are the emulator's own failures (500 api_error).
func v2ErrorBody(err error) (int, []byte) {
	e := asAPIError(err)
	inner := store.Obj{"type": e.Type, "message": e.Message}
	code := e.Code
	if e.Status == http.StatusNotFound && code == "resource_missing" {
		// v1's code for a missing object; Stripe's v2 reference lists
		// "404 not_found" on its v2 endpoints.
		code = "not_found"
	}
	if code != "" {
		inner["code"] = code
	}
	if v2DocURLRequired[code] && e.DocURL != "" {
		inner["doc_url"] = e.DocURL
	}
	body, merr := marshal(store.Obj{"error": inner})
	if merr != nil {
		body = []byte(`{"error":{"type":"api_error","message":"error encoding failed"}}`)
	}
	return e.Status, body
}

// v2DocURLRequired are the v2 error codes whose schema in Stripe's spec
// requires doc_url (v2.error.billing_meter_event_session_expired); the
// generic v2.error leaves it optional, and which URL Stripe sends with
// the others is not documented, so they go without.
var v2DocURLRequired = map[string]bool{"billing_meter_event_session_expired": true}

func writeV2Error(w http.ResponseWriter, err error) int {
	status, body := v2ErrorBody(err)
	return writeJSON(w, status, body)
}

// errorFor renders a failed request's error in its API's envelope.
func errorFor(c *Call, err error) (int, []byte) {
	if c.v2 {
		return v2ErrorBody(err)
	}
	return errorBody(c.RequestID, c.Now, err)
}

// idempotentV2 answers a v2 POST carrying an Idempotency-Key. Unlike v1,
// only a success is kept (for 30 days) and replayed: a request that
// failed changed nothing, so a retry with the same key runs again, as
// Stripe's v2 retries failed work to completion. A key used on another
// endpoint or with other parameters is a 409 idempotency_error (Stripe's
// v2 reference lists "409 idempotency_error" where v1 answers 400), and
// 409 too while the first request is still running.
func (s *Server) idempotentV2(w http.ResponseWriter, rt Route, c *Call, key string) int {
	return s.keyed(w, rt, c, key, keyRules{
		name: "idem2:" + c.Account + ":" + key, ttl: IdempotencyTTLV2, misuseStatus: http.StatusConflict,
		fail: func(e *apierr.Error) int { return writeV2Error(w, e) },
	})
}

// V2List is a page of a v2 list endpoint.
type V2List struct {
	Data []any
	// Next and Previous are the URLs of the pages either side ("" when
	// there is none), path and query as stripe-go asks for them.
	Next, Previous string
}

func (l *V2List) render() store.Obj {
	data := l.Data
	if data == nil {
		data = []any{}
	}
	return store.Obj{"data": data, "next_page_url": NilIfEmpty(l.Next), "previous_page_url": NilIfEmpty(l.Previous)}
}

// A v2 list's page size: 20 unless asked, at most 20 (unverified: Stripe
// documents only "the page size").
const (
	v2DefaultLimit = 20
	v2MaxLimit     = 20
)

// V2ListParams is a v2 list's schema with its page token, which stripe-go
// never sends itself: it is part of the next_page_url and
// previous_page_url it follows.
func V2ListParams(s *params.Schema) *params.Schema { return s.With("page", params.String()) }

// V2ListQuery reads a v2 list's limit and page token: the token is where
// the page begins, the object after (or before) which it starts.
func (c *Call) V2ListQuery() (store.Query, error) {
	q := store.Query{Limit: v2DefaultLimit}
	if n, ok := c.Params.Int("limit"); ok {
		if n < 1 || n > v2MaxLimit {
			return q, apierr.InvalidRequest("Invalid limit: must be between 1 and %d.", v2MaxLimit).WithCode(params.CodeInvalidFields)
		}
		q.Limit = int(n)
	}
	if tok, ok := c.Params.Str("page"); ok {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		dir, id, found := strings.Cut(string(raw), ":")
		if err != nil || !found || id == "" || (dir != "a" && dir != "b") {
			return q, apierr.InvalidRequest("Invalid page: %q is not a page token this list handed out.", tok).WithCode(params.CodeInvalidFields)
		}
		if dir == "a" {
			q.StartingAfter = id
		} else {
			q.EndingBefore = id
		}
	}
	return q, nil
}

// V2Page runs a v2 list query (from V2ListQuery, with the handler's
// filters) and links the pages either side; filters are the query
// parameters every page of the list repeats. render turns each object
// into its answer (nil: as stored).
func (c *Call) V2Page(object, path string, q store.Query, filters url.Values, render func(store.Obj) any) *V2List {
	p := c.Tx.List(c.Account, object, q)
	out := &V2List{Data: make([]any, len(p.Data))}
	for i, o := range p.Data {
		if render != nil {
			out.Data[i] = render(o)
		} else {
			out.Data[i] = o
		}
	}
	if len(p.Data) == 0 {
		return out
	}
	link := func(dir, id string) string {
		v := url.Values{}
		for k, vs := range filters {
			v[k] = vs
		}
		v.Set("limit", strconv.Itoa(q.Limit))
		v.Set("page", base64.RawURLEncoding.EncodeToString([]byte(dir+":"+id)))
		return path + "?" + v.Encode()
	}
	first, last := Str(p.Data[0]["id"]), Str(p.Data[len(p.Data)-1]["id"])
	// Newest first: the next page is older, after the last object; the
	// previous one newer, before the first. Paging backwards, has_more
	// speaks of newer objects, and the cursor itself is an older one.
	if backwards := q.EndingBefore != ""; backwards {
		out.Next = link("a", last)
		if p.HasMore {
			out.Previous = link("b", first)
		}
	} else {
		if p.HasMore {
			out.Next = link("a", last)
		}
		if q.StartingAfter != "" {
			out.Previous = link("b", first)
		}
	}
	return out
}
