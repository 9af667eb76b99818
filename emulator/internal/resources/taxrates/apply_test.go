package taxrates

import (
	"testing"

	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

func rate(id string, pct float64, inclusive bool) any {
	return store.Obj{"id": id, "percentage": pct, "inclusive": inclusive}
}

func TestCompute(t *testing.T) {
	for _, tc := range []struct {
		name           string
		amount         int64
		rates          []any
		amounts, taxed []int64
	}{
		{"exclusive", 1000, []any{rate("a", 19, false)}, []int64{190}, []int64{1000}},
		{"exclusive rounds half up", 799, []any{rate("a", 19, false)}, []int64{152}, []int64{799}},
		{"exclusive with four decimals", 1000, []any{rate("a", 8.875, false)}, []int64{89}, []int64{1000}},
		{"exactly half", 100, []any{rate("a", 7.5, false)}, []int64{8}, []int64{100}},
		{"inclusive", 1000, []any{rate("a", 19, true)}, []int64{160}, []int64{840}},
		{"inclusive 25% of 5.00 is 1.00", 500, []any{rate("a", 25, true)}, []int64{100}, []int64{400}},
		{"a credit is the charge negated", -799, []any{rate("a", 19, false)}, []int64{-152}, []int64{-799}},
		{"two exclusive on the same base", 1000, []any{rate("gst", 5, false), rate("pst", 7, false)}, []int64{50, 70}, []int64{1000, 1000}},
		{"two inclusive share one net", 1140, []any{rate("a", 9, true), rate("b", 5, true)}, []int64{90, 50}, []int64{1000, 1000}},
		{"inclusive then exclusive on the net", 1190, []any{rate("vat", 19, true), rate("x", 10, false)}, []int64{190, 100}, []int64{1000, 1000}},
		{"zero", 0, []any{rate("a", 19, false)}, []int64{0}, []int64{0}},
		// Amounts whose product with a rate overflows 64 bits.
		{"a huge exclusive amount", 100_000_000_000_000, []any{rate("a", 19, false)}, []int64{19_000_000_000_000}, []int64{100_000_000_000_000}},
		{"a huge credit", -100_000_000_000_005, []any{rate("a", 10, false)}, []int64{-10_000_000_000_001}, []int64{-100_000_000_000_005}},
		{"the largest amount, all inclusive", 9_223_372_036_854_775_807, []any{rate("a", 100, true)}, []int64{4_611_686_018_427_387_904}, []int64{4_611_686_018_427_387_903}},
	} {
		got := Compute(tc.amount, tc.rates)
		if len(got) != len(tc.amounts) {
			t.Fatalf("%s: %d taxes", tc.name, len(got))
		}
		for i, g := range got {
			if g.Amount != tc.amounts[i] || g.Taxable != tc.taxed[i] {
				t.Errorf("%s: tax %d = %d on %d, want %d on %d", tc.name, i, g.Amount, g.Taxable, tc.amounts[i], tc.taxed[i])
			}
		}
	}
	if Compute(1000, nil) != nil {
		t.Error("no rates, no taxes")
	}
}

func TestMicros(t *testing.T) {
	for pct, want := range map[float64]int64{19: 190000, 7.25: 72500, 8.875: 88750, 0.0001: 1, 100: 1000000, 0: 0} {
		if got, err := micros(pct); err != nil || got != want {
			t.Errorf("micros(%v) = %d, %v; want %d", pct, got, err, want)
		}
	}
	for _, bad := range []float64{-1, 100.5, 1.23456} {
		if _, err := micros(bad); err == nil {
			t.Errorf("micros(%v) accepted", bad)
		}
	}
}
