package harness

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/stripe-emu/stripe-emu/scenarios"
)

// Apps maps the names scenario files use (app.handler) to apps.
type Apps map[string]App

// AppFor picks the app a scenario names: a registered handler, or its
// command.
func AppFor(s *scenarios.Scenario, apps Apps) (App, error) {
	if s.App.Handler != "" {
		if app, ok := apps[s.App.Handler]; ok {
			return app, nil
		}
		if s.App.Command == "" && len(apps) == 0 {
			return nil, fmt.Errorf("%s: no app registered as %q: none is; register it in the harness.Apps given to DescribeScenarios, or give the scenario an app.command", s.File, s.App.Handler)
		}
		if s.App.Command == "" {
			return nil, fmt.Errorf("%s: no app registered as %q (registered: %s)", s.File, s.App.Handler, strings.Join(slices.Sorted(maps.Keys(apps)), ", "))
		}
	}
	if s.App.Command != "" {
		return CommandApp{Command: s.App.Command, Ready: s.App.Ready, Env: s.App.Env, Dir: s.App.Dir}, nil
	}
	return nil, nil // a scenario of Stripe calls and expectations only
}

// DescribeScenarios declares one Ginkgo spec per scenario file in dir and
// its subdirectories (see scenarios.LoadDir):
// labels become Ginkgo labels, steps are reported with By, and a failure
// prints the step, the emulator's request and delivery logs and the seed.
// Each spec has its own emulator, so specs run in parallel safely.
//
// STRIPE_EMU_SEED, when set, replays one seed in every scenario, as a
// failure's report suggests.
func DescribeScenarios(dir string, apps Apps) bool {
	all, err := scenarios.LoadDir(dir)
	seed, serr := SeedFromEnv()
	err = errors.Join(err, serr)
	return Describe("scenarios in "+dir, func() {
		if err != nil {
			It("load", func() { Fail(err.Error()) })
			return
		}
		for _, s := range all {
			s := s
			// The spec sits at its file, where a reader of the report
			// (or an editor following it) should land.
			at := types.CodeLocation{FileName: s.File, LineNumber: 1}
			if abs, err := filepath.Abs(s.File); err == nil {
				at.FileName = abs
			}
			It(s.Name, Label(s.Labels...), at, func() {
				// An interrupted spec's cleanup still runs: its app, in
				// its own process group, must not outlive it.
				DeferCleanup(StopApps)
				app, err := AppFor(s, apps)
				if err != nil {
					Fail(err.Error())
				}
				err = Execute(s, app, Options{Seed: seed, Step: func(_ int, d string) { By(d) }})
				if err != nil {
					Fail(err.Error())
				}
			})
		}
	})
}

// SeedFromEnv reads STRIPE_EMU_SEED, the seed a failure's report says to
// replay with (0 when unset: each scenario's own, else random).
func SeedFromEnv() (uint64, error) {
	v := os.Getenv("STRIPE_EMU_SEED")
	if v == "" {
		return 0, nil
	}
	seed, err := strconv.ParseUint(v, 10, 64)
	if err != nil || seed == 0 {
		return 0, fmt.Errorf("STRIPE_EMU_SEED=%q: want a whole number from 1 to %d", v, uint64(math.MaxUint64))
	}
	return seed, nil
}
