package billing_test

import (
	"encoding/json"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// When time jumps over many renewals at once, what falls due happens in
// time order across subscriptions, as it would have while the time
// passed: the event log reads newest first with no event older than the
// one after it, and renewals of different subscriptions interleave.
var _ = Describe("Work that time causes runs in time order", Label("billing", "subscriptions", "clock"), func() {
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		monthly *stripe.Price
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
	})

	subscribe := func(email, testClock string) *stripe.Subscription {
		cus := customerWithCard(sc, email, "pm_card_visa", testClock)
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(monthly.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		return sub
	}
	// renewals lists, oldest first, which subscription each renewal
	// invoice (invoice.created with billing_reason subscription_cycle)
	// belonged to, checking on the way that the log is in time order from
	// since on (events of API calls are at the emulator clock's time,
	// while a test clock's own events are at its time, as at Stripe). It
	// reads the whole log: /v1/events lists only the last 30 days.
	renewals := func(since int64) []string {
		var newestFirst []*stripe.Event
		for _, o := range slices.Backward(emu.Events("")) {
			ev := asEvent(o)
			if ev.Created >= since {
				newestFirst = append(newestFirst, ev)
			}
		}
		var out []string
		for i := len(newestFirst) - 1; i >= 0; i-- {
			ev := newestFirst[i]
			if i > 0 {
				Expect(newestFirst[i-1].Created).To(BeNumerically(">=", ev.Created), "%s (%s) listed before an older event", newestFirst[i-1].Type, newestFirst[i-1].ID)
			}
			if ev.Type == "invoice.created" && ev.Data.Object["billing_reason"] == "subscription_cycle" {
				details := ev.Data.Object["parent"].(map[string]any)["subscription_details"].(map[string]any)
				out = append(out, details["subscription"].(string))
			}
		}
		return out
	}

	It("on the emulator clock", func() {
		a := subscribe("a@example.com", "")
		emu.Clock().Advance(10 * 24 * time.Hour)
		b := subscribe("b@example.com", "")
		emu.Clock().Set(Epoch.AddDate(0, 3, 12))
		Expect(renewals(0)).To(Equal([]string{a.ID, b.ID, a.ID, b.ID, a.ID, b.ID}))
	})

	It("on a test clock", func() {
		clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
		Expect(err).NotTo(HaveOccurred())
		a := subscribe("a@example.com", clk.ID)
		advanceClock(sc, clk.ID, Epoch.AddDate(0, 0, 10))
		Eventually(func() stripe.TestHelpersTestClockStatus {
			c, _ := sc.V1TestHelpersTestClocks.Retrieve(Ctx, clk.ID, nil)
			return c.Status
		}).Should(Equal(stripe.TestHelpersTestClockStatusReady))
		b := subscribe("b@example.com", clk.ID)
		advanceClock(sc, clk.ID, Epoch.AddDate(0, 2, 5))
		Eventually(func() stripe.TestHelpersTestClockStatus {
			c, _ := sc.V1TestHelpersTestClocks.Retrieve(Ctx, clk.ID, nil)
			return c.Status
		}).Should(Equal(stripe.TestHelpersTestClockStatusReady))
		Expect(renewals(Epoch.Unix() + 1)).To(Equal([]string{a.ID, b.ID, a.ID}))
	})

	It("makes the funds of payments taken during a jump available in it, each at its own time", func() {
		subscribe("a@example.com", "")
		emu.Clock().Set(Epoch.AddDate(0, 3, 5))

		bal, err := sc.V1Balance.Retrieve(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(bal.Pending[0].Amount).To(BeZero(), "every payment's available_on has passed")
		var net int64
		for txn, err := range sc.V1BalanceTransactions.List(Ctx, &stripe.BalanceTransactionListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(txn.Status).To(Equal(stripe.BalanceTransactionStatusAvailable))
			net += txn.Net
		}
		Expect(bal.Available[0].Amount).To(Equal(net))

		// The first payment and three renewals, each available at midnight
		// UTC two days after it was taken.
		// The whole log: /v1/events lists only the last 30 days.
		var at []time.Time
		for _, o := range emu.Events("") {
			if ev := asEvent(o); ev.Type == "balance.available" {
				at = append(at, time.Unix(ev.Created, 0).UTC())
			}
		}
		Expect(at).To(Equal([]time.Time{
			time.Date(2025, 9, 3, 0, 0, 0, 0, time.UTC), time.Date(2025, 10, 3, 0, 0, 0, 0, time.UTC),
			time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC), time.Date(2025, 12, 3, 0, 0, 0, 0, time.UTC),
		}))
	})
})

// asEvent decodes an event of the emulator's log as stripe-go does.
func asEvent(o emulator.Object) *stripe.Event {
	GinkgoHelper()
	b, err := json.Marshal(o)
	Expect(err).NotTo(HaveOccurred())
	var ev stripe.Event
	Expect(json.Unmarshal(b, &ev)).To(Succeed())
	return &ev
}
