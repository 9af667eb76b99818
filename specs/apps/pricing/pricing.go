// Package pricing is an example app for story 3: it changes a product's
// price. The buggy variant archives the old default price before pointing
// the product at the new one, which Stripe refuses; the fixed one repoints
// first, then archives.
package pricing

import (
	"encoding/json"
	"net/http"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/harness"
	"github.com/stripe-emu/stripe-emu/specs/apps/appkit"
)

// New returns the app; fixed picks the correct variant.
func New(env harness.AppEnv, fixed bool) http.Handler {
	sc := appkit.Client(env)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { appkit.JSON(w, 200, map[string]bool{"ok": true}) })
	mux.HandleFunc("POST /products/{id}/price", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			UnitAmount int64 `json:"unit_amount"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			appkit.JSON(w, 400, map[string]string{"error": err.Error()})
			return
		}
		ctx := r.Context()
		prod, err := sc.V1Products.Retrieve(ctx, r.PathValue("id"), nil)
		if err != nil {
			appkit.Fail(w, err)
			return
		}
		old := prod.DefaultPrice
		next, err := sc.V1Prices.Create(ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(in.UnitAmount)})
		if err != nil {
			appkit.Fail(w, err)
			return
		}
		archive := func() error {
			if old == nil {
				return nil
			}
			_, err := sc.V1Prices.Update(ctx, old.ID, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
			return err
		}
		repoint := func() error {
			_, err := sc.V1Products.Update(ctx, prod.ID, &stripe.ProductUpdateParams{DefaultPrice: stripe.String(next.ID)})
			return err
		}
		steps := []func() error{archive, repoint} // the bug: archive first
		if fixed {
			steps = []func() error{repoint, archive}
		}
		for _, step := range steps {
			if err := step(); err != nil {
				appkit.Fail(w, err)
				return
			}
		}
		appkit.JSON(w, 200, map[string]string{"price": next.ID})
	})
	return mux
}
