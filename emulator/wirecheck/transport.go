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
	if cerr := checkerFor(req.Method, req.URL.Path)(body); cerr != nil {
		rt.report(req.Method, req.URL.Path, cerr)
	}
	return resp, nil
}

// Handler serves next and checks every JSON answer as Transport does, on
// the server's side: for clients that are not Go (the other SDKs' specs).
// Answers go out unchanged.
func Handler(next http.Handler, report func(method, path string, err error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			if err := checkerFor(r.Method, r.URL.Path)(rec.body.Bytes()); err != nil {
				report(r.Method, r.URL.Path, err)
			}
		}
	})
}

// recorder passes an answer through, keeping a copy of its body.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
