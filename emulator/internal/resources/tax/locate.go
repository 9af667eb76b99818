package tax

import (
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// AddressLocation is where an address is for tax (source names where it
// came from), nil when it does not locate anyone. As Stripe Tax reads
// addresses: it needs a country; in the US a ZIP code (five digits or
// ZIP+4: Stripe cannot calculate US tax from a country and state alone),
// whose state it is; in Canada a province or a postal code.
func AddressLocation(addr store.Obj, source string) *Location {
	if addr == nil {
		return nil
	}
	country := strings.ToUpper(api.Str(addr["country"]))
	if len(country) != 2 {
		return nil
	}
	loc := &Location{Country: country, PostalCode: api.Str(addr["postal_code"]), City: api.Str(addr["city"]), Source: source}
	state := strings.ToUpper(strings.TrimSpace(api.Str(addr["state"])))
	switch country {
	case "US":
		if loc.State = zipState(loc.PostalCode); loc.State == "" {
			return nil
		}
	case "CA":
		if _, ok := canadaProvinces[state]; ok {
			loc.State = state
			return loc
		}
		pc := strings.ToUpper(strings.TrimSpace(loc.PostalCode))
		if pc == "" {
			return nil
		}
		if loc.State = canadaPostal[pc[0]]; loc.State == "" {
			return nil
		}
	default:
		loc.State = state
	}
	return loc
}

// zipState is the state of a US ZIP code (five digits, or ZIP+4), "" when
// it is not one.
func zipState(zip string) string {
	zip = strings.TrimSpace(zip)
	if len(zip) == 10 && zip[5] == '-' {
		zip = zip[:5]
	}
	if len(zip) != 5 {
		return ""
	}
	n, err := strconv.Atoi(zip[:3])
	if err != nil || strings.Trim(zip, "0123456789") != "" {
		return ""
	}
	for _, r := range usZIPs {
		if n >= r.From && n <= r.To {
			return r.State
		}
	}
	return ""
}

// customerLocation is a customer's tax location, found as Stripe Tax
// looks for it: its shipping address if it has one, else its address
// (either, when present but not locating, is the answer: Stripe does not
// go on to the next), else the billing details of its default payment
// method, completed with the card's country.
func customerLocation(c *api.Call, customer store.Obj) *Location {
	if addr := api.Obj(api.Obj(customer["shipping"])["address"]); present(addr) {
		return AddressLocation(addr, "shipping_destination")
	}
	if addr := api.Obj(customer["address"]); present(addr) {
		return AddressLocation(addr, "billing_address")
	}
	return paymentMethodLocation(c, api.Str(api.Obj(customer["invoice_settings"])["default_payment_method"]))
}

// present says whether an address has anything in it.
func present(addr store.Obj) bool {
	for _, v := range addr {
		if api.Str(v) != "" {
			return true
		}
	}
	return false
}

// paymentMethodLocation is where a payment method's billing details put
// its owner, its card's country filling in a missing country.
func paymentMethodLocation(c *api.Call, id string) *Location {
	if id == "" {
		return nil
	}
	pm, ok := c.Tx.Get(c.Account, "payment_method", id)
	if !ok {
		return nil
	}
	addr := api.Clone(api.Obj(api.Obj(pm["billing_details"])["address"]))
	if addr == nil {
		addr = store.Obj{}
	}
	if api.Str(addr["country"]) == "" {
		addr["country"] = api.Obj(pm["card"])["country"]
	}
	return AddressLocation(addr, "payment_method")
}

// locate answers Locate: the location, and whether the account collects
// tax there at the customer's now.
func locate(c *api.Call, customer store.Obj) (*Location, string) {
	loc := customerLocation(c, customer)
	if loc == nil {
		return nil, "unrecognized_location"
	}
	if len(registrationsFor(c, *loc, c.ClockNow(customer))) == 0 {
		return loc, "not_collecting"
	}
	return loc, "supported"
}

// CustomerTax is customer.tax as Stripe shows it: automatic_tax, the
// location (country, state, source) and the ip_address given in
// tax[ip_address].
func CustomerTax(c *api.Call, customer store.Obj, ipAddress string) store.Obj {
	loc, status := locate(c, customer)
	var location any
	if loc != nil {
		location = store.Obj{"country": loc.Country, "state": api.NilIfEmpty(loc.State), "source": loc.Source}
	}
	return store.Obj{"automatic_tax": status, "ip_address": api.NilIfEmpty(ipAddress), "location": location}
}

// buyerOf answers BuyerOf.
func buyerOf(c *api.Call, customer store.Obj) Buyer {
	b := Buyer{Location: customerLocation(c, customer), Exempt: api.Str(customer["tax_exempt"])}
	if id := api.Str(customer["id"]); id != "" {
		c.Tx.EachIndexed(c.Account, "tax_id", "customer", id, func(o store.Obj) bool {
			if api.Bool(o["deleted"]) {
				return true
			}
			b.TaxIDs = append(b.TaxIDs, store.Obj{"type": o["type"], "value": o["value"]})
			return true
		})
	}
	return b
}

// IPAddressKey is where a customer's tax[ip_address] is kept: customer.tax
// is computed when expanded, so the one thing in it a request sets lives
// beside the customer.
func IPAddressKey(account, id string) string { return "custaxip:" + account + ":" + id }

// CustomerLocationError is the refusal for a stored customer Stripe Tax
// cannot locate: Stripe's customer_tax_location_invalid (param names the
// parameter), unless the customer has no address of any kind but a
// tax[ip_address], which Stripe would geolocate and the emulator cannot:
// that is refused by name instead.
func CustomerLocationError(c *api.Call, customer store.Obj, param string) error {
	if err := IPOnlyError(c, customer, param); err != nil {
		return err
	}
	return locationError(param)
}

// IPOnlyError is the refusal by name of what only geolocating a
// customer's tax[ip_address] would answer (a customer with no address of
// any kind but an IP address), nil for any other customer: for callers
// that would otherwise show the customer unlocated (requires_location_inputs).
func IPOnlyError(c *api.Call, customer store.Obj, param string) error {
	_, ip := c.Tx.GetMeta(IPAddressKey(c.Account, api.Str(customer["id"])))
	if ip && !present(api.Obj(api.Obj(customer["shipping"])["address"])) && !present(api.Obj(customer["address"])) {
		return apierr.InvalidRequest("stripe-emu does not emulate locating a customer by IP address (tax[ip_address], a customer with no address), so it refused the request rather than answer as if the location were unknown. Give the customer an address.").WithParam(param)
	}
	return nil
}

// locationError answers LocationError.
func locationError(param string) error {
	e := apierr.InvalidRequest("The customer's location isn't recognized. Set a valid customer address in order to automatically calculate tax.").WithCode("customer_tax_location_invalid")
	if param != "" {
		e = e.WithParam(param)
	}
	return e
}

// CheckoutLocationError is Stripe's customer_tax_location_invalid error
// for a Checkout Session with automatic tax whose existing customer has no
// recognised address and whose customer_update[address] is not auto (the
// session could not save the address it collects); param names the
// parameter the error points at.
func CheckoutLocationError(param string) error {
	e := apierr.InvalidRequest("Automatic tax calculation in Checkout requires a valid address on the Customer. Add a valid address to the Customer or set `customer_update[address]` to 'auto' to save the billing address entered in Checkout to the Customer.").WithCode("customer_tax_location_invalid")
	if param != "" {
		e = e.WithParam(param)
	}
	return e
}
