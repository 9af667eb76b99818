package payments

import (
	"reflect"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// shownFields are, per payment method type, the options an intent shows
// (the fields of stripe-go's PaymentIntentPaymentMethodOptions<Type> or
// SetupIntentPaymentMethodOptions<Type>). The others a request may send —
// P24's tos_shown_and_accepted, PayPal's risk_correlation_id, a card's
// moto or cvc_token, ACH's networks, Klarna's on_demand — act on that
// request (or are not emulated) and Stripe's intents never show them.
type shownFields map[string]map[string]bool

var (
	paymentShownOptions = optionFieldsOf(stripe.PaymentIntentPaymentMethodOptions{})
	setupShownOptions   = optionFieldsOf(stripe.SetupIntentPaymentMethodOptions{})
)

func optionFieldsOf(v any) shownFields {
	out := shownFields{}
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		f := t.Field(i)
		typ := jsonName(f)
		elem := f.Type
		if elem.Kind() == reflect.Pointer {
			elem = elem.Elem()
		}
		if typ == "" || elem.Kind() != reflect.Struct {
			continue
		}
		fields := map[string]bool{}
		for j := range elem.NumField() {
			if name := jsonName(elem.Field(j)); name != "" {
				fields[name] = true
			}
		}
		out[typ] = fields
	}
	return out
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// shown is opts without what the intent does not show (opts is left
// as it is); a type stripe-go does not know keeps all it was given.
func (s shownFields) shown(opts store.Obj) store.Obj {
	if opts == nil {
		return nil
	}
	out := make(store.Obj, len(opts))
	for typ, v := range opts {
		known, ok := s[typ]
		o, isObj := v.(map[string]any)
		if !ok || !isObj {
			out[typ] = v
			continue
		}
		kept := make(store.Obj, len(o))
		for k, f := range o {
			if known[k] {
				kept[k] = f
			}
		}
		out[typ] = kept
	}
	return out
}
