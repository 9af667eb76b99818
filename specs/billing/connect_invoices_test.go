package billing_test

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// One-off invoices with Connect, as Stripe's "Create an invoice with
// Connect" guide makes them: a destination charge (transfer_data), the
// connected account as settlement merchant (on_behalf_of), the platform's
// fee (application_fee_amount), or a direct charge on the connected
// account. Basil's invoice shows only on_behalf_of: the rest is seen on
// the PaymentIntent that pays it, and in the money it moves.
var _ = Describe("Connect invoices", Label("billing", "invoices", "connect"), func() {
	var (
		emu  *emulator.Emulator
		sc   *stripe.Client
		cus  *stripe.Customer
		acct string
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cus = customerWithCard(sc, "connect-invoice@example.com", "pm_card_visa", "")
		acct = Seller(emu, nil).ID
	})

	// invoiceOf is a draft of one 10.00 item made with p.
	invoiceOf := func(p *stripe.InvoiceCreateParams) (*stripe.Invoice, error) {
		p.Customer = stripe.String(cus.ID)
		inv, err := sc.V1Invoices.Create(Ctx, p)
		if err != nil {
			return nil, err
		}
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(1000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		return inv, nil
	}
	pay := func(id string) *stripe.Invoice {
		GinkgoHelper()
		inv, err := sc.V1Invoices.Pay(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		return inv
	}
	charge := func(id string, expand ...string) *stripe.Charge {
		GinkgoHelper()
		p := &stripe.ChargeRetrieveParams{}
		for _, e := range expand {
			p.AddExpand(e)
		}
		ch, err := sc.V1Charges.Retrieve(Ctx, id, p)
		Expect(err).NotTo(HaveOccurred())
		return ch
	}

	It("pays transfer_data[amount] of a destination charge to the connected account, settled on its behalf", func() {
		inv, err := invoiceOf(&stripe.InvoiceCreateParams{
			TransferData: &stripe.InvoiceCreateTransferDataParams{Destination: stripe.String(acct), Amount: stripe.Int64(700)},
			OnBehalfOf:   stripe.String(acct),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.OnBehalfOf.ID).To(Equal(acct))
		inv = pay(inv.ID)
		Expect(inv.OnBehalfOf.ID).To(Equal(acct))
		pi := defaultIntent(sc, inv)
		Expect(pi.TransferData.Destination.ID).To(Equal(acct))
		Expect(pi.TransferData.Amount).To(Equal(int64(700)))
		Expect(pi.OnBehalfOf.ID).To(Equal(acct))
		ch := charge(pi.LatestCharge.ID, "transfer")
		Expect(ch.Transfer.Amount).To(Equal(int64(700)))
		Expect(ch.Transfer.Destination.ID).To(Equal(acct))
	})

	It("takes application_fee_amount from a destination charge that transfers the whole amount", func() {
		inv, err := invoiceOf(&stripe.InvoiceCreateParams{
			TransferData:         &stripe.InvoiceCreateTransferDataParams{Destination: stripe.String(acct)},
			ApplicationFeeAmount: stripe.Int64(150),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.OnBehalfOf).To(BeNil())
		pi := defaultIntent(sc, pay(inv.ID))
		Expect(pi.ApplicationFeeAmount).To(Equal(int64(150)))
		Expect(pi.TransferData.Amount).To(BeZero())
		ch := charge(pi.LatestCharge.ID, "transfer", "application_fee")
		Expect(ch.Transfer.Amount).To(Equal(int64(1000)))
		Expect(ch.ApplicationFee.Amount).To(Equal(int64(150)))
	})

	It("on a connected account (Stripe-Account) takes application_fee_amount as the platform's fee of a direct charge", func() {
		cp := &stripe.CustomerCreateParams{Email: stripe.String("direct@example.com"), PaymentMethod: stripe.String("pm_card_visa"),
			InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String("pm_card_visa")}}
		cp.SetStripeAccount(acct)
		c, err := sc.V1Customers.Create(Ctx, cp)
		Expect(err).NotTo(HaveOccurred())
		ip := &stripe.InvoiceCreateParams{Customer: stripe.String(c.ID), ApplicationFeeAmount: stripe.Int64(200)}
		ip.SetStripeAccount(acct)
		inv, err := sc.V1Invoices.Create(Ctx, ip)
		Expect(err).NotTo(HaveOccurred())
		iip := &stripe.InvoiceItemCreateParams{Customer: stripe.String(c.ID), Invoice: stripe.String(inv.ID), Amount: stripe.Int64(2000), Currency: stripe.String("usd")}
		iip.SetStripeAccount(acct)
		_, err = sc.V1InvoiceItems.Create(Ctx, iip)
		Expect(err).NotTo(HaveOccurred())
		pp := &stripe.InvoicePayParams{}
		pp.SetStripeAccount(acct)
		inv, err = sc.V1Invoices.Pay(Ctx, inv.ID, pp)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		lp := &stripe.InvoicePaymentListParams{Invoice: stripe.String(inv.ID)}
		lp.AddExpand("data.payment.payment_intent")
		lp.SetStripeAccount(acct)
		var pi *stripe.PaymentIntent
		for p, err := range sc.V1InvoicePayments.List(Ctx, lp) {
			Expect(err).NotTo(HaveOccurred())
			pi = p.Payment.PaymentIntent
		}
		Expect(pi.ApplicationFeeAmount).To(Equal(int64(200)))
		chp := &stripe.ChargeRetrieveParams{}
		chp.SetStripeAccount(acct)
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, chp)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.ApplicationFee).NotTo(BeNil())
		fee, err := sc.V1ApplicationFees.Retrieve(Ctx, ch.ApplicationFee.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(fee.Amount).To(Equal(int64(200)))
	})

	// Stripe's objects: "ID of the Connect Application that created the
	// subscription" (the schedule, the invoice): what the platform makes
	// on its connected account names its Connect application, as a
	// PaymentIntent or a quote does; its own objects name none.
	It("names the platform's Connect application on the subscriptions, schedules and invoices it makes on a connected account", func() {
		app := emu.ConnectApplication()
		cp := &stripe.CustomerCreateParams{Email: stripe.String("app@example.com"), PaymentMethod: stripe.String("pm_card_visa"),
			InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String("pm_card_visa")}}
		cp.SetStripeAccount(acct)
		c, err := sc.V1Customers.Create(Ctx, cp)
		Expect(err).NotTo(HaveOccurred())
		pp := &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}, ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Plan")}}
		pp.SetStripeAccount(acct)
		price, err := sc.V1Prices.Create(Ctx, pp)
		Expect(err).NotTo(HaveOccurred())

		sp := &stripe.SubscriptionCreateParams{Customer: stripe.String(c.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}}
		sp.SetStripeAccount(acct)
		sp.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Create(Ctx, sp)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Application).NotTo(BeNil())
		Expect(sub.Application.ID).To(Equal(app))
		Expect(sub.LatestInvoice.Application).NotTo(BeNil())
		Expect(sub.LatestInvoice.Application.ID).To(Equal(app))

		ip := &stripe.InvoiceCreateParams{Customer: stripe.String(c.ID)}
		ip.SetStripeAccount(acct)
		inv, err := sc.V1Invoices.Create(Ctx, ip)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Application).NotTo(BeNil())
		Expect(inv.Application.ID).To(Equal(app))

		ssp := &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(c.ID), StartDate: stripe.Int64(emu.Clock().Now().Add(24 * time.Hour).Unix()),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(price.ID)}}}}}
		ssp.SetStripeAccount(acct)
		sched, err := sc.V1SubscriptionSchedules.Create(Ctx, ssp)
		Expect(err).NotTo(HaveOccurred())
		Expect(sched.Application).NotTo(BeNil())
		Expect(sched.Application.ID).To(Equal(app))

		own, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(own.Application).To(BeNil(), "the platform's own invoice")
	})

	It("is changed on a draft, removed by an empty value, and no longer once the invoice is finalized", func() {
		inv, err := invoiceOf(&stripe.InvoiceCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{
			TransferData: &stripe.InvoiceUpdateTransferDataParams{Destination: stripe.String(acct), Amount: stripe.Int64(400)},
			OnBehalfOf:   stripe.String(acct)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.OnBehalfOf.ID).To(Equal(acct))
		raw := Do(emu.URL(), http.MethodPost, "/v1/invoices/"+inv.ID, "on_behalf_of=")
		Expect(raw.Status).To(Equal(200))
		Expect(raw.Body["on_behalf_of"]).To(BeNil())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		pi := defaultIntent(sc, inv)
		Expect(pi.TransferData.Amount).To(Equal(int64(400)))
		Expect(pi.OnBehalfOf).To(BeNil())

		_, err = sc.V1Invoices.Update(Ctx, inv.ID, &stripe.InvoiceUpdateParams{OnBehalfOf: stripe.String(acct)})
		ExpectStripeError(err, 400, "invalid_request_error", "invoice_not_editable", "")

		// transfer_data= on a draft: no destination charge.
		other, err := invoiceOf(&stripe.InvoiceCreateParams{TransferData: &stripe.InvoiceCreateTransferDataParams{Destination: stripe.String(acct)}})
		Expect(err).NotTo(HaveOccurred())
		raw = Do(emu.URL(), http.MethodPost, "/v1/invoices/"+other.ID, "transfer_data=")
		Expect(raw.Status).To(Equal(200))
		Expect(defaultIntent(sc, pay(other.ID)).TransferData).To(BeNil())
	})

	It("takes issuer[type]=self, which every invoice shows", func() {
		inv, err := invoiceOf(&stripe.InvoiceCreateParams{Issuer: &stripe.InvoiceCreateIssuerParams{Type: stripe.String("self")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(string(inv.Issuer.Type)).To(Equal("self"))
	})

	DescribeTable("refuses, making nothing",
		func(edit func(*stripe.InvoiceCreateParams), code, param, message string) {
			invoices := emu.Count("", "invoice")
			_, err := invoiceOf(func() *stripe.InvoiceCreateParams { p := &stripe.InvoiceCreateParams{}; edit(p); return p }())
			ExpectStripeError(err, 400, "invalid_request_error", code, param)
			Expect(StripeErr(err).Msg).To(ContainSubstring(message))
			Expect(emu.Count("", "invoice")).To(Equal(invoices))
		},
		Entry("a destination that is not a connected account", func(p *stripe.InvoiceCreateParams) {
			p.TransferData = &stripe.InvoiceCreateTransferDataParams{Destination: stripe.String("acct_1NotConnected00000")}
		}, "resource_missing", "transfer_data[destination]", "No such destination"),
		Entry("a transfer of nothing", func(p *stripe.InvoiceCreateParams) {
			p.TransferData = &stripe.InvoiceCreateTransferDataParams{Destination: stripe.String(acct), Amount: stripe.Int64(0)}
		}, "parameter_invalid_integer", "transfer_data[amount]", "greater than or equal to 1"),
		Entry("an on_behalf_of that is not a connected account", func(p *stripe.InvoiceCreateParams) {
			p.OnBehalfOf = stripe.String("acct_1NotConnected00000")
		}, "resource_missing", "on_behalf_of", "No such account"),
		Entry("an application fee on the platform's own charge", func(p *stripe.InvoiceCreateParams) {
			p.ApplicationFeeAmount = stripe.Int64(100)
		}, "", "application_fee_amount", "Can only apply an application_fee_amount"),
		Entry("an on_behalf_of other than the destination, which a card payment refuses", func(p *stripe.InvoiceCreateParams) {
			p.TransferData = &stripe.InvoiceCreateTransferDataParams{Destination: stripe.String(acct)}
			p.OnBehalfOf = stripe.String(Seller(emu, nil).ID)
		}, "", "on_behalf_of", "different from the `transfer_data[destination]`"),
		Entry("a negative application fee", func(p *stripe.InvoiceCreateParams) {
			p.ApplicationFeeAmount = stripe.Int64(-1)
		}, "parameter_invalid_integer", "application_fee_amount", "greater than or equal to 0"),
	)
})
