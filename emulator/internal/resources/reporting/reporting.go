// Package reporting serves Stripe's Reporting API (/v1/reporting): the
// report types of the Balance report (balance summary, balance change
// from activity, payouts), computed from the account's own balance
// transactions (and a platform's connected_account_… versions, from its
// connected accounts'), and report runs, which Stripe runs asynchronously: a run
// is pending when made and succeeds RunDelay later on the emulator
// clock, its CSV a File (purpose finance_report_run) the files package
// serves, with reporting.report_run.succeeded.
//
// Report data becomes available a day at a time: a report type's
// data_available_end is the start (00:00 UTC) of the emulator clock's
// current day, and its data_available_start the start of the day the
// account was made, so a run covers whole past days as at Stripe, whose
// data is available up to a recent daily cutoff. Stripe's
// reporting.report_type.updated, sent as that cutoff moves, is not sent:
// one event per report type per account per simulated day would bury
// everything else a clock jump sends, and nothing changes in the objects
// but data_available_end, which is worked out on every read.
package reporting

import (
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // timezone parameters must resolve wherever the binary runs

	"github.com/stripe/stripe-go/v82"
	"github.com/tidwall/gjson"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/files"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// RunKind is the reporting.report_run object.
var RunKind = &api.Kind{
	Object: "reporting.report_run", Prefix: "frr_", Name: "report run",
	Indexes: []store.Index{{Name: "status", Path: "status"}},
}

// TypeKind is the reporting.report_type object: Stripe's, worked out per
// account on every read (its data availability follows the clock), never
// stored.
var TypeKind = &api.Kind{Object: "reporting.report_type", Name: "report type"}

// Kinds are the objects this family owns.
func Kinds() []*api.Kind { return []*api.Kind{RunKind, TypeKind} }

// RunDelay is how long a report run stays pending on the emulator clock:
// Stripe runs reports asynchronously, in seconds to minutes.
const RunDelay = 10

// resultLifetime is how long a run's CSV can be downloaded: Stripe's
// report files expire a year after they are made.
const resultLifetime = 365 * 86400

// reportingCategories are the values parameters[reporting_category] takes
// (Stripe's OpenAPI spec).
var reportingCategories = []string{
	"advance", "advance_funding", "anticipation_repayment", "charge", "charge_failure", "climate_order_purchase",
	"climate_order_refund", "connect_collection_transfer", "connect_reserved_funds", "contribution", "dispute",
	"dispute_reversal", "fee", "financing_paydown", "financing_paydown_reversal", "financing_payout",
	"financing_payout_reversal", "issuing_authorization_hold", "issuing_authorization_release", "issuing_dispute",
	"issuing_transaction", "network_cost", "other_adjustment", "partial_capture_reversal", "payout", "payout_reversal",
	"platform_earning", "platform_earning_refund", "refund", "refund_failure", "risk_reserved_funds", "tax", "topup",
	"topup_reversal", "transfer", "transfer_reversal", "unreconciled_customer_funds",
}

// Routes are the endpoints. Stripe's report types list takes no
// pagination: it answers every type at once.
func Routes() []api.Route {
	expandOnly := params.Object(map[string]*params.Schema{"expand": params.ArrayOf(params.String())})
	return []api.Route{
		api.GET("/v1/reporting/report_types", expandOnly, listTypes),
		api.GET("/v1/reporting/report_types/{id}", expandOnly, retrieveType),
		// decimal_separator is a run parameter of Stripe's itemized reports
		// that neither its OpenAPI spec nor stripe-go has.
		api.POST("/v1/reporting/report_runs", params.FromStruct(stripe.ReportingReportRunCreateParams{}).
			Enum("parameters.reporting_category", reportingCategories...).
			With("parameters.decimal_separator", params.String()).Enum("parameters.decimal_separator", ".", ","), createRun),
		api.GET("/v1/reporting/report_runs", params.FromStruct(stripe.ReportingReportRunListParams{}), listRuns),
		api.GET("/v1/reporting/report_runs/{id}", params.FromStruct(stripe.ReportingReportRunRetrieveParams{}), retrieveRun),
	}
}

// availability is the span of time the account's report data covers.
type availability struct{ start, end int64 }

// dataAvailable is when the account's report data begins (the start of
// the day the account was made) and ends (the start of the clock's
// current day).
func dataAvailable(c *api.Call) availability {
	made := c.Now
	if f, ok := c.Tx.Fields(c.Platform, "account", c.Account, "created"); ok && f[0].Exists() {
		made = f[0].Int()
	}
	a := availability{start: made / 86400 * 86400, end: c.Now / 86400 * 86400}
	a.end = max(a.end, a.start)
	return a
}

func typeObject(t *reportType, a availability) store.Obj {
	return store.Obj{
		"id": t.id, "object": "reporting.report_type", "data_available_start": a.start, "data_available_end": a.end,
		"default_columns": api.Anys(t.defaults), "livemode": false, "name": t.name, "updated": a.end, "version": t.version,
	}
}

func listTypes(c *api.Call) (any, error) {
	a := dataAvailable(c)
	types := reportTypes
	if !c.Connected {
		types = append(slices.Clone(types), connectedAccountTypes...)
	}
	data := make([]any, len(types))
	for i, t := range types {
		data[i] = typeObject(t, a)
	}
	return store.Obj{"object": "list", "data": data, "has_more": false, "url": "/v1/reporting/report_types"}, nil
}

func retrieveType(c *api.Call) (any, error) {
	id := c.Var("id")
	t, err := lookupType(c, id, "id")
	if err != nil {
		return nil, err
	}
	return typeObject(t, dataAvailable(c)), nil
}

// lookupType finds a report type the emulator runs; a Stripe report type
// it does not run is refused by name, with why.
func lookupType(c *api.Call, id, param string) (*reportType, error) {
	if t, ok := reportTypesByID[id]; ok {
		if t.connect && c.Connected {
			return nil, apierr.InvalidRequest("The report type %s reports a platform's connected accounts, and %s is a connected account: run %s for its own balance.", id, c.Account, strings.TrimPrefix(id, "connected_account_")).WithParam(param)
		}
		return t, nil
	}
	if why := notEmulated(id); why != "" {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate the report type %s: %s. It refused the request rather than answer as if it had run it; the report types it runs are listed at /v1/reporting/report_types.", id, why).WithParam(param)
	}
	return nil, apierr.NoSuchObject("report type", id, param)
}

// utc writes a time as Stripe's messages about report intervals do.
func utc(t int64) string { return time.Unix(t, 0).UTC().Format("2006-01-02 15:04:05") + " UTC" }

// runParams are a run's parameters, checked.
type runParams struct {
	start, end        int64
	currency          string
	reportingCategory string
	location          *time.Location
	decimalSeparator  string // "," or "." (the default)
	columns           []string
	accounts          []string  // whose balance transactions the report reads
	echo              store.Obj // the run's parameters as its object shows them
}

// readParameters checks a run's parameters against its report type, as
// Stripe does before it makes the run.
func readParameters(c *api.Call, t *reportType) (*runParams, error) {
	p, _ := c.Params.Obj("parameters")
	rp := &runParams{location: time.UTC, columns: t.defaults, echo: store.Obj{}}
	for _, k := range p.Keys() {
		if k != "interval_start" && k != "interval_end" && !t.takes(k) {
			return nil, apierr.InvalidRequest("The report type %s does not take the parameter `%s`: it takes interval_start and interval_end, and optionally %s.", t.id, k, strings.Join(t.optional, ", ")).WithParam("parameters[" + k + "]")
		}
	}
	var ok bool
	if rp.start, ok = p.Int("interval_start"); !ok {
		return nil, apierr.MissingParam("parameters[interval_start]")
	}
	if rp.end, ok = p.Int("interval_end"); !ok {
		return nil, apierr.MissingParam("parameters[interval_end]")
	}
	a := dataAvailable(c)
	if rp.start < a.start {
		return nil, apierr.InvalidRequest("Data for the report type %s is only available starting at %s; you requested `interval_start` = %s.", t.id, utc(a.start), utc(rp.start)).WithParam("parameters[interval_start]")
	}
	if rp.end > a.end {
		return nil, apierr.InvalidRequest("Data for the report type %s is only available through %s; you requested `interval_end` = %s.", t.id, utc(a.end), utc(rp.end)).WithParam("parameters[interval_end]")
	}
	if rp.start >= rp.end {
		return nil, apierr.InvalidRequest("`interval_start` (%s) must be before `interval_end` (%s).", utc(rp.start), utc(rp.end)).WithParam("parameters[interval_start]")
	}
	rp.echo["interval_start"], rp.echo["interval_end"] = rp.start, rp.end
	if cur, _ := p.Str("currency"); cur != "" {
		cur = strings.ToLower(cur)
		if !currency.Supported(cur) {
			return nil, currency.Invalid(cur, "parameters[currency]")
		}
		rp.currency, rp.echo["currency"] = cur, cur
	}
	if acct, _ := p.Str("connected_account"); acct != "" {
		if !connectedAccount(c, acct) {
			return nil, apierr.NoSuchObject("account", acct, "parameters[connected_account]")
		}
		rp.echo["connected_account"] = acct
	}
	if cat, _ := p.Str("reporting_category"); cat != "" {
		rp.reportingCategory, rp.echo["reporting_category"] = cat, cat
	}
	if sep, _ := p.Str("decimal_separator"); sep != "" {
		// Not shown in the run's parameters: Stripe's object has no such
		// field.
		rp.decimalSeparator = sep
	}
	if tz, _ := p.Str("timezone"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil || tz == "Local" {
			return nil, apierr.InvalidRequest("Invalid timezone: %s. Use a name from the IANA Time Zone Database, such as America/New_York or Etc/UTC.", tz).WithParam("parameters[timezone]")
		}
		rp.location, rp.echo["timezone"] = loc, tz
	}
	if cols := p.Strings("columns"); len(cols) > 0 {
		for _, col := range cols {
			if !t.column(col) {
				return nil, unknownColumn(t, col)
			}
		}
		rp.columns, rp.echo["columns"] = cols, api.Anys(cols)
	}
	return rp, nil
}

// unknownColumn refuses a column the report type does not have.
func unknownColumn(t *reportType, col string) error {
	if family, key, ok := metadataColumn(col); ok && slices.Contains(t.metadata, family) && key == "" {
		return apierr.InvalidRequest("The column %s needs a metadata key in its brackets, such as %s[order_id].", col, family).WithParam("parameters[columns]")
	}
	valid := t.columns
	for _, f := range t.metadata {
		valid = append(slices.Clone(valid), f+"[key]")
	}
	return apierr.InvalidRequest("Invalid column for report type %s: %s. Valid columns are: %s.", t.id, col, strings.Join(valid, ", ")).WithParam("parameters[columns]")
}

func createRun(c *api.Call) (any, error) {
	if err := c.Require("report_type"); err != nil {
		return nil, err
	}
	id, _ := c.Params.Str("report_type")
	t, err := lookupType(c, id, "report_type")
	if err != nil {
		return nil, err
	}
	rp, err := readParameters(c, t)
	if err != nil {
		return nil, err
	}
	// No event: Stripe has none for a run being made, only for its end.
	run := c.Object("reporting.report_run", c.NewID("reporting.report_run"), store.Obj{
		"error": nil, "parameters": rp.echo, "report_type": t.id, "result": nil, "status": "pending", "succeeded_at": nil,
	})
	if rp.decimalSeparator != "" {
		if err := c.Tx.SetMeta(separatorKey(c.Account, api.Str(run["id"])), rp.decimalSeparator); err != nil {
			return nil, err
		}
	}
	return run, c.Put(run)
}

// separatorKey keeps a pending run's decimal_separator, which its object
// does not show, until the run is done.
func separatorKey(account, id string) string { return "reportsep:" + account + ":" + id }

func retrieveRun(c *api.Call) (any, error) { return c.Retrieve("reporting.report_run", c.Var("id")) }

func listRuns(c *api.Call) (any, error) {
	q, err := c.ListQuery("reporting.report_run")
	if err != nil {
		return nil, err
	}
	return c.Page("reporting.report_run", "/v1/reporting/report_runs", q), nil
}

// Timer finishes pending report runs RunDelay after they were made.
var Timer = api.Timer{
	Due: func(_ *api.Env, tx *store.Tx, account string, target int64) []api.Due {
		var out []api.Due
		tx.EachIndexedRaw(account, "reporting.report_run", "status", "pending", func(raw string) bool {
			out = runDue(out, account, store.Pick(raw, "id", "status", "created"), target)
			return true
		})
		return out
	},
	Watch: []string{"reporting.report_run"},
	DueOf: func(_ *api.Env, tx *store.Tx, account string, ref store.Ref, target int64) []api.Due {
		f, ok := tx.Fields(account, ref.Type, ref.ID, "id", "status", "created")
		if !ok {
			return nil
		}
		return runDue(nil, account, f, target)
	},
}

// runDue adds a pending run's completion (f: its id, status, created) if
// it is due by target.
func runDue(out []api.Due, account string, f []gjson.Result, target int64) []api.Due {
	at := f[2].Int() + RunDelay
	if f[1].String() != "pending" || at > target {
		return out
	}
	id := f[0].String()
	return append(out, api.Due{At: at, Account: account, About: store.Ref{Type: "reporting.report_run", ID: id}, Kind: "report_run",
		Run: func(c *api.Call) error { return finish(c, id) }})
}

// finish runs a pending report: its CSV, computed from the account's
// data as it is now, becomes the run's result.
func finish(c *api.Call, id string) error {
	before, ok := c.Tx.Get(c.Account, "reporting.report_run", id)
	if !ok || before["status"] != "pending" {
		return nil
	}
	t := reportTypesByID[api.Str(before["report_type"])]
	if t == nil {
		return apierr.Internal("report run %s names the report type %v, which the emulator does not run", id, before["report_type"])
	}
	sep, _ := c.Tx.GetMeta(separatorKey(c.Account, id))
	c.Tx.DeleteMeta(separatorKey(c.Account, id))
	rp := storedParameters(t, api.Obj(before["parameters"]), sep)
	rp.accounts = []string{c.Account}
	if t.connect {
		rp.accounts = connectedAccounts(c, api.Str(api.Obj(before["parameters"])["connected_account"]))
	}
	data := render(c, t, rp)
	f, err := files.Generated(c, "finance_report_run", "csv", id+".csv", "FinanceReportRun "+id, data, resultLifetime)
	if err != nil {
		return err
	}
	after := api.Clone(before)
	after["status"], after["succeeded_at"], after["result"] = "succeeded", c.Now, api.Clone(f)
	return c.PutEmit(after, "reporting.report_run.succeeded", nil)
}

// connectedAccount says whether id is one of the platform's connected
// accounts.
func connectedAccount(c *api.Call, id string) bool {
	return id != c.Platform && c.Tx.Exists(c.Platform, "account", id)
}

// connectedAccounts are the accounts a connected_account_… report reads:
// the one named, or every connected account the platform has when it
// runs.
func connectedAccounts(c *api.Call, named string) []string {
	if named != "" {
		return []string{named}
	}
	var out []string
	c.Tx.EachRaw(c.Platform, "account", func(raw string) bool {
		if f := store.Pick(raw, "id", "deleted"); f[0].String() != c.Platform && !f[1].Bool() {
			out = append(out, f[0].String())
		}
		return true
	})
	return out
}

// storedParameters reads back the parameters a run was made with
// (checked then).
func storedParameters(t *reportType, p store.Obj, decimalSeparator string) *runParams {
	rp := &runParams{
		start: api.Int(p["interval_start"]), end: api.Int(p["interval_end"]), location: time.UTC, columns: t.defaults,
		currency: api.Str(p["currency"]), reportingCategory: api.Str(p["reporting_category"]), decimalSeparator: decimalSeparator,
	}
	if tz := api.Str(p["timezone"]); tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			rp.location = loc
		}
	}
	if cols, ok := p["columns"].([]any); ok && len(cols) > 0 {
		rp.columns = make([]string, len(cols))
		for i, col := range cols {
			rp.columns[i] = api.Str(col)
		}
	}
	return rp
}
