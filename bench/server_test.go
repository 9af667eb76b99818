package bench

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The stripe-emu binary limited to one core (GOMAXPROCS=1), driven from
// this process over loopback: the server's own throughput on one core,
// without the client sharing it.
func startBinary(b *testing.B) string {
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
	base := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return base
		}
		if time.Now().After(deadline) {
			b.Fatal("stripe-emu did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkServerOneCore measures POST and GET of customers against the
// binary on one core, at 1 000 and 100 000 stored customers.
func BenchmarkServerOneCore(b *testing.B) {
	base := startBinary(b)
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
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					do(b, hc, "POST", base+"/v1/customers", "email=b%40example.com&name=Bench")
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
		b.Run(fmt.Sprintf("GET/store=%d", n), func(b *testing.B) {
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					do(b, hc, "GET", base+"/v1/customers/"+last, "")
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}
