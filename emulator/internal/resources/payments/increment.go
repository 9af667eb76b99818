package payments

import (
	"strconv"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Incremental authorization: a manual-capture card payment confirmed with
// payment_method_options[card][request_incremental_authorization]=
// if_available, on a card of a brand that offers it, may raise its
// authorization before capture (POST …/increment_authorization).

// incrementalBrands are the card brands Stripe offers incremental
// authorization on.
var incrementalBrands = map[any]bool{"visa": true, "mastercard": true, "amex": true, "discover": true, "unionpay": true}

// maxIncrements is Stripe's limit of incremental authorization attempts
// per PaymentIntent.
const maxIncrements = 10

func metaIncrements(acct, pi string) string { return "increments:" + acct + ":" + pi }

// cardRequestOptions are the card's flexible authorization requests, each
// if_available or never.
var cardRequestOptions = []string{"request_extended_authorization", "request_incremental_authorization", "request_multicapture", "request_overcapture"}

// checkIntentMethodOptions checks the payment_method_options the emulator
// acts on (copied whole onto the intent): the card request options and
// us_bank_account[verification_method] must be among Stripe's values.
func checkIntentMethodOptions(c *api.Call) error {
	if !c.Params.Has("payment_method_options") {
		return nil // most intents send none: no paths built for them
	}
	for _, name := range cardRequestOptions {
		path := "payment_method_options.card." + name
		v, ok := c.Params.Str(path)
		if !ok || v == "" {
			continue
		}
		param := "payment_method_options[card][" + name + "]"
		if v != "if_available" && v != "never" {
			return apierr.InvalidRequest("Invalid %s: must be one of if_available or never", param).WithParam(param)
		}
	}
	if err := checkVoucherOptions(c); err != nil {
		return err
	}
	if c.Params.Has("payment_method_options.blik") {
		if err := checkBlikCode(c); err != nil {
			return err
		}
	}
	if c.Params.Has("payment_method_options.pix") {
		if err := checkPixOptions(c); err != nil {
			return err
		}
	}
	if v, ok := c.Params.Str("payment_method_options.us_bank_account.verification_method"); ok && v != "" {
		if v != "automatic" && v != "instant" && v != "microdeposits" {
			param := "payment_method_options[us_bank_account][verification_method]"
			return apierr.InvalidRequest("Invalid %s: must be one of automatic, instant, or microdeposits", param).WithParam(param)
		}
	}
	return nil
}

// incrementalAuthorization is a card charge's
// incremental_authorization.status: available when the intent captures
// manually, asked for it, and the card's brand offers it.
func incrementalAuthorization(pi, cd store.Obj) string {
	opts := api.Obj(api.Obj(pi["payment_method_options"])["card"])
	if captureMethodFor(pi, "card") == "manual" && opts["request_incremental_authorization"] == "if_available" && incrementalBrands[cd["brand"]] {
		return "available"
	}
	return "unavailable"
}

// incrementAuthorization is POST /v1/payment_intents/{id}/increment_authorization:
// it raises the authorized amount (amount and amount_capturable) of an
// uncaptured card payment whose charge offers it, with charge.updated and
// payment_intent.amount_capturable_updated.
func incrementAuthorization(c *api.Call) (any, error) {
	if err := checkIntentStrings(c); err != nil {
		return nil, err
	}
	before, err := loadIntent(c)
	if err != nil {
		return nil, err
	}
	if before["status"] != RequiresCapture {
		e := apierr.InvalidRequest("This PaymentIntent could not be incremented because it has a status of %s. Only a PaymentIntent with one of the following statuses may be incremented: requires_capture.", before["status"])
		return nil, aboutIntent(e.WithCode("payment_intent_unexpected_state"), before)
	}
	if api.Int(before["amount_received"]) > 0 {
		// Stripe's docs: the intent must be wholly uncaptured; once part
		// of it was captured with multicapture it can no longer be
		// incremented (the wording is the emulator's).
		e := apierr.InvalidRequest("This PaymentIntent could not be incremented because part of it has already been captured. Incremental authorization is only available on a PaymentIntent that is completely uncaptured.")
		return nil, aboutIntent(e.WithCode("payment_intent_unexpected_state"), before)
	}
	chBefore, _ := c.Tx.Get(c.Account, "charge", api.Str(before["latest_charge"]))
	pmdBefore := api.Obj(chBefore["payment_method_details"])
	card := api.Obj(pmdBefore["card"])
	inPerson := api.Bool(api.Obj(pmdBefore["card_present"])["incremental_authorization_supported"])
	if api.Obj(card["incremental_authorization"])["status"] != "available" && !inPerson {
		return nil, apierr.InvalidRequest("Incremental authorization is not available for this PaymentIntent: its charge's `payment_method_details.card.incremental_authorization.status` is not `available`. Confirm a manually captured card payment with `payment_method_options[card][request_incremental_authorization]=if_available` to request it.").
			WithCode("payment_intent_unexpected_state")
	}
	amount, _ := c.Params.Int("amount")
	current := api.Int(before["amount"])
	if amount <= current {
		return nil, apierr.InvalidRequest("The amount provided (%d) must be greater than the PaymentIntent's currently authorized amount (%d).", amount, current).WithParam("amount")
	}
	if err := checkAmount(c, amount, api.Str(before["currency"])); err != nil {
		return nil, err
	}
	key := metaIncrements(c.Account, api.Str(before["id"]))
	prev, _ := c.Tx.GetMeta(key)
	done, _ := strconv.Atoi(prev)
	if done >= maxIncrements {
		return nil, apierr.InvalidRequest("This PaymentIntent has reached the maximum of %d incremental authorization attempts.", maxIncrements).WithCode("payment_intent_unexpected_state")
	}
	if err := c.Tx.SetMeta(key, strconv.Itoa(done+1)); err != nil {
		return nil, err
	}
	pi := api.Clone(before)
	pi["amount"] = amount
	pi["amount_capturable"] = amount
	c.Copy(pi, "description", "statement_descriptor")
	if err := c.ApplyMetadata(pi); err != nil {
		return nil, err
	}
	if err := applyConnect(c, pi); err != nil {
		return nil, err
	}
	ch := api.Clone(chBefore)
	ch["amount"] = amount
	ch["application_fee_amount"] = pi["application_fee_amount"]
	ch["description"] = pi["description"]
	ch["statement_descriptor"] = pi["statement_descriptor"]
	ch["transfer_data"] = chargeTransferData(pi)
	pmd := api.Clone(api.Obj(ch["payment_method_details"]))
	if inPerson {
		api.Obj(pmd["card_present"])["amount_authorized"] = amount
	} else {
		cd := api.Obj(pmd["card"])
		cd["overcapture"] = overcapture(pi, cd, amount)
		cd["amount_authorized"] = amount
	}
	ch["payment_method_details"] = pmd
	if err := c.Save(chBefore, ch); err != nil {
		return nil, err
	}
	// Stripe tells of the new amount with this one event (no status moved).
	if err := c.PutEmit(pi, "payment_intent.amount_capturable_updated", nil); err != nil {
		return nil, err
	}
	return pi, nil
}
