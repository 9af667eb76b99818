package emulator

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/clock"
)

// Option configures an Emulator.
type Option func(*config)

type config struct {
	dataFile   string
	clock      *clock.Clock
	seed       uint64
	logger     *slog.Logger
	httpClient *http.Client
	apiKey     string
	upcoming   time.Duration
	strictVer  bool
	noRawCard  bool
	manualPay  bool
}

// WithDataFile persists the store to a buntdb file; the default keeps
// everything in memory. A file serves one emulator at a time: New refuses
// a file another emulator (in this process or another) has open until
// that one is closed, as both would overwrite each other's writes; the
// lock is taken on path+".lock", left beside it. Objects, events and
// webhook endpoints are kept, not the clock: a reopened emulator's clock
// is the wall's, or the one WithClock gives. Nor is what the dispatcher
// holds in memory: policies, held deliveries and those waiting on the
// clock (delays, retries) go with the emulator that had them.
func WithDataFile(path string) Option { return func(c *config) { c.dataFile = path } }

// WithClock uses the given clock (for example clock.NewFrozen) instead of
// one that follows the wall clock.
func WithClock(clk *clock.Clock) Option { return func(c *config) { c.clock = clk } }

// WithSeed fixes the seed of every random choice (id tails, webhook
// shuffles), so a run's delivery order can be replayed. Ids still differ
// from run to run: they start with a count from the wall clock, so that
// they sort in the order they were made.
func WithSeed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// WithLogger logs one line per request (and other happenings) to l.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithHTTPClient sets the HTTP client that Client() gives stripe-go, for
// example one whose transport checks every response.
func WithHTTPClient(h *http.Client) Option { return func(c *config) { c.httpClient = h } }

// WithUpcomingInvoiceEvents sends invoice.upcoming that long before each
// subscription renewal that will be charged automatically, as Stripe does
// for the days set under "upcoming renewal events" in its Dashboard
// (Stripe's choices are 3, 7, 15, 30 or 45 days). Without it none is sent.
func WithUpcomingInvoiceEvents(before time.Duration) Option {
	return func(c *config) { c.upcoming = before }
}

// WithAPIKey sets the secret key Client() and Call use (default
// sk_test_emulator): a test secret key, sk_test_… or rk_test_…, which New
// checks. Any such key works on any emulator; ClientWithKey tests others.
func WithAPIKey(key string) Option { return func(c *config) { c.apiKey = key } }

// WithStrictAPIVersions refuses requests pinned to an API version outside
// basil (clover and later, or before basil) instead of answering them in
// basil's shapes, for a test suite that wants to be sure its client speaks
// the emulator's version.
func WithStrictAPIVersions() Option { return func(c *config) { c.strictVer = true } }

// WithRawCardDataRefused refuses card numbers sent to the API (a
// PaymentMethod, token, source or payment_method_data of card[number]),
// as Stripe does for an account without access to its raw card data
// APIs, which new accounts lack in test mode too: for a suite that wants
// to be sure its app sends test PaymentMethods or tokens (pm_card_visa,
// tok_visa) rather than numbers. By default numbers are accepted.
func WithRawCardDataRefused() Option { return func(c *config) { c.noRawCard = true } }

// WithManualPayouts starts the platform on a manual payout schedule, as an
// account set to manual payouts in its Dashboard: its available balance
// stays until a payout is made with POST /v1/payouts. By default the
// platform pays out daily on its own, as a Stripe test account does, so a
// suite that funds the platform and reads its balance days later would
// find it paid out. (Connected accounts keep Stripe's default; set theirs
// with settings[payouts][schedule][interval]=manual.) A data file's
// existing platform is left as it is.
func WithManualPayouts() Option { return func(c *config) { c.manualPay = true } }
