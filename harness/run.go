package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/emulator/clock"
	"github.com/stripe-emu/stripe-emu/scenarios"
)

// Options tune a run.
type Options struct {
	// Seed overrides the scenario's seed (0: the scenario's, or random).
	Seed uint64
	// Step is told each step before it runs (Ginkgo's By).
	Step func(i int, description string)
	// Start is where the emulator's clock stands (default: now, frozen).
	Start time.Time
}

// HarnessUserAgent marks the harness's own calls to the emulator, so
// request expectations only see the app's.
const HarnessUserAgent = "stripe-emu-harness"

// StepError is a failed scenario: which step, why, and what the emulator
// saw, with the seed that replays it.
type StepError struct {
	Scenario string
	File     string
	Index    int
	Line     int
	Step     string
	Err      error
	Seed     uint64
	Requests []emulator.Request
	Attempts []emulator.WebhookAttempt
	// Endpoints are the scenario's webhook endpoints, in declared order,
	// with what is still held or waiting on the clock for each.
	Endpoints []EndpointState
	// Faults are the injected failures still in place.
	Faults []emulator.Fault
	AppLog string
}

// EndpointState is one webhook endpoint of a run when a step failed.
type EndpointState struct {
	Path, ID string
	Held     []emulator.HeldEvent
	Waiting  []emulator.WaitingDelivery
}

func (e *StepError) endpointPath(id string) string {
	for _, ep := range e.Endpoints {
		if ep.ID == id {
			return ep.Path
		}
	}
	return id
}

// deliveryHints names the newcomer's mistakes that deliveries betray: a
// webhook path the app does not serve, a secret it does not verify with.
func (e *StepError) deliveryHints() string {
	var b strings.Builder
	for i, ep := range e.Endpoints {
		notFound, badSignature := 0, false
		for _, a := range e.Attempts {
			if a.EndpointID != ep.ID || a.Error != "" {
				continue
			}
			if a.Status == http.StatusNotFound || a.Status == http.StatusMethodNotAllowed {
				notFound = a.Status
			}
			badSignature = badSignature || a.Status >= 400 && a.Status < 500 && strings.Contains(strings.ToLower(a.ResponseBody), "signature")
		}
		if notFound != 0 {
			fmt.Fprintf(&b, "hint: %s answered %d to a delivery: is webhooks[%d].path in %s the path your app receives Stripe events on?\n", ep.Path, notFound, i, e.File)
		}
		if badSignature {
			fmt.Fprintf(&b, "hint: %s refused a delivery's signature: does your app verify with the secret in $STRIPE_WEBHOOK_SECRET?\n", ep.Path)
		}
	}
	return b.String()
}

func (e *StepError) Error() string {
	var b strings.Builder
	if e.Index < 0 {
		fmt.Fprintf(&b, "scenario %q failed setting up (%s): %v\n", e.Scenario, e.File, e.Err)
	} else {
		fmt.Fprintf(&b, "scenario %q failed at step %d (%s, %s:%d): %v\n", e.Scenario, e.Index+1, e.Step, e.File, e.Line, e.Err)
	}
	fmt.Fprintf(&b, "replay with seed %d: add \"seed: %d\" to %s, or run with STRIPE_EMU_SEED=%d (stripe-emu test --seed %d)\n", e.Seed, e.Seed, e.File, e.Seed, e.Seed)
	if len(e.Requests) > 0 {
		fmt.Fprintf(&b, "requests to the emulator (%s):\n", shown(len(e.Requests), 25))
		for _, r := range tail(e.Requests, 25) {
			who := "app"
			if r.UserAgent == HarnessUserAgent {
				who = "harness"
			}
			acct := ""
			if r.Account != "" {
				acct = " as " + r.Account
			}
			why := ""
			if r.Error != "" {
				why = ": " + r.Error
			}
			fmt.Fprintf(&b, "  %-7s %s %s%s → %d (%s)%s\n", who, r.Method, r.Path, acct, r.Status, r.RequestID, why)
		}
	}
	if len(e.Attempts) > 0 {
		fmt.Fprintf(&b, "webhook deliveries (%s):\n", shown(len(e.Attempts), 25))
		for _, a := range tail(e.Attempts, 25) {
			answer := fmt.Sprintf("%d %s", a.Status, strings.TrimSpace(a.ResponseBody))
			if a.Error != "" {
				answer = "no answer: " + a.Error
			}
			retry := ""
			if a.NextRetry != nil {
				retry = "; next retry at " + a.NextRetry.UTC().Format(time.RFC3339)
			}
			which := fmt.Sprintf("copy %d", a.Copy)
			if a.Redelivery {
				which = "redelivered"
			}
			fmt.Fprintf(&b, "  %s %s %s (%s, attempt %d) → %s%s\n", e.endpointPath(a.EndpointID), a.EventType, a.EventID, which, a.Number,
				strings.TrimSpace(answer), retry)
		}
		b.WriteString(e.deliveryHints())
	}
	if len(e.Faults) > 0 {
		// An app that did not answer may be waiting on a hold or a delay.
		b.WriteString("faults in place:\n")
		for _, f := range e.Faults {
			method, p, left := f.Method, f.Path, "every request"
			if method == "" {
				method = "any method"
			}
			if p == "" || p == "*" {
				p = "any path"
			}
			if f.Times > 0 {
				left = fmt.Sprintf("the next %d", f.Times)
			}
			hits := "hits"
			if f.Hits == 1 {
				hits = "hit"
			}
			held := ""
			if f.Waiting > 0 {
				held = fmt.Sprintf(", %d held now", f.Waiting)
			}
			fmt.Fprintf(&b, "  %s on %s %s (%s; %d %s%s)\n", f.Kind, method, p, left, f.Hits, hits, held)
		}
	}
	for _, ep := range e.Endpoints {
		if len(ep.Held) > 0 {
			fmt.Fprintf(&b, "held for %s:\n", ep.Path)
			for _, h := range tail(ep.Held, 25) {
				fmt.Fprintf(&b, "  %s %s\n", h.Type, h.ID)
			}
		}
		if len(ep.Waiting) > 0 {
			fmt.Fprintf(&b, "waiting for %s:\n", ep.Path)
			for _, w := range tail(ep.Waiting, 25) {
				what := fmt.Sprintf("copy %d", w.Copy)
				if w.Attempts > 0 {
					what += fmt.Sprintf(", retry after attempt %d", w.Attempts)
				}
				fmt.Fprintf(&b, "  %s %s (%s), due at %s\n", w.Type, w.ID, what, w.Due.UTC().Format(time.RFC3339))
			}
		}
	}
	if strings.TrimSpace(e.AppLog) != "" {
		// The end of a long log is where the failure is; all of it would
		// bury the report.
		lines := strings.Split(strings.TrimRight(e.AppLog, "\n"), "\n")
		if len(lines) > appLogLines {
			fmt.Fprintf(&b, "app output (its last %d lines; %d before them are left out):\n", appLogLines, len(lines)-appLogLines)
			lines = lines[len(lines)-appLogLines:]
		} else {
			b.WriteString("app output:\n")
		}
		b.WriteString(strings.Join(lines, "\n") + "\n")
	}
	return b.String()
}

// shown says which of n entries a list of at most max shows.
func shown(n, max int) string {
	if n > max {
		return fmt.Sprintf("the last %d; %d before them are left out", max, n-max)
	}
	return "oldest first"
}

// appLogLines is how much of the app's output a failure shows.
const appLogLines = 80

func tail[T any](s []T, n int) []T {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

type run struct {
	s         *scenarios.Scenario
	emu       *emulator.Emulator
	appURL    string
	endpoints map[string]string // webhook path on the app → endpoint id
	firstEP   string
	vars      map[string]any
	accounts  map[string]string
	http      *http.Client
	seed      uint64 // the run's, which replays it
}

// Execute runs one scenario against app with a fresh emulator.
func Execute(s *scenarios.Scenario, app App, opts Options) (err error) {
	seed := opts.Seed
	if seed == 0 {
		seed = s.Seed
	}
	start := opts.Start
	if start.IsZero() {
		start = time.Now().Truncate(time.Second)
	}
	emu, nerr := emulator.New(emulator.WithClock(clock.NewFrozen(start)), emulator.WithSeed(seed))
	if nerr != nil {
		return nerr
	}
	defer emu.Close()
	srv := newServer(emu)
	defer func() {
		// A hold fault's requests wait until released: the server would
		// wait on them for ever.
		emu.Faults().Clear()
		srv.Close()
	}()
	seed = emu.Webhooks().Seed()

	secret := "whsec_" + randomHex(16)
	appURL := ""
	if app != nil {
		base, stop, serr := app.Start(AppEnv{StripeAPIBase: emu.URL(), SecretKey: "sk_test_" + randomHex(12), WebhookSecret: secret})
		if serr != nil {
			return fmt.Errorf("scenario %q: starting the app: %w", s.Name, serr)
		}
		appURL = base
		defer func() {
			out := stop()
			if se, ok := err.(*StepError); ok {
				se.AppLog = out
			}
		}()
	}
	r := &run{s: s, emu: emu, appURL: appURL, endpoints: map[string]string{}, vars: map[string]any{"app": map[string]any{"url": appURL}},
		accounts: map[string]string{}, http: &http.Client{Timeout: 30 * time.Second}, seed: seed}
	fail := func(i int, st scenarios.Step, e error) error {
		se := &StepError{Scenario: s.Name, File: s.File, Index: i, Line: st.Line, Step: r.describe(st), Err: e, Seed: seed,
			Requests: emu.Requests(), Attempts: emu.Webhooks().Attempts(), Faults: emu.Faults().List()}
		for _, w := range s.Webhooks {
			if id := r.endpoints[w.Path]; id != "" {
				se.Endpoints = append(se.Endpoints, EndpointState{Path: w.Path, ID: id, Held: emu.Webhooks().Held(id), Waiting: emu.Webhooks().Waiting(id)})
			}
		}
		return se
	}
	if err := r.setup(secret); err != nil {
		return fail(-1, scenarios.Step{Kind: "setup"}, err)
	}
	for i, st := range s.Steps {
		if opts.Step != nil {
			opts.Step(i, r.describe(st))
		}
		// Deliveries are sent concurrently: each step starts once those
		// earlier steps made due have landed, or an app call right after
		// a Stripe call would race its own webhook handler.
		if err := r.flush(); err != nil {
			return fail(i, st, err)
		}
		if err := r.step(st); err != nil {
			return fail(i, st, err)
		}
	}
	return nil
}

// describe is a step's summary with the references it reads filled in
// (the id, not ${order.body.id}), as far as they are known yet.
func (r *run) describe(st scenarios.Step) string {
	d := scenarios.Describe(st)
	if filled, err := r.resolveString(d); err == nil {
		return filled
	}
	return d
}

func (r *run) setup(secret string) error {
	for _, a := range r.s.Accounts {
		form := url.Values{}
		if a.Email != "" {
			form.Set("email", a.Email)
		}
		typ := a.Type
		if typ == "" {
			typ = "express"
		}
		form.Set("type", typ)
		// What a marketplace asks for its sellers; active once onboarded.
		form.Set("capabilities[card_payments][requested]", "true")
		form.Set("capabilities[transfers][requested]", "true")
		status, body, err := r.callStripe("POST", "/v1/accounts", form, "", "")
		if err != nil {
			return fmt.Errorf("creating account %s: %w", a.Name, err)
		}
		if status != 200 {
			return fmt.Errorf("creating account %s: Stripe answered %s", a.Name, stripeError(status, errOf(body)))
		}
		r.accounts[a.Name] = body["id"].(string)
		r.vars[a.Name] = body["id"]
	}
	for i, w := range r.s.Webhooks {
		if r.appURL == "" {
			return fmt.Errorf("webhooks[%d] (%s) needs an app to deliver to: give app.handler or app.command, or run with --app", i, w.Path)
		}
		id, err := r.emu.Webhooks().ListenWithSecretOn("", w.Connect, r.appURL+w.Path, secret, w.Events...)
		if err != nil {
			return fmt.Errorf("webhook endpoint %s: %w", w.Path, err)
		}
		r.endpoints[w.Path] = id
		if r.firstEP == "" {
			r.firstEP = id
		}
		if w.Policy != nil {
			if err := r.emu.Webhooks().SetPolicy(id, policy(*w.Policy)); err != nil {
				return err
			}
		}
	}
	return nil
}

func policy(p scenarios.Policy) emulator.WebhookPolicy {
	return emulator.WebhookPolicy{Order: emulator.WebhookOrder(p.Order), Duplicate: p.Duplicate, DuplicateFraction: p.DuplicateFraction,
		Delay: p.Delay, Hold: p.Hold, Concurrency: p.Concurrency}
}

func (r *run) endpoint(p string) (string, error) {
	if p == "" {
		if r.firstEP == "" {
			return "", fmt.Errorf("the scenario declares no webhooks")
		}
		return r.firstEP, nil
	}
	id, ok := r.endpoints[p]
	if !ok {
		return "", fmt.Errorf("no webhook endpoint on %s", p)
	}
	return id, nil
}

// account resolves a name, reference or acct_ id ("" = platform).
func (r *run) account(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	v, err := r.resolveString(s)
	if err != nil {
		return "", err
	}
	if id, ok := r.accounts[v]; ok {
		return id, nil
	}
	if !r.emu.HasAccount(v) {
		names := slices.DeleteFunc(slices.Sorted(maps.Keys(r.accounts)), func(n string) bool { return n == "" })
		return "", fmt.Errorf("no account %q: neither one of the scenario's accounts (%s) nor an account id the emulator made", v, strings.Join(names, ", "))
	}
	return v, nil
}

func (r *run) flush() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return r.emu.Webhooks().Flush(ctx)
}

func (r *run) step(st scenarios.Step) error {
	var result any
	var err error
	switch st.Kind {
	case "stripe":
		result, err = r.stripe(st)
	case "app":
		result, err = r.app(st.Method, st.Path, st.JSON, st.Form, st.Headers)
		if err == nil && st.Expect != nil {
			err = r.checkApp(result.(map[string]any), st.Method, st.Path, st.Headers, *st.Expect)
		}
	case "customer":
		result, err = r.customer(st)
	case "clock":
		err = r.clock(st)
	case "webhooks":
		err = r.webhooks(st)
	case "fault":
		f := st.Fault
		p, perr := r.resolveString(f.Path)
		if perr != nil {
			return perr
		}
		fault := emulator.Fault{Method: f.Method, Path: p, Kind: emulator.FaultKind(f.Kind), Times: f.Times, Duration: f.Duration}
		if ferr := emulator.CheckFault(fault); ferr != nil {
			return fmt.Errorf("fault: %w", ferr)
		}
		r.emu.Faults().Add(fault)
	case "expect":
		err = r.expect(st.Check)
	case "fixture":
		result, err = r.fixture(st.Fixture)
	default:
		err = fmt.Errorf("unknown step kind %q", st.Kind)
	}
	if err != nil {
		return err
	}
	if st.As != "" {
		r.vars[st.As] = result
	}
	return nil
}

// newStripeRequest is a request to the emulator's API as the harness
// makes it: its own key, its User-Agent (which keeps its calls apart from
// the app's).
func newStripeRequest(method, target string, body io.Reader, contentType string) (*http.Request, error) {
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer sk_test_harness")
	req.Header.Set("User-Agent", HarnessUserAgent)
	req.Header.Set("Content-Type", contentType)
	return req, nil
}

// callStripe calls the emulator's API as the harness.
func (r *run) callStripe(method, p string, form url.Values, account, idemKey string) (int, map[string]any, error) {
	var body io.Reader = strings.NewReader("")
	target := r.emu.URL() + p
	if method == "POST" {
		body = strings.NewReader(form.Encode())
	} else if len(form) > 0 {
		target += "?" + form.Encode()
	}
	req, err := newStripeRequest(method, target, body, "application/x-www-form-urlencoded")
	if err != nil {
		return 0, nil, err
	}
	if account != "" {
		req.Header.Set("Stripe-Account", account)
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, out, nil
}

func (r *run) stripe(st scenarios.Step) (any, error) {
	p, err := r.resolveString(st.Path)
	if err != nil {
		return nil, err
	}
	params, err := r.resolveAll(map[string]any(st.Params))
	if err != nil {
		return nil, err
	}
	flat := map[string]string{}
	if params != nil {
		flatten("", params, flat)
	}
	form := url.Values{}
	for k, v := range flat {
		form.Set(k, v)
	}
	acct, err := r.account(st.Account)
	if err != nil {
		return nil, err
	}
	idem, err := r.resolveString(st.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	status, body, err := r.callStripe(st.Method, p, form, acct, idem)
	if err != nil {
		return nil, err
	}
	if ee := st.ExpectError; ee != nil {
		e, _ := body["error"].(map[string]any)
		if e == nil {
			return nil, fmt.Errorf("Stripe answered %d without the expected error: %s", status, brief(body))
		}
		checks := []struct{ name, want string }{{"type", ee.Type}, {"code", ee.Code}, {"message", ee.Message}, {"param", ee.Param}}
		if ee.Status != 0 && ee.Status != status {
			return nil, fmt.Errorf("want status %d, Stripe answered %s", ee.Status, stripeError(status, e))
		}
		for _, c := range checks {
			if c.want != "" && fmt.Sprint(e[c.name]) != c.want {
				got := "none"
				if v, ok := e[c.name]; ok && v != nil {
					got = fmt.Sprintf("%q", fmt.Sprint(v))
				}
				return nil, fmt.Errorf("want error %s %q, got %s (%s)", c.name, c.want, got, stripeError(status, e))
			}
		}
		return body, nil
	}
	if status != 200 {
		e, _ := body["error"].(map[string]any)
		return nil, fmt.Errorf("Stripe answered %s", stripeError(status, e))
	}
	return body, nil
}

// app calls the app and captures {status, headers, body}.
func (r *run) app(method, p string, jsonBody any, form, headers map[string]string) (any, error) {
	target, err := r.resolveString(p)
	if err != nil {
		return nil, err
	}
	if r.appURL == "" {
		return nil, fmt.Errorf("%s %s: this run has no app to call: give the scenario app.command (or app.handler, registered from Go), or run stripe-emu test with --app", method, target)
	}
	var body io.Reader
	contentType := ""
	switch {
	case jsonBody != nil:
		v, err := r.resolveAll(jsonBody)
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(v)
		body, contentType = bytes.NewReader(b), "application/json"
	case form != nil:
		vals := url.Values{}
		for k, v := range form {
			rv, err := r.resolveString(v)
			if err != nil {
				return nil, err
			}
			vals.Set(k, rv)
		}
		body, contentType = strings.NewReader(vals.Encode()), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequest(method, r.appURL+target, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		rv, err := r.resolveString(v)
		if err != nil {
			return nil, err
		}
		req.Header.Set(k, rv)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the app did not answer %s %s: %w", method, target, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var parsed any
	if json.Unmarshal(raw, &parsed) != nil {
		parsed = string(raw)
	}
	hdr := map[string]any{}
	for k := range resp.Header {
		hdr[strings.ToLower(k)] = resp.Header.Get(k)
	}
	return map[string]any{"status": float64(resp.StatusCode), "headers": hdr, "body": parsed}, nil
}

func (r *run) customer(st scenarios.Step) (any, error) {
	acct, err := r.account(st.Account)
	if err != nil {
		return nil, err
	}
	switch st.Action {
	case "complete_checkout":
		session, err := r.resolveString(st.Session)
		if err != nil {
			return nil, err
		}
		pm := st.PaymentMethod
		if pm == "" {
			pm = "pm_card_visa"
		}
		status, body, err := r.callStripe("POST", "/v1/test_helpers/checkout/sessions/"+session+"/complete", url.Values{"payment_method": {pm}}, acct, "")
		if err != nil {
			return nil, err
		}
		if status != 200 {
			return body, fmt.Errorf("completing %s answered %s", session, stripeError(status, errOf(body)))
		}
		return body, nil
	case "complete_onboarding":
		// The owner finishes Connect onboarding; the platform makes the
		// call, about its connected account.
		status, body, err := r.callStripe("POST", "/v1/test_helpers/accounts/"+acct+"/complete_onboarding", nil, "", "")
		if err != nil {
			return nil, err
		}
		if status != 200 {
			return nil, fmt.Errorf("complete_onboarding answered %s", stripeError(status, errOf(body)))
		}
		return body, nil
	case "pay_invoice":
		return r.payInvoice(st, acct)
	case "verify_identity":
		// The user submits on the session's test page: its outcome is the
		// step's (verified unless it names a failure).
		vs, err := r.resolveString(st.VerificationSession)
		if err != nil {
			return nil, err
		}
		status, body, err := r.callStripe("POST", "/v1/test_helpers/identity/verification_sessions/"+vs+"/submit", url.Values{"outcome": {st.Outcome}}, acct, "")
		if err != nil {
			return nil, err
		}
		if status != 200 {
			return nil, fmt.Errorf("verify_identity answered %s", stripeError(status, errOf(body)))
		}
		return body, nil
	case "authenticate", "settle":
		pi, err := r.resolveString(st.PaymentIntent)
		if err != nil {
			return nil, err
		}
		outcome := st.Outcome
		if outcome == "" {
			outcome = "succeed"
		}
		status, body, err := r.callStripe("POST", "/v1/test_helpers/payment_intents/"+pi+"/"+st.Action, url.Values{"outcome": {outcome}}, acct, "")
		if err != nil {
			return nil, err
		}
		if status != 200 {
			return nil, fmt.Errorf("%s answered %s", st.Action, stripeError(status, errOf(body)))
		}
		return body, nil
	}
	return nil, fmt.Errorf("unknown customer action %q", st.Action)
}

// payInvoice is the customer paying an open invoice on the page its
// hosted_invoice_url opens, with a test card (pm_card_visa unless the
// step names one). The step's result is the invoice as it then is; a
// card asking for 3-D Secure leaves it open for an authenticate step (its
// payment_intent is the invoice's default payment's).
func (r *run) payInvoice(st scenarios.Step, acct string) (any, error) {
	id, err := r.resolveString(st.Invoice)
	if err != nil {
		return nil, err
	}
	status, inv, err := r.callStripe("GET", "/v1/invoices/"+id, nil, acct, "")
	if err != nil {
		return nil, err
	}
	if status != 200 {
		return nil, fmt.Errorf("retrieving %s answered %s", id, stripeError(status, errOf(inv)))
	}
	page, _ := inv["hosted_invoice_url"].(string)
	if page == "" {
		return nil, fmt.Errorf("invoice %s has no hosted page: it is %v (only a finalized invoice has one)", id, inv["status"])
	}
	pm := st.PaymentMethod
	if pm == "" {
		pm = "pm_card_visa"
	}
	// The page's answer is what the browser gets: a redirect once the
	// card went through (back to the page, or on to 3-D Secure), else
	// the page again saying why not.
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.PostForm(page, url.Values{"payment_method": {pm}})
	if err != nil {
		return nil, fmt.Errorf("the hosted invoice page of %s did not answer: %w", id, err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("paying %s on its hosted page with %s failed (%d): %s", id, pm, resp.StatusCode, pageFailure(string(answer)))
	}
	_, inv, err = r.callStripe("GET", "/v1/invoices/"+id, url.Values{"expand[]": {"payments"}}, acct, "")
	return inv, err
}

// errOf is the error object of an answer (nil if it has none).
func errOf(body map[string]any) map[string]any {
	e, _ := body["error"].(map[string]any)
	return e
}

// stripeError is what identifies a Stripe error: its status, type, code
// (and decline code), param and whole message; its links, which filled a
// shortened JSON, are left out.
func stripeError(status int, e map[string]any) string {
	if e == nil {
		return fmt.Sprint(status)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d %v", status, e["type"])
	for _, k := range []string{"code", "decline_code"} {
		if v, ok := e[k].(string); ok && v != "" {
			b.WriteString(" " + v)
		}
	}
	if p, ok := e["param"].(string); ok && p != "" {
		b.WriteString(", param " + p)
	}
	fmt.Fprintf(&b, ": %q", fmt.Sprint(e["message"]))
	return b.String()
}

// pageFailure is the reason an emulator page gives for refusing (its
// class="failure" paragraph), or the page's text when it has none.
func pageFailure(page string) string {
	if _, rest, ok := strings.Cut(page, `class="failure">`); ok {
		msg, _, _ := strings.Cut(rest, "<")
		return html.UnescapeString(msg)
	}
	return strings.TrimSpace(page)
}

func (r *run) clock(st scenarios.Step) error {
	if st.TestClock != "" {
		id, err := r.resolveString(st.TestClock)
		if err != nil {
			return err
		}
		c, ok := r.emu.Get(id)
		if !ok {
			return fmt.Errorf("no test clock %s", id)
		}
		frozen := int64(c["frozen_time"].(float64))
		target := frozen + int64(st.Advance.Seconds())
		if st.Set != nil {
			target = st.Set.Unix()
		}
		status, body, err := r.callStripe("POST", "/v1/test_helpers/test_clocks/"+id+"/advance", url.Values{"frozen_time": {fmt.Sprint(target)}}, "", "")
		if err != nil {
			return fmt.Errorf("advancing %s: %w", id, err)
		}
		if status != 200 {
			return fmt.Errorf("advancing %s: Stripe answered %s", id, stripeError(status, errOf(body)))
		}
		return nil
	}
	if st.Set != nil {
		r.emu.Clock().Set(*st.Set)
	} else {
		r.emu.Clock().Advance(st.Advance)
	}
	return nil
}

func (r *run) webhooks(st scenarios.Step) error {
	id, err := r.endpoint(st.Endpoint)
	if err != nil {
		return err
	}
	w := r.emu.Webhooks()
	switch st.WebhookAction {
	case "deliver":
		return r.flush()
	case "hold":
		p, _ := w.Policy(id)
		p.Hold = true
		return w.SetPolicy(id, p)
	case "release":
		switch {
		case len(st.Order) > 0:
			ids, err := r.heldOrder(id, st.Order)
			if err != nil {
				return err
			}
			err = w.ReleaseInOrder(id, ids...)
			if err != nil {
				return err
			}
		case len(st.Types) > 0:
			// A type of which nothing is held is a story mistaken about
			// what happened: releasing the rest would pass it quietly.
			held := w.Held(id)
			for _, t := range st.Types {
				if !slices.ContainsFunc(held, func(h emulator.HeldEvent) bool { return scenarios.EventTypeMatches([]string{t}, h.Type) }) {
					return fmt.Errorf("no %s event is held for %s; held there: %s", t, r.endpointPath(id), describeHeld(held))
				}
			}
			err = w.ReleaseTypes(id, st.Types...)
		default:
			err = w.Release(id)
		}
		if err != nil {
			return err
		}
		return r.flush()
	case "redeliver":
		ev, err := r.resolveString(st.Event)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(ev, "evt_") {
			if ev, err = r.latestEvent(st.Endpoint, ev); err != nil {
				return err
			}
		}
		if err := w.Redeliver(ev, id); err != nil {
			return err
		}
		return r.flush()
	case "policy":
		return w.SetPolicy(id, policy(*st.Policy))
	}
	return fmt.Errorf("unknown webhooks action %q", st.WebhookAction)
}

// latestEvent is the id of the latest event of a type an endpoint could
// have received: the platform's, and for a Connect endpoint its connected
// accounts' too.
func (r *run) latestEvent(endpointPath, eventType string) (string, error) {
	accounts := []string{""}
	for _, w := range r.s.Webhooks {
		if w.Connect && (endpointPath == "" && w.Path == r.s.Webhooks[0].Path || w.Path == endpointPath) {
			for _, a := range r.s.Accounts {
				accounts = append(accounts, r.accounts[a.Name])
			}
		}
	}
	var id string
	var created float64
	for _, acct := range accounts {
		for _, ev := range r.emu.Events(acct) {
			if ev["type"] == eventType {
				if c, _ := ev["created"].(float64); id == "" || c >= created {
					id, created = ev["id"].(string), c
				}
			}
		}
	}
	if id == "" {
		return "", fmt.Errorf("no %s event to redeliver", eventType)
	}
	return id, nil
}

// heldOrder turns a release order into the held events' ids: an entry is
// an event (evt_… or a reference to one) or an event type, which stands
// for every held event of that type (each duplicate copy), in queue order.
func (r *run) heldOrder(endpointID string, order []string) ([]string, error) {
	held := r.emu.Webhooks().Held(endpointID)
	left := slices.Clone(held)
	var ids []string
	for _, o := range order {
		v, err := r.resolveString(o)
		if err != nil {
			return nil, err
		}
		n := len(ids)
		if strings.HasPrefix(v, "evt_") {
			if i := slices.IndexFunc(left, func(h emulator.HeldEvent) bool { return h.ID == v }); i >= 0 {
				ids = append(ids, v)
				left = slices.Delete(left, i, i+1)
			}
		} else {
			left = slices.DeleteFunc(left, func(h emulator.HeldEvent) bool {
				if h.Type == v {
					ids = append(ids, h.ID)
					return true
				}
				return false
			})
		}
		if len(ids) == n {
			what := "no " + v + " event is"
			if strings.HasPrefix(v, "evt_") {
				what = "event " + v + " is not"
			}
			return nil, fmt.Errorf("%s held for %s; held there: %s", what, r.endpointPath(endpointID), describeHeld(held))
		}
	}
	return ids, nil
}

func describeHeld(held []emulator.HeldEvent) string {
	if len(held) == 0 {
		return "nothing"
	}
	parts := make([]string, len(held))
	for i, h := range held {
		parts[i] = fmt.Sprintf("%s (%s)", h.Type, h.ID)
	}
	return strings.Join(parts, ", ")
}

// endpointPath is the webhooks entry's path of an endpoint id.
func (r *run) endpointPath(id string) string {
	for p, eid := range r.endpoints {
		if eid == id {
			return p
		}
	}
	return id
}

// pathMatch matches request paths with * for one segment.
func pathMatch(pattern, p string) bool {
	if pattern == "" {
		return true
	}
	ok, err := path.Match(pattern, p)
	return err == nil && ok
}
