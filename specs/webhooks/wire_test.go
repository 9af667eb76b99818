package webhooks_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// captured is one request as a webhook handler's server sees it.
type captured struct {
	Method string
	Header http.Header
	Body   []byte
}

// capture records every request it gets and answers 200.
type capture struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []captured
}

func newCapture() *capture {
	c := &capture{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		c.mu.Lock()
		c.reqs = append(c.reqs, captured{Method: req.Method, Header: req.Header.Clone(), Body: body})
		c.mu.Unlock()
	}))
	DeferCleanup(c.srv.Close)
	return c
}

func (c *capture) all() []captured {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]captured(nil), c.reqs...)
}

var _ = Describe("A delivery on the wire, as a webhook handler sees it", Label("webhooks"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cap *capture
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cap = newCapture()
	})

	It("is a POST with Stripe's headers, its body the event as the Events API shows it, verifiable by stripe-go", func() {
		_, secret, err := emu.Webhooks().Listen(cap.srv.URL, "customer.created")
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("a@example.com")})
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		reqs := cap.all()
		Expect(reqs).To(HaveLen(1))
		r := reqs[0]
		Expect(r.Method).To(Equal(http.MethodPost))
		Expect(r.Header.Get("Content-Type")).To(Equal("application/json; charset=utf-8"))
		Expect(r.Header.Get("User-Agent")).To(Equal("Stripe/1.0 (+https://stripe.com/docs/webhooks)"))
		Expect(r.Header.Get("Cache-Control")).To(Equal("no-cache"))
		Expect(r.Header.Get("Accept")).To(Equal("*/*; q=0.5, application/xml"))
		Expect(r.Header.Get("Stripe-Signature")).To(MatchRegexp(`^t=\d+,v1=[0-9a-f]{64},v0=[0-9a-f]{64}$`))

		Expect(webhook.ValidatePayload(r.Body, r.Header.Get("Stripe-Signature"), secret)).To(Succeed())
		ev, err := webhook.ConstructEvent(r.Body, r.Header.Get("Stripe-Signature"), secret)
		Expect(err).NotTo(HaveOccurred())
		Expect(ev.APIVersion).To(Equal(stripe.APIVersion))
		Expect(ev.PendingWebhooks).To(BeNumerically("==", 1), "as sent, before it arrived")
		_, err = webhook.ConstructEvent(r.Body, r.Header.Get("Stripe-Signature"), "whsec_wrong")
		Expect(err).To(MatchError(webhook.ErrNoValidSignature))

		Eventually(func() any { return emu.Events("")[0]["pending_webhooks"] }).Should(BeNumerically("==", 0))
		api := Do(emu.URL(), "GET", "/v1/events/"+ev.ID, "")
		Expect(api.Status).To(Equal(200))
		Expect(api.Body["pending_webhooks"]).To(BeNumerically("==", 0), "once it arrived")
		api.Body["pending_webhooks"] = float64(1)
		Expect(r.Body).To(MatchJSON(mustJSON(api.Body)), "the event as the Events API shows it")
	})
})

func mustJSON(v any) []byte {
	GinkgoHelper()
	b, err := json.Marshal(v)
	Expect(err).NotTo(HaveOccurred())
	return b
}

var _ = Describe("Retries of an endpoint disabled in between", Label("webhooks"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		rcv *receiver
		we  *stripe.WebhookEndpoint
	)
	disable := func(disabled bool) {
		GinkgoHelper()
		_, err := sc.V1WebhookEndpoints.Update(Ctx, we.ID, &stripe.WebhookEndpointUpdateParams{Disabled: stripe.Bool(disabled)})
		Expect(err).NotTo(HaveOccurred())
	}
	advance := func(d time.Duration) {
		GinkgoHelper()
		emu.Clock().Advance(d)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
	}
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		rcv = newReceiver()
		rcv.Answer = func(n int, _ stripe.Event) int {
			if n == 1 {
				return 500
			}
			return 200
		}
		var err error
		we, err = sc.V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String(rcv.Srv.URL), EnabledEvents: []*string{stripe.String("customer.created")}})
		Expect(err).NotTo(HaveOccurred())
		rcv.Secret = we.Secret
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(emu.Webhooks().Attempts()).To(HaveLen(1))
		Expect(emu.Webhooks().Waiting(we.ID)).To(HaveLen(1), "the retry, due in 5 minutes")
	})

	It("still retries when the endpoint was disabled and enabled again before the retry fell due, as Stripe does", func() {
		disable(true)
		disable(false)
		advance(5 * time.Minute)
		Expect(emu.Webhooks().Attempts()).To(HaveLen(2))
		Expect(rcv.Types()).To(Equal([]string{"customer.created"}))
		Eventually(func() any { return emu.Events("")[0]["pending_webhooks"] }).Should(BeNumerically("==", 0))
	})

	It("drops the event's retries when the endpoint is disabled as they fall due, and sends nothing once enabled again", func() {
		disable(true)
		_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		advance(5 * time.Minute)
		Expect(emu.Webhooks().Attempts()).To(HaveLen(1))
		Expect(emu.Webhooks().Waiting(we.ID)).To(BeEmpty())
		disable(false)
		advance(4 * time.Hour)
		Expect(emu.Webhooks().Attempts()).To(HaveLen(1), "neither the retry nor the event made while disabled")
		Expect(rcv.Types()).To(BeEmpty())
	})
})

var _ = Describe("Which endpoints get an event", Label("webhooks"), func() {
	It("sends the platform's events to its endpoints only, and connected accounts' to Connect endpoints only, counting each in pending_webhooks", func() {
		emu := Emulator()
		sc := emu.Client()
		own, conn := newCapture(), newCapture()
		_, err := sc.V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String(own.srv.URL), EnabledEvents: []*string{stripe.String("*")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String(conn.srv.URL), EnabledEvents: []*string{stripe.String("*")}, Connect: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express")})
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		ownBefore := len(own.all())
		connBefore := len(conn.all())

		p := &stripe.CustomerCreateParams{}
		p.SetStripeAccount(acct.ID)
		_, err = sc.V1Customers.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(own.all()).To(HaveLen(ownBefore), "not the connected account's event")
		got := conn.all()[connBefore:]
		Expect(got).To(HaveLen(1))
		var ev map[string]any
		Expect(json.Unmarshal(got[0].Body, &ev)).To(Succeed())
		Expect(ev["account"]).To(Equal(acct.ID))
		Expect(ev["type"]).To(Equal("customer.created"))
		Expect(ev["pending_webhooks"]).To(BeNumerically("==", 1))

		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(own.all()).To(HaveLen(ownBefore + 1))
		Expect(conn.all()).To(HaveLen(connBefore+1), "not the platform's own event")
	})
})

var _ = Describe("What counts as delivered", Label("webhooks"), func() {
	It("takes any 2xx as delivered, and gives up after test mode's three retries, leaving the event undelivered", func() {
		emu := Emulator()
		sc := emu.Client()
		rcv := newReceiver()
		statuses := map[string]int{"created@example.com": 201, "accepted@example.com": 202, "empty@example.com": 204, "gone@example.com": 404}
		rcv.Answer = func(_ int, ev stripe.Event) int { return statuses[ev.Data.Object["email"].(string)] }
		id, secret, err := emu.Webhooks().Listen(rcv.Srv.URL, "customer.created")
		Expect(err).NotTo(HaveOccurred())
		rcv.Secret = secret
		for email := range statuses {
			_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String(email)})
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(HaveLen(3))
		for _, wait := range []time.Duration{5 * time.Minute, time.Hour, 3 * time.Hour, 72 * time.Hour} {
			emu.Clock().Advance(wait)
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		}
		var gone []emulator.WebhookAttempt
		for _, a := range emu.Webhooks().Attempts() {
			if a.Status == 404 {
				gone = append(gone, a)
			}
		}
		Expect(gone).To(HaveLen(4), "the first attempt and three retries")
		Expect(gone[3].NextRetry).To(BeNil())
		Expect(gone[3].At.Sub(gone[0].At)).To(Equal(4*time.Hour + 5*time.Minute))
		Expect(emu.Webhooks().Waiting(id)).To(BeEmpty())

		undelivered := &stripe.EventListParams{DeliverySuccess: stripe.Bool(false)}
		var ids []string
		for ev, err := range sc.V1Events.List(Ctx, undelivered) {
			Expect(err).NotTo(HaveOccurred())
			Expect(ev.PendingWebhooks).To(BeNumerically("==", 1))
			ids = append(ids, ev.ID)
		}
		Expect(ids).To(Equal([]string{gone[0].EventID}))
	})

	// A test moving the clock past a failing endpoint's whole retry
	// schedule in one step sees what Stripe would have done by then: each
	// retry at its own moment, counted from the attempt before, not from
	// the moment the clock landed on.
	It("makes every retry falling due within one move of the clock, each at its moment, and gives up as Stripe would have by then", func() {
		emu := Emulator()
		sc := emu.Client()
		rcv := newReceiver()
		rcv.Answer = func(int, stripe.Event) int { return 503 }
		id, secret, err := emu.Webhooks().Listen(rcv.Srv.URL, "customer.created")
		Expect(err).NotTo(HaveOccurred())
		rcv.Secret = secret
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		start := emu.Clock().Now()

		emu.Clock().Advance(72 * time.Hour)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		attempts := emu.Webhooks().Attempts()
		Expect(attempts).To(HaveLen(4), "the first attempt and test mode's three retries")
		for i, after := range []time.Duration{0, 5 * time.Minute, time.Hour + 5*time.Minute, 4*time.Hour + 5*time.Minute} {
			Expect(attempts[i].Number).To(Equal(i + 1))
			Expect(attempts[i].At).To(Equal(start.Add(after)), "attempt %d", i+1)
		}
		Expect(*attempts[2].NextRetry).To(Equal(start.Add(4*time.Hour + 5*time.Minute)))
		Expect(attempts[3].NextRetry).To(BeNil())
		Expect(emu.Webhooks().Waiting(id)).To(BeEmpty(), "nothing left to retry")
		Expect(emu.Events("")[0]["pending_webhooks"]).To(BeNumerically("==", 1))
	})

	It("stops retrying within one move of the clock once an attempt succeeds", func() {
		emu := Emulator()
		rcv := newReceiver()
		rcv.Answer = func(n int, _ stripe.Event) int {
			if n <= 2 {
				return 500
			}
			return 200
		}
		id, secret, err := emu.Webhooks().Listen(rcv.Srv.URL, "customer.created")
		Expect(err).NotTo(HaveOccurred())
		rcv.Secret = secret
		_, err = emu.Client().V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		emu.Clock().Advance(24 * time.Hour)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(emu.Webhooks().Attempts()).To(HaveLen(3))
		Expect(rcv.Types()).To(Equal([]string{"customer.created"}))
		Expect(emu.Webhooks().Waiting(id)).To(BeEmpty())
		Eventually(func() any { return emu.Events("")[0]["pending_webhooks"] }).Should(BeNumerically("==", 0))
	})
})

var _ = Describe("Creating a webhook endpoint", Label("webhooks"), func() {
	It("refuses an api_version sent empty as a parameter that cannot be unset, making nothing", func() {
		emu := Emulator()
		r := Do(emu.URL(), "POST", "/v1/webhook_endpoints", "url=https://example.com/hook&enabled_events[]=*&api_version=")
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["code"]).To(Equal("parameter_invalid_empty"))
		Expect(r.Error()["param"]).To(Equal("api_version"))
		Expect(emu.Count("", "webhook_endpoint")).To(BeZero())
	})

	It("refuses an empty element of enabled_events as one that cannot be unset, as an update does, making nothing", func() {
		emu := Emulator()
		for _, path := range []string{"/v1/webhook_endpoints", ""} {
			if path == "" {
				we, err := emu.Client().V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String("https://example.com/hook"), EnabledEvents: []*string{stripe.String("*")}})
				Expect(err).NotTo(HaveOccurred())
				path = "/v1/webhook_endpoints/" + we.ID
			}
			r := Do(emu.URL(), "POST", path, "url=https://example.com/hook&enabled_events[]=customer.created&enabled_events[]=")
			Expect(r.Status).To(Equal(400), path)
			Expect(r.Error()["code"]).To(Equal("parameter_invalid_empty"), path)
			Expect(r.Error()["param"]).To(Equal("enabled_events[1]"), path)
		}
		Expect(emu.Count("", "webhook_endpoint")).To(Equal(1))
	})
})

var _ = Describe("Updating a webhook endpoint", Label("webhooks"), func() {
	It("refuses url or enabled_events sent empty as parameters that cannot be unset, changing nothing, and unsets description", func() {
		emu := Emulator()
		sc := emu.Client()
		we, err := sc.V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String("https://example.com/hook"),
			EnabledEvents: []*string{stripe.String("customer.created")}, Description: stripe.String("d")})
		Expect(err).NotTo(HaveOccurred())
		for _, param := range []string{"url", "enabled_events"} {
			r := Do(emu.URL(), "POST", "/v1/webhook_endpoints/"+we.ID, param+"=&description=x")
			Expect(r.Status).To(Equal(400), param)
			Expect(r.Error()["code"]).To(Equal("parameter_invalid_empty"), param)
			Expect(r.Error()["param"]).To(Equal(param))
			Expect(r.Error()["message"]).To(Equal("You passed an empty string for '" + param + "'. We assume empty values are an attempt to unset a parameter; however '" + param + "' cannot be unset. You should remove '" + param + "' from your request or supply a non-empty value."))
		}
		got, err := sc.V1WebhookEndpoints.Retrieve(Ctx, we.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.URL).To(Equal("https://example.com/hook"))
		Expect(got.EnabledEvents).To(Equal([]string{"customer.created"}))
		Expect(got.Description).To(Equal("d"))

		r := Do(emu.URL(), "POST", "/v1/webhook_endpoints/"+we.ID, "description=")
		Expect(r.Status).To(Equal(200))
		Expect(r.Body["description"]).To(BeNil())
	})
})
