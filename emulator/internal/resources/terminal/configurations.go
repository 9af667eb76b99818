package terminal

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Configurations are settings readers take (tipping, offline mode, reboot
// window, Wi-Fi). Settings that name uploaded files (splashscreens, Wi-Fi
// certificates) are refused: the files API does not take Terminal's file
// purposes. Stripe sends no events about configurations.

func configurationRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/terminal/configurations", params.FromStruct(stripe.TerminalConfigurationCreateParams{}).Without("metadata").Enum("wifi.type", wifiTypes...), createConfiguration),
		api.GET("/v1/terminal/configurations", params.FromStruct(stripe.TerminalConfigurationListParams{}), listConfigurations),
		api.GET("/v1/terminal/configurations/{id}", params.FromStruct(stripe.TerminalConfigurationRetrieveParams{}), retrieveConfiguration),
		api.POST("/v1/terminal/configurations/{id}", params.FromStruct(stripe.TerminalConfigurationUpdateParams{}).Without("metadata").Enum("wifi.type", wifiTypes...), updateConfiguration),
		api.DELETE("/v1/terminal/configurations/{id}", params.FromStruct(stripe.TerminalConfigurationDeleteParams{}), deleteConfiguration),
	}
}

var wifiTypes = []string{"enterprise_eap_peap", "enterprise_eap_tls", "personal_psk"}

// fileSettings are the settings that name an uploaded file.
var fileSettings = []string{"bbpos_wisepos_e.splashscreen", "stripe_s700.splashscreen", "verifone_p400.splashscreen",
	"wifi.enterprise_eap_peap.ca_certificate_file", "wifi.enterprise_eap_tls"}

// maxTipOptions is how many fixed amounts or percentages a currency's
// tipping offers at most (Stripe's reader shows three).
const maxTipOptions = 3

func createConfiguration(c *api.Call) (any, error) {
	o := c.Object("terminal.configuration", c.NewID("terminal.configuration"), store.Obj{
		"is_account_default": false, "name": nil,
	})
	delete(o, "created") // Stripe shows no creation time for Terminal objects
	if err := applyConfiguration(c, o); err != nil {
		return nil, err
	}
	return o, c.Put(o)
}

// applyConfiguration sets what a create or update sends: each section sent
// replaces the stored one, and an empty one ("") removes it.
func applyConfiguration(c *api.Call, o store.Obj) error {
	for _, f := range fileSettings {
		if c.Params.Has(f) {
			return apierr.InvalidRequest("stripe-emu does not emulate the parameter `%s` of Terminal configurations: it names an uploaded file (splashscreens and Wi-Fi certificates are files of Terminal's purposes, which the emulator's files API does not take), so it refused the request rather than answer as if the reader had it.", params.Namer("")(f)).WithParam(params.Namer("")(f))
		}
	}
	if err := c.CheckLengths(api.MaxLength{Path: "name", Limit: 100}); err != nil {
		return err
	}
	if c.Params.Has("name") {
		v, _ := c.Params.Str("name")
		o["name"] = api.NilIfEmpty(v)
	}
	for _, device := range []string{"bbpos_wisepos_e", "stripe_s700", "verifone_p400"} {
		if c.Params.Has(device) {
			// Only a splashscreen is set per device, refused above: what is
			// left is an empty hash or "", both leaving none.
			c.Params.MarkRead(device)
			delete(o, device)
		}
	}
	if c.Params.Has("offline") {
		if c.Params.Unset("offline") {
			delete(o, "offline")
		} else {
			enabled, _ := c.Params.Bool("offline.enabled")
			o["offline"] = store.Obj{"enabled": enabled}
		}
	}
	if c.Params.Has("reboot_window") {
		if c.Params.Unset("reboot_window") {
			delete(o, "reboot_window")
		} else {
			start, _ := c.Params.Int("reboot_window.start_hour")
			end, _ := c.Params.Int("reboot_window.end_hour")
			for name, h := range map[string]int64{"start_hour": start, "end_hour": end} {
				if h < 0 || h > 23 {
					param := "reboot_window[" + name + "]"
					return apierr.InvalidRequest("Invalid %s: must be between 0 and 23", param).WithParam(param)
				}
			}
			o["reboot_window"] = store.Obj{"end_hour": end, "start_hour": start}
		}
	}
	if c.Params.Has("tipping") {
		tipping, err := tippingOf(c)
		if err != nil {
			return err
		}
		if tipping == nil {
			delete(o, "tipping")
		} else {
			o["tipping"] = tipping
		}
	}
	if c.Params.Has("wifi") {
		if c.Params.Unset("wifi") {
			delete(o, "wifi")
		} else {
			wifi, err := wifiOf(c)
			if err != nil {
				return err
			}
			o["wifi"] = wifi
		}
	}
	return nil
}

// tippingOf reads tipping: per currency, its fixed amounts, percentages
// and smart tip threshold (nil when unset).
func tippingOf(c *api.Call) (store.Obj, error) {
	if c.Params.Unset("tipping") {
		return nil, nil
	}
	t, _ := c.Params.Obj("tipping")
	out := store.Obj{}
	for _, cur := range t.Keys() {
		opts, ok := t.Obj(cur)
		if !ok {
			t.MarkRead(cur)
			continue // "" unsets the currency's options
		}
		entry := store.Obj{}
		for _, list := range []string{"fixed_amounts", "percentages"} {
			if !opts.Has(list) {
				continue
			}
			raw, _ := opts.Get(list)
			values, _ := raw.([]any)
			if len(values) > maxTipOptions {
				param := "tipping[" + cur + "][" + list + "]"
				return nil, apierr.InvalidRequest("Invalid %s: at most %d values can be given", param, maxTipOptions).WithParam(param)
			}
			for _, v := range values {
				if api.Int(v) < 0 {
					param := "tipping[" + cur + "][" + list + "]"
					return nil, apierr.InvalidRequest("Invalid %s: must be non-negative", param).WithParam(param)
				}
			}
			entry[list] = values
		}
		if v, ok := opts.Int("smart_tip_threshold"); ok {
			entry["smart_tip_threshold"] = v
		}
		out[cur] = entry
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// wifiOf reads wifi: its type and that type's settings, which must be
// sent.
func wifiOf(c *api.Call) (store.Obj, error) {
	typ, _ := c.Params.Str("wifi.type")
	if typ == "" {
		return nil, apierr.MissingParam("wifi[type]")
	}
	if typ == "enterprise_eap_tls" {
		// Its certificate and key are uploaded files (refused above).
		return nil, apierr.InvalidRequest("stripe-emu does not emulate Wi-Fi of type enterprise_eap_tls in Terminal configurations: its certificate and key are uploaded files of Terminal's purposes, which the emulator's files API does not take.").WithParam("wifi[type]")
	}
	settings, ok := c.Params.Obj("wifi." + typ)
	if !ok {
		return nil, apierr.MissingParam("wifi[" + typ + "]")
	}
	for _, other := range wifiTypes {
		if other != typ && c.Params.Has("wifi."+other) {
			return nil, apierr.InvalidRequest("You passed wifi[%s] but wifi[type] is %s.", other, typ).WithParam("wifi[" + other + "]")
		}
	}
	required := map[string][]string{"personal_psk": {"password", "ssid"}, "enterprise_eap_peap": {"password", "ssid", "username"}}[typ]
	entry := store.Obj{}
	for _, f := range required {
		v, _ := settings.Str(f)
		if v == "" {
			return nil, apierr.MissingParam("wifi[" + typ + "][" + f + "]")
		}
		entry[f] = v
	}
	return store.Obj{"type": typ, typ: entry}, nil
}

func retrieveConfiguration(c *api.Call) (any, error) {
	return retrieve(c, "terminal.configuration")
}

func updateConfiguration(c *api.Call) (any, error) {
	before, err := c.Load("terminal.configuration", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if err := applyConfiguration(c, after); err != nil {
		return nil, err
	}
	return after, c.Put(after)
}

// deleteConfiguration deletes a configuration no location overrides with
// (refused otherwise, not verified against Stripe, so no location names
// one that is gone).
func deleteConfiguration(c *api.Call) (any, error) {
	o, err := c.Load("terminal.configuration", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	id := api.Str(o["id"])
	if p := c.Tx.List(c.Account, "terminal.location", store.Query{Limit: 1, Filter: func(l store.Obj) bool { return l["configuration_overrides"] == id }}); len(p.Data) > 0 {
		return nil, apierr.InvalidRequest("This configuration is in use by the location %s. Remove it from the location's configuration_overrides before deleting it.", p.Data[0]["id"])
	}
	return remove(c, "terminal.configuration", id)
}

func listConfigurations(c *api.Call) (any, error) {
	q, err := c.ListQuery("terminal.configuration")
	if err != nil {
		return nil, err
	}
	if v, ok := c.Params.Bool("is_account_default"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Bool(o["is_account_default"]) == v })
	}
	return c.Page("terminal.configuration", "/v1/terminal/configurations", q), nil
}
