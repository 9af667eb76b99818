package sdk_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/emulator/wirecheck"
)

// runCheck runs an SDK's check script (run, in its directory) against a
// fresh emulator, through a server that holds every answer to stripe-go's
// types and Stripe's OpenAPI spec, as the Go specs' client does. The
// script gets the server's URL in STRIPE_EMU_URL and must print "all
// checks passed". Requests to the control surface (/_emu/) pass
// unchecked.
func runCheck(run *exec.Cmd) {
	emu := emulator.Start(GinkgoT())
	var mu sync.Mutex
	var bad []string
	var answered atomic.Int64
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answered.Add(1)
		emu.Handler().ServeHTTP(w, r)
	})
	stripeShaped := wirecheck.Handler(counted, func(method, path string, err error) {
		mu.Lock()
		defer mu.Unlock()
		bad = append(bad, method+" "+path+": "+err.Error())
	})
	checked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_emu/") {
			// The control surface (faults the scripts inject) is the
			// emulator's own, not Stripe's: nothing to hold to its shapes.
			emu.Handler().ServeHTTP(w, r)
			return
		}
		stripeShaped.ServeHTTP(w, r)
	}))
	DeferCleanup(checked.Close)
	run.Env = append(os.Environ(), "STRIPE_EMU_URL="+checked.URL)
	out, err := run.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "%s", out) // not a format: the output holds %PDF and the like
	Expect(string(out)).To(ContainSubstring("all checks passed"))
	mu.Lock()
	defer mu.Unlock()
	Expect(bad).To(BeEmpty(), "answers that do not match Stripe's shapes")
	Expect(answered.Load()).To(BeNumerically(">", 20), "the SDK's requests went through the checking server")
}

// nodePackage is node, and the check directory dir (under this package)
// with its npm packages installed: pkg comes from the registry the first
// time (the lock file fixes the exact packages). Without node, npm or the
// registry there is nothing to drive, which is said (the spec is skipped)
// rather than failed.
func nodePackage(ctx context.Context, dir, pkg string) (node, abs string) {
	GinkgoHelper()
	node, err := exec.LookPath("node")
	if err != nil {
		Skip("node is not installed")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		Skip("npm is not installed")
	}
	abs, _ = filepath.Abs(dir)
	if _, err := os.Stat(filepath.Join(abs, "node_modules", pkg, "package.json")); err != nil {
		install := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
		install.Dir = abs
		if out, err := install.CombinedOutput(); err != nil {
			Skip("could not install " + pkg + " (no npm registry?): " + firstLine(string(out)))
		}
	}
	return node, abs
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
