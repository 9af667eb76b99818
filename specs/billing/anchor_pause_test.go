package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Subscription billing cycle anchors and paused collection", Label("billing", "subscriptions"), func() {
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		monthly *stripe.Price
		cus     *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		monthly, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
			Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
		})
		Expect(err).NotTo(HaveOccurred())
		cus = customerWithCard(sc, "anchor@example.com", "pm_card_visa", "")
	})

	subscribe := func(extra func(*stripe.SubscriptionCreateParams)) (*stripe.Subscription, error) {
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}}
		if extra != nil {
			extra(p)
		}
		p.AddExpand("latest_invoice")
		return sc.V1Subscriptions.Create(Ctx, p)
	}
	retrieve := func(id string) *stripe.Subscription {
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return sub
	}
	invoice := func(id string) *stripe.Invoice {
		inv, err := sc.V1Invoices.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}

	Describe("billing_cycle_anchor on create", func() {
		// Sept 15 12:00; the anchor is Oct 1 00:00, 15.5 days into a
		// 30-day period (Sept 1 – Oct 1) that ends there.
		now := Epoch.AddDate(0, 0, 14)
		anchor := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)

		It("prorates the first invoice up to the anchor, then bills full periods from it", func() {
			emu.Clock().Set(now)
			sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) { p.BillingCycleAnchor = stripe.Int64(anchor.Unix()) })
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
			Expect(sub.BillingCycleAnchor).To(Equal(anchor.Unix()))
			Expect(sub.Items.Data[0].CurrentPeriodStart).To(Equal(now.Unix()))
			Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(anchor.Unix()))
			first := sub.LatestInvoice
			Expect(first.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(first.AmountDue).To(Equal(int64(517)), "1000 × 15.5/30, rounded")
			Expect(first.Lines.Data).To(HaveLen(1))
			line := first.Lines.Data[0]
			Expect(line.Amount).To(Equal(int64(517)))
			Expect(line.Period.Start).To(Equal(now.Unix()))
			Expect(line.Period.End).To(Equal(anchor.Unix()))
			Expect(line.Parent.SubscriptionItemDetails.Proration).To(BeTrue())

			emu.Clock().Set(anchor.Add(2 * time.Hour))
			sub = retrieve(sub.ID)
			Expect(sub.LatestInvoice.ID).NotTo(Equal(first.ID))
			Expect(sub.Items.Data[0].CurrentPeriodStart).To(Equal(anchor.Unix()))
			Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(anchor.AddDate(0, 1, 0).Unix()))
			renewal := invoice(sub.LatestInvoice.ID)
			Expect(renewal.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
			Expect(renewal.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(renewal.AmountPaid).To(Equal(int64(1000)))
			Expect(renewal.PeriodEnd).To(Equal(anchor.Unix()), "the renewal looks back at the stub that ends")
			Expect(renewal.Lines.Data[0].Period.Start).To(Equal(anchor.Unix()))
		})

		It("charges nothing until the anchor with proration_behavior=none", func() {
			emu.Clock().Set(now)
			sub, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
				p.BillingCycleAnchor = stripe.Int64(anchor.Unix())
				p.ProrationBehavior = stripe.String("none")
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
			Expect(sub.LatestInvoice.AmountDue).To(BeZero())
			Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(anchor.Unix()))

			emu.Clock().Set(anchor.Add(2 * time.Hour))
			renewal := invoice(retrieve(sub.ID).LatestInvoice.ID)
			Expect(renewal.AmountPaid).To(Equal(int64(1000)))
		})

		It("refuses an anchor in the past or past the first natural period end", func() {
			emu.Clock().Set(now)
			_, err := subscribe(func(p *stripe.SubscriptionCreateParams) { p.BillingCycleAnchor = stripe.Int64(now.Unix() - 60) })
			Expect(err).To(HaveOccurred())
			Expect(err.(*stripe.Error).Param).To(Equal("billing_cycle_anchor"))
			_, err = subscribe(func(p *stripe.SubscriptionCreateParams) {
				p.BillingCycleAnchor = stripe.Int64(now.AddDate(0, 1, 1).Unix())
			})
			Expect(err).To(HaveOccurred())
			Expect(err.(*stripe.Error).Param).To(Equal("billing_cycle_anchor"))
		})
	})

	Describe("billing_cycle_anchor=now on update", func() {
		// Created Sept 1 12:00 (period to Oct 1 12:00), reset on Sept 16
		// 12:00 with 15 of its 30 days unused.
		at := Epoch.AddDate(0, 0, 15)

		It("starts a new period now and invoices it at once, crediting the unused time", func() {
			sub, err := subscribe(nil)
			Expect(err).NotTo(HaveOccurred())
			first := sub.LatestInvoice.ID
			emu.Clock().Set(at)
			sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{BillingCycleAnchorNow: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.BillingCycleAnchor).To(Equal(at.Unix()))
			Expect(sub.Items.Data[0].CurrentPeriodStart).To(Equal(at.Unix()))
			Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(at.AddDate(0, 1, 0).Unix()))
			Expect(sub.LatestInvoice.ID).NotTo(Equal(first))
			inv := invoice(sub.LatestInvoice.ID)
			Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(inv.AmountPaid).To(Equal(int64(500)), "a full period, less half a period unused")
			Expect(inv.Lines.Data).To(HaveLen(2))

			// The next renewal is a month after the reset.
			emu.Clock().Set(at.AddDate(0, 1, 0).Add(2 * time.Hour))
			renewal := invoice(retrieve(sub.ID).LatestInvoice.ID)
			Expect(renewal.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
			Expect(renewal.PeriodStart).To(Equal(at.Unix()), "the period the reset began, looking back")
			Expect(renewal.PeriodEnd).To(Equal(at.AddDate(0, 1, 0).Unix()))
			Expect(renewal.AmountPaid).To(Equal(int64(1000)))
		})

		It("credits nothing with proration_behavior=none, and unchanged changes nothing", func() {
			sub, err := subscribe(nil)
			Expect(err).NotTo(HaveOccurred())
			emu.Clock().Set(at)
			same, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{BillingCycleAnchorUnchanged: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(same.BillingCycleAnchor).To(Equal(sub.BillingCycleAnchor))
			Expect(same.LatestInvoice.ID).To(Equal(sub.LatestInvoice.ID))

			sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{BillingCycleAnchorNow: stripe.Bool(true), ProrationBehavior: stripe.String("none")})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.BillingCycleAnchor).To(Equal(at.Unix()))
			inv := invoice(sub.LatestInvoice.ID)
			Expect(inv.AmountPaid).To(Equal(int64(1000)))
			Expect(inv.Lines.Data).To(HaveLen(1))
		})
	})

	It("refuses what it does not emulate of anchors rather than half do it, changing nothing", func() {
		_, err := subscribe(func(p *stripe.SubscriptionCreateParams) {
			p.BillingCycleAnchor = stripe.Int64(Epoch.AddDate(0, 0, 20).Unix())
			p.TrialPeriodDays = stripe.Int64(7)
		})
		Expect(StripeErr(err).Param).To(Equal("billing_cycle_anchor"))
		sub, err := subscribe(nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{BillingCycleAnchorNow: stripe.Bool(true),
			ProrationDate: stripe.Int64(Epoch.Unix()), Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(2)}}})
		Expect(StripeErr(err).Param).To(Equal("billing_cycle_anchor"))
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{BillingCycleAnchor: stripe.Int64(Epoch.Unix() + 86400)})
		Expect(StripeErr(err).Param).To(Equal("billing_cycle_anchor"))
		after := retrieve(sub.ID)
		Expect(after.BillingCycleAnchor).To(Equal(sub.BillingCycleAnchor))
		Expect(after.Items.Data[0].Quantity).To(Equal(int64(1)))
		Expect(after.LatestInvoice.ID).To(Equal(sub.LatestInvoice.ID))
	})

	Describe("pause_collection", func() {
		renewal := Epoch.AddDate(0, 1, 0) // the first renewal, Oct 1 12:00
		pause := func(id, behavior string, resumesAt int64) *stripe.Subscription {
			p := &stripe.SubscriptionUpdatePauseCollectionParams{Behavior: stripe.String(behavior)}
			if resumesAt > 0 {
				p.ResumesAt = stripe.Int64(resumesAt)
			}
			sub, err := sc.V1Subscriptions.Update(Ctx, id, &stripe.SubscriptionUpdateParams{PauseCollection: p})
			Expect(err).NotTo(HaveOccurred())
			return sub
		}

		DescribeTable("keeps renewing, leaving each renewal's invoice as the behaviour says and the subscription active",
			func(behavior string, status stripe.InvoiceStatus) {
				sub, err := subscribe(nil)
				Expect(err).NotTo(HaveOccurred())
				sub = pause(sub.ID, behavior, 0)
				Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
				Expect(sub.PauseCollection).NotTo(BeNil())
				Expect(string(sub.PauseCollection.Behavior)).To(Equal(behavior))
				Expect(sub.PauseCollection.ResumesAt).To(BeZero())

				emu.Clock().Set(renewal.Add(2 * time.Hour))
				sub = retrieve(sub.ID)
				Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
				Expect(sub.Items.Data[0].CurrentPeriodStart).To(Equal(renewal.Unix()))
				inv := invoice(sub.LatestInvoice.ID)
				Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
				Expect(inv.Status).To(Equal(status))
				Expect(inv.AutoAdvance).To(BeFalse())
				Expect(inv.AmountPaid).To(BeZero())
				Expect(inv.AmountDue).To(Equal(int64(1000)))
				Expect(inv.NextPaymentAttempt).To(BeZero())

				By("still not collecting a day later")
				emu.Clock().Set(renewal.AddDate(0, 0, 1))
				Expect(invoice(inv.ID).Status).To(Equal(status))
			},
			Entry("keep_as_draft", "keep_as_draft", stripe.InvoiceStatusDraft),
			Entry("mark_uncollectible", "mark_uncollectible", stripe.InvoiceStatusUncollectible),
			Entry("void", "void", stripe.InvoiceStatusVoid),
		)

		It("resumes collection by itself at resumes_at", func() {
			sub, err := subscribe(nil)
			Expect(err).NotTo(HaveOccurred())
			resumes := renewal.AddDate(0, 0, 10)
			sub = pause(sub.ID, "void", resumes.Unix())
			Expect(sub.PauseCollection.ResumesAt).To(Equal(resumes.Unix()))

			emu.Clock().Set(renewal.Add(2 * time.Hour))
			sub = retrieve(sub.ID)
			Expect(invoice(sub.LatestInvoice.ID).Status).To(Equal(stripe.InvoiceStatusVoid))
			Expect(sub.PauseCollection).NotTo(BeNil())

			emu.Clock().Set(resumes.Add(time.Minute))
			sub = retrieve(sub.ID)
			Expect(sub.PauseCollection).To(BeNil())
			updated := latestEvent(sc, "customer.subscription.updated")
			Expect(updated.Data.Object["pause_collection"]).To(BeNil())
			Expect(updated.Data.PreviousAttributes).To(HaveKey("pause_collection"))

			emu.Clock().Set(renewal.AddDate(0, 1, 0).Add(2 * time.Hour))
			next := invoice(retrieve(sub.ID).LatestInvoice.ID)
			Expect(next.PeriodStart).To(Equal(renewal.Unix()), "the period that ends, looking back")
			Expect(next.PeriodEnd).To(Equal(renewal.AddDate(0, 1, 0).Unix()))
			Expect(next.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(next.AmountPaid).To(Equal(int64(1000)))
		})

		It("is cleared by an empty value, after which renewals are collected again", func() {
			sub, err := subscribe(nil)
			Expect(err).NotTo(HaveOccurred())
			pause(sub.ID, "keep_as_draft", 0)
			p := &stripe.SubscriptionUpdateParams{}
			p.AddExtra("pause_collection", "")
			sub, err = sc.V1Subscriptions.Update(Ctx, sub.ID, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.PauseCollection).To(BeNil())

			emu.Clock().Set(renewal.Add(2 * time.Hour))
			inv := invoice(retrieve(sub.ID).LatestInvoice.ID)
			Expect(inv.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		})

		It("refuses a behaviour it does not know, a resumes_at in the past, and a missing behaviour", func() {
			sub, err := subscribe(nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{PauseCollection: &stripe.SubscriptionUpdatePauseCollectionParams{Behavior: stripe.String("skip")}})
			Expect(StripeErr(err).Param).To(Equal("pause_collection[behavior]"))
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{PauseCollection: &stripe.SubscriptionUpdatePauseCollectionParams{
				Behavior: stripe.String("void"), ResumesAt: stripe.Int64(Epoch.Unix() - 1)}})
			Expect(StripeErr(err).Param).To(Equal("pause_collection[resumes_at]"))
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{PauseCollection: &stripe.SubscriptionUpdatePauseCollectionParams{ResumesAt: stripe.Int64(Epoch.Unix() + 86400)}})
			Expect(StripeErr(err).Param).To(Equal("pause_collection[behavior]"))
			Expect(retrieve(sub.ID).PauseCollection).To(BeNil())
		})
	})
})
