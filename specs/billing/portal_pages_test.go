package billing_test

import (
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Customer portal pages", Label("billing", "portal"), func() {
	var (
		emu       *emulator.Emulator
		sc        *stripe.Client
		cus       *stripe.Customer
		sub       *stripe.Subscription
		pro, team *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cus = customerWithCard(sc, "portal@example.com", "pm_card_visa", "")
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		pro = recurringPrice(sc, prod.ID, "month", 900)
		teamProd, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Team")})
		Expect(err).NotTo(HaveOccurred())
		team = recurringPrice(sc, teamProd.ID, "month", 2900)
		sub, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(pro.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
	})
	configure := func(f *stripe.BillingPortalConfigurationCreateFeaturesParams) string {
		GinkgoHelper()
		cfg, err := sc.V1BillingPortalConfigurations.Create(Ctx, &stripe.BillingPortalConfigurationCreateParams{Features: f})
		Expect(err).NotTo(HaveOccurred())
		return cfg.ID
	}
	// switching lets the customer move between Pro and Team.
	switching := func(allowed ...string) *stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams {
		return &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateParams{Enabled: stripe.Bool(true),
			DefaultAllowedUpdates: stripe.StringSlice(allowed), ProrationBehavior: stripe.String("always_invoice"),
			Products: []*stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateProductParams{
				{Product: stripe.String(pro.Product.ID), Prices: []*string{stripe.String(pro.ID)}},
				{Product: stripe.String(team.Product.ID), Prices: []*string{stripe.String(team.ID)}}}}
	}
	open := func(cfg string, flow *stripe.BillingPortalSessionCreateFlowDataParams) *stripe.BillingPortalSession {
		GinkgoHelper()
		p := &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), ReturnURL: stripe.String("https://example.com/account"), FlowData: flow}
		if cfg != "" {
			p.Configuration = stripe.String(cfg)
		}
		s, err := sc.V1BillingPortalSessions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.URL).To(Equal(emu.URL() + "/p/session/" + s.ID))
		return s
	}
	subscription := func() *stripe.Subscription {
		GinkgoHelper()
		s, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	// lastEvent is the newest event of a type, decoded.
	lastEvent := func(typ string) *stripe.Event {
		GinkgoHelper()
		for ev, err := range sc.V1Events.List(Ctx, &stripe.EventListParams{Type: stripe.String(typ)}) {
			Expect(err).NotTo(HaveOccurred())
			return ev
		}
		Fail("no " + typ + " event")
		return nil
	}
	view := func(s *stripe.BillingPortalSession, v, subID string) string {
		return s.URL + "?" + url.Values{"view": {v}, "subscription": {subID}}.Encode()
	}

	It("shows the customer's plans, payment methods and invoices, with a link back to the app", func() {
		s := open("", nil)
		p := Visit("GET", s.URL, nil)
		Expect(p.Status).To(Equal(200))
		Expect(p.Body).To(ContainSubstring(`<a class="return" href="https://example.com/account">`))
		Expect(p.Body).To(ContainSubstring("Pro, 9.00 USD / month × 1"))
		Expect(p.Body).To(ContainSubstring(`class="status">active`))
		end := time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).UTC().Format("January 2, 2006")
		Expect(p.Body).To(ContainSubstring("Renews on " + end))
		Expect(p.Body).To(ContainSubstring("visa •••• 4242"))
		Expect(p.Body).To(ContainSubstring(`class="default">Default`))
		Expect(p.Body).To(ContainSubstring(`class="cancel"`), "the default configuration lets customers cancel")
		Expect(p.Body).NotTo(ContainSubstring(`class="update"`), "nor switch plans")

		By("invoice history linking each invoice's hosted page")
		inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(p.Body).To(ContainSubstring(`<a href="` + inv.HostedInvoiceURL + `">` + inv.Number + `</a>`))
		Expect(Visit("GET", inv.HostedInvoiceURL, nil).Status).To(Equal(200))
	})

	It("cancels at the period's end with the customer's reason, and renews", func() {
		cfg := configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{
			SubscriptionCancel: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true), Mode: stripe.String("at_period_end"),
				CancellationReason: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelCancellationReasonParams{Enabled: stripe.Bool(true),
					Options: stripe.StringSlice([]string{"too_expensive", "unused"})}}})
		s := open(cfg, nil)
		cancel := view(s, "cancel", sub.ID)
		p := Visit("GET", cancel, nil)
		Expect(p.Status).To(Equal(200))
		Expect(p.Body).To(ContainSubstring(`value="too_expensive"> It&#39;s too expensive`))
		Expect(p.Body).NotTo(ContainSubstring(`value="missing_features"`), "only the configured reasons")

		By("a reason the configuration does not offer being refused")
		p = Visit("POST", cancel, url.Values{"action": {"cancel"}, "subscription": {sub.ID}, "reason": {"missing_features"}})
		Expect(p.Status).To(Equal(400))
		Expect(subscription().CancelAtPeriodEnd).To(BeFalse())

		p = Visit("POST", cancel, url.Values{"action": {"cancel"}, "subscription": {sub.ID}, "reason": {"too_expensive"}})
		Expect(p.Status).To(Equal(303))
		Expect(p.Location).To(Equal(s.URL + "?view=home"))
		got := subscription()
		Expect(got.CancelAtPeriodEnd).To(BeTrue())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(got.CancellationDetails.Feedback).To(Equal(stripe.SubscriptionCancellationDetailsFeedbackTooExpensive))
		Expect(got.CancellationDetails.Reason).To(Equal(stripe.SubscriptionCancellationDetailsReasonCancellationRequested))
		ev := lastEvent("customer.subscription.updated")
		Expect(ev.Data.Object["cancel_at_period_end"]).To(BeTrue())
		Expect(ev.Data.Object["cancellation_details"]).To(HaveKeyWithValue("feedback", "too_expensive"))
		Expect(ev.Data.PreviousAttributes).To(HaveKeyWithValue("cancel_at_period_end", false))

		By("the homepage offering to renew it")
		p = Visit("GET", s.URL, nil)
		Expect(p.Body).To(ContainSubstring(`value="renew"`))
		Expect(p.Body).NotTo(ContainSubstring(`class="cancel"`))
		p = Visit("POST", s.URL, url.Values{"action": {"renew"}, "subscription": {sub.ID}})
		Expect(p.Status).To(Equal(303))
		Expect(subscription().CancelAtPeriodEnd).To(BeFalse())
	})

	It("cancels immediately, crediting the unused time when configured", func() {
		cfg := configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{
			SubscriptionCancel: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true),
				Mode: stripe.String("immediately"), ProrationBehavior: stripe.String("create_prorations")}})
		emu.Clock().Advance(10 * 24 * time.Hour) // two thirds of the month left unused
		s := open(cfg, nil)
		Expect(Visit("GET", view(s, "cancel", sub.ID), nil).Body).To(ContainSubstring("canceled now"))
		p := Visit("POST", view(s, "cancel", sub.ID), url.Values{"action": {"cancel"}, "subscription": {sub.ID}})
		Expect(p.Status).To(Equal(303))
		got := subscription()
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(got.CancellationDetails.Reason).To(Equal(stripe.SubscriptionCancellationDetailsReasonCancellationRequested))
		Expect(lastEvent("customer.subscription.deleted").Data.Object["id"]).To(Equal(sub.ID))
		var credit int64
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			credit += ii.Amount
		}
		Expect(credit).To(BeNumerically("<", 0), "the unused time credited")
		Expect(Visit("GET", s.URL, nil).Body).To(ContainSubstring("No subscriptions."))
	})

	It("switches to a configured price, billing the proration as configured", func() {
		s := open(configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{SubscriptionUpdate: switching("price")}), nil)
		home := Visit("GET", s.URL, nil)
		Expect(home.Body).To(ContainSubstring(`class="update"`))
		update := view(s, "update", sub.ID)
		p := Visit("GET", update, nil)
		Expect(p.Body).To(ContainSubstring(`value="` + pro.ID + `" checked> Pro, 9.00 USD / month (current)`))
		Expect(p.Body).To(ContainSubstring(`value="` + team.ID + `"> Team, 29.00 USD / month`))
		Expect(p.Body).NotTo(ContainSubstring(`name="quantity"`), "quantity is not among default_allowed_updates")

		By("a price the configuration does not list, or a quantity it does not let change, being refused")
		other := recurringPrice(sc, team.Product.ID, "month", 4900)
		Expect(Visit("POST", update, url.Values{"action": {"update"}, "subscription": {sub.ID}, "price": {other.ID}}).Status).To(Equal(400))
		p = Visit("POST", update, url.Values{"action": {"update"}, "subscription": {sub.ID}, "price": {team.ID}, "quantity": {"3"}})
		Expect(p.Status).To(Equal(403))
		Expect(subscription().Items.Data[0].Price.ID).To(Equal(pro.ID))

		p = Visit("POST", update, url.Values{"action": {"update"}, "subscription": {sub.ID}, "price": {team.ID}})
		Expect(p.Status).To(Equal(303))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Items.Data[0].Price.ID).To(Equal(team.ID))
		Expect(got.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate), "always_invoice bills at once")
		Expect(got.LatestInvoice.Total).To(Equal(int64(2000)))
		Expect(got.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(lastEvent("customer.subscription.updated").Data.PreviousAttributes).To(HaveKey("items"))
	})

	It("offers only prices the subscription can be billed in, its own currency or a currency option of it", func() {
		euro, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(team.Product.ID), Currency: stripe.String("eur"),
			UnitAmount: stripe.Int64(2700), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("year")}})
		Expect(err).NotTo(HaveOccurred())
		both, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(pro.Product.ID), Currency: stripe.String("eur"),
			UnitAmount: stripe.Int64(8000), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("year")},
			CurrencyOptions: map[string]*stripe.PriceCreateCurrencyOptionsParams{"usd": {UnitAmount: stripe.Int64(9000)}}})
		Expect(err).NotTo(HaveOccurred())
		sw := switching("price")
		sw.Products[0].Prices = append(sw.Products[0].Prices, stripe.String(both.ID))
		sw.Products[1].Prices = append(sw.Products[1].Prices, stripe.String(euro.ID))
		s := open(configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{SubscriptionUpdate: sw}), nil)
		update := view(s, "update", sub.ID)
		p := Visit("GET", update, nil)
		Expect(p.Body).To(ContainSubstring(`value="` + team.ID + `"`))
		Expect(p.Body).To(ContainSubstring(`value="`+both.ID+`"`), "billed in USD by its currency option")
		Expect(p.Body).NotTo(ContainSubstring(`value="`+euro.ID+`"`), "a USD subscription cannot switch to a EUR-only price")

		p = Visit("POST", update, url.Values{"action": {"update"}, "subscription": {sub.ID}, "price": {euro.ID}})
		Expect(p.Status).To(Equal(400))
		Expect(p.Body).To(ContainSubstring("not one this portal offers"))
		Expect(subscription().Items.Data[0].Price.ID).To(Equal(pro.ID))
	})

	It("ends a trial when the customer switches plans, as Stripe's portal did before trial_update_behavior (2025-09-30.clover)", func() {
		trialing, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), TrialPeriodDays: stripe.Int64(14),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(pro.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(trialing.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		s := open(configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{SubscriptionUpdate: switching("price")}), nil)
		p := Visit("POST", view(s, "update", trialing.ID), url.Values{"action": {"update"}, "subscription": {trialing.ID}, "price": {team.ID}})
		Expect(p.Status).To(Equal(303))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, trialing.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Items.Data[0].Price.ID).To(Equal(team.ID))
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive), "the trial ended with the switch")
		Expect(got.TrialEnd).To(Equal(emu.Clock().Now().Unix()))
	})

	It("takes a promotion code with the change when allowed, and refuses a change it would schedule for the period's end", func() {
		coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")})
		Expect(err).NotTo(HaveOccurred())
		promo, err := sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(coupon.ID), Code: stripe.String("SAVE10")})
		Expect(err).NotTo(HaveOccurred())
		update := switching("price", "promotion_code")
		update.ScheduleAtPeriodEnd = &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateScheduleAtPeriodEndParams{
			Conditions: []*stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateScheduleAtPeriodEndConditionParams{{Type: stripe.String("decreasing_item_amount")}}}
		s := open(configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{SubscriptionUpdate: update}), nil)
		u := view(s, "update", sub.ID)
		Expect(Visit("GET", u, nil).Body).To(ContainSubstring(`name="promotion_code"`))
		p := Visit("POST", u, url.Values{"action": {"update"}, "subscription": {sub.ID}, "price": {team.ID}, "promotion_code": {"NOPE"}})
		Expect(p.Status).To(Equal(400))
		Expect(p.Body).To(ContainSubstring(`The promotion code &#34;NOPE&#34; is invalid.`))
		p = Visit("POST", u, url.Values{"action": {"update"}, "subscription": {sub.ID}, "price": {team.ID}, "promotion_code": {"SAVE10"}})
		Expect(p.Status).To(Equal(303))
		got := subscription()
		Expect(got.Items.Data[0].Price.ID).To(Equal(team.ID))
		Expect(got.Discounts).To(HaveLen(1))
		d, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("discounts")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Discounts[0].PromotionCode.ID).To(Equal(promo.ID))

		By("a move back down, which Stripe would schedule for the period's end, refused as not emulated")
		p = Visit("POST", u, url.Values{"action": {"update"}, "subscription": {sub.ID}, "price": {pro.ID}})
		Expect(p.Status).To(Equal(400))
		Expect(p.Body).To(ContainSubstring("does not emulate changes the portal schedules for the end of the period"))
		Expect(subscription().Items.Data[0].Price.ID).To(Equal(team.ID))
	})

	It("offers nothing the configuration leaves off, and refuses it", func() {
		off := &stripe.BillingPortalConfigurationCreateFeaturesParams{InvoiceHistory: &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(false)}}
		cfg, err := sc.V1BillingPortalConfigurations.Create(Ctx, &stripe.BillingPortalConfigurationCreateParams{Features: off,
			BusinessProfile: &stripe.BillingPortalConfigurationCreateBusinessProfileParams{Headline: stripe.String("Acme billing"),
				PrivacyPolicyURL: stripe.String("https://example.com/privacy")}})
		Expect(err).NotTo(HaveOccurred())
		s := open(cfg.ID, nil)
		p := Visit("GET", s.URL, nil)
		Expect(p.Status).To(Equal(200))
		Expect(p.Body).To(ContainSubstring("<h1>Acme billing</h1>"))
		Expect(p.Body).To(ContainSubstring(`<a class="privacy" href="https://example.com/privacy">`))
		for _, absent := range []string{`class="cancel"`, `class="update"`, `id="payment_methods"`, `id="invoices"`, `id="customer"`} {
			Expect(p.Body).NotTo(ContainSubstring(absent))
		}
		Expect(Visit("GET", view(s, "cancel", sub.ID), nil).Status).To(Equal(403))
		p = Visit("POST", s.URL, url.Values{"action": {"cancel"}, "subscription": {sub.ID}})
		Expect(p.Status).To(Equal(403))
		Expect(p.Body).To(ContainSubstring("features[subscription_cancel][enabled] is false"))
		Expect(Visit("POST", s.URL, url.Values{"action": {"add_card"}, "payment_method": {"pm_card_visa"}}).Status).To(Equal(403))
		Expect(Visit("POST", s.URL, url.Values{"action": {"update_customer"}, "email": {"x@example.com"}}).Status).To(Equal(403))
		Expect(subscription().CancelAtPeriodEnd).To(BeFalse())
	})

	Describe("deep links", func() {
		It("opens a cancellation flow and redirects where after_completion says", func() {
			s := open("", &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_cancel"),
				SubscriptionCancel: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelParams{Subscription: stripe.String(sub.ID)},
				AfterCompletion: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{Type: stripe.String("redirect"),
					Redirect: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionRedirectParams{ReturnURL: stripe.String("https://example.com/bye")}}})
			p := Visit("GET", s.URL, nil)
			Expect(p.Body).To(ContainSubstring(`id="cancel"`))
			Expect(p.Body).NotTo(ContainSubstring(`id="subscriptions"`))
			p = Visit("POST", s.URL, url.Values{"action": {"cancel"}, "subscription": {sub.ID}})
			Expect(p.Status).To(Equal(303))
			Expect(p.Location).To(Equal("https://example.com/bye"))
			Expect(subscription().CancelAtPeriodEnd).To(BeTrue())
		})

		It("offers a cancellation flow's retention coupon instead", func() {
			coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("once"), Name: stripe.String("Half off")})
			Expect(err).NotTo(HaveOccurred())
			s := open("", &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_cancel"),
				SubscriptionCancel: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelParams{Subscription: stripe.String(sub.ID),
					Retention: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelRetentionParams{Type: stripe.String("coupon_offer"),
						CouponOffer: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelRetentionCouponOfferParams{Coupon: stripe.String(coupon.ID)}}}})
			Expect(Visit("GET", s.URL, nil).Body).To(ContainSubstring("Stay and get Half off."))
			p := Visit("POST", s.URL, url.Values{"action": {"accept_offer"}, "subscription": {sub.ID}})
			Expect(p.Status).To(Equal(303))
			Expect(p.Location).To(Equal(s.URL+"?view=home"), "after_completion defaults to the portal homepage")
			got := subscription()
			Expect(got.CancelAtPeriodEnd).To(BeFalse())
			Expect(got.Discounts).To(HaveLen(1))
		})

		It("opens an update flow and shows its hosted confirmation", func() {
			s := open(configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{SubscriptionUpdate: switching("price", "quantity")}),
				&stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_update"),
					SubscriptionUpdate: &stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateParams{Subscription: stripe.String(sub.ID)},
					AfterCompletion: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{Type: stripe.String("hosted_confirmation"),
						HostedConfirmation: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionHostedConfirmationParams{CustomMessage: stripe.String("Welcome to Team!")}}})
			p := Visit("GET", s.URL, nil)
			Expect(p.Body).To(ContainSubstring(`id="update"`))
			Expect(p.Body).To(ContainSubstring(`name="quantity" value="1"`))
			p = Visit("POST", s.URL, url.Values{"action": {"update"}, "subscription": {sub.ID}, "price": {team.ID}, "quantity": {"2"}})
			Expect(p.Status).To(Equal(303))
			Expect(p.Location).To(Equal(s.URL + "?view=done"))
			Expect(Visit("GET", p.Location, nil).Body).To(ContainSubstring(`class="message">Welcome to Team!`))
			item := subscription().Items.Data[0]
			Expect(item.Price.ID).To(Equal(team.ID))
			Expect(item.Quantity).To(Equal(int64(2)))
		})

		It("confirms the change a subscription_update_confirm flow names", func() {
			s := open(configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{SubscriptionUpdate: switching("price")}),
				&stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_update_confirm"),
					SubscriptionUpdateConfirm: &stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateConfirmParams{Subscription: stripe.String(sub.ID),
						Items: []*stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateConfirmItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(team.ID)}}}})
			p := Visit("GET", s.URL, nil)
			Expect(p.Body).To(ContainSubstring("Team, 29.00 USD / month"))
			p = Visit("POST", s.URL, url.Values{"action": {"confirm_update"}, "subscription": {sub.ID}})
			Expect(p.Status).To(Equal(303))
			Expect(p.Location).To(Equal(s.URL + "?view=home"))
			Expect(subscription().Items.Data[0].Price.ID).To(Equal(team.ID))
		})

		It("refuses a confirmed change the configuration would schedule for the period's end, as the plan switcher does, changing nothing", func() {
			update := switching("price", "quantity")
			update.ScheduleAtPeriodEnd = &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateScheduleAtPeriodEndParams{
				Conditions: []*stripe.BillingPortalConfigurationCreateFeaturesSubscriptionUpdateScheduleAtPeriodEndConditionParams{{Type: stripe.String("decreasing_item_amount")}}}
			cfg := configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{SubscriptionUpdate: update})
			_, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{Items: []*stripe.SubscriptionUpdateItemParams{
				{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(3)}}})
			Expect(err).NotTo(HaveOccurred())
			s := open(cfg, &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_update_confirm"),
				SubscriptionUpdateConfirm: &stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateConfirmParams{Subscription: stripe.String(sub.ID),
					Items: []*stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateConfirmItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(1)}}}})
			p := Visit("POST", s.URL, url.Values{"action": {"confirm_update"}, "subscription": {sub.ID}})
			Expect(p.Status).To(Equal(400))
			Expect(p.Body).To(ContainSubstring("does not emulate changes the portal schedules for the end of the period"))
			Expect(subscription().Items.Data[0].Quantity).To(Equal(int64(3)))
		})

		It("opens the payment method flow, and saves a card as the invoices' default", func() {
			s := open("", &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("payment_method_update"),
				AfterCompletion: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{Type: stripe.String("redirect"),
					Redirect: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionRedirectParams{ReturnURL: stripe.String("https://example.com/card-saved")}}})
			p := Visit("GET", s.URL, nil)
			Expect(p.Body).To(ContainSubstring(`id="payment_methods"`))
			Expect(p.Body).NotTo(ContainSubstring(`id="subscriptions"`))

			By("a declining card refused, saving nothing")
			saved := func() int {
				n := 0
				for _, err := range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID)}) {
					Expect(err).NotTo(HaveOccurred())
					n++
				}
				return n
			}
			before := saved()
			p = Visit("POST", s.URL, url.Values{"action": {"add_card"}, "payment_method": {"pm_card_chargeDeclined"}})
			Expect(p.Status).To(Equal(402))
			Expect(p.Body).To(ContainSubstring("Your card was declined."))
			Expect(saved()).To(Equal(before))

			By("a 3-D Secure card going through the test page and back")
			p = Visit("POST", s.URL, url.Values{"action": {"add_card"}, "payment_method": {"pm_card_threeDSecure2Required"}})
			Expect(p.Status).To(Equal(303))
			Expect(p.Location).To(ContainSubstring("/v1/test_helpers/setup_intents/"))
			p = Visit("GET", p.Location+"?outcome=succeed", nil)
			Expect(p.Status).To(Equal(303))
			Expect(p.Location).To(HavePrefix(s.URL + "?"))
			Expect(p.Location).To(ContainSubstring("setup_intent="))
			p = Visit("GET", p.Location, nil)
			Expect(p.Status).To(Equal(303))
			Expect(p.Location).To(Equal("https://example.com/card-saved"))
			Expect(saved()).To(Equal(before + 1))
			got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.InvoiceSettings.DefaultPaymentMethod.ID).NotTo(Equal(cus.InvoiceSettings.DefaultPaymentMethod.ID))
			Expect(lastEvent("payment_method.attached").Data.Object["id"]).To(Equal(got.InvoiceSettings.DefaultPaymentMethod.ID))
			Expect(lastEvent("customer.updated").Data.PreviousAttributes).To(HaveKey("invoice_settings"))
		})
	})

	It("keeps a payment method for an active subscription to charge: the last one cannot be removed until another is added", func() {
		// As Checkout leaves a subscription's card: the subscription's
		// default, not the customer's invoice default.
		card := cus.InvoiceSettings.DefaultPaymentMethod.ID
		_, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultPaymentMethod: stripe.String(card)})
		Expect(err).NotTo(HaveOccurred())
		status, body, err := emu.Call("POST", "/v1/customers/"+cus.ID, url.Values{"invoice_settings[default_payment_method]": {""}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)

		s := open("", nil)
		p := Visit("POST", s.URL, url.Values{"action": {"detach"}, "payment_method": {card}})
		Expect(p.Status).To(Equal(400), "Stripe: the portal requires a customer with an active subscription to keep at least one payment method")
		Expect(p.Body).To(ContainSubstring("add another"))
		pm, err := sc.V1PaymentMethods.Retrieve(Ctx, card, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pm.Customer.ID).To(Equal(cus.ID), "still attached")

		Expect(Visit("POST", s.URL, url.Values{"action": {"add_card"}, "payment_method": {"pm_card_visa"}}).Status).To(Equal(303))
		Expect(Visit("POST", s.URL, url.Values{"action": {"detach"}, "payment_method": {card}}).Status).To(Equal(303), "another one is left")
		Expect(lastEvent("payment_method.detached").Data.Object["id"]).To(Equal(card))
	})

	It("adds a test card and switches the default on the homepage", func() {
		s := open("", nil)
		p := Visit("POST", s.URL, url.Values{"action": {"add_card"}, "payment_method": {"pm_card_visa"}})
		Expect(p.Status).To(Equal(303))
		Expect(p.Location).To(Equal(s.URL + "?view=home"))
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		added := got.InvoiceSettings.DefaultPaymentMethod.ID
		Expect(added).NotTo(Equal(cus.InvoiceSettings.DefaultPaymentMethod.ID))
		Expect(emu.EventTypes("")).To(ContainElements("setup_intent.succeeded", "payment_method.attached"))

		By("the old card made the default again, then the new one removed")
		old := cus.InvoiceSettings.DefaultPaymentMethod.ID
		Expect(Visit("POST", s.URL, url.Values{"action": {"detach"}, "payment_method": {added}}).Status).To(Equal(400), "not the default")
		Expect(Visit("POST", s.URL, url.Values{"action": {"set_default"}, "payment_method": {old}}).Status).To(Equal(303))
		Expect(Visit("POST", s.URL, url.Values{"action": {"detach"}, "payment_method": {added}}).Status).To(Equal(303))
		Expect(lastEvent("payment_method.detached").Data.Object["id"]).To(Equal(added))
		Expect(Visit("POST", s.URL, url.Values{"action": {"set_default"}, "payment_method": {"pm_nope"}}).Status).To(Equal(404))

		By("a 3-D Secure card failing its authentication, saving nothing")
		p = Visit("POST", s.URL, url.Values{"action": {"add_card"}, "payment_method": {"pm_card_threeDSecure2Required"}})
		Expect(p.Status).To(Equal(303))
		p = Visit("GET", p.Location+"?outcome=fail", nil)
		Expect(p.Status).To(Equal(303))
		Expect(p.Location).To(ContainSubstring("redirect_status=failed"))
		p = Visit("GET", p.Location, nil)
		Expect(p.Status).To(Equal(402))
		Expect(p.Body).To(ContainSubstring(`class="failure"`))
		got, err = sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.InvoiceSettings.DefaultPaymentMethod.ID).To(Equal(old))
	})

	It("names each plan's and each card's controls by what they act on, for a browser test to find them by role", func() {
		second, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(team.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		s := open(configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{
			PaymentMethodUpdate: &stripe.BillingPortalConfigurationCreateFeaturesPaymentMethodUpdateParams{Enabled: stripe.Bool(true)},
			SubscriptionCancel:  &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true)},
			SubscriptionUpdate:  switching("price")}), nil)
		Expect(Visit("POST", s.URL, url.Values{"action": {"add_card"}, "payment_method": {"pm_card_visa"}}).Status).To(Equal(303))
		p := Visit("GET", s.URL, nil)
		Expect(p.Body).To(ContainSubstring(`aria-label="Cancel plan Pro, 9.00 USD / month × 1"`))
		Expect(p.Body).To(ContainSubstring(`aria-label="Cancel plan Team, 29.00 USD / month × 1"`))
		Expect(p.Body).To(ContainSubstring(`aria-label="Update plan Team, 29.00 USD / month × 1"`))
		Expect(p.Body).To(MatchRegexp(`aria-label="Delete visa •••• 4242, expires \d+/\d+"`))
		Expect(p.Body).To(MatchRegexp(`aria-label="Make default visa •••• 4242, expires \d+/\d+"`))

		By("a refusal announced to assistive technology")
		p = Visit("POST", s.URL, url.Values{"action": {"cancel"}, "subscription": {second.ID}, "reason": {"no_such_reason"}})
		Expect(p.Status).To(Equal(400))
		Expect(p.Body).To(ContainSubstring(`<p class="failure" role="alert">`))
	})

	It("updates the customer's details the configuration allows", func() {
		s := open(configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{CustomerUpdate: &stripe.BillingPortalConfigurationCreateFeaturesCustomerUpdateParams{
			Enabled: stripe.Bool(true), AllowedUpdates: stripe.StringSlice([]string{"email", "address"})}}), nil)
		p := Visit("GET", s.URL, nil)
		Expect(p.Body).To(ContainSubstring(`name="email" value="portal@example.com"`))
		Expect(p.Body).NotTo(ContainSubstring(`name="name"`))
		Expect(Visit("POST", s.URL, url.Values{"action": {"update_customer"}, "name": {"Jenny"}}).Status).To(Equal(403))
		p = Visit("POST", s.URL, url.Values{"action": {"update_customer"}, "email": {"jenny@example.com"}, "address[country]": {"US"}, "address[postal_code]": {"94103"}})
		Expect(p.Status).To(Equal(303))
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Email).To(Equal("jenny@example.com"))
		Expect(got.Address.PostalCode).To(Equal("94103"))
		Expect(got.Name).To(BeEmpty())
		Expect(lastEvent("customer.updated").Data.PreviousAttributes).To(HaveKeyWithValue("email", "portal@example.com"))
	})

	It("refuses an invalid tax ID sent with other details, changing none of them", func() {
		s := open(configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{CustomerUpdate: &stripe.BillingPortalConfigurationCreateFeaturesCustomerUpdateParams{
			Enabled: stripe.Bool(true), AllowedUpdates: stripe.StringSlice([]string{"name", "tax_id"})}}), nil)
		before := len(emu.EventTypes(""))
		p := Visit("POST", s.URL, url.Values{"action": {"update_customer"}, "name": {"Jenny"}, "tax_id[type]": {"eu_vat"}, "tax_id[value]": {"nope"}})
		Expect(p.Status).To(Equal(400))
		Expect(p.Body).To(ContainSubstring(`role="alert"`))
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Name).To(BeEmpty(), "the name is not saved when the tax ID beside it is refused")
		Expect(emu.EventTypes("")).To(HaveLen(before))

		p = Visit("POST", s.URL, url.Values{"action": {"update_customer"}, "name": {"Jenny"}, "tax_id[type]": {"eu_vat"}, "tax_id[value]": {"DE123456789"}})
		Expect(p.Status).To(Equal(303))
		got, err = sc.V1Customers.Retrieve(Ctx, cus.ID, &stripe.CustomerRetrieveParams{Expand: []*string{stripe.String("tax_ids")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Name).To(Equal("Jenny"))
		Expect(got.TaxIDs.Data).To(HaveLen(1))
	})

	It("changes one line of the shipping address, keeping the rest of it", func() {
		_, err := sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Shipping: &stripe.CustomerUpdateShippingParams{Name: stripe.String("Jenny Rosen"),
			Phone: stripe.String("+15555550123"), Address: &stripe.AddressParams{Line1: stripe.String("1 Main St"), Line2: stripe.String("Apt 2"),
				City: stripe.String("Springfield"), State: stripe.String("IL"), PostalCode: stripe.String("62701"), Country: stripe.String("US")}}})
		Expect(err).NotTo(HaveOccurred())
		s := open(configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{CustomerUpdate: &stripe.BillingPortalConfigurationCreateFeaturesCustomerUpdateParams{
			Enabled: stripe.Bool(true), AllowedUpdates: stripe.StringSlice([]string{"shipping"})}}), nil)
		p := Visit("GET", s.URL, nil)
		Expect(p.Body).To(ContainSubstring(`name="shipping[address][line2]" value="Apt 2"`))
		Expect(p.Body).To(ContainSubstring(`name="shipping[address][state]" value="IL"`))
		p = Visit("POST", s.URL, url.Values{"action": {"update_customer"}, "shipping[address][city]": {"Chicago"}})
		Expect(p.Status).To(Equal(303), p.Body)
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Shipping.Name).To(Equal("Jenny Rosen"))
		Expect(got.Shipping.Phone).To(Equal("+15555550123"))
		Expect(*got.Shipping.Address).To(Equal(stripe.Address{Line1: "1 Main St", Line2: "Apt 2", City: "Chicago", State: "IL", PostalCode: "62701", Country: "US"}))
	})

	It("serves a configuration's login Page, letting a customer in by email", func() {
		cfg, err := sc.V1BillingPortalConfigurations.Create(Ctx, &stripe.BillingPortalConfigurationCreateParams{
			Features:         &stripe.BillingPortalConfigurationCreateFeaturesParams{InvoiceHistory: &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)}},
			DefaultReturnURL: stripe.String("https://example.com/home"),
			LoginPage:        &stripe.BillingPortalConfigurationCreateLoginPageParams{Enabled: stripe.Bool(true)}})
		Expect(err).NotTo(HaveOccurred())
		login := cfg.LoginPage.URL
		Expect(login).To(HavePrefix(emu.URL() + "/p/login/test_"))
		p := Visit("GET", login, nil)
		Expect(p.Status).To(Equal(200))
		Expect(p.Body).To(ContainSubstring(`name="email"`))
		p = Visit("POST", login, url.Values{"email": {"nobody@example.com"}})
		Expect(p.Status).To(Equal(404))
		Expect(p.Body).To(ContainSubstring("No customer has the email nobody@example.com."))

		p = Visit("POST", login, url.Values{"email": {"portal@example.com"}})
		Expect(p.Status).To(Equal(303))
		Expect(p.Location).To(HavePrefix(emu.URL() + "/p/session/bps_"))
		ev := lastEvent("billing_portal.session.created")
		Expect(ev.Data.Object).To(HaveKeyWithValue("customer", cus.ID))
		Expect(ev.Data.Object).To(HaveKeyWithValue("configuration", cfg.ID))
		Expect(ev.Data.Object).To(HaveKeyWithValue("return_url", "https://example.com/home"))
		Expect(Visit("GET", p.Location, nil).Body).To(ContainSubstring("Pro, 9.00 USD / month"))

		By("the link dying with the login page")
		_, err = sc.V1BillingPortalConfigurations.Update(Ctx, cfg.ID, &stripe.BillingPortalConfigurationUpdateParams{
			LoginPage: &stripe.BillingPortalConfigurationUpdateLoginPageParams{Enabled: stripe.Bool(false)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(Visit("GET", login, nil).Status).To(Equal(404))
	})

	// Stripe's "Activate the no-code customer portal": "If multiple
	// customers have the same email address, Stripe selects the most
	// recently created customer that has both that email and an active
	// subscription", and "Customers can't update their email address
	// through this link."
	It("lets in by the login page the newest customer with that email and a subscription, who cannot change their email there", func() {
		cfg, err := sc.V1BillingPortalConfigurations.Create(Ctx, &stripe.BillingPortalConfigurationCreateParams{
			Features: &stripe.BillingPortalConfigurationCreateFeaturesParams{CustomerUpdate: &stripe.BillingPortalConfigurationCreateFeaturesCustomerUpdateParams{
				Enabled: stripe.Bool(true), AllowedUpdates: stripe.StringSlice([]string{"email", "name"})}},
			LoginPage: &stripe.BillingPortalConfigurationCreateLoginPageParams{Enabled: stripe.Bool(true)}})
		Expect(err).NotTo(HaveOccurred())
		newer, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("portal@example.com")})
		Expect(err).NotTo(HaveOccurred())

		p := Visit("POST", cfg.LoginPage.URL, url.Values{"email": {"portal@example.com"}})
		Expect(p.Status).To(Equal(303))
		Expect(lastEvent("billing_portal.session.created").Data.Object).To(HaveKeyWithValue("customer", cus.ID), "not the newer customer without a subscription")

		home := Visit("GET", p.Location, nil)
		Expect(home.Body).To(ContainSubstring(`name="name"`))
		Expect(home.Body).NotTo(ContainSubstring(`name="email"`), "no email change through the login link")
		Expect(Visit("POST", p.Location, url.Values{"action": {"update_customer"}, "email": {"other@example.com"}}).Status).To(Equal(403))
		Expect(Visit("POST", p.Location, url.Values{"action": {"update_customer"}, "name": {"Jenny"}}).Status).To(Equal(303))
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Email).To(Equal("portal@example.com"))
		Expect(got.Name).To(Equal("Jenny"))

		By("a session the app opens itself still letting the customer change it")
		s, err := sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), Configuration: stripe.String(cfg.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(Visit("GET", s.URL, nil).Body).To(ContainSubstring(`name="email"`))

		By("with no customer of that email subscribed, the newest of them")
		_, err = sc.V1Subscriptions.Cancel(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(Visit("POST", cfg.LoginPage.URL, url.Values{"email": {"portal@example.com"}}).Status).To(Equal(303))
		Expect(lastEvent("billing_portal.session.created").Data.Object).To(HaveKeyWithValue("customer", newer.ID))
	})

	It("keeps a connected account's portal on its account", func() {
		acct := Seller(emu, nil)
		cp := &stripe.CustomerCreateParams{Email: stripe.String("shop@example.com")}
		cp.SetStripeAccount(acct.ID)
		shopper, err := sc.V1Customers.Create(Ctx, cp)
		Expect(err).NotTo(HaveOccurred())
		pp := &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500),
			Recurring:   &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Shop plan")}}
		pp.SetStripeAccount(acct.ID)
		price, err := sc.V1Prices.Create(Ctx, pp)
		Expect(err).NotTo(HaveOccurred())
		sp := &stripe.SubscriptionCreateParams{Customer: stripe.String(shopper.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
			CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30)}
		sp.SetStripeAccount(acct.ID)
		shopSub, err := sc.V1Subscriptions.Create(Ctx, sp)
		Expect(err).NotTo(HaveOccurred())
		bp := &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(shopper.ID)}
		bp.SetStripeAccount(acct.ID)
		s, err := sc.V1BillingPortalSessions.Create(Ctx, bp)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.URL).To(Equal(emu.URL() + "/p/session/" + s.ID + "?account=" + acct.ID))
		Expect(Visit("GET", emu.URL()+"/p/session/"+s.ID, nil).Status).To(Equal(404), "not the platform's")
		p := Visit("GET", s.URL, nil)
		Expect(p.Body).To(ContainSubstring("Shop plan, 5.00 USD / month"))
		Expect(p.Body).To(ContainSubstring(`class="status">active`))
		Expect(p.Body).NotTo(ContainSubstring(`class="return"`), "no return_url, no link back")
		p = Visit("POST", s.URL, url.Values{"action": {"cancel"}, "subscription": {shopSub.ID}})
		Expect(p.Status).To(Equal(303))
		Expect(p.Location).To(Equal(emu.URL() + "/p/session/" + s.ID + "?account=" + acct.ID + "&view=home"))
		gp := &stripe.SubscriptionRetrieveParams{}
		gp.SetStripeAccount(acct.ID)
		got, err := sc.V1Subscriptions.Retrieve(Ctx, shopSub.ID, gp)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.CancelAtPeriodEnd).To(BeTrue())
		Expect(emu.EventTypes(acct.ID)).To(ContainElement("customer.subscription.updated"))
		Expect(Visit("POST", s.URL, url.Values{"action": {"cancel"}, "subscription": {sub.ID}}).Status).To(Equal(404), "the platform's subscription is not the shopper's")
	})

	It("shows and lets the customer change only the subscriptions and invoices of the session's on_behalf_of account, as Stripe documents", func() {
		acct := Seller(emu, nil)
		settled, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), OnBehalfOf: stripe.String(acct.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(team.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		settledInv, err := sc.V1Invoices.Retrieve(Ctx, settled.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		own, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1BillingPortalSessions.Create(Ctx, &stripe.BillingPortalSessionCreateParams{Customer: stripe.String(cus.ID), OnBehalfOf: stripe.String(acct.ID)})
		Expect(err).NotTo(HaveOccurred())
		p := Visit("GET", s.URL, nil)
		Expect(p.Body).To(ContainSubstring("Team, 29.00 USD / month × 1"))
		Expect(p.Body).NotTo(ContainSubstring("Pro, 9.00 USD / month"), "a subscription settled by the platform is not this portal's")
		Expect(p.Body).To(ContainSubstring(settledInv.Number))
		Expect(p.Body).NotTo(ContainSubstring(own.Number))

		By("a change to the other subscription refused, changing nothing")
		Expect(Visit("POST", s.URL, url.Values{"action": {"cancel"}, "subscription": {sub.ID}}).Status).To(Equal(404))
		Expect(Visit("GET", view(&stripe.BillingPortalSession{URL: s.URL}, "cancel", sub.ID), nil).Status).To(Equal(404))
		Expect(subscription().CancelAtPeriodEnd).To(BeFalse())
		Expect(Visit("POST", s.URL, url.Values{"action": {"cancel"}, "subscription": {settled.ID}}).Status).To(Equal(303))
	})

	It("answers an unknown session 404 and an expired one 410", func() {
		Expect(Visit("GET", emu.URL()+"/p/session/bps_nope", nil).Status).To(Equal(404))
		s := open("", nil)
		Expect(Visit("GET", s.URL, nil).Status).To(Equal(200))
		emu.Clock().Advance(time.Hour)
		p := Visit("GET", s.URL, nil)
		Expect(p.Status).To(Equal(410))
		Expect(p.Body).To(ContainSubstring("expired"))
		Expect(Visit("POST", s.URL, url.Values{"action": {"cancel"}, "subscription": {sub.ID}}).Status).To(Equal(410))
		Expect(subscription().CancelAtPeriodEnd).To(BeFalse())
	})
})
