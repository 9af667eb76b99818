// Package tax emulates Stripe Tax: the account's tax settings
// (/v1/tax/settings), its registrations (/v1/tax/registrations), tax codes
// (/v1/tax_codes), tax calculations and transactions (/v1/tax/calculations,
// /v1/tax/transactions), and the decision other families ask for when an
// object has automatic_tax[enabled]=true: which tax applies to a line
// sold to a buyer at a time.
//
// Amounts are not worked out here: a decision names tax_rate objects
// (created by Stripe Tax for each jurisdiction and percentage, as Stripe
// does, and reused), which callers apply with taxrates.Compute exactly as
// they apply rates a merchant set by hand.
package tax

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Location is where a buyer is, for tax.
type Location struct {
	Country    string // ISO 3166-1 alpha-2, upper case
	State      string // a US state, Canadian province… ("" where none applies)
	PostalCode string
	City       string
	// Source is where it came from, in Stripe's words for
	// customer.tax.location.source: billing_address, shipping_destination,
	// ip_address or payment_method.
	Source string
}

// Buyer is who a line is sold to.
type Buyer struct {
	Location *Location // nil when unknown
	// Exempt is customer.tax_exempt: "none" (or ""), "exempt" or "reverse".
	Exempt string
	// TaxIDs are the buyer's tax ids as {"type": …, "value": …} (an
	// eu_vat id makes a cross-border EU sale reverse charge).
	TaxIDs []store.Obj
}

// Decision is what Stripe Tax applies to one line.
type Decision struct {
	// Rates are tax_rate objects (txr_…, with jurisdiction, tax_type,
	// percentage and inclusive) to apply to the line with
	// taxrates.Compute. Empty when no tax is collected; Reason then says
	// why. They are the transaction's shared objects: clone one before
	// changing it.
	Rates []store.Obj
	// Reason is the taxability_reason Stripe shows on the line's taxes:
	// standard_rated, reduced_rated, zero_rated, not_collecting,
	// not_subject_to_tax, not_supported, product_exempt, customer_exempt,
	// reverse_charge, portion_standard_rated…
	Reason string
	// ZeroRates, for a decision that collects nothing, are the 0% tax_rate
	// objects Stripe shows beside Reason on the line's taxes (an amount
	// of 0 with taxability_reason not_collecting, customer_exempt…), for
	// callers that list zero-amount taxes as Stripe does. Empty when Rates
	// is not, and where the emulator has no rates for the jurisdiction.
	ZeroRates []store.Obj
}

// Ready is nil when the account can use automatic tax, else Stripe's
// error for it (stripe_tax_inactive: the tax settings are not active). It
// is what every family answers when automatic_tax[enabled]=true is sent.
func Ready(c *api.Call) error { return ready(c) }

// Locate finds a stored customer's tax location (as Stripe looks: its
// shipping address if it has one, else its address, else its default
// payment method's billing details) and the status Stripe shows as
// customer.tax.automatic_tax: supported, not_collecting,
// unrecognized_location or failed.
func Locate(c *api.Call, customer store.Obj) (*Location, string) { return locate(c, customer) }

// BuyerOf is the Buyer a stored customer is: its location, tax_exempt and
// tax ids.
func BuyerOf(c *api.Call, customer store.Obj) Buyer { return buyerOf(c, customer) }

// LocationError is Stripe's customer_tax_location_invalid error, for an
// object with automatic tax whose customer has no recognised location;
// param names the parameter the error points at.
func LocationError(param string) error { return locationError(param) }

// Behavior resolves a price's (or shipping rate's) tax_behavior against
// the settings' default: inclusive or not. A price with no behavior
// ("unspecified" or nil) on an account whose settings set no default is
// Stripe's error; param names the parameter the error points at.
func Behavior(c *api.Call, behavior any, param string) (inclusive bool, err error) {
	return resolveBehavior(c, behavior, param)
}

// Decide applies Stripe Tax's rules to one line sold to buyer at time at
// (unix seconds): the registrations in force then, the head office, the
// line's tax code (taxCode, or the settings' default when empty) and
// whether its amount includes tax. Rates it names are created once per
// account and reused.
func Decide(c *api.Call, buyer Buyer, taxCode string, inclusive bool, at int64) (Decision, error) {
	return decide(c, buyer, taxCode, inclusive, at)
}
