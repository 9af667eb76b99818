package bench

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stripe-emu/stripe-emu/harness"
	"github.com/stripe-emu/stripe-emu/scenarios"
	"github.com/stripe-emu/stripe-emu/specs/apps/bookings"
	"github.com/stripe-emu/stripe-emu/specs/apps/coworking"
	"github.com/stripe-emu/stripe-emu/specs/apps/organizers"
	"github.com/stripe-emu/stripe-emu/specs/apps/pricing"
	"github.com/stripe-emu/stripe-emu/specs/apps/shop"
	"github.com/stripe-emu/stripe-emu/specs/apps/wholesale"
)

// BenchmarkScenarioLibrary is the wall time of the whole scenario library
// against the fixed example apps, two scenarios at a time (like ginkgo -p
// on two cores). One op = the whole library.
func BenchmarkScenarioLibrary(b *testing.B) {
	all, err := scenarios.LoadDir("../scenarios")
	if err != nil {
		b.Fatal(err)
	}
	wrap := func(f func(harness.AppEnv, bool) http.Handler) harness.App {
		return harness.HandlerApp(func(env harness.AppEnv) http.Handler { return f(env, true) })
	}
	apps := harness.Apps{"shop": wrap(shop.New), "pricing": wrap(pricing.New), "organizers": wrap(organizers.New), "bookings": wrap(bookings.New), "coworking": wrap(coworking.New),
		"wholesale": wrap(wholesale.New)}
	for i := 0; i < b.N; i++ {
		work := make(chan *scenarios.Scenario)
		var wg sync.WaitGroup
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for s := range work {
					app, err := harness.AppFor(s, apps)
					if err == nil {
						err = harness.Execute(s, app, harness.Options{})
					}
					if err != nil {
						b.Error(err)
					}
				}
			}()
		}
		for _, s := range all {
			work <- s
		}
		close(work)
		wg.Wait()
	}
	b.ReportMetric(float64(len(all)), "scenarios")
}
