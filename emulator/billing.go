package emulator

import (
	"fmt"

	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billing"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Outcomes for BillingSettings.SubscriptionAfterRetries.
const (
	CancelAfterRetries  = billing.AfterRetriesCancel
	UnpaidAfterRetries  = billing.AfterRetriesUnpaid
	PastDueAfterRetries = billing.AfterRetriesPastDue
)

// Outcomes for BillingSettings.InvoiceAfterRetries.
const (
	InvoicePastDueAfterRetries       = billing.InvoiceAfterRetriesPastDue
	InvoiceUncollectibleAfterRetries = billing.InvoiceAfterRetriesUncollectible
)

// BillingSettings are an account's Billing settings that Stripe keeps in
// its Dashboard rather than the API, so tests set them here.
type BillingSettings struct {
	// SubscriptionAfterRetries is what happens to a subscription once
	// every retry of a renewal failed: "cancel" (Stripe's default),
	// "unpaid" (it stays; later invoices stay drafts and are not charged)
	// or "past_due" (it stays past_due and keeps renewing).
	SubscriptionAfterRetries string `json:"subscription_after_retries"`
	// InvoiceAfterRetries is what happens to the invoice whose every
	// automatic attempt failed: "past_due" (Stripe's default: it stays
	// open) or "uncollectible" (it is marked uncollectible).
	InvoiceAfterRetries string `json:"invoice_after_retries"`
	// SubscriptionAfterDue is what happens to a subscription invoiced by
	// email (send_invoice) once an invoice of it is still unpaid
	// DaysAfterDue days after its due date (it went past_due at the due
	// date): "cancel" (the default), "unpaid" or "past_due", as
	// SubscriptionAfterRetries. The Dashboard's "Manage invoices sent to
	// customers" setting.
	SubscriptionAfterDue string `json:"subscription_after_due"`
	// DaysAfterDue is that deadline in days after the due date, 1 to 365;
	// 0 keeps the default, 30.
	DaysAfterDue int `json:"days_after_due"`
	// RetryDays is the custom retry schedule of failed automatic payments:
	// for each retry, the days after the previous attempt (1 to 60, at
	// most 8 retries). nil keeps the default, 3, 2, 2 (retries 3, 5 and 7
	// days after the first attempt); an empty slice retries never. Stripe's
	// Smart Retries choose their own times and are not emulated.
	RetryDays []int `json:"retry_days"`
}

// BillingSettings returns an account's settings ("" = the platform).
func (e *Emulator) BillingSettings(account string) BillingSettings {
	var s billing.Settings
	_ = e.env.Store.View(func(tx *store.Tx) error {
		s = billing.LoadSettings(tx, e.accountOrPlatform(account))
		return nil
	})
	return BillingSettings(s)
}

// SetBillingSettings changes an account's settings ("" = the platform);
// empty fields take Stripe's defaults.
func (e *Emulator) SetBillingSettings(account string, s BillingSettings) error {
	acct := e.accountOrPlatform(account)
	return e.env.Store.Update(func(tx *store.Tx) error {
		if acct != e.env.Platform && !tx.Exists(e.env.Platform, "account", acct) {
			return fmt.Errorf("no such account: %s", acct)
		}
		return billing.SaveSettings(tx, acct, billing.Settings(s))
	})
}

func (e *Emulator) accountOrPlatform(account string) string {
	if account == "" {
		return e.env.Platform
	}
	return account
}
