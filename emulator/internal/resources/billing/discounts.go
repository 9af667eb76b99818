package billing

import (
	"fmt"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coupons"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// redeemDiscounts turns the request's discounts[] into discount ids for
// scope. amount is what a promotion code's minimum_amount is checked
// against (-1: not checked, on updates).
func redeemDiscounts(c *api.Call, scope coupons.Scope, amount int64) ([]any, error) {
	ids := []any{}
	if c.Params.Unset("discounts") {
		return ids, nil
	}
	for i, entry := range c.Params.Array("discounts") {
		param := fmt.Sprintf("discounts[%d]", i)
		src, existing, err := coupons.Resolve(c, entry, param, scope)
		if err != nil {
			return nil, err
		}
		if existing != nil {
			ids = append(ids, existing["id"])
			continue
		}
		if amount >= 0 {
			if err := coupons.CheckMinimum(src, amount, scope.Currency, param+"[promotion_code]"); err != nil {
				return nil, err
			}
		}
		d, err := coupons.Redeem(c, src, scope)
		if err != nil {
			return nil, err
		}
		ids = append(ids, d["id"])
	}
	return ids, nil
}

// applyDiscounts works out the invoice's discounts on its lines: each
// line's discount_amounts and the invoice's total_discount_amounts. It
// returns what they take off each line.
func applyDiscounts(c *api.Call, inv store.Obj, lines []any) []int64 {
	ids, _ := inv["discounts"].([]any)
	found := coupons.Load(c, ids)
	amounts := make([]int64, len(lines))
	products := make([]string, len(lines))
	discountable := make([]bool, len(lines))
	for i, l := range lines {
		line := api.Obj(l)
		amounts[i] = api.Int(line["amount"])
		products[i] = api.Str(api.Obj(api.Obj(line["pricing"])["price_details"])["product"])
		discountable[i] = line["discountable"] != false
	}
	spread := coupons.Spread(found, amounts, products, discountable)
	byDiscount := map[string]int64{}
	off := make([]int64, len(lines))
	for i, l := range lines {
		shares := make([]any, len(spread[i]))
		for j, s := range spread[i] {
			shares[j] = s
			byDiscount[api.Str(s["discount"])] += api.Int(s["amount"])
			off[i] += api.Int(s["amount"])
		}
		api.Obj(l)["discount_amounts"] = shares
	}
	totals := []any{}
	for _, d := range found {
		totals = append(totals, store.Obj{"amount": byDiscount[d.ID], "discount": d.ID})
	}
	inv["total_discount_amounts"] = totals
	return off
}

// liveDiscounts are a subscription's discounts that still apply to the
// invoice of a period starting now: a repeating one until its end, a
// once one only on the first invoice after it was added.
func liveDiscounts(c *api.Call, sub store.Obj) []any {
	ids, _ := sub["discounts"].([]any)
	out := []any{}
	for _, id := range ids {
		d, ok := c.Tx.Get(c.Account, "discount", api.Str(id))
		if !ok || (d["end"] != nil && api.Int(d["end"]) <= c.Now) {
			continue
		}
		if api.Obj(d["coupon"])["duration"] == "once" {
			if _, used := c.Tx.GetMeta(onceUsedKey(c.Account, api.Str(id))); used {
				continue
			}
		}
		out = append(out, id)
	}
	return out
}

func onceUsedKey(acct, id string) string { return "discountused:" + acct + ":" + id }

// markOnceUsed records that an invoice took the once discounts it carries
// (those that took something off it).
func markOnceUsed(c *api.Call, inv store.Obj) error {
	ids, _ := inv["discounts"].([]any)
	for _, id := range ids {
		if d, ok := c.Tx.Get(c.Account, "discount", api.Str(id)); ok && api.Obj(d["coupon"])["duration"] == "once" && discountTook(inv, api.Str(id)) {
			if err := c.SetMeta(onceUsedKey(c.Account, api.Str(id)), "1"); err != nil {
				return err
			}
		}
	}
	return nil
}

// discountTook reports whether a discount took anything off an invoice.
func discountTook(inv store.Obj, id string) bool {
	taken, _ := inv["total_discount_amounts"].([]any)
	for _, t := range taken {
		if e := api.Obj(t); e["discount"] == id && api.Int(e["amount"]) != 0 {
			return true
		}
	}
	return false
}
