// Package quotes serves /v1/quotes: a draft quote of line items for a
// customer (or a copy of another quote), finalized (open, numbered), then
// accepted (which bills it: a draft invoice for one-time lines, a
// subscription when a line recurs, or a subscription schedule when it is
// to start later) or canceled, and canceled by the clock once it expires.
package quotes

import (
	"fmt"
	"strconv"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billing"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coupons"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Kind is the quote object. Its line items, its upfront line items and
// its totals' breakdowns are left out unless expanded, as on Stripe.
var Kind = &api.Kind{
	Object: "quote", Prefix: "qt_", Name: "quote",
	Expandable: []string{"customer", "invoice", "subscription", "subscription_schedule", "test_clock", "application",
		"on_behalf_of", "transfer_data.destination", "default_tax_rates", "discounts", "from_quote.quote"},
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){
		"line_items":                                 lineItemsList,
		"computed.upfront.line_items":                upfrontItemsList,
		"total_details.breakdown":                    breakdownOf("total"),
		"computed.upfront.total_details.breakdown":   breakdownOf("upfront"),
		"computed.recurring.total_details.breakdown": breakdownOf("recurring"),
	},
	Indexes: []store.Index{{Name: "customer", Path: "customer"}, {Name: "status", Path: "status"}, {Name: "test_clock", Path: "test_clock"}},
}

// Kinds are the objects this family owns (its line items are "item"s,
// Checkout's kind).
func Kinds() []*api.Kind { return []*api.Kind{Kind} }

// DefaultLifetime is how long a quote stays open when expires_at is not
// given: Stripe's quote template defaults to 30 days.
const DefaultLifetime = 30 * 86400

// Length limits Stripe documents for the texts a quote shows.
const (
	maxHeader = 50
	maxText   = 500
)

// Routes are the quotes' endpoints.
func Routes() []api.Route {
	base := "/v1/quotes"
	create := params.FromStruct(stripe.QuoteCreateParams{}).
		With("subscription_data.effective_date", params.AnyParam()).
		Enum("collection_method", "charge_automatically", "send_invoice").
		Enum("line_items.price_data.recurring.interval", "day", "week", "month", "year")
	update := params.FromStruct(stripe.QuoteUpdateParams{}).
		With("subscription_data.effective_date", params.AnyParam()).
		Enum("collection_method", "charge_automatically", "send_invoice").
		Enum("line_items.price_data.recurring.interval", "day", "week", "month", "year")
	list := params.FromStruct(stripe.QuoteListParams{}).Enum("status", "accepted", "canceled", "draft", "open")
	return []api.Route{
		api.POST(base, create, createQuote),
		api.GET(base, list, listQuotes),
		api.GET(base+"/{id}", params.FromStruct(stripe.QuoteRetrieveParams{}), retrieveQuote),
		api.POST(base+"/{id}", update, updateQuote),
		api.POST(base+"/{id}/finalize", params.FromStruct(stripe.QuoteFinalizeQuoteParams{}), finalizeQuote),
		api.POST(base+"/{id}/accept", params.FromStruct(stripe.QuoteAcceptParams{}), acceptQuote),
		api.POST(base+"/{id}/cancel", params.FromStruct(stripe.QuoteCancelParams{}), cancelQuote),
		api.GET(base+"/{id}/line_items", params.FromStruct(stripe.QuoteListLineItemsParams{}), listLineItems),
		api.GET(base+"/{id}/computed_upfront_line_items", params.FromStruct(stripe.QuoteListComputedUpfrontLineItemsParams{}), listUpfrontItems),
		api.GET(base+"/{id}/pdf", params.FromStruct(stripe.QuotePDFParams{}), quotePDF),
	}
}

func init() {
	billing.ClockTimers = append(billing.ClockTimers, billing.ClockTimer{
		Due: due, Watch: []string{"quote"}, DueOf: dueOf,
	})
}

func totalDetails(discount, tax int64) store.Obj {
	return store.Obj{"amount_discount": discount, "amount_shipping": int64(0), "amount_tax": tax}
}

func newQuote(c *api.Call, now int64) store.Obj {
	q := c.Object("quote", c.NewID("quote"), store.Obj{
		"amount_subtotal": int64(0), "amount_total": int64(0), "application": nil, "application_fee_amount": nil,
		"application_fee_percent": nil,
		"automatic_tax":           store.Obj{"enabled": false, "liability": nil, "provider": nil, "status": nil},
		"collection_method":       "charge_automatically",
		"computed": store.Obj{"recurring": nil, "upfront": store.Obj{
			"amount_subtotal": int64(0), "amount_total": int64(0), "total_details": totalDetails(0, 0)}},
		"currency": nil, "customer": nil, "default_tax_rates": []any{}, "description": nil, "discounts": []any{},
		"expires_at": now + DefaultLifetime, "footer": nil, "from_quote": nil, "header": nil, "invoice": nil,
		"invoice_settings": store.Obj{"days_until_due": nil, "issuer": store.Obj{"type": "self"}},
		"metadata":         map[string]any{}, "number": nil, "on_behalf_of": nil, "status": "draft",
		"status_transitions": store.Obj{"accepted_at": nil, "canceled_at": nil, "finalized_at": nil},
		"subscription":       nil,
		"subscription_data": store.Obj{"billing_mode": store.Obj{"type": "classic"}, "description": nil,
			"effective_date": nil, "metadata": nil, "trial_period_days": nil},
		"subscription_schedule": nil, "test_clock": nil, "total_details": totalDetails(0, 0), "transfer_data": nil,
	})
	q["created"] = now
	if c.Connected {
		// The platform makes it on its connected account: its Connect
		// application is the quote's, as a PaymentIntent's.
		q["application"] = c.ConnectApplication()
	}
	return q
}

// emptiable are the parameters Stripe's spec lets "" clear, on create
// (true) and update; "" for any other is refused as an attempt to unset
// what cannot be (metadata is always emptiable).
var emptiable = map[bool]map[string]bool{
	true: setOf("application_fee_amount", "application_fee_percent", "default_tax_rates", "description", "discounts", "footer",
		"header", "line_items[].discounts", "line_items[].tax_rates", "on_behalf_of", "subscription_data.effective_date",
		"subscription_data.trial_period_days", "transfer_data"),
	false: setOf("application_fee_amount", "application_fee_percent", "default_tax_rates", "description", "discounts", "footer",
		"header", "line_items[].discounts", "line_items[].tax_rates", "on_behalf_of", "subscription_data.description",
		"subscription_data.effective_date", "subscription_data.trial_period_days", "transfer_data"),
}

func setOf(names ...string) map[string]bool {
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out
}

func createQuote(c *api.Call) (any, error) {
	if err := api.RefuseEmptied(c.Params.Unmarked(), emptiable[true]); err != nil {
		return nil, err
	}
	if c.Params.Has("from_quote") {
		return cloneQuote(c)
	}
	clockID, _ := c.Params.Str("test_clock")
	var cus store.Obj
	if id, _ := c.Params.Str("customer"); id != "" {
		var err error
		if cus, err = loadCustomer(c, id); err != nil {
			return nil, err
		}
		if clockID == "" {
			clockID = api.Str(cus["test_clock"])
		}
	}
	if clockID != "" {
		clk, ok := c.Tx.Get(c.Account, "test_helpers.test_clock", clockID)
		if !ok || api.Bool(clk["deleted"]) {
			return nil, apierr.NoSuchObject("test_clock", clockID, "test_clock")
		}
		if cus != nil && api.Str(cus["test_clock"]) != clockID {
			return nil, apierr.InvalidRequest("The customer %s is not on the test clock %s: a quote and its customer must share a test clock.", cus["id"], clockID).WithParam("test_clock")
		}
		c.Now = api.Int(clk["frozen_time"])
	}
	q := newQuote(c, c.Now)
	q["test_clock"] = api.NilIfEmpty(clockID)
	if cus != nil {
		q["customer"] = cus["id"]
	}
	lines, err := readLines(c, nil, api.Str(q["customer"]))
	if err != nil {
		return nil, err
	}
	d := data{Lines: lines}
	if err := settle(c, q, &d); err != nil {
		return nil, err
	}
	return q, c.Insert(q)
}

// loadCustomer loads a customer a quote is for.
func loadCustomer(c *api.Call, id string) (store.Obj, error) {
	cus, ok := c.Tx.Get(c.Account, "customer", id)
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", id, "customer")
	}
	return cus, nil
}

// now is the time for a quote: its test clock's, else the call's.
func now(c *api.Call, q store.Obj) int64 {
	if c.NowFixed {
		return c.Now
	}
	if id := api.Str(q["test_clock"]); id != "" {
		if clk, ok := c.Tx.Get(c.Account, "test_helpers.test_clock", id); ok {
			return api.Int(clk["frozen_time"])
		}
	}
	return c.Now
}

// applySettings sets what create and update share, other than the line
// items and the customer: the texts, collection, expiry, tax rates,
// discounts, subscription_data, Connect terms and metadata. What Stripe
// has that is not read here (subscription_data[effective_date]=
// current_period_end) is refused as not emulated.
func applySettings(c *api.Call, q store.Obj) error {
	on, sent, err := billing.AutoTaxParam(c, c.Params, "automatic_tax", "automatic_tax")
	if err != nil {
		return err
	}
	if sent {
		q["automatic_tax"] = store.Obj{"enabled": false, "liability": nil, "provider": nil, "status": nil}
		if on {
			q["automatic_tax"] = store.Obj{"enabled": true, "liability": store.Obj{"type": "self"}, "provider": "stripe", "status": nil}
		}
	}
	// Asking for what the emulator does anyway.
	c.AcceptWhen("invoice_settings.issuer.type", "self")
	c.AcceptWhen("subscription_data.billing_mode.type", "classic")
	for name, limit := range map[string]int{"header": maxHeader, "description": maxText, "footer": maxText} {
		if s, ok := c.Params.Str(name); ok && len(s) > limit {
			return apierr.InvalidRequest("Invalid %s: must be at most %d characters", name, limit).WithParam(name)
		}
	}
	c.Copy(q, "header", "description", "footer")
	settings := api.Obj(q["invoice_settings"])
	if m, _ := c.Params.Str("collection_method"); m != "" {
		q["collection_method"] = m
		if m == "charge_automatically" {
			// Its due days go with send_invoice: "" cannot unset them
			// (Stripe's spec gives them no empty value).
			settings["days_until_due"] = nil
		}
	}
	if days, ok := c.Params.Int("invoice_settings.days_until_due"); ok {
		if days < 0 {
			return apierr.InvalidRequest("Invalid invoice_settings[days_until_due]: must be at least 0").WithParam("invoice_settings[days_until_due]")
		}
		settings["days_until_due"] = days
	}
	if q["collection_method"] == "send_invoice" && settings["days_until_due"] == nil {
		return apierr.InvalidRequest("Quotes with `collection_method=send_invoice` need `invoice_settings[days_until_due]`: the invoices they make are due that many days after they are sent.").WithParam("invoice_settings[days_until_due]")
	}
	if q["collection_method"] == "charge_automatically" && settings["days_until_due"] != nil {
		return apierr.InvalidRequest("`invoice_settings[days_until_due]` can only be set on quotes with `collection_method=send_invoice`.").WithParam("invoice_settings[days_until_due]")
	}
	if at, ok := c.Params.Int("expires_at"); ok {
		if err := checkExpiry(c, q, at); err != nil {
			return err
		}
		q["expires_at"] = at
	}
	if c.Params.Has("default_tax_rates") {
		rates, err := taxRates(c, c.Params.Strings("default_tax_rates"), "default_tax_rates", api.Strs(q["default_tax_rates"]))
		if err != nil {
			return err
		}
		q["default_tax_rates"] = api.Anys(rates)
	}
	if c.Params.Has("discounts") {
		ids, err := redeem(c, q)
		if err != nil {
			return err
		}
		q["discounts"] = ids
	}
	if sd, ok := c.Params.Obj("subscription_data"); ok {
		out := api.Obj(q["subscription_data"])
		if d, ok := sd.Str("description"); ok {
			if len(d) > maxText {
				return apierr.InvalidRequest("Invalid subscription_data[description]: must be at most %d characters", maxText).WithParam("subscription_data[description]")
			}
			out["description"] = api.NilIfEmpty(d)
		}
		if sd.Has("trial_period_days") {
			if days, ok := sd.Int("trial_period_days"); ok {
				if days < 1 {
					return apierr.InvalidRequest("Invalid subscription_data[trial_period_days]: must be at least 1").WithParam("subscription_data[trial_period_days]")
				}
				if days > billing.MaxTrialDays {
					// The subscription accepting it makes could not take it.
					return billing.TrialTooLong("subscription_data[trial_period_days]")
				}
				out["trial_period_days"] = days
			} else {
				out["trial_period_days"] = nil
			}
		}
		if sd.Has("metadata") {
			// Declarative, unlike the quote's own: what is sent replaces
			// what was there.
			md, _ := sd.Metadata("metadata")
			if len(md) == 0 {
				out["metadata"] = nil
			} else {
				out["metadata"] = md
			}
		}
		if err := effectiveDate(sd, out); err != nil {
			return err
		}
	}
	if err := applyConnect(c, q); err != nil {
		return err
	}
	return c.ApplyMetadata(q)
}

// effectiveDate reads subscription_data[effective_date]: when the
// subscription an accepted quote makes starts (a subscription schedule
// waits for it if it is still to come then). `current_period_end`, for
// quotes that change an existing subscription, is not emulated: left
// unread, it is refused by name.
func effectiveDate(sd params.Values, out store.Obj) error {
	v, ok := sd.Sent("effective_date")
	if !ok || v == "current_period_end" {
		return nil
	}
	sd.MarkRead("effective_date")
	if sd.Unset("effective_date") {
		out["effective_date"] = nil
		return nil
	}
	at, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
	if err != nil {
		return apierr.InvalidRequest("Invalid subscription_data[effective_date]: must be an integer Unix timestamp or `current_period_end`.").WithParam("subscription_data[effective_date]")
	}
	out["effective_date"] = at
	return nil
}

// checkExpiry refuses an expires_at that is not in the quote's future.
func checkExpiry(c *api.Call, q store.Obj, at int64) error {
	if at <= now(c, q) {
		return apierr.InvalidRequest("Invalid expires_at: must be a timestamp in the future.").WithParam("expires_at")
	}
	return nil
}

func retrieveQuote(c *api.Call) (any, error) { return c.Retrieve("quote", c.Var("id")) }

func loadQuote(c *api.Call) (store.Obj, error) { return c.Load("quote", c.Var("id"), "id") }

func updateQuote(c *api.Call) (any, error) {
	before, err := loadQuote(c)
	if err != nil {
		return nil, err
	}
	if err := api.RefuseEmptied(c.Params.Unmarked(), emptiable[false]); err != nil {
		return nil, err
	}
	if before["status"] == "open" {
		c.Now = now(c, before)
		return updateOpenQuote(c, before)
	}
	if before["status"] != "draft" {
		return nil, apierr.InvalidRequest("You can only update a quote in status `draft` or `open`; this quote (%s) is `%s`.", before["id"], before["status"])
	}
	c.Now = now(c, before)
	q := api.Clone(before)
	if id, _ := c.Params.Str("customer"); id != "" && id != api.Str(q["customer"]) {
		if q["customer"] != nil {
			return nil, apierr.InvalidRequest("You cannot change the customer of a quote once it is set.").WithParam("customer")
		}
		cus, err := loadCustomer(c, id)
		if err != nil {
			return nil, err
		}
		if api.Str(cus["test_clock"]) != api.Str(q["test_clock"]) {
			return nil, apierr.InvalidRequest("The customer %s is not on the quote's test clock: a quote and its customer must share a test clock.", id).WithParam("customer")
		}
		q["customer"] = id
		if err := adoptCustomer(c, q, id); err != nil {
			return nil, err
		}
	}
	d := load(c, api.Str(q["id"]))
	if c.Params.Has("line_items") {
		if d.Lines, err = readLines(c, d.Lines, api.Str(q["customer"])); err != nil {
			return nil, err
		}
	}
	if err := settle(c, q, &d); err != nil {
		return nil, err
	}
	// Stripe has no quote.updated event.
	return q, c.Put(q)
}

// adoptCustomer gives the discounts a draft quote (and its lines) took
// before it had a customer that customer, as they would have had if
// redeemed with it, so that what accepting the quote makes has its
// customer's discounts; a promotion code the customer may not redeem
// (another customer's, a first-time one once it has paid) is refused.
func adoptCustomer(c *api.Call, q store.Obj, customer string) error {
	ids := api.Strs(q["discounts"])
	for _, l := range load(c, api.Str(q["id"])).Lines {
		ids = append(ids, l.Discounts...)
	}
	for _, id := range ids {
		dc, ok := c.Tx.Get(c.Account, "discount", id)
		if !ok || dc["customer"] != nil {
			continue
		}
		if p, ok := c.Tx.Get(c.Account, "promotion_code", api.Str(dc["promotion_code"])); ok {
			if err := coupons.CustomerMayRedeem(c, p, customer, "customer"); err != nil {
				return err
			}
		}
		dc = api.Clone(dc)
		dc["customer"] = customer
		if err := c.Put(dc); err != nil {
			return err
		}
	}
	return nil
}

// updateOpenQuote changes what Stripe lets change once a quote is sent:
// its expiration date, nothing else.
func updateOpenQuote(c *api.Call, before store.Obj) (any, error) {
	for _, name := range c.Params.Keys() {
		if name != "expires_at" && name != "expand" {
			return nil, apierr.InvalidRequest("You can only update `expires_at` on an open quote; this quote (%s) is finalized, so `%s` cannot change.", before["id"], name).WithParam(name)
		}
	}
	at, ok := c.Params.Int("expires_at")
	if !ok {
		return before, nil
	}
	if err := checkExpiry(c, before, at); err != nil {
		return nil, err
	}
	q := api.Clone(before)
	q["expires_at"] = at
	return q, c.Put(q)
}

// settle applies the request's settings to q, works out its totals from
// d's lines and keeps the lines.
func settle(c *api.Call, q store.Obj, d *data) error {
	if err := applySettings(c, q); err != nil {
		return err
	}
	if err := price(c, q, d); err != nil {
		return err
	}
	if err := checkConnect(c, q, *d); err != nil {
		return err
	}
	return save(c, q, *d)
}

func finalizeQuote(c *api.Call) (any, error) {
	before, err := loadQuote(c)
	if err != nil {
		return nil, err
	}
	if err := api.RefuseEmptied(c.Params.Unmarked(), nil); err != nil {
		return nil, err
	}
	if before["status"] != "draft" {
		return nil, apierr.InvalidRequest("This quote (%s) is `%s`: only a draft quote can be finalized.", before["id"], before["status"])
	}
	c.Now = now(c, before)
	q := api.Clone(before)
	if q["customer"] == nil {
		return nil, apierr.InvalidRequest("A quote needs a customer before it can be finalized: set `customer` first.").WithParam("customer")
	}
	d := load(c, api.Str(q["id"]))
	if len(d.Lines) == 0 {
		return nil, apierr.InvalidRequest("A quote needs at least one line item before it can be finalized.").WithParam("line_items")
	}
	if err := checkConnect(c, q, d); err != nil {
		return nil, err
	}
	if at, ok := c.Params.Int("expires_at"); ok {
		if err := checkExpiry(c, q, at); err != nil {
			return nil, err
		}
		q["expires_at"] = at
	} else if api.Int(q["expires_at"]) <= c.Now {
		return nil, apierr.InvalidRequest("This quote expired at %d: give a new `expires_at` to finalize it.", api.Int(q["expires_at"])).WithParam("expires_at")
	}
	// A quote for a subscription in another currency than its customer's
	// is refused while the customer has anything active in its own.
	if cus, ok := c.Tx.Get(c.Account, "customer", api.Str(q["customer"])); ok && recurring(d) {
		if err := customers.CheckCurrency(c, cus, api.Str(q["currency"]), "currency", api.Str(q["id"])); err != nil {
			return nil, err
		}
	}
	var number string
	if api.Bool(api.Obj(q["from_quote"])["is_revision"]) {
		number, err = finalizeRevision(c, q)
	} else {
		number, err = nextNumber(c, api.Str(q["customer"]))
	}
	if err != nil {
		return nil, err
	}
	q["number"] = number
	q["status"] = "open"
	api.Obj(q["status_transitions"])["finalized_at"] = c.Now
	return q, c.PutEmit(q, "quote.finalized", nil)
}

// nextNumber is the customer's next quote number, as Stripe forms it:
// QT-<the customer's invoice prefix>-<its quote sequence>-<revision> (a
// quote that is not a revision is revision 1).
func nextNumber(c *api.Call, customer string) (string, error) {
	cus, ok := c.Tx.Get(c.Account, "customer", customer)
	if !ok {
		return "", apierr.NoSuchObject("customer", customer, "customer")
	}
	key := "quoteseq:" + c.Account + ":" + customer
	seq := int64(1)
	if raw, ok := c.Tx.GetMeta(key); ok {
		n, _ := strconv.ParseInt(raw, 10, 64)
		seq = n + 1
	}
	if err := c.Tx.SetMeta(key, strconv.FormatInt(seq, 10)); err != nil {
		return "", err
	}
	return fmt.Sprintf("QT-%s-%04d-1", api.Str(cus["invoice_prefix"]), seq), nil
}

// recurring reports whether a quote's lines start a subscription.
func recurring(d data) bool {
	for _, l := range d.Lines {
		if api.Obj(l.Item["price"])["type"] == "recurring" {
			return true
		}
	}
	return false
}

func acceptQuote(c *api.Call) (any, error) {
	before, err := loadQuote(c)
	if err != nil {
		return nil, err
	}
	if before["status"] != "open" {
		return nil, apierr.InvalidRequest("This quote (%s) is `%s`: only an open (finalized) quote can be accepted.", before["id"], before["status"])
	}
	q := api.Clone(before)
	d := load(c, api.Str(q["id"]))
	terms := billing.QuoteTerms{
		Quote: api.Str(q["id"]), Customer: api.Str(q["customer"]), Currency: api.Str(q["currency"]),
		DefaultTaxRates: api.Strs(q["default_tax_rates"]), Discounts: api.Strs(q["discounts"]),
		CollectionMethod: api.Str(q["collection_method"]),
		DaysUntilDue:     api.Int(api.Obj(q["invoice_settings"])["days_until_due"]),
		AutomaticTax:     api.Bool(api.Obj(q["automatic_tax"])["enabled"]),
	}
	connectTerms(q, &terms)
	// What it bills starts now, or at an effective date still to come (a
	// schedule waits for it).
	start := now(c, q)
	if at := api.Int(api.Obj(q["subscription_data"])["effective_date"]); at > start && recurring(d) {
		start = at
	}
	owned, err := startDiscounts(c, q, d, start)
	if err != nil {
		return nil, err
	}
	recurs := false
	for _, l := range d.Lines {
		p := api.Obj(l.Item["price"])
		terms.Lines = append(terms.Lines, billing.QuoteLine{Price: p, Quantity: api.Int(l.Item["quantity"]), TaxRates: l.TaxRates, Discounts: l.Discounts})
		recurs = recurs || p["type"] == "recurring"
	}
	if recurs {
		sd := api.Obj(q["subscription_data"])
		terms.TrialPeriodDays = api.Int(sd["trial_period_days"])
		terms.Description = api.Str(sd["description"])
		terms.Metadata, _ = sd["metadata"].(map[string]any)
		// An effective date still to come waits in a subscription
		// schedule; one gone by is ignored, as at Stripe.
		if at := api.Int(sd["effective_date"]); at > now(c, q) {
			sched, err := billing.ScheduleFromQuote(c, terms, at)
			if err != nil {
				return nil, err
			}
			q["subscription_schedule"] = sched["id"]
		} else {
			sub, err := billing.SubscriptionFromQuote(c, terms)
			if err != nil {
				return nil, err
			}
			q["subscription"], q["invoice"] = sub["id"], sub["latest_invoice"]
			if err := appliedTo(c, owned, "subscription", api.Str(sub["id"])); err != nil {
				return nil, err
			}
		}
	} else {
		inv, err := billing.InvoiceFromQuote(c, terms)
		if err != nil {
			return nil, err
		}
		q["invoice"] = inv["id"]
		if err := appliedTo(c, owned, "invoice", api.Str(inv["id"])); err != nil {
			return nil, err
		}
	}
	c.Now = now(c, q)
	q["status"] = "accepted"
	api.Obj(q["status_transitions"])["accepted_at"] = c.Now
	return q, c.PutEmit(q, "quote.accepted", nil)
}

// startDiscounts starts the quote's discounts at its acceptance, at:
// what they discount is billed from then, so a repeating coupon's months
// count from then rather than from when the quote was drafted (else one
// accepted later would bill undiscounted what it said was discounted).
// The customer's own discount, shared, is left as it is. It returns the
// quote's own discounts (not its lines').
func startDiscounts(c *api.Call, q store.Obj, d data, at int64) ([]string, error) {
	ids := api.Strs(q["discounts"])
	for _, l := range d.Lines {
		ids = append(ids, l.Discounts...)
	}
	var own string
	if cus, ok := c.Tx.Get(c.Account, "customer", api.Str(q["customer"])); ok {
		own = api.Str(api.Obj(cus["discount"])["id"])
	}
	var owned []string
	for i, id := range ids {
		if id != own && i < len(api.Strs(q["discounts"])) {
			owned = append(owned, id)
		}
		dc, ok := c.Tx.Get(c.Account, "discount", id)
		if !ok || id == own || api.Int(dc["start"]) == at {
			continue
		}
		dc = api.Clone(dc)
		dc["start"] = at
		if cp := api.Obj(dc["coupon"]); cp["duration"] == "repeating" {
			dc["end"] = coupons.RepeatingEnd(at, api.Int(cp["duration_in_months"]))
		}
		if err := c.Put(dc); err != nil {
			return nil, err
		}
	}
	return owned, nil
}

// appliedTo names the subscription or invoice (field) the quote's own
// discounts were applied to on acceptance, as a discount sent with one
// names it.
func appliedTo(c *api.Call, ids []string, field, id string) error {
	for _, did := range ids {
		dc, ok := c.Tx.Get(c.Account, "discount", did)
		if !ok {
			continue
		}
		dc = api.Clone(dc)
		dc[field] = id
		if err := c.Put(dc); err != nil {
			return err
		}
	}
	return nil
}

func cancelQuote(c *api.Call) (any, error) {
	before, err := loadQuote(c)
	if err != nil {
		return nil, err
	}
	if s := before["status"]; s != "draft" && s != "open" {
		return nil, apierr.InvalidRequest("This quote (%s) is `%s`: only a draft or open quote can be canceled.", before["id"], s)
	}
	c.Now = now(c, before)
	return cancel(c, before)
}

// cancel ends a draft or open quote at c.Now, by request or as it
// expires.
func cancel(c *api.Call, before store.Obj) (store.Obj, error) {
	q := api.Clone(before)
	q["status"] = "canceled"
	api.Obj(q["status_transitions"])["canceled_at"] = c.Now
	return q, c.PutEmit(q, "quote.canceled", nil)
}

func listQuotes(c *api.Call) (any, error) {
	q, err := c.ListQuery("quote")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "customer", "status", "test_clock")
	q = api.OmitClockObjects(c, q, "customer", "test_clock")
	return c.Page("quote", "/v1/quotes", q), nil
}

func listLineItems(c *api.Call) (any, error) {
	q, err := loadQuote(c)
	if err != nil {
		return nil, err
	}
	return api.EmbeddedPage(c, load(c, api.Str(q["id"])).items(), "/v1/quotes/"+api.Str(q["id"])+"/line_items", "line item")
}

func listUpfrontItems(c *api.Call) (any, error) {
	q, err := loadQuote(c)
	if err != nil {
		return nil, err
	}
	return api.EmbeddedPage(c, load(c, api.Str(q["id"])).Upfront, "/v1/quotes/"+api.Str(q["id"])+"/computed_upfront_line_items", "line item")
}

// includedItems is how many line items an expanded line_items list holds
// (the list's URL pages through the rest).
const includedItems = 10

func includedList(items []any, url string) store.Obj {
	n := min(len(items), includedItems)
	return store.Obj{"object": "list", "data": items[:n], "has_more": len(items) > n, "url": url}
}

func lineItemsList(c *api.Call, q store.Obj) (any, error) {
	id := api.Str(q["id"])
	return includedList(load(c, id).items(), "/v1/quotes/"+id+"/line_items"), nil
}

func upfrontItemsList(c *api.Call, q store.Obj) (any, error) {
	id := api.Str(q["id"])
	return includedList(load(c, id).Upfront, "/v1/quotes/"+id+"/computed_upfront_line_items"), nil
}

// data is what a quote keeps besides the object (in metadata, as JSON:
// asJSON and load): its line items, its upfront line items and the
// breakdowns of its totals.
type data struct {
	Lines     []line
	Upfront   []any
	Breakdown map[string]breakdown
}

// line is a line item as listed, the tax rates of its own (none: the
// quote's default_tax_rates apply) and the ids of its own discounts
// (taken off it before the quote's).
type line struct {
	Item      map[string]any
	TaxRates  []string
	Discounts []string
}

// breakdown is a total's breakdown as kept: discounts and tax rates by
// id.
type breakdown struct {
	Discounts []any
	Taxes     []any
}

func (d data) items() []any {
	out := make([]any, len(d.Lines))
	for i, l := range d.Lines {
		out[i] = l.Item
	}
	return out
}

func dataKey(account, id string) string { return "quote:" + account + ":" + id }

func load(c *api.Call, id string) data {
	var d data
	if raw, ok := c.Tx.GetMeta(dataKey(c.Account, id)); ok {
		if v, err := jsonenc.UnmarshalString(raw); err == nil {
			m := api.Obj(v)
			for _, l := range asAnys(m["lines"]) {
				lm := api.Obj(l)
				d.Lines = append(d.Lines, line{Item: api.Obj(lm["item"]), TaxRates: api.Strs(lm["tax_rates"]), Discounts: api.Strs(lm["discounts"])})
			}
			d.Upfront = asAnys(m["upfront"])
			d.Breakdown = map[string]breakdown{}
			for k, b := range api.Obj(m["breakdown"]) {
				bm := api.Obj(b)
				d.Breakdown[k] = breakdown{Discounts: asAnys(bm["discounts"]), Taxes: asAnys(bm["taxes"])}
			}
		}
	}
	if d.Upfront == nil {
		d.Upfront = []any{}
	}
	return d
}

func save(c *api.Call, q store.Obj, d data) error {
	raw, err := jsonenc.Marshal(d.asJSON())
	if err != nil {
		return err
	}
	return c.Tx.SetMeta(dataKey(c.Account, api.Str(q["id"])), string(raw))
}

func (d data) asJSON() store.Obj {
	lines := make([]any, len(d.Lines))
	for i, l := range d.Lines {
		lines[i] = store.Obj{"item": l.Item, "tax_rates": api.Anys(l.TaxRates), "discounts": api.Anys(l.Discounts)}
	}
	bd := store.Obj{}
	for k, b := range d.Breakdown {
		bd[k] = store.Obj{"discounts": b.Discounts, "taxes": b.Taxes}
	}
	return store.Obj{"lines": lines, "upfront": d.Upfront, "breakdown": bd}
}

func asAnys(v any) []any {
	a, _ := v.([]any)
	if a == nil {
		return []any{}
	}
	return a
}
