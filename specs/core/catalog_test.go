package core_test

import (
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

		By("refusing prices in several currencies (not emulated), by full name")
		_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Global"), DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{
			Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
			CurrencyOptions: map[string]*stripe.ProductCreateDefaultPriceDataCurrencyOptionsParams{"eur": {UnitAmount: stripe.Int64(900)}}}})
		Expect(StripeErr(err).Param).To(Equal("default_price_data[currency_options]"))
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
})
