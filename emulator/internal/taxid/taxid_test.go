package taxid

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stripe/stripe-mock/embedded"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
)

// The types taken are the ones Stripe's spec lets POST
// /v1/customers/{customer}/tax_ids create: stripe-go v82.5.1's TaxIDType
// constants but "unknown" (the two lists are the same types).
func TestTaxIDTypesAreStripes(t *testing.T) {
	var spec struct {
		Paths map[string]map[string]struct {
			RequestBody struct {
				Content map[string]struct {
					Schema struct {
						Properties map[string]struct {
							Enum []string `json:"enum"`
						} `json:"properties"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(embedded.OpenAPISpec, &spec); err != nil {
		t.Fatal(err)
	}
	want := spec.Paths["/v1/customers/{customer}/tax_ids"]["post"].RequestBody.Content["application/x-www-form-urlencoded"].Schema.Properties["type"].Enum
	if len(want) == 0 {
		t.Fatal("no type enum in the spec")
	}
	got := slices.Sorted(slices.Values(Types))
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("tax ID types differ from Stripe's:\n got %v\nwant %v", got, want)
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		typ, value, country string // country "" = refused
	}{
		// Stripe's own examples (docs.stripe.com/billing/customer/tax-ids).
		{"eu_vat", "DE123456789", "DE"},
		{"eu_vat", "ATU12345678", "AT"},
		{"eu_vat", "EL123456789", "GR"},
		{"eu_vat", "XI123456789", "GB"},
		{"eu_vat", "FRAB123456789", "FR"},
		{"eu_vat", "NL123456789B12", "NL"},
		{"eu_vat", "IE1234567AB", "IE"},
		{"eu_vat", "ESA1234567Z", "ES"},
		{"eu_vat", "CY12345678Z", "CY"},
		{"eu_vat", "HU12345678912", "HU"},
		{"gb_vat", "GB123456789", "GB"},
		{"us_ein", "12-3456789", "US"},
		{"us_ein", "000000000", "US"},
		{"au_abn", "12345678912", "AU"},
		{"ca_bn", "123456789", "CA"},
		{"ca_gst_hst", "123456789RT0002", "CA"},
		{"ca_qst", "1234567890TQ1234", "CA"},
		{"ch_vat", "CHE-123.456.789 MWST", "CH"},
		{"ch_uid", "CHE-123.456.789 HR", "CH"},
		{"no_vat", "123456789MVA", "NO"},
		{"in_gst", "12ABCDE3456FGZH", "IN"},
		{"br_cnpj", "01.234.456/5432-10", "BR"},
		{"br_cpf", "123.456.789-87", "BR"},
		{"eu_oss_vat", "EU123456789", "EU"},
		{"jp_trn", "T1234567891234", "JP"},
		// Magic numbers of the verified types.
		{"eu_vat", "DE000000000", "DE"},
		{"eu_vat", "AT111111111", "AT"},
		{"gb_vat", "222222222", "GB"},
		{"au_abn", "000000000", "AU"},
		// Refused.
		{"eu_vat", "DE123", ""},
		{"eu_vat", "US123456789", ""},
		{"eu_vat", "GR123456789", ""},
		{"eu_vat", "123456789", ""},
		{"eu_vat", "X", ""},
		{"gb_vat", "123456789", ""},
		{"gb_vat", "GB12345", ""},
		{"us_ein", "12-345678", ""},
		{"au_abn", "1234567891", ""},
		{"ca_bn", "12345678A", ""},
		{"ch_vat", "CHE-123.456.789", ""},
		{"no_vat", "123456789", ""},
		{"in_gst", "12ABCDE3456FGXH", ""},
		{"br_cnpj", "01.234.456/5432", ""},
		{"jp_trn", "   ", ""},
	} {
		country, err := Check(tc.typ, tc.value, "value")
		if tc.country == "" {
			e, ok := err.(*apierr.Error)
			if !ok || e.Code != "tax_id_invalid" || e.Message != "Invalid value for "+tc.typ+"." || e.Param != "value" {
				t.Errorf("%s %q: want tax_id_invalid, got %v", tc.typ, tc.value, err)
			}
			continue
		}
		if err != nil || country != tc.country {
			t.Errorf("%s %q: got %q, %v; want %q", tc.typ, tc.value, country, err, tc.country)
		}
	}
}

func TestVerification(t *testing.T) {
	for _, tc := range []struct{ typ, value, initial, settled string }{
		{"eu_vat", "DE123456789", "pending", "verified"},
		{"eu_vat", "DE000000000", "pending", "verified"},
		{"eu_vat", "DE111111111", "pending", "unverified"},
		{"eu_vat", "DE222222222", "pending", ""},
		{"gb_vat", "GB111111111", "pending", "unverified"},
		{"au_abn", "111111111", "pending", "unverified"},
		{"us_ein", "111111111", "unavailable", "verified"},
	} {
		if got := InitialVerification(tc.typ)["status"]; got != tc.initial {
			t.Errorf("%s %s: initial %v, want %s", tc.typ, tc.value, got, tc.initial)
		}
		if tc.initial == "pending" {
			if got := SettledStatus(tc.typ, tc.value); got != tc.settled {
				t.Errorf("%s %s: settles %q, want %q", tc.typ, tc.value, got, tc.settled)
			}
		}
	}
}

func TestCollectedIn(t *testing.T) {
	for country, want := range map[string]bool{
		"FR": true, "gr": true, "GB": true, "DE": true, "US": true, "AU": true, "CH": true,
		"XI": false, "EU": false, "AQ": false, "": false, "FRA": false,
	} {
		if got := CollectedIn(country); got != want {
			t.Errorf("CollectedIn(%q) = %v, want %v", country, got, want)
		}
	}
}
