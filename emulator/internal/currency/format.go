package currency

import (
	"fmt"
	"strconv"
	"strings"
)

// zeroDecimal are the currencies whose amounts Stripe takes in whole
// units (docs.stripe.com/currencies#zero-decimal).
var zeroDecimal = map[string]bool{"bif": true, "clp": true, "djf": true, "gnf": true, "jpy": true, "kmf": true, "krw": true,
	"mga": true, "pyg": true, "rwf": true, "ugx": true, "vnd": true, "vuv": true, "xaf": true, "xof": true, "xpf": true}

// threeDecimal are the currencies whose amounts have three decimals
// (docs.stripe.com/currencies#three-decimal).
var threeDecimal = map[string]bool{"bhd": true, "jod": true, "kwd": true, "omr": true, "tnd": true}

// ZeroDecimal reports whether Stripe takes amounts of the currency in
// whole units (1 is ¥1, not ¥0.01).
func ZeroDecimal(code string) bool { return zeroDecimal[code] }

// Decimals is how many decimals an amount of the currency has.
func Decimals(code string) int {
	switch {
	case zeroDecimal[code]:
		return 0
	case threeDecimal[code]:
		return 3
	}
	return 2
}

// symbols are the currencies Stripe writes with a symbol in the text it
// generates (as English formatting does); others are written with their
// code, "CHF 10.00".
var symbols = map[string]string{"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "krw": "₩", "inr": "₹", "ils": "₪",
	"vnd": "₫", "cad": "CA$", "aud": "A$", "nzd": "NZ$", "hkd": "HK$", "mxn": "MX$", "brl": "R$"}

// Format writes an amount in the currency's minor units as Stripe's
// generated descriptions do: "$1,000.00", "€9.00", "¥3,000", "CHF 10.00".
func Format(amount int64, code string) string {
	sign, whole, frac := split(amount, code)
	s := groupThousands(whole) + frac
	if sym, ok := symbols[code]; ok {
		return sign + sym + s
	}
	return sign + strings.ToUpper(code) + " " + s
}

// split is an amount in minor units as its sign ("-" or ""), its whole
// major units and its fraction (".05", or "" for a currency without minor
// units).
func split(amount int64, code string) (sign string, whole int64, frac string) {
	if amount < 0 {
		sign, amount = "-", -amount
	}
	d := Decimals(code)
	unit := int64(1)
	for range d {
		unit *= 10
	}
	if d > 0 {
		frac = fmt.Sprintf(".%0*d", d, amount%unit)
	}
	return sign, amount / unit, frac
}

func groupThousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Major writes an amount in the currency's minor units as a plain decimal
// in major units, as Stripe's CSV reports print amounts: "12.34",
// "-0.50", "3000" (yen have no minor unit).
func Major(amount int64, code string) string {
	sign, whole, frac := split(amount, code)
	return sign + strconv.FormatInt(whole, 10) + frac
}
