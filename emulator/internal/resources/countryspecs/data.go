package countryspecs

import (
	"slices"
	"strings"
)

// us is the United States as Stripe's API reference shows it (its example
// country_spec, the same as the example object of Stripe's OpenAPI spec):
// ACH besides cards, transfers to every country of Stripe's cross-border
// payouts, and its verification fields.
var us = spec{
	defaultCurrency:       "usd",
	bankAccountCurrencies: map[string][]string{"usd": {"US"}},
	paymentMethods:        []string{"ach", "card", "stripe"},
	transferCountries: []string{
		"AE", "AG", "AL", "AM", "AO", "AR", "AT", "AU", "AZ", "BA", "BD", "BE", "BG", "BH", "BJ", "BN", "BO", "BS", "BT", "BW",
		"CA", "CH", "CI", "CL", "CO", "CR", "CY", "CZ", "DE", "DK", "DO", "DZ", "EC", "EE", "EG", "ES", "ET", "FI", "FR", "GA",
		"GB", "GH", "GM", "GR", "GT", "GY", "HK", "HR", "HU", "ID", "IE", "IL", "IS", "IT", "JM", "JO", "JP", "KE", "KH", "KR",
		"KW", "KZ", "LA", "LC", "LI", "LK", "LT", "LU", "LV", "MA", "MC", "MD", "MG", "MK", "MN", "MO", "MT", "MU", "MX", "MY",
		"MZ", "NA", "NE", "NG", "NL", "NO", "NZ", "OM", "PA", "PE", "PH", "PK", "PL", "PT", "PY", "QA", "RO", "RS", "RW", "SA",
		"SE", "SG", "SI", "SK", "SM", "SN", "SV", "TH", "TN", "TR", "TT", "TW", "TZ", "US", "UY", "UZ", "VN", "ZA",
	},
	individual: fields{minimum: []string{
		"business_profile.mcc", "business_profile.name", "business_profile.product_description", "business_profile.url",
		"business_type", "external_account", "individual.address.city", "individual.address.line1",
		"individual.address.postal_code", "individual.address.state", "individual.dob.day", "individual.dob.month",
		"individual.dob.year", "individual.email", "individual.first_name", "individual.id_number", "individual.last_name",
		"individual.phone", "individual.ssn_last_4", "individual.verification.document",
		"settings.card_payments.statement_descriptor_prefix", "settings.payments.statement_descriptor",
		"tos_acceptance.date", "tos_acceptance.ip",
	}},
	company: fields{minimum: []string{
		"business_profile.mcc", "business_profile.name", "business_profile.product_description", "business_profile.url",
		"business_type", "company.address.city", "company.address.line1", "company.address.postal_code",
		"company.address.state", "company.name", "company.owners_provided", "company.phone", "company.tax_id",
		"external_account", "owners.address.city", "owners.address.line1", "owners.address.postal_code",
		"owners.address.state", "owners.dob.day", "owners.dob.month", "owners.dob.year", "owners.email",
		"owners.first_name", "owners.last_name", "owners.phone", "representative.address.city",
		"representative.address.line1", "representative.address.postal_code", "representative.address.state",
		"representative.dob.day", "representative.dob.month", "representative.dob.year", "representative.email",
		"representative.first_name", "representative.id_number", "representative.last_name", "representative.phone",
		"representative.relationship.title", "representative.ssn_last_4", "representative.verification.document",
		"settings.card_payments.statement_descriptor_prefix", "settings.payments.statement_descriptor",
		"tos_acceptance.date", "tos_acceptance.ip",
	}},
}

// europe is the region accounts in the EEA, the United Kingdom and
// Switzerland transfer within (Stripe's Connect docs: a platform in Europe
// sends transfers to connected accounts in other European countries), and
// where their euro bank accounts can be (SEPA).
var europe = []string{
	"AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU", "IE", "IS", "IT",
	"LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
}

// eurozone are the euro countries the emulator describes (the largest
// ones; accounts in any other country default to eur as well).
var eurozone = []string{"AT", "BE", "DE", "ES", "FR", "IE", "IT", "NL"}

// european is a country of the European region: its own currency's bank
// accounts at home (euro ones anywhere in SEPA), transfers within the
// region, no state in addresses.
func european(cur, country string) spec {
	banks := map[string][]string{"eur": europe}
	if cur != "eur" {
		banks[cur] = []string{country}
	}
	return spec{
		defaultCurrency: cur, bankAccountCurrencies: banks, paymentMethods: []string{"card", "stripe"},
		transferCountries: europe, individual: localFields(us.individual, false), company: localFields(us.company, false),
	}
}

// local is a country whose accounts transfer only within it (Stripe's
// cross-border transfers other than the US's and Europe's need a
// recipient service agreement): Canada, Australia, Japan. Canadian
// accounts can also be paid out to US dollar accounts in Canada or the US.
func local(cur, country string, states bool) spec {
	banks := map[string][]string{cur: {country}}
	if country == "CA" {
		banks["usd"] = []string{"CA", "US"}
	}
	return spec{
		defaultCurrency: cur, bankAccountCurrencies: banks, paymentMethods: []string{"card", "stripe"},
		transferCountries: []string{country}, individual: localFields(us.individual, states), company: localFields(us.company, states),
	}
}

// usOnly are the US verification fields no other country asks for: the
// Social Security number and the US tax id number of people.
var usOnly = []string{"individual.id_number", "individual.ssn_last_4", "representative.id_number", "representative.ssn_last_4"}

// localFields are the US fields f without those only the US asks for and,
// where addresses have no state, without states.
func localFields(f fields, states bool) fields {
	var out []string
	for _, name := range f.minimum {
		if slices.Contains(usOnly, name) || (!states && strings.HasSuffix(name, ".address.state")) {
			continue
		}
		out = append(out, name)
	}
	return fields{minimum: out, additional: f.additional}
}
