package payments

import "github.com/stripe-emu/stripe-emu/emulator/internal/api"

// metaTimer is api.MetaTimer, under the name the family's timers use.
var metaTimer = api.MetaTimer
