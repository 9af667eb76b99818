package accounts

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Account links and login links are the Stripe-hosted pages a platform
// sends a connected account's owner to. The emulator hosts no pages: a
// link has Stripe's shape and lifetime, and a test helper does what the
// owner finishing onboarding would (capabilities active, charges and
// payouts enabled, account.updated).

// AccountLinkLifetime is how long an account link stays valid.
const AccountLinkLifetime = 300

func linkRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/account_links", params.FromStruct(stripe.AccountLinkCreateParams{}).Require("account", "type").
			Enum("type", "account_onboarding", "account_update"), createAccountLink),
		api.POST("/v1/accounts/{id}/login_links", params.FromStruct(stripe.LoginLinkCreateParams{}), createLoginLink),
		api.POST("/v1/test_helpers/accounts/{id}/complete_onboarding", params.Object(map[string]*params.Schema{
			"expand": params.ArrayOf(params.String()),
		}), completeOnboarding),
	}
}

// connected loads a connected account of this platform (never the
// platform itself) named by param.
func connected(c *api.Call, id, param string) (store.Obj, error) {
	if err := platformOnly(c); err != nil {
		return nil, err
	}
	if id == c.Platform {
		return nil, apierr.NoSuchObject("account", id, param)
	}
	return load(c, id, param)
}

func createAccountLink(c *api.Call) (any, error) {
	id, _ := c.Params.Str("account")
	acct, err := connected(c, id, "account")
	if err != nil {
		return nil, err
	}
	typ, _ := c.Params.Str("type")
	dashboard := api.Str(api.Obj(api.Obj(acct["controller"])["stripe_dashboard"])["type"])
	if typ == "account_update" && (requirementCollection(acct) != "application" || dashboard == "full" || dashboard == "express") {
		// Only the platform collecting requirements may send the owner to
		// update them; accounts with a Stripe-hosted Dashboard update their
		// details there, those without one where Stripe collects through
		// embedded components.
		return nil, apierr.InvalidRequest("You cannot create `account_update` type Account Links for this account. Valid types for this account are [\"account_onboarding\"].").WithParam("type")
	}
	// Where the owner lands afterwards, and which requirements the hosted
	// pages ask for, show nowhere in the API: the link is only a URL.
	c.Params.MarkRead("refresh_url", "return_url", "collect", "collection_options")
	flow := map[string]string{"express": "e", "standard": "s", "custom": "c"}[api.Str(acct["type"])]
	return store.Obj{
		"object": "account_link", "created": c.Now, "expires_at": c.Now + AccountLinkLifetime,
		"url": "https://connect.stripe.com/setup/" + flow + "/" + id + "/" + c.IDs.Secret(12),
	}, nil
}

func createLoginLink(c *api.Call) (any, error) {
	acct, err := connected(c, c.Var("id"), "account")
	if err != nil {
		return nil, err
	}
	if acct["type"] != "express" {
		return nil, apierr.InvalidRequest("Login links can only be created for Express accounts; %s is a %s account.", c.Var("id"), api.Str(acct["type"]))
	}
	if !api.Bool(acct["details_submitted"]) {
		return nil, apierr.InvalidRequest("Cannot create a login link for an account that has not completed onboarding.")
	}
	return store.Obj{"object": "login_link", "created": c.Now,
		"url": "https://connect.stripe.com/express/" + api.Str(acct["id"]) + "/" + c.IDs.Secret(12)}, nil
}

// completeOnboarding is the account's owner finishing Connect
// onboarding: every requested capability becomes active, nothing is
// left due, charges and payouts are enabled.
func completeOnboarding(c *api.Call) (any, error) {
	before, err := connected(c, c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if rejected(before) {
		return nil, apierr.InvalidRequest("stripe-emu: %s was rejected (%s); its onboarding cannot complete.", c.Var("id"), api.Str(api.Obj(before["requirements"])["disabled_reason"]))
	}
	after := api.Clone(before)
	onboard(after)
	after["tos_acceptance"] = store.Obj{"date": c.Now, "ip": "127.0.0.1", "user_agent": "stripe-emu"}
	return saveWithCapabilities(c, capabilitiesOf(c.Tx, before), before, after)
}
