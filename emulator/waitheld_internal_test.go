package emulator

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// WaitHeld on a hold no request reaches (the app called another route, or
// never called) panics after a while saying what it waited for, instead of
// hanging the test until go test's timeout.
func TestWaitHeldForARequestThatNeverComesPanicsSayingWhatItWaitedFor(t *testing.T) {
	defer func(d time.Duration) { waitHeldTimeout = d }(waitHeldTimeout)
	waitHeldTimeout = 50 * time.Millisecond
	emu := Start(t)
	id := emu.Faults().Hold("POST", "/v1/customers")
	defer func() {
		r := fmt.Sprint(recover())
		if !strings.Contains(r, "WaitHeld("+id+", 1)") || !strings.Contains(r, "POST /v1/customers") || !strings.Contains(r, "holds 0") {
			t.Errorf("recovered %q", r)
		}
	}()
	emu.Faults().WaitHeld(id, 1)
	t.Error("WaitHeld returned with nothing held")
}
