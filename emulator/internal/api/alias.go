package api

import "github.com/stripe-emu/stripe-emu/emulator/internal/apierr"

// As runs handler h for an older route that is another name for h's: vars
// are h's path variables, and set the parameters the older path carries
// (nil for none), which the older route's schema does not take, so a
// caller cannot send them. A list h answers is shown at the older route's
// URL, as Stripe shows it. Everything else (rules, events, unread
// parameters) is h's own.
func (c *Call) As(h func(*Call) (any, error), vars map[string]string, set map[string]any) (any, error) {
	savedVars, savedParams := c.Vars, c.Params
	defer func() { c.Vars, c.Params = savedVars, savedParams }()
	c.Vars = vars
	if set != nil {
		c.Params = c.Params.With(set)
	}
	res, err := h(c)
	if l, ok := res.(*List); ok && err == nil {
		l.URL = c.Path
	}
	return res, err
}

// Removed is a route an API version took away that a pattern route would
// otherwise answer (GET /v1/invoices/upcoming, removed in basil, would be
// read as the invoice "upcoming"): it is answered as any unknown URL is.
func Removed(method, path string) Route {
	return Route{Method: method, Path: path, removed: true}
}

// unrecognizedURL is Stripe's answer to a method and path it has no route
// for.
func unrecognizedURL(method, path string) *apierr.Error {
	e := apierr.InvalidRequest("Unrecognized request URL (%s: %s). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.", method, path)
	e.Status = 404
	return e
}
