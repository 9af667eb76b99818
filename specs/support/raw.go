package support

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/emulator/wirecheck"
)

// Raw is an HTTP answer decoded for assertions.
type Raw struct {
	Status int
	Header http.Header
	Body   map[string]any
	Text   string
}

// Error returns the "error" object of a Stripe error answer.
func (r Raw) Error() map[string]any {
	GinkgoHelper()
	e, ok := r.Body["error"].(map[string]any)
	Expect(ok).To(BeTrue(), "not a Stripe error body: %s", r.Text)
	return e
}

// Do sends a request over real HTTP the way curl would. headers are
// name/value pairs; an Authorization header is added unless given.
func Do(baseURL, method, path, body string, headers ...string) Raw {
	GinkgoHelper()
	req, err := http.NewRequest(method, baseURL+path, strings.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Authorization", "Bearer sk_test_spec")
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	out := Raw{Status: resp.StatusCode, Header: resp.Header, Text: string(b)}
	_ = json.Unmarshal(b, &out.Body)
	return out
}

// Legacy sends a request the way stripe-go's raw requests do, for the
// older routes Stripe still serves that stripe-go has no method for (a GET
// carries its parameters in path's query). A success is decoded into v (a
// stripe-go type, or nil); an error answer is returned as stripe-go's
// *stripe.Error. Every answer is checked strictly against stripe-go's
// types and Stripe's OpenAPI spec, as every spec's client is.
func Legacy(emu *emulator.Emulator, method, path, body string, v any) error {
	GinkgoHelper()
	var problem error
	transport := wirecheck.Transport(http.DefaultTransport, func(_, _ string, err error) { problem = err })
	b := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL:               stripe.String(emu.URL()),
		HTTPClient:        &http.Client{Transport: transport},
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	resp, err := b.(stripe.RawRequestBackend).RawRequest(method, path, "sk_test_spec", body, nil)
	Expect(problem).NotTo(HaveOccurred(), "%s %s: the answer does not decode strictly into stripe-go types or breaks Stripe's OpenAPI spec", method, path)
	if err != nil {
		return err
	}
	if v != nil {
		Expect(json.Unmarshal(resp.RawJSON, v)).To(Succeed())
	}
	return nil
}

// Page is what a browser gets from one of the emulator's pages: the
// answer itself, redirects not followed, so each step can be checked.
type Page struct {
	Status   int
	Location string // a redirect's target
	Body     string
	Header   http.Header
}

// browser follows no redirect.
var browser = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Visit GETs u, or POSTs form to it, as a browser would.
func Visit(method, u string, form url.Values) Page {
	GinkgoHelper()
	var res *http.Response
	var err error
	if method == http.MethodPost {
		res, err = browser.PostForm(u, form)
	} else {
		res, err = browser.Get(u)
	}
	Expect(err).NotTo(HaveOccurred())
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	Expect(err).NotTo(HaveOccurred())
	return Page{res.StatusCode, res.Header.Get("Location"), string(b), res.Header}
}
