package api

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
)

// isTestKey is ^(sk|rk)_test_[A-Za-z0-9_]+$ without a regexp: it runs on
// every request.
func isTestKey(key string) bool {
	rest, ok := strings.CutPrefix(key, "sk_test_")
	if !ok {
		rest, ok = strings.CutPrefix(key, "rk_test_")
	}
	return ok && keyChars(rest)
}

// IsSecretTestKey reports whether the API takes key as a secret test key
// (sk_test_… or rk_test_…): the Go API's own key must be one.
func IsSecretTestKey(key string) bool { return isTestKey(key) }

// isPublishableTestKey is ^pk_test_[A-Za-z0-9_]+$.
func isPublishableTestKey(key string) bool {
	rest, ok := strings.CutPrefix(key, "pk_test_")
	return ok && keyChars(rest)
}

func keyChars(rest string) bool {
	if rest == "" {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// apiKey extracts and checks the key, as Bearer or as the user of HTTP
// basic auth (curl -u sk_test_…:), answering Stripe's 401s. publishable
// says the endpoint also takes a publishable test key (Route.Publishable).
func apiKey(r *http.Request, publishable bool) (string, *apierr.Error) {
	h := r.Header.Get("Authorization")
	var key string
	switch {
	case h == "":
		e := &apierr.Error{Status: 401, Unlogged: true, Type: apierr.TypeInvalidRequest, Message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/."}
		return "", e
	case strings.HasPrefix(h, "Bearer "):
		key = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	case strings.HasPrefix(h, "Basic "):
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(h, "Basic ")))
		if err != nil {
			return "", invalidAuthHeader()
		}
		key, _, _ = strings.Cut(string(raw), ":")
	default:
		return "", invalidAuthHeader()
	}
	switch {
	case publishable && isPublishableTestKey(key):
		return key, nil
	case !publishable && strings.HasPrefix(key, "pk_"):
		return "", PublishableRefused()
	case !isTestKey(key):
		// Live keys are refused too: the emulator has only test mode.
		return "", unknownKey(key)
	}
	return key, nil
}

// PublishableRefused answers a publishable key where only a secret key
// will do: in the pipeline, or in a Route.Publishable handler asked for
// what only a secret key may do.
func PublishableRefused() *apierr.Error {
	return &apierr.Error{Status: 401, Type: apierr.TypeInvalidRequest, Message: "This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys."}
}

// unknownKey refuses a key of no account (a live one too: the emulator
// has only test mode).
func unknownKey(key string) *apierr.Error {
	return &apierr.Error{Status: 401, Unlogged: true, Type: apierr.TypeInvalidRequest, Message: "Invalid API Key provided: " + maskKey(key)}
}

func invalidAuthHeader() *apierr.Error {
	return &apierr.Error{Status: 401, Unlogged: true, Type: apierr.TypeInvalidRequest, Message: "Invalid Authorization header. Use Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY') or HTTP Basic auth with your API key as the username."}
}

// maskKey hides all but the recognisable prefix and the last four
// characters, as Stripe does in its messages.
func maskKey(key string) string {
	prefix := ""
	for _, p := range []string{"sk_test_", "sk_live_", "rk_test_", "rk_live_", "pk_test_", "pk_live_"} {
		if strings.HasPrefix(key, p) {
			prefix = p
			break
		}
	}
	rest := key[len(prefix):]
	if len(rest) <= 4 {
		return prefix + strings.Repeat("*", len(rest))
	}
	return prefix + strings.Repeat("*", len(rest)-4) + rest[len(rest)-4:]
}

// Versions the emulator renders: the basil release train, whose object
// shapes it implements.
var basilVersions = map[string]bool{
	"2025-03-31.basil": true,
	"2025-04-30.basil": true,
	"2025-05-28.basil": true,
	"2025-06-30.basil": true,
	"2025-07-30.basil": true,
	"2025-08-27.basil": true,
}

var versionShape = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$`)

// wellFormed reports whether v could be one of Stripe's versions: a date
// that is one, with a release name or none.
func wellFormed(v string) bool {
	if !versionShape.MatchString(v) {
		return false
	}
	_, err := time.Parse(time.DateOnly, v[:10])
	return err == nil
}

// invalidVersion refuses a Stripe-Version. One naming betas after its
// version ("2025-08-27.basil; link_beta=v1") is refused as Stripe refuses
// a beta the account may not use, naming the first: the emulator has none.
func invalidVersion(v string) *apierr.Error {
	if base, betas, ok := strings.Cut(v, ";"); ok && wellFormed(strings.TrimSpace(base)) {
		first, _, _ := strings.Cut(betas, ";")
		name, _, _ := strings.Cut(first, "=")
		if name = strings.TrimSpace(name); name != "" {
			return apierr.InvalidRequest("Invalid Stripe API version: %s. You do not have permission to pass this beta header: %s. If you have any questions, we can help at https://support.stripe.com/.", v, name)
		}
	}
	return apierr.InvalidRequest("Invalid Stripe API version: %s", v)
}

// pinnedVersion reads Stripe-Version for a PinnedVersion endpoint.
func pinnedVersion(r *http.Request) (string, *apierr.Error) {
	v := strings.TrimSpace(r.Header.Get("Stripe-Version"))
	switch {
	case v == "":
		return "", apierr.InvalidRequest("Stripe-Version must be set to the API version of the client SDK that will use this key (it is pinned to that version).")
	case !wellFormed(v):
		return "", invalidVersion(v)
	}
	return v, nil
}

// apiVersion is the version a request is answered in. A well-formed
// version outside basil (an SDK newer or older than the emulator, sending
// its own pinned version) is answered in basil's shapes, with rendered
// true, unless strict, when it is refused: official clients used as they
// come should work, as they do against stripe-mock, while a test that
// depends on another version's shapes can ask to be told.
func apiVersion(r *http.Request, strict bool) (version string, rendered bool, err *apierr.Error) {
	v := strings.TrimSpace(r.Header.Get("Stripe-Version"))
	switch {
	case v == "":
		return APIVersion, false, nil
	case basilVersions[v]:
		return v, false, nil
	case !wellFormed(v):
		return "", false, invalidVersion(v)
	case strict:
		return "", false, apierr.InvalidRequest("Stripe API version %s is not supported by this emulator: it renders the basil versions (2025-03-31.basil to %s).", v, APIVersion)
	default:
		return APIVersion, true, nil
	}
}

// renderedWarning says, on an answer to another version, which shapes it
// is in.
func renderedWarning(asked string) string {
	return "Stripe-Version " + asked + " is answered in " + APIVersion + "'s shapes: stripe-emu renders the basil versions"
}
