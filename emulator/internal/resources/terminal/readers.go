package terminal

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// simulatedCodes are Stripe's registration codes that make a simulated
// reader in test mode, and the device type each makes (the two simulated
// device types of API version 2025-08-27.basil).
var simulatedCodes = map[string]string{
	"simulated-wpe":  "simulated_wisepos_e",
	"simulated-s700": "simulated_stripe_s700",
}

// deviceTypes are the values of a reader's device_type (stripe-go v82.5.1).
var deviceTypes = []string{"bbpos_chipper2x", "bbpos_wisepad3", "bbpos_wisepos_e", "mobile_phone_reader",
	"simulated_stripe_s700", "simulated_wisepos_e", "stripe_m2", "stripe_s700", "verifone_P400"}

func readerRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/terminal/readers", params.FromStruct(stripe.TerminalReaderCreateParams{}), createReader),
		api.GET("/v1/terminal/readers", params.FromStruct(stripe.TerminalReaderListParams{}).
			Enum("device_type", deviceTypes...).Enum("status", "offline", "online"), listReaders),
		api.GET("/v1/terminal/readers/{id}", params.FromStruct(stripe.TerminalReaderRetrieveParams{}), retrieveReader),
		api.POST("/v1/terminal/readers/{id}", params.FromStruct(stripe.TerminalReaderUpdateParams{}), updateReader),
		api.DELETE("/v1/terminal/readers/{id}", params.FromStruct(stripe.TerminalReaderDeleteParams{}), deleteReader),
	}
}

var readerLengths = []api.MaxLength{{Path: "label", Limit: 5000}, {Path: "location", Limit: 5000}, {Path: "registration_code", Limit: 5000}}

// createReader registers a simulated reader. A real reader's code (three
// words shown on its screen) cannot be emulated: no reader is there.
func createReader(c *api.Call) (any, error) {
	if err := c.CheckLengths(readerLengths...); err != nil {
		return nil, err
	}
	if err := c.Require("registration_code"); err != nil {
		return nil, err
	}
	code, _ := c.Params.Str("registration_code")
	deviceType, ok := simulatedCodes[code]
	if !ok {
		return nil, apierr.InvalidRequest("The registration code `%s` is invalid. (stripe-emu registers only simulated readers, as test mode does: use the registration code simulated-wpe for a BBPOS WisePOS E or simulated-s700 for a Stripe Reader S700.)", code).WithParam("registration_code")
	}
	var location any
	if id, _ := c.Params.Str("location"); id != "" {
		if _, ok := c.Tx.Get(c.Account, "terminal.location", id); !ok {
			return nil, apierr.NoSuchObject("terminal location", id, "location")
		}
		location = id
	}
	label := code // Stripe labels a reader with its code unless told otherwise
	if v, _ := c.Params.Str("label"); v != "" {
		label = v
	}
	id := c.NewID("terminal.reader")
	o := c.Object("terminal.reader", id, store.Obj{
		"action": nil, "device_sw_version": "", "device_type": deviceType, "ip_address": "0.0.0.0",
		"label": label, "location": location, "metadata": map[string]any{}, "serial_number": serialNumber(id),
		"status": "online",
	})
	delete(o, "created") // Stripe shows no creation time for Terminal objects
	if err := c.ApplyMetadata(o); err != nil {
		return nil, err
	}
	return o, c.Put(o)
}

// serialNumber is a simulated reader's serial number: a UUID, as Stripe's
// simulated readers have, derived from its id.
func serialNumber(id string) string {
	h := sha256.Sum256([]byte(id))
	s := hex.EncodeToString(h[:16])
	return s[0:8] + "-" + s[8:12] + "-4" + s[13:16] + "-a" + s[17:20] + "-" + s[20:32]
}

func retrieveReader(c *api.Call) (any, error) { return retrieve(c, "terminal.reader") }

// updateReader changes the label and metadata (a label cannot be unset).
func updateReader(c *api.Call) (any, error) {
	if err := c.CheckLengths(readerLengths...); err != nil {
		return nil, err
	}
	before, err := c.Load("terminal.reader", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if c.Params.Has("label") {
		if c.Params.Unset("label") {
			return nil, apierr.InvalidEmpty("label")
		}
		after["label"], _ = c.Params.Str("label")
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	// No terminal.reader.updated: Stripe has no such event.
	return after, c.Put(after)
}

func deleteReader(c *api.Call) (any, error) {
	o, err := c.Load("terminal.reader", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	id := api.Str(o["id"])
	return remove(c, "terminal.reader", id)
}

func listReaders(c *api.Call) (any, error) {
	q, err := c.ListQuery("terminal.reader")
	if err != nil {
		return nil, err
	}
	if id, _ := c.Params.Str("location"); id != "" && !c.Tx.Exists(c.Account, "terminal.location", id) {
		return nil, apierr.NoSuchObject("terminal location", id, "location")
	}
	q = api.IndexedFilters(c, q, "location")
	for _, f := range []string{"status", "device_type", "serial_number"} {
		if v, _ := c.Params.Str(f); v != "" {
			field, want := f, v
			q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Str(o[field]) == want })
		}
	}
	return c.Page("terminal.reader", "/v1/terminal/readers", q), nil
}
