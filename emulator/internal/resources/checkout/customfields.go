package checkout

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Custom text and custom fields: what the page shows and asks beyond the
// purchase. Sessions and payment links take the same parameters; a link
// hands its own to the sessions it opens. The test helper that completes a
// session is the customer filling the fields in (custom_fields[i][key] and
// [value]), checked as the page checks them.

// Stripe's limits (docs: "Up to three fields allowed", "up to 255
// characters on text fields", "up to 255 digits on numeric fields", "up to
// 200 options on dropdown fields"; a key up to 200 characters, a label up
// to 50, an option's label and value up to 100; custom text up to 1200).
const (
	maxCustomFields      = 3
	maxFieldLength       = 255
	maxDropdownOptions   = 200
	maxFieldKey          = 200
	maxFieldLabel        = 50
	maxOptionText        = 100
	maxCustomTextMessage = 1200
)

// customTextPositions are the places of the page custom_text writes in.
var customTextPositions = []string{"after_submit", "shipping_address", "submit", "terms_of_service_acceptance"}

func emptyCustomText() store.Obj {
	return store.Obj{"after_submit": nil, "shipping_address": nil, "submit": nil, "terms_of_service_acceptance": nil}
}

// tooLong is Stripe's refusal of a string over its spec's maxLength,
// quoting the value.
func tooLong(param, value string, limit int) error {
	return apierr.TooLong(param, value, limit)
}

// readCustomText reads custom_text over base (what is shown so far): each
// position's message, or "" to clear it. termsRequired says whether the
// page asks the customer to accept terms of service, without which a
// terms_of_service_acceptance text has nowhere to show.
func readCustomText(c *api.Call, base store.Obj, termsRequired bool) (store.Obj, error) {
	out := emptyCustomText()
	if base != nil {
		// Clone(nil) is an empty map, which would lose the null positions.
		out = api.Clone(base)
	}
	if c.Params.Unset("custom_text") {
		return emptyCustomText(), nil
	}
	for _, pos := range customTextPositions {
		path := "custom_text." + pos
		if !c.Params.Has(path) {
			continue
		}
		param := "custom_text[" + pos + "]"
		if c.Params.Unset(path) {
			out[pos] = nil
			continue
		}
		msg, _ := c.Params.Str(path + ".message")
		switch {
		case msg == "":
			return nil, apierr.MissingParam(param + "[message]")
		case utf8.RuneCountInString(msg) > maxCustomTextMessage:
			return nil, tooLong(param+"[message]", msg, maxCustomTextMessage)
		}
		if pos == "terms_of_service_acceptance" && !termsRequired {
			return nil, apierr.InvalidRequest("`custom_text[terms_of_service_acceptance]` can only be set when `consent_collection[terms_of_service]` is `required`.").WithParam(param)
		}
		out[pos] = store.Obj{"message": msg}
	}
	return out, nil
}

func alphanumeric(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// readCustomFields reads custom_fields[] into the fields a session shows
// (withValue: with each field's value, null until the customer fills it
// in) or a payment link shows (without).
func readCustomFields(c *api.Call, withValue bool) ([]any, error) {
	raw := c.Params.Array("custom_fields")
	if len(raw) > maxCustomFields {
		return nil, apierr.InvalidRequest("You can only set up to %d custom fields.", maxCustomFields).WithParam("custom_fields")
	}
	out := make([]any, 0, len(raw))
	var keys []string
	for i, f := range raw {
		p := fmt.Sprintf("custom_fields[%d]", i)
		key, _ := f.Str("key")
		switch {
		case key == "":
			return nil, apierr.MissingParam(p + "[key]")
		case utf8.RuneCountInString(key) > maxFieldKey:
			return nil, tooLong(p+"[key]", key, maxFieldKey)
		case !alphanumeric(key):
			return nil, apierr.InvalidRequest("Invalid custom field key %q: a key must be alphanumeric.", key).WithParam(p + "[key]")
		case slices.Contains(keys, key):
			return nil, apierr.InvalidRequest("Custom field keys must be unique: %q is used more than once.", key).WithParam(p + "[key]")
		}
		keys = append(keys, key)
		labelType, _ := f.Str("label.type")
		custom, _ := f.Str("label.custom")
		switch {
		case labelType == "":
			return nil, apierr.MissingParam(p + "[label][type]")
		case custom == "":
			return nil, apierr.MissingParam(p + "[label][custom]")
		case utf8.RuneCountInString(custom) > maxFieldLabel:
			return nil, tooLong(p+"[label][custom]", custom, maxFieldLabel)
		}
		typ, _ := f.Str("type")
		if typ == "" {
			return nil, apierr.MissingParam(p + "[type]")
		}
		optional, _ := f.Bool("optional")
		field := store.Obj{"key": key, "label": store.Obj{"custom": custom, "type": labelType}, "optional": optional, "type": typ}
		for _, other := range []string{"dropdown", "numeric", "text"} {
			if other != typ && f.Has(other) {
				return nil, apierr.InvalidRequest("`%s[%s]` can only be used with `%s[type]=%s`.", p, other, p, other).WithParam(p + "[" + other + "]")
			}
		}
		var config store.Obj
		var err error
		if typ == "dropdown" {
			config, err = readDropdown(f, p)
		} else {
			config, err = readLengths(f, typ, p)
		}
		if err != nil {
			return nil, err
		}
		if withValue {
			config["value"] = nil
		}
		field[typ] = config
		out = append(out, field)
	}
	return out, nil
}

func readDropdown(f params.Values, p string) (store.Obj, error) {
	d, ok := f.Obj("dropdown")
	if !ok {
		return nil, apierr.MissingParam(p + "[dropdown]")
	}
	raw := d.Array("options")
	if len(raw) == 0 {
		return nil, apierr.MissingParam(p + "[dropdown][options]")
	}
	if len(raw) > maxDropdownOptions {
		return nil, apierr.InvalidRequest("A dropdown custom field can have at most %d options; you passed %d.", maxDropdownOptions, len(raw)).WithParam(p + "[dropdown][options]")
	}
	options := make([]any, len(raw))
	var values []string
	for i, o := range raw {
		op := fmt.Sprintf("%s[dropdown][options][%d]", p, i)
		label, _ := o.Str("label")
		value, _ := o.Str("value")
		switch {
		case label == "":
			return nil, apierr.MissingParam(op + "[label]")
		case value == "":
			return nil, apierr.MissingParam(op + "[value]")
		case utf8.RuneCountInString(label) > maxOptionText:
			return nil, tooLong(op+"[label]", label, maxOptionText)
		case utf8.RuneCountInString(value) > maxOptionText:
			return nil, tooLong(op+"[value]", value, maxOptionText)
		case !alphanumeric(value):
			return nil, apierr.InvalidRequest("Invalid dropdown option value %q: a value must be alphanumeric.", value).WithParam(op + "[value]")
		case slices.Contains(values, value):
			return nil, apierr.InvalidRequest("Dropdown option values must be unique: %q is used more than once.", value).WithParam(op + "[value]")
		}
		values = append(values, value)
		options[i] = store.Obj{"label": label, "value": value}
	}
	out := store.Obj{"default_value": nil, "options": options}
	if dv, _ := d.Str("default_value"); dv != "" {
		if !slices.Contains(values, dv) {
			return nil, apierr.InvalidRequest("The default value %q is not one of the dropdown's option values.", dv).WithParam(p + "[dropdown][default_value]")
		}
		out["default_value"] = dv
	}
	return out, nil
}

// readLengths reads a text or numeric field's length limits (1 to 255,
// minimum no more than maximum) and default value.
func readLengths(f params.Values, typ, p string) (store.Obj, error) {
	out := store.Obj{"default_value": nil, "maximum_length": nil, "minimum_length": nil}
	cfg, _ := f.Obj(typ)
	lo, hasLo := cfg.Int("minimum_length")
	hi, hasHi := cfg.Int("maximum_length")
	for _, l := range []struct {
		v    int64
		has  bool
		name string
	}{{lo, hasLo, "minimum_length"}, {hi, hasHi, "maximum_length"}} {
		if l.has && (l.v < 1 || l.v > maxFieldLength) {
			return nil, apierr.InvalidRequest("`%s` must be between 1 and %d.", l.name, maxFieldLength).WithParam(fmt.Sprintf("%s[%s][%s]", p, typ, l.name))
		}
	}
	if hasLo && hasHi && lo > hi {
		return nil, apierr.InvalidRequest("`minimum_length` cannot be greater than `maximum_length`.").WithParam(fmt.Sprintf("%s[%s][minimum_length]", p, typ))
	}
	if hasLo {
		out["minimum_length"] = lo
	}
	if hasHi {
		out["maximum_length"] = hi
	}
	if dv, _ := cfg.Str("default_value"); dv != "" {
		if utf8.RuneCountInString(dv) > maxFieldLength {
			// Over the parameter's own maxLength, before the field's limits.
			return nil, tooLong(fmt.Sprintf("%s[%s][default_value]", p, typ), dv, maxFieldLength)
		}
		if err := checkFieldValue(typ, out, dv, fmt.Sprintf("%s[%s][default_value]", p, typ)); err != nil {
			return nil, err
		}
		out["default_value"] = dv
	}
	return out, nil
}

// checkFieldValue checks a text or numeric field's value against its
// limits (255 characters or digits at most when none is set).
func checkFieldValue(typ string, cfg store.Obj, v, param string) error {
	n := int64(utf8.RuneCountInString(v))
	if typ == "numeric" {
		for _, r := range v {
			if r < '0' || r > '9' {
				return apierr.InvalidRequest("A numeric custom field takes digits only; %q is not.", v).WithParam(param)
			}
		}
	}
	hi := int64(maxFieldLength)
	if cfg["maximum_length"] != nil {
		hi = api.Int(cfg["maximum_length"])
	}
	if n > hi {
		return apierr.InvalidRequest("The value must be at most %d characters long; it is %d.", hi, n).WithParam(param)
	}
	if cfg["minimum_length"] != nil && n < api.Int(cfg["minimum_length"]) {
		return apierr.InvalidRequest("The value must be at least %d characters long; it is %d.", api.Int(cfg["minimum_length"]), n).WithParam(param)
	}
	return nil
}

// applyCustomPage sets a new session's custom_text and custom_fields,
// which setup mode does not take (Stripe: custom fields are "not available
// in setup mode").
func applyCustomPage(c *api.Call, s store.Obj) error {
	termsRequired := api.Obj(s["consent_collection"])["terms_of_service"] == "required"
	text, err := readCustomText(c, nil, termsRequired)
	if err != nil {
		return err
	}
	s["custom_text"] = text
	if !c.Params.Has("custom_fields") {
		return nil
	}
	if s["mode"] == "setup" {
		return apierr.InvalidRequest("`custom_fields` cannot be used in `setup` mode.").WithParam("custom_fields")
	}
	fields, err := readCustomFields(c, true)
	if err != nil {
		return err
	}
	s["custom_fields"] = fields
	return nil
}

// fillCustomFields is the customer filling in the session's custom fields
// on the page (the test helper's custom_fields[i][key] and [value]): a
// field left out keeps its default value, a required one without either
// fails as the page would not submit.
func fillCustomFields(c *api.Call, s store.Obj) error {
	given := map[string]string{}
	fields, _ := s["custom_fields"].([]any)
	for _, f := range fields {
		// A declined attempt kept what was filled in; this one starts
		// from empty fields.
		field := api.Obj(f)
		api.Obj(field[api.Str(field["type"])])["value"] = nil
	}
	for i, g := range c.Params.Array("custom_fields") {
		p := fmt.Sprintf("custom_fields[%d]", i)
		key, _ := g.Str("key")
		if key == "" {
			return apierr.MissingParam(p + "[key]")
		}
		if _, dup := given[key]; dup {
			return apierr.InvalidRequest("The custom field %q is filled in more than once.", key).WithParam(p + "[key]")
		}
		var field store.Obj
		for _, f := range fields {
			if api.Obj(f)["key"] == key {
				field = api.Obj(f)
			}
		}
		if field == nil {
			return apierr.InvalidRequest("This Checkout Session has no custom field with the key %q.", key).WithParam(p + "[key]")
		}
		value, _ := g.Str("value")
		if value == "" {
			return apierr.MissingParam(p + "[value]")
		}
		typ := api.Str(field["type"])
		cfg := api.Obj(field[typ])
		if typ == "dropdown" {
			ok := false
			for _, o := range cfg["options"].([]any) {
				ok = ok || api.Obj(o)["value"] == value
			}
			if !ok {
				return apierr.InvalidRequest("%q is not one of the options of the dropdown custom field %q.", value, key).WithParam(p + "[value]")
			}
		} else if err := checkFieldValue(typ, cfg, value, p+"[value]"); err != nil {
			return err
		}
		given[key] = value
	}
	for _, f := range fields {
		field := api.Obj(f)
		typ := api.Str(field["type"])
		cfg := api.Obj(field[typ])
		value, ok := given[api.Str(field["key"])]
		if !ok && cfg["default_value"] != nil {
			value, ok = api.Str(cfg["default_value"]), true
		}
		if !ok && !api.Bool(field["optional"]) {
			return apierr.InvalidRequest("The custom field %q is required: the customer must fill it in to complete the Checkout Session.", field["key"]).WithParam("custom_fields")
		}
		if ok {
			cfg["value"] = value
		}
	}
	return nil
}

// applyLinkCustomPage sets a payment link's custom_text and custom_fields
// (create or update; custom_fields="" clears them).
func applyLinkCustomPage(c *api.Call, l store.Obj) error {
	termsRequired := api.Obj(l["consent_collection"])["terms_of_service"] == "required"
	if c.Params.Has("custom_text") {
		text, err := readCustomText(c, api.Obj(l["custom_text"]), termsRequired)
		if err != nil {
			return err
		}
		l["custom_text"] = text
	}
	if c.Params.Has("custom_fields") {
		if c.Params.Unset("custom_fields") {
			l["custom_fields"] = []any{}
			return nil
		}
		fields, err := readCustomFields(c, false)
		if err != nil {
			return err
		}
		l["custom_fields"] = fields
	}
	return nil
}

// linkCustomPage puts a link's custom text and fields into the parameters
// of the session it opens.
func linkCustomPage(l store.Obj, p map[string]any) {
	if fields, _ := l["custom_fields"].([]any); len(fields) > 0 {
		// Stored numbers read back as floats; parameters take integers.
		p["custom_fields"] = retype(withoutNulls(fields))
	}
	if text, _ := withoutNulls(l["custom_text"]).(map[string]any); len(text) > 0 {
		p["custom_text"] = text
	}
}
