package payments

import (
	"strings"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// becsTestAccount is what one of Stripe's BECS Direct Debit test
// accounts (BSB 000000) does to a debit: the failure code it returns
// ("" succeeds), whether it settles within seconds or after about 3
// minutes, and whether the failure leaves its mandate inactive.
type becsTestAccount struct {
	fail     string
	soon     bool
	inactive bool
}

// becsTestAccounts are the BECS guide's test account numbers the
// emulator acts on; any other account number succeeds after 3 minutes.
// The table is from memory of Stripe's guide, not verified (see README).
var becsTestAccounts = map[string]becsTestAccount{
	"000123456": {soon: true},
	"900123456": {},
	"111111113": {fail: "account_closed", soon: true, inactive: true},
	"111111116": {fail: "no_account", soon: true, inactive: true},
	"222222227": {fail: "refer_to_customer", soon: true},
	"922222227": {fail: "refer_to_customer"},
	"333333335": {fail: "debit_not_authorized", soon: true, inactive: true},
	"343434343": {fail: "charge_exceeds_source_limit", soon: true},
	"121212121": {fail: "charge_exceeds_weekly_limit", soon: true},
}

// becsDisputed is the test account whose debit succeeds and is disputed
// at once: bank debit disputes are not emulated, so it is refused.
const becsDisputed = "666666660"

// becsFromParams builds an au_becs_debit PaymentMethod: an Australian
// bank account by its BSB (6 digits, a dash taken) and account number
// (5 to 9 digits), with the payer's name and email that a BECS Direct
// Debit Request needs. The lengths and wording are the emulator's (see
// README).
func becsFromParams(c *api.Call, bd store.Obj) (store.Obj, error) {
	bp, _ := c.Params.Obj("au_becs_debit")
	bsb, _ := bp.Str("bsb_number")
	number, _ := bp.Str("account_number")
	if bsb == "" {
		return nil, apierr.MissingParam("au_becs_debit[bsb_number]")
	}
	if number == "" {
		return nil, apierr.MissingParam("au_becs_debit[account_number]")
	}
	bsb = strings.ReplaceAll(bsb, "-", "")
	if len(bsb) != 6 || !allDigits(bsb) {
		return nil, apierr.InvalidRequest("Invalid au_becs_debit[bsb_number]: a BSB number has 6 digits.").WithParam("au_becs_debit[bsb_number]")
	}
	if len(number) < 5 || len(number) > 9 || !allDigits(number) {
		return nil, apierr.InvalidRequest("Invalid au_becs_debit[account_number]: an account number has 5 to 9 digits.").WithParam("au_becs_debit[account_number]")
	}
	if bsb == "000000" && number == becsDisputed {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate Stripe's BECS Direct Debit test account %s: the dispute Stripe opens at once on its payment (disputes of bank debits are not emulated). It refused the request rather than answer as if it had. Use another test account, or test disputes with pm_card_createDispute.", number).WithParam("au_becs_debit[account_number]")
	}
	if err := requireBillingDetails(bd, "name", "email"); err != nil {
		return nil, err
	}
	o := c.Base("payment_method", c.NewID("payment_method"))
	o["allow_redisplay"], o["billing_details"], o["customer"], o["metadata"], o["type"] = "unspecified", bd, nil, map[string]any{}, "au_becs_debit"
	o["au_becs_debit"] = store.Obj{"bsb_number": bsb, "fingerprint": fingerprint(c.Account, bsb+number), "last4": number[len(number)-4:]}
	// Only Stripe's test BSB reaches its test accounts.
	ref := "becs:"
	if bsb == "000000" {
		ref += number
	}
	return o, c.Tx.SetMeta(metaCard(c.Account, api.Str(o["id"])), ref)
}

// becsAccount is the test account behind an au_becs_debit PaymentMethod.
func becsAccount(c *api.Call, pm store.Obj) becsTestAccount {
	ref, _ := c.Tx.GetMeta(metaCard(c.Account, api.Str(pm["id"])))
	return becsTestAccounts[strings.TrimPrefix(ref, "becs:")]
}

// BECSSoon is how long a BECS test debit that settles "immediately"
// stays processing on the emulator clock.
var BECSSoon = 5 * time.Second

// becsMandateDetails are a new BECS mandate's payment_method_details:
// the page of the Direct Debit Request the customer accepted.
func becsMandateDetails(c *api.Call, id string) store.Obj {
	url := "/mandates/" + id
	if c.BaseURL != nil {
		url = c.PageURL(url)
	}
	return store.Obj{"url": url}
}
