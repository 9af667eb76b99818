package scenarios

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Fixture is a stripe-cli fixture file (`stripe fixtures FILE`): requests
// run in order, later ones referring to earlier answers as ${name:path}.
type Fixture struct {
	File     string
	Requests []FixtureRequest
}

// FixtureRequest is one request of a fixture.
type FixtureRequest struct {
	Name   string         `json:"name"`
	Path   string         `json:"path"`
	Method string         `json:"method"`
	Params map[string]any `json:"params"`
}

var fixtureRef = regexp.MustCompile(`\$\{([^}:]+):([^}]*)\}`)

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
		Meta     map[string]any   `json:"_meta"`
		Fixtures []FixtureRequest `json:"fixtures"`
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, &ValidationError{Problems: []Problem{{File: file, Message: "invalid fixture file: " + err.Error()}}}
	}
	var problems []Problem
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
		if !strings.HasPrefix(f.Path, "/v1/") {
			problems = append(problems, Problem{File: file, Path: at + ".path", Message: fmt.Sprintf("Stripe paths start with /v1/, got %q", f.Path)})
		}
		b, _ := json.Marshal(f.Params)
		for _, m := range fixtureRef.FindAllStringSubmatch(f.Path+string(b), -1) {
			if !seen[m[1]] {
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

// FixtureRefs finds ${name:path} references in s.
func FixtureRefs(s string) [][]string { return fixtureRef.FindAllStringSubmatch(s, -1) }
