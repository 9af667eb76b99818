package billing

import (
	"fmt"
	"slices"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coupons"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Amounts RedeemDiscounts is given where there is none to check a
// promotion code's minimum_amount against.
const (
	// MinimumUnknown is for quotes and invoices, whose amounts are not
	// known yet: a code with a minimum amount is refused there as not
	// emulated rather than redeemed unchecked.
	MinimumUnknown = -1
	// MinimumRefused is for a subscription update, whose amount may
	// change later: Stripe refuses codes with a minimum amount there.
	MinimumRefused = -2
)

// RedeemDiscounts turns the request's discounts[] into discount ids for
// scope. amount is what a promotion code's minimum_amount is checked
// against, or one of the constants above.
func RedeemDiscounts(c *api.Call, scope coupons.Scope, amount int64) ([]any, error) {
	return redeemFrom(c, c.Params, "", scope, amount)
}

// RedeemDiscountsFrom is RedeemDiscounts for the discounts[] of p, a part
// of the request named prefix in errors (a quote's "line_items[0]").
func RedeemDiscountsFrom(c *api.Call, p params.Values, prefix string, scope coupons.Scope, amount int64) ([]any, error) {
	return redeemFrom(c, p, prefix, scope, amount)
}

// redeemFrom is RedeemDiscounts for the discounts[] of p, a part of the
// request named prefix in errors ("lines[0]"; "" for the request).
func redeemFrom(c *api.Call, p params.Values, prefix string, scope coupons.Scope, amount int64) ([]any, error) {
	ids := []any{}
	if p.Unset("discounts") {
		return ids, nil
	}
	for i, entry := range p.Array("discounts") {
		param := fmt.Sprintf("discounts[%d]", i)
		if prefix != "" {
			param = fmt.Sprintf("%s[discounts][%d]", prefix, i)
		}
		src, existing, err := coupons.Resolve(c, entry, param, scope)
		if err != nil {
			return nil, err
		}
		if existing != nil {
			if slices.Contains(ids, existing["id"]) {
				// It would come off twice; what Stripe answers is not
				// documented.
				return nil, apierr.InvalidRequest("stripe-emu does not emulate the same discount (%s) given twice in `discounts`, so it refused the request rather than take it off twice.", existing["id"]).WithParam(param + "[discount]")
			}
			ids = append(ids, existing["id"])
			continue
		}
		if amount >= 0 {
			if err := coupons.CheckMinimum(c, src, amount, scope.Currency, param+"[promotion_code]"); err != nil {
				return nil, err
			}
		}
		hasMinimum := src.PromotionCode != nil && api.Obj(src.PromotionCode["restrictions"])["minimum_amount"] != nil
		if amount == MinimumUnknown && hasMinimum {
			return nil, apierr.InvalidRequest("stripe-emu does not emulate the `minimum_amount` restriction of promotion codes on invoices, quotes and their items or a subscription's, whose amount is not known when the code is redeemed, so it refused the request rather than redeem the code unchecked.").WithParam(param + "[promotion_code]")
		}
		if amount == MinimumRefused && hasMinimum {
			return nil, apierr.InvalidRequest("This promotion code cannot be redeemed on a subscription update because it uses the `minimum_amount` restriction and the amount may change.").WithParam(param + "[promotion_code]")
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
// line's discount_amounts and the invoice's total_discount_amounts. A
// line's own discounts (an invoice item's) come off it first, the
// invoice's off what they leave. It returns what they take off each line.
func applyDiscounts(c *api.Call, inv store.Obj, lines []any) []int64 {
	cur := api.Str(inv["currency"])
	ids, _ := inv["discounts"].([]any)
	found := coupons.Load(c, notUsedElsewhere(c, ids, api.Str(inv["id"])), cur)
	amounts := make([]int64, len(lines))
	products := make([]string, len(lines))
	discountable := make([]bool, len(lines))
	for i, l := range lines {
		line := api.Obj(l)
		amounts[i] = api.Int(line["amount"])
		products[i] = api.Str(api.Obj(api.Obj(line["pricing"])["price_details"])["product"])
		discountable[i] = line["discountable"] != false
	}
	byDiscount := map[string]int64{}
	var order []coupons.Amount
	off := make([]int64, len(lines))
	shares := make([][]any, len(lines))
	take := func(i int, s store.Obj) {
		shares[i] = append(shares[i], s)
		byDiscount[api.Str(s["discount"])] += api.Int(s["amount"])
		off[i] += api.Int(s["amount"])
	}
	for i, l := range lines {
		own, _ := api.Obj(l)["discounts"].([]any)
		if len(own) == 0 || !discountable[i] {
			continue
		}
		mine := coupons.Load(c, own, cur)
		order = append(order, mine...)
		for _, s := range coupons.Spread(mine, amounts[i:i+1], products[i:i+1], []bool{true})[0] {
			take(i, s)
		}
	}
	left := make([]int64, len(lines))
	for i := range lines {
		left[i] = amounts[i] - off[i]
	}
	for i, line := range coupons.Spread(found, left, products, discountable) {
		for _, s := range line {
			take(i, s)
		}
	}
	for i, l := range lines {
		api.Obj(l)["discount_amounts"] = append([]any{}, shares[i]...)
	}
	// One entry per discount, with all it took: several lines may share
	// one (the customer's, reused by each of them).
	totals := []any{}
	all := append(order, found...)
	for i, d := range all {
		if !slices.ContainsFunc(all[:i], func(e coupons.Amount) bool { return e.ID == d.ID }) {
			totals = append(totals, store.Obj{"amount": byDiscount[d.ID], "discount": d.ID})
		}
	}
	inv["total_discount_amounts"] = totals
	return off
}

// itemDiscountIDs are an invoice item's own discounts, for its line.
func itemDiscountIDs(ii store.Obj) []any {
	ids, _ := ii["discounts"].([]any)
	return append([]any{}, ids...)
}

// linesDiscounted reports whether a line has discounts of its own.
func linesDiscounted(lines []any) bool {
	for _, l := range lines {
		if own, _ := api.Obj(l)["discounts"].([]any); len(own) > 0 {
			return true
		}
	}
	return false
}

// notUsedElsewhere leaves out of ids the once discounts another invoice
// already took (a draft made while the customer's once discount was
// still the customer's keeps it in its discounts, but takes nothing).
func notUsedElsewhere(c *api.Call, ids []any, invoice string) []any {
	out := make([]any, 0, len(ids))
	for _, id := range ids {
		if by, used := c.Tx.GetMeta(onceUsedKey(c.Account, api.Str(id))); used && by != invoice {
			continue
		}
		out = append(out, id)
	}
	return out
}

// invoiceDiscounts are the discounts a subscription's invoice carries:
// the subscription's own that still apply or, when it has none of its
// own, the customer's (Stripe: "If not specified or empty, inherits the
// discount from the subscription's customer").
func invoiceDiscounts(c *api.Call, sub, cus store.Obj) []any {
	if own, _ := sub["discounts"].([]any); len(own) > 0 {
		return liveDiscounts(c, sub)
	}
	return customerDiscounts(c, cus, api.Str(sub["currency"]), c.Now)
}

// customerDiscounts is what an invoice of the customer inherits: the
// customer's own discount while it lasts at now (a repeating one until
// its end, a once one until an invoice took it), unless its coupon takes
// an amount off in another currency.
func customerDiscounts(c *api.Call, cus store.Obj, currency string, now int64) []any {
	d := api.Obj(cus["discount"])
	if cus["discount"] == nil || (d["end"] != nil && api.Int(d["end"]) <= now) {
		return []any{}
	}
	cp := api.Obj(d["coupon"])
	if cur := api.Str(cp["currency"]); cp["amount_off"] != nil && cur != "" && cur != currency {
		return []any{}
	}
	if cp["duration"] == "once" {
		if _, used := c.Tx.GetMeta(onceUsedKey(c.Account, api.Str(d["id"]))); used {
			return []any{}
		}
	}
	return []any{d["id"]}
}

// liveDiscounts are a subscription's discounts that still apply to the
// invoice of a period starting now: a repeating one until its end, a
// once one only on the first invoice after it was added.
func liveDiscounts(c *api.Call, sub store.Obj) []any {
	ids, _ := sub["discounts"].([]any)
	return liveIDs(c, ids)
}

// liveIDs are those of the discounts ids that still apply at c.Now.
func liveIDs(c *api.Call, ids []any) []any {
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
// (those that took something off it), by the invoice's id. A customer's
// own once discount is used up with it: it leaves the customer
// (customer.discount.deleted).
func markOnceUsed(c *api.Call, inv store.Obj) error {
	ids, _ := inv["discounts"].([]any)
	if lines := asList(inv["lines"]); linesDiscounted(lines) {
		// A subscription item's own once discount is used as the
		// subscription's is (an invoice item's goes with its item).
		ids = append([]any{}, ids...)
		for _, l := range lines {
			if api.Obj(api.Obj(l)["parent"])["type"] != "subscription_item_details" {
				continue
			}
			own, _ := api.Obj(l)["discounts"].([]any)
			ids = append(ids, own...)
		}
	}
	for _, id := range ids {
		d, ok := c.Tx.Get(c.Account, "discount", api.Str(id))
		if !ok || api.Obj(d["coupon"])["duration"] != "once" || !discountTook(inv, api.Str(id)) {
			continue
		}
		key := onceUsedKey(c.Account, api.Str(id))
		if _, used := c.Tx.GetMeta(key); !used {
			if err := c.SetMeta(key, api.Str(inv["id"])); err != nil {
				return err
			}
		}
		if cus := api.Str(d["customer"]); d["subscription"] == nil && d["invoice"] == nil && d["checkout_session"] == nil && cus != "" {
			if err := removeCustomerDiscount(c, cus, api.Str(id)); err != nil {
				return err
			}
		}
	}
	return nil
}

// removeCustomerDiscount takes discount id away from the customer if it
// is still the customer's.
func removeCustomerDiscount(c *api.Call, customer, id string) error {
	cus, ok := c.Tx.Get(c.Account, "customer", customer)
	if !ok || api.Obj(cus["discount"])["id"] != id {
		return nil
	}
	_, err := customers.RemoveDiscount(c, customer)
	return err
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

// deleteSubscriptionDiscount is DELETE /v1/subscriptions/{id}/discount.
// Since basil a subscription holds discounts[] rather than one discount:
// the subscription-level discounts still applying are all taken away
// (its items' own stay), and the answer is Stripe's deleted_discount of
// the first, the one the legacy discount field showed.
func deleteSubscriptionDiscount(c *api.Call) (any, error) {
	before, err := loadSubscription(c)
	if err != nil {
		return nil, err
	}
	cus, _ := c.Tx.Get(c.Account, "customer", api.Str(before["customer"]))
	c.Now = c.ClockNow(cus)
	live := liveDiscounts(c, before)
	if len(live) == 0 {
		return nil, noSubscriptionDiscount(before)
	}
	d, _ := c.Tx.Get(c.Account, "discount", api.Str(live[0]))
	after := api.Clone(before)
	after["discounts"] = []any{}
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	// Stripe's deleted_discount: the discount without its end.
	out := api.Clone(d)
	delete(out, "end")
	out["deleted"] = true
	return out, nil
}

// redeemItemDiscounts redeems an items[] entry's discounts (ip, named
// prefix) for subscription item it of sub: di_… discounts naming the item
// and its subscription. discounts= leaves the item none. A promotion
// code with a minimum amount is refused as on invoice items, what it
// would be held to (the item's amount, the subscription's) not being
// documented.
func redeemItemDiscounts(c *api.Call, ip params.Values, prefix string, sub, it store.Obj) error {
	if !ip.Has("discounts") {
		return nil
	}
	scope := coupons.Scope{Customer: api.Str(sub["customer"]), Subscription: api.Str(sub["id"]), SubscriptionItem: api.Str(it["id"]), Currency: api.Str(sub["currency"])}
	ids, err := RedeemDiscountsFrom(c, ip, prefix, scope, MinimumUnknown)
	if err != nil {
		return err
	}
	it["discounts"] = ids
	return nil
}

// itemLineDiscounts are the discounts a subscription item's line takes
// off first: the item's own that still apply at c.Now. Most items have
// none, and cost nothing here.
func itemLineDiscounts(c *api.Call, it store.Obj) []any {
	if ids, _ := it["discounts"].([]any); len(ids) > 0 {
		return liveIDs(c, ids)
	}
	return []any{}
}

// ownDiscounts are a subscription item's own discount ids, as it holds
// them (not copied).
func ownDiscounts(it store.Obj) []any {
	ids, _ := it["discounts"].([]any)
	return ids
}
