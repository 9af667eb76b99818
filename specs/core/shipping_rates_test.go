package core_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Shipping rates", Label("catalog", "shipping"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	rate := func(name string, amount int64, currency string) *stripe.ShippingRate {
		GinkgoHelper()
		r, err := sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{
			DisplayName: stripe.String(name), Type: stripe.String("fixed_amount"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(amount), Currency: stripe.String(currency)},
		})
		Expect(err).NotTo(HaveOccurred())
		return r
	}
	ids := func(p *stripe.ShippingRateListParams) []string {
		GinkgoHelper()
		var out []string
		for r, err := range sc.V1ShippingRates.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, r.ID)
		}
		return out
	}

	It("creates, retrieves, updates and archives a rate, with no events", func() {
		r, err := sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{
			DisplayName: stripe.String("Next day air"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(1500), Currency: stripe.String("USD")},
			DeliveryEstimate: &stripe.ShippingRateCreateDeliveryEstimateParams{
				Minimum: &stripe.ShippingRateCreateDeliveryEstimateMinimumParams{Unit: stripe.String("business_day"), Value: stripe.Int64(1)},
				Maximum: &stripe.ShippingRateCreateDeliveryEstimateMaximumParams{Unit: stripe.String("business_day"), Value: stripe.Int64(2)},
			},
			TaxCode:  stripe.String("txcd_92010001"),
			Metadata: map[string]string{"carrier": "ups"},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.ID).To(HavePrefix("shr_"))
		Expect(r.Active).To(BeTrue())
		Expect(r.Type).To(Equal(stripe.ShippingRateTypeFixedAmount), "fixed_amount is the type when none is sent")
		Expect(r.DisplayName).To(Equal("Next day air"))
		Expect(r.FixedAmount.Amount).To(Equal(int64(1500)))
		Expect(r.FixedAmount.Currency).To(Equal(stripe.CurrencyUSD))
		Expect(r.DeliveryEstimate.Minimum.Unit).To(Equal(stripe.ShippingRateDeliveryEstimateMinimumUnitBusinessDay))
		Expect(r.DeliveryEstimate.Maximum.Value).To(Equal(int64(2)))
		Expect(r.TaxBehavior).To(Equal(stripe.ShippingRateTaxBehaviorUnspecified))
		Expect(r.TaxCode.ID).To(Equal("txcd_92010001"))
		Expect(r.Metadata).To(Equal(map[string]string{"carrier": "ups"}))
		Expect(r.Created).To(Equal(Epoch.Unix()))

		got, err := sc.V1ShippingRates.Retrieve(Ctx, r.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.DisplayName).To(Equal("Next day air"))

		up, err := sc.V1ShippingRates.Update(Ctx, r.ID, &stripe.ShippingRateUpdateParams{
			TaxBehavior: stripe.String("exclusive"), Metadata: map[string]string{"carrier": "", "speed": "fast"}})
		Expect(err).NotTo(HaveOccurred())
		Expect(up.TaxBehavior).To(Equal(stripe.ShippingRateTaxBehaviorExclusive))
		Expect(up.Metadata).To(Equal(map[string]string{"speed": "fast"}))
		Expect(up.FixedAmount.Amount).To(Equal(int64(1500)))

		_, err = sc.V1ShippingRates.Update(Ctx, r.ID, &stripe.ShippingRateUpdateParams{TaxBehavior: stripe.String("inclusive")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "tax_behavior")

		off, err := sc.V1ShippingRates.Update(Ctx, r.ID, &stripe.ShippingRateUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(off.Active).To(BeFalse())
		Expect(emu.EventTypes("")).To(BeEmpty(), "Stripe has no shipping_rate events")
	})

	It("lists newest first, filtered by active, currency and created, page by page", func() {
		ground := rate("Ground", 500, "usd")
		emu.Clock().Advance(60e9)
		euro := rate("Standard", 700, "eur")
		emu.Clock().Advance(60e9)
		express := rate("Express", 1500, "usd")
		_, err := sc.V1ShippingRates.Update(Ctx, ground.ID, &stripe.ShippingRateUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())

		Expect(ids(&stripe.ShippingRateListParams{})).To(Equal([]string{express.ID, euro.ID, ground.ID}))
		Expect(ids(&stripe.ShippingRateListParams{Active: stripe.Bool(true)})).To(Equal([]string{express.ID, euro.ID}))
		Expect(ids(&stripe.ShippingRateListParams{Active: stripe.Bool(false)})).To(Equal([]string{ground.ID}))
		Expect(ids(&stripe.ShippingRateListParams{Currency: stripe.String("usd")})).To(Equal([]string{express.ID, ground.ID}))
		Expect(ids(&stripe.ShippingRateListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThan: euro.Created}})).To(Equal([]string{express.ID}))

		p := &stripe.ShippingRateListParams{}
		p.Limit = stripe.Int64(2)
		Expect(ids(p)).To(HaveLen(3), "the iterator walks every page")
		p.Single = true
		first := 0
		for _, err := range sc.V1ShippingRates.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			first++
		}
		Expect(first).To(Equal(2))
		p.StartingAfter = stripe.String(euro.ID)
		Expect(ids(p)).To(Equal([]string{ground.ID}))
	})

	It("refuses what Stripe refuses, keeping nothing", func() {
		_, err := sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(500), Currency: stripe.String("usd")}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "display_name")
		Expect(StripeErr(err).Msg).To(Equal("Missing required param: display_name."))

		_, err = sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{DisplayName: stripe.String("Ground")})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "fixed_amount")

		_, err = sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{DisplayName: stripe.String("Ground"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(500)}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "fixed_amount[currency]")

		_, err = sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{DisplayName: stripe.String("Ground"), Type: stripe.String("weight_based"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(500), Currency: stripe.String("usd")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "type")
		Expect(StripeErr(err).Msg).To(Equal("Invalid type: must be one of fixed_amount"))

		_, err = sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{DisplayName: stripe.String("Ground"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(500), Currency: stripe.String("usd")},
			DeliveryEstimate: &stripe.ShippingRateCreateDeliveryEstimateParams{
				Minimum: &stripe.ShippingRateCreateDeliveryEstimateMinimumParams{Unit: stripe.String("fortnight"), Value: stripe.Int64(1)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "delivery_estimate[minimum][unit]")

		_, err = sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{DisplayName: stripe.String("Ground"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(-1), Currency: stripe.String("usd")}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "fixed_amount[amount]")

		_, err = sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{DisplayName: stripe.String("Ground"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(500), Currency: stripe.String("usd"),
				CurrencyOptions: map[string]*stripe.ShippingRateCreateFixedAmountCurrencyOptionsParams{"eur": {Amount: stripe.Int64(450)}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "fixed_amount[currency_options]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate"))

		_, err = sc.V1ShippingRates.Retrieve(Ctx, "shr_missing", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(StripeErr(err).Msg).To(Equal("No such shipping rate: 'shr_missing'"))

		r := rate("Ground", 500, "usd")
		_, err = sc.V1ShippingRates.Update(Ctx, r.ID, &stripe.ShippingRateUpdateParams{
			FixedAmount: &stripe.ShippingRateUpdateFixedAmountParams{
				CurrencyOptions: map[string]*stripe.ShippingRateUpdateFixedAmountCurrencyOptionsParams{"eur": {Amount: stripe.Int64(450)}}},
			Active: stripe.Bool(false)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "fixed_amount[currency_options]")
		status, body, err := emu.Call("POST", "/v1/shipping_rates/"+r.ID, map[string][]string{"active": {"false"}, "fixed_amount[amount]": {"900"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(400))
		Expect(body["error"].(map[string]any)["code"]).To(Equal("parameter_unknown"), "the amount of a rate never changes")
		Expect(ids(&stripe.ShippingRateListParams{})).To(Equal([]string{r.ID}), "nothing was kept")
		again, err := sc.V1ShippingRates.Retrieve(Ctx, r.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Active).To(BeTrue())
	})
})
