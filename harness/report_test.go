package harness

import (
	"errors"
	"strings"
	"testing"

	"github.com/stripe-emu/stripe-emu/emulator"
)

// A delivery the app answers 404 points at the webhooks entry's path, one
// refused for its signature at the secret the app reads.
func TestFailureReportHintsAtWebhookMistakes(t *testing.T) {
	e := &StepError{Scenario: "s", File: "s.yaml", Line: 9, Step: "expect", Err: errors.New("want paid"), Seed: 3,
		Endpoints: []EndpointState{{Path: "/webhooks/stripe", ID: "we_1"}, {Path: "/webhook", ID: "we_2"}},
		Attempts: []emulator.WebhookAttempt{
			{EndpointID: "we_2", EventType: "checkout.session.completed", Status: 404, ResponseBody: "404 page not found"},
			{EndpointID: "we_1", EventType: "checkout.session.completed", Status: 400, ResponseBody: "webhook had no valid signature"},
		}}
	got := e.Error()
	for _, want := range []string{
		"/webhook answered 404 to a delivery: is webhooks[1].path in s.yaml the path your app receives Stripe events on?",
		"/webhooks/stripe refused a delivery's signature: does your app verify with the secret in $STRIPE_WEBHOOK_SECRET?",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	e.Attempts = e.Attempts[:0]
	if strings.Contains(e.Error(), "hint") {
		t.Errorf("a hint without deliveries:\n%s", e.Error())
	}
}
