package billing

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// What happens to a subscription once every retry of a renewal invoice
// failed: the "Manage failed payments" choice Stripe keeps in the
// Dashboard's Billing settings, not in the API.
const (
	AfterRetriesCancel  = "cancel"   // Stripe's default: the subscription is canceled
	AfterRetriesUnpaid  = "unpaid"   // it stays, unpaid: later invoices stay drafts, nothing is charged
	AfterRetriesPastDue = "past_due" // it stays past_due and keeps renewing
)

// What happens to the invoice itself once every retry failed (the same
// Dashboard section's "invoice status" choice).
const (
	InvoiceAfterRetriesPastDue       = "past_due"      // Stripe's default: it stays open, past due
	InvoiceAfterRetriesUncollectible = "uncollectible" // it is marked uncollectible
)

// Settings are one account's Billing settings.
type Settings struct {
	SubscriptionAfterRetries string `json:"subscription_after_retries"`
	InvoiceAfterRetries      string `json:"invoice_after_retries"`
	// SubscriptionAfterDue is what happens to a subscription invoiced by
	// email (send_invoice) whose invoice is still unpaid DaysAfterDue days
	// after its due date (the Dashboard's "Manage invoices sent to
	// customers" choice): cancel, unpaid or past_due, as after retries.
	SubscriptionAfterDue string `json:"subscription_after_due"`
	DaysAfterDue         int    `json:"days_after_due"`
	// RetryDays is the custom retry schedule: for each automatic retry of
	// a failed invoice, the days after the previous attempt. Stripe's
	// Smart Retries pick their own times, which cannot be emulated; this
	// schedule stands for them.
	RetryDays []int `json:"retry_days"`
}

// DefaultRetryDays retry a failed invoice 3, 5 and 7 days after its first
// attempt: four attempts in all.
var DefaultRetryDays = []int{3, 2, 2}

// DefaultDaysAfterDue is how long past its due date an emailed
// subscription invoice may stay unpaid before SubscriptionAfterDue applies.
const DefaultDaysAfterDue = 30

// MaxDaysAfterDue bounds DaysAfterDue: a year.
const MaxDaysAfterDue = 365

// MaxRetries is how many retries a schedule may have (Smart Retries retry
// up to eight times).
const MaxRetries = 8

// DefaultSettings are a new Stripe account's.
func DefaultSettings() Settings {
	// A copy: settings read from JSON are decoded over these.
	return Settings{SubscriptionAfterRetries: AfterRetriesCancel, InvoiceAfterRetries: InvoiceAfterRetriesPastDue, RetryDays: slices.Clone(DefaultRetryDays),
		SubscriptionAfterDue: AfterRetriesCancel, DaysAfterDue: DefaultDaysAfterDue}
}

func settingsKey(account string) string { return "billing_settings:" + account }

// LoadSettings reads an account's settings (the defaults until set).
func LoadSettings(tx *store.Tx, account string) Settings {
	s := DefaultSettings()
	if raw, ok := tx.GetMeta(settingsKey(account)); ok {
		_ = json.Unmarshal([]byte(raw), &s)
	}
	return s
}

// lapseAction checks a setting saying what becomes of a subscription left
// unpaid (see lapse); empty is the default, cancel.
func lapseAction(setting, v string) (string, error) {
	switch v {
	case "":
		return AfterRetriesCancel, nil
	case AfterRetriesCancel, AfterRetriesUnpaid, AfterRetriesPastDue:
		return v, nil
	}
	return "", fmt.Errorf("%s %q: must be one of cancel, unpaid, past_due", setting, v)
}

// SaveSettings checks and stores an account's settings; an empty field
// keeps its default (an empty, not absent, retry_days: no retries).
func SaveSettings(tx *store.Tx, account string, s Settings) error {
	var err error
	if s.SubscriptionAfterRetries, err = lapseAction("subscription_after_retries", s.SubscriptionAfterRetries); err != nil {
		return err
	}
	switch s.InvoiceAfterRetries {
	case "":
		s.InvoiceAfterRetries = InvoiceAfterRetriesPastDue
	case InvoiceAfterRetriesPastDue, InvoiceAfterRetriesUncollectible:
	default:
		return fmt.Errorf("invoice_after_retries %q: must be past_due or uncollectible", s.InvoiceAfterRetries)
	}
	if s.SubscriptionAfterDue, err = lapseAction("subscription_after_due", s.SubscriptionAfterDue); err != nil {
		return err
	}
	switch {
	case s.DaysAfterDue == 0:
		s.DaysAfterDue = DefaultDaysAfterDue
	case s.DaysAfterDue < 0 || s.DaysAfterDue > MaxDaysAfterDue:
		return fmt.Errorf("days_after_due: %d: must be 1 to %d days", s.DaysAfterDue, MaxDaysAfterDue)
	}
	if s.RetryDays == nil {
		s.RetryDays = slices.Clone(DefaultRetryDays)
	}
	if len(s.RetryDays) > MaxRetries {
		return fmt.Errorf("retry_days: at most %d retries", MaxRetries)
	}
	for _, d := range s.RetryDays {
		if d < 1 || d > 60 {
			return fmt.Errorf("retry_days: %d: each retry comes 1 to 60 days after the previous attempt", d)
		}
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return tx.SetMeta(settingsKey(account), string(raw))
}
