// Package issuing serves Stripe Issuing: cardholders (ich_…), the cards
// issued to them (ic_…), the authorizations their use asks for (iauth_…,
// made through Stripe's test helpers, as a card network would) and the
// transactions captures and refunds make (ipi_…), and the disputes of
// those captures (idp_…). Physical cards are printed with a
// personalization design (ipcd_…) on one of Stripe's standard physical
// bundles (ics_…).
//
// Authorizations are decided by Stripe's rules at once: the card's and
// its cardholder's status and requirements, their spending controls,
// and the Issuing balance, which holds what an approved authorization
// takes until it is captured, reversed or expires. The balance is kept
// apart from the payments balance: balance transactions of
// balance_type issuing, funded by top-ups made with
// destination_balance=issuing. Stripe's real-time authorization webhook
// (issuing_authorization.request) is sent, but its answer cannot be
// waited for: the emulator decides as Stripe's rules do.
package issuing

import (
	"slices"
	"strconv"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// CardholderKind is the issuing.cardholder object.
var CardholderKind = &api.Kind{
	Object: "issuing.cardholder", Prefix: "ich_", Name: "issuing cardholder", EventPrefix: "issuing_cardholder",
	Indexes: []store.Index{{Name: "email", Path: "email"}},
}

// CardKind is the issuing.card object: its cardholder is always shown
// whole, and its number and cvc only when expanded (virtual cards only).
var CardKind = &api.Kind{
	Object: "issuing.card", Prefix: "ic_", Name: "issuing card", EventPrefix: "issuing_card",
	Expandable: []string{"personalization_design", "replaced_by", "replacement_for"},
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){
		"number": cardSecret("number"),
		"cvc":    cardSecret("cvc"),
	},
	Indexes: []store.Index{{Name: "cardholder", Path: "cardholder.id"}},
}

// AuthorizationKind is the issuing.authorization object: its card is
// shown whole, as are its transactions and balance transactions.
var AuthorizationKind = &api.Kind{
	Object: "issuing.authorization", Prefix: "iauth_", Name: "issuing authorization", EventPrefix: "issuing_authorization",
	Expandable: []string{"cardholder"},
	Indexes:    []store.Index{{Name: "card", Path: "card.id"}},
}

// TransactionKind is the issuing.transaction object.
var TransactionKind = &api.Kind{
	Object: "issuing.transaction", Prefix: "ipi_", Name: "issuing transaction", EventPrefix: "issuing_transaction",
	Expandable: []string{"authorization", "balance_transaction", "card", "cardholder", "dispute"},
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){
		// What the merchant told of the purchase, shown only when
		// expanded.
		"purchase_details": includePurchaseDetails,
	},
	Indexes: []store.Index{{Name: "card", Path: "card"}, {Name: "authorization", Path: "authorization"}},
}

// Kinds are the family's object types.
func Kinds() []*api.Kind {
	return []*api.Kind{CardholderKind, CardKind, AuthorizationKind, TransactionKind, DisputeKind, PhysicalBundleKind, PersonalizationDesignKind}
}

// Routes are the endpoints.
func Routes() []api.Route {
	return slices.Concat(cardholderRoutes(), cardRoutes(), authorizationRoutes(), transactionRoutes(), disputeRoutes(), designRoutes())
}

// spendingControls reads spending_controls (under prefix) over before's:
// each list sent replaces the stored one, as Stripe replaces arrays.
// emptyLists says whether lists never set are [] (a cardholder's) or
// null (a card's), as Stripe shows them; limitsCurrency is the currency
// spending limits default to.
func spendingControls(c *api.Call, before store.Obj, emptyLists bool, limitsCurrency string) (store.Obj, error) {
	out := store.Obj{}
	if before != nil {
		out = api.Clone(before)
	} else {
		for _, f := range controlLists {
			if emptyLists {
				out[f] = []any{}
			} else {
				out[f] = nil
			}
		}
		out["spending_limits"], out["spending_limits_currency"] = []any{}, nil
	}
	sc, ok := c.Params.Obj("spending_controls")
	if !ok {
		if c.Params.Unset("spending_controls") {
			return spendingControls(c, nil, emptyLists, limitsCurrency)
		}
		return out, nil
	}
	for _, f := range controlLists {
		if !sc.Has(f) {
			continue
		}
		if sc.Unset(f) {
			out[f] = map[bool]any{true: []any{}, false: nil}[emptyLists]
			continue
		}
		out[f] = api.Anys(sc.Strings(f))
	}
	for _, pair := range [][2]string{{"allowed_categories", "blocked_categories"}, {"allowed_merchant_countries", "blocked_merchant_countries"}} {
		if len(api.Strs(out[pair[0]])) > 0 && len(api.Strs(out[pair[1]])) > 0 {
			return nil, apierr.Exclusive("spending_controls["+pair[0]+"]", "spending_controls["+pair[1]+"]")
		}
	}
	if sc.Has("spending_limits") {
		limits := []any{}
		for i, l := range sc.Array("spending_limits") {
			amount, _ := l.Int("amount")
			if amount < 0 {
				return nil, apierr.InvalidRequest("Invalid spending limit amount: must be at least 0").WithParam(params.Namer("")("spending_controls.spending_limits." + strconv.Itoa(i) + ".amount"))
			}
			interval, _ := l.Str("interval")
			var cats any
			if l.Has("categories") {
				cats = api.Anys(l.Strings("categories"))
			}
			limits = append(limits, store.Obj{"amount": amount, "categories": cats, "interval": interval})
		}
		out["spending_limits"] = limits
	}
	if cur, _ := sc.Str("spending_limits_currency"); cur != "" {
		if cur != limitsCurrency {
			// Stripe converts other currencies' amounts when evaluating
			// limits; the emulator converts none.
			return nil, apierr.InvalidRequest("stripe-emu does not emulate spending limits in a currency other than the account's (%s): it converts no currencies.", limitsCurrency).WithParam("spending_controls[spending_limits_currency]")
		}
		out["spending_limits_currency"] = cur
	} else if limits, _ := out["spending_limits"].([]any); len(limits) > 0 && out["spending_limits_currency"] == nil {
		out["spending_limits_currency"] = limitsCurrency
	}
	return out, nil
}

// controlLists are the category and country lists of spending controls.
var controlLists = []string{"allowed_categories", "allowed_merchant_countries", "blocked_categories", "blocked_merchant_countries"}

// issuingEnabled refuses Issuing on a connected account whose card_issuing
// capability is not active: Stripe's Issuing and Connect guide has every
// connected account request it (with transfers) to issue cards. The
// platform's own Issuing works in test mode.
func issuingEnabled(c *api.Call) error {
	if !c.Connected {
		return nil
	}
	if f, ok := c.Tx.Fields(c.Platform, "account", c.Account, "capabilities.card_issuing"); ok && f[0].String() == "active" {
		return nil
	}
	return apierr.InvalidRequest("This account is not set up to use Issuing: its card_issuing capability is not active. Request it (capabilities[card_issuing][requested]=true) and complete the account's onboarding.")
}

// accountCurrency is the account's default currency (Issuing's currency:
// cards and spending limits are in it).
func accountCurrency(c *api.Call) string {
	if f, ok := c.Tx.Fields(c.Platform, "account", c.Account, "default_currency"); ok && f[0].String() != "" {
		return f[0].String()
	}
	return "usd"
}

// address reads an address object sent at path, every field shown.
func address(v params.Values) store.Obj {
	out := store.Obj{}
	for _, f := range []string{"city", "country", "line1", "line2", "postal_code", "state"} {
		s, _ := v.Str(f)
		out[f] = api.NilIfEmpty(s)
	}
	return out
}
