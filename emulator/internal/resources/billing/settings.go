package billing

import (
	"encoding/json"
	"fmt"

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

// Settings are one account's Billing settings.
type Settings struct {
	SubscriptionAfterRetries string `json:"subscription_after_retries"`
}

// DefaultSettings are a new Stripe account's.
func DefaultSettings() Settings { return Settings{SubscriptionAfterRetries: AfterRetriesCancel} }

func settingsKey(account string) string { return "billing_settings:" + account }

// LoadSettings reads an account's settings (the defaults until set).
func LoadSettings(tx *store.Tx, account string) Settings {
	s := DefaultSettings()
	if raw, ok := tx.GetMeta(settingsKey(account)); ok {
		_ = json.Unmarshal([]byte(raw), &s)
	}
	return s
}

// SaveSettings checks and stores an account's settings; an empty field
// keeps its default.
func SaveSettings(tx *store.Tx, account string, s Settings) error {
	switch s.SubscriptionAfterRetries {
	case "":
		s.SubscriptionAfterRetries = AfterRetriesCancel
	case AfterRetriesCancel, AfterRetriesUnpaid, AfterRetriesPastDue:
	default:
		return fmt.Errorf("subscription_after_retries %q: must be one of cancel, unpaid, past_due", s.SubscriptionAfterRetries)
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return tx.SetMeta(settingsKey(account), string(raw))
}
