package quotes

import (
	"fmt"
	"strings"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/pdf"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// GET /v1/quotes/{id}/pdf: Stripe serves it from files.stripe.com, and
// stripe-go asks its uploads backend for it. A client pointed at the
// emulator for every backend (emulator.Client does) gets it from the
// emulator: a small, valid one-page PDF of the quote's number, customer,
// lines and totals (not Stripe's layout). As at Stripe, only a quote that
// was finalized has one: not a draft, nor a draft canceled.
func quotePDF(c *api.Call) (any, error) {
	q, err := loadQuote(c)
	if err != nil {
		return nil, err
	}
	if q["number"] == nil {
		return nil, apierr.InvalidRequest("This quote (%s) was never finalized: finalize a draft before downloading its PDF.", q["id"])
	}
	return api.Blob{ContentType: "application/pdf", Body: renderPDF(c, q, load(c, api.Str(q["id"])))}, nil
}

// renderPDF lays the quote out as text lines on one page.
func renderPDF(c *api.Call, q store.Obj, d data) []byte {
	cur := api.Str(q["currency"])
	// In the currency's own units: ¥1500 is 1500, not 15.00.
	money := func(v any) string { return strings.ToUpper(cur) + " " + currency.Major(api.Int(v), cur) }
	text := []string{"Quote " + api.Str(q["number"])}
	if h := api.Str(q["header"]); h != "" {
		text = append(text, h)
	}
	if cus, ok := c.Tx.Get(c.Account, "customer", api.Str(q["customer"])); ok {
		who := api.Str(cus["name"])
		if email := api.Str(cus["email"]); email != "" {
			who = strings.TrimSpace(who + " <" + email + ">")
		}
		text = append(text, "For: "+firstNonEmpty(who, api.Str(cus["id"])))
	}
	text = append(text, "Expires: "+time.Unix(api.Int(q["expires_at"]), 0).UTC().Format("2 January 2006"))
	if desc := api.Str(q["description"]); desc != "" {
		text = append(text, desc)
	}
	text = append(text, "")
	for _, l := range d.Lines {
		it := l.Item
		suffix := ""
		if r := api.Obj(api.Obj(it["price"])["recurring"]); len(r) > 0 {
			suffix = fmt.Sprintf(" every %d %s", api.Int(r["interval_count"]), r["interval"])
		}
		text = append(text, fmt.Sprintf("%d x %s: %s%s", api.Int(it["quantity"]), api.Str(it["description"]), money(it["amount_subtotal"]), suffix))
	}
	td := api.Obj(q["total_details"])
	text = append(text, "", "Subtotal: "+money(q["amount_subtotal"]))
	if api.Int(td["amount_discount"]) > 0 {
		text = append(text, "Discount: -"+money(td["amount_discount"]))
	}
	if api.Int(td["amount_tax"]) > 0 {
		text = append(text, "Tax: "+money(td["amount_tax"]))
	}
	text = append(text, "Total: "+money(q["amount_total"]))
	if f := api.Str(q["footer"]); f != "" {
		text = append(text, "", f)
	}
	return pdf.Doc{Title: text[0], Lines: text[1:]}.Bytes()
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
