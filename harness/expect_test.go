package harness

import (
	"strings"
	"testing"

	"github.com/stripe-emu/stripe-emu/scenarios"
)

func TestEventTypeMatches(t *testing.T) {
	for _, c := range []struct {
		patterns []string
		typ      string
		want     bool
	}{
		{nil, "invoice.paid", true},
		{[]string{"*"}, "invoice.paid", true},
		{[]string{"invoice.paid"}, "invoice.paid", true},
		{[]string{"invoice.*"}, "invoice.payment_succeeded", true},
		{[]string{"invoice.*"}, "invoiceitem.created", false},
		{[]string{"quote.*", "invoice.paid"}, "invoice.created", false},
		{[]string{"checkout.session.*"}, "checkout.session.async_payment_failed", true},
	} {
		if got := scenarios.EventTypeMatches(c.patterns, c.typ); got != c.want {
			t.Errorf("EventTypeMatches(%v, %q) = %v, want %v", c.patterns, c.typ, got, c.want)
		}
	}
}

// runScenario parses a scenario of Stripe calls and expectations and runs it
// without an app.
func runScenario(t *testing.T, yaml string) error {
	t.Helper()
	s, err := scenarios.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return Execute(s, nil, Options{})
}

func TestEventAndStripeExpectations(t *testing.T) {
	base := `name: events and reads
steps:
  - stripe: POST /v1/customers
    params: {email: a@example.com}
    as: customer
  - stripe: POST /v1/customers/${customer.id}/balance_transactions
    params: {amount: -500, currency: usd}
  - stripe: POST /v1/customers/${customer.id}
    params: {name: Ada}
`
	pass := map[string]string{
		"the exact events of some types, in order": `
  - expect: {events: {types: ["customer.*"], equals: [customer.created, customer.updated, customer.updated]}}`,
		"no event of a type": `
  - expect: {events: {types: ["invoice.*"], equals: []}}`,
		"contains and not_contains": `
  - expect: {events: {contains: [customer.created], not_contains: [customer.deleted]}}`,
		"a Stripe read, field by field": `
  - expect:
      stripe: GET /v1/customers/${customer.id}/balance_transactions
      fields: {data.0.amount: -500, data.0.customer: "${customer.id}", data.1: {present: false}, has_more: false}`,
		"a Stripe read with params": `
  - expect:
      stripe: GET /v1/customers
      params: {email: a@example.com}
      fields: {data.0.name: Ada, data.0.balance: -500}`,
	}
	for name, tail := range pass {
		if err := runScenario(t, base+tail); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	fail := map[string]struct{ tail, want string }{
		"events out of order": {`
  - expect: {events: {types: ["customer.*"], equals: [customer.updated, customer.created, customer.updated]}}`,
			"events in the platform account of types customer.*: [customer.created customer.updated customer.updated], want [customer.updated customer.created customer.updated]"},
		"an event where none is expected": {`
  - expect: {events: {types: ["customer.created"], equals: []}}`, "[customer.created], want []"},
		"a missing event": {`
  - expect: {events: {contains: [customer.deleted]}}`, "no customer.deleted event"},
		"an unwanted event": {`
  - expect: {events: {not_contains: [customer.updated]}}`, "a customer.updated event is in the platform account"},
		"a wrong field": {`
  - expect:
      stripe: GET /v1/customers/${customer.id}/balance_transactions
      fields: {data.0.amount: -400}`, "GET /v1/customers/${customer.id}/balance_transactions data.0.amount: want -400, got -500"},
		"a read Stripe refuses": {`
  - expect:
      stripe: GET /v1/customers/cus_nope
      fields: {id: cus_nope}`, "Stripe answered 404"},
	}
	for name, c := range fail {
		err := runScenario(t, base+c.tail)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: want an error containing %q, got %v", name, c.want, err)
		}
	}
}

// What the harness does itself (making the scenario's accounts, playing
// the customer, advancing test clocks) is not the app's doing, so request
// expectations must not count it.
func TestHarnessCallsAreNotTheApps(t *testing.T) {
	err := runScenario(t, `name: harness calls
accounts:
  coach: {email: coach@example.com}
steps:
  - customer: complete_onboarding
    account: "${coach}"
  - stripe: POST /v1/checkout/sessions
    params:
      mode: payment
      success_url: https://example.com/ok
      line_items: [{price_data: {currency: usd, unit_amount: 500, product_data: {name: Mug}}, quantity: 1}]
    as: session
  - customer: complete_checkout
    session: "${session.id}"
  - stripe: POST /v1/payment_intents
    params: {amount: 1000, currency: usd, payment_method: pm_card_threeDSecure2Required, confirm: true, return_url: https://example.com/back}
    as: pi
  - customer: authenticate
    payment_intent: "${pi.id}"
  - stripe: POST /v1/test_helpers/test_clocks
    params: {frozen_time: 1767225600}
    as: test_clock
  - clock: {advance: 1d, test_clock: "${test_clock.id}"}
  - expect:
      requests: {method: POST, path: /v1/accounts, none: true}
  - expect:
      requests: {method: POST, path: "/v1/test_helpers/accounts/${coach}/complete_onboarding", none: true}
  - expect:
      requests: {method: POST, path: "/v1/test_helpers/checkout/sessions/${session.id}/complete", none: true}
  - expect:
      requests: {method: POST, path: "/v1/test_helpers/payment_intents/${pi.id}/authenticate", none: true}
  - expect:
      requests: {method: POST, path: "/v1/test_helpers/test_clocks/${test_clock.id}/advance", none: true}
`)
	if err != nil {
		t.Fatal(err)
	}
}

// An acct_ id the emulator never made is a mistake in the scenario, told as
// one: checked there, an account with nothing in it would pass any
// expectation of absence.
func TestExpectationsOnAnAccountTheEmulatorNeverMade(t *testing.T) {
	base := `name: an account id nobody made
steps:
  - stripe: POST /v1/customers
    as: customer
`
	for name, tail := range map[string]string{
		"count":  `  - expect: {count: {object: customer, equals: 0, account: acct_1NotMadeHere}}`,
		"events": `  - expect: {events: {account: acct_1NotMadeHere, equals: []}}`,
		"state":  `  - expect: {state: {object: "${customer.id}", account: acct_1NotMadeHere, fields: {email: null}}}`,
	} {
		err := runScenario(t, base+tail+"\n")
		if err == nil || !strings.Contains(err.Error(), `no account "acct_1NotMadeHere"`) {
			t.Errorf("%s: %v; want an error naming the account", name, err)
		}
	}
}
