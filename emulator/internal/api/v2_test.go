package api

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

type thingParams struct {
	Name  *string           `json:"name"`
	Count *int64            `json:"count,omitempty"`
	At    *time.Time        `json:"at,omitempty"`
	Tags  map[string]string `json:"tags,omitempty"`
	Inner *struct {
		Flag *bool `json:"flag"`
	} `json:"inner,omitempty"`
}

type thingListParams struct {
	Limit *int64 `json:"limit,omitempty"`
}

// v2Server serves a v2 family of "things": create (failing once for the
// name "flaky", to show a failed request is not saved under its key) and
// list.
func v2Server(t *testing.T) *Server {
	t.Helper()
	reg := NewRegistry()
	reg.Add(&Kind{Object: "thing", Prefix: "thg_", Name: "thing"})
	env := testEnv(t, time.Unix(1700000000, 0), reg)
	flaked := false
	create := func(c *Call) (any, error) {
		name, _ := c.Params.Str("name")
		count, _ := c.Params.Int("count")
		at, _ := c.Params.Int("at")
		tags, _ := c.Params.Map("tags")
		inner, _ := c.Params.Obj("inner")
		flag, _ := inner.Bool("flag")
		if name == "flaky" && !flaked {
			flaked = true // outside the store: the failure rolls back what it wrote
			return nil, apierr.InvalidRequest("flaky failed this time")
		}
		o := store.Obj{"id": c.NewID("thing"), "object": "thing", "name": name, "count": count, "at": V2Time(at), "flag": flag, "ntags": len(tags)}
		return o, c.Put(o)
	}
	list := func(c *Call) (any, error) {
		q, err := c.V2ListQuery()
		if err != nil {
			return nil, err
		}
		return c.V2Page("thing", "/v2/things", q, url.Values{}, nil), nil
	}
	return NewServer(env, Compile([]Route{
		V2POST("/v2/things", params.FromJSONStruct(thingParams{}), create),
		V2GET("/v2/things", V2ListParams(params.FromJSONStruct(thingListParams{})), list),
	}))
}

func v2Do(t *testing.T, s *Server, method, target, body string, headers ...string) (int, map[string]any, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer sk_test_123")
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: not JSON: %s", method, target, rec.Body.String())
	}
	return rec.Code, out, rec.Header().Get("Idempotent-Replayed")
}

func TestV2FieldsAreValidatedWithV2Errors(t *testing.T) {
	s := v2Server(t)
	for _, tc := range []struct{ body, status, code, mentions string }{
		{`{"name":"a","colour":"red"}`, "400", "invalid_fields", "colour"},
		{`{"name":"a","inner":{"flag":true,"x":1}}`, "400", "invalid_fields", "inner[x]"},
		{`{"count":1}`, "400", "invalid_fields", "name"},
		{`{"name":null}`, "400", "invalid_fields", "name"},
		{`{"name":"a","inner":{}}`, "400", "invalid_fields", "inner[flag]"},
		{`{"name":5}`, "400", "invalid_fields", "name"},
		{`{"name":"a","count":"5"}`, "400", "invalid_fields", "count"},
		{`{"name":"a","count":1.5}`, "400", "invalid_fields", "count"},
		{`{"name":"a","at":1700000000}`, "400", "invalid_fields", "at"},
		{`{"name":"a","at":"yesterday"}`, "400", "invalid_fields", "at"},
		{`{"name":"a","tags":{"k":1}}`, "400", "invalid_fields", "tags[k]"},
		{`{"name":"a",`, "400", "invalid_json", "JSON"},
		{`["name"]`, "400", "invalid_json", "object"},
		{`{"name":"a"} {}`, "400", "invalid_json", "JSON"},
	} {
		status, out, _ := v2Do(t, s, "POST", "/v2/things", tc.body)
		e, _ := out["error"].(map[string]any)
		if want := tc.status; status != 400 || e == nil || e["type"] != "invalid_request_error" || e["code"] != tc.code ||
			!strings.Contains(e["message"].(string), tc.mentions) || len(out) != 1 {
			t.Errorf("%s: answered %d %v, want %s %s naming %s", tc.body, status, out, want, tc.code, tc.mentions)
		}
		for k := range e {
			if k != "type" && k != "code" && k != "message" {
				t.Errorf("%s: v2 error with %q", tc.body, k)
			}
		}
	}
	status, out, _ := v2Do(t, s, "POST", "/v2/things", `{"name":"a","count":3,"at":"2024-06-01T12:00:00.000Z","tags":{"k":"v"},"inner":{"flag":true}}`)
	if status != 200 || out["count"] != 3.0 || out["at"] != "2024-06-01T12:00:00.000Z" || out["flag"] != true || out["ntags"] != 1.0 {
		t.Errorf("valid create answered %d %v", status, out)
	}
	status, out, _ = v2Do(t, s, "POST", "/v2/things", `{"name":"a"}`, "Content-Type", "application/x-www-form-urlencoded")
	if status != 400 {
		t.Errorf("a form body answered %d %v", status, out)
	}
	status, out, _ = v2Do(t, s, "POST", "/v2/things?name=a", `{"name":"a"}`)
	if e, _ := out["error"].(map[string]any); status != 400 || !strings.Contains(Str(e["message"]), "name") {
		t.Errorf("a query on a v2 POST answered %d %v", status, out)
	}
	status, out, _ = v2Do(t, s, "POST", "/v2/things", `{"name":"`+strings.Repeat("x", MaxBodyBytes)+`"}`)
	if status != 413 || out["error"] == nil {
		t.Errorf("an oversize body answered %d", status)
	}
	status, out, _ = v2Do(t, s, "GET", "/v2/nothing", "")
	if e, _ := out["error"].(map[string]any); status != 404 || !strings.HasPrefix(Str(e["message"]), "Unrecognized request URL") || e["request_log_url"] != nil {
		t.Errorf("an unknown v2 path answered %d %v", status, out)
	}
	status, out, _ = v2Do(t, s, "GET", "/v2/things?limit=x", "")
	if e, _ := out["error"].(map[string]any); status != 400 || e["code"] != "invalid_fields" {
		t.Errorf("limit=x answered %d %v", status, out)
	}
}

func TestV2IdempotencyKeepsOnlySuccesses(t *testing.T) {
	s := v2Server(t)
	status, first, _ := v2Do(t, s, "POST", "/v2/things", `{"name":"a"}`, "Idempotency-Key", "k1")
	_, again, replayed := v2Do(t, s, "POST", "/v2/things", `{"name":"a"}`, "Idempotency-Key", "k1")
	if status != 200 || again["id"] != first["id"] || replayed != "true" {
		t.Errorf("replay answered %v (replayed %q), first %v", again, replayed, first)
	}
	status, out, _ := v2Do(t, s, "POST", "/v2/things", `{"name":"b"}`, "Idempotency-Key", "k1")
	if e, _ := out["error"].(map[string]any); status != 409 || e["type"] != "idempotency_error" {
		t.Errorf("other parameters under a used key answered %d %v", status, out)
	}
	// A failure is not saved: the retry under the same key runs again.
	status, _, _ = v2Do(t, s, "POST", "/v2/things", `{"name":"flaky"}`, "Idempotency-Key", "k2")
	if status != 400 {
		t.Fatalf("flaky's first try answered %d", status)
	}
	status, out, replayed = v2Do(t, s, "POST", "/v2/things", `{"name":"flaky"}`, "Idempotency-Key", "k2")
	if status != 200 || replayed != "" || out["name"] != "flaky" {
		t.Errorf("the retry of a failed request answered %d %v (replayed %q)", status, out, replayed)
	}
}

func TestV2ListsPageBothWays(t *testing.T) {
	s := v2Server(t)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		v2Do(t, s, "POST", "/v2/things", `{"name":"`+n+`"}`)
	}
	names := func(out map[string]any) string {
		var ns []string
		for _, o := range out["data"].([]any) {
			ns = append(ns, Str(o.(map[string]any)["name"]))
		}
		return strings.Join(ns, "")
	}
	_, page, _ := v2Do(t, s, "GET", "/v2/things?limit=2", "")
	if names(page) != "ed" || page["previous_page_url"] != nil || page["next_page_url"] == nil {
		t.Fatalf("first page %v", page)
	}
	_, page, _ = v2Do(t, s, "GET", Str(page["next_page_url"]), "")
	if names(page) != "cb" || page["previous_page_url"] == nil || page["next_page_url"] == nil {
		t.Fatalf("second page %v", page)
	}
	next := Str(page["next_page_url"])
	_, back, _ := v2Do(t, s, "GET", Str(page["previous_page_url"]), "")
	if names(back) != "ed" || back["previous_page_url"] != nil || back["next_page_url"] == nil {
		t.Fatalf("back to the first page %v", back)
	}
	_, page, _ = v2Do(t, s, "GET", next, "")
	if names(page) != "a" || page["next_page_url"] != nil || page["previous_page_url"] == nil {
		t.Fatalf("last page %v", page)
	}
	if !strings.Contains(next, "limit=2") {
		t.Errorf("next_page_url %s does not keep the limit", next)
	}
	for _, bad := range []string{"?page=nonsense", "?limit=0", "?limit=21", "?colour=red"} {
		status, out, _ := v2Do(t, s, "GET", "/v2/things"+bad, "")
		if e, _ := out["error"].(map[string]any); status != 400 || e["code"] != "invalid_fields" {
			t.Errorf("%s answered %d %v", bad, status, out)
		}
	}
}
