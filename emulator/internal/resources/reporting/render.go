package reporting

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// txn is what a report reads of a balance transaction.
type txn struct {
	account                                          string // whose balance it moves
	id, currency, category, source, description, typ string
	created, availableOn, amount, fee, net           int64
}

// payoutCategory says whether a reporting category is money paid out (or
// returned from a payout): the Balance report's Payouts section, left out
// of its balance change from activity.
func payoutCategory(cat string) bool { return cat == "payout" || cat == "payout_reversal" }

// transactions are the accounts' balance transactions made before end,
// in the order they were made (ids sort so in every account).
func transactions(c *api.Call, accounts []string, end int64, cur string) []txn {
	var out []txn
	for _, acct := range accounts {
		c.Tx.EachRaw(acct, "balance_transaction", func(raw string) bool {
			f := store.Pick(raw, "id", "created", "available_on", "currency", "amount", "fee", "net", "reporting_category", "source", "description", "type", "balance_type")
			if f[11].String() == "issuing" {
				return true // the Issuing balance's, not the payments balance the reports are of
			}
			t := txn{account: acct, id: f[0].String(), created: f[1].Int(), availableOn: f[2].Int(), currency: f[3].String(), amount: f[4].Int(),
				fee: f[5].Int(), net: f[6].Int(), category: f[7].String(), source: f[8].String(), description: f[9].String(), typ: f[10].String()}
			if t.created < end && (cur == "" || t.currency == cur) {
				out = append(out, t)
			}
			return true
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].created != out[j].created {
			return out[i].created < out[j].created
		}
		return out[i].id < out[j].id
	})
	return out
}

// render computes a report run's CSV from the account's data as it is.
func render(c *api.Call, t *reportType, rp *runParams) []byte {
	all := transactions(c, rp.accounts, rp.end, rp.currency)
	var rows [][]string
	switch t.shape {
	case balanceSummary:
		rows = balanceRows(all, rp)
	case activitySummary, payoutsSummary:
		rows = summaryRows(all, rp, t.shape == payoutsSummary)
	case activityItemized, payoutsItemized:
		for _, x := range all {
			if x.created < rp.start || payoutCategory(x.category) != (t.shape == payoutsItemized) ||
				(rp.reportingCategory != "" && x.category != rp.reportingCategory) {
				continue
			}
			r := &row{c: c, loc: rp.location, sep: rp.decimalSeparator, t: x}
			rows = append(rows, r.values(rp.columns))
		}
		return writeCSV(rp.columns, rows)
	}
	return writeCSV(rp.columns, project(t.columns, rp.columns, rows))
}

// project picks the requested columns (in the requested order) out of
// rows laid out as all.
func project(all, want []string, rows [][]string) [][]string {
	at := make(map[string]int, len(all))
	for i, col := range all {
		at[col] = i
	}
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(want))
		for j, col := range want {
			out[i][j] = r[at[col]]
		}
	}
	return out
}

// balanceRows are balance.summary.1's rows for each currency with money
// in the account by the end of the interval: the balance at its start,
// the activity and the payouts during it, each before fees, its fees and
// its net (Stripe's rows, as its exports show them), and the balance at
// its end.
func balanceRows(all []txn, rp *runParams) [][]string {
	type part struct{ gross, fee, net int64 }
	type sums struct {
		starting          int64
		activity, payouts part
	}
	by := map[string]*sums{}
	for _, x := range all {
		s := by[x.currency]
		if s == nil {
			s = &sums{}
			by[x.currency] = s
		}
		p := &s.activity
		switch {
		case x.created < rp.start:
			s.starting += x.net
			continue
		case payoutCategory(x.category):
			p = &s.payouts
		}
		p.gross += x.amount
		p.fee += x.fee
		p.net += x.net
	}
	day := func(t int64) string { return time.Unix(t, 0).In(rp.location).Format("2006-01-02") }
	var rows [][]string
	for _, cur := range sortedKeys(by) {
		s := by[cur]
		ending := s.starting + s.activity.net + s.payouts.net
		row := func(category, description string, amount int64) []string {
			return []string{category, description, currency.Major(amount, cur), cur}
		}
		// Fees are shown as what they take from the balance: negative.
		rows = append(rows,
			row("starting_balance", "Starting balance ("+day(rp.start)+")", s.starting),
			row("activity_gross", "Account activity before fees", s.activity.gross),
			row("activity_fee", "Less fees", -s.activity.fee),
			row("activity", "Activity", s.activity.net),
			row("payouts_gross", "Payouts to bank", s.payouts.gross),
			row("payouts_fee", "Payout fees", -s.payouts.fee),
			row("payouts", "Total payouts", s.payouts.net),
			row("ending_balance", "Ending balance ("+day(rp.end-1)+")", ending),
		)
	}
	return rows
}

// summaryRows sum the interval's transactions by reporting category and
// currency (by currency, then category): payouts, or all the rest.
func summaryRows(all []txn, rp *runParams, payouts bool) [][]string {
	type sums struct{ count, gross, fee, net int64 }
	by := map[[2]string]*sums{}
	for _, x := range all {
		if x.created < rp.start || payoutCategory(x.category) != payouts {
			continue
		}
		k := [2]string{x.currency, x.category}
		s := by[k]
		if s == nil {
			s = &sums{}
			by[k] = s
		}
		s.count++
		s.gross += x.amount
		s.fee += x.fee
		s.net += x.net
	}
	keys := make([][2]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	rows := make([][]string, len(keys))
	for i, k := range keys {
		s, cur := by[k], k[0]
		rows[i] = []string{k[1], cur, itoa(s.count), currency.Major(s.gross, cur), currency.Major(s.fee, cur), currency.Major(s.net, cur)}
	}
	return rows
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// writeCSV lays out a report as Stripe's report files do: every value
// that is not empty quoted (quotes inside doubled), empty ones left bare.
func writeCSV(header []string, rows [][]string) []byte {
	var b bytes.Buffer
	line := func(values []string) {
		for i, v := range values {
			if i > 0 {
				b.WriteByte(',')
			}
			if v != "" {
				b.WriteByte('"')
				b.WriteString(strings.ReplaceAll(v, `"`, `""`))
				b.WriteByte('"')
			}
		}
		b.WriteByte('\n')
	}
	line(header)
	for _, r := range rows {
		line(r)
	}
	return b.Bytes()
}

// timestamp writes a time as Stripe's reports do, in loc.
func timestamp(t int64, loc *time.Location) string {
	return time.Unix(t, 0).In(loc).Format("2006-01-02 15:04:05")
}

// row is one balance transaction of an itemized report, with the
// objects its columns read, loaded when first needed.
type row struct {
	c      *api.Call
	loc    *time.Location
	sep    string // the decimal separator amounts are written with, "" for "."
	t      txn
	loaded bool
	// what the transaction's columns read, once load has run
	charge, refund, dispute, transfer, fee, payout, customer, intent, invoice store.Obj
}

func (r *row) get(object, id string) store.Obj {
	if id == "" {
		return nil
	}
	o, _ := r.c.Tx.Get(r.t.account, object, id)
	return o
}

// automaticPayout is what a column says of the automatic payout that paid
// the transaction out: its id, or its arrival (when the funds leave the
// balance); empty until one did.
func (r *row) automaticPayout(col string) string {
	id, ok := payments.AutomaticPayoutOf(r.c.Tx, r.t.account, r.t.id)
	if !ok {
		return ""
	}
	if col == "automatic_payout_id" {
		return id
	}
	loc := r.loc
	if col == "automatic_payout_effective_at_utc" {
		loc = time.UTC
	}
	return timestamp(api.Int(r.get("payout", id)["arrival_date"]), loc)
}

// load finds what the transaction's source is and what it relates to:
// the charge behind a charge, refund or dispute (and its customer,
// PaymentIntent and invoice), the transfer behind a transfer or its
// reversal, the application fee behind a fee or its refund, the payout.
func (r *row) load() {
	if r.loaded {
		return
	}
	r.loaded = true
	k := r.c.Registry.ByID(r.t.source)
	if k == nil {
		return
	}
	src := r.get(k.Object, r.t.source)
	switch k.Object {
	case "charge":
		r.charge = src
	case "refund":
		r.refund = src
		r.charge = r.get("charge", api.Str(src["charge"]))
	case "dispute":
		r.dispute = src
		r.charge = r.get("charge", api.Str(src["charge"]))
	case "transfer":
		r.transfer = src
	case "transfer_reversal":
		r.transfer = r.get("transfer", api.Str(src["transfer"]))
	case "application_fee":
		r.fee = src
	case "fee_refund":
		r.fee = r.get("application_fee", api.Str(src["fee"]))
	case "payout":
		r.payout = src
	}
	if r.charge == nil {
		return
	}
	r.customer = r.get("customer", api.Str(r.charge["customer"]))
	pi := api.Str(r.charge["payment_intent"])
	r.intent = r.get("payment_intent", pi)
	if pi != "" {
		p := r.c.Tx.List(r.t.account, "invoice_payment", store.Query{Index: "payment_intent", Value: pi, Limit: 1})
		if len(p.Data) > 0 {
			r.invoice = r.get("invoice", api.Str(p.Data[0]["invoice"]))
		}
	}
}

func (r *row) values(columns []string) []string {
	out := make([]string, len(columns))
	for i, col := range columns {
		out[i] = r.value(col)
	}
	return out
}

// field reads a dotted path of an object as report text ("" for null).
func field(o store.Obj, path string) string {
	if o == nil {
		return ""
	}
	v := store.PickObj(o, path)[0]
	if v.Type == gjson.Null || !v.Exists() {
		return ""
	}
	return v.String()
}

func (r *row) value(col string) string {
	t := r.t
	switch col {
	case "balance_transaction_id":
		return t.id
	case "created_utc", "effective_at_utc":
		return timestamp(t.created, time.UTC)
	case "created", "effective_at":
		return timestamp(t.created, r.loc)
	case "available_on_utc":
		return timestamp(t.availableOn, time.UTC)
	case "available_on":
		return timestamp(t.availableOn, r.loc)
	case "currency":
		return t.currency
	case "gross":
		return r.amount(t.amount, t.currency)
	case "fee":
		return r.amount(t.fee, t.currency)
	case "net":
		return r.amount(t.net, t.currency)
	case "reporting_category":
		return t.category
	case "source_id", "payout_id":
		return t.source
	case "description":
		return t.description
	case "connected_account":
		return t.account
	case "regulatory_tag":
		return "" // Brazilian accounts only
	case "automatic_payout_id", "automatic_payout_effective_at", "automatic_payout_effective_at_utc":
		return r.automaticPayout(col)
	}
	r.load()
	if strings.HasPrefix(col, "payout_") {
		return r.payoutValue(col)
	}
	if family, key, ok := metadataColumn(col); ok {
		return r.metadata(family, key)
	}
	for _, a := range []struct{ prefix, path string }{
		{"customer_shipping_address_", "shipping.address."}, {"customer_address_", "address."},
	} {
		if part, ok := strings.CutPrefix(col, a.prefix); ok {
			return field(r.customer, a.path+part)
		}
	}
	if part, ok := strings.CutPrefix(col, "shipping_address_"); ok {
		return field(r.charge, "shipping.address."+part)
	}
	if part, ok := strings.CutPrefix(col, "card_address_"); ok {
		if field(r.charge, "payment_method_details.type") != "card" {
			return ""
		}
		return field(r.charge, "billing_details.address."+part)
	}
	ch := r.charge
	switch col {
	case "customer_facing_amount":
		return r.customerFacingAmount()
	case "customer_facing_currency":
		if r.customerFacing() == nil {
			return ""
		}
		return field(r.customerFacing(), "currency")
	case "customer_id":
		return field(r.customer, "id")
	case "customer_email":
		return field(r.customer, "email")
	case "customer_name":
		return field(r.customer, "name")
	case "customer_description":
		return field(r.customer, "description")
	case "charge_id":
		return field(ch, "id")
	case "payment_intent_id":
		return field(ch, "payment_intent")
	case "charge_created_utc":
		if ch == nil {
			return ""
		}
		return timestamp(api.Int(ch["created"]), time.UTC)
	case "charge_created":
		if ch == nil {
			return ""
		}
		return timestamp(api.Int(ch["created"]), r.loc)
	case "invoice_id":
		return field(r.invoice, "id")
	case "invoice_number":
		return field(r.invoice, "number")
	case "subscription_id":
		return field(r.invoice, "parent.subscription_details.subscription")
	case "payment_method_type":
		return field(ch, "payment_method_details.type")
	case "is_link":
		if ch == nil {
			return ""
		}
		if field(ch, "payment_method_details.type") == "link" {
			return "true"
		}
		return "false"
	case "card_brand":
		return field(ch, "payment_method_details.card.brand")
	case "card_funding":
		return field(ch, "payment_method_details.card.funding")
	case "card_country":
		return field(ch, "payment_method_details.card.country")
	case "statement_descriptor":
		if s := field(ch, "statement_descriptor"); s != "" {
			return s
		}
		return field(ch, "statement_descriptor_suffix")
	case "dispute_reason":
		return field(r.dispute, "reason")
	case "connected_account_id":
		return r.connectedAccount()
	case "connected_account_name":
		a := r.account()
		if name := field(a, "business_profile.name"); name != "" {
			return name
		}
		return field(a, "settings.dashboard.display_name")
	case "connected_account_country":
		return field(r.account(), "country")
	case "connected_account_direct_charge_id":
		return field(r.fee, "charge")
	}
	return ""
}

// customerFacing is the charge, refund or dispute the customer saw.
func (r *row) customerFacing() store.Obj {
	switch {
	case r.refund != nil:
		return r.refund
	case r.dispute != nil:
		return r.dispute
	}
	return r.charge
}

// customerFacingAmount is the customer's amount, signed as the
// transaction moves the balance (a refund's is negative).
func (r *row) customerFacingAmount() string {
	o := r.customerFacing()
	if o == nil {
		return ""
	}
	n := api.Int(o["amount"])
	if r.t.amount < 0 {
		n = -n
	}
	return r.amount(n, api.Str(o["currency"]))
}

// amount writes an amount in major units with the run's decimal
// separator.
func (r *row) amount(n int64, cur string) string {
	s := currency.Major(n, cur)
	if r.sep == "," {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// connectedAccount is the connected account Connect activity concerns:
// a transfer's destination, an application fee's payer, a destination
// charge's destination.
func (r *row) connectedAccount() string {
	switch {
	case r.transfer != nil:
		return field(r.transfer, "destination")
	case r.fee != nil:
		return field(r.fee, "account")
	}
	return field(r.charge, "transfer_data.destination")
}

func (r *row) account() store.Obj {
	id := r.connectedAccount()
	if id == "" || r.c.Connected {
		return nil
	}
	a, _ := r.c.Tx.Get(r.c.Platform, "account", id)
	return a
}

// metadata reads a metadata column: the PaymentIntent's metadata (the
// charge's when the intent has none), the refund's or the transfer's.
func (r *row) metadata(family, key string) string {
	var o store.Obj
	switch family {
	case "payment_metadata":
		o = r.intent
		if len(api.Obj(o["metadata"])) == 0 {
			o = r.charge
		}
	case "refund_metadata":
		o = r.refund
	case "transfer_metadata":
		o = r.transfer
	}
	if o == nil {
		return ""
	}
	return api.Str(api.Obj(o["metadata"])[key])
}

func (r *row) payoutValue(col string) string {
	po := r.payout
	if po == nil {
		return ""
	}
	switch col {
	case "payout_expected_arrival_date":
		return time.Unix(api.Int(po["arrival_date"]), 0).UTC().Format("2006-01-02")
	case "payout_status":
		return api.Str(po["status"])
	case "payout_reversed_at", "payout_reversed_at_utc":
		back := r.get("balance_transaction", api.Str(po["failure_balance_transaction"]))
		if back == nil {
			return ""
		}
		loc := r.loc
		if col == "payout_reversed_at_utc" {
			loc = time.UTC
		}
		return timestamp(api.Int(back["created"]), loc)
	case "payout_type":
		return api.Str(po["type"])
	case "payout_description":
		return api.Str(po["description"])
	case "payout_destination_id":
		return api.Str(po["destination"])
	}
	return ""
}
