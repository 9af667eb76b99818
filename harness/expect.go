package harness

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/scenarios"
)

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newServer serves an emulator on 127.0.0.1 for one run.
func newServer(emu *emulator.Emulator) *httptest.Server {
	srv := httptest.NewServer(emu.Handler())
	emu.SetURL(srv.URL)
	return srv
}

// checkApp compares an app answer with an expectation, asking again
// until it holds when `within` is set (the app may still be processing).
func (r *run) checkApp(first map[string]any, method, p string, headers map[string]string, e scenarios.AppExpect) error {
	deadline := time.Now().Add(e.Within)
	res := first
	for {
		err := appMatches(res, e)
		if err == nil || e.Within == 0 || time.Now().After(deadline) {
			if err != nil && e.Within > 0 {
				err = fmt.Errorf("%w (still, after %s)", err, e.Within)
			}
			return err
		}
		time.Sleep(20 * time.Millisecond)
		if err := r.flush(); err != nil {
			return err
		}
		again, aerr := r.app(method, p, nil, nil, headers)
		if aerr != nil {
			return aerr
		}
		res = again.(map[string]any)
	}
}

func appMatches(res map[string]any, e scenarios.AppExpect) error {
	if e.Status != 0 && int(res["status"].(float64)) != e.Status {
		return fmt.Errorf("the app answered %v, want %d; body: %s", res["status"], e.Status, brief(res["body"]))
	}
	keys := make([]string, 0, len(e.JSON))
	for k := range e.JSON {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		got, present := lookup(res["body"], k)
		if err := match(e.JSON[k], got, present); err != nil {
			return fmt.Errorf("app body %s: %v; body: %s", k, err, brief(res["body"]))
		}
	}
	return nil
}

func (r *run) expect(c *scenarios.Check) error {
	// Expectations see the world after every due delivery has landed.
	if err := r.flush(); err != nil {
		return err
	}
	switch {
	case c.App != nil:
		res, err := r.app(c.App.Method, c.App.Path, nil, nil, c.App.Headers)
		if err != nil {
			return err
		}
		return r.checkApp(res.(map[string]any), c.App.Method, c.App.Path, c.App.Headers, c.App.AppExpect)
	case c.State != nil:
		id, err := r.resolveString(c.State.Object)
		if err != nil {
			return err
		}
		acct, err := r.account(c.State.Account)
		if err != nil {
			return err
		}
		obj, ok := r.emu.GetIn(acct, id)
		if !ok {
			return fmt.Errorf("no object %s in %s%s", id, accountName(acct), r.elsewhere(acct, id))
		}
		// Every mismatch, in a stable order: one run shows them all.
		var mismatches []string
		for _, k := range slices.Sorted(maps.Keys(c.State.Fields)) {
			want, err := r.resolveAll(c.State.Fields[k])
			if err != nil {
				return err
			}
			got, present := lookup(obj, k)
			if err := match(want, got, present); err != nil {
				mismatches = append(mismatches, fmt.Sprintf("%s %s: %v", id, k, err))
			}
		}
		if len(mismatches) > 0 {
			return errors.New(strings.Join(mismatches, "; "))
		}
		return nil
	case c.Count != nil:
		acct, err := r.account(c.Count.Account)
		if err != nil {
			return err
		}
		if n := r.emu.Count(acct, c.Count.Object); n != c.Count.Equals {
			return fmt.Errorf("%s holds %d %s objects, want %d", accountName(acct), n, c.Count.Object, c.Count.Equals)
		}
		return nil
	case c.Webhooks != nil:
		return r.expectWebhooks(c.Webhooks)
	case c.Requests != nil:
		return r.expectRequests(c.Requests)
	case c.Events != nil:
		return r.expectEvents(c.Events)
	case c.Stripe != nil:
		return r.expectStripe(c.Stripe)
	}
	return fmt.Errorf("empty expectation")
}

// expectStripe reads from Stripe as the harness and checks the answer.
func (r *run) expectStripe(c *scenarios.StripeCheck) error {
	answer, err := r.stripe(scenarios.Step{Method: "GET", Path: c.Path, Params: c.Params, Account: c.Account})
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(c.Fields))
	for k := range c.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		want, err := r.resolveAll(c.Fields[k])
		if err != nil {
			return err
		}
		got, present := lookup(answer, k)
		if err := match(want, got, present); err != nil {
			return fmt.Errorf("GET %s %s: %v", c.Path, k, err)
		}
	}
	return nil
}

// elsewhere says which other account of the scenario holds an object a
// check looked for in the wrong one ("" when none does).
func (r *run) elsewhere(acct, id string) string {
	candidates := []string{""}
	for _, a := range r.s.Accounts {
		candidates = append(candidates, a.Name)
	}
	for _, name := range candidates {
		other := r.accounts[name]
		if other == acct {
			continue
		}
		if _, ok := r.emu.GetIn(other, id); ok {
			if name == "" {
				return "; it is in the platform account: leave account out"
			}
			return fmt.Sprintf("; it is in %s (%s): give account: %s", name, other, name)
		}
	}
	return ""
}

func accountName(acct string) string {
	if acct == "" {
		return "the platform account"
	}
	return acct
}

func (r *run) expectWebhooks(w *scenarios.WebhookCheck) error {
	id, err := r.endpoint(w.Endpoint)
	if err != nil {
		return err
	}
	var delivered []string
	for _, a := range r.emu.Webhooks().Attempts() {
		if a.EndpointID != id {
			continue
		}
		if w.AppStatus != 0 && a.Status != w.AppStatus {
			return fmt.Errorf("the app answered %s (%s) with %d, want %d: %s", a.EventType, a.EventID, a.Status, w.AppStatus, strings.TrimSpace(a.ResponseBody))
		}
		if a.OK {
			delivered = append(delivered, a.EventType)
		}
	}
	if w.Delivered != nil && strings.Join(w.Delivered, ",") != strings.Join(delivered, ",") {
		return fmt.Errorf("delivered %v, want %v", delivered, w.Delivered)
	}
	has := map[string]bool{}
	for _, t := range delivered {
		has[t] = true
	}
	for _, t := range w.Contains {
		if !has[t] {
			return fmt.Errorf("no %s was delivered (delivered: %v)", t, delivered)
		}
	}
	for _, t := range w.NotContains {
		if has[t] {
			return fmt.Errorf("%s was delivered, and should not have been", t)
		}
	}
	return nil
}

func (r *run) expectEvents(e *scenarios.EventCheck) error {
	acct, err := r.account(e.Account)
	if err != nil {
		return err
	}
	var got []string
	for _, t := range r.emu.EventTypes(acct) {
		if scenarios.EventTypeMatches(e.Types, t) {
			got = append(got, t)
		}
	}
	where := accountName(acct)
	if len(e.Types) > 0 {
		where += " of types " + strings.Join(e.Types, ", ")
	}
	if e.Equals != nil && strings.Join(e.Equals, ",") != strings.Join(got, ",") {
		return fmt.Errorf("events in %s: %v, want %v", where, got, e.Equals)
	}
	has := map[string]bool{}
	for _, t := range got {
		has[t] = true
	}
	for _, t := range e.Contains {
		if !has[t] {
			return fmt.Errorf("no %s event in %s (there: %v)", t, where, got)
		}
	}
	for _, t := range e.NotContains {
		if has[t] {
			return fmt.Errorf("a %s event is in %s, and should not be (there: %v)", t, where, got)
		}
	}
	return nil
}

func (r *run) expectRequests(q *scenarios.RequestCheck) error {
	acct, err := r.account(q.Account)
	if err != nil {
		return err
	}
	pattern, err := r.resolveString(q.Path)
	if err != nil {
		return err
	}
	want := map[string]string{}
	if q.Params != nil {
		p, err := r.resolveAll(map[string]any(q.Params))
		if err != nil {
			return err
		}
		flatten("", p, want)
	}
	n := 0
	var seen []string
	for _, req := range r.emu.Requests() {
		if req.UserAgent == HarnessUserAgent {
			continue
		}
		if (q.Method != "" && req.Method != q.Method) || !pathMatch(pattern, req.Path) {
			continue
		}
		if q.Account != "" && req.Account != acct {
			continue
		}
		got, _ := url.ParseQuery(req.Body)
		if req.Method != "POST" {
			got, _ = url.ParseQuery(req.Query)
		}
		ok := true
		for k, v := range want {
			if got.Get(k) != v {
				ok = false
			}
		}
		seen = append(seen, fmt.Sprintf("%s %s %s [%s]", req.Method, req.Path, accountName(req.Account), req.Body))
		if ok {
			n++
		}
	}
	switch {
	case q.None && n > 0:
		return fmt.Errorf("the app made %d matching request(s), want none: %v", n, seen)
	case q.Count != nil && n != *q.Count:
		return fmt.Errorf("the app made %d matching request(s), want %d; its requests there: %v", n, *q.Count, seen)
	case q.AtLeast != nil && n < *q.AtLeast:
		return fmt.Errorf("the app made %d matching request(s), want at least %d; its requests there: %v", n, *q.AtLeast, seen)
	case !q.None && q.Count == nil && q.AtLeast == nil && n == 0:
		return fmt.Errorf("the app made no matching request; its requests there: %v", seen)
	}
	return nil
}
