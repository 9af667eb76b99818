package eventtypes

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestMatchesStripeGo keeps the table equal to the EventType constants of
// the stripe-go that go.mod pins (read from its source in the module
// cache): after a stripe-go upgrade this fails, naming the types to add or
// drop, until the table is brought up to date.
func TestMatchesStripeGo(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/stripe/stripe-go/v82").Output()
	if err != nil {
		t.Fatalf("locating stripe-go: %v", err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "event.go")
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	var want []string
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "EventType" {
				continue
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					want = append(want, s)
				}
			}
		}
	}
	if len(want) < 200 {
		t.Fatalf("found only %d EventType constants in %s: has stripe-go's layout changed?", len(want), path)
	}
	slices.Sort(want)
	want = slices.Compact(want)
	for _, w := range want {
		if !IsV1(w) {
			t.Errorf("stripe-go has event type %q, the table does not", w)
		}
	}
	for _, h := range v1 {
		if _, found := slices.BinarySearch(want, h); !found {
			t.Errorf("the table has event type %q, stripe-go does not", h)
		}
	}
	if !slices.IsSorted(v1) {
		t.Error("the table is not sorted")
	}
}

func TestIsGroup(t *testing.T) {
	for prefix, want := range map[string]bool{
		"customer": true, "customer.subscription": true, "invoice": true, "payment_link": true,
		"custom": false, "customer.subscription.created": false, "nope": false, "": false,
	} {
		if got := IsGroup(prefix); got != want {
			t.Errorf("IsGroup(%q) = %v, want %v", prefix, got, want)
		}
	}
}
