package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Updating a schedule's phases: what Stripe asks of the phases sent.
var _ = Describe("Subscription schedule updates", Label("billing", "subscriptions", "schedules"), func() {
	var (
		emu         *emulator.Emulator
		sc          *stripe.Client
		basic, plus *stripe.Price
		cus         *stripe.Customer
		sub         *stripe.Subscription
		sched       *stripe.SubscriptionSchedule
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		price := func(amount int64) *stripe.Price {
			p, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
				UnitAmount: stripe.Int64(amount), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
			Expect(err).NotTo(HaveOccurred())
			return p
		}
		basic, plus = price(1000), price(2500)
		cus = customerWithCard(sc, "sched-update@example.com", "pm_card_visa", "")
		sub, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(basic.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		sched, err = sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{FromSubscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
	})

	items := func(p *stripe.Price) []*stripe.SubscriptionScheduleUpdatePhaseItemParams {
		return []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(p.ID)}}
	}

	It("refuses phases none of which has a start_date to anchor the others to, changing nothing", func() {
		// Stripe's message, as quoted in stripe/stripe-dotnet#1754.
		_, err := sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{Items: items(basic), EndDate: stripe.Int64(sched.Phases[0].EndDate)},
				{Items: items(plus), Iterations: stripe.Int64(1)},
			}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "phases")
		Expect(StripeErr(err).Msg).To(Equal("The subscription schedule update is missing at least one phase with a `start_date` to anchor end dates to."))
		s, err := sc.V1SubscriptionSchedules.Retrieve(Ctx, sched.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Phases).To(HaveLen(1))
	})
})
