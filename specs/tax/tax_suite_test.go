package tax_test

import (
	"github.com/stripe-emu/stripe-emu/emulator"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestTax(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Stripe Tax: settings, registrations, tax codes, customer tax locations")
}

// eventsOf are the platform's events of one type, oldest first.
func eventsOf(emu *emulator.Emulator, typ string) []map[string]any {
	var out []map[string]any
	for _, ev := range emu.Events("") {
		if ev["type"] == typ {
			out = append(out, ev)
		}
	}
	return out
}
