package payments

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// redirectMethod is a payment method type the customer authorizes on a
// page they are redirected to (their bank's, Klarna's): confirmation
// stops at requires_action with next_action.redirect_to_url, and the
// test page's authorize or fail decides the payment.
type redirectMethod struct {
	currencies []string // what Stripe accepts, lowercase
	needName   bool     // billing_details[name] required
	needEmail  bool     // billing_details[email] required
	banks      []string // the bank parameter's values, if it has one
	manual     bool     // capture_method=manual is possible
	sepa       bool     // setup_future_usage generates a sepa_debit PaymentMethod
	// wallet: paid in an app or wallet (Cash App Pay…, and the real-time
	// payments TWINT, Swish, PayNow, PromptPay, Pix) rather than on a
	// bank's or BNPL provider's page: Checkout's rules for wallets apply.
	wallet bool
	// A wallet saved as itself (setup_future_usage, SetupIntents) is then
	// charged off-session without the customer; onSession: it can also be
	// saved for on-session use.
	reusable, onSession bool
	// single: Stripe's page says the type cannot be saved for later
	// payments ("Recurring payments: No", or a spec taking only
	// setup_future_usage=none), so it is refused as unsupported rather
	// than as not emulated.
	single bool
	// qr: paid by scanning a QR code alone (PayNow, PromptPay, Pix), so the
	// confirmation needs no return_url; the test page, once decided, says
	// how the payment ended.
	qr bool
	// code: BLIK, whose customer types a code from their bank's app into
	// the payment form (payment_method_options[blik][code], sent with the
	// confirmation) and approves the payment in that app: no return_url,
	// and nothing for the next action to show.
	code bool
	// action is the next_action type the customer is sent on with, when
	// not redirect_to_url: Cash App Pay's and Swish's QR code or redirect,
	// Alipay's redirect, WeChat Pay's, PayNow's, PromptPay's and Pix's QR
	// code.
	action string
	// What the test bank reports about the payer: Stripe's test IBAN
	// for a generated SEPA Direct Debit method (a succeeding one: Stripe's
	// recorded iDEAL setup generated NL39RABO0300065264's, its Bancontact
	// guide shows iban_last4 7061), and the bank's codes.
	iban, bankCode, bankName, bic string
}

// redirectMethods are the redirect-based types emulated. Klarna's billing
// email and country became optional in 2025-02-24.acacia: its currency
// alone decides. Afterpay / Clearpay needs the payer's name and email;
// its shipping details became optional in 2025-02-24.acacia. Affirm,
// Afterpay / Clearpay and PayPal can place a hold for later capture.
var redirectMethods = map[string]redirectMethod{
	"ideal": {currencies: []string{"eur"}, sepa: true, iban: "NL39RABO0300065264", banks: idealBanks},
	"bancontact": {currencies: []string{"eur"}, needName: true, sepa: true, iban: "BE62510007547061",
		bankCode: "VAPE", bankName: "VAN DE PUT & CO", bic: "VAPEBE22"},
	"eps": {currencies: []string{"eur"}, needName: true, banks: epsBanks},
	"p24": {currencies: []string{"eur", "pln"}, needEmail: true, banks: p24Banks},
	"klarna": {currencies: []string{"aud", "cad", "chf", "czk", "dkk", "eur", "gbp", "nok", "nzd", "pln", "ron", "sek", "usd"},
		manual: true},
	"affirm":            {currencies: []string{"cad", "usd"}, manual: true},
	"afterpay_clearpay": {currencies: []string{"aud", "cad", "gbp", "nzd", "usd"}, needName: true, needEmail: true, manual: true},
	"paypal": {currencies: []string{"aud", "cad", "chf", "czk", "dkk", "eur", "gbp", "hkd", "nok", "nzd", "pln", "sek", "sgd", "usd"},
		manual: true},
	// The wallets. Cash App Pay (US, usd) shows a QR code on desktop and
	// redirects to Cash App on mobile; it can hold funds and be saved for
	// on- or off-session use, as Stripe's spec has its options.
	"cashapp": {currencies: []string{"usd"}, wallet: true, manual: true, reusable: true, onSession: true, action: "cashapp_handle_redirect_or_display_qr_code"},
	// Revolut Pay and Amazon Pay redirect to the wallet's site; both can
	// hold funds and be saved for off-session use (Stripe's spec). Revolut
	// Pay's currencies are those a third-party integration (pretix) took
	// from Stripe's Revolut Pay page in November 2025; Amazon Pay's are
	// its Stripe page's transaction currencies.
	// Alipay and WeChat Pay pay once: no manual capture, no saving (the
	// spec's Alipay setup_future_usage, a preview, is not emulated). Their
	// currencies are those a third-party integration (pretix) lists from
	// Stripe's pages, with cny from memory: not verified against Stripe.
	// WeChat Pay's web client shows a QR code and needs no return_url.
	"alipay": {currencies: []string{"aud", "cad", "cny", "eur", "gbp", "hkd", "jpy", "nzd", "sgd", "usd"}, wallet: true,
		action: "alipay_handle_redirect"},
	"wechat_pay": {currencies: []string{"aud", "cad", "cny", "eur", "gbp", "hkd", "jpy", "sgd", "usd"}, wallet: true,
		action: "wechat_pay_display_qr_code"},
	// GrabPay (Singapore, Malaysia) redirects to GrabPay's site; Stripe's
	// page: sgd and myr, no manual capture, no recurring payments.
	"grabpay": {currencies: []string{"myr", "sgd"}, wallet: true, single: true},
	// MobilePay (Denmark, Finland) sends the customer to its app, then
	// Stripe charges the card the wallet holds; Stripe's page: dkk, eur,
	// nok, sek, manual capture supported, no recurring payments.
	"mobilepay": {currencies: []string{"dkk", "eur", "nok", "sek"}, wallet: true, manual: true, single: true},
	// TWINT (Switzerland, chf) sends the customer to its app or shows a
	// QR code on TWINT's page; Stripe's page: no manual capture. Saving it
	// came in 2026-05-27.dahlia (Stripe's changelog): the pinned version's
	// spec takes only setup_future_usage=none.
	"twint": {currencies: []string{"chf"}, wallet: true, single: true},
	// Swish (Sweden, sek) shows a QR code on desktop and opens the Swish
	// app on mobile, as Cash App Pay does; its guide: a single-use method.
	// Manual capture is not offered (its options have no capture_method).
	"swish": {currencies: []string{"sek"}, wallet: true, single: true, action: "swish_handle_redirect_or_display_qr_code"},
	// PayNow (Singapore, sgd) and PromptPay (Thailand, thb) show a QR code
	// the customer scans with their bank's app; Stripe's pages: single-use,
	// no manual capture.
	"paynow":    {currencies: []string{"sgd"}, wallet: true, single: true, qr: true, action: "paynow_display_qr_code"},
	"promptpay": {currencies: []string{"thb"}, wallet: true, single: true, qr: true, action: "promptpay_display_qr_code"},
	// Pix (Brazil, brl): a QR code or a string to paste in a bank's app,
	// expiring (payment_method_options[pix]); single-use here: saving
	// needs Pix Automático's mandates, which the pinned version's spec
	// does not take (setup_future_usage none only).
	"pix": {currencies: []string{"brl"}, wallet: true, single: true, qr: true, action: "pix_display_qr_code"},
	// BLIK (Poland, pln): approved in the customer's bank's app within 60
	// seconds of confirmation (Stripe's BLIK guide); single-use here, as
	// the pinned version's spec takes setup_future_usage none only (saving
	// it for recurring payments came later); no manual capture.
	"blik":        {currencies: []string{"pln"}, wallet: true, single: true, code: true, action: "blik_authorize"},
	"revolut_pay": {currencies: []string{"dkk", "eur", "gbp", "huf", "pln", "ron"}, wallet: true, manual: true, reusable: true},
	"amazon_pay": {currencies: []string{"aud", "chf", "dkk", "eur", "gbp", "hkd", "jpy", "nok", "nzd", "sek", "usd", "zar"},
		wallet: true, manual: true, reusable: true},
}

// idealBICs maps iDEAL's bank parameter to the bank's BIC.
var idealBICs = map[string]string{
	"abn_amro": "ABNANL2A", "asn_bank": "ASNBNL21", "bunq": "BUNQNL2A", "buut": "BUUTNL2A", "handelsbanken": "HANDNL2A", "ing": "INGBNL2A",
	"knab": "KNABNL2H", "moneyou": "MOYONL21", "n26": "NTSBDEB1", "nn": "NNBANL2G", "rabobank": "RABONL2U",
	"regiobank": "RBRBNL21", "revolut": "REVOLT21", "sns_bank": "SNSBNL2A", "triodos_bank": "TRIONL2U",
	"van_lanschot": "FVLBNL22", "yoursafe": "BITSNL2A",
}

var idealBanks = sortedKeys(idealBICs)

var epsBanks = []string{"arzte_und_apotheker_bank", "austrian_anadi_bank_ag", "bank_austria", "bankhaus_carl_spangler",
	"bankhaus_schelhammer_und_schattera_ag", "bawag_psk_ag", "bks_bank_ag", "brull_kallmus_bank_ag", "btv_vier_lander_bank",
	"capital_bank_grawe_gruppe_ag", "deutsche_bank_ag", "dolomitenbank", "easybank_ag", "erste_bank_und_sparkassen",
	"hypo_alpeadriabank_international_ag", "hypo_bank_burgenland_aktiengesellschaft", "hypo_noe_lb_fur_niederosterreich_u_wien",
	"hypo_oberosterreich_salzburg_steiermark", "hypo_tirol_bank_ag", "hypo_vorarlberg_bank_ag", "marchfelder_bank", "oberbank_ag",
	"raiffeisen_bankengruppe_osterreich", "schoellerbank_ag", "sparda_bank_wien", "volksbank_gruppe", "volkskreditbank_ag", "vr_bank_braunau"}

var p24Banks = []string{"alior_bank", "bank_millennium", "bank_nowy_bfg_sa", "bank_pekao_sa", "banki_spbdzielcze", "blik",
	"bnp_paribas", "boz", "citi_handlowy", "credit_agricole", "envelobank", "etransfer_pocztowy24", "getin_bank", "ideabank",
	"ing", "inteligo", "mbank_mtransfer", "nest_przelew", "noble_pay", "pbac_z_ipko", "plus_bank", "santander_przelew24",
	"tmobile_usbugi_bankowe", "toyota_bank", "velobank", "volkswagen_bank"}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// retiredType is Stripe's refusal of a payment method type it no longer
// accepts payments with, as an integration that still offered it was
// answered (woocommerce/woocommerce-gateway-stripe#3257): giropay, shut
// down in June 2024. Its code, if any, is not recorded; param names what
// carried the type. nil for any other type.
func retiredType(typ, param string) *apierr.Error {
	if typ != "giropay" {
		return nil
	}
	return apierr.InvalidRequest("Giropay is deprecated and can no longer be used for payment acceptance. Please refer to https://docs.stripe.com/payments/giropay").WithParam(param)
}

// IsWallet reports a wallet payment method type paid through the test
// page (Cash App Pay, Revolut Pay, Amazon Pay, Alipay, WeChat Pay, GrabPay,
// MobilePay, and the app and QR code payments TWINT, Swish, PayNow,
// PromptPay, Pix).
func IsWallet(typ string) bool { return redirectMethods[typ].wallet }

// SavesWallet reports a wallet saved as itself for later payments (Cash
// App Pay, Revolut Pay, Amazon Pay).
func SavesWallet(typ string) bool { return redirectMethods[typ].reusable }

func isRedirect(typ string) bool {
	_, ok := redirectMethods[typ]
	return ok
}

// methodCurrencies is what each type accepts; a type not listed takes any.
func methodCurrencies(typ string) []string {
	switch typ {
	case "sepa_debit":
		return []string{"eur"}
	case "us_bank_account":
		return []string{"usd"}
	case "bacs_debit":
		return []string{"gbp"}
	case "au_becs_debit":
		return []string{"aud"}
	case "acss_debit":
		return []string{"cad", "usd"}
	case "interac_present":
		return []string{"cad"}
	case "customer_balance":
		return []string{"eur", "gbp", "jpy", "mxn", "usd"}
	}
	if m, ok := voucherMethods[typ]; ok {
		return m.currencies
	}
	return redirectMethods[typ].currencies
}

// currencyAllowed tells whether a payment method type can pay in currency.
func currencyAllowed(typ string, currency any) bool {
	list := methodCurrencies(typ)
	return list == nil || slices.Contains(list, api.Str(currency))
}

// redirectFromParams builds a PaymentMethod of a redirect type from the
// request (the type's own hash, billing details), with Stripe's checks.
func redirectFromParams(c *api.Call, typ string, bd store.Obj) (store.Obj, error) {
	m := redirectMethods[typ]
	if m.needName && bd["name"] == nil {
		return nil, apierr.MissingParam("billing_details[name]")
	}
	if m.needEmail && bd["email"] == nil {
		return nil, apierr.MissingParam("billing_details[email]")
	}
	sub, _ := c.Params.Obj(typ)
	c.Params.MarkRead(typ) // bancontact: {} has nothing to read
	details := store.Obj{}
	if m.banks != nil {
		bank, _ := sub.Str("bank")
		switch {
		case bank == "":
			details["bank"] = nil
		case !slices.Contains(m.banks, bank):
			return nil, apierr.InvalidRequest("Invalid %s[bank]: must be one of %s", typ, strings.Join(m.banks, ", ")).WithParam(typ + "[bank]")
		default:
			details["bank"] = bank
		}
	}
	switch typ {
	case "ideal":
		details["bic"] = nil
		if b, ok := details["bank"].(string); ok {
			details["bic"] = idealBICs[b]
		}
	case "paypal":
		// PayPal reports the payer once they authorize a payment.
		details["country"], details["payer_email"], details["payer_id"] = nil, nil, nil
	case "cashapp":
		// Cash App names the buyer once they authorize (walletAuthorized).
		details["buyer_id"], details["cashtag"] = nil, nil
	case "klarna":
		details["dob"] = nil
		if dob, ok := sub.Obj("dob"); ok {
			d := store.Obj{}
			for _, f := range []string{"day", "month", "year"} {
				v, ok := dob.Int(f)
				if !ok {
					return nil, apierr.MissingParam("klarna[dob][" + f + "]")
				}
				d[f] = v
			}
			details["dob"] = d
		}
	}
	o := c.Base("payment_method", c.NewID("payment_method"))
	o["allow_redisplay"], o["billing_details"], o["customer"], o["metadata"], o["type"] = "unspecified", bd, nil, map[string]any{}, typ
	o[typ] = details
	return o, nil
}

// checkReturnURLGiven is Stripe's refusal to confirm, through the API, an
// intent that accepts the payment methods enabled in the Dashboard, some
// of which redirect, without a return_url to send the customer back to,
// whatever the payment method used (a card too): allow_redirects=never,
// an explicit payment_method_types or a configuration offering no
// redirect-based type lifts it. object is "Payment Intent" or "Setup
// Intent", as the message names it.
func checkReturnURLGiven(c *api.Call, intent store.Obj, object string) error {
	returnURL := confirmReturnURL(c) // read first: it is taken either way
	apm, _ := intent["automatic_payment_methods"].(store.Obj)
	if !api.Bool(apm["enabled"]) || apm["allow_redirects"] == "never" || returnURL != "" {
		return nil
	}
	types, _ := intent["payment_method_types"].([]any)
	if !slices.ContainsFunc(types, func(t any) bool { return isRedirect(api.Str(t)) }) {
		return nil
	}
	return apierr.InvalidRequest("A `return_url` must be specified because this %s is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.", object)
}

// checkReturnURLScheme refuses a return_url without a scheme, in the
// words Stripe's URL check gives such a URL (success_url, return_url);
// any scheme is taken, as a mobile app returns to its own.
func checkReturnURLScheme(c *api.Call) error {
	return c.CheckURLSchemes("return_url")
}

// checkRedirectConfirm refuses what a redirect method cannot do at
// confirmation: no return_url to send the customer back to, an off-session
// payment, manual capture or saving where the type has neither.
func checkRedirectConfirm(c *api.Call, pi, pm store.Obj, returnURL string) error {
	typ := api.Str(pm["type"])
	m := redirectMethods[typ]
	if typ == "wechat_pay" {
		if err := checkWeChatClient(pi); err != nil {
			return err
		}
	} else if returnURL == "" && !m.qr && !m.code {
		return apierr.InvalidRequest("You must provide a `return_url` when confirming a PaymentIntent with the payment method type %s.", typ).WithParam("return_url")
	}
	if confirmedOffSession(c) {
		return apierr.InvalidRequest("A PaymentIntent with a %s PaymentMethod can't be confirmed off-session: the customer must authorize it on a redirect.", typ).WithParam("off_session")
	}
	if captureMethodFor(pi, typ) == "manual" && !m.manual {
		return apierr.InvalidRequest("The payment method type %s does not support `capture_method=manual`.", typ).WithParam("capture_method")
	}
	usage := futureUsage(pi, pm)
	if usage != nil && m.single {
		// The emulator's words: Stripe's refusal is not documented.
		return apierr.InvalidRequest("The payment method type %s does not support `setup_future_usage`: it cannot be saved for later payments.", typ).WithParam("setup_future_usage")
	}
	if usage != nil && !m.sepa && !m.reusable {
		return apierr.InvalidRequest("stripe-emu does not emulate `setup_future_usage` with the payment method type %s: only iDEAL and Bancontact, which save a SEPA Direct Debit PaymentMethod, and the wallets saved as themselves (cashapp, revolut_pay, amazon_pay) are emulated.", typ).WithParam("setup_future_usage")
	}
	if usage == "on_session" && !m.onSession {
		return apierr.InvalidRequest("The payment method type %s only supports `setup_future_usage=off_session`.", typ).WithParam("setup_future_usage")
	}
	return nil
}

// checkWeChatClient refuses a WeChat Pay payment without the client the
// customer pays from (payment_method_options[wechat_pay][client]), which
// Stripe requires, or from an app: only the web client's QR code is
// emulated. The refusals' words are the emulator's.
func checkWeChatClient(pi store.Obj) error {
	const param = "payment_method_options[wechat_pay][client]"
	switch client := api.Str(api.Obj(api.Obj(pi["payment_method_options"])["wechat_pay"])["client"]); client {
	case "web":
		return nil
	case "":
		return apierr.InvalidRequest("A WeChat Pay payment needs the client the customer pays from: set `%s` (`web` shows a QR code).", param).WithParam(param).WithCode("parameter_missing")
	default:
		return apierr.InvalidRequest("stripe-emu does not emulate WeChat Pay in an %s app (`%s=%s`: the wechat_pay_redirect_to_%s_app next action), so it refused the request rather than answer as if it had taken effect; `web` is emulated.", client, param, client, client).WithParam(param)
	}
}

// chargesSavedWallet tells a confirmation that charges a wallet saved
// for later use (setup_future_usage, a SetupIntent) without the customer:
// off-session, as Stripe charges a saved Cash App Pay, Revolut Pay or
// Amazon Pay method for a subscription's renewal.
func chargesSavedWallet(c *api.Call, pm store.Obj) bool {
	return redirectMethods[api.Str(pm["type"])].reusable && confirmedOffSession(c) && isSetUp(c, pm)
}

// metaPageReturn keeps the return_url of an intent whose next action does
// not show it (Cash App Pay's), for the test page to send the customer
// back to.
func metaPageReturn(acct, intent string) string { return "pagereturn:" + acct + ":" + intent }

// redirectAction is the next_action sending the customer to the test
// page where they authorize or fail the payment.
func redirectAction(c *api.Call, pi, pm store.Obj, returnURL string) (store.Obj, error) {
	action, err := methodAction(c, "/v1/test_helpers/payment_intents/"+api.Str(pi["id"])+"/authenticate", api.Str(pi["id"]), api.Str(pm["type"]), returnURL)
	if err == nil && pm["type"] == "blik" {
		return action, timeBlik(c, pi, pm)
	}
	if err != nil || pm["type"] != "pix" {
		return action, err
	}
	// A Pix code expires: shown on the action, and timed.
	expires := pixExpiry(c, pi)
	api.Obj(action["pix_display_qr_code"])["expires_at"] = expires
	return action, c.Tx.SetMeta(voucherKey(c.Account, api.Str(pi["id"])), strconv.FormatInt(expires, 10))
}

// methodAction is the next_action of an intent (id) waiting for the
// customer to authorize a payment or setup by a method of type typ on
// the test page at path: a redirect to it, or the type's own action whose
// URLs and QR code all lead to it.
func methodAction(c *api.Call, path, id, typ, returnURL string) (store.Obj, error) {
	url := testPageURL(c, path)
	switch redirectMethods[typ].action {
	case "cashapp_handle_redirect_or_display_qr_code":
		// The action shows no return_url: the test page finds it here.
		if err := c.Tx.SetMeta(metaPageReturn(c.Account, id), returnURL); err != nil {
			return nil, err
		}
		// The QR code's lifetime (30 seconds here, the page showing a new
		// one after) is not documented.
		return store.Obj{"type": "cashapp_handle_redirect_or_display_qr_code", "cashapp_handle_redirect_or_display_qr_code": store.Obj{
			"hosted_instructions_url": url, "mobile_auth_url": url,
			"qr_code": store.Obj{"expires_at": c.Now + 30, "image_url_png": qrImageURL(c, id, "png"), "image_url_svg": qrImageURL(c, id, "svg")},
		}}, nil
	case "swish_handle_redirect_or_display_qr_code":
		// As Cash App Pay's, the action shows no return_url; its QR code
		// has no expiry field, and its data is the test page's URL.
		if err := c.Tx.SetMeta(metaPageReturn(c.Account, id), returnURL); err != nil {
			return nil, err
		}
		return store.Obj{"type": "swish_handle_redirect_or_display_qr_code", "swish_handle_redirect_or_display_qr_code": store.Obj{
			"hosted_instructions_url": url, "mobile_auth_url": url,
			"qr_code": store.Obj{"data": url, "image_url_png": qrImageURL(c, id, "png"), "image_url_svg": qrImageURL(c, id, "svg")},
		}}, nil
	case "paynow_display_qr_code", "promptpay_display_qr_code", "pix_display_qr_code":
		// The code stands for the test page, as WeChat Pay's: data is its URL.
		action := redirectMethods[typ].action
		return store.Obj{"type": action, action: store.Obj{
			"data": url, "hosted_instructions_url": url,
			"image_url_png": qrImageURL(c, id, "png"), "image_url_svg": qrImageURL(c, id, "svg"),
		}}, nil
	case "blik_authorize":
		// The customer approves in their bank's app: the action names
		// nothing more (as a recorded BLIK intent of Stripe's shows it);
		// the test page decides in the emulator.
		return store.Obj{"type": "blik_authorize"}, nil
	case "alipay_handle_redirect":
		// native_data and native_url are for Alipay's apps, which the
		// emulator has none of: null, as a web payment needs only url.
		return store.Obj{"type": "alipay_handle_redirect", "alipay_handle_redirect": store.Obj{
			"native_data": nil, "native_url": nil, "return_url": returnURL, "url": url}}, nil
	case "wechat_pay_display_qr_code":
		// The code stands for the test page, as a test-mode WeChat Pay QR
		// code leads to Stripe's: data is its URL.
		return store.Obj{"type": "wechat_pay_display_qr_code", "wechat_pay_display_qr_code": store.Obj{
			"data": url, "hosted_instructions_url": url,
			"image_data_url": "data:image/png;base64," + base64.StdEncoding.EncodeToString(QRPlaceholderPNG()),
			"image_url_png":  qrImageURL(c, id, "png"), "image_url_svg": qrImageURL(c, id, "svg"),
		}}, nil
	}
	return store.Obj{"type": "redirect_to_url", "redirect_to_url": store.Obj{"return_url": returnURL, "url": url}}, nil
}

// qrImageURL is where the emulator serves the image of an intent's test
// QR code, in format png or svg.
func qrImageURL(c *api.Call, id, format string) string {
	return testPageURL(c, "/qr_codes/"+id+"."+format)
}

// PageReturnURL is the return_url the test page sends the customer back
// to after authorizing an intent whose next action does not show it.
func PageReturnURL(tx *store.Tx, account, id string) string {
	v, _ := tx.GetMeta(metaPageReturn(account, id))
	return v
}

// testPageURL is the address of the emulator's test page at path about
// an object of the request's account: a connected account's names the
// account, the browser sending no API key to tell it.
func testPageURL(c *api.Call, path string) string {
	base := ""
	if c.BaseURL != nil {
		base = c.BaseURL()
	}
	if c.Connected {
		return base + path + "?account=" + c.Account
	}
	return base + path
}

// redirectDetails is a charge's payment_method_details for a redirect
// type, as the test bank or provider reports the authorized payment.
func redirectDetails(pm store.Obj, pi store.Obj) store.Obj {
	typ := api.Str(pm["type"])
	m := redirectMethods[typ]
	own := api.Obj(pm[typ])
	name := api.Obj(pm["billing_details"])["name"]
	last4 := any(nil)
	if m.iban != "" {
		last4 = m.iban[len(m.iban)-4:]
	}
	switch typ {
	case "ideal":
		return store.Obj{"bank": own["bank"], "bic": own["bic"], "generated_sepa_debit": nil, "generated_sepa_debit_mandate": nil,
			"iban_last4": last4, "verified_name": name}
	case "bancontact":
		lang := api.Obj(api.Obj(pi["payment_method_options"])["bancontact"])["preferred_language"]
		if lang == "" {
			lang = nil
		}
		return store.Obj{"bank_code": m.bankCode, "bank_name": m.bankName, "bic": m.bic, "generated_sepa_debit": nil,
			"generated_sepa_debit_mandate": nil, "iban_last4": last4, "preferred_language": lang, "verified_name": name}
	case "eps":
		return store.Obj{"bank": own["bank"], "verified_name": name}
	case "p24":
		return store.Obj{"bank": own["bank"], "reference": "P24-000-111-222", "verified_name": name}
	case "klarna":
		country := api.Obj(api.Obj(pm["billing_details"])["address"])["country"]
		return store.Obj{"payer_details": store.Obj{"address": store.Obj{"country": country}},
			"payment_method_category": "pay_later", "preferred_locale": nil}
	case "affirm":
		return store.Obj{"transaction_id": providerRef(pi, 12)}
	case "afterpay_clearpay":
		ref := api.Obj(api.Obj(pi["payment_method_options"])["afterpay_clearpay"])["reference"]
		if ref == "" {
			ref = nil
		}
		return store.Obj{"order_id": providerRef(pi, 12), "reference": ref}
	case "cashapp":
		return store.Obj{"buyer_id": own["buyer_id"], "cashtag": own["cashtag"], "transaction_id": providerRef(pi, 20)}
	case "alipay":
		// Alipay's buyer (a 2088… user id) and trade number for the test
		// payment: formats as Alipay's, values the emulator's.
		return store.Obj{"buyer_id": "2088" + digitsOf(api.Str(pm["id"]), 12), "fingerprint": providerRef(pm, 16),
			"transaction_id": digitsOf(api.Str(pi["id"]), 28)}
	case "wechat_pay":
		return store.Obj{"fingerprint": providerRef(pm, 16), "transaction_id": digitsOf(api.Str(pi["id"]), 28)}
	case "grabpay":
		// GrabPay's reference for the payment: the emulator's value.
		return store.Obj{"transaction_id": providerRef(pi, 20)}
	case "mobilepay":
		// The card behind the wallet: a Danish Visa of the emulator's
		// (which test card Stripe's MobilePay reports is not documented),
		// valid three years on from the payment.
		year := time.Unix(api.Int(pi["created"]), 0).UTC().Year() + 3
		return store.Obj{"card": store.Obj{"brand": "visa", "country": "DK", "exp_month": int64(12), "exp_year": int64(year), "last4": "4242"}}
	case "swish":
		// The payer's bank reference and the last digits of their phone
		// number: values of the emulator's, as Stripe's test payer's are
		// not documented.
		return store.Obj{"fingerprint": providerRef(pm, 16), "payment_reference": providerRef(pi, 20),
			"verified_phone_last4": digitsOf(api.Str(pm["id"]), 4)}
	case "paynow":
		// location and reader are for payments at a Terminal reader.
		return store.Obj{"location": nil, "reader": nil, "reference": providerRef(pi, 20)}
	case "promptpay":
		return store.Obj{"reference": providerRef(pi, 20)}
	case "blik":
		// BLIK's identifier of the buyer: the emulator's, the same for
		// the same method.
		return store.Obj{"buyer_id": providerRef(pm, 16)}
	case "pix":
		// The end-to-end id of the Pix transfer: the emulator's value.
		return store.Obj{"bank_transaction_id": "E" + digitsOf(api.Str(pi["id"]), 31)}
	case "revolut_pay", "amazon_pay":
		// What funded the wallet's test payment (its balance, a card) is
		// not documented: the funding type stays null.
		return store.Obj{"funding": store.Obj{"type": nil}, "transaction_id": providerRef(pi, 20)}
	case "paypal":
		bd := api.Obj(pm["billing_details"])
		return store.Obj{"country": api.Obj(bd["address"])["country"], "payer_email": bd["email"], "payer_id": providerRef(pi, 13),
			"payer_name": name, "transaction_id": providerRef(pi, 17),
			"seller_protection": store.Obj{"dispute_categories": []any{"fraudulent", "product_not_received"}, "status": "eligible"}}
	}
	return store.Obj{}
}

// walletAuthorized is pm once the customer authorized a payment or setup
// with it: Cash App Pay's method then names the buyer (a test buyer of
// the emulator's: the format of Stripe's test buyer_id and cashtag is not
// documented), stored; other types are returned as they are.
func walletAuthorized(c *api.Call, pm store.Obj) (store.Obj, error) {
	if pm["type"] != "cashapp" || api.Obj(pm["cashapp"])["buyer_id"] != nil {
		return pm, nil
	}
	after := api.Clone(pm)
	ref := strings.ToUpper(strings.TrimPrefix(api.Str(pm["id"]), "pm_"))
	after["cashapp"] = store.Obj{"buyer_id": "C_" + ref, "cashtag": "$test_" + strings.ToLower(ref[len(ref)-8:])}
	return after, c.Put(after)
}

// digitsOf is n decimal digits derived from id, the same for the same id.
func digitsOf(id string, n int) string {
	if id == "" {
		return strings.Repeat("0", n)
	}
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteByte('0' + id[i%len(id)]%10)
	}
	return b.String()
}

// providerRef is an identifier the provider gives the payment (Affirm's
// transaction, Afterpay's order, PayPal's payer and transaction), n
// characters derived from the intent (or a wallet's fingerprint, from
// the method) so that it stays the same.
func providerRef(pi store.Obj, n int) string {
	_, id, _ := strings.Cut(api.Str(pi["id"]), "_") // past the prefix (pi_, pm_)
	id = strings.ToUpper(id)
	for len(id) < n {
		id += "0"
	}
	return id[len(id)-n:]
}

// generateSEPADebit saves what an iDEAL or Bancontact payment authorized
// as a SEPA Direct Debit PaymentMethod on the intent's customer (Stripe's
// generated_sepa_debit), under a multi-use mandate for its later debits
// (generated_sepa_debit_mandate), and names both on the charge.
func generateSEPADebit(c *api.Call, pi, pm, ch store.Obj) error {
	o, err := generatedSEPAMethod(c, pm, api.Str(pi["customer"]), ch["id"], nil)
	if err != nil {
		return err
	}
	m, err := putMandate(c, pi, api.Str(o["id"]), "sepa_debit", redirectAcceptance(c, pi), true)
	if err != nil {
		return err
	}
	typ := api.Str(pm["type"])
	pmd := api.Clone(api.Obj(ch["payment_method_details"]))
	d := api.Obj(pmd[typ])
	d["generated_sepa_debit"], d["generated_sepa_debit_mandate"] = o["id"], m["id"]
	ch["payment_method_details"] = pmd
	return nil
}

// metaRedirectAcceptance holds the mandate_data customer acceptance a
// PaymentIntent saving an iDEAL or Bancontact payment was confirmed with,
// until the customer authorizes it and the mandate is made.
func metaRedirectAcceptance(acct, pi string) string { return "piaccept:" + acct + ":" + pi }

// keepRedirectAcceptance keeps, for an iDEAL or Bancontact payment that
// will save a SEPA Direct Debit method, the customer acceptance its
// confirmation sent (mandate_data, checked as for a debit), if any.
func keepRedirectAcceptance(c *api.Call, pi, pm store.Obj) error {
	key := metaRedirectAcceptance(c.Account, api.Str(pi["id"]))
	md, ok := c.Params.Obj("mandate_data")
	if !ok || !redirectMethods[api.Str(pm["type"])].sepa || futureUsage(pi, pm) == nil {
		c.Tx.DeleteMeta(key) // an earlier confirmation's is not this one's
		return nil
	}
	acceptance, err := mandateAcceptance(c, md)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(acceptance)
	if err != nil {
		return err
	}
	return c.Tx.SetMeta(key, string(raw))
}

// redirectAcceptance is the customer acceptance of the mandate an iDEAL
// or Bancontact payment makes: what its confirmation sent, else the
// customer accepting online as they authorize the payment on the bank's
// page (the address of that request; no user agent is recorded).
func redirectAcceptance(c *api.Call, pi store.Obj) store.Obj {
	key := metaRedirectAcceptance(c.Account, api.Str(pi["id"]))
	if raw, ok := c.Tx.GetMeta(key); ok {
		c.Tx.DeleteMeta(key) // the mandate keeps it from now on
		acceptance := store.Obj{}
		if err := json.Unmarshal([]byte(raw), &acceptance); err == nil {
			if at, ok := acceptance["accepted_at"].(float64); ok {
				acceptance["accepted_at"] = int64(at)
			}
			return acceptance
		}
	}
	return pageAcceptance(c)
}

// generatedSEPAMethod is the sepa_debit PaymentMethod made from the bank
// account behind an authorized iDEAL or Bancontact method pm, attached to
// customer (if any) and set up for off-session debits; charge or
// setupAttempt is the charge or SetupIntent attempt it came from.
func generatedSEPAMethod(c *api.Call, pm store.Obj, customer string, charge, setupAttempt any) (store.Obj, error) {
	m := redirectMethods[api.Str(pm["type"])]
	o := c.Base("payment_method", c.NewID("payment_method"))
	o["allow_redisplay"], o["billing_details"], o["customer"], o["metadata"], o["type"] = "unspecified", api.Clone(api.Obj(pm["billing_details"])), nil, map[string]any{}, "sepa_debit"
	o["sepa_debit"] = store.Obj{
		"bank_code": ibanBankCode(m.iban), "branch_code": "", "country": m.iban[:2],
		"fingerprint": fingerprint(c.Account, m.iban), "generated_from": store.Obj{"charge": charge, "setup_attempt": setupAttempt},
		"last4": m.iban[len(m.iban)-4:],
	}
	if err := c.Put(o); err != nil {
		return nil, err
	}
	if err := c.Tx.SetMeta(metaCard(c.Account, api.Str(o["id"])), "iban:"+m.iban); err != nil {
		return nil, err
	}
	if customer != "" {
		att, err := attach(c, o, customer, "customer")
		if err != nil {
			return nil, err
		}
		if att != nil {
			o = att
		}
	}
	return o, c.Tx.SetMeta(metaSetUp(c.Account, api.Str(o["id"])), "1")
}

// QRPlaceholderPNG is the PNG the emulator serves for a test QR code
// (image_url_png) and inlines in WeChat Pay's image_data_url: a framed
// blank square, as the code it stands for only leads to the test page.
func QRPlaceholderPNG() []byte {
	qrPNGOnce.Do(func() {
		const size = 64
		img := image.NewGray(image.Rect(0, 0, size, size))
		for y := range size {
			for x := range size {
				if x < 4 || y < 4 || x >= size-4 || y >= size-4 {
					img.SetGray(x, y, color.Gray{})
				} else {
					img.SetGray(x, y, color.Gray{Y: 255})
				}
			}
		}
		var b bytes.Buffer
		_ = png.Encode(&b, img)
		qrPNG = b.Bytes()
	})
	return qrPNG
}

var (
	qrPNGOnce sync.Once
	qrPNG     []byte
)
