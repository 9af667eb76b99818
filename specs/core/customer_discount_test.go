package core_test

import (
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("A customer's own discount", Label("customers", "discounts"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("loyal@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})

	coupon := func(p *stripe.CouponCreateParams) *stripe.Coupon {
		GinkgoHelper()
		c, err := sc.V1Coupons.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return c
	}
	retrieve := func() *stripe.Customer {
		GinkgoHelper()
		p := &stripe.CustomerRetrieveParams{}
		p.AddExpand("discount.promotion_code")
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, p)
		Expect(err).NotTo(HaveOccurred())
		return got
	}
	// typesSince are the types of the events recorded after the first n.
	typesSince := func(n int) []string { return emu.EventTypes("")[n:] }

	It("is refused as coupon or promotion_code on customers, as at API version basil", func() {
		loyal := coupon(&stripe.CouponCreateParams{ID: stripe.String("LOYAL"), PercentOff: stripe.Float64(20), Duration: stripe.String("forever")})
		create := &stripe.CustomerCreateParams{Email: stripe.String("new@example.com")}
		create.AddExtra("coupon", loyal.ID)
		_, err := sc.V1Customers.Create(Ctx, create)
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_unknown", "coupon")
		Expect(StripeErr(err).Msg).To(Equal("Received unknown parameter: coupon"))
		update := &stripe.CustomerUpdateParams{}
		update.AddExtra("promotion_code", "promo_whatever")
		_, err = sc.V1Customers.Update(Ctx, cus.ID, update)
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_unknown", "promotion_code")
		Expect(emu.Count("", "customer")).To(Equal(1))
		Expect(emu.Count("", "discount")).To(BeZero())
		Expect(retrieve().Discount).To(BeNil())
	})

	It("is applied as the Dashboard does, replaced and deleted, with events", func() {
		loyal := coupon(&stripe.CouponCreateParams{ID: stripe.String("LOYAL"), PercentOff: stripe.Float64(20), Duration: stripe.String("forever")})
		quarter := coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(25), Duration: stripe.String("repeating"), DurationInMonths: stripe.Int64(3)})
		promo, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(quarter.ID), Code: stripe.String("QUARTER")})
		Expect(err).NotTo(HaveOccurred())
		seen := len(emu.Events(""))

		applied, err := emu.ApplyCustomerDiscount("", cus.ID, emulator.CustomerDiscount{Coupon: loyal.ID})
		Expect(err).NotTo(HaveOccurred())
		Expect(applied["discount"]).To(HaveKeyWithValue("id", HavePrefix("di_")))
		got := retrieve()
		d := got.Discount
		Expect(d).NotTo(BeNil())
		Expect(d.ID).To(HavePrefix("di_"))
		Expect(d.Object).To(Equal("discount"))
		Expect(d.Coupon.ID).To(Equal("LOYAL"))
		Expect(d.Customer.ID).To(Equal(cus.ID))
		Expect(d.Subscription).To(BeEmpty())
		Expect(d.Invoice).To(BeEmpty())
		Expect(d.CheckoutSession).To(BeEmpty())
		Expect(d.PromotionCode).To(BeNil())
		Expect(d.Start).To(Equal(emu.Clock().Unix()))
		Expect(d.End).To(BeZero(), "a forever coupon's discount has no end")
		Expect(typesSince(seen)).To(Equal([]string{"customer.discount.created", "customer.updated"}))
		evs := emu.Events("")
		created := evs[seen]["data"].(map[string]any)["object"].(map[string]any)
		Expect(created["id"]).To(Equal(d.ID))
		Expect(created["customer"]).To(Equal(cus.ID))
		Expect(evs[seen+1]["data"].(map[string]any)["previous_attributes"]).To(Equal(map[string]any{"discount": nil}))
		first := d.ID

		emu.Clock().Advance(24 * time.Hour)
		seen = len(emu.Events(""))
		_, err = emu.ApplyCustomerDiscount("", cus.ID, emulator.CustomerDiscount{PromotionCode: promo.ID})
		Expect(err).NotTo(HaveOccurred())
		d = retrieve().Discount
		Expect(d.ID).NotTo(Equal(first), "a new discount replaces the old one")
		Expect(d.Coupon.ID).To(Equal(quarter.ID))
		Expect(d.PromotionCode.Code).To(Equal("QUARTER"), "discount.promotion_code expands")
		Expect(d.Start).To(Equal(emu.Clock().Unix()))
		Expect(d.End).To(Equal(emu.Clock().Now().UTC().AddDate(0, 3, 0).Unix()), "a repeating coupon's discount ends after its months")
		Expect(typesSince(seen)).To(Equal([]string{"customer.discount.updated", "customer.updated"}))
		updated := emu.Events("")[seen]["data"].(map[string]any)
		Expect(updated["object"].(map[string]any)["id"]).To(Equal(d.ID))
		Expect(updated["previous_attributes"]).To(HaveKeyWithValue("id", first))
		for id, times := range map[string]int64{loyal.ID: 1, quarter.ID: 1} {
			c, err := sc.V1Coupons.Retrieve(Ctx, id, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(c.TimesRedeemed).To(Equal(times), id)
		}
		promo, err = sc.V1PromotionCodes.Retrieve(Ctx, promo.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(promo.TimesRedeemed).To(Equal(int64(1)))

		seen = len(emu.Events(""))
		del, err := sc.V1Customers.DeleteDiscount(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(del.Deleted).To(BeTrue())
		Expect(del.ID).To(Equal(d.ID), "the answer is the deleted discount")
		Expect(del.Object).To(Equal("discount"))
		Expect(retrieve().Discount).To(BeNil())
		Expect(typesSince(seen)).To(Equal([]string{"customer.discount.deleted", "customer.updated"}))
		removed := emu.Events("")[seen]["data"].(map[string]any)["object"].(map[string]any)
		Expect(removed["id"]).To(Equal(d.ID))

		_, err = sc.V1Customers.DeleteDiscount(Ctx, cus.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "")
		Expect(StripeErr(err).Msg).To(Equal("No active discount for customer " + cus.ID))
		_, err = sc.V1Customers.DeleteDiscount(Ctx, "cus_missing", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})

	It("ends a repeating discount after its months, as time passes", func() {
		c := coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("repeating"), DurationInMonths: stripe.Int64(1)})
		_, err := emu.ApplyCustomerDiscount("", cus.ID, emulator.CustomerDiscount{Coupon: c.ID})
		Expect(err).NotTo(HaveOccurred())
		end := retrieve().Discount.End
		Expect(end).To(Equal(emu.Clock().Now().UTC().AddDate(0, 1, 0).Unix()))
		emu.Clock().Set(time.Unix(end-1, 0))
		Expect(retrieve().Discount).NotTo(BeNil())
		seen := len(emu.Events(""))
		emu.Clock().Set(time.Unix(end, 0))
		Expect(retrieve().Discount).To(BeNil())
		Expect(typesSince(seen)).To(Equal([]string{"customer.discount.deleted", "customer.updated"}))
		Expect(emu.Events("")[seen]["created"]).To(BeNumerically("==", end))
	})

	It("refuses what can't be redeemed, keeping nothing", func() {
		spent := coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(10), MaxRedemptions: stripe.Int64(1)})
		other, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("other@example.com")})
		Expect(err).NotTo(HaveOccurred())
		_, err = emu.ApplyCustomerDiscount("", other.ID, emulator.CustomerDiscount{Coupon: spent.ID})
		Expect(err).NotTo(HaveOccurred())
		theirs, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(5)}).ID),
			Customer: stripe.String(other.ID)})
		Expect(err).NotTo(HaveOccurred())
		expired := coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(15), RedeemBy: stripe.Int64(emu.Clock().Unix() + 60)})
		// A customer's discount has no amount to hold a minimum to.
		minimum, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(coupon(&stripe.CouponCreateParams{PercentOff: stripe.Float64(5)}).ID),
			Restrictions: &stripe.PromotionCodeCreateRestrictionsParams{MinimumAmount: stripe.Int64(1000), MinimumAmountCurrency: stripe.String("usd")}})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(time.Minute)
		seen := len(emu.Events(""))
		discounts := emu.Count("", "discount")

		for _, bad := range []struct {
			d    emulator.CustomerDiscount
			what string
		}{
			{emulator.CustomerDiscount{Coupon: "NOPE"}, "No such coupon: 'NOPE'"},
			{emulator.CustomerDiscount{Coupon: spent.ID}, "Coupon expired: " + spent.ID},
			{emulator.CustomerDiscount{Coupon: expired.ID}, "Coupon expired: " + expired.ID},
			{emulator.CustomerDiscount{PromotionCode: theirs.ID}, "cannot be redeemed by this customer"},
			{emulator.CustomerDiscount{PromotionCode: minimum.ID}, "stripe-emu does not emulate the `minimum_amount` restriction"},
			{emulator.CustomerDiscount{Coupon: spent.ID, PromotionCode: theirs.ID}, "coupon, promotion_code"},
			{emulator.CustomerDiscount{}, "needs a `coupon` or a `promotion_code`"},
		} {
			_, err := emu.ApplyCustomerDiscount("", cus.ID, bad.d)
			Expect(err).To(MatchError(ContainSubstring(bad.what)))
		}
		_, err = emu.ApplyCustomerDiscount("", "cus_missing", emulator.CustomerDiscount{Coupon: expired.ID})
		Expect(err).To(MatchError(ContainSubstring("No such customer: 'cus_missing'")))
		Expect(retrieve().Discount).To(BeNil())
		Expect(emu.Count("", "discount")).To(Equal(discounts))
		Expect(emu.Events("")).To(HaveLen(seen))
	})

	It("is applied over the control surface too", func() {
		c := coupon(&stripe.CouponCreateParams{AmountOff: stripe.Int64(500), Currency: stripe.String("usd"), Duration: stripe.String("once")})
		r := Do(emu.URL(), "POST", "/_emu/customers/"+cus.ID+"/discount", `{"coupon": "`+c.ID+`"}`, "Content-Type", "application/json")
		Expect(r.Status).To(Equal(200))
		Expect(r.Body["discount"]).To(HaveKeyWithValue("coupon", HaveKeyWithValue("id", c.ID)))
		Expect(retrieve().Discount.Coupon.AmountOff).To(Equal(int64(500)))
		r = Do(emu.URL(), "POST", "/_emu/customers/"+cus.ID+"/discount", `{"coupon": "NOPE"}`, "Content-Type", "application/json")
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()).To(HaveKeyWithValue("param", "coupon"))
		Expect(r.Error()).To(HaveKeyWithValue("code", "resource_missing"))
		_, body, err := emu.Call("GET", "/v1/customers/"+cus.ID, url.Values{}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(body["discount"]).To(HaveKeyWithValue("coupon", HaveKeyWithValue("id", c.ID)), "a refused replacement leaves the discount")
	})
})
