package tax

import (
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// AddressLocation is where an address is for tax (source names where it
// came from), nil when it does not locate anyone: it needs a country, and
// in the US a valid state or ZIP code, in Canada a province or postal
// code.
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
		if _, ok := usStates[state]; ok {
			loc.State = state
			return loc
		}
		if state = zipState(loc.PostalCode); state == "" {
			return nil
		}
		loc.State = state
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

// customerLocation is a customer's tax location: its address, else its
// shipping address.
func customerLocation(customer store.Obj) *Location {
	if loc := AddressLocation(api.Obj(customer["address"]), "billing_address"); loc != nil {
		return loc
	}
	return AddressLocation(api.Obj(api.Obj(customer["shipping"])["address"]), "shipping_destination")
}

// locate answers Locate: the location, and whether the account collects
// tax there at the customer's now.
func locate(c *api.Call, customer store.Obj) (*Location, string) {
	loc := customerLocation(customer)
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
	b := Buyer{Location: customerLocation(customer), Exempt: api.Str(customer["tax_exempt"])}
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
