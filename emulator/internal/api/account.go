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
	if (acct == "" || acct == s.Platform) && !s.oauthKeys.Load() {
		return s.Platform, nil
	}
	err := s.Store.View(func(tx *store.Tx) error {
		// An OAuth access token (or the publishable key handed out with
		// it) is a key of the connected account it was issued for.
		if scoped, isToken = s.OAuthKeyFor(tx, key); isToken {
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
			return "", unknownKey(key)
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

// oauthKeyMeta prefixes the meta entry mapping a key issued by Connect
// OAuth (an access token, its publishable key) to the connected account it
// acts for; "" once revoked.
const oauthKeyMeta = "oauth_key:"

// SetOAuthKey records that key, issued by Connect OAuth, acts for account
// ("" once revoked).
func (e *Env) SetOAuthKey(tx *store.Tx, key, account string) error {
	e.oauthKeys.Store(true)
	return tx.SetMeta(oauthKeyMeta+key, account)
}

// OAuthKeyFor says whether key was issued by Connect OAuth, and for which
// account ("" once revoked). Until a key has been issued (or found in a
// persisted store: NoteOAuthKeys) nothing is looked up, so the API's
// requests pay nothing for OAuth.
func (e *Env) OAuthKeyFor(tx *store.Tx, key string) (account string, ok bool) {
	if !e.oauthKeys.Load() {
		return "", false
	}
	return tx.GetMeta(oauthKeyMeta + key)
}

// NoteOAuthKeys notes the keys a store opened with already holds.
func (e *Env) NoteOAuthKeys(tx *store.Tx) {
	tx.ScanMeta(oauthKeyMeta, func(string, string) bool {
		e.oauthKeys.Store(true)
		return false
	})
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
