// Package terminal serves Stripe Terminal's server-driven integration as
// test mode has it: locations, simulated readers (registered with Stripe's
// simulated registration codes), reader actions that a simulated card
// presented through the test helper completes, connection tokens and
// reader configurations. Physical readers (any other registration code)
// are not emulated.
package terminal

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// LocationKind is the terminal.location object.
var LocationKind = &api.Kind{Object: "terminal.location", Prefix: "tml_", Name: "terminal location"}

// ReaderKind is the terminal.reader object.
var ReaderKind = &api.Kind{
	Object: "terminal.reader", Prefix: "tmr_", Name: "terminal reader",
	Expandable: []string{"location", "action.process_payment_intent.payment_intent",
		"action.collect_payment_method.payment_intent", "action.confirm_payment_intent.payment_intent",
		"action.process_setup_intent.setup_intent", "action.refund_payment.payment_intent",
		"action.refund_payment.charge", "action.refund_payment.refund"},
	Indexes: []store.Index{{Name: "location", Path: "location"}},
}

// ConfigurationKind is the terminal.configuration object.
var ConfigurationKind = &api.Kind{Object: "terminal.configuration", Prefix: "tmc_", Name: "terminal configuration"}

// Kinds are the family's objects. (Connection tokens are never stored:
// the secret is the whole of one.)
func Kinds() []*api.Kind { return []*api.Kind{LocationKind, ReaderKind, ConfigurationKind} }

// Routes are the endpoints.
func Routes() []api.Route {
	var out []api.Route
	for _, part := range [][]api.Route{locationRoutes(), readerRoutes(), actionRoutes(), configurationRoutes(), tokenRoutes()} {
		out = append(out, part...)
	}
	return out
}

// deletedKey marks a deleted Terminal object of the account: Stripe
// answers a GET of a deleted reader, location or configuration with its
// deleted stub (the OpenAPI spec's retrieve answers are anyOf the object
// and deleted_terminal.…, as for customers), while updates, actions and
// lists know it no more.
func deletedKey(acct, object, id string) string { return "tmdeleted:" + acct + ":" + object + ":" + id }

// remove deletes a Terminal object and remembers it was deleted.
func remove(c *api.Call, object, id string) (store.Obj, error) {
	if err := c.Tx.Delete(c.Account, object, id); err != nil {
		return nil, err
	}
	if err := c.SetMeta(deletedKey(c.Account, object, id), "1"); err != nil {
		return nil, err
	}
	return api.Deleted(object, id), nil
}

// retrieve answers a GET of a Terminal object: a deleted one is its
// deleted stub; one never made is Stripe's 404.
func retrieve(c *api.Call, object string) (any, error) {
	o, err := c.Retrieve(object, c.Var("id"))
	if err == nil {
		return o, nil
	}
	if _, ok := c.Tx.GetMeta(deletedKey(c.Account, object, c.Var("id"))); ok {
		return api.Deleted(object, c.Var("id")), nil
	}
	return nil, err
}
