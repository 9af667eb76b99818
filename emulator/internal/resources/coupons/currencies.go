package coupons

import (
	"slices"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	stripecurrency "github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// An amount-off coupon's currency_options are what it takes off in
// currencies other than its own. They are kept beside the coupon, as the
// products it applies to are: Stripe shows them only when expanded, and
// discounts made from the coupon keep taking them off after it is deleted.
func optionsKey(acct, id string) string { return "couponcurrencies:" + acct + ":" + id }

func loadOptions(c *api.Call, id string) map[string]int64 {
	return loadAmounts(c, optionsKey(c.Account, id))
}

func storeOptions(c *api.Call, id string, opts map[string]int64) error {
	return storeAmounts(c, optionsKey(c.Account, id), opts)
}

// loadAmounts reads amounts by currency kept at the metadata key name.
func loadAmounts(c *api.Call, name string) map[string]int64 {
	var out map[string]int64
	c.Tx.GetMetaJSON(name, &out)
	return out
}

// storeAmounts keeps amounts by currency at the metadata key name
// (none: nothing kept).
func storeAmounts(c *api.Call, name string, m map[string]int64) error {
	if len(m) == 0 {
		c.DeleteMeta(name)
		return nil
	}
	return c.SetMetaJSON(name, m)
}

// readOptions reads the currency_options sent for cp (its amount_off and
// currency already set) on top of prev: each a currency Stripe supports,
// other than the coupon's own, with a positive amount_off. Only an
// amount-off coupon takes them (the API reference: "only supported if
// `amount_off` is passed"); the wording of each refusal is the
// emulator's. Nothing sent: nil, false.
func readOptions(c *api.Call, cp store.Obj, prev map[string]int64) (map[string]int64, bool, error) {
	raw, ok := c.Params.Sent("currency_options")
	if !ok {
		return nil, false, nil
	}
	sent, _ := raw.(map[string]any)
	if cp["amount_off"] == nil {
		return nil, false, apierr.InvalidRequest("`currency_options` is only supported for coupons with `amount_off`.").WithParam("currency_options")
	}
	out, err := readByCurrency(c, sent, prev, "currency_options", api.Str(cp["currency"]), "amount_off",
		"`%s` is the coupon's own currency: its amount off is `amount_off`.",
		func(n int64, param string) error {
			if n < 1 {
				return apierr.InvalidRequest("Invalid %s: must be at least 1", param).WithParam(param)
			}
			return nil
		})
	return out, err == nil, err
}

// readByCurrency reads an amount (field) for each currency sent under
// base on top of prev: each a currency Stripe supports other than own
// (refused with ownMsg, given the currency's parameter), its amount
// given and held to check (given the amount's parameter).
func readByCurrency(c *api.Call, sent map[string]any, prev map[string]int64, base, own, field, ownMsg string, check func(n int64, param string) error) (map[string]int64, error) {
	keys := make([]string, 0, len(sent))
	for k := range sent {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := map[string]int64{}
	for k, v := range prev {
		out[k] = v
	}
	dotted := strings.ReplaceAll(strings.ReplaceAll(base, "][", "."), "[", ".")
	dotted = strings.TrimSuffix(dotted, "]")
	for _, key := range keys {
		cur := strings.ToLower(key)
		param := base + "[" + key + "]"
		switch {
		case !stripecurrency.Supported(cur):
			return nil, stripecurrency.Invalid(key, param)
		case cur == own:
			return nil, apierr.InvalidRequest(ownMsg, param).WithParam(param)
		}
		n, ok := c.Params.Int(dotted + "." + key + "." + field)
		if !ok {
			return nil, apierr.MissingParam(param + "[" + field + "]")
		}
		if err := check(n, param+"["+field+"]"); err != nil {
			return nil, err
		}
		out[cur] = n
	}
	return out, nil
}

// currencyOptions is the includable coupon.currency_options: for an
// amount-off coupon, its own currency and every option; null for a
// percent-off one.
func currencyOptions(c *api.Call, o store.Obj) (any, error) {
	if o["amount_off"] == nil {
		return nil, nil
	}
	out := store.Obj{api.Str(o["currency"]): store.Obj{"amount_off": o["amount_off"]}}
	for cur, n := range loadOptions(c, api.Str(o["id"])) {
		out[cur] = store.Obj{"amount_off": n}
	}
	return out, nil
}

// amountOffIn is what coupon cp takes off in currency: its amount_off in
// its own currency (or when currency is not known), else its option's;
// false when it has none for currency.
func amountOffIn(c *api.Call, cp store.Obj, currency string) (int64, bool) {
	own := api.Str(cp["currency"])
	if currency == "" || own == "" || currency == own {
		return api.Int(cp["amount_off"]), true
	}
	n, ok := loadOptions(c, api.Str(cp["id"]))[currency]
	return n, ok
}

// A promotion code's restrictions[currency_options] are its minimum
// amounts in currencies other than its minimum_amount_currency, kept
// beside it: Stripe shows them only with
// expand[]=restrictions.currency_options.
func minimumsKey(acct, id string) string { return "promominimums:" + acct + ":" + id }

func loadMinimums(c *api.Call, id string) map[string]int64 {
	return loadAmounts(c, minimumsKey(c.Account, id))
}

func storeMinimums(c *api.Call, id string, m map[string]int64) error {
	return storeAmounts(c, minimumsKey(c.Account, id), m)
}

// readMinimums reads the restrictions[currency_options] sent for promotion
// code pc (its restrictions already set) on top of prev: each a currency
// Stripe supports, other than the code's minimum_amount_currency, with a
// minimum_amount of at least 0; the code needs a minimum_amount of its
// own for them to extend. The wording of each refusal is the emulator's.
// Nothing sent: nil, false.
func readMinimums(c *api.Call, pc store.Obj, prev map[string]int64) (map[string]int64, bool, error) {
	raw, ok := c.Params.Sent("restrictions.currency_options")
	if !ok {
		return nil, false, nil
	}
	const base = "restrictions[currency_options]"
	r := api.Obj(pc["restrictions"])
	if r["minimum_amount"] == nil {
		return nil, false, apierr.InvalidRequest("`%s` needs `restrictions[minimum_amount]` and `restrictions[minimum_amount_currency]`: its minimums are that minimum's in other currencies.", base).WithParam(base)
	}
	sent, _ := raw.(map[string]any)
	out, err := readByCurrency(c, sent, prev, base, api.Str(r["minimum_amount_currency"]), "minimum_amount",
		"`%s` is the code's own minimum_amount_currency: its minimum is `restrictions[minimum_amount]`.",
		func(n int64, param string) error {
			if n < 0 {
				return apierr.InvalidRequest("Invalid non-negative integer: %d", n).WithParam(param).WithCode("parameter_invalid_integer")
			}
			return nil
		})
	return out, err == nil, err
}

// minimumOptions is the includable restrictions.currency_options: for a
// code with a minimum amount, that minimum and every option's; null
// without one.
func minimumOptions(c *api.Call, o store.Obj) (any, error) {
	r := api.Obj(o["restrictions"])
	if r["minimum_amount"] == nil {
		return nil, nil
	}
	out := store.Obj{api.Str(r["minimum_amount_currency"]): store.Obj{"minimum_amount": r["minimum_amount"]}}
	for cur, n := range loadMinimums(c, api.Str(o["id"])) {
		out[cur] = store.Obj{"minimum_amount": n}
	}
	return out, nil
}
