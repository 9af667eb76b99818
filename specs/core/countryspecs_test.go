package core_test

import (
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Country specs: what Stripe asks of and offers to accounts in a country,
// the same for every account and read-only.
var _ = Describe("Country specs", Label("connect", "country_specs"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	It("describes the United States as Stripe's reference does", func() {
		us, err := sc.V1CountrySpecs.Retrieve(Ctx, "US", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(us.ID).To(Equal("US"))
		Expect(us.DefaultCurrency).To(Equal(stripe.CurrencyUSD))
		Expect(us.SupportedBankAccountCurrencies).To(Equal(map[stripe.Currency][]stripe.Country{"usd": {"US"}}))
		Expect(us.SupportedPaymentMethods).To(Equal([]string{"ach", "card", "stripe"}))
		Expect(us.SupportedPaymentCurrencies[0]).To(Equal(stripe.CurrencyUSD))
		Expect(us.SupportedPaymentCurrencies).To(ContainElements(stripe.CurrencyEUR, stripe.CurrencyJPY, stripe.CurrencyGBP))
		Expect(us.SupportedTransferCountries).To(ContainElements("US", "GB", "DE", "CA", "JP", "MX"))
		individual := us.VerificationFields[stripe.AccountBusinessTypeIndividual]
		Expect(individual.Minimum).To(ContainElements("individual.ssn_last_4", "individual.address.state", "external_account", "tos_acceptance.date"))
		Expect(individual.AdditionalFields).To(BeEmpty())
		Expect(us.VerificationFields[stripe.AccountBusinessTypeCompany].Minimum).To(ContainElements("company.tax_id", "representative.ssn_last_4"))
	})

	It("gives European countries euro bank accounts across SEPA and transfers within Europe", func() {
		de, err := sc.V1CountrySpecs.Retrieve(Ctx, "DE", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(de.DefaultCurrency).To(Equal(stripe.CurrencyEUR))
		Expect(de.SupportedBankAccountCurrencies[stripe.CurrencyEUR]).To(ContainElements(stripe.Country("DE"), stripe.Country("FR"), stripe.Country("GB")))
		Expect(de.SupportedTransferCountries).To(ContainElements("FR", "GB", "CH"))
		Expect(de.SupportedTransferCountries).NotTo(ContainElement("US"))
		individual := de.VerificationFields[stripe.AccountBusinessTypeIndividual].Minimum
		Expect(individual).To(ContainElement("individual.dob.year"))
		Expect(individual).NotTo(ContainElements("individual.ssn_last_4", "individual.address.state"))

		gb, err := sc.V1CountrySpecs.Retrieve(Ctx, "GB", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(gb.DefaultCurrency).To(Equal(stripe.CurrencyGBP))
		Expect(gb.SupportedBankAccountCurrencies[stripe.CurrencyGBP]).To(Equal([]stripe.Country{"GB"}))

		ca, err := sc.V1CountrySpecs.Retrieve(Ctx, "CA", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ca.DefaultCurrency).To(Equal(stripe.CurrencyCAD))
		Expect(ca.VerificationFields[stripe.AccountBusinessTypeIndividual].Minimum).To(ContainElement("individual.address.state"))
	})

	It("matches the default currency of accounts made in the country", func() {
		for _, country := range []string{"US", "GB", "FR", "JP", "AU", "CA"} {
			spec, err := sc.V1CountrySpecs.Retrieve(Ctx, country, nil)
			Expect(err).NotTo(HaveOccurred())
			a, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String(country),
				Capabilities: &stripe.AccountCreateCapabilitiesParams{Transfers: &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(a.DefaultCurrency).To(Equal(spec.DefaultCurrency), country)
		}
	})

	It("lists the countries in alphabetical order, a page at a time", func() {
		var ids []string
		for spec, err := range sc.V1CountrySpecs.List(Ctx, &stripe.CountrySpecListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(3)}}) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, spec.ID)
		}
		Expect(ids).To(ContainElements("AU", "CA", "DE", "FR", "GB", "JP", "US"))
		Expect(len(ids)).To(BeNumerically(">", 7), "several pages")
		for i := 1; i < len(ids); i++ {
			Expect(ids[i-1] < ids[i]).To(BeTrue(), "%s before %s", ids[i-1], ids[i])
		}
	})

	It("answers resource_missing for a country it does not describe, and takes no changes", func() {
		_, err := sc.V1CountrySpecs.Retrieve(Ctx, "XX", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(StripeErr(err).Msg).To(Equal("No such country_spec: 'XX'"))
		status, _, err := emu.Call("POST", "/v1/country_specs/US", url.Values{"default_currency": {"eur"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(404))
	})
})
