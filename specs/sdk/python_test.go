package sdk_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
)

var _ = Describe("stripe-python", Label("sdk"), func() {
	It("runs the four stories and the wire conventions with the official SDK (python/check.py)", func(ctx SpecContext) {
		python := pythonWithStripe()
		if python == "" {
			Skip("no python3 imports stripe: `make sdk-deps` installs Debian's python3-stripe (as root, with apt-get)")
		}
		dir, _ := filepath.Abs("python")
		run := exec.CommandContext(ctx, python, "check.py")
		run.Dir = dir
		runCheck(run)
	}, SpecTimeout(2*time.Minute))
})

// pythonWithStripe is the first Python that imports the stripe package:
// $STRIPE_EMU_PYTHON, then the system's (where Debian's python3-stripe
// installs it), then the one on PATH.
func pythonWithStripe() string {
	for _, p := range []string{os.Getenv("STRIPE_EMU_PYTHON"), "/usr/bin/python3", "python3"} {
		if p == "" {
			continue
		}
		if err := exec.Command(p, "-c", "import stripe").Run(); err == nil {
			return p
		}
	}
	return ""
}
