package billing

import (
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Older routes Stripe still serves at basil (its OpenAPI spec has them,
// and older SDK methods call them), each another name for a route of this
// family: the same objects, rules and events, run through that route's
// handler. Their parameters are the spec's for each path.

func legacyRoutes() []api.Route {
	const sub = "/v1/customers/{customer}/subscriptions/{subscription}"
	return []api.Route{
		api.GET("/v1/customers/{customer}/subscriptions", params.FromStruct(stripe.ListParams{}), listCustomerSubscriptions),
		// The spec's create takes what POST /v1/subscriptions takes but
		// these, newer than the route.
		api.POST("/v1/customers/{customer}/subscriptions", params.FromStruct(stripe.SubscriptionCreateParams{}).
			Without("customer").Without("billing_cycle_anchor_config").Without("billing_mode").Without("billing_thresholds").
			Without("description").Without("on_behalf_of"), createCustomerSubscription),
		api.GET(sub, params.FromStruct(stripe.SubscriptionRetrieveParams{}), customerSubscription(retrieveSubscription)),
		api.POST(sub, params.FromStruct(stripe.SubscriptionUpdateParams{}).
			Without("billing_thresholds").Without("description").Without("on_behalf_of"), customerSubscription(updateSubscription)),
		api.DELETE(sub, params.FromStruct(stripe.SubscriptionCancelParams{}).Without("cancellation_details"), customerSubscription(cancelSubscription)),
		api.GET(sub+"/discount", params.FromStruct(stripe.SubscriptionRetrieveParams{}), customerSubscription(retrieveSubscriptionDiscount)),
		api.DELETE(sub+"/discount", params.FromStruct(stripe.SubscriptionDeleteDiscountParams{}), customerSubscription(deleteSubscriptionDiscount)),

		api.POST("/v1/invoices/{invoice}/lines/{line}", params.FromStruct(stripe.InvoiceLineItemUpdateParams{}), updateLine),

		// basil removed the Upcoming Invoice API (create_preview replaces
		// it); without these, GET /v1/invoices/{id} would answer them as
		// the invoice "upcoming".
		api.Removed("GET", "/v1/invoices/upcoming"),
		api.Removed("GET", "/v1/invoices/upcoming/lines"),
	}
}

// pathCustomer loads the customer a customer's subscriptions route names.
func pathCustomer(c *api.Call) (store.Obj, error) {
	cus, ok := c.Tx.Get(c.Account, "customer", c.Var("customer"))
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", c.Var("customer"), "id")
	}
	return cus, nil
}

func listCustomerSubscriptions(c *api.Call) (any, error) {
	if _, err := pathCustomer(c); err != nil {
		return nil, err
	}
	return c.As(listSubscriptions, nil, map[string]any{"customer": c.Var("customer")})
}

func createCustomerSubscription(c *api.Call) (any, error) {
	if _, err := pathCustomer(c); err != nil {
		return nil, err
	}
	return c.As(createSubscription, nil, map[string]any{"customer": c.Var("customer")})
}

// customerSubscription serves a subscription of the path's customer with
// h, which reads the subscription's id as {id}.
func customerSubscription(h func(*api.Call) (any, error)) func(*api.Call) (any, error) {
	return func(c *api.Call) (any, error) {
		if _, err := pathCustomer(c); err != nil {
			return nil, err
		}
		cusID, subID := c.Var("customer"), c.Var("subscription")
		f, ok := c.Tx.Fields(c.Account, "subscription", subID, "customer")
		if !ok || f[0].String() != cusID {
			// Stripe's words and param, as quoted in public issues.
			e := apierr.InvalidRequest("Customer %s does not have a subscription with ID %s", cusID, subID).WithParam("subscription").WithCode("resource_missing")
			e.Status = 404
			return nil, e
		}
		return c.As(h, map[string]string{"id": subID}, nil)
	}
}

// retrieveSubscriptionDiscount is the older GET …/subscriptions/{id}/discount:
// the subscription's discount (the first of its discounts still in force),
// which DELETE …/discount takes away.
func retrieveSubscriptionDiscount(c *api.Call) (any, error) {
	sub, err := loadSubscription(c)
	if err != nil {
		return nil, err
	}
	cus, _ := c.Tx.Get(c.Account, "customer", api.Str(sub["customer"]))
	c.Now = c.ClockNow(cus)
	live := liveDiscounts(c, sub)
	if len(live) == 0 {
		return nil, noSubscriptionDiscount(sub)
	}
	return c.Load("discount", api.Str(live[0]), "id")
}

// noSubscriptionDiscount is Stripe's 404 for a subscription without a
// discount in force.
func noSubscriptionDiscount(sub store.Obj) error {
	e := apierr.InvalidRequest("No active discount for subscription %s on customer %s", sub["id"], sub["customer"]).WithCode("resource_missing")
	e.Status = 404
	return e
}

// updateLine is POST /v1/invoices/{invoice}/lines/{line}: one line of a
// draft changed as POST /v1/invoices/{invoice}/update_lines changes it (an
// invoice item's line through the invoice item, totals worked out again;
// a subscription line's tax rates, description and metadata), parameters
// named in errors as sent here. It answers the line.
func updateLine(c *api.Call) (any, error) {
	invID, lineID := c.Var("invoice"), c.Var("line")
	inv, err := c.Load("invoice", invID, "id")
	if err != nil {
		return nil, err
	}
	if lineOf(inv, lineID) == nil {
		return nil, apierr.NoSuchObject("line item", lineID, "id")
	}
	line := map[string]any{}
	for k, v := range c.Params.Raw() {
		if k != "expand" {
			line[k] = v
		}
	}
	line["id"] = lineID
	if _, err := runAs(c, updateLines, map[string]any{"lines": []any{line}}, map[string]string{"id": invID}, func(name string) string {
		// lines[0][price_data][currency] was sent as price_data[currency].
		rest := strings.TrimPrefix(name, "lines[0][")
		if rest == name {
			return name
		}
		first, after, _ := strings.Cut(rest, "]")
		return first + after
	}); err != nil {
		return nil, err
	}
	after, _ := c.Tx.Get(c.Account, "invoice", invID)
	return lineOf(after, lineID), nil
}

// lineOf is the line of inv with id, nil if it has none.
func lineOf(inv store.Obj, id string) store.Obj {
	for _, l := range asList(inv["lines"]) {
		if o := api.Obj(l); o["id"] == id {
			return o
		}
	}
	return nil
}
