package api

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// A handler that panics (a bug) answers Stripe's 500 api_error, keeps
// nothing it stored, and leaves its idempotency key free, instead of
// dropping the connection (an SDK sees EOF) with its writes committed.
func TestHandlerPanicAnswersA500AndKeepsNothing(t *testing.T) {
	env := testEnv(t, time.Unix(1000, 0), NewRegistry())

	s := NewServer(env, Compile([]Route{
		POST("/v1/things", params.Object(map[string]*params.Schema{}), func(c *Call) (any, error) {
			if err := c.Tx.Put(c.Account, store.Obj{"id": "th_1", "object": "thing"}); err != nil {
				return nil, err
			}
			var m map[string]any
			m["boom"] = 1 // a handler's bug
			return nil, nil
		}),
	}))
	for range 2 {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/v1/things", nil)
		req.Header.Set("Authorization", "Bearer sk_test_123")
		req.Header.Set("Idempotency-Key", "k1")
		s.ServeHTTP(rec, req)
		if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"type": "api_error"`) {
			t.Fatalf("answered %d %s", rec.Code, rec.Body.String())
		}
	}
	_ = env.Store.View(func(tx *store.Tx) error {
		if _, ok := tx.Get("acct_p", "thing", "th_1"); ok {
			t.Error("what the panicking handler stored was kept")
		}
		return nil
	})
}
