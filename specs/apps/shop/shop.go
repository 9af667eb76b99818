// Package shop is an example app for story 4: it sells tickets through
// Checkout and fulfils orders from webhooks. The buggy variant fulfils on
// checkout.session.completed whatever its payment_status, and fulfils
// again when Stripe delivers an event twice; the fixed one waits for the
// money and dedupes by event id.
package shop

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/harness"
	"github.com/stripe-emu/stripe-emu/specs/apps/appkit"
)

type order struct {
	ID          string `json:"id"`
	Status      string `json:"status"` // awaiting_payment, paid, payment_failed
	Fulfilments int    `json:"fulfilments"`
	Session     string `json:"checkout_session"`
	URL         string `json:"url"`
}

type shop struct {
	env   harness.AppEnv
	sc    *stripe.Client
	fixed bool

	mu     sync.Mutex
	orders map[string]*order
	seen   map[string]bool // event ids already handled (fixed only)
}

// New returns the shop; fixed picks the correct variant.
func New(env harness.AppEnv, fixed bool) http.Handler {
	s := &shop{env: env, sc: appkit.Client(env), fixed: fixed, orders: map[string]*order{}, seen: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { appkit.JSON(w, 200, map[string]bool{"ok": true}) })
	mux.HandleFunc("POST /orders", s.create)
	mux.HandleFunc("GET /orders/{id}", s.get)
	mux.HandleFunc("POST /webhooks/stripe", s.webhook)
	return mux
}

func (s *shop) create(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	id := fmt.Sprintf("ord_%d", len(s.orders)+1)
	s.mu.Unlock()
	sess, err := s.sc.V1CheckoutSessions.Create(r.Context(), &stripe.CheckoutSessionCreateParams{
		Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/thanks"),
		ClientReferenceID: stripe.String(id),
		LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Quantity: stripe.Int64(1), PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
			Currency: stripe.String("eur"), UnitAmount: stripe.Int64(4500),
			ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Concert ticket")},
		}}},
		PaymentMethodTypes: []*string{stripe.String("card"), stripe.String("sepa_debit")},
	})
	if err != nil {
		appkit.Fail(w, err)
		return
	}
	o := &order{ID: id, Status: "awaiting_payment", Session: sess.ID, URL: sess.URL}
	s.mu.Lock()
	s.orders[id] = o
	s.mu.Unlock()
	appkit.JSON(w, 201, o)
}

func (s *shop) get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[r.PathValue("id")]
	if !ok {
		appkit.JSON(w, 404, map[string]string{"error": "no such order"})
		return
	}
	appkit.JSON(w, 200, o)
}

func (s *shop) webhook(w http.ResponseWriter, r *http.Request) {
	ev, ok := appkit.Event(w, r, s.env.WebhookSecret)
	if !ok {
		return
	}
	if !strings.HasPrefix(string(ev.Type), "checkout.session.") {
		w.WriteHeader(200)
		return
	}
	var sess stripe.CheckoutSession
	if err := sess.UnmarshalJSON(ev.Data.Raw); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fixed {
		if s.seen[ev.ID] {
			w.WriteHeader(200) // a redelivery: already handled
			return
		}
		s.seen[ev.ID] = true
	}
	o := s.orders[sess.ClientReferenceID]
	if o == nil {
		w.WriteHeader(200)
		return
	}
	switch ev.Type {
	case "checkout.session.completed":
		if !s.fixed || sess.PaymentStatus == stripe.CheckoutSessionPaymentStatusPaid {
			s.fulfil(o)
		}
	case "checkout.session.async_payment_succeeded":
		s.fulfil(o)
	case "checkout.session.async_payment_failed":
		if s.fixed {
			o.Status = "payment_failed"
		}
	}
	w.WriteHeader(200)
}

func (s *shop) fulfil(o *order) {
	if s.fixed && o.Status == "paid" {
		return
	}
	o.Status = "paid"
	o.Fulfilments++
}
