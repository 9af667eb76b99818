package billing

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/catalog"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Credit notes adjust a finalized invoice: they reduce first what is left
// to pay on an open one (pre_payment), and record the rest as given back
// after payment (post_payment: a refund of the invoice's payments, credit
// to the customer's balance, or credit outside Stripe).

func creditNoteRoutes() []api.Route {
	id := "/v1/credit_notes/{id}"
	return []api.Route{
		api.POST("/v1/credit_notes", params.FromStruct(stripe.CreditNoteCreateParams{}).Require("invoice"), createCreditNote),
		api.GET("/v1/credit_notes", params.FromStruct(stripe.CreditNoteListParams{}), listCreditNotes),
		// Before {id}, which would take preview for an id.
		api.GET("/v1/credit_notes/preview", params.FromStruct(stripe.CreditNotePreviewParams{}).Require("invoice"), previewCreditNote),
		api.GET("/v1/credit_notes/preview/lines", params.FromStruct(stripe.CreditNotePreviewLinesParams{}).Require("invoice"), previewCreditNoteLines),
		api.GET(id, params.FromStruct(stripe.CreditNoteRetrieveParams{}), retrieveCreditNote),
		api.POST(id, params.FromStruct(stripe.CreditNoteUpdateParams{}), updateCreditNote),
		api.GET(id+"/lines", params.FromStruct(stripe.CreditNoteListLinesParams{}), listCreditNoteLines),
		api.POST(id+"/void", params.FromStruct(stripe.CreditNoteVoidCreditNoteParams{}), voidCreditNote),
	}
}

func notEmulatedRoute(c *api.Call) (any, error) {
	c.Params.MarkRead(c.Params.Keys()...)
	e := apierr.InvalidRequest("Unrecognized request URL (%s). stripe-emu does not emulate this endpoint. Please see https://stripe.com/docs or we can help at https://support.stripe.com/.", c.Endpoint)
	e.Status = 404
	return nil, e
}

var creditNoteReasons = map[string]bool{"duplicate": true, "fraudulent": true, "order_change": true, "product_unsatisfactory": true}

// creditNoteLine is one line asked for, before anything is stored:
// amount is its gross amount, noteAmounts what discounts take off it and
// the tax it credits.
type creditNoteLine struct {
	obj    store.Obj
	amount int64
	noteAmounts
}

// creditNotePlan is a credit note checked and built but not yet issued:
// what a preview shows, and what issuing it changes.
type creditNotePlan struct {
	cn, inv   store.Obj
	pre, post int64
	credit    int64
	// targets are the invoice's payments refunded by issuing it.
	targets   []refundTarget
	cusBefore store.Obj
}

func createCreditNote(c *api.Call) (any, error) {
	p, err := planCreditNote(c, "")
	if err != nil {
		return nil, err
	}
	return issueCreditNote(c, p)
}

// previewCreditNote answers the credit note the same parameters would
// issue, changing nothing.
func previewCreditNote(c *api.Call) (any, error) {
	p, err := planPreview(c)
	if err != nil {
		return nil, err
	}
	return p.cn, nil
}

func previewCreditNoteLines(c *api.Call) (any, error) {
	p, err := planPreview(c)
	if err != nil {
		return nil, err
	}
	return api.EmbeddedPage(c, asList(p.cn["lines"]), "/v1/credit_notes/preview/lines", "credit note line item")
}

// planPreview plans a credit note for a preview. Its lines' ids are the
// same at every call for the same invoice, so a page's last line is a
// cursor for the next page of the same preview.
func planPreview(c *api.Call) (*creditNotePlan, error) {
	p, err := planCreditNote(c, "/v1/credit_notes/preview/lines")
	if err != nil {
		return nil, err
	}
	body := strings.TrimPrefix(api.Str(p.inv["id"]), "in_")
	body = body[:max(len(body)-2, 0)]
	for i, l := range asList(p.cn["lines"]) {
		api.Obj(l)["id"] = fmt.Sprintf("cnli_%s%02d", body, i)
	}
	return p, nil
}

// planCreditNote checks the parameters of a credit note against its
// invoice and builds it, without changing anything. linesURL is where its
// lines are listed; empty for an issued one's own.
func planCreditNote(c *api.Call, linesURL string) (*creditNotePlan, error) {
	invID, _ := c.Params.Str("invoice")
	inv, ok := c.Tx.Get(c.Account, "invoice", invID)
	if !ok || api.Bool(inv["deleted"]) {
		return nil, apierr.NoSuchObject("invoice", invID, "invoice")
	}
	switch inv["status"] {
	case "open", "paid":
	case "uncollectible":
		return nil, apierr.InvalidRequest("stripe-emu does not emulate credit notes on uncollectible invoices; it emulates them on open and paid invoices.").WithParam("invoice")
	default:
		return nil, apierr.InvalidRequest("Credit notes can only be issued for finalized invoices (open or paid); invoice %s has status %s.", invID, inv["status"]).WithParam("invoice").WithCode("invoice_not_editable")
	}
	taxed := len(asAnys(inv["total_taxes"])) > 0
	if tookCredits(inv) {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate credit notes on invoices with billing credits applied (invoice %s took credit grants).", invID).WithParam("invoice")
	}
	open := inv["status"] == "open"
	if open && attachedInFlight(c, invID) {
		// What such a payment pays once a note lowered what remains is
		// not emulated; paid ones are (the note's post-payment part).
		return nil, apierr.InvalidRequest("stripe-emu does not emulate credit notes on an open invoice with an attached payment still in flight (invoice %s); wait for it to succeed or cancel it.", invID).WithParam("invoice")
	}
	if open {
		if pay := defaultPayment(c, invID); pay != nil && pay["status"] == "open" {
			if f, ok := c.Tx.Fields(c.Account, "payment_intent", api.Str(api.Obj(pay["payment"])["payment_intent"]), "status"); ok && f[0].String() == payments.Processing {
				return nil, apierr.InvalidRequest("stripe-emu does not emulate credit notes on an invoice whose payment is processing (invoice %s); wait for the payment to settle.", invID).WithParam("invoice")
			}
		}
	}
	if t, ok := c.Params.Str("email_type"); ok && t != "" && t != "credit_note" && t != "none" {
		return nil, apierr.InvalidRequest("Invalid email_type: must be one of credit_note or none").WithParam("email_type")
	}
	// No emails in test mode: which one Stripe would send changes nothing.
	c.Inert("email_type")
	reason, _ := c.Params.Str("reason")
	if reason != "" && !creditNoteReasons[reason] {
		return nil, apierr.InvalidRequest("Invalid reason: must be one of duplicate, fraudulent, order_change, or product_unsatisfactory").WithParam("reason")
	}

	id := c.NewID("credit_note")
	lines, err := creditNoteLines(c, inv)
	if err != nil {
		return nil, err
	}
	// subtotal is the lines' gross amounts; total what the note credits,
	// after discounts and with exclusive tax. The note's subtotal, as an
	// invoice's, incorporates the lines' own discounts (itemDiscount).
	var subtotal, discount, itemDiscount, exclusive, inclusive, inclusiveBefore int64
	for _, l := range lines {
		subtotal += l.amount
		discount += l.discount
		itemDiscount += l.itemDiscount
		exclusive += l.exclusive
		inclusive += l.inclusive
		inclusiveBefore += l.inclusiveBefore
	}
	total := subtotal - discount + exclusive
	amount, hasAmount := c.Params.Int("amount")
	switch {
	case !hasAmount && !c.Params.Has("lines"):
		return nil, apierr.InvalidRequest("One of `amount`, `lines`, or `shipping_cost` must be provided.")
	case hasAmount && c.Params.Has("lines") && amount != total:
		return nil, apierr.InvalidRequest("The credit note amount (%d) must equal the sum of its lines (%d).", amount, total).WithParam("amount")
	case hasAmount:
		if amount < 1 {
			return nil, apierr.InvalidRequest("Invalid amount: must be at least 1.").WithParam("amount")
		}
		if !c.Params.Has("lines") {
			total, subtotal = amount, amount
		}
	}
	if total < 1 {
		return nil, apierr.InvalidRequest("The credit note must credit a positive amount.").WithParam("lines")
	}

	// All credit notes together credit at most the invoice's total. A
	// note takes first what is left to pay (pre_payment_amount), the rest
	// (what was paid, by payments or the customer's balance) after payment.
	left := api.Int(inv["total"]) - api.Int(inv["pre_payment_credit_notes_amount"]) - api.Int(inv["post_payment_credit_notes_amount"])
	if total > left {
		return nil, apierr.InvalidRequest("The credit note's total (%d) is greater than what is left to credit on the invoice (%d).", total, left).WithParam(amountParam(hasAmount))
	}
	var amountTaxes []any
	if !c.Params.Has("lines") && taxed {
		var n noteAmounts
		amountTaxes, n = taxOfAmount(c, inv, total, left)
		exclusive, inclusive, inclusiveBefore = n.exclusive, n.inclusive, n.inclusive
		subtotal = total - exclusive
	}
	var pre int64
	if open {
		pre = min(total, api.Int(inv["amount_remaining"]))
	}
	// Stripe (basil): a note first lowers what remains to pay, not below
	// zero; the rest is credited after payment.
	post := total - pre

	// How the post-payment part is given back.
	refund, hasRefund := c.Params.Int("refund_amount")
	oob, hasOOB := c.Params.Int("out_of_band_amount")
	credit, _ := c.Params.Int("credit_amount")
	for _, p := range []struct {
		name string
		v    int64
	}{{"refund_amount", refund}, {"out_of_band_amount", oob}, {"credit_amount", credit}} {
		if p.v < 0 {
			return nil, apierr.InvalidRequest("Invalid %s: must be at least 0.", p.name).WithParam(p.name)
		}
	}
	linked, linkedSum, err := linkedRefunds(c, inv, post)
	if err != nil {
		return nil, err
	}
	if !hasRefund {
		// refund_amount counts the linked refunds too; without it, they
		// are all that is refunded. Nothing is refunded by default: since
		// 2019-12-03 Stripe wants every part of a paid invoice's credit said.
		refund = linkedSum
	}
	if refund+oob+credit != post {
		cur := api.Str(inv["currency"])
		return nil, apierr.InvalidRequest("The sum of credit amount, refund amount and out of band amount (%s) must equal the credit note amount (%s).",
			currency.Format(refund+oob+credit, cur), currency.Format(post, cur))
	}
	if linkedSum > refund {
		return nil, apierr.InvalidRequest("The linked refunds (%d) are more than the credit note's refund amount (%d).", linkedSum, refund).WithParam("refunds")
	}
	// What the linked refunds do not cover is refunded now.
	targets, err := refundTargets(c, inv, refund-linkedSum)
	if err != nil {
		return nil, err
	}
	var cusBefore store.Obj
	if credit > 0 {
		// The credit goes to the customer's balance, used by its next invoices.
		cusBefore, _ = c.Tx.Get(c.Account, "customer", api.Str(inv["customer"]))
		if cusBefore == nil || api.Bool(cusBefore["deleted"]) {
			return nil, apierr.InvalidRequest("The invoice's customer %s is deleted: credit_amount can't credit its balance.", inv["customer"]).WithParam("credit_amount")
		}
	}
	mdHolder := store.Obj{}
	if err := c.ApplyMetadata(mdHolder); err != nil {
		return nil, err
	}

	refunds := append([]any{}, linked...)
	data := make([]any, len(lines))
	for i, l := range lines {
		data[i] = l.obj
	}
	typ := "mixed"
	switch {
	case post == 0:
		typ = "pre_payment"
	case pre == 0:
		typ = "post_payment"
	}
	seq := len(c.Tx.List(c.Account, "credit_note", store.Query{Index: "invoice", Value: invID}).Data) + 1
	pdf := ""
	if c.BaseURL != nil {
		pdf = c.PageURL("/credit_notes/" + id + "/pdf")
	}
	if linesURL == "" {
		linesURL = "/v1/credit_notes/" + id + "/lines"
	}
	var memo, reasonV, oobV any
	if m, _ := c.Params.Str("memo"); m != "" {
		memo = m
	}
	if reason != "" {
		reasonV = reason
	}
	if hasOOB && oob > 0 {
		oobV = oob
	}
	effective := c.Now
	if e, ok := c.Params.Int("effective_at"); ok {
		effective = e
	}
	discounts, pretax, taxes := noteTotals(data)
	if amountTaxes != nil {
		taxes = amountTaxes
	}
	cn := c.Object("credit_note", id, store.Obj{
		"amount": total, "amount_shipping": int64(0), "currency": inv["currency"], "customer": inv["customer"],
		"customer_balance_transaction": nil, "discount_amount": discount, "discount_amounts": discounts,
		"effective_at": effective, "invoice": invID,
		"lines": store.Obj{"object": "list", "data": data, "has_more": false, "url": linesURL},
		"memo":  memo, "metadata": mdHolder["metadata"], "number": fmt.Sprintf("%s-CN-%02d", api.Str(inv["number"]), seq),
		"out_of_band_amount": oobV, "pdf": pdf, "post_payment_amount": post, "pre_payment_amount": pre,
		"pretax_credit_amounts": pretax, "reason": reasonV, "refunds": refunds, "shipping_cost": nil, "status": "issued",
		"subtotal": subtotal - itemDiscount, "subtotal_excluding_tax": subtotal - itemDiscount - inclusiveBefore, "total": total,
		"total_excluding_tax": total - exclusive - inclusive, "total_taxes": taxes, "type": typ, "voided_at": nil,
	})
	return &creditNotePlan{cn: cn, inv: inv, pre: pre, post: post, credit: credit, targets: targets, cusBefore: cusBefore}, nil
}

// issueCreditNote refunds, credits and stores what planCreditNote built,
// in Stripe's order of events: the refunds', invoice.updated,
// customer.updated, then credit_note.created.
func issueCreditNote(c *api.Call, p *creditNotePlan) (store.Obj, error) {
	cn, inv := p.cn, p.inv
	refunds, _ := cn["refunds"].([]any)
	for _, t := range p.targets {
		re, err := payments.RefundIntent(c, t.intent, t.amount)
		if err != nil {
			return nil, err
		}
		refunds = append(refunds, store.Obj{"amount_refunded": t.amount, "refund": re["id"]})
	}
	cn["refunds"] = refunds
	if err := creditInvoice(c, inv, p.pre, p.post); err != nil {
		return nil, err
	}
	if p.cusBefore != nil {
		cus := api.Clone(p.cusBefore)
		txn, err := customers.MoveBalance(c, cus, -p.credit, api.Str(inv["currency"]), "credit_note", store.Obj{"credit_note": cn["id"], "invoice": inv["id"]})
		if err != nil {
			return nil, err
		}
		cn["customer_balance_transaction"] = txn["id"]
		if err := c.Save(p.cusBefore, cus); err != nil {
			return nil, err
		}
	}
	return cn, c.Insert(cn)
}

func amountParam(hasAmount bool) string {
	if hasAmount {
		return "amount"
	}
	return "lines"
}

// creditNoteLines builds the lines asked for, checked against the
// invoice's lines and what earlier credit notes took from them.
func creditNoteLines(c *api.Call, inv store.Obj) ([]creditNoteLine, error) {
	var out []creditNoteLine
	credited := creditedByLine(c, api.Str(inv["id"]))
	for i, lp := range c.Params.Array("lines") {
		prefix := fmt.Sprintf("lines[%d]", i)
		typ, _ := lp.Str("type")
		q, hasQ := lp.Int("quantity")
		if hasQ && q < 1 {
			return nil, apierr.InvalidRequest("Invalid %s[quantity]: must be at least 1.", prefix).WithParam(prefix + "[quantity]")
		}
		line := store.Obj{
			"id": c.NewID("credit_note_line_item"), "object": "credit_note_line_item", "discount_amount": int64(0),
			"discount_amounts": []any{}, "livemode": false, "pretax_credit_amounts": []any{}, "tax_rates": []any{},
			"taxes": []any{}, "type": typ,
		}
		var amount int64
		var shares noteAmounts
		for _, f := range lineOnlyFor {
			if typ != "" && typ != f.typ && lp.Has(f.name) {
				return nil, apierr.InvalidRequest("Invalid %s[%s]: it is only valid when `type` is `%s`.", prefix, f.name, f.typ).WithParam(prefix + "[" + f.name + "]")
			}
		}
		switch typ {
		case "invoice_line_item":
			ilID, _ := lp.Str("invoice_line_item")
			if ilID == "" {
				return nil, apierr.MissingParam(prefix + "[invoice_line_item]")
			}
			var il store.Obj
			for _, l := range asList(inv["lines"]) {
				if api.Obj(l)["id"] == ilID {
					il = api.Obj(l)
				}
			}
			if il == nil {
				return nil, apierr.NoSuchObject("line item", ilID, prefix+"[invoice_line_item]")
			}
			amt, hasAmt := lp.Int("amount")
			// Stripe: a line credited by quantity is credited by quantity
			// from then on, one credited by amount by amount.
			done := creditOf(credited, ilID)
			if was := done.byQuantity; done.amount > 0 && hasQ != was && (hasQ || hasAmt) {
				way, other := "amount", "quantity"
				if was {
					way, other = "quantity", "amount"
				}
				return nil, apierr.InvalidRequest("Invoice line item %s was credited by %s: later credit notes can only credit it by %s too, not by %s.", ilID, way, way, other).WithParam(prefix + "[" + other + "]")
			}
			switch {
			case hasAmt && hasQ:
				return nil, apierr.Exclusive(prefix+"[amount]", prefix+"[quantity]")
			case hasQ:
				lineQ := api.Int(il["quantity"])
				if q > lineQ {
					return nil, apierr.InvalidRequest("The quantity to credit (%d) is greater than the invoice line item's quantity (%d).", q, lineQ).WithParam(prefix + "[quantity]")
				}
				// Stripe: the quantity times the line's unit price, which
				// may be fractional; the units that finish the line take
				// exactly what is left of it, so its parts add up to it.
				unit := unitDecimalOf(il)
				amount = int64(math.Round(unit * float64(q)))
				if done.quantity+q == lineQ {
					amount = api.Int(il["amount"]) - done.amount
				}
				line["quantity"], line["unit_amount"] = q, nil
				line["unit_amount_decimal"] = strconv.FormatFloat(math.Round(unit*1e12)/1e12, 'f', -1, 64)
				if unit == math.Trunc(unit) {
					line["unit_amount"] = int64(unit)
				}
			case hasAmt:
				if amt < 1 {
					return nil, apierr.InvalidRequest("Invalid %s[amount]: must be at least 1.", prefix).WithParam(prefix + "[amount]")
				}
				amount = amt
				if autoTaxOn(inv) {
					// Stripe: with automatic tax the amount is tax
					// exclusive; the line's gross holds its inclusive tax.
					amount += inclusiveTaxAdded(c, il, amt)
				}
				// Stripe's example notes: a line credited by amount has
				// no unit amount and a quantity of 1.
				line["quantity"], line["unit_amount"], line["unit_amount_decimal"] = int64(1), nil, nil
			default:
				return nil, apierr.InvalidRequest("A line of type invoice_line_item needs a quantity or an amount to credit.").WithParam(prefix + "[quantity]")
			}
			if left := api.Int(il["amount"]) - done.amount; amount > left {
				return nil, apierr.InvalidRequest("The amount to credit (%d) is greater than what is left to credit on invoice line item %s (%d).", amount, ilID, left).WithParam(prefix)
			}
			shares = shareOfInvoiceLine(c, line, il, amount, done)
			// A later line of the same note crediting the same invoice
			// line counts this one as done.
			line["amount"] = amount
			done.add(line)
			line["invoice_line_item"] = ilID
			line["description"] = il["description"]
		case "custom_line_item":
			unit, ok := lp.Int("unit_amount")
			dec, hasDec := lp.Float("unit_amount_decimal")
			switch {
			case ok && hasDec:
				return nil, apierr.Exclusive(prefix+"[unit_amount]", prefix+"[unit_amount_decimal]")
			case !ok && !hasDec:
				return nil, apierr.MissingParam(prefix + "[unit_amount]")
			case ok && unit < 1:
				return nil, apierr.InvalidRequest("Invalid %s[unit_amount]: must be at least 1.", prefix).WithParam(prefix + "[unit_amount]")
			case hasDec:
				if err := catalog.CheckDecimal(dec, prefix+"[unit_amount_decimal]"); err != nil {
					return nil, err
				}
				if dec == 0 {
					return nil, apierr.InvalidRequest("Invalid %s[unit_amount_decimal]: must be greater than 0.", prefix).WithParam(prefix + "[unit_amount_decimal]")
				}
			}
			d, _ := lp.Str("description")
			if d == "" {
				return nil, apierr.MissingParam(prefix + "[description]")
			}
			if !hasQ {
				q = 1
			}
			line["description"], line["quantity"] = d, q
			if hasDec {
				// Stripe's reference: "Same as unit_amount, but accepts a
				// decimal value"; the line's amount is rounded to the
				// nearest unit, as an invoice item's is, and a fractional
				// unit amount has no integer unit_amount.
				var fits bool
				if amount, fits = catalog.Times(dec, q); !fits {
					return nil, apierr.InvalidRequest("Invalid %s[quantity]: %d units of %s come to an amount larger than can be credited.", prefix, q, strconv.FormatFloat(dec, 'f', -1, 64)).WithParam(prefix + "[quantity]")
				}
				line["unit_amount"], line["unit_amount_decimal"] = nil, strconv.FormatFloat(dec, 'f', -1, 64)
				if dec == math.Trunc(dec) {
					line["unit_amount"] = int64(dec)
				}
			} else {
				amount = unit * q
				line["unit_amount"], line["unit_amount_decimal"] = unit, strconv.FormatInt(unit, 10)
			}
			var rates []any
			reason := "not_available"
			if autoTaxOn(inv) {
				if lp.Has("tax_rates") {
					return nil, ErrAutoTaxWithRates(prefix + "[tax_rates]")
				}
				// Stripe Tax taxes the line as it would an amount
				// alone sold to the invoice's customer.
				if t := NewLineTaxer(c, api.Str(inv["customer"])); t.Located {
					var err error
					if rates, reason, err = t.Price(c, nil, api.Str(inv["currency"])); err != nil {
						return nil, err
					}
				}
			} else {
				var err error
				if rates, _, err = taxRatesParam(c, lp, "tax_rates", prefix+"[tax_rates]", nil); err != nil {
					return nil, err
				}
			}
			shares = taxCustomLine(line, amount, rates, reason)
		case "":
			return nil, apierr.MissingParam(prefix + "[type]")
		default:
			return nil, apierr.InvalidRequest("Invalid %s[type]: must be one of invoice_line_item or custom_line_item", prefix).WithParam(prefix + "[type]")
		}
		line["amount"] = amount
		out = append(out, creditNoteLine{line, amount, shares})
	}
	return out, nil
}

// lineOnlyFor are the line parameters Stripe's reference says are only
// valid on one type of credit note line.
var lineOnlyFor = []struct{ name, typ string }{
	{"amount", "invoice_line_item"}, {"invoice_line_item", "invoice_line_item"},
	{"description", "custom_line_item"}, {"unit_amount", "custom_line_item"},
	{"unit_amount_decimal", "custom_line_item"}, {"tax_rates", "custom_line_item"},
}

// unitDecimalOf is an invoice line's unit price in the currency's minor
// unit, perhaps fractional: its price's unit_amount_decimal, or (no price,
// or a tiered one) its amount over its quantity.
func unitDecimalOf(il store.Obj) float64 {
	if s := api.Str(api.Obj(il["pricing"])["unit_amount_decimal"]); s != "" {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	}
	if q := api.Int(il["quantity"]); q > 0 {
		return float64(api.Int(il["amount"])) / float64(q)
	}
	return float64(api.Int(il["amount"]))
}

type refundTarget struct {
	intent string
	amount int64
}

// refundTargets splits a refund over the invoice's paid payments, oldest
// first, or refuses when they don't have that much left to refund.
func refundTargets(c *api.Call, inv store.Obj, amount int64) ([]refundTarget, error) {
	if amount == 0 {
		return nil, nil
	}
	pays := c.Tx.List(c.Account, "invoice_payment", store.Query{Index: "invoice", Value: api.Str(inv["id"])}).Data
	var out []refundTarget
	left := amount
	for i := len(pays) - 1; i >= 0 && left > 0; i-- {
		p := pays[i]
		if p["status"] != "paid" {
			continue
		}
		piID := api.Str(api.Obj(p["payment"])["payment_intent"])
		pi, ok := c.Tx.Get(c.Account, "payment_intent", piID)
		if !ok {
			continue
		}
		ch, ok := c.Tx.Get(c.Account, "charge", api.Str(pi["latest_charge"]))
		if !ok {
			continue
		}
		refundable := api.Int(ch["amount_captured"]) - api.Int(ch["amount_refunded"])
		if refundable <= 0 {
			continue
		}
		n := min(refundable, left)
		out = append(out, refundTarget{piID, n})
		left -= n
	}
	if left > 0 {
		return nil, apierr.InvalidRequest("The refund amount (%d) is greater than what the invoice's payments have left to refund (%d).", amount, amount-left).WithParam("refund_amount")
	}
	return out, nil
}

// creditInvoice books a credit note's amounts on its invoice: a
// pre-payment credit lowers what is due (an invoice with nothing left to
// pay is paid), a post-payment one is recorded.
func creditInvoice(c *api.Call, before store.Obj, pre, post int64) error {
	after := api.Clone(before)
	after["pre_payment_credit_notes_amount"] = api.Int(after["pre_payment_credit_notes_amount"]) + pre
	after["post_payment_credit_notes_amount"] = api.Int(after["post_payment_credit_notes_amount"]) + post
	paidNow := false
	if pre > 0 {
		after["amount_due"] = api.Int(after["amount_due"]) - pre
		after["amount_remaining"] = api.Int(after["amount_remaining"]) - pre
		if api.Int(after["amount_remaining"]) == 0 {
			paidNow = true
			if pay := defaultPayment(c, api.Str(after["id"])); pay != nil && pay["status"] == "open" {
				if err := cancelPayment(c, pay); err != nil {
					return err
				}
			}
			after["status"] = "paid"
			after["next_payment_attempt"] = nil
			after["auto_advance"] = false
			api.Obj(after["status_transitions"])["paid_at"] = c.Now
		}
	}
	if err := c.Save(before, after); err != nil {
		return err
	}
	if paidNow {
		c.Emit("invoice.paid", after, nil)
		return subscriptionInvoicePaid(c, after, "")
	}
	if pre > 0 {
		return syncDefault(c, after)
	}
	return nil
}

func retrieveCreditNote(c *api.Call) (any, error) {
	return c.Load("credit_note", c.Var("id"), "id")
}

func updateCreditNote(c *api.Call) (any, error) {
	before, err := c.Load("credit_note", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if m, ok := c.Params.Str("memo"); ok {
		after["memo"] = api.NilIfEmpty(m)
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	return after, c.Save(before, after)
}

// voidCreditNote voids a credit note of an open invoice and gives the
// invoice back what the note took off.
func voidCreditNote(c *api.Call) (any, error) {
	before, err := c.Load("credit_note", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if before["status"] == "void" {
		return nil, apierr.InvalidRequest("Credit note %s is already void.", before["id"])
	}
	inv, ok := c.Tx.Get(c.Account, "invoice", api.Str(before["invoice"]))
	if !ok || inv["status"] != "open" {
		return nil, apierr.InvalidRequest("You can only void a credit note if the associated invoice is open.")
	}
	pre := api.Int(before["pre_payment_amount"])
	invAfter := api.Clone(inv)
	invAfter["amount_due"] = api.Int(invAfter["amount_due"]) + pre
	invAfter["amount_remaining"] = api.Int(invAfter["amount_remaining"]) + pre
	invAfter["pre_payment_credit_notes_amount"] = api.Int(invAfter["pre_payment_credit_notes_amount"]) - pre
	// As at Stripe, invoice.updated comes before credit_note.voided.
	if err := c.Save(inv, invAfter); err != nil {
		return nil, err
	}
	if err := syncDefault(c, invAfter); err != nil {
		return nil, err
	}
	after := api.Clone(before)
	after["status"] = "void"
	after["voided_at"] = c.Now
	return after, c.PutEmit(after, "credit_note.voided", api.PreviousAttributes(before, after))
}

func listCreditNotes(c *api.Call) (any, error) {
	q, err := c.ListQuery("credit_note")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "invoice", "customer")
	return c.Page("credit_note", "/v1/credit_notes", q), nil
}

func listCreditNoteLines(c *api.Call) (any, error) {
	cn, err := c.Load("credit_note", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	return api.EmbeddedPage(c, asList(cn["lines"]), "/v1/credit_notes/"+api.Str(cn["id"])+"/lines", "credit note line item")
}

// attachedInFlight reports whether an invoice has an attached payment
// (not its default one) that is neither paid nor canceled.
func attachedInFlight(c *api.Call, invID string) bool {
	for _, p := range c.Tx.List(c.Account, "invoice_payment", store.Query{Index: "invoice", Value: invID}).Data {
		if p["status"] == "open" && !api.Bool(p["is_default"]) {
			return true
		}
	}
	return false
}
