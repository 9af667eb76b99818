// Package harness runs scenario files against an application under test
// that talks to a fresh emulator, and turns a directory of scenarios into
// Ginkgo specs.
package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// AppEnv is what an app needs to talk to the emulator; a command gets it
// as STRIPE_API_BASE, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and PORT.
type AppEnv struct {
	StripeAPIBase string
	SecretKey     string
	WebhookSecret string
}

// App starts the application under test for one scenario run.
type App interface {
	Start(env AppEnv) (baseURL string, stop func() (output string), err error)
}

// HandlerApp is an app served in-process.
type HandlerApp func(env AppEnv) http.Handler

// Start serves the handler on 127.0.0.1.
func (h HandlerApp) Start(env AppEnv) (string, func() string, error) {
	srv := httptest.NewServer(h(env))
	return srv.URL, func() string { srv.Close(); return "" }, nil
}

// CommandApp is an app started as a process per run (through sh -c).
type CommandApp struct {
	Command string
	// Ready is the path polled until it answers below 400 (5xx: still
	// starting; 4xx: the wrong path, failed at once); when empty, any
	// answer below 500 on / will do.
	Ready string
	Dir   string // where it runs ("": the current directory)
	Env   map[string]string
	// ReadyTimeout bounds the wait for readiness (default 60 s: a `go run`
	// may compile first).
	ReadyTimeout time.Duration
}

// lockedBuffer collects a process's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Start runs the command and waits until its readiness URL answers. An
// app that could not bind its port (another program took it meanwhile) is
// started again on another.
func (a CommandApp) Start(env AppEnv) (string, func() string, error) {
	for attempt := 1; ; attempt++ {
		base, stop, err := a.start(env)
		var taken *portTakenError
		if errors.As(err, &taken) && attempt < 3 {
			continue
		}
		return base, stop, err
	}
}

// workDir is where the command runs, for messages.
func (a CommandApp) workDir() string {
	if a.Dir != "" {
		if abs, err := filepath.Abs(a.Dir); err == nil {
			return abs
		}
		return a.Dir
	}
	wd, _ := os.Getwd()
	return wd
}

// running are the command apps started and not yet ended, for StopApps.
var running = struct {
	sync.Mutex
	cmds map[*exec.Cmd]bool
}{cmds: map[*exec.Cmd]bool{}}

func track(cmd *exec.Cmd, on bool) {
	running.Lock()
	defer running.Unlock()
	if on {
		running.cmds[cmd] = true
	} else {
		delete(running.cmds, cmd)
	}
}

// StopApps ends every command app still running. An interrupted run
// (Ctrl-C, a cancelled CI job) calls it before exiting: each app runs in
// its own process group, which a terminal's interrupt does not reach, and
// would be left serving on its port.
func StopApps() {
	running.Lock()
	defer running.Unlock()
	for cmd := range running.cmds {
		killGroup(cmd)
	}
}

// portTakenError is an app that exited because its port was taken.
type portTakenError struct{ error }

func (a CommandApp) start(env AppEnv) (string, func() string, error) {
	port, err := appPort()
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "sh", "-c", a.Command)
	cmd.Dir = a.Dir
	cmd.Env = append(os.Environ(),
		"STRIPE_API_BASE="+env.StripeAPIBase, "STRIPE_SECRET_KEY="+env.SecretKey,
		"STRIPE_WEBHOOK_SECRET="+env.WebhookSecret, "PORT="+strconv.Itoa(port))
	for k, v := range a.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	// The process group lets stop end `go run`'s child too.
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		cancel()
		return "", nil, fmt.Errorf("start %q: %w", a.Command, err)
	}
	track(cmd, true)
	exited := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		track(cmd, false)
		exited <- err
	}()
	stop := func() string {
		killGroup(cmd)
		cancel()
		err := <-exited
		// Killed, it ends by a signal; an exit status (or none) means
		// it had ended before: a crash the report must not hide.
		var exit *exec.ExitError
		if err == nil || errors.As(err, &exit) && exit.Exited() {
			status := "exit status 0"
			if err != nil {
				status = err.Error()
			}
			fmt.Fprintf(out, "\nharness: the app exited on its own before the scenario ended (%s)\n", status)
		}
		return out.String()
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	timeout := a.ReadyTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	deadline := time.Now().Add(timeout)
	var lastErr error
	for {
		resp, err := http.Get(base + a.Ready)
		lastErr = err
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 && (a.Ready == "" || resp.StatusCode < 400) {
				return base, stop, nil
			}
			// An app that is up but refuses its ready path will not
			// change its mind: the path is wrong, not the app slow.
			if resp.StatusCode < 500 {
				return "", nil, fmt.Errorf("%q is up but answers GET %s with %s, so it is never ready: is the ready path (app.ready, or --ready) one your app serves?\n%s",
					a.Command, a.Ready, resp.Status, stop())
			}
		}
		select {
		case err := <-exited:
			output := out.String()
			cancel()
			err = fmt.Errorf("%q exited before it was ready (%v; it ran in %s: set app.dir, relative to the scenario file, to run it elsewhere):\n%s", a.Command, err, a.workDir(), output)
			if portTaken(output) {
				return "", nil, &portTakenError{err}
			}
			return "", nil, err
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			hint := ""
			if errors.Is(lastErr, syscall.ECONNREFUSED) {
				hint = fmt.Sprintf(" (nothing listens on port %d: does your app listen on the port in $PORT?)", port)
			}
			return "", nil, fmt.Errorf("%q was not ready at %s%s within %s%s:\n%s", a.Command, base, a.Ready, timeout, hint, stop())
		}
	}
}
