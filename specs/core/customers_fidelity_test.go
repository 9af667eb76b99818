package core_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Details of customers as Stripe's API reference and OpenAPI spec
// describe them at the pinned version, checked the way an integration
// meets them.
var _ = Describe("Customer fidelity", Label("customers"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	// Stripe's deleted_customer is {id, object, deleted} and nothing
	// more; integrations that always expand keep retrieving it.
	It("serves a deleted customer as the bare stub, whatever is expanded", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("gone@example.com")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Delete(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())

		p := &stripe.CustomerRetrieveParams{}
		p.AddExpand("test_clock")
		p.AddExpand("invoice_settings.default_payment_method")
		p.AddExpand("tax_ids")
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Deleted).To(BeTrue())

		for _, path := range []string{
			"/v1/customers/" + cus.ID,
			"/v1/customers/" + cus.ID + "?expand[]=test_clock&expand[]=invoice_settings.default_payment_method&expand[]=tax_ids&expand[]=cash_balance",
		} {
			r := Do(emu.URL(), "GET", path, "")
			Expect(r.Status).To(Equal(200))
			Expect(r.Body).To(Equal(map[string]any{"id": cus.ID, "object": "customer", "deleted": true}), path)
		}
	})
	// Stripe's example customer shows preferred_locales as [] when none
	// are set; emptying them sets none.
	It("keeps preferred_locales a list, empty once emptied", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{PreferredLocales: stripe.StringSlice([]string{"fr", "en"})})
		Expect(err).NotTo(HaveOccurred())
		Expect(cus.PreferredLocales).To(Equal([]string{"fr", "en"}))

		r := Do(emu.URL(), "POST", "/v1/customers/"+cus.ID, "preferred_locales=")
		Expect(r.Status).To(Equal(200))
		Expect(r.Body["preferred_locales"]).To(Equal([]any{}))
		r = Do(emu.URL(), "GET", "/v1/customers/"+cus.ID, "")
		Expect(r.Body["preferred_locales"]).To(Equal([]any{}))
	})
})
