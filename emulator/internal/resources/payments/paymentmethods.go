package payments

import (
	"slices"
	"strconv"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// PaymentMethodKind is the payment_method object.
var PaymentMethodKind = &api.Kind{
	Object:     "payment_method",
	Prefix:     "pm_",
	Name:       "PaymentMethod",
	Expandable: []string{"customer"},
	Indexes:    []store.Index{{Name: "customer", Path: "customer"}},
}

// SupportedTypes are the payment method types the emulator can create.
var supportedTypes = map[string]bool{"card": true, "sepa_debit": true, "us_bank_account": true,
	"ideal": true, "bancontact": true, "eps": true, "p24": true, "klarna": true,
	"affirm": true, "afterpay_clearpay": true, "paypal": true, "cashapp": true, "revolut_pay": true, "amazon_pay": true, "alipay": true, "wechat_pay": true, "grabpay": true, "mobilepay": true, "twint": true, "swish": true, "paynow": true, "promptpay": true, "pix": true, "blik": true, "customer_balance": true, "oxxo": true, "boleto": true, "konbini": true, "multibanco": true, "bacs_debit": true, "au_becs_debit": true, "acss_debit": true}

// supportedList names the supported types in refusals.
const supportedList = "card, sepa_debit, us_bank_account, bacs_debit, au_becs_debit, acss_debit, ideal, bancontact, eps, p24, klarna, affirm, afterpay_clearpay, paypal, cashapp, revolut_pay, amazon_pay, alipay, wechat_pay, grabpay, mobilepay, twint, swish, paynow, promptpay, pix, blik, oxxo, boleto, konbini, multibanco and customer_balance"

// listedOnly are types an intent, a Checkout Session, a payment link or
// an invoice may offer though the API makes no PaymentMethod of them:
// Link, whose PaymentMethods Stripe makes only in Link's own flow (the
// customer signing in to Link, with a one-time passcode, in Stripe.js or
// on Checkout's page), which the emulator has on its hosted Checkout page
// (pm_link). A card pays such an intent as it pays any other.
var listedOnly = map[string]bool{"link": true}

// linkRefused is the refusal of making a Link PaymentMethod (param names
// what asked for it), in the emulator's words: what Stripe answers a
// server-side type=link is not verified.
func linkRefused(param string) error {
	return apierr.InvalidRequest("stripe-emu does not make Link PaymentMethods through the API: Stripe makes them only when a customer signs in to Link (their email and a one-time passcode) in Stripe.js or on a Checkout page. Use the emulator's hosted Checkout page (Pay with Link) or its complete test helper's `payment_method=pm_link`; its Stripe.js stand-in does not offer Link. Intents, Checkout Sessions, payment links and invoices may list `link` in payment_method_types and be paid by another type, such as a card.").WithParam(param)
}

// linkPaymentMethod is a Link PaymentMethod for the customer signed in to
// Link as email, as Checkout's Link flow makes one: its billing details
// carry the email alone (what Stripe fills in from the Link account
// beyond it is not verified), persistent_token null (deprecated).
func linkPaymentMethod(c *api.Call, email string) store.Obj {
	o := c.Base("payment_method", c.NewID("payment_method"))
	o["allow_redisplay"], o["customer"], o["metadata"], o["type"] = "unspecified", nil, map[string]any{}, "link"
	o["billing_details"] = store.Obj{"address": emptyAddress(), "email": email, "name": nil, "phone": nil, "tax_id": nil}
	o["link"] = store.Obj{"email": email, "persistent_token": nil}
	return o
}

// delayed types settle later instead of at confirmation.
var delayed = map[string]bool{"sepa_debit": true, "us_bank_account": true, "bacs_debit": true, "au_becs_debit": true, "acss_debit": true}

func paymentMethodRoutes() []api.Route {
	return []api.Route{
		publishable(api.POST("/v1/payment_methods", params.FromStruct(stripe.PaymentMethodCreateParams{}).Enum("allow_redisplay", redisplay...), createPaymentMethod)),
		api.GET("/v1/payment_methods", params.FromStruct(stripe.PaymentMethodListParams{}), listPaymentMethods),
		api.GET("/v1/payment_methods/{id}", params.FromStruct(stripe.PaymentMethodRetrieveParams{}), retrievePaymentMethod),
		api.POST("/v1/payment_methods/{id}", params.FromStruct(stripe.PaymentMethodUpdateParams{}).Enum("allow_redisplay", redisplay...), updatePaymentMethod),
		api.POST("/v1/payment_methods/{id}/attach", params.FromStruct(stripe.PaymentMethodAttachParams{}).Require("customer"), attachPaymentMethod),
		api.POST("/v1/payment_methods/{id}/detach", params.FromStruct(stripe.PaymentMethodDetachParams{}), detachPaymentMethod),
		api.GET("/v1/customers/{customer}/payment_methods", params.FromStruct(stripe.CustomerListPaymentMethodsParams{}).Enum("allow_redisplay", redisplay...), listCustomerPaymentMethods),
		api.GET("/v1/customers/{customer}/payment_methods/{id}", params.FromStruct(stripe.CustomerRetrievePaymentMethodParams{}), retrieveCustomerPaymentMethod),
	}
}

// redisplay are the values of a PaymentMethod's allow_redisplay.
var redisplay = []string{"always", "limited", "unspecified"}

// copyRedisplay sets o's allow_redisplay from p when sent. A
// PaymentMethod always has one (Stripe's spec makes it neither nullable
// nor emptiable), so "" is refused as a parameter that cannot be unset;
// param names it.
func copyRedisplay(p params.Values, o store.Obj, param string) error {
	if p.Unset("allow_redisplay") {
		return apierr.InvalidEmpty(param)
	}
	if v, ok := p.Str("allow_redisplay"); ok {
		o["allow_redisplay"] = v
	}
	return nil
}

func metaCard(acct, pm string) string  { return "pmcard:" + acct + ":" + pm }
func metaSetUp(acct, pm string) string { return "pmsetup:" + acct + ":" + pm }

// metaUsedUp marks a PaymentMethod that paid while attached to no
// customer, or was detached from one: Stripe never lets it pay or be
// attached again.
func metaUsedUp(acct, pm string) string { return "pmusedup:" + acct + ":" + pm }

const (
	reuseRefused    = "The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first."
	reattachRefused = "This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again."
)

// toAttach is metaUsedUp's value for a PaymentMethod that paid with
// setup_future_usage but no customer: it pays again only once attached to
// one, which it still can be. One key holds both marks, so a confirmation
// reads one.
const toAttach = "attach"

func usedUp(c *api.Call, pmID string) bool {
	v, ok := c.Tx.GetMeta(metaUsedUp(c.Account, pmID))
	return ok && v != toAttach
}

// reuseBlocked says pm cannot pay again: used up, or saved by a payment
// and still attached to no customer.
func reuseBlocked(c *api.Call, pm store.Obj) bool {
	v, ok := c.Tx.GetMeta(metaUsedUp(c.Account, api.Str(pm["id"])))
	return ok && (v != toAttach || pm["customer"] == nil)
}

// useUp marks the PaymentMethod of an intent that has just paid used up,
// unless the payment saves it to a customer (attached already, or as a
// debit turns processing, with setup_future_usage). With setup_future_usage and no
// customer it can still be attached afterwards, as the API reference's
// setup_future_usage says, and pays again once it is.
func useUp(c *api.Call, pi store.Obj) error {
	pmID := api.Str(pi["payment_method"])
	pm, ok := c.Tx.Get(c.Account, "payment_method", pmID)
	if !ok || pm["customer"] != nil || pm["type"] == "customer_balance" ||
		(pi["customer"] != nil && futureUsage(pi, pm) != nil) {
		return nil
	}
	if futureUsage(pi, pm) != nil {
		return c.Tx.SetMeta(metaUsedUp(c.Account, pmID), toAttach)
	}
	return c.Tx.SetMeta(metaUsedUp(c.Account, pmID), "1")
}

func emptyAddress() store.Obj {
	return store.Obj{"city": nil, "country": nil, "line1": nil, "line2": nil, "postal_code": nil, "state": nil}
}

// wholeShipping renders an intent's or charge's shipping as Stripe does:
// every address field, and carrier, phone and tracking_number, null
// unless sent. Anything but a hash (null, unset) is kept as it is.
func wholeShipping(v any) any {
	sh, ok := v.(map[string]any)
	if !ok {
		return v
	}
	addr := emptyAddress()
	for k, f := range api.Obj(sh["address"]) {
		addr[k] = f
	}
	out := store.Obj{"address": addr, "carrier": nil, "name": nil, "phone": nil, "tracking_number": nil}
	for _, k := range []string{"carrier", "name", "phone", "tracking_number"} {
		if f, ok := sh[k]; ok {
			out[k] = f
		}
	}
	return out
}

func billingDetails(p params.Values, ok bool) store.Obj {
	bd := store.Obj{"address": emptyAddress(), "email": nil, "name": nil, "phone": nil, "tax_id": nil}
	if !ok {
		return bd
	}
	for _, f := range []string{"email", "name", "phone", "tax_id"} {
		if v, ok := p.Str(f); ok && v != "" {
			bd[f] = v
		}
	}
	if addr, ok := p.Obj("address"); ok {
		a := emptyAddress()
		for k := range a {
			if v, ok := addr.Str(k); ok && v != "" {
				a[k] = v
			}
		}
		bd["address"] = a
	}
	return bd
}

// newCardPaymentMethod builds a card PaymentMethod for a test card; cvc
// says a CVC came with it (Stripe's test PaymentMethods and tokens have
// one), for the CVC check to run on.
func newCardPaymentMethod(c *api.Call, cd card, expMonth, expYear int64, bd store.Obj, cvc bool) (store.Obj, error) {
	o := cardPaymentMethodObject(c, c.NewID("payment_method"), cd, expMonth, expYear, bd)
	if !cvc {
		api.Obj(api.Obj(o["card"])["checks"])["cvc_check"] = nil
	}
	if err := c.Put(o); err != nil {
		return nil, err
	}
	return o, c.Tx.SetMeta(metaCard(c.Account, api.Str(o["id"])), cd.Number)
}

// cardPaymentMethodObject is a card PaymentMethod for a test card, not
// stored: id is a pm_… or, for a card saved as a customer's source, the
// card's own card_… id (Stripe's PaymentMethods API shows cards that way).
func cardPaymentMethodObject(c *api.Call, id string, cd card, expMonth, expYear int64, bd store.Obj) store.Obj {
	o := c.Base("payment_method", id)
	o["allow_redisplay"] = "unspecified"
	o["billing_details"] = bd
	o["customer"] = nil
	o["metadata"] = map[string]any{}
	o["type"] = "card"
	networks := []any{cd.Brand}
	if cd.CoBrand != "" {
		// A co-branded card runs on its domestic network too.
		networks = []any{cd.CoBrand, cd.Brand}
	}
	o["card"] = store.Obj{
		"brand": cd.Brand, "display_brand": displayBrand(cd.Brand),
		"checks":  store.Obj{"address_line1_check": nil, "address_postal_code_check": nil, "cvc_check": "unchecked"},
		"country": cd.Country, "exp_month": expMonth, "exp_year": expYear,
		"fingerprint": fingerprint(c.Account, cd.Number), "funding": cd.Funding, "generated_from": nil,
		"last4": cd.Number[len(cd.Number)-4:], "networks": store.Obj{"available": networks, "preferred": nil},
		"regulated_status": "unregulated", "three_d_secure_usage": store.Obj{"supported": !cd.NoThreeDS}, "wallet": nil,
	}
	// An address given is checked once the card is saved: unchecked
	// until then, as its CVC.
	addr := api.Obj(bd["address"])
	checks := api.Obj(api.Obj(o["card"])["checks"])
	if addr["line1"] != nil {
		checks["address_line1_check"] = "unchecked"
	}
	if addr["postal_code"] != nil {
		checks["address_postal_code_check"] = "unchecked"
	}
	return o
}

// defaultExpiry is what magic test payment methods carry.
func defaultExpiry(c *api.Call) (int64, int64) {
	y, _ := strconv.Atoi(c.Clock.Now().Format("2006"))
	return 12, int64(y) + 3
}

// resolvePaymentMethod returns the PaymentMethod a request names, turning
// Stripe's magic test ids (pm_card_visa…) into a fresh real one.
func resolvePaymentMethod(c *api.Call, id, param string) (store.Obj, error) {
	if err := refuseCard(id, param); err != nil {
		return nil, err
	}
	if number, ok := magicPaymentMethods[id]; ok {
		if err := refuseCard(number, param); err != nil {
			return nil, err
		}
		cd, _ := lookupCard(number)
		m, y := defaultExpiry(c)
		return newCardPaymentMethod(c, cd, m, y, checkedAddress(cd, billingDetails(params.Values{}, false)), true)
	}
	if err := refuseDisputedBankDebit(id, param); err != nil {
		return nil, err
	}
	if number, ok := usBankAccountTokens[id]; ok {
		return usBankAccountToken(c, number)
	}
	if iban, ok := sepaDebitTokens[id]; ok {
		return sepaDebitToken(c, iban)
	}
	o, ok := c.Tx.Get(c.Account, "payment_method", id)
	if !ok {
		return nil, apierr.NoSuchObject("PaymentMethod", id, param)
	}
	return o, nil
}

// cardOf returns the test card behind a card PaymentMethod.
func cardOf(c *api.Call, pm store.Obj) card {
	number, _ := c.Tx.GetMeta(metaCard(c.Account, api.Str(pm["id"])))
	cd, ok := lookupCard(number)
	if !ok {
		cd, _ = lookupCard("4242424242424242")
	}
	return cd
}

func createPaymentMethod(c *api.Call) (any, error) {
	typ, _ := c.Params.Str("type")
	if pmID, ok := c.Params.Str("payment_method"); ok && pmID != "" {
		if c.Publishable {
			// Only the platform's secret key may share its PaymentMethods.
			return nil, api.PublishableRefused()
		}
		// Cloning a platform PaymentMethod onto a connected account.
		src, ok := c.Tx.Get(c.Platform, "payment_method", pmID)
		if !ok {
			return nil, apierr.NoSuchObject("PaymentMethod", pmID, "payment_method")
		}
		// The copy is of the same type: another type cannot be honoured,
		// so it is refused rather than ignored (Stripe's words unknown).
		if typ != "" && typ != api.Str(src["type"]) {
			return nil, apierr.InvalidRequest("The PaymentMethod %s is of type `%s`: a clone keeps its type, so `type` cannot be `%s`.", pmID, api.Str(src["type"]), typ).WithParam("type")
		}
		// Stripe's guide to sharing payment methods names the platform
		// customer the PaymentMethod is attached to.
		if cusID, ok := c.Params.Str("customer"); ok && cusID != "" {
			cus, ok := c.Tx.Get(c.Platform, "customer", cusID)
			if !ok || api.Bool(cus["deleted"]) {
				return nil, apierr.NoSuchObject("customer", cusID, "customer")
			}
			if api.Str(src["customer"]) != cusID {
				return nil, apierr.InvalidRequest("The PaymentMethod %s is not attached to customer %s.", pmID, cusID).WithParam("payment_method")
			}
		}
		o := api.Clone(src)
		o["id"], o["customer"], o["created"] = c.NewID("payment_method"), nil, c.Now
		if err := c.Put(o); err != nil {
			return nil, err
		}
		number, _ := c.Tx.GetMeta(metaCard(c.Platform, pmID))
		return o, c.Tx.SetMeta(metaCard(c.Account, api.Str(o["id"])), number)
	}
	if typ == "" {
		return nil, apierr.MissingParam("type")
	}
	if e := retiredType(typ, "type"); e != nil {
		return nil, e
	}
	if !supportedTypes[typ] {
		if listedOnly[typ] {
			return nil, linkRefused("type")
		}
		return nil, apierr.InvalidRequest("The payment method type `%s` is not supported by stripe-emu; it emulates "+supportedList+".", typ).WithParam("type")
	}
	bdParams, hasBD := c.Params.Obj("billing_details")
	bd := billingDetails(bdParams, hasBD)
	var o store.Obj
	var err error
	switch typ {
	case "card":
		o, err = cardFromParams(c, bd)
	case "sepa_debit":
		o, err = sepaFromParams(c, bd)
	case "us_bank_account":
		o, err = usBankFromParams(c, bd)
	case "bacs_debit":
		o, err = bacsFromParams(c, bd)
	case "au_becs_debit":
		o, err = becsFromParams(c, bd)
	case "acss_debit":
		o, err = acssFromParams(c, bd)
	case "customer_balance":
		c.Params.MarkRead("customer_balance") // {}: nothing to read
		o = customerBalanceMethod(c, bd)
	case "oxxo", "boleto", "konbini", "multibanco":
		o, err = voucherFromParams(c, typ, bd)
	default:
		o, err = redirectFromParams(c, typ, bd)
	}
	if err != nil {
		return nil, err
	}
	if err := copyRedisplay(c.Params, o, "allow_redisplay"); err != nil {
		return nil, err
	}
	if err := c.ApplyMetadata(o); err != nil {
		return nil, err
	}
	if err := c.Put(o); err != nil {
		return nil, err
	}
	return o, nil
}

func cardFromParams(c *api.Call, bd store.Obj) (store.Obj, error) {
	cp, ok := c.Params.Obj("card")
	if !ok {
		return nil, apierr.MissingParam("card")
	}
	if tok, ok := cp.Str("token"); ok && tok != "" {
		if err := refuseCard(tok, "card[token]"); err != nil {
			return nil, err
		}
		number, known := testTokens[tok]
		if !known {
			return paymentMethodFromToken(c, tok, bd)
		}
		if err := refuseCard(number, "card[token]"); err != nil {
			return nil, err
		}
		cd, _ := lookupCard(number)
		m, y := defaultExpiry(c)
		return newCardPaymentMethod(c, cd, m, y, checkedAddress(cd, bd), true)
	}
	cd, expMonth, expYear, err := parseCardDetails(c, cp, "card")
	if err != nil {
		return nil, err
	}
	cvc, _ := cp.Str("cvc")
	return newCardPaymentMethod(c, cd, expMonth, expYear, bd, cvc != "")
}

// paymentMethodFromToken makes a card PaymentMethod of a card token made
// with POST /v1/tokens (Stripe.js's createToken, legacy Checkout), which
// Stripe's reference takes in card[token] "for backwards compatibility":
// the token is used up, as it is wherever it is used, and the card's
// holder name and address are the method's billing details unless the
// request sends its own (c's params are the card's hash's parent: the
// request, or a payment_method_data).
func paymentMethodFromToken(c *api.Call, tok string, bd store.Obj) (store.Obj, error) {
	card, err := useToken(c, tok, "card[token]")
	if err != nil {
		return nil, err
	}
	number, _ := c.Tx.GetMeta(metaCard(c.Account, api.Str(card["id"])))
	cd, ok := lookupCard(number)
	if !ok {
		return nil, apierr.Internal("the card of token %s is missing", tok)
	}
	if !c.Params.Has("billing_details") {
		bd = cardBillingDetails(card)
	}
	return newCardPaymentMethod(c, cd, api.Int(card["exp_month"]), api.Int(card["exp_year"]), bd, card["cvc_check"] != nil)
}

// parseCardDetails reads a card's number, expiry and CVC from p, the
// fields of the parameter prefix (card, source), with Stripe's checks:
// a number that is not a card's, an expiry in the past, a malformed CVC.
// The expiry is an integer (PaymentMethods) or a string (tokens, sources).
func parseCardDetails(c *api.Call, p params.Values, prefix string) (card, int64, int64, error) {
	number, _ := p.Str("number")
	number = strings.ReplaceAll(number, " ", "")
	if number == "" {
		return card{}, 0, 0, apierr.MissingParam(prefix + "[number]")
	}
	if c.RefuseRawCardData && !c.Publishable {
		// Stripe.js sends the numbers customers type with the publishable
		// key: the restriction is on secret keys.
		return card{}, 0, 0, rawCardDataRefused()
	}
	expMonth, okM, badM := expiryField(p, "exp_month")
	if !okM {
		return card{}, 0, 0, apierr.MissingParam(prefix + "[exp_month]")
	}
	expYear, okY, badY := expiryField(p, "exp_year")
	if !okY {
		return card{}, 0, 0, apierr.MissingParam(prefix + "[exp_year]")
	}
	if err := refuseCard(number, prefix+"[number]"); err != nil {
		return card{}, 0, 0, err
	}
	cd, valid := lookupCard(number)
	if !valid {
		return card{}, 0, 0, cardError("incorrect_number", "", "Your card number is incorrect.", prefix+"[number]")
	}
	if badM || expMonth < 1 || expMonth > 12 {
		return card{}, 0, 0, cardError("invalid_expiry_month", "", "Your card's expiration month is invalid.", prefix+"[exp_month]")
	}
	if cvc, ok := p.Str("cvc"); ok && !validCVC(cvc) {
		return card{}, 0, 0, cardError("invalid_cvc", "", "Your card's security code is invalid.", prefix+"[cvc]")
	}
	now := c.Clock.Now()
	expYear = fullExpiryYear(expYear, now.Year())
	if badY || expYear < int64(now.Year()) || (expYear == int64(now.Year()) && expMonth < int64(now.Month())) {
		return card{}, 0, 0, cardError("invalid_expiry_year", "", "Your card's expiration year is invalid.", prefix+"[exp_year]")
	}
	return cd, expMonth, expYear, nil
}

// rawCardDataRefused is Stripe's answer to a card number sent by an
// account without access to the raw card data APIs: 402, as integrators
// report it (stripe-python raises it as a CardError), of type
// invalid_request_error, with neither code nor param.
func rawCardDataRefused() error {
	return &apierr.Error{Status: 402, Type: apierr.TypeInvalidRequest, Message: "Sending credit card numbers directly to the Stripe API is generally unsafe. We suggest you use test tokens that map to the test card you are using, see https://stripe.com/docs/testing. To enable raw card data APIs in test mode, see https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis."}
}

// fullExpiryYear is the year a two-digit expiry year stands for: the one
// of its century within 50 years of now, so that 95 is 1995 (Stripe's
// testing page: "Use a year up to 50 years in the past, such as 95" for
// invalid_expiry_year) and 30 is 2030. Other years are as given.
func fullExpiryYear(year int64, now int) int64 {
	if year < 0 || year >= 100 {
		return year
	}
	y := int64(now/100*100) + year
	switch {
	case y >= int64(now)+50:
		y -= 100
	case y < int64(now)-50:
		y += 100
	}
	return y
}

// expiryField reads exp_month or exp_year sent as an integer or as a
// string of digits: ok says it was sent, bad that it is not a number.
func expiryField(p params.Values, name string) (n int64, ok, bad bool) {
	if n, ok := p.Int(name); ok {
		return n, true, false
	}
	s, ok := p.Str(name)
	if !ok || s == "" {
		return 0, false, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, true, err != nil
}

// validCVC is Stripe's format check: three or four digits (whether it is
// the right code is the incorrect-CVC test card's business).
func validCVC(cvc string) bool {
	if len(cvc) < 3 || len(cvc) > 4 {
		return false
	}
	for _, r := range cvc {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func cardError(code, declineCode, message, param string) *apierr.Error {
	e := &apierr.Error{Status: 402, Type: apierr.TypeCard, Message: message, Param: param, DeclineCode: declineCode}
	return e.WithCode(code)
}

// declineParams is the card field a decline blames, as Stripe's error
// bodies name it in param: an expired card its expiry month, a wrong
// security code the CVC. Other declines name none.
var declineParams = map[string]string{"expired_card": "exp_month", "incorrect_cvc": "cvc"}

// codeIsReason are the decline error codes that are the issuer's reason
// themselves: their bodies carry no decline_code (Stripe's testing page
// gives the expired card, incorrect CVC and processing error rows none,
// and test-mode bodies recorded show none); the charge's outcome still
// gives the reason.
var codeIsReason = map[string]bool{"expired_card": true, "incorrect_cvc": true, "processing_error": true, "incorrect_zip": true}

// declineOf is the error of a test card that declines.
func declineOf(cd card) *apierr.Error {
	reason := cd.Reason
	if codeIsReason[cd.Decline] {
		reason = ""
	}
	return cardError(cd.Decline, reason, cd.Message, declineParams[cd.Decline])
}

func sepaFromParams(c *api.Call, bd store.Obj) (store.Obj, error) {
	sp, _ := c.Params.Obj("sepa_debit")
	iban, _ := sp.Str("iban")
	iban = strings.ToUpper(strings.ReplaceAll(iban, " ", ""))
	if iban == "" {
		return nil, apierr.MissingParam("sepa_debit[iban]")
	}
	if !validIBAN(iban) {
		return nil, apierr.InvalidRequest("The IBAN you provided (%s) is invalid.", iban).WithParam("sepa_debit[iban]").WithCode("invalid_bank_account_iban")
	}
	if bd["name"] == nil || bd["email"] == nil {
		return nil, apierr.InvalidRequest("Missing required param: billing_details[name] and billing_details[email] are required for sepa_debit payment methods.").WithParam("billing_details").WithCode("parameter_missing")
	}
	o := c.Base("payment_method", c.NewID("payment_method"))
	o["allow_redisplay"], o["billing_details"], o["customer"], o["metadata"], o["type"] = "unspecified", bd, nil, map[string]any{}, "sepa_debit"
	o["sepa_debit"] = store.Obj{
		"bank_code": ibanBankCode(iban), "branch_code": "", "country": iban[:2],
		"fingerprint": fingerprint(c.Account, iban), "generated_from": store.Obj{"charge": nil, "setup_attempt": nil},
		"last4": iban[len(iban)-4:],
	}
	return o, c.Tx.SetMeta(metaCard(c.Account, api.Str(o["id"])), "iban:"+iban)
}

// sepaDebitToken makes the PaymentMethod a SEPA test token stands for.
func sepaDebitToken(c *api.Call, iban string) (store.Obj, error) {
	saved := c.Params
	defer func() { c.Params = saved }()
	c.Params = params.NewValues(map[string]any{"sepa_debit": map[string]any{"iban": iban}})
	bd := store.Obj{"address": emptyAddress(), "email": "jenny.rosen@example.com", "name": "Jenny Rosen", "phone": nil, "tax_id": nil}
	o, err := sepaFromParams(c, bd)
	if err != nil {
		return nil, err
	}
	return o, c.Put(o)
}

func usBankFromParams(c *api.Call, bd store.Obj) (store.Obj, error) {
	up, _ := c.Params.Obj("us_bank_account")
	number, _ := up.Str("account_number")
	routing, _ := up.Str("routing_number")
	if number == "" {
		return nil, apierr.MissingParam("us_bank_account[account_number]")
	}
	if routing == "" {
		return nil, apierr.MissingParam("us_bank_account[routing_number]")
	}
	if len(routing) != 9 || !allDigits(routing) { // an ABA routing number's nine digits
		// Stripe's words for a bank account's routing number, as its
		// answers show them (accounts' external accounts refuse the same).
		return nil, apierr.InvalidRequest("Routing number must have 9 digits").WithParam("us_bank_account[routing_number]").WithCode("routing_number_invalid")
	}
	if bd["name"] == nil {
		return nil, apierr.MissingParam("billing_details[name]")
	}
	holder, _ := up.Str("account_holder_type")
	if holder == "" {
		holder = "individual"
	}
	acctType, _ := up.Str("account_type")
	if acctType == "" {
		acctType = "checking"
	}
	o := c.Base("payment_method", c.NewID("payment_method"))
	o["allow_redisplay"], o["billing_details"], o["customer"], o["metadata"], o["type"] = "unspecified", bd, nil, map[string]any{}, "us_bank_account"
	o["us_bank_account"] = store.Obj{
		"account_holder_type": holder, "account_type": acctType, "bank_name": "STRIPE TEST BANK",
		"financial_connections_account": nil, "fingerprint": fingerprint(c.Account, routing+number),
		"last4": number[max(0, len(number)-4):], "networks": store.Obj{"preferred": "ach", "supported": []any{"ach"}},
		"routing_number": routing, "status_details": store.Obj{},
	}
	return o, c.Tx.SetMeta(metaCard(c.Account, api.Str(o["id"])), "ach:"+number)
}

// bankFailure tells whether a delayed method's test account fails to
// settle, and with which code.
func bankFailure(c *api.Call, pm store.Obj) string {
	ref, _ := c.Tx.GetMeta(metaCard(c.Account, api.Str(pm["id"])))
	switch {
	case strings.HasPrefix(ref, "iban:"):
		return failingIBANs[strings.TrimPrefix(ref, "iban:")]
	case strings.HasPrefix(ref, "ach:"):
		return failingUSBankAccounts[strings.TrimPrefix(ref, "ach:")]
	case strings.HasPrefix(ref, "bacs:"):
		return bacsTestAccounts[strings.TrimPrefix(ref, "bacs:")].fail
	case strings.HasPrefix(ref, "becs:"):
		return becsTestAccounts[strings.TrimPrefix(ref, "becs:")].fail
	case strings.HasPrefix(ref, "acss:"):
		return acssTestAccounts[strings.TrimPrefix(ref, "acss:")]
	}
	return ""
}

func retrievePaymentMethod(c *api.Call) (any, error) {
	return resolvePaymentMethodRead(c, c.Var("id"))
}

func resolvePaymentMethodRead(c *api.Call, id string) (store.Obj, error) {
	o, ok := c.Tx.Get(c.Account, "payment_method", id)
	if !ok {
		return nil, apierr.NoSuchObject("PaymentMethod", id, "id")
	}
	return o, nil
}

func updatePaymentMethod(c *api.Call) (any, error) {
	before, err := resolvePaymentMethodRead(c, c.Var("id"))
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(api.Str(before["id"]), CardKind.Prefix) {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate updating a card saved as a source through the PaymentMethods API: update it with POST /v1/customers/%s/sources/%s.", before["customer"], before["id"]).WithParam("id")
	}
	if before["customer"] == nil {
		return nil, apierr.InvalidRequest("You must save this PaymentMethod to a customer before you can update it.")
	}
	after := api.Clone(before)
	if bdp, ok := c.Params.Obj("billing_details"); ok {
		bd, _ := after["billing_details"].(map[string]any)
		for k, v := range billingDetails(bdp, true) {
			if bdp.Has(k) {
				bd[k] = v
			}
		}
	}
	if cp, ok := c.Params.Obj("card"); ok {
		cardObj, _ := after["card"].(map[string]any)
		if cardObj == nil {
			return nil, apierr.InvalidRequest("You cannot update card details on a %s PaymentMethod.", api.Str(before["type"])).WithParam("card")
		}
		for _, f := range []string{"exp_month", "exp_year"} {
			if v, ok := cp.Int(f); ok {
				if f == "exp_year" {
					v = fullExpiryYear(v, c.Clock.Now().Year()) // as a card created with it
				}
				cardObj[f] = v
			}
		}
		if err := checkNewExpiry(c, cardObj); err != nil {
			return nil, err
		}
		if pref, ok := cp.Str("networks.preferred"); ok {
			// A network the card is not on is kept as invalid_preference.
			networks := api.Clone(api.Obj(cardObj["networks"]))
			available, _ := networks["available"].([]any)
			switch {
			case pref == "":
				networks["preferred"] = nil
			case pref != "cartes_bancaires" && pref != "mastercard" && pref != "visa":
				return nil, apierr.InvalidRequest("Invalid card[networks][preferred]: must be one of cartes_bancaires, mastercard, or visa").WithParam("card[networks][preferred]")
			case slices.Contains(available, any(pref)):
				networks["preferred"] = pref
			default:
				networks["preferred"] = "invalid_preference"
			}
			cardObj["networks"] = networks
		}
	}
	if err := updateBankAccount(c, after); err != nil {
		return nil, err
	}
	if err := copyRedisplay(c.Params, after, "allow_redisplay"); err != nil {
		return nil, err
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	return after, c.Save(before, after)
}

// updateBankAccount applies an update's us_bank_account: the holder and
// account types, all Stripe's update takes of a bank account (the
// parameters' enums are Stripe's; neither can be unset).
func updateBankAccount(c *api.Call, pm store.Obj) error {
	up, ok := c.Params.Obj("us_bank_account")
	if !ok {
		return nil
	}
	bank, _ := pm["us_bank_account"].(map[string]any)
	if bank == nil {
		return apierr.InvalidRequest("You cannot update us_bank_account details on a %s PaymentMethod.", api.Str(pm["type"])).WithParam("us_bank_account")
	}
	for _, f := range []string{"account_holder_type", "account_type"} {
		if up.Unset(f) {
			return apierr.InvalidEmpty("us_bank_account[" + f + "]")
		}
		if v, ok := up.Str(f); ok {
			bank[f] = v
		}
	}
	return nil
}

// checkNewExpiry refuses an updated expiry that is no month or has passed,
// with the card errors a card created with it would get.
func checkNewExpiry(c *api.Call, card store.Obj) error {
	month, year := api.Int(card["exp_month"]), api.Int(card["exp_year"])
	if month < 1 || month > 12 {
		return cardError("invalid_expiry_month", "", "Your card's expiration month is invalid.", "card[exp_month]")
	}
	now := c.Clock.Now()
	if year < int64(now.Year()) || (year == int64(now.Year()) && month < int64(now.Month())) {
		return cardError("invalid_expiry_year", "", "Your card's expiration year is invalid.", "card[exp_year]")
	}
	return nil
}

// attach links a PaymentMethod to a customer, running the card check a
// real attachment runs: cards that always decline can't be attached.
func attach(c *api.Call, pm store.Obj, customerID, param string) (store.Obj, error) {
	cus, ok := c.Tx.Get(c.Account, "customer", customerID)
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", customerID, param)
	}
	if usedUp(c, api.Str(pm["id"])) {
		return nil, apierr.InvalidRequest(reattachRefused)
	}
	if owner := api.Str(pm["customer"]); owner != "" {
		if owner == customerID {
			return pm, nil
		}
		return nil, apierr.InvalidRequest("The payment method you provided has already been attached to a customer.").WithParam("payment_method")
	}
	after := api.Clone(pm)
	if pm["type"] == "card" {
		cd := cardOf(c, pm)
		if cd.Outcome == declines {
			return nil, declineOf(cd)
		}
		checks := paymentChecks(pm, cd)
		if fail := checkDecline(checks, true); fail != nil {
			return nil, fail
		}
		// Saving a card runs its checks (Stripe's changelog 2014-12-22:
		// "Unchecked properties are checked when a card is charged or
		// added to a Customer object").
		api.Obj(after["card"])["checks"] = checks
	}
	after["customer"] = customerID
	if err := c.Put(after); err != nil {
		return nil, err
	}
	c.Emit("payment_method.attached", after, nil)
	return after, nil
}

// ownershipRefusal is Stripe's refusal of pm on intent (a PaymentIntent
// or SetupIntent) when pm is saved to a customer other than the intent's,
// or the intent names none; nil otherwise. The wordings are Stripe's as
// integrations quote them; code and param of the PaymentIntent's refusal
// without a customer (parameter_missing, source) are as a recording of
// Stripe's answer has them.
func ownershipRefusal(pm, intent store.Obj) *apierr.Error {
	owner, cus := api.Str(pm["customer"]), api.Str(intent["customer"])
	switch {
	case owner == "" || owner == cus:
		return nil
	case cus != "":
		return apierr.InvalidRequest("The PaymentMethod %s does not belong to the Customer you supplied %s. Please use this PaymentMethod with the Customer that it belongs to instead.", pm["id"], cus).
			WithParam("payment_method")
	case intent["object"] == "setup_intent":
		return apierr.InvalidRequest("The payment method supplied (%s) belongs to the Customer %s. Please include the Customer in the `customer` parameter on the SetupIntent.", pm["id"], owner).
			WithParam("payment_method")
	}
	return apierr.InvalidRequest("The `payment_method` parameter supplied %s belongs to the Customer %s. Please include the Customer in the `customer` parameter on the PaymentIntent.", pm["id"], owner).
		WithParam("source").WithCode("parameter_missing")
}

func attachPaymentMethod(c *api.Call) (any, error) {
	pm, err := resolvePaymentMethod(c, c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	customerID, _ := c.Params.Str("customer")
	return attach(c, pm, customerID, "customer")
}

func detachPaymentMethod(c *api.Call) (any, error) {
	pm, err := resolvePaymentMethodRead(c, c.Var("id"))
	if err != nil {
		return nil, err
	}
	owner := api.Str(pm["customer"])
	if owner == "" {
		return nil, apierr.InvalidRequest("The payment method you provided is not attached to a customer so detachment is impossible.").WithParam("payment_method")
	}
	if card, ok := c.Tx.Get(c.Account, "card", api.Str(pm["id"])); ok {
		// A card saved as a source: detaching it deletes the source.
		return detachCardSource(c, card, pm)
	}
	after := api.Clone(pm)
	after["customer"] = nil
	if err := c.Put(after); err != nil {
		return nil, err
	}
	c.Emit("payment_method.detached", after, store.Obj{"customer": owner})
	if err := c.Tx.SetMeta(metaUsedUp(c.Account, api.Str(pm["id"])), "1"); err != nil {
		return nil, err
	}
	if err := tellDetached(c, api.Str(pm["id"]), owner); err != nil {
		return nil, err
	}
	// Its bank debit mandates end with it.
	if err := deactivateMandates(c, api.Str(pm["id"])); err != nil {
		return nil, err
	}
	// A detached method can't stay the customer's default.
	if cus, ok := c.Tx.Get(c.Account, "customer", owner); ok {
		if is, _ := cus["invoice_settings"].(map[string]any); is != nil && is["default_payment_method"] == pm["id"] {
			next := api.Clone(cus)
			next["invoice_settings"].(map[string]any)["default_payment_method"] = nil
			if err := c.Save(cus, next); err != nil {
				return nil, err
			}
		}
	}
	return after, nil
}

// OnDetached is called inside the transaction when a PaymentMethod
// (or a card source's view) leaves customer: billing stops naming it as a
// subscription's default, since a detached method can no longer pay.
var OnDetached []func(c *api.Call, pmID, customer string) error

func tellDetached(c *api.Call, pmID, customer string) error {
	for _, fn := range OnDetached {
		if err := fn(c, pmID, customer); err != nil {
			return err
		}
	}
	return nil
}

// detachCardSource detaches a card saved as a source, through the
// PaymentMethods API: the source is deleted from its customer.
func detachCardSource(c *api.Call, card, pm store.Obj) (any, error) {
	cus, ok := c.Tx.Get(c.Account, "customer", api.Str(card["customer"]))
	if !ok {
		return nil, apierr.Internal("the customer of card %s is missing", card["id"])
	}
	next := api.Clone(cus)
	if err := removeCard(c, card, next); err != nil {
		return nil, err
	}
	if err := c.Save(cus, next); err != nil {
		return nil, err
	}
	// removeCard told payment_method.detached.
	after := api.Clone(pm)
	after["customer"] = nil
	return after, nil
}

func listPaymentMethods(c *api.Call) (any, error) {
	q, err := c.ListQuery("payment_method")
	if err != nil {
		return nil, err
	}
	if cus, ok := c.Params.Str("customer"); ok && cus != "" {
		// A deleted customer is answered as one never there, as its own
		// list of PaymentMethods is.
		if o, ok := c.Tx.Get(c.Account, "customer", cus); !ok || api.Bool(o["deleted"]) {
			return nil, apierr.NoSuchObject("customer", cus, "customer")
		}
		q.Index, q.Value = "customer", cus
	}
	if typ, ok := c.Params.Str("type"); ok && typ != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["type"] == typ })
	}
	return c.Page("payment_method", "/v1/payment_methods", q), nil
}

func listCustomerPaymentMethods(c *api.Call) (any, error) {
	cus := c.Var("customer")
	if err := liveCustomer(c, cus); err != nil {
		return nil, err
	}
	q, err := c.ListQuery("payment_method")
	if err != nil {
		return nil, err
	}
	q.Index, q.Value = "customer", cus
	if typ, ok := c.Params.Str("type"); ok && typ != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["type"] == typ })
	}
	// What a checkout flow may show again: Checkout and Elements ask
	// for allow_redisplay=always.
	if shown, ok := c.Params.Str("allow_redisplay"); ok && shown != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["allow_redisplay"] == shown })
	}
	return c.Page("payment_method", "/v1/customers/"+cus+"/payment_methods", q), nil
}

// liveCustomer refuses the customer of a customer's PaymentMethods URL
// when it is not there or was deleted, as its sources URLs do.
func liveCustomer(c *api.Call, id string) error {
	cus, ok := c.Tx.Get(c.Account, "customer", id)
	if !ok || api.Bool(cus["deleted"]) {
		return apierr.NoSuchObject("customer", id, "id")
	}
	return nil
}

func retrieveCustomerPaymentMethod(c *api.Call) (any, error) {
	if err := liveCustomer(c, c.Var("customer")); err != nil {
		return nil, err
	}
	pm, err := resolvePaymentMethodRead(c, c.Var("id"))
	if err != nil {
		return nil, err
	}
	if api.Str(pm["customer"]) != c.Var("customer") {
		return nil, apierr.NoSuchObject("PaymentMethod", c.Var("id"), "id")
	}
	return pm, nil
}

// requireBillingDetails refuses a PaymentMethod whose billing_details lack
// one of fields, naming the first missing, as Stripe's methods that need
// the payer's name or email do.
func requireBillingDetails(bd store.Obj, fields ...string) error {
	for _, f := range fields {
		if bd[f] == nil {
			return apierr.MissingParam("billing_details[" + f + "]")
		}
	}
	return nil
}
