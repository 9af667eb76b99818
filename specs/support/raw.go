package support

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
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
