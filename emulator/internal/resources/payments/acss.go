package payments

import (
	"net/url"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Canadian pre-authorized debits (acss_debit). An account entered by its
// institution, transit and account numbers is verified like an ACH
// account entered by its numbers (microdeposits.go): by microdeposits,
// instant verification (Financial Connections) not being emulated. Its
// debits run under a PAD mandate whose terms (payment schedule,
// transaction type) the intent's
// payment_method_options[acss_debit][mandate_options] give.

// The test bank's numbers, and its account numbers with a behaviour of
// their own, from memory of Stripe's PAD guide (not verified, see README).
const (
	acssTestInstitution       = "000"
	acssTestTransit           = "11000"
	acssMicrodepositsFail     = "900666666661" // the microdeposits cannot be sent
	acssDisputed              = "900555555559" // paid, then disputed at once
	acssTestBankName          = "STRIPE TEST BANK"
	acssMandateIntervalNeeded = "payment_method_options[acss_debit][mandate_options][interval_description]"
)

// acssTestAccounts are the test accounts whose debit fails, and how.
var acssTestAccounts = map[string]string{
	"900222222227": "insufficient_funds",
}

// acssFromParams builds an acss_debit PaymentMethod: a Canadian account by
// its institution number (3 digits), transit number (5 digits) and
// account number (7 to 12 digits), with the payer's name and email that a
// PAD mandate needs. The lengths and wording are the emulator's (see
// README).
func acssFromParams(c *api.Call, bd store.Obj) (store.Obj, error) {
	ap, _ := c.Params.Obj("acss_debit")
	inst, _ := ap.Str("institution_number")
	transit, _ := ap.Str("transit_number")
	number, _ := ap.Str("account_number")
	for _, f := range [][2]string{{"account_number", number}, {"institution_number", inst}, {"transit_number", transit}} {
		if f[1] == "" {
			return nil, apierr.MissingParam("acss_debit[" + f[0] + "]")
		}
	}
	if len(inst) != 3 || !allDigits(inst) {
		return nil, apierr.InvalidRequest("Invalid acss_debit[institution_number]: an institution number has 3 digits.").WithParam("acss_debit[institution_number]")
	}
	if len(transit) != 5 || !allDigits(transit) {
		return nil, apierr.InvalidRequest("Invalid acss_debit[transit_number]: a transit number has 5 digits.").WithParam("acss_debit[transit_number]")
	}
	if len(number) < 7 || len(number) > 12 || !allDigits(number) {
		return nil, apierr.InvalidRequest("Invalid acss_debit[account_number]: an account number has 7 to 12 digits.").WithParam("acss_debit[account_number]")
	}
	test := inst == acssTestInstitution && transit == acssTestTransit
	if test && number == acssDisputed {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate Stripe's pre-authorized debit test account %s: the dispute Stripe opens at once on its payment (disputes of bank debits are not emulated). It refused the request rather than answer as if it had. Use another test account, or test disputes with pm_card_createDispute.", number).WithParam("acss_debit[account_number]")
	}
	if err := requireBillingDetails(bd, "name", "email"); err != nil {
		return nil, err
	}
	var bank any
	if test {
		bank = acssTestBankName
	}
	o := c.Base("payment_method", c.NewID("payment_method"))
	o["allow_redisplay"], o["billing_details"], o["customer"], o["metadata"], o["type"] = "unspecified", bd, nil, map[string]any{}, "acss_debit"
	o["acss_debit"] = store.Obj{"bank_name": bank, "fingerprint": fingerprint(c.Account, inst+transit+number),
		"institution_number": inst, "last4": number[len(number)-4:], "transit_number": transit}
	// Only Stripe's test bank reaches its test accounts.
	ref := "acss:"
	if test {
		ref += number
	}
	return o, c.Tx.SetMeta(metaCard(c.Account, api.Str(o["id"])), ref)
}

// acssNumber is the test account number behind an acss_debit method ("" for
// an account at another bank).
func acssNumber(c *api.Call, pm store.Obj) string {
	ref, _ := c.Tx.GetMeta(metaCard(c.Account, api.Str(pm["id"])))
	number, _ := strings.CutPrefix(ref, "acss:")
	return number
}

// acssMandateDetails are a new PAD mandate's payment_method_details, the
// terms owner's payment_method_options[acss_debit][mandate_options] give:
// a payment schedule and transaction type (which Stripe's mandate always
// has), and an interval description for an interval or combined schedule.
func acssMandateDetails(owner store.Obj) (store.Obj, error) {
	mo := api.Obj(api.Obj(api.Obj(owner["payment_method_options"])["acss_debit"])["mandate_options"])
	schedule, kind := api.Str(mo["payment_schedule"]), api.Str(mo["transaction_type"])
	if schedule == "" {
		return nil, apierr.MissingParam("payment_method_options[acss_debit][mandate_options][payment_schedule]")
	}
	if kind == "" {
		return nil, apierr.MissingParam("payment_method_options[acss_debit][mandate_options][transaction_type]")
	}
	d := store.Obj{"interval_description": mo["interval_description"], "payment_schedule": schedule, "transaction_type": kind}
	if df, ok := mo["default_for"].([]any); ok {
		d["default_for"] = df
	}
	return d, nil
}

// checkACSSOptions checks the PAD mandate options a request sets: an
// interval or combined schedule describes its interval, and a custom
// mandate URL is an absolute http(s) URL. The words are the emulator's.
func checkACSSOptions(opts store.Obj) error {
	mo := api.Obj(api.Obj(opts["acss_debit"])["mandate_options"])
	if mo == nil {
		return nil
	}
	if s := api.Str(mo["payment_schedule"]); (s == "interval" || s == "combined") && api.Str(mo["interval_description"]) == "" {
		return apierr.InvalidRequest("`interval_description` is required when `payment_schedule` is `%s`.", s).WithParam(acssMandateIntervalNeeded).WithCode("parameter_missing")
	}
	if raw := api.Str(mo["custom_mandate_url"]); raw != "" {
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return apierr.InvalidRequest("Invalid URL: %s", raw).WithParam("payment_method_options[acss_debit][mandate_options][custom_mandate_url]").WithCode("url_invalid")
		}
	}
	return nil
}
