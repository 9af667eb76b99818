// Package accounts serves Connect accounts. Connected accounts are objects
// of the platform; each is also a namespace of its own that requests reach
// with the Stripe-Account header.
package accounts

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	countrycode "github.com/stripe-emu/stripe-emu/emulator/internal/country"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/countryspecs"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Kind is the account object.
var Kind = &api.Kind{Object: "account", Prefix: "acct_", ShortID: true}

// ApplicationKind is the Connect application (ca_…) that the platform's
// objects on its connected accounts, and its application fees, name. It
// is not stored: expanded, an application is Stripe's {id, object, name},
// its name null as the emulator keeps none (as the deauthorization event
// shows it).
var ApplicationKind = &api.Kind{Object: "application", Prefix: "ca_", Static: Application}

// Application is the application object of a Connect application id.
func Application(id string) (store.Obj, bool) {
	return store.Obj{"id": id, "name": nil, "object": "application"}, true
}

// Routes is the account endpoint table.
func Routes() []api.Route {
	return append([]api.Route{
		// external_account is a token (btok_…) or the bank details themselves.
		api.POST("/v1/accounts", params.FromStruct(stripe.AccountCreateParams{}).With("external_account", params.AnyParam()).
			With("settings.payouts.schedule.delay_days", params.AnyParam()).Enum("business_type", businessTypes...), create),
		api.GET("/v1/accounts", params.FromStruct(stripe.AccountListParams{}), list),
		api.GET("/v1/account", params.FromStruct(stripe.AccountRetrieveParams{}), retrieveOwn),
		api.GET("/v1/accounts/{id}", params.FromStruct(stripe.AccountRetrieveParams{}), retrieve),
		api.POST("/v1/accounts/{id}", params.FromStruct(stripe.AccountUpdateParams{}).With("external_account", params.AnyParam()).
			With("settings.payouts.schedule.delay_days", params.AnyParam()).Enum("business_type", businessTypes...), update),
		api.DELETE("/v1/accounts/{id}", params.FromStruct(stripe.AccountDeleteParams{}), remove),
		api.POST("/v1/accounts/{id}/reject", params.FromStruct(stripe.AccountRejectParams{}).Require("reason").
			Enum("reason", rejectReasons...), reject),
	}, slices.Concat(linkRoutes(), externalRoutes(), capabilityRoutes(), personRoutes(), sessionRoutes())...)
}

// businessTypes are the values of an account's business_type.
var businessTypes = []string{"company", "government_entity", "individual", "non_profit"}

// New builds an account object; the emulator also uses it for the platform.
func New(id string, created int64, country, email, typ string) store.Obj {
	if country == "" {
		country = "US"
	}
	var emailV any
	if email != "" {
		emailV = email
	}
	controllerType := "application"
	if typ == "standard" {
		controllerType = "account"
	}
	return store.Obj{
		"id": id, "object": "account", "business_profile": store.Obj{
			"annual_revenue": nil, "estimated_worker_count": nil, "mcc": nil, "minority_owned_business_designation": nil,
			"name": nil, "product_description": nil,
			"support_address": nil, "support_email": nil, "support_phone": nil, "support_url": nil, "url": nil,
		},
		"business_type": nil, "capabilities": store.Obj{}, "charges_enabled": false,
		"controller": store.Obj{"type": controllerType},
		"country":    country, "created": created, "default_currency": defaultCurrency(country), "details_submitted": false,
		"email": emailV, "external_accounts": store.Obj{"object": "list", "data": []any{}, "has_more": false, "url": "/v1/accounts/" + id + "/external_accounts"},
		"future_requirements": requirements(), "metadata": map[string]any{}, "payouts_enabled": false,
		"requirements": requirements(), "settings": defaultSettings(country, typ),
		"tos_acceptance": store.Obj{"date": nil, "ip": nil, "user_agent": nil}, "type": typ,
	}
}

func requirements() store.Obj {
	return store.Obj{"alternatives": []any{}, "current_deadline": nil, "currently_due": []any{}, "disabled_reason": nil,
		"errors": []any{}, "eventually_due": []any{}, "past_due": []any{}, "pending_verification": []any{}}
}

// defaultCurrency is the country's, as its country spec says; euros for
// a country the emulator has no spec for.
func defaultCurrency(country string) string {
	if cur, ok := countryspecs.DefaultCurrency(country); ok {
		return cur
	}
	return "eur"
}

// Connected accounts live in the platform's namespace, whatever account
// header the request carries.
func platformOnly(c *api.Call) error {
	if c.Connected {
		return apierr.InvalidRequest("This request can only be made by a platform, not on behalf of a connected account (drop the Stripe-Account header).")
	}
	return nil
}

func create(c *api.Call) (any, error) {
	if err := platformOnly(c); err != nil {
		return nil, err
	}
	typ, _ := c.Params.Str("type")
	var controller store.Obj
	if typ == "" {
		typ = "standard"
		if ctl, ok := c.Params.Obj("controller"); ok {
			var err error
			if typ, controller, err = fromController(ctl); err != nil {
				return nil, err
			}
		}
	}
	if typ != "standard" && typ != "express" && typ != "custom" {
		return nil, apierr.InvalidRequest("Invalid type: must be one of custom, express, or standard").WithParam("type")
	}
	country, _ := c.Params.Str("country")
	if country != "" {
		// A code is read in either case and kept upper-case, as Stripe's
		// objects show it.
		if !countrycode.Known(strings.ToUpper(country)) {
			return nil, apierr.InvalidRequest("Country '%s' is unknown. Try using a 2-character alphanumeric country code instead, such as 'US', 'EG', or 'GB'. A full list of country codes is available at https://stripe.com/docs/api#country_codes", country).WithParam("country")
		}
		country = strings.ToUpper(country)
	}
	email, _ := c.Params.Str("email")
	o := New(c.NewID("account"), c.Now, country, email, typ)
	if controller == nil {
		controller = typeController(typ)
	}
	o["controller"] = controller
	if err := applyDetails(c, o); err != nil {
		return nil, err
	}
	if _, ok := c.Params.Obj("capabilities"); !ok && api.Obj(controller["stripe_dashboard"])["type"] == "none" {
		// Stripe's reference: capabilities are "Required when
		// controller.stripe_dashboard.type is none, which includes Custom
		// accounts": without a Dashboard, nothing else would ask for them.
		return nil, apierr.MissingParam("capabilities")
	}
	if changes := capabilitiesParam(c); changes != nil {
		// Inactive until the owner completes onboarding.
		if err := requestCapabilities(c, o, o, changes, "capabilities"); err != nil {
			return nil, err
		}
	}
	if err := checkRecipient(o, capabilitiesParam(c)); err != nil {
		return nil, err
	}
	if err := c.ApplyMetadata(o); err != nil {
		return nil, err
	}
	settleRequirements(c.Tx, o)
	// Stripe emits no account.created; the account exists once created.
	if err := c.Put(o); err != nil {
		return nil, err
	}
	return o, nil
}

// controllerChoices are the controller properties an account is created
// with instead of a type, each with Stripe's default first.
var controllerChoices = []struct {
	path   string // dotted, under controller
	values []string
}{
	{"fees.payer", []string{"account", "application"}},
	{"losses.payments", []string{"stripe", "application"}},
	{"requirement_collection", []string{"stripe", "application"}},
	{"stripe_dashboard.type", []string{"full", "express", "none"}},
}

// fromController reads controller[…] and returns the account's type (the
// one its dashboard matches: full is Standard, express Express, none
// Custom) and its controller as Stripe renders it: controlled by the
// platform, with every property, defaults included.
func fromController(ctl params.Values) (string, store.Obj, error) {
	chosen := map[string]string{}
	for _, ch := range controllerChoices {
		v, _ := ctl.Str(ch.path)
		if v == "" {
			v = ch.values[0]
		} else if !slices.Contains(ch.values, v) {
			name := "controller[" + strings.ReplaceAll(ch.path, ".", "][") + "]"
			return "", nil, apierr.InvalidRequest("Invalid %s: must be one of %s", name, strings.Join(ch.values, ", ")).WithParam(name)
		}
		chosen[ch.path] = v
	}
	if chosen["stripe_dashboard.type"] == "none" && chosen["requirement_collection"] == "stripe" && chosen["losses.payments"] == "application" {
		// Without a Dashboard, an account whose requirements Stripe collects
		// updates them through embedded components, and Stripe carries its
		// losses (Stripe's words, as its API answers them).
		return "", nil, apierr.InvalidRequest("When stripe_dashboard[type]=none and requirement_collection=stripe, Stripe must be liable for negative balances or refunds and chargebacks.")
	}
	typ := map[string]string{"full": "standard", "express": "express", "none": "custom"}[chosen["stripe_dashboard.type"]]
	return typ, store.Obj{
		"fees": store.Obj{"payer": chosen["fees.payer"]}, "is_controller": true,
		"losses":                 store.Obj{"payments": chosen["losses.payments"]},
		"requirement_collection": chosen["requirement_collection"],
		"stripe_dashboard":       store.Obj{"type": chosen["stripe_dashboard.type"]}, "type": "application",
	}, nil
}

// typeController is the controller an account created by type has: the
// controller properties Stripe documents each type as standing for, which
// it sets on such accounts (Express and Custom fees show as their legacy
// application_express and application_custom payers).
func typeController(typ string) store.Obj {
	props := map[string][4]string{ // fees payer, losses, requirement collection, dashboard
		"standard": {"account", "stripe", "stripe", "full"},
		"express":  {"application_express", "application", "stripe", "express"},
		"custom":   {"application_custom", "application", "application", "none"},
	}[typ]
	controllerType := "application"
	if typ == "standard" {
		controllerType = "account"
	}
	return store.Obj{
		"fees": store.Obj{"payer": props[0]}, "is_controller": true, "losses": store.Obj{"payments": props[1]},
		"requirement_collection": props[2], "stripe_dashboard": store.Obj{"type": props[3]}, "type": controllerType,
	}
}

// load fetches an account (an object of the platform) named by param.
func load(c *api.Call, id, param string) (store.Obj, error) {
	o, ok := c.Tx.Get(c.Platform, "account", id)
	if !ok || api.Bool(o["deleted"]) {
		return nil, apierr.NoSuchObject("account", id, param)
	}
	return o, nil
}

func retrieveOwn(c *api.Call) (any, error) { return load(c, c.Account, "id") }

func retrieve(c *api.Call) (any, error) {
	if c.Connected && c.Var("id") != c.Account {
		return nil, apierr.NoSuchObject("account", c.Var("id"), "id")
	}
	return load(c, c.Var("id"), "id")
}

func update(c *api.Call) (any, error) {
	if err := platformOnly(c); err != nil {
		return nil, err
	}
	before, err := load(c, c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if err := checkOwnerProvided(c, before); err != nil {
		return nil, err
	}
	after := api.Clone(before)
	c.Copy(after, "email")
	if err := applyDetails(c, after); err != nil {
		return nil, err
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	changes := capabilitiesParam(c)
	var names []string
	for name := range changes {
		names = append(names, name)
	}
	was := capabilitiesOf(c.Tx, before, names...)
	if changes != nil {
		if err := requestCapabilities(c, before, after, changes, "capabilities"); err != nil {
			return nil, err
		}
	}
	if err := checkRecipient(after, changes); err != nil {
		return nil, err
	}
	settleRequirements(c.Tx, after)
	if err := watchForPayouts(c, before, after); err != nil {
		return nil, err
	}
	return saveWithCapabilities(c, was, before, after)
}

// watchForPayouts has the funds an account holds looked at on its next
// payout day when its schedule changes (none when it becomes manual):
// funds otherwise wait for an automatic payout only from when they come in.
func watchForPayouts(c *api.Call, before, after store.Obj) error {
	now, was := payoutSchedule(after), payoutSchedule(before)
	if reflect.DeepEqual(now, was) {
		return nil
	}
	key := AutoPayoutKey(api.Str(after["id"]))
	next, ok := NextPayoutDay(now, c.Now+1)
	if !ok {
		c.DeleteMeta(key)
		return nil
	}
	return c.SetMeta(key, strconv.FormatInt(next, 10))
}

// lookForPayouts has the funds an account holds looked at on its next
// payout day, if its schedule is automatic (and none is sooner).
func lookForPayouts(c *api.Call, acct store.Obj) error {
	next, ok := NextPayoutDay(payoutSchedule(acct), c.Now+1)
	if !ok {
		return nil
	}
	key := AutoPayoutKey(api.Str(acct["id"]))
	if v, ok := c.Tx.GetMeta(key); ok {
		if at, _ := strconv.ParseInt(v, 10, 64); at <= next {
			return nil
		}
	}
	return c.SetMeta(key, strconv.FormatInt(next, 10))
}

func payoutSchedule(acct store.Obj) store.Obj {
	return api.Obj(api.Obj(api.Obj(acct["settings"])["payouts"])["schedule"])
}

// save stores a changed connected account (an object of the platform)
// and emits account.updated, which belongs to the connected account:
// Connect endpoints receive it with "account" set. Nothing happens when
// nothing changed.
func save(c *api.Call, before, after store.Obj) (store.Obj, error) {
	prev := api.PreviousAttributes(before, after)
	if len(prev) == 0 {
		return after, nil
	}
	if err := c.Tx.Put(c.Platform, after); err != nil {
		return nil, err
	}
	if api.Bool(after["payouts_enabled"]) && !api.Bool(before["payouts_enabled"]) {
		// Funds held while payouts were disabled go out on the next payout day.
		if err := lookForPayouts(c, after); err != nil {
			return nil, err
		}
	}
	c.EmitIn(api.Str(after["id"]), "account.updated", after, prev)
	return after, nil
}

// deletedKey marks an account deleted: what was recorded in it can still be
// read by a test.
func deletedKey(id string) string { return "acct_deleted:" + id }

// Made reports whether id is an account of the platform's, or one deleted.
func Made(tx *store.Tx, platform, id string) bool {
	if tx.Exists(platform, "account", id) {
		return true
	}
	_, deleted := tx.GetMeta(deletedKey(id))
	return deleted
}

func remove(c *api.Call) (any, error) {
	if err := platformOnly(c); err != nil {
		return nil, err
	}
	if c.Var("id") == c.Platform {
		// Stripe's reference: "If you want to delete your own account, use
		// the account information tab in your account settings instead."
		return nil, apierr.InvalidRequest("You cannot delete your own account through the API: use the account information tab of your Dashboard's account settings instead.").WithParam("id")
	}
	o, err := load(c, c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if err := c.Tx.Delete(c.Platform, "account", api.Str(o["id"])); err != nil {
		return nil, err
	}
	for name := range api.Obj(o["capabilities"]) {
		c.DeleteMeta(requestedKey(api.Str(o["id"]), name))
	}
	forgetVerification(c, o)
	c.DeleteMeta(onboardingKey(api.Str(o["id"])))
	if err := c.Tx.SetMeta(deletedKey(api.Str(o["id"])), "1"); err != nil {
		return nil, err
	}
	if o["type"] == "standard" {
		// A Standard account, which has its own Stripe account and
		// Dashboard, leaves the platform's application: the event Stripe
		// CLI's trigger for it sets off this way, told to the platform's
		// Connect endpoints.
		app, _ := Application(c.ConnectApplication())
		c.EmitIn(api.Str(o["id"]), "account.application.deauthorized", app, nil)
	}
	return api.Deleted("account", api.Str(o["id"])), nil
}

func list(c *api.Call) (any, error) {
	if err := platformOnly(c); err != nil {
		return nil, err
	}
	q, err := c.ListQuery("account")
	if err != nil {
		return nil, err
	}
	q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["id"] != c.Platform })
	return c.Page("account", "/v1/accounts", q), nil
}

// applyDetails records what a platform tells Stripe about a connected
// account (create and update alike): profile, tax-relevant type, terms
// acceptance, the person or company behind it, settings and a bank
// account for payouts. Secrets (SSN, tax ids, account numbers) show, as
// on Stripe, only as *_provided flags and last4.
func applyDetails(c *api.Call, o store.Obj) error {
	for _, path := range []string{"email", "business_profile.support_email", "individual.email"} {
		if err := checkEmailAt(c.Params, path); err != nil {
			return err
		}
	}
	c.Copy(o, "business_type")
	if _, sent := c.Params.Sent("individual"); sent && o["business_type"] != nil && o["business_type"] != "individual" {
		// Stripe's words; with no business type yet, the emulator takes it.
		return apierr.InvalidRequest("You can only provide `individual` parameters for accounts with `business_type` of 'individual'.").WithParam("individual")
	}
	if ind := api.Obj(o["individual"]); len(ind) > 0 && o["business_type"] != nil && o["business_type"] != "individual" {
		// Stripe's reference: individual "is null unless business_type is
		// set to individual". Whether it comes back with that type again
		// is not documented: the emulator starts a new one.
		c.DeleteMeta(idMismatchKey(api.Str(ind["id"])))
		delete(o, "individual")
	}
	if _, sent := c.Params.Sent("business_profile.monthly_estimated_revenue"); sent && o["country"] != "BR" && o["country"] != "IN" {
		// Stripe's reference: "Only accepted for accounts in Brazil and
		// India" (the wording of the refusal is the emulator's).
		return apierr.InvalidRequest("business_profile[monthly_estimated_revenue] is only accepted for accounts in Brazil and India; %s is in %s.", o["id"], o["country"]).
			WithParam("business_profile[monthly_estimated_revenue]")
	}
	if cur, _ := c.Params.Str("default_currency"); cur != "" {
		cur = strings.ToLower(cur)
		if !currency.Supported(cur) {
			return currency.Invalid(cur, "default_currency")
		}
		// Stripe's reference: a currency Stripe supports in the account's
		// country (the wording is the emulator's).
		if curs, ok := countryspecs.SettlementCurrencies(api.Str(o["country"])); ok && !slices.Contains(curs, cur) {
			return apierr.InvalidRequest("%s is not a supported default currency for accounts in %s: use one of %s.", cur, o["country"], strings.Join(curs, ", ")).WithParam("default_currency")
		}
		o["default_currency"] = cur
	}
	if requirementCollection(o) == "stripe" {
		// Stripe's onboarding, not the platform, has the owner accept its
		// terms; the service agreement is still the platform's to choose.
		for _, f := range []string{"date", "ip", "user_agent"} {
			if _, sent := c.Params.Sent("tos_acceptance." + f); sent {
				return apierr.InvalidRequest("You cannot accept the Terms of Service on behalf of accounts where controller[requirement_collection]=stripe, which includes Standard and Express accounts.")
			}
		}
	}
	if agreement, _ := c.Params.Str("tos_acceptance.service_agreement"); agreement != "" && agreement != serviceAgreement(o) &&
		(api.Obj(o["tos_acceptance"])["date"] != nil || api.Bool(o["details_submitted"])) {
		// Stripe's guide to service agreements: "After a connected account
		// accepts it, you can't modify the type of service agreement."
		return apierr.InvalidRequest("You cannot change the service agreement of %s: its owner has already accepted the `%s` service agreement.", o["id"], serviceAgreement(o)).
			WithParam("tos_acceptance[service_agreement]")
	}
	for _, f := range []string{"business_profile", "tos_acceptance", "company"} {
		if v, ok := c.Params.Get(f); ok {
			base := api.Obj(o[f])
			if f == "company" {
				if len(base) == 0 {
					base = newCompany()
				}
				base = shapeDetails(base, api.Obj(v), companyShapes)
			}
			o[f] = mergeDetails(base, api.Obj(v))
		}
	}
	if v, ok := c.Params.Get("company"); ok {
		if err := recordTaxID(c, api.Str(o["id"]), api.Obj(v)); err != nil {
			return err
		}
		if err := recordBusinessAddress(c, api.Str(o["id"]), api.Obj(v)); err != nil {
			return err
		}
	}
	if v, ok := c.Params.Get("settings"); ok {
		if err := checkDescriptors(c); err != nil {
			return err
		}
		if err := checkDefaultTaxIDs(c, api.Str(o["id"]), api.Obj(v)); err != nil {
			return err
		}
		if err := applySettings(o, api.Obj(v)); err != nil {
			return err
		}
	}
	if v, ok := c.Params.Get("individual"); ok {
		person := api.Obj(o["individual"])
		if len(person) == 0 {
			person = newPerson(c.IDs.Long("person_"), api.Str(o["id"]), c.Now)
		}
		sent := api.Obj(v)
		for _, doc := range []string{"document", "additional_document"} {
			for _, side := range []string{"front", "back"} {
				file := api.Str(api.Obj(api.Obj(sent["verification"])[doc])[side])
				if err := checkDocumentFile(c, api.Str(o["id"]), file, "individual[verification]["+doc+"]["+side+"]"); err != nil {
					return err
				}
			}
		}
		n, hasNumber := sent["id_number"].(string)
		if err := recordIDNumber(c, api.Str(person["id"]), n, hasNumber); err != nil {
			return err
		}
		person = mergeDetails(shapeDetails(person, sent, personShapes), sent)
		verifyPerson(c.Tx, person)
		o["individual"] = person
	}
	if c.Params.Has("external_account") {
		if _, err := addExternalAccount(c, o, "external_account", true); err != nil {
			return err
		}
	}
	return nil
}

// newPerson is the person behind an individual account before anything
// is known about them, shaped like Stripe's example person.
func newPerson(id, account string, created int64) store.Obj {
	document := func() store.Obj { return store.Obj{"back": nil, "details": nil, "details_code": nil, "front": nil} }
	reqs := func() store.Obj {
		return store.Obj{"alternatives": []any{}, "currently_due": []any{}, "errors": []any{}, "eventually_due": []any{},
			"past_due": []any{}, "pending_verification": []any{}}
	}
	return store.Obj{"id": id, "object": "person", "account": account, "created": created,
		"additional_tos_acceptances": store.Obj{"account": store.Obj{"date": nil, "ip": nil, "user_agent": nil}},
		"dob":                        store.Obj{"day": nil, "month": nil, "year": nil}, "first_name": nil, "last_name": nil,
		"future_requirements": reqs(), "id_number_provided": false, "metadata": map[string]any{},
		"relationship": store.Obj{"authorizer": nil, "director": false, "executive": false, "legal_guardian": false,
			"owner": false, "percent_ownership": nil, "representative": false, "title": nil},
		"requirements": reqs(), "ssn_last_4_provided": false,
		"verification": store.Obj{"additional_document": document(), "details": nil, "details_code": nil,
			"document": document(), "status": "unverified"}}
}

// secretFields become *_provided flags (or last4) instead of being shown.
var secretFields = map[string]string{"ssn_last_4": "ssn_last_4_provided", "id_number": "id_number_provided",
	"tax_id": "tax_id_provided", "vat_id": "vat_id_provided", "personal_id_number": "id_number_provided"}

func mergeDetails(into, from store.Obj) store.Obj {
	out := api.Clone(into)
	for k, v := range from {
		if flag, secret := secretFields[k]; secret {
			out[flag] = v != nil && v != ""
			continue
		}
		if sub, isObj := v.(map[string]any); isObj {
			out[k] = mergeDetails(api.Obj(out[k]), sub)
			continue
		}
		if s, isStr := v.(string); isStr && s == "" {
			v = nil
		}
		out[k] = v
	}
	return out
}

// checkDefaultTaxIDs refuses settings[invoices][default_account_tax_ids]
// naming what is not one of the account's own tax IDs (owner[type]=self,
// kept in the account): invoices finalized without tax IDs of their own
// get them.
func checkDefaultTaxIDs(c *api.Call, account string, settings store.Obj) error {
	ids, _ := api.Obj(settings["invoices"])["default_account_tax_ids"].([]any)
	for i, id := range ids {
		f, ok := c.Tx.Fields(account, "tax_id", api.Str(id), "owner.type")
		if !ok || f[0].String() != "self" {
			return apierr.NoSuchObject("tax id", api.Str(id), fmt.Sprintf("settings[invoices][default_account_tax_ids][%d]", i))
		}
	}
	return nil
}
