package tax

import (
	"slices"
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// registrationsFor are the account's registrations in force at time at
// that cover a sale to loc: in the US the state's state_sales_tax one; in
// Canada a GST/HST one (standard or simplified) or the province's
// province_standard one; in the EU one in the buyer's country, an OSS
// registration elsewhere in the EU (union OSS covers the other member
// states, non-union OSS all of them) or a standard registration under the
// small_seller scheme elsewhere in the EU (below the EU's threshold a
// seller charges its own country's VAT); elsewhere one in the buyer's
// country.
func registrationsFor(c *api.Call, loc Location, at int64) []store.Obj {
	var out []store.Obj
	c.Tx.Each(c.Account, "tax.registration", func(o store.Obj) bool {
		if inForce(o, at) && covers(o, loc) {
			out = append(out, o)
		}
		return true
	})
	return out
}

// covers says whether a registration covers a sale to loc.
func covers(reg store.Obj, loc Location) bool {
	country := api.Str(reg["country"])
	opt := api.Obj(api.Obj(reg["country_options"])[strings.ToLower(country)])
	typ := api.Str(opt["type"])
	if euMembers[loc.Country] && euMembers[country] && country != loc.Country {
		return typ == "oss_union" || typ == "oss_non_union" || smallSeller(opt)
	}
	if country != loc.Country {
		return typ == "oss_non_union" && euMembers[loc.Country] && euMembers[country]
	}
	switch country {
	case "US":
		return typ == "state_sales_tax" && api.Str(opt["state"]) == loc.State
	case "CA":
		if typ == "province_standard" {
			return api.Str(api.Obj(opt["province_standard"])["province"]) == loc.State
		}
		return true
	}
	// An import-only (IOSS) registration collects on goods under the
	// EU's import threshold, which the emulator does not tell apart; a
	// union OSS one covers the other member states only.
	return typ != "ioss" && typ != "oss_union"
}

// smallSeller says whether an EU standard registration is under the
// small_seller place of supply scheme.
func smallSeller(opt store.Obj) bool {
	return api.Str(opt["type"]) == "standard" && api.Str(api.Obj(opt["standard"])["place_of_supply_scheme"]) == "small_seller"
}

// levies are the taxes a standard-rated sale to loc bears under regs, and
// the place whose rates they are: loc, except for an EU sale only a
// small-seller registration in another member state covers, which bears
// that state's VAT.
func levies(loc Location, regs []store.Obj) ([]levy, Location) {
	if euMembers[loc.Country] {
		home := ""
		for _, r := range regs {
			country := api.Str(r["country"])
			opt := api.Obj(api.Obj(r["country_options"])[strings.ToLower(country)])
			if country == loc.Country || !smallSeller(opt) {
				return []levy{countryLevies[loc.Country]}, loc
			}
			home = country
		}
		return []levy{countryLevies[home]}, Location{Country: home}
	}
	return leviesIn(loc, regs), loc
}

// leviesIn are the taxes a standard-rated sale to loc (outside the EU)
// bears under regs.
func leviesIn(loc Location, regs []store.Obj) []levy {
	switch loc.Country {
	case "US":
		if l, _ := homeLevy(loc); l.Percentage > 0 {
			return []levy{l}
		}
		return nil
	case "CA":
		var federal, provincial bool
		for _, r := range regs {
			if api.Str(api.Obj(api.Obj(r["country_options"])["ca"])["type"]) == "province_standard" {
				provincial = true
			} else {
				federal = true
			}
		}
		var out []levy
		if federal {
			if hst, ok := canadaHST[loc.State]; ok {
				out = append(out, hst)
			} else {
				out = append(out, canadaGST)
			}
		}
		if p, ok := canadaProvincial[loc.State]; ok && provincial {
			out = append(out, p)
		}
		return out
	}
	if l, ok := countryLevies[loc.Country]; ok {
		return []levy{l}
	}
	return nil
}

// euBusiness says whether the buyer is a business in the EU (an eu_vat
// id) buying from a seller whose head office is in another country: the
// buyer accounts for the VAT (reverse charge).
func euBusiness(buyer Buyer, headOffice string) bool {
	if buyer.Location == nil || !euMembers[buyer.Location.Country] || headOffice == buyer.Location.Country {
		return false
	}
	return slices.ContainsFunc(buyer.TaxIDs, func(id store.Obj) bool { return id["type"] == "eu_vat" })
}

// foreignBusiness says whether the buyer is a business outside the EU
// (its country's business tax ID) buying from a seller whose head office
// is in another country: where the seller is registered, the buyer
// accounts for the tax (reverse charge).
func foreignBusiness(buyer Buyer, headOffice string) bool {
	if buyer.Location == nil || headOffice == buyer.Location.Country {
		return false
	}
	typ, ok := businessIDs[buyer.Location.Country]
	return ok && slices.ContainsFunc(buyer.TaxIDs, func(id store.Obj) bool { return id["type"] == typ })
}

// registeredInEU says whether the account has a registration in force at
// time at anywhere in the EU: what lets Stripe Tax reverse charge a sale
// to a business in any member state, registered there or not.
func registeredInEU(c *api.Call, at int64) bool {
	found := false
	c.Tx.Each(c.Account, "tax.registration", func(o store.Obj) bool {
		found = euMembers[api.Str(o["country"])] && inForce(o, at)
		return !found
	})
	return found
}

// homeLevy is the main tax of loc's jurisdiction (the one a zero-tax
// result names at 0%): a US state's sales tax, Canada's GST or the
// province's HST, a country's VAT or GST.
func homeLevy(loc Location) (levy, bool) {
	switch loc.Country {
	case "US":
		st, ok := usStates[loc.State]
		return levy{"sales_tax", "Sales Tax", st.Percentage, st.Name, "state"}, ok
	case "CA":
		if hst, ok := canadaHST[loc.State]; ok {
			return hst, true
		}
		return canadaGST, true
	}
	l, ok := countryLevies[loc.Country]
	return l, ok
}

// decide answers Decide.
func decide(c *api.Call, buyer Buyer, taxCode string, inclusive bool, at int64) (Decision, error) {
	if err := ready(c); err != nil {
		return Decision{}, err
	}
	if buyer.Location == nil {
		return Decision{}, locationError("")
	}
	settings := Settings(c)
	taxCode, err := codeOrPreset(c, taxCode)
	if err != nil {
		return Decision{}, err
	}
	loc := *buyer.Location
	regs := registrationsFor(c, loc, at)
	var ls []levy
	where := loc
	reason := "standard_rated"
	switch {
	case euBusiness(buyer, headOfficeCountry(settings)) && registeredInEU(c, at):
		reason = "reverse_charge"
	case len(regs) == 0:
		reason = "not_collecting"
	case buyer.Exempt == "exempt":
		reason = "customer_exempt"
	case buyer.Exempt == "reverse" || foreignBusiness(buyer, headOfficeCountry(settings)):
		reason = "reverse_charge"
	case taxCode == Nontaxable:
		reason = "not_subject_to_tax"
	default:
		if ls, where = levies(loc, regs); len(ls) == 0 {
			reason = "not_subject_to_tax"
		}
	}
	d := Decision{Reason: reason}
	for _, l := range ls {
		r, err := autoRate(c, l, where, l.Percentage, inclusive)
		if err != nil {
			return Decision{}, err
		}
		d.Rates = append(d.Rates, r)
	}
	if len(ls) == 0 {
		if l, ok := homeLevy(loc); ok {
			r, err := autoRate(c, l, loc, 0, inclusive)
			if err != nil {
				return Decision{}, err
			}
			d.ZeroRates = []store.Obj{r}
		}
	}
	return d, nil
}

// autoRate is the tax_rate Stripe Tax uses for a levy in loc (at
// percentage pct: the levy's, or 0 for a zero-tax result): made the first
// time the account needs it, then reused (the index is in the store's
// metadata, by jurisdiction, tax type, percentage and inclusive). Like
// Stripe's, it is archived from the start (active false: it cannot be
// added to objects by hand), its jurisdiction is the country's or state's
// code and its description names the tax and the place ("VAT Germany").
func autoRate(c *api.Call, l levy, loc Location, pct float64, inclusive bool) (store.Obj, error) {
	jurisdiction, state := loc.Country, ""
	if l.Level == "state" {
		jurisdiction, state = loc.State, loc.State
	}
	key := "taxautorate:" + c.Account + ":" + loc.Country + "|" + state + "|" + l.TaxType + "|" +
		strconv.FormatFloat(pct, 'f', -1, 64) + "|" + strconv.FormatBool(inclusive)
	if id, ok := c.Tx.GetMeta(key); ok {
		if o, ok := c.Tx.Get(c.Account, "tax_rate", id); ok {
			return o, nil
		}
	}
	o := c.Object("tax_rate", c.NewID("tax_rate"), store.Obj{
		"active": false, "country": loc.Country, "description": l.DisplayName + " " + l.Place, "display_name": l.DisplayName,
		"effective_percentage": pct, "flat_amount": nil, "inclusive": inclusive,
		"jurisdiction": jurisdiction, "jurisdiction_level": l.Level, "metadata": map[string]any{},
		"percentage": pct, "rate_type": "percentage", "state": api.NilIfEmpty(state), "tax_type": l.TaxType,
	})
	// Stripe Tax makes its rates without a tax_rate.created event.
	if err := c.Put(o); err != nil {
		return nil, err
	}
	return o, c.SetMeta(key, api.Str(o["id"]))
}
