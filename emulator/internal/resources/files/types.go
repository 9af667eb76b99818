package files

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
)

// purpose is what Stripe's file upload guide says of one purpose: the file
// types it takes, its largest file, how long its files live, whether they
// can be downloaded (their url) and linked (file links).
type purpose struct {
	types        []string // File.type values, in the order Stripe lists their MIME types
	maxSize      int64
	lifetime     int64 // seconds until the file expires; 0: never
	downloadable bool
}

const (
	kib = 1 << 10
	mib = 1 << 20
	day = 86400
)

// purposes are the purposes a file can be uploaded with (the create
// enum of 2025-08-27.basil) that the emulator takes. The guide gives sizes
// in MB; the emulator reads them as MiB. Dispute evidence expires 9
// months after upload: Stripe's own example file expires 270 days after
// it was created.
var purposes = map[string]purpose{
	"account_requirement":          {types: []string{"pdf", "jpg", "png"}, maxSize: 16 * mib},
	"additional_verification":      {types: []string{"pdf", "jpg", "png"}, maxSize: 16 * mib},
	"business_icon":                {types: []string{"jpg", "png", "gif"}, maxSize: 512 * kib, downloadable: true},
	"business_logo":                {types: []string{"jpg", "png", "gif"}, maxSize: 512 * kib, downloadable: true},
	"customer_signature":           {types: []string{"jpg", "png", "svg"}, maxSize: 4 * mib, lifetime: 7 * day, downloadable: true},
	"dispute_evidence":             {types: []string{"pdf", "jpg", "png"}, maxSize: 5 * mib, lifetime: 270 * day, downloadable: true},
	"identity_document":            {types: []string{"pdf", "jpg", "png"}, maxSize: 16 * mib},
	"issuing_regulatory_reporting": {types: []string{"json"}, maxSize: 256 * kib, lifetime: 730 * day, downloadable: true},
	"pci_document":                 {types: []string{"pdf"}, maxSize: 16 * mib, downloadable: true},
	"tax_document_user_upload":     {types: []string{"pdf", "csv", "jpg", "png", "xlsx", "docx"}, maxSize: 16 * mib, downloadable: true},
}

// terminalPurposes are uploadable at Stripe but belong to Stripe Terminal,
// which the emulator does not have (nor the limits of these files).
var terminalPurposes = []string{"terminal_android_apk", "terminal_reader_splashscreen"}

// uploadPurposes is the create endpoint's purpose enum.
func uploadPurposes() []string {
	out := append([]string{}, terminalPurposes...)
	for p := range purposes {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// listPurposes are every purpose a file can have, Stripe's own files'
// (Sigma, reporting, Identity) included: the list filter takes them all.
var listPurposes = []string{
	"account_requirement", "additional_verification", "business_icon", "business_logo", "customer_signature",
	"dispute_evidence", "document_provider_identity_document", "finance_report_run", "financial_account_statement",
	"identity_document", "identity_document_downloadable", "issuing_regulatory_reporting", "pci_document", "selfie",
	"sigma_scheduled_query", "tax_document_user_upload", "terminal_android_apk", "terminal_reader_splashscreen",
}

// linkable are the purposes whose files can have file links (stripe-go's
// FileLinkCreateParams); the uploaded ones that cannot are the
// documents Stripe keeps to itself (identity, account requirements).
var linkable = map[string]bool{
	"business_icon": true, "business_logo": true, "customer_signature": true, "dispute_evidence": true,
	"finance_report_run": true, "financial_account_statement": true, "identity_document_downloadable": true,
	"issuing_regulatory_reporting": true, "pci_document": true, "selfie": true, "sigma_scheduled_query": true,
	"tax_document_user_upload": true, "terminal_android_apk": true, "terminal_reader_splashscreen": true,
}

// mimeTypes are the MIME types of the file types, as Stripe names them in
// its refusals; contents are served as them.
var mimeTypes = map[string]string{
	"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "gif": "image/gif",
	"svg": "image/svg+xml", "json": "application/json", "csv": "text/csv",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

// alsoDeclaredAs are other MIME types clients declare for a type (browsers
// and curl differ), which still correspond to its format.
var alsoDeclaredAs = map[string][]string{
	"jpg":  {"image/jpg", "image/pjpeg"},
	"csv":  {"text/plain", "text/comma-separated-values", "application/csv", "application/vnd.ms-excel"},
	"json": {"text/plain", "text/json"},
	"svg":  {"text/xml", "application/xml"},
	"xlsx": {"application/zip"},
	"docx": {"application/zip"},
}

// fileType is the type of an upload (File.type), read from its bytes as
// Stripe does; the formats that have no signature (CSV, JSON, SVG) and
// the Office formats (ZIP archives inside) by the file's extension, once
// the bytes fit. "" when the bytes are none of the types Stripe takes.
func fileType(filename string, data []byte) string {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(filename), "."))
	head := data[:min(len(data), 1024)]
	switch {
	case bytes.Contains(head, []byte("%PDF-")): // readers allow a little junk before it
		return "pdf"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		return "jpg"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "gif"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		if ext == "xlsx" || ext == "docx" {
			return ext
		}
		return ""
	}
	if len(data) == 0 || !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return ""
	}
	switch ext {
	case "csv":
		return "csv"
	case "json":
		if json.Valid(data) {
			return "json"
		}
	case "svg":
		if bytes.Contains(data, []byte("<svg")) {
			return "svg"
		}
	}
	return ""
}

// declaredFits reports whether the MIME type a client declared for its
// file part corresponds to the type its bytes are (Stripe: "The MIME type
// of the file you wish to upload must correspond to its file format").
// No type, or application/octet-stream (what stripe-go always declares),
// declares nothing.
func declaredFits(declared, typ string) bool {
	mt, _, err := mime.ParseMediaType(declared)
	if err != nil || mt == "" || mt == "application/octet-stream" || mt == "binary/octet-stream" {
		return true
	}
	return mt == mimeTypes[typ] || slices.Contains(alsoDeclaredAs[typ], mt)
}

// unsupportedType is Stripe's refusal of a file whose type the purpose
// does not take (its wording as Stripe answers it).
func unsupportedType(p purpose) error {
	names := make([]string, len(p.types))
	for i, t := range p.types {
		names[i] = mimeTypes[t]
	}
	return apierr.InvalidRequest("We don't currently support that file type. Try uploading a file with one of the following mimetypes: %s.", strings.Join(names, ", ")).WithParam("file")
}

// tooLarge refuses a file over its purpose's limit.
func tooLarge(name string, p purpose, size int64) error {
	return apierr.InvalidRequest("The file you uploaded is too large: a file with purpose %s can be at most %s, and this one is %s.", name, sizeText(p.maxSize), sizeText(size)).WithParam("file")
}

func sizeText(n int64) string {
	switch {
	case n >= mib:
		return strings.TrimSuffix(fmt.Sprintf("%.2f", float64(n)/mib), ".00") + " MB"
	case n >= kib:
		return strings.TrimSuffix(fmt.Sprintf("%.2f", float64(n)/kib), ".00") + " KB"
	}
	return fmt.Sprintf("%d bytes", n)
}
