package core_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Details of products and prices as Stripe's API reference describes
// them at the pinned version, checked the way an integration meets them.
var _ = Describe("Catalog fidelity", Label("catalog"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	priceIDs := func(p *stripe.PriceListParams) []string {
		GinkgoHelper()
		ids := []string{}
		for pr, err := range sc.V1Prices.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, pr.ID)
		}
		return ids
	}

	// "Returns a list of your active prices, excluding inline prices. For
	// the list of inactive prices, set active to false." (API reference,
	// List all prices.)
	It("lists active prices unless asked for inactive ones, and never the inline prices price_data made", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Seat")})
		Expect(err).NotTo(HaveOccurred())
		mk := func(key string) *stripe.Price {
			pr, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
				Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500), LookupKey: stripe.String(key),
			})
			Expect(err).NotTo(HaveOccurred())
			return pr
		}
		live, old := mk("seat_current"), mk("seat_2024")
		_, err = sc.V1Prices.Update(Ctx, old.ID, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())

		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		item, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{
			Customer: stripe.String(cus.ID),
			PriceData: &stripe.InvoiceItemCreatePriceDataParams{
				Currency: stripe.String("usd"), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(700),
			},
		})
		Expect(err).NotTo(HaveOccurred())
		inline := item.Pricing.PriceDetails.Price
		Expect(inline).NotTo(BeEmpty())

		Expect(priceIDs(&stripe.PriceListParams{})).To(Equal([]string{live.ID}))
		Expect(priceIDs(&stripe.PriceListParams{Product: stripe.String(prod.ID)})).To(Equal([]string{live.ID}))
		Expect(priceIDs(&stripe.PriceListParams{Active: stripe.Bool(true)})).To(Equal([]string{live.ID}))
		Expect(priceIDs(&stripe.PriceListParams{Active: stripe.Bool(false)})).To(Equal([]string{old.ID}))
		Expect(priceIDs(&stripe.PriceListParams{Active: stripe.Bool(false), Product: stripe.String(prod.ID)})).To(Equal([]string{old.ID}))

		By("looking a price up by its key, as integrations do, finding only a live one")
		Expect(priceIDs(&stripe.PriceListParams{LookupKeys: stripe.StringSlice([]string{"seat_current", "seat_2024"})})).To(Equal([]string{live.ID}))
		Expect(priceIDs(&stripe.PriceListParams{Active: stripe.Bool(false), LookupKeys: stripe.StringSlice([]string{"seat_2024"})})).To(Equal([]string{old.ID}))

		By("searching, which does find inline prices (stripe-python#1724)")
		var found []string
		for pr, err := range sc.V1Prices.Search(Ctx, &stripe.PriceSearchParams{SearchParams: stripe.SearchParams{Query: "active:'false'"}}) {
			Expect(err).NotTo(HaveOccurred())
			found = append(found, pr.ID)
		}
		Expect(found).To(ConsistOf(old.ID, inline))
	})
	It("moves a lookup key on update with transfer_lookup_key, and takes the flag alone as a no-op", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Seat")})
		Expect(err).NotTo(HaveOccurred())
		mk := func(key *string) *stripe.Price {
			pr, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
				Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500), LookupKey: key,
			})
			Expect(err).NotTo(HaveOccurred())
			return pr
		}
		holder, next := mk(stripe.String("seat")), mk(nil)

		_, err = sc.V1Prices.Update(Ctx, next.ID, &stripe.PriceUpdateParams{LookupKey: stripe.String("seat")})
		Expect(StripeErr(err).Msg).To(Equal("A price (`" + holder.ID + "`) already uses that lookup key."))
		Expect(StripeErr(err).Param).To(Equal("lookup_key"))

		moved, err := sc.V1Prices.Update(Ctx, next.ID, &stripe.PriceUpdateParams{LookupKey: stripe.String("seat"), TransferLookupKey: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(moved.LookupKey).To(Equal("seat"))
		got, err := sc.V1Prices.Retrieve(Ctx, holder.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LookupKey).To(BeEmpty())

		same, err := sc.V1Prices.Update(Ctx, moved.ID, &stripe.PriceUpdateParams{TransferLookupKey: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(same.LookupKey).To(Equal("seat"))
	})
	// A price deleted through the Plans API is gone: retrieving it is
	// "No such price". It no longer holds its lookup key, and it is no
	// price a product may point at.
	It("frees a deleted plan's lookup key and refuses its id as a product's default price, as a price that no longer exists", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Seat")})
		Expect(err).NotTo(HaveOccurred())
		gone, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}, LookupKey: stripe.String("seat"),
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Plans.Delete(Ctx, gone.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		eventsBefore := len(emu.Events(""))

		next, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(600), LookupKey: stripe.String("seat"),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(next.LookupKey).To(Equal("seat"))
		Expect(priceIDs(&stripe.PriceListParams{LookupKeys: []*string{stripe.String("seat")}})).To(Equal([]string{next.ID}))
		// Only the new price's price.created: nothing about the deleted one.
		Expect(emu.EventTypes("")[eventsBefore:]).To(Equal([]string{"price.created"}))

		_, err = sc.V1Products.Update(Ctx, prod.ID, &stripe.ProductUpdateParams{DefaultPrice: stripe.String(gone.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "default_price")
		Expect(StripeErr(err).Msg).To(Equal("No such price: '" + gone.ID + "'"))
		got, err := sc.V1Products.Retrieve(Ctx, prod.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.DefaultPrice).To(BeNil())
	})
	// Stripe's answers as integrators have recorded them from live
	// requests: no code and no param, but for the tiered one's.
	It("refuses a price with no product, no amount or a metered one with no meter, and a one-time tiered price, in Stripe's words, creating nothing", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Seat")})
		Expect(err).NotTo(HaveOccurred())
		refused := func(p *stripe.PriceCreateParams, msg, param string) {
			GinkgoHelper()
			_, err := sc.V1Prices.Create(Ctx, p)
			ExpectStripeError(err, 400, "invalid_request_error", "", param)
			Expect(StripeErr(err).Msg).To(Equal(msg))
		}
		refused(&stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100)},
			"You must specify either `product` or `product_data` when creating a price.", "")
		refused(&stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd")},
			"Prices require an `unit_amount` or `unit_amount_decimal` parameter to be set.", "")
		refused(&stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}},
			"Prices require an `unit_amount` or `unit_amount_decimal` parameter to be set.", "")
		refused(&stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(5),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered")}},
			"Starting with Stripe version `2025-03-31.basil`, metered prices must be backed by meters.", "")
		refused(&stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
			BillingScheme: stripe.String("tiered"), TiersMode: stripe.String("volume"),
			Tiers: []*stripe.PriceCreateTierParams{{UpToInf: stripe.Bool(true), UnitAmount: stripe.Int64(500)}}},
			"Prices with `type=one_time` are not supported with tiered billing.", "interval")
		Expect(emu.Count("", "price")).To(BeZero())

		// The same tiers on a recurring price are taken.
		_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
			Recurring:     &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
			BillingScheme: stripe.String("tiered"), TiersMode: stripe.String("volume"),
			Tiers: []*stripe.PriceCreateTierParams{{UpToInf: stripe.Bool(true), UnitAmount: stripe.Int64(500)}}})
		Expect(err).NotTo(HaveOccurred())
	})

	It("refuses a price list by a product that does not exist, as Stripe answers it", func() {
		var err error
		for _, err = range sc.V1Prices.List(Ctx, &stripe.PriceListParams{Product: stripe.String("prod_nope")}) {
			break
		}
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "product")
		Expect(StripeErr(err).Msg).To(Equal("No such product: 'prod_nope'"))
	})
	It("holds a product's description, name and url and a price's nickname to the lengths of Stripe's OpenAPI spec", func() {
		_, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Seat"), Description: stripe.String(strings.Repeat("d", 40001))})
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String(strings.Repeat("n", 5001))})
		ExpectStripeError(err, 400, "invalid_request_error", "", "name")
		_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String(strings.Repeat("n", 5001))}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "product_data[name]")
		Expect(emu.Count("", "product")).To(BeZero())

		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Seat"), Description: stripe.String(strings.Repeat("d", 5000))})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Products.Update(Ctx, prod.ID, &stripe.ProductUpdateParams{URL: stripe.String("https://example.com/" + strings.Repeat("u", 5000))})
		ExpectStripeError(err, 400, "invalid_request_error", "", "url")
		_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1), Nickname: stripe.String(strings.Repeat("n", 5001))})
		ExpectStripeError(err, 400, "invalid_request_error", "", "nickname")
		pr, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Prices.Update(Ctx, pr.ID, &stripe.PriceUpdateParams{Nickname: stripe.String(strings.Repeat("n", 5001))})
		ExpectStripeError(err, 400, "invalid_request_error", "", "nickname")
	})
	// Stripe's OpenAPI spec answers GET /v1/products/{id} with a product
	// only (a customer's may be a deleted_customer): a deleted product is
	// gone.
	It("finds a deleted product no more, by retrieve, update, delete or list", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Bare")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Products.Delete(Ctx, prod.ID, nil)
		Expect(err).NotTo(HaveOccurred())

		_, err = sc.V1Products.Retrieve(Ctx, prod.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(StripeErr(err).Msg).To(Equal("No such product: '" + prod.ID + "'"))
		p := &stripe.ProductRetrieveParams{}
		p.AddExpand("default_price")
		_, err = sc.V1Products.Retrieve(Ctx, prod.ID, p)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		_, err = sc.V1Products.Update(Ctx, prod.ID, &stripe.ProductUpdateParams{Name: stripe.String("Again")})
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		_, err = sc.V1Products.Delete(Ctx, prod.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		for _, err := range sc.V1Products.List(Ctx, &stripe.ProductListParams{IDs: stripe.StringSlice([]string{prod.ID})}) {
			Expect(err).NotTo(HaveOccurred())
			Fail("a deleted product listed")
		}
	})
	// Stripe's reference: the product list's ids "Cannot be used with
	// starting_after or ending_before".
	It("refuses a product list by ids with starting_after or ending_before", func() {
		a, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("A")})
		Expect(err).NotTo(HaveOccurred())
		b, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("B")})
		Expect(err).NotTo(HaveOccurred())
		after := &stripe.ProductListParams{IDs: stripe.StringSlice([]string{a.ID, b.ID})}
		after.StartingAfter = stripe.String(b.ID)
		before := &stripe.ProductListParams{IDs: stripe.StringSlice([]string{a.ID, b.ID})}
		before.EndingBefore = stripe.String(a.ID)
		for _, p := range []*stripe.ProductListParams{after, before} {
			refused := false
			for _, err := range sc.V1Products.List(Ctx, p) {
				ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "ids")
				refused = true
				break
			}
			Expect(refused).To(BeTrue())
		}
		var ids []string
		for prod, err := range sc.V1Products.List(Ctx, &stripe.ProductListParams{IDs: stripe.StringSlice([]string{a.ID, b.ID})}) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, prod.ID)
		}
		Expect(ids).To(ConsistOf(a.ID, b.ID))
	})
	// Stripe names an enum's values in its spec's order: "Invalid
	// interval: must be one of day, month, week, or year" for a plan's
	// (the message stripe-ruby-mock copies).
	It("names the parameter and Stripe's intervals in order when an interval is not one", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Seat")})
		Expect(err).NotTo(HaveOccurred())
		expectInterval := func(err error, param string) {
			GinkgoHelper()
			ExpectStripeError(err, 400, "invalid_request_error", "", param)
			Expect(StripeErr(err).Msg).To(Equal("Invalid " + param + ": must be one of day, month, week, or year"))
		}
		_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("fortnight")}})
		expectInterval(err, "recurring[interval]")
		_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Seat"), DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{
			Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1), Recurring: &stripe.ProductCreateDefaultPriceDataRecurringParams{Interval: stripe.String("fortnight")}}})
		expectInterval(err, "default_price_data[recurring][interval]")
		_, err = sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{Product: &stripe.PlanCreateProductParams{ID: stripe.String(prod.ID)}, Currency: stripe.String("usd"), Amount: stripe.Int64(1), Interval: stripe.String("fortnight")})
		expectInterval(err, "interval")
		for _, err := range sc.V1Prices.List(Ctx, &stripe.PriceListParams{Recurring: &stripe.PriceListRecurringParams{Interval: stripe.String("fortnight")}}) {
			expectInterval(err, "recurring[interval]")
		}
	})
	It("names Stripe's rounding directions in its order when transform_quantity[round] is not one", func() {
		_, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Seat")},
			Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1),
			TransformQuantity: &stripe.PriceCreateTransformQuantityParams{DivideBy: stripe.Int64(10), Round: stripe.String("nearest")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "transform_quantity[round]")
		Expect(StripeErr(err).Msg).To(Equal("Invalid transform_quantity[round]: must be one of down or up"))
	})
	// A recurring price is a plan, whose trial_period_days is 0 to 730.
	It("holds a recurring price's trial_period_days to what a plan's takes, 0 to 730", func() {
		mk := func(days int64) (*stripe.Price, error) {
			return sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Seat")},
				Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), TrialPeriodDays: stripe.Int64(days)}})
		}
		for _, days := range []int64{-1, 731} {
			_, err := mk(days)
			ExpectStripeError(err, 400, "invalid_request_error", "", "recurring[trial_period_days]")
			Expect(StripeErr(err).Msg).To(Equal("Invalid recurring[trial_period_days]: must be between 0 and 730"))
		}
		Expect(emu.Count("", "price")).To(BeZero())

		pr, err := mk(730)
		Expect(err).NotTo(HaveOccurred())
		Expect(pr.Recurring.TrialPeriodDays).To(Equal(int64(730)))
	})
})
