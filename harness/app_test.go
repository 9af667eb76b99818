package harness

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stripe-emu/stripe-emu/scenarios"
)

// TestMain lets the test binary play a command app: run with
// HARNESS_FAKE_APP set, it serves "fake app" on $PORT (or on
// HARNESS_FAKE_APP_PORT, as an app ignoring $PORT does; only on the path
// HARNESS_FAKE_APP_ONLY when that is set, 404 elsewhere; asked for /exit,
// it exits with status 4), except that with
// HARNESS_FAKE_APP_TAKEN naming a file that does not exist yet, it first
// creates the file and fails as a server whose port is taken does.
func TestMain(m *testing.M) {
	if os.Getenv("HARNESS_FAKE_APP") == "" {
		os.Exit(m.Run())
	}
	if marker := os.Getenv("HARNESS_FAKE_APP_TAKEN"); marker != "" {
		if _, err := os.Stat(marker); errors.Is(err, os.ErrNotExist) {
			_ = os.WriteFile(marker, nil, 0o644)
			fmt.Println("listen tcp 127.0.0.1:" + os.Getenv("PORT") + ": bind: address already in use")
			os.Exit(1)
		}
	}
	port := os.Getenv("PORT")
	if p := os.Getenv("HARNESS_FAKE_APP_PORT"); p != "" {
		port = p
	}
	_ = http.ListenAndServe("127.0.0.1:"+port, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/exit" {
			os.Exit(4)
		}
		if only := os.Getenv("HARNESS_FAKE_APP_ONLY"); only != "" && r.URL.Path != only {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, "fake app")
	}))
	os.Exit(1)
}

func fakeApp(t *testing.T, env map[string]string) CommandApp {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env["HARNESS_FAKE_APP"] = "1"
	return CommandApp{Command: strconv.Quote(self), Ready: "/", Env: env}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// The app's port is never one the OS hands out for port 0, which is how
// an emulator (or anything else started while the app compiles) binds: so
// nothing else can answer in the app's place.
func TestAppPortIsOutsideTheEphemeralRange(t *testing.T) {
	lo, hi := appPortRange()
	for range 20 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ephemeral := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if ephemeral >= lo && ephemeral < hi {
			t.Fatalf("the OS handed out %d for port 0, inside the app range %d-%d", ephemeral, lo, hi)
		}
		port, err := appPort()
		if err != nil {
			t.Fatal(err)
		}
		if port < lo || port >= hi {
			t.Fatalf("app port %d outside %d-%d", port, lo, hi)
		}
	}
}

func TestCommandAppServesOnItsPort(t *testing.T) {
	base, stop, err := fakeApp(t, map[string]string{}).Start(AppEnv{})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if got := get(t, base+"/"); got != "fake app" {
		t.Fatalf("answer %q", got)
	}
}

func TestCommandAppStartsAgainWhenItsPortWasTaken(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "taken")
	base, stop, err := fakeApp(t, map[string]string{"HARNESS_FAKE_APP_TAKEN": marker}).Start(AppEnv{})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, err := os.Stat(marker); err != nil {
		t.Fatal("the first start did not fail as the test meant it to")
	}
	if got := get(t, base+"/"); got != "fake app" {
		t.Fatalf("answer %q", got)
	}
}

func TestCommandAppThatFailsOtherwiseIsNotRetried(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "runs")
	app := CommandApp{Command: "echo run >> " + strconv.Quote(marker) + "; echo boom; exit 3", Ready: "/"}
	_, _, err := app.Start(AppEnv{})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("error %v", err)
	}
	runs, _ := os.ReadFile(marker)
	if n := strings.Count(string(runs), "run"); n != 1 {
		t.Fatalf("started %d times", n)
	}
	if !portTaken("Error: listen EADDRINUSE: address already in use 127.0.0.1:3000") || !portTaken("OSError: [Errno 98] Address already in use") {
		t.Fatal("Node's and Python's messages are not recognised")
	}
}

// A ready path the app does not serve is a mistake in the scenario, not
// an app still starting: it fails at once, saying what the app answered.
func TestCommandAppWithAReadyPathItDoesNotServeFailsAtOnce(t *testing.T) {
	app := fakeApp(t, map[string]string{"HARNESS_FAKE_APP_ONLY": "/healthz"})
	app.Ready = "/health"
	app.ReadyTimeout = time.Minute
	start := time.Now()
	_, stop, err := app.Start(AppEnv{})
	if err == nil {
		stop()
		t.Fatal("an app answering 404 on its ready path was taken as ready")
	}
	if time.Since(start) > 30*time.Second {
		t.Fatalf("waited %s for a path the app does not serve", time.Since(start))
	}
	for _, want := range []string{"GET /health", "404", "ready path"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q does not say %q", err, want)
		}
	}
	app.Ready = "/healthz"
	_, stop, err = app.Start(AppEnv{})
	if err != nil {
		t.Fatal(err)
	}
	stop()
}

// An app listening elsewhere than $PORT is told so when it is never ready.
func TestCommandAppNotListeningOnPortSaysSo(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	app := fakeApp(t, map[string]string{"HARNESS_FAKE_APP_PORT": elsewhere})
	app.ReadyTimeout = 2 * time.Second
	_, stop, err := app.Start(AppEnv{})
	if err == nil {
		stop()
		t.Fatal("started")
	}
	if !strings.Contains(err.Error(), "nothing listens on port") || !strings.Contains(err.Error(), "$PORT") {
		t.Fatalf("error %q does not point at $PORT", err)
	}
}

// A command that fails says where it ran, since `go test` runs it in the
// suite's package directory and `stripe-emu test` where it is called.
func TestCommandAppRunsInItsDirAndSaysWhere(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "here"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	app := CommandApp{Command: "test -e here || { echo no such file; exit 1; }; exit 2", Ready: "/", Dir: dir}
	_, _, err := app.Start(AppEnv{})
	if err == nil || !strings.Contains(err.Error(), "exit status 2") {
		t.Fatalf("the command did not run in %s: %v", dir, err)
	}
	app.Dir = ""
	_, _, err = app.Start(AppEnv{})
	wd, _ := os.Getwd()
	if err == nil || !strings.Contains(err.Error(), "ran in "+wd) || !strings.Contains(err.Error(), "app.dir") {
		t.Fatalf("error %v does not say where the command ran", err)
	}
}

func TestAppForRunsACommandInTheScenariosDir(t *testing.T) {
	app, err := AppFor(&scenarios.Scenario{App: scenarios.App{Command: "true", Dir: "somewhere"}}, nil)
	if err != nil || app.(CommandApp).Dir != "somewhere" {
		t.Fatalf("app %#v, %v", app, err)
	}
}

// An app that dies during a scenario says so at the end of its output,
// where the report shows it, rather than only refusing connections.
func TestCommandAppThatExitsOnItsOwnSaysSo(t *testing.T) {
	// exec, so the app is the process the harness waits for: once its
	// connection drops it has exited, before stop kills anything.
	app := fakeApp(t, map[string]string{})
	app.Command = "exec " + app.Command
	base, stop, err := app.Start(AppEnv{})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := http.Get(base + "/exit"); err == nil {
		resp.Body.Close()
	}
	if out := stop(); !strings.Contains(out, "the app exited on its own before the scenario ended (exit status 4)") {
		t.Fatalf("output %q", out)
	}
	_, stop, err = fakeApp(t, map[string]string{}).Start(AppEnv{})
	if err != nil {
		t.Fatal(err)
	}
	if out := stop(); strings.Contains(out, "exited on its own") {
		t.Fatalf("an app stopped by the harness: %q", out)
	}
}

// StopApps ends the command apps still running, as an interrupted run
// (Ctrl-C, a cancelled CI job) must: each runs in its own process group,
// which the terminal's interrupt does not reach.
func TestStopAppsEndsTheAppsStillRunning(t *testing.T) {
	base, stop, err := fakeApp(t, map[string]string{}).Start(AppEnv{})
	if err != nil {
		t.Fatal(err)
	}
	StopApps()
	out := stop()
	if strings.Contains(out, "exited on its own") {
		t.Errorf("StopApps' stop was taken for a crash:\n%s", out)
	}
	if resp, err := http.Get(base + "/"); err == nil {
		resp.Body.Close()
		t.Fatal("the app still answers after StopApps")
	}
}
