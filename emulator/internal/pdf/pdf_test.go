package pdf

import (
	"fmt"
	"strings"
	"testing"
)

func TestEscapesWhatAPDFStringCannotHold(t *testing.T) {
	got := escape(`a (b) \ c • é 日`)
	want := "a \\(b\\) \\\\ c \x95 \\351 ?"
	if got != want {
		t.Fatalf("escape = %q, want %q", got, want)
	}
}

func TestCutsALongDocumentSayingSo(t *testing.T) {
	var lines []string
	for i := range 60 {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	out := string(Doc{Title: "T", Lines: lines}.Bytes())
	if !strings.Contains(out, "(line 46) Tj") || strings.Contains(out, "(line 47) Tj") {
		t.Fatalf("want lines up to 46 shown:\n%s", out)
	}
	if !strings.Contains(out, "(... and 13 more lines) Tj") {
		t.Fatalf("want the cut said:\n%s", out)
	}
	if !strings.HasPrefix(out, "%PDF-1.4\n") || !strings.HasSuffix(out, "%%EOF\n") {
		t.Fatalf("not a PDF file:\n%s", out)
	}
}
