package payments

import (
	"errors"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
)

// Stripe.js calls the API with the account's publishable key: it creates
// PaymentMethods and tokens from the card details the customer typed, and
// retrieves and confirms the PaymentIntent or SetupIntent whose client
// secret the server handed to the page. Those routes are marked
// Publishable; every other one refuses a publishable key in the pipeline.

// publishable marks a route Stripe also answers for a publishable key.
func publishable(r api.Route) api.Route {
	r.Publishable = true
	return r
}

// intentClientFields and setupClientFields are what Stripe shows of an
// intent to a publishable key (the object reference's "retrievable with
// publishable key"): no customer, metadata, charges or amounts received.
var intentClientFields = []string{
	"id", "amount", "automatic_payment_methods", "canceled_at", "cancellation_reason", "capture_method",
	"client_secret", "confirmation_method", "created", "currency", "description", "last_payment_error",
	"livemode", "next_action", "payment_method", "payment_method_configuration_details",
	"payment_method_types", "processing", "receipt_email", "setup_future_usage", "shipping", "status",
}

var setupClientFields = []string{
	"id", "automatic_payment_methods", "cancellation_reason", "client_secret", "created", "description",
	"last_setup_error", "livemode", "next_action", "payment_method", "payment_method_configuration_details",
	"payment_method_types", "status", "usage",
}

// intentSide says how one kind of intent is shown to a publishable key.
type intentSide struct {
	object, name string // payment_intent, PaymentIntent
	code         string // the mismatch's error code
	fields       []string
}

var (
	paymentSide = intentSide{"payment_intent", "PaymentIntent", "payment_intent_invalid_parameter", intentClientFields}
	setupSide   = intentSide{"setup_intent", "SetupIntent", "setup_intent_invalid_parameter", setupClientFields}
)

// withClientSecret runs h, an intent's retrieve or confirm, for a
// publishable key only with the intent's client_secret, answering the
// client-side view; a client_secret sent with a secret key must match
// too. Without one, a publishable key is refused as on any secret-key
// route; with another intent's, Stripe's mismatch error.
func withClientSecret(side intentSide, h func(*api.Call) (any, error)) func(*api.Call) (any, error) {
	return clientSecretChecked(side, false, h)
}

// confirmWithClientSecret is withClientSecret for a confirm, which Stripe
// refuses to a publishable key when the PaymentIntent is to be confirmed
// on the server (confirmation_method manual).
func confirmWithClientSecret(side intentSide, h func(*api.Call) (any, error)) func(*api.Call) (any, error) {
	return clientSecretChecked(side, true, h)
}

func clientSecretChecked(side intentSide, confirming bool, h func(*api.Call) (any, error)) func(*api.Call) (any, error) {
	return func(c *api.Call) (any, error) {
		secret, sent := c.Params.Str("client_secret")
		if c.Publishable && !sent {
			return nil, api.PublishableRefused()
		}
		if sent {
			intent, err := c.Load(side.object, c.Var("id"), "id")
			if err != nil {
				return nil, err
			}
			if secret != api.Str(intent["client_secret"]) {
				e := apierr.InvalidRequest("The client_secret provided does not match any associated %s on this account. Ensure the publishable key used belongs to the same account that created the %s.", side.name, side.name)
				return nil, e.WithCode(side.code).WithParam("client_secret")
			}
			if confirming && c.Publishable && intent["confirmation_method"] == "manual" {
				// Stripe's words (quoted in stripe/stripe-php#1109).
				return nil, apierr.InvalidRequest("This PaymentIntent %s cannot be confirmed using your publishable key because its `confirmation_method` is set to `manual`. Please use your secret key instead, or create a PaymentIntent with `confirmation_method` set to `automatic`.", intent["id"])
			}
		}
		res, err := h(c)
		if !c.Publishable {
			return res, err
		}
		if err != nil {
			restrictRefusal(err, side)
			return nil, err
		}
		return api.ClientView{Result: res, Fields: side.fields}, nil
	}
}

// restrictRefusal cuts the intent a refusal carries (a decline's
// error.payment_intent) to the client-side view.
func restrictRefusal(err error, side intentSide) {
	var e *apierr.Error
	var kept *api.KeptError
	switch {
	case errors.As(err, &kept):
		e = kept.Err
	case errors.As(err, &e):
	default:
		return
	}
	if e.PaymentIntent != nil {
		e.PaymentIntent = api.Restrict(e.PaymentIntent, intentClientFields)
	}
	if e.SetupIntent != nil {
		e.SetupIntent = api.Restrict(e.SetupIntent, setupClientFields)
	}
}
