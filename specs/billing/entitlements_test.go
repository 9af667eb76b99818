package billing_test

import (
	"encoding/json"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Entitlements", Label("billing", "entitlements"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	feature := func(name, key string) *stripe.EntitlementsFeature {
		f, err := sc.V1EntitlementsFeatures.Create(Ctx, &stripe.EntitlementsFeatureCreateParams{Name: stripe.String(name), LookupKey: stripe.String(key)})
		Expect(err).NotTo(HaveOccurred())
		return f
	}
	featureKeys := func(p *stripe.EntitlementsFeatureListParams) []string {
		var out []string
		for f, err := range sc.V1EntitlementsFeatures.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, f.LookupKey)
		}
		return out
	}
	productFeatures := func(product string) []string {
		var out []string
		for pf, err := range sc.V1ProductFeatures.List(Ctx, &stripe.ProductFeatureListParams{Product: stripe.String(product)}) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, pf.EntitlementFeature.ID)
		}
		return out
	}
	active := func(customer string) []*stripe.EntitlementsActiveEntitlement {
		var out []*stripe.EntitlementsActiveEntitlement
		for e, err := range sc.V1EntitlementsActiveEntitlements.List(Ctx, &stripe.EntitlementsActiveEntitlementListParams{Customer: stripe.String(customer)}) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, e)
		}
		return out
	}
	activeKeys := func(customer string) []string {
		out := []string{}
		for _, e := range active(customer) {
			out = append(out, e.LookupKey)
		}
		return out
	}
	summaries := func() []*stripe.EntitlementsActiveEntitlementSummary {
		var out []*stripe.EntitlementsActiveEntitlementSummary
		for ev, err := range sc.V1Events.List(Ctx, &stripe.EventListParams{Type: stripe.String("entitlements.active_entitlement_summary.updated")}) {
			Expect(err).NotTo(HaveOccurred())
			var s stripe.EntitlementsActiveEntitlementSummary
			Expect(json.Unmarshal(ev.Data.Raw, &s)).To(Succeed())
			out = append(out, &s)
		}
		return out
	}

	Describe("features", func() {
		It("creates, retrieves, renames and archives a feature", func() {
			f := feature("SSO", "sso")
			// Stripe's test-mode ids for these objects carry "test_", as the
			// API reference's examples show (feat_test_61…, ent_test_61…).
			Expect(f.ID).To(HavePrefix("feat_test_"))
			Expect(f.Object).To(Equal("entitlements.feature"))
			Expect(f.Active).To(BeTrue())
			Expect(f.Metadata).To(BeEmpty())

			got, err := sc.V1EntitlementsFeatures.Retrieve(Ctx, f.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Name).To(Equal("SSO"))

			up, err := sc.V1EntitlementsFeatures.Update(Ctx, f.ID, &stripe.EntitlementsFeatureUpdateParams{
				Name: stripe.String("Single sign-on"), Metadata: map[string]string{"tier": "pro"}})
			Expect(err).NotTo(HaveOccurred())
			Expect(up.Name).To(Equal("Single sign-on"))
			Expect(up.Metadata).To(Equal(map[string]string{"tier": "pro"}))
			Expect(up.LookupKey).To(Equal("sso"))

			arch, err := sc.V1EntitlementsFeatures.Update(Ctx, f.ID, &stripe.EntitlementsFeatureUpdateParams{Active: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			Expect(arch.Active).To(BeFalse())

			_, err = sc.V1EntitlementsFeatures.Retrieve(Ctx, "feat_missing", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		})

		It("lists features newest first, filtered by archived and lookup_key", func() {
			a, b := feature("A", "a"), feature("B", "b")
			feature("C", "c")
			_, err := sc.V1EntitlementsFeatures.Update(Ctx, b.ID, &stripe.EntitlementsFeatureUpdateParams{Active: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			Expect(featureKeys(&stripe.EntitlementsFeatureListParams{})).To(Equal([]string{"c", "b", "a"}))
			Expect(featureKeys(&stripe.EntitlementsFeatureListParams{Archived: stripe.Bool(true)})).To(Equal([]string{"b"}))
			Expect(featureKeys(&stripe.EntitlementsFeatureListParams{Archived: stripe.Bool(false)})).To(Equal([]string{"c", "a"}))
			Expect(featureKeys(&stripe.EntitlementsFeatureListParams{LookupKey: stripe.String(a.LookupKey)})).To(Equal([]string{"a"}))
		})

		It("keeps lookup keys unique among active features", func() {
			f := feature("SSO", "sso")
			_, err := sc.V1EntitlementsFeatures.Create(Ctx, &stripe.EntitlementsFeatureCreateParams{Name: stripe.String("Other"), LookupKey: stripe.String("sso")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "lookup_key")
			Expect(featureKeys(&stripe.EntitlementsFeatureListParams{})).To(Equal([]string{"sso"}), "the refused feature was not kept")

			// Archived, its key is free again.
			_, err = sc.V1EntitlementsFeatures.Update(Ctx, f.ID, &stripe.EntitlementsFeatureUpdateParams{Active: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			Expect(feature("SSO v2", "sso").Active).To(BeTrue())
		})

		It("archives a feature for good: it cannot be reactivated nor edited, and the refusal changes nothing", func() {
			// Stripe's reference: "Update a feature's metadata or permanently deactivate it."
			f := feature("SSO", "sso")
			_, err := sc.V1EntitlementsFeatures.Update(Ctx, f.ID, &stripe.EntitlementsFeatureUpdateParams{Active: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1EntitlementsFeatures.Update(Ctx, f.ID, &stripe.EntitlementsFeatureUpdateParams{Active: stripe.Bool(true)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "active")
			_, err = sc.V1EntitlementsFeatures.Update(Ctx, f.ID, &stripe.EntitlementsFeatureUpdateParams{
				Name: stripe.String("Renamed"), Metadata: map[string]string{"k": "v"}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
			got, err := sc.V1EntitlementsFeatures.Retrieve(Ctx, f.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Active).To(BeFalse())
			Expect(got.Name).To(Equal("SSO"))
			Expect(got.Metadata).To(BeEmpty())
		})

		It("requires a name and a lookup key", func() {
			_, err := sc.V1EntitlementsFeatures.Create(Ctx, &stripe.EntitlementsFeatureCreateParams{Name: stripe.String("x")})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "lookup_key")
			_, err = sc.V1EntitlementsFeatures.Create(Ctx, &stripe.EntitlementsFeatureCreateParams{LookupKey: stripe.String("x")})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "name")
		})

		It("holds names and lookup keys to 80 characters, not bytes, refusing longer ones in Stripe's words", func() {
			long := strings.Repeat("é", 80) // 160 bytes
			f := feature(long, long)
			Expect(f.Name).To(Equal(long))
			Expect(f.LookupKey).To(Equal(long))

			_, err := sc.V1EntitlementsFeatures.Create(Ctx, &stripe.EntitlementsFeatureCreateParams{Name: stripe.String(long + "x"), LookupKey: stripe.String("k")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "name")
			Expect(StripeErr(err).Msg).To(Equal("Invalid string: éééé...éééx; must be at most 80 characters"))
			_, err = sc.V1EntitlementsFeatures.Create(Ctx, &stripe.EntitlementsFeatureCreateParams{Name: stripe.String("n"), LookupKey: stripe.String(long + "x")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "lookup_key")
			_, err = sc.V1EntitlementsFeatures.Update(Ctx, f.ID, &stripe.EntitlementsFeatureUpdateParams{Name: stripe.String(long + "x")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "name")
			Expect(featureKeys(&stripe.EntitlementsFeatureListParams{})).To(Equal([]string{long}), "the refused features were not kept")
		})
	})

	Describe("product features", func() {
		var prod *stripe.Product
		BeforeEach(func() {
			var err error
			prod, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
			Expect(err).NotTo(HaveOccurred())
		})

		It("attaches, lists, retrieves and detaches features", func() {
			sso, api := feature("SSO", "sso"), feature("API", "api")
			pf, err := sc.V1ProductFeatures.Create(Ctx, &stripe.ProductFeatureCreateParams{Product: stripe.String(prod.ID), EntitlementFeature: stripe.String(sso.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(pf.ID).To(HavePrefix("prodft_"))
			Expect(pf.Object).To(Equal("product_feature"))
			Expect(pf.EntitlementFeature.LookupKey).To(Equal("sso"))
			_, err = sc.V1ProductFeatures.Create(Ctx, &stripe.ProductFeatureCreateParams{Product: stripe.String(prod.ID), EntitlementFeature: stripe.String(api.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(productFeatures(prod.ID)).To(Equal([]string{api.ID, sso.ID}))

			got, err := sc.V1ProductFeatures.Retrieve(Ctx, pf.ID, &stripe.ProductFeatureRetrieveParams{Product: stripe.String(prod.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.EntitlementFeature.ID).To(Equal(sso.ID))

			del, err := sc.V1ProductFeatures.Delete(Ctx, pf.ID, &stripe.ProductFeatureDeleteParams{Product: stripe.String(prod.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(del.Deleted).To(BeTrue())
			Expect(productFeatures(prod.ID)).To(Equal([]string{api.ID}))
			_, err = sc.V1ProductFeatures.Retrieve(Ctx, pf.ID, &stripe.ProductFeatureRetrieveParams{Product: stripe.String(prod.ID)})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		})

		It("refuses an archived feature, a feature attached twice and an unknown product, keeping nothing", func() {
			sso, old := feature("SSO", "sso"), feature("Old", "old")
			_, err := sc.V1EntitlementsFeatures.Update(Ctx, old.ID, &stripe.EntitlementsFeatureUpdateParams{Active: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1ProductFeatures.Create(Ctx, &stripe.ProductFeatureCreateParams{Product: stripe.String(prod.ID), EntitlementFeature: stripe.String(old.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "entitlement_feature")

			_, err = sc.V1ProductFeatures.Create(Ctx, &stripe.ProductFeatureCreateParams{Product: stripe.String(prod.ID), EntitlementFeature: stripe.String(sso.ID)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1ProductFeatures.Create(Ctx, &stripe.ProductFeatureCreateParams{Product: stripe.String(prod.ID), EntitlementFeature: stripe.String(sso.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "entitlement_feature")
			Expect(productFeatures(prod.ID)).To(Equal([]string{sso.ID}))

			_, err = sc.V1ProductFeatures.Create(Ctx, &stripe.ProductFeatureCreateParams{Product: stripe.String(prod.ID), EntitlementFeature: stripe.String("feat_missing")})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "entitlement_feature")
			_, err = sc.V1ProductFeatures.Create(Ctx, &stripe.ProductFeatureCreateParams{Product: stripe.String("prod_missing"), EntitlementFeature: stripe.String(sso.ID)})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		})
	})

	Describe("active entitlements", func() {
		It("follow the customer's subscriptions, with a summary event at each change", func() {
			sso, api := feature("SSO", "sso"), feature("API", "api")
			feature("Other", "other") // attached to nothing
			prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
			Expect(err).NotTo(HaveOccurred())
			for _, f := range []*stripe.EntitlementsFeature{sso, api} {
				_, err := sc.V1ProductFeatures.Create(Ctx, &stripe.ProductFeatureCreateParams{Product: stripe.String(prod.ID), EntitlementFeature: stripe.String(f.ID)})
				Expect(err).NotTo(HaveOccurred())
			}
			price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
			Expect(err).NotTo(HaveOccurred())
			cus := customerWithCard(sc, "ent@example.com", "pm_card_visa", "")
			Expect(activeKeys(cus.ID)).To(BeEmpty())
			Expect(summaries()).To(BeEmpty())

			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))

			ents := active(cus.ID)
			Expect(activeKeys(cus.ID)).To(ConsistOf("sso", "api"))
			for _, e := range ents {
				Expect(e.ID).To(HavePrefix("ent_test_"))
				Expect(e.Object).To(Equal("entitlements.active_entitlement"))
				got, err := sc.V1EntitlementsActiveEntitlements.Retrieve(Ctx, e.ID, &stripe.EntitlementsActiveEntitlementRetrieveParams{
					Expand: []*string{stripe.String("feature")}})
				Expect(err).NotTo(HaveOccurred())
				Expect(got.Feature.LookupKey).To(Equal(e.LookupKey))
			}
			sums := summaries()
			Expect(sums).To(HaveLen(1), "one summary for the whole request")
			Expect(sums[0].Customer).To(Equal(cus.ID))
			Expect(sums[0].Object).To(Equal("entitlements.active_entitlement_summary"))
			Expect(sums[0].Entitlements.Data).To(HaveLen(2))

			// Updating what does not change the entitlements sends nothing.
			_, err = sc.V1Subscriptions.Update(Ctx, sub.ID, &stripe.SubscriptionUpdateParams{Metadata: map[string]string{"a": "b"}})
			Expect(err).NotTo(HaveOccurred())
			Expect(summaries()).To(HaveLen(1))

			_, err = sc.V1Subscriptions.Cancel(Ctx, sub.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(activeKeys(cus.ID)).To(BeEmpty())
			sums = summaries()
			Expect(sums).To(HaveLen(2))
			Expect(sums[0].Entitlements.Data).To(BeEmpty())
			_, err = sc.V1EntitlementsActiveEntitlements.Retrieve(Ctx, ents[0].ID, nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		})

		It("are not granted by a subscription whose first payment failed", func() {
			f := feature("SSO", "sso")
			prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Pro")})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1ProductFeatures.Create(Ctx, &stripe.ProductFeatureCreateParams{Product: stripe.String(prod.ID), EntitlementFeature: stripe.String(f.ID)})
			Expect(err).NotTo(HaveOccurred())
			price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
			Expect(err).NotTo(HaveOccurred())
			cus := customerWithCard(sc, "declined@example.com", "pm_card_chargeCustomerFail", "")
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}, PaymentBehavior: stripe.String("default_incomplete")})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusIncomplete))
			Expect(activeKeys(cus.ID)).To(BeEmpty())
			Expect(summaries()).To(BeEmpty())
		})

		It("needs a known customer", func() {
			for _, err := range sc.V1EntitlementsActiveEntitlements.List(Ctx, &stripe.EntitlementsActiveEntitlementListParams{Customer: stripe.String("cus_missing")}) {
				ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "customer")
			}
		})
	})
})
