// Package coupons serves coupons and promotion codes, and turns them into
// the discounts (di_…) that subscriptions, invoices and Checkout Sessions
// carry, with Stripe's redemption rules: redeem_by, max_redemptions, a
// promotion code's expiry, customer and first-time restrictions.
package coupons

import (
	"math"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	stripecurrency "github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// The objects this family owns.
var (
	CouponKind = &api.Kind{Object: "coupon", Name: "coupon",
		Includable: map[string]func(c *api.Call, o store.Obj) (any, error){"applies_to": appliesTo, "currency_options": currencyOptions}}
	PromotionCodeKind = &api.Kind{Object: "promotion_code", Prefix: "promo_", Name: "promotion code",
		Expandable: []string{"customer"},
		Includable: map[string]func(c *api.Call, o store.Obj) (any, error){"restrictions.currency_options": minimumOptions},
		Indexes:    []store.Index{{Name: "coupon", Path: "coupon.id"}}}
	// Discounts live on what they discount; the kind gives ids and lets
	// subscriptions' and invoices' discounts[] expand.
	DiscountKind = &api.Kind{Object: "discount", Prefix: "di_", Name: "discount",
		Expandable: []string{"customer", "promotion_code"}}
)

// Kinds are the objects this family owns.
func Kinds() []*api.Kind { return []*api.Kind{CouponKind, PromotionCodeKind, DiscountKind} }

// Routes are this family's endpoints.
func Routes() []api.Route {
	return []api.Route{
		api.POST("/v1/coupons", params.FromStruct(stripe.CouponCreateParams{}).Enum("duration", "forever", "once", "repeating"), createCoupon),
		api.GET("/v1/coupons", params.FromStruct(stripe.CouponListParams{}), listCoupons),
		api.GET("/v1/coupons/{id}", params.FromStruct(stripe.CouponRetrieveParams{}), retrieveCoupon),
		api.POST("/v1/coupons/{id}", params.FromStruct(stripe.CouponUpdateParams{}), updateCoupon),
		api.DELETE("/v1/coupons/{id}", params.FromStruct(stripe.CouponDeleteParams{}), deleteCoupon),
		api.POST("/v1/promotion_codes", params.FromStruct(stripe.PromotionCodeCreateParams{}).Require("coupon"), createPromotionCode),
		api.GET("/v1/promotion_codes", params.FromStruct(stripe.PromotionCodeListParams{}), listPromotionCodes),
		api.GET("/v1/promotion_codes/{id}", params.FromStruct(stripe.PromotionCodeRetrieveParams{}), retrievePromotionCode),
		api.POST("/v1/promotion_codes/{id}", params.FromStruct(stripe.PromotionCodeUpdateParams{}), updatePromotionCode),
	}
}

var customID = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,200}$`)

// appliesToKey keeps the products a coupon is limited to; the coupon shows
// them only when applies_to is expanded, as on Stripe.
func appliesToKey(acct, id string) string { return "couponproducts:" + acct + ":" + id }

func createCoupon(c *api.Call) (any, error) {
	id := strings.ToUpper(c.IDs.Secret(8))
	if v, ok := c.Params.Str("id"); ok && v != "" {
		if !customID.MatchString(v) {
			return nil, apierr.InvalidRequest("Invalid id: may only contain letters, digits, '_' and '-'").WithParam("id")
		}
		if c.Tx.Exists(c.Account, "coupon", v) {
			// Stripe's words as recorded from live requests: no param.
			return nil, apierr.InvalidRequest("Coupon already exists.").WithCode("resource_already_exists")
		}
		if err := reuseID(c, v); err != nil {
			return nil, err
		}
		id = v
	}
	percent, hasPercent := c.Params.Float("percent_off")
	amount, hasAmount := c.Params.Int("amount_off")
	// The first four refusals are Stripe's words as integrators have
	// recorded them from live requests (their codes and params too).
	switch {
	case hasPercent && hasAmount:
		return nil, apierr.InvalidRequest("Received both percent_off and amount_off parameters. Please pass in only one.")
	case !hasPercent && !hasAmount:
		return nil, apierr.InvalidRequest("Must provide percent_off or amount_off.").WithCode("parameter_missing")
	case hasPercent && percent < 0.01:
		return nil, apierr.InvalidRequest("This value must be greater than or equal to 0.01 (it currently is '%s').", rubyFloat(percent)).WithParam("percent_off")
	case hasPercent && c.Params.Has("currency_options"):
		return nil, apierr.InvalidRequest("You may only specify one of these parameters: currency_options, percent_off.").WithParam("currency_options")
	case hasPercent && percent > 100:
		return nil, apierr.InvalidRequest("Invalid percent_off: must be greater than 0 and at most 100").WithParam("percent_off")
	case hasAmount && amount < 1:
		return nil, apierr.InvalidRequest("Invalid amount_off: must be at least 1").WithParam("amount_off")
	}
	currency, _ := c.Params.Str("currency")
	if hasAmount && currency == "" {
		return nil, apierr.InvalidRequest("You must pass currency when passing amount_off").WithParam("currency")
	}
	if currency != "" && !stripecurrency.Supported(strings.ToLower(currency)) {
		return nil, stripecurrency.Invalid(currency, "currency")
	}
	duration, _ := c.Params.Str("duration")
	if duration == "" {
		duration = "once"
	}
	months, hasMonths := c.Params.Int("duration_in_months")
	if hasMonths && months < 1 {
		return nil, apierr.InvalidRequest("Invalid duration_in_months: must be at least 1").WithParam("duration_in_months")
	}
	if duration == "repeating" && !hasMonths {
		// Stripe's words and param (duration) as recorded from live requests.
		return nil, apierr.InvalidRequest("The duration_in_months param must be set when creating a coupon with a repeating duration").WithParam("duration")
	}
	if duration != "repeating" && hasMonths {
		return nil, apierr.InvalidRequest("You may only pass duration_in_months when duration is repeating").WithParam("duration_in_months")
	}
	o := c.Object("coupon", id, store.Obj{
		"amount_off": nil, "currency": nil, "duration": duration, "duration_in_months": nil, "max_redemptions": nil,
		"metadata": map[string]any{}, "name": nil, "percent_off": nil, "redeem_by": nil, "times_redeemed": int64(0), "valid": true,
	})
	if hasPercent {
		o["percent_off"] = percent
	} else {
		o["amount_off"], o["currency"] = amount, strings.ToLower(currency)
	}
	if hasMonths {
		o["duration_in_months"] = months
	}
	if n, ok := c.Params.Int("max_redemptions"); ok {
		if n < 1 {
			return nil, apierr.InvalidRequest("Invalid max_redemptions: must be at least 1").WithParam("max_redemptions")
		}
		o["max_redemptions"] = n
	}
	if at, ok := c.Params.Int("redeem_by"); ok {
		if at <= c.Now {
			// Stripe's words as recorded from live requests.
			return nil, apierr.InvalidRequest("The parameter `redeem_by` expects a unix timestamp representing a date and time in the future. You specified the value `%d` which is in the past.", at).WithParam("redeem_by")
		}
		o["redeem_by"] = at
	}
	if err := copyName(c, o); err != nil {
		return nil, err
	}
	opts, _, err := readOptions(c, o, nil)
	if err != nil {
		return nil, err
	}
	if err := c.ApplyMetadata(o); err != nil {
		return nil, err
	}
	if err := storeOptions(c, id, opts); err != nil {
		return nil, err
	}
	// Coupon ids are the merchant's own or random letters: a sequence
	// number kept aside lists them newest first, as Stripe does.
	if err := c.Tx.SetMeta(orderKey(c.Account, id), c.IDs.Long("")); err != nil {
		return nil, err
	}
	if products := c.Params.Strings("applies_to.products"); len(products) > 0 {
		for _, p := range products {
			if prod, ok := c.Tx.Get(c.Account, "product", p); !ok || api.Bool(prod["deleted"]) {
				return nil, apierr.NoSuchObject("product", p, "applies_to[products]")
			}
		}
		if err := c.Tx.SetMeta(appliesToKey(c.Account, id), strings.Join(products, ",")); err != nil {
			return nil, err
		}
	}
	return o, c.Insert(o)
}

// reuseID clears what a deleted coupon left under id, which Stripe lets a
// new coupon take: the products it was limited to, kept while discounts
// made from it may apply (Products reads them by coupon id). While such a
// discount exists and the new coupon would be limited otherwise, the id is
// refused as not emulated rather than change what those discounts take
// off.
func reuseID(c *api.Call, id string) error {
	old, limited := c.Tx.GetMeta(appliesToKey(c.Account, id))
	_, optioned := c.Tx.GetMeta(optionsKey(c.Account, id))
	if !limited && !optioned {
		return nil
	}
	if limited && old != strings.Join(c.Params.Strings("applies_to.products"), ",") && discounted(c, id) {
		return apierr.InvalidRequest("stripe-emu does not emulate reusing the id of deleted coupon `%s` with other applies_to[products] while discounts made from it still apply, so it refused the request rather than change what they take off.", id).WithParam("id")
	}
	if optioned && discounted(c, id) {
		// Its amounts in other currencies: the same.
		return apierr.InvalidRequest("stripe-emu does not emulate reusing the id of deleted coupon `%s`, which had currency_options, while discounts made from it still apply, so it refused the request rather than change what they take off.", id).WithParam("id")
	}
	c.Tx.DeleteMeta(appliesToKey(c.Account, id))
	c.Tx.DeleteMeta(optionsKey(c.Account, id))
	return nil
}

// discounted reports whether a discount made from coupon id is stored (a
// walk over discounts: only reusing a deleted coupon's id asks).
func discounted(c *api.Call, id string) bool {
	found := false
	c.Tx.Each(c.Account, "discount", func(d store.Obj) bool {
		found = api.Str(api.Obj(d["coupon"])["id"]) == id
		return !found
	})
	return found
}

// maxName is the longest name a coupon may have, in characters.
const maxName = 40

// copyName sets the coupon's name from the request, held to Stripe's
// limit; Stripe's spec does not let it be emptied.
func copyName(c *api.Call, o store.Obj) error {
	if c.Params.Unset("name") {
		return apierr.InvalidEmpty("name")
	}
	if name, _ := c.Params.Str("name"); utf8.RuneCountInString(name) > maxName {
		return apierr.TooLong("name", name, maxName)
	}
	c.Copy(o, "name")
	return nil
}

func appliesTo(c *api.Call, o store.Obj) (any, error) {
	raw, _ := c.Tx.GetMeta(appliesToKey(c.Account, api.Str(o["id"])))
	products := []any{}
	if raw != "" {
		for _, p := range strings.Split(raw, ",") {
			products = append(products, p)
		}
	}
	return store.Obj{"products": products}, nil
}

// Products lists the products a coupon is limited to (nil: any).
func Products(c *api.Call, couponID string) []string {
	raw, _ := c.Tx.GetMeta(appliesToKey(c.Account, couponID))
	if raw == "" {
		return nil
	}
	return strings.Split(raw, ",")
}

func retrieveCoupon(c *api.Call) (any, error) {
	o, err := loadCoupon(c, c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	return refreshValidity(c, o), nil
}

func loadCoupon(c *api.Call, id, param string) (store.Obj, error) {
	o, ok := c.Tx.Get(c.Account, "coupon", id)
	if !ok || api.Bool(o["deleted"]) {
		return nil, apierr.NoSuchObject("coupon", id, param)
	}
	return o, nil
}

// refreshValidity shows valid=false once redeem_by has passed (the clock
// may have moved since the coupon was last written).
func refreshValidity(c *api.Call, o store.Obj) store.Obj {
	if at := o["redeem_by"]; at != nil && api.Int(at) <= c.Now {
		o["valid"] = false
	}
	return o
}

func updateCoupon(c *api.Call) (any, error) {
	stored, err := loadCoupon(c, c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	// As it now is: a redeem_by passed since it was written leaves it
	// not valid, which the update's answer and event show, not as a
	// change of theirs.
	before := refreshValidity(c, api.Clone(stored))
	after := api.Clone(before)
	if err := copyName(c, after); err != nil {
		return nil, err
	}
	// Options are added or replaced by currency, as a price's are.
	opts, sent, err := readOptions(c, after, loadOptions(c, api.Str(before["id"])))
	if err != nil {
		return nil, err
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if sent {
		if err := storeOptions(c, api.Str(after["id"]), opts); err != nil {
			return nil, err
		}
	}
	if sent && len(api.PreviousAttributes(before, after)) == 0 {
		// Only the options changed, which the coupon shows only when
		// expanded: coupon.updated still tells of the change.
		if err := c.PutEmit(after, "coupon.updated", store.Obj{}); err != nil {
			return nil, err
		}
	} else if err := c.Save(before, after); err != nil {
		return nil, err
	}
	return after, syncCodes(c, after)
}

func deleteCoupon(c *api.Call) (any, error) {
	o, err := loadCoupon(c, c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	o = refreshValidity(c, api.Clone(o))
	// Deleting a coupon stops new redemptions; discounts already made
	// from it keep applying, with their own copy of it.
	if err := c.Tx.Delete(c.Account, "coupon", api.Str(o["id"])); err != nil {
		return nil, err
	}
	c.Tx.DeleteMeta(orderKey(c.Account, api.Str(o["id"])))
	if api.Int(o["times_redeemed"]) == 0 {
		// No discount needs the products it was limited to, nor its
		// amounts in other currencies.
		c.Tx.DeleteMeta(appliesToKey(c.Account, api.Str(o["id"])))
		c.Tx.DeleteMeta(optionsKey(c.Account, api.Str(o["id"])))
	}
	// Its codes are only active while it is valid: deleted, it is not.
	gone := api.Clone(o)
	gone["valid"] = false
	if err := syncCodes(c, gone); err != nil {
		return nil, err
	}
	// coupon.deleted shows it no longer valid, as recorded from Stripe.
	c.Emit("coupon.deleted", gone, nil)
	return store.Obj{"id": o["id"], "object": "coupon", "deleted": true}, nil
}

// rubyFloat writes f as Stripe's messages quote a number: Ruby's Float#to_s,
// which keeps a ".0" on a whole number.
func rubyFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func orderKey(acct, id string) string { return "couponorder:" + acct + ":" + id }

// listCoupons pages through coupons newest first by their creation
// sequence (their ids do not sort that way).
func listCoupons(c *api.Call) (any, error) {
	q, err := c.ListQuery("coupon")
	if err != nil {
		return nil, err
	}
	type entry struct {
		order string
		o     store.Obj
	}
	var all []entry
	c.Tx.Each(c.Account, "coupon", func(o store.Obj) bool {
		if q.Filter == nil || q.Filter(o) {
			order, _ := c.Tx.GetMeta(orderKey(c.Account, api.Str(o["id"])))
			all = append(all, entry{order, refreshValidity(c, o)})
		}
		return true
	})
	slices.SortFunc(all, func(a, b entry) int { return strings.Compare(b.order, a.order) })
	from, to := 0, len(all)
	for i, e := range all {
		if e.o["id"] == q.StartingAfter {
			from = i + 1
		}
		if e.o["id"] == q.EndingBefore {
			to = i
		}
	}
	page := all[from:to]
	hasMore := len(page) > q.Limit
	if hasMore {
		if q.EndingBefore != "" {
			page = page[len(page)-q.Limit:]
		} else {
			page = page[:q.Limit]
		}
	}
	l := &api.List{URL: "/v1/coupons", HasMore: hasMore}
	for _, e := range page {
		l.Data = append(l.Data, e.o)
	}
	return l, nil
}

// percentOf is a percentage of an amount in the currency's smallest unit,
// rounded half away from zero as Stripe rounds discounts. It is worked
// out exactly: as float64s, 3000 × 1.15 / 100 is 34.49999999999999, not
// the 34.5 that rounds to 35.
func percentOf(amount int64, percent float64) int64 {
	p, ok := new(big.Rat).SetString(strconv.FormatFloat(percent, 'f', -1, 64))
	if !ok {
		return int64(math.Round(float64(amount) * percent / 100))
	}
	p.Mul(p, new(big.Rat).SetFrac64(amount, 100))
	q, m := new(big.Int).QuoRem(p.Num(), p.Denom(), new(big.Int)) // toward zero
	if m.Abs(m).Lsh(m, 1).Cmp(p.Denom()) >= 0 {
		q.Add(q, big.NewInt(int64(p.Sign())))
	}
	return q.Int64()
}
