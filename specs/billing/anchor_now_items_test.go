package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// An upgrade that restarts the billing cycle: items with
// billing_cycle_anchor=now credit the old price's unused time and charge
// the new price's full period at once.
var _ = Describe("Changing items with billing_cycle_anchor=now", Label("billing", "subscriptions", "prorations"), func() {
	var (
		emu         *emulator.Emulator
		sc          *stripe.Client
		basic, plus *stripe.Price
		sub         *stripe.Subscription
	)
	now := Epoch.AddDate(0, 0, 15) // 16 September, noon: half of September left
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
		basic = recurringPrice(sc, prod.ID, "month", 1000)
		plus = recurringPrice(sc, prod.ID, "month", 2000)
		cus := customerWithCard(sc, "anchor@example.com", "pm_card_visa", "")
		sub, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(now)
	})
	update := func(item *stripe.SubscriptionUpdateItemParams, behavior string) *stripe.Subscription {
		item.ID = stripe.String(sub.Items.Data[0].ID)
		p := &stripe.SubscriptionUpdateParams{BillingCycleAnchorNow: stripe.Bool(true), Items: []*stripe.SubscriptionUpdateItemParams{item}}
		if behavior != "" {
			p.ProrationBehavior = stripe.String(behavior)
		}
		p.AddExpand("latest_invoice")
		got, err := sc.V1Subscriptions.Update(Ctx, sub.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.BillingCycleAnchor).To(Equal(now.Unix()))
		Expect(got.Items.Data[0].CurrentPeriodStart).To(Equal(now.Unix()))
		Expect(got.Items.Data[0].CurrentPeriodEnd).To(Equal(now.AddDate(0, 1, 0).Unix()))
		Expect(got.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionUpdate))
		Expect(got.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
		return got
	}
	amounts := func(inv *stripe.Invoice) map[string]int64 {
		out := map[string]int64{}
		for _, l := range inv.Lines.Data {
			out[l.Description] = l.Amount
		}
		return out
	}

	It("upgrades 10.00 → 20.00: -5.00 for the unused half, 20.00 for the new month, 15.00 in all", func() {
		got := update(&stripe.SubscriptionUpdateItemParams{Price: stripe.String(plus.ID)}, "")
		Expect(got.Items.Data[0].Price.ID).To(Equal(plus.ID))
		Expect(got.LatestInvoice.Total).To(Equal(int64(1500)))
		Expect(amounts(got.LatestInvoice)).To(Equal(map[string]int64{
			"Unused time on Pro after 16 Sep 2025": -500,
			"1 × Pro (at $20.00 / month)":          2000,
		}))
	})

	It("raises the quantity 1 → 3: -5.00 and 30.00", func() {
		got := update(&stripe.SubscriptionUpdateItemParams{Quantity: stripe.Int64(3)}, "always_invoice")
		Expect(got.LatestInvoice.Total).To(Equal(int64(2500)))
	})

	It("bills the new period only up to a cancel_at within it, as a renewal does, crediting the old one's unused time up to it too", func() {
		end := now.AddDate(0, 0, 5) // 21 September
		_, err := sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{CancelAt: stripe.Int64(end.Unix())})
		Expect(err).NotTo(HaveOccurred()) // -3.33 for 21 September on, pending
		got := update(&stripe.SubscriptionUpdateItemParams{Price: stripe.String(plus.ID)}, "")
		Expect(got.CancelAt).To(Equal(end.Unix()))
		Expect(amounts(got.LatestInvoice)).To(Equal(map[string]int64{
			"Unused time on Pro after 21 Sep 2025":    -333,
			"Unused time on Pro after 16 Sep 2025":    -167, // 5 of September's 30 days
			"Remaining time on Pro after 16 Sep 2025": 333,  // 5 of the new period's 30 days, as a partial period reads
		}))
		for _, l := range got.LatestInvoice.Lines.Data {
			if l.Amount == 333 {
				Expect(l.Period.Start).To(Equal(now.Unix()))
				Expect(l.Period.End).To(Equal(end.Unix()))
			}
		}
	})

	It("credits nothing with proration_behavior=none: the new month in full", func() {
		got := update(&stripe.SubscriptionUpdateItemParams{Price: stripe.String(plus.ID)}, "none")
		Expect(got.LatestInvoice.Total).To(Equal(int64(2000)))
	})
})
