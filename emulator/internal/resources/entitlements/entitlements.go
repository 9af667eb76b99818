// Package entitlements serves Stripe Entitlements: features
// (/v1/entitlements/features), the features attached to products
// (/v1/products/{id}/features) and a customer's active entitlements
// (/v1/entitlements/active_entitlements), which follow from the
// customer's subscriptions: every subscription that grants access
// entitles the customer to the features of its items' products. When
// what a customer is entitled to changes, Stripe sends
// entitlements.active_entitlement_summary.updated.
//
// Stripe sends no events about features or product features themselves.
package entitlements

import (
	"encoding/json"
	"slices"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// The objects this family owns. Product features and active entitlements
// are kept in meta (they carry no field naming their product or
// customer to index them by) and rendered when read.
var (
	// Test-mode ids carry "test_" as Stripe's do (feat_test_…, ent_test_…);
	// the shorter prefixes are those of ids stored before.
	FeatureKind           = &api.Kind{Object: "entitlements.feature", Prefix: "feat_test_", OtherPrefixes: []string{"feat_"}, Name: "feature"}
	ProductFeatureKind    = &api.Kind{Object: "product_feature", Prefix: "prodft_", Name: "product feature"}
	ActiveEntitlementKind = &api.Kind{Object: "entitlements.active_entitlement", Prefix: "ent_test_", OtherPrefixes: []string{"ent_"}, Name: "active entitlement", Expandable: []string{"feature"}}
	SummaryKind           = &api.Kind{Object: "entitlements.active_entitlement_summary", EventPrefix: "entitlements.active_entitlement_summary"}
)

// Kinds are the objects this family owns.
func Kinds() []*api.Kind {
	return []*api.Kind{FeatureKind, ProductFeatureKind, ActiveEntitlementKind, SummaryKind}
}

// Routes are this family's endpoints.
func Routes() []api.Route {
	pf := "/v1/products/{product}/features"
	return []api.Route{
		api.POST("/v1/entitlements/features", params.FromStruct(stripe.EntitlementsFeatureCreateParams{}).Require("name", "lookup_key"), createFeature),
		api.GET("/v1/entitlements/features", params.FromStruct(stripe.EntitlementsFeatureListParams{}), listFeatures),
		api.GET("/v1/entitlements/features/{id}", params.FromStruct(stripe.EntitlementsFeatureRetrieveParams{}), retrieveFeature),
		api.POST("/v1/entitlements/features/{id}", params.FromStruct(stripe.EntitlementsFeatureUpdateParams{}), updateFeature),
		api.POST(pf, params.FromStruct(stripe.ProductFeatureCreateParams{}).Require("entitlement_feature"), attachFeature),
		api.GET(pf, params.FromStruct(stripe.ProductFeatureListParams{}), listProductFeatures),
		api.GET(pf+"/{id}", params.FromStruct(stripe.ProductFeatureRetrieveParams{}), retrieveProductFeature),
		api.DELETE(pf+"/{id}", params.FromStruct(stripe.ProductFeatureDeleteParams{}), detachFeature),
		api.GET("/v1/entitlements/active_entitlements", params.FromStruct(stripe.EntitlementsActiveEntitlementListParams{}).Require("customer"), listActiveEntitlements),
		api.GET("/v1/entitlements/active_entitlements/{id}", params.FromStruct(stripe.EntitlementsActiveEntitlementRetrieveParams{}), retrieveActiveEntitlement),
	}
}

// lengths are the longest name and lookup_key Stripe takes, in
// characters (its spec's maxLength).
var lengths = []api.MaxLength{{Path: "name", Limit: 80}, {Path: "lookup_key", Limit: 80}}

// --- features ---

func createFeature(c *api.Call) (any, error) {
	name, _ := c.Params.Str("name")
	key, _ := c.Params.Str("lookup_key")
	if err := c.CheckLengths(lengths...); err != nil {
		return nil, err
	}
	if err := lookupKeyFree(c, key); err != nil {
		return nil, err
	}
	f := store.Obj{"id": c.NewID("entitlements.feature"), "object": "entitlements.feature", "livemode": false,
		"active": true, "lookup_key": key, "metadata": map[string]any{}, "name": name}
	if err := c.ApplyMetadata(f); err != nil {
		return nil, err
	}
	return f, c.Put(f)
}

// lookupKeyFree refuses a lookup_key an active feature has: lookup keys
// are unique among active features, and an archived feature's key can be
// taken again (archiving is for good).
func lookupKeyFree(c *api.Call, key string) error {
	taken := ""
	c.Tx.Each(c.Account, "entitlements.feature", func(o store.Obj) bool {
		if o["lookup_key"] == key && api.Bool(o["active"]) {
			taken = api.Str(o["id"])
			return false
		}
		return true
	})
	if taken != "" {
		return apierr.InvalidRequest("A feature with lookup_key `%s` already exists.", key).WithParam("lookup_key")
	}
	return nil
}

func retrieveFeature(c *api.Call) (any, error) {
	return c.Retrieve("entitlements.feature", c.Var("id"))
}

func updateFeature(c *api.Call) (any, error) {
	before, err := c.Load("entitlements.feature", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	// Archiving is for good: Stripe's reference has this endpoint "update a
	// feature's metadata or permanently deactivate it". An archived feature
	// is neither reactivated nor edited (the wording is the emulator's).
	if !api.Bool(before["active"]) {
		if v, ok := c.Params.Bool("active"); ok && v {
			return nil, apierr.InvalidRequest("The feature `%s` is archived and cannot be reactivated.", before["id"]).WithParam("active")
		}
		if c.Params.Has("name") || c.Params.Has("metadata") {
			return nil, apierr.InvalidRequest("The feature `%s` is archived and cannot be updated.", before["id"])
		}
	}
	after := api.Clone(before)
	if c.Params.Has("name") {
		name, _ := c.Params.Str("name")
		if name == "" {
			return nil, apierr.InvalidEmpty("name")
		}
		if err := c.CheckLengths(lengths...); err != nil {
			return nil, err
		}
		after["name"] = name
	}
	if v, ok := c.Params.Bool("active"); ok {
		after["active"] = v
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	return after, c.Put(after)
}

func listFeatures(c *api.Call) (any, error) {
	q, err := c.ListQuery("entitlements.feature")
	if err != nil {
		return nil, err
	}
	if archived, ok := c.Params.Bool("archived"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Bool(o["active"]) != archived })
	}
	if key, ok := c.Params.Str("lookup_key"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["lookup_key"] == key })
	}
	return c.Page("entitlements.feature", "/v1/entitlements/features", q), nil
}

// --- product features ---

// attached is one feature attached to a product, as kept in meta.
type attached struct {
	ID      string `json:"id"`
	Feature string `json:"feature"`
}

func productFeaturesKey(account, product string) string {
	return "entitlements:" + account + ":product:" + product
}

// productFeatures are the features attached to a product, oldest first.
func productFeatures(tx *store.Tx, account, product string) []attached {
	var out []attached
	if raw, ok := tx.GetMeta(productFeaturesKey(account, product)); ok {
		_ = json.Unmarshal([]byte(raw), &out)
	}
	return out
}

func setProductFeatures(c *api.Call, product string, list []attached) error {
	if len(list) == 0 {
		c.DeleteMeta(productFeaturesKey(c.Account, product))
		return nil
	}
	raw, _ := json.Marshal(list)
	return c.SetMeta(productFeaturesKey(c.Account, product), string(raw))
}

// pathProduct is the (not deleted) product in the path.
func pathProduct(c *api.Call) (string, error) {
	id := c.Var("product")
	p, ok := c.Tx.Get(c.Account, "product", id)
	if !ok || api.Bool(p["deleted"]) {
		return "", apierr.NoSuchObject("product", id, "id")
	}
	return id, nil
}

// renderProductFeature is the product_feature object, its feature as it
// is now.
func renderProductFeature(c *api.Call, a attached) store.Obj {
	f, _ := c.Tx.Get(c.Account, "entitlements.feature", a.Feature)
	return store.Obj{"id": a.ID, "object": "product_feature", "livemode": false, "entitlement_feature": f}
}

func attachFeature(c *api.Call) (any, error) {
	product, err := pathProduct(c)
	if err != nil {
		return nil, err
	}
	fid, _ := c.Params.Str("entitlement_feature")
	f, err := c.Load("entitlements.feature", fid, "entitlement_feature")
	if err != nil {
		return nil, err
	}
	if !api.Bool(f["active"]) {
		return nil, apierr.InvalidRequest("The feature `%s` is archived and cannot be attached to a product.", fid).WithParam("entitlement_feature")
	}
	list := productFeatures(c.Tx, c.Account, product)
	for _, a := range list {
		if a.Feature == fid {
			return nil, apierr.InvalidRequest("The feature `%s` is already attached to the product `%s`.", fid, product).WithParam("entitlement_feature")
		}
	}
	a := attached{ID: c.IDs.Long(ProductFeatureKind.Prefix), Feature: fid}
	if err := setProductFeatures(c, product, append(list, a)); err != nil {
		return nil, err
	}
	return renderProductFeature(c, a), nil
}

func findProductFeature(c *api.Call) (string, []attached, int, error) {
	product, err := pathProduct(c)
	if err != nil {
		return "", nil, 0, err
	}
	list := productFeatures(c.Tx, c.Account, product)
	i := slices.IndexFunc(list, func(a attached) bool { return a.ID == c.Var("id") })
	if i < 0 {
		return "", nil, 0, apierr.NoSuchObject(ProductFeatureKind.Name, c.Var("id"), "id")
	}
	return product, list, i, nil
}

func retrieveProductFeature(c *api.Call) (any, error) {
	_, list, i, err := findProductFeature(c)
	if err != nil {
		return nil, err
	}
	return renderProductFeature(c, list[i]), nil
}

func detachFeature(c *api.Call) (any, error) {
	product, list, i, err := findProductFeature(c)
	if err != nil {
		return nil, err
	}
	id := list[i].ID
	if err := setProductFeatures(c, product, slices.Delete(list, i, i+1)); err != nil {
		return nil, err
	}
	return api.Deleted("product_feature", id), nil
}

func listProductFeatures(c *api.Call) (any, error) {
	product, err := pathProduct(c)
	if err != nil {
		return nil, err
	}
	list := productFeatures(c.Tx, c.Account, product)
	data := make([]any, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- { // newest first
		data = append(data, renderProductFeature(c, list[i]))
	}
	return api.EmbeddedPage(c, data, "/v1/products/"+product+"/features", ProductFeatureKind.Name)
}
