package customers

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// A customer's currency (Stripe's "default currency") is set the first
// time the customer is billed in one: subscribed to a price, invoiced, given
// an invoice item, a balance adjustment or an amount-off discount. Once
// set, a subscription, subscription schedule or quote in another currency
// is refused while the customer still has a subscription, schedule,
// quote, pending invoice item or amount-off discount in its currency;
// when it has none any more, such a new one makes its currency the
// customer's. One-off invoices and invoice items may be in another
// currency and leave the customer's as it is.

// SetCurrency gives the customer cusID the currency cur if it has none
// yet (customer.updated, previous currency null). Nothing happens when
// it has one or cur is empty.
func SetCurrency(c *api.Call, cusID, cur string) error {
	before, ok := c.Tx.Get(c.Account, "customer", cusID)
	if !ok || cur == "" || api.Str(before["currency"]) != "" || api.Bool(before["deleted"]) {
		return nil
	}
	after := api.Clone(before)
	after["currency"] = cur
	return c.Save(before, after)
}

// AdoptCurrency is what starting a subscription, a subscription schedule
// or a quote billed in cur does to the customer cusID's currency: sets it
// when the customer has none, changes it when the customer has nothing
// active left in its own (customer.updated either way), and refuses with
// Stripe's "You cannot combine currencies on a single customer." when it
// has. skip names objects not to count as active: the schedule or quote
// the subscription is being started from.
func AdoptCurrency(c *api.Call, cusID, cur, param string, skip ...string) error {
	before, ok := c.Tx.Get(c.Account, "customer", cusID)
	if !ok || cur == "" || api.Bool(before["deleted"]) {
		return nil
	}
	own := api.Str(before["currency"])
	if own == cur {
		return nil
	}
	if own != "" {
		if err := CheckCurrency(c, before, cur, param, skip...); err != nil {
			return err
		}
	}
	after := api.Clone(before)
	after["currency"] = cur
	// Its balance is now the one in its new currency; the old one's is
	// kept, for invoices in that currency.
	if err := swapOwnBalance(c, after, own, cur); err != nil {
		return err
	}
	return c.Save(before, after)
}

// CheckCurrency refuses something in cur for the customer cus when it
// has anything active in its own currency (see AdoptCurrency), and
// changes nothing.
func CheckCurrency(c *api.Call, cus store.Obj, cur, param string, skip ...string) error {
	own := api.Str(cus["currency"])
	if own == "" || own == cur || !HasActiveIn(c, cus, own, skip...) {
		return nil
	}
	return apierr.InvalidRequest("You cannot combine currencies on a single customer. This customer has an active subscription, subscription schedule, discount, quote, or invoice item with currency %s.", own).WithParam(param)
}

// HasActiveIn reports whether the customer cus has, in currency cur, a
// subscription that has not ended, a schedule not yet ended or released,
// a draft or open quote, a pending invoice item or an amount-off
// discount of its own; skip are ids not to count.
func HasActiveIn(c *api.Call, cus store.Obj, cur string, skip ...string) bool {
	if d := api.Obj(cus["discount"]); d != nil && api.Str(api.Obj(d["coupon"])["currency"]) == cur {
		return true
	}
	skipped := func(o store.Obj) bool {
		for _, id := range skip {
			if o["id"] == id {
				return true
			}
		}
		return false
	}
	id := api.Str(cus["id"])
	has := func(typ string, active func(o store.Obj) bool) bool {
		p := c.Tx.List(c.Account, typ, store.Query{Index: "customer", Value: id, Limit: 1,
			Filter: func(o store.Obj) bool { return !skipped(o) && active(o) }})
		return len(p.Data) > 0
	}
	return has("subscription", func(o store.Obj) bool {
		return o["currency"] == cur && o["status"] != "canceled" && o["status"] != "incomplete_expired"
	}) || has("subscription_schedule", func(o store.Obj) bool {
		if o["status"] != "not_started" && o["status"] != "active" {
			return false
		}
		phases, _ := o["phases"].([]any)
		return len(phases) > 0 && api.Obj(phases[0])["currency"] == cur
	}) || has("quote", func(o store.Obj) bool {
		return o["currency"] == cur && (o["status"] == "draft" || o["status"] == "open")
	}) || has("invoiceitem", func(o store.Obj) bool {
		return o["currency"] == cur && o["invoice"] == nil && o["deleted"] != true
	})
}
