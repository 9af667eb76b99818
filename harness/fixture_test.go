package harness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFixture saves a stripe-cli fixture file for a scenario to run.
func writeFixture(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fixture.json")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A fixture in stripe-cli's format runs as stripe-cli runs it: answers
// read with gjson paths, a failure it expects passed over, the keys and
// headers it sets sent, v2 bodies as JSON, the queries stripe-cli knows.
func TestFixturesRunAsStripeCLIRunsThem(t *testing.T) {
	t.Setenv("FIXTURE_TEST_PLAN", "")
	fx := writeFixture(t, `{
  "_meta": {"template_version": 0, "exclude_metadata": true, "aliases": ["invoice.payment_succeeded"]},
  "fixtures": [
    {"name": "customer", "path": "/v1/customers", "method": "post",
     "params": {"description": "${.env:FIXTURE_TEST_PLAN|a test customer}", "preferred_locales": ["fr", "en"], "phone": null}},
    {"name": "payment_method", "path": "/v1/payment_methods/pm_card_visa/attach", "method": "post",
     "params": {"customer": "${customer:id}"}},
    {"name": "declined", "path": "/v1/payment_intents", "method": "post", "expected_error_type": "card_error",
     "params": {"amount": 2000, "currency": "usd", "confirm": "true", "payment_method": "pm_card_chargeDeclined", "payment_method_types": ["card"]}},
    {"name": "declined_intent", "path": "/v1/payment_intents/${declined:error.payment_intent.id}", "method": "get"},
    {"name": "item", "path": "/v1/invoiceitems", "method": "post",
     "params": {"customer": "${customer:id}", "amount": 2000, "currency": "usd"}},
    {"name": "invoice", "path": "/v1/invoices", "method": "post", "idempotency_key": "invoice-for-${customer:id}",
     "params": {"customer": "${customer:id}", "pending_invoice_items_behavior": "include"}},
    {"name": "same_invoice", "path": "/v1/invoices", "method": "post", "idempotency_key": "invoice-for-${customer:id}",
     "params": {"customer": "${customer:id}", "pending_invoice_items_behavior": "include"}},
    {"name": "invoice_pay", "path": "/v1/invoices/${invoice:id}/pay", "method": "post",
     "params": {"payment_method": "${payment_method:id}"}},
    {"name": "meter", "path": "/v1/billing/meters", "method": "post",
     "params": {"display_name": "API calls", "event_name": "api_call", "default_aggregation": {"formula": "sum"}, "customer_mapping": {"event_payload_key": "stripe_customer_id", "type": "by_id"}}},
    {"name": "session", "path": "/v2/billing/meter_event_session", "method": "post", "headers": {"Stripe-Version": "2025-08-27.preview"}, "params": {}},
    {"name": "stream", "path": "/v2/billing/meter_event_stream", "method": "post", "api_base": "https://meter-events.stripe.com",
     "headers": {"Authorization": "Bearer ${session:authentication_token}", "Stripe-Version": "2025-08-27.preview"},
     "params": {"events": [{"event_name": "api_call", "identifier": "${generate-uuid}", "timestamp": "${time-now-RFC3339}", "payload": {"stripe_customer_id": "${customer:id}", "value": "25"}}]}}
  ],
  "env": {"CUSTOMER_ID": "${customer:id}"}
}`)
	err := runScenario(t, `name: a stripe-cli fixture
steps:
  - fixture: `+fx+`
    as: fx
  - expect:
      stripe: GET /v1/customers/${fx.customer.id}
      fields: {description: a test customer, preferred_locales: [fr, en], phone: {present: true}}
  - expect:
      stripe: GET /v1/payment_intents/${fx.declined_intent.id}
      fields: {status: requires_payment_method, last_payment_error.code: card_declined}
  - expect:
      stripe: GET /v1/invoices/${fx.same_invoice.id}
      fields: {id: "${fx.invoice.id}", status: paid, amount_paid: 2000}
  - expect:
      stripe: GET /v1/invoices
      params: {customer: "${fx.customer.id}"}
      fields: {data.1: {present: false}}
  - expect:
      events: {contains: [invoice.paid, payment_intent.payment_failed]}
`)
	if err != nil {
		t.Fatal(err)
	}
}

// What stripe-cli would leave unanswered, or a failure it does not
// expect, fails the step and says why.
func TestFixtureFailuresNameTheirCause(t *testing.T) {
	for name, c := range map[string]struct{ fixture, want string }{
		"an unexpected error": {`{"fixtures": [{"name": "pi", "path": "/v1/payment_intents", "method": "post",
			"params": {"amount": 2000, "currency": "usd", "confirm": true, "payment_method": "pm_card_chargeDeclined", "payment_method_types": ["card"]}}]}`,
			"fixture pi (POST /v1/payment_intents) answered 402: Your card was declined."},
		"an error of another type than expected": {`{"fixtures": [{"name": "pi", "path": "/v1/payment_intents", "method": "post", "expected_error_type": "invalid_request_error",
			"params": {"amount": 2000, "currency": "usd", "confirm": true, "payment_method": "pm_card_chargeDeclined", "payment_method_types": ["card"]}}]}`,
			"answered 402"},
		"a query with nothing to read": {`{"fixtures": [{"name": "customer", "path": "/v1/customers", "method": "post"},
			{"name": "again", "path": "/v1/customers/${customer:shipping.name}", "method": "get"}]}`,
			"${customer:shipping.name} has no value: the answer of customer has nothing at shipping.name"},
	} {
		err := runScenario(t, "name: failing fixture\nsteps:\n  - fixture: "+writeFixture(t, c.fixture)+"\n")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: want an error containing %q, got %v", name, c.want, err)
		}
	}
}
