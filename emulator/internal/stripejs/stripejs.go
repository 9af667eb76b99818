// Package stripejs serves stripe-emu's stand-in for Stripe.js: a script
// (stripe.js, ours, embedded) that defines window.Stripe with the calls
// most integrations make, talking to the emulator that served it with the
// publishable key, so browser tests of an app run offline.
package stripejs

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"strings"
)

//go:embed stripe.js
var script string

// Paths are where the script is served: js.stripe.com's paths under
// /js.stripe.com/, so a test swaps https://js.stripe.com/v3/ for
// <emulator>/js.stripe.com/v3/ (the path localstripe uses too), and the
// basil release's path that @stripe/stripe-js loads.
var Paths = []string{"/js.stripe.com/v3", "/js.stripe.com/v3/", "/js.stripe.com/basil/stripe.js"}

// Serve answers the script, told the emulator's origin as the browser
// reached it (the request's host), which is where it sends its API calls:
// right also when a test routes js.stripe.com's URL to the emulator.
func Serve(w http.ResponseWriter, req *http.Request) {
	origin, _ := json.Marshal(Origin(req))
	body := strings.Replace(script, `'__STRIPE_EMU_ORIGIN__'`, string(origin), 1)
	h := w.Header()
	h.Set("Content-Type", "application/javascript; charset=utf-8")
	// Loaded by pages on any origin, with or without crossorigin.
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(body))
}

// Origin is scheme://host the request was made to; behind a proxy that
// says so, its X-Forwarded-Proto and X-Forwarded-Host.
func Origin(req *http.Request) string {
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	if p := req.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := req.Host
	if h := req.Header.Get("X-Forwarded-Host"); h != "" {
		host, _, _ = strings.Cut(h, ",")
		host = strings.TrimSpace(host)
	}
	return scheme + "://" + host
}
