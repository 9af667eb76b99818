package webhooks_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/emulator/wirecheck"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// thinReceiver is an app's handler for a thin event destination: it
// checks every delivery with stripe-go's ParseThinEvent, as apps do, and
// holds each payload strictly to stripe-go's ThinEvent.
type thinReceiver struct {
	srv    *httptest.Server
	sc     *stripe.Client
	mu     sync.Mutex
	secret string
	events []*stripe.ThinEvent
	errs   []error
}

func newThinReceiver(sc *stripe.Client) *thinReceiver {
	r := &thinReceiver{sc: sc}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		ev, err := r.sc.ParseThinEvent(body, req.Header.Get("Stripe-Signature"), r.secret)
		if err == nil {
			err = wirecheck.CheckAs(body, stripe.ThinEvent{})
		}
		if err != nil {
			r.errs = append(r.errs, err)
			w.WriteHeader(400)
			return
		}
		r.events = append(r.events, ev)
	}))
	DeferCleanup(r.srv.Close)
	return r
}

func (r *thinReceiver) setSecret(s string) { r.mu.Lock(); r.secret = s; r.mu.Unlock() }

func (r *thinReceiver) got() ([]*stripe.ThinEvent, []error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*stripe.ThinEvent(nil), r.events...), append([]error(nil), r.errs...)
}

// Event destinations (/v2/core/event_destinations): webhook endpoints of
// the v2 API taking thin events, or v1's snapshot events, delivered by the
// same dispatcher as /v1/webhook_endpoints and under the same policies.
var _ = Describe("Event destinations and thin events", Label("webhooks", "v2"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	strs := func(s ...string) []*string {
		out := make([]*string, len(s))
		for i := range s {
			out[i] = stripe.String(s[i])
		}
		return out
	}
	thinDestination := func(url string, events ...string) *stripe.V2EventDestination {
		GinkgoHelper()
		d, err := sc.V2CoreEventDestinations.Create(Ctx, &stripe.V2CoreEventDestinationCreateParams{
			Name: stripe.String("usage errors"), Type: stripe.String("webhook_endpoint"), EventPayload: stripe.String("thin"),
			EnabledEvents: strs(events...), WebhookEndpoint: &stripe.V2CoreEventDestinationCreateWebhookEndpointParams{URL: stripe.String(url)},
			Include: strs("webhook_endpoint.signing_secret", "webhook_endpoint.url"),
		})
		Expect(err).NotTo(HaveOccurred())
		return d
	}
	v2Err := func(err error) *stripe.V2RawError {
		GinkgoHelper()
		var e *stripe.V2RawError
		Expect(errors.As(err, &e)).To(BeTrue(), "not a v2 error: %v", err)
		return e
	}

	It("creates, shows, changes, disables, enables, lists and deletes destinations", func() {
		d := thinDestination("https://example.com/thin", "v1.billing.meter.error_report_triggered")
		Expect(d.ID).To(HavePrefix("ed_test_"))
		Expect(d.Object).To(Equal("v2.core.event_destination"))
		Expect(d.Type).To(Equal(stripe.V2EventDestinationTypeWebhookEndpoint))
		Expect(d.EventPayload).To(Equal(stripe.V2EventDestinationEventPayloadThin))
		Expect(d.EventsFrom).To(Equal([]stripe.V2EventDestinationEventsFrom{"self"}))
		Expect(d.Status).To(Equal(stripe.V2EventDestinationStatusEnabled))
		Expect(d.SnapshotAPIVersion).To(BeEmpty())
		Expect(d.WebhookEndpoint.URL).To(Equal("https://example.com/thin"))
		Expect(d.WebhookEndpoint.SigningSecret).To(HavePrefix("whsec_"))
		Expect(d.Created.Equal(Epoch)).To(BeTrue())

		got, err := sc.V2CoreEventDestinations.Retrieve(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		// The endpoint's configuration is there; its includable fields are
		// null unless included (Stripe's reference marks url and
		// signing_secret "includable", not the hash).
		var raw struct {
			WebhookEndpoint map[string]any `json:"webhook_endpoint"`
		}
		Expect(json.Unmarshal(got.LastResponse.RawJSON, &raw)).To(Succeed())
		Expect(raw.WebhookEndpoint).To(Equal(map[string]any{"url": nil, "signing_secret": nil}))
		// A description never given is empty, not null: Stripe's reference
		// does not make it nullable, and Stripe answered a destination made
		// without one "description": "" (stripe/stripe-cli#1390).
		Expect(got.LastResponse.RawJSON).To(ContainSubstring(`"description": ""`))
		got, err = sc.V2CoreEventDestinations.Retrieve(Ctx, d.ID, &stripe.V2CoreEventDestinationRetrieveParams{Include: strs("webhook_endpoint.url")})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.WebhookEndpoint.URL).To(Equal("https://example.com/thin"))
		Expect(got.WebhookEndpoint.SigningSecret).To(BeEmpty(), "the secret is shown at creation only")

		emu.Clock().Advance(time.Minute)
		up, err := sc.V2CoreEventDestinations.Update(Ctx, d.ID, &stripe.V2CoreEventDestinationUpdateParams{
			Name: stripe.String("meter errors"), EnabledEvents: strs("v1.billing.meter.error_report_triggered", "v1.billing.meter.no_meter_found"),
			Metadata: map[string]string{"team": "billing"},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(up.Name).To(Equal("meter errors"))
		Expect(up.EnabledEvents).To(HaveLen(2))
		Expect(up.Metadata).To(Equal(map[string]string{"team": "billing"}))
		Expect(up.Updated.Equal(Epoch.Add(time.Minute))).To(BeTrue())

		off, err := sc.V2CoreEventDestinations.Disable(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(off.Status).To(Equal(stripe.V2EventDestinationStatusDisabled))
		Expect(off.StatusDetails.Disabled.Reason).To(Equal(stripe.V2EventDestinationStatusDetailsDisabledReasonUser))
		_, err = sc.V2CoreEventDestinations.Disable(Ctx, d.ID, nil)
		Expect(v2Err(err).Message).To(ContainSubstring("already disabled"))
		on, err := sc.V2CoreEventDestinations.Enable(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(on.Status).To(Equal(stripe.V2EventDestinationStatusEnabled))
		Expect(on.StatusDetails).To(BeNil())

		// Lists page through next_page_url, newest first.
		thinDestination("https://example.com/2", "v1.billing.meter.no_meter_found")
		thinDestination("https://example.com/3", "v1.billing.meter.no_meter_found")
		var ids []string
		for ed, err := range sc.V2CoreEventDestinations.List(Ctx, &stripe.V2CoreEventDestinationListParams{Limit: stripe.Int64(1)}) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, ed.ID)
		}
		Expect(ids).To(HaveLen(3))
		Expect(ids[2]).To(Equal(d.ID))

		gone, err := sc.V2CoreEventDestinations.Delete(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(gone.ID).To(Equal(d.ID))
		// Stripe's v2 delete answers the deleted object's id and object
		// only (its reference; stripe-python's v2 DeletedObject).
		Expect(gone.LastResponse.RawJSON).To(MatchJSON(`{"id": "` + d.ID + `", "object": "v2.core.event_destination"}`))
		_, err = sc.V2CoreEventDestinations.Retrieve(Ctx, d.ID, nil)
		e := v2Err(err)
		Expect(e.Code).To(Equal("not_found"))
		Expect(e.Message).To(ContainSubstring(d.ID))
	})

	It("lists the thin events of the past 30 days only, as Stripe's reference says ('going back up to 30 days')", func() {
		d := thinDestination("https://example.com/thin", "v2.core.event_destination.ping")
		old, err := sc.V2CoreEventDestinations.Ping(d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(30*24*time.Hour + time.Second)
		recent, err := sc.V2CoreEventDestinations.Ping(d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		var listed []string
		for ev, err := range sc.V2CoreEvents.List(Ctx, &stripe.V2CoreEventListParams{ObjectID: stripe.String(d.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			listed = append(listed, ev.(*stripe.V2CoreEventDestinationPingEvent).ID)
		}
		Expect(listed).To(Equal([]string{recent.(*stripe.V2CoreEventDestinationPingEvent).ID}),
			"not %s, pinged 30 days and a second ago", old.(*stripe.V2CoreEventDestinationPingEvent).ID)
	})

	It("refuses a snapshot_api_version other than the one events are rendered in, the request's own included, as /v1/webhook_endpoints refuses api_version", func() {
		r := Do(emu.URL(), "POST", "/v2/core/event_destinations", `{"name":"snap","type":"webhook_endpoint","event_payload":"snapshot",`+
			`"snapshot_api_version":"2025-07-30.basil","enabled_events":["customer.created"],"webhook_endpoint":{"url":"https://example.com/h"}}`,
			"Content-Type", "application/json", "Stripe-Version", "2025-07-30.basil")
		Expect(r.Status).To(Equal(400), r.Text)
		Expect(r.Error()["message"]).To(ContainSubstring("2025-07-30.basil"))
		var n int
		for _, err := range sc.V2CoreEventDestinations.List(Ctx, nil) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		Expect(n).To(BeZero(), "nothing was made")
	})

	It("answers what does not exist 404 not_found, as Stripe's v2 reference lists it", func() {
		for _, path := range []string{"/v2/core/event_destinations/ed_test_missing", "/v2/core/events/evt_test_missing"} {
			r := Do(emu.URL(), "GET", path, "")
			Expect(r.Status).To(Equal(404), path)
			Expect(r.Error()["code"]).To(Equal("not_found"), path)
		}
		r := Do(emu.URL(), "DELETE", "/v2/core/event_destinations/ed_test_missing", "")
		Expect(r.Status).To(Equal(404))
		Expect(r.Error()["code"]).To(Equal("not_found"))
	})

	It("answers an idempotency key retried with other parameters 409 idempotency_error, changing nothing", func() {
		d := thinDestination("https://example.com/thin", "v1.billing.meter.no_meter_found")
		first := &stripe.V2CoreEventDestinationUpdateParams{Name: stripe.String("first")}
		first.SetIdempotencyKey("rename-1")
		_, err := sc.V2CoreEventDestinations.Update(Ctx, d.ID, first)
		Expect(err).NotTo(HaveOccurred())
		other := &stripe.V2CoreEventDestinationUpdateParams{Name: stripe.String("second")}
		other.SetIdempotencyKey("rename-1")
		_, err = sc.V2CoreEventDestinations.Update(Ctx, d.ID, other)
		Expect(string(*v2Err(err).Type)).To(Equal("idempotency_error"))
		r := Do(emu.URL(), "POST", "/v2/core/event_destinations/"+d.ID, `{"name":"third"}`,
			"Content-Type", "application/json", "Idempotency-Key", "rename-1")
		Expect(r.Status).To(Equal(409))
		Expect(r.Error()["type"]).To(Equal("idempotency_error"))
		r = Do(emu.URL(), "POST", "/v2/core/event_destinations/"+d.ID+"/disable", `{}`,
			"Content-Type", "application/json", "Idempotency-Key", "rename-1")
		Expect(r.Status).To(Equal(409), "another endpoint under the key")
		got, err := sc.V2CoreEventDestinations.Retrieve(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Name).To(Equal("first"))
		Expect(got.Status).To(Equal(stripe.V2EventDestinationStatusEnabled))
	})

	It("takes in enabled_events only the event types of the pinned version, v1 ones for snapshot payloads and thin ones for thin", func() {
		snapshot := func(events ...string) (*stripe.V2EventDestination, error) {
			return sc.V2CoreEventDestinations.Create(Ctx, &stripe.V2CoreEventDestinationCreateParams{
				Name: stripe.String("snap"), Type: stripe.String("webhook_endpoint"), EventPayload: stripe.String("snapshot"),
				EnabledEvents: strs(events...), WebhookEndpoint: &stripe.V2CoreEventDestinationCreateWebhookEndpointParams{URL: stripe.String("https://example.com/h")},
			})
		}
		for _, bad := range [][]string{{"customer.created", "customer.exploded"}, {"custmer.*"}, {"v1.billing.meter.no_meter_found"}} {
			_, err := snapshot(bad...)
			e := v2Err(err)
			Expect(e.Code).To(Equal("invalid_fields"), "%v", bad)
			Expect(e.Message).To(ContainSubstring(bad[len(bad)-1]))
		}
		d, err := snapshot("customer.created", "invoice_payment.paid", "billing.meter.created", "payment_link.*")
		Expect(err).NotTo(HaveOccurred())
		Expect(d.EnabledEvents).To(HaveLen(4))
		_, err = sc.V2CoreEventDestinations.Update(Ctx, d.ID, &stripe.V2CoreEventDestinationUpdateParams{EnabledEvents: strs("charge.sucseeded")})
		Expect(v2Err(err).Code).To(Equal("invalid_fields"))
		got, err := sc.V2CoreEventDestinations.Retrieve(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.EnabledEvents).To(Equal([]string{"customer.created", "invoice_payment.paid", "billing.meter.created", "payment_link.*"}), "nothing changed")
	})

	It("replays a delete retried under its idempotency key, as Stripe's v2 keys cover deletes", func() {
		d := thinDestination("https://example.com/thin", "v1.billing.meter.no_meter_found")
		p := &stripe.V2CoreEventDestinationDeleteParams{}
		p.SetIdempotencyKey("delete-1")
		gone, err := sc.V2CoreEventDestinations.Delete(Ctx, d.ID, p)
		Expect(err).NotTo(HaveOccurred())
		again, err := sc.V2CoreEventDestinations.Delete(Ctx, d.ID, p)
		Expect(err).NotTo(HaveOccurred(), "the retry of a delete whose answer was lost")
		Expect(again.LastResponse.Header.Get("Idempotent-Replayed")).To(Equal("true"))
		Expect(again.ID).To(Equal(gone.ID))
		_, err = sc.V2CoreEventDestinations.Delete(Ctx, d.ID, nil)
		Expect(v2Err(err).Code).To(Equal("not_found"), "under a new key")
		r := Do(emu.URL(), "DELETE", "/v2/core/event_destinations/ed_test_other", "", "Idempotency-Key", "delete-1")
		Expect(r.Status).To(Equal(409), "the key on another path")
		Expect(r.Error()["type"]).To(Equal("idempotency_error"))
	})

	It("unsets a metadata key sent null, as stripe-node's and stripe-python's v2 update parameters send it", func() {
		d, err := sc.V2CoreEventDestinations.Create(Ctx, &stripe.V2CoreEventDestinationCreateParams{
			Name: stripe.String("md"), Type: stripe.String("webhook_endpoint"), EventPayload: stripe.String("thin"),
			EnabledEvents:   strs("v1.billing.meter.no_meter_found"),
			WebhookEndpoint: &stripe.V2CoreEventDestinationCreateWebhookEndpointParams{URL: stripe.String("https://example.com/md")},
			Metadata:        map[string]string{"team": "billing", "owner": "ops"},
		})
		Expect(err).NotTo(HaveOccurred())
		r := Do(emu.URL(), "POST", "/v2/core/event_destinations/"+d.ID, `{"metadata":{"owner":null,"tier":"gold"}}`,
			"Content-Type", "application/json")
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body["metadata"]).To(Equal(map[string]any{"team": "billing", "tier": "gold"}))
		r = Do(emu.URL(), "POST", "/v2/core/event_destinations/"+d.ID, `{"name":null,"metadata":{"team":1}}`,
			"Content-Type", "application/json")
		Expect(r.Status).To(Equal(400), "a value neither a string nor null")
		got, err := sc.V2CoreEventDestinations.Retrieve(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Metadata).To(Equal(map[string]string{"team": "billing", "tier": "gold"}))
	})

	It("refuses a value outside an enum in Stripe's v2 words, listing the valid values", func() {
		for field, body := range map[string]string{
			"events_from[0]: Unrecognized enum value '@self', valid values are: other_accounts, self.":     `"type":"webhook_endpoint","event_payload":"thin","events_from":["@self"]`,
			"event_payload: Unrecognized enum value 'fat', valid values are: snapshot, thin.":              `"type":"webhook_endpoint","event_payload":"fat"`,
			"type: Unrecognized enum value 'sqs', valid values are: amazon_eventbridge, webhook_endpoint.": `"type":"sqs","event_payload":"thin"`,
		} {
			r := Do(emu.URL(), "POST", "/v2/core/event_destinations", `{"name":"e","enabled_events":["v2.core.event_destination.ping"],`+
				`"webhook_endpoint":{"url":"https://example.com/e"},`+body+`}`, "Content-Type", "application/json")
			Expect(r.Status).To(Equal(400), body)
			Expect(r.Error()["code"]).To(Equal("invalid_fields"))
			// As Stripe answered an events_from it does not take (quoted in
			// stripe/terraform-provider-stripe#40).
			Expect(r.Error()["message"]).To(Equal("Some fields in the request were invalid: '" + field + "'"))
		}
	})

	It("holds metadata to Stripe's limits (50 keys, keys of up to 40 characters without brackets, values of up to 500), changing nothing", func() {
		body := func(md string) string {
			return `{"name":"md","type":"webhook_endpoint","event_payload":"thin","enabled_events":["v2.core.event_destination.ping"],` +
				`"webhook_endpoint":{"url":"https://example.com/md"},"metadata":` + md + `}`
		}
		fifty := make([]string, 50)
		for i := range fifty {
			fifty[i] = fmt.Sprintf(`"k%d":"v"`, i)
		}
		bad := []string{
			`{"` + strings.Repeat("k", 41) + `":"v"}`,
			`{"k":"` + strings.Repeat("v", 501) + `"}`,
			`{"a[b]":"v"}`,
			`{"":"v"}`,
			`{` + strings.Join(fifty, ",") + `,"k50":"v"}`,
		}
		for _, md := range bad {
			r := Do(emu.URL(), "POST", "/v2/core/event_destinations", body(md), "Content-Type", "application/json")
			Expect(r.Status).To(Equal(400), md)
			Expect(r.Error()["code"]).To(Equal("invalid_fields"), md)
		}
		r := Do(emu.URL(), "POST", "/v2/core/event_destinations", body(`{`+strings.Join(fifty, ",")+`}`), "Content-Type", "application/json")
		Expect(r.Status).To(Equal(200), r.Text)
		id := r.Body["id"].(string)
		for _, md := range append(bad[:4], `{"k50":"v"}`) {
			r := Do(emu.URL(), "POST", "/v2/core/event_destinations/"+id, `{"metadata":`+md+`}`, "Content-Type", "application/json")
			Expect(r.Status).To(Equal(400), md)
			Expect(r.Error()["code"]).To(Equal("invalid_fields"), md)
		}
		r = Do(emu.URL(), "POST", "/v2/core/event_destinations/"+id, `{"metadata":{"k0":null,"k50":"v"}}`, "Content-Type", "application/json")
		Expect(r.Status).To(Equal(200), "one unset makes room: %s", r.Text)
		got, err := sc.V2CoreEventDestinations.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Metadata).To(HaveLen(50))
		Expect(got.Metadata).To(HaveKey("k50"))
		var n int
		for _, err := range sc.V2CoreEventDestinations.List(Ctx, nil) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		Expect(n).To(Equal(1), "no refused destination was made")
	})

	It("takes the ping among a thin destination's enabled events, a thin event type Stripe lists", func() {
		rcv := newThinReceiver(sc)
		d := thinDestination(rcv.srv.URL, "v2.core.event_destination.ping")
		rcv.setSecret(d.WebhookEndpoint.SigningSecret)
		Expect(d.EnabledEvents).To(Equal([]string{"v2.core.event_destination.ping"}))
		other := thinDestination("https://example.com/other", "v2.core.event_destination.ping")
		_, err := sc.V2CoreEventDestinations.Ping(d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		got, errs := rcv.got()
		Expect(errs).To(BeEmpty())
		Expect(got).To(HaveLen(1), "once, though it is enabled too")
		for _, a := range emu.Webhooks().Attempts() {
			Expect(a.EndpointID).NotTo(Equal(other.ID), "a ping goes to the destination pinged only")
		}
	})

	It("refuses what it cannot deliver", func() {
		_, err := sc.V2CoreEventDestinations.Create(Ctx, &stripe.V2CoreEventDestinationCreateParams{
			Name: stripe.String("aws"), Type: stripe.String("amazon_eventbridge"), EventPayload: stripe.String("thin"),
			EnabledEvents:     strs("v1.billing.meter.no_meter_found"),
			AmazonEventbridge: &stripe.V2CoreEventDestinationCreateAmazonEventbridgeParams{AwsAccountID: stripe.String("1"), AwsRegion: stripe.String("us-east-1")},
		})
		Expect(v2Err(err).Message).To(ContainSubstring("does not emulate the parameter `type`"))
		_, err = sc.V2CoreEventDestinations.Create(Ctx, &stripe.V2CoreEventDestinationCreateParams{
			Name: stripe.String("x"), Type: stripe.String("webhook_endpoint"), EventPayload: stripe.String("thin"),
			EnabledEvents: strs("customer.created"), WebhookEndpoint: &stripe.V2CoreEventDestinationCreateWebhookEndpointParams{URL: stripe.String("https://example.com")},
		})
		Expect(v2Err(err).Message).To(ContainSubstring("customer.created"))
		_, err = sc.V2CoreEventDestinations.Create(Ctx, &stripe.V2CoreEventDestinationCreateParams{
			Name: stripe.String("x"), Type: stripe.String("webhook_endpoint"), EventPayload: stripe.String("snapshot"),
			SnapshotAPIVersion: stripe.String("2024-06-20"), EnabledEvents: strs("customer.created"),
			WebhookEndpoint: &stripe.V2CoreEventDestinationCreateWebhookEndpointParams{URL: stripe.String("https://example.com")},
		})
		Expect(v2Err(err).Message).To(ContainSubstring("2024-06-20"))
		_, err = sc.V2CoreEventDestinations.Create(Ctx, &stripe.V2CoreEventDestinationCreateParams{
			Type: stripe.String("webhook_endpoint"), EventPayload: stripe.String("thin"), EnabledEvents: strs("v1.billing.meter.no_meter_found"),
			WebhookEndpoint: &stripe.V2CoreEventDestinationCreateWebhookEndpointParams{URL: stripe.String("https://example.com")},
		})
		e := v2Err(err)
		Expect(e.Code).To(Equal("invalid_fields"))
		Expect(e.Message).To(ContainSubstring("name"))
		var n int
		for _, err := range sc.V2CoreEventDestinations.List(Ctx, nil) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		Expect(n).To(BeZero())
	})

	It("pings a destination with a signed thin event whose object can be fetched", func() {
		rcv := newThinReceiver(sc)
		d := thinDestination(rcv.srv.URL, "v1.billing.meter.no_meter_found")
		rcv.setSecret(d.WebhookEndpoint.SigningSecret)
		ev, err := sc.V2CoreEventDestinations.Ping(d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		pinged, ok := ev.(*stripe.V2CoreEventDestinationPingEvent)
		Expect(ok).To(BeTrue(), "a %T", ev)
		Expect(pinged.ID).To(HavePrefix("evt_test_"))
		Expect(pinged.Type).To(Equal("v2.core.event_destination.ping"))
		Expect(pinged.RelatedObject.ID).To(Equal(d.ID))
		Expect(pinged.Reason.Type).To(Equal(stripe.V2EventReasonTypeRequest), "the ping request is the reason")
		Expect(pinged.Reason.Request.ID).To(HavePrefix("req_"))
		dest, err := pinged.FetchRelatedObject()
		Expect(err).NotTo(HaveOccurred())
		Expect(dest.ID).To(Equal(d.ID))

		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		got, errs := rcv.got()
		Expect(errs).To(BeEmpty())
		Expect(got).To(HaveLen(1))
		Expect(got[0].ID).To(Equal(pinged.ID))
		Expect(got[0].Type).To(Equal("v2.core.event_destination.ping"))
		Expect(got[0].RelatedObject.URL).To(Equal("/v2/core/event_destinations/" + d.ID))

		_, err = sc.V2CoreEventDestinations.Disable(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V2CoreEventDestinations.Ping(d.ID, nil)
		Expect(v2Err(err).Message).To(ContainSubstring("disabled"))
	})

	It("reports streamed meter events that could not be recorded in thin events, under the destination's delivery policy", func() {
		// The streamed events' customer, made before the snapshot
		// destination listens: it sees only the meter's events.
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("usage@example.com")})
		Expect(err).NotTo(HaveOccurred())
		rcv := newThinReceiver(sc)
		d := thinDestination(rcv.srv.URL, "v1.billing.meter.error_report_triggered", "v1.billing.meter.no_meter_found")
		rcv.setSecret(d.WebhookEndpoint.SigningSecret)
		Expect(emu.Webhooks().SetPolicy(d.ID, emulator.WebhookPolicy{Hold: true})).To(Succeed())
		snapshots := newReceiver()
		_, secret, err := emu.Webhooks().Listen(snapshots.Srv.URL)
		Expect(err).NotTo(HaveOccurred())
		snapshots.Secret = secret

		meter, err := sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{
			DisplayName: stripe.String("API calls"), EventName: stripe.String("api_call"),
			DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("sum")},
		})
		Expect(err).NotTo(HaveOccurred())
		session, err := sc.V2BillingMeterEventSessions.Create(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		old := Epoch.Add(-40 * 24 * time.Hour)
		err = emu.ClientWithKey(session.AuthenticationToken).V2BillingMeterEventStreams.Create(Ctx, &stripe.V2BillingMeterEventStreamCreateParams{
			Events: []*stripe.V2BillingMeterEventStreamCreateEventParams{
				{EventName: stripe.String("api_call"), Identifier: stripe.String("ok"), Payload: map[string]string{"stripe_customer_id": cus.ID, "value": "1"}},
				{EventName: stripe.String("api_call"), Identifier: stripe.String("old"), Payload: map[string]string{"stripe_customer_id": cus.ID, "value": "1"}, Timestamp: &old},
				{EventName: stripe.String("api_call"), Identifier: stripe.String("nan"), Payload: map[string]string{"stripe_customer_id": cus.ID, "value": "x"}},
				{EventName: stripe.String("typo_call"), Identifier: stripe.String("lost"), Payload: map[string]string{"stripe_customer_id": "cus_1", "value": "1"}},
			}})
		Expect(err).NotTo(HaveOccurred())

		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		got, _ := rcv.got()
		Expect(got).To(BeEmpty(), "held by the destination's policy")
		Expect(emu.Webhooks().Held(d.ID)).To(HaveLen(2))
		Expect(emu.Webhooks().Release(d.ID)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		got, errs := rcv.got()
		Expect(errs).To(BeEmpty())
		Expect(got).To(HaveLen(2))
		Expect(got[0].Type).To(Equal("v1.billing.meter.error_report_triggered"))
		Expect(got[0].RelatedObject.ID).To(Equal(meter.ID))
		Expect(got[1].Type).To(Equal("v1.billing.meter.no_meter_found"))
		Expect(got[1].RelatedObject).To(BeNil())
		// Stripe validates streamed events after the request, so its
		// reports name no request (its Event object's example).
		Expect(got[0].Reason).To(BeNil())
		Expect(got[1].Reason).To(BeNil())

		// The thin event names its object; the app fetches the event and
		// the object.
		fetched, err := sc.V2CoreEvents.Retrieve(Ctx, got[0].ID, nil)
		Expect(err).NotTo(HaveOccurred())
		report, ok := fetched.(*stripe.V1BillingMeterErrorReportTriggeredEvent)
		Expect(ok).To(BeTrue(), "a %T", fetched)
		Expect(report.Data.Reason.ErrorCount).To(Equal(int64(2)))
		codes := map[stripe.V1BillingMeterErrorReportTriggeredEventDataReasonErrorTypeCode]int64{}
		for _, t := range report.Data.Reason.ErrorTypes {
			codes[t.Code] = t.ErrorCount
			Expect(t.SampleErrors).To(HaveLen(1))
		}
		Expect(codes).To(Equal(map[stripe.V1BillingMeterErrorReportTriggeredEventDataReasonErrorTypeCode]int64{
			"timestamp_too_far_in_past": 1, "meter_event_invalid_value": 1}))
		m, err := report.FetchRelatedObject()
		Expect(err).NotTo(HaveOccurred())
		Expect(m.ID).To(Equal(meter.ID))
		lost, err := sc.V2CoreEvents.Retrieve(Ctx, got[1].ID, nil)
		Expect(err).NotTo(HaveOccurred())
		noMeter, ok := lost.(*stripe.V1BillingMeterNoMeterFoundEvent)
		Expect(ok).To(BeTrue(), "a %T", lost)
		Expect(noMeter.Data.Reason.ErrorTypes[0].Code).To(Equal(stripe.V1BillingMeterNoMeterFoundEventDataReasonErrorTypeCodeNoMeter))
		Expect(noMeter.Data.Reason.ErrorTypes[0].SampleErrors[0].Request.Identifier).To(Equal("lost"))

		var listed []string
		for ev, err := range sc.V2CoreEvents.List(Ctx, &stripe.V2CoreEventListParams{ObjectID: stripe.String(meter.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			listed = append(listed, ev.(*stripe.V1BillingMeterErrorReportTriggeredEvent).ID)
		}
		Expect(listed).To(Equal([]string{got[0].ID}))

		// Thin events go to thin destinations only, v1 events to v1
		// endpoints (and snapshot destinations).
		for _, ev := range snapshots.All() {
			Expect(string(ev.Type)).To(HavePrefix("billing.meter"))
		}
		Expect(snapshots.Types()).To(ContainElement("billing.meter.created"))
	})

	It("delays and releases a thin destination's events by their thin types, as a policy names v1 types", func() {
		rcv := newThinReceiver(sc)
		d := thinDestination(rcv.srv.URL, "v1.billing.meter.error_report_triggered", "v1.billing.meter.no_meter_found")
		rcv.setSecret(d.WebhookEndpoint.SigningSecret)
		Expect(emu.Webhooks().SetPolicy(d.ID, emulator.WebhookPolicy{
			Delay: map[string]time.Duration{"v1.billing.meter.no_meter_found": time.Minute},
		})).To(Succeed())
		stream := func(name string) {
			GinkgoHelper()
			session, err := sc.V2BillingMeterEventSessions.Create(Ctx, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(emu.ClientWithKey(session.AuthenticationToken).V2BillingMeterEventStreams.Create(Ctx, &stripe.V2BillingMeterEventStreamCreateParams{
				Events: []*stripe.V2BillingMeterEventStreamCreateEventParams{
					{EventName: stripe.String(name), Payload: map[string]string{"stripe_customer_id": "cus_1", "value": "1"}},
				}})).To(Succeed())
		}
		stream("typo_call")
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(emu.Webhooks().Waiting(d.ID)).To(HaveLen(1), "delayed by its thin type")
		emu.Clock().Advance(time.Minute)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		got, errs := rcv.got()
		Expect(errs).To(BeEmpty())
		Expect(got).To(HaveLen(1))

		Expect(emu.Webhooks().SetPolicy(d.ID, emulator.WebhookPolicy{Hold: true})).To(Succeed())
		stream("other_typo")
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(emu.Webhooks().Held(d.ID)).To(HaveLen(1))
		Expect(emu.Webhooks().ReleaseTypes(d.ID, "v1.billing.meter.no_meter_found")).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(emu.Webhooks().Held(d.ID)).To(BeEmpty())
		got, _ = rcv.got()
		Expect(got).To(HaveLen(2))

		Expect(emu.Webhooks().SetPolicy(d.ID, emulator.WebhookPolicy{
			Delay: map[string]time.Duration{"v1.billing.meter.no_such_report": time.Minute},
		})).To(MatchError(ContainSubstring("v1.billing.meter.no_such_report")), "a type no event has is still refused")
	})

	It("redelivers a thin event to thin destinations only, and a v1 event to v1 endpoints only, as Stripe sends them", func() {
		rcv := newThinReceiver(sc)
		d := thinDestination(rcv.srv.URL, "v1.billing.meter.no_meter_found")
		rcv.setSecret(d.WebhookEndpoint.SigningSecret)
		pinged, err := sc.V2CoreEventDestinations.Ping(d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		thinID := pinged.(*stripe.V2CoreEventDestinationPingEvent).ID
		snapshots := newReceiver()
		we, secret, err := emu.Webhooks().Listen(snapshots.Srv.URL, "customer.created")
		Expect(err).NotTo(HaveOccurred())
		snapshots.Secret = secret
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		v1ID := emu.Events("")[0]["id"].(string)
		sent := len(emu.Webhooks().Attempts())

		Expect(emu.Webhooks().Redeliver(thinID, we)).To(MatchError(ContainSubstring("thin event")))
		Expect(emu.Webhooks().Redeliver(v1ID, d.ID)).To(MatchError(ContainSubstring("thin event")))
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(emu.Webhooks().Attempts()).To(HaveLen(sent), "nothing sent")

		Expect(emu.Webhooks().Redeliver(thinID, d.ID)).To(Succeed())
		Expect(emu.Webhooks().Redeliver(v1ID, we)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		got, errs := rcv.got()
		Expect(errs).To(BeEmpty())
		Expect(got).To(HaveLen(2))
		Expect(snapshots.Rejections()).To(BeEmpty())
		Expect(snapshots.Types()).To(Equal([]string{"customer.created", "customer.created"}))
	})

	It("delivers v1 events to snapshot destinations signed as webhook endpoints are", func() {
		rcv := newReceiver()
		d, err := sc.V2CoreEventDestinations.Create(Ctx, &stripe.V2CoreEventDestinationCreateParams{
			Name: stripe.String("customers"), Type: stripe.String("webhook_endpoint"), EventPayload: stripe.String("snapshot"),
			EnabledEvents: strs("customer.*"), WebhookEndpoint: &stripe.V2CoreEventDestinationCreateWebhookEndpointParams{URL: stripe.String(rcv.Srv.URL)},
			Include: strs("webhook_endpoint.signing_secret"),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(d.SnapshotAPIVersion).To(Equal("2025-08-27.basil"))
		rcv.Secret = d.WebhookEndpoint.SigningSecret
		c, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("a@example.com")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("P")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V2CoreEventDestinations.Ping(d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(Equal([]string{"customer.created"}), "a ping is thin: a v1 handler refuses it")
		Expect(rcv.Rejections()).To(HaveLen(1))
		Expect(rcv.All()[0].Data.Object["id"]).To(Equal(c.ID))

		_, err = sc.V2CoreEventDestinations.Disable(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Create(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(HaveLen(1))
	})
})
