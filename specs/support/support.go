// Package support is what every spec suite shares: an emulator per spec
// whose every response is checked strictly against stripe-go's types and
// against Stripe's OpenAPI spec.
package support

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/emulator/clock"
	"github.com/stripe-emu/stripe-emu/emulator/wirecheck"
)

// Epoch is where every spec's clock starts.
var Epoch = time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)

// Ctx is the context specs pass to stripe-go.
var Ctx = context.Background()

// CheckAccountEvents holds a connected account's events to stripe-go's
// types and Stripe's OpenAPI spec, as Emulator does for the platform's
// when the spec ends.
func CheckAccountEvents(emu *emulator.Emulator, acct string) {
	GinkgoHelper()
	for _, ev := range emu.Events(acct) {
		b, _ := json.Marshal(ev)
		Expect(wirecheck.Check(b)).To(Succeed(), "event %v", ev["type"])
	}
}

// Emulator starts an emulator for the current spec. Every JSON response its
// Client() receives must decode strictly into the stripe-go v82 type of its
// "object" and satisfy Stripe's OpenAPI spec (required fields, nulls, enum
// values, expandable fields: see wirecheck), and so must every event the
// platform recorded; a mismatch fails the spec when it ends.
func Emulator(opts ...emulator.Option) *emulator.Emulator {
	GinkgoHelper()
	var mu sync.Mutex
	var problems []string
	transport := wirecheck.Transport(http.DefaultTransport, func(method, path string, err error) {
		mu.Lock()
		problems = append(problems, fmt.Sprintf("%s %s: %v", method, path, err))
		mu.Unlock()
	})
	opts = append([]emulator.Option{
		emulator.WithHTTPClient(&http.Client{Transport: transport}),
		// Time stands still unless the spec moves it, so timestamps are exact.
		emulator.WithClock(clock.NewFrozen(Epoch)),
	}, opts...)
	emu := emulator.Start(GinkgoT(), opts...)
	DeferCleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		// The platform's events too: they are what webhooks deliver, and
		// hold objects as background work (the clock) left them.
		for _, ev := range emu.Events("") {
			b, _ := json.Marshal(ev)
			if err := wirecheck.Check(b); err != nil {
				problems = append(problems, fmt.Sprintf("event %v %v: %v", ev["id"], ev["type"], err))
			}
		}
		Expect(problems).To(BeEmpty(), "responses that do not decode strictly into stripe-go types or break Stripe's OpenAPI spec")
	})
	return emu
}

// StripeErr asserts err is a Stripe API error and returns it.
func StripeErr(err error) *stripe.Error {
	GinkgoHelper()
	Expect(err).To(HaveOccurred())
	var se *stripe.Error
	Expect(err).To(BeAssignableToTypeOf(se), "not a *stripe.Error: %v", err)
	return err.(*stripe.Error)
}

// ExpectStripeError asserts err is Stripe's error answer with this HTTP
// status, type, code and param ("" where Stripe sends none).
func ExpectStripeError(err error, status int, typ, code, param string) {
	GinkgoHelper()
	se := StripeErr(err)
	Expect(se.HTTPStatusCode).To(Equal(status), "status of %v", err)
	Expect(string(se.Type)).To(Equal(typ), "type of %v", err)
	Expect(string(se.Code)).To(Equal(code), "code of %v", err)
	Expect(se.Param).To(Equal(param), "param of %v", err)
	Expect(se.Msg).NotTo(BeEmpty())
}

// OnAccount returns params' Params with Stripe-Account set, for chaining in
// stripe-go calls: support.OnAccount(&p.Params, acct).
func OnAccount(p *stripe.Params, account string) { p.SetStripeAccount(account) }

// Seller is a connected account a platform can make destination charges
// to: p (an Express account when nil) with the card_payments and transfers
// capabilities requested, and its onboarding completed, which makes them
// active (Stripe refuses transfer_data[destination] to an account whose
// transfers capability is not).
func Seller(emu *emulator.Emulator, p *stripe.AccountCreateParams) *stripe.Account {
	GinkgoHelper()
	if p == nil {
		p = &stripe.AccountCreateParams{Type: stripe.String("express")}
	}
	if p.Capabilities == nil {
		p.Capabilities = &stripe.AccountCreateCapabilitiesParams{
			CardPayments: &stripe.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
			Transfers:    &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)},
		}
	}
	sc := emu.Client()
	a, err := sc.V1Accounts.Create(Ctx, p)
	Expect(err).NotTo(HaveOccurred())
	status, body, err := emu.Call("POST", "/v1/test_helpers/accounts/"+a.ID+"/complete_onboarding", nil, "")
	Expect(err).NotTo(HaveOccurred())
	Expect(status).To(Equal(200), "%v", body)
	a, err = sc.V1Accounts.GetByID(Ctx, a.ID, nil)
	Expect(err).NotTo(HaveOccurred())
	return a
}

// Transfers is the capability a spec's Custom account asks for when it
// needs no other: Stripe requires capabilities on an account without a
// Dashboard.
func Transfers() *stripe.AccountCreateCapabilitiesParams {
	return &stripe.AccountCreateCapabilitiesParams{
		Transfers: &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)},
	}
}

// ManualPayouts puts account ("" the platform) on a manual payout schedule,
// as a test account must be whose available balance a spec reads (or
// spends) after moving the clock past a day: on Stripe's default daily
// schedule the balance is paid out automatically each day.
func ManualPayouts(emu *emulator.Emulator, account string) {
	GinkgoHelper()
	if account == "" {
		account = emu.Platform()
	}
	_, err := emu.Client().V1Accounts.Update(Ctx, account, &stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{
		Payouts: &stripe.AccountUpdateSettingsPayoutsParams{Schedule: &stripe.AccountUpdateSettingsPayoutsScheduleParams{
			Interval: stripe.String("manual")}}}})
	Expect(err).NotTo(HaveOccurred())
}
