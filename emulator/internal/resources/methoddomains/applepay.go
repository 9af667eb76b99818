package methoddomains

import (
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// ApplePayKind is the apple_pay_domain object of Stripe's older Apple Pay
// domains API (/v1/apple_pay/domains), which payment method domains
// replaced. Older integrations still register their checkout domains
// through it; Stripe keeps serving it, with no events.
var ApplePayKind = &api.Kind{Object: "apple_pay_domain", Prefix: "apwc_", Name: "apple pay domain",
	Indexes: []store.Index{{Name: "domain_name", Path: "domain_name"}}}

// ApplePayRoutes are its endpoints: create, retrieve, list and delete
// (an Apple Pay domain cannot be updated).
func ApplePayRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/apple_pay/domains", params.FromStruct(stripe.ApplePayDomainCreateParams{}).Require("domain_name"), createApplePay),
		api.GET("/v1/apple_pay/domains", params.FromStruct(stripe.ApplePayDomainListParams{}), listApplePay),
		api.GET("/v1/apple_pay/domains/{id}", params.FromStruct(stripe.ApplePayDomainRetrieveParams{}), retrieveApplePay),
		api.DELETE("/v1/apple_pay/domains/{id}", params.FromStruct(stripe.ApplePayDomainDeleteParams{}), deleteApplePay),
	}
}

func createApplePay(c *api.Call) (any, error) {
	name, err := domainName(c)
	if err != nil {
		return nil, err
	}
	if p := c.Tx.List(c.Account, "apple_pay_domain", store.Query{Index: "domain_name", Value: name, Limit: 1}); len(p.Data) > 0 {
		return nil, apierr.InvalidRequest("The domain %s is already registered for Apple Pay (%s) on this account.", name, p.Data[0]["id"]).WithParam("domain_name")
	}
	o := c.Object("apple_pay_domain", c.NewID("apple_pay_domain"), store.Obj{"domain_name": name})
	return o, c.Put(o)
}

func retrieveApplePay(c *api.Call) (any, error) { return c.Retrieve("apple_pay_domain", c.Var("id")) }

func deleteApplePay(c *api.Call) (any, error) {
	o, err := c.Load("apple_pay_domain", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if err := c.Tx.Delete(c.Account, "apple_pay_domain", api.Str(o["id"])); err != nil {
		return nil, err
	}
	return store.Obj{"id": o["id"], "object": "apple_pay_domain", "deleted": true}, nil
}

func listApplePay(c *api.Call) (any, error) {
	q, err := c.ListQuery("apple_pay_domain")
	if err != nil {
		return nil, err
	}
	if name, _ := c.Params.Str("domain_name"); name != "" {
		q.Index, q.Value = "domain_name", strings.ToLower(name)
	}
	return c.Page("apple_pay_domain", "/v1/apple_pay/domains", q), nil
}
