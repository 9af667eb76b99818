package api

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// accountFor resolves the Stripe-Account (or Stripe-Context) header to the
// namespace the request works in: the platform's own, or a connected
// account the platform created.
func (s *Server) accountFor(r *http.Request) (string, error) {
	acct := strings.TrimSpace(r.Header.Get("Stripe-Account"))
	if acct == "" {
		acct = strings.TrimSpace(r.Header.Get("Stripe-Context"))
	}
	if acct == "" || acct == s.Platform {
		return s.Platform, nil
	}
	found := false
	err := s.Store.View(func(tx *store.Tx) error {
		found = tx.Exists(s.Platform, "account", acct)
		return nil
	})
	if err != nil {
		return "", err
	}
	if !found {
		key, _ := apiKey(r, true)
		e := &apierr.Error{Status: 403, Type: apierr.TypeInvalidRequest, Message: fmt.Sprintf("The provided key '%s' does not have access to account '%s' (or that account does not exist). Application access may have been revoked.", maskKey(key), acct)}
		return "", e.WithCode("account_invalid")
	}
	return acct, nil
}

// echoAccount repeats a request's Stripe-Account on its answer, as Stripe
// does: stripe-node reads it back as lastResponse.stripeAccount.
func echoAccount(h http.Header, r *http.Request) {
	if acct := strings.TrimSpace(r.Header.Get("Stripe-Account")); acct != "" {
		h["Stripe-Account"] = []string{acct}
	}
}

// ConnectApplication is the platform's Connect application (ca_…): the
// application of its application fees, of what it creates on connected
// accounts, and the one a connected account deauthorizes. It is derived
// from the platform's id, so it never changes.
func (e *Env) ConnectApplication() string {
	sum := sha256.Sum256([]byte("connect-application:" + e.Platform))
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 32)
	for i := range b {
		b[i] = digits[int(sum[i])%len(digits)]
	}
	return "ca_" + string(b)
}
