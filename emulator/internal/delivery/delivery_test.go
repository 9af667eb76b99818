package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
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
	d := New(Config{Clock: clock.NewFrozen(time.Unix(1_700_000_000, 0)), OnResult: func(Event, string, bool) {
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
