// Package suggest finds the name a misspelt one was meant to be, for
// messages that say "did you mean …?"; a leaf.
package suggest

import "fmt"

// Closest is the option nearest got within a few edits (more for longer
// names), or "" when none is, several are equally near, or got is one.
func Closest(got string, options []string) string {
	limit := min(max(1, len(got)/4), 3)
	best, bestDist, tie := "", limit+1, false
	for _, o := range options {
		d := distance(got, o)
		if d == 0 {
			return ""
		}
		switch {
		case d < bestDist:
			best, bestDist, tie = o, d, false
		case d == bestDist:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}

// Hint is `; did you mean "x"?` for the closest option, or "".
func Hint(got string, options []string) string {
	if c := Closest(got, options); c != "" {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	return ""
}

// distance counts the insertions, deletions, substitutions and swaps of
// neighbours (a typist's usual slips) that turn a into b.
func distance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
