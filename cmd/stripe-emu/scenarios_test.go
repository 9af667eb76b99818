package main

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/onsi/gomega"
)

func TestValidateReportsEveryMistakeWithItsLine(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: x\nsteps:\n  - stirpe: POST /v1/customers\n  - clock: {advance: soon}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"validate", bad}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"bad.yaml:3:5", `unknown step kind "stirpe"`, "bad.yaml:4:", `invalid duration "soon"`} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("validate output lacks %q:\n%s", want, errOut.String())
		}
	}
	if code := run([]string{"validate", "../../scenarios"}, &out, &errOut); code != 0 {
		t.Fatalf("the scenario library does not validate: %s", errOut.String())
	}
}

// The CLI runs the library's checkout stories against an app started as
// a command, and writes a JUnit report.
func TestTestRunsScenariosAgainstACommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the example app")
	}
	report := filepath.Join(t.TempDir(), "out.xml")
	var out, errOut bytes.Buffer
	code := run([]string{"test", "../../scenarios", "--label-filter", "story-4", "--app", "go run ../../specs/apps/shop-fixed", "--junit-report", report}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d:\n%s\n%s", code, out.String(), errOut.String())
	}
	suites, _ := readJUnit(t, report)
	s := suites.Suites[0]
	if s.Tests-s.Skipped != 5 || s.Failures != 0 { // the five story-4 scenarios (OXXO voucher among them)
		t.Errorf("report: %d tests, %d skipped, %d failures", s.Tests, s.Skipped, s.Failures)
	}

	out.Reset()
	code = run([]string{"test", "../../scenarios", "--focus", "delivered three times", "--app", "go run ../../specs/apps/shop-buggy"}, &out, &errOut)
	if code != 1 || !strings.Contains(out.String(), "fulfilments: want 1, got 3") || !strings.Contains(out.String(), "replay with seed") {
		t.Fatalf("the buggy shop was not caught (exit %d):\n%s", code, out.String())
	}
}

// --seed 0 is refused as STRIPE_EMU_SEED=0 and a file's seed: 0 are,
// rather than quietly running with a random seed.
func TestTestRefusesSeedZero(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"test", "../../scenarios", "--seed", "0"}, &out, &errOut); code != 2 {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	if !strings.Contains(errOut.String(), "--seed 0: want a whole number from 1 to 18446744073709551615") {
		t.Fatalf("message %q", errOut.String())
	}
}

// A --focus or --label-filter that leaves nothing to run fails, as a
// typo in a CI job's filter would otherwise pass it.
func TestTestFailsWhenNothingRuns(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"test", "../../scenarios", "--focus", "no scenario is named this"}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	if !strings.Contains(errOut.String(), "no scenario ran: --focus and --label-filter left none of the") {
		t.Fatalf("message %q", errOut.String())
	}
}

// The README's example scenario loads, passes against the fixed example
// shop and catches the buggy one: it means what it says.
func TestReadmeExampleScenarioMeansWhatItSays(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the example app")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## Scenarios: a payment story")
	_, example, ok2 := strings.Cut(section, "```yaml\n")
	example, _, ok3 := strings.Cut(example, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("the README's scenario section has no YAML example")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "checkout.yaml"), []byte(example), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"validate", dir}, &out, &errOut); code != 0 {
		t.Fatalf("the README's example does not load:\n%s", errOut.String())
	}
	if code := run([]string{"test", dir, "--app", "go run ../../specs/apps/shop-fixed"}, &out, &errOut); code != 0 {
		t.Fatalf("the fixed shop fails the README's example (exit %d):\n%s%s", code, out.String(), errOut.String())
	}
	out.Reset()
	if code := run([]string{"test", dir, "--app", "go run ../../specs/apps/shop-buggy"}, &out, &errOut); code != 1 || !strings.Contains(out.String(), "fulfilments: want 0, got 1") {
		t.Fatalf("the buggy shop passes the README's example (exit %d):\n%s", code, out.String())
	}
}

// Each scenario's steps are listed under its name, not above it.
func TestTestNamesEachScenarioBeforeItsSteps(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("name: A customer signs up\nsteps:\n  - stripe: POST /v1/customers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"test", dir}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out.String(), errOut.String())
	}
	want := "RUN  A customer signs up (" + filepath.Join(dir, "a.yaml") + ")\n   1. Stripe POST /v1/customers\nok   A customer signs up"
	if !strings.HasPrefix(out.String(), want) {
		t.Fatalf("output:\n%s\nwant it to start:\n%s", out.String(), want)
	}
}

// A file named twice (a directory and a file in it) runs once; two files
// of one scenario name are refused, as in one directory.
func TestTestRunsAFileOnceAndRefusesTwoOfOneName(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	a := filepath.Join(dir, "a.yaml")
	story := []byte("name: A customer signs up\nsteps:\n  - stripe: POST /v1/customers\n")
	for _, p := range []string{a, filepath.Join(other, "copy.yaml")} {
		if err := os.WriteFile(p, story, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"test", dir, a}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "1 passed, 0 failed") {
		t.Fatalf("exit %d:\n%s%s", code, out.String(), errOut.String())
	}
	out.Reset()
	if code := run([]string{"validate", dir, other}, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), `copy.yaml:1:7: name: "A customer signs up" is the name of `+a+" too") {
		t.Fatalf("exit %d:\n%s%s", code, out.String(), errOut.String())
	}
}

// --label-filter takes Ginkgo's label expressions, as the same scenarios
// run as Ginkgo specs take them, and refuses one it cannot read.
func TestLabelFilterIsGinkgos(t *testing.T) {
	for expr, want := range map[string]bool{
		"checkout":                  true,
		"billing":                   false,
		"checkout || billing":       true,
		"checkout && !slow":         true,
		"(checkout || x) && !story": true,
		"Checkout":                  true,
		"story-4,billing":           false,
		"!checkout":                 false,
	} {
		keep, err := labelFilter(expr)
		if err != nil {
			t.Errorf("%q: %v", expr, err)
			continue
		}
		if got := keep([]string{"checkout", "webhooks"}); got != want {
			t.Errorf("%q selects [checkout webhooks]: %v, want %v", expr, got, want)
		}
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"test", "../../scenarios", "--label-filter", "checkout &&"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "bad --label-filter") {
		t.Fatalf("exit %d:\n%s%s", code, out.String(), errOut.String())
	}
}

// An app given with --app still gets the scenario's app.env, which the
// story may depend on, and its app.ready unless --ready says otherwise.
func TestAppFlagKeepsTheScenariosEnvAndReady(t *testing.T) {
	dir := t.TempDir()
	story := "name: env\napp:\n  command: never run\n  ready: /mode\n  env: {SHOP_MODE: strict}\nsteps:\n  - expect:\n      app: GET /mode\n      status: 200\n"
	if err := os.WriteFile(filepath.Join(dir, "env.yaml"), []byte(story), 0o644); err != nil {
		t.Fatal(err)
	}
	app := `python3 -c 'import http.server,os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(404 if self.path != "/mode" else 200 if os.environ.get("SHOP_MODE") == "strict" else 500); self.end_headers()
http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()'`
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("the app is a python3 one-liner")
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"test", dir, "--app", app}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out.String(), errOut.String())
	}
}

// A scenario file with a mistake still leaves a JUnit report, its one
// failed case naming the mistakes, so a CI that reads the report shows
// why nothing ran.
func TestAMistakeIsInTheJUnitReport(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("name: x\nsteps:\n  - clock: {advance: soon}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "out.xml")
	var out, errOut bytes.Buffer
	if code := run([]string{"test", dir, "--junit-report", report}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d:\n%s%s", code, out.String(), errOut.String())
	}
	suites, raw := readJUnit(t, report)
	s := suites.Suites[0]
	if s.Tests != 1 || s.Failures != 1 || s.Cases[0].Failure == nil || !strings.Contains(s.Cases[0].Failure.Text, `bad.yaml:3:22: steps[0].clock.advance: invalid duration "soon"`) {
		t.Fatalf("report:\n%s", raw)
	}
}

// Interrupted (Ctrl-C, a cancelled CI job), test stops the app under
// test, which runs in its own process group that the interrupt does not
// reach, before exiting 130.
func TestAnInterruptedTestStopsTheApp(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("the app is a python3 one-liner")
	}
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	story := "name: slow\napp:\n  command: never run\nsteps:\n  - app: GET /slow\n"
	if err := os.WriteFile(filepath.Join(dir, "slow.yaml"), []byte(story), 0o644); err != nil {
		t.Fatal(err)
	}
	app := `python3 -c 'import http.server,os,time
open(` + strconv.Quote(pidFile) + `, "w").write(str(os.getpid()))
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/slow": time.sleep(60)
        self.send_response(200); self.end_headers()
http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()'`
	interrupt, exited := make(chan os.Signal, 1), make(chan int, 1)
	testSignals, osExit = interrupt, func(code int) { exited <- code }
	defer func() { testSignals, osExit = nil, os.Exit }()
	done := make(chan int, 1)
	var out, errOut syncBuffer
	go func() { done <- run([]string{"test", dir, "--app", app, "--ready", "/"}, &out, &errOut) }()
	g := gomega.NewWithT(t)
	var pid int
	g.Eventually(func() bool {
		raw, err := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(string(raw))
		return err == nil && pid > 0 && strings.Contains(out.String(), "1. app GET /slow")
	}, "20s").Should(gomega.BeTrue(), "the app did not start")
	interrupt <- os.Interrupt
	if code := <-exited; code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	g.Eventually(func() bool { return syscall.Kill(pid, 0) != nil }, "10s").Should(gomega.BeTrue(), "the app outlived the interrupt")
	<-done
	if !strings.Contains(errOut.String(), "stripe-emu: interrupted: stopped the app under test") {
		t.Errorf("stderr: %s", errOut.String())
	}
}

// A --ready path without its slash is refused at once, not waited on for a
// minute at http://127.0.0.1:PORThealthz.
func TestReadyWithoutItsSlashIsRefused(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"test", "../../scenarios", "--app", "./shop", "--ready", "healthz"}, &out, &errOut); code != 2 ||
		!strings.Contains(errOut.String(), `--ready "healthz": want a path on the app starting with /`) {
		t.Fatalf("exit %d:\n%s%s", code, out.String(), errOut.String())
	}
}

// readJUnit reads the JUnit report at path, with its text for failure
// messages.
func readJUnit(t *testing.T, path string) (junitSuites, []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var suites junitSuites
	if err := xml.Unmarshal(raw, &suites); err != nil {
		t.Fatalf("invalid JUnit XML: %v", err)
	}
	return suites, raw
}

// A path that is not there is named as such, and run with none, where
// no scenarios directory is, the message says the default it looked for,
// rather than Go's bare "stat scenarios: no such file or directory".
func TestAMissingPathSaysWhatWasLookedFor(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, cmd := range []string{"test", "validate"} {
		var out, errOut bytes.Buffer
		if code := run([]string{cmd}, &out, &errOut); code != 1 {
			t.Fatalf("%s: exit %d:\n%s", cmd, code, out.String())
		}
		if want := "stripe-emu: no scenarios directory here: given no path, stripe-emu " + cmd + " reads ./scenarios; name your scenario files or directories"; !strings.Contains(errOut.String(), want) {
			t.Errorf("%s: message %q, want %q", cmd, errOut.String(), want)
		}
		errOut.Reset()
		if code := run([]string{cmd, "storiez"}, &out, &errOut); code != 1 {
			t.Fatalf("%s storiez: exit %d", cmd, code)
		}
		if want := "stripe-emu: storiez: no such file or directory\n"; errOut.String() != want {
			t.Errorf("%s storiez: message %q, want %q", cmd, errOut.String(), want)
		}
	}
}
