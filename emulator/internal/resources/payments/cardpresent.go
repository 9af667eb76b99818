package payments

import (
	"errors"
	"maps"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// In-person card payments (card_present): a PaymentIntent listing the
// type is paid only through a Terminal reader (package terminal), whose
// simulated card creates the card_present PaymentMethod; the API can
// neither create one nor confirm such an intent with anything else.

// readerTypes are the payment method types an intent may list that only a
// Terminal reader pays with: cards read in person, and Canada's Interac
// debit cards.
var readerTypes = map[string]bool{"card_present": true, "interac_present": true}

// interacCards are the Interac test cards a simulated reader reads
// (type=interac_present): Stripe's simulated Interac card, the one its
// Terminal SDKs' simulator presents. Online, the number is no test card.
var interacCards = map[string]card{"4506445006931933": plain("interac", "debit", "CA")}

// InteracCard is the simulated Interac card a reader reads by default.
const InteracCard = "4506445006931933"

// CardPresentCaptureDays is how long an uncaptured in-person card payment
// holds its funds: Stripe has in-person authorizations captured within
// two days.
const CardPresentCaptureDays = 2

// PresentCard pays pi with the test card number read by a simulated
// reader, as the reader confirms the intent: a card_present PaymentMethod
// is made, a tip (amount_tip) added to the amount, and the intent
// confirmed; an intent asking for setup_future_usage saves the card as a
// generated card, shown again as allowRedisplay says. It answers the
// intent after the attempt and, when the card declined, the decline
// (whose charge, intent and events are kept).
func PresentCard(c *api.Call, pi store.Obj, number string, tip int64, allowRedisplay, param string) (store.Obj, *apierr.Error, error) {
	next, _, err := readIntoIntent(c, pi, number, tip, param)
	if err != nil {
		return nil, nil, err
	}
	return confirmPresent(c, next, allowRedisplay)
}

// PresentInterac pays pi with the Interac test card number a simulated
// reader reads (type=interac_present), as PresentCard pays with a card:
// an interac_present PaymentMethod, captured at once (Interac is single
// message: basil took manual capture away from it).
func PresentInterac(c *api.Call, pi store.Obj, number string, tip int64, param string) (store.Obj, *apierr.Error, error) {
	next, _, err := readInteracIntoIntent(c, pi, number, tip, param)
	if err != nil {
		return nil, nil, err
	}
	return confirmPresent(c, next, "")
}

// CollectPresentCard attaches the test card a simulated reader reads to
// pi without confirming it (a reader's collect_payment_method): the
// card_present PaymentMethod is made, the tip added, and the intent waits
// for confirmation (requires_confirmation). Nothing is authorized, so
// nothing declines yet. It answers the intent and the PaymentMethod.
func CollectPresentCard(c *api.Call, pi store.Obj, number string, tip int64, param string) (store.Obj, store.Obj, error) {
	next, pm, err := readIntoIntent(c, pi, number, tip, param)
	if err != nil {
		return nil, nil, err
	}
	return next, pm, saveIntent(c, pi, next)
}

// CollectPresentInterac is CollectPresentCard for an Interac card.
func CollectPresentInterac(c *api.Call, pi store.Obj, number string, tip int64, param string) (store.Obj, store.Obj, error) {
	next, pm, err := readInteracIntoIntent(c, pi, number, tip, param)
	if err != nil {
		return nil, nil, err
	}
	return next, pm, saveIntent(c, pi, next)
}

// readInteracIntoIntent reads an Interac card into a copy of pi, as
// readIntoIntent reads a card, once pi can take it: it lists
// interac_present, captures automatically, and saves nothing.
func readInteracIntoIntent(c *api.Call, pi store.Obj, number string, tip int64, param string) (store.Obj, store.Obj, error) {
	if !listsType(pi, "interac_present") {
		return nil, nil, apierr.InvalidRequest("This PaymentIntent (%s) cannot be paid with an Interac card: its payment_method_types do not include interac_present.", pi["id"]).WithParam("type")
	}
	if captureMethodFor(pi, "interac_present") == "manual" {
		return nil, nil, apierr.InvalidRequest("The payment method type interac_present does not support `capture_method=manual`.").WithParam("capture_method")
	}
	if pi["setup_future_usage"] != nil {
		return nil, nil, apierr.InvalidRequest("stripe-emu does not emulate saving an Interac card (setup_future_usage on a PaymentIntent paid with interac_present), so it refused the request rather than answer as if the card was saved. Present a card_present card instead.").WithParam("type")
	}
	cd, ok := interacCards[number]
	if !ok {
		return nil, nil, apierr.InvalidRequest("Your card number is incorrect: present Stripe's simulated Interac card, %s.", InteracCard).WithParam(param).WithCode("invalid_number")
	}
	cd.Number = number
	return readInto(c, pi, cd, "interac_present", tip)
}

// ConfirmPresentCard confirms pi, whose card a reader collected (a
// reader's confirm_payment_intent), as PresentCard does once the card is
// read.
func ConfirmPresentCard(c *api.Call, pi store.Obj, allowRedisplay string) (store.Obj, *apierr.Error, error) {
	return confirmPresent(c, maps.Clone(pi), allowRedisplay)
}

// readIntoIntent reads the card into a copy of pi: its card_present
// PaymentMethod made, the tip added, the intent awaiting confirmation.
func readIntoIntent(c *api.Call, pi store.Obj, number string, tip int64, param string) (store.Obj, store.Obj, error) {
	cd, err := readCard(number, param)
	if err != nil {
		return nil, nil, err
	}
	return readInto(c, pi, cd, "card_present", tip)
}

// readInto is the card read into a copy of pi: its PaymentMethod of typ
// made, the tip added, the intent awaiting confirmation.
func readInto(c *api.Call, pi store.Obj, cd card, typ string, tip int64) (store.Obj, store.Obj, error) {
	next := maps.Clone(pi) // top-level copy: confirmation sets top-level fields
	if tip > 0 {
		total := api.Int(pi["amount"]) + tip
		if total > currency.MaxAmount {
			return nil, nil, apierr.InvalidRequest("Amount must be no more than %s %s", currency.Format(currency.MaxAmount, api.Str(pi["currency"])), pi["currency"]).WithParam("amount_tip").WithCode("amount_too_large")
		}
		next["amount"] = total
		next["amount_details"] = store.Obj{"tip": store.Obj{"amount": tip}}
	}
	pm, err := newReadMethod(c, cd, typ)
	if err != nil {
		return nil, nil, err
	}
	next["payment_method"] = pm["id"]
	next["status"] = RequiresConfirmation
	return next, pm, nil
}

// confirmPresent confirms next, its card read, as Stripe confirms an
// intent on a reader.
func confirmPresent(c *api.Call, next store.Obj, allowRedisplay string) (store.Obj, *apierr.Error, error) {
	// The generated card a payment asking for setup_future_usage saves
	// (generatePresentCard) is shown again as the reader was told.
	c.SetScratch(scratchPresentRedisplay, allowRedisplay)
	saved := c.Params
	c.Params = params.NewValues(map[string]any{})
	res, err := confirmAs(c, next, false)
	c.Params = saved
	var kept *api.KeptError
	if errors.As(err, &kept) {
		after, _ := c.Tx.Get(c.Account, "payment_intent", api.Str(next["id"]))
		return after, kept.Err, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return res.(store.Obj), nil, nil
}

// newCardPresentMethod stores the card_present PaymentMethod of a test
// card a simulated reader read: single-use, as the API can never pay
// with it again.
func newCardPresentMethod(c *api.Call, cd card) (store.Obj, error) {
	return newReadMethod(c, cd, "card_present")
}

// newReadMethod stores the PaymentMethod of typ (card_present,
// interac_present) of a test card a simulated reader read: single-use.
func newReadMethod(c *api.Call, cd card, typ string) (store.Obj, error) {
	m, y := defaultExpiry(c)
	pm := c.Base("payment_method", c.NewID("payment_method"))
	pm["allow_redisplay"] = "unspecified"
	pm["billing_details"] = store.Obj{"address": emptyAddress(), "email": nil, "name": nil, "phone": nil, "tax_id": nil}
	pm["customer"] = nil
	pm["metadata"] = map[string]any{}
	pm["type"] = typ
	read := store.Obj{
		"brand": cd.Brand, "cardholder_name": nil, "country": cd.Country, "description": nil,
		"exp_month": m, "exp_year": y, "fingerprint": fingerprint(c.Account, cd.Number), "funding": cd.Funding,
		"issuer": nil, "last4": cd.Number[len(cd.Number)-4:], "networks": store.Obj{"available": []any{cd.Brand}, "preferred": nil},
		"preferred_locales": []any{"en"}, "read_method": "contactless_emv",
	}
	if typ == "card_present" {
		read["brand_product"], read["offline"] = nil, nil
	} else {
		// Canada's readers speak both official languages.
		read["preferred_locales"] = []any{"en", "fr"}
	}
	pm[typ] = read
	if err := c.Put(pm); err != nil {
		return nil, err
	}
	if err := c.Tx.SetMeta(metaCard(c.Account, api.Str(pm["id"])), cd.Number); err != nil {
		return nil, err
	}
	return pm, c.Tx.SetMeta(metaUsedUp(c.Account, api.Str(pm["id"])), "1")
}

// amountDeclines are the decline codes Stripe's test mode gives an
// in-person payment whose amount ends in these two digits (Terminal's
// testing guide: "test amounts"); other endings are approved.
var amountDeclines = map[int64]string{
	1: "call_issuer", 5: "generic_decline", 55: "incorrect_pin",
	65: "withdrawal_count_limit_exceeded", 75: "pin_try_exceeded",
}

// amountDecline is the card read for an in-person payment of amount (the
// amount authorized, a tip included): a card that would pay is declined
// when the amount ends in one of Stripe's test decimals. A test card that
// declines keeps its own decline.
func amountDecline(cd card, amount int64) card {
	reason, ok := amountDeclines[amount%100]
	if !ok || (cd.Decline != "" && cd.Outcome != succeeds) {
		return cd
	}
	cd.Outcome, cd.Decline, cd.Reason, cd.Message = declines, "card_declined", reason, declinedMessage
	return cd
}

// readCard is the test card a simulated reader reads: one of Stripe's
// (a "live" number declines in test mode), not one refused.
func readCard(number, param string) (card, error) {
	if err := refuseCard(number, param); err != nil {
		return card{}, err
	}
	cd, ok := lookupCard(number)
	if !ok {
		return card{}, apierr.InvalidRequest("Your card number is incorrect.").WithParam(param).WithCode("invalid_number")
	}
	return cd, nil
}

// cardPresentDetails is a card_present charge's payment_method_details:
// the card as the reader read it. What only a real chip gives (the EMV
// data, cryptogram, verification results) is null.
func cardPresentDetails(pm, pi store.Obj) store.Obj {
	cp := api.Obj(pm["card_present"])
	accountType := map[any]string{"credit": "credit", "debit": "checking", "prepaid": "prepaid"}[cp["funding"]]
	if accountType == "" {
		accountType = "unknown"
	}
	return store.Obj{
		"amount_authorized": pi["amount"], "brand": cp["brand"], "brand_product": nil, "cardholder_name": nil,
		"country": cp["country"], "description": nil, "emv_auth_data": nil, "exp_month": cp["exp_month"],
		"exp_year": cp["exp_year"], "fingerprint": cp["fingerprint"], "funding": cp["funding"], "generated_card": nil,
		"incremental_authorization_supported": incrementalInPerson(pi, cp), "issuer": nil, "last4": cp["last4"], "network": cp["brand"],
		"network_transaction_id": nil, "offline": nil, "overcapture_supported": false, "preferred_locales": []any{"en"},
		"read_method": cp["read_method"],
		"receipt": store.Obj{
			"account_type": accountType, "application_cryptogram": nil, "application_preferred_name": nil,
			"authorization_code": nil, "authorization_response_code": nil, "cardholder_verification_method": nil,
			"dedicated_file_name": nil, "terminal_verification_results": nil, "transaction_status_information": nil,
		},
	}
}

// interacPresentDetails is an interac_present charge's
// payment_method_details: the Interac card as the reader read it, the
// chip's own data null as for card_present.
func interacPresentDetails(pm store.Obj) store.Obj {
	ip := api.Obj(pm["interac_present"])
	return store.Obj{
		"brand": ip["brand"], "cardholder_name": nil, "country": ip["country"], "description": nil, "emv_auth_data": nil,
		"exp_month": ip["exp_month"], "exp_year": ip["exp_year"], "fingerprint": ip["fingerprint"], "funding": ip["funding"],
		"generated_card": nil, "issuer": nil, "last4": ip["last4"], "network": "interac", "network_transaction_id": nil,
		"preferred_locales": ip["preferred_locales"], "read_method": ip["read_method"],
		"receipt": store.Obj{
			"account_type": "checking", "application_cryptogram": nil, "application_preferred_name": nil,
			"authorization_code": nil, "authorization_response_code": nil, "cardholder_verification_method": nil,
			"dedicated_file_name": nil, "terminal_verification_results": nil, "transaction_status_information": nil,
		},
	}
}

// confirmInterac charges an Interac card read in person: no 3-D Secure,
// the test amounts' declines as for card_present.
func confirmInterac(c *api.Call, before, pi, pm store.Obj) (any, error) {
	number, _ := c.Tx.GetMeta(metaCard(c.Account, api.Str(pm["id"])))
	cd := interacCards[number]
	cd.Number = number
	return charge(c, before, pi, pm, amountDecline(cd, api.Int(pi["amount"])))
}

// incrementalPresentBrands are the card brands Stripe's Terminal guide
// offers incremental authorization on.
var incrementalPresentBrands = map[any]bool{"visa": true, "mastercard": true, "amex": true, "discover": true}

// incrementalInPerson is a card_present charge's
// incremental_authorization_supported: the intent captures manually,
// asked for support (request_incremental_authorization_support), and the
// card's brand offers it.
func incrementalInPerson(pi, cp store.Obj) bool {
	opts := api.Obj(api.Obj(pi["payment_method_options"])["card_present"])
	return captureMethodFor(pi, "card_present") == "manual" && api.Bool(opts["request_incremental_authorization_support"]) &&
		incrementalPresentBrands[cp["brand"]]
}

// CardPresentOptionsRefused refuses an intent asking for an extended
// authorization of an in-person payment, which is not emulated
// (incremental authorization is).
func CardPresentOptionsRefused(pi store.Obj) error {
	opts := api.Obj(api.Obj(pi["payment_method_options"])["card_present"])
	if api.Bool(opts["request_extended_authorization"]) {
		return apierr.InvalidRequest("stripe-emu does not emulate `payment_method_options[card_present][request_extended_authorization]` (extended authorizations of in-person payments), so it refused to process this PaymentIntent rather than answer as if the reader had it. Process it without the option.").WithParam("payment_intent")
	}
	return nil
}

// PaysOnlyOnReader reports whether an intent lists only types a reader
// pays with.
func PaysOnlyOnReader(pi store.Obj) bool {
	types, _ := pi["payment_method_types"].([]any)
	for _, t := range types {
		if !readerTypes[api.Str(t)] {
			return false
		}
	}
	return len(types) > 0
}

// ReaderCanPay reports whether an intent lists card_present or
// interac_present.
func ReaderCanPay(pi store.Obj) bool {
	return listsType(pi, "card_present") || listsType(pi, "interac_present")
}

// RefundWith refunds as POST /v1/refunds would with raw parameters
// (charge or payment_intent, amount, reason, metadata…): what a reader's
// refund_payment action does once the card is presented.
func RefundWith(c *api.Call, raw map[string]any) (store.Obj, error) {
	saved := c.Params
	c.SetScratch(scratchInPersonRefund, true)
	defer func() { c.Params = saved; c.SetScratch(scratchInPersonRefund, nil) }()
	c.Params = params.NewValues(raw)
	res, err := createRefund(c)
	if err != nil {
		return nil, err
	}
	return res.(store.Obj), nil
}

// scratchInPersonRefund marks a refund a reader makes (RefundWith): the
// only way an Interac payment is refunded.
const scratchInPersonRefund = "payments.in_person_refund"

// PresentCardForSetup saves the test card number a simulated reader reads
// for si, a SetupIntent listing card_present, as Stripe saves a card read
// in person: the card_present PaymentMethod sets the intent up, and a
// generated card PaymentMethod (allowRedisplay, attached to the intent's
// customer) is what later payments use, named by the attempt's
// payment_method_details.card_present.generated_card. It answers the
// intent, the generated card's id, and the decline when the card
// declined (the failed attempt and setup_intent.setup_failed kept).
func PresentCardForSetup(c *api.Call, before store.Obj, number, allowRedisplay, param string) (store.Obj, string, *apierr.Error, error) {
	cd, err := readCard(number, param)
	if err != nil {
		return nil, "", nil, err
	}
	pm, err := newCardPresentMethod(c, cd)
	if err != nil {
		return nil, "", nil, err
	}
	si := api.Clone(before)
	si["payment_method"] = pm["id"]
	si["last_setup_error"] = nil
	si["next_action"] = nil
	att := newSetupAttempt(c, si, pm)
	if cd.Outcome == declines {
		e := declineOf(cd)
		e.PaymentMethod = pm
		lse := lastPaymentError(e, pm)
		si["status"], si["last_setup_error"], si["payment_method"] = RequiresPaymentMethod, lse, nil
		att["status"], att["setup_error"] = "failed", lse
		if err := c.Put(att); err != nil {
			return nil, "", nil, err
		}
		if err := c.Put(si); err != nil {
			return nil, "", nil, err
		}
		c.Emit("setup_intent.setup_failed", si, nil)
		return si, "", e, nil
	}
	gen, err := newGeneratedCard(c, cd, pm, allowRedisplay, api.Str(si["customer"]), store.Obj{"charge": nil, "setup_attempt": att["id"],
		"payment_method_details": store.Obj{"type": "card_present", "card_present": cardPresentDetails(pm, store.Obj{"amount": nil})}})
	if err != nil {
		return nil, "", nil, err
	}
	att["payment_method_details"] = store.Obj{"type": "card_present",
		"card_present": store.Obj{"generated_card": gen["id"], "offline": nil}}
	res, err := finishSetup(c, si, att)
	if err != nil {
		return nil, "", nil, err
	}
	return res.(store.Obj), api.Str(gen["id"]), nil, nil
}

// ReaderCanSetUp reports whether a SetupIntent lists card_present.
func ReaderCanSetUp(si store.Obj) bool { return listsType(si, "card_present") }

// newGeneratedCard stores the reusable card PaymentMethod Stripe generates
// from a card read in person (pm, card_present): shown again as
// allowRedisplay says ("unspecified" when empty), generated_from the
// payment or setup attempt, attached to customer when there is one, and
// set up for later off-session payments.
func newGeneratedCard(c *api.Call, cd card, pm store.Obj, allowRedisplay, customer string, from store.Obj) (store.Obj, error) {
	if allowRedisplay == "" {
		allowRedisplay = "unspecified"
	}
	m, y := defaultExpiry(c)
	gen := cardPaymentMethodObject(c, c.NewID("payment_method"), cd, m, y, api.Clone(api.Obj(pm["billing_details"])))
	gen["allow_redisplay"] = allowRedisplay
	card := api.Obj(gen["card"])
	card["checks"] = store.Obj{"address_line1_check": nil, "address_postal_code_check": nil, "cvc_check": nil}
	card["generated_from"] = from
	if err := c.Put(gen); err != nil {
		return nil, err
	}
	if err := c.Tx.SetMeta(metaCard(c.Account, api.Str(gen["id"])), cd.Number); err != nil {
		return nil, err
	}
	if customer != "" {
		if _, err := attach(c, gen, customer, "customer"); err != nil {
			return nil, err
		}
	}
	return gen, c.Tx.SetMeta(metaSetUp(c.Account, api.Str(gen["id"])), "1")
}

// scratchPresentRedisplay carries, through a reader's confirmation, the
// allow_redisplay of the card a payment saves (process_config).
const scratchPresentRedisplay = "payments.present_redisplay"

// generatePresentCard saves the card of a successful in-person payment
// whose intent asks for setup_future_usage, as Stripe's Terminal guide
// has it: a generated card PaymentMethod, attached to the intent's
// customer if any, named by the charge's
// payment_method_details.card_present.generated_card. The card_present
// PaymentMethod itself is never attached.
func generatePresentCard(c *api.Call, pi, pm, ch store.Obj) error {
	if futureUsage(pi, pm) == nil {
		return nil
	}
	redisplay, _ := c.Scratch(scratchPresentRedisplay).(string)
	pmd := api.Clone(api.Obj(ch["payment_method_details"]))
	cp := api.Obj(pmd["card_present"])
	gen, err := newGeneratedCard(c, cardOf(c, pm), pm, redisplay, api.Str(pi["customer"]), store.Obj{"charge": ch["id"], "setup_attempt": nil,
		"payment_method_details": store.Obj{"type": "card_present", "card_present": api.Clone(cp)}})
	if err != nil {
		return err
	}
	cp["generated_card"] = gen["id"]
	ch["payment_method_details"] = pmd
	return nil
}
