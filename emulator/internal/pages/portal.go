package pages

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billingportal"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
	"github.com/stripe-emu/stripe-emu/emulator/internal/taxid"
)

// The customer portal: the page a billing portal session's url points at.
// What it offers follows the session's configuration (each feature shown
// only when enabled, with its settings), and a session with flow_data
// opens on its flow and, once that is done, follows its after_completion.
// Every change is an API request the portal would make (a subscription
// update or cancellation, a SetupIntent, a customer update), so the same
// rules and events follow; a refused change shows the API's message.

// portalCards are the test cards the portal offers to add.
var portalCards = []method{
	{"pm_card_visa", "Add Visa 4242"},
	{"pm_card_threeDSecure2Required", "Add a 3-D Secure card"},
	{"pm_card_chargeDeclined", "Add a declining card"},
}

// portalReasons are Stripe's cancellation reasons as the portal words them.
var portalReasons = map[string]string{
	"customer_service": "Customer service was less than expected", "low_quality": "Quality was less than expected",
	"missing_features": "Some features are missing", "other": "Other reason", "switched_service": "I'm switching to a different service",
	"too_complex": "Ease of use was less than expected", "too_expensive": "It's too expensive", "unused": "I don't use the service enough",
}

// portal is one request to a session's page.
type portal struct {
	e        Backend
	req      *http.Request
	account  string
	session  Object
	cfg      Object // features.subscription_update.products expanded
	customer string
	byLogin  bool // opened from the configuration's login page
	// onBehalfOf is the session's on_behalf_of account: Stripe shows "only
	// subscriptions and invoices with this on_behalf_of account".
	onBehalfOf string
}

// shown is whether the page shows o, a subscription or invoice: any when
// the session names no on_behalf_of account (which of them Stripe shows
// then is not documented), else only those settled by that account.
func (p *portal) shown(o Object) bool {
	return p.onBehalfOf == "" || api.RefID(o["on_behalf_of"]) == p.onBehalfOf
}

// refusal is a change the page refuses, with the status it answers.
type refusal struct {
	status int
	msg    string
}

func refuse(status int, format string, args ...any) *refusal {
	return &refusal{status, fmt.Sprintf(format, args...)}
}

// openPortal is the session the page is for, or false (and a 404 or 410
// written) when there is none or it has expired.
func openPortal(e Backend, w http.ResponseWriter, req *http.Request) (*portal, bool) {
	id := mux.Vars(req)["id"]
	account := req.URL.Query().Get("account")
	s, ok := e.GetIn(account, id)
	if !ok || s["object"] != "billing_portal.session" {
		http.Error(w, "No such customer portal session: "+id, http.StatusNotFound)
		return nil, false
	}
	if e.Clock().Now().Unix() >= api.Int(s["created"])+billingportal.SessionLifetime {
		http.Error(w, "This customer portal session has expired: ask the site for a new link.", http.StatusGone)
		return nil, false
	}
	status, cfg, err := e.Call("GET", "/v1/billing_portal/configurations/"+api.Str(s["configuration"]),
		url.Values{"expand[]": {"features.subscription_update.products"}}, account)
	if err != nil || status != http.StatusOK {
		http.Error(w, fmt.Sprint("The portal's configuration cannot be read: ", err, cfg["error"]), http.StatusInternalServerError)
		return nil, false
	}
	p := &portal{e: e, req: req, account: account, session: s, cfg: cfg, customer: api.Str(s["customer"]),
		onBehalfOf: api.Str(s["on_behalf_of"])}
	_ = e.View(func(tx *store.Tx) error {
		p.byLogin = billingportal.LoginSession(tx, account, id)
		return nil
	})
	return p, true
}

// Portal serves GET (a view) and POST (a change) on a session's page.
func Portal(e Backend, w http.ResponseWriter, req *http.Request) {
	p, ok := openPortal(e, w, req)
	if !ok {
		return
	}
	q := req.URL.Query()
	view, sub := p.view(q.Get("view"), q.Get("subscription"))
	var failure *refusal
	var next string
	switch {
	case req.Method == http.MethodPost:
		_ = req.ParseForm()
		if s := req.PostForm.Get("subscription"); s != "" {
			sub = s
		}
		next, failure = p.act(req.PostForm)
	case q.Get("setup_intent") != "" && p.enabled("payment_method_update"):
		// Back from a card's 3-D Secure page.
		next, failure = p.afterSetup(q.Get("setup_intent"))
	}
	if failure == nil && next != "" {
		http.Redirect(w, req, next, http.StatusSeeOther)
		return
	}
	p.render(w, view, sub, failure)
}

// view is the view to show: the one asked for, else the session's flow's,
// else the homepage; with the subscription it is about.
func (p *portal) view(asked, sub string) (string, string) {
	if asked != "" {
		return asked, sub
	}
	flow := api.Obj(p.session["flow"])
	switch t := api.Str(flow["type"]); t {
	case "payment_method_update":
		return "payment_methods", ""
	case "subscription_cancel":
		return "cancel", api.Str(api.Obj(flow[t])["subscription"])
	case "subscription_update":
		return "update", api.Str(api.Obj(flow[t])["subscription"])
	case "subscription_update_confirm":
		return "confirm", api.Str(api.Obj(flow[t])["subscription"])
	}
	return "home", ""
}

// url is the page's address for a view (about a subscription).
func (p *portal) url(view, sub string) string {
	u := url.URL{Scheme: "http", Host: p.req.Host, Path: p.req.URL.Path}
	q := url.Values{}
	if p.account != "" {
		q.Set("account", p.account)
	}
	if view != "" {
		q.Set("view", view)
	}
	if sub != "" {
		q.Set("subscription", sub)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func (p *portal) feature(name string) Object {
	return api.Obj(api.Obj(p.cfg["features"])[name])
}

func (p *portal) enabled(name string) bool { return api.Bool(p.feature(name)["enabled"]) }

// call makes one API request for the customer; a refusal carries the
// API's status and message.
func (p *portal) call(method, path string, form url.Values) (Object, *refusal) {
	status, body, err := p.e.Call(method, path, form, p.account)
	if err != nil {
		return nil, refuse(http.StatusInternalServerError, "%v", err)
	}
	if status != http.StatusOK {
		if status < 400 || status > 499 {
			status = http.StatusBadGateway
		}
		return nil, refuse(status, "%v", api.Obj(body["error"])["message"])
	}
	return body, nil
}

// list is the data of a list request.
func (p *portal) list(path string, form url.Values) []Object {
	form.Set("limit", "100")
	body, failed := p.call("GET", path, form)
	if failed != nil {
		return nil
	}
	data, _ := body["data"].([]any)
	out := make([]Object, 0, len(data))
	for _, o := range data {
		out = append(out, api.Obj(o))
	}
	return out
}

// subscription is one of the customer's subscriptions that has not ended.
func (p *portal) subscription(id string) (Object, *refusal) {
	sub, ok := p.e.GetIn(p.account, id)
	if !ok || sub["object"] != "subscription" || sub["customer"] != p.customer || !p.shown(sub) {
		return nil, refuse(http.StatusNotFound, "No such subscription: %s", id)
	}
	if st := sub["status"]; st == "canceled" || st == "incomplete_expired" {
		return nil, refuse(http.StatusBadRequest, "The subscription %s has ended.", id)
	}
	return sub, nil
}

func subItems(sub Object) []Object {
	data, _ := api.Obj(sub["items"])["data"].([]any)
	out := make([]Object, 0, len(data))
	for _, it := range data {
		out = append(out, api.Obj(it))
	}
	return out
}

// live is whether a subscription is one the portal lets the customer
// change (an incomplete one waits for its first payment).
func live(sub Object) bool {
	st := sub["status"]
	return st == "active" || st == "trialing" || st == "past_due"
}

func canceling(sub Object) bool {
	return api.Bool(sub["cancel_at_period_end"]) || sub["cancel_at"] != nil
}

// changeable is the live subscription form names, if the portal offers
// feature (what, in its refusal) at all.
func (p *portal) changeable(feature, what string, form url.Values) (Object, *refusal) {
	if !p.enabled(feature) {
		return nil, refuse(http.StatusForbidden, "This portal does not offer %s (features[%s][enabled] is false).", what, feature)
	}
	sub, failed := p.subscription(form.Get("subscription"))
	if failed != nil {
		return nil, failed
	}
	if !live(sub) {
		return nil, refuse(http.StatusBadRequest, "The subscription %s is %s: the portal cannot change it.", sub["id"], sub["status"])
	}
	return sub, nil
}

// act makes the change a form asks for and answers where the browser goes
// next.
func (p *portal) act(form url.Values) (string, *refusal) {
	switch action := form.Get("action"); action {
	case "cancel", "renew", "accept_offer":
		sub, failed := p.changeable("subscription_cancel", "cancellations", form)
		if failed != nil {
			return "", failed
		}
		switch action {
		case "cancel":
			return p.cancel(sub, form)
		case "renew":
			return p.renew(sub)
		default:
			return p.acceptOffer(sub)
		}
	case "update", "confirm_update":
		sub, failed := p.changeable("subscription_update", "plan changes", form)
		if failed != nil {
			return "", failed
		}
		if action == "confirm_update" {
			return p.confirmUpdate(sub)
		}
		return p.update(sub, form)
	case "add_card", "set_default", "detach":
		if !p.enabled("payment_method_update") {
			return "", refuse(http.StatusForbidden, "This portal does not offer payment method updates (features[payment_method_update][enabled] is false).")
		}
		switch action {
		case "add_card":
			return p.addCard(form.Get("payment_method"))
		case "set_default":
			return p.setDefault(form.Get("payment_method"))
		default:
			return p.detach(form.Get("payment_method"))
		}
	case "update_customer":
		if !p.enabled("customer_update") {
			return "", refuse(http.StatusForbidden, "This portal does not offer customer updates (features[customer_update][enabled] is false).")
		}
		return p.updateCustomer(form)
	default:
		return "", refuse(http.StatusBadRequest, "Unknown action %q.", action)
	}
}

// completed is where the browser goes once a change of kind (the flow
// type it completes) is made to sub: a flow of that kind on that
// subscription follows its after_completion; anything else goes back to
// the homepage.
func (p *portal) completed(kind, sub string) string {
	flow := api.Obj(p.session["flow"])
	t := api.Str(flow["type"])
	if t == "subscription_update_confirm" {
		t = "subscription_update"
	}
	if flow == nil || t != kind {
		return p.url("home", "")
	}
	if detail := api.Obj(flow[api.Str(flow["type"])]); detail != nil && api.Str(detail["subscription"]) != sub {
		return p.url("home", "")
	}
	done := api.Obj(flow["after_completion"])
	switch done["type"] {
	case "redirect":
		return api.Str(api.Obj(done["redirect"])["return_url"])
	case "hosted_confirmation":
		return p.url("done", "")
	}
	return p.url("home", "")
}

// cancel cancels sub as the configuration says: at the period's end (an
// update setting cancel_at_period_end) or now (a cancellation, prorated
// when configured), with the reason the customer picked as
// cancellation_details[feedback].
func (p *portal) cancel(sub Object, form url.Values) (string, *refusal) {
	id := api.Str(sub["id"])
	cfg := p.feature("subscription_cancel")
	if canceling(sub) && cfg["mode"] != "immediately" {
		return "", refuse(http.StatusBadRequest, "The subscription %s is already set to cancel.", id)
	}
	reasons := api.Obj(cfg["cancellation_reason"])
	call := url.Values{}
	if reason := form.Get("reason"); reason != "" {
		if !api.Bool(reasons["enabled"]) || !slices.Contains(api.Strs(reasons["options"]), reason) {
			return "", refuse(http.StatusBadRequest, "%q is not one of the cancellation reasons this portal offers.", reason)
		}
		call.Set("cancellation_details[feedback]", reason)
	}
	if cfg["mode"] == "immediately" {
		if cfg["proration_behavior"] == "create_prorations" {
			call.Set("prorate", "true")
		}
		if _, failed := p.call("DELETE", "/v1/subscriptions/"+id, call); failed != nil {
			return "", failed
		}
	} else {
		call.Set("cancel_at_period_end", "true")
		if _, failed := p.call("POST", "/v1/subscriptions/"+id, call); failed != nil {
			return "", failed
		}
	}
	return p.completed("subscription_cancel", id), nil
}

// renew undoes a cancellation the subscription is set for.
func (p *portal) renew(sub Object) (string, *refusal) {
	id := api.Str(sub["id"])
	if !canceling(sub) {
		return "", refuse(http.StatusBadRequest, "The subscription %s is not set to cancel.", id)
	}
	call := url.Values{"cancel_at_period_end": {"false"}}
	if !api.Bool(sub["cancel_at_period_end"]) {
		call = url.Values{"cancel_at": {""}}
	}
	if _, failed := p.call("POST", "/v1/subscriptions/"+id, call); failed != nil {
		return "", failed
	}
	return p.url("home", ""), nil
}

// retention is the coupon a cancellation flow for sub offers, if any.
func (p *portal) retention(sub string) string {
	flow := api.Obj(p.session["flow"])
	detail := api.Obj(flow["subscription_cancel"])
	if flow["type"] != "subscription_cancel" || api.Str(detail["subscription"]) != sub {
		return ""
	}
	return api.Str(api.Obj(api.Obj(detail["retention"])["coupon_offer"])["coupon"])
}

// acceptOffer applies the cancellation flow's retention coupon instead of
// cancelling; the flow is done.
func (p *portal) acceptOffer(sub Object) (string, *refusal) {
	id := api.Str(sub["id"])
	coupon := p.retention(id)
	if coupon == "" {
		return "", refuse(http.StatusBadRequest, "This portal session offers no coupon for %s.", id)
	}
	if _, failed := p.call("POST", "/v1/subscriptions/"+id, url.Values{"discounts[0][coupon]": {coupon}}); failed != nil {
		return "", failed
	}
	return p.completed("subscription_cancel", id), nil
}

// switchable is a product the configuration lets customers switch to.
type switchable struct {
	product      string
	prices       []string
	adjustable   bool
	min, max     int64 // max 0: no maximum
	hasPriceList bool
}

func (p *portal) products() []switchable {
	var out []switchable
	list, _ := p.feature("subscription_update")["products"].([]any)
	for _, raw := range list {
		o := api.Obj(raw)
		adj := api.Obj(o["adjustable_quantity"])
		out = append(out, switchable{product: api.Str(o["product"]), prices: api.Strs(o["prices"]), adjustable: api.Bool(adj["enabled"]),
			min: api.Int(adj["minimum"]), max: api.Int(adj["maximum"]), hasPriceList: true})
	}
	return out
}

// billable reports whether the price id can bill sub: in the
// subscription's currency, its own or one of its currency_options (a
// subscription never changes currency, so Stripe's plan switcher offers
// no other).
func (p *portal) billable(id string, sub Object) bool {
	price, ok := p.e.GetIn(p.account, id)
	if !ok {
		return false
	}
	if cur := api.Str(sub["currency"]); cur == "" || price["currency"] == cur {
		return true
	}
	full, failed := p.call("GET", "/v1/prices/"+id, url.Values{"expand[]": {"currency_options"}})
	if failed != nil {
		return false
	}
	_, ok = api.Obj(full["currency_options"])[api.Str(sub["currency"])]
	return ok
}

// productOf is the configured product that lists price.
func (p *portal) productOf(price string) (switchable, bool) {
	for _, s := range p.products() {
		if slices.Contains(s.prices, price) {
			return s, true
		}
	}
	return switchable{}, false
}

// update switches sub's single item to the price and quantity the
// customer picked, with a promotion code, as far as the configuration's
// default_allowed_updates allow, prorating as it says.
func (p *portal) update(sub Object, form url.Values) (string, *refusal) {
	id := api.Str(sub["id"])
	items := subItems(sub)
	if len(items) != 1 {
		return "", refuse(http.StatusBadRequest, "The subscription %s has more than one item; the portal can only update subscriptions with a single item.", id)
	}
	if canceling(sub) {
		return "", refuse(http.StatusBadRequest, "The subscription %s is set to cancel; renew it before changing the plan.", id)
	}
	allowed := api.Strs(p.feature("subscription_update")["default_allowed_updates"])
	item := items[0]
	curPrice, curQty := api.Str(api.Obj(item["price"])["id"]), api.Int(item["quantity"])
	price, qty := curPrice, curQty
	if v := form.Get("price"); v != "" {
		price = v
	}
	if v := form.Get("quantity"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return "", refuse(http.StatusBadRequest, "Invalid quantity %q.", v)
		}
		qty = n
	}
	code := strings.TrimSpace(form.Get("promotion_code"))
	switch {
	case price != curPrice && !slices.Contains(allowed, "price"):
		return "", refuse(http.StatusForbidden, "This portal does not let customers change their price (features[subscription_update][default_allowed_updates]).")
	case qty != curQty && !slices.Contains(allowed, "quantity"):
		return "", refuse(http.StatusForbidden, "This portal does not let customers change their quantity (features[subscription_update][default_allowed_updates]).")
	case code != "" && !slices.Contains(allowed, "promotion_code"):
		return "", refuse(http.StatusForbidden, "This portal does not take promotion codes (features[subscription_update][default_allowed_updates]).")
	case price == curPrice && qty == curQty && code == "":
		return "", refuse(http.StatusBadRequest, "Nothing to change: pick another plan or quantity.")
	}
	product, listed := p.productOf(price)
	if !listed || !p.billable(price, sub) {
		return "", refuse(http.StatusBadRequest, "The price %s is not one this portal offers.", price)
	}
	if qty != curQty || price != curPrice {
		if qty != curQty && !product.adjustable {
			return "", refuse(http.StatusBadRequest, "The quantity of %s cannot be changed.", product.product)
		}
		if product.adjustable && (qty < product.min || product.max > 0 && qty > product.max) {
			return "", refuse(http.StatusBadRequest, "The quantity must be between %d and %s.", product.min, maxText(product.max))
		}
	}
	call := url.Values{"items[0][id]": {api.Str(item["id"])}, "proration_behavior": {api.Str(p.feature("subscription_update")["proration_behavior"])}}
	if price != curPrice {
		call.Set("items[0][price]", price)
	}
	if qty != curQty {
		call.Set("items[0][quantity]", strconv.FormatInt(qty, 10))
	}
	if price != curPrice || qty != curQty {
		endTrial(sub, call)
	}
	if code != "" {
		promo, failed := p.promotionCode(code)
		if failed != nil {
			return "", failed
		}
		call.Set("discounts[0][promotion_code]", promo)
	}
	if failed := p.scheduledChange(item, price, qty); failed != nil {
		return "", failed
	}
	if _, failed := p.call("POST", "/v1/subscriptions/"+id, call); failed != nil {
		return "", failed
	}
	return p.completed("subscription_update", id), nil
}

// endTrial ends a trialing subscription's trial with a change of its
// plan: at 2025-08-27.basil Stripe's portal ends "all trials" when a
// subscription is upgraded or downgraded there (trial_update_behavior,
// which lets a trial continue, came with 2025-09-30.clover).
func endTrial(sub Object, call url.Values) {
	if sub["status"] == "trialing" {
		call.Set("trial_end", "now")
	}
}

func maxText(max int64) string {
	if max == 0 {
		return "any number"
	}
	return strconv.FormatInt(max, 10)
}

// promotionCode is the id of the active promotion code the customer typed.
func (p *portal) promotionCode(code string) (string, *refusal) {
	for _, promo := range p.list("/v1/promotion_codes", url.Values{"code": {code}, "active": {"true"}}) {
		if c := api.Str(promo["customer"]); c == "" || c == p.customer {
			return api.Str(promo["id"]), nil
		}
	}
	return "", refuse(http.StatusBadRequest, "The promotion code %q is invalid.", code)
}

// scheduledChange refuses a change the configuration's
// schedule_at_period_end conditions would have Stripe schedule for the
// period's end (through a subscription schedule), which the portal page
// does not emulate.
func (p *portal) scheduledChange(item Object, price string, qty int64) *refusal {
	conds, _ := api.Obj(p.feature("subscription_update")["schedule_at_period_end"])["conditions"].([]any)
	if len(conds) == 0 {
		return nil
	}
	cur := api.Obj(item["price"])
	next, _ := p.e.GetIn(p.account, price)
	for _, c := range conds {
		switch api.Obj(c)["type"] {
		case "decreasing_item_amount":
			if api.Int(next["unit_amount"])*qty < api.Int(cur["unit_amount"])*api.Int(item["quantity"]) {
				return refuse(http.StatusBadRequest, "stripe-emu does not emulate changes the portal schedules for the end of the period (features[subscription_update][schedule_at_period_end]): this one lowers the item's amount.")
			}
		case "shortening_interval":
			if intervalDays(next) < intervalDays(cur) {
				return refuse(http.StatusBadRequest, "stripe-emu does not emulate changes the portal schedules for the end of the period (features[subscription_update][schedule_at_period_end]): this one shortens the billing interval.")
			}
		}
	}
	return nil
}

// intervalDays is a recurring price's interval, roughly, in days.
func intervalDays(price Object) int64 {
	r := api.Obj(price["recurring"])
	days := map[string]int64{"day": 1, "week": 7, "month": 30, "year": 365}[api.Str(r["interval"])]
	return days * max(api.Int(r["interval_count"]), 1)
}

// confirmUpdate makes the change a subscription_update_confirm flow
// names: its item's price and quantity and its discount.
func (p *portal) confirmUpdate(sub Object) (string, *refusal) {
	id := api.Str(sub["id"])
	flow := api.Obj(p.session["flow"])
	detail := api.Obj(flow["subscription_update_confirm"])
	if flow["type"] != "subscription_update_confirm" || api.Str(detail["subscription"]) != id {
		return "", refuse(http.StatusBadRequest, "This portal session has no update of %s to confirm.", id)
	}
	call := url.Values{"proration_behavior": {api.Str(p.feature("subscription_update")["proration_behavior"])}}
	items, _ := detail["items"].([]any)
	for i, raw := range items {
		it := api.Obj(raw)
		prefix := fmt.Sprintf("items[%d]", i)
		call.Set(prefix+"[id]", api.Str(it["id"]))
		if pr := api.Str(it["price"]); pr != "" {
			call.Set(prefix+"[price]", pr)
		}
		if q, ok := it["quantity"]; ok && q != nil {
			call.Set(prefix+"[quantity]", fmt.Sprint(api.Int(q)))
		}
		// A confirmed change follows the configuration's
		// schedule_at_period_end conditions as the plan switcher's does.
		for _, cur := range subItems(sub) {
			if cur["id"] != it["id"] {
				continue
			}
			price, qty := api.Str(api.Obj(cur["price"])["id"]), api.Int(cur["quantity"])
			if pr := api.Str(it["price"]); pr != "" {
				price = pr
			}
			if q, ok := it["quantity"]; ok && q != nil {
				qty = api.Int(q)
			}
			if failed := p.scheduledChange(cur, price, qty); failed != nil {
				return "", failed
			}
		}
	}
	if len(items) > 0 {
		endTrial(sub, call)
	}
	discounts, _ := detail["discounts"].([]any)
	for i, raw := range discounts {
		d := api.Obj(raw)
		if c := api.Str(d["coupon"]); c != "" {
			call.Set(fmt.Sprintf("discounts[%d][coupon]", i), c)
		} else {
			call.Set(fmt.Sprintf("discounts[%d][promotion_code]", i), api.Str(d["promotion_code"]))
		}
	}
	if _, failed := p.call("POST", "/v1/subscriptions/"+id, call); failed != nil {
		return "", failed
	}
	return p.completed("subscription_update", id), nil
}

// addCard saves a test card as Stripe's portal does, with a SetupIntent
// confirmed for the customer (3-D Secure through the test page and back
// here), then makes it the default for the customer's invoices.
func (p *portal) addCard(pm string) (string, *refusal) {
	if !slices.ContainsFunc(portalCards, func(m method) bool { return m.ID == pm }) {
		return "", refuse(http.StatusBadRequest, "Unknown test card %q.", pm)
	}
	si, failed := p.call("POST", "/v1/setup_intents", url.Values{"customer": {p.customer}, "payment_method": {pm}, "confirm": {"true"},
		"usage": {"off_session"}, "payment_method_types[]": {"card"}, "return_url": {p.url("payment_methods", "")}})
	if failed != nil {
		return "", failed
	}
	if u := api.Str(api.Obj(api.Obj(si["next_action"])["redirect_to_url"])["url"]); u != "" {
		return u, nil
	}
	return p.afterSetup(api.Str(si["id"]))
}

// afterSetup finishes adding a card once its SetupIntent is done.
func (p *portal) afterSetup(id string) (string, *refusal) {
	si, ok := p.e.GetIn(p.account, id)
	if !ok || si["object"] != "setup_intent" || si["customer"] != p.customer {
		return "", refuse(http.StatusNotFound, "No such setup_intent: %s", id)
	}
	if si["status"] != "succeeded" {
		msg := api.Str(api.Obj(si["last_setup_error"])["message"])
		if msg == "" {
			msg = "The card was not saved: its setup is " + api.Str(si["status"]) + "."
		}
		return "", refuse(http.StatusPaymentRequired, "%s", msg)
	}
	return p.setDefault(api.Str(si["payment_method"]))
}

// customerMethod is one of the customer's payment methods.
func (p *portal) customerMethod(id string) *refusal {
	pm, ok := p.e.GetIn(p.account, id)
	if !ok || pm["object"] != "payment_method" || pm["customer"] != p.customer {
		return refuse(http.StatusNotFound, "No such payment method: %s", id)
	}
	return nil
}

func (p *portal) setDefault(pm string) (string, *refusal) {
	if failed := p.customerMethod(pm); failed != nil {
		return "", failed
	}
	if _, failed := p.call("POST", "/v1/customers/"+p.customer, url.Values{"invoice_settings[default_payment_method]": {pm}}); failed != nil {
		return "", failed
	}
	return p.completed("payment_method_update", ""), nil
}

func (p *portal) detach(pm string) (string, *refusal) {
	if failed := p.customerMethod(pm); failed != nil {
		return "", failed
	}
	cus, _ := p.e.GetIn(p.account, p.customer)
	if api.Str(api.Obj(cus["invoice_settings"])["default_payment_method"]) == pm {
		return "", refuse(http.StatusBadRequest, "The default payment method cannot be removed; make another one the default first.")
	}
	// Stripe: "If your customer has an active subscription the portal
	// requires them to maintain at least one payment method for that
	// subscription to charge" (a Checkout-made subscription's card is
	// its own default, not the customer's).
	if len(p.list("/v1/customers/"+p.customer+"/payment_methods", url.Values{})) <= 1 {
		for _, s := range p.list("/v1/subscriptions", url.Values{"customer": {p.customer}}) {
			if live(s) {
				return "", refuse(http.StatusBadRequest, "This payment method pays an active subscription; add another one before removing it.")
			}
		}
	}
	if _, failed := p.call("POST", "/v1/payment_methods/"+pm+"/detach", url.Values{}); failed != nil {
		return "", failed
	}
	return p.url("payment_methods", ""), nil
}

// customerFields are the customer's details the portal edits, by the
// allowed_updates value that lets the customer change them.
var customerFields = []struct{ update, param, label string }{
	{"name", "name", "Name"}, {"email", "email", "Email"}, {"phone", "phone", "Phone"},
	{"address", "address[line1]", "Address line 1"}, {"address", "address[line2]", "Address line 2"},
	{"address", "address[city]", "City"}, {"address", "address[state]", "State"},
	{"address", "address[postal_code]", "Postal code"}, {"address", "address[country]", "Country"},
	{"shipping", "shipping[name]", "Shipping name"}, {"shipping", "shipping[phone]", "Shipping phone"},
	{"shipping", "shipping[address][line1]", "Shipping address line 1"}, {"shipping", "shipping[address][line2]", "Shipping address line 2"},
	{"shipping", "shipping[address][city]", "Shipping city"}, {"shipping", "shipping[address][state]", "Shipping state"},
	{"shipping", "shipping[address][postal_code]", "Shipping postal code"}, {"shipping", "shipping[address][country]", "Shipping country"},
}

// customerUpdates are the customer details the customer may change: the
// configuration's allowed_updates, but never the email in a session opened
// from the login page (Stripe: "Customers can't update their email
// address through this link.").
func (p *portal) customerUpdates() []string {
	allowed := api.Strs(p.feature("customer_update")["allowed_updates"])
	if p.byLogin {
		allowed = slices.DeleteFunc(allowed, func(u string) bool { return u == "email" })
	}
	return allowed
}

// updateCustomer saves the details the customer changed, each one the
// configuration's allowed_updates allows; a tax ID is added beside them.
func (p *portal) updateCustomer(form url.Values) (string, *refusal) {
	allowed := p.customerUpdates()
	cus, _ := p.e.GetIn(p.account, p.customer)
	call := url.Values{}
	changed := map[string]bool{}
	for _, f := range customerFields {
		v, sent := form[f.param]
		if !sent || v[0] == customerValue(cus, f.param) {
			continue
		}
		if !slices.Contains(allowed, f.update) {
			return "", refuse(http.StatusForbidden, "This portal does not let customers change their %s (features[customer_update][allowed_updates]).", f.update)
		}
		changed[f.update] = true
	}
	// An address or shipping hash is sent whole, what the customer left
	// alone as it is: the API takes shipping only with its name, and a
	// hash sent in part would lose the lines not sent.
	for _, f := range customerFields {
		if !changed[f.update] {
			continue
		}
		v := customerValue(cus, f.param)
		if sent, ok := form[f.param]; ok {
			v = sent[0]
		}
		call.Set(f.param, v)
	}
	taxType, taxValue := form.Get("tax_id[type]"), form.Get("tax_id[value]")
	if taxValue != "" && !slices.Contains(allowed, "tax_id") {
		return "", refuse(http.StatusForbidden, "This portal does not let customers change their tax_id (features[customer_update][allowed_updates]).")
	}
	if len(call) == 0 && taxValue == "" {
		return "", refuse(http.StatusBadRequest, "Nothing to change.")
	}
	// The tax ID is checked before anything is saved: a refusal changes
	// nothing, not the details sent beside it.
	if taxValue != "" {
		if err := taxid.CheckTyped(taxType, taxValue, "tax_id"); err != nil {
			var se *apierr.Error
			if errors.As(err, &se) {
				return "", refuse(se.Status, "%s", se.Message)
			}
			return "", refuse(http.StatusBadRequest, "%v", err)
		}
	}
	if len(call) > 0 {
		if _, failed := p.call("POST", "/v1/customers/"+p.customer, call); failed != nil {
			return "", failed
		}
	}
	if taxValue != "" {
		if _, failed := p.call("POST", "/v1/customers/"+p.customer+"/tax_ids", url.Values{"type": {taxType}, "value": {taxValue}}); failed != nil {
			return "", failed
		}
	}
	return p.url("home", ""), nil
}

// customerValue is the customer's value of a form parameter
// ("address[city]").
func customerValue(cus Object, param string) string {
	var v any = cus
	for _, k := range strings.Split(strings.NewReplacer("]", "").Replace(param), "[") {
		v = api.Obj(v)[k]
	}
	return api.Str(v)
}

// Rendering.

type portalSub struct {
	ID, Status, When     string
	Name                 string // its items, naming its controls
	Items                []string
	CancelURL, UpdateURL string
	Renew, Canceling     bool
}

type portalMethod struct {
	ID, Label string
	Default   bool
}

type portalInvoice struct {
	Number, Date, Total, Status, URL string
}

type portalPrice struct {
	ID, Label string
	Current   bool
}

type portalField struct {
	Param, Label, Value string
}

// render writes a view of the page, with why a change was refused.
func (p *portal) render(w http.ResponseWriter, view, subID string, failure *refusal) {
	status := http.StatusOK
	profile := api.Obj(p.cfg["business_profile"])
	data := map[string]any{"View": view, "Return": p.session["return_url"], "Home": p.url("home", ""),
		"Headline": profile["headline"], "Privacy": profile["privacy_policy_url"], "Terms": profile["terms_of_service_url"]}
	if failure != nil {
		status, data["Failure"] = failure.status, failure.msg
	}
	cus, _ := p.e.GetIn(p.account, p.customer)
	data["Customer"] = firstString(cus["name"], cus["email"], p.customer)
	switch view {
	case "home":
		var subs []portalSub
		for _, s := range p.list("/v1/subscriptions", url.Values{"customer": {p.customer}}) {
			if !p.shown(s) {
				continue
			}
			subs = append(subs, p.describe(s))
		}
		data["Subscriptions"] = subs
		p.methods(data, cus)
		p.details(data, cus)
		if p.enabled("invoice_history") {
			var invoices []portalInvoice
			for _, inv := range p.list("/v1/invoices", url.Values{"customer": {p.customer}}) {
				if inv["status"] == "draft" || !p.shown(inv) {
					continue
				}
				invoices = append(invoices, portalInvoice{Number: api.Str(inv["number"]), Date: pageDate(api.Int(inv["created"])),
					Total: moneyIn(api.Str(inv["currency"]))(inv["total"]), Status: api.Str(inv["status"]),
					URL: api.Str(inv["hosted_invoice_url"])})
			}
			data["Invoices"], data["InvoiceHistory"] = invoices, true
		}
	case "payment_methods":
		if !p.enabled("payment_method_update") {
			p.unavailable(w, "payment method updates")
			return
		}
		p.methods(data, cus)
	case "cancel", "update", "confirm":
		feature := map[string]string{"cancel": "subscription_cancel", "update": "subscription_update", "confirm": "subscription_update"}[view]
		if !p.enabled(feature) {
			p.unavailable(w, strings.ReplaceAll(feature, "_", " "))
			return
		}
		sub, failed := p.subscription(subID)
		if failed != nil {
			http.Error(w, failed.msg, failed.status)
			return
		}
		data["Subscription"] = p.describe(sub)
		switch view {
		case "cancel":
			p.cancelView(data, sub)
		case "update":
			p.updateView(data, sub)
		default:
			p.confirmView(data, sub)
		}
	case "done":
		msg := api.Str(api.Obj(api.Obj(api.Obj(p.session["flow"])["after_completion"])["hosted_confirmation"])["custom_message"])
		if msg == "" {
			msg = "Your changes have been saved."
		}
		data["Message"] = msg
	default:
		http.Error(w, "Unknown view "+view, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = portalTmpl.Execute(w, data)
}

func (p *portal) unavailable(w http.ResponseWriter, what string) {
	http.Error(w, "This portal does not offer "+what+".", http.StatusForbidden)
}

// describe is a subscription as the page lists it, with what the
// configuration lets the customer do with it.
func (p *portal) describe(sub Object) portalSub {
	out := portalSub{ID: api.Str(sub["id"]), Status: api.Str(sub["status"]), Canceling: canceling(sub)}
	items := subItems(sub)
	var end int64
	for _, it := range items {
		out.Items = append(out.Items, p.priceLabel(api.Obj(it["price"]))+fmt.Sprintf(" × %d", api.Int(it["quantity"])))
		end = api.Int(it["current_period_end"])
	}
	out.Name = strings.Join(out.Items, ", ")
	changeable := live(sub)
	switch {
	case sub["cancel_at"] != nil:
		out.When = "Cancels on " + pageDate(api.Int(sub["cancel_at"]))
	case out.Status == "trialing" && sub["trial_end"] != nil:
		out.When = "Trial ends on " + pageDate(api.Int(sub["trial_end"]))
	case changeable && end > 0:
		out.When = "Renews on " + pageDate(end)
	}
	if changeable && !out.Canceling && p.enabled("subscription_cancel") {
		out.CancelURL = p.url("cancel", out.ID)
	}
	out.Renew = changeable && out.Canceling && p.enabled("subscription_cancel")
	if changeable && !out.Canceling && len(items) == 1 && p.enabled("subscription_update") {
		out.UpdateURL = p.url("update", out.ID)
	}
	return out
}

// priceLabel is a price as the customer reads it: "Pro, 9.00 USD / month".
func (p *portal) priceLabel(price Object) string {
	name := api.Str(price["nickname"])
	if prod, ok := p.e.GetIn(p.account, api.Str(price["product"])); ok && name == "" {
		name = api.Str(prod["name"])
	}
	label := name + ", " + moneyIn(api.Str(price["currency"]))(price["unit_amount"])
	if r := api.Obj(price["recurring"]); r != nil {
		if n := api.Int(r["interval_count"]); n > 1 {
			label += fmt.Sprintf(" every %d %ss", n, api.Str(r["interval"]))
		} else {
			label += " / " + api.Str(r["interval"])
		}
	}
	return label
}

func (p *portal) methods(data map[string]any, cus Object) {
	if !p.enabled("payment_method_update") {
		return
	}
	def := api.Str(api.Obj(cus["invoice_settings"])["default_payment_method"])
	var out []portalMethod
	for _, pm := range p.list("/v1/customers/"+p.customer+"/payment_methods", url.Values{}) {
		label := api.Str(pm["type"])
		if card := api.Obj(pm["card"]); card != nil {
			label = fmt.Sprintf("%s •••• %s, expires %d/%d", api.Str(card["brand"]), api.Str(card["last4"]), api.Int(card["exp_month"]), api.Int(card["exp_year"]))
		}
		out = append(out, portalMethod{ID: api.Str(pm["id"]), Label: label, Default: api.Str(pm["id"]) == def})
	}
	data["PaymentMethods"], data["Cards"], data["MethodUpdate"] = out, portalCards, true
}

func (p *portal) details(data map[string]any, cus Object) {
	if !p.enabled("customer_update") {
		return
	}
	allowed := p.customerUpdates()
	var fields []portalField
	for _, f := range customerFields {
		if slices.Contains(allowed, f.update) {
			fields = append(fields, portalField{f.param, f.label, customerValue(cus, f.param)})
		}
	}
	data["Fields"], data["TaxID"], data["CustomerUpdate"] = fields, slices.Contains(allowed, "tax_id"), true
}

func (p *portal) cancelView(data map[string]any, sub Object) {
	cfg := p.feature("subscription_cancel")
	d := data["Subscription"].(portalSub)
	if cfg["mode"] == "immediately" {
		msg := "Your subscription will be canceled now."
		if cfg["proration_behavior"] == "create_prorations" {
			msg += " The unused time is credited to your account."
		}
		data["CancelNote"] = msg
	} else {
		end := int64(0)
		for _, it := range subItems(sub) {
			end = api.Int(it["current_period_end"])
		}
		data["CancelNote"] = "Your subscription will be canceled at the end of your billing period, on " + pageDate(end) + "; it stays available until then."
	}
	if d.Canceling && cfg["mode"] != "immediately" {
		data["CancelNote"] = "Your subscription is already set to cancel."
	}
	if reasons := api.Obj(cfg["cancellation_reason"]); api.Bool(reasons["enabled"]) {
		var opts [][2]string
		for _, o := range api.Strs(reasons["options"]) {
			opts = append(opts, [2]string{o, portalReasons[o]})
		}
		data["Reasons"] = opts
	}
	if coupon := p.retention(d.ID); coupon != "" {
		// A coupon's id carries no prefix to find it by: ask the API.
		c, _ := p.call("GET", "/v1/coupons/"+url.PathEscape(coupon), url.Values{})
		data["Offer"] = firstString(c["name"], coupon)
	}
}

func (p *portal) updateView(data map[string]any, sub Object) {
	allowed := api.Strs(p.feature("subscription_update")["default_allowed_updates"])
	items := subItems(sub)
	if len(items) != 1 {
		data["UpdateNote"] = "This subscription has more than one item; it cannot be changed here."
		return
	}
	cur := api.Str(api.Obj(items[0]["price"])["id"])
	if slices.Contains(allowed, "price") {
		var prices []portalPrice
		for _, prod := range p.products() {
			for _, id := range prod.prices {
				if !p.billable(id, sub) {
					continue
				}
				pr, _ := p.e.GetIn(p.account, id)
				prices = append(prices, portalPrice{ID: id, Label: p.priceLabel(pr), Current: id == cur})
			}
		}
		data["Prices"] = prices
	}
	if slices.Contains(allowed, "quantity") {
		data["Quantity"] = api.Int(items[0]["quantity"])
	}
	data["Promo"] = slices.Contains(allowed, "promotion_code")
	if len(allowed) == 0 {
		data["UpdateNote"] = "Nothing about this subscription can be changed here."
	}
}

func (p *portal) confirmView(data map[string]any, sub Object) {
	detail := api.Obj(api.Obj(p.session["flow"])["subscription_update_confirm"])
	if api.Str(detail["subscription"]) != api.Str(sub["id"]) {
		data["UpdateNote"] = "There is no change of this subscription to confirm."
		return
	}
	var lines []string
	items, _ := detail["items"].([]any)
	for _, raw := range items {
		it := api.Obj(raw)
		line := "Item " + api.Str(it["id"])
		if pr := api.Str(it["price"]); pr != "" {
			price, _ := p.e.GetIn(p.account, pr)
			line += ": " + p.priceLabel(price)
		}
		if q, ok := it["quantity"]; ok && q != nil {
			line += fmt.Sprintf(", quantity %d", api.Int(q))
		}
		lines = append(lines, line)
	}
	data["Confirm"] = lines
}

var portalTmpl = template.Must(template.New("portal").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Customer portal (stripe-emu)</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto}section{margin:2rem 0}button{margin:.2rem 0;padding:.4rem .8rem}.failure{color:#b00}label{display:block;margin:.3rem 0}</style></head>
<body><h1>{{if .Headline}}{{.Headline}}{{else}}Manage your billing{{end}}</h1>
<p>Signed in as {{.Customer}}.{{if .Return}} <a class="return" href="{{.Return}}">Return</a>{{end}}</p>
{{if .Failure}}<p class="failure" role="alert">{{.Failure}}</p>{{end}}
{{if eq .View "home"}}
<section id="subscriptions"><h2>Current plan</h2>
{{range .Subscriptions}}<div class="subscription" id="{{.ID}}"><p>{{range .Items}}{{.}}<br>{{end}}<span class="status">{{.Status}}</span>{{if .When}} · <span class="when">{{.When}}</span>{{end}}</p>
{{if .UpdateURL}}<a class="update" href="{{.UpdateURL}}" aria-label="Update plan {{.Name}}">Update plan</a>{{end}}
{{if .CancelURL}}<a class="cancel" href="{{.CancelURL}}" aria-label="Cancel plan {{.Name}}">Cancel plan</a>{{end}}
{{if .Renew}}<form method="post"><input type="hidden" name="subscription" value="{{.ID}}"><button name="action" value="renew" aria-label="Renew plan {{.Name}}">Renew plan</button></form>{{end}}</div>
{{else}}<p>No subscriptions.</p>{{end}}</section>
{{end}}
{{if and .MethodUpdate (or (eq .View "home") (eq .View "payment_methods"))}}
<section id="payment_methods"><h2>Payment methods</h2>
{{range .PaymentMethods}}<form method="post"><input type="hidden" name="payment_method" value="{{.ID}}">{{.Label}}{{if .Default}} <strong class="default">Default</strong>{{else}} <button name="action" value="set_default" aria-label="Make default {{.Label}}">Make default</button> <button name="action" value="detach" aria-label="Delete {{.Label}}">Delete</button>{{end}}</form>
{{end}}<form method="post"><input type="hidden" name="action" value="add_card">{{range .Cards}}<button name="payment_method" value="{{.ID}}">{{.Label}}</button> {{end}}</form></section>
{{end}}
{{if and (eq .View "home") .CustomerUpdate}}
<section id="customer"><h2>Billing information</h2><form method="post">
{{range .Fields}}<label>{{.Label}} <input name="{{.Param}}" value="{{.Value}}"></label>{{end}}
{{if .TaxID}}<label>Tax ID type <input name="tax_id[type]" placeholder="eu_vat"></label><label>Tax ID <input name="tax_id[value]"></label>{{end}}
<button name="action" value="update_customer">Save</button></form></section>
{{end}}
{{if .InvoiceHistory}}
<section id="invoices"><h2>Invoice history</h2>
{{range .Invoices}}<p class="invoice"><a href="{{.URL}}">{{.Number}}</a> {{.Date}} {{.Total}} <span class="status">{{.Status}}</span></p>
{{else}}<p>No invoices.</p>{{end}}</section>
{{end}}
{{if eq .View "cancel"}}{{with .Subscription}}
<section id="cancel"><h2>Cancel your plan</h2><p>{{range .Items}}{{.}}<br>{{end}}</p>{{end}}
<p>{{.CancelNote}}</p>
{{if .Offer}}<form method="post"><input type="hidden" name="subscription" value="{{.Subscription.ID}}"><p>Stay and get {{.Offer}}.</p><button name="action" value="accept_offer">Accept offer</button></form>{{end}}
<form method="post"><input type="hidden" name="subscription" value="{{.Subscription.ID}}">
{{range .Reasons}}<label><input type="radio" name="reason" value="{{index . 0}}"> {{index . 1}}</label>{{end}}
<button name="action" value="cancel">Cancel plan</button></form>
<p><a href="{{.Home}}">Go back</a></p></section>
{{end}}
{{if eq .View "update"}}
<section id="update"><h2>Update your plan</h2>{{with .Subscription}}<p>Now: {{range .Items}}{{.}}<br>{{end}}</p>{{end}}
{{if .UpdateNote}}<p>{{.UpdateNote}}</p>{{else}}<form method="post"><input type="hidden" name="subscription" value="{{.Subscription.ID}}">
{{range .Prices}}<label><input type="radio" name="price" value="{{.ID}}"{{if .Current}} checked{{end}}> {{.Label}}{{if .Current}} (current){{end}}</label>{{end}}
{{if .Quantity}}<label>Quantity <input type="number" name="quantity" value="{{.Quantity}}"></label>{{end}}
{{if .Promo}}<label>Promotion code <input name="promotion_code"></label>{{end}}
<button name="action" value="update">Update plan</button></form>{{end}}
<p><a href="{{.Home}}">Go back</a></p></section>
{{end}}
{{if eq .View "confirm"}}
<section id="confirm"><h2>Confirm your new plan</h2>
{{if .UpdateNote}}<p>{{.UpdateNote}}</p>{{else}}<p>{{range .Confirm}}{{.}}<br>{{end}}</p>
<form method="post"><input type="hidden" name="subscription" value="{{.Subscription.ID}}"><button name="action" value="confirm_update">Confirm</button></form>{{end}}</section>
{{end}}
{{if eq .View "done"}}<section id="done"><p class="message">{{.Message}}</p><p><a href="{{.Home}}">Back to the portal</a></p></section>{{end}}
{{if or .Privacy .Terms}}<footer>{{if .Terms}}<a class="terms" href="{{.Terms}}">Terms</a> {{end}}{{if .Privacy}}<a class="privacy" href="{{.Privacy}}">Privacy</a>{{end}}</footer>{{end}}
</body></html>
`))

// PortalLogin is a configuration's login_page.url: the customer types
// their email and is sent into a new portal session of that
// configuration. Stripe first emails a one-time code to that address;
// the emulator, sending no email, lets the customer straight in.
func PortalLogin(e Backend, w http.ResponseWriter, req *http.Request) {
	token := mux.Vars(req)["token"]
	account := req.URL.Query().Get("account")
	var cfg Object
	for after := ""; cfg == nil; {
		q := url.Values{"limit": {"100"}}
		if after != "" {
			q.Set("starting_after", after)
		}
		status, body, err := e.Call("GET", "/v1/billing_portal/configurations", q, account)
		if err != nil || status != http.StatusOK {
			http.Error(w, fmt.Sprint("The portal's configurations cannot be read: ", err, body["error"]), http.StatusInternalServerError)
			return
		}
		data, _ := body["data"].([]any)
		for _, o := range data {
			u, err := url.Parse(api.Str(api.Obj(api.Obj(o)["login_page"])["url"]))
			if err == nil && u.Path == billingportal.LoginPath+token {
				cfg = api.Obj(o)
			}
		}
		if !api.Bool(body["has_more"]) || len(data) == 0 {
			break
		}
		after = api.Str(api.Obj(data[len(data)-1])["id"])
	}
	if cfg == nil {
		http.Error(w, "This login link is not active.", http.StatusNotFound)
		return
	}
	var failure string
	status := http.StatusOK
	if req.Method == http.MethodPost {
		_ = req.ParseForm()
		next, code, msg := portalLogin(e, cfg, account, strings.TrimSpace(req.PostForm.Get("email")))
		if next != "" {
			http.Redirect(w, req, next, http.StatusSeeOther)
			return
		}
		status, failure = code, msg
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = portalLoginTmpl.Execute(w, map[string]any{"Headline": api.Obj(cfg["business_profile"])["headline"], "Failure": failure})
}

// portalLogin opens a session of cfg for the customer with email,
// answering its URL, or the status and message of a refusal. Stripe's
// no-code portal guide: of several customers with the email, "the most
// recently created customer that has both that email and an active
// subscription" (the emulator counts active, trialing and past due ones;
// with none subscribed, the newest customer of the email). The session is
// marked as opened by the login page, where the email cannot be changed.
func portalLogin(e Backend, cfg Object, account, email string) (string, int, string) {
	if email == "" {
		return "", http.StatusBadRequest, "Enter your email."
	}
	var chosen, newest string
	q := url.Values{"email": {email}, "limit": {"100"}}
	for chosen == "" {
		status, body, err := e.Call("GET", "/v1/customers", q, account)
		if err != nil || status != http.StatusOK {
			return "", http.StatusInternalServerError, fmt.Sprint("The customers cannot be read: ", err, body["error"])
		}
		data, _ := body["data"].([]any)
		for _, o := range data {
			id := api.Str(api.Obj(o)["id"])
			if newest == "" {
				newest = id
			}
			if subscribed(e, account, id) {
				chosen = id
				break
			}
		}
		if !api.Bool(body["has_more"]) || len(data) == 0 {
			break
		}
		q.Set("starting_after", api.Str(api.Obj(data[len(data)-1])["id"]))
	}
	if chosen == "" {
		chosen = newest
	}
	if chosen == "" {
		return "", http.StatusNotFound, "No customer has the email " + email + "."
	}
	status, body, err := e.Call("POST", "/v1/billing_portal/sessions", url.Values{"customer": {chosen},
		"configuration": {api.Str(cfg["id"])}}, account)
	if err != nil {
		return "", http.StatusInternalServerError, err.Error()
	}
	if status != http.StatusOK {
		return "", status, fmt.Sprint(api.Obj(body["error"])["message"])
	}
	if err := e.Update(func(tx *store.Tx) error { return billingportal.MarkLoginSession(tx, account, api.Str(body["id"])) }); err != nil {
		return "", http.StatusInternalServerError, err.Error()
	}
	return api.Str(body["url"]), 0, ""
}

// subscribed reports whether the customer has a live subscription
// (active, trialing or past due).
func subscribed(e Backend, account, customer string) bool {
	status, body, err := e.Call("GET", "/v1/subscriptions", url.Values{"customer": {customer}, "limit": {"100"}}, account)
	if err != nil || status != http.StatusOK {
		return false
	}
	data, _ := body["data"].([]any)
	for _, o := range data {
		if live(api.Obj(o)) {
			return true
		}
	}
	return false
}

var portalLoginTmpl = template.Must(template.New("portal-login").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Customer portal login (stripe-emu)</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto}.failure{color:#b00}</style></head>
<body><h1>{{if .Headline}}{{.Headline}}{{else}}Manage your billing{{end}}</h1>
{{if .Failure}}<p class="failure" role="alert">{{.Failure}}</p>{{end}}
<form method="post"><label>Email <input type="email" name="email"></label> <button>Continue</button></form>
</body></html>
`))
