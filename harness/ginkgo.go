package harness

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"

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
		if s.App.Command == "" {
			return nil, fmt.Errorf("%s: no app registered as %q (registered: %s)", s.File, s.App.Handler, strings.Join(slices.Sorted(maps.Keys(apps)), ", "))
		}
	}
	if s.App.Command != "" {
		return CommandApp{Command: s.App.Command, Ready: s.App.Ready, Env: s.App.Env}, nil
	}
	return nil, nil // a scenario of Stripe calls and expectations only
}

// DescribeScenarios declares one Ginkgo spec per scenario file in dir:
// labels become Ginkgo labels, steps are reported with By, and a failure
// prints the step, the emulator's request and delivery logs and the seed.
// Each spec has its own emulator, so specs run in parallel safely.
func DescribeScenarios(dir string, apps Apps) bool {
	all, err := scenarios.LoadDir(dir)
	return Describe("scenarios in "+dir, func() {
		if err != nil {
			It("load", func() { Fail(err.Error()) })
			return
		}
		for _, s := range all {
			s := s
			It(s.Name, Label(s.Labels...), func() {
				app, err := AppFor(s, apps)
				if err != nil {
					Fail(err.Error())
				}
				err = Execute(s, app, Options{Step: func(_ int, d string) { By(d) }})
				if err != nil {
					Fail(err.Error())
				}
			})
		}
	})
}
