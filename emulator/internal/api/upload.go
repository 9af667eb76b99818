package api

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/form"
)

// MaxUploadBytes bounds a multipart upload's body: Stripe takes files of
// up to 16 MB (the largest any purpose allows), plus room for the other
// fields. Only Upload routes take such bodies; every other request keeps
// MaxBodyBytes.
const MaxUploadBytes = 16<<20 + MaxBodyBytes

// Upload is the file part of a multipart/form-data request (POST
// /v1/files). Its bytes never enter the parameters: the request log and
// idempotency records see the file parameter as a short description
// (name, size, digest) instead.
type Upload struct {
	Filename    string // as the client named it, without directories
	ContentType string // the part's own Content-Type ("" when none)
	Data        []byte
}

// isMultipart reports whether a request body is multipart/form-data.
func isMultipart(r *http.Request) bool {
	mt, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	return strings.EqualFold(strings.TrimSpace(mt), "multipart/form-data")
}

// readMultipart reads an upload's multipart body: its text fields become a
// form-encoded string for form.Parse (so they are checked like any other
// request's), its file part the Upload. The file parameter stands in the
// form as its description, so a missing file, or one sent as text, is
// caught like any parameter.
func readMultipart(r *http.Request) (string, *Upload, error) {
	_, ps, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ps["boundary"] == "" {
		return "", nil, apierr.InvalidRequest("Invalid request: the multipart/form-data body has no boundary in its Content-Type.")
	}
	body := &countingReader{r: io.LimitReader(r.Body, MaxUploadBytes+1)}
	mr := multipart.NewReader(body, ps["boundary"])
	var (
		raw      strings.Builder
		up       *Upload
		textSize int
		parts    int
	)
	add := func(name, value string) {
		if raw.Len() > 0 {
			raw.WriteByte('&')
		}
		raw.WriteString(url.QueryEscape(name))
		raw.WriteByte('=')
		raw.WriteString(url.QueryEscape(value))
	}
	for {
		part, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if body.n > MaxUploadBytes {
			return "", nil, uploadTooLarge()
		}
		if err != nil {
			return "", nil, malformed(err)
		}
		if parts++; parts > form.MaxKeys {
			return "", nil, malformed(fmt.Errorf("too many parts (more than %d)", form.MaxKeys))
		}
		name := part.FormName()
		if name == "" {
			return "", nil, malformed(errors.New("a part has no form-data name"))
		}
		if filename := part.FileName(); filename != "" {
			data, err := io.ReadAll(part)
			if body.n > MaxUploadBytes {
				return "", nil, uploadTooLarge()
			}
			if err != nil {
				return "", nil, malformed(err)
			}
			if name == "file" {
				if up != nil {
					return "", nil, apierr.InvalidRequest("Invalid request: the parameter file is given more than once.").WithParam("file")
				}
				up = &Upload{Filename: filename, ContentType: part.Header.Get("Content-Type"), Data: data}
			}
			// A file under another name stays in the form (described,
			// not its bytes), to be refused as an unknown parameter.
			add(name, describeUpload(filename, data))
			continue
		}
		value, err := io.ReadAll(io.LimitReader(part, MaxBodyBytes+1))
		if body.n > MaxUploadBytes {
			return "", nil, uploadTooLarge()
		}
		if err != nil {
			return "", nil, malformed(err)
		}
		if textSize += len(name) + len(value); textSize > MaxBodyBytes {
			e := apierr.InvalidRequest("Request body too large: the fields besides the file are limited to %d bytes.", MaxBodyBytes)
			e.Status = http.StatusRequestEntityTooLarge
			return "", nil, e
		}
		if name == "file" {
			// curl -F file=text: a value where Stripe wants a file.
			return "", nil, apierr.InvalidRequest("Invalid file: the file parameter must be a file (a multipart part with a filename), not a text value.").WithParam("file")
		}
		add(name, string(value))
	}
	return raw.String(), up, nil
}

// describeUpload is what a file parameter reads as: enough to tell two
// uploads apart (an idempotency key reused with another file), not the
// bytes.
func describeUpload(filename string, data []byte) string {
	sum := sha256.Sum256(data)
	return filename + ";size=" + strconv.Itoa(len(data)) + ";sha256=" + fmt.Sprintf("%x", sum[:12])
}

func uploadTooLarge() error {
	e := apierr.InvalidRequest("Request body too large: an upload is limited to %d bytes (files up to 16 MB).", MaxUploadBytes)
	e.Status = http.StatusRequestEntityTooLarge
	return e
}

func malformed(err error) error {
	return apierr.InvalidRequest("Invalid request: malformed multipart/form-data body: %v", err)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
