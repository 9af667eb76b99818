package shipping

import (
	"slices"

	"github.com/stripe-emu/stripe-emu/emulator/internal/country"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Countries are the values shipping_address_collection[allowed_countries]
// takes on Checkout Sessions and Payment Links (Stripe's OpenAPI spec).
var Countries = country.Codes

// AllowedCountries is the schema of an allowed_countries parameter: an
// array of Stripe's country codes.
func AllowedCountries() *params.Schema {
	return params.ArrayOf(&params.Schema{Kind: params.KindString, Allowed: Countries})
}

// DefaultName is who a completed session ships to when the test helper
// is given no name.
const DefaultName = "Jenny Rosen"

// sampleAddresses are the addresses a customer who enters none ships to,
// by country: a US one when the session ships there, else one in the
// first country it ships to.
var sampleAddresses = map[string]store.Obj{
	"US": {"line1": "354 Oyster Point Blvd", "line2": nil, "city": "South San Francisco", "state": "CA", "postal_code": "94080"},
	"CA": {"line1": "200 Bay Street", "line2": nil, "city": "Toronto", "state": "ON", "postal_code": "M5J 2J2"},
	"GB": {"line1": "10 Downing Street", "line2": nil, "city": "London", "state": nil, "postal_code": "SW1A 2AA"},
	"IE": {"line1": "1 Grand Canal Street Lower", "line2": nil, "city": "Dublin", "state": nil, "postal_code": "D02 H210"},
	"DE": {"line1": "Unter den Linden 1", "line2": nil, "city": "Berlin", "state": nil, "postal_code": "10117"},
	"FR": {"line1": "1 Rue de Rivoli", "line2": nil, "city": "Paris", "state": nil, "postal_code": "75001"},
	"NL": {"line1": "Dam 1", "line2": nil, "city": "Amsterdam", "state": nil, "postal_code": "1012 JS"},
	"AU": {"line1": "1 Martin Place", "line2": nil, "city": "Sydney", "state": "NSW", "postal_code": "2000"},
}

// SampleAddress is an address in one of the allowed countries.
func SampleAddress(allowed []string) store.Obj {
	country := "US"
	if len(allowed) > 0 && !slices.Contains(allowed, "US") {
		country = allowed[0]
	}
	a, ok := sampleAddresses[country]
	if !ok {
		a = store.Obj{"line1": "1 Main Street", "line2": nil, "city": "Capital City", "state": nil, "postal_code": nil}
	}
	out := store.Obj{"country": country}
	for k, v := range a {
		out[k] = v
	}
	return out
}
