// Package alerts serves Billing Alerts (/v1/billing/alerts): usage
// thresholds on a billing meter that send billing.alert.triggered when a
// customer's reported usage first reaches them. Stripe sends no events
// about the alerts themselves (its event types have none), only that one.
package alerts

import (
	"fmt"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/meters"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Kind is the billing.alert object.
var Kind = &api.Kind{
	Object: "billing.alert", Prefix: "alrt_", Name: "billing alert",
	Expandable: []string{"usage_threshold.meter", "usage_threshold.filters.customer"},
	Indexes:    []store.Index{{Name: "meter", Path: "usage_threshold.meter"}},
}

// Kinds are the family's object types.
func Kinds() []*api.Kind { return []*api.Kind{Kind} }

// Routes are the endpoints. Alerts have no update and no delete: archiving
// ends one for good.
func Routes() []api.Route {
	return []api.Route{
		api.POST("/v1/billing/alerts", params.FromStruct(stripe.BillingAlertCreateParams{}).Require("alert_type", "title").
			Enum("alert_type", "usage_threshold").Enum("usage_threshold.recurrence", "one_time"), create),
		api.GET("/v1/billing/alerts", params.FromStruct(stripe.BillingAlertListParams{}).Enum("alert_type", "usage_threshold"), list),
		api.GET("/v1/billing/alerts/{id}", params.FromStruct(stripe.BillingAlertRetrieveParams{}), retrieve),
		api.POST("/v1/billing/alerts/{id}/activate", params.FromStruct(stripe.BillingAlertActivateParams{}), setStatus("active")),
		api.POST("/v1/billing/alerts/{id}/archive", params.FromStruct(stripe.BillingAlertArchiveParams{}), setStatus("archived")),
		api.POST("/v1/billing/alerts/{id}/deactivate", params.FromStruct(stripe.BillingAlertDeactivateParams{}), setStatus("inactive")),
	}
}

func init() {
	api.WriteHooks["billing.meter_event"] = append(api.WriteHooks["billing.meter_event"], watchUsage)
}

// maxTitle is the longest title Stripe takes (its spec's maxLength for
// strings it does not bound more tightly).
const maxTitle = 256

func create(c *api.Call) (any, error) {
	title, _ := c.Params.Str("title")
	if title == "" {
		return nil, apierr.InvalidEmpty("title")
	}
	if err := c.CheckLengths(api.MaxLength{Path: "title", Limit: maxTitle}); err != nil {
		return nil, err
	}
	alertType, _ := c.Params.Str("alert_type") // usage_threshold, the one type (Enum)
	ut, ok := c.Params.Obj("usage_threshold")
	if !ok {
		// A usage_threshold alert is configured there.
		return nil, apierr.MissingParam("usage_threshold")
	}
	for _, f := range []string{"gte", "meter", "recurrence"} {
		if !ut.Has(f) {
			return nil, apierr.MissingParam("usage_threshold[" + f + "]")
		}
	}
	gte, _ := ut.Int("gte")
	if gte < 1 {
		return nil, apierr.InvalidRequest("Invalid usage_threshold[gte]: must be at least 1").WithParam("usage_threshold[gte]")
	}
	meterID, _ := ut.Str("meter")
	if _, ok := c.Tx.Get(c.Account, "billing.meter", meterID); !ok {
		return nil, apierr.NoSuchObject("billing meter", meterID, "usage_threshold[meter]")
	}
	recurrence, _ := ut.Str("recurrence")
	var filters any
	entries := ut.Array("filters")
	if len(entries) > 1 {
		return nil, apierr.InvalidRequest("Invalid usage_threshold[filters]: you can only specify up to one filter at this time.").WithParam("usage_threshold[filters]")
	}
	for i, f := range entries {
		name := func(k string) string { return fmt.Sprintf("usage_threshold[filters][%d][%s]", i, k) }
		typ, _ := f.Str("type")
		switch typ {
		case "":
			return nil, apierr.MissingParam(name("type"))
		case "customer":
		default:
			return nil, apierr.InvalidRequest("Invalid %s: must be customer", name("type")).WithParam(name("type"))
		}
		cus, _ := f.Str("customer")
		if cus == "" {
			return nil, apierr.MissingParam(name("customer"))
		}
		if o, ok := c.Tx.Get(c.Account, "customer", cus); !ok || api.Bool(o["deleted"]) {
			return nil, apierr.NoSuchObject("customer", cus, name("customer"))
		}
		filters = []any{store.Obj{"customer": cus, "type": typ}}
	}
	scope := ""
	if filters != nil {
		scope = api.Str(api.Obj(filters.([]any)[0])["customer"])
	}
	if n := alertsFor(c, meterID, scope); n >= maxAlertsPerScope {
		return nil, apierr.InvalidRequest("You can create at most %d alerts for each combination of a meter and a customer: meter %s already has %d for %s.",
			maxAlertsPerScope, meterID, n, map[bool]string{true: "every customer", false: "customer " + scope}[scope == ""]).WithParam("usage_threshold[meter]")
	}
	o := store.Obj{
		"id": c.NewID("billing.alert"), "object": "billing.alert", "alert_type": alertType, "livemode": false,
		"status": "active", "title": title,
		"usage_threshold": store.Obj{"filters": filters, "gte": gte, "meter": meterID, "recurrence": recurrence},
	}
	return o, c.Put(o)
}

// maxAlertsPerScope is how many alerts Stripe lets a meter have for one
// customer (or for every customer).
const maxAlertsPerScope = 25

// alertsFor counts the alerts on a meter for a customer's usage ("": every
// customer's) that are not archived: an archived alert is gone for good.
func alertsFor(c *api.Call, meterID, customer string) int {
	n := 0
	for _, a := range c.Tx.List(c.Account, "billing.alert", store.Query{Index: "meter", Value: meterID}).Data {
		filters, _ := api.Obj(a["usage_threshold"])["filters"].([]any)
		scope := ""
		if len(filters) > 0 {
			scope = api.Str(api.Obj(filters[0])["customer"])
		}
		if a["status"] != "archived" && scope == customer {
			n++
		}
	}
	return n
}

func retrieve(c *api.Call) (any, error) { return c.Retrieve("billing.alert", c.Var("id")) }

// list lists the active and inactive alerts (archived ones are no longer
// listed), newest first, by alert_type and meter.
func list(c *api.Call) (any, error) {
	q, err := c.ListQuery("billing.alert")
	if err != nil {
		return nil, err
	}
	c.AcceptWhen("alert_type", "usage_threshold") // the one type: every alert has it
	if m, _ := c.Params.Str("meter"); m != "" {
		q.Index, q.Value = "meter", m
	}
	q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["status"] != "archived" })
	return c.Page("billing.alert", "/v1/billing/alerts", q), nil
}

// setStatus moves an alert to status: active and inactive alerts move
// between each other, and either may be archived; an archived alert stays
// archived. Asking for the status an alert has changes nothing.
func setStatus(status string) func(*api.Call) (any, error) {
	return func(c *api.Call) (any, error) {
		before, err := c.Load("billing.alert", c.Var("id"), "id")
		if err != nil {
			return nil, err
		}
		if before["status"] == status {
			return before, nil
		}
		if before["status"] == "archived" {
			verb := map[string]string{"active": "activate", "inactive": "deactivate"}[status]
			return nil, apierr.InvalidRequest("Cannot %s alert %s: it is archived, and an archived alert cannot be changed.", verb, before["id"])
		}
		after := api.Clone(before)
		after["status"] = status
		return after, c.Put(after)
	}
}

// watchUsage runs as a meter event is stored: once the request's own work
// is done, the alerts on the event's meter look at the usage of the
// customer it names.
func watchUsage(c *api.Call, account string, ev store.Obj) {
	if api.Bool(ev["canceled"]) {
		return // a cancellation lowers usage: nothing can cross a threshold
	}
	c.Later(func() error { return evaluate(c, account, ev) })
}

// evaluate sends billing.alert.triggered for each active alert on the
// event's meter, scoped to the event's customer or to every customer, that
// the customer's usage reported since the alert was made reaches for the
// first time: a one_time alert triggers once per customer, whatever the
// customer uses later. Stripe documents that alerts do not work with test
// clocks, so a customer on one triggers none.
func evaluate(c *api.Call, account string, ev store.Obj) error {
	if some := c.Tx.List(account, "billing.alert", store.Query{Limit: 1}); len(some.Data) == 0 {
		return nil // the common case: the account has no alerts
	}
	meter, ok := c.Tx.Get(account, "billing.meter", api.Str(ev["meter"])) // the meter that took it
	if !ok {
		return nil
	}
	customerKey := api.Str(api.Obj(meter["customer_mapping"])["event_payload_key"])
	cusID := api.Str(api.Obj(ev["payload"])[customerKey])
	if cusID == "" {
		return nil
	}
	cus, ok := c.Tx.Get(account, "customer", cusID)
	if !ok || api.Bool(cus["deleted"]) || api.Str(cus["test_clock"]) != "" {
		return nil
	}
	alerts := c.Tx.List(account, "billing.alert", store.Query{Index: "meter", Value: api.Str(meter["id"])})
	for _, alert := range alerts.Data {
		ut := api.Obj(alert["usage_threshold"])
		if alert["status"] != "active" || !covers(ut, cusID) {
			continue
		}
		key := "alerttriggered:" + account + ":" + api.Str(alert["id"]) + ":" + cusID
		if _, done := c.Tx.GetMeta(key); done {
			continue
		}
		usage, _ := meters.UsageRecordedAfter(c.Tx, account, api.Str(meter["id"]), cusID, api.Str(alert["id"]))
		if usage < float64(api.Int(ut["gte"])) {
			continue
		}
		if err := c.SetMeta(key, fmt.Sprint(c.Now)); err != nil {
			return err
		}
		c.EmitIn(account, "billing.alert.triggered", store.Obj{
			"object": "billing.alert_triggered", "alert": alert, "created": c.Now, "customer": cusID,
			"livemode": false, "value": int64(usage),
		}, nil)
	}
	return nil
}

// covers tells whether an alert's filters let in a customer (no filter:
// every customer).
func covers(ut store.Obj, customer string) bool {
	filters, _ := ut["filters"].([]any)
	for _, f := range filters {
		if api.Str(api.Obj(f)["customer"]) != customer {
			return false
		}
	}
	return true
}
