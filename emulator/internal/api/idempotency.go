package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// IdempotencyTTL is how long Stripe keeps a key (it may prune after 24 h).
const IdempotencyTTL = 24 * time.Hour

type idempotency struct {
	mu       sync.Mutex
	inFlight map[string]bool
}

func newIdempotency() *idempotency { return &idempotency{inFlight: map[string]bool{}} }

type savedResponse struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Params string `json:"params"`
	Status int    `json:"status"`
	// Body is kept as a string: as json.RawMessage it would be compacted
	// on saving, and a replay must be the first answer byte for byte.
	Body      string `json:"body"`
	RequestID string `json:"request_id"`
	Created   int64  `json:"created"`
}

func idemName(account, key string) string { return "idem:" + account + ":" + key }

// keyHeaders checks a v1 POST's Idempotency-Key and, when one was sent,
// echoes it with the request it was first used by (this one, unless a
// replay says otherwise), as Stripe does on every answer under a key. A
// header sent empty is a key of no characters, which Stripe refuses as
// it does one over 255.
func keyHeaders(h http.Header, r *http.Request, reqID string) error {
	sent, ok := r.Header["Idempotency-Key"]
	if !ok {
		return nil
	}
	key := strings.TrimSpace(sent[0])
	if n := utf8.RuneCountInString(key); n < 1 || n > 255 {
		return &apierr.Error{Status: 400, Type: apierr.TypeIdempotency, Message: fmt.Sprintf("Idempotent key length is %d characters long, which is outside accepted lengths. Idempotent Keys must be 1-255 characters long. If you're looking for a decent generator, try using a UUID defined by IETF RFC 4122.", n)}
	}
	h["Idempotency-Key"] = []string{key}
	h["Original-Request"] = []string{reqID}
	return nil
}

// idempotent answers a POST carrying an Idempotency-Key: a replay of the
// saved response, Stripe's idempotency_error when the key was used
// differently, 409 while the first request is still running, or a fresh
// execution whose response is saved with its effects.
func (s *Server) idempotent(w http.ResponseWriter, rt Route, c *Call, key string) int {
	return s.keyed(w, rt, c, key, keyRules{
		name: idemName(c.Account, key), ttl: IdempotencyTTL, saveErrors: true, misuseStatus: http.StatusBadRequest,
		fail: func(e *apierr.Error) int { return writeError(w, c.RequestID, s.Clock.Unix(), e) },
	})
}

// keyRules are how one version of the API keeps idempotency keys.
type keyRules struct {
	name string // the key's metadata name
	ttl  time.Duration
	// saveErrors: an error answer is saved and replayed too (v1), not
	// only a success (v2).
	saveErrors bool
	// misuseStatus answers a key used on another endpoint or with other
	// parameters: 400 in v1, 409 in v2.
	misuseStatus int
	fail         func(*apierr.Error) int // writes an error in the version's shape
}

// keyed runs a request under an idempotency key by rules: 409 while the
// key's first request is still running, Stripe's idempotency_error for a
// key used on another endpoint or with other parameters, a replay of what
// was saved, or a fresh execution whose answer is saved.
func (s *Server) keyed(w http.ResponseWriter, rt Route, c *Call, key string, rules keyRules) int {
	name := rules.name
	s.idem.mu.Lock()
	if s.idem.inFlight[name] {
		s.idem.mu.Unlock()
		// The first request may yet fail in a way its retry would not.
		w.Header().Del("Stripe-Should-Retry")
		e := &apierr.Error{Status: 409, Type: apierr.TypeIdempotency, Message: fmt.Sprintf("There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): %s. Please try again later.", key)}
		return rules.fail(e.WithCode("idempotency_key_in_use"))
	}
	s.idem.inFlight[name] = true
	s.idem.mu.Unlock()
	defer func() {
		s.idem.mu.Lock()
		delete(s.idem.inFlight, name)
		s.idem.mu.Unlock()
	}()

	canonical := c.Params.Canonical()
	if saved, ok := s.savedResponse(name, rules.ttl); ok {
		switch {
		case saved.Path != c.Path || saved.Method != rt.Method:
			return rules.fail(&apierr.Error{Status: rules.misuseStatus, Type: apierr.TypeIdempotency, Message: fmt.Sprintf("Keys for idempotent requests can only be used for the same endpoint they were first used for ('%s' vs '%s'). Try using a key other than '%s' if you meant to execute a different request.", saved.Path, c.Path, key)})
		case saved.Params != canonical:
			return rules.fail(&apierr.Error{Status: rules.misuseStatus, Type: apierr.TypeIdempotency, Message: fmt.Sprintf("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '%s' if you meant to execute a different request.", key)})
		}
		w.Header().Set("Idempotent-Replayed", "true")
		w.Header().Set("Original-Request", saved.RequestID)
		return writeJSON(w, saved.Status, []byte(saved.Body))
	}

	saved := savedResponse{Method: rt.Method, Path: c.Path, Params: canonical, RequestID: c.RequestID}
	status, body := s.executeSaving(rt, c, name, &saved, rules.saveErrors)
	return writeJSON(w, status, body)
}

// executeSaving runs the request and saves its response under the key: a
// success in the same transaction as its effects; with saveErrors, an
// error (whose effects were rolled back) in a transaction of its own, as
// Stripe's v1 saves errors too.
func (s *Server) executeSaving(rt Route, c *Call, name string, saved *savedResponse, saveErrors bool) (int, []byte) {
	status, body := s.execute(rt, c, func(c *Call, body []byte) error {
		saved.Status, saved.Body, saved.Created = 200, string(body), c.Now
		return putSaved(c.Tx, name, saved)
	})
	if status != 200 && saveErrors {
		saved.Status, saved.Body, saved.Created = status, string(body), s.Clock.Unix()
		_ = s.Store.Update(func(tx *store.Tx) error { return putSaved(tx, name, saved) })
	}
	return status, body
}

func putSaved(tx *store.Tx, name string, saved *savedResponse) error {
	b, err := json.Marshal(saved)
	if err != nil {
		return err
	}
	return tx.SetMeta(name, string(b))
}

func (s *Server) savedResponse(name string, ttl time.Duration) (savedResponse, bool) {
	var saved savedResponse
	found := false
	_ = s.Store.View(func(tx *store.Tx) error {
		raw, ok := tx.GetMeta(name)
		if ok && json.Unmarshal([]byte(raw), &saved) == nil {
			found = true
		}
		return nil
	})
	if found && s.Clock.Now().Sub(time.Unix(saved.Created, 0)) >= ttl {
		return saved, false
	}
	return saved, found
}
