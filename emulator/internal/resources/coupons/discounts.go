package coupons

import (
	"math"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Scope is what a discount is for: the customer always, and the
// subscription or invoice it belongs to when there is one.
type Scope struct {
	Customer, Subscription, Invoice, InvoiceItem, CheckoutSession string
	// SubscriptionItem: for one item of Subscription (its own discounts).
	SubscriptionItem string
	// Currency is the currency of what is discounted: an amount_off
	// coupon must share it.
	Currency string
	// Quote: for a quote or its lines, whose only ancestor is the
	// customer (their discounts are not tied to any other object).
	Quote bool
}

// Source is a coupon, or a promotion code and its coupon, checked as
// redeemable but not redeemed yet (Checkout shows discounts before it
// redeems them).
type Source struct {
	Coupon, PromotionCode store.Obj
}

// Resolve checks one entry of a discounts[] parameter (coupon,
// promotion_code or an existing discount's id) without redeeming it.
// An existing discount comes back as the discount itself. param names
// the entry in errors ("discounts[0]"); "" names its fields bare.
func Resolve(c *api.Call, entry params.Values, param string, scope Scope) (Source, store.Obj, error) {
	coupon, _ := entry.Str("coupon")
	promo, _ := entry.Str("promotion_code")
	existing, _ := entry.Str("discount")
	given := 0
	for _, v := range []string{coupon, promo, existing} {
		if v != "" {
			given++
		}
	}
	if given != 1 {
		return Source{}, nil, apierr.InvalidRequest("Each discount must have exactly one of `coupon`, `promotion_code` or `discount`.").WithParam(param)
	}
	if existing != "" {
		d, ok := c.Tx.Get(c.Account, "discount", existing)
		if !ok || (scope.Customer != "" && d["customer"] != nil && d["customer"] != scope.Customer) || !ancestral(c, d, scope) {
			return Source{}, nil, apierr.NoSuchObject("discount", existing, field(param, "discount"))
		}
		return Source{}, d, nil
	}
	var src Source
	if promo != "" {
		p, ok := c.Tx.Get(c.Account, "promotion_code", promo)
		if !ok {
			return Source{}, nil, apierr.NoSuchObject("promotion code", promo, field(param, "promotion_code"))
		}
		if err := redeemable(c, p, field(param, "promotion_code"), scope); err != nil {
			return Source{}, nil, err
		}
		src.PromotionCode = p
		coupon = api.Str(api.Obj(p["coupon"])["id"])
	}
	couponParam := field(param, "coupon")
	if promo != "" {
		couponParam = field(param, "promotion_code")
	}
	cp, err := loadCoupon(c, coupon, couponParam)
	if err != nil {
		return Source{}, nil, err
	}
	refreshValidity(c, cp)
	if !api.Bool(cp["valid"]) {
		// Stripe answers both a passed redeem_by and a spent
		// max_redemptions with its coupon_expired code.
		return Source{}, nil, apierr.InvalidRequest("Coupon expired: %s", coupon).WithParam(couponParam).WithCode("coupon_expired")
	}
	if _, ok := amountOffIn(c, cp, scope.Currency); !ok {
		// An amount-off coupon applies in its currency and those of its
		// currency_options only.
		cur := api.Str(cp["currency"])
		return Source{}, nil, apierr.InvalidRequest("The coupon %s is in %s and cannot be applied to an amount in %s.", coupon, cur, scope.Currency).WithParam(couponParam)
	}
	src.Coupon = cp
	return src, nil, nil
}

// ancestral reports whether an existing discount may be reused for scope:
// Stripe's reference takes "an existing discount on the object (or one
// of its ancestors)". The customer's own discount is every object's
// ancestor's; a Checkout Session's belongs to its payment alone; one of a
// subscription, an invoice or an invoice item is refused on another
// subscription, invoice or item (an invoice's subscription's discounts
// are its ancestor's). Scopes that do not say what they are for
// (quotes, schedules' phases) are not held to this.
func ancestral(c *api.Call, d store.Obj, scope Scope) bool {
	sub, inv, item := api.Str(d["subscription"]), api.Str(d["invoice"]), api.Str(d["invoice_item"])
	si := api.Str(d["subscription_item"])
	if d["checkout_session"] != nil {
		return false
	}
	switch {
	case scope.SubscriptionItem != "":
		// The item's own, its subscription's or the customer's.
		return inv == "" && item == "" && (sub == "" || sub == scope.Subscription) && (si == "" || si == scope.SubscriptionItem)
	case si != "" && (scope.Subscription != "" || scope.Invoice != "" || scope.InvoiceItem != "" || scope.Quote):
		// A subscription item's discount is no other object's ancestor.
		return false
	case scope.Subscription != "":
		return inv == "" && item == "" && (sub == "" || sub == scope.Subscription)
	case scope.Invoice != "":
		if item != "" || (inv != "" && inv != scope.Invoice) {
			return false
		}
		if sub == "" {
			return true
		}
		stored, _ := c.Tx.Get(c.Account, "invoice", scope.Invoice)
		return api.Str(api.Obj(api.Obj(stored["parent"])["subscription_details"])["subscription"]) == sub
	case scope.InvoiceItem != "":
		return item == "" || item == scope.InvoiceItem
	case scope.Quote:
		return sub == "" && inv == "" && item == ""
	}
	return true
}

// field names an entry's field in errors: discounts[0][coupon], or coupon
// for an entry named "".
func field(entry, name string) string {
	if entry == "" {
		return name
	}
	return entry + "[" + name + "]"
}

// redeemable applies a promotion code's own rules.
func redeemable(c *api.Call, p store.Obj, param string, scope Scope) error {
	switch {
	case !api.Bool(p["active"]):
		return apierr.InvalidRequest("This promotion code (%s) is not active.", p["code"]).WithParam(param)
	case p["expires_at"] != nil && api.Int(p["expires_at"]) <= c.Now:
		return apierr.InvalidRequest("This promotion code (%s) has expired.", p["code"]).WithParam(param)
	case p["max_redemptions"] != nil && api.Int(p["times_redeemed"]) >= api.Int(p["max_redemptions"]):
		return apierr.InvalidRequest("This promotion code cannot be redeemed because it has been used the maximum number of times.").WithParam(param)
	}
	return CustomerMayRedeem(c, p, scope.Customer, param)
}

// CustomerMayRedeem applies a promotion code's rules about who redeems
// it (its own customer, first-time transactions) to customer ("": not
// known yet), as redeeming it for them would: also for a code redeemed
// before its customer was known (a quote given its customer later).
func CustomerMayRedeem(c *api.Call, p store.Obj, customer, param string) error {
	if customer == "" {
		return nil
	}
	if p["customer"] != nil && p["customer"] != customer {
		return apierr.InvalidRequest("This promotion code (%s) cannot be redeemed by this customer.", p["code"]).WithParam(param)
	}
	if api.Bool(api.Obj(p["restrictions"])["first_time_transaction"]) && hasPaid(c, customer) {
		return apierr.InvalidRequest("This promotion code cannot be redeemed because the associated customer has prior transactions.").WithParam(param)
	}
	return nil
}

// hasPaid reports whether a customer has a prior transaction: Stripe's
// first-time codes are for "Customers without any successful payments or
// invoices" (a paid invoice counts, a free trial's too).
func hasPaid(c *api.Call, customer string) bool {
	for _, ch := range c.Tx.List(c.Account, "charge", store.Query{Index: "customer", Value: customer}).Data {
		if ch["status"] == "succeeded" {
			return true
		}
	}
	for _, inv := range c.Tx.List(c.Account, "invoice", store.Query{Index: "customer", Value: customer}).Data {
		if inv["status"] == "paid" {
			return true
		}
	}
	return false
}

// CheckMinimum applies a promotion code's minimum_amount to what it would
// discount (before discounts), in currency: the code's own minimum, or
// its restrictions' currency_options one for another currency.
func CheckMinimum(c *api.Call, src Source, amount int64, currency, param string) error {
	r := api.Obj(src.PromotionCode["restrictions"])
	if src.PromotionCode == nil || r["minimum_amount"] == nil {
		return nil
	}
	minimum, ok := api.Int(r["minimum_amount"]), api.Str(r["minimum_amount_currency"]) == currency
	if !ok {
		minimum, ok = loadMinimums(c, api.Str(src.PromotionCode["id"]))[currency]
	}
	if !ok || amount < minimum {
		// Stripe's words, which name neither the code nor the minimum.
		return apierr.InvalidRequest("This promotion code cannot be redeemed because the associated purchase does not meet the minimum amount requirement.").WithParam(param)
	}
	return nil
}

// Redeem turns a checked source into a discount for scope, counting the
// redemption on the coupon and the promotion code.
func Redeem(c *api.Call, src Source, scope Scope) (store.Obj, error) {
	if p := src.PromotionCode; p != nil {
		after := api.Clone(p)
		after["times_redeemed"] = api.Int(p["times_redeemed"]) + 1
		if err := c.Put(after); err != nil {
			return nil, err
		}
	}
	// The discount shows its coupon with this redemption counted (and
	// no longer valid if it was the last), as Stripe's does; counting it
	// after the code's own count shows the coupon so in the code too.
	cp, err := countRedemption(c, src.Coupon)
	if err != nil {
		return nil, err
	}
	d := c.Object("discount", c.NewID("discount"), store.Obj{
		"checkout_session": api.NilIfEmpty(scope.CheckoutSession), "coupon": api.Clone(cp), "customer": api.NilIfEmpty(scope.Customer),
		"end": nil, "invoice": api.NilIfEmpty(scope.Invoice), "invoice_item": api.NilIfEmpty(scope.InvoiceItem), "promotion_code": nil,
		"start": c.Now, "subscription": api.NilIfEmpty(scope.Subscription), "subscription_item": api.NilIfEmpty(scope.SubscriptionItem),
	})
	// A discount is not a resource of its own: no created/livemode of
	// its own in Stripe's shape.
	delete(d, "created")
	delete(d, "livemode")
	if p := src.PromotionCode; p != nil {
		d["promotion_code"] = p["id"]
	}
	if cp["duration"] == "repeating" {
		d["end"] = RepeatingEnd(c.Now, api.Int(cp["duration_in_months"]))
	}
	if err := c.Put(d); err != nil {
		return nil, err
	}
	return d, nil
}

// RepeatingEnd is when a repeating discount begun at start stops: months
// later on the same day, clamped to the month's last day (January 31 + 1
// month = February 28/29) as a billing period's end is, so that it covers
// that many monthly invoices and no more. time.AddDate would run on into
// March and discount February's renewal too.
func RepeatingEnd(start, months int64) int64 {
	t := time.Unix(start, 0).UTC()
	y, m, day := t.Date()
	first := time.Date(y, m+time.Month(months), 1, t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(day, last)-1).Unix()
}

// countRedemption counts one redemption on the stored coupon and returns
// it as it now is (cp itself when it is not stored).
func countRedemption(c *api.Call, cp store.Obj) (store.Obj, error) {
	stored, ok := c.Tx.Get(c.Account, "coupon", api.Str(cp["id"]))
	if !ok {
		return cp, nil
	}
	stored["times_redeemed"] = api.Int(stored["times_redeemed"]) + 1
	if m := stored["max_redemptions"]; m != nil && api.Int(stored["times_redeemed"]) >= api.Int(m) {
		stored["valid"] = false
	}
	if err := c.Put(stored); err != nil {
		return nil, err
	}
	return stored, syncCodes(c, stored)
}

// Amount is what a discount takes off amount (in currency), for
// discountable lines of products it applies to.
type Amount struct {
	ID         string
	PercentOff float64
	AmountOff  int64
	Products   []string // nil: every product
}

// Load returns the discounts by id as amounts in currency (an amount-off
// coupon's option for it, where it has one), leaving out ones that have
// ended by now.
func Load(c *api.Call, ids []any, currency string) []Amount {
	var out []Amount
	for _, id := range ids {
		d, ok := c.Tx.Get(c.Account, "discount", api.Str(id))
		if !ok || (d["end"] != nil && api.Int(d["end"]) <= c.Now) {
			continue
		}
		out = append(out, AmountOf(c, api.Str(d["id"]), api.Obj(d["coupon"]), currency))
	}
	return out
}

// AmountOf is what a coupon takes off in currency ("": its own), under
// the discount id given.
func AmountOf(c *api.Call, id string, cp store.Obj, currency string) Amount {
	off, _ := amountOffIn(c, cp, currency)
	return Amount{ID: id, PercentOff: api.Float(cp["percent_off"]), AmountOff: off, Products: Products(c, api.Str(cp["id"]))}
}

// Takes reports whether coupon cp applies to an amount in currency: a
// percent-off coupon in any, an amount-off one in its own currency or
// one of its currency_options.
func Takes(c *api.Call, cp store.Obj, currency string) bool {
	_, ok := amountOffIn(c, cp, currency)
	return ok
}

// Spread works out each discount's amount on each line: a percentage of
// the lines it applies to, or a fixed amount, shared across them in
// proportion (rounded cumulatively: the shares add up to it), never more
// than what is left of a line. It returns per line the [{amount, discount}] list.
func Spread(discounts []Amount, amounts []int64, products []string, discountable []bool) [][]store.Obj {
	out := make([][]store.Obj, len(amounts))
	left := append([]int64(nil), amounts...)
	for _, d := range discounts {
		var eligible []int
		var base int64
		for i := range amounts {
			if discountable[i] && left[i] > 0 && applies(d, products[i]) {
				eligible = append(eligible, i)
				base += left[i]
			}
		}
		if len(eligible) == 0 {
			continue
		}
		total := min(d.AmountOff, base)
		if d.AmountOff == 0 {
			total = percentOf(base, d.PercentOff)
		}
		// Each line takes what the running total of the lines so far
		// rounds to, less what the lines before it took: the shares add
		// up to total, none is negative and none exceeds its line
		// (rounding each share alone could hand the last line less than
		// nothing).
		var upTo, given int64
		for _, i := range eligible {
			upTo += left[i]
			share := int64(math.Round(float64(total)*float64(upTo)/float64(base))) - given
			share = min(share, left[i])
			given += share
			left[i] -= share
			out[i] = append(out[i], store.Obj{"amount": share, "discount": d.ID})
		}
	}
	for i := range out {
		if out[i] == nil {
			out[i] = []store.Obj{}
		}
	}
	return out
}

func applies(d Amount, product string) bool {
	if d.Products == nil {
		return true
	}
	for _, p := range d.Products {
		if p == product {
			return true
		}
	}
	return false
}
