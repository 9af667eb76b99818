package emulator

import (
	"fmt"
	"html/template"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/checkout"
)

// checkoutMethods are the test payment methods the Checkout page offers,
// those of the session's payment method types.
var checkoutMethods = []pageMethod{
	{"pm_card_visa", "Pay with Visa 4242", "card"}, {"pm_card_threeDSecure2Required", "Pay with a 3-D Secure card", "card"},
	{"pm_card_chargeDeclined", "Pay with a declining card", "card"}, {"pm_sepa_debit", "Pay by SEPA Direct Debit (settles later)", "sepa_debit"},
	{"pm_sepa_debit_fail", "Pay by SEPA Direct Debit (fails later)", "sepa_debit"},
	{"pm_bacs_debit", "Pay by Bacs Direct Debit (settles later)", "bacs_debit"},
	{"pm_bacs_debit_fail", "Pay by Bacs Direct Debit (fails later)", "bacs_debit"},
	{"pm_au_becs_debit", "Pay by BECS Direct Debit (settles later)", "au_becs_debit"},
	{"pm_au_becs_debit_fail", "Pay by BECS Direct Debit (fails later)", "au_becs_debit"},
	{"pm_acss_debit", "Pay by pre-authorized debit (settles later)", "acss_debit"},
	{"pm_acss_debit_fail", "Pay by pre-authorized debit (fails later)", "acss_debit"},
	{"pm_oxxo", "Pay with an OXXO voucher (the email decides: paid in 3 minutes, or see Stripe's test emails)", "oxxo"},
	{"pm_boleto", "Pay with a Boleto (the email decides: paid in 3 minutes, or see Stripe's test emails)", "boleto"},
	{"pm_konbini", "Pay with a Konbini voucher (the email decides: paid in 3 minutes, or see Stripe's test emails)", "konbini"},
	{"pm_multibanco", "Pay with a Multibanco voucher (the email decides: paid in 3 minutes, or see Stripe's test emails)", "multibanco"},
	{"pm_link", "Pay with Link (signs in with the email and the one-time passcode above)", "link"},
}

// linkPasscodeRefusals are Link's test passcodes that fail, as Stripe's
// Link guides list them (any other six digits sign in); the page's words
// for them are the emulator's, Link's own not verified.
var linkPasscodeRefusals = map[string]string{
	"000001": "That Link code is invalid. Try again.",
	"000002": "That Link code has expired. Request a new one.",
	"000003": "Too many attempts with Link codes. Try again later.",
}

// checkLinkPasscode is the page's refusal of the one-time passcode a
// customer signing in to Link typed, or "".
func checkLinkPasscode(code string) string {
	code = strings.TrimSpace(code)
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return "Enter the 6-digit code Link sent you to sign in."
	}
	return linkPasscodeRefusals[code]
}

// billingFields are the billing address inputs of a session with
// billing_address_collection=required, by the address field each fills.
var billingFields = [][2]string{{"line1", "Address"}, {"city", "City"}, {"postal_code", "Postal code"}, {"country", "Country"}}

// checkoutPage is the hosted page a session's url points at: what the
// session asks of the customer (email, the terms to accept, phone number,
// billing address, custom fields, optional items, a promotion code), the
// test payment methods, and a link back to cancel_url. Paying completes
// the session as the complete test helper does and sends the customer on
// to success_url; what the helper refuses (a decline, a bad code) is
// shown on the page, which stays open to try again, as are the page's
// own refusals of what the customer typed, which change nothing.
func (e *Emulator) checkoutPage(w http.ResponseWriter, req *http.Request) {
	id := mux.Vars(req)["id"]
	account := req.URL.Query().Get("account")
	s, ok := e.getIn(account, id)
	if !ok || s["object"] != "checkout.session" {
		http.Error(w, "No such checkout session", http.StatusNotFound)
		return
	}
	status, failure := http.StatusOK, ""
	var typed url.Values
	if req.Method == http.MethodPost {
		_ = req.ParseForm()
		typed = req.PostForm
		form, msg := e.checkoutForm(s, account, typed)
		if msg != "" {
			status, failure = http.StatusBadRequest, msg
		} else {
			code, body, err := e.Call("POST", "/v1/test_helpers/checkout/sessions/"+id+"/complete", form, account)
			switch {
			case err != nil:
				status, failure = http.StatusInternalServerError, err.Error()
			case code != http.StatusOK:
				errObj, _ := body["error"].(map[string]any)
				status, failure = code, fmt.Sprint(errObj["message"])
			default:
				if success, _ := body["success_url"].(string); success != "" {
					// Stripe fills in the template variable as it
					// redirects; the session keeps the URL as given.
					http.Redirect(w, req, strings.ReplaceAll(success, "{CHECKOUT_SESSION_ID}", id), http.StatusSeeOther)
					return
				}
				s, typed = body, nil
			}
		}
		if failure != "" {
			s, _ = e.getIn(account, id)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = checkoutTmpl.Execute(w, e.checkoutView(s, account, typed, failure))
}

// submitVerbs are the words submit_type puts on the page's buttons in
// place of "Pay", as Stripe's reference says it customizes the submit
// button's text (the exact wording of Stripe's button is its own).
var submitVerbs = map[string]string{"book": "Book", "donate": "Donate", "subscribe": "Subscribe"}

// submitMethods are the page's test methods of the types s offers,
// worded by its submit_type.
func submitMethods(s Object) []pageMethod {
	typ, _ := s["submit_type"].(string)
	verb, reworded := submitVerbs[typ]
	offered, _ := s["payment_method_types"].([]any)
	var out []pageMethod
	for _, m := range checkoutMethods {
		if len(offered) > 0 && !slices.Contains(offered, any(m.Type)) {
			continue
		}
		if reworded {
			m.Label = verb + strings.TrimPrefix(m.Label, "Pay")
		}
		out = append(out, m)
	}
	return out
}

// knownEmail is the email a session already has for its customer (its
// customer's, else customer_email), which the page shows and the
// customer does not change.
func (e *Emulator) knownEmail(s Object, account string) string {
	if id, _ := s["customer"].(string); id != "" {
		if cus, ok := e.getIn(account, id); ok {
			if email, _ := cus["email"].(string); email != "" {
				return email
			}
		}
	}
	email, _ := s["customer_email"].(string)
	return email
}

// checkoutForm is the complete test helper's request for what the
// customer sent on the page, or why the page refuses it. A field the
// request leaves out altogether (a test posting only payment_method) is
// left to the helper's defaults; a field the customer emptied is refused.
func (e *Emulator) checkoutForm(s Object, account string, in url.Values) (url.Values, string) {
	form := url.Values{"payment_method": {in.Get("payment_method")}}
	if in.Get("payment_method") == "pm_link" {
		if msg := checkLinkPasscode(in.Get("link_passcode")); msg != "" {
			return nil, msg
		}
	}
	if email, sent := in["email"]; sent && e.knownEmail(s, account) == "" {
		addr, err := mail.ParseAddress(email[0])
		if err != nil || addr.Address != strings.TrimSpace(email[0]) {
			return nil, "Enter a valid email address."
		}
		form.Set("email", addr.Address)
	}
	consent, _ := s["consent_collection"].(map[string]any)
	if consent["terms_of_service"] == "required" && in.Get("terms_of_service") != "accepted" {
		return nil, "Accept the terms of service to continue."
	}
	if consent["promotions"] == "auto" {
		// Shown and left unticked, the box is the customer opting out.
		form.Set("consent[promotions]", "opt_out")
		if in.Get("promotions") == "opt_in" {
			form.Set("consent[promotions]", "opt_in")
		}
	}
	if phone, sent := in["phone"]; sent && collectsPhone(s) {
		if strings.TrimSpace(phone[0]) == "" {
			return nil, "Enter your phone number."
		}
		form.Set("phone", strings.TrimSpace(phone[0]))
	}
	if checkout.CollectsBilling(s) && in.Has("billing_line1") {
		for _, f := range billingFields {
			v := strings.TrimSpace(in.Get("billing_" + f[0]))
			if v == "" {
				return nil, "Enter your billing address: " + strings.ToLower(f[1]) + " is missing."
			}
			form.Set("billing_address["+f[0]+"]", v)
		}
	}
	if countries := shippingCountries(s); countries != nil && in.Has("shipping_line1") {
		for _, f := range shippingFields {
			v := strings.TrimSpace(in.Get("shipping_" + f[0]))
			if v == "" && f[0] != "line2" {
				return nil, "Enter your shipping address: " + strings.ToLower(f[1]) + " is missing."
			}
			if f[0] == "name" {
				form.Set("shipping_details[name]", v)
			} else if v != "" {
				form.Set("shipping_details[address]["+f[0]+"]", v)
			}
		}
	}
	if rate := in.Get("shipping_rate"); rate != "" {
		form.Set("shipping_rate", rate)
	}
	if typ, value := strings.TrimSpace(in.Get("tax_id_type")), strings.TrimSpace(in.Get("tax_id_value")); collectsTaxID(s) && value != "" {
		form.Set("tax_id[type]", typ)
		form.Set("tax_id[value]", value)
	}
	fields, _, _ := pageInputs(s)
	n := 0
	for _, f := range fields {
		if v := in.Get("field_" + f.Key); v != "" {
			form.Set(fmt.Sprintf("custom_fields[%d][key]", n), f.Key)
			form.Set(fmt.Sprintf("custom_fields[%d][value]", n), v)
			n++
		}
	}
	for i, price := range in["optional_item"] {
		form.Set(fmt.Sprintf("optional_items[%d][price]", i), price)
	}
	if in.Get("save_payment_method") == "true" {
		form.Set("save_payment_method", "true")
	}
	if code := strings.TrimSpace(in.Get("promotion_code")); code != "" {
		form.Set("promotion_code", code)
	}
	return form, ""
}

// shippingFields are the shipping address inputs of a session with
// shipping_address_collection, by the field each fills.
var shippingFields = [][2]string{{"name", "Name"}, {"line1", "Address"}, {"line2", "Address line 2"}, {"city", "City"}, {"postal_code", "Postal code"}, {"country", "Country"}}

// shippingCountries are the countries a session ships to, or nil when it
// collects no shipping address.
func shippingCountries(s Object) []string {
	sac, _ := s["shipping_address_collection"].(map[string]any)
	if sac == nil {
		return nil
	}
	list, _ := sac["allowed_countries"].([]any)
	out := []string{}
	for _, c := range list {
		out = append(out, fmt.Sprint(c))
	}
	return out
}

// shippingOption is one of a session's shipping rates as the page offers it.
type shippingOption struct {
	ID, Label string
	Chosen    bool
}

func collectsTaxID(s Object) bool {
	tic, _ := s["tax_id_collection"].(map[string]any)
	on, _ := tic["enabled"].(bool)
	return on
}

func collectsPhone(s Object) bool {
	pnc, _ := s["phone_number_collection"].(map[string]any)
	on, _ := pnc["enabled"].(bool)
	return on
}

// checkoutView is what the page template shows of s, with what the
// customer typed (typed) and why it was refused.
func (e *Emulator) checkoutView(s Object, account string, typed url.Values, failure string) map[string]any {
	cur, _ := s["currency"].(string)
	money := func(v any) string {
		n, _ := v.(int64)
		if f, ok := v.(float64); ok {
			n = int64(f)
		}
		return currency.Major(n, cur) + " " + strings.ToUpper(cur)
	}
	fields, optional, save := pageInputs(s)
	for i, o := range optional {
		// Named as the customer reads it: its product and unit price.
		if price, ok := e.getIn(account, o.Price); ok {
			name, _ := price["nickname"].(string)
			if prod, ok := e.getIn(account, fmt.Sprint(price["product"])); ok && name == "" {
				name, _ = prod["name"].(string)
			}
			pc, _ := price["currency"].(string)
			amount, _ := price["unit_amount"].(int64)
			if f, ok := price["unit_amount"].(float64); ok {
				amount = int64(f)
			}
			optional[i].Label = name + ", " + currency.Major(amount, pc) + " " + strings.ToUpper(pc)
		}
	}
	for i := range fields {
		if v, sent := typed["field_"+fields[i].Key]; sent {
			fields[i].Default = v[0]
		}
	}
	consent, _ := s["consent_collection"].(map[string]any)
	text, _ := s["custom_text"].(map[string]any)
	terms, _ := text["terms_of_service_acceptance"].(map[string]any)
	termsLabel, _ := terms["message"].(string)
	if termsLabel == "" {
		termsLabel = "I agree to the Terms of Service"
	}
	email, locked := e.knownEmail(s, account), true
	if email == "" {
		email, locked = "customer@example.com", false
		if v, sent := typed["email"]; sent {
			email = v[0]
		}
	}
	methods := submitMethods(s)
	offersLink := slices.ContainsFunc(methods, func(m pageMethod) bool { return m.Type == "link" })
	data := map[string]any{
		"ID": s["id"], "Mode": s["mode"], "Status": s["status"], "Failure": failure,
		"Email": email, "EmailLocked": locked, "Cancel": s["cancel_url"],
		"Fields": fields, "Optional": optional, "Save": save, "Codes": s["allow_promotion_codes"] == true,
		"Code": typed.Get("promotion_code"), "Methods": methods, "Link": offersLink,
		"Terms": consent["terms_of_service"] == "required", "TermsLabel": termsLabel,
		"Promotions": consent["promotions"] == "auto", "PromotionsOn": typed.Get("promotions") == "opt_in",
		"Phone": collectsPhone(s), "PhoneValue": typed.Get("phone"),
	}
	if s["amount_total"] != nil && cur != "" {
		data["Total"] = money(s["amount_total"])
	}
	if checkout.CollectsBilling(s) {
		// An existing customer's address shows filled in.
		var known map[string]any
		if id, _ := s["customer"].(string); id != "" {
			cus, _ := e.getIn(account, id)
			known, _ = cus["address"].(map[string]any)
		}
		var billing [][3]string
		for _, f := range billingFields {
			v, sent := typed["billing_"+f[0]]
			value := fmt.Sprint(known[f[0]])
			if sent {
				value = v[0]
			} else if known[f[0]] == nil {
				value = ""
			}
			billing = append(billing, [3]string{f[0], f[1], value})
		}
		data["Billing"] = billing
	}
	data["TaxID"], data["TaxIDType"], data["TaxIDValue"] = collectsTaxID(s), typed.Get("tax_id_type"), typed.Get("tax_id_value")
	if countries := shippingCountries(s); countries != nil {
		var ship [][3]string
		for _, f := range shippingFields {
			ship = append(ship, [3]string{f[0], f[1], typed.Get("shipping_" + f[0])})
		}
		data["Shipping"], data["Countries"] = ship, countries
	}
	options, _ := s["shipping_options"].([]any)
	chosen := typed.Get("shipping_rate")
	var rates []shippingOption
	for i, o := range options {
		opt, _ := o.(map[string]any)
		id, _ := opt["shipping_rate"].(string)
		label := id
		if rate, ok := e.getIn(account, id); ok {
			label = fmt.Sprint(rate["display_name"])
		}
		rates = append(rates, shippingOption{ID: id, Label: label + ", " + money(opt["shipping_amount"]),
			Chosen: id == chosen || chosen == "" && i == 0})
	}
	data["Rates"] = rates
	if id, _ := s["id"].(string); id != "" {
		if code, body, err := e.Call("GET", "/v1/checkout/sessions/"+id+"/line_items", url.Values{"limit": {"100"}}, account); err == nil && code == http.StatusOK {
			var lines [][2]string
			list, _ := body["data"].([]any)
			for _, l := range list {
				li, _ := l.(map[string]any)
				lines = append(lines, [2]string{fmt.Sprintf("%v × %v", li["description"], li["quantity"]), money(li["amount_total"])})
			}
			data["Lines"] = lines
		}
	}
	if s["status"] == "complete" {
		// A payment link's session without success_url shows the link's
		// hosted confirmation.
		msg := "Thanks: your order is complete."
		if linkID, _ := s["payment_link"].(string); linkID != "" {
			if link, ok := e.getIn(account, linkID); ok {
				ac, _ := link["after_completion"].(map[string]any)
				hc, _ := ac["hosted_confirmation"].(map[string]any)
				if m, _ := hc["custom_message"].(string); m != "" {
					msg = m
				}
			}
		}
		data["Confirmation"] = msg
		if s["ui_mode"] == "embedded" {
			data["Embedded"] = embeddedCompletion(s)
		}
	}
	return data
}

// embeddedCompletion is what an embedded session's page, once complete,
// tells the Stripe.js stand-in that framed it: where to send the
// customer, if anywhere. Stripe redirects to return_url unless
// redirect_on_completion is never, or if_required and the method needed
// no redirect (none of the page's does); otherwise it calls onComplete.
func embeddedCompletion(s Object) map[string]any {
	id, _ := s["id"].(string)
	returnURL, _ := s["return_url"].(string)
	return map[string]any{
		"Session":   id,
		"ReturnURL": strings.ReplaceAll(returnURL, "{CHECKOUT_SESSION_ID}", id),
		"Redirect":  s["redirect_on_completion"] == "always" && returnURL != "",
	}
}

var checkoutTmpl = template.Must(template.New("checkout").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>stripe-emu Checkout</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto}button{display:block;margin:.4rem 0;padding:.6rem 1rem;width:100%}td{padding:.2rem 1rem .2rem 0}td+td{text-align:right}.failure{color:#b00}</style></head>
<body><h1>Checkout (stripe-emu)</h1>
<p>Session <code>{{.ID}}</code>: {{.Mode}}, <span class="status">{{.Status}}</span>.</p>
{{if .Lines}}<table>{{range .Lines}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>{{end}}{{if .Total}}<tr><td><strong>Total</strong></td><td><strong class="total">{{.Total}}</strong></td></tr>{{end}}</table>{{else if .Total}}<p>Total <strong class="total">{{.Total}}</strong></p>{{end}}
{{if .Failure}}<p class="failure" role="alert">{{.Failure}}</p>{{end}}
{{if eq .Status "open"}}<form method="post">
<p><label for="email">Email</label> <input type="email" id="email" name="email" value="{{.Email}}"{{if .EmailLocked}} readonly{{end}}></p>
{{if .Phone}}<p><label for="phone">Phone number</label> <input type="tel" id="phone" name="phone" value="{{.PhoneValue}}"></p>{{end}}
{{if .Billing}}<fieldset><legend>Billing address</legend>{{range .Billing}}<p><label for="billing_{{index . 0}}">{{index . 1}}</label> <input id="billing_{{index . 0}}" name="billing_{{index . 0}}" value="{{index . 2}}"></p>{{end}}</fieldset>{{end}}
{{if .TaxID}}<fieldset><legend>Tax ID (optional unless your country requires one)</legend><p><label for="tax_id_type">Tax ID type</label> <input id="tax_id_type" name="tax_id_type" value="{{.TaxIDType}}" placeholder="eu_vat"></p><p><label for="tax_id_value">Tax ID</label> <input id="tax_id_value" name="tax_id_value" value="{{.TaxIDValue}}"></p></fieldset>{{end}}
{{if .Shipping}}<fieldset><legend>Shipping address</legend>{{$countries := .Countries}}{{range .Shipping}}<p><label for="shipping_{{index . 0}}">{{index . 1}}</label> {{if eq (index . 0) "country"}}{{$v := index . 2}}<select id="shipping_country" name="shipping_country">{{range $countries}}<option value="{{.}}"{{if eq . $v}} selected{{end}}>{{.}}</option>{{end}}</select>{{else}}<input id="shipping_{{index . 0}}" name="shipping_{{index . 0}}" value="{{index . 2}}">{{end}}</p>{{end}}</fieldset>{{end}}
{{if .Rates}}<fieldset><legend>Shipping method</legend>{{range .Rates}}<p><label><input type="radio" name="shipping_rate" value="{{.ID}}"{{if .Chosen}} checked{{end}}> {{.Label}}</label></p>{{end}}</fieldset>{{end}}
{{range .Fields}}<p><label>{{.Label}}{{if .Optional}} (optional){{end}}
{{if .Options}}<select name="field_{{.Key}}"><option value=""></option>{{$d := .Default}}{{range .Options}}<option value="{{.Value}}"{{if eq .Value $d}} selected{{end}}>{{.Label}}</option>{{end}}</select>
{{else}}<input name="field_{{.Key}}" value="{{.Default}}"{{if eq .Type "numeric"}} inputmode="numeric"{{end}}>{{end}}</label></p>{{end}}
{{range .Optional}}<p><label><input type="checkbox" name="optional_item" value="{{.Price}}"> Add {{.Quantity}} × {{if .Label}}{{.Label}}{{else}}{{.Price}}{{end}}</label></p>{{end}}
{{if .Save}}<p><label><input type="checkbox" name="save_payment_method" value="true"> Save my payment details for future purchases</label></p>{{end}}
{{if .Codes}}<p><label>Promotion code <input name="promotion_code" value="{{.Code}}"></label></p>{{end}}
{{if .Promotions}}<p><label><input type="checkbox" name="promotions" value="opt_in"{{if .PromotionsOn}} checked{{end}}> Keep me updated with news and offers</label></p>{{end}}
{{if .Terms}}<p><label><input type="checkbox" name="terms_of_service" value="accepted"> {{.TermsLabel}}</label></p>{{end}}
{{if .Link}}<p><label for="link_passcode">Link one-time passcode</label> <input id="link_passcode" name="link_passcode" inputmode="numeric" autocomplete="one-time-code"></p>{{end}}
{{range .Methods}}<button name="payment_method" value="{{.ID}}">{{.Label}}</button>{{end}}
</form>
{{if .Cancel}}<p><a class="cancel" href="{{.Cancel}}">Back</a></p>{{end}}
{{else if .Confirmation}}<p class="confirmation">{{.Confirmation}}</p>{{else}}<p>This session is {{.Status}}.</p>{{end}}
{{with .Embedded}}<script>
(function () {
  var done = {stripeEmu: "checkout.complete", session: {{.Session}}, returnUrl: {{.ReturnURL}}, redirect: {{.Redirect}}};
  if (window.parent !== window) window.parent.postMessage(done, "*");
  else if (done.redirect) window.location.assign(done.returnUrl);
})();
</script>{{end}}
</body></html>`))

// pageMethod is a test payment method a page offers, of its type.
type pageMethod struct{ ID, Label, Type string }

// pageField is a custom field as the page asks it.
type pageField struct {
	Key, Label, Type, Default string
	Optional                  bool
	Options                   []pageOption
}

type pageOption struct{ Label, Value string }

type pageOptionalItem struct {
	Price, Label string
	Quantity     any
}

// pageInputs reads what a session's page asks beyond the payment method:
// its custom fields, its optional items, the box to save the method.
func pageInputs(s Object) (fields []pageField, optional []pageOptionalItem, save bool) {
	list, _ := s["custom_fields"].([]any)
	for _, f := range list {
		m, _ := f.(map[string]any)
		typ, _ := m["type"].(string)
		cfg, _ := m[typ].(map[string]any)
		label, _ := m["label"].(map[string]any)
		pf := pageField{Key: fmt.Sprint(m["key"]), Label: fmt.Sprint(label["custom"]), Type: typ}
		pf.Optional, _ = m["optional"].(bool)
		pf.Default, _ = cfg["default_value"].(string)
		opts, _ := cfg["options"].([]any)
		for _, o := range opts {
			om, _ := o.(map[string]any)
			pf.Options = append(pf.Options, pageOption{Label: fmt.Sprint(om["label"]), Value: fmt.Sprint(om["value"])})
		}
		fields = append(fields, pf)
	}
	items, _ := s["optional_items"].([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		optional = append(optional, pageOptionalItem{Price: fmt.Sprint(m["price"]), Quantity: m["quantity"]})
	}
	spmo, _ := s["saved_payment_method_options"].(map[string]any)
	return fields, optional, spmo["payment_method_save"] == "enabled"
}
