package core_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("expand[]", Label("wire", "expand"), func() {
	var (
		emu  *emulator.Emulator
		sc   *stripe.Client
		prod *stripe.Product
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		prod, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{
			Name:             stripe.String("Hoodie"),
			DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(4000)},
		})
		Expect(err).NotTo(HaveOccurred())
	})

	It("leaves references as ids unless asked", func() {
		price, err := sc.V1Prices.Retrieve(Ctx, prod.DefaultPrice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(price.Product.ID).To(Equal(prod.ID))
		Expect(price.Product.Name).To(BeEmpty())
	})

	It("expands a field, and nested paths through it", func() {
		p := &stripe.PriceRetrieveParams{}
		p.AddExpand("product")
		price, err := sc.V1Prices.Retrieve(Ctx, prod.DefaultPrice.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(price.Product.Name).To(Equal("Hoodie"))

		p = &stripe.PriceRetrieveParams{}
		p.AddExpand("product.default_price")
		price, err = sc.V1Prices.Retrieve(Ctx, prod.DefaultPrice.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(price.Product.DefaultPrice.UnitAmount).To(Equal(int64(4000)))

		r := Do(emu.URL(), "GET", "/v1/prices/"+prod.DefaultPrice.ID+"?expand[]=product.default_price.product.default_price", "")
		Expect(r.Status).To(Equal(200), "four levels are allowed")
		r = Do(emu.URL(), "GET", "/v1/prices/"+prod.DefaultPrice.ID+"?expand[]=product.default_price.product.default_price.product", "")
		Expect(r.Status).To(Equal(400), "five are not")
	})

	It("expands list items under data.", func() {
		p := &stripe.PriceListParams{}
		p.AddExpand("data.product")
		n := 0
		for price, err := range sc.V1Prices.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			Expect(price.Product.Name).To(Equal("Hoodie"))
			n++
		}
		Expect(n).To(Equal(1))

		r := Do(emu.URL(), "GET", "/v1/prices?expand[]=product", "")
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["message"]).To(Equal("This property cannot be expanded (product). You may want to try expanding 'data.product' instead."))
	})

	It("counts data. as one of a list's four levels, as Stripe's reference does", func() {
		r := Do(emu.URL(), "GET", "/v1/prices?expand[]=data.product.default_price.product", "")
		Expect(r.Status).To(Equal(200), "four properties, data included")
		r = Do(emu.URL(), "GET", "/v1/prices?expand[]=data.product.default_price.product.default_price", "")
		Expect(r.Status).To(Equal(400), "five are not")
		Expect(r.Error()["param"]).To(Equal("expand"))
		// Stripe's refusal, as recorded from the API, has its own code.
		Expect(r.Error()["code"]).To(Equal("property_expansion_max_depth"))
		Expect(r.Error()["message"]).To(Equal("You cannot expand more than 4 levels of a property. Property: data.product.default_price.product.default_price"))
	})

	It("refuses fields that can't be expanded, on create too", func() {
		r := Do(emu.URL(), "GET", "/v1/prices/"+prod.DefaultPrice.ID+"?expand[]=currency", "")
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["type"]).To(Equal("invalid_request_error"))
		Expect(r.Error()["message"]).To(Equal("This property cannot be expanded (currency)."))

		before := emu.Count("", "customer")
		r = Do(emu.URL(), "POST", "/v1/customers", "email=a%40b.co&expand[]=nope")
		Expect(r.Status).To(Equal(400))
		Expect(emu.Count("", "customer")).To(Equal(before), "a failed expand rolls the create back")
	})

	It("accepts both array styles", func() {
		a := Do(emu.URL(), "GET", "/v1/prices/"+prod.DefaultPrice.ID+"?expand[]=product", "")
		b := Do(emu.URL(), "GET", "/v1/prices/"+prod.DefaultPrice.ID+"?expand[0]=product", "")
		Expect(a.Status).To(Equal(200))
		Expect(a.Body["product"]).To(Equal(b.Body["product"]))
		Expect(a.Body["product"].(map[string]any)["object"]).To(Equal("product"))
	})
})
