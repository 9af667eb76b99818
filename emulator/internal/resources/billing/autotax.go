package billing

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/tax"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Automatic tax (Stripe Tax) on invoices: an invoice with
// automatic_tax[enabled]=true has every line taxed by Stripe Tax's
// decision for its customer (tax.Decide), in place of tax rates set by
// hand, and the rates a decision names apply through the same arithmetic
// (applyTaxes). Subscriptions, schedules, previews and quotes only say
// whether their invoices have it; the taxing is done here, once.

// autoTaxOn reports whether an invoice, subscription or schedule phase
// has automatic tax enabled.
func autoTaxOn(o store.Obj) bool { return api.Bool(api.Obj(o["automatic_tax"])["enabled"]) }

// AutoTaxParam reads automatic_tax[enabled] (and [liability]) at name in
// p, prefix naming it in errors: sent is false when nothing was sent.
// Enabling it needs Stripe Tax active (tax.Ready).
func AutoTaxParam(c *api.Call, p params.Values, name, prefix string) (on, sent bool, err error) {
	at, ok := p.Obj(name)
	if !ok {
		return false, false, nil
	}
	on, ok = at.Bool("enabled")
	if !ok {
		// Stripe requires it: without it the object would turn
		// automatic tax off.
		return false, true, apierr.MissingParam(prefix + "[enabled]")
	}
	if lia, ok := at.Obj("liability"); ok {
		if t, _ := lia.Str("type"); t != "self" {
			// A connected account liable for the tax (on_behalf_of
			// flows) is not emulated.
			lia.MarkRead("account")
			return false, true, apierr.InvalidRequest("stripe-emu emulates automatic tax only with the account itself liable (%s[liability][type]=self).", prefix).WithParam(prefix + "[liability][type]")
		}
	}
	if on {
		if err := tax.Ready(c); err != nil {
			return false, true, err
		}
	}
	return on, true, nil
}

// subscriptionAutoTax is automatic_tax as a subscription (or a schedule's
// settings) shows it.
func subscriptionAutoTax(on bool) store.Obj {
	if !on {
		return store.Obj{"disabled_reason": nil, "enabled": false, "liability": nil}
	}
	return store.Obj{"disabled_reason": nil, "enabled": true, "liability": store.Obj{"type": "self"}}
}

// invoiceAutoTax is automatic_tax as an invoice shows it before its lines
// are taxed (applyTaxes sets the status).
func invoiceAutoTax(on bool) store.Obj {
	if !on {
		return store.Obj{"disabled_reason": nil, "enabled": false, "liability": nil, "provider": nil, "status": nil}
	}
	return store.Obj{"disabled_reason": nil, "enabled": true, "liability": store.Obj{"type": "self"}, "provider": "stripe", "status": nil}
}

// ErrAutoTaxWithRates is Stripe's refusal to mix automatic tax with tax
// rates set by hand, param naming the rates.
func ErrAutoTaxWithRates(param string) error {
	return apierr.InvalidRequest("You cannot set tax rates when automatic tax is enabled: Stripe Tax calculates the tax itself. Remove `%s` or set `automatic_tax[enabled]=false`.", param).WithParam(param)
}

// invoiceManualRates is the parameter naming the tax rates set by hand
// on a draft invoice (its default_tax_rates, or a line's), "" when it
// has none.
func invoiceManualRates(c *api.Call, inv store.Obj) string {
	if rates, _ := inv["default_tax_rates"].([]any); len(rates) > 0 {
		return "default_tax_rates"
	}
	subLines := subscriptionLineRates(c, api.Str(inv["id"]))
	for _, l := range asList(inv["lines"]) {
		if len(ownRates(c, api.Obj(l), subLines)) > 0 {
			// A line's rates were set by another request: this one
			// is refused for what it turned on.
			return "automatic_tax[enabled]"
		}
	}
	return ""
}

// LineTaxer decides, for an object with automatic tax, what Stripe Tax
// applies to each of its lines: the customer as Stripe Tax sees them,
// worked out once per object. Invoices and quotes both tax with it.
type LineTaxer struct {
	buyer tax.Buyer
	// Located says Stripe Tax recognises the customer's location;
	// without it nothing is taxed (status requires_location_inputs).
	Located bool
	at      int64
}

// NewLineTaxer is the taxer of lines sold to customer, at the call's time
// (its test clock's for a customer on one): Stripe Tax uses the rates in
// force when an invoice is finalized; a draft shows those of its last
// change.
func NewLineTaxer(c *api.Call, customer string) *LineTaxer {
	t := &LineTaxer{at: c.Now}
	cus, _ := c.Tx.Get(c.Account, "customer", customer)
	if cus == nil || api.Bool(cus["deleted"]) {
		return t
	}
	t.at = c.ClockNow(cus)
	t.Located = located(tax.Locate(c, cus))
	if t.Located {
		t.buyer = tax.BuyerOf(c, cus)
	}
	return t
}

// Status is automatic_tax.status for the lines this taxer taxes.
func (t *LineTaxer) Status() string {
	if t.Located {
		return "complete"
	}
	return "requires_location_inputs"
}

// Price is what Stripe Tax applies to a line billing price (nil for an
// amount alone) in currency: its rates and the taxability reason its
// taxes show. The line takes the price's tax_behavior and its product's
// tax_code, or the tax settings' defaults.
func (t *LineTaxer) Price(c *api.Call, price store.Obj, currency string) ([]any, string, error) {
	return t.price(c, price, "", currency)
}

// price is Price with a tax code of the line's own (code, "" for none)
// before its product's.
func (t *LineTaxer) price(c *api.Call, price store.Obj, code, currency string) ([]any, string, error) {
	var behavior any
	if price != nil {
		behavior = price["tax_behavior"]
		if prod, ok := c.Tx.Get(c.Account, "product", api.Str(price["product"])); ok && code == "" {
			code = api.Str(prod["tax_code"])
		}
	}
	var inclusive bool
	var err error
	if price["object"] == "price" {
		// A stored price: Stripe's error names it.
		inclusive, err = tax.PriceBehavior(c, price, "automatic_tax[enabled]")
	} else {
		inclusive, err = tax.BehaviorIn(c, behavior, currency, "automatic_tax[enabled]")
	}
	if err != nil {
		return nil, "", err
	}
	d, err := tax.Decide(c, t.buyer, code, inclusive, t.at)
	if err != nil {
		return nil, "", err
	}
	found := d.Rates
	if len(found) == 0 {
		// Nothing collected still shows on the line: an amount of 0 at
		// a 0% rate, carrying the reason (Stripe's "zero tax amounts").
		found = d.ZeroRates
	}
	rates := make([]any, len(found))
	for i, r := range found {
		rates[i] = r
	}
	return rates, d.Reason, nil
}

// line is Price for an invoice line: an invoice item's own tax_behavior
// and tax_code, when it was given them, come before its price's.
func (t *LineTaxer) line(c *api.Call, line store.Obj) ([]any, string, error) {
	var price store.Obj
	if id := api.Str(api.Obj(api.Obj(line["pricing"])["price_details"])["price"]); id != "" {
		price, _ = c.Tx.Get(c.Account, "price", id)
	}
	if ii := lineInvoiceItem(line); ii != "" {
		if own := itemTax(c, ii); own != nil {
			p := store.Obj{"tax_behavior": own["tax_behavior"]}
			if price != nil {
				p["product"] = price["product"]
				if p["tax_behavior"] == nil {
					p["tax_behavior"] = price["tax_behavior"]
				}
			}
			return t.price(c, p, api.Str(own["tax_code"]), api.Str(line["currency"]))
		}
	}
	return t.Price(c, price, api.Str(line["currency"]))
}

// itemTaxKey keeps what an invoice item was told for Stripe Tax (its
// tax_behavior and tax_code), which the item does not show.
func itemTaxKey(acct, item string) string { return "iitax:" + acct + ":" + item }

func itemTax(c *api.Call, item string) store.Obj {
	raw, ok := c.Tx.GetMeta(itemTaxKey(c.Account, item))
	if !ok {
		return nil
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(raw), &m)
	return m
}

// applyItemTax keeps the tax_behavior and tax_code sent for an invoice
// item, read when an invoice with automatic tax bills it.
func applyItemTax(c *api.Call, item string) error {
	if !c.Params.Has("tax_behavior") && !c.Params.Has("tax_code") {
		return nil
	}
	own := itemTax(c, item)
	if own == nil {
		own = store.Obj{}
	}
	if b, ok := c.Params.Str("tax_behavior"); ok {
		switch b {
		case "exclusive", "inclusive":
			own["tax_behavior"] = b
		case "", "unspecified":
			delete(own, "tax_behavior")
		default:
			return apierr.InvalidRequest("Invalid tax_behavior: must be one of exclusive, inclusive, or unspecified").WithParam("tax_behavior")
		}
	}
	if code, ok := c.Params.Str("tax_code"); ok {
		if err := tax.CheckCode(code, "tax_code"); err != nil {
			return err
		}
		if code == "" {
			delete(own, "tax_code")
		} else {
			own["tax_code"] = code
		}
	}
	if len(own) == 0 {
		c.DeleteMeta(itemTaxKey(c.Account, item))
		return nil
	}
	raw, _ := json.Marshal(own)
	return c.SetMeta(itemTaxKey(c.Account, item), string(raw))
}

// locationUnrecognized reports whether err is Stripe's
// customer_tax_location_invalid.
func locationUnrecognized(err error) bool {
	var e *apierr.Error
	return errors.As(err, &e) && e.Code == "customer_tax_location_invalid"
}

// finalizationFailed records that a one-off invoice with automatic tax
// could not be finalized when it was due to be (its customer cannot be
// located): the draft keeps the error in last_finalization_error, is no
// longer due, and invoice.finalization_failed says so, as at Stripe.
func finalizationFailed(c *api.Call, id string, err error) error {
	var e *apierr.Error
	errors.As(err, &e)
	before, ok := c.Tx.Get(c.Account, "invoice", id)
	if !ok {
		return err
	}
	// Finalizing retaxed the stored draft in place (as any change to a
	// draft does); the failure is recorded on a copy.
	inv := api.Clone(before)
	lfe := store.Obj{"type": e.Type, "code": e.Code, "message": e.Message, "doc_url": api.NilIfEmpty(e.DocURL)}
	if e.Param != "" {
		lfe["param"] = e.Param
	}
	inv["last_finalization_error"] = lfe
	inv["automatically_finalizes_at"] = nil
	planDraftAttempt(inv) // no finalization planned, so no payment either
	return c.PutEmit(inv, "invoice.finalization_failed", nil)
}

// checkTaxLocation refuses automatic tax for a customer Stripe Tax cannot
// locate (customer_tax_location_invalid), as subscriptions do when
// created or updated with it.
func checkTaxLocation(c *api.Call, cus store.Obj) error {
	if !located(tax.Locate(c, cus)) {
		return tax.CustomerLocationError(c, cus, "customer")
	}
	return nil
}

// located reports whether Stripe Tax recognises a customer's location
// (customer.tax.automatic_tax supported, or not_collecting: recognised,
// where the account collects nothing).
func located(loc *tax.Location, status string) bool {
	return loc != nil && (status == "supported" || status == "not_collecting")
}

// finalizeAutoTax taxes an automatic-tax invoice being finalized at the
// time of finalization. A customer Stripe Tax cannot locate fails a
// one-off invoice's finalization; a subscription's invoice is finalized
// without tax instead, automatic tax turned off on it
// (finalization_requires_location_inputs) and on its subscription
// (requires_location_inputs), as Stripe does.
func finalizeAutoTax(c *api.Call, inv store.Obj) error {
	if err := setLines(c, inv, asList(inv["lines"])); err != nil {
		return err
	}
	if api.Obj(inv["automatic_tax"])["status"] != "requires_location_inputs" {
		return nil
	}
	subID := api.Str(api.Obj(api.Obj(inv["parent"])["subscription_details"])["subscription"])
	if subID == "" {
		// A request is refused by name where only geolocating an IP
		// address would locate the customer; work made due records
		// Stripe's error as a failed finalization.
		if cus, ok := c.Tx.Get(c.Account, "customer", api.Str(inv["customer"])); ok && !c.NowFixed {
			return tax.CustomerLocationError(c, cus, "customer")
		}
		return tax.LocationError("customer")
	}
	at := invoiceAutoTax(false)
	at["disabled_reason"] = "finalization_requires_location_inputs"
	inv["automatic_tax"] = at
	if err := setLines(c, inv, asList(inv["lines"])); err != nil {
		return err
	}
	before, ok := c.Tx.Get(c.Account, "subscription", subID)
	if !ok || !autoTaxOn(before) {
		return nil
	}
	after := api.Clone(before)
	off := subscriptionAutoTax(false)
	off["disabled_reason"] = "requires_location_inputs"
	after["automatic_tax"] = off
	if err := c.Save(before, after); err != nil {
		return err
	}
	return disableScheduleAutoTax(c, api.Str(after["schedule"]))
}

// disableScheduleAutoTax turns automatic tax off, for want of a customer
// location, on a schedule's default settings and its current phase, as
// Stripe does when the subscription's invoice loses it.
func disableScheduleAutoTax(c *api.Call, id string) error {
	before, ok := c.Tx.Get(c.Account, "subscription_schedule", id)
	if id == "" || !ok {
		return nil
	}
	after := api.Clone(before)
	off := subscriptionAutoTax(false)
	off["disabled_reason"] = "requires_location_inputs"
	api.Obj(after["default_settings"])["automatic_tax"] = off
	if phase := currentPhase(after); phase != nil {
		if _, ok := phase["automatic_tax"]; ok {
			phase["automatic_tax"] = api.Clone(off)
		}
	}
	return c.Save(before, after)
}

// applySubscriptionAutoTax sets a subscription's automatic_tax from the
// request and refuses what Stripe refuses with it on: tax rates set by
// hand (the subscription's default_tax_rates or an item's tax_rates), and
// turning it on for a customer Stripe Tax cannot locate.
func applySubscriptionAutoTax(c *api.Call, sub, cus store.Obj) error {
	on, sent, err := AutoTaxParam(c, c.Params, "automatic_tax", "automatic_tax")
	if err != nil {
		return err
	}
	if sent && on != autoTaxOn(sub) {
		sub["automatic_tax"] = subscriptionAutoTax(on)
	}
	if !autoTaxOn(sub) {
		return nil
	}
	if param := subscriptionManualRates(sub); param != "" {
		return ErrAutoTaxWithRates(param)
	}
	if sent && on {
		return checkTaxLocation(c, cus)
	}
	return nil
}

// subscriptionManualRates is the parameter naming the tax rates set by
// hand on a subscription (its default_tax_rates or an item's tax_rates),
// "" when it has none.
func subscriptionManualRates(sub store.Obj) string {
	if rates, _ := sub["default_tax_rates"].([]any); len(rates) > 0 {
		return "default_tax_rates"
	}
	for i, it := range subItems(sub) {
		if rates, _ := it["tax_rates"].([]any); len(rates) > 0 {
			return fmt.Sprintf("items[%d][tax_rates]", i)
		}
	}
	return ""
}
