//go:build race

package store

// CheckShared: builds with the race detector (make test) check at the end
// of every transaction that no shared object was changed without being
// stored again.
const CheckShared = true
