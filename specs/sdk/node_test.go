package sdk_test

import (
	"os/exec"
	"time"

	. "github.com/onsi/ginkgo/v2"
)

var _ = Describe("stripe-node", Label("sdk"), func() {
	It("runs the four stories and the wire conventions with the official SDK (node/check.js)", func(ctx SpecContext) {
		node, dir := nodePackage(ctx, "node", "stripe")
		run := exec.CommandContext(ctx, node, "check.js")
		run.Dir = dir
		runCheck(run)
	}, SpecTimeout(2*time.Minute))
})
