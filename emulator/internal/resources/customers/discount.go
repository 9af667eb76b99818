package customers

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coupons"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// A customer's own discount (customer.discount, a whole discount object)
// is what its invoices and subscriptions inherit when they have none of
// their own (see billing). Since 2025-03-31.basil no API request can
// give a customer one: the coupon and promotion_code parameters of
// POST /v1/customers were removed in favour of discounts[] on
// subscriptions and invoices, and stay refused as unknown here as they
// are at Stripe. The Dashboard still applies coupons to customers, so
// the emulator does it through ApplyDiscount (emulator.ApplyCustomerDiscount,
// POST /_emu/customers/{id}/discount). The API can still see the
// discount, take it away (DELETE /v1/customers/{id}/discount) and hear of
// it (customer.discount.created / updated / deleted).

func discountRoutes() []api.Route {
	return []api.Route{
		api.GET("/v1/customers/{id}/discount", params.FromStruct(stripe.CustomerRetrieveParams{}), retrieveDiscount),
		api.DELETE("/v1/customers/{id}/discount", params.FromStruct(stripe.CustomerDeleteDiscountParams{}), deleteDiscount),
	}
}

// ApplyDiscount gives a customer a discount from a coupon or a promotion
// code (exactly one), as the Dashboard's "Apply coupon" does: the coupon's
// and the promotion code's redemption rules apply (validity, redeem_by,
// max_redemptions, a code's expiry, its customer and first-time
// restrictions), the discount starts now (the customer's test clock's
// now) and a repeating one ends after its months. A discount the customer
// already has is replaced. Events: customer.discount.created (or
// customer.discount.updated when one is replaced) and customer.updated.
func ApplyDiscount(c *api.Call, customer, coupon, promotionCode string) (store.Obj, error) {
	before, ok := c.Tx.Get(c.Account, "customer", customer)
	if !ok || api.Bool(before["deleted"]) {
		return nil, apierr.NoSuchObject("customer", customer, "customer")
	}
	switch {
	case coupon != "" && promotionCode != "":
		return nil, apierr.Exclusive("coupon", "promotion_code")
	case coupon == "" && promotionCode == "":
		return nil, apierr.InvalidRequest("A customer's discount needs a `coupon` or a `promotion_code`.").WithParam("coupon")
	}
	c.Now = c.ClockNow(before)
	entry := params.NewValues(map[string]any{"coupon": coupon, "promotion_code": promotionCode})
	scope := coupons.Scope{Customer: customer}
	src, _, err := coupons.Resolve(c, entry, "", scope)
	if err != nil {
		return nil, err
	}
	if src.PromotionCode != nil && api.Obj(src.PromotionCode["restrictions"])["minimum_amount"] != nil {
		// A customer's discount has no amount of its own to hold the
		// minimum to, and when Stripe checks it is not known.
		return nil, apierr.InvalidRequest("stripe-emu does not emulate the `minimum_amount` restriction of promotion codes on a customer's own discount, so it refused the request rather than redeem the code unchecked.").WithParam("promotion_code")
	}
	// An amount-off coupon is in a currency: the customer's, which it
	// sets when the customer has none. One in another is refused, with
	// Stripe's "cannot combine currencies" while the customer has
	// anything active in its own.
	own, cur := api.Str(before["currency"]), api.Str(src.Coupon["currency"])
	if cur != "" && own != "" && cur != own {
		param := "coupon"
		if promotionCode != "" {
			param = "promotion_code"
		}
		if err := CheckCurrency(c, before, cur, param); err != nil {
			return nil, err
		}
		return nil, apierr.InvalidRequest("The coupon %s is in %s and cannot be applied to an amount in %s.", src.Coupon["id"], cur, own).WithParam(param)
	}
	scope.Currency = own
	d, err := coupons.Redeem(c, src, scope)
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	after["discount"] = api.Clone(d)
	if own == "" && cur != "" {
		after["currency"] = cur
	}
	if before["discount"] == nil {
		c.Emit("customer.discount.created", d, nil)
	} else {
		c.Emit("customer.discount.updated", d, api.PreviousAttributes(api.Obj(before["discount"]), d))
	}
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	return after, nil
}

// RemoveDiscount takes a customer's discount away (DELETE …/discount, or
// the discount's end: a repeating coupon's months over, a once coupon
// used by an invoice), with customer.discount.deleted and
// customer.updated. The discount itself stays for the invoices that
// carry it. It returns the discount removed (nil: there was none).
func RemoveDiscount(c *api.Call, customer string) (store.Obj, error) {
	before, ok := c.Tx.Get(c.Account, "customer", customer)
	if !ok || api.Bool(before["deleted"]) || before["discount"] == nil {
		return nil, nil
	}
	d := api.Clone(api.Obj(before["discount"]))
	after := api.Clone(before)
	after["discount"] = nil
	c.Emit("customer.discount.deleted", d, nil)
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	return d, nil
}

// discounted loads the path's customer, which must have a discount.
func discounted(c *api.Call) (store.Obj, error) {
	cus, err := load(c)
	if err != nil {
		return nil, err
	}
	if api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", c.Var("id"), "id")
	}
	if cus["discount"] == nil {
		// Stripe's wording for a subscription without one is "No active
		// discount for subscription sub_… on customer cus_…".
		e := apierr.InvalidRequest("No active discount for customer %s", c.Var("id")).WithCode("resource_missing")
		e.Status = 404
		return nil, e
	}
	return cus, nil
}

// retrieveDiscount is the older GET /v1/customers/{id}/discount: the
// customer's discount, as the customer shows it.
func retrieveDiscount(c *api.Call) (any, error) {
	cus, err := discounted(c)
	if err != nil {
		return nil, err
	}
	return api.Clone(api.Obj(cus["discount"])), nil
}

func deleteDiscount(c *api.Call) (any, error) {
	if _, err := discounted(c); err != nil {
		return nil, err
	}
	d, err := RemoveDiscount(c, c.Var("id"))
	if err != nil {
		return nil, err
	}
	// Stripe's deleted_discount: the discount without its end.
	out := api.Clone(d)
	delete(out, "end")
	out["deleted"] = true
	return out, nil
}
