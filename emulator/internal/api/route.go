package api

import "github.com/stripe-emu/stripe-emu/emulator/internal/params"

// Route is one endpoint: a method and path, the parameters it takes, and
// the handler that carries it out. Resource packages export a table of them.
type Route struct {
	Method string
	Path   string // gorilla/mux template, e.g. "/v1/customers/{id}"
	Params *params.Schema
	Handle func(c *Call) (any, error)
	// PinnedVersion marks an endpoint whose answer is the same in every
	// API version and that must be told, in Stripe-Version, the version of
	// the client that will use it (ephemeral keys, made for a mobile SDK
	// pinned to its own version): any real version is accepted, none is
	// refused.
	PinnedVersion bool
	// Upload marks an endpoint that takes multipart/form-data (POST
	// /v1/files): its file part reaches the handler as Call.Upload and its
	// body may be up to MaxUploadBytes.
	Upload bool
	// Publishable marks an endpoint Stripe also answers for a publishable
	// test key (pk_test_…), as it does the browser's file uploads; the
	// handler sees Call.Publishable and refuses what needs the secret key.
	Publishable bool
	// removed marks a route answered as an unknown URL (Removed).
	removed bool
	// V2 marks a v2 API endpoint (/v2/…): JSON bodies, v2 errors, lists
	// and idempotency (see v2.go).
	V2 bool
	// TokenAuth, on a v2 endpoint, authenticates requests by a temporary
	// session's token instead of an API key.
	TokenAuth TokenAuth
}

// GET, POST and DELETE build routes tersely for resource tables.
func GET(path string, p *params.Schema, h func(*Call) (any, error)) Route {
	return Route{Method: "GET", Path: path, Params: p, Handle: h}
}

func POST(path string, p *params.Schema, h func(*Call) (any, error)) Route {
	return Route{Method: "POST", Path: path, Params: p, Handle: h}
}

func DELETE(path string, p *params.Schema, h func(*Call) (any, error)) Route {
	return Route{Method: "DELETE", Path: path, Params: p, Handle: h}
}

func (r Route) readOnly() bool { return r.Method == "GET" }
