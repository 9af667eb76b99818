// Package wirecheck checks that Stripe JSON decodes strictly into
// stripe-go v82's types: every key must be a field of the type the
// "object" names, with a value of the right JSON type. stripe-go's own
// decoding is lenient (unknown keys are dropped), so this is what catches
// invented, misspelled or mistyped fields in the emulator's answers. Check
// also holds every answer to Stripe's OpenAPI spec (package openapi), which
// catches the opposite mistakes: missing fields, stray nulls, enum values
// Stripe never sends.
//
// It is for tests only (the spec comes from stripe-mock): no package of the
// emulator or its binary may import it.
package wirecheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/eventtypes"
	"github.com/stripe-emu/stripe-emu/emulator/wirecheck/openapi"
)

// types maps Stripe object names to stripe-go types.
var types = map[string]reflect.Type{}

func register(name string, v any) { types[name] = reflect.TypeOf(v) }

func init() {
	register("account", stripe.Account{})
	register("account_link", stripe.AccountLink{})
	register("account_session", stripe.AccountSession{})
	register("capability", stripe.Capability{})
	register("person", stripe.Person{})
	register("login_link", stripe.LoginLink{})
	register("balance", stripe.Balance{})
	register("balance_transaction", stripe.BalanceTransaction{})
	register("billing.alert", stripe.BillingAlert{})
	register("billing.alert_triggered", stripe.BillingAlertTriggered{})
	register("billing.credit_balance_summary", stripe.BillingCreditBalanceSummary{})
	register("billing.credit_balance_transaction", stripe.BillingCreditBalanceTransaction{})
	register("billing.credit_grant", stripe.BillingCreditGrant{})
	register("billing.meter", stripe.BillingMeter{})
	register("billing.meter_event", stripe.BillingMeterEvent{})
	register("billing.meter_event_adjustment", stripe.BillingMeterEventAdjustment{})
	register("billing.meter_event_summary", stripe.BillingMeterEventSummary{})
	register("billing_portal.configuration", stripe.BillingPortalConfiguration{})
	register("billing_portal.session", stripe.BillingPortalSession{})
	register("cash_balance", stripe.CashBalance{})
	register("charge", stripe.Charge{})
	register("review", stripe.Review{})
	register("apps.secret", stripe.AppsSecret{})
	register("identity.verification_report", stripe.IdentityVerificationReport{})
	register("identity.verification_session", stripe.IdentityVerificationSession{})
	register("issuing.authorization", stripe.IssuingAuthorization{})
	register("issuing.card", stripe.IssuingCard{})
	register("issuing.cardholder", stripe.IssuingCardholder{})
	register("issuing.dispute", stripe.IssuingDispute{})
	register("issuing.personalization_design", stripe.IssuingPersonalizationDesign{})
	register("issuing.physical_bundle", stripe.IssuingPhysicalBundle{})
	register("issuing.transaction", stripe.IssuingTransaction{})
	register("radar.early_fraud_warning", stripe.RadarEarlyFraudWarning{})
	register("radar.value_list", stripe.RadarValueList{})
	register("radar.value_list_item", stripe.RadarValueListItem{})
	register("checkout.session", stripe.CheckoutSession{})
	register("credit_note", stripe.CreditNote{})
	register("credit_note_line_item", stripe.CreditNoteLineItem{})
	register("customer", stripe.Customer{})
	register("customer_balance_transaction", stripe.CustomerBalanceTransaction{})
	register("customer_cash_balance_transaction", stripe.CustomerCashBalanceTransaction{})
	register("funding_instructions", stripe.FundingInstructions{})
	register("customer_session", stripe.CustomerSession{})
	register("ephemeral_key", stripe.EphemeralKey{})
	register("event", stripe.Event{})
	register("invoice", stripe.Invoice{})
	register("invoice_payment", stripe.InvoicePayment{})
	register("invoiceitem", stripe.InvoiceItem{})
	register("item", stripe.LineItem{})
	register("line_item", stripe.InvoiceLineItem{})
	register("payment_intent", stripe.PaymentIntent{})
	register("payment_link", stripe.PaymentLink{})
	register("payment_method", stripe.PaymentMethod{})
	register("payment_method_configuration", stripe.PaymentMethodConfiguration{})
	register("payment_method_domain", stripe.PaymentMethodDomain{})
	register("apple_pay_domain", stripe.ApplePayDomain{})
	register("plan", stripe.Plan{})
	register("price", stripe.Price{})
	register("product", stripe.Product{})
	register("quote", stripe.Quote{})
	register("refund", stripe.Refund{})
	register("setup_intent", stripe.SetupIntent{})
	register("shipping_rate", stripe.ShippingRate{})
	register("subscription", stripe.Subscription{})
	register("subscription_schedule", stripe.SubscriptionSchedule{})
	register("subscription_item", stripe.SubscriptionItem{})
	register("tax_id", stripe.TaxID{})
	register("tax_rate", stripe.TaxRate{})
	register("tax_code", stripe.TaxCode{})
	register("tax.registration", stripe.TaxRegistration{})
	register("tax.settings", stripe.TaxSettings{})
	register("tax.calculation", stripe.TaxCalculation{})
	register("tax.calculation_line_item", stripe.TaxCalculationLineItem{})
	register("tax.transaction", stripe.TaxTransaction{})
	register("tax.transaction_line_item", stripe.TaxTransactionLineItem{})
	register("entitlements.feature", stripe.EntitlementsFeature{})
	register("entitlements.active_entitlement", stripe.EntitlementsActiveEntitlement{})
	register("entitlements.active_entitlement_summary", stripe.EntitlementsActiveEntitlementSummary{})
	register("product_feature", stripe.ProductFeature{})
	register("test_helpers.test_clock", stripe.TestHelpersTestClock{})
	register("webhook_endpoint", stripe.WebhookEndpoint{})
	register("discount", stripe.Discount{})
	register("coupon", stripe.Coupon{})
	register("promotion_code", stripe.PromotionCode{})
	register("mandate", stripe.Mandate{})
	register("setup_attempt", stripe.SetupAttempt{})
	register("file", stripe.File{})
	register("file_link", stripe.FileLink{})
	register("reporting.report_run", stripe.ReportingReportRun{})
	register("terminal.location", stripe.TerminalLocation{})
	register("terminal.reader", stripe.TerminalReader{})
	register("terminal.configuration", stripe.TerminalConfiguration{})
	register("terminal.connection_token", stripe.TerminalConnectionToken{})
	register("reporting.report_type", stripe.ReportingReportType{})
	register("dispute", stripe.Dispute{})
	register("transfer", stripe.Transfer{})
	register("transfer_reversal", stripe.TransferReversal{})
	register("application_fee", stripe.ApplicationFee{})
	register("fee_refund", stripe.FeeRefund{})
	register("card", stripe.Card{})
	register("token", stripe.Token{})
	register("payout", stripe.Payout{})
	register("bank_account", stripe.BankAccount{})
	register("confirmation_token", stripe.ConfirmationToken{})
	register("topup", stripe.Topup{})
	register("country_spec", stripe.CountrySpec{})
}

// Known reports whether an object name has a registered type.
func Known(object string) bool { _, ok := types[object]; return ok }

// Check checks a whole response body both ways: strictly against
// stripe-go's types (Strict), then against Stripe's OpenAPI spec
// (package openapi: required fields, nulls, enums, expandable fields).
func Check(body []byte) error {
	m, err := decodeBody(body)
	if err != nil {
		return err
	}
	if err := strict(m); err != nil {
		return err
	}
	if err := openapi.CheckDecoded(m); err != nil {
		return fmt.Errorf("against the OpenAPI spec: %w", err)
	}
	if t, _ := m["type"].(string); m["object"] == "event" && !eventtypes.IsV1(t) {
		// What no webhook endpoint could ask for by name.
		return fmt.Errorf("event type %q is not one of stripe-go's EventType values", t)
	}
	return nil
}

// Strict decodes a whole response body strictly into stripe-go's types.
func Strict(body []byte) error {
	m, err := decodeBody(body)
	if err != nil {
		return err
	}
	return strict(m)
}

func decodeBody(body []byte) (map[string]any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a JSON object")
	}
	return m, nil
}

func strict(m map[string]any) error {
	if e, isErr := m["error"]; isErr && len(m) == 1 {
		return walk(e, reflect.TypeOf(stripe.Error{}), "error")
	}
	return checkObject(m, "")
}

// CheckAs decodes body strictly into the type of v.
func CheckAs(body []byte, v any) error {
	var x any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&x); err != nil {
		return err
	}
	return walk(x, reflect.TypeOf(v), "")
}

// checkObject dispatches on "object".
func checkObject(m map[string]any, path string) error {
	name, _ := m["object"].(string)
	switch name {
	case "list", "search_result":
		for k := range m {
			switch k {
			case "object", "data", "has_more", "url", "next_page", "total_count":
			default:
				return fmt.Errorf("%s: unknown key %q on a %s", label(path), k, name)
			}
		}
		items, _ := m["data"].([]any)
		for i, it := range items {
			im, ok := it.(map[string]any)
			if !ok {
				return fmt.Errorf("%s.data[%d]: not an object", label(path), i)
			}
			if err := checkObject(im, fmt.Sprintf("%s.data[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case "":
		return fmt.Errorf("%s: object without an \"object\" key", label(path))
	}
	t, ok := types[name]
	if !ok {
		return fmt.Errorf("%s: unknown object type %q", label(path), name)
	}
	if deleted, _ := m["deleted"].(bool); deleted && len(m) <= 3 {
		return nil
	}
	for field, check := range undocumented[name] {
		if v, ok := m[field]; ok {
			if err := check(v); err != nil {
				return fmt.Errorf("%s.%s: %w", label(path), field, err)
			}
			m = maps.Clone(m)
			delete(m, field)
		}
	}
	return walk(m, t, path)
}

// undocumented are fields Stripe sends that neither its OpenAPI spec nor
// stripe-go describe, each checked for its own shape here: an ephemeral
// key's associated_objects, which the mobile SDKs read.
var undocumented = map[string]map[string]func(v any) error{
	"ephemeral_key": {"associated_objects": func(v any) error {
		list, ok := v.([]any)
		if !ok || len(list) == 0 {
			return fmt.Errorf("want a non-empty array, got %s", openapi.Describe(v))
		}
		for _, e := range list {
			o, _ := e.(map[string]any)
			id, _ := o["id"].(string)
			typ, _ := o["type"].(string)
			if len(o) != 2 || id == "" || typ == "" {
				return fmt.Errorf("want {id, type} entries, got %s", openapi.Describe(e))
			}
		}
		return nil
	}},
}

func label(path string) string {
	if path == "" {
		return "(root)"
	}
	return strings.TrimPrefix(path, ".")
}

type fieldInfo struct {
	typ reflect.Type
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	out := map[string]reflect.Type{}
	var add func(t reflect.Type)
	add = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" {
				ft := f.Type
				for ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					add(ft)
				}
				continue
			}
			if name == "-" || name == "" || !f.IsExported() {
				continue
			}
			out[name] = f.Type
		}
	}
	add(t)
	fieldCache.Store(t, out)
	return out
}

// polymorphic are stripe-go's types that hold one of several objects,
// decoded by a custom UnmarshalJSON according to "object".
var polymorphic = map[reflect.Type]map[string]reflect.Type{
	reflect.TypeOf(stripe.AccountExternalAccount{}): {
		"bank_account": reflect.TypeOf(stripe.BankAccount{}), "card": reflect.TypeOf(stripe.Card{}),
	},
	// A charge's source, a customer's sources and default_source: cards,
	// the only sources the emulator makes, and the Stripe account a
	// Connect payment (py_) was paid from.
	reflect.TypeOf(stripe.PaymentSource{}): {"card": reflect.TypeOf(stripe.Card{}), "account": reflect.TypeOf(stripe.Account{})},
	// A balance transaction's source, as far as the emulator makes them.
	reflect.TypeOf(stripe.BalanceTransactionSource{}): {
		"charge": reflect.TypeOf(stripe.Charge{}), "refund": reflect.TypeOf(stripe.Refund{}),
		"dispute": reflect.TypeOf(stripe.Dispute{}), "transfer": reflect.TypeOf(stripe.Transfer{}),
		"transfer_reversal": reflect.TypeOf(stripe.TransferReversal{}),
		"application_fee":   reflect.TypeOf(stripe.ApplicationFee{}), "fee_refund": reflect.TypeOf(stripe.FeeRefund{}),
		"payout": reflect.TypeOf(stripe.Payout{}), "topup": reflect.TypeOf(stripe.Topup{}),
		"issuing.authorization": reflect.TypeOf(stripe.IssuingAuthorization{}),
		"issuing.transaction":   reflect.TypeOf(stripe.IssuingTransaction{}),
		"issuing.dispute":       reflect.TypeOf(stripe.IssuingDispute{}),
	},
	// A payout's destination: the emulator pays out to bank accounts only.
	reflect.TypeOf(stripe.PayoutDestination{}): {"bank_account": reflect.TypeOf(stripe.BankAccount{})},
}

func objectName(v any) string { s, _ := v.(string); return s }

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// hasID reports whether a struct is an expandable resource (an id string
// stands for it when not expanded).
func hasID(t reflect.Type) bool {
	t = deref(t)
	if t.Kind() != reflect.Struct {
		return false
	}
	_, ok := fieldsOf(t)["id"]
	return ok
}

var rawMessage = reflect.TypeOf(json.RawMessage{})

func walk(v any, t reflect.Type, path string) error {
	if v == nil {
		return nil // Stripe renders absent values as null everywhere
	}
	t = deref(t)
	if t == timeType {
		return checkTime(v, path) // v2's times; v1's are integers
	}
	if t == rawMessage {
		// Free-form in stripe-go (an event's data.object): check it by
		// its own "object" when it has one.
		if m, ok := v.(map[string]any); ok {
			if name, _ := m["object"].(string); Known(name) || name == "list" {
				return checkObject(m, path)
			}
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Interface:
		if m, ok := v.(map[string]any); ok && t.NumMethod() == 0 {
			if name, _ := m["object"].(string); name != "" && Known(name) && strings.HasSuffix(path, "data.object") {
				return checkObject(m, path)
			}
		}
		return nil
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object (%s), got %s", label(path), t, openapi.Describe(v))
		}
		if path == ".data.object" || strings.HasSuffix(path, "data.object") {
			if name, _ := m["object"].(string); name != "" && Known(name) {
				return checkObject(m, path)
			}
		}
		keys := slices.Sorted(maps.Keys(m))
		for _, k := range keys {
			if err := walk(m[k], t.Elem(), path+"."+k); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice, reflect.Array:
		items, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: want an array (%s), got %s", label(path), t, openapi.Describe(v))
		}
		for i, it := range items {
			if err := walk(it, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Struct:
		switch x := v.(type) {
		case string:
			if hasID(t) {
				return nil // an unexpanded reference
			}
			return fmt.Errorf("%s: want an object (%s), got a string", label(path), t)
		case map[string]any:
			if x["object"] == "list" || x["object"] == "search_result" {
				return walkList(x, t, path)
			}
			if concrete, ok := polymorphic[t][objectName(x["object"])]; ok {
				t = concrete // stripe-go decodes these by their object
			}
			if name, _ := x["object"].(string); name != "" {
				if want, ok := types[name]; ok && want != t && hasID(t) {
					return fmt.Errorf("%s: an expanded %q where %s belongs", label(path), name, t)
				}
			}
			if t.NumField() == 0 {
				return nil // an open hash in Stripe's spec (use_stripe_sdk)
			}
			fields := fieldsOf(t)
			for _, k := range slices.Sorted(maps.Keys(x)) {
				ft, ok := fields[k]
				if !ok {
					return fmt.Errorf("%s: unknown field %q for %s", label(path), k, t)
				}
				if err := walk(x[k], ft, path+"."+k); err != nil {
					return err
				}
			}
			return nil
		}
		return fmt.Errorf("%s: want an object (%s), got %s", label(path), t, openapi.Describe(v))
	case reflect.String:
		if _, ok := v.(string); !ok {
			return fmt.Errorf("%s: want a string (%s), got %s", label(path), t, openapi.Describe(v))
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: want a boolean, got %s", label(path), openapi.Describe(v))
		}
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint64:
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("%s: want an integer, got %s", label(path), openapi.Describe(v))
		}
		if _, err := n.Int64(); err != nil {
			return fmt.Errorf("%s: want an integer, got %s", label(path), n)
		}
	case reflect.Float64, reflect.Float32:
		switch x := v.(type) {
		case json.Number:
		case string:
			// stripe-go decodes decimal strings into float64 fields.
			var f float64
			if _, err := fmt.Sscan(x, &f); err != nil {
				return fmt.Errorf("%s: want a decimal, got %q", label(path), x)
			}
		default:
			return fmt.Errorf("%s: want a number, got %s", label(path), openapi.Describe(v))
		}
	}
	return nil
}

// walkList checks an embedded list (invoice.lines, subscription.items)
// against the Data field of its stripe-go list type.
func walkList(m map[string]any, t reflect.Type, path string) error {
	dataType, ok := fieldsOf(t)["data"]
	if !ok {
		return fmt.Errorf("%s: a list where %s belongs", label(path), t)
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		switch k {
		case "object", "has_more", "url", "total_count", "next_page":
		case "data":
			if err := walk(m[k], dataType, path+".data"); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: unknown key %q on a list", label(path), k)
		}
	}
	return nil
}
