package core_test

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/emulator/wirecheck"
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
			{"eu_vat", "HU12345678912", "HU"}, // Stripe's example: the 11-digit adószám
			{"eu_vat", "HU12345678", "HU"},
			{"gb_vat", "GB123456789", "GB"},
			{"ch_vat", "CHE-123.456.789 MWST", "CH"},
			{"in_gst", "12ABCDE3456FGZH", "IN"},
			{"br_cnpj", "01.234.456/5432-10", "BR"},
			{"au_abn", "12345678912", "AU"},
			{"ca_bn", "123456789", "CA"},
			{"no_vat", "123456789MVA", "NO"},
			{"jp_trn", "T1234567891234", "JP"},
		} {
			// A customer each: a customer keeps at most five.
			c, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
			Expect(err).NotTo(HaveOccurred())
			txi, err := sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Customer: stripe.String(c.ID), Type: stripe.String(tc.typ), Value: stripe.String(tc.value)})
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
		// Two customers: a customer keeps at most five tax IDs.
		second, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		ids := make([]string, len(cases))
		for i, tc := range cases {
			owner := cus.ID
			if i >= 4 {
				owner = second.ID
			}
			txi, err := sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Customer: stripe.String(owner), Type: stripe.String(tc.typ), Value: stripe.String(tc.value)})
			Expect(err).NotTo(HaveOccurred())
			Expect(txi.Verification.Status).To(Equal(stripe.TaxIDVerificationStatusPending))
			ids[i] = txi.ID
		}
		ein := mustCreate("us_ein", "123456789")
		created := emu.Clock().Unix()
		Expect(emu.EventTypes("")).NotTo(ContainElement("customer.tax_id.updated"), "verification is asynchronous")

		emu.Clock().Advance(time.Second)
		for i, tc := range cases {
			txi, err := sc.V1TaxIDs.Retrieve(Ctx, ids[i], nil)
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
		Expect(emu.EventTypes("")).To(HaveLen(2 + 7 + 5))
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

	It("keeps at most five tax IDs on a customer, as Stripe's guide allows, refusing a sixth and keeping nothing", func() {
		var first string
		for i := range 5 {
			t := mustCreate("us_ein", fmt.Sprintf("12-34567%02d", i))
			if first == "" {
				first = t.ID
			}
		}
		before := len(emu.Events(""))
		_, err := create("eu_vat", "DE123456789")
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(ContainSubstring("5"))
		r := Do(emu.URL(), "POST", "/v1/tax_ids", "type=eu_vat&value=DE123456789&owner[type]=customer&owner[customer]="+cus.ID)
		Expect(r.Status).To(Equal(400), r.Text)
		ids, err := list(cus.ID, 100)
		Expect(err).NotTo(HaveOccurred())
		Expect(ids).To(HaveLen(5))

		// Another customer, and the account's own tax IDs, are not counted.
		other, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{TaxIDData: []*stripe.CustomerCreateTaxIDDataParams{
			{Type: stripe.String("eu_vat"), Value: stripe.String("DE123456789")},
		}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Type: stripe.String("eu_vat"), Value: stripe.String("DE123456789")})
		Expect(err).NotTo(HaveOccurred())

		// Six in tax_id_data are refused with the customer.
		data := []*stripe.CustomerCreateTaxIDDataParams{}
		for i := range 6 {
			data = append(data, &stripe.CustomerCreateTaxIDDataParams{Type: stripe.String("us_ein"), Value: stripe.String(fmt.Sprintf("12-34567%02d", i))})
		}
		customers, taxIDs, events := emu.Count("", "customer"), emu.Count("", "tax_id"), len(emu.Events(""))
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{TaxIDData: data})
		ExpectStripeError(err, 400, "invalid_request_error", "", "tax_id_data")
		Expect(emu.Count("", "customer")).To(Equal(customers))
		Expect(emu.Count("", "tax_id")).To(Equal(taxIDs))
		Expect(emu.Events("")).To(HaveLen(events))
		Expect(emu.EventTypes("")[before:]).To(Equal([]string{"customer.created", "customer.tax_id.created"}), "nothing for the refused ones")
		Expect(other.ID).NotTo(BeEmpty())

		_, err = sc.V1TaxIDs.Delete(Ctx, first, &stripe.TaxIDDeleteParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = create("eu_vat", "DE123456789")
		Expect(err).NotTo(HaveOccurred(), "a deleted one makes room")
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

var _ = Describe("Tax IDs by owner (/v1/tax_ids)", Label("customers", "tax-ids"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	// post and get send owner[…], which stripe-go v82.5.1's params
	// cannot; every answer is checked as the client's are.
	post := func(path, body string, headers ...string) Raw {
		GinkgoHelper()
		r := Do(emu.URL(), "POST", path, body, headers...)
		if r.Status == 200 {
			Expect(wirecheck.Check([]byte(r.Text))).To(Succeed())
		}
		return r
	}
	get := func(path string, headers ...string) Raw {
		GinkgoHelper()
		r := Do(emu.URL(), "GET", path, "", headers...)
		if r.Status == 200 {
			Expect(wirecheck.Check([]byte(r.Text))).To(Succeed())
		}
		return r
	}
	ids := func(list Raw) []any {
		GinkgoHelper()
		Expect(list.Status).To(Equal(200), list.Text)
		var out []any
		for _, o := range list.Body["data"].([]any) {
			out = append(out, o.(map[string]any)["id"])
		}
		return out
	}
	expectError := func(r Raw, status int, code, param string) map[string]any {
		GinkgoHelper()
		Expect(r.Status).To(Equal(status), r.Text)
		e := r.Error()
		Expect(e["type"]).To(Equal("invalid_request_error"))
		if code == "" {
			Expect(e).NotTo(HaveKey("code"))
		} else {
			Expect(e["code"]).To(Equal(code))
		}
		Expect(e["param"]).To(Equal(param))
		return e
	}

	It("creates, lists, retrieves and deletes the account's own tax IDs, unverified and without events", func() {
		vat, err := sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Type: stripe.String("eu_vat"), Value: stripe.String("DE123456789")})
		Expect(err).NotTo(HaveOccurred())
		Expect(vat.ID).To(MatchRegexp(`^txi_[0-9A-Za-z]{24}$`))
		Expect(vat.Country).To(Equal("DE"))
		Expect(vat.Owner.Type).To(Equal(stripe.TaxIDOwnerTypeSelf))
		Expect(vat.Owner.Customer).To(BeNil())
		Expect(vat.Customer).To(BeNil())
		Expect(vat.Verification).To(BeNil(), "Stripe does not verify the account's own tax IDs")
		Expect(vat.Created).To(Equal(emu.Clock().Unix()))

		raw := get("/v1/tax_ids/" + vat.ID)
		Expect(raw.Body["owner"]).To(Equal(map[string]any{"type": "self"}), "the owner holds its type and no reference")
		Expect(raw.Body).To(HaveKeyWithValue("customer", BeNil()))
		Expect(raw.Body).To(HaveKeyWithValue("verification", BeNil()))

		gst := post("/v1/tax_ids", "type=au_abn&value=12345678912&owner[type]=self")
		Expect(gst.Status).To(Equal(200), gst.Text)
		ein, err := sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Type: stripe.String("us_ein"), Value: stripe.String("12-3456789")})
		Expect(err).NotTo(HaveOccurred())
		// A customer's tax ID is not the account's.
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{TaxIDData: []*stripe.CustomerCreateTaxIDDataParams{
			{Type: stripe.String("gb_vat"), Value: stripe.String("GB123456789")},
		}})
		Expect(err).NotTo(HaveOccurred())

		p := &stripe.TaxIDListParams{}
		p.Limit = stripe.Int64(2)
		var listed []string
		for t, err := range sc.V1TaxIDs.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			listed = append(listed, t.ID)
		}
		Expect(listed).To(Equal([]string{ein.ID, gst.Body["id"].(string), vat.ID}), "self by default, newest first, page by page")
		page := get("/v1/tax_ids?limit=1&owner[type]=self")
		Expect(ids(page)).To(Equal([]any{ein.ID}))
		Expect(page.Body).To(HaveKeyWithValue("has_more", true))
		Expect(page.Body).To(HaveKeyWithValue("url", "/v1/tax_ids"))

		got, err := sc.V1TaxIDs.Retrieve(Ctx, vat.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Value).To(Equal("DE123456789"))
		_, err = sc.V1TaxIDs.Retrieve(Ctx, vat.ID, &stripe.TaxIDRetrieveParams{Customer: stripe.String(cus.ID)})
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")

		emu.Clock().Advance(time.Minute) // nothing to verify
		got, err = sc.V1TaxIDs.Retrieve(Ctx, vat.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Verification).To(BeNil())

		del, err := sc.V1TaxIDs.Delete(Ctx, vat.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(del.Deleted).To(BeTrue())
		Expect(del.ID).To(Equal(vat.ID))
		_, err = sc.V1TaxIDs.Retrieve(Ctx, vat.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		_, err = sc.V1TaxIDs.Delete(Ctx, vat.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(ids(get("/v1/tax_ids"))).To(Equal([]any{ein.ID, gst.Body["id"]}))

		// Only the customer's tax ID made events.
		Expect(emu.EventTypes("")).To(Equal([]string{"customer.created", "customer.tax_id.created", "customer.tax_id.updated"}))
	})

	It("creates a customer's tax ID through owner[customer], the very one the customer endpoints show, with its events", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String("Acme SARL")})
		Expect(err).NotTo(HaveOccurred())
		r := post("/v1/tax_ids", "type=eu_vat&value=FR12345678901&owner[type]=customer&owner[customer]="+cus.ID+"&expand[]=owner.customer")
		Expect(r.Status).To(Equal(200), r.Text)
		id := r.Body["id"].(string)
		Expect(r.Body["customer"]).To(Equal(cus.ID))
		owner := r.Body["owner"].(map[string]any)
		Expect(owner).To(HaveLen(2))
		Expect(owner["type"]).To(Equal("customer"))
		Expect(owner["customer"]).To(HaveKeyWithValue("name", "Acme SARL"), "expanded")
		Expect(r.Body["verification"]).To(HaveKeyWithValue("status", "pending"), "a customer's EU VAT number is checked with VIES")

		txi, err := sc.V1TaxIDs.Retrieve(Ctx, id, &stripe.TaxIDRetrieveParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(txi.Value).To(Equal("FR12345678901"))
		txi, err = sc.V1TaxIDs.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred(), "the top-level endpoint retrieves a customer's tax ID too")
		Expect(txi.Owner.Customer.ID).To(Equal(cus.ID))
		Expect(ids(get("/v1/tax_ids?owner[type]=customer&owner[customer]=" + cus.ID))).To(Equal([]any{id}))
		Expect(ids(get("/v1/tax_ids"))).To(BeEmpty(), "not the account's own")

		emu.Clock().Advance(time.Second)
		txi, err = sc.V1TaxIDs.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(txi.Verification.Status).To(Equal(stripe.TaxIDVerificationStatusVerified))

		_, err = sc.V1TaxIDs.Delete(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		var left []string
		for t, err := range sc.V1TaxIDs.List(Ctx, &stripe.TaxIDListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			left = append(left, t.ID)
		}
		Expect(left).To(BeEmpty())
		Expect(emu.EventTypes("")).To(Equal([]string{"customer.created", "customer.tax_id.created", "customer.tax_id.updated", "customer.tax_id.deleted"}))
	})

	It("keeps a connected account's tax IDs on the platform, owned by that account", func() {
		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("FR")})
		Expect(err).NotTo(HaveOccurred())
		r := post("/v1/tax_ids", "type=eu_vat&value=FR12345678901&owner[type]=account&owner[account]="+acct.ID)
		Expect(r.Status).To(Equal(200), r.Text)
		id := r.Body["id"]
		Expect(r.Body["owner"]).To(Equal(map[string]any{"type": "account", "account": acct.ID}))
		Expect(r.Body).To(HaveKeyWithValue("customer", BeNil()))
		Expect(r.Body).To(HaveKeyWithValue("verification", BeNil()))
		mine := post("/v1/tax_ids", "type=us_ein&value=12-3456789")
		Expect(mine.Status).To(Equal(200), mine.Text)

		Expect(ids(get("/v1/tax_ids?owner[type]=account&owner[account]=" + acct.ID))).To(Equal([]any{id}))
		Expect(ids(get("/v1/tax_ids"))).To(Equal([]any{mine.Body["id"]}))
		other, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("FR")})
		Expect(err).NotTo(HaveOccurred())
		Expect(ids(get("/v1/tax_ids?owner[type]=account&owner[account]=" + other.ID))).To(BeEmpty())
		expanded := get("/v1/tax_ids/" + id.(string) + "?expand[]=owner.account")
		Expect(expanded.Body["owner"]).To(HaveKeyWithValue("account", HaveKeyWithValue("id", acct.ID)))

		// It is the platform's record: the connected account sees its own
		// tax IDs only, and has no connected accounts to give one to.
		Expect(get("/v1/tax_ids/"+id.(string), "Stripe-Account", acct.ID).Status).To(Equal(404))
		own := post("/v1/tax_ids", "type=eu_vat&value=FR98765432109", "Stripe-Account", acct.ID)
		Expect(own.Status).To(Equal(200), own.Text)
		Expect(own.Body["owner"]).To(Equal(map[string]any{"type": "self"}))
		Expect(ids(get("/v1/tax_ids", "Stripe-Account", acct.ID))).To(Equal([]any{own.Body["id"]}))
		expectError(post("/v1/tax_ids", "type=eu_vat&value=FR12345678901&owner[type]=account&owner[account]="+other.ID, "Stripe-Account", acct.ID),
			400, "resource_missing", "owner[account]")

		_, err = sc.V1TaxIDs.Delete(Ctx, id.(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ids(get("/v1/tax_ids?owner[type]=account&owner[account]=" + acct.ID))).To(BeEmpty())
		for _, typ := range emu.EventTypes("") {
			Expect(typ).NotTo(ContainSubstring("tax_id"), "Stripe has no events about account tax IDs")
		}
	})

	It("keeps at most 25 tax IDs of the account's own, as Stripe's guide allows, refusing a 26th and keeping nothing", func() {
		var first string
		for i := range 25 {
			t, err := sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Type: stripe.String("us_ein"), Value: stripe.String(fmt.Sprintf("12-34567%02d", i))})
			Expect(err).NotTo(HaveOccurred())
			if first == "" {
				first = t.ID
			}
		}
		// A customer's tax IDs are not the account's: they do not count.
		_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{TaxIDData: []*stripe.CustomerCreateTaxIDDataParams{
			{Type: stripe.String("gb_vat"), Value: stripe.String("GB123456789")},
		}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Type: stripe.String("eu_vat"), Value: stripe.String("DE123456789")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(ContainSubstring("25"))
		Expect(ids(get("/v1/tax_ids?limit=100"))).To(HaveLen(25))

		_, err = sc.V1TaxIDs.Delete(Ctx, first, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Type: stripe.String("eu_vat"), Value: stripe.String("DE123456789")})
		Expect(err).NotTo(HaveOccurred(), "a deleted one makes room")
	})

	It("refuses owners it cannot resolve, and application owners it does not emulate, keeping nothing", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("US")})
		Expect(err).NotTo(HaveOccurred())
		body := "type=us_ein&value=12-3456789&"

		e := expectError(post("/v1/tax_ids", body+"owner[type]=application"), 400, "", "owner[type]")
		Expect(e["message"]).To(ContainSubstring("stripe-emu does not emulate tax IDs owned by a Connect application"))
		expectError(post("/v1/tax_ids", body+"owner[type]=merchant"), 400, "", "owner[type]")
		expectError(post("/v1/tax_ids", body+"owner[customer]="+cus.ID), 400, "parameter_missing", "owner[type]")
		expectError(post("/v1/tax_ids", body+"owner[type]=customer"), 400, "parameter_missing", "owner[customer]")
		expectError(post("/v1/tax_ids", body+"owner[type]=customer&owner[customer]="), 400, "parameter_invalid_empty", "owner[customer]")
		expectError(post("/v1/tax_ids", body+"owner[type]=account"), 400, "parameter_missing", "owner[account]")
		expectError(post("/v1/tax_ids", body+"owner[type]=self&owner[customer]="+cus.ID), 400, "", "owner[customer]")
		expectError(post("/v1/tax_ids", body+"owner[type]=customer&owner[customer]="+cus.ID+"&owner[account]="+acct.ID), 400, "", "owner[account]")
		e = expectError(post("/v1/tax_ids", body+"owner[type]=customer&owner[customer]=cus_missing"), 400, "resource_missing", "owner[customer]")
		Expect(e["message"]).To(Equal("No such customer: 'cus_missing'"))
		expectError(post("/v1/tax_ids", body+"owner[type]=account&owner[account]=acct_missing"), 400, "resource_missing", "owner[account]")
		expectError(post("/v1/tax_ids", body+"owner[type]=self&owner[nickname]=x"), 400, "parameter_unknown", "owner[nickname]")
		expectError(post("/v1/tax_ids", "type=us_ein&value=12-34567"), 400, "tax_id_invalid", "value")
		expectError(post("/v1/tax_ids", "type=unknown&value=1"), 400, "", "type")
		expectError(post("/v1/tax_ids", "type=us_ein"), 400, "parameter_missing", "value")
		expectError(get("/v1/tax_ids?owner[type]=customer&owner[customer]=cus_missing"), 400, "resource_missing", "owner[customer]")
		expectError(get("/v1/tax_ids?owner[type]=application"), 400, "", "owner[type]")
		expectError(get("/v1/tax_ids?owner[type]=account"), 400, "parameter_missing", "owner[account]")
		_, err = sc.V1Customers.Delete(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		expectError(post("/v1/tax_ids", body+"owner[type]=customer&owner[customer]="+cus.ID), 400, "resource_missing", "owner[customer]")

		Expect(emu.Count("", "tax_id")).To(BeZero())
		Expect(emu.EventTypes("")).To(Equal([]string{"customer.created", "customer.deleted"}))
	})
})
