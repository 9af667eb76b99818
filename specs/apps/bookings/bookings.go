// Package bookings is an example app for story 1: bookings billed by
// invoice, which customers may pay in several payments (basil). The buggy
// variant links a payment to its invoice through charge.invoice (gone
// since 2025-03-31.basil) and treats any payment as paying the whole
// invoice; the fixed one asks the InvoicePayments API and reads the
// invoice's amount_remaining.
package bookings

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/harness"
	"github.com/stripe-emu/stripe-emu/specs/apps/appkit"
)

type booking struct {
	ID         string `json:"id"`
	Invoice    string `json:"invoice"`
	Status     string `json:"status"` // unpaid, partially_paid, paid
	AmountPaid int64  `json:"amount_paid"`
}

// New returns the app; fixed picks the correct variant.
func New(env harness.AppEnv, fixed bool) http.Handler {
	sc := appkit.Client(env)
	var mu sync.Mutex
	byInvoice := map[string]*booking{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { appkit.JSON(w, 200, map[string]bool{"ok": true}) })
	mux.HandleFunc("POST /bookings", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Invoice string `json:"invoice"`
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		mu.Lock()
		b := &booking{ID: "bk_" + in.Invoice, Invoice: in.Invoice, Status: "unpaid"}
		byInvoice[in.Invoice] = b
		mu.Unlock()
		appkit.JSON(w, 201, b)
	})
	mux.HandleFunc("GET /bookings/{invoice}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		b, ok := byInvoice[r.PathValue("invoice")]
		if !ok {
			appkit.JSON(w, 404, map[string]string{"error": "no such booking"})
			return
		}
		appkit.JSON(w, 200, b)
	})
	mux.HandleFunc("POST /webhooks/stripe", func(w http.ResponseWriter, r *http.Request) {
		ev, ok := appkit.Event(w, r, env.WebhookSecret)
		if !ok || ev.Type != "payment_intent.succeeded" {
			return
		}
		piID, _ := ev.Data.Object["id"].(string)
		invoiceID := ""
		if fixed {
			for ip, err := range sc.V1InvoicePayments.List(r.Context(), &stripe.InvoicePaymentListParams{
				Payment: &stripe.InvoicePaymentListPaymentParams{Type: stripe.String("payment_intent"), PaymentIntent: stripe.String(piID)},
			}) {
				if err != nil {
					appkit.Fail(w, err)
					return
				}
				invoiceID = ip.Invoice.ID
			}
		} else {
			// The pre-basil way: the charge said which invoice it paid.
			latest, _ := ev.Data.Object["latest_charge"].(string)
			var raw map[string]any
			if ch, err := sc.V1Charges.Retrieve(r.Context(), latest, nil); err == nil {
				_ = json.Unmarshal(ch.LastResponse.RawJSON, &raw)
			}
			invoiceID, _ = raw["invoice"].(string)
		}
		if invoiceID == "" {
			w.WriteHeader(200) // not an invoice payment, as far as this app can tell
			return
		}
		inv, err := sc.V1Invoices.Retrieve(r.Context(), invoiceID, nil)
		if err != nil {
			appkit.Fail(w, err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		b := byInvoice[invoiceID]
		if b == nil {
			return
		}
		b.AmountPaid = inv.AmountPaid
		b.Status = "partially_paid"
		if inv.AmountRemaining == 0 {
			b.Status = "paid"
		}
	})
	return mux
}
