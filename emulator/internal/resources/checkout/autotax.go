package checkout

import (
	"fmt"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/catalog"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/shipping"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/tax"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Automatic tax (Stripe Tax) in Checkout: a session created with
// automatic_tax[enabled]=true has Stripe Tax decide each line item's and
// the shipping cost's taxes for where the buyer is. That is known at
// creation only for an existing customer with a recognised address (the
// session then shows the taxes at once, status complete); otherwise the
// session waits for the address the customer enters on the page
// (requires_location_inputs), and the test helper that completes it
// decides the taxes for that address before anything is charged.

// shippingTaxCode is the tax code Stripe Tax applies to a shipping rate
// without one of its own (Shipping).
const shippingTaxCode = "txcd_92010001"

func autoTaxEnabled(o store.Obj) bool { return api.Bool(api.Obj(o["automatic_tax"])["enabled"]) }

// readAutomaticTax reads the automatic_tax parameter of a session or a
// payment link: sent is false when the request has none. Turning it on
// needs Stripe Tax active on the account.
func readAutomaticTax(c *api.Call) (enabled, sent bool, err error) {
	at, ok := c.Params.Obj("automatic_tax")
	if !ok {
		return false, false, nil
	}
	enabled, ok = at.Bool("enabled")
	if !ok {
		return false, true, apierr.MissingParam("automatic_tax[enabled]")
	}
	if l, ok := at.Obj("liability"); ok {
		switch typ, _ := l.Str("type"); typ {
		case "self":
		case "account":
			return false, true, apierr.InvalidRequest("stripe-emu does not emulate tax liability on a connected account, so it refused the request rather than answer as if `automatic_tax[liability][type]=account` had taken effect.").WithParam("automatic_tax[liability][type]")
		case "":
			return false, true, apierr.MissingParam("automatic_tax[liability][type]")
		default:
			return false, true, apierr.InvalidRequest("Invalid automatic_tax[liability][type]: must be one of account or self").WithParam("automatic_tax[liability][type]")
		}
	}
	if enabled {
		if err := tax.Ready(c); err != nil {
			return false, true, err
		}
	}
	return enabled, true, nil
}

// sessionAutomaticTax is a session's automatic_tax as shown.
func sessionAutomaticTax(enabled bool, status string) store.Obj {
	if !enabled {
		return store.Obj{"enabled": false, "liability": nil, "provider": nil, "status": nil}
	}
	return store.Obj{"enabled": true, "liability": store.Obj{"type": "self"}, "provider": "stripe", "status": status}
}

// linkAutomaticTax is a payment link's automatic_tax as shown.
func linkAutomaticTax(enabled bool) store.Obj {
	if !enabled {
		return store.Obj{"enabled": false, "liability": nil}
	}
	return store.Obj{"enabled": true, "liability": store.Obj{"type": "self"}}
}

// refuseManualRates refuses tax rates set by hand on a session that has
// Stripe Tax decide them.
func refuseManualRates(own [][]any, defaults []any) error {
	for i, r := range own {
		if len(r) > 0 {
			return manualRatesError(fmt.Sprintf("line_items[%d][tax_rates]", i))
		}
	}
	if len(defaults) > 0 {
		return manualRatesError("subscription_data[default_tax_rates]")
	}
	return nil
}

func manualRatesError(param string) error {
	return apierr.InvalidRequest("You cannot set `%s` when `automatic_tax[enabled]` is true: Stripe Tax calculates the taxes of this Checkout Session.", param).WithParam(param)
}

// locationError is Stripe's refusal of an existing customer whose address
// Stripe Tax does not recognise, when the session would not save the one
// the customer enters either.
func locationError(collectsShipping bool) error {
	if !collectsShipping {
		return tax.CheckoutLocationError("")
	}
	// Stripe's earlier wording, which names both ways out: kept where
	// the session collects a shipping address, as customer_update[shipping]
	// then saves one too.
	return apierr.InvalidRequest("Automatic tax calculation in Checkout requires a valid address on the Customer. Add a valid address to the Customer or set either `customer_update[address]` to 'auto' or `customer_update[shipping]` to 'auto' to save the address entered in Checkout to the Customer.").WithCode("customer_tax_location_invalid")
}

// recognised reports whether Stripe Tax knows where a customer is.
func recognised(status string) bool { return status == "supported" || status == "not_collecting" }

// applyAutomaticTax sets up a new session's automatic tax: it checks what
// Stripe checks (every price and shipping rate resolves to inclusive or
// exclusive; an existing customer has a recognised address, or the
// session saves the one entered) and, when the buyer's location is known
// already, shows the taxes.
func applyAutomaticTax(c *api.Call, s store.Obj, items []store.Obj, cus store.Obj, updates customerUpdates) error {
	if s["mode"] == "setup" {
		return apierr.InvalidRequest("`automatic_tax` can only be used in `payment` or `subscription` mode: a Checkout Session in `setup` mode charges nothing.").WithParam("automatic_tax[enabled]")
	}
	for i, it := range items {
		if err := checkTaxable(c, it, inlineParam(c, "line_items", i, "price")); err != nil {
			return err
		}
	}
	options, _ := s["shipping_options"].([]any)
	for i, o := range options {
		rate, _ := c.Tx.Get(c.Account, "shipping_rate", api.Str(api.Obj(o)["shipping_rate"]))
		if _, err := tax.PriceBehavior(c, rate, inlineParam(c, "shipping_options", i, "shipping_rate")); err != nil {
			return err
		}
	}
	collectsShipping := len(api.Obj(s["shipping_address_collection"])) > 0
	var buyer *tax.Buyer
	if cus != nil {
		_, status := tax.Locate(c, cus)
		if !recognised(status) && !updates.Address && !(updates.Shipping && collectsShipping) {
			return locationError(collectsShipping)
		}
		if recognised(status) && !collectsShipping {
			b := tax.BuyerOf(c, cus)
			buyer = &b
		}
	}
	s["automatic_tax"] = sessionAutomaticTax(true, "requires_location_inputs")
	if buyer == nil {
		return nil
	}
	return decideTaxes(c, s, items, *buyer)
}

// inlineParam names what sets the tax behavior of element i of list
// (line_items, shipping_options): <field>, or <field>_data[tax_behavior]
// for an object the request describes inline (price_data,
// shipping_rate_data), whose id the request never named.
func inlineParam(c *api.Call, list string, i int, field string) string {
	if els := c.Params.Array(list); i < len(els) {
		if _, inline := els[i].Sent(field + "_data"); inline {
			return shipping.Elem(list, i, field+"_data") + "[tax_behavior]"
		}
	}
	return shipping.Elem(list, i, field)
}

// checkTaxable refuses, as Stripe does on creating a session or payment
// link with automatic tax, a line item Stripe Tax could not tax: its price
// resolves to no tax behavior, or neither its product nor the settings
// name a tax code.
func checkTaxable(c *api.Call, it store.Obj, param string) error {
	if _, err := itemBehavior(c, it, param); err != nil {
		return err
	}
	return tax.CheckLineCode(c, productTaxCode(c, api.Obj(it["price"])))
}

// itemBehavior is whether a line item's price includes tax: a currency
// option's own tax_behavior where the item is billed in one.
func itemBehavior(c *api.Call, it store.Obj, param string) (bool, error) {
	price := api.Obj(it["price"])
	currency := api.Str(it["currency"])
	if currency == "" || currency == price["currency"] {
		return tax.PriceBehavior(c, price, param)
	}
	return tax.BehaviorIn(c, catalog.TaxBehavior(c, price, currency), currency, param)
}

// productTaxCode is the tax code of a price's product ("" for none: the
// settings' preset applies).
func productTaxCode(c *api.Call, price store.Obj) string {
	prod, ok := c.Tx.Get(c.Account, "product", api.Str(price["product"]))
	if !ok {
		return ""
	}
	return api.Str(prod["tax_code"])
}

// decideTaxes has Stripe Tax decide the taxes of every line item and of
// the shipping cost for buyer, and works the session's totals out again
// from them: status complete.
func decideTaxes(c *api.Call, s store.Obj, items []store.Obj, buyer tax.Buyer) error {
	for i, it := range items {
		param := fmt.Sprintf("line_items[%d][price]", i)
		inclusive, err := itemBehavior(c, it, param)
		if err != nil {
			return err
		}
		d, err := tax.Decide(c, buyer, productTaxCode(c, api.Obj(it["price"])), inclusive, c.Now)
		if err != nil {
			return err
		}
		if _, _, err := taxItem(c, it, decided(d), d.Reason, nil); err != nil {
			return err
		}
	}
	if cost := api.Obj(s["shipping_cost"]); len(cost) > 0 {
		rate, _ := c.Tx.Get(c.Account, "shipping_rate", api.Str(cost["shipping_rate"]))
		inclusive, err := tax.PriceBehavior(c, rate, "shipping_rate")
		if err != nil {
			return err
		}
		code := api.Str(rate["tax_code"])
		if code == "" {
			code = shippingTaxCode
		}
		d, err := tax.Decide(c, buyer, code, inclusive, c.Now)
		if err != nil {
			return err
		}
		s["shipping_cost"] = shippingCost(api.Str(cost["shipping_rate"]), shipping.Amount(rate), decided(d), d.Reason)
	}
	retotal(s, items)
	api.Obj(s["automatic_tax"])["status"] = "complete"
	return nil
}

// shippingCost is a session's shipping_cost for the rate charged, taxed by
// rates (none for manual tax, which applies to line items only).
func shippingCost(rateID string, amount int64, rates []any, reason any) store.Obj {
	var all, exclusive int64
	entries := lineTaxes(amount, rates, reason, &all, &exclusive)
	return store.Obj{
		"amount_subtotal": amount, "amount_tax": all, "amount_total": amount + exclusive,
		"shipping_rate": rateID, "taxes": entries,
	}
}

// retotal works a session's amount_total and total_details out from its
// line items and shipping cost (after discounts and taxes).
func retotal(s store.Obj, items []store.Obj) {
	var total, taxed int64
	for _, it := range items {
		total += api.Int(it["amount_total"])
		taxed += api.Int(it["amount_tax"])
	}
	details := api.Obj(s["total_details"])
	if cost := api.Obj(s["shipping_cost"]); len(cost) > 0 {
		total += api.Int(cost["amount_total"])
		taxed += api.Int(cost["amount_tax"])
		details["amount_shipping"] = cost["amount_total"]
	}
	s["amount_total"] = total
	details["amount_tax"] = taxed
}

// buyerAt is the buyer a completing session taxes: where the order ships
// when the session collects a shipping address, else the billing address
// entered when Checkout saves it or there is no customer yet, else the
// customer's own address; the customer's tax exemption and tax ids, and
// the tax id entered on the page.
// An address that does not locate the buyer (a US one without a valid
// state or ZIP code) is refused, naming the parameter it came from: the
// page would ask for more.
func buyerAt(c *api.Call, s store.Obj, cus store.Obj, billing store.Obj, updates customerUpdates, taxID store.Obj) (tax.Buyer, error) {
	var b tax.Buyer
	if cus != nil {
		b = tax.BuyerOf(c, cus)
	}
	param := ""
	if d := shippingDetails(s); len(d) > 0 {
		b.Location, param = tax.AddressLocation(api.Obj(d["address"]), "shipping_destination"), "shipping_details[address]"
	} else if billing != nil && (cus == nil || updates.Address) {
		b.Location, param = tax.AddressLocation(billing, "billing_address"), "billing_address"
	}
	if b.Location == nil {
		if param == "" {
			return b, tax.LocationError("")
		}
		return b, apierr.InvalidRequest("Stripe Tax cannot locate the address entered: it needs a country, and in the US a valid state or ZIP code (in Canada a province or postal code).").WithParam(param)
	}
	if taxID != nil {
		b.TaxIDs = append(append([]store.Obj{}, b.TaxIDs...), taxID)
	}
	return b, nil
}

// completeAutomaticTax decides a completing session's taxes for where the
// buyer turned out to be, before anything is charged, and keeps the line
// items it shows in step.
func completeAutomaticTax(c *api.Call, s store.Obj, buyer tax.Buyer) error {
	items := storedItems(c, api.Str(s["id"]))
	for _, it := range items {
		if it["quantity"] != nil { // a metered price's item has none
			it["quantity"] = api.Int(it["quantity"])
		}
	}
	if err := decideTaxes(c, s, items, buyer); err != nil {
		return err
	}
	if freeTrial(c, s) {
		trialAmounts(s, items)
	}
	return saveItems(c, api.Str(s["id"]), items)
}

// decided are the rates a decision applies, copies of them: where it
// collects nothing, the 0% rates Stripe still shows the line's reason
// beside (an amount of 0).
func decided(d tax.Decision) []any {
	rates := d.Rates
	if len(rates) == 0 {
		rates = d.ZeroRates
	}
	out := make([]any, len(rates))
	for i, r := range rates {
		out[i] = api.Clone(r)
	}
	return out
}
