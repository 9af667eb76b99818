package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// An amount-off coupon in several currencies: "Coupons defined in each
// available currency option (only supported if `amount_off` is passed)"
// (API reference, create a coupon), shown only when currency_options is
// expanded, and taken off in the currency of what it discounts.
var _ = Describe("Coupons in several currencies", Label("coupons", "currencies"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	multi := func(id string) *stripe.Coupon {
		GinkgoHelper()
		cp, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{
			ID: stripe.String(id), AmountOff: stripe.Int64(500), Currency: stripe.String("usd"), Duration: stripe.String("forever"),
			CurrencyOptions: map[string]*stripe.CouponCreateCurrencyOptionsParams{"eur": {AmountOff: stripe.Int64(400)}},
		})
		Expect(err).NotTo(HaveOccurred())
		return cp
	}

	It("keeps the options, shown only when expanded, its own currency among them", func() {
		cp := multi("FIVE")
		Expect(cp.CurrencyOptions).To(BeNil())
		p := &stripe.CouponRetrieveParams{}
		p.AddExpand("currency_options")
		got, err := sc.V1Coupons.Retrieve(Ctx, cp.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.CurrencyOptions).To(HaveLen(2))
		Expect(got.CurrencyOptions["usd"].AmountOff).To(Equal(int64(500)))
		Expect(got.CurrencyOptions["eur"].AmountOff).To(Equal(int64(400)))
	})

	It("refuses options on a percent-off coupon, options taking nothing off and unsupported currencies, keeping nothing", func() {
		_, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{
			ID: stripe.String("PCT"), PercentOff: stripe.Float64(10),
			CurrencyOptions: map[string]*stripe.CouponCreateCurrencyOptionsParams{"eur": {AmountOff: stripe.Int64(400)}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency_options")
		_, err = sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{
			ID: stripe.String("NOAMT"), AmountOff: stripe.Int64(500), Currency: stripe.String("usd"),
			CurrencyOptions: map[string]*stripe.CouponCreateCurrencyOptionsParams{"eur": {AmountOff: stripe.Int64(0)}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency_options[eur][amount_off]")
		_, err = sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{
			ID: stripe.String("BADCUR"), AmountOff: stripe.Int64(500), Currency: stripe.String("usd"),
			CurrencyOptions: map[string]*stripe.CouponCreateCurrencyOptionsParams{"xyz": {AmountOff: stripe.Int64(1)}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency_options[xyz]")
		for _, id := range []string{"PCT", "NOAMT", "BADCUR"} {
			_, err := sc.V1Coupons.Retrieve(Ctx, id, nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		}
	})

	It("takes its option's amount off a subscription billed in that currency", func() {
		multi("FIVE")
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Box")})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Product: stripe.String(prod.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(2000),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
		})
		Expect(err).NotTo(HaveOccurred())
		cus := customerWithCard(sc, "eur@example.com", "pm_card_visa", "")
		p := &stripe.SubscriptionCreateParams{
			Customer:  stripe.String(cus.ID),
			Items:     []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
			Discounts: []*stripe.SubscriptionCreateDiscountParams{{Coupon: stripe.String("FIVE")}},
		}
		p.AddExpand("latest_invoice")
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		inv := sub.LatestInvoice
		Expect(string(inv.Currency)).To(Equal("eur"))
		Expect(inv.TotalDiscountAmounts).To(HaveLen(1))
		Expect(inv.TotalDiscountAmounts[0].Amount).To(Equal(int64(400)))
		Expect(inv.Total).To(Equal(int64(1600)))
		Expect(inv.Lines.Data[0].DiscountAmounts[0].Amount).To(Equal(int64(400)))
	})

	It("adds and replaces options on update, with coupon.updated, and still refuses a currency it has none for", func() {
		multi("FIVE")
		before := len(emu.Events(""))
		_, err := sc.V1Coupons.Update(Ctx, "FIVE", &stripe.CouponUpdateParams{
			CurrencyOptions: map[string]*stripe.CouponUpdateCurrencyOptionsParams{"gbp": {AmountOff: stripe.Int64(350)}, "eur": {AmountOff: stripe.Int64(450)}},
		})
		Expect(err).NotTo(HaveOccurred())
		events := emu.Events("")
		Expect(events).To(HaveLen(before + 1))
		Expect(events[len(events)-1]["type"]).To(Equal("coupon.updated"))
		p := &stripe.CouponRetrieveParams{}
		p.AddExpand("currency_options")
		got, err := sc.V1Coupons.Retrieve(Ctx, "FIVE", p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.CurrencyOptions).To(HaveLen(3))
		Expect(got.CurrencyOptions["eur"].AmountOff).To(Equal(int64(450)))
		Expect(got.CurrencyOptions["gbp"].AmountOff).To(Equal(int64(350)))

		cus := customerWithCard(sc, "jpy@example.com", "pm_card_visa", "")
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Yen box")})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Product: stripe.String(prod.ID), Currency: stripe.String("jpy"), UnitAmount: stripe.Int64(2000),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
			Customer:  stripe.String(cus.ID),
			Items:     []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
			Discounts: []*stripe.SubscriptionCreateDiscountParams{{Coupon: stripe.String("FIVE")}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "discounts[0][coupon]")
	})

	It("refuses options on updating a percent-off coupon", func() {
		_, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{ID: stripe.String("PCT"), PercentOff: stripe.Float64(10)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Coupons.Update(Ctx, "PCT", &stripe.CouponUpdateParams{
			CurrencyOptions: map[string]*stripe.CouponUpdateCurrencyOptionsParams{"eur": {AmountOff: stripe.Int64(400)}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency_options")
	})
})
