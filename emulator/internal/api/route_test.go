package api

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Paths without variables are looked up directly; they must route as mux
// would, a fixed path winning over a pattern that also matches it, and
// anything else (other methods, variables, unknown paths) left to mux.
func TestRouting(t *testing.T) {
	env := testEnv(t, time.Unix(1000, 0), NewRegistry())
	answer := func(name string) func(*Call) (any, error) {
		return func(c *Call) (any, error) {
			return store.Obj{"object": "thing", "handler": name, "id": c.Var("id")}, nil
		}
	}
	s := NewServer(env, Compile([]Route{
		GET("/v1/things/{id}", params.Object(map[string]*params.Schema{}), answer("retrieve")),
		GET("/v1/things/search", params.Object(map[string]*params.Schema{}), answer("search")),
		POST("/v1/things", params.Object(map[string]*params.Schema{}), answer("create")),
	}))
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/v1/things/search", `"handler": "search"`},
		{"GET", "/v1/things/th_1", `"id": "th_1"`},
		{"POST", "/v1/things", `"handler": "create"`},
		{"DELETE", "/v1/things", "Unrecognized request URL"},
		{"GET", "/v1/things/", "Unrecognized request URL"},
		{"GET", "/v1/nothing", "Unrecognized request URL"},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(tc.method, tc.path, nil)
		req.Header.Set("Authorization", "Bearer sk_test_123")
		if tc.method == "POST" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		s.ServeHTTP(rec, req)
		if body := rec.Body.String(); !strings.Contains(body, tc.want) {
			t.Errorf("%s %s answered %d %s, want %s", tc.method, tc.path, rec.Code, body, tc.want)
		}
	}
}
