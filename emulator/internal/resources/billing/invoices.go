package billing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coupons"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/tax"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/taxrates"
	"github.com/stripe-emu/stripe-emu/emulator/internal/search"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
	"github.com/stripe-emu/stripe-emu/emulator/internal/taxid"
)

var invoiceSearchFields = search.Fields{
	"customer": search.Token, "status": search.String, "total": search.Number, "number": search.String,
	"currency": search.Token, "created": search.Number, "metadata": search.Metadata,
	"subscription": search.String, "receipt_number": search.String,
	"last_finalization_error_code": search.Token, "last_finalization_error_type": search.Token,
}

// invoiceSearchPaths are where basil keeps the invoice search fields that
// are not top-level fields of that name.
var invoiceSearchPaths = search.Paths{
	"subscription":                 {"parent", "subscription_details", "subscription"},
	"last_finalization_error_code": {"last_finalization_error", "code"},
	"last_finalization_error_type": {"last_finalization_error", "type"},
}

// AutoFinalizeDelay is how long after creation Stripe finalizes a draft
// that has auto_advance on (renewal invoices wait an hour for edits).
const AutoFinalizeDelay = 3600

func invoiceRoutes() []api.Route {
	id := "/v1/invoices/{id}"
	return []api.Route{
		// customer is required unless from_invoice names the invoice revised.
		api.POST("/v1/invoices", params.FromStruct(stripe.InvoiceCreateParams{}), createInvoice),
		api.GET("/v1/invoices", params.FromStruct(stripe.InvoiceListParams{}), listInvoices),
		api.GET("/v1/invoices/search", params.FromStruct(stripe.InvoiceSearchParams{}).Require("query"), searchInvoices),
		// Before POST {id}, which would take create_preview for an id.
		api.POST("/v1/invoices/create_preview", params.FromStruct(stripe.InvoiceCreatePreviewParams{}).
			With("schedule_details.phases.start_date", params.AnyParam()).With("schedule_details.phases.end_date", params.AnyParam()).
			With("schedule_details.phases.trial_end", params.AnyParam()).Enum("schedule_details.end_behavior", "cancel", "release").
			With("subscription_details.trial_end", params.AnyParam()).With("subscription_details.billing_cycle_anchor", params.AnyParam()).
			With("subscription_details.cancel_at", params.AnyParam()).
			Enum("schedule_details.proration_behavior", "always_invoice", "create_prorations", "none").
			Enum("schedule_details.phases.proration_behavior", "always_invoice", "create_prorations", "none").
			Enum("customer_details.tax_ids.type", taxid.Types...), createPreview),
		api.GET(id, params.FromStruct(stripe.InvoiceRetrieveParams{}), retrieveInvoice),
		api.POST(id, params.FromStruct(stripe.InvoiceUpdateParams{}), updateInvoice),
		api.DELETE(id, params.FromStruct(stripe.InvoiceDeleteParams{}), deleteInvoice),
		api.GET(id+"/lines", params.FromStruct(stripe.InvoiceListLinesParams{}), listLines),
		api.POST(id+"/add_lines", params.FromStruct(stripe.InvoiceAddLinesParams{}).Require("lines"), addLines),
		api.POST(id+"/update_lines", params.FromStruct(stripe.InvoiceUpdateLinesParams{}).Require("lines"), updateLines),
		api.POST(id+"/remove_lines", params.FromStruct(stripe.InvoiceRemoveLinesParams{}).Require("lines"), removeLines),
		api.POST(id+"/finalize", params.FromStruct(stripe.InvoiceFinalizeInvoiceParams{}), finalizeInvoice),
		api.POST(id+"/pay", params.FromStruct(stripe.InvoicePayParams{}), payInvoice),
		api.POST(id+"/void", params.FromStruct(stripe.InvoiceVoidInvoiceParams{}), voidInvoice),
		api.POST(id+"/mark_uncollectible", params.FromStruct(stripe.InvoiceMarkUncollectibleParams{}), markUncollectible),
		api.POST(id+"/send", params.FromStruct(stripe.InvoiceSendInvoiceParams{}), sendInvoice),
		api.POST(id+"/attach_payment", params.FromStruct(stripe.InvoiceAttachPaymentParams{}).Require("payment_intent"), attachPayment),
	}
}

func init() {
	customers.TaxIDsChangedHooks = append(customers.TaxIDsChangedHooks, refreshDraftTaxIDs)
	customers.BalanceMovedHooks = append(customers.BalanceMovedHooks, refreshDraftBalance)
	customers.DetailsChangedHooks = append(customers.DetailsChangedHooks, refreshDraftCustomer)
	customers.DeleteHooks = append(customers.DeleteHooks, cancelSubscriptionsOf)
}

// refreshDraftCustomer keeps the customer_address, customer_email and the
// other customer details of a customer's drafts the customer's, as
// Stripe's are until an invoice is finalized (finalize takes them as they
// are then). Like refreshDraftTaxIDs it records no event.
func refreshDraftCustomer(c *api.Call, cus store.Obj) error {
	return changeDrafts(c, api.Str(cus["id"]), func(next store.Obj) { copyCustomerDetails(next, cus) })
}

// copyCustomerDetails sets an invoice's customer_<field> to the customer's.
func copyCustomerDetails(inv, cus store.Obj) {
	for _, k := range customers.InvoiceDetails {
		v := cus[k]
		if m, ok := v.(map[string]any); ok {
			v = api.Clone(m) // the invoice's own copy of an address
		}
		inv["customer_"+k] = v
	}
}

// refreshDraftBalance keeps the starting_balance of a customer's drafts
// the customer's balance, as Stripe's is until an invoice is finalized
// (finalization applies the balance and freezes it). Like
// refreshDraftTaxIDs it records no event.
func refreshDraftBalance(c *api.Call, customer string, balance int64, currency, invoice string) error {
	return changeDrafts(c, customer, func(next store.Obj) {
		// A draft in another currency uses none of this balance.
		if cur := api.Str(next["currency"]); cur != "" && cur != currency {
			return
		}
		if next["id"] != invoice {
			next["starting_balance"] = balance
		}
	})
}

// refreshDraftTaxIDs keeps the customer_tax_ids of a customer's draft
// invoices the same as the customer's tax IDs, as Stripe's are until an
// invoice is finalized (finalize freezes them). It records no event: the
// draft shows the customer's tax IDs, nothing about it was changed.
func refreshDraftTaxIDs(c *api.Call, customer string) error {
	ids := customers.InvoiceTaxIDs(c, customer)
	return changeDrafts(c, customer, func(next store.Obj) { next["customer_tax_ids"] = ids })
}

// changeDrafts applies change to a copy of each of a customer's draft
// invoices and stores those it changed, with no event: a draft shows what
// the customer has now until it is finalized.
func changeDrafts(c *api.Call, customer string, change func(next store.Obj)) error {
	drafts := c.Tx.List(c.Account, "invoice", store.Query{Index: "customer", Value: customer, Filter: func(o store.Obj) bool {
		return o["status"] == "draft"
	}})
	for _, inv := range drafts.Data {
		next := api.Clone(inv)
		change(next)
		if len(api.PreviousAttributes(inv, next)) == 0 {
			continue
		}
		if err := c.Put(next); err != nil {
			return err
		}
	}
	return nil
}

// newInvoice builds a draft invoice for a customer.
func newInvoice(c *api.Call, cus store.Obj, currency string, now int64, reason string) store.Obj {
	inv := newInvoiceWithID(c, c.NewID("invoice"), cus, currency, now, reason)
	if c.Connected {
		// Made by the platform on its connected account: "The ID of the
		// Connect Application that created the invoice".
		inv["application"] = c.ConnectApplication()
	}
	return inv
}

// newInvoiceWithID is newInvoice for an id taken in advance (a renewing
// subscription names its next invoice before the invoice exists).
func newInvoiceWithID(c *api.Call, id string, cus store.Obj, currency string, now int64, reason string) store.Obj {
	inv := c.Base("invoice", id)
	inv["created"] = now
	// Set one by one: a map literal to copy from would be built, buckets
	// and all, on every invoice (every renewal makes one).
	inv["account_country"], inv["account_name"], inv["account_tax_ids"] = "US", nil, nil
	inv["amount_due"], inv["amount_overpaid"], inv["amount_paid"] = int64(0), int64(0), int64(0)
	inv["amount_remaining"], inv["amount_shipping"] = int64(0), int64(0)
	inv["application"], inv["attempt_count"], inv["attempted"], inv["auto_advance"] = nil, int64(0), false, false
	inv["automatic_tax"] = store.Obj{"disabled_reason": nil, "enabled": false, "liability": nil, "provider": nil, "status": nil}
	inv["automatically_finalizes_at"], inv["billing_reason"], inv["collection_method"] = nil, reason, "charge_automatically"
	inv["currency"], inv["custom_fields"], inv["customer"] = currency, nil, cus["id"]
	inv["customer_address"], inv["customer_email"], inv["customer_name"] = cus["address"], cus["email"], cus["name"]
	inv["customer_phone"], inv["customer_shipping"], inv["customer_tax_exempt"] = cus["phone"], cus["shipping"], cus["tax_exempt"]
	inv["customer_tax_ids"] = customers.InvoiceTaxIDs(c, api.Str(cus["id"]))
	inv["default_payment_method"], inv["default_source"], inv["default_tax_rates"] = nil, nil, []any{}
	inv["description"], inv["discounts"], inv["due_date"], inv["effective_at"], inv["ending_balance"] = nil, []any{}, nil, nil, nil
	inv["footer"], inv["from_invoice"], inv["hosted_invoice_url"], inv["invoice_pdf"] = nil, nil, nil, nil
	inv["issuer"], inv["last_finalization_error"], inv["latest_revision"] = store.Obj{"type": "self"}, nil, nil
	inv["lines"] = store.Obj{"object": "list", "data": []any{}, "has_more": false, "url": "/v1/invoices/" + id + "/lines"}
	inv["metadata"], inv["next_payment_attempt"], inv["number"], inv["on_behalf_of"], inv["parent"] = map[string]any{}, nil, nil, nil, nil
	inv["payment_settings"] = store.Obj{"default_mandate": nil, "payment_method_options": nil, "payment_method_types": nil}
	inv["period_end"], inv["period_start"] = now, now
	inv["post_payment_credit_notes_amount"], inv["pre_payment_credit_notes_amount"] = int64(0), int64(0)
	inv["receipt_number"], inv["rendering"], inv["shipping_cost"], inv["shipping_details"] = nil, nil, nil, nil
	inv["starting_balance"], inv["statement_descriptor"], inv["status"] = customers.BalanceIn(c, cus, currency), nil, "draft"
	inv["status_transitions"] = store.Obj{"finalized_at": nil, "marked_uncollectible_at": nil, "paid_at": nil, "voided_at": nil}
	inv["subtotal"], inv["subtotal_excluding_tax"], inv["test_clock"], inv["total"] = int64(0), int64(0), cus["test_clock"], int64(0)
	inv["total_discount_amounts"], inv["total_excluding_tax"], inv["total_pretax_credit_amounts"] = []any{}, int64(0), []any{}
	inv["total_taxes"], inv["webhooks_delivered_at"] = []any{}, nil
	markWebhooksDelivered(c, inv, now)
	return inv
}

// Parameters that Stripe's spec lets no request unset, and of which ""
// is no value (a number, a timestamp, a choice, an object or an id): ""
// for one is refused, as Stripe refuses it, rather than taken as nothing
// sent. Booleans are refused so for every endpoint by the params layer;
// free text (description, footer…) is left as the emulator reads it.
var (
	invoiceUpdateNotEmpty = []string{"due_date", "days_until_due", "collection_method", "automatically_finalizes_at",
		"application_fee_amount", "automatic_tax", "payment_settings"}
	invoiceCreateNotEmpty = append([]string{"currency", "subscription", "default_tax_rates", "shipping_cost",
		"pending_invoice_items_behavior"}, invoiceUpdateNotEmpty...)
	itemUpdateNotEmpty = []string{"amount", "quantity", "period", "unit_amount_decimal", "pricing", "price_data", "tax_behavior"}
	itemCreateNotEmpty = []string{"invoice", "subscription", "period", "tax_rates", "quantity", "unit_amount_decimal",
		"pricing", "price_data", "tax_behavior"}
)

// refuseEmptied is Stripe's parameter_invalid_empty for the first of
// names sent as "".
func refuseEmptied(c *api.Call, names []string) error {
	for _, n := range names {
		if c.Params.Unset(n) {
			return apierr.InvalidEmpty(n)
		}
	}
	return nil
}

func createInvoice(c *api.Call) (any, error) {
	if err := refuseEmptied(c, invoiceCreateNotEmpty); err != nil {
		return nil, err
	}
	cusID, _ := c.Params.Str("customer")
	orig, err := revisedOriginal(c, cusID)
	if err != nil {
		return nil, err
	}
	if orig != nil {
		cusID = api.Str(orig["customer"])
	} else if cusID == "" {
		return nil, apierr.MissingParam("customer")
	}
	cus, ok := c.Tx.Get(c.Account, "customer", cusID)
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", cusID, "customer")
	}
	sub, err := invoiceSubscriptionParam(c, cusID)
	if err != nil {
		return nil, err
	}
	currency, _ := c.Params.Str("currency")
	if orig != nil {
		if currency != "" && currency != orig["currency"] {
			return nil, apierr.InvalidRequest("A revision is in the currency of the invoice it revises (%s).", orig["currency"]).WithParam("currency")
		}
		currency = api.Str(orig["currency"])
	}
	now := c.ClockNow(cus)
	pending := pendingItems(c, cusID)
	if sub != nil {
		// Only the items made for that subscription (invoiceitems'
		// subscription=), as the reference says.
		pending = pendingOf(pending, api.Str(sub["id"]))
		if currency == "" {
			currency = api.Str(sub["currency"])
		}
	}
	include := false
	if b, _ := c.Params.Str("pending_invoice_items_behavior"); b == "include" && orig == nil {
		// A revision "doesn't pull in pending invoice items the way
		// invoice creation does" (the Edit invoices guide).
		include = true
	}
	if currency == "" {
		// Stripe: the customer's currency when not sent.
		currency = api.Str(cus["currency"])
	}
	if currency == "" {
		currency = "usd"
		if include && len(pending) > 0 {
			currency = api.Str(pending[0]["currency"])
		}
	}
	// A customer's first invoice gives it its currency; a one-off invoice
	// in another currency leaves the customer's as it is.
	if err := customers.SetCurrency(c, cusID, currency); err != nil {
		return nil, err
	}
	inv := newInvoice(c, cus, currency, now, "manual")
	if orig != nil {
		if err := copyRevised(c, inv, orig); err != nil {
			return nil, err
		}
	}
	if sub != nil {
		inv["parent"] = store.Obj{"type": "subscription_details", "quote_details": nil,
			"subscription_details": store.Obj{"metadata": sub["metadata"], "subscription": sub["id"]}}
	}
	if err := applyInvoiceParams(c, inv); err != nil {
		return nil, err
	}
	if !c.Params.Has("discounts") && orig == nil {
		// Not specified: the customer's discount is inherited (an empty
		// discounts= avoids it).
		if ids := customerDiscounts(c, cus, currency, now); len(ids) > 0 {
			inv["discounts"] = ids
			if err := setLines(c, inv, asList(inv["lines"])); err != nil {
				return nil, err
			}
		}
	}
	if api.Bool(inv["auto_advance"]) {
		inv["automatically_finalizes_at"] = now + AutoFinalizeDelay
	}
	if err := finalizesAtParam(c, inv, now); err != nil {
		return nil, err
	}
	planDraftAttempt(inv)
	if include {
		// Taken before the invoice is stored, so that invoice.created
		// shows the invoice with the lines it was made with.
		if err := includePending(c, inv, pending); err != nil {
			return nil, err
		}
	}
	if err := c.Insert(inv); err != nil {
		return nil, err
	}
	return inv, nil
}

// pendingItems are a customer's invoice items waiting for an invoice.
func pendingItems(c *api.Call, cusID string) []store.Obj {
	return c.Tx.List(c.Account, "invoiceitem", store.Query{Index: "customer", Value: cusID, Filter: func(o store.Obj) bool {
		return o["invoice"] == nil && o["deleted"] != true
	}}).Data
}

// invoiceSubscriptionParam reads subscription on create: the
// subscription, of the invoice's customer and not ended, whose pending
// invoice items alone the invoice may include (nil when not sent).
func invoiceSubscriptionParam(c *api.Call, customer string) (store.Obj, error) {
	id, _ := c.Params.Str("subscription")
	if id == "" {
		return nil, nil
	}
	sub, ok := c.Tx.Get(c.Account, "subscription", id)
	if !ok {
		return nil, apierr.NoSuchObject("subscription", id, "subscription")
	}
	if sub["customer"] != customer {
		return nil, apierr.InvalidRequest("The subscription %s belongs to another customer than the invoice's (%s).", id, customer).WithParam("subscription")
	}
	if s := sub["status"]; subscriptionEnded(s) {
		return nil, apierr.InvalidRequest("The subscription %s is %s: it can't be invoiced.", id, s).WithParam("subscription")
	}
	return sub, nil
}

// pendingOf keeps, of pending invoice items, those made for the
// subscription sub.
func pendingOf(pending []store.Obj, sub string) []store.Obj {
	var out []store.Obj
	for _, ii := range pending {
		if api.Obj(api.Obj(ii["parent"])["subscription_details"])["subscription"] == sub {
			out = append(out, ii)
		}
	}
	return out
}

// includePending moves the pending items of the invoice's currency onto
// a draft not yet stored, and recomputes its lines and totals in inv.
func includePending(c *api.Call, inv store.Obj, pending []store.Obj) error {
	for _, ii := range pending {
		if ii["currency"] != inv["currency"] {
			continue
		}
		next := api.Clone(ii)
		next["invoice"] = inv["id"]
		if err := c.Save(ii, next); err != nil {
			return err
		}
	}
	lines, err := itemLines(c, inv)
	if err != nil {
		return err
	}
	return setLines(c, inv, lines)
}

// invoiceMethodTypes checks the payment_settings[payment_method_types] of
// an invoice or a subscription: the types its invoices' payments can take
// here, and link, which Stripe's invoices offer beside cards (the
// emulator makes no Link PaymentMethod: a card pays them).
func invoiceMethodTypes(types []string) ([]any, error) {
	var list []any
	for _, t := range types {
		if t != "card" && t != "sepa_debit" && t != "us_bank_account" && t != "customer_balance" && t != "link" {
			return nil, apierr.InvalidRequest("stripe-emu does not emulate the payment method type %q; it emulates card, sepa_debit, us_bank_account, customer_balance and link (listed only).", t).WithParam("payment_settings[payment_method_types]")
		}
		list = append(list, t)
	}
	return list, nil
}

// invoiceLengths are the string limits of an invoice's parameters in
// Stripe's OpenAPI spec (number's 26 is checked with it).
var invoiceLengths = []api.MaxLength{{Path: "description", Limit: 1500}, {Path: "footer", Limit: 5000}, {Path: "statement_descriptor", Limit: 22}}

// invoiceShipping is shipping_details as sent, rendered whole as a
// customer's shipping is: address (every field), name and phone.
func invoiceShipping(sh map[string]any) store.Obj {
	addr, _ := sh["address"].(map[string]any)
	full := store.Obj{}
	for _, f := range []string{"city", "country", "line1", "line2", "postal_code", "state"} {
		full[f] = addr[f]
	}
	return store.Obj{"address": full, "name": sh["name"], "phone": sh["phone"]}
}

// applyRendering merges rendering[amount_tax_display] and
// rendering[pdf][page_size] into the invoice's rendering, shown whole
// (every field, null unless set); an empty rendering clears it. A
// template (and its version) names an invoice rendering template, which
// is not emulated: left unread, it is refused.
func applyRendering(c *api.Call, inv store.Obj) {
	// Sent, not Has: Has would count the whole object read.
	raw, ok := c.Params.Sent("rendering")
	if !ok {
		return
	}
	if raw == params.Unset {
		c.Params.MarkRead("rendering")
		inv["rendering"] = nil
		return
	}
	r, _ := c.Params.Obj("rendering")
	out := store.Obj{"amount_tax_display": nil, "pdf": nil, "template": nil, "template_version": nil}
	if cur, ok := inv["rendering"].(map[string]any); ok {
		out = api.Clone(cur)
	}
	if v, ok := r.Str("amount_tax_display"); ok {
		out["amount_tax_display"] = api.NilIfEmpty(v)
	}
	if r.Unset("pdf") {
		out["pdf"] = nil
	} else if pdf, ok := r.Obj("pdf"); ok {
		if v, ok := pdf.Str("page_size"); ok {
			out["pdf"] = store.Obj{"page_size": api.NilIfEmpty(v)}
		}
	}
	inv["rendering"] = out
}

// applyInvoiceParams sets what create and update share.
func applyInvoiceParams(c *api.Call, inv store.Obj) error {
	if err := c.CheckLengths(invoiceLengths...); err != nil {
		return err
	}
	if err := customers.CheckCustomFields(c.Params, "custom_fields"); err != nil {
		return err
	}
	c.Copy(inv, "description", "footer", "custom_fields", "statement_descriptor", "auto_advance", "shipping_details")
	if sh, ok := inv["shipping_details"].(map[string]any); ok {
		inv["shipping_details"] = invoiceShipping(sh)
	}
	applyRendering(c, inv)
	if n, ok := c.Params.Str("number"); ok {
		// A number of the merchant's own, kept at finalization (instead
		// of the customer's next prefix-sequence number).
		if n == "" {
			inv["number"] = nil
		} else {
			if len(n) > 26 {
				return apierr.InvalidRequest("Invalid number: must be at most 26 characters").WithParam("number")
			}
			inv["number"] = n
		}
	}
	// A date of the merchant's own ("Same as finalized_at unless
	// overwritten"), kept at finalization; empty clears it.
	if v, ok := c.Params.Str("effective_at"); ok && v == "" {
		inv["effective_at"] = nil
	} else if at, ok := c.Params.Int("effective_at"); ok {
		inv["effective_at"] = at
	}
	if err := applyInvoiceConnect(c, inv); err != nil {
		return err
	}
	if ps, ok := c.Params.Obj("payment_settings"); ok {
		settings := api.Clone(api.Obj(inv["payment_settings"]))
		if settings == nil || len(settings) == 0 {
			settings = store.Obj{"default_mandate": nil, "payment_method_options": nil, "payment_method_types": nil}
		}
		if ps.Has("payment_method_types") {
			list, err := invoiceMethodTypes(ps.Strings("payment_method_types"))
			if err != nil {
				return err
			}
			settings["payment_method_types"] = list
		}
		if v, ok := ps.Get("payment_method_options"); ok {
			settings["payment_method_options"] = v
			if cb, ok := ps.Obj("payment_method_options.customer_balance"); ok {
				// Checked as the PaymentIntent they are passed to checks
				// them, against the invoice's currency.
				norm, err := payments.CustomerBalanceOptions(cb, api.Str(inv["currency"]), "payment_settings[payment_method_options][customer_balance]")
				if err != nil {
					return err
				}
				o := api.Clone(api.Obj(v))
				o["customer_balance"] = norm
				settings["payment_method_options"] = o
			}
		}
		if v, ok := ps.Get("default_mandate"); ok {
			settings["default_mandate"] = v
		}
		inv["payment_settings"] = settings
	}
	if m, ok := c.Params.Str("collection_method"); ok && m != "" {
		if m != "charge_automatically" && m != "send_invoice" {
			return apierr.InvalidRequest("Invalid collection_method: must be one of charge_automatically or send_invoice").WithParam("collection_method")
		}
		inv["collection_method"] = m
		if m == "charge_automatically" {
			inv["due_date"] = nil // Stripe: null unless the invoice is sent
		}
	}
	if pm, ok := c.Params.Str("default_payment_method"); ok {
		if pm == "" {
			inv["default_payment_method"] = nil
		} else {
			o, ok := c.Tx.Get(c.Account, "payment_method", pm)
			if !ok {
				return apierr.NoSuchObject("PaymentMethod", pm, "default_payment_method")
			}
			if o["customer"] != inv["customer"] {
				return apierr.InvalidRequest("The customer does not have a payment method with the ID %s. The payment method must be attached to the customer.", pm).WithParam("default_payment_method")
			}
			inv["default_payment_method"] = pm
		}
	}
	if src, ok := c.Params.Str("default_source"); ok {
		// A card saved on the customer, as a subscription's is
		// checked; charged before the customer's defaults.
		if src == "" {
			inv["default_source"] = nil
		} else if err := checkDefaultSource(c, src, api.Str(inv["customer"])); err != nil {
			return err
		} else {
			inv["default_source"] = src
		}
	}
	if c.Params.Has("due_date") && c.Params.Has("days_until_due") {
		return apierr.Exclusive("days_until_due", "due_date")
	}
	if d, ok := c.Params.Int("due_date"); ok {
		// Stripe takes no due date already past (on the invoice's clock).
		if d <= c.ClockNow(store.Obj{"test_clock": inv["test_clock"]}) {
			return apierr.InvalidRequest("Invalid timestamp: must be an integer Unix timestamp in the future.").WithParam("due_date")
		}
		inv["due_date"] = d
	}
	if days, ok := c.Params.Int("days_until_due"); ok {
		if days < 0 {
			// A due date before the invoice, which due_date refuses too.
			return apierr.InvalidRequest("This value must be greater than or equal to 0.").WithParam("days_until_due").WithCode("parameter_invalid_integer")
		}
		inv["due_date"] = api.Int(inv["created"]) + days*86400
	}
	reline := false
	if c.Params.Has("discounts") {
		ids, err := RedeemDiscounts(c, coupons.Scope{Customer: api.Str(inv["customer"]), Invoice: api.Str(inv["id"]), Currency: api.Str(inv["currency"])}, MinimumUnknown)
		if err != nil {
			return err
		}
		inv["discounts"] = ids
		reline = true
	}
	if err := applyAccountTaxIDs(c, inv); err != nil {
		return err
	}
	rates, ok, err := taxRatesParam(c, c.Params, "default_tax_rates", "default_tax_rates", inv["default_tax_rates"])
	if err != nil {
		return err
	}
	if ok {
		inv["default_tax_rates"] = rates
		reline = true
	}
	on, sent, err := AutoTaxParam(c, c.Params, "automatic_tax", "automatic_tax")
	if err != nil {
		return err
	}
	if sent && on != autoTaxOn(inv) {
		inv["automatic_tax"] = invoiceAutoTax(on)
		reline = true
	}
	if sent && on {
		// Stripe would geolocate a customer's IP address alone; the
		// emulator refuses that by name rather than draft no tax.
		if cus, ok := c.Tx.Get(c.Account, "customer", api.Str(inv["customer"])); ok {
			if loc, _ := tax.Locate(c, cus); loc == nil {
				if err := tax.IPOnlyError(c, cus, "customer"); err != nil {
					return err
				}
			}
		}
	}
	if autoTaxOn(inv) {
		if param := invoiceManualRates(c, inv); param != "" {
			return ErrAutoTaxWithRates(param)
		}
	}
	shipped, err := applyShippingCost(c, inv)
	if err != nil {
		return err
	}
	if reline || shipped {
		if err := setLines(c, inv, asList(inv["lines"])); err != nil {
			return err
		}
	}
	if inv["collection_method"] == "send_invoice" && inv["due_date"] == nil {
		return apierr.InvalidRequest("Invoices with `collection_method=send_invoice` must have a `due_date` or `days_until_due`.").WithParam("days_until_due")
	}
	if inv["collection_method"] == "charge_automatically" && (c.Params.Has("days_until_due") || c.Params.Has("due_date")) {
		// Named as sent (the two are exclusive).
		param := "days_until_due"
		if c.Params.Has("due_date") {
			param = "due_date"
		}
		return apierr.InvalidRequest("Invoices with `collection_method=charge_automatically` can't have a due date.").WithParam(param)
	}
	return c.ApplyMetadata(inv)
}

func loadInvoice(c *api.Call) (store.Obj, error) {
	inv, err := c.Load("invoice", c.Var("id"), "id")
	if err == nil && api.Bool(inv["deleted"]) {
		return nil, apierr.NoSuchObject("invoice", c.Var("id"), "id")
	}
	return inv, err
}

func notEditable(inv store.Obj) error {
	e := apierr.InvalidRequest("You can only modify draft invoices; this invoice (%s) has status %s.", inv["id"], inv["status"])
	return e.WithCode("invoice_not_editable")
}

// editableInvoice loads a draft invoice, or refuses with
// invoice_not_editable.
func editableInvoice(c *api.Call, id, param string) (store.Obj, error) {
	inv, ok := c.Tx.Get(c.Account, "invoice", id)
	if !ok || api.Bool(inv["deleted"]) {
		return nil, apierr.NoSuchObject("invoice", id, param)
	}
	if inv["status"] != "draft" {
		return nil, notEditable(inv)
	}
	return inv, nil
}

func retrieveInvoice(c *api.Call) (any, error) { return c.Load("invoice", c.Var("id"), "id") }

func updateInvoice(c *api.Call) (any, error) {
	if err := refuseEmptied(c, invoiceUpdateNotEmpty); err != nil {
		return nil, err
	}
	before, err := loadInvoice(c)
	if err != nil {
		return nil, err
	}
	onInvoiceClock(c, before)
	if before["status"] != "draft" {
		// Finalized invoices only take descriptive changes, and the
		// payment method their next attempt uses.
		for _, k := range c.Params.Keys() {
			switch k {
			case "metadata", "description", "footer", "custom_fields", "expand", "rendering":
			case "auto_advance":
				// Stripe: automatic advancement is always off on a paid,
				// void or uncollectible invoice.
				if before["status"] != "open" {
					return nil, apierr.InvalidRequest("You can only update `auto_advance` on draft or open invoices; this invoice (%s) has status %s.", before["id"], before["status"]).WithCode("invoice_not_editable").WithParam("auto_advance")
				}
			case "default_payment_method", "default_source":
				if before["status"] != "open" && before["status"] != "uncollectible" {
					return nil, notEditable(before)
				}
			default:
				return nil, notEditable(before)
			}
		}
	}
	after := api.Clone(before)
	if err := applyInvoiceParams(c, after); err != nil {
		return nil, err
	}
	if after["status"] == "open" && !api.Bool(after["auto_advance"]) {
		// Without automatic collection no attempt is planned.
		after["next_payment_attempt"] = nil
	}
	if after["status"] == "draft" {
		if api.Bool(after["auto_advance"]) && after["automatically_finalizes_at"] == nil {
			after["automatically_finalizes_at"] = c.Now + AutoFinalizeDelay
		}
		if !api.Bool(after["auto_advance"]) {
			after["automatically_finalizes_at"] = nil
			// Turned on again, the draft takes Stripe's own time.
			c.DeleteMeta(customFinalizationKey(c.Account, api.Str(after["id"])))
		}
		if err := finalizesAtParam(c, after, c.Now); err != nil {
			return nil, err
		}
		planDraftAttempt(after)
	}
	return after, c.Save(before, after)
}

func deleteInvoice(c *api.Call) (any, error) {
	inv, err := loadInvoice(c)
	if err != nil {
		return nil, err
	}
	if inv["status"] != "draft" {
		return nil, apierr.InvalidRequest("You can only delete draft invoices. Finalized invoices can be voided instead.").WithCode("invoice_not_editable")
	}
	if api.Obj(inv["parent"])["type"] == "subscription_details" && inv["billing_reason"] != "manual" {
		// They keep the subscription's history: Stripe has them voided.
		// One made by request for a subscription's pending items is not
		// the subscription's own.
		return nil, apierr.InvalidRequest("You can't delete invoices created by subscriptions.")
	}
	for _, ii := range c.Tx.List(c.Account, "invoiceitem", store.Query{Index: "invoice", Value: api.Str(inv["id"])}).Data {
		if inv["from_invoice"] != nil && !api.Bool(ii["deleted"]) {
			// A revision's items are copies of the revised invoice's,
			// which still bills them: pending again, they would be
			// billed twice.
			if err := c.Put(api.Deleted("invoiceitem", api.Str(ii["id"]))); err != nil {
				return nil, err
			}
			c.Emit("invoiceitem.deleted", ii, nil)
			continue
		}
		next := api.Clone(ii)
		next["invoice"] = nil
		if err := c.Save(ii, next); err != nil {
			return nil, err
		}
	}
	tomb := api.Deleted("invoice", api.Str(inv["id"]))
	if err := c.Put(tomb); err != nil {
		return nil, err
	}
	c.DeleteMeta(intentTermsKey(c.Account, api.Str(inv["id"]))) // its Connect terms, if any
	c.Emit("invoice.deleted", inv, nil)
	return tomb, nil
}

// relineInvoice rebuilds a draft invoice's lines from its invoice items
// (keeping subscription lines) and recomputes its totals.
func relineInvoice(c *api.Call, inv store.Obj) error { return relineInvoiceWith(c, inv, nil) }

// relineInvoiceWith is relineInvoice also making change (nil for none)
// to the invoice, in the same update (one invoice.updated).
func relineInvoiceWith(c *api.Call, inv store.Obj, change func(after store.Obj) error) error {
	before, _ := c.Tx.Get(c.Account, "invoice", api.Str(inv["id"]))
	if before == nil {
		before = inv
	}
	after := api.Clone(before)
	if change != nil {
		if err := change(after); err != nil {
			return err
		}
	}
	lines, err := itemLines(c, after)
	if err != nil {
		return err
	}
	if err := setLines(c, after, lines); err != nil {
		return err
	}
	return c.Save(before, after)
}

// itemLines are a draft's lines as its invoice items make them now, after
// the subscription lines it keeps.
func itemLines(c *api.Call, inv store.Obj) ([]any, error) {
	var lines []any
	for _, l := range asList(inv["lines"]) {
		if lineInvoiceItem(api.Obj(l)) == "" {
			lines = append(lines, l)
		}
	}
	items := c.Tx.List(c.Account, "invoiceitem", store.Query{Index: "invoice", Value: api.Str(inv["id"])})
	for i := len(items.Data) - 1; i >= 0; i-- { // oldest first
		ii := items.Data[i]
		if api.Bool(ii["deleted"]) {
			continue
		}
		if rates, _ := ii["tax_rates"].([]any); len(rates) > 0 && autoTaxOn(inv) {
			// An item with tax rates of its own put on an invoice that
			// Stripe Tax taxes.
			return nil, ErrAutoTaxWithRates("tax_rates")
		}
		lines = append(lines, lineFromItem(c, inv, ii))
	}
	return lines, nil
}

func lineFromItem(c *api.Call, inv, ii store.Obj) store.Obj {
	details := api.Obj(api.Obj(ii["parent"])["subscription_details"])
	sub := details["subscription"]
	parent := store.Obj{"type": "invoice_item_details", "subscription_item_details": nil, "invoice_item_details": store.Obj{
		"invoice_item": ii["id"], "proration": ii["proration"], "proration_details": store.Obj{"credited_items": nil}, "subscription": sub,
	}}
	if item := details["subscription_item"]; item != nil && api.Bool(ii["proration"]) {
		// In basil a subscription item's proration is a line of that item,
		// naming the invoice item behind it and, for a credit, the line
		// that charged the time it gives back.
		parent = store.Obj{"type": "subscription_item_details", "invoice_item_details": nil, "subscription_item_details": store.Obj{
			"invoice_item": ii["id"], "proration": true, "proration_details": store.Obj{"credited_items": creditedItems(c, inv, ii)},
			"subscription": sub, "subscription_item": item,
		}}
	}
	return store.Obj{
		"id": "il_" + api.Str(ii["id"])[3:], "object": "line_item", "amount": ii["amount"], "currency": ii["currency"],
		"description": ii["description"], "discount_amounts": []any{}, "discountable": ii["discountable"], "discounts": itemDiscountIDs(ii),
		"invoice": inv["id"], "livemode": false, "metadata": ii["metadata"], "parent": parent,
		"period": ii["period"], "pretax_credit_amounts": []any{}, "pricing": ii["pricing"], "quantity": ii["quantity"],
		"subscription": sub, "taxes": []any{},
	}
}

// lineInvoiceItem is the invoice item behind an invoice line, "" for a
// subscription item's own line: a proration names it under
// subscription_item_details, any other item under invoice_item_details.
func lineInvoiceItem(line store.Obj) string {
	parent := api.Obj(line["parent"])
	if id := api.Str(api.Obj(parent["invoice_item_details"])["invoice_item"]); id != "" {
		return id
	}
	return api.Str(api.Obj(parent["subscription_item_details"])["invoice_item"])
}

// creditedItems is a credit proration's proration_details.credited_items:
// the latest other finalized invoice whose own line for the subscription
// item charged the period the credit starts in (nil for a charge, or when
// no such line is found).
func creditedItems(c *api.Call, inv, ii store.Obj) any {
	if api.Int(ii["amount"]) >= 0 {
		return nil
	}
	details := api.Obj(api.Obj(ii["parent"])["subscription_details"])
	item, at := api.Str(details["subscription_item"]), api.Int(api.Obj(ii["period"])["start"])
	invoices := c.Tx.List(c.Account, "invoice", store.Query{Index: "customer", Value: api.Str(ii["customer"])})
	for _, o := range invoices.Data { // newest first
		if o["id"] == inv["id"] || o["status"] == "draft" {
			continue
		}
		var ids []any
		for _, l := range asList(o["lines"]) {
			line := api.Obj(l)
			d := api.Obj(api.Obj(line["parent"])["subscription_item_details"])
			period := api.Obj(line["period"])
			if api.Str(d["subscription_item"]) == item && d["invoice_item"] == nil &&
				api.Int(period["start"]) <= at && at < api.Int(period["end"]) {
				ids = append(ids, line["id"])
			}
		}
		if len(ids) > 0 {
			return store.Obj{"invoice": o["id"], "invoice_line_items": ids}
		}
	}
	return nil
}

// setLines stores lines on an invoice and recomputes every total: its
// discounts, then its taxes on what the discounts leave. Only automatic
// tax can fail it (a price Stripe Tax cannot tax).
func setLines(c *api.Call, inv store.Obj, lines []any) error {
	if lines == nil {
		lines = []any{}
	}
	var subtotal int64
	for _, l := range lines {
		n := api.Int(api.Obj(l)["amount"])
		if next := subtotal + n; next > params.MaxInt || next < -params.MaxInt {
			// Past what the emulator keeps exactly (and, further, past what
			// an int64 holds). Stripe's own limit and words for it are not
			// documented.
			return apierr.InvalidRequest("The invoice's lines add up to an amount larger than can be billed.")
		}
		subtotal += n
	}
	lineList := api.Obj(inv["lines"])
	lineList["data"] = lines
	lineList["has_more"] = false
	inv["lines"] = lineList
	var off []int64
	ids, _ := inv["discounts"].([]any)
	if taken, _ := inv["total_discount_amounts"].([]any); len(ids) > 0 || len(taken) > 0 || linesDiscounted(lines) {
		off = applyDiscounts(c, inv, lines)
	}
	pretax, _ := inv["total_pretax_credit_amounts"].([]any)
	return totals(c, inv, lines, subtotal, off, off != nil || len(pretax) > 0)
}

// totals works out what an invoice adds up to from its lines and what
// discounts take off each (off; nil for none): its taxes on what
// discounts and any billing credits the lines took leave of each line,
// its total and amount due. pretax says the pretax credit amounts must be
// listed again (discounts or credits take something, or took something
// before).
func totals(c *api.Call, inv store.Obj, lines []any, subtotal int64, off []int64, pretax bool) error {
	if pretax {
		off = pretaxEntries(inv, lines, off)
	}
	var taken int64
	for _, o := range off {
		taken += o
	}
	exclusive, inclusive, inclusiveBefore, err := applyTaxes(c, inv, lines, off)
	if err != nil {
		return err
	}
	// Shipping adds to the total, not to the subtotal (as in Checkout).
	shipping, shipped, shippedTax, err := shippingTotals(c, inv)
	if err != nil {
		return err
	}
	// Stripe's subtotal is "before any invoice level discount or
	// exclusive tax is applied. Item discounts are already incorporated";
	// subtotal (the argument) is the lines' own amounts.
	var itemsTook int64
	for _, l := range lines {
		itemsTook += itemDiscountsTook(api.Obj(l))
	}
	inv["subtotal"] = subtotal - itemsTook
	inv["subtotal_excluding_tax"] = subtotal - itemsTook - inclusiveBefore
	inv["total_excluding_tax"] = subtotal - taken - inclusive + shipping - shippedTax
	total := subtotal - taken + exclusive + shipped
	inv["total"] = total
	due := max(total, 0)
	inv["amount_due"] = due
	inv["amount_remaining"] = max(due-api.Int(inv["amount_paid"]), 0)
	return nil
}

// itemDiscountsTook is what a line's own discounts (its invoice item's,
// not the invoice's) take off it.
func itemDiscountsTook(line store.Obj) int64 {
	own, _ := line["discounts"].([]any)
	if len(own) == 0 {
		return 0
	}
	var took int64
	taken, _ := line["discount_amounts"].([]any)
	for _, d := range taken {
		if e := api.Obj(d); slices.Contains(own, e["discount"]) {
			took += api.Int(e["amount"])
		}
	}
	return took
}

func asList(v any) []any {
	l, _ := api.Obj(v)["data"].([]any)
	return l
}

func listLines(c *api.Call) (any, error) {
	inv, err := loadInvoice(c)
	if err != nil {
		return nil, err
	}
	return api.EmbeddedPage(c, asList(inv["lines"]), "/v1/invoices/"+api.Str(inv["id"])+"/lines", "line item")
}

func addLines(c *api.Call) (any, error) {
	inv, err := loadInvoice(c)
	if err != nil {
		return nil, err
	}
	onInvoiceClock(c, inv)
	if inv["status"] != "draft" {
		return nil, notEditable(inv)
	}
	adding := 0
	for _, lp := range c.Params.Array("lines") {
		if iiID, _ := lp.Str("invoice_item"); iiID != "" {
			if f, _ := c.Tx.Fields(c.Account, "invoiceitem", iiID, "invoice"); len(f) > 0 && f[0].String() == api.Str(inv["id"]) {
				continue // already on it
			}
		}
		adding++
	}
	if err := roomForItems(c, api.Str(inv["id"]), adding, "lines"); err != nil {
		return nil, err
	}
	for i, lp := range c.Params.Array("lines") {
		prefix := fmt.Sprintf("lines[%d]", i)
		if iiID, _ := lp.Str("invoice_item"); iiID != "" {
			ii, ok := c.Tx.Get(c.Account, "invoiceitem", iiID)
			if !ok || api.Bool(ii["deleted"]) {
				return nil, apierr.NoSuchObject("invoiceitem", iiID, prefix+"[invoice_item]")
			}
			if ii["invoice"] != nil && ii["invoice"] != inv["id"] {
				return nil, apierr.InvalidRequest("The invoice item %s is already on another invoice.", iiID).WithParam(prefix + "[invoice_item]")
			}
			// An invoice bills its own customer, in one currency.
			if ii["customer"] != inv["customer"] {
				return nil, apierr.InvalidRequest("The invoice item %s belongs to another customer than the invoice's (%s).", iiID, inv["customer"]).WithParam(prefix + "[invoice_item]")
			}
			if ii["currency"] != inv["currency"] {
				return nil, apierr.InvalidRequest("The invoice item's currency (%s) must match the invoice's (%s).", ii["currency"], inv["currency"]).WithParam(prefix + "[invoice_item]")
			}
			next := api.Clone(ii)
			next["invoice"] = inv["id"]
			if err := lineDiscounts(c, lp, prefix, next); err != nil {
				return nil, err
			}
			if err := c.Save(ii, next); err != nil {
				return nil, err
			}
			continue
		}
		raw := pricingParams(lp, "amount", "pricing", "quantity", "price_data")
		raw["currency"] = inv["currency"]
		pr, err := resolvePricing(c, params.NewValues(raw), prefix, api.Str(inv["currency"]))
		if err != nil {
			return nil, err
		}
		if pr.currency != inv["currency"] {
			return nil, apierr.InvalidRequest("The price's currency (%s) must match the invoice's (%s).", pr.currency, inv["currency"]).WithParam(prefix + "[pricing][price]")
		}
		ii := newInvoiceItem(c, api.Str(inv["customer"]), pr, c.Now)
		ii["invoice"] = inv["id"]
		ii["test_clock"] = inv["test_clock"]
		ii["discountable"] = creditNotDiscountable(ii)
		if d, ok := lp.Str("description"); ok && d != "" {
			ii["description"] = d
		}
		if v, ok := lp.Bool("discountable"); ok {
			ii["discountable"] = v
		}
		if err := applyPeriod(lp, ii, prefix); err != nil {
			return nil, err
		}
		rates, ok, err := taxRatesParam(c, lp, "tax_rates", prefix+"[tax_rates]", nil)
		if err != nil {
			return nil, err
		}
		if ok {
			ii["tax_rates"] = rates
		}
		if md, ok := lp.Metadata("metadata"); ok {
			ii["metadata"] = md
		}
		if err := lineDiscounts(c, lp, prefix, ii); err != nil {
			return nil, err
		}
		if err := c.Insert(ii); err != nil {
			return nil, err
		}
	}
	if err := relineInvoiceWith(c, inv, applyInvoiceMetadata(c)); err != nil {
		return nil, err
	}
	out, _ := c.Tx.Get(c.Account, "invoice", api.Str(inv["id"]))
	return out, nil
}

// lineDiscounts sets the discounts an add_lines entry (lp, named prefix)
// gives its invoice item ii, as itemDiscounts does for an item's own.
func lineDiscounts(c *api.Call, lp params.Values, prefix string, ii store.Obj) error {
	if !lp.Has("discounts") {
		return nil
	}
	ids, err := redeemFrom(c, lp, prefix, coupons.Scope{Customer: api.Str(ii["customer"]), InvoiceItem: api.Str(ii["id"]), Currency: api.Str(ii["currency"])}, MinimumUnknown)
	if err != nil {
		return err
	}
	ii["discounts"] = ids
	return nil
}

// updateLines changes lines of a draft: an invoice item's line as
// POST /v1/invoiceitems/:id would change the item (what that does not act
// on is refused, named as sent here); a subscription line's tax rates,
// description and metadata (replaced, as Stripe replaces a subscription
// line's).
func updateLines(c *api.Call) (any, error) {
	inv, err := loadInvoice(c)
	if err != nil {
		return nil, err
	}
	onInvoiceClock(c, inv)
	if inv["status"] != "draft" {
		return nil, notEditable(inv)
	}
	invID := api.Str(inv["id"])
	for i, lp := range c.Params.Array("lines") {
		prefix := fmt.Sprintf("lines[%d]", i)
		id, _ := lp.Str("id")
		cur, _ := c.Tx.Get(c.Account, "invoice", invID)
		var line store.Obj
		for _, l := range asList(cur["lines"]) {
			if api.Obj(l)["id"] == id {
				line = api.Obj(l)
			}
		}
		if line == nil {
			return nil, apierr.NoSuchObject("line item", id, prefix+"[id]")
		}
		iiID := lineInvoiceItem(line)
		if iiID == "" {
			if err := updateSubscriptionLine(c, invID, id, lp, prefix); err != nil {
				return nil, err
			}
			continue
		}
		sent := map[string]any{}
		for k, v := range lp.Raw() {
			if k != "id" {
				sent[k] = v
			}
		}
		if _, err := runAs(c, updateInvoiceItem, sent, map[string]string{"id": iiID}, func(name string) string {
			first, rest, _ := strings.Cut(name, "[")
			if rest != "" {
				rest = "[" + rest
			}
			return prefix + "[" + first + "]" + rest
		}); err != nil {
			return nil, err
		}
	}
	if c.Params.Has("invoice_metadata") {
		before, _ := c.Tx.Get(c.Account, "invoice", invID)
		after := api.Clone(before)
		if err := applyInvoiceMetadata(c)(after); err != nil {
			return nil, err
		}
		if err := c.Save(before, after); err != nil {
			return nil, err
		}
	}
	out, _ := c.Tx.Get(c.Account, "invoice", invID)
	return out, nil
}

// applyInvoiceMetadata is the change the line endpoints' invoice_metadata
// makes to their invoice: merged into its metadata as metadata= on the
// invoice's update is (a key sent empty is removed).
func applyInvoiceMetadata(c *api.Call) func(after store.Obj) error {
	raw, ok := c.Params.RawAt("invoice_metadata")
	return func(after store.Obj) error {
		if !ok {
			return nil
		}
		err := api.ApplyMetadataFrom(after, params.NewValues(map[string]any{"metadata": raw}))
		if e, isAPI := err.(*apierr.Error); isAPI && e.Param == "metadata" {
			cp := *e
			cp.Param = "invoice_metadata"
			return &cp
		}
		return err
	}
}

// updateSubscriptionLine changes a subscription line of a draft invoice.
func updateSubscriptionLine(c *api.Call, invID, lineID string, lp params.Values, prefix string) error {
	before, _ := c.Tx.Get(c.Account, "invoice", invID)
	after := api.Clone(before)
	lines := asList(after["lines"])
	var line store.Obj
	for _, l := range lines {
		if api.Obj(l)["id"] == lineID {
			line = api.Obj(l)
		}
	}
	own := subscriptionLineRates(c, invID)
	rates, ok, err := taxRatesParam(c, lp, "tax_rates", prefix+"[tax_rates]", taxrates.Load(c, own[lineID]))
	if err != nil {
		return err
	}
	if ok {
		if own == nil {
			own = map[string][]string{}
		}
		if ids := idStrings(rates); len(ids) > 0 {
			own[lineID] = ids
		} else {
			delete(own, lineID)
		}
		if err := setSubscriptionLineRates(c, invID, own); err != nil {
			return err
		}
	}
	if d, ok := lp.Str("description"); ok {
		line["description"] = api.NilIfEmpty(d)
	}
	if md, ok := lp.Metadata("metadata"); ok {
		line["metadata"] = md
	}
	if autoTaxOn(after) && len(own[lineID]) > 0 {
		return ErrAutoTaxWithRates(prefix + "[tax_rates]")
	}
	if err := setLines(c, after, lines); err != nil {
		return err
	}
	return c.Save(before, after)
}

func removeLines(c *api.Call) (any, error) {
	inv, err := loadInvoice(c)
	if err != nil {
		return nil, err
	}
	onInvoiceClock(c, inv)
	if inv["status"] != "draft" {
		return nil, notEditable(inv)
	}
	removed := map[string]bool{}
	for i, lp := range c.Params.Array("lines") {
		prefix := fmt.Sprintf("lines[%d]", i)
		id, _ := lp.Str("id")
		behavior, _ := lp.Str("behavior")
		if behavior != "delete" && behavior != "unassign" {
			return nil, apierr.InvalidRequest("Invalid %s[behavior]: must be one of delete or unassign", prefix).WithParam(prefix + "[behavior]")
		}
		line := lineOf(inv, id)
		if line == nil || removed[id] {
			// A line named twice is gone from the invoice by the second
			// time, as if the removals were requested one by one.
			return nil, apierr.NoSuchObject("line item", id, prefix+"[id]")
		}
		removed[id] = true
		item, _ := c.Tx.Get(c.Account, "invoiceitem", lineInvoiceItem(line))
		if item == nil {
			// A subscription item's line: there is no invoice item to
			// delete or leave pending. Stripe's words for this are not
			// documented.
			return nil, apierr.InvalidRequest("The line item %s is billed by a subscription item, not an invoice item, so it can't be removed from the invoice; only invoice items' lines can be deleted or unassigned.", id).WithParam(prefix + "[id]")
		}
		if behavior == "delete" {
			if err := c.Put(api.Deleted("invoiceitem", api.Str(item["id"]))); err != nil {
				return nil, err
			}
			c.Emit("invoiceitem.deleted", item, nil)
		} else {
			next := api.Clone(item)
			next["invoice"] = nil
			if err := c.Save(item, next); err != nil {
				return nil, err
			}
		}
	}
	if err := relineInvoiceWith(c, inv, applyInvoiceMetadata(c)); err != nil {
		return nil, err
	}
	out, _ := c.Tx.Get(c.Account, "invoice", api.Str(inv["id"]))
	return out, nil
}

func listInvoices(c *api.Call) (any, error) {
	q, err := c.ListQuery("invoice")
	if err != nil {
		return nil, err
	}
	filters := map[string]string{}
	for _, f := range []string{"customer", "status", "subscription", "collection_method"} {
		if v, ok := c.Params.Str(f); ok && v != "" {
			filters[f] = v
		}
	}
	switch {
	case filters["subscription"] != "":
		q.Index, q.Value = "subscription", filters["subscription"]
	case filters["customer"] != "":
		q.Index, q.Value = "customer", filters["customer"]
	case filters["status"] != "":
		q.Index, q.Value = "status", filters["status"]
	}
	for f, v := range filters {
		f, v := f, v
		q.Filter = api.And(q.Filter, func(o store.Obj) bool {
			if f == "subscription" {
				return api.Str(api.Obj(api.Obj(o["parent"])["subscription_details"])["subscription"]) == v
			}
			return api.Str(o[f]) == v
		})
	}
	due, err := c.RangeFilter("due_date")
	if err != nil {
		return nil, err
	}
	if due != nil {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["due_date"] != nil && due(api.Int(o["due_date"])) })
	}
	q = api.OmitClockObjects(c, q, "customer", "subscription")
	return c.Page("invoice", "/v1/invoices", q), nil
}

func searchInvoices(c *api.Call) (any, error) {
	return search.RunAt(c, "invoice", "/v1/invoices/search", invoiceSearchFields, invoiceSearchPaths)
}
