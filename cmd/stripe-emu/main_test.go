package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
)

// syncBuffer lets the test read what serve prints while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs serve until the returned stop is called, and returns the
// base URL it listens on.
func startServe(t *testing.T, args ...string) (base string, stop func() int) {
	t.Helper()
	base, _, stop = startServeOut(t, args...)
	return base, stop
}

// startServeOut is startServe that also gives what serve prints.
func startServeOut(t *testing.T, args ...string) (base string, out *syncBuffer, stop func() int) {
	t.Helper()
	out, errOut := &syncBuffer{}, &syncBuffer{}
	stopCh := make(chan struct{})
	ready := make(chan string, 1)
	done := make(chan int, 1)
	go func() { done <- serve(args, out, errOut, stopCh, ready) }()
	select {
	case base = <-ready:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errOut.String())
	}
	return base, out, func() int { close(stopCh); return <-done }
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.SetBasicAuth("sk_test_x", "")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return send(t, req)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.SetBasicAuth("sk_test_x", "")
	return send(t, req)
}

func send(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var customerID = regexp.MustCompile(`"id": "(cus_[0-9A-Za-z]+)"`)

func TestServeKeepsStateAcrossRestartWithDataFile(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.db")
	base, stop := startServe(t, "--addr", "127.0.0.1:0", "--data", data)
	status, body := post(t, base+"/v1/customers", "email=a@b.c")
	if status != 200 {
		t.Fatalf("create: %d %s", status, body)
	}
	id := customerID.FindStringSubmatch(body)[1]
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}

	base, stop = startServe(t, "--addr", "127.0.0.1:0", "--data", data)
	defer stop()
	status, body = get(t, base+"/v1/customers/"+id)
	if status != 200 || !strings.Contains(body, `"email": "a@b.c"`) {
		t.Fatalf("after restart: %d %s", status, body)
	}
	// New ids keep sorting after the old ones.
	_, body = post(t, base+"/v1/customers", "email=second@b.c")
	if second := customerID.FindStringSubmatch(body)[1]; second <= id {
		t.Fatalf("id %s does not sort after %s", second, id)
	}
}

func TestServeInMemoryForgetsOnRestart(t *testing.T) {
	base, stop := startServe(t, "--addr", "127.0.0.1:0")
	_, body := post(t, base+"/v1/customers", "email=a@b.c")
	id := customerID.FindStringSubmatch(body)[1]
	stop()
	base, stop = startServe(t, "--addr", "127.0.0.1:0")
	defer stop()
	if status, _ := get(t, base+"/v1/customers/"+id); status != 404 {
		t.Fatalf("in-memory state survived a restart: %d", status)
	}
}

func TestFlagsFromEnvironment(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("STRIPE_EMU_ADDR", addr)
	t.Setenv("STRIPE_EMU_LOG_LEVEL", "debug")
	base, stop := startServe(t)
	defer stop()
	if base != "http://"+addr {
		t.Fatalf("listening on %s, want %s", base, addr)
	}
}

func TestBadFlagsAndCommands(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"serve", "--log-level", "loud"}, &out, &errOut); code != 2 {
		t.Fatalf("bad log level: exit %d", code)
	}
	if code := run([]string{"frobnicate"}, &out, &errOut); code != 2 {
		t.Fatalf("unknown command: exit %d", code)
	}
	// A mistyped address is a bad flag too, named, not a failure to listen.
	for _, addr := range []string{"nope", "127.0.0.1:notaport", "127.0.0.1"} {
		errOut.Reset()
		if code := run([]string{"serve", "--addr", addr}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "--addr") {
			t.Errorf("--addr %s: exit %d, %q", addr, code, errOut.String())
		}
	}
}

func TestWebhookFlagsSignWithTheGivenSecret(t *testing.T) {
	recv, got := signedReceiver(t, "whsec_flagtest")
	base, stop := startServe(t, "--addr", "127.0.0.1:0", "--webhook", recv.URL, "--webhook-secret", "whsec_flagtest", "--webhook-events", "customer.created")
	defer stop()
	if status, body := post(t, base+"/v1/customers", "email=w@b.c"); status != 200 {
		t.Fatalf("create: %d %s", status, body)
	}
	awaitSigned(t, got, "no webhook arrived")
}

// signedReceiver is a webhook endpoint that reports "ok" on got for each
// delivery signed with secret, or why not.
func signedReceiver(t *testing.T, secret string) (*httptest.Server, chan string) {
	got := make(chan string, 4)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := webhook.ConstructEvent(body, r.Header.Get("Stripe-Signature"), secret); err != nil {
			got <- "bad signature: " + err.Error()
			return
		}
		got <- "ok"
	}))
	t.Cleanup(recv.Close)
	return recv, got
}

// resetThenAwaitSigned resets the emulator at base and fails unless a
// customer made after it is delivered signed right (got is
// signedReceiver's).
func resetThenAwaitSigned(t *testing.T, base string, got chan string) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/_emu/reset", nil)
	if status, body := send(t, req); status != 200 {
		t.Fatalf("reset: %d %s", status, body)
	}
	if status, body := post(t, base+"/v1/customers", "email=r@b.c"); status != 200 {
		t.Fatalf("create: %d %s", status, body)
	}
	awaitSigned(t, got, "no webhook arrived after the reset")
}

// awaitSigned fails unless the next delivery got reports is signed right.
func awaitSigned(t *testing.T, got chan string, none string) {
	t.Helper()
	select {
	case v := <-got:
		if v != "ok" {
			t.Fatal(v)
		}
	case <-time.After(10 * time.Second):
		t.Fatal(none)
	}
}

// --webhook is configuration: a suite resetting the emulator between its
// tests still gets its webhooks.
func TestWebhookFlagOutlivesAReset(t *testing.T) {
	recv, got := signedReceiver(t, "whsec_resettest")
	base, stop := startServe(t, "--addr", "127.0.0.1:0", "--webhook", recv.URL, "--webhook-secret", "whsec_resettest", "--webhook-events", "customer.created")
	defer stop()
	resetThenAwaitSigned(t, base, got)
}

// An SDK pinned to clover is answered in basil's shapes unless the binary
// is told to be strict.
func TestStrictAPIVersionsFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{{nil, 200}, {[]string{"--strict-api-versions"}, 400}} {
		base, stop := startServe(t, append([]string{"--addr", "127.0.0.1:0"}, tc.args...)...)
		req, _ := http.NewRequest("GET", base+"/v1/customers", nil)
		req.Header.Set("Authorization", "Bearer sk_test_123")
		req.Header.Set("Stripe-Version", "2025-09-30.clover")
		if status, body := send(t, req); status != tc.want {
			t.Errorf("%v: %d %s, want %d", tc.args, status, body, tc.want)
		}
		stop()
	}
}

// Card numbers are taken unless the binary is told to refuse them, as
// Stripe does for an account without raw card data access; the variable
// works as the flag does.
func TestRefuseRawCardDataFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  string
		want int
	}{{nil, "", 200}, {[]string{"--refuse-raw-card-data"}, "", 402}, {nil, "true", 402}} {
		t.Setenv("STRIPE_EMU_REFUSE_RAW_CARD_DATA", tc.env)
		base, stop := startServe(t, append([]string{"--addr", "127.0.0.1:0"}, tc.args...)...)
		req, _ := http.NewRequest("POST", base+"/v1/payment_methods", strings.NewReader("type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2034"))
		req.Header.Set("Authorization", "Bearer sk_test_123")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if status, body := send(t, req); status != tc.want {
			t.Errorf("%v %q: %d %s, want %d", tc.args, tc.env, status, body, tc.want)
		}
		stop()
	}
}

// The platform pays out daily, as a Stripe test account does, unless the
// binary is told to start it on a manual schedule; the variable works as
// the flag does.
func TestManualPayoutsFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  string
		want string
	}{{nil, "", "daily"}, {[]string{"--manual-payouts"}, "", "manual"}, {nil, "true", "manual"}} {
		t.Setenv("STRIPE_EMU_MANUAL_PAYOUTS", tc.env)
		base, stop := startServe(t, append([]string{"--addr", "127.0.0.1:0"}, tc.args...)...)
		req, _ := http.NewRequest("GET", base+"/v1/account", nil)
		req.Header.Set("Authorization", "Bearer sk_test_123")
		status, body := send(t, req)
		if want := `"interval": "` + tc.want + `"`; status != 200 || !strings.Contains(body, want) {
			t.Errorf("%v %q: %d, want %s in %s", tc.args, tc.env, status, want, body)
		}
		stop()
	}
}

// The binary serves the Stripe.js stand-in, telling it where the browser
// reached the emulator, so its API calls come back here.
func TestServesStripeJS(t *testing.T) {
	base, stop := startServe(t, "--addr", "127.0.0.1:0")
	defer stop()
	req, _ := http.NewRequest("GET", base+"/js.stripe.com/v3/", nil)
	status, body := send(t, req)
	if status != 200 || !strings.Contains(body, `var ORIGIN = "`+base+`";`) {
		t.Fatalf("GET /js.stripe.com/v3/: %d, origin not %s", status, base)
	}
}

// An environment variable that does not parse is refused, as the flag
// would be, rather than replaced in silence by the default: a replay asked
// for with STRIPE_EMU_SEED would otherwise run under a random seed. The
// flag, given, wins over it.
func TestBadEnvironmentValuesAreRefused(t *testing.T) {
	for name, value := range map[string]string{
		"STRIPE_EMU_SEED":                  "forty-two",
		"STRIPE_EMU_UPCOMING_INVOICE_DAYS": "three",
		"STRIPE_EMU_STRICT_API_VERSIONS":   "yes please",
		"STRIPE_EMU_REFUSE_RAW_CARD_DATA":  "on",
		"STRIPE_EMU_MANUAL_PAYOUTS":        "sure",
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, value)
			var errOut bytes.Buffer
			if _, err := parseServeFlags(nil, &errOut); err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("%s=%s: got %v, want it refused by name", name, value, err)
			}
		})
	}
	t.Setenv("STRIPE_EMU_SEED", "forty-two")
	f, err := parseServeFlags([]string{"--seed", "42"}, io.Discard)
	if err != nil || f.seed != 42 {
		t.Fatalf("--seed 42 over a bad STRIPE_EMU_SEED: seed %d, %v", f.seed, err)
	}
	t.Setenv("STRIPE_EMU_SEED", "7")
	if f, err := parseServeFlags(nil, io.Discard); err != nil || f.seed != 7 {
		t.Fatalf("STRIPE_EMU_SEED=7: seed %d, %v", f.seed, err)
	}
}

// A list of event types written with spaces after its commas, as people
// write lists, is taken as the same list.
func TestWebhookEventsTakeSpacesAfterCommas(t *testing.T) {
	recv, got := signedReceiver(t, "whsec_spaced")
	base, stop := startServe(t, "--addr", "127.0.0.1:0", "--webhook", recv.URL, "--webhook-secret", "whsec_spaced", "--webhook-events", "invoice.paid, customer.created")
	defer stop()
	if status, body := post(t, base+"/v1/customers", "email=s@b.c"); status != 200 {
		t.Fatalf("create: %d %s", status, body)
	}
	awaitSigned(t, got, "no webhook arrived")
}

// A flag that would be ignored is refused by name rather than taken in
// silence: a secret or event list without --webhook configures nothing,
// and a negative lead would send no invoice.upcoming at all.
func TestFlagsThatWouldDoNothingAreRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
		name string
	}{
		{args: []string{"--webhook-secret", "whsec_x"}, name: "--webhook-secret"},
		{args: []string{"--webhook-events", "customer.created"}, name: "--webhook-events"},
		{env: map[string]string{"STRIPE_EMU_WEBHOOK_SECRET": "whsec_x"}, name: "STRIPE_EMU_WEBHOOK_SECRET"},
		{args: []string{"--upcoming-invoice-days", "-3"}, name: "--upcoming-invoice-days"},
		{env: map[string]string{"STRIPE_EMU_UPCOMING_INVOICE_DAYS": "-3"}, name: "STRIPE_EMU_UPCOMING_INVOICE_DAYS"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			var errOut bytes.Buffer
			if _, err := parseServeFlags(c.args, &errOut); err == nil || !strings.Contains(err.Error(), c.name) || !strings.Contains(errOut.String(), c.name) {
				t.Fatalf("%v %v: got %v (%q), want it refused naming %s", c.args, c.env, err, errOut.String(), c.name)
			}
		})
	}
}

var printedSecret = regexp.MustCompile(`signed with (whsec_[0-9A-Za-z]+)`)

// The --webhook endpoint kept in a data file keeps its signing secret
// when the binary starts again without --webhook-secret, as a Stripe
// endpoint's secret stays until rolled: the app configured with the
// secret printed first still verifies what arrives after a restart.
func TestWebhookSecretOutlivesARestartOnADataFile(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.db")
	var recvURL string
	secrets := make(chan string, 1)
	got := make(chan string, 8)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		secret := <-secrets
		secrets <- secret
		if _, err := webhook.ConstructEvent(body, r.Header.Get("Stripe-Signature"), secret); err != nil {
			got <- "bad signature: " + err.Error()
			return
		}
		got <- "ok"
	}))
	defer recv.Close()
	recvURL = recv.URL
	args := []string{"--addr", "127.0.0.1:0", "--data", data, "--webhook", recvURL, "--webhook-events", "customer.created"}
	_, out, stop := startServeOut(t, args...)
	m := printedSecret.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no secret printed: %q", out.String())
	}
	first := m[1]
	secrets <- first
	stop()

	base, out, stop := startServeOut(t, args...)
	defer stop()
	if m := printedSecret.FindStringSubmatch(out.String()); m == nil || m[1] != first {
		t.Fatalf("after a restart it printed %q, want the secret %s kept", out.String(), first)
	}
	if status, body := post(t, base+"/v1/customers", "email=k@b.c"); status != 200 {
		t.Fatalf("create: %d %s", status, body)
	}
	awaitSigned(t, got, "no webhook arrived after the restart")
	// A reset makes the endpoint again with the same secret.
	resetThenAwaitSigned(t, base, got)
}

// A client that sends its headers and then never the body it announced
// (a slowloris, or a client that died mid-request) is cut off once the
// request has taken readTimeout, instead of holding its connection and
// goroutine for as long as the emulator runs.
func TestAStalledRequestBodyIsCutOff(t *testing.T) {
	defer func(d time.Duration) { readTimeout = d }(readTimeout)
	readTimeout = 200 * time.Millisecond
	base, stop := startServe(t, "--addr", "127.0.0.1:0")
	defer stop()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "POST /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_test_x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a"); err != nil {
		t.Fatal(err)
	}
	// The bound of the wait, not a sleep: the server should have cut the
	// request off long before.
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(conn); err != nil {
		t.Fatalf("the stalled request still holds its connection: %v", err)
	}
	// Nothing was made from the half a body.
	if _, body := get(t, base+"/v1/customers"); strings.Contains(body, `"email": "a"`) {
		t.Fatalf("a customer was made from a cut-off body: %s", body)
	}
}

// Fifty clients confirming PaymentIntents at once through stripe-go, on a
// data file, each get their own answer; all of them are there after a
// restart, and so is the balance they made (run under -race).
func TestConcurrentClientsOnADataFile(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.db")
	base, stop := startServe(t, "--addr", "127.0.0.1:0", "--data", data)
	sc := stripe.NewClient("sk_test_concurrent", stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{
		URL: stripe.String(base), MaxNetworkRetries: stripe.Int64(0), LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	})))
	const n = 50
	ids := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pi, err := sc.V1PaymentIntents.Create(context.Background(), &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(int64(100 + i)), Currency: stripe.String("usd"), PaymentMethod: stripe.String("pm_card_visa"),
				Confirm: stripe.Bool(true), PaymentMethodTypes: []*string{stripe.String("card")},
			})
			if err != nil {
				errs <- err
				return
			}
			if pi.Status != stripe.PaymentIntentStatusSucceeded || pi.Amount != int64(100+i) {
				errs <- fmt.Errorf("%s: %s for %d, want succeeded for %d", pi.ID, pi.Status, pi.Amount, 100+i)
			}
			ids[i] = pi.ID
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	base, stop = startServe(t, "--addr", "127.0.0.1:0", "--data", data)
	defer stop()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("id %s answered twice", id)
		}
		seen[id] = true
		if status, body := get(t, base+"/v1/payment_intents/"+id); status != 200 || !strings.Contains(body, `"status": "succeeded"`) {
			t.Fatalf("%s after a restart: %d %s", id, status, body)
		}
	}
}

// A --webhook refused at start is refused before the binary says it is
// listening (a script waiting for that line would go on against a binary
// about to exit), and the port it took is let go.
func TestARefusedWebhookIsRefusedBeforeListeningIsAnnounced(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var out, errOut bytes.Buffer
	if code := run([]string{"serve", "--addr", addr, "--webhook", "ftp://example.com/hook"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "--webhook") {
		t.Fatalf("exit %d, %q; want 2 naming --webhook", code, errOut.String())
	}
	if strings.Contains(out.String(), "listening") {
		t.Fatalf("it announced listening before refusing: %q", out.String())
	}
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the refused binary kept its port: %v", err)
	}
	ln.Close()
}

var (
	jsonID      = regexp.MustCompile(`"id": "([a-z_]+_[0-9A-Za-z]+)"`)
	periodEnd   = regexp.MustCompile(`"current_period_end": (\d+)`)
	clockStatus = regexp.MustCompile(`"status": "(ready|advancing)"`)
)

// A data file keeps what later requests and the clocks' work rely on: an
// idempotency key answers its first request's object again after a
// restart, and a subscription on a test clock renews when the clock is
// advanced after it.
func TestIdempotencyKeysAndTestClocksOutliveARestart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.db")
	base, stop := startServe(t, "--addr", "127.0.0.1:0", "--data", data)
	idem := func(base string) string {
		req, _ := http.NewRequest("POST", base+"/v1/customers", strings.NewReader("email=i@b.co"))
		req.SetBasicAuth("sk_test_x", "")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Idempotency-Key", "restart-key")
		status, body := send(t, req)
		if status != 200 {
			t.Fatalf("idempotent create: %d %s", status, body)
		}
		return jsonID.FindStringSubmatch(body)[1]
	}
	first := idem(base)
	must := func(status int, body string) string {
		t.Helper()
		if status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		return body
	}
	price := jsonID.FindStringSubmatch(must(post(t, base+"/v1/prices", "currency=usd&unit_amount=500&recurring[interval]=month&product_data[name]=P")))[1]
	frozen := time.Now().Unix()
	tc := jsonID.FindStringSubmatch(must(post(t, base+"/v1/test_helpers/test_clocks", fmt.Sprintf("frozen_time=%d", frozen))))[1]
	cus := jsonID.FindStringSubmatch(must(post(t, base+"/v1/customers", "test_clock="+tc+"&payment_method=pm_card_visa&invoice_settings[default_payment_method]=pm_card_visa")))[1]
	body := must(post(t, base+"/v1/subscriptions", "customer="+cus+"&items[0][price]="+price))
	sub, end := jsonID.FindStringSubmatch(body)[1], periodEnd.FindStringSubmatch(body)[1]
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}

	base, stop = startServe(t, "--addr", "127.0.0.1:0", "--data", data)
	defer stop()
	if again := idem(base); again != first {
		t.Fatalf("the idempotency key answered %s after a restart, want %s", again, first)
	}
	must(post(t, base+"/v1/test_helpers/test_clocks/"+tc+"/advance", fmt.Sprintf("frozen_time=%d", frozen+40*86400)))
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body := get(t, base+"/v1/test_helpers/test_clocks/"+tc)
		if m := clockStatus.FindStringSubmatch(body); m != nil && m[1] == "ready" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the test clock never finished advancing: %s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, body = get(t, base+"/v1/subscriptions/"+sub)
	if m := periodEnd.FindStringSubmatch(body); m == nil || m[1] <= end {
		t.Fatalf("the subscription did not renew after a restart (period end %s before): %s", end, body)
	}
}

// Help asked for is help given: exit 0, as Go's own flag handling and
// most tools answer -h, and "stripe-emu --help" shows the commands (the
// usage it names) rather than serve's flags alone.
func TestHelpAskedForExitsZero(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}, {"serve", "-h"}, {"serve", "--help"}, {"test", "-h"}, {"validate", "-h"}} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 0 {
			t.Errorf("%v: exit %d, want 0", args, code)
		}
		if all := out.String() + errOut.String(); !strings.Contains(all, "usage") && !strings.Contains(all, "Usage") {
			t.Errorf("%v printed no usage: %q", args, all)
		}
	}
	var out, errOut bytes.Buffer
	if run([]string{"--help"}, &out, &errOut); !strings.Contains(out.String(), "commands:") {
		t.Errorf("--help shows no commands: %q", out.String())
	}
}
