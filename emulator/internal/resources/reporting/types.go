package reporting

import (
	"regexp"
	"slices"
	"strings"
)

// shape is what a report computes from the account's balance
// transactions.
type shape int

const (
	activityItemized shape = iota // one row per balance transaction, payouts left out
	activitySummary               // activity by reporting category and currency
	payoutsItemized               // one row per payout balance transaction
	payoutsSummary                // payouts by reporting category and currency
	balanceSummary                // starting balance, activity, payouts, ending balance
)

// reportType is one of Stripe's report types, as its report type
// reference documents it (docs.stripe.com/reports/report-types/balance):
// the run parameters it takes beyond interval_start and interval_end
// (both required), its columns in Stripe's order, and the ones a run
// without columns gets.
type reportType struct {
	id, name string
	version  int64
	shape    shape
	optional []string // optional run parameters
	columns  []string
	defaults []string
	// metadata are the metadata column families it takes, each asked for
	// with a key: payment_metadata[order_id].
	metadata []string
	// connect marks the platform's reports of its connected accounts'
	// balances (connected_account_…): all of them, or the one
	// parameters[connected_account] names.
	connect bool
}

// takes reports whether runs of the type take an optional parameter.
func (t *reportType) takes(param string) bool { return slices.Contains(t.optional, param) }

// column reports whether name is one of the type's columns, a metadata
// column with a key included.
func (t *reportType) column(name string) bool {
	if slices.Contains(t.columns, name) {
		return true
	}
	family, key, ok := metadataColumn(name)
	return ok && key != "" && slices.Contains(t.metadata, family)
}

// metadataColumn splits "payment_metadata[key]" into its family and key.
func metadataColumn(name string) (family, key string, ok bool) {
	open := strings.IndexByte(name, '[')
	if open < 0 || !strings.HasSuffix(name, "]") {
		return "", "", false
	}
	return name[:open], name[open+1 : len(name)-1], true
}

// address is the six columns of an address, named prefix_line1….
func address(prefix string) []string {
	return []string{prefix + "_line1", prefix + "_line2", prefix + "_city", prefix + "_state", prefix + "_postal_code", prefix + "_country"}
}

func join(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var (
	summaryColumns = []string{"reporting_category", "currency", "count", "gross", "fee", "net"}

	activityColumns1 = join(
		[]string{"balance_transaction_id", "created_utc", "available_on_utc", "currency", "gross", "fee", "net", "reporting_category",
			"source_id", "description", "customer_facing_amount", "customer_facing_currency", "automatic_payout_id",
			"automatic_payout_effective_at", "customer_id", "customer_email", "customer_name", "customer_description"},
		address("shipping_address"),
		[]string{"charge_id", "payment_intent_id", "charge_created_utc", "invoice_id", "subscription_id", "payment_method_type",
			"is_link", "card_brand", "card_funding", "card_country", "statement_descriptor"},
	)
	activityColumns2 = join(
		[]string{"balance_transaction_id", "created_utc", "available_on_utc", "currency", "gross", "fee", "net", "reporting_category",
			"source_id", "description", "customer_facing_amount", "customer_facing_currency", "regulatory_tag", "automatic_payout_id",
			"automatic_payout_effective_at", "customer_id", "customer_email", "customer_name", "customer_description"},
		address("customer_shipping_address"), address("customer_address"), address("shipping_address"), address("card_address"),
		[]string{"charge_id", "payment_intent_id", "charge_created_utc", "invoice_id", "invoice_number", "subscription_id",
			"payment_method_type", "is_link", "card_brand", "card_funding", "card_country", "statement_descriptor", "dispute_reason",
			"connected_account_id", "connected_account_name", "connected_account_country", "connected_account_direct_charge_id"},
	)
	activityColumns3 = join(
		[]string{"balance_transaction_id", "created_utc", "created", "available_on_utc", "available_on", "currency", "gross", "fee",
			"net", "reporting_category", "source_id", "description", "customer_facing_amount", "customer_facing_currency",
			"regulatory_tag", "automatic_payout_id", "automatic_payout_effective_at_utc", "automatic_payout_effective_at",
			"customer_id", "customer_email", "customer_name", "customer_description"},
		address("customer_shipping_address"), address("customer_address"), address("shipping_address"), address("card_address"),
		[]string{"charge_id", "payment_intent_id", "charge_created_utc", "charge_created", "invoice_id", "invoice_number",
			"subscription_id", "payment_method_type", "is_link", "card_brand", "card_funding", "card_country", "statement_descriptor",
			"dispute_reason", "connected_account_id", "connected_account_name", "connected_account_country",
			"connected_account_direct_charge_id"},
	)
	payoutColumns1 = []string{"payout_id", "effective_at_utc", "currency", "gross", "fee", "net", "reporting_category",
		"balance_transaction_id", "description", "payout_expected_arrival_date", "payout_status", "payout_reversed_at",
		"payout_type", "payout_description", "payout_destination_id"}
	payoutColumns2 = append(slices.Clone(payoutColumns1), "regulatory_tag")
	payoutColumns3 = []string{"payout_id", "effective_at_utc", "effective_at", "currency", "gross", "fee", "net",
		"reporting_category", "balance_transaction_id", "description", "payout_expected_arrival_date", "payout_status",
		"payout_reversed_at_utc", "payout_reversed_at", "payout_type", "payout_description", "payout_destination_id",
		"regulatory_tag"}

	activityDefaultsUTC   = []string{"balance_transaction_id", "created_utc", "available_on_utc", "currency", "gross", "fee", "net", "reporting_category", "description"}
	activityDefaultsLocal = []string{"balance_transaction_id", "created", "available_on", "currency", "gross", "fee", "net", "reporting_category", "description"}
	payoutDefaultsUTC     = []string{"payout_id", "effective_at_utc", "currency", "gross", "fee", "net", "reporting_category", "balance_transaction_id", "description", "payout_expected_arrival_date", "payout_status"}
	payoutDefaultsLocal   = []string{"payout_id", "effective_at", "currency", "gross", "fee", "net", "reporting_category", "balance_transaction_id", "description", "payout_expected_arrival_date", "payout_status"}

	metadataFamilies = []string{"payment_metadata", "refund_metadata", "transfer_metadata"}
)

// reportTypes are the report types the emulator runs, in the order its
// list answers them: the Balance report's (the reports of an account's
// balance that its own balance transactions make).
var reportTypes = []*reportType{
	{id: "balance.summary.1", name: "Balance summary", version: 1, shape: balanceSummary,
		optional: []string{"timezone", "currency", "columns"},
		columns:  []string{"category", "description", "net_amount", "currency"}, defaults: []string{"category", "description", "net_amount", "currency"}},
	{id: "balance_change_from_activity.itemized.1", name: "Itemized balance change from activity", version: 1, shape: activityItemized,
		optional: []string{"currency", "reporting_category", "decimal_separator", "columns"}, columns: activityColumns1, defaults: activityDefaultsUTC},
	{id: "balance_change_from_activity.itemized.2", name: "Itemized balance change from activity", version: 2, shape: activityItemized,
		optional: []string{"currency", "reporting_category", "decimal_separator", "columns"}, columns: activityColumns2, defaults: activityDefaultsUTC,
		metadata: metadataFamilies},
	{id: "balance_change_from_activity.itemized.3", name: "Itemized balance change from activity", version: 3, shape: activityItemized,
		optional: []string{"timezone", "currency", "reporting_category", "decimal_separator", "columns"}, columns: activityColumns3, defaults: activityDefaultsLocal,
		metadata: metadataFamilies},
	{id: "balance_change_from_activity.summary.1", name: "Balance change from activity summary", version: 1, shape: activitySummary,
		optional: []string{"currency", "columns"}, columns: summaryColumns, defaults: summaryColumns},
	{id: "payouts.itemized.1", name: "Itemized payouts", version: 1, shape: payoutsItemized,
		optional: []string{"currency", "reporting_category", "decimal_separator", "columns"}, columns: payoutColumns1, defaults: payoutDefaultsUTC},
	{id: "payouts.itemized.2", name: "Itemized payouts", version: 2, shape: payoutsItemized,
		optional: []string{"currency", "reporting_category", "decimal_separator", "columns"}, columns: payoutColumns2, defaults: payoutDefaultsUTC},
	{id: "payouts.itemized.3", name: "Itemized payouts", version: 3, shape: payoutsItemized,
		optional: []string{"timezone", "currency", "reporting_category", "decimal_separator", "columns"}, columns: payoutColumns3, defaults: payoutDefaultsLocal},
	{id: "payouts.summary.1", name: "Payouts summary", version: 1, shape: payoutsSummary,
		optional: []string{"currency", "columns"}, columns: summaryColumns, defaults: summaryColumns},
}

// connectedAccountTypes are the platform's versions of the report types
// for its connected accounts' balances (Stripe's Connect report type
// reference): the same report over the accounts' transactions, taking
// connected_account, the itemized ones with a connected_account column
// (naming whose balance a row moves) in place of the columns about the
// platform's own Connect activity.
var connectedAccountTypes = func() []*reportType {
	platformOnly := []string{"connected_account_id", "connected_account_name", "connected_account_country", "connected_account_direct_charge_id"}
	var out []*reportType
	for _, t := range reportTypes {
		c := *t
		c.id, c.name, c.connect = "connected_account_"+t.id, "Connected account "+lowerFirst(t.name), true
		c.optional = append([]string{"connected_account"}, t.optional...)
		if t.shape == activityItemized || t.shape == payoutsItemized {
			c.columns = append(slices.DeleteFunc(slices.Clone(t.columns), func(col string) bool { return slices.Contains(platformOnly, col) }), "connected_account")
			c.defaults = append(slices.Clone(t.defaults), "connected_account")
		}
		out = append(out, &c)
	}
	return out
}()

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

var reportTypesByID = func() map[string]*reportType {
	m := make(map[string]*reportType, len(reportTypes)+len(connectedAccountTypes))
	for _, t := range append(slices.Clone(reportTypes), connectedAccountTypes...) {
		m[t.id] = t
	}
	return m
}()

// notEmulatedPrefixes are the families of Stripe report types the
// emulator does not run, each with why: a run of one is refused by name
// rather than answered as if the type did not exist.
var notEmulatedPrefixes = []struct{ prefix, why string }{
	{"payout_reconciliation.", "it reports by the automatic payouts that settled balance transactions, which the emulator lists (GET /v1/balance_transactions?payout=, the automatic_payout_id column) but does not report on"},
	{"ending_balance_reconciliation.", "it ties the ending balance to the automatic payouts that will settle it, which the emulator does not forecast"},
	{"connected_account_payout_reconciliation.", "it reports by the automatic payouts that settled balance transactions, which the emulator lists (GET /v1/balance_transactions?payout=, the automatic_payout_id column) but does not report on"},
	{"connected_account_ending_balance_reconciliation.", "it ties the ending balance to the automatic payouts that will settle it, which the emulator does not forecast"},
	{"connect.", "the emulator keeps no record of the negative balances Stripe covers for connected accounts"},
	{"card_payments_fees.", "the emulator does not break fees down by card network costs"},
	{"connect_card_payments_fees.", "the emulator does not break fees down by card network costs"},
	{"tax.", "the emulator's Stripe Tax keeps no tax reporting ledger"},
	{"revenue_recognition.", "the emulator does not emulate Revenue Recognition"},
	{"activity.", "the emulator does not emulate the Payments activity report"},
}

// laterVersion matches the other versions of the report types the
// emulator runs (Stripe adds versions with more columns).
var laterVersion = regexp.MustCompile(`^(connected_account_)?(balance_change_from_activity\.(itemized|summary)|payouts\.(itemized|summary)|balance\.summary)\.[0-9]+$`)

// notEmulated says why a Stripe report type the emulator does not run is
// left out, "" when id is no report type Stripe has.
func notEmulated(id string) string {
	for _, n := range notEmulatedPrefixes {
		if strings.HasPrefix(id, n.prefix) {
			return n.why
		}
	}
	if laterVersion.MatchString(id) {
		return "the emulator runs the versions of this report whose columns Stripe's report type reference documents, listed at /v1/reporting/report_types"
	}
	return ""
}
