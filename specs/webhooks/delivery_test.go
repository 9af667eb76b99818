package webhooks_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Webhook delivery", Label("webhooks"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		rcv *receiver
	)
	listen := func(events ...string) string {
		id, secret, err := emu.Webhooks().Listen(rcv.Srv.URL, events...)
		Expect(err).NotTo(HaveOccurred())
		Expect(secret).To(HavePrefix("whsec_"))
		rcv.Lock()
		rcv.Secret = secret
		rcv.Unlock()
		return id
	}
	customers := func(n int) {
		for i := 0; i < n; i++ {
			_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String(fmt.Sprintf("c%d@example.com", i))})
			Expect(err).NotTo(HaveOccurred())
		}
	}
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		rcv = newReceiver()
	})

	It("delivers every enabled event signed, and no other", func() {
		listen("customer.created", "product.*")
		customers(2)
		c, _ := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		_, err := sc.V1Customers.Update(Ctx, c.ID, &stripe.CustomerUpdateParams{Name: stripe.String("x")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("P")})
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Rejections()).To(BeEmpty())
		Expect(rcv.Types()).To(Equal([]string{"customer.created", "customer.created", "customer.created", "product.created"}))
		Expect(rcv.All()[0].APIVersion).To(Equal("2025-08-27.basil"))
	})

	It("redelivers a recorded event on request, signed, exactly as first sent", func() {
		id := listen("customer.created")
		customers(1)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		first := rcv.All()
		Expect(first).To(HaveLen(1))
		Expect(emu.Webhooks().Redeliver(first[0].ID, id)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Rejections()).To(BeEmpty())
		both := rcv.All()
		Expect(both).To(HaveLen(2))
		Expect(both[1].ID).To(Equal(first[0].ID))
		Expect(both[1].Type).To(Equal(first[0].Type))
		Expect(string(both[1].Data.Raw)).To(Equal(string(first[0].Data.Raw)))
		Expect(emu.Webhooks().Redeliver("evt_nope", id)).NotTo(Succeed())
	})

	It("redelivers only an event Stripe still keeps, of the last 30 days, as the Events API shows them", func() {
		id := listen("customer.created")
		customers(1)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		ev := rcv.IDs()[0]
		emu.Clock().Advance(30*24*time.Hour - time.Second)
		Expect(emu.Webhooks().Redeliver(ev, id)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.IDs()).To(Equal([]string{ev, ev}))

		emu.Clock().Advance(time.Second)
		_, err := sc.V1Events.Retrieve(Ctx, ev, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(emu.Webhooks().Redeliver(ev, id)).To(MatchError(ContainSubstring("no event " + ev)))
		r := Do(emu.URL(), "POST", "/_emu/webhooks/redeliver", `{"event": "`+ev+`", "endpoint": "`+id+`"}`)
		Expect(r.Status).To(Equal(404))
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.IDs()).To(HaveLen(2), "nothing more was sent")
	})

	It("resends an event to one endpoint through POST /v1/events/{id}/retry, as Stripe CLI's events resend --webhook-endpoint does", func() {
		id := listen("customer.created")
		other, err := sc.V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String(rcv.Srv.URL + "/products"), EnabledEvents: []*string{stripe.String("product.created")}})
		Expect(err).NotTo(HaveOccurred())
		customers(1)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		first := rcv.All()
		Expect(first).To(HaveLen(1))

		r := Do(emu.URL(), "POST", "/v1/events/"+first[0].ID+"/retry", "webhook_endpoint="+id)
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body).To(HaveKeyWithValue("id", first[0].ID))
		Expect(r.Body).To(HaveKeyWithValue("object", "event"))
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Rejections()).To(BeEmpty())
		both := rcv.All()
		Expect(both).To(HaveLen(2))
		Expect(both[1].ID).To(Equal(first[0].ID))
		Expect(string(both[1].Data.Raw)).To(Equal(string(first[0].Data.Raw)))

		refused := func(body, param string) {
			GinkgoHelper()
			r := Do(emu.URL(), "POST", "/v1/events/"+first[0].ID+"/retry", body)
			Expect(r.Status).To(Equal(400), body)
			Expect(r.Error()["param"]).To(Equal(param), body)
		}
		refused("webhook_endpoint="+other.ID, "webhook_endpoint") // it does not take customer.created
		refused("webhook_endpoint=we_nope", "webhook_endpoint")
		refused("", "webhook_endpoint")
		refused("for_stripecli=true", "for_stripecli")

		emu.Clock().Advance(30 * 24 * time.Hour)
		r = Do(emu.URL(), "POST", "/v1/events/"+first[0].ID+"/retry", "webhook_endpoint="+id)
		Expect(r.Status).To(Equal(404))
		Expect(r.Error()["code"]).To(Equal("resource_missing"))
		Expect(r.Error()["message"]).To(Equal("No such notification: '" + first[0].ID + "'"))
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.All()).To(HaveLen(2), "nothing more was sent")
	})

	It("resends a connected account's event to a Connect endpoint, the account named as the CLI's --account names it or by Stripe-Account", func() {
		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express")})
		Expect(err).NotTo(HaveOccurred())
		id, secret, err := emu.Webhooks().ListenOn("", rcv.Srv.URL, true, "customer.created")
		Expect(err).NotTo(HaveOccurred())
		rcv.Secret = secret
		p := &stripe.CustomerCreateParams{}
		p.SetStripeAccount(acct.ID)
		_, err = sc.V1Customers.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		first := rcv.All()
		Expect(first).To(HaveLen(1))

		r := Do(emu.URL(), "POST", "/v1/events/"+first[0].ID+"/retry", "webhook_endpoint="+id)
		Expect(r.Status).To(Equal(404), "not an event of the platform's")
		r = Do(emu.URL(), "POST", "/v1/events/"+first[0].ID+"/retry", "webhook_endpoint="+id+"&account=acct_nope")
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["param"]).To(Equal("account"))
		r = Do(emu.URL(), "POST", "/v1/events/"+first[0].ID+"/retry", "webhook_endpoint="+id+"&account="+acct.ID)
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body).To(HaveKeyWithValue("account", acct.ID))
		r = Do(emu.URL(), "POST", "/v1/events/"+first[0].ID+"/retry", "webhook_endpoint="+id, "Stripe-Account", acct.ID)
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Rejections()).To(BeEmpty())
		Expect(rcv.IDs()).To(Equal([]string{first[0].ID, first[0].ID, first[0].ID}))
		for _, ev := range rcv.All() {
			Expect(ev.Account).To(Equal(acct.ID))
		}
	})

	// failingEndpoint listens for types with a receiver answering 500,
	// whose pending deliveries keep an event's pending_webhooks up.
	failingEndpoint := func(types ...string) (*receiver, string) {
		GinkgoHelper()
		failing := newReceiver()
		failing.Answer = func(int, stripe.Event) int { return 500 }
		id, secret, err := emu.Webhooks().Listen(failing.Srv.URL, types...)
		Expect(err).NotTo(HaveOccurred())
		failing.Lock()
		failing.Secret = secret
		failing.Unlock()
		return failing, id
	}
	// healAndResend makes the failing receiver answer 200 and resends it
	// the event, waiting for the delivery.
	healAndResend := func(failing *receiver, eventID, endpointID string) {
		GinkgoHelper()
		failing.Lock()
		failing.Answer = nil
		failing.Unlock()
		Expect(emu.Webhooks().Redeliver(eventID, endpointID)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
	}

	It("counts pending_webhooks down once per endpoint that got the event, however often it is resent", func() {
		ok := listen("customer.created")
		failing, bad := failingEndpoint("customer.created")
		customers(1)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		ev := emu.Events("")[0]
		Expect(rcv.All()[0].PendingWebhooks).To(BeNumerically("==", 2), "as sent")
		pending := func() any { return emu.Events("")[0]["pending_webhooks"] }
		Eventually(pending).Should(BeNumerically("==", 1), "one endpoint got it")

		Expect(emu.Webhooks().Redeliver(ev["id"].(string), ok)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(HaveLen(2))
		Consistently(pending, "50ms").Should(BeNumerically("==", 1), "the other one still has not")

		healAndResend(failing, ev["id"].(string), bad)
		Eventually(pending).Should(BeNumerically("==", 0))
	})

	It("counts nothing down for a resend to an endpoint made after the event, which its pending_webhooks never counted", func() {
		failing, bad := failingEndpoint("customer.created")
		customers(1)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		ev := emu.Events("")[0]
		pending := func() any { return emu.Events("")[0]["pending_webhooks"] }
		Expect(pending()).To(BeNumerically("==", 1), "the failing endpoint has not got it")

		later := listen("customer.created")
		Expect(emu.Webhooks().Redeliver(ev["id"].(string), later)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(Equal([]string{"customer.created"}))
		Consistently(pending, "50ms").Should(BeNumerically("==", 1), "the endpoint it was sent to still has not got it")

		healAndResend(failing, ev["id"].(string), bad)
		Eventually(pending).Should(BeNumerically("==", 0))
	})

	It("counts down for a resend to an endpoint the event was sent to, its first delivery dropped by a disable", func() {
		id := listen("customer.created")
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Hold: true})).To(Succeed())
		customers(1)
		ev := emu.Events("")[0]
		pending := func() any { return emu.Events("")[0]["pending_webhooks"] }
		Expect(pending()).To(BeNumerically("==", 1))
		disabled := func(on bool) {
			GinkgoHelper()
			_, err := sc.V1WebhookEndpoints.Update(Ctx, id, &stripe.WebhookEndpointUpdateParams{Disabled: stripe.Bool(on)})
			Expect(err).NotTo(HaveOccurred())
		}
		disabled(true)
		Expect(emu.Webhooks().Release(id)).To(Succeed())
		Expect(emu.Webhooks().Held(id)).To(BeEmpty(), "dropped, released while disabled")
		disabled(false)
		Expect(emu.Webhooks().Redeliver(ev["id"].(string), id)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(Equal([]string{"customer.created"}))
		Eventually(pending).Should(BeNumerically("==", 0))
	})

	It("counts an event delivered once any copy a duplicating policy sends is taken, the first copy failing", func() {
		rcv.Answer = func(n int, _ stripe.Event) int {
			if n == 1 {
				return 500
			}
			return 200
		}
		id := listen("customer.created")
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Duplicate: 1})).To(Succeed())
		customers(1)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		attempts := emu.Webhooks().Attempts()
		Expect(attempts).To(HaveLen(2))
		Expect(attempts[0].OK).To(BeFalse())
		Expect(attempts[1].OK).To(BeTrue())
		Expect(attempts[1].Copy).To(Equal(1))
		Eventually(func() any { return emu.Events("")[0]["pending_webhooks"] }).Should(BeNumerically("==", 0),
			"the endpoint has the event")
		emu.Clock().Advance(5 * time.Minute)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(emu.Webhooks().Attempts()).To(HaveLen(3), "the failed copy is still retried")
		Consistently(func() any { return emu.Events("")[0]["pending_webhooks"] }, "50ms").Should(BeNumerically("==", 0),
			"and counts nothing down again")
	})

	It("creates endpoints over the API, showing the secret only once", func() {
		we, err := sc.V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String(rcv.Srv.URL), EnabledEvents: []*string{stripe.String("*")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(we.Secret).To(HavePrefix("whsec_"))
		Expect(we.Status).To(Equal("enabled"))
		got, err := sc.V1WebhookEndpoints.Retrieve(Ctx, we.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Secret).To(BeEmpty())
		rcv.Lock()
		rcv.Secret = we.Secret
		rcv.Unlock()
		customers(1)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(Equal([]string{"customer.created"}))

		_, err = sc.V1WebhookEndpoints.Update(Ctx, we.ID, &stripe.WebhookEndpointUpdateParams{Disabled: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		customers(1)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(HaveLen(1), "a disabled endpoint gets nothing")

		_, err = sc.V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String("ftp://nope"), EnabledEvents: []*string{stripe.String("*")}})
		Expect(StripeErr(err).Param).To(Equal("url"))
	})

	It("refuses a URL without a scheme or not over http(s), and a 17th endpoint with Stripe's messages, making nothing", func() {
		create := func(u string) (*stripe.WebhookEndpoint, error) {
			return sc.V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String(u), EnabledEvents: []*string{stripe.String("customer.created")}})
		}
		for _, u := range []string{"example.com/stripe/webhook", "localhost:3000/webhook"} {
			_, err := create(u)
			ExpectStripeError(err, 400, "invalid_request_error", "url_invalid", "url")
			Expect(StripeErr(err).Msg).To(Equal("Invalid URL: An explicit scheme (such as https) must be provided."), u)
		}
		for _, u := range []string{"ftp://example.com/hook", "https://", "http://exa mple.com/hook"} {
			_, err := create(u)
			ExpectStripeError(err, 400, "invalid_request_error", "url_invalid", "url")
			Expect(StripeErr(err).Msg).To(Equal("Not a valid URL"), u)
		}
		we, err := create(rcv.Srv.URL)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1WebhookEndpoints.Update(Ctx, we.ID, &stripe.WebhookEndpointUpdateParams{URL: stripe.String("example.com/other")})
		ExpectStripeError(err, 400, "invalid_request_error", "url_invalid", "url")
		got, err := sc.V1WebhookEndpoints.Retrieve(Ctx, we.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.URL).To(Equal(rcv.Srv.URL), "nothing changed")

		for i := 1; i < 16; i++ {
			_, err = create(rcv.Srv.URL)
			Expect(err).NotTo(HaveOccurred())
		}
		_, err = create(rcv.Srv.URL)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("You have reached the maximum of 16 test webhook endpoints."))
		n := 0
		for _, err := range sc.V1WebhookEndpoints.List(Ctx, &stripe.WebhookEndpointListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		Expect(n).To(Equal(16))
		_, err = sc.V1WebhookEndpoints.Delete(Ctx, we.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = create(rcv.Srv.URL)
		Expect(err).NotTo(HaveOccurred(), "deleting one makes room")
	})

	It("keeps a description of up to 5000 characters, as Stripe's spec allows, refusing a longer one and unsetting it with an empty string", func() {
		long := strings.Repeat("d", 5001)
		_, err := sc.V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String(rcv.Srv.URL),
			EnabledEvents: []*string{stripe.String("customer.created")}, Description: stripe.String(long)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: dddd...dddd; must be at most 5000 characters"))
		for _, err := range sc.V1WebhookEndpoints.List(Ctx, &stripe.WebhookEndpointListParams{}) {
			Fail(fmt.Sprintf("an endpoint was made (%v)", err))
		}
		we, err := sc.V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String(rcv.Srv.URL),
			EnabledEvents: []*string{stripe.String("customer.created")}, Description: stripe.String(long[:5000])})
		Expect(err).NotTo(HaveOccurred())
		Expect(we.Description).To(HaveLen(5000))
		_, err = sc.V1WebhookEndpoints.Update(Ctx, we.ID, &stripe.WebhookEndpointUpdateParams{Description: stripe.String(long)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		r := Do(emu.URL(), "POST", "/v1/webhook_endpoints/"+we.ID, "description=")
		Expect(r.Status).To(Equal(200))
		Expect(r.Body).To(HaveKeyWithValue("description", BeNil()))
	})

	It("takes api_version only as the pinned version, the one its events are rendered in, refusing others as not emulated", func() {
		create := func(version string) (*stripe.WebhookEndpoint, error) {
			return sc.V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String(rcv.Srv.URL),
				EnabledEvents: []*string{stripe.String("customer.created")}, APIVersion: stripe.String(version)})
		}
		for _, v := range []string{"2024-06-20", "2025-03-31.basil", "nonsense"} {
			_, err := create(v)
			ExpectStripeError(err, 400, "invalid_request_error", "", "api_version")
			Expect(StripeErr(err).Msg).To(ContainSubstring("Invalid api_version: " + v + "."))
		}
		for _, err := range sc.V1WebhookEndpoints.List(Ctx, &stripe.WebhookEndpointListParams{}) {
			Fail(fmt.Sprintf("an endpoint was made (%v)", err))
		}
		we, err := create(stripe.APIVersion)
		Expect(err).NotTo(HaveOccurred())
		Expect(we.APIVersion).To(Equal(stripe.APIVersion))
		rcv.Lock()
		rcv.Secret = we.Secret
		rcv.Unlock()
		customers(1)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Rejections()).To(BeEmpty())
		Expect(rcv.All()).To(HaveLen(1))
		Expect(rcv.All()[0].APIVersion).To(Equal(we.APIVersion))
	})

	It("takes in enabled_events only * and the event types of the pinned version, with Stripe's enum error", func() {
		create := func(events ...string) (*stripe.WebhookEndpoint, error) {
			p := &stripe.WebhookEndpointCreateParams{URL: stripe.String(rcv.Srv.URL)}
			for _, e := range events {
				p.EnabledEvents = append(p.EnabledEvents, stripe.String(e))
			}
			return sc.V1WebhookEndpoints.Create(Ctx, p)
		}
		count := func() int {
			n := 0
			for _, err := range sc.V1WebhookEndpoints.List(Ctx, &stripe.WebhookEndpointListParams{}) {
				Expect(err).NotTo(HaveOccurred())
				n++
			}
			return n
		}
		before := count()
		_, err := create("customer.created", "customer.exploded")
		ExpectStripeError(err, 400, "invalid_request_error", "", "enabled_events[1]")
		msg := StripeErr(err).Msg
		Expect(msg).To(HavePrefix("Invalid enabled_events[1]: must be one of account.application.authorized, account.application.deauthorized, "))
		Expect(msg).To(ContainSubstring(", customer.created, "))
		Expect(msg).To(HaveSuffix(", or treasury.received_debit.created"))
		for _, bad := range []string{"customer.*", "v1.billing.meter.no_meter_found", "CUSTOMER.CREATED"} {
			_, err = create(bad)
			ExpectStripeError(err, 400, "invalid_request_error", "", "enabled_events[0]")
		}
		Expect(count()).To(Equal(before), "nothing made")

		we, err := create("customer.created", "invoice_payment.paid", "billing.meter.created")
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1WebhookEndpoints.Update(Ctx, we.ID, &stripe.WebhookEndpointUpdateParams{EnabledEvents: []*string{stripe.String("*"), stripe.String("charge.sucseeded")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "enabled_events[1]")
		got, err := sc.V1WebhookEndpoints.Retrieve(Ctx, we.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.EnabledEvents).To(Equal([]string{"customer.created", "invoice_payment.paid", "billing.meter.created"}), "nothing changed")
		up, err := sc.V1WebhookEndpoints.Update(Ctx, we.ID, &stripe.WebhookEndpointUpdateParams{EnabledEvents: []*string{stripe.String("*")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(up.EnabledEvents).To(Equal([]string{"*"}))

		// The emulator's own Listen takes groups too, and names a typo.
		_, _, err = emu.Webhooks().Listen(rcv.Srv.URL, "customer.*", "charge.succeeded")
		Expect(err).NotTo(HaveOccurred())
		_, _, err = emu.Webhooks().Listen(rcv.Srv.URL, "custmer.created")
		Expect(err).To(MatchError(ContainSubstring(`"custmer.created" is not an event type`)))
		_, _, err = emu.Webhooks().ListenOn("acct_nope", rcv.Srv.URL, false)
		Expect(err).To(MatchError(ContainSubstring("no connected account acct_nope")))
		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"),
			Capabilities: &stripe.AccountCreateCapabilitiesParams{Transfers: &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}}})
		Expect(err).NotTo(HaveOccurred())
		id, secret, err := emu.Webhooks().ListenOn(acct.ID, rcv.Srv.URL, false, "customer.*")
		Expect(err).NotTo(HaveOccurred())
		Expect(id).To(HavePrefix("we_"))
		Expect(secret).To(HavePrefix("whsec_"))
		onAcct, err := sc.V1WebhookEndpoints.Retrieve(Ctx, id, &stripe.WebhookEndpointRetrieveParams{Params: stripe.Params{StripeAccount: stripe.String(acct.ID)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(onAcct.EnabledEvents).To(Equal([]string{"customer.*"}))
	})

	It("refuses to configure webhook endpoints on a connected account, as Stripe does, pointing at Connect endpoints", func() {
		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express")})
		Expect(err).NotTo(HaveOccurred())
		refused := func(err error) {
			GinkgoHelper()
			ExpectStripeError(err, 403, "invalid_request_error", "", "")
			Expect(StripeErr(err).Msg).To(Equal("You are not permitted to configure webhook endpoints on a connected account. Did you mean to create a Connect webhook on your account instead?"))
		}
		p := &stripe.WebhookEndpointCreateParams{URL: stripe.String(rcv.Srv.URL), EnabledEvents: []*string{stripe.String("customer.created")}}
		p.SetStripeAccount(acct.ID)
		_, err = sc.V1WebhookEndpoints.Create(Ctx, p)
		refused(err)
		p.SetStripeAccount(acct.ID)
		p.Connect = stripe.Bool(true)
		_, err = sc.V1WebhookEndpoints.Create(Ctx, p)
		refused(err)

		By("leaving an endpoint the account has (made in its Dashboard) unchanged")
		id, _, err := emu.Webhooks().ListenOn(acct.ID, rcv.Srv.URL, false, "customer.created")
		Expect(err).NotTo(HaveOccurred())
		up := &stripe.WebhookEndpointUpdateParams{Disabled: stripe.Bool(true)}
		up.SetStripeAccount(acct.ID)
		_, err = sc.V1WebhookEndpoints.Update(Ctx, id, up)
		refused(err)
		del := &stripe.WebhookEndpointDeleteParams{}
		del.SetStripeAccount(acct.ID)
		_, err = sc.V1WebhookEndpoints.Delete(Ctx, id, del)
		refused(err)
		get := &stripe.WebhookEndpointRetrieveParams{}
		get.SetStripeAccount(acct.ID)
		we, err := sc.V1WebhookEndpoints.Retrieve(Ctx, id, get)
		Expect(err).NotTo(HaveOccurred())
		Expect(we.Status).To(Equal("enabled"))

		By("taking the Connect endpoint on the platform")
		_, err = sc.V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String(rcv.Srv.URL), EnabledEvents: []*string{stripe.String("customer.created")}, Connect: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
	})

	It("retries a failing receiver on the emulator clock and logs every attempt", func() {
		rcv.Answer = func(n int, _ stripe.Event) int {
			if n <= 2 {
				return 500
			}
			return 200
		}
		id := listen()
		customers(1)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(BeEmpty())
		Expect(emu.Webhooks().Attempts()).To(HaveLen(1))
		evID := emu.Events("")[0]["id"].(string)
		Expect(emu.Events("")[0]["pending_webhooks"]).To(BeNumerically("==", 1))

		emu.Clock().Advance(4 * time.Minute)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(emu.Webhooks().Attempts()).To(HaveLen(1), "not before the retry is due")
		emu.Clock().Advance(time.Minute)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(emu.Webhooks().Attempts()).To(HaveLen(2))
		emu.Clock().Advance(time.Hour)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())

		attempts := emu.Webhooks().Attempts()
		Expect(attempts).To(HaveLen(3))
		for i, a := range attempts {
			Expect(a.EventID).To(Equal(evID))
			Expect(a.EndpointID).To(Equal(id))
			Expect(a.Number).To(Equal(i + 1))
		}
		Expect(attempts[0].Status).To(Equal(500))
		Expect(attempts[1].At.Sub(attempts[0].At)).To(Equal(5 * time.Minute))
		Expect(attempts[2].OK).To(BeTrue())
		Expect(rcv.Types()).To(Equal([]string{"customer.created"}))
		Eventually(func() any { return emu.Events("")[0]["pending_webhooks"] }).Should(BeNumerically("==", 0))
	})

	It("counts a redirect as a failed delivery, as Stripe does, and retries it without following it", func() {
		moved := httptest.NewServer(http.RedirectHandler(rcv.Srv.URL, http.StatusTemporaryRedirect))
		DeferCleanup(moved.Close)
		_, secret, err := emu.Webhooks().Listen(moved.URL, "customer.created")
		Expect(err).NotTo(HaveOccurred())
		rcv.Lock()
		rcv.Secret = secret
		rcv.Unlock()
		customers(1)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(BeEmpty(), "the redirect is not followed")
		attempts := emu.Webhooks().Attempts()
		Expect(attempts).To(HaveLen(1))
		Expect(attempts[0].Status).To(Equal(http.StatusTemporaryRedirect))
		Expect(attempts[0].OK).To(BeFalse())
		Expect(attempts[0].NextRetry).NotTo(BeNil())
		Expect(emu.Events("")[0]["pending_webhooks"]).To(BeNumerically("==", 1))
	})

	It("refuses an endpoint on a connected account that does not exist, with a secret of the test's or not", func() {
		_, _, err := emu.Webhooks().ListenOn("acct_missing", rcv.Srv.URL, false, "customer.created")
		Expect(err).To(MatchError(ContainSubstring("no connected account acct_missing")))
		_, err = emu.Webhooks().ListenWithSecretOn("acct_missing", false, rcv.Srv.URL, "whsec_x", "customer.created")
		Expect(err).To(MatchError(ContainSubstring("no connected account acct_missing")))
		Expect(ctl(emu.URL(), "GET", "/_emu/webhooks/endpoints", "")["list"]).To(BeEmpty(), "nothing was made")
	})

	It("sends connected accounts' events to Connect endpoints with account set", func() {
		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express")})
		Expect(err).NotTo(HaveOccurred())
		_, secret, err := emu.Webhooks().ListenOn("", rcv.Srv.URL, true, "customer.created")
		Expect(err).NotTo(HaveOccurred())
		rcv.Secret = secret
		customers(1) // the platform's own: not for a Connect endpoint
		p := &stripe.CustomerCreateParams{}
		p.SetStripeAccount(acct.ID)
		_, err = sc.V1Customers.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		evs := rcv.All()
		Expect(evs).To(HaveLen(1))
		Expect(evs[0].Account).To(Equal(acct.ID))
		Expect(evs[0].Context).To(Equal(acct.ID), "basil's context beside account")
		listed := &stripe.EventListParams{}
		listed.SetStripeAccount(acct.ID)
		for ev, err := range sc.V1Events.List(Ctx, listed) {
			Expect(err).NotTo(HaveOccurred())
			Expect(ev.Account).To(Equal(acct.ID))
			Expect(ev.Context).To(Equal(acct.ID))
		}
		Expect(emu.Events("")[0]).NotTo(HaveKey("context"), "the platform's own events have neither")
	})

	// Stripe CLI's `listen --load-from-webhooks-api` tells a Connect endpoint
	// from an account one by its application (pkg/proxy: Application == ""
	// is an account endpoint): the object names the platform's Connect
	// application, "the ID of the associated Connect application".
	It("names the platform's Connect application on a Connect endpoint, and none on an account endpoint", func() {
		connect, err := sc.V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String(rcv.Srv.URL),
			EnabledEvents: []*string{stripe.String("account.updated")}, Connect: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(connect.Application).To(Equal(emu.ConnectApplication()))
		own, err := sc.V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{URL: stripe.String(rcv.Srv.URL),
			EnabledEvents: []*string{stripe.String("customer.created")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(own.Application).To(BeEmpty())

		got, err := sc.V1WebhookEndpoints.Retrieve(Ctx, connect.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Application).To(Equal(emu.ConnectApplication()))
		updated, err := sc.V1WebhookEndpoints.Update(Ctx, connect.ID, &stripe.WebhookEndpointUpdateParams{Description: stripe.String("connect")})
		Expect(err).NotTo(HaveOccurred())
		Expect(updated.Application).To(Equal(emu.ConnectApplication()))
		apps := map[string]string{}
		for we, err := range sc.V1WebhookEndpoints.List(Ctx, &stripe.WebhookEndpointListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			apps[we.ID] = we.Application
		}
		Expect(apps).To(Equal(map[string]string{connect.ID: emu.ConnectApplication(), own.ID: ""}))

		wired, _, err := emu.Webhooks().ListenOn("", rcv.Srv.URL+"/wired", true, "account.updated")
		Expect(err).NotTo(HaveOccurred())
		got, err = sc.V1WebhookEndpoints.Retrieve(Ctx, wired, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Application).To(Equal(emu.ConnectApplication()), "an endpoint the test wires for Connect too")
	})

	// An app with one handler URL registers it twice at Stripe, an account
	// endpoint and a Connect one, each with its own secret: wiring both
	// keeps two endpoints, through a reset too.
	It("wires an account endpoint and a Connect endpoint on the same URL as two endpoints, each signing with its secret", func() {
		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express")})
		Expect(err).NotTo(HaveOccurred())
		var mu sync.Mutex
		got := map[string]string{} // event account ("" for the platform's) → the secret that verified it
		secrets := []string{"whsec_account_endpoint", "whsec_connect_endpoint"}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			body, _ := io.ReadAll(req.Body)
			for _, s := range secrets {
				if ev, err := webhook.ConstructEvent(body, req.Header.Get("Stripe-Signature"), s); err == nil {
					mu.Lock()
					got[ev.Account] = s
					mu.Unlock()
				}
			}
		}))
		DeferCleanup(srv.Close)
		own, err := emu.Webhooks().ListenWithSecret(srv.URL, secrets[0], "customer.created")
		Expect(err).NotTo(HaveOccurred())
		connect, err := emu.Webhooks().ListenWithSecretOn("", true, srv.URL, secrets[1], "customer.created")
		Expect(err).NotTo(HaveOccurred())
		Expect(connect).NotTo(Equal(own))

		for round := 0; round < 2; round++ {
			got = map[string]string{}
			customers(1)
			p := &stripe.CustomerCreateParams{}
			p.SetStripeAccount(acct.ID)
			_, err = sc.V1Customers.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			mu.Lock()
			Expect(got).To(Equal(map[string]string{"": secrets[0], acct.ID: secrets[1]}), "round %d", round)
			mu.Unlock()
			if round == 0 {
				Expect(emu.Reset()).To(Succeed())
				acct, err = sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express")})
				Expect(err).NotTo(HaveOccurred())
			}
		}
	})

	Describe("policies", func() {
		orderWith := func(seed uint64, p emulator.WebhookPolicy) []string {
			e := Emulator(emulator.WithSeed(seed))
			r := newReceiver()
			id, secret, err := e.Webhooks().Listen(r.Srv.URL, "customer.created")
			Expect(err).NotTo(HaveOccurred())
			r.Secret = secret
			Expect(e.Webhooks().SetPolicy(id, p)).To(Succeed())
			// One request whose events come as one batch: a product with
			// a default price would be two; customers one each, so use a
			// held batch released at once.
			hold := p
			hold.Hold = true
			Expect(e.Webhooks().SetPolicy(id, hold)).To(Succeed())
			for i := 0; i < 8; i++ {
				_, _, err := e.Call("POST", "/v1/customers", url.Values{"email": {fmt.Sprintf("o%d@example.com", i)}}, "")
				Expect(err).NotTo(HaveOccurred())
			}
			Expect(e.Webhooks().SetPolicy(id, p)).To(Succeed()) // releases in policy order
			Expect(e.Webhooks().WaitIdle()).To(Succeed())
			var emails []string
			for _, ev := range r.All() {
				emails = append(emails, ev.Data.Object["email"].(string))
			}
			return emails
		}

		It("shuffles the same way for the same seed, differently for another", func() {
			p := emulator.WebhookPolicy{Order: emulator.Shuffle}
			first := orderWith(42, p)
			Expect(first).To(HaveLen(8))
			Expect(orderWith(42, p)).To(Equal(first))
			Expect(orderWith(43, p)).NotTo(Equal(first))
			Expect(first).NotTo(Equal(orderWith(42, emulator.WebhookPolicy{})), "shuffled is not creation order")
		})

		It("reverses", func() {
			in := orderWith(1, emulator.WebhookPolicy{})
			rev := orderWith(1, emulator.WebhookPolicy{Order: emulator.Reverse})
			for i := range in {
				Expect(rev[i]).To(Equal(in[len(in)-1-i]))
			}
		})

		It("holds until released in the order the test gives", func() {
			id := listen("customer.created")
			Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Hold: true})).To(Succeed())
			customers(3)
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			Expect(rcv.Types()).To(BeEmpty())
			held := emu.Webhooks().Held(id)
			Expect(held).To(HaveLen(3))
			Expect(emu.Webhooks().ReleaseInOrder(id, held[2].ID, held[0].ID, held[1].ID)).To(Succeed())
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			Expect(rcv.IDs()).To(Equal([]string{held[2].ID, held[0].ID, held[1].ID}))
		})

		It("duplicates and delays by type on the emulator clock", func() {
			id := listen("customer.created", "customer.updated")
			Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Duplicate: 1, Delay: map[string]time.Duration{"customer.updated": time.Minute}})).To(Succeed())
			c, _ := sc.V1Customers.Create(Ctx, nil)
			_, err := sc.V1Customers.Update(Ctx, c.ID, &stripe.CustomerUpdateParams{Name: stripe.String("late")})
			Expect(err).NotTo(HaveOccurred())
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			Expect(rcv.Types()).To(Equal([]string{"customer.created", "customer.created"}))
			emu.Clock().Advance(time.Minute)
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			Expect(rcv.Types()).To(Equal([]string{"customer.created", "customer.created", "customer.updated", "customer.updated"}))
		})

		It("keeps an idempotent receiver at one fulfilment per payment under 20 concurrent deliveries with duplicates", func() {
			var mu sync.Mutex
			seen := map[string]bool{}
			fulfilled := map[string]int{}
			inFlight, peak := 0, 0
			gate := make(chan struct{})
			// Opened once: a delivery started as the first twenty leave can
			// bring the count back to twenty before they have all counted
			// themselves out.
			var openGate sync.Once
			rcv.Answer = func(n int, ev stripe.Event) int { return 200 }
			id := listen("payment_intent.succeeded")
			Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Concurrency: 20, Duplicate: 2, Hold: true})).To(Succeed())
			old := rcv.Srv.Config.Handler
			rcv.Srv.Config.Handler = handlerFunc(func(ev stripe.Event, ok bool) {
				mu.Lock()
				inFlight++
				peak = max(peak, inFlight)
				if inFlight == 20 {
					openGate.Do(func() { close(gate) })
				}
				mu.Unlock()
				<-gate
				mu.Lock()
				defer mu.Unlock()
				inFlight--
				if ok && !seen[ev.ID] { // idempotent: by event id
					seen[ev.ID] = true
					pi := ev.Data.Object["id"].(string)
					fulfilled[pi]++
				}
			}, rcv)
			_ = old
			for i := 0; i < 10; i++ {
				_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"), Amount: stripe.Int64(1000), Currency: stripe.String("usd"), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
				Expect(err).NotTo(HaveOccurred())
			}
			Expect(emu.Webhooks().Release(id)).To(Succeed())
			Expect(emu.Webhooks().WaitIdle()).To(Succeed())
			Expect(peak).To(Equal(20), "twenty deliveries were in flight at once")
			Expect(fulfilled).To(HaveLen(10))
			for _, n := range fulfilled {
				Expect(n).To(Equal(1))
			}
			Expect(emu.Webhooks().Attempts()).To(HaveLen(30))
		})
	})
})
