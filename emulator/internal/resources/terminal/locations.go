package terminal

import (
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/country"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Locations group readers where they are used. Stripe sends no events
// about them.

func locationRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/terminal/locations", params.FromStruct(stripe.TerminalLocationCreateParams{}), createLocation),
		api.GET("/v1/terminal/locations", params.FromStruct(stripe.TerminalLocationListParams{}), listLocations),
		api.GET("/v1/terminal/locations/{id}", params.FromStruct(stripe.TerminalLocationRetrieveParams{}), retrieveLocation),
		api.POST("/v1/terminal/locations/{id}", params.FromStruct(stripe.TerminalLocationUpdateParams{}), updateLocation),
		api.DELETE("/v1/terminal/locations/{id}", params.FromStruct(stripe.TerminalLocationDeleteParams{}), deleteLocation),
	}
}

// Longest values Stripe's OpenAPI spec takes.
var locationLengths = []api.MaxLength{
	{Path: "display_name", Limit: 1000}, {Path: "configuration_overrides", Limit: 500},
	{Path: "address.city", Limit: 5000}, {Path: "address.line1", Limit: 5000}, {Path: "address.line2", Limit: 5000},
	{Path: "address.postal_code", Limit: 5000}, {Path: "address.state", Limit: 5000},
}

func createLocation(c *api.Call) (any, error) {
	if err := c.CheckLengths(locationLengths...); err != nil {
		return nil, err
	}
	if err := c.Require("display_name"); err != nil {
		return nil, err
	}
	name, _ := c.Params.Str("display_name")
	o := c.Object("terminal.location", c.NewID("terminal.location"), store.Obj{
		"display_name": name, "metadata": map[string]any{},
	})
	delete(o, "created") // Stripe shows no creation time for Terminal objects
	addr, err := locationAddress(c, nil)
	if err != nil {
		return nil, err
	}
	o["address"] = addr
	if err := applyOverrides(c, o); err != nil {
		return nil, err
	}
	if err := c.ApplyMetadata(o); err != nil {
		return nil, err
	}
	return o, c.Put(o)
}

// locationAddress is the address a create or update sets: the fields sent
// over those stored (an update may send only some), the country one of
// Stripe's codes.
func locationAddress(c *api.Call, stored store.Obj) (store.Obj, error) {
	out := store.Obj{"city": nil, "country": nil, "line1": nil, "line2": nil, "postal_code": nil, "state": nil}
	for k, v := range stored {
		out[k] = v
	}
	a, ok := c.Params.Obj("address")
	if !ok {
		if stored == nil {
			return nil, apierr.MissingParam("address")
		}
		return out, nil
	}
	for _, f := range []string{"city", "line1", "line2", "postal_code", "state"} {
		if v, ok := a.Str(f); ok {
			out[f] = api.NilIfEmpty(v)
		}
	}
	if v, ok := a.Str("country"); ok {
		code := strings.ToUpper(v)
		if code == "" {
			return nil, apierr.InvalidEmpty("address[country]")
		}
		if !country.Known(code) {
			return nil, apierr.InvalidRequest("Country '%s' is unknown. Try using a 2-character alphanumeric country code instead, such as 'US', 'EG', or 'GB'. A full list of country codes is available at https://stripe.com/docs/api#country_codes", v).WithParam("address[country]")
		}
		// Stripe's reference: a location's country cannot change (a new
		// location is made, its readers registered again).
		if was := api.Str(stored["country"]); was != "" && was != code {
			return nil, apierr.InvalidRequest("You cannot change the country of a location (%s). To move readers to another country, create a new location and register the readers to it.", was).WithParam("address[country]")
		}
		out["country"] = code
	}
	if out["country"] == nil {
		return nil, apierr.MissingParam("address[country]")
	}
	return out, nil
}

// applyOverrides sets configuration_overrides: a configuration of the
// account, or unset with "".
func applyOverrides(c *api.Call, o store.Obj) error {
	if !c.Params.Has("configuration_overrides") {
		return nil
	}
	id, _ := c.Params.Str("configuration_overrides")
	if id == "" {
		delete(o, "configuration_overrides") // absent, not null, when none
		return nil
	}
	if _, ok := c.Tx.Get(c.Account, "terminal.configuration", id); !ok {
		return apierr.NoSuchObject("terminal configuration", id, "configuration_overrides")
	}
	o["configuration_overrides"] = id
	return nil
}

func retrieveLocation(c *api.Call) (any, error) {
	return retrieve(c, "terminal.location")
}

func updateLocation(c *api.Call) (any, error) {
	if err := c.CheckLengths(locationLengths...); err != nil {
		return nil, err
	}
	before, err := c.Load("terminal.location", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if c.Params.Has("display_name") {
		if c.Params.Unset("display_name") {
			return nil, apierr.InvalidEmpty("display_name")
		}
		after["display_name"], _ = c.Params.Str("display_name")
	}
	addr, err := locationAddress(c, api.Obj(before["address"]))
	if err != nil {
		return nil, err
	}
	after["address"] = addr
	if err := applyOverrides(c, after); err != nil {
		return nil, err
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	// No terminal.location.updated: Stripe has no such event.
	return after, c.Put(after)
}

// deleteLocation deletes a location without readers. A location still
// holding readers is refused (not verified against Stripe), so no reader
// names a location that is gone.
func deleteLocation(c *api.Call) (any, error) {
	o, err := c.Load("terminal.location", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	id := api.Str(o["id"])
	if p := c.Tx.List(c.Account, "terminal.reader", store.Query{Index: "location", Value: id, Limit: 1}); len(p.Data) > 0 {
		return nil, apierr.InvalidRequest("This location has readers registered to it (%s among them). Delete its readers before deleting the location.", p.Data[0]["id"])
	}
	return remove(c, "terminal.location", id)
}

func listLocations(c *api.Call) (any, error) {
	q, err := c.ListQuery("terminal.location")
	if err != nil {
		return nil, err
	}
	return c.Page("terminal.location", "/v1/terminal/locations", q), nil
}
