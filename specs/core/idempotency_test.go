package core_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Idempotency keys", Label("wire", "idempotency"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	create := func(key, email string) (*stripe.Customer, error) {
		p := &stripe.CustomerCreateParams{Email: stripe.String(email)}
		p.SetIdempotencyKey(key)
		return sc.V1Customers.Create(Ctx, p)
	}

	It("replays the saved response without doing the work again", func() {
		first, err := create("key-1", "a@example.com")
		Expect(err).NotTo(HaveOccurred())
		second, err := create("key-1", "a@example.com")
		Expect(err).NotTo(HaveOccurred())
		Expect(second.ID).To(Equal(first.ID))
		Expect(second.LastResponse.Header.Get("Idempotent-Replayed")).To(Equal("true"))
		Expect(second.LastResponse.IdempotencyKey).To(Equal("key-1"))
		Expect(emu.Count("", "customer")).To(Equal(1))
		Expect(emu.EventTypes("")).To(Equal([]string{"customer.created"}))
		Expect(string(second.LastResponse.RawJSON)).To(Equal(string(first.LastResponse.RawJSON)), "byte for byte")
	})

	It("names the first request on every answer under a key, and says no retry is needed", func() {
		first, err := create("key-headers", "a@example.com")
		Expect(err).NotTo(HaveOccurred())
		h := first.LastResponse.Header
		Expect(h.Get("Idempotency-Key")).To(Equal("key-headers"))
		Expect(h.Get("Original-Request")).To(Equal(first.LastResponse.RequestID), "the first request is its own original")
		Expect(h.Get("Idempotent-Replayed")).To(BeEmpty())
		Expect(h.Get("Stripe-Should-Retry")).To(Equal("false"))

		second, err := create("key-headers", "a@example.com")
		Expect(err).NotTo(HaveOccurred())
		h = second.LastResponse.Header
		Expect(h.Get("Original-Request")).To(Equal(first.LastResponse.RequestID))
		Expect(second.LastResponse.RequestID).NotTo(Equal(first.LastResponse.RequestID))
		Expect(h.Get("Stripe-Should-Retry")).To(Equal("false"))

		By("echoing the key on an answer refused before the endpoint ran")
		r := Do(emu.URL(), "POST", "/v1/customers", "favourite_colour=blue", "Idempotency-Key", "key-refused")
		Expect(r.Status).To(Equal(400))
		Expect(r.Header.Get("Idempotency-Key")).To(Equal("key-refused"))
		Expect(r.Header.Get("Original-Request")).To(Equal(r.Header.Get("Request-Id")))
	})

	It("refuses a key outside 1-255 characters, doing nothing", func() {
		refusal := func(n int) string {
			return fmt.Sprintf("Idempotent key length is %d characters long, which is outside accepted lengths. Idempotent Keys must be 1-255 characters long. If you're looking for a decent generator, try using a UUID defined by IETF RFC 4122.", n)
		}
		r := Do(emu.URL(), "POST", "/v1/customers", "email=a%40example.com", "Idempotency-Key", strings.Repeat("k", 256))
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["type"]).To(Equal("idempotency_error"))
		Expect(r.Error()["message"]).To(Equal(refusal(256)))

		By("counting a header sent empty as a key of no characters")
		req, err := http.NewRequest("POST", emu.URL()+"/v1/customers", strings.NewReader("email=a%40example.com"))
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Authorization", "Bearer sk_test_spec")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header["Idempotency-Key"] = []string{""}
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		var body struct{ Error map[string]any }
		Expect(json.NewDecoder(resp.Body).Decode(&body)).To(Succeed())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(400))
		Expect(body.Error["type"]).To(Equal("idempotency_error"))
		Expect(body.Error["message"]).To(Equal(refusal(0)))
		Expect(emu.Count("", "customer")).To(BeZero())
	})

	It("takes a key of exactly 255 characters", func() {
		_, err := create(strings.Repeat("k", 255), "a@example.com")
		Expect(err).NotTo(HaveOccurred())
	})

	It("refuses the same key with other parameters", func() {
		_, err := create("key-2", "a@example.com")
		Expect(err).NotTo(HaveOccurred())
		_, err = create("key-2", "b@example.com")
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(400))
		Expect(se.Type).To(Equal(stripe.ErrorTypeIdempotency))
		Expect(se.Msg).To(Equal("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'key-2' if you meant to execute a different request."))
		Expect(emu.Count("", "customer")).To(Equal(1))
	})

	It("refuses the same key on another endpoint", func() {
		c, err := create("key-3", "a@example.com")
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.CustomerUpdateParams{Email: stripe.String("a@example.com")}
		p.SetIdempotencyKey("key-3")
		_, err = sc.V1Customers.Update(Ctx, c.ID, p)
		se := StripeErr(err)
		Expect(se.Type).To(Equal(stripe.ErrorTypeIdempotency))
		Expect(se.Msg).To(ContainSubstring("('/v1/customers' vs '/v1/customers/" + c.ID + "')"))
	})

	It("replays saved errors too", func() {
		p := &stripe.PriceCreateParams{Product: stripe.String("prod_nope"), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1)}
		p.SetIdempotencyKey("key-err")
		_, err := sc.V1Prices.Create(Ctx, p)
		Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeResourceMissing))
		_, err = sc.V1Prices.Create(Ctx, p)
		se := StripeErr(err)
		Expect(se.Code).To(Equal(stripe.ErrorCodeResourceMissing))
		Expect(se.LastResponse.Header.Get("Idempotent-Replayed")).To(Equal("true"))
	})

	It("scopes keys per account", func() {
		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Capabilities: Transfers()})
		Expect(err).NotTo(HaveOccurred())
		_, err = create("shared", "a@example.com")
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.CustomerCreateParams{Email: stripe.String("other@example.com")}
		p.SetIdempotencyKey("shared")
		p.SetStripeAccount(acct.ID)
		_, err = sc.V1Customers.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
	})

	It("forgets keys after 24 hours of emulator time", func() {
		first, err := create("old", "a@example.com")
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(24*60*60*1e9 + 1e9)
		second, err := create("old", "b@example.com")
		Expect(err).NotTo(HaveOccurred())
		Expect(second.ID).NotTo(Equal(first.ID))
	})

	It("answers 409 while a request with the same key is still running", func() {
		hold := emu.Faults().Hold(http.MethodPost, "/v1/customers")
		var wg sync.WaitGroup
		var first *stripe.Customer
		var firstErr error
		wg.Add(1)
		go func() {
			defer GinkgoRecover()
			defer wg.Done()
			first, firstErr = create("busy", "a@example.com")
		}()
		emu.Faults().WaitHeld(hold, 1)

		_, err := create("busy", "a@example.com")
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(409))
		Expect(se.Code).To(Equal(stripe.ErrorCode("idempotency_key_in_use")))

		emu.Faults().Release(hold)
		wg.Wait()
		Expect(firstErr).NotTo(HaveOccurred())
		again, err := create("busy", "a@example.com")
		Expect(err).NotTo(HaveOccurred())
		Expect(again.ID).To(Equal(first.ID))
		Expect(emu.Count("", "customer")).To(Equal(1))
	})
})
