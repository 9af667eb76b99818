package tax_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Tax codes", Label("tax"), func() {
	var sc *stripe.Client
	BeforeEach(func() { sc = Emulator().Client() })

	It("lists Stripe's codes, the general ones first, and pages through them", func() {
		var ids []string
		for tc, err := range sc.V1TaxCodes.List(Ctx, &stripe.TaxCodeListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(5)}}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(tc.Object).To(Equal("tax_code"))
			Expect(tc.Name).NotTo(BeEmpty())
			Expect(tc.Description).NotTo(BeEmpty())
			ids = append(ids, tc.ID)
		}
		Expect(ids[:4]).To(Equal([]string{"txcd_99999999", "txcd_20030000", "txcd_10000000", "txcd_00000000"}))
		Expect(ids).To(ContainElements("txcd_10103000", "txcd_92010001"))
		Expect(len(ids)).To(BeNumerically(">", 20))

		saas, err := sc.V1TaxCodes.Retrieve(Ctx, "txcd_10103000", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(saas.Name).To(Equal("Software as a service (SaaS) - personal use"))
		_, err = sc.V1TaxCodes.Retrieve(Ctx, "txcd_nope", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})

	It("expand on products and shipping rates, and a malformed code is refused", func() {
		p := &stripe.ProductCreateParams{Name: stripe.String("Pro"), TaxCode: stripe.String("txcd_10103001")}
		p.AddExpand("tax_code")
		prod, err := sc.V1Products.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(prod.TaxCode.ID).To(Equal("txcd_10103001"))
		Expect(prod.TaxCode.Name).To(Equal("Software as a service (SaaS) - business use"))

		sp := &stripe.ShippingRateCreateParams{DisplayName: stripe.String("Ground"), Type: stripe.String("fixed_amount"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(500), Currency: stripe.String("usd")},
			TaxCode:     stripe.String("txcd_92010001")}
		sp.AddExpand("tax_code")
		rate, err := sc.V1ShippingRates.Create(Ctx, sp)
		Expect(err).NotTo(HaveOccurred())
		Expect(rate.TaxCode.Name).To(Equal("Shipping"))

		_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Bad"), TaxCode: stripe.String("saas")})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "tax_code")
		_, err = sc.V1Products.Update(Ctx, prod.ID, &stripe.ProductUpdateParams{TaxCode: stripe.String("txcd_123")})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "tax_code")
		_, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Inline"), TaxCode: stripe.String("nope")}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "product_data[tax_code]")
	})
})
