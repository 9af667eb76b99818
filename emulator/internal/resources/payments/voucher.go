package payments

import (
	"strconv"
	"strings"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// voucherMethod is a payment method type the customer pays with a voucher
// (in cash at a store: OXXO, Boleto, Konbini; by online banking or at an
// ATM: Multibanco): confirmation stops at requires_action with the voucher
// to display, and the PaymentIntent succeeds once the voucher is paid, or
// needs a new payment method once it expires unpaid.
type voucherMethod struct {
	currencies  []string // what Stripe accepts, lowercase
	defaultDays int64    // payment_method_options[<type>][expires_after_days] when not set
	minDays     int64
	maxDays     int64
	zone        *time.Location // where the voucher expires at 23:59
	digits      int            // of the voucher's number
	expiresKey  string         // next_action's field for when it expires
}

// voucherMethods are the voucher types emulated, as their guides describe
// them: OXXO in pesos, 1 to 7 days (3 by default) to pay, until 23:59
// Mexico City time; Boleto in reais, 0 (the end of the day) to 60 days
// (3 by default), until 23:59 São Paulo time; Konbini in yen, 1 to 60
// days (3 by default), until 23:59 Japan time. Mexico has kept UTC-6 all
// year since 2022, Brazil UTC-3 since 2019 and Japan has no daylight
// saving time: fixed zones, so the emulator needs no time zone database.
var voucherMethods = map[string]voucherMethod{
	"oxxo": {currencies: []string{"mxn"}, defaultDays: 3, minDays: 1, maxDays: 7,
		zone: time.FixedZone("America/Mexico_City", -6*3600), digits: 32, expiresKey: "expires_after"},
	"boleto": {currencies: []string{"brl"}, defaultDays: 3, minDays: 0, maxDays: 60,
		zone: time.FixedZone("America/Sao_Paulo", -3*3600), digits: 47, expiresKey: "expires_at"},
	"konbini": {currencies: []string{"jpy"}, defaultDays: 3, minDays: 1, maxDays: 60,
		zone: time.FixedZone("Asia/Tokyo", 9*3600), expiresKey: "expires_at"},
	// Multibanco in euros: the pinned version's options set no expiry
	// (maxDays 0: none to check); its guide: the voucher expires 7 days
	// after it is created (to the second: no end-of-day time is given).
	"multibanco": {currencies: []string{"eur"}, defaultDays: 7, expiresKey: "expires_at"},
}

// voucherNames are the types' names as Stripe's guides write them.
var voucherNames = map[string]string{"oxxo": "OXXO", "boleto": "Boleto", "konbini": "Konbini", "multibanco": "Multibanco"}

func isVoucher(typ string) bool {
	_, ok := voucherMethods[typ]
	return ok
}

// VoucherWait is how long Stripe's test vouchers take to be paid, or to
// expire, for the test emails that delay (OXXO's "after about 3 minutes");
// VoucherSoon is their "within several seconds".
var (
	VoucherWait = 3 * time.Minute
	VoucherSoon = 5 * time.Second
)

// MultibancoBuffer is how long a Multibanco intent stays processing once
// its voucher expired unpaid, for a bank transfer's late notice (Stripe's
// Multibanco guide: at most 4 days), before it fails.
var MultibancoBuffer = 4 * 24 * time.Hour

// multibancoRefundWindow is how long after it was made a Multibanco
// payment can be refunded (Stripe's Multibanco page: 365 days).
const multibancoRefundWindow = 365 * 24 * 60 * 60

// voucherKey holds when a waiting voucher is paid or expires.
func voucherKey(acct, pi string) string { return "voucher:" + acct + ":" + pi }

// voucherFromParams builds an OXXO, Boleto, Konbini or Multibanco
// PaymentMethod: Stripe requires the customer's name and email for the
// voucher (a Multibanco voucher's email only, as its guide's example
// sends), and for a Boleto their CPF or CNPJ (boleto[tax_id]) and address.
func voucherFromParams(c *api.Call, typ string, bd store.Obj) (store.Obj, error) {
	required := []string{"name", "email"}
	if typ == "multibanco" {
		required = required[1:]
	}
	if err := requireBillingDetails(bd, required...); err != nil {
		return nil, err
	}
	details := store.Obj{}
	if typ == "boleto" {
		addr := api.Obj(bd["address"])
		for _, f := range []string{"line1", "city", "state", "postal_code", "country"} {
			if api.Str(addr[f]) == "" {
				return nil, apierr.MissingParam("billing_details[address][" + f + "]")
			}
		}
		taxID, _ := c.Params.Str("boleto.tax_id")
		if taxID == "" {
			return nil, apierr.MissingParam("boleto[tax_id]")
		}
		if !validTaxID(taxIDDigits(taxID)) {
			// Stripe's wording for an invalid tax ID is not recorded.
			return nil, apierr.InvalidRequest("Invalid boleto[tax_id]: it must be a valid CPF (11 digits) or CNPJ (14 digits).").WithParam("boleto[tax_id]")
		}
		details["tax_id"] = taxID
	} else {
		c.Params.MarkRead(typ) // {}: nothing to read
	}
	o := c.Base("payment_method", c.NewID("payment_method"))
	o["allow_redisplay"], o["billing_details"], o["customer"], o["metadata"], o["type"] = "unspecified", bd, nil, map[string]any{}, typ
	o[typ] = details
	return o, nil
}

// taxIDDigits is a CPF or CNPJ without its punctuation (000.000.000-00,
// 00.000.000/0000-00).
func taxIDDigits(id string) string {
	var b strings.Builder
	for _, r := range id {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '.' || r == '-' || r == '/':
		default:
			return "" // not a tax ID
		}
	}
	return b.String()
}

// checkVoucherOptions refuses payment_method_options[oxxo][expires_after_days]
// outside the days Stripe's guide allows (1 to 7), and Konbini's options
// outside what Stripe's API reference describes.
func checkVoucherOptions(c *api.Call) error {
	for typ, m := range voucherMethods {
		if m.maxDays == 0 {
			continue // Multibanco: no expiry option
		}
		days, ok := c.Params.Int("payment_method_options." + typ + ".expires_after_days")
		if !ok {
			continue
		}
		if err := expiresAfterDays(typ, m, days); err != nil {
			return err
		}
	}
	if c.Params.Has("payment_method_options.konbini") {
		return checkKonbiniOptions(c)
	}
	return nil
}

// checkKonbiniOptions: expires_after_days and expires_at exclude each
// other, confirmation_number is 10 or 11 digits not all zeroes, and
// product_description at most 22 characters, as Stripe's API reference
// says (the refusals' wording is the emulator's: Stripe's is not
// recorded). An expires_at not in the future is refused too.
func checkKonbiniOptions(c *api.Call) error {
	const p = "payment_method_options.konbini."
	_, hasDays := c.Params.Int(p + "expires_after_days")
	at, hasAt := c.Params.Int(p + "expires_at")
	if hasDays && hasAt {
		return apierr.Exclusive("payment_method_options[konbini][expires_after_days]", "payment_method_options[konbini][expires_at]")
	}
	if hasAt && at <= c.Now {
		return apierr.InvalidRequest("payment_method_options[konbini][expires_at] must be in the future.").WithParam("payment_method_options[konbini][expires_at]")
	}
	if n, ok := c.Params.Str(p + "confirmation_number"); ok && n != "" {
		digits := len(n) >= 10 && len(n) <= 11 && allDigits(n)
		if !digits || strings.Trim(n, "0") == "" {
			return apierr.InvalidRequest("Invalid payment_method_options[konbini][confirmation_number]: it must be 10 or 11 digits, not all zeroes.").WithParam("payment_method_options[konbini][confirmation_number]")
		}
	}
	if d, ok := c.Params.Str(p + "product_description"); ok && len([]rune(d)) > 22 {
		return apierr.InvalidRequest("Invalid payment_method_options[konbini][product_description]: it must be at most 22 characters.").WithParam("payment_method_options[konbini][product_description]")
	}
	return nil
}

// CheckExpiresAfterDays is checkVoucherOptions for a Checkout Session's
// payment_method_options[<typ>][expires_after_days].
func CheckExpiresAfterDays(typ string, days int64) error {
	return expiresAfterDays(typ, voucherMethods[typ], days)
}

func expiresAfterDays(typ string, m voucherMethod, days int64) error {
	param := "payment_method_options[" + typ + "][expires_after_days]"
	if days < m.minDays {
		return apierr.InvalidRequest("This value must be greater than or equal to %d.", m.minDays).WithParam(param).WithCode("parameter_invalid_integer")
	}
	if days > m.maxDays {
		return apierr.InvalidRequest("This value must be less than or equal to %d.", m.maxDays).WithParam(param).WithCode("parameter_invalid_integer")
	}
	return nil
}

// validTaxID checks a CPF's or CNPJ's two check digits (mod 11), as
// Stripe validates a Boleto's tax ID; the Boleto guide's test values,
// CPF 000.000.000-00 and CNPJ 00.000.000/0000-00, bypass it in test mode.
func validTaxID(d string) bool {
	if d == "00000000000" || d == "00000000000000" {
		return true
	}
	var weights [2][]int
	switch len(d) {
	case 11:
		weights = [2][]int{{10, 9, 8, 7, 6, 5, 4, 3, 2}, {11, 10, 9, 8, 7, 6, 5, 4, 3, 2}}
	case 14:
		weights = [2][]int{{5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}, {6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}}
	default:
		return false
	}
	if strings.Count(d, d[:1]) == len(d) {
		return false // 111.111.111-11 and the like pass the sums but are not issued
	}
	for _, w := range weights {
		sum := 0
		for j, k := range w {
			sum += int(d[j]-'0') * k
		}
		check := sum % 11
		if check < 2 {
			check = 0
		} else {
			check = 11 - check
		}
		if int(d[len(w)]-'0') != check {
			return false
		}
	}
	return true
}

// voucherTest is what Stripe's test emails make of a voucher (OXXO's and
// Boleto's guides list the same ones): the email's local part ending in
// succeed_immediately, expire_immediately, expire_with_delay or
// fill_never; any other is paid after about 3 minutes.
func voucherTest(pm store.Obj) string {
	email := api.Str(api.Obj(pm["billing_details"])["email"])
	local, _, _ := strings.Cut(email, "@")
	for _, t := range []string{"succeed_immediately", "expire_immediately", "expire_with_delay", "fill_never"} {
		if strings.HasSuffix(local, t) {
			return t
		}
	}
	return ""
}

// confirmVoucher issues the voucher: the intent waits in requires_action
// with the voucher to show until it is paid or expires, each on the
// emulator clock as Stripe's test emails say.
func confirmVoucher(c *api.Call, before, pi, pm store.Obj, errorOnAction bool) (any, error) {
	typ := api.Str(pm["type"])
	m := voucherMethods[typ]
	if captureMethodFor(pi, typ) == "manual" {
		return nil, apierr.InvalidRequest("The payment method type %s does not support `capture_method=manual`.", typ).WithParam("capture_method")
	}
	if confirmedOffSession(c) {
		return nil, apierr.InvalidRequest("A PaymentIntent with a %s PaymentMethod can't be confirmed off-session: the customer must pay the voucher.", typ).WithParam("off_session")
	}
	if futureUsage(pi, pm) != nil {
		if typ == "boleto" {
			// Stripe saves a Boleto for later vouchers (invoices,
			// subscriptions); the emulator does not.
			return nil, apierr.InvalidRequest("stripe-emu does not emulate `setup_future_usage` with the payment method type boleto (a Boleto saved for later vouchers), so it refused the request rather than answer as if it had taken effect.").WithParam("setup_future_usage")
		}
		return nil, apierr.InvalidRequest("The payment method type %s does not support `setup_future_usage`: a voucher pays once.", typ).WithParam("setup_future_usage")
	}
	if errorOnAction {
		return actionRefused(c, before, pi, pm)
	}
	opts := api.Obj(api.Obj(pi["payment_method_options"])[typ])
	days := m.defaultDays
	if d, ok := opts["expires_after_days"].(int64); ok {
		days = d
	}
	var expires int64
	if m.zone == nil {
		expires = c.Now + days*86400
	} else {
		// The voucher expires at 23:59 local time, days calendar days on.
		local := time.Unix(c.Now, 0).In(m.zone)
		expires = time.Date(local.Year(), local.Month(), local.Day()+int(days), 23, 59, 59, 0, m.zone).Unix()
	}
	if at, ok := opts["expires_at"].(int64); ok && typ == "konbini" {
		expires = at
	}
	var due int64
	switch voucherTest(pm) {
	case "succeed_immediately":
		due = c.Now + int64(VoucherSoon.Seconds())
	case "expire_immediately":
		// Its expires_after is now, whatever expires_after_days says.
		expires = c.Now
		due = c.Now + int64(VoucherSoon.Seconds())
	case "expire_with_delay":
		expires = c.Now + int64(VoucherWait.Seconds())
		due = expires
	case "fill_never":
		due = expires
	default:
		due = c.Now + int64(VoucherWait.Seconds())
	}
	page := testPageURL(c, "/v1/test_helpers/payment_intents/"+api.Str(pi["id"])+"/authenticate")
	var details store.Obj
	switch typ {
	case "konbini":
		details = store.Obj{"expires_at": expires, "hosted_voucher_url": page, "stores": konbiniStores(c, opts)}
	case "multibanco":
		// A Multibanco entity is 5 digits and a reference 9; Stripe's test
		// vouchers' values are not documented: random digits.
		details = store.Obj{"entity": voucherNumber(c, 5), "expires_at": expires, "hosted_voucher_url": page, "reference": voucherNumber(c, 9)}
	default:
		details = store.Obj{m.expiresKey: expires, "hosted_voucher_url": page, "number": voucherNumber(c, m.digits)}
	}
	if typ == "boleto" {
		// The emulator has no PDF to offer: the same test page.
		details["pdf"] = page
	}
	pi["status"] = RequiresAction
	pi["next_action"] = store.Obj{"type": typ + "_display_details", typ + "_display_details": details}
	if err := c.Tx.SetMeta(voucherKey(c.Account, api.Str(pi["id"])), strconv.FormatInt(due, 10)); err != nil {
		return nil, err
	}
	if err := saveIntentEmitting(c, before, pi, "payment_intent.requires_action"); err != nil {
		return nil, err
	}
	return pi, nil
}

// voucherNumber is a voucher's reference number of n digits: OXXO's 32,
// as the charge's payment_method_details.oxxo.number in Stripe's API
// reference, a Boleto's 47 (its linha digitável).
func voucherNumber(c *api.Call, n int) string {
	var b strings.Builder
	for b.Len() < n {
		for _, r := range c.IDs.Secret(16) {
			if b.Len() < n {
				b.WriteByte(byte('0' + int(r)%10))
			}
		}
	}
	return b.String()
}

// konbiniStores are a Konbini voucher's instructions per store chain:
// the confirmation number the intent asked for
// (payment_method_options[konbini][confirmation_number]) or 11 digits,
// and a payment code per store. Stripe's test vouchers' numbers and
// codes are not documented: the emulator's are random digits (the
// payment code 12 of them).
func konbiniStores(c *api.Call, opts store.Obj) store.Obj {
	confirmation := api.Str(opts["confirmation_number"])
	if confirmation == "" {
		confirmation = voucherNumber(c, 11)
	}
	out := store.Obj{}
	for _, chain := range konbiniChains {
		out[chain] = store.Obj{"confirmation_number": confirmation, "payment_code": voucherNumber(c, 12)}
	}
	return out
}

// konbiniChains are the store chains Stripe's Konbini vouchers name.
var konbiniChains = []string{"familymart", "lawson", "ministop", "seicomart"}

// konbiniPaidAt is the chain where a test Konbini voucher is paid, shown
// as the charge's payment_method_details.konbini.store.chain: Stripe's
// test mode's is not documented.
const konbiniPaidAt = "familymart"

// waitsForVoucher tells an intent whose voucher is out, unpaid.
func waitsForVoucher(pi store.Obj) bool {
	if pi["status"] != RequiresAction {
		return false
	}
	typ, _ := api.Obj(pi["next_action"])["type"].(string)
	return isVoucher(strings.TrimSuffix(typ, "_display_details"))
}

// payVoucher is the customer paying the voucher: the intent succeeds with
// a charge whose details carry the voucher's number.
func payVoucher(c *api.Call, before store.Obj) (store.Obj, error) {
	c.Tx.DeleteMeta(voucherKey(c.Account, api.Str(before["id"])))
	pi := api.Clone(before)
	pm, _ := c.Tx.Get(c.Account, "payment_method", api.Str(pi["payment_method"]))
	c.SetScratch(scratchVoucherNumber, voucherDetailsNumber(before))
	if api.Obj(before["next_action"])["type"] == "multibanco_display_details" {
		// The charge shows the entity and reference paid.
		d := api.Obj(api.Obj(before["next_action"])["multibanco_display_details"])
		c.SetScratch(scratchMultibanco, store.Obj{"entity": d["entity"], "reference": d["reference"]})
	}
	pi["next_action"] = nil
	res, err := charge(c, before, pi, pm, card{})
	if err != nil {
		return nil, err
	}
	paid := res.(store.Obj)
	return paid, useUp(c, paid)
}

const (
	scratchVoucherNumber = "payments.voucher_number"
	scratchMultibanco    = "payments.multibanco"
)

func voucherDetailsNumber(pi store.Obj) string {
	next := api.Obj(pi["next_action"])
	return api.Str(api.Obj(next[api.Str(next["type"])])["number"])
}

// expireVoucher is the voucher expiring unpaid: the intent needs a new
// payment method (payment_intent.payment_failed), as Stripe's guide says.
// Stripe's exact last_payment_error for it is not documented: its error
// code for an expired payment attempt is used.
func expireVoucher(c *api.Call, before store.Obj) (store.Obj, error) {
	c.Tx.DeleteMeta(voucherKey(c.Account, api.Str(before["id"])))
	pi := api.Clone(before)
	pm, _ := c.Tx.Get(c.Account, "payment_method", api.Str(pi["payment_method"]))
	e := apierr.InvalidRequest("The latest payment attempt for this PaymentIntent has expired. Provide a payment_method to attempt payment again.").
		WithCode("payment_intent_payment_attempt_expired")
	if err := failAttempt(c, before, pi, pm, e); err != nil {
		return nil, err
	}
	return pi, nil
}

// multibancoExpired is a Multibanco voucher reaching its expires_at
// unpaid: as Stripe's guide says, the intent goes processing
// (payment_intent.processing) for the buffer, then fails unless paid.
func multibancoExpired(c *api.Call, before store.Obj) error {
	pi := api.Clone(before)
	pi["status"], pi["next_action"] = Processing, nil
	if err := c.Tx.SetMeta(voucherKey(c.Account, api.Str(pi["id"])), strconv.FormatInt(c.Now+int64(MultibancoBuffer.Seconds()), 10)); err != nil {
		return err
	}
	return saveIntentEmitting(c, before, pi, "payment_intent.processing")
}

// isMultibanco tells an intent paid, or being paid, by Multibanco.
func isMultibanco(c *api.Call, pi store.Obj) bool {
	pm, _ := c.Tx.Get(c.Account, "payment_method", api.Str(pi["payment_method"]))
	return pm["type"] == "multibanco"
}

// voucherTimer pays or expires each voucher, expires each unpaid Pix
// code and settles each BLIK payment the test page left undecided, when
// its time comes.
var voucherTimer = metaTimer("payment_intent", voucherKey, voucherWork)

func voucherWork(account, id string, at int64) api.Due {
	return api.Due{At: at, Account: account, About: store.Ref{Type: "payment_intent", ID: id}, Kind: "voucher", Run: func(c *api.Call) error {
		pi, ok := c.Tx.Get(account, "payment_intent", id)
		if ok && waitsForPix(pi) {
			// An unpaid Pix expires as a voucher does; Stripe's exact
			// last_payment_error for it is not documented.
			_, err := expireVoucher(c, pi)
			return err
		}
		if ok && waitsForBlik(pi) {
			return settleBlik(c, pi)
		}
		if ok && pi["status"] == Processing && isMultibanco(c, pi) {
			// Its buffer after expiry is over, no payment having come.
			_, err := expireVoucher(c, pi)
			return err
		}
		if !ok || !waitsForVoucher(pi) {
			c.Tx.DeleteMeta(voucherKey(account, id))
			return nil
		}
		pm, _ := c.Tx.Get(account, "payment_method", api.Str(pi["payment_method"]))
		var err error
		switch voucherTest(pm) {
		case "fill_never":
			if pm["type"] == "multibanco" {
				err = multibancoExpired(c, pi)
				break
			}
			_, err = expireVoucher(c, pi)
		case "expire_immediately", "expire_with_delay":
			_, err = expireVoucher(c, pi)
		default:
			_, err = payVoucher(c, pi)
		}
		return err
	}}
}
