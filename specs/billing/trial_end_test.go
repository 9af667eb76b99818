package billing_test

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("A trial that ends without a payment method", Label("billing"), func() {
	var (
		emu   *emulator.Emulator
		sc    *stripe.Client
		price *stripe.Price
		cus   *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		price = recurringPrice(sc, prod.ID, "month", 1000)
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("trial@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})
	trial := func(behavior string) *stripe.Subscription {
		GinkgoHelper()
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}, TrialPeriodDays: stripe.Int64(7),
			TrialSettings: &stripe.SubscriptionCreateTrialSettingsParams{EndBehavior: &stripe.SubscriptionCreateTrialSettingsEndBehaviorParams{
				MissingPaymentMethod: stripe.String(behavior)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		return sub
	}

	It("is canceled at the trial's end with missing_payment_method=cancel, invoicing nothing", func() {
		sub := trial("cancel")
		invoices := emu.Count("", "invoice")
		seen := len(emu.Events(""))
		emu.Clock().Set(time.Unix(sub.TrialEnd, 0).Add(time.Hour))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(got.EndedAt).To(Equal(sub.TrialEnd))
		Expect(emu.EventTypes("")[seen:]).To(ContainElement("customer.subscription.deleted"))
		Expect(emu.Count("", "invoice")).To(Equal(invoices), "no invoice for the period that never starts")
	})

	It("is paused at the trial's end with missing_payment_method=pause", func() {
		sub := trial("pause")
		emu.Clock().Set(time.Unix(sub.TrialEnd, 0).Add(time.Hour))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusPaused))
	})
})

// How a trial ends: by itself without a payment method, as
// trial_settings[end_behavior][missing_payment_method] says, or early with
// trial_end=now.
var _ = Describe("The end of a subscription's trial", Label("billing", "subscriptions", "trials"), func() {
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		monthly *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Trial plan")})
		Expect(err).NotTo(HaveOccurred())
		monthly = recurringPrice(sc, prod.ID, "month", 1000)
	})

	// cardless is a 3-day trial of a customer without any payment method.
	cardless := func(missing string) *stripe.Subscription {
		GinkgoHelper()
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("trial@example.com")})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
			Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}},
			TrialPeriodDays: stripe.Int64(3),
			TrialSettings: &stripe.SubscriptionCreateTrialSettingsParams{EndBehavior: &stripe.SubscriptionCreateTrialSettingsEndBehaviorParams{
				MissingPaymentMethod: stripe.String(missing)}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		return sub
	}
	eventsOf := func(id string) []string {
		var out []string
		for _, ev := range emu.Events("") {
			if obj, _ := ev["data"].(map[string]any)["object"].(map[string]any); obj["id"] == id {
				out = append(out, ev["type"].(string))
			}
		}
		return out
	}

	It("cancels the subscription when it ends without a payment method and missing_payment_method is cancel", func() {
		sub := cardless("cancel")
		trialEnd := time.Unix(sub.TrialEnd, 0)
		emu.Clock().Set(trialEnd.Add(2 * time.Hour))

		sub, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		Expect(sub.EndedAt).To(Equal(trialEnd.Unix()))
		Expect(sub.CanceledAt).To(Equal(trialEnd.Unix()))
		Expect(eventsOf(sub.ID)).To(Equal([]string{"customer.subscription.created", "customer.subscription.trial_will_end", "customer.subscription.deleted"}))
		n := 0
		for inv, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Subscription: stripe.String(sub.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Total).To(BeZero(), "only the trial's own $0 invoice: nothing is billed after it")
			n++
		}
		Expect(n).To(Equal(1))
	})

	It("pauses the subscription with customer.subscription.paused when missing_payment_method is pause", func() {
		sub := cardless("pause")
		emu.Clock().Set(time.Unix(sub.TrialEnd, 0).Add(2 * time.Hour))

		sub, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusPaused))
		Expect(eventsOf(sub.ID)).To(Equal([]string{"customer.subscription.created", "customer.subscription.trial_will_end",
			"customer.subscription.updated", "customer.subscription.paused"}))
	})

	// Stripe's reference for POST /v1/subscriptions/{id}/resume: the
	// resumption invoice is charged then; "If payment succeeds the
	// subscription will become active, and if payment fails the
	// subscription will be past_due."
	Describe("resuming a paused subscription", func() {
		paused := func() *stripe.Subscription {
			GinkgoHelper()
			sub := cardless("pause")
			emu.Clock().Set(time.Unix(sub.TrialEnd, 0).Add(2 * time.Hour))
			return sub
		}
		payWith := func(sub *stripe.Subscription, pm string) {
			GinkgoHelper()
			attached, err := sc.V1PaymentMethods.Attach(Ctx, pm, &stripe.PaymentMethodAttachParams{Customer: stripe.String(sub.Customer.ID)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Customers.Update(Ctx, sub.Customer.ID, &stripe.CustomerUpdateParams{
				InvoiceSettings: &stripe.CustomerUpdateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String(attached.ID)}})
			Expect(err).NotTo(HaveOccurred())
		}
		resume := func(sub *stripe.Subscription) (*stripe.Subscription, *stripe.Invoice) {
			GinkgoHelper()
			p := &stripe.SubscriptionResumeParams{}
			p.AddExpand("latest_invoice")
			got, err := sc.V1Subscriptions.Resume(Ctx, sub.ID, p)
			Expect(err).NotTo(HaveOccurred())
			return got, got.LatestInvoice
		}

		It("charges the new period's invoice at once and is active when it is paid", func() {
			sub := paused()
			payWith(sub, "pm_card_visa")
			got, inv := resume(sub)
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(inv.AmountPaid).To(Equal(int64(1000)))
			Expect(emu.EventTypes("")).To(ContainElements("customer.subscription.resumed", "invoice.finalized", "invoice.paid"))
		})

		It("is past_due when the payment fails, and active once the invoice is paid", func() {
			sub := paused()
			payWith(sub, "pm_card_chargeCustomerFail")
			got, inv := resume(sub)
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusPastDue))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
			Expect(inv.AttemptCount).To(Equal(int64(1)))
			Expect(emu.EventTypes("")).To(ContainElement("invoice.payment_failed"))

			_, err := sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa")})
			Expect(err).NotTo(HaveOccurred())
			got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
		})

		// billing_cycle_anchor=unchanged: "Advance the subscription to the
		// period that surrounds the current time without resetting the
		// billing cycle anchor", its proration_behavior create_prorations
		// by default (Stripe's reference for resume).
		Describe("with billing_cycle_anchor=unchanged", func() {
			// resumeTenDaysIn resumes a subscription paused at its trial's
			// end (Sep 4, 12:00) ten days into the period it is advanced
			// to (Sep 4 to Oct 4): 20 of its 30 days are left.
			resumeTenDaysIn := func(behavior string) (*stripe.Subscription, *stripe.Subscription) {
				GinkgoHelper()
				sub := paused()
				payWith(sub, "pm_card_visa")
				emu.Clock().Set(time.Unix(sub.TrialEnd, 0).AddDate(0, 0, 10))
				p := &stripe.SubscriptionResumeParams{BillingCycleAnchor: stripe.String("unchanged")}
				if behavior != "" {
					p.ProrationBehavior = stripe.String(behavior)
				}
				p.AddExpand("latest_invoice")
				got, err := sc.V1Subscriptions.Resume(Ctx, sub.ID, p)
				Expect(err).NotTo(HaveOccurred())
				Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
				Expect(got.BillingCycleAnchor).To(Equal(sub.TrialEnd), "the anchor is kept")
				Expect(got.Items.Data[0].CurrentPeriodStart).To(Equal(sub.TrialEnd))
				Expect(got.Items.Data[0].CurrentPeriodEnd).To(Equal(time.Unix(sub.TrialEnd, 0).AddDate(0, 1, 0).Unix()))
				Expect(emu.EventTypes("")).To(ContainElement("customer.subscription.resumed"))
				return sub, got
			}
			pending := func(sub *stripe.Subscription) []*stripe.InvoiceItem {
				GinkgoHelper()
				var out []*stripe.InvoiceItem
				for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(sub.Customer.ID), Pending: stripe.Bool(true)}) {
					Expect(err).NotTo(HaveOccurred())
					out = append(out, ii)
				}
				return out
			}

			It("prorates the rest of the period onto the next invoice by default", func() {
				sub, got := resumeTenDaysIn("")
				Expect(got.LatestInvoice.ID).To(Equal(sub.LatestInvoice.ID), "no invoice now")
				items := pending(sub)
				Expect(items).To(HaveLen(1))
				Expect(items[0].Amount).To(Equal(int64(667)), "20 of 30 days of 10.00")
				Expect(items[0].Proration).To(BeTrue())
				Expect(items[0].Period.End).To(Equal(got.Items.Data[0].CurrentPeriodEnd))

				emu.Clock().Set(time.Unix(got.Items.Data[0].CurrentPeriodEnd, 0).Add(2 * time.Hour))
				renewed, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
				Expect(err).NotTo(HaveOccurred())
				Expect(renewed.LatestInvoice.Total).To(Equal(int64(1667)))
				Expect(renewed.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
			})

			It("invoices the rest of the period at once with always_invoice", func() {
				_, got := resumeTenDaysIn("always_invoice")
				Expect(got.LatestInvoice.Total).To(Equal(int64(667)))
				Expect(got.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
			})

			It("prorates as of proration_date when given (stripe-go: \"as though the subscription was resumed at the given time\"), and refuses one outside the period it resumes in", func() {
				sub := paused()
				payWith(sub, "pm_card_visa")
				emu.Clock().Set(time.Unix(sub.TrialEnd, 0).AddDate(0, 0, 10))
				_, err := sc.V1Subscriptions.Resume(Ctx, sub.ID, &stripe.SubscriptionResumeParams{BillingCycleAnchor: stripe.String("unchanged"),
					ProrationDate: stripe.Int64(time.Unix(sub.TrialEnd, 0).AddDate(0, 0, -1).Unix())})
				ExpectStripeError(err, 400, "invalid_request_error", "", "proration_date")
				got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(got.Status).To(Equal(stripe.SubscriptionStatusPaused), "nothing changed")

				p := &stripe.SubscriptionResumeParams{BillingCycleAnchor: stripe.String("unchanged"), ProrationBehavior: stripe.String("always_invoice"),
					ProrationDate: stripe.Int64(time.Unix(sub.TrialEnd, 0).AddDate(0, 0, 15).Unix())}
				p.AddExpand("latest_invoice")
				got, err = sc.V1Subscriptions.Resume(Ctx, sub.ID, p)
				Expect(err).NotTo(HaveOccurred())
				Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
				Expect(got.LatestInvoice.Total).To(Equal(int64(500)), "15 of 30 days of 10.00, as of the date given")
			})

			It("takes proration_date with the default billing_cycle_anchor=now, which prorates nothing", func() {
				sub := paused()
				payWith(sub, "pm_card_visa")
				p := &stripe.SubscriptionResumeParams{ProrationDate: stripe.Int64(time.Unix(sub.TrialEnd, 0).Unix())}
				p.AddExpand("latest_invoice")
				got, err := sc.V1Subscriptions.Resume(Ctx, sub.ID, p)
				Expect(err).NotTo(HaveOccurred())
				Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
				Expect(got.LatestInvoice.Total).To(Equal(int64(1000)), "a full period from now")
			})

			It("charges nothing for the rest of the period with none", func() {
				sub, got := resumeTenDaysIn("none")
				Expect(got.LatestInvoice.ID).To(Equal(sub.LatestInvoice.ID))
				Expect(pending(sub)).To(BeEmpty())
			})
		})

		It("is canceled at a cancel_at set while it is paused, and refuses cancel_at_period_end, its period being over", func() {
			sub := paused()
			at := time.Unix(sub.TrialEnd, 0).AddDate(0, 0, 5)
			got, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAt: stripe.Int64(at.Unix())})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.CancelAt).To(Equal(at.Unix()))
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusPaused))

			other := paused()
			_, err = sc.V1Subscriptions.Update(Ctx, other.ID, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(true)})
			ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "cancel_at_period_end")
			other, err = sc.V1Subscriptions.Retrieve(Ctx, other.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(other.CancelAt).To(BeZero(), "nothing changed")
			invoices := emu.Count("", "invoice")

			emu.Clock().Set(at.Add(time.Hour))
			got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusCanceled))
			Expect(got.EndedAt).To(Equal(at.Unix()))
			Expect(got.CancellationDetails.Reason).To(Equal(stripe.SubscriptionCancellationDetailsReasonCancellationRequested))
			Expect(emu.Count("", "invoice")).To(Equal(invoices), "nothing billed for the time it was paused")
			Expect(eventsOf(sub.ID)).To(ContainElement("customer.subscription.deleted"))
		})

		// A paused subscription makes no invoices: previewing its next one
		// is refused unless subscription_details[resume_at]=now asks for
		// the invoice resuming it would make (stripe-go's reference).
		It("previews the invoice resuming would make with subscription_details[resume_at]=now, and refuses a plain preview", func() {
			sub := paused()
			invoices := emu.Count("", "invoice")
			_, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID)})
			ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "subscription")
			Expect(StripeErr(err).Msg).To(ContainSubstring("is paused and will not generate invoices until it has been resumed"))

			inv, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{ResumeAt: stripe.String("now")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Total).To(Equal(int64(1000)))
			Expect(inv.Lines.Data).To(HaveLen(1))
			now := emu.Clock().Now().Unix()
			Expect(inv.Lines.Data[0].Period.Start).To(Equal(now))
			Expect(inv.Lines.Data[0].Period.End).To(Equal(time.Unix(now, 0).AddDate(0, 1, 0).Unix()))
			Expect(emu.Count("", "invoice")).To(Equal(invoices), "a preview keeps nothing")
			got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusPaused))

			active, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(customerWithCard(sc, "on@example.com", "pm_card_visa", "").ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(active.ID),
				SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{ResumeAt: stripe.String("now")}})
			ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "subscription_details[resume_at]")
		})

		It("holds the invoice as pause_collection says, charging nothing", func() {
			sub := paused()
			payWith(sub, "pm_card_visa")
			_, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
				PauseCollection: &stripe.SubscriptionUpdatePauseCollectionParams{Behavior: stripe.String("void")}})
			Expect(err).NotTo(HaveOccurred())
			got, inv := resume(sub)
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusVoid))
			Expect(inv.AmountPaid).To(BeZero())
		})
	})

	It("starts the billing cycle at the moment trial_end=now ends the trial", func() {
		cus := customerWithCard(sc, "early@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
			Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}},
			TrialPeriodDays: stripe.Int64(10),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.BillingCycleAnchor).To(Equal(sub.TrialEnd), "a trial anchors the cycle on its end")

		now := Epoch.AddDate(0, 0, 3)
		emu.Clock().Set(now)
		sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{TrialEndNow: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.TrialEnd).To(Equal(now.Unix()))
		Expect(sub.BillingCycleAnchor).To(Equal(now.Unix()))
		Expect(sub.Items.Data[0].CurrentPeriodStart).To(Equal(now.Unix()))
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(now.AddDate(0, 1, 0).Unix()))
	})

	It("moves a trial's end with trial_end, warning three days before the new end, and warns at once when trial_end=now ends it", func() {
		cus := customerWithCard(sc, "moved@example.com", "pm_card_visa", "")
		trial := func() *stripe.Subscription {
			GinkgoHelper()
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
				Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}},
				TrialPeriodDays: stripe.Int64(10),
			})
			Expect(err).NotTo(HaveOccurred())
			return sub
		}
		warnings := func(id string) int {
			n := 0
			for _, t := range eventsOf(id) {
				if t == "customer.subscription.trial_will_end" {
					n++
				}
			}
			return n
		}
		sub := trial()
		emu.Clock().Set(Epoch.AddDate(0, 0, 2))
		newEnd := Epoch.AddDate(0, 0, 20)
		sub, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{TrialEnd: stripe.Int64(newEnd.Unix())})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(sub.TrialEnd).To(Equal(newEnd.Unix()))
		Expect(sub.BillingCycleAnchor).To(Equal(newEnd.Unix()))
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(newEnd.Unix()))

		emu.Clock().Set(Epoch.AddDate(0, 0, 12))
		Expect(warnings(sub.ID)).To(BeZero(), "not three days before the old end")
		emu.Clock().Set(newEnd.Add(2 * time.Hour))
		Expect(warnings(sub.ID)).To(Equal(1))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(sub.LatestInvoice.AmountPaid).To(Equal(int64(1000)))
		Expect(sub.LatestInvoice.Created).To(Equal(newEnd.Unix()))

		early := trial()
		_, err = sc.V1Subscriptions.Update(Ctx, early.ID, &stripe.SubscriptionUpdateParams{TrialEndNow: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(warnings(early.ID)).To(Equal(1))

		By("a trial_end on the subscription its trial's end made active starts a new trial")
		again, err := sc.V1Subscriptions.Update(Ctx, early.ID, &stripe.SubscriptionUpdateParams{TrialEnd: stripe.Int64(newEnd.AddDate(0, 1, 0).Unix())})
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Status).To(Equal(stripe.SubscriptionStatusTrialing))
		Expect(again.TrialEnd).To(Equal(newEnd.AddDate(0, 1, 0).Unix()))
		Expect(warnings(early.ID)).To(Equal(1), "the new trial is warned of three days before its end")
	})
})
