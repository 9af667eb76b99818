// Package payments serves payment methods, PaymentIntents, charges,
// refunds, disputes and SetupIntents with Stripe's state machine and test
// cards, the ConfirmationTokens that confirm intents, balances, and the
// money Connect moves: transfers and their reversals, application fees
// and their refunds; manual payouts and top-ups.
package payments

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Kinds are the objects this family owns.
func Kinds() []*api.Kind {
	return []*api.Kind{PaymentMethodKind, PaymentIntentKind, ChargeKind, BalanceTransactionKind, RefundKind, SetupIntentKind, DisputeKind,
		TransferKind, TransferReversalKind, ApplicationFeeKind, FeeRefundKind, CardKind, TokenKind, PayoutKind,
		ReviewKind, EarlyFraudWarningKind, MandateKind, SetupAttemptKind, MethodConfigurationKind, ConfirmationTokenKind, TopupKind, CashBalanceTransactionKind}
}

// Routes are this family's endpoints.
func Routes() []api.Route {
	var out []api.Route
	for _, t := range [][]api.Route{paymentMethodRoutes(), methodConfigurationRoutes(), intentRoutes(), chargeRoutes(), refundRoutes(), setupIntentRoutes(), balanceRoutes(), disputeRoutes(), connectRoutes(), tokenRoutes(), payoutRoutes(), legacyRoutes(), radarRoutes(), mandateRoutes(), setupAttemptRoutes(), confirmationTokenRoutes(), topupRoutes(), cashBalanceRoutes()} {
		out = append(out, t...)
	}
	return out
}

// Timers are the family's time-driven work: bank debits settling, funds
// becoming available, uncaptured charges and PaymentIntents expiring, payouts reaching the
// bank, unverified microdeposits timing out, top-ups' debits ending.
func Timers() []api.Timer {
	return []api.Timer{settleTimer, availableTimer, expiryTimer, intentExpiryTimer, payoutTimer, intentMicrodepositTimer, setupMicrodepositTimer, topupTimer, refundTimer, autoPayoutTimer, voucherTimer}
}

const (
	scratchCustomerPM   = "payments.customer_payment_method"
	scratchCustomerCard = "payments.customer_card"
)

func init() {
	customers.Sources = customerSources
	customers.UpdateSources = func(c *api.Call, cus store.Obj) error {
		if err := updateCustomerSources(c, cus); err != nil {
			return err
		}
		// cash_balance[settings][reconciliation_mode], as on create.
		return applyCashSettings(c, api.Str(cus["id"]), "cash_balance.settings.reconciliation_mode")
	}
	// customer[source] saves a card on the new customer, its default
	// source (customer.created shows it), with customer.source.created
	// once the customer exists.
	customers.CreateHooks = append(customers.CreateHooks, func(c *api.Call, cus store.Obj) error {
		if src, _ := c.Params.Str("source"); src == "" {
			return nil
		}
		card, err := customerCardFromSource(c)
		if err != nil {
			return err
		}
		if err := attachable(c, card, api.Str(cus["id"])); err != nil {
			return err
		}
		cus["default_source"] = card["id"]
		c.SetScratch(scratchCustomerCard, card)
		return nil
	})
	customers.AfterCreateHooks = append(customers.AfterCreateHooks, func(c *api.Call, cus store.Obj) error {
		if card, _ := c.Scratch(scratchCustomerCard).(store.Obj); card != nil {
			return saveCard(c, card)
		}
		return nil
	})
	// customer[payment_method] attaches a payment method on creation. A
	// magic id (pm_card_visa) becomes a real PaymentMethod first, and an
	// invoice_settings[default_payment_method] naming the same id points at
	// that new object, as Stripe's own quickstarts rely on.
	customers.CreateHooks = append(customers.CreateHooks, func(c *api.Call, cus store.Obj) error {
		pmID, ok := c.Params.Str("payment_method")
		if !ok || pmID == "" {
			return nil
		}
		pm, err := resolvePaymentMethod(c, pmID, "payment_method")
		if err != nil {
			return err
		}
		c.SetScratch(scratchCustomerPM, pm)
		if is, _ := cus["invoice_settings"].(map[string]any); is != nil && is["default_payment_method"] == pmID {
			is["default_payment_method"] = pm["id"]
		}
		return nil
	})
	customers.AfterCreateHooks = append(customers.AfterCreateHooks, func(c *api.Call, cus store.Obj) error {
		pm, _ := c.Scratch(scratchCustomerPM).(store.Obj)
		if pm == nil {
			return nil
		}
		_, err := attach(c, pm, api.Str(cus["id"]), "payment_method")
		return err
	})
	customers.DefaultPaymentMethodCheck = func(c *api.Call, cus store.Obj, pmID string) error {
		if attaching, _ := c.Params.Str("payment_method"); attaching == pmID {
			// Only customer creation takes payment_method: the CreateHooks
			// above resolve and attach it in this very request.
			return nil
		}
		pm, ok := c.Tx.Get(c.Account, "payment_method", pmID)
		if !ok {
			return apierr.NoSuchObject("PaymentMethod", pmID, "invoice_settings[default_payment_method]")
		}
		if api.Str(pm["customer"]) != api.Str(cus["id"]) {
			return apierr.InvalidRequest("The customer does not have a payment method with the ID %s. The payment method must be attached to the customer.", pmID).WithParam("invoice_settings[default_payment_method]")
		}
		return nil
	}
}
