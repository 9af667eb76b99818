package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/emulator/clock"
)

// BenchmarkCreateConfirmPaymentIntent is POST /v1/payment_intents with
// confirm=true and pm_card_visa over loopback HTTP.
func BenchmarkCreateConfirmPaymentIntent(b *testing.B) {
	emu := emulator.Start(b)
	hc := client()
	body := "amount=2000&currency=usd&payment_method=pm_card_visa&confirm=true&return_url=https%3A%2F%2Fexample.com%2Freturn"
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			do(b, hc, "POST", emu.URL()+"/v1/payment_intents", body)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkCallCreateConfirmPaymentIntent is the same through emu.Call:
// the emulator's own work, without HTTP (one core, one caller).
func BenchmarkCallCreateConfirmPaymentIntent(b *testing.B) {
	emu := emulator.Start(b)
	form := url.Values{"amount": {"2000"}, "currency": {"usd"}, "payment_method": {"pm_card_visa"}, "confirm": {"true"}, "return_url": {"https://example.com/return"}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if status, body, err := emu.Call("POST", "/v1/payment_intents", form, ""); status != 200 || err != nil {
			b.Fatalf("%d %v %v", status, body, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// renewalSubs is how many subscriptions BenchmarkRenewals renews.
var renewalSubs = envInt("BENCH_RENEWAL_SUBS", 1000)

// BenchmarkRenewals advances the emulator clock across 12 monthly
// renewals of 1 000 subscriptions (one op = the whole year).
func BenchmarkRenewals(b *testing.B) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		clk := clock.NewFrozen(start)
		emu, err := emulator.New(emulator.WithClock(clk))
		if err != nil {
			b.Fatal(err)
		}
		_, prod, _ := emu.Call("POST", "/v1/products", url.Values{"name": {"Plan"}}, "")
		_, price, _ := emu.Call("POST", "/v1/prices", url.Values{"product": {prod["id"].(string)}, "currency": {"usd"}, "unit_amount": {"900"}, "recurring[interval]": {"month"}}, "")
		for s := 0; s < renewalSubs; s++ {
			_, cus, _ := emu.Call("POST", "/v1/customers", url.Values{"payment_method": {"pm_card_visa"}}, "")
			_, pms, _ := emu.Call("GET", "/v1/payment_methods", url.Values{"customer": {cus["id"].(string)}}, "")
			pm := pms["data"].([]any)[0].(map[string]any)["id"].(string)
			status, body, _ := emu.Call("POST", "/v1/subscriptions", url.Values{"customer": {cus["id"].(string)}, "items[0][price]": {price["id"].(string)}, "default_payment_method": {pm}}, "")
			if status != 200 {
				b.Fatalf("subscribe: %d %v", status, body)
			}
		}
		b.StartTimer()
		clk.Set(start.AddDate(1, 0, 1))
		b.StopTimer()
		if n := emu.Count("", "invoice"); n != 13*renewalSubs {
			b.Fatalf("%d invoices, want %d", n, 13*renewalSubs)
		}
		emu.Close()
	}
}

// BenchmarkWebhookFanout is events per second delivered to a local
// receiver, at concurrency 1 and 16.
func BenchmarkWebhookFanout(b *testing.B) {
	for _, conc := range []int{1, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
			}))
			defer recv.Close()
			emu := emulator.Start(b)
			id, _, err := emu.Webhooks().Listen(recv.URL, "customer.created")
			if err != nil {
				b.Fatal(err)
			}
			if err := emu.Webhooks().SetPolicy(id, emulator.WebhookPolicy{Hold: true, Concurrency: conc}); err != nil {
				b.Fatal(err)
			}
			for i := 0; i < b.N; i++ {
				if status, _, _ := emu.Call("POST", "/v1/customers", nil, ""); status != 200 {
					b.Fatal(status)
				}
			}
			b.ResetTimer()
			if err := emu.Webhooks().Release(id); err != nil {
				b.Fatal(err)
			}
			if err := emu.Webhooks().Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkRenewalsTestClock is BenchmarkRenewals on test clocks: 1 000
// customers, three to a clock (Stripe's limit), every clock advanced two
// months at a time (Stripe's limit for monthly subscriptions) across the
// same 12 renewals.
func BenchmarkRenewalsTestClock(b *testing.B) {
	const customersPerClock = 3
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		emu, err := emulator.New(emulator.WithClock(clock.NewFrozen(start)))
		if err != nil {
			b.Fatal(err)
		}
		var clockIDs []string
		_, prod, _ := emu.Call("POST", "/v1/products", url.Values{"name": {"Plan"}}, "")
		_, price, _ := emu.Call("POST", "/v1/prices", url.Values{"product": {prod["id"].(string)}, "currency": {"usd"}, "unit_amount": {"900"}, "recurring[interval]": {"month"}}, "")
		for s := 0; s < renewalSubs; s++ {
			if s%customersPerClock == 0 {
				_, clk, _ := emu.Call("POST", "/v1/test_helpers/test_clocks", url.Values{"frozen_time": {strconv.FormatInt(start.Unix(), 10)}}, "")
				clockIDs = append(clockIDs, clk["id"].(string))
			}
			_, cus, _ := emu.Call("POST", "/v1/customers", url.Values{"payment_method": {"pm_card_visa"}, "test_clock": {clockIDs[len(clockIDs)-1]}}, "")
			_, pms, _ := emu.Call("GET", "/v1/payment_methods", url.Values{"customer": {cus["id"].(string)}}, "")
			pm := pms["data"].([]any)[0].(map[string]any)["id"].(string)
			status, body, _ := emu.Call("POST", "/v1/subscriptions", url.Values{"customer": {cus["id"].(string)}, "items[0][price]": {price["id"].(string)}, "default_payment_method": {pm}}, "")
			if status != 200 {
				b.Fatalf("subscribe: %d %v", status, body)
			}
		}
		b.StartTimer()
		for m := 2; m <= 14; m += 2 {
			to := start.AddDate(0, min(m, 12), 0)
			if m == 14 {
				to = to.AddDate(0, 0, 1) // past the last renewal's finalization
			}
			for _, clockID := range clockIDs {
				if status, body, _ := emu.Call("POST", "/v1/test_helpers/test_clocks/"+clockID+"/advance", url.Values{"frozen_time": {strconv.FormatInt(to.Unix(), 10)}}, ""); status != 200 {
					b.Fatalf("advance: %d %v", status, body)
				}
			}
		}
		b.StopTimer()
		if n := emu.Count("", "invoice"); n != 13*renewalSubs {
			b.Fatalf("%d invoices, want %d", n, 13*renewalSubs)
		}
		emu.Close()
	}
}
