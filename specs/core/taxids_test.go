package core_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Customer tax IDs", Label("customers", "tax-ids"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String("Acme GmbH")})
		Expect(err).NotTo(HaveOccurred())
	})
	create := func(typ, value string) (*stripe.TaxID, error) {
		return sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Customer: stripe.String(cus.ID), Type: stripe.String(typ), Value: stripe.String(value)})
	}
	mustCreate := func(typ, value string) *stripe.TaxID {
		GinkgoHelper()
		txi, err := create(typ, value)
		Expect(err).NotTo(HaveOccurred())
		return txi
	}
	retrieve := func(id string) (*stripe.TaxID, error) {
		return sc.V1TaxIDs.Retrieve(Ctx, id, &stripe.TaxIDRetrieveParams{Customer: stripe.String(cus.ID)})
	}
	list := func(customer string, limit int64) ([]string, error) {
		p := &stripe.TaxIDListParams{Customer: stripe.String(customer)}
		p.Limit = stripe.Int64(limit)
		var ids []string
		for t, err := range sc.V1TaxIDs.List(Ctx, p) {
			if err != nil {
				return nil, err
			}
			ids = append(ids, t.ID)
		}
		return ids, nil
	}

	It("creates, lists, retrieves and deletes a customer's tax IDs with customer.tax_id events", func() {
		vat := mustCreate("eu_vat", "DE123456789")
		Expect(vat.ID).To(MatchRegexp(`^txi_[0-9A-Za-z]{24}$`))
		Expect(vat.Object).To(Equal("tax_id"))
		Expect(vat.Country).To(Equal("DE"))
		Expect(vat.Created).To(Equal(emu.Clock().Unix()))
		Expect(vat.Customer.ID).To(Equal(cus.ID))
		Expect(vat.Owner.Type).To(Equal(stripe.TaxIDOwnerTypeCustomer))
		Expect(vat.Owner.Customer.ID).To(Equal(cus.ID))
		Expect(vat.Type).To(Equal(stripe.TaxIDTypeEUVAT))
		Expect(vat.Value).To(Equal("DE123456789"))
		Expect(vat.Livemode).To(BeFalse())
		Expect(vat.Verification.Status).To(Equal(stripe.TaxIDVerificationStatusPending), "Stripe verifies EU VAT numbers with VIES, asynchronously")
		Expect(vat.Verification.VerifiedName).To(BeEmpty())

		ein := mustCreate("us_ein", "12-3456789")
		Expect(ein.Country).To(Equal("US"))
		Expect(ein.Verification.Status).To(Equal(stripe.TaxIDVerificationStatusUnavailable), "no register checks a US EIN")

		ids, err := list(cus.ID, 1)
		Expect(err).NotTo(HaveOccurred())
		Expect(ids).To(Equal([]string{ein.ID, vat.ID}), "newest first, one page at a time")

		got, err := retrieve(vat.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Value).To(Equal("DE123456789"))

		p := &stripe.TaxIDRetrieveParams{Customer: stripe.String(cus.ID)}
		p.AddExpand("customer")
		got, err = sc.V1TaxIDs.Retrieve(Ctx, ein.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Customer.Name).To(Equal("Acme GmbH"))

		cp := &stripe.CustomerRetrieveParams{}
		cp.AddExpand("tax_ids")
		c, err := sc.V1Customers.Retrieve(Ctx, cus.ID, cp)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.TaxIDs.URL).To(Equal("/v1/customers/" + cus.ID + "/tax_ids"))
		Expect(c.TaxIDs.Data).To(HaveLen(2))
		Expect(c.TaxIDs.Data[0].ID).To(Equal(ein.ID))
		Expect(c.TaxIDs.Data[1].Value).To(Equal("DE123456789"))
		plain, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(plain.TaxIDs).To(BeNil(), "includable: only sent when expanded")

		del, err := sc.V1TaxIDs.Delete(Ctx, vat.ID, &stripe.TaxIDDeleteParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(del.ID).To(Equal(vat.ID))
		Expect(del.Deleted).To(BeTrue())
		_, err = retrieve(vat.ID)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(StripeErr(err).Msg).To(Equal("No such tax id: '" + vat.ID + "'"))
		_, err = sc.V1TaxIDs.Delete(Ctx, vat.ID, &stripe.TaxIDDeleteParams{Customer: stripe.String(cus.ID)})
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		ids, err = list(cus.ID, 10)
		Expect(err).NotTo(HaveOccurred())
		Expect(ids).To(Equal([]string{ein.ID}))

		Expect(emu.EventTypes("")).To(Equal([]string{"customer.created", "customer.tax_id.created", "customer.tax_id.created", "customer.tax_id.deleted"}))
		evs := emu.Events("")
		Expect(evs[1]["data"].(map[string]any)["object"]).To(HaveKeyWithValue("id", vat.ID))
		Expect(evs[3]["data"].(map[string]any)["object"]).To(And(HaveKeyWithValue("id", vat.ID), HaveKeyWithValue("value", "DE123456789")))
	})

	It("derives the country from the type, and an EU VAT number's from its prefix", func() {
		for _, tc := range []struct{ typ, value, country string }{
			{"eu_vat", "EL123456789", "GR"},
			{"eu_vat", "XI123456789", "GB"},
			{"eu_vat", "FRAB123456789", "FR"},
			{"gb_vat", "GB123456789", "GB"},
			{"ch_vat", "CHE-123.456.789 MWST", "CH"},
			{"in_gst", "12ABCDE3456FGZH", "IN"},
			{"br_cnpj", "01.234.456/5432-10", "BR"},
			{"au_abn", "12345678912", "AU"},
			{"ca_bn", "123456789", "CA"},
			{"no_vat", "123456789MVA", "NO"},
			{"jp_trn", "T1234567891234", "JP"},
		} {
			txi, err := create(tc.typ, tc.value)
			Expect(err).NotTo(HaveOccurred(), "%s %s", tc.typ, tc.value)
			Expect(txi.Country).To(Equal(tc.country), "%s %s", tc.typ, tc.value)
		}
	})

	It("refuses a value that is not a number of its type with tax_id_invalid, keeping nothing", func() {
		for _, tc := range []struct{ typ, value string }{
			{"eu_vat", "DE123"},
			{"eu_vat", "US123456789"},
			{"eu_vat", "123456789"},
			{"gb_vat", "123456789"},
			{"us_ein", "12-34567"},
			{"au_abn", "1234567891"},
			{"ca_bn", "12345678A"},
			{"ch_vat", "CHE-123.456.789"},
			{"no_vat", "123456789"},
			{"in_gst", "12ABCDE3456FG"},
			{"br_cnpj", "01.234.456/5432"},
		} {
			_, err := create(tc.typ, tc.value)
			ExpectStripeError(err, 400, "invalid_request_error", "tax_id_invalid", "value")
			Expect(StripeErr(err).Msg).To(Equal("Invalid value for " + tc.typ + "."))
		}
		_, err := create("xx_vat", "123")
		ExpectStripeError(err, 400, "invalid_request_error", "", "type")
		_, err = create("unknown", "123")
		ExpectStripeError(err, 400, "invalid_request_error", "", "type")
		_, err = sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Customer: stripe.String(cus.ID), Type: stripe.String("eu_vat")})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "value")
		_, err = sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Customer: stripe.String("cus_missing"), Type: stripe.String("eu_vat"), Value: stripe.String("DE123456789")})
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "customer")
		Expect(StripeErr(err).Msg).To(Equal("No such customer: 'cus_missing'"))

		Expect(emu.Count("", "tax_id")).To(BeZero())
		Expect(emu.EventTypes("")).To(Equal([]string{"customer.created"}))
	})

	It("settles verification on the clock's next tick as Stripe's test numbers say, with customer.tax_id.updated", func() {
		cases := []struct{ typ, value, settled string }{
			{"eu_vat", "DE000000000", "verified"},
			{"eu_vat", "FR111111111", "unverified"},
			{"eu_vat", "DE222222222", "pending"},
			{"eu_vat", "DE123456789", "verified"},
			{"gb_vat", "GB111111111", "unverified"},
			{"au_abn", "000000000", "verified"},
		}
		ids := make([]string, len(cases))
		for i, tc := range cases {
			txi := mustCreate(tc.typ, tc.value)
			Expect(txi.Verification.Status).To(Equal(stripe.TaxIDVerificationStatusPending))
			ids[i] = txi.ID
		}
		ein := mustCreate("us_ein", "123456789")
		created := emu.Clock().Unix()
		Expect(emu.EventTypes("")).NotTo(ContainElement("customer.tax_id.updated"), "verification is asynchronous")

		emu.Clock().Advance(time.Second)
		for i, tc := range cases {
			txi, err := retrieve(ids[i])
			Expect(err).NotTo(HaveOccurred())
			Expect(string(txi.Verification.Status)).To(Equal(tc.settled), "%s %s", tc.typ, tc.value)
		}
		got, err := retrieve(ein.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Verification.Status).To(Equal(stripe.TaxIDVerificationStatusUnavailable))

		var updated []map[string]any
		for _, ev := range emu.Events("") {
			if ev["type"] == "customer.tax_id.updated" {
				updated = append(updated, ev)
			}
		}
		Expect(updated).To(HaveLen(5), "every pending one but 222222222")
		for _, ev := range updated {
			data := ev["data"].(map[string]any)
			Expect(data["previous_attributes"]).To(Equal(map[string]any{"verification": map[string]any{"status": "pending"}}))
			Expect(ev["created"]).To(BeNumerically("==", created))
			Expect(ev["request"]).To(HaveKeyWithValue("id", BeNil()), "no request made it")
		}

		emu.Clock().Advance(24 * time.Hour)
		still, err := retrieve(ids[2])
		Expect(err).NotTo(HaveOccurred())
		Expect(still.Verification.Status).To(Equal(stripe.TaxIDVerificationStatusPending), "222222222 stays pending indefinitely")
		Expect(emu.EventTypes("")).To(HaveLen(1 + 7 + 5))
	})

	It("creates the tax IDs sent in tax_id_data with a new customer, or nothing at all", func() {
		c, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("b2b@example.com"), TaxIDData: []*stripe.CustomerCreateTaxIDDataParams{
			{Type: stripe.String("eu_vat"), Value: stripe.String("NL123456789B12")},
			{Type: stripe.String("ch_vat"), Value: stripe.String("CHE-123.456.789 MWST")},
		}})
		Expect(err).NotTo(HaveOccurred())
		ids, err := list(c.ID, 10)
		Expect(err).NotTo(HaveOccurred())
		Expect(ids).To(HaveLen(2))
		first, err := sc.V1TaxIDs.Retrieve(Ctx, ids[1], &stripe.TaxIDRetrieveParams{Customer: stripe.String(c.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(first.Country).To(Equal("NL"))
		Expect(first.Customer.ID).To(Equal(c.ID))
		Expect(emu.EventTypes("")[1:]).To(Equal([]string{"customer.created", "customer.tax_id.created", "customer.tax_id.created"}))

		before := len(emu.Events(""))
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("bad@example.com"), TaxIDData: []*stripe.CustomerCreateTaxIDDataParams{
			{Type: stripe.String("eu_vat"), Value: stripe.String("DE123456789")},
			{Type: stripe.String("gb_vat"), Value: stripe.String("GB12")},
		}})
		ExpectStripeError(err, 400, "invalid_request_error", "tax_id_invalid", "tax_id_data[1][value]")
		Expect(StripeErr(err).Msg).To(Equal("Invalid value for gb_vat."))
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{TaxIDData: []*stripe.CustomerCreateTaxIDDataParams{{Type: stripe.String("eu_vat")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "tax_id_data[0][value]")
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{TaxIDData: []*stripe.CustomerCreateTaxIDDataParams{{Type: stripe.String("vat"), Value: stripe.String("1")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "tax_id_data[0][type]")
		Expect(emu.Count("", "customer")).To(Equal(2))
		Expect(emu.Count("", "tax_id")).To(Equal(2))
		Expect(emu.Events("")).To(HaveLen(before))
	})

	It("keeps tax IDs to their customer and deletes them with it", func() {
		vat := mustCreate("eu_vat", "DE123456789")
		other, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1TaxIDs.Retrieve(Ctx, vat.ID, &stripe.TaxIDRetrieveParams{Customer: stripe.String(other.ID)})
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		_, err = sc.V1TaxIDs.Delete(Ctx, vat.ID, &stripe.TaxIDDeleteParams{Customer: stripe.String(other.ID)})
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		ids, err := list(other.ID, 10)
		Expect(err).NotTo(HaveOccurred())
		Expect(ids).To(BeEmpty())

		_, err = sc.V1Customers.Delete(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Count("", "tax_id")).To(BeZero())
		_, err = list(cus.ID, 10)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "customer")
		_, err = create("eu_vat", "DE123456789")
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "customer")
		_, err = retrieve(vat.ID)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "customer")
		Expect(emu.EventTypes("")).To(Equal([]string{"customer.created", "customer.tax_id.created", "customer.created", "customer.deleted"}))

		// The deleted pending tax ID has nothing left to settle.
		emu.Clock().Advance(time.Second)
		Expect(emu.EventTypes("")).To(HaveLen(4))
	})
})
