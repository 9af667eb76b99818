package api

import (
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
