package webhooks_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// What a team reproducing webhook races relies on: a policy does what it
// says or is refused, a release is all or nothing, and the control surface
// answers like the Go API.
var _ = Describe("Reproducing webhook races", Label("webhooks"), func() {
	var (
		emu *emulator.Emulator
		rcv *receiver
		id  string
	)
	BeforeEach(func() {
		emu = Emulator()
		rcv = newReceiver()
		var secret string
		var err error
		id, secret, err = emu.Webhooks().Listen(rcv.Srv.URL, "customer.*")
		Expect(err).NotTo(HaveOccurred())
		rcv.Secret = secret
	})
	customer := func(email string) string {
		GinkgoHelper()
		status, out, err := emu.Call("POST", "/v1/customers", url.Values{"email": {email}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		return out["id"].(string)
	}

	DescribeTable("refuses a policy it would not apply as written",
		func(p emulator.WebhookPolicy, want string) {
			err := emu.Webhooks().SetPolicy(id, p)
			Expect(err).To(MatchError(ContainSubstring(want)))
			Expect(emu.Webhooks().SetDefaultPolicy(p)).To(MatchError(ContainSubstring(want)))
			got, _ := emu.Webhooks().Policy(id)
			Expect(got).To(Equal(emulator.WebhookPolicy{}), "a refused policy changes nothing")
		},
		Entry("a misspelt order", emulator.WebhookPolicy{Order: "shuffled"}, `order "shuffled": must be one of inorder, reverse, shuffle`),
		Entry("a negative duplicate", emulator.WebhookPolicy{Duplicate: -1}, "duplicate must not be negative"),
		Entry("a fraction above one", emulator.WebhookPolicy{DuplicateFraction: 1.5}, "duplicate_fraction must be between 0 and 1"),
		Entry("a negative concurrency", emulator.WebhookPolicy{Concurrency: -3}, "concurrency must not be negative"),
		Entry("a delay for an event type that does not exist", emulator.WebhookPolicy{Delay: map[string]time.Duration{"customer.create": time.Minute}},
			`delay: "customer.create" is not an event type of 2025-08-27.basil`),
		Entry("a negative delay", emulator.WebhookPolicy{Delay: map[string]time.Duration{"customer.created": -time.Minute}},
			`delay of customer.created must not be negative`),
	)

	It("delays a group of event types named as endpoints name them, the most specific delay winning", func() {
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Delay: map[string]time.Duration{
			"customer.*": time.Hour, "customer.updated": time.Minute, "*": 24 * time.Hour}})).To(Succeed())
		c := customer("late@example.com")
		_, _, err := emu.Call("POST", "/v1/customers/"+c, url.Values{"name": {"Late"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(BeEmpty())
		emu.Clock().Advance(time.Minute)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(Equal([]string{"customer.updated"}))
		emu.Clock().Advance(time.Hour)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(Equal([]string{"customer.updated", "customer.created"}))
	})

	// Work the clock does in a move (a session expiring a day on) records
	// its events at their moment; a delay counts from there, as a retry
	// counts from its attempt.
	It("delays an event the clock made within one move from the moment it was made, not from where the clock landed", func() {
		exp, secret, err := emu.Webhooks().Listen(rcv.Srv.URL, "checkout.session.expired")
		Expect(err).NotTo(HaveOccurred())
		Expect(secret).NotTo(BeEmpty())
		rcv.Lock()
		rcv.Secret = secret
		rcv.Unlock()
		Expect(emu.Webhooks().SetPolicy(exp, emulator.WebhookPolicy{Delay: map[string]time.Duration{"*": time.Hour}})).To(Succeed())
		status, s, err := emu.Call("POST", "/v1/checkout/sessions", url.Values{
			"mode": {"payment"}, "success_url": {"https://example.com/ok"}, "line_items[0][quantity]": {"1"},
			"line_items[0][price_data][currency]": {"usd"}, "line_items[0][price_data][unit_amount]": {"1000"},
			"line_items[0][price_data][product_data][name]": {"Tee"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		expires := time.Unix(int64(s["expires_at"].(float64)), 0)

		emu.Clock().Advance(48 * time.Hour)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(Equal([]string{"checkout.session.expired"}), "an hour after it expired, a day ago")
		attempts := emu.Webhooks().Attempts()
		Expect(attempts[len(attempts)-1].At).To(Equal(expires.Add(time.Hour)))
		Expect(emu.Webhooks().Waiting(exp)).To(BeEmpty())
	})

	It("delays an event a test clock dated from when it was sent, whatever its date", func() {
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Delay: map[string]time.Duration{"*": time.Minute}})).To(Succeed())
		status, tc, err := emu.Call("POST", "/v1/test_helpers/test_clocks", url.Values{
			"frozen_time": {fmt.Sprint(emu.Clock().Now().Add(12 * time.Hour).Unix())}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		status, cus, err := emu.Call("POST", "/v1/customers", url.Values{"test_clock": {tc["id"].(string)}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		status, price, err := emu.Call("POST", "/v1/prices", url.Values{"currency": {"usd"}, "unit_amount": {"500"},
			"recurring[interval]": {"month"}, "product_data[name]": {"Plan"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		// The emulator's clock passes the test clock's time.
		emu.Clock().Advance(24 * time.Hour)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		before := len(rcv.Types())
		Expect(before).To(Equal(1), "the customer's customer.created")

		// A subscription of the test clock's customer is dated by it.
		status, _, err = emu.Call("POST", "/v1/subscriptions", url.Values{"customer": {cus["id"].(string)},
			"items[0][price]": {price["id"].(string)}, "trial_period_days": {"7"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		Expect(emu.Events("")[len(emu.Events(""))-1]["created"]).To(BeNumerically("==", tc["frozen_time"]))
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(HaveLen(before), "a minute of the emulator's clock first")
		emu.Clock().Advance(time.Minute)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(ContainElement("customer.subscription.created"))
	})

	It("releases nothing when an order names an event that is not held, and says what is", func() {
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Hold: true})).To(Succeed())
		customer("a@example.com")
		customer("b@example.com")
		held := emu.Webhooks().Held(id)
		Expect(held).To(HaveLen(2))
		err := emu.Webhooks().ReleaseInOrder(id, held[1].ID, "evt_missing")
		Expect(err).To(MatchError(fmt.Sprintf("event evt_missing is not held for %s; held: %s (customer.created), %s (customer.created)", id, held[0].ID, held[1].ID)))
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.IDs()).To(BeEmpty(), "nothing was released")
		Expect(emu.Webhooks().Held(id)).To(Equal(held))
	})

	It("redelivers at once while the endpoint is on hold, a duplicate arriving before the held original", func() {
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Hold: true})).To(Succeed())
		customer("a@example.com")
		held := emu.Webhooks().Held(id)
		Expect(held).To(HaveLen(1))
		Expect(emu.Webhooks().Redeliver(held[0].ID, id)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.IDs()).To(Equal([]string{held[0].ID}))
		Expect(emu.Webhooks().Held(id)).To(Equal(held), "the original stays held")
		Expect(emu.Webhooks().Release(id)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.IDs()).To(Equal([]string{held[0].ID, held[0].ID}))
		attempts := emu.Webhooks().Attempts()
		Expect(attempts[0].Redelivery).To(BeTrue())
		Expect(attempts[1].Redelivery).To(BeFalse())
	})

	It("holds a retry or a delayed delivery falling due while the endpoint is on hold, as it holds everything", func() {
		rcv.Answer = func(n int, _ stripe.Event) int {
			if n == 1 {
				return 500
			}
			return 200
		}
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Delay: map[string]time.Duration{"customer.updated": time.Minute}})).To(Succeed())
		c := customer("retry@example.com")
		_, _, err := emu.Call("POST", "/v1/customers/"+c, url.Values{"name": {"Later"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(emu.Webhooks().Waiting(id)).To(HaveLen(2), "the failed customer.created waits for its retry, customer.updated for its delay")

		p, _ := emu.Webhooks().Policy(id)
		p.Hold = true
		Expect(emu.Webhooks().SetPolicy(id, p)).To(Succeed())
		emu.Clock().Advance(5 * time.Minute)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(BeEmpty(), "nothing goes out while held")
		held := emu.Webhooks().Held(id)
		Expect(held).To(HaveLen(2))

		Expect(emu.Webhooks().Release(id)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(ConsistOf("customer.created", "customer.updated"))
		var retried []int
		for _, a := range emu.Webhooks().Attempts() {
			if a.EventType == "customer.created" {
				retried = append(retried, a.Number)
			}
		}
		Expect(retried).To(Equal([]int{1, 2}), "the held retry goes out as the second attempt")
	})

	It("orders the delayed deliveries ending at one moment by the policy, a retry falling due with them or not", func() {
		rcv.Answer = func(n int, _ stripe.Event) int {
			if n == 1 {
				return 500
			}
			return 200
		}
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Order: emulator.Reverse,
			Delay: map[string]time.Duration{"customer.updated": 5 * time.Minute}})).To(Succeed())
		c := customer("mixed@example.com") // customer.created fails: its retry is due in 5 minutes too
		for _, name := range []string{"First", "Second"} {
			_, _, err := emu.Call("POST", "/v1/customers/"+c, url.Values{"name": {name}}, "")
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		waiting := emu.Webhooks().Waiting(id)
		Expect(waiting).To(HaveLen(3))
		Expect(waiting[0].Due).To(Equal(waiting[2].Due), "all three fall due at one moment")
		emu.Clock().Advance(5 * time.Minute)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		var names []string
		for _, ev := range rcv.All() {
			if ev.Type == "customer.updated" {
				names = append(names, ev.Data.Object["name"].(string))
			}
		}
		Expect(names).To(Equal([]string{"Second", "First"}), "the two delayed updates, reversed")
	})

	// As a retry finding the endpoint enabled again is still sent: a hold
	// is the test's, not the endpoint's, and a disable in between loses
	// nothing unless the release finds it disabled.
	It("keeps what is held through a disable and enable, sending it on release; released while disabled, it is dropped", func() {
		setDisabled := func(disabled bool) {
			GinkgoHelper()
			_, err := emu.Client().V1WebhookEndpoints.Update(Ctx, id, &stripe.WebhookEndpointUpdateParams{Disabled: stripe.Bool(disabled)})
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Hold: true})).To(Succeed())
		kept := customer("kept@example.com")
		setDisabled(true)
		setDisabled(false)
		Expect(emu.Webhooks().Held(id)).To(HaveLen(1))
		Expect(emu.Webhooks().Release(id)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.All()).To(HaveLen(1))
		Expect(rcv.All()[0].Data.Object["id"]).To(Equal(kept))

		customer("dropped@example.com")
		setDisabled(true)
		Expect(emu.Webhooks().Release(id)).To(Succeed())
		Expect(emu.Webhooks().Held(id)).To(BeEmpty(), "released while disabled: dropped")
		setDisabled(false)
		Expect(emu.Webhooks().Release(id)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.All()).To(HaveLen(1), "nothing more was sent")
	})

	It("refuses to release held events of a type that does not exist, which would release nothing", func() {
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Hold: true})).To(Succeed())
		customer("t@example.com")
		Expect(emu.Webhooks().ReleaseTypes(id, "customer.create")).To(MatchError(ContainSubstring(`"customer.create" is not an event type of 2025-08-27.basil`)))
		Expect(emu.Webhooks().Held(id)).To(HaveLen(1))
		Expect(emu.Webhooks().ReleaseTypes(id, "customer.*")).To(Succeed(), "a group releases its types")
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(Equal([]string{"customer.created"}))
	})

	It("lists deliveries waiting on the clock, delayed or retrying, with when they fall due", func() {
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Delay: map[string]time.Duration{"customer.created": time.Minute}})).To(Succeed())
		customer("w@example.com")
		waiting := emu.Webhooks().Waiting(id)
		Expect(waiting).To(HaveLen(1))
		Expect(waiting[0].Type).To(Equal("customer.created"))
		Expect(waiting[0].Attempts).To(Equal(0))
		Expect(waiting[0].Due).To(Equal(emu.Clock().Now().Add(time.Minute)))
		r := ctl(emu.URL(), "GET", "/_emu/webhooks/endpoints/"+id+"/waiting", "")
		Expect(r["_status"]).To(BeNumerically("==", 200))
		Expect(r["list"]).To(HaveLen(1))
	})

	It("logs the seed that replays a failed test's deliveries, with how to use it", func() {
		for _, failed := range []bool{true, false} {
			t := &fakeTB{failed: failed}
			e := emulator.Start(t)
			_, _, err := e.Webhooks().Listen("http://127.0.0.1:1/hook")
			Expect(err).NotTo(HaveOccurred())
			seed := e.Webhooks().Seed()
			t.cleanup()
			if failed {
				Expect(t.logs).To(ConsistOf(fmt.Sprintf("stripe-emu: webhook deliveries were ordered by seed %d; replay them with emulator.WithSeed(%d)", seed, seed)))
			} else {
				Expect(t.logs).To(BeEmpty(), "a passing test stays quiet")
			}
		}
		t := &fakeTB{failed: true}
		emulator.Start(t)
		t.cleanup()
		Expect(t.logs).To(BeEmpty(), "a failed test without webhooks is spared a line about them")
	})

	Describe("rolling the signing secret", func() {
		var (
			mu      sync.Mutex
			headers []string
			bodies  [][]byte
			raw     *httptest.Server
			rawID   string
			first   string
		)
		BeforeEach(func() {
			headers, bodies = nil, nil
			raw = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				headers, bodies = append(headers, r.Header.Get("Stripe-Signature")), append(bodies, b)
				mu.Unlock()
			}))
			DeferCleanup(raw.Close)
			var err error
			rawID, first, err = emu.Webhooks().Listen(raw.URL, "customer.created")
			Expect(err).NotTo(HaveOccurred())
		})
		last := func() (string, []byte) {
			GinkgoHelper()
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			mu.Lock()
			defer mu.Unlock()
			Expect(headers).NotTo(BeEmpty())
			return headers[len(headers)-1], bodies[len(bodies)-1]
		}

		It("signs with the test-mode v0 scheme beside v1, as Stripe's test mode does", func() {
			customer("v0@example.com")
			h, body := last()
			Expect(h).To(MatchRegexp(`^t=\d+,v1=[0-9a-f]{64},v0=[0-9a-f]{64}$`))
			_, err := webhook.ConstructEvent(body, h, first)
			Expect(err).NotTo(HaveOccurred())
		})

		It("signs with the new and the old secret until the old one expires on the emulator clock", func() {
			second, err := emu.Webhooks().RollSecret(rawID, time.Hour)
			Expect(err).NotTo(HaveOccurred())
			Expect(second).To(HavePrefix("whsec_"))
			Expect(second).NotTo(Equal(first))

			customer("rolling@example.com")
			h, body := last()
			Expect(h).To(MatchRegexp(`^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64},v0=[0-9a-f]{64}$`))
			for _, secret := range []string{first, second} {
				_, err := webhook.ConstructEvent(body, h, secret)
				Expect(err).NotTo(HaveOccurred(), "a receiver on either secret verifies while the old one lives")
			}

			emu.Clock().Advance(time.Hour)
			customer("rolled@example.com")
			h, body = last()
			Expect(h).To(MatchRegexp(`^t=\d+,v1=[0-9a-f]{64},v0=[0-9a-f]{64}$`))
			_, err = webhook.ConstructEvent(body, h, second)
			Expect(err).NotTo(HaveOccurred())
			_, err = webhook.ConstructEvent(body, h, first)
			Expect(err).To(MatchError(webhook.ErrNoValidSignature))
		})

		It("signs a retry made within one move of the clock with the secrets alive at its moment", func() {
			old := newReceiver()
			oid, secret, err := emu.Webhooks().Listen(old.Srv.URL, "customer.created")
			Expect(err).NotTo(HaveOccurred())
			old.Secret = secret // a receiver not yet told of the roll
			old.Answer = func(n int, _ stripe.Event) int {
				if n == 1 {
					return 500
				}
				return 200
			}
			_, err = emu.Webhooks().RollSecret(oid, time.Hour)
			Expect(err).NotTo(HaveOccurred())
			customer("late@example.com")
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			emu.Clock().Advance(3 * 24 * time.Hour)
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			Expect(old.Rejections()).To(BeEmpty(), "the retry 5 minutes on was signed with the old secret too")
			Expect(old.Types()).To(Equal([]string{"customer.created"}))
		})

		It("expires the old secret at once, or keeps it at most 24 hours, as the Dashboard offers", func() {
			second, err := emu.Webhooks().RollSecret(rawID, 0)
			Expect(err).NotTo(HaveOccurred())
			customer("now@example.com")
			h, body := last()
			_, err = webhook.ConstructEvent(body, h, first)
			Expect(err).To(MatchError(webhook.ErrNoValidSignature))
			_, err = webhook.ConstructEvent(body, h, second)
			Expect(err).NotTo(HaveOccurred())

			_, err = emu.Webhooks().RollSecret(rawID, 25*time.Hour)
			Expect(err).To(MatchError(ContainSubstring("the previous secret expires within 24 hours, got 25h0m0s")))
			_, err = emu.Webhooks().RollSecret("we_nope", time.Hour)
			Expect(err).To(MatchError(ContainSubstring("no webhook endpoint we_nope")))
		})

		It("rolls over HTTP", func() {
			r := ctl(emu.URL(), "POST", "/_emu/webhooks/endpoints/"+rawID+"/roll_secret", `{"expires_in": "2h"}`)
			Expect(r["_status"]).To(BeNumerically("==", 200))
			Expect(r["secret"]).To(HavePrefix("whsec_"))
			Expect(r["previous_secret_expires"]).To(BeNumerically("==", emu.Clock().Now().Add(2*time.Hour).Unix()))
			customer("http@example.com")
			h, body := last()
			_, err := webhook.ConstructEvent(body, h, r["secret"].(string))
			Expect(err).NotTo(HaveOccurred())
			r = ctl(emu.URL(), "POST", "/_emu/webhooks/endpoints/we_nope/roll_secret", ``)
			Expect(r["_status"]).To(BeNumerically("==", 404))
		})
	})

	Describe("over HTTP", func() {
		It("answers 404 for the held events of an endpoint that does not exist", func() {
			r := ctl(emu.URL(), "GET", "/_emu/webhooks/endpoints/we_nope/held", "")
			Expect(r["_status"]).To(BeNumerically("==", 404))
			Expect(ctlMessage(r)).To(ContainSubstring("no webhook endpoint we_nope"))
			r = ctl(emu.URL(), "POST", "/_emu/webhooks/endpoints/we_nope/release", "")
			Expect(r["_status"]).To(BeNumerically("==", 404))
		})

		It("answers an empty list, not null, where there is nothing yet", func() {
			r := ctl(emu.URL(), "GET", "/_emu/webhooks/endpoints/"+id+"/held", "")
			Expect(r["_status"]).To(BeNumerically("==", 200))
			Expect(r["list"]).To(Equal([]any{}))
			fresh := Emulator()
			for _, path := range []string{"/_emu/webhooks/endpoints", "/_emu/webhooks/attempts", "/_emu/requests", "/_emu/events", "/_emu/faults"} {
				r := ctl(fresh.URL(), "GET", path, "")
				Expect(r["_status"]).To(BeNumerically("==", 200), path)
				Expect(r["list"]).To(Equal([]any{}), path)
			}
		})

		// JavaScript's JSON.parse keeps a number exactly only below 2^53.
		It("serves a seed it picked at random exactly, as a JSON reader holding numbers as doubles reads it", func() {
			for range 20 {
				fresh := Emulator()
				r := ctl(fresh.URL(), "GET", "/_emu/health", "")
				Expect(r["webhook_seed"]).To(BeNumerically(">", 0))
				Expect(uint64(r["webhook_seed"].(float64))).To(Equal(fresh.Webhooks().Seed()))
			}
		})

		It("refuses a release naming both events and types, rather than ignoring the types", func() {
			Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Hold: true})).To(Succeed())
			customer("x@example.com")
			ev := emu.Webhooks().Held(id)[0].ID
			r := ctl(emu.URL(), "POST", "/_emu/webhooks/endpoints/"+id+"/release", `{"event_ids": ["`+ev+`"], "types": ["customer.updated"]}`)
			Expect(r["_status"]).To(BeNumerically("==", 400))
			Expect(ctlMessage(r)).To(ContainSubstring("give event_ids or types, not both"))
			Expect(emu.Webhooks().Held(id)).To(HaveLen(1))
		})

		It("redelivers with 404 for an unknown event or endpoint and 400 for one left out", func() {
			customer("r@example.com")
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			ev := rcv.IDs()[0]
			r := ctl(emu.URL(), "POST", "/_emu/webhooks/redeliver", `{"event": "`+ev+`"}`)
			Expect(r["_status"]).To(BeNumerically("==", 400))
			Expect(ctlMessage(r)).To(Equal("give the event to redeliver and the endpoint to send it to: {\"event\": \"evt_…\", \"endpoint\": \"we_…\"}"))
			r = ctl(emu.URL(), "POST", "/_emu/webhooks/redeliver", `{"event": "evt_nope", "endpoint": "`+id+`"}`)
			Expect(r["_status"]).To(BeNumerically("==", 404))
			Expect(ctlMessage(r)).To(ContainSubstring("no event evt_nope"))
			r = ctl(emu.URL(), "POST", "/_emu/webhooks/redeliver", `{"event": "`+ev+`", "endpoint": "we_nope"}`)
			Expect(r["_status"]).To(BeNumerically("==", 404))
			Expect(ctlMessage(r)).To(ContainSubstring("no webhook endpoint we_nope"))
			r = ctl(emu.URL(), "POST", "/_emu/webhooks/redeliver", `{"event": "`+ev+`", "endpoint": "`+id+`"}`)
			Expect(r["_status"]).To(BeNumerically("==", 200))
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			Expect(rcv.IDs()).To(Equal([]string{ev, ev}))
		})

		It("refuses to redeliver to a disabled endpoint, which receives nothing, with 400", func() {
			customer("d@example.com")
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			ev := rcv.IDs()[0]
			_, err := emu.Client().V1WebhookEndpoints.Update(Ctx, id, &stripe.WebhookEndpointUpdateParams{Disabled: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(emu.Webhooks().Redeliver(ev, id)).To(MatchError(ContainSubstring("webhook endpoint " + id + " is disabled")))
			r := ctl(emu.URL(), "POST", "/_emu/webhooks/redeliver", `{"event": "`+ev+`", "endpoint": "`+id+`"}`)
			Expect(r["_status"]).To(BeNumerically("==", 400))
			Expect(ctlMessage(r)).To(ContainSubstring("is disabled"))
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			Expect(rcv.IDs()).To(Equal([]string{ev}), "nothing more was sent")
		})

		It("refuses a fault that would never fire, on a method or path no request has", func() {
			r := ctl(emu.URL(), "POST", "/_emu/faults", `{"method": "post", "path": "/v1/refunds", "kind": "rate_limit"}`)
			Expect(r["_status"]).To(BeNumerically("==", 400))
			Expect(ctlMessage(r)).To(Equal(`method "post": must be one of DELETE, GET, POST, or left out for any`))
			r = ctl(emu.URL(), "POST", "/_emu/faults", `{"method": "POST", "path": "v1/refunds", "kind": "rate_limit"}`)
			Expect(r["_status"]).To(BeNumerically("==", 400))
			Expect(ctlMessage(r)).To(Equal(`path "v1/refunds": must start with / (* matches one segment), or be left out for any`))
			Expect(ctl(emu.URL(), "GET", "/_emu/faults", "")["list"]).To(BeEmpty())
		})

		It("refuses a delay for an event type that does not exist, with 400 and not 404", func() {
			r := ctl(emu.URL(), "POST", "/_emu/webhooks/endpoints/"+id+"/policy", `{"delay": {"customer.create": "1m"}}`)
			Expect(r["_status"]).To(BeNumerically("==", 400))
			Expect(ctlMessage(r)).To(ContainSubstring(`"customer.create" is not an event type`))
		})
	})
})

// ctlMessage is the message of a control surface error.
func ctlMessage(r map[string]any) string {
	e, _ := r["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

// fakeTB is a test that failed, or not, for what Start logs at its end.
type fakeTB struct {
	failed   bool
	logs     []string
	cleanups []func()
}

func (t *fakeTB) Helper()                      {}
func (t *fakeTB) Cleanup(f func())             { t.cleanups = append(t.cleanups, f) }
func (t *fakeTB) Fatalf(f string, args ...any) { Fail(fmt.Sprintf(f, args...)) }
func (t *fakeTB) Failed() bool                 { return t.failed }
func (t *fakeTB) Logf(f string, args ...any)   { t.logs = append(t.logs, fmt.Sprintf(f, args...)) }
func (t *fakeTB) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}
