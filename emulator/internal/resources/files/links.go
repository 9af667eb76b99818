package files

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/tidwall/gjson"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// LinkKind is the file link object. Stripe sends no events about file
// links (its event types have none), so neither does the emulator.
var LinkKind = &api.Kind{
	Object: "file_link", Prefix: "link_", Name: "file link", Expandable: []string{"file"},
	Indexes: []store.Index{{Name: "file", Path: "file"}, {Name: "expired", Path: "expired"}},
}

// tokenSecret is how many random characters end a link's token, so a
// link's URL cannot be guessed from its id.
const tokenSecret = 10

// newLink makes a link (not stored) to f from create parameters p: those
// of POST /v1/file_links (prefix "") or an upload's file_link_data.
func newLink(c *api.Call, f store.Obj, p params.Values, prefix string) (store.Obj, error) {
	name := func(field string) string {
		if prefix == "" {
			return field
		}
		return prefix + "[" + field + "]"
	}
	if purpose := api.Str(f["purpose"]); !linkable[purpose] {
		param := "file"
		if prefix != "" {
			param = name("create")
		}
		return nil, apierr.InvalidRequest("Files with purpose %s cannot have file links: their contents are not downloadable.", purpose).WithParam(param)
	}
	var expires any
	if at, ok := p.Int("expires_at"); ok {
		if at <= c.Now {
			return nil, pastTimestamp(name("expires_at"))
		}
		expires = at
	}
	id := c.NewID("file_link")
	link := c.Object("file_link", id, store.Obj{
		"expired": false, "expires_at": expires, "file": f["id"], "metadata": map[string]any{},
		"url": baseURL(c) + "/links/" + linkToken(c, id),
	})
	if err := api.ApplyMetadataFrom(link, p); err != nil {
		return nil, err
	}
	return link, nil
}

// linkToken is the last segment of a link's URL: as Stripe's, the base64
// of "00|<account>|<link>", then a secret.
func linkToken(c *api.Call, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("00|"+c.Account+"|"+id)) + c.IDs.Secret(tokenSecret)
}

// parseToken reads the account and link a token names.
func parseToken(token string) (account, id string, ok bool) {
	if len(token) <= tokenSecret {
		return "", "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(token[:len(token)-tokenSecret])
	if err != nil {
		return "", "", false
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 || parts[0] != "00" {
		return "", "", false
	}
	return parts[1], parts[2], true
}

// pastTimestamp refuses an expiry that is not in the future.
func pastTimestamp(param string) error {
	return apierr.InvalidRequest("Invalid timestamp: must be an integer Unix timestamp in the future.").WithParam(param)
}

func createLink(c *api.Call) (any, error) {
	if err := c.Require("file"); err != nil {
		return nil, err
	}
	fileID, _ := c.Params.Str("file")
	f, err := c.Load("file", fileID, "file")
	if err != nil {
		return nil, err
	}
	link, err := newLink(c, f, c.Params, "")
	if err != nil {
		return nil, err
	}
	return link, c.Put(link)
}

func retrieveLink(c *api.Call) (any, error) { return c.Retrieve("file_link", c.Var("id")) }

// updateLink changes a link's expiry (a future time, now to expire it at
// once, or empty for never) and metadata. Stripe: "Expired links can no
// longer be updated."
func updateLink(c *api.Call) (any, error) {
	before, err := c.Load("file_link", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if api.Bool(before["expired"]) {
		return nil, apierr.InvalidRequest("The file link %s has expired: expired links can no longer be updated.", before["id"])
	}
	after := api.Clone(before)
	if v, ok := c.Params.Get("expires_at"); ok {
		switch at := v.(type) {
		case nil: // empty: the link never expires
			after["expires_at"] = nil
		case int64:
			if at <= c.Now {
				return nil, pastTimestamp("expires_at")
			}
			after["expires_at"] = at
		default: // now
			after["expires_at"], after["expired"] = c.Now, true
		}
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	return after, c.Put(after)
}

func listLinks(c *api.Call) (any, error) {
	q, err := c.ListQuery("file_link")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "file")
	if v, ok := c.Params.Bool("expired"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Bool(o["expired"]) == v })
	}
	return c.Page("file_link", "/v1/file_links", q), nil
}

// Timer marks links expired when their expires_at comes on the emulator
// clock (no event: Stripe has none for file links).
var Timer = api.RawTimer("file_link", func(tx *store.Tx, account string, fn func(raw string) bool) {
	tx.EachIndexedRaw(account, "file_link", "expired", "false", fn)
}, expiryDue)

func expiryDue(out []api.Due, account, raw string, target int64) []api.Due {
	f := store.Pick(raw, "id", "expired", "expires_at")
	if f[1].Bool() || !f[2].Exists() || f[2].Type == gjson.Null || f[2].Int() > target {
		return out
	}
	id, at := f[0].String(), f[2].Int()
	return append(out, api.Due{At: at, Account: account, About: store.Ref{Type: "file_link", ID: id}, Kind: "file_link_expire",
		Run: func(c *api.Call) error { return expire(c, id, at) }})
}

func expire(c *api.Call, id string, at int64) error {
	l, ok := c.Tx.Get(c.Account, "file_link", id)
	if !ok || api.Bool(l["expired"]) || l["expires_at"] == nil || api.Int(l["expires_at"]) > at {
		return nil
	}
	after := api.Clone(l)
	after["expired"] = true
	return c.Put(after)
}

// ServeLink answers a link's URL (Stripe's files.stripe.com/links/…):
// the file's bytes, to anyone, while the link and its file have not
// expired on the emulator's clock.
func ServeLink(env *api.Env) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := mux.Vars(r)["token"]
		var (
			body  []byte
			ctype string
			fail  *apierr.Error
		)
		missing := apierr.InvalidRequest("No such file link: this URL does not name a file link.")
		missing.Status = 404
		_ = env.Store.View(func(tx *store.Tx) error {
			account, id, ok := parseToken(token)
			if !ok {
				fail = missing
				return nil
			}
			link, ok := tx.Get(account, "file_link", id)
			if !ok || !strings.HasSuffix(api.Str(link["url"]), "/links/"+token) {
				fail = missing
				return nil
			}
			now := env.Clock.Unix()
			if exp := link["expires_at"]; exp != nil && api.Int(exp) <= now {
				fail = apierr.InvalidRequest("This file link expired at %d.", api.Int(exp))
				fail.Status = 404
				return nil
			}
			f, ok := tx.Get(account, "file", api.Str(link["file"]))
			if !ok {
				fail = missing
				return nil
			}
			data, err := contentsOf(tx, account, f, now)
			if err != nil {
				fail, _ = err.(*apierr.Error)
				return nil
			}
			body, ctype = data, mimeTypes[api.Str(f["type"])]
			return nil
		})
		if fail != nil {
			out, _ := jsonenc.MarshalIndent(map[string]any{"error": fail})
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(out)))
			w.WriteHeader(fail.Status)
			_, _ = w.Write(out)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
}
