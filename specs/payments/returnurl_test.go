package payments_test

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Since 2023-08-16 an intent without payment_method_types accepts the
// payment methods the Dashboard turns on, redirects allowed. Confirming it
// on the server then needs a return_url, even for a card that never
// redirects: the mistake an integration makes when it confirms with
// pm_card_visa alone, which Stripe refuses.
var _ = Describe("return_url at confirmation", Label("payments"), func() {
	const message = "A `return_url` must be specified because this %s is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents."
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	card := func(edit func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
		p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)}
		if edit != nil {
			edit(p)
		}
		return sc.V1PaymentIntents.Create(Ctx, p)
	}

	It("refuses to create and confirm a card payment on the Dashboard's methods without one, creating nothing", func() {
		_, err := card(nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal(fmt.Sprintf(message, "Payment Intent")))
		Expect(emu.Count("", "payment_intent")).To(BeZero())
		Expect(emu.Count("", "charge")).To(BeZero())
		Expect(emu.EventTypes("")).To(BeEmpty())
	})

	It("refuses /confirm without one, leaving the intent as it was", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.AutomaticPaymentMethods.Enabled).To(BeTrue())
		Expect(pi.AutomaticPaymentMethods.AllowRedirects).To(Equal(stripe.PaymentIntentAutomaticPaymentMethodsAllowRedirectsAlways))
		events := len(emu.EventTypes(""))

		_, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(StripeErr(err).Msg).To(Equal(fmt.Sprintf(message, "Payment Intent")))
		after, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(after.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(after.PaymentMethod).To(BeNil(), "the payment method of the refused confirmation is not kept")
		Expect(emu.EventTypes("")).To(HaveLen(events))

		after, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa"),
			ReturnURL: stripe.String("https://shop.example/return")})
		Expect(err).NotTo(HaveOccurred())
		Expect(after.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})

	DescribeTable("confirms a card without one when nothing can redirect, or with one",
		func(edit func(*stripe.PaymentIntentCreateParams)) {
			pi, err := card(edit)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		},
		Entry("a return_url", func(p *stripe.PaymentIntentCreateParams) { p.ReturnURL = stripe.String("https://shop.example/return") }),
		Entry("allow_redirects=never", func(p *stripe.PaymentIntentCreateParams) {
			p.AutomaticPaymentMethods = &stripe.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true), AllowRedirects: stripe.String("never")}
		}),
		Entry("payment_method_types", func(p *stripe.PaymentIntentCreateParams) { p.PaymentMethodTypes = stripe.StringSlice([]string{"card"}) }),
		Entry("off-session with a return_url", func(p *stripe.PaymentIntentCreateParams) {
			p.ReturnURL = stripe.String("https://shop.example/return")
			p.OffSession = stripe.Bool(true)
		}),
	)

	It("needs none when the payment method configuration offers no redirect-based method", func() {
		cfg, err := sc.V1PaymentMethodConfigurations.Create(Ctx, &stripe.PaymentMethodConfigurationCreateParams{
			Name:          stripe.String("cards only"),
			Klarna:        &stripe.PaymentMethodConfigurationCreateKlarnaParams{DisplayPreference: &stripe.PaymentMethodConfigurationCreateKlarnaDisplayPreferenceParams{Preference: stripe.String("off")}},
			USBankAccount: &stripe.PaymentMethodConfigurationCreateUSBankAccountParams{DisplayPreference: &stripe.PaymentMethodConfigurationCreateUSBankAccountDisplayPreferenceParams{Preference: stripe.String("off")}},
		})
		Expect(err).NotTo(HaveOccurred())
		pi, err := card(func(p *stripe.PaymentIntentCreateParams) { p.PaymentMethodConfiguration = stripe.String(cfg.ID) })
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.PaymentMethodTypes).NotTo(ContainElement("klarna"))
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})

	It("does not ask it of the payments Stripe confirms itself: a subscription's invoice", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{PaymentMethod: stripe.String("pm_card_visa"),
			InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String("pm_card_visa")}})
		Expect(err).NotTo(HaveOccurred())
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
			UnitAmount: stripe.Int64(900), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
	})

	It("refuses a SetupIntent's confirmation the same way, and takes one with a return_url", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
		Expect(StripeErr(err).Msg).To(Equal(fmt.Sprintf(message, "Setup Intent")))
		Expect(emu.Count("", "setup_intent")).To(BeZero())

		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SetupIntents.Confirm(Ctx, si.ID, &stripe.SetupIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(StripeErr(err).Msg).To(Equal(fmt.Sprintf(message, "Setup Intent")))
		si, err = sc.V1SetupIntents.Confirm(Ctx, si.ID, &stripe.SetupIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa"),
			ReturnURL: stripe.String("https://shop.example/return")})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
	})
	It("refuses a return_url without a scheme (url_invalid, as Stripe's URL check words it), taking an app's own scheme", func() {
		const noScheme = "Invalid URL: An explicit scheme (such as https) must be provided."
		_, err := card(func(p *stripe.PaymentIntentCreateParams) { p.ReturnURL = stripe.String("shop.example/return") })
		ExpectStripeError(err, 400, "invalid_request_error", "url_invalid", "return_url")
		Expect(StripeErr(err).Msg).To(Equal(noScheme))
		Expect(emu.Count("", "payment_intent")).To(BeZero())

		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("eur"),
			PaymentMethodTypes: []*string{stripe.String("ideal")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("localhost:3000/done"),
			PaymentMethodData: &stripe.PaymentIntentPaymentMethodDataParams{Type: stripe.String("ideal")}})
		ExpectStripeError(err, 400, "invalid_request_error", "url_invalid", "return_url")
		again, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))

		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethod: stripe.String("pm_card_visa"),
			Confirm: stripe.Bool(true), ReturnURL: stripe.String("shop.example")})
		ExpectStripeError(err, 400, "invalid_request_error", "url_invalid", "return_url")

		pi, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("myshopapp://stripe-redirect"),
			PaymentMethodData: &stripe.PaymentIntentPaymentMethodDataParams{Type: stripe.String("ideal")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.NextAction.RedirectToURL.ReturnURL).To(Equal("myshopapp://stripe-redirect"))
	})
})
