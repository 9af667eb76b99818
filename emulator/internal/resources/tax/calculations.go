package tax

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/taxrates"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
	"github.com/stripe-emu/stripe-emu/emulator/internal/taxid"
)

// CalculationKind is the tax.calculation object of the Tax API for custom
// integrations. Its line items, and the breakdown of its shipping cost's
// tax, are left out unless expanded, as on Stripe. Stripe sends no events
// about calculations (its event types have none), so neither does the
// emulator.
var CalculationKind = &api.Kind{
	Object: "tax.calculation", Prefix: "taxcalc_", Name: "tax calculation",
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){
		"line_items":                  calculationItemsList,
		"shipping_cost.tax_breakdown": shippingBreakdown,
	},
}

// CalculationItemKind is a calculation's line item: its tax_breakdown is
// left out unless expanded (expand[]=data.tax_breakdown on its list).
var CalculationItemKind = &api.Kind{
	Object: "tax.calculation_line_item", Prefix: "tax_li_", Name: "tax calculation line item", ShortID: true,
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){"tax_breakdown": itemBreakdown},
}

// CalculationLifetime is how long a calculation can be retrieved and
// turned into a transaction: Stripe's calculations expire after 90 days.
const CalculationLifetime = 90 * 86400

// TaxDateWindow is how far tax_date may be from now, either way.
const TaxDateWindow = 48 * 3600

// ShippingTaxCode is the tax code of shipping when neither the request
// nor its shipping rate names one (Stripe's "Shipping" code).
const ShippingTaxCode = "txcd_92010001"

// CalculationRoutes are the endpoints of tax calculations.
func CalculationRoutes() []api.Route {
	base := "/v1/tax/calculations"
	create := params.FromStruct(stripe.TaxCalculationCreateParams{}).
		Require("currency", "line_items").
		Enum("line_items.tax_behavior", "exclusive", "inclusive").
		Enum("customer_details.address_source", "billing", "shipping").
		Enum("customer_details.taxability_override", "customer_exempt", "none", "reverse_charge").
		Enum("customer_details.tax_ids.type", taxid.Types...).
		Enum("shipping_cost.tax_behavior", "exclusive", "inclusive")
	return []api.Route{
		api.POST(base, create, createCalculation),
		api.GET(base+"/{id}", params.FromStruct(stripe.TaxCalculationRetrieveParams{}), retrieveCalculation),
		api.GET(base+"/{id}/line_items", params.FromStruct(stripe.TaxCalculationListLineItemsParams{}), listCalculationItems),
	}
}

// taxed is one amount a calculation taxes (a line item or the shipping
// cost) with what Stripe Tax decided for it.
type taxed struct {
	amount    int64
	inclusive bool
	decision  Decision
	taxes     []taxrates.LineTax
}

// tax is the tax on the amount, all of it (inclusive or not).
func (t taxed) tax() int64 {
	var sum int64
	for _, lt := range t.taxes {
		sum += lt.Amount
	}
	return sum
}

func createCalculation(c *api.Call) (any, error) {
	if err := Ready(c); err != nil {
		return nil, err
	}
	cur, _ := c.Params.Str("currency")
	cur = strings.ToLower(cur)
	if !currency.Supported(cur) {
		return nil, currency.Invalid(cur, "currency")
	}
	taxDate := c.Now
	if at, ok := c.Params.Int("tax_date"); ok {
		if at < c.Now-TaxDateWindow || at > c.Now+TaxDateWindow {
			return nil, apierr.InvalidRequest("Invalid tax_date: it can be at most 48 hours in the past and at most 48 hours in the future (now is %d; you passed %d).", c.Now, at).WithParam("tax_date")
		}
		taxDate = at
	}
	buyer, details, customerID, err := calculationBuyer(c)
	if err != nil {
		return nil, err
	}
	shipFrom, err := shipFromDetails(c, buyer.Location)
	if err != nil {
		return nil, err
	}

	id := c.NewID("tax.calculation")
	calc := c.Object("tax.calculation", id, store.Obj{
		"currency": cur, "customer": api.NilIfEmpty(customerID), "customer_details": details,
		"expires_at": c.Now + CalculationLifetime, "ship_from_details": shipFrom, "shipping_cost": nil,
		"tax_date": taxDate,
	})
	delete(calc, "created") // a calculation shows no creation time, only expires_at

	var all []taxed
	items := make([]store.Obj, 0, len(c.Params.Array("line_items")))
	seen := map[string]int{}
	for i, li := range c.Params.Array("line_items") {
		prefix := fmt.Sprintf("line_items[%d]", i)
		item, t, err := calculationItem(c, li, prefix, i, buyer, taxDate)
		if err != nil {
			return nil, err
		}
		ref := api.Str(item["reference"])
		if j, dup := seen[ref]; dup {
			return nil, apierr.InvalidRequest("line_items[%d] and line_items[%d] have the same reference, '%s': each line item's reference must be unique within the calculation.", j, i, ref).WithParam(prefix + "[reference]")
		}
		seen[ref] = i
		if err := c.SetMeta(itemBreakdownKey(c.Account, api.Str(item["id"])), mustJSON(lineBreakdown(t, buyer.Location))); err != nil {
			return nil, err
		}
		items = append(items, item)
		all = append(all, t)
	}
	if len(items) == 0 {
		return nil, apierr.InvalidRequest("A calculation needs at least one line item: line_items is empty.").WithParam("line_items")
	}
	if c.Params.Has("shipping_cost") {
		sc, t, err := shippingCost(c, buyer, cur, taxDate)
		if err != nil {
			return nil, err
		}
		calc["shipping_cost"] = sc
		if err := c.SetMeta(shippingBreakdownKey(c.Account, id), mustJSON(lineBreakdown(t, buyer.Location))); err != nil {
			return nil, err
		}
		all = append(all, t)
	}

	var total, exclusive, inclusive int64
	for _, t := range all {
		total += t.amount
		for _, lt := range t.taxes {
			if lt.Inclusive {
				inclusive += lt.Amount
			} else {
				exclusive += lt.Amount
			}
		}
	}
	calc["amount_total"] = total + exclusive
	calc["tax_amount_exclusive"] = exclusive
	calc["tax_amount_inclusive"] = inclusive
	calc["tax_breakdown"] = totalBreakdown(all, buyer.Location)
	if err := c.SetMeta(calculationItemsKey(c.Account, id), mustJSON(items)); err != nil {
		return nil, err
	}
	// No event: Stripe has none for calculations.
	return calc, c.Put(calc)
}

// calculationItem reads line item li (at prefix) and works out its tax.
func calculationItem(c *api.Call, li params.Values, prefix string, i int, buyer Buyer, at int64) (store.Obj, taxed, error) {
	amount, ok := li.Int("amount")
	if !ok {
		return nil, taxed{}, apierr.MissingParam(prefix + "[amount]")
	}
	if amount < 0 {
		return nil, taxed{}, apierr.InvalidRequest("Invalid %s[amount]: must be greater than or equal to 0", prefix).WithParam(prefix + "[amount]")
	}
	quantity := int64(1)
	if q, ok := li.Int("quantity"); ok {
		if q < 1 {
			return nil, taxed{}, apierr.InvalidRequest("Invalid %s[quantity]: must be greater than 0", prefix).WithParam(prefix + "[quantity]")
		}
		quantity = q
	}
	// Stripe names a line item it was given no reference for by its
	// position, L1, L2…
	ref, _ := li.Str("reference")
	if utf8.RuneCountInString(ref) > MaxReference {
		return nil, taxed{}, apierr.TooLong(prefix+"[reference]", ref, MaxReference)
	}
	if ref == "" {
		ref = "L" + strconv.Itoa(i+1)
	}
	var productID, productCode string
	if p, _ := li.Str("product"); p != "" {
		prod, ok := c.Tx.Get(c.Account, "product", p)
		if !ok || api.Bool(prod["deleted"]) {
			return nil, taxed{}, apierr.NoSuchObject("product", p, prefix+"[product]")
		}
		productID = p
		productCode = api.Str(prod["tax_code"])
	}
	code, _ := li.Str("tax_code")
	if code == "" {
		code = productCode
	}
	code, err := taxCodeFor(c, code, prefix+"[tax_code]")
	if err != nil {
		return nil, taxed{}, err
	}
	behavior, _ := li.Str("tax_behavior")
	if behavior == "" {
		behavior = "exclusive" // Stripe's default for a calculation's line items
	}
	t, err := decideAmount(c, buyer, code, amount, behavior == "inclusive", at)
	if err != nil {
		return nil, taxed{}, err
	}
	var md any
	if m, ok := li.Metadata("metadata"); ok {
		md = m
	}
	item := store.Obj{
		"id": c.NewID("tax.calculation_line_item"), "object": "tax.calculation_line_item", "livemode": false,
		"amount": amount, "amount_tax": t.tax(), "metadata": md, "product": api.NilIfEmpty(productID),
		"quantity": quantity, "reference": ref, "tax_behavior": behavior, "tax_code": code,
	}
	return item, t, nil
}

// decideAmount asks Stripe Tax what applies to amount and works the tax
// out with the rates it names.
func decideAmount(c *api.Call, buyer Buyer, code string, amount int64, inclusive bool, at int64) (taxed, error) {
	d, err := Decide(c, buyer, code, inclusive, at)
	if err != nil {
		return taxed{}, err
	}
	rates := make([]any, len(d.Rates))
	for i, r := range d.Rates {
		rates[i] = r
	}
	return taxed{amount: amount, inclusive: inclusive, decision: d, taxes: taxrates.Compute(amount, rates)}, nil
}

// shippingCost reads shipping_cost: an amount, or a shipping rate whose
// amount, tax behavior and tax code it takes.
func shippingCost(c *api.Call, buyer Buyer, cur string, at int64) (store.Obj, taxed, error) {
	p, _ := c.Params.Obj("shipping_cost")
	amount, hasAmount := p.Int("amount")
	rateID, _ := p.Str("shipping_rate")
	behavior, _ := p.Str("tax_behavior")
	code, _ := p.Str("tax_code")
	out := store.Obj{}
	switch {
	case hasAmount && rateID != "":
		return nil, taxed{}, apierr.Exclusive("shipping_cost[amount]", "shipping_cost[shipping_rate]")
	case rateID != "":
		for _, f := range []string{"tax_behavior", "tax_code"} {
			if p.Has(f) {
				return nil, taxed{}, apierr.InvalidRequest("shipping_cost[%s] cannot be used with shipping_cost[shipping_rate]: the shipping rate's own %s applies.", f, f).WithParam("shipping_cost[" + f + "]")
			}
		}
		rate, ok := c.Tx.Get(c.Account, "shipping_rate", rateID)
		if !ok {
			return nil, taxed{}, apierr.NoSuchObject("shipping rate", rateID, "shipping_cost[shipping_rate]")
		}
		if rc := api.Str(api.Obj(rate["fixed_amount"])["currency"]); rc != cur {
			return nil, taxed{}, apierr.InvalidRequest("The shipping rate %s is in %s, but the calculation is in %s: they must be the same currency.", rateID, rc, cur).WithParam("shipping_cost[shipping_rate]")
		}
		amount = api.Int(api.Obj(rate["fixed_amount"])["amount"])
		// The rate's behavior, else the settings' default; where neither
		// says, the Tax API's own default, exclusive.
		behavior = "exclusive"
		if incl, err := BehaviorIn(c, rate["tax_behavior"], cur, "shipping_cost[shipping_rate]"); err == nil && incl {
			behavior = "inclusive"
		}
		code = api.Str(rate["tax_code"])
		out["shipping_rate"] = rateID
	case !hasAmount:
		return nil, taxed{}, apierr.InvalidRequest("shipping_cost needs either shipping_cost[amount] or shipping_cost[shipping_rate].").WithParam("shipping_cost")
	case amount < 0:
		return nil, taxed{}, apierr.InvalidRequest("Invalid shipping_cost[amount]: must be greater than or equal to 0").WithParam("shipping_cost[amount]")
	}
	if behavior == "" {
		behavior = "exclusive"
	}
	if code == "" {
		code = ShippingTaxCode
	}
	code, err := taxCodeFor(c, code, "shipping_cost[tax_code]")
	if err != nil {
		return nil, taxed{}, err
	}
	t, err := decideAmount(c, buyer, code, amount, behavior == "inclusive", at)
	if err != nil {
		return nil, taxed{}, err
	}
	out["amount"], out["amount_tax"], out["tax_behavior"], out["tax_code"] = amount, t.tax(), behavior, code
	return out, t, nil
}

// lineBreakdown is the tax_breakdown of one line item (or of shipping):
// one entry per tax, or, when none is collected, one saying why, in the
// jurisdiction of the 0% rate Stripe Tax names for it (tax_rate_details
// is null where no tax is imposed).
func lineBreakdown(t taxed, loc *Location) []any {
	if len(t.taxes) == 0 {
		where := store.Obj{"country": "", "display_name": "", "level": "country", "state": nil}
		if len(t.decision.ZeroRates) > 0 {
			where = jurisdiction(t.decision.ZeroRates[0])
		} else if loc != nil {
			where["country"], where["display_name"] = loc.Country, placeName(loc.Country, "")
		}
		return []any{store.Obj{
			"amount": int64(0), "jurisdiction": where, "sourcing": "destination", "tax_rate_details": nil,
			"taxability_reason": reasonOr(t.decision.Reason, "not_collecting"), "taxable_amount": int64(0),
		}}
	}
	out := make([]any, 0, len(t.taxes))
	for _, lt := range t.taxes {
		r := lt.Rate
		out = append(out, store.Obj{
			"amount": lt.Amount, "jurisdiction": jurisdiction(r), "sourcing": "destination",
			"tax_rate_details":  store.Obj{"display_name": api.Str(r["display_name"]), "percentage_decimal": percentageDecimal(r), "tax_type": r["tax_type"]},
			"taxability_reason": reasonOr(t.decision.Reason, "standard_rated"), "taxable_amount": lt.Taxable,
		})
	}
	return out
}

// jurisdiction is where a Stripe Tax rate applies, as a breakdown shows it.
func jurisdiction(r store.Obj) store.Obj {
	country, state := api.Str(r["country"]), api.Str(r["state"])
	level := api.Str(r["jurisdiction_level"])
	if level == "" {
		level = "country"
		if state != "" {
			level = "state"
		}
	}
	if level == "country" {
		state = ""
	}
	return store.Obj{"country": country, "display_name": placeName(country, state), "level": level, "state": api.NilIfEmpty(state)}
}

// totalBreakdown is a calculation's tax_breakdown: the taxes of all its
// amounts summed per rate and taxability reason, in the order first met;
// amounts taxed by nothing are summed per reason, under the 0% rate
// Stripe Tax names for them.
func totalBreakdown(all []taxed, loc *Location) []any {
	out := []any{}
	at := map[string]store.Obj{}
	add := func(key string, entry func() store.Obj, amount, taxable int64) {
		e, ok := at[key]
		if !ok {
			e = entry()
			e["amount"], e["taxable_amount"] = int64(0), int64(0)
			at[key] = e
			out = append(out, e)
		}
		e["amount"] = api.Int(e["amount"]) + amount
		e["taxable_amount"] = api.Int(e["taxable_amount"]) + taxable
	}
	for _, t := range all {
		if len(t.taxes) == 0 {
			reason := reasonOr(t.decision.Reason, "not_collecting")
			details := store.Obj{"country": nil, "flat_amount": nil, "percentage_decimal": "0.0", "rate_type": nil, "state": nil, "tax_type": nil}
			key := "none:" + reason + ":" + strconv.FormatBool(t.inclusive)
			if len(t.decision.ZeroRates) > 0 {
				r := t.decision.ZeroRates[0]
				details["country"], details["state"], details["tax_type"] = r["country"], r["state"], r["tax_type"]
				key += ":" + api.Str(r["id"])
			} else if loc != nil {
				details["country"], details["state"] = loc.Country, api.NilIfEmpty(loc.State)
			}
			add(key, func() store.Obj {
				return store.Obj{"inclusive": t.inclusive, "taxability_reason": reason, "tax_rate_details": details}
			}, 0, 0)
			continue
		}
		reason := reasonOr(t.decision.Reason, "standard_rated")
		for _, lt := range t.taxes {
			r := lt.Rate
			add(api.Str(r["id"])+":"+reason, func() store.Obj {
				return store.Obj{"inclusive": lt.Inclusive, "taxability_reason": reason, "tax_rate_details": store.Obj{
					"country": r["country"], "flat_amount": nil, "percentage_decimal": percentageDecimal(r), "rate_type": "percentage",
					"state": r["state"], "tax_type": r["tax_type"],
				}}
			}, lt.Amount, lt.Taxable)
		}
	}
	return out
}

func reasonOr(reason, fallback string) string {
	if reason == "" {
		return fallback
	}
	return reason
}

// percentageDecimal is a rate's percentage as Stripe writes it in
// percentage_decimal: "8.875", "19.0".
func percentageDecimal(r store.Obj) string {
	s := strconv.FormatFloat(api.Float(r["percentage"]), 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("tax: " + err.Error())
	}
	return string(b)
}

func calculationItemsKey(acct, calc string) string { return "taxcalcitems:" + acct + ":" + calc }
func itemBreakdownKey(acct, item string) string    { return "taxitembreakdown:" + acct + ":" + item }
func shippingBreakdownKey(acct, calc string) string {
	return "taxshipbreakdown:" + acct + ":" + calc
}

// metaList decodes a JSON list kept in metadata.
func metaList(c *api.Call, key string) []any {
	raw, ok := c.Tx.GetMeta(key)
	if !ok {
		return nil
	}
	v, _ := jsonenc.UnmarshalString(raw)
	out, _ := v.([]any)
	return out
}

func calculationItems(c *api.Call, calc string) []any {
	return metaList(c, calculationItemsKey(c.Account, calc))
}

func calculationItemsList(c *api.Call, o store.Obj) (any, error) {
	return firstPage(calculationItems(c, api.Str(o["id"])), "/v1/tax/calculations/"+api.Str(o["id"])+"/line_items"), nil
}

// firstPage is the first page of a list of line items, as an object
// shows it when its line_items are expanded.
func firstPage(items []any, url string) store.Obj {
	const size = 10
	data := items
	if len(data) > size {
		data = data[:size]
	}
	if data == nil {
		data = []any{}
	}
	return store.Obj{"object": "list", "data": data, "has_more": len(items) > size, "url": url}
}

func itemBreakdown(c *api.Call, o store.Obj) (any, error) {
	return metaList(c, itemBreakdownKey(c.Account, api.Str(o["id"]))), nil
}

func shippingBreakdown(c *api.Call, o store.Obj) (any, error) {
	if o["shipping_cost"] == nil {
		return nil, nil
	}
	return metaList(c, shippingBreakdownKey(c.Account, api.Str(o["id"]))), nil
}

// loadCalculation is a calculation that has not expired: an expired one
// is gone, as at Stripe. param names where the id came from.
func loadCalculation(c *api.Call, id, param string) (store.Obj, error) {
	calc, err := c.Load("tax.calculation", id, param)
	if err != nil {
		return nil, err
	}
	if c.Now >= api.Int(calc["expires_at"]) {
		return nil, apierr.NoSuchObject(CalculationKind.Name, id, param)
	}
	return calc, nil
}

func retrieveCalculation(c *api.Call) (any, error) {
	return loadCalculation(c, c.Var("id"), "id")
}

func listCalculationItems(c *api.Call) (any, error) {
	calc, err := loadCalculation(c, c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	id := api.Str(calc["id"])
	return api.EmbeddedPage(c, calculationItems(c, id), "/v1/tax/calculations/"+id+"/line_items", CalculationItemKind.Name)
}
