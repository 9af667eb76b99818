package credits

import (
	"fmt"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	currencies "github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Stripe's documented bounds: priority 0 (applied first) to 100, 50 when
// not given; a name of at most 100 characters.
const (
	defaultPriority = 50
	maxPriority     = 100
	maxName         = 100
)

func createGrant(c *api.Call) (any, error) {
	cusID, _ := c.Params.Str("customer")
	if cusID == "" {
		return nil, apierr.InvalidEmpty("customer")
	}
	cus, ok := c.Tx.Get(c.Account, "customer", cusID)
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", cusID, "customer")
	}
	amount, err := amountParam(c)
	if err != nil {
		return nil, err
	}
	scope, err := scopeParam(c)
	if err != nil {
		return nil, err
	}
	category, _ := c.Params.Str("category")
	if category == "" {
		return nil, apierr.InvalidEmpty("category")
	}
	// "Now" for a customer on a test clock is the clock's time.
	now := c.ClockNow(cus)
	effective := now
	if v, ok := c.Params.Int("effective_at"); ok {
		effective = v
	}
	var expires any
	if v, ok := c.Params.Int("expires_at"); ok {
		if err := checkExpiry(v, now, effective); err != nil {
			return nil, err
		}
		expires = v
	}
	priority := int64(defaultPriority)
	if v, ok := c.Params.Int("priority"); ok {
		if v < 0 || v > maxPriority {
			return nil, apierr.InvalidRequest("Invalid priority: must be between 0 and %d.", maxPriority).WithParam("priority")
		}
		priority = v
	}
	var name any
	if v, _ := c.Params.Str("name"); v != "" {
		if err := c.CheckLengths(api.MaxLength{Path: "name", Limit: maxName}); err != nil {
			return nil, err
		}
		name = v
	}
	g := c.Object(grantObject, c.NewID(grantObject), store.Obj{
		"amount": amount, "applicability_config": store.Obj{"scope": scope}, "category": category, "customer": cusID,
		"effective_at": effective, "expires_at": expires, "name": name, "priority": priority,
		"test_clock": cus["test_clock"], "updated": c.Now, "voided_at": nil,
	})
	if err := c.ApplyMetadata(g); err != nil {
		return nil, err
	}
	if err := c.Insert(g); err != nil {
		return nil, err
	}
	// The credit is on the grant's ledger once the grant is in effect:
	// at once, or when the clock gets there.
	if effective <= now {
		if err := grantCredits(c, g); err != nil {
			return nil, err
		}
	} else if err := schedule(c, effectiveKey, g, effective); err != nil {
		return nil, err
	}
	if expires != nil {
		if err := schedule(c, expiryKey, g, api.Int(expires)); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// checkExpiry refuses an expiry that is not after both now and the time
// the grant takes effect.
func checkExpiry(expires, now, effective int64) error {
	if expires <= now {
		return apierr.InvalidRequest("Invalid expires_at: must be in the future.").WithParam("expires_at")
	}
	if expires <= effective {
		return apierr.InvalidRequest("Invalid expires_at: must be after effective_at.").WithParam("expires_at")
	}
	return nil
}

// amountParam reads amount[type] and amount[monetary]: the only kind of
// amount Stripe has, a positive whole amount in a currency.
func amountParam(c *api.Call) (store.Obj, error) {
	amt, _ := c.Params.Obj("amount")
	if typ, _ := amt.Str("type"); typ == "" {
		return nil, apierr.MissingParam("amount[type]")
	}
	mon, ok := amt.Obj("monetary")
	if !ok {
		return nil, apierr.MissingParam("amount[monetary]")
	}
	currency, _ := mon.Str("currency")
	if currency == "" {
		return nil, apierr.MissingParam("amount[monetary][currency]")
	}
	currency = strings.ToLower(currency)
	if !currencies.Supported(currency) {
		return nil, currencies.Invalid(currency, "amount[monetary][currency]")
	}
	value, ok := mon.Int("value")
	if !ok {
		return nil, apierr.MissingParam("amount[monetary][value]")
	}
	if value <= 0 {
		return nil, apierr.InvalidRequest("Invalid amount[monetary][value]: must be a positive integer.").WithParam("amount[monetary][value]")
	}
	return money(currency, value), nil
}

// money is a monetary amount as the credit objects show one.
func money(currency string, value int64) store.Obj {
	return store.Obj{"monetary": store.Obj{"currency": currency, "value": value}, "type": "monetary"}
}

// scopeParam reads applicability_config[scope]: every metered price
// (price_type=metered) or the metered prices listed, one or the other.
func scopeParam(c *api.Call) (store.Obj, error) {
	cfg, _ := c.Params.Obj("applicability_config")
	scope, ok := cfg.Obj("scope")
	if !ok {
		return nil, apierr.MissingParam("applicability_config[scope]")
	}
	priceType, ids, err := readScope(c, scope, "applicability_config[scope]")
	switch {
	case err != nil:
		return nil, err
	case priceType != "":
		return store.Obj{"price_type": priceType}, nil
	}
	prices := make([]any, len(ids))
	for i, id := range ids {
		prices[i] = store.Obj{"id": id}
	}
	return store.Obj{"prices": prices}, nil
}

// readScope reads a scope sent under param (a grant's, or a summary's
// filter): its price_type, or else the metered prices it lists.
func readScope(c *api.Call, scope params.Values, param string) (priceType string, prices []string, err error) {
	priceType, _ = scope.Str("price_type")
	hasPrices := scope.Has("prices") && !scope.Unset("prices")
	switch {
	case priceType != "" && hasPrices:
		return "", nil, apierr.Exclusive(param+"[price_type]", param+"[prices]")
	case priceType != "":
		return priceType, nil, nil
	case !hasPrices:
		return "", nil, apierr.MissingParam(param + "[price_type]")
	}
	prices, err = meteredPrices(c, scope, param+"[prices]")
	return "", prices, err
}

// meteredPrices reads a scope's prices[][id] (param names them in
// errors): each must be a price with a billing meter, as Stripe's credits
// apply to nothing else.
func meteredPrices(c *api.Call, scope params.Values, param string) ([]string, error) {
	list := scope.Array("prices")
	if len(list) == 0 {
		return nil, apierr.MissingParam(param)
	}
	ids := make([]string, 0, len(list))
	for i, p := range list {
		name := fmt.Sprintf("%s[%d][id]", param, i)
		id, _ := p.Str("id")
		if id == "" {
			return nil, apierr.MissingParam(name)
		}
		f, ok := c.Tx.Fields(c.Account, "price", id, "recurring.usage_type", "recurring.meter")
		if !ok {
			return nil, apierr.NoSuchObject("price", id, name)
		}
		if f[0].String() != "metered" || f[1].String() == "" {
			return nil, apierr.InvalidRequest("The price %s is not a metered price with a billing meter; billing credits only apply to metered prices.", id).WithParam(name)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func loadGrant(c *api.Call) (store.Obj, error) { return c.Load(grantObject, c.Var("id"), "id") }

func retrieveGrant(c *api.Call) (any, error) { return c.Retrieve(grantObject, c.Var("id")) }

func listGrants(c *api.Call) (any, error) {
	q, err := c.ListQuery(grantObject)
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "customer")
	return c.Page(grantObject, "/v1/billing/credit_grants", q), nil
}

// grantNow is "now" for a grant: its test clock's time if it is on one.
func grantNow(c *api.Call, g store.Obj) int64 {
	return c.ClockNow(store.Obj{"test_clock": g["test_clock"]})
}

// expired reports whether a grant's credit has expired by now.
func expired(g store.Obj, now int64) bool {
	return g["expires_at"] != nil && api.Int(g["expires_at"]) <= now
}

func updateGrant(c *api.Call) (any, error) {
	before, err := loadGrant(c)
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	now := grantNow(c, before)
	if c.Params.Has("expires_at") {
		switch {
		case before["voided_at"] != nil:
			return nil, apierr.InvalidRequest("Credit grant %s is voided; its expiry can no longer change.", before["id"]).WithParam("expires_at")
		case expired(before, now):
			return nil, apierr.InvalidRequest("Credit grant %s has expired; its expiry can no longer change.", before["id"]).WithParam("expires_at")
		}
		if c.Params.Unset("expires_at") {
			after["expires_at"] = nil
		} else {
			v, _ := c.Params.Int("expires_at")
			if err := checkExpiry(v, now, api.Int(before["effective_at"])); err != nil {
				return nil, err
			}
			after["expires_at"] = v
		}
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	prev := api.PreviousAttributes(before, after)
	if len(prev) == 0 {
		return after, nil
	}
	after["updated"] = c.Now
	if err := c.PutEmit(after, grantObject+".updated", prev); err != nil {
		return nil, err
	}
	if _, changed := prev["expires_at"]; changed {
		if after["expires_at"] == nil {
			c.DeleteMeta(workKey(expiryKey, c.Account, api.Str(after["id"])))
		} else if err := schedule(c, expiryKey, after, api.Int(after["expires_at"])); err != nil {
			return nil, err
		}
	}
	return after, nil
}

// expireGrant expires a grant now: what is left of its credit is taken
// off its ledger (credits_expired) and it applies to nothing more.
func expireGrant(c *api.Call) (any, error) {
	before, err := loadGrant(c)
	if err != nil {
		return nil, err
	}
	now := grantNow(c, before)
	if before["voided_at"] != nil {
		return nil, apierr.InvalidRequest("Credit grant %s is voided and cannot be expired.", before["id"])
	}
	if expired(before, now) {
		return nil, apierr.InvalidRequest("Credit grant %s has already expired.", before["id"])
	}
	after := api.Clone(before)
	after["expires_at"] = now
	return endGrant(c, before, after, "credits_expired", now)
}

// voidGrant voids a grant: what is left of its credit is taken off its
// ledger (credits_voided); credit it already applied stays applied.
func voidGrant(c *api.Call) (any, error) {
	before, err := loadGrant(c)
	if err != nil {
		return nil, err
	}
	if before["voided_at"] != nil {
		return nil, apierr.InvalidRequest("Credit grant %s is already voided.", before["id"])
	}
	now := grantNow(c, before)
	after := api.Clone(before)
	after["voided_at"] = now
	return endGrant(c, before, after, "credits_voided", now)
}

// endGrant stores a grant just expired or voided by hand, debits what is
// left of its credit, and drops the work the clock had for it.
func endGrant(c *api.Call, before, after store.Obj, debitType string, now int64) (any, error) {
	after["updated"] = c.Now
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	id := api.Str(after["id"])
	c.DeleteMeta(workKey(effectiveKey, c.Account, id))
	c.DeleteMeta(workKey(expiryKey, c.Account, id))
	if left := ledger(c.Tx, c.Account, id); left > 0 {
		if err := c.Insert(newDebit(c, after, left, debitType, nil, now)); err != nil {
			return nil, err
		}
	}
	return after, nil
}
