package billingportal

import (
	"encoding/json"
	"fmt"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/catalog"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// productsPath is where a configuration lists the products and prices a
// customer may switch between; the list is kept beside the object.
const productsPath = "features.subscription_update.products"

// maxProducts is Stripe's "up to 10 products".
const maxProducts = 10

func productsKey(acct, id string) string { return "bpcproducts:" + acct + ":" + id }

func storedProducts(c *api.Call, id string) []any {
	raw, ok := c.Tx.GetMeta(productsKey(c.Account, id))
	out := []any{}
	if ok {
		_ = json.Unmarshal([]byte(raw), &out)
	}
	return out
}

func saveProducts(c *api.Call, id string, products []any) error {
	raw, _ := json.Marshal(products)
	return c.SetMeta(productsKey(c.Account, id), string(raw))
}

// withoutProducts is the features hash without the products list, which
// is kept apart from the object.
func withoutProducts(features map[string]any) map[string]any {
	su, ok := features["subscription_update"].(map[string]any)
	if !ok {
		return features
	}
	if _, has := su["products"]; !has {
		return features
	}
	out := api.Clone(features)
	su = api.Clone(su)
	delete(su, "products")
	out["subscription_update"] = su
	return out
}

// readProducts checks features[subscription_update][products]: existing
// products, each with recurring prices of its own. sent is false when
// the request leaves the list as it is; an empty value clears it.
func readProducts(c *api.Call) (products []any, sent bool, err error) {
	const param = "features[subscription_update][products]"
	if !c.Params.Has(productsPath) {
		return nil, false, nil
	}
	if c.Params.Unset(productsPath) {
		return []any{}, true, nil
	}
	entries := c.Params.Array(productsPath)
	if len(entries) > maxProducts {
		return nil, false, apierr.InvalidRequest("You can specify up to %d products in %s; you passed %d.", maxProducts, param, len(entries)).WithParam(param)
	}
	seen := map[string]bool{}
	for i, e := range entries {
		prefix := fmt.Sprintf("%s[%d]", param, i)
		prodID, _ := e.Str("product")
		if prodID == "" {
			return nil, false, apierr.MissingParam(prefix + "[product]")
		}
		if _, err := c.Load("product", prodID, prefix+"[product]"); err != nil {
			return nil, false, err
		}
		if seen[prodID] {
			return nil, false, apierr.InvalidRequest("The product %s is listed more than once in %s.", prodID, param).WithParam(prefix + "[product]")
		}
		seen[prodID] = true
		prices := e.Strings("prices")
		if len(prices) == 0 {
			return nil, false, apierr.MissingParam(prefix + "[prices]")
		}
		// The portal's plan switcher offers one price per billing interval
		// of each product (its monthly-or-yearly choice): a second price
		// billed as often is refused. Prices in other currencies are
		// told apart, as a customer only ever sees their own currency's.
		perInterval := map[string]string{}
		for j, id := range prices {
			pp := fmt.Sprintf("%s[prices][%d]", prefix, j)
			price, err := c.Load("price", id, pp)
			if err != nil {
				return nil, false, err
			}
			if api.Str(price["product"]) != prodID {
				return nil, false, apierr.InvalidRequest("The price %s does not belong to the product %s.", id, prodID).WithParam(pp)
			}
			if price["type"] != "recurring" {
				return nil, false, apierr.InvalidRequest("The price %s is not a recurring price; customers can only switch subscriptions to recurring prices.", id).WithParam(pp)
			}
			every := billingInterval(price)
			key := api.Str(price["currency"]) + " " + every
			if first, taken := perInterval[key]; taken && first != id {
				return nil, false, apierr.InvalidRequest("The prices %s and %s of the product %s are both billed every %s: the portal offers one price per billing interval for each product in %s.",
					first, id, prodID, every, param).WithParam(pp)
			}
			perInterval[key] = id
		}
		// Unless told otherwise the portal lets the customer change the
		// quantity (Stripe's default, as integrators report it).
		adj := store.Obj{"enabled": true, "maximum": nil, "minimum": int64(1)}
		if a, ok := e.Obj("adjustable_quantity"); ok {
			enabled, ok := a.Bool("enabled")
			if !ok {
				return nil, false, apierr.MissingParam(prefix + "[adjustable_quantity][enabled]")
			}
			adj["enabled"] = enabled
			lo, hasLo := a.Int("minimum")
			hi, hasHi := a.Int("maximum")
			if hasLo {
				if lo < 0 {
					return nil, false, apierr.InvalidRequest("The minimum quantity must be at least 0.").WithParam(prefix + "[adjustable_quantity][minimum]")
				}
				adj["minimum"] = lo
			}
			if hasHi {
				if hi < api.Int(adj["minimum"]) || hi < 1 {
					return nil, false, apierr.InvalidRequest("The maximum quantity must be at least 1 and no less than the minimum.").WithParam(prefix + "[adjustable_quantity][maximum]")
				}
				adj["maximum"] = hi
			}
		}
		products = append(products, store.Obj{"adjustable_quantity": adj, "prices": api.Anys(prices), "product": prodID})
	}
	return products, true, nil
}

// billingInterval is how often a recurring price bills: "month", or "3
// month" for every three months.
func billingInterval(price store.Obj) string {
	r := api.Obj(price["recurring"])
	if n := api.Int(r["interval_count"]); n > 1 {
		return fmt.Sprintf("%d %s", n, api.Str(r["interval"]))
	}
	return api.Str(r["interval"])
}

// allowsPrice reports whether the configuration lets a subscription
// switch to price.
func allowsPrice(c *api.Call, cfg store.Obj, price string) bool {
	for _, p := range storedProducts(c, api.Str(cfg["id"])) {
		prices, _ := api.Obj(p)["prices"].([]any)
		for _, id := range prices {
			if id == price {
				return true
			}
		}
	}
	return false
}

// offersChange reports whether the plan switcher of cfg would offer the
// customer anything for an item at price of a subscription billed in
// currency: another of the configuration's prices that can bill it (when
// it allows price changes), or another quantity of it (when it allows
// quantity changes and lists the price with an adjustable quantity), as
// the portal page offers them.
func offersChange(c *api.Call, cfg store.Obj, price store.Obj, currency string) bool {
	allowed := map[string]bool{}
	su := api.Obj(api.Obj(cfg["features"])["subscription_update"])
	for _, u := range anyStrings(su["default_allowed_updates"]) {
		allowed[u] = true
	}
	for _, p := range storedProducts(c, api.Str(cfg["id"])) {
		prod := api.Obj(p)
		for _, id := range anyStrings(prod["prices"]) {
			if allowed["price"] && id != api.Str(price["id"]) {
				// A subscription keeps its currency: a price that
				// cannot bill in it is not offered.
				if other, ok := c.Tx.Get(c.Account, "price", id); ok && catalog.Supports(c, other, currency) {
					return true
				}
			}
			if allowed["quantity"] && id == api.Str(price["id"]) && api.Bool(api.Obj(prod["adjustable_quantity"])["enabled"]) {
				return true
			}
		}
	}
	return false
}

func anyStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, api.Str(x))
	}
	return out
}
