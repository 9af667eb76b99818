package wirecheck

import (
	"bytes"
	"io"
	"net/http"
	"strings"
)

// Transport wraps next so that every JSON response is checked; report is
// called for each one that does not decode strictly. The body is handed on
// unchanged.
func Transport(next http.RoundTripper, report func(method, path string, err error)) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper{next: next, report: report}
}

type roundTripper struct {
	next   http.RoundTripper
	report func(method, path string, err error)
}

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := rt.next.RoundTrip(req)
	if err != nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if cerr := Check(body); cerr != nil {
		rt.report(req.Method, req.URL.Path, cerr)
	}
	return resp, nil
}
