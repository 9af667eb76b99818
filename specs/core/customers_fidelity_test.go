package core_test

import (
	"strings"

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
	// stripe-go's parameter docs: "The list of up to 4 default custom
	// fields", a name "up to 40 characters", a value "up to 140"; both
	// required by Stripe's OpenAPI spec; amount_tax_display "One of
	// exclude_tax or include_inclusive_tax".
	It("holds invoice_settings' custom fields and rendering options to Stripe's limits, creating nothing", func() {
		field := func(name, value string) *stripe.CustomerCreateInvoiceSettingsCustomFieldParams {
			return &stripe.CustomerCreateInvoiceSettingsCustomFieldParams{Name: stripe.String(name), Value: stripe.String(value)}
		}
		create := func(is *stripe.CustomerCreateInvoiceSettingsParams) error {
			_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{InvoiceSettings: is})
			return err
		}
		four := []*stripe.CustomerCreateInvoiceSettingsCustomFieldParams{field("PO", "1"), field("VAT", "2"), field("Ref", "3"), field("Dept", "4")}

		err := create(&stripe.CustomerCreateInvoiceSettingsParams{CustomFields: append(four, field("Extra", "5"))})
		ExpectStripeError(err, 400, "invalid_request_error", "", "invoice_settings[custom_fields]")
		err = create(&stripe.CustomerCreateInvoiceSettingsParams{CustomFields: []*stripe.CustomerCreateInvoiceSettingsCustomFieldParams{field(strings.Repeat("n", 41), "1")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "invoice_settings[custom_fields][0][name]")
		err = create(&stripe.CustomerCreateInvoiceSettingsParams{CustomFields: []*stripe.CustomerCreateInvoiceSettingsCustomFieldParams{field("PO", "1"), field("VAT", strings.Repeat("v", 141))}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "invoice_settings[custom_fields][1][value]")
		err = create(&stripe.CustomerCreateInvoiceSettingsParams{CustomFields: []*stripe.CustomerCreateInvoiceSettingsCustomFieldParams{{Name: stripe.String("PO")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "invoice_settings[custom_fields][0][value]")
		err = create(&stripe.CustomerCreateInvoiceSettingsParams{RenderingOptions: &stripe.CustomerCreateInvoiceSettingsRenderingOptionsParams{AmountTaxDisplay: stripe.String("with_tax")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "invoice_settings[rendering_options][amount_tax_display]")
		Expect(emu.Count("", "customer")).To(BeZero())

		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{
			CustomFields:     append(four[:3:3], field(strings.Repeat("n", 40), strings.Repeat("v", 140))),
			RenderingOptions: &stripe.CustomerCreateInvoiceSettingsRenderingOptionsParams{AmountTaxDisplay: stripe.String("include_inclusive_tax")},
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect(cus.InvoiceSettings.CustomFields).To(HaveLen(4))

		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{InvoiceSettings: &stripe.CustomerUpdateInvoiceSettingsParams{
			CustomFields: []*stripe.CustomerUpdateInvoiceSettingsCustomFieldParams{{Name: stripe.String(strings.Repeat("n", 41)), Value: stripe.String("1")}},
		}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "invoice_settings[custom_fields][0][name]")
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.InvoiceSettings.CustomFields).To(HaveLen(4))
	})
	It("holds addresses, the invoice footer and the email list filter to the lengths of Stripe's OpenAPI spec", func() {
		long := strings.Repeat("x", 5001)
		_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Address: &stripe.AddressParams{Line1: stripe.String(long)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "address[line1]")
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Shipping: &stripe.CustomerCreateShippingParams{
			Name: stripe.String("Jenny"), Address: &stripe.AddressParams{City: stripe.String(long)},
		}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "shipping[address][city]")
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{Footer: stripe.String(long)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "invoice_settings[footer]")
		Expect(emu.Count("", "customer")).To(BeZero())

		for _, err := range sc.V1Customers.List(Ctx, &stripe.CustomerListParams{Email: stripe.String(strings.Repeat("e", 507) + "@x.co")}) {
			ExpectStripeError(err, 400, "invalid_request_error", "", "email")
		}
	})
	// A customer named in the path is part of the URL: one that is not
	// there (or deleted) is a 404, as for its tax IDs and discount.
	It("answers balance transactions of a customer not there, or deleted, with a 404", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Balance: stripe.Int64(500)})
		Expect(err).NotTo(HaveOccurred())
		var txn string
		for t, err := range sc.V1CustomerBalanceTransactions.List(Ctx, &stripe.CustomerBalanceTransactionListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			txn = t.ID
		}
		Expect(txn).To(HavePrefix("cbtxn_"))
		_, err = sc.V1Customers.Delete(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())

		for _, id := range []string{"cus_missing", cus.ID} {
			_, err = sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{
				Customer: stripe.String(id), Amount: stripe.Int64(100), Currency: stripe.String("usd")})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "customer")
			Expect(StripeErr(err).Msg).To(Equal("No such customer: '" + id + "'"))
			for _, err := range sc.V1CustomerBalanceTransactions.List(Ctx, &stripe.CustomerBalanceTransactionListParams{Customer: stripe.String(id)}) {
				ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "customer")
			}
			_, err = sc.V1CustomerBalanceTransactions.Retrieve(Ctx, txn, &stripe.CustomerBalanceTransactionRetrieveParams{Customer: stripe.String(id)})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "customer")
		}
	})
	It("answers the cash balance of a customer not there, or deleted, with a 404", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		bal, err := sc.V1CashBalances.Retrieve(Ctx, &stripe.CashBalanceRetrieveParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(bal.Customer).To(Equal(cus.ID))
		_, err = sc.V1Customers.Delete(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())

		for _, id := range []string{"cus_missing", cus.ID} {
			_, err = sc.V1CashBalances.Retrieve(Ctx, &stripe.CashBalanceRetrieveParams{Customer: stripe.String(id)})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "customer")
			_, err = sc.V1CashBalances.Update(Ctx, &stripe.CashBalanceUpdateParams{Customer: stripe.String(id),
				Settings: &stripe.CashBalanceUpdateSettingsParams{ReconciliationMode: stripe.String("manual")}})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "customer")
			for _, err := range sc.V1CustomerCashBalanceTransactions.List(Ctx, &stripe.CustomerCashBalanceTransactionListParams{Customer: stripe.String(id)}) {
				ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "customer")
			}
		}
	})

	// Stripe refuses an address whose domain has no dot, as customers
	// created with "otameshi@com" met (fjordllc/bootcamp#4134: "Invalid
	// email address: otameshi@com").
	It("refuses an email whose domain has no dot, on create and update, changing nothing", func() {
		for _, email := range []string{"otameshi@com", "test@test"} {
			_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String(email)})
			ExpectStripeError(err, 400, "invalid_request_error", "email_invalid", "email")
			Expect(StripeErr(err).Msg).To(Equal("Invalid email address: " + email))
		}
		Expect(emu.Count("", "customer")).To(BeZero())

		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("kept@example.co")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Email: stripe.String("kept@example")})
		ExpectStripeError(err, 400, "invalid_request_error", "email_invalid", "email")
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Email).To(Equal("kept@example.co"))
	})
	// Stripe's customer always has an integer balance and
	// next_invoice_sequence (its OpenAPI spec makes neither nullable nor
	// emptiable), so "" is the refusal of a parameter that cannot be
	// unset, on create and update alike, and nothing changes.
	It("refuses emptying balance or next_invoice_sequence, changing nothing", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Balance: stripe.Int64(-300), NextInvoiceSequence: stripe.Int64(7)})
		Expect(err).NotTo(HaveOccurred())
		for _, f := range []string{"balance", "next_invoice_sequence"} {
			for _, path := range []string{"/v1/customers", "/v1/customers/" + cus.ID} {
				r := Do(emu.URL(), "POST", path, f+"=")
				Expect(r.Status).To(Equal(400), path+" "+f)
				Expect(r.Error()["code"]).To(Equal("parameter_invalid_empty"))
				Expect(r.Error()["param"]).To(Equal(f))
			}
		}
		Expect(emu.Count("", "customer")).To(Equal(1))
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Balance).To(Equal(int64(-300)))
		Expect(got.NextInvoiceSequence).To(Equal(int64(7)))
	})
	// A customer's preferred_locales are strings: emptying the whole
	// list sets none, but an empty element cannot be unset and is
	// refused rather than kept as a null locale.
	It("refuses an empty preferred locale, on create and update, changing nothing", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{PreferredLocales: stripe.StringSlice([]string{"fr"})})
		Expect(err).NotTo(HaveOccurred())
		for _, path := range []string{"/v1/customers", "/v1/customers/" + cus.ID} {
			r := Do(emu.URL(), "POST", path, "preferred_locales[0]=de&preferred_locales[1]=")
			Expect(r.Status).To(Equal(400), path)
			Expect(r.Error()["code"]).To(Equal("parameter_invalid_empty"))
			Expect(r.Error()["param"]).To(Equal("preferred_locales[1]"))
		}
		Expect(emu.Count("", "customer")).To(Equal(1))
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.PreferredLocales).To(Equal([]string{"fr"}))
	})
	// Invoice rendering templates are made in the Dashboard and not
	// emulated, so no template can be named: a customer's default one is
	// refused as an invoice's own is, rather than kept and copied onto
	// its invoices.
	It("refuses an invoice rendering template as not emulated, on create and update, changing nothing", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{
			RenderingOptions: &stripe.CustomerCreateInvoiceSettingsRenderingOptionsParams{AmountTaxDisplay: stripe.String("exclude_tax")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(cus.InvoiceSettings.RenderingOptions.AmountTaxDisplay).To(Equal("exclude_tax"))

		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{
			RenderingOptions: &stripe.CustomerCreateInvoiceSettingsRenderingOptionsParams{Template: stripe.String("inrtem_1")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "invoice_settings[rendering_options][template]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("does not emulate the parameter `invoice_settings[rendering_options][template]`"))
		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{InvoiceSettings: &stripe.CustomerUpdateInvoiceSettingsParams{
			RenderingOptions: &stripe.CustomerUpdateInvoiceSettingsRenderingOptionsParams{AmountTaxDisplay: stripe.String("include_inclusive_tax"), Template: stripe.String("inrtem_1")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "invoice_settings[rendering_options][template]")

		Expect(emu.Count("", "customer")).To(Equal(1))
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.InvoiceSettings.RenderingOptions.AmountTaxDisplay).To(Equal("exclude_tax"))
		Expect(got.InvoiceSettings.RenderingOptions.Template).To(BeEmpty())
	})
	// Stripe's guide to invoice numbering: customer prefixes "can't match
	// any other customer prefix, including prefixes that are no longer in
	// use" (the refusal's wording is not documented).
	It("keeps invoice prefixes unique among the account's customers, even once given up or deleted, changing nothing", func() {
		a, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{InvoicePrefix: stripe.String("TYPGRA")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{InvoicePrefix: stripe.String("TYPGRA")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "invoice_prefix")
		Expect(emu.Count("", "customer")).To(Equal(1))

		b, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		other, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		for _, taken := range []string{"TYPGRA", other.InvoicePrefix} {
			_, err = sc.V1Customers.Update(Ctx, b.ID, &stripe.CustomerUpdateParams{InvoicePrefix: stripe.String(taken)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "invoice_prefix")
		}

		// Given up, the prefix stays a's; a may take it back.
		_, err = sc.V1Customers.Update(Ctx, a.ID, &stripe.CustomerUpdateParams{InvoicePrefix: stripe.String("DYNAMIC")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Update(Ctx, b.ID, &stripe.CustomerUpdateParams{InvoicePrefix: stripe.String("TYPGRA")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "invoice_prefix")
		_, err = sc.V1Customers.Update(Ctx, a.ID, &stripe.CustomerUpdateParams{InvoicePrefix: stripe.String("TYPGRA")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Delete(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Update(Ctx, b.ID, &stripe.CustomerUpdateParams{InvoicePrefix: stripe.String("DYNAMIC")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "invoice_prefix")

		got, err := sc.V1Customers.Retrieve(Ctx, b.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.InvoicePrefix).To(Equal(b.InvoicePrefix))
		_, err = sc.V1Customers.Update(Ctx, b.ID, &stripe.CustomerUpdateParams{InvoicePrefix: stripe.String("ROCKET")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Update(Ctx, b.ID, &stripe.CustomerUpdateParams{InvoicePrefix: stripe.String(b.InvoicePrefix)})
		Expect(err).NotTo(HaveOccurred(), "its own prefix, given up, is still its own")
	})
	// Stripe's guide to invoice numbering: numbers start at 0001, "you can
	// only set the next invoice number to numbers greater than any numbers
	// used on an invoice", and "the maximum allowed invoice number is
	// 1,000,000,000" (the refusals' wording is not documented).
	It("holds next_invoice_sequence from 1 to 1,000,000,000 and above every number the customer's invoices used, changing nothing", func() {
		for _, bad := range []int64{0, -1, 1000000001} {
			_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{NextInvoiceSequence: stripe.Int64(bad)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "next_invoice_sequence")
		}
		Expect(emu.Count("", "customer")).To(BeZero())
		top, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{NextInvoiceSequence: stripe.Int64(1000000000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(top.NextInvoiceSequence).To(Equal(int64(1000000000)))

		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{InvoicePrefix: stripe.String("SEQ")})
		Expect(err).NotTo(HaveOccurred())
		finalize := func() *stripe.Invoice {
			GinkgoHelper()
			inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AutoAdvance: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
				Amount: stripe.Int64(500), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
			inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			return inv
		}
		Expect(finalize().Number).To(Equal("SEQ-0001"))
		set := func(n int64) error {
			_, err := sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{NextInvoiceSequence: stripe.Int64(n)})
			return err
		}
		for _, bad := range []int64{1, 0, 1000000001} {
			ExpectStripeError(set(bad), 400, "invalid_request_error", "", "next_invoice_sequence")
		}
		Expect(set(50)).To(Succeed())
		Expect(set(10)).To(Succeed(), "lower again, but above every number used")
		Expect(finalize().Number).To(Equal("SEQ-0010"))
		ExpectStripeError(set(10), 400, "invalid_request_error", "", "next_invoice_sequence")
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.NextInvoiceSequence).To(Equal(int64(11)))
		Expect(set(11)).To(Succeed())
	})
})
