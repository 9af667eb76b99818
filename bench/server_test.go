package bench

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The stripe-emu binary limited to one core (GOMAXPROCS=1), driven from
// this process over loopback: the server's own throughput on one core,
// without the client sharing it.
func startBinary(b *testing.B) (base string, pid int) {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "stripe-emu")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/stripe-emu").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve", "--addr", addr, "--log-level", "error")
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	base = "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return base, cmd.Process.Pid
		}
		if time.Now().After(deadline) {
			b.Fatal("stripe-emu did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// serverCPU is the CPU time the server process has used so far (Linux
// /proc; 0 elsewhere).
func serverCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the parenthesised command name; utime and stime are
	// the 14th and 15th, in clock ticks (100 a second on Linux).
	rest := string(raw[strings.LastIndexByte(string(raw), ')')+2:])
	f := strings.Fields(rest)
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// measureServer runs fn's requests from 32 client goroutines and reports
// both the rate seen and the rate per second of server CPU: on a two-core
// machine the client and the one-core server share the cores, so the rate
// seen is capped by the client as much as by the server, while requests
// per server CPU-second is what one core of server can do.
func measureServer(b *testing.B, pid int, fn func()) {
	b.SetParallelism(32)
	cpu0 := serverCPU(pid)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			fn()
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	if used := serverCPU(pid) - cpu0; used > 0 {
		b.ReportMetric(float64(b.N)/used.Seconds(), "req/cpu-s")
	}
}

// BenchmarkServerOneCore measures POST and GET of customers against the
// binary on one core, at 1 000 and 100 000 stored customers.
func BenchmarkServerOneCore(b *testing.B) {
	base, pid := startBinary(b)
	hc := client()
	stored := 0
	var last string
	seed := func(n int) {
		for ; stored < n; stored++ {
			last = post(b, hc, base+"/v1/customers", fmt.Sprintf("email=seed%d%%40example.com", stored))
		}
	}
	for _, n := range storeSizes {
		seed(n)
		b.Run(fmt.Sprintf("POST/store=%d", n), func(b *testing.B) {
			measureServer(b, pid, func() { do(b, hc, "POST", base+"/v1/customers", "email=b%40example.com&name=Bench") })
			stored += b.N // so the next size is seeded up to its number, not past it
		})
		b.Run(fmt.Sprintf("GET/store=%d", n), func(b *testing.B) {
			measureServer(b, pid, func() { do(b, hc, "GET", base+"/v1/customers/"+last, "") })
		})
	}
}

// BenchmarkServerPaymentIntentOneCore is POST /v1/payment_intents with
// confirm=true and pm_card_visa against the binary on one core.
func BenchmarkServerPaymentIntentOneCore(b *testing.B) {
	base, pid := startBinary(b)
	hc := client()
	measureServer(b, pid, func() {
		do(b, hc, "POST", base+"/v1/payment_intents", "amount=2000&currency=usd&payment_method=pm_card_visa&confirm=true&return_url=https%3A%2F%2Fexample.com%2Freturn")
	})
}
