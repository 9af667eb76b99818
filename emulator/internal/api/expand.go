package api

import (
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// MaxExpandDepth is how many levels one expand path may reach.
const MaxExpandDepth = 4

// expandAll applies every expand[] path to the response object.
func (s *Server) expandAll(c *Call, obj store.Obj, paths []string, isList bool) error {
	for _, p := range paths {
		parts := strings.Split(p, ".")
		// A list's data. is one of the four: the deepest path on a list
		// of charges is data.payment_intent.customer.default_source.
		if len(parts) > MaxExpandDepth {
			return apierr.InvalidRequest("You cannot expand more than %d levels of a property. Property: %s", MaxExpandDepth, p).WithCode("property_expansion_max_depth").WithParam("expand")
		}
		if isList && parts[0] != "data" {
			return apierr.InvalidRequest("This property cannot be expanded (%s). You may want to try expanding 'data.%s' instead.", p, p)
		}
		if err := s.expandPath(c, obj, parts, p); err != nil {
			return err
		}
	}
	return nil
}

// expandPath expands parts within obj. Expandable fields may be dotted
// ("invoice_settings.default_payment_method"), so the longest declared
// field that prefixes the path wins.
func (s *Server) expandPath(c *Call, obj store.Obj, parts []string, full string) error {
	if len(parts) == 0 {
		return nil
	}
	typ, _ := obj["object"].(string)
	if typ == "search_result" && full == "total_count" && obj["total_count"] != nil {
		return nil // the search counted its matches (search.RunAt)
	}
	if typ == "list" || typ == "search_result" {
		if parts[0] != "data" {
			return cannotExpand(full)
		}
		return s.expandEach(c, obj["data"], parts[1:], full)
	}
	if deletedStub(obj) {
		// Nothing in it to expand or include.
		return nil
	}
	kind := s.Registry.Kind(typ)
	if kind == nil {
		return cannotExpand(full)
	}
	for n := len(parts); n >= 1; n-- {
		if fn, ok := kind.includableIn(parts[:n]); ok {
			return s.includeIn(c, kind, obj, parts[:n], fn, parts[n:], full)
		}
		field := strings.Join(parts[:n], ".")
		if !kind.expandable(field) {
			continue
		}
		rest := parts[n:]
		if inc, ok := kind.Includable[field]; ok {
			// Already included by an earlier path (currency_options
			// through currency_options.eur.tiers): kept as it is.
			v := getPath(obj, parts[:n])
			if v == nil {
				var err error
				if v, err = inc(c, obj); err != nil {
					return err
				}
				if v == Omitted {
					return nil
				}
				setPath(obj, parts[:n], v)
			}
			return s.expandValue(c, v, rest, full)
		}
		var in string
		if f, ok := kind.ExpandIn[field]; ok && !c.Connected {
			// The field naming the account may be expanded already.
			in = RefID(getPath(obj, strings.Split(f, ".")))
		} else if fn, ok := kind.ExpandInVia[field]; ok && !c.Connected {
			in = fn(c, obj)
		}
		// A field inside an array of objects (a session's
		// shipping_options.shipping_rate) is expanded in each element.
		return replaceAt(obj, parts[:n], func(v any) (any, error) {
			var expanded any
			if fn, ok := kind.ExpandAs[field]; ok {
				expanded = v
				if id, ok := v.(string); ok {
					expanded = fn(c, id)
				}
			} else if in != "" {
				expanded = s.resolveIn(c, in, v)
			} else if typ, ok := typedFields[parts[n-1]]; ok {
				expanded = s.resolveAs(c, typ, v)
			} else {
				expanded = s.resolve(c, v)
			}
			// What is expanded further is looked up where the object
			// was found.
			return expanded, s.expandValue(s.callWhere(c, in, expanded), expanded, rest, full)
		})
	}
	return cannotExpand(full)
}

// includeIn includes the field parts names ("currency_options.eur.tiers")
// in one entry of an includable map, including the map first. An entry
// the object does not have is left alone: a list of prices may ask for
// the tiers of a currency only some have.
func (s *Server) includeIn(c *Call, kind *Kind, obj store.Obj, parts []string, fn func(*Call, store.Obj, string) (any, error), rest []string, full string) error {
	m, _ := obj[parts[0]].(map[string]any)
	if m == nil {
		inc, ok := kind.Includable[parts[0]]
		if !ok {
			return cannotExpand(full)
		}
		v, err := inc(c, obj)
		if err != nil {
			return err
		}
		obj[parts[0]] = v
		if m, _ = v.(map[string]any); m == nil {
			return nil
		}
	}
	entry, _ := m[parts[1]].(map[string]any)
	if entry == nil {
		return nil
	}
	v, err := fn(c, obj, parts[1])
	if err != nil {
		return err
	}
	entry[parts[2]] = v
	return s.expandValue(c, v, rest, full)
}

// replaceAt replaces the value at parts within v by what fn makes of it,
// going through objects and into every element of the arrays on the way.
// A missing or null object on the way, or a missing field, is left alone.
func replaceAt(v any, parts []string, fn func(any) (any, error)) error {
	switch x := v.(type) {
	case map[string]any:
		if len(parts) == 1 {
			v, ok := x[parts[0]]
			if !ok {
				// A field the object does not show (a self-issued
				// invoice's issuer.account) stays out.
				return nil
			}
			nv, err := fn(v)
			x[parts[0]] = nv
			return err
		}
		return replaceAt(x[parts[0]], parts[1:], fn)
	case []any:
		for _, e := range x {
			if err := replaceAt(e, parts, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Server) expandValue(c *Call, v any, rest []string, full string) error {
	if len(rest) == 0 {
		return nil
	}
	switch x := v.(type) {
	case store.Obj:
		return s.expandPath(c, x, rest, full)
	case []any:
		return s.expandEach(c, x, rest, full)
	case nil:
		return nil
	}
	return cannotExpand(full)
}

func (s *Server) expandEach(c *Call, v any, rest []string, full string) error {
	items, _ := v.([]any)
	for i, it := range items {
		if len(rest) == 0 {
			continue
		}
		if id, ok := it.(string); ok {
			items[i] = s.resolve(c, id)
		}
		if err := s.expandValue(c, items[i], rest, full); err != nil {
			return err
		}
	}
	return nil
}

// resolve turns an id into the object it names (in the account in scope);
// anything else (null, an embedded object) is returned as it is.
func (s *Server) resolve(c *Call, v any) any {
	switch x := v.(type) {
	case string:
		kind := s.Registry.ByID(x)
		if kind == nil {
			return x
		}
		if kind.Static != nil {
			if o, ok := kind.Static(x); ok {
				return o
			}
			return x
		}
		if o, ok := c.Tx.Get(c.Account, kind.Object, x); ok {
			return o
		}
		if kind.Object == "account" || (kind.OnPlatform && c.Connected) {
			if o, ok := c.Tx.Get(s.Platform, kind.Object, x); ok {
				return o
			}
		}
		if kind.DeletedStub {
			return Deleted(kind.Object, x)
		}
		return x
	case []any:
		for i := range x {
			x[i] = s.resolve(c, x[i])
		}
		return x
	}
	return v
}

// typedFields are expandable fields (by their last name) that always hold
// one type of object whatever their ids look like: a card saved as a
// source is a PaymentMethod of the same id (card_…) wherever a
// PaymentMethod belongs, and a plan made with an id of its own ("gold")
// is a price wherever a price belongs; a coupon's id is the merchant's own
// or random letters, never a prefix.
var typedFields = map[string]string{"payment_method": "payment_method", "default_payment_method": "payment_method",
	"price": "price", "default_price": "price", "coupon": "coupon"}

// resolveAs is resolve for an id of an object of a known type.
func (s *Server) resolveAs(c *Call, typ string, v any) any {
	if id, ok := v.(string); ok {
		if o, ok := c.Tx.Get(c.Account, typ, id); ok {
			return o
		}
	}
	return s.resolve(c, v)
}

// resolveIn is resolve for an id of an object in another account (the
// platform sees its connected accounts' objects it made).
func (s *Server) resolveIn(c *Call, account string, v any) any {
	id, ok := v.(string)
	if !ok || account == "" {
		return s.resolve(c, v)
	}
	if kind := s.Registry.ByID(id); kind != nil {
		if o, ok := c.Tx.Get(account, kind.Object, id); ok {
			return o
		}
	}
	return id
}

// callWhere is the call to expand an expanded object's own fields in:
// the account it was found in (in, for ExpandIn; the platform for an
// OnPlatform object seen from a connected account), else c.
func (s *Server) callWhere(c *Call, in string, expanded any) *Call {
	o, ok := expanded.(store.Obj)
	if !ok {
		return c
	}
	if in == "" {
		kind := s.Registry.Kind(Str(o["object"]))
		if kind == nil || !kind.OnPlatform || !c.Connected {
			return c
		}
		in = s.Platform
	}
	if in == c.Account {
		return c
	}
	sub := *c
	sub.Account, sub.Connected = in, in != s.Platform
	return &sub
}

// deletedStub reports whether obj is the bare {id, object, deleted} a
// deleted object answers as (a deleted_discount is whole, and expands).
func deletedStub(obj store.Obj) bool {
	if !Bool(obj["deleted"]) {
		return false
	}
	for k := range obj {
		if k != "id" && k != "object" && k != "deleted" {
			return false
		}
	}
	return true
}

// Omitted is what an Includable answers for a field the object does not
// show even when expanded (a physical Issuing card's number): the field
// stays out of the answer.
var Omitted any = omitted{}

type omitted struct{}

// RefID is the id a field holds, whether as the id itself or as the
// object an earlier expand[] path put there.
func RefID(v any) string {
	if o, ok := v.(store.Obj); ok {
		return Str(o["id"])
	}
	return Str(v)
}

func cannotExpand(path string) error {
	return apierr.InvalidRequest("This property cannot be expanded (%s).", path)
}

func getPath(o store.Obj, parts []string) any {
	var cur any = o
	for _, p := range parts {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func setPath(o store.Obj, parts []string, v any) {
	m := o
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			return
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}
