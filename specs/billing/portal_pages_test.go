package billing_test

import (
	"io"
	"net/http"
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
	// browser follows no redirect, so each step's answer can be checked.
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	type page struct {
		status   int
		location string
		body     string
	}
	visit := func(method, u string, form url.Values) page {
		GinkgoHelper()
		var res *http.Response
		var err error
		if method == http.MethodPost {
			res, err = browser.PostForm(u, form)
		} else {
			res, err = browser.Get(u)
		}
		Expect(err).NotTo(HaveOccurred())
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		Expect(err).NotTo(HaveOccurred())
		return page{res.StatusCode, res.Header.Get("Location"), string(b)}
	}
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
		p := visit("GET", s.URL, nil)
		Expect(p.status).To(Equal(200))
		Expect(p.body).To(ContainSubstring(`<a class="return" href="https://example.com/account">`))
		Expect(p.body).To(ContainSubstring("Pro, 9.00 USD / month × 1"))
		Expect(p.body).To(ContainSubstring(`class="status">active`))
		end := time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).UTC().Format("January 2, 2006")
		Expect(p.body).To(ContainSubstring("Renews on " + end))
		Expect(p.body).To(ContainSubstring("visa •••• 4242"))
		Expect(p.body).To(ContainSubstring(`class="default">Default`))
		Expect(p.body).To(ContainSubstring(`class="cancel"`), "the default configuration lets customers cancel")
		Expect(p.body).NotTo(ContainSubstring(`class="update"`), "nor switch plans")

		By("invoice history linking each invoice's hosted page")
		inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(p.body).To(ContainSubstring(`<a href="` + inv.HostedInvoiceURL + `">` + inv.Number + `</a>`))
		Expect(visit("GET", inv.HostedInvoiceURL, nil).status).To(Equal(200))
	})

	It("cancels at the period's end with the customer's reason, and renews", func() {
		cfg := configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{
			SubscriptionCancel: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true), Mode: stripe.String("at_period_end"),
				CancellationReason: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelCancellationReasonParams{Enabled: stripe.Bool(true),
					Options: stripe.StringSlice([]string{"too_expensive", "unused"})}}})
		s := open(cfg, nil)
		cancel := view(s, "cancel", sub.ID)
		p := visit("GET", cancel, nil)
		Expect(p.status).To(Equal(200))
		Expect(p.body).To(ContainSubstring(`value="too_expensive"> It&#39;s too expensive`))
		Expect(p.body).NotTo(ContainSubstring(`value="missing_features"`), "only the configured reasons")

		By("a reason the configuration does not offer being refused")
		p = visit("POST", cancel, url.Values{"action": {"cancel"}, "subscription": {sub.ID}, "reason": {"missing_features"}})
		Expect(p.status).To(Equal(400))
		Expect(subscription().CancelAtPeriodEnd).To(BeFalse())

		p = visit("POST", cancel, url.Values{"action": {"cancel"}, "subscription": {sub.ID}, "reason": {"too_expensive"}})
		Expect(p.status).To(Equal(303))
		Expect(p.location).To(Equal(s.URL + "?view=home"))
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
		p = visit("GET", s.URL, nil)
		Expect(p.body).To(ContainSubstring(`value="renew"`))
		Expect(p.body).NotTo(ContainSubstring(`class="cancel"`))
		p = visit("POST", s.URL, url.Values{"action": {"renew"}, "subscription": {sub.ID}})
		Expect(p.status).To(Equal(303))
		Expect(subscription().CancelAtPeriodEnd).To(BeFalse())
	})

	It("cancels immediately, crediting the unused time when configured", func() {
		cfg := configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{
			SubscriptionCancel: &stripe.BillingPortalConfigurationCreateFeaturesSubscriptionCancelParams{Enabled: stripe.Bool(true),
				Mode: stripe.String("immediately"), ProrationBehavior: stripe.String("create_prorations")}})
		emu.Clock().Advance(10 * 24 * time.Hour) // two thirds of the month left unused
		s := open(cfg, nil)
		Expect(visit("GET", view(s, "cancel", sub.ID), nil).body).To(ContainSubstring("canceled now"))
		p := visit("POST", view(s, "cancel", sub.ID), url.Values{"action": {"cancel"}, "subscription": {sub.ID}})
		Expect(p.status).To(Equal(303))
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
		Expect(visit("GET", s.URL, nil).body).To(ContainSubstring("No subscriptions."))
	})

	It("switches to a configured price, billing the proration as configured", func() {
		s := open(configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{SubscriptionUpdate: switching("price")}), nil)
		home := visit("GET", s.URL, nil)
		Expect(home.body).To(ContainSubstring(`class="update"`))
		update := view(s, "update", sub.ID)
		p := visit("GET", update, nil)
		Expect(p.body).To(ContainSubstring(`value="` + pro.ID + `" checked> Pro, 9.00 USD / month (current)`))
		Expect(p.body).To(ContainSubstring(`value="` + team.ID + `"> Team, 29.00 USD / month`))
		Expect(p.body).NotTo(ContainSubstring(`name="quantity"`), "quantity is not among default_allowed_updates")

		By("a price the configuration does not list, or a quantity it does not let change, being refused")
		other := recurringPrice(sc, team.Product.ID, "month", 4900)
		Expect(visit("POST", update, url.Values{"action": {"update"}, "subscription": {sub.ID}, "price": {other.ID}}).status).To(Equal(400))
		p = visit("POST", update, url.Values{"action": {"update"}, "subscription": {sub.ID}, "price": {team.ID}, "quantity": {"3"}})
		Expect(p.status).To(Equal(403))
		Expect(subscription().Items.Data[0].Price.ID).To(Equal(pro.ID))

		p = visit("POST", update, url.Values{"action": {"update"}, "subscription": {sub.ID}, "price": {team.ID}})
		Expect(p.status).To(Equal(303))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Items.Data[0].Price.ID).To(Equal(team.ID))
		Expect(got.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate), "always_invoice bills at once")
		Expect(got.LatestInvoice.Total).To(Equal(int64(2000)))
		Expect(got.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(lastEvent("customer.subscription.updated").Data.PreviousAttributes).To(HaveKey("items"))
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
		Expect(visit("GET", u, nil).body).To(ContainSubstring(`name="promotion_code"`))
		p := visit("POST", u, url.Values{"action": {"update"}, "subscription": {sub.ID}, "price": {team.ID}, "promotion_code": {"NOPE"}})
		Expect(p.status).To(Equal(400))
		Expect(p.body).To(ContainSubstring(`The promotion code &#34;NOPE&#34; is invalid.`))
		p = visit("POST", u, url.Values{"action": {"update"}, "subscription": {sub.ID}, "price": {team.ID}, "promotion_code": {"SAVE10"}})
		Expect(p.status).To(Equal(303))
		got := subscription()
		Expect(got.Items.Data[0].Price.ID).To(Equal(team.ID))
		Expect(got.Discounts).To(HaveLen(1))
		d, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("discounts")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Discounts[0].PromotionCode.ID).To(Equal(promo.ID))

		By("a move back down, which Stripe would schedule for the period's end, refused as not emulated")
		p = visit("POST", u, url.Values{"action": {"update"}, "subscription": {sub.ID}, "price": {pro.ID}})
		Expect(p.status).To(Equal(400))
		Expect(p.body).To(ContainSubstring("does not emulate changes the portal schedules for the end of the period"))
		Expect(subscription().Items.Data[0].Price.ID).To(Equal(team.ID))
	})

	It("offers nothing the configuration leaves off, and refuses it", func() {
		off := &stripe.BillingPortalConfigurationCreateFeaturesParams{InvoiceHistory: &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(false)}}
		cfg, err := sc.V1BillingPortalConfigurations.Create(Ctx, &stripe.BillingPortalConfigurationCreateParams{Features: off,
			BusinessProfile: &stripe.BillingPortalConfigurationCreateBusinessProfileParams{Headline: stripe.String("Acme billing"),
				PrivacyPolicyURL: stripe.String("https://example.com/privacy")}})
		Expect(err).NotTo(HaveOccurred())
		s := open(cfg.ID, nil)
		p := visit("GET", s.URL, nil)
		Expect(p.status).To(Equal(200))
		Expect(p.body).To(ContainSubstring("<h1>Acme billing</h1>"))
		Expect(p.body).To(ContainSubstring(`<a class="privacy" href="https://example.com/privacy">`))
		for _, absent := range []string{`class="cancel"`, `class="update"`, `id="payment_methods"`, `id="invoices"`, `id="customer"`} {
			Expect(p.body).NotTo(ContainSubstring(absent))
		}
		Expect(visit("GET", view(s, "cancel", sub.ID), nil).status).To(Equal(403))
		p = visit("POST", s.URL, url.Values{"action": {"cancel"}, "subscription": {sub.ID}})
		Expect(p.status).To(Equal(403))
		Expect(p.body).To(ContainSubstring("features[subscription_cancel][enabled] is false"))
		Expect(visit("POST", s.URL, url.Values{"action": {"add_card"}, "payment_method": {"pm_card_visa"}}).status).To(Equal(403))
		Expect(visit("POST", s.URL, url.Values{"action": {"update_customer"}, "email": {"x@example.com"}}).status).To(Equal(403))
		Expect(subscription().CancelAtPeriodEnd).To(BeFalse())
	})

	Describe("deep links", func() {
		It("opens a cancellation flow and redirects where after_completion says", func() {
			s := open("", &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_cancel"),
				SubscriptionCancel: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelParams{Subscription: stripe.String(sub.ID)},
				AfterCompletion: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{Type: stripe.String("redirect"),
					Redirect: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionRedirectParams{ReturnURL: stripe.String("https://example.com/bye")}}})
			p := visit("GET", s.URL, nil)
			Expect(p.body).To(ContainSubstring(`id="cancel"`))
			Expect(p.body).NotTo(ContainSubstring(`id="subscriptions"`))
			p = visit("POST", s.URL, url.Values{"action": {"cancel"}, "subscription": {sub.ID}})
			Expect(p.status).To(Equal(303))
			Expect(p.location).To(Equal("https://example.com/bye"))
			Expect(subscription().CancelAtPeriodEnd).To(BeTrue())
		})

		It("offers a cancellation flow's retention coupon instead", func() {
			coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(50), Duration: stripe.String("once"), Name: stripe.String("Half off")})
			Expect(err).NotTo(HaveOccurred())
			s := open("", &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_cancel"),
				SubscriptionCancel: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelParams{Subscription: stripe.String(sub.ID),
					Retention: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelRetentionParams{Type: stripe.String("coupon_offer"),
						CouponOffer: &stripe.BillingPortalSessionCreateFlowDataSubscriptionCancelRetentionCouponOfferParams{Coupon: stripe.String(coupon.ID)}}}})
			Expect(visit("GET", s.URL, nil).body).To(ContainSubstring("Stay and get Half off."))
			p := visit("POST", s.URL, url.Values{"action": {"accept_offer"}, "subscription": {sub.ID}})
			Expect(p.status).To(Equal(303))
			Expect(p.location).To(Equal(s.URL+"?view=home"), "after_completion defaults to the portal homepage")
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
			p := visit("GET", s.URL, nil)
			Expect(p.body).To(ContainSubstring(`id="update"`))
			Expect(p.body).To(ContainSubstring(`name="quantity" value="1"`))
			p = visit("POST", s.URL, url.Values{"action": {"update"}, "subscription": {sub.ID}, "price": {team.ID}, "quantity": {"2"}})
			Expect(p.status).To(Equal(303))
			Expect(p.location).To(Equal(s.URL + "?view=done"))
			Expect(visit("GET", p.location, nil).body).To(ContainSubstring(`class="message">Welcome to Team!`))
			item := subscription().Items.Data[0]
			Expect(item.Price.ID).To(Equal(team.ID))
			Expect(item.Quantity).To(Equal(int64(2)))
		})

		It("confirms the change a subscription_update_confirm flow names", func() {
			s := open(configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{SubscriptionUpdate: switching("price")}),
				&stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("subscription_update_confirm"),
					SubscriptionUpdateConfirm: &stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateConfirmParams{Subscription: stripe.String(sub.ID),
						Items: []*stripe.BillingPortalSessionCreateFlowDataSubscriptionUpdateConfirmItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(team.ID)}}}})
			p := visit("GET", s.URL, nil)
			Expect(p.body).To(ContainSubstring("Team, 29.00 USD / month"))
			p = visit("POST", s.URL, url.Values{"action": {"confirm_update"}, "subscription": {sub.ID}})
			Expect(p.status).To(Equal(303))
			Expect(p.location).To(Equal(s.URL + "?view=home"))
			Expect(subscription().Items.Data[0].Price.ID).To(Equal(team.ID))
		})

		It("opens the payment method flow, and saves a card as the invoices' default", func() {
			s := open("", &stripe.BillingPortalSessionCreateFlowDataParams{Type: stripe.String("payment_method_update"),
				AfterCompletion: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionParams{Type: stripe.String("redirect"),
					Redirect: &stripe.BillingPortalSessionCreateFlowDataAfterCompletionRedirectParams{ReturnURL: stripe.String("https://example.com/card-saved")}}})
			p := visit("GET", s.URL, nil)
			Expect(p.body).To(ContainSubstring(`id="payment_methods"`))
			Expect(p.body).NotTo(ContainSubstring(`id="subscriptions"`))

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
			p = visit("POST", s.URL, url.Values{"action": {"add_card"}, "payment_method": {"pm_card_chargeDeclined"}})
			Expect(p.status).To(Equal(402))
			Expect(p.body).To(ContainSubstring("Your card was declined."))
			Expect(saved()).To(Equal(before))

			By("a 3-D Secure card going through the test page and back")
			p = visit("POST", s.URL, url.Values{"action": {"add_card"}, "payment_method": {"pm_card_threeDSecure2Required"}})
			Expect(p.status).To(Equal(303))
			Expect(p.location).To(ContainSubstring("/v1/test_helpers/setup_intents/"))
			p = visit("GET", p.location+"?outcome=succeed", nil)
			Expect(p.status).To(Equal(303))
			Expect(p.location).To(HavePrefix(s.URL + "?"))
			Expect(p.location).To(ContainSubstring("setup_intent="))
			p = visit("GET", p.location, nil)
			Expect(p.status).To(Equal(303))
			Expect(p.location).To(Equal("https://example.com/card-saved"))
			Expect(saved()).To(Equal(before + 1))
			got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.InvoiceSettings.DefaultPaymentMethod.ID).NotTo(Equal(cus.InvoiceSettings.DefaultPaymentMethod.ID))
			Expect(lastEvent("payment_method.attached").Data.Object["id"]).To(Equal(got.InvoiceSettings.DefaultPaymentMethod.ID))
			Expect(lastEvent("customer.updated").Data.PreviousAttributes).To(HaveKey("invoice_settings"))
		})
	})

	It("adds a test card and switches the default on the homepage", func() {
		s := open("", nil)
		p := visit("POST", s.URL, url.Values{"action": {"add_card"}, "payment_method": {"pm_card_visa"}})
		Expect(p.status).To(Equal(303))
		Expect(p.location).To(Equal(s.URL + "?view=home"))
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		added := got.InvoiceSettings.DefaultPaymentMethod.ID
		Expect(added).NotTo(Equal(cus.InvoiceSettings.DefaultPaymentMethod.ID))
		Expect(emu.EventTypes("")).To(ContainElements("setup_intent.succeeded", "payment_method.attached"))

		By("the old card made the default again, then the new one removed")
		old := cus.InvoiceSettings.DefaultPaymentMethod.ID
		Expect(visit("POST", s.URL, url.Values{"action": {"detach"}, "payment_method": {added}}).status).To(Equal(400), "not the default")
		Expect(visit("POST", s.URL, url.Values{"action": {"set_default"}, "payment_method": {old}}).status).To(Equal(303))
		Expect(visit("POST", s.URL, url.Values{"action": {"detach"}, "payment_method": {added}}).status).To(Equal(303))
		Expect(lastEvent("payment_method.detached").Data.Object["id"]).To(Equal(added))
		Expect(visit("POST", s.URL, url.Values{"action": {"set_default"}, "payment_method": {"pm_nope"}}).status).To(Equal(404))

		By("a 3-D Secure card failing its authentication, saving nothing")
		p = visit("POST", s.URL, url.Values{"action": {"add_card"}, "payment_method": {"pm_card_threeDSecure2Required"}})
		Expect(p.status).To(Equal(303))
		p = visit("GET", p.location+"?outcome=fail", nil)
		Expect(p.status).To(Equal(303))
		Expect(p.location).To(ContainSubstring("redirect_status=failed"))
		p = visit("GET", p.location, nil)
		Expect(p.status).To(Equal(402))
		Expect(p.body).To(ContainSubstring(`class="failure"`))
		got, err = sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.InvoiceSettings.DefaultPaymentMethod.ID).To(Equal(old))
	})

	It("updates the customer's details the configuration allows", func() {
		s := open(configure(&stripe.BillingPortalConfigurationCreateFeaturesParams{CustomerUpdate: &stripe.BillingPortalConfigurationCreateFeaturesCustomerUpdateParams{
			Enabled: stripe.Bool(true), AllowedUpdates: stripe.StringSlice([]string{"email", "address"})}}), nil)
		p := visit("GET", s.URL, nil)
		Expect(p.body).To(ContainSubstring(`name="email" value="portal@example.com"`))
		Expect(p.body).NotTo(ContainSubstring(`name="name"`))
		Expect(visit("POST", s.URL, url.Values{"action": {"update_customer"}, "name": {"Jenny"}}).status).To(Equal(403))
		p = visit("POST", s.URL, url.Values{"action": {"update_customer"}, "email": {"jenny@example.com"}, "address[country]": {"US"}, "address[postal_code]": {"94103"}})
		Expect(p.status).To(Equal(303))
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Email).To(Equal("jenny@example.com"))
		Expect(got.Address.PostalCode).To(Equal("94103"))
		Expect(got.Name).To(BeEmpty())
		Expect(lastEvent("customer.updated").Data.PreviousAttributes).To(HaveKeyWithValue("email", "portal@example.com"))
	})

	It("serves a configuration's login page, letting a customer in by email", func() {
		cfg, err := sc.V1BillingPortalConfigurations.Create(Ctx, &stripe.BillingPortalConfigurationCreateParams{
			Features:         &stripe.BillingPortalConfigurationCreateFeaturesParams{InvoiceHistory: &stripe.BillingPortalConfigurationCreateFeaturesInvoiceHistoryParams{Enabled: stripe.Bool(true)}},
			DefaultReturnURL: stripe.String("https://example.com/home"),
			LoginPage:        &stripe.BillingPortalConfigurationCreateLoginPageParams{Enabled: stripe.Bool(true)}})
		Expect(err).NotTo(HaveOccurred())
		login := cfg.LoginPage.URL
		Expect(login).To(HavePrefix(emu.URL() + "/p/login/test_"))
		p := visit("GET", login, nil)
		Expect(p.status).To(Equal(200))
		Expect(p.body).To(ContainSubstring(`name="email"`))
		p = visit("POST", login, url.Values{"email": {"nobody@example.com"}})
		Expect(p.status).To(Equal(404))
		Expect(p.body).To(ContainSubstring("No customer has the email nobody@example.com."))

		p = visit("POST", login, url.Values{"email": {"portal@example.com"}})
		Expect(p.status).To(Equal(303))
		Expect(p.location).To(HavePrefix(emu.URL() + "/p/session/bps_"))
		ev := lastEvent("billing_portal.session.created")
		Expect(ev.Data.Object).To(HaveKeyWithValue("customer", cus.ID))
		Expect(ev.Data.Object).To(HaveKeyWithValue("configuration", cfg.ID))
		Expect(ev.Data.Object).To(HaveKeyWithValue("return_url", "https://example.com/home"))
		Expect(visit("GET", p.location, nil).body).To(ContainSubstring("Pro, 9.00 USD / month"))

		By("the link dying with the login page")
		_, err = sc.V1BillingPortalConfigurations.Update(Ctx, cfg.ID, &stripe.BillingPortalConfigurationUpdateParams{
			LoginPage: &stripe.BillingPortalConfigurationUpdateLoginPageParams{Enabled: stripe.Bool(false)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(visit("GET", login, nil).status).To(Equal(404))
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
		Expect(visit("GET", emu.URL()+"/p/session/"+s.ID, nil).status).To(Equal(404), "not the platform's")
		p := visit("GET", s.URL, nil)
		Expect(p.body).To(ContainSubstring("Shop plan, 5.00 USD / month"))
		Expect(p.body).To(ContainSubstring(`class="status">active`))
		Expect(p.body).NotTo(ContainSubstring(`class="return"`), "no return_url, no link back")
		p = visit("POST", s.URL, url.Values{"action": {"cancel"}, "subscription": {shopSub.ID}})
		Expect(p.status).To(Equal(303))
		Expect(p.location).To(Equal(emu.URL() + "/p/session/" + s.ID + "?account=" + acct.ID + "&view=home"))
		gp := &stripe.SubscriptionRetrieveParams{}
		gp.SetStripeAccount(acct.ID)
		got, err := sc.V1Subscriptions.Retrieve(Ctx, shopSub.ID, gp)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.CancelAtPeriodEnd).To(BeTrue())
		Expect(emu.EventTypes(acct.ID)).To(ContainElement("customer.subscription.updated"))
		Expect(visit("POST", s.URL, url.Values{"action": {"cancel"}, "subscription": {sub.ID}}).status).To(Equal(404), "the platform's subscription is not the shopper's")
	})

	It("answers an unknown session 404 and an expired one 410", func() {
		Expect(visit("GET", emu.URL()+"/p/session/bps_nope", nil).status).To(Equal(404))
		s := open("", nil)
		Expect(visit("GET", s.URL, nil).status).To(Equal(200))
		emu.Clock().Advance(time.Hour)
		p := visit("GET", s.URL, nil)
		Expect(p.status).To(Equal(410))
		Expect(p.body).To(ContainSubstring("expired"))
		Expect(visit("POST", s.URL, url.Values{"action": {"cancel"}, "subscription": {sub.ID}}).status).To(Equal(410))
		Expect(subscription().CancelAtPeriodEnd).To(BeFalse())
	})
})
