package api

import (
	"strings"
	"unicode/utf8"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Copy sets each named field of o from the parameter of the same name when
// the request has it; an empty value (Stripe's "unset") sets null. Nested
// objects are copied whole, as Stripe replaces them.
func (c *Call) Copy(o store.Obj, fields ...string) {
	for _, f := range fields {
		if !c.Params.Has(f) {
			continue
		}
		if c.Params.Unset(f) {
			o[f] = nil
			continue
		}
		v, _ := c.Params.Get(f)
		o[f] = v
	}
}

// Inert accepts parameters that change nothing a caller can observe in
// test mode (fraud signals, hosted-page options, deprecated switches), so
// sending them is not refused as not emulated. Say why at each call.
func (c *Call) Inert(names ...string) { c.Params.MarkRead(names...) }

// AcceptWhen accepts the parameter at path (dotted) when its value is
// want: asking for what the emulator does anyway (a quote's
// invoice_settings[issuer][type]=self) is fine, asking for more is
// refused as not emulated.
func (c *Call) AcceptWhen(path string, want any) {
	if v, ok := c.Params.Sent(path); ok && v == want {
		c.Params.MarkRead(path)
	}
}

// Metadata limits, as Stripe enforces them.
const (
	MaxMetadataKeys  = params.MaxMetadataKeys
	MaxMetadataKey   = params.MaxMetadataKey
	MaxMetadataValue = params.MaxMetadataValue
)

// ApplyMetadata merges the request's metadata into o: keys sent with an
// empty value are removed, `metadata=` clears everything.
func (c *Call) ApplyMetadata(o store.Obj) error { return ApplyMetadataFrom(o, c.Params) }

// ApplyMetadataFrom is ApplyMetadata reading the metadata parameter of p,
// the values of a nested object (an upload's file_link_data).
func ApplyMetadataFrom(o store.Obj, p params.Values) error {
	md, _ := o["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
	}
	if p.Has("metadata") {
		if p.Unset("metadata") {
			md = map[string]any{}
		} else {
			m, _ := p.Map("metadata")
			for k, v := range m {
				if err := checkMetadataEntry(k, v); err != nil {
					return err
				}
			}
			next := MergeMetadata(md, m)
			if len(next) > MaxMetadataKeys {
				return apierr.InvalidRequest("Invalid metadata: metadata can have up to %d keys, but you passed in %d keys.", MaxMetadataKeys, len(next)).WithParam("metadata")
			}
			md = next
		}
	}
	o["metadata"] = md
	return nil
}

// MergeMetadata is metadata sent to update old: a new map with the keys
// sent set, those sent empty removed.
func MergeMetadata(old map[string]any, sent map[string]string) map[string]any {
	next := make(map[string]any, len(old)+len(sent))
	for k, v := range old {
		next[k] = v
	}
	for k, v := range sent {
		if v == "" {
			delete(next, k)
		} else {
			next[k] = v
		}
	}
	return next
}

func checkMetadataEntry(k, v string) error {
	if err := params.MetadataEntry("metadata", k, v); err != nil {
		return err
	}
	return nil
}

// Clone deep-copies an object so a handler can change it and still diff
// against the original.
func Clone(o store.Obj) store.Obj { return store.Clone(o) }

// UpdateFields serves an update endpoint (POST /v1/<objects>/{id}) for
// objects whose only changeable fields are fields (copied as sent) and
// metadata: stored with <object>.updated and previous_attributes.
func (c *Call) UpdateFields(object string, fields ...string) (any, error) {
	before, err := c.Load(object, c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := Clone(before)
	c.Copy(after, fields...)
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	return after, c.Save(before, after)
}

// MaxLength is a string parameter's longest length in Stripe's OpenAPI
// spec (its maxLength), by dotted path.
type MaxLength struct {
	Path  string
	Limit int
}

// CheckLengths refuses, with Stripe's message, the first string sent at
// one of the paths that is longer than its limit.
func (c *Call) CheckLengths(limits ...MaxLength) error {
	for _, l := range limits {
		v, _ := c.Params.Sent(l.Path)
		if s, ok := v.(string); ok && utf8.RuneCountInString(s) > l.Limit {
			return apierr.TooLong(params.Namer("")(l.Path), s, l.Limit)
		}
	}
	return nil
}

// HasScheme says a URL names its scheme, as Stripe's URL check requires
// (any scheme: an app returns to its own).
func HasScheme(u string) bool { return strings.Contains(u, "://") }

// CheckURLSchemes refuses the first of the named URL parameters sent
// without a scheme, in the words of Stripe's URL check: the URLs Stripe
// sends someone to (success, return and refresh URLs).
func (c *Call) CheckURLSchemes(names ...string) error {
	for _, name := range names {
		if u, _ := c.Params.Str(name); u != "" && !HasScheme(u) {
			return apierr.URLWithoutScheme(name)
		}
	}
	return nil
}
