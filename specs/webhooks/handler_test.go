package webhooks_test

import (
	"io"
	"net/http"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
)

// handlerFunc builds a verifying handler around a callback.
func handlerFunc(fn func(ev stripe.Event, ok bool), r *receiver) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.Lock()
		secret := r.Secret
		r.Unlock()
		ev, err := webhook.ConstructEvent(body, req.Header.Get("Stripe-Signature"), secret)
		fn(ev, err == nil)
		if err != nil {
			w.WriteHeader(400)
			return
		}
		w.WriteHeader(200)
	})
}
