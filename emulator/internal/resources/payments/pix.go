package payments

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Pix's QR code expires (Stripe's Pix guide): expires_after_seconds after
// confirmation, between 10 seconds and 14 days, a day unless set; or at
// expires_at, within the same bounds.
const (
	pixMinSeconds     = 10
	pixMaxSeconds     = 1209600
	pixDefaultSeconds = 86400
)

// checkPixOptions refuses payment_method_options[pix] expiries outside
// Stripe's bounds, and both ways of setting one at once (the refusals'
// wording is the emulator's: Stripe's is not recorded).
func checkPixOptions(c *api.Call) error {
	const p = "payment_method_options.pix."
	secs, hasSecs := c.Params.Int(p + "expires_after_seconds")
	at, hasAt := c.Params.Int(p + "expires_at")
	if hasSecs && hasAt {
		return apierr.Exclusive("payment_method_options[pix][expires_after_seconds]", "payment_method_options[pix][expires_at]")
	}
	if hasSecs {
		if err := CheckPixExpiresAfterSeconds(secs); err != nil {
			return err
		}
	}
	if hasAt && (at < c.Now+pixMinSeconds || at > c.Now+pixMaxSeconds) {
		param := "payment_method_options[pix][expires_at]"
		return apierr.InvalidRequest("Invalid %s: it must be between %d and %d seconds in the future.", param, pixMinSeconds, pixMaxSeconds).WithParam(param)
	}
	return nil
}

// CheckPixExpiresAfterSeconds refuses payment_method_options[pix]
// [expires_after_seconds] outside 10 seconds to 14 days (for a Checkout
// Session's too).
func CheckPixExpiresAfterSeconds(secs int64) error {
	if secs < pixMinSeconds || secs > pixMaxSeconds {
		param := "payment_method_options[pix][expires_after_seconds]"
		return apierr.InvalidRequest("Invalid %s: it must be between %d and %d seconds.", param, pixMinSeconds, pixMaxSeconds).WithParam(param)
	}
	return nil
}

// pixExpiry is when the Pix code an intent's confirmation shows expires.
func pixExpiry(c *api.Call, pi store.Obj) int64 {
	opts := api.Obj(api.Obj(pi["payment_method_options"])["pix"])
	if at, ok := opts["expires_at"].(int64); ok {
		return at
	}
	if secs, ok := opts["expires_after_seconds"].(int64); ok {
		return c.Now + secs
	}
	return c.Now + pixDefaultSeconds
}

// waitsForPix tells an intent whose Pix code is out, unpaid. Its
// expiry is timed under voucherKey, as a voucher's is: one more timer
// on payment intents would look up a key for every intent written.
func waitsForPix(pi store.Obj) bool {
	return pi["status"] == RequiresAction && api.Obj(pi["next_action"])["type"] == "pix_display_qr_code"
}
