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
	key, _ := apiKey(r, true)
	scoped, isToken, found := "", false, false
	err := s.Store.View(func(tx *store.Tx) error {
		// An OAuth access token (or the publishable key handed out with
		// it) is a key of the connected account it was issued for.
		if scoped, isToken = tx.GetMeta(OAuthKeyMeta + key); isToken {
			found = scoped != "" && tx.Exists(s.Platform, "account", scoped)
			return nil
		}
		if acct != "" && acct != s.Platform {
			found = tx.Exists(s.Platform, "account", acct)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if isToken {
		switch {
		case !found:
			// Revoked (the code was used twice) or deauthorized.
			return "", &apierr.Error{Status: 401, Type: apierr.TypeInvalidRequest, Message: "Invalid API Key provided: " + maskKey(key)}
		case acct == "" || acct == scoped:
			return scoped, nil
		}
		// A connected account's key reaches no other account.
		found = false
	} else if acct == "" || acct == s.Platform {
		return s.Platform, nil
	}
	if !found {
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

// OAuthKeyMeta prefixes the meta entry mapping a key issued by Connect
// OAuth (an access token, its publishable key) to the connected account it
// acts for; "" once revoked.
const OAuthKeyMeta = "oauth_key:"

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
