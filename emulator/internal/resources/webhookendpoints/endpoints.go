// Package webhookendpoints serves /v1/webhook_endpoints and keeps the
// webhook dispatcher's endpoints in step with them.
package webhookendpoints

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/delivery"
	"github.com/stripe-emu/stripe-emu/emulator/internal/eventtypes"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Kind is the webhook_endpoint object.
var Kind = &api.Kind{Object: "webhook_endpoint", Prefix: "we_", Name: "webhook endpoint"}

// MaxEndpoints is Stripe's limit per account.
const MaxEndpoints = 16

// Routes is the endpoint table.
func Routes() []api.Route {
	return []api.Route{
		api.POST("/v1/webhook_endpoints", params.FromStruct(stripe.WebhookEndpointCreateParams{}).Require("url", "enabled_events"), create),
		api.GET("/v1/webhook_endpoints", params.FromStruct(stripe.WebhookEndpointListParams{}), list),
		api.GET("/v1/webhook_endpoints/{id}", params.FromStruct(stripe.WebhookEndpointRetrieveParams{}), retrieve),
		api.POST("/v1/webhook_endpoints/{id}", params.FromStruct(stripe.WebhookEndpointUpdateParams{}), update),
		api.DELETE("/v1/webhook_endpoints/{id}", params.FromStruct(stripe.WebhookEndpointDeleteParams{}), remove),
	}
}

func secretKey(acct, id string) string { return "whsec:" + acct + ":" + id }

// Secret returns an endpoint's signing secret.
func Secret(tx *store.Tx, acct, id string) string {
	s, _ := tx.GetMeta(secretKey(acct, id))
	return s
}

func previousSecretKey(acct, id string) string { return "whsec_previous:" + acct + ":" + id }

// MaxPreviousSecretLife is the longest the Dashboard's "Roll secret" keeps
// the old secret signing beside the new one.
const MaxPreviousSecretLife = 24 * time.Hour

// RollSecret is the Dashboard's "Roll secret" on an endpoint: a new
// signing secret, the old one still signing deliveries beside it until
// expires (now: at once).
func RollSecret(c *api.Call, id string, expires time.Time) (string, error) {
	o, ok := c.Tx.Get(c.Account, "webhook_endpoint", id)
	if !ok {
		return "", fmt.Errorf("no webhook endpoint %s", id)
	}
	old := Secret(c.Tx, c.Account, id)
	secret := "whsec_" + c.IDs.Secret(32)
	if err := c.Tx.SetMeta(secretKey(c.Account, id), secret); err != nil {
		return "", err
	}
	if err := c.Tx.SetMeta(previousSecretKey(c.Account, id), fmt.Sprintf("%d|%s", expires.Unix(), old)); err != nil {
		return "", err
	}
	register(c, o)
	return secret, nil
}

func checkURL(raw string) error {
	if !api.HasScheme(raw) {
		return apierr.URLWithoutScheme("url")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Stripe's answer to a URL it cannot take (success_url,
		// return_url): a webhook is delivered over http or https only.
		return apierr.InvalidRequest("Not a valid URL").WithParam("url").WithCode("url_invalid")
	}
	return nil
}

func enabledEvents(c *api.Call) ([]any, error) {
	evs := c.Params.Strings("enabled_events")
	if len(evs) == 0 {
		return nil, apierr.MissingParam("enabled_events")
	}
	out := make([]any, len(evs))
	for i, e := range evs {
		if e != "*" && !eventtypes.IsV1(e) {
			// Stripe's enum error, listing every event type (and not *).
			name := fmt.Sprintf("enabled_events[%d]", i)
			return nil, apierr.InvalidRequest("Invalid %s: must be one of %s", name, oneOf(eventtypes.V1())).WithParam(name)
		}
		out[i] = e
	}
	return out, nil
}

// oneOf lists values as Stripe's enum errors do: "a, b, or c".
func oneOf(values []string) string {
	return strings.Join(values[:len(values)-1], ", ") + ", or " + values[len(values)-1]
}

// Create makes an endpoint inside a request (also used to wire endpoints
// given on the command line). secret "" picks a random one.
func Create(c *api.Call, rawURL string, events []any, secret string) (store.Obj, error) {
	if err := checkURL(rawURL); err != nil {
		return nil, err
	}
	if c.Tx.Count(c.Account, "webhook_endpoint") >= MaxEndpoints {
		return nil, apierr.InvalidRequest("You have reached the maximum of %d test webhook endpoints.", MaxEndpoints)
	}
	o := c.Object("webhook_endpoint", c.NewID("webhook_endpoint"), store.Obj{
		"api_version": nil, "application": nil, "description": nil, "enabled_events": events,
		"metadata": map[string]any{}, "status": "enabled", "url": rawURL,
	})
	connect, _ := c.Params.Bool("connect")
	if connect {
		// A Connect endpoint names the platform's Connect application, which
		// is how Stripe CLI's listen tells it from an account endpoint.
		o["application"] = c.ConnectApplication()
	}
	if secret == "" {
		secret = "whsec_" + c.IDs.Secret(32)
	}
	if err := c.Put(o); err != nil {
		return nil, err
	}
	if err := c.Tx.SetMeta(secretKey(c.Account, api.Str(o["id"])), secret); err != nil {
		return nil, err
	}
	if connect {
		if err := c.Tx.SetMeta("weconnect:"+c.Account+":"+api.Str(o["id"]), "1"); err != nil {
			return nil, err
		}
	}
	register(c, o)
	return o, nil
}

// platformOnly refuses configuring endpoints through Stripe-Account: a
// connected account's events reach the platform through a Connect
// endpoint (connect=true) of its own. An endpoint the account has (made in
// its Dashboard, Webhooks().ListenOn) can still be read.
func platformOnly(c *api.Call) error {
	if !c.Connected {
		return nil
	}
	e := apierr.InvalidRequest("You are not permitted to configure webhook endpoints on a connected account. Did you mean to create a Connect webhook on your account instead?")
	e.Status = 403
	return e
}

// checkAPIVersion refuses an api_version other than the pinned one:
// Stripe renders the endpoint's events in that version, which the
// emulator cannot (every event it records is in api.APIVersion).
func checkAPIVersion(c *api.Call) error {
	if c.Params.Unset("api_version") {
		return apierr.InvalidEmpty("api_version") // not nullable: Stripe's answer to ""
	}
	if v, ok := c.Params.Str("api_version"); ok && v != api.APIVersion {
		return apierr.InvalidRequest("Invalid api_version: %s. stripe-emu renders events in %s only; other versions are not emulated.", v, api.APIVersion).WithParam("api_version")
	}
	return nil
}

// lengths are the longest strings Stripe's OpenAPI spec lets an endpoint's
// create and update send (url has no limit there).
var lengths = []api.MaxLength{{Path: "description", Limit: 5000}}

func create(c *api.Call) (any, error) {
	if err := platformOnly(c); err != nil {
		return nil, err
	}
	if err := c.CheckLengths(lengths...); err != nil {
		return nil, err
	}
	if err := checkAPIVersion(c); err != nil {
		return nil, err
	}
	if err := api.RefuseEmptied(c.Params.Unmarked(), emptiable); err != nil {
		return nil, err
	}
	events, err := enabledEvents(c)
	if err != nil {
		return nil, err
	}
	rawURL, _ := c.Params.Str("url")
	o, err := Create(c, rawURL, events, "")
	if err != nil {
		return nil, err
	}
	c.Copy(o, "description", "api_version")
	if err := c.ApplyMetadata(o); err != nil {
		return nil, err
	}
	if err := c.Put(o); err != nil {
		return nil, err
	}
	register(c, o)
	// The secret is shown once, at creation.
	shown := api.Clone(o)
	shown["secret"] = Secret(c.Tx, c.Account, api.Str(o["id"]))
	return shown, nil
}

// register tells the dispatcher of the endpoint as it is now, once the
// request commits.
func register(c *api.Call, o store.Obj) {
	c.PutWebhookEndpoint(ToEndpoint(c.Tx, c.Account, c.Platform, o))
}

// ToEndpoint turns a stored endpoint into the dispatcher's view of it.
func ToEndpoint(tx *store.Tx, acct, platform string, o store.Obj) delivery.Endpoint {
	id := api.Str(o["id"])
	var events []string
	for _, e := range o["enabled_events"].([]any) {
		events = append(events, api.Str(e))
	}
	connect := IsConnect(tx, acct, id)
	owner := acct
	if acct == platform {
		owner = ""
	}
	ep := delivery.Endpoint{ID: id, URL: api.Str(o["url"]), Secret: Secret(tx, acct, id), Account: owner,
		Connect: connect, EnabledEvents: events, Disabled: o["status"] == "disabled"}
	if prev, ok := tx.GetMeta(previousSecretKey(acct, id)); ok {
		expires, secret, _ := strings.Cut(prev, "|")
		if unix, err := strconv.ParseInt(expires, 10, 64); err == nil {
			ep.PreviousSecret, ep.PreviousSecretExpires = secret, time.Unix(unix, 0)
		}
	}
	return ep
}

// IsConnect tells a Connect endpoint (made with connect=true), which takes
// connected accounts' events, from one taking its account's own.
func IsConnect(tx *store.Tx, acct, id string) bool {
	_, ok := tx.GetMeta("weconnect:" + acct + ":" + id)
	return ok
}

func load(c *api.Call) (store.Obj, error) {
	return c.Load("webhook_endpoint", c.Var("id"), "id")
}

func retrieve(c *api.Call) (any, error) { return load(c) }

// emptiable is what a create or an update may send as "" (to leave it
// unset): Stripe's spec allows it of description only (and metadata).
var emptiable = map[string]bool{"description": true}

func update(c *api.Call) (any, error) {
	if err := platformOnly(c); err != nil {
		return nil, err
	}
	before, err := load(c)
	if err != nil {
		return nil, err
	}
	if err := c.CheckLengths(lengths...); err != nil {
		return nil, err
	}
	// url= or enabled_events= is Stripe's "cannot be unset".
	if err := api.RefuseEmptied(c.Params.Unmarked(), emptiable); err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if u, ok := c.Params.Str("url"); ok {
		if err := checkURL(u); err != nil {
			return nil, err
		}
		after["url"] = u
	}
	if c.Params.Has("enabled_events") {
		events, err := enabledEvents(c)
		if err != nil {
			return nil, err
		}
		after["enabled_events"] = events
	}
	if disabled, ok := c.Params.Bool("disabled"); ok {
		after["status"] = map[bool]string{true: "disabled", false: "enabled"}[disabled]
	}
	c.Copy(after, "description")
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if err := c.Put(after); err != nil {
		return nil, err
	}
	register(c, after)
	return after, nil
}

func remove(c *api.Call) (any, error) {
	if err := platformOnly(c); err != nil {
		return nil, err
	}
	o, err := load(c)
	if err != nil {
		return nil, err
	}
	id := api.Str(o["id"])
	if err := c.Tx.Delete(c.Account, "webhook_endpoint", id); err != nil {
		return nil, err
	}
	c.Tx.DeleteMeta(secretKey(c.Account, id))
	c.RemoveWebhookEndpoint(api.Str(o["id"]))
	return api.Deleted("webhook_endpoint", id), nil
}

func list(c *api.Call) (any, error) {
	q, err := c.ListQuery("webhook_endpoint")
	if err != nil {
		return nil, err
	}
	return c.Page("webhook_endpoint", "/v1/webhook_endpoints", q), nil
}
