package pages

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/gorilla/mux"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/accounts"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/checkout"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// The pages behind the links a platform or a merchant hands out: an
// account link's (Connect onboarding, hosted by Stripe) and a payment
// link's (buy.stripe.com). Their URLs keep Stripe's host as a path of the
// emulator's, so they read as what they stand for.

// AccountLink is where an account link sends the connected account's
// owner: what Stripe still needs of the account, a button that finishes
// onboarding (as the complete_onboarding test helper does) and sends the
// owner to return_url, and a way back without finishing. A link is
// single-use: opened again, finished, or expired, it sends the owner to
// refresh_url, as stripe-go's refresh_url documents ("expired,
// previously-visited, or otherwise invalid"). Its own form may be sent
// until it finishes.
func AccountLink(e Backend, w http.ResponseWriter, req *http.Request) {
	vars := mux.Vars(req)
	token := vars["token"]
	var link accounts.LinkPage
	var found, spent bool
	_ = e.Update(func(tx *store.Tx) error {
		link, found = accounts.AccountLinkPage(tx, token)
		if !found || link.Account != vars["account"] {
			return nil
		}
		spent = link.Finished || (link.Visited && req.Method == http.MethodGet)
		if spent || e.Clock().Now().Unix() > link.ExpiresAt {
			return nil
		}
		link.Visited = true
		return accounts.SaveAccountLinkPage(tx, token, link)
	})
	if !found || link.Account != vars["account"] {
		http.Error(w, "This account link does not exist.", http.StatusNotFound)
		return
	}
	if spent || e.Clock().Now().Unix() > link.ExpiresAt {
		if link.RefreshURL == "" {
			http.Error(w, "This account link has expired or was already used.", http.StatusGone)
			return
		}
		http.Redirect(w, req, link.RefreshURL, http.StatusSeeOther)
		return
	}
	var failure string
	if req.Method == http.MethodPost {
		var form url.Values
		acct, _ := e.GetIn("", link.Account)
		if banks, _ := api.Obj(acct["external_accounts"])["data"].([]any); len(banks) == 0 {
			// Stripe's onboarding collects a bank account before it
			// enables payouts: the owner enters Stripe's test one.
			form = url.Values{"external_account": {"btok_us_verified"}}
		}
		status, body, err := e.Call("POST", "/v1/test_helpers/accounts/"+link.Account+"/complete_onboarding", form, "")
		switch {
		case err != nil:
			failure = err.Error()
		case status != http.StatusOK:
			failure = fmt.Sprint(api.Obj(body["error"])["message"])
		default:
			link.Finished = true
			_ = e.Update(func(tx *store.Tx) error { return accounts.SaveAccountLinkPage(tx, token, link) })
			if link.ReturnURL != "" {
				http.Redirect(w, req, link.ReturnURL, http.StatusSeeOther)
				return
			}
		}
	}
	acct, _ := e.GetIn("", link.Account)
	due := api.Strs(api.Obj(acct["requirements"])["currently_due"])
	data := map[string]any{
		"Account": link.Account, "Type": acct["type"], "Update": link.Type == "account_update",
		"Email": acct["email"], "Country": acct["country"], "Due": due, "Failure": failure,
		"Done":   api.Bool(acct["details_submitted"]) && failure == "" && req.Method == http.MethodPost,
		"Return": link.ReturnURL,
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if failure != "" {
		w.WriteHeader(http.StatusBadRequest)
	}
	_ = accountLinkTmpl.Execute(w, data)
}

var accountLinkTmpl = template.Must(template.New("accountlink").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Connect onboarding (stripe-emu)</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto}button{display:block;margin:.4rem 0;padding:.6rem 1rem;width:100%}.failure{color:#b00}</style></head>
<body><h1>{{if .Update}}Update your account{{else}}Set up your account{{end}} (stripe-emu)</h1>
<p>Connected account <code>{{.Account}}</code> ({{.Type}}{{if .Country}}, {{.Country}}{{end}}{{if .Email}}, {{.Email}}{{end}}).</p>
{{if .Done}}<p class="done">Onboarding is complete.</p>{{else}}
{{if .Due}}<p>Stripe still needs:</p><ul>{{range .Due}}<li><code>{{.}}</code></li>{{end}}</ul>{{else}}<p>Nothing is due.</p>{{end}}
{{if .Failure}}<p class="failure" role="alert">{{.Failure}}</p>{{end}}
<form method="post"><button>Submit the account's details and finish</button></form>{{end}}
{{if .Return}}<p><a href="{{.Return}}">Return to the platform</a></p>{{end}}
</body></html>
`))

// ExpressDashboard is a login link's url: a stand-in for the Express
// Dashboard, showing what its owner checks there first, the account's
// balance and latest payouts (read through the API as the account).
func ExpressDashboard(e Backend, w http.ResponseWriter, req *http.Request) {
	id := mux.Vars(req)["account"]
	acct, ok := e.GetIn("", id)
	if !ok || acct["object"] != "account" || acct["type"] != "express" {
		http.Error(w, "This login link does not exist.", http.StatusNotFound)
		return
	}
	_, balance, err := e.Call("GET", "/v1/balance", nil, id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_, payouts, err := e.Call("GET", "/v1/payouts", url.Values{"limit": {"5"}}, id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var funds, paid [][2]string
	for _, kind := range []string{"available", "pending"} {
		list, _ := balance[kind].([]any)
		for _, f := range list {
			fund := api.Obj(f)
			funds = append(funds, [2]string{kind, moneyIn(api.Str(fund["currency"]))(fund["amount"])})
		}
	}
	list, _ := payouts["data"].([]any)
	for _, p := range list {
		po := api.Obj(p)
		paid = append(paid, [2]string{moneyIn(api.Str(po["currency"]))(po["amount"]), api.Str(po["status"]) + ", arriving " + pageDate(api.Int(po["arrival_date"]))})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = expressTmpl.Execute(w, map[string]any{"Account": id, "Email": acct["email"], "Funds": funds, "Payouts": paid})
}

var expressTmpl = template.Must(template.New("express").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Express Dashboard (stripe-emu)</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto}th{text-align:left;padding-right:1rem}</style></head>
<body><h1>Express Dashboard (stripe-emu)</h1>
<p>Account <code>{{.Account}}</code>{{if .Email}} ({{.Email}}){{end}}.</p>
<h2>Balance</h2><table>{{range .Funds}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}</table>
<h2>Payouts</h2>{{if .Payouts}}<table>{{range .Payouts}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>{{end}}</table>{{else}}<p>No payouts yet.</p>{{end}}
</body></html>
`))

// clientReference is what a payment link's URL may carry as
// client_reference_id: letters, digits, dashes and underscores, up to 200.
var clientReference = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)

// utmCode is what a UTM code may be: letters, digits, dashes and
// underscores, up to 150.
var utmCode = regexp.MustCompile(`^[A-Za-z0-9_-]{1,150}$`)

// PaymentLink is a payment link's url: opening it opens a Checkout
// Session of the link (as the payment link test helper does) and sends
// the customer to its page, with what the URL prefills
// (?prefilled_email=, ?client_reference_id=, ?locale=, and utm_* codes
// carried over to a redirect after payment). A deactivated
// link shows its inactive_message.
func PaymentLink(e Backend, w http.ResponseWriter, req *http.Request) {
	token := strings.TrimPrefix(mux.Vars(req)["token"], "test_")
	account := req.URL.Query().Get("account")
	if account == "" {
		account = e.Platform()
	}
	var link store.Obj
	_ = e.View(func(tx *store.Tx) error {
		tx.Each(account, "payment_link", func(o store.Obj) bool {
			if checkout.LinkToken(api.Str(o["url"])) == token {
				link = o
				return false
			}
			return true
		})
		return nil
	})
	if link == nil {
		http.Error(w, "This payment link does not exist.", http.StatusNotFound)
		return
	}
	if !api.Bool(link["active"]) {
		msg := api.Str(link["inactive_message"])
		if msg == "" {
			msg = "This link is no longer active."
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusGone)
		fmt.Fprintln(w, msg)
		return
	}
	// Stripe drops what the URL carries that is not valid ("Invalid values
	// are silently dropped"), and the page opens as usual.
	q := req.URL.Query()
	form := url.Values{}
	if ref := q.Get("client_reference_id"); clientReference.MatchString(ref) {
		form.Set("client_reference_id", ref)
	}
	if email := q.Get("prefilled_email"); email != "" && customers.CheckEmail(email, "customer_email") == nil {
		form.Set("customer_email", email)
	}
	if locale := q.Get("locale"); checkout.IsLocale(locale) {
		form.Set("locale", locale)
	}
	for _, k := range checkout.UTMCodes {
		if v := q.Get(k); utmCode.MatchString(v) {
			form.Set(k, v)
		}
	}
	status, body, err := e.Call("POST", "/v1/test_helpers/payment_links/"+api.Str(link["id"])+"/sessions", form, req.URL.Query().Get("account"))
	if err != nil || status != http.StatusOK {
		msg := fmt.Sprint(err)
		if body != nil {
			msg = fmt.Sprint(api.Obj(body["error"])["message"])
		}
		http.Error(w, "This link cannot be opened: "+msg, http.StatusBadRequest)
		return
	}
	http.Redirect(w, req, api.Str(body["url"]), http.StatusSeeOther)
}
