package billing

import (
	"unicode/utf8"

	"github.com/stripe/stripe-go/v82"
	"github.com/tidwall/gjson"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// ClockLifetime is how long a test clock lives before Stripe deletes it.
const ClockLifetime = 30 * 86400

// MaxClockName is the longest name a test clock takes (Stripe's OpenAPI
// spec).
const MaxClockName = 300

// What one test clock takes (Stripe's documented limits: three customers
// per clock, three subscriptions per customer).
const (
	MaxClockCustomers                = 3
	MaxClockSubscriptionsPerCustomer = 3
)

func testClockRoutes() []api.Route {
	base := "/v1/test_helpers/test_clocks"
	return []api.Route{
		api.POST(base, params.FromStruct(stripe.TestHelpersTestClockCreateParams{}).Require("frozen_time"), createClock),
		api.GET(base, params.FromStruct(stripe.TestHelpersTestClockListParams{}), listClocks),
		api.GET(base+"/{id}", params.FromStruct(stripe.TestHelpersTestClockRetrieveParams{}), retrieveClock),
		api.DELETE(base+"/{id}", params.FromStruct(stripe.TestHelpersTestClockDeleteParams{}), deleteClock),
		api.POST(base+"/{id}/advance", params.FromStruct(stripe.TestHelpersTestClockAdvanceParams{}).Require("frozen_time"), advanceClock),
	}
}

func init() {
	customers.CreateHooks = append(customers.CreateHooks, func(c *api.Call, cus store.Obj) error {
		id, _ := c.Params.Str("test_clock")
		if id == "" {
			return nil
		}
		clk, ok := c.Tx.Get(c.Account, "test_helpers.test_clock", id)
		if !ok || api.Bool(clk["deleted"]) {
			return apierr.NoSuchObject("test_clock", id, "test_clock")
		}
		if n := len(clockCustomers(c, id)); n >= MaxClockCustomers {
			return apierr.InvalidRequest("The test clock %s already has the maximum of %d customers. Create another test clock for more customers.", id, MaxClockCustomers).WithParam("test_clock")
		}
		cus["test_clock"] = id
		cus["created"] = clk["frozen_time"]
		return nil
	})
}

func createClock(c *api.Call) (any, error) {
	frozen, _ := c.Params.Int("frozen_time")
	if name, _ := c.Params.Str("name"); utf8.RuneCountInString(name) > MaxClockName {
		return nil, apierr.TooLong("name", name, MaxClockName)
	}
	clk := c.Object("test_helpers.test_clock", c.NewID("test_helpers.test_clock"), store.Obj{
		"deletes_after": c.Now + ClockLifetime, "frozen_time": frozen, "name": nil,
		"status": "ready", "status_details": store.Obj{},
	})
	c.Copy(clk, "name")
	if err := c.Insert(clk); err != nil {
		return nil, err
	}
	return clk, nil
}

func loadClock(c *api.Call) (store.Obj, error) {
	clk, err := c.Load("test_helpers.test_clock", c.Var("id"), "id")
	if err == nil && api.Bool(clk["deleted"]) {
		return nil, apierr.NoSuchObject("test_clock", c.Var("id"), "id")
	}
	return clk, err
}

// clockCustomers are the customers on a test clock (deleted ones keep no
// clock).
func clockCustomers(c *api.Call, clockID string) []string {
	var ids []string
	c.Tx.EachIndexedRaw(c.Account, "customer", "test_clock", clockID, func(raw string) bool {
		ids = append(ids, store.Pick(raw, "id")[0].String())
		return true
	})
	return ids
}

// checkClockSubscriptions refuses a subscription (or a schedule, which makes
// one) more for a customer on a test clock that has as many live ones as a
// clock takes. A schedule yet to start counts as its subscription: Stripe
// counts a customer's subscriptions "including scheduled subscriptions".
func checkClockSubscriptions(c *api.Call, cus store.Obj) error {
	if cus["test_clock"] == nil {
		return nil
	}
	n := 0
	c.Tx.EachIndexedRaw(c.Account, "subscription", "customer", api.Str(cus["id"]), func(raw string) bool {
		if !subscriptionEnded(store.Pick(raw, "status")[0].String()) {
			n++
		}
		return true
	})
	c.Tx.EachIndexedRaw(c.Account, "subscription_schedule", "customer", api.Str(cus["id"]), func(raw string) bool {
		if store.Pick(raw, "status")[0].String() == "not_started" {
			n++
		}
		return true
	})
	if n >= MaxClockSubscriptionsPerCustomer {
		return apierr.InvalidRequest("The customer %s is on a test clock and already has the maximum of %d subscriptions. Cancel one, or use another customer.", cus["id"], MaxClockSubscriptionsPerCustomer).WithParam("customer")
	}
	return nil
}

func retrieveClock(c *api.Call) (any, error) { return loadClock(c) }

func listClocks(c *api.Call) (any, error) {
	q, err := c.ListQuery("test_helpers.test_clock")
	if err != nil {
		return nil, err
	}
	return c.Page("test_helpers.test_clock", base(), q), nil
}

func base() string { return "/v1/test_helpers/test_clocks" }

// deleteClock deletes the clock and every customer on it.
func deleteClock(c *api.Call) (any, error) {
	clk, err := loadClock(c)
	if err != nil {
		return nil, err
	}
	return removeClock(c, clk)
}

// removeClock deletes a test clock and its customers with it, each as
// deleting the customer does (its subscriptions and schedules canceled at
// the clock's time, with their events).
func removeClock(c *api.Call, clk store.Obj) (store.Obj, error) {
	id := api.Str(clk["id"])
	for _, cusID := range clockCustomers(c, id) {
		cus, ok := c.Tx.Get(c.Account, "customer", cusID)
		if !ok {
			continue
		}
		if _, err := customers.Delete(c, cus); err != nil {
			return nil, err
		}
	}
	tomb := api.Deleted("test_helpers.test_clock", id)
	if err := c.Put(tomb); err != nil {
		return nil, err
	}
	c.Emit("test_helpers.test_clock.deleted", clk, nil)
	return tomb, nil
}

// ClockExpiry is test clocks' own time-driven work, on the emulator's
// clock: Stripe deletes a clock (and its customers) at its deletes_after,
// thirty days after it was created.
var ClockExpiry = api.RawTimer("test_helpers.test_clock", func(tx *store.Tx, account string, fn func(raw string) bool) {
	tx.EachRaw(account, "test_helpers.test_clock", fn)
}, clockExpiryDue)

func clockExpiryDue(out []api.Due, account, raw string, target int64) []api.Due {
	f := store.Pick(raw, "id", "deleted", "deletes_after")
	if f[1].Bool() || f[2].Type != gjson.Number || f[2].Int() > target {
		return out
	}
	id := f[0].String()
	return append(out, api.Due{At: f[2].Int(), Account: account, About: store.Ref{Type: "test_helpers.test_clock", ID: id}, Kind: "test_clock_expire",
		Run: func(c *api.Call) error {
			clk, ok := c.Tx.Get(c.Account, "test_helpers.test_clock", id)
			if !ok || api.Bool(clk["deleted"]) || api.Int(clk["deletes_after"]) > c.Now {
				return nil
			}
			_, err := removeClock(c, clk)
			return err
		}})
}

// advanceClock moves a test clock forward and runs everything that falls
// due on its customers' subscriptions and invoices. Stripe answers with
// the clock "advancing"; here the work is done before the answer, so the
// next retrieve already says "ready".
func advanceClock(c *api.Call) (any, error) {
	before, err := loadClock(c)
	if err != nil {
		return nil, err
	}
	target, _ := c.Params.Int("frozen_time")
	current := api.Int(before["frozen_time"])
	if target <= current {
		return nil, apierr.InvalidRequest("The frozen_time you specified (%d) must be after the clock's current frozen_time (%d).", target, current).WithParam("frozen_time")
	}
	if limit := advanceLimit(c, api.Str(before["id"]), current); target > limit {
		return nil, apierr.InvalidRequest("Cannot advance the test clock to %d: a clock may move at most two intervals of its shortest subscription (or two years without subscriptions) at a time, so no later than %d.", target, limit).WithParam("frozen_time")
	}
	advancing := api.Clone(before)
	advancing["status"] = "advancing"
	advancing["status_details"] = store.Obj{"advancing": store.Obj{"target_frozen_time": target}}
	c.Emit("test_helpers.test_clock.advancing", advancing, nil)
	// Stripe does the clock's work after answering, as its own automatic
	// work: the events it causes (renewals, retries, ready) name no
	// request, as those of the emulator's clock do not.
	requestID, key := c.RequestID, c.IdempotencyKey
	c.RequestID, c.IdempotencyKey = "", ""
	defer func() { c.RequestID, c.IdempotencyKey = requestID, key }()
	if err := Advance(c, api.Str(before["id"]), target); err != nil {
		return nil, err
	}
	ready := api.Clone(before)
	ready["frozen_time"] = target
	ready["status"] = "ready"
	c.Now = target
	if err := c.Put(ready); err != nil {
		return nil, err
	}
	c.Emit("test_helpers.test_clock.ready", ready, nil)
	return advancing, nil
}

// advanceLimit is the latest time a clock may jump to from current.
func advanceLimit(c *api.Call, clockID string, current int64) int64 {
	// Without subscriptions a clock may jump two calendar years.
	limit := addInterval(current, "year", 2)
	c.Tx.EachIndexed(c.Account, "subscription", "test_clock", clockID, func(sub store.Obj) bool {
		if subscriptionEnded(sub["status"]) {
			return true
		}
		items := subItems(sub)
		if len(items) == 0 {
			return true
		}
		interval, count := recurring(api.Obj(items[0]["price"]))
		limit = min(limit, addInterval(current, interval, 2*count))
		return true
	})
	// A schedule yet to start counts with its first phase's interval: its
	// subscription begins within the jump.
	c.Tx.EachIndexed(c.Account, "subscription_schedule", "test_clock", clockID, func(sched store.Obj) bool {
		if sched["status"] != "not_started" {
			return true
		}
		phases := asAnys(sched["phases"])
		if len(phases) == 0 {
			return true
		}
		items := asAnys(api.Obj(phases[0])["items"])
		if len(items) == 0 {
			return true
		}
		price, ok := c.Tx.Get(c.Account, "price", api.Str(api.Obj(items[0])["price"]))
		if !ok {
			return true
		}
		interval, count := recurring(price)
		limit = min(limit, addInterval(current, interval, 2*count))
		return true
	})
	return limit
}
