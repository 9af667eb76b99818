package emulator

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// List returns every live object of a type ("customer", "price", …) in an
// account ("" = platform), as GET renders each, in id order: creation
// order, but for ids chosen by the caller (a product's, a coupon's), which
// sort by their text. The type is the objects' "object" field, singular;
// List panics on a name no object has, or an account id the emulator
// never made, as Count does.
func (e *Emulator) List(account, object string) []Object {
	if err := CheckObjectType(object); err != nil {
		panic("stripe-emu: List: " + err.Error())
	}
	account = e.knownAccount("List", account)
	var out []Object
	_ = e.env.Store.View(func(tx *store.Tx) error {
		tx.Each(account, object, func(o store.Obj) bool {
			if !api.Bool(o["deleted"]) {
				out = append(out, e.env.Registry.Shown(o))
			}
			return true
		})
		return nil
	})
	return out
}

// GetAs returns an object by id from an account ("" = platform) decoded
// into its stripe-go type, as GET would answer it:
//
//	pi, err := emulator.GetAs[stripe.PaymentIntent](emu, "", piID)
//
// It is an error when no such object or account exists, or when the object is not of
// T's kind (a PaymentIntent's id asked for as a stripe.Customer), so a
// typo'd id fails the test rather than decoding into zero values.
func GetAs[T any](e *Emulator, account, id string) (*T, error) {
	if err := e.checkAccount(account); err != nil {
		return nil, fmt.Errorf("stripe-emu: GetAs: %w", err)
	}
	o, ok := e.GetIn(account, id)
	if !ok {
		where := "the platform account"
		if account != "" {
			where = "account " + account
		}
		return nil, fmt.Errorf("stripe-emu: GetAs: no object %q in %s", id, where)
	}
	return decodeAs[T](o)
}

// ListAs is List decoded into stripe-go types:
//
//	subs, err := emulator.ListAs[stripe.Subscription](emu, "", "subscription")
//
// It panics on a type name no object has, as List does, and is an error
// when T is not the stripe-go type of that object.
func ListAs[T any](e *Emulator, account, object string) ([]*T, error) {
	objs := e.List(account, object)
	out := make([]*T, 0, len(objs))
	for _, o := range objs {
		v, err := decodeAs[T](o)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// decodeAs decodes o into a T. T must not be the stripe-go type of another
// kind of object: a PaymentIntent asked for as a stripe.Customer would
// decode its few shared fields and leave the rest zero. A stripe-go type is
// known by its name, the object's kind without dots and underscores
// (checkout.session: CheckoutSession); a type of the caller's own is taken
// as it is.
func decodeAs[T any](o Object) (*T, error) {
	raw, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("stripe-emu: encoding %v: %w", o["id"], err)
	}
	var v T
	kind := gjson.GetBytes(raw, "object").String()
	if name := typeKey(reflect.TypeFor[T]().Name()); name != typeKey(kind) {
		if other, isKind := kindOfTypeName()[name]; isKind {
			return nil, fmt.Errorf("stripe-emu: %v is a %s, not a %s (%T)", o["id"], kind, other, v)
		}
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("stripe-emu: decoding %v into %T: %w", o["id"], v, err)
	}
	return &v, nil
}

// typeKey is a kind or a Go type name with case, dots and underscores
// dropped, under which the two meet.
func typeKey(name string) string {
	return strings.ToLower(strings.NewReplacer(".", "", "_", "").Replace(name))
}

// kindOfTypeName maps each object kind's typeKey to the kind.
var kindOfTypeName = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, k := range kinds() {
		m[typeKey(k.Object)] = k.Object
	}
	return m
})
