package emulator

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Connect OAuth, which Stripe serves on connect.stripe.com outside the API:
// the authorize page a platform sends an account owner to, and the token
// and deauthorize endpoints its server calls. The SDKs take the connect
// host as an option, so the emulator serves /oauth/… on its own address.

// codeLifetime is how long an authorization code may be exchanged:
// Stripe's documented five minutes.
const codeLifetime = 5 * 60

// oauthCode is what an authorization code (ac_…) grants, kept in meta.
type oauthCode struct {
	Account string   `json:"account"`
	Scope   string   `json:"scope"`
	Expires int64    `json:"expires"`
	Used    bool     `json:"used"`
	Keys    []string `json:"keys,omitempty"` // issued for it (keys, refresh token): revoked when it comes back
}

// oauthRefresh is what a refresh token (rt_…) grants.
type oauthRefresh struct {
	Account string `json:"account"`
	Scope   string `json:"scope"`
}

const (
	codeMeta    = "oauth_code:"
	refreshMeta = "oauth_refresh:"
)

func (e *Emulator) oauthAuthorize(w http.ResponseWriter, req *http.Request) {
	q := req.URL.Query()
	redirect := q.Get("redirect_uri")
	data := map[string]any{"ClientID": q.Get("client_id"), "Email": q.Get("stripe_user[email]"),
		"Country": q.Get("stripe_user[country]"), "Landing": q.Get("stripe_landing")}
	fail := func(status int, msg string) {
		data["Failure"] = msg
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_ = oauthTmpl.Execute(w, data)
	}
	if q.Get("client_id") != e.env.ConnectApplication() {
		// Never redirected: the redirect URI is only trusted for a known
		// application.
		fail(http.StatusBadRequest, "No application matches client_id "+q.Get("client_id")+": the platform's Connect application is "+e.env.ConnectApplication()+".")
		return
	}
	target, err := url.Parse(redirect)
	if redirect == "" || err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		// Stripe falls back to the redirect URI set in the Dashboard,
		// which the emulator does not have.
		fail(http.StatusBadRequest, "redirect_uri must be an absolute http(s) URL: the emulator has no Dashboard default to fall back to.")
		return
	}
	back := func(vals url.Values) {
		if state := q.Get("state"); state != "" {
			vals.Set("state", state)
		}
		t := *target
		qs := t.Query()
		for k, v := range vals {
			qs[k] = v
		}
		t.RawQuery = qs.Encode()
		http.Redirect(w, req, t.String(), http.StatusFound)
	}
	if rt := q.Get("response_type"); rt != "code" {
		back(url.Values{"error": {"unsupported_response_type"}, "error_description": {"Only response_type=code is supported, not '" + rt + "'."}})
		return
	}
	scope := q.Get("scope")
	if scope == "" {
		scope = "read_only"
	}
	if scope != "read_only" && scope != "read_write" {
		back(url.Values{"error": {"invalid_scope"}, "error_description": {"Invalid scope '" + scope + "': use read_only or read_write."}})
		return
	}
	data["Scope"] = scope
	if req.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = oauthTmpl.Execute(w, data)
		return
	}
	if req.FormValue("decision") != "connect" {
		back(url.Values{"error": {"access_denied"}, "error_description": {"The user denied your request"}})
		return
	}
	form := url.Values{"type": {"standard"}}
	for _, f := range []string{"email", "country"} {
		if v := strings.TrimSpace(req.FormValue(f)); v != "" {
			form.Set(f, v)
		}
	}
	status, acct, err := e.Call("POST", "/v1/accounts", form, "")
	if err != nil || status != http.StatusOK {
		msg := "the account could not be created"
		if err != nil {
			msg = err.Error()
		} else if m, ok := api.Obj(acct["error"])["message"].(string); ok {
			msg = m
		}
		fail(http.StatusBadRequest, msg)
		return
	}
	id := api.Str(acct["id"])
	code := "ac_" + e.env.IDs.Secret(32)
	err = e.env.Background(e.env.Platform, func(c *api.Call) error {
		// Told to the platform's Connect endpoints, as Stripe does when an
		// account connects to the platform's application.
		c.EmitIn(id, "account.application.authorized",
			store.Obj{"id": c.ConnectApplication(), "name": nil, "object": "application"}, nil)
		return c.Tx.SetMetaJSON(codeMeta+code, oauthCode{Account: id, Scope: scope, Expires: c.Clock.Unix() + codeLifetime})
	})
	if err != nil {
		fail(http.StatusInternalServerError, err.Error())
		return
	}
	back(url.Values{"code": {code}, "scope": {scope}})
}

// oauthError answers in OAuth's own shape, which stripe-go's connect
// backend reads as Error.OAuthError and OAuthErrorDescription.
func (e *Emulator) oauthError(w http.ResponseWriter, status int, code, description string) {
	e.oauthAnswer(w, status, map[string]string{"error": code, "error_description": description})
}

func (e *Emulator) oauthAnswer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_"+e.env.IDs.Secret(14))
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// oauthPlatform reads a token or deauthorize request's form and checks
// that the request is the platform's: its secret key, sent as
// client_secret or as the API key. It answers the error when not.
func (e *Emulator) oauthPlatform(w http.ResponseWriter, req *http.Request) bool {
	if err := req.ParseForm(); err != nil {
		e.oauthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be read.")
		return false
	}
	key := req.PostFormValue("client_secret")
	if key == "" {
		h := req.Header.Get("Authorization")
		key = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
		if user, _, ok := req.BasicAuth(); ok {
			key = user
		}
	}
	ok := strings.HasPrefix(key, "sk_test_") || strings.HasPrefix(key, "rk_test_")
	if ok {
		_ = e.env.Store.View(func(tx *store.Tx) error {
			// A connected account's own key is not the platform's.
			_, scoped := e.env.OAuthKeyFor(tx, key)
			ok = !scoped
			return nil
		})
	}
	if !ok {
		e.oauthError(w, http.StatusUnauthorized, "invalid_client", "No valid test-mode secret key of the platform was provided (as client_secret or in the Authorization header).")
	}
	return ok
}

func (e *Emulator) oauthToken(w http.ResponseWriter, req *http.Request) {
	if !e.oauthPlatform(w, req) {
		return
	}
	grant := req.PostFormValue("grant_type")
	var account, scope, refresh, code string
	status, errCode, desc := 0, "", ""
	err := e.env.Store.Update(func(tx *store.Tx) error {
		switch grant {
		case "":
			status, errCode, desc = 400, "invalid_request", "No grant_type provided: use authorization_code or refresh_token."
		case "authorization_code":
			code = req.PostFormValue("code")
			var c oauthCode
			switch {
			case code == "":
				status, errCode, desc = 400, "invalid_request", "No code provided."
			case !tx.GetMetaJSON(codeMeta+code, &c):
				status, errCode, desc = 400, "invalid_grant", "Authorization code does not exist: "+code
			case c.Used:
				// Stripe revokes what the code gave when it comes back.
				for _, k := range c.Keys {
					if strings.HasPrefix(k, "rt_") {
						tx.DeleteMeta(refreshMeta + k)
					} else if err := e.env.SetOAuthKey(tx, k, ""); err != nil {
						return err
					}
				}
				status, errCode, desc = 400, "invalid_grant", "This authorization code has already been used. All tokens issued with this code have been revoked."
			case e.env.Clock.Unix() > c.Expires:
				status, errCode, desc = 400, "invalid_grant", "Authorization code expired: "+code
			default:
				account, scope = c.Account, c.Scope
				refresh = "rt_" + e.env.IDs.Secret(48)
				if err := tx.SetMetaJSON(refreshMeta+refresh, oauthRefresh{Account: account, Scope: scope}); err != nil {
					return err
				}
			}
		case "refresh_token":
			refresh = req.PostFormValue("refresh_token")
			var rt oauthRefresh
			switch {
			case refresh == "":
				status, errCode, desc = 400, "invalid_request", "No refresh_token provided."
			case !tx.GetMetaJSON(refreshMeta+refresh, &rt):
				status, errCode, desc = 400, "invalid_grant", "Refresh token does not exist: "+refresh
			default:
				account, scope = rt.Account, rt.Scope
				if s := req.PostFormValue("scope"); s != "" {
					// A refresh may narrow the grant, never widen it.
					if s != "read_only" && (s != "read_write" || scope != "read_write") {
						status, errCode, desc = 400, "invalid_scope", "Invalid scope '"+s+"' for a "+scope+" grant."
						return nil
					}
					scope = s
				}
			}
		default:
			status, errCode, desc = 400, "unsupported_grant_type", "Unsupported grant type: "+grant
		}
		if status != 0 {
			return nil
		}
		if !tx.Exists(e.env.Platform, "account", account) {
			status, errCode, desc = 400, "invalid_grant", "The account "+account+" is no longer connected to the platform."
			return nil
		}
		return nil
	})
	if err == nil && status == 0 {
		err = e.issueKeys(w, account, scope, refresh, code)
		if err == nil {
			return
		}
	}
	if err != nil {
		e.oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	e.oauthError(w, status, errCode, desc)
}

// issueKeys answers a granted token request with a new access token (a
// secret key of the connected account) and its publishable key.
func (e *Emulator) issueKeys(w http.ResponseWriter, account, scope, refresh, code string) error {
	access := "sk_test_" + e.env.IDs.Secret(48)
	publishable := "pk_test_" + e.env.IDs.Secret(48)
	err := e.env.Store.Update(func(tx *store.Tx) error {
		for _, k := range []string{access, publishable} {
			if err := e.env.SetOAuthKey(tx, k, account); err != nil {
				return err
			}
		}
		if code == "" {
			return nil
		}
		var c oauthCode
		if !tx.GetMetaJSON(codeMeta+code, &c) {
			return nil
		}
		c.Used, c.Keys = true, []string{access, publishable, refresh}
		return tx.SetMetaJSON(codeMeta+code, c)
	})
	if err != nil {
		return err
	}
	e.oauthAnswer(w, http.StatusOK, map[string]any{
		"access_token": access, "livemode": false, "refresh_token": refresh, "scope": scope,
		"stripe_publishable_key": publishable, "stripe_user_id": account, "token_type": "bearer",
	})
	return nil
}

func (e *Emulator) oauthDeauthorize(w http.ResponseWriter, req *http.Request) {
	if !e.oauthPlatform(w, req) {
		return
	}
	client, user := req.PostFormValue("client_id"), req.PostFormValue("stripe_user_id")
	switch {
	case client == "" || user == "":
		e.oauthError(w, http.StatusBadRequest, "invalid_request", "client_id and stripe_user_id are required.")
		return
	case client != e.env.ConnectApplication():
		e.oauthError(w, http.StatusUnauthorized, "invalid_client", "No such application: '"+client+"'")
		return
	}
	acct, ok := e.GetIn("", user)
	if !ok || acct["object"] != "account" || user == e.env.Platform {
		e.oauthError(w, http.StatusUnauthorized, "invalid_client", "This application is not connected to stripe account "+user+", or that account does not exist.")
		return
	}
	// The account leaves the platform as DELETE /v1/accounts/… has it
	// leave (a Standard account's account.application.deauthorized
	// included); the keys issued for it stop working with it.
	status, body, err := e.Call("DELETE", "/v1/accounts/"+user, nil, "")
	if err != nil || status != http.StatusOK {
		msg := "the account could not be disconnected"
		if err != nil {
			msg = err.Error()
		} else if m, ok := api.Obj(body["error"])["message"].(string); ok {
			msg = m
		}
		e.oauthError(w, http.StatusBadRequest, "invalid_request", msg)
		return
	}
	e.oauthAnswer(w, http.StatusOK, map[string]string{"stripe_user_id": user})
}

var oauthTmpl = template.Must(template.New("oauth").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Connect with Stripe (stripe-emu)</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto}label{display:block;margin:.6rem 0 .2rem}input{width:100%;padding:.4rem}button{display:block;margin:.4rem 0;padding:.6rem 1rem;width:100%}.failure{color:#b00}</style></head>
<body><h1>Connect your Stripe account (stripe-emu)</h1>
{{if .Failure}}<p class="failure" role="alert">{{.Failure}}</p>{{end}}
{{if .Scope}}<p>Application <code>{{.ClientID}}</code> asks for <code>{{.Scope}}</code> access to your account.</p>
<p>You're in test mode: skip the form to create a new Standard test account and connect it.</p>
<form method="post">
<label for="email">Email</label><input id="email" name="email" type="email" value="{{.Email}}">
<label for="country">Country (two-letter code)</label><input id="country" name="country" value="{{.Country}}">
<button name="decision" value="connect">Skip this form and connect a test account</button>
<button name="decision" value="deny">Deny access</button>
</form>{{end}}
</body></html>
`))
