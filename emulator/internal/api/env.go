package api

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/delivery"
	"log/slog"
	"sync/atomic"

	"github.com/stripe-emu/stripe-emu/emulator/clock"
	"github.com/stripe-emu/stripe-emu/emulator/internal/ids"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Env is what every request shares: the store, the clock, id generation,
// the kinds of objects, and where committed events go.
type Env struct {
	Store    *store.Store
	Clock    *clock.Clock
	IDs      *ids.Generator
	Registry *Registry
	Events   *EventLog
	Log      *slog.Logger

	// Platform is the account that owns the API key; connected accounts
	// are objects in its namespace.
	Platform string

	// BaseURL is where the emulator is served ("" if unknown), for URLs
	// it hands out (3-D Secure and Checkout pages).
	BaseURL func() string

	// Webhooks delivers committed events to webhook endpoints.
	Webhooks *delivery.Dispatcher

	// UpcomingInvoiceLead is how long before a renewal invoice.upcoming
	// is sent, in seconds, as Stripe's "upcoming renewal events" setting
	// says; 0 sends none.
	UpcomingInvoiceLead int64

	// StrictVersions refuses requests pinned to a real API version whose
	// shapes are not basil's; by default they are answered in basil's
	// shapes, with a Stripe-Emu-Warning header saying so.
	StrictVersions bool

	// RefuseRawCardData refuses card numbers sent to the API, as a Stripe
	// account without access to the raw card data APIs does (new accounts,
	// test mode included); by default they are accepted, as stripe-mock
	// and older accounts do.
	RefuseRawCardData bool

	// oauthKeys says Connect OAuth may have issued a key: until then a
	// request's key is not looked up (OAuthKeyFor).
	oauthKeys atomic.Bool
}

// APIVersion is the version the emulator renders (stripe-go v82.5.1's).
const APIVersion = "2025-08-27.basil"
