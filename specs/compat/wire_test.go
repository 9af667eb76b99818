package compat_test

import (
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Stripe's wire conventions", Label("compat"), func() {
	var t *target
	BeforeEach(func() { t = newTarget() })

	It("refuses an unknown parameter by its name", func() {
		p := &stripe.CustomerCreateParams{Email: stripe.String(t.email("unknown"))}
		p.AddExtra("nickname_x", "1")
		_, err := t.sc.V1Customers.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_unknown", "nickname_x")
		Expect(StripeErr(err).Msg).To(Equal("Received unknown parameter: nickname_x"))
	})

	It("answers a missing object by its kind and id: 404 in the path, 400 in a parameter", func() {
		_, err := t.sc.V1Customers.Retrieve(Ctx, "cus_missing"+t.run, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(StripeErr(err).Msg).To(Equal("No such customer: 'cus_missing" + t.run + "'"))

		_, err = t.sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Customer: stripe.String("cus_missing" + t.run),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "customer")
		Expect(StripeErr(err).Msg).To(Equal("No such customer: 'cus_missing" + t.run + "'"))
	})

	It("refuses to expand what cannot be expanded", func() {
		cus, err := t.sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String(t.email("expand"))})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.CustomerRetrieveParams{}
		p.AddExpand("nonexistent")
		_, err = t.sc.V1Customers.Retrieve(Ctx, cus.ID, p)
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(400))
		Expect(se.Msg).To(Equal("This property cannot be expanded (nonexistent)."))
	})

	It("replays an idempotent request, and refuses its key with other parameters", func() {
		key := "compat-" + t.run
		create := func(name string) (*stripe.Customer, error) {
			p := &stripe.CustomerCreateParams{Email: stripe.String(t.email("idem")), Name: stripe.String(name)}
			p.SetIdempotencyKey(key)
			return t.sc.V1Customers.Create(Ctx, p)
		}
		first, err := create("Ada")
		Expect(err).NotTo(HaveOccurred())
		again, err := create("Ada")
		Expect(err).NotTo(HaveOccurred())
		Expect(again.ID).To(Equal(first.ID))
		Expect(again.LastResponse.Header.Get("Idempotent-Replayed")).To(Equal("true"))

		_, err = create("Grace")
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(400))
		Expect(string(se.Type)).To(Equal("idempotency_error"))
		Expect(se.Msg).To(Equal("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '" + key + "' if you meant to execute a different request."))
	})

	It("lists newest first, a page at a time", func() {
		email := t.email("pages")
		var made []string
		for range 3 {
			cus, err := t.sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String(email)})
			Expect(err).NotTo(HaveOccurred())
			made = append(made, cus.ID)
		}
		page := func(p *stripe.CustomerListParams) (ids []string) {
			GinkgoHelper()
			p.Email = stripe.String(email)
			p.Limit = stripe.Int64(2)
			p.Single = true // one page, not stripe-go's auto-pagination
			list := t.sc.V1Customers.List(Ctx, p)
			for c, err := range list {
				Expect(err).NotTo(HaveOccurred())
				ids = append(ids, c.ID)
			}
			return ids
		}
		Expect(page(&stripe.CustomerListParams{})).To(Equal([]string{made[2], made[1]}))
		Expect(page(&stripe.CustomerListParams{ListParams: stripe.ListParams{StartingAfter: stripe.String(made[1])}})).To(Equal([]string{made[0]}))
		Expect(page(&stripe.CustomerListParams{ListParams: stripe.ListParams{EndingBefore: stripe.String(made[0])}})).To(ConsistOf(made[2], made[1]))
	})

	It("declines a card as Stripe does: 402, card_error, the intent and its failed charge", func() {
		_, err := t.sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(2000), Currency: stripe.String("usd"), PaymentMethodTypes: []*string{stripe.String("card")},
			PaymentMethod: stripe.String("pm_card_visa_chargeDeclined"), Confirm: stripe.Bool(true),
		})
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(402))
		Expect(string(se.Type)).To(Equal("card_error"))
		Expect(string(se.Code)).To(Equal("card_declined"))
		Expect(string(se.DeclineCode)).To(Equal("generic_decline"))
		Expect(se.Msg).To(Equal("Your card was declined."))
		Expect(se.PaymentIntent).NotTo(BeNil())
		Expect(se.PaymentIntent.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(se.PaymentIntent.LatestCharge).NotTo(BeNil())
	})
})

// fields are the top-level keys of an answer as Stripe sent it.
func fields(raw []byte) map[string]json.RawMessage {
	GinkgoHelper()
	var m map[string]json.RawMessage
	Expect(json.Unmarshal(raw, &m)).To(Succeed())
	return m
}
