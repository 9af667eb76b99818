package form

import (
	"reflect"
	"testing"

	"github.com/stripe/stripe-go/v82"
	stripeform "github.com/stripe/stripe-go/v82/form"
)

func TestParseShapes(t *testing.T) {
	cases := map[string]map[string]any{
		"":                                       {},
		"email=a%40b.c&name=A+B":                 {"email": "a@b.c", "name": "A B"},
		"metadata[k]=v&metadata[0]=z":            {"metadata": map[string]any{"k": "v", "0": "z"}},
		"expand[]=a&expand[]=b":                  {"expand": []any{"a", "b"}},
		"expand[0]=a&expand[1]=b":                {"expand": map[string]any{"0": "a", "1": "b"}},
		"items[0][price]=p&items[0][quantity]=2": {"items": map[string]any{"0": map[string]any{"price": "p", "quantity": "2"}}},
		"items[][price]=p&items[][quantity]=2&items[][price]=q": {"items": []any{
			map[string]any{"price": "p", "quantity": "2"}, map[string]any{"price": "q"}}},
		"description=": {"description": ""},
		"a&b=1":        {"a": "", "b": "1"},
	}
	for in, want := range cases {
		got, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%q) = %#v, want %#v", in, got, want)
		}
	}
}

// A v2 query's arrays come as repeated keys from stripe-node (qs's
// "repeat" format); in v1 a repeated key keeps its last value.
func TestParseRepeated(t *testing.T) {
	cases := map[string]map[string]any{
		"include=a":                             {"include": "a"},
		"include=a&include=b":                   {"include": []any{"a", "b"}},
		"include=a&limit=2&include=b&include=c": {"include": []any{"a", "b", "c"}, "limit": "2"},
		"o[k]=1&o[k]=2":                         {"o": map[string]any{"k": []any{"1", "2"}}},
	}
	for in, want := range cases {
		got, err := ParseRepeated(in)
		if err != nil {
			t.Errorf("ParseRepeated(%q): %v", in, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParseRepeated(%q) = %#v, want %#v", in, got, want)
		}
	}
	if got, _ := Parse("include=a&include=b"); !reflect.DeepEqual(got, map[string]any{"include": "b"}) {
		t.Errorf("Parse kept %#v of a repeated key, want its last value", got)
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	for _, in := range []string{
		"email=%zz", "%zz=1", "a[b=1", "a]=1", "[a]=1", "a[b]c=1", "a=1&a[b]=2", "a[b]=2&a=1",
		"a[][]=1", "a[b][c[d]]=1", "a[]=1&a[b]=2",
	} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) accepted malformed input", in)
		}
	}
}

func TestParseLimits(t *testing.T) {
	deep := "a"
	for i := 0; i < MaxDepth+1; i++ {
		deep += "[x]"
	}
	if _, err := Parse(deep + "=1"); err == nil {
		t.Error("too deep a key was accepted")
	}
}

// stripe-go's own encoder must always decode.
func TestParseStripeGoEncodings(t *testing.T) {
	p := &stripe.PriceCreateParams{
		Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1500), Product: stripe.String("prod_1"),
		Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
		Metadata:  map[string]string{"a b": "c&d", "0": "zero"},
	}
	p.AddExpand("product")
	v := &stripeform.Values{}
	stripeform.AppendTo(v, p)
	got, err := Parse(v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if got["currency"] != "usd" || got["unit_amount"] != "1500" {
		t.Errorf("scalars: %#v", got)
	}
	if md := got["metadata"].(map[string]any); md["a b"] != "c&d" || md["0"] != "zero" {
		t.Errorf("metadata: %#v", md)
	}
	if rec := got["recurring"].(map[string]any); rec["interval"] != "month" {
		t.Errorf("recurring: %#v", rec)
	}
	if ex := got["expand"].(map[string]any); ex["0"] != "product" {
		t.Errorf("expand: %#v", ex)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"email=a%40b.c", "items[0][price]=p", "expand[]=x&expand[]=y", "a[][b]=1&a[][b]=2", "a[b=1", "%", "a=1&a[b]=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tree, err := Parse(s)
		if err == nil && tree == nil {
			t.Fatal("nil tree without error")
		}
	})
}

// stripe-go sends a token-or-details parameter both as the value and as
// [token] (external_account=btok_…&external_account[token]=btok_…): that
// is the value, in either order; any other mix stays an error.
func TestTokenGivenTwiceIsTheValue(t *testing.T) {
	for _, body := range []string{"external_account=btok_1&external_account[token]=btok_1", "external_account[token]=btok_1&external_account=btok_1"} {
		got, err := Parse(body)
		if err != nil || got["external_account"] != "btok_1" {
			t.Fatalf("%s: %v %v", body, got, err)
		}
	}
	for _, body := range []string{"a=1&a[token]=2", "a[token]=2&a=1", "a=1&a[b]=1", "a[token]=1&a[x]=2&a=1"} {
		if _, err := Parse(body); err == nil {
			t.Fatalf("%s accepted", body)
		}
	}
}
