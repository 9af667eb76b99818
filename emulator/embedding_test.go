package emulator_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
)

// Call is a Go API: a path it cannot send is the caller's mistake, told as
// an error naming the path, not a panic out of net/http/httptest.
func TestCallWithAPathItCannotSendIsAnError(t *testing.T) {
	emu := emulator.Start(t)
	for _, path := range []string{"v1/customers", "/v1/customers\n", "", "/v1/cus tomers"} {
		code, obj, err := emu.Call("POST", path, url.Values{"email": {"a@example.com"}}, "")
		if err == nil || !strings.Contains(err.Error(), "path") {
			t.Errorf("Call(POST, %q) = %d, %v, %v; want an error about the path", path, code, obj, err)
		}
	}
	if n := emu.Count("", "customer"); n != 0 {
		t.Errorf("%d customers made", n)
	}
}

func TestCallWithAMethodItCannotSendIsAnError(t *testing.T) {
	emu := emulator.Start(t)
	for _, method := range []string{"", "PO ST"} {
		if _, _, err := emu.Call(method, "/v1/customers", nil, ""); err == nil || !strings.Contains(err.Error(), "method") {
			t.Errorf("Call(%q): %v; want an error about the method", method, err)
		}
	}
}

// A GET's form joins a query the path already has, as one query string.
func TestCallGETJoinsFormToThePathsQuery(t *testing.T) {
	emu := emulator.Start(t)
	for _, email := range []string{"a@example.com", "b@example.com", "a@example.com"} {
		if code, _, err := emu.Call("POST", "/v1/customers", url.Values{"email": {email}}, ""); code != 200 || err != nil {
			t.Fatalf("seeding: %d %v", code, err)
		}
	}
	code, list, err := emu.Call("GET", "/v1/customers?email=a@example.com", url.Values{"limit": {"1"}}, "")
	if code != 200 || err != nil {
		t.Fatalf("GET: %d %v %v", code, list, err)
	}
	if data := list["data"].([]any); len(data) != 1 || list["has_more"] != true || data[0].(emulator.Object)["email"] != "a@example.com" {
		t.Errorf("GET /v1/customers?email=a@example.com with limit=1: %v", list)
	}
}

// A closed emulator tells the test so, rather than answering Stripe's 500
// as if the emulator had a bug.
func TestCallOnAClosedEmulatorSaysItIsClosed(t *testing.T) {
	emu := emulator.Start(t)
	if err := emu.Close(); err != nil {
		t.Fatal(err)
	}
	code, obj, err := emu.Call("POST", "/v1/customers", nil, "")
	if err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Call after Close = %d, %v, %v; want an error saying the emulator is closed", code, obj, err)
	}
	if err := emu.Reset(); err == nil || !strings.Contains(err.Error(), "emulator is closed") {
		t.Errorf("Reset after Close: %v; want an error saying the emulator is closed", err)
	}
}

func TestListenOnAClosedEmulatorSaysItIsClosed(t *testing.T) {
	emu := emulator.Start(t)
	_ = emu.Close()
	if _, _, err := emu.Webhooks().Listen("http://127.0.0.1:1/hook"); err == nil || !strings.Contains(err.Error(), "emulator is closed") {
		t.Errorf("Listen after Close: %v", err)
	}
	if _, err := emu.Webhooks().ListenWithSecret("http://127.0.0.1:1/hook", "whsec_x"); err == nil || !strings.Contains(err.Error(), "emulator is closed") {
		t.Errorf("ListenWithSecret after Close: %v", err)
	}
}

// Get renders an object as GET does: an invoice's lines are its first ten,
// has_more saying the rest are at the list's url.
func TestGetShowsEmbeddedListsAsGETDoes(t *testing.T) {
	emu := emulator.Start(t)
	_, cus, _ := emu.Call("POST", "/v1/customers", nil, "")
	for i := 0; i < 12; i++ {
		if code, o, err := emu.Call("POST", "/v1/invoiceitems", url.Values{"customer": {cus["id"].(string)}, "amount": {"100"}, "currency": {"usd"}}, ""); code != 200 {
			t.Fatalf("invoice item: %d %v %v", code, o, err)
		}
	}
	code, inv, err := emu.Call("POST", "/v1/invoices", url.Values{"customer": {cus["id"].(string)}, "pending_invoice_items_behavior": {"include"}}, "")
	if code != 200 {
		t.Fatalf("invoice: %d %v %v", code, inv, err)
	}
	_, viaGET, _ := emu.Call("GET", "/v1/invoices/"+inv["id"].(string), nil, "")
	got, ok := emu.Get(inv["id"].(string))
	if !ok {
		t.Fatal("Get found no invoice")
	}
	lines, want := got["lines"].(emulator.Object), viaGET["lines"].(emulator.Object)
	if len(lines["data"].([]any)) != 10 || lines["has_more"] != true || !reflect.DeepEqual(lines, want) {
		t.Errorf("Get's lines: %d shown, has_more %v; GET's: %d shown, has_more %v",
			len(lines["data"].([]any)), lines["has_more"], len(want["data"].([]any)), want["has_more"])
	}
	// Getting it again gives the same page: the stored invoice keeps all.
	again, _ := emu.Get(inv["id"].(string))
	if !reflect.DeepEqual(again["lines"], want) || inv["amount_due"] != float64(1200) {
		t.Errorf("after a first Get, the lines are not GET's page (or the invoice's amount_due, %v, is not all twelve)", inv["amount_due"])
	}
}

// Two emulators writing one data file would each overwrite what the other
// appended (half the objects gone on reopening): the second is refused,
// saying what to do, until the first is closed.
func TestADataFileInUseIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stripe.db")
	first, err := emulator.New(emulator.WithDataFile(path))
	if err != nil {
		t.Fatal(err)
	}
	second, err := emulator.New(emulator.WithDataFile(path))
	if err == nil {
		second.Close()
		first.Close()
		t.Fatal("a second emulator opened the data file the first has open")
	}
	if !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), "t.TempDir()") {
		t.Errorf("error: %v; want it to say the file is in use and how to give each emulator its own", err)
	}
	_, cus, _ := first.Call("POST", "/v1/customers", nil, "")
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := emulator.New(emulator.WithDataFile(path))
	if err != nil {
		t.Fatalf("reopening once closed: %v", err)
	}
	defer again.Close()
	if _, ok := again.Get(cus["id"].(string)); !ok {
		t.Errorf("the customer made before closing is gone")
	}
}

// Count of a type no object has ("customers" for "customer") would be 0
// whatever the test did, an assertion that cannot fail: it panics with
// the type to use, as a mistake of the test's own.
func TestCountOfAnUnknownTypePanicsNamingTheType(t *testing.T) {
	emu := emulator.Start(t)
	emu.Call("POST", "/v1/customers", nil, "")
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), `did you mean "customer"`) {
			t.Errorf("Count(customers) recovered %v; want a panic pointing at \"customer\"", r)
		}
	}()
	n := emu.Count("", "customers")
	t.Errorf("Count(customers) = %d", n)
}

func TestCountOfKnownTypes(t *testing.T) {
	emu := emulator.Start(t)
	for _, typ := range []string{"customer", "subscription_item", "checkout.session", "test_helpers.test_clock", "event"} {
		if n := emu.Count("", typ); n != 0 {
			t.Errorf("Count(%s) = %d in a new emulator", typ, n)
		}
	}
}

// fakeTB is a test that failed, recording what Start's cleanup logs.
type fakeTB struct {
	cleanups []func()
	logs     []string
}

func (f *fakeTB) Helper()                           {}
func (f *fakeTB) Cleanup(fn func())                 { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (f *fakeTB) Failed() bool                      { return true }
func (f *fakeTB) Logf(format string, args ...any) {
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}
func (f *fakeTB) end() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

// A failed test is told the seed that ordered its webhook deliveries only
// when it had an endpoint: without one, the line is noise pointing at
// webhooks in a test that had none.
func TestAFailedTestIsToldTheDeliverySeedOnlyWithWebhooks(t *testing.T) {
	quiet := &fakeTB{}
	emu := emulator.Start(quiet)
	emu.Call("POST", "/v1/customers", nil, "")
	quiet.end()
	if len(quiet.logs) != 0 {
		t.Errorf("without an endpoint, a failed test logged %q", quiet.logs)
	}

	hooked := &fakeTB{}
	emu = emulator.Start(hooked, emulator.WithSeed(42))
	if _, _, err := emu.Webhooks().Listen("http://127.0.0.1:1/hook"); err != nil {
		t.Fatal(err)
	}
	hooked.end()
	if len(hooked.logs) != 1 || !strings.Contains(hooked.logs[0], "emulator.WithSeed(42)") {
		t.Errorf("with an endpoint, a failed test logged %q", hooked.logs)
	}
}

// A key the emulator refuses would make every Client and Call answer 401
// (an empty STRIPE_SECRET_KEY in CI, a live key): New says so at once.
func TestWithAPIKeyTheEmulatorRefusesIsAnError(t *testing.T) {
	for _, key := range []string{"", "sk_live_abc", "pk_test_abc", "sk_test_"} {
		emu, err := emulator.New(emulator.WithAPIKey(key))
		if err == nil {
			emu.Close()
			t.Errorf("New(WithAPIKey(%q)) made an emulator whose Client every request refuses", key)
		} else if !strings.Contains(err.Error(), "WithAPIKey") || !strings.Contains(err.Error(), "sk_test_") {
			t.Errorf("New(WithAPIKey(%q)): %v; want it to name the option and the keys taken", key, err)
		}
	}
	for _, key := range []string{"sk_test_shop", "rk_test_shop"} {
		emu, err := emulator.New(emulator.WithAPIKey(key))
		if err != nil {
			t.Fatalf("WithAPIKey(%q): %v", key, err)
		}
		if code, _, err := emu.Call("POST", "/v1/customers", nil, ""); code != 200 || err != nil {
			t.Errorf("WithAPIKey(%q): Call answered %d, %v", key, code, err)
		}
		emu.Close()
	}
}

// A client of an emulator New made and nobody serves yet has nowhere to
// go: its requests say to call SetURL, not "unsupported protocol scheme".
func TestClientBeforeSetURLSaysToCallIt(t *testing.T) {
	emu, err := emulator.New()
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	_, err = emu.Client().V1Customers.Create(context.Background(), &stripe.CustomerCreateParams{})
	if err == nil || !strings.Contains(err.Error(), "SetURL") {
		t.Errorf("a request of Client before SetURL: %v; want it to say to call SetURL", err)
	}
}

// Coupons' ids have no prefix, and products', plans' and coupons' may be
// chosen: Get finds them as GET does.
func TestGetFindsObjectsWhoseIdsHaveNoPrefix(t *testing.T) {
	emu := emulator.Start(t)
	made := map[string]string{}
	for _, c := range []struct {
		path, object string
		form         url.Values
	}{
		{"/v1/products", "product", url.Values{"id": {"gold"}, "name": {"Gold"}}},
		{"/v1/plans", "plan", url.Values{"id": {"gold-monthly"}, "product": {"gold"}, "amount": {"100"}, "currency": {"usd"}, "interval": {"month"}}},
		{"/v1/coupons", "coupon", url.Values{"id": {"SUMMER"}, "percent_off": {"10"}}},
		{"/v1/coupons", "coupon", url.Values{"percent_off": {"20"}}},
	} {
		code, o, err := emu.Call("POST", c.path, c.form, "")
		if code != 200 {
			t.Fatalf("%s: %d %v %v", c.path, code, o, err)
		}
		made[o["id"].(string)] = c.object
	}
	for id, object := range made {
		got, ok := emu.Get(id)
		if !ok {
			t.Errorf("Get(%q), a %s: not found", id, object)
			continue
		}
		if got["id"] != id {
			t.Errorf("Get(%q): %v", id, got)
		}
	}
	if got, ok := emu.Get("gold-monthly"); ok && got["object"] != "price" {
		t.Errorf("Get of a plan's id: a %v; want the price it is, as GET /v1/prices/{id} answers", got["object"])
	}
}

// A refused test helper says Stripe's message, not a dump of its error map.
func TestTestHelpersRefusedSayStripesMessage(t *testing.T) {
	emu := emulator.Start(t)
	_, err := emu.CompleteCheckout("", "cs_test_nope", "pm_card_visa")
	want := "stripe-emu: completing cs_test_nope answered 404 resource_missing: No such checkout session: 'cs_test_nope'"
	if err == nil || err.Error() != want {
		t.Errorf("CompleteCheckout of no session: %v\nwant %s", err, want)
	}
}

// A fault no request can hit (a path without its leading /, a method the
// API has no route for, a kind that does not exist) would leave a test of
// the app's retries passing on requests that never failed: the Go API
// refuses it as the control surface does.
func TestAFaultNoRequestCanHitIsRefused(t *testing.T) {
	emu := emulator.Start(t)
	for _, f := range []emulator.Fault{
		{Method: "POST", Path: "v1/customers", Kind: emulator.FaultServerError},
		{Method: "PUT", Path: "/v1/customers", Kind: emulator.FaultServerError},
		{Method: "POST", Path: "/v1/customers", Kind: "500"},
		{Method: "POST", Path: "/v1/customers", Kind: emulator.FaultServerError, Times: -1},
	} {
		if err := emulator.CheckFault(f); err == nil {
			t.Errorf("CheckFault(%+v) = nil", f)
		}
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(fmt.Sprint(r), "stripe-emu: ") {
					t.Errorf("Faults().Add(%+v) recovered %v; want a panic saying what is wrong", f, r)
				}
			}()
			emu.Faults().Add(f)
		}()
	}
	if n := len(emu.Faults().List()); n != 0 {
		t.Errorf("%d faults installed", n)
	}
	for _, f := range []emulator.Fault{
		{Method: "post", Path: "/v1/payment_intents/*/confirm", Kind: emulator.FaultRateLimit, Times: 1},
		{Path: "*", Kind: emulator.FaultDelay, Duration: time.Millisecond},
	} {
		if err := emulator.CheckFault(f); err != nil {
			t.Errorf("CheckFault(%+v): %v", f, err)
		}
	}
}

// Call's method is a Go string, not a request line: "post" is POST, its
// form the body, rather than a 404 for an unknown route.
func TestCallTakesTheMethodInAnyCase(t *testing.T) {
	emu := emulator.Start(t)
	code, cus, err := emu.Call("post", "/v1/customers", url.Values{"email": {"lower@example.com"}}, "")
	if code != 200 || err != nil || cus["email"] != "lower@example.com" {
		t.Errorf("Call(post): %d %v %v", code, cus, err)
	}
}

// Secret tells what an endpoint signs with: the secret Listen answered,
// the one ListenWithSecret was given, kept when it is wired again without
// one (the binary's --webhook on a data file), and nothing for an id no
// endpoint has.
func TestSecretTellsWhatAnEndpointSignsWith(t *testing.T) {
	emu := emulator.Start(t, emulator.WithDataFile(filepath.Join(t.TempDir(), "s.db")))
	id, secret, err := emu.Webhooks().Listen("http://127.0.0.1:1/a")
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := emu.Webhooks().Secret(id); !ok || got != secret {
		t.Fatalf("Secret(%s) = %q, %v; want %q", id, got, ok, secret)
	}
	wired, err := emu.Webhooks().ListenWithSecret("http://127.0.0.1:1/b", "whsec_given")
	if err != nil {
		t.Fatal(err)
	}
	again, err := emu.Webhooks().ListenWithSecret("http://127.0.0.1:1/b", "")
	if err != nil || again != wired {
		t.Fatalf("wired again: %s, %v; want %s", again, err, wired)
	}
	if got, _ := emu.Webhooks().Secret(wired); got != "whsec_given" {
		t.Fatalf("wired again without a secret, it signs with %q, want whsec_given kept", got)
	}
	fresh, err := emu.Webhooks().ListenWithSecret("http://127.0.0.1:1/c", "")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := emu.Webhooks().Secret(fresh); !strings.HasPrefix(got, "whsec_") || len(got) < 30 {
		t.Fatalf("a new endpoint wired without a secret signs with %q, want a random whsec_", got)
	}
	if got, ok := emu.Webhooks().Secret("we_none"); ok || got != "" {
		t.Fatalf("Secret of an unknown id = %q, %v", got, ok)
	}
}

// A log at warn shows what went wrong and nothing else: a refused request
// at warn, with Stripe's message, an answered one only at info.
func TestLogLevelWarnShowsRefusedRequests(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	emu := emulator.Start(t, emulator.WithLogger(logger))
	sc := emu.Client()
	if _, err := sc.V1Customers.Create(context.Background(), &stripe.CustomerCreateParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.V1Customers.Retrieve(context.Background(), "cus_missing", nil); err == nil {
		t.Fatal("a missing customer was found")
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if strings.Contains(out, "POST") {
		t.Errorf("an answered request was logged at warn:\n%s", out)
	}
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "status=404") || !strings.Contains(out, "No such customer") {
		t.Errorf("the refused request is not logged at warn with its error:\n%s", out)
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
