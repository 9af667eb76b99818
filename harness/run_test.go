package harness

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe-emu/stripe-emu/scenarios"
)

// A hold fault keeps the app's request until the scenario ends, for the
// app's own timeout to give up on; the run must then end, not wait on
// the held request for ever.
func TestAHoldFaultEndsWithTheScenario(t *testing.T) {
	s, err := scenarios.Parse("hold.yaml", []byte(`name: the app gives up on a held request
app: {handler: impatient}
steps:
  - fault: {method: POST, path: /v1/customers, kind: hold}
  - app: POST /signup
    expect: {status: 504}
`))
	if err != nil {
		t.Fatal(err)
	}
	impatient := HandlerApp(func(env AppEnv) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), 100*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "POST", env.StripeAPIBase+"/v1/customers", strings.NewReader(""))
			req.Header.Set("Authorization", "Bearer "+env.SecretKey)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				w.WriteHeader(http.StatusGatewayTimeout)
				return
			}
			resp.Body.Close()
			w.WriteHeader(http.StatusCreated)
		})
	})
	done := make(chan error, 1)
	go func() { done <- Execute(s, impatient, Options{}) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the run did not end: the held request kept the emulator from closing")
	}
}

// An app step in a scenario run without an app says so, and how to give
// one, instead of failing on an empty URL.
func TestAnAppStepWithoutAnAppSaysHowToGiveOne(t *testing.T) {
	err := runScenario(t, "name: x\nsteps:\n  - app: GET /orders\n")
	if err == nil || !strings.Contains(err.Error(), "GET /orders: this run has no app to call: give the scenario app.command (or app.handler, registered from Go), or run stripe-emu test with --app") {
		t.Fatalf("got %v", err)
	}
}

// A failure lists the faults still in place, with their hits and what a
// hold is holding: an app that did not answer may be waiting on one.
func TestAFailureShowsTheFaultsInPlace(t *testing.T) {
	err := runScenario(t, `name: faults
steps:
  - fault: {method: POST, path: /v1/customers, kind: rate_limit}
  - fault: {path: /v1/refunds, kind: server_error, times: 3}
  - stripe: POST /v1/customers
`)
	want := "faults in place:\n  rate_limit on POST /v1/customers (every request; 1 hit)\n  server_error on any method /v1/refunds (the next 3; 0 hits)\n"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v\nwant it to contain:\n%s", err, want)
	}
}

// A handler named when no app is registered says how to register one,
// not "registered: " and nothing.
func TestAHandlerWithNoAppsRegisteredSaysHowToRegister(t *testing.T) {
	s, err := scenarios.Parse("h.yaml", []byte("name: x\napp: {handler: shop}\nsteps:\n  - app: GET /\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = AppFor(s, nil)
	if err == nil || err.Error() != `h.yaml: no app registered as "shop": none is; register it in the harness.Apps given to DescribeScenarios, or give the scenario an app.command` {
		t.Fatalf("got %v", err)
	}
}

// A long run's report shows its last requests and says how many came
// before them, rather than letting them pass for all there were.
func TestALongReportSaysWhatItLeavesOut(t *testing.T) {
	yaml := "name: many\nsteps:\n"
	for range 30 {
		yaml += "  - stripe: POST /v1/customers\n"
	}
	yaml += "  - expect:\n      count: {object: customer, equals: 0}\n"
	err := runScenario(t, yaml)
	if err == nil || !strings.Contains(err.Error(), "requests to the emulator (the last 25; 5 before them are left out):\n") {
		t.Fatalf("got %v", err)
	}
}

// ${env:NAME} reads the environment; a variable that is not set fails the
// step naming it, instead of sending nothing in its place.
func TestAnEnvReferenceNeedsItsVariable(t *testing.T) {
	t.Setenv("QA_SCEN_EMAIL", "ci@example.com")
	story := "name: env\nsteps:\n  - stripe: POST /v1/customers\n    params: {email: \"${env:QA_SCEN_EMAIL}\"}\n    as: c\n  - expect:\n      state: {object: \"${c.id}\", fields: {email: ci@example.com}}\n"
	if err := runScenario(t, story); err != nil {
		t.Fatal(err)
	}
	err := runScenario(t, strings.ReplaceAll(story, "QA_SCEN_EMAIL", "QA_SCEN_UNSET"))
	if err == nil || !strings.Contains(err.Error(), "failed at step 1 (Stripe POST /v1/customers, test.yaml:3): ${env:QA_SCEN_UNSET}: QA_SCEN_UNSET is not set in the environment") {
		t.Fatalf("got %v", err)
	}
}

// Every step starts once the deliveries earlier steps made due have
// landed, as an expectation does: an app call right after a Stripe call
// sees what its webhook handler made of it, on every run, not on the
// runs where the delivery happened to win the race.
func TestAStepSeesTheDeliveriesOfTheStepsBeforeIt(t *testing.T) {
	story := "name: deliveries land first\napp: {handler: counter}\nwebhooks:\n  - path: /hooks\n    events: [customer.created]\nsteps:\n  - stripe: POST /v1/customers\n  - app: GET /seen\n    expect: {status: 200, json: {seen: 1}}\n  - webhooks: hold\n  - stripe: POST /v1/customers\n  - app: GET /seen\n    expect: {status: 200, json: {seen: 1}}\n"
	s, err := scenarios.Parse("race.yaml", []byte(story))
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		var mu sync.Mutex
		seen := 0
		counter := HandlerApp(func(AppEnv) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				if r.URL.Path == "/hooks" {
					seen++
					return
				}
				fmt.Fprintf(w, `{"seen": %d}`, seen)
			})
		})
		if err := Execute(s, counter, Options{}); err != nil {
			t.Fatal(err)
		}
	}
}

// A step is listed, and named in a failure, with its references filled
// in: the id it reads, not ${order.body.id}.
func TestAStepIsDescribedWithItsReferencesFilledIn(t *testing.T) {
	s, err := scenarios.Parse("d.yaml", []byte("name: d\nsteps:\n  - stripe: POST /v1/customers\n    as: c\n  - expect:\n      state: {object: \"${c.id}\", fields: {email: nobody@example.com}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	err = Execute(s, nil, Options{Step: func(_ int, d string) { listed = append(listed, d) }})
	if len(listed) != 2 || !strings.HasPrefix(listed[1], "expect state of cus_") {
		t.Fatalf("steps listed as %q", listed)
	}
	if err == nil || !strings.Contains(err.Error(), "failed at step 2 ("+listed[1]+", d.yaml:5)") {
		t.Fatalf("got %v", err)
	}
}

// A Stripe error in a failure shows what identifies it, its type, code and
// whole message, not 300 characters of JSON that its links fill.
func TestAStripeErrorIsShownByWhatIdentifiesIt(t *testing.T) {
	err := runScenario(t, `name: refunds
steps:
  - stripe: POST /v1/payment_intents
    params: {amount: 5000, currency: usd, payment_method: pm_card_visa, payment_method_types: [card], confirm: true}
    as: pi
  - stripe: POST /v1/refunds
    params: {payment_intent: "${pi.id}", amount: 9000}
    expect_error: {status: 400, code: amount_too_large}
`)
	want := `want error code "amount_too_large", got none (400 invalid_request_error, param amount: "Refund amount ($90.00) is greater than charge amount ($50.00)")`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v\nwant it to contain %s", err, want)
	}
}

// An account Stripe refuses to create fails the setup with Stripe's
// error, not "400 <nil> map[…]".
func TestAnAccountRefusedSaysWhy(t *testing.T) {
	err := runScenario(t, "name: acct\naccounts:\n  seller: {email: not-an-email}\nsteps:\n  - clock: {advance: 1m}\n")
	if err == nil || !strings.Contains(err.Error(), `failed setting up (test.yaml): creating account seller: Stripe answered 400 invalid_request_error`) || strings.Contains(err.Error(), "map[") {
		t.Fatalf("got %v", err)
	}
}
