package api

import "github.com/stripe-emu/stripe-emu/emulator/internal/store"

// ClientView is an answer to a publishable key: Result, rendered (and
// expanded) as for a secret key, then cut to the fields Stripe shows
// client-side (the API reference's "retrievable with publishable key"),
// as a PaymentIntent or SetupIntent retrieved or confirmed by Stripe.js
// with its client secret is.
type ClientView struct {
	Result any
	Fields []string
}

func (v ClientView) restrict(o store.Obj) store.Obj {
	return Restrict(o, v.Fields)
}

// Restrict is o with only fields (and object), for a ClientView and for
// the intent a refusal carries (error.payment_intent) when a publishable
// key made the request.
func Restrict(o map[string]any, fields []string) store.Obj {
	out := store.Obj{"object": o["object"]}
	for _, f := range fields {
		if v, ok := o[f]; ok {
			out[f] = v
		}
	}
	return out
}
