package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// An archived product sells no new subscriptions, though its prices stay
// active (stripe-node#2131: a price may be active while its product is
// not). Stripe's words, as its users have quoted them (stripe-go#1031),
// grammar and all: "The product prod_… is marked as inactive, and thus no
// new subscriptions can be create to any plans of this product. You
// provided the plan price_…." Subscriptions already on it go on.
var _ = Describe("Subscriptions to an archived product", Label("catalog", "subscriptions"), func() {
	var (
		emu   *emulator.Emulator
		sc    *stripe.Client
		prod  *stripe.Product
		price *stripe.Price
		cus   *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		prod, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Legacy plan")})
		Expect(err).NotTo(HaveOccurred())
		price = recurringPrice(sc, prod.ID, "month", 1500)
		cus = customerWithCard(sc, "archived@example.com", "pm_card_visa", "")
	})

	archive := func() {
		GinkgoHelper()
		_, err := sc.V1Products.Update(Ctx, prod.ID, &stripe.ProductUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
	}

	inactive := func(err error, param, priceID string) {
		GinkgoHelper()
		ExpectStripeError(err, 400, "invalid_request_error", "", param)
		Expect(StripeErr(err).Msg).To(Equal("The product " + prod.ID + " is marked as inactive, and thus no new subscriptions can be create to any plans of this product. You provided the plan " + priceID + "."))
	}

	subscriptions := func() int {
		GinkgoHelper()
		n := 0
		for _, err := range sc.V1Subscriptions.List(Ctx, &stripe.SubscriptionListParams{Customer: stripe.String(cus.ID), Status: stripe.String("all")}) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		return n
	}

	It("refuses a new subscription to one of its prices, making nothing", func() {
		archive()
		before := len(emu.Events(""))
		_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
			Customer: stripe.String(cus.ID),
			Items:    []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
		})
		inactive(err, "items[0][price]", price.ID)
		Expect(subscriptions()).To(BeZero())
		Expect(emu.Events("")).To(HaveLen(before), "a refused request records no event")
	})

	It("refuses a price_data naming it", func() {
		archive()
		_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
			Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{PriceData: &stripe.SubscriptionCreateItemPriceDataParams{
				Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(900),
				Recurring: &stripe.SubscriptionCreateItemPriceDataRecurringParams{Interval: stripe.String("month")},
			}}},
		})
		Expect(err).To(HaveOccurred())
		Expect(StripeErr(err).Param).To(Equal("items[0][price_data][product]"))
		Expect(StripeErr(err).Msg).To(HavePrefix("The product " + prod.ID + " is marked as inactive"))
		Expect(subscriptions()).To(BeZero())
	})

	It("refuses adding one of its prices to a subscription, and lets those already on it go on", func() {
		other, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Current plan")})
		Expect(err).NotTo(HaveOccurred())
		current := recurringPrice(sc, other.ID, "month", 2000)
		onLegacy, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
			Customer: stripe.String(cus.ID),
			Items:    []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
		})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
			Customer: stripe.String(cus.ID),
			Items:    []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(current.ID)}},
		})
		Expect(err).NotTo(HaveOccurred())
		archive()

		_, err = sc.V1SubscriptionItems.Create(Ctx, &stripe.SubscriptionItemCreateParams{
			Subscription: stripe.String(sub.ID), Price: stripe.String(price.ID),
		})
		inactive(err, "price", price.ID)
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(price.ID)}},
		})
		inactive(err, "items[0][price]", price.ID)

		// The subscription already on it changes its quantity, naming its
		// own price or not.
		item := onLegacy.Items.Data[0].ID
		_, err = sc.V1Subscriptions.Update(Ctx, onLegacy.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(item), Quantity: stripe.Int64(2)}},
		})
		Expect(err).NotTo(HaveOccurred())
		updated, err := sc.V1Subscriptions.Update(Ctx, onLegacy.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(item), Price: stripe.String(price.ID), Quantity: stripe.Int64(3)}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(updated.Items.Data[0].Quantity).To(Equal(int64(3)))
	})

	It("lets a schedule of a subscription already on it restate its phases, and refuses a new phase adding it", func() {
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
			Customer: stripe.String(cus.ID),
			Items:    []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
		})
		Expect(err).NotTo(HaveOccurred())
		sched, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{FromSubscription: stripe.String(sub.ID)})
		Expect(err).NotTo(HaveOccurred())
		archive()
		phase := sched.Phases[0]
		sched, err = sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{{
				StartDate: stripe.Int64(phase.StartDate), EndDate: stripe.Int64(phase.EndDate),
				Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(2)}},
			}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(sched.Phases[0].Items[0].Quantity).To(Equal(int64(2)))

		other, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Other")})
		Expect(err).NotTo(HaveOccurred())
		otherPrice := recurringPrice(sc, other.ID, "month", 700)
		_, err = sc.V1Products.Update(Ctx, other.ID, &stripe.ProductUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SubscriptionSchedules.Update(Ctx, sched.ID, &stripe.SubscriptionScheduleUpdateParams{
			Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
				{StartDate: stripe.Int64(phase.StartDate), EndDate: stripe.Int64(phase.EndDate),
					Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(2)}}},
				{Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(otherPrice.ID)}}},
			},
		})
		Expect(err).To(HaveOccurred())
		Expect(StripeErr(err).Param).To(Equal("phases[1][items][0][price]"))
		Expect(StripeErr(err).Msg).To(HavePrefix("The product " + other.ID + " is marked as inactive"))
	})

	It("sells again once the product is active again", func() {
		archive()
		_, err := sc.V1Products.Update(Ctx, prod.ID, &stripe.ProductUpdateParams{Active: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{
			Customer: stripe.String(cus.ID),
			Items:    []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}},
		})
		Expect(err).NotTo(HaveOccurred())
	})
})
