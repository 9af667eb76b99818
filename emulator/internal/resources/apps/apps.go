// Package apps serves the Secret Store of Stripe Apps
// (/v1/apps/secrets, appsecret_…): secrets an app's backend keeps by name,
// each in a scope (the account, or one Dashboard user), set (create or
// replace), found, listed and deleted by name and scope. A secret's
// payload is shown only when expanded, as Stripe shows it; one past its
// expires_at is gone. Stripe sends no events about secrets.
package apps

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// SecretKind is the apps.secret object.
var SecretKind = &api.Kind{
	Object: "apps.secret", Prefix: "appsecret_", Name: "secret",
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){"payload": payload},
	Indexes:    []store.Index{{Name: "scope", Path: "scope.type"}},
}

// Kinds are the family's object types.
func Kinds() []*api.Kind { return []*api.Kind{SecretKind} }

// Routes are the endpoints.
func Routes() []api.Route {
	return []api.Route{
		api.POST("/v1/apps/secrets", params.FromStruct(stripe.AppsSecretCreateParams{}).Require("name", "payload", "scope").
			Enum("scope.type", "account", "user"), set),
		api.GET("/v1/apps/secrets", params.FromStruct(stripe.AppsSecretListParams{}).Require("scope").
			Enum("scope.type", "account", "user"), list),
		api.GET("/v1/apps/secrets/find", params.FromStruct(stripe.AppsSecretFindParams{}).Require("name", "scope").
			Enum("scope.type", "account", "user"), find),
		api.POST("/v1/apps/secrets/delete", params.FromStruct(stripe.AppsSecretDeleteWhereParams{}).Require("name", "scope").
			Enum("scope.type", "account", "user"), deleteWhere),
	}
}

// maxName and maxPayload are the longest name and payload Stripe takes
// (its reference: names up to 5000 characters, payloads up to 5000).
const (
	maxName    = 5000
	maxPayload = 5000
)

// scopeOf reads scope[type] and scope[user]: a user scope names its user,
// an account scope none.
func scopeOf(c *api.Call) (store.Obj, error) {
	typ, _ := c.Params.Str("scope.type")
	user, hasUser := c.Params.Str("scope.user")
	switch {
	case typ == "":
		return nil, apierr.MissingParam("scope[type]")
	case typ == "user" && user == "":
		return nil, apierr.MissingParam("scope[user]")
	case typ == "account" && hasUser:
		return nil, apierr.InvalidRequest("scope[user] should not be provided when scope[type] is `account`.").WithParam("scope[user]")
	}
	scope := store.Obj{"type": typ}
	if typ == "user" {
		scope["user"] = user
	}
	return scope, nil
}

// in is whether a secret is in scope.
func in(o, scope store.Obj) bool {
	s := api.Obj(o["scope"])
	return s["type"] == scope["type"] && s["user"] == scope["user"]
}

// live is whether a secret is still kept: one past its expires_at deleted
// itself.
func live(c *api.Call, o store.Obj) bool {
	return o["expires_at"] == nil || api.Int(o["expires_at"]) > c.Now
}

// named is the live secret called name in scope.
func named(c *api.Call, scope store.Obj, name string) store.Obj {
	var found store.Obj
	c.Tx.EachIndexed(c.Account, "apps.secret", "scope", api.Str(scope["type"]), func(o store.Obj) bool {
		if o["name"] == name && in(o, scope) && live(c, o) {
			found = o
			return false
		}
		return true
	})
	return found
}

// noSuchSecret answers a name no live secret of the scope has: a lookup
// that finds nothing, 404, as a retrieve's (the wording unverified).
func noSuchSecret(name string) error {
	e := apierr.NoSuchObject("secret", name, "name")
	e.Status = 404
	return e
}

func metaPayload(account, id string) string { return "appsecret:" + account + ":" + id }

func payload(c *api.Call, o store.Obj) (any, error) {
	v, ok := c.Tx.GetMeta(metaPayload(c.Account, api.Str(o["id"])))
	if !ok {
		return nil, nil
	}
	return v, nil
}

// set creates a secret, or replaces the one of that name in the scope.
func set(c *api.Call) (any, error) {
	scope, err := scopeOf(c)
	if err != nil {
		return nil, err
	}
	name, _ := c.Params.Str("name")
	value, _ := c.Params.Str("payload")
	if name == "" {
		return nil, apierr.InvalidEmpty("name")
	}
	if value == "" {
		return nil, apierr.InvalidEmpty("payload")
	}
	if err := c.CheckLengths(api.MaxLength{Path: "name", Limit: maxName}, api.MaxLength{Path: "payload", Limit: maxPayload}); err != nil {
		return nil, err
	}
	var expires any
	if at, ok := c.Params.Int("expires_at"); ok {
		if at <= c.Now {
			return nil, apierr.InvalidRequest("Invalid expires_at: must be in the future.").WithParam("expires_at")
		}
		expires = at
	}
	if old := named(c, scope, name); old != nil {
		if err := remove(c, old); err != nil {
			return nil, err
		}
	}
	id := c.NewID("apps.secret")
	o := c.Object("apps.secret", id, store.Obj{"expires_at": expires, "name": name, "scope": scope})
	if err := c.SetMeta(metaPayload(c.Account, id), value); err != nil {
		return nil, err
	}
	if err := c.Put(o); err != nil {
		return nil, err
	}
	return o, nil
}

func remove(c *api.Call, o store.Obj) error {
	c.DeleteMeta(metaPayload(c.Account, api.Str(o["id"])))
	return c.Tx.Delete(c.Account, "apps.secret", api.Str(o["id"]))
}

// list lists the scope's live secrets, newest first.
func list(c *api.Call) (any, error) {
	scope, err := scopeOf(c)
	if err != nil {
		return nil, err
	}
	q, err := c.ListQuery("apps.secret")
	if err != nil {
		return nil, err
	}
	q.Index, q.Value = "scope", api.Str(scope["type"])
	q.Filter = api.And(q.Filter, func(o store.Obj) bool { return in(o, scope) && live(c, o) })
	return c.Page("apps.secret", "/v1/apps/secrets", q), nil
}

// requested is the live secret the request names by name and scope.
func requested(c *api.Call) (store.Obj, error) {
	scope, err := scopeOf(c)
	if err != nil {
		return nil, err
	}
	name, _ := c.Params.Str("name")
	o := named(c, scope, name)
	if o == nil {
		return nil, noSuchSecret(name)
	}
	return o, nil
}

func find(c *api.Call) (any, error) { return requested(c) }

// deleteWhere deletes the secret of that name in the scope, answering it
// marked deleted.
func deleteWhere(c *api.Call) (any, error) {
	o, err := requested(c)
	if err != nil {
		return nil, err
	}
	if err := remove(c, o); err != nil {
		return nil, err
	}
	out := api.Clone(o)
	out["deleted"] = true
	return out, nil
}
