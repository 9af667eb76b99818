// Package files serves File uploads (/v1/files) and file links
// (/v1/file_links): a multipart upload with a purpose becomes a file_…
// whose bytes the emulator keeps and serves at its url (the contents
// endpoint Stripe has on files.stripe.com, here on the emulator's own
// host, which stripe-go's uploads backend points at), and file links
// publish a file at a URL anyone can fetch until the link expires on the
// emulator's clock. Dispute evidence names such files.
package files

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Kind is the file object. Stripe names it "file upload" in its
// resource_missing messages (the object's older name). links is left out
// unless expanded, as the spec marks it (stripe-node types it optional).
var Kind = &api.Kind{
	Object: "file", Prefix: "file_", Name: "file upload",
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){"links": fileLinks},
	Indexes:    []store.Index{{Name: "purpose", Path: "purpose"}},
}

// Kinds are the objects this family owns.
func Kinds() []*api.Kind { return []*api.Kind{Kind, LinkKind} }

// Routes are the endpoints of files and file links.
func Routes() []api.Route {
	upload := params.Object(map[string]*params.Schema{
		"expand": params.ArrayOf(params.String()),
		// The file part reaches the handler as Call.Upload; the form holds
		// its description.
		"file": params.String(),
		"file_link_data": params.Object(map[string]*params.Schema{
			"create": params.Bool(), "expires_at": params.Integer(), "metadata": params.MetadataParam(),
		}),
		"purpose": params.String(),
	}).Enum("purpose", uploadPurposes()...)
	create := api.POST("/v1/files", upload, createFile)
	create.Upload = true
	// Browsers upload with the publishable key (Stripe's file upload guide).
	create.Publishable = true
	linkUpdate := params.FromStruct(stripe.FileLinkUpdateParams{}).
		With("expires_at", &params.Schema{Kind: params.KindInteger, Allowed: []string{"now"}})
	return []api.Route{
		create,
		api.GET("/v1/files", params.FromStruct(stripe.FileListParams{}).Enum("purpose", listPurposes...), listFiles),
		api.GET("/v1/files/{id}", params.FromStruct(stripe.FileRetrieveParams{}), retrieveFile),
		api.GET("/v1/files/{id}/contents", nil, fileContents),
		api.POST("/v1/file_links", params.FromStruct(stripe.FileLinkCreateParams{}), createLink),
		api.GET("/v1/file_links", params.FromStruct(stripe.FileLinkListParams{}), listLinks),
		api.GET("/v1/file_links/{id}", params.FromStruct(stripe.FileLinkRetrieveParams{}), retrieveLink),
		api.POST("/v1/file_links/{id}", linkUpdate, updateLink),
	}
}

// blobKey is where a file's bytes are kept: store metadata, away from the
// objects, so listing or loading files never reads them.
func blobKey(account, id string) string { return "filedata:" + account + ":" + id }

func createFile(c *api.Call) (any, error) {
	if fl, ok := c.Params.Obj("file_link_data"); ok && c.Publishable {
		// Stripe: creating a file link while uploading needs the secret key.
		if create, _ := fl.Bool("create"); create {
			return nil, api.PublishableRefused()
		}
	}
	if err := c.Require("file", "purpose"); err != nil {
		return nil, err
	}
	up := c.Upload
	if up == nil {
		// A form-encoded body (or a text value) cannot carry a file.
		return nil, apierr.InvalidRequest("Invalid file: a file must be uploaded as multipart/form-data, with the file as a part that has a filename.").WithParam("file")
	}
	name, _ := c.Params.Str("purpose")
	p, ok := purposes[name]
	if !ok {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate Stripe Terminal, so it does not take files with purpose %s (their formats and limits are Terminal's); it refused the request rather than answer as if they were kept.", name).WithParam("purpose")
	}
	typ := fileType(up.Filename, up.Data)
	if typ == "" || !declaredFits(up.ContentType, typ) || !contains(p.types, typ) {
		return nil, unsupportedType(p)
	}
	size := int64(len(up.Data))
	if size > p.maxSize {
		return nil, tooLarge(name, p, size)
	}
	id := c.NewID("file")
	var expires any
	if p.lifetime > 0 {
		expires = c.Now + p.lifetime
	}
	var url any
	if p.downloadable {
		url = baseURL(c) + "/v1/files/" + id + "/contents"
	}
	f := c.Object("file", id, store.Obj{
		"expires_at": expires, "filename": up.Filename, "purpose": name, "size": size,
		"title": nil, "type": typ, "url": url,
	})
	delete(f, "livemode") // a file has none at Stripe
	if err := c.Tx.SetMeta(blobKey(c.Account, id), string(up.Data)); err != nil {
		return nil, err
	}
	if err := c.Insert(f); err != nil {
		return nil, err
	}
	if fl, ok := c.Params.Obj("file_link_data"); ok {
		create, sent := fl.Bool("create")
		if !sent {
			return nil, apierr.MissingParam("file_link_data[create]")
		}
		if !create {
			// Nothing to make: what the link would have had is moot.
			fl.MarkRead("expires_at", "metadata")
			return f, nil
		}
		link, err := newLink(c, f, fl, "file_link_data")
		if err != nil {
			return nil, err
		}
		if err := c.Put(link); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func baseURL(c *api.Call) string {
	if c.BaseURL == nil {
		return ""
	}
	return c.BaseURL()
}

func retrieveFile(c *api.Call) (any, error) { return c.Retrieve("file", c.Var("id")) }

func listFiles(c *api.Call) (any, error) {
	q, err := c.ListQuery("file")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "purpose")
	return c.Page("file", "/v1/files", q), nil
}

// fileContents serves a file's bytes (Stripe: GET
// files.stripe.com/v1/files/{id}/contents, with the secret key): only
// downloadable purposes have a url, and an expired file has no contents.
func fileContents(c *api.Call) (any, error) {
	f, err := c.Load("file", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	data, err := contentsOf(c.Tx, c.Account, f, c.Now)
	if err != nil {
		return nil, err
	}
	return api.Blob{ContentType: mimeTypes[api.Str(f["type"])], Body: data}, nil
}

// contentsOf is a file's bytes, if it can be downloaded at now.
func contentsOf(tx *store.Tx, account string, f store.Obj, now int64) ([]byte, error) {
	if f["url"] == nil {
		e := apierr.InvalidRequest("Files with purpose %s cannot be downloaded: Stripe keeps them for its own review.", f["purpose"])
		e.Status = 403
		return nil, e
	}
	if exp := f["expires_at"]; exp != nil && api.Int(exp) <= now {
		e := apierr.InvalidRequest("The file %s expired at %d: its contents are no longer available.", f["id"], api.Int(exp))
		e.Status = 404
		return nil, e
	}
	raw, ok := tx.GetMeta(blobKey(account, api.Str(f["id"])))
	if !ok {
		return nil, apierr.Internal("the contents of %s are missing from the store", f["id"])
	}
	return []byte(raw), nil
}

// fileLinks is a file's links as its includable links list: the first
// page of /v1/file_links?file=….
func fileLinks(c *api.Call, f store.Obj) (any, error) {
	id := api.Str(f["id"])
	p := c.Tx.List(c.Account, "file_link", store.Query{Index: "file", Value: id, Limit: 10})
	data := make([]any, len(p.Data))
	for i, l := range p.Data {
		data[i] = l
	}
	return store.Obj{"object": "list", "data": data, "has_more": p.HasMore, "url": "/v1/file_links?file=" + id}, nil
}

// Generated stores a file Stripe itself makes in the account in scope (a
// report run's CSV, purpose finance_report_run): downloadable at its url
// like an upload, expiring lifetime seconds after it is made (0: never),
// announced with file.created as uploads are.
func Generated(c *api.Call, purpose, typ, filename, title string, data []byte, lifetime int64) (store.Obj, error) {
	id := c.NewID("file")
	var expires any
	if lifetime > 0 {
		expires = c.Now + lifetime
	}
	f := c.Object("file", id, store.Obj{
		"expires_at": expires, "filename": filename, "purpose": purpose, "size": int64(len(data)),
		"title": api.NilIfEmpty(title), "type": typ, "url": baseURL(c) + "/v1/files/" + id + "/contents",
	})
	delete(f, "livemode") // a file has none at Stripe
	if err := c.Tx.SetMeta(blobKey(c.Account, id), string(data)); err != nil {
		return nil, err
	}
	return f, c.Insert(f)
}
