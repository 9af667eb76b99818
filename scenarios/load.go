package scenarios

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/stripe-emu/stripe-emu/emulator/suggest"
)

// Load reads and validates a scenario file.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	if problems := checkFixtures(s); len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return s, nil
}

// FixturePath is where a fixture step's file is: relative to the scenario
// file, which stays where it is whichever directory runs it.
func FixturePath(scenarioFile, fixture string) string {
	if filepath.IsAbs(fixture) {
		return fixture
	}
	return filepath.Join(filepath.Dir(scenarioFile), fixture)
}

// checkFixtures reads each fixture step's file, so a missing or broken
// one is reported with the scenario's other mistakes, not by the run
// that reaches its step.
func checkFixtures(s *Scenario) []Problem {
	var out []Problem
	for i, st := range s.Steps {
		if st.Kind != "fixture" || strings.Contains(st.Fixture, "${") {
			continue
		}
		at := Problem{File: s.File, Line: st.Line, Path: fmt.Sprintf("steps[%d].fixture", i)}
		p := FixturePath(s.File, st.Fixture)
		info, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			at.Message = fmt.Sprintf("no fixture file %s (a fixture's path is relative to the scenario file)", p)
		case err != nil:
			at.Message = err.Error()
		case !info.Mode().IsRegular():
			at.Message = fmt.Sprintf("%s is not a fixture file", p)
		default:
			_, err := LoadFixture(p)
			var ve *ValidationError
			switch {
			case errors.As(err, &ve):
				for _, fp := range ve.Problems {
					at.Message = fp.String()
					out = append(out, at)
				}
				continue
			case err != nil:
				at.Message = err.Error()
			default:
				continue
			}
		}
		out = append(out, at)
	}
	return out
}

// LoadDir loads every *.yaml / *.yml scenario in dir and its
// subdirectories (but hidden ones and testdata), sorted by path, so
// scenarios kept by topic (scenarios/billing/…) run with the rest. All
// files' problems are reported together. A directory without any is an
// error: a mistyped path would otherwise run nothing and pass.
func LoadDir(dir string) ([]*Scenario, error) {
	_, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !filepath.IsAbs(dir):
		// A suite's relative path is read from its package directory,
		// where go test runs: say where that was.
		wd, _ := os.Getwd()
		return nil, fmt.Errorf("no scenario directory %s (a relative path is read from %s, where this runs)", dir, wd)
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no scenario directory %s", dir)
	case err != nil:
		return nil, err
	}
	var files []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(p); ext == ".yaml" || ext == ".yml" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("no scenario files (*.yaml, *.yml) in %s or its subdirectories", dir)
	}
	var out []*Scenario
	var all ValidationError
	for _, f := range files {
		s, err := Load(f)
		if ve, ok := err.(*ValidationError); ok {
			all.Problems = append(all.Problems, ve.Problems...)
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	all.Problems = append(all.Problems, DuplicateNames(out)...)
	if len(all.Problems) > 0 {
		return nil, &all
	}
	return out, nil
}

// DuplicateNames reports each scenario named as an earlier one: two specs,
// two JUnit cases, one --focus match, that no report tells apart.
func DuplicateNames(all []*Scenario) []Problem {
	var out []Problem
	first := map[string]*Scenario{}
	for _, s := range all {
		if f, ok := first[s.Name]; ok {
			p := s.nameAt
			p.Message = fmt.Sprintf("%q is the name of %s too; give each scenario its own name", s.Name, f.File)
			out = append(out, p)
			continue
		}
		first[s.Name] = s
	}
	return out
}

// Parse reads a scenario from bytes; file names it in errors.
func Parse(file string, data []byte) (s *Scenario, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, &ValidationError{Problems: []Problem{{File: file, Message: fmt.Sprintf("unreadable scenario: %v", r)}}}
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &ValidationError{Problems: []Problem{yamlProblem(file, data, err)}}
	}
	p := &parser{file: file}
	s = &Scenario{File: file}
	if len(doc.Content) == 0 {
		p.fail(nil, "", "the file is empty: a scenario needs a name and steps")
		return nil, p.err()
	}
	p.scenario(doc.Content[0], s)
	if len(p.problems) > 0 {
		return nil, p.err()
	}
	return s, nil
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

// unquotedFlowRef is a ${reference} left bare inside { } or [ ], which
// YAML reads as a nested mapping and refuses.
var unquotedFlowRef = regexp.MustCompile(`[{\[][^"']*?(\$\{[^}]*\})`)

// yamlProblem reports a YAML syntax error. The parser names a flow
// mapping's error a line early (the line before its "{"), so a bare
// reference there, the usual cause, is found and pointed at itself.
func yamlProblem(file string, data []byte, err error) Problem {
	line := yamlLine(err)
	msg := err.Error()
	if strings.Contains(msg, "did not find expected ',' or") {
		lines := strings.Split(string(data), "\n")
		for _, l := range []int{line, line + 1} {
			if l < 1 || l > len(lines) {
				continue
			}
			if m := unquotedFlowRef.FindStringSubmatch(lines[l-1]); m != nil {
				_, problem, _ := strings.Cut(msg, fmt.Sprintf("line %d: ", line))
				return Problem{File: file, Line: l, Message: fmt.Sprintf("invalid YAML: %s: inside { } or [ ], quote a reference: \"%s\"", problem, m[1])}
			}
		}
	}
	// The parser's line may be where the broken block began: the
	// problem's own line replaces it.
	line = yamlErrorLine(data, line)
	msg = yamlLinePrefix.ReplaceAllString(msg, "")
	switch lines := strings.Split(string(data), "\n"); {
	case line >= 1 && line <= len(lines) && strings.HasPrefix(strings.TrimLeft(lines[line-1], " "), "\t"):
		msg += ": YAML indents with spaces, not tabs"
	case strings.Contains(msg, "did not find expected key") || strings.Contains(msg, "did not find expected '-' indicator"):
		msg += ": is this line indented as the lines around it?"
	case strings.Contains(msg, "unexpected end of stream"):
		msg += ": is a quote or bracket opened on this line left open?"
	}
	return Problem{File: file, Line: line, Message: "invalid YAML: " + msg}
}

var yamlLinePrefix = regexp.MustCompile(`^yaml: line \d+: `)

// yamlErrorLine is the line a YAML syntax error is on. The parser names
// the line where the block it was reading began (a step's "- ", or
// "steps:"), which may be far above the mistake; the mistake is on the
// line after the longest beginning of the file that still reads. A long
// file keeps the parser's line (each try parses the file again).
func yamlErrorLine(data []byte, parserLine int) int {
	lines := strings.SplitAfter(string(data), "\n")
	if parserLine < 1 || len(lines) > 1000 {
		return parserLine
	}
	var v any
	for k := len(lines) - 1; k >= parserLine; k-- {
		if yaml.Unmarshal([]byte(strings.Join(lines[:k], "")), &v) == nil {
			return k + 1
		}
	}
	return parserLine
}

func yamlLine(err error) int {
	if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

type parser struct {
	file     string
	problems []Problem
	defined  map[string]bool
	// appAnswers are the names of app steps' answers, whose fields are
	// status, headers and body: ${order.id} is a slip for ${order.body.id}.
	appAnswers map[string]bool
	accounts   map[string]bool // the scenario's accounts, by name
}

func (p *parser) err() error {
	sortProblems(p.problems)
	return &ValidationError{Problems: p.problems}
}

func (p *parser) fail(n *yaml.Node, path, format string, args ...any) {
	pr := Problem{File: p.file, Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		pr.Line, pr.Column = n.Line, n.Column
	}
	p.problems = append(p.problems, pr)
}

// deref is the node an alias (*name) stands for: a step or a mapping
// written once with an anchor (&name) and used again.
func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// fields reads a mapping, reporting keys outside the allowed set.
func (p *parser) fields(n *yaml.Node, path string, keys ...string) map[string]*yaml.Node {
	n = deref(n)
	out := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		p.fail(n, path, "want a mapping with keys %s", allowed(keys))
		return out
	}
	ok := map[string]bool{}
	for _, k := range keys {
		ok[k] = true
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !ok[k.Value] {
			p.fail(k, path, "unknown key %q; allowed: %s%s", k.Value, allowed(keys), suggest.Hint(k.Value, keys))
			continue
		}
		if _, dup := out[k.Value]; dup {
			p.fail(k, path, "key %q appears twice", k.Value)
		}
		out[k.Value] = deref(v)
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (p *parser) str(n *yaml.Node, path string) string {
	if n == nil {
		return ""
	}
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.fail(n, path, "want a string")
		return ""
	}
	p.refs(n, path, n.Value)
	return n.Value
}

func (p *parser) integer(n *yaml.Node, path string) int {
	if n == nil {
		return 0
	}
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		p.fail(n, path, "want a whole number, got %q", n.Value)
	}
	return v
}

func (p *parser) float(n *yaml.Node, path string) float64 {
	if n == nil {
		return 0
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if n.Kind != yaml.ScalarNode || err != nil {
		p.fail(n, path, "want a number, got %q", n.Value)
	}
	return v
}

func (p *parser) boolean(n *yaml.Node, path string) bool {
	if n == nil {
		return false
	}
	switch n.Value {
	case "true":
		return true
	case "false":
		return false
	}
	p.fail(n, path, "want true or false, got %q", n.Value)
	return false
}

func (p *parser) strings(n *yaml.Node, path string) []string {
	if n == nil {
		return nil
	}
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		p.fail(n, path, "want a list of strings")
		return nil
	}
	var out []string
	for i, c := range n.Content {
		out = append(out, p.str(c, fmt.Sprintf("%s[%d]", path, i)))
	}
	return out
}

func (p *parser) stringMap(n *yaml.Node, path string) map[string]string {
	if n == nil {
		return nil
	}
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		p.fail(n, path, "want a mapping of strings")
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = p.str(n.Content[i+1], join(path, n.Content[i].Value))
	}
	return out
}

// value decodes any YAML value (for params, JSON bodies and matchers),
// checking references inside strings.
func (p *parser) value(n *yaml.Node, path string) any {
	var v any
	if err := n.Decode(&v); err != nil {
		p.fail(n, path, "%v", err)
	}
	p.walkRefs(n, path)
	return v
}

func (p *parser) walkRefs(n *yaml.Node, path string) {
	if n.Kind == yaml.ScalarNode {
		p.refs(n, path, n.Value)
	}
	for _, c := range n.Content {
		p.walkRefs(c, path)
	}
}

// ParseDuration reads Go durations plus days ("3d", "1d12h").
func ParseDuration(s string) (time.Duration, error) {
	whole := s
	var total time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		days, err := strconv.ParseFloat(s[:i], 64)
		if err == nil {
			total = time.Duration(days * 24 * float64(time.Hour))
			s = s[i+1:]
			if s == "" {
				return total, nil
			}
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		// The whole value: "3days" is the mistake, not its "ays".
		return 0, fmt.Errorf("invalid duration %q (use 90s, 5m, 1h30m, 3d)", whole)
	}
	return total + d, nil
}

func (p *parser) duration(n *yaml.Node, path string) time.Duration {
	if n == nil {
		return 0
	}
	d, err := ParseDuration(n.Value)
	if err != nil {
		p.fail(n, path, "%v", err)
	}
	return d
}

var refRe = regexp.MustCompile(`\$\{([^}]*)\}`)

// refs checks that every ${name...} names something defined earlier.
func (p *parser) refs(n *yaml.Node, path, s string) {
	for _, m := range refRe.FindAllStringSubmatch(s, -1) {
		ref := m[1]
		if strings.HasPrefix(ref, "env:") {
			continue
		}
		name, rest, _ := strings.Cut(ref, ".")
		if field, _, _ := strings.Cut(rest, "."); p.appAnswers[name] && rest != "" && field != "status" && field != "headers" && field != "body" {
			p.fail(n, path, "reference ${%s}: an app step's answer is {status, headers, body}; did you mean ${%s.body.%s}?", ref, name, rest)
			continue
		}
		if name == "" {
			p.fail(n, path, "empty reference ${}")
			continue
		}
		if !p.defined[name] {
			p.fail(n, path, "reference ${%s}: %q is not defined by an earlier step's `as` or an account", ref, name)
		}
	}
}
