package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Customer portal", Label("billing", "portal"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
		sub *stripe.Subscription
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("portal@example.com")})
		Expect(err).NotTo(HaveOccurred())
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro"),
			DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(900),
				Recurring: &stripe.ProductCreateDefaultPriceDataRecurringParams{Interval: stripe.String("month")}}})
		Expect(err).NotTo(HaveOccurred())
		sub, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(prod.DefaultPrice.ID)}}, PaymentBehavior: stripe.String("default_incomplete")})
		Expect(err).NotTo(HaveOccurred())
	})

	It("opens a session on the account's default configuration, and announces it", func() {
		p := &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), ReturnURL: stripe.String("https://example.com/account")}
		p.AddExpand("configuration")
		s, err := sc.V1BillingPortalSessions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.ID).To(HavePrefix("bps_"))
		Expect(s.URL).To(HavePrefix("https://billing.stripe.com/p/session/test_"))
		Expect(s.ReturnURL).To(Equal("https://example.com/account"))
		Expect(s.Customer).To(Equal(cus.ID))
		Expect(s.Flow).To(BeNil())
		Expect(s.Configuration.IsDefault).To(BeTrue())
		Expect(s.Configuration.Features.InvoiceHistory.Enabled).To(BeTrue())
		Expect(emu.EventTypes("")).To(ContainElement("billing_portal.session.created"))

		again, err := sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Configuration.ID).To(Equal(s.Configuration.ID), "one default per account")
	})

	It("deep-links a subscription flow for the customer's own subscription only", func() {
		s, err := sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID),
			FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_cancel"),
				SubscriptionCancel: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelParams{Subscription: stripe.String(sub.ID)},
				AfterCompletion: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{Type: stripe.String("redirect"),
					Redirect: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionRedirectParams{ReturnURL: stripe.String("https://example.com/bye")}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Flow.Type).To(Equal(stripe.BillingPortalSessionFlowTypeSubscriptionCancel))
		Expect(s.Flow.SubscriptionCancel.Subscription).To(Equal(sub.ID))
		Expect(s.Flow.AfterCompletion.Redirect.ReturnURL).To(Equal("https://example.com/bye"))

		other, err := sc.V1Customers.Create(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(other.ID),
			FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_update"),
				SubscriptionUpdate: &stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateParams{Subscription: stripe.String(sub.ID)}}})
		se := StripeErr(err)
		Expect(se.Code).To(Equal(stripe.ErrorCodeResourceMissing))
		Expect(se.Param).To(Equal("flow_data[subscription_update][subscription]"))
		_, err = sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String("cus_nope")})
		Expect(StripeErr(err).Param).To(Equal("customer"))
	})

	It("records a cancellation flow's retention offer and an update flow's discount, checked as redeemable", func() {
		coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(20), Duration: stripe.String("once")})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID),
			FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_cancel"),
				SubscriptionCancel: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelParams{Subscription: stripe.String(sub.ID),
					Retention: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelRetentionParams{Type: stripe.String("coupon_offer"),
						CouponOffer: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelRetentionCouponOfferParams{Coupon: stripe.String(coupon.ID)}}},
				AfterCompletion: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{Type: stripe.String("hosted_confirmation"),
					HostedConfirmation: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionHostedConfirmationParams{CustomMessage: stripe.String("See you soon")}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Flow.SubscriptionCancel.Retention.Type).To(Equal(stripe.BillingPortalSessionFlowSubscriptionCancelRetentionTypeCouponOffer))
		Expect(s.Flow.SubscriptionCancel.Retention.CouponOffer.Coupon).To(Equal(coupon.ID))
		Expect(s.Flow.AfterCompletion.HostedConfirmation.CustomMessage).To(Equal("See you soon"))

		promo, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(coupon.ID), Code: stripe.String("STAY20")})
		Expect(err).NotTo(HaveOccurred())
		s, err = sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID),
			FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_update_confirm"),
				SubscriptionUpdateConfirm: &stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateConfirmParams{Subscription: stripe.String(sub.ID),
					Items:     []*stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateConfirmItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(2)}},
					Discounts: []*stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateConfirmDiscountParams{{PromotionCode: stripe.String(promo.ID)}}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Flow.SubscriptionUpdateConfirm.Items[0].Quantity).To(Equal(int64(2)))
		Expect(s.Flow.SubscriptionUpdateConfirm.Discounts).To(HaveLen(1))
		Expect(s.Flow.SubscriptionUpdateConfirm.Discounts[0].PromotionCode).To(Equal(promo.ID))
		Expect(s.Flow.SubscriptionUpdateConfirm.Discounts[0].Coupon).To(BeEmpty())
		Expect(emu.Count("", "discount")).To(BeZero(), "nothing is redeemed until the customer confirms")

		_, err = sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID),
			FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_cancel"),
				SubscriptionCancel: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelParams{Subscription: stripe.String(sub.ID),
					Retention: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelRetentionParams{Type: stripe.String("coupon_offer"),
						CouponOffer: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelRetentionCouponOfferParams{Coupon: stripe.String("NOPE")}}}}})
		se := StripeErr(err)
		Expect(se.Code).To(Equal(stripe.ErrorCodeResourceMissing))
		Expect(se.Param).To(Equal("flow_data[subscription_cancel][retention][coupon_offer][coupon]"))
	})

	It("keeps configurations: create, merge an update, list, and refuse what Stripe refuses", func() {
		cfg, err := sc.V1BillingPortalConfigurations.Create(Ctx, &stripe.BillingPortalConfigurationCreateParams{
			Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
				SubscriptionCancel: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true), Mode: stripe.String("immediately")},
			},
			DefaultReturnURL: stripe.String("https://example.com/home"),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.ID).To(HavePrefix("bpc_"))
		Expect(cfg.IsDefault).To(BeFalse())
		Expect(cfg.Features.SubscriptionCancel.Mode).To(Equal(stripe.BillingPortalConfigurationFeaturesSubscriptionCancelModeImmediately))
		Expect(cfg.Features.InvoiceHistory.Enabled).To(BeTrue(), "features not sent keep Stripe's defaults")

		cfg, err = sc.V1BillingPortalConfigurations.Update(Ctx, cfg.ID, &stripe.BillingPortalConfigurationUpdateParams{
			Features: &stripe.BillingPortalConfigurationUpdateFeaturesParams{PaymentMethodUpdate: &stripe.BillingPortalConfigurationUpdateFeaturesPaymentMethodUpdateParams{Enabled: stripe.Bool(true)}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.Features.PaymentMethodUpdate.Enabled).To(BeTrue())
		Expect(cfg.Features.SubscriptionCancel.Enabled).To(BeTrue(), "an update merges")
		Expect(emu.EventTypes("")).To(ContainElement("billing_portal.configuration.updated"))

		s, err := sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), Configuration: stripe.String(cfg.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.ReturnURL).To(Equal("https://example.com/home"), "the configuration's default return URL")

		_, err = sc.V1BillingPortalConfigurations.Update(Ctx, cfg.ID, &stripe.BillingPortalConfigurationUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), Configuration: stripe.String(cfg.ID)})
		Expect(StripeErr(err).Param).To(Equal("configuration"))

		// The default configuration (at Stripe, the one saved in the
		// Dashboard) exists once a session has used it.
		_, err = sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		var defaults []string
		for c, err := range sc.V1BillingPortalConfigurations.List(Ctx, &stripe.BillingPortalConfigurationListParams{IsDefault: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			defaults = append(defaults, c.ID)
		}
		Expect(defaults).To(HaveLen(1))
		_, err = sc.V1BillingPortalConfigurations.Update(Ctx, defaults[0], &stripe.BillingPortalConfigurationUpdateParams{Active: stripe.Bool(false)})
		Expect(StripeErr(err).Param).To(Equal("active"))
	})
})
