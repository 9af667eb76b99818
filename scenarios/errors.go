package scenarios

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one mistake in a scenario file.
type Problem struct {
	File         string
	Line, Column int
	Path         string // e.g. steps[3].stripe
	Message      string
}

func (p Problem) String() string {
	loc := p.File
	switch {
	case p.Line > 0 && p.Column > 0:
		loc = fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
	case p.Line > 0:
		loc = fmt.Sprintf("%s:%d", p.File, p.Line) // YAML's own errors name a line only
	}
	if p.Path != "" {
		return fmt.Sprintf("%s: %s: %s", loc, p.Path, p.Message)
	}
	return fmt.Sprintf("%s: %s", loc, p.Message)
}

// ValidationError lists every mistake found in a file; nothing runs while
// there is one.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Column < ps[j].Column
	})
}

func allowed(keys []string) string {
	cp := append([]string(nil), keys...)
	sort.Strings(cp)
	return strings.Join(cp, ", ")
}
