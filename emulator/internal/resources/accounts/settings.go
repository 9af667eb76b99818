package accounts

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// delayDaysParam is the payout delay an account's settings take, an
// integer or `minimum` (stripe-go's DelayDaysMinimum sends the word).
const delayDaysParam = "settings[payouts][schedule][delay_days]"

// minimumDelayDays is the shortest payout delay of an account in country:
// two days in the US, seven elsewhere (what Stripe shows a new German
// account; other countries' own minimums are not emulated).
func minimumDelayDays(country string) int64 {
	if country == "US" {
		return 2
	}
	return 7
}

// defaultSettings are the settings Stripe gives every new account: a daily
// payout schedule after the country's minimum delay, negative balances
// debited from its bank account, nothing branded or described yet.
func defaultSettings(country, typ string) store.Obj {
	// A Standard account declines on failed AVS and CVC checks, as Stripe's
	// example account does; the platform's accounts do not.
	declines := typ == "standard"
	var saveOnInvoice any = "always"
	if typ == "standard" {
		saveOnInvoice = nil
	}
	return store.Obj{
		"bacs_debit_payments": store.Obj{"display_name": nil, "service_user_number": nil},
		"branding":            store.Obj{"icon": nil, "logo": nil, "primary_color": nil, "secondary_color": nil},
		"card_issuing":        store.Obj{"tos_acceptance": store.Obj{"date": nil, "ip": nil}},
		"card_payments": store.Obj{"decline_on": store.Obj{"avs_failure": declines, "cvc_failure": declines},
			"statement_descriptor_prefix": nil, "statement_descriptor_prefix_kana": nil, "statement_descriptor_prefix_kanji": nil},
		"dashboard": store.Obj{"display_name": nil, "timezone": "Etc/UTC"},
		"invoices":  store.Obj{"default_account_tax_ids": nil, "hosted_payment_method_save": saveOnInvoice},
		"payments": store.Obj{"statement_descriptor": nil, "statement_descriptor_kana": nil, "statement_descriptor_kanji": nil,
			"statement_descriptor_prefix_kana": nil, "statement_descriptor_prefix_kanji": nil},
		"payouts": store.Obj{"debit_negative_balances": true,
			"schedule": store.Obj{"delay_days": minimumDelayDays(country), "interval": "daily"}, "statement_descriptor": nil},
		"sepa_debit_payments": store.Obj{},
	}
}

// applySettings merges settings[…] into the account o. delay_days is a
// number of days or `minimum`, the country's; Stripe refuses it on a manual
// schedule, where it stays as it was last set.
func applySettings(o store.Obj, sent store.Obj) error {
	schedule := api.Obj(api.Obj(sent["payouts"])["schedule"])
	raw, delaySent := schedule["delay_days"]
	if delaySent {
		switch s := api.Str(raw); s {
		case "minimum":
			schedule["delay_days"] = minimumDelayDays(api.Str(o["country"]))
		default:
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return apierr.InvalidInteger(delayDaysParam, s)
			}
			// Stripe's payout schedule guide: the delay "cannot be less
			// than ... the default payout schedule for the account" (the
			// wording of the refusal is the emulator's).
			if least := minimumDelayDays(api.Str(o["country"])); n < least {
				return apierr.InvalidRequest("The delay_days value cannot be less than %d, the minimum for accounts in %s: send `minimum` for the lowest permitted value.", least, o["country"]).WithParam(delayDaysParam)
			}
			schedule["delay_days"] = n
		}
		// The same guide: a platform edits the delay only "on accounts
		// where you own fraud and dispute liability"; Stripe keeps the
		// others' at their minimum.
		if was := payoutSchedule(o)["delay_days"]; !platformLiable(o) && api.Int(schedule["delay_days"]) != api.Int(was) {
			return apierr.InvalidRequest("You can only change delay_days on accounts where your platform is liable for negative balances (controller[losses][payments]=application), which includes Custom and Express accounts; %s is not one of them.", o["id"]).WithParam(delayDaysParam)
		}
	}
	settings := mergeDetails(api.Obj(o["settings"]), sent)
	after := api.Obj(api.Obj(settings["payouts"])["schedule"])
	if delaySent && after["interval"] == "manual" {
		return apierr.InvalidRequest("You cannot set `delay_days` on a manual payout schedule: manual payouts always use the minimum delay.").WithParam(delayDaysParam)
	}
	if len(schedule) > 0 {
		if err := checkSchedule(after); err != nil {
			return err
		}
		tidySchedule(after)
	}
	o["settings"] = settings
	return nil
}

// descriptorLimits are the shortest and longest statement descriptors of
// an account's settings: a whole descriptor 5 to 22 characters, a prefix
// 2 to 10 (Stripe's statement descriptor and Connect guides; the maxima
// are its OpenAPI spec's). Payouts' has only its maximum: the guides'
// requirements are those of customers' statements.
var descriptorLimits = []struct {
	path     string
	min, max int
	what     string
}{
	{"settings.payments.statement_descriptor", 5, 22, "statement descriptor"},
	{"settings.payouts.statement_descriptor", 0, 22, "statement descriptor"},
	{"settings.card_payments.statement_descriptor_prefix", 2, 10, "statement descriptor prefix"},
}

// checkDescriptors refuses a statement descriptor of an account's settings
// Stripe would not take: too short or long, without a letter, or with
// one of the characters Stripe forbids (< > \ ' " *). An empty one unsets
// it. Only the minimum's wording is Stripe's as observed.
func checkDescriptors(c *api.Call) error {
	for _, l := range descriptorLimits {
		s, _ := c.Params.Str(l.path)
		if s == "" {
			continue
		}
		param := "settings[" + strings.ReplaceAll(strings.TrimPrefix(l.path, "settings."), ".", "][") + "]"
		n := utf8.RuneCountInString(s)
		switch {
		case n > l.max:
			return apierr.TooLong(param, s, l.max)
		case l.min == 0:
		case n < l.min:
			return apierr.InvalidRequest("The %s must be at least %d characters.", l.what, l.min).WithParam(param)
		case strings.ContainsAny(s, `<>\'"*`):
			return apierr.InvalidRequest("The %s cannot contain any of the special characters <, >, \\, ', \" or *.", l.what).WithParam(param)
		case !strings.ContainsFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }):
			return apierr.InvalidRequest("The %s must contain at least one letter.", l.what).WithParam(param)
		}
	}
	return nil
}
