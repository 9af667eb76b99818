// Command shop-buggy serves the buggy shop (for `stripe-emu test --app`).
package main

import (
	"github.com/stripe-emu/stripe-emu/specs/apps/appkit"
	"github.com/stripe-emu/stripe-emu/specs/apps/shop"
)

func main() { appkit.Serve(shop.New(appkit.FromEnv(), false)) }
