package checkout_test

import (
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Tax ID collection in Checkout", Label("checkout", "tax"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	open := func(required string) (*stripe.CheckoutSession, error) {
		tic := &stripe.CheckoutSessionCreateTaxIDCollectionParams{Enabled: stripe.Bool(true)}
		if required != "" {
			tic.Required = stripe.String(required)
		}
		return sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Quantity: stripe.Int64(1),
				PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(2000),
					ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Kettle")}}}},
			TaxIDCollection: tic,
		})
	}
	complete := func(id string, form url.Values) (int, map[string]any) {
		GinkgoHelper()
		form.Set("payment_method", "pm_card_visa")
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+id+"/complete", form, "")
		Expect(err).NotTo(HaveOccurred())
		return status, body
	}
	paris := func() url.Values {
		return url.Values{"billing_address[line1]": {"1 rue de Rivoli"}, "billing_address[city]": {"Paris"},
			"billing_address[postal_code]": {"75001"}, "billing_address[country]": {"FR"}}
	}

	It("takes required as if_supported or never, defaulting to never, and refuses anything else", func() {
		s, err := open("")
		Expect(err).NotTo(HaveOccurred())
		Expect(s.TaxIDCollection.Enabled).To(BeTrue())
		Expect(s.TaxIDCollection.Required).To(Equal(stripe.CheckoutSessionTaxIDCollectionRequiredNever))
		s, err = open("if_supported")
		Expect(err).NotTo(HaveOccurred())
		Expect(s.TaxIDCollection.Required).To(Equal(stripe.CheckoutSessionTaxIDCollectionRequiredIfSupported))

		_, err = open("always")
		ExpectStripeError(err, 400, "invalid_request_error", "", "tax_id_collection[required]")
		n := 0
		for _, err := range sc.V1CheckoutSessions.List(Ctx, &stripe.CheckoutSessionListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		Expect(n).To(Equal(2), "the refused session was not created")
	})

	It("saves the tax ID collected to the customer before the session's invoice is made, which shows it: a subscription's first invoice, invoice_creation's", func() {
		plan := monthlyPrice(sc, 2000)
		for _, p := range []*stripe.CheckoutSessionCreateParams{
			{Mode: stripe.String("subscription"), LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(plan.ID), Quantity: stripe.Int64(1)}}},
			{Mode: stripe.String("payment"), LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(oneTimePrice(sc, "Kettle", 2000).ID), Quantity: stripe.Int64(1)}},
				InvoiceCreation: &stripe.CheckoutSessionCreateInvoiceCreationParams{Enabled: stripe.Bool(true)}},
		} {
			p.SuccessURL = stripe.String("https://shop.example/ok")
			p.TaxIDCollection = &stripe.CheckoutSessionCreateTaxIDCollectionParams{Enabled: stripe.Bool(true)}
			s, err := sc.V1CheckoutSessions.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			form := paris()
			form.Set("tax_id[type]", "eu_vat")
			form.Set("tax_id[value]", "FRAB123456789")
			status, body := complete(s.ID, form)
			Expect(status).To(Equal(200), "%v", body)
			inv, err := sc.V1Invoices.Retrieve(Ctx, body["invoice"].(string), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.CustomerTaxIDs).To(HaveLen(1), "%s mode", *p.Mode)
			Expect(*inv.CustomerTaxIDs[0].Type).To(Equal(stripe.TaxIDType("eu_vat")))
			Expect(inv.CustomerTaxIDs[0].Value).To(Equal("FRAB123456789"))
			ids := 0
			for _, err := range sc.V1TaxIDs.List(Ctx, &stripe.TaxIDListParams{Customer: stripe.String(body["customer"].(string))}) {
				Expect(err).NotTo(HaveOccurred())
				ids++
			}
			Expect(ids).To(Equal(1), "saved once")
		}
	})

	It("collects the billing address that places the buyer, and with required=if_supported will not complete without a tax ID where one is collected", func() {
		s, err := open("if_supported")
		Expect(err).NotTo(HaveOccurred())
		status, body := complete(s.ID, paris())
		Expect(status).To(Equal(400), "%v", body)
		e := body["error"].(map[string]any)
		Expect(e["param"]).To(Equal("tax_id"))
		Expect(e["message"]).To(ContainSubstring("tax_id_collection[required]=if_supported"))
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.CheckoutSessionStatusOpen), "nothing was charged")

		form := paris()
		form.Set("tax_id[type]", "eu_vat")
		form.Set("tax_id[value]", "FRAB123456789")
		status, body = complete(s.ID, form)
		Expect(status).To(Equal(200), "%v", body)
		got, err = sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.CheckoutSessionStatusComplete))
		Expect(got.CustomerDetails.Address.Country).To(Equal("FR"), "the billing address placing the buyer is collected")
		Expect(got.CustomerDetails.TaxIDs).To(HaveLen(1))

		// required=never: the box stays optional.
		s, err = open("never")
		Expect(err).NotTo(HaveOccurred())
		status, body = complete(s.ID, paris())
		Expect(status).To(Equal(200), "%v", body)
	})
})
