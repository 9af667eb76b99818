package payments

import (
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// blikApproveSeconds is how long a BLIK customer has to approve the
// payment in their bank's app once it started (Stripe's BLIK guide: 60
// seconds, after which it times out); blikDeclineSeconds is how long its
// test declines take (the guide's "8 second delay"). blikApprovedSeconds
// is when a test payment without a failure email is approved: the guide
// does not say (its customers "typically approve BLIK payments in less
// than 10 seconds"), so the emulator's 5 seconds, unless the test page
// decides first.
const (
	blikApproveSeconds  = 60
	blikDeclineSeconds  = 8
	blikApprovedSeconds = 5
)

const blikCodeParam = "payment_method_options[blik][code]"

// blikFailures are the failures Stripe's BLIK guide simulates in a
// sandbox, by the billing email's local part ending in the key: at
// confirmation (an invalid or expired code), after 8 seconds (declines)
// or after 60 (timeouts); the messages are the guide's explanations.
var blikFailures = map[string]struct {
	code, message string
	after         int64 // 0: at confirmation
}{
	"invalid_code":       {"payment_method_invalid_parameter", "The code passed wasn't a valid BLIK code.", 0},
	"expired_code":       {"payment_method_invalid_parameter", "The code passed has expired. BLIK codes expire after 2 minutes, please request another code from the customer.", 0},
	"limit_exceeded":     {"payment_method_provider_decline", "The payment has been declined because the payment limit on this bank account has been reached.", blikDeclineSeconds},
	"insufficient_funds": {"payment_method_provider_decline", "The bank account has insufficient funds to complete the purchase.", blikDeclineSeconds},
	"customer_declined":  {"payment_method_provider_decline", "The customer declined this payment.", blikDeclineSeconds},
	"bank_declined":      {"payment_method_provider_decline", "The payment has been declined by the customer's bank for an unknown reason.", blikDeclineSeconds},
	"blik_declined":      {"payment_method_provider_decline", "The payment has been declined for an unknown reason.", blikDeclineSeconds},
	"customer_timeout":   {"payment_method_provider_timeout", "The customer didn't approve this payment within the allocated 60 seconds.", blikApproveSeconds},
	"bank_timeout":       {"payment_method_provider_timeout", "The request to the customer's bank timed out.", blikApproveSeconds},
	"blik_timeout":       {"payment_method_provider_timeout", "The request to the BLIK network timed out.", blikApproveSeconds},
}

// blikTest is the failure a BLIK method's billing email asks for, "" for
// none.
func blikTest(pm store.Obj) string {
	email := api.Str(api.Obj(pm["billing_details"])["email"])
	local, _, _ := strings.Cut(email, "@")
	for t := range blikFailures {
		if strings.HasSuffix(local, t) {
			return t
		}
	}
	return ""
}

// blikError is the error of a failed BLIK payment attempt: Stripe's
// guide names its code; its type, invalid_request_error here, is not
// documented.
func blikError(test string) *apierr.Error {
	f := blikFailures[test]
	return apierr.InvalidRequest("%s", f.message).WithCode(f.code)
}

// checkBlikCode refuses a code that is not the 6 digits a bank's app
// gives (the wording is the emulator's: Stripe's is not recorded).
func checkBlikCode(c *api.Call) error {
	code, ok := c.Params.Str("payment_method_options.blik.code")
	if ok && code != "" && (len(code) != 6 || !allDigits(code)) {
		return apierr.InvalidRequest("Invalid %s: a BLIK code is the 6 digits the customer's banking app shows.", blikCodeParam).WithParam(blikCodeParam)
	}
	return nil
}

// blikCodeOutsideConfirmation refuses a BLIK code sent where nothing is
// confirmed (an update, a create without confirm): Stripe's reference
// says it can only be set on confirmation (its refusal's wording is not
// recorded).
func blikCodeOutsideConfirmation(c *api.Call) error {
	if !c.Params.Has("payment_method_options.blik.code") {
		return nil
	}
	return apierr.InvalidRequest("%s can only be set when confirming a PaymentIntent.", blikCodeParam).WithParam(blikCodeParam)
}

// startBlik checks a BLIK confirmation: through the API it needs the
// customer's code (on a hosted page the customer types it there), and a
// code the test email says is invalid or expired fails the attempt at
// once, as Stripe's guide simulates.
func startBlik(c *api.Call, before, pi, pm store.Obj, fromAPI bool) error {
	if code, _ := c.Params.Str("payment_method_options.blik.code"); code == "" && fromAPI {
		return apierr.MissingParam(blikCodeParam)
	}
	test := blikTest(pm)
	if test == "" || blikFailures[test].after != 0 {
		return nil
	}
	e := blikError(test).WithParam(blikCodeParam)
	e.PaymentMethod = pm
	if err := failAttempt(c, before, pi, pm, e); err != nil {
		return err
	}
	e.PaymentIntent = pi
	return api.Keep(e)
}

// timeBlik times what happens to a BLIK payment the customer does not
// approve on the test page: approved, declined or timed out as its test
// email says, under voucherKey as a voucher's expiry is.
func timeBlik(c *api.Call, pi, pm store.Obj) error {
	due := c.Now + blikApprovedSeconds
	if test := blikTest(pm); test != "" {
		due = c.Now + blikFailures[test].after
	}
	return c.Tx.SetMeta(voucherKey(c.Account, api.Str(pi["id"])), strconv.FormatInt(due, 10))
}

// settleBlik is a BLIK payment's time coming: approved (charged), or
// failed as its test email says.
func settleBlik(c *api.Call, before store.Obj) error {
	c.Tx.DeleteMeta(voucherKey(c.Account, api.Str(before["id"])))
	pi := api.Clone(before)
	pi["next_action"] = nil
	pm, _ := c.Tx.Get(c.Account, "payment_method", api.Str(pi["payment_method"]))
	if test := blikTest(pm); test != "" {
		return failAttempt(c, before, pi, pm, blikError(test))
	}
	res, err := charge(c, before, pi, pm, card{})
	if err != nil {
		if _, kept := err.(*api.KeptError); kept {
			return nil // the decline is the intent's state
		}
		return err
	}
	return useUp(c, res.(store.Obj))
}

// waitsForBlik tells an intent waiting for its customer to approve a
// BLIK payment in their bank's app.
func waitsForBlik(pi store.Obj) bool {
	return pi["status"] == RequiresAction && api.Obj(pi["next_action"])["type"] == "blik_authorize"
}
