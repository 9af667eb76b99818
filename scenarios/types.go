package scenarios

import "time"

// Scenario is one payment story.
type Scenario struct {
	File        string
	Name        string
	Description string
	Labels      []string
	Seed        uint64
	App         App
	Webhooks    []Webhook
	Accounts    []Account
	Steps       []Step

	nameAt Problem // where the name is, for a problem about it
}

// App says which application the scenario runs against.
type App struct {
	Handler string            // in-process app registered by name
	Command string            // external command
	Ready   string            // readiness path for a command
	Env     map[string]string // extra environment for a command
	Dir     string            // where a command runs: app.dir joined to the file's directory ("" = the current one)
}

// Webhook is an endpoint on the app that receives events.
type Webhook struct {
	Path    string
	Events  []string
	Connect bool
	Policy  *Policy
}

// Policy is a webhook delivery policy.
type Policy struct {
	Order             string
	Duplicate         int
	DuplicateFraction float64
	Delay             map[string]time.Duration
	Hold              bool
	Concurrency       int
}

// Account is a connected account created before the steps run.
type Account struct {
	Name  string
	Email string
	Type  string
}

// Step is one thing that happens. Kind says which fields matter.
type Step struct {
	Line int
	Kind string // stripe, app, customer, clock, webhooks, fault, expect, fixture
	Name string
	As   string

	// stripe and app
	Method, Path   string
	Params         map[string]any // stripe: form params (nested)
	Account        string
	IdempotencyKey string
	ExpectError    *ExpectError
	JSON           any
	Form           map[string]string
	Headers        map[string]string
	Expect         *AppExpect // inline expectation of an app call

	// customer
	Action  string // complete_checkout, authenticate, settle, complete_onboarding, pay_invoice, verify_identity
	Session string
	// VerificationSession is the Identity session verify_identity submits.
	VerificationSession string
	Invoice             string
	PaymentIntent       string
	PaymentMethod       string
	Outcome             string // succeed, fail

	// clock
	Advance   time.Duration
	Set       *time.Time
	TestClock string

	// webhooks
	WebhookAction string // deliver, hold, release, redeliver, policy
	Endpoint      string // a webhooks[].path; "" = the first
	Types         []string
	Order         []string
	Event         string
	Policy        *Policy

	// fault
	Fault *Fault

	// expect
	Check *Check

	// fixture
	Fixture string
}

// ExpectError is the Stripe error a stripe step must answer.
type ExpectError struct {
	Status                     int
	Type, Code, Message, Param string
}

// AppExpect checks an app answer.
type AppExpect struct {
	Status int
	JSON   map[string]any // dotted path → value or matcher
	Within time.Duration  // keep asking until it holds, up to this long
}

// Fault is an injected failure.
type Fault struct {
	Method, Path, Kind string
	Times              int
	Duration           time.Duration
}

// Check is an expect step: exactly one of its parts is set.
type Check struct {
	App      *AppCheck
	State    *StateCheck
	Count    *CountCheck
	Webhooks *WebhookCheck
	Requests *RequestCheck
	Events   *EventCheck
	Stripe   *StripeCheck
}

// AppCheck calls the app and checks the answer.
type AppCheck struct {
	Method, Path string
	Headers      map[string]string
	AppExpect
}

// StateCheck checks an object in the emulator.
type StateCheck struct {
	Object  string // id or reference
	Account string
	Fields  map[string]any
}

// StripeCheck reads something from Stripe with a GET, as the app's back
// office would (a balance summary, a list, an upcoming invoice: answers
// that are not one stored object), and checks the answer's fields.
type StripeCheck struct {
	Path    string
	Params  map[string]any
	Account string
	Fields  map[string]any
}

// CountCheck counts objects of a type.
type CountCheck struct {
	Object  string
	Account string
	Equals  int
}

// WebhookCheck checks what was delivered to the app.
type WebhookCheck struct {
	Endpoint    string
	Delivered   []string // event types, in delivery order
	Contains    []string
	NotContains []string
	AppStatus   int // the app answered every delivery with this
}

// EventCheck checks the events the emulator recorded in an account,
// oldest first, whether or not any endpoint receives them: those whose
// type matches one of Types ("invoice.paid", "invoice.*", "*"; all when
// empty), exactly (Equals) or in part.
type EventCheck struct {
	Account     string
	Types       []string
	Equals      []string // the matching events' types, in order
	Contains    []string
	NotContains []string
}

// RequestCheck checks what the app asked Stripe.
type RequestCheck struct {
	Method, Path string
	Params       map[string]any
	Account      string
	Count        *int
	AtLeast      *int
	None         bool
}
