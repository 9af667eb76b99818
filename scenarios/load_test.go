package scenarios

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const valid = `name: SEPA checkout
labels: [story-4, checkout]
seed: 7
app:
  handler: shop
accounts:
  organizer: {email: org@example.com, type: express}
webhooks:
  - path: /webhooks/stripe
    events: ["checkout.session.*"]
    policy: {order: shuffle, duplicate: 1, delay: {checkout.session.completed: 30s}}
steps:
  - stripe: POST /v1/products
    params: {name: Ticket, default_price_data: {currency: eur, unit_amount: 1500}}
    account: ${organizer}
    as: product
  - app: POST /orders
    json: {price: "${product.default_price}"}
    as: order
    expect: {status: 201}
  - customer: complete_checkout
    session: ${order.body.session}
    payment_method: pm_sepa_debit
  - webhooks: deliver
  - clock: {advance: 3d}
  - fault: {method: POST, path: /v1/refunds, kind: rate_limit, times: 1}
  - expect:
      app: GET /orders/${order.body.id}
      json: {status: {one_of: [paid, fulfilled]}}
      within: 5s
  - expect:
      webhooks: {contains: [checkout.session.completed], app_status: 200}
  - expect:
      requests: {method: POST, path: /v1/checkout/sessions, count: 1}
  - expect:
      events: {types: ["checkout.session.*", charge.refunded], equals: [checkout.session.completed, charge.refunded]}
  - expect:
      stripe: GET /v1/billing/credit_balance_summary
      params: {customer: "${order.body.customer}", filter: {type: applicability_scope}}
      fields: {balances.0.available_balance.monetary.value: 250}
  - expect:
      webhooks: {endpoint: /webhooks/stripe, delivered: []}
  - expect:
      events: {not_contains: [charge.dispute.created], equals: []}
`

func TestValidScenario(t *testing.T) {
	s, err := Parse("valid.yaml", []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "SEPA checkout" || s.Seed != 7 || s.App.Handler != "shop" || len(s.Steps) != 13 {
		t.Fatalf("parsed %+v", s)
	}
	if s.Webhooks[0].Policy.Order != "shuffle" || s.Webhooks[0].Policy.Delay["checkout.session.completed"] != 30*time.Second {
		t.Errorf("policy %+v", s.Webhooks[0].Policy)
	}
	if st := s.Steps[0]; st.Method != "POST" || st.Path != "/v1/products" || st.Params["name"] != "Ticket" || st.As != "product" {
		t.Errorf("stripe step %+v", st)
	}
	if st := s.Steps[4]; st.Advance != 72*time.Hour {
		t.Errorf("clock step %+v", st)
	}
	if c := s.Steps[6].Check.App; c == nil || c.Within != 5*time.Second || c.Path != "/orders/${order.body.id}" {
		t.Errorf("expect step %+v", s.Steps[6].Check)
	}
	if e := s.Steps[9].Check.Events; e == nil || strings.Join(e.Types, ",") != "checkout.session.*,charge.refunded" || len(e.Equals) != 2 {
		t.Errorf("events expectation %+v", s.Steps[9].Check)
	}
	if c := s.Steps[10].Check.Stripe; c == nil || c.Path != "/v1/billing/credit_balance_summary" || c.Params["customer"] != "${order.body.customer}" ||
		c.Fields["balances.0.available_balance.monetary.value"] != 250 {
		t.Errorf("stripe expectation %+v", s.Steps[10].Check)
	}
	// An empty list expects nothing there; it is not left unchecked.
	if w := s.Steps[11].Check.Webhooks; w.Delivered == nil {
		t.Errorf("delivered: [] parsed as not given: %+v", w)
	}
	if e := s.Steps[12].Check.Events; e.Equals == nil || e.Types != nil {
		t.Errorf("equals: [] parsed as not given: %+v", e)
	}
	if Describe(s.Steps[10]) != "expect Stripe GET /v1/billing/credit_balance_summary" || Describe(s.Steps[9]) != "expect events" {
		t.Errorf("describe: %q, %q", Describe(s.Steps[10]), Describe(s.Steps[9]))
	}
	if Describe(s.Steps[2]) != "customer complete_checkout" {
		t.Errorf("describe: %q", Describe(s.Steps[2]))
	}
}

func TestMalformedScenarios(t *testing.T) {
	cases := []struct {
		name, yaml, want string
		line             int
	}{
		{"bad yaml", "name: [unclosed\n", "invalid YAML", 1},
		{"missing name", "steps:\n  - webhooks: deliver\n", "needs a name", 1},
		{"no steps", "name: x\nsteps: []\n", "non-empty list of steps", 2},
		{"unknown step kind", "name: x\nsteps:\n  - stirpe: POST /v1/customers\n", `unknown step kind "stirpe"; allowed: app, clock, customer, expect, fault, fixture, stripe, webhooks`, 3},
		{"two kinds", "name: x\nsteps:\n  - stripe: POST /v1/customers\n    app: GET /\n", "exactly one kind", 3},
		{"unknown key", "name: x\nsteps:\n  - stripe: POST /v1/customers\n    parms: {}\n", `unknown key "parms"; allowed: account, as, expect_error, idempotency_key, name, params, stripe`, 4},
		{"unknown top key", "name: x\nsetps: []\n", `unknown key "setps"`, 2},
		{"bad duration", "name: x\nsteps:\n  - clock: {advance: soon}\n", `invalid duration "soon"`, 3},
		{"bad method", "name: x\nsteps:\n  - stripe: PATCH /v1/customers\n", "METHOD one of DELETE, GET, POST", 3},
		{"not a stripe path", "name: x\nsteps:\n  - stripe: POST /customers\n", "start with /v1/", 3},
		{"later reference", "name: x\nsteps:\n  - app: GET /orders/${order.id}\n  - app: POST /orders\n    as: order\n", `"order" is not defined`, 3},
		{"duplicate as", "name: x\nsteps:\n  - app: GET /\n    as: a\n  - app: GET /\n    as: a\n", "already defined", 5},
		{"bad policy order", "name: x\nwebhooks:\n  - path: /wh\n    policy: {order: sideways}\nsteps:\n  - webhooks: deliver\n", `unknown order "sideways"; allowed: inorder, reverse, shuffle`, 4},
		{"bad fault kind", "name: x\nsteps:\n  - fault: {method: POST, path: /v1/x, kind: meteor}\n", `unknown fault kind "meteor"`, 3},
		{"wrong type", "name: x\nseed: lots\nsteps:\n  - webhooks: deliver\n", `want a whole number from 1 to 18446744073709551615, got "lots"`, 2},
		{"unknown endpoint", "name: x\nwebhooks:\n  - path: /wh\nsteps:\n  - webhooks: hold\n    endpoint: /nope\n", `no webhooks entry has path "/nope"`, 6},
		{"bad customer action", "name: x\nsteps:\n  - customer: pay_cash\n", `unknown customer action "pay_cash"`, 3},
		{"events expecting nothing", "name: x\nsteps:\n  - expect:\n      events: {types: [invoice.paid]}\n", "say what to expect: equals, contains or not_contains", 4},
		{"events type pattern", "name: x\nsteps:\n  - expect:\n      events: {types: [invoice.pa*], equals: []}\n", `want an event type, a prefix ending in .* (invoice.*) or *, got "invoice.pa*"`, 4},
		{"events unknown key", "name: x\nsteps:\n  - expect:\n      events: {type: [invoice.paid], equals: []}\n", `unknown key "type"; allowed: account, contains, equals, not_contains, types`, 4},
		{"stripe expectation writes", "name: x\nsteps:\n  - expect:\n      stripe: POST /v1/customers\n      fields: {id: x}\n", "an expectation only reads: want GET, got POST", 4},
		{"stripe expectation checks nothing", "name: x\nsteps:\n  - expect:\n      stripe: GET /v1/customers\n", "say which fields of the answer to check", 4},
		{"unknown expectation", "name: x\nsteps:\n  - expect:\n      evnts: {equals: []}\n", `unknown expectation "evnts"; allowed: app, count, events, requests, state, stripe, webhooks`, 4},
		{"app answer read as its body", "name: x\nsteps:\n  - app: POST /orders\n    as: order\n  - app: GET /orders/${order.id}\n", "reference ${order.id}: an app step's answer is {status, headers, body}; did you mean ${order.body.id}?", 5},
		{"redeliver as a mapping", "name: x\nsteps:\n  - webhooks: {redeliver: invoice.paid}\n", "write the action as the value and its fields beside it: `webhooks: redeliver` with `event: …` on the next line", 3},
		{"expecting a delivery the endpoint does not subscribe to", "name: x\nwebhooks:\n  - path: /wh\n    events: [checkout.session.*]\nsteps:\n  - expect:\n      webhooks: {contains: [payment_intent.succeeded]}\n",
			"payment_intent.succeeded is never delivered to /wh: its webhooks entry takes only checkout.session.*; add the type to its events, or check the events recorded with `expect: events:`", 7},
		{"not expecting a delivery the endpoint does not subscribe to", "name: x\nwebhooks:\n  - path: /wh\n    events: [checkout.session.*]\nsteps:\n  - expect:\n      webhooks: {not_contains: [charge.refunded]}\n",
			"charge.refunded is never delivered to /wh (its webhooks entry takes only checkout.session.*), so this could never fail", 7},
		{"unquoted reference in a flow mapping", "name: x\nsteps:\n  - app: POST /orders\n    as: order\n  - app: POST /orders/pay\n    json: {order: ${order.body.id}}\n",
			`invalid YAML: did not find expected ',' or '}': inside { } or [ ], quote a reference: "${order.body.id}"`, 6},
		{"onboarding without its account", "name: x\nsteps:\n  - customer: complete_onboarding\n", `complete_onboarding needs the account that onboards`, 3},
		{"paying without the invoice", "name: x\nsteps:\n  - customer: pay_invoice\n", `pay_invoice needs the invoice the customer pays`, 3},
		{"paying with what the action does not take", "name: x\nsteps:\n  - customer: pay_invoice\n    invoice: in_1\n    outcome: fail\n", `outcome`, 5},
		{"days run into words", "name: x\nsteps:\n  - clock: {advance: 3days}\n", `invalid duration "3days" (use 90s, 5m, 1h30m, 3d)`, 3},
		{"days twice", "name: x\nsteps:\n  - clock: {advance: 1d2d}\n", `invalid duration "1d2d"`, 3},
		{"a misspelt kind after the step's name", "name: x\nsteps:\n  - name: buy\n    stirpe: POST /v1/customers\n", `unknown step kind "stirpe"; allowed: app, clock, customer, expect, fault, fixture, stripe, webhooks; did you mean "stripe"?`, 3},
		{"a step with a name only", "name: x\nsteps:\n  - name: buy\n", `a step needs one of: app, clock, customer, expect, fault, fixture, stripe, webhooks`, 3},
		{"two endpoints on one path", "name: x\nwebhooks:\n  - path: /wh\n  - path: /wh\nsteps:\n  - webhooks: deliver\n", `"/wh" is webhooks[0]'s path too; give each endpoint its own path`, 4},
		{"two accounts of one name", "name: x\naccounts:\n  org: {email: a@b.c}\n  org: {email: b@b.c}\nsteps:\n  - webhooks: deliver\n", `account "org" appears twice`, 4},
		{"webhooks without an endpoint", "name: x\nsteps:\n  - webhooks: redeliver\n    event: customer.created\n", `a webhooks step needs a webhooks entry (the path on your app that receives Stripe events)`, 3},
		{"a delivery expectation without an endpoint", "name: x\nsteps:\n  - expect:\n      webhooks: {contains: [customer.created]}\n", `a webhooks expectation needs a webhooks entry (the path on your app that receives Stripe events)`, 4},
		{"requests of a lowercase method", "name: x\nsteps:\n  - expect:\n      requests: {method: post, path: /v1/refunds}\n", `want one of DELETE, GET, POST (or none: any), got "post"`, 4},
		{"requests of a path no request has", "name: x\nsteps:\n  - expect:\n      requests: {method: POST, path: v1/refunds}\n", `want a path starting with /v1/ or /v2/ (* matches one segment), got "v1/refunds"`, 4},
		{"requests counted and none", "name: x\nsteps:\n  - expect:\n      requests: {path: /v1/refunds, count: 1, none: true}\n", `give requests one of count, at_least or none`, 4},
		{"a negative request count", "name: x\nsteps:\n  - expect:\n      requests: {path: /v1/refunds, count: -1}\n", `want 0 or more, got -1`, 4},
		{"a negative object count", "name: x\nsteps:\n  - expect:\n      count: {object: customer, equals: -1}\n", `want 0 or more, got -1`, 4},
		{"a misspelt error type", "name: x\nsteps:\n  - stripe: POST /v1/customers\n    expect_error: {type: card_eror}\n", `unknown error type "card_eror"; allowed: api_error, card_error, idempotency_error, invalid_request_error; did you mean "card_error"?`, 4},
		{"an error status that is no error", "name: x\nsteps:\n  - stripe: POST /v1/customers\n    expect_error: {status: 200}\n", `want an error status, 400 to 599, got 200`, 4},
		{"an app status that is no HTTP status", "name: x\nsteps:\n  - app: GET /x\n    expect: {status: 2001}\n", `want an HTTP status, 100 to 599, got 2001`, 4},
		{"a fault without a kind", "name: x\nsteps:\n  - fault: {path: /v1/refunds}\n", `a fault needs a kind: delay, drop, drop_answer, hold, lock_timeout, rate_limit, server_error`, 3},
		{"a fault of negative times", "name: x\nsteps:\n  - fault: {path: /v1/refunds, kind: rate_limit, times: -1}\n", `want 0 (every matching request) or more, got -1`, 3},
		{"a delay of nothing", "name: x\nsteps:\n  - fault: {path: /v1/refunds, kind: delay}\n", `a delay needs a duration`, 3},
		{"a duration on a fault that is no delay", "name: x\nsteps:\n  - fault: {path: /v1/refunds, kind: rate_limit, duration: 1s}\n", `only a delay takes a duration`, 3},
		{"a label Ginkgo cannot filter", "name: x\nlabels: [\"a,b\"]\nsteps:\n  - clock: {advance: 1m}\n", `"a,b" cannot be a label: labels cannot contain &, |, !, ",", (, ) or /`, 2},
		{"a line indented short of its step", "name: x\nsteps:\n  - stripe: POST /v1/customers\n    params: {email: a@b.c}\n  - stripe: POST /v1/customers\n   as: c\n  - clock: {advance: 1m}\n",
			"invalid YAML: did not find expected '-' indicator: is this line indented as the lines around it?", 6},
		{"a line indented short of its mapping", "name: x\nsteps:\n  - stripe: POST /v1/customers\n    params:\n      email: a@b.c\n     name: x\n",
			"invalid YAML: did not find expected key: is this line indented as the lines around it?", 6},
		{"an unclosed flow mapping", "name: x\nsteps:\n  - stripe: POST /v1/customers\n    params: {email: a@b.c\n  - clock: {advance: 1m}\n  - clock: {advance: 1m}\n",
			"invalid YAML: ", 4},
		{"a tab for indentation", "name: x\nsteps:\n\t- clock: {advance: 1m}\n", "invalid YAML: found character that cannot start any token: YAML indents with spaces, not tabs", 3},
		{"a misspelt account name", "name: x\naccounts:\n  festival: {email: a@b.c}\nsteps:\n  - expect:\n      count: {object: customer, account: festivle, equals: 0}\n",
			`no account is named "festivle"; the scenario's accounts: festival; did you mean "festival"?`, 6},
		{"an account name without accounts", "name: x\nsteps:\n  - stripe: POST /v1/customers\n    account: festival\n",
			`no account is named "festival": declare it under accounts, or give an acct_ id`, 4},
		{"present as a word", "name: x\nsteps:\n  - expect:\n      state: {object: cus_1, fields: {name: {present: yes}}}\n",
			`want present: true or present: false, got "yes"`, 4},
		{"one_of a single value", "name: x\nsteps:\n  - expect:\n      app: GET /orders/1\n      json: {status: {one_of: paid}}\n",
			`want a list of the values it may be, e.g. one_of: [paid, fulfilled]`, 5},
		{"a ready path without its slash", "name: x\napp:\n  command: ./shop\n  ready: healthz\nsteps:\n  - app: GET /x\n", `want a path on the app starting with /, got "healthz"`, 4},
		{"verifying without the session", "name: x\nsteps:\n  - customer: verify_identity\n    outcome: verified\n", `verify_identity needs the verification_session the user verifies in`, 3},
	}
	for _, tc := range cases {
		_, err := Parse("bad.yaml", []byte(tc.yaml))
		ve, ok := err.(*ValidationError)
		if !ok {
			t.Errorf("%s: want a ValidationError, got %v", tc.name, err)
			continue
		}
		found := false
		for _, p := range ve.Problems {
			if strings.Contains(p.Message, tc.want) {
				found = true
				if p.Line != tc.line {
					t.Errorf("%s: reported on line %d, want %d", tc.name, p.Line, tc.line)
				}
			}
		}
		if !found {
			t.Errorf("%s: no problem mentions %q in:\n%v", tc.name, tc.want, err)
		}
		if !strings.HasPrefix(err.Error(), "bad.yaml:") {
			t.Errorf("%s: error does not start with the file: %v", tc.name, err)
		}
	}
}

func TestEveryProblemIsReported(t *testing.T) {
	_, err := Parse("many.yaml", []byte("name: x\nseed: lots\nsteps:\n  - stirpe: x\n  - clock: {advance: soon}\n"))
	ve := err.(*ValidationError)
	if len(ve.Problems) != 3 {
		t.Fatalf("want 3 problems, got %d:\n%v", len(ve.Problems), err)
	}
}

func TestFixture(t *testing.T) {
	f, err := ParseFixture("f.json", []byte(`{"_meta": {"template_version": 0}, "fixtures": [
		{"name": "cus", "path": "/v1/customers", "method": "post", "params": {"email": "a@b.c"}},
		{"name": "pi", "path": "/v1/payment_intents", "method": "post", "params": {"customer": "${cus:id}", "amount": 100, "currency": "usd"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Requests) != 2 || f.Requests[0].Method != "POST" {
		t.Errorf("%+v", f)
	}
	if _, err := ParseFixture("f.json", []byte(`{"fixtures": [{"name": "pi", "path": "/v1/payment_intents", "params": {"customer": "${cus:id}"}}]}`)); err == nil {
		t.Error("a dangling reference was accepted")
	}
	// Every field of stripe-cli's format is read; environment queries and
	// defaults name no fixture; v2 paths are Stripe's too.
	if _, err := ParseFixture("f.json", []byte(`{"_meta": {"template_version": 0, "exclude_metadata": false, "aliases": ["x.y"]},
		"env": {"ID": "${session:id}"},
		"fixtures": [{"name": "session", "path": "/v2/billing/meter_event_session", "method": "post", "headers": {"Stripe-Version": "${.env:VERSION|2025-08-27.preview}"},
			"idempotency_key": "${generate-uuid}", "expected_error_type": "invalid_request_error", "api_base": "https://meter-events.stripe.com", "context": ""}]}`)); err != nil {
		t.Errorf("stripe-cli's format refused: %v", err)
	}
	for name, c := range map[string]struct{ fixture, want string }{
		"a newer template":        {`{"_meta": {"template_version": 1}, "fixtures": [{"path": "/v1/customers"}]}`, "template_version 1: stripe-cli fixtures are version 0"},
		"a misspelt field":        {`{"fixtures": [{"path": "/v1/customers", "paramz": {}}]}`, `unknown field "paramz"`},
		"a dangling header query": {`{"fixtures": [{"path": "/v1/customers", "headers": {"Stripe-Account": "${acct:id}"}}]}`, `no earlier fixture is named "acct"`},
		"a path outside the API":  {`{"fixtures": [{"path": "/v3/customers"}]}`, "Stripe paths start with /v1/ or /v2/"},
	} {
		if _, err := ParseFixture("f.json", []byte(c.fixture)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: want an error containing %q, got %v", name, c.want, err)
		}
	}
}

// The scenario library beside this package must always load.
func TestLibraryScenariosLoad(t *testing.T) {
	if _, err := LoadDir("."); err != nil {
		t.Fatal(err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(valid)
	f.Add("name: x\nsteps:\n  - stirpe: x\n")
	f.Add("name: [\n")
	f.Add("steps:\n  - expect: {state: {object: x, fields: {a.b: {not: 1}}}}\n")
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := Parse("fuzz.yaml", []byte(s))
		if err == nil && (sc == nil || len(sc.Steps) == 0) {
			t.Fatal("accepted a scenario without steps")
		}
	})
}

// app.dir is relative to the scenario file, so a command runs in the same
// place from `stripe-emu test` and from a Ginkgo suite in another package.
func TestAppDirIsRelativeToTheScenarioFile(t *testing.T) {
	s, err := Parse("shop/scenarios/a.yaml", []byte("name: x\napp:\n  command: go run ./cmd/shop\n  dir: ..\nsteps:\n  - app: GET /\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.App.Dir != "shop" {
		t.Fatalf("app.dir %q, want shop", s.App.Dir)
	}
	_, err = Parse("a.yaml", []byte("name: x\napp:\n  handler: shop\n  dir: ..\nsteps:\n  - app: GET /\n"))
	if err == nil || !strings.Contains(err.Error(), "a.yaml:4:8: app.dir: a dir is for a command") {
		t.Fatalf("error %v", err)
	}
}

// An action written as a mapping is one mistake, reported once.
func TestActionAsMappingIsOneProblem(t *testing.T) {
	for _, y := range []string{"  - webhooks: {redeliver: invoice.paid}\n", "  - customer: {complete_checkout: cs_1}\n", "  - webhooks: {resend: x}\n"} {
		_, err := Parse("bad.yaml", []byte("name: x\nsteps:\n"+y))
		ve, ok := err.(*ValidationError)
		if !ok || len(ve.Problems) != 1 {
			t.Errorf("%s: want one problem, got %v", y, err)
		}
	}
}

// A directory with no scenario (a path mistyped from a test package) is
// an error, not a suite that passes having run nothing.
func TestLoadDirWithoutScenariosFails(t *testing.T) {
	// A relative path is read from where the tests run (go test: the
	// suite's package directory), which the message says.
	wd, _ := os.Getwd()
	if _, err := LoadDir("no-such-dir"); err == nil || !strings.Contains(err.Error(), "no scenario directory no-such-dir (a relative path is read from "+wd+", where this runs)") {
		t.Fatalf("a missing directory: %v", err)
	}
	empty := t.TempDir()
	if _, err := LoadDir(empty); err == nil || !strings.Contains(err.Error(), "no scenario files (*.yaml, *.yml) in "+empty) {
		t.Fatalf("an empty directory: %v", err)
	}
}

// A misspelt name is answered with the one it was surely meant to be.
func TestMisspeltNamesSuggestTheirFix(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"  - costumer: complete_checkout\n", `unknown step kind "costumer"; allowed: app, clock, customer, expect, fault, fixture, stripe, webhooks; did you mean "customer"?`},
		{"  - customer: complete_checkout\n    sesion: cs_1\n", `unknown key "sesion"; allowed: account, as, customer, invoice, name, outcome, payment_intent, payment_method, session, verification_session; did you mean "session"?`},
		{"  - customer: complete_chekout\n", `; did you mean "complete_checkout"?`},
		{"  - webhooks: releas\n", `unknown webhooks action "releas"; allowed: deliver, hold, policy, redeliver, release; did you mean "release"?`},
		{"  - expect:\n      evnts: {equals: []}\n", `; did you mean "events"?`},
		{"  - fault: {kind: rate_limt}\n", `; did you mean "rate_limit"?`},
		{"  - expect:\n      events: {contains: [checkout.session.complete]}\n", `"checkout.session.complete" is not an event type of 2025-08-27.basil, nor a group of them (customer.*) or *; did you mean "checkout.session.completed"?`},
	} {
		_, err := Parse("bad.yaml", []byte("name: x\nsteps:\n"+c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: want %q in:\n%v", c.yaml, c.want, err)
		}
	}
}

func TestEveryFaultKindOfTheControlSurfaceIsAStep(t *testing.T) {
	for _, kind := range []string{"server_error", "rate_limit", "lock_timeout", "drop", "drop_answer", "hold"} {
		s, err := Parse("f.yaml", []byte("name: x\nsteps:\n  - fault: {method: POST, path: /v1/refunds, kind: "+kind+", times: 1}\n"))
		if err != nil {
			t.Errorf("%s: %v", kind, err)
			continue
		}
		if s.Steps[0].Fault.Kind != kind {
			t.Errorf("%s: parsed %+v", kind, s.Steps[0].Fault)
		}
	}
	if _, err := Parse("f.yaml", []byte("name: x\nsteps:\n  - fault: {path: /v1/refunds, kind: delay, duration: 2s}\n")); err != nil {
		t.Errorf("delay: %v", err)
	}
}

// A fixture step's file is read when the scenario loads, so validate
// reports a missing or broken one, not the run that reaches the step.
func TestFixtureFilesAreCheckedWhenTheScenarioLoads(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("ok.json", `{"fixtures": [{"name": "c", "path": "/v1/customers", "method": "post"}]}`)
	write("broken.json", `{"fixtures": [{"path": "/v1/customers", "paramz": {}}]}`)
	if _, err := Load(write("ok.yaml", "name: ok\nsteps:\n  - fixture: ok.json\n")); err != nil {
		t.Fatalf("a fixture beside its scenario: %v", err)
	}
	_, err := Load(write("missing.yaml", "name: missing\nsteps:\n  - clock: {advance: 1m}\n  - fixture: fixtures/nope.json\n"))
	want := filepath.Join(dir, "missing.yaml") + ":4: steps[1].fixture: no fixture file " + filepath.Join(dir, "fixtures/nope.json") + " (a fixture's path is relative to the scenario file)"
	if err == nil || err.Error() != want {
		t.Errorf("a missing fixture:\n got %v\nwant %s", err, want)
	}
	_, err = Load(write("broken.yaml", "name: broken\nsteps:\n  - fixture: broken.json\n"))
	if err == nil || !strings.Contains(err.Error(), "broken.yaml:3: steps[0].fixture: ") || !strings.Contains(err.Error(), `unknown field "paramz"`) {
		t.Errorf("a broken fixture: %v", err)
	}
}

// Two files of one scenario name would be two specs, two JUnit cases and
// one --focus match that no report tells apart.
func TestTwoScenariosOfOneNameAreRefused(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.yaml", "b.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("# a copy\nname: Refunds\nsteps:\n  - clock: {advance: 1m}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := LoadDir(dir)
	want := filepath.Join(dir, "b.yaml") + `:2:7: name: "Refunds" is the name of ` + filepath.Join(dir, "a.yaml") + " too; give each scenario its own name"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

// YAML's anchors and aliases repeat a step or a mapping as written.
func TestAnAliasRepeatsWhatItsAnchorNames(t *testing.T) {
	s, err := Parse("a.yaml", []byte("name: x\nsteps:\n  - &signup\n    stripe: POST /v1/customers\n    params: &who {email: a@b.c}\n  - *signup\n  - stripe: POST /v1/customers\n    params: *who\n  - expect:\n      state: &paid {object: cus_1, fields: {email: a@b.c}}\n  - expect:\n      state: *paid\n  - expect: &none\n      events: {types: &types [customer.deleted], equals: []}\n  - expect: *none\n  - expect:\n      events: {types: *types, equals: []}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Steps) != 8 || s.Steps[6].Check.Events == nil || len(s.Steps[7].Check.Events.Types) != 1 || s.Steps[1].Path != "/v1/customers" || s.Steps[1].Line != 6 || s.Steps[2].Params["email"] != "a@b.c" || s.Steps[4].Check.State.Object != "cus_1" {
		t.Fatalf("parsed %+v", s.Steps)
	}
}

// A value of the wrong type is one problem, not that and its range too.
func TestAWrongTypeIsOneProblem(t *testing.T) {
	for _, yaml := range []string{
		"name: x\nsteps:\n  - app: GET /x\n    expect: {status: abc}\n",
		"name: x\nsteps:\n  - stripe: POST /v1/customers\n    expect_error: {status: abc}\n",
		"name: x\nsteps:\n  - expect:\n      count: {object: customer, equals: many}\n",
	} {
		_, err := Parse("t.yaml", []byte(yaml))
		ve, ok := err.(*ValidationError)
		if !ok || len(ve.Problems) != 1 || !strings.Contains(ve.Problems[0].Message, "want a whole number") {
			t.Errorf("%q: %v", yaml, err)
		}
	}
}

func TestAnUnclosedQuoteIsPointedAt(t *testing.T) {
	_, err := Parse("q.yaml", []byte("name: x\nsteps:\n  - expect:\n      app: GET /x\n      json: {a: \"unterminated}\n  - clock: {advance: 1m}\n"))
	if err == nil || err.Error() != "q.yaml:5: invalid YAML: found unexpected end of stream: is a quote or bracket opened on this line left open?" {
		t.Fatalf("got %v", err)
	}
}

// A step moving a test clock says so: the emulator's clock stays.
func TestATestClockStepIsDescribedAsOne(t *testing.T) {
	s, err := Parse("c.yaml", []byte("name: x\nsteps:\n  - stripe: POST /v1/test_helpers/test_clocks\n    params: {frozen_time: 1}\n    as: tc\n  - clock: {advance: 1d, test_clock: \"${tc.id}\"}\n  - clock: {advance: 1h}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := Describe(s.Steps[1]); got != "test clock ${tc.id} advances 24h0m0s" {
		t.Errorf("test clock step: %q", got)
	}
	if got := Describe(s.Steps[2]); got != "clock advances 1h0m0s" {
		t.Errorf("clock step: %q", got)
	}
}

// Scenarios kept in subdirectories (scenarios/billing/…) run with the
// rest, instead of being left out of a run that then passes without them.
func TestLoadDirReadsSubdirectories(t *testing.T) {
	dir := t.TempDir()
	for f, name := range map[string]string{"a.yaml": "top", "billing/b.yml": "billing", "billing/eu/c.yaml": "eu", ".git/d.yaml": "hidden", "testdata/e.yaml": "data"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("name: "+name+"\nsteps:\n  - clock: {advance: 1m}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	all, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range all {
		names = append(names, s.Name)
	}
	if strings.Join(names, ",") != "top,billing,eu" {
		t.Fatalf("loaded %v, want top, billing, eu (hidden and testdata directories left out)", names)
	}
}

// A scenario's labels are what Ginkgo makes of them, so `stripe-emu test
// --label-filter` selects what the same filter selects among the Ginkgo
// specs: Ginkgo trims a label's spaces, and refuses one that starts with a
// colon or ends with one (a label set's key without its value), which would
// fail the whole suite.
func TestLabelsAreWhatGinkgoMakesOfThem(t *testing.T) {
	s, err := Parse("ok.yaml", []byte("name: x\nlabels: [\" checkout \", \"team:billing\"]\nsteps:\n  - clock: {advance: 1m}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"checkout", "team:billing"}; !slices.Equal(s.Labels, want) {
		t.Errorf("labels %q, want %q", s.Labels, want)
	}
	for _, l := range []string{":slow", "team:", " team: "} {
		_, err := Parse("bad.yaml", []byte("name: x\nlabels: [\""+l+"\"]\nsteps:\n  - clock: {advance: 1m}\n"))
		if err == nil || !strings.Contains(err.Error(), "bad.yaml:2:") || !strings.Contains(err.Error(), "cannot be a label") || !strings.Contains(err.Error(), "colon") {
			t.Errorf("label %q: want a problem on line 2 naming the colon, got %v", l, err)
		}
	}
}
