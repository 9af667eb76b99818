package tax

import (
	"errors"
	"strings"
	"testing"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/ids"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

const now = int64(1_750_000_000)

// inCall runs fn with a Call on a fresh in-memory store whose account has
// its head office in headOffice ("" leaves the settings pending) and the
// preset tax code Stripe's Dashboard proposes.
func inCall(t *testing.T, headOffice string, fn func(c *api.Call)) {
	t.Helper()
	st, err := store.Open("", []store.Index{{Type: "tax_id", Name: "customer", Path: "customer"}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reg := api.NewRegistry(RegistrationKind, CodeKind, &api.Kind{Object: "tax_rate", Prefix: "txr_"})
	err = st.Update(func(tx *store.Tx) error {
		c := &api.Call{Env: &api.Env{IDs: ids.New(1), Events: &api.EventLog{}, Registry: reg}, Tx: tx, Account: "acct_1", Now: now}
		if headOffice != "" {
			s := Settings(c)
			s["head_office"] = store.Obj{"address": store.Obj{"country": headOffice}}
			s["defaults"] = store.Obj{"tax_behavior": nil, "tax_code": defaultCode}
			setStatus(s)
			b, _ := jsonenc.Marshal(s)
			if err := c.SetMeta(settingsKey(c.Account), string(b)); err != nil {
				return err
			}
		}
		fn(c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// register stores a registration in country with options opt, in force
// from from until until (0: no end).
func register(t *testing.T, c *api.Call, country string, opt store.Obj, from, until int64) {
	t.Helper()
	o := c.Object("tax.registration", c.NewID("tax.registration"), store.Obj{
		"active_from": from, "country": country, "country_options": store.Obj{strings.ToLower(country): opt}, "expires_at": nil,
	})
	if until != 0 {
		o["expires_at"] = until
	}
	o["status"] = registrationStatus(o, c.Now)
	if err := c.Put(o); err != nil {
		t.Fatal(err)
	}
}

func buyer(country, state string, taxIDs ...string) Buyer {
	b := Buyer{Location: &Location{Country: country, State: state, Source: "billing_address"}, Exempt: "none"}
	for _, typ := range taxIDs {
		b.TaxIDs = append(b.TaxIDs, store.Obj{"type": typ, "value": "X"})
	}
	return b
}

func decideOK(t *testing.T, c *api.Call, b Buyer, code string, inclusive bool, at int64) Decision {
	t.Helper()
	d, err := Decide(c, b, code, inclusive, at)
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	return d
}

// rates are a decision's rates as "tax_type percentage state" strings.
func rates(d Decision) []string {
	var out []string
	for _, r := range d.Rates {
		s := api.Str(r["tax_type"]) + " " + jsonNum(r["percentage"])
		if st := api.Str(r["state"]); st != "" {
			s += " " + st
		}
		out = append(out, s)
	}
	return out
}

func jsonNum(v any) string { b, _ := jsonenc.Marshal(v); return string(b) }

func wantDecision(t *testing.T, d Decision, reason string, want ...string) {
	t.Helper()
	if d.Reason != reason || strings.Join(rates(d), ",") != strings.Join(want, ",") || (len(d.Rates) > 0) == (len(d.ZeroRates) > 0) {
		t.Errorf("decision %s %v (zero rates %v), want %s %v", d.Reason, rates(d), d.ZeroRates, reason, want)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Errorf("error %v, want code %s", err, code)
	}
}

func TestDecideNeedsActiveSettingsAndALocation(t *testing.T) {
	inCall(t, "", func(c *api.Call) {
		_, err := Decide(c, buyer("US", "CA"), "", false, now)
		wantCode(t, err, "stripe_tax_inactive")
		wantCode(t, Ready(c), "stripe_tax_inactive")
	})
	inCall(t, "US", func(c *api.Call) {
		if err := Ready(c); err != nil {
			t.Errorf("Ready: %v", err)
		}
		_, err := Decide(c, Buyer{}, "", false, now)
		wantCode(t, err, "customer_tax_location_invalid")
	})
}

func TestDecideUSStateSalesTax(t *testing.T) {
	inCall(t, "US", func(c *api.Call) {
		register(t, c, "US", store.Obj{"type": "state_sales_tax", "state": "CA"}, now, 0)
		register(t, c, "US", store.Obj{"type": "state_sales_tax", "state": "OR"}, now, 0)
		d := decideOK(t, c, buyer("US", "CA"), "txcd_10103000", false, now)
		wantDecision(t, d, "standard_rated", "sales_tax 7.25 CA")
		r := d.Rates[0]
		if r["display_name"] != "Sales Tax" || r["description"] != "Sales Tax California" || r["jurisdiction"] != "CA" || r["active"] != false || r["jurisdiction_level"] != "state" || r["country"] != "US" || r["inclusive"] != false || !strings.HasPrefix(api.Str(r["id"]), "txr_") {
			t.Errorf("rate %v", r)
		}
		// The same jurisdiction, type, percentage and inclusive reuse it;
		// inclusive is another rate.
		if again := decideOK(t, c, buyer("US", "CA"), "", false, now); again.Rates[0]["id"] != r["id"] {
			t.Errorf("rate not reused: %v then %v", r["id"], again.Rates[0]["id"])
		}
		if incl := decideOK(t, c, buyer("US", "CA"), "", true, now); incl.Rates[0]["id"] == r["id"] || incl.Rates[0]["inclusive"] != true {
			t.Errorf("inclusive rate %v", incl.Rates[0])
		}
		ny := decideOK(t, c, buyer("US", "NY"), "", false, now)
		wantDecision(t, ny, "not_collecting")
		if got := rates(Decision{Rates: ny.ZeroRates}); strings.Join(got, ",") != "sales_tax 0 NY" {
			t.Errorf("zero rates of not_collecting: %v", got)
		}
		or := decideOK(t, c, buyer("US", "OR"), "", false, now)
		wantDecision(t, or, "not_subject_to_tax")
		if got := rates(Decision{Rates: or.ZeroRates}); strings.Join(got, ",") != "sales_tax 0 OR" {
			t.Errorf("zero rates of a state without sales tax: %v", got)
		}
		wantDecision(t, decideOK(t, c, buyer("US", "CA"), Nontaxable, false, now), "not_subject_to_tax")
		exempt := buyer("US", "CA")
		exempt.Exempt = "exempt"
		ex := decideOK(t, c, exempt, "", false, now)
		wantDecision(t, ex, "customer_exempt")
		if len(ex.ZeroRates) != 1 || ex.ZeroRates[0]["percentage"] != 0.0 || ex.ZeroRates[0]["state"] != "CA" {
			t.Errorf("zero rates of customer_exempt: %v", ex.ZeroRates)
		}
		reverse := buyer("US", "CA")
		reverse.Exempt = "reverse"
		wantDecision(t, decideOK(t, c, reverse, "", false, now), "reverse_charge")
	})
}

func TestDecideFollowsTheRegistrationsAtTheTimeGiven(t *testing.T) {
	inCall(t, "US", func(c *api.Call) {
		register(t, c, "US", store.Obj{"type": "state_sales_tax", "state": "TX"}, now+1000, now+2000)
		wantDecision(t, decideOK(t, c, buyer("US", "TX"), "", false, now), "not_collecting")
		wantDecision(t, decideOK(t, c, buyer("US", "TX"), "", false, now+1000), "standard_rated", "sales_tax 6.25 TX")
		wantDecision(t, decideOK(t, c, buyer("US", "TX"), "", false, now+2000), "not_collecting")
	})
}

func TestDecideEUVATOSSAndReverseCharge(t *testing.T) {
	inCall(t, "DE", func(c *api.Call) {
		register(t, c, "DE", store.Obj{"type": "standard", "standard": store.Obj{"place_of_supply_scheme": "standard"}}, now, 0)
		wantDecision(t, decideOK(t, c, buyer("DE", ""), "", false, now), "standard_rated", "vat 19")
		wantDecision(t, decideOK(t, c, buyer("DE", "", "eu_vat"), "", false, now), "standard_rated", "vat 19")
		wantDecision(t, decideOK(t, c, buyer("FR", ""), "", false, now), "not_collecting")
		// A business elsewhere in the EU is reverse charged on the strength
		// of the German registration alone.
		wantDecision(t, decideOK(t, c, buyer("FR", "", "eu_vat"), "", false, now), "reverse_charge")
		wantDecision(t, decideOK(t, c, buyer("FR", "", "eu_vat"), "", false, now-1), "not_collecting")

		register(t, c, "DE", store.Obj{"type": "oss_union"}, now, 0)
		d := decideOK(t, c, buyer("FR", ""), "", true, now)
		wantDecision(t, d, "standard_rated", "vat 20")
		if r := d.Rates[0]; r["display_name"] != "VAT" || r["description"] != "VAT France" || r["jurisdiction"] != "FR" || r["jurisdiction_level"] != "country" || r["state"] != nil || r["inclusive"] != true {
			t.Errorf("rate %v", r)
		}
		wantDecision(t, decideOK(t, c, buyer("FR", "", "eu_vat"), "", false, now), "reverse_charge")
		wantDecision(t, decideOK(t, c, buyer("GB", ""), "", false, now), "not_collecting")
	})
}

func TestDecideCanada(t *testing.T) {
	inCall(t, "CA", func(c *api.Call) {
		register(t, c, "CA", store.Obj{"type": "standard"}, now, 0)
		wantDecision(t, decideOK(t, c, buyer("CA", "ON"), "", false, now), "standard_rated", "hst 13 ON")
		wantDecision(t, decideOK(t, c, buyer("CA", "AB"), "", false, now), "standard_rated", "gst 5")
		wantDecision(t, decideOK(t, c, buyer("CA", "BC"), "", false, now), "standard_rated", "gst 5")
		register(t, c, "CA", store.Obj{"type": "province_standard", "province_standard": store.Obj{"province": "BC"}}, now, 0)
		wantDecision(t, decideOK(t, c, buyer("CA", "BC"), "", false, now), "standard_rated", "gst 5", "pst 7 BC")
		register(t, c, "CA", store.Obj{"type": "province_standard", "province_standard": store.Obj{"province": "QC"}}, now, 0)
		wantDecision(t, decideOK(t, c, buyer("CA", "QC"), "", false, now), "standard_rated", "gst 5", "qst 9.975 QC")
	})
}

func TestDecideElsewhere(t *testing.T) {
	inCall(t, "GB", func(c *api.Call) {
		for _, cc := range []string{"GB", "CH", "NO", "AU", "NZ", "JP", "SG"} {
			register(t, c, cc, store.Obj{"type": "standard"}, now, 0)
		}
		for cc, want := range map[string]string{"GB": "vat 20", "CH": "vat 8.1", "NO": "vat 25", "AU": "gst 10", "NZ": "gst 15", "JP": "jct 10", "SG": "gst 9"} {
			wantDecision(t, decideOK(t, c, buyer(cc, ""), "", false, now), "standard_rated", want)
		}
		// A business abroad accounts for the tax itself; at home it pays it.
		wantDecision(t, decideOK(t, c, buyer("AU", "", "au_abn"), "", false, now), "reverse_charge")
		wantDecision(t, decideOK(t, c, buyer("CH", "", "ch_vat"), "", false, now), "reverse_charge")
		wantDecision(t, decideOK(t, c, buyer("GB", "", "gb_vat"), "", false, now), "standard_rated", "vat 20")
		wantDecision(t, decideOK(t, c, buyer("CH", "", "gb_vat"), "", false, now), "standard_rated", "vat 8.1")
	})
}

func TestTables(t *testing.T) {
	for cc := range euMembers {
		if l, ok := countryLevies[cc]; !ok || l.TaxType != "vat" {
			t.Errorf("no VAT for EU member %s", cc)
		}
		if types := registrationTypes[strings.ToLower(cc)]; len(types) != 4 {
			t.Errorf("registration types of %s: %v", cc, types)
		}
	}
	for i, r := range usZIPs {
		if _, ok := usStates[r.State]; !ok || r.From > r.To || (i > 0 && usZIPs[i-1].To >= r.From) {
			t.Errorf("ZIP range %v (ranges must be states', in order, without overlaps)", r)
		}
	}
	for p := range canadaHST {
		if _, ok := canadaProvinces[p]; !ok {
			t.Errorf("HST province %s", p)
		}
	}
	for p := range canadaProvincial {
		if _, ok := canadaProvinces[p]; !ok {
			t.Errorf("provincial tax province %s", p)
		}
	}
	for i, code := range codes {
		if !codeForm.MatchString(code.ID) || code.Name == "" || code.Description == "" {
			t.Errorf("tax code %v", code)
		}
		if i > 4 && codes[i-1].ID >= code.ID {
			t.Errorf("tax codes out of order at %s", code.ID)
		}
	}
}

func TestAddressLocation(t *testing.T) {
	for _, tc := range []struct {
		addr store.Obj
		want string // "country state", "" for none
	}{
		{store.Obj{"country": "US", "state": "ca"}, ""},
		{store.Obj{"country": "US", "state": "NY", "postal_code": "94080"}, "US CA"},
		{store.Obj{"country": "US", "postal_code": "10001"}, "US NY"},
		{store.Obj{"country": "US", "postal_code": "94080-1234"}, "US CA"},
		{store.Obj{"country": "US", "postal_code": "73301"}, "US TX"},
		{store.Obj{"country": "US", "postal_code": "05501"}, "US MA"},
		{store.Obj{"country": "US", "postal_code": "00901"}, ""},
		{store.Obj{"country": "US", "postal_code": "ABCDE"}, ""},
		{store.Obj{"country": "US", "state": "Narnia"}, ""},
		{store.Obj{"country": "US"}, ""},
		{store.Obj{"country": "CA", "postal_code": "V6B 1A1"}, "CA BC"},
		{store.Obj{"country": "CA", "state": "QC"}, "CA QC"},
		{store.Obj{"country": "CA"}, ""},
		{store.Obj{"country": "de", "city": "Berlin"}, "DE "},
		{store.Obj{"city": "Berlin"}, ""},
		{nil, ""},
	} {
		got := ""
		if loc := AddressLocation(tc.addr, "billing_address"); loc != nil {
			got = loc.Country + " " + loc.State
		}
		if got != tc.want {
			t.Errorf("AddressLocation(%v) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

func TestDecideEUSchemes(t *testing.T) {
	inCall(t, "IE", func(c *api.Call) {
		// Union OSS covers the other member states, not its own.
		register(t, c, "IE", store.Obj{"type": "oss_union"}, now, 0)
		wantDecision(t, decideOK(t, c, buyer("IE", ""), "", false, now), "not_collecting")
		wantDecision(t, decideOK(t, c, buyer("NL", ""), "", false, now), "standard_rated", "vat 21")
	})
	inCall(t, "AT", func(c *api.Call) {
		// A small seller charges its own VAT across the EU.
		register(t, c, "AT", store.Obj{"type": "standard", "standard": store.Obj{"place_of_supply_scheme": "small_seller"}}, now, 0)
		d := decideOK(t, c, buyer("IT", ""), "", false, now)
		wantDecision(t, d, "standard_rated", "vat 20")
		if d.Rates[0]["country"] != "AT" || d.Rates[0]["jurisdiction"] != "AT" {
			t.Errorf("small seller rate %v", d.Rates[0])
		}
		wantDecision(t, decideOK(t, c, buyer("AT", ""), "", false, now), "standard_rated", "vat 20")
		wantDecision(t, decideOK(t, c, buyer("CH", ""), "", false, now), "not_collecting")
		// A registration in the buyer's country wins.
		register(t, c, "IT", store.Obj{"type": "standard", "standard": store.Obj{"place_of_supply_scheme": "standard"}}, now, 0)
		wantDecision(t, decideOK(t, c, buyer("IT", ""), "", false, now), "standard_rated", "vat 22")
	})
	inCall(t, "US", func(c *api.Call) {
		// Non-union OSS (a seller outside the EU) covers every member state.
		register(t, c, "IE", store.Obj{"type": "oss_non_union"}, now, 0)
		wantDecision(t, decideOK(t, c, buyer("IE", ""), "", false, now), "standard_rated", "vat 23")
		wantDecision(t, decideOK(t, c, buyer("SE", ""), "", false, now), "standard_rated", "vat 25")
		wantDecision(t, decideOK(t, c, buyer("SE", "", "eu_vat"), "", false, now), "reverse_charge")
	})
}

func TestDecideNeedsATaxCode(t *testing.T) {
	inCall(t, "US", func(c *api.Call) {
		register(t, c, "US", store.Obj{"type": "state_sales_tax", "state": "CA"}, now, 0)
		s := Settings(c)
		s["defaults"] = store.Obj{"tax_behavior": nil, "tax_code": nil}
		b, _ := jsonenc.Marshal(s)
		if err := c.SetMeta(settingsKey(c.Account), string(b)); err != nil {
			t.Fatal(err)
		}
		if _, err := Decide(c, buyer("US", "CA"), "", false, now); err == nil || !strings.HasPrefix(err.Error(), "400 invalid_request_error: You must specify a tax code in all line items") {
			t.Errorf("no code anywhere: %v", err)
		}
		if d := decideOK(t, c, buyer("US", "CA"), "txcd_99999999", false, now); d.Reason != "standard_rated" {
			t.Errorf("the line's own code: %+v", d)
		}
	})
}
