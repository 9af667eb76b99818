package params

import (
	"slices"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"
	stripeform "github.com/stripe/stripe-go/v82/form"

	"github.com/stripe-emu/stripe-emu/emulator/internal/form"
)

func validate(t *testing.T, s *Schema, body string) (Values, string, string) {
	t.Helper()
	tree, err := form.Parse(body)
	if err != nil {
		t.Fatalf("parse %q: %v", body, err)
	}
	v, e := Validate(s, tree)
	if e != nil {
		return v, e.Param, e.Message
	}
	return v, "", ""
}

func TestStripeGoEncodingsRoundTrip(t *testing.T) {
	p := &stripe.PriceCreateParams{
		Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1500), Product: stripe.String("prod_1"),
		Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), IntervalCount: stripe.Int64(3)},
		Metadata:  map[string]string{"0": "zero", "k": ""},
	}
	p.AddExpand("product")
	vals := &stripeform.Values{}
	stripeform.AppendTo(vals, p)
	v, param, msg := validate(t, FromStruct(stripe.PriceCreateParams{}), vals.Encode())
	if msg != "" {
		t.Fatalf("%s: %s", param, msg)
	}
	if n, _ := v.Int("unit_amount"); n != 1500 {
		t.Errorf("unit_amount %d", n)
	}
	if n, _ := v.Int("recurring.interval_count"); n != 3 {
		t.Errorf("interval_count %d", n)
	}
	if md, _ := v.Map("metadata"); md["0"] != "zero" || md["k"] != "" {
		t.Errorf("metadata %v", md)
	}
	if ex := v.Strings("expand"); len(ex) != 1 || ex[0] != "product" {
		t.Errorf("expand %v", ex)
	}

	lp := &stripe.CustomerListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: 10}}
	lp.Limit = stripe.Int64(3)
	vals = &stripeform.Values{}
	stripeform.AppendTo(vals, lp)
	v, _, msg = validate(t, FromStruct(stripe.CustomerListParams{}), vals.Encode())
	if msg != "" {
		t.Fatal(msg)
	}
	if r, ok := v.Obj("created"); !ok {
		t.Error("created range lost")
	} else if n, _ := r.Int("gte"); n != 10 {
		t.Errorf("created[gte] %d", n)
	}
	_, _, msg = validate(t, FromStruct(stripe.CustomerListParams{}), "created=12")
	if msg != "" {
		t.Errorf("created as an integer: %s", msg)
	}
}

// Python's and .NET's SDKs send their languages' spelling of booleans,
// which Stripe's v1 API takes.
func TestBooleansInAnyCase(t *testing.T) {
	s := FromStruct(stripe.CustomerCreateParams{})
	for body, want := range map[string]bool{"validate=true": true, "validate=True": true, "validate=FALSE": false, "validate=False": false} {
		v, param, msg := validate(t, s, body)
		if msg != "" {
			t.Fatalf("%s: %s %s", body, param, msg)
		}
		if got, ok := v.Bool("validate"); !ok || got != want {
			t.Errorf("%s: %v %v", body, got, ok)
		}
	}
	for _, body := range []string{"validate=1", "validate=yes", "validate=truee"} {
		if _, param, msg := validate(t, s, body); param != "validate" || !strings.HasPrefix(msg, "Invalid boolean") {
			t.Errorf("%s: %q %q", body, param, msg)
		}
	}
}

// A flag the API also takes as one of a few words (off_session=recurring)
// keeps the word; any other is refused as a boolean.
func TestBooleanOrWords(t *testing.T) {
	s := Object(map[string]*Schema{"off_session": Bool()}).Enum("off_session", "one_off", "recurring")
	for body, want := range map[string]any{"off_session=recurring": "recurring", "off_session=one_off": "one_off", "off_session=true": true} {
		v, param, msg := validate(t, s, body)
		if msg != "" {
			t.Fatalf("%s: %s %s", body, param, msg)
		}
		if got, _ := v.lookup("off_session"); got != want {
			t.Errorf("%s: %v", body, got)
		}
	}
	if _, param, msg := validate(t, s, "off_session=sometimes"); param != "off_session" || msg != "Invalid boolean: sometimes" {
		t.Errorf("sometimes: %q %q", param, msg)
	}
}

func TestErrors(t *testing.T) {
	s := FromStruct(stripe.CustomerCreateParams{})
	cases := []struct{ body, param, msg string }{
		{"favourite=x", "favourite", "Received unknown parameter: favourite"},
		{"address[planet]=mars", "address[planet]", "Received unknown parameter: address[planet]"},
		{"unit_amount=6&currency=eur&balance=lots", "currency", "Received unknown parameters: currency, unit_amount"},
		{"balance=lots", "balance", "Invalid integer: lots"},
		{"validate=maybe", "validate", "Invalid boolean: maybe"},
		{"validate=", "validate", "You passed an empty string for 'validate'."},
		{"address=x", "address", "Invalid object"},
		{"metadata=x", "metadata", "Invalid hash"},
		{"preferred_locales=x", "preferred_locales", "Invalid array"},
		{"email[a]=b", "email", "Invalid string"},
		{"tax_id_data[x][type]=eu_vat", "tax_id_data", "If passing an array with explicit keys (e.g. foo[0]=a&foo[1]=b) instead of as an array (e.g. foo[]=a&foo[]=b), the keys must be numeric and sequential starting from 0. You passed the keys `x`, we expected to have a key with the value `0`."},
	}
	for _, tc := range cases {
		_, param, msg := validate(t, s, tc.body)
		if param != tc.param || !strings.HasPrefix(msg, tc.msg) {
			t.Errorf("%s: got %q %q, want %q %q", tc.body, param, msg, tc.param, tc.msg)
		}
	}
	req := FromStruct(stripe.ProductCreateParams{}).Require("name")
	if _, param, msg := validate(t, req, "description=x"); param != "name" || msg != "Missing required param: name." {
		t.Errorf("missing: %q %q", param, msg)
	}
	if _, param, _ := validate(t, req, "name="); param != "name" {
		t.Errorf("empty required: %q", param)
	}
	enum := Object(map[string]*Schema{"outcome": String()}).Enum("outcome", "succeed", "fail")
	if _, _, msg := validate(t, enum, "outcome=maybe"); msg != "Invalid outcome: must be one of succeed or fail" {
		t.Errorf("enum: %q", msg)
	}
}

func TestCanonicalIgnoresOrder(t *testing.T) {
	s := FromStruct(stripe.CustomerCreateParams{})
	a, _, _ := validate(t, s, "email=a%40b.c&metadata[x]=1&metadata[y]=2")
	b, _, _ := validate(t, s, "metadata[y]=2&metadata[x]=1&email=a%40b.c")
	c, _, _ := validate(t, s, "email=a%40b.c&metadata[x]=1")
	if a.Canonical() != b.Canonical() || a.Canonical() == c.Canonical() {
		t.Errorf("canonical forms: %s / %s / %s", a.Canonical(), b.Canonical(), c.Canonical())
	}
}

func BenchmarkParseValidateCustomer(b *testing.B) {
	s := FromStruct(stripe.CustomerCreateParams{})
	body := "email=jenny%40example.com&name=Jenny&description=x&phone=1&metadata[a]=1&metadata[b]=2&address[city]=Paris&address[country]=FR&expand[0]=default_source&preferred_locales[0]=fr"
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tree, _ := form.Parse(body)
		if _, err := Validate(s, tree); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzValidate(f *testing.F) {
	for _, s := range []string{"email=a%40b.c", "address[city]=x&metadata[0]=y", "expand[]=a&expand[5]=b", "balance=1e9", "tax_id_data[0][type]=eu_vat&tax_id_data[0][value]=x", "invoice_settings[custom_fields][0][name]=n"} {
		f.Add(s)
	}
	schema := FromStruct(stripe.CustomerCreateParams{})
	f.Fuzz(func(t *testing.T, body string) {
		tree, err := form.Parse(body)
		if err != nil {
			return
		}
		v, e := Validate(schema, tree)
		if e != nil {
			if e.Status != 400 || e.Type != "invalid_request_error" {
				t.Fatalf("%q: not a Stripe 400: %+v", body, e)
			}
			return
		}
		_ = v.Canonical()
	})
}

// A request can tell which parameters it was sent that nothing read: the
// pipeline refuses those instead of dropping them silently.
func TestTrackedValuesReportWhatWasNotRead(t *testing.T) {
	v := NewValues(map[string]any{
		"email": "a@b.co", "address": map[string]any{"city": "Paris"}, "tax_id_data": []any{}, "validate": false, "metadata": map[string]any{},
	}).Tracked()
	if got := v.Unread(); len(got) != 5 {
		t.Fatalf("nothing read yet, unread %v", got)
	}
	v.Str("email")
	v.Str("address.city") // a nested read counts for its top-level parameter
	if _, ok := v.Sent("metadata"); !ok {
		t.Fatal("Sent does not see metadata")
	}
	v.MarkRead("validate")
	if got := v.Unread(); !slices.Equal(got, []string{"metadata", "tax_id_data"}) {
		t.Fatalf("unread %v (Sent must not count as a read)", got)
	}
	_ = v.Canonical() // idempotency's comparison reads nothing
	if got := v.Unread(); len(got) != 2 {
		t.Fatalf("Canonical counted as a read: %v", got)
	}
	_ = v.Raw() // whoever takes the whole tree uses all of it
	if got := v.Unread(); len(got) != 0 {
		t.Fatalf("after Raw, unread %v", got)
	}
	if NewValues(map[string]any{"a": 1}).Unread() != nil {
		t.Fatal("untracked values report unread parameters")
	}
}

// Inside objects and array elements a handler opens, what it leaves
// unread is named in full, as Stripe names parameters in errors.
func TestTrackedValuesNameNestedParametersLeftUnread(t *testing.T) {
	fresh := func() Values {
		return NewValues(map[string]any{
			"items": []any{
				map[string]any{"price": "price_1", "quantity": int64(2)},
				map[string]any{"price": "price_2", "discounts": []any{}},
			},
			"invoice_settings": map[string]any{"default_payment_method": "pm_1", "footer": "x"},
			"metadata":         map[string]any{"k": "v"},
		}).Tracked()
	}

	v := fresh()
	for _, it := range v.Array("items") {
		it.Str("price")
		it.Int("quantity")
	}
	v.Map("metadata") // read whole: its keys are not parameters of ours
	if got := v.Unread(); !slices.Equal(got, []string{"invoice_settings", "items[1][discounts]"}) {
		t.Fatalf("unread %v", got)
	}

	// A dotted read counts inside the object even when the object is also
	// opened elsewhere, in either order.
	v = fresh()
	v.Str("invoice_settings.default_payment_method")
	is, _ := v.Obj("invoice_settings")
	if got := v.Unread(); !slices.Equal(got, []string{"invoice_settings[footer]", "items", "metadata"}) {
		t.Fatalf("unread %v", got)
	}
	is.Str("footer")
	v.MarkRead("items", "metadata")
	if got := v.Unread(); len(got) != 0 {
		t.Fatalf("unread %v", got)
	}

	// Taking an element whole (Raw) covers everything under it only.
	v = fresh()
	items := v.Array("items")
	items[1].Raw()
	v.MarkRead("invoice_settings", "metadata")
	if got := v.Unread(); !slices.Equal(got, []string{"items[0][price]", "items[0][quantity]"}) {
		t.Fatalf("unread %v", got)
	}
}

// stripe-go writes an unbounded price tier as up_to=inf: the schema takes
// that word as well as integers, and nothing else.
func TestUpToTakesInf(t *testing.T) {
	s := FromStruct(stripe.PriceParams{})
	for value, ok := range map[string]bool{"inf": true, "1000": true, "infinity": false, "12.5": false} {
		tree, err := form.Parse("tiers[0][up_to]=" + value)
		if err != nil {
			t.Fatal(err)
		}
		_, verr := Validate(s, tree)
		if (verr == nil) != ok {
			t.Errorf("up_to=%q: error %v", value, verr)
		}
	}
}

// A new object's metadata leaves out keys sent empty (nothing to unset).
func TestMetadataForANewObject(t *testing.T) {
	v := NewValues(map[string]any{"metadata": map[string]any{"plan": "pro", "gone": ""}})
	md, ok := v.Metadata("metadata")
	if !ok || len(md) != 1 || md["plan"] != "pro" {
		t.Fatalf("metadata %v %v", md, ok)
	}
	if _, ok := v.Metadata("missing"); ok {
		t.Fatal("metadata not sent reads as sent")
	}
}

// A source is a token id or card details, each checked as such.
func TestStringOrObject(t *testing.T) {
	s := Object(map[string]*Schema{"source": StringOrObject(map[string]*Schema{"number": String(), "exp_month": Integer()})})
	for body, ok := range map[string]bool{
		"source=tok_visa": true, "source[number]=4242&source[exp_month]=12": true,
		"source[exp_month]=twelve": false, "source[cvc]=123": false, "source[]=a": false,
	} {
		tree, err := form.Parse(body)
		if err != nil {
			t.Fatal(err)
		}
		v, verr := Validate(s, tree)
		if (verr == nil) != ok {
			t.Errorf("%s: error %v", body, verr)
			continue
		}
		if !ok {
			continue
		}
		if str, isStr := v.Str("source"); isStr && str != "tok_visa" {
			t.Errorf("%s: source %q", body, str)
		}
		if o, isObj := v.Obj("source"); isObj {
			if n, _ := o.Int("exp_month"); n != 12 {
				t.Errorf("%s: exp_month %d", body, n)
			}
		}
	}
}

// The spec's requirements reach inside objects, array elements and
// id-or-object parameters, and only where the endpoint takes the field.
func TestApplySpecRequiresNested(t *testing.T) {
	s := FromStruct(stripe.CheckoutSessionCreateParams{}).ApplySpec("/v1/checkout/sessions")
	cases := []struct{ body, param, msg string }{
		{"tax_id_collection[required]=never", "tax_id_collection[enabled]", "Missing required param: tax_id_collection[enabled]."},
		{"tax_id_collection[enabled]=", "tax_id_collection[enabled]", "You passed an empty string for 'tax_id_collection[enabled]'"},
		{"line_items[0][quantity]=1&line_items[1][price_data][unit_amount]=5&line_items[1][price_data][product]=prod_1",
			"line_items[1][price_data][currency]", "Missing required param: line_items[1][price_data][currency]."},
		{"tax_id_collection[enabled]=true&line_items[0][quantity]=1", "", ""},
	}
	for _, c := range cases {
		_, param, msg := validate(t, s, c.body)
		if param != c.param || !strings.HasPrefix(msg, c.msg) {
			t.Errorf("%s: got %s %q, want %s %q", c.body, param, msg, c.param, c.msg)
		}
	}
	// The derived schema, shared by every route using the struct, is left as it was.
	if _, param, _ := validate(t, FromStruct(stripe.CheckoutSessionCreateParams{}), "tax_id_collection[required]=never"); param != "" {
		t.Errorf("ApplySpec changed the shared schema: %s is required", param)
	}
	// An id-or-object's fields are required only in its object form.
	charge := FromStruct(stripe.ChargeCreateParams{}).
		With("card", StringOrObject(map[string]*Schema{"number": String(), "exp_month": Integer(), "exp_year": Integer()})).
		ApplySpec("/v1/charges")
	for body, want := range map[string]string{"card=tok_visa": "", "card[number]=4242424242424242&card[exp_month]=12": "card[exp_year]"} {
		if _, param, msg := validate(t, charge, body); param != want {
			t.Errorf("%s: %s %q, want %s", body, param, msg, want)
		}
	}
}

// The spec's enums restrict strings and arrays of strings the table left
// open; a table's own list stays.
func TestApplySpecEnums(t *testing.T) {
	s := FromStruct(stripe.CheckoutSessionCreateParams{}).Enum("mode", "payment").ApplySpec("/v1/checkout/sessions")
	cases := []struct{ body, param, msg string }{
		{"billing_address_collection=sometimes", "billing_address_collection", "Invalid billing_address_collection: must be one of auto or required"},
		{"payment_method_options[card][restrictions][brands_blocked][0]=visa&payment_method_options[card][restrictions][brands_blocked][1]=nope",
			"payment_method_options[card][restrictions][brands_blocked][1]", "Invalid payment_method_options[card][restrictions][brands_blocked][1]: must be one of american_express, "},
		// An enum Stripe does not validate (x-stripeBypassValidation) takes any value.
		{"payment_method_types[0]=card&payment_method_types[1]=new_method", "", ""},
		{"mode=setup", "mode", "Invalid mode: must be one of payment"},
		{"billing_address_collection=auto&payment_method_types[0]=card&mode=payment", "", ""},
	}
	for _, c := range cases {
		_, param, msg := validate(t, s, c.body)
		if param != c.param || !strings.HasPrefix(msg, c.msg) {
			t.Errorf("%s: got %s %q, want %s %q", c.body, param, msg, c.param, c.msg)
		}
	}
}

// A flag sent true stands for the required fields it names (a client's
// infer_from_client for a mandate's ip_address); sent false, or not at
// all, it does not.
func TestRequiredUnless(t *testing.T) {
	s := Object(map[string]*Schema{"online": Object(map[string]*Schema{"ip": String(), "infer": Bool()})})
	s = s.at("online", func(p *Schema, name string) {
		online := p.Fields[name].clone()
		online.Required = []string{"ip"}
		p.Fields[name] = online
	}).RequiredUnless("online.ip", "infer")
	for body, wantParam := range map[string]string{
		"online[infer]=true": "", "online[ip]=1.2.3.4": "", "online[infer]=false": "online[ip]", "online[infer]=True": "",
	} {
		_, param, msg := validate(t, s, body)
		if param != wantParam {
			t.Errorf("%s: %q %q", body, param, msg)
		}
	}
}
