package billing_test

import (
	"net/url"
	"strings"
	"time"

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
		// switching offers plan changes, which the update flows need.
		switching *stripe.BillingPortalConfiguration
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		// A customer paying by card: the subscription is active, as one
		// the portal manages is (an incomplete one takes no changes).
		cus = customerWithCard(sc, "portal@example.com", "pm_card_visa", "")
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro"),
			DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(900),
				Recurring: &stripe.ProductCreateDefaultPriceDataRecurringParams{Interval: stripe.String("month")}}})
		Expect(err).NotTo(HaveOccurred())
		sub, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(prod.DefaultPrice.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		switching, err = sc.V1BillingPortalConfigurations.Create(Ctx, &stripe.BillingPortalConfigurationCreateParams{Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
			SubscriptionUpdate: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams{Enabled: stripe.Bool(true),
				DefaultAllowedUpdates: []*string{stripe.String("price"), stripe.String("quantity")},
				Products: []*stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateProductParams{{Product: stripe.String(prod.ID),
					Prices: []*string{stripe.String(prod.DefaultPrice.ID)}}}}}})
		Expect(err).NotTo(HaveOccurred())
	})

	It("opens a session on the account's default configuration, and announces it", func() {
		p := &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), ReturnURL: stripe.String("https://example.com/account")}
		p.AddExpand("configuration")
		s, err := sc.V1BillingPortalSessions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.ID).To(HavePrefix("bps_"))
		Expect(s.URL).To(Equal(emu.URL()+"/p/session/"+s.ID), "the emulator's portal page")
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
		_, err = sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(other.ID), Configuration: stripe.String(switching.ID),
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
		s, err = sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), Configuration: stripe.String(switching.ID),
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

	It("refuses a cancellation flow for a subscription already set to cancel, as Stripe does", func() {
		cancelFlow := func() error {
			_, err := sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID),
				FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_cancel"),
					SubscriptionCancel: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelParams{Subscription: stripe.String(sub.ID)}}})
			return err
		}
		_, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		err = cancelFlow()
		ExpectStripeError(err, 400, "invalid_request_error", "", "flow_data[subscription_cancel][subscription]")
		Expect(StripeErr(err).Msg).To(Equal("The subscription " + sub.ID + " is already set to be canceled at period end."))

		// A cancel_at set on it is refused alike (Stripe answers the same).
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(false),
			CancelAt: stripe.Int64(emu.Clock().Now().Add(20 * 24 * time.Hour).Unix())})
		Expect(err).NotTo(HaveOccurred())
		ExpectStripeError(cancelFlow(), 400, "invalid_request_error", "", "flow_data[subscription_cancel][subscription]")
		Expect(emu.EventTypes("")).NotTo(ContainElement("billing_portal.session.created"))

		// Renewed, it can be canceled through the portal again.
		status, _, err := emu.Call("POST", "/v1/subscriptions/"+sub.ID, url.Values{"cancel_at": {""}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		Expect(cancelFlow()).To(Succeed())
	})

	It("refuses an update flow that would offer nothing to change to, as Stripe does", func() {
		// switching lists only the subscription's own price: with quantity
		// changes off there is nothing the customer could change.
		fixed, err := sc.V1BillingPortalConfigurations.Update(Ctx, switching.ID, &stripe.BillingPortalConfigurationUpdateParams{Features: &stripe.BillingPortalConfigurationUpdateFeaturesParams{
			SubscriptionUpdate: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateParams{DefaultAllowedUpdates: []*string{stripe.String("price")}}}})
		Expect(err).NotTo(HaveOccurred())
		updateFlow := func() error {
			_, err := sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), Configuration: stripe.String(fixed.ID),
				FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_update"),
					SubscriptionUpdate: &stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateParams{Subscription: stripe.String(sub.ID)}}})
			return err
		}
		err = updateFlow()
		ExpectStripeError(err, 400, "invalid_request_error", "", "flow_data[subscription_update][subscription]")
		Expect(StripeErr(err).Msg).To(ContainSubstring("no price in the portal configuration available to change to"))
		Expect(emu.EventTypes("")).NotTo(ContainElement("billing_portal.session.created"))

		// Nor does a price in a currency the subscription is not billed in.
		euro, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(sub.Items.Data[0].Price.Product.ID), Currency: stripe.String("eur"),
			UnitAmount: stripe.Int64(8000), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("year")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BillingPortalConfigurations.Update(Ctx, switching.ID, &stripe.BillingPortalConfigurationUpdateParams{Features: &stripe.BillingPortalConfigurationUpdateFeaturesParams{
			SubscriptionUpdate: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateParams{
				Products: []*stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateProductParams{{Product: stripe.String(euro.Product.ID),
					Prices: []*string{stripe.String(sub.Items.Data[0].Price.ID), stripe.String(euro.ID)}}}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(StripeErr(updateFlow()).Msg).To(ContainSubstring("no price in the portal configuration available to change to"))

		// A second price of the product gives the customer a choice.
		yearly, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(sub.Items.Data[0].Price.Product.ID), Currency: stripe.String("usd"),
			UnitAmount: stripe.Int64(9000), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("year")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BillingPortalConfigurations.Update(Ctx, switching.ID, &stripe.BillingPortalConfigurationUpdateParams{Features: &stripe.BillingPortalConfigurationUpdateFeaturesParams{
			SubscriptionUpdate: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateParams{
				Products: []*stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateProductParams{{Product: stripe.String(yearly.Product.ID),
					Prices: []*string{stripe.String(sub.Items.Data[0].Price.ID), stripe.String(yearly.ID)}}}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(updateFlow()).To(Succeed())
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
		// Stripe's reference shows a configuration created without them
		// offering five reasons, not collected until enabled.
		Expect(cfg.Features.SubscriptionCancel.CancellationReason.Enabled).To(BeFalse())
		Expect(cfg.Features.SubscriptionCancel.CancellationReason.Options).To(Equal([]stripe.BillingPortalConfigurationFeaturesSubscriptionCancelCancellationReasonOption{
			"too_expensive", "missing_features", "switched_service", "unused", "other"}))

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

	// Stripe's object: application is the "ID of the Connect Application
	// that created the configuration" (Connect only).
	It("names the platform's Connect application on a configuration it creates on a connected account, and none on the account's own", func() {
		acct := Seller(emu, nil)
		p := &stripe.BillingPortalConfigurationCreateParams{Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
			InvoiceHistory: &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)}}}
		p.SetStripeAccount(acct.ID)
		p.AddExpand("application")
		cfg, err := sc.V1BillingPortalConfigurations.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.Application).NotTo(BeNil())
		Expect(cfg.Application.ID).To(Equal(emu.ConnectApplication()))
		gp := &stripe.BillingPortalConfigurationRetrieveParams{}
		gp.SetStripeAccount(acct.ID)
		got, err := sc.V1BillingPortalConfigurations.Retrieve(Ctx, cfg.ID, gp)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Application.ID).To(Equal(emu.ConnectApplication()))

		By("the platform's own configuration, and the connected account's default, naming none")
		Expect(switching.Application).To(BeNil())
		bp := &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(mustCustomerOn(sc, acct.ID))}
		bp.SetStripeAccount(acct.ID)
		s, err := sc.V1BillingPortalSessions.Create(Ctx, bp)
		Expect(err).NotTo(HaveOccurred())
		gp = &stripe.BillingPortalConfigurationRetrieveParams{}
		gp.SetStripeAccount(acct.ID)
		def, err := sc.V1BillingPortalConfigurations.Retrieve(Ctx, s.Configuration.ID, gp)
		Expect(err).NotTo(HaveOccurred())
		Expect(def.IsDefault).To(BeTrue())
		Expect(def.Application).To(BeNil(), "saved by the account itself, in its Dashboard")
	})
})

var _ = Describe("Customer portal configurations and flows, held to Stripe's rules", Label("billing", "portal"), func() {
	var (
		emu        *emulator.Emulator
		sc         *stripe.Client
		cus        *stripe.Customer
		prod       *stripe.Product
		basic, pro *stripe.Price
		sub        *stripe.Subscription
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		// A customer paying by card: the subscription is active, as one
		// the portal manages is (an incomplete one takes no changes).
		cus = customerWithCard(sc, "switch@example.com", "pm_card_visa", "")
		prod, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plans")})
		Expect(err).NotTo(HaveOccurred())
		// One price per billing interval: the portal offers no more for
		// each product.
		basic, pro = recurringPrice(sc, prod.ID, "month", 900), recurringPrice(sc, prod.ID, "year", 29000)
		sub, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID)}}})
		Expect(err).NotTo(HaveOccurred())
	})

	switcher := func(prices ...string) *stripe.BillingPortalConfigurationCreateParams {
		ps := make([]*string, len(prices))
		for i := range prices {
			ps[i] = stripe.String(prices[i])
		}
		return &stripe.BillingPortalConfigurationCreateParams{Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
			SubscriptionUpdate: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams{Enabled: stripe.Bool(true),
				DefaultAllowedUpdates: []*string{stripe.String("price")},
				Products:              []*stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateProductParams{{Product: stripe.String(prod.ID), Prices: ps}}}}}
	}

	It("keeps the products a customer may switch between, shown only when expanded", func() {
		p := switcher(basic.ID, pro.ID)
		p.AddExpand("features.subscription_update.products")
		cfg, err := sc.V1BillingPortalConfigurations.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.Features.SubscriptionUpdate.Products).To(HaveLen(1))
		Expect(cfg.Features.SubscriptionUpdate.Products[0].Product).To(Equal(prod.ID))
		Expect(cfg.Features.SubscriptionUpdate.Products[0].Prices).To(Equal([]string{basic.ID, pro.ID}))
		Expect(cfg.Features.SubscriptionUpdate.Products[0].AdjustableQuantity.Enabled).To(BeTrue())

		got, err := sc.V1BillingPortalConfigurations.Retrieve(Ctx, cfg.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Features.SubscriptionUpdate.Products).To(BeNil(), "left out unless expanded")

		up := &stripe.BillingPortalConfigurationUpdateParams{Features: &stripe.BillingPortalConfigurationUpdateFeaturesParams{
			SubscriptionUpdate: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateParams{
				Products: []*stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateProductParams{{Product: stripe.String(prod.ID),
					Prices:             []*string{stripe.String(pro.ID)},
					AdjustableQuantity: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateProductAdjustableQuantityParams{Enabled: stripe.Bool(false)}}}}}}
		up.AddExpand("features.subscription_update.products")
		got, err = sc.V1BillingPortalConfigurations.Update(Ctx, cfg.ID, up)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Features.SubscriptionUpdate.Products[0].Prices).To(Equal([]string{pro.ID}))
		Expect(got.Features.SubscriptionUpdate.Products[0].AdjustableQuantity.Enabled).To(BeFalse())
		Expect(emu.EventTypes("")).To(ContainElement("billing_portal.configuration.created"))
		Expect(emu.EventTypes("")).To(ContainElement("billing_portal.configuration.updated"))

		// Only the listed prices may be offered in a deep link.
		_, err = sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), Configuration: stripe.String(cfg.ID),
			FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_update_confirm"),
				SubscriptionUpdateConfirm: &stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateConfirmParams{Subscription: stripe.String(sub.ID),
					Items: []*stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateConfirmItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(basic.ID)}}}}})
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(400))
		Expect(se.Msg).To(Equal("The item `" + sub.Items.Data[0].ID + "` cannot be updated to price `" + basic.ID + "` because the configuration `" + cfg.ID +
			"` does not include the price in its `features[subscription_update][products]`."))
		s, err := sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), Configuration: stripe.String(cfg.ID),
			FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_update_confirm"),
				SubscriptionUpdateConfirm: &stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateConfirmParams{Subscription: stripe.String(sub.ID),
					Items: []*stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateConfirmItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(pro.ID)}}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Flow.SubscriptionUpdateConfirm.Items[0].Price).To(Equal(pro.ID))

		// An item of another subscription is not this subscription's.
		_, err = sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), Configuration: stripe.String(cfg.ID),
			FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_update_confirm"),
				SubscriptionUpdateConfirm: &stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateConfirmParams{Subscription: stripe.String(sub.ID),
					Items: []*stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateConfirmItemParams{{ID: stripe.String("si_nope"), Quantity: stripe.Int64(2)}}}}})
		se = StripeErr(err)
		Expect(se.Code).To(Equal(stripe.ErrorCodeResourceMissing))
		Expect(se.Param).To(Equal("flow_data[subscription_update_confirm][items][0][id]"))

		// Stripe: "subscriptions with multiple items are not updatable".
		other, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Add-on")})
		Expect(err).NotTo(HaveOccurred())
		addon, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(other.ID), Currency: stripe.String("usd"),
			UnitAmount: stripe.Int64(100), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SubscriptionItems.Create(Ctx, &stripe.SubscriptionItemCreateParams{Subscription: stripe.String(sub.ID), Price: stripe.String(addon.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), Configuration: stripe.String(cfg.ID),
			FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_update"),
				SubscriptionUpdate: &stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateParams{Subscription: stripe.String(sub.ID)}}})
		se = StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(400))
		Expect(se.Param).To(Equal("flow_data[subscription_update][subscription]"))
	})

	It("offers one price per billing interval of each product, as Stripe's portal does, refusing a second", func() {
		again := recurringPrice(sc, prod.ID, "month", 1900)
		_, err := sc.V1BillingPortalConfigurations.Create(Ctx, switcher(basic.ID, pro.ID, again.ID))
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(400))
		Expect(se.Type).To(Equal(stripe.ErrorTypeInvalidRequest))
		Expect(se.Param).To(Equal("features[subscription_update][products][0][prices][2]"))
		Expect(se.Msg).To(ContainSubstring(basic.ID))
		Expect(emu.Count("", "billing_portal.configuration")).To(BeZero())

		cfg, err := sc.V1BillingPortalConfigurations.Create(Ctx, switcher(basic.ID, pro.ID))
		Expect(err).NotTo(HaveOccurred())
		up := &stripe.BillingPortalConfigurationUpdateParams{Features: &stripe.BillingPortalConfigurationUpdateFeaturesParams{
			SubscriptionUpdate: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateParams{
				Products: []*stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionUpdateProductParams{{Product: stripe.String(prod.ID),
					Prices: []*string{stripe.String(again.ID), stripe.String(basic.ID)}}}}}}
		up.AddExpand("features.subscription_update.products")
		_, err = sc.V1BillingPortalConfigurations.Update(Ctx, cfg.ID, up)
		Expect(StripeErr(err).Param).To(Equal("features[subscription_update][products][0][prices][1]"))
		got, err := sc.V1BillingPortalConfigurations.Retrieve(Ctx, cfg.ID, &stripe.BillingPortalConfigurationRetrieveParams{
			Params: stripe.Params{Expand: []*string{stripe.String("features.subscription_update.products")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Features.SubscriptionUpdate.Products[0].Prices).To(Equal([]string{basic.ID, pro.ID}), "the refused update changed nothing")

		// Every three months is another billing interval than every month.
		quarterly, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(2500),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), IntervalCount: stripe.Int64(3)}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BillingPortalConfigurations.Create(Ctx, switcher(basic.ID, quarterly.ID, pro.ID))
		Expect(err).NotTo(HaveOccurred())
	})

	It("refuses configurations Stripe refuses, keeping nothing", func() {
		oneTime, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500)})
		Expect(err).NotTo(HaveOccurred())
		noProducts := switcher()
		noProducts.Features.SubscriptionUpdate.Products = nil
		// Required with plan switching on since 2024-09-30.acacia made it
		// optional only when off.
		noAllowed := switcher(basic.ID)
		noAllowed.Features.SubscriptionUpdate.DefaultAllowedUpdates = nil
		for _, tc := range []struct {
			p     *stripe.BillingPortalConfigurationCreateParams
			param string
		}{
			{noProducts, "features[subscription_update][products]"},
			{noAllowed, "features[subscription_update][default_allowed_updates]"},
			{switcher(oneTime.ID), "features[subscription_update][products][0][prices][0]"},
			{switcher("price_nope"), "features[subscription_update][products][0][prices][0]"},
			{&stripe.BillingPortalConfigurationCreateParams{Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
				SubscriptionCancel: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true), Mode: stripe.String("whenever")}}},
				"features[subscription_cancel][mode]"},
			{&stripe.BillingPortalConfigurationCreateParams{Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
				SubscriptionCancel: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true),
					CancellationReason: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelCancellationReasonParams{Enabled: stripe.Bool(true)}}}},
				"features[subscription_cancel][cancellation_reason][options]"},
			{&stripe.BillingPortalConfigurationCreateParams{Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
				SubscriptionCancel: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Mode: stripe.String("immediately")}}},
				"features[subscription_cancel][enabled]"},
			{&stripe.BillingPortalConfigurationCreateParams{Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
				InvoiceHistory: &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)}},
				BusinessProfile: &stripe.BillingPortalConfigurationCreateBusinessProfileParams{Headline: stripe.String(strings.Repeat("h", 61))}},
				"business_profile[headline]"},
			{&stripe.BillingPortalConfigurationCreateParams{Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
				CustomerUpdate: &stripe.BillingPortalConfigurationCreateFeaturesCustomerUpdateParams{Enabled: stripe.Bool(true), AllowedUpdates: []*string{stripe.String("email"), stripe.String("password")}}}},
				"features[customer_update][allowed_updates][1]"},
		} {
			_, err := sc.V1BillingPortalConfigurations.Create(Ctx, tc.p)
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(400))
			Expect(se.Param).To(Equal(tc.param), "%v", err)
		}
		Expect(emu.Count("", "billing_portal.configuration")).To(BeZero())
		Expect(emu.EventTypes("")).NotTo(ContainElement("billing_portal.configuration.created"))

		// Disabling the login page deactivates its URL.
		withLogin, err := sc.V1BillingPortalConfigurations.Create(Ctx, &stripe.BillingPortalConfigurationCreateParams{
			Features:  &stripe.BillingPortalConfigurationCreateFeaturesParams{InvoiceHistory: &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)}},
			LoginPage: &stripe.BillingPortalConfigurationCreateLoginPageParams{Enabled: stripe.Bool(true)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(withLogin.LoginPage.URL).To(HavePrefix(emu.URL() + "/p/login/test_"))
		withLogin, err = sc.V1BillingPortalConfigurations.Update(Ctx, withLogin.ID, &stripe.BillingPortalConfigurationUpdateParams{
			LoginPage: &stripe.BillingPortalConfigurationUpdateLoginPageParams{Enabled: stripe.Bool(false)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(withLogin.LoginPage.Enabled).To(BeFalse())
		Expect(withLogin.LoginPage.URL).To(BeEmpty())

		// Emptying a list leaves an empty list.
		cfg, err := sc.V1BillingPortalConfigurations.Create(Ctx, &stripe.BillingPortalConfigurationCreateParams{Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
			CustomerUpdate: &stripe.BillingPortalConfigurationCreateFeaturesCustomerUpdateParams{Enabled: stripe.Bool(true), AllowedUpdates: []*string{stripe.String("email")}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.Features.CustomerUpdate.AllowedUpdates).To(Equal([]stripe.BillingPortalConfigurationFeaturesCustomerUpdateAllowedUpdate{"email"}))
		status, body, err := emu.Call("POST", "/v1/billing_portal/configurations/"+cfg.ID, url.Values{"features[customer_update][allowed_updates]": {""}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		Expect(body["features"].(map[string]any)["customer_update"].(map[string]any)["allowed_updates"]).To(Equal([]any{}))
	})

	It("refuses an empty string for a setting Stripe cannot unset, keeping the configuration whole", func() {
		cfg, err := sc.V1BillingPortalConfigurations.Create(Ctx, &stripe.BillingPortalConfigurationCreateParams{Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
			InvoiceHistory: &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)}},
			BusinessProfile: &stripe.BillingPortalConfigurationCreateBusinessProfileParams{Headline: stripe.String("Acme"), PrivacyPolicyURL: stripe.String("https://acme.example/privacy")}})
		Expect(err).NotTo(HaveOccurred())
		for _, param := range []string{"features", "features[invoice_history]", "features[subscription_cancel]", "features[subscription_cancel][mode]",
			"features[subscription_cancel][proration_behavior]", "features[subscription_cancel][cancellation_reason]", "features[subscription_update][proration_behavior]",
			"features[subscription_update][schedule_at_period_end]", "login_page", "business_profile"} {
			status, body, err := emu.Call("POST", "/v1/billing_portal/configurations/"+cfg.ID, url.Values{param: {""}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(400), param)
			e := body["error"].(map[string]any)
			Expect(e["code"]).To(Equal("parameter_invalid_empty"), param)
			Expect(e["param"]).To(Equal(param))
		}
		got, err := sc.V1BillingPortalConfigurations.Retrieve(Ctx, cfg.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Features.InvoiceHistory.Enabled).To(BeTrue())
		Expect(got.Features.SubscriptionCancel.Mode).To(Equal(stripe.BillingPortalConfigurationFeaturesSubscriptionCancelModeAtPeriodEnd))
		Expect(emu.EventTypes("")).NotTo(ContainElement("billing_portal.configuration.updated"))

		// What Stripe's spec lets an update empty is emptied.
		status, body, err := emu.Call("POST", "/v1/billing_portal/configurations/"+cfg.ID, url.Values{"business_profile[headline]": {""},
			"business_profile[privacy_policy_url]": {""}, "features[subscription_update][schedule_at_period_end][conditions]": {""}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		bp := body["business_profile"].(map[string]any)
		Expect(bp["headline"]).To(BeNil())
		Expect(bp["privacy_policy_url"]).To(BeNil())
		// A portal session's request may empty nothing.
		for _, param := range []string{"configuration", "return_url", "flow_data", "flow_data[after_completion]", "locale"} {
			form := url.Values{"customer": {cus.ID}, param: {""}}
			if strings.HasPrefix(param, "flow_data[") {
				form.Set("flow_data[type]", "payment_method_update")
			}
			status, body, err := emu.Call("POST", "/v1/billing_portal/sessions", form, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(400), param)
			Expect(body["error"].(map[string]any)["param"]).To(Equal(param))
		}
		Expect(emu.EventTypes("")).NotTo(ContainElement("billing_portal.session.created"))
		// A create takes only its own: the privacy policy URL is not among them.
		status, _, err = emu.Call("POST", "/v1/billing_portal/configurations", url.Values{"features[invoice_history][enabled]": {"true"},
			"business_profile[privacy_policy_url]": {""}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(400))
	})

	It("prorates cancellations only when they are immediate, never invoices them at once, and asks for what Stripe requires", func() {
		cancel := func(mode, proration string) *stripe.BillingPortalConfigurationCreateParams {
			return &stripe.BillingPortalConfigurationCreateParams{Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
				SubscriptionCancel: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true),
					Mode: stripe.String(mode), ProrationBehavior: stripe.String(proration)}}}
		}
		cfg, err := sc.V1BillingPortalConfigurations.Create(Ctx, cancel("immediately", "create_prorations"))
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.Features.SubscriptionCancel.ProrationBehavior).To(Equal(stripe.BillingPortalConfigurationFeaturesSubscriptionCancelProrationBehaviorCreateProrations))

		_, err = sc.V1BillingPortalConfigurations.Create(Ctx, cancel("immediately", "always_invoice"))
		ExpectStripeError(err, 400, "invalid_request_error", "", "features[subscription_cancel][proration_behavior]")
		_, err = sc.V1BillingPortalConfigurations.Create(Ctx, cancel("at_period_end", "create_prorations"))
		ExpectStripeError(err, 400, "invalid_request_error", "", "features[subscription_cancel][proration_behavior]")
		// Moving an immediate, prorating cancellation to the period's end
		// is refused too, and changes nothing.
		_, err = sc.V1BillingPortalConfigurations.Update(Ctx, cfg.ID, &stripe.BillingPortalConfigurationUpdateParams{Features: &stripe.BillingPortalConfigurationUpdateFeaturesParams{
			SubscriptionCancel: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionCancelParams{Mode: stripe.String("at_period_end")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "features[subscription_cancel][proration_behavior]")
		cfg, err = sc.V1BillingPortalConfigurations.Retrieve(Ctx, cfg.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.Features.SubscriptionCancel.Mode).To(Equal(stripe.BillingPortalConfigurationFeaturesSubscriptionCancelModeImmediately))
		Expect(emu.Count("", "billing_portal.configuration")).To(Equal(1))

		// An update may send a cancellation reason's options alone only
		// with its enabled, which Stripe's spec requires there too.
		_, err = sc.V1BillingPortalConfigurations.Update(Ctx, cfg.ID, &stripe.BillingPortalConfigurationUpdateParams{Features: &stripe.BillingPortalConfigurationUpdateFeaturesParams{
			SubscriptionCancel: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionCancelParams{CancellationReason: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionCancelCancellationReasonParams{
				Options: []*string{stripe.String("too_expensive")}}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "features[subscription_cancel][cancellation_reason][enabled]")
		cfg, err = sc.V1BillingPortalConfigurations.Update(Ctx, cfg.ID, &stripe.BillingPortalConfigurationUpdateParams{Features: &stripe.BillingPortalConfigurationUpdateFeaturesParams{
			SubscriptionCancel: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionCancelParams{CancellationReason: &stripe.BillingPortalConfigurationUpdateFeaturesSubscriptionCancelCancellationReasonParams{
				Enabled: stripe.Bool(true)}}}})
		Expect(err).NotTo(HaveOccurred(), "options are not required on update")
		Expect(cfg.Features.SubscriptionCancel.CancellationReason.Enabled).To(BeTrue())
	})

	It("says a flow's type and its after_completion's type are missing when they are, as Stripe requires them", func() {
		_, err := sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID),
			FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{AfterCompletion: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{Type: stripe.String("portal_homepage")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "flow_data[type]")
		_, err = sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID),
			FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("payment_method_update"),
				AfterCompletion: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{
					HostedConfirmation: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionHostedConfirmationParams{CustomMessage: stripe.String("Thanks!")}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "flow_data[after_completion][type]")
		Expect(emu.EventTypes("")).NotTo(ContainElement("billing_portal.session.created"))
	})

	It("refuses a flow's settings for another type than its own as a conflict, not as a parameter it does not emulate", func() {
		for _, tc := range []struct {
			flow  *stripe.BillingPortalSessionCreateFlowDataParams
			param string
		}{
			{&stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("payment_method_update"),
				SubscriptionCancel: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelParams{Subscription: stripe.String(sub.ID)}},
				"flow_data[subscription_cancel]"},
			{&stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_cancel"),
				SubscriptionCancel: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelParams{Subscription: stripe.String(sub.ID)},
				SubscriptionUpdate: &stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateParams{Subscription: stripe.String(sub.ID)}},
				"flow_data[subscription_update]"},
			{&stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("payment_method_update"),
				AfterCompletion: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{Type: stripe.String("portal_homepage"),
					Redirect: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionRedirectParams{ReturnURL: stripe.String("https://example.com/done")}}},
				"flow_data[after_completion][redirect]"},
			{&stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("payment_method_update"),
				AfterCompletion: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{Type: stripe.String("redirect"),
					Redirect:           &stripe.BillingPortalSessionCreateFlowDataAfterCompletionRedirectParams{ReturnURL: stripe.String("https://example.com/done")},
					HostedConfirmation: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionHostedConfirmationParams{CustomMessage: stripe.String("Thanks!")}}},
				"flow_data[after_completion][hosted_confirmation]"},
		} {
			_, err := sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), FlowData: tc.flow})
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(400))
			Expect(se.Type).To(Equal(stripe.ErrorTypeInvalidRequest))
			Expect(se.Param).To(Equal(tc.param))
			Expect(se.Msg).To(ContainSubstring("can only be"), "%v", err)
			Expect(se.Msg).NotTo(ContainSubstring("does not emulate"))
		}
		Expect(emu.EventTypes("")).NotTo(ContainElement("billing_portal.session.created"))
	})

	It("refuses a return URL without a scheme, as Stripe's URL check refuses Checkout's, keeping nothing", func() {
		const msg = "Invalid URL: An explicit scheme (such as https) must be provided."
		_, err := sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), ReturnURL: stripe.String("example.com/account")})
		ExpectStripeError(err, 400, "invalid_request_error", "url_invalid", "return_url")
		Expect(StripeErr(err).Msg).To(Equal(msg))
		_, err = sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID),
			FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("payment_method_update"),
				AfterCompletion: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{Type: stripe.String("redirect"),
					Redirect: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionRedirectParams{ReturnURL: stripe.String("/done")}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "url_invalid", "flow_data[after_completion][redirect][return_url]")
		Expect(emu.EventTypes("")).NotTo(ContainElement("billing_portal.session.created"))

		_, err = sc.V1BillingPortalConfigurations.Create(Ctx, &stripe.BillingPortalConfigurationCreateParams{DefaultReturnURL: stripe.String("example.com"),
			Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{InvoiceHistory: &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "url_invalid", "default_return_url")
		cfg, err := sc.V1BillingPortalConfigurations.Create(Ctx, &stripe.BillingPortalConfigurationCreateParams{DefaultReturnURL: stripe.String("https://example.com"),
			Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{InvoiceHistory: &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BillingPortalConfigurations.Update(Ctx, cfg.ID, &stripe.BillingPortalConfigurationUpdateParams{DefaultReturnURL: stripe.String("example.com")})
		ExpectStripeError(err, 400, "invalid_request_error", "url_invalid", "default_return_url")
		got, err := sc.V1BillingPortalConfigurations.Retrieve(Ctx, cfg.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.DefaultReturnURL).To(Equal("https://example.com"))
	})

	It("opens a flow only where the configuration offers it, in a locale Stripe has", func() {
		cfg, err := sc.V1BillingPortalConfigurations.Create(Ctx, &stripe.BillingPortalConfigurationCreateParams{Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{
			InvoiceHistory: &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)}}})
		Expect(err).NotTo(HaveOccurred())
		for _, fd := range []*stripe.BillingPortalSessionCreateFlowDataParams{
			{Type: stripe.String("payment_method_update")},
			{Type: stripe.String("subscription_cancel"), SubscriptionCancel: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelParams{Subscription: stripe.String(sub.ID)}},
			{Type: stripe.String("subscription_update"), SubscriptionUpdate: &stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateParams{Subscription: stripe.String(sub.ID)}},
		} {
			_, err := sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), Configuration: stripe.String(cfg.ID), FlowData: fd})
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(400))
			Expect(se.Param).To(Equal("flow_data[type]"), "%v", err)
		}
		// The Dashboard's default configuration offers card updates and
		// cancellations.
		s, err := sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), Locale: stripe.String("fr-CA"),
			FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("payment_method_update")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Locale).To(Equal("fr-CA"))
		Expect(s.Flow.Type).To(Equal(stripe.BillingPortalSessionFlowTypePaymentMethodUpdate))

		_, err = sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), Locale: stripe.String("klingon")})
		Expect(StripeErr(err).Param).To(Equal("locale"))
		_, err = sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID),
			FlowData: &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("payment_method_update"),
				AfterCompletion: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{Type: stripe.String("hosted_confirmation"),
					HostedConfirmation: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionHostedConfirmationParams{CustomMessage: stripe.String(strings.Repeat("x", 501))}}}})
		se := StripeErr(err)
		Expect(se.Param).To(Equal("flow_data[after_completion][hosted_confirmation][custom_message]"))
		Expect(se.Msg).To(Equal("Invalid string: xxxx...xxxx; must be at most 500 characters"))
	})
})

// mustCustomerOn is a new customer of the connected account acct.
func mustCustomerOn(sc *stripe.Client, acct string) string {
	GinkgoHelper()
	p := &stripe.CustomerCreateParams{Email: stripe.String("connected@example.com")}
	p.SetStripeAccount(acct)
	cus, err := sc.V1Customers.Create(Ctx, p)
	Expect(err).NotTo(HaveOccurred())
	return cus.ID
}
