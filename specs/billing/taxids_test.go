package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Customer tax IDs on invoices", Label("billing", "tax-ids"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String("Acme BV"), TaxIDData: []*stripe.CustomerCreateTaxIDDataParams{
			{Type: stripe.String("eu_vat"), Value: stripe.String("NL123456789B12")},
		}})
		Expect(err).NotTo(HaveOccurred())
	})
	addTaxID := func(typ, value string) *stripe.TaxID {
		GinkgoHelper()
		txi, err := sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Customer: stripe.String(cus.ID), Type: stripe.String(typ), Value: stripe.String(value)})
		Expect(err).NotTo(HaveOccurred())
		return txi
	}
	draft := func() *stripe.Invoice {
		GinkgoHelper()
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{
			Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30), Currency: stripe.String("eur"),
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(10000), Currency: stripe.String("eur"),
		})
		Expect(err).NotTo(HaveOccurred())
		return inv
	}
	taxIDsOf := func(id string) []string {
		GinkgoHelper()
		inv, err := sc.V1Invoices.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.CustomerTaxIDs).NotTo(BeNil(), "customer_tax_ids is always an array on an invoice with a customer")
		var out []string
		for _, t := range inv.CustomerTaxIDs {
			out = append(out, string(*t.Type)+" "+t.Value)
		}
		return out
	}

	It("follows the customer's tax IDs while a draft, and keeps them as they were at finalization", func() {
		inv := draft()
		Expect(inv.CustomerTaxIDs).To(HaveLen(1))
		Expect(*inv.CustomerTaxIDs[0].Type).To(Equal(stripe.TaxIDTypeEUVAT))
		Expect(inv.CustomerTaxIDs[0].Value).To(Equal("NL123456789B12"))

		ein := addTaxID("us_ein", "12-3456789")
		Expect(taxIDsOf(inv.ID)).To(Equal([]string{"us_ein 12-3456789", "eu_vat NL123456789B12"}), "the same tax IDs as customer.tax_ids")
		_, err := sc.V1TaxIDs.Delete(Ctx, ein.ID, &stripe.TaxIDDeleteParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(taxIDsOf(inv.ID)).To(Equal([]string{"eu_vat NL123456789B12"}))
		gb := addTaxID("gb_vat", "GB123456789")

		fin, err := sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(fin.CustomerTaxIDs).To(HaveLen(2))
		Expect(taxIDsOf(inv.ID)).To(Equal([]string{"gb_vat GB123456789", "eu_vat NL123456789B12"}))

		// Once finalized, the invoice no longer follows the customer.
		_, err = sc.V1TaxIDs.Delete(Ctx, gb.ID, &stripe.TaxIDDeleteParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		addTaxID("ch_vat", "CHE-123.456.789 MWST")
		emu.Clock().Advance(time.Minute) // verifications settle; nothing about invoices
		Expect(taxIDsOf(inv.ID)).To(Equal([]string{"gb_vat GB123456789", "eu_vat NL123456789B12"}))

		next := draft()
		Expect(taxIDsOf(next.ID)).To(Equal([]string{"ch_vat CHE-123.456.789 MWST", "eu_vat NL123456789B12"}), "a new draft shows the customer's tax IDs now")

		// Tax ID changes show on drafts without invoice events of their
		// own: each invoice.updated here is an invoice item's.
		Expect(emu.EventTypes("")).To(Equal([]string{
			"customer.created", "customer.tax_id.created",
			"customer.updated", // the first invoice sets the customer's currency
			"invoice.created", "invoiceitem.created", "invoice.updated",
			"customer.tax_id.created", "customer.tax_id.deleted", "customer.tax_id.created",
			"payment_intent.created", "invoice.finalized",
			"customer.tax_id.deleted", "customer.tax_id.created", "customer.tax_id.updated",
			"invoice.created", "invoiceitem.created", "invoice.updated",
		}))
	})

	It("shows no tax IDs for a customer without any, and leaves other customers' drafts alone", func() {
		other, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String("Consumer")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(other.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.CustomerTaxIDs).To(BeEmpty())
		Expect(inv.CustomerTaxIDs).NotTo(BeNil())
		addTaxID("eu_vat", "DE123456789")
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.CustomerTaxIDs).To(BeEmpty())
	})
})

var _ = Describe("Account tax IDs on invoices", Label("billing", "tax-ids"), func() {
	var (
		emu      *emulator.Emulator
		sc       *stripe.Client
		cus      *stripe.Customer
		vat, ein *stripe.TaxID
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cus = customerWithCard(sc, "b2b@example.com", "pm_card_visa", "")
		var err error
		vat, err = sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Type: stripe.String("eu_vat"), Value: stripe.String("DE123456789")})
		Expect(err).NotTo(HaveOccurred())
		ein, err = sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Type: stripe.String("us_ein"), Value: stripe.String("12-3456789")})
		Expect(err).NotTo(HaveOccurred())
	})
	idsOf := func(list []*stripe.TaxID) []string {
		out := []string{}
		for _, t := range list {
			out = append(out, t.ID)
		}
		return out
	}
	retrieve := func(id string, expand ...string) *stripe.Invoice {
		GinkgoHelper()
		p := &stripe.InvoiceRetrieveParams{}
		for _, e := range expand {
			p.AddExpand(e)
		}
		inv, err := sc.V1Invoices.Retrieve(Ctx, id, p)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}

	It("shows the account tax IDs a draft is given, expandable, frozen once finalized", func() {
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
			AccountTaxIDs: []*string{stripe.String(vat.ID)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(idsOf(inv.AccountTaxIDs)).To(Equal([]string{vat.ID}))
		Expect(inv.AccountTaxIDs[0].Value).To(BeEmpty(), "an id unless expanded")

		inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{AccountTaxIDs: []*string{stripe.String(ein.ID), stripe.String(vat.ID)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(idsOf(inv.AccountTaxIDs)).To(Equal([]string{ein.ID, vat.ID}), "in the order given")
		got := retrieve(inv.ID, "account_tax_ids")
		Expect(got.AccountTaxIDs[0].Value).To(Equal("12-3456789"))
		Expect(got.AccountTaxIDs[1].Type).To(Equal(stripe.TaxIDTypeEUVAT))
		Expect(got.AccountTaxIDs[1].Owner.Type).To(Equal(stripe.TaxIDOwnerTypeSelf))

		inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{AccountTaxIDs: []*string{}})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AccountTaxIDs).To(BeNil(), "an empty value clears them")
		raw := Do(emu.URL(), "POST", "/v1/invoices/"+inv.ID, "account_tax_ids[]="+vat.ID)
		Expect(raw.Status).To(Equal(200), raw.Text)
		Expect(raw.Body["account_tax_ids"]).To(Equal([]any{vat.ID}))

		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID),
			Amount: stripe.Int64(5000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		fin, err := sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(idsOf(fin.AccountTaxIDs)).To(Equal([]string{vat.ID}))
		_, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{AccountTaxIDs: []*string{stripe.String(ein.ID)}})
		ExpectStripeError(err, 400, "invalid_request_error", "invoice_not_editable", "")
		_, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{AccountTaxIDs: []*string{}})
		ExpectStripeError(err, 400, "invalid_request_error", "invoice_not_editable", "")

		// Deleting the tax ID changes no invoice: the finalized one still
		// names it, and expanded it is Stripe's deleted stub.
		_, err = sc.V1TaxIDs.Delete(Ctx, vat.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		got = retrieve(inv.ID, "account_tax_ids")
		Expect(got.AccountTaxIDs).To(HaveLen(1))
		Expect(got.AccountTaxIDs[0].ID).To(Equal(vat.ID))
		Expect(got.AccountTaxIDs[0].Deleted).To(BeTrue())

		var updates []map[string]any
		for _, ev := range emu.Events("") {
			if ev["type"] == "invoice.updated" {
				updates = append(updates, ev["data"].(map[string]any)["previous_attributes"].(map[string]any))
			}
		}
		Expect(updates[:3]).To(Equal([]map[string]any{
			{"account_tax_ids": []any{vat.ID}},
			{"account_tax_ids": []any{ein.ID, vat.ID}},
			{"account_tax_ids": nil},
		}))
	})

	It("takes only the account's own tax IDs, refusing a customer's, a connected account's or a missing one with nothing kept", func() {
		custs, err := sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Customer: stripe.String(cus.ID), Type: stripe.String("eu_vat"), Value: stripe.String("NL123456789B12")})
		Expect(err).NotTo(HaveOccurred())
		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("FR")})
		Expect(err).NotTo(HaveOccurred())
		r := Do(emu.URL(), "POST", "/v1/tax_ids", "type=eu_vat&value=FR12345678901&owner[type]=account&owner[account]="+acct.ID)
		Expect(r.Status).To(Equal(200), r.Text)
		connected := r.Body["id"].(string)
		before := len(emu.Events(""))

		create := func(ids ...string) error {
			_, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AccountTaxIDs: stripe.StringSlice(ids)})
			return err
		}
		err = create(vat.ID, custs.ID)
		ExpectStripeError(err, 400, "invalid_request_error", "", "account_tax_ids[1]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("customer's tax ID"))
		err = create(connected)
		ExpectStripeError(err, 400, "invalid_request_error", "", "account_tax_ids[0]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("on_behalf_of"))
		err = create("txi_missing")
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "account_tax_ids[0]")
		Expect(StripeErr(err).Msg).To(Equal("No such tax id: 'txi_missing'"))
		Expect(emu.Count("", "invoice")).To(BeZero())

		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AccountTaxIDs).To(BeNil(), "none on a draft unless given (an account's default ones are added at finalization)")
		_, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{AccountTaxIDs: []*string{stripe.String(custs.ID)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "account_tax_ids[0]")
		// The customer's first invoice gives it its currency.
		Expect(emu.EventTypes("")[before:]).To(Equal([]string{"customer.updated", "invoice.created"}))
	})

	It("takes at most 25 account tax IDs on an invoice or a subscription, as Stripe's guide says, refusing more with nothing kept", func() {
		many := func(n int) []*string {
			out := []*string{}
			for i := range n {
				out = append(out, stripe.String([]string{vat.ID, ein.ID}[i%2]))
			}
			return out
		}
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AccountTaxIDs: many(25)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AccountTaxIDs).To(HaveLen(25))
		before := len(emu.Events(""))
		_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AccountTaxIDs: many(26)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "account_tax_ids")
		Expect(StripeErr(err).Msg).To(ContainSubstring("25"))
		_, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{AccountTaxIDs: many(26)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "account_tax_ids")
		Expect(retrieve(inv.ID).AccountTaxIDs).To(HaveLen(25))
		Expect(emu.Events("")).To(HaveLen(before))

		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		before = len(emu.Events(""))
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
			InvoiceSettings: &stripe.SubscriptionCreateInvoiceSettingsParams{AccountTaxIDs: many(26)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "invoice_settings[account_tax_ids]")
		Expect(emu.Count("", "subscription")).To(BeZero())
		Expect(emu.Events("")).To(HaveLen(before))
	})

	It("takes a connected account's tax IDs on an invoice issued on its behalf (on_behalf_of)", func() {
		acct := Seller(emu, nil).ID
		r := Do(emu.URL(), "POST", "/v1/tax_ids", "type=eu_vat&value=FR12345678901&owner[type]=account&owner[account]="+acct)
		Expect(r.Status).To(Equal(200), r.Text)
		connected := r.Body["id"].(string)
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), OnBehalfOf: stripe.String(acct),
			AccountTaxIDs: []*string{stripe.String(connected)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(idsOf(inv.AccountTaxIDs)).To(Equal([]string{connected}))
		_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AccountTaxIDs: []*string{stripe.String(connected)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "account_tax_ids[0]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("on_behalf_of"))
	})

	It("adds the account's settings[invoices][default_account_tax_ids] to an invoice finalized without its own", func() {
		acct := Seller(emu, nil).ID
		on := func(p *stripe.Params) { p.SetStripeAccount(acct) }
		tp := &stripe.TaxIDCreateParams{Type: stripe.String("eu_vat"), Value: stripe.String("FR12345678901")}
		on(&tp.Params)
		own, err := sc.V1TaxIDs.Create(Ctx, tp)
		Expect(err).NotTo(HaveOccurred())
		tp2 := &stripe.TaxIDCreateParams{Type: stripe.String("us_ein"), Value: stripe.String("98-7654321")}
		on(&tp2.Params)
		other, err := sc.V1TaxIDs.Create(Ctx, tp2)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Accounts.Update(Ctx, acct, &stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{
			Invoices: &stripe.AccountUpdateSettingsInvoicesParams{DefaultAccountTaxIDs: []*string{stripe.String(own.ID), stripe.String("txi_missing")}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "settings[invoices][default_account_tax_ids][1]")
		got, err := sc.V1Accounts.GetByID(Ctx, acct, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Settings.Invoices.DefaultAccountTaxIDs).To(BeEmpty(), "nothing kept")
		_, err = sc.V1Accounts.Update(Ctx, acct, &stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{
			Invoices: &stripe.AccountUpdateSettingsInvoicesParams{DefaultAccountTaxIDs: []*string{stripe.String(own.ID)}}}})
		Expect(err).NotTo(HaveOccurred())
		cp := &stripe.CustomerCreateParams{Email: stripe.String("defaults@example.com")}
		on(&cp.Params)
		c, err := sc.V1Customers.Create(Ctx, cp)
		Expect(err).NotTo(HaveOccurred())
		finalized := func(ids ...string) *stripe.Invoice {
			GinkgoHelper()
			ip := &stripe.InvoiceCreateParams{Customer: stripe.String(c.ID), CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(7)}
			if len(ids) > 0 {
				ip.AccountTaxIDs = stripe.StringSlice(ids)
			}
			on(&ip.Params)
			inv, err := sc.V1Invoices.Create(Ctx, ip)
			Expect(err).NotTo(HaveOccurred())
			if len(ids) == 0 {
				Expect(inv.AccountTaxIDs).To(BeNil(), "added when finalized, not before")
			}
			iip := &stripe.InvoiceItemCreateParams{Customer: stripe.String(c.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(500), Currency: stripe.String("usd")}
			on(&iip.Params)
			_, err = sc.V1InvoiceItems.Create(Ctx, iip)
			Expect(err).NotTo(HaveOccurred())
			fp := &stripe.InvoiceFinalizeInvoiceParams{}
			on(&fp.Params)
			inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, fp)
			Expect(err).NotTo(HaveOccurred())
			return inv
		}
		Expect(idsOf(finalized().AccountTaxIDs)).To(Equal([]string{own.ID}))
		Expect(idsOf(finalized(other.ID).AccountTaxIDs)).To(Equal([]string{other.ID}), "an invoice's own are kept")
	})

	It("carries a subscription's invoice_settings[account_tax_ids] to its first invoice, its renewals and its previews", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
			InvoiceSettings: &stripe.SubscriptionCreateInvoiceSettingsParams{AccountTaxIDs: []*string{stripe.String(vat.ID)}}}
		p.AddExpand("latest_invoice.account_tax_ids")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(idsOf(sub.InvoiceSettings.AccountTaxIDs)).To(Equal([]string{vat.ID}))
		Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(sub.LatestInvoice.AccountTaxIDs[0].Value).To(Equal("DE123456789"), "the first invoice, expanded")

		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			InvoiceSettings: &stripe.SubscriptionUpdateInvoiceSettingsParams{AccountTaxIDs: []*string{stripe.String(ein.ID), stripe.String(vat.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		sp := &stripe.SubscriptionRetrieveParams{}
		sp.AddExpand("invoice_settings.account_tax_ids")
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, sp)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.InvoiceSettings.AccountTaxIDs[0].Value).To(Equal("12-3456789"))
		preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(idsOf(preview.AccountTaxIDs)).To(Equal([]string{ein.ID, vat.ID}))
		Expect(idsOf(retrieve(sub.LatestInvoice.ID).AccountTaxIDs)).To(Equal([]string{vat.ID}), "the paid invoice keeps its own")

		emu.Clock().Advance(30*24*time.Hour + 2*time.Hour)
		renewal := retrieve(retrieveSub(sc, sub.ID).LatestInvoice.ID, "account_tax_ids")
		Expect(renewal.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(renewal.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(idsOf(renewal.AccountTaxIDs)).To(Equal([]string{ein.ID, vat.ID}))
		Expect(renewal.AccountTaxIDs[1].Country).To(Equal("DE"))

		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			InvoiceSettings: &stripe.SubscriptionUpdateInvoiceSettingsParams{AccountTaxIDs: []*string{}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(retrieveSub(sc, sub.ID).InvoiceSettings.AccountTaxIDs).To(BeNil())
		emu.Clock().Advance(31 * 24 * time.Hour)
		next := retrieve(retrieveSub(sc, sub.ID).LatestInvoice.ID)
		Expect(next.ID).NotTo(Equal(renewal.ID))
		Expect(next.AccountTaxIDs).To(BeNil())
		Expect(idsOf(retrieve(renewal.ID).AccountTaxIDs)).To(Equal([]string{ein.ID, vat.ID}), "earlier invoices keep theirs")

		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			InvoiceSettings: &stripe.SubscriptionUpdateInvoiceSettingsParams{AccountTaxIDs: []*string{stripe.String("txi_missing")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "invoice_settings[account_tax_ids][0]")
		// An issuer other than the account itself is still refused by name.
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{InvoiceSettings: &stripe.SubscriptionUpdateInvoiceSettingsParams{
			AccountTaxIDs: []*string{stripe.String(vat.ID)}, Issuer: &stripe.SubscriptionUpdateInvoiceSettingsIssuerParams{Type: stripe.String("account")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "invoice_settings[issuer]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate"))
		Expect(retrieveSub(sc, sub.ID).InvoiceSettings.AccountTaxIDs).To(BeNil(), "nothing kept")
	})
})
