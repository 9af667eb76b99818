package coupons

import (
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

func createPromotionCode(c *api.Call) (any, error) {
	couponID, _ := c.Params.Str("coupon")
	coupon, err := loadCoupon(c, couponID, "coupon")
	if err != nil {
		return nil, err
	}
	code, _ := c.Params.Str("code")
	if code == "" {
		code = strings.ToUpper(c.IDs.Secret(8))
	}
	if len(code) > 500 || strings.ContainsAny(code, " \t\n") {
		return nil, apierr.InvalidRequest("Invalid code: must be at most 500 characters without spaces").WithParam("code")
	}
	active := true
	if v, ok := c.Params.Bool("active"); ok {
		active = v
	}
	if active && activeCode(c, code) != nil {
		return nil, apierr.InvalidRequest("An active promotion code with `code: %s` already exists.", code).WithParam("code")
	}
	o := c.Object("promotion_code", c.NewID("promotion_code"), store.Obj{
		"active": active, "code": code, "coupon": coupon, "customer": nil, "expires_at": nil, "max_redemptions": nil,
		"metadata": map[string]any{}, "restrictions": store.Obj{"first_time_transaction": false, "minimum_amount": nil, "minimum_amount_currency": nil},
		"times_redeemed": int64(0),
	})
	if cus, _ := c.Params.Str("customer"); cus != "" {
		if !c.Tx.Exists(c.Account, "customer", cus) {
			return nil, apierr.NoSuchObject("customer", cus, "customer")
		}
		o["customer"] = cus
	}
	if at, ok := c.Params.Int("expires_at"); ok {
		if at <= c.Now {
			return nil, apierr.InvalidRequest("Invalid expires_at: must be in the future").WithParam("expires_at")
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
		o["max_redemptions"] = n
	}
	if r, ok := c.Params.Obj("restrictions"); ok {
		rest := api.Obj(o["restrictions"])
		if v, ok := r.Bool("first_time_transaction"); ok {
			rest["first_time_transaction"] = v
		}
		if n, ok := r.Int("minimum_amount"); ok {
			cur, _ := r.Str("minimum_amount_currency")
			if cur == "" {
				return nil, apierr.MissingParam("restrictions[minimum_amount_currency]")
			}
			rest["minimum_amount"], rest["minimum_amount_currency"] = n, strings.ToLower(cur)
		}
		if r.Has("currency_options") {
			return nil, apierr.InvalidRequest("stripe-emu does not emulate the parameter `restrictions[currency_options]` of promotion codes, so it refused the request rather than answer as if it had taken effect.").WithParam("restrictions[currency_options]")
		}
	}
	if err := c.ApplyMetadata(o); err != nil {
		return nil, err
	}
	return o, c.Insert(o)
}

// activeCode finds the active promotion code with this code, if any.
func activeCode(c *api.Call, code string) store.Obj {
	for _, p := range c.Tx.List(c.Account, "promotion_code", store.Query{Index: "code", Value: code}).Data {
		if api.Bool(p["active"]) {
			return p
		}
	}
	return nil
}

func retrievePromotionCode(c *api.Call) (any, error) {
	return c.Load("promotion_code", c.Var("id"), "id")
}

func updatePromotionCode(c *api.Call) (any, error) {
	before, err := c.Load("promotion_code", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if v, ok := c.Params.Bool("active"); ok {
		if v && !api.Bool(before["active"]) {
			if other := activeCode(c, api.Str(before["code"])); other != nil {
				return nil, apierr.InvalidRequest("An active promotion code with `code: %s` already exists.", before["code"]).WithParam("active")
			}
			if !api.Bool(api.Obj(before["coupon"])["valid"]) {
				return nil, apierr.InvalidRequest("This promotion code's coupon is no longer valid, so it cannot be reactivated.").WithParam("active")
			}
		}
		after["active"] = v
	}
	if c.Params.Has("restrictions") {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate the parameter `restrictions[currency_options]` of promotion codes, so it refused the request rather than answer as if it had taken effect.").WithParam("restrictions")
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	return after, c.Save(before, after)
}

func listPromotionCodes(c *api.Call) (any, error) {
	q, err := c.ListQuery("promotion_code")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "code")
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
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Bool(o["active"]) == active })
	}
	return c.Page("promotion_code", "/v1/promotion_codes", q), nil
}
