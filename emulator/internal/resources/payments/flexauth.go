package payments

import (
	"strconv"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Flexible authorization of manually captured card payments, beside
// incremental authorization (increment.go): a PaymentIntent confirmed with
// payment_method_options[card][request_extended_authorization],
// [request_overcapture] or [request_multicapture] = if_available, on a
// card of a brand that offers them, may be captured up to 30 days later,
// above its amount, or several times. Its charge shows what it got
// (payment_method_details.card.extended_authorization, overcapture,
// multicapture) and until when it can be captured (capture_before); the
// authorization expires then, on the emulator clock (intentExpiryTimer).

// flexibleBrands are the card brands Stripe offers extended
// authorization, overcapture and multicapture on.
var flexibleBrands = map[any]bool{"visa": true, "mastercard": true, "amex": true, "discover": true}

// ExtendedCaptureDays is how long an extended authorization can be
// captured (Stripe's "up to 30 days").
const ExtendedCaptureDays = 30

// maxCaptures is how many times Stripe lets one PaymentIntent be captured
// with multicapture.
const maxCaptures = 50

// overcapturePercent is how far above the authorized amount each brand
// lets an online payment be captured, for merchants outside the categories
// (restaurants, taxis, lodging…) whose limits differ; the emulator knows
// no merchant category.
var overcapturePercent = map[any]int64{"visa": 15, "mastercard": 20, "amex": 15, "discover": 15}

// requested reports whether the intent asked for a card option
// (request_extended_authorization…) on a manual capture, the only kind
// these options apply to.
func requested(pi store.Obj, option string) bool {
	if captureMethodFor(pi, "card") != "manual" {
		return false
	}
	return api.Obj(api.Obj(pi["payment_method_options"])["card"])[option] == "if_available"
}

// extendedAuthorization is a card charge's
// extended_authorization.status.
func extendedAuthorization(pi, cd store.Obj) string {
	if requested(pi, "request_extended_authorization") && flexibleBrands[cd["brand"]] {
		return "enabled"
	}
	return "disabled"
}

// multicapture is a card charge's multicapture.status.
func multicapture(pi, cd store.Obj) string {
	if requested(pi, "request_multicapture") && flexibleBrands[cd["brand"]] {
		return "available"
	}
	return "unavailable"
}

// overcapture is a card charge's overcapture: when available, the most
// that can be captured of an authorization of amount is the brand's
// percentage above it (rounded down); otherwise the amount itself.
func overcapture(pi, cd store.Obj, amount int64) store.Obj {
	if requested(pi, "request_overcapture") && flexibleBrands[cd["brand"]] {
		return store.Obj{"maximum_amount_capturable": amount + amount*overcapturePercent[cd["brand"]]/100, "status": "available"}
	}
	return store.Obj{"maximum_amount_capturable": amount, "status": "unavailable"}
}

// visaMerchantInitiatedWindow is how long Visa holds a merchant-initiated
// (off-session) online authorization: Stripe's docs give 5 days, exactly
// 4 days and 18 hours to leave time for clearing.
const visaMerchantInitiatedWindow = 4*86400 + 18*3600

// setCaptureBefore gives an uncaptured card charge of a PaymentIntent its
// capture_before: seven days from now (Visa's merchant-initiated window
// when confirmed off-session), thirty with extended authorization. The
// intent's authorization expires then.
func setCaptureBefore(c *api.Call, ch store.Obj) {
	cd := api.Obj(api.Obj(ch["payment_method_details"])["card"])
	window := int64(CaptureWindowDays) * 86400
	offSession := confirmedOffSession(c)
	switch {
	case api.Obj(cd["extended_authorization"])["status"] == "enabled":
		window = ExtendedCaptureDays * 86400
	case offSession && cd["brand"] == "visa":
		window = visaMerchantInitiatedWindow
	}
	cd["capture_before"] = c.Now + window
}

// intentExpiryKey schedules the end of an uncaptured PaymentIntent's
// authorization.
func intentExpiryKey(acct, pi string) string { return "piexpiry:" + acct + ":" + pi }

// scheduleIntentExpiry records when the intent's authorization expires:
// a card's capture_before, shown on its charge. Other methods that hold
// funds (Klarna, Affirm, Afterpay / Clearpay, PayPal) show no such field;
// their hold lasts the API reference's default seven days (their own
// windows are not emulated).
func scheduleIntentExpiry(c *api.Call, pi, ch store.Obj) error {
	pmd := api.Obj(ch["payment_method_details"])
	until := api.Int(api.Obj(pmd["card"])["capture_before"])
	if pmd["type"] == "card_present" {
		until = api.Int(api.Obj(pmd["card_present"])["capture_before"])
	}
	if until == 0 {
		until = c.Now + CaptureWindowDays*86400
	}
	return c.Tx.SetMeta(intentExpiryKey(c.Account, api.Str(pi["id"])), strconv.FormatInt(until, 10))
}

// metaCaptures counts a multicaptured intent's captures.
func metaCaptures(acct, pi string) string { return "captures:" + acct + ":" + pi }

// intentExpiryTimer releases what is left of an uncaptured PaymentIntent's
// authorization at its charge's capture_before (charge.expired): an intent
// nothing was captured of is canceled (cancellation_reason expired, as
// basil names it; payment_intent.canceled); one partly captured with
// multicapture keeps what it captured and succeeds
// (payment_intent.succeeded).
var intentExpiryTimer = metaTimer("payment_intent", intentExpiryKey, intentExpiryWork)

func intentExpiryWork(account, id string, at int64) api.Due {
	return api.Due{At: at, Account: account, About: store.Ref{Type: "payment_intent", ID: id}, Kind: "payment_intent_expiry", Run: func(c *api.Call) error {
		c.Tx.DeleteMeta(intentExpiryKey(account, id))
		before, ok := c.Tx.Get(account, "payment_intent", id)
		if !ok || before["status"] != RequiresCapture {
			return nil
		}
		pi := api.Clone(before)
		pi["amount_capturable"] = int64(0)
		event := "payment_intent.succeeded"
		if api.Int(pi["amount_received"]) == 0 {
			pi["status"] = Canceled
			pi["canceled_at"] = c.Now
			// expired, not automatic: 2025-03-31.basil replaced automatic
			// (which older recorded answers show) for a lapsed authorization.
			pi["cancellation_reason"] = "expired"
			event = "payment_intent.canceled"
		} else {
			pi["status"] = Succeeded
		}
		if ch, ok := c.Tx.Get(account, "charge", api.Str(pi["latest_charge"])); ok {
			// The charge itself does not change (no Refund, amount_refunded
			// and refunded untouched, since 2025-03-31.basil); the event
			// tells of the release.
			c.Emit("charge.expired", ch, nil)
		}
		if pi["status"] == Canceled {
			if err := releaseAuthorization(c, pi); err != nil {
				return err
			}
		}
		c.Tx.DeleteMeta(metaCaptures(account, id))
		return saveIntentEmitting(c, before, pi, event)
	}}
}

// releaseAuthorization is what canceling an uncaptured PaymentIntent (pi,
// status canceled, by request, by its invoice or by expiry) does beyond
// the intent. Since 2025-03-31.basil no Refund is made and the charge is
// left as it was: amount_captured 0, amount_refunded 0, refunded false, no
// charge.refunded. What later refuses a refund of that charge is the
// intent's canceled status (createRefund). An open Radar review of the
// payment closes, canceled.
func releaseAuthorization(c *api.Call, pi store.Obj) error {
	pi["amount_capturable"] = int64(0)
	c.Tx.DeleteMeta(intentExpiryKey(c.Account, api.Str(pi["id"])))
	ch, ok := c.Tx.Get(c.Account, "charge", api.Str(pi["latest_charge"]))
	if !ok {
		return nil
	}
	return closeReview(c, ch, "canceled")
}
