package harness

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

// appPort picks the port a command app is told to listen on. The port is
// free when picked but not held (the app binds it itself), so it is taken
// from below the range the OS hands out for port 0: an emulator, or any
// other listener started while the app compiles, can then never be given
// it, and answer the app's requests in its place.
func appPort() (int, error) {
	lo, hi := appPortRange()
	for range 64 {
		port := lo + rand.IntN(hi-lo)
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue // taken: try another
		}
		ln.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free port for the app in %d-%d", lo, hi)
}

// appPortRange is a range of ports below the OS's ephemeral ones: Linux's
// from /proc (32768 by default), else below the 49152 that macOS and
// Windows start at.
func appPortRange() (lo, hi int) {
	hi = 32768
	if raw, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(raw)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				hi = n
			}
		}
	}
	lo = max(hi-12000, 1024)
	if hi-lo < 1000 {
		// An unusual ephemeral range that starts very low: above it.
		lo, hi = 61000, 65000
	}
	return lo, hi
}

// portTaken reports whether an app's output says its port was taken, as
// Go, Node and Python put it.
func portTaken(output string) bool {
	return strings.Contains(strings.ToLower(output), "address already in use")
}
