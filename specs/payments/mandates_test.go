package payments_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Mandates", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("payer@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})

	sepa := func() string {
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
			Type:           stripe.String("sepa_debit"),
			SEPADebit:      &stripe.PaymentMethodCreateSEPADebitParams{IBAN: stripe.String("DE89370400440532013000")},
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny"), Email: stripe.String("j@example.com")},
		})
		Expect(err).NotTo(HaveOccurred())
		return pm.ID
	}
	online := onlineAcceptance()

	It("makes a multi-use SEPA mandate for a payment saving the method, named on the charge", func() {
		pm := sepa()
		mark := len(emu.EventTypes(""))
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(pm), PaymentMethodTypes: []*string{stripe.String("sepa_debit")},
			SetupFutureUsage: stripe.String("off_session"), MandateData: online, Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		Expect(emu.EventTypes("")[mark:]).NotTo(ContainElement(HavePrefix("mandate.")), "Stripe has no mandate.created")

		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		id := ch.PaymentMethodDetails.SEPADebit.Mandate
		Expect(id).To(HavePrefix("mandate_"))

		m, err := sc.V1Mandates.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Object).To(Equal("mandate"))
		Expect(m.Status).To(Equal(stripe.MandateStatusActive))
		Expect(m.Type).To(Equal(stripe.MandateTypeMultiUse))
		Expect(m.MultiUse).NotTo(BeNil())
		Expect(m.SingleUse).To(BeNil())
		Expect(m.PaymentMethod.ID).To(Equal(pm))
		Expect(m.CustomerAcceptance.Type).To(Equal(stripe.MandateCustomerAcceptanceTypeOnline))
		Expect(m.CustomerAcceptance.Online.IPAddress).To(Equal("203.0.113.9"))
		Expect(m.CustomerAcceptance.Online.UserAgent).To(Equal("Mozilla/5.0"))
		Expect(m.CustomerAcceptance.AcceptedAt).To(BeNumerically(">", 0))
		Expect(m.PaymentMethodDetails.Type).To(Equal(stripe.MandatePaymentMethodDetailsTypeSEPADebit))
		Expect(m.PaymentMethodDetails.SEPADebit.Reference).NotTo(BeEmpty())
		Expect(m.PaymentMethodDetails.SEPADebit.URL).To(Equal(emu.URL() + "/mandates/" + id))
		page := Do(m.PaymentMethodDetails.SEPADebit.URL, "GET", "", "")
		Expect(page.Status).To(Equal(200))
		Expect(page.Text).To(ContainSubstring(`class="reference">` + m.PaymentMethodDetails.SEPADebit.Reference))
		Expect(page.Text).To(ContainSubstring("DE •••• 3000"))
		Expect(page.Text).To(ContainSubstring("Recurring"))

		expanded, err := sc.V1Mandates.Retrieve(Ctx, id, &stripe.MandateRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("payment_method")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(expanded.PaymentMethod.Type).To(Equal(stripe.PaymentMethodTypeSEPADebit))

		By("a later off-session payment debits under the same mandate")
		later, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(pm), PaymentMethodTypes: []*string{stripe.String("sepa_debit")},
			OffSession: stripe.Bool(true), Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		ch2, err := sc.V1Charges.Retrieve(Ctx, later.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch2.PaymentMethodDetails.SEPADebit.Mandate).To(Equal(id))
	})

	It("makes a single-use mandate for a one-off US bank account debit accepted offline", func() {
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
			Type: stripe.String("us_bank_account"),
			USBankAccount: &stripe.PaymentMethodCreateUSBankAccountParams{AccountHolderType: stripe.String("individual"),
				AccountNumber: stripe.String("000123456789"), RoutingNumber: stripe.String("110000000")},
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny")},
		})
		Expect(err).NotTo(HaveOccurred())
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(pm.ID), PaymentMethodTypes: []*string{stripe.String("us_bank_account")}, Confirm: stripe.Bool(true),
			MandateData: &stripe.PaymentIntentCreateMandateDataParams{CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{
				Type: stripe.String("offline"), AcceptedAt: stripe.Int64(1700000000), Offline: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceOfflineParams{},
			}},
		})
		Expect(err).NotTo(HaveOccurred())
		pi, err = sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, &stripe.PaymentIntentVerifyMicrodepositsParams{Amounts: []*int64{stripe.Int64(32), stripe.Int64(45)}})
		Expect(err).NotTo(HaveOccurred())
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, &stripe.ChargeRetrieveParams{})
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.PaymentMethodDetails.USBankAccount.Mandate).NotTo(BeNil())
		m, err := sc.V1Mandates.Retrieve(Ctx, ch.PaymentMethodDetails.USBankAccount.Mandate.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Type).To(Equal(stripe.MandateTypeSingleUse))
		Expect(m.SingleUse.Amount).To(Equal(int64(5000)))
		Expect(m.SingleUse.Currency).To(Equal(stripe.CurrencyUSD))
		Expect(m.MultiUse).To(BeNil())
		Expect(m.CustomerAcceptance.Type).To(Equal(stripe.MandateCustomerAcceptanceTypeOffline))
		Expect(m.CustomerAcceptance.Offline).NotTo(BeNil())
		Expect(m.CustomerAcceptance.Online).To(BeNil())
		Expect(m.CustomerAcceptance.AcceptedAt).To(Equal(int64(1700000000)))
		Expect(m.PaymentMethodDetails.Type).To(Equal(stripe.MandatePaymentMethodDetailsTypeUSBankAccount))
		Expect(m.PaymentMethodDetails.USBankAccount).NotTo(BeNil())
	})

	It("links a SetupIntent's mandate, and ends it when the method is detached", func() {
		pm := sepa()
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm), PaymentMethodTypes: []*string{stripe.String("sepa_debit")},
			Confirm: stripe.Bool(true),
			MandateData: &stripe.SetupIntentCreateMandateDataParams{CustomerAcceptance: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceParams{
				Type:   stripe.String("online"),
				Online: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceOnlineParams{IPAddress: stripe.String("203.0.113.9"), UserAgent: stripe.String("Mozilla/5.0")},
			}},
			Params: stripe.Params{Expand: []*string{stripe.String("mandate")}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
		Expect(si.Mandate).NotTo(BeNil())
		Expect(si.Mandate.Type).To(Equal(stripe.MandateTypeMultiUse))
		Expect(si.Mandate.Status).To(Equal(stripe.MandateStatusActive))
		Expect(si.SingleUseMandate).To(BeNil())

		mark := len(emu.EventTypes(""))
		_, err = sc.V1PaymentMethods.Detach(Ctx, pm, nil)
		Expect(err).NotTo(HaveOccurred())
		m, err := sc.V1Mandates.Retrieve(Ctx, si.Mandate.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Status).To(Equal(stripe.MandateStatusInactive))
		Expect(emu.EventTypes("")[mark:]).To(Equal([]string{"payment_method.detached", "mandate.updated"}))
		evs := emu.Events("")
		last := evs[len(evs)-1]["data"].(map[string]any)
		Expect(last["previous_attributes"]).To(Equal(map[string]any{"status": "active"}))
	})

	It("refuses a SEPA setup without mandate_data, keeping nothing", func() {
		pm := sepa()
		mark := len(emu.EventTypes(""))
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(pm), PaymentMethodTypes: []*string{stripe.String("sepa_debit")},
			SetupFutureUsage: stripe.String("off_session"), Confirm: stripe.Bool(true),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "mandate_data")
		// As a recorded integration quotes Stripe, naming the value.
		Expect(StripeErr(err).Msg).To(Equal("When confirming a PaymentIntent with a `sepa_debit` PaymentMethod and `setup_future_usage` value of off_session, `mandate_data` is required."))

		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm), PaymentMethodTypes: []*string{stripe.String("sepa_debit")},
			Confirm: stripe.Bool(true),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "mandate_data")
		Expect(emu.EventTypes("")[mark:]).To(BeEmpty())
		n := 0
		for _, err := range sc.V1PaymentIntents.List(Ctx, &stripe.PaymentIntentListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		Expect(n).To(BeZero())
		got, err := sc.V1PaymentMethods.Retrieve(Ctx, pm, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Customer).To(BeNil(), "not attached")
	})

	It("refuses a debit confirmed through the API without mandate_data when the method has no mandate yet, as Stripe words it", func() {
		const noMandate = "This PaymentIntent requires a mandate, but no existing mandate was found. Collect mandate acceptance from the customer and try again, providing acceptance data in the mandate_data parameter."
		pm := sepa()
		mark := len(emu.EventTypes(""))
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(pm), PaymentMethodTypes: []*string{stripe.String("sepa_debit")}, Confirm: stripe.Bool(true),
		})
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
		Expect(StripeErr(err).Msg).To(Equal(noMandate))
		Expect(emu.EventTypes("")[mark:]).To(BeEmpty(), "nothing is kept")

		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
			PaymentMethodTypes: []*string{stripe.String("us_bank_account")}, PaymentMethod: stripe.String("pm_usBankAccount_success"),
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, nil)
		Expect(StripeErr(err).Msg).To(Equal(noMandate))
		again, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Status).To(Equal(stripe.PaymentIntentStatusRequiresConfirmation))

		// Once a setup gave the method a multi-use mandate, later debits need none.
		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm), PaymentMethodTypes: []*string{stripe.String("sepa_debit")},
			Confirm: stripe.Bool(true), MandateData: &stripe.SetupIntentCreateMandateDataParams{CustomerAcceptance: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceParams{
				Type: stripe.String("offline")}},
		})
		Expect(err).NotTo(HaveOccurred())
		later, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(pm), PaymentMethodTypes: []*string{stripe.String("sepa_debit")}, Confirm: stripe.Bool(true),
			OffSession: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(later.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
	})

	It("starts a SEPA mandate's reference with the intent's mandate_options[reference_prefix]", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(sepa()), PaymentMethodTypes: []*string{stripe.String("sepa_debit")}, Confirm: stripe.Bool(true),
			MandateData: online,
			PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{SEPADebit: &stripe.PaymentIntentCreatePaymentMethodOptionsSEPADebitParams{
				MandateOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsSEPADebitMandateOptionsParams{ReferencePrefix: stripe.String("SHOP-42/")}}},
			Params: stripe.Params{Expand: []*string{stripe.String("latest_charge")}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.PaymentMethodOptions.SEPADebit.MandateOptions.ReferencePrefix).To(Equal("SHOP-42/"))
		m, err := sc.V1Mandates.Retrieve(Ctx, pi.LatestCharge.PaymentMethodDetails.SEPADebit.Mandate, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.PaymentMethodDetails.SEPADebit.Reference).To(HavePrefix("SHOP-42/"))
		Expect(len(m.PaymentMethodDetails.SEPADebit.Reference)).To(BeNumerically("<=", 35), "SEPA's longest mandate reference")

		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(sepa()), PaymentMethodTypes: []*string{stripe.String("sepa_debit")},
			Confirm: stripe.Bool(true), MandateData: &stripe.SetupIntentCreateMandateDataParams{CustomerAcceptance: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceParams{
				Type: stripe.String("offline")}},
			PaymentMethodOptions: &stripe.SetupIntentCreatePaymentMethodOptionsParams{SEPADebit: &stripe.SetupIntentCreatePaymentMethodOptionsSEPADebitParams{
				MandateOptions: &stripe.SetupIntentCreatePaymentMethodOptionsSEPADebitMandateOptionsParams{ReferencePrefix: stripe.String("ACME")}}},
			Params: stripe.Params{Expand: []*string{stripe.String("mandate")}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Mandate.PaymentMethodDetails.SEPADebit.Reference).To(HavePrefix("ACME"))
	})

	It("refuses incomplete customer acceptance and answers 404 for an unknown mandate", func() {
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(sepa()), PaymentMethodTypes: []*string{stripe.String("sepa_debit")}, Confirm: stripe.Bool(true),
			MandateData: &stripe.PaymentIntentCreateMandateDataParams{CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{Type: stripe.String("online")}},
		})
		Expect(StripeErr(err).Param).To(Equal("mandate_data[customer_acceptance][online]"))
		_, err = sc.V1Mandates.Retrieve(Ctx, "mandate_nope", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})
	It("attaches a debit saved with setup_future_usage to the customer once the payment is processing, as Stripe.js's reference says, not only once it settles", func() {
		pm := sepa()
		mark := len(emu.EventTypes(""))
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(pm), PaymentMethodTypes: []*string{stripe.String("sepa_debit")},
			SetupFutureUsage: stripe.String("off_session"), MandateData: online, Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		got, err := sc.V1PaymentMethods.Retrieve(Ctx, pm, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Customer).NotTo(BeNil())
		Expect(got.Customer.ID).To(Equal(cus.ID))
		Expect(emu.EventTypes("")[mark:]).To(ContainElement("payment_method.attached"))

		// Settling attaches nothing again.
		mark = len(emu.EventTypes(""))
		emu.Clock().Advance(10 * time.Minute)
		done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(emu.EventTypes("")[mark:]).NotTo(ContainElement("payment_method.attached"))
	})

})
