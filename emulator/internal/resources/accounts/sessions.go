package accounts

import (
	"slices"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Account Sessions grant a platform's front end access to a connected
// account in Connect embedded components. Nothing can read one back (there
// is no retrieve endpoint) and Stripe sends no events about them, so the
// emulator answers one without storing it; the emulator serves no
// embedded components to claim it with.

// AccountSessionLifetime is how long an account session's client secret
// can be claimed.
const AccountSessionLifetime = 30 * 60

// The default of a feature of an embedded component.
type featureDefault int

const (
	off featureDefault = iota
	on
	// platformNotLiable: on unless the platform is liable for the
	// account's losses (controller.losses.payments is application).
	platformNotLiable
	// notExternalCollection: the opposite of external_account_collection.
	notExternalCollection
)

// The features components share, with their defaults.
var (
	accountFeatures = map[string]featureDefault{"external_account_collection": on, "disable_stripe_user_authentication": notExternalCollection}
	payoutFeatures  = map[string]featureDefault{"external_account_collection": on, "disable_stripe_user_authentication": notExternalCollection,
		"edit_payout_schedule": platformNotLiable, "instant_payouts": platformNotLiable, "standard_payouts": platformNotLiable}
	paymentFeatures = map[string]featureDefault{"capture_payments": on, "destination_on_behalf_of_charge_management": off,
		"dispute_management": on, "refund_management": on}
	issuingFeatures = map[string]featureDefault{"card_management": off, "card_spend_dispute_management": off,
		"cardholder_management": off, "spend_control_management": off}
	noFeatures = map[string]featureDefault{}
)

// components are the embedded components of stripe-go's
// AccountSessionCreateComponentsParams and their features' defaults.
var components = map[string]map[string]featureDefault{
	"account_management": accountFeatures, "account_onboarding": accountFeatures, "notification_banner": accountFeatures,
	"balances": payoutFeatures, "payouts": payoutFeatures,
	"payments": paymentFeatures, "payment_details": paymentFeatures, "disputes_list": paymentFeatures,
	"payment_disputes": {"destination_on_behalf_of_charge_management": off, "dispute_management": on, "refund_management": on},
	"financial_account": {"external_account_collection": on, "disable_stripe_user_authentication": notExternalCollection,
		"send_money": on, "transfer_balance": on},
	"financial_account_transactions": {"card_spend_dispute_management": off},
	"issuing_card":                   issuingFeatures,
	"issuing_cards_list": {"card_management": off, "card_spend_dispute_management": off, "cardholder_management": off,
		"spend_control_management": off, "disable_stripe_user_authentication": off},
	"instant_payouts_promotion": {"external_account_collection": on, "disable_stripe_user_authentication": notExternalCollection,
		"instant_payouts": platformNotLiable},
	"documents": noFeatures, "payouts_list": noFeatures, "tax_registrations": noFeatures, "tax_settings": noFeatures,
	"balance_report": noFeatures, "payout_details": noFeatures, "payout_reconciliation_report": noFeatures,
}

func sessionRoutes() []api.Route {
	// The schema comes from stripe-go, so an unknown component is refused
	// by name.
	s := params.FromStruct(stripe.AccountSessionCreateParams{}).Require("account", "components")
	return []api.Route{api.POST("/v1/account_sessions", s, createAccountSession)}
}

// requirementCollection is who collects the account's requirements:
// the controller's setting, else the platform for Custom accounts.
func requirementCollection(acct store.Obj) string {
	if rc := api.Str(api.Obj(acct["controller"])["requirement_collection"]); rc != "" {
		return rc
	}
	if acct["type"] == "custom" {
		return "application"
	}
	return "stripe"
}

func createAccountSession(c *api.Call) (any, error) {
	id, _ := c.Params.Str("account")
	acct, err := connected(c, id, "account")
	if err != nil {
		return nil, err
	}
	sent, _ := c.Params.Obj("components")
	if err := startOnboarding(c, id); err != nil {
		return nil, err
	}
	out := store.Obj{}
	names := make([]string, 0, len(components))
	for name := range components {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		comp, given := sent.Obj(name)
		enabled := false
		if given {
			var ok bool
			// Each component sent says whether it is enabled.
			if enabled, ok = comp.Bool("enabled"); !ok {
				return nil, apierr.MissingParam("components[" + name + "][enabled]")
			}
		}
		features, err := componentFeatures(acct, name, comp, given)
		if err != nil {
			return nil, err
		}
		out[name] = store.Obj{"enabled": enabled, "features": features}
	}
	return store.Obj{
		"object": "account_session", "account": id, "livemode": false,
		"client_secret": "accs_secret__" + c.IDs.Secret(48),
		"expires_at":    c.Now + AccountSessionLifetime, "components": out,
	}, nil
}

// componentFeatures is the features of the component name as Stripe echoes
// them: those sent, the others at their defaults for acct. Features only
// accounts whose platform collects requirements may turn off (or
// authentication off) are refused on the others.
func componentFeatures(acct store.Obj, name string, comp params.Values, given bool) (store.Obj, error) {
	defaults := components[name]
	features := store.Obj{}
	sent, _ := comp.Obj("features")
	value := func(f string) (bool, bool) {
		if !given {
			return false, false
		}
		return sent.Bool(f)
	}
	keys := make([]string, 0, len(defaults))
	for f := range defaults {
		keys = append(keys, f)
	}
	// external_account_collection first: another default follows it.
	slices.SortFunc(keys, func(a, b string) int {
		return boolCmp(defaults[a] == notExternalCollection, defaults[b] == notExternalCollection)
	})
	for _, f := range keys {
		v, ok := value(f)
		if !ok {
			switch defaults[f] {
			case on:
				v = true
			case platformNotLiable:
				v = !platformLiable(acct)
			case notExternalCollection:
				v = !api.Bool(features["external_account_collection"])
			}
		}
		features[f] = v
	}
	if given && requirementCollection(acct) != "application" {
		param := "components[" + name + "][features]"
		if v, ok := features["external_account_collection"].(bool); ok && !v {
			return nil, apierr.InvalidRequest("`external_account_collection` can only be disabled for accounts where your platform is responsible for collecting requirements (controller.requirement_collection is application); %s is not one of them.", api.Str(acct["id"])).WithParam(param + "[external_account_collection]")
		}
		if _, sentAuth := value("disable_stripe_user_authentication"); sentAuth && api.Bool(features["disable_stripe_user_authentication"]) {
			return nil, apierr.InvalidRequest("`disable_stripe_user_authentication` can only be true for accounts where your platform is responsible for collecting requirements (controller.requirement_collection is application); %s is not one of them.", api.Str(acct["id"])).WithParam(param + "[disable_stripe_user_authentication]")
		}
	}
	return features, nil
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// onboardingKey marks an account for which an Account Link or Account
// Session was created: Connect onboarding has started.
func onboardingKey(account string) string { return "onboardingstarted:" + account }

func startOnboarding(c *api.Call, account string) error {
	return c.SetMeta(onboardingKey(account), "1")
}

// ownerProvided are the details that, once onboarding has started, only
// the platform collecting an account's requirements may still change
// (Stripe's reference for each of these parameters): Stripe's onboarding
// collects them from the owner of the others.
var ownerProvided = []string{"business_type", "company", "individual", "external_account"}

// checkOwnerProvided refuses the platform's change to what the owner of an
// account whose requirements Stripe collects now provides itself.
func checkOwnerProvided(c *api.Call, acct store.Obj) error {
	if requirementCollection(acct) == "application" {
		return nil
	}
	if _, started := c.Tx.GetMeta(onboardingKey(api.Str(acct["id"]))); !started {
		return nil
	}
	for _, f := range ownerProvided {
		if c.Params.Has(f) {
			return apierr.InvalidRequest("You cannot update `%s` of %s: once an Account Link or Account Session is created, it can only be updated for accounts where controller[requirement_collection]=application, which includes Custom accounts.", f, api.Str(acct["id"])).WithParam(f)
		}
	}
	return nil
}
