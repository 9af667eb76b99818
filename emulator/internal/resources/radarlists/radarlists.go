// Package radarlists serves Radar value lists (/v1/radar/value_lists,
// rsl_…) and their items (/v1/radar/value_list_items, rsli_…): the lists of
// emails, IP addresses, card fingerprints… that Radar rules refer to by
// alias. The emulator has no Radar rules, so a list blocks, allows or
// reviews nothing; Stripe's default lists, which its default rules read,
// are not made either. Stripe sends no events about value lists (its event
// types have none), so neither does the emulator.
package radarlists

import (
	"net"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/country"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// ListKind is the radar.value_list object.
var ListKind = &api.Kind{
	Object:  "radar.value_list",
	Prefix:  "rsl_",
	Indexes: []store.Index{{Name: "alias", Path: "alias"}},
}

// ItemKind is the radar.value_list_item object.
var ItemKind = &api.Kind{
	Object:  "radar.value_list_item",
	Prefix:  "rsli_",
	Indexes: []store.Index{{Name: "value_list", Path: "value_list"}},
}

// Kinds are the family's object types.
func Kinds() []*api.Kind { return []*api.Kind{ListKind, ItemKind} }

// ItemTypes are the kinds of values a list holds (Stripe's OpenAPI spec).
var ItemTypes = []string{"card_bin", "card_fingerprint", "case_sensitive_string", "country", "customer_id", "email",
	"ip_address", "sepa_debit_fingerprint", "string", "us_bank_account_fingerprint"}

// madeByAPI is the created_by Stripe gives a list or item a request makes
// (a Dashboard user's email is shown for what they make there).
const madeByAPI = "API"

// maxName is the longest alias or name Stripe takes.
const maxName = 100

// maxValue is the longest item value Stripe takes (and the longest value
// filter of a listing of items).
const maxValue = 800

// embeddedItems is how many of its items, newest first, a list shows in
// list_items.
const embeddedItems = 10

// Routes are the endpoints.
func Routes() []api.Route {
	return []api.Route{
		api.POST("/v1/radar/value_lists", params.FromStruct(stripe.RadarValueListCreateParams{}).Require("alias", "name").Enum("item_type", ItemTypes...), createList),
		api.GET("/v1/radar/value_lists", params.FromStruct(stripe.RadarValueListListParams{}), listLists),
		api.GET("/v1/radar/value_lists/{id}", params.FromStruct(stripe.RadarValueListRetrieveParams{}), retrieveList),
		api.POST("/v1/radar/value_lists/{id}", params.FromStruct(stripe.RadarValueListUpdateParams{}), updateList),
		api.DELETE("/v1/radar/value_lists/{id}", params.FromStruct(stripe.RadarValueListDeleteParams{}), deleteList),
		api.POST("/v1/radar/value_list_items", params.FromStruct(stripe.RadarValueListItemCreateParams{}).Require("value", "value_list"), createItem),
		api.GET("/v1/radar/value_list_items", params.FromStruct(stripe.RadarValueListItemListParams{}).Require("value_list"), listItems),
		api.GET("/v1/radar/value_list_items/{id}", params.FromStruct(stripe.RadarValueListItemRetrieveParams{}), retrieveItem),
		api.DELETE("/v1/radar/value_list_items/{id}", params.FromStruct(stripe.RadarValueListItemDeleteParams{}), deleteItem),
	}
}

// aliasPattern is what an alias, written into rules as @alias, may hold.
var aliasPattern = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// checkAlias refuses an alias rules could not name, or one another list
// of the account already has (except the list being updated, self).
func checkAlias(c *api.Call, alias, self string) error {
	switch {
	case alias == "":
		return apierr.InvalidEmpty("alias")
	case utf8.RuneCountInString(alias) > maxName:
		return apierr.TooLong("alias", alias, maxName)
	case !aliasPattern.MatchString(alias):
		return apierr.InvalidRequest("Invalid alias: %s. An alias may only contain letters, numbers and underscores.", alias).WithParam("alias")
	}
	taken := false
	c.Tx.EachIndexed(c.Account, "radar.value_list", "alias", alias, func(o store.Obj) bool {
		taken = o["id"] != self
		return !taken
	})
	if taken {
		return apierr.InvalidRequest("A value list with the alias %s already exists. Aliases must be unique.", alias).WithParam("alias")
	}
	return nil
}

func checkName(name string) error {
	switch {
	case name == "":
		return apierr.InvalidEmpty("name")
	case utf8.RuneCountInString(name) > maxName:
		return apierr.TooLong("name", name, maxName)
	}
	return nil
}

func createList(c *api.Call) (any, error) {
	alias, _ := c.Params.Str("alias")
	name, _ := c.Params.Str("name")
	if err := checkAlias(c, alias, ""); err != nil {
		return nil, err
	}
	if err := checkName(name); err != nil {
		return nil, err
	}
	itemType, _ := c.Params.Str("item_type")
	if itemType == "" {
		itemType = "string"
	}
	id := c.NewID("radar.value_list")
	l := c.Object("radar.value_list", id, store.Obj{
		"alias": alias, "created_by": madeByAPI, "item_type": itemType, "list_items": embedded(id, nil, false, 0),
		"metadata": map[string]any{}, "name": name,
	})
	if err := c.ApplyMetadata(l); err != nil {
		return nil, err
	}
	return l, c.Put(l)
}

// embedded is a list's list_items. Stripe's examples show it with a
// total_count (one of the legacy places that still carry one).
func embedded(id string, items []store.Obj, more bool, total int) store.Obj {
	data := make([]any, len(items))
	for i, o := range items {
		data[i] = api.Clone(o) // the item may be the one this request stores
	}
	return store.Obj{"object": "list", "data": data, "has_more": more, "total_count": int64(total),
		"url": "/v1/radar/value_list_items?value_list=" + id}
}

// refreshItems shows a list's newest items in its list_items once they
// changed.
func refreshItems(c *api.Call, listID string) error {
	before, ok := c.Tx.Get(c.Account, "radar.value_list", listID)
	if !ok {
		return nil
	}
	p := c.Tx.List(c.Account, "radar.value_list_item", store.Query{Index: "value_list", Value: listID, Limit: embeddedItems})
	total := 0
	c.Tx.EachIndexedRaw(c.Account, "radar.value_list_item", "value_list", listID, func(string) bool {
		total++
		return true
	})
	l := api.Clone(before)
	l["list_items"] = embedded(listID, p.Data, p.HasMore, total)
	return c.Put(l)
}

func retrieveList(c *api.Call) (any, error) { return c.Retrieve("radar.value_list", c.Var("id")) }

// updateList changes what Stripe lets change: alias, name and metadata
// (never item_type).
func updateList(c *api.Call) (any, error) {
	before, err := c.Load("radar.value_list", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if alias, ok := c.Params.Str("alias"); ok {
		if err := checkAlias(c, alias, api.Str(before["id"])); err != nil {
			return nil, err
		}
		after["alias"] = alias
	}
	if name, ok := c.Params.Str("name"); ok {
		if err := checkName(name); err != nil {
			return nil, err
		}
		after["name"] = name
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	return after, c.Put(after)
}

// deleteList deletes a list and every item in it (no rule can refer to it
// here, which at Stripe would prevent the deletion).
func deleteList(c *api.Call) (any, error) {
	l, err := c.Load("radar.value_list", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	id := api.Str(l["id"])
	var items []string
	c.Tx.EachIndexed(c.Account, "radar.value_list_item", "value_list", id, func(o store.Obj) bool {
		items = append(items, api.Str(o["id"]))
		return true
	})
	for _, item := range items {
		if err := c.Tx.Delete(c.Account, "radar.value_list_item", item); err != nil {
			return nil, err
		}
	}
	if err := c.Tx.Delete(c.Account, "radar.value_list", id); err != nil {
		return nil, err
	}
	return api.Deleted("radar.value_list", id), nil
}

// listLists lists the account's lists, newest first, by alias or by a
// value they contain.
func listLists(c *api.Call) (any, error) {
	// The filters are an alias and a value: Stripe's limits on those.
	if err := c.CheckLengths(api.MaxLength{Path: "alias", Limit: maxName}, api.MaxLength{Path: "contains", Limit: maxValue}); err != nil {
		return nil, err
	}
	q, err := c.ListQuery("radar.value_list")
	if err != nil {
		return nil, err
	}
	if alias, _ := c.Params.Str("alias"); alias != "" {
		q.Index, q.Value = "alias", alias
	}
	if value, _ := c.Params.Str("contains"); value != "" {
		holding := map[any]bool{}
		types := map[any]string{}
		c.Tx.Each(c.Account, "radar.value_list_item", func(o store.Obj) bool {
			list := o["value_list"]
			if _, ok := types[list]; !ok {
				f, _ := c.Tx.Fields(c.Account, "radar.value_list", api.Str(list), "item_type")
				if len(f) > 0 {
					types[list] = f[0].String()
				}
			}
			if same(types[list], api.Str(o["value"]), value) {
				holding[list] = true
			}
			return true
		})
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return holding[o["id"]] })
	}
	return c.Page("radar.value_list", "/v1/radar/value_lists", q), nil
}

// same reports whether two values of a list of itemType are one: strings
// and emails match whatever their case, countries are codes in any case,
// everything else matches exactly.
func same(itemType, a, b string) bool {
	switch itemType {
	case "string", "email", "country":
		return strings.EqualFold(a, b)
	}
	return a == b
}

var (
	digits       = regexp.MustCompile(`^[0-9]+$`)
	alphanumeric = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// checkValue refuses a value that is not of the list's item_type.
func checkValue(itemType, value string) error {
	var ok bool
	var what string
	switch itemType {
	case "ip_address":
		ok, what = net.ParseIP(value) != nil, "an IP address"
	case "email":
		ok, what = emailPattern.MatchString(value), "an email address"
	case "country":
		ok, what = country.Known(strings.ToUpper(value)), "a two-letter country code (ISO 3166-1 alpha-2)"
	case "card_bin":
		ok, what = digits.MatchString(value) && len(value) >= 6 && len(value) <= 8, "a card BIN (the first 6 to 8 digits of a card number)"
	case "customer_id":
		ok, what = strings.HasPrefix(value, "cus_") && len(value) > len("cus_"), "a customer ID (cus_…)"
	case "card_fingerprint", "us_bank_account_fingerprint", "sepa_debit_fingerprint":
		ok, what = alphanumeric.MatchString(value), "a fingerprint (letters and digits)"
	default: // string, case_sensitive_string
		ok = true
	}
	if !ok {
		return apierr.InvalidRequest("Invalid value: %s is not %s, which this value list of item_type %s holds.", value, what, itemType).WithParam("value")
	}
	return nil
}

func createItem(c *api.Call) (any, error) {
	value, _ := c.Params.Str("value")
	listID, _ := c.Params.Str("value_list")
	if value == "" {
		return nil, apierr.InvalidEmpty("value")
	}
	if utf8.RuneCountInString(value) > maxValue {
		return nil, apierr.TooLong("value", value, maxValue)
	}
	l, err := c.Load("radar.value_list", listID, "value_list")
	if err != nil {
		return nil, err
	}
	itemType := api.Str(l["item_type"])
	if err := checkValue(itemType, value); err != nil {
		return nil, err
	}
	dup := false
	c.Tx.EachIndexed(c.Account, "radar.value_list_item", "value_list", listID, func(o store.Obj) bool {
		dup = same(itemType, api.Str(o["value"]), value)
		return !dup
	})
	if dup {
		return nil, apierr.InvalidRequest("The value %s is already in the value list %s.", value, listID).WithParam("value")
	}
	item := c.Object("radar.value_list_item", c.NewID("radar.value_list_item"), store.Obj{
		"created_by": madeByAPI, "value": value, "value_list": listID,
	})
	if err := c.Put(item); err != nil {
		return nil, err
	}
	return item, refreshItems(c, listID)
}

func retrieveItem(c *api.Call) (any, error) {
	return c.Retrieve("radar.value_list_item", c.Var("id"))
}

func deleteItem(c *api.Call) (any, error) {
	item, err := c.Load("radar.value_list_item", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	id, listID := api.Str(item["id"]), api.Str(item["value_list"])
	if err := c.Tx.Delete(c.Account, "radar.value_list_item", id); err != nil {
		return nil, err
	}
	if err := refreshItems(c, listID); err != nil {
		return nil, err
	}
	return api.Deleted("radar.value_list_item", id), nil
}

// listItems lists a list's items, newest first; value keeps those whose
// value is like it (contains it, whatever the case).
func listItems(c *api.Call) (any, error) {
	listID, _ := c.Params.Str("value_list")
	if !c.Tx.Exists(c.Account, "radar.value_list", listID) {
		return nil, apierr.NoSuchObject(ListKind.Name, listID, "value_list")
	}
	q, err := c.ListQuery("radar.value_list_item")
	if err != nil {
		return nil, err
	}
	q.Index, q.Value = "value_list", listID
	if value, _ := c.Params.Str("value"); value != "" {
		if utf8.RuneCountInString(value) > maxValue {
			return nil, apierr.TooLong("value", value, maxValue)
		}
		like := strings.ToLower(value)
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return strings.Contains(strings.ToLower(api.Str(o["value"])), like) })
	}
	return c.Page("radar.value_list_item", "/v1/radar/value_list_items", q), nil
}
