package webhooks_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
)

// receiver is an app's webhook handler: it verifies every delivery with
// stripe-go's webhook.ConstructEvent, as real apps do.
type receiver struct {
	srv    *httptest.Server
	secret string

	mu       sync.Mutex
	events   []stripe.Event
	rejected []error
	answer   func(n int, ev stripe.Event) int // status to answer the nth delivery
	n        int
}

func newReceiver() *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		secret := r.secret
		r.mu.Unlock()
		ev, err := webhook.ConstructEvent(body, req.Header.Get("Stripe-Signature"), secret)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			r.rejected = append(r.rejected, err)
			w.WriteHeader(400)
			return
		}
		r.n++
		status := 200
		if r.answer != nil {
			status = r.answer(r.n, ev)
		}
		if status < 300 {
			r.events = append(r.events, ev)
		}
		w.WriteHeader(status)
	}))
	DeferCleanup(r.srv.Close)
	return r
}

func (r *receiver) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, ev := range r.events {
		out[i] = string(ev.Type)
	}
	return out
}

func (r *receiver) ids() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, ev := range r.events {
		out[i] = ev.ID
	}
	return out
}

func (r *receiver) all() []stripe.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]stripe.Event(nil), r.events...)
}

func (r *receiver) rejections() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.rejected...)
}
