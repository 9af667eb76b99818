package tax_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Tax settings", Label("tax"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	It("are pending with head_office missing until a head office is set, then active", func() {
		s, err := sc.V1TaxSettings.Retrieve(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Object).To(Equal("tax.settings"))
		Expect(s.Status).To(Equal(stripe.TaxSettingsStatusPending))
		Expect(s.StatusDetails.Pending.MissingFields).To(Equal([]string{"head_office"}))
		Expect(s.HeadOffice).To(BeNil())
		Expect(s.Defaults.TaxBehavior).To(BeEmpty())

		s, err = sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{
			Defaults:   &stripe.TaxSettingsUpdateDefaultsParams{TaxBehavior: stripe.String("exclusive"), TaxCode: stripe.String("txcd_10103000")},
			HeadOffice: &stripe.TaxSettingsUpdateHeadOfficeParams{Address: &stripe.AddressParams{Country: stripe.String("us"), State: stripe.String("CA"), PostalCode: stripe.String("94080")}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Status).To(Equal(stripe.TaxSettingsStatusActive))
		Expect(s.StatusDetails.Active).NotTo(BeNil())
		Expect(s.StatusDetails.Pending).To(BeNil())
		Expect(s.HeadOffice.Address.Country).To(Equal("US"))
		Expect(s.HeadOffice.Address.State).To(Equal("CA"))
		Expect(s.Defaults.TaxBehavior).To(Equal(stripe.TaxSettingsDefaultsTaxBehaviorExclusive))
		Expect(s.Defaults.TaxCode).To(Equal("txcd_10103000"))

		again, err := sc.V1TaxSettings.Retrieve(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Status).To(Equal(stripe.TaxSettingsStatusActive))

		evs := eventsOf(emu, "tax.settings.updated")
		Expect(evs).To(HaveLen(1))
		prev := evs[0]["data"].(map[string]any)["previous_attributes"].(map[string]any)
		Expect(prev).To(HaveKeyWithValue("status", "pending"))
		Expect(prev).To(HaveKeyWithValue("head_office", BeNil()))
	})

	It("sends no event when nothing changes, and keeps a default tax behavior once set", func() {
		_, err := sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{Defaults: &stripe.TaxSettingsUpdateDefaultsParams{TaxBehavior: stripe.String("inclusive")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{Defaults: &stripe.TaxSettingsUpdateDefaultsParams{TaxBehavior: stripe.String("inclusive")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(eventsOf(emu, "tax.settings.updated")).To(HaveLen(1))

		_, err = sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{Defaults: &stripe.TaxSettingsUpdateDefaultsParams{TaxBehavior: stripe.String("")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "defaults[tax_behavior]")
		_, err = sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{Defaults: &stripe.TaxSettingsUpdateDefaultsParams{TaxBehavior: stripe.String("sometimes")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "defaults[tax_behavior]")
		_, err = sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{Defaults: &stripe.TaxSettingsUpdateDefaultsParams{TaxCode: stripe.String("txcd_12345")}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "defaults[tax_code]")
		_, err = sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{HeadOffice: &stripe.TaxSettingsUpdateHeadOfficeParams{Address: &stripe.AddressParams{City: stripe.String("Paris")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "head_office[address][country]")
	})

	It("let nothing be removed once set: a default tax code, the defaults, the head office", func() {
		// Stripe's reference: "All parameters are editable but none can be
		// removed once set."
		_, err := sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{
			Defaults:   &stripe.TaxSettingsUpdateDefaultsParams{TaxCode: stripe.String("txcd_10000000")},
			HeadOffice: &stripe.TaxSettingsUpdateHeadOfficeParams{Address: &stripe.AddressParams{Country: stripe.String("DE")}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{Defaults: &stripe.TaxSettingsUpdateDefaultsParams{TaxCode: stripe.String("")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "defaults[tax_code]")
		for _, body := range []string{"head_office=", "defaults="} {
			r := Do(emu.URL(), "POST", "/v1/tax/settings", body)
			Expect(r.Status).To(Equal(400), body+": %s", r.Text)
			Expect(r.Error()["param"]).To(Equal(body[:len(body)-1]))
		}
		got, err := sc.V1TaxSettings.Retrieve(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Defaults.TaxCode).To(Equal("txcd_10000000"))
		Expect(got.HeadOffice.Address.Country).To(Equal("DE"))
		Expect(got.Status).To(Equal(stripe.TaxSettingsStatusActive))
		Expect(eventsOf(emu, "tax.settings.updated")).To(HaveLen(1))

		// Nothing set yet: an empty value removes nothing, and changes nothing.
		other := Emulator()
		r := Do(other.URL(), "POST", "/v1/tax/settings", "head_office=&defaults[tax_code]=")
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body["status"]).To(Equal("pending"))
		Expect(eventsOf(other, "tax.settings.updated")).To(BeEmpty())
	})

	It("refuse a head office in a country Stripe does not know (UK for GB), and stay pending", func() {
		_, err := sc.V1TaxSettings.Update(Ctx, &stripe.TaxSettingsUpdateParams{HeadOffice: &stripe.TaxSettingsUpdateHeadOfficeParams{
			Address: &stripe.AddressParams{Country: stripe.String("UK"), City: stripe.String("London")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "head_office[address][country]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("Country 'UK' is unknown"))
		s, err := sc.V1TaxSettings.Retrieve(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Status).To(Equal(stripe.TaxSettingsStatusPending))
		Expect(s.HeadOffice).To(BeNil())
		Expect(eventsOf(emu, "tax.settings.updated")).To(BeEmpty())
	})

	It("belong to each account: a connected account's are its own", func() {
		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Capabilities: Transfers(), Country: stripe.String("DE")})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.TaxSettingsUpdateParams{HeadOffice: &stripe.TaxSettingsUpdateHeadOfficeParams{Address: &stripe.AddressParams{Country: stripe.String("DE")}}}
		OnAccount(&p.Params, acct.ID)
		s, err := sc.V1TaxSettings.Update(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Status).To(Equal(stripe.TaxSettingsStatusActive))

		mine, err := sc.V1TaxSettings.Retrieve(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(mine.Status).To(Equal(stripe.TaxSettingsStatusPending))
	})
})
