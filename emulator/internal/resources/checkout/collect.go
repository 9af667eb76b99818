package checkout

import (
	"slices"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/shipping"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
	"github.com/stripe-emu/stripe-emu/emulator/internal/taxid"
)

// What the customer types on the page besides shipping: a billing address
// and a tax ID, shown in customer_details.

// completeAddressSchema is the test helper's billing_address.
var completeAddressSchema = params.Object(map[string]*params.Schema{
	"city": params.String(), "country": params.String(), "line1": params.String(),
	"line2": params.String(), "postal_code": params.String(), "state": params.String(),
})

// completeTaxIDSchema is the test helper's tax_id: Checkout takes one.
var completeTaxIDSchema = params.Object(map[string]*params.Schema{"type": params.String(), "value": params.String()})

// collectsBilling reports whether the page asks for a billing address:
// always for automatic tax, which needs the buyer's location, and for tax
// ID collection, which shows its form by where the buyer is (the shipping
// address, else the billing address), or when
// billing_address_collection=required.
// CollectsBilling reports whether a session's page asks a billing
// address.
func CollectsBilling(s store.Obj) bool { return collectsBilling(s) }

func collectsBilling(s store.Obj) bool {
	return autoTaxEnabled(s) || api.Bool(api.Obj(s["tax_id_collection"])["enabled"]) || s["billing_address_collection"] == "required"
}

// collectBilling is the billing address the customer enters
// (customer_details.address): the test helper's billing_address; else the
// address of an existing customer, which the page shows filled in; else
// the shipping address entered (Checkout's "same as shipping" box starts
// ticked); else a sample address. Sessions that collect none take none.
func collectBilling(c *api.Call, s, cus store.Obj) (store.Obj, error) {
	given, sent := c.Params.Obj("billing_address")
	if !collectsBilling(s) {
		if sent {
			return nil, apierr.InvalidRequest("This Checkout Session does not collect a billing address: it was created without `automatic_tax[enabled]=true` or `billing_address_collection=required`.").WithParam("billing_address")
		}
		return nil, nil
	}
	if sent {
		address := store.Obj{}
		for _, f := range addressFields {
			v, _ := given.Str(f)
			address[f] = api.NilIfEmpty(v)
		}
		country := strings.ToUpper(api.Str(address["country"]))
		if country == "" {
			return nil, apierr.MissingParam("billing_address[country]")
		}
		if !slices.Contains(shipping.Countries, country) {
			return nil, apierr.InvalidRequest("Invalid billing_address[country]: %s is not a country Checkout takes an address in.", country).WithParam("billing_address[country]")
		}
		address["country"] = country
		return address, nil
	}
	if a := api.Obj(cus["address"]); api.Str(a["country"]) != "" {
		return api.Clone(a), nil
	}
	if d := shippingDetails(s); len(d) > 0 {
		return api.Clone(api.Obj(d["address"])), nil
	}
	return shipping.SampleAddress(nil), nil
}

// collectTaxID is the tax ID the customer enters, as customer_details
// shows it: only on a session with tax_id_collection enabled. where is
// the address that places the buyer (the shipping address, else the
// billing address): with tax_id_collection[required]=if_supported, a
// buyer in a country Checkout collects tax IDs in must give one.
func collectTaxID(c *api.Call, s, where store.Obj) (store.Obj, error) {
	given, sent := c.Params.Obj("tax_id")
	if !sent {
		tic := api.Obj(s["tax_id_collection"])
		if country := api.Str(where["country"]); api.Bool(tic["enabled"]) && tic["required"] == "if_supported" && taxid.CollectedIn(country) {
			return nil, apierr.InvalidRequest("This Checkout Session requires a tax ID from a buyer in %s (tax_id_collection[required]=if_supported): pass tax_id[type] and tax_id[value] to complete it.", country).WithParam("tax_id")
		}
		return nil, nil
	}
	if !api.Bool(api.Obj(s["tax_id_collection"])["enabled"]) {
		return nil, apierr.InvalidRequest("This Checkout Session does not collect tax IDs: it was created without `tax_id_collection[enabled]=true`.").WithParam("tax_id")
	}
	typ, _ := given.Str("type")
	value, _ := given.Str("value")
	if typ == "" {
		return nil, apierr.MissingParam("tax_id[type]")
	}
	if err := taxid.CheckTyped(typ, value, "tax_id"); err != nil {
		return nil, err
	}
	return store.Obj{"type": typ, "value": value}, nil
}
