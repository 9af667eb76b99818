package scenarios

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Fixture is a stripe-cli fixture file (`stripe fixtures FILE`, and the
// files behind `stripe trigger`): requests run in order, later ones
// referring to earlier answers as ${name:path}.
type Fixture struct {
	File     string
	Requests []FixtureRequest
}

// FixtureRequest is one request of a fixture, with every field stripe-cli
// reads.
type FixtureRequest struct {
	Name   string         `json:"name"`
	Path   string         `json:"path"`
	Method string         `json:"method"`
	Params map[string]any `json:"params"`
	// ExpectedErrorType lets the request fail with an error of this type
	// (card_error, invalid_request_error…) without failing the fixture:
	// the triggers of failure events decline on purpose.
	ExpectedErrorType string            `json:"expected_error_type"`
	IdempotencyKey    string            `json:"idempotency_key"`
	Headers           map[string]string `json:"headers"`
	// APIBase sends the request to another of Stripe's hosts (the meter
	// event stream's); the emulator serves them all, so it is accepted
	// and every request goes to the emulator.
	APIBase string `json:"api_base"`
	// Context is in stripe-cli's format but read nowhere by stripe-cli.
	Context string `json:"context"`
}

// SupportedFixtureVersion is the fixture template version stripe-cli
// reads, and so this package.
const SupportedFixtureVersion = 0

// fixtureRef is stripe-cli's query: ${name:path} or ${name:path|default},
// name being an earlier fixture or .env (an environment variable).
var fixtureRef = regexp.MustCompile(`\$\{([^|}:]+):([^|}]+)(?:\|([^/\n}]*))?\}`)

// Whole-value queries stripe-cli also knows.
const (
	FixtureNow  = "${time-now-RFC3339}"
	FixtureUUID = "${generate-uuid}"
)

// LoadFixture reads and checks a fixture file.
func LoadFixture(path string) (*Fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseFixture(path, data)
}

// ParseFixture reads a fixture from bytes.
func ParseFixture(file string, data []byte) (*Fixture, error) {
	var raw struct {
		Meta struct {
			Version         int      `json:"template_version"`
			ExcludeMetadata bool     `json:"exclude_metadata"`
			Aliases         []string `json:"aliases"`
		} `json:"_meta"`
		Fixtures []FixtureRequest `json:"fixtures"`
		// Env names values stripe-cli writes into a .env file after the
		// run; a scenario captures them with `as` instead.
		Env map[string]string `json:"env"`
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, &ValidationError{Problems: []Problem{{File: file, Message: "invalid fixture file: " + err.Error()}}}
	}
	var problems []Problem
	if raw.Meta.Version != SupportedFixtureVersion {
		problems = append(problems, Problem{File: file, Path: "_meta.template_version", Message: fmt.Sprintf("template_version %d: stripe-cli fixtures are version %d", raw.Meta.Version, SupportedFixtureVersion)})
	}
	seen := map[string]bool{}
	for i, f := range raw.Fixtures {
		at := fmt.Sprintf("fixtures[%d]", i)
		method := strings.ToUpper(f.Method)
		if method == "" {
			method = "POST"
		}
		if !methods[method] {
			problems = append(problems, Problem{File: file, Path: at + ".method", Message: fmt.Sprintf("unknown method %q; allowed: DELETE, GET, POST", f.Method)})
		}
		if !strings.HasPrefix(f.Path, "/v1/") && !strings.HasPrefix(f.Path, "/v2/") {
			problems = append(problems, Problem{File: file, Path: at + ".path", Message: fmt.Sprintf("Stripe paths start with /v1/ or /v2/, got %q", f.Path)})
		}
		b, _ := json.Marshal([]any{f.Path, f.Params, f.Headers, f.IdempotencyKey})
		for _, m := range fixtureRef.FindAllStringSubmatch(string(b), -1) {
			if m[1] != ".env" && !seen[m[1]] {
				problems = append(problems, Problem{File: file, Path: at, Message: fmt.Sprintf("reference ${%s:%s}: no earlier fixture is named %q", m[1], m[2], m[1])})
			}
		}
		if f.Name != "" {
			seen[f.Name] = true
		}
		raw.Fixtures[i].Method = method
	}
	if len(raw.Fixtures) == 0 {
		problems = append(problems, Problem{File: file, Message: "a fixture file needs a non-empty \"fixtures\" list"})
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return &Fixture{File: file, Requests: raw.Fixtures}, nil
}

// FixtureRef is one query found in a fixture string.
type FixtureRef struct {
	Match, Name, Path, Default string
}

// FixtureRefs finds ${name:path} and ${name:path|default} queries in s.
func FixtureRefs(s string) []FixtureRef {
	var out []FixtureRef
	for _, m := range fixtureRef.FindAllStringSubmatch(s, -1) {
		out = append(out, FixtureRef{Match: m[0], Name: m[1], Path: m[2], Default: m[3]})
	}
	return out
}
