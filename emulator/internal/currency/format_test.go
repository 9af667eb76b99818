package currency

import "testing"

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		amount int64
		code   string
		want   string
	}{
		{1000, "usd", "$10.00"},
		{123456789, "usd", "$1,234,567.89"},
		{900, "eur", "€9.00"},
		{3000, "jpy", "¥3,000"},
		{5, "jpy", "¥5"},
		{-250, "gbp", "-£2.50"},
		{1000, "chf", "CHF 10.00"},
		{1500, "bhd", "BHD 1.500"},
		{100000, "krw", "₩100,000"},
	} {
		if got := Format(tc.amount, tc.code); got != tc.want {
			t.Errorf("Format(%d, %s) = %q, want %q", tc.amount, tc.code, got, tc.want)
		}
	}
}

func TestMajor(t *testing.T) {
	for _, tc := range []struct {
		amount int64
		code   string
		want   string
	}{
		{1234, "usd", "12.34"},
		{-50, "usd", "-0.50"},
		{0, "eur", "0.00"},
		{123456789, "usd", "1234567.89"},
		{3000, "jpy", "3000"},
		{1500, "bhd", "1.500"},
	} {
		if got := Major(tc.amount, tc.code); got != tc.want {
			t.Errorf("Major(%d, %s) = %q, want %q", tc.amount, tc.code, got, tc.want)
		}
	}
}
