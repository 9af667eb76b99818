package webhooks_test

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Payment Links", Label("checkout", "payment-links"), func() {
	var (
		emu              *emulator.Emulator
		sc               *stripe.Client
		rcv              *receiver
		price, recurring *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		rcv = newReceiver()
		_, secret, err := emu.Webhooks().Listen(rcv.Srv.URL, "payment_link.*", "checkout.session.completed")
		Expect(err).NotTo(HaveOccurred())
		rcv.Secret = secret
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Poster"),
			DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(1500)}})
		Expect(err).NotTo(HaveOccurred())
		price, err = sc.V1Prices.Retrieve(Ctx, prod.DefaultPrice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		recurring, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("eur"),
			UnitAmount: stripe.Int64(900), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
	})

	delivered := func() []string {
		Expect(emu.Webhooks().WaitIdle()).To(Succeed())
		return rcv.Types()
	}
	open := func(id string) (int, map[string]any) {
		status, body, err := emu.Call("POST", "/v1/test_helpers/payment_links/"+id+"/sessions", url.Values{}, "")
		Expect(err).NotTo(HaveOccurred())
		return status, body
	}
	count := func() int {
		n := 0
		for _, err := range sc.V1PaymentLinks.List(Ctx, &stripe.PaymentLinkListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		return n
	}

	It("carries invoice_creation to the sessions it opens, which make a paid invoice", func() {
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(3)}},
			InvoiceCreation: &stripe.PaymentLinkCreateInvoiceCreationParams{Enabled: stripe.Bool(true),
				InvoiceData: &stripe.PaymentLinkCreateInvoiceCreationInvoiceDataParams{Description: stripe.String("Poster order"),
					Metadata: map[string]string{"channel": "link"}}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.InvoiceCreation.Enabled).To(BeTrue())
		Expect(l.InvoiceCreation.InvoiceData.Description).To(Equal("Poster order"))
		Expect(l.InvoiceCreation.InvoiceData.Metadata).To(Equal(map[string]string{"channel": "link"}))

		status, body := open(l.ID)
		Expect(status).To(Equal(200), "%v", body)
		ic := body["invoice_creation"].(map[string]any)
		Expect(ic["enabled"]).To(BeTrue())
		Expect(ic["invoice_data"].(map[string]any)["description"]).To(Equal("Poster order"))
		Expect(body["customer_creation"]).To(Equal("if_required"))

		status, done, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+body["id"].(string)+"/complete", url.Values{"payment_method": {"pm_card_visa"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", done)
		Expect(done["customer"]).To(HavePrefix("cus_"), "a post-payment invoice needs a customer: one is made")
		inv, err := sc.V1Invoices.Retrieve(Ctx, done["invoice"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.AmountPaid).To(Equal(int64(4500)))
		Expect(inv.Description).To(Equal("Poster order"))
		Expect(inv.Metadata).To(Equal(map[string]string{"channel": "link"}))
		Expect(inv.Customer.ID).To(Equal(done["customer"]))

		// Turned off, the next sessions make none.
		l, err = sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{InvoiceCreation: &stripe.PaymentLinkUpdateInvoiceCreationParams{Enabled: stripe.Bool(false)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.InvoiceCreation.Enabled).To(BeFalse())
		Expect(l.InvoiceCreation.InvoiceData.Description).To(Equal("Poster order"), "invoice_data is kept")
		_, body = open(l.ID)
		Expect(body["invoice_creation"].(map[string]any)["enabled"]).To(BeFalse())
	})

	It("creates, lists, retrieves, updates and deactivates a link, with events", func() {
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(2),
				AdjustableQuantity: &stripe.PaymentLinkCreateLineItemAdjustableQuantityParams{Enabled: stripe.Bool(true), Maximum: stripe.Int64(5)}}},
			AfterCompletion: &stripe.PaymentLinkCreateAfterCompletionParams{Type: stripe.String("redirect"),
				Redirect: &stripe.PaymentLinkCreateAfterCompletionRedirectParams{URL: stripe.String("https://shop.example/thanks?s={CHECKOUT_SESSION_ID}")}},
			AllowPromotionCodes:      stripe.Bool(true),
			BillingAddressCollection: stripe.String("required"),
			PhoneNumberCollection:    &stripe.PaymentLinkCreatePhoneNumberCollectionParams{Enabled: stripe.Bool(true)},
			Metadata:                 map[string]string{"campaign": "spring"},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.ID).To(HavePrefix("plink_"))
		Expect(l.URL).To(MatchRegexp(`^`+regexp.QuoteMeta(emu.URL())+`/buy\.stripe\.com/test_[A-Za-z0-9]+$`), "Stripe's host as a path of the emulator's page")
		Expect(l.Active).To(BeTrue())
		Expect(l.Currency).To(Equal(stripe.CurrencyEUR))
		Expect(l.LineItems).To(BeNil(), "line_items only with expand")
		Expect(l.AfterCompletion.Type).To(Equal(stripe.PaymentLinkAfterCompletionTypeRedirect))
		Expect(l.AfterCompletion.Redirect.URL).To(HaveSuffix("{CHECKOUT_SESSION_ID}"))
		Expect(l.BillingAddressCollection).To(Equal(stripe.PaymentLinkBillingAddressCollectionRequired))
		Expect(l.AllowPromotionCodes).To(BeTrue())
		Expect(l.PhoneNumberCollection.Enabled).To(BeTrue())
		Expect(l.SubscriptionData).To(BeNil())
		Expect(l.Restrictions).To(BeNil())

		got, err := sc.V1PaymentLinks.Retrieve(Ctx, l.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LineItems).To(BeNil())
		p := &stripe.PaymentLinkRetrieveParams{}
		p.AddExpand("line_items")
		got, err = sc.V1PaymentLinks.Retrieve(Ctx, l.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LineItems.Data).To(HaveLen(1))
		li := got.LineItems.Data[0]
		Expect(li.ID).To(HavePrefix("li_"))
		Expect(li.Quantity).To(Equal(int64(2)))
		Expect(li.AmountTotal).To(Equal(int64(3000)))
		Expect(li.Price.ID).To(Equal(price.ID))

		var listed []string
		for it, err := range sc.V1PaymentLinks.ListLineItems(Ctx, &stripe.PaymentLinkListLineItemsParams{PaymentLink: stripe.String(l.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			listed = append(listed, it.ID)
		}
		Expect(listed).To(Equal([]string{li.ID}))

		up, err := sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{
			LineItems: []*stripe.PaymentLinkUpdateLineItemParams{{ID: stripe.String(li.ID), Quantity: stripe.Int64(3)}},
			Metadata:  map[string]string{"campaign": "summer"},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(up.Metadata).To(Equal(map[string]string{"campaign": "summer"}))
		off, err := sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(off.Active).To(BeFalse())
		Expect(off.URL).To(Equal(l.URL))

		var inactive []string
		for pl, err := range sc.V1PaymentLinks.List(Ctx, &stripe.PaymentLinkListParams{Active: stripe.Bool(false)}) {
			Expect(err).NotTo(HaveOccurred())
			inactive = append(inactive, pl.ID)
		}
		Expect(inactive).To(Equal([]string{l.ID}))
		for _, err := range sc.V1PaymentLinks.List(Ctx, &stripe.PaymentLinkListParams{Active: stripe.Bool(true)}) {
			Expect(err).NotTo(HaveOccurred())
			Fail("no active link is left")
		}

		Expect(delivered()).To(Equal([]string{"payment_link.created", "payment_link.updated", "payment_link.updated"}))
		ev := rcv.All()[2]
		Expect(ev.Data.PreviousAttributes).To(HaveKeyWithValue("active", true))

		status, body := open(l.ID)
		Expect(status).To(Equal(400), "a deactivated link opens nothing: %v", body)
		Expect(body["error"].(map[string]any)["message"]).To(ContainSubstring("not active"))
		for _, err := range sc.V1CheckoutSessions.List(Ctx, &stripe.CheckoutSessionListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			Fail("no session was opened")
		}
	})

	It("opens a session with the link's settings, and its completion carries payment_link", func() {
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(2)}},
			AfterCompletion: &stripe.PaymentLinkCreateAfterCompletionParams{Type: stripe.String("redirect"),
				Redirect: &stripe.PaymentLinkCreateAfterCompletionRedirectParams{URL: stripe.String("https://shop.example/thanks")}},
			BillingAddressCollection: stripe.String("required"),
			SubmitType:               stripe.String("pay"),
			PaymentIntentData:        &stripe.PaymentLinkCreatePaymentIntentDataParams{Description: stripe.String("Poster order"), Metadata: map[string]string{"channel": "link"}},
			Metadata:                 map[string]string{"campaign": "spring"},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.PaymentIntentData.Description).To(Equal("Poster order"))

		s, err := emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(s["id"]).To(HavePrefix("cs_test_"))
		Expect(s["payment_link"]).To(Equal(l.ID))
		Expect(s["mode"]).To(Equal("payment"))
		Expect(s["amount_total"]).To(BeNumerically("==", 3000))
		Expect(s["success_url"]).To(Equal("https://shop.example/thanks"))
		Expect(s["billing_address_collection"]).To(Equal("required"))
		Expect(s["submit_type"]).To(Equal("pay"))
		Expect(s["metadata"]).To(Equal(map[string]any{"campaign": "spring"}), "the link's metadata is copied to its sessions")

		sessions := func() []string {
			var ids []string
			for cs, err := range sc.V1CheckoutSessions.List(Ctx, &stripe.CheckoutSessionListParams{PaymentLink: stripe.String(l.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				ids = append(ids, cs.ID)
			}
			return ids
		}
		Expect(sessions()).To(Equal([]string{s["id"].(string)}))

		done, err := emu.CompleteCheckout("", s["id"].(string), "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		Expect(done["payment_status"]).To(Equal("paid"))
		Expect(delivered()).To(Equal([]string{"payment_link.created", "checkout.session.completed"}))
		var fromEvent stripe.CheckoutSession
		Expect(fromEvent.UnmarshalJSON(rcv.All()[1].Data.Raw)).To(Succeed())
		Expect(fromEvent.PaymentLink.ID).To(Equal(l.ID))

		p := &stripe.CheckoutSessionRetrieveParams{}
		p.AddExpand("payment_link")
		p.AddExpand("payment_intent")
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s["id"].(string), p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.PaymentLink.URL).To(Equal(l.URL))
		Expect(got.PaymentIntent.Description).To(Equal("Poster order"))
		Expect(got.PaymentIntent.Metadata).To(Equal(map[string]string{"channel": "link"}))
		Expect(got.PaymentIntent.Amount).To(Equal(int64(3000)))

		again, err := sc.V1PaymentLinks.Retrieve(Ctx, l.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Active).To(BeTrue(), "without restrictions a link stays active")
	})

	It("opens subscription-mode sessions for a recurring price", func() {
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:        []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(recurring.ID), Quantity: stripe.Int64(1)}},
			SubscriptionData: &stripe.PaymentLinkCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(7), Metadata: map[string]string{"plan": "monthly"}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.SubscriptionData.TrialPeriodDays).To(Equal(int64(7)))
		Expect(l.PaymentIntentData).To(BeNil())

		s, err := emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(s["mode"]).To(Equal("subscription"))
		Expect(s["payment_link"]).To(Equal(l.ID))
		done, err := emu.CompleteCheckout("", s["id"].(string), "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		Expect(done["payment_status"]).To(Equal("no_payment_required"), "a free trial: nothing due today")
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, done["subscription"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(sub.Metadata).To(Equal(map[string]string{"plan": "monthly"}))
		Expect(sub.Items.Data[0].Price.ID).To(Equal(recurring.ID))
	})

	It("collects a payment method only if required when told, in subscription mode only, and hands its submit_type on", func() {
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:               []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(recurring.ID), Quantity: stripe.Int64(1)}},
			SubscriptionData:        &stripe.PaymentLinkCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(7)},
			PaymentMethodCollection: stripe.String("if_required"),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.PaymentMethodCollection).To(Equal(stripe.PaymentLinkPaymentMethodCollectionIfRequired))
		s, err := emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(s["payment_method_collection"]).To(Equal("if_required"), "the sessions it opens ask for no card during the trial")

		l, err = sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{PaymentMethodCollection: stripe.String("always")})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.PaymentMethodCollection).To(Equal(stripe.PaymentLinkPaymentMethodCollectionAlways))
		s, err = emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(s["payment_method_collection"]).To(Equal("always"))

		// Its submit button says what the link says (Checkout takes
		// submit_type in subscription mode too).
		l, err = sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{SubmitType: stripe.String("subscribe")})
		Expect(err).NotTo(HaveOccurred())
		s, err = emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(s["submit_type"]).To(Equal("subscribe"))

		// A trial taken without a card ends as the link's trial_settings say.
		l, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(recurring.ID), Quantity: stripe.Int64(1)}},
			SubscriptionData: &stripe.PaymentLinkCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(7),
				TrialSettings: &stripe.PaymentLinkCreateSubscriptionDataTrialSettingsParams{EndBehavior: &stripe.PaymentLinkCreateSubscriptionDataTrialSettingsEndBehaviorParams{
					MissingPaymentMethod: stripe.String("cancel")}}},
			PaymentMethodCollection: stripe.String("if_required"),
		})
		Expect(err).NotTo(HaveOccurred())
		s, err = emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		done, err := emu.CompleteCheckout("", s["id"].(string), "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		Expect(done["payment_status"]).To(Equal("no_payment_required"))
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, done["subscription"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(sub.DefaultPaymentMethod).To(BeNil(), "the page asked for no card")
		emu.Clock().Set(time.Unix(sub.TrialEnd, 0).Add(time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled))

		_, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:               []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			PaymentMethodCollection: stripe.String("always"),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_collection")
	})

	It("sells a price_data line: its sessions bill the inline price the link made", func() {
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{{
			PriceData: &stripe.PaymentLinkCreateLineItemPriceDataParams{Currency: stripe.String("eur"), Product: stripe.String(price.Product.ID), UnitAmount: stripe.Int64(700)},
			Quantity:  stripe.Int64(2)}}})
		Expect(err).NotTo(HaveOccurred())
		var linkPrice *stripe.Price
		for it, err := range sc.V1PaymentLinks.ListLineItems(Ctx, &stripe.PaymentLinkListLineItemsParams{PaymentLink: stripe.String(l.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			linkPrice = it.Price
		}
		Expect(linkPrice.Active).To(BeFalse(), "an inline price is archived from the start")

		s, err := emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(s["amount_total"]).To(BeNumerically("==", 1400))
		var sessionPrice string
		for it, err := range sc.V1CheckoutSessions.ListLineItems(Ctx, &stripe.CheckoutSessionListLineItemsParams{Session: stripe.String(s["id"].(string))}) {
			Expect(err).NotTo(HaveOccurred())
			sessionPrice = it.Price.ID
		}
		Expect(sessionPrice).To(Equal(linkPrice.ID))
		done, err := emu.CompleteCheckout("", s["id"].(string), "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		Expect(done["payment_status"]).To(Equal("paid"))

		// A recurring one starts a subscription on it.
		l, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{{
			PriceData: &stripe.PaymentLinkCreateLineItemPriceDataParams{Currency: stripe.String("eur"), Product: stripe.String(price.Product.ID), UnitAmount: stripe.Int64(400),
				Recurring: &stripe.PaymentLinkCreateLineItemPriceDataRecurringParams{Interval: stripe.String("week")}},
			Quantity: stripe.Int64(1)}}})
		Expect(err).NotTo(HaveOccurred())
		s, err = emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(s["mode"]).To(Equal("subscription"))
		done, err = emu.CompleteCheckout("", s["id"].(string), "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, done["subscription"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.Items.Data[0].Price.Recurring.Interval).To(Equal(stripe.PriceRecurringIntervalWeek))
	})

	It("deactivates itself once the completed-sessions limit is reached", func() {
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:    []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			Restrictions: &stripe.PaymentLinkCreateRestrictionsParams{CompletedSessions: &stripe.PaymentLinkCreateRestrictionsCompletedSessionsParams{Limit: stripe.Int64(2)}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.Restrictions.CompletedSessions.Limit).To(Equal(int64(2)))
		Expect(l.Restrictions.CompletedSessions.Count).To(Equal(int64(0)))

		first, err := emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		second, err := emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		_, err = emu.CompleteCheckout("", first["id"].(string), "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		got, _ := sc.V1PaymentLinks.Retrieve(Ctx, l.ID, nil)
		Expect(got.Restrictions.CompletedSessions.Count).To(Equal(int64(1)))
		Expect(got.Active).To(BeTrue())

		_, err = emu.CompleteCheckout("", second["id"].(string), "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		got, _ = sc.V1PaymentLinks.Retrieve(Ctx, l.ID, nil)
		Expect(got.Restrictions.CompletedSessions.Count).To(Equal(int64(2)))
		Expect(got.Active).To(BeFalse(), "the limit reached, the link deactivates")
		types := delivered()
		Expect(types[len(types)-1]).To(Equal("payment_link.updated"))
		Expect(rcv.All()[len(types)-1].Data.PreviousAttributes).To(HaveKeyWithValue("active", true))

		status, _ := open(l.ID)
		Expect(status).To(Equal(400))

		By("a higher limit keeps the sessions counted, and the link stays off until turned on")
		got, err = sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{
			Restrictions: &stripe.PaymentLinkUpdateRestrictionsParams{CompletedSessions: &stripe.PaymentLinkUpdateRestrictionsCompletedSessionsParams{Limit: stripe.Int64(3)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Restrictions.CompletedSessions.Count).To(Equal(int64(2)))
		Expect(got.Restrictions.CompletedSessions.Limit).To(Equal(int64(3)))
		Expect(got.Active).To(BeFalse())
		got, err = sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{Active: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		third, err := emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		_, err = emu.CompleteCheckout("", third["id"].(string), "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		got, _ = sc.V1PaymentLinks.Retrieve(Ctx, l.ID, nil)
		Expect(got.Active).To(BeFalse(), "the new limit reached")

		By("an emptied restriction leaves none")
		status, body, err := emu.Call("POST", "/v1/payment_links/"+l.ID, url.Values{"restrictions": {""}, "active": {"true"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["restrictions"]).To(BeNil())
		Expect(body["active"]).To(BeTrue())
	})

	It("pages its line items, and its sessions' line items, in their order", func() {
		var items []*stripe.PaymentLinkCreateLineItemParams
		for i := range 12 {
			p, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(price.Product.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(int64(100 + i))})
			Expect(err).NotTo(HaveOccurred())
			items = append(items, &stripe.PaymentLinkCreateLineItemParams{Price: stripe.String(p.ID), Quantity: stripe.Int64(1)})
		}
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: items})
		Expect(err).NotTo(HaveOccurred())
		amounts := func(limit *int64) ([]int64, int) {
			var got []int64
			pages := 0
			p := &stripe.PaymentLinkListLineItemsParams{PaymentLink: stripe.String(l.ID)}
			p.Limit = limit
			list := sc.V1PaymentLinks.ListLineItems(Ctx, p)
			for it, err := range list {
				Expect(err).NotTo(HaveOccurred())
				got = append(got, it.AmountTotal)
			}
			for _, r := range emu.Requests() {
				if strings.HasSuffix(r.Path, l.ID+"/line_items") {
					pages++
				}
			}
			return got, pages
		}
		want := make([]int64, 12)
		for i := range want {
			want[i] = int64(100 + i)
		}
		got, pages := amounts(nil)
		Expect(got).To(Equal(want))
		Expect(pages).To(Equal(2), "ten a page by default, as at Stripe")
		got, pages = amounts(stripe.Int64(5))
		Expect(got).To(Equal(want))
		Expect(pages).To(Equal(2 + 3))

		status, body, err := emu.Call("GET", "/v1/payment_links/"+l.ID+"/line_items", url.Values{"limit": {"0"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(400), "%v", body)

		s, err := emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		var fromSession []int64
		for it, err := range sc.V1CheckoutSessions.ListLineItems(Ctx, &stripe.CheckoutSessionListLineItemsParams{Session: stripe.String(s["id"].(string))}) {
			Expect(err).NotTo(HaveOccurred())
			fromSession = append(fromSession, it.AmountTotal)
		}
		Expect(fromSession).To(Equal(want))
	})

	It("takes an adjustable quantity's maximum up to 999999, as Stripe's parameter says", func() {
		adjustable := func(max int64) *stripe.PaymentLinkCreateParams {
			return &stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1),
				AdjustableQuantity: &stripe.PaymentLinkCreateLineItemAdjustableQuantityParams{Enabled: stripe.Bool(true), Maximum: stripe.Int64(max)}}}}
		}
		l, err := sc.V1PaymentLinks.Create(Ctx, adjustable(999999))
		Expect(err).NotTo(HaveOccurred())
		status, _ := open(l.ID)
		Expect(status).To(Equal(200), "its sessions open")
		_, err = sc.V1PaymentLinks.Create(Ctx, adjustable(1000000))
		ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][adjustable_quantity][maximum]")
	})

	It("refuses custom fields and texts over Stripe's lengths with its \"Invalid string\" message, counting characters", func() {
		link := func(kv ...string) (int, map[string]any) {
			form := url.Values{"line_items[0][price]": {price.ID}, "line_items[0][quantity]": {"1"}}
			for i := 0; i+1 < len(kv); i += 2 {
				form.Set(kv[i], kv[i+1])
			}
			status, body, err := emu.Call("POST", "/v1/payment_links", form, "")
			Expect(err).NotTo(HaveOccurred())
			return status, body
		}
		field := []string{"custom_fields[0][key]", "size", "custom_fields[0][label][type]", "custom", "custom_fields[0][label][custom]", "Size", "custom_fields[0][type]", "text"}
		with := func(base []string, kv ...string) []string { return append(append([]string{}, base...), kv...) }
		x := func(n int) string { return strings.Repeat("x", n) }
		for _, tc := range []struct {
			kv    []string
			param string
			limit int
		}{
			{with(field, "custom_fields[0][label][custom]", x(51)), "custom_fields[0][label][custom]", 50},
			{with(field, "custom_fields[0][key]", x(201)), "custom_fields[0][key]", 200},
			{with(field, "custom_fields[0][text][default_value]", x(256)), "custom_fields[0][text][default_value]", 255},
			{[]string{"custom_fields[0][key]", "size", "custom_fields[0][label][type]", "custom", "custom_fields[0][label][custom]", "Size", "custom_fields[0][type]", "dropdown",
				"custom_fields[0][dropdown][options][0][label]", x(101), "custom_fields[0][dropdown][options][0][value]", "s"}, "custom_fields[0][dropdown][options][0][label]", 100},
			{[]string{"custom_text[submit][message]", x(1201)}, "custom_text[submit][message]", 1200},
			{[]string{"invoice_creation[enabled]", "true", "invoice_creation[invoice_data][custom_fields][0][name]", x(41),
				"invoice_creation[invoice_data][custom_fields][0][value]", "v"}, "invoice_creation[invoice_data][custom_fields][0][name]", 40},
			{[]string{"invoice_creation[enabled]", "true", "invoice_creation[invoice_data][custom_fields][0][name]", "n",
				"invoice_creation[invoice_data][custom_fields][0][value]", x(141)}, "invoice_creation[invoice_data][custom_fields][0][value]", 140},
		} {
			status, body := link(tc.kv...)
			Expect(status).To(Equal(400), "%v", tc.param)
			e := body["error"].(map[string]any)
			Expect(e["param"]).To(Equal(tc.param))
			Expect(e["message"]).To(Equal(fmt.Sprintf("Invalid string: xxxx...xxxx; must be at most %d characters", tc.limit)))
		}
		// Characters, not bytes: 40 accented ones make a name Stripe takes.
		status, body := link("invoice_creation[enabled]", "true", "invoice_creation[invoice_data][custom_fields][0][name]", strings.Repeat("é", 40),
			"invoice_creation[invoice_data][custom_fields][0][value]", strings.Repeat("ü", 140))
		Expect(status).To(Equal(200), "%v", body)
		Expect(count()).To(Equal(1))
	})

	It("refuses an empty string for a setting Stripe cannot unset, and empties those it can", func() {
		post := func(path string, kv ...string) (int, map[string]any) {
			form := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				form.Set(kv[i], kv[i+1])
			}
			status, body, err := emu.Call("POST", path, form, "")
			Expect(err).NotTo(HaveOccurred())
			return status, body
		}
		items := []string{"line_items[0][price]", recurring.ID, "line_items[0][quantity]", "1"}
		// On create Stripe's spec lets nothing but a few invoice and text settings be emptied.
		for _, param := range []string{"inactive_message", "restrictions", "shipping_address_collection", "payment_method_types", "custom_fields", "after_completion", "phone_number_collection"} {
			status, body := post("/v1/payment_links", append(append([]string{}, items...), param, "")...)
			Expect(status).To(Equal(400), param)
			e := body["error"].(map[string]any)
			Expect(e["code"]).To(Equal("parameter_invalid_empty"), param)
			Expect(e["param"]).To(Equal(param))
		}
		Expect(count()).To(BeZero())

		status, l := post("/v1/payment_links", append(append([]string{}, items...), "inactive_message", "Sold out", "restrictions[completed_sessions][limit]", "5",
			"subscription_data[trial_period_days]", "7")...)
		Expect(status).To(Equal(200), "%v", l)
		id := l["id"].(string)
		for _, param := range []string{"after_completion", "automatic_tax", "custom_text", "phone_number_collection", "subscription_data", "payment_method_collection", "tax_id_collection"} {
			status, body := post("/v1/payment_links/"+id, param, "")
			Expect(status).To(Equal(400), param)
			e := body["error"].(map[string]any)
			Expect(e["code"]).To(Equal("parameter_invalid_empty"), param)
			Expect(e["param"]).To(Equal(param))
		}
		got, err := sc.V1PaymentLinks.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.PaymentMethodCollection).To(Equal(stripe.PaymentLinkPaymentMethodCollectionAlways))

		// What an update may empty is emptied.
		status, body := post("/v1/payment_links/"+id, "inactive_message", "", "restrictions", "", "subscription_data[trial_period_days]", "")
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["inactive_message"]).To(BeNil())
		Expect(body["restrictions"]).To(BeNil())
		Expect(body["subscription_data"].(map[string]any)["trial_period_days"]).To(BeNil())
	})

	It("refuses a redirect URL without a scheme when the link is made or changed, as Stripe's Checkout refuses it, instead of a link whose sessions cannot open", func() {
		redirect := func(u string) *stripe.PaymentLinkCreateAfterCompletionParams {
			return &stripe.PaymentLinkCreateAfterCompletionParams{Type: stripe.String("redirect"),
				Redirect: &stripe.PaymentLinkCreateAfterCompletionRedirectParams{URL: stripe.String(u)}}
		}
		_, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:       []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			AfterCompletion: redirect("shop.example/thanks"),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "url_invalid", "after_completion[redirect][url]")
		Expect(count()).To(BeZero())

		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:       []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			AfterCompletion: redirect("https://shop.example/thanks"),
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{AfterCompletion: &stripe.PaymentLinkUpdateAfterCompletionParams{
			Type: stripe.String("redirect"), Redirect: &stripe.PaymentLinkUpdateAfterCompletionRedirectParams{URL: stripe.String("shop.example/other")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "url_invalid", "after_completion[redirect][url]")
		got, err := sc.V1PaymentLinks.Retrieve(Ctx, l.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.AfterCompletion.Redirect.URL).To(Equal("https://shop.example/thanks"))
		status, body := open(l.ID)
		Expect(status).To(Equal(200), "%v", body)
	})

	It("keeps an updated line item's quantity within its adjustable quantity's bounds, as at creation, changing nothing otherwise", func() {
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(2),
				AdjustableQuantity: &stripe.PaymentLinkCreateLineItemAdjustableQuantityParams{Enabled: stripe.Bool(true), Minimum: stripe.Int64(2), Maximum: stripe.Int64(5)}}},
		})
		Expect(err).NotTo(HaveOccurred())
		var li string
		for it, err := range sc.V1PaymentLinks.ListLineItems(Ctx, &stripe.PaymentLinkListLineItemsParams{PaymentLink: stripe.String(l.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			li = it.ID
		}
		update := func(item *stripe.PaymentLinkUpdateLineItemParams) error {
			item.ID = stripe.String(li)
			_, err := sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{LineItems: []*stripe.PaymentLinkUpdateLineItemParams{item}})
			return err
		}
		ExpectStripeError(update(&stripe.PaymentLinkUpdateLineItemParams{Quantity: stripe.Int64(10)}), 400, "invalid_request_error", "", "line_items[0][quantity]")
		ExpectStripeError(update(&stripe.PaymentLinkUpdateLineItemParams{Quantity: stripe.Int64(1)}), 400, "invalid_request_error", "", "line_items[0][quantity]")
		ExpectStripeError(update(&stripe.PaymentLinkUpdateLineItemParams{
			AdjustableQuantity: &stripe.PaymentLinkUpdateLineItemAdjustableQuantityParams{Enabled: stripe.Bool(true), Maximum: stripe.Int64(1)}}),
			400, "invalid_request_error", "", "line_items[0][adjustable_quantity]")
		// Both changed together, within the new bounds: taken.
		Expect(update(&stripe.PaymentLinkUpdateLineItemParams{Quantity: stripe.Int64(8),
			AdjustableQuantity: &stripe.PaymentLinkUpdateLineItemAdjustableQuantityParams{Enabled: stripe.Bool(true), Maximum: stripe.Int64(10)}})).To(Succeed())
		var quantities []int64
		for it, err := range sc.V1PaymentLinks.ListLineItems(Ctx, &stripe.PaymentLinkListLineItemsParams{PaymentLink: stripe.String(l.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			quantities = append(quantities, it.Quantity)
		}
		Expect(quantities).To(Equal([]int64{8}))
		status, body := open(l.ID)
		Expect(status).To(Equal(200), "%v", body)
	})

	It("names the platform's Connect application on a link it makes on a connected account", func() {
		acct := Seller(emu, nil).ID
		pp := &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000), ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Lesson")}}
		pp.SetStripeAccount(acct)
		p, err := sc.V1Prices.Create(Ctx, pp)
		Expect(err).NotTo(HaveOccurred())
		lp := &stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(p.ID), Quantity: stripe.Int64(1)}}}
		lp.SetStripeAccount(acct)
		l, err := sc.V1PaymentLinks.Create(Ctx, lp)
		Expect(err).NotTo(HaveOccurred())
		Expect(l.Application).NotTo(BeNil())
		Expect(l.Application.ID).To(Equal(emu.ConnectApplication()))

		own, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(own.Application).To(BeNil(), "the platform's own link was made by no application")
	})

	It("takes consent_collection, shows it and hands it to the sessions it opens, whose completion records the consent", func() {
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			ConsentCollection: &stripe.PaymentLinkCreateConsentCollectionParams{Promotions: stripe.String("auto"), TermsOfService: stripe.String("required"),
				PaymentMethodReuseAgreement: &stripe.PaymentLinkCreateConsentCollectionPaymentMethodReuseAgreementParams{Position: stripe.String("hidden")}},
			CustomText: &stripe.PaymentLinkCreateCustomTextParams{TermsOfServiceAcceptance: &stripe.PaymentLinkCreateCustomTextTermsOfServiceAcceptanceParams{
				Message: stripe.String("I agree to the [terms](https://shop.example/terms)")}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.ConsentCollection.Promotions).To(Equal(stripe.PaymentLinkConsentCollectionPromotionsAuto))
		Expect(l.ConsentCollection.TermsOfService).To(Equal(stripe.PaymentLinkConsentCollectionTermsOfServiceRequired))
		Expect(l.ConsentCollection.PaymentMethodReuseAgreement.Position).To(Equal(stripe.PaymentLinkConsentCollectionPaymentMethodReuseAgreementPositionHidden))
		Expect(l.CustomText.TermsOfServiceAcceptance.Message).To(ContainSubstring("I agree"))

		s, err := emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		cc := s["consent_collection"].(map[string]any)
		Expect(cc["promotions"]).To(Equal("auto"))
		Expect(cc["terms_of_service"]).To(Equal("required"))
		Expect(cc["payment_method_reuse_agreement"]).To(Equal(map[string]any{"position": "hidden"}))
		status, done, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s["id"].(string)+"/complete",
			url.Values{"payment_method": {"pm_card_visa"}, "consent[promotions]": {"opt_in"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", done)
		Expect(done["consent"]).To(Equal(map[string]any{"promotions": "opt_in", "terms_of_service": "accepted"}))

		// Without consent_collection the terms text is refused, as on a session.
		_, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			CustomText: &stripe.PaymentLinkCreateCustomTextParams{TermsOfServiceAcceptance: &stripe.PaymentLinkCreateCustomTextTermsOfServiceAcceptanceParams{
				Message: stripe.String("I agree")}},
		})
		Expect(StripeErr(err).Param).To(HavePrefix("custom_text[terms_of_service_acceptance]"))
		// Stripe's update takes no consent_collection.
		status, body, err := emu.Call("POST", "/v1/payment_links/"+l.ID, url.Values{"consent_collection[promotions]": {"none"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(400), "%v", body)
		Expect(body["error"].(map[string]any)["code"]).To(Equal("parameter_unknown"))
	})

	It("takes Connect's destination, on_behalf_of and application fee on a one-time link, and its sessions' payments carry them", func() {
		acct := Seller(emu, nil).ID
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:            []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(2)}},
			TransferData:         &stripe.PaymentLinkCreateTransferDataParams{Destination: stripe.String(acct)},
			OnBehalfOf:           stripe.String(acct),
			ApplicationFeeAmount: stripe.Int64(150),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.TransferData.Destination.ID).To(Equal(acct))
		Expect(l.TransferData.Amount).To(BeZero())
		Expect(l.OnBehalfOf.ID).To(Equal(acct))
		Expect(l.ApplicationFeeAmount).To(Equal(int64(150)))
		rp := &stripe.PaymentLinkRetrieveParams{}
		rp.AddExpand("transfer_data.destination")
		rp.AddExpand("on_behalf_of")
		got, err := sc.V1PaymentLinks.Retrieve(Ctx, l.ID, rp)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.TransferData.Destination.Object).To(Equal("account"))
		Expect(got.OnBehalfOf.Object).To(Equal("account"))

		s, err := emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		done, err := emu.CompleteCheckout("", s["id"].(string), "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, done["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Amount).To(Equal(int64(3000)))
		Expect(pi.TransferData.Destination.ID).To(Equal(acct))
		Expect(pi.OnBehalfOf.ID).To(Equal(acct))
		Expect(pi.ApplicationFeeAmount).To(Equal(int64(150)))

		// A transfer_data[amount] is kept too.
		l, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:    []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			TransferData: &stripe.PaymentLinkCreateTransferDataParams{Destination: stripe.String(acct), Amount: stripe.Int64(1000)},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.TransferData.Amount).To(Equal(int64(1000)))
		s, err = emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		done, err = emu.CompleteCheckout("", s["id"].(string), "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		pi, err = sc.V1PaymentIntents.Retrieve(Ctx, done["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.TransferData.Amount).To(Equal(int64(1000)))

		before := count()
		one := []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}}
		monthly := []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(recurring.ID), Quantity: stripe.Int64(1)}}
		for _, tc := range []struct {
			p     *stripe.PaymentLinkCreateParams
			param string
		}{
			// Neither a destination nor a connected account to take a fee from.
			{&stripe.PaymentLinkCreateParams{LineItems: one, ApplicationFeeAmount: stripe.Int64(100)}, "application_fee_amount"},
			{&stripe.PaymentLinkCreateParams{LineItems: one, TransferData: &stripe.PaymentLinkCreateTransferDataParams{Destination: stripe.String("acct_1NotConnected")}}, "transfer_data[destination]"},
			{&stripe.PaymentLinkCreateParams{LineItems: one, OnBehalfOf: stripe.String("acct_1NotConnected")}, "on_behalf_of"},
			// Stripe: "Can only be applied when there are no line items with recurring prices."
			{&stripe.PaymentLinkCreateParams{LineItems: monthly, ApplicationFeeAmount: stripe.Int64(100), TransferData: &stripe.PaymentLinkCreateTransferDataParams{Destination: stripe.String(acct)}}, "application_fee_amount"},
			// Stripe: "There must be at least 1 line item with a recurring price to use this field."
			{&stripe.PaymentLinkCreateParams{LineItems: one, ApplicationFeePercent: stripe.Float64(10), TransferData: &stripe.PaymentLinkCreateTransferDataParams{Destination: stripe.String(acct)}}, "application_fee_percent"},
		} {
			_, err := sc.V1PaymentLinks.Create(Ctx, tc.p)
			Expect(StripeErr(err).Param).To(Equal(tc.param), "%v", err)
		}
		Expect(count()).To(Equal(before))
	})

	It("offers optional items, shown on the link and on the sessions it opens, which the customer may add", func() {
		extra, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(price.Product.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(500)})
		Expect(err).NotTo(HaveOccurred())
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			OptionalItems: []*stripe.PaymentLinkCreateOptionalItemParams{{Price: stripe.String(extra.ID), Quantity: stripe.Int64(1),
				AdjustableQuantity: &stripe.PaymentLinkCreateOptionalItemAdjustableQuantityParams{Enabled: stripe.Bool(true), Maximum: stripe.Int64(3)}}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.OptionalItems).To(HaveLen(1))
		Expect(l.OptionalItems[0].Price).To(Equal(extra.ID))
		Expect(l.OptionalItems[0].Quantity).To(Equal(int64(1)))
		Expect(l.OptionalItems[0].AdjustableQuantity.Maximum).To(Equal(int64(3)))

		s, err := emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(s["optional_items"]).To(HaveLen(1))
		Expect(s["amount_total"]).To(BeNumerically("==", 1500), "an optional item is not in the order until added")
		status, done, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s["id"].(string)+"/complete",
			url.Values{"payment_method": {"pm_card_visa"}, "optional_items[0][price]": {extra.ID}, "optional_items[0][quantity]": {"2"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", done)
		Expect(done["amount_total"]).To(BeNumerically("==", 2500))

		before := count()
		recurringExtra := []*stripe.PaymentLinkCreateOptionalItemParams{{Price: stripe.String(recurring.ID), Quantity: stripe.Int64(1)}}
		_, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}}, OptionalItems: recurringExtra})
		Expect(StripeErr(err).Param).To(Equal("optional_items[0][price]"))
		many := make([]*stripe.PaymentLinkCreateLineItemParams, 15)
		for i := range many {
			many[i] = &stripe.PaymentLinkCreateLineItemParams{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}
		}
		six := make([]*stripe.PaymentLinkCreateOptionalItemParams, 6)
		for i := range six {
			six[i] = &stripe.PaymentLinkCreateOptionalItemParams{Price: stripe.String(extra.ID), Quantity: stripe.Int64(1)}
		}
		// Stripe: "There is a maximum of 20 combined line items and optional items."
		_, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: many, OptionalItems: six})
		Expect(StripeErr(err).Param).To(Equal("optional_items"))
		Expect(count()).To(Equal(before))

		// Promotion codes beside optional items are not emulated in Checkout: refused on the link too,
		// when it is made or changed, rather than when a customer opens it.
		_, err = sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{AllowPromotionCodes: stripe.Bool(true)})
		Expect(StripeErr(err).Param).To(Equal("allow_promotion_codes"))
		got, err := sc.V1PaymentLinks.Retrieve(Ctx, l.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.AllowPromotionCodes).To(BeFalse())
	})

	It("refuses a post-payment invoice beside what Checkout's invoices do not emulate when the link is made or changed, not when a customer opens it", func() {
		shr, err := sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{DisplayName: stripe.String("Ground"), Type: stripe.String("fixed_amount"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(500), Currency: stripe.String("eur")}})
		Expect(err).NotTo(HaveOccurred())
		invoice := func() *stripe.PaymentLinkCreateInvoiceCreationParams {
			return &stripe.PaymentLinkCreateInvoiceCreationParams{Enabled: stripe.Bool(true)}
		}
		one := func() []*stripe.PaymentLinkCreateLineItemParams {
			return []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}}
		}
		for _, tc := range []struct {
			p     *stripe.PaymentLinkCreateParams
			param string
		}{
			{&stripe.PaymentLinkCreateParams{LineItems: one(), InvoiceCreation: invoice(), AllowPromotionCodes: stripe.Bool(true)}, "allow_promotion_codes"},
			{&stripe.PaymentLinkCreateParams{LineItems: one(), InvoiceCreation: invoice(), PaymentIntentData: &stripe.PaymentLinkCreatePaymentIntentDataParams{CaptureMethod: stripe.String("manual")}}, "payment_intent_data[capture_method]"},
		} {
			_, err := sc.V1PaymentLinks.Create(Ctx, tc.p)
			Expect(StripeErr(err).Param).To(Equal(tc.param), "%v", err)
		}
		Expect(count()).To(BeZero())

		// Shipping is billed on the invoice (shipping_cost): taken.
		shipped, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: one(), InvoiceCreation: invoice(),
			ShippingOptions: []*stripe.PaymentLinkCreateShippingOptionParams{{ShippingRate: stripe.String(shr.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		status, body := open(shipped.ID)
		Expect(status).To(Equal(200), "%v", body)

		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: one(), InvoiceCreation: invoice()})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{AllowPromotionCodes: stripe.Bool(true)})
		Expect(StripeErr(err).Param).To(Equal("allow_promotion_codes"))
		status, body = open(l.ID)
		Expect(status).To(Equal(200), "%v", body)

		// Turned off, the rest is taken.
		_, err = sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{AllowPromotionCodes: stripe.Bool(true),
			InvoiceCreation: &stripe.PaymentLinkUpdateInvoiceCreationParams{Enabled: stripe.Bool(false)}})
		Expect(err).NotTo(HaveOccurred())
		status, body = open(l.ID)
		Expect(status).To(Equal(200), "%v", body)
	})

	It("empties the metadata and trial settings it hands on when an update sends them empty, as Stripe's update parameters allow", func() {
		post := func(id string, kv ...string) map[string]any {
			form := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				form.Set(kv[i], kv[i+1])
			}
			status, body, err := emu.Call("POST", "/v1/payment_links/"+id, form, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			return body
		}
		one, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:         []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			PaymentIntentData: &stripe.PaymentLinkCreatePaymentIntentDataParams{Metadata: map[string]string{"channel": "link"}},
		})
		Expect(err).NotTo(HaveOccurred())
		body := post(one.ID, "payment_intent_data[metadata]", "")
		Expect(body["payment_intent_data"].(map[string]any)["metadata"]).To(BeEmpty())
		s, err := emu.OpenPaymentLink("", one.ID)
		Expect(err).NotTo(HaveOccurred())
		done, err := emu.CompleteCheckout("", s["id"].(string), "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, done["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Metadata).To(BeEmpty())

		sub, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(recurring.ID), Quantity: stripe.Int64(1)}},
			SubscriptionData: &stripe.PaymentLinkCreateSubscriptionDataParams{Metadata: map[string]string{"plan": "monthly"}, TrialPeriodDays: stripe.Int64(7),
				TrialSettings: &stripe.PaymentLinkCreateSubscriptionDataTrialSettingsParams{EndBehavior: &stripe.PaymentLinkCreateSubscriptionDataTrialSettingsEndBehaviorParams{
					MissingPaymentMethod: stripe.String("cancel")}}},
		})
		Expect(err).NotTo(HaveOccurred())
		body = post(sub.ID, "subscription_data[metadata]", "", "subscription_data[trial_settings]", "")
		sd := body["subscription_data"].(map[string]any)
		Expect(sd["metadata"]).To(BeEmpty())
		Expect(sd["trial_settings"]).To(BeNil())
		Expect(sd["trial_period_days"]).To(BeNumerically("==", 7), "what was not sent is kept")

		inv, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			InvoiceCreation: &stripe.PaymentLinkCreateInvoiceCreationParams{Enabled: stripe.Bool(true), InvoiceData: &stripe.PaymentLinkCreateInvoiceCreationInvoiceDataParams{
				Metadata: map[string]string{"channel": "link"}, Footer: stripe.String("Thanks")}},
		})
		Expect(err).NotTo(HaveOccurred())
		body = post(inv.ID, "invoice_creation[enabled]", "true", "invoice_creation[invoice_data][metadata]", "")
		data := body["invoice_creation"].(map[string]any)["invoice_data"].(map[string]any)
		Expect(data["metadata"]).To(BeEmpty())
		Expect(data["footer"]).To(Equal("Thanks"))
	})

	It("replaces the metadata it hands to payments and subscriptions on update, and merges its invoices' metadata key by key, as Stripe's update parameters say", func() {
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:         []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
			PaymentIntentData: &stripe.PaymentLinkCreatePaymentIntentDataParams{Metadata: map[string]string{"channel": "link"}},
			InvoiceCreation: &stripe.PaymentLinkCreateInvoiceCreationParams{Enabled: stripe.Bool(true), InvoiceData: &stripe.PaymentLinkCreateInvoiceCreationInvoiceDataParams{
				Metadata: map[string]string{"channel": "link", "region": "eu"}}},
		})
		Expect(err).NotTo(HaveOccurred())
		up, err := sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{
			// Stripe: payment_intent_data[metadata] "is declarative.
			// Updates will clear prior values."
			PaymentIntentData: &stripe.PaymentLinkUpdatePaymentIntentDataParams{Metadata: map[string]string{"campaign": "summer"}},
			// invoice_data[metadata] is an object's metadata: "Individual
			// keys can be unset by posting an empty value to them."
			InvoiceCreation: &stripe.PaymentLinkUpdateInvoiceCreationParams{Enabled: stripe.Bool(true), InvoiceData: &stripe.PaymentLinkUpdateInvoiceCreationInvoiceDataParams{
				Metadata: map[string]string{"campaign": "summer", "region": ""}}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(up.PaymentIntentData.Metadata).To(Equal(map[string]string{"campaign": "summer"}))
		Expect(up.InvoiceCreation.InvoiceData.Metadata).To(Equal(map[string]string{"channel": "link", "campaign": "summer"}))

		// The invoice the link's session makes carries the merged metadata.
		s, err := emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		done, err := emu.CompleteCheckout("", s["id"].(string), "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Retrieve(Ctx, done["invoice"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Metadata).To(Equal(map[string]string{"channel": "link", "campaign": "summer"}))
	})

	It("takes subscription_data[invoice_settings][issuer][type]=self, as a Checkout Session's subscription_data does, refusing an account issuer as not emulated", func() {
		selfIssued := func() *stripe.PaymentLinkCreateSubscriptionDataParams {
			return &stripe.PaymentLinkCreateSubscriptionDataParams{InvoiceSettings: &stripe.PaymentLinkCreateSubscriptionDataInvoiceSettingsParams{
				Issuer: &stripe.PaymentLinkCreateSubscriptionDataInvoiceSettingsIssuerParams{Type: stripe.String("self")}}}
		}
		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:        []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(recurring.ID), Quantity: stripe.Int64(1)}},
			SubscriptionData: selfIssued(),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.SubscriptionData.InvoiceSettings.Issuer.Type).To(Equal(stripe.PaymentLinkSubscriptionDataInvoiceSettingsIssuerTypeSelf))
		l, err = sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{SubscriptionData: &stripe.PaymentLinkUpdateSubscriptionDataParams{
			InvoiceSettings: &stripe.PaymentLinkUpdateSubscriptionDataInvoiceSettingsParams{Issuer: &stripe.PaymentLinkUpdateSubscriptionDataInvoiceSettingsIssuerParams{Type: stripe.String("self")}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(l.SubscriptionData.InvoiceSettings.Issuer.Type).To(Equal(stripe.PaymentLinkSubscriptionDataInvoiceSettingsIssuerTypeSelf))
		s, err := emu.OpenPaymentLink("", l.ID)
		Expect(err).NotTo(HaveOccurred())
		done, err := emu.CompleteCheckout("", s["id"].(string), "pm_card_visa")
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, done["subscription"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.InvoiceSettings.Issuer.Type).To(Equal(stripe.SubscriptionInvoiceSettingsIssuerTypeSelf))

		account := selfIssued()
		account.InvoiceSettings.Issuer = &stripe.PaymentLinkCreateSubscriptionDataInvoiceSettingsIssuerParams{Type: stripe.String("account"), Account: stripe.String("acct_1")}
		noType := selfIssued()
		noType.InvoiceSettings.Issuer.Type = nil
		noType.InvoiceSettings.Issuer.Account = stripe.String("acct_1")
		for _, tc := range []struct {
			sd    *stripe.PaymentLinkCreateSubscriptionDataParams
			param string
		}{
			{account, "subscription_data[invoice_settings][issuer][type]"},
			{noType, "subscription_data[invoice_settings][issuer][type]"},
		} {
			_, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
				LineItems:        []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(recurring.ID), Quantity: stripe.Int64(1)}},
				SubscriptionData: tc.sd,
			})
			Expect(StripeErr(err).Param).To(Equal(tc.param), "%v", err)
		}
		Expect(count()).To(Equal(1))
	})

	It("refuses, when made or changed, payment method types the sessions it opens would refuse, and opens a WeChat Pay link's sessions for the web", func() {
		usd, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(price.Product.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1500)})
		Expect(err).NotTo(HaveOccurred())
		link := func(priceID string, types ...string) *stripe.PaymentLinkCreateParams {
			return &stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(priceID), Quantity: stripe.Int64(1)}},
				PaymentMethodTypes: stripe.StringSlice(types)}
		}
		for _, p := range []*stripe.PaymentLinkCreateParams{
			link(usd.ID, "card", "ideal"), // iDEAL pays in euros only
			link(recurring.ID, "sofort"),  // not emulated at all
			link(recurring.ID, "oxxo"),    // a voucher pays once
		} {
			_, err := sc.V1PaymentLinks.Create(Ctx, p)
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(400), "%v", err)
			Expect(StripeErr(err).Param).To(Equal("payment_method_types"), "%v", err)
		}
		Expect(count()).To(BeZero())

		l, err := sc.V1PaymentLinks.Create(Ctx, link(usd.ID, "card"))
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{PaymentMethodTypes: stripe.StringSlice([]string{"card", "eps"})})
		Expect(StripeErr(err).Param).To(Equal("payment_method_types"), "%v", err)
		got, err := sc.V1PaymentLinks.Retrieve(Ctx, l.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.PaymentMethodTypes).To(Equal([]stripe.PaymentLinkPaymentMethodType{"card"}), "the refused update changed nothing")

		// A Checkout Session needs WeChat Pay's client (which its object
		// does not show); a link's page is the web.
		wechat, err := sc.V1PaymentLinks.Create(Ctx, link(price.ID, "wechat_pay"))
		Expect(err).NotTo(HaveOccurred())
		status, body := open(wechat.ID)
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["payment_method_types"]).To(Equal([]any{"wechat_pay"}))
		Expect(body["payment_link"]).To(Equal(wechat.ID))
	})

	It("refuses what Stripe refuses, keeping nothing", func() {
		other, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(price.Product.ID), Currency: stripe.String("eur"),
			UnitAmount: stripe.Int64(9000), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("year")}})
		Expect(err).NotTo(HaveOccurred())
		archived, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(price.Product.ID), Currency: stripe.String("eur"), UnitAmount: stripe.Int64(100)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Prices.Update(Ctx, archived.ID, &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		item := func(id string) *stripe.PaymentLinkCreateLineItemParams {
			return &stripe.PaymentLinkCreateLineItemParams{Price: stripe.String(id), Quantity: stripe.Int64(1)}
		}
		many := make([]*stripe.PaymentLinkCreateLineItemParams, 21)
		for i := range many {
			many[i] = item(price.ID)
		}
		for _, tc := range []struct {
			p     *stripe.PaymentLinkCreateParams
			param string
		}{
			{&stripe.PaymentLinkCreateParams{}, "line_items"},
			{&stripe.PaymentLinkCreateParams{LineItems: many}, "line_items"},
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item(archived.ID)}}, "line_items[0][price]"},
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item("price_missing")}}, "line_items[0][price]"},
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID)}}}, "line_items[0][quantity]"},
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item(recurring.ID), item(other.ID)}}, "line_items[1][price]"},
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item(price.ID), item(recurring.ID)}}, "line_items[1][price]"},
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item(price.ID)},
				SubscriptionData: &stripe.PaymentLinkCreateSubscriptionDataParams{TrialPeriodDays: stripe.Int64(7)}}, "subscription_data"},
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item(recurring.ID)},
				PaymentIntentData: &stripe.PaymentLinkCreatePaymentIntentDataParams{Description: stripe.String("x")}}, "payment_intent_data"},
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item(price.ID)},
				AfterCompletion: &stripe.PaymentLinkCreateAfterCompletionParams{Type: stripe.String("redirect")}}, "after_completion[redirect][url]"},
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item(price.ID)},
				SubmitType: stripe.String("buy")}, "submit_type"},
			// Stripe's spec requires tax_id_collection[enabled] with the object.
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item(price.ID)},
				TaxIDCollection: &stripe.PaymentLinkCreateTaxIDCollectionParams{Required: stripe.String("if_supported")}}, "tax_id_collection[enabled]"},
			// Stripe's longest strings (its OpenAPI spec's maxLength).
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item(price.ID)},
				InactiveMessage: stripe.String(strings.Repeat("x", 501))}, "inactive_message"},
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item(price.ID)},
				AfterCompletion: &stripe.PaymentLinkCreateAfterCompletionParams{Type: stripe.String("hosted_confirmation"),
					HostedConfirmation: &stripe.PaymentLinkCreateAfterCompletionHostedConfirmationParams{CustomMessage: stripe.String(strings.Repeat("x", 501))}}},
				"after_completion[hosted_confirmation][custom_message]"},
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item(price.ID)},
				PaymentIntentData: &stripe.PaymentLinkCreatePaymentIntentDataParams{StatementDescriptor: stripe.String(strings.Repeat("A", 23))}},
				"payment_intent_data[statement_descriptor]"},
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item(recurring.ID)},
				SubscriptionData: &stripe.PaymentLinkCreateSubscriptionDataParams{Description: stripe.String(strings.Repeat("d", 501))}},
				"subscription_data[description]"},
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item(price.ID)},
				CustomText: &stripe.PaymentLinkCreateCustomTextParams{Submit: &stripe.PaymentLinkCreateCustomTextSubmitParams{Message: stripe.String(strings.Repeat("Go", 601))}}}, "custom_text"},
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item(recurring.ID)},
				InvoiceCreation: &stripe.PaymentLinkCreateInvoiceCreationParams{Enabled: stripe.Bool(true)}}, "invoice_creation"},
			{&stripe.PaymentLinkCreateParams{LineItems: []*stripe.PaymentLinkCreateLineItemParams{item(price.ID)},
				InvoiceCreation: &stripe.PaymentLinkCreateInvoiceCreationParams{Enabled: stripe.Bool(true), InvoiceData: &stripe.PaymentLinkCreateInvoiceCreationInvoiceDataParams{
					Issuer: &stripe.PaymentLinkCreateInvoiceCreationInvoiceDataIssuerParams{Type: stripe.String("account"), Account: stripe.String("acct_x")}}}}, "invoice_creation[invoice_data][issuer][type]"},
		} {
			_, err := sc.V1PaymentLinks.Create(Ctx, tc.p)
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(BeNumerically(">=", 400))
			Expect(se.Param).To(HavePrefix(tc.param), "%v", err)
		}
		Expect(count()).To(BeZero())
		Expect(slices.DeleteFunc(delivered(), func(t string) bool { return t != "payment_link.created" })).To(BeEmpty())

		_, err = sc.V1PaymentLinks.Retrieve(Ctx, "plink_missing", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})
})
