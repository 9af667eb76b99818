package quotes

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billing"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coupons"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// POST /v1/quotes with from_quote copies a quote into a new draft
// (Stripe's "duplicate"), or, with from_quote[is_revision]=true, into a
// revision of an open quote: numbered after it (…-0001-2) and canceling
// it once finalized. Nothing else may be sent but expires_at, as Stripe's
// parameter says.

// clonedSettings are the quote's fields a copy takes as they are; the
// lines, totals and from_quote are worked out again.
var clonedSettings = []string{"automatic_tax", "collection_method", "currency", "customer", "default_tax_rates",
	"description", "discounts", "footer", "header", "invoice_settings", "metadata", "subscription_data", "test_clock",
	"on_behalf_of", "transfer_data", "application_fee_amount", "application_fee_percent"}

func cloneQuote(c *api.Call) (any, error) {
	for _, k := range c.Params.Keys() {
		if k != "from_quote" && k != "expires_at" && k != "expand" {
			return nil, apierr.InvalidRequest("You cannot pass `%s` with `from_quote`: a quote cloned from another takes everything from it but `expires_at`. Update the new draft instead.", k).WithParam(k)
		}
	}
	id, _ := c.Params.Str("from_quote.quote")
	if id == "" {
		return nil, apierr.MissingParam("from_quote[quote]")
	}
	revise, _ := c.Params.Bool("from_quote.is_revision")
	src, ok := c.Tx.Get(c.Account, "quote", id)
	if !ok {
		return nil, apierr.NoSuchObject("quote", id, "from_quote[quote]")
	}
	switch status := src["status"]; {
	case revise && status != "open":
		return nil, apierr.InvalidRequest("Only an open quote can be revised; quote %s is `%s`. Leave out `from_quote[is_revision]` to duplicate it instead.", id, status).WithParam("from_quote[is_revision]")
	case status == "canceled":
		return nil, apierr.InvalidRequest("Quote %s is canceled: only a draft, open or accepted quote can be duplicated.", id).WithParam("from_quote[quote]")
	}
	c.Now = now(c, src)
	q := newQuote(c, c.Now)
	for _, f := range clonedSettings {
		q[f] = api.Clone(store.Obj{f: src[f]})[f]
	}
	q["from_quote"] = store.Obj{"is_revision": revise, "quote": id}
	if !revise {
		ids, err := redeemAgain(c, q, asAnys(src["discounts"]))
		if err != nil {
			return nil, err
		}
		q["discounts"] = ids
	}
	d := load(c, id)
	for i, l := range d.Lines {
		it := api.Clone(l.Item)
		it["id"] = c.IDs.Long("li_")
		own := l.Discounts
		if !revise && len(own) > 0 {
			// A line's own discounts likewise: the original's stay
			// applied to what it billed.
			ids, err := redeemAgain(c, q, api.Anys(own))
			if err != nil {
				return nil, err
			}
			own = api.Strs(ids)
		}
		d.Lines[i] = line{Item: it, TaxRates: l.TaxRates, Discounts: own}
	}
	// The copy's upfront items get ids of their own as it is priced.
	d.Upfront = nil
	if err := settle(c, q, &d); err != nil {
		return nil, err
	}
	return q, c.Insert(q)
}

// redeemAgain gives a duplicate discounts of its own for the original's
// (src, the ids of the quote's or of one of its lines'): each coupon or
// promotion code redeemed again for the copy, as the original's may be
// used up by what it billed (a once discount discounts one invoice) and
// name what they were applied to; the customer's own discount is shared.
// A revision keeps the original's, which it replaces.
func redeemAgain(c *api.Call, q store.Obj, src []any) ([]any, error) {
	cus, _ := c.Tx.Get(c.Account, "customer", api.Str(q["customer"]))
	var entries []any
	for _, id := range src {
		d, ok := c.Tx.Get(c.Account, "discount", api.Str(id))
		switch {
		case !ok:
			continue
		case api.Str(api.Obj(cus["discount"])["id"]) == api.Str(id):
			entries = append(entries, map[string]any{"discount": id})
		case d["promotion_code"] != nil:
			entries = append(entries, map[string]any{"promotion_code": d["promotion_code"]})
		default:
			entries = append(entries, map[string]any{"coupon": api.Obj(d["coupon"])["id"]})
		}
	}
	if len(entries) == 0 {
		return []any{}, nil
	}
	p := params.NewValues(map[string]any{"discounts": entries})
	ids, err := billing.RedeemDiscountsFrom(c, p, "", coupons.Scope{Customer: api.Str(q["customer"]), Currency: api.Str(q["currency"]), Quote: true}, billing.MinimumUnknown)
	if e, ok := err.(*apierr.Error); ok {
		// The coupon or code can no longer be redeemed: the copy cannot
		// take it.
		cp := *e
		cp.Param = "from_quote[quote]"
		return nil, &cp
	}
	return ids, err
}

// finalizeRevision numbers a revision after the quote it revises (its
// sequence, the next revision) and cancels that quote, which the revision
// replaces. A quote accepted meanwhile cannot be replaced.
func finalizeRevision(c *api.Call, q store.Obj) (string, error) {
	from := api.Obj(q["from_quote"])
	id := api.Str(from["quote"])
	src, ok := c.Tx.Get(c.Account, "quote", id)
	if !ok {
		return "", apierr.NoSuchObject("quote", id, "from_quote[quote]")
	}
	if src["status"] == "accepted" {
		return "", apierr.InvalidRequest("This quote revises quote %s, which was accepted: it can no longer be finalized. Duplicate the accepted quote instead.", id)
	}
	number := api.Str(src["number"])
	cut := strings.LastIndexByte(number, '-')
	if cut < 0 {
		return "", fmt.Errorf("quotes: quote %s has number %q, without a revision", id, number)
	}
	if src["status"] == "open" {
		if _, err := cancel(c, src); err != nil {
			return "", err
		}
	}
	// The next revision of that quote's sequence: another revision of the
	// same quote may have been finalized already.
	base, rev := number[:cut+1], 0
	for _, o := range c.Tx.List(c.Account, "quote", store.Query{Index: "customer", Value: api.Str(src["customer"])}).Data {
		if n, ok := strings.CutPrefix(api.Str(o["number"]), base); ok {
			if r, err := strconv.Atoi(n); err == nil {
				rev = max(rev, r)
			}
		}
	}
	return base + strconv.Itoa(rev+1), nil
}
