// Package emulator is an embeddable, stateful emulator of the Stripe API.
//
// In a test:
//
//	emu := emulator.Start(t)
//	sc := emu.Client() // a stripe-go v82 client pointed at the emulator
//	cus, err := sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("a@b.c")})
//
// The same Handler serves the stripe-emu binary.
package emulator

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/clock"
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/delivery"
	"github.com/stripe-emu/stripe-emu/emulator/internal/ids"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/accounts"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// DefaultAPIKey is the key Client() uses unless WithAPIKey says otherwise.
// Any sk_test_ key is accepted.
const DefaultAPIKey = "sk_test_emulator"

// APIVersion is the Stripe API version the emulator renders.
const APIVersion = api.APIVersion

// Emulator is one emulated Stripe platform account with its connected
// accounts, its objects, its events and its clock.
type Emulator struct {
	cfg    config
	env    *api.Env
	server *api.Server
	log    *requestLog

	mu          sync.Mutex
	url         string
	httpSrv     *httptest.Server
	closed      bool
	stopTick    func()
	removeHooks []func()
	// wired are the platform's endpoints made with a secret of the
	// caller's choosing (the binary's --webhook): configuration, which
	// Reset makes again.
	wired []wiredEndpoint
}

// wiredEndpoint is how ListenWithSecretOn made a platform endpoint.
type wiredEndpoint struct {
	url, secret string
	connect     bool
	events      []string
}

// New builds an emulator without serving it; use Handler with a server of
// your own, or Start in tests.
func New(opts ...Option) (*Emulator, error) {
	cfg := config{apiKey: DefaultAPIKey}
	for _, o := range opts {
		o(&cfg)
	}
	if !api.IsSecretTestKey(cfg.apiKey) {
		return nil, fmt.Errorf("WithAPIKey(%q): the emulator takes test secret keys, sk_test_ or rk_test_ followed by letters, digits or _, and would refuse every request of Client and Call (to test a refused key, use ClientWithKey)", cfg.apiKey)
	}
	if cfg.clock == nil {
		cfg.clock = clock.New()
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	reg := api.NewRegistry(kinds()...)
	st, err := store.Open(cfg.dataFile, reg.Indexes())
	if err != nil {
		return nil, err
	}
	if cfg.seed == 0 {
		// One seed for ids and deliveries, so the seed a failure logs
		// replays both.
		cfg.seed = delivery.RandomSeed()
	}
	gen := ids.New(cfg.seed)
	env := &api.Env{
		Store: st, Clock: cfg.clock, IDs: gen, Registry: reg,
		Events: &api.EventLog{}, Log: cfg.logger, UpcomingInvoiceLead: int64(cfg.upcoming / time.Second),
		StrictVersions: cfg.strictVer, RefuseRawCardData: cfg.noRawCard,
	}
	platform, err := ensurePlatform(env, cfg.manualPay)
	if err != nil {
		st.Close()
		return nil, err
	}
	env.Platform = platform
	_ = st.View(func(tx *store.Tx) error { env.NoteOAuthKeys(tx); return nil })
	e := &Emulator{cfg: cfg, env: env, log: newRequestLog(1000)}
	env.BaseURL = e.URL
	e.server = api.NewServer(env, compiledRoutes())
	e.server.Observe = e.observe
	e.server.Pages = e.servePage
	if err := e.startWebhooks(); err != nil {
		st.Close()
		return nil, err
	}
	due := timers()
	e.removeHooks = append(e.removeHooks, cfg.clock.OnTick(func(now time.Time) { env.RunDue(due, now) }),
		// After the scheduled work: what it made in the move is dated
		// within it, the dispatcher's cue to deliver it at its moment.
		cfg.clock.OnTick(func(time.Time) { env.Webhooks.EndMove() }))
	return e, nil
}

// ensurePlatform finds the platform account of a persisted store or makes
// one for a new store (on a manual payout schedule if asked).
func ensurePlatform(env *api.Env, manualPayouts bool) (string, error) {
	var id string
	err := env.Store.Update(func(tx *store.Tx) error {
		if v, ok := tx.GetMeta("platform"); ok {
			id = v
			return nil
		}
		id = env.IDs.Short("acct_")
		if err := accounts.PutPlatform(tx, env.IDs, id, env.Clock.Unix(), manualPayouts); err != nil {
			return err
		}
		return tx.SetMeta("platform", id)
	})
	return id, err
}

// TB is what Start needs from a test: *testing.T, *testing.B and
// Ginkgo's GinkgoT() all have it.
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Start runs an emulator on 127.0.0.1 on a free port for the length of a
// test, closing it in the test's cleanup. Emulators share nothing (each
// has its own port, store and, unless WithClock gives them one, clock), so
// parallel tests (t.Parallel, ginkgo -p) each start their own. A failed
// test that had a webhook endpoint logs the seed that replays its
// deliveries' order.
func Start(t TB, opts ...Option) *Emulator {
	t.Helper()
	e, err := New(opts...)
	if err != nil {
		t.Fatalf("stripe-emu: %v", err)
	}
	e.mu.Lock()
	e.httpSrv = httptest.NewServer(e.Handler())
	e.url = e.httpSrv.URL
	e.mu.Unlock()
	t.Cleanup(func() {
		// A failed test says which seed ordered its deliveries: without
		// it, a random shuffle that broke the app could not be replayed.
		// A test without webhooks is spared the line.
		if ft, ok := t.(interface {
			Failed() bool
			Logf(format string, args ...any)
		}); ok && ft.Failed() && (len(e.env.Webhooks.Endpoints()) > 0 || len(e.Webhooks().Attempts()) > 0) {
			seed := e.Webhooks().Seed()
			ft.Logf("stripe-emu: webhook deliveries were ordered by seed %d; replay them with emulator.WithSeed(%d)", seed, seed)
		}
		_ = e.Close()
	})
	return e
}

// Handler is the emulator's HTTP API.
func (e *Emulator) Handler() http.Handler { return e.server }

// SetURL tells the emulator where it is served, when you serve Handler
// yourself (Client and the Checkout pages need it).
func (e *Emulator) SetURL(url string) {
	e.mu.Lock()
	e.url = url
	e.mu.Unlock()
}

// URL is the base URL the emulator is served at ("" if not known).
func (e *Emulator) URL() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.url
}

// Client returns a stripe-go v82 client pointed at the emulator, with
// network retries off so failures surface at once. It is pointed at the
// URL known when it is made: with New, call SetURL first.
func (e *Emulator) Client() *stripe.Client {
	return e.ClientWithKey(e.cfg.apiKey)
}

// ClientWithKey is Client with another API key (to test auth failures).
func (e *Emulator) ClientWithKey(key string) *stripe.Client {
	httpClient := e.cfg.httpClient
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	if e.URL() == "" {
		// stripe-go would say "unsupported protocol scheme": say what to do.
		httpClient = &http.Client{Transport: noURL{}}
	}
	backends := stripe.NewBackendsWithConfig(&stripe.BackendConfig{
		URL:               stripe.String(e.URL()),
		HTTPClient:        httpClient,
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	return stripe.NewClient(key, stripe.WithBackends(backends))
}

// noURL answers every request of a client made before the emulator knew
// its URL.
type noURL struct{}

func (noURL) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("stripe-emu: this client was made before the emulator knew its URL: serve Handler, call SetURL with where it is served, then call Client (Start does all three)")
}

// Clock is the emulator's clock: Set and Advance move time for everything
// the emulator does, running what fell due (renewals, retries, expiries)
// before they return. Unless WithClock gives another, it follows the wall
// clock, yet what falls due as the wall clock passes waits until the clock
// is moved or ticked (Tick, or RunClock as the binary does); a test that
// wants time to stand still, and timestamps it can compare, starts with
// WithClock(clock.NewFrozen(…)).
func (e *Emulator) Clock() *clock.Clock { return e.cfg.clock }

// Platform is the id of the platform account (acct_…) the API key owns.
func (e *Emulator) Platform() string { return e.env.Platform }

// ConnectApplication is the platform's Connect application id (ca_…): the
// client_id of its Connect OAuth flow.
func (e *Emulator) ConnectApplication() string { return e.env.ConnectApplication() }

// errClosed is what the Go API answers once Close has run: the store is
// gone, and a test that goes on using the emulator (often from a goroutine
// that outlived the test, whose cleanup closed it) should hear why.
var errClosed = errors.New("stripe-emu: the emulator is closed (Close was called, or the test that started it ended)")

// isClosed reports whether Close has run.
func (e *Emulator) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// Close stops serving (the server Start made; one of your own serving
// Handler is yours to stop) and closes the store, flushing it to disk and
// letting go of the file when persisted. Afterwards Call, Reset and Listen
// answer an error saying the emulator is closed. Safe to call more than
// once.
func (e *Emulator) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	srv := e.httpSrv
	stop := e.stopTick
	e.mu.Unlock()
	if stop != nil {
		stop()
	}
	for _, remove := range e.removeHooks {
		remove()
	}
	e.env.Webhooks.Close()
	if srv != nil {
		srv.Close()
	}
	if err := e.env.Store.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// RunClock makes time-driven work (webhook retries, renewals, expiries)
// happen as the wall clock passes, checking every interval. The binary uses
// it; tests usually leave it off and move the clock themselves. The
// returned function stops it.
func (e *Emulator) RunClock(interval time.Duration) (stop func()) {
	done := make(chan struct{})
	var once sync.Once
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				e.cfg.clock.Tick()
			}
		}
	}()
	stop = func() { once.Do(func() { close(done) }) }
	e.mu.Lock()
	e.stopTick = stop
	e.mu.Unlock()
	return stop
}
