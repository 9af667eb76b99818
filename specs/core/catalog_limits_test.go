package core_test

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// What the catalog's objects refuse or keep as Stripe does, beyond the
// rules of story 3 (catalog_test.go): the documented limits of a product,
// the enumerations and amounts of a price, a coupon's duration, a shipping
// rate's currency and a tax rate's jurisdiction.
var _ = Describe("Catalog objects' limits", Label("catalog"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	countOf := func(object string) int {
		GinkgoHelper()
		return emu.Count("", object)
	}

	Describe("products", func() {
		It("refuses more than 8 images or 15 marketing features, a unit_label over 12 or a statement_descriptor over 22 characters, creating nothing", func() {
			var images []*string
			for i := range 9 {
				images = append(images, stripe.String(fmt.Sprintf("https://example.com/%d.png", i)))
			}
			_, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Poster"), Images: images})
			ExpectStripeError(err, 400, "invalid_request_error", "", "images")
			Expect(StripeErr(err).Msg).To(Equal("Array images exceeded maximum 8 allowed elements."))

			var features []*stripe.ProductCreateMarketingFeatureParams
			for i := range 16 {
				features = append(features, &stripe.ProductCreateMarketingFeatureParams{Name: stripe.String(fmt.Sprintf("Feature %d", i))})
			}
			_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan"), MarketingFeatures: features})
			ExpectStripeError(err, 400, "invalid_request_error", "", "marketing_features")

			_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Water"), UnitLabel: stripe.String("thirteen char")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "unit_label")
			Expect(StripeErr(err).Msg).To(Equal("Invalid string: thir...char; must be at most 12 characters"))

			_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Water"), StatementDescriptor: stripe.String(strings.Repeat("W", 23))})
			ExpectStripeError(err, 400, "invalid_request_error", "", "statement_descriptor")

			_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100),
				ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Water"), UnitLabel: stripe.String("thirteen char")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "product_data[unit_label]")
			Expect(countOf("product")).To(BeZero())
			Expect(countOf("price")).To(BeZero())

			ok, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Poster"), Images: images[:8], MarketingFeatures: features[:15],
				UnitLabel: stripe.String("twelve chars"), StatementDescriptor: stripe.String(strings.Repeat("W", 22))})
			Expect(err).NotTo(HaveOccurred())
			Expect(ok.Images).To(HaveLen(8))
			Expect(ok.MarketingFeatures).To(HaveLen(15))

			_, err = sc.V1Products.Update(Ctx, ok.ID, &stripe.ProductUpdateParams{Images: images})
			ExpectStripeError(err, 400, "invalid_request_error", "", "images")
			_, err = sc.V1Products.Update(Ctx, ok.ID, &stripe.ProductUpdateParams{UnitLabel: stripe.String("thirteen char")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "unit_label")
		})

		It("takes a type of good or service, whole package dimensions and named marketing features, and lists by type", func() {
			_, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Box"), Type: stripe.String("bundle")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "type")
			Expect(StripeErr(err).Msg).To(Equal("Invalid type: must be one of good or service"))

			_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Box"),
				PackageDimensions: &stripe.ProductCreatePackageDimensionsParams{Height: stripe.Float64(10), Length: stripe.Float64(20), Weight: stripe.Float64(5)}})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "package_dimensions[width]")

			unnamed := &stripe.ProductCreateParams{Name: stripe.String("Box"),
				MarketingFeatures: []*stripe.ProductCreateMarketingFeatureParams{{Name: stripe.String("Sturdy")}}}
			unnamed.AddExtra("marketing_features[1][name]", "")
			_, err = sc.V1Products.Create(Ctx, unnamed)
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_empty", "marketing_features[1][name]")

			_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Box"),
				MarketingFeatures: []*stripe.ProductCreateMarketingFeatureParams{{Name: stripe.String(strings.Repeat("f", 81))}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "marketing_features[0][name]")

			_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Box"),
				PackageDimensions: &stripe.ProductCreatePackageDimensionsParams{Height: stripe.Float64(10.125), Length: stripe.Float64(20), Weight: stripe.Float64(5), Width: stripe.Float64(15)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "package_dimensions[height]")

			p := &stripe.ProductCreateParams{Name: stripe.String("Box")}
			p.AddExtra("images[0]", "")
			_, err = sc.V1Products.Create(Ctx, p)
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_empty", "images[0]")
			Expect(countOf("product")).To(BeZero())

			box, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Box"), Type: stripe.String("good"),
				PackageDimensions: &stripe.ProductCreatePackageDimensionsParams{Height: stripe.Float64(10), Length: stripe.Float64(20), Weight: stripe.Float64(5), Width: stripe.Float64(15)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(box.PackageDimensions.Width).To(Equal(15.0))
			_, err = sc.V1Products.Update(Ctx, box.ID, &stripe.ProductUpdateParams{
				PackageDimensions: &stripe.ProductUpdatePackageDimensionsParams{Height: stripe.Float64(10.25), Length: stripe.Float64(20), Weight: stripe.Float64(5), Width: stripe.Float64(15)}})
			Expect(err).NotTo(HaveOccurred(), "two decimal places are fine")
			_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Support")})
			Expect(err).NotTo(HaveOccurred())
			var goods []string
			for prod, err := range sc.V1Products.List(Ctx, &stripe.ProductListParams{Type: stripe.String("good")}) {
				Expect(err).NotTo(HaveOccurred())
				goods = append(goods, prod.ID)
			}
			Expect(goods).To(Equal([]string{box.ID}))
		})

		It("refuses to unset a name, statement descriptor, active or shippable, and unsets images and marketing features to empty lists", func() {
			prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Poster"), StatementDescriptor: stripe.String("POSTER"),
				Images:            []*string{stripe.String("https://example.com/poster.png")},
				MarketingFeatures: []*stripe.ProductCreateMarketingFeatureParams{{Name: stripe.String("Framed")}}})
			Expect(err).NotTo(HaveOccurred())

			for _, field := range []string{"name", "statement_descriptor", "active", "shippable"} {
				p := &stripe.ProductUpdateParams{}
				p.AddExtra(field, "")
				_, err = sc.V1Products.Update(Ctx, prod.ID, p)
				ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_empty", field)
			}
			again, err := sc.V1Products.Retrieve(Ctx, prod.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(again.Name).To(Equal("Poster"))
			Expect(again.StatementDescriptor).To(Equal("POSTER"))
			Expect(again.Active).To(BeTrue())

			// stripe-go sends an empty slice set on purpose as `images=`.
			cleared, err := sc.V1Products.Update(Ctx, prod.ID, &stripe.ProductUpdateParams{
				Images: []*string{}, MarketingFeatures: []*stripe.ProductUpdateMarketingFeatureParams{}})
			Expect(err).NotTo(HaveOccurred())
			Expect(cleared.Images).To(BeEmpty())
			Expect(cleared.MarketingFeatures).To(BeEmpty())
			stored, _ := emu.Get(prod.ID)
			Expect(stored["images"]).To(Equal([]any{}), "an empty list, never null")
			Expect(stored["marketing_features"]).To(Equal([]any{}))
		})

		It("holds a statement descriptor to Stripe's characters and a letter, and, on update, a unit label and statement descriptor to service products, changing nothing", func() {
			// Stripe's reference: no <, >, \, " or ' and at least one letter;
			// on update, both fields "May only be set if `type=service`".
			for _, bad := range []string{`ACME <SUB>`, `ACME "PRO"`, `O'NEIL`, `A\B`, "12345"} {
				_, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan"), StatementDescriptor: stripe.String(bad)})
				ExpectStripeError(err, 400, "invalid_request_error", "", "statement_descriptor")
				_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100),
					ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Plan"), StatementDescriptor: stripe.String(bad)}})
				ExpectStripeError(err, 400, "invalid_request_error", "", "product_data[statement_descriptor]")
			}
			Expect(countOf("product")).To(BeZero())
			Expect(countOf("price")).To(BeZero())

			// Only the update's reference says so; its create's no longer does.
			box, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Box"), Type: stripe.String("good")})
			Expect(err).NotTo(HaveOccurred())
			for _, field := range []string{"unit_label", "statement_descriptor"} {
				p := &stripe.ProductUpdateParams{}
				p.AddExtra(field, "BOX")
				_, err = sc.V1Products.Update(Ctx, box.ID, p)
				ExpectStripeError(err, 400, "invalid_request_error", "", field)
			}
			again, err := sc.V1Products.Retrieve(Ctx, box.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(again.UnitLabel).To(BeEmpty())
			_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Crate"), Type: stripe.String("good"), UnitLabel: stripe.String("crate")})
			Expect(err).NotTo(HaveOccurred())
			plan, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan"), StatementDescriptor: stripe.String("ACME PRO 2"), UnitLabel: stripe.String("seat")})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Products.Update(Ctx, plan.ID, &stripe.ProductUpdateParams{StatementDescriptor: stripe.String("ACME*PRO>")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "statement_descriptor")
			again, err = sc.V1Products.Retrieve(Ctx, plan.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(again.StatementDescriptor).To(Equal("ACME PRO 2"))
		})
		// Stripe's reference: a good "is eligible for use with Orders and
		// SKUs", a service "with Subscriptions and Plans"; the refusal is
		// in the words Stripe gives for a plan.
		It("takes one-time prices on a good but no plan or recurring price, creating nothing", func() {
			box, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Box"), Type: stripe.String("good")})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(box.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(900)})
			Expect(err).NotTo(HaveOccurred())
			want := "Plans may only be created with products of type `service`, but the supplied product (`" + box.ID + "`) had type `good`."

			_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(box.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(900),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "product")
			Expect(StripeErr(err).Msg).To(Equal(want))

			_, err = sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{ProductID: stripe.String(box.ID), Currency: stripe.String("usd"), Amount: stripe.Int64(900),
				Interval: stripe.String("month")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "product")
			Expect(StripeErr(err).Msg).To(Equal(want))

			service, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Box club")})
			Expect(err).NotTo(HaveOccurred())
			plan, err := sc.V1Plans.Create(Ctx, &stripe.PlanCreateParams{ProductID: stripe.String(service.ID), Currency: stripe.String("usd"), Amount: stripe.Int64(900),
				Interval: stripe.String("month")})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Plans.Update(Ctx, plan.ID, &stripe.PlanUpdateParams{Product: stripe.String(box.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "product")
			Expect(StripeErr(err).Msg).To(Equal(want))

			_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Crate"), Type: stripe.String("good"),
				DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(900),
					Recurring: &stripe.ProductCreateDefaultPriceDataRecurringParams{Interval: stripe.String("month")}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "default_price_data[recurring]")
			Expect(StripeErr(err).Msg).To(HavePrefix("Plans may only be created with products of type `service`"))

			Expect(countOf("product")).To(Equal(2))
			Expect(countOf("price")).To(Equal(2))
			again, err := sc.V1Plans.Retrieve(Ctx, plan.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(again.Product.ID).To(Equal(service.ID))
		})
	})

	Describe("prices", func() {
		var prodID string
		BeforeEach(func() {
			prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Tea")})
			Expect(err).NotTo(HaveOccurred())
			prodID = prod.ID
		})

		It("refuses a tax_behavior or recurring[usage_type] Stripe does not have, default_price_data's too", func() {
			_, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				UnitAmount: stripe.Int64(100), TaxBehavior: stripe.String("included")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "tax_behavior")
			Expect(StripeErr(err).Msg).To(Equal("Invalid tax_behavior: must be one of exclusive, inclusive, or unspecified"))

			_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				UnitAmount: stripe.Int64(100), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("prepaid")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "recurring[usage_type]")

			_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Coffee"), DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{
				Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100), TaxBehavior: stripe.String("included")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "default_price_data[tax_behavior]")

			p := &stripe.PriceUpdateParams{}
			p.AddExtra("tax_behavior", "included")
			price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Prices.Update(Ctx, price.ID, p)
			ExpectStripeError(err, 400, "invalid_request_error", "", "tax_behavior")
			Expect(countOf("price")).To(Equal(1))
		})

		It("takes unit_amount_decimal with up to 12 decimal places, never negative", func() {
			_, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				UnitAmountDecimal: stripe.Float64(-1)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "unit_amount_decimal")
			Expect(StripeErr(err).Msg).To(Equal("Invalid unit_amount_decimal: must be at least 0."))

			p := &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd")}
			p.AddExtra("unit_amount_decimal", "0.1234567890123")
			_, err = sc.V1Prices.Create(Ctx, p)
			ExpectStripeError(err, 400, "invalid_request_error", "", "unit_amount_decimal")
			Expect(StripeErr(err).Msg).To(Equal("Invalid unit_amount_decimal: must have at most 12 decimal places."))

			_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				Recurring:     &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
				BillingScheme: stripe.String("tiered"), TiersMode: stripe.String("volume"), Tiers: []*stripe.PriceCreateTierParams{
					{UpToInf: stripe.Bool(true), UnitAmountDecimal: stripe.Float64(0.1234567890123)}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "tiers[0][unit_amount_decimal]")
			Expect(countOf("price")).To(BeZero())

			fine, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				UnitAmountDecimal: stripe.Float64(0.123456789012)})
			Expect(err).NotTo(HaveOccurred())
			Expect(fine.UnitAmountDecimal).To(Equal(0.123456789012))
		})

		It("takes custom_unit_amount on one-time prices only, with minimum, preset and maximum in order", func() {
			_, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				CustomUnitAmount: &stripe.PriceCreateCustomUnitAmountParams{Enabled: stripe.Bool(true)},
				Recurring:        &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "custom_unit_amount")

			_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				CustomUnitAmount: &stripe.PriceCreateCustomUnitAmountParams{Enabled: stripe.Bool(true), Minimum: stripe.Int64(5000), Maximum: stripe.Int64(1000)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "custom_unit_amount[minimum]")

			_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				CustomUnitAmount: &stripe.PriceCreateCustomUnitAmountParams{Enabled: stripe.Bool(true), Minimum: stripe.Int64(500), Preset: stripe.Int64(100)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "custom_unit_amount[preset]")

			_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				CustomUnitAmount: &stripe.PriceCreateCustomUnitAmountParams{Enabled: stripe.Bool(true), Maximum: stripe.Int64(500), Preset: stripe.Int64(900)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "custom_unit_amount[preset]")

			_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				UnitAmount: stripe.Int64(500), CustomUnitAmount: &stripe.PriceCreateCustomUnitAmountParams{Enabled: stripe.Bool(true)}})
			ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "custom_unit_amount")
			Expect(StripeErr(err).Msg).To(Equal("You may only specify one of these parameters: custom_unit_amount, unit_amount."))
			Expect(countOf("price")).To(BeZero())

			ok, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				CustomUnitAmount: &stripe.PriceCreateCustomUnitAmountParams{Enabled: stripe.Bool(true), Minimum: stripe.Int64(500), Preset: stripe.Int64(500), Maximum: stripe.Int64(5000)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(ok.CustomUnitAmount.Preset).To(Equal(int64(500)))
		})

		It("refuses a negative custom_unit_amount or a minimum below the currency's minimum charge, an option's too, creating nothing", func() {
			for param, cua := range map[string]*stripe.PriceCreateCustomUnitAmountParams{
				"custom_unit_amount[maximum]": {Enabled: stripe.Bool(true), Maximum: stripe.Int64(-100)},
				"custom_unit_amount[preset]":  {Enabled: stripe.Bool(true), Preset: stripe.Int64(-1)},
			} {
				_, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"), CustomUnitAmount: cua})
				ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", param)
			}
			// "Must be at least the minimum charge amount": $0.50, £0.30.
			_, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				CustomUnitAmount: &stripe.PriceCreateCustomUnitAmountParams{Enabled: stripe.Bool(true), Minimum: stripe.Int64(49)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "custom_unit_amount[minimum]")
			_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				CustomUnitAmount: &stripe.PriceCreateCustomUnitAmountParams{Enabled: stripe.Bool(true), Minimum: stripe.Int64(50)},
				CurrencyOptions: map[string]*stripe.PriceCreateCurrencyOptionsParams{"gbp": {
					CustomUnitAmount: &stripe.PriceCreateCurrencyOptionsCustomUnitAmountParams{Enabled: stripe.Bool(true), Minimum: stripe.Int64(29)}}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "currency_options[gbp][custom_unit_amount][minimum]")
			Expect(countOf("price")).To(BeZero())

			ok, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				CustomUnitAmount: &stripe.PriceCreateCustomUnitAmountParams{Enabled: stripe.Bool(true), Minimum: stripe.Int64(50)},
				CurrencyOptions: map[string]*stripe.PriceCreateCurrencyOptionsParams{"gbp": {
					CustomUnitAmount: &stripe.PriceCreateCurrencyOptionsCustomUnitAmountParams{Enabled: stripe.Bool(true), Minimum: stripe.Int64(30)}}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(ok.CustomUnitAmount.Minimum).To(Equal(int64(50)))
		})

		It("refuses to bill a price whose customer chooses the amount, rather than bill it as 0", func() {
			chosen, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				CustomUnitAmount: &stripe.PriceCreateCustomUnitAmountParams{Enabled: stripe.Bool(true), Preset: stripe.Int64(500)}})
			Expect(err).NotTo(HaveOccurred())
			cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("tipper@example.com")})
			Expect(err).NotTo(HaveOccurred())

			_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID),
				Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(chosen.ID)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "pricing[price]")
			Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate"))

			_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://example.com"),
				LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(chosen.ID), Quantity: stripe.Int64(1)}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][price]")

			_, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
				LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(chosen.ID), Quantity: stripe.Int64(1)}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][price]")

			_, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
				LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(chosen.ID)}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "line_items[0][price]")

			Expect(countOf("invoiceitem") + countOf("checkout.session") + countOf("payment_link") + countOf("quote")).To(BeZero())
		})

		It("refuses a currency option in the price's own currency in Stripe's words, before looking at amounts", func() {
			_, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Tip jar"), DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{
				Currency: stripe.String("usd"), CurrencyOptions: map[string]*stripe.ProductCreateDefaultPriceDataCurrencyOptionsParams{
					"usd": {CustomUnitAmount: &stripe.ProductCreateDefaultPriceDataCurrencyOptionsCustomUnitAmountParams{Enabled: stripe.Bool(true)}}}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "default_price_data[currency_options][usd]")
			Expect(StripeErr(err).Msg).To(Equal("You are specifying a currency option that matches the top-level currency for this price. " +
				"Please remove this currency option and it will be added automatically on creation."))
			Expect(countOf("product")).To(Equal(1), "only the product of the BeforeEach")

			price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Prices.Update(Ctx, price.ID, &stripe.PriceUpdateParams{CurrencyOptions: map[string]*stripe.PriceUpdateCurrencyOptionsParams{
				"usd": {UnitAmount: stripe.Int64(600)}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "currency_options[usd]")
			Expect(StripeErr(err).Msg).To(Equal("You are specifying an update to a currency option that matches the top-level currency for this price. " +
				"Please remove this currency option and update the top-level params instead."))
		})

		It("refuses an emptied flag instead of ignoring it", func() {
			price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100)})
			Expect(err).NotTo(HaveOccurred())
			p := &stripe.PriceUpdateParams{}
			p.AddExtra("active", "")
			_, err = sc.V1Prices.Update(Ctx, price.ID, p)
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_empty", "active")

			rate, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Inclusive: stripe.Bool(false), Percentage: stripe.Float64(20)})
			Expect(err).NotTo(HaveOccurred())
			tp := &stripe.TaxRateUpdateParams{}
			tp.AddExtra("active", "")
			_, err = sc.V1TaxRates.Update(Ctx, rate.ID, tp)
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_empty", "active")
		})

		It("names every parameter a price update does not take, as Stripe does", func() {
			price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100)})
			Expect(err).NotTo(HaveOccurred())
			p := &stripe.PriceUpdateParams{Nickname: stripe.String("Tea")}
			p.AddExtra("unit_amount", "120")
			p.AddExtra("currency", "eur")
			_, err = sc.V1Prices.Update(Ctx, price.ID, p)
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_unknown", "currency")
			Expect(StripeErr(err).Msg).To(Equal("Received unknown parameters: currency, unit_amount"))
			again, err := sc.V1Prices.Retrieve(Ctx, price.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(again.Nickname).To(BeEmpty())
		})

		It("refuses a lookup_key over 200 characters in Stripe's usual words", func() {
			_, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prodID), Currency: stripe.String("usd"),
				UnitAmount: stripe.Int64(100), LookupKey: stripe.String(strings.Repeat("k", 201))})
			ExpectStripeError(err, 400, "invalid_request_error", "", "lookup_key")
			Expect(StripeErr(err).Msg).To(Equal("Invalid string: kkkk...kkkk; must be at most 200 characters"))
		})

		It("refuses list filters Stripe does not have", func() {
			for _, p := range []*stripe.PriceListParams{
				{Type: stripe.String("subscription")},
				{Recurring: &stripe.PriceListRecurringParams{Interval: stripe.String("fortnight")}},
				{Recurring: &stripe.PriceListRecurringParams{UsageType: stripe.String("prepaid")}},
				{LookupKeys: stripe.StringSlice([]string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"})},
			} {
				var listErr error
				for _, err := range sc.V1Prices.List(Ctx, p) {
					listErr = err
					break
				}
				ExpectStripeError(listErr, 400, "invalid_request_error", "", StripeErr(listErr).Param)
				Expect(StripeErr(listErr).Msg).To(Or(HavePrefix("Invalid "), Equal("Array lookup_keys exceeded maximum 10 allowed elements.")))
			}
		})
	})

	// Stripe's answers as integrators have recorded them from live requests.
	It("refuses a coupon without or with both kinds of discount, a repeating one without its months, a percentage under 0.01, a percentage with currency options or a past redeem_by, in Stripe's words, creating nothing", func() {
		now := emu.Clock().Now().Unix()
		refused := func(p *stripe.CouponCreateParams, code, param, msg string) {
			GinkgoHelper()
			_, err := sc.V1Coupons.Create(Ctx, p)
			ExpectStripeError(err, 400, "invalid_request_error", code, param)
			Expect(StripeErr(err).Msg).To(Equal(msg))
		}
		refused(&stripe.CouponCreateParams{Duration: stripe.String("once")}, "parameter_missing", "",
			"Must provide percent_off or amount_off.")
		refused(&stripe.CouponCreateParams{PercentOff: stripe.Float64(10), AmountOff: stripe.Int64(500), Currency: stripe.String("usd")}, "", "",
			"Received both percent_off and amount_off parameters. Please pass in only one.")
		refused(&stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("repeating")}, "", "duration",
			"The duration_in_months param must be set when creating a coupon with a repeating duration")
		refused(&stripe.CouponCreateParams{PercentOff: stripe.Float64(0)}, "", "percent_off",
			"This value must be greater than or equal to 0.01 (it currently is '0.0').")
		refused(&stripe.CouponCreateParams{PercentOff: stripe.Float64(0.005)}, "", "percent_off",
			"This value must be greater than or equal to 0.01 (it currently is '0.005').")
		refused(&stripe.CouponCreateParams{PercentOff: stripe.Float64(10),
			CurrencyOptions: map[string]*stripe.CouponCreateCurrencyOptionsParams{"eur": {AmountOff: stripe.Int64(500)}}}, "", "currency_options",
			"You may only specify one of these parameters: currency_options, percent_off.")
		refused(&stripe.CouponCreateParams{PercentOff: stripe.Float64(10), RedeemBy: stripe.Int64(now - 60)}, "", "redeem_by",
			fmt.Sprintf("The parameter `redeem_by` expects a unix timestamp representing a date and time in the future. You specified the value `%d` which is in the past.", now-60))
		Expect(countOf("coupon")).To(BeZero())

		// A deleted coupon is shown in coupon.deleted as no longer valid.
		spring, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{ID: stripe.String("SPRING"), PercentOff: stripe.Float64(0.01)})
		Expect(err).NotTo(HaveOccurred())
		refused(&stripe.CouponCreateParams{ID: stripe.String("SPRING"), PercentOff: stripe.Float64(5)}, "resource_already_exists", "",
			"Coupon already exists.")
		seen := len(emu.Events(""))
		_, err = sc.V1Coupons.Delete(Ctx, spring.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		evs := emu.Events("")[seen:]
		Expect(evs).To(HaveLen(1))
		Expect(evs[0]["type"]).To(Equal("coupon.deleted"))
		Expect(evs[0]["data"].(map[string]any)["object"].(map[string]any)["valid"]).To(BeFalse())
	})

	It("refuses a coupon duration, currency or duration_in_months Stripe does not have, or an emptied name", func() {
		_, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("weekly")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "duration")
		Expect(StripeErr(err).Msg).To(Equal("Invalid duration: must be one of forever, once, or repeating"))

		_, err = sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{AmountOff: stripe.Int64(500), Currency: stripe.String("zzz")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency")
		Expect(StripeErr(err).Msg).To(HavePrefix("Invalid currency: zzz."))

		_, err = sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Duration: stripe.String("repeating"), DurationInMonths: stripe.Int64(0)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "duration_in_months")
		Expect(StripeErr(err).Msg).To(Equal("Invalid duration_in_months: must be at least 1"))

		gone, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Gone")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Products.Delete(Ctx, gone.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10),
			AppliesTo: &stripe.CouponCreateAppliesToParams{Products: []*string{stripe.String(gone.ID)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "applies_to[products]")
		Expect(countOf("coupon")).To(BeZero())

		coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10), Name: stripe.String("Spring")})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.CouponUpdateParams{}
		p.AddExtra("name", "")
		_, err = sc.V1Coupons.Update(Ctx, coupon.ID, p)
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_empty", "name")
		again, err := sc.V1Coupons.Retrieve(Ctx, coupon.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Name).To(Equal("Spring"))
	})

	It("refuses a promotion code's minimum amount that is negative, in an unsupported currency, or without its amount", func() {
		coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(10)})
		Expect(err).NotTo(HaveOccurred())
		for param, r := range map[string]*stripe.PromotionCodeCreateRestrictionsParams{
			"restrictions[minimum_amount]":          {MinimumAmount: stripe.Int64(-1), MinimumAmountCurrency: stripe.String("usd")},
			"restrictions[minimum_amount_currency]": {MinimumAmount: stripe.Int64(1000), MinimumAmountCurrency: stripe.String("zzz")},
		} {
			_, err = sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(coupon.ID), Restrictions: r})
			Expect(StripeErr(err).Param).To(Equal(param))
		}
		_, err = sc.V1PromotionCodes.Create(Ctx, &stripe.PromotionCodeCreateParams{Coupon: stripe.String(coupon.ID),
			Restrictions: &stripe.PromotionCodeCreateRestrictionsParams{MinimumAmountCurrency: stripe.String("usd")}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "restrictions[minimum_amount]")
		Expect(countOf("promotion_code")).To(BeZero())
	})

	It("refuses a shipping rate in a currency Stripe does not support", func() {
		_, err := sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{DisplayName: stripe.String("Ground"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(500), Currency: stripe.String("zzz")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "fixed_amount[currency]")
		Expect(StripeErr(err).Msg).To(HavePrefix("Invalid currency: zzz."))
		Expect(countOf("shipping_rate")).To(BeZero())
	})

	It("refuses a tax rate jurisdiction or display name over 50 characters, in Stripe's words", func() {
		long := strings.Repeat("J", 51)
		_, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Inclusive: stripe.Bool(false),
			Percentage: stripe.Float64(20), Jurisdiction: stripe.String(long)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "jurisdiction")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: JJJJ...JJJJ; must be at most 50 characters"))

		_, err = sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String(long), Inclusive: stripe.Bool(false),
			Percentage: stripe.Float64(20)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "display_name")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: JJJJ...JJJJ; must be at most 50 characters"))
		Expect(countOf("tax_rate")).To(BeZero())
	})
})
