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
		if got := eventTypeMatches(c.patterns, c.typ); got != c.want {
			t.Errorf("eventTypeMatches(%v, %q) = %v, want %v", c.patterns, c.typ, got, c.want)
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
