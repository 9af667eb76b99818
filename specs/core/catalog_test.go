package core_test

import (
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Products and prices", Label("catalog", "story-3"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	newProductWithDefault := func() (*stripe.Product, string) {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{
			Name: stripe.String("Ticket"),
			DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{
				Currency: stripe.String("eur"), UnitAmount: stripe.Int64(1500),
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(prod.DefaultPrice).NotTo(BeNil())
		return prod, prod.DefaultPrice.ID
	}

	Describe("archiving the default price", func() {
		It("is refused with Stripe's message and changes nothing", func() {
			prod, priceID := newProductWithDefault()
			eventsBefore := len(emu.Events(""))

			_, err := sc.V1Prices.Update(Ctx, priceID, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(400))
			Expect(se.Type).To(Equal(stripe.ErrorTypeInvalidRequest))
			Expect(se.Msg).To(Equal("This price cannot be archived because it is the default price of its product."))
			Expect(se.RequestID).To(HavePrefix("req_"))

			price, err := sc.V1Prices.Retrieve(Ctx, priceID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(price.Active).To(BeTrue())
			again, err := sc.V1Products.Retrieve(Ctx, prod.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(again.DefaultPrice.ID).To(Equal(priceID))
			Expect(emu.Events("")).To(HaveLen(eventsBefore), "a refused request records no event")
		})

		It("works once the product points at another price", func() {
			prod, oldID := newProductWithDefault()
			next, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
				Product: stripe.String(prod.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(1800),
			})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Products.Update(Ctx, prod.ID, &stripe.ProductUpdateParams{DefaultPrice: stripe.String(next.ID)})
			Expect(err).NotTo(HaveOccurred())

			archived, err := sc.V1Prices.Update(Ctx, oldID, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			Expect(archived.Active).To(BeFalse())

			ev := emu.Events("")
			last := ev[len(ev)-1]
			Expect(last["type"]).To(Equal("price.updated"))
			Expect(last["data"].(map[string]any)["previous_attributes"]).To(Equal(map[string]any{"active": true}))
		})

		// As integrators have recorded from Stripe's test mode: a price made
		// with product_data is its new product's default price, and
		// archiving the product first lets the price be archived.
		It("works once the product is archived, for the price product_data made its new product's default", func() {
			price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(2900),
				Recurring:   &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
				ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Club")}})
			Expect(err).NotTo(HaveOccurred())
			prod, err := sc.V1Products.Retrieve(Ctx, price.Product.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(prod.DefaultPrice).NotTo(BeNil())
			Expect(prod.DefaultPrice.ID).To(Equal(price.ID))

			_, err = sc.V1Prices.Update(Ctx, price.ID, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
			Expect(StripeErr(err).Msg).To(Equal("This price cannot be archived because it is the default price of its product."))
			_, err = sc.V1Products.Update(Ctx, prod.ID, &stripe.ProductUpdateParams{Active: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			archived, err := sc.V1Prices.Update(Ctx, price.ID, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			Expect(archived.Active).To(BeFalse())
		})

		It("works once the product's default price is unset", func() {
			prod, oldID := newProductWithDefault()
			params := &stripe.ProductUpdateParams{}
			params.AddExtra("default_price", "")
			_, err := sc.V1Products.Update(Ctx, prod.ID, params)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Prices.Update(Ctx, oldID, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
		})
	})

	It("refuses an inactive or foreign price as a product's default", func() {
		prod, _ := newProductWithDefault()
		other, _ := newProductWithDefault()
		inactive, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Product: stripe.String(prod.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(100), Active: stripe.Bool(false),
		})
		Expect(err).NotTo(HaveOccurred())

		_, err = sc.V1Products.Update(Ctx, prod.ID, &stripe.ProductUpdateParams{DefaultPrice: stripe.String(inactive.ID)})
		se := StripeErr(err)
		Expect(se.Msg).To(Equal("The price specified is inactive. This field only accepts active prices."))
		Expect(se.Param).To(Equal("default_price"))

		_, err = sc.V1Products.Update(Ctx, prod.ID, &stripe.ProductUpdateParams{DefaultPrice: stripe.String(other.DefaultPrice.ID)})
		Expect(StripeErr(err).Param).To(Equal("default_price"))
	})

	It("refuses to delete a product that has prices, even archived ones", func() {
		prod, priceID := newProductWithDefault()
		_, err := sc.V1Products.Delete(Ctx, prod.ID, nil)
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(400))
		Expect(se.Msg).To(Equal("This product cannot be deleted because it has one or more user-created prices."))

		params := &stripe.ProductUpdateParams{}
		params.AddExtra("default_price", "")
		_, err = sc.V1Products.Update(Ctx, prod.ID, params)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Prices.Update(Ctx, priceID, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Products.Delete(Ctx, prod.ID, nil)
		Expect(StripeErr(err).Msg).To(ContainSubstring("cannot be deleted"))
	})

	It("deletes a product without prices", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Bare")})
		Expect(err).NotTo(HaveOccurred())
		del, err := sc.V1Products.Delete(Ctx, prod.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(del.Deleted).To(BeTrue())
		Expect(emu.EventTypes("")).To(Equal([]string{"product.created", "product.deleted"}))
	})

	It("creates recurring prices and filters lists", func() {
		prod, _ := newProductWithDefault()
		monthly, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(999),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
			LookupKey: stripe.String("pro_monthly"),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(monthly.Type).To(Equal(stripe.PriceTypeRecurring))
		Expect(monthly.Recurring.Interval).To(Equal(stripe.PriceRecurringIntervalMonth))
		Expect(monthly.Recurring.IntervalCount).To(Equal(int64(1)))

		var ids []string
		for p, err := range sc.V1Prices.List(Ctx, &stripe.PriceListParams{Type: stripe.String("recurring")}) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, p.ID)
		}
		Expect(ids).To(Equal([]string{monthly.ID}))

		ids = nil
		for p, err := range sc.V1Prices.List(Ctx, &stripe.PriceListParams{LookupKeys: []*string{stripe.String("pro_monthly")}}) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, p.ID)
		}
		Expect(ids).To(Equal([]string{monthly.ID}))
	})

	It("creates a price with its product inline and keeps every recurring detail", func() {
		var ids []string
		for p, err := range sc.V1Prices.List(Ctx, &stripe.PriceListParams{Recurring: &stripe.PriceListRecurringParams{Interval: stripe.String("month")}}) {
			Expect(err).NotTo(HaveOccurred(), "a recurring filter with no recurring price to look at")
			ids = append(ids, p.ID)
		}
		Expect(ids).To(BeEmpty())

		meter, err := sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{DisplayName: stripe.String("Calls"),
			EventName: stripe.String("api_call"), DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("sum")}})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Currency: stripe.String("usd"), UnitAmount: stripe.Int64(25), TaxBehavior: stripe.String("exclusive"),
			ProductData: &stripe.PriceCreateProductDataParams{ID: stripe.String("api-calls"), Name: stripe.String("API calls"),
				TaxCode: stripe.String("txcd_10000000"), UnitLabel: stripe.String("call"), Metadata: map[string]string{"tier": "gold"}},
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), IntervalCount: stripe.Int64(3),
				UsageType: stripe.String("metered"), Meter: stripe.String(meter.ID)},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(price.Product.ID).To(Equal("api-calls"))
		Expect(price.TaxBehavior).To(Equal(stripe.PriceTaxBehaviorExclusive))
		Expect(price.Recurring.IntervalCount).To(Equal(int64(3)))
		Expect(price.Recurring.UsageType).To(Equal(stripe.PriceRecurringUsageTypeMetered))
		Expect(price.Recurring.Meter).To(Equal(meter.ID))
		prod, err := sc.V1Products.Retrieve(Ctx, "api-calls", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(prod.Name).To(Equal("API calls"))
		Expect(prod.TaxCode.ID).To(Equal("txcd_10000000"))
		Expect(prod.UnitLabel).To(Equal("call"))
		Expect(prod.Metadata).To(Equal(map[string]string{"tier": "gold"}))

		for p, err := range sc.V1Prices.List(Ctx, &stripe.PriceListParams{Recurring: &stripe.PriceListRecurringParams{
			Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String(meter.ID)}}) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, p.ID)
		}
		Expect(ids).To(Equal([]string{price.ID}))

		_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1),
			ProductData: &stripe.PriceCreateProductDataParams{ID: stripe.String("api-calls"), Name: stripe.String("Again")}})
		se := StripeErr(err)
		Expect(se.Param).To(Equal("product_data[id]"))
		Expect(se.Code).To(Equal(stripe.ErrorCode("resource_already_exists")))

		By("giving the default price amounts in other currencies, named in full when wrong")
		global, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Global"), DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{
			Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
			CurrencyOptions: map[string]*stripe.ProductCreateDefaultPriceDataCurrencyOptionsParams{"eur": {UnitAmount: stripe.Int64(900)}}}})
		Expect(err).NotTo(HaveOccurred())
		gp := &stripe.PriceRetrieveParams{}
		gp.AddExpand("currency_options")
		dp, err := sc.V1Prices.Retrieve(Ctx, global.DefaultPrice.ID, gp)
		Expect(err).NotTo(HaveOccurred())
		Expect(dp.CurrencyOptions).To(HaveLen(2))
		Expect(dp.CurrencyOptions["eur"].UnitAmount).To(Equal(int64(900)))
		Expect(dp.CurrencyOptions["usd"].UnitAmount).To(Equal(int64(1000)))
		_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Global"), DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{
			Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
			CurrencyOptions: map[string]*stripe.ProductCreateDefaultPriceDataCurrencyOptionsParams{"eur": {TaxBehavior: stripe.String("exclusive")}}}})
		Expect(StripeErr(err).Param).To(Equal("default_price_data[currency_options][eur][unit_amount]"))
	})

	It("keeps lookup keys unique unless transferred", func() {
		prod, _ := newProductWithDefault()
		mk := func(transfer bool) (*stripe.Price, error) {
			p := &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1), LookupKey: stripe.String("std")}
			if transfer {
				p.TransferLookupKey = stripe.Bool(true)
			}
			return sc.V1Prices.Create(Ctx, p)
		}
		first, err := mk(false)
		Expect(err).NotTo(HaveOccurred())
		_, err = mk(false)
		Expect(StripeErr(err).Param).To(Equal("lookup_key"))
		second, err := mk(true)
		Expect(err).NotTo(HaveOccurred())
		Expect(second.LookupKey).To(Equal("std"))
		first, err = sc.V1Prices.Retrieve(Ctx, first.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(first.LookupKey).To(BeEmpty())
	})

	It("requires an existing product of the same account", func() {
		_, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String("prod_missing"), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1)})
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(400))
		Expect(se.Code).To(Equal(stripe.ErrorCodeResourceMissing))
		Expect(se.Param).To(Equal("product"))
		Expect(se.Msg).To(Equal("No such product: 'prod_missing'"))
	})

	Describe("tiered prices (billing_scheme=tiered)", func() {
		var prod *stripe.Product
		BeforeEach(func() {
			var err error
			prod, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Seats")})
			Expect(err).NotTo(HaveOccurred())
		})
		graduated := func() *stripe.PriceCreateParams {
			return &stripe.PriceCreateParams{
				Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
				Recurring:     &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
				BillingScheme: stripe.String("tiered"), TiersMode: stripe.String("graduated"),
				Tiers: []*stripe.PriceCreateTierParams{
					{UpTo: stripe.Int64(5), UnitAmount: stripe.Int64(1000)},
					{UpToInf: stripe.Bool(true), UnitAmount: stripe.Int64(800), FlatAmount: stripe.Int64(500)},
				},
			}
		}
		// prices lists the product's prices, with their tiers.
		prices := func() []*stripe.Price {
			var out []*stripe.Price
			p := &stripe.PriceListParams{Product: stripe.String(prod.ID)}
			p.AddExpand("data.tiers")
			for pr, err := range sc.V1Prices.List(Ctx, p) {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, pr)
			}
			return out
		}

		It("creates graduated and volume prices whose tiers show only when expanded", func() {
			price, err := sc.V1Prices.Create(Ctx, graduated())
			Expect(err).NotTo(HaveOccurred())
			Expect(price.BillingScheme).To(Equal(stripe.PriceBillingSchemeTiered))
			Expect(price.TiersMode).To(Equal(stripe.PriceTiersModeGraduated))
			Expect(price.Tiers).To(BeNil(), "tiers are includable: left out unless expanded")
			Expect(price.UnitAmount).To(BeZero())

			status, raw, err := emu.Call("GET", "/v1/prices/"+price.ID, nil, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200))
			Expect(raw).NotTo(HaveKey("tiers"))
			Expect(raw["unit_amount"]).To(BeNil())
			Expect(raw["unit_amount_decimal"]).To(BeNil())

			want := []*stripe.PriceTier{
				{UpTo: 5, UnitAmount: 1000, UnitAmountDecimal: 1000},
				{UpTo: 0, UnitAmount: 800, UnitAmountDecimal: 800, FlatAmount: 500, FlatAmountDecimal: 500},
			}
			rp := &stripe.PriceRetrieveParams{}
			rp.AddExpand("tiers")
			got, err := sc.V1Prices.Retrieve(Ctx, price.ID, rp)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Tiers).To(Equal(want))
			status, raw, err = emu.Call("GET", "/v1/prices/"+price.ID, url.Values{"expand[]": {"tiers"}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200))
			Expect(raw["tiers"]).To(Equal([]any{
				map[string]any{"flat_amount": nil, "flat_amount_decimal": nil, "unit_amount": float64(1000), "unit_amount_decimal": "1000", "up_to": float64(5)},
				map[string]any{"flat_amount": float64(500), "flat_amount_decimal": "500", "unit_amount": float64(800), "unit_amount_decimal": "800", "up_to": nil},
			}), "amounts not given are null, the last tier's up_to is null")

			volume := graduated()
			volume.TiersMode = stripe.String("volume")
			volume.Tiers = []*stripe.PriceCreateTierParams{
				{UpTo: stripe.Int64(10), UnitAmountDecimal: stripe.Float64(12.5)},
				{UpToInf: stripe.Bool(true), FlatAmountDecimal: stripe.Float64(2000), UnitAmount: stripe.Int64(0)},
			}
			volume.AddExpand("tiers")
			vol, err := sc.V1Prices.Create(Ctx, volume)
			Expect(err).NotTo(HaveOccurred())
			Expect(vol.TiersMode).To(Equal(stripe.PriceTiersModeVolume))
			Expect(vol.Tiers).To(Equal([]*stripe.PriceTier{
				{UpTo: 10, UnitAmountDecimal: 12.5},
				{FlatAmount: 2000, FlatAmountDecimal: 2000},
			}))

			listed := prices()
			Expect(listed).To(HaveLen(2))
			Expect(listed[0].ID).To(Equal(vol.ID))
			Expect(listed[0].Tiers).To(HaveLen(2))
			Expect(listed[1].Tiers).To(Equal(want))

			unexpanded, err := sc.V1Prices.Update(Ctx, price.ID, &stripe.PriceUpdateParams{Nickname: stripe.String("seats")})
			Expect(err).NotTo(HaveOccurred())
			Expect(unexpanded.Tiers).To(BeNil())
			Expect(unexpanded.BillingScheme).To(Equal(stripe.PriceBillingSchemeTiered))

			By("no tiers on a per-unit price, even expanded")
			flat, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100)})
			Expect(err).NotTo(HaveOccurred())
			got, err = sc.V1Prices.Retrieve(Ctx, flat.ID, rp)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Tiers).To(BeEmpty())
		})

		It("refuses tiers that do not make a tiered price, creating nothing", func() {
			eventsBefore := len(emu.Events(""))
			refused := func(edit func(p *stripe.PriceCreateParams)) *stripe.Error {
				GinkgoHelper()
				p := graduated()
				edit(p)
				_, err := sc.V1Prices.Create(Ctx, p)
				se := StripeErr(err)
				Expect(se.HTTPStatusCode).To(Equal(400))
				Expect(se.Type).To(Equal(stripe.ErrorTypeInvalidRequest))
				return se
			}

			se := refused(func(p *stripe.PriceCreateParams) { p.TiersMode = nil })
			Expect(se.Msg).To(Equal("Missing required param: tiers_mode."))
			Expect(se.Param).To(Equal("tiers_mode"))

			se = refused(func(p *stripe.PriceCreateParams) { p.Tiers = nil })
			Expect(se.Msg).To(Equal("Missing required param: tiers."))
			Expect(se.Param).To(Equal("tiers"))

			se = refused(func(p *stripe.PriceCreateParams) { p.TiersMode = stripe.String("stepped") })
			Expect(se.Msg).To(Equal("Invalid tiers_mode: must be one of graduated or volume"))

			se = refused(func(p *stripe.PriceCreateParams) {
				p.BillingScheme = nil
				p.TiersMode = nil
				p.UnitAmount = stripe.Int64(100)
			})
			Expect(se.Param).To(Equal("tiers"), "tiers on a per-unit price")
			se = refused(func(p *stripe.PriceCreateParams) {
				p.BillingScheme = nil
				p.Tiers = nil
				p.UnitAmount = stripe.Int64(100)
			})
			Expect(se.Param).To(Equal("tiers_mode"), "tiers_mode on a per-unit price")

			se = refused(func(p *stripe.PriceCreateParams) { p.UnitAmount = stripe.Int64(100) })
			Expect(se.Param).To(Equal("unit_amount"), "a tiered price takes its amounts from its tiers")

			se = refused(func(p *stripe.PriceCreateParams) {
				p.TransformQuantity = &stripe.PriceCreateTransformQuantityParams{DivideBy: stripe.Int64(10), Round: stripe.String("up")}
			})
			Expect(se.Msg).To(Equal("You may only specify one of these parameters: tiers, transform_quantity."))
			Expect(se.Param).To(Equal("tiers"))

			se = refused(func(p *stripe.PriceCreateParams) { p.Tiers[1].UpToInf = nil })
			Expect(se.Msg).To(Equal("Missing required param: tiers[1][up_to]."))
			Expect(se.Param).To(Equal("tiers[1][up_to]"))
			Expect(se.Code).To(Equal(stripe.ErrorCodeParameterMissing))

			se = refused(func(p *stripe.PriceCreateParams) { p.Tiers[1].UpToInf = nil; p.Tiers[1].UpTo = stripe.Int64(50) })
			Expect(se.Param).To(Equal("tiers[1][up_to]"), "the last tier must be unbounded")
			Expect(se.Msg).To(ContainSubstring("`inf`"))

			se = refused(func(p *stripe.PriceCreateParams) { p.Tiers[0].UpTo = nil; p.Tiers[0].UpToInf = stripe.Bool(true) })
			Expect(se.Param).To(Equal("tiers[0][up_to]"), "only the last tier can be unbounded")

			se = refused(func(p *stripe.PriceCreateParams) {
				p.Tiers = append([]*stripe.PriceCreateTierParams{{UpTo: stripe.Int64(10), UnitAmount: stripe.Int64(1)}}, p.Tiers...)
			})
			Expect(se.Param).To(Equal("tiers[1][up_to]"), "up_to must ascend: 10, then 5")

			se = refused(func(p *stripe.PriceCreateParams) { p.Tiers[0].UpTo = stripe.Int64(0) })
			Expect(se.Param).To(Equal("tiers[0][up_to]"))

			se = refused(func(p *stripe.PriceCreateParams) { p.Tiers[1].UnitAmount, p.Tiers[1].FlatAmount = nil, nil })
			Expect(se.Msg).To(Equal("An entry in the tiers array is missing an amount."))
			Expect(se.Param).To(Equal("amount"))

			se = refused(func(p *stripe.PriceCreateParams) { p.Tiers[0].UnitAmountDecimal = stripe.Float64(1000) })
			Expect(se.Msg).To(Equal("You may only specify one of these parameters: unit_amount, unit_amount_decimal."))
			Expect(se.Param).To(Equal("tiers[0][unit_amount]"))

			se = refused(func(p *stripe.PriceCreateParams) { p.Tiers[1].FlatAmountDecimal = stripe.Float64(500) })
			Expect(se.Msg).To(Equal("You may only specify one of these parameters: flat_amount, flat_amount_decimal."))
			Expect(se.Param).To(Equal("tiers[1][flat_amount]"))

			se = refused(func(p *stripe.PriceCreateParams) { p.Tiers[0].UnitAmount = stripe.Int64(-1) })
			Expect(se.Param).To(Equal("tiers[0][unit_amount]"))

			se = refused(func(p *stripe.PriceCreateParams) {
				p.Tiers[1].FlatAmount = nil
				p.Tiers[1].FlatAmountDecimal = stripe.Float64(0.5)
			})
			Expect(se.Param).To(Equal("tiers[1][flat_amount_decimal]"), "a flat amount is a whole number of cents")

			Expect(prices()).To(BeEmpty())
			Expect(emu.Events("")).To(HaveLen(eventsBefore), "a refused request records no event")
		})
	})
})
