package main

import (
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/stripe-emu/stripe-emu/harness"
	"github.com/stripe-emu/stripe-emu/scenarios"
)

// testSignals stands in for the process's interrupts in tests; osExit
// for os.Exit.
var (
	testSignals chan os.Signal
	osExit      = os.Exit
)

// loadScenarios reads files and directories of scenarios, reporting every
// problem in every file; given none, cmd (test or validate) reads
// ./scenarios.
func loadScenarios(cmd string, paths []string) ([]*scenarios.Scenario, error) {
	defaulted := len(paths) == 0
	if defaulted {
		paths = []string{"scenarios"}
	}
	var out []*scenarios.Scenario
	var all scenarios.ValidationError
	seen := map[string]bool{}
	for _, p := range paths {
		info, err := os.Stat(p)
		switch {
		case defaulted && errors.Is(err, fs.ErrNotExist):
			// The user named nothing: say what was looked for.
			return nil, fmt.Errorf("stripe-emu: no scenarios directory here: given no path, stripe-emu %s reads ./scenarios; name your scenario files or directories", cmd)
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("stripe-emu: %s: no such file or directory", p)
		case err != nil:
			return nil, fmt.Errorf("stripe-emu: %w", err)
		}
		var got []*scenarios.Scenario
		if info.IsDir() {
			got, err = scenarios.LoadDir(p)
		} else {
			var s *scenarios.Scenario
			s, err = scenarios.Load(p)
			got = []*scenarios.Scenario{s}
		}
		var ve *scenarios.ValidationError
		if errors.As(err, &ve) {
			all.Problems = append(all.Problems, ve.Problems...)
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, s := range got {
			// A file named twice (its directory and itself) runs once.
			abs, _ := filepath.Abs(s.File)
			if !seen[abs] {
				seen[abs] = true
				out = append(out, s)
			}
		}
	}
	all.Problems = append(all.Problems, scenarios.DuplicateNames(out)...)
	if len(all.Problems) > 0 {
		return nil, &all
	}
	return out, nil
}

// parseInterspersed parses flags that may come after positional
// arguments (stripe-emu test scenarios/ --app ...), returning the
// positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// validate checks scenario files without running anything.
func validate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return exitForFlags(err)
	}
	all, err := loadScenarios("validate", paths)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%d scenario(s) valid\n", len(all))
	return 0
}

// labelFilter reads a label expression as Ginkgo's --label-filter does
// ("story-4,billing", "checkout && !slow", "(a || b) && !c"), so a
// filter selects the same scenarios here as in a Ginkgo suite.
func labelFilter(expr string) (func([]string) bool, error) {
	f, err := types.ParseLabelFilter(expr)
	if err != nil {
		return nil, err
	}
	return f, nil
}

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     float64     `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      float64       `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *struct{}     `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// test runs scenarios against an app, like the Ginkgo harness does.
func test(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	app := fs.String("app", "", "command that starts the app under test (gets STRIPE_API_BASE, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, PORT); default: each scenario's app.command")
	ready := fs.String("ready", "/healthz", "path on the app that answers 2xx or 3xx once it is ready (a 4xx fails at once: the wrong path); default: each scenario's app.ready, else /healthz")
	focus := fs.String("focus", "", "run only scenarios whose name matches this regular expression")
	labels := fs.String("label-filter", "", "run only scenarios whose labels match, in Ginkgo's --label-filter syntax, e.g. 'story-4,billing' or '(checkout || billing) && !slow'")
	envSeed, err := harness.SeedFromEnv()
	if err != nil {
		fmt.Fprintf(stderr, "stripe-emu: %v\n", err)
		return 2
	}
	seed := fs.Uint64("seed", envSeed, "seed for webhook ordering (default: STRIPE_EMU_SEED, else each scenario's, else random)")
	junit := fs.String("junit-report", "", "write a JUnit XML report to this file")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return exitForFlags(err)
	}
	seedGiven, readyGiven := false, false
	fs.Visit(func(f *flag.Flag) {
		seedGiven = seedGiven || f.Name == "seed"
		readyGiven = readyGiven || f.Name == "ready"
	})
	if !strings.HasPrefix(*ready, "/") {
		fmt.Fprintf(stderr, "stripe-emu: --ready %q: want a path on the app starting with /\n", *ready)
		return 2
	}
	if seedGiven && *seed == 0 {
		fmt.Fprintf(stderr, "stripe-emu: --seed 0: want a whole number from 1 to %d (leave it out for each scenario's seed, else a random one)\n", uint64(math.MaxUint64))
		return 2
	}
	all, err := loadScenarios("test", paths)
	if err != nil {
		fmt.Fprintln(stderr, err)
		if *junit != "" {
			// As a Ginkgo suite reports a failed "load" spec: a CI that
			// reads the report shows why nothing ran.
			first, _, _ := strings.Cut(err.Error(), "\n")
			suite := junitSuite{Name: "stripe-emu scenarios", Tests: 1, Failures: 1,
				Cases: []junitCase{{Name: "load", Classname: "stripe-emu", Failure: &junitFailure{Message: first, Text: err.Error()}}}}
			if werr := writeJUnit(*junit, suite); werr != nil {
				fmt.Fprintf(stderr, "stripe-emu: %v\n", werr)
			}
		}
		return 1
	}
	var focusRe *regexp.Regexp
	if *focus != "" {
		if focusRe, err = regexp.Compile(*focus); err != nil {
			fmt.Fprintf(stderr, "stripe-emu: bad --focus: %v\n", err)
			return 2
		}
	}
	// Interrupted, the app under test must not outlive the run: it runs
	// in its own process group, which a terminal's Ctrl-C does not reach.
	sigs := testSignals
	if sigs == nil {
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(c)
		sigs = c
	}
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-sigs:
			harness.StopApps()
			fmt.Fprintln(stderr, "stripe-emu: interrupted: stopped the app under test")
			osExit(130)
		case <-finished:
		}
	}()
	keep, err := labelFilter(*labels)
	if err != nil {
		fmt.Fprintf(stderr, "stripe-emu: bad --label-filter: %v\n", err)
		return 2
	}
	suite := junitSuite{Name: "stripe-emu scenarios"}
	start := time.Now()
	failed := 0
	for _, s := range all {
		tc := junitCase{Name: s.Name, Classname: filepath.Base(s.File)}
		if (focusRe != nil && !focusRe.MatchString(s.Name)) || !keep(s.Labels) {
			tc.Skipped = &struct{}{}
			suite.Skipped++
			suite.Cases = append(suite.Cases, tc)
			continue
		}
		var a harness.App
		switch {
		case *app != "":
			// The scenario's env still applies: its story may depend on it;
			// and its ready path, unless --ready says otherwise.
			r := *ready
			if !readyGiven && s.App.Ready != "" {
				r = s.App.Ready
			}
			a = harness.CommandApp{Command: *app, Ready: r, Env: s.App.Env}
		case s.App.Command != "":
			a, err = harness.AppFor(s, nil)
		case s.App.Handler != "":
			err = fmt.Errorf("%s names only an in-process app (%q): pass --app", s.File, s.App.Handler)
		}
		t0 := time.Now()
		fmt.Fprintf(stdout, "RUN  %s (%s)\n", s.Name, s.File)
		if err == nil {
			err = harness.Execute(s, a, harness.Options{Seed: *seed, Step: func(i int, d string) {
				fmt.Fprintf(stdout, "  %2d. %s\n", i+1, d)
			}})
		}
		tc.Time = time.Since(t0).Seconds()
		if err != nil {
			failed++
			first, _, _ := strings.Cut(err.Error(), "\n")
			tc.Failure = &junitFailure{Message: first, Text: err.Error()}
			fmt.Fprintf(stdout, "FAIL %s (%s)\n%s\n", s.Name, s.File, err)
		} else {
			fmt.Fprintf(stdout, "ok   %s (%.2fs)\n", s.Name, tc.Time)
		}
		err = nil
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Tests = len(suite.Cases)
	suite.Failures = failed
	suite.Time = time.Since(start).Seconds()
	ran := suite.Tests - suite.Skipped
	fmt.Fprintf(stdout, "%d passed, %d failed, %d skipped\n", ran-failed, failed, suite.Skipped)
	nothingRan := ran == 0
	if nothingRan {
		fmt.Fprintf(stderr, "stripe-emu: no scenario ran: --focus and --label-filter left none of the %d\n", suite.Tests)
	}
	if *junit != "" {
		if err := writeJUnit(*junit, suite); err != nil {
			fmt.Fprintf(stderr, "stripe-emu: %v\n", err)
			return 1
		}
	}
	if failed > 0 || nothingRan {
		return 1
	}
	return 0
}

func writeJUnit(file string, suite junitSuite) error {
	b, _ := xml.MarshalIndent(junitSuites{Suites: []junitSuite{suite}}, "", "  ")
	return os.WriteFile(file, append([]byte(xml.Header), b...), 0o644)
}
