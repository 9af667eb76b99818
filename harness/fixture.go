package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/stripe-emu/stripe-emu/scenarios"
)

// fixture runs a stripe-cli fixture file as stripe-cli does (`stripe
// fixtures FILE`, and `stripe trigger`, whose triggers are such files):
// requests in order, v1 bodies as forms and v2 POST bodies as JSON, each
// ${name:path} read from an earlier answer with gjson's path syntax. It
// answers every named answer, for `as`.
func (r *run) fixture(file string) (any, error) {
	f, err := scenarios.LoadFixture(scenarios.FixturePath(r.s.File, file))
	if err != nil {
		return nil, err
	}
	fx := &fixtureRun{run: r, answers: map[string]gjson.Result{}}
	results := map[string]any{}
	for _, req := range f.Requests {
		status, raw, err := fx.do(req)
		if err != nil {
			return nil, fmt.Errorf("fixture %s (%s %s): %w", req.Name, req.Method, req.Path, err)
		}
		answer := gjson.ParseBytes(raw)
		if status < 200 || status >= 300 {
			got := answer.Get("error.type").String()
			if req.ExpectedErrorType == "" || got != req.ExpectedErrorType {
				return nil, fmt.Errorf("fixture %s (%s %s) answered %d: %s", req.Name, req.Method, req.Path, status, answer.Get("error.message").String())
			}
		}
		if req.Name != "" {
			fx.answers[req.Name] = answer
			var v any
			_ = json.Unmarshal(raw, &v)
			results[req.Name] = v
		}
	}
	return results, nil
}

// fixtureRun is one run of a fixture: the answers so far.
type fixtureRun struct {
	*run
	answers map[string]gjson.Result
	uuids   int
}

func (fx *fixtureRun) do(req scenarios.FixtureRequest) (int, []byte, error) {
	path, err := fx.query(req.Path)
	if err != nil {
		return 0, nil, err
	}
	target := fx.emu.URL() + path
	var body io.Reader = strings.NewReader("")
	contentType := "application/x-www-form-urlencoded"
	if strings.HasPrefix(path, "/v2/") && req.Method == "POST" {
		v, err := fx.queryJSON(req.Params)
		if err != nil {
			return 0, nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return 0, nil, err
		}
		body, contentType = bytes.NewReader(b), "application/json"
	} else {
		var pairs []string
		if err := fx.form(req.Params, "", -1, &pairs); err != nil {
			return 0, nil, err
		}
		encoded := strings.Join(pairs, "&")
		if req.Method == "POST" {
			body = strings.NewReader(encoded)
		} else if encoded != "" {
			target += "?" + encoded
		}
	}
	hr, err := newStripeRequest(req.Method, target, body, contentType)
	if err != nil {
		return 0, nil, err
	}
	if req.IdempotencyKey != "" {
		key, err := fx.query(req.IdempotencyKey)
		if err != nil {
			return 0, nil, err
		}
		hr.Header.Set("Idempotency-Key", key)
	}
	for name, v := range req.Headers {
		value, err := fx.query(v)
		if err != nil {
			return 0, nil, err
		}
		hr.Header.Set(name, value)
	}
	resp, err := fx.http.Do(hr)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// query fills in a string's queries as stripe-cli does: the whole-value
// ones (now on the emulator's clock, a UUID from the run's seed), then
// each ${name:path}, from an earlier answer or (.env) the environment,
// its |default where that has nothing. Unlike stripe-cli, which leaves an
// unanswered query in place, a query with no value and no default fails
// the step, naming it.
func (fx *fixtureRun) query(s string) (string, error) {
	switch s {
	case scenarios.FixtureNow:
		return fx.emu.Clock().Now().UTC().Format(time.RFC3339), nil
	case scenarios.FixtureUUID:
		fx.uuids++
		return fx.uuid(), nil
	}
	for _, ref := range scenarios.FixtureRefs(s) {
		var value string
		if ref.Name == ".env" {
			value = os.Getenv(ref.Path)
		} else {
			value = fx.answers[ref.Name].Get(ref.Path).String()
		}
		if value == "" {
			value = ref.Default
		}
		if value == "" {
			return "", fmt.Errorf("%s has no value: the answer of %s has nothing at %s", ref.Match, ref.Name, ref.Path)
		}
		s = strings.Replace(s, ref.Match, value, 1)
	}
	return s, nil
}

// uuid is a version 4 UUID drawn from the run's seed, so a replay sends
// the same ones.
func (fx *fixtureRun) uuid() string {
	b := make([]byte, 16)
	seed := fx.seed*0x9e3779b97f4a7c15 + uint64(fx.uuids)
	for i := range b {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		b[i] = byte(seed)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// form writes params as stripe-cli writes a v1 body: nested keys in
// brackets, arrays of values as a[]=, arrays of objects as a[i][key]=,
// nulls left out. Keys go in sorted order, so a replay sends the same body.
func (fx *fixtureRun) form(v any, parent string, index int, out *[]string) error {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		key := k
		switch {
		case parent != "" && index >= 0:
			key = fmt.Sprintf("%s[%d][%s]", parent, index, k)
		case parent != "":
			key = parent + "[" + k + "]"
		}
		if err := fx.formValue(m[k], key, out); err != nil {
			return err
		}
	}
	return nil
}

func (fx *fixtureRun) formValue(v any, key string, out *[]string) error {
	switch x := v.(type) {
	case map[string]any:
		return fx.form(x, key, -1, out)
	case []any:
		objects := -1
		for _, e := range x {
			if _, isObj := e.(map[string]any); isObj {
				objects++
				if err := fx.form(e, key, objects, out); err != nil {
					return err
				}
				continue
			}
			if err := fx.formValue(e, key+"[]", out); err != nil {
				return err
			}
		}
		return nil
	case nil:
		return nil
	case string:
		s, err := fx.query(x)
		if err != nil {
			return err
		}
		*out = append(*out, url.QueryEscape(key)+"="+url.QueryEscape(s))
	case float64:
		*out = append(*out, url.QueryEscape(key)+"="+strconv.FormatFloat(x, 'f', -1, 64))
	default:
		*out = append(*out, url.QueryEscape(key)+"="+url.QueryEscape(fmt.Sprint(x)))
	}
	return nil
}

// queryJSON fills in the queries of every string in a v2 body.
func (fx *fixtureRun) queryJSON(v any) (any, error) {
	return mapStrings(v, func(s string) (any, error) { return fx.query(s) })
}
