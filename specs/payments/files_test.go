package payments_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Sample files: the bytes each type begins with, then filler. The PNG
// carries CR, LF and NUL bytes so a store that mangled binary would show.
func pdfOf(size int) []byte {
	head, tail := "%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\n", "\ntrailer <<>>\n%%EOF\n"
	return []byte(head + strings.Repeat("x", max(0, size-len(head)-len(tail))) + tail)
}

func pngOf(size int) []byte {
	head := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\r\n"
	return []byte(head + strings.Repeat("\x00\r\n", max(0, size-len(head))/3+1))[:max(size, len(head))]
}

// part is one part of a multipart body built by hand (what curl -F or a
// browser sends), for what stripe-go cannot send.
type part struct {
	name, filename, contentType string
	data                        []byte
}

func multipartBody(parts ...part) (string, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		if p.filename != "" {
			h.Set("Content-Disposition", `form-data; name="`+p.name+`"; filename="`+p.filename+`"`)
		} else {
			h.Set("Content-Disposition", `form-data; name="`+p.name+`"`)
		}
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		pw, err := w.CreatePart(h)
		Expect(err).NotTo(HaveOccurred())
		_, _ = pw.Write(p.data)
	}
	Expect(w.Close()).To(Succeed())
	return b.String(), w.FormDataContentType()
}

// download GETs a URL the emulator handed out, with the secret key or
// none (a file link's URL is public).
func download(url string, withKey bool) (int, string, []byte) {
	GinkgoHelper()
	req, err := http.NewRequest("GET", url, nil)
	Expect(err).NotTo(HaveOccurred())
	if withKey {
		req.Header.Set("Authorization", "Bearer sk_test_spec")
	}
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

var _ = Describe("Files and file links", Label("payments", "files"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	upload := func(purpose, filename string, data []byte, edit ...func(*stripe.FileCreateParams)) (*stripe.File, error) {
		p := &stripe.FileCreateParams{
			Purpose: stripe.String(purpose), Filename: stripe.String(filename), FileReader: bytes.NewReader(data),
		}
		for _, e := range edit {
			e(p)
		}
		return sc.V1Files.Create(Ctx, p)
	}
	mustUpload := func(purpose, filename string, data []byte, edit ...func(*stripe.FileCreateParams)) *stripe.File {
		GinkgoHelper()
		f, err := upload(purpose, filename, data, edit...)
		Expect(err).NotTo(HaveOccurred())
		return f
	}
	files := func(p *stripe.FileListParams) []string {
		GinkgoHelper()
		var ids []string
		for f, err := range sc.V1Files.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, f.ID)
		}
		return ids
	}
	links := func(p *stripe.FileLinkListParams) []string {
		GinkgoHelper()
		var ids []string
		for l, err := range sc.V1FileLinks.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, l.ID)
		}
		return ids
	}
	postRaw := func(body, contentType string, headers ...string) Raw {
		GinkgoHelper()
		return Do(emu.URL(), "POST", "/v1/files", body, append([]string{"Content-Type", contentType}, headers...)...)
	}

	It("uploads a PDF and a PNG through stripe-go's uploads backend and serves back the same bytes", func() {
		pdf, png := pdfOf(3000), pngOf(8429)
		f := mustUpload("dispute_evidence", "/tmp/evidence/receipt.pdf", pdf)
		Expect(f.ID).To(MatchRegexp(`^file_[0-9A-Za-z]{24}$`))
		Expect(f.Object).To(Equal("file"))
		Expect(f.Purpose).To(Equal(stripe.FilePurposeDisputeEvidence))
		Expect(f.Type).To(Equal("pdf"))
		Expect(f.Size).To(Equal(int64(len(pdf))))
		Expect(f.Filename).To(Equal("receipt.pdf"), "stripe-go sends the base name")
		Expect(f.Title).To(BeEmpty())
		Expect(f.Created).To(Equal(Epoch.Unix()))
		Expect(f.ExpiresAt).To(Equal(Epoch.Add(270*24*time.Hour).Unix()), "dispute evidence lives 9 months")
		Expect(f.URL).To(Equal(emu.URL() + "/v1/files/" + f.ID + "/contents"))
		Expect(f.Links).To(BeNil(), "links only when expanded")

		img := mustUpload("dispute_evidence", "shipping.png", png)
		Expect(img.Type).To(Equal("png"))
		Expect(img.Size).To(Equal(int64(8429)))

		got, err := sc.V1Files.Retrieve(Ctx, f.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Filename).To(Equal("receipt.pdf"))
		Expect(got.Size).To(Equal(f.Size))

		status, ctype, body := download(f.URL, true)
		Expect(status).To(Equal(200))
		Expect(ctype).To(Equal("application/pdf"))
		Expect(body).To(Equal(pdf))
		status, ctype, body = download(img.URL, true)
		Expect(status).To(Equal(200))
		Expect(ctype).To(Equal("image/png"))
		Expect(body).To(Equal(png))

		status, _, _ = download(f.URL, false)
		Expect(status).To(Equal(401), "a file's url wants the secret key")

		Expect(emu.EventTypes("")).To(Equal([]string{"file.created", "file.created"}))
		ev := emu.Events("")[0]["data"].(map[string]any)["object"].(map[string]any)
		Expect(ev["id"]).To(Equal(f.ID))
		Expect(ev).NotTo(HaveKey("links"))
	})

	It("takes curl -F uploads, types them from their bytes, and keeps them per account", func() {
		body, ctype := multipartBody(
			part{name: "purpose", data: []byte("business_logo")},
			part{name: "file", filename: "logo.png", contentType: "image/png", data: pngOf(2000)},
		)
		r := postRaw(body, ctype)
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body["type"]).To(Equal("png"))
		Expect(r.Body["expires_at"]).To(BeNil(), "logos never expire")
		Expect(r.Body).NotTo(HaveKey("livemode"), "a file has no livemode at Stripe")

		// The extension does not make a file: its bytes do.
		f := mustUpload("dispute_evidence", "scan.jpg", pdfOf(500))
		Expect(f.Type).To(Equal("pdf"))

		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express")})
		Expect(err).NotTo(HaveOccurred())
		theirs := mustUpload("dispute_evidence", "theirs.pdf", pdfOf(100), func(p *stripe.FileCreateParams) { p.SetStripeAccount(acct.ID) })
		_, err = sc.V1Files.Retrieve(Ctx, theirs.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(StripeErr(err).Msg).To(Equal("No such file upload: '" + theirs.ID + "'"))
		status, _, _ := download(theirs.URL, true)
		Expect(status).To(Equal(404), "the platform's key does not reach a connected account's file")
		req, _ := http.NewRequest("GET", theirs.URL, nil)
		req.Header.Set("Authorization", "Bearer sk_test_spec")
		req.Header.Set("Stripe-Account", acct.ID)
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(200))
	})

	It("takes uploads made with the publishable key, as Stripe's browser uploads are, but nothing else with it", func() {
		// Stripe's file upload guide: files can be uploaded from the browser
		// with the publishable key, but creating a file link while uploading
		// needs the secret key.
		pk := emu.ClientWithKey("pk_test_browser")
		f, err := pk.V1Files.Create(Ctx, &stripe.FileCreateParams{
			Purpose: stripe.String("identity_document"), Filename: stripe.String("id.png"), FileReader: bytes.NewReader(pngOf(300)),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Purpose).To(Equal(stripe.FilePurposeIdentityDocument))
		got, err := sc.V1Files.Retrieve(Ctx, f.ID, nil)
		Expect(err).NotTo(HaveOccurred(), "the file is the account's, as if the secret key had uploaded it")
		Expect(got.Size).To(Equal(int64(300)))

		publishableRefusal := "This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys."
		_, err = pk.V1Files.Create(Ctx, &stripe.FileCreateParams{
			Purpose: stripe.String("dispute_evidence"), Filename: stripe.String("e.pdf"), FileReader: bytes.NewReader(pdfOf(300)),
			FileLinkData: &stripe.FileCreateFileLinkDataParams{Create: stripe.Bool(true)},
		})
		ExpectStripeError(err, 401, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal(publishableRefusal))

		_, err = pk.V1Files.Retrieve(Ctx, f.ID, nil)
		ExpectStripeError(err, 401, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal(publishableRefusal))
		_, err = emu.ClientWithKey("pk_live_browser").V1Files.Create(Ctx, &stripe.FileCreateParams{
			Purpose: stripe.String("identity_document"), Filename: stripe.String("id.png"), FileReader: bytes.NewReader(pngOf(300)),
		})
		ExpectStripeError(err, 401, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("Invalid API Key provided: pk_live_***wser"))

		Expect(emu.Count("", "file")).To(Equal(1))
		Expect(emu.Count("", "file_link")).To(BeZero())
	})

	It("refuses types a purpose does not take and files over its limit, keeping nothing", func() {
		_, err := upload("dispute_evidence", "notes.txt", []byte("plain words"))
		ExpectStripeError(err, 400, "invalid_request_error", "", "file")
		Expect(StripeErr(err).Msg).To(Equal("We don't currently support that file type. Try uploading a file with one of the following mimetypes: application/pdf, image/jpeg, image/png."))

		_, err = upload("business_logo", "logo.pdf", pdfOf(100))
		ExpectStripeError(err, 400, "invalid_request_error", "", "file")
		Expect(StripeErr(err).Msg).To(HaveSuffix("mimetypes: image/jpeg, image/png, image/gif."))

		// A file said to be one type but made of another.
		body, ctype := multipartBody(
			part{name: "purpose", data: []byte("dispute_evidence")},
			part{name: "file", filename: "receipt.png", contentType: "image/png", data: pdfOf(100)},
		)
		r := postRaw(body, ctype)
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["param"]).To(Equal("file"))

		_, err = upload("dispute_evidence", "huge.pdf", pdfOf(5<<20+1))
		ExpectStripeError(err, 400, "invalid_request_error", "", "file")
		Expect(StripeErr(err).Msg).To(ContainSubstring("can be at most 5 MB"))
		Expect(mustUpload("dispute_evidence", "just-fits.pdf", pdfOf(5<<20)).Size).To(Equal(int64(5 << 20)))

		_, err = upload("business_icon", "icon.png", pngOf(512<<10+1))
		ExpectStripeError(err, 400, "invalid_request_error", "", "file")
		Expect(StripeErr(err).Msg).To(ContainSubstring("can be at most 512 KB"))

		_, err = upload("terminal_reader_splashscreen", "splash.png", pngOf(100))
		ExpectStripeError(err, 400, "invalid_request_error", "", "purpose")
		Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate"))
		_, err = upload("selfie", "me.png", pngOf(100))
		ExpectStripeError(err, 400, "invalid_request_error", "", "purpose")

		Expect(emu.Count("", "file")).To(Equal(1))
		Expect(emu.EventTypes("")).To(Equal([]string{"file.created"}))
	})

	It("answers malformed and oversize uploads with Stripe's errors, and keeps the 1 MiB limit everywhere else", func() {
		pdf := pdfOf(200)
		body, ctype := multipartBody(part{name: "purpose", data: []byte("dispute_evidence")}, part{name: "file", filename: "a.pdf", data: pdf})

		r := postRaw(body, "multipart/form-data")
		Expect(r.Status).To(Equal(400), "no boundary")
		Expect(r.Error()["type"]).To(Equal("invalid_request_error"))
		r = postRaw(body[:len(body)-20], ctype)
		Expect(r.Status).To(Equal(400), "cut short")
		Expect(r.Error()["message"]).To(ContainSubstring("malformed multipart/form-data body"))
		r = postRaw("--garbage\r\nno headers here", ctype)
		Expect(r.Status).To(Equal(400))

		unknown, ctype2 := multipartBody(part{name: "purpose", data: []byte("dispute_evidence")}, part{name: "file", filename: "a.pdf", data: pdf},
			part{name: "document", filename: "b.pdf", data: pdf})
		r = postRaw(unknown, ctype2)
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["code"]).To(Equal("parameter_unknown"))
		Expect(r.Error()["param"]).To(Equal("document"))

		twice, ctype3 := multipartBody(part{name: "purpose", data: []byte("dispute_evidence")}, part{name: "file", filename: "a.pdf", data: pdf},
			part{name: "file", filename: "b.pdf", data: pdf})
		Expect(postRaw(twice, ctype3).Status).To(Equal(400))

		text, ctype4 := multipartBody(part{name: "purpose", data: []byte("dispute_evidence")}, part{name: "file", data: pdf})
		r = postRaw(text, ctype4)
		Expect(r.Status).To(Equal(400), "a file sent as a text value")
		Expect(r.Error()["param"]).To(Equal("file"))

		noPurpose, ctype5 := multipartBody(part{name: "file", filename: "a.pdf", data: pdf})
		r = postRaw(noPurpose, ctype5)
		Expect(r.Error()["code"]).To(Equal("parameter_missing"))
		Expect(r.Error()["param"]).To(Equal("purpose"))

		r = Do(emu.URL(), "POST", "/v1/files", "purpose=dispute_evidence")
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["code"]).To(Equal("parameter_missing"))
		Expect(r.Error()["param"]).To(Equal("file"))

		big, ctype6 := multipartBody(part{name: "purpose", data: []byte("account_requirement")},
			part{name: "file", filename: "big.pdf", data: pdfOf(18 << 20)})
		r = postRaw(big, ctype6)
		Expect(r.Status).To(Equal(413))
		Expect(r.Error()["type"]).To(Equal("invalid_request_error"))

		// Uploads only: other endpoints keep their limit and their
		// Content-Type.
		r = Do(emu.URL(), "POST", "/v1/customers", body, "Content-Type", ctype)
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["message"]).To(ContainSubstring("unsupported Content-Type"))
		r = Do(emu.URL(), "POST", "/v1/customers", "description="+strings.Repeat("x", 2<<20))
		Expect(r.Status).To(Equal(413))

		Expect(emu.Count("", "file")).To(BeZero())
		Expect(emu.Count("", "customer")).To(BeZero())
		Expect(emu.EventTypes("")).To(BeEmpty())
	})

	It("keeps uploaded bytes in the data file across a restart", func() {
		path := filepath.Join(GinkgoT().TempDir(), "emu.db")
		first := Emulator(emulator.WithDataFile(path))
		png := pngOf(70000)
		f, err := first.Client().V1Files.Create(Ctx, &stripe.FileCreateParams{
			Purpose: stripe.String("dispute_evidence"), Filename: stripe.String("proof.png"), FileReader: bytes.NewReader(png),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(first.Close()).To(Succeed())

		second := Emulator(emulator.WithDataFile(path))
		got, err := second.Client().V1Files.Retrieve(Ctx, f.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Size).To(Equal(int64(len(png))))
		status, _, body := download(second.URL()+"/v1/files/"+f.ID+"/contents", true)
		Expect(status).To(Equal(200))
		Expect(body).To(Equal(png))
	})

	It("replays an upload under the same Idempotency-Key, and refuses the key with another file", func() {
		withKey := func(p *stripe.FileCreateParams) { p.SetIdempotencyKey("upload-1") }
		first := mustUpload("dispute_evidence", "a.pdf", pdfOf(300), withKey)
		again := mustUpload("dispute_evidence", "a.pdf", pdfOf(300), withKey)
		Expect(again.ID).To(Equal(first.ID))
		_, err := upload("dispute_evidence", "a.pdf", pdfOf(301), withKey)
		ExpectStripeError(err, 400, "idempotency_error", "", "")
		Expect(emu.Count("", "file")).To(Equal(1))
	})

	It("keeps identity documents without a url or file links, as Stripe keeps them for review", func() {
		f := mustUpload("identity_document", "passport.jpg", append([]byte{0xff, 0xd8, 0xff, 0xe0}, make([]byte, 100)...))
		Expect(f.Type).To(Equal("jpg"))
		Expect(f.URL).To(BeEmpty())
		Expect(f.ExpiresAt).To(BeZero())
		status, _, _ := download(emu.URL()+"/v1/files/"+f.ID+"/contents", true)
		Expect(status).To(Equal(403))
		_, err := sc.V1FileLinks.Create(Ctx, &stripe.FileLinkCreateParams{File: stripe.String(f.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "file")
		_, err = upload("identity_document", "id.png", pngOf(100), func(p *stripe.FileCreateParams) {
			p.FileLinkData = &stripe.FileCreateFileLinkDataParams{Create: stripe.Bool(true)}
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "file_link_data[create]")
		Expect(emu.Count("", "file")).To(Equal(1))
		Expect(emu.Count("", "file_link")).To(BeZero())
	})

	It("lists files newest first, by purpose and by creation time", func() {
		a := mustUpload("dispute_evidence", "a.pdf", pdfOf(100))
		emu.Clock().Advance(time.Hour)
		b := mustUpload("business_logo", "b.png", pngOf(100))
		emu.Clock().Advance(time.Hour)
		c := mustUpload("dispute_evidence", "c.png", pngOf(100))

		Expect(files(nil)).To(Equal([]string{c.ID, b.ID, a.ID}))
		Expect(files(&stripe.FileListParams{Purpose: stripe.String("dispute_evidence")})).To(Equal([]string{c.ID, a.ID}))
		Expect(files(&stripe.FileListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: Epoch.Add(time.Hour).Unix()}})).
			To(Equal([]string{c.ID, b.ID}))
		Expect(files(&stripe.FileListParams{Purpose: stripe.String("dispute_evidence"), Created: stripe.Int64(Epoch.Unix())})).
			To(Equal([]string{a.ID}))
		r := Do(emu.URL(), "GET", "/v1/files?purpose=not_a_purpose", "")
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["param"]).To(Equal("purpose"))
	})

	Context("file links", func() {
		It("publishes a file at a public URL until the link expires on the emulator's clock", func() {
			png := pngOf(4000)
			f := mustUpload("dispute_evidence", "proof.png", png, func(p *stripe.FileCreateParams) {
				p.FileLinkData = &stripe.FileCreateFileLinkDataParams{
					Create: stripe.Bool(true), ExpiresAt: stripe.Int64(Epoch.Add(time.Hour).Unix()),
					Metadata: map[string]string{"case": "42"},
				}
			})
			ids := links(&stripe.FileLinkListParams{File: stripe.String(f.ID)})
			Expect(ids).To(HaveLen(1))
			link, err := sc.V1FileLinks.Retrieve(Ctx, ids[0], nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(link.ID).To(MatchRegexp(`^link_[0-9A-Za-z]{24}$`))
			Expect(link.Object).To(Equal("file_link"))
			Expect(link.File.ID).To(Equal(f.ID))
			Expect(link.Expired).To(BeFalse())
			Expect(link.ExpiresAt).To(Equal(Epoch.Add(time.Hour).Unix()))
			Expect(link.Metadata).To(Equal(map[string]string{"case": "42"}))
			Expect(link.URL).To(HavePrefix(emu.URL() + "/links/"))

			status, ctype, body := download(link.URL, false)
			Expect(status).To(Equal(200), "anyone with the URL")
			Expect(ctype).To(Equal("image/png"))
			Expect(body).To(Equal(png))
			status, _, _ = download(link.URL+"x", false)
			Expect(status).To(Equal(404), "a URL nobody was given")

			// The file lists its links when asked.
			p := &stripe.FileRetrieveParams{}
			p.AddExpand("links")
			withLinks, err := sc.V1Files.Retrieve(Ctx, f.ID, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(withLinks.Links.Data).To(HaveLen(1))
			Expect(withLinks.Links.Data[0].ID).To(Equal(link.ID))
			Expect(withLinks.Links.URL).To(Equal("/v1/file_links?file=" + f.ID))

			emu.Clock().Advance(59 * time.Minute)
			status, _, _ = download(link.URL, false)
			Expect(status).To(Equal(200))
			emu.Clock().Advance(time.Minute)
			link, err = sc.V1FileLinks.Retrieve(Ctx, link.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(link.Expired).To(BeTrue())
			status, _, _ = download(link.URL, false)
			Expect(status).To(Equal(404))
			status, _, _ = download(f.URL, true)
			Expect(status).To(Equal(200), "the file itself is still there")

			_, err = sc.V1FileLinks.Update(Ctx, link.ID, &stripe.FileLinkUpdateParams{Metadata: map[string]string{"late": "yes"}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
			Expect(StripeErr(err).Msg).To(ContainSubstring("expired links can no longer be updated"))
			Expect(emu.EventTypes("")).To(Equal([]string{"file.created"}), "Stripe has no file link events")
		})

		It("creates, expands, updates and expires links by request", func() {
			f := mustUpload("dispute_evidence", "a.pdf", pdfOf(100))
			p := &stripe.FileLinkCreateParams{File: stripe.String(f.ID), Metadata: map[string]string{"k": "v"}}
			p.AddExpand("file")
			link, err := sc.V1FileLinks.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(link.File.Purpose).To(Equal(stripe.FilePurposeDisputeEvidence), "file expanded")
			Expect(link.ExpiresAt).To(BeZero())
			Expect(link.Livemode).To(BeFalse())

			later := Epoch.Add(24 * time.Hour).Unix()
			link, err = sc.V1FileLinks.Update(Ctx, link.ID, &stripe.FileLinkUpdateParams{ExpiresAt: stripe.Int64(later), Metadata: map[string]string{"k": ""}})
			Expect(err).NotTo(HaveOccurred())
			Expect(link.ExpiresAt).To(Equal(later))
			Expect(link.Metadata).To(BeEmpty())

			_, err = sc.V1FileLinks.Update(Ctx, link.ID, &stripe.FileLinkUpdateParams{ExpiresAt: stripe.Int64(Epoch.Unix() - 1)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "expires_at")
			_, err = sc.V1FileLinks.Create(Ctx, &stripe.FileLinkCreateParams{File: stripe.String(f.ID), ExpiresAt: stripe.Int64(Epoch.Unix())})
			ExpectStripeError(err, 400, "invalid_request_error", "", "expires_at")
			_, err = sc.V1FileLinks.Create(Ctx, &stripe.FileLinkCreateParams{File: stripe.String("file_missing")})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "file")
			Expect(StripeErr(err).Msg).To(Equal("No such file upload: 'file_missing'"))
			_, err = sc.V1FileLinks.Retrieve(Ctx, "link_missing", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")

			r := Do(emu.URL(), "POST", "/v1/file_links/"+link.ID, "expires_at=")
			Expect(r.Status).To(Equal(200))
			Expect(r.Body["expires_at"]).To(BeNil(), "empty: never expires")

			link, err = sc.V1FileLinks.Update(Ctx, link.ID, &stripe.FileLinkUpdateParams{ExpiresAtNow: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(link.Expired).To(BeTrue())
			Expect(link.ExpiresAt).To(Equal(Epoch.Unix()))
			status, _, _ := download(link.URL, false)
			Expect(status).To(Equal(404))
			Expect(emu.Count("", "file_link")).To(Equal(1))
		})

		It("lists links by file, by expiry and by creation time", func() {
			a := mustUpload("dispute_evidence", "a.pdf", pdfOf(100))
			b := mustUpload("business_logo", "b.png", pngOf(100))
			mk := func(f *stripe.File, expires int64) string {
				p := &stripe.FileLinkCreateParams{File: stripe.String(f.ID)}
				if expires != 0 {
					p.ExpiresAt = stripe.Int64(expires)
				}
				l, err := sc.V1FileLinks.Create(Ctx, p)
				Expect(err).NotTo(HaveOccurred())
				return l.ID
			}
			a1 := mk(a, Epoch.Add(time.Hour).Unix())
			emu.Clock().Advance(time.Minute)
			a2 := mk(a, 0)
			b1 := mk(b, Epoch.Add(2*time.Hour).Unix())

			Expect(links(nil)).To(Equal([]string{b1, a2, a1}))
			Expect(links(&stripe.FileLinkListParams{File: stripe.String(a.ID)})).To(Equal([]string{a2, a1}))
			Expect(links(&stripe.FileLinkListParams{Expired: stripe.Bool(true)})).To(BeEmpty())
			Expect(links(&stripe.FileLinkListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThan: Epoch.Unix()}})).To(Equal([]string{b1, a2}))

			emu.Clock().Advance(time.Hour)
			Expect(links(&stripe.FileLinkListParams{Expired: stripe.Bool(true)})).To(Equal([]string{a1}))
			Expect(links(&stripe.FileLinkListParams{Expired: stripe.Bool(false), File: stripe.String(a.ID)})).To(Equal([]string{a2}))
			emu.Clock().Advance(time.Hour)
			Expect(links(&stripe.FileLinkListParams{Expired: stripe.Bool(true)})).To(Equal([]string{b1, a1}))
		})
	})
})
