package emulator_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
)

func TestGetAsDecodesIntoTheStripeGoType(t *testing.T) {
	emu := emulator.Start(t)
	sc := emu.Client()
	ctx := context.Background()
	cus, err := sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("a@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	pi, err := sc.V1PaymentIntents.Create(ctx, &stripe.PaymentIntentCreateParams{
		Amount: stripe.Int64(1999), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
		PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
		AutomaticPaymentMethods: &stripe.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true), AllowRedirects: stripe.String("never")},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := emulator.GetAs[stripe.PaymentIntent](emu, "", pi.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != pi.ID || got.Amount != 1999 || got.Status != stripe.PaymentIntentStatusSucceeded ||
		got.Customer == nil || got.Customer.ID != cus.ID || got.LatestCharge == nil || got.LatestCharge.ID != pi.LatestCharge.ID {
		t.Errorf("GetAs[PaymentIntent] = %+v; want the confirmed PaymentIntent %s", got, pi.ID)
	}
	ch, err := emulator.GetAs[stripe.Charge](emu, "", pi.LatestCharge.ID)
	if err != nil || !ch.Paid || ch.AmountCaptured != 1999 || ch.PaymentIntent.ID != pi.ID {
		t.Errorf("GetAs[Charge] = %+v, %v", ch, err)
	}
}

// A PaymentIntent's id asked for as a Customer would decode id and
// metadata and leave the rest zero: a typo a test must hear about.
func TestGetAsRefusesAnotherKindsType(t *testing.T) {
	emu := emulator.Start(t)
	_, pi, _ := emu.Call("POST", "/v1/payment_intents", url.Values{"amount": {"500"}, "currency": {"usd"}}, "")
	got, err := emulator.GetAs[stripe.Customer](emu, "", pi["id"].(string))
	if err == nil || !strings.Contains(err.Error(), "payment_intent") || !strings.Contains(err.Error(), "stripe.Customer") {
		t.Errorf("GetAs[Customer](%s) = %+v, %v; want an error naming payment_intent and stripe.Customer", pi["id"], got, err)
	}
	_, sess, _ := emu.Call("POST", "/v1/checkout/sessions", url.Values{
		"mode": {"payment"}, "success_url": {"https://example.com/ok"},
		"line_items[0][price_data][currency]": {"usd"}, "line_items[0][price_data][unit_amount]": {"500"},
		"line_items[0][price_data][product_data][name]": {"T-shirt"}, "line_items[0][quantity]": {"1"},
	}, "")
	if s, err := emulator.GetAs[stripe.CheckoutSession](emu, "", sess["id"].(string)); err != nil || s.Mode != stripe.CheckoutSessionModePayment {
		t.Errorf("GetAs[CheckoutSession] = %+v, %v", s, err)
	}
	// A type of the test's own takes any object.
	type idOnly struct{ ID string }
	if v, err := emulator.GetAs[idOnly](emu, "", pi["id"].(string)); err != nil || v.ID != pi["id"] {
		t.Errorf("GetAs[idOnly] = %+v, %v", v, err)
	}
}

func TestGetAsOfAMissingObjectIsAnError(t *testing.T) {
	emu := emulator.Start(t)
	_, acct, _ := emu.Call("POST", "/v1/accounts", url.Values{"type": {"standard"}}, "")
	_, cus, _ := emu.Call("POST", "/v1/customers", url.Values{"email": {"a@example.com"}}, acct["id"].(string))
	id := cus["id"].(string)
	if c, err := emulator.GetAs[stripe.Customer](emu, acct["id"].(string), id); err != nil || c.Email != "a@example.com" {
		t.Errorf("GetAs in the connected account = %+v, %v", c, err)
	}
	// The connected account's customer is not the platform's.
	if c, err := emulator.GetAs[stripe.Customer](emu, "", id); err == nil || !strings.Contains(err.Error(), id) || !strings.Contains(err.Error(), "platform") {
		t.Errorf("GetAs on the platform = %+v, %v; want an error naming %s and the platform", c, err, id)
	}
}

func TestListReturnsLiveObjectsOldestFirst(t *testing.T) {
	emu := emulator.Start(t)
	var ids []string
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		_, cus, _ := emu.Call("POST", "/v1/customers", url.Values{"email": {email}}, "")
		ids = append(ids, cus["id"].(string))
	}
	if code, _, _ := emu.Call("DELETE", "/v1/customers/"+ids[1], nil, ""); code != 200 {
		t.Fatalf("delete: %d", code)
	}
	got := emu.List("", "customer")
	if len(got) != 2 || got[0]["id"] != ids[0] || got[1]["id"] != ids[2] {
		t.Errorf("List(customer) = %v; want %s then %s", got, ids[0], ids[2])
	}
	typed, err := emulator.ListAs[stripe.Customer](emu, "", "customer")
	if err != nil || len(typed) != 2 || typed[0].Email != "a@example.com" || typed[1].Email != "c@example.com" {
		t.Errorf("ListAs[Customer] = %v, %v", typed, err)
	}
	if _, err := emulator.ListAs[stripe.Product](emu, "", "customer"); err == nil {
		t.Error("ListAs[Product] of customers: no error")
	}
	if n := len(emu.List("", "product")); n != 0 {
		t.Errorf("List(product) = %d objects", n)
	}
}

func TestListOfAnUnknownTypePanicsNamingTheType(t *testing.T) {
	emu := emulator.Start(t)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `"customer"`) {
			t.Errorf("List(customers) recovered %v; want a panic pointing at \"customer\"", r)
		}
	}()
	emu.List("", "customers")
}

// An invoice shows its lines as GET does: ten, has_more saying the rest
// are at the list's url.
func TestGetAsShowsAnInvoicesLinesAsGETDoes(t *testing.T) {
	emu := emulator.Start(t)
	_, cus, _ := emu.Call("POST", "/v1/customers", nil, "")
	for i := 0; i < 12; i++ {
		emu.Call("POST", "/v1/invoiceitems", url.Values{"customer": {cus["id"].(string)}, "amount": {"100"}, "currency": {"usd"}}, "")
	}
	_, inv, _ := emu.Call("POST", "/v1/invoices", url.Values{"customer": {cus["id"].(string)}, "pending_invoice_items_behavior": {"include"}}, "")
	got, err := emulator.GetAs[stripe.Invoice](emu, "", inv["id"].(string))
	if err != nil || got.Lines == nil || len(got.Lines.Data) != 10 || !got.Lines.HasMore || got.Total != 1200 {
		t.Errorf("GetAs[Invoice] = %+v, %v; want 10 of 12 lines shown, total 1200", got, err)
	}
}

// A misspelt account id reads as an empty account, where an assertion that
// something is absent (story 2: another account's customer) could never
// fail: the inspection methods refuse it.
func TestInspectingAnAccountTheEmulatorNeverMadePanics(t *testing.T) {
	emu := emulator.Start(t)
	_, acct, _ := emu.Call("POST", "/v1/accounts", url.Values{"type": {"standard"}}, "")
	_, cus, _ := emu.Call("POST", "/v1/customers", nil, acct["id"].(string))
	const typo = "acct_1NotMadeHere"
	for name, read := range map[string]func(){
		"Count":      func() { emu.Count(typo, "customer") },
		"Events":     func() { emu.Events(typo) },
		"EventTypes": func() { emu.EventTypes(typo) },
		"List":       func() { emu.List(typo, "customer") },
		"GetIn":      func() { emu.GetIn(typo, cus["id"].(string)) },
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.Contains(r, name) || !strings.Contains(r, typo) {
					t.Errorf("%s(%s) recovered %q; want a panic naming %s and the account", name, typo, r, name)
				}
			}()
			read()
		}()
	}
	if _, err := emulator.GetAs[stripe.Customer](emu, typo, cus["id"].(string)); err == nil || !strings.Contains(err.Error(), typo) {
		t.Errorf("GetAs in %s: %v; want an error naming the account", typo, err)
	}
	// The accounts it made read as before, the platform's id as "".
	if n := emu.Count(acct["id"].(string), "customer"); n != 1 {
		t.Errorf("Count in the connected account = %d", n)
	}
	if n := emu.Count(emu.Platform(), "customer"); n != 0 {
		t.Errorf("Count on the platform by its id = %d", n)
	}
}

// A deleted connected account can still be read, events or none.
func TestInspectingADeletedAccountsEvents(t *testing.T) {
	emu := emulator.Start(t)
	_, acct, _ := emu.Call("POST", "/v1/accounts", url.Values{"type": {"custom"}, "country": {"US"},
		"capabilities[transfers][requested]": {"true"}}, "")
	id := acct["id"].(string)
	emu.Call("POST", "/v1/customers", nil, id)
	if code, _, _ := emu.Call("DELETE", "/v1/accounts/"+id, nil, ""); code != 200 {
		t.Fatalf("delete: %d", code)
	}
	if got := emu.EventTypes(id); len(got) == 0 || got[0] != "customer.created" {
		t.Errorf("EventTypes of the deleted account = %v", got)
	}
	_, bare, _ := emu.Call("POST", "/v1/accounts", url.Values{"type": {"express"}, "country": {"US"}}, "")
	emu.Call("DELETE", "/v1/accounts/"+bare["id"].(string), nil, "")
	if got := emu.EventTypes(bare["id"].(string)); len(got) != 0 || !emu.HasAccount(bare["id"].(string)) {
		t.Errorf("EventTypes of a deleted account without events = %v", got)
	}
}
