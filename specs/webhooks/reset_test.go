package webhooks_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Reset is "as if the emulator had just started": a suite sharing one
// emulator (the binary, driven over /_emu/reset) must see each test's
// deliveries replay from the seed as in a fresh emulator.
var _ = Describe("Webhooks after a reset", Label("webhooks"), func() {
	// shuffled makes an endpoint, holds eight customers' events and
	// releases them at once under a shuffle: the emails in arrival order.
	shuffled := func(emu *emulator.Emulator) []string {
		GinkgoHelper()
		r := newReceiver()
		id, secret, err := emu.Webhooks().Listen(r.Srv.URL, "customer.created")
		Expect(err).NotTo(HaveOccurred())
		r.Secret = secret
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Order: emulator.Shuffle, Hold: true})).To(Succeed())
		for i := 0; i < 8; i++ {
			_, _, err := emu.Call("POST", "/v1/customers", url.Values{"email": {fmt.Sprintf("r%d@example.com", i)}}, "")
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(emu.Webhooks().Release(id)).To(Succeed())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		var emails []string
		for _, ev := range r.All() {
			emails = append(emails, ev.Data.Object["email"].(string))
		}
		return emails
	}

	It("replays a shuffle from the seed as a fresh emulator does, with no attempt of before in the log", func() {
		fresh := shuffled(Emulator(emulator.WithSeed(99)))
		Expect(fresh).To(HaveLen(8))

		emu := Emulator(emulator.WithSeed(99))
		Expect(shuffled(emu)).To(Equal(fresh))
		Expect(emu.Webhooks().Attempts()).To(HaveLen(8))
		Expect(emu.Reset()).To(Succeed())
		Expect(emu.Webhooks().Attempts()).To(BeEmpty(), "the attempts of before the reset are gone with their events")
		Expect(shuffled(emu)).To(Equal(fresh), "the endpoint made after the reset shuffles as the first one of a fresh emulator")
	})

	It("neither logs nor retries a delivery in flight across the reset, its event gone", func() {
		emu := Emulator()
		gate, arrived := make(chan struct{}), make(chan struct{}, 4)
		failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			arrived <- struct{}{}
			<-gate
			w.WriteHeader(500)
		}))
		DeferCleanup(failing.Close)
		id, _, err := emu.Webhooks().Listen(failing.URL, "customer.created")
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Concurrency: 4})).To(Succeed())
		for i := 0; i < 4; i++ {
			_, _, err := emu.Call("POST", "/v1/customers", url.Values{}, "")
			Expect(err).NotTo(HaveOccurred())
		}
		for i := 0; i < 4; i++ {
			<-arrived
		}
		Expect(emu.Reset()).To(Succeed())
		close(gate)
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(emu.Webhooks().Attempts()).To(BeEmpty())
		Expect(emu.Webhooks().Waiting(id)).To(BeEmpty())
	})

	It("forgets the default policy, as a fresh emulator has none", func() {
		emu := Emulator()
		Expect(emu.Webhooks().SetDefaultPolicy(emulator.WebhookPolicy{Hold: true})).To(Succeed())
		Expect(emu.Reset()).To(Succeed())
		r := newReceiver()
		id, secret, err := emu.Webhooks().Listen(r.Srv.URL, "customer.created")
		Expect(err).NotTo(HaveOccurred())
		r.Secret = secret
		p, _ := emu.Webhooks().Policy(id)
		Expect(p).To(Equal(emulator.WebhookPolicy{}))
	})

	It("keeps an endpoint wired with a secret of the test's choosing (the binary's --webhook), made anew", func() {
		emu := Emulator()
		r := newReceiver()
		r.Secret = "whsec_wired"
		before, err := emu.Webhooks().ListenWithSecret(r.Srv.URL, "whsec_wired", "customer.created")
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Reset()).To(Succeed())

		_, err = emu.Client().V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("after@example.com")})
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		Expect(r.Rejections()).To(BeEmpty())
		Expect(r.Types()).To(Equal([]string{"customer.created"}), "signed with the same secret, for the same events")
		attempts := emu.Webhooks().Attempts()
		Expect(attempts).To(HaveLen(1))
		Expect(attempts[0].EndpointID).NotTo(Equal(before), "a new endpoint, as every object after a reset is new")
		again, err := emu.Webhooks().ListenWithSecret(r.Srv.URL, "whsec_wired", "customer.created")
		Expect(err).NotTo(HaveOccurred())
		Expect(again).To(Equal(attempts[0].EndpointID), "wiring it again reuses it")
		var n int
		for _, err := range emu.Client().V1WebhookEndpoints.List(Ctx, nil) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		Expect(n).To(Equal(1))
	})
})
