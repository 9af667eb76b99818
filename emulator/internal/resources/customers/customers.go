// Package customers serves /v1/customers.
package customers

import (
	"fmt"
	"net/mail"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/search"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
	"github.com/stripe-emu/stripe-emu/emulator/internal/taxid"
)

// Kind is the customer object.
var Kind = &api.Kind{
	Object:     "customer",
	Prefix:     "cus_",
	ShortID:    true,
	Expandable: []string{"default_source", "invoice_settings.default_payment_method", "test_clock", "discount.customer", "discount.promotion_code"},
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){
		"subscriptions": currentSubscriptions,
		"tax_ids":       customerTaxIDs,
		// Sources are the cards saved on the customer (the payments
		// family keeps them).
		"sources": func(c *api.Call, o store.Obj) (any, error) {
			if Sources != nil {
				return Sources(c, o)
			}
			return emptyList(o, "sources"), nil
		},
		// The cash balance bank transfers fund (the payments family
		// keeps it).
		"cash_balance": func(c *api.Call, o store.Obj) (any, error) {
			if CashBalance != nil {
				return CashBalance(c, o), nil
			}
			return store.Obj{"object": "cash_balance", "available": nil, "customer": o["id"], "livemode": false,
				"settings": store.Obj{"reconciliation_mode": "automatic", "using_merchant_default": true}}, nil
		},
		"invoice_credit_balance": invoiceCreditBalance,
		"tax":                    customerTax,
	},
	// discount_duration finds the customers whose discount ends by a
	// date (repeating ones) without walking every customer; test_clock
	// the customers a test clock holds (customers on none index nothing).
	Indexes: []store.Index{{Name: "email", Path: "email"}, {Name: "discount_duration", Path: "discount.coupon.duration"}, {Name: "test_clock", Path: "test_clock"}},
}

// currentSubscriptions is the includable customer.subscriptions: the
// customer's subscriptions that have not ended, newest first.
func currentSubscriptions(c *api.Call, cus store.Obj) (any, error) {
	p := c.Tx.List(c.Account, "subscription", store.Query{Index: "customer", Value: api.Str(cus["id"]), Limit: 10,
		Filter: func(o store.Obj) bool { return o["status"] != "canceled" && o["status"] != "incomplete_expired" }})
	data := make([]any, len(p.Data))
	for i, o := range p.Data {
		data[i] = o
	}
	return store.Obj{"object": "list", "data": data, "has_more": p.HasMore, "url": "/v1/customers/" + api.Str(cus["id"]) + "/subscriptions"}, nil
}

func emptyList(cus store.Obj, name string) store.Obj {
	return store.Obj{"object": "list", "data": []any{}, "has_more": false, "url": "/v1/customers/" + api.Str(cus["id"]) + "/" + name}
}

// searchFields are what Stripe's customer search can query.
var searchFields = search.Fields{
	"email": search.String, "name": search.String, "phone": search.String,
	"created": search.Number, "metadata": search.Metadata,
}

// Routes is the customer endpoint table.
func Routes() []api.Route {
	return append(discountRoutes(),
		api.POST("/v1/customers", params.FromStruct(stripe.CustomerCreateParams{}).Enum("tax_id_data.type", taxid.Types...).Enum("tax.validate_location", "deferred", "immediately").Enum("tax_exempt", taxExempt...).Enum(amountTaxDisplay, amountTaxDisplays...), create),
		api.GET("/v1/customers", params.FromStruct(stripe.CustomerListParams{}), list),
		api.GET("/v1/customers/search", params.FromStruct(stripe.CustomerSearchParams{}).Require("query"), searchCustomers),
		api.GET("/v1/customers/{id}", params.FromStruct(stripe.CustomerRetrieveParams{}), retrieve),
		api.POST("/v1/customers/{id}", params.FromStruct(stripe.CustomerUpdateParams{}).Enum("tax.validate_location", "auto", "deferred", "immediately").Enum("tax_exempt", taxExempt...).Enum(amountTaxDisplay, amountTaxDisplays...), update),
		api.DELETE("/v1/customers/{id}", params.FromStruct(stripe.CustomerDeleteParams{}), remove),
	)
}

// amountTaxDisplay takes one of amountTaxDisplays (stripe-go's docs).
const amountTaxDisplay = "invoice_settings.rendering_options.amount_tax_display"

var amountTaxDisplays = []string{"exclude_tax", "include_inclusive_tax"}

// taxExempt are the values of a customer's tax_exempt.
var taxExempt = []string{"exempt", "none", "reverse"}

// fields copied from params as they are.
var plainFields = []string{"address", "balance", "description", "name", "phone", "preferred_locales", "shipping", "tax_exempt", "next_invoice_sequence"}

// customerLengths are the longest strings Stripe's OpenAPI spec lets a
// customer's create and update send.
var customerLengths = append([]api.MaxLength{
	{Path: "name", Limit: 256}, {Path: "phone", Limit: 20}, {Path: "email", Limit: 512}, {Path: "description", Limit: 5000},
	{Path: "shipping.name", Limit: 5000}, {Path: "shipping.phone", Limit: 5000}, {Path: "invoice_settings.footer", Limit: 5000},
}, addressLengths()...)

// addressLengths are the limits of the fields of a customer's address and
// its shipping's: 5000 characters each.
func addressLengths() []api.MaxLength {
	var out []api.MaxLength
	for _, p := range []string{"address", "shipping.address"} {
		for _, f := range addressFields {
			out = append(out, api.MaxLength{Path: p + "." + f, Limit: 5000})
		}
	}
	return out
}

// listLengths are the list filters' (Stripe's OpenAPI spec).
var listLengths = []api.MaxLength{{Path: "email", Limit: 512}}

// inertCustomerParams change nothing observable here: validate is a
// deprecated switch.
var inertCustomerParams = []string{"validate"}

func create(c *api.Call) (any, error) {
	c.Inert(inertCustomerParams...)
	if err := c.CheckLengths(customerLengths...); err != nil {
		return nil, err
	}
	if err := checkEmail(c); err != nil {
		return nil, err
	}
	if err := checkInvoicePrefix(c, ""); err != nil {
		return nil, err
	}
	if err := refuseEmptied(c); err != nil {
		return nil, err
	}
	if err := checkNextInvoiceSequence(c, nil); err != nil {
		return nil, err
	}
	o := New(c)
	c.Copy(o, plainFields...)
	c.Copy(o, "email", "invoice_prefix")
	if err := completeAddresses(o); err != nil {
		return nil, err
	}
	if err := applyInvoiceSettings(c, o); err != nil {
		return nil, err
	}
	if err := c.ApplyMetadata(o); err != nil {
		return nil, err
	}
	if err := recordDirectBalance(c, o, 0, "initial"); err != nil {
		return nil, err
	}
	for _, hook := range CreateHooks {
		if err := hook(c, o); err != nil {
			return nil, err
		}
	}
	if err := applyTax(c, o, true); err != nil {
		return nil, err
	}
	if err := c.Insert(o); err != nil {
		return nil, err
	}
	if err := ClaimInvoicePrefix(c, o); err != nil {
		return nil, err
	}
	if err := createTaxIDData(c, o); err != nil {
		return nil, err
	}
	for _, hook := range AfterCreateHooks {
		if err := hook(c, o); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// addressFields are what Stripe renders of every address, null when not
// given.
var addressFields = []string{"city", "country", "line1", "line2", "postal_code", "state"}

func fullAddress(a any) store.Obj {
	given, _ := a.(map[string]any)
	out := store.Obj{}
	for _, f := range addressFields {
		out[f] = given[f]
	}
	return out
}

// completeAddresses renders the address and shipping just copied from the
// parameters as Stripe does, every field present, after refusing a
// shipping without the name and address Stripe requires of it. An emptied
// tax_exempt is back to none, emptied preferred_locales an empty list.
func completeAddresses(o store.Obj) error {
	if o["address"] != nil {
		o["address"] = fullAddress(o["address"])
	}
	if sh, ok := o["shipping"].(map[string]any); ok {
		for _, f := range []string{"address", "name"} {
			if sh[f] == nil {
				return apierr.MissingParam("shipping[" + f + "]")
			}
		}
		o["shipping"] = store.Obj{"address": fullAddress(sh["address"]), "name": sh["name"], "phone": sh["phone"]}
	}
	if o["tax_exempt"] == nil {
		o["tax_exempt"] = "none"
	}
	// Emptied locales are none, an empty list as on a new customer.
	if o["preferred_locales"] == nil {
		o["preferred_locales"] = []any{}
	}
	return nil
}

// New builds a customer with Stripe's defaults (Checkout creates them too).
func New(c *api.Call) store.Obj {
	o := c.Object("customer", c.NewID("customer"), store.Obj{
		"address": nil, "balance": int64(0), "currency": nil, "default_source": nil, "delinquent": false,
		"description": nil, "discount": nil, "email": nil, "invoice_prefix": strings.ToUpper(c.IDs.Secret(8)),
		"invoice_settings": defaultInvoiceSettings(), "metadata": map[string]any{}, "name": nil, "next_invoice_sequence": int64(1),
		"phone": nil, "preferred_locales": []any{}, "shipping": nil, "tax_exempt": "none", "test_clock": nil,
	})
	return o
}

// CreateHooks let other resource families shape a new customer before it
// is stored (test_clock binds the clock), inside the same transaction.
var CreateHooks []func(c *api.Call, customer store.Obj) error

// AfterCreateHooks run once the customer exists (payment_method attaches
// a card), inside the same transaction.
var AfterCreateHooks []func(c *api.Call, customer store.Obj) error

func defaultInvoiceSettings() store.Obj {
	return store.Obj{"custom_fields": nil, "default_payment_method": nil, "footer": nil, "rendering_options": nil}
}

func applyInvoiceSettings(c *api.Call, o store.Obj) error {
	if !c.Params.Has("invoice_settings") {
		return nil
	}
	is, _ := o["invoice_settings"].(map[string]any)
	if is == nil {
		is = defaultInvoiceSettings()
	}
	sub, _ := c.Params.Obj("invoice_settings")
	if err := checkCustomFields(sub); err != nil {
		return err
	}
	for _, f := range []string{"custom_fields", "footer"} {
		if sub.Has(f) {
			if sub.Unset(f) {
				is[f] = nil
			} else {
				is[f], _ = sub.Get(f)
			}
		}
	}
	// Sent, not Has: Has would count the whole object read, and its
	// template, which names an invoice rendering template (not emulated),
	// is left unread to be refused, as an invoice's own is.
	if raw, ok := sub.Sent("rendering_options"); ok {
		if raw == params.Unset {
			sub.MarkRead("rendering_options")
			is["rendering_options"] = nil
		} else {
			ro, _ := sub.Obj("rendering_options")
			display, _ := ro.Str("amount_tax_display")
			// Stripe renders both options, null when not set.
			is["rendering_options"] = store.Obj{"amount_tax_display": api.NilIfEmpty(display), "template": nil}
		}
	}
	if sub.Has("default_payment_method") {
		pm, _ := sub.Str("default_payment_method")
		if pm == "" {
			is["default_payment_method"] = nil
		} else {
			if DefaultPaymentMethodCheck != nil {
				if err := DefaultPaymentMethodCheck(c, o, pm); err != nil {
					return err
				}
			}
			is["default_payment_method"] = pm
		}
	}
	o["invoice_settings"] = is
	return nil
}

// checkCustomFields holds invoice_settings' custom fields to Stripe's
// limits (CheckCustomFields).
func checkCustomFields(is params.Values) error {
	return CheckCustomFields(is, "invoice_settings[custom_fields]")
}

// CheckCustomFields holds the custom_fields under p (param names them in
// errors) to what stripe-go's parameter docs give, for a customer's
// invoices and an invoice's own: up to 4, each with a name of up to 40
// characters and a value of up to 140, both required (OpenAPI spec).
func CheckCustomFields(p params.Values, param string) error {
	fields := p.Array("custom_fields")
	if len(fields) > 4 {
		return apierr.TooMany(param, 4)
	}
	for i, f := range fields {
		for _, l := range []api.MaxLength{{Path: "name", Limit: 40}, {Path: "value", Limit: 140}} {
			name := fmt.Sprintf("%s[%d][%s]", param, i, l.Path)
			switch v, ok := f.Str(l.Path); {
			case !ok:
				return apierr.MissingParam(name)
			case v == "":
				return apierr.InvalidEmpty(name)
			case utf8.RuneCountInString(v) > l.Limit:
				return apierr.TooLong(name, v, l.Limit)
			}
		}
	}
	return nil
}

// Sources is set by the payments family: the customer's includable
// sources (the cards saved on it).
var Sources func(c *api.Call, customer store.Obj) (any, error)

// CashBalance renders a customer's cash balance (the includable
// cash_balance), set by the payments family, which keeps it.
var CashBalance func(c *api.Call, customer store.Obj) store.Obj

// UpdateSources is set by the payments family: it applies an update's
// `source` (a new card, made the default) and `default_source` to the
// customer about to be stored.
var UpdateSources func(c *api.Call, customer store.Obj) error

// DefaultPaymentMethodCheck is set by the payments family: a customer's
// default payment method must exist and be attached to that customer.
var DefaultPaymentMethodCheck func(c *api.Call, customer store.Obj, pm string) error

// notEmptiable are the parameters Stripe's OpenAPI spec gives no empty
// value: a customer always has a balance and a next_invoice_sequence
// (neither is nullable), so "" cannot unset them.
var notEmptiable = []string{"balance", "next_invoice_sequence"}

func refuseEmptied(c *api.Call) error {
	for _, f := range notEmptiable {
		if c.Params.Unset(f) {
			return apierr.InvalidEmpty(f)
		}
	}
	// "" empties the whole list of locales, but a locale is a string
	// that cannot be unset: kept, it would be a null in the list.
	if locales, ok := c.Params.Sent("preferred_locales"); ok {
		list, _ := locales.([]any)
		for i, l := range list {
			if l == params.Unset {
				return apierr.InvalidEmpty(fmt.Sprintf("preferred_locales[%d]", i))
			}
		}
	}
	return nil
}

// invoicePrefix is what Stripe takes as a customer's invoice_prefix.
var invoicePrefix = regexp.MustCompile(`^[A-Z0-9]{3,12}$`)

// checkInvoicePrefix refuses an invoice_prefix that is not 3–12
// uppercase letters or digits (stripe-go's parameter doc), or that a
// customer other than self (the one updated; "" on create) has had: Stripe's
// invoice numbering guide says a prefix "can't match any other customer
// prefix, including prefixes that are no longer in use". The refusal's
// wording is the emulator's.
func checkInvoicePrefix(c *api.Call, self string) error {
	p, ok := c.Params.Str("invoice_prefix")
	if !ok {
		return nil
	}
	if !invoicePrefix.MatchString(p) {
		return apierr.InvalidRequest("Invalid invoice_prefix: must be 3-12 uppercase letters or numbers.").WithParam("invoice_prefix")
	}
	if owner, taken := c.Tx.GetMeta(invoicePrefixKey(c.Account, p)); taken && owner != self {
		return apierr.InvalidRequest("The invoice prefix %s is already used by another customer: a customer's invoice prefix must not match another customer's, even one no longer in use.", p).WithParam("invoice_prefix")
	}
	return nil
}

// invoicePrefixKey is where the customer that took an invoice prefix is
// kept, for as long as the account lasts: a prefix given up, or whose
// customer was deleted, stays taken.
func invoicePrefixKey(account, prefix string) string { return "invprefix:" + account + ":" + prefix }

// ClaimInvoicePrefix records the invoice_prefix of cus (just stored) as
// taken by cus. Whoever creates a customer (Checkout too) claims its
// prefix, the one made up for it included.
func ClaimInvoicePrefix(c *api.Call, cus store.Obj) error {
	return c.SetMeta(invoicePrefixKey(c.Account, api.Str(cus["invoice_prefix"])), api.Str(cus["id"]))
}

// maxInvoiceNumber is the highest invoice number Stripe's invoice
// numbering guide allows ("1,000,000,000 regardless of how you set it").
const maxInvoiceNumber = 1000000000

// checkNextInvoiceSequence holds a next_invoice_sequence sent to what
// Stripe's invoice numbering guide says: numbers start at 1, go up to
// maxInvoiceNumber, and "you can only set the next invoice number to
// numbers greater than any numbers used on an invoice" — those of cus
// (the customer updated; nil on create). The wording is the emulator's.
func checkNextInvoiceSequence(c *api.Call, cus store.Obj) error {
	n, ok := c.Params.Int("next_invoice_sequence")
	if !ok {
		return nil
	}
	if n < 1 || n > maxInvoiceNumber {
		return apierr.InvalidRequest("Invalid next_invoice_sequence: must be between 1 and %d.", maxInvoiceNumber).WithParam("next_invoice_sequence")
	}
	if cus == nil {
		return nil
	}
	if used := highestInvoiceNumber(c, api.Str(cus["id"])); n <= used {
		return apierr.InvalidRequest("Invalid next_invoice_sequence: it must be greater than %d, the highest number this customer's invoices have used.", used).WithParam("next_invoice_sequence")
	}
	return nil
}

// highestInvoiceNumber is the highest sequence number among the numbers
// of the customer's invoices (<prefix>-<number>; a number set by hand in
// another form counts for none).
func highestInvoiceNumber(c *api.Call, customer string) int64 {
	var highest int64
	c.Tx.EachIndexed(c.Account, "invoice", "customer", customer, func(inv store.Obj) bool {
		number := api.Str(inv["number"])
		if n, err := strconv.ParseInt(number[strings.LastIndex(number, "-")+1:], 10, 64); err == nil && n > highest {
			highest = n
		}
		return true
	})
	return highest
}

func checkEmail(c *api.Call) error {
	email, ok := c.Params.Str("email")
	if !ok || email == "" {
		return nil
	}
	return CheckEmail(email, "email")
}

// CheckEmail refuses, as Stripe does, an email address param that is
// not one.
func CheckEmail(email, param string) error {
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || !dottedDomain(email) {
		return apierr.InvalidRequest("Invalid email address: %s", email).WithParam(param).WithCode("email_invalid")
	}
	return nil
}

// dottedDomain says email's domain has a dot inside it: Stripe refuses
// "otameshi@com" (observed, fjordllc/bootcamp#4134), which RFC 5322, and
// so net/mail, accepts.
func dottedDomain(email string) bool {
	domain := email[strings.LastIndex(email, "@")+1:]
	return strings.Contains(strings.Trim(domain, "."), ".")
}

func load(c *api.Call) (store.Obj, error) {
	return c.Load("customer", c.Var("id"), "id")
}

func retrieve(c *api.Call) (any, error) {
	return c.Retrieve("customer", c.Var("id"))
}

func update(c *api.Call) (any, error) {
	c.Inert(inertCustomerParams...)
	before, err := load(c)
	if err != nil {
		return nil, err
	}
	if api.Bool(before["deleted"]) {
		return nil, apierr.NoSuchObject("customer", c.Var("id"), "id")
	}
	if err := c.CheckLengths(customerLengths...); err != nil {
		return nil, err
	}
	if err := checkEmail(c); err != nil {
		return nil, err
	}
	if err := checkInvoicePrefix(c, api.Str(before["id"])); err != nil {
		return nil, err
	}
	if err := refuseEmptied(c); err != nil {
		return nil, err
	}
	if err := checkNextInvoiceSequence(c, before); err != nil {
		return nil, err
	}
	after := api.Clone(before)
	c.Copy(after, plainFields...)
	c.Copy(after, "email", "invoice_prefix")
	if err := completeAddresses(after); err != nil {
		return nil, err
	}
	if err := applyInvoiceSettings(c, after); err != nil {
		return nil, err
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if err := recordDirectBalance(c, after, api.Int(before["balance"]), "adjustment"); err != nil {
		return nil, err
	}
	if UpdateSources != nil {
		if err := UpdateSources(c, after); err != nil {
			return nil, err
		}
	}
	if err := applyTax(c, after, false); err != nil {
		return nil, err
	}
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	if after["invoice_prefix"] != before["invoice_prefix"] {
		if err := ClaimInvoicePrefix(c, after); err != nil {
			return nil, err
		}
	}
	for _, k := range InvoiceDetails {
		if !reflect.DeepEqual(before[k], after[k]) {
			for _, hook := range DetailsChangedHooks {
				if err := hook(c, after); err != nil {
					return nil, err
				}
			}
			break
		}
	}
	return after, nil
}

// InvoiceDetails are the customer's fields an invoice shows as
// customer_<field>: the customer's own until the invoice is finalized.
var InvoiceDetails = []string{"address", "email", "name", "phone", "shipping", "tax_exempt"}

// DetailsChangedHooks run, in the same transaction, after an update changed
// one of a customer's InvoiceDetails: billing keeps its drafts showing them.
var DetailsChangedHooks []func(c *api.Call, cus store.Obj) error

// DeleteHooks run, in the same transaction, before a customer is deleted:
// billing cancels its subscriptions, as Stripe does at once.
var DeleteHooks []func(c *api.Call, cus store.Obj) error

// remove deletes a customer. Stripe keeps answering GETs of a deleted
// customer with a {"deleted": true} stub, so a tombstone stays behind.
func remove(c *api.Call) (any, error) {
	o, err := load(c)
	if err != nil {
		return nil, err
	}
	if api.Bool(o["deleted"]) {
		return nil, apierr.NoSuchObject("customer", c.Var("id"), "id")
	}
	// Stripe refuses, rather than lose the funds the customer sent.
	if CashBalance != nil && CashBalance(c, o)["available"] != nil {
		return nil, apierr.InvalidRequest("You cannot delete a customer with a cash balance.")
	}
	return Delete(c, o)
}

// Delete deletes a customer (cus, as stored) with what goes with it: its
// subscriptions (DeleteHooks) and tax IDs, with customer.deleted. A
// request to delete the customer, and the deletion of its test clock,
// both come here.
func Delete(c *api.Call, cus store.Obj) (store.Obj, error) {
	id := api.Str(cus["id"])
	for _, hook := range DeleteHooks {
		if err := hook(c, cus); err != nil {
			return nil, err
		}
	}
	if err := deleteTaxIDsOf(c, id); err != nil {
		return nil, err
	}
	c.DeleteMeta(ipAddressKey(c.Account, id))
	tomb := api.Deleted("customer", id)
	if err := c.Put(tomb); err != nil {
		return nil, err
	}
	c.Emit("customer.deleted", cus, nil)
	return tomb, nil
}

func list(c *api.Call) (any, error) {
	if err := c.CheckLengths(listLengths...); err != nil {
		return nil, err
	}
	q, err := c.ListQuery("customer")
	if err != nil {
		return nil, err
	}
	if email, ok := c.Params.Str("email"); ok && email != "" {
		q.Index, q.Value = "email", email
	}
	if c.Params.Has("test_clock") {
		clk, _ := c.Params.Str("test_clock")
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Str(o["test_clock"]) == clk })
	} else {
		// Like Stripe, "list all" leaves out test-clock customers.
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["test_clock"] == nil })
	}
	return c.Page("customer", "/v1/customers", q), nil
}

func searchCustomers(c *api.Call) (any, error) {
	return search.Run(c, "customer", "/v1/customers/search", searchFields)
}
