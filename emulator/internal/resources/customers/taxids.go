package customers

import (
	"fmt"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
	"github.com/stripe-emu/stripe-emu/emulator/internal/taxid"
)

// TaxIDKind is a tax ID: its type, value and the country they say, owned
// by a customer (shown on the customer's invoices), by the account itself
// or by one of a platform's connected accounts (shown on invoices the
// account issues, account_tax_ids). Events about it are customer.tax_id.*,
// and only for a customer's: Stripe has no events about account tax IDs.
var TaxIDKind = &api.Kind{
	Object: "tax_id", Prefix: "txi_", Name: "tax id", EventPrefix: "customer.tax_id",
	Expandable: []string{"customer", "owner.customer", "owner.account"},
	Indexes: []store.Index{
		{Name: "customer", Path: "customer"},
		{Name: "verification", Path: "verification.status"},
		{Name: "owner", Path: "owner.type"},
		{Name: "owner_account", Path: "owner.account"},
	},
	// Invoices keep naming an account tax ID deleted since.
	DeletedStub: true,
}

// TaxIDRoutes are the endpoints under /v1/customers/{id}/tax_ids and the
// top-level /v1/tax_ids.
func TaxIDRoutes() []api.Route {
	base := "/v1/customers/{customer}/tax_ids"
	return append([]api.Route{
		api.POST(base, params.FromStruct(stripe.TaxIDCreateParams{}).Require("type", "value").Enum("type", taxid.Types...), createTaxID),
		api.GET(base, params.FromStruct(stripe.TaxIDListParams{}), listTaxIDs),
		api.GET(base+"/{id}", params.FromStruct(stripe.TaxIDRetrieveParams{}), retrieveTaxID),
		api.DELETE(base+"/{id}", params.FromStruct(stripe.TaxIDDeleteParams{}), deleteTaxID),
	}, ownedTaxIDRoutes()...)
}

// TaxIDsChangedHooks run, in the same transaction, after a customer's
// tax IDs changed (one added or deleted): billing keeps the customer's
// draft invoices' customer_tax_ids current.
var TaxIDsChangedHooks []func(c *api.Call, customer string) error

func taxIDsChanged(c *api.Call, customer string) error {
	for _, hook := range TaxIDsChangedHooks {
		if err := hook(c, customer); err != nil {
			return err
		}
	}
	return nil
}

// newTaxID validates a tax ID for a customer and builds it; param names
// the value in an error ("value", "tax_id_data[0][value]").
func newTaxID(c *api.Call, customer, typ, value, param string) (store.Obj, error) {
	country, err := taxid.Check(typ, value, param)
	if err != nil {
		return nil, err
	}
	return c.Object("tax_id", c.NewID("tax_id"), store.Obj{
		"country": country, "customer": customer, "owner": store.Obj{"type": "customer", "customer": customer},
		"type": typ, "value": value, "verification": taxid.InitialVerification(typ),
	}), nil
}

// insertTaxID stores a new tax ID with customer.tax_id.created.
func insertTaxID(c *api.Call, txi store.Obj) error {
	if err := c.Insert(txi); err != nil {
		return err
	}
	return taxIDsChanged(c, api.Str(txi["customer"]))
}

// AddTaxID gives a customer a tax ID as POST /v1/customers/:id/tax_ids
// does (customer.tax_id.created), unless it has one of that type and
// value already: a tax ID the buyer typed on Checkout's page.
func AddTaxID(c *api.Call, customer, typ, value, param string) error {
	found := false
	c.Tx.EachIndexed(c.Account, "tax_id", "customer", customer, func(o store.Obj) bool {
		found = o["type"] == typ && o["value"] == value
		return !found
	})
	if found {
		return nil
	}
	txi, err := newTaxID(c, customer, typ, value, param)
	if err != nil {
		return err
	}
	return insertTaxID(c, txi)
}

func createTaxID(c *api.Call) (any, error) {
	cus, err := pathCustomer(c)
	if err != nil {
		return nil, err
	}
	typ, _ := c.Params.Str("type")
	value, _ := c.Params.Str("value")
	return apiObj(createCustomerTaxID(c, api.Str(cus["id"]), typ, value))
}

// apiObj answers an object or an error, never a nil object as an answer.
func apiObj(o store.Obj, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return o, nil
}

// createCustomerTaxID creates a tax ID for a customer through the API
// (its own endpoint or /v1/tax_ids with owner[customer]), within the
// customer's limit.
func createCustomerTaxID(c *api.Call, customer, typ, value string) (store.Obj, error) {
	txi, err := newTaxID(c, customer, typ, value, "value")
	if err != nil {
		return nil, err
	}
	if n := countTaxIDs(c, customer); n >= MaxCustomerTaxIDs {
		return nil, tooManyCustomerTaxIDs(n, "")
	}
	return txi, insertTaxID(c, txi)
}

// MaxCustomerTaxIDs is how many tax IDs a customer may have: "you can
// add up to five tax IDs to a customer", Stripe's guide to account and
// customer tax IDs says.
const MaxCustomerTaxIDs = 5

func countTaxIDs(c *api.Call, customer string) int {
	n := 0
	c.Tx.EachIndexed(c.Account, "tax_id", "customer", customer, func(store.Obj) bool {
		n++
		return true
	})
	return n
}

// tooManyCustomerTaxIDs refuses a tax ID beyond a customer's five.
// Stripe documents the limit, not its wording or code.
func tooManyCustomerTaxIDs(n int, param string) error {
	return apierr.InvalidRequest("A customer can have at most %d tax IDs, and this one would have %d: delete one before adding another.", MaxCustomerTaxIDs, n+1).WithParam(param)
}

// createTaxIDData creates the tax IDs a new customer was sent in
// tax_id_data[], in order, after the customer itself.
func createTaxIDData(c *api.Call, cus store.Obj) error {
	data := c.Params.Array("tax_id_data")
	if len(data) > MaxCustomerTaxIDs {
		return tooManyCustomerTaxIDs(len(data)-1, "tax_id_data")
	}
	for i, td := range data {
		prefix := fmt.Sprintf("tax_id_data[%d]", i)
		for _, f := range []string{"type", "value"} {
			switch {
			case !td.Has(f):
				return apierr.MissingParam(prefix + "[" + f + "]")
			case td.Unset(f):
				return apierr.InvalidEmpty(prefix + "[" + f + "]")
			}
		}
		typ, _ := td.Str("type")
		value, _ := td.Str("value")
		txi, err := newTaxID(c, api.Str(cus["id"]), typ, value, prefix+"[value]")
		if err != nil {
			return err
		}
		if err := insertTaxID(c, txi); err != nil {
			return err
		}
	}
	return nil
}

func loadTaxID(c *api.Call) (store.Obj, error) {
	if _, err := pathCustomer(c); err != nil {
		return nil, err
	}
	txi, ok := c.Tx.Get(c.Account, "tax_id", c.Var("id"))
	if !ok || txi["customer"] != c.Var("customer") {
		return nil, apierr.NoSuchObject(TaxIDKind.Name, c.Var("id"), "id")
	}
	return txi, nil
}

func retrieveTaxID(c *api.Call) (any, error) { return loadTaxID(c) }

func deleteTaxID(c *api.Call) (any, error) {
	txi, err := loadTaxID(c)
	if err != nil {
		return nil, err
	}
	return removeTaxID(c, txi)
}

// removeTaxID deletes a tax ID for good (Stripe has no stub of a deleted
// tax ID to retrieve), a customer's with customer.tax_id.deleted.
func removeTaxID(c *api.Call, txi store.Obj) (any, error) {
	id := api.Str(txi["id"])
	if err := c.Tx.Delete(c.Account, "tax_id", id); err != nil {
		return nil, err
	}
	if customer := api.Str(txi["customer"]); customer != "" {
		c.Emit(c.Registry.EventType("tax_id", "deleted"), txi, nil)
		if err := taxIDsChanged(c, customer); err != nil {
			return nil, err
		}
	}
	return api.Deleted("tax_id", id), nil
}

func listTaxIDs(c *api.Call) (any, error) {
	cus, err := pathCustomer(c)
	if err != nil {
		return nil, err
	}
	q, err := c.ListQuery("tax_id")
	if err != nil {
		return nil, err
	}
	q.Index, q.Value = "customer", api.Str(cus["id"])
	return c.Page("tax_id", "/v1/customers/"+api.Str(cus["id"])+"/tax_ids", q), nil
}

// customerTaxIDs is the includable customer.tax_ids: the first page of
// the customer's tax IDs, newest first.
func customerTaxIDs(c *api.Call, cus store.Obj) (any, error) {
	id := api.Str(cus["id"])
	p := c.Tx.List(c.Account, "tax_id", store.Query{Index: "customer", Value: id, Limit: 10})
	data := make([]any, len(p.Data))
	for i, o := range p.Data {
		data[i] = o
	}
	return store.Obj{"object": "list", "data": data, "has_more": p.HasMore, "url": "/v1/customers/" + id + "/tax_ids"}, nil
}

// InvoiceTaxIDs are a customer's tax IDs as an invoice shows them
// (customer_tax_ids): {type, value} of each, in the order of
// customer.tax_ids (newest first).
func InvoiceTaxIDs(c *api.Call, customer string) []any {
	out := []any{}
	if customer == "" {
		return out
	}
	c.Tx.EachIndexed(c.Account, "tax_id", "customer", customer, func(o store.Obj) bool {
		out = append(out, store.Obj{"type": o["type"], "value": o["value"]})
		return true
	})
	// EachIndexed walks oldest first.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// deleteTaxIDsOf removes a customer's tax IDs without events: a deleted
// customer's (Stripe sends no customer.tax_id.deleted for them:
// customer.deleted says it), or those a preview replaces.
func deleteTaxIDsOf(c *api.Call, customer string) error {
	var ids []string
	c.Tx.EachIndexed(c.Account, "tax_id", "customer", customer, func(o store.Obj) bool {
		ids = append(ids, api.Str(o["id"]))
		return true
	})
	for _, id := range ids {
		if err := c.Tx.Delete(c.Account, "tax_id", id); err != nil {
			return err
		}
	}
	return nil
}

// TaxIDTimer settles pending verifications. Stripe verifies tax IDs with
// the government registers asynchronously and tells with
// customer.tax_id.updated; in test mode its magic numbers decide the
// outcome. Here a pending tax ID settles on the clock's first tick after
// it was created (222222222 never does).
var TaxIDTimer = api.Timer{
	Due: func(_ *api.Env, tx *store.Tx, account string, target int64) []api.Due {
		var out []api.Due
		tx.EachIndexedRaw(account, "tax_id", "verification", "pending", func(raw string) bool {
			f := store.Pick(raw, "id", "created", "type", "value")
			if d, ok := verificationWork(account, f[0].String(), f[1].Int(), f[2].String(), f[3].String(), target); ok {
				out = append(out, d)
			}
			return true
		})
		return out
	},
	Watch: []string{"tax_id"},
	DueOf: func(_ *api.Env, tx *store.Tx, account string, ref store.Ref, target int64) []api.Due {
		f, ok := tx.Fields(account, "tax_id", ref.ID, "verification.status", "created", "type", "value")
		if !ok || f[0].String() != "pending" {
			return nil
		}
		if d, ok := verificationWork(account, ref.ID, f[1].Int(), f[2].String(), f[3].String(), target); ok {
			return []api.Due{d}
		}
		return nil
	},
}

func verificationWork(account, id string, created int64, typ, value string, target int64) (api.Due, bool) {
	if created > target || taxid.SettledStatus(typ, value) == "" {
		return api.Due{}, false
	}
	return api.Due{At: created, Account: account, About: store.Ref{Type: "tax_id", ID: id}, Kind: "verify tax id", Run: func(c *api.Call) error {
		before, ok := c.Tx.Get(account, "tax_id", id)
		if !ok || api.Obj(before["verification"])["status"] != "pending" {
			return nil
		}
		after := api.Clone(before)
		api.Obj(after["verification"])["status"] = taxid.SettledStatus(typ, value)
		return c.Save(before, after)
	}}, true
}

// PreviewTaxIDs puts in place of a customer's tax IDs those an invoice
// preview's customer_details[tax_ids] gives (param names them; empty
// leaves none), checked as a customer's are, with no event: the preview
// discards its transaction, so the customer keeps its own.
func PreviewTaxIDs(c *api.Call, customer string, data []params.Values, param string) error {
	if len(data) > MaxCustomerTaxIDs {
		return tooManyCustomerTaxIDs(len(data)-1, param)
	}
	if err := deleteTaxIDsOf(c, customer); err != nil {
		return err
	}
	for i, td := range data {
		prefix := fmt.Sprintf("%s[%d]", param, i)
		for _, f := range []string{"type", "value"} {
			if v, _ := td.Str(f); v == "" {
				return apierr.MissingParam(prefix + "[" + f + "]")
			}
		}
		typ, _ := td.Str("type")
		value, _ := td.Str("value")
		txi, err := newTaxID(c, customer, typ, value, prefix+"[value]")
		if err != nil {
			return err
		}
		if err := c.Put(txi); err != nil {
			return err
		}
	}
	return nil
}
