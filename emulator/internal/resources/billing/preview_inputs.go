package billing

import (
	"fmt"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// What a preview adds to the customer's next invoice before it is built:
// invoice items (invoice_items), a new subscription
// (subscription_details[items] without subscription) and the discounts
// to use (discounts). Each goes through the handler of the endpoint that
// would really do it, in the preview's transaction, which is thrown away.

// errNothingToPreview is basil's answer to a preview of a customer as a
// whole, which 2025-03-31.basil removed (the wording is Stripe's, as
// quoted in stripe-node#2347).
var errNothingToPreview = apierr.InvalidRequest("You must provide at least one of: `subscription`, `schedule`, `subscription_details.items`, `schedule_details.phases`, `invoice_items`.")

// previewNames says whether the preview names what to preview, as basil
// requires.
func previewNames(c *api.Call, details params.Values) bool {
	if c.Params.Has("subscription") || c.Params.Has("schedule") || details.Has("items") || c.Params.Has("invoice_items") {
		return true
	}
	sd, _ := c.Params.Obj("schedule_details")
	return sd.Has("phases")
}

// newSubscriptionDetails are the subscription_details a preview of a new
// subscription passes to its creation; previewDetails, without
// proration_date (there is nothing to prorate from), are the update's.
var newSubscriptionDetails = []string{"items", "default_tax_rates", "proration_behavior", "trial_end", "billing_cycle_anchor", "cancel_at", "cancel_at_period_end"}

// newSubscriptionPreview creates the subscription subscription_details
// describes for the customer, as POST /v1/subscriptions would (its first
// invoice left a draft: previewVar), and answers that invoice.
func newSubscriptionPreview(c *api.Call, cusID string, details params.Values) (store.Obj, error) {
	if details.Has("proration_date") {
		return nil, apierr.InvalidRequest("subscription_details[proration_date] previews an update: it needs `subscription`.").WithParam("subscription_details[proration_date]")
	}
	create := map[string]any{"customer": cusID}
	for _, k := range newSubscriptionDetails {
		if v, ok := details.RawAt(k); ok {
			create[k] = v
		}
	}
	for _, k := range []string{"currency", "discounts", "automatic_tax"} {
		if v, ok := c.Params.RawAt(k); ok {
			create[k] = v
		}
	}
	detail := map[string]bool{}
	for _, k := range newSubscriptionDetails {
		detail[k] = true
	}
	res, err := runAs(c, createSubscription, create, map[string]string{previewVar: "1"}, func(name string) string {
		first, rest, _ := strings.Cut(name, "[")
		if !detail[first] {
			return name // a parameter of the preview's own (discounts, currency…)
		}
		if rest != "" {
			rest = "[" + rest
		}
		return "subscription_details[" + first + "]" + rest
	})
	if err != nil {
		return nil, err
	}
	sub := res.(store.Obj)
	inv, ok := c.Tx.Get(c.Account, "invoice", api.Str(sub["latest_invoice"]))
	if !ok {
		return nil, apierr.InvalidRequest("No upcoming invoices for the subscription previewed.").WithCode("invoice_upcoming_none")
	}
	return inv, previewPretaxCredits(c, inv)
}

// previewInvoiceItems adds or changes the customer's pending invoice
// items as invoice_items asks, for the invoice previewed: subID's when
// it previews a subscription ("" when it is made by the preview, whose
// first invoice takes the customer's pending items anyway).
func previewInvoiceItems(c *api.Call, cusID, subID string) error {
	entries := c.Params.Array("invoice_items")
	if len(entries) > 250 {
		return apierr.InvalidRequest("You can preview at most 250 invoice items.").WithParam("invoice_items")
	}
	for i, entry := range entries {
		prefix := fmt.Sprintf("invoice_items[%d]", i)
		fields := map[string]any{}
		for _, k := range entry.Keys() {
			v, _ := entry.RawAt(k)
			fields[k] = v
		}
		_, unitAmount := fields["unit_amount"]
		if unitAmount {
			// The preview's whole-unit price is the item's decimal one.
			fields["unit_amount_decimal"] = float64(api.Int(fields["unit_amount"]))
			delete(fields, "unit_amount")
		}
		rename := func(name string) string {
			switch {
			case name == "pricing[price]":
				name = "price"
			case name == "unit_amount_decimal" && unitAmount:
				name = "unit_amount"
			}
			first, rest, _ := strings.Cut(name, "[")
			if rest != "" {
				rest = "[" + rest
			}
			return prefix + "[" + first + "]" + rest
		}
		if id, _ := fields["invoiceitem"].(string); id != "" {
			delete(fields, "invoiceitem")
			ii, ok := c.Tx.Get(c.Account, "invoiceitem", id)
			if !ok || ii["customer"] != cusID || ii["deleted"] == true {
				return apierr.NoSuchObject("invoiceitem", id, prefix+"[invoiceitem]")
			}
			if ii["invoice"] != nil {
				return apierr.InvalidRequest("The invoice item %s is already on an invoice; only pending invoice items can be previewed.", id).WithParam(prefix + "[invoiceitem]")
			}
			if _, err := runAs(c, updateInvoiceItem, fields, map[string]string{"id": id}, rename); err != nil {
				return err
			}
			continue
		}
		fields["customer"] = cusID
		if subID != "" {
			fields["subscription"] = subID
		}
		if _, err := runAs(c, createInvoiceItem, fields, nil, rename); err != nil {
			return err
		}
	}
	return nil
}

// dropCustomerDiscount is discounts="" on a preview: Stripe then
// inherits no discount, the customer's included, so the customer is
// stored without it for the preview only.
func dropCustomerDiscount(c *api.Call, cus store.Obj) (store.Obj, error) {
	if cus["discount"] == nil {
		return cus, nil
	}
	next := api.Clone(cus)
	next["discount"] = nil
	return next, c.Put(next)
}
