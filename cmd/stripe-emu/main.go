// Command stripe-emu serves the Stripe API emulator and runs scenarios.
//
//	stripe-emu [serve] [--addr 127.0.0.1:12111] [--data FILE] [--log-level info]
//	stripe-emu test [dir|files] --app 'command' --ready /healthz [--junit-report FILE]
//	stripe-emu validate [dir|files]
//
// Every flag can also be set with an environment variable named after it:
// STRIPE_EMU_ADDR, STRIPE_EMU_DATA, STRIPE_EMU_LOG_LEVEL… (flags win).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator"
)

// gcPercent is the binary's GOGC unless the environment sets one. The
// emulator holds its whole store in the heap, so every collection scans
// every object ever created; collecting a quarter as often buys 10–15%
// more requests per second for up to five times the live store in memory.
// GOGC=100 (or GOMEMLIMIT) restores the usual trade.
const gcPercent = 400

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		// The commands, not serve's flags alone: the usage names the way
		// to those.
		cmd, args = "help", args[1:]
	} else if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, stdout, stderr, nil, nil)
	case "test":
		return test(args, stdout, stderr)
	case "validate":
		return validate(args, stdout, stderr)
	case "version":
		fmt.Fprintf(stdout, "stripe-emu (Stripe API %s)\n", emulator.APIVersion)
		return 0
	case "help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "stripe-emu: unknown command %q\n", cmd)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `usage: stripe-emu [command] [flags]

commands:
  serve     serve the emulated Stripe API (default)
  test      run scenario files against an app: test [dir|files] --app CMD --ready PATH
            [--focus RE] [--label-filter EXPR] [--seed N] [--junit-report FILE]
  validate  check scenario files: validate [dir|files]
  version   print the version and the Stripe API version served

run "stripe-emu serve -h" for the flags of serve`)
}

// exitForFlags is the exit code of flags that did not parse: 0 for help
// asked for (-h), which the flag package reports as an error, else 2.
func exitForFlags(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// serveFlags are serve's settings.
type serveFlags struct {
	addr, data, logLevel           string
	webhook, webhookSecret, events string
	seed                           uint64
	upcomingDays                   int
	strictVersions                 bool
	refuseRawCardData              bool
	manualPayouts                  bool
}

func parseServeFlags(args []string, stderr io.Writer) (serveFlags, error) {
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:12111", "address to listen on (env STRIPE_EMU_ADDR)")
	fs.StringVar(&f.data, "data", "", "persist state to this buntdb file; empty keeps it in memory (env STRIPE_EMU_DATA)")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error (env STRIPE_EMU_LOG_LEVEL)")
	fs.StringVar(&f.webhook, "webhook", "", "deliver events to this URL (env STRIPE_EMU_WEBHOOK)")
	fs.StringVar(&f.webhookSecret, "webhook-secret", "", "signing secret for --webhook; random if empty (env STRIPE_EMU_WEBHOOK_SECRET)")
	fs.StringVar(&f.events, "webhook-events", "*", "comma-separated event types for --webhook (env STRIPE_EMU_WEBHOOK_EVENTS)")
	fs.Uint64Var(&f.seed, "seed", 0, "seed for ids and webhook ordering; 0 picks one (env STRIPE_EMU_SEED)")
	fs.IntVar(&f.upcomingDays, "upcoming-invoice-days", 0, "send invoice.upcoming this many days before renewals; 0 sends none (env STRIPE_EMU_UPCOMING_INVOICE_DAYS)")
	fs.BoolVar(&f.strictVersions, "strict-api-versions", false, "refuse requests pinned to an API version outside basil instead of answering them in basil's shapes (env STRIPE_EMU_STRICT_API_VERSIONS)")
	fs.BoolVar(&f.refuseRawCardData, "refuse-raw-card-data", false, "refuse card numbers sent to the API, as Stripe does for an account without raw card data access (env STRIPE_EMU_REFUSE_RAW_CARD_DATA)")
	fs.BoolVar(&f.manualPayouts, "manual-payouts", false, "start the platform on a manual payout schedule, so its balance stays until a payout is made (env STRIPE_EMU_MANUAL_PAYOUTS)")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	// Each flag not given takes its variable, parsed as the flag would be:
	// one that does not parse is refused, not replaced by the default in
	// silence (a replay asked for with STRIPE_EMU_SEED would run under a
	// random seed). An empty variable is as good as unset.
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	// from names where each setting came from, for the refusals below.
	from := map[string]string{}
	for name := range given {
		from[name] = "--" + name
	}
	var err error
	fs.VisitAll(func(fl *flag.Flag) {
		name := "STRIPE_EMU_" + strings.ToUpper(strings.ReplaceAll(fl.Name, "-", "_"))
		v, ok := os.LookupEnv(name)
		if !ok || v == "" || given[fl.Name] || err != nil {
			return
		}
		if e := fs.Set(fl.Name, v); e != nil {
			err = fmt.Errorf("%s=%q: %w", name, v, e)
			fmt.Fprintf(stderr, "stripe-emu: %v\n", err)
		}
		from[fl.Name] = name
	})
	if err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	// A setting that would configure nothing is refused, not ignored: a
	// secret without --webhook signs nothing, and a negative lead would
	// send no invoice.upcoming at all.
	switch {
	case f.webhook == "" && from["webhook-secret"] != "":
		err = fmt.Errorf("%s is the signing secret of --webhook, which is not set", from["webhook-secret"])
	case f.webhook == "" && from["webhook-events"] != "":
		err = fmt.Errorf("%s lists the events of --webhook, which is not set", from["webhook-events"])
	case f.upcomingDays < 0:
		err = fmt.Errorf("%s must be 0 (none) or a number of days before renewals, got %d", from["upcoming-invoice-days"], f.upcomingDays)
	case badAddr(f.addr) != nil:
		// A mistyped address is a bad flag (exit 2), unlike a port
		// already taken, which only listening finds.
		err = fmt.Errorf("%s=%q is not host:port (127.0.0.1:12111, :0 for any free port): %v", flagOrVar(from, "addr"), f.addr, badAddr(f.addr))
	}
	if err != nil {
		fmt.Fprintf(stderr, "stripe-emu: %v\n", err)
	}
	return f, err
}

// badAddr tells why addr is not a TCP address to listen on.
func badAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return err
	}
	return nil
}

// flagOrVar names where a setting came from: its variable, else the
// flag (given, or left at its default).
func flagOrVar(from map[string]string, name string) string {
	if v := from[name]; v != "" {
		return v
	}
	return "--" + name
}

// readTimeout bounds the reading of a request, headers and body (a
// variable for the test, which cannot wait a minute); idleTimeout closes
// keep-alive connections left unused that long.
var readTimeout, idleTimeout = time.Minute, 2 * time.Minute

// serve runs until SIGINT/SIGTERM (or until stop is closed, for tests);
// ready, if set, receives the base URL once it listens.
func serve(args []string, stdout, stderr io.Writer, stop <-chan struct{}, ready chan<- string) int {
	f, err := parseServeFlags(args, stderr)
	if err != nil {
		return exitForFlags(err)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		fmt.Fprintf(stderr, "stripe-emu: bad --log-level %q: %v\n", f.logLevel, err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	opts := []emulator.Option{emulator.WithDataFile(f.data), emulator.WithLogger(logger), emulator.WithSeed(f.seed),
		emulator.WithUpcomingInvoiceEvents(time.Duration(f.upcomingDays) * 24 * time.Hour)}
	if f.strictVersions {
		opts = append(opts, emulator.WithStrictAPIVersions())
	}
	if f.refuseRawCardData {
		opts = append(opts, emulator.WithRawCardDataRefused())
	}
	if f.manualPayouts {
		opts = append(opts, emulator.WithManualPayouts())
	}
	emu, err := emulator.New(opts...)
	if err != nil {
		fmt.Fprintf(stderr, "stripe-emu: %v\n", err)
		return 1
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		emu.Close()
		fmt.Fprintf(stderr, "stripe-emu: %v\n", err)
		return 1
	}
	base := "http://" + ln.Addr().String()
	emu.SetURL(base)
	stopTicking := emu.RunClock(time.Second)
	defer stopTicking()
	// A request must arrive whole within readTimeout: a client that
	// stalls mid-body is cut off rather than holding its connection for
	// good. Nothing bounds the answer: a delay or hold fault, or a flush,
	// takes as long as it is asked to.
	srv := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: readTimeout, IdleTimeout: idleTimeout}
	// --webhook is wired before listening is announced, so a refused one
	// is refused before anyone is told the binary is up.
	var wired string
	if f.webhook != "" {
		// "a, b" is the list "a,b" is.
		events := strings.Split(f.events, ",")
		for i := range events {
			events[i] = strings.TrimSpace(events[i])
		}
		// Without --webhook-secret, the endpoint a data file kept keeps
		// its secret, so the app configured with it goes on verifying;
		// a new one gets a random secret.
		id, err := emu.Webhooks().ListenWithSecret(f.webhook, f.webhookSecret, events...)
		if err != nil {
			fmt.Fprintf(stderr, "stripe-emu: --webhook: %v\n", err)
			ln.Close()
			emu.Close()
			return 2
		}
		secret, _ := emu.Webhooks().Secret(id)
		wired = fmt.Sprintf("webhooks to %s (%s) signed with %s\n", f.webhook, id, secret)
	}

	storage := "in memory"
	if f.data != "" {
		storage = f.data
	}
	fmt.Fprintf(stdout, "stripe-emu listening on %s (Stripe API %s, platform %s, state %s, webhook seed %d)\n", base, emulator.APIVersion, emu.Platform(), storage, emu.Webhooks().Seed())
	fmt.Fprintf(stdout, "Stripe.js for browser tests: %s/js.stripe.com/v3/\n", base)
	fmt.Fprint(stdout, wired)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready <- base
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	select {
	case <-sig:
	case <-stop:
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "stripe-emu: %v\n", err)
			emu.Close()
			return 1
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	if err := emu.Close(); err != nil {
		fmt.Fprintf(stderr, "stripe-emu: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "stripe-emu stopped")
	return 0
}
