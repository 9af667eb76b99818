// Package catalog serves products and prices, and keeps their rules: a
// product's default price can't be archived, a product with prices can't be
// deleted, lookup keys are unique.
package catalog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/tax"
	"github.com/stripe-emu/stripe-emu/emulator/internal/search"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// ProductKind is the product object.
var ProductKind = &api.Kind{
	Object:     "product",
	Prefix:     "prod_",
	ShortID:    true,
	Expandable: []string{"default_price", "tax_code"},
	Indexes:    []store.Index{{Name: "active", Path: "active"}},
}

var productSearchFields = search.Fields{
	"active": search.Bool, "description": search.String, "name": search.String,
	"shippable": search.Bool, "url": search.String, "metadata": search.Metadata,
}

// ProductRoutes is the product endpoint table.
func ProductRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/products", params.FromStruct(stripe.ProductCreateParams{}).Require("name").
			Enum("default_price_data.tax_behavior", taxBehaviors...).Enum("default_price_data.recurring.interval", intervalNames...).
			Enum("type", productTypes...), createProduct),
		api.GET("/v1/products", params.FromStruct(stripe.ProductListParams{}).Enum("type", productTypes...), listProducts),
		api.GET("/v1/products/search", params.FromStruct(stripe.ProductSearchParams{}).Require("query"), searchProducts),
		api.GET("/v1/products/{id}", params.FromStruct(stripe.ProductRetrieveParams{}), retrieveProduct),
		api.POST("/v1/products/{id}", params.FromStruct(stripe.ProductUpdateParams{}), updateProduct),
		api.DELETE("/v1/products/{id}", params.FromStruct(stripe.ProductDeleteParams{}), deleteProduct),
	}
}

var productTypes = []string{"good", "service"}

var productFields = []string{"active", "description", "images", "marketing_features", "name", "package_dimensions", "shippable", "statement_descriptor", "tax_code", "unit_label", "url"}

var customID = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,255}$`)

// productLengths are the string limits of a product's parameters in
// Stripe's OpenAPI spec; a price's product_data has the same (it takes no
// description or url).
var productLengths = []api.MaxLength{
	{Path: "statement_descriptor", Limit: 22}, {Path: "unit_label", Limit: 12},
	{Path: "description", Limit: 40000}, {Path: "name", Limit: 5000}, {Path: "url", Limit: 5000},
}

// checkProduct refuses what Stripe's API reference limits a product to: up
// to 8 images and 15 marketing features, and the string lengths above.
// prefix names the parameters in errors ("" for a product's own).
func checkProduct(p params.Values, prefix string) error {
	name := params.Namer(prefix)
	// Stripe's spec lets none of these be emptied (it does the others).
	for _, f := range []string{"active", "name", "shippable", "statement_descriptor"} {
		if p.Unset(f) {
			return apierr.InvalidEmpty(name(f))
		}
	}
	for _, l := range productLengths {
		if s, _ := p.Str(l.Path); len([]rune(s)) > l.Limit {
			return apierr.TooLong(name(l.Path), s, l.Limit)
		}
	}
	if d, _ := p.Str("statement_descriptor"); d != "" {
		field := name("statement_descriptor")
		// Stripe's reference: "may not include <, >, \, ", ' characters"
		// and "must contain at least one letter" (the wording is the
		// emulator's).
		switch {
		case strings.ContainsAny(d, `<>\"'`):
			return apierr.InvalidRequest("The statement descriptor cannot contain any of the special characters <, >, \\, ' or \".").WithParam(field)
		case !strings.ContainsFunc(d, unicode.IsLetter):
			return apierr.InvalidRequest("The statement descriptor must contain at least one letter.").WithParam(field)
		}
	}
	for f, limit := range map[string]int{"images": 8, "marketing_features": 15} {
		if v, ok := p.Sent(f); ok {
			if list, _ := v.([]any); len(list) > limit {
				return apierr.TooMany(name(f), limit)
			}
		}
	}
	if v, ok := p.Sent("images"); ok {
		list, _ := v.([]any)
		for i, url := range list {
			if url == params.Unset {
				return apierr.InvalidEmpty(name(fmt.Sprintf("images.%d", i)))
			}
		}
	}
	// Each feature is named, and package dimensions come whole (Stripe's
	// spec requires every field of both).
	for i, f := range p.Array("marketing_features") {
		field := name(fmt.Sprintf("marketing_features.%d.name", i))
		switch n, ok := f.Str("name"); {
		case !ok:
			return apierr.MissingParam(field)
		case n == "":
			return apierr.InvalidEmpty(field)
		case utf8.RuneCountInString(n) > 80:
			return apierr.TooLong(field, n, 80)
		}
	}
	if v, _ := p.Sent("package_dimensions"); v != nil {
		pd, whole := v.(map[string]any) // not whole: emptied, package_dimensions=
		for _, f := range []string{"height", "length", "weight", "width"} {
			v, ok := pd[f]
			if whole && !ok {
				return apierr.MissingParam(name("package_dimensions." + f))
			}
			// "Maximum precision is 2 decimal places."
			if d, _ := v.(float64); decimalPlaces(d) > 2 {
				field := name("package_dimensions." + f)
				return apierr.InvalidRequest("Invalid %s: must have at most 2 decimal places", field).WithParam(field)
			}
		}
	}
	return nil
}

// checkServiceOnly refuses a unit_label or statement_descriptor (set, not
// emptied) on a product of type good: Stripe's reference for a product's
// update says each "May only be set if `type=service`" (the wording is the
// emulator's). Its reference for create no longer says so, and create
// takes them.
func checkServiceOnly(p params.Values, typ string) error {
	if typ != "good" {
		return nil
	}
	for _, f := range []string{"unit_label", "statement_descriptor"} {
		if v, _ := p.Str(f); v != "" {
			return apierr.InvalidRequest("`%s` may only be set if `type=service`; this product's type is `good`.", f).WithParam(f)
		}
	}
	return nil
}

func createProduct(c *api.Call) (any, error) {
	id := c.NewID("product")
	if v, ok := c.Params.Str("id"); ok && v != "" {
		if !customID.MatchString(v) {
			return nil, apierr.InvalidRequest("Invalid id: may only contain letters, digits, '_' and '-'").WithParam("id")
		}
		if c.Tx.Exists(c.Account, "product", v) {
			return nil, apierr.InvalidRequest("Product already exists.").WithParam("id").WithCode("resource_already_exists")
		}
		id = v
	}
	if err := checkTaxCode(c.Params, "tax_code"); err != nil {
		return nil, err
	}
	if err := checkProduct(c.Params, ""); err != nil {
		return nil, err
	}
	o := NewProduct(c, id, nil)
	c.Copy(o, productFields...)
	c.Copy(o, "type")
	if err := c.ApplyMetadata(o); err != nil {
		return nil, err
	}
	var price store.Obj
	if pd, ok := c.Params.Obj("default_price_data"); ok {
		if _, recurring := pd.Sent("recurring"); recurring {
			if err := checkPlanProduct(o, "default_price_data[recurring]"); err != nil {
				return nil, err
			}
		}
		p, err := buildPrice(c, pd, "default_price_data", id)
		if err != nil {
			return nil, err
		}
		price = p
		o["default_price"] = p["id"]
	}
	if err := c.Insert(o); err != nil {
		return nil, err
	}
	if price != nil {
		if err := c.Insert(price); err != nil {
			return nil, err
		}
		emitPlan(c, "created", nil, price)
	}
	return o, nil
}

// NewProduct builds a product with Stripe's defaults (id "" picks one).
func NewProduct(c *api.Call, id string, name any) store.Obj {
	if id == "" {
		id = c.NewID("product")
	}
	o := c.Object("product", id, store.Obj{
		"active": true, "default_price": nil, "description": nil, "images": []any{}, "marketing_features": []any{},
		"metadata": map[string]any{}, "name": name, "package_dimensions": nil, "shippable": nil, "statement_descriptor": nil,
		"tax_code": nil, "type": "service", "unit_label": nil, "updated": c.Now, "url": nil,
	})
	return o
}

// NewInlinePrice builds the archived price Stripe makes for price_data
// (on subscription items, Checkout line items).
func NewInlinePrice(c *api.Call, productID, currency string, unitAmount int64, recurring store.Obj) store.Obj {
	typ := "one_time"
	var rec any
	if recurring != nil {
		typ, rec = "recurring", recurring
	}
	id := c.NewID("price")
	// Stripe's price list leaves inline prices out; a write transaction's
	// Set cannot fail, and a failing request rolls the mark back.
	_ = c.SetMeta(inlineKey(c.Account, id), "1")
	p := c.Object("price", id, store.Obj{
		"active": false, "billing_scheme": "per_unit", "currency": currency, "custom_unit_amount": nil, "lookup_key": nil,
		"metadata": map[string]any{}, "nickname": nil, "product": productID, "recurring": rec, "tax_behavior": "unspecified",
		"tiers_mode": nil, "transform_quantity": nil, "type": typ, "unit_amount": unitAmount,
		"unit_amount_decimal": strconv.FormatInt(unitAmount, 10),
	})
	return p
}

// inlineKey marks a price made from price_data: Stripe's price list
// never shows one (its search does).
func inlineKey(account, id string) string { return "inlineprice:" + account + ":" + id }

// InlineTaxBehavior sets a price_data's tax_behavior on the inline price
// made from it (param names it in errors).
func InlineTaxBehavior(price store.Obj, pd params.Values, param string) error {
	v, _ := pd.Str("tax_behavior")
	switch v {
	case "":
	case "exclusive", "inclusive", "unspecified":
		price["tax_behavior"] = v
	default:
		return apierr.InvalidRequest("Invalid %s: must be one of exclusive, inclusive, or unspecified", param).WithParam(param)
	}
	return nil
}

// checkTaxCode refuses a tax_code in p (named param in errors) that is no
// Stripe tax code.
func checkTaxCode(p params.Values, param string) error {
	code, _ := p.Str("tax_code")
	return tax.CheckCode(code, param)
}

// Product is the product id names, or Stripe's "No such product" (param
// names it) when there is none or it was deleted: a deleted product's
// tombstone is stored under its id, so a bare lookup still finds it.
func Product(c *api.Call, id, param string) (store.Obj, error) {
	o, ok := c.Tx.Get(c.Account, "product", id)
	if !ok || api.Bool(o["deleted"]) {
		return nil, apierr.NoSuchObject("product", id, param)
	}
	return o, nil
}

func loadProduct(c *api.Call) (store.Obj, error) {
	o, err := c.Load("product", c.Var("id"), "id")
	if err == nil && api.Bool(o["deleted"]) {
		return nil, apierr.NoSuchObject("product", c.Var("id"), "id")
	}
	return o, err
}

// retrieveProduct serves a product; a deleted one is gone (Stripe's
// OpenAPI spec answers this route with a product only, never a
// deleted_product as a customer's can).
func retrieveProduct(c *api.Call) (any, error) {
	return loadProduct(c)
}

func updateProduct(c *api.Call) (any, error) {
	before, err := loadProduct(c)
	if err != nil {
		return nil, err
	}
	if err := checkTaxCode(c.Params, "tax_code"); err != nil {
		return nil, err
	}
	if err := checkProduct(c.Params, ""); err != nil {
		return nil, err
	}
	if err := checkServiceOnly(c.Params, api.Str(before["type"])); err != nil {
		return nil, err
	}
	after := api.Clone(before)
	c.Copy(after, productFields...)
	// Emptied lists are empty, never null.
	for _, f := range []string{"images", "marketing_features"} {
		if after[f] == nil {
			after[f] = []any{}
		}
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if c.Params.Has("default_price") {
		if c.Params.Unset("default_price") {
			after["default_price"] = nil
		} else {
			pid, _ := c.Params.Str("default_price")
			price, ok := c.Tx.Get(c.Account, "price", pid)
			switch {
			case !ok || (!api.Bool(price["active"]) && Gone(c, pid)): // deleted as a plan
				return nil, apierr.NoSuchObject("price", pid, "default_price")
			case api.Str(price["product"]) != api.Str(before["id"]):
				return nil, apierr.InvalidRequest("The price `%s` does not belong to this product; a product's default price must be one of its own prices.", pid).WithParam("default_price")
			case !api.Bool(price["active"]):
				return nil, apierr.InvalidRequest("The price specified is inactive. This field only accepts active prices.").WithParam("default_price")
			}
			after["default_price"] = pid
		}
	}
	if len(api.PreviousAttributes(before, after)) > 0 {
		after["updated"] = c.Now
	}
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	return after, nil
}

// deleteProduct refuses while any price (active or archived) belongs to the
// product, as Stripe does: only archiving the product is possible then.
// Plans deleted through /v1/plans no longer count (deleting a product's
// plans, then the product, is the Plans API's way).
func deleteProduct(c *api.Call) (any, error) {
	o, err := loadProduct(c)
	if err != nil {
		return nil, err
	}
	if p := c.Tx.List(c.Account, "price", store.Query{Index: "product", Value: api.Str(o["id"]), Limit: 1, Filter: notGone(c)}); len(p.Data) > 0 {
		return nil, apierr.InvalidRequest("This product cannot be deleted because it has one or more user-created prices.")
	}
	tomb := api.Deleted("product", api.Str(o["id"]))
	if err := c.Put(tomb); err != nil {
		return nil, err
	}
	c.Emit("product.deleted", o, nil)
	return tomb, nil
}

func listProducts(c *api.Call) (any, error) {
	q, err := c.ListQuery("product")
	if err != nil {
		return nil, err
	}
	if active, ok := c.Params.Bool("active"); ok {
		q.Index, q.Value = "active", boolString(active)
	}
	if ids := c.Params.Strings("ids"); len(ids) > 0 {
		// Stripe's reference: ids "Cannot be used with starting_after or
		// ending_before" (the message is Stripe's usual one for exclusive
		// parameters, not verified for this pair).
		for _, cursor := range []string{"starting_after", "ending_before"} {
			if c.Params.Has(cursor) {
				return nil, apierr.Exclusive("ids", cursor)
			}
		}
		want := map[string]bool{}
		for _, id := range ids {
			want[id] = true
		}
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return want[api.Str(o["id"])] })
	}
	if shippable, ok := c.Params.Bool("shippable"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["shippable"] == shippable })
	}
	if url, ok := c.Params.Str("url"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Str(o["url"]) == url })
	}
	if typ, ok := c.Params.Str("type"); ok && typ != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["type"] == typ })
	}
	return c.Page("product", "/v1/products", q), nil
}

func searchProducts(c *api.Call) (any, error) {
	return search.Run(c, "product", "/v1/products/search", productSearchFields)
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
