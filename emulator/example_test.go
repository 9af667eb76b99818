package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/emulator/clock"
)

// In a test, emulator.Start(t) serves the emulator on a free port and
// closes it when the test ends. Outside one (as here, in an example), New
// builds it and any server serves its Handler.
func Example() {
	emu, err := emulator.New()
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	emu.SetURL(srv.URL) // so Client knows where it is

	sc := emu.Client() // stripe-go v82, pointed at the emulator
	cus, err := sc.V1Customers.Create(context.Background(), &stripe.CustomerCreateParams{
		Email: stripe.String("jenny@example.com"),
	})
	if err != nil {
		log.Fatal(err)
	}
	got, _ := emu.Get(cus.ID) // the same customer, read without HTTP
	fmt.Println(got["email"], emu.Count("", "customer"), emu.EventTypes(""))
	// Output: jenny@example.com 1 [customer.created]
}

// Call seeds state through the API's own rules, in-process; a Stripe error
// is an answer like any other, with its status and error object.
func ExampleEmulator_Call() {
	emu, _ := emulator.New()
	defer emu.Close()

	_, prod, _ := emu.Call("POST", "/v1/products", url.Values{"name": {"Gold"}}, "")
	status, price, err := emu.Call("POST", "/v1/prices", url.Values{
		"product":             {prod["id"].(string)},
		"currency":            {"usd"},
		"unit_amount":         {"2000"},
		"recurring[interval]": {"month"},
	}, "")
	fmt.Println(status, price["object"], price["unit_amount"], err)

	status, answer, err := emu.Call("POST", "/v1/prices", url.Values{"product": {prod["id"].(string)}}, "")
	fmt.Println(status, answer["error"].(emulator.Object)["message"], err)
	// Output:
	// 200 price 2000 <nil>
	// 400 Missing required param: currency. <nil>
}

// A frozen clock moves only when told; moving it runs whatever became due
// (here a subscription's renewal) before Advance returns.
func ExampleEmulator_Clock() {
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	emu, _ := emulator.New(emulator.WithClock(clock.NewFrozen(start)))
	defer emu.Close()

	call := func(path string, form url.Values) emulator.Object {
		_, o, _ := emu.Call("POST", path, form, "")
		return o
	}
	cus := call("/v1/customers", url.Values{
		"payment_method": {"pm_card_visa"},
		"invoice_settings[default_payment_method]": {"pm_card_visa"},
	})
	prod := call("/v1/products", url.Values{"name": {"Gold"}})
	price := call("/v1/prices", url.Values{"product": {prod["id"].(string)}, "currency": {"usd"},
		"unit_amount": {"2000"}, "recurring[interval]": {"month"}})
	call("/v1/subscriptions", url.Values{"customer": {cus["id"].(string)}, "items[0][price]": {price["id"].(string)}})
	fmt.Println("invoices:", emu.Count("", "invoice"))

	emu.Clock().Advance(31*24*time.Hour + time.Hour)
	fmt.Println("invoices:", emu.Count("", "invoice"), "at", emu.Clock().Now().Format(time.DateOnly))
	// Output:
	// invoices: 1
	// invoices: 2 at 2030-02-01
}

// Listen points webhook deliveries at a handler of the test's; WaitIdle
// returns once every due delivery was attempted.
func ExampleWebhookControl_Listen() {
	emu, _ := emulator.New()
	defer emu.Close()

	var secret string
	received := make(chan string, 10)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := webhook.ConstructEvent(body, r.Header.Get("Stripe-Signature"), secret)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		received <- string(ev.Type)
	}))
	defer app.Close()

	_, secret, _ = emu.Webhooks().Listen(app.URL, "customer.created")
	emu.Call("POST", "/v1/customers", nil, "")
	if err := emu.Webhooks().WaitIdle(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(<-received, len(emu.Webhooks().Attempts()))
	// Output: customer.created 1
}

// Faults make the API fail as Stripe sometimes does, to test an app's
// retries.
func ExampleFaultControl_Fail() {
	emu, _ := emulator.New()
	defer emu.Close()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	emu.SetURL(srv.URL)

	emu.Faults().Fail("POST", "/v1/customers", emulator.FaultRateLimit, 1)
	_, err := emu.Client().V1Customers.Create(context.Background(), &stripe.CustomerCreateParams{})
	var se *stripe.Error
	if errors.As(err, &se) {
		fmt.Println(se.HTTPStatusCode, se.Code)
	}
	_, err = emu.Client().V1Customers.Create(context.Background(), &stripe.CustomerCreateParams{})
	fmt.Println(err)
	// Output:
	// 429 rate_limit
	// <nil>
}

// Reset starts over, as a suite sharing one emulator does between tests.
func ExampleEmulator_Reset() {
	emu, _ := emulator.New()
	defer emu.Close()
	emu.Call("POST", "/v1/customers", nil, "")
	platform := emu.Platform()

	if err := emu.Reset(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(emu.Count("", "customer"), len(emu.Events("")), emu.Platform() == platform)
	// Output: 0 0 true
}

// A data file keeps objects and events across emulators, one at a time.
func ExampleWithDataFile() {
	dir, _ := os.MkdirTemp("", "stripe-emu")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "stripe.db")

	first, _ := emulator.New(emulator.WithDataFile(path))
	_, cus, _ := first.Call("POST", "/v1/customers", url.Values{"name": {"Jenny"}}, "")
	if _, err := emulator.New(emulator.WithDataFile(path)); err != nil {
		fmt.Println("second emulator refused while the first is open")
	}
	first.Close()

	again, _ := emulator.New(emulator.WithDataFile(path))
	defer again.Close()
	got, _ := again.Get(cus["id"].(string))
	fmt.Println(got["name"], again.EventTypes(""))
	// Output:
	// second emulator refused while the first is open
	// Jenny [customer.created]
}

// GetAs and ListAs read objects straight into stripe-go's types, without
// HTTP: assertions on fields rather than on maps.
func ExampleGetAs() {
	emu, _ := emulator.New()
	defer emu.Close()
	_, prod, _ := emu.Call("POST", "/v1/products", url.Values{"name": {"Gold"}}, "")
	_, price, _ := emu.Call("POST", "/v1/prices", url.Values{
		"product": {prod["id"].(string)}, "currency": {"usd"}, "unit_amount": {"1500"},
		"recurring[interval]": {"month"},
	}, "")
	_, cus, _ := emu.Call("POST", "/v1/customers", url.Values{"payment_method": {"pm_card_visa"},
		"invoice_settings[default_payment_method]": {"pm_card_visa"}}, "")
	emu.Call("POST", "/v1/subscriptions", url.Values{
		"customer": {cus["id"].(string)}, "items[0][price]": {price["id"].(string)},
	}, "")

	subs, _ := emulator.ListAs[stripe.Subscription](emu, "", "subscription")
	inv, _ := emulator.GetAs[stripe.Invoice](emu, "", subs[0].LatestInvoice.ID)
	fmt.Println(len(subs), subs[0].Status, subs[0].Items.Data[0].Price.UnitAmount, inv.Status, inv.AmountPaid)

	_, err := emulator.GetAs[stripe.Customer](emu, "", inv.ID)
	fmt.Println(err != nil)
	// Output:
	// 1 active 1500 paid 1500
	// true
}
