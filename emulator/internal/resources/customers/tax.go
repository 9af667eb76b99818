package customers

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/tax"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// ipAddressKey is where a customer's tax[ip_address] is kept (Stripe Tax
// reads it too).
func ipAddressKey(account, id string) string { return tax.IPAddressKey(account, id) }

// customerTax is the includable customer.tax: what Stripe Tax makes of
// the customer's addresses now.
func customerTax(c *api.Call, o store.Obj) (any, error) {
	ip, _ := c.Tx.GetMeta(ipAddressKey(c.Account, api.Str(o["id"])))
	return tax.CustomerTax(c, o, ip), nil
}

// applyTax reads tax[ip_address] and tax[validate_location] for customer o
// (about to be stored): immediately refuses an address Stripe Tax cannot
// locate; auto (an update's default) does so only for a customer with a
// subscription that has automatic tax; deferred never does.
func applyTax(c *api.Call, o store.Obj, creating bool) error {
	t, ok := c.Params.Obj("tax")
	if t.Has("ip_address") {
		ip, _ := t.Str("ip_address")
		key := ipAddressKey(c.Account, api.Str(o["id"]))
		if err := tax.CheckIPAddress(ip, "tax[ip_address]"); err != nil {
			return err
		}
		if ip == "" {
			c.DeleteMeta(key)
		} else if err := c.SetMeta(key, ip); err != nil {
			return err
		}
	}
	mode := "deferred"
	if !creating {
		mode = "auto"
	}
	if ok {
		if v, _ := t.Str("validate_location"); v != "" {
			mode = v
		}
	}
	if mode == "deferred" || (mode == "auto" && !hasAutomaticTaxSubscription(c, api.Str(o["id"]))) {
		return nil
	}
	if loc, _ := tax.Locate(c, o); loc == nil {
		if err := tax.CustomerLocationError(c, o, "tax[ip_address]"); !isLocationInvalid(err) {
			return err
		}
		return tax.LocationError("tax[validate_location]")
	}
	return nil
}

// hasAutomaticTaxSubscription says whether the customer has a live
// subscription with automatic tax.
func hasAutomaticTaxSubscription(c *api.Call, customer string) bool {
	found := false
	c.Tx.EachIndexed(c.Account, "subscription", "customer", customer, func(s store.Obj) bool {
		if s["status"] != "canceled" && s["status"] != "incomplete_expired" && api.Bool(api.Obj(s["automatic_tax"])["enabled"]) {
			found = true
			return false
		}
		return true
	})
	return found
}

// isLocationInvalid says whether err is Stripe's customer_tax_location_invalid.
func isLocationInvalid(err error) bool {
	e, ok := err.(*apierr.Error)
	return ok && e.Code == "customer_tax_location_invalid"
}
