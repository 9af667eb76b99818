package quotes

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billing"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/catalog"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/checkout"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coupons"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/tax"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/taxrates"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// MaxLines is how many line items a quote takes.
const MaxLines = 20

// readLines reads line_items[]: the quote's lines from now on, their
// discounts redeemed for customer (the quote's, if it has one yet). On an
// update, kept are the lines the quote has: an entry naming one by id
// keeps it (with what the entry changes), the lines not named are
// removed, entries without id are new.
func readLines(c *api.Call, kept []line, customer string) ([]line, error) {
	raw := c.Params.Array("line_items")
	if len(raw) > MaxLines {
		return nil, apierr.InvalidRequest("A quote can have at most %d line items; you passed %d.", MaxLines, len(raw)).WithParam("line_items")
	}
	byID := map[string]line{}
	for _, l := range kept {
		byID[api.Str(l.Item["id"])] = l
	}
	out := make([]line, 0, len(raw))
	seen := map[string]bool{}
	for i, li := range raw {
		prefix := fmt.Sprintf("line_items[%d]", i)
		var l line
		named := false // an existing line, kept
		if id, _ := li.Str("id"); id != "" {
			old, ok := byID[id]
			if !ok || seen[id] {
				return nil, apierr.NoSuchObject("line item", id, prefix+"[id]")
			}
			seen[id] = true
			named = true
			l = line{Item: api.Clone(old.Item), TaxRates: old.TaxRates, Discounts: old.Discounts}
		} else {
			l = line{Item: store.Obj{"id": c.IDs.Long("li_"), "object": "item", "quantity": int64(1)}}
			if !li.Has("price") && !li.Has("price_data") {
				return nil, apierr.MissingParam(prefix + "[price]")
			}
		}
		// A kept line sent back with its own price keeps it as it is, though
		// inactive (an inline one, or archived since).
		own, _ := li.Str("price")
		ownPrice := named && own != "" && own == api.Str(api.Obj(l.Item["price"])["id"]) && !li.Has("price_data")
		if !ownPrice && (li.Has("price") || li.Has("price_data")) {
			price, err := linePrice(c, li, prefix)
			if err != nil {
				return nil, err
			}
			l.Item["price"] = price
			l.Item["currency"] = price["currency"]
			l.Item["description"] = nil
			if prod, ok := c.Tx.Get(c.Account, "product", api.Str(price["product"])); ok {
				l.Item["description"] = prod["name"]
			}
		}
		if q, ok := li.Int("quantity"); ok {
			if q < 0 {
				return nil, apierr.InvalidRequest("Invalid quantity: must be at least 0").WithParam(prefix + "[quantity]")
			}
			l.Item["quantity"] = q
		}
		if li.Has("tax_rates") {
			ids, err := taxRates(c, li.Strings("tax_rates"), prefix+"[tax_rates]", l.TaxRates)
			if err != nil {
				return nil, err
			}
			l.TaxRates = ids
		}
		if li.Has("discounts") {
			ids, err := billing.RedeemDiscountsFrom(c, li, prefix, coupons.Scope{Customer: customer, Currency: api.Str(l.Item["currency"]), Quote: true}, billing.MinimumUnknown)
			if err != nil {
				return nil, err
			}
			l.Discounts = api.Strs(ids)
		}
		out = append(out, l)
	}
	return out, checkLines(out)
}

// checkLines applies what holds across lines: one currency, one billing
// interval for the recurring ones (they become one subscription). A
// line's own discounts are taken only on a quote without recurring lines:
// its one-off invoice's items take them, a subscription's items and
// first-invoice items are not emulated with discounts.
func checkLines(lines []line) error {
	discounted, recurs := -1, false
	for i, l := range lines {
		if len(l.Discounts) > 0 && discounted < 0 {
			discounted = i
		}
		recurs = recurs || api.Obj(l.Item["price"])["type"] == "recurring"
	}
	if discounted >= 0 && recurs {
		return apierr.InvalidRequest("stripe-emu does not emulate a line item's own discounts on a quote with recurring prices (the subscription it makes would need them on its items), so it refused the request rather than answer as if they had taken effect. Use the quote's `discounts`, or leave them out.").WithParam(fmt.Sprintf("line_items[%d][discounts]", discounted))
	}
	var first, firstRecurring store.Obj
	for i, l := range lines {
		p := api.Obj(l.Item["price"])
		if first == nil {
			first = p
		} else if p["currency"] != first["currency"] {
			return apierr.InvalidRequest("All prices on a quote must have the same currency.").WithParam(fmt.Sprintf("line_items[%d][price]", i))
		}
		if p["type"] != "recurring" {
			continue
		}
		if firstRecurring == nil {
			firstRecurring = p
			continue
		}
		r0, r1 := api.Obj(firstRecurring["recurring"]), api.Obj(p["recurring"])
		if r0["interval"] != r1["interval"] || api.Int(r0["interval_count"]) != api.Int(r1["interval_count"]) {
			return apierr.InvalidRequest("All recurring prices on a quote must have the same interval and interval_count.").WithParam(fmt.Sprintf("line_items[%d][price]", i))
		}
	}
	return nil
}

// linePrice resolves a line's price: an active price of the account, or
// the archived inline price its price_data makes (as Stripe makes one).
func linePrice(c *api.Call, li params.Values, prefix string) (store.Obj, error) {
	var price store.Obj
	if id, _ := li.Str("price"); id != "" {
		if li.Has("price_data") {
			return nil, apierr.Exclusive(prefix+"[price]", prefix+"[price_data]")
		}
		p, ok := c.Tx.Get(c.Account, "price", id)
		if !ok {
			return nil, apierr.NoSuchObject("price", id, prefix+"[price]")
		}
		if !api.Bool(p["active"]) {
			return nil, apierr.InvalidRequest("The price specified is inactive. This field only accepts active prices.").WithParam(prefix + "[price]")
		}
		if err := catalog.CheckChosenAmount(p, prefix+"[price]"); err != nil {
			return nil, err
		}
		price = p
	} else {
		pd, ok := li.Obj("price_data")
		if !ok {
			return nil, apierr.MissingParam(prefix + "[price]")
		}
		name := func(f string) string { return prefix + "[price_data][" + f + "]" }
		cur, _ := pd.Str("currency")
		if cur == "" {
			return nil, apierr.MissingParam(name("currency"))
		}
		if !currency.Supported(strings.ToLower(cur)) {
			return nil, currency.Invalid(cur, name("currency"))
		}
		cur = strings.ToLower(cur) // Stripe's currencies are lowercase
		prod, _ := pd.Str("product")
		if prod == "" {
			return nil, apierr.MissingParam(name("product"))
		}
		if _, err := catalog.Product(c, prod, name("product")); err != nil {
			return nil, err
		}
		amount, hasAmount := pd.Int("unit_amount")
		decimal, hasDecimal := pd.Float("unit_amount_decimal")
		switch {
		case hasAmount && hasDecimal:
			return nil, apierr.Exclusive(name("unit_amount"), name("unit_amount_decimal"))
		case !hasAmount && !hasDecimal:
			return nil, apierr.MissingParam(name("unit_amount"))
		case amount < 0 || decimal < 0:
			return nil, apierr.InvalidRequest("Invalid %s: must be at least 0", name("unit_amount")).WithParam(name("unit_amount"))
		}
		var rec store.Obj
		if r, ok := pd.Obj("recurring"); ok {
			interval, _ := r.Str("interval")
			if interval == "" {
				return nil, apierr.MissingParam(name("recurring][interval"))
			}
			count, ok := r.Int("interval_count")
			if !ok {
				count = 1
			}
			if err := catalog.CheckInterval(interval, count, name("recurring][interval_count")); err != nil {
				return nil, err
			}
			rec = store.Obj{"interval": interval, "interval_count": count, "meter": nil, "trial_period_days": nil, "usage_type": "licensed"}
		}
		p := catalog.NewInlinePrice(c, prod, cur, amount, rec)
		if hasDecimal {
			p["unit_amount"] = nil
			p["unit_amount_decimal"] = strconv.FormatFloat(decimal, 'f', -1, 64)
			if decimal == float64(int64(decimal)) {
				p["unit_amount"] = int64(decimal)
			}
		}
		if err := catalog.InlineTaxBehavior(p, pd, name("tax_behavior")); err != nil {
			return nil, err
		}
		if err := c.Put(p); err != nil {
			return nil, err
		}
		price = p
	}
	if api.Obj(price["recurring"])["usage_type"] == "metered" {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate quotes for metered prices (%s): quote only prices billed by quantity.", price["id"]).WithParam(prefix + "[price]")
	}
	return api.Clone(price), nil
}

// taxRates checks tax rate ids sent at param; kept are the ids the
// object already has (archived rates stay usable there).
func taxRates(c *api.Call, ids []string, param string, kept []string) ([]string, error) {
	rates, err := taxrates.Resolve(c, ids, param, taxrates.Load(c, kept))
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rates))
	for i, r := range rates {
		out[i] = api.Str(api.Obj(r)["id"])
	}
	return out, nil
}

// redeem turns discounts[] into the discounts the quote holds: an
// existing discount of the customer is reused, a coupon or promotion
// code is redeemed for the quote's customer.
func redeem(c *api.Call, q store.Obj) ([]any, error) {
	return billing.RedeemDiscounts(c, coupons.Scope{Customer: api.Str(q["customer"]), Currency: api.Str(q["currency"]), Quote: true}, billing.MinimumUnknown)
}

// part is one of a quote's totals worked out: the whole quote, what the
// first invoice charges (upfront), what each period charges after it
// (recurring).
type part struct {
	items                          []store.Obj
	subtotal, discount, tax, total int64
	breakdown                      breakdown
}

// price works out every total of the quote from its lines, in Stripe's
// order (discounts spread over the lines, then each line taxed on what
// they leave by its own rates or the quote's defaults), sets them on q
// and keeps the line items and breakdowns in d.
func price(c *api.Call, q store.Obj, d *data) error {
	if err := checkLines(d.Lines); err != nil {
		return err
	}
	q["currency"] = nil
	if len(d.Lines) > 0 {
		q["currency"] = api.Obj(d.Lines[0].Item["price"])["currency"]
	}
	discounts := coupons.Load(c, asAnys(q["discounts"]), api.Str(q["currency"]))
	for _, id := range asAnys(q["discounts"]) {
		// A discount in another currency than the lines' (and none of its
		// coupon's currency_options) cannot apply.
		if dd, ok := c.Tx.Get(c.Account, "discount", api.Str(id)); ok {
			if cur := api.Str(api.Obj(dd["coupon"])["currency"]); q["currency"] != nil && !coupons.Takes(c, api.Obj(dd["coupon"]), api.Str(q["currency"])) {
				return apierr.InvalidRequest("The coupon %s is in %s and cannot be applied to a quote in %s.", api.Obj(dd["coupon"])["id"], cur, q["currency"]).WithParam("discounts")
			}
		}
	}
	defaults := taxrates.Load(c, api.Strs(q["default_tax_rates"]))
	auto, err := autoTaxes(c, q, d.Lines)
	if err != nil {
		return err
	}
	if auto == nil {
		// Rates set by hand must agree with the tax behavior of the
		// prices they apply to, as the invoices the quote makes would.
		for _, l := range d.Lines {
			rates := defaults
			if len(l.TaxRates) > 0 {
				rates = taxrates.Load(c, l.TaxRates)
			}
			if err := taxrates.CheckBehavior(api.Obj(l.Item["price"])["tax_behavior"], rates); err != nil {
				return err
			}
		}
	}
	trial := api.Int(api.Obj(q["subscription_data"])["trial_period_days"]) > 0
	n := len(d.Lines)
	full := make([]int64, n)
	upfront := make([]int64, n)
	recurringOnly := make([]int64, n)
	recurs := false
	var first store.Obj
	for i, l := range d.Lines {
		p := api.Obj(l.Item["price"])
		full[i] = catalog.Amount(c, p, api.Str(q["currency"]), api.Int(l.Item["quantity"]))
		upfront[i] = full[i]
		if p["type"] == "recurring" {
			recurs = true
			if first == nil {
				first = p
			}
			recurringOnly[i] = full[i]
			if trial {
				upfront[i] = 0
			}
		}
	}
	// Each line's own discounts come off it first, the quote's off what
	// they leave, as on the invoice it makes.
	own := make([][]coupons.Amount, n)
	for i, l := range d.Lines {
		own[i] = coupons.Load(c, api.Anys(l.Discounts), api.Str(q["currency"]))
	}
	whole := priceLines(c, d.Lines, full, nil, own, discounts, defaults, auto)
	for i, it := range whole.items {
		d.Lines[i].Item = it
	}
	up := priceLines(c, d.Lines, upfront, nil, own, discounts, defaults, auto)
	for i, it := range up.items {
		// The upfront items are items of their own; their ids are kept
		// across updates (and with them what their taxes are kept under).
		if i < len(d.Upfront) {
			it["id"] = api.Obj(d.Upfront[i])["id"]
		} else {
			it["id"] = c.IDs.Long("li_")
		}
	}
	d.Breakdown = map[string]breakdown{"total": whole.breakdown, "upfront": up.breakdown}
	d.Upfront = make([]any, len(up.items))
	for i, it := range up.items {
		d.Upfront[i] = it
	}
	setTotals(q, whole)
	computed := api.Obj(q["computed"])
	computed["upfront"] = store.Obj{"amount_subtotal": up.subtotal, "amount_total": up.total, "total_details": totalDetails(up.discount, up.tax)}
	computed["recurring"] = nil
	if recurs {
		// What each period after the first charges: Stripe counts only
		// forever coupons here (a repeating one ends some period).
		var lasting []coupons.Amount
		for _, dc := range discounts {
			if dd, ok := c.Tx.Get(c.Account, "discount", dc.ID); ok && api.Obj(dd["coupon"])["duration"] != "forever" {
				continue
			}
			lasting = append(lasting, dc)
		}
		include := make([]bool, n)
		for i := range d.Lines {
			include[i] = api.Obj(d.Lines[i].Item["price"])["type"] == "recurring"
		}
		// No line of a recurring quote has discounts of its own
		// (checkLines).
		rec := priceLines(c, d.Lines, recurringOnly, include, nil, lasting, defaults, auto)
		d.Breakdown["recurring"] = rec.breakdown
		r := api.Obj(first["recurring"])
		computed["recurring"] = store.Obj{"amount_subtotal": rec.subtotal, "amount_total": rec.total,
			"interval": r["interval"], "interval_count": api.Int(r["interval_count"]), "total_details": totalDetails(rec.discount, rec.tax)}
	}
	// The items' taxes and discounts, shown when expanded
	// (line_items.data.taxes, line_items.data.discounts).
	for i, l := range d.Lines {
		if err := checkout.SaveItemTaxes(c, api.Str(l.Item["id"]), l.TaxRates, whole.taxes[i], whole.discounts[i]); err != nil {
			return err
		}
		if err := checkout.SaveItemTaxes(c, api.Str(up.items[i]["id"]), l.TaxRates, up.taxes[i], up.discounts[i]); err != nil {
			return err
		}
	}
	return nil
}

func setTotals(q store.Obj, p pricedPart) {
	q["amount_subtotal"], q["amount_total"] = p.subtotal, p.total
	q["total_details"] = totalDetails(p.discount, p.tax)
}

// pricedPart is a part with each item's taxes as shown, and what each
// discount took off it ({amount, discount id}).
type pricedPart struct {
	part
	taxes, discounts [][]any
}

// lineTaxes are the rates Stripe Tax applies to each line of a quote
// with automatic tax, and the taxability reason of each.
type lineTaxes struct {
	rates   [][]any
	reasons []string
}

// autoTaxes decides the tax of each line of a quote with automatic tax
// (nil without), as its invoices would be taxed (billing.LineTaxer), and
// sets automatic_tax.status. Tax rates set by hand are refused with it.
func autoTaxes(c *api.Call, q store.Obj, lines []line) (*lineTaxes, error) {
	at := api.Obj(q["automatic_tax"])
	if !api.Bool(at["enabled"]) {
		return nil, nil
	}
	if len(asAnys(q["default_tax_rates"])) > 0 {
		return nil, billing.ErrAutoTaxWithRates("default_tax_rates")
	}
	taxer := billing.NewLineTaxer(c, api.Str(q["customer"]))
	if !taxer.Located {
		// Stripe would geolocate a customer's IP address alone; the
		// emulator refuses that by name rather than quote no tax.
		if cus, ok := c.Tx.Get(c.Account, "customer", api.Str(q["customer"])); ok {
			if err := tax.IPOnlyError(c, cus, "customer"); err != nil {
				return nil, err
			}
		}
	}
	at = api.Clone(at)
	at["status"] = taxer.Status()
	q["automatic_tax"] = at
	out := &lineTaxes{rates: make([][]any, len(lines)), reasons: make([]string, len(lines))}
	for i, l := range lines {
		if len(l.TaxRates) > 0 {
			return nil, billing.ErrAutoTaxWithRates(fmt.Sprintf("line_items[%d][tax_rates]", i))
		}
		if !taxer.Located {
			continue
		}
		rates, reason, err := taxer.Price(c, api.Obj(l.Item["price"]), api.Str(q["currency"]))
		if err != nil {
			return nil, err
		}
		out.rates[i], out.reasons[i] = rates, reason
	}
	return out, nil
}

// priceLines prices lines at amounts (only those include says, nil: all)
// with each line's own discounts (own, nil: none), then the quote's
// discounts on what they leave, and tax rates (auto's with automatic
// tax): each item (a copy) gets its amounts.
func priceLines(c *api.Call, lines []line, amounts []int64, include []bool, own [][]coupons.Amount, discounts []coupons.Amount, defaults []any, auto *lineTaxes) pricedPart {
	n := len(lines)
	products := make([]string, n)
	discountable := make([]bool, n)
	for i, l := range lines {
		products[i] = api.Str(api.Obj(l.Item["price"])["product"])
		discountable[i] = include == nil || include[i]
	}
	spread := make([][]store.Obj, n)
	left := append([]int64(nil), amounts...)
	var order []coupons.Amount
	for i := range lines {
		if i >= len(own) || len(own[i]) == 0 || !discountable[i] {
			continue
		}
		order = append(order, own[i]...)
		spread[i] = coupons.Spread(own[i], amounts[i:i+1], products[i:i+1], []bool{true})[0]
		for _, s := range spread[i] {
			left[i] -= api.Int(s["amount"])
		}
	}
	for i, shares := range coupons.Spread(discounts, left, products, discountable) {
		spread[i] = append(spread[i], shares...)
	}
	order = append(order, discounts...)
	var out pricedPart
	out.taxes = make([][]any, n)
	out.discounts = make([][]any, n)
	byDiscount := map[string]int64{}
	byRate := map[string]store.Obj{}
	var rateOrder []string
	var exclusive int64
	for i, l := range lines {
		it := api.Clone(l.Item)
		out.taxes[i], out.discounts[i] = []any{}, []any{}
		if include != nil && !include[i] {
			continue
		}
		var off int64
		for _, s := range spread[i] {
			off += api.Int(s["amount"])
			byDiscount[api.Str(s["discount"])] += api.Int(s["amount"])
			if api.Int(s["amount"]) > 0 {
				out.discounts[i] = append(out.discounts[i], store.Obj{"amount": api.Int(s["amount"]), "discount": s["discount"]})
			}
		}
		rates := defaults
		if len(l.TaxRates) > 0 {
			rates = taxrates.Load(c, l.TaxRates)
		}
		var reason any // rates set by hand give none
		if auto != nil {
			rates = auto.rates[i]
			reason = api.NilIfEmpty(auto.reasons[i])
		}
		net := amounts[i] - off
		var lineTax, lineExclusive int64
		for _, t := range taxrates.Compute(net, rates) {
			if reason == "not_collecting" {
				t.Taxable = 0 // no tax base where nothing is collected
			}
			lineTax += t.Amount
			if !t.Inclusive {
				lineExclusive += t.Amount
			}
			out.taxes[i] = append(out.taxes[i], store.Obj{"amount": t.Amount, "rate": api.Clone(t.Rate), "taxability_reason": reason, "taxable_amount": t.Taxable})
			id := api.Str(t.Rate["id"])
			if byRate[id] == nil {
				byRate[id] = store.Obj{"amount": int64(0), "rate": id, "taxability_reason": reason, "taxable_amount": int64(0)}
				rateOrder = append(rateOrder, id)
			}
			byRate[id]["amount"] = api.Int(byRate[id]["amount"]) + t.Amount
			byRate[id]["taxable_amount"] = api.Int(byRate[id]["taxable_amount"]) + t.Taxable
		}
		it["amount_subtotal"], it["amount_discount"], it["amount_tax"] = amounts[i], off, lineTax
		it["amount_total"] = net + lineExclusive
		out.items = append(out.items, it)
		out.subtotal += amounts[i]
		out.discount += off
		out.tax += lineTax
		exclusive += lineExclusive
	}
	out.total = out.subtotal - out.discount + exclusive
	out.breakdown = breakdown{Discounts: []any{}, Taxes: []any{}}
	listed := map[string]bool{}
	for _, dc := range order {
		if amt, ok := byDiscount[dc.ID]; ok && !listed[dc.ID] {
			listed[dc.ID] = true
			out.breakdown.Discounts = append(out.breakdown.Discounts, store.Obj{"amount": amt, "discount": dc.ID})
		}
	}
	for _, id := range rateOrder {
		out.breakdown.Taxes = append(out.breakdown.Taxes, byRate[id])
	}
	return out
}

// breakdownOf renders a total's breakdown (total, upfront or recurring)
// with its discounts and tax rates as objects, as Stripe shows them.
func breakdownOf(which string) func(c *api.Call, q store.Obj) (any, error) {
	return func(c *api.Call, q store.Obj) (any, error) {
		b, ok := load(c, api.Str(q["id"])).Breakdown[which]
		if !ok {
			return nil, nil
		}
		out := store.Obj{"discounts": []any{}, "taxes": []any{}}
		for _, e := range b.Discounts {
			m := api.Obj(e)
			if d, ok := c.Tx.Get(c.Account, "discount", api.Str(m["discount"])); ok {
				out["discounts"] = append(out["discounts"].([]any), store.Obj{"amount": api.Int(m["amount"]), "discount": d})
			}
		}
		for _, e := range b.Taxes {
			m := api.Obj(e)
			if r, ok := c.Tx.Get(c.Account, "tax_rate", api.Str(m["rate"])); ok {
				out["taxes"] = append(out["taxes"].([]any), store.Obj{"amount": api.Int(m["amount"]), "rate": r,
					"taxability_reason": m["taxability_reason"], "taxable_amount": api.Int(m["taxable_amount"])})
			}
		}
		return out, nil
	}
}
