package bench

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stripe-emu/stripe-emu/emulator"
)

// storeSizes are the numbers of customers already stored when measuring.
var storeSizes = []int{1_000, 100_000}

func seeded(b *testing.B, customers int) (*emulator.Emulator, string) {
	b.Helper()
	emu := emulator.Start(b)
	var last string
	for i := 0; i < customers; i++ {
		status, c, err := emu.Call("POST", "/v1/customers", url.Values{"email": {fmt.Sprintf("seed%d@example.com", i)}}, "")
		if err != nil || status != 200 {
			b.Fatalf("seed: %d %v", status, err)
		}
		last = c["id"].(string)
	}
	return emu, last
}

func client() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
}

func do(b *testing.B, hc *http.Client, method, u, body string) {
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer sk_test_bench")
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := hc.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Errorf("%s %s: %d", method, u, resp.StatusCode)
	}
}

// BenchmarkCreateCustomer is POST /v1/customers over loopback HTTP.
func BenchmarkCreateCustomer(b *testing.B) {
	for _, n := range storeSizes {
		b.Run(fmt.Sprintf("store=%d", n), func(b *testing.B) {
			emu, _ := seeded(b, n)
			hc := client()
			var i atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					do(b, hc, "POST", emu.URL()+"/v1/customers", fmt.Sprintf("email=b%d%%40example.com&name=Bench", i.Add(1)))
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkGetCustomer is GET /v1/customers/:id of an existing customer.
func BenchmarkGetCustomer(b *testing.B) {
	for _, n := range storeSizes {
		b.Run(fmt.Sprintf("store=%d", n), func(b *testing.B) {
			emu, id := seeded(b, n)
			hc := client()
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					do(b, hc, "GET", emu.URL()+"/v1/customers/"+id, "")
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkStartup is how long New takes to be ready to serve.
func BenchmarkStartup(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		emu, err := emulator.New()
		if err != nil {
			b.Fatal(err)
		}
		emu.Close()
	}
}

// post creates an object and returns its id.
func post(b *testing.B, hc *http.Client, u, body string) string {
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer sk_test_bench")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	s := string(raw)
	i := strings.Index(s, `"id": "`)
	if i < 0 {
		b.Fatalf("no id in %s", s)
	}
	s = s[i+7:]
	return s[:strings.IndexByte(s, '"')]
}
