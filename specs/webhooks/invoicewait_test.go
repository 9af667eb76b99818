package webhooks_test

import (
	"fmt"
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Stripe finalizes a renewal's draft an hour after its invoice.created
// webhooks were delivered, so an app's handler can still add to the draft,
// and records that moment in webhooks_delivered_at. The emulator's clock
// may pass the whole story in one step: what the draft finds must depend on
// what the receiver answered, never on how fast.
var _ = Describe("An invoice waiting for its invoice.created webhooks", Label("webhooks", "billing"), func() {
	var emu *emulator.Emulator
	BeforeEach(func() { emu = Emulator() })

	call := func(method, path string, form url.Values) map[string]any {
		GinkgoHelper()
		status, out, err := emu.Call(method, path, form, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", out)
		return out
	}
	// subscribe starts a monthly subscription of 10.00 paid by card; it
	// answers its id and when its first period ends.
	subscribe := func() (string, int64) {
		GinkgoHelper()
		price := call("POST", "/v1/prices", url.Values{"currency": {"usd"}, "unit_amount": {"1000"},
			"recurring[interval]": {"month"}, "product_data[name]": {"Plan"}})
		cus := call("POST", "/v1/customers", url.Values{"payment_method": {"pm_card_visa"},
			"invoice_settings[default_payment_method]": {"pm_card_visa"}})
		sub := call("POST", "/v1/subscriptions", url.Values{"customer": {cus["id"].(string)},
			"items[0][price]": {price["id"].(string)}})
		Expect(sub["status"]).To(Equal("active"))
		end := sub["items"].(map[string]any)["data"].([]any)[0].(map[string]any)["current_period_end"].(float64)
		return sub["id"].(string), int64(end)
	}
	renewal := func(subID string) *stripe.Invoice {
		GinkgoHelper()
		sub, err := emulator.GetAs[stripe.Subscription](emu, "", subID)
		Expect(err).NotTo(HaveOccurred())
		inv, err := emulator.GetAs[stripe.Invoice](emu, "", sub.LatestInvoice.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		return inv
	}
	// listen makes an endpoint for invoice.created whose receiver answers
	// with answer (nil: 200).
	listen := func(answer func(n int, ev stripe.Event) int) (string, *receiver) {
		GinkgoHelper()
		rcv := newReceiver()
		rcv.Answer = answer
		id, secret, err := emu.Webhooks().Listen(rcv.Srv.URL, "invoice.created")
		Expect(err).NotTo(HaveOccurred())
		rcv.Secret = secret
		return id, rcv
	}

	It("marks the webhooks of an invoice no endpoint takes delivered as it is created", func() {
		listen(nil)
		other := newReceiver()
		_, _, err := emu.Webhooks().Listen(other.Srv.URL, "customer.created")
		Expect(err).NotTo(HaveOccurred())
		cus := call("POST", "/v1/customers", nil)
		inv := call("POST", "/v1/invoices", url.Values{"customer": {cus["id"].(string)}})
		Expect(inv["webhooks_delivered_at"]).To(BeNil(), "an endpoint takes its invoice.created")

		Expect(emu.Reset()).To(Succeed())
		other = newReceiver()
		_, _, err = emu.Webhooks().Listen(other.Srv.URL, "customer.created")
		Expect(err).NotTo(HaveOccurred())
		cus = call("POST", "/v1/customers", nil)
		inv = call("POST", "/v1/invoices", url.Values{"customer": {cus["id"].(string)}})
		Expect(inv["webhooks_delivered_at"]).To(Equal(inv["created"]), "no endpoint takes invoice.created")
	})

	It("lets the app add to a renewal's draft from its handler, with the clock passing it all in one step", func() {
		var added []string
		_, _ = listen(func(_ int, ev stripe.Event) int {
			if ev.Data.Object["billing_reason"] != "subscription_cycle" {
				return 200
			}
			// The app adds a usage charge to the draft, as Stripe's
			// guide suggests doing on invoice.created.
			status, item, err := emu.Call("POST", "/v1/invoiceitems", url.Values{
				"customer": {ev.Data.Object["customer"].(string)}, "invoice": {ev.Data.Object["id"].(string)},
				"amount": {"250"}, "currency": {"usd"}, "description": {"Overage"}}, "")
			if err != nil || status != 200 {
				return 500
			}
			added = append(added, item["id"].(string))
			return 200
		})
		subID, end := subscribe()

		emu.Clock().Set(time.Unix(end, 0).Add(3 * time.Hour))
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		inv := renewal(subID)
		Expect(added).To(HaveLen(1), "the handler ran once, on the renewal's draft")
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.AmountPaid).To(Equal(int64(1250)), "the overage the handler added was billed")
		Expect(inv.WebhooksDeliveredAt).To(Equal(end), "delivered at the renewal, its attempt's moment")
		Expect(inv.StatusTransitions.FinalizedAt).To(Equal(end + 3600))
	})

	It("finalizes an hour after a retry finally delivered it", func() {
		_, rcv := listen(func(n int, ev stripe.Event) int {
			if ev.Data.Object["billing_reason"] == "subscription_cycle" && n <= 3 {
				return 500 // the renewal's first two attempts fail
			}
			return 200
		})
		subID, end := subscribe()
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(rcv.Types()).To(HaveLen(1), "the first invoice's")

		emu.Clock().Set(time.Unix(end, 0).Add(3 * time.Hour))
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		inv := renewal(subID)
		// Attempts at the renewal and 5 minutes later fail; the one an
		// hour after that lands.
		delivered := end + 5*60 + 3600
		Expect(inv.WebhooksDeliveredAt).To(Equal(delivered))
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.StatusTransitions.FinalizedAt).To(Equal(delivered + 3600))
	})

	It("waits while a delivery is retried and finalizes once every attempt failed", func() {
		listen(func(_ int, ev stripe.Event) int {
			if ev.Data.Object["billing_reason"] == "subscription_cycle" {
				return 500
			}
			return 200
		})
		subID, end := subscribe()

		emu.Clock().Set(time.Unix(end, 0).Add(2 * time.Hour))
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		inv := renewal(subID)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusDraft), "a retry is still to come, three hours after the last")
		Expect(inv.WebhooksDeliveredAt).To(BeZero())
		Expect(inv.AutomaticallyFinalizesAt).To(Equal(end + 5*60 + 3600 + 3*3600))

		emu.Clock().Set(time.Unix(end, 0).Add(5 * time.Hour))
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		inv = renewal(subID)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid), "every attempt spent, Stripe stops waiting")
		Expect(inv.StatusTransitions.FinalizedAt).To(Equal(end + 5*60 + 3600 + 3*3600))
		Expect(inv.WebhooksDeliveredAt).To(BeZero(), "never delivered")
	})

	It("waits for held deliveries up to 72 hours, and an hour past their release", func() {
		id, rcv := listen(nil)
		subID, end := subscribe()
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Hold: true})).To(Succeed())

		emu.Clock().Set(time.Unix(end, 0).Add(24 * time.Hour))
		inv := renewal(subID)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusDraft))
		Expect(inv.AutomaticallyFinalizesAt).To(Equal(end + 72*3600))

		Expect(emu.Webhooks().Release(id)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		released := end + 24*3600
		inv = renewal(subID)
		Expect(inv.WebhooksDeliveredAt).To(Equal(released))
		Expect(inv.AutomaticallyFinalizesAt).To(Equal(released+3600), "an hour after the delivery, not at the 72-hour limit")
		Expect(rcv.Types()).To(ContainElement("invoice.created"))

		emu.Clock().Advance(time.Hour)
		inv = renewal(subID)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.StatusTransitions.FinalizedAt).To(Equal(released + 3600))
	})

	It("waits on a connected account's invoice for the Connect endpoint taking its events", func() {
		acct := call("POST", "/v1/accounts", url.Values{"type": {"express"}})["id"].(string)
		in := func(method, path string, form url.Values) map[string]any {
			GinkgoHelper()
			status, out, err := emu.Call(method, path, form, acct)
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", out)
			return out
		}
		rcv := newReceiver()
		rcv.Answer = func(n int, _ stripe.Event) int {
			if n == 1 {
				return 500 // the first attempt fails; the retry 5 minutes later lands
			}
			return 200
		}
		_, secret, err := emu.Webhooks().ListenOn("", rcv.Srv.URL, true, "invoice.created")
		Expect(err).NotTo(HaveOccurred())
		rcv.Secret = secret
		// The platform's own invoice has no endpoint to wait for.
		platformInv := call("POST", "/v1/invoices", url.Values{"customer": {call("POST", "/v1/customers", nil)["id"].(string)}})
		Expect(platformInv["webhooks_delivered_at"]).To(Equal(platformInv["created"]))

		cus := in("POST", "/v1/customers", nil)
		inv := in("POST", "/v1/invoices", url.Values{"customer": {cus["id"].(string)}, "auto_advance": {"true"},
			"collection_method": {"send_invoice"}, "days_until_due": {"30"}})
		Expect(inv["webhooks_delivered_at"]).To(BeNil())
		created := int64(inv["created"].(float64))

		emu.Clock().Advance(2 * time.Hour)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		inv = in("GET", "/v1/invoices/"+inv["id"].(string), nil)
		Expect(inv["webhooks_delivered_at"]).To(BeNumerically("==", created+5*60))
		Expect(inv["status"]).To(Equal("paid"), "finalized with nothing to pay")
		Expect(inv["status_transitions"].(map[string]any)["finalized_at"]).To(BeNumerically("==", created+5*60+3600))
	})

	It("finalizes at the 72-hour limit when the deliveries stay held", func() {
		id, _ := listen(nil)
		subID, end := subscribe()
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Hold: true})).To(Succeed())

		emu.Clock().Set(time.Unix(end, 0).Add(80 * time.Hour))
		inv := renewal(subID)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.StatusTransitions.FinalizedAt).To(Equal(end + 72*3600))
		Expect(inv.WebhooksDeliveredAt).To(BeZero())
	})

	// "When you use a custom finalization time for invoices, finalization
	// won't be delayed because of invoice.created webhook failures."
	It("finalizes at a custom automatically_finalizes_at whatever the deliveries do", func() {
		listen(func(int, stripe.Event) int { return 500 })
		cus := call("POST", "/v1/customers", nil)
		inv := call("POST", "/v1/invoices", url.Values{"customer": {cus["id"].(string)}, "auto_advance": {"true"},
			"collection_method": {"send_invoice"}, "days_until_due": {"30"}})
		created := int64(inv["created"].(float64))
		at := created + 2*3600
		inv = call("POST", "/v1/invoices/"+inv["id"].(string), url.Values{"automatically_finalizes_at": {fmt.Sprint(at)}})
		Expect(inv["automatically_finalizes_at"]).To(BeNumerically("==", at))

		emu.Clock().Set(time.Unix(at, 0))
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		inv = call("GET", "/v1/invoices/"+inv["id"].(string), nil)
		Expect(inv["status"]).To(Equal("paid"), "finalized with nothing to pay, though no delivery landed")
		Expect(inv["status_transitions"].(map[string]any)["finalized_at"]).To(BeNumerically("==", at))
		Expect(inv["webhooks_delivered_at"]).To(BeNil())
	})

	It("keeps a custom automatically_finalizes_at when a held delivery lands an hour before it", func() {
		id, _ := listen(nil)
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Hold: true})).To(Succeed())
		cus := call("POST", "/v1/customers", nil)
		at := emu.Clock().Now().Unix() + 2*3600
		inv := call("POST", "/v1/invoices", url.Values{"customer": {cus["id"].(string)}, "auto_advance": {"true"},
			"collection_method": {"send_invoice"}, "days_until_due": {"30"}, "automatically_finalizes_at": {fmt.Sprint(at)}})

		emu.Clock().Set(time.Unix(at-1800, 0))
		Expect(emu.Webhooks().Release(id)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		inv = call("GET", "/v1/invoices/"+inv["id"].(string), nil)
		Expect(inv["webhooks_delivered_at"]).To(BeNumerically("==", at-1800))
		Expect(inv["automatically_finalizes_at"]).To(BeNumerically("==", at), "not an hour after the delivery")

		emu.Clock().Set(time.Unix(at, 0))
		inv = call("GET", "/v1/invoices/"+inv["id"].(string), nil)
		Expect(inv["status"]).To(Equal("paid"))
		Expect(inv["status_transitions"].(map[string]any)["finalized_at"]).To(BeNumerically("==", at))
	})
})
