package terminal

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Connection tokens let a Terminal SDK talk to Stripe. The emulator serves
// no SDK endpoint, so a token is only made and handed back, never stored.

func tokenRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/terminal/connection_tokens", params.FromStruct(stripe.TerminalConnectionTokenCreateParams{}).Without("metadata"), createToken),
	}
}

func createToken(c *api.Call) (any, error) {
	if err := c.CheckLengths(api.MaxLength{Path: "location", Limit: 5000}); err != nil {
		return nil, err
	}
	o := store.Obj{"object": "terminal.connection_token", "secret": "pst_test_" + c.IDs.Secret(30)}
	if id, _ := c.Params.Str("location"); id != "" {
		if _, ok := c.Tx.Get(c.Account, "terminal.location", id); !ok {
			return nil, apierr.NoSuchObject("terminal location", id, "location")
		}
		o["location"] = id
	}
	return o, nil
}
