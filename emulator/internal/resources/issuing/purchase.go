package issuing

import (
	"encoding/json"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// metaPurchase holds a transaction's purchase_details, which Stripe shows
// only when expanded.
func metaPurchase(account, id string) string { return "issuingpurchase:" + account + ":" + id }

// purchaseDetails reads the purchase_details a test helper sends (nil for
// none): flight, lodging, receipt and reference. Fleet and fuel data are
// left unread, so the request is refused as not emulated.
func purchaseDetails(c *api.Call) store.Obj {
	pd, ok := c.Params.Obj("purchase_details")
	if !ok {
		return nil
	}
	str := func(v params.Values, f string) any { s, _ := v.Str(f); return api.NilIfEmpty(s) }
	num := func(v params.Values, f string) any {
		if n, ok := v.Int(f); ok {
			return n
		}
		return nil
	}
	flag := func(v params.Values, f string) any {
		if b, ok := v.Bool(f); ok {
			return b
		}
		return nil
	}
	out := store.Obj{"fleet": nil, "flight": nil, "fuel": nil, "lodging": nil, "receipt": nil, "reference": str(pd, "reference")}
	if fl, ok := pd.Obj("flight"); ok {
		var segments any
		if fl.Has("segments") {
			list := []any{}
			for _, s := range fl.Array("segments") {
				list = append(list, store.Obj{
					"arrival_airport_code": str(s, "arrival_airport_code"), "carrier": str(s, "carrier"),
					"departure_airport_code": str(s, "departure_airport_code"), "flight_number": str(s, "flight_number"),
					"service_class": str(s, "service_class"), "stopover_allowed": flag(s, "stopover_allowed"),
				})
			}
			segments = list
		}
		out["flight"] = store.Obj{
			"departure_at": num(fl, "departure_at"), "passenger_name": str(fl, "passenger_name"),
			"refundable": flag(fl, "refundable"), "segments": segments, "travel_agency": str(fl, "travel_agency"),
		}
	}
	if lo, ok := pd.Obj("lodging"); ok {
		out["lodging"] = store.Obj{"check_in_at": num(lo, "check_in_at"), "nights": num(lo, "nights")}
	}
	if pd.Has("receipt") {
		list := []any{}
		for _, r := range pd.Array("receipt") {
			var qty any
			if q, ok := r.Float("quantity"); ok {
				qty = q
			}
			list = append(list, store.Obj{"description": str(r, "description"), "quantity": qty, "total": num(r, "total"), "unit_cost": num(r, "unit_cost")})
		}
		out["receipt"] = list
	}
	return out
}

// keepPurchaseDetails stores a new transaction's purchase details; a
// receipt among them is announced with
// issuing_transaction.purchase_details_receipt_updated (the event the
// Stripe CLI's trigger of that name makes by sending one with a force
// capture).
func keepPurchaseDetails(c *api.Call, txn, pd store.Obj) error {
	if pd == nil {
		return nil
	}
	raw, err := json.Marshal(pd)
	if err != nil {
		return err
	}
	if err := c.SetMeta(metaPurchase(c.Account, api.Str(txn["id"])), string(raw)); err != nil {
		return err
	}
	if receipt, _ := pd["receipt"].([]any); len(receipt) > 0 {
		c.Emit("issuing_transaction.purchase_details_receipt_updated", txn, nil)
	}
	return nil
}

// includePurchaseDetails is a transaction's purchase_details when
// expanded: what the test helper sent, null when it sent none.
func includePurchaseDetails(c *api.Call, txn store.Obj) (any, error) {
	raw, ok := c.Tx.GetMeta(metaPurchase(c.Account, api.Str(txn["id"])))
	if !ok {
		return nil, nil
	}
	var pd store.Obj
	if err := json.Unmarshal([]byte(raw), &pd); err != nil {
		return nil, err
	}
	return pd, nil
}
