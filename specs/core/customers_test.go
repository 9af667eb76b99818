package core_test

import (
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Customers", Label("customers"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	It("creates, retrieves, updates and deletes with events", func() {
		c, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{
			Email: stripe.String("jenny@example.com"), Name: stripe.String("Jenny"),
			Metadata: map[string]string{"order": "42", "tier": "gold"},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.ID).To(MatchRegexp(`^cus_[0-9A-Za-z]{14}$`))
		Expect(c.Livemode).To(BeFalse())
		Expect(c.Created).To(Equal(emu.Clock().Unix()))
		Expect(c.Metadata).To(Equal(map[string]string{"order": "42", "tier": "gold"}))

		got, err := sc.V1Customers.Retrieve(Ctx, c.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Email).To(Equal("jenny@example.com"))

		upd := &stripe.CustomerUpdateParams{Name: stripe.String("Jenny R")}
		upd.AddMetadata("tier", "")
		upd.AddMetadata("source", "web")
		got, err = sc.V1Customers.Update(Ctx, c.ID, upd)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Name).To(Equal("Jenny R"))
		Expect(got.Metadata).To(Equal(map[string]string{"order": "42", "source": "web"}))

		evs := emu.Events("")
		Expect(emu.EventTypes("")).To(Equal([]string{"customer.created", "customer.updated"}))
		prev := evs[1]["data"].(map[string]any)["previous_attributes"]
		Expect(prev).To(Equal(map[string]any{"name": "Jenny", "metadata": map[string]any{"tier": "gold", "source": nil}}))
		req := evs[1]["request"].(map[string]any)
		Expect(req["id"]).To(HavePrefix("req_"))
		Expect(req["idempotency_key"]).NotTo(BeEmpty(), "stripe-go sends a key on every POST")
		Expect(evs[1]["api_version"]).To(Equal("2025-08-27.basil"))

		del, err := sc.V1Customers.Delete(Ctx, c.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(del.Deleted).To(BeTrue())
		gone, err := sc.V1Customers.Retrieve(Ctx, c.ID, nil)
		Expect(err).NotTo(HaveOccurred(), "Stripe answers a deleted customer with a stub")
		Expect(gone.Deleted).To(BeTrue())
		Expect(emu.EventTypes("")).To(HaveLen(3))
		Expect(emu.Count("", "customer")).To(Equal(0))
	})

	It("keeps invoice_settings' custom fields, footer and rendering options", func() {
		c, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{
			CustomFields:     []*stripe.CustomerCreateInvoiceSettingsCustomFieldParams{{Name: stripe.String("PO"), Value: stripe.String("PO-1138")}},
			Footer:           stripe.String("Thank you"),
			RenderingOptions: &stripe.CustomerCreateInvoiceSettingsRenderingOptionsParams{AmountTaxDisplay: stripe.String("exclude_tax")},
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.InvoiceSettings.CustomFields).To(HaveLen(1))
		Expect(c.InvoiceSettings.CustomFields[0].Name).To(Equal("PO"))
		Expect(c.InvoiceSettings.CustomFields[0].Value).To(Equal("PO-1138"))
		Expect(c.InvoiceSettings.Footer).To(Equal("Thank you"))
		Expect(c.InvoiceSettings.RenderingOptions.AmountTaxDisplay).To(Equal("exclude_tax"))
		stored, ok := emu.Get(c.ID)
		Expect(ok).To(BeTrue())
		Expect(stored["invoice_settings"].(map[string]any)["rendering_options"]).To(HaveKeyWithValue("template", BeNil()), "both options are rendered")

		c, err = sc.V1Customers.Update(Ctx, c.ID, &stripe.CustomerUpdateParams{InvoiceSettings: &stripe.CustomerUpdateInvoiceSettingsParams{
			Footer: stripe.String("Thanks again")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.InvoiceSettings.Footer).To(Equal("Thanks again"))
		Expect(c.InvoiceSettings.CustomFields).To(HaveLen(1), "what is not sent is kept")
	})

	It("records no event for an update that changes nothing", func() {
		c, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String("Same")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Update(Ctx, c.ID, &stripe.CustomerUpdateParams{Name: stripe.String("Same")})
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.EventTypes("")).To(Equal([]string{"customer.created"}))
	})

	It("filters by email and searches with Stripe's query language", func() {
		for _, e := range []struct{ email, name, plan string }{
			{"ann@example.com", "Ann Lee", "pro"}, {"bob@example.com", "Bob Stone", "free"}, {"ann@example.com", "Ann Again", "free"},
		} {
			_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String(e.email), Name: stripe.String(e.name), Metadata: map[string]string{"plan": e.plan}})
			Expect(err).NotTo(HaveOccurred())
		}
		names := func(seq stripe.Seq2[*stripe.Customer, error]) []string {
			var out []string
			for c, err := range seq {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, c.Name)
			}
			return out
		}
		Expect(names(sc.V1Customers.List(Ctx, &stripe.CustomerListParams{Email: stripe.String("ann@example.com")}))).To(Equal([]string{"Ann Again", "Ann Lee"}))

		search := func(q string) []string {
			var out []string
			for c, err := range sc.V1Customers.Search(Ctx, &stripe.CustomerSearchParams{SearchParams: stripe.SearchParams{Query: q}}) {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, c.Name)
			}
			return out
		}
		Expect(search(`email:"ann@example.com"`)).To(ConsistOf("Ann Lee", "Ann Again"))
		Expect(search(`email:"ann@example.com" AND metadata["plan"]:"pro"`)).To(Equal([]string{"Ann Lee"}))
		Expect(search(`name~"Stone" OR metadata["plan"]:"pro"`)).To(ConsistOf("Bob Stone", "Ann Lee"))
		Expect(search(`-email:"ann@example.com"`)).To(Equal([]string{"Bob Stone"}))
		// Single quotes, as Stripe's own API reference writes its example.
		Expect(search(`name:'Ann Lee' AND metadata['plan']:'pro'`)).To(Equal([]string{"Ann Lee"}))
		Expect(search(`name:"Bob's" OR name:'Bob Stone'`)).To(Equal([]string{"Bob Stone"}), "each quote closes only its own kind")

		// total_count is left out unless expanded, and then counts every
		// match, not just the page's.
		var page stripe.CustomerSearchResult
		Expect(Legacy(emu, "GET", "/v1/customers/search?limit=1&query="+url.QueryEscape(`email:"ann@example.com"`), "", &page)).To(Succeed())
		Expect(page.Data).To(HaveLen(1))
		Expect(page.TotalCount).To(BeNil())
		Expect(Legacy(emu, "GET", "/v1/customers/search?limit=1&expand[]=total_count&query="+url.QueryEscape(`email:"ann@example.com"`), "", &page)).To(Succeed())
		Expect(page.HasMore).To(BeTrue())
		Expect(page.TotalCount).To(HaveValue(BeEquivalentTo(2)))

		refused := func(q string) *stripe.Error {
			GinkgoHelper()
			for _, err := range sc.V1Customers.Search(Ctx, &stripe.CustomerSearchParams{SearchParams: stripe.SearchParams{Query: q}}) {
				return StripeErr(err)
			}
			Fail("no answer")
			return nil
		}
		// Stripe's words, as stripe-ruby-mock's search specs quote them.
		se := refused(`shoe_size:"9"`)
		Expect(se.Param).To(Equal("query"))
		Expect(se.Msg).To(Equal("Field `shoe_size` is an unsupported search field for resource `customers`. See http://stripe.com/docs/search#query-fields-for-customers for a list of supported fields."))
		unparsable := "We were unable to parse your search query. Try using the format `metadata[\"key\"]:\"value\"` to query for metadata or key:\"value\" to query for other fields."
		se = refused(`email:"ann@example.com" AND`)
		Expect(se.HTTPStatusCode).To(Equal(400), "a query ending in AND is a syntax error, not a dropped connection")
		Expect(se.Param).To(Equal("query"))
		Expect(se.Msg).To(Equal(unparsable))
		for _, q := range []string{`name:"Ann Lee" OR`, `asdf`, `name:Ann`, `metadata:"pro"`, `name:"Ann`} {
			Expect(refused(q).Msg).To(Equal(unparsable), q)
		}
	})

	It("requires a shipping's name and address, renders every address field, and takes tax_exempt from its values", func() {
		_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Shipping: &stripe.CustomerCreateShippingParams{
			Address: &stripe.AddressParams{Line1: stripe.String("1 Main St")}}})
		se := StripeErr(err)
		Expect(se.Code).To(Equal(stripe.ErrorCodeParameterMissing))
		Expect(se.Param).To(Equal("shipping[name]"))
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Shipping: &stripe.CustomerCreateShippingParams{Name: stripe.String("Jenny")}})
		Expect(StripeErr(err).Param).To(Equal("shipping[address]"))
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{TaxExempt: stripe.String("sometimes")})
		se = StripeErr(err)
		Expect(se.Param).To(Equal("tax_exempt"))
		Expect(se.Msg).To(Equal("Invalid tax_exempt: must be one of exempt, none, or reverse"))
		Expect(emu.Count("", "customer")).To(BeZero())

		c, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{
			Address:   &stripe.AddressParams{Line1: stripe.String("1 Main St"), Country: stripe.String("US")},
			Shipping:  &stripe.CustomerCreateShippingParams{Name: stripe.String("Jenny"), Address: &stripe.AddressParams{PostalCode: stripe.String("94107")}},
			TaxExempt: stripe.String("reverse"),
		})
		Expect(err).NotTo(HaveOccurred())
		stored, _ := emu.Get(c.ID)
		Expect(stored["address"]).To(Equal(map[string]any{"city": nil, "country": "US", "line1": "1 Main St", "line2": nil, "postal_code": nil, "state": nil}))
		Expect(stored["shipping"]).To(Equal(map[string]any{"name": "Jenny", "phone": nil,
			"address": map[string]any{"city": nil, "country": nil, "line1": nil, "line2": nil, "postal_code": "94107", "state": nil}}))
		Expect(c.TaxExempt).To(Equal(stripe.CustomerTaxExemptReverse))

		_, err = sc.V1Customers.Update(Ctx, c.ID, &stripe.CustomerUpdateParams{Shipping: &stripe.CustomerUpdateShippingParams{Name: stripe.String("Jen")}})
		Expect(StripeErr(err).Param).To(Equal("shipping[address]"), "an update replaces the whole shipping")
		c, err = sc.V1Customers.Update(Ctx, c.ID, &stripe.CustomerUpdateParams{TaxExempt: stripe.String("")})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.TaxExempt).To(Equal(stripe.CustomerTaxExemptNone), "emptied, it is back to none")
		Expect(c.Shipping.Name).To(Equal("Jenny"))
	})

	It("counts every match of a search when asked to expand total_count, and only then", func() {
		for i := 0; i < 3; i++ {
			_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String("Counted")})
			Expect(err).NotTo(HaveOccurred())
		}
		_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String("Other")})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.CustomerSearchParams{SearchParams: stripe.SearchParams{Query: `name:"Counted"`, Limit: stripe.Int64(2)}}
		p.AddExpand("total_count")
		page := sc.V1Customers.Search(Ctx, p)
		for _, err := range page {
			Expect(err).NotTo(HaveOccurred())
			break
		}
		r := Do(emu.URL(), "GET", `/v1/customers/search?limit=2&expand[]=total_count&query=name:"Counted"`, "")
		Expect(r.Status).To(Equal(200))
		Expect(r.Body["total_count"]).To(BeEquivalentTo(3), "all the matches, not the page's")
		Expect(r.Body["data"]).To(HaveLen(2))
		r = Do(emu.URL(), "GET", `/v1/customers/search?query=name:"Counted"`, "")
		Expect(r.Body).NotTo(HaveKey("total_count"))
	})

	It("validates email addresses", func() {
		_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("not an email")})
		se := StripeErr(err)
		Expect(se.Param).To(Equal("email"))
		Expect(emu.Count("", "customer")).To(BeZero())
	})

	It("refuses strings longer than Stripe's OpenAPI spec allows, with Stripe's message", func() {
		_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String(strings.Repeat("n", 257))})
		se := StripeErr(err)
		Expect(se.Param).To(Equal("name"))
		Expect(se.Msg).To(Equal("Invalid string: nnnn...nnnn; must be at most 256 characters"))
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String(strings.Repeat("a", 508) + "@b.co")})
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: aaaa...b.co; must be at most 512 characters"))
		Expect(emu.Count("", "customer")).To(BeZero())

		c, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String(strings.Repeat("n", 256)), Phone: stripe.String("+1 555 123 4567")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Update(Ctx, c.ID, &stripe.CustomerUpdateParams{Phone: stripe.String("+1 555 123 4567 ext 890")})
		Expect(StripeErr(err).Param).To(Equal("phone"))
	})

	It("enforces Stripe's metadata limits", func() {
		md := map[string]string{}
		for i := 0; i < 51; i++ {
			md[string(rune('a'+i%26))+string(rune('a'+i/26))] = "v"
		}
		_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Metadata: md})
		Expect(StripeErr(err).Param).To(Equal("metadata"))

		long := make([]byte, 41)
		for i := range long {
			long[i] = 'k'
		}
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Metadata: map[string]string{string(long): "v"}})
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
		Expect(emu.Count("", "customer")).To(BeZero())
	})
})
