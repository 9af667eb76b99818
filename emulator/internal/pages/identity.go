package pages

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/identity"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// IdentityBySecret is what Stripe.js's verifyIdentity opens in its modal:
// the session's page, found by its client secret, which answers in the
// frame instead of sending the user to return_url.
func IdentityBySecret(e Backend, w http.ResponseWriter, req *http.Request) {
	var token string
	var found bool
	_ = e.View(func(tx *store.Tx) error {
		token, found = identity.PageOfSecret(tx, mux.Vars(req)["secret"])
		return nil
	})
	if !found {
		http.Error(w, "This client secret has expired or was already used.", http.StatusGone)
		return
	}
	http.Redirect(w, req, identity.PagePath+"test_"+token+"?modal=1", http.StatusSeeOther)
}

// Identity is a VerificationSession's url: Stripe's test-mode
// verification flow, where the user picks what happens instead of
// showing a document. Submitting ends the session's turn (verified, or
// back to requires_input with the failure, as the submit test helper
// does) and sends the user to the session's return_url. The link is
// single-use: once submitted it no longer opens.
func Identity(e Backend, w http.ResponseWriter, req *http.Request) {
	var account, id, returnURL string
	var found bool
	_ = e.View(func(tx *store.Tx) error {
		account, id, returnURL, found = identity.SessionOfPage(tx, mux.Vars(req)["token"])
		return nil
	})
	if !found {
		http.Error(w, "This verification link has expired or was already used.", http.StatusGone)
		return
	}
	vs, ok := e.GetIn(account, id)
	if !ok {
		http.Error(w, "No such verification session: "+id, http.StatusNotFound)
		return
	}
	var failure string
	if req.Method == http.MethodPost {
		_ = req.ParseForm()
		status, body, err := e.Call("POST", "/v1/test_helpers/identity/verification_sessions/"+id+"/submit",
			url.Values{"outcome": {req.PostForm.Get("outcome")}}, account)
		switch {
		case err != nil:
			failure = err.Error()
		case status != http.StatusOK:
			failure = fmt.Sprint(api.Obj(body["error"])["message"])
		case returnURL != "" && req.URL.Query().Get("modal") != "1":
			http.Redirect(w, req, returnURL, http.StatusSeeOther)
			return
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = identityTmpl.Execute(w, map[string]any{"Done": true, "Status": body["status"]})
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if failure != "" {
		w.WriteHeader(http.StatusBadRequest)
	}
	_ = identityTmpl.Execute(w, map[string]any{
		"ID": id, "Type": vs["type"], "Outcomes": identity.Outcomes(vs), "Failure": failure,
		"LastError": api.Obj(vs["last_error"])["code"],
	})
}

var identityTmpl = template.Must(template.New("identity").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Verify your identity (stripe-emu)</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto}button{display:block;margin:.4rem 0;padding:.6rem 1rem;width:100%}.failure{color:#b00}</style></head>
<body><h1>Verify your identity (test mode)</h1>
{{if .Done}}<p class="done">Submitted: the session is <code>{{.Status}}</code>.</p>{{else}}
<p>Verification session <code>{{.ID}}</code> ({{.Type}} check). Test mode runs no real checks: choose the outcome.</p>
{{if .LastError}}<p>The last attempt failed: <code>{{.LastError}}</code>.</p>{{end}}
{{if .Failure}}<p class="failure">{{.Failure}}</p>{{end}}
<form method="post">{{range .Outcomes}}<button name="outcome" value="{{.}}">{{.}}</button>{{end}}</form>{{end}}
</body></html>
`))
