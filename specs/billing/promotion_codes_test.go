package billing_test

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Promotion codes as customers type them", Label("billing", "discounts"), func() {
	var (
		emu    *emulator.Emulator
		sc     *stripe.Client
		coupon *stripe.Coupon
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		coupon, err = sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
	})
	promotion := func(p *stripe.PromotionCodeCreateParams) (*stripe.PromotionCode, error) {
		p.Coupon = stripe.String(coupon.ID)
		return sc.V1PromotionCodes.Create(Ctx, p)
	}

	It("keeps a code unique among active codes whatever its case, and finds it by code whatever the case", func() {
		summer, err := promotion(&stripe.PromotionCodeCreateParams{Code: stripe.String("SUMMER")})
		Expect(err).NotTo(HaveOccurred())
		_, err = promotion(&stripe.PromotionCodeCreateParams{Code: stripe.String("summer")})
		// Stripe's words as recorded from live requests: no param.
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("An active promotion code with `code: summer` already exists."))
		Expect(emu.Count("", "promotion_code")).To(Equal(1))

		var found []string
		for p, err := range sc.V1PromotionCodes.List(Ctx, &stripe.PromotionCodeListParams{Code: stripe.String("Summer")}) {
			Expect(err).NotTo(HaveOccurred())
			found = append(found, p.ID)
		}
		Expect(found).To(Equal([]string{summer.ID}), "the code filter is case-insensitive")

		// Once the first is inactive, the code may be used again, and
		// the first cannot come back beside it.
		_, err = sc.V1PromotionCodes.Update(Ctx, summer.ID, &stripe.PromotionCodeUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		_, err = promotion(&stripe.PromotionCodeCreateParams{Code: stripe.String("Summer")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PromotionCodes.Update(Ctx, summer.ID, &stripe.PromotionCodeUpdateParams{Active: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "active")
	})

	It("lets two customers each have their own code of the same name", func() {
		var ids []string
		for _, email := range []string{"a@example.com", "b@example.com"} {
			cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String(email)})
			Expect(err).NotTo(HaveOccurred())
			p, err := promotion(&stripe.PromotionCodeCreateParams{Code: stripe.String("WELCOME"), Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, p.ID)
		}
		_, err := promotion(&stripe.PromotionCodeCreateParams{Code: stripe.String("welcome")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
	})

	It("refuses a code for a deleted customer, as for an unknown one", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("gone@example.com")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Delete(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = promotion(&stripe.PromotionCodeCreateParams{Customer: stripe.String(cus.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "customer")
		Expect(StripeErr(err).Msg).To(Equal("No such customer: '" + cus.ID + "'"))
		Expect(emu.Count("", "promotion_code")).To(BeZero())
	})

	// Stripe's reference names letters and digits; its validation, as
	// integrators have recorded it from live requests, also takes dashes
	// and underscores, and words the refusal with its pattern.
	It("takes letters, digits, dashes and underscores in a code, refusing others in Stripe's words", func() {
		for _, bad := range []string{"10%OFF", "spring sale"} {
			_, err := promotion(&stripe.PromotionCodeCreateParams{Code: stripe.String(bad)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "code")
			Expect(StripeErr(err).Msg).To(Equal(`This value must match the regex pattern. (/\A[a-zA-Z0-9\-_]+\z/ does not match for the value ` + bad + `).`))
		}
		Expect(emu.Count("", "promotion_code")).To(BeZero())
		for _, good := range []string{"Summer25", "SUMMER-25", "spring_sale"} {
			p, err := promotion(&stripe.PromotionCodeCreateParams{Code: stripe.String(good)})
			Expect(err).NotTo(HaveOccurred())
			Expect(p.Code).To(Equal(good))
		}
	})

	It("refuses an expires_at in the past or more than five years ahead in Stripe's words", func() {
		now := emu.Clock().Now().Unix()
		_, err := promotion(&stripe.PromotionCodeCreateParams{ExpiresAt: stripe.Int64(now - 60)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "expires_at")
		Expect(StripeErr(err).Msg).To(Equal(fmt.Sprintf("The parameter `expires_at` expects a unix timestamp representing a date and time in the future. You specified the value `%d` which is in the past.", now-60)))
		_, err = promotion(&stripe.PromotionCodeCreateParams{ExpiresAt: stripe.Int64(now + 5*365*86400 + 3600)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "expires_at")
		Expect(StripeErr(err).Msg).To(Equal("Invalid timestamp: can be no more than five years in the future."))
		Expect(emu.Count("", "promotion_code")).To(BeZero())
		p, err := promotion(&stripe.PromotionCodeCreateParams{ExpiresAt: stripe.Int64(now + 5*365*86400 - 3600)})
		Expect(err).NotTo(HaveOccurred())
		Expect(p.ExpiresAt).To(Equal(now + 5*365*86400 - 3600))
	})

	It("refuses a coupon name over 40 characters, quoting it as Stripe does", func() {
		_, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(5),
			Name: stripe.String("Kineo — first month intro (basic/USD/value)")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "name")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: Kine...lue); must be at most 40 characters"))
		_, err = sc.V1Coupons.Update(Ctx, coupon.ID, &stripe.CouponUpdateParams{Name: stripe.String("Kineo — first month intro (basic/USD/value)")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "name")
		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(5), Name: stripe.String("Kineo — first month intro (basic/USD)")})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Name).To(HaveLen(len("Kineo — first month intro (basic/USD)")))
	})

	It("allows a code no more redemptions than its coupon", func() {
		limited, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), MaxRedemptions: stripe.Int64(5)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(limited.ID), MaxRedemptions: stripe.Int64(6)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "max_redemptions")
		Expect(emu.Count("", "promotion_code")).To(BeZero())
		p, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(limited.ID), MaxRedemptions: stripe.Int64(5)})
		Expect(err).NotTo(HaveOccurred())
		Expect(p.MaxRedemptions).To(Equal(int64(5)))
	})

	It("counts a paid invoice, a free trial's too, as a customer's prior transaction", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		price := recurringPrice(sc, prod.ID, "month", 1000)
		cus := customerWithCard(sc, "returning@example.com", "pm_card_visa", "")
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}, TrialPeriodDays: stripe.Int64(7)})
		Expect(err).NotTo(HaveOccurred())
		first, err := promotion(&stripe.PromotionCodeCreateParams{Restrictions: &stripe.PromotionCodeCreateRestrictionsParams{FirstTimeTransaction: stripe.Bool(true)}})
		Expect(err).NotTo(HaveOccurred())
		other := recurringPrice(sc, prod.ID, "year", 10000)
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:     []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(other.ID)}},
			Discounts: []*stripe.SubscriptionCreateDiscountParams{{PromotionCode: stripe.String(first.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "discounts[0][promotion_code]")
		Expect(StripeErr(err).Msg).To(Equal("This promotion code cannot be redeemed because the associated customer has prior transactions."))
	})

	It("shows its coupon as the coupon now is: renamed, redeemed to its limit, past its redeem_by", func() {
		limited, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), MaxRedemptions: stripe.Int64(1),
			Name: stripe.String("Spring")})
		Expect(err).NotTo(HaveOccurred())
		code, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(limited.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Coupons.Update(Ctx, limited.ID, &stripe.CouponUpdateParams{Name: stripe.String("Summer"), Metadata: map[string]string{"season": "summer"}})
		Expect(err).NotTo(HaveOccurred())
		got, err := sc.V1PromotionCodes.Retrieve(Ctx, code.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Coupon.Name).To(Equal("Summer"))
		Expect(got.Coupon.Metadata).To(Equal(map[string]string{"season": "summer"}))

		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		cus := customerWithCard(sc, "spring@example.com", "pm_card_visa", "")
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:     []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(recurringPrice(sc, prod.ID, "month", 1000).ID)}},
			Discounts: []*stripe.SubscriptionCreateDiscountParams{{PromotionCode: stripe.String(code.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		got, err = sc.V1PromotionCodes.Retrieve(Ctx, code.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.TimesRedeemed).To(Equal(int64(1)))
		Expect(got.Coupon.TimesRedeemed).To(Equal(int64(1)))
		Expect(got.Coupon.Valid).To(BeFalse(), "its coupon has been redeemed as often as it may be")
		// stripe-go: "A promotion code is only active if the coupon is also valid."
		Expect(got.Active).To(BeFalse())

		_, err = sc.V1PromotionCodes.Update(Ctx, code.ID, &stripe.PromotionCodeUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PromotionCodes.Update(Ctx, code.ID, &stripe.PromotionCodeUpdateParams{Active: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "active")

		dated, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), RedeemBy: stripe.Int64(emu.Clock().Now().Add(time.Hour).Unix())})
		Expect(err).NotTo(HaveOccurred())
		datedCode, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(dated.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(datedCode.Coupon.Valid).To(BeTrue())
		emu.Clock().Advance(2 * time.Hour)
		listed := 0
		for p, err := range sc.V1PromotionCodes.List(Ctx, &stripe.PromotionCodeListParams{Coupon: stripe.String(dated.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(p.Coupon.Valid).To(BeFalse(), "past its coupon's redeem_by")
			Expect(p.Active).To(BeFalse())
			listed++
		}
		Expect(listed).To(Equal(1))
		for range sc.V1PromotionCodes.List(Ctx, &stripe.PromotionCodeListParams{Coupon: stripe.String(dated.ID), Active: stripe.Bool(true)}) {
			Fail("a code whose coupon is past its redeem_by is not active")
		}
	})

	It("shows a coupon past its redeem_by as not valid when it is renamed or deleted, as on retrieval", func() {
		dated, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), RedeemBy: stripe.Int64(emu.Clock().Now().Add(time.Hour).Unix())})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(2 * time.Hour)
		seen := len(emu.Events(""))
		renamed, err := sc.V1Coupons.Update(Ctx, dated.ID, &stripe.CouponUpdateParams{Name: stripe.String("Gone")})
		Expect(err).NotTo(HaveOccurred())
		Expect(renamed.Valid).To(BeFalse())
		_, err = sc.V1Coupons.Delete(Ctx, dated.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		evs := emu.Events("")[seen:]
		Expect(evs).To(HaveLen(2))
		Expect(evs[0]["type"]).To(Equal("coupon.updated"))
		data := evs[0]["data"].(map[string]any)
		Expect(data["object"].(map[string]any)["valid"]).To(BeFalse())
		Expect(data["previous_attributes"]).To(Equal(map[string]any{"name": nil}), "only the name changed")
		Expect(evs[1]["type"]).To(Equal("coupon.deleted"))
		Expect(evs[1]["data"].(map[string]any)["object"].(map[string]any)["valid"]).To(BeFalse())
	})

	It("shows a code whose coupon is past its redeem_by as inactive in promotion_code.updated, as on retrieval", func() {
		dated, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), RedeemBy: stripe.Int64(emu.Clock().Now().Add(time.Hour).Unix())})
		Expect(err).NotTo(HaveOccurred())
		code, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(dated.ID)})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(2 * time.Hour)
		seen := len(emu.Events(""))
		got, err := sc.V1PromotionCodes.Update(Ctx, code.ID, &stripe.PromotionCodeUpdateParams{Metadata: map[string]string{"batch": "2"}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Active).To(BeFalse())
		evs := emu.Events("")[seen:]
		Expect(evs).To(HaveLen(1))
		data := evs[0]["data"].(map[string]any)
		obj := data["object"].(map[string]any)
		Expect(obj["active"]).To(BeFalse())
		Expect(obj["coupon"].(map[string]any)["valid"]).To(BeFalse())
		Expect(data["previous_attributes"]).To(Equal(map[string]any{"metadata": map[string]any{"batch": nil}}), "only the metadata changed")
	})

	It("refuses a new code for a coupon that can no longer be redeemed, making nothing", func() {
		// stripe-go: "A promotion code is only active if the coupon is also
		// valid"; a code for a spent coupon could never be redeemed.
		spent, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), MaxRedemptions: stripe.Int64(1)})
		Expect(err).NotTo(HaveOccurred())
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("spent@example.com")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
			Discounts: []*stripe.InvoiceCreateDiscountParams{{Coupon: stripe.String(spent.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		dated, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), RedeemBy: stripe.Int64(emu.Clock().Now().Add(time.Hour).Unix())})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(2 * time.Hour)

		for _, id := range []string{spent.ID, dated.ID} {
			_, err = sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(id), Code: stripe.String("LATECOMER")})
			ExpectStripeError(err, 400, "invalid_request_error", "coupon_expired", "coupon")
			Expect(StripeErr(err).Msg).To(Equal("Coupon expired: " + id))
		}
		Expect(emu.Count("", "promotion_code")).To(BeZero())
		// Its code stays free for a coupon that can be redeemed.
		fresh, err := promotion(&stripe.PromotionCodeCreateParams{Code: stripe.String("LATECOMER")})
		Expect(err).NotTo(HaveOccurred())
		Expect(fresh.Active).To(BeTrue())
	})

	It("deactivates the codes of a deleted coupon, freeing their code for a new one", func() {
		c, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10)})
		Expect(err).NotTo(HaveOccurred())
		code, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(c.ID), Code: stripe.String("AUTUMN")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Coupons.Delete(Ctx, c.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		got, err := sc.V1PromotionCodes.Retrieve(Ctx, code.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Active).To(BeFalse())
		_, err = sc.V1PromotionCodes.Update(Ctx, code.ID, &stripe.PromotionCodeUpdateParams{Active: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "active")

		other, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(20)})
		Expect(err).NotTo(HaveOccurred())
		again, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(other.ID), Code: stripe.String("autumn")})
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Active).To(BeTrue())
	})

	It("reactivates a code only while it could still be redeemed", func() {
		expiring, err := promotion(&stripe.PromotionCodeCreateParams{ExpiresAt: stripe.Int64(emu.Clock().Now().Add(time.Hour).Unix())})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PromotionCodes.Update(Ctx, expiring.ID, &stripe.PromotionCodeUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(2 * time.Hour)
		_, err = sc.V1PromotionCodes.Update(Ctx, expiring.ID, &stripe.PromotionCodeUpdateParams{Active: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "active")
		Expect(StripeErr(err).Msg).To(ContainSubstring("expired"))

		once, err := promotion(&stripe.PromotionCodeCreateParams{MaxRedemptions: stripe.Int64(1)})
		Expect(err).NotTo(HaveOccurred())
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		cus := customerWithCard(sc, "once@example.com", "pm_card_visa", "")
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:     []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(recurringPrice(sc, prod.ID, "month", 1000).ID)}},
			Discounts: []*stripe.SubscriptionCreateDiscountParams{{PromotionCode: stripe.String(once.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PromotionCodes.Update(Ctx, once.ID, &stripe.PromotionCodeUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PromotionCodes.Update(Ctx, once.ID, &stripe.PromotionCodeUpdateParams{Active: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "active")
		Expect(StripeErr(err).Msg).To(ContainSubstring("maximum number of times"))
		got, err := sc.V1PromotionCodes.Retrieve(Ctx, once.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Active).To(BeFalse())
	})

	It("refuses a code with a minimum amount on a subscription update, where the amount may change", func() {
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		cus := customerWithCard(sc, "min@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(recurringPrice(sc, prod.ID, "month", 5000).ID)}}})
		Expect(err).NotTo(HaveOccurred())
		min, err := promotion(&stripe.PromotionCodeCreateParams{Restrictions: &stripe.PromotionCodeCreateRestrictionsParams{
			MinimumAmount: stripe.Int64(1000), MinimumAmountCurrency: stripe.String("usd")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Discounts: []*stripe.SubscriptionUpdateDiscountParams{{PromotionCode: stripe.String(min.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "discounts[0][promotion_code]")
		Expect(StripeErr(err).Msg).To(Equal("This promotion code cannot be redeemed on a subscription update because it uses the `minimum_amount` restriction and the amount may change."))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Discounts).To(BeEmpty())
		Expect(emu.Count("", "discount")).To(BeZero())
	})

	It("refuses a code with a minimum amount on invoices and quotes as not emulated, redeeming nothing", func() {
		// Their amount is not known when the code is redeemed; what Stripe
		// answers there is unconfirmed, so the code is not redeemed unchecked.
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("minimum@example.com")})
		Expect(err).NotTo(HaveOccurred())
		min, err := promotion(&stripe.PromotionCodeCreateParams{Restrictions: &stripe.PromotionCodeCreateRestrictionsParams{
			MinimumAmount: stripe.Int64(1000), MinimumAmountCurrency: stripe.String("usd")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
			Discounts: []*stripe.InvoiceCreateDiscountParams{{PromotionCode: stripe.String(min.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "discounts[0][promotion_code]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate"))
		_, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			Discounts: []*stripe.QuoteCreateDiscountParams{{PromotionCode: stripe.String(min.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "discounts[0][promotion_code]")
		Expect(emu.Count("", "invoice")).To(BeZero())
		Expect(emu.Count("", "quote")).To(BeZero())
		Expect(emu.Count("", "discount")).To(BeZero())
		got, err := sc.V1PromotionCodes.Retrieve(Ctx, min.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.TimesRedeemed).To(BeZero())
	})
})
