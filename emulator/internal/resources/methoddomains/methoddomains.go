// Package methoddomains serves payment method domains
// (/v1/payment_method_domains): the web domains an account shows wallets and
// other payment methods on in Elements and embedded Checkout. In test mode
// Stripe checks nothing of the domain (Apple Pay no longer needs its
// association file), so each payment method is active on a registered
// domain from the start. Stripe sends no events about domains.
package methoddomains

import (
	"regexp"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Kind is the payment_method_domain object.
var Kind = &api.Kind{Object: "payment_method_domain", Prefix: "pmd_", Name: "payment method domain",
	Indexes: []store.Index{{Name: "domain_name", Path: "domain_name"}}}

// methods are the payment methods a domain shows a status for.
var methods = []string{"amazon_pay", "apple_pay", "google_pay", "klarna", "link", "paypal"}

// Routes are the endpoints. Stripe has no DELETE: enabled=false turns a
// domain off.
func Routes() []api.Route {
	return []api.Route{
		api.POST("/v1/payment_method_domains", params.FromStruct(stripe.PaymentMethodDomainCreateParams{}).Require("domain_name"), create),
		api.GET("/v1/payment_method_domains", params.FromStruct(stripe.PaymentMethodDomainListParams{}), list),
		api.GET("/v1/payment_method_domains/{id}", params.FromStruct(stripe.PaymentMethodDomainRetrieveParams{}), retrieve),
		api.POST("/v1/payment_method_domains/{id}", params.FromStruct(stripe.PaymentMethodDomainUpdateParams{}), update),
		api.POST("/v1/payment_method_domains/{id}/validate", params.FromStruct(stripe.PaymentMethodDomainValidateParams{}), validate),
	}
}

// hostname is a domain name as Stripe takes it: labels of letters, digits
// and hyphens (not at either end), at least two of them, the last one
// alphabetic. No scheme, port, path or trailing dot.
var hostname = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// domainName reads and checks the domain_name parameter.
func domainName(c *api.Call) (string, error) {
	raw, _ := c.Params.Str("domain_name")
	name := strings.ToLower(raw)
	if name == "" {
		return "", apierr.InvalidEmpty("domain_name")
	}
	if len(name) > 253 || !hostname.MatchString(name) {
		return "", apierr.InvalidRequest("Invalid domain_name: %s is not a valid domain name. Pass the domain alone, such as example.com or shop.example.com, without a scheme, port or path.", raw).WithParam("domain_name")
	}
	return name, nil
}

func create(c *api.Call) (any, error) {
	name, err := domainName(c)
	if err != nil {
		return nil, err
	}
	if p := c.Tx.List(c.Account, "payment_method_domain", store.Query{Index: "domain_name", Value: name, Limit: 1}); len(p.Data) > 0 {
		return nil, apierr.InvalidRequest("The domain %s is already registered as a payment method domain (%s) on this account.", name, p.Data[0]["id"]).WithParam("domain_name")
	}
	enabled := true
	if v, ok := c.Params.Bool("enabled"); ok {
		enabled = v
	}
	o := c.Object("payment_method_domain", c.NewID("payment_method_domain"), store.Obj{"domain_name": name, "enabled": enabled})
	for _, m := range methods {
		o[m] = store.Obj{"status": "active"}
	}
	return o, c.Put(o)
}

func retrieve(c *api.Call) (any, error) { return c.Retrieve("payment_method_domain", c.Var("id")) }

// update turns a domain on or off; its name never changes.
func update(c *api.Call) (any, error) {
	before, err := c.Load("payment_method_domain", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if v, ok := c.Params.Bool("enabled"); ok {
		after["enabled"] = v
	}
	return after, c.Put(after)
}

// validate checks the domain again for the payment methods inactive on
// it. Nothing is ever inactive in test mode, so the domain comes back as
// it is.
func validate(c *api.Call) (any, error) {
	return c.Load("payment_method_domain", c.Var("id"), "id")
}

func list(c *api.Call) (any, error) {
	q, err := c.ListQuery("payment_method_domain")
	if err != nil {
		return nil, err
	}
	if name, _ := c.Params.Str("domain_name"); name != "" {
		q.Index, q.Value = "domain_name", strings.ToLower(name)
	}
	if v, ok := c.Params.Bool("enabled"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Bool(o["enabled"]) == v })
	}
	return c.Page("payment_method_domain", "/v1/payment_method_domains", q), nil
}
