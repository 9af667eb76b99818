package sdk_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
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
		run := exec.CommandContext(ctx, node, "check.js")
		run.Dir = dir
		runCheck(run)
	}, SpecTimeout(2*time.Minute))
})
