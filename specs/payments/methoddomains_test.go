package payments_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Payment method domains", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	register := func(name string) (*stripe.PaymentMethodDomain, error) {
		return sc.V1PaymentMethodDomains.Create(Ctx, &stripe.PaymentMethodDomainCreateParams{DomainName: stripe.String(name)})
	}
	names := func(p *stripe.PaymentMethodDomainListParams) []string {
		var out []string
		for d, err := range sc.V1PaymentMethodDomains.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, d.DomainName)
		}
		return out
	}

	It("registers a domain, every payment method active on it in test mode, and turns it off and on", func() {
		d, err := register("shop.example.com")
		Expect(err).NotTo(HaveOccurred())
		Expect(d.ID).To(HavePrefix("pmd_"))
		Expect(d.DomainName).To(Equal("shop.example.com"))
		Expect(d.Enabled).To(BeTrue())
		Expect(d.ApplePay.Status).To(Equal(stripe.PaymentMethodDomainApplePayStatusActive))
		Expect(d.GooglePay.Status).To(Equal(stripe.PaymentMethodDomainGooglePayStatusActive))
		Expect(d.Link.Status).To(Equal(stripe.PaymentMethodDomainLinkStatusActive))
		Expect(d.Paypal.Status).To(Equal(stripe.PaymentMethodDomainPaypalStatusActive))
		Expect(d.ApplePay.StatusDetails).To(BeNil())

		off, err := sc.V1PaymentMethodDomains.Update(Ctx, d.ID, &stripe.PaymentMethodDomainUpdateParams{Enabled: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(off.Enabled).To(BeFalse())
		valid, err := sc.V1PaymentMethodDomains.Validate(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(valid.ApplePay.Status).To(Equal(stripe.PaymentMethodDomainApplePayStatusActive))
		Expect(valid.Enabled).To(BeFalse(), "validating does not turn a domain on")
		got, err := sc.V1PaymentMethodDomains.Retrieve(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Enabled).To(BeFalse())

		disabled, err := sc.V1PaymentMethodDomains.Create(Ctx, &stripe.PaymentMethodDomainCreateParams{
			DomainName: stripe.String("Staging.Example.com"), Enabled: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(disabled.DomainName).To(Equal("staging.example.com"))
		_, err = register("example.com")
		Expect(err).NotTo(HaveOccurred())

		Expect(names(nil)).To(Equal([]string{"example.com", "staging.example.com", "shop.example.com"}))
		Expect(names(&stripe.PaymentMethodDomainListParams{Enabled: stripe.Bool(true)})).To(Equal([]string{"example.com"}))
		Expect(names(&stripe.PaymentMethodDomainListParams{DomainName: stripe.String("shop.example.com")})).To(Equal([]string{"shop.example.com"}))
		Expect(names(&stripe.PaymentMethodDomainListParams{DomainName: stripe.String("shop.example.com"), Enabled: stripe.Bool(true)})).To(BeEmpty())
	})

	It("refuses a name that is not a domain and one already registered, keeping nothing", func() {
		_, err := register("example.com")
		Expect(err).NotTo(HaveOccurred())
		for _, bad := range []string{"https://shop.example.com", "shop.example.com/checkout", "localhost", "shop.example.com:8443", "-shop.example.com", "shop..example.com"} {
			_, err := register(bad)
			ExpectStripeError(err, 400, "invalid_request_error", "", "domain_name")
		}
		_, err = register("EXAMPLE.com")
		se := StripeErr(err)
		Expect(se.Param).To(Equal("domain_name"))
		Expect(se.Msg).To(ContainSubstring("already registered"))
		_, err = sc.V1PaymentMethodDomains.Create(Ctx, &stripe.PaymentMethodDomainCreateParams{})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "domain_name")
		Expect(emu.Count("", "payment_method_domain")).To(Equal(1))

		_, err = sc.V1PaymentMethodDomains.Retrieve(Ctx, "pmd_missing", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		_, err = sc.V1PaymentMethodDomains.Validate(Ctx, "pmd_missing", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})

	It("keeps each account's domains apart", func() {
		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express")})
		Expect(err).NotTo(HaveOccurred())
		_, err = register("example.com")
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.PaymentMethodDomainCreateParams{DomainName: stripe.String("example.com")}
		p.SetStripeAccount(acct.ID)
		theirs, err := sc.V1PaymentMethodDomains.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred(), "the same domain on a connected account")
		_, err = sc.V1PaymentMethodDomains.Retrieve(Ctx, theirs.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})

	It("keeps Stripe's older Apple Pay domains API: register, retrieve, list by name and delete", func() {
		d, err := sc.V1ApplePayDomains.Create(Ctx, &stripe.ApplePayDomainCreateParams{DomainName: stripe.String("Pay.Example.com")})
		Expect(err).NotTo(HaveOccurred())
		Expect(d.ID).To(HavePrefix("apwc_"))
		Expect(d.Object).To(Equal("apple_pay_domain"))
		Expect(d.DomainName).To(Equal("pay.example.com"))
		Expect(d.Created).NotTo(BeZero())
		_, err = sc.V1ApplePayDomains.Create(Ctx, &stripe.ApplePayDomainCreateParams{DomainName: stripe.String("pay.example.com")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "domain_name")
		_, err = sc.V1ApplePayDomains.Create(Ctx, &stripe.ApplePayDomainCreateParams{DomainName: stripe.String("https://pay.example.com/")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "domain_name")
		other, err := sc.V1ApplePayDomains.Create(Ctx, &stripe.ApplePayDomainCreateParams{DomainName: stripe.String("example.org")})
		Expect(err).NotTo(HaveOccurred())

		got, err := sc.V1ApplePayDomains.Retrieve(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.DomainName).To(Equal("pay.example.com"))
		list := func(p *stripe.ApplePayDomainListParams) []string {
			var out []string
			for d, err := range sc.V1ApplePayDomains.List(Ctx, p) {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, d.ID)
			}
			return out
		}
		Expect(list(&stripe.ApplePayDomainListParams{})).To(Equal([]string{other.ID, d.ID}), "newest first")
		Expect(list(&stripe.ApplePayDomainListParams{DomainName: stripe.String("PAY.example.com")})).To(Equal([]string{d.ID}))
		Expect(names(nil)).To(BeEmpty(), "payment method domains are another list")

		gone, err := sc.V1ApplePayDomains.Delete(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(gone.Deleted).To(BeTrue())
		_, err = sc.V1ApplePayDomains.Retrieve(Ctx, d.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		_, err = sc.V1ApplePayDomains.Create(Ctx, &stripe.ApplePayDomainCreateParams{DomainName: stripe.String("pay.example.com")})
		Expect(err).NotTo(HaveOccurred(), "a deleted domain can be registered again")
	})
})
