package billing_test

import (
	"net/http"
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Subscription invoices whose card asks for 3-D Secure: Stripe Billing
// does not decline them off-session as a merchant's own off-session
// PaymentIntent is declined; the invoice's PaymentIntent waits in
// requires_action for the customer, the invoice stays open, and it is not
// retried ("Unauthorized payments are still considered active, as they
// are waiting to be authenticated": Stripe's support article on
// subscription retries for 3D Secure).
var _ = Describe("Subscription invoices needing 3-D Secure", Label("billing", "subscriptions", "clock", "3ds"), func() {
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		monthly *stripe.Price
		clock   *stripe.TestHelpersTestClock
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		monthly = recurringPrice(sc, prod.ID, "month", 1000)
		clock, err = sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
	})
	advance := func(to time.Time) { GinkgoHelper(); advanceClock(sc, clock.ID, to) }
	subscribe := func(cus *stripe.Customer, behavior string) (*stripe.Subscription, error) {
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}}
		if behavior != "" {
			p.PaymentBehavior = stripe.String(behavior)
		}
		p.AddExpand("latest_invoice.confirmation_secret")
		return sc.V1Subscriptions.Create(Ctx, p)
	}
	authenticate := func(piID, outcome string) {
		GinkgoHelper()
		status, body, err := emu.Call("POST", "/v1/test_helpers/payment_intents/"+piID+"/authenticate", url.Values{"outcome": {outcome}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(http.StatusOK), "%v", body)
	}
	retrieve := func(sub *stripe.Subscription) (*stripe.Subscription, *stripe.Invoice, *stripe.PaymentIntent) {
		GinkgoHelper()
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return sub, inv, defaultIntent(sc, inv)
	}
	// authenticatedPays passes 3-D Secure on the intent and expects the
	// subscription's latest invoice paid and the subscription active.
	authenticatedPays := func(piID string, sub *stripe.Subscription) {
		GinkgoHelper()
		authenticate(piID, "succeed")
		got, inv, _ := retrieve(sub)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
	}
	// renewingWith is a subscription paid for its first month by card,
	// whose default payment method is then pm (attached) for the renewal.
	renewingWith := func(pm string) *stripe.Subscription {
		GinkgoHelper()
		cus := customerWithCard(sc, "renewal@example.com", "pm_card_visa", clock.ID)
		sub, err := subscribe(cus, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		card, err := sc.V1PaymentMethods.Attach(Ctx, pm, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultPaymentMethod: stripe.String(card.ID)})
		Expect(err).NotTo(HaveOccurred())
		return sub
	}
	renewal := Epoch.AddDate(0, 1, 0)
	// awaitingAuthentication checks a renewal left for the customer to
	// authenticate: past_due, its invoice open after one attempt that is
	// not retried, its intent in requires_action for Stripe.js.
	awaitingAuthentication := func(sub *stripe.Subscription) (*stripe.Invoice, *stripe.PaymentIntent) {
		GinkgoHelper()
		sub, inv, pi := retrieve(sub)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusPastDue))
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(inv.AttemptCount).To(Equal(int64(1)))
		Expect(inv.Attempted).To(BeTrue())
		Expect(inv.NextPaymentAttempt).To(BeZero(), "a payment waiting for authentication is not retried")
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionTypeUseStripeSDK))
		Expect(pi.LastPaymentError).To(BeNil(), "not declined")
		return inv, pi
	}

	It("leaves a renewal whose card always authenticates past_due, its intent in requires_action, announced in Stripe's events", func() {
		sub := renewingWith("pm_card_authenticationRequired")
		seen := len(emu.Events(""))
		advance(renewal.Add(2 * time.Hour))
		inv, pi := awaitingAuthentication(sub)

		types := emu.EventTypes("")[seen:]
		Expect(types).To(ContainElements("payment_intent.requires_action", "invoice.payment_failed", "invoice.payment_action_required", "customer.subscription.updated"))
		Expect(types).NotTo(ContainElement("payment_intent.payment_failed"))
		Expect(types).NotTo(ContainElement("charge.failed"))
		Expect(indexOf(types, "payment_intent.requires_action")).To(BeNumerically("<", indexOf(types, "invoice.payment_failed")))
		Expect(indexOf(types, "invoice.payment_failed")).To(BeNumerically("<", indexOf(types, "invoice.payment_action_required")))
		required := latestEvent(sc, "invoice.payment_action_required")
		Expect(required.Data.Object["id"]).To(Equal(inv.ID))
		Expect(required.Data.Object["attempt_count"]).To(BeEquivalentTo(1))
		updated := latestEvent(sc, "customer.subscription.updated")
		Expect(updated.Data.Object["status"]).To(Equal("past_due"))
		Expect(updated.Data.PreviousAttributes["status"]).To(Equal("active"))

		// Weeks later nothing was retried, and the subscription was not
		// ended as after failed retries: it waits for the customer.
		seen = len(emu.Events(""))
		advance(renewal.AddDate(0, 0, 20))
		_, again := awaitingAuthentication(sub)
		Expect(again.ID).To(Equal(pi.ID))
		Expect(emu.EventTypes("")[seen:]).NotTo(ContainElements("invoice.payment_failed", "payment_intent.requires_action", "customer.subscription.deleted"))

		// The customer authenticates: the invoice is paid with the same
		// intent and the subscription is active again.
		seen = len(emu.Events(""))
		authenticate(pi.ID, "succeed")
		sub, inv, pi = retrieve(sub)
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.AmountPaid).To(Equal(int64(1000)))
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		types = emu.EventTypes("")[seen:]
		Expect(types).To(ContainElements("payment_intent.succeeded", "invoice.paid", "invoice.payment_succeeded", "customer.subscription.updated"))
		Expect(latestEvent(sc, "customer.subscription.updated").Data.PreviousAttributes["status"]).To(Equal("past_due"))
	})

	It("stops retrying a declined renewal once a retry's card asks for 3-D Secure, and never ends the subscription for it", func() {
		sub := renewingWith("pm_card_chargeCustomerFail")
		advance(renewal.Add(2 * time.Hour))
		sub, inv, _ := retrieve(sub)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusPastDue))
		Expect(inv.NextPaymentAttempt).NotTo(BeZero(), "a decline is retried")
		card, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_authenticationRequired", &stripe.PaymentMethodAttachParams{Customer: stripe.String(sub.Customer.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultPaymentMethod: stripe.String(card.ID)})
		Expect(err).NotTo(HaveOccurred())

		advance(time.Unix(inv.NextPaymentAttempt, 0))
		sub, inv, pi := retrieve(sub)
		Expect(inv.AttemptCount).To(Equal(int64(2)))
		Expect(inv.NextPaymentAttempt).To(BeZero(), "no retry of a payment waiting for authentication")
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusPastDue))

		// Past the default schedule's last retry (day 7) the subscription
		// is not canceled, as it would be once every retry had failed.
		advance(renewal.AddDate(0, 0, 14))
		sub, inv, _ = retrieve(sub)
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusPastDue))
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(inv.AttemptCount).To(Equal(int64(2)))
	})

	It("keeps the invoice open and the subscription past_due when authentication fails, the intent needing a new payment method", func() {
		sub := renewingWith("pm_card_authenticationRequired")
		advance(renewal.Add(2 * time.Hour))
		_, pi := awaitingAuthentication(sub)
		authenticate(pi.ID, "fail")
		sub, inv, pi := retrieve(sub)
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(pi.LastPaymentError.Code).To(Equal(stripe.ErrorCodePaymentIntentAuthenticationFailure))
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(inv.AmountPaid).To(BeZero())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusPastDue))

		// The customer pays on-session with another card: paid, active.
		_, err := sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		sub, inv, _ = retrieve(sub)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
	})

	It("waits for authentication on a renewal with a card that authenticates unless set up, which was not", func() {
		sub := renewingWith("pm_card_authenticationRequiredOnSetup")
		advance(renewal.Add(2 * time.Hour))
		_, pi := awaitingAuthentication(sub)
		authenticatedPays(pi.ID, sub)
	})

	It("renews off-session without authentication with a 4000002500003155 card set up for later use", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("setup@example.com"), TestClock: stripe.String(clock.ID)})
		Expect(err).NotTo(HaveOccurred())
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID), Confirm: stripe.Bool(true),
			PaymentMethod: stripe.String("pm_card_authenticationRequiredOnSetup"), ReturnURL: stripe.String("https://example.com/return")})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresAction))
		status, body, err := emu.Call("POST", "/v1/test_helpers/setup_intents/"+si.ID+"/authenticate", url.Values{}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(http.StatusOK), "%v", body)
		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{InvoiceSettings: &stripe.CustomerUpdateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String(si.PaymentMethod.ID)}})
		Expect(err).NotTo(HaveOccurred())

		sub, err := subscribe(cus, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		seen := len(emu.Events(""))
		advance(renewal.Add(2 * time.Hour))
		sub, inv, pi := retrieve(sub)
		Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(emu.EventTypes("")[seen:]).NotTo(ContainElement("invoice.payment_action_required"))
	})

	Describe("a subscription's first invoice", func() {
		var cus *stripe.Customer
		BeforeEach(func() {
			cus = customerWithCard(sc, "first@example.com", "pm_card_authenticationRequired", clock.ID)
		})

		It("leaves the subscription incomplete, its intent in requires_action, until the customer authenticates (allow_incomplete)", func() {
			sub, err := subscribe(cus, "allow_incomplete")
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusIncomplete))
			sub, inv, pi := retrieve(sub)
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
			Expect(inv.AttemptCount).To(Equal(int64(1)))
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
			Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionTypeUseStripeSDK))
			Expect(emu.EventTypes("")).To(ContainElements("invoice.payment_failed", "invoice.payment_action_required"))
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusIncomplete))

			authenticatedPays(pi.ID, sub)
		})

		It("expires 23 hours later if the customer never authenticates, its intent canceled", func() {
			sub, err := subscribe(cus, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusIncomplete))
			advance(Epoch.Add(23 * time.Hour))
			sub, inv, pi := retrieve(sub)
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusIncompleteExpired))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusVoid))
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusCanceled))
		})

		It("is paid by the client confirming its intent and authenticating (default_incomplete)", func() {
			sub, err := subscribe(cus, "default_incomplete")
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusIncomplete))
			_, _, pi := retrieve(sub)
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod), "nothing is attempted before the client confirms")
			pi, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String(cus.InvoiceSettings.DefaultPaymentMethod.ID),
				ReturnURL: stripe.String("https://example.com/return")})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
			sub, _, _ = retrieve(sub)
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusIncomplete))

			authenticatedPays(pi.ID, sub)
		})

		It("is refused with a 402 and nothing is created (error_if_incomplete)", func() {
			subs, invoices, intents := emu.Count("", "subscription"), emu.Count("", "invoice"), emu.Count("", "payment_intent")
			_, err := subscribe(cus, "error_if_incomplete")
			ExpectStripeError(err, http.StatusPaymentRequired, "card_error", "subscription_payment_intent_requires_action", "")
			Expect(StripeErr(err).Msg).To(HavePrefix("Payment for this subscription requires additional user action, but the requested payment behavior doesn't save the invoice or PaymentIntent."))
			Expect(emu.Count("", "subscription")).To(Equal(subs))
			Expect(emu.Count("", "invoice")).To(Equal(invoices))
			Expect(emu.Count("", "payment_intent")).To(Equal(intents))
		})
	})

	Describe("an update that invoices at once", func() {
		var sub *stripe.Subscription
		BeforeEach(func() {
			sub = renewingWith("pm_card_authenticationRequired")
		})
		upgrade := func(behavior string) (*stripe.Subscription, error) {
			p := &stripe.SubscriptionUpdateParams{ProrationBehavior: stripe.String("always_invoice"),
				Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(3)}}}
			if behavior != "" {
				p.PaymentBehavior = stripe.String(behavior)
			}
			return sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		}

		It("goes past_due with its invoice's intent in requires_action (allow_incomplete)", func() {
			updated, err := upgrade("allow_incomplete")
			Expect(err).NotTo(HaveOccurred())
			Expect(updated.Items.Data[0].Quantity).To(Equal(int64(3)))
			got, inv, pi := retrieve(updated)
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusPastDue))
			Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
			Expect(inv.NextPaymentAttempt).To(BeZero())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
			authenticatedPays(pi.ID, updated)
		})

		It("is refused whole with a 402 under error_if_incomplete, the subscription unchanged", func() {
			invoices, intents := emu.Count("", "invoice"), emu.Count("", "payment_intent")
			_, err := upgrade("error_if_incomplete")
			ExpectStripeError(err, http.StatusPaymentRequired, "card_error", "subscription_payment_intent_requires_action", "")
			got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Items.Data[0].Quantity).To(Equal(int64(1)))
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
			Expect(emu.Count("", "invoice")).To(Equal(invoices))
			Expect(emu.Count("", "payment_intent")).To(Equal(intents))
		})

		It("is refused whole with the decline under error_if_incomplete when the card declines", func() {
			bad, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_chargeCustomerFail", &stripe.PaymentMethodAttachParams{Customer: stripe.String(sub.Customer.ID)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultPaymentMethod: stripe.String(bad.ID)})
			Expect(err).NotTo(HaveOccurred())
			invoices := emu.Count("", "invoice")
			_, err = upgrade("error_if_incomplete")
			ExpectStripeError(err, http.StatusPaymentRequired, "card_error", "card_declined", "")
			got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Items.Data[0].Quantity).To(Equal(int64(1)))
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
			Expect(emu.Count("", "invoice")).To(Equal(invoices))
		})
	})

	It("answers paying an invoice with a 3-D Secure card with a 402 naming the intent left in requires_action", func() {
		cus := customerWithCard(sc, "pay@example.com", "pm_card_authenticationRequired", "")
		_, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(2500), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), PendingInvoiceItemsBehavior: stripe.String("include")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.Pay(Ctx, inv.ID, nil)
		ExpectStripeError(err, http.StatusPaymentRequired, "card_error", "invoice_payment_intent_requires_action", "")
		se := StripeErr(err)
		Expect(se.Msg).To(HavePrefix("This payment requires additional user action before it can be completed successfully."))
		Expect(se.PaymentIntent.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))

		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(inv.AttemptCount).To(Equal(int64(1)))
		pi := defaultIntent(sc, inv)
		Expect(pi.ID).To(Equal(se.PaymentIntent.ID))
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		authenticate(pi.ID, "succeed")
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
	})

	It("pays an invoice waiting for authentication when it is paid with another card", func() {
		cus := customerWithCard(sc, "other@example.com", "pm_card_authenticationRequired", "")
		_, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(2500), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), PendingInvoiceItemsBehavior: stripe.String("include")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.Pay(Ctx, inv.ID, nil)
		ExpectStripeError(err, http.StatusPaymentRequired, "card_error", "invoice_payment_intent_requires_action", "")
		visa, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_visa", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		paid, err := sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String(visa.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(paid.Status).To(Equal(stripe.InvoiceStatusPaid))
		// Only automatic retries count after the first attempt (Stripe's
		// attempt_count).
		Expect(paid.AttemptCount).To(Equal(int64(1)))
		Expect(defaultIntent(sc, paid).Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})
})

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
