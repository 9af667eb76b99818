package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/faults"
)

// Fault is an injected failure (see Faults).
type Fault = faults.Fault

// FaultKind names what a fault does.
type FaultKind = faults.Kind

// The kinds of fault.
const (
	FaultServerError = faults.ServerError // 500 api_error
	FaultRateLimit   = faults.RateLimit   // 429 rate_limit
	FaultLockTimeout = faults.LockTimeout // 429 lock_timeout
	FaultDelay       = faults.Delay       // answer after a delay
	FaultDrop        = faults.Drop        // close the connection unanswered
	FaultDropAnswer  = faults.DropAnswer  // run the request, then close the connection unanswered
	FaultHold        = faults.Hold        // wait until released
)

// FaultControl injects failures into chosen API routes so an app's retry
// and timeout handling can be tested. Paths are patterns where * matches
// one segment: "/v1/payment_intents/*/confirm".
type FaultControl struct{ set *faults.Set }

// Faults controls injected failures.
func (e *Emulator) Faults() FaultControl { return FaultControl{set: e.server.Faults} }

// CheckFault refuses a fault no request would hit, or one the emulator
// would not apply as written: an unknown kind, a method the API has no
// route for, a path without its leading /, negative times or duration.
func CheckFault(f Fault) error {
	switch f.Kind {
	case faults.ServerError, faults.RateLimit, faults.LockTimeout, faults.Drop, faults.DropAnswer, faults.Delay, faults.Hold:
	default:
		return fmt.Errorf("kind %q: must be one of server_error, rate_limit, lock_timeout, delay, drop, drop_answer, hold", f.Kind)
	}
	// A fault on a method or path no request has would never fire.
	switch strings.ToUpper(f.Method) {
	case "", http.MethodGet, http.MethodPost, http.MethodDelete:
	default:
		return fmt.Errorf("method %q: must be one of DELETE, GET, POST, or left out for any", f.Method)
	}
	if f.Path != "" && f.Path != "*" && !strings.HasPrefix(f.Path, "/") {
		return fmt.Errorf("path %q: must start with / (* matches one segment), or be left out for any", f.Path)
	}
	if f.Times < 0 {
		return fmt.Errorf("times %d: want 0 (every matching request) or more", f.Times)
	}
	if f.Duration < 0 {
		return fmt.Errorf("duration %v: must not be negative", f.Duration)
	}
	return nil
}

// Add installs a fault and returns its id. It panics on a fault CheckFault
// refuses: one no request would hit would let a test of retries pass on
// requests that never failed.
func (f FaultControl) Add(fault Fault) string {
	if err := CheckFault(fault); err != nil {
		panic("stripe-emu: Faults: " + err.Error())
	}
	return f.set.Add(fault)
}

// Fail makes the next n requests to method+path fail with kind (server
// error, rate limit, lock timeout, drop, or drop_answer: the request runs
// and its answer is lost).
func (f FaultControl) Fail(method, path string, kind FaultKind, n int) string {
	return f.Add(Fault{Method: method, Path: path, Kind: kind, Times: n})
}

// Delay makes the next n requests to method+path answer d late.
func (f FaultControl) Delay(method, path string, d time.Duration, n int) string {
	return f.Add(Fault{Method: method, Path: path, Kind: faults.Delay, Duration: d, Times: n})
}

// Hold makes requests to method+path wait, inside the endpoint, until
// Release; it returns the fault's id.
func (f FaultControl) Hold(method, path string) string {
	return f.Add(Fault{Method: method, Path: path, Kind: faults.Hold})
}

// WaitHeld blocks until the hold fault id is holding n requests (or is
// removed). It panics after 30 seconds, saying what it waited for, rather
// than hang the test when the requests never come (the app called another
// route, or not at all).
func (f FaultControl) WaitHeld(id string, n int) {
	if fault, ok := f.set.WaitFor(id, n, waitHeldTimeout); !ok {
		method := fault.Method
		if method == "" {
			method = "any method"
		}
		panic(fmt.Sprintf("stripe-emu: WaitHeld(%s, %d): the hold on %s %s holds %d after %v: did the app send that request?",
			id, n, method, fault.Path, fault.Waiting, waitHeldTimeout))
	}
}

// waitHeldTimeout is how long WaitHeld waits (a variable for its test).
var waitHeldTimeout = 30 * time.Second

// Release lets held requests go on and removes the fault.
func (f FaultControl) Release(id string) { f.set.Release(id) }

// Remove uninstalls a fault.
func (f FaultControl) Remove(id string) { f.set.Remove(id) }

// Clear removes every fault.
func (f FaultControl) Clear() { f.set.Clear() }

// List returns the installed faults with their hit counts.
func (f FaultControl) List() []Fault { return f.set.List() }
