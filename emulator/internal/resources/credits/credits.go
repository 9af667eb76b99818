// Package credits serves billing credits: credit grants
// (/v1/billing/credit_grants) giving a customer prepaid or promotional
// credit for metered usage, the ledger of credit balance transactions
// recording what each grant gained and lost, and the customer's credit
// balance summary. Billing applies the credit to invoices as they are
// finalized and gives it back when they are voided (the hooks of package
// billing); the clock makes grants take effect and expire.
package credits

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billing"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

const (
	grantObject   = "billing.credit_grant"
	txnObject     = "billing.credit_balance_transaction"
	summaryObject = "billing.credit_balance_summary"
)

// The objects this family owns. Their ids carry Stripe's test-mode
// infix, as billing meters' do.
var (
	GrantKind = &api.Kind{Object: grantObject, Prefix: "credgr_test_", Name: "credit grant",
		Expandable: []string{"customer", "test_clock"},
		Indexes:    []store.Index{{Name: "customer", Path: "customer"}}}
	TransactionKind = &api.Kind{Object: txnObject, Prefix: "cbtxn_test_", Name: "credit balance transaction",
		Expandable: []string{"credit_grant", "test_clock", "debit.credits_applied.invoice", "credit.credits_application_invoice_voided.invoice"},
		Indexes:    []store.Index{{Name: "credit_grant", Path: "credit_grant"}}}
	// The summary is worked out on each request; the kind is for expansion.
	SummaryKind = &api.Kind{Object: summaryObject, Name: "credit balance summary", Expandable: []string{"customer"}}
)

// Kinds are the family's object types.
func Kinds() []*api.Kind { return []*api.Kind{GrantKind, TransactionKind, SummaryKind} }

// Routes are the endpoints.
func Routes() []api.Route {
	grants, id := "/v1/billing/credit_grants", "/v1/billing/credit_grants/{id}"
	return []api.Route{
		api.POST(grants, params.FromStruct(stripe.BillingCreditGrantCreateParams{}).
			Require("amount", "applicability_config", "category", "customer").
			Enum("category", "paid", "promotional").Enum("amount.type", "monetary").
			Enum("applicability_config.scope.price_type", "metered"), createGrant),
		api.GET(grants, params.FromStruct(stripe.BillingCreditGrantListParams{}), listGrants),
		api.GET(id, params.FromStruct(stripe.BillingCreditGrantRetrieveParams{}), retrieveGrant),
		api.POST(id, params.FromStruct(stripe.BillingCreditGrantUpdateParams{}), updateGrant),
		api.POST(id+"/expire", params.FromStruct(stripe.BillingCreditGrantExpireParams{}), expireGrant),
		api.POST(id+"/void", params.FromStruct(stripe.BillingCreditGrantVoidGrantParams{}), voidGrant),
		api.GET("/v1/billing/credit_balance_summary", params.FromStruct(stripe.BillingCreditBalanceSummaryRetrieveParams{}).
			Require("customer", "filter").Enum("filter.type", "applicability_scope", "credit_grant").
			Enum("filter.applicability_scope.price_type", "metered"), balanceSummary),
		api.GET("/v1/billing/credit_balance_transactions", params.FromStruct(stripe.BillingCreditBalanceTransactionListParams{}).
			Require("customer"), listTransactions),
		api.GET("/v1/billing/credit_balance_transactions/{id}", params.FromStruct(stripe.BillingCreditBalanceTransactionRetrieveParams{}), retrieveTransaction),
	}
}

func init() {
	billing.PretaxCreditHooks = append(billing.PretaxCreditHooks, applyToInvoice)
	billing.VoidCreditHooks = append(billing.VoidCreditHooks, giveBack)
	billing.ClockTimers = append(billing.ClockTimers, billing.ClockTimer{Due: dueOn, Watch: Timer.Watch, DueOf: dueOfOn})
}
