package tax_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Tax registrations", Label("tax"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	usState := func(state string) *stripe.TaxRegistrationCreateCountryOptionsParams {
		return &stripe.TaxRegistrationCreateCountryOptionsParams{US: &stripe.TaxRegistrationCreateCountryOptionsUSParams{
			State: stripe.String(state), Type: stripe.String("state_sales_tax")}}
	}

	It("are active from now, scheduled from a later time, and expire on the clock", func() {
		ca, err := sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("US"), CountryOptions: usState("CA"), ActiveFromNow: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(ca.ID).To(HavePrefix("taxreg_"))
		Expect(ca.Status).To(Equal(stripe.TaxRegistrationStatusActive))
		Expect(ca.ActiveFrom).To(Equal(Epoch.Unix()))
		Expect(ca.ExpiresAt).To(BeZero())
		Expect(ca.CountryOptions.US.State).To(Equal("CA"))
		Expect(ca.CountryOptions.US.Type).To(Equal(stripe.TaxRegistrationCountryOptionsUSTypeStateSalesTax))

		later := Epoch.Add(48 * time.Hour).Unix()
		ny, err := sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("US"), CountryOptions: usState("NY"), ActiveFrom: stripe.Int64(later)})
		Expect(err).NotTo(HaveOccurred())
		Expect(ny.Status).To(Equal(stripe.TaxRegistrationStatusScheduled))

		ca, err = sc.V1TaxRegistrations.Update(Ctx, ca.ID, &stripe.TaxRegistrationUpdateParams{ExpiresAt: stripe.Int64(Epoch.Add(24 * time.Hour).Unix())})
		Expect(err).NotTo(HaveOccurred())
		Expect(ca.Status).To(Equal(stripe.TaxRegistrationStatusActive))

		emu.Clock().Advance(72 * time.Hour)
		ca, err = sc.V1TaxRegistrations.Retrieve(Ctx, ca.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ca.Status).To(Equal(stripe.TaxRegistrationStatusExpired))
		ny, err = sc.V1TaxRegistrations.Retrieve(Ctx, ny.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ny.Status).To(Equal(stripe.TaxRegistrationStatusActive))

		var active, expired []string
		for r, err := range sc.V1TaxRegistrations.List(Ctx, &stripe.TaxRegistrationListParams{Status: stripe.String("active")}) {
			Expect(err).NotTo(HaveOccurred())
			active = append(active, r.ID)
		}
		for r, err := range sc.V1TaxRegistrations.List(Ctx, &stripe.TaxRegistrationListParams{Status: stripe.String("expired")}) {
			Expect(err).NotTo(HaveOccurred())
			expired = append(expired, r.ID)
		}
		Expect(active).To(Equal([]string{ny.ID}))
		Expect(expired).To(Equal([]string{ca.ID}))

		ny, err = sc.V1TaxRegistrations.Update(Ctx, ny.ID, &stripe.TaxRegistrationUpdateParams{ExpiresAtNow: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(ny.Status).To(Equal(stripe.TaxRegistrationStatusExpired))
		Expect(ny.ExpiresAt).To(Equal(emu.Clock().Unix()))
		_, err = sc.V1TaxRegistrations.Update(Ctx, ny.ID, &stripe.TaxRegistrationUpdateParams{ExpiresAt: stripe.Int64(emu.Clock().Unix() + 3600)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")

		// A new registration for NY now that the old one has ended is fine;
		// a second one for the same time is not.
		_, err = sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("US"), CountryOptions: usState("NY"), ActiveFromNow: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("US"), CountryOptions: usState("NY"), ActiveFrom: stripe.Int64(emu.Clock().Unix() + 3600)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		_, err = sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("US"), CountryOptions: usState("TX"), ActiveFrom: stripe.Int64(Epoch.Unix())})
		ExpectStripeError(err, 400, "invalid_request_error", "", "active_from")
	})

	It("validates country_options as Stripe does", func() {
		_, err := sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("DE"), CountryOptions: usState("CA"), ActiveFromNow: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "country_options[us]")
		_, err = sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("US"), CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{US: &stripe.TaxRegistrationCreateCountryOptionsUSParams{Type: stripe.String("state_sales_tax")}}, ActiveFromNow: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "country_options[us][state]")
		_, err = sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("DE"), CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{DE: &stripe.TaxRegistrationCreateCountryOptionsDEParams{Type: stripe.String("province_standard")}}, ActiveFromNow: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "country_options[de][type]")
		_, err = sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{Country: stripe.String("DE"), ActiveFromNow: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "country_options")

		de, err := sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("DE"), CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{DE: &stripe.TaxRegistrationCreateCountryOptionsDEParams{Type: stripe.String("oss_union")}}, ActiveFromNow: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(de.CountryOptions.DE.Type).To(Equal(stripe.TaxRegistrationCountryOptionsDETypeOssUnion))
		ca, err := sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("CA"), CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{Ca: &stripe.TaxRegistrationCreateCountryOptionsCaParams{
				Type: stripe.String("province_standard"), ProvinceStandard: &stripe.TaxRegistrationCreateCountryOptionsCaProvinceStandardParams{Province: stripe.String("BC")}}}, ActiveFromNow: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(ca.CountryOptions.Ca.ProvinceStandard.Province).To(Equal("BC"))
		_, err = sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("CA"), CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{Ca: &stripe.TaxRegistrationCreateCountryOptionsCaParams{
				Type: stripe.String("province_standard"), ProvinceStandard: &stripe.TaxRegistrationCreateCountryOptionsCaProvinceStandardParams{Province: stripe.String("ON")}}}, ActiveFromNow: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "country_options[ca][province_standard][province]")
		_, err = sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("CO"), CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{Co: &stripe.TaxRegistrationCreateCountryOptionsCoParams{Type: stripe.String("simplified")}}, ActiveFromNow: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "country")
		Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate"), "no rates for Colombia")

		au, err := sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("AU"), CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{Au: &stripe.TaxRegistrationCreateCountryOptionsAuParams{Type: stripe.String("standard")}}, ActiveFromNow: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(au.CountryOptions.Au.Standard.PlaceOfSupplyScheme).To(Equal(stripe.TaxRegistrationCountryOptionsAuStandardPlaceOfSupplySchemeStandard))
		at, err := sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("AT"), CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{At: &stripe.TaxRegistrationCreateCountryOptionsAtParams{Type: stripe.String("standard"),
				Standard: &stripe.TaxRegistrationCreateCountryOptionsAtStandardParams{PlaceOfSupplyScheme: stripe.String("small_seller")}}}, ActiveFromNow: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(at.CountryOptions.At.Standard.PlaceOfSupplyScheme).To(Equal(stripe.TaxRegistrationCountryOptionsAtStandardPlaceOfSupplySchemeSmallSeller))
		_, err = sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("GB"), CountryOptions: &stripe.TaxRegistrationCreateCountryOptionsParams{GB: &stripe.TaxRegistrationCreateCountryOptionsGBParams{Type: stripe.String("standard"),
				Standard: &stripe.TaxRegistrationCreateCountryOptionsGBStandardParams{PlaceOfSupplyScheme: stripe.String("small_seller")}}}, ActiveFromNow: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "country_options[gb][standard][place_of_supply_scheme]")
	})

	It("refuse a change that would leave a registration ending before it starts, and keep it as it was", func() {
		from, until := Epoch.Add(24*time.Hour).Unix(), Epoch.Add(48*time.Hour).Unix()
		tx, err := sc.V1TaxRegistrations.Create(Ctx, &stripe.TaxRegistrationCreateParams{
			Country: stripe.String("US"), CountryOptions: usState("TX"), ActiveFrom: stripe.Int64(from)})
		Expect(err).NotTo(HaveOccurred())
		tx, err = sc.V1TaxRegistrations.Update(Ctx, tx.ID, &stripe.TaxRegistrationUpdateParams{ExpiresAt: stripe.Int64(until)})
		Expect(err).NotTo(HaveOccurred())

		// Moving the start past the end it already has, or to the very
		// second it ends, would make a registration that is never active.
		_, err = sc.V1TaxRegistrations.Update(Ctx, tx.ID, &stripe.TaxRegistrationUpdateParams{ActiveFrom: stripe.Int64(until + 3600)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "active_from")
		_, err = sc.V1TaxRegistrations.Update(Ctx, tx.ID, &stripe.TaxRegistrationUpdateParams{ActiveFrom: stripe.Int64(until)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "active_from")
		_, err = sc.V1TaxRegistrations.Update(Ctx, tx.ID, &stripe.TaxRegistrationUpdateParams{ExpiresAt: stripe.Int64(from)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "expires_at")
		got, err := sc.V1TaxRegistrations.Retrieve(Ctx, tx.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.ActiveFrom).To(Equal(from))
		Expect(got.ExpiresAt).To(Equal(until))

		// One second before the end is a registration of one second.
		got, err = sc.V1TaxRegistrations.Update(Ctx, tx.ID, &stripe.TaxRegistrationUpdateParams{ActiveFrom: stripe.Int64(until - 1)})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.TaxRegistrationStatusScheduled))
		emu.Clock().Set(time.Unix(until-1, 0))
		got, err = sc.V1TaxRegistrations.Retrieve(Ctx, tx.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.TaxRegistrationStatusActive))
		emu.Clock().Set(time.Unix(until, 0))
		got, err = sc.V1TaxRegistrations.Retrieve(Ctx, tx.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.TaxRegistrationStatusExpired))
	})
})
