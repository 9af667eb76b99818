package webhooks_test

import . "github.com/stripe-emu/stripe-emu/specs/support"

// receiver is the specs' webhook receiver (support.Receiver).
type receiver = Receiver

func newReceiver() *receiver { return NewReceiver() }
