package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// The older billing routes Stripe still serves at basil: a customer's
// subscriptions and discounts under the customer's URL, and one invoice
// line's update. Each is another name for a route the emulator has, with
// its rules and events. The Upcoming Invoice API, which basil removed, is
// answered as an unknown URL.
var _ = Describe("Older routes of billing", Label("billing", "legacy"), func() {
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		monthly *stripe.Price
		cus     *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		monthly = recurringPrice(sc, prod.ID, "month", 1000)
		cus = customerWithCard(sc, "older@example.com", "pm_card_visa", "")
	})
	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }
	coupon := func(percent float64) string {
		GinkgoHelper()
		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(percent), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		return c.ID
	}

	Describe("a customer's subscriptions", func() {
		It("create, list, retrieve, update and cancel as /v1/subscriptions does, under the customer's URL", func() {
			base := "/v1/customers/" + cus.ID + "/subscriptions"
			mark := len(emu.EventTypes(""))
			var sub stripe.Subscription
			Expect(Legacy(emu, "POST", base, "items[0][price]="+monthly.ID+"&metadata[plan]=pro&expand[]=latest_invoice", &sub)).To(Succeed())
			Expect(sub.ID).To(HavePrefix("sub_"))
			Expect(sub.Customer.ID).To(Equal(cus.ID))
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
			Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(sub.Metadata).To(Equal(map[string]string{"plan": "pro"}))
			Expect(eventsSince(mark)).To(ContainElements("customer.subscription.created", "invoice.paid"))

			other := customerWithCard(sc, "other@example.com", "pm_card_visa", "")
			_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(other.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}})
			Expect(err).NotTo(HaveOccurred())

			var list stripe.SubscriptionList
			Expect(Legacy(emu, "GET", base, "", &list)).To(Succeed())
			Expect(list.URL).To(Equal(base))
			Expect(list.Data).To(HaveLen(1), "only this customer's")
			Expect(list.Data[0].ID).To(Equal(sub.ID))

			var got stripe.Subscription
			Expect(Legacy(emu, "GET", base+"/"+sub.ID, "", &got)).To(Succeed())
			Expect(got.ID).To(Equal(sub.ID))

			mark = len(emu.EventTypes(""))
			Expect(Legacy(emu, "POST", base+"/"+sub.ID, "metadata[plan]=team&cancel_at_period_end=true", &got)).To(Succeed())
			Expect(got.Metadata).To(Equal(map[string]string{"plan": "team"}))
			Expect(got.CancelAtPeriodEnd).To(BeTrue())
			Expect(eventsSince(mark)).To(Equal([]string{"customer.subscription.updated"}))

			mark = len(emu.EventTypes(""))
			Expect(Legacy(emu, "DELETE", base+"/"+sub.ID, "", &got)).To(Succeed())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusCanceled))
			Expect(eventsSince(mark)).To(ContainElement("customer.subscription.deleted"))
			fetched, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(fetched.Status).To(Equal(stripe.SubscriptionStatusCanceled))
			Expect(Legacy(emu, "GET", base, "", &list)).To(Succeed())
			Expect(list.Data).To(BeEmpty(), "a canceled subscription is not listed, as with /v1/subscriptions")
		})

		It("refuse another customer's subscription, parameters the route does not take, and what /v1/subscriptions refuses", func() {
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			other := customerWithCard(sc, "other@example.com", "pm_card_visa", "")
			mark := len(emu.EventTypes(""))

			err = Legacy(emu, "GET", "/v1/customers/"+other.ID+"/subscriptions/"+sub.ID, "", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "subscription")
			Expect(StripeErr(err).Msg).To(Equal("Customer " + other.ID + " does not have a subscription with ID " + sub.ID))
			err = Legacy(emu, "DELETE", "/v1/customers/"+other.ID+"/subscriptions/"+sub.ID, "", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "subscription")

			err = Legacy(emu, "POST", "/v1/customers/"+cus.ID+"/subscriptions", "customer="+other.ID+"&items[0][price]="+monthly.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_unknown", "customer")
			err = Legacy(emu, "POST", "/v1/customers/"+cus.ID+"/subscriptions", "items[0][price]="+monthly.ID+"&description=x", nil)
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_unknown", "description")
			err = Legacy(emu, "DELETE", "/v1/customers/"+cus.ID+"/subscriptions/"+sub.ID, "cancellation_details[comment]=x", nil)
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_unknown", "cancellation_details")
			err = Legacy(emu, "POST", "/v1/customers/"+cus.ID+"/subscriptions", "", nil)
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "items")
			err = Legacy(emu, "POST", "/v1/customers/cus_missing/subscriptions", "items[0][price]="+monthly.ID, nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
			Expect(StripeErr(err).Msg).To(Equal("No such customer: 'cus_missing'"))

			Expect(eventsSince(mark)).To(BeEmpty())
			Expect(emu.Count("", "subscription")).To(Equal(1))
		})

		It("show and delete a subscription's discount", func() {
			off := coupon(25)
			base := "/v1/customers/" + cus.ID + "/subscriptions"
			var sub stripe.Subscription
			Expect(Legacy(emu, "POST", base, "items[0][price]="+monthly.ID+"&discounts[0][coupon]="+off, &sub)).To(Succeed())

			var d stripe.Discount
			Expect(Legacy(emu, "GET", base+"/"+sub.ID+"/discount?expand[]=customer", "", &d)).To(Succeed())
			Expect(d.ID).To(HavePrefix("di_"))
			Expect(d.Coupon.ID).To(Equal(off))
			Expect(d.Subscription).To(Equal(sub.ID))
			Expect(d.Customer.Email).To(Equal("older@example.com"), "expanded")

			mark := len(emu.EventTypes(""))
			var deleted stripe.Discount
			Expect(Legacy(emu, "DELETE", base+"/"+sub.ID+"/discount", "", &deleted)).To(Succeed())
			Expect(deleted.ID).To(Equal(d.ID))
			Expect(deleted.Deleted).To(BeTrue())
			Expect(eventsSince(mark)).To(ContainElement("customer.subscription.updated"))

			err := Legacy(emu, "GET", base+"/"+sub.ID+"/discount", "", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "")
			Expect(StripeErr(err).Msg).To(Equal("No active discount for subscription " + sub.ID + " on customer " + cus.ID))
			err = Legacy(emu, "DELETE", base+"/"+sub.ID+"/discount", "", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "")
		})
	})

	It("shows a customer's discount with GET /v1/customers/{customer}/discount, 404 when there is none", func() {
		err := Legacy(emu, "GET", "/v1/customers/"+cus.ID+"/discount", "", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "")
		Expect(StripeErr(err).Msg).To(Equal("No active discount for customer " + cus.ID))

		off := coupon(10)
		_, err = emu.ApplyCustomerDiscount("", cus.ID, emulator.CustomerDiscount{Coupon: off})
		Expect(err).NotTo(HaveOccurred())
		var d stripe.Discount
		Expect(Legacy(emu, "GET", "/v1/customers/"+cus.ID+"/discount", "", &d)).To(Succeed())
		Expect(d.Coupon.ID).To(Equal(off))
		Expect(d.Customer.ID).To(Equal(cus.ID))

		gone, err := sc.V1Customers.DeleteDiscount(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(gone.ID).To(Equal(d.ID))
		err = Legacy(emu, "GET", "/v1/customers/"+cus.ID+"/discount", "", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "")
		err = Legacy(emu, "GET", "/v1/customers/cus_missing/discount", "", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})

	Describe("updating one invoice line", func() {
		draft := func() (*stripe.Invoice, *stripe.InvoiceItem) {
			GinkgoHelper()
			inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID),
				Invoice: stripe.String(inv.ID), Amount: stripe.Int64(5000), Currency: stripe.String("usd"), Description: stripe.String("Setup")})
			Expect(err).NotTo(HaveOccurred())
			inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			return inv, ii
		}

		It("changes a draft's invoice item line through its invoice item, the totals worked out again", func() {
			inv, ii := draft()
			Expect(inv.Lines.Data).To(HaveLen(1))
			line := inv.Lines.Data[0]
			mark := len(emu.EventTypes(""))

			got, err := sc.V1InvoiceLineItems.Update(Ctx, line.ID, &stripe.InvoiceLineItemUpdateParams{
				Invoice: stripe.String(inv.ID), Amount: stripe.Int64(7500), Description: stripe.String("Setup, extended"),
				Metadata: map[string]string{"k": "v"},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.ID).To(Equal(line.ID))
			Expect(got.Amount).To(Equal(int64(7500)))
			Expect(got.Description).To(Equal("Setup, extended"))
			Expect(got.Metadata).To(Equal(map[string]string{"k": "v"}))
			Expect(eventsSince(mark)).To(ContainElement("invoice.updated"))
			Expect(eventsSince(mark)).NotTo(ContainElement("invoiceitem.updated"), "basil has no such event")

			item, err := sc.V1InvoiceItems.Retrieve(Ctx, ii.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(item.Amount).To(Equal(int64(7500)))
			Expect(item.Description).To(Equal("Setup, extended"))
			inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Subtotal).To(Equal(int64(7500)))
			Expect(inv.Total).To(Equal(int64(7500)))
			Expect(inv.AmountDue).To(Equal(int64(7500)))
		})

		It("refuses a finalized invoice's line, an unknown line and what the invoice item update does not take, keeping nothing", func() {
			inv, _ := draft()
			line := inv.Lines.Data[0]
			mark := len(emu.EventTypes(""))

			_, err := sc.V1InvoiceLineItems.Update(Ctx, "il_missing", &stripe.InvoiceLineItemUpdateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1)})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
			_, err = sc.V1InvoiceLineItems.Update(Ctx, line.ID, &stripe.InvoiceLineItemUpdateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1),
				TaxAmounts: []*stripe.InvoiceLineItemUpdateTaxAmountParams{{Amount: stripe.Int64(10), TaxableAmount: stripe.Int64(100),
					TaxRateData: &stripe.InvoiceLineItemUpdateTaxAmountTaxRateDataParams{DisplayName: stripe.String("VAT"), Inclusive: stripe.Bool(true), Percentage: stripe.Float64(20)}}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "tax_amounts")
			// The error names the parameter as sent here too, not as the
			// update_lines it runs as.
			_, err = sc.V1InvoiceLineItems.Update(Ctx, line.ID, &stripe.InvoiceLineItemUpdateParams{Invoice: stripe.String(inv.ID),
				Discounts: []*stripe.InvoiceLineItemUpdateDiscountParams{{Coupon: stripe.String("NOPE")}}})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "discounts[0][coupon]")
			Expect(StripeErr(err).Msg).To(Equal("No such coupon: 'NOPE'"))
			Expect(eventsSince(mark)).To(BeEmpty())

			inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, &stripe.InvoiceFinalizeInvoiceParams{AutoAdvance: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			mark = len(emu.EventTypes(""))
			_, err = sc.V1InvoiceLineItems.Update(Ctx, line.ID, &stripe.InvoiceLineItemUpdateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1)})
			ExpectStripeError(err, 400, "invalid_request_error", "invoice_not_editable", "")
			Expect(StripeErr(err).Msg).To(Equal("You can only modify draft invoices; this invoice (" + inv.ID + ") has status open."))
			Expect(eventsSince(mark)).To(BeEmpty())
			inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Total).To(Equal(int64(5000)))
		})

		It("changes a subscription line as update_lines does: its description and metadata, not its amount", func() {
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			// A renewal's invoice stays a draft for an hour.
			emu.Clock().Set(time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0))
			sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusDraft))
			line := inv.Lines.Data[0]

			got, err := sc.V1InvoiceLineItems.Update(Ctx, line.ID, &stripe.InvoiceLineItemUpdateParams{Invoice: stripe.String(inv.ID),
				Description: stripe.String("Pro, September"), Metadata: map[string]string{"seat": "1"}})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Description).To(Equal("Pro, September"))
			Expect(got.Metadata).To(Equal(map[string]string{"seat": "1"}))
			Expect(got.Amount).To(Equal(int64(1000)))

			_, err = sc.V1InvoiceLineItems.Update(Ctx, line.ID, &stripe.InvoiceLineItemUpdateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "amount")
		})
	})

	It("answers the Upcoming Invoice API, which basil removed, as an unknown URL", func() {
		_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		for _, path := range []string{"/v1/invoices/upcoming", "/v1/invoices/upcoming/lines"} {
			r := Do(emu.URL(), "GET", path+"?customer="+cus.ID, "")
			Expect(r.Status).To(Equal(404), path)
			Expect(r.Error()["type"]).To(Equal("invalid_request_error"))
			Expect(r.Error()["message"]).To(HavePrefix("Unrecognized request URL (GET: " + path + ")."))
		}
	})
})
