package catalog

import (
	"strconv"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// At Stripe a plan and a recurring price are two views of one object:
// a plan made through /v1/plans is a price (GET /v1/prices/{id}), and a
// recurring price is a plan (GET /v1/plans/{id}). So plans are not stored
// at all: the price is, and the plan routes render it with the plan's
// field names (PlanOf). A change through either API sends both price.*
// and plan.* events. A one-time price is no plan.

// PlanKind is the plan view of a recurring price. It has no id prefix of
// its own (plan ids are price ids, or the merchant's own) and nothing is
// stored under it; it tells expansion what a rendered plan can expand.
var PlanKind = &api.Kind{
	Object:     "plan",
	Expandable: []string{"product"},
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){"tiers": priceTiers},
}

// PlanRoutes is the plan endpoint table.
func PlanRoutes() []api.Route {
	create := params.FromStruct(stripe.PlanCreateParams{}).
		// product is an id or an inline product: stripe-go has a field
		// for each form, both named product.
		With("product", params.StringOrObject(params.FromStruct(stripe.PlanCreateProductParams{}).Fields)).
		Require("currency", "interval").
		Enum("interval", intervalNames...).Enum("billing_scheme", "per_unit", "tiered").
		Enum("tiers_mode", "graduated", "volume").Enum("usage_type", "licensed", "metered").
		Enum("transform_usage.round", "down", "up")
	return []api.Route{
		api.POST("/v1/plans", create, createPlan),
		api.GET("/v1/plans", params.FromStruct(stripe.PlanListParams{}), listPlans),
		api.GET("/v1/plans/{id}", params.FromStruct(stripe.PlanRetrieveParams{}), retrievePlan),
		api.POST("/v1/plans/{id}", params.FromStruct(stripe.PlanUpdateParams{}), updatePlan),
		api.DELETE("/v1/plans/{id}", params.FromStruct(stripe.PlanDeleteParams{}), deletePlan),
	}
}

// PlanOf renders a recurring price as the plan it is (on subscription
// items too, which still show their plan).
func PlanOf(price store.Obj) store.Obj {
	r := api.Obj(price["recurring"])
	return store.Obj{
		"id": price["id"], "object": "plan", "active": price["active"], "amount": price["unit_amount"],
		"amount_decimal": price["unit_amount_decimal"], "billing_scheme": price["billing_scheme"], "created": price["created"],
		"currency": price["currency"], "interval": r["interval"], "interval_count": r["interval_count"], "livemode": false,
		"metadata": price["metadata"], "meter": r["meter"], "nickname": price["nickname"], "product": price["product"],
		"tiers_mode": price["tiers_mode"], "transform_usage": price["transform_quantity"],
		"trial_period_days": r["trial_period_days"], "usage_type": r["usage_type"],
	}
}

// deletedKey marks a price deleted through DELETE /v1/plans. The price
// itself stays stored, archived: subscriptions already on it keep
// renewing by it, as at Stripe, but neither API finds it any more.
func deletedKey(account, id string) string { return "plandeleted:" + account + ":" + id }

// Gone reports whether a price was deleted as a plan. Deleted prices are
// archived, so callers that already refuse inactive prices ask only for
// those.
func Gone(c *api.Call, id string) bool {
	_, ok := c.Tx.GetMeta(deletedKey(c.Account, id))
	return ok
}

// notGone keeps the prices not deleted as plans (only archived ones can
// be: for the rest nothing is looked up).
func notGone(c *api.Call) func(store.Obj) bool {
	return func(o store.Obj) bool { return o["active"] != false || !Gone(c, api.Str(o["id"])) }
}

// loadPlan is the price a plan id names, or Stripe's "No such plan" for an
// id that names no price, a one-time price or a deleted plan.
func loadPlan(c *api.Call, id, param string) (store.Obj, error) {
	price, ok := c.Tx.Get(c.Account, "price", id)
	if !ok || price["type"] != "recurring" || (!api.Bool(price["active"]) && Gone(c, id)) {
		return nil, apierr.NoSuchObject("plan", id, param)
	}
	return price, nil
}

// emitPlan sends the plan.* event that goes with a price.* event about a
// recurring price; for an update, only when the plan view changed.
func emitPlan(c *api.Call, action string, before, after store.Obj) {
	if after["type"] != "recurring" {
		return
	}
	plan := PlanOf(after)
	var prev store.Obj
	if before != nil {
		if prev = api.PreviousAttributes(PlanOf(before), plan); len(prev) == 0 {
			return
		}
	}
	c.Emit("plan."+action, plan, prev)
}

func createPlan(c *api.Call) (any, error) {
	id := c.NewID("price")
	if v, ok := c.Params.Str("id"); ok && v != "" {
		if !customID.MatchString(v) {
			return nil, apierr.InvalidRequest("Invalid id: may only contain letters, digits, '_' and '-'").WithParam("id")
		}
		if old, ok := c.Tx.Get(c.Account, "price", v); ok {
			if api.Bool(old["active"]) || !Gone(c, v) {
				return nil, apierr.InvalidRequest("Plan already exists.").WithParam("id").WithCode("resource_already_exists")
			}
			if err := replaceDeleted(c, old); err != nil {
				return nil, err
			}
		}
		id = v
	}
	productID, newProduct, err := planProduct(c)
	if err != nil {
		return nil, err
	}
	price, tiers, err := buildPlanPrice(c, id, productID)
	if err != nil {
		return nil, err
	}
	if newProduct != nil {
		if err := c.Insert(newProduct); err != nil {
			return nil, err
		}
	}
	if tiers != nil {
		if err := storeTiers(c, id, tiers); err != nil {
			return nil, err
		}
	}
	if err := c.Insert(price); err != nil {
		return nil, err
	}
	emitPlan(c, "created", nil, price)
	return PlanOf(price), nil
}

// replaceDeleted makes way for a new plan under a deleted plan's id, which
// Stripe lets a merchant reuse: the new price is stored over the old one,
// and what is kept beside it by id (tiers, currency options, the deleted
// mark) goes. Subscriptions still on the deleted plan keep their items'
// copies of it, rendering and renewing as before; but a tiered or
// multi-currency plan's amounts are read from what is kept by id, so while
// a subscription or schedule still bills one, its id is refused rather than
// let the new plan's tiers bill the old subscriptions.
func replaceDeleted(c *api.Call, old store.Obj) error {
	id := api.Str(old["id"])
	_, hasTiers := c.Tx.GetMeta(tiersKey(c.Account, id))
	_, hasOptions := c.Tx.GetMeta(optionsKey(c.Account, id))
	if (hasTiers || hasOptions) && stillBilled(c, id) {
		return apierr.InvalidRequest("stripe-emu does not emulate reusing the id of deleted plan `%s` while a subscription or subscription schedule still bills its tiers or currency options, so it refused the request rather than bill them by the new plan's.", id).WithParam("id")
	}
	c.DeleteMeta(tiersKey(c.Account, id))
	c.DeleteMeta(optionsKey(c.Account, id))
	c.DeleteMeta(deletedKey(c.Account, id))
	return nil
}

// stillBilled reports whether a subscription that has not ended, or a
// schedule not yet done with, has an item on the price.
func stillBilled(c *api.Call, priceID string) bool {
	ended := map[any]bool{"canceled": true, "incomplete_expired": true, "completed": true, "released": true}
	live := func(o store.Obj) bool { return !ended[o["status"]] }
	if subs := c.Tx.List(c.Account, "subscription", store.Query{Index: "price", Value: priceID, Limit: 1, Filter: live}); len(subs.Data) > 0 {
		return true
	}
	return scheduledOn(c, priceID, live)
}

// planProduct is the product a new plan belongs to: an existing one by
// id, or one made from product[…] (returned to be stored).
func planProduct(c *api.Call) (string, store.Obj, error) {
	if pd, ok := c.Params.Obj("product"); ok {
		name, _ := pd.Str("name")
		if name == "" {
			return "", nil, apierr.MissingParam("product[name]")
		}
		prod, err := inlineProduct(c, pd, "product")
		if err != nil {
			return "", nil, err
		}
		return api.Str(prod["id"]), prod, nil
	}
	id, _ := c.Params.Str("product")
	if id == "" {
		return "", nil, apierr.MissingParam("product")
	}
	prod, ok := c.Tx.Get(c.Account, "product", id)
	if !ok || api.Bool(prod["deleted"]) {
		return "", nil, apierr.NoSuchObject("product", id, "product")
	}
	if err := checkPlanProduct(prod, "product"); err != nil {
		return "", nil, err
	}
	return id, nil, nil
}

// buildPlanPrice makes the price a plan create describes, under the plan's
// names: amount is unit_amount, interval and the rest are recurring[…],
// transform_usage is transform_quantity. A tiered plan's tiers are
// returned to be stored once the price is.
func buildPlanPrice(c *api.Call, id, productID string) (store.Obj, []tier, error) {
	p := c.Params
	currency, _ := p.Str("currency")
	if !supportedCurrency(strings.ToLower(currency)) {
		return nil, nil, invalidCurrency(currency, "currency")
	}
	o := c.Object("price", id, store.Obj{
		"active": true, "billing_scheme": "per_unit", "currency": strings.ToLower(currency), "custom_unit_amount": nil,
		"lookup_key": nil, "metadata": map[string]any{}, "nickname": nil, "product": productID, "recurring": nil,
		"tax_behavior": "unspecified", "tiers_mode": nil, "transform_quantity": nil, "type": "recurring",
		"unit_amount": nil, "unit_amount_decimal": nil,
	})
	if v, ok := p.Bool("active"); ok {
		o["active"] = v
	}
	if v, _ := p.Str("nickname"); v != "" {
		o["nickname"] = v
	}
	if md, ok := p.Metadata("metadata"); ok {
		o["metadata"] = md
	}
	if v, _ := p.Str("billing_scheme"); v != "" {
		o["billing_scheme"] = v
	}
	tiered := o["billing_scheme"] == "tiered"
	if err := checkPlanScheme(p, tiered); err != nil {
		return nil, nil, err
	}
	var tiers []tier
	switch amount, hasAmount := p.Int("amount"); {
	case tiered:
		var err error
		if tiers, err = readTiers(p, "tiers"); err != nil {
			return nil, nil, err
		}
		o["tiers_mode"], _ = p.Str("tiers_mode")
	case hasAmount:
		if amount < 0 {
			return nil, nil, apierr.InvalidRequest("Invalid non-negative integer: %d", amount).WithParam("amount").WithCode("parameter_invalid_integer")
		}
		if p.Has("amount_decimal") {
			return nil, nil, apierr.Exclusive("amount", "amount_decimal")
		}
		o["unit_amount"], o["unit_amount_decimal"] = amount, strconv.FormatInt(amount, 10)
	case p.Has("amount_decimal"):
		d, _ := p.Float("amount_decimal")
		if err := checkDecimal(d, "amount_decimal"); err != nil {
			return nil, nil, err
		}
		o["unit_amount_decimal"] = strconv.FormatFloat(d, 'f', -1, 64)
		if d == float64(int64(d)) {
			o["unit_amount"] = int64(d)
		}
	default:
		return nil, nil, apierr.MissingParam("amount")
	}
	if tu, ok := p.Obj("transform_usage"); ok {
		t, err := readTransform(tu, "transform_usage")
		if err != nil {
			return nil, nil, err
		}
		o["transform_quantity"] = t
	}
	rec, err := planRecurring(c)
	if err != nil {
		return nil, nil, err
	}
	o["recurring"] = rec
	return o, tiers, nil
}

// checkPlanScheme is checkScheme under the plan's names: a tiered plan
// needs tiers_mode and tiers and takes no amount; any other takes neither
// tiers nor tiers_mode; tiers and transform_usage are exclusive.
func checkPlanScheme(p params.Values, tiered bool) error {
	if !tiered {
		for _, f := range []string{"tiers", "tiers_mode"} {
			if _, sent := p.Sent(f); sent {
				return apierr.InvalidRequest("You may only specify `%s` when `billing_scheme` is `tiered`.", f).WithParam(f)
			}
		}
		return nil
	}
	if v, ok := p.Sent("tiers_mode"); !ok || v == params.Unset {
		return apierr.MissingParam("tiers_mode")
	}
	if v, ok := p.Sent("tiers"); !ok || v == params.Unset {
		return apierr.MissingParam("tiers")
	}
	if _, sent := p.Sent("transform_usage"); sent {
		return apierr.InvalidRequest("You may only specify one of these parameters: tiers, transform_usage.").WithParam("tiers")
	}
	for _, f := range []string{"amount", "amount_decimal"} {
		if _, sent := p.Sent(f); sent {
			return apierr.InvalidRequest("You may not specify `%s` when `billing_scheme` is `tiered`: a tiered plan takes its amounts from `tiers`.", f).WithParam(f)
		}
	}
	return nil
}

// readTransform reads a transform_quantity (a price's) or transform_usage
// (a plan's): both fields are required, divide_by at least 1.
func readTransform(t params.Values, name string) (store.Obj, error) {
	divide, ok := t.Int("divide_by")
	if !ok {
		return nil, apierr.MissingParam(name + "[divide_by]")
	}
	if divide < 1 {
		return nil, apierr.InvalidRequest("Invalid %s[divide_by]: must be at least 1", name).WithParam(name + "[divide_by]")
	}
	round, _ := t.Str("round")
	if round == "" {
		return nil, apierr.MissingParam(name + "[round]")
	}
	return store.Obj{"divide_by": divide, "round": round}, nil
}

// planRecurring is the recurring hash of a new plan's price.
func planRecurring(c *api.Call) (store.Obj, error) {
	p := c.Params
	interval, _ := p.Str("interval")
	count := int64(1)
	if n, ok := p.Int("interval_count"); ok {
		count = n
	}
	if err := checkPeriod(interval, count, "interval_count"); err != nil {
		return nil, err
	}
	usage := "licensed"
	if u, _ := p.Str("usage_type"); u != "" {
		usage = u
	}
	var trial any
	if d, ok := p.Int("trial_period_days"); ok {
		if d < 0 || d > 730 {
			return nil, apierr.InvalidRequest("Invalid trial_period_days: must be between 0 and 730").WithParam("trial_period_days")
		}
		trial = d
	}
	var meter any
	if m, _ := p.Str("meter"); m != "" {
		if usage != "metered" {
			return nil, apierr.InvalidRequest("meter can only be set on a plan whose usage_type is `metered`.").WithParam("meter")
		}
		mo, ok := c.Tx.Get(c.Account, "billing.meter", m)
		if !ok {
			return nil, apierr.NoSuchObject("billing meter", m, "meter")
		}
		if mo["status"] != "active" {
			// Stripe: a deactivated meter cannot be attached to a price.
			return nil, apierr.InvalidRequest("The meter %s is inactive: a deactivated meter cannot be attached to a price. Reactivate it first.", m).WithParam("meter")
		}
		meter = m
	} else if usage == "metered" {
		// Since 2025-03-31.basil usage is recorded only through meters.
		return nil, apierr.MissingParam("meter")
	}
	return store.Obj{"interval": interval, "interval_count": count, "meter": meter, "trial_period_days": trial, "usage_type": usage}, nil
}

func retrievePlan(c *api.Call) (any, error) {
	price, err := loadPlan(c, c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	return PlanOf(price), nil
}

// updatePlan changes what a plan's update may: active, metadata, nickname,
// trial_period_days, and product (Stripe: not once the plan was used in a
// subscription or subscription schedule).
func updatePlan(c *api.Call) (any, error) {
	before, err := loadPlan(c, c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if active, ok := c.Params.Bool("active"); ok {
		if err := checkArchivable(c, before, active); err != nil {
			return nil, err
		}
		after["active"] = active
	}
	c.Copy(after, "nickname")
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if c.Params.Has("trial_period_days") {
		rec := api.Clone(api.Obj(before["recurring"]))
		if c.Params.Unset("trial_period_days") {
			rec["trial_period_days"] = nil
		} else {
			d, _ := c.Params.Int("trial_period_days")
			if d < 0 || d > 730 {
				return nil, apierr.InvalidRequest("Invalid trial_period_days: must be between 0 and 730").WithParam("trial_period_days")
			}
			rec["trial_period_days"] = d
		}
		after["recurring"] = rec
	}
	if prod, _ := c.Params.Str("product"); prod != "" && prod != api.Str(before["product"]) {
		p, ok := c.Tx.Get(c.Account, "product", prod)
		if !ok || api.Bool(p["deleted"]) {
			return nil, apierr.NoSuchObject("product", prod, "product")
		}
		if err := checkPlanProduct(p, "product"); err != nil {
			return nil, err
		}
		if owner, _ := c.Tx.Get(c.Account, "product", api.Str(before["product"])); owner != nil && api.Str(owner["default_price"]) == api.Str(before["id"]) {
			// Its product would point at a price of another product, which
			// could then be archived.
			return nil, apierr.InvalidRequest("stripe-emu does not emulate moving plan `%s` to another product while it is the default price of its product `%s` (Stripe's answer is not documented), so it refused the request rather than leave that product's default price on another product. Change the product's default_price first.", before["id"], owner["id"]).WithParam("product")
		}
		if usedBySubscriptions(c, api.Str(before["id"])) {
			return nil, apierr.InvalidRequest("The product of plan `%s` cannot be changed: the plan has been used in a subscription or subscription schedule.", before["id"]).WithParam("product")
		}
		after["product"] = prod
	}
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	emitPlan(c, "updated", before, after)
	return PlanOf(after), nil
}

// checkPlanProduct refuses a plan (or recurring price) on a product of
// type good: Stripe's reference has goods "eligible for use with Orders
// and SKUs" and services "with Subscriptions and Plans", and refuses a
// plan on a good in these words (param names the parameter).
func checkPlanProduct(prod store.Obj, param string) error {
	if prod["type"] != "good" {
		return nil
	}
	return apierr.InvalidRequest("Plans may only be created with products of type `service`, but the supplied product (`%s`) had type `good`.", api.Str(prod["id"])).WithParam(param)
}

// checkArchivable refuses to archive an active product's default price.
// Once the product is archived its default price may be archived too, as
// integrators have recorded from Stripe's test mode (the product keeps
// showing it as its default_price: whether Stripe's does is not known).
func checkArchivable(c *api.Call, price store.Obj, active bool) error {
	if active || !api.Bool(price["active"]) {
		return nil
	}
	prod, _ := c.Tx.Get(c.Account, "product", api.Str(price["product"]))
	if prod != nil && api.Bool(prod["active"]) && api.Str(prod["default_price"]) == api.Str(price["id"]) {
		return apierr.InvalidRequest("This price cannot be archived because it is the default price of its product.")
	}
	return nil
}

// usedBySubscriptions reports whether any subscription (by its price index)
// or subscription schedule phase (by a walk: changing a plan's product is
// rare) has an item on the price.
func usedBySubscriptions(c *api.Call, priceID string) bool {
	if subs := c.Tx.List(c.Account, "subscription", store.Query{Index: "price", Value: priceID, Limit: 1}); len(subs.Data) > 0 {
		return true
	}
	return scheduledOn(c, priceID, func(store.Obj) bool { return true })
}

// scheduledOn reports whether a subscription schedule that keep accepts has
// a phase with an item on the price (a walk: rare requests ask).
func scheduledOn(c *api.Call, priceID string, keep func(store.Obj) bool) bool {
	used := false
	c.Tx.Each(c.Account, "subscription_schedule", func(o store.Obj) bool {
		if !keep(o) {
			return true
		}
		phases, _ := o["phases"].([]any)
		for _, ph := range phases {
			items, _ := api.Obj(ph)["items"].([]any)
			for _, it := range items {
				if api.Str(api.Obj(it)["price"]) == priceID {
					used = true
				}
			}
		}
		return !used
	})
	return used
}

// deletePlan deletes a plan, and with it the price it is: price.deleted
// and plan.deleted, both about the archived object. Subscriptions
// already on it go on (their items keep the price they were made with);
// neither API serves it any more, and its product may then be deleted.
func deletePlan(c *api.Call) (any, error) {
	before, err := loadPlan(c, c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	id := api.Str(before["id"])
	prod, _ := c.Tx.Get(c.Account, "product", api.Str(before["product"]))
	if prod != nil && api.Str(prod["default_price"]) == id {
		return nil, apierr.InvalidRequest("This plan cannot be deleted because it is the default price of its product.")
	}
	after := api.Clone(before)
	after["active"] = false
	if err := c.Put(after); err != nil {
		return nil, err
	}
	if err := c.SetMeta(deletedKey(c.Account, id), "1"); err != nil {
		return nil, err
	}
	c.Emit("price.deleted", after, nil)
	c.Emit("plan.deleted", PlanOf(after), nil)
	return store.Obj{"id": id, "object": "plan", "deleted": true}, nil
}

func listPlans(c *api.Call) (any, error) {
	for _, param := range []string{"starting_after", "ending_before"} {
		if id, _ := c.Params.Str(param); id != "" {
			if _, err := loadPlan(c, id, param); err != nil {
				return nil, err
			}
		}
	}
	q, err := c.ListQuery("price")
	if err != nil {
		return nil, err
	}
	active, hasActive := c.Params.Bool("active")
	if product, _ := c.Params.Str("product"); product != "" {
		q.Index, q.Value = "product", product
	} else if hasActive {
		q.Index, q.Value = "active", boolString(active)
	}
	q.Filter = api.And(q.Filter, func(o store.Obj) bool {
		return o["type"] == "recurring" && (!hasActive || o["active"] == active)
	})
	q.Filter = api.And(q.Filter, notGone(c))
	page := c.Page("price", "/v1/plans", q)
	for i, o := range page.Data {
		page.Data[i] = PlanOf(o)
	}
	return page, nil
}
