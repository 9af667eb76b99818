// Package coworking is an example app billing usage on top of a plan: a
// member's monthly subscription, plus each desk booked beyond the plan,
// billed on the renewal it falls in. Stripe finalizes a renewal's draft an
// hour after its invoice.created webhook was delivered, so the app adds
// the period's overage to that draft from its handler. The buggy variant
// creates the overage as a pending invoice item, which Stripe puts on the
// customer's next invoice: billed a month late.
package coworking

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/harness"
	"github.com/stripe-emu/stripe-emu/specs/apps/appkit"
)

// deskPrice is what a desk booked beyond the plan costs, in cents.
const deskPrice = 100

type member struct {
	ID           string `json:"id"`
	Customer     string `json:"customer"`
	Subscription string `json:"subscription"`
	Unbilled     int64  `json:"unbilled_desks"`
	Billed       int64  `json:"billed_desks"`
}

// New returns the app; fixed picks the correct variant.
func New(env harness.AppEnv, fixed bool) http.Handler {
	sc := appkit.Client(env)
	var mu sync.Mutex
	members := map[string]*member{}
	byCustomer := map[string]*member{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { appkit.JSON(w, 200, map[string]bool{"ok": true}) })
	mux.HandleFunc("POST /members", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Email string `json:"email"`
			Price string `json:"price"`
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		cus, err := sc.V1Customers.Create(r.Context(), &stripe.CustomerCreateParams{Email: stripe.String(in.Email),
			PaymentMethod: stripe.String("pm_card_visa")})
		if err != nil {
			appkit.Fail(w, err)
			return
		}
		var card string
		for pm, err := range sc.V1PaymentMethods.List(r.Context(), &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID)}) {
			if err != nil {
				appkit.Fail(w, err)
				return
			}
			card = pm.ID
		}
		sub, err := sc.V1Subscriptions.Create(r.Context(), &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:                []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(in.Price)}},
			DefaultPaymentMethod: stripe.String(card)})
		if err != nil {
			appkit.Fail(w, err)
			return
		}
		m := &member{ID: "mem_" + cus.ID, Customer: cus.ID, Subscription: sub.ID}
		mu.Lock()
		members[m.ID], byCustomer[cus.ID] = m, m
		mu.Unlock()
		appkit.JSON(w, 201, m)
	})
	// withMember runs fn on the member in the path, under the lock, or
	// answers 404.
	withMember := func(fn func(w http.ResponseWriter, r *http.Request, m *member)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			m, ok := members[r.PathValue("id")]
			if !ok {
				appkit.JSON(w, 404, map[string]string{"error": "no such member"})
				return
			}
			fn(w, r, m)
		}
	}
	mux.HandleFunc("POST /members/{id}/bookings", withMember(func(w http.ResponseWriter, r *http.Request, m *member) {
		var in struct {
			Desks int64 `json:"desks"`
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		m.Unbilled += in.Desks
		appkit.JSON(w, 201, m)
	}))
	mux.HandleFunc("GET /members/{id}", withMember(func(w http.ResponseWriter, _ *http.Request, m *member) {
		appkit.JSON(w, 200, m)
	}))
	mux.HandleFunc("POST /webhooks/stripe", func(w http.ResponseWriter, r *http.Request) {
		ev, ok := appkit.Event(w, r, env.WebhookSecret)
		if !ok || ev.Type != "invoice.created" || ev.Data.Object["billing_reason"] != "subscription_cycle" {
			return
		}
		cusID, _ := ev.Data.Object["customer"].(string)
		mu.Lock()
		defer mu.Unlock()
		m, found := byCustomer[cusID]
		if !found || m.Unbilled == 0 {
			return
		}
		p := &stripe.InvoiceItemCreateParams{Customer: stripe.String(cusID), Currency: stripe.String("usd"),
			Amount: stripe.Int64(m.Unbilled * deskPrice), Description: stripe.String(strconv.FormatInt(m.Unbilled, 10) + " desks beyond the plan")}
		if fixed {
			// On the draft itself: billed with this renewal.
			p.Invoice = stripe.String(ev.Data.Object["id"].(string))
		}
		if _, err := sc.V1InvoiceItems.Create(r.Context(), p); err != nil {
			// Not acknowledged: Stripe retries, and the draft waits.
			appkit.Fail(w, err)
			return
		}
		m.Billed += m.Unbilled
		m.Unbilled = 0
	})
	return mux
}
