package entitlements

import (
	"encoding/json"
	"slices"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// grants says whether a subscription in this status entitles its
// customer to its products' features. A subscription whose first payment
// has not succeeded (incomplete, incomplete_expired) grants nothing, nor
// does a canceled one; Stripe keeps the entitlements of subscriptions
// that are behind on payment or paused (it sends no summary update when
// a trial without a payment method pauses).
func grants(status string) bool {
	switch status {
	case "active", "trialing", "past_due", "unpaid", "paused":
		return true
	}
	return false
}

// entitlement is one active entitlement, as kept in meta.
type entitlement struct {
	ID        string `json:"id"`
	Feature   string `json:"feature"`
	LookupKey string `json:"lookup_key"`
}

func customerKey(account, customer string) string {
	return "entitlements:" + account + ":customer:" + customer
}

func entitlementKey(account, id string) string {
	return "entitlements:" + account + ":ent:" + id
}

// activeOf are a customer's active entitlements, oldest first.
func activeOf(tx *store.Tx, account, customer string) []entitlement {
	var out []entitlement
	if raw, ok := tx.GetMeta(customerKey(account, customer)); ok {
		_ = json.Unmarshal([]byte(raw), &out)
	}
	return out
}

func render(e entitlement) store.Obj {
	return store.Obj{"id": e.ID, "object": "entitlements.active_entitlement", "livemode": false, "feature": e.Feature, "lookup_key": e.LookupKey}
}

func init() {
	api.WriteHooks["subscription"] = append(api.WriteHooks["subscription"], subscriptionWritten)
}

// subscriptionWritten queues, once per customer and request, working out
// the customer's entitlements again after everything the request does.
func subscriptionWritten(c *api.Call, account string, sub store.Obj) {
	customer := api.Str(sub["customer"])
	if customer == "" {
		return
	}
	key := "entitlements.pending:" + account + ":" + customer
	if c.Scratch(key) != nil {
		return
	}
	if !anyProductFeatures(c.Tx, account) && len(activeOf(c.Tx, account, customer)) == 0 {
		return // nothing can be granted or taken away: most accounts
	}
	c.SetScratch(key, true)
	c.Later(func() error {
		c.SetScratch(key, nil)
		return refresh(c, account, customer)
	})
}

// anyProductFeatures tells whether any product of the account grants a
// feature.
func anyProductFeatures(tx *store.Tx, account string) bool {
	found := false
	tx.ScanMeta(productFeaturesKey(account, ""), func(string, string) bool {
		found = true
		return false
	})
	return found
}

// entitledFeatures are the active features the customer's granting
// subscriptions give, in the order first met (oldest subscription first,
// then item order, then the order features were attached).
func entitledFeatures(c *api.Call, account, customer string) []string {
	var out []string
	seen := map[string]bool{}
	c.Tx.EachIndexed(account, "subscription", "customer", customer, func(sub store.Obj) bool {
		if !grants(api.Str(sub["status"])) {
			return true
		}
		items, _ := api.Obj(sub["items"])["data"].([]any)
		for _, it := range items {
			price := api.Obj(api.Obj(it)["price"])
			product := api.Str(price["product"])
			if product == "" {
				product = api.Str(api.Obj(price["product"])["id"])
			}
			for _, a := range productFeatures(c.Tx, account, product) {
				if !seen[a.Feature] {
					seen[a.Feature] = true
					out = append(out, a.Feature)
				}
			}
		}
		return true
	})
	return out
}

// refresh works out a customer's active entitlements and, when they
// changed, keeps them and sends the summary update. An entitlement to a
// feature the customer keeps keeps its id.
func refresh(c *api.Call, account, customer string) error {
	before := activeOf(c.Tx, account, customer)
	had := map[string]entitlement{}
	for _, e := range before {
		had[e.Feature] = e
	}
	var after []entitlement
	for _, fid := range entitledFeatures(c, account, customer) {
		f, ok := c.Tx.Get(account, "entitlements.feature", fid)
		if !ok || !api.Bool(f["active"]) {
			continue
		}
		e, ok := had[fid]
		if !ok {
			e = entitlement{ID: c.IDs.Long(ActiveEntitlementKind.Prefix), Feature: fid}
		}
		e.LookupKey = api.Str(f["lookup_key"])
		after = append(after, e)
	}
	if slices.Equal(before, after) {
		return nil
	}
	for _, e := range before {
		c.DeleteMeta(entitlementKey(account, e.ID))
	}
	for _, e := range after {
		if err := c.SetMeta(entitlementKey(account, e.ID), customer); err != nil {
			return err
		}
	}
	if len(after) == 0 {
		c.DeleteMeta(customerKey(account, customer))
	} else {
		raw, _ := json.Marshal(after)
		if err := c.SetMeta(customerKey(account, customer), string(raw)); err != nil {
			return err
		}
	}
	summary := store.Obj{"object": "entitlements.active_entitlement_summary", "livemode": false, "customer": customer,
		"entitlements": summaryList(customer, after)}
	prev := store.Obj{"entitlements": summaryList(customer, before)}
	c.EmitIn(account, "entitlements.active_entitlement_summary.updated", summary, prev)
	return nil
}

func summaryList(customer string, list []entitlement) store.Obj {
	data := make([]any, len(list))
	for i, e := range list {
		data[i] = render(e)
	}
	return store.Obj{"object": "list", "data": data, "has_more": false, "url": "/v1/customer/" + customer + "/entitlements"}
}

func listActiveEntitlements(c *api.Call) (any, error) {
	customer, _ := c.Params.Str("customer")
	if cus, ok := c.Tx.Get(c.Account, "customer", customer); !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", customer, "customer")
	}
	list := activeOf(c.Tx, c.Account, customer)
	data := make([]any, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- { // newest first
		data = append(data, render(list[i]))
	}
	return api.EmbeddedPage(c, data, "/v1/entitlements/active_entitlements", ActiveEntitlementKind.Name)
}

func retrieveActiveEntitlement(c *api.Call) (any, error) {
	id := c.Var("id")
	customer, ok := c.Tx.GetMeta(entitlementKey(c.Account, id))
	if ok {
		for _, e := range activeOf(c.Tx, c.Account, customer) {
			if e.ID == id {
				return render(e), nil
			}
		}
	}
	return nil, apierr.NoSuchObject(ActiveEntitlementKind.Name, id, "id")
}
