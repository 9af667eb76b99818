package scenarios

import (
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/emulator/suggest"
)

// StepKinds are the kinds a step may have.
var StepKinds = []string{"app", "clock", "customer", "expect", "fault", "fixture", "stripe", "webhooks"}

var methods = map[string]bool{"GET": true, "POST": true, "DELETE": true}

func (p *parser) scenario(n *yaml.Node, s *Scenario) {
	f := p.fields(n, "", "name", "description", "labels", "seed", "app", "webhooks", "accounts", "steps")
	p.defined = map[string]bool{"app": true}
	p.appAnswers = map[string]bool{}
	p.accounts = map[string]bool{}
	s.Name = p.str(f["name"], "name")
	s.nameAt = Problem{File: p.file, Path: "name"}
	if v := f["name"]; v != nil {
		s.nameAt.Line, s.nameAt.Column = v.Line, v.Column
	}
	if strings.TrimSpace(s.Name) == "" {
		p.fail(n, "name", "a scenario needs a name")
	}
	s.Description = p.str(f["description"], "description")
	s.Labels = p.strings(f["labels"], "labels")
	for i, l := range s.Labels {
		// A label is what Ginkgo makes of it (trimmed), so stripe-emu
		// test's --label-filter selects what the same filter selects among
		// the Ginkgo specs.
		s.Labels[i] = strings.TrimSpace(l)
		// Ginkgo refuses these in a label, and its filters (and
		// stripe-emu test's) could never select one.
		if strings.ContainsAny(l, "&|!,()/") || s.Labels[i] == "" {
			p.fail(f["labels"].Content[i], fmt.Sprintf("labels[%d]", i), "%q cannot be a label: labels cannot contain &, |, !, \",\", (, ) or /, nor be empty", l)
		}
		// Ginkgo reads key:value as a label set; it refuses a label
		// without its key or value, failing the whole suite.
		if key, value, set := strings.Cut(s.Labels[i], ":"); set && (key == "" || value == "") {
			p.fail(f["labels"].Content[i], fmt.Sprintf("labels[%d]", i), "%q cannot be a label: a colon makes it a label set, key:value, and needs a key before it and a value after it", l)
		}
	}
	if v := f["seed"]; v != nil {
		// The whole range: a failure prints seeds drawn from all of it.
		seed, err := strconv.ParseUint(v.Value, 10, 64)
		if v.Kind != yaml.ScalarNode || err != nil || seed == 0 {
			p.fail(v, "seed", "want a whole number from 1 to %d, got %q", uint64(math.MaxUint64), v.Value)
		}
		s.Seed = seed
	}
	if v := f["app"]; v != nil {
		af := p.fields(v, "app", "handler", "command", "ready", "env", "dir")
		s.App = App{Handler: p.str(af["handler"], "app.handler"), Command: p.str(af["command"], "app.command"),
			Ready: p.str(af["ready"], "app.ready"), Env: p.stringMap(af["env"], "app.env")}
		if r := s.App.Ready; r != "" && !strings.HasPrefix(r, "/") {
			// Joined to the app's address it would be waited on for a
			// minute at http://127.0.0.1:PORThealthz.
			p.fail(af["ready"], "app.ready", "want a path on the app starting with /, got %q", r)
		}
		if d := p.str(af["dir"], "app.dir"); d != "" {
			// Relative to the file: the CLI and a Ginkgo suite run from
			// different directories, the file stays where it is.
			s.App.Dir = filepath.Join(filepath.Dir(s.File), d)
			if filepath.IsAbs(d) {
				s.App.Dir = d
			}
			if s.App.Command == "" {
				p.fail(af["dir"], "app.dir", "a dir is for a command; an in-process handler has none")
			}
		}
		if s.App.Handler == "" && s.App.Command == "" {
			p.fail(v, "app", "give a handler (an app registered from Go), a command, or both")
		}
	}
	if v := f["accounts"]; v != nil {
		if v.Kind != yaml.MappingNode {
			p.fail(v, "accounts", "want a mapping of account names")
		} else {
			for i := 0; i+1 < len(v.Content); i += 2 {
				name := v.Content[i].Value
				path := "accounts." + name
				if slices.ContainsFunc(s.Accounts, func(a Account) bool { return a.Name == name }) {
					p.fail(v.Content[i], "accounts", "account %q appears twice; give each its own name", name)
				}
				af := p.fields(v.Content[i+1], path, "email", "type")
				typ := p.str(af["type"], path+".type")
				if typ != "" && typ != "standard" && typ != "express" && typ != "custom" {
					p.fail(af["type"], path+".type", "unknown account type %q; allowed: custom, express, standard", typ)
				}
				s.Accounts = append(s.Accounts, Account{Name: name, Email: p.str(af["email"], path+".email"), Type: typ})
				p.defined[name] = true
				p.accounts[name] = true
			}
		}
	}
	if v := f["webhooks"]; v != nil {
		if v.Kind != yaml.SequenceNode {
			p.fail(v, "webhooks", "want a list of endpoints")
		} else {
			for i, w := range v.Content {
				path := fmt.Sprintf("webhooks[%d]", i)
				wf := p.fields(w, path, "path", "events", "connect", "policy")
				wh := Webhook{Path: p.str(wf["path"], path+".path"), Events: p.strings(wf["events"], path+".events"), Connect: p.boolean(wf["connect"], path+".connect")}
				if !strings.HasPrefix(wh.Path, "/") {
					p.fail(w, path+".path", "want a path on the app starting with /")
				}
				// Steps and expectations name an endpoint by its path.
				if j := slices.IndexFunc(s.Webhooks, func(o Webhook) bool { return o.Path == wh.Path }); j >= 0 && wh.Path != "" {
					p.fail(wf["path"], path+".path", "%q is webhooks[%d]'s path too; give each endpoint its own path", wh.Path, j)
				}
				if len(wh.Events) == 0 {
					wh.Events = []string{"*"}
				}
				p.eventTypes(wf["events"], path+".events", true)
				if pv := wf["policy"]; pv != nil {
					wh.Policy = p.policy(pv, path+".policy")
				}
				s.Webhooks = append(s.Webhooks, wh)
			}
		}
	}
	steps := f["steps"]
	if steps == nil || steps.Kind != yaml.SequenceNode || len(steps.Content) == 0 {
		at := steps
		if at == nil {
			at = n
		}
		p.fail(at, "steps", "a scenario needs a non-empty list of steps")
		return
	}
	for i, sn := range steps.Content {
		st := p.step(sn, fmt.Sprintf("steps[%d]", i), s)
		if st.As != "" {
			if p.defined[st.As] {
				p.fail(sn, fmt.Sprintf("steps[%d].as", i), "%q is already defined; pick another name", st.As)
			}
			p.defined[st.As] = true
			if st.Kind == "app" {
				p.appAnswers[st.As] = true
			}
		}
		s.Steps = append(s.Steps, st)
	}
}

func (p *parser) policy(n *yaml.Node, path string) *Policy {
	f := p.fields(n, path, "order", "duplicate", "duplicate_fraction", "delay", "hold", "concurrency")
	pol := &Policy{Order: p.str(f["order"], path+".order"), Duplicate: p.integer(f["duplicate"], path+".duplicate"),
		DuplicateFraction: p.float(f["duplicate_fraction"], path+".duplicate_fraction"), Hold: p.boolean(f["hold"], path+".hold"),
		Concurrency: p.integer(f["concurrency"], path+".concurrency")}
	switch pol.Order {
	case "", "inorder", "reverse", "shuffle":
	default:
		p.fail(f["order"], path+".order", "unknown order %q; allowed: inorder, reverse, shuffle", pol.Order)
	}
	if pol.DuplicateFraction < 0 || pol.DuplicateFraction > 1 {
		p.fail(f["duplicate_fraction"], path+".duplicate_fraction", "want a fraction between 0 and 1")
	}
	if pol.Duplicate < 0 {
		p.fail(f["duplicate"], path+".duplicate", "want 0 or more, got %d", pol.Duplicate)
	}
	if pol.Concurrency < 0 {
		p.fail(f["concurrency"], path+".concurrency", "want 0 or more, got %d", pol.Concurrency)
	}
	if d := f["delay"]; d != nil {
		pol.Delay = map[string]time.Duration{}
		if d.Kind != yaml.MappingNode {
			p.fail(d, path+".delay", "want a mapping of event type to duration")
		} else {
			for i := 0; i+1 < len(d.Content); i += 2 {
				t := d.Content[i].Value
				if err := emulator.CheckEventType(t); err != nil {
					p.fail(d.Content[i], path+".delay", "%v", err)
				}
				pol.Delay[t] = p.duration(d.Content[i+1], path+".delay."+t)
			}
		}
	}
	return pol
}

// methodPath splits "POST /v1/customers".
func (p *parser) methodPath(n *yaml.Node, path string, stripe bool) (string, string) {
	v := p.str(n, path)
	method, target, ok := strings.Cut(strings.TrimSpace(v), " ")
	target = strings.TrimSpace(target)
	switch {
	case !ok || !methods[method]:
		p.fail(n, path, "want \"METHOD /path\" with METHOD one of DELETE, GET, POST; got %q", v)
	case stripe && !strings.HasPrefix(target, "/v1/"):
		p.fail(n, path, "Stripe paths start with /v1/, got %q", target)
	case !stripe && !strings.HasPrefix(target, "/"):
		p.fail(n, path, "app paths start with /, got %q", target)
	}
	return method, target
}

func (p *parser) step(n *yaml.Node, path string, s *Scenario) Step {
	st := Step{Line: n.Line} // where it is used, an alias too
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		p.fail(n, path, "a step is a mapping with one of: %s", allowed(StepKinds))
		return st
	}
	var kinds []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		for _, k := range StepKinds {
			if n.Content[i].Value == k {
				kinds = append(kinds, k)
			}
		}
	}
	if len(kinds) == 2 && kinds[0] == "app" && kinds[1] == "expect" || len(kinds) == 2 && kinds[0] == "expect" && kinds[1] == "app" {
		kinds = []string{"app"} // an app call with its inline expect
	}
	if len(kinds) != 1 {
		if len(kinds) == 0 {
			// The key that should have been the kind: not the name or
			// as a step may start with.
			key := ""
			for i := 0; i+1 < len(n.Content) && key == ""; i += 2 {
				if k := n.Content[i].Value; k != "name" && k != "as" {
					key = k
				}
			}
			if key == "" {
				p.fail(n, path, "a step needs one of: %s", allowed(StepKinds))
			} else {
				p.fail(n, path, "unknown step kind %q; allowed: %s%s", key, allowed(StepKinds), suggest.Hint(key, StepKinds))
			}
		} else {
			p.fail(n, path, "a step has exactly one kind, this one has %s", strings.Join(kinds, " and "))
		}
		return st
	}
	st.Kind = kinds[0]
	common := []string{"name", "as", st.Kind}
	switch st.Kind {
	case "stripe":
		f := p.fields(n, path, append(common, "params", "account", "idempotency_key", "expect_error")...)
		st.Method, st.Path = p.methodPath(f["stripe"], path+".stripe", true)
		if v := f["params"]; v != nil {
			m, ok := p.value(v, path+".params").(map[string]any)
			if !ok {
				p.fail(v, path+".params", "want a mapping of parameters")
			}
			st.Params = m
		}
		st.Account = p.account(f["account"], path+".account")
		st.IdempotencyKey = p.str(f["idempotency_key"], path+".idempotency_key")
		if v := f["expect_error"]; v != nil {
			ef := p.fields(v, path+".expect_error", "status", "type", "code", "message", "param")
			st.ExpectError = &ExpectError{Status: p.integer(ef["status"], path+".expect_error.status"), Type: p.str(ef["type"], ""),
				Code: p.str(ef["code"], ""), Message: p.str(ef["message"], ""), Param: p.str(ef["param"], "")}
			// An error Stripe never answers could never be met.
			if code := st.ExpectError.Status; ef["status"] != nil && isInt(ef["status"]) && (code < 400 || code > 599) {
				p.fail(ef["status"], path+".expect_error.status", "want an error status, 400 to 599, got %d", code)
			}
			if t := st.ExpectError.Type; t != "" && !slices.Contains(errorTypes, t) && !strings.Contains(t, "${") {
				p.fail(ef["type"], path+".expect_error.type", "unknown error type %q; allowed: %s%s", t, allowed(errorTypes), suggest.Hint(t, errorTypes))
			}
		}
		p.common(f, &st, path)
	case "app":
		f := p.fields(n, path, append(common, "json", "form", "headers", "expect")...)
		st.Method, st.Path = p.methodPath(f["app"], path+".app", false)
		if v := f["json"]; v != nil {
			st.JSON = p.value(v, path+".json")
		}
		st.Form = p.stringMap(f["form"], path+".form")
		if f["json"] != nil && f["form"] != nil {
			p.fail(n, path, "give an app call json or form, not both")
		}
		st.Headers = p.stringMap(f["headers"], path+".headers")
		if v := f["expect"]; v != nil {
			ef := p.fields(v, path+".expect", "status", "json", "within")
			st.Expect = p.appExpect(ef, path+".expect")
			p.withinOnGET(ef["within"], path+".expect.within", st.Method)
		}
		p.common(f, &st, path)
	case "customer":
		if p.actionAsMapping(n, path, "customer", customerTakes) {
			return st
		}
		f := p.fields(n, path, append(common, "session", "invoice", "payment_intent", "payment_method", "outcome", "account", "verification_session")...)
		st.Action = p.str(f["customer"], path+".customer")
		st.Session = p.str(f["session"], path+".session")
		st.VerificationSession = p.str(f["verification_session"], path+".verification_session")
		st.Invoice = p.str(f["invoice"], path+".invoice")
		st.PaymentIntent = p.str(f["payment_intent"], path+".payment_intent")
		st.PaymentMethod = p.str(f["payment_method"], path+".payment_method")
		st.Outcome = p.str(f["outcome"], path+".outcome")
		st.Account = p.account(f["account"], path+".account")
		if takes, known := customerTakes[st.Action]; known {
			p.unused(n, f, path, st.Action, takes, "session", "invoice", "payment_intent", "payment_method", "outcome", "verification_session")
		}
		switch st.Action {
		case "complete_checkout":
			if st.Session == "" {
				p.fail(n, path+".session", "complete_checkout needs a session")
			}
		case "authenticate", "settle":
			if st.PaymentIntent == "" {
				p.fail(n, path+".payment_intent", "%s needs a payment_intent", st.Action)
			}
		case "complete_onboarding":
			if st.Account == "" {
				p.fail(n, path+".account", "complete_onboarding needs the account that onboards")
			}
		case "pay_invoice":
			if st.Invoice == "" {
				p.fail(n, path+".invoice", "pay_invoice needs the invoice the customer pays")
			}
		case "verify_identity":
			if st.VerificationSession == "" {
				p.fail(n, path+".verification_session", "verify_identity needs the verification_session the user verifies in")
			}
		default:
			p.fail(f["customer"], path+".customer", "unknown customer action %q; allowed: authenticate, complete_checkout, complete_onboarding, pay_invoice, settle, verify_identity%s", st.Action,
				suggest.Hint(st.Action, slices.Collect(maps.Keys(customerTakes))))
		}
		// verify_identity's outcomes depend on its session's checks: the
		// emulator names them when the step runs.
		if st.Action != "verify_identity" && st.Outcome != "" && st.Outcome != "succeed" && st.Outcome != "fail" {
			p.fail(f["outcome"], path+".outcome", "unknown outcome %q; allowed: fail, succeed", st.Outcome)
		}
		p.common(f, &st, path)
	case "clock":
		f := p.fields(n, path, common...)
		cf := p.fields(f["clock"], path+".clock", "advance", "set", "test_clock")
		st.Advance = p.duration(cf["advance"], path+".clock.advance")
		if st.Advance < 0 {
			p.fail(cf["advance"], path+".clock.advance", "the clock only moves forward, got %s; use set", st.Advance)
		}
		if v := cf["set"]; v != nil {
			t, err := time.Parse(time.RFC3339, v.Value)
			if err != nil {
				p.fail(v, path+".clock.set", "want an RFC3339 time like 2025-09-01T12:00:00Z")
			}
			st.Set = &t
		}
		if (cf["advance"] == nil) == (cf["set"] == nil) {
			p.fail(f["clock"], path+".clock", "give exactly one of advance or set")
		}
		st.TestClock = p.str(cf["test_clock"], path+".clock.test_clock")
		p.common(f, &st, path)
	case "webhooks":
		if p.actionAsMapping(n, path, "webhooks", webhooksTakes) {
			return st
		}
		f := p.fields(n, path, append(common, "endpoint", "types", "order", "event", "policy")...)
		st.WebhookAction = p.str(f["webhooks"], path+".webhooks")
		st.Endpoint = p.str(f["endpoint"], path+".endpoint")
		st.Types = p.strings(f["types"], path+".types")
		st.Order = p.strings(f["order"], path+".order")
		st.Event = p.str(f["event"], path+".event")
		if v := f["policy"]; v != nil {
			st.Policy = p.policy(v, path+".policy")
		}
		if takes, known := webhooksTakes[st.WebhookAction]; known {
			p.unused(n, f, path, st.WebhookAction, takes, "endpoint", "types", "order", "event", "policy")
		}
		switch st.WebhookAction {
		case "deliver", "hold":
		case "release":
			if f["types"] != nil && f["order"] != nil {
				p.fail(n, path, "give release either types or an order, not both: an order releases in exactly its order, types in the policy's")
			}
			for i, o := range st.Order {
				p.heldName(f["order"].Content[i], fmt.Sprintf("%s.order[%d]", path, i), o)
			}
			p.eventTypes(f["types"], path+".types", true)
		case "redeliver":
			if st.Event == "" {
				p.fail(n, path+".event", "redeliver needs an event: an evt_… id, a reference, or an event type (its latest event)")
			} else if !strings.Contains(st.Event, "${") && !strings.HasPrefix(st.Event, "evt_") {
				p.eventTypes(f["event"], path+".event", false)
			}
		case "policy":
			if st.Policy == nil {
				p.fail(n, path+".policy", "policy needs a policy")
			}
		default:
			p.fail(f["webhooks"], path+".webhooks", "unknown webhooks action %q; allowed: deliver, hold, policy, redeliver, release%s", st.WebhookAction,
				suggest.Hint(st.WebhookAction, slices.Collect(maps.Keys(webhooksTakes))))
		}
		if len(s.Webhooks) == 0 {
			p.fail(n, path, "a webhooks step needs a webhooks entry (the path on your app that receives Stripe events): there is nothing to deliver to")
		} else if st.Endpoint != "" && !hasWebhook(s, st.Endpoint) {
			p.fail(f["endpoint"], path+".endpoint", "no webhooks entry has path %q", st.Endpoint)
		}
		p.common(f, &st, path)
	case "fault":
		f := p.fields(n, path, common...)
		ff := p.fields(f["fault"], path+".fault", "method", "path", "kind", "times", "duration")
		st.Fault = &Fault{Method: p.str(ff["method"], path+".fault.method"), Path: p.str(ff["path"], path+".fault.path"),
			Kind: p.str(ff["kind"], path+".fault.kind"), Times: p.integer(ff["times"], path+".fault.times"),
			Duration: p.duration(ff["duration"], path+".fault.duration")}
		// A fault on a method or path no request has would never fire.
		p.requestMethod(ff["method"], path+".fault.method", st.Fault.Method)
		if fp := st.Fault.Path; fp != "*" {
			p.requestPath(ff["path"], path+".fault.path", fp)
		}
		switch k := st.Fault.Kind; {
		case ff["kind"] == nil:
			p.fail(f["fault"], path+".fault.kind", "a fault needs a kind: %s", allowed(faultKinds))
		case !slices.Contains(faultKinds, k):
			p.fail(ff["kind"], path+".fault.kind", "unknown fault kind %q; allowed: %s%s", k, allowed(faultKinds), suggest.Hint(k, faultKinds))
		case k == "delay" && ff["duration"] == nil:
			p.fail(f["fault"], path+".fault.duration", "a delay needs a duration (how late the answer comes)")
		case k != "delay" && ff["duration"] != nil:
			p.fail(ff["duration"], path+".fault.duration", "only a delay takes a duration; a %s fault would ignore it", k)
		}
		if st.Fault.Times < 0 {
			p.fail(ff["times"], path+".fault.times", "want 0 (every matching request) or more, got %d", st.Fault.Times)
		}
		p.common(f, &st, path)
	case "expect":
		f := p.fields(n, path, common...)
		st.Check = p.check(f["expect"], path+".expect", s)
		p.common(f, &st, path)
	case "fixture":
		f := p.fields(n, path, common...)
		st.Fixture = p.str(f["fixture"], path+".fixture")
		p.common(f, &st, path)
	}
	return st
}

var (
	faultKinds = []string{"delay", "drop", "drop_answer", "hold", "lock_timeout", "rate_limit", "server_error"}
	// errorTypes are the types of Stripe's error objects.
	errorTypes = []string{"api_error", "card_error", "idempotency_error", "invalid_request_error"}
)

// requestMethod refuses a method no request to Stripe has ("" is any).
func (p *parser) requestMethod(n *yaml.Node, path, m string) {
	if m != "" && !methods[m] {
		p.fail(n, path, "want one of DELETE, GET, POST (or none: any), got %q", m)
	}
}

// requestPath refuses a path no request to Stripe has ("" is any).
func (p *parser) requestPath(n *yaml.Node, path, rp string) {
	if rp != "" && !strings.HasPrefix(rp, "/v1/") && !strings.HasPrefix(rp, "/v2/") && !strings.HasPrefix(rp, "${") {
		p.fail(n, path, "want a path starting with /v1/ or /v2/ (* matches one segment), got %q", rp)
	}
}

// account reads an account field: a reference, an acct_ id, or the name
// of one of the scenario's accounts. A misspelt name would otherwise be
// sent as an account id, and a count or events expectation in an account
// that does not exist finds nothing, which passes as "none".
func (p *parser) account(n *yaml.Node, path string) string {
	v := p.str(n, path)
	if v == "" || strings.Contains(v, "${") || strings.HasPrefix(v, "acct_") || p.accounts[v] {
		return v
	}
	names := slices.Sorted(maps.Keys(p.accounts))
	if len(names) == 0 {
		p.fail(n, path, "no account is named %q: declare it under accounts, or give an acct_ id", v)
	} else {
		p.fail(n, path, "no account is named %q; the scenario's accounts: %s%s", v, strings.Join(names, ", "), suggest.Hint(v, names))
	}
	return v
}

// matchers checks the matchers among expected values ({present: …},
// {one_of: […]}): `present: yes` (a string in YAML) would expect the
// field absent, and one_of a single value would match nothing.
func (p *parser) matchers(n *yaml.Node, path string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		v := n.Content[i+1]
		if v.Kind != yaml.MappingNode || len(v.Content) != 2 {
			continue
		}
		op, arg, at := v.Content[0].Value, v.Content[1], join(path, n.Content[i].Value)
		switch {
		case op == "present" && (arg.Kind != yaml.ScalarNode || arg.Tag != "!!bool"):
			p.fail(arg, at+".present", "want present: true or present: false, got %q", arg.Value)
		case op == "one_of" && arg.Kind != yaml.SequenceNode:
			p.fail(arg, at+".one_of", "want a list of the values it may be, e.g. one_of: [paid, fulfilled]")
		}
	}
}

// isInt reports whether a node reads as a whole number (when it does not,
// integer has said so).
func isInt(n *yaml.Node) bool {
	_, err := strconv.Atoi(n.Value)
	return n.Kind == yaml.ScalarNode && err == nil
}

// nonNegative reads a count, which is never below 0.
func (p *parser) nonNegative(n *yaml.Node, path string) int {
	v := p.integer(n, path)
	if n != nil && isInt(n) && v < 0 {
		p.fail(n, path, "want 0 or more, got %d", v)
	}
	return v
}

// What each customer and webhooks action reads besides its kind; the
// loader refuses the rest rather than ignore them.
var (
	customerTakes = map[string][]string{
		"complete_checkout":   {"session", "payment_method", "account"},
		"authenticate":        {"payment_intent", "outcome", "account"},
		"settle":              {"payment_intent", "outcome", "account"},
		"complete_onboarding": {"account"},
		"pay_invoice":         {"invoice", "payment_method", "account"},
		"verify_identity":     {"verification_session", "outcome", "account"},
	}
	webhooksTakes = map[string][]string{
		"deliver":   {},
		"hold":      {"endpoint"},
		"release":   {"endpoint", "types", "order"},
		"redeliver": {"endpoint", "event"},
		"policy":    {"endpoint", "policy"},
	}
)

// actionAsMapping reports a customer or webhooks step written as
// `webhooks: {redeliver: x}`, as clock steps are, when the action is the
// value and its fields sit beside it: one problem that shows the form.
func (p *parser) actionAsMapping(n *yaml.Node, path, kind string, takes map[string][]string) bool {
	v := keyNode(n, kind)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == kind {
			v = n.Content[i+1]
		}
	}
	if v.Kind != yaml.MappingNode {
		return false
	}
	action := ""
	if len(v.Content) > 0 {
		action = v.Content[0].Value
	}
	fields, known := takes[action]
	if !known {
		p.fail(v, path+"."+kind, "want an action, one of %s, as a string, with its fields beside it (not a mapping)", allowed(slices.Sorted(maps.Keys(takes))))
		return true
	}
	example := fmt.Sprintf("`%s: %s`", kind, action)
	if i := slices.IndexFunc(fields, func(f string) bool { return f != "endpoint" && f != "account" }); i >= 0 {
		example += fmt.Sprintf(" with `%s: …` on the next line", fields[i])
	}
	p.fail(v, path+"."+kind, "write the action as the value and its fields beside it: %s", example)
	return true
}

// subscribed refuses a delivery expectation naming a type its endpoint
// does not take: the check could only fail (or, unexpected, never fail),
// whatever the app does.
func (p *parser) subscribed(s *Scenario, endpoint string, wf map[string]*yaml.Node, path string) {
	var w *Webhook
	for i := range s.Webhooks {
		if endpoint == "" || s.Webhooks[i].Path == endpoint {
			w = &s.Webhooks[i]
			break
		}
	}
	if w == nil {
		return
	}
	for _, k := range []string{"delivered", "contains", "not_contains"} {
		n := wf[k]
		if n == nil || n.Kind != yaml.SequenceNode {
			continue
		}
		for i, c := range n.Content {
			if c.Kind != yaml.ScalarNode || strings.Contains(c.Value, "${") || EventTypeMatches(w.Events, c.Value) {
				continue
			}
			at, takes := fmt.Sprintf("%s.%s[%d]", path, k, i), strings.Join(w.Events, ", ")
			if k == "not_contains" {
				p.fail(c, at, "%s is never delivered to %s (its webhooks entry takes only %s), so this could never fail", c.Value, w.Path, takes)
			} else {
				p.fail(c, at, "%s is never delivered to %s: its webhooks entry takes only %s; add the type to its events, or check the events recorded with `expect: events:`", c.Value, w.Path, takes)
			}
		}
	}
}

// EventTypeMatches reports whether an event type is among patterns: types,
// groups (customer.*) or *; no patterns match every type.
func EventTypeMatches(patterns []string, t string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if p == "*" || p == t || strings.HasSuffix(p, ".*") && strings.HasPrefix(t, strings.TrimSuffix(p, "*")) {
			return true
		}
	}
	return false
}

// unused reports each of fields given to a step whose action does not
// take it.
func (p *parser) unused(n *yaml.Node, f map[string]*yaml.Node, path, action string, takes []string, fields ...string) {
	for _, k := range fields {
		if f[k] != nil && !slices.Contains(takes, k) {
			p.fail(keyNode(n, k), path+"."+k, "%s does not take %s", action, k)
		}
	}
}

// keyNode is the node of a mapping's key (for where a problem is).
func keyNode(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return n
}

// eventTypes checks event type names (a list node, or one scalar): a
// misspelt one would make a check pass, or fail, for nothing. groups
// allows "customer.*" and "*".
func (p *parser) eventTypes(n *yaml.Node, path string, groups bool) {
	if n == nil {
		return
	}
	items, at := []*yaml.Node{n}, func(int) string { return path }
	if n.Kind == yaml.SequenceNode {
		items, at = n.Content, func(i int) string { return fmt.Sprintf("%s[%d]", path, i) }
	}
	for i, c := range items {
		if c.Kind != yaml.ScalarNode || strings.Contains(c.Value, "${") {
			continue
		}
		if !groups && strings.Contains(c.Value, "*") {
			p.fail(c, at(i), "want an event type, got %q", c.Value)
		} else if err := emulator.CheckEventType(c.Value); err != nil {
			p.fail(c, at(i), "%v", err)
		}
	}
}

// heldName checks an entry of a release order: a reference, an event id
// (evt_…), or an event type, which stands for the held events of that type.
func (p *parser) heldName(n *yaml.Node, path, name string) {
	if strings.Contains(name, "${") || strings.HasPrefix(name, "evt_") {
		return
	}
	if strings.Contains(name, "*") {
		p.fail(n, path, "name an event type or an event (evt_… or a reference), not a group: %q", name)
		return
	}
	if err := emulator.CheckEventType(name); err != nil {
		p.fail(n, path, "%v", err)
	}
}

func hasWebhook(s *Scenario, path string) bool {
	for _, w := range s.Webhooks {
		if w.Path == path {
			return true
		}
	}
	return false
}

func (p *parser) common(f map[string]*yaml.Node, st *Step, path string) {
	st.Name = p.str(f["name"], path+".name")
	st.As = p.str(f["as"], path+".as")
	switch st.Kind {
	case "stripe", "app", "customer", "fixture":
	default:
		if st.As != "" {
			// A reference to it would read nothing, silently.
			p.fail(f["as"], path+".as", "a %s step answers nothing to capture; as goes on stripe, app, customer and fixture steps", st.Kind)
		}
	}
}

// withinOnGET refuses within on a call that is not a read: asking again
// would run it again (a second order, a second refund).
func (p *parser) withinOnGET(n *yaml.Node, path, method string) {
	if n != nil && method != "" && method != "GET" {
		p.fail(n, path, "within asks again until the answer holds, so it goes on GET calls only: asking again would %s again", method)
	}
}

// mapping decodes a value that must be a mapping (fields or params to
// check), reporting anything else: a list there would check nothing.
func (p *parser) mapping(n *yaml.Node, path, want string) map[string]any {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		p.fail(n, path, "%s", want)
		return nil
	}
	m, _ := p.value(n, path).(map[string]any)
	return m
}

func (p *parser) appExpect(f map[string]*yaml.Node, path string) *AppExpect {
	e := &AppExpect{Status: p.integer(f["status"], path+".status"), Within: p.duration(f["within"], path+".within")}
	if f["status"] != nil && isInt(f["status"]) && (e.Status < 100 || e.Status > 599) {
		p.fail(f["status"], path+".status", "want an HTTP status, 100 to 599, got %d", e.Status)
	}
	if v := f["json"]; v != nil {
		m, ok := p.value(v, path+".json").(map[string]any)
		if !ok {
			p.fail(v, path+".json", "want a mapping of dotted paths to values")
		}
		p.matchers(v, path+".json")
		e.JSON = m
	}
	return e
}

func (p *parser) check(n *yaml.Node, path string, s *Scenario) *Check {
	n = deref(n)
	c := &Check{}
	if n == nil || n.Kind != yaml.MappingNode {
		p.fail(n, path, "want a mapping with one of: app, count, events, requests, state, stripe, webhooks")
		return c
	}
	keys := map[string]bool{}
	for i := 0; i < len(n.Content); i += 2 {
		keys[n.Content[i].Value] = true
	}
	switch {
	case keys["app"]:
		f := p.fields(n, path, "app", "headers", "status", "json", "within")
		m, t := p.methodPath(f["app"], path+".app", false)
		c.App = &AppCheck{Method: m, Path: t, Headers: p.stringMap(f["headers"], path+".headers"), AppExpect: *p.appExpect(f, path)}
		p.withinOnGET(f["within"], path+".within", m)
	case keys["state"]:
		f := p.fields(n, path, "state")
		sf := p.fields(f["state"], path+".state", "object", "account", "fields")
		c.State = &StateCheck{Object: p.str(sf["object"], path+".state.object"), Account: p.account(sf["account"], path+".state.account")}
		if c.State.Object == "" {
			p.fail(f["state"], path+".state.object", "say which object (an id or a reference)")
		}
		if v := sf["fields"]; v != nil {
			c.State.Fields = p.mapping(v, path+".state.fields", "want a mapping of dotted paths to values")
			p.matchers(v, path+".state.fields")
		}
	case keys["count"]:
		f := p.fields(n, path, "count")
		cf := p.fields(f["count"], path+".count", "object", "account", "equals")
		c.Count = &CountCheck{Object: p.str(cf["object"], path+".count.object"), Account: p.account(cf["account"], path+".count.account"),
			Equals: p.nonNegative(cf["equals"], path+".count.equals")}
		if c.Count.Object == "" {
			p.fail(f["count"], path+".count.object", "say which type of object to count (customer, invoice, …)")
		} else if err := emulator.CheckObjectType(c.Count.Object); err != nil {
			p.fail(cf["object"], path+".count.object", "%v", err)
		}
		if cf["equals"] == nil {
			p.fail(f["count"], path+".count.equals", "say how many to expect")
		}
	case keys["webhooks"]:
		f := p.fields(n, path, "webhooks")
		wf := p.fields(f["webhooks"], path+".webhooks", "endpoint", "delivered", "contains", "not_contains", "app_status")
		c.Webhooks = &WebhookCheck{Endpoint: p.str(wf["endpoint"], path+".webhooks.endpoint"),
			Delivered: p.strings(wf["delivered"], path+".webhooks.delivered"), Contains: p.strings(wf["contains"], path+".webhooks.contains"),
			NotContains: p.strings(wf["not_contains"], path+".webhooks.not_contains"), AppStatus: p.integer(wf["app_status"], path+".webhooks.app_status")}
		for _, k := range []string{"delivered", "contains", "not_contains"} {
			p.eventTypes(wf[k], path+".webhooks."+k, false)
		}
		if wf["delivered"] != nil && c.Webhooks.Delivered == nil {
			c.Webhooks.Delivered = []string{} // delivered: [] expects no delivery
		}
		if len(s.Webhooks) == 0 {
			p.fail(f["webhooks"], path+".webhooks", "a webhooks expectation needs a webhooks entry (the path on your app that receives Stripe events): nothing is delivered without one; check the events recorded with `expect: events:`")
		} else if c.Webhooks.Endpoint != "" && !hasWebhook(s, c.Webhooks.Endpoint) {
			p.fail(wf["endpoint"], path+".webhooks.endpoint", "no webhooks entry has path %q", c.Webhooks.Endpoint)
		}
		p.subscribed(s, c.Webhooks.Endpoint, wf, path+".webhooks")
	case keys["requests"]:
		f := p.fields(n, path, "requests")
		rf := p.fields(f["requests"], path+".requests", "method", "path", "params", "account", "count", "at_least", "none")
		c.Requests = &RequestCheck{Method: p.str(rf["method"], path+".requests.method"), Path: p.str(rf["path"], path+".requests.path"),
			Account: p.account(rf["account"], path+".requests.account"), None: p.boolean(rf["none"], path+".requests.none")}
		if v := rf["params"]; v != nil {
			c.Requests.Params = p.mapping(v, path+".requests.params", "want a mapping of parameters")
		}
		// A method or path no request has would match nothing, ever.
		p.requestMethod(rf["method"], path+".requests.method", c.Requests.Method)
		p.requestPath(rf["path"], path+".requests.path", c.Requests.Path)
		if v := rf["count"]; v != nil {
			n := p.nonNegative(v, path+".requests.count")
			c.Requests.Count = &n
		}
		if v := rf["at_least"]; v != nil {
			n := p.nonNegative(v, path+".requests.at_least")
			c.Requests.AtLeast = &n
		}
		given := 0
		for _, k := range []string{"count", "at_least", "none"} {
			if rf[k] != nil {
				given++
			}
		}
		if given > 1 {
			p.fail(f["requests"], path+".requests", "give requests one of count, at_least or none (none of them: at least one)")
		}
	case keys["stripe"]:
		f := p.fields(n, path, "stripe", "params", "account", "fields")
		m, t := p.methodPath(f["stripe"], path+".stripe", true)
		if m != "" && m != "GET" {
			p.fail(f["stripe"], path+".stripe", "an expectation only reads: want GET, got %s", m)
		}
		c.Stripe = &StripeCheck{Path: t, Account: p.account(f["account"], path+".account")}
		if v := f["params"]; v != nil {
			if c.Stripe.Params, _ = p.value(v, path+".params").(map[string]any); c.Stripe.Params == nil {
				p.fail(v, path+".params", "want a mapping of parameters")
			}
		}
		if v := f["fields"]; v != nil {
			c.Stripe.Fields = p.mapping(v, path+".fields", "want a mapping of dotted paths to values")
			p.matchers(v, path+".fields")
		}
		if f["fields"] == nil || len(c.Stripe.Fields) == 0 && f["fields"].Kind == yaml.MappingNode {
			p.fail(n, path+".fields", "say which fields of the answer to check")
		}
	case keys["events"]:
		f := p.fields(n, path, "events")
		ef := p.fields(f["events"], path+".events", "account", "types", "equals", "contains", "not_contains")
		c.Events = &EventCheck{Account: p.account(ef["account"], path+".events.account"), Types: p.strings(ef["types"], path+".events.types"),
			Equals: p.strings(ef["equals"], path+".events.equals"), Contains: p.strings(ef["contains"], path+".events.contains"),
			NotContains: p.strings(ef["not_contains"], path+".events.not_contains")}
		if ef["equals"] != nil && c.Events.Equals == nil {
			c.Events.Equals = []string{} // equals: [] expects no matching event
		}
		if ef["equals"] == nil && ef["contains"] == nil && ef["not_contains"] == nil {
			p.fail(f["events"], path+".events", "say what to expect: equals, contains or not_contains")
		}
		for i, t := range c.Events.Types {
			if strings.Contains(strings.TrimSuffix(t, "*"), "*") || strings.HasSuffix(t, "*") && t != "*" && !strings.HasSuffix(t, ".*") {
				p.fail(ef["types"].Content[i], fmt.Sprintf("%s.events.types[%d]", path, i), "want an event type, a prefix ending in .* (invoice.*) or *, got %q", t)
			} else {
				p.eventTypes(ef["types"].Content[i], fmt.Sprintf("%s.events.types[%d]", path, i), true)
			}
		}
		for _, k := range []string{"equals", "contains", "not_contains"} {
			p.eventTypes(ef[k], path+".events."+k, false)
		}
	default:
		key := ""
		if len(n.Content) > 0 {
			key = n.Content[0].Value
		}
		p.fail(n, path, "unknown expectation %q; allowed: app, count, events, requests, state, stripe, webhooks%s", key,
			suggest.Hint(key, []string{"app", "count", "events", "requests", "state", "stripe", "webhooks"}))
	}
	return c
}

// Describe is a one-line summary of a step, for reports.
func Describe(st Step) string {
	if st.Name != "" {
		return st.Name
	}
	switch st.Kind {
	case "stripe":
		return fmt.Sprintf("Stripe %s %s", st.Method, st.Path)
	case "app":
		return fmt.Sprintf("app %s %s", st.Method, st.Path)
	case "customer":
		return "customer " + st.Action
	case "clock":
		which := "clock"
		if st.TestClock != "" {
			which = "test clock " + st.TestClock // not the emulator's
		}
		if st.Set != nil {
			return which + " set to " + st.Set.Format(time.RFC3339)
		}
		return which + " advances " + st.Advance.String()
	case "webhooks":
		return "webhooks " + st.WebhookAction
	case "fault":
		return fmt.Sprintf("fault %s on %s %s", st.Fault.Kind, st.Fault.Method, st.Fault.Path)
	case "expect":
		switch {
		case st.Check.App != nil:
			return fmt.Sprintf("expect app %s %s", st.Check.App.Method, st.Check.App.Path)
		case st.Check.State != nil:
			return "expect state of " + st.Check.State.Object
		case st.Check.Count != nil:
			return "expect a count of " + st.Check.Count.Object
		case st.Check.Webhooks != nil:
			return "expect webhook deliveries"
		case st.Check.Requests != nil:
			return "expect requests to Stripe"
		case st.Check.Events != nil:
			return "expect events"
		case st.Check.Stripe != nil:
			return "expect Stripe GET " + st.Check.Stripe.Path
		}
	case "fixture":
		return "fixture " + st.Fixture
	}
	return st.Kind
}
