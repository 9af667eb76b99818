// Package faults makes chosen API requests fail or stall, so an app's own
// retry and timeout handling can be tested: the next N requests matching a
// route answer a 500, a 429, take longer, lose their connection, or wait
// until the test releases them.
package faults

import (
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
)

// Kind of fault.
type Kind string

const (
	ServerError Kind = "server_error" // 500 api_error
	RateLimit   Kind = "rate_limit"   // 429 rate_limit
	LockTimeout Kind = "lock_timeout" // 429 lock_timeout (stripe-go retries it)
	Delay       Kind = "delay"        // answer normally after Duration
	Drop        Kind = "drop"         // close the connection without answering
	DropAnswer  Kind = "drop_answer"  // run the request, then close the connection without its answer
	Hold        Kind = "hold"         // wait until Release, then answer normally
)

// Fault is one injected failure.
type Fault struct {
	ID string `json:"id"`
	// Method ("" = any) and Path, a pattern where * matches one path
	// segment, e.g. "/v1/payment_intents/*/confirm".
	Method string `json:"method"`
	Path   string `json:"path"`
	Kind   Kind   `json:"kind"`
	// Times is how many matching requests it hits (0 = every one until
	// removed).
	Times    int           `json:"times"`
	Duration time.Duration `json:"duration,omitempty"`
	Hits     int           `json:"hits"`
	// Waiting is how many requests a hold is holding now (in a listing),
	// so a client of the control surface can wait until one is held.
	Waiting int `json:"waiting,omitempty"`

	release chan struct{}
}

// Action is what the pipeline must do with a request that a fault hit.
type Action struct {
	Err *apierr.Error // answer this instead
	// ShouldRetry is the Stripe-Should-Retry header to send with Err ("" for
	// none): Stripe advises retrying a lock timeout, which stripe-node and
	// stripe-python follow only on that advice (stripe-go by its code).
	ShouldRetry string
	Drop        bool // close the connection
	// DropAnswer: run the request as usual, then close the connection
	// instead of answering (an answer lost on its way back, which an SDK
	// retries under the same idempotency key).
	DropAnswer bool
	Stall      func() // call before executing the request (delay, hold)
}

// Set is the faults of one emulator.
type Set struct {
	mu     sync.Mutex
	cond   *sync.Cond
	faults []*Fault
	next   int
}

// NewSet returns an empty set.
func NewSet() *Set {
	s := &Set{}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// Add installs a fault and returns its id.
func (s *Set) Add(f Fault) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	f.ID = "fault_" + strconv.Itoa(s.next)
	f.Method = strings.ToUpper(f.Method)
	f.Hits, f.Waiting = 0, 0
	if f.Kind == Hold {
		f.release = make(chan struct{})
	}
	cp := f
	s.faults = append(s.faults, &cp)
	return cp.ID
}

// Remove uninstalls a fault (releasing anything it holds).
func (s *Set) Remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.ID == id {
			if f.release != nil {
				close(f.release)
			}
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			return
		}
	}
}

// Release lets every request held by a Hold fault go on and removes it.
func (s *Set) Release(id string) { s.Remove(id) }

// Clear removes every fault, releasing held requests.
func (s *Set) Clear() {
	s.mu.Lock()
	ids := make([]string, len(s.faults))
	for i, f := range s.faults {
		ids[i] = f.ID
	}
	s.mu.Unlock()
	for _, id := range ids {
		s.Remove(id)
	}
}

// List returns the installed faults.
func (s *Set) List() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, len(s.faults))
	for i, f := range s.faults {
		out[i] = *f
		out[i].release = nil
	}
	return out
}

// Waiting is how many requests a Hold fault is holding now.
func (s *Set) Waiting(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.ID == id {
			return f.Waiting
		}
	}
	return 0
}

// WaitFor blocks until a Hold fault holds n requests (or is removed),
// for at most timeout: it answers false, with the fault as it stands,
// when the time ran out first.
func (s *Set) WaitFor(id string, n int, timeout time.Duration) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	expired := false
	timer := time.AfterFunc(timeout, func() {
		s.mu.Lock()
		expired = true
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer timer.Stop()
	for {
		f := s.find(id)
		if f == nil || f.Waiting >= n {
			return Fault{}, true
		}
		if expired {
			out := *f
			out.release = nil
			return out, false
		}
		s.cond.Wait()
	}
}

func (s *Set) find(id string) *Fault {
	for _, f := range s.faults {
		if f.ID == id {
			return f
		}
	}
	return nil
}

// Match returns the action for a request, counting the hit; nil if no
// fault applies.
func (s *Set) Match(method, urlPath string) *Action {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if (f.Method != "" && f.Method != method) || !pathMatch(f.Path, urlPath) {
			continue
		}
		if f.Kind == Hold && f.Times > 0 && f.Hits >= f.Times {
			continue
		}
		f.Hits++
		if f.Times > 0 && f.Hits >= f.Times && f.Kind != Hold {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return s.action(f)
	}
	return nil
}

func (s *Set) action(f *Fault) *Action {
	switch f.Kind {
	case ServerError:
		return &Action{Err: &apierr.Error{Status: 500, Type: apierr.TypeAPI, Message: "An unknown error occurred (injected by stripe-emu)."}}
	case RateLimit:
		e := &apierr.Error{Status: 429, Type: apierr.TypeInvalidRequest, Message: "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits."}
		return &Action{Err: e.WithCode("rate_limit")}
	case LockTimeout:
		e := &apierr.Error{Status: 429, Type: apierr.TypeInvalidRequest, Message: "This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request. If you see this error frequently and are making multiple concurrent requests to a single object, make your requests serially or at a lower rate."}
		return &Action{Err: e.WithCode("lock_timeout"), ShouldRetry: "true"}
	case Drop:
		return &Action{Drop: true}
	case DropAnswer:
		return &Action{DropAnswer: true}
	case Delay:
		d := f.Duration
		return &Action{Stall: func() { time.Sleep(d) }}
	case Hold:
		release := f.release
		held := f
		return &Action{Stall: func() {
			// Counted only once the request is really waiting, inside the
			// endpoint, so WaitFor means "it is held now".
			s.mu.Lock()
			held.Waiting++
			s.cond.Broadcast()
			s.mu.Unlock()
			<-release
			s.mu.Lock()
			held.Waiting--
			s.cond.Broadcast()
			s.mu.Unlock()
		}}
	}
	return nil
}

func pathMatch(pattern, p string) bool {
	if pattern == "" || pattern == "*" {
		return true
	}
	ok, err := path.Match(pattern, p)
	return err == nil && ok
}
