package currency

// minimums are Stripe's minimum charge amounts, in minor units, for the
// currencies its table names (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
// Stripe applies them in the settlement currency, converting other
// presentment currencies; the emulator converts nothing and holds each
// currency to its own minimum.
var minimums = map[string]int64{
	"usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50, "czk": 1500,
	"dkk": 250, "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50, "jpy": 50, "mxn": 1000,
	"myr": 200, "nok": 300, "nzd": 50, "pln": 200, "ron": 200, "sek": 300, "sgd": 50, "thb": 1000,
}

// MaxAmount is the largest amount Stripe charges: eight digits in any
// currency's minor units.
const MaxAmount = 99999999

// Minimum is the smallest amount Stripe charges in the currency (lower
// case), in its minor units: its table's, else 50 minor units (one whole
// unit for a zero-decimal currency), the table's usual minimum.
func Minimum(code string) int64 {
	if m, ok := minimums[code]; ok {
		return m
	}
	if zeroDecimal[code] {
		return 1
	}
	return 50
}
