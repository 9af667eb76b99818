package billing

import (
	"errors"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// The /v1/subscription_items writes are a subscription update of one
// item, as they are at Stripe: the same rules, prorations and
// customer.subscription.updated event.

// itemFields are the parameters an item endpoint shares with
// items[] of a subscription update.
var itemFields = []string{"price", "plan", "price_data", "quantity", "metadata", "discounts", "tax_rates", "billing_thresholds"}

// updateFields are what the item endpoints pass to the subscription.
var updateFields = []string{"proration_behavior", "proration_date", "payment_behavior", "off_session"}

func createSubscriptionItem(c *api.Call) (any, error) {
	subID, _ := c.Params.Str("subscription")
	before, err := c.Load("subscription", subID, "subscription")
	if err != nil {
		return nil, err
	}
	if !c.Params.Has("price") && !c.Params.Has("price_data") && !c.Params.Has("plan") {
		return nil, apierr.MissingParam("price")
	}
	sub, err := updateOneItem(c, subID, itemParams(c))
	if err != nil {
		return nil, err
	}
	existing := map[string]bool{}
	for _, it := range subItems(before) {
		existing[api.Str(it["id"])] = true
	}
	for _, it := range subItems(sub) {
		if !existing[api.Str(it["id"])] {
			return it, nil
		}
	}
	// Added by a pending update still waiting for its payment: the item
	// as the update holds it, which it keeps once applied.
	if pu := api.Obj(sub["pending_update"]); pu != nil {
		for _, it := range asAnys(pu["subscription_items"]) {
			if m := api.Obj(it); !existing[api.Str(m["id"])] {
				return m, nil
			}
		}
	}
	return nil, errors.New("billing: the new subscription item is missing")
}

func updateSubscriptionItem(c *api.Call) (any, error) {
	id := c.Var("id")
	sub, err := subscriptionOfItem(c, id)
	if err != nil {
		return nil, err
	}
	item := itemParams(c)
	item["id"] = id
	if sub, err = updateOneItem(c, api.Str(sub["id"]), item); err != nil {
		return nil, err
	}
	return itemOf(sub, id), nil
}

func deleteSubscriptionItem(c *api.Call) (any, error) {
	id := c.Var("id")
	sub, err := subscriptionOfItem(c, id)
	if err != nil {
		return nil, err
	}
	// Stripe's reference: clear_usage is "allowed only when the current
	// plan's usage_type is metered" (its words in refusing are not
	// documented). A metered item's usage lives in meter events, which
	// deleting the item does not clear here: clear_usage=true on one
	// stays refused as not emulated.
	if v, ok := c.Params.Sent("clear_usage"); ok && v == true && !metered(api.Obj(itemOf(sub, id)["price"])) {
		return nil, apierr.InvalidRequest("clear_usage is only allowed when the subscription item's price has usage_type `metered`.").WithParam("clear_usage")
	}
	c.AcceptWhen("clear_usage", false)
	if _, err := updateOneItem(c, api.Str(sub["id"]), map[string]any{"id": id, "deleted": true}); err != nil {
		return nil, err
	}
	return store.Obj{"id": id, "object": "subscription_item", "deleted": true}, nil
}

// updateOneItem runs POST /v1/subscriptions/:id with items[0] = item and
// this request's proration parameters, naming parameters in errors as
// the item endpoint's caller sent them.
func updateOneItem(c *api.Call, subID string, item map[string]any) (store.Obj, error) {
	update := pick(c.Params, updateFields)
	update["items"] = []any{item}
	res, err := runAs(c, updateSubscription, update, map[string]string{"id": subID}, itemParamName)
	if err != nil {
		var e *apierr.Error
		if errors.As(err, &e) && strings.HasPrefix(e.Param, "items[") {
			// items[N][price][…] → price[…]
			if _, rest, ok := strings.Cut(e.Param, "]["); ok {
				cp := *e
				cp.Param = strings.Replace(rest, "]", "", 1)
				return nil, &cp
			}
		}
		return nil, err
	}
	return res.(store.Obj), nil
}

// itemParams are the item endpoint's parameters as an items[] entry.
func itemParams(c *api.Call) map[string]any {
	return pick(c.Params, itemFields)
}

// itemParamName names a parameter of the items[0] an item endpoint hands
// the subscription update as the item endpoint's caller sent it:
// items[0][price_data][currency] → price_data[currency].
func itemParamName(name string) string {
	if rest, ok := strings.CutPrefix(name, "items[0]["); ok {
		return strings.Replace(rest, "]", "", 1)
	}
	return name
}

// runAs runs another endpoint's handler inside this request, with
// already-validated parameters of its own. When p carries what this
// request's caller sent, rename names those parameters as the caller
// sent them (in the handler's errors too), and what the handler was
// handed but did not read is refused as not emulated, as it would be had
// it been sent to that endpoint; nil rename is for parameters the
// emulator made itself.
func runAs(c *api.Call, handler func(*api.Call) (any, error), p map[string]any, vars map[string]string, rename func(string) string) (any, error) {
	savedParams, savedVars := c.Params, c.Vars
	defer func() { c.Params, c.Vars = savedParams, savedVars }()
	inner := params.NewValues(p)
	if rename != nil {
		inner = inner.Tracked()
	}
	c.Params, c.Vars = inner, vars
	res, err := handler(c)
	if e, ok := err.(*apierr.Error); ok && rename != nil && e.Param != "" {
		cp := *e
		cp.Param = rename(e.Param)
		// A message quoting the parameter quotes it as sent here too, and
		// so does one quoting the object it is in ("Remove quantity from
		// `items[0]`"), when the caller sent that object by name.
		cp.Message = strings.ReplaceAll(e.Message, "`"+e.Param+"`", "`"+cp.Param+"`")
		if i, j := strings.LastIndex(e.Param, "["), strings.LastIndex(cp.Param, "["); i > 0 && j > 0 {
			cp.Message = strings.ReplaceAll(cp.Message, "`"+e.Param[:i]+"`", "`"+cp.Param[:j]+"`")
		}
		return nil, &cp
	}
	if err != nil {
		return nil, err
	}
	if unread := inner.Unread(); len(unread) > 0 {
		return nil, api.NotEmulated(rename(unread[0]), c.Endpoint)
	}
	return res, nil
}

func pick(p params.Values, names []string) map[string]any {
	out := map[string]any{}
	for _, n := range names {
		if v, ok := p.RawAt(n); ok {
			out[n] = v
		}
	}
	return out
}

func subscriptionOfItem(c *api.Call, id string) (store.Obj, error) {
	p := c.Tx.List(c.Account, "subscription", store.Query{Index: "item", Value: id, Limit: 1})
	for _, sub := range p.Data {
		if itemOf(sub, id) != nil {
			return sub, nil
		}
	}
	return nil, apierr.NoSuchObject("subscription_item", id, "id")
}

func itemOf(sub store.Obj, id string) store.Obj {
	for _, it := range subItems(sub) {
		if it["id"] == id {
			return it
		}
	}
	return nil
}
