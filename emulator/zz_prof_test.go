package emulator_test

import (
	"fmt"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/emulator/clock"
)

func TestZZProf(t *testing.T) {
	runtime.MemProfileRate = 64 * 1024
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := clock.NewFrozen(start)
	emu, _ := emulator.New(emulator.WithClock(clk))
	_, prod, _ := emu.Call("POST", "/v1/products", url.Values{"name": {"Plan"}}, "")
	_, price, _ := emu.Call("POST", "/v1/prices", url.Values{"product": {prod["id"].(string)}, "currency": {"usd"}, "unit_amount": {"900"}, "recurring[interval]": {"month"}}, "")
	for s := 0; s < 1000; s++ {
		_, cus, _ := emu.Call("POST", "/v1/customers", url.Values{"payment_method": {"pm_card_visa"}}, "")
		_, pms, _ := emu.Call("GET", "/v1/payment_methods", url.Values{"customer": {cus["id"].(string)}}, "")
		pm := pms["data"].([]any)[0].(map[string]any)["id"].(string)
		emu.Call("POST", "/v1/subscriptions", url.Values{"customer": {cus["id"].(string)}, "items[0][price]": {price["id"].(string)}, "default_payment_method": {pm}}, "")
	}
	runtime.GC()
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	f, _ := os.Create("/tmp/tick.prof")
	pprof.StartCPUProfile(f)
	t0 := time.Now()
	clk.Set(start.AddDate(1, 0, 1))
	pprof.StopCPUProfile()
	fmt.Println("tick", time.Since(t0))
	runtime.GC()
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)
	fmt.Printf("alloc per renewal %.0f KB, %.0f objects; live heap %d MB -> %d MB (%.1f KB per renewal)\n", float64(ms1.TotalAlloc-ms0.TotalAlloc)/12000/1024, float64(ms1.Mallocs-ms0.Mallocs)/12000, ms0.HeapAlloc>>20, ms1.HeapAlloc>>20, float64(ms1.HeapAlloc-ms0.HeapAlloc)/12000/1024)
	mf, _ := os.Create("/tmp/tick.mprof")
	pprof.Lookup("heap").WriteTo(mf, 0)
	mf.Close()
	runtime.KeepAlive(emu)
}
