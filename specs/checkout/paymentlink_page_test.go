package checkout_test

import (
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("A payment link's URL", Label("checkout", "payment-links"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	open := func(u string) (int, string, string) {
		GinkgoHelper()
		p := Visit("GET", u, nil)
		return p.Status, p.Location, p.Body
	}
	newLink := func(p *stripe.PaymentLinkCreateParams) *stripe.PaymentLink {
		GinkgoHelper()
		price := oneTimePrice(sc, "Concert ticket", 4500)
		p.LineItems = []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}}
		l, err := sc.V1PaymentLinks.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return l
	}

	It("opens a Checkout Session of the link, with what the URL prefills, and sends the customer to its page", func() {
		l := newLink(&stripe.PaymentLinkCreateParams{})
		Expect(l.URL).To(HavePrefix(emu.URL() + "/buy.stripe.com/test_"))
		sessions := emu.Count("", "checkout.session")
		status, location, _ := open(l.URL + "?prefilled_email=jenny%40example.com&client_reference_id=order-42")
		Expect(status).To(Equal(303))
		Expect(location).To(HavePrefix(emu.URL() + "/checkout/cs_test_"))
		Expect(emu.Count("", "checkout.session")).To(Equal(sessions + 1))
		id := strings.TrimPrefix(location, emu.URL()+"/checkout/")
		s, err := sc.V1CheckoutSessions.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.PaymentLink.ID).To(Equal(l.ID))
		Expect(s.CustomerEmail).To(Equal("jenny@example.com"))
		Expect(s.ClientReferenceID).To(Equal("order-42"))
		Expect(s.AmountTotal).To(Equal(int64(4500)))

		By("each visit opening a session of its own")
		_, again, _ := open(l.URL)
		Expect(again).NotTo(Equal(location))
	})

	It("carries the URL's UTM codes over to the link's redirect after payment, dropping invalid ones", func() {
		l := newLink(&stripe.PaymentLinkCreateParams{AfterCompletion: &stripe.PaymentLinkCreateAfterCompletionParams{
			Type: stripe.String("redirect"), Redirect: &stripe.PaymentLinkCreateAfterCompletionRedirectParams{URL: stripe.String("https://shop.example/thanks?order=1")}}})
		status, location, _ := open(l.URL + "?utm_source=newsletter&utm_campaign=black-friday&utm_medium=bad%20value")
		Expect(status).To(Equal(303))
		page := Visit("POST", location, url.Values{"payment_method": {"pm_card_visa"}, "email": {"jenny@example.com"}})
		Expect(page.Status).To(Equal(303))
		Expect(page.Location).To(Equal("https://shop.example/thanks?order=1&utm_campaign=black-friday&utm_source=newsletter"))
	})

	It("keeps a donation link's host, and shows a deactivated link's message", func() {
		l := newLink(&stripe.PaymentLinkCreateParams{SubmitType: stripe.String("donate"), InactiveMessage: stripe.String("Sold out, see you next year!")})
		Expect(l.URL).To(HavePrefix(emu.URL() + "/donate.stripe.com/test_"))
		status, _, _ := open(l.URL)
		Expect(status).To(Equal(303))
		_, err := sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		sessions := emu.Count("", "checkout.session")
		status, _, body := open(l.URL)
		Expect(status).To(Equal(410))
		Expect(body).To(ContainSubstring("Sold out, see you next year!"))
		Expect(emu.Count("", "checkout.session")).To(Equal(sessions), "no session opens")

		status, _, _ = open(emu.URL() + "/buy.stripe.com/test_nope")
		Expect(status).To(Equal(404))
	})

	It("drops what the URL prefills that is not valid, as Stripe does, and opens the page anyway", func() {
		l := newLink(&stripe.PaymentLinkCreateParams{})
		for i, ref := range []string{strings.Repeat("x", 201), "order 42!", "also bad!", "still bad!"} {
			// Malformed addresses, with an @ or without.
			email := []string{"not-an-email", "jenny@", "jenny@example", "jenny doe@example.com"}[i]
			status, location, _ := open(l.URL + "?" + url.Values{"client_reference_id": {ref}, "prefilled_email": {email}, "locale": {"xx-NOPE"}}.Encode())
			Expect(status).To(Equal(303))
			s, err := sc.V1CheckoutSessions.Retrieve(Ctx, strings.TrimPrefix(location, emu.URL()+"/checkout/"), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(s.ClientReferenceID).To(BeEmpty())
			Expect(s.CustomerEmail).To(BeEmpty())
			Expect(s.Locale).To(BeEmpty(), "a locale Checkout does not have is dropped too")
		}
		By("the test helper refusing such a locale, as a session's creation does")
		before := emu.Count("", "checkout.session")
		status, body, err := emu.Call("POST", "/v1/test_helpers/payment_links/"+l.ID+"/sessions", url.Values{"locale": {"xx-NOPE"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(400))
		Expect(body["error"].(map[string]any)["param"]).To(Equal("locale"))
		Expect(emu.Count("", "checkout.session")).To(Equal(before))
	})
})
