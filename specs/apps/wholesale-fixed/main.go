// Command wholesale-fixed serves the fixed wholesale app (for `stripe-emu test --app`).
package main

import (
	"github.com/stripe-emu/stripe-emu/specs/apps/appkit"
	"github.com/stripe-emu/stripe-emu/specs/apps/wholesale"
)

func main() { appkit.Serve(wholesale.New(appkit.FromEnv(), true)) }
