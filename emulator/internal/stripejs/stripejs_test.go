package stripejs

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestServeTellsTheScriptWhereItWasServedFrom(t *testing.T) {
	for _, tc := range []struct {
		name    string
		headers map[string]string
		want    string
	}{
		{"direct", nil, `var ORIGIN = "http://emu.test:12111";`},
		{"behind a proxy", map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "stripe.local, inner"}, `var ORIGIN = "https://stripe.local";`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "http://emu.test:12111/js.stripe.com/v3/", nil)
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			Serve(rec, req)
			body := rec.Body.String()
			if !strings.Contains(body, tc.want) {
				t.Fatalf("the script does not say %s", tc.want)
			}
			if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, "application/javascript") {
				t.Fatalf("Content-Type %q", got)
			}
			if !strings.Contains(body, "window.Stripe = Stripe;") {
				t.Fatal("the script does not define window.Stripe")
			}
		})
	}
}
