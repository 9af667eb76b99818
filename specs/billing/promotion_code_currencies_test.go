package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// A promotion code's minimum amount in several currencies:
// restrictions[currency_options][<cur>][minimum_amount] beside its
// minimum_amount and minimum_amount_currency, shown only with
// expand[]=restrictions.currency_options, and held to what it discounts
// in that currency.
var _ = Describe("Promotion code minimums in several currencies", Label("billing", "discounts", "currencies"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		_, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{ID: stripe.String("TEN"), PercentOff: stripe.Float64(10), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
	})

	code := func(options map[string]*stripe.PromotionCodeCreateRestrictionsCurrencyOptionsParams) (*stripe.PromotionCode, error) {
		return sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{
			Coupon: stripe.String("TEN"), Code: stripe.String("BIGBASKET"),
			Restrictions: &stripe.PromotionCodeCreateRestrictionsParams{
				MinimumAmount: stripe.Int64(5000), MinimumAmountCurrency: stripe.String("usd"), CurrencyOptions: options,
			},
		})
	}

	subscribe := func(promo string, amount int64) error {
		GinkgoHelper()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Basket")})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Product: stripe.String(prod.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(amount),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
		})
		Expect(err).NotTo(HaveOccurred())
		cus := customerWithCard(sc, "basket@example.com", "pm_card_visa", "")
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
			Customer:  stripe.String(cus.ID),
			Items:     []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
			Discounts: []*stripe.SubscriptionCreateDiscountParams{{PromotionCode: stripe.String(promo)}},
		})
		return err
	}

	It("keeps the options, shown only when expanded, the code's own currency among them", func() {
		pc, err := code(map[string]*stripe.PromotionCodeCreateRestrictionsCurrencyOptionsParams{"eur": {MinimumAmount: stripe.Int64(4500)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pc.Restrictions.CurrencyOptions).To(BeNil())
		p := &stripe.PromotionCodeRetrieveParams{}
		p.AddExpand("restrictions.currency_options")
		got, err := sc.V1PromotionCodes.Retrieve(Ctx, pc.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Restrictions.CurrencyOptions).To(HaveLen(2))
		Expect(got.Restrictions.CurrencyOptions["usd"].MinimumAmount).To(Equal(int64(5000)))
		Expect(got.Restrictions.CurrencyOptions["eur"].MinimumAmount).To(Equal(int64(4500)))
		Expect(got.Restrictions.MinimumAmount).To(Equal(int64(5000)))
	})

	It("holds an amount in that currency to the option's minimum", func() {
		pc, err := code(map[string]*stripe.PromotionCodeCreateRestrictionsCurrencyOptionsParams{"eur": {MinimumAmount: stripe.Int64(4500)}})
		Expect(err).NotTo(HaveOccurred())
		err = subscribe(pc.ID, 4000)
		ExpectStripeError(err, 400, "invalid_request_error", "", "discounts[0][promotion_code]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("does not meet the minimum amount requirement"))
		Expect(subscribe(pc.ID, 4600)).To(Succeed())
	})

	It("refuses options in an unsupported currency, without a minimum, or without a minimum_amount of the code's own, keeping nothing", func() {
		_, err := code(map[string]*stripe.PromotionCodeCreateRestrictionsCurrencyOptionsParams{"xyz": {MinimumAmount: stripe.Int64(1)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "restrictions[currency_options][xyz]")
		_, err = code(map[string]*stripe.PromotionCodeCreateRestrictionsCurrencyOptionsParams{"eur": {MinimumAmount: stripe.Int64(-1)}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "restrictions[currency_options][eur][minimum_amount]")
		_, err = sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{
			Coupon: stripe.String("TEN"),
			Restrictions: &stripe.PromotionCodeCreateRestrictionsParams{
				CurrencyOptions: map[string]*stripe.PromotionCodeCreateRestrictionsCurrencyOptionsParams{"eur": {MinimumAmount: stripe.Int64(4500)}},
			},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "restrictions[currency_options]")
		Expect(emu.Count("", "promotion_code")).To(BeZero())
	})

	It("adds and replaces options on update", func() {
		pc, err := code(nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(subscribe(pc.ID, 4600)).NotTo(Succeed(), "no eur minimum yet: an amount in eur does not meet it")
		_, err = sc.V1PromotionCodes.Update(Ctx, pc.ID, &stripe.PromotionCodeUpdateParams{
			Restrictions: &stripe.PromotionCodeUpdateRestrictionsParams{
				CurrencyOptions: map[string]*stripe.PromotionCodeUpdateRestrictionsCurrencyOptionsParams{"eur": {MinimumAmount: stripe.Int64(4500)}},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(subscribe(pc.ID, 4600)).To(Succeed())
	})
})
