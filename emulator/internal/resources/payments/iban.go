package payments

import "math/big"

// ibanFormat is where a country's IBANs (the SWIFT IBAN registry) hold
// the bank's code: length is the whole IBAN's, bankAt and bankLen place
// the bank identifier within the BBAN (after the country and check
// digits; Italy's and San Marino's start with a check letter).
type ibanFormat struct{ length, bankAt, bankLen int }

var ibanFormats = map[string]ibanFormat{
	"AD": {24, 0, 4}, "AT": {20, 0, 5}, "BE": {16, 0, 3}, "BG": {22, 0, 4}, "CH": {21, 0, 5},
	"CY": {28, 0, 3}, "CZ": {24, 0, 4}, "DE": {22, 0, 8}, "DK": {18, 0, 4}, "EE": {20, 0, 2},
	"ES": {24, 0, 4}, "FI": {18, 0, 3}, "FR": {27, 0, 5}, "GB": {22, 0, 4}, "GI": {23, 0, 4},
	"GR": {27, 0, 3}, "HR": {21, 0, 7}, "HU": {28, 0, 3}, "IE": {22, 0, 4}, "IS": {26, 0, 2},
	"IT": {27, 1, 5}, "LI": {21, 0, 5}, "LT": {20, 0, 5}, "LU": {20, 0, 3}, "LV": {21, 0, 4},
	"MC": {27, 0, 5}, "MT": {31, 0, 4}, "NL": {18, 0, 4}, "NO": {15, 0, 4}, "PL": {28, 0, 8},
	"PT": {25, 0, 4}, "RO": {24, 0, 4}, "SE": {24, 0, 3}, "SI": {19, 0, 5}, "SK": {24, 0, 4},
	"SM": {27, 1, 5}, "VA": {22, 0, 3},
}

// validIBAN is the IBAN check every bank makes: letters and digits only,
// its country's length (15 to 34 characters for a country not listed),
// and check digits that make the number, rearranged, 1 modulo 97. iban
// is upper case without spaces.
func validIBAN(iban string) bool {
	if len(iban) < 15 || len(iban) > 34 {
		return false
	}
	if f, ok := ibanFormats[iban[:2]]; ok && len(iban) != f.length {
		return false
	}
	if !isLetter(iban[0]) || !isLetter(iban[1]) || !isDigit(iban[2]) || !isDigit(iban[3]) {
		return false
	}
	// The country code and check digits move to the end; letters count
	// as 10 (A) to 35 (Z).
	digits := make([]byte, 0, 2*len(iban))
	for i := range len(iban) {
		b := iban[(i+4)%len(iban)]
		switch {
		case isDigit(b):
			digits = append(digits, b)
		case isLetter(b):
			n := int(b-'A') + 10
			digits = append(digits, byte('0'+n/10), byte('0'+n%10))
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(string(digits), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

func isLetter(b byte) bool { return b >= 'A' && b <= 'Z' }
func isDigit(b byte) bool  { return b >= '0' && b <= '9' }

// ibanBankCode is the bank's code in iban, where its country's IBANs
// hold it (Stripe's sepa_debit.bank_code: 37040044 for a German one,
// RABO for a Dutch one); for a country not listed, the BBAN's first
// eight characters.
func ibanBankCode(iban string) string {
	if f, ok := ibanFormats[iban[:2]]; ok && len(iban) == f.length {
		return iban[4+f.bankAt : 4+f.bankAt+f.bankLen]
	}
	return iban[4:min(12, len(iban))]
}
