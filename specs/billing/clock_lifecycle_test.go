package billing_test

import (
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// What an integrator meets driving subscriptions through time on test
// clocks: the clock's own object and limits, and what time does to
// subscriptions that are not simply paid.
var _ = Describe("Test clocks and subscriptions over time", Label("billing", "subscriptions", "clock"), func() {
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
		clock, err = sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix()), Name: stripe.String("lifecycle")})
		Expect(err).NotTo(HaveOccurred())
	})
	advance := func(to time.Time) { GinkgoHelper(); advanceClock(sc, clock.ID, to) }
	clockCustomer := func() *stripe.Customer {
		GinkgoHelper()
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("clock@example.com"), TestClock: stripe.String(clock.ID)})
		Expect(err).NotTo(HaveOccurred())
		return cus
	}
	subscribe := func(cus *stripe.Customer) (*stripe.Subscription, error) {
		return sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}})
	}
	// subscribedOnClock is a new customer on the clock paying by card,
	// subscribed monthly.
	subscribedOnClock := func(email, card string) (*stripe.Customer, *stripe.Subscription) {
		GinkgoHelper()
		cus := customerWithCard(sc, email, card, clock.ID)
		sub, err := subscribe(cus)
		Expect(err).NotTo(HaveOccurred())
		return cus, sub
	}

	Describe("the clock itself", func() {
		It("is created ready and announced, to be deleted thirty days later, refusing a name over 300 characters", func() {
			Expect(clock.Status).To(Equal(stripe.TestHelpersTestClockStatusReady))
			Expect(clock.FrozenTime).To(Equal(Epoch.Unix()))
			Expect(clock.DeletesAfter).To(Equal(clock.Created + 30*86400))
			Expect(clock.Name).To(Equal("lifecycle"))
			created := latestEvent(sc, "test_helpers.test_clock.created")
			Expect(created.Data.Object["id"]).To(Equal(clock.ID))

			before := emu.Count("", "test_helpers.test_clock")
			_, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix()), Name: stripe.String(strings.Repeat("n", 301))})
			ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "name")
			Expect(StripeErr(err).Msg).To(Equal("Invalid string: nnnn...nnnn; must be at most 300 characters"))
			Expect(emu.Count("", "test_helpers.test_clock")).To(Equal(before))
		})

		It("is deleted with its customers at deletes_after, on the emulator's clock, as Stripe deletes it after thirty days", func() {
			cus, sub := subscribedOnClock("expiring@example.com", "pm_card_visa")
			emu.Clock().Set(time.Unix(clock.DeletesAfter, 0).Add(-time.Minute))
			_, err := sc.V1TestHelpersTestClocks.Retrieve(Ctx, clock.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			emu.Clock().Set(time.Unix(clock.DeletesAfter, 0))
			_, err = sc.V1TestHelpersTestClocks.Retrieve(Ctx, clock.ID, nil)
			ExpectStripeError(err, http.StatusNotFound, "invalid_request_error", "resource_missing", "id")
			deleted := latestEvent(sc, "test_helpers.test_clock.deleted")
			Expect(deleted.Data.Object["id"]).To(Equal(clock.ID))
			Expect(deleted.Created).To(Equal(clock.DeletesAfter))
			got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Deleted).To(BeTrue())
			ended, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ended.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		})

		It("answers an advance advancing to its target, then announces advancing and ready in that order", func() {
			to := Epoch.Add(48 * time.Hour)
			got, err := sc.V1TestHelpersTestClocks.Advance(Ctx, clock.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(to.Unix())})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.TestHelpersTestClockStatusAdvancing))
			Expect(got.StatusDetails.Advancing.TargetFrozenTime).To(Equal(to.Unix()))
			ready, err := sc.V1TestHelpersTestClocks.Retrieve(Ctx, clock.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ready.Status).To(Equal(stripe.TestHelpersTestClockStatusReady))
			Expect(ready.FrozenTime).To(Equal(to.Unix()))
			Expect(ready.StatusDetails.Advancing).To(BeNil())
			types := emu.EventTypes("")
			Expect(types).To(ContainElements("test_helpers.test_clock.advancing", "test_helpers.test_clock.ready"))
			Expect(latestEvent(sc, "test_helpers.test_clock.ready").Data.Object["status_details"]).To(BeEmpty())
		})

		It("records what its advance causes as Stripe's automatic work, naming no request, as the advance itself does", func() {
			_, sub := subscribedOnClock("auto@example.com", "pm_card_visa")
			advance(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
			Expect(latestEvent(sc, "test_helpers.test_clock.advancing").Request.ID).To(HavePrefix("req_"))
			for _, t := range []string{"invoice.created", "invoice.paid", "customer.subscription.updated", "test_helpers.test_clock.ready"} {
				ev := latestEvent(sc, t)
				Expect(ev.Request.ID).To(BeEmpty(), t)
				Expect(ev.Request.IdempotencyKey).To(BeEmpty(), t)
			}
			renewed, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(latestEvent(sc, "invoice.created").Data.Object["id"]).To(Equal(renewed.LatestInvoice.ID))
		})

		It("moves at most two intervals of a subscription schedule yet to start, as of a subscription", func() {
			cus := customerWithCard(sc, "scheduled@example.com", "pm_card_visa", clock.ID)
			_, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID),
				StartDate: stripe.Int64(Epoch.AddDate(0, 0, 20).Unix()),
				Phases:    []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(monthly.ID)}}, Iterations: stripe.Int64(3)}}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1TestHelpersTestClocks.Advance(Ctx, clock.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(Epoch.AddDate(0, 3, 0).Unix())})
			ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "frozen_time")
			advance(Epoch.AddDate(0, 2, 0))
		})

		It("moves up to two years at once with no subscriptions, and no further", func() {
			clockCustomer()
			_, err := sc.V1TestHelpersTestClocks.Advance(Ctx, clock.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(Epoch.AddDate(2, 0, 1).Unix())})
			ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "frozen_time")
			advance(Epoch.AddDate(2, 0, 0))
		})

		It("takes three customers at most, refusing a fourth and creating nothing", func() {
			for range 3 {
				clockCustomer()
			}
			before := emu.Count("", "customer")
			_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{TestClock: stripe.String(clock.ID)})
			ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "test_clock")
			Expect(StripeErr(err).Msg).To(ContainSubstring("3 customers"))
			Expect(emu.Count("", "customer")).To(Equal(before))
		})

		It("takes three subscriptions per customer at most, refusing a fourth and creating nothing", func() {
			cus := customerWithCard(sc, "three@example.com", "pm_card_visa", clock.ID)
			for range 3 {
				_, err := subscribe(cus)
				Expect(err).NotTo(HaveOccurred())
			}
			before := emu.Count("", "subscription")
			_, err := subscribe(cus)
			ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "customer")
			Expect(StripeErr(err).Msg).To(ContainSubstring("3 subscriptions"))
			Expect(emu.Count("", "subscription")).To(Equal(before))
		})

		It("counts a subscription schedule among a customer's three, one yet to start as one started, refusing a fourth either way", func() {
			cus := customerWithCard(sc, "scheduled-three@example.com", "pm_card_visa", clock.ID)
			schedule := func(start int64) error {
				_, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID),
					StartDate: stripe.Int64(start),
					Phases:    []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(monthly.ID)}}, Iterations: stripe.Int64(3)}}})
				return err
			}
			Expect(schedule(Epoch.AddDate(0, 0, 20).Unix())).To(Succeed())
			for range 2 {
				_, err := subscribe(cus)
				Expect(err).NotTo(HaveOccurred())
			}
			subs, scheds := emu.Count("", "subscription"), emu.Count("", "subscription_schedule")
			_, err := subscribe(cus)
			ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "customer")
			Expect(StripeErr(err).Msg).To(ContainSubstring("3 subscriptions"))
			// A schedule starting now makes its subscription at once; one
			// starting later makes it on the clock's advance.
			ExpectStripeError(schedule(Epoch.Unix()), http.StatusBadRequest, "invalid_request_error", "", "customer")
			ExpectStripeError(schedule(Epoch.AddDate(0, 0, 10).Unix()), http.StatusBadRequest, "invalid_request_error", "", "customer")
			Expect(emu.Count("", "subscription")).To(Equal(subs))
			Expect(emu.Count("", "subscription_schedule")).To(Equal(scheds))
			// The schedule counted already: it starts its subscription.
			advance(Epoch.AddDate(0, 0, 21))
			Expect(emu.Count("", "subscription")).To(Equal(subs + 1))
		})

		It("deletes its customers as deleting a customer does: subscriptions and schedules canceled at its time, with their events", func() {
			cus, sub := subscribedOnClock("ends@example.com", "pm_card_visa")
			advance(Epoch.Add(3 * time.Hour))
			waiting := customerWithCard(sc, "waiting@example.com", "pm_card_visa", clock.ID)
			sched, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(waiting.ID),
				StartDate: stripe.Int64(Epoch.AddDate(0, 0, 20).Unix()),
				Phases:    []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(monthly.ID)}}, Iterations: stripe.Int64(2)}}})
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(""))
			_, err = sc.V1TestHelpersTestClocks.Delete(Ctx, clock.ID, nil)
			Expect(err).NotTo(HaveOccurred())

			ended, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ended.Status).To(Equal(stripe.SubscriptionStatusCanceled))
			Expect(ended.EndedAt).To(Equal(Epoch.Add(3 * time.Hour).Unix()))
			Expect(ended.CancellationDetails.Reason).To(Equal(stripe.SubscriptionCancellationDetailsReasonCancellationRequested))
			never, err := sc.V1SubscriptionSchedules.Retrieve(Ctx, sched.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(never.Status).To(Equal(stripe.SubscriptionScheduleStatusCanceled))
			types := emu.EventTypes("")[mark:]
			Expect(types).To(ContainElements("customer.subscription.deleted", "subscription_schedule.canceled", "customer.deleted"))
			Expect(types[len(types)-1]).To(Equal("test_helpers.test_clock.deleted"))
			var deleted []string
			for _, ev := range emu.Events("")[mark:] {
				if ev["type"] == "customer.deleted" {
					deleted = append(deleted, ev["data"].(map[string]any)["object"].(map[string]any)["id"].(string))
				}
			}
			Expect(deleted).To(ConsistOf(cus.ID, waiting.ID))
		})

		It("deletes its customers with it, and is gone for every later request", func() {
			cus, _ := subscribedOnClock("gone@example.com", "pm_card_visa")
			del, err := sc.V1TestHelpersTestClocks.Delete(Ctx, clock.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(del.Deleted).To(BeTrue())
			got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Deleted).To(BeTrue())
			_, err = sc.V1TestHelpersTestClocks.Retrieve(Ctx, clock.ID, nil)
			ExpectStripeError(err, http.StatusNotFound, "invalid_request_error", "resource_missing", "id")
			_, err = sc.V1TestHelpersTestClocks.Advance(Ctx, clock.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(Epoch.Add(time.Hour).Unix())})
			ExpectStripeError(err, http.StatusNotFound, "invalid_request_error", "resource_missing", "id")
			_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{TestClock: stripe.String(clock.ID)})
			ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "resource_missing", "test_clock")
		})
	})

	Describe("an incomplete subscription", func() {
		incomplete := func() *stripe.Subscription {
			GinkgoHelper()
			_, sub := subscribedOnClock("declined@example.com", "pm_card_chargeCustomerFail")
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusIncomplete))
			return sub
		}

		It("expires 23 hours after creation, voiding its first invoice", func() {
			sub := incomplete()
			advance(Epoch.Add(22*time.Hour + 59*time.Minute))
			got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusIncomplete))
			advance(Epoch.Add(23 * time.Hour))
			got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusIncompleteExpired))
			Expect(got.EndedAt).To(Equal(Epoch.Add(23 * time.Hour).Unix()))
			inv, err := sc.V1Invoices.Retrieve(Ctx, got.LatestInvoice.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusVoid))
		})

		It("becomes incomplete_expired, not canceled, when it is canceled, its first invoice voided", func() {
			sub := incomplete()
			seen := len(emu.Events(""))
			got, err := sc.V1Subscriptions.Cancel(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusIncompleteExpired))
			Expect(got.CanceledAt).To(Equal(Epoch.Unix()))
			Expect(got.EndedAt).To(Equal(Epoch.Unix()))
			inv, err := sc.V1Invoices.Retrieve(Ctx, got.LatestInvoice.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusVoid))
			types := emu.EventTypes("")[seen:]
			Expect(types).To(ContainElement("customer.subscription.updated"))
			Expect(types).NotTo(ContainElement("customer.subscription.deleted"))

			// It has ended: it cannot be canceled again, nor changed.
			_, err = sc.V1Subscriptions.Cancel(Ctx, sub.ID, nil)
			Expect(err).To(HaveOccurred())
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(true)})
			ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "cancel_at_period_end")
			Expect(StripeErr(err).Msg).To(Equal("You cannot update a subscription that is `canceled` or `incomplete_expired`."))
		})
	})

	It("refuses to change a canceled subscription or its metadata, with Stripe's message", func() {
		_, sub := subscribedOnClock("ended@example.com", "pm_card_visa")
		_, err := sc.V1Subscriptions.Cancel(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{Items: []*stripe.SubscriptionUpdateItemParams{{Price: stripe.String(monthly.ID)}}})
		ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "items")
		Expect(StripeErr(err).Msg).To(Equal("You cannot update a subscription that is `canceled` or `incomplete_expired`."))
		p := &stripe.SubscriptionUpdateParams{}
		p.AddMetadata("kept", "no")
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "metadata")
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Metadata).NotTo(HaveKey("kept"))
	})

	It("stops automatic collection of the customer's open invoices when a subscription is canceled", func() {
		cus, sub := subscribedOnClock("stop@example.com", "pm_card_visa")
		bad, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_chargeCustomerFail", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultPaymentMethod: stripe.String(bad.ID)})
		Expect(err).NotTo(HaveOccurred())
		advance(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusPastDue))
		failed, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(failed.NextPaymentAttempt).NotTo(BeZero())

		_, err = sc.V1Subscriptions.Cancel(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		failed, err = sc.V1Invoices.Retrieve(Ctx, failed.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(failed.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(failed.AutoAdvance).To(BeFalse())
		Expect(failed.NextPaymentAttempt).To(BeZero())
		updated := latestEvent(sc, "invoice.updated")
		Expect(updated.Data.Object["id"]).To(Equal(failed.ID))
		Expect(updated.Data.PreviousAttributes).To(HaveKeyWithValue("auto_advance", true))

		advance(Epoch.AddDate(0, 1, 10))
		failed, err = sc.V1Invoices.Retrieve(Ctx, failed.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(failed.AttemptCount).To(Equal(int64(1)), "no retry after the cancellation")
	})

	Describe("a subscription invoiced by email (send_invoice)", func() {
		It("goes past_due once its invoice is unpaid past its due date, and active again when it is paid", func() {
			cus := clockCustomer()
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items:            []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}},
				CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(5)})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
			advance(Epoch.Add(time.Hour)) // the first invoice is finalized an hour later
			inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
			Expect(inv.DueDate).To(Equal(Epoch.AddDate(0, 0, 5).Unix()))

			advance(Epoch.AddDate(0, 0, 5).Add(-time.Minute))
			got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive), "not yet due")

			advance(Epoch.AddDate(0, 0, 5).Add(time.Minute))
			got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusPastDue))
			updated := latestEvent(sc, "customer.subscription.updated")
			Expect(updated.Data.PreviousAttributes).To(HaveKeyWithValue("status", "active"))
			Expect(updated.Created).To(Equal(Epoch.AddDate(0, 0, 5).Unix()), "at the due date, on the clock")
			inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen), "the invoice itself stays open")

			_, err = sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaidOutOfBand: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
		})

		emailed := func() *stripe.Subscription {
			GinkgoHelper()
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(clockCustomer().ID),
				Items:            []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}},
				CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(5)})
			Expect(err).NotTo(HaveOccurred())
			return sub
		}
		status := func(sub *stripe.Subscription) stripe.SubscriptionStatus {
			GinkgoHelper()
			got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			return got.Status
		}

		It("is canceled by default once its invoice is still unpaid 30 days after the due date, the invoice left open", func() {
			Expect(emu.BillingSettings("").SubscriptionAfterDue).To(Equal(emulator.CancelAfterRetries))
			Expect(emu.BillingSettings("").DaysAfterDue).To(Equal(30))
			sub := emailed()
			due := Epoch.AddDate(0, 0, 5)
			advance(due.AddDate(0, 0, 30).Add(-time.Minute))
			Expect(status(sub)).To(Equal(stripe.SubscriptionStatusPastDue), "not yet at the deadline")

			advance(due.AddDate(0, 0, 30).Add(time.Minute))
			got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusCanceled))
			Expect(got.EndedAt).To(Equal(due.AddDate(0, 0, 30).Unix()))
			Expect(got.CancellationDetails.Reason).To(Equal(stripe.SubscriptionCancellationDetailsReasonPaymentFailed))
			deleted := latestEvent(sc, "customer.subscription.deleted")
			Expect(deleted.Data.Object["id"]).To(Equal(sub.ID))
			Expect(deleted.Created).To(Equal(due.AddDate(0, 0, 30).Unix()))
			inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen), "the invoice itself stays open")
		})

		It("is marked unpaid, or left past_due, after the account's own deadline, as its settings say", func() {
			Expect(emu.SetBillingSettings("", emulator.BillingSettings{SubscriptionAfterDue: emulator.UnpaidAfterRetries, DaysAfterDue: 7})).To(Succeed())
			sub := emailed()
			due := Epoch.AddDate(0, 0, 5)
			advance(due.AddDate(0, 0, 7).Add(-time.Minute))
			Expect(status(sub)).To(Equal(stripe.SubscriptionStatusPastDue))
			advance(due.AddDate(0, 0, 7))
			Expect(status(sub)).To(Equal(stripe.SubscriptionStatusUnpaid))
			updated := latestEvent(sc, "customer.subscription.updated")
			Expect(updated.Data.PreviousAttributes).To(HaveKeyWithValue("status", "past_due"))
			Expect(updated.Created).To(Equal(due.AddDate(0, 0, 7).Unix()))

			Expect(emu.SetBillingSettings("", emulator.BillingSettings{SubscriptionAfterDue: emulator.PastDueAfterRetries})).To(Succeed())
			kept := emailed()
			advance(Epoch.AddDate(0, 2, 0).Add(-time.Hour))
			Expect(status(kept)).To(Equal(stripe.SubscriptionStatusPastDue), "left past_due however long it stays unpaid")

			Expect(emu.SetBillingSettings("", emulator.BillingSettings{SubscriptionAfterDue: "void"})).To(MatchError(ContainSubstring("subscription_after_due")))
			Expect(emu.SetBillingSettings("", emulator.BillingSettings{DaysAfterDue: -1})).To(MatchError(ContainSubstring("days_after_due")))
			Expect(emu.BillingSettings("").SubscriptionAfterDue).To(Equal(emulator.PastDueAfterRetries), "a refused change changes nothing")
		})

		// Stripe's "Subscription invoices" guide: a new subscription's
		// invoice is finalized at once when charged automatically, "or one
		// hour later when it's set to send_invoice".
		It("finalizes and sends its first invoice an hour after it is created", func() {
			cus := clockCustomer()
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items:            []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}},
				CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(5)})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
			inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusDraft))
			Expect(inv.AutoAdvance).To(BeTrue())
			Expect(inv.AutomaticallyFinalizesAt).To(Equal(Epoch.Add(time.Hour).Unix()))
			Expect(latestEvent(sc, "invoice.created").Data.Object["id"]).To(Equal(inv.ID))

			advance(Epoch.Add(time.Hour))
			inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
			Expect(inv.StatusTransitions.FinalizedAt).To(Equal(Epoch.Add(time.Hour).Unix()))
			Expect(latestEvent(sc, "invoice.finalized").Data.Object["id"]).To(Equal(inv.ID))
			Expect(latestEvent(sc, "invoice.sent").Data.Object["id"]).To(Equal(inv.ID))
		})

		It("stays active when its invoice is paid before the due date", func() {
			cus := clockCustomer()
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items:            []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}},
				CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(5)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Invoices.Pay(Ctx, sub.LatestInvoice.ID, &stripe.InvoicePayParams{PaidOutOfBand: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			advance(Epoch.AddDate(0, 0, 10))
			got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
		})

		// Stripe takes days_until_due only for subscriptions invoiced by
		// email: a subscription charged automatically has no due date.
		It("refuses days_until_due on a subscription charged automatically, creating or changing nothing", func() {
			cus := customerWithCard(sc, "due@example.com", "pm_card_visa", "")
			subs := emu.Count("", "subscription")
			_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}, DaysUntilDue: stripe.Int64(5)})
			ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "days_until_due")
			Expect(emu.Count("", "subscription")).To(Equal(subs))

			sub := emailed()
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
				CollectionMethod: stripe.String("charge_automatically"), DaysUntilDue: stripe.Int64(3)})
			ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "days_until_due")
			got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.CollectionMethod).To(Equal(stripe.SubscriptionCollectionMethodSendInvoice))
			Expect(got.DaysUntilDue).To(Equal(int64(5)))

			got, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CollectionMethod: stripe.String("charge_automatically")})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.DaysUntilDue).To(BeZero(), "no due date once charged automatically")
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DaysUntilDue: stripe.Int64(3)})
			ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "days_until_due")
		})

		It("emails its renewals once switched to send_invoice, due days_until_due after", func() {
			_, sub := subscribedOnClock("switch@example.com", "pm_card_visa")
			_, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
				CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(10)})
			Expect(err).NotTo(HaveOccurred())
			advance(Epoch.AddDate(0, 1, 0).Add(2 * time.Hour))
			got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			inv, err := sc.V1Invoices.Retrieve(Ctx, got.LatestInvoice.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
			Expect(inv.CollectionMethod).To(Equal(stripe.InvoiceCollectionMethodSendInvoice))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
			Expect(inv.AmountPaid).To(BeZero(), "not charged to the card")
			Expect(inv.DueDate).To(Equal(inv.Created + 10*86400))
			sent := latestEvent(sc, "invoice.sent")
			Expect(sent).NotTo(BeNil())
			Expect(sent.Data.Object["id"]).To(Equal(inv.ID))
		})
	})

	Describe("a renewal whose payments keep failing", func() {
		// failing is a subscription on the clock whose renewal will decline.
		failing := func() *stripe.Subscription {
			GinkgoHelper()
			cus, sub := subscribedOnClock("dunning@example.com", "pm_card_visa")
			bad, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_chargeCustomerFail", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultPaymentMethod: stripe.String(bad.ID)})
			Expect(err).NotTo(HaveOccurred())
			return sub
		}
		renewal := func(sub *stripe.Subscription) (*stripe.Subscription, *stripe.Invoice) {
			GinkgoHelper()
			got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			inv, err := sc.V1Invoices.Retrieve(Ctx, got.LatestInvoice.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			return got, inv
		}

		It("is retried 3, 5 and 7 days after its first attempt by default, then the subscription is canceled", func() {
			sub := failing()
			firstAttempt := Epoch.AddDate(0, 1, 0).Add(time.Hour)
			advance(firstAttempt)
			got, inv := renewal(sub)
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusPastDue))
			Expect(inv.AttemptCount).To(Equal(int64(1)))
			Expect(inv.NextPaymentAttempt).To(Equal(firstAttempt.AddDate(0, 0, 3).Unix()))
			advance(firstAttempt.AddDate(0, 0, 3))
			_, inv = renewal(sub)
			Expect(inv.AttemptCount).To(Equal(int64(2)))
			Expect(inv.NextPaymentAttempt).To(Equal(firstAttempt.AddDate(0, 0, 5).Unix()))
			advance(firstAttempt.AddDate(0, 0, 5))
			_, inv = renewal(sub)
			Expect(inv.AttemptCount).To(Equal(int64(3)))
			Expect(inv.NextPaymentAttempt).To(Equal(firstAttempt.AddDate(0, 0, 7).Unix()))
			advance(firstAttempt.AddDate(0, 0, 7))
			got, inv = renewal(sub)
			Expect(inv.AttemptCount).To(Equal(int64(4)))
			Expect(inv.NextPaymentAttempt).To(BeZero())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusCanceled))
			Expect(got.CancellationDetails.Reason).To(Equal(stripe.SubscriptionCancellationDetailsReasonPaymentFailed))
		})

		It("follows the account's custom retry schedule", func() {
			Expect(emu.SetBillingSettings("", emulator.BillingSettings{RetryDays: []int{1, 10}, SubscriptionAfterRetries: emulator.UnpaidAfterRetries})).To(Succeed())
			Expect(emu.BillingSettings("").RetryDays).To(Equal([]int{1, 10}))
			sub := failing()
			firstAttempt := Epoch.AddDate(0, 1, 0).Add(time.Hour)
			advance(firstAttempt)
			_, inv := renewal(sub)
			Expect(inv.NextPaymentAttempt).To(Equal(firstAttempt.AddDate(0, 0, 1).Unix()))
			advance(firstAttempt.AddDate(0, 0, 1))
			_, inv = renewal(sub)
			Expect(inv.AttemptCount).To(Equal(int64(2)))
			Expect(inv.NextPaymentAttempt).To(Equal(firstAttempt.AddDate(0, 0, 11).Unix()))
			advance(firstAttempt.AddDate(0, 0, 11))
			got, inv := renewal(sub)
			Expect(inv.AttemptCount).To(Equal(int64(3)))
			Expect(inv.NextPaymentAttempt).To(BeZero())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusUnpaid))
		})

		It("leaves the invoice open past due by default, or marks it uncollectible when the account's settings say so", func() {
			Expect(emu.BillingSettings("").InvoiceAfterRetries).To(Equal(emulator.InvoicePastDueAfterRetries))
			Expect(emu.SetBillingSettings("", emulator.BillingSettings{RetryDays: []int{1}, InvoiceAfterRetries: emulator.InvoiceUncollectibleAfterRetries})).To(Succeed())
			sub := failing()
			firstAttempt := Epoch.AddDate(0, 1, 0).Add(time.Hour)
			advance(firstAttempt)
			_, inv := renewal(sub)
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen), "retries remain")
			advance(firstAttempt.AddDate(0, 0, 1))
			got, inv := renewal(sub)
			Expect(inv.AttemptCount).To(Equal(int64(2)))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusUncollectible))
			Expect(inv.StatusTransitions.MarkedUncollectibleAt).To(Equal(firstAttempt.AddDate(0, 0, 1).Unix()))
			Expect(latestEvent(sc, "invoice.marked_uncollectible").Data.Object["id"]).To(Equal(inv.ID))
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusCanceled))
			Expect(emu.SetBillingSettings("", emulator.BillingSettings{InvoiceAfterRetries: "void"})).NotTo(Succeed())
		})

		// weeklyFailing subscribes a clock customer weekly, retries 5 and 5
		// days apart, the subscription's default card then declining.
		weeklyFailing := func(email string) *stripe.Subscription {
			GinkgoHelper()
			Expect(emu.SetBillingSettings("", emulator.BillingSettings{RetryDays: []int{5, 5}})).To(Succeed())
			weekly := recurringPrice(sc, monthly.Product.ID, "week", 300)
			cus := customerWithCard(sc, email, "pm_card_visa", clock.ID)
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(weekly.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			bad, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_chargeCustomerFail", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultPaymentMethod: stripe.String(bad.ID)})
			Expect(err).NotTo(HaveOccurred())
			return sub
		}

		It("leaves the subscription as it is when an older invoice's retries end after the latest invoice was paid", func() {
			sub := weeklyFailing("overlap@example.com")

			advance(Epoch.AddDate(0, 0, 7).Add(2 * time.Hour))
			got, older := renewal(sub)
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusPastDue))
			advance(Epoch.AddDate(0, 0, 14).Add(2 * time.Hour))
			got, latest := renewal(sub)
			Expect(latest.ID).NotTo(Equal(older.ID))
			Expect(latest.Status).To(Equal(stripe.InvoiceStatusOpen))
			_, err := sc.V1Invoices.Pay(Ctx, latest.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa")})
			Expect(err).NotTo(HaveOccurred())
			got, _ = renewal(sub)
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))

			advance(Epoch.AddDate(0, 0, 18))
			older, err = sc.V1Invoices.Retrieve(Ctx, older.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(older.AttemptCount).To(Equal(int64(3)))
			Expect(older.NextPaymentAttempt).To(BeZero())
			got, _ = renewal(sub)
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive), "the latest invoice is paid")
		})

		// Stripe's subscription statuses: past_due is about the latest
		// finalized invoice, and "To reactivate the subscription, have your
		// customer pay the most recent invoice."
		It("stays past_due when an older invoice is paid while a later one is still unpaid, and is active once that one is paid", func() {
			sub := weeklyFailing("two-failed@example.com")

			advance(Epoch.AddDate(0, 0, 7).Add(2 * time.Hour))
			_, older := renewal(sub)
			advance(Epoch.AddDate(0, 0, 14).Add(2 * time.Hour))
			got, latest := renewal(sub)
			Expect(latest.ID).NotTo(Equal(older.ID))
			Expect(latest.Status).To(Equal(stripe.InvoiceStatusOpen))
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusPastDue))

			older, err := sc.V1Invoices.Pay(Ctx, older.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa")})
			Expect(err).NotTo(HaveOccurred())
			Expect(older.Status).To(Equal(stripe.InvoiceStatusPaid))
			got, _ = renewal(sub)
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusPastDue), "the most recent invoice is still unpaid")

			_, err = sc.V1Invoices.Pay(Ctx, latest.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa")})
			Expect(err).NotTo(HaveOccurred())
			got, _ = renewal(sub)
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
			updated := latestEvent(sc, "customer.subscription.updated")
			Expect(updated.Data.Object["status"]).To(Equal("active"))
			Expect(updated.Data.PreviousAttributes["status"]).To(Equal("past_due"))
		})

		// Customer.delinquent (stripe-go): "An automatic payment failure or
		// passing the invoice.due_date will set this field to true",
		// "Paying an invoice or marking it uncollectible via the API will
		// set this field to false", and "If an invoice becomes
		// uncollectible by dunning, delinquent doesn't reset to false."
		It("marks the customer delinquent at an automatic payment failure, not cleared by dunning, until an invoice is paid", func() {
			Expect(emu.SetBillingSettings("", emulator.BillingSettings{RetryDays: []int{1}, InvoiceAfterRetries: emulator.InvoiceUncollectibleAfterRetries})).To(Succeed())
			sub := failing()
			cusID := sub.Customer.ID
			delinquent := func() bool {
				GinkgoHelper()
				cus, err := sc.V1Customers.Retrieve(Ctx, cusID, nil)
				Expect(err).NotTo(HaveOccurred())
				return cus.Delinquent
			}
			Expect(delinquent()).To(BeFalse())
			firstAttempt := Epoch.AddDate(0, 1, 0).Add(time.Hour)
			advance(firstAttempt)
			Expect(delinquent()).To(BeTrue())
			updated := latestEvent(sc, "customer.updated")
			Expect(updated.Data.Object["id"]).To(Equal(cusID))
			Expect(updated.Data.Object["delinquent"]).To(Equal(true))
			Expect(updated.Data.PreviousAttributes).To(Equal(map[string]any{"delinquent": false}))

			advance(firstAttempt.AddDate(0, 0, 1))
			_, inv := renewal(sub)
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusUncollectible))
			Expect(delinquent()).To(BeTrue(), "dunning's uncollectible leaves it delinquent")

			_, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cusID), Amount: stripe.Int64(500), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
			oneOff, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cusID), PendingInvoiceItemsBehavior: stripe.String("include")})
			Expect(err).NotTo(HaveOccurred())
			oneOff, err = sc.V1Invoices.FinalizeInvoice(Ctx, oneOff.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Invoices.Pay(Ctx, oneOff.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa")})
			Expect(err).NotTo(HaveOccurred())
			Expect(delinquent()).To(BeFalse(), "paying any invoice clears it")
		})

		It("clears the customer's delinquent flag when an invoice is marked uncollectible through the API, and leaves it at a manual payment's failure", func() {
			sub := failing()
			advance(Epoch.AddDate(0, 1, 0).Add(time.Hour))
			_, inv := renewal(sub)
			cus, err := sc.V1Customers.Retrieve(Ctx, sub.Customer.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(cus.Delinquent).To(BeTrue())
			_, err = sc.V1Invoices.MarkUncollectible(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			cus, err = sc.V1Customers.Retrieve(Ctx, sub.Customer.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(cus.Delinquent).To(BeFalse())

			_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(500), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
			oneOff, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), PendingInvoiceItemsBehavior: stripe.String("include")})
			Expect(err).NotTo(HaveOccurred())
			oneOff, err = sc.V1Invoices.FinalizeInvoice(Ctx, oneOff.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Invoices.Pay(Ctx, oneOff.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_chargeCustomerFail")})
			Expect(err).To(HaveOccurred())
			cus, err = sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(cus.Delinquent).To(BeFalse(), "only an automatic failure makes it delinquent")
		})

		// attempt_count's reference: "Any payment attempt counts as the
		// first attempt, and subsequently only automatic retries
		// increment the attempt count."
		It("counts the attempt that pays: the first, or an automatic retry, but not a manual one after the first", func() {
			cus, sub := subscribedOnClock("counted@example.com", "pm_card_visa")
			_, first := renewal(sub)
			Expect(first.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(first.Attempted).To(BeTrue())
			Expect(first.AttemptCount).To(Equal(int64(1)))

			bad, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_chargeCustomerFail", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultPaymentMethod: stripe.String(bad.ID)})
			Expect(err).NotTo(HaveOccurred())
			firstAttempt := Epoch.AddDate(0, 1, 0).Add(time.Hour)
			advance(firstAttempt)
			_, inv := renewal(sub)
			Expect(inv.AttemptCount).To(Equal(int64(1)))
			good, err := sc.V1PaymentMethods.Attach(Ctx, "pm_card_visa", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultPaymentMethod: stripe.String(good.ID)})
			Expect(err).NotTo(HaveOccurred())
			advance(firstAttempt.AddDate(0, 0, 3))
			_, inv = renewal(sub)
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(inv.AttemptCount).To(Equal(int64(2)), "the retry that paid counts")

			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{DefaultPaymentMethod: stripe.String(bad.ID)})
			Expect(err).NotTo(HaveOccurred())
			advance(Epoch.AddDate(0, 2, 0).Add(time.Hour))
			_, inv = renewal(sub)
			Expect(inv.AttemptCount).To(Equal(int64(1)))
			inv, err = sc.V1Invoices.Pay(Ctx, inv.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String(good.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(inv.AttemptCount).To(Equal(int64(1)), "a manual attempt after the first does not count")
		})

		It("is not retried with an empty schedule, the subscription ending at the first failure", func() {
			Expect(emu.SetBillingSettings("", emulator.BillingSettings{RetryDays: []int{}})).To(Succeed())
			sub := failing()
			advance(Epoch.AddDate(0, 1, 0).Add(time.Hour))
			got, inv := renewal(sub)
			Expect(inv.AttemptCount).To(Equal(int64(1)))
			Expect(inv.NextPaymentAttempt).To(BeZero())
			Expect(got.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		})

		It("refuses a schedule it cannot keep, keeping the old one", func() {
			Expect(emu.SetBillingSettings("", emulator.BillingSettings{RetryDays: []int{0}})).NotTo(Succeed())
			Expect(emu.SetBillingSettings("", emulator.BillingSettings{RetryDays: make([]int, 9)})).NotTo(Succeed())
			Expect(emu.BillingSettings("").RetryDays).To(Equal([]int{3, 2, 2}))
		})
	})

	It("starts a scheduled subscription for a customer with no payment method anyway, its first invoice open and its attempt failed", func() {
		cus := clockCustomer()
		sched, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID),
			StartDate: stripe.Int64(Epoch.AddDate(0, 0, 10).Unix()),
			Phases:    []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(monthly.ID)}}, Iterations: stripe.Int64(3)}}})
		Expect(err).NotTo(HaveOccurred())
		advance(Epoch.AddDate(0, 0, 10).Add(time.Hour))
		sched, err = sc.V1SubscriptionSchedules.Retrieve(Ctx, sched.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sched.Status).To(Equal(stripe.SubscriptionScheduleStatusActive))
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, sched.Subscription.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusPastDue), "started, with nothing to charge")
		inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(inv.AttemptCount).To(Equal(int64(1)))
		Expect(emu.EventTypes("")).To(ContainElement("invoice.payment_failed"))

		By("retrying it until the retries run out and the subscription is canceled, the schedule with it, as the account's settings say")
		advance(Epoch.AddDate(0, 2, 10))
		advance(Epoch.AddDate(0, 3, 11))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusCanceled))
		sched, err = sc.V1SubscriptionSchedules.Retrieve(Ctx, sched.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sched.Status).To(Equal(stripe.SubscriptionScheduleStatusCanceled))
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.AttemptCount).To(BeNumerically(">", 1), "retried on the account's schedule")
	})

	It("takes a schedule starting now for a customer with no payment method, as Stripe CLI's subscription_schedule triggers make one", func() {
		cus := clockCustomer()
		sched, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{Customer: stripe.String(cus.ID),
			StartDate: stripe.Int64(Epoch.Unix()), EndBehavior: stripe.String("release"),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{Items: []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Price: stripe.String(monthly.ID)}}, Iterations: stripe.Int64(1)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sched.Status).To(Equal(stripe.SubscriptionScheduleStatusActive))
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, sched.Subscription.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusPastDue))
		advance(Epoch.AddDate(0, 1, 0))
		Expect(emu.EventTypes("")).To(ContainElement("subscription_schedule.released"), "its one phase over")
	})

	It("resumes a paused subscription with billing_cycle_anchor=now, Stripe's default, and refuses by name a proration_date before the period it would resume in", func() {
		cus := clockCustomer()
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}, TrialPeriodDays: stripe.Int64(7),
			TrialSettings: &stripe.SubscriptionCreateTrialSettingsParams{EndBehavior: &stripe.SubscriptionCreateTrialSettingsEndBehaviorParams{
				MissingPaymentMethod: stripe.String("pause")}}})
		Expect(err).NotTo(HaveOccurred())
		advance(Epoch.AddDate(0, 0, 8))
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusPaused))

		_, err = sc.V1Subscriptions.Resume(Ctx, sub.ID, &stripe.SubscriptionResumeParams{BillingCycleAnchor: stripe.String("unchanged"),
			ProrationDate: stripe.Int64(Epoch.AddDate(0, 0, 6).Unix())})
		ExpectStripeError(err, http.StatusBadRequest, "invalid_request_error", "", "proration_date")
		got, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusPaused), "a refused resume resumes nothing")
		_, err = sc.V1PaymentMethods.Attach(Ctx, "pm_card_visa", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		got, err = sc.V1Subscriptions.Resume(Ctx, sub.ID, &stripe.SubscriptionResumeParams{BillingCycleAnchor: stripe.String("now")})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).NotTo(Equal(stripe.SubscriptionStatusPaused))
		Expect(got.BillingCycleAnchor).To(Equal(Epoch.AddDate(0, 0, 8).Unix()))
		Expect(emu.EventTypes("")).To(ContainElement("customer.subscription.resumed"))
	})
})
