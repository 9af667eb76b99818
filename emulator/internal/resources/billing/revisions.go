package billing

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Invoice revisions (Stripe's "Edit invoices" guide): POST /v1/invoices
// with from_invoice[action]=revision and from_invoice[invoice] makes a
// new draft copying a finalized invoice, open or uncollectible, that no
// subscription made; finalizing that draft voids the invoice it revises,
// whose latest_revision then names it.

// revisionCopied are the fields a revision takes from the invoice it
// revises: what the invoice bills and how, as the guide's "Edit invoice"
// starts from the invoice as it is. Dates of the original's own life
// (created, finalization, effective_at), its number and payments are not
// copied; auto_advance is the API's default (off) unless sent.
var revisionCopied = []string{
	"account_tax_ids", "automatic_tax", "collection_method", "custom_fields", "default_payment_method",
	"default_source", "default_tax_rates", "description", "discounts", "due_date", "footer", "issuer",
	"metadata", "on_behalf_of", "payment_settings", "rendering", "shipping_cost", "shipping_details",
	"statement_descriptor",
}

// revisedOriginal reads from_invoice on create: the invoice to revise
// (nil when from_invoice is not sent), which must be one a revision may
// be made of. customer is the customer sent ("" for none): it must be
// the original's.
func revisedOriginal(c *api.Call, customer string) (store.Obj, error) {
	fi, ok := c.Params.Obj("from_invoice")
	if !ok {
		return nil, nil
	}
	if action, _ := fi.Str("action"); action != "revision" {
		// The only relation Stripe has (enum checked before).
		return nil, apierr.MissingParam("from_invoice[action]")
	}
	id, _ := fi.Str("invoice")
	if id == "" {
		return nil, apierr.MissingParam("from_invoice[invoice]")
	}
	orig, ok := c.Tx.Get(c.Account, "invoice", id)
	if !ok || api.Bool(orig["deleted"]) {
		return nil, apierr.NoSuchObject("invoice", id, "from_invoice[invoice]")
	}
	if c.Params.Has("subscription") {
		return nil, apierr.Exclusive("from_invoice", "subscription")
	}
	if customer != "" && customer != orig["customer"] {
		return nil, apierr.InvalidRequest("A revision bills the customer of the invoice it revises (%s), not %s.", orig["customer"], customer).WithParam("customer")
	}
	if err := revisable(orig); err != nil {
		return nil, err
	}
	return orig, nil
}

// revisable refuses what the guide says cannot be revised: a draft (not
// finalized yet: it is edited as it is), a paid or void invoice, and an
// invoice a subscription made; and, which the guide does not say, one
// with money already paid on it, which its voiding would strand.
func revisable(orig store.Obj) error {
	switch orig["status"] {
	case "open", "uncollectible":
	case "draft":
		return apierr.InvalidRequest("You can only revise finalized invoices; invoice %s is a draft, which you can edit as it is.", orig["id"]).WithParam("from_invoice[invoice]").WithCode("invoice_not_editable")
	default:
		return apierr.InvalidRequest("You can only revise open or uncollectible invoices; invoice %s has status %s.", orig["id"], orig["status"]).WithParam("from_invoice[invoice]").WithCode("invoice_not_editable")
	}
	if api.Obj(orig["parent"])["type"] == "subscription_details" {
		return apierr.InvalidRequest("You can't revise invoice %s: invoices attached to subscriptions can't be revised after finalization.", orig["id"]).WithParam("from_invoice[invoice]").WithCode("invoice_not_editable")
	}
	if api.Int(orig["amount_paid"]) > 0 {
		return apierr.InvalidRequest("You can't revise invoice %s: it has payments (amount_paid %d).", orig["id"], api.Int(orig["amount_paid"])).WithParam("from_invoice[invoice]").WithCode("invoice_not_editable")
	}
	return nil
}

// copyRevised makes inv, a new draft not yet stored, a revision of orig:
// its settings, and copies of orig's invoice items (new ii_ ids, with
// what they were told for Stripe Tax) on it, its lines and totals.
func copyRevised(c *api.Call, inv, orig store.Obj) error {
	for _, k := range revisionCopied {
		if v, ok := orig[k]; ok {
			if m, isObj := v.(map[string]any); isObj {
				v = api.Clone(m)
			} else if l, isList := v.([]any); isList {
				v = append([]any{}, l...)
			}
			inv[k] = v
		}
	}
	if at := api.Obj(inv["automatic_tax"]); len(at) > 0 {
		at["status"] = nil // worked out again for the draft
	}
	inv["from_invoice"] = store.Obj{"action": "revision", "invoice": orig["id"]}
	if raw, ok := c.Tx.GetMeta(intentTermsKey(c.Account, api.Str(orig["id"]))); ok {
		if err := c.SetMeta(intentTermsKey(c.Account, api.Str(inv["id"])), raw); err != nil {
			return err
		}
	}
	items := c.Tx.List(c.Account, "invoiceitem", store.Query{Index: "invoice", Value: api.Str(orig["id"])})
	for i := len(items.Data) - 1; i >= 0; i-- { // oldest first, the lines' order
		ii := items.Data[i]
		if api.Bool(ii["deleted"]) {
			continue
		}
		cp := api.Clone(ii)
		cp["id"] = c.NewID("invoiceitem")
		cp["invoice"] = inv["id"]
		cp["date"] = inv["created"]
		if raw, ok := c.Tx.GetMeta(itemTaxKey(c.Account, api.Str(ii["id"]))); ok {
			if err := c.SetMeta(itemTaxKey(c.Account, api.Str(cp["id"])), raw); err != nil {
				return err
			}
		}
		if err := c.Insert(cp); err != nil {
			return err
		}
	}
	lines, err := itemLines(c, inv)
	if err != nil {
		return err
	}
	return setLines(c, inv, lines)
}

// revisionOriginal is, for a draft being finalized that revises another
// invoice, that invoice, which must still be open or uncollectible with
// nothing paid (it may have been paid or voided since the revision was
// made); nil for any other draft.
func revisionOriginal(c *api.Call, draft store.Obj) (store.Obj, error) {
	fi, _ := draft["from_invoice"].(store.Obj)
	if fi == nil {
		return nil, nil
	}
	orig, ok := c.Tx.Get(c.Account, "invoice", api.Str(fi["invoice"]))
	if !ok {
		return nil, nil
	}
	if err := revisable(orig); err != nil {
		e := *err.(*apierr.Error)
		e.Message = "This revision can't be finalized: the invoice it revises can no longer be revised. " + e.Message
		e.Param = ""
		return nil, &e
	}
	if blockingPayments(c, api.Str(orig["id"])) {
		return nil, apierr.InvalidRequest("This revision can't be finalized: invoice %s, which it revises, has payments that are paid or still open.", orig["id"]).WithCode("invoice_not_editable")
	}
	return orig, nil
}

// supersede voids orig, which the revision rev just finalized replaces,
// naming rev its latest_revision (shown in invoice.voided).
func supersede(c *api.Call, orig, rev store.Obj) error {
	next := api.Clone(orig)
	next["latest_revision"] = rev["id"]
	if err := c.Put(next); err != nil {
		return err
	}
	_, err := void(c, next)
	return err
}
