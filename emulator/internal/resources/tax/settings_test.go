package tax

import (
	"testing"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

func setDefaultBehavior(t *testing.T, c *api.Call, behavior string) {
	t.Helper()
	s := Settings(c)
	api.Obj(s["defaults"])["tax_behavior"] = behavior
	b, _ := jsonenc.Marshal(s)
	if err := c.SetMeta(settingsKey(c.Account), string(b)); err != nil {
		t.Fatal(err)
	}
}

func TestBehavior(t *testing.T) {
	inCall(t, "US", func(c *api.Call) {
		price := store.Obj{"id": "price_1", "object": "price", "currency": "eur", "tax_behavior": "unspecified"}
		_, err := PriceBehavior(c, price, "items[0][price]")
		var e *apierr.Error
		if !asAPIErr(err, &e) || e.Param != "items[0][price]" || e.Message != "The price `price_1` does not have a tax behavior set, which is required for automatic tax computation." {
			t.Errorf("no behavior anywhere: %v", err)
		}
		if incl, err := Behavior(c, "inclusive", "x"); err != nil || !incl {
			t.Errorf("inclusive price: %v %v", incl, err)
		}
		setDefaultBehavior(t, c, "inclusive")
		if incl, err := Behavior(c, nil, "x"); err != nil || !incl {
			t.Errorf("default inclusive: %v %v", incl, err)
		}
		if incl, err := Behavior(c, "exclusive", "x"); err != nil || incl {
			t.Errorf("the price's own behavior wins: %v %v", incl, err)
		}
		setDefaultBehavior(t, c, "inferred_by_currency")
		for cur, want := range map[string]bool{"eur": true, "gbp": true, "usd": false, "CAD": false} {
			if incl, err := PriceBehavior(c, store.Obj{"object": "price", "currency": cur, "tax_behavior": "unspecified"}, "x"); err != nil || incl != want {
				t.Errorf("inferred for %s: %v %v", cur, incl, err)
			}
		}
		rate := store.Obj{"object": "shipping_rate", "fixed_amount": store.Obj{"currency": "eur"}, "tax_behavior": "unspecified"}
		if incl, err := PriceBehavior(c, rate, "x"); err != nil || !incl {
			t.Errorf("shipping rate inferred: %v %v", incl, err)
		}
	})
}

func asAPIErr(err error, e **apierr.Error) bool {
	x, ok := err.(*apierr.Error)
	*e = x
	return ok
}
