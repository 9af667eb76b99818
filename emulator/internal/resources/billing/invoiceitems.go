package billing

import (
	"math"
	"strconv"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	curr "github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/catalog"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coupons"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

func invoiceItemRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/invoiceitems", params.FromStruct(stripe.InvoiceItemCreateParams{}).Require("customer"), createInvoiceItem),
		api.GET("/v1/invoiceitems", params.FromStruct(stripe.InvoiceItemListParams{}), listInvoiceItems),
		api.GET("/v1/invoiceitems/{id}", params.FromStruct(stripe.InvoiceItemRetrieveParams{}), retrieveInvoiceItem),
		api.POST("/v1/invoiceitems/{id}", params.FromStruct(stripe.InvoiceItemUpdateParams{}), updateInvoiceItem),
		api.DELETE("/v1/invoiceitems/{id}", params.FromStruct(stripe.InvoiceItemDeleteParams{}), deleteInvoiceItem),
	}
}

// itemDescription is an invoice item's description limit in Stripe's
// OpenAPI spec.
var itemDescription = api.MaxLength{Path: "description", Limit: 5000}

// priced is an amount and where it came from.
type priced struct {
	unitAmount int64
	quantity   int64
	currency   string
	price      store.Obj // nil for a bare amount
	// byPrice: the amount is total, the price (its tiers, a fractional
	// unit amount, in currency) or a bare unit_amount_decimal applied to
	// the quantity, and unitDecimal the unit amount in currency (null for
	// a tiered price).
	byPrice     bool
	total       int64
	unitDecimal any
}

func (p priced) amount() int64 {
	if p.byPrice {
		return p.total
	}
	return p.unitAmount * p.quantity
}

func (p priced) pricing() any {
	if p.price == nil {
		return nil
	}
	var unit any = strconv.FormatInt(p.unitAmount, 10)
	if p.byPrice {
		unit = p.unitDecimal
	}
	return store.Obj{
		"type":                "price_details",
		"price_details":       store.Obj{"price": p.price["id"], "product": p.price["product"]},
		"unit_amount_decimal": unit,
	}
}

// pricedBy is quantity of a price billed in cur.
func pricedBy(c *api.Call, price store.Obj, cur string, quantity int64) priced {
	out := priced{price: price, currency: cur, quantity: quantity, byPrice: true}
	out.unitAmount, _ = catalog.UnitAmount(c, price, cur)
	out.total = catalog.Amount(c, price, cur, quantity)
	out.unitDecimal = catalog.UnitAmountDecimal(c, price, cur)
	return out
}

// resolvePricing reads amount / price / pricing[price] / quantity the way
// invoice items and invoice lines take them. prefix names params in errors.
// A price is billed in the currency sent, else in billIn (the invoice or
// subscription the item is for), else in its own; one of its
// currency_options prices any other.
func resolvePricing(c *api.Call, p params.Values, prefix, billIn string) (priced, error) {
	name := func(f string) string {
		if prefix == "" {
			return f
		}
		return prefix + "[" + f + "]"
	}
	out := priced{quantity: 1}
	if q, ok := p.Int("quantity"); ok {
		if q < 0 {
			return out, apierr.InvalidRequest("Invalid quantity: must be at least 0").WithParam(name("quantity"))
		}
		out.quantity = q
	}
	priceID, _ := p.Str("price")
	if pr, ok := p.Obj("pricing"); ok {
		if id, _ := pr.Str("price"); id != "" {
			priceID = id
		}
	}
	amount, hasAmount := p.Int("amount")
	hasDecimal := p.Has("unit_amount_decimal")
	switch {
	case priceID != "" && hasAmount:
		return out, apierr.Exclusive(name("amount"), name("pricing"))
	case hasAmount && p.Has("quantity"):
		// The amount is the item's total: Stripe takes a quantity only
		// with a unit price (issues stripe-php#777, cashier-stripe#1153).
		return out, apierr.Exclusive(name("amount"), name("quantity"))
	case hasDecimal && (hasAmount || priceID != "" || p.Has("price_data")):
		other := "amount"
		if !hasAmount {
			other = "pricing"
			if priceID == "" {
				other = "price_data"
			}
		}
		return out, apierr.Exclusive(name(other), name("unit_amount_decimal"))
	case p.Has("price_data") && (priceID != "" || hasAmount):
		other := "amount"
		if priceID != "" {
			other = "pricing"
		}
		return out, apierr.Exclusive(name(other), name("price_data"))
	case priceID != "":
		price, ok := c.Tx.Get(c.Account, "price", priceID)
		if !ok {
			return out, apierr.NoSuchObject("price", priceID, name("pricing[price]"))
		}
		if !api.Bool(price["active"]) && !billsInactive(c, priceID) {
			return out, apierr.InvalidRequest("The price specified is inactive. This field only accepts active prices.").WithParam(name("pricing[price]"))
		}
		// currency, when sent, picks one of the price's currency_options.
		cur, _ := p.Str("currency")
		if cur = strings.ToLower(cur); cur == "" {
			cur = billIn
		}
		if cur == "" {
			cur = api.Str(price["currency"])
		}
		if err := catalog.CheckCurrency(c, price, cur, name("pricing[price]")); err != nil {
			return out, err
		}
		out = pricedBy(c, price, cur, out.quantity)
	case hasAmount:
		out.unitAmount, out.quantity = amount, 1
		cur, _ := p.Str("currency")
		out.currency = strings.ToLower(cur) // Stripe's currencies are lowercase
	case hasDecimal:
		// A fractional unit amount times the quantity, rounded to the
		// nearest unit as a price's unit_amount_decimal is billed.
		d, _ := p.Float("unit_amount_decimal")
		total, ok := catalog.Times(d, out.quantity)
		if !ok {
			return out, apierr.InvalidRequest("Invalid quantity: %d units of unit_amount_decimal %s come to an amount larger than can be billed.", out.quantity, strconv.FormatFloat(d, 'f', -1, 64)).WithParam(name("quantity"))
		}
		out.byPrice, out.total = true, total
		out.unitDecimal = strconv.FormatFloat(d, 'f', -1, 64)
		cur, _ := p.Str("currency")
		out.currency = strings.ToLower(cur) // Stripe's currencies are lowercase
	case p.Has("price_data"):
		pd, _ := p.Obj("price_data")
		price, err := inlineOneTimePrice(c, pd, name("price_data"))
		if err != nil {
			return out, err
		}
		out = pricedBy(c, price, api.Str(price["currency"]), out.quantity)
	default:
		return out, apierr.MissingParam(name("amount"))
	}
	if out.currency == "" {
		return out, apierr.MissingParam(name("currency"))
	}
	return out, nil
}

// inlinePriceOf reads the product and currency every price_data (named
// param in errors) must give, the product one of the account's, the
// currency one Stripe supports.
func inlinePriceOf(c *api.Call, pd params.Values, param string) (product, currency string, err error) {
	// Both are required by Stripe's schema (stripe-go cannot say so).
	for _, f := range []string{"product", "currency"} {
		if v, _ := pd.Str(f); v == "" {
			return "", "", apierr.MissingParam(param + "[" + f + "]")
		}
	}
	product, _ = pd.Str("product")
	if _, err := catalog.Product(c, product, param+"[product]"); err != nil {
		return "", "", err
	}
	currency, _ = pd.Str("currency")
	if !curr.Supported(strings.ToLower(currency)) {
		return "", "", curr.Invalid(currency, param+"[currency]")
	}
	// A recurring one (a subscription item's) bills every 1 interval to
	// three years' worth, as a price of its own does.
	if r, ok := pd.Obj("recurring"); ok {
		if interval, _ := r.Str("interval"); interval != "" {
			count, ok := r.Int("interval_count")
			if !ok {
				count = 1
			}
			if err := catalog.CheckInterval(interval, count, param+"[recurring][interval_count]"); err != nil {
				return "", "", err
			}
		}
	}
	return product, strings.ToLower(currency), nil
}

// inlineOneTimePrice makes the archived one-time price a price_data
// (product, currency, unit_amount or unit_amount_decimal, tax_behavior)
// describes, as Stripe does for invoice items and invoice lines; param
// names price_data in errors.
func inlineOneTimePrice(c *api.Call, pd params.Values, param string) (store.Obj, error) {
	if pd.Has("product_data") {
		// Invoice lines may describe the product inline too.
		return nil, api.NotEmulated(param+"[product_data]", c.Endpoint)
	}
	prod, cur, err := inlinePriceOf(c, pd, param)
	if err != nil {
		return nil, err
	}
	cur = strings.ToLower(cur)
	amount, hasAmount := pd.Int("unit_amount")
	dec, hasDecimal := pd.Float("unit_amount_decimal")
	switch {
	case hasAmount && hasDecimal:
		return nil, apierr.Exclusive(param+"[unit_amount]", param+"[unit_amount_decimal]")
	case !hasAmount && !hasDecimal:
		return nil, apierr.MissingParam(param + "[unit_amount]")
	case hasAmount && amount < 0:
		return nil, apierr.InvalidRequest("Invalid %s[unit_amount]: must be greater than or equal to 0", param).WithParam(param + "[unit_amount]")
	}
	price := catalog.NewInlinePrice(c, prod, cur, amount, nil)
	if hasDecimal {
		if dec < 0 {
			return nil, apierr.InvalidRequest("Invalid %s[unit_amount_decimal]: must be greater than or equal to 0", param).WithParam(param + "[unit_amount_decimal]")
		}
		price["unit_amount_decimal"] = strconv.FormatFloat(dec, 'f', -1, 64)
		price["unit_amount"] = nil
		if dec == math.Trunc(dec) {
			price["unit_amount"] = int64(dec)
		}
	}
	if err := catalog.InlineTaxBehavior(price, pd, param+"[tax_behavior]"); err != nil {
		return nil, err
	}
	// Inline prices exist but are archived at once, as Stripe does.
	return price, c.Put(price)
}

func createInvoiceItem(c *api.Call) (any, error) {
	if err := refuseEmptied(c, itemCreateNotEmpty); err != nil {
		return nil, err
	}
	cusID, _ := c.Params.Str("customer")
	cus, ok := c.Tx.Get(c.Account, "customer", cusID)
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", cusID, "customer")
	}
	var inv store.Obj
	if invID, ok := c.Params.Str("invoice"); ok && invID != "" {
		var err error
		if inv, err = editableInvoice(c, invID, "invoice"); err != nil {
			return nil, err
		}
		if inv["customer"] != cusID {
			return nil, apierr.InvalidRequest("The invoice %s belongs to another customer.", invID).WithParam("invoice")
		}
		if err := roomForItems(c, invID, 1, "invoice"); err != nil {
			return nil, err
		}
	}
	pr, err := resolvePricing(c, c.Params, "", api.Str(inv["currency"]))
	if err != nil {
		return nil, err
	}
	if inv != nil && pr.currency != inv["currency"] {
		return nil, apierr.InvalidRequest("The invoice item's currency (%s) must match the invoice's (%s).", pr.currency, inv["currency"]).WithParam("currency")
	}
	if err := c.CheckLengths(itemDescription); err != nil {
		return nil, err
	}
	now := c.ClockNow(cus)
	ii := newInvoiceItem(c, cusID, pr, now)
	ii["test_clock"] = cus["test_clock"]
	ii["discountable"] = creditNotDiscountable(ii)
	c.Copy(ii, "description", "discountable")
	if err := applyPeriod(c.Params, ii, ""); err != nil {
		return nil, err
	}
	rates, ok, err := taxRatesParam(c, c.Params, "tax_rates", "tax_rates", nil)
	if err != nil {
		return nil, err
	}
	if ok {
		ii["tax_rates"] = rates
	}
	if err := c.ApplyMetadata(ii); err != nil {
		return nil, err
	}
	if err := applyItemTax(c, api.Str(ii["id"])); err != nil {
		return nil, err
	}
	if inv != nil {
		ii["invoice"] = inv["id"]
	}
	if err := itemDiscounts(c, ii); err != nil {
		return nil, err
	}
	if err := invoiceItemSubscription(c, ii, cusID); err != nil {
		return nil, err
	}
	// A customer's first invoice item gives it its currency.
	if err := customers.SetCurrency(c, cusID, pr.currency); err != nil {
		return nil, err
	}
	if err := c.Insert(ii); err != nil {
		return nil, err
	}
	if inv != nil {
		if err := relineInvoice(c, inv); err != nil {
			return nil, err
		}
	}
	return ii, nil
}

// applyPeriod sets the period an item (or invoice line) covers from p's
// period[start|end], both required, the end no earlier than the start.
// prefix is what the caller's parameter names begin with ("lines[0]").
func applyPeriod(p params.Values, ii store.Obj, prefix string) error {
	per, ok := p.Obj("period")
	if !ok {
		return nil
	}
	name := func(f string) string {
		if prefix == "" {
			return "period[" + f + "]"
		}
		return prefix + "[period][" + f + "]"
	}
	start, hasStart := per.Int("start")
	end, hasEnd := per.Int("end")
	switch {
	case !hasEnd:
		return apierr.MissingParam(name("end"))
	case !hasStart:
		return apierr.MissingParam(name("start"))
	case start > end:
		return apierr.InvalidRequest("Invalid %s: must be greater than or equal to %s.", name("end"), name("start")).WithParam(name("end"))
	}
	ii["period"] = store.Obj{"start": start, "end": end}
	return nil
}

// pricingParams are the parameters resolvePricing reads, taken from p
// (read, so what is not among them is still refused as not emulated).
func pricingParams(p params.Values, names ...string) map[string]any {
	out := map[string]any{}
	for _, n := range names {
		if v, ok := p.RawAt(n); ok {
			out[n] = v
		}
	}
	return out
}

func newInvoiceItem(c *api.Call, customer string, pr priced, now int64) store.Obj {
	ii := c.Base("invoiceitem", c.NewID("invoiceitem"))
	delete(ii, "created")
	for k, v := range map[string]any{
		"amount": pr.amount(), "currency": pr.currency, "customer": customer, "date": now, "description": nil,
		"discountable": true, "discounts": []any{}, "invoice": nil, "metadata": map[string]any{}, "parent": nil,
		"period": store.Obj{"start": now, "end": now}, "pricing": pr.pricing(), "proration": false,
		"quantity": pr.quantity, "tax_rates": []any{}, "test_clock": nil,
	} {
		ii[k] = v
	}
	if pr.price != nil && ii["description"] == nil {
		ii["description"] = productName(c, pr.price)
	}
	return ii
}

// creditNotDiscountable is the discountable an item made by hand starts
// with: Stripe's default is false for a negative item (a credit), true
// otherwise.
func creditNotDiscountable(ii store.Obj) bool { return api.Int(ii["amount"]) >= 0 }

// itemPriceOf is the price an invoice item bills, or nil: a new quantity
// is priced by it (its tiers, a fractional unit amount), in the item's
// currency.
func itemPriceOf(c *api.Call, ii store.Obj) store.Obj {
	id := api.Str(api.Obj(api.Obj(ii["pricing"])["price_details"])["price"])
	if id == "" {
		return nil
	}
	if price, ok := c.Tx.Get(c.Account, "price", id); ok {
		return price
	}
	return nil
}

func productName(c *api.Call, price store.Obj) any {
	// Only the name is wanted: read it without decoding the product (a
	// renewal names every line's product).
	if f, ok := c.Tx.Fields(c.Account, "product", api.Str(price["product"]), "name"); ok && f[0].Exists() {
		return f[0].Value()
	}
	return nil
}

func loadInvoiceItem(c *api.Call) (store.Obj, error) {
	ii, err := c.Load("invoiceitem", c.Var("id"), "id")
	if err == nil && api.Bool(ii["deleted"]) {
		return nil, apierr.NoSuchObject("invoiceitem", c.Var("id"), "id")
	}
	return ii, err
}

func retrieveInvoiceItem(c *api.Call) (any, error) { return c.Load("invoiceitem", c.Var("id"), "id") }

// itemInvoiceEditable refuses changes to an item already on a finalized
// invoice.
func itemInvoice(c *api.Call, ii store.Obj) (store.Obj, error) {
	invID := api.Str(ii["invoice"])
	if invID == "" {
		return nil, nil
	}
	return editableInvoice(c, invID, "invoice")
}

func updateInvoiceItem(c *api.Call) (any, error) {
	if err := refuseEmptied(c, itemUpdateNotEmpty); err != nil {
		return nil, err
	}
	before, err := loadInvoiceItem(c)
	if err != nil {
		return nil, err
	}
	if err := applyItemTax(c, api.Str(before["id"])); err != nil {
		return nil, err
	}
	inv, err := itemInvoice(c, before)
	if err != nil {
		return nil, err
	}
	if err := c.CheckLengths(itemDescription); err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if c.Params.Has("amount") || c.Params.Has("pricing") || c.Params.Has("price") || c.Params.Has("quantity") || c.Params.Has("unit_amount_decimal") || c.Params.Has("price_data") {
		p := c.Params
		if !p.Has("amount") && !p.Has("pricing") && !p.Has("price") && !p.Has("unit_amount_decimal") && !p.Has("price_data") {
			// Quantity alone: keep the unit price, or apply a tiered
			// price's tiers to the new quantity.
			q, _ := p.Int("quantity")
			unit := api.Int(before["amount"]) / max(api.Int(before["quantity"]), 1)
			after["quantity"] = q
			after["amount"] = unit * q
			if price := itemPriceOf(c, before); price != nil && !api.Bool(before["proration"]) {
				after["amount"] = catalog.Amount(c, price, api.Str(before["currency"]), q)
			}
		} else {
			raw := pricingParams(p, "amount", "pricing", "quantity", "unit_amount_decimal", "price_data")
			raw["currency"] = before["currency"]
			if !p.Has("quantity") && !p.Has("amount") {
				// A new unit price bills the quantity the item has (an
				// amount is the item's total: its quantity is 1).
				raw["quantity"] = api.Int(before["quantity"])
			}
			pr, err := resolvePricing(c, params.NewValues(raw), "", "")
			if err != nil {
				return nil, err
			}
			after["amount"], after["quantity"], after["pricing"] = pr.amount(), pr.quantity, pr.pricing()
		}
	}
	if d, ok := c.Params.Bool("discountable"); ok && d && api.Bool(before["proration"]) {
		// Stripe's reference: discountable "cannot be set to true for
		// prorations" (its words in refusing are not documented).
		return nil, apierr.InvalidRequest("discountable cannot be set to true for prorations.").WithParam("discountable")
	}
	c.Copy(after, "description", "discountable")
	if err := applyPeriod(c.Params, after, ""); err != nil {
		return nil, err
	}
	rates, ok, err := taxRatesParam(c, c.Params, "tax_rates", "tax_rates", before["tax_rates"])
	if err != nil {
		return nil, err
	}
	if ok {
		after["tax_rates"] = rates
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if err := itemDiscounts(c, after); err != nil {
		return nil, err
	}
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	if inv != nil {
		if err := relineInvoice(c, inv); err != nil {
			return nil, err
		}
	}
	return after, nil
}

// itemDiscounts sets an invoice item's own discounts from the request's
// discounts[] (coupons, promotion codes, existing discounts; discounts=
// removes them), redeemed for the item: its line takes them off before
// the invoice's (Stripe: "Item discounts are applied before invoice
// discounts"). A promotion code with a minimum amount is refused as on
// invoices, the amount it would be held to not being known.
func itemDiscounts(c *api.Call, ii store.Obj) error {
	if !c.Params.Has("discounts") {
		return nil
	}
	ids, err := RedeemDiscounts(c, coupons.Scope{Customer: api.Str(ii["customer"]), InvoiceItem: api.Str(ii["id"]), Currency: api.Str(ii["currency"])}, MinimumUnknown)
	if err != nil {
		return err
	}
	ii["discounts"] = ids
	return nil
}

func deleteInvoiceItem(c *api.Call) (any, error) {
	ii, err := loadInvoiceItem(c)
	if err != nil {
		return nil, err
	}
	inv, err := itemInvoice(c, ii)
	if err != nil {
		return nil, err
	}
	tomb := api.Deleted("invoiceitem", api.Str(ii["id"]))
	if err := c.Put(tomb); err != nil {
		return nil, err
	}
	c.Emit("invoiceitem.deleted", ii, nil)
	if inv != nil {
		if err := relineInvoice(c, inv); err != nil {
			return nil, err
		}
	}
	return tomb, nil
}

func listInvoiceItems(c *api.Call) (any, error) {
	q, err := c.ListQuery("invoiceitem")
	if err != nil {
		return nil, err
	}
	// An invoice item has no created field: created filters its date,
	// the time it was made.
	if created, _ := c.RangeFilter("created"); created != nil {
		q.Filter = func(o store.Obj) bool { return created(api.Int(o["date"])) }
	}
	q = api.IndexedFilters(c, q, "invoice", "customer")
	if pending, ok := c.Params.Bool("pending"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return (o["invoice"] == nil) == pending })
	}
	q = api.OmitClockObjects(c, q, "customer", "invoice")
	return c.Page("invoiceitem", "/v1/invoiceitems", q), nil
}

// MaxInvoiceItems is how many invoice items an invoice may have: Stripe's
// changelog (2016-02-22) "Returns an error on attempts to add more than
// 250 invoice items to an invoice."
const MaxInvoiceItems = 250

// roomForItems refuses adding n invoice items to an invoice that would
// then have more than MaxInvoiceItems. Stripe's wording is not documented.
func roomForItems(c *api.Call, invID string, n int, param string) error {
	have := len(c.Tx.List(c.Account, "invoiceitem", store.Query{Index: "invoice", Value: invID, Limit: MaxInvoiceItems + 1}).Data)
	if have+n > MaxInvoiceItems {
		return apierr.InvalidRequest("An invoice can't have more than %d invoice items; this one has %d.", MaxInvoiceItems, have).WithParam(param)
	}
	return nil
}
