package accounts

import (
	"encoding/json"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Account links and login links are the Stripe-hosted pages a platform
// sends a connected account's owner to. An account link's page is the
// emulator's (AccountLinkPage): the owner finishes onboarding there, as
// the complete_onboarding test helper does (capabilities active, charges
// and payouts enabled, account.updated), and is sent to return_url; an
// expired link sends them to refresh_url. A login link's page stands in
// for the Express Dashboard: the account's balance and latest payouts.

// AccountLinkLifetime is how long an account link stays valid.
const AccountLinkLifetime = 300

func linkRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/account_links", params.FromStruct(stripe.AccountLinkCreateParams{}).Require("account", "type").
			Enum("type", "account_onboarding", "account_update"), createAccountLink),
		api.POST("/v1/accounts/{id}/login_links", params.FromStruct(stripe.LoginLinkCreateParams{}), createLoginLink),
		api.POST("/v1/test_helpers/accounts/{id}/complete_onboarding", params.Object(map[string]*params.Schema{
			"expand": params.ArrayOf(params.String()), "external_account": params.AnyParam(),
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
	// The owner is sent to these, as from Checkout.
	if err := c.CheckURLSchemes("refresh_url", "return_url"); err != nil {
		return nil, err
	}
	if err := startOnboarding(c, id); err != nil {
		return nil, err
	}
	// Which requirements the hosted pages ask for shows nowhere in the
	// API: the page asks for what is due.
	c.Params.MarkRead("collect", "collection_options")
	flow := map[string]string{"express": "e", "standard": "s", "custom": "c"}[api.Str(acct["type"])]
	token := c.IDs.Secret(12)
	path := "/setup/" + flow + "/" + id + "/" + token
	url := "https://connect.stripe.com" + path
	page := LinkPage{Account: id, Type: typ, ExpiresAt: c.Now + AccountLinkLifetime}
	page.ReturnURL, _ = c.Params.Str("return_url")
	page.RefreshURL, _ = c.Params.Str("refresh_url")
	if c.BaseURL != nil {
		if err := SaveAccountLinkPage(c.Tx, token, page); err != nil {
			return nil, err
		}
		url = c.BaseURL() + "/connect.stripe.com" + path
	}
	return store.Obj{"object": "account_link", "created": c.Now, "expires_at": c.Now + AccountLinkLifetime, "url": url}, nil
}

// LinkPage is what an account link's page needs of the link: whose it
// is, where the owner goes when done or when it expired, and when.
type LinkPage struct {
	Account    string `json:"account"`
	Type       string `json:"type"`
	ReturnURL  string `json:"return_url"`
	RefreshURL string `json:"refresh_url"`
	ExpiresAt  int64  `json:"expires_at"`
	// Visited says the page was opened: Stripe's links are single-use,
	// and a link "previously-visited" sends the owner to refresh_url.
	Visited bool `json:"visited,omitempty"`
	// Finished says the owner finished on the page: its form is spent.
	Finished bool `json:"finished,omitempty"`
}

func metaLinkPage(token string) string { return "acctlink:" + token }

// SaveAccountLinkPage keeps what the page's visits did to the link.
func SaveAccountLinkPage(tx *store.Tx, token string, page LinkPage) error {
	raw, _ := json.Marshal(page)
	return tx.SetMeta(metaLinkPage(token), string(raw))
}

// AccountLinkPage is the account link a page's token names.
func AccountLinkPage(tx *store.Tx, token string) (LinkPage, bool) {
	var page LinkPage
	raw, ok := tx.GetMeta(metaLinkPage(token))
	if !ok || json.Unmarshal([]byte(raw), &page) != nil {
		return LinkPage{}, false
	}
	return page, true
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
	path := "/express/" + api.Str(acct["id"]) + "/" + c.IDs.Secret(12)
	url := "https://connect.stripe.com" + path
	if c.BaseURL != nil {
		url = c.BaseURL() + "/connect.stripe.com" + path // the emulator's stand-in Dashboard page
	}
	return store.Obj{"object": "login_link", "created": c.Now, "url": url}, nil
}

// completeOnboarding is the account's owner finishing Connect
// onboarding: every requested capability becomes active, nothing is
// left due, charges and payouts are enabled. external_account (the
// emulator's, a token or bank details as account create takes them) is
// the bank account the owner entered, which Stripe's hosted onboarding
// collects before it enables payouts: the account link's page sends
// Stripe's test token for an account without one.
func completeOnboarding(c *api.Call) (any, error) {
	before, err := connected(c, c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if rejected(before) {
		return nil, apierr.InvalidRequest("stripe-emu: %s was rejected (%s); its onboarding cannot complete.", c.Var("id"), api.Str(api.Obj(before["requirements"])["disabled_reason"]))
	}
	after := api.Clone(before)
	var ba store.Obj
	if c.Params.Has("external_account") {
		// The bank account the owner entered, as account create takes one.
		if ba, err = addExternalAccount(c, after, "external_account", false); err != nil {
			return nil, err
		}
	}
	onboard(after)
	// The owner accepts Stripe's terms, unless the platform recorded their
	// acceptance already; the service agreement the platform chose stays.
	if tos := api.Obj(before["tos_acceptance"]); tos["date"] == nil {
		after["tos_acceptance"] = mergeDetails(tos, store.Obj{"date": c.Now, "ip": "127.0.0.1", "user_agent": "stripe-emu"})
	}
	if ba != nil {
		c.EmitIn(api.Str(after["id"]), "account.external_account.created", ba, nil)
	}
	return saveWithCapabilities(c, capabilitiesOf(c.Tx, before), before, after)
}
