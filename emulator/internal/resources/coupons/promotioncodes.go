package coupons

import (
	"regexp"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	stripecurrency "github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

func createPromotionCode(c *api.Call) (any, error) {
	couponID, _ := c.Params.Str("coupon")
	coupon, err := loadCoupon(c, couponID, "coupon")
	if err != nil {
		return nil, err
	}
	// A code is only active while its coupon is valid, so one for a coupon
	// spent or past its redeem_by could never be redeemed: refused as
	// redeeming that coupon is (Stripe's answer here is unconfirmed).
	if !api.Bool(refreshValidity(c, api.Clone(coupon))["valid"]) {
		return nil, apierr.InvalidRequest("Coupon expired: %s", couponID).WithParam("coupon").WithCode("coupon_expired")
	}
	code, _ := c.Params.Str("code")
	if code == "" {
		code = strings.ToUpper(c.IDs.Secret(8))
	}
	if len(code) > 500 {
		return nil, apierr.TooLong("code", code, 500)
	}
	if !validCode.MatchString(code) {
		// Stripe's words, its pattern quoted, as recorded from live requests.
		return nil, apierr.InvalidRequest(`This value must match the regex pattern. (/\A[a-zA-Z0-9\-_]+\z/ does not match for the value %s).`, code).WithParam("code")
	}
	active := true
	if v, ok := c.Params.Bool("active"); ok {
		active = v
	}
	customer, _ := c.Params.Str("customer")
	if active && activeCode(c, code, customer, "") != nil {
		// Stripe's words as recorded from live requests: no param.
		return nil, apierr.InvalidRequest("An active promotion code with `code: %s` already exists.", code)
	}
	o := c.Object("promotion_code", c.NewID("promotion_code"), store.Obj{
		"active": active, "code": code, "coupon": coupon, "customer": nil, "expires_at": nil, "max_redemptions": nil,
		"metadata": map[string]any{}, "restrictions": store.Obj{"first_time_transaction": false, "minimum_amount": nil, "minimum_amount_currency": nil},
		"times_redeemed": int64(0),
	})
	if customer != "" {
		if cus, ok := c.Tx.Get(c.Account, "customer", customer); !ok || api.Bool(cus["deleted"]) {
			return nil, apierr.NoSuchObject("customer", customer, "customer")
		}
		o["customer"] = customer
	}
	if at, ok := c.Params.Int("expires_at"); ok {
		// Stripe's words for both as recorded from live requests.
		switch {
		case at <= c.Now:
			return nil, apierr.InvalidRequest("The parameter `expires_at` expects a unix timestamp representing a date and time in the future. You specified the value `%d` which is in the past.", at).WithParam("expires_at")
		case at-c.Now > maxExpiresIn:
			return nil, apierr.InvalidRequest("Invalid timestamp: can be no more than five years in the future.").WithParam("expires_at")
		}
		if rb := coupon["redeem_by"]; rb != nil && at > api.Int(rb) {
			return nil, apierr.InvalidRequest("The promotion code's expires_at cannot be later than its coupon's redeem_by.").WithParam("expires_at")
		}
		o["expires_at"] = at
	}
	if n, ok := c.Params.Int("max_redemptions"); ok {
		if n < 1 {
			return nil, apierr.InvalidRequest("Invalid max_redemptions: must be at least 1").WithParam("max_redemptions")
		}
		if m := coupon["max_redemptions"]; m != nil && n > api.Int(m) {
			return nil, apierr.InvalidRequest("The promotion code's max_redemptions cannot be greater than its coupon's max_redemptions (%d).", api.Int(m)).WithParam("max_redemptions")
		}
		o["max_redemptions"] = n
	}
	if r, ok := c.Params.Obj("restrictions"); ok {
		rest := api.Obj(o["restrictions"])
		if v, ok := r.Bool("first_time_transaction"); ok {
			rest["first_time_transaction"] = v
		}
		n, hasMin := r.Int("minimum_amount")
		cur, _ := r.Str("minimum_amount_currency")
		switch {
		case hasMin && n < 0:
			return nil, apierr.InvalidRequest("Invalid non-negative integer: %d", n).WithParam("restrictions[minimum_amount]").WithCode("parameter_invalid_integer")
		case hasMin && cur == "":
			return nil, apierr.MissingParam("restrictions[minimum_amount_currency]")
		case !hasMin && cur != "":
			return nil, apierr.MissingParam("restrictions[minimum_amount]")
		case cur != "" && !stripecurrency.Supported(strings.ToLower(cur)):
			return nil, stripecurrency.Invalid(cur, "restrictions[minimum_amount_currency]")
		case hasMin:
			rest["minimum_amount"], rest["minimum_amount_currency"] = n, strings.ToLower(cur)
		}
	}
	minimums, _, err := readMinimums(c, o, nil)
	if err != nil {
		return nil, err
	}
	if err := c.ApplyMetadata(o); err != nil {
		return nil, err
	}
	if err := storeMinimums(c, api.Str(o["id"]), minimums); err != nil {
		return nil, err
	}
	return o, c.Insert(o)
}

// FindCode finds the active promotion code a customer types as code
// (whatever its case): one open to every customer, or that customer's
// own ("" for a customer not known yet: only codes open to everyone).
func FindCode(c *api.Call, code, customer string) store.Obj {
	var found store.Obj
	c.Tx.Each(c.Account, "promotion_code", func(p store.Obj) bool {
		if isActive(c, p) && strings.EqualFold(api.Str(p["code"]), code) && (p["customer"] == nil || api.Str(p["customer"]) == customer && customer != "") {
			found = p
		}
		return found == nil
	})
	return found
}

// validCode is what Stripe takes in a code: letters, digits, dashes and
// underscores (its reference names only letters and digits; its
// validation's pattern, quoted in its refusal, takes the other two).
var validCode = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// maxExpiresIn is how far ahead a code's expires_at may be: five years
// (of 365 days; how Stripe counts them is not known).
const maxExpiresIn = 5 * 365 * 24 * 60 * 60

// activeCode finds another active promotion code (not except) that a
// customer could type as code: Stripe keeps codes unique whatever their
// case among the active codes open to each customer, so two customers'
// own codes may share one. A walk: codes are few, and the index is exact.
func activeCode(c *api.Call, code, customer, except string) store.Obj {
	var found store.Obj
	c.Tx.Each(c.Account, "promotion_code", func(p store.Obj) bool {
		other := api.Str(p["customer"])
		if isActive(c, p) && p["id"] != except && strings.EqualFold(api.Str(p["code"]), code) &&
			(customer == "" || other == "" || other == customer) {
			found = p
		}
		return found == nil
	})
	return found
}

func retrievePromotionCode(c *api.Call) (any, error) {
	o, err := c.Load("promotion_code", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	return withCurrentValidity(c, o), nil
}

// syncCodes shows cp, as it now is, in every promotion code made from it:
// Stripe's codes show their coupon's current name, metadata, redemptions
// and validity, and are only active while it is valid. No event: none is
// documented for a code following its coupon.
func syncCodes(c *api.Call, cp store.Obj) error {
	var codes []store.Obj
	c.Tx.EachIndexed(c.Account, "promotion_code", "coupon", api.Str(cp["id"]), func(p store.Obj) bool {
		codes = append(codes, p)
		return true
	})
	for _, p := range codes {
		after := api.Clone(p)
		after["coupon"] = api.Clone(cp)
		if !api.Bool(cp["valid"]) {
			after["active"] = false
		}
		if err := c.Put(after); err != nil {
			return err
		}
	}
	return nil
}

// withCurrentValidity is p showing its coupon invalid, and itself
// inactive, once the coupon's redeem_by has passed, as the coupon itself
// then shows (a copy: p may be the stored object).
func withCurrentValidity(c *api.Call, p store.Obj) store.Obj {
	cp := api.Obj(p["coupon"])
	if at := cp["redeem_by"]; at == nil || api.Int(at) > c.Now || cp["valid"] == false {
		return p
	}
	out := api.Clone(p)
	refreshValidity(c, api.Obj(out["coupon"]))
	out["active"] = false
	return out
}

// isActive reports whether p is active now: stored active, and its coupon
// not past its redeem_by (a code is only active while its coupon is
// valid; redeem_by passes without a write).
func isActive(c *api.Call, p store.Obj) bool {
	return api.Bool(withCurrentValidity(c, p)["active"])
}

func updatePromotionCode(c *api.Call) (any, error) {
	stored, err := c.Load("promotion_code", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	// As it now is: its coupon past its redeem_by leaves it inactive,
	// which the answer and promotion_code.updated show, not as a change
	// of the update's.
	before := api.Clone(withCurrentValidity(c, stored))
	after := api.Clone(before)
	if v, ok := c.Params.Bool("active"); ok {
		if v && !isActive(c, before) {
			if other := activeCode(c, api.Str(before["code"]), api.Str(before["customer"]), api.Str(before["id"])); other != nil {
				return nil, apierr.InvalidRequest("An active promotion code with `code: %s` already exists.", before["code"]).WithParam("active")
			}
			// Stripe: only while the coupon is valid and the code otherwise
			// redeemable.
			switch {
			case !api.Bool(api.Obj(withCurrentValidity(c, before)["coupon"])["valid"]):
				return nil, apierr.InvalidRequest("This promotion code's coupon is no longer valid, so it cannot be reactivated.").WithParam("active")
			case before["expires_at"] != nil && api.Int(before["expires_at"]) <= c.Now:
				return nil, apierr.InvalidRequest("This promotion code has expired, so it cannot be reactivated.").WithParam("active")
			case before["max_redemptions"] != nil && api.Int(before["times_redeemed"]) >= api.Int(before["max_redemptions"]):
				return nil, apierr.InvalidRequest("This promotion code has been redeemed the maximum number of times, so it cannot be reactivated.").WithParam("active")
			}
		}
		after["active"] = v
	}
	// restrictions[currency_options] is all an update takes of the
	// restrictions: options are added or replaced by currency.
	minimums, sent, err := readMinimums(c, after, loadMinimums(c, api.Str(before["id"])))
	if err != nil {
		return nil, err
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if sent {
		if err := storeMinimums(c, api.Str(after["id"]), minimums); err != nil {
			return nil, err
		}
	}
	if sent && len(api.PreviousAttributes(before, after)) == 0 {
		// Only the options changed, which the code shows only when
		// expanded: promotion_code.updated still tells of the change.
		if err := c.PutEmit(after, "promotion_code.updated", store.Obj{}); err != nil {
			return nil, err
		}
	} else if err := c.Save(before, after); err != nil {
		return nil, err
	}
	return withCurrentValidity(c, after), nil
}

func listPromotionCodes(c *api.Call) (any, error) {
	q, err := c.ListQuery("promotion_code")
	if err != nil {
		return nil, err
	}
	if code, _ := c.Params.Str("code"); code != "" {
		// Case-insensitive, as Stripe's filter is: no exact index lookup.
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return strings.EqualFold(api.Str(o["code"]), code) })
	}
	if coupon, _ := c.Params.Str("coupon"); coupon != "" {
		if q.Index == "" {
			q.Index, q.Value = "coupon", coupon
		}
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Obj(o["coupon"])["id"] == coupon })
	}
	if cus, _ := c.Params.Str("customer"); cus != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["customer"] == cus })
	}
	if active, ok := c.Params.Bool("active"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return isActive(c, o) == active })
	}
	page := c.Page("promotion_code", "/v1/promotion_codes", q)
	for i, p := range page.Data {
		page.Data[i] = withCurrentValidity(c, p)
	}
	return page, nil
}
