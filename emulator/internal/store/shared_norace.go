//go:build !race

package store

// CheckShared is off outside race builds: the check encodes every object
// a transaction held, which benchmarks and users need not pay for.
const CheckShared = false
