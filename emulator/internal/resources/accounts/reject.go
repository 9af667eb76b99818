package accounts

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// rejectReasons are the reasons a platform may reject an account for; the
// account's requirements.disabled_reason becomes rejected.<reason>.
var rejectReasons = []string{"fraud", "terms_of_service", "other"}

// platformLiable reports whether the platform answers for the account's
// negative balances: the controller's losses setting when the account was
// made from controller properties, else its type (Custom and Express
// accounts are the platform's, Standard ones Stripe's).
func platformLiable(acct store.Obj) bool {
	if losses := api.Obj(api.Obj(acct["controller"])["losses"]); len(losses) > 0 {
		return losses["payments"] == "application"
	}
	return acct["type"] == "custom" || acct["type"] == "express"
}

// reject is a platform rejecting a connected account it flagged: charges
// and payouts are disabled and every requested capability becomes
// inactive. Test mode has no balances to settle first, so any account the
// platform is liable for can be rejected at any time.
func reject(c *api.Call) (any, error) {
	before, err := connected(c, c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	id := api.Str(before["id"])
	if !platformLiable(before) {
		return nil, apierr.InvalidRequest("You can only reject accounts where your platform is liable for negative balances, which includes Custom and Express accounts; %s is not one of them.", id)
	}
	if rejected(before) {
		return nil, apierr.InvalidRequest("The account %s has already been rejected.", id)
	}
	reason, _ := c.Params.Str("reason")
	was := capabilitiesOf(c.Tx, before)
	after := api.Clone(before)
	reqs := api.Clone(api.Obj(before["requirements"]))
	reqs["disabled_reason"] = "rejected." + reason
	after["requirements"] = reqs
	after["charges_enabled"], after["payouts_enabled"] = false, false
	caps := store.Obj{}
	for name := range api.Obj(before["capabilities"]) {
		caps[name] = "inactive"
	}
	after["capabilities"] = caps
	return saveWithCapabilities(c, was, before, after)
}
