package payments

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// ACH Direct Debit's microdeposit verification. A US bank account entered
// by its account and routing numbers (every one created through the API:
// the emulator has no Financial Connections) must be verified before it is
// debited: confirming an intent with it sends microdeposits and leaves the
// intent in requires_action (next_action verify_with_microdeposits) until
// POST …/verify_microdeposits receives Stripe's test values, or the
// verification fails (too many attempts, 10 days without one). A verified
// account is debited at once from then on. The emulator's shortcuts
// pm_us_bank_account(_fail) stand for accounts verified instantly.

// MicrodepositTimeout is how long a customer has to verify microdeposits
// before the intent needs a new payment method (Stripe: 10 days).
var MicrodepositTimeout = 10 * 24 * time.Hour

// microdepositArrival is when the microdeposits land (next_action's
// arrival_date): Stripe's take one to two business days.
const microdepositArrival = 24 * time.Hour

// Attempts Stripe allows: three for amounts, ten for a descriptor code.
const (
	amountAttempts     = 3
	descriptorAttempts = 10
)

// metaBankVerified holds how a us_bank_account PaymentMethod was verified:
// "instant" (the emulator's shortcuts) or "microdeposits".
func metaBankVerified(acct, pm string) string { return "achverified:" + acct + ":" + pm }

// metaMicrodepositTries counts an intent's failed verification attempts.
func metaMicrodepositTries(acct, id string) string { return "mdtries:" + acct + ":" + id }

// metaMicrodepositMandate names the pending mandate a PaymentIntent waiting
// for verification debits under (PaymentIntents do not show one).
func metaMicrodepositMandate(acct, id string) string { return "mdmandate:" + acct + ":" + id }

// Expiry of a verification, per intent type, for the timers.
func intentMicrodepositKey(acct, id string) string { return "mdexppi:" + acct + ":" + id }
func setupMicrodepositKey(acct, id string) string  { return "mdexpsi:" + acct + ":" + id }

// Stripe's test values and what they do.
const (
	microdepositsVerified = "verified"
	codeAmountsInvalid    = "payment_method_microdeposit_verification_amounts_invalid"
	codeAmountsMismatch   = "payment_method_microdeposit_verification_amounts_mismatch"
	codeAttemptsExceeded  = "payment_method_microdeposit_verification_attempts_exceeded"
	codeDescriptorWrong   = "payment_method_microdeposit_verification_descriptor_code_mismatch"
	codeVerifyTimeout     = "payment_method_microdeposit_verification_timeout"
	codeMicrodepositFails = "payment_method_microdeposit_failed"
)

var microdepositMessages = map[string]string{
	codeAmountsInvalid:    "You must provide exactly two microdeposit amounts.",
	codeAmountsMismatch:   "The amounts provided do not match the amounts that were sent to the bank account.",
	codeAttemptsExceeded:  "You have exceeded the number of allowed verification attempts.",
	codeDescriptorWrong:   "The verification code provided does not match the one sent to the bank account.",
	codeVerifyTimeout:     "Payment method should be verified with microdeposits within the required period.",
	codeMicrodepositFails: "Microdeposits were failed to be deposited into the customer's bank account. Please check the account, institution and transit numbers as well as the currency type.",
}

func microdepositError(code string) *apierr.Error {
	return apierr.InvalidRequest("%s", microdepositMessages[code]).WithCode(code)
}

// testAmountOutcomes and testDescriptorOutcomes are Stripe's test values.
var (
	testAmountOutcomes     = map[[2]int64]string{{32, 45}: microdepositsVerified, {10, 11}: codeAttemptsExceeded, {40, 41}: codeVerifyTimeout}
	testDescriptorOutcomes = map[string]string{"SM11AA": microdepositsVerified, "SM33CC": codeAttemptsExceeded, "SM44DD": codeVerifyTimeout}
)

// Test account numbers with a behaviour of their own (Stripe's ACH table).
const (
	achMicrodepositsFail = "000666666661" // the microdeposits cannot be sent
	achStaysProcessing   = "000000000009" // the debit never settles by itself
)

// usBankAccountTokens are Stripe's test PaymentMethods for its ACH test
// account numbers: manually entered accounts, verified with microdeposits
// like the numbers themselves.
var usBankAccountTokens = map[string]string{
	"pm_usBankAccount_success":            "000123456789",
	"pm_usBankAccount_accountClosed":      "000111111113",
	"pm_usBankAccount_noAccount":          "000111111116",
	"pm_usBankAccount_insufficientFunds":  "000222222227",
	"pm_usBankAccount_debitNotAuthorized": "000333333335",
	"pm_usBankAccount_invalidCurrency":    "000444444440",
	"pm_usBankAccount_failMicrodeposits":  achMicrodepositsFail,
	"pm_usBankAccount_processing":         achStaysProcessing,
}

// usBankAccountToken makes the PaymentMethod a test token stands for.
func usBankAccountToken(c *api.Call, number string) (store.Obj, error) {
	saved := c.Params
	defer func() { c.Params = saved }()
	c.Params = params.NewValues(map[string]any{"us_bank_account": map[string]any{"account_number": number, "routing_number": "110000000"}})
	bd := store.Obj{"address": emptyAddress(), "email": nil, "name": "Jenny Rosen", "phone": nil, "tax_id": nil}
	o, err := usBankFromParams(c, bd)
	if err != nil {
		return nil, err
	}
	return o, c.Put(o)
}

// achNumber is the account number behind a us_bank_account method.
func achNumber(c *api.Call, pm store.Obj) string {
	ref, _ := c.Tx.GetMeta(metaCard(c.Account, api.Str(pm["id"])))
	if number, ok := strings.CutPrefix(ref, "ach:"); ok {
		return number
	}
	return ""
}

// needsMicrodeposits tells whether confirming owner (a PaymentIntent or
// SetupIntent) with pm must first verify the account with microdeposits,
// as payment_method_options[us_bank_account][verification_method] asks:
// automatic verifies an account not yet verified; microdeposits insists on
// them unless microdeposits verified it before; instant cannot verify an
// account entered by its numbers.
func needsMicrodeposits(c *api.Call, owner, pm store.Obj) (bool, error) {
	typ := api.Str(pm["type"])
	if typ != "us_bank_account" && typ != "acss_debit" {
		return false, nil
	}
	verified, _ := c.Tx.GetMeta(metaBankVerified(c.Account, api.Str(pm["id"])))
	switch verificationMethod(owner, typ) {
	case "instant":
		if verified == "" {
			numbers := "account and routing numbers"
			if typ == "acss_debit" {
				numbers = "institution, transit and account numbers"
			}
			return false, apierr.InvalidRequest("The PaymentMethod provided (%s) was created from %s, so it cannot be verified instantly; stripe-emu does not emulate Financial Connections. Use `payment_method_options[%s][verification_method]` automatic or microdeposits.", pm["id"], numbers, typ).
				WithParam("payment_method_options[" + typ + "][verification_method]")
		}
		return false, nil
	case "microdeposits":
		return verified != "microdeposits", nil
	}
	return verified == "", nil
}

func verificationMethod(owner store.Obj, typ string) string {
	return api.Str(api.Obj(api.Obj(owner["payment_method_options"])[typ])["verification_method"])
}

// microdepositsFail tells whether pm is the test account (ACH's or PAD's)
// to which microdeposits cannot be sent.
func microdepositsFail(c *api.Call, pm store.Obj) bool {
	if pm["type"] == "acss_debit" {
		return acssNumber(c, pm) == acssMicrodepositsFail
	}
	return achNumber(c, pm) == achMicrodepositsFail
}

// microdepositType is what the customer reads off their statement to
// verify pm: a descriptor code for ACH (Stripe's default), two amounts
// for a Canadian account (not verified, see README).
func microdepositType(pm store.Obj) string {
	if pm["type"] == "acss_debit" {
		return "amounts"
	}
	return "descriptor_code"
}

// microdepositAction is next_action while the customer verifies the
// intent (object, id); prefix is the hosted page's (pacs for a payment,
// sacs for a setup). The page's token names the intent (MicrodepositPage).
func microdepositAction(c *api.Call, prefix, object, id, kind string) (store.Obj, error) {
	base := ""
	if c.BaseURL != nil {
		base = c.BaseURL()
	}
	token := prefix + "_test_" + c.IDs.Secret(24)
	if err := c.Tx.SetMeta(metaMicrodepositPage(token), c.Account+" "+object+" "+id); err != nil {
		return nil, err
	}
	return store.Obj{"type": "verify_with_microdeposits", "verify_with_microdeposits": store.Obj{
		"arrival_date":            c.Now + int64(microdepositArrival.Seconds()),
		"hosted_verification_url": base + "/microdeposit/" + token,
		"microdeposit_type":       kind,
	}}, nil
}

func metaMicrodepositPage(token string) string { return "mdpage:" + token }

// MicrodepositPage is the account and the intent (payment_intent or
// setup_intent, and its id) a hosted verification page's token names.
func MicrodepositPage(tx *store.Tx, token string) (account, object, id string, ok bool) {
	raw, found := tx.GetMeta(metaMicrodepositPage(token))
	parts := strings.Fields(raw)
	if !found || len(parts) != 3 {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// awaitIntentMicrodeposits sends microdeposits for a PaymentIntent: it
// waits in requires_action, its mandate m (if any) pending until then.
func awaitIntentMicrodeposits(c *api.Call, before, pi, pm, m store.Obj) (any, error) {
	id := api.Str(pi["id"])
	if microdepositsFail(c, pm) {
		if m != nil {
			m["status"] = "inactive"
			if err := c.Put(m); err != nil {
				return nil, err
			}
		}
		return failIntentMicrodeposits(c, before, pi, pm, microdepositError(codeMicrodepositFails))
	}
	if m != nil {
		m["status"] = "pending"
		if err := c.Put(m); err != nil {
			return nil, err
		}
		if err := c.Tx.SetMeta(metaMicrodepositMandate(c.Account, id), api.Str(m["id"])); err != nil {
			return nil, err
		}
	}
	c.Tx.DeleteMeta(metaMicrodepositTries(c.Account, id))
	if err := c.Tx.SetMeta(intentMicrodepositKey(c.Account, id), fmt.Sprint(c.Now+int64(MicrodepositTimeout.Seconds()))); err != nil {
		return nil, err
	}
	pi["status"] = RequiresAction
	var err error
	if pi["next_action"], err = microdepositAction(c, "pacs", "payment_intent", id, microdepositType(pm)); err != nil {
		return nil, err
	}
	if err := saveIntentEmitting(c, before, pi, "payment_intent.requires_action"); err != nil {
		return nil, err
	}
	return pi, nil
}

// awaitSetupMicrodeposits is awaitIntentMicrodeposits for a SetupIntent
// and its attempt att.
func awaitSetupMicrodeposits(c *api.Call, si, pm, att, m store.Obj) (any, error) {
	id := api.Str(si["id"])
	if m != nil {
		m["status"] = "pending"
		if microdepositsFail(c, pm) {
			m["status"] = "inactive"
		}
		if err := c.Put(m); err != nil {
			return nil, err
		}
		si["mandate"] = m["id"]
	}
	if microdepositsFail(c, pm) {
		return si, failSetupMicrodeposits(c, si, pm, att, microdepositError(codeMicrodepositFails))
	}
	c.Tx.DeleteMeta(metaMicrodepositTries(c.Account, id))
	if err := c.Tx.SetMeta(setupMicrodepositKey(c.Account, id), fmt.Sprint(c.Now+int64(MicrodepositTimeout.Seconds()))); err != nil {
		return nil, err
	}
	si["status"] = RequiresAction
	var err error
	if si["next_action"], err = microdepositAction(c, "sacs", "setup_intent", id, microdepositType(pm)); err != nil {
		return nil, err
	}
	att["status"] = RequiresAction
	if err := c.Put(att); err != nil {
		return nil, err
	}
	if err := c.PutEmit(si, "setup_intent.requires_action", nil); err != nil {
		return nil, err
	}
	return si, nil
}

// failIntentMicrodeposits ends a PaymentIntent's verification with e: it
// needs a new payment method.
func failIntentMicrodeposits(c *api.Call, before, pi, pm store.Obj, e *apierr.Error) (store.Obj, error) {
	id := api.Str(pi["id"])
	forgetMicrodeposits(c, intentMicrodepositKey(c.Account, id), id)
	e.PaymentMethod = pm
	if err := failAttempt(c, before, pi, pm, e); err != nil {
		return nil, err
	}
	e.PaymentIntent = pi
	return pi, nil
}

// failSetupMicrodeposits is failIntentMicrodeposits for a SetupIntent and
// its attempt att, with setup_intent.setup_failed.
func failSetupMicrodeposits(c *api.Call, si, pm, att store.Obj, e *apierr.Error) error {
	id := api.Str(si["id"])
	forgetMicrodeposits(c, setupMicrodepositKey(c.Account, id), id)
	e.PaymentMethod = pm
	si["status"] = RequiresPaymentMethod
	si["last_setup_error"] = lastPaymentError(e, pm)
	si["payment_method"] = nil
	si["next_action"] = nil
	if att != nil {
		att["status"], att["setup_error"] = "failed", si["last_setup_error"]
		if err := c.Put(att); err != nil {
			return err
		}
	}
	e.SetupIntent = si
	return c.PutEmit(si, "setup_intent.setup_failed", nil)
}

func forgetMicrodeposits(c *api.Call, expiryKey, id string) {
	c.Tx.DeleteMeta(expiryKey)
	c.Tx.DeleteMeta(metaMicrodepositTries(c.Account, id))
	c.Tx.DeleteMeta(metaMicrodepositMandate(c.Account, id))
}

// abandonMicrodeposits ends the verification si waits for, if any, as it
// is canceled or confirmed again: its pending mandate can no longer be
// verified, so it ends as a verification that fails or times out ends it.
func abandonMicrodeposits(c *api.Call, si store.Obj) error {
	if !awaitsMicrodeposits(si) {
		return nil
	}
	id := api.Str(si["id"])
	forgetMicrodeposits(c, setupMicrodepositKey(c.Account, id), id)
	if m := api.Str(si["mandate"]); m != "" {
		return setMandateStatus(c, m, "inactive")
	}
	return nil
}

// setMandateStatus moves a mandate waiting for verification to status,
// with mandate.updated.
func setMandateStatus(c *api.Call, id, status string) error {
	before, ok := c.Tx.Get(c.Account, "mandate", id)
	if !ok || before["status"] == status {
		return nil
	}
	after := api.Clone(before)
	after["status"] = status
	return c.Save(before, after)
}

// checkMicrodeposits reads the request's amounts or descriptor_code
// against Stripe's test values for intent id: microdepositsVerified, or
// the failure that ends the verification (attempts exceeded, timeout). A
// wrong value counts as an attempt and answers a kept error, so the count
// survives the refusal; the last allowed wrong value exceeds the attempts.
func checkMicrodeposits(c *api.Call, id string) (string, error) {
	raw, hasAmounts := c.Params.Get("amounts")
	code, hasCode := c.Params.Str("descriptor_code")
	switch {
	case hasAmounts && hasCode:
		return "", apierr.Exclusive("amounts", "descriptor_code")
	case !hasAmounts && !hasCode:
		return "", apierr.InvalidRequest("You must provide either `amounts` or `descriptor_code` to verify the microdeposits.").WithParam("amounts")
	}
	outcome, wrong, limit := "", "", descriptorAttempts
	if hasAmounts {
		items, _ := raw.([]any)
		var amounts []int64
		for _, it := range items {
			if n, ok := it.(int64); ok && n > 0 {
				amounts = append(amounts, n)
			}
		}
		if len(items) != 2 || len(amounts) != 2 {
			return "", microdepositError(codeAmountsInvalid).WithParam("amounts")
		}
		slices.Sort(amounts)
		outcome, wrong, limit = testAmountOutcomes[[2]int64{amounts[0], amounts[1]}], codeAmountsMismatch, amountAttempts
	} else {
		outcome, wrong = testDescriptorOutcomes[code], codeDescriptorWrong
	}
	if outcome != "" {
		return outcome, nil
	}
	key := metaMicrodepositTries(c.Account, id)
	prev, _ := c.Tx.GetMeta(key)
	tries, _ := strconv.Atoi(prev)
	tries++
	if tries >= limit {
		return codeAttemptsExceeded, nil
	}
	if err := c.Tx.SetMeta(key, strconv.Itoa(tries)); err != nil {
		return "", err
	}
	e := microdepositError(wrong)
	if wrong == codeAmountsMismatch {
		// Stripe's mismatch counts down what is left (its template's
		// wording, plural even for one).
		e.Message += fmt.Sprintf(" You have %d verification attempts remaining.", limit-tries)
	}
	return "", api.Keep(e)
}

// awaitsMicrodeposits tells whether an intent waits for its customer to
// verify microdeposits.
func awaitsMicrodeposits(o store.Obj) bool {
	return o["status"] == RequiresAction && api.Obj(o["next_action"])["type"] == "verify_with_microdeposits"
}

func notAwaitingMicrodeposits(object string, o store.Obj, code string) error {
	return apierr.InvalidRequest("This %s cannot be verified with microdeposits: it has a status of %s, and only a %s whose next_action is verify_with_microdeposits can be.", object, o["status"], object).WithCode(code)
}

// verifyIntentMicrodeposits is POST /v1/payment_intents/{id}/verify_microdeposits.
func verifyIntentMicrodeposits(c *api.Call) (any, error) {
	before, err := loadIntent(c)
	if err != nil {
		return nil, err
	}
	if !awaitsMicrodeposits(before) {
		return nil, notAwaitingMicrodeposits("PaymentIntent", before, "payment_intent_unexpected_state")
	}
	id := api.Str(before["id"])
	outcome, err := checkMicrodeposits(c, id)
	if err != nil {
		return nil, err
	}
	pi := api.Clone(before)
	pm, _ := c.Tx.Get(c.Account, "payment_method", api.Str(pi["payment_method"]))
	mandateID, _ := c.Tx.GetMeta(metaMicrodepositMandate(c.Account, id))
	if outcome != microdepositsVerified {
		if mandateID != "" {
			if err := setMandateStatus(c, mandateID, "inactive"); err != nil {
				return nil, err
			}
		}
		e := microdepositError(outcome)
		if _, err := failIntentMicrodeposits(c, before, pi, pm, e); err != nil {
			return nil, err
		}
		return nil, api.Keep(e)
	}
	forgetMicrodeposits(c, intentMicrodepositKey(c.Account, id), id)
	if err := c.Tx.SetMeta(metaBankVerified(c.Account, api.Str(pm["id"])), "microdeposits"); err != nil {
		return nil, err
	}
	var m store.Obj
	if mandateID != "" {
		if err := setMandateStatus(c, mandateID, "active"); err != nil {
			return nil, err
		}
		m, _ = c.Tx.Get(c.Account, "mandate", mandateID)
	}
	pi["next_action"] = nil
	return startProcessing(c, before, pi, pm, m)
}

// verifySetupMicrodeposits is POST /v1/setup_intents/{id}/verify_microdeposits.
func verifySetupMicrodeposits(c *api.Call) (any, error) {
	before, err := loadSetupIntent(c)
	if err != nil {
		return nil, err
	}
	if !awaitsMicrodeposits(before) {
		return nil, notAwaitingMicrodeposits("SetupIntent", before, "setup_intent_unexpected_state")
	}
	id := api.Str(before["id"])
	outcome, err := checkMicrodeposits(c, id)
	if err != nil {
		return nil, err
	}
	si := api.Clone(before)
	pm, _ := c.Tx.Get(c.Account, "payment_method", api.Str(si["payment_method"]))
	att := latestSetupAttempt(c, si)
	mandateID := api.Str(si["mandate"])
	if outcome != microdepositsVerified {
		if mandateID != "" {
			if err := setMandateStatus(c, mandateID, "inactive"); err != nil {
				return nil, err
			}
		}
		e := microdepositError(outcome)
		if err := failSetupMicrodeposits(c, si, pm, att, e); err != nil {
			return nil, err
		}
		return nil, api.Keep(e)
	}
	forgetMicrodeposits(c, setupMicrodepositKey(c.Account, id), id)
	if err := c.Tx.SetMeta(metaBankVerified(c.Account, api.Str(pm["id"])), "microdeposits"); err != nil {
		return nil, err
	}
	if mandateID != "" {
		if err := setMandateStatus(c, mandateID, "active"); err != nil {
			return nil, err
		}
	}
	return succeedSetup(c, si, pm, att)
}

// Unverified microdeposits time out on the emulator clock: the intent
// needs a new payment method, as after too many attempts.
var (
	intentMicrodepositTimer = metaTimer("payment_intent", intentMicrodepositKey, func(account, id string, at int64) api.Due {
		return api.Due{At: at, Account: account, About: store.Ref{Type: "payment_intent", ID: id}, Kind: "microdeposit_timeout", Run: func(c *api.Call) error {
			before, ok := c.Tx.Get(account, "payment_intent", id)
			if !ok || !awaitsMicrodeposits(before) {
				forgetMicrodeposits(c, intentMicrodepositKey(account, id), id)
				return nil
			}
			if mandateID, _ := c.Tx.GetMeta(metaMicrodepositMandate(account, id)); mandateID != "" {
				if err := setMandateStatus(c, mandateID, "inactive"); err != nil {
					return err
				}
			}
			pm, _ := c.Tx.Get(account, "payment_method", api.Str(before["payment_method"]))
			_, err := failIntentMicrodeposits(c, before, api.Clone(before), pm, microdepositError(codeVerifyTimeout))
			return err
		}}
	})
	setupMicrodepositTimer = metaTimer("setup_intent", setupMicrodepositKey, func(account, id string, at int64) api.Due {
		return api.Due{At: at, Account: account, About: store.Ref{Type: "setup_intent", ID: id}, Kind: "microdeposit_timeout", Run: func(c *api.Call) error {
			before, ok := c.Tx.Get(account, "setup_intent", id)
			if !ok || !awaitsMicrodeposits(before) {
				forgetMicrodeposits(c, setupMicrodepositKey(account, id), id)
				return nil
			}
			si := api.Clone(before)
			if mandateID := api.Str(si["mandate"]); mandateID != "" {
				if err := setMandateStatus(c, mandateID, "inactive"); err != nil {
					return err
				}
			}
			pm, _ := c.Tx.Get(account, "payment_method", api.Str(si["payment_method"]))
			return failSetupMicrodeposits(c, si, pm, latestSetupAttempt(c, si), microdepositError(codeVerifyTimeout))
		}}
	})
)
