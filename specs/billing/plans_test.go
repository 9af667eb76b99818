package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// The Plans API (stripe-go's plan service): a plan and a recurring price
// are two views of one object, so either API serves what the other made,
// and every change sends both price.* and plan.* events.
var _ = Describe("Plans", Label("billing", "plans"), func() {
	var (
		emu  *emulator.Emulator
		sc   *stripe.Client
		prod *stripe.Product
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		prod, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
		Expect(err).NotTo(HaveOccurred())
	})

	monthly := func(id string, amount int64) *stripe.Plan {
		GinkgoHelper()
		p := &stripe.PlanCreateParams{Currency: stripe.String("usd"), Interval: stripe.String("month"),
			Amount: stripe.Int64(amount), ProductID: stripe.String(prod.ID)}
		if id != "" {
			p.ID = stripe.String(id)
		}
		plan, err := sc.V1Plans.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return plan
	}
	eventTypes := func() []string {
		var out []string
		for _, ev := range emu.Events("") {
			out = append(out, ev["type"].(string))
		}
		return out
	}

	It("bills for up to three years at once, as a price or a plan, and renews a two-year subscription after two years", func() {
		_, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), IntervalCount: stripe.Int64(37)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "recurring[interval_count]")
		_, err = sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{Currency: stripe.String("usd"), Interval: stripe.String("week"),
			IntervalCount: stripe.Int64(157), Amount: stripe.Int64(100), ProductID: stripe.String(prod.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "interval_count")
		plan, err := sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{Currency: stripe.String("usd"), Interval: stripe.String("year"),
			IntervalCount: stripe.Int64(3), Amount: stripe.Int64(100), ProductID: stripe.String(prod.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(plan.IntervalCount).To(Equal(int64(3)))

		biennial, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(20000),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), IntervalCount: stripe.Int64(24)}})
		Expect(err).NotTo(HaveOccurred())
		cus := customerWithCard(sc, "biennial@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(biennial.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(Epoch.AddDate(2, 0, 0).Unix()))

		emu.Clock().Set(Epoch.AddDate(2, 0, 0).Add(2 * time.Hour))
		paid := 0
		for inv, err := range sc.V1Invoices.List(Ctx, &stripe.InvoiceListParams{Subscription: stripe.String(sub.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.AmountPaid).To(Equal(int64(20000)))
			paid++
		}
		Expect(paid).To(Equal(2), "the first invoice and the renewal two years on")
	})

	It("creates a plan that is a recurring price, under its own id or a price_ one", func() {
		plan, err := sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{
			ID: stripe.String("gold-monthly"), Currency: stripe.String("USD"), Interval: stripe.String("month"),
			IntervalCount: stripe.Int64(3), Amount: stripe.Int64(1500), ProductID: stripe.String(prod.ID),
			Nickname: stripe.String("Gold"), TrialPeriodDays: stripe.Int64(14), Metadata: map[string]string{"tier": "gold"},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(plan.ID).To(Equal("gold-monthly"))
		Expect(plan.Object).To(Equal("plan"))
		Expect(plan.Amount).To(Equal(int64(1500)))
		Expect(plan.AmountDecimal).To(Equal(float64(1500)))
		Expect(plan.Currency).To(Equal(stripe.CurrencyUSD))
		Expect(plan.Interval).To(Equal(stripe.PlanIntervalMonth))
		Expect(plan.IntervalCount).To(Equal(int64(3)))
		Expect(plan.UsageType).To(Equal(stripe.PlanUsageTypeLicensed))
		Expect(plan.BillingScheme).To(Equal(stripe.PlanBillingSchemePerUnit))
		Expect(plan.TrialPeriodDays).To(Equal(int64(14)))
		Expect(plan.Nickname).To(Equal("Gold"))
		Expect(plan.Metadata).To(Equal(map[string]string{"tier": "gold"}))
		Expect(plan.Active).To(BeTrue())
		Expect(plan.Product.ID).To(Equal(prod.ID))

		price, err := sc.V1Prices.Retrieve(Ctx, "gold-monthly", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(price.Type).To(Equal(stripe.PriceTypeRecurring))
		Expect(price.UnitAmount).To(Equal(int64(1500)))
		Expect(price.Recurring.Interval).To(Equal(stripe.PriceRecurringIntervalMonth))
		Expect(price.Recurring.IntervalCount).To(Equal(int64(3)))
		Expect(price.Recurring.TrialPeriodDays).To(Equal(int64(14)))
		Expect(price.TaxBehavior).To(Equal(stripe.PriceTaxBehaviorUnspecified))

		generated := monthly("", 900)
		Expect(generated.ID).To(HavePrefix("price_"))
		Expect(eventTypes()).To(Equal([]string{"product.created", "price.created", "plan.created", "price.created", "plan.created"}))
		ev := emu.Events("")[2]
		Expect(ev["data"].(map[string]any)["object"]).To(HaveKeyWithValue("object", "plan"))
		Expect(ev["data"].(map[string]any)["object"]).To(HaveKeyWithValue("id", "gold-monthly"))
	})

	It("serves a recurring price as a plan, and answers No such plan for a one-time price", func() {
		price := recurringPrice(sc, prod.ID, "year", 12000)
		Expect(eventTypes()).To(Equal([]string{"product.created", "price.created", "plan.created"}))
		plan, err := sc.V1Plans.Retrieve(Ctx, price.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(plan.Amount).To(Equal(int64(12000)))
		Expect(plan.Interval).To(Equal(stripe.PlanIntervalYear))

		oneTime, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID),
			Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100)})
		Expect(err).NotTo(HaveOccurred())
		Expect(eventTypes()).To(HaveLen(4), "a one-time price is no plan: no plan.created")
		_, err = sc.V1Plans.Retrieve(Ctx, oneTime.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(StripeErr(err).Msg).To(Equal("No such plan: '" + oneTime.ID + "'"))
	})

	It("takes an inline product, tiers with expand[]=tiers, and transform_usage that billing applies", func() {
		plan, err := sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{
			Currency: stripe.String("usd"), Interval: stripe.String("month"),
			Product:       &stripe.PlanCreateProductParams{Name: stripe.String("Seats"), UnitLabel: stripe.String("seat")},
			BillingScheme: stripe.String("tiered"), TiersMode: stripe.String("graduated"),
			Tiers: []*stripe.PlanCreateTierParams{
				{UpTo: stripe.Int64(5), UnitAmount: stripe.Int64(1000)},
				{UpToInf: stripe.Bool(true), UnitAmount: stripe.Int64(800), FlatAmount: stripe.Int64(100)},
			},
			Params: stripe.Params{Expand: []*string{stripe.String("tiers"), stripe.String("product")}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(plan.Product.Name).To(Equal("Seats"))
		Expect(plan.Product.UnitLabel).To(Equal("seat"))
		Expect(plan.TiersMode).To(Equal(stripe.PlanTiersModeGraduated))
		Expect(plan.Tiers).To(HaveLen(2))
		Expect(plan.Tiers[0].UpTo).To(Equal(int64(5)))
		Expect(plan.Tiers[1].FlatAmount).To(Equal(int64(100)))
		Expect(eventTypes()).To(Equal([]string{"product.created", "product.created", "price.created", "plan.created"}))

		packs, err := sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{
			Currency: stripe.String("usd"), Interval: stripe.String("month"), Amount: stripe.Int64(500),
			ProductID:      stripe.String(prod.ID),
			TransformUsage: &stripe.PlanCreateTransformUsageParams{DivideBy: stripe.Int64(4), Round: stripe.String("up")},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(packs.TransformUsage.DivideBy).To(Equal(int64(4)))
		Expect(packs.TransformUsage.Round).To(Equal(stripe.PlanTransformUsageRoundUp))
		price, err := sc.V1Prices.Retrieve(Ctx, packs.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(price.TransformQuantity.DivideBy).To(Equal(int64(4)))

		cus := customerWithCard(sc, "packs@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:  []*stripe.SubscriptionCreateItemParams{{Plan: stripe.String(packs.ID), Quantity: stripe.Int64(10)}},
			Params: stripe.Params{Expand: []*string{stripe.String("latest_invoice")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.Total).To(Equal(int64(1500)), "10 units in packs of 4, rounded up: 3 × 5.00")
		Expect(sub.Items.Data[0].Quantity).To(Equal(int64(10)))
		Expect(sub.Items.Data[0].Plan.ID).To(Equal(packs.ID))
		Expect(sub.Items.Data[0].Plan.TransformUsage.Round).To(Equal(stripe.PlanTransformUsageRoundUp))
	})

	It("refuses what basil removed and what a plan cannot be, changing nothing", func() {
		before := len(emu.Events(""))
		_, err := sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{Currency: stripe.String("usd"),
			Interval: stripe.String("month"), ProductID: stripe.String(prod.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "amount")

		_, err = sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{Currency: stripe.String("usd"),
			Interval: stripe.String("month"), Amount: stripe.Int64(1), ProductID: stripe.String(prod.ID),
			UsageType: stripe.String("metered")})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "meter")

		p := &stripe.PlanCreateParams{Currency: stripe.String("usd"), Interval: stripe.String("month"),
			Amount: stripe.Int64(1), ProductID: stripe.String(prod.ID)}
		p.AddExtra("aggregate_usage", "sum") // removed in 2025-03-31.basil
		_, err = sc.V1Plans.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_unknown", "aggregate_usage")

		_, err = sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{Currency: stripe.String("usd"),
			Interval: stripe.String("month"), Amount: stripe.Int64(1), ProductID: stripe.String("prod_missing")})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "product")

		monthly("dup", 100)
		_, err = sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{ID: stripe.String("dup"), Currency: stripe.String("usd"),
			Interval: stripe.String("month"), Amount: stripe.Int64(1), ProductID: stripe.String(prod.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_already_exists", "id")
		Expect(StripeErr(err).Msg).To(Equal("Plan already exists."))
		Expect(emu.Events("")).To(HaveLen(before + 2))
	})

	It("updates through either API with both events, and lists plans by product, active and created", func() {
		plan := monthly("basic", 500)
		other, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Other")})
		Expect(err).NotTo(HaveOccurred())
		before := len(emu.Events(""))
		plan, err = sc.V1Plans.Update(Ctx, "basic", &stripe.PlanUpdateParams{Nickname: stripe.String("Basic"),
			TrialPeriodDays: stripe.Int64(7), Product: stripe.String(other.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(plan.Nickname).To(Equal("Basic"))
		Expect(plan.TrialPeriodDays).To(Equal(int64(7)))
		Expect(plan.Product.ID).To(Equal(other.ID))
		evs := emu.Events("")[before:]
		Expect(evs).To(HaveLen(2))
		Expect(evs[0]["type"]).To(Equal("price.updated"))
		Expect(evs[1]["type"]).To(Equal("plan.updated"))
		prev := evs[1]["data"].(map[string]any)["previous_attributes"].(map[string]any)
		Expect(prev).To(HaveKeyWithValue("nickname", BeNil()))
		Expect(prev).To(HaveKeyWithValue("trial_period_days", BeNil()))
		Expect(prev).To(HaveKeyWithValue("product", prod.ID))

		// Archived through the Prices API: the plan shows it, plan.updated too.
		_, err = sc.V1Prices.Update(Ctx, "basic", &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		Expect(eventTypes()[len(eventTypes())-2:]).To(Equal([]string{"price.updated", "plan.updated"}))

		second := monthly("", 700)
		recurringPrice(sc, other.ID, "month", 300)
		_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID),
			Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100)}) // one-time: no plan
		Expect(err).NotTo(HaveOccurred())

		ids := func(p *stripe.PlanListParams) []string {
			GinkgoHelper()
			var out []string
			for pl, err := range sc.V1Plans.List(Ctx, p) {
				Expect(err).NotTo(HaveOccurred())
				Expect(pl.Object).To(Equal("plan"))
				out = append(out, pl.ID)
			}
			return out
		}
		Expect(ids(&stripe.PlanListParams{Product: stripe.String(prod.ID)})).To(Equal([]string{second.ID}))
		Expect(ids(&stripe.PlanListParams{Active: stripe.Bool(false)})).To(Equal([]string{"basic"}))
		all := ids(&stripe.PlanListParams{})
		Expect(all).To(HaveLen(3))
		Expect(all).To(ContainElements("basic", second.ID))
		page := &stripe.PlanListParams{}
		page.Limit = stripe.Int64(1)
		page.Single = true
		Expect(ids(page)).To(HaveLen(1))

		_, err = sc.V1Plans.Update(Ctx, "nope", &stripe.PlanUpdateParams{Nickname: stripe.String("x")})
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})

	// A product's default price stays one of its own prices: moving it
	// to another product would leave the product pointing at a price it
	// does not have, which could then be archived (Stripe's answer to
	// the move is not documented).
	It("refuses to move its product's default price to another product, changing nothing", func() {
		plan := monthly("basic", 500)
		_, err := sc.V1Products.Update(Ctx, prod.ID, &stripe.ProductUpdateParams{DefaultPrice: stripe.String(plan.ID)})
		Expect(err).NotTo(HaveOccurred())
		other, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Other")})
		Expect(err).NotTo(HaveOccurred())
		before := len(emu.Events(""))

		_, err = sc.V1Plans.Update(Ctx, "basic", &stripe.PlanUpdateParams{Product: stripe.String(other.ID), Nickname: stripe.String("Basic")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "product")
		Expect(emu.Events("")).To(HaveLen(before))
		got, err := sc.V1Plans.Retrieve(Ctx, "basic", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Product.ID).To(Equal(prod.ID))
		Expect(got.Nickname).To(BeEmpty())
		_, err = sc.V1Prices.Update(Ctx, "basic", &stripe.PriceUpdateParams{Active: stripe.Bool(false)})
		Expect(StripeErr(err).Msg).To(Equal("This price cannot be archived because it is the default price of its product."))

		// Once the product's default is another price, it moves.
		params := &stripe.ProductUpdateParams{}
		params.AddExtra("default_price", "")
		_, err = sc.V1Products.Update(Ctx, prod.ID, params)
		Expect(err).NotTo(HaveOccurred())
		moved, err := sc.V1Plans.Update(Ctx, "basic", &stripe.PlanUpdateParams{Product: stripe.String(other.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(moved.Product.ID).To(Equal(other.ID))
	})

	It("deletes a plan: the price goes with it, subscriptions on it go on, and its product can then be deleted", func() {
		plan := monthly("legacy", 2000)
		cus := customerWithCard(sc, "legacy@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Plan: stripe.String(plan.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Items.Data[0].Plan.ID).To(Equal("legacy"))
		Expect(sub.Items.Data[0].Plan.Amount).To(Equal(int64(2000)))
		Expect(sub.Items.Data[0].Price.ID).To(Equal("legacy"))

		var listed []string
		for s, err := range sc.V1Subscriptions.List(Ctx, &stripe.SubscriptionListParams{Plan: stripe.String("legacy")}) {
			Expect(err).NotTo(HaveOccurred())
			listed = append(listed, s.ID)
		}
		Expect(listed).To(Equal([]string{sub.ID}))

		before := len(emu.Events(""))
		deleted, err := sc.V1Plans.Delete(Ctx, "legacy", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(deleted.Deleted).To(BeTrue())
		Expect(deleted.ID).To(Equal("legacy"))
		evs := emu.Events("")[before:]
		Expect(evs).To(HaveLen(2))
		Expect(evs[0]["type"]).To(Equal("price.deleted"))
		Expect(evs[1]["type"]).To(Equal("plan.deleted"))
		Expect(evs[1]["data"].(map[string]any)["object"]).To(HaveKeyWithValue("active", false))

		_, err = sc.V1Plans.Retrieve(Ctx, "legacy", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		_, err = sc.V1Prices.Retrieve(Ctx, "legacy", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		for p, err := range sc.V1Prices.List(Ctx, &stripe.PriceListParams{Active: stripe.Bool(false)}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(p.ID).NotTo(Equal("legacy"))
		}
		for p, err := range sc.V1Prices.Search(Ctx, &stripe.PriceSearchParams{SearchParams: stripe.SearchParams{Query: "active:'false'"}}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(p.ID).NotTo(Equal("legacy"))
		}
		_, err = sc.V1Plans.Delete(Ctx, "legacy", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Plan: stripe.String("legacy")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "items[0][plan]")
		Expect(StripeErr(err).Msg).To(Equal("No such plan: 'legacy'"))

		// The subscription renews on the deleted plan.
		emu.Clock().Advance(32 * 24 * time.Hour)
		renewed, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("latest_invoice")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(renewed.LatestInvoice.ID).NotTo(Equal(sub.LatestInvoice.ID))
		Expect(renewed.LatestInvoice.Total).To(Equal(int64(2000)))
		Expect(renewed.Items.Data[0].Plan.ID).To(Equal("legacy"))

		_, err = sc.V1Subscriptions.Cancel(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Products.Delete(Ctx, prod.ID, nil)
		Expect(err).NotTo(HaveOccurred(), "its only plan is deleted")
	})

	It("takes plan ids on subscription items, schedules and the item endpoints", func() {
		plan := monthly("seat", 1000)
		cus := customerWithCard(sc, "seats@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Plan: stripe.String(plan.ID), Price: stripe.String(plan.ID)}}})
		Expect(err).NotTo(HaveOccurred(), "plan and price may name the same object")

		extra := monthly("addon", 300)
		item, err := sc.V1SubscriptionItems.Create(Ctx, &stripe.SubscriptionItemCreateParams{
			Subscription: stripe.String(sub.ID), Plan: stripe.String(extra.ID), Quantity: stripe.Int64(2)})
		Expect(err).NotTo(HaveOccurred())
		Expect(item.Plan.ID).To(Equal("addon"))
		Expect(item.Plan.Object).To(Equal("plan"))
		Expect(item.Price.ID).To(Equal("addon"))

		monthly("team", 500)
		preview, err := sc.V1Invoices.CreatePreview(Ctx, &stripe.InvoiceCreatePreviewParams{Subscription: stripe.String(sub.ID),
			SubscriptionDetails: &stripe.InvoiceCreatePreviewSubscriptionDetailsParams{ProrationBehavior: stripe.String("none"),
				Items: []*stripe.InvoiceCreatePreviewSubscriptionDetailsItemParams{{ID: stripe.String(item.ID), Plan: stripe.String("team")}}}})
		Expect(err).NotTo(HaveOccurred())
		// The next period, seat once and team twice in the add-on's place
		// (2000), with the add-on's pending proration from when it was added
		// (2 × 300).
		Expect(preview.Total).To(Equal(int64(2600)))
		var prorated int64
		for _, l := range preview.Lines.Data {
			if d := l.Parent.SubscriptionItemDetails; d != nil && d.Proration {
				prorated += l.Amount
			}
		}
		Expect(prorated).To(Equal(int64(600)))

		oneTime, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID),
			Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SubscriptionItems.Update(Ctx, item.ID, &stripe.SubscriptionItemUpdateParams{Plan: stripe.String(oneTime.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "plan")

		sched, err := sc.V1SubscriptionSchedules.Create(Ctx, &stripe.SubscriptionScheduleCreateParams{
			Customer: stripe.String(cus.ID), StartDate: stripe.Int64(emu.Clock().Now().Unix() + 86400),
			Phases: []*stripe.SubscriptionScheduleCreatePhaseParams{{
				Items:      []*stripe.SubscriptionScheduleCreatePhaseItemParams{{Plan: stripe.String("seat"), Quantity: stripe.Int64(3)}},
				Iterations: stripe.Int64(1),
			}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(sched.Phases[0].Items[0].Plan.ID).To(Equal("seat"))
		Expect(sched.Phases[0].Items[0].Price.ID).To(Equal("seat"))

		_, err = sc.V1Plans.Update(Ctx, "seat", &stripe.PlanUpdateParams{Product: stripe.String(prod.ID)})
		Expect(err).NotTo(HaveOccurred(), "the same product is no change")
		other, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Other")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Plans.Update(Ctx, "seat", &stripe.PlanUpdateParams{Product: stripe.String(other.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "product")
	})

	It("refuses a second item on a plan the subscription already has, changing nothing", func() {
		monthly("seat", 1000)
		monthly("addon", 300)
		cus := customerWithCard(sc, "twice@example.com", "pm_card_visa", "")
		_, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Plan: stripe.String("seat")}, {Price: stripe.String("seat")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "items[1][price]")
		Expect(StripeErr(err).Msg).To(Equal("Cannot add multiple subscription items with the same plan: seat"))

		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Plan: stripe.String("seat")}}})
		Expect(err).NotTo(HaveOccurred())
		before := len(emu.Events(""))
		_, err = sc.V1SubscriptionItems.Create(Ctx, &stripe.SubscriptionItemCreateParams{
			Subscription: stripe.String(sub.ID), Plan: stripe.String("seat")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "plan")
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{
			Items: []*stripe.SubscriptionUpdateItemParams{{Price: stripe.String("seat")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "items[0][price]")
		Expect(emu.Events("")).To(HaveLen(before))
		addon, err := sc.V1SubscriptionItems.Create(Ctx, &stripe.SubscriptionItemCreateParams{
			Subscription: stripe.String(sub.ID), Plan: stripe.String("addon")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SubscriptionItems.Update(Ctx, addon.ID, &stripe.SubscriptionItemUpdateParams{Plan: stripe.String("seat")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "plan")

		// Removing the item and adding its plan again in one update is fine.
		_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{ProrationBehavior: stripe.String("none"),
			Items: []*stripe.SubscriptionUpdateItemParams{{ID: stripe.String(addon.ID), Deleted: stripe.Bool(true)}, {Plan: stripe.String("addon"), Quantity: stripe.Int64(2)}}})
		Expect(err).NotTo(HaveOccurred())
		got, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Items.Data).To(HaveLen(2))
		Expect(len(emu.Events(""))).To(BeNumerically(">", before))
	})

	It("reuses a deleted plan's id for a new plan, while subscriptions on the old one go on as they were", func() {
		monthly("legacy", 2000)
		cus := customerWithCard(sc, "reuse@example.com", "pm_card_visa", "")
		old, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Plan: stripe.String("legacy")}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{ID: stripe.String("legacy"), Currency: stripe.String("usd"),
			Interval: stripe.String("month"), Amount: stripe.Int64(1), ProductID: stripe.String(prod.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_already_exists", "id")
		Expect(StripeErr(err).Msg).To(Equal("Plan already exists."))

		_, err = sc.V1Plans.Delete(Ctx, "legacy", nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Plans.Retrieve(Ctx, "legacy", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(StripeErr(err).Msg).To(Equal("No such plan: 'legacy'"))

		before := len(emu.Events(""))
		again, err := sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{ID: stripe.String("legacy"), Currency: stripe.String("usd"),
			Interval: stripe.String("month"), Amount: stripe.Int64(3500), ProductID: stripe.String(prod.ID), Nickname: stripe.String("Legacy v2")})
		Expect(err).NotTo(HaveOccurred(), "Stripe lets a deleted plan's id be used again")
		Expect(again.ID).To(Equal("legacy"))
		Expect(again.Amount).To(Equal(int64(3500)))
		Expect(again.Active).To(BeTrue())
		Expect(eventTypes()[before:]).To(Equal([]string{"price.created", "plan.created"}))
		got, err := sc.V1Plans.Retrieve(Ctx, "legacy", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Nickname).To(Equal("Legacy v2"))
		price, err := sc.V1Prices.Retrieve(Ctx, "legacy", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(price.UnitAmount).To(Equal(int64(3500)))
		var listed []string
		for p, err := range sc.V1Plans.List(Ctx, &stripe.PlanListParams{Product: stripe.String(prod.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			listed = append(listed, p.ID)
		}
		Expect(listed).To(Equal([]string{"legacy"}))
		_, err = sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{ID: stripe.String("legacy"), Currency: stripe.String("usd"),
			Interval: stripe.String("month"), Amount: stripe.Int64(1), ProductID: stripe.String(prod.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_already_exists", "id")

		// The old subscription keeps the plan it was made with, and renews
		// by it; a new one takes the new plan.
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, old.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Items.Data[0].Plan.ID).To(Equal("legacy"))
		Expect(sub.Items.Data[0].Plan.Amount).To(Equal(int64(2000)))
		Expect(sub.Items.Data[0].Price.UnitAmount).To(Equal(int64(2000)))
		newer, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items:  []*stripe.SubscriptionCreateItemParams{{Plan: stripe.String("legacy")}},
			Params: stripe.Params{Expand: []*string{stripe.String("latest_invoice")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(newer.Items.Data[0].Plan.Amount).To(Equal(int64(3500)))
		Expect(newer.LatestInvoice.Total).To(Equal(int64(3500)))
		emu.Clock().Advance(32 * 24 * time.Hour)
		renewed, err := sc.V1Subscriptions.Retrieve(Ctx, old.ID, &stripe.SubscriptionRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("latest_invoice")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(renewed.LatestInvoice.ID).NotTo(Equal(old.LatestInvoice.ID))
		Expect(renewed.LatestInvoice.Total).To(Equal(int64(2000)))
		Expect(renewed.Items.Data[0].Plan.Amount).To(Equal(int64(2000)))
	})

	It("refuses to reuse a deleted tiered plan's id while a subscription still bills its tiers, changing nothing", func() {
		tiered := func(amount int64) (*stripe.Plan, error) {
			return sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{ID: stripe.String("seats"), Currency: stripe.String("usd"),
				Interval: stripe.String("month"), ProductID: stripe.String(prod.ID),
				BillingScheme: stripe.String("tiered"), TiersMode: stripe.String("volume"),
				Tiers: []*stripe.PlanCreateTierParams{{UpToInf: stripe.Bool(true), UnitAmount: stripe.Int64(amount)}}})
		}
		_, err := tiered(700)
		Expect(err).NotTo(HaveOccurred())
		cus := customerWithCard(sc, "tiers@example.com", "pm_card_visa", "")
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Plan: stripe.String("seats"), Quantity: stripe.Int64(2)}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Plans.Delete(Ctx, "seats", nil)
		Expect(err).NotTo(HaveOccurred())

		before := len(emu.Events(""))
		_, err = tiered(900)
		ExpectStripeError(err, 400, "invalid_request_error", "", "id")
		Expect(StripeErr(err).Msg).To(ContainSubstring("does not emulate"))
		Expect(emu.Events("")).To(HaveLen(before))
		_, err = sc.V1Plans.Retrieve(Ctx, "seats", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		emu.Clock().Advance(32 * 24 * time.Hour)
		renewed, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("latest_invoice")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(renewed.LatestInvoice.Total).To(Equal(int64(1400)), "still billed by the deleted plan's tiers")

		// Once nothing bills it, the id is free again.
		_, err = sc.V1Subscriptions.Cancel(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		again, err := tiered(900)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.ID).To(Equal("seats"))
		got, err := sc.V1Plans.Retrieve(Ctx, "seats", &stripe.PlanRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("tiers")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Tiers).To(HaveLen(1))
		Expect(got.Tiers[0].UnitAmount).To(Equal(int64(900)))
	})
})
