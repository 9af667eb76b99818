// Package pages serves the pages behind the URLs the API hands out for a
// customer's (or a connected account owner's) browser: a hosted invoice
// and its PDF, a receipt, a credit note's PDF, a SEPA mandate, a payment
// link, an account link, a login link's Express Dashboard stand-in and the
// customer portal.
//
// Pages are outside the API pipeline: they take no API key (a connected
// account's page URL carries ?account=), read objects through Backend, and
// change anything only by calling the API through it, so the same rules
// and events follow as for an API client.
package pages

import (
	"net/url"

	"github.com/stripe-emu/stripe-emu/emulator/clock"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Object is a Stripe object as the API renders it.
type Object = map[string]any

// Backend is what pages need of the emulator serving them.
type Backend interface {
	// GetIn reads an object of account ("" is the platform) by id.
	GetIn(account, id string) (Object, bool)
	// Call makes an API request as the platform (or account), in process.
	Call(method, path string, form url.Values, account string) (int, Object, error)
	// Clock is the emulator's clock, which links expire on.
	Clock() *clock.Clock
	// Platform is the platform account's id.
	Platform() string
	// View reads the store directly, for what no API route shows (a
	// link's token, its return URLs).
	View(fn func(tx *store.Tx) error) error
	// Update writes what a page keeps outside any API object (an account
	// link's visits).
	Update(fn func(tx *store.Tx) error) error
}

// method is a test payment method a page offers, by id.
type method struct{ ID, Label string }
