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
// province_standard one; in the EU one in the buyer's country or an OSS
// registration (which covers every member state); elsewhere one in the
// buyer's country.
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
	if euMembers[loc.Country] && euMembers[country] && (typ == "oss_union" || typ == "oss_non_union") {
		return true
	}
	if country != loc.Country {
		return false
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
	// EU's import threshold, which the emulator does not tell apart.
	return typ != "ioss"
}

// levies are the taxes a standard-rated sale to loc bears under regs.
func levies(loc Location, regs []store.Obj) []levy {
	switch loc.Country {
	case "US":
		st := usStates[loc.State]
		if st.Percentage == 0 {
			return nil
		}
		return []levy{{"sales_tax", "Sales Tax", st.Percentage, st.Name, "state"}}
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

// reverseCharged says whether the buyer accounts for the tax itself: a
// customer marked reverse, or a business in the EU (an eu_vat id) buying
// from a seller whose head office is in another country.
func reverseCharged(buyer Buyer, headOffice string) bool {
	if buyer.Exempt == "reverse" {
		return true
	}
	if buyer.Location == nil || !euMembers[buyer.Location.Country] || headOffice == buyer.Location.Country {
		return false
	}
	return slices.ContainsFunc(buyer.TaxIDs, func(id store.Obj) bool { return id["type"] == "eu_vat" })
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
	if taxCode == "" {
		taxCode = api.Str(api.Obj(settings["defaults"])["tax_code"])
	}
	if taxCode == "" {
		taxCode = defaultCode
	}
	loc := *buyer.Location
	regs := registrationsFor(c, loc, at)
	switch {
	case len(regs) == 0:
		return Decision{Reason: "not_collecting"}, nil
	case buyer.Exempt == "exempt":
		return Decision{Reason: "customer_exempt"}, nil
	case reverseCharged(buyer, headOfficeCountry(settings)):
		return Decision{Reason: "reverse_charge"}, nil
	case taxCode == Nontaxable:
		return Decision{Reason: "not_subject_to_tax"}, nil
	}
	ls := levies(loc, regs)
	if len(ls) == 0 {
		return Decision{Reason: "not_subject_to_tax"}, nil
	}
	d := Decision{Reason: "standard_rated"}
	for _, l := range ls {
		r, err := autoRate(c, l, loc, inclusive)
		if err != nil {
			return Decision{}, err
		}
		d.Rates = append(d.Rates, r)
	}
	return d, nil
}

// autoRate is the tax_rate Stripe Tax uses for a levy in loc: made the
// first time the account needs it, then reused (the index is in the
// store's metadata, by jurisdiction, tax type, percentage and inclusive).
func autoRate(c *api.Call, l levy, loc Location, inclusive bool) (store.Obj, error) {
	state := ""
	if l.Level == "state" {
		state = loc.State
	}
	pct := strconv.FormatFloat(l.Percentage, 'f', -1, 64)
	key := "taxautorate:" + c.Account + ":" + loc.Country + "|" + state + "|" + l.TaxType + "|" + pct + "|" + strconv.FormatBool(inclusive)
	if id, ok := c.Tx.GetMeta(key); ok {
		if o, ok := c.Tx.Get(c.Account, "tax_rate", id); ok {
			return o, nil
		}
	}
	o := c.Object("tax_rate", c.NewID("tax_rate"), store.Obj{
		"active": true, "country": loc.Country, "description": nil, "display_name": l.DisplayName,
		"effective_percentage": l.Percentage, "flat_amount": nil, "inclusive": inclusive,
		"jurisdiction": l.Jurisdiction, "jurisdiction_level": l.Level, "metadata": map[string]any{},
		"percentage": l.Percentage, "rate_type": "percentage", "state": api.NilIfEmpty(state), "tax_type": l.TaxType,
	})
	// Stripe Tax makes its rates without a tax_rate.created event.
	if err := c.Put(o); err != nil {
		return nil, err
	}
	return o, c.SetMeta(key, api.Str(o["id"]))
}
