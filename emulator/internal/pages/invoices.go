package pages

import (
	"fmt"
	"html/template"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/pdf"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
)

// The pages behind the URLs the API hands out for a finalized invoice and
// a charge: hosted_invoice_url (where the customer sees and pays the
// invoice), invoice_pdf and receipt_url. Paying on the page confirms the
// invoice's own PaymentIntent with the card picked, as Stripe's page does
// with the card entered, so the invoice is paid by the same rules (and
// events) as any payment of it.

// invoicePageMethods are the test payment methods the hosted invoice
// page offers, by the payment method type each is.
var invoicePageMethods = []struct {
	typ string
	method
}{
	{"card", method{"pm_card_visa", "Pay with Visa 4242"}},
	{"card", method{"pm_card_threeDSecure2Required", "Pay with a 3-D Secure card"}},
	{"card", method{"pm_card_chargeDeclined", "Pay with a declining card"}},
	{"sepa_debit", method{"pm_sepa_debit", "Pay by SEPA Direct Debit"}},
	{"sepa_debit", method{"pm_sepa_debit_fail", "Pay by SEPA Direct Debit (fails later)"}},
}

// invoiceMethods are the test methods the page offers an invoice taking
// types; no types are the account's defaults, which include cards.
func invoiceMethods(types []string) []method {
	if len(types) == 0 {
		types = []string{"card"}
	}
	var out []method
	for _, m := range invoicePageMethods {
		if slices.Contains(types, m.typ) {
			out = append(out, m.method)
		}
	}
	return out
}

// sepaIBANs are the IBANs the page's SEPA Direct Debit methods enter:
// Stripe's test IBANs whose debit succeeds, and fails, once processed.
var sepaIBANs = map[string]string{"pm_sepa_debit": "DE89370400440532013000", "pm_sepa_debit_fail": "DE62370400440532013001"}

// pageObject is the object of type object a page is for (its {id}, in
// the account ?account= names), if shown says it has a page, or false
// (and a 404 written naming it as name).
func pageObject(e Backend, w http.ResponseWriter, req *http.Request, object, name string, shown func(Object) bool) (Object, string, bool) {
	id := mux.Vars(req)["id"]
	account := req.URL.Query().Get("account")
	o, ok := e.GetIn(account, id)
	if !ok || o["object"] != object || (shown != nil && !shown(o)) {
		http.Error(w, "No such "+name+": "+id, http.StatusNotFound)
		return nil, "", false
	}
	return o, account, true
}

// pageInvoice is the finalized invoice a page is for: drafts have no
// hosted page at Stripe.
func pageInvoice(e Backend, w http.ResponseWriter, req *http.Request) (Object, string, bool) {
	return pageObject(e, w, req, "invoice", "invoice", func(inv Object) bool { return inv["status"] != "draft" })
}

// Invoice is an invoice's hosted_invoice_url: what it bills, what is
// due and, while it is open, the test cards to pay it with (POST).
func Invoice(e Backend, w http.ResponseWriter, req *http.Request) {
	inv, account, ok := pageInvoice(e, w, req)
	if !ok {
		return
	}
	id := api.Str(inv["id"])
	var failure string
	status := http.StatusOK
	if req.Method == http.MethodPost {
		_ = req.ParseForm()
		next, code, msg := payInvoiceOnPage(e, inv, account, req.PostForm.Get("payment_method"), req)
		if next != "" {
			http.Redirect(w, req, next, http.StatusSeeOther)
			return
		}
		status, failure = code, msg
		inv, _ = e.GetIn(account, id)
	} else if q := req.URL.Query(); q.Get("redirect_status") == "failed" && inv["status"] == "open" {
		// Back from a failed 3-D Secure check: the page says why, as
		// the invoice's payment shows it.
		if intent, _ := openIntent(e, inv, account); intent != "" && intent == q.Get("payment_intent") {
			pi, _ := e.GetIn(account, intent)
			failure = api.Str(api.Obj(pi["last_payment_error"])["message"])
			if failure != "" {
				status = http.StatusPaymentRequired // as the portal answers its own
			}
		}
	}
	cur := api.Str(inv["currency"])
	money := moneyIn(cur)
	var lines [][2]string
	list, _ := api.Obj(inv["lines"])["data"].([]any)
	for _, l := range list {
		line := api.Obj(l)
		lines = append(lines, [2]string{api.Str(line["description"]), money(line["amount"])})
	}
	if more, _ := api.Obj(inv["lines"])["has_more"].(bool); more {
		lines = append(lines, [2]string{"… and more lines", ""})
	}
	if api.Int(inv["amount_shipping"]) != 0 {
		lines = append(lines, [2]string{"Shipping", money(inv["amount_shipping"])})
	}
	data := map[string]any{
		"Number": inv["number"], "ID": id, "Status": inv["status"], "Account": inv["account_name"],
		"Customer": firstString(inv["customer_name"], inv["customer_email"], inv["customer"]),
		"Lines":    lines, "Total": money(inv["total"]), "Paid": money(inv["amount_paid"]),
		"Remaining": money(inv["amount_remaining"]), "PDF": inv["invoice_pdf"], "Failure": failure,
		"Payable": inv["status"] == "open" && api.Int(inv["amount_remaining"]) > 0,
		"Fields":  customFields(inv), "Memo": inv["description"], "Footer": inv["footer"],
		"Adjustments": adjustments(inv, money),
	}
	if due := api.Int(inv["due_date"]); due > 0 {
		data["Due"] = pageDate(due)
	}
	if api.Int(inv["amount_paid"]) > 0 {
		data["Receipts"] = receiptURLs(e, inv, account)
	}
	if data["Payable"] == true && processing(e, inv, account) {
		// A bank debit under way: nothing more to pay with until it
		// settles or fails.
		data["Payable"], data["Processing"] = false, true
	}
	if data["Payable"] == true {
		types := api.Strs(api.Obj(inv["payment_settings"])["payment_method_types"])
		data["Methods"] = invoiceMethods(types)
		if slices.Contains(types, "customer_balance") {
			data["Transfer"] = transferAddresses(e, inv, account)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = invoicePageTmpl.Execute(w, data)
}

// payInvoiceOnPage confirms the invoice's open default PaymentIntent with
// pm, coming back to returnURL from a 3-D Secure page. It answers where
// to send the browser next, or the status and message of why the payment
// failed (the API's, for what the API refused).
func payInvoiceOnPage(e Backend, inv Object, account, pm string, req *http.Request) (next string, status int, failure string) {
	returnURL := pageSelf(req)
	if inv["status"] != "open" {
		return "", http.StatusPaymentRequired, fmt.Sprintf("This invoice is %s: there is nothing to pay.", inv["status"])
	}
	if pm == "" {
		return "", http.StatusBadRequest, "Pick a way to pay."
	}
	intent, failure := openIntent(e, inv, account)
	if intent == "" {
		return "", http.StatusPaymentRequired, failure
	}
	if pi, _ := e.GetIn(account, intent); pi["status"] == "processing" {
		return "", http.StatusPaymentRequired, "This invoice's payment is processing: there is nothing more to pay until it settles or fails."
	}
	confirm := url.Values{"payment_method": {pm}, "return_url": {returnURL}}
	if iban, ok := sepaIBANs[pm]; ok {
		// The customer enters the account, with the name and email a
		// SEPA debit needs, and accepts its mandate on the page, online.
		confirm = url.Values{"return_url": {returnURL}, "payment_method_data[type]": {"sepa_debit"},
			"payment_method_data[sepa_debit][iban]":                 {iban},
			"payment_method_data[billing_details][name]":            {firstString(inv["customer_name"], inv["customer_email"], inv["customer"])},
			"payment_method_data[billing_details][email]":           {firstString(inv["customer_email"], "jenny@example.com")},
			"mandate_data[customer_acceptance][type]":               {"online"},
			"mandate_data[customer_acceptance][online][user_agent]": {firstString(req.UserAgent(), "stripe-emu")}}
		ip, _, err := net.SplitHostPort(req.RemoteAddr)
		if err != nil {
			ip = req.RemoteAddr
		}
		confirm.Set("mandate_data[customer_acceptance][online][ip_address]", ip)
	}
	status, body, err := e.Call("POST", "/v1/payment_intents/"+intent+"/confirm", confirm, account)
	if err != nil {
		return "", http.StatusInternalServerError, err.Error()
	}
	if status != http.StatusOK {
		return "", status, fmt.Sprint(api.Obj(body["error"])["message"])
	}
	if u := api.Str(api.Obj(api.Obj(body["next_action"])["redirect_to_url"])["url"]); u != "" {
		return u, 0, "" // 3-D Secure: its page sends the browser back to returnURL
	}
	if body["status"] == "requires_payment_method" {
		return "", http.StatusPaymentRequired, fmt.Sprint(api.Obj(body["last_payment_error"])["message"])
	}
	return returnURL, 0, ""
}

// openIntent is the PaymentIntent of the invoice's open default payment,
// or why there is none.
func openIntent(e Backend, inv Object, account string) (string, string) {
	status, body, err := e.Call("GET", "/v1/invoice_payments", url.Values{"invoice": {api.Str(inv["id"])}, "status": {"open"}}, account)
	if err != nil || status != http.StatusOK {
		return "", fmt.Sprint("The invoice's payments cannot be read: ", err, body["error"])
	}
	data, _ := body["data"].([]any)
	for _, p := range data {
		if ip := api.Obj(p); api.Bool(ip["is_default"]) {
			if intent := api.Str(api.Obj(ip["payment"])["payment_intent"]); intent != "" {
				return intent, ""
			}
		}
	}
	return "", "This invoice has no payment open to pay it with."
}

// receiptURLs are the receipt_url of the charge of each paid payment of
// the invoice (its PaymentIntent's latest charge), oldest first, for the
// paid page's "Download receipt"; payments out of band have none.
func receiptURLs(e Backend, inv Object, account string) []string {
	status, body, err := e.Call("GET", "/v1/invoice_payments", url.Values{"invoice": {api.Str(inv["id"])}, "status": {"paid"}, "limit": {"100"}}, account)
	if err != nil || status != http.StatusOK {
		return nil
	}
	data, _ := body["data"].([]any)
	var out []string
	for i := len(data) - 1; i >= 0; i-- { // the list is newest first
		payment := api.Obj(api.Obj(data[i])["payment"])
		pi, _ := e.GetIn(account, api.Str(payment["payment_intent"]))
		chID := api.Str(pi["latest_charge"])
		if chID == "" {
			chID = api.Str(payment["charge"])
		}
		if ch, ok := e.GetIn(account, chID); ok {
			if u := api.Str(ch["receipt_url"]); u != "" {
				out = append(out, u)
			}
		}
	}
	return out
}

// processing says whether the invoice's open default payment is
// processing (a bank debit not yet settled).
func processing(e Backend, inv Object, account string) bool {
	intent, _ := openIntent(e, inv, account)
	if intent == "" {
		return false
	}
	pi, _ := e.GetIn(account, intent)
	return pi["status"] == "processing"
}

// transferAddresses are the bank details of the invoice's customer's
// virtual account in its currency, as the customer's funding
// instructions give them (which store nothing and send no event): each
// address's type and fields. A transfer there funds the cash balance,
// which pays the invoice.
func transferAddresses(e Backend, inv Object, account string) []transferAddress {
	cur := api.Str(inv["currency"])
	typ := payments.BankTransferType(cur)
	if typ == "" {
		return nil
	}
	form := url.Values{"currency": {cur}, "funding_type": {"bank_transfer"}, "bank_transfer[type]": {typ}}
	if typ == "eu_bank_transfer" {
		// The country the invoice's customer_balance options name for
		// its IBAN, else the account's.
		opts := api.Obj(api.Obj(api.Obj(inv["payment_settings"])["payment_method_options"])["customer_balance"])
		country := api.Str(api.Obj(api.Obj(opts["bank_transfer"])["eu_bank_transfer"])["country"])
		if country == "" {
			acct, _ := e.GetIn("", firstString(account, e.Platform()))
			country = api.Str(acct["country"])
		}
		form.Set("bank_transfer[eu_bank_transfer][country]", country)
	}
	status, body, err := e.Call("POST", "/v1/customers/"+api.Str(inv["customer"])+"/funding_instructions", form, account)
	if err != nil || status != http.StatusOK {
		return nil
	}
	var out []transferAddress
	list, _ := api.Obj(body["bank_transfer"])["financial_addresses"].([]any)
	for _, raw := range list {
		fa := api.Obj(raw)
		kind := api.Str(fa["type"])
		fields := api.Obj(fa[kind])
		addr := transferAddress{Type: kind}
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			switch v := fields[k].(type) {
			case string:
				addr.Fields = append(addr.Fields, [2]string{strings.ReplaceAll(k, "_", " "), v})
			case map[string]any: // a postal address
				addr.Fields = append(addr.Fields, [2]string{strings.ReplaceAll(k, "_", " "), addressText(v)})
			}
		}
		out = append(out, addr)
	}
	return out
}

// addressText is a postal address on one line: its set fields, the
// postal code before the city, separated by commas.
func addressText(a map[string]any) string {
	var parts []string
	for _, p := range []string{"line1", "line2", "postal_code", "city", "state", "country"} {
		if s := api.Str(a[p]); s != "" {
			if p == "city" && len(parts) > 0 && parts[len(parts)-1] == api.Str(a["postal_code"]) {
				parts[len(parts)-1] += " " + s
				continue
			}
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// joinNonEmpty joins the non-empty of parts with commas.
func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// transferAddress is one financial address of a virtual account: its
// type (aba, iban…) and its fields by name.
type transferAddress struct {
	Type   string
	Fields [][2]string
}

// pageSelf is the absolute URL the request was for, for coming back to it.
func pageSelf(req *http.Request) string {
	u := *req.URL
	u.Scheme, u.Host = "http", req.Host
	return u.String()
}

// moneyIn renders amounts of cur as the pages show them: "19.99 USD".
func moneyIn(cur string) func(any) string {
	return func(v any) string { return currency.Major(api.Int(v), cur) + " " + strings.ToUpper(cur) }
}

// pageDate is a Unix time as the pages show dates: "November 28, 2026".
func pageDate(unix int64) string { return time.Unix(unix, 0).UTC().Format("January 2, 2006") }

// addLines adds an invoice's or credit note's lines (the list in lines)
// to doc, between blank lines: each one's description and amount.
func addLines(doc *pdf.Doc, lines any, money func(any) string) {
	doc.Addf("")
	list, _ := api.Obj(lines)["data"].([]any)
	if len(list) == 0 {
		return // a credit note by amount alone: one blank line is enough
	}
	for _, l := range list {
		line := api.Obj(l)
		doc.Addf("%s    %s%s", api.Str(line["description"]), quantity(line, money), money(line["amount"]))
		// A subscription's line (and any with a period of some length)
		// says what time it bills, under it, as Stripe's PDF does.
		if p := api.Obj(line["period"]); line["object"] == "line_item" && api.Int(p["end"]) > api.Int(p["start"]) {
			doc.Addf("    %s - %s", pageDate(api.Int(p["start"])), pageDate(api.Int(p["end"])))
		}
	}
	doc.Addf("")
}

// quantity is an invoice or credit note line's quantity and unit price
// ("3 x 10.00 USD    "), the price left out where it is fractional, or
// nothing for a line without a quantity.
func quantity(line Object, money func(any) string) string {
	if line["quantity"] == nil {
		return ""
	}
	q := strconv.FormatInt(api.Int(line["quantity"]), 10)
	unit := api.Str(api.Obj(line["pricing"])["unit_amount_decimal"]) // an invoice line's
	if line["object"] == "credit_note_line_item" {
		unit = api.Str(line["unit_amount_decimal"])
	}
	if n, err := strconv.ParseInt(unit, 10, 64); err == nil {
		return q + " x " + money(n) + "    "
	}
	// A line with no price (an item made by amount): its amount over its
	// quantity, when that is a whole unit.
	if n, a := api.Int(line["quantity"]), api.Int(line["amount"]); unit == "" && n > 0 && a%n == 0 {
		return q + " x " + money(a/n) + "    "
	}
	return q + "    "
}

func firstString(vs ...any) string {
	for _, v := range vs {
		if s, _ := v.(string); s != "" {
			return s
		}
	}
	return ""
}

var invoicePageTmpl = template.Must(template.New("invoice").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Invoice {{.Number}} (stripe-emu)</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto}td{padding:.2rem 1rem .2rem 0}td+td{text-align:right}button{display:block;margin:.4rem 0;padding:.6rem 1rem;width:100%}.failure{color:#b00}</style></head>
<body><h1>Invoice {{.Number}}</h1>
<p>{{if .Account}}From {{.Account}} to {{end}}{{.Customer}}. Invoice <code>{{.ID}}</code> is <strong class="status">{{.Status}}</strong>{{if .Due}}, due {{.Due}}{{end}}.</p>
{{if .Fields}}<table class="custom-fields">{{range .Fields}}<tr><th scope="row">{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}</table>{{end}}
{{if .Memo}}<p class="memo">{{.Memo}}</p>{{end}}
<table>{{range .Lines}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>{{end}}
<tr><td>Total</td><td>{{.Total}}</td></tr>{{range .Adjustments}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>{{end}}<tr><td>Amount paid</td><td>{{.Paid}}</td></tr>
<tr><td><strong>Amount remaining</strong></td><td><strong class="remaining">{{.Remaining}}</strong></td></tr></table>
{{if .Failure}}<p class="failure" role="alert">{{.Failure}}</p>{{end}}
{{if .Processing}}<p class="processing">Your payment is processing: this invoice will be paid once it settles.</p>{{end}}
{{if and .Payable .Methods}}<form method="post">{{range .Methods}}<button name="payment_method" value="{{.ID}}">{{.Label}}</button>{{end}}</form>{{end}}
{{if .Transfer}}<section id="bank_transfer"><h2>Pay by bank transfer</h2><p>Send <strong>{{.Remaining}}</strong> to your account:</p>
{{range .Transfer}}<h3>{{.Type}}</h3><table>{{range .Fields}}<tr><th scope="row">{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}</table>{{end}}</section>{{end}}
{{if .PDF}}<p><a href="{{.PDF}}">Download invoice (PDF)</a></p>{{end}}
{{range .Receipts}}<p><a class="receipt" href="{{.}}">Download receipt</a></p>{{end}}
{{if .Footer}}<footer>{{.Footer}}</footer>{{end}}
</body></html>
`))

// InvoicePDF is an invoice's invoice_pdf: the invoice as a one-page PDF.
func InvoicePDF(e Backend, w http.ResponseWriter, req *http.Request) {
	inv, account, ok := pageInvoice(e, w, req)
	if !ok {
		return
	}
	money := moneyIn(api.Str(inv["currency"]))
	doc := pdf.Doc{Title: "Invoice " + api.Str(inv["number"]), A4: a4Invoice(e, account, inv)}
	add := doc.Addf
	if name := api.Str(inv["account_name"]); name != "" {
		add("From: %s", name)
	}
	add("Bill to: %s", joinNonEmpty(firstString(inv["customer_name"], inv["customer_email"], inv["customer"]), addressText(api.Obj(inv["customer_address"]))))
	// Where it ships: the invoice's own shipping_details, else the
	// customer's shipping as it was at finalization.
	ship := api.Obj(inv["shipping_details"])
	if ship == nil {
		ship = api.Obj(inv["customer_shipping"])
	}
	if to := joinNonEmpty(api.Str(ship["name"]), addressText(api.Obj(ship["address"]))); to != "" {
		add("Ship to: %s", to)
	}
	addTaxIDs(e, account, &doc, inv)
	add("Date of issue: %s", pageDate(api.Int(inv["effective_at"])))
	if due := api.Int(inv["due_date"]); due > 0 {
		add("Date due: %s", pageDate(due))
	}
	if paid := api.Int(api.Obj(inv["status_transitions"])["paid_at"]); paid > 0 && inv["status"] == "paid" {
		add("Date paid: %s", pageDate(paid))
	}
	for _, f := range customFields(inv) {
		add("%s: %s", f[0], f[1])
	}
	if memo := api.Str(inv["description"]); memo != "" {
		add("")
		add("%s", memo)
	}
	addLines(&doc, inv["lines"], money)
	add("Subtotal: %s", money(inv["subtotal"]))
	addDiscountsAndTaxes(e, account, &doc, inv, money)
	if api.Int(inv["amount_shipping"]) != 0 {
		add("Shipping: %s", money(inv["amount_shipping"]))
	}
	add("Total: %s", money(inv["total"]))
	for _, a := range adjustments(inv, money) {
		add("%s: %s", a[0], a[1])
	}
	add("Amount paid: %s", money(inv["amount_paid"]))
	add("Amount due: %s", money(inv["amount_remaining"]))
	if footer := api.Str(inv["footer"]); footer != "" {
		add("")
		add("%s", footer)
	}
	servePDF(w, "Invoice-"+api.Str(inv["number"]), doc)
}

// a4Invoice says whether an invoice's PDF is printed on A4 rather than
// US Letter: its rendering[pdf][page_size], where auto (as Stripe's
// reference says) is A4 for a customer with a Japanese locale, read as
// the first of its preferred_locales being ja or ja-…, and Letter for
// the others, as for an invoice that sets no size.
func a4Invoice(e Backend, account string, inv Object) bool {
	switch api.Str(api.Obj(api.Obj(inv["rendering"])["pdf"])["page_size"]) {
	case "a4":
		return true
	case "auto":
		cus, _ := e.GetIn(account, api.Str(inv["customer"]))
		locales := api.Strs(cus["preferred_locales"])
		return len(locales) > 0 && (locales[0] == "ja" || strings.HasPrefix(locales[0], "ja-"))
	}
	return false
}

// adjustments are what lies between an invoice's total and what it asks
// for (amount_due, then amount_remaining), each a label and an amount:
// the customer's balance applied at finalization (negative for a credit
// taken off) and what credit notes took off before payment.
func adjustments(inv Object, money func(any) string) [][2]string {
	var out [][2]string
	if applied := api.Int(inv["starting_balance"]) - api.Int(inv["ending_balance"]); applied != 0 && inv["ending_balance"] != nil {
		out = append(out, [2]string{"Applied balance", money(applied)})
	}
	if cn := api.Int(inv["pre_payment_credit_notes_amount"]); cn != 0 {
		out = append(out, [2]string{"Credit notes", money(-cn)})
	}
	return out
}

// addDiscountsAndTaxes adds what lies between an invoice's or credit
// note's subtotal and total, so they add up as on Stripe's PDFs: each
// discount (total_discount_amounts, a note's discount_amounts), then
// each tax (total_taxes).
func addDiscountsAndTaxes(e Backend, account string, doc *pdf.Doc, o Object, money func(any) string) {
	discounts, _ := o["total_discount_amounts"].([]any)
	if o["object"] == "credit_note" {
		discounts, _ = o["discount_amounts"].([]any)
	}
	for _, d := range discounts {
		da := api.Obj(d)
		doc.Addf("%s: -%s", discountLabel(e, account, api.Str(da["discount"])), money(da["amount"]))
	}
	taxes, _ := o["total_taxes"].([]any)
	for _, t := range taxes {
		tax := api.Obj(t)
		doc.Addf("%s: %s", taxLabel(e, account, tax), money(tax["amount"]))
	}
}

// addTaxIDs adds the account's tax IDs an invoice shows (its
// account_tax_ids) and its customer's (customer_tax_ids, as they were at
// finalization), each its type and value: Stripe's tax ID guide says
// both display in the header of invoice and credit note PDFs.
func addTaxIDs(e Backend, account string, doc *pdf.Doc, inv Object) {
	ids, _ := inv["account_tax_ids"].([]any)
	for _, id := range ids {
		txi, ok := e.GetIn(account, api.Str(id))
		if !ok {
			txi = api.Obj(id) // expanded
		}
		if v := api.Str(txi["value"]); v != "" {
			doc.Addf("Tax ID: %s %s", api.Str(txi["type"]), v)
		}
	}
	cids, _ := inv["customer_tax_ids"].([]any)
	for _, c := range cids {
		txi := api.Obj(c)
		doc.Addf("Customer tax ID: %s %s", api.Str(txi["type"]), api.Str(txi["value"]))
	}
}

// customFields are an invoice's custom_fields, each its name and value.
func customFields(inv Object) [][2]string {
	var out [][2]string
	fields, _ := inv["custom_fields"].([]any)
	for _, f := range fields {
		field := api.Obj(f)
		out = append(out, [2]string{api.Str(field["name"]), api.Str(field["value"])})
	}
	return out
}

// discountLabel names an invoice's discount as its PDF shows it: its coupon's name (else id) and what it takes off.
func discountLabel(e Backend, account, id string) string {
	d, _ := e.GetIn(account, id)
	coupon := api.Obj(d["coupon"])
	if coupon == nil {
		if cid := api.Str(api.Obj(d["source"])["coupon"]); cid != "" {
			coupon, _ = e.GetIn(account, cid)
		}
	}
	name := firstString(coupon["name"], coupon["id"], "Discount")
	switch {
	case coupon["percent_off"] != nil:
		return fmt.Sprintf("%s (%s%% off)", name, strconv.FormatFloat(api.Float(coupon["percent_off"]), 'f', -1, 64))
	case api.Int(coupon["amount_off"]) > 0:
		return fmt.Sprintf("%s (%s off)", name, moneyIn(api.Str(coupon["currency"]))(coupon["amount_off"]))
	}
	return name
}

// taxLabel names one of an invoice's total_taxes as its PDF shows it:
// its rate's display name and percentage, "included" in the amounts for
// an inclusive one.
func taxLabel(e Backend, account string, tax Object) string {
	rate, _ := e.GetIn(account, api.Str(api.Obj(tax["tax_rate_details"])["tax_rate"]))
	name := firstString(rate["display_name"], "Tax")
	if rate["percentage"] == nil {
		return name
	}
	pct := strconv.FormatFloat(api.Float(rate["percentage"]), 'f', -1, 64)
	if api.Bool(rate["inclusive"]) {
		return fmt.Sprintf("%s (%s%% included)", name, pct)
	}
	return fmt.Sprintf("%s (%s%%)", name, pct)
}

// servePDF answers doc as a PDF a browser shows, named name.pdf.
func servePDF(w http.ResponseWriter, name string, doc pdf.Doc) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s.pdf"`, name))
	_, _ = w.Write(doc.Bytes())
}

// Receipt is a charge's receipt_url: what was paid, when and how, and
// what was refunded since.
func Receipt(e Backend, w http.ResponseWriter, req *http.Request) {
	ch, _, ok := pageObject(e, w, req, "charge", "receipt", func(ch Object) bool { return ch["status"] != "failed" })
	if !ok {
		return
	}
	id := api.Str(ch["id"])
	cur := api.Str(ch["currency"])
	money := moneyIn(cur)
	method := api.Str(api.Obj(ch["payment_method_details"])["type"])
	if card := api.Obj(api.Obj(ch["payment_method_details"])["card"]); api.Str(card["last4"]) != "" {
		method = fmt.Sprintf("%s •••• %s", api.Str(card["brand"]), api.Str(card["last4"]))
	}
	data := map[string]any{
		"ID": id, "Number": ch["receipt_number"], "Amount": money(ch["amount"]), "Method": method,
		"Date":        pageDate(api.Int(ch["created"])),
		"Description": ch["description"], "Refunded": "",
	}
	if r := api.Int(ch["amount_refunded"]); r > 0 {
		data["Refunded"] = money(r)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = receiptTmpl.Execute(w, data)
}

var receiptTmpl = template.Must(template.New("receipt").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Receipt (stripe-emu)</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto}th{text-align:left;padding-right:1rem}</style></head>
<body><h1>Receipt{{if .Number}} #{{.Number}}{{end}}</h1>
<table><tr><th>Amount paid</th><td class="amount">{{.Amount}}</td></tr><tr><th>Date paid</th><td>{{.Date}}</td></tr>
<tr><th>Payment method</th><td>{{.Method}}</td></tr>{{if .Description}}<tr><th>Description</th><td>{{.Description}}</td></tr>{{end}}
{{if .Refunded}}<tr><th>Refunded</th><td class="refunded">{{.Refunded}}</td></tr>{{end}}</table>
<p>Charge <code>{{.ID}}</code>.</p>
</body></html>
`))

// CreditNotePDF is a credit note's pdf: the note as a one-page PDF.
func CreditNotePDF(e Backend, w http.ResponseWriter, req *http.Request) {
	cn, account, ok := pageObject(e, w, req, "credit_note", "credit note", nil)
	if !ok {
		return
	}
	money := moneyIn(api.Str(cn["currency"]))
	doc := pdf.Doc{Title: "Credit note " + api.Str(cn["number"])}
	add := doc.Addf
	if inv, ok := e.GetIn(account, api.Str(cn["invoice"])); ok {
		add("Invoice: %s", api.Str(inv["number"]))
		add("Bill to: %s", firstString(inv["customer_name"], inv["customer_email"], inv["customer"]))
		addTaxIDs(e, account, &doc, inv)
	}
	// Stripe's reference: effective_at, when set, replaces the date of
	// issue printed on the PDF (it is created otherwise).
	add("Date of issue: %s", pageDate(api.Int(cn["effective_at"])))
	if reason := api.Str(cn["reason"]); reason != "" {
		add("Reason: %s", strings.ReplaceAll(reason, "_", " "))
	}
	if memo := api.Str(cn["memo"]); memo != "" {
		add("Memo: %s", memo)
	}
	addLines(&doc, cn["lines"], money)
	add("Subtotal: %s", money(cn["subtotal"]))
	addDiscountsAndTaxes(e, account, &doc, cn, money)
	add("Total credited: %s", money(cn["total"]))
	// How the note is given back, as its basil amounts split it: off
	// what the invoice asks for, then refunded, to the customer's
	// balance (what the refunds and out of band amount leave of the
	// post-payment part) and outside Stripe.
	if pre := api.Int(cn["pre_payment_amount"]); pre != 0 {
		add("Adjustment applied to invoice: %s", money(pre))
	}
	var refunded int64
	refunds, _ := cn["refunds"].([]any)
	for _, r := range refunds {
		refunded += api.Int(api.Obj(r)["amount_refunded"])
	}
	oob := api.Int(cn["out_of_band_amount"])
	if refunded != 0 {
		add("Refunded: %s", money(refunded))
	}
	if credit := api.Int(cn["post_payment_amount"]) - refunded - oob; credit != 0 {
		add("Credited to the customer's balance: %s", money(credit))
	}
	if oob != 0 {
		add("Credited outside Stripe: %s", money(oob))
	}
	if cn["status"] == "void" {
		add("This credit note is void.")
	}
	servePDF(w, "CreditNote-"+api.Str(cn["number"]), doc)
}

// Mandate is a SEPA (or Bacs, or BECS) Direct Debit mandate's url: the
// mandate the customer accepted, with its reference, as Stripe's page
// shows it.
func Mandate(e Backend, w http.ResponseWriter, req *http.Request) {
	m, account, ok := pageObject(e, w, req, "mandate", "mandate", nil)
	if !ok {
		return
	}
	id := api.Str(m["id"])
	kind := "sepa_debit"
	if t := api.Obj(m["payment_method_details"])["type"]; t == "bacs_debit" || t == "au_becs_debit" {
		kind = api.Str(t)
	}
	details := api.Obj(api.Obj(m["payment_method_details"])[kind])
	pm, _ := e.GetIn(account, api.Str(m["payment_method"]))
	sepa := api.Obj(pm[kind])
	creditor, _ := e.GetIn("", firstString(account, e.Platform()))
	name := firstString(api.Obj(creditor["business_profile"])["name"], api.Obj(api.Obj(creditor["settings"])["dashboard"])["display_name"], creditor["id"])
	accepted := api.Obj(m["customer_acceptance"])
	data := map[string]any{
		"ID": id, "Reference": details["reference"], "Status": m["status"], "Creditor": name,
		"Debtor": api.Str(api.Obj(pm["billing_details"])["name"]), "Last4": sepa["last4"], "Country": sepa["country"],
		"Type": accepted["type"], "Multi": m["type"] == "multi_use", "Scheme": "SEPA",
	}
	if kind == "bacs_debit" {
		// A UK account: its sort code where a SEPA account shows its country.
		data["Scheme"], data["Country"] = "Bacs", sepa["sort_code"]
	}
	if kind == "au_becs_debit" {
		// An Australian account: its BSB; a BECS mandate has no reference.
		data["Scheme"], data["Country"] = "BECS", sepa["bsb_number"]
	}
	if at := api.Int(accepted["accepted_at"]); at > 0 {
		data["Accepted"] = pageDate(at)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = mandateTmpl.Execute(w, data)
}

var mandateTmpl = template.Must(template.New("mandate").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Scheme}} Direct Debit mandate (stripe-emu)</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto}th{text-align:left;padding-right:1rem}</style></head>
<body><h1>{{.Scheme}} Direct Debit mandate</h1>
<table>{{if .Reference}}<tr><th>Mandate reference</th><td class="reference">{{.Reference}}</td></tr>{{end}}<tr><th>Status</th><td>{{.Status}}</td></tr>
<tr><th>Creditor</th><td>{{.Creditor}}</td></tr>{{if .Debtor}}<tr><th>Account holder</th><td>{{.Debtor}}</td></tr>{{end}}
<tr><th>Account</th><td>{{.Country}} •••• {{.Last4}}</td></tr><tr><th>Payment type</th><td>{{if .Multi}}Recurring{{else}}One-off{{end}}</td></tr>
{{if .Accepted}}<tr><th>Accepted</th><td>{{.Accepted}} ({{.Type}})</td></tr>{{end}}</table>
{{if eq .Scheme "Bacs"}}<p>The account holder instructed their bank to pay {{.Creditor}}'s Direct Debits (collected by Stripe) from the account, subject to the safeguards of the Direct Debit Guarantee.</p>
{{else}}<p>By accepting this mandate, the account holder authorised (A) {{.Creditor}} and Stripe, its payment service provider, to send instructions to the bank to debit the account and (B) the bank to debit the account in accordance with those instructions. The account holder is entitled to a refund from the bank under the terms and conditions of the agreement with the bank; a refund must be claimed within 8 weeks starting from the date on which the account was debited.</p>{{end}}
<p>Mandate <code>{{.ID}}</code>.</p>
</body></html>
`))
