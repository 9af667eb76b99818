// Package taxid knows the tax ID types Stripe takes and the shape of
// their numbers, for customers' tax IDs, Checkout's tax ID collection and
// Stripe Tax calculations alike (a leaf, so that families which import
// each other can all use it).
package taxid

import (
	"regexp"
	"slices"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
)

// Types are the tax ID types a customer's tax ID can be created
// with: stripe-go v82.5.1's TaxIDType constants but "unknown", which
// Stripe only returns for legacy tax IDs and refuses as input.
var Types = strings.Fields(`
	ad_nrt ae_trn al_tin am_tin ao_tin ar_cuit au_abn au_arn aw_tin az_tin ba_tin bb_tin bd_bin bf_ifu
	bg_uic bh_vat bj_ifu bo_tin br_cnpj br_cpf bs_tin by_tin ca_bn ca_gst_hst ca_pst_bc ca_pst_mb
	ca_pst_sk ca_qst cd_nif ch_uid ch_vat cl_tin cm_niu cn_tin co_nit cr_tin cv_nif de_stn do_rcn
	ec_ruc eg_tin es_cif et_tin eu_oss_vat eu_vat gb_vat ge_vat gn_nif hk_br hr_oib hu_tin id_npwp
	il_vat in_gst is_vat jp_cn jp_rn jp_trn ke_pin kg_tin kh_tin kr_brn kz_bin la_tin li_uid li_vat
	ma_vat md_vat me_pib mk_vat mr_nif mx_rfc my_frp my_itn my_sst ng_tin no_vat no_voec np_pan nz_gst
	om_vat pe_ruc ph_tin ro_tin rs_pib ru_inn ru_kpp sa_vat sg_gst sg_uen si_tin sn_ninea sr_fin sv_nit
	th_vat tj_tin tr_tin tw_vat tz_vat ua_vat ug_tin us_ein uy_ruc uz_tin uz_vat ve_rif vn_tin za_vat
	zm_tin zw_tin`)

// verifiedTypes are the tax ID types Stripe checks with a government
// register after they are created (the Australian Business Register,
// VIES, HMRC), asynchronously: they start pending.
var verifiedTypes = map[string]bool{"au_abn": true, "eu_vat": true, "gb_vat": true}

// Stripe's test-mode magic numbers for verified types: the verification
// succeeds, fails, or stays pending for good.
const (
	magicVerified   = "000000000"
	magicUnverified = "111111111"
	magicPending    = "222222222"
)

// euVATCountries maps an EU VAT number's prefix to its country and the
// shape of the rest of the number (the formats VIES publishes). Greece
// writes EL, Northern Ireland (under the EU's rules for goods) XI.
var euVATCountries = map[string]struct {
	country string
	rest    *regexp.Regexp
}{
	"AT": {"AT", full(`U\d{8}`)},
	"BE": {"BE", full(`[01]\d{9}`)},
	"BG": {"BG", full(`\d{9,10}`)},
	"CY": {"CY", full(`\d{8}[A-Z]`)},
	"CZ": {"CZ", full(`\d{8,10}`)},
	"DE": {"DE", full(`\d{9}`)},
	"DK": {"DK", full(`\d{8}`)},
	"EE": {"EE", full(`\d{9}`)},
	"EL": {"GR", full(`\d{9}`)},
	"ES": {"ES", full(`[A-Z0-9]\d{7}[A-Z0-9]`)},
	"FI": {"FI", full(`\d{8}`)},
	"FR": {"FR", full(`[A-HJ-NP-Z0-9]{2}\d{9}`)},
	"HR": {"HR", full(`\d{11}`)},
	"HU": {"HU", full(`\d{8}(\d{3})?`)}, // Stripe's example is the 11-digit adószám
	"IE": {"IE", full(`\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W]`)},
	"IT": {"IT", full(`\d{11}`)},
	"LT": {"LT", full(`\d{9}|\d{12}`)},
	"LU": {"LU", full(`\d{8}`)},
	"LV": {"LV", full(`\d{11}`)},
	"MT": {"MT", full(`\d{8}`)},
	"NL": {"NL", full(`\d{9}B\d{2}`)},
	"PL": {"PL", full(`\d{10}`)},
	"PT": {"PT", full(`\d{9}`)},
	"RO": {"RO", full(`\d{2,10}`)},
	"SE": {"SE", full(`\d{12}`)},
	"SI": {"SI", full(`\d{8}`)},
	"SK": {"SK", full(`\d{10}`)},
	"XI": {"GB", full(`\d{9}|\d{12}|(GD|HA)\d{3}`)},
}

// taxIDFormats are the published shapes of the numbers whose format is
// well known (Stripe's own examples all fit them). Other types take any
// value that is not blank: their rules are Stripe's to know.
var taxIDFormats = map[string]*regexp.Regexp{
	"au_abn":     full(`\d{11}`),
	"br_cnpj":    full(`\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}|\d{14}`),
	"br_cpf":     full(`\d{3}\.\d{3}\.\d{3}-\d{2}|\d{11}`),
	"ca_bn":      full(`\d{9}`),
	"ca_gst_hst": full(`\d{9}RT\d{4}`),
	"ca_qst":     full(`\d{10}TQ\d{4}`),
	"ch_uid":     full(`CHE-?\d{3}\.?\d{3}\.?\d{3}( ?HR)?`),
	"ch_vat":     full(`CHE-?\d{3}\.?\d{3}\.?\d{3} ?(MWST|TVA|IVA)`),
	"eu_oss_vat": full(`EU\d{9}`),
	"gb_vat":     full(`GB(\d{9}|\d{12}|(GD|HA)\d{3})`),
	"in_gst":     full(`\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]`),
	"no_vat":     full(`\d{9}MVA`),
	"us_ein":     full(`\d{2}-?\d{7}`),
}

func full(re string) *regexp.Regexp { return regexp.MustCompile(`^(?:` + re + `)$`) }

// invalidTaxID is Stripe's refusal of a value that is not a number of its
// type (the wording and code Stripe documents for tax_id_invalid).
func invalidTaxID(typ, param string) *apierr.Error {
	return apierr.InvalidRequest("Invalid value for %s.", typ).WithCode("tax_id_invalid").WithParam(param)
}

// magicNumber is the test-mode magic number a verified type's value
// carries (after its country prefix, if any), or "".
func magicNumber(typ, value string) string {
	if !verifiedTypes[typ] {
		return ""
	}
	digits := strings.TrimLeft(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	switch digits {
	case magicVerified, magicUnverified, magicPending:
	default:
		return ""
	}
	switch prefix := value[:len(value)-len(digits)]; typ {
	case "eu_vat":
		if _, ok := euVATCountries[prefix]; !ok {
			return ""
		}
	case "gb_vat":
		if prefix != "" && prefix != "GB" {
			return ""
		}
	default:
		if prefix != "" {
			return ""
		}
	}
	return digits
}

// Check validates value as a tax ID of typ and returns the country the
// tax ID is of. param names the value in an error.
func Check(typ, value, param string) (string, error) {
	if strings.TrimSpace(value) == "" {
		return "", invalidTaxID(typ, param)
	}
	magic := magicNumber(typ, value) != ""
	switch typ {
	case "eu_vat":
		if len(value) < 2 {
			return "", invalidTaxID(typ, param)
		}
		c, ok := euVATCountries[value[:2]]
		if !ok || (!magic && !c.rest.MatchString(value[2:])) {
			return "", invalidTaxID(typ, param)
		}
		return c.country, nil
	case "eu_oss_vat":
		if !taxIDFormats[typ].MatchString(value) {
			return "", invalidTaxID(typ, param)
		}
		return "EU", nil
	}
	if re := taxIDFormats[typ]; re != nil && !magic && !re.MatchString(value) {
		return "", invalidTaxID(typ, param)
	}
	return strings.ToUpper(typ[:2]), nil
}

// InitialVerification is a new tax ID's verification: pending for the
// types Stripe verifies, unavailable for the others.
func InitialVerification(typ string) map[string]any {
	status := "unavailable"
	if verifiedTypes[typ] {
		status = "pending"
	}
	return map[string]any{"status": status, "verified_address": nil, "verified_name": nil}
}

// SettledStatus is what Stripe's test-mode verification of a pending
// tax ID comes to: the magic numbers decide, any other number verifies;
// "" when it stays pending.
func SettledStatus(typ, value string) string {
	switch magicNumber(typ, value) {
	case magicPending:
		return ""
	case magicUnverified:
		return "unverified"
	}
	return "verified"
}

// CheckTyped refuses a tax ID whose type Stripe does not know, or whose
// value is not a number of its type, as creating one on a customer would:
// prefix names the object sent ("tax_id" for prefix[type], prefix[value]).
// Checkout's page takes the tax ID a buyer types this way.
func CheckTyped(typ, value, prefix string) error {
	if !slices.Contains(Types, typ) {
		return apierr.InvalidRequest("Invalid %s[type]: must be one of %s", prefix, strings.Join(Types, ", ")).WithParam(prefix + "[type]")
	}
	_, err := Check(typ, value, prefix+"[value]")
	return err
}

// CollectedIn says whether Checkout collects a business tax ID from a
// buyer in country (ISO 3166-1 alpha-2): a country with a tax ID type of
// its own (us_ein, gb_vat…) or an EU member state (eu_vat). Stripe
// publishes its list as a table of examples; this is the emulator's
// reading of it by type, not Stripe's own list.
func CollectedIn(country string) bool {
	country = strings.ToUpper(country)
	if len(country) != 2 || country == "EU" { // eu_oss_vat names no country
		return false
	}
	for _, c := range euVATCountries {
		if c.country == country && country != "GB" {
			return true
		}
	}
	prefix := strings.ToLower(country) + "_"
	return slices.ContainsFunc(Types, func(t string) bool { return strings.HasPrefix(t, prefix) })
}
