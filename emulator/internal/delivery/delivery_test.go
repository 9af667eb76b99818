package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/clock"
)

// Flush is what tests wait on before reading pending_webhooks: it must
// not say idle while the outcome of a delivery is still being counted.
func TestFlushWaitsUntilTheResultIsHeard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	heard, counted := make(chan struct{}), make(chan struct{})
	d := New(Config{Clock: clock.NewFrozen(time.Unix(1_700_000_000, 0)), OnResult: func(Event, string, bool, time.Time) {
		close(heard)
		<-counted
	}})
	defer d.Close()
	release := sync.OnceFunc(func() { close(counted) })
	defer release()
	d.PutEndpoint(Endpoint{ID: "we_1", URL: srv.URL, Secret: "whsec_1", EnabledEvents: []string{"*"}})
	d.Publish(Event{ID: "evt_1", Type: "customer.created", Payload: []byte(`{}`)})
	<-heard

	done, cancel := context.WithCancel(context.Background())
	cancel() // asks whether it is idle now, without waiting
	if err := d.Flush(done); err == nil {
		t.Fatal("Flush said every delivery had landed while its result was still being counted")
	}
	release()
	if err := d.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A receiver that does not answer within the timeout (10 seconds unless
// configured) fails the attempt, which is retried as any failure is.
func TestNoAnswerWithinTheTimeoutFailsTheAttempt(t *testing.T) {
	if got := New(Config{}).cfg.Timeout; got != 10*time.Second {
		t.Fatalf("default timeout %s, want 10s", got)
	}
	answered := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done(): // the dispatcher gave up
		case <-answered:
		}
	}))
	defer srv.Close()
	defer close(answered)
	clk := clock.NewFrozen(time.Unix(1_700_000_000, 0))
	d := New(Config{Clock: clk, Timeout: 50 * time.Millisecond})
	defer d.Close()
	d.PutEndpoint(Endpoint{ID: "we_1", URL: srv.URL, Secret: "whsec_1", EnabledEvents: []string{"*"}})
	d.Publish(Event{ID: "evt_1", Type: "customer.created", Payload: []byte(`{}`)})
	if err := d.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	atts := d.Attempts()
	if len(atts) != 1 || atts[0].OK || atts[0].Status != 0 || !strings.Contains(atts[0].Error, "deadline exceeded") {
		t.Fatalf("attempts %+v, want one failed by the timeout", atts)
	}
	if atts[0].NextRetry == nil || !atts[0].NextRetry.Equal(clk.Now().Add(5*time.Minute)) {
		t.Fatalf("next retry %v, want in 5 minutes", atts[0].NextRetry)
	}
}

// A seed picked at random is below 2^53, so it comes through JSON readers
// that hold numbers as doubles (JavaScript's) exactly: a team reading it
// from /_emu/health replays with the seed that ordered its deliveries.
func TestARandomSeedIsExactInEveryJSONReader(t *testing.T) {
	for range 200 {
		d := New(Config{})
		s := d.Seed()
		d.Close()
		if s == 0 || s >= 1<<53 || uint64(float64(s)) != s {
			t.Fatalf("seed %d does not survive a double", s)
		}
	}
}
