// Package appkit is what the example apps share: a stripe-go client from
// the environment the harness gives, JSON answers, signed webhooks.
package appkit

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/stripe-emu/stripe-emu/harness"
)

// Client is a stripe-go client for the Stripe the app was pointed at.
func Client(env harness.AppEnv) *stripe.Client {
	return stripe.NewClient(env.SecretKey, stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{
		URL: stripe.String(env.StripeAPIBase), LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	})))
}

// JSON writes v with a status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Fail answers an error, with Stripe's message when there is one.
func Fail(w http.ResponseWriter, err error) {
	JSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
}

// Event verifies a webhook delivery the way apps should.
func Event(w http.ResponseWriter, r *http.Request, secret string) (stripe.Event, bool) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return stripe.Event{}, false
	}
	ev, err := webhook.ConstructEvent(body, r.Header.Get("Stripe-Signature"), secret)
	if err != nil {
		http.Error(w, "bad signature: "+err.Error(), http.StatusBadRequest)
		return stripe.Event{}, false
	}
	return ev, true
}

// FromEnv reads the harness's environment (for apps run as commands).
func FromEnv() harness.AppEnv {
	return harness.AppEnv{StripeAPIBase: os.Getenv("STRIPE_API_BASE"), SecretKey: os.Getenv("STRIPE_SECRET_KEY"), WebhookSecret: os.Getenv("STRIPE_WEBHOOK_SECRET")}
}

// Serve runs an app on $PORT (for apps run as commands).
func Serve(h http.Handler) {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe("127.0.0.1:"+port, h))
}
