package checkout_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// A price stays active when its product is archived, but Checkout does not
// sell it: Stripe answers "Price `price_…` is not available to be purchased
// because its product is not active." on line_items[i][price] (as its API
// logs show it).
var _ = Describe("Checkout with a price of an archived product", Label("checkout", "catalog"), func() {
	var (
		emu    *emulator.Emulator
		sc     *stripe.Client
		ticket *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		ticket = oneTimePrice(sc, "Retired ticket", 1500)
		_, err := sc.V1Products.Update(Ctx, ticket.Product.ID, &stripe.ProductUpdateParams{Active: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
	})

	notForSale := func(err error, param string) {
		GinkgoHelper()
		ExpectStripeError(err, 400, "invalid_request_error", "", param)
		Expect(StripeErr(err).Msg).To(Equal("Price `" + ticket.ID + "` is not available to be purchased because its product is not active."))
	}

	It("refuses a session selling it, making nothing", func() {
		souvenir := oneTimePrice(sc, "Souvenir", 500)
		before := len(emu.Events(""))
		_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{
				{Price: stripe.String(souvenir.ID), Quantity: stripe.Int64(1)},
				{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(2)},
			},
		})
		notForSale(err, "line_items[1][price]")
		Expect(emu.Count("", "checkout.session")).To(BeZero())
		Expect(emu.Events("")).To(HaveLen(before), "a refused request records no event")
	})

	It("refuses a Payment Link selling it", func() {
		_, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}},
		})
		notForSale(err, "line_items[0][price]")
	})

	It("sells it again once the product is active again", func() {
		_, err := sc.V1Products.Update(Ctx, ticket.Product.ID, &stripe.ProductUpdateParams{Active: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}},
		})
		Expect(err).NotTo(HaveOccurred())
	})
})
