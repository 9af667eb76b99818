package compat_test

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"os"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/specs/support"
)

// These specs use nothing but Stripe's public API: no clock, no seeding,
// no inspection. So the same calls and the same assertions run against
// whatever serves that API, as miniredis runs its commands against a real
// Redis:
//
//   - by default, an emulator in this process (every answer also checked
//     against stripe-go's types and Stripe's OpenAPI spec, as in every suite);
//   - STRIPE_COMPAT_URL=http://127.0.0.1:12111: a running stripe-emu (or
//     any server speaking Stripe's API, such as stripe-mock);
//   - STRIPE_COMPAT_KEY=sk_test_…: Stripe's own test mode (api.stripe.com,
//     or STRIPE_COMPAT_URL when set too). A failure there is a place where
//     the emulator's idea of Stripe is wrong.
//
// Specs that need a Connect platform carry the label "connect"; skip them
// against an account without Connect with --label-filter='!connect'.

// target is where a spec's calls go.
type target struct {
	sc *stripe.Client
	// run makes this run's names unique on a shared account.
	run string
}

func newTarget() *target {
	GinkgoHelper()
	t := &target{run: runID()}
	key, url := os.Getenv("STRIPE_COMPAT_KEY"), os.Getenv("STRIPE_COMPAT_URL")
	switch {
	case key != "":
		if !strings.HasPrefix(key, "sk_test_") && !strings.HasPrefix(key, "rk_test_") {
			Fail("STRIPE_COMPAT_KEY must be a test-mode key (sk_test_… or rk_test_…): these specs create objects")
		}
		t.sc = client(key, url)
	case url != "":
		t.sc = client("sk_test_compat", url)
	default:
		t.sc = support.Emulator().Client()
	}
	return t
}

func client(key, url string) *stripe.Client {
	cfg := &stripe.BackendConfig{
		HTTPClient:    &http.Client{Timeout: 80 * time.Second},
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	if url != "" {
		cfg.URL = stripe.String(url)
	}
	return stripe.NewClient(key, stripe.WithBackends(stripe.NewBackendsWithConfig(cfg)))
}

func runID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// email is an address unique to this run.
func (t *target) email(name string) string { return name + "+" + t.run + "@example.com" }
