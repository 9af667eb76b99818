// Package billing serves invoice items, invoices and their InvoicePayments
// (basil's multi-payment invoices), subscriptions and test clocks, and runs
// what time drives: renewals, automatic finalization, payment retries.
package billing

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// The objects this family owns.
var (
	InvoiceItemKind = &api.Kind{
		Object: "invoiceitem", Prefix: "ii_", Name: "invoiceitem",
		Expandable: []string{"customer", "invoice", "test_clock", "discounts"},
		Indexes:    []store.Index{{Name: "customer", Path: "customer"}, {Name: "invoice", Path: "invoice"}},
	}
	InvoiceKind = &api.Kind{
		Object: "invoice", Prefix: "in_", Name: "invoice",
		Expandable: []string{"customer", "default_payment_method", "default_source", "test_clock", "on_behalf_of", "application", "latest_revision", "account_tax_ids", "parent.subscription_details.subscription", "discounts", "total_discount_amounts.discount",
			"total_pretax_credit_amounts.discount", "total_pretax_credit_amounts.credit_balance_transaction", "from_invoice.invoice", "issuer.account", "automatic_tax.liability.account", "shipping_cost.shipping_rate",
			// The lines' own, as LineItemKind's (x-expansionResources in Stripe's OpenAPI spec).
			"lines.data.discounts", "lines.data.discount_amounts.discount", "lines.data.subscription", "lines.data.pretax_credit_amounts.discount", "lines.data.pretax_credit_amounts.credit_balance_transaction"},
		Includable: map[string]func(c *api.Call, o store.Obj) (any, error){"payments": invoicePayments, "confirmation_secret": confirmationSecret},
		// Stripe shows the first ten lines; GET /v1/invoices/{id}/lines pages the rest.
		EmbeddedLists: []api.EmbeddedList{{Field: "lines", Element: "line_item"}},
		Indexes: []store.Index{
			{Name: "customer", Path: "customer"},
			{Name: "status", Path: "status"},
			{Name: "subscription", Path: "parent.subscription_details.subscription"},
			{Name: "test_clock", Path: "test_clock"},
		},
	}
	InvoicePaymentKind = &api.Kind{
		Object: "invoice_payment", Prefix: "inpay_", Name: "invoice_payment",
		Expandable: []string{"invoice", "payment.payment_intent", "payment.charge"},
		Indexes: []store.Index{
			{Name: "invoice", Path: "invoice"},
			{Name: "payment_intent", Path: "payment.payment_intent"},
		},
	}
	SubscriptionKind = &api.Kind{
		Object: "subscription", Prefix: "sub_", Name: "subscription", EventPrefix: "customer.subscription",
		Expandable: []string{"customer", "default_payment_method", "default_source", "latest_invoice", "pending_setup_intent", "schedule", "test_clock", "application", "on_behalf_of", "transfer_data.destination", "items.data.price.product", "items.data.discounts", "discounts", "invoice_settings.account_tax_ids"},
		Indexes: []store.Index{
			{Name: "customer", Path: "customer"},
			{Name: "status", Path: "status"},
			{Name: "item", Path: "items.data.#.id"},
			{Name: "price", Path: "items.data.#.price.id"},
			{Name: "test_clock", Path: "test_clock"},
		},
	}
	// Subscription items live inside their subscription; the kind exists
	// for ids, errors and expansion.
	SubscriptionItemKind = &api.Kind{Object: "subscription_item", Prefix: "si_", ShortID: true, Name: "subscription_item", Expandable: []string{"price.product", "discounts"}}
	// Invoice lines live inside their invoice.
	LineItemKind   = &api.Kind{Object: "line_item", Prefix: "il_", Name: "line item", Expandable: []string{"discounts", "discount_amounts.discount", "subscription", "pretax_credit_amounts.discount", "pretax_credit_amounts.credit_balance_transaction"}}
	CreditNoteKind = &api.Kind{
		Object: "credit_note", Prefix: "cn_", Name: "credit note",
		Expandable: []string{"customer", "invoice", "customer_balance_transaction", "refunds.refund", "discount_amounts.discount", "pretax_credit_amounts.discount"},
		// The first ten lines, as an invoice's; GET /v1/credit_notes/{id}/lines pages the rest.
		EmbeddedLists: []api.EmbeddedList{{Field: "lines", Element: "credit_note_line_item"}},
		Indexes:       []store.Index{{Name: "invoice", Path: "invoice"}, {Name: "customer", Path: "customer"}},
	}
	// Credit note lines live inside their credit note.
	CreditNoteLineItemKind = &api.Kind{Object: "credit_note_line_item", Prefix: "cnli_", Name: "credit note line item", Expandable: []string{"discount_amounts.discount", "pretax_credit_amounts.discount"}}
	TestClockKind          = &api.Kind{Object: "test_helpers.test_clock", Prefix: "clock_", Name: "test_clock"}
)

// Kinds are the objects this family owns.
func Kinds() []*api.Kind {
	return []*api.Kind{InvoiceItemKind, InvoiceKind, InvoicePaymentKind, SubscriptionKind, SubscriptionItemKind, LineItemKind, CreditNoteKind, CreditNoteLineItemKind, TestClockKind, ScheduleKind}
}

// Routes are this family's endpoints.
func Routes() []api.Route {
	var out []api.Route
	for _, t := range [][]api.Route{invoiceItemRoutes(), invoiceRoutes(), invoicePaymentRoutes(), creditNoteRoutes(), subscriptionRoutes(), scheduleRoutes(), testClockRoutes(), legacyRoutes()} {
		out = append(out, t...)
	}
	return out
}
