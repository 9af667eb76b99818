package billing_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// What a subscription asks of its invoices' payments: a Connect
// platform's destination, settlement merchant and fee, and the payment
// method options of their PaymentIntents; and the billing mode and
// invoice issuer it is created with.
var _ = Describe("subscription terms for its invoices' payments", Label("billing", "subscriptions", "connect"), func() {
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		monthly *stripe.Price
		cus     *stripe.Customer
		acct    string
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		monthly = recurringPrice(sc, prod.ID, "month", 1000)
		cus = customerWithCard(sc, "terms@example.com", "pm_card_visa", "")
		acct = Seller(emu, nil).ID
	})

	subscribe := func(edit func(*stripe.SubscriptionCreateParams)) (*stripe.Subscription, error) {
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}}
		if edit != nil {
			edit(p)
		}
		p.AddExpand("latest_invoice")
		return sc.V1Subscriptions.Create(Ctx, p)
	}
	// intentOf is the PaymentIntent that paid (or is to pay) an invoice.
	intentOf := func(inv string) *stripe.PaymentIntent {
		GinkgoHelper()
		p := &stripe.InvoicePaymentListParams{Invoice: stripe.String(inv)}
		p.AddExpand("data.payment.payment_intent")
		var pi *stripe.PaymentIntent
		for pay, err := range sc.V1InvoicePayments.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			if pay.IsDefault {
				pi = pay.Payment.PaymentIntent
			}
		}
		Expect(pi).NotTo(BeNil())
		return pi
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
	count := func(typ string) int { return emu.Count("", typ) }

	Describe("transfer_data, on_behalf_of and application_fee_percent", func() {
		It("makes every invoice's payment a destination charge of amount_percent of its total, renewals included", func() {
			sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
				p.TransferData = &stripe.SubscriptionCreateTransferDataParams{Destination: stripe.String(acct), AmountPercent: stripe.Float64(87.5)}
				p.OnBehalfOf = stripe.String(acct)
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.TransferData.Destination.ID).To(Equal(acct))
			Expect(sub.TransferData.AmountPercent).To(Equal(87.5))
			Expect(sub.OnBehalfOf.ID).To(Equal(acct))
			Expect(sub.LatestInvoice.OnBehalfOf.ID).To(Equal(acct))
			Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
			pi := intentOf(sub.LatestInvoice.ID)
			Expect(pi.TransferData.Destination.ID).To(Equal(acct))
			Expect(pi.TransferData.Amount).To(Equal(int64(875)))
			Expect(pi.OnBehalfOf.ID).To(Equal(acct))
			ch := charge(pi.LatestCharge.ID, "transfer")
			Expect(ch.Transfer.Amount).To(Equal(int64(875)))
			Expect(ch.Transfer.Destination.ID).To(Equal(acct))

			// The renewal a month later pays the destination the same way.
			emu.Clock().Advance(31 * 24 * 3600 * 1e9)
			sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
			Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(sub.LatestInvoice.OnBehalfOf.ID).To(Equal(acct))
			renewal := intentOf(sub.LatestInvoice.ID)
			Expect(renewal.TransferData.Amount).To(Equal(int64(875)))
			Expect(charge(renewal.LatestCharge.ID, "transfer").Transfer.Amount).To(Equal(int64(875)))
		})

		It("takes application_fee_percent of each invoice's total from a destination charge", func() {
			sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
				p.TransferData = &stripe.SubscriptionCreateTransferDataParams{Destination: stripe.String(acct)}
				p.ApplicationFeePercent = stripe.Float64(12.25)
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.ApplicationFeePercent).To(Equal(12.25))
			pi := intentOf(sub.LatestInvoice.ID)
			Expect(pi.ApplicationFeeAmount).To(Equal(int64(123))) // 12.25% of 10.00, rounded
			Expect(pi.TransferData.Amount).To(BeZero())
			ch := charge(pi.LatestCharge.ID, "transfer", "application_fee")
			Expect(ch.Transfer.Amount).To(Equal(int64(1000)))
			Expect(ch.ApplicationFee.Amount).To(Equal(int64(123)))
		})

		It("on a connected account (Stripe-Account) takes application_fee_percent as the platform's fee of a direct charge", func() {
			onAcct := func(p *stripe.Params) { p.SetStripeAccount(acct) }
			cp := &stripe.CustomerCreateParams{Email: stripe.String("direct@example.com"), PaymentMethod: stripe.String("pm_card_visa"),
				InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String("pm_card_visa")}}
			onAcct(&cp.Params)
			c, err := sc.V1Customers.Create(Ctx, cp)
			Expect(err).NotTo(HaveOccurred())
			pp := &stripe.ProductCreateParams{Name: stripe.String("Lessons")}
			onAcct(&pp.Params)
			prod, err := sc.V1Products.Create(Ctx, pp)
			Expect(err).NotTo(HaveOccurred())
			prp := &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(2000),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}}
			onAcct(&prp.Params)
			price, err := sc.V1Prices.Create(Ctx, prp)
			Expect(err).NotTo(HaveOccurred())
			sp := &stripe.SubscriptionCreateParams{Customer: stripe.String(c.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
				ApplicationFeePercent: stripe.Float64(5)}
			onAcct(&sp.Params)
			sub, err := sc.V1Subscriptions.Create(Ctx, sp)
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.ApplicationFeePercent).To(Equal(5.0))
			lp := &stripe.InvoicePaymentListParams{Invoice: stripe.String(sub.LatestInvoice.ID)}
			lp.AddExpand("data.payment.payment_intent")
			lp.SetStripeAccount(acct)
			var pi *stripe.PaymentIntent
			for pay, err := range sc.V1InvoicePayments.List(Ctx, lp) {
				Expect(err).NotTo(HaveOccurred())
				pi = pay.Payment.PaymentIntent
			}
			Expect(pi.ApplicationFeeAmount).To(Equal(int64(100)))
			chp := &stripe.ChargeRetrieveParams{}
			onAcct(&chp.Params)
			ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, chp)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.ApplicationFee).NotTo(BeNil())
			fee, err := sc.V1ApplicationFees.Retrieve(Ctx, ch.ApplicationFee.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(fee.Amount).To(Equal(int64(100)))
		})

		It("is changed by an update, for the invoices made after it", func() {
			sub, err := subscribe(nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(intentOf(sub.LatestInvoice.ID).TransferData).To(BeNil())
			sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
				TransferData: &stripe.SubscriptionUpdateTransferDataParams{Destination: stripe.String(acct), AmountPercent: stripe.Float64(50)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.TransferData.AmountPercent).To(Equal(50.0))
			emu.Clock().Advance(31 * 24 * 3600 * 1e9)
			sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(intentOf(sub.LatestInvoice.ID).TransferData.Amount).To(Equal(int64(500)))

			// Sent empty, transfer_data is removed.
			raw := Do(emu.URL(), http.MethodPost, "/v1/subscriptions/"+sub.ID, "transfer_data=")
			Expect(raw.Status).To(Equal(200))
			Expect(raw.Body["transfer_data"]).To(BeNil())
		})

		DescribeTable("refuses, changing nothing",
			func(edit func(*stripe.SubscriptionCreateParams), code, param, message string) {
				subs, invoices := count("subscription"), count("invoice")
				_, err := subscribe(edit)
				ExpectStripeError(err, 400, "invalid_request_error", code, param)
				Expect(StripeErr(err).Msg).To(ContainSubstring(message))
				Expect(count("subscription")).To(Equal(subs))
				Expect(count("invoice")).To(Equal(invoices))
			},
			Entry("a destination that is not a connected account", func(p *stripe.SubscriptionCreateParams) {
				p.TransferData = &stripe.SubscriptionCreateTransferDataParams{Destination: stripe.String("acct_1NotConnected00000")}
			}, "resource_missing", "transfer_data[destination]", "No such destination"),
			Entry("an amount_percent over 100", func(p *stripe.SubscriptionCreateParams) {
				p.TransferData = &stripe.SubscriptionCreateTransferDataParams{Destination: stripe.String("DEST"), AmountPercent: stripe.Float64(100.5)}
			}, "", "transfer_data[amount_percent]", "between 0 and 100"),
			Entry("an on_behalf_of that is not a connected account", func(p *stripe.SubscriptionCreateParams) {
				p.OnBehalfOf = stripe.String("acct_1NotConnected00000")
			}, "resource_missing", "on_behalf_of", "No such account"),
			Entry("an application fee on the platform's own charge", func(p *stripe.SubscriptionCreateParams) {
				p.ApplicationFeePercent = stripe.Float64(10)
			}, "", "application_fee_percent", "Can only apply an application_fee_percent"),
		)
	})

	Describe("payment_settings[payment_method_options]", func() {
		It("is kept on the subscription and handed to its invoices and their PaymentIntents", func() {
			sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
				p.PaymentSettings = &stripe.SubscriptionCreatePaymentSettingsParams{PaymentMethodOptions: &stripe.SubscriptionCreatePaymentSettingsPaymentMethodOptionsParams{
					Card:       &stripe.SubscriptionCreatePaymentSettingsPaymentMethodOptionsCardParams{RequestThreeDSecure: stripe.String("automatic")},
					Bancontact: &stripe.SubscriptionCreatePaymentSettingsPaymentMethodOptionsBancontactParams{PreferredLanguage: stripe.String("fr")},
				}}
			})
			Expect(err).NotTo(HaveOccurred())
			opts := sub.PaymentSettings.PaymentMethodOptions
			Expect(string(opts.Card.RequestThreeDSecure)).To(Equal("automatic"))
			Expect(string(opts.Bancontact.PreferredLanguage)).To(Equal("fr"))
			Expect(opts.USBankAccount).To(BeNil())
			invOpts := sub.LatestInvoice.PaymentSettings.PaymentMethodOptions
			Expect(string(invOpts.Card.RequestThreeDSecure)).To(Equal("automatic"))
			Expect(string(invOpts.Bancontact.PreferredLanguage)).To(Equal("fr"))
			pi := intentOf(sub.LatestInvoice.ID)
			Expect(string(pi.PaymentMethodOptions.Card.RequestThreeDSecure)).To(Equal("automatic"))
			Expect(string(pi.PaymentMethodOptions.Bancontact.PreferredLanguage)).To(Equal("fr"))

			// Sent empty on update, they are removed.
			raw := Do(emu.URL(), http.MethodPost, "/v1/subscriptions/"+sub.ID, "payment_settings[payment_method_options]=")
			Expect(raw.Status).To(Equal(200))
			Expect(raw.Body["payment_settings"].(map[string]any)["payment_method_options"]).To(BeNil())
		})

		It("hands the invoices' PaymentIntents how US bank accounts are verified, and refuses a method Stripe does not have", func() {
			sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
				p.PaymentSettings = &stripe.SubscriptionCreatePaymentSettingsParams{PaymentMethodOptions: &stripe.SubscriptionCreatePaymentSettingsPaymentMethodOptionsParams{
					USBankAccount: &stripe.SubscriptionCreatePaymentSettingsPaymentMethodOptionsUSBankAccountParams{VerificationMethod: stripe.String("microdeposits")},
				}}
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(string(sub.PaymentSettings.PaymentMethodOptions.USBankAccount.VerificationMethod)).To(Equal("microdeposits"))
			pi := intentOf(sub.LatestInvoice.ID)
			Expect(string(pi.PaymentMethodOptions.USBankAccount.VerificationMethod)).To(Equal("microdeposits"))

			subs := count("subscription")
			raw := Do(emu.URL(), http.MethodPost, "/v1/subscriptions", "customer="+cus.ID+"&items[0][price]="+monthly.ID+
				"&payment_settings[payment_method_options][us_bank_account][verification_method]=skip")
			Expect(raw.Status).To(Equal(400))
			Expect(raw.Error()["param"]).To(Equal("payment_settings[payment_method_options][us_bank_account][verification_method]"))
			Expect(count("subscription")).To(Equal(subs))
		})

		DescribeTable("refuses by full name the options whose effect is not emulated, changing nothing",
			func(body, param string) {
				subs := count("subscription")
				raw := Do(emu.URL(), http.MethodPost, "/v1/subscriptions", "customer="+cus.ID+"&items[0][price]="+monthly.ID+"&"+body)
				Expect(raw.Status).To(Equal(400))
				Expect(raw.Error()["param"]).To(Equal(param))
				Expect(raw.Error()["message"]).To(ContainSubstring("does not emulate"))
				Expect(count("subscription")).To(Equal(subs))
			},
			Entry("3D Secure requested on every payment", "payment_settings[payment_method_options][card][request_three_d_secure]=any",
				"payment_settings[payment_method_options][card][request_three_d_secure]"),
			Entry("a card mandate for India", "payment_settings[payment_method_options][card][mandate_options][amount]=1000",
				"payment_settings[payment_method_options][card][mandate_options]"),
			Entry("bank transfers for the customer balance", "payment_settings[payment_method_options][customer_balance][funding_type]=bank_transfer",
				"payment_settings[payment_method_options][customer_balance]"),
		)
	})

	Describe("billing_mode and invoice_settings[issuer]", func() {
		It("accepts the classic billing mode and the account itself as issuer, what the emulator does", func() {
			sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
				p.BillingMode = &stripe.SubscriptionCreateBillingModeParams{Type: stripe.String("classic")}
				p.InvoiceSettings = &stripe.SubscriptionCreateInvoiceSettingsParams{Issuer: &stripe.SubscriptionCreateInvoiceSettingsIssuerParams{Type: stripe.String("self")}}
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.BillingMode.Type).To(Equal(stripe.SubscriptionBillingModeTypeClassic))
			Expect(string(sub.InvoiceSettings.Issuer.Type)).To(Equal("self"))
		})

		DescribeTable("refuses what is not emulated, changing nothing",
			func(body, param, message string) {
				subs := count("subscription")
				raw := Do(emu.URL(), http.MethodPost, "/v1/subscriptions", "customer="+cus.ID+"&items[0][price]="+monthly.ID+"&"+body)
				Expect(raw.Status).To(Equal(400))
				Expect(raw.Error()["param"]).To(Equal(param))
				Expect(raw.Error()["message"]).To(ContainSubstring(message))
				Expect(count("subscription")).To(Equal(subs))
			},
			Entry("flexible billing mode", "billing_mode[type]=flexible", "billing_mode[type]", "flexible billing mode"),
			Entry("a connected account as issuer", "invoice_settings[issuer][type]=account&invoice_settings[issuer][account]="+"acct_1Other",
				"invoice_settings[issuer]", "does not emulate"),
		)
	})
})
