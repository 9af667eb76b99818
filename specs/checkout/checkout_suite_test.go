package checkout_test

import (
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-emu/stripe-emu/emulator"
)

func TestCheckout(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Checkout Sessions: the page's parameters and what completing them does")
}

// sessionEventsSince is the checkout.session.* events the platform
// recorded from its from-th event on, oldest first.
func sessionEventsSince(emu *emulator.Emulator, from int) []string {
	var out []string
	for _, t := range emu.EventTypes("")[from:] {
		if strings.HasPrefix(t, "checkout.session.") {
			out = append(out, t)
		}
	}
	return out
}
