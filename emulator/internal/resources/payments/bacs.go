package payments

import (
	"strings"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// bacsTestAccount is what one of Stripe's Bacs Direct Debit test
// accounts (sort code 108800) does to a debit: the failure code it
// returns ("" succeeds) and whether it settles within seconds or after
// about 3 minutes.
type bacsTestAccount struct {
	fail string
	soon bool
}

// bacsTestAccounts are the Bacs guide's test account numbers the emulator
// acts on; any other account number succeeds after 3 minutes.
var bacsTestAccounts = map[string]bacsTestAccount{
	"00012345": {soon: true},
	"90012345": {},
	"33333335": {fail: "debit_not_authorized", soon: true},
	"93333335": {fail: "debit_not_authorized"},
	"22222227": {fail: "insufficient_funds", soon: true},
	"92222227": {fail: "insufficient_funds"},
	"34343434": {fail: "charge_exceeds_source_limit", soon: true},
	"12121212": {fail: "charge_exceeds_transaction_limit", soon: true},
}

// BacsSoon is how long a Bacs test debit that settles "immediately"
// stays processing on the emulator clock.
var BacsSoon = 5 * time.Second

// bacsFromParams builds a bacs_debit PaymentMethod: a UK bank account by
// its sort code (6 digits, dashes allowed) and account number (8 digits),
// with the payer's name, email and address that a Bacs mandate needs.
func bacsFromParams(c *api.Call, bd store.Obj) (store.Obj, error) {
	bp, _ := c.Params.Obj("bacs_debit")
	sort, _ := bp.Str("sort_code")
	number, _ := bp.Str("account_number")
	if sort == "" {
		return nil, apierr.MissingParam("bacs_debit[sort_code]")
	}
	if number == "" {
		return nil, apierr.MissingParam("bacs_debit[account_number]")
	}
	sort = strings.ReplaceAll(sort, "-", "")
	if len(sort) != 6 || !allDigits(sort) {
		return nil, apierr.InvalidRequest("Invalid bacs_debit[sort_code]: a sort code has 6 digits.").WithParam("bacs_debit[sort_code]")
	}
	if len(number) != 8 || !allDigits(number) {
		return nil, apierr.InvalidRequest("Invalid bacs_debit[account_number]: an account number has 8 digits.").WithParam("bacs_debit[account_number]")
	}
	if err := requireBillingDetails(bd, "name", "email"); err != nil {
		return nil, err
	}
	addr := api.Obj(bd["address"])
	for _, f := range []string{"line1", "postal_code", "country"} {
		if api.Str(addr[f]) == "" {
			return nil, apierr.MissingParam("billing_details[address][" + f + "]")
		}
	}
	o := c.Base("payment_method", c.NewID("payment_method"))
	o["allow_redisplay"], o["billing_details"], o["customer"], o["metadata"], o["type"] = "unspecified", bd, nil, map[string]any{}, "bacs_debit"
	o["bacs_debit"] = store.Obj{"fingerprint": fingerprint(c.Account, sort+number), "last4": number[4:], "sort_code": sort}
	// Only Stripe's test sort code reaches its test accounts.
	ref := "bacs:"
	if sort == "108800" {
		ref += number
	}
	return o, c.Tx.SetMeta(metaCard(c.Account, api.Str(o["id"])), ref)
}

// allDigits tells whether s is made of ASCII digits only.
func allDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// bacsAccount is the test account behind a bacs_debit PaymentMethod.
func bacsAccount(c *api.Call, pm store.Obj) bacsTestAccount {
	ref, _ := c.Tx.GetMeta(metaCard(c.Account, api.Str(pm["id"])))
	return bacsTestAccounts[strings.TrimPrefix(ref, "bacs:")]
}

// settleDelay is how long a debit with pm stays processing: Bacs test
// accounts that settle "immediately" take seconds, the rest SettleDelay.
func settleDelay(c *api.Call, pm store.Obj) time.Duration {
	if pm["type"] == "bacs_debit" && bacsAccount(c, pm).soon {
		return BacsSoon
	}
	if pm["type"] == "au_becs_debit" && becsAccount(c, pm).soon {
		return BECSSoon
	}
	return SettleDelay
}

// bacsMandateDetails are a new Bacs mandate's payment_method_details:
// accepted on the network at once (in test mode the network's own
// pending stage is not emulated), a reference and the mandate's page.
// Stripe's reference format is not documented.
func bacsMandateDetails(c *api.Call, id string) store.Obj {
	url := "/mandates/" + id
	if c.BaseURL != nil {
		url = c.PageURL(url)
	}
	return store.Obj{"network_status": "accepted", "reference": strings.ToUpper(c.IDs.Secret(18)), "revocation_reason": nil, "url": url}
}

// revokeBacsMandates revokes pm's active mandates when the customer
// told their bank a debit was not authorized (the guide's
// 33333335 / 93333335: "the Mandate becomes inactive"), with
// mandate.updated.
func revokeBacsMandates(c *api.Call, pmID string) error {
	p := c.Tx.List(c.Account, "mandate", store.Query{Index: "payment_method", Value: pmID, Limit: 100,
		Filter: func(o store.Obj) bool { return o["status"] == "active" }})
	for _, before := range p.Data {
		after := api.Clone(before)
		after["status"] = "inactive"
		pmd := api.Clone(api.Obj(after["payment_method_details"]))
		d := api.Clone(api.Obj(pmd["bacs_debit"]))
		d["network_status"], d["revocation_reason"] = "revoked", "debit_not_authorized"
		pmd["bacs_debit"] = d
		after["payment_method_details"] = pmd
		if err := c.Save(before, after); err != nil {
			return err
		}
	}
	return nil
}
