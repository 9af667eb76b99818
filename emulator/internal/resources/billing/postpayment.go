package billing

import (
	"maps"
	"slices"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/shipping"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// PaidLine is one thing a payment bought: quantity of a price.
type PaidLine struct {
	Price    string
	Quantity int64
}

// PaidShipping is the shipping a payment bought, if any: the shipping
// rate charged (Rate, "" for none) and where it ships (Details, an
// address and name; nil for none).
type PaidShipping struct {
	Rate    string
	Details store.Obj
}

// PostPaymentInvoice makes the invoice of a purchase already paid by the
// PaymentIntent pi (a Checkout Session's invoice_creation): a one-off
// invoice for the customer, one invoice item (and line) per thing bought,
// the session's invoice_data (description, footer, custom_fields,
// metadata, account_tax_ids, rendering_options), finalized with pi as its
// payment and paid by it at once: invoice.created, invoiceitem.created,
// invoice.finalized, invoice_payment.paid, invoice.paid and
// invoice.payment_succeeded, as an invoice paid by an attached payment.
// A purchase that cost nothing (pi nil: a no-cost order) gets its invoice
// all the same, for nothing due, paid as it is finalized with no payment.
func PostPaymentInvoice(c *api.Call, cusID, currency string, lines []PaidLine, ship PaidShipping, data store.Obj, pi store.Obj) (store.Obj, error) {
	cus, ok := c.Tx.Get(c.Account, "customer", cusID)
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.Internal("post-payment invoice without its customer")
	}
	if err := customers.SetCurrency(c, cusID, currency); err != nil {
		return nil, err
	}
	now := c.ClockNow(cus)
	inv := newInvoice(c, cus, currency, now, "manual")
	inv["description"], inv["footer"] = data["description"], data["footer"]
	if fields, _ := data["custom_fields"].([]any); len(fields) > 0 {
		inv["custom_fields"] = slices.Clone(fields)
	}
	if ids, _ := data["account_tax_ids"].([]any); len(ids) > 0 {
		inv["account_tax_ids"] = slices.Clone(ids)
	}
	if md, _ := data["metadata"].(map[string]any); len(md) > 0 {
		inv["metadata"] = maps.Clone(md)
	}
	if ro := api.Obj(data["rendering_options"]); ro != nil {
		inv["rendering"] = store.Obj{"amount_tax_display": ro["amount_tax_display"], "pdf": nil, "template": ro["template"], "template_version": nil}
	}
	if ship.Rate != "" {
		// Untaxed: a session whose invoice is made has no tax on shipping
		// (tax rates and automatic tax are refused with invoice_creation).
		rate, ok := c.Tx.Get(c.Account, "shipping_rate", ship.Rate)
		if !ok {
			return nil, apierr.Internal("post-payment invoice without its shipping rate")
		}
		amount := shipping.Amount(rate)
		inv["shipping_cost"] = store.Obj{"amount_subtotal": amount, "amount_tax": int64(0), "amount_total": amount, "shipping_rate": ship.Rate, "taxes": []any{}}
	}
	if ship.Details != nil {
		inv["shipping_details"] = invoiceShipping(ship.Details)
	}
	items := make([]store.Obj, len(lines))
	var invLines []any
	for i, l := range lines {
		price, ok := c.Tx.Get(c.Account, "price", l.Price)
		if !ok {
			return nil, apierr.Internal("post-payment invoice line without its price")
		}
		ii := newInvoiceItem(c, cusID, pricedBy(c, price, currency, l.Quantity), now)
		ii["invoice"] = inv["id"]
		items[i] = ii
		invLines = append(invLines, lineFromItem(c, inv, ii))
	}
	if err := setLines(c, inv, invLines); err != nil {
		return nil, err
	}
	if err := c.Insert(inv); err != nil {
		return nil, err
	}
	for _, ii := range items {
		if err := c.Insert(ii); err != nil {
			return nil, err
		}
	}
	if api.Int(inv["amount_due"]) != api.Int(pi["amount_received"]) {
		return nil, apierr.Internal("post-payment invoice of %d for a payment of %d", api.Int(inv["amount_due"]), api.Int(pi["amount_received"]))
	}
	inv, err := finalizePaidBy(c, inv, pi)
	if err != nil {
		return nil, err
	}
	if pi != nil {
		if err := credit(c, paymentOf(c, api.Str(pi["id"])), pi); err != nil {
			return nil, err
		}
	}
	out, _ := c.Tx.Get(c.Account, "invoice", api.Str(inv["id"]))
	return out, nil
}
