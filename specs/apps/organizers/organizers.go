// Package organizers is an example app for story 2: an event platform
// whose organizers each have a connected account; attendees become Stripe
// customers there and pay. The buggy variant upserts customers by email
// only, so an attendee of two organizers gets the first organizer's
// customer on the second account; the fixed one keys by account and email.
//
// Organizers onboard through an account link; the platform learns that an
// organizer can take payments only from account.updated on its Connect
// webhook endpoint, as Stripe recommends (the return URL proves nothing).
package organizers

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/harness"
	"github.com/stripe-emu/stripe-emu/specs/apps/appkit"
)

// New returns the app; fixed picks the correct variant.
func New(env harness.AppEnv, fixed bool) http.Handler {
	sc := appkit.Client(env)
	var mu sync.Mutex
	customers := map[string]string{} // key → cus_
	mux := http.NewServeMux()
	ready := map[string]bool{} // connected account → charges_enabled, from webhooks
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { appkit.JSON(w, 200, map[string]bool{"ok": true}) })
	mux.HandleFunc("POST /organizers/{account}/onboarding", func(w http.ResponseWriter, r *http.Request) {
		link, err := sc.V1AccountLinks.Create(r.Context(), &stripe.AccountLinkCreateParams{
			Account: stripe.String(r.PathValue("account")), Type: stripe.String("account_onboarding"),
			RefreshURL: stripe.String("https://organizers.example/onboarding/retry"), ReturnURL: stripe.String("https://organizers.example/onboarding/done"),
		})
		if err != nil {
			appkit.Fail(w, err)
			return
		}
		appkit.JSON(w, 201, map[string]string{"url": link.URL})
	})
	mux.HandleFunc("GET /organizers/{account}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		appkit.JSON(w, 200, map[string]bool{"charges_enabled": ready[r.PathValue("account")]})
	})
	mux.HandleFunc("POST /webhooks/stripe", func(w http.ResponseWriter, r *http.Request) {
		ev, ok := appkit.Event(w, r, env.WebhookSecret)
		if !ok {
			return
		}
		if ev.Type == "account.updated" {
			var acct stripe.Account
			if err := json.Unmarshal(ev.Data.Raw, &acct); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			mu.Lock()
			ready[ev.Account] = acct.ChargesEnabled
			mu.Unlock()
		}
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("POST /organizers/{account}/tickets", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Email string `json:"email"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			appkit.JSON(w, 400, map[string]string{"error": err.Error()})
			return
		}
		acct := r.PathValue("account")
		key := in.Email // the bug: one customer per email across accounts
		if fixed {
			key = acct + "/" + in.Email
		}
		mu.Lock()
		cus, ok := customers[key]
		mu.Unlock()
		if !ok {
			p := &stripe.CustomerCreateParams{Email: stripe.String(in.Email)}
			p.SetStripeAccount(acct)
			c, err := sc.V1Customers.Create(r.Context(), p)
			if err != nil {
				appkit.Fail(w, err)
				return
			}
			cus = c.ID
			mu.Lock()
			customers[key] = cus
			mu.Unlock()
		}
		pp := &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"), Amount: stripe.Int64(2500), Currency: stripe.String("usd"), Customer: stripe.String(cus),
			PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)}
		pp.SetStripeAccount(acct)
		pi, err := sc.V1PaymentIntents.Create(r.Context(), pp)
		if err != nil {
			appkit.Fail(w, err)
			return
		}
		appkit.JSON(w, 201, map[string]string{"customer": cus, "payment_intent": pi.ID, "status": string(pi.Status)})
	})
	return mux
}
