package billing_test

import (
	"errors"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Usage reported through Stripe's v2 API: single meter events validated at
// once, their cancellation, and the high-throughput meter event stream
// authenticated by a 15-minute session token. All of it feeds the same
// aggregation as v1's meter events.
var _ = Describe("Billing meter events through the v2 API", Label("billing", "meters", "v2"), func() {
	var (
		emu   *emulator.Emulator
		sc    *stripe.Client
		meter *stripe.BillingMeter
		cus   *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		meter, err = sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{
			DisplayName: stripe.String("API calls"), EventName: stripe.String("api_call"),
			DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("sum")},
		})
		Expect(err).NotTo(HaveOccurred())
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("usage@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})

	usage := func(client *stripe.Client, meterID, customer string, account string) float64 {
		GinkgoHelper()
		p := &stripe.BillingMeterEventSummaryListParams{ID: stripe.String(meterID), Customer: stripe.String(customer),
			StartTime: stripe.Int64(Epoch.Add(-time.Hour).Unix()), EndTime: stripe.Int64(Epoch.Add(time.Hour).Unix())}
		if account != "" {
			p.SetStripeAccount(account)
		}
		total := 0.0
		for s, err := range client.V1BillingMeterEventSummaries.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			total += s.AggregatedValue
		}
		return total
	}
	event := func(value, identifier string) *stripe.V2BillingMeterEventCreateParams {
		p := &stripe.V2BillingMeterEventCreateParams{EventName: stripe.String("api_call"),
			Payload: map[string]string{"stripe_customer_id": cus.ID, "value": value}}
		if identifier != "" {
			p.Identifier = stripe.String(identifier)
		}
		return p
	}
	v2Err := func(err error) *stripe.V2RawError {
		GinkgoHelper()
		var e *stripe.V2RawError
		Expect(errors.As(err, &e)).To(BeTrue(), "not a v2 error: %v", err)
		return e
	}

	It("records an event as v1 does, counted with v1's events", func() {
		at := Epoch.Add(-10 * time.Minute)
		p := event("5", "req-1")
		p.Timestamp = &at
		ev, err := sc.V2BillingMeterEvents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(ev.Object).To(Equal("v2.billing.meter_event"))
		Expect(ev.EventName).To(Equal("api_call"))
		Expect(ev.Identifier).To(Equal("req-1"))
		Expect(ev.Payload).To(Equal(map[string]string{"stripe_customer_id": cus.ID, "value": "5"}))
		Expect(ev.Timestamp.Equal(at)).To(BeTrue(), "timestamp %v", ev.Timestamp)
		Expect(ev.Created.Equal(Epoch)).To(BeTrue(), "created %v", ev.Created)
		Expect(ev.Livemode).To(BeFalse())

		_, err = sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("api_call"),
			Payload: map[string]string{"stripe_customer_id": cus.ID, "value": "2"}})
		Expect(err).NotTo(HaveOccurred())
		ev, err = sc.V2BillingMeterEvents.Create(Ctx, event("1", ""))
		Expect(err).NotTo(HaveOccurred())
		Expect(ev.Identifier).NotTo(BeEmpty(), "an identifier is made when none is sent")
		Expect(ev.Timestamp.Equal(Epoch)).To(BeTrue(), "the timestamp defaults to now")
		Expect(usage(sc, meter.ID, cus.ID, "")).To(Equal(8.0))
	})

	It("applies v1's rules: identifiers unique for 24 hours, the timestamp window, whole-number values", func() {
		_, err := sc.V2BillingMeterEvents.Create(Ctx, event("1", "dup"))
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V2BillingMeterEvents.Create(Ctx, event("1", "dup"))
		e := v2Err(err)
		Expect(string(*e.Type)).To(Equal("invalid_request_error"))
		Expect(e.Message).To(ContainSubstring("dup"))

		old := Epoch.Add(-36 * 24 * time.Hour)
		p := event("1", "")
		p.Timestamp = &old
		_, err = sc.V2BillingMeterEvents.Create(Ctx, p)
		Expect(v2Err(err).Message).To(ContainSubstring("cannot be more than 35 days in past"))
		ahead := Epoch.Add(6 * time.Minute)
		p.Timestamp = &ahead
		_, err = sc.V2BillingMeterEvents.Create(Ctx, p)
		Expect(v2Err(err).Message).To(ContainSubstring("5 minutes in the future"))

		_, err = sc.V2BillingMeterEvents.Create(Ctx, event("lots", ""))
		Expect(v2Err(err).Message).To(ContainSubstring("payload[value]"))

		// stripe-go sends a field Stripe requires as null when it is unset.
		_, err = sc.V2BillingMeterEvents.Create(Ctx, &stripe.V2BillingMeterEventCreateParams{Payload: map[string]string{"value": "1"}})
		e = v2Err(err)
		Expect(e.Code).To(Equal("invalid_fields"))
		Expect(e.Message).To(ContainSubstring("event_name"))

		Expect(usage(sc, meter.ID, cus.ID, "")).To(Equal(1.0))
		emu.Clock().Advance(24 * time.Hour)
		_, err = sc.V2BillingMeterEvents.Create(Ctx, event("1", "dup"))
		Expect(err).NotTo(HaveOccurred(), "an identifier is free again after 24 hours")
	})

	It("answers malformed, unknown and mistyped fields with v2 errors naming them", func() {
		for _, tc := range []struct{ body, code, names string }{
			{`{"event_name":"api_call","payload":{"value":"1"},"colour":"red"}`, "invalid_fields", "colour"},
			{`{"event_name":"api_call","payload":{"value":1}}`, "invalid_fields", "payload[value]"},
			{`{"event_name":"api_call","payload":{"value":"1"},"timestamp":1756728000}`, "invalid_fields", "timestamp"},
			{`{"event_name":["api_call"],"payload":{}}`, "invalid_fields", "event_name"},
			{`{"payload":{"value":"1"}}`, "invalid_fields", "event_name"},
			{`{"event_name":"api_call","payload":`, "invalid_json", "JSON"},
		} {
			r := Do(emu.URL(), "POST", "/v2/billing/meter_events", tc.body, "Content-Type", "application/json")
			Expect(r.Status).To(Equal(400), tc.body)
			Expect(r.Body).To(HaveLen(1), tc.body)
			e := r.Error()
			Expect(e).To(HaveKeyWithValue("type", "invalid_request_error"), tc.body)
			Expect(e).To(HaveKeyWithValue("code", tc.code), tc.body)
			Expect(e["message"]).To(ContainSubstring(tc.names), tc.body)
		}
		r := Do(emu.URL(), "POST", "/v2/billing/meter_events", `{"event_name":"api_call","payload":{"value":"1"}}`, "Content-Type", "application/json", "Authorization", "")
		Expect(r.Status).To(Equal(401))
		r = Do(emu.URL(), "POST", "/v2/billing/meter_events", `{"event_name":"api_call","payload":{"value":"1"}}`, "Content-Type", "application/json", "Stripe-Version", "not-a-version")
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["message"]).To(ContainSubstring("not-a-version"))
		r = Do(emu.URL(), "GET", "/v2/billing/meter_events", "")
		Expect(r.Status).To(Equal(404))
		Expect(r.Error()["message"]).To(HavePrefix("Unrecognized request URL"))
		Expect(usage(sc, meter.ID, cus.ID, "")).To(BeZero())
	})

	It("replays a success under its idempotency key and runs a failed request again", func() {
		p := event("3", "idem-1")
		p.SetIdempotencyKey("key-1")
		first, err := sc.V2BillingMeterEvents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		again, err := sc.V2BillingMeterEvents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred(), "a replay, not a second event with a taken identifier")
		Expect(again.LastResponse.Header.Get("Idempotent-Replayed")).To(Equal("true"))
		Expect(again.Identifier).To(Equal(first.Identifier))
		Expect(usage(sc, meter.ID, cus.ID, "")).To(Equal(3.0))

		other := event("4", "idem-2")
		other.SetIdempotencyKey("key-1")
		_, err = sc.V2BillingMeterEvents.Create(Ctx, other)
		Expect(string(*v2Err(err).Type)).To(Equal("idempotency_error"))

		// Cancelling an event not yet recorded fails; once it is, the
		// same request under the same key succeeds: v2 keeps no failure.
		adj := &stripe.V2BillingMeterEventAdjustmentCreateParams{EventName: stripe.String("api_call"), Type: stripe.String("cancel"),
			Cancel: &stripe.V2BillingMeterEventAdjustmentCreateCancelParams{Identifier: stripe.String("late")}}
		adj.SetIdempotencyKey("key-2")
		_, err = sc.V2BillingMeterEventAdjustments.Create(Ctx, adj)
		Expect(v2Err(err).Message).To(ContainSubstring("late"))
		_, err = sc.V2BillingMeterEvents.Create(Ctx, event("10", "late"))
		Expect(err).NotTo(HaveOccurred())
		Expect(usage(sc, meter.ID, cus.ID, "")).To(Equal(13.0))
		a, err := sc.V2BillingMeterEventAdjustments.Create(Ctx, adj)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Status).To(Equal(stripe.V2BillingMeterEventAdjustmentStatusPending)) // as Stripe answers it: processed after the answer (applied at once here)
		Expect(usage(sc, meter.ID, cus.ID, "")).To(Equal(3.0))
	})

	It("cancels an event by its identifier within 24 hours", func() {
		_, err := sc.V2BillingMeterEvents.Create(Ctx, event("7", "to-cancel"))
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V2BillingMeterEvents.Create(Ctx, event("2", "kept"))
		Expect(err).NotTo(HaveOccurred())
		a, err := sc.V2BillingMeterEventAdjustments.Create(Ctx, &stripe.V2BillingMeterEventAdjustmentCreateParams{
			EventName: stripe.String("api_call"), Type: stripe.String("cancel"),
			Cancel: &stripe.V2BillingMeterEventAdjustmentCreateCancelParams{Identifier: stripe.String("to-cancel")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Object).To(Equal("v2.billing.meter_event_adjustment"))
		Expect(a.ID).NotTo(BeEmpty())
		Expect(a.Cancel.Identifier).To(Equal("to-cancel"))
		Expect(a.EventName).To(Equal("api_call"))
		Expect(a.Type).To(Equal(stripe.V2BillingMeterEventAdjustmentTypeCancel))
		Expect(a.Created.Equal(Epoch)).To(BeTrue())
		Expect(usage(sc, meter.ID, cus.ID, "")).To(Equal(2.0))

		_, err = sc.V2BillingMeterEventAdjustments.Create(Ctx, &stripe.V2BillingMeterEventAdjustmentCreateParams{
			EventName: stripe.String("api_call"), Type: stripe.String("cancel")})
		e := v2Err(err)
		Expect(e.Code).To(Equal("invalid_fields"))
		Expect(e.Message).To(ContainSubstring("cancel"))
		_, err = sc.V2BillingMeterEventAdjustments.Create(Ctx, &stripe.V2BillingMeterEventAdjustmentCreateParams{
			EventName: stripe.String("api_call"), Type: stripe.String("range"),
			Cancel: &stripe.V2BillingMeterEventAdjustmentCreateCancelParams{Identifier: stripe.String("kept")}})
		Expect(v2Err(err).Message).To(ContainSubstring("type"))

		emu.Clock().Advance(25 * time.Hour)
		_, err = sc.V2BillingMeterEventAdjustments.Create(Ctx, &stripe.V2BillingMeterEventAdjustmentCreateParams{
			EventName: stripe.String("api_call"), Type: stripe.String("cancel"),
			Cancel: &stripe.V2BillingMeterEventAdjustmentCreateCancelParams{Identifier: stripe.String("kept")}})
		Expect(v2Err(err).Message).To(ContainSubstring("24 hours"))
	})

	Describe("the meter event stream", func() {
		newSession := func(p *stripe.V2BillingMeterEventSessionCreateParams) *stripe.V2BillingMeterEventSession {
			GinkgoHelper()
			s, err := sc.V2BillingMeterEventSessions.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			return s
		}
		streamed := func(value, identifier string, at *time.Time) *stripe.V2BillingMeterEventStreamCreateEventParams {
			ev := &stripe.V2BillingMeterEventStreamCreateEventParams{EventName: stripe.String("api_call"),
				Payload: map[string]string{"stripe_customer_id": cus.ID, "value": value}, Timestamp: at}
			if identifier != "" {
				ev.Identifier = stripe.String(identifier)
			}
			return ev
		}

		It("takes batches authenticated by a session token good for 15 minutes of emulator time", func() {
			s := newSession(nil)
			Expect(s.Object).To(Equal("v2.billing.meter_event_session"))
			Expect(s.ID).NotTo(BeEmpty())
			Expect(s.AuthenticationToken).NotTo(BeEmpty())
			Expect(s.Created.Equal(Epoch)).To(BeTrue())
			Expect(s.ExpiresAt.Equal(Epoch.Add(15*time.Minute))).To(BeTrue(), "expires_at %v", s.ExpiresAt)

			// The stream's backend (meter-events.stripe.com at Stripe) is
			// the emulator's own URL: emu.ClientWithKey points every
			// backend there.
			stream := emu.ClientWithKey(s.AuthenticationToken)
			err := stream.V2BillingMeterEventStreams.Create(Ctx, &stripe.V2BillingMeterEventStreamCreateParams{
				Events: []*stripe.V2BillingMeterEventStreamCreateEventParams{streamed("2", "s-1", nil), streamed("3", "s-2", nil)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(usage(sc, meter.ID, cus.ID, "")).To(Equal(5.0))

			emu.Clock().Advance(14*time.Minute + 59*time.Second)
			Expect(stream.V2BillingMeterEventStreams.Create(Ctx, &stripe.V2BillingMeterEventStreamCreateParams{
				Events: []*stripe.V2BillingMeterEventStreamCreateEventParams{streamed("1", "", nil)}})).To(Succeed())
			emu.Clock().Advance(time.Second)
			err = stream.V2BillingMeterEventStreams.Create(Ctx, &stripe.V2BillingMeterEventStreamCreateParams{
				Events: []*stripe.V2BillingMeterEventStreamCreateEventParams{streamed("1", "", nil)}})
			var expired *stripe.TemporarySessionExpiredError
			Expect(errors.As(err, &expired)).To(BeTrue(), "not a TemporarySessionExpiredError: %v", err)
			Expect(expired.Code).To(Equal("billing_meter_event_session_expired"))
			// Stripe's spec requires doc_url on this error (v2.error.billing_meter_event_session_expired).
			Expect(expired.DocURL).NotTo(BeNil())
			Expect(*expired.DocURL).To(Equal("https://stripe.com/docs/error-codes/billing-meter-event-session-expired"))
			Expect(expired.LastResponse.StatusCode).To(Equal(401))
			Expect(usage(sc, meter.ID, cus.ID, "")).To(Equal(6.0))

			// A new session carries on.
			stream = emu.ClientWithKey(newSession(nil).AuthenticationToken)
			Expect(stream.V2BillingMeterEventStreams.Create(Ctx, &stripe.V2BillingMeterEventStreamCreateParams{
				Events: []*stripe.V2BillingMeterEventStreamCreateEventParams{streamed("4", "", nil)}})).To(Succeed())
			Expect(usage(sc, meter.ID, cus.ID, "")).To(Equal(10.0))
		})

		It("refuses API keys and unknown tokens, and malformed batches at once", func() {
			err := sc.V2BillingMeterEventStreams.Create(Ctx, &stripe.V2BillingMeterEventStreamCreateParams{
				Events: []*stripe.V2BillingMeterEventStreamCreateEventParams{streamed("1", "", nil)}})
			e := v2Err(err)
			Expect(e.Message).To(ContainSubstring("API key"))
			err = emu.ClientWithKey("token_forged").V2BillingMeterEventStreams.Create(Ctx, &stripe.V2BillingMeterEventStreamCreateParams{
				Events: []*stripe.V2BillingMeterEventStreamCreateEventParams{streamed("1", "", nil)}})
			Expect(v2Err(err).Message).To(ContainSubstring("Invalid authentication token"))

			stream := emu.ClientWithKey(newSession(nil).AuthenticationToken)
			err = stream.V2BillingMeterEventStreams.Create(Ctx, &stripe.V2BillingMeterEventStreamCreateParams{})
			Expect(v2Err(err).Code).To(Equal("invalid_fields"))
			many := make([]*stripe.V2BillingMeterEventStreamCreateEventParams, 101)
			for i := range many {
				many[i] = streamed("1", "", nil)
			}
			err = stream.V2BillingMeterEventStreams.Create(Ctx, &stripe.V2BillingMeterEventStreamCreateParams{Events: many})
			Expect(v2Err(err).Message).To(ContainSubstring("100"))
			err = stream.V2BillingMeterEventStreams.Create(Ctx, &stripe.V2BillingMeterEventStreamCreateParams{
				Events: []*stripe.V2BillingMeterEventStreamCreateEventParams{{EventName: stripe.String("api_call")}}})
			e = v2Err(err)
			Expect(e.Code).To(Equal("invalid_fields"))
			Expect(e.Message).To(ContainSubstring("events[0][payload]"))
			Expect(usage(sc, meter.ID, cus.ID, "")).To(BeZero())
		})

		It("validates events after accepting the batch: a bad event is left out, the others count, a resent one counts once", func() {
			stream := emu.ClientWithKey(newSession(nil).AuthenticationToken)
			old := Epoch.Add(-40 * 24 * time.Hour)
			batch := &stripe.V2BillingMeterEventStreamCreateParams{Events: []*stripe.V2BillingMeterEventStreamCreateEventParams{
				streamed("2", "b-1", nil), streamed("100", "b-2", &old), streamed("x", "b-3", nil), streamed("5", "b-4", nil),
			}}
			Expect(stream.V2BillingMeterEventStreams.Create(Ctx, batch)).To(Succeed())
			Expect(usage(sc, meter.ID, cus.ID, "")).To(Equal(7.0))
			Expect(stream.V2BillingMeterEventStreams.Create(Ctx, batch)).To(Succeed())
			Expect(usage(sc, meter.ID, cus.ID, "")).To(Equal(7.0))
		})

		It("records into the account the session was made for (Stripe-Context)", func() {
			acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express")})
			Expect(err).NotTo(HaveOccurred())
			mp := &stripe.BillingMeterCreateParams{DisplayName: stripe.String("Calls"), EventName: stripe.String("api_call"),
				DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("sum")}}
			mp.SetStripeAccount(acct.ID)
			theirs, err := sc.V1BillingMeters.Create(Ctx, mp)
			Expect(err).NotTo(HaveOccurred())
			// The events name the account's own customer.
			platformCus := cus
			cp := &stripe.CustomerCreateParams{Email: stripe.String("theirs@example.com")}
			cp.SetStripeAccount(acct.ID)
			cus, err = sc.V1Customers.Create(Ctx, cp)
			Expect(err).NotTo(HaveOccurred())

			sp := &stripe.V2BillingMeterEventSessionCreateParams{}
			sp.StripeContext = stripe.String(acct.ID)
			stream := emu.ClientWithKey(newSession(sp).AuthenticationToken)
			Expect(stream.V2BillingMeterEventStreams.Create(Ctx, &stripe.V2BillingMeterEventStreamCreateParams{
				Events: []*stripe.V2BillingMeterEventStreamCreateEventParams{streamed("6", "", nil)}})).To(Succeed())
			ep := event("1", "")
			ep.StripeContext = stripe.String(acct.ID)
			_, err = sc.V2BillingMeterEvents.Create(Ctx, ep)
			Expect(err).NotTo(HaveOccurred())
			Expect(usage(sc, theirs.ID, cus.ID, acct.ID)).To(Equal(7.0))
			Expect(usage(sc, meter.ID, platformCus.ID, "")).To(BeZero())

			ep.StripeContext = stripe.String("acct_unknown")
			_, err = sc.V2BillingMeterEvents.Create(Ctx, ep)
			Expect(v2Err(err).Code).To(Equal("account_invalid"))
		})
	})
})
