package accounts

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// An account's payout schedule (settings.payouts.schedule) decides on
// which days Stripe pays its available balance out automatically: every
// day, on the weekdays of a weekly schedule, on the days of the month of
// a monthly one (the 29th to 31st falling on a shorter month's last day),
// never on a manual one. Days are UTC days, the accounts' timezone.

// AutoPayoutKey is the metadata entry holding when an account's next
// automatic payout is looked at (Unix time): present only while funds may
// be waiting for one, so a clock step reads nothing for the rest.
func AutoPayoutKey(account string) string { return "autopayout:" + account }

const day = 86400

// Schedule is an account's payout schedule.
func Schedule(tx *store.Tx, platform, account string) store.Obj {
	o, ok := tx.Get(platform, "account", account)
	if !ok {
		return nil
	}
	return payoutSchedule(o)
}

// Settlement is an account's country (US when there is no account) and how many days
// its charge funds stay pending: its schedule's delay_days, or its
// country's minimum on a manual schedule (Stripe's 2015-06-15 changelog:
// manual payouts always use the minimum).
//
// Every charge asks, so only the three fields are read, not the account.
func Settlement(tx *store.Tx, platform, account string) (country string, delayDays int64) {
	f, ok := tx.Fields(platform, "account", account, "country", "settings.payouts.schedule.interval", "settings.payouts.schedule.delay_days")
	if !ok {
		return "US", minimumDelayDays("US")
	}
	country = f[0].String()
	if !f[2].Exists() || !Automatic(store.Obj{"interval": f[1].String()}) {
		return country, minimumDelayDays(country)
	}
	return country, f[2].Int()
}

// Automatic says whether a schedule pays out on its own.
func Automatic(schedule store.Obj) bool {
	switch schedule["interval"] {
	case "daily", "weekly", "monthly":
		return true
	}
	return false
}

// NextPayoutDay is the start of the first day on the schedule at or after
// from; false for a manual schedule.
func NextPayoutDay(schedule store.Obj, from int64) (int64, bool) {
	if !Automatic(schedule) {
		return 0, false
	}
	d := (from + day - 1) / day * day // the start of from's day, or the next
	for range 366 {
		if onSchedule(schedule, d) {
			return d, true
		}
		d += day
	}
	return 0, false
}

func onSchedule(schedule store.Obj, dayStart int64) bool {
	t := time.Unix(dayStart, 0).UTC()
	switch schedule["interval"] {
	case "daily":
		return true
	case "weekly":
		return slices.Contains(weekdays(schedule), t.Weekday().String())
	case "monthly":
		last := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
		for _, d := range monthDays(schedule) {
			if min(d, int64(last)) == int64(t.Day()) {
				return true
			}
		}
	}
	return false
}

var weekdayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// weekdays are a weekly schedule's payout days, as time.Weekday names.
func weekdays(schedule store.Obj) []string {
	var out []string
	names, _ := schedule["weekly_payout_days"].([]any)
	if a := api.Str(schedule["weekly_anchor"]); a != "" {
		names = append(names, a)
	}
	for _, n := range names {
		if s := api.Str(n); s != "" {
			out = append(out, strings.ToUpper(s[:1])+s[1:])
		}
	}
	return out
}

// monthDays are a monthly schedule's payout days of the month.
func monthDays(schedule store.Obj) []int64 {
	var out []int64
	days, _ := schedule["monthly_payout_days"].([]any)
	if a, ok := schedule["monthly_anchor"]; ok && a != nil {
		days = append(days, a)
	}
	for _, d := range days {
		out = append(out, dayNumber(d))
	}
	return out
}

// scheduleParam names a field of the payout schedule parameter.
func scheduleParam(field string) string { return "settings[payouts][schedule][" + field + "]" }

// checkSchedule refuses a schedule Stripe would not take: an unknown
// interval, a weekly or monthly one without its days, days out of range.
func checkSchedule(schedule store.Obj) error {
	switch schedule["interval"] {
	case "daily", "manual":
	case "weekly":
		days := weekdays(schedule)
		if len(days) == 0 {
			return apierr.InvalidRequest("You must provide a weekly_anchor when the payout schedule interval is weekly.").WithParam(scheduleParam("weekly_anchor"))
		}
		for _, d := range days {
			if !slices.Contains(weekdayNames, d) {
				return apierr.InvalidRequest("Invalid weekly_payout_days: each must be a day of the week (monday, tuesday, …).").WithParam(scheduleParam("weekly_payout_days"))
			}
		}
	case "monthly":
		days := monthDays(schedule)
		if len(days) == 0 {
			return apierr.InvalidRequest("You must provide a monthly_anchor when the payout schedule interval is monthly.").WithParam(scheduleParam("monthly_anchor"))
		}
		for _, d := range days {
			if d < 1 || d > 31 {
				return apierr.InvalidRequest("Invalid monthly_anchor: must be a day of the month between 1 and 31.").WithParam(scheduleParam("monthly_anchor"))
			}
		}
	default:
		return apierr.InvalidRequest("Invalid interval: must be one of daily, weekly, monthly, or manual.").WithParam(scheduleParam("interval"))
	}
	return nil
}

// dayNumber reads a day of the month as sent (a string) or stored (a
// number); 0 if it is neither.
func dayNumber(v any) int64 {
	if s, ok := v.(string); ok {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0
		}
		return n
	}
	return api.Int(v)
}

// tidySchedule keeps the days of a weekly or monthly schedule as numbers
// and only on the interval they belong to, as Stripe shows them.
func tidySchedule(schedule store.Obj) {
	if schedule["interval"] != "weekly" {
		delete(schedule, "weekly_anchor")
		delete(schedule, "weekly_payout_days")
	}
	if schedule["interval"] != "monthly" {
		delete(schedule, "monthly_anchor")
		delete(schedule, "monthly_payout_days")
		return
	}
	if a, ok := schedule["monthly_anchor"]; ok && a != nil {
		schedule["monthly_anchor"] = dayNumber(a)
	}
	if days, ok := schedule["monthly_payout_days"].([]any); ok {
		out := make([]any, len(days))
		for i, d := range days {
			out[i] = dayNumber(d)
		}
		schedule["monthly_payout_days"] = out
	}
}

// StatementDescriptors are an account's static statement descriptor
// (settings.payments) and its card payments' prefix
// (settings.card_payments), "" when unset. Every charge asks, so only the
// two fields are read, not the account.
func StatementDescriptors(tx *store.Tx, platform, account string) (static, prefix string) {
	f, ok := tx.Fields(platform, "account", account, "settings.payments.statement_descriptor", "settings.card_payments.statement_descriptor_prefix")
	if !ok {
		return "", ""
	}
	return f[0].String(), f[1].String()
}
