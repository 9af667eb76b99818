package billing

import (
	"fmt"
	"slices"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Account tax IDs on invoices (account_tax_ids): the issuing account's
// own tax IDs an invoice shows beside the customer's, set on a draft
// (invoices' account_tax_ids) or by a subscription on the invoices it
// makes (invoice_settings[account_tax_ids]), kept as ids. Finalizing
// freezes them with the rest of the invoice. A tax ID deleted later stays
// named: expanded, it is Stripe's deleted_tax_id stub.

// accountTaxIDsParam reads the account tax IDs sent at name in p (param
// names them in errors): ok is false when nothing was sent; an empty
// value clears them (null, as an invoice that never had any).
func accountTaxIDsParam(c *api.Call, p params.Values, name, param string) (any, bool, error) {
	return accountTaxIDsParamFor(c, p, name, param, nil)
}

// accountTaxIDsParamFor is accountTaxIDsParam for an invoice's own
// (inv, nil for a subscription's): a connected account's tax IDs are
// taken on an invoice issued on its behalf.
func accountTaxIDsParamFor(c *api.Call, p params.Values, name, param string, inv store.Obj) (any, bool, error) {
	if !p.Has(name) {
		return nil, false, nil
	}
	if p.Unset(name) {
		return nil, true, nil
	}
	ids := p.Strings(name)
	if err := customers.CheckAccountTaxIDCount(len(ids), param); err != nil {
		return nil, false, err
	}
	out := make([]any, len(ids))
	for i, id := range ids {
		check := customers.CheckAccountTaxID(c, id, fmt.Sprintf("%s[%d]", param, i))
		if inv != nil {
			check = customers.CheckInvoiceAccountTaxID(c, id, fmt.Sprintf("%s[%d]", param, i), api.Str(inv["on_behalf_of"]))
		}
		if err := check; err != nil {
			return nil, false, err
		}
		out[i] = id
	}
	return out, true, nil
}

// applyAccountTaxIDs sets a draft invoice's account_tax_ids from the
// request.
func applyAccountTaxIDs(c *api.Call, inv store.Obj) error {
	ids, ok, err := accountTaxIDsParamFor(c, c.Params, "account_tax_ids", "account_tax_ids", inv)
	if ok {
		inv["account_tax_ids"] = ids
	}
	return err
}

// applySubscriptionAccountTaxIDs sets a subscription's
// invoice_settings[account_tax_ids] from the request.
func applySubscriptionAccountTaxIDs(c *api.Call, sub store.Obj) error {
	settings, sent := c.Params.Obj("invoice_settings")
	if !sent {
		return nil
	}
	ids, ok, err := accountTaxIDsParam(c, settings, "account_tax_ids", "invoice_settings[account_tax_ids]")
	if ok {
		next := api.Clone(api.Obj(sub["invoice_settings"]))
		next["account_tax_ids"] = ids
		sub["invoice_settings"] = next
	}
	return err
}

// subscriptionAccountTaxIDs puts a subscription's account tax IDs on an
// invoice it makes (a map lookup on the subscription at hand: nothing is
// read for the subscriptions that have none).
func subscriptionAccountTaxIDs(sub, inv store.Obj) {
	if ids, _ := api.Obj(sub["invoice_settings"])["account_tax_ids"].([]any); len(ids) > 0 {
		inv["account_tax_ids"] = slices.Clone(ids)
	}
}

// defaultAccountTaxIDs gives an invoice being finalized without account
// tax IDs of its own the account's settings[invoices][default_account_tax_ids],
// which, as stripe-go's parameter docs say, "get added when an invoice is
// finalized" (one read of the account's field).
func defaultAccountTaxIDs(c *api.Call, inv store.Obj) {
	if ids, _ := inv["account_tax_ids"].([]any); len(ids) > 0 {
		return
	}
	f, ok := c.Tx.Fields(c.Platform, "account", c.Account, "settings.invoices.default_account_tax_ids")
	if !ok || !f[0].IsArray() {
		return
	}
	var ids []any
	for _, id := range f[0].Array() {
		ids = append(ids, id.String())
	}
	if len(ids) > 0 {
		inv["account_tax_ids"] = ids
	}
}
