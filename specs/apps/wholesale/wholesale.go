// Package wholesale is an example app for a B2B order paid through
// Checkout with automatic tax: the buyer types a purchase order number
// into a custom field, and the app books the order from
// checkout.session.completed. The buggy variant books the session's
// amount_subtotal as what was charged, as apps written before they turned
// on Stripe Tax did; the fixed one books amount_total and the tax apart.
package wholesale

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/harness"
	"github.com/stripe-emu/stripe-emu/specs/apps/appkit"
)

type order struct {
	ID            string `json:"id"`
	Status        string `json:"status"` // awaiting_payment, paid
	PONumber      string `json:"po_number"`
	AmountCharged int64  `json:"amount_charged"`
	AmountTax     int64  `json:"amount_tax"`
	Session       string `json:"checkout_session"`
	URL           string `json:"url"`
}

type wholesale struct {
	env   harness.AppEnv
	sc    *stripe.Client
	fixed bool

	mu     sync.Mutex
	orders map[string]*order
}

// New returns the app; fixed picks the correct variant.
func New(env harness.AppEnv, fixed bool) http.Handler {
	s := &wholesale{env: env, sc: appkit.Client(env), fixed: fixed, orders: map[string]*order{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { appkit.JSON(w, 200, map[string]bool{"ok": true}) })
	mux.HandleFunc("POST /orders", s.create)
	mux.HandleFunc("GET /orders/{id}", s.get)
	mux.HandleFunc("POST /webhooks/stripe", s.webhook)
	return mux
}

// create opens a Checkout Session for a quantity of one price, taxed by
// Stripe Tax, asking for a PO number.
func (s *wholesale) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Price    string `json:"price"`
		Quantity int64  `json:"quantity"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Price == "" || in.Quantity < 1 {
		appkit.JSON(w, 400, map[string]string{"error": "want {price, quantity}"})
		return
	}
	s.mu.Lock()
	id := fmt.Sprintf("ord_%d", len(s.orders)+1)
	s.mu.Unlock()
	sess, err := s.sc.V1CheckoutSessions.Create(r.Context(), &stripe.CheckoutSessionCreateParams{
		Mode: stripe.String("payment"), SuccessURL: stripe.String("https://wholesale.example/thanks"),
		ClientReferenceID: stripe.String(id),
		LineItems:         []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(in.Price), Quantity: stripe.Int64(in.Quantity)}},
		AutomaticTax:      &stripe.CheckoutSessionCreateAutomaticTaxParams{Enabled: stripe.Bool(true)},
		CustomerCreation:  stripe.String("always"),
		CustomFields: []*stripe.CheckoutSessionCreateCustomFieldParams{{
			Key: stripe.String("ponumber"), Type: stripe.String("text"),
			Label: &stripe.CheckoutSessionCreateCustomFieldLabelParams{Type: stripe.String("custom"), Custom: stripe.String("PO number")},
			Text:  &stripe.CheckoutSessionCreateCustomFieldTextParams{MinimumLength: stripe.Int64(3), MaximumLength: stripe.Int64(20)},
		}},
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

func (s *wholesale) get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[r.PathValue("id")]
	if !ok {
		appkit.JSON(w, 404, map[string]string{"error": "no such order"})
		return
	}
	appkit.JSON(w, 200, o)
}

func (s *wholesale) webhook(w http.ResponseWriter, r *http.Request) {
	ev, ok := appkit.Event(w, r, s.env.WebhookSecret)
	if !ok {
		return
	}
	if ev.Type != "checkout.session.completed" {
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
	o := s.orders[sess.ClientReferenceID]
	if o == nil || sess.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid {
		w.WriteHeader(200)
		return
	}
	for _, f := range sess.CustomFields {
		if f.Key == "ponumber" && f.Text != nil {
			o.PONumber = f.Text.Value
		}
	}
	if sess.TotalDetails != nil {
		o.AmountTax = sess.TotalDetails.AmountTax
	}
	o.AmountCharged = sess.AmountTotal
	if !s.fixed {
		o.AmountCharged = sess.AmountSubtotal
	}
	o.Status = "paid"
	w.WriteHeader(200)
}
