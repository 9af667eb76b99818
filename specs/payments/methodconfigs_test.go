package payments_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Payment method configurations", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	defaultConfig := func() *stripe.PaymentMethodConfiguration {
		var found *stripe.PaymentMethodConfiguration
		for cfg, err := range sc.V1PaymentMethodConfigurations.List(Ctx, nil) {
			Expect(err).NotTo(HaveOccurred())
			if cfg.IsDefault {
				found = cfg
			}
		}
		Expect(found).NotTo(BeNil())
		return found
	}
	intent := func(currency string, extra func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
		p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String(currency)}
		if extra != nil {
			extra(p)
		}
		return sc.V1PaymentIntents.Create(Ctx, p)
	}
	sepa := func() string {
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
			Type:           stripe.String("sepa_debit"),
			SEPADebit:      &stripe.PaymentMethodCreateSEPADebitParams{IBAN: stripe.String("DE89370400440532013000")},
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny"), Email: stripe.String("j@example.com")},
		})
		Expect(err).NotTo(HaveOccurred())
		return pm.ID
	}
	turnOff := func(types ...string) *stripe.PaymentMethodConfigurationCreateParams {
		p := &stripe.PaymentMethodConfigurationCreateParams{Name: stripe.String("No " + types[0])}
		off := func() *string { return stripe.String("off") }
		for _, t := range types {
			switch t {
			case "klarna":
				p.Klarna = &stripe.PaymentMethodConfigurationCreateKlarnaParams{DisplayPreference: &stripe.PaymentMethodConfigurationCreateKlarnaDisplayPreferenceParams{Preference: off()}}
			case "ideal":
				p.IDEAL = &stripe.PaymentMethodConfigurationCreateIDEALParams{DisplayPreference: &stripe.PaymentMethodConfigurationCreateIDEALDisplayPreferenceParams{Preference: off()}}
			case "sepa_debit":
				p.SEPADebit = &stripe.PaymentMethodConfigurationCreateSEPADebitParams{DisplayPreference: &stripe.PaymentMethodConfigurationCreateSEPADebitDisplayPreferenceParams{Preference: off()}}
			case "card":
				p.Card = &stripe.PaymentMethodConfigurationCreateCardParams{DisplayPreference: &stripe.PaymentMethodConfigurationCreateCardDisplayPreferenceParams{Preference: off()}}
			}
		}
		return p
	}

	It("gives every account its default configuration from the start: cards and the common local methods on", func() {
		cfg := defaultConfig()
		Expect(cfg.ID).To(HavePrefix("pmc_"))
		Expect(cfg.Name).To(Equal("Default"))
		Expect(cfg.Active).To(BeTrue())
		Expect(cfg.Parent).To(BeEmpty())
		Expect(cfg.Card.Available).To(BeTrue())
		Expect(cfg.Card.DisplayPreference.Value).To(Equal(stripe.PaymentMethodConfigurationCardDisplayPreferenceValueOn))
		Expect(cfg.Klarna.DisplayPreference.Preference).To(Equal(stripe.PaymentMethodConfigurationKlarnaDisplayPreferencePreferenceOn))
		Expect(cfg.SEPADebit.Available).To(BeTrue())
		Expect(cfg.SEPADebit.DisplayPreference.Value).To(Equal(stripe.PaymentMethodConfigurationSEPADebitDisplayPreferenceValueOn))
		Expect(cfg.USBankAccount.DisplayPreference.Value).To(Equal(stripe.PaymentMethodConfigurationUSBankAccountDisplayPreferenceValueOn))
		Expect(cfg.Paypal.DisplayPreference.Value).To(Equal(stripe.PaymentMethodConfigurationPaypalDisplayPreferenceValueOff))

		got, err := sc.V1PaymentMethodConfigurations.Retrieve(Ctx, cfg.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.IsDefault).To(BeTrue())

		By("each connected account has its own")
		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express")})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.PaymentMethodConfigurationListParams{}
		p.SetStripeAccount(acct.ID)
		n := 0
		for other, err := range sc.V1PaymentMethodConfigurations.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			Expect(other.IsDefault).To(BeTrue())
			Expect(other.ID).NotTo(Equal(cfg.ID))
			n++
		}
		Expect(n).To(Equal(1))
		_, err = sc.V1PaymentMethodConfigurations.Retrieve(Ctx, cfg.ID, &stripe.PaymentMethodConfigurationRetrieveParams{Params: stripe.Params{StripeAccount: stripe.String(acct.ID)}})
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})

	It("creates, updates and lists configurations, the default one last", func() {
		cfg, err := sc.V1PaymentMethodConfigurations.Create(Ctx, turnOff("klarna"))
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.IsDefault).To(BeFalse())
		Expect(cfg.Klarna.DisplayPreference.Preference).To(Equal(stripe.PaymentMethodConfigurationKlarnaDisplayPreferencePreferenceOff))
		Expect(cfg.Klarna.Available).To(BeFalse())
		Expect(cfg.Card.DisplayPreference.Preference).To(Equal(stripe.PaymentMethodConfigurationCardDisplayPreferencePreferenceNone), "no preference of its own")
		Expect(cfg.Card.DisplayPreference.Value).To(Equal(stripe.PaymentMethodConfigurationCardDisplayPreferenceValueOn), "Stripe's default")

		upd, err := sc.V1PaymentMethodConfigurations.Update(Ctx, cfg.ID, &stripe.PaymentMethodConfigurationUpdateParams{
			Name:      stripe.String("Subscriptions"),
			SEPADebit: &stripe.PaymentMethodConfigurationUpdateSEPADebitParams{DisplayPreference: &stripe.PaymentMethodConfigurationUpdateSEPADebitDisplayPreferenceParams{Preference: stripe.String("on")}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(upd.Name).To(Equal("Subscriptions"))
		Expect(upd.SEPADebit.Available).To(BeTrue())

		second, err := sc.V1PaymentMethodConfigurations.Create(Ctx, &stripe.PaymentMethodConfigurationCreateParams{Name: stripe.String("Second")})
		Expect(err).NotTo(HaveOccurred())
		var ids []string
		for o, err := range sc.V1PaymentMethodConfigurations.List(Ctx, &stripe.PaymentMethodConfigurationListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(1)}}) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, o.ID)
		}
		dflt := defaultConfig().ID
		Expect(ids).To(Equal([]string{second.ID, cfg.ID, dflt}), "paged one by one, newest first")
		var newer []string
		for o, err := range sc.V1PaymentMethodConfigurations.List(Ctx, &stripe.PaymentMethodConfigurationListParams{
			ListParams: stripe.ListParams{EndingBefore: stripe.String(dflt), Limit: stripe.Int64(1)}}) {
			Expect(err).NotTo(HaveOccurred())
			newer = append(newer, o.ID)
		}
		Expect(newer).To(Equal([]string{cfg.ID, second.ID}), "paged backwards from the default")
		var none []string
		for o, err := range sc.V1PaymentMethodConfigurations.List(Ctx, &stripe.PaymentMethodConfigurationListParams{ListParams: stripe.ListParams{StartingAfter: stripe.String(dflt)}}) {
			Expect(err).NotTo(HaveOccurred())
			none = append(none, o.ID)
		}
		Expect(none).To(BeEmpty(), "nothing is older than the default")

		By("changing the default configuration keeps its id")
		changed, err := sc.V1PaymentMethodConfigurations.Update(Ctx, dflt, &stripe.PaymentMethodConfigurationUpdateParams{
			Paypal: &stripe.PaymentMethodConfigurationUpdatePaypalParams{DisplayPreference: &stripe.PaymentMethodConfigurationUpdatePaypalDisplayPreferenceParams{Preference: stripe.String("on")}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(changed.ID).To(Equal(dflt))
		Expect(changed.Paypal.Available).To(BeTrue())
		Expect(defaultConfig().Paypal.Available).To(BeTrue())
		ids = nil
		for o, err := range sc.V1PaymentMethodConfigurations.List(Ctx, nil) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, o.ID)
		}
		Expect(ids).To(Equal([]string{second.ID, cfg.ID, dflt}))
	})

	It("refuses what it cannot do, changing nothing", func() {
		_, err := sc.V1PaymentMethodConfigurations.Create(Ctx, &stripe.PaymentMethodConfigurationCreateParams{Parent: stripe.String("pmc_parent")})
		Expect(StripeErr(err).Param).To(Equal("parent"))
		_, err = sc.V1PaymentMethodConfigurations.Create(Ctx, &stripe.PaymentMethodConfigurationCreateParams{
			Link: &stripe.PaymentMethodConfigurationCreateLinkParams{DisplayPreference: &stripe.PaymentMethodConfigurationCreateLinkDisplayPreferenceParams{Preference: stripe.String("on")}},
		})
		Expect(StripeErr(err).Param).To(Equal("link"), "a method the emulator does not have")
		_, err = sc.V1PaymentMethodConfigurations.Update(Ctx, defaultConfig().ID, &stripe.PaymentMethodConfigurationUpdateParams{Active: stripe.Bool(false)})
		Expect(StripeErr(err).Param).To(Equal("active"))
		_, err = sc.V1PaymentMethodConfigurations.Retrieve(Ctx, "pmc_missing", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(emu.Count("", "payment_method_configuration")).To(BeZero())
	})

	Describe("PaymentIntents with automatic payment methods", func() {
		It("take their types from the default configuration, filtered by currency", func() {
			pi, err := intent("usd", nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.PaymentMethodTypes).To(Equal([]string{"card", "klarna", "us_bank_account"}))
			Expect(pi.PaymentMethodConfigurationDetails.ID).To(Equal(defaultConfig().ID))
			Expect(pi.PaymentMethodConfigurationDetails.Parent).To(BeEmpty())

			eur, err := intent("eur", nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(eur.PaymentMethodTypes).To(Equal([]string{"card", "bancontact", "eps", "ideal", "klarna", "sepa_debit"}))

			manual, err := intent("eur", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
			Expect(err).NotTo(HaveOccurred())
			Expect(manual.PaymentMethodTypes).To(Equal([]string{"card", "klarna"}), "only methods that can hold funds")

			excluding, err := intent("eur", func(p *stripe.PaymentIntentCreateParams) {
				p.ExcludedPaymentMethodTypes = []*string{stripe.String("eps"), stripe.String("klarna")}
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(excluding.PaymentMethodTypes).To(Equal([]string{"card", "bancontact", "ideal", "sepa_debit"}), "excluded_payment_method_types")

			By("moving to another currency takes the types again")
			moved, err := sc.V1PaymentIntents.Update(Ctx, eur.ID, &stripe.PaymentIntentUpdateParams{Currency: stripe.String("jpy")})
			Expect(err).NotTo(HaveOccurred())
			Expect(moved.PaymentMethodTypes).To(Equal([]string{"card"}))
		})

		It("follow the configuration they name, and explicit types keep working without one", func() {
			cfg, err := sc.V1PaymentMethodConfigurations.Create(Ctx, turnOff("klarna", "ideal"))
			Expect(err).NotTo(HaveOccurred())
			pi, err := intent("eur", func(p *stripe.PaymentIntentCreateParams) { p.PaymentMethodConfiguration = stripe.String(cfg.ID) })
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.PaymentMethodTypes).To(Equal([]string{"card", "bancontact", "eps", "sepa_debit"}))
			Expect(pi.PaymentMethodConfigurationDetails.ID).To(Equal(cfg.ID))

			explicit, err := intent("eur", func(p *stripe.PaymentIntentCreateParams) {
				p.PaymentMethodTypes = []*string{stripe.String("sepa_debit")}
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(explicit.PaymentMethodTypes).To(Equal([]string{"sepa_debit"}))
			Expect(explicit.PaymentMethodConfigurationDetails).To(BeNil())
			Expect(explicit.AutomaticPaymentMethods).To(BeNil())

			By("confirming with explicit types leaves the configuration")
			confirmed, err := sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{
				PaymentMethodTypes: []*string{stripe.String("card")}, PaymentMethod: stripe.String("pm_card_visa")})
			Expect(err).NotTo(HaveOccurred())
			Expect(confirmed.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(confirmed.PaymentMethodConfigurationDetails).To(BeNil())

			pi, err = intent("eur", func(p *stripe.PaymentIntentCreateParams) { p.PaymentMethodConfiguration = stripe.String(cfg.ID) })
			Expect(err).NotTo(HaveOccurred())
			By("an update naming another configuration takes its types")
			back, err := sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{PaymentMethodConfiguration: stripe.String(defaultConfig().ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(back.PaymentMethodTypes).To(ContainElement("klarna"))
		})

		It("refuse to confirm with a type the configuration turned off", func() {
			cfg, err := sc.V1PaymentMethodConfigurations.Create(Ctx, turnOff("ideal"))
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(""))
			_, err = intent("eur", func(p *stripe.PaymentIntentCreateParams) {
				p.PaymentMethodConfiguration = stripe.String(cfg.ID)
				p.PaymentMethodData = &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("ideal")}
				p.Confirm = stripe.Bool(true)
				p.ReturnURL = stripe.String("https://shop.example/back")
			})
			se := StripeErr(err)
			Expect(se.Code).To(Equal(stripe.ErrorCodePaymentIntentIncompatiblePaymentMethod))
			Expect(se.Param).To(Equal("payment_method"))
			Expect(se.Msg).To(Equal(`The PaymentMethod provided (ideal) is not allowed for this PaymentIntent. Please attach a PaymentMethod of one of the following types: card, bancontact, eps, klarna, sepa_debit. Alternatively, update the allowed payment_method_types for this PaymentIntent to include "ideal"`))
			Expect(emu.EventTypes("")).To(HaveLen(mark), "nothing kept")

			By("SEPA Direct Debit is on by default, and off once a configuration turns it off")
			debited, err := intent("eur", func(p *stripe.PaymentIntentCreateParams) {
				p.PaymentMethod = stripe.String(sepa())
				p.Confirm = stripe.Bool(true)
				p.ReturnURL = stripe.String("https://example.com/return")
				p.MandateData = &stripe.PaymentIntentCreateMandateDataParams{CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{
					Type: stripe.String("offline"), Offline: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceOfflineParams{}}}
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(debited.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
			noDebits, err := sc.V1PaymentMethodConfigurations.Create(Ctx, turnOff("sepa_debit"))
			Expect(err).NotTo(HaveOccurred())
			_, err = intent("eur", func(p *stripe.PaymentIntentCreateParams) {
				p.PaymentMethodConfiguration = stripe.String(noDebits.ID)
				p.PaymentMethod = stripe.String(sepa())
				p.Confirm = stripe.Bool(true)
				p.ReturnURL = stripe.String("https://example.com/return")
			})
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodePaymentIntentIncompatiblePaymentMethod))

			By("a card still pays")
			pi, err := intent("eur", func(p *stripe.PaymentIntentCreateParams) {
				p.PaymentMethodConfiguration = stripe.String(cfg.ID)
				p.PaymentMethod = stripe.String("pm_card_visa")
				p.Confirm = stripe.Bool(true)
				p.ReturnURL = stripe.String("https://example.com/return")
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		})

		It("refuse a configuration that offers nothing, an unknown one, and one beside explicit types", func() {
			noCards, err := sc.V1PaymentMethodConfigurations.Create(Ctx, turnOff("card"))
			Expect(err).NotTo(HaveOccurred())
			_, err = intent("jpy", func(p *stripe.PaymentIntentCreateParams) { p.PaymentMethodConfiguration = stripe.String(noCards.ID) })
			Expect(StripeErr(err).Msg).To(HavePrefix("No valid payment method types for this Payment Intent."))

			_, err = intent("usd", func(p *stripe.PaymentIntentCreateParams) { p.PaymentMethodConfiguration = stripe.String("pmc_missing") })
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "payment_method_configuration")

			_, err = intent("usd", func(p *stripe.PaymentIntentCreateParams) {
				p.PaymentMethodConfiguration = stripe.String(noCards.ID)
				p.PaymentMethodTypes = []*string{stripe.String("card")}
			})
			Expect(StripeErr(err).Param).To(Equal("payment_method_configuration"))

			inactive, err := sc.V1PaymentMethodConfigurations.Update(Ctx, noCards.ID, &stripe.PaymentMethodConfigurationUpdateParams{Active: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			Expect(inactive.Active).To(BeFalse())
			_, err = intent("eur", func(p *stripe.PaymentIntentCreateParams) { p.PaymentMethodConfiguration = stripe.String(noCards.ID) })
			Expect(StripeErr(err).Msg).To(ContainSubstring("is inactive"))
			Expect(emu.Count("", "payment_intent")).To(BeZero())
		})
	})

	It("gives SetupIntents the types of their configuration that can be saved", func() {
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.AutomaticPaymentMethods.Enabled).To(BeTrue())
		Expect(si.PaymentMethodTypes).To(Equal([]string{"card", "bancontact", "ideal", "sepa_debit", "us_bank_account"}))
		Expect(si.PaymentMethodConfigurationDetails.ID).To(Equal(defaultConfig().ID))

		cfg, err := sc.V1PaymentMethodConfigurations.Create(Ctx, turnOff("sepa_debit"))
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			PaymentMethodConfiguration: stripe.String(cfg.ID), PaymentMethod: stripe.String(sepa()), Confirm: stripe.Bool(true),
			MandateData: &stripe.SetupIntentCreateMandateDataParams{CustomerAcceptance: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceParams{
				Type: stripe.String("offline"), Offline: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceOfflineParams{}}},
		})
		Expect(StripeErr(err).Msg).To(HavePrefix("The PaymentMethod provided (sepa_debit) is not allowed for this SetupIntent."))

		upd, err := sc.V1SetupIntents.Update(Ctx, si.ID, &stripe.SetupIntentUpdateParams{PaymentMethodConfiguration: stripe.String(cfg.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(upd.PaymentMethodTypes).To(Equal([]string{"card", "bancontact", "ideal", "us_bank_account"}))
		Expect(upd.PaymentMethodConfigurationDetails.ID).To(Equal(cfg.ID))

		explicit, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("card")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(explicit.AutomaticPaymentMethods).To(BeNil())
		Expect(explicit.PaymentMethodConfigurationDetails).To(BeNil())
	})

	Describe("Checkout", func() {
		item := func(currency string) []*stripe.CheckoutSessionCreateLineItemParams {
			return []*stripe.CheckoutSessionCreateLineItemParams{{Quantity: stripe.Int64(1), PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Currency: stripe.String(currency), UnitAmount: stripe.Int64(1500), ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Tea")}}}}
		}

		It("offers a session the types of the configuration it names, or of the default", func() {
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), LineItems: item("eur"),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(s.PaymentMethodTypes).To(Equal([]string{"card", "bancontact", "eps", "ideal", "klarna", "sepa_debit"}))
			Expect(s.PaymentMethodConfigurationDetails.ID).To(Equal(defaultConfig().ID))

			cfg, err := sc.V1PaymentMethodConfigurations.Create(Ctx, turnOff("klarna"))
			Expect(err).NotTo(HaveOccurred())
			s, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), LineItems: item("usd"),
				PaymentMethodConfiguration: stripe.String(cfg.ID),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(s.PaymentMethodTypes).To(Equal([]string{"card", "us_bank_account"}))
			Expect(s.PaymentMethodConfigurationDetails.ID).To(Equal(cfg.ID))

			setup, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("setup"), Currency: stripe.String("eur"), SuccessURL: stripe.String("https://shop.example/ok"),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(setup.PaymentMethodTypes).To(Equal([]string{"card", "bancontact", "ideal", "sepa_debit"}), "only what can be saved, in the currency")

			explicit, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), LineItems: item("eur"),
				PaymentMethodTypes: []*string{stripe.String("sepa_debit")},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(explicit.PaymentMethodTypes).To(Equal([]string{"sepa_debit"}))
			Expect(explicit.PaymentMethodConfigurationDetails).To(BeNil())

			_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), LineItems: item("eur"),
				PaymentMethodConfiguration: stripe.String("pmc_missing"),
			})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "payment_method_configuration")
		})

		It("opens a payment link's sessions with the default configuration", func() {
			price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(900),
				ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Mug")}})
			Expect(err).NotTo(HaveOccurred())
			link, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}}})
			Expect(err).NotTo(HaveOccurred())
			s, err := emu.OpenPaymentLink("", link.ID)
			Expect(err).NotTo(HaveOccurred())
			Expect(s["payment_method_types"]).To(Equal([]any{"card", "bancontact", "eps", "ideal", "klarna", "sepa_debit"}))
			Expect(s["payment_method_configuration_details"]).To(HaveKeyWithValue("id", defaultConfig().ID))
		})
	})
})
