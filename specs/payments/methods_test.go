package payments_test

import (
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Payment methods, refunds and SetupIntents", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("pm@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})

	Describe("PaymentMethods", func() {
		It("creates cards from numbers with stable fingerprints and from tokens", func() {
			mk := func() *stripe.PaymentMethod {
				pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
					Type: stripe.String("card"),
					Card: &stripe.PaymentMethodCreateCardParams{Number: stripe.String("5555555555554444"), ExpMonth: stripe.Int64(4), ExpYear: stripe.Int64(2030), CVC: stripe.String("123")},
				})
				Expect(err).NotTo(HaveOccurred())
				return pm
			}
			a, b := mk(), mk()
			Expect(a.ID).NotTo(Equal(b.ID))
			Expect(a.Card.Fingerprint).To(Equal(b.Card.Fingerprint))
			Expect(a.Card.Brand).To(Equal(stripe.PaymentMethodCardBrandMastercard))
			Expect(a.Card.Last4).To(Equal("4444"))
			Expect(a.Card.ExpYear).To(Equal(int64(2030)))

			tok, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"), Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String("tok_visa")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(tok.Card.Last4).To(Equal("4242"))
		})

		It("updates a card's expiry and preferred network, keeping a network the card is not on as invalid_preference", func() {
			pm, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_visa", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			pm, err = sc.V1PaymentMethods.Update(Ctx, pm.ID, &stripe.PaymentMethodUpdateParams{Card: &stripe.PaymentMethodUpdateCardParams{
				ExpYear: stripe.Int64(2031), Networks: &stripe.PaymentMethodUpdateCardNetworksParams{Preferred: stripe.String("visa")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(pm.Card.ExpYear).To(Equal(int64(2031)))
			Expect(pm.Card.Networks.Preferred).To(Equal(stripe.PaymentMethodCardNetworksPreferredVisa))
			pm, err = sc.V1PaymentMethods.Update(Ctx, pm.ID, &stripe.PaymentMethodUpdateParams{Card: &stripe.PaymentMethodUpdateCardParams{
				Networks: &stripe.PaymentMethodUpdateCardNetworksParams{Preferred: stripe.String("cartes_bancaires")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(pm.Card.Networks.Preferred).To(Equal(stripe.PaymentMethodCardNetworksPreferred("invalid_preference")))
			Expect(pm.Card.Networks.Available).To(Equal([]stripe.PaymentMethodCardNetworksAvailable{"visa"}))
		})

		It("updates only a PaymentMethod saved to a customer, and only to an expiry that is a month and has not passed", func() {
			pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"), Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String("tok_visa")}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1PaymentMethods.Update(Ctx, pm.ID, &stripe.PaymentMethodUpdateParams{Metadata: map[string]string{"k": "v"}})
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(400))
			Expect(se.Type).To(Equal(stripe.ErrorTypeInvalidRequest))
			Expect(se.Msg).To(Equal("You must save this PaymentMethod to a customer before you can update it."))

			pm, err = sc.V1PaymentMethods.Attach(Ctx, pm.ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1PaymentMethods.Update(Ctx, pm.ID, &stripe.PaymentMethodUpdateParams{Card: &stripe.PaymentMethodUpdateCardParams{ExpMonth: stripe.Int64(13)}})
			se = StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(402))
			Expect(se.Code).To(Equal(stripe.ErrorCodeInvalidExpiryMonth))
			Expect(se.Param).To(Equal("card[exp_month]"))
			_, err = sc.V1PaymentMethods.Update(Ctx, pm.ID, &stripe.PaymentMethodUpdateParams{Card: &stripe.PaymentMethodUpdateCardParams{ExpYear: stripe.Int64(int64(emu.Clock().Now().Year() - 1))}})
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeInvalidExpiryYear))
			got, err := sc.V1PaymentMethods.Retrieve(Ctx, pm.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Card.ExpMonth).To(Equal(pm.Card.ExpMonth))
			Expect(got.Card.ExpYear).To(Equal(pm.Card.ExpYear))

			_, err = sc.V1PaymentMethods.Update(Ctx, pm.ID, &stripe.PaymentMethodUpdateParams{Card: &stripe.PaymentMethodUpdateCardParams{ExpMonth: stripe.Int64(1)}})
			Expect(err).NotTo(HaveOccurred())
			var updated []emulator.Object
			for _, ev := range emu.Events("") {
				if ev["type"] == "payment_method.updated" {
					updated = append(updated, ev)
				}
			}
			Expect(updated).To(HaveLen(1), "the refused updates sent none")
			Expect(updated[0]["data"].(map[string]any)["previous_attributes"]).To(Equal(map[string]any{"card": map[string]any{"exp_month": float64(pm.Card.ExpMonth)}}))
		})

		// A PaymentMethod always has an allow_redisplay (Stripe's spec
		// makes it neither nullable nor emptiable; it defaults to
		// "unspecified"), so "" is refused as a parameter that cannot be
		// unset, wherever a PaymentMethod is described.
		It("refuses emptying allow_redisplay, creating and changing nothing", func() {
			pm, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_visa", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1PaymentMethods.Update(Ctx, pm.ID, &stripe.PaymentMethodUpdateParams{AllowRedisplay: stripe.String("always")})
			Expect(err).NotTo(HaveOccurred())
			before := emu.Count("", "payment_method")
			for _, req := range [][3]string{
				{"/v1/payment_methods/" + pm.ID, "allow_redisplay=", "allow_redisplay"},
				{"/v1/payment_methods", "type=card&card[token]=tok_visa&allow_redisplay=", "allow_redisplay"},
				{"/v1/payment_intents", "amount=500&currency=usd&payment_method_data[type]=card&payment_method_data[card][token]=tok_visa&payment_method_data[allow_redisplay]=",
					"payment_method_data[allow_redisplay]"},
			} {
				r := Do(emu.URL(), "POST", req[0], req[1])
				Expect(r.Status).To(Equal(400), req[0])
				Expect(r.Error()["code"]).To(Equal("parameter_invalid_empty"), req[0])
				Expect(r.Error()["param"]).To(Equal(req[2]))
				Expect(r.Error()["message"]).To(ContainSubstring("'" + req[2] + "' cannot be unset"))
			}
			Expect(emu.Count("", "payment_method")).To(Equal(before))
			Expect(emu.Count("", "payment_intent")).To(BeZero())
			got, err := sc.V1PaymentMethods.Retrieve(Ctx, pm.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.AllowRedisplay).To(Equal(stripe.PaymentMethodAllowRedisplayAlways))
		})

		// Stripe's update takes a bank account's holder and account types
		// (its API reference's us_bank_account hash); nothing else of the
		// account changes, and "" cannot unset either.
		It("updates a saved bank account's holder and account types", func() {
			pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("us_bank_account"),
				USBankAccount: &stripe.PaymentMethodCreateUSBankAccountParams{RoutingNumber: stripe.String("110000000"), AccountNumber: stripe.String("000123456789"),
					AccountHolderType: stripe.String("individual")},
				BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny Rosen")}})
			Expect(err).NotTo(HaveOccurred())
			pm, err = sc.V1PaymentMethods.Attach(Ctx, pm.ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())

			got, err := sc.V1PaymentMethods.Update(Ctx, pm.ID, &stripe.PaymentMethodUpdateParams{USBankAccount: &stripe.PaymentMethodUpdateUSBankAccountParams{
				AccountHolderType: stripe.String("company"), AccountType: stripe.String("savings")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.USBankAccount.AccountHolderType).To(Equal(stripe.PaymentMethodUSBankAccountAccountHolderTypeCompany))
			Expect(got.USBankAccount.AccountType).To(Equal(stripe.PaymentMethodUSBankAccountAccountTypeSavings))
			Expect(got.USBankAccount.Last4).To(Equal(pm.USBankAccount.Last4))
			Expect(got.USBankAccount.RoutingNumber).To(Equal(pm.USBankAccount.RoutingNumber))

			r := Do(emu.URL(), "POST", "/v1/payment_methods/"+pm.ID, "us_bank_account[account_type]=")
			Expect(r.Status).To(Equal(400))
			Expect(r.Error()["param"]).To(Equal("us_bank_account[account_type]"))
			card, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_visa", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1PaymentMethods.Update(Ctx, card.ID, &stripe.PaymentMethodUpdateParams{USBankAccount: &stripe.PaymentMethodUpdateUSBankAccountParams{AccountType: stripe.String("savings")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "us_bank_account")

			var updated []emulator.Object
			for _, ev := range emu.Events("") {
				if ev["type"] == "payment_method.updated" {
					updated = append(updated, ev)
				}
			}
			Expect(updated).To(HaveLen(1), "the refused updates sent none")
			Expect(updated[0]["data"].(map[string]any)["previous_attributes"]).To(Equal(map[string]any{
				"us_bank_account": map[string]any{"account_holder_type": "individual", "account_type": "checking"}}))
		})

		It("refuses a bad card number with a card_error", func() {
			_, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
				Type: stripe.String("card"),
				Card: &stripe.PaymentMethodCreateCardParams{Number: stripe.String("4242424242424241"), ExpMonth: stripe.Int64(4), ExpYear: stripe.Int64(2030)},
			})
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(402))
			Expect(se.Code).To(Equal(stripe.ErrorCodeIncorrectNumber))
		})

		It("attaches, lists by customer, sets the default and detaches", func() {
			pm, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_visa", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(pm.Customer.ID).To(Equal(cus.ID))
			Expect(emu.EventTypes("")).To(ContainElement("payment_method.attached"))

			_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{InvoiceSettings: &stripe.CustomerUpdateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String(pm.ID)}})
			Expect(err).NotTo(HaveOccurred())

			var ids []string
			for m, err := range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID), Type: stripe.String("card")}) {
				Expect(err).NotTo(HaveOccurred())
				ids = append(ids, m.ID)
			}
			Expect(ids).To(Equal([]string{pm.ID}))

			_, err = sc.V1PaymentMethods.Detach(Ctx, pm.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			after, _ := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
			Expect(after.InvoiceSettings.DefaultPaymentMethod).To(BeNil(), "a detached method stops being the default")
		})

		It("lists a customer's PaymentMethods by allow_redisplay, as Checkout and Elements ask for the ones they may show again", func() {
			_, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_visa", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			shown, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"),
				Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String("tok_mastercard")}, AllowRedisplay: stripe.String("always")})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1PaymentMethods.Attach(Ctx, shown.ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			list := func(redisplay string) []string {
				var ids []string
				for m, err := range sc.V1Customers.ListPaymentMethods(Ctx, &stripe.CustomerListPaymentMethodsParams{Customer: stripe.String(cus.ID), AllowRedisplay: stripe.String(redisplay)}) {
					Expect(err).NotTo(HaveOccurred())
					ids = append(ids, m.ID)
				}
				return ids
			}
			Expect(list("always")).To(Equal([]string{shown.ID}))
			Expect(list("unspecified")).To(HaveLen(1))
			Expect(list("unspecified")).NotTo(ContainElement(shown.ID))
			Expect(list("limited")).To(BeEmpty())
			for _, err := range sc.V1Customers.ListPaymentMethods(Ctx, &stripe.CustomerListPaymentMethodsParams{Customer: stripe.String(cus.ID), AllowRedisplay: stripe.String("never")}) {
				Expect(StripeErr(err).Param).To(Equal("allow_redisplay"))
			}
		})

		It("refuses a default payment method that isn't the customer's", func() {
			pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"), Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String("tok_visa")}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{InvoiceSettings: &stripe.CustomerUpdateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String(pm.ID)}})
			Expect(StripeErr(err).Param).To(Equal("invoice_settings[default_payment_method]"))
		})

		It("creates a customer with a magic payment method as its invoice default, as Stripe's quickstarts do", func() {
			c, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{
				PaymentMethod:   stripe.String("pm_card_visa"),
				InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String("pm_card_visa")},
			})
			Expect(err).NotTo(HaveOccurred())
			def := c.InvoiceSettings.DefaultPaymentMethod.ID
			Expect(def).To(HavePrefix("pm_"))
			Expect(def).NotTo(Equal("pm_card_visa"))
			pm, err := sc.V1PaymentMethods.Retrieve(Ctx, def, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pm.Customer.ID).To(Equal(c.ID))
			Expect(emu.EventTypes("")).To(ContainElements("customer.created", "payment_method.attached"))

			// A default that is neither attached nor the one being attached
			// is still refused, and no customer is left behind.
			before := emu.Count("", "customer")
			_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{
				PaymentMethod:   stripe.String("pm_card_visa"),
				InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String("pm_card_mastercard")},
			})
			Expect(StripeErr(err).Param).To(Equal("invoice_settings[default_payment_method]"))
			Expect(emu.Count("", "customer")).To(Equal(before))
		})

		It("won't attach a card that declines, but attaches one that fails only when charged", func() {
			_, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_chargeDeclined", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(402))
			Expect(se.Code).To(Equal(stripe.ErrorCodeCardDeclined))
			_, err = sc.V1PaymentMethods.Attach(Ctx, "pm_card_chargeCustomerFail", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
		})
	})

	Describe("refunds", func() {
		var pi *stripe.PaymentIntent
		BeforeEach(func() {
			var err error
			pi, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
				Amount: stripe.Int64(10000), Currency: stripe.String("usd"), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			})
			Expect(err).NotTo(HaveOccurred())
		})

		It("refunds in parts, then in full, and refuses more", func() {
			re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(3000)})
			Expect(err).NotTo(HaveOccurred())
			Expect(re.Status).To(Equal(stripe.RefundStatusSucceeded))
			Expect(re.Charge.ID).To(Equal(pi.LatestCharge.ID))
			Expect(re.DestinationDetails.Type).To(Equal("card"), "a card refund says where the money goes")
			Expect(re.DestinationDetails.Card.Type).To(Equal(stripe.RefundDestinationDetailsCardTypeRefund))
			ch, _ := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
			Expect(ch.AmountRefunded).To(Equal(int64(3000)))
			Expect(ch.Refunded).To(BeFalse())

			_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(ch.ID), Amount: stripe.Int64(8000)})
			se := StripeErr(err)
			Expect(se.Msg).To(Equal("Refund amount ($80.00) is greater than unrefunded amount on charge ($70.00)"))
			Expect(se.Param).To(Equal("amount"))

			_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(ch.ID)})
			Expect(err).NotTo(HaveOccurred())
			ch, _ = sc.V1Charges.Retrieve(Ctx, ch.ID, nil)
			Expect(ch.AmountRefunded).To(Equal(int64(10000)))
			Expect(ch.Refunded).To(BeTrue())

			_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(ch.ID)})
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeChargeAlreadyRefunded))

			n := 0
			for _, err := range sc.V1Refunds.List(Ctx, &stripe.RefundListParams{Charge: stripe.String(ch.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				n++
			}
			Expect(n).To(Equal(2))
			Expect(emu.EventTypes("")).To(ContainElements("refund.created", "charge.refunded"))

			p := &stripe.ChargeRetrieveParams{}
			p.AddExpand("refunds")
			withRefunds, err := sc.V1Charges.Retrieve(Ctx, ch.ID, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(withRefunds.Refunds.Data).To(HaveLen(2))
		})
	})

	Describe("SetupIntents", func() {
		It("saves a card that needs authentication on setup, then pays off-session without it", func() {
			si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
				Customer: stripe.String(cus.ID), PaymentMethod: stripe.String("pm_card_authenticationRequiredOnSetup"), Confirm: stripe.Bool(true),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresAction))

			status, body, err := emu.Call("POST", "/v1/test_helpers/setup_intents/"+si.ID+"/authenticate", url.Values{}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200))
			Expect(body["status"]).To(Equal("succeeded"))
			pmID := body["payment_method"].(string)

			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
				Amount: stripe.Int64(1500), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
				PaymentMethod: stripe.String(pmID), Confirm: stripe.Bool(true), OffSession: stripe.Bool(true),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(emu.EventTypes("")).To(ContainElements("setup_intent.created", "setup_intent.requires_action", "payment_method.attached", "setup_intent.succeeded"))
		})

		It("fails to set up a declining card", func() {
			_, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
				Customer: stripe.String(cus.ID), PaymentMethod: stripe.String("pm_card_chargeDeclined"), Confirm: stripe.Bool(true),
			})
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(402))
			Expect(se.SetupIntent).NotTo(BeNil())
			Expect(se.SetupIntent.Status).To(Equal(stripe.SetupIntentStatusRequiresPaymentMethod))
			Expect(emu.EventTypes("")).To(ContainElement("setup_intent.setup_failed"))
		})
	})
})
