package wirecheck

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-mock/embedded"
)

// Stripe's own example objects must all pass: those of the pinned version
// (shared/openapi/fixtures3.json beside the checkout) where they are,
// else those stripe-mock embeds (2025-05-28.basil), so a checkout alone
// runs the checks too.
func loadFixtures(t *testing.T) map[string]map[string]any {
	t.Helper()
	raw, err := os.ReadFile("../../../shared/openapi/fixtures3.json")
	if err != nil {
		raw = embedded.OpenAPIFixtures
	}
	var f struct {
		Resources map[string]map[string]any `json:"resources"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return f.Resources
}

func TestStripeFixturesPass(t *testing.T) {
	// Where Stripe's example objects and stripe-go's types disagree, the
	// types win (they are what clients decode into).
	knownGaps := map[string]string{
		"event":   "its example wraps a legacy plan with aggregate_usage, gone in basil",
		"invoice": "its example still carries subscription, which basil moved to parent",
		"charge":  "its example embeds a legacy Source where stripe-go has a polymorphic PaymentSource",
		"topup":   "its example embeds a legacy ACH Source where stripe-go has a polymorphic PaymentSource",
	}
	checked := 0
	for name, obj := range loadFixtures(t) {
		if !Known(name) || knownGaps[name] != "" {
			continue
		}
		b, _ := json.Marshal(obj)
		if err := Check(b); err != nil {
			t.Errorf("fixture %s: %v", name, err)
		}
		checked++
	}
	if checked < 15 {
		t.Errorf("only %d fixtures checked", checked)
	}
}

func mutate(t *testing.T, fx map[string]map[string]any, name string, change func(map[string]any)) []byte {
	t.Helper()
	var cp map[string]any
	b, _ := json.Marshal(fx[name])
	_ = json.Unmarshal(b, &cp)
	change(cp)
	out, _ := json.Marshal(cp)
	return out
}

func TestMutationsFail(t *testing.T) {
	fx := loadFixtures(t)
	cases := map[string]struct {
		body []byte
		want string
	}{
		"invented top-level field": {mutate(t, fx, "customer", func(m map[string]any) { m["loyalty_points"] = 3 }), `unknown field "loyalty_points"`},
		"invented nested field": {mutate(t, fx, "customer", func(m map[string]any) {
			m["invoice_settings"].(map[string]any)["bogus"] = true
		}), "invoice_settings"},
		"string for an integer":        {mutate(t, fx, "price", func(m map[string]any) { m["unit_amount"] = "2000" }), "unit_amount"},
		"decimal for an integer":       {mutate(t, fx, "price", func(m map[string]any) { m["unit_amount"] = 20.5 }), "unit_amount"},
		"basil removed invoice.paid":   {mutate(t, fx, "invoice", func(m map[string]any) { m["paid"] = true }), `"paid"`},
		"basil removed charge.invoice": {mutate(t, fx, "charge", func(m map[string]any) { m["invoice"] = "in_123" }), `"invoice"`},
		"expanded object of the wrong kind": {mutate(t, fx, "price", func(m map[string]any) {
			m["product"] = map[string]any{"id": "cus_1", "object": "customer"}
		}), "product"},
		"unknown object": {[]byte(`{"object":"spaceship","id":"x"}`), "unknown object type"},
		// The OpenAPI check comes after the strict decoding.
		"a field Stripe always sends, missing": {mutate(t, fx, "customer", func(m map[string]any) { delete(m, "livemode") }),
			"against the OpenAPI spec: customer.livemode: required field missing"},
		"an enum value Stripe never sends": {mutate(t, fx, "price", func(m map[string]any) { m["type"] = "sometimes" }),
			`against the OpenAPI spec: price.type: "sometimes" not in enum [one_time recurring]`},
		"no object at all": {[]byte(`{"id":"x"}`), "without"},
	}
	for name, tc := range cases {
		err := Check(tc.body)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not mention %q", name, err, tc.want)
		}
	}
}

func TestListsAndErrors(t *testing.T) {
	list := `{"object":"list","url":"/v1/customers","has_more":false,"data":[{"object":"customer","id":"cus_1","email":null}]}`
	if err := Strict([]byte(list)); err != nil { // a partial customer: the OpenAPI check would refuse it
		t.Errorf("list: %v", err)
	}
	bad := `{"object":"list","url":"/v1/customers","has_more":false,"data":[{"object":"customer","id":"cus_1","emial":"x"}]}`
	if err := Check([]byte(bad)); err == nil || !strings.Contains(err.Error(), "data[0]") {
		t.Errorf("bad list element: %v", err)
	}
	if err := Check([]byte(`{"error":{"type":"invalid_request_error","message":"x","code":"resource_missing"}}`)); err != nil {
		t.Errorf("error envelope: %v", err)
	}
	if err := Check([]byte(`{"error":{"type":"invalid_request_error","mesage":"x"}}`)); err == nil {
		t.Error("misspelled error field accepted")
	}
	if err := Check([]byte(`{"object":"customer","id":"cus_1","deleted":true}`)); err != nil {
		t.Errorf("deleted stub: %v", err)
	}
}

// The transport reports bad bodies and still lets stripe-go decode them.
func TestTransport(t *testing.T) {
	body := `{"object":"customer","id":"cus_1","email":"a@b.c","favourite":"x"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	var reported []string
	hc := &http.Client{Transport: Transport(nil, func(method, path string, err error) {
		reported = append(reported, method+" "+path+": "+err.Error())
	})}
	sc := stripe.NewClient("sk_test_x", stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{
		URL: stripe.String(srv.URL), HTTPClient: hc, LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	})))
	cus, err := sc.V1Customers.Retrieve(t.Context(), "cus_1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cus.Email != "a@b.c" {
		t.Errorf("client decoded %q", cus.Email)
	}
	if len(reported) != 1 || !strings.Contains(reported[0], "favourite") {
		t.Errorf("reports: %v", reported)
	}
}

// The handler reports bad answers and hands them on unchanged.
func TestHandler(t *testing.T) {
	body := `{"object":"customer","id":"cus_1","email":"a@b.c","favourite":"x"}`
	var reported []string
	srv := httptest.NewServer(Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}), func(method, path string, err error) {
		reported = append(reported, method+" "+path+": "+err.Error())
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/v1/customers/cus_1")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != body {
		t.Errorf("answer changed: %s", got)
	}
	if len(reported) != 1 || !strings.Contains(reported[0], "GET /v1/customers/cus_1") || !strings.Contains(reported[0], "favourite") {
		t.Errorf("reports: %v", reported)
	}
}
