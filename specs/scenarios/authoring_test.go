package scenarios_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/stripe-emu/stripe-emu/harness"
	"github.com/stripe-emu/stripe-emu/scenarios"
)

// What a CI pipeline author meets writing scenario files: mistakes the
// loader must report with file, line and the allowed values, and failures
// whose report leads to the cause.
var _ = Describe("Writing scenarios", Label("scenarios"), func() {
	problem := func(yaml string) string {
		_, err := scenarios.Parse("story.yaml", []byte(yaml))
		ExpectWithOffset(1, err).To(HaveOccurred(), "the loader must refuse this scenario")
		var ve *scenarios.ValidationError
		ExpectWithOffset(1, errors.As(err, &ve)).To(BeTrue())
		return err.Error()
	}

	DescribeTable("refuses a step that would not do what it says: a field its action never reads, two bodies, time going back",
		func(step, want string) {
			Expect(problem("name: x\nwebhooks:\n  - path: /hooks\nsteps:\n" + step)).To(ContainSubstring(want))
		},
		Entry("a payment method on authenticate", "  - customer: authenticate\n    payment_intent: pi_1\n    payment_method: pm_card_visa\n",
			`story.yaml:7:5: steps[0].payment_method: authenticate does not take payment_method`),
		Entry("an outcome on complete_checkout", "  - customer: complete_checkout\n    session: cs_1\n    outcome: fail\n",
			`story.yaml:7:5: steps[0].outcome: complete_checkout does not take outcome`),
		Entry("types on hold", "  - webhooks: hold\n    types: [invoice.paid]\n",
			`story.yaml:6:5: steps[0].types: hold does not take types`),
		Entry("an event on release", "  - webhooks: release\n    event: evt_1\n",
			`story.yaml:6:5: steps[0].event: release does not take event`),
		Entry("both a JSON and a form body on an app call", "  - app: POST /orders\n    json: {sku: ticket}\n    form: {sku: ticket}\n",
			`story.yaml:5:5: steps[0]: give an app call json or form, not both`),
		Entry("a clock moved back", "  - clock: {advance: -5m}\n",
			`story.yaml:5:22: steps[0].clock.advance: the clock only moves forward, got -5m0s; use set`),
		Entry("a capture on a step that answers nothing", "  - clock: {advance: 1m}\n    as: later\n",
			`story.yaml:6:9: steps[0].as: a clock step answers nothing to capture; as goes on stripe, app, customer and fixture steps`),
		Entry("within on a POST, which asking again would repeat", "  - app: POST /orders\n    json: {sku: ticket}\n    expect: {status: 201, within: 5s}\n",
			`story.yaml:7:35: steps[0].expect.within: within asks again until the answer holds, so it goes on GET calls only: asking again would POST again`),
		Entry("a fault on a method no request has", "  - fault: {method: post, path: /v1/refunds, kind: rate_limit}\n",
			`story.yaml:5:21: steps[0].fault.method: want one of DELETE, GET, POST (or none: any), got "post"`),
		Entry("a fault on a path no request has", "  - fault: {method: POST, path: v1/refunds, kind: rate_limit}\n",
			`story.yaml:5:33: steps[0].fault.path: want a path starting with /v1/ or /v2/ (* matches one segment), got "v1/refunds"`),
		Entry("both types and an order on release", "  - webhooks: release\n    types: [invoice.paid]\n    order: [invoice.created]\n",
			`steps[0]: give release either types or an order, not both`),
	)

	DescribeTable("refuses an expectation that could never fail",
		func(step, want string) {
			Expect(problem("name: x\nsteps:\n" + step)).To(ContainSubstring(want))
		},
		Entry("state fields as a list", "  - expect:\n      state: {object: cus_1, fields: [email]}\n",
			`story.yaml:4:38: steps[0].expect.state.fields: want a mapping of dotted paths to values`),
		Entry("state without an object", "  - expect:\n      state: {fields: {email: a@b.c}}\n",
			`steps[0].expect.state.object: say which object (an id or a reference)`),
		Entry("count without equals", "  - expect:\n      count: {object: customer}\n",
			`steps[0].expect.count.equals: say how many to expect`),
		Entry("a count of an object type that does not exist", "  - expect:\n      count: {object: customers, equals: 0}\n",
			`story.yaml:4:23: steps[0].expect.count.object: "customers" is not an object type (its "object" field, singular): did you mean "customer"?`),
		Entry("request params as a list", "  - expect:\n      requests: {path: /v1/refunds, params: [amount]}\n",
			`steps[0].expect.requests.params: want a mapping of parameters`),
		Entry("Stripe read fields as a list", "  - expect:\n      stripe: GET /v1/balance\n      fields: [available]\n",
			`steps[0].expect.fields: want a mapping of dotted paths to values`),
	)

	It("points at the line of a YAML syntax error, without a column it does not know", func() {
		out := problem("name: x\nsteps:\n  - clock: {advance: 1m\n  - clock: {advance: 2m}\n")
		Expect(out).To(MatchRegexp(`^story.yaml:\d+: invalid YAML: `))
	})

	DescribeTable("refuses a misspelt event type where it would make a check pass or fail for nothing",
		func(yaml, want string) {
			Expect(problem(yaml)).To(ContainSubstring(want))
		},
		Entry("an endpoint's events", "name: x\nwebhooks:\n  - path: /hooks\n    events: [checkout.session.complete]\nsteps:\n  - webhooks: deliver\n",
			`story.yaml:4:14: webhooks[0].events[0]: "checkout.session.complete" is not an event type of 2025-08-27.basil`),
		Entry("a release of types", "name: x\nwebhooks:\n  - path: /hooks\nsteps:\n  - webhooks: release\n    types: [customer.create]\n",
			`story.yaml:6:13: steps[0].types[0]: "customer.create" is not an event type of 2025-08-27.basil`),
		Entry("events not_contains", "name: x\nsteps:\n  - expect:\n      events: {not_contains: [invoice.payed]}\n",
			`steps[0].expect.events.not_contains[0]: "invoice.payed" is not an event type of 2025-08-27.basil`),
		Entry("events types", "name: x\nsteps:\n  - expect:\n      events: {types: [invoice.payed], equals: []}\n",
			`steps[0].expect.events.types[0]: "invoice.payed" is not an event type of 2025-08-27.basil`),
		Entry("webhooks not_contains", "name: x\nwebhooks:\n  - path: /hooks\nsteps:\n  - expect:\n      webhooks: {not_contains: [checkout.session.complete]}\n",
			`steps[0].expect.webhooks.not_contains[0]: "checkout.session.complete" is not an event type of 2025-08-27.basil`),
		Entry("webhooks delivered", "name: x\nwebhooks:\n  - path: /hooks\nsteps:\n  - expect:\n      webhooks: {delivered: [customer.create]}\n",
			`steps[0].expect.webhooks.delivered[0]: "customer.create" is not an event type of 2025-08-27.basil`),
	)

	DescribeTable("refuses a delivery policy the emulator would not apply as written",
		func(policy, want string) {
			Expect(problem("name: x\nwebhooks:\n  - path: /hooks\n    policy: " + policy + "\nsteps:\n  - webhooks: deliver\n")).To(ContainSubstring(want))
		},
		Entry("a negative duplicate", "{duplicate: -1}", `webhooks[0].policy.duplicate: want 0 or more, got -1`),
		Entry("a negative concurrency", "{concurrency: -2}", `webhooks[0].policy.concurrency: want 0 or more, got -2`),
		Entry("a delay for a misspelt event type", "{delay: {checkout.session.complete: 1m}}",
			`webhooks[0].policy.delay: "checkout.session.complete" is not an event type of 2025-08-27.basil, nor a group of them (customer.*) or *`),
	)

	It("releases held deliveries in an order of event types, as a race reproduced on purpose", func() {
		s, err := scenarios.Load(library + "/checkout-events-out-of-order.yaml")
		Expect(err).NotTo(HaveOccurred())
		app, err := harness.AppFor(s, apps(true))
		Expect(err).NotTo(HaveOccurred())
		Expect(harness.Execute(s, app, harness.Options{})).To(Succeed())
	})

	run := func(yaml string) string {
		s, err := scenarios.Parse("story.yaml", []byte(yaml))
		ExpectWithOffset(1, err).NotTo(HaveOccurred())
		app, err := harness.AppFor(s, apps(true))
		ExpectWithOffset(1, err).NotTo(HaveOccurred())
		err = harness.Execute(s, app, harness.Options{})
		ExpectWithOffset(1, err).To(HaveOccurred())
		return err.Error()
	}

	It("redelivers the latest event of a type, as a story says it (Stripe's resend)", func() {
		s, err := scenarios.Parse("story.yaml", []byte(`name: resend
app: {handler: shop}
webhooks:
  - path: /webhooks/stripe
    events: ["checkout.session.*"]
steps:
  - app: POST /orders
    json: {sku: ticket}
    as: order
  - customer: complete_checkout
    session: ${order.body.checkout_session}
  - webhooks: redeliver
    event: checkout.session.completed
  - expect:
      webhooks: {delivered: [checkout.session.completed, checkout.session.completed]}
  - expect:
      app: GET /orders/${order.body.id}
      json: {status: paid, fulfilments: 1}
`))
		Expect(err).NotTo(HaveOccurred())
		app, err := harness.AppFor(s, apps(true))
		Expect(err).NotTo(HaveOccurred())
		Expect(harness.Execute(s, app, harness.Options{})).To(Succeed())

		Expect(problem("name: x\nwebhooks:\n  - path: /hooks\nsteps:\n  - webhooks: redeliver\n    event: checkout.session.complete\n")).
			To(ContainSubstring(`story.yaml:6:12: steps[0].event: "checkout.session.complete" is not an event type of 2025-08-27.basil`))
		out := run("name: x\napp: {handler: shop}\nwebhooks:\n  - path: /webhooks/stripe\nsteps:\n  - webhooks: redeliver\n    event: invoice.paid\n")
		Expect(out).To(ContainSubstring("failed at step 1 (webhooks redeliver, story.yaml:6): no invoice.paid event to redeliver"))
	})

	It("tells a redelivery from the delivery it repeats in a failure's report", func() {
		out := run(`name: resent
app: {handler: shop}
webhooks:
  - path: /webhooks/stripe
    events: ["checkout.session.*"]
steps:
  - app: POST /orders
    json: {sku: ticket}
    as: order
  - customer: complete_checkout
    session: ${order.body.checkout_session}
  - webhooks: redeliver
    event: checkout.session.completed
  - expect:
      app: GET /orders/${order.body.id}
      json: {status: shipped}
`)
		Expect(out).To(MatchRegexp(`checkout.session.completed (evt_\w+) \(copy 0, attempt 1\) → 200\n  /webhooks/stripe checkout.session.completed (evt_\w+) \(redelivered, attempt 1\) → 200\n`))
	})

	It("says which events are held when a release names one that is not", func() {
		out := run(`name: held
app: {handler: shop}
webhooks:
  - path: /webhooks/stripe
    events: ["checkout.session.*"]
    policy: {hold: true}
steps:
  - app: POST /orders
    json: {sku: ticket}
    as: order
  - customer: complete_checkout
    session: ${order.body.checkout_session}
  - webhooks: release
    order: [checkout.session.expired]
`)
		Expect(out).To(ContainSubstring("failed at step 3 (webhooks release, story.yaml:13)"))
		Expect(out).To(ContainSubstring("no checkout.session.expired event is held for /webhooks/stripe; held there: checkout.session.completed (evt_"))
	})

	It("says which events are held when a release of types names one of which none is", func() {
		out := run(`name: held
app: {handler: shop}
webhooks:
  - path: /webhooks/stripe
    events: ["checkout.session.*"]
    policy: {hold: true}
steps:
  - app: POST /orders
    json: {sku: ticket}
    as: order
  - customer: complete_checkout
    session: ${order.body.checkout_session}
  - webhooks: release
    types: [checkout.session.completed, checkout.session.expired]
`)
		Expect(out).To(ContainSubstring("failed at step 3 (webhooks release, story.yaml:13)"))
		Expect(out).To(ContainSubstring("no checkout.session.expired event is held for /webhooks/stripe; held there: checkout.session.completed (evt_"))
		Expect(out).NotTo(MatchRegexp(`webhook deliveries`), "a release that names what is not held releases nothing")
	})

	It("shows deliveries still held or waiting, and why an attempt failed, when a step fails", func() {
		out := run(`name: a receiver down
app: {handler: shop}
webhooks:
  - path: /webhooks/stripe
    events: ["checkout.session.*"]
  - path: /no-such-route
    events: ["checkout.session.completed"]
    policy: {delay: {checkout.session.completed: 1h}}
steps:
  - app: POST /orders
    json: {sku: ticket}
    as: order
  - webhooks: hold
  - customer: complete_checkout
    session: ${order.body.checkout_session}
  - expect:
      app: GET /orders/${order.body.id}
      json: {status: paid}
`)
		Expect(out).To(ContainSubstring("failed at step 4"))
		Expect(out).To(MatchRegexp(`held for /webhooks/stripe:\n  checkout.session.completed evt_\w+`))
		Expect(out).To(MatchRegexp(`waiting for /no-such-route:\n  checkout.session.completed evt_\w+ \(copy 0\), due at `))
	})

	It("names why a delivery failed, its endpoint and its next retry", func() {
		down := harness.HandlerApp(func(harness.AppEnv) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/hooks" {
					panic(http.ErrAbortHandler) // the connection drops: no answer at all
				}
				w.WriteHeader(204)
			})
		})
		s, err := scenarios.Parse("story.yaml", []byte(`name: a receiver that drops the connection
webhooks:
  - path: /hooks
    events: [customer.created]
steps:
  - stripe: POST /v1/customers
  - expect:
      webhooks: {delivered: [customer.created]}
`))
		Expect(err).NotTo(HaveOccurred())
		err = harness.Execute(s, down, harness.Options{})
		Expect(err).To(HaveOccurred())
		out := err.Error()
		Expect(out).To(MatchRegexp(`webhook deliveries \(oldest first\):\n  /hooks customer.created evt_\w+ \(copy 0, attempt 1\) → no answer: .*EOF.*; next retry at `), out)
	})

	It("shows why Stripe refused a request of the app's, when the app hides it", func() {
		hiding := harness.HandlerApp(func(env harness.AppEnv) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				req, _ := http.NewRequest("POST", env.StripeAPIBase+"/v1/refunds", strings.NewReader("payment_intent=pi_nope"))
				req.SetBasicAuth(env.SecretKey, "")
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if resp, err := http.DefaultClient.Do(req); err == nil {
					resp.Body.Close()
				}
				http.Error(w, "something went wrong", 500)
			})
		})
		s, err := scenarios.Parse("story.yaml", []byte("name: a refund\nsteps:\n  - app: POST /refunds\n    expect: {status: 200}\n"))
		Expect(err).NotTo(HaveOccurred())
		err = harness.Execute(s, hiding, harness.Options{})
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(MatchRegexp(`app     POST /v1/refunds → 400 \(req_\w+\): No such payment_intent: 'pi_nope'`))
	})

	It("says which account holds an object a state check looked for in another", func() {
		s, err := scenarios.Parse("story.yaml", []byte(`name: where
accounts:
  seller: {email: seller@example.com}
steps:
  - stripe: POST /v1/customers
    account: seller
    params: {email: buyer@example.com}
    as: buyer
  - expect:
      state: {object: "${buyer.id}", fields: {email: buyer@example.com}}
`))
		Expect(err).NotTo(HaveOccurred())
		err = harness.Execute(s, nil, harness.Options{})
		Expect(err).To(HaveOccurred())
		Expect(firstLine(err.Error())).To(MatchRegexp(`no object cus_\w+ in the platform account; it is in seller \(acct_\w+\): give account: seller$`))
	})

	It("names the apps registered when a scenario names another", func() {
		s, err := scenarios.Parse("story.yaml", []byte("name: x\napp: {handler: shops}\nsteps:\n  - clock: {advance: 1m}\n"))
		Expect(err).NotTo(HaveOccurred())
		_, err = harness.AppFor(s, apps(true))
		Expect(err).To(MatchError(`story.yaml: no app registered as "shops" (registered: bookings, coworking, organizers, pricing, shop, wholesale)`))
	})

	It("keeps a chatty app's output to its last lines, saying how many came before", func() {
		var log strings.Builder
		for i := 1; i <= 500; i++ {
			fmt.Fprintf(&log, "line %d\n", i)
		}
		out := (&harness.StepError{Scenario: "x", File: "story.yaml", Line: 3, Step: "app GET /", Err: errors.New("boom"), AppLog: log.String()}).Error()
		Expect(out).To(ContainSubstring("app output (its last 80 lines; 420 before them are left out):\nline 421\n"))
		Expect(out).To(HaveSuffix("line 500\n"))
		Expect(out).NotTo(ContainSubstring("line 420\n"))
	})

	It("tells how to replay the seed it prints, from a file or the command line", func() {
		out := run(`name: replay
app: {handler: shop}
steps:
  - expect:
      app: GET /orders/ord_404
      json: {status: paid}
`)
		Expect(out).To(MatchRegexp(`replay with seed (\d+): add "seed: (\d+)" to story.yaml, or run with STRIPE_EMU_SEED=(\d+) \(stripe-emu test --seed (\d+)\)`))
	})

	It("replays a shuffled delivery order from the seed a failure prints, written into the file", func() {
		// An app that records the order its webhooks arrive in.
		var mu sync.Mutex
		var order []string
		recorder := harness.HandlerApp(func(env harness.AppEnv) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				ev, err := webhook.ConstructEvent(body, r.Header.Get("Stripe-Signature"), env.WebhookSecret)
				if err != nil {
					http.Error(w, err.Error(), 400)
					return
				}
				mu.Lock()
				order = append(order, ev.Data.Object["email"].(string))
				mu.Unlock()
			})
		})
		story := `name: shuffled
webhooks:
  - path: /hooks
    events: [customer.created]
    policy: {order: shuffle, hold: true}
steps:
`
		for i := range 8 {
			story += fmt.Sprintf("  - stripe: POST /v1/customers\n    params: {email: c%d@example.com}\n", i)
		}
		story += "  - webhooks: release\n  - expect: {count: {object: customer, equals: 0}}\n"
		runOnce := func(yaml string) ([]string, string) {
			mu.Lock()
			order = nil
			mu.Unlock()
			s, err := scenarios.Parse("story.yaml", []byte(yaml))
			Expect(err).NotTo(HaveOccurred())
			err = harness.Execute(s, recorder, harness.Options{})
			Expect(err).To(MatchError(ContainSubstring("holds 8 customer objects, want 0")))
			mu.Lock()
			defer mu.Unlock()
			return slices.Clone(order), err.Error()
		}
		first, out := runOnce(story)
		Expect(first).To(HaveLen(8))
		seed := regexp.MustCompile(`add "(seed: \d+)" to story.yaml`).FindStringSubmatch(out)
		Expect(seed).NotTo(BeNil(), out)
		replayed, _ := runOnce(seed[1] + "\n" + story)
		Expect(replayed).To(Equal(first))
	})

	It("says it failed setting the scenario up, not at a step 0", func() {
		s, err := scenarios.Parse("story.yaml", []byte("name: x\nwebhooks:\n  - path: /hooks\nsteps:\n  - clock: {advance: 1m}\n"))
		Expect(err).NotTo(HaveOccurred())
		err = harness.Execute(s, nil, harness.Options{})
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(HavePrefix(`scenario "x" failed setting up (story.yaml): webhooks[0] (/hooks) needs an app to deliver to: give app.handler or app.command, or run with --app`))
	})

	It("replays a seed from STRIPE_EMU_SEED for every scenario of a Ginkgo suite, as the binary does", func() {
		DeferCleanup(os.Setenv, "STRIPE_EMU_SEED", os.Getenv("STRIPE_EMU_SEED"))
		Expect(os.Setenv("STRIPE_EMU_SEED", "18446744073709551615")).To(Succeed())
		Expect(harness.SeedFromEnv()).To(Equal(uint64(18446744073709551615)))
		Expect(os.Setenv("STRIPE_EMU_SEED", "")).To(Succeed())
		Expect(harness.SeedFromEnv()).To(BeZero())
		Expect(os.Setenv("STRIPE_EMU_SEED", "lots")).To(Succeed())
		_, err := harness.SeedFromEnv()
		Expect(err).To(MatchError(`STRIPE_EMU_SEED="lots": want a whole number from 1 to 18446744073709551615`))
	})

	It("takes back any seed it prints, the whole range of a uint64", func() {
		s, err := scenarios.Parse("story.yaml", []byte("name: x\nseed: 18446744073709551615\nsteps:\n  - clock: {advance: 1m}\n"))
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Seed).To(Equal(uint64(18446744073709551615)))
		Expect(problem("name: x\nseed: -1\nsteps:\n  - clock: {advance: 1m}\n")).To(ContainSubstring(`story.yaml:2:7: seed: want a whole number from 1 to 18446744073709551615, got "-1"`))
	})

	It("reports every mismatched field of a state check in a stable order", func() {
		yaml := `name: fields
steps:
  - stripe: POST /v1/customers
    params: {email: a@example.com, name: Ada, description: first}
    as: c
  - expect:
      state: {object: "${c.id}", fields: {name: Grace, email: b@example.com, description: second, balance: 5}}
`
		s, err := scenarios.Parse("story.yaml", []byte(yaml))
		Expect(err).NotTo(HaveOccurred())
		first := harness.Execute(s, nil, harness.Options{}).Error()
		for i := 0; i < 5; i++ {
			again := harness.Execute(s, nil, harness.Options{}).Error()
			Expect(firstLine(again)).To(MatchRegexp(`balance: want 5, got 0; .*description: want "second", got "first"; .*email: want "b@example.com", got "a@example.com"; .*name: want "Grace", got "Ada"`))
			Expect(strings.Count(firstLine(again), "want")).To(Equal(strings.Count(firstLine(first), "want")))
		}
	})
})

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
