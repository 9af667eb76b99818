package support

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
)

// Receiver is an app's webhook handler: it verifies every delivery with
// stripe-go's webhook.ConstructEvent, as real apps do, and keeps the
// events it accepted. Set Secret to the endpoint's signing secret before
// anything is delivered; while deliveries may be running, change Secret
// and Answer holding its lock.
type Receiver struct {
	sync.Mutex
	Srv    *httptest.Server
	Secret string
	// Answer, when set, is the status to answer the nth delivery with
	// (an event answered 300 or more is not kept).
	Answer func(n int, ev stripe.Event) int

	events   []stripe.Event
	rejected []error
	n        int
}

// NewReceiver starts a receiver, closed when the spec ends.
func NewReceiver() *Receiver {
	r := &Receiver{}
	r.Srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.Lock()
		secret := r.Secret
		r.Unlock()
		ev, err := webhook.ConstructEvent(body, req.Header.Get("Stripe-Signature"), secret)
		r.Lock()
		defer r.Unlock()
		if err != nil {
			r.rejected = append(r.rejected, err)
			w.WriteHeader(400)
			return
		}
		r.n++
		status := 200
		if r.Answer != nil {
			status = r.Answer(r.n, ev)
		}
		if status < 300 {
			r.events = append(r.events, ev)
		}
		w.WriteHeader(status)
	}))
	DeferCleanup(r.Srv.Close)
	return r
}

// Types are the types of the events accepted, in arrival order.
func (r *Receiver) Types() []string {
	r.Lock()
	defer r.Unlock()
	out := make([]string, len(r.events))
	for i, ev := range r.events {
		out[i] = string(ev.Type)
	}
	return out
}

// IDs are the ids of the events accepted, in arrival order.
func (r *Receiver) IDs() []string {
	r.Lock()
	defer r.Unlock()
	out := make([]string, len(r.events))
	for i, ev := range r.events {
		out[i] = ev.ID
	}
	return out
}

// All are the events accepted, in arrival order.
func (r *Receiver) All() []stripe.Event {
	r.Lock()
	defer r.Unlock()
	return append([]stripe.Event(nil), r.events...)
}

// Rejections are the signature errors of deliveries refused.
func (r *Receiver) Rejections() []error {
	r.Lock()
	defer r.Unlock()
	return append([]error(nil), r.rejected...)
}
