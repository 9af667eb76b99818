package core_test

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Events", Label("events"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		c, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("e@example.com")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("P"), DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(5)}})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(60e9)
		_, err = sc.V1Customers.Update(Ctx, c.ID, &stripe.CustomerUpdateParams{Name: stripe.String("E")})
		Expect(err).NotTo(HaveOccurred())
	})

	types := func(p *stripe.EventListParams) []string {
		var out []string
		for ev, err := range sc.V1Events.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, string(ev.Type))
		}
		return out
	}

	It("lists newest first and filters by type, types[], wildcards and created", func() {
		Expect(types(nil)).To(Equal([]string{"customer.updated", "price.created", "product.created", "customer.created"}))
		Expect(types(&stripe.EventListParams{Type: stripe.String("customer.created")})).To(Equal([]string{"customer.created"}))
		Expect(types(&stripe.EventListParams{Type: stripe.String("customer.*")})).To(Equal([]string{"customer.updated", "customer.created"}))
		Expect(types(&stripe.EventListParams{Types: []*string{stripe.String("price.created"), stripe.String("product.created")}})).To(Equal([]string{"price.created", "product.created"}))
		Expect(types(&stripe.EventListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThan: Epoch.Unix()}})).To(Equal([]string{"customer.updated"}))
	})

	It("refuses type with types[], and more than 20 types[], as Stripe's reference says, and takes a wildcard only in type", func() {
		var err error
		for _, err = range sc.V1Events.List(Ctx, &stripe.EventListParams{Type: stripe.String("customer.created"), Types: []*string{stripe.String("price.created")}}) {
			break
		}
		ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "type")
		many := make([]*string, 21)
		for i := range many {
			many[i] = stripe.String("customer.created")
		}
		for _, err = range sc.V1Events.List(Ctx, &stripe.EventListParams{Types: many}) {
			break
		}
		ExpectStripeError(err, 400, "invalid_request_error", "", "types")
		Expect(types(&stripe.EventListParams{Types: many[:20]})).To(Equal([]string{"customer.created"}))
		Expect(types(&stripe.EventListParams{Types: []*string{stripe.String("customer.*")}})).To(BeEmpty(),
			"types[] holds \"specific event names\"")
	})

	It("refuses a type, or one of types[], longer than the 5000 characters of Stripe's spec", func() {
		long := strings.Repeat("x", 5001)
		var err error
		for _, err = range sc.V1Events.List(Ctx, &stripe.EventListParams{Type: stripe.String(long)}) {
			break
		}
		ExpectStripeError(err, 400, "invalid_request_error", "", "type")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: xxxx...xxxx; must be at most 5000 characters"))
		for _, err = range sc.V1Events.List(Ctx, &stripe.EventListParams{Types: []*string{stripe.String("customer.created"), stripe.String(long)}}) {
			break
		}
		ExpectStripeError(err, 400, "invalid_request_error", "", "types[1]")
		Expect(types(&stripe.EventListParams{Type: stripe.String(long[:5000])})).To(BeEmpty())
	})

	It("retrieves one event with its object and request", func() {
		evs := emu.Events("")
		ev, err := sc.V1Events.Retrieve(Ctx, evs[0]["id"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ev.Type).To(Equal(stripe.EventType("customer.created")))
		Expect(ev.APIVersion).To(Equal("2025-08-27.basil"))
		Expect(ev.Data.Object["email"]).To(Equal("e@example.com"))
		Expect(ev.Request.ID).To(HavePrefix("req_"))
		Expect(ev.Created).To(Equal(Epoch.Unix()))
	})

	It("gives an update's previous_attributes only what changed, and records no event for an update that changes nothing", func() {
		id := emu.Events("")[0]["data"].(map[string]any)["object"].(map[string]any)["id"].(string)
		lastUpdate := func() *stripe.Event {
			for ev, err := range sc.V1Events.List(Ctx, &stripe.EventListParams{Type: stripe.String("customer.updated")}) {
				Expect(err).NotTo(HaveOccurred())
				return ev
			}
			return nil
		}
		update := func(p *stripe.CustomerUpdateParams) {
			_, err := sc.V1Customers.Update(Ctx, id, p)
			Expect(err).NotTo(HaveOccurred())
		}
		update(&stripe.CustomerUpdateParams{Metadata: map[string]string{"a": "1"}, Address: &stripe.AddressParams{City: stripe.String("X")}})
		ev := lastUpdate()
		Expect(ev.Data.PreviousAttributes).To(Equal(map[string]any{"metadata": map[string]any{"a": nil}, "address": nil}),
			"a key that was not there is null; a sub-object that was null is null")
		Expect(ev.Request.ID).To(HavePrefix("req_"))

		n := len(emu.Events(""))
		update(&stripe.CustomerUpdateParams{Name: stripe.String("E"), Metadata: map[string]string{"a": "1"}, Address: &stripe.AddressParams{City: stripe.String("X")}})
		Expect(emu.Events("")).To(HaveLen(n), "the same values again: no customer.updated")

		update(&stripe.CustomerUpdateParams{Metadata: map[string]string{"a": "", "b": "2"}, Address: &stripe.AddressParams{City: stripe.String("Y")}})
		Expect(lastUpdate().Data.PreviousAttributes).To(Equal(map[string]any{
			"metadata": map[string]any{"a": "1", "b": nil},
			"address":  map[string]any{"city": "X"},
		}), "only the changed keys of a changed sub-object, unchanged fields never")
	})

	It("keeps events 30 days, as Stripe lists and retrieves them, then forgets them", func() {
		first := emu.Events("")[0]["id"].(string)
		emu.Clock().Advance(30*24*time.Hour - 61*time.Second)
		Expect(types(nil)).To(HaveLen(4), "all younger than 30 days")
		emu.Clock().Advance(time.Second)
		Expect(types(nil)).To(Equal([]string{"customer.updated"}), "the first three are 30 days old")
		_, err := sc.V1Events.Retrieve(Ctx, first, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(StripeErr(err).Msg).To(Equal("No such event: '" + first + "'"))
		err = nil
		for _, err = range sc.V1Events.List(Ctx, &stripe.EventListParams{ListParams: stripe.ListParams{StartingAfter: stripe.String(first)}}) {
			break
		}
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "starting_after")
		emu.Clock().Advance(time.Minute)
		Expect(types(nil)).To(BeEmpty())
		Expect(types(&stripe.EventListParams{Type: stripe.String("customer.*")})).To(BeEmpty())
	})
})
