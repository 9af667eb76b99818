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
// Terminal reader pays with.
var readerTypes = map[string]bool{"card_present": true}

// CardPresentCaptureDays is how long an uncaptured in-person card payment
// holds its funds: Stripe has in-person authorizations captured within
// two days.
const CardPresentCaptureDays = 2

// PresentCard pays pi with the test card number read by a simulated
// reader, as the reader confirms the intent: a card_present PaymentMethod
// is made, a tip (amount_tip) added to the amount, and the intent
// confirmed. It answers the intent after the attempt and, when the card
// declined, the decline (whose charge, intent and events are kept).
func PresentCard(c *api.Call, pi store.Obj, number string, tip int64, param string) (store.Obj, *apierr.Error, error) {
	if err := refuseCard(number, param); err != nil {
		return nil, nil, err
	}
	cd, ok := lookupCard(number)
	if !ok {
		return nil, nil, apierr.InvalidRequest("Your card number is incorrect.").WithParam(param).WithCode("invalid_number")
	}
	next := maps.Clone(pi) // top-level copy: confirmation sets top-level fields
	if tip > 0 {
		total := api.Int(pi["amount"]) + tip
		if total > currency.MaxAmount {
			return nil, nil, apierr.InvalidRequest("Amount must be no more than %s %s", currency.Format(currency.MaxAmount, api.Str(pi["currency"])), pi["currency"]).WithParam("amount_tip").WithCode("amount_too_large")
		}
		next["amount"] = total
		next["amount_details"] = store.Obj{"tip": store.Obj{"amount": tip}}
	}
	m, y := defaultExpiry(c)
	pm := c.Base("payment_method", c.NewID("payment_method"))
	pm["allow_redisplay"] = "unspecified"
	pm["billing_details"] = store.Obj{"address": emptyAddress(), "email": nil, "name": nil, "phone": nil, "tax_id": nil}
	pm["customer"] = nil
	pm["metadata"] = map[string]any{}
	pm["type"] = "card_present"
	pm["card_present"] = store.Obj{
		"brand": cd.Brand, "brand_product": nil, "cardholder_name": nil, "country": cd.Country, "description": nil,
		"exp_month": m, "exp_year": y, "fingerprint": fingerprint(c.Account, cd.Number), "funding": cd.Funding,
		"issuer": nil, "last4": cd.Number[len(cd.Number)-4:], "networks": store.Obj{"available": []any{cd.Brand}, "preferred": nil},
		"offline": nil, "preferred_locales": []any{"en"}, "read_method": "contactless_emv",
	}
	if err := c.Put(pm); err != nil {
		return nil, nil, err
	}
	if err := c.Tx.SetMeta(metaCard(c.Account, api.Str(pm["id"])), cd.Number); err != nil {
		return nil, nil, err
	}
	// A card read in person pays once: the API cannot use it again.
	if err := c.Tx.SetMeta(metaUsedUp(c.Account, api.Str(pm["id"])), "1"); err != nil {
		return nil, nil, err
	}
	next["payment_method"] = pm["id"]
	next["status"] = RequiresConfirmation
	saved := c.Params
	c.Params = params.NewValues(map[string]any{})
	res, err := confirmAs(c, next, false)
	c.Params = saved
	var kept *api.KeptError
	if errors.As(err, &kept) {
		after, _ := c.Tx.Get(c.Account, "payment_intent", api.Str(pi["id"]))
		return after, kept.Err, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return res.(store.Obj), nil, nil
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
		"incremental_authorization_supported": false, "issuer": nil, "last4": cp["last4"], "network": cp["brand"],
		"network_transaction_id": nil, "offline": nil, "overcapture_supported": false, "preferred_locales": []any{"en"},
		"read_method": cp["read_method"],
		"receipt": store.Obj{
			"account_type": accountType, "application_cryptogram": nil, "application_preferred_name": nil,
			"authorization_code": nil, "authorization_response_code": nil, "cardholder_verification_method": nil,
			"dedicated_file_name": nil, "terminal_verification_results": nil, "transaction_status_information": nil,
		},
	}
}

// CardPresentSavingRefused refuses an intent that would save the card it
// is paid with: Stripe saves a card read in person as a generated card
// PaymentMethod, which is not emulated.
func CardPresentSavingRefused(pi store.Obj) error {
	usage := pi["setup_future_usage"]
	if v := api.Obj(api.Obj(pi["payment_method_options"])["card_present"])["setup_future_usage"]; v != nil {
		usage = v
	}
	if usage == nil || usage == "none" {
		return nil
	}
	return apierr.InvalidRequest("stripe-emu does not emulate saving a card read by a Terminal reader (`setup_future_usage` on a card_present payment, which Stripe saves as a generated card PaymentMethod), so it refused the request rather than answer as if it had. Process the payment without `setup_future_usage`.").WithParam("payment_intent")
}

// CardPresentOptionsRefused refuses an intent asking for what in-person
// card payments offer beyond a plain authorization: extended and
// incremental authorizations of card_present payments are not emulated.
func CardPresentOptionsRefused(pi store.Obj) error {
	opts := api.Obj(api.Obj(pi["payment_method_options"])["card_present"])
	for _, o := range []string{"request_extended_authorization", "request_incremental_authorization_support"} {
		if api.Bool(opts[o]) {
			return apierr.InvalidRequest("stripe-emu does not emulate `payment_method_options[card_present][%s]` (extended and incremental authorizations of in-person payments), so it refused to process this PaymentIntent rather than answer as if the reader had it. Process it without the option.", o).WithParam("payment_intent")
		}
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

// ReaderCanPay reports whether an intent lists card_present.
func ReaderCanPay(pi store.Obj) bool {
	types, _ := pi["payment_method_types"].([]any)
	for _, t := range types {
		if t == "card_present" {
			return true
		}
	}
	return false
}

// RefundWith refunds as POST /v1/refunds would with raw parameters
// (charge or payment_intent, amount, reason, metadata…): what a reader's
// refund_payment action does once the card is presented.
func RefundWith(c *api.Call, raw map[string]any) (store.Obj, error) {
	saved := c.Params
	defer func() { c.Params = saved }()
	c.Params = params.NewValues(raw)
	res, err := createRefund(c)
	if err != nil {
		return nil, err
	}
	return res.(store.Obj), nil
}
