package payments

import (
	"fmt"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// MandateKind is the mandate object: a customer's authorization to debit
// a bank account (SEPA Direct Debit, US bank accounts), made when an
// intent is confirmed with mandate_data. Stripe has no list endpoint and
// no mandate.created event.
var MandateKind = &api.Kind{
	Object:     "mandate",
	Prefix:     "mandate_",
	Name:       "mandate",
	Expandable: []string{"payment_method"},
	Indexes:    []store.Index{{Name: "payment_method", Path: "payment_method"}},
}

func mandateRoutes() []api.Route {
	return []api.Route{
		api.GET("/v1/mandates/{id}", params.FromStruct(stripe.MandateRetrieveParams{}), retrieveMandate),
	}
}

func retrieveMandate(c *api.Call) (any, error) { return c.Retrieve("mandate", c.Var("id")) }

// mandated are the payment method types whose payments and setups are
// debits under a mandate.
var mandated = map[string]bool{"sepa_debit": true, "us_bank_account": true, "bacs_debit": true, "au_becs_debit": true, "acss_debit": true}

// pageMandated are the debits whose mandate Checkout's page shows the
// customer, under the bank details they enter, and makes as they pay or
// save (the others, Bacs, BECS and PAD, are paid there without one).
var pageMandated = map[string]bool{"sepa_debit": true, "us_bank_account": true}

// scratchPageMandate marks a request in which the customer pays on a
// hosted page (Checkout), accepting a debit's mandate there.
const scratchPageMandate = "payments.page_mandate"

// AcceptMandateOnPage is the customer accepting, on Checkout's page, the
// mandate of the bank debit they pay with in this request (see
// ChargeOnPage).
func AcceptMandateOnPage(c *api.Call) { c.SetScratch(scratchPageMandate, true) }

// PageMandate makes the multi-use mandate a customer accepts on Checkout's
// page when saving pm for later debits (a subscription's method), which
// the debits made without one then use; nil for a type without one.
func PageMandate(c *api.Call, pm store.Obj) (store.Obj, error) {
	typ := api.Str(pm["type"])
	if !pageMandated[typ] {
		return nil, nil
	}
	return putMandate(c, store.Obj{}, api.Str(pm["id"]), typ, pageAcceptance(c), true)
}

// pageAcceptance is an online acceptance on a hosted page: the address
// the request came from, the user agent not kept (the emulator does not
// read request headers into calls).
func pageAcceptance(c *api.Call) store.Obj {
	var ip any
	if c.ClientIP != "" {
		ip = c.ClientIP
	}
	return store.Obj{"type": "online", "accepted_at": c.Now, "online": store.Obj{"ip_address": ip, "user_agent": nil}}
}

// intentMandate is the mandate a confirmation of owner (a PaymentIntent
// or SetupIntent) with pm debits under: a new one from the request's
// mandate_data, else the method's active multi-use mandate (set up
// earlier), else none. Stripe refuses a setup
// (a SetupIntent, or a PaymentIntent with setup_future_usage) confirmed
// through the API without mandate_data; fromAPI is false for payments
// made by Stripe itself (invoices, hosted pages), which are not refused.
func intentMandate(c *api.Call, owner, pm store.Obj, fromAPI bool) (store.Obj, error) {
	typ := api.Str(pm["type"])
	if !mandated[typ] {
		return nil, nil
	}
	setup := owner["object"] == "setup_intent" || futureUsage(owner, pm) != nil
	md, ok := c.Params.Obj("mandate_data")
	if !ok {
		if acceptance, _ := c.Scratch(scratchTokenMandate).(map[string]any); acceptance != nil {
			// Accepted where the ConfirmationToken was made.
			return putMandate(c, owner, api.Str(pm["id"]), typ, acceptance, setup)
		}
		if !fromAPI && c.Scratch(scratchPageMandate) != nil && pageMandated[typ] {
			// The customer accepted it on the hosted page.
			return putMandate(c, owner, api.Str(pm["id"]), typ, pageAcceptance(c), setup)
		}
		if setup && fromAPI {
			what, and := "SetupIntent", ""
			if owner["object"] != "setup_intent" {
				what, and = "PaymentIntent", fmt.Sprintf(" and `setup_future_usage` value of %v", futureUsage(owner, pm))
			}
			return nil, apierr.InvalidRequest("When confirming a %s with a `%s` PaymentMethod%s, `mandate_data` is required.", what, typ, and).
				WithParam("mandate_data").WithCode("parameter_missing")
		}
		m := activeMandate(c, api.Str(pm["id"]))
		if m == nil && fromAPI {
			// A debit needs the customer's mandate: one given now, or one
			// a setup made earlier. Stripe's words as a recorded
			// integration quotes them (no code or param recorded).
			return nil, apierr.InvalidRequest("This PaymentIntent requires a mandate, but no existing mandate was found. Collect mandate acceptance from the customer and try again, providing acceptance data in the mandate_data parameter.")
		}
		return m, nil
	}
	acceptance, err := mandateAcceptance(c, md)
	if err != nil {
		return nil, err
	}
	return putMandate(c, owner, api.Str(pm["id"]), typ, acceptance, setup)
}

// mandateAcceptance is the customer_acceptance of a request's
// mandate_data, checked as Stripe does.
func mandateAcceptance(c *api.Call, md params.Values) (store.Obj, error) {
	ca, ok := md.Obj("customer_acceptance")
	if !ok {
		return nil, apierr.MissingParam("mandate_data[customer_acceptance]")
	}
	acceptance := store.Obj{}
	kind, _ := ca.Str("type")
	switch kind {
	case "online":
		on, ok := ca.Obj("online")
		if !ok {
			return nil, apierr.MissingParam("mandate_data[customer_acceptance][online]")
		}
		ip, _ := on.Str("ip_address")
		ua, _ := on.Str("user_agent")
		if infer, _ := on.Bool("infer_from_client"); infer {
			return inferredAcceptance(c, ca, ip, ua)
		}
		if ip == "" {
			return nil, apierr.MissingParam("mandate_data[customer_acceptance][online][ip_address]")
		}
		if ua == "" {
			return nil, apierr.MissingParam("mandate_data[customer_acceptance][online][user_agent]")
		}
		acceptance["online"] = store.Obj{"ip_address": ip, "user_agent": ua}
	case "offline":
		ca.MarkRead("offline")
		acceptance["offline"] = store.Obj{}
	case "":
		return nil, apierr.MissingParam("mandate_data[customer_acceptance][type]")
	default:
		return nil, apierr.InvalidRequest("Invalid mandate_data[customer_acceptance][type]: must be one of online or offline").WithParam("mandate_data[customer_acceptance][type]")
	}
	acceptance["type"] = kind
	acceptance["accepted_at"] = c.Now
	if at, ok := ca.Int("accepted_at"); ok {
		acceptance["accepted_at"] = at
	}
	return acceptance, nil
}

// inferFromClient is the parameter Stripe's client libraries (Stripe.js,
// the Android and iOS SDKs) send, with the publishable key, instead of an
// ip_address and user_agent: Stripe takes the client's own. It is not in
// Stripe's OpenAPI spec.
const inferFromClient = "mandate_data[customer_acceptance][online][infer_from_client]"

// inferredAcceptance is an online acceptance inferred from the client that
// confirmed (ca is the customer_acceptance sent, ip and ua what it sent of
// its own): the address the request came from. The user agent is not kept
// (null), the emulator not reading request headers into calls. A secret
// key's request comes from a server, which must send the customer's: it
// is refused, in the emulator's words (what Stripe answers is not
// documented).
func inferredAcceptance(c *api.Call, ca params.Values, ip, ua string) (store.Obj, error) {
	if !c.Publishable {
		return nil, apierr.InvalidRequest("infer_from_client is for Stripe's client libraries, which confirm with a publishable key: a server sends the customer's mandate_data[customer_acceptance][online][ip_address] and [user_agent] instead.").WithParam(inferFromClient)
	}
	online := store.Obj{"ip_address": api.NilIfEmpty(ip), "user_agent": api.NilIfEmpty(ua)}
	if ip == "" && c.ClientIP != "" {
		online["ip_address"] = c.ClientIP
	}
	acceptance := store.Obj{"type": "online", "online": online, "accepted_at": c.Now}
	if at, ok := ca.Int("accepted_at"); ok {
		acceptance["accepted_at"] = at
	}
	return acceptance, nil
}

// putMandate stores a new active mandate on the payment method pmID of
// type typ: multi-use for a setup, else single-use for owner's amount.
func putMandate(c *api.Call, owner store.Obj, pmID, typ string, acceptance store.Obj, setup bool) (store.Obj, error) {
	id := c.NewID("mandate")
	details := store.Obj{"type": typ}
	switch typ {
	case "sepa_debit":
		url := "/mandates/" + id
		if c.BaseURL != nil {
			url = c.PageURL(url)
		}
		// The intent's mandate_options[reference_prefix] starts the
		// reference ("Prefix used to generate the Mandate reference");
		// what follows it at Stripe is not documented: 16 characters here.
		opts := api.Obj(api.Obj(api.Obj(owner["payment_method_options"])["sepa_debit"])["mandate_options"])
		ref := api.Str(opts["reference_prefix"]) + strings.ToUpper(c.IDs.Secret(16))
		details["sepa_debit"] = store.Obj{"reference": ref, "url": url}
	case "us_bank_account", "cashapp", "revolut_pay", "amazon_pay":
		details[typ] = store.Obj{}
	case "bacs_debit":
		details["bacs_debit"] = bacsMandateDetails(c, id)
	case "au_becs_debit":
		details["au_becs_debit"] = becsMandateDetails(c, id)
	case "acss_debit":
		d, err := acssMandateDetails(owner)
		if err != nil {
			return nil, err
		}
		details["acss_debit"] = d
	}
	m := store.Obj{"id": id, "object": "mandate", "livemode": false, "customer_acceptance": acceptance,
		"payment_method": pmID, "payment_method_details": details, "status": "active"}
	if setup {
		m["type"], m["multi_use"] = "multi_use", store.Obj{}
	} else {
		m["type"], m["single_use"] = "single_use", store.Obj{"amount": owner["amount"], "currency": owner["currency"]}
	}
	if owner["on_behalf_of"] != nil {
		m["on_behalf_of"] = owner["on_behalf_of"]
	}
	return m, c.Put(m)
}

// activeMandate is pm's active multi-use mandate, if any.
func activeMandate(c *api.Call, pmID string) store.Obj {
	p := c.Tx.List(c.Account, "mandate", store.Query{Index: "payment_method", Value: pmID, Limit: 100,
		Filter: func(o store.Obj) bool { return o["status"] == "active" && o["type"] == "multi_use" }})
	if len(p.Data) == 0 {
		return nil
	}
	return p.Data[0]
}

// deactivateMandates ends pm's active mandates (it was detached from its
// customer), with mandate.updated.
func deactivateMandates(c *api.Call, pmID string) error {
	p := c.Tx.List(c.Account, "mandate", store.Query{Index: "payment_method", Value: pmID, Limit: 100,
		Filter: func(o store.Obj) bool { return o["status"] == "active" }})
	for _, before := range p.Data {
		after := api.Clone(before)
		after["status"] = "inactive"
		if err := c.Save(before, after); err != nil {
			return err
		}
	}
	return nil
}

// withMandate names the mandate on a charge's bank debit details.
func withMandate(ch, m store.Obj) {
	if m == nil {
		return
	}
	pmd := api.Clone(api.Obj(ch["payment_method_details"]))
	typ := api.Str(pmd["type"])
	d := api.Obj(pmd[typ])
	d["mandate"] = m["id"]
	ch["payment_method_details"] = pmd
}
