package tax

import (
	"fmt"
	"unicode/utf8"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// TransactionKind is the tax.transaction object: the tax collected on a
// sale (type transaction, made from a calculation) or refunded (type
// reversal). Its line items are left out unless expanded. Stripe sends no
// events about tax transactions, so neither does the emulator.
var TransactionKind = &api.Kind{
	Object: "tax.transaction", Prefix: "tax_", Name: "tax transaction",
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){"line_items": transactionItemsList},
}

// TransactionItemKind is a transaction's line item.
var TransactionItemKind = &api.Kind{Object: "tax.transaction_line_item", Prefix: "tax_li_", Name: "tax transaction line item", ShortID: true}

// MaxReference is the longest reference Stripe takes, in characters (a
// transaction's, a reversal line item's and a calculation line item's).
const MaxReference = 500

// TransactionRoutes are the endpoints of tax transactions.
func TransactionRoutes() []api.Route {
	base := "/v1/tax/transactions"
	return []api.Route{
		api.POST(base+"/create_from_calculation", params.FromStruct(stripe.TaxTransactionCreateFromCalculationParams{}).
			Require("calculation", "reference"), createFromCalculation),
		api.POST(base+"/create_reversal", params.FromStruct(stripe.TaxTransactionCreateReversalParams{}).
			Require("mode", "original_transaction", "reference").Enum("mode", "full", "partial"), createReversal),
		api.GET(base+"/{id}", params.FromStruct(stripe.TaxTransactionRetrieveParams{}), retrieveTransaction),
		api.GET(base+"/{id}/line_items", params.FromStruct(stripe.TaxTransactionListLineItemsParams{}), listTransactionItems),
	}
}

// remains is what is left to reverse of a transaction's line item or
// shipping cost: its amount and its tax, both positive.
type remains struct {
	Amount int64 `json:"amount"`
	Tax    int64 `json:"tax"`
}

// ledger is what a transaction keeps beside itself: its line items as
// shown, and (for a transaction of type transaction) what is left to
// reverse of each line item, by id, and of the shipping cost.
type ledger struct {
	Items     []store.Obj         `json:"items"`
	Remaining map[string]*remains `json:"remaining,omitempty"`
	Shipping  *remains            `json:"shipping,omitempty"`
}

func ledgerKey(acct, txn string) string    { return "taxtxn:" + acct + ":" + txn }
func referenceKey(acct, ref string) string { return "taxtxnref:" + acct + ":" + ref }
func transactionURL(id string) string      { return "/v1/tax/transactions/" + id + "/line_items" }
func (l *ledger) save(c *api.Call, id string) error {
	return c.SetMeta(ledgerKey(c.Account, id), mustJSON(l))
}

// loadLedger reads a transaction's ledger with the store's decoder, so
// its line items' numbers are integers as in every stored object.
func loadLedger(c *api.Call, id string) *ledger {
	l := &ledger{}
	raw, ok := c.Tx.GetMeta(ledgerKey(c.Account, id))
	if !ok {
		return l
	}
	v, _ := jsonenc.UnmarshalString(raw)
	o := api.Obj(v)
	for _, it := range asList(o["items"]) {
		l.Items = append(l.Items, api.Obj(it))
	}
	if rem, ok := o["remaining"].(map[string]any); ok {
		l.Remaining = make(map[string]*remains, len(rem))
		for k, r := range rem {
			l.Remaining[k] = remainsOf(r)
		}
	}
	if o["shipping"] != nil {
		l.Shipping = remainsOf(o["shipping"])
	}
	return l
}

func remainsOf(v any) *remains {
	r := api.Obj(v)
	return &remains{Amount: api.Int(r["amount"]), Tax: api.Int(r["tax"])}
}

func asList(v any) []any { l, _ := v.([]any); return l }

// claimReference checks reference (unique across all of the account's
// transactions, reversals included) and records it for id.
func claimReference(c *api.Call, id string) (string, error) {
	ref, _ := c.Params.Str("reference")
	switch {
	case ref == "":
		return "", apierr.InvalidEmpty("reference")
	case utf8.RuneCountInString(ref) > MaxReference:
		return "", apierr.TooLong("reference", ref, MaxReference)
	}
	if other, taken := c.Tx.GetMeta(referenceKey(c.Account, ref)); taken {
		return "", apierr.InvalidRequest("A tax transaction with the reference '%s' already exists (%s): references must be unique across all transactions, including reversals.", ref, other).
			WithCode("resource_already_exists").WithParam("reference")
	}
	return ref, c.SetMeta(referenceKey(c.Account, ref), id)
}

// newTransaction is a transaction (not stored) with the fields every one
// has; reversals copy the rest from the transaction they reverse.
func newTransaction(c *api.Call, id, typ, ref string, from store.Obj) (store.Obj, error) {
	txn := c.Object("tax.transaction", id, store.Obj{
		"currency": from["currency"], "customer": from["customer"], "customer_details": api.Clone(api.Obj(from["customer_details"])),
		"metadata": nil, "posted_at": c.Now, "reference": ref, "reversal": nil, "ship_from_details": from["ship_from_details"],
		"shipping_cost": nil, "tax_date": from["tax_date"], "type": typ,
	})
	if c.Params.Has("metadata") {
		if err := c.ApplyMetadata(txn); err != nil {
			return nil, err
		}
	}
	return txn, nil
}

// createFromCalculation records the tax a calculation worked out as
// collected: once per reference, while the calculation has not expired.
func createFromCalculation(c *api.Call) (any, error) {
	calcID, _ := c.Params.Str("calculation")
	calc, err := c.Load("tax.calculation", calcID, "calculation")
	if err != nil {
		return nil, err
	}
	if exp := api.Int(calc["expires_at"]); c.Now >= exp {
		return nil, apierr.InvalidRequest("The tax calculation %s expired at %d: a calculation can be turned into a transaction for 90 days. Make a new calculation.", calcID, exp).WithParam("calculation")
	}
	postedAt := c.Now
	if at, ok := c.Params.Int("posted_at"); ok {
		from, to := min(api.Int(calc["tax_date"]), c.Now), max(api.Int(calc["tax_date"]), c.Now)
		if at < from || at > to {
			return nil, apierr.InvalidRequest("Invalid posted_at: it must fall between the calculation's tax_date (%d) and the current time (%d).", api.Int(calc["tax_date"]), c.Now).WithParam("posted_at")
		}
		postedAt = at
	}
	id := c.NewID("tax.transaction")
	ref, err := claimReference(c, id)
	if err != nil {
		return nil, err
	}
	txn, err := newTransaction(c, id, "transaction", ref, calc)
	if err != nil {
		return nil, err
	}
	txn["posted_at"] = postedAt
	l := &ledger{Remaining: map[string]*remains{}}
	if sc, ok := calc["shipping_cost"].(map[string]any); ok {
		shown := store.Obj{"amount": sc["amount"], "amount_tax": sc["amount_tax"], "tax_behavior": sc["tax_behavior"], "tax_code": sc["tax_code"]}
		if r, ok := sc["shipping_rate"]; ok {
			shown["shipping_rate"] = r
		}
		txn["shipping_cost"] = shown
		l.Shipping = &remains{Amount: api.Int(sc["amount"]), Tax: api.Int(sc["amount_tax"])}
	}
	for _, v := range calculationItems(c, calcID) {
		ci := api.Obj(v)
		item := store.Obj{
			"id": c.NewID("tax.transaction_line_item"), "object": "tax.transaction_line_item", "livemode": false,
			"amount": ci["amount"], "amount_tax": ci["amount_tax"], "metadata": ci["metadata"], "product": ci["product"],
			"quantity": ci["quantity"], "reference": ci["reference"], "reversal": nil, "tax_behavior": ci["tax_behavior"],
			"tax_code": ci["tax_code"], "type": "transaction",
		}
		l.Items = append(l.Items, item)
		l.Remaining[api.Str(item["id"])] = &remains{Amount: api.Int(ci["amount"]), Tax: api.Int(ci["amount_tax"])}
	}
	if err := l.save(c, id); err != nil {
		return nil, err
	}
	// No event: Stripe has none for tax transactions.
	return txn, c.Put(txn)
}

// reversed is one reversal line: what it takes off an original line item.
type reversed struct {
	original store.Obj
	amount   int64 // negative, as shown
	tax      int64 // negative
	quantity int64
	ref      string
	metadata any
}

// createReversal records a refund of a transaction: in full (whatever is
// left of it) or in part (line item amounts, the shipping cost, or a flat
// amount spread over everything), never more than is left.
func createReversal(c *api.Call) (any, error) {
	origID, _ := c.Params.Str("original_transaction")
	orig, err := c.Load("tax.transaction", origID, "original_transaction")
	if err != nil {
		return nil, err
	}
	if orig["type"] != "transaction" {
		return nil, apierr.InvalidRequest("The tax transaction %s is itself a reversal: only a transaction of type transaction can be reversed.", origID).WithParam("original_transaction")
	}
	l := loadLedger(c, origID)
	if l.fullyReversed() {
		return nil, fullyReversed(origID, "original_transaction")
	}
	mode, _ := c.Params.Str("mode")
	var lines []reversed
	var ship *remains
	if mode == "full" {
		for _, f := range []string{"line_items", "shipping_cost", "flat_amount"} {
			if c.Params.Has(f) {
				return nil, apierr.InvalidRequest("%s cannot be used with mode=full, which reverses all that is left of the transaction; use mode=partial to reverse part of it.", f).WithParam(f)
			}
		}
		for _, it := range l.Items {
			if r := l.Remaining[api.Str(it["id"])]; r.Amount != 0 || r.Tax != 0 {
				lines = append(lines, reversed{original: it, amount: -r.Amount, tax: -r.Tax, quantity: api.Int(it["quantity"]), ref: api.Str(it["reference"])})
			}
		}
		if l.Shipping != nil && (l.Shipping.Amount != 0 || l.Shipping.Tax != 0) {
			ship = &remains{Amount: -l.Shipping.Amount, Tax: -l.Shipping.Tax}
		}
	} else {
		if lines, ship, err = partialReversal(c, orig, l); err != nil {
			return nil, err
		}
	}

	id := c.NewID("tax.transaction")
	ref, err := claimReference(c, id)
	if err != nil {
		return nil, err
	}
	txn, err := newTransaction(c, id, "reversal", ref, orig)
	if err != nil {
		return nil, err
	}
	txn["reversal"] = store.Obj{"original_transaction": origID}
	if ship != nil {
		sc := api.Obj(orig["shipping_cost"])
		shown := store.Obj{"amount": ship.Amount, "amount_tax": ship.Tax, "tax_behavior": sc["tax_behavior"], "tax_code": sc["tax_code"]}
		if r, ok := sc["shipping_rate"]; ok {
			shown["shipping_rate"] = r
		}
		txn["shipping_cost"] = shown
		l.Shipping.Amount += ship.Amount
		l.Shipping.Tax += ship.Tax
	}
	rl := &ledger{}
	for _, r := range lines {
		o := r.original
		rl.Items = append(rl.Items, store.Obj{
			"id": c.NewID("tax.transaction_line_item"), "object": "tax.transaction_line_item", "livemode": false,
			"amount": r.amount, "amount_tax": r.tax, "metadata": r.metadata, "product": o["product"],
			"quantity": r.quantity, "reference": r.ref, "reversal": store.Obj{"original_line_item": o["id"]},
			"tax_behavior": o["tax_behavior"], "tax_code": o["tax_code"], "type": "reversal",
		})
		rem := l.Remaining[api.Str(o["id"])]
		rem.Amount += r.amount
		rem.Tax += r.tax
	}
	if err := rl.save(c, id); err != nil {
		return nil, err
	}
	if err := l.save(c, origID); err != nil {
		return nil, err
	}
	return txn, c.Put(txn)
}

// partialReversal reads what a mode=partial reversal takes off: line
// items and the shipping cost as given, or a flat amount.
func partialReversal(c *api.Call, orig store.Obj, l *ledger) ([]reversed, *remains, error) {
	origID := api.Str(orig["id"])
	hasLines, hasShip := c.Params.Has("line_items"), c.Params.Has("shipping_cost")
	flat, hasFlat := c.Params.Int("flat_amount")
	switch {
	case hasFlat && hasLines:
		return nil, nil, apierr.Exclusive("flat_amount", "line_items")
	case hasFlat && hasShip:
		return nil, nil, apierr.Exclusive("flat_amount", "shipping_cost")
	case hasFlat:
		return flatReversal(orig, l, flat)
	case !hasLines && !hasShip:
		return nil, nil, apierr.InvalidRequest("A reversal with mode=partial needs line_items, shipping_cost or flat_amount: what to reverse.").WithParam("line_items")
	}
	byID := map[string]store.Obj{}
	for _, it := range l.Items {
		byID[api.Str(it["id"])] = it
	}
	var lines []reversed
	seen, refs := map[string]bool{}, map[string]bool{}
	for i, li := range c.Params.Array("line_items") {
		name := func(f string) string { return fmt.Sprintf("line_items[%d][%s]", i, f) }
		amount, tax, err := reversalAmounts(li, name)
		if err != nil {
			return nil, nil, err
		}
		oid, _ := li.Str("original_line_item")
		ref, _ := li.Str("reference")
		switch {
		case oid == "":
			return nil, nil, apierr.MissingParam(name("original_line_item"))
		case ref == "":
			return nil, nil, apierr.MissingParam(name("reference"))
		case utf8.RuneCountInString(ref) > MaxReference:
			return nil, nil, apierr.TooLong(name("reference"), ref, MaxReference)
		case refs[ref]:
			return nil, nil, apierr.InvalidRequest("The reference '%s' is given to more than one line item: each reversal line item's reference must be unique.", ref).WithParam(name("reference"))
		}
		orig, ok := byID[oid]
		if !ok {
			return nil, nil, apierr.InvalidRequest("%s is not a line item of the tax transaction %s.", oid, origID).WithParam(name("original_line_item"))
		}
		if seen[oid] {
			return nil, nil, apierr.InvalidRequest("The line item %s is reversed more than once in this request: give each original line item once.", oid).WithParam(name("original_line_item"))
		}
		seen[oid], refs[ref] = true, true
		if err := notMoreThanLeft(l.Remaining[oid], amount, tax, "line item "+oid, name("amount")); err != nil {
			return nil, nil, err
		}
		quantity := api.Int(orig["quantity"])
		if q, ok := li.Int("quantity"); ok {
			if q < 1 {
				return nil, nil, apierr.InvalidRequest("Invalid %s: must be greater than 0", name("quantity")).WithParam(name("quantity"))
			}
			quantity = q
		}
		var md any
		if m, ok := li.Metadata("metadata"); ok {
			md = m
		}
		lines = append(lines, reversed{original: orig, amount: amount, tax: tax, quantity: quantity, ref: ref, metadata: md})
	}
	var ship *remains
	if hasShip {
		p, _ := c.Params.Obj("shipping_cost")
		name := func(f string) string { return "shipping_cost[" + f + "]" }
		amount, tax, err := reversalAmounts(p, name)
		if err != nil {
			return nil, nil, err
		}
		if l.Shipping == nil {
			return nil, nil, apierr.InvalidRequest("The tax transaction %s has no shipping cost to reverse.", origID).WithParam("shipping_cost")
		}
		if err := notMoreThanLeft(l.Shipping, amount, tax, "the shipping cost", name("amount")); err != nil {
			return nil, nil, err
		}
		ship = &remains{Amount: amount, Tax: tax}
	}
	return lines, ship, nil
}

// reversalAmounts reads a reversal's amount and amount_tax: both
// required, negative or zero, not both zero.
func reversalAmounts(p params.Values, name func(string) string) (int64, int64, error) {
	amount, ok := p.Int("amount")
	if !ok {
		return 0, 0, apierr.MissingParam(name("amount"))
	}
	tax, ok := p.Int("amount_tax")
	if !ok {
		return 0, 0, apierr.MissingParam(name("amount_tax"))
	}
	for _, f := range []struct {
		n string
		v int64
	}{{"amount", amount}, {"amount_tax", tax}} {
		if f.v > 0 {
			return 0, 0, apierr.InvalidRequest("Invalid %s: a reversal's amounts are negative (the amount to reverse, in negative); you passed %d.", name(f.n), f.v).WithParam(name(f.n))
		}
	}
	if amount == 0 && tax == 0 {
		return 0, 0, apierr.InvalidRequest("%s and %s are both 0: the reversal would reverse nothing.", name("amount"), name("amount_tax")).WithParam(name("amount"))
	}
	return amount, tax, nil
}

// notMoreThanLeft refuses reversing more of something (what) than is
// left of it.
func notMoreThanLeft(left *remains, amount, tax int64, what, param string) error {
	if left.Amount == 0 && left.Tax == 0 {
		return apierr.InvalidRequest("%s has already been fully reversed: nothing is left of it to reverse.", capitalize(what)).WithParam(param)
	}
	if left.Amount+amount < 0 || left.Tax+tax < 0 {
		return apierr.InvalidRequest("The reversal would reverse more than is left of %s: %d of its amount and %d of its tax are left to reverse, and you asked to reverse %d and %d.", what, left.Amount, left.Tax, -amount, -tax).WithParam(param)
	}
	return nil
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// fullyReversed is Stripe's refusal to reverse a transaction nothing is
// left of, in the words integrators have met it in.
func fullyReversed(id, param string) error {
	return apierr.InvalidRequest("You can't reverse transaction '%s' because it has been fully reversed.", id).WithParam(param)
}

// fullyReversed says whether nothing is left to reverse of any line item
// or of the shipping cost.
func (l *ledger) fullyReversed() bool {
	for _, r := range l.Remaining {
		if r.Amount != 0 || r.Tax != 0 {
			return false
		}
	}
	return l.Shipping == nil || (l.Shipping.Amount == 0 && l.Shipping.Tax == 0)
}

// flatReversal spreads a flat amount (negative, tax included) over what is
// left of the line items and the shipping cost, in proportion to what is
// left of each (tax included), and splits each share into amount and tax
// in the proportion left of them.
func flatReversal(orig store.Obj, l *ledger, flat int64) ([]reversed, *remains, error) {
	origID := api.Str(orig["id"])
	if flat >= 0 {
		return nil, nil, apierr.InvalidRequest("Invalid flat_amount: it is the total to reverse, in negative; you passed %d.", flat).WithParam("flat_amount")
	}
	type part struct {
		item      store.Obj // nil for the shipping cost
		left      *remains
		inclusive bool
		weight    int64 // what is left, tax included
	}
	var parts []part
	var total int64
	add := func(item store.Obj, left *remains, behavior string) {
		p := part{item: item, left: left, inclusive: behavior == "inclusive", weight: left.Amount}
		if !p.inclusive {
			p.weight += left.Tax
		}
		if p.weight > 0 {
			parts = append(parts, p)
			total += p.weight
		}
	}
	for _, it := range l.Items {
		add(it, l.Remaining[api.Str(it["id"])], api.Str(it["tax_behavior"]))
	}
	if l.Shipping != nil {
		add(nil, l.Shipping, api.Str(api.Obj(orig["shipping_cost"])["tax_behavior"]))
	}
	if total == 0 {
		return nil, nil, fullyReversed(origID, "flat_amount")
	}
	if -flat > total {
		return nil, nil, apierr.InvalidRequest("Invalid flat_amount: %d is more than is left of the tax transaction %s to reverse (%d, tax included).", -flat, origID, total).WithParam("flat_amount")
	}
	// Shares by largest remainder, so they add up to the flat amount
	// exactly.
	shares := make([]int64, len(parts))
	rems := make([]int64, len(parts))
	var given int64
	for i, p := range parts {
		shares[i] = -flat * p.weight / total
		rems[i] = -flat * p.weight % total
		given += shares[i]
	}
	for given < -flat {
		best := 0
		for i := range parts {
			if rems[i] > rems[best] {
				best = i
			}
		}
		shares[best]++
		rems[best] = -1
		given++
	}
	var lines []reversed
	var ship *remains
	for i, p := range parts {
		if shares[i] == 0 {
			continue
		}
		tax := divRound(shares[i]*p.left.Tax, p.weight)
		amount := shares[i] - tax
		if p.inclusive {
			amount = shares[i]
		}
		if p.item == nil {
			ship = &remains{Amount: -amount, Tax: -tax}
			continue
		}
		lines = append(lines, reversed{original: p.item, amount: -amount, tax: -tax, quantity: api.Int(p.item["quantity"]), ref: api.Str(p.item["reference"])})
	}
	return lines, ship, nil
}

// divRound is n/d rounded half away from zero (n >= 0, d > 0).
func divRound(n, d int64) int64 { return (2*n + d) / (2 * d) }

func transactionItemsList(c *api.Call, o store.Obj) (any, error) {
	id := api.Str(o["id"])
	items := loadLedger(c, id).Items
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	return firstPage(list, transactionURL(id)), nil
}

func retrieveTransaction(c *api.Call) (any, error) { return c.Retrieve("tax.transaction", c.Var("id")) }

func listTransactionItems(c *api.Call) (any, error) {
	txn, err := c.Load("tax.transaction", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	id := api.Str(txn["id"])
	items := loadLedger(c, id).Items
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	return api.EmbeddedPage(c, list, transactionURL(id), TransactionItemKind.Name)
}
