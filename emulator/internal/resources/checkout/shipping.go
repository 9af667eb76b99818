package checkout

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/shipping"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// MaxShippingOptions is how many shipping options a session (or a
// payment link) offers at most (Stripe: "Up to a maximum of 5").
const MaxShippingOptions = 5

// scratchLinkRates holds, while a payment link opens a session, the
// shipping rates the link offers: they stay usable if archived since.
const scratchLinkRates = "checkout.linkShippingRates"

// shippingRates reads shipping_options[] (an existing rate, or
// shipping_rate_data making a new one, as Stripe does) and returns the
// rates in order. currency is the purchase's; mode the session's mode, or
// the mode of the sessions a payment link opens.
func shippingRates(c *api.Call, mode, currency, what string) ([]store.Obj, error) {
	raw := c.Params.Array("shipping_options")
	if len(raw) == 0 {
		return nil, nil
	}
	switch mode {
	case "setup":
		return nil, apierr.InvalidRequest("You can only pass `shipping_options` in `payment` mode: a Checkout Session in `setup` mode charges nothing.").WithParam("shipping_options")
	case "subscription":
		// Stripe's guide says only payment mode supports shipping
		// options; where it accepts them with recurring prices, it bills
		// shipping with the subscription's first invoice, which the
		// emulator's subscription invoices do not do.
		return nil, apierr.InvalidRequest("stripe-emu does not emulate the parameter `shipping_options` of %s with recurring prices (shipping billed on a subscription's first invoice), so it refused the request rather than answer as if it had taken effect.", what).WithParam("shipping_options")
	}
	if len(raw) > MaxShippingOptions {
		return nil, apierr.InvalidRequest("You can pass at most %d shipping options; you passed %d.", MaxShippingOptions, len(raw)).WithParam("shipping_options")
	}
	kept, _ := c.Scratch(scratchLinkRates).(map[string]bool)
	rates := make([]store.Obj, 0, len(raw))
	for i, o := range raw {
		rateParam := shipping.Elem("shipping_options", i, "shipping_rate")
		dataParam := shipping.Elem("shipping_options", i, "shipping_rate_data")
		id, _ := o.Str("shipping_rate")
		rate, currencyParam, none, err := shipping.Chosen(c, o, rateParam, dataParam, kept[id])
		if none {
			return nil, apierr.MissingParam(rateParam)
		}
		if err != nil {
			return nil, err
		}
		if err := shipping.CheckCurrency(rate, currency, currencyParam); err != nil {
			return nil, err
		}
		rates = append(rates, rate)
	}
	return rates, nil
}

// shippingOptions renders rates as a session's or link's shipping_options.
func shippingOptions(rates []store.Obj) []any {
	out := make([]any, len(rates))
	for i, r := range rates {
		out[i] = shipping.Option(r)
	}
	return out
}

// applyShipping offers the session's shipping options and charges the
// first, which Checkout preselects (the test helper completes with it
// unless told the customer chose another, see chooseShipping):
// shipping_cost, total_details.amount_shipping and amount_total include
// it. Manual tax rates apply to line items only, so shipping is untaxed.
func applyShipping(c *api.Call, s store.Obj) error {
	rates, err := shippingRates(c, api.Str(s["mode"]), api.Str(s["currency"]), "Checkout Sessions")
	if err != nil || len(rates) == 0 {
		return err
	}
	s["shipping_options"] = shippingOptions(rates)
	amount := shipping.Amount(rates[0])
	s["shipping_cost"] = store.Obj{
		"amount_subtotal": amount, "amount_tax": int64(0), "amount_total": amount,
		"shipping_rate": rates[0]["id"], "taxes": []any{},
	}
	api.Obj(s["total_details"])["amount_shipping"] = amount
	s["amount_total"] = api.Int(s["amount_total"]) + amount
	return nil
}

// chooseShipping is the customer picking another of the session's
// shipping options on the page (the test helper's shipping_rate): the
// session then charges that one instead of the first.
func chooseShipping(c *api.Call, s store.Obj) error {
	id, ok := c.Params.Str("shipping_rate")
	if !ok {
		return nil
	}
	options, _ := s["shipping_options"].([]any)
	for _, o := range options {
		opt := api.Obj(o)
		if opt["shipping_rate"] != id {
			continue
		}
		cost := api.Obj(s["shipping_cost"])
		amount := api.Int(opt["shipping_amount"])
		s["amount_total"] = api.Int(s["amount_total"]) - api.Int(cost["amount_total"]) + amount
		s["shipping_cost"] = store.Obj{
			"amount_subtotal": amount, "amount_tax": int64(0), "amount_total": amount,
			"shipping_rate": id, "taxes": []any{},
		}
		api.Obj(s["total_details"])["amount_shipping"] = amount
		return nil
	}
	if len(options) == 0 {
		return apierr.InvalidRequest("This Checkout Session offers no shipping options: it was created without `shipping_options`.").WithParam("shipping_rate")
	}
	return apierr.InvalidRequest("The shipping rate %s is not one of this Checkout Session's shipping options.", id).WithParam("shipping_rate")
}

// customerUpdates is what a session keeps, unseen, about its customer:
// whether the shipping address collected goes onto it
// (customer_update[shipping]=auto), and the billing address
// (customer_update[address]=auto).
type customerUpdates struct {
	Shipping bool `json:"save_to_customer"`
	Address  bool `json:"save_address,omitempty"`
	Name     bool `json:"save_name,omitempty"`
}

func shippingKey(acct, id string) string { return "csship:" + acct + ":" + id }

func saveCustomerUpdates(c *api.Call, id string, v customerUpdates) error {
	raw, _ := json.Marshal(v)
	return c.Tx.SetMeta(shippingKey(c.Account, id), string(raw))
}

func loadCustomerUpdates(c *api.Call, id string) customerUpdates {
	var v customerUpdates
	if raw, ok := c.Tx.GetMeta(shippingKey(c.Account, id)); ok {
		_ = json.Unmarshal([]byte(raw), &v)
	}
	return v
}

// addressFields are an address's fields, each shown (null when empty).
var addressFields = []string{"city", "country", "line1", "line2", "postal_code", "state"}

// collectShipping is the shipping address the customer enters on the page:
// the test helper's shipping_details, or a sample address in a country the
// session ships to. Sessions that collect none take none.
func collectShipping(c *api.Call, s store.Obj, name string) (store.Obj, error) {
	sac := api.Obj(s["shipping_address_collection"])
	given, sent := c.Params.Obj("shipping_details")
	if len(sac) == 0 {
		if sent {
			return nil, apierr.InvalidRequest("This Checkout Session does not collect a shipping address: it was created without `shipping_address_collection`.").WithParam("shipping_details")
		}
		return nil, nil
	}
	var allowed []string
	list, _ := sac["allowed_countries"].([]any)
	for _, cc := range list {
		allowed = append(allowed, api.Str(cc))
	}
	if !sent {
		if name == "" {
			name = shipping.DefaultName
		}
		return store.Obj{"address": shipping.SampleAddress(allowed), "name": name}, nil
	}
	who, _ := given.Str("name")
	if who == "" {
		return nil, apierr.MissingParam("shipping_details[name]")
	}
	a, _ := given.Obj("address")
	address := store.Obj{}
	for _, f := range addressFields {
		v, _ := a.Str(f)
		address[f] = api.NilIfEmpty(v)
	}
	for _, f := range []string{"line1", "country"} {
		if address[f] == nil {
			return nil, apierr.MissingParam("shipping_details[address][" + f + "]")
		}
	}
	country := strings.ToUpper(api.Str(address["country"]))
	if !slices.Contains(allowed, country) {
		return nil, apierr.InvalidRequest("This Checkout Session only ships to %s (shipping_address_collection[allowed_countries]): the customer cannot enter an address in %s.", strings.Join(allowed, ", "), country).WithParam("shipping_details[address][country]")
	}
	address["country"] = country
	return store.Obj{"address": address, "name": who}, nil
}

// completeShippingSchema is the test helper's shipping_details: the address a
// customer enters on the page.
var completeShippingSchema = params.Object(map[string]*params.Schema{
	"name": params.String(),
	"address": params.Object(map[string]*params.Schema{
		"city": params.String(), "country": params.String(), "line1": params.String(),
		"line2": params.String(), "postal_code": params.String(), "state": params.String(),
	}),
})

// shippingDetails is what the session collected, if anything.
func shippingDetails(s store.Obj) store.Obj {
	return api.Obj(api.Obj(s["collected_information"])["shipping_details"])
}

// intentShipping is the collected address as a PaymentIntent's shipping.
func intentShipping(d store.Obj) store.Obj {
	return store.Obj{"address": api.Clone(api.Obj(d["address"])), "carrier": nil, "name": d["name"], "phone": nil, "tracking_number": nil}
}

// saveToCustomer writes what the page collected onto the session's
// customer as the session was told to: the shipping address with
// customer_update[shipping]=auto, the billing address with
// customer_update[address]=auto, the name typed with
// customer_update[name]=auto; and the tax ID entered, as Checkout
// saves it on the customer (an existing one only with
// customer_update[name]=auto, which tax ID collection requires of it).
// Run twice, it changes nothing more.
func saveToCustomer(c *api.Call, s store.Obj) error {
	if err := saveTaxIDs(c, s); err != nil || s["customer"] == nil {
		return err
	}
	updates := loadCustomerUpdates(c, api.Str(s["id"]))
	d := shippingDetails(s)
	billing := api.Obj(api.Obj(s["customer_details"])["address"])
	name := api.Obj(s["customer_details"])["name"]
	saveShipping := updates.Shipping && len(d) > 0
	saveAddress := updates.Address && len(billing) > 0
	saveName := updates.Name && name != nil
	if !saveShipping && !saveAddress && !saveName {
		return nil
	}
	before, ok := c.Tx.Get(c.Account, "customer", api.Str(s["customer"]))
	if !ok || api.Bool(before["deleted"]) {
		return nil
	}
	after := api.Clone(before)
	if saveName {
		after["name"] = name
	}
	if saveShipping {
		after["shipping"] = store.Obj{"address": api.Clone(api.Obj(d["address"])), "name": d["name"], "phone": nil}
	}
	if saveAddress {
		after["address"] = api.Clone(billing)
	}
	return c.Save(before, after)
}

// saveTaxIDs adds the tax ID the customer entered to the session's
// customer (once: saving it again adds nothing), so that the invoices made
// for the session show it in customer_tax_ids, as Stripe's guide says
// tax ID collection is for.
func saveTaxIDs(c *api.Call, s store.Obj) error {
	if s["customer"] == nil {
		return nil
	}
	ids, _ := api.Obj(s["customer_details"])["tax_ids"].([]any)
	for _, id := range ids {
		t := api.Obj(id)
		if err := customers.AddTaxID(c, api.Str(s["customer"]), api.Str(t["type"]), api.Str(t["value"]), "tax_id[value]"); err != nil {
			return err
		}
	}
	return nil
}
