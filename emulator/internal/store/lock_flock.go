//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store

import (
	"errors"
	"os"
	"syscall"
)

// errLocked is lockFile's answer for a file another store holds.
var errLocked = errors.New("locked")

// lockFile takes an exclusive lock on path+".lock", made if need be, for
// as long as the store is open: buntdb appends to its file from where it
// last wrote, so two stores on one file (parallel tests, or a second
// stripe-emu) would overwrite each other's writes. A lock of flock(2)
// belongs to the open file, so a second store in the same process is
// refused as one in another process is, and a process that dies lets go
// of it. The lock has a file of its own because buntdb, shrinking its
// file, replaces it with another.
func lockFile(path string) (release func(), err error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLocked
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}
