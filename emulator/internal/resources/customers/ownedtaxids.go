package customers

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
	"github.com/stripe-emu/stripe-emu/emulator/internal/taxid"
)

// The top-level Tax ID API (/v1/tax_ids): tax IDs by owner. owner[type]
// is self (the account making the request, the default), customer (the
// very tax IDs /v1/customers/{id}/tax_ids serves, with their events) or
// account (one of a platform's connected accounts, the tax ID kept by the
// platform). Account tax IDs are the merchant's own: Stripe does not
// verify them (verification is null) and sends no events about them.

// ownerTypes are owner[type]'s values (stripe-go's TaxIDOwnerType).
var ownerTypes = []string{"account", "application", "customer", "self"}

// ownerParam is owner[…] on create and list. stripe-go v82.5.1's
// TaxIDCreateParams and TaxIDListParams have no owner field (other SDKs
// send it), so it is declared here after Stripe's OpenAPI spec.
var ownerParam = params.Object(map[string]*params.Schema{
	"type": params.String(), "customer": params.String(), "account": params.String(),
})

func ownedTaxIDRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/tax_ids", params.FromStruct(stripe.TaxIDCreateParams{}).With("owner", ownerParam).
			Require("type", "value").Enum("type", taxid.Types...).Enum("owner.type", ownerTypes...), createOwnedTaxID),
		api.GET("/v1/tax_ids", params.FromStruct(stripe.TaxIDListParams{}).With("owner", ownerParam).Enum("owner.type", ownerTypes...), listOwnedTaxIDs),
		api.GET("/v1/tax_ids/{id}", params.FromStruct(stripe.TaxIDRetrieveParams{}), retrieveOwnedTaxID),
		api.DELETE("/v1/tax_ids/{id}", params.FromStruct(stripe.TaxIDDeleteParams{}), deleteOwnedTaxID),
	}
}

// taxIDOwner is an owner[…] parameter, checked: its type and the one
// reference that type takes.
type taxIDOwner struct {
	typ, customer, account string
}

// readOwner reads owner[…], self when it is not sent. The reference must
// exist: a live customer of the account, or a connected account of the
// platform.
func readOwner(c *api.Call) (taxIDOwner, error) {
	o, ok := c.Params.Obj("owner")
	if !ok {
		// Not sent, or sent empty (Stripe's "unset"): the default.
		return taxIDOwner{typ: "self"}, nil
	}
	switch {
	case !o.Has("type"):
		return taxIDOwner{}, apierr.MissingParam("owner[type]")
	case o.Unset("type"):
		return taxIDOwner{}, apierr.InvalidEmpty("owner[type]")
	}
	typ, _ := o.Str("type")
	own := taxIDOwner{typ: typ}
	own.customer, _ = o.Str("customer")
	own.account, _ = o.Str("account")
	// The one reference the type takes, and no other.
	for _, ref := range []struct{ name, value string }{{"customer", own.customer}, {"account", own.account}} {
		switch {
		case ref.name == typ && !o.Has(ref.name):
			return taxIDOwner{}, apierr.MissingParam("owner[" + ref.name + "]")
		case ref.name == typ && ref.value == "":
			return taxIDOwner{}, apierr.InvalidEmpty("owner[" + ref.name + "]")
		case ref.name != typ && o.Has(ref.name):
			return taxIDOwner{}, apierr.InvalidRequest("`owner[%s]` can only be set when `owner[type]` is `%s`.", ref.name, ref.name).WithParam("owner[" + ref.name + "]")
		}
	}
	switch typ {
	case "application":
		// An application's tax IDs belong to a Connect application acting
		// on an account it is connected to through OAuth: no such thing
		// here (the platform's connected accounts are its own).
		return taxIDOwner{}, apierr.InvalidRequest("stripe-emu does not emulate tax IDs owned by a Connect application (`owner[type]=application`); it emulates owners `self`, `customer` and `account`.").WithParam("owner[type]")
	case "customer":
		cus, ok := c.Tx.Get(c.Account, "customer", own.customer)
		if !ok || api.Bool(cus["deleted"]) {
			return taxIDOwner{}, apierr.NoSuchObject("customer", own.customer, "owner[customer]")
		}
	case "account":
		// A connected account has no connected accounts of its own, and
		// the platform is not one of its own.
		if c.Connected || own.account == c.Platform || !c.Tx.Exists(c.Platform, "account", own.account) {
			return taxIDOwner{}, apierr.NoSuchObject("account", own.account, "owner[account]")
		}
	}
	return own, nil
}

func createOwnedTaxID(c *api.Call) (any, error) {
	own, err := readOwner(c)
	if err != nil {
		return nil, err
	}
	typ, _ := c.Params.Str("type")
	value, _ := c.Params.Str("value")
	if own.typ == "customer" {
		return apiObj(createCustomerTaxID(c, own.customer, typ, value))
	}
	country, err := taxid.Check(typ, value, "value")
	if err != nil {
		return nil, err
	}
	if err := checkAccountTaxIDLimit(c, own); err != nil {
		return nil, err
	}
	owner := store.Obj{"type": own.typ}
	if own.typ == "account" {
		owner["account"] = own.account
	}
	txi := c.Object("tax_id", c.NewID("tax_id"), store.Obj{
		"country": country, "customer": nil, "owner": owner, "type": typ, "value": value, "verification": nil,
	})
	// No event: Stripe has none for account tax IDs (only customer.tax_id.*).
	return txi, c.Put(txi)
}

// MaxAccountTaxIDs is how many tax IDs an account may have of its own:
// "you can add up to 25 tax IDs to your account", Stripe's guide to
// account tax IDs says.
const MaxAccountTaxIDs = 25

// MaxInvoiceAccountTaxIDs is how many account tax IDs an invoice or a
// subscription's invoices may show: "you can use the API to specify up
// to 25 tax IDs with the account_tax_ids parameter", Stripe's guide says.
const MaxInvoiceAccountTaxIDs = 25

// CheckAccountTaxIDCount refuses more than 25 account_tax_ids sent at
// param. Stripe documents the limit, not its wording.
func CheckAccountTaxIDCount(n int, param string) error {
	if n > MaxInvoiceAccountTaxIDs {
		return apierr.InvalidRequest("You can pass at most %d tax IDs in %s, and %d were passed.", MaxInvoiceAccountTaxIDs, param, n).WithParam(param)
	}
	return nil
}

// checkAccountTaxIDLimit refuses a tax ID beyond the 25 an account (the
// calling account's own, or the connected account owner names) may have.
// Stripe documents the limit, not its wording.
func checkAccountTaxIDLimit(c *api.Call, own taxIDOwner) error {
	index, value := "owner", "self"
	if own.typ == "account" {
		index, value = "owner_account", own.account
	}
	n := 0
	c.Tx.EachIndexed(c.Account, "tax_id", index, value, func(o store.Obj) bool {
		if !api.Bool(o["deleted"]) {
			n++
		}
		return n < MaxAccountTaxIDs
	})
	if n >= MaxAccountTaxIDs {
		return apierr.InvalidRequest("An account can have at most %d tax IDs of its own, and this one has %d: delete one before adding another.", MaxAccountTaxIDs, n)
	}
	return nil
}

func listOwnedTaxIDs(c *api.Call) (any, error) {
	own, err := readOwner(c)
	if err != nil {
		return nil, err
	}
	q, err := c.ListQuery("tax_id")
	if err != nil {
		return nil, err
	}
	switch own.typ {
	case "customer":
		q.Index, q.Value = "customer", own.customer
	case "account":
		q.Index, q.Value = "owner_account", own.account
	default:
		q.Index, q.Value = "owner", "self"
	}
	return c.Page("tax_id", "/v1/tax_ids", q), nil
}

// retrieveOwnedTaxID finds any of the account's tax IDs by id, whoever
// owns it: Stripe's "Retrieves an account or customer tax_id object".
func retrieveOwnedTaxID(c *api.Call) (any, error) { return c.Retrieve("tax_id", c.Var("id")) }

// deleteOwnedTaxID deletes any of the account's tax IDs by id, a
// customer's as the customer endpoint does (customer.tax_id.deleted).
func deleteOwnedTaxID(c *api.Call) (any, error) {
	txi, err := c.Load("tax_id", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	return removeTaxID(c, txi)
}

// CheckAccountTaxID checks that id names a tax ID an invoice of this
// account can show as its issuer's (account_tax_ids): one of the
// account's own. param names it in an error.
func CheckAccountTaxID(c *api.Call, id, param string) error {
	return checkAccountTaxID(c, id, param, "", false)
}

// CheckInvoiceAccountTaxID is CheckAccountTaxID for an invoice's own
// account_tax_ids, which take the tax IDs of the connected account the
// invoice is issued on behalf of (onBehalfOf, "" for none) too.
func CheckInvoiceAccountTaxID(c *api.Call, id, param, onBehalfOf string) error {
	return checkAccountTaxID(c, id, param, onBehalfOf, true)
}

func checkAccountTaxID(c *api.Call, id, param, onBehalfOf string, invoice bool) error {
	f, ok := c.Tx.Fields(c.Account, "tax_id", id, "owner.type", "owner.account")
	if !ok {
		return apierr.NoSuchObject(TaxIDKind.Name, id, param)
	}
	switch f[0].String() {
	case "self":
		return nil
	case "account":
		// Stripe shows a connected account's tax IDs on invoices issued
		// on its behalf (on_behalf_of).
		if invoice {
			if onBehalfOf != "" && f[1].String() == onBehalfOf {
				return nil
			}
			return apierr.InvalidRequest("The tax ID %s belongs to the connected account %s: it can only be used on invoices issued on behalf of that account (`on_behalf_of`).", id, f[1].String()).WithParam(param)
		}
		return apierr.InvalidRequest("The tax ID %s belongs to the connected account %s: it can only be used on invoices issued on behalf of that account (`on_behalf_of`), which stripe-emu does not emulate.", id, f[1].String()).WithParam(param)
	}
	return apierr.InvalidRequest("The tax ID %s is a customer's tax ID; `%s` takes the account's own tax IDs (`owner[type]=self`).", id, param).WithParam(param)
}
