// Package scenarios is the scenario file format: a payment story written
// once, as YAML, then run by the harness against an application that talks
// to the emulator.
//
// A complete scenario:
//
//	name: A SEPA checkout is not fulfilled before the money arrives
//	labels: [story-4, checkout]
//	seed: 7                        # webhook shuffles/duplicates replay from it (1 to 2^64-1)
//	app:
//	  handler: shop                # an in-process app registered from Go, or
//	  # command: go run ./specs/apps/shop-fixed
//	  # ready: /healthz            # answers 2xx/3xx once the app is up
//	  # dir: ..                    # where the command runs, relative to this file
//	  # env: {SHOP_CURRENCY: eur}  # added to its environment (after the STRIPE_* and PORT; an --app's too)
//	webhooks:
//	  - path: /webhooks/stripe     # on the app
//	    events: ["*"]
//	    policy: {order: inorder}
//	steps:
//	  - name: buy a ticket
//	    app: POST /orders
//	    json: {sku: ticket}
//	    as: order
//	    expect: {status: 201}
//	  - customer: complete_checkout
//	    session: ${order.body.checkout_session}
//	    payment_method: pm_sepa_debit
//	  - webhooks: deliver
//	  - expect:
//	      app: GET /orders/${order.body.id}
//	      json: {status: awaiting_payment}
//	  - clock: {advance: 5m}
//	  - webhooks: deliver
//	  - expect:
//	      app: GET /orders/${order.body.id}
//	      json: {status: paid}
//	      within: 5s
//
// Each step starts once the webhook deliveries earlier steps made due have
// landed (held ones, and those delayed on the clock, wait): a run does not
// race the app's webhook handler.
//
// Step kinds (exactly one per step, with `name` and `as` allowed on all):
//
//   - stripe: "METHOD /v1/..." with params, account, idempotency_key,
//     expect_error {status, type, code, message, param}: a call to Stripe as
//     the app's back office would make it.
//
//   - app: "METHOD /path" with json or form, headers, expect: a call to the
//     app; its answer is captured as {status, headers, body}.
//
//   - customer: complete_checkout {session, payment_method}, authenticate
//     {payment_intent, outcome}, settle {payment_intent, outcome},
//     complete_onboarding {account}, pay_invoice {invoice, payment_method}
//     (on its hosted invoice page), verify_identity {verification_session,
//     outcome} (on an Identity session's test page: verified, the default,
//     or a last_error code such as document_expired): what the customer (or
//     a connected account's owner) does in the browser or the bank does
//     later. Each action takes only its own fields (and account); a
//     payment_method left out is pm_card_visa, an outcome left out
//     succeed (verified for verify_identity).
//
//   - clock: {advance: 3d} or {set: RFC3339}, optionally test_clock.
//
//   - webhooks (a scenario with a webhooks entry): deliver (every due delivery lands) | hold | release |
//     redeliver {event: evt_…, a reference, or a type: its latest event} |
//     policy {policy}, with endpoint (the webhooks
//     entry's path; default the first). hold holds every delivery from then
//     on, until a policy step without hold replaces the policy (and sends
//     what is held). release sends
//     what is held so far: all of it in the policy's order, the held events
//     of some types (a type of which none is held fails the step), or an order of events (evt_… or references) and event types, a
//     type standing for its held events, in exactly that order: a race
//     reproduced on purpose, e.g. order: [checkout.session.async_payment_succeeded,
//     checkout.session.completed].
//
//   - fault: {method, path, kind, times, duration}: the next times
//     requests (0: every one) matching method (any when left out) and path
//     (* matches one segment) fail as kind says: server_error, rate_limit,
//     lock_timeout, drop, drop_answer (the request runs, its answer is
//     lost), delay (answered duration late) or hold (held until the
//     scenario ends, for an app's own timeout to give up on).
//
//   - expect: one of app {status, json, within: GET only, as it asks
//     again until the answer holds}, state {object, account,
//     fields: every mismatch is reported} or count {object, account, equals}, webhooks {delivered,
//     contains, not_contains, app_status}, requests {method, path, params,
//     account, count | at_least | none}: the app's requests to Stripe (the
//     stripe, customer and fixture steps' are not counted), events {account, types, equals,
//     contains, not_contains}: the events the emulator recorded (whether
//     or not the app receives them), oldest first, those of types (e.g.
//     [quote.*, invoice.paid]; all when left out) exactly in order or in
//     part, or stripe "GET /v1/..." {params, account, fields}: what Stripe
//     answers a read (a balance summary, a list), field by field.
//
//   - fixture: a stripe-cli fixture file (`stripe fixtures FILE`; Stripe
//     CLI's triggers are such files), its path relative to the scenario
//     file, read and checked when the scenario loads (so validate reports
//     a missing one), then run as a whole, as stripe-cli runs it:
//     ${name:path} and ${name:path|default} read earlier answers with
//     gjson paths, ${.env:NAME} the environment, ${time-now-RFC3339} the
//     emulator's clock, ${generate-uuid} a UUID from the run's seed;
//     expected_error_type passes over the failure it names;
//     idempotency_key and headers are sent; v2 POST bodies are JSON;
//     api_base is accepted (every host is the emulator), env is not
//     written. As `as`, it answers each named request's answer by name.
//
// accounts: {name: {email, type}} are connected accounts the harness
// creates before the steps (express unless type says), requesting the
// card_payments and transfers capabilities as a marketplace platform does;
// they become active when a complete_onboarding step onboards the account.
//
// ${name.path} refers to what an earlier step captured with `as` (or a
// named account, or ${env:NAME}, which fails its step when NAME is not
// set); the loader checks the name exists by
// then. Values in expectations may be literals or matchers: {not: x},
// {present: true|false}, {contains: ...} (text holding the text, a list
// holding the element, an object holding the fields), {one_of: [...]}. YAML's
// anchors and aliases repeat a step or a mapping: `- &signup` before a
// step, `- *signup` to run it again.
package scenarios
