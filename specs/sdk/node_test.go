package sdk_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/emulator/wirecheck"
)

var _ = Describe("stripe-node", Label("sdk"), func() {
	It("runs the four stories and the wire conventions with the official SDK (node/check.js)", func(ctx SpecContext) {
		node, err := exec.LookPath("node")
		if err != nil {
			Skip("node is not installed")
		}
		npm, err := exec.LookPath("npm")
		if err != nil {
			Skip("npm is not installed")
		}
		dir, _ := filepath.Abs("node")
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "stripe", "package.json")); err != nil {
			// The pinned SDK comes from the registry the first time (the
			// lock file fixes the exact packages); offline, there is no SDK
			// to drive, which is said rather than failed.
			install := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
			install.Dir = dir
			if out, err := install.CombinedOutput(); err != nil {
				Skip("could not install stripe-node (no npm registry?): " + firstLine(string(out)))
			}
		}
		emu := emulator.Start(GinkgoT())
		// The SDK talks to the emulator through a server that holds every
		// answer to stripe-go's types and Stripe's OpenAPI spec, as the Go
		// specs' client does.
		var mu sync.Mutex
		var bad []string
		var answered atomic.Int64
		counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			answered.Add(1)
			emu.Handler().ServeHTTP(w, r)
		})
		checked := httptest.NewServer(wirecheck.Handler(counted, func(method, path string, err error) {
			mu.Lock()
			defer mu.Unlock()
			bad = append(bad, method+" "+path+": "+err.Error())
		}))
		DeferCleanup(checked.Close)
		run := exec.CommandContext(ctx, node, "check.js")
		run.Dir = dir
		run.Env = append(os.Environ(), "STRIPE_EMU_URL="+checked.URL)
		out, err := run.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), "%s", out) // not a format: the output holds %PDF and the like
		Expect(string(out)).To(ContainSubstring("all checks passed"))
		mu.Lock()
		defer mu.Unlock()
		Expect(bad).To(BeEmpty(), "answers that do not match Stripe's shapes")
		Expect(answered.Load()).To(BeNumerically(">", 20), "the SDK's requests went through the checking server")
	}, SpecTimeout(2*time.Minute))
})

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
