package accounts

import (
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// CapabilityKind is an account's capability. Capabilities are not stored
// as objects: each is worked out from its account, whose capabilities hash
// holds the status of every requested one, and from when it was requested
// (a capreq: metadata entry, present exactly while it is requested), so
// the capability and the account can never disagree.
var CapabilityKind = &api.Kind{Object: "capability", Expandable: []string{"account"}}

// capabilityNames are the capabilities Stripe has (the fields of
// stripe-go's account capabilities hash), sorted, as Stripe lists them.
// Which ones a country offers is not emulated: every account has them all.
var capabilityNames = func() []string {
	t := reflect.TypeOf(stripe.AccountCapabilities{})
	names := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}()

// cardPaymentsWithoutTransfers is Stripe's refusal of card_payments on an
// account the platform is responsible for unless transfers is requested
// too.
const cardPaymentsWithoutTransfers = "Accounts do not currently support `card_payments` without `transfers`. Please visit https://stripe.com/docs/connect/account-capabilities#card-payments for more details."

func capabilityRoutes() []api.Route {
	expand := func() map[string]*params.Schema {
		return map[string]*params.Schema{"expand": params.ArrayOf(params.String())}
	}
	return []api.Route{
		// Stripe's list takes no pagination parameters: it is every
		// capability at once.
		api.GET("/v1/accounts/{id}/capabilities", params.Object(expand()), listCapabilities),
		api.GET("/v1/accounts/{id}/capabilities/{capability}", params.FromStruct(stripe.CapabilityRetrieveParams{}), retrieveCapability),
		api.POST("/v1/accounts/{id}/capabilities/{capability}", params.FromStruct(stripe.CapabilityUpdateParams{}), updateCapability),
	}
}

func requestedKey(account, name string) string { return "capreq:" + account + ":" + name }

// requestedAt is when the account requested the capability, 0 when it
// has not.
func requestedAt(tx *store.Tx, account, name string) int64 {
	v, ok := tx.GetMeta(requestedKey(account, name))
	if !ok {
		return 0
	}
	t, _ := strconv.ParseInt(v, 10, 64)
	return t
}

// rejected reports whether the platform rejected the account.
func rejected(acct store.Obj) bool {
	return strings.HasPrefix(api.Str(api.Obj(acct["requirements"])["disabled_reason"]), "rejected.")
}

// onboarded reports whether the account's owner finished onboarding, so a
// capability requested now is active at once (the emulator asks for
// nothing more).
func onboarded(acct store.Obj) bool { return api.Bool(acct["details_submitted"]) && !rejected(acct) }

// capabilityObject is the capability name of acct as Stripe shows it.
func capabilityObject(tx *store.Tx, acct store.Obj, name string) store.Obj {
	id := api.Str(acct["id"])
	status, requested := api.Obj(acct["capabilities"])[name].(string)
	reqs := requirements()
	var at any
	switch {
	case !requested:
		status = "unrequested"
	case rejected(acct):
		// The capability's own reasons have no rejected.fraud or
		// rejected.terms_of_service: a rejection shows as rejected.other.
		reqs["disabled_reason"] = "rejected.other"
	case status == "active":
	case api.Obj(acct["requirements"])["disabled_reason"] == "listed":
		// Stripe reviews a watchlist alert before the account may go on.
		reqs["disabled_reason"] = "pending.review"
	case hasErrors(acct):
		// A verification failed: what it asks again is the capability's
		// requirement too.
		areqs := api.Obj(acct["requirements"])
		for _, f := range []string{"currently_due", "errors", "eventually_due", "past_due"} {
			reqs[f] = areqs[f]
		}
		reqs["disabled_reason"] = "requirements.fields_needed"
	case !api.Bool(acct["details_submitted"]):
		// "If the capability has any activation requirements, the response
		// includes them in the requirements arrays" (Stripe's reference):
		// what the account still has to provide, which capability asks for
		// which field not being emulated.
		areqs := api.Obj(acct["requirements"])
		for _, f := range []string{"alternatives", "currently_due", "eventually_due", "past_due"} {
			if v, ok := areqs[f].([]any); ok {
				reqs[f] = v
			}
		}
		reqs["disabled_reason"] = "pending.onboarding"
	}
	if requested {
		if t := requestedAt(tx, id, name); t != 0 {
			at = t
		}
	}
	return store.Obj{"id": name, "object": "capability", "account": id, "requested": requested, "requested_at": at,
		"requirements": reqs, "future_requirements": requirements(), "status": status}
}

// capabilityOwner is the account in the path whose capabilities a request
// reads, and the capability it names.
func capabilityOwner(c *api.Call) (store.Obj, string, error) {
	acct, err := owner(c)
	if err != nil {
		return nil, "", err
	}
	name := c.Var("capability")
	if _, known := slices.BinarySearch(capabilityNames, name); !known {
		return nil, "", apierr.NoSuchObject("capability", name, "id")
	}
	return acct, name, nil
}

func listCapabilities(c *api.Call) (any, error) {
	acct, err := owner(c)
	if err != nil {
		return nil, err
	}
	data := make([]store.Obj, len(capabilityNames))
	for i, name := range capabilityNames {
		data[i] = capabilityObject(c.Tx, acct, name)
	}
	return &api.List{URL: "/v1/accounts/" + api.Str(acct["id"]) + "/capabilities", Data: data}, nil
}

func retrieveCapability(c *api.Call) (any, error) {
	acct, name, err := capabilityOwner(c)
	if err != nil {
		return nil, err
	}
	return capabilityObject(c.Tx, acct, name), nil
}

func updateCapability(c *api.Call) (any, error) {
	if err := platformOnly(c); err != nil {
		return nil, err
	}
	before, name, err := capabilityOwner(c)
	if err != nil {
		return nil, err
	}
	if api.Str(before["id"]) == c.Platform {
		return nil, apierr.NoSuchObject("account", c.Var("id"), "id")
	}
	after := api.Clone(before)
	was := capabilitiesOf(c.Tx, before, name)
	if req, ok := c.Params.Bool("requested"); ok {
		if err := requestCapabilities(c, before, after, map[string]bool{name: req}, "requested"); err != nil {
			return nil, err
		}
		if err := checkRecipient(after, nil); err != nil {
			return nil, err.WithParam("requested")
		}
	}
	settleRequirements(c.Tx, after)
	if _, err := saveWithCapabilities(c, was, before, after); err != nil {
		return nil, err
	}
	return capabilityObject(c.Tx, after, name), nil
}

// serviceAgreement is the service agreement the account is under: full
// unless the platform chose recipient.
func serviceAgreement(acct store.Obj) string {
	if a := api.Str(api.Obj(acct["tos_acceptance"])["service_agreement"]); a != "" {
		return a
	}
	return "full"
}

// checkRecipient refuses an account under the recipient service agreement
// that has card_payments: Stripe's guide to service agreements says such
// accounts "can't process payments or request the card_payments
// capability" (the wording is the emulator's). The error names the
// capability when changes asked for it, else the agreement.
func checkRecipient(acct store.Obj, changes map[string]bool) *apierr.Error {
	if _, cards := api.Obj(acct["capabilities"])["card_payments"]; !cards || serviceAgreement(acct) != "recipient" {
		return nil
	}
	err := apierr.InvalidRequest("Accounts under the `recipient` service agreement cannot request the `card_payments` capability: %s is under it.", acct["id"])
	if changes["card_payments"] {
		return err.WithParam("capabilities[card_payments]")
	}
	return err.WithParam("tos_acceptance[service_agreement]")
}

// capabilitiesParam reads capabilities[name][requested] (account create
// and update) as the changes it asks for.
func capabilitiesParam(c *api.Call) map[string]bool {
	caps, ok := c.Params.Obj("capabilities")
	if !ok {
		return nil
	}
	changes := map[string]bool{}
	for _, name := range caps.Keys() {
		sub, _ := caps.Obj(name)
		if req, ok := sub.Bool("requested"); ok {
			changes[name] = req
		}
	}
	return changes
}

// requestCapabilities requests (true) or removes (false) capabilities of
// the account after (a copy of before), applying Stripe's rules; param
// names the parameter an error points at. A capability requested is
// inactive until onboarding completes (active at once on an account that
// completed it); one removed leaves the account's hash. When each was
// requested is written as metadata here, so this runs inside the request
// that stores after.
func requestCapabilities(c *api.Call, before, after store.Obj, changes map[string]bool, param string) error {
	id := api.Str(after["id"])
	caps := api.Clone(api.Obj(before["capabilities"]))
	if caps == nil {
		caps = store.Obj{}
	}
	standard := after["type"] == "standard"
	names := make([]string, 0, len(changes))
	for name := range changes {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		_, has := caps[name]
		switch {
		case changes[name] && !has:
			caps[name] = "inactive"
			if onboarded(after) {
				caps[name] = "active"
			}
			if err := c.SetMeta(requestedKey(id, name), strconv.FormatInt(c.Now, 10)); err != nil {
				return err
			}
		case !changes[name] && has:
			if standard {
				// A Standard account's owner, not the platform, decides
				// what it keeps.
				return apierr.InvalidRequest("You cannot remove the `%s` capability: %s is a Standard account, whose capabilities are managed by its owner.", name, id).WithParam(param)
			}
			delete(caps, name)
			c.DeleteMeta(requestedKey(id, name))
		}
	}
	if !standard {
		_, cards := caps["card_payments"]
		_, transfers := caps["transfers"]
		if cards && !transfers {
			return apierr.InvalidRequest(cardPaymentsWithoutTransfers).WithParam(param)
		}
	}
	after["capabilities"] = caps
	return nil
}

// capabilitiesOf is the capability objects of acct for every capability
// it has requested and the names given, taken before a change so that
// capability.updated can show what each was.
func capabilitiesOf(tx *store.Tx, acct store.Obj, names ...string) map[string]store.Obj {
	out := map[string]store.Obj{}
	for name := range api.Obj(acct["capabilities"]) {
		out[name] = capabilityObject(tx, acct, name)
	}
	for _, name := range names {
		out[name] = capabilityObject(tx, acct, name)
	}
	return out
}

// saveWithCapabilities stores a changed connected account as save does,
// sending capability.updated for every capability whose object changed
// (was holds them as they were: capabilitiesOf before the change) before
// the account's own account.updated, as Stripe does.
func saveWithCapabilities(c *api.Call, was map[string]store.Obj, before, after store.Obj) (store.Obj, error) {
	emitCapabilityChanges(c, was, before, after)
	return save(c, before, after)
}

// emitCapabilityChanges sends capability.updated for every capability of
// the account whose object changed from what was holds.
func emitCapabilityChanges(c *api.Call, was map[string]store.Obj, before, after store.Obj) {
	names := make([]string, 0, len(was))
	for name := range was {
		names = append(names, name)
	}
	for name := range api.Obj(after["capabilities"]) {
		if _, ok := was[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	id := api.Str(after["id"])
	for _, name := range names {
		prior, ok := was[name]
		if !ok {
			prior = capabilityObject(c.Tx, before, name)
		}
		now := capabilityObject(c.Tx, after, name)
		if prev := api.PreviousAttributes(prior, now); len(prev) > 0 {
			c.EmitIn(id, "capability.updated", now, prev)
		}
	}
}

// hasErrors reports whether a verification of the account failed.
func hasErrors(acct store.Obj) bool {
	errs, _ := api.Obj(acct["requirements"])["errors"].([]any)
	return len(errs) > 0
}
