// Package countryspecs serves Country Specs (/v1/country_specs): what
// Stripe asks of and offers to accounts in a country, static and read-only,
// the same for every account. The emulator describes the main countries
// its Connect accounts are made in; another country is not found, as at
// Stripe for a country it does not support.
package countryspecs

import (
	"slices"
	"sort"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Routes are the endpoints: Stripe has no way to change a country spec.
func Routes() []api.Route {
	return []api.Route{
		api.GET("/v1/country_specs", params.FromStruct(stripe.CountrySpecListParams{}), list),
		api.GET("/v1/country_specs/{id}", params.FromStruct(stripe.CountrySpecRetrieveParams{}), retrieve),
	}
}

// name is how Stripe names the object in "No such …" answers.
const name = "country_spec"

func retrieve(c *api.Call) (any, error) {
	id := c.Var("id")
	s, ok := specs[id]
	if !ok {
		return nil, apierr.NoSuchObject(name, id, "id")
	}
	return s.object(id), nil
}

// list pages through the countries in alphabetical order of their codes.
func list(c *api.Call) (any, error) {
	ids := Countries()
	all := make([]any, len(ids))
	for i, id := range ids {
		all[i] = specs[id].object(id)
	}
	return api.EmbeddedPage(c, all, "/v1/country_specs", name)
}

// Countries are the countries the emulator has a spec for, in order.
func Countries() []string {
	ids := make([]string, 0, len(specs))
	for id := range specs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// DefaultCurrency is the default currency of accounts in the country, if
// the emulator has its spec.
func DefaultCurrency(country string) (string, bool) {
	s, ok := specs[country]
	return s.defaultCurrency, ok
}

// SettlementCurrencies are the currencies an account in the country can
// hold and be paid out in (its bank accounts'), if the emulator has its
// spec.
func SettlementCurrencies(country string) ([]string, bool) {
	s, ok := specs[country]
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(s.bankAccountCurrencies))
	for cur := range s.bankAccountCurrencies {
		out = append(out, cur)
	}
	sort.Strings(out)
	return out, true
}

// BankAccountAllowed reports whether an account in country may have a
// bank account in bankCountry holding currency (its spec's
// supported_bank_account_currencies), and whether the emulator knows
// (has country's spec).
func BankAccountAllowed(country, bankCountry, currency string) (allowed, known bool) {
	s, ok := specs[country]
	if !ok {
		return false, false
	}
	return slices.Contains(s.bankAccountCurrencies[currency], bankCountry), true
}

// TransferAllowed reports whether a platform in country from may transfer
// to an account in country to under the given service agreement, and
// whether the emulator knows (has from's spec): at home always; abroad to
// the countries of from's supported_transfer_countries, which for the US
// are Stripe's cross-border payouts, for accounts under the recipient
// service agreement only (Stripe's service agreement guide), and within
// Europe under either.
func TransferAllowed(from, to, agreement string) (allowed, known bool) {
	s, ok := specs[from]
	if !ok {
		return false, false
	}
	if from == to {
		return true, true
	}
	if !slices.Contains(s.transferCountries, to) {
		return false, true
	}
	return from != "US" || agreement == "recipient", true
}

// spec is one country's.
type spec struct {
	defaultCurrency string
	// bankAccountCurrencies: the currencies of the bank accounts an
	// account can be paid out to, and the countries such accounts can be in.
	bankAccountCurrencies map[string][]string
	paymentMethods        []string
	transferCountries     []string
	individual, company   fields
}

// fields are the verification fields of one business type.
type fields struct{ minimum, additional []string }

func (f fields) object() store.Obj {
	return store.Obj{"additional": api.Anys(f.additional), "minimum": api.Anys(f.minimum)}
}

// object is the country_spec of country id as Stripe answers it. Payments
// can be taken in every currency Stripe supports, whatever the country
// (Stripe's own US example lists them all).
func (s spec) object(id string) store.Obj {
	banks := store.Obj{}
	for cur, countries := range s.bankAccountCurrencies {
		banks[cur] = api.Anys(countries)
	}
	return store.Obj{
		"default_currency": s.defaultCurrency, "id": id, "object": "country_spec",
		"supported_bank_account_currencies": banks,
		"supported_payment_currencies":      api.Anys(currency.Codes()),
		"supported_payment_methods":         api.Anys(s.paymentMethods),
		"supported_transfer_countries":      api.Anys(s.transferCountries),
		"verification_fields":               store.Obj{"company": s.company.object(), "individual": s.individual.object()},
	}
}

// specs are the countries described, by code.
var specs = func() map[string]spec {
	out := map[string]spec{
		"US": us,
		"GB": european("gbp", "GB"),
		"CA": local("cad", "CA", true),
		"AU": local("aud", "AU", true),
		"JP": local("jpy", "JP", true),
	}
	for _, c := range eurozone {
		out[c] = european("eur", c)
	}
	return out
}()
