package checkout

import (
	"fmt"
	"unicode/utf8"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billing"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Post-payment invoices (invoice_creation): a payment-mode session, or
// the sessions a payment link opens, asks Stripe for an invoice of the
// purchase once it is paid. The session then needs a customer (one is
// made at completion unless customer_creation already makes one), and
// when its payment succeeds (at completion for a card, later for a bank
// debit) the invoice is made, already paid by the session's
// PaymentIntent, and the session's invoice field names it. A no-cost
// order (free prices) gets its invoice as it completes, for nothing due
// and paid without a payment.

// defaultInvoiceData is invoice_data as a payment-mode session or a
// payment link shows it when nothing was set.
func defaultInvoiceData() store.Obj {
	return store.Obj{"account_tax_ids": nil, "custom_fields": nil, "description": nil, "footer": nil, "issuer": nil,
		"metadata": map[string]any{}, "rendering_options": nil}
}

// invoiceCreationParam reads the invoice_creation parameter over base
// (the invoice_data shown so far) into what a session or a link shows:
// sent is false when the request has none.
func invoiceCreationParam(c *api.Call, base store.Obj) (out store.Obj, sent bool, err error) {
	ic, ok := c.Params.Obj("invoice_creation")
	if !ok {
		return nil, false, nil
	}
	enabled, ok := ic.Bool("enabled")
	if !ok {
		return nil, true, apierr.MissingParam("invoice_creation[enabled]")
	}
	data := api.Clone(base)
	if d, ok := ic.Obj("invoice_data"); ok {
		if err := readInvoiceData(c, d, data); err != nil {
			return nil, true, err
		}
	}
	return store.Obj{"enabled": enabled, "invoice_data": data}, true, nil
}

func readInvoiceData(c *api.Call, d params.Values, out store.Obj) error {
	const prefix = "invoice_creation[invoice_data]"
	if d.Has("account_tax_ids") {
		out["account_tax_ids"] = nil
		if ids := d.Strings("account_tax_ids"); !d.Unset("account_tax_ids") && len(ids) > 0 {
			if err := customers.CheckAccountTaxIDCount(len(ids), prefix+"[account_tax_ids]"); err != nil {
				return err
			}
			list := make([]any, len(ids))
			for i, id := range ids {
				if err := customers.CheckAccountTaxID(c, id, fmt.Sprintf("%s[account_tax_ids][%d]", prefix, i)); err != nil {
					return err
				}
				list[i] = id
			}
			out["account_tax_ids"] = list
		}
	}
	if d.Has("custom_fields") {
		out["custom_fields"] = nil
		if fields := d.Array("custom_fields"); len(fields) > 0 {
			if len(fields) > 4 {
				return apierr.InvalidRequest("You can only set up to 4 custom fields.").WithParam(prefix + "[custom_fields]")
			}
			list := make([]any, len(fields))
			for i, f := range fields {
				p := fmt.Sprintf("%s[custom_fields][%d]", prefix, i)
				name, _ := f.Str("name")
				value, _ := f.Str("value")
				switch {
				case name == "":
					return apierr.MissingParam(p + "[name]")
				case value == "":
					return apierr.MissingParam(p + "[value]")
				case utf8.RuneCountInString(name) > 40:
					return apierr.TooLong(p+"[name]", name, 40)
				case utf8.RuneCountInString(value) > 140:
					return apierr.TooLong(p+"[value]", value, 140)
				}
				list[i] = store.Obj{"name": name, "value": value}
			}
			out["custom_fields"] = list
		}
	}
	for _, k := range []string{"description", "footer"} {
		if v, ok := d.Str(k); ok {
			out[k] = api.NilIfEmpty(v)
		}
	}
	if d.Has("issuer") {
		out["issuer"] = nil
		if typ, _ := d.Str("issuer.type"); typ == "account" {
			return apierr.InvalidRequest("stripe-emu does not emulate invoices issued by a connected account, so it refused the request rather than answer as if `%s[issuer][type]=account` had taken effect.", prefix).WithParam(prefix + "[issuer][type]")
		} else if typ == "self" {
			out["issuer"] = store.Obj{"type": "self"}
		} else if !d.Unset("issuer") {
			return apierr.MissingParam(prefix + "[issuer][type]")
		}
	}
	if md, ok := d.Map("metadata"); ok {
		// An object's metadata, unlike payment_intent_data's: a link's
		// update merges its keys into the link's, "" unsetting one.
		out["metadata"] = api.MergeMetadata(api.Obj(out["metadata"]), md)
	} else if d.Unset("metadata") {
		out["metadata"] = map[string]any{}
	}
	if d.Has("rendering_options") {
		out["rendering_options"] = nil
		if !d.Unset("rendering_options") {
			display, _ := d.Str("rendering_options.amount_tax_display")
			switch display {
			case "", "exclude_tax", "include_inclusive_tax":
			default:
				return apierr.InvalidRequest("Invalid amount_tax_display: must be one of exclude_tax or include_inclusive_tax").WithParam(prefix + "[rendering_options][amount_tax_display]")
			}
			// rendering_options[template] is left unread: the emulator
			// has no invoice rendering templates, so it is refused.
			out["rendering_options"] = store.Obj{"amount_tax_display": api.NilIfEmpty(display), "template": nil}
		}
	}
	return nil
}

// applySessionInvoiceCreation sets a new session's invoice_creation: a
// payment-mode session shows it (disabled unless asked for), the other
// modes have none and refuse it, as Stripe does.
func applySessionInvoiceCreation(c *api.Call, s store.Obj) error {
	if s["mode"] != "payment" {
		if c.Params.Has("invoice_creation") {
			return apierr.InvalidRequest("`invoice_creation` can only be used in `payment` mode.").WithParam("invoice_creation")
		}
		return nil
	}
	ic, sent, err := invoiceCreationParam(c, defaultInvoiceData())
	if err != nil {
		return err
	}
	if !sent {
		ic = store.Obj{"enabled": false, "invoice_data": defaultInvoiceData()}
	}
	if d := api.Obj(ic["invoice_data"]); api.Bool(ic["enabled"]) && d["issuer"] == nil {
		// Stripe's sessions show the invoice they will make issued by
		// the account itself unless told otherwise.
		d["issuer"] = store.Obj{"type": "self"}
	}
	s["invoice_creation"] = ic
	return nil
}

func invoiceEnabled(s store.Obj) bool {
	return api.Bool(api.Obj(s["invoice_creation"])["enabled"])
}

// checkInvoiceCreation refuses what a session's invoice could not show as
// the emulator makes it (one line per item at its price): discounts, tax
// rates, automatic tax, or a payment captured later.
func checkInvoiceCreation(c *api.Call, s store.Obj, ownRates [][]any, data map[string]any) error {
	if !invoiceEnabled(s) {
		return nil
	}
	refuse := func(what, param string) error {
		return apierr.InvalidRequest("stripe-emu does not emulate post-payment invoices (`invoice_creation[enabled]=true`) for sessions with %s, so it refused the request rather than answer as if it had taken effect.", what).WithParam(param)
	}
	if d, _ := s["discounts"].([]any); len(d) > 0 {
		return refuse("discounts", "discounts")
	}
	if api.Bool(s["allow_promotion_codes"]) {
		return refuse("promotion codes", "allow_promotion_codes")
	}
	for i, r := range ownRates {
		if len(r) > 0 {
			return refuse("tax rates", fmt.Sprintf("line_items[%d][tax_rates]", i))
		}
	}
	if autoTaxEnabled(s) {
		return refuse("automatic tax", "automatic_tax[enabled]")
	}
	if data["capture_method"] == "manual" {
		return refuse("a payment captured later", "payment_intent_data[capture_method]")
	}
	return nil
}

// postPaymentInvoice makes the invoice of a session whose payment just
// succeeded, or of a no-cost order as it completes (no PaymentIntent: the
// invoice, for nothing, is paid without one), and names it on s (a copy
// the caller stores).
func postPaymentInvoice(c *api.Call, s store.Obj) error {
	var pi store.Obj
	if !noCost(s) {
		var ok bool
		if pi, ok = c.Tx.Get(c.Account, "payment_intent", api.Str(s["payment_intent"])); !ok {
			return apierr.Internal("checkout session without its PaymentIntent")
		}
	}
	var lines []billing.PaidLine
	for _, it := range storedItems(c, api.Str(s["id"])) {
		lines = append(lines, billing.PaidLine{Price: api.Str(api.Obj(it["price"])["id"]), Quantity: api.Int(it["quantity"])})
	}
	data := api.Obj(api.Obj(s["invoice_creation"])["invoice_data"])
	ship := billing.PaidShipping{Rate: api.Str(api.Obj(s["shipping_cost"])["shipping_rate"])}
	if d := shippingDetails(s); len(d) > 0 {
		ship.Details = d
	}
	inv, err := billing.PostPaymentInvoice(c, api.Str(s["customer"]), api.Str(s["currency"]), lines, ship, data, pi)
	if err != nil {
		return err
	}
	s["invoice"] = inv["id"]
	return nil
}

// applyLinkInvoiceCreation sets a payment link's invoice_creation, which
// one-time links only take.
func applyLinkInvoiceCreation(c *api.Call, l store.Obj, mode string) error {
	if !c.Params.Has("invoice_creation") {
		return nil
	}
	if mode != "payment" {
		return apierr.InvalidRequest("`invoice_creation` can only be used with payment links whose prices are all one-time.").WithParam("invoice_creation")
	}
	base := api.Obj(api.Obj(l["invoice_creation"])["invoice_data"])
	if base == nil {
		base = defaultInvoiceData()
	}
	ic, _, err := invoiceCreationParam(c, base)
	if err != nil {
		return err
	}
	l["invoice_creation"] = ic
	return nil
}

// linkInvoiceCreation is a link's invoice_creation as the parameter of
// the sessions it opens (nil when disabled).
func linkInvoiceCreation(l store.Obj) map[string]any {
	ic := api.Obj(l["invoice_creation"])
	if !api.Bool(ic["enabled"]) {
		return nil
	}
	out := map[string]any{"enabled": true}
	if d, ok := withoutNulls(ic["invoice_data"]).(map[string]any); ok && len(d) > 0 {
		out["invoice_data"] = d
	}
	return out
}

func withoutNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if e != nil {
				out[k] = withoutNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withoutNulls(e)
		}
		return out
	}
	return v
}
