package billing

import (
	"encoding/json"
	"slices"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/catalog"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/taxrates"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// What accepting a quote bills (the quotes family holds the quote): a
// draft invoice for one-time lines, or a subscription whose first invoice
// also carries them. Both are made by the code the invoice and
// subscription endpoints use, so amounts, taxes and discounts are worked
// out once.

// quoteVar is the path variable (no route has it) naming the quote a
// subscription is created for: the quote's prices apply even when
// inactive, as the inline ones its price_data made are from the start.
const quoteVar = "quote"

func quotedPrices(c *api.Call) bool { return c.Var(quoteVar) != "" }

// scratchSoldPrices names, while Checkout creates the subscription a
// session sold, the prices the session showed: its price_data made inline
// ones, inactive from the start as Stripe's are, which it still bills.
const scratchSoldPrices = "billing.soldPrices"

// billsInactive reports whether this call may bill the inactive price id:
// a quote's prices, or those of the Checkout Session being completed.
func billsInactive(c *api.Call, id string) bool {
	sold, _ := c.Scratch(scratchSoldPrices).(map[string]bool)
	return quotedPrices(c) || sold[id]
}

// CreateSoldSubscription creates the subscription a Checkout Session
// sold: as CreateSubscription, its items and one-off invoice items may
// name the session's prices (sold) though they are inactive.
func CreateSoldSubscription(c *api.Call, p map[string]any, sold map[string]bool) (store.Obj, error) {
	c.SetScratch(scratchSoldPrices, sold)
	c.SetScratch(scratchPaidOnPage, true)
	defer c.SetScratch(scratchSoldPrices, nil)
	defer c.SetScratch(scratchPaidOnPage, nil)
	return CreateSubscription(c, p)
}

// scratchPaidOnPage marks, while Checkout creates the subscription a
// session sold, that its first invoice is paid by the customer on the
// page: Stripe's own payloads of such invoices say "attempted": true with
// "attempt_count": 0, no attempt of the retry schedule's.
const scratchPaidOnPage = "billing.paidOnPage"

// QuoteLine is one line of a quote being accepted.
type QuoteLine struct {
	Price    store.Obj
	Quantity int64
	// TaxRates are the line's own tax rate ids (none: the quote's
	// default_tax_rates apply).
	TaxRates []string
	// Discounts are the ids of the line's own discounts (a one-off
	// invoice's item takes them).
	Discounts []string
}

// QuoteTerms is what an accepted quote bills, and how.
type QuoteTerms struct {
	Quote, Customer, Currency string
	Lines                     []QuoteLine
	DefaultTaxRates           []string
	Discounts                 []string // the ids of the discounts the quote holds
	CollectionMethod          string
	DaysUntilDue              int64 // for send_invoice
	AutomaticTax              bool  // Stripe Tax taxes what it bills
	// For a subscription: its trial, description and metadata
	// (subscription_data).
	TrialPeriodDays int64
	Description     string
	Metadata        map[string]any
	// Its Connect terms: the settlement merchant, a destination charge's
	// account and share (an amount for a one-off invoice, a percentage for
	// a subscription; nil: none) and the platform's fee, likewise.
	OnBehalfOf, Destination     string
	TransferAmount, FeeAmount   any // integers
	TransferPercent, FeePercent any // numbers
}

// InvoiceFromQuote makes the draft invoice accepting a quote of one-time
// lines creates: an invoice item per line (its own tax rates), the
// quote's discounts and default tax rates, its collection method and due
// date, billing_reason quote_accept and parent.quote_details naming the
// quote.
func InvoiceFromQuote(c *api.Call, t QuoteTerms) (store.Obj, error) {
	cus, ok := c.Tx.Get(c.Account, "customer", t.Customer)
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", t.Customer, "customer")
	}
	now := c.ClockNow(cus)
	// Like any invoice: the customer's currency if it has none.
	if err := customers.SetCurrency(c, t.Customer, t.Currency); err != nil {
		return nil, err
	}
	inv := newInvoice(c, cus, t.Currency, now, "quote_accept")
	inv["collection_method"] = t.CollectionMethod
	if t.CollectionMethod == "send_invoice" {
		inv["due_date"] = now + t.DaysUntilDue*86400
	}
	inv["parent"] = store.Obj{"type": "quote_details", "quote_details": store.Obj{"quote": t.Quote}, "subscription_details": nil}
	inv["on_behalf_of"] = api.NilIfEmpty(t.OnBehalfOf)
	if err := t.keepInvoiceTerms(c, inv); err != nil {
		return nil, err
	}
	inv["default_tax_rates"] = cloneRates(taxrates.Load(c, t.DefaultTaxRates))
	inv["discounts"] = api.Anys(t.Discounts)
	if t.AutomaticTax {
		inv["automatic_tax"] = invoiceAutoTax(true)
	}
	var lines []any
	for _, l := range t.Lines {
		ii := newInvoiceItem(c, t.Customer, pricedAt(c, l.Price, l.Quantity, t.Currency), now)
		ii["invoice"] = inv["id"]
		ii["test_clock"] = cus["test_clock"]
		ii["tax_rates"] = cloneRates(taxrates.Load(c, l.TaxRates))
		if len(l.Discounts) > 0 {
			ii["discounts"] = api.Anys(l.Discounts)
			// Applied to the item, as a discount sent with one is.
			for _, id := range l.Discounts {
				if d, ok := c.Tx.Get(c.Account, "discount", id); ok {
					d = api.Clone(d)
					d["invoice_item"] = ii["id"]
					if err := c.Put(d); err != nil {
						return nil, err
					}
				}
			}
		}
		if err := c.Insert(ii); err != nil {
			return nil, err
		}
		lines = append(lines, lineFromItem(c, inv, ii))
	}
	if err := setLines(c, inv, lines); err != nil {
		return nil, err
	}
	if err := c.Insert(inv); err != nil {
		return nil, err
	}
	return inv, nil
}

// keepInvoiceTerms records the one-off invoice's transfer_data and
// application_fee_amount for the PaymentIntent its finalization makes, as
// an invoice created with them keeps them (applyInvoiceConnect).
func (t QuoteTerms) keepInvoiceTerms(c *api.Call, inv store.Obj) error {
	it := intentTerms{Destination: t.Destination}
	if t.TransferAmount != nil {
		it.Amount, it.HasAmount = api.Int(t.TransferAmount), true
	}
	if t.FeeAmount != nil {
		it.FeeAmount, it.HasFeeAmount = api.Int(t.FeeAmount), true
	}
	if it == (intentTerms{}) {
		return nil
	}
	b, _ := json.Marshal(it)
	return c.SetMeta(intentTermsKey(c.Account, api.Str(inv["id"])), string(b))
}

// pricedAt is a price billed for a quantity in currency ("" for its
// own), as an invoice item takes it.
func pricedAt(c *api.Call, price store.Obj, qty int64, currency string) priced {
	if currency == "" {
		currency = api.Str(price["currency"])
	}
	pr := priced{quantity: qty, currency: currency, price: price, byPrice: true,
		total: catalog.Amount(c, price, currency, qty), unitDecimal: catalog.UnitAmountDecimal(c, price, currency)}
	pr.unitAmount, _ = catalog.UnitAmount(c, price, currency)
	return pr
}

// billing is what a subscription and a schedule phase made from the quote
// both take: its recurring lines as items, its one-time lines on the
// first invoice, its currency (rather than the customer's a price may also
// have), collection method, default tax rates, automatic tax and
// discounts.
func (t QuoteTerms) billing() map[string]any {
	items, oneOff := t.entries()
	p := map[string]any{"items": items, "collection_method": t.CollectionMethod}
	if t.Currency != "" {
		p["currency"] = t.Currency
	}
	if len(oneOff) > 0 {
		p["add_invoice_items"] = oneOff
	}
	if len(t.DefaultTaxRates) > 0 {
		p["default_tax_rates"] = api.Anys(t.DefaultTaxRates)
	}
	if t.AutomaticTax {
		p["automatic_tax"] = map[string]any{"enabled": true}
	}
	if len(t.Discounts) > 0 {
		var ds []any
		for _, id := range t.Discounts {
			ds = append(ds, map[string]any{"discount": id})
		}
		p["discounts"] = ds
	}
	return p
}

// SubscriptionFromQuote creates the subscription accepting a quote with
// recurring lines makes, as POST /v1/subscriptions would: the recurring
// lines are its items, the one-time lines go on its first invoice
// (add_invoice_items), with the quote's discounts, default tax rates,
// collection method and subscription_data. A customer with a payment
// method is charged at once; without one the subscription waits,
// incomplete, on its open first invoice (default_incomplete), as a quote
// accepted before the customer gave a card does.
func SubscriptionFromQuote(c *api.Call, t QuoteTerms) (store.Obj, error) {
	p := t.billing()
	p["customer"] = t.Customer
	if t.CollectionMethod == "send_invoice" {
		p["days_until_due"] = t.DaysUntilDue
	} else if payments.DefaultPaymentMethod(c, t.Customer) == "" {
		p["payment_behavior"] = "default_incomplete"
	}
	if t.TrialPeriodDays > 0 {
		p["trial_period_days"] = t.TrialPeriodDays
	}
	if t.Description != "" {
		p["description"] = t.Description
	}
	if len(t.Metadata) > 0 {
		p["metadata"] = t.Metadata
	}
	if t.OnBehalfOf != "" {
		p["on_behalf_of"] = t.OnBehalfOf
	}
	if t.Destination != "" {
		td := map[string]any{"destination": t.Destination}
		if t.TransferPercent != nil {
			td["amount_percent"] = t.TransferPercent
		}
		p["transfer_data"] = td
	}
	if t.FeePercent != nil {
		p["application_fee_percent"] = t.FeePercent
	}
	t.keepRates(c)
	res, err := runAs(c, createSubscription, p, map[string]string{quoteVar: t.Quote}, nil)
	if err != nil {
		return nil, err
	}
	return res.(store.Obj), nil
}

// keepRates lets what accepting the quote makes take the quote's tax
// rates even if archived since it was finalized: the quote already has
// them set, as its one-off invoice keeps them too.
func (t QuoteTerms) keepRates(c *api.Call) {
	ids := append([]string{}, t.DefaultTaxRates...)
	for _, l := range t.Lines {
		ids = append(ids, l.TaxRates...)
	}
	if len(ids) > 0 {
		taxrates.Keep(c, taxrates.Load(c, ids))
	}
}

// entries are the quote's recurring lines as subscription items and its
// one-time lines as items added to the first invoice.
func (t QuoteTerms) entries() (items, oneOff []any) {
	for _, l := range t.Lines {
		entry := map[string]any{"price": l.Price["id"], "quantity": l.Quantity}
		if len(l.TaxRates) > 0 {
			entry["tax_rates"] = api.Anys(l.TaxRates)
		}
		if l.Price["type"] == "recurring" {
			items = append(items, entry)
		} else {
			oneOff = append(oneOff, entry)
		}
	}
	return items, oneOff
}

// ScheduleFromQuote creates the subscription schedule accepting a quote
// whose subscription_data[effective_date] is still to come makes, as POST
// /v1/subscription_schedules would: one phase from start, of the
// recurring lines, the one-time lines added to its first invoice, with
// the quote's discounts, tax rates, collection method and
// subscription_data (a trial from start), released after it. The quote
// is kept for the schedule (m:quotesched:…), so its prices apply when the
// schedule starts even if inactive, as the inline ones its price_data
// made are.
func ScheduleFromQuote(c *api.Call, t QuoteTerms, start int64) (store.Obj, error) {
	phase := t.billing()
	if t.CollectionMethod == "send_invoice" {
		phase["invoice_settings"] = map[string]any{"days_until_due": t.DaysUntilDue}
	}
	if t.TrialPeriodDays > 0 {
		trialEnd := start + t.TrialPeriodDays*86400
		phase["trial_end"] = trialEnd
		// The phase lasts a period of its prices, or the trial if longer.
		for _, l := range t.Lines {
			if l.Price["type"] == "recurring" {
				if interval, count := recurring(l.Price); trialEnd > addInterval(start, interval, count) {
					phase["end_date"] = trialEnd
				}
				break
			}
		}
	}
	if t.Description != "" {
		phase["description"] = t.Description
	}
	if len(t.Metadata) > 0 {
		phase["metadata"] = t.Metadata
	}
	p := map[string]any{"customer": t.Customer, "start_date": start, "phases": []any{phase}}
	t.keepRates(c)
	res, err := runAs(c, createSchedule, p, map[string]string{quoteVar: t.Quote}, nil)
	if err != nil {
		return nil, err
	}
	sched := res.(store.Obj)
	return sched, c.Tx.SetMeta(quoteScheduleKey(c.Account, api.Str(sched["id"])), t.Quote)
}

func quoteScheduleKey(account, schedule string) string {
	return "quotesched:" + account + ":" + schedule
}

// quoteDiscountsApplied names the subscription an accepted quote's
// schedule started on the quote's own discounts its phase took (the
// customer's own discount excepted), as accepting a quote into a
// subscription at once names it: they are applied to it from then on.
func quoteDiscountsApplied(c *api.Call, phase, sub store.Obj) error {
	var own string
	if cus, ok := c.Tx.Get(c.Account, "customer", api.Str(sub["customer"])); ok {
		own = api.Str(api.Obj(cus["discount"])["id"])
	}
	for _, entry := range asAnys(phase["discounts"]) {
		id := api.Str(api.Obj(entry)["discount"])
		if id == "" || id == own || !slices.Contains(asAnys(sub["discounts"]), any(id)) {
			continue
		}
		d, ok := c.Tx.Get(c.Account, "discount", id)
		if !ok || d["subscription"] != nil || d["invoice"] != nil {
			continue
		}
		d = api.Clone(d)
		d["subscription"] = sub["id"]
		if err := c.Put(d); err != nil {
			return err
		}
	}
	return nil
}
