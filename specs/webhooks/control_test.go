package webhooks_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// ctl calls the /_emu control surface with a JSON body.
func ctl(base, method, path, body string) map[string]any {
	GinkgoHelper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	var out any
	Expect(json.NewDecoder(resp.Body).Decode(&out)).To(Succeed())
	if m, ok := out.(map[string]any); ok {
		m["_status"] = float64(resp.StatusCode)
		return m
	}
	return map[string]any{"_status": float64(resp.StatusCode), "list": out}
}

var _ = Describe("The control surface over HTTP", Label("control"), func() {
	var (
		emu *emulator.Emulator
		rcv *receiver
	)
	BeforeEach(func() {
		emu = Emulator()
		rcv = newReceiver()
	})

	It("moves the clock, holds and releases webhooks, injects faults", func() {
		id, secret, err := emu.Webhooks().Listen(rcv.Srv.URL, "customer.created")
		Expect(err).NotTo(HaveOccurred())
		rcv.Secret = secret

		r := ctl(emu.URL(), "POST", "/_emu/webhooks/endpoints/"+id+"/policy", `{"hold": true}`)
		Expect(r["_status"]).To(BeNumerically("==", 200))
		sc := emu.Client()
		for i := 0; i < 2; i++ {
			_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
			Expect(err).NotTo(HaveOccurred())
		}
		held := ctl(emu.URL(), "GET", "/_emu/webhooks/endpoints/"+id+"/held", "")["list"].([]any)
		Expect(held).To(HaveLen(2))
		second := held[1].(map[string]any)["id"].(string)
		first := held[0].(map[string]any)["id"].(string)
		ctl(emu.URL(), "POST", "/_emu/webhooks/endpoints/"+id+"/release", `{"event_ids": ["`+second+`", "`+first+`"]}`)
		ctl(emu.URL(), "POST", "/_emu/webhooks/flush", "")
		Expect(rcv.IDs()).To(Equal([]string{second, first}))

		before := emu.Clock().Unix()
		r = ctl(emu.URL(), "POST", "/_emu/clock", `{"advance": "1d"}`)
		Expect(r["now"]).To(BeNumerically("==", before+86400))

		r = ctl(emu.URL(), "POST", "/_emu/faults", `{"method": "POST", "path": "/v1/customers", "kind": "server_error", "times": 1}`)
		Expect(r["id"]).To(HavePrefix("fault_"))
		_, err = sc.V1Customers.Create(Ctx, nil)
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(500))

		r = ctl(emu.URL(), "POST", "/_emu/webhooks/endpoints/"+id+"/policy", `{"order": "sideways"}`)
		Expect(r["_status"]).To(BeNumerically("==", 400))
		r = ctl(emu.URL(), "POST", "/_emu/faults", `{"kind": "meteor"}`)
		Expect(r["_status"]).To(BeNumerically("==", 400))

		r = ctl(emu.URL(), "GET", "/_emu/billing/settings", "")
		Expect(r["subscription_after_retries"]).To(Equal("cancel"))
		r = ctl(emu.URL(), "POST", "/_emu/billing/settings", `{"subscription_after_retries": "unpaid"}`)
		Expect(r["subscription_after_retries"]).To(Equal("unpaid"))
		Expect(emu.BillingSettings("").SubscriptionAfterRetries).To(Equal("unpaid"))
		r = ctl(emu.URL(), "POST", "/_emu/billing/settings", `{"subscription_after_retries": "shrug"}`)
		Expect(r["_status"]).To(BeNumerically("==", 400))
		Expect(emu.BillingSettings("").SubscriptionAfterRetries).To(Equal("unpaid"))
		Expect(r["retry_days"]).To(BeNil(), "an error answer")
		r = ctl(emu.URL(), "GET", "/_emu/billing/settings", "")
		Expect(r["retry_days"]).To(Equal([]any{3.0, 2.0, 2.0}))
		r = ctl(emu.URL(), "POST", "/_emu/billing/settings", `{"retry_days": [1, 4]}`)
		Expect(r["retry_days"]).To(Equal([]any{1.0, 4.0}))
		Expect(r["subscription_after_retries"]).To(Equal("unpaid"), "what the body leaves out stays")
		r = ctl(emu.URL(), "POST", "/_emu/billing/settings", `{"retry_days": [0]}`)
		Expect(r["_status"]).To(BeNumerically("==", 400))
		Expect(emu.BillingSettings("").RetryDays).To(Equal([]int{1, 4}))
		Expect(r["subscription_after_due"]).To(BeNil(), "an error answer")
		r = ctl(emu.URL(), "POST", "/_emu/billing/settings", `{"subscription_after_due": "unpaid", "days_after_due": 14}`)
		Expect(r["subscription_after_due"]).To(Equal("unpaid"))
		Expect(r["days_after_due"]).To(BeNumerically("==", 14))
		r = ctl(emu.URL(), "POST", "/_emu/billing/settings", `{"days_after_due": 400}`)
		Expect(r["_status"]).To(BeNumerically("==", 400))
		Expect(emu.BillingSettings("").DaysAfterDue).To(Equal(14))
	})

	It("lists the platform's events, or a connected account's with ?account=, and policies with delays in seconds or durations", func() {
		sc := emu.Client()
		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express")})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.CustomerCreateParams{}
		p.SetStripeAccount(acct.ID)
		_, err = sc.V1Customers.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		types := func(path string) []string {
			var out []string
			for _, ev := range ctl(emu.URL(), "GET", path, "")["list"].([]any) {
				out = append(out, ev.(map[string]any)["type"].(string))
			}
			return out
		}
		Expect(types("/_emu/events?account=" + acct.ID)).To(Equal([]string{"customer.created"}))
		Expect(types("/_emu/events")).NotTo(ContainElement("customer.created"))
		// A misspelt account is not an account without events.
		r := ctl(emu.URL(), "GET", "/_emu/events?account=acct_1NotMadeHere", "")
		Expect(r["_status"]).To(BeNumerically("==", 404))
		Expect(fmt.Sprint(r)).To(ContainSubstring("acct_1NotMadeHere"))

		id, _, err := emu.Webhooks().Listen(rcv.Srv.URL, "customer.*")
		Expect(err).NotTo(HaveOccurred())
		r = ctl(emu.URL(), "POST", "/_emu/webhooks/endpoints/"+id+"/policy", `{"delay": {"customer.*": "90s", "*": 30}, "duplicate_fraction": 0.5}`)
		Expect(r["_status"]).To(BeNumerically("==", 200))
		got, _ := emu.Webhooks().Policy(id)
		Expect(got.Delay).To(Equal(map[string]time.Duration{"customer.*": 90 * time.Second, "*": 30 * time.Second}))
		Expect(got.DuplicateFraction).To(Equal(0.5))
	})

	It("serves the Checkout page a session's url points at", func() {
		sc := emu.Client()
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String(rcv.Srv.URL + "/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1200), ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Mug")}},
				Quantity: stripe.Int64(1)}}})
		Expect(err).NotTo(HaveOccurred())
		resp, err := http.Get(s.URL)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(200))
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err = noRedirect.PostForm(s.URL, map[string][]string{"payment_method": {"pm_card_visa"}})
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(303))
		Expect(resp.Header.Get("Location")).To(Equal(rcv.Srv.URL + "/ok"))
		got, _ := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusPaid))
	})
})
