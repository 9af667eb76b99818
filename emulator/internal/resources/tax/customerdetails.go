package tax

import (
	"net"
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/country"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
	"github.com/stripe-emu/stripe-emu/emulator/internal/taxid"
)

// addressFields are the fields of a postal address, as a calculation
// shows them.
var addressFields = []string{"city", "country", "line1", "line2", "postal_code", "state"}

// overrides maps customer_details[taxability_override] to the customer
// tax_exempt value a Buyer carries, and back.
var overrides = map[string]string{"none": "none", "customer_exempt": "exempt", "reverse_charge": "reverse"}

func overrideOf(exempt string) string {
	for k, v := range overrides {
		if v == exempt {
			return k
		}
	}
	return "none"
}

// calculationBuyer reads who a calculation is for: a stored customer
// (customer), whose address and tax ids are copied, or the buyer
// described in customer_details. It returns the buyer, the
// customer_details the calculation shows and the customer's id.
func calculationBuyer(c *api.Call) (Buyer, store.Obj, string, error) {
	id, _ := c.Params.Str("customer")
	hasDetails := c.Params.Has("customer_details")
	switch {
	case id != "" && hasDetails:
		return Buyer{}, nil, "", apierr.Exclusive("customer", "customer_details")
	case id != "":
		return customerBuyer(c, id)
	case hasDetails:
		b, d, err := detailsBuyer(c)
		return b, d, "", err
	}
	return Buyer{}, nil, "", apierr.InvalidRequest("You must provide either customer or customer_details, so that Stripe Tax knows where the customer is.").WithParam("customer_details")
}

// customerBuyer is a stored customer as a calculation's buyer.
func customerBuyer(c *api.Call, id string) (Buyer, store.Obj, string, error) {
	cus, ok := c.Tx.Get(c.Account, "customer", id)
	if !ok || api.Bool(cus["deleted"]) {
		return Buyer{}, nil, "", apierr.NoSuchObject("customer", id, "customer")
	}
	buyer := BuyerOf(c, cus)
	if buyer.Location == nil {
		// A customer with only tax[ip_address] Stripe would geolocate:
		// refused by name, not answered as unlocatable.
		return Buyer{}, nil, "", CustomerLocationError(c, cus, "customer")
	}
	var addr, source any
	switch buyer.Location.Source {
	case "billing_address":
		addr, source = postalAddress(api.Obj(cus["address"])), "billing"
	case "shipping_destination":
		addr, source = postalAddress(api.Obj(api.Obj(cus["shipping"])["address"])), "shipping"
	}
	ids := []any{}
	for _, t := range buyer.TaxIDs {
		ids = append(ids, store.Obj{"type": t["type"], "value": t["value"]})
	}
	details := store.Obj{
		"address": addr, "address_source": source, "ip_address": nil, "tax_ids": ids,
		"taxability_override": overrideOf(buyer.Exempt),
	}
	return buyer, details, id, nil
}

// postalAddress is an address with exactly the fields a calculation
// shows.
func postalAddress(a store.Obj) store.Obj {
	out := store.Obj{}
	for _, f := range addressFields {
		out[f] = a[f]
	}
	return out
}

// detailsBuyer is the buyer customer_details describes.
func detailsBuyer(c *api.Call) (Buyer, store.Obj, error) {
	p, _ := c.Params.Obj("customer_details")
	override, _ := p.Str("taxability_override")
	if override == "" {
		override = "none"
	}
	buyer := Buyer{Exempt: overrides[override]}
	details := store.Obj{"address": nil, "address_source": nil, "ip_address": nil, "tax_ids": []any{}, "taxability_override": override}
	for i, t := range p.Array("tax_ids") {
		name := "customer_details[tax_ids][" + strconv.Itoa(i) + "]"
		typ, _ := t.Str("type")
		value, _ := t.Str("value")
		switch {
		case typ == "":
			return Buyer{}, nil, apierr.MissingParam(name + "[type]")
		case value == "":
			return Buyer{}, nil, apierr.MissingParam(name + "[value]")
		}
		// A number creating a customer's tax ID would refuse is no more
		// a tax ID here (nor reverse-charged).
		if _, err := taxid.Check(typ, value, name+"[value]"); err != nil {
			return Buyer{}, nil, err
		}
		id := store.Obj{"type": typ, "value": value}
		buyer.TaxIDs = append(buyer.TaxIDs, id)
		details["tax_ids"] = append(details["tax_ids"].([]any), store.Obj{"type": typ, "value": value})
	}
	source, _ := p.Str("address_source")
	details["address_source"] = api.NilIfEmpty(source)
	ip, _ := p.Str("ip_address")
	if err := CheckIPAddress(ip, "customer_details[ip_address]"); err != nil {
		return Buyer{}, nil, err
	}
	details["ip_address"] = api.NilIfEmpty(ip)
	a, hasAddress := p.Obj("address")
	if !hasAddress {
		if ip != "" {
			return Buyer{}, nil, apierr.InvalidRequest("stripe-emu does not emulate locating a customer by IP address (customer_details[ip_address] without customer_details[address]), so it refused the request rather than answer as if it had taken effect. Send customer_details[address] as well.").WithParam("customer_details[ip_address]")
		}
		return Buyer{}, nil, addressLocationError()
	}
	addr, err := readPostalAddress(a, "customer_details[address]")
	if err != nil {
		return Buyer{}, nil, err
	}
	details["address"] = addr
	where := "billing_address"
	if source == "shipping" {
		where = "shipping_destination"
	}
	if buyer.Location = AddressLocation(addr, where); buyer.Location == nil {
		return Buyer{}, nil, addressLocationError()
	}
	return buyer, details, nil
}

// CheckIPAddress refuses an IP address that is neither IPv4 nor IPv6 (a
// calculation's customer_details[ip_address], a customer's
// tax[ip_address]); "" is none. param names it in the error.
func CheckIPAddress(ip, param string) error {
	if ip != "" && net.ParseIP(ip) == nil {
		return apierr.InvalidRequest("Invalid IP address: %s", ip).WithParam(param)
	}
	return nil
}

// addressLocationError is the Tax API's customer_tax_location_invalid
// for customer_details[address], in the words Stripe's guide to the Tax
// API shows.
func addressLocationError() error {
	return apierr.InvalidRequest("We could not determine the customer's tax location based on the provided customer address.").
		WithCode("customer_tax_location_invalid").WithParam("customer_details[address]")
}

// readPostalAddress reads an address parameter (name is its name): a
// country Stripe knows is required; fields not sent are null.
func readPostalAddress(a params.Values, name string) (store.Obj, error) {
	out := store.Obj{}
	for _, f := range addressFields {
		if v, ok := a.Str(f); ok {
			out[f] = v
		} else {
			out[f] = nil
		}
	}
	code := strings.ToUpper(api.Str(out["country"]))
	switch {
	case code == "":
		return nil, apierr.MissingParam(name + "[country]")
	case !country.Known(code):
		return nil, apierr.InvalidRequest("Invalid %s[country]: %s is not a country code Stripe knows (ISO 3166-1 alpha-2).", name, api.Str(out["country"])).WithParam(name + "[country]")
	}
	out["country"] = code
	return out, nil
}

// originStates are the US states whose sales tax on a sale shipped within
// the state follows the seller's location (origin-based sourcing),
// wholly or in part.
var originStates = map[string]bool{
	"AZ": true, "CA": true, "IL": true, "MS": true, "MO": true, "NM": true, "OH": true, "PA": true, "TN": true,
	"TX": true, "UT": true, "VA": true,
}

// shipFromDetails reads ship_from_details. The emulator sources every
// sale at its destination, which is what Stripe does unless the goods
// ship within one of the US states that tax at the origin: that case is
// refused rather than taxed at the wrong place.
func shipFromDetails(c *api.Call, buyer *Location) (any, error) {
	p, ok := c.Params.Obj("ship_from_details")
	if !ok {
		return nil, nil
	}
	a, ok := p.Obj("address")
	if !ok {
		return nil, apierr.MissingParam("ship_from_details[address]")
	}
	addr, err := readPostalAddress(a, "ship_from_details[address]")
	if err != nil {
		return nil, err
	}
	from := AddressLocation(addr, "")
	if addr["country"] == "US" && from == nil {
		return nil, apierr.InvalidRequest("Invalid ship_from_details[address]: an address in the US needs its ZIP code.").WithParam("ship_from_details[address]")
	}
	if from != nil && buyer != nil && from.Country == "US" && buyer.Country == "US" && from.State == buyer.State && originStates[from.State] {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate origin-based sourcing (goods shipped from %s to a buyer in %s, a state that taxes at the origin), so it refused the request rather than answer as if it had taken effect. Leave out ship_from_details to tax at the destination.", from.State, buyer.State).WithParam("ship_from_details")
	}
	return store.Obj{"address": addr}, nil
}

// taxCodeFor is the tax code to apply: code when given (it must be one
// Stripe has), else the settings' preset; with neither, Stripe's refusal.
func taxCodeFor(c *api.Call, code, param string) (string, error) {
	if code != "" {
		return code, CheckCode(code, param)
	}
	return codeOrPreset(c, "")
}

// placeName is how a breakdown names a jurisdiction: a US state or
// Canadian province by its name, else the country.
func placeName(country, state string) string {
	switch {
	case country == "US" && state != "":
		if st, ok := usStates[state]; ok {
			return st.Name
		}
	case country == "CA" && state != "":
		if name, ok := canadaProvinces[state]; ok {
			return name
		}
	case country == "US":
		return "United States"
	case country == "CA":
		return "Canada"
	}
	if l, ok := countryLevies[country]; ok {
		return l.Place
	}
	return country
}
