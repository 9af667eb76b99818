package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// While collection is paused "invoices continue to generate, but Stripe
// doesn't collect payment" (Stripe's pause-payment guide): an update's
// invoice is held as the pause says, as a renewal's is.
var _ = Describe("An update's invoice while collection is paused", Label("billing", "subscriptions", "prorations"), func() {
	var (
		emu         *emulator.Emulator
		sc          *stripe.Client
		basic, plus *stripe.Price
		sub         *stripe.Subscription
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		basic = recurringPrice(sc, prod.ID, "month", 1000)
		plus = recurringPrice(sc, prod.ID, "month", 2000)
		cus := customerWithCard(sc, "paused@example.com", "pm_card_visa", "")
		sub, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(Epoch.AddDate(0, 0, 15))
	})
	upgradePaused := func(behavior string, extra func(*stripe.SubscriptionUpdateParams)) *stripe.Invoice {
		_, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			PauseCollection: &stripe.SubscriptionUpdatePauseCollectionParams{Behavior: stripe.String(behavior)}})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.SubscriptionUpdateParams{ProrationBehavior: stripe.String("always_invoice"),
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(plus.ID)}}}
		if extra != nil {
			extra(p)
		}
		p.AddExpand("latest_invoice")
		got, err := sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(got.LatestInvoice.ID).NotTo(Equal(sub.LatestInvoice.ID))
		Expect(got.LatestInvoice.AmountPaid).To(Equal(int64(0)), "nothing is collected")
		return got.LatestInvoice
	}

	It("keeps the -5.00 + 10.00 invoice as a draft that does not finalize itself (keep_as_draft)", func() {
		inv := upgradePaused("keep_as_draft", nil)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusDraft))
		Expect(inv.AutoAdvance).To(BeFalse())
		Expect(inv.Total).To(Equal(int64(500)))
	})

	It("marks it uncollectible (mark_uncollectible)", func() {
		inv := upgradePaused("mark_uncollectible", nil)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusUncollectible))
		Expect(inv.Total).To(Equal(int64(500)))
	})

	It("voids it (void), a billing_cycle_anchor=now reset's too", func() {
		inv := upgradePaused("void", func(p *stripe.SubscriptionUpdateParams) { p.BillingCycleAnchorNow = stripe.Bool(true) })
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusVoid))
		Expect(inv.Total).To(Equal(int64(1500)), "-5.00 + 20.00 for the new month")
	})
})
