package emulator

import (
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// intentPage is the test page a PaymentIntent's or SetupIntent's
// next_action sends the customer's browser to (redirect_to_url.url, or
// use_stripe_sdk's stripe_js): Stripe's page for a redirect method's test
// payment or a 3-D Secure test challenge. Opening it decides nothing;
// its buttons (?outcome=succeed|fail) do what the authenticate test
// helper does and send the browser back to the return_url with the
// parameters Stripe adds: payment_intent (setup_intent), its client
// secret and redirect_status.
func (e *Emulator) intentPage(object string) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		id := mux.Vars(req)["id"]
		account := req.URL.Query().Get("account")
		intent, ok := e.getIn(account, id)
		if !ok || intent["object"] != object {
			http.Error(w, "No such "+object+": "+id, http.StatusNotFound)
			return
		}
		outcome := req.URL.Query().Get("outcome")
		if outcome == "" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = intentPageTmpl.Execute(w, map[string]any{"ID": id, "Object": object, "Status": intent["status"],
				"Amount": intent["amount"], "Currency": intent["currency"], "Account": account,
				"Waiting": intent["status"] == "requires_action"})
			return
		}
		next, _ := intent["next_action"].(map[string]any)
		kind, _ := next["type"].(string)
		redirect, _ := next[kind].(map[string]any) // redirect_to_url, alipay_handle_redirect
		returnURL, _ := redirect["return_url"].(string)
		if returnURL == "" {
			// Cash App Pay's action shows no return_url: kept aside.
			returnURL = e.pageReturnURL(account, id)
		}
		status, body, err := e.Call("POST", "/v1/test_helpers/"+object+"s/"+id+"/authenticate", url.Values{"outcome": {outcome}}, account)
		if err != nil || status != http.StatusOK {
			msg := fmt.Sprint(err)
			if body != nil {
				msg = fmt.Sprint(body["error"])
			}
			http.Error(w, "This test payment cannot be completed: "+msg, http.StatusConflict)
			return
		}
		redirectStatus := "succeeded"
		if body["status"] == "requires_payment_method" {
			redirectStatus = "failed"
		}
		back, err := url.Parse(returnURL)
		if returnURL == "" || err != nil {
			// 3-D Secure in Stripe.js's frame: nowhere to go back to.
			fmt.Fprintf(w, "%s %s: %s (%s)\n", object, id, body["status"], redirectStatus)
			return
		}
		q := back.Query()
		q.Set(object, id)
		q.Set(object+"_client_secret", fmt.Sprint(intent["client_secret"]))
		q.Set("redirect_status", redirectStatus)
		back.RawQuery = q.Encode()
		http.Redirect(w, req, back.String(), http.StatusSeeOther)
	}
}

// pageReturnURL is the return_url kept for an intent whose next action
// does not show it.
func (e *Emulator) pageReturnURL(account, id string) string {
	if account == "" {
		account = e.env.Platform
	}
	var u string
	_ = e.env.Store.View(func(tx *store.Tx) error {
		u = payments.PageReturnURL(tx, account, id)
		return nil
	})
	return u
}

// qrCodeImage serves the image of an intent's test QR code (Cash App
// Pay's, WeChat Pay's next action), PNG or SVG: a placeholder naming the
// test page its code stands for, not a scannable QR code.
func (e *Emulator) qrCodeImage(w http.ResponseWriter, req *http.Request) {
	id, format := mux.Vars(req)["id"], mux.Vars(req)["format"]
	intent, ok := e.getIn(req.URL.Query().Get("account"), id)
	if !ok || (intent["object"] != "payment_intent" && intent["object"] != "setup_intent") {
		http.Error(w, "No such QR code: "+id, http.StatusNotFound)
		return
	}
	if format == "svg" {
		w.Header().Set("Content-Type", "image/svg+xml")
		fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240"><rect width="240" height="240" fill="#fff" stroke="#000" stroke-width="8"/><text x="120" y="110" text-anchor="middle" font-family="sans-serif" font-size="16">stripe-emu test QR</text><text x="120" y="140" text-anchor="middle" font-family="monospace" font-size="9">%s</text></svg>`, template.HTMLEscapeString(id))
		return
	}
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(payments.QRPlaceholderPNG())
}

var intentPageTmpl = template.Must(template.New("intent").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>stripe-emu test payment page</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto}button{display:block;margin:.4rem 0;padding:.6rem 1rem;width:100%}</style></head>
<body><h1>Test payment page (stripe-emu)</h1>
<p>{{.Object}} <code>{{.ID}}</code>: {{.Status}}{{if .Amount}}, {{.Amount}} {{.Currency}}{{end}}.</p>
{{if .Waiting}}<form method="get">{{if .Account}}<input type="hidden" name="account" value="{{.Account}}">{{end}}<input type="hidden" name="outcome" value="succeed"><button>Authorize test payment</button></form>
<form method="get">{{if .Account}}<input type="hidden" name="account" value="{{.Account}}">{{end}}<input type="hidden" name="outcome" value="fail"><button>Fail test payment</button></form>
{{else}}<p>Nothing to authorize.</p>{{end}}
</body></html>
`))

// transferInstructionsPage is a customer_balance PaymentIntent's
// hosted_instructions_url: what its bank transfer instructions say (the
// amount still to send, the reference to quote, where to send it), as the
// page Stripe hosts for the customer shows them.
func (e *Emulator) transferInstructionsPage(w http.ResponseWriter, req *http.Request) {
	id := mux.Vars(req)["id"]
	intent, ok := e.getIn(req.URL.Query().Get("account"), id)
	if !ok || intent["object"] != "payment_intent" {
		http.Error(w, "No such payment_intent: "+id, http.StatusNotFound)
		return
	}
	next, _ := intent["next_action"].(map[string]any)
	ins, _ := next["display_bank_transfer_instructions"].(map[string]any)
	data := map[string]any{"ID": id, "Status": intent["status"], "Waiting": ins != nil}
	if ins != nil {
		cur := fmt.Sprint(ins["currency"])
		remaining, _ := ins["amount_remaining"].(int64)
		if f, ok := ins["amount_remaining"].(float64); ok {
			remaining = int64(f)
		}
		data["Amount"] = currency.Major(remaining, cur) + " " + strings.ToUpper(cur)
		data["Reference"] = ins["reference"]
		var addresses []transferAddress
		list, _ := ins["financial_addresses"].([]any)
		for _, a := range list {
			fa, _ := a.(map[string]any)
			kind := fmt.Sprint(fa["type"])
			fields, _ := fa[kind].(map[string]any)
			addr := transferAddress{Type: kind}
			for _, k := range slices.Sorted(maps.Keys(fields)) {
				switch v := fields[k].(type) {
				case string:
					addr.Fields = append(addr.Fields, [2]string{k, v})
				case map[string]any: // a postal address
					var parts []string
					for _, p := range []string{"line1", "line2", "postal_code", "city", "state", "country"} {
						if s, ok := v[p].(string); ok && s != "" {
							parts = append(parts, s)
						}
					}
					addr.Fields = append(addr.Fields, [2]string{k, strings.Join(parts, ", ")})
				}
			}
			addresses = append(addresses, addr)
		}
		data["Addresses"] = addresses
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = transferTmpl.Execute(w, data)
}

// transferAddress is one financial address on the instructions page: its
// type (aba, iban…) and its fields by name.
type transferAddress struct {
	Type   string
	Fields [][2]string
}

var transferTmpl = template.Must(template.New("transfer").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Bank transfer instructions (stripe-emu)</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto}th{text-align:left;padding-right:1rem}</style></head>
<body><h1>Bank transfer instructions (stripe-emu)</h1>
{{if .Waiting}}<p>Send <strong>{{.Amount}}</strong> quoting the reference <code>{{.Reference}}</code> to:</p>
{{range .Addresses}}<h2>{{.Type}}</h2><table>{{range .Fields}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}</table>
{{end}}{{else}}<p>Payment <code>{{.ID}}</code> is {{.Status}}: nothing to transfer.</p>{{end}}
</body></html>
`))

// microdepositPage is verify_with_microdeposits' hosted_verification_url:
// the customer enters the descriptor code (?descriptor_code=) or the two
// amounts (?amounts=32&amounts=45) of the microdeposits, which the
// intent's verify_microdeposits endpoint checks.
func (e *Emulator) microdepositPage(w http.ResponseWriter, req *http.Request) {
	token := mux.Vars(req)["token"]
	var account, object, id string
	found := false
	_ = e.env.Store.View(func(tx *store.Tx) error {
		account, object, id, found = payments.MicrodepositPage(tx, token)
		return nil
	})
	if !found {
		http.Error(w, "No such verification page", http.StatusNotFound)
		return
	}
	q := req.URL.Query()
	data := map[string]any{"Object": object, "ID": id}
	status := http.StatusOK
	if q.Has("descriptor_code") || q.Has("amounts") {
		form := url.Values{}
		if q.Has("descriptor_code") {
			form.Set("descriptor_code", q.Get("descriptor_code"))
		}
		for i, a := range q["amounts"] {
			form.Set(fmt.Sprintf("amounts[%d]", i), a)
		}
		code, body, err := e.Call("POST", "/v1/"+object+"s/"+id+"/verify_microdeposits", form, account)
		switch {
		case err != nil:
			status, data["Error"] = http.StatusInternalServerError, err.Error()
		case code != http.StatusOK:
			msg, _ := body["error"].(map[string]any)
			status, data["Error"] = code, msg["message"]
		default:
			data["Verified"] = body["status"]
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = microdepositTmpl.Execute(w, data)
}

var microdepositTmpl = template.Must(template.New("microdeposit").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Verify your bank account (stripe-emu)</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto}input,button{display:block;margin:.4rem 0;padding:.5rem}</style></head>
<body><h1>Verify your bank account (stripe-emu)</h1>
{{if .Verified}}<p>Verified: {{.Object}} <code>{{.ID}}</code> is {{.Verified}}.</p>{{else}}
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
<form method="get"><label>Code of the 0.01 deposit's statement descriptor (SM11AA in test mode)<input name="descriptor_code" placeholder="SM11AA"></label><button>Verify</button></form>
<p>Or the two deposits' amounts, in cents (a Canadian account's microdeposits are verified by their amounts):</p>
<form method="get"><label>First amount (32 in test mode)<input name="amounts" placeholder="32"></label><label>Second amount (45 in test mode)<input name="amounts" placeholder="45"></label><button>Verify</button></form>
{{end}}
</body></html>
`))
