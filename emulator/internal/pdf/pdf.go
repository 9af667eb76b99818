// Package pdf writes the plain one-page PDF documents the emulator hands
// out where Stripe hands out a PDF (an invoice's invoice_pdf): a title and
// lines of text, in a file any PDF reader opens.
package pdf

import (
	"bytes"
	"fmt"
	"strings"
)

// Doc is a page of text, on US Letter unless A4.
type Doc struct {
	Title string
	Lines []string
	A4    bool
}

// Addf adds a line of text, formatted as fmt.Sprintf does.
func (d *Doc) Addf(format string, args ...any) {
	d.Lines = append(d.Lines, fmt.Sprintf(format, args...))
}

// linesPerPage is what fits under the title on a US Letter page (the
// shorter of the two) at 11 points; the rest is cut with a note saying so.
const linesPerPage = 48

// Page sizes in points (1/72 inch): US Letter, 8.5×11 in, and A4,
// 210×297 mm.
const (
	letterWidth, letterHeight = 612, 792
	a4Width, a4Height         = 595, 842
)

// Bytes renders the document as a PDF 1.4 file.
func (d Doc) Bytes() []byte {
	width, height := letterWidth, letterHeight
	if d.A4 {
		width, height = a4Width, a4Height
	}
	var content bytes.Buffer
	fmt.Fprintf(&content, "BT\n/F1 16 Tf\n72 %d Td\n", height-52)
	fmt.Fprintf(&content, "(%s) Tj\n/F1 11 Tf\n0 -28 Td\n14 TL\n", escape(d.Title))
	lines := d.Lines
	if len(lines) > linesPerPage {
		lines = append(lines[:linesPerPage-1:linesPerPage-1], fmt.Sprintf("... and %d more lines", len(d.Lines)-linesPerPage+1))
	}
	for _, l := range lines {
		fmt.Fprintf(&content, "(%s) Tj T*\n", escape(l))
	}
	content.WriteString("ET\n")

	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>", width, height),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
	}
	var out bytes.Buffer
	out.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return out.Bytes()
}

// escape makes s a PDF string's contents: its delimiters escaped, and
// what the standard Helvetica cannot show (outside Latin-1) as '?'.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '•':
			b.WriteByte(0x95) // WinAnsi's bullet
		case r < 0x20 || r > 0xff:
			b.WriteByte('?')
		case r >= 0x80:
			fmt.Fprintf(&b, "\\%03o", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
