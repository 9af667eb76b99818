package api

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/clock"
	"github.com/stripe-emu/stripe-emu/emulator/internal/ids"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// testEnv is an emulator's environment for this package's tests: an
// in-memory store (closed when the test ends), a clock frozen at now, the
// platform acct_p and reg's kinds.
func testEnv(t *testing.T, now time.Time, reg *Registry) *Env {
	t.Helper()
	st, err := store.Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &Env{Store: st, Clock: clock.NewFrozen(now), IDs: ids.New(1), Events: &EventLog{},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Platform: "acct_p", Registry: reg}
}
