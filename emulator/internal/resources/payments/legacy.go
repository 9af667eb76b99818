package payments

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Older routes Stripe still serves at basil (its OpenAPI spec has them,
// and older SDK methods call them), each another name for a route above:
// the same objects, rules and events, run through that route's handler
// (Call.As). Their parameters are the spec's for each path.

func legacyRoutes() []api.Route {
	// What the charge's refund routes take: POST /v1/refunds's
	// parameters but the charge, which the path names.
	chargeRefund := params.FromStruct(stripe.RefundCreateParams{}).Without("charge")
	// sources names POST /v1/customers/{customer}/sources's parameters,
	// which its typed aliases take as they are.
	sources := params.FromStruct(stripe.PaymentSourceCreateParams{}).With("source", sourceParam())
	return []api.Route{
		api.GET("/v1/charges/{charge}/refunds", params.FromStruct(stripe.ListParams{}), listChargeRefunds),
		api.POST("/v1/charges/{charge}/refunds", chargeRefund, createChargeRefund),
		api.GET("/v1/charges/{charge}/refunds/{refund}", params.FromStruct(stripe.RefundRetrieveParams{}), chargeRefundRoute(retrieveRefund)),
		api.POST("/v1/charges/{charge}/refunds/{refund}", params.FromStruct(stripe.RefundUpdateParams{}), chargeRefundRoute(updateRefund)),
		api.POST("/v1/charges/{charge}/refund", chargeRefund.Without("currency").Without("customer").Without("origin"), refundCharge),

		api.GET("/v1/charges/{charge}/dispute", params.FromStruct(stripe.DisputeRetrieveParams{}), chargeDisputeRoute(retrieveDispute)),
		api.POST("/v1/charges/{charge}/dispute", params.FromStruct(stripe.DisputeUpdateParams{}), chargeDisputeRoute(updateDispute)),
		api.POST("/v1/charges/{charge}/dispute/close", params.FromStruct(stripe.DisputeCloseParams{}), chargeDisputeRoute(closeDispute)),

		api.GET("/v1/balance/history", params.FromStruct(stripe.BalanceTransactionListParams{}).Enum("type", balanceTransactionTypes...), listBalanceHistory),
		api.GET("/v1/balance/history/{id}", params.FromStruct(stripe.BalanceTransactionRetrieveParams{}), retrieveBalanceTransaction),

		// directive is in the spec with no description (Stripe's own
		// use): it is refused as not emulated, never read.
		api.POST("/v1/application_fees/{id}/refund", params.FromStruct(stripe.FeeRefundCreateParams{}).Without("metadata").With("directive", params.String()), refundApplicationFee),

		api.GET("/v1/customers/{customer}/cards", params.FromStruct(stripe.ListParams{}), typedSources("card")),
		api.POST("/v1/customers/{customer}/cards", sources, createSource),
		api.GET("/v1/customers/{customer}/cards/{id}", params.FromStruct(stripe.PaymentSourceRetrieveParams{}), retrieveSource),
		api.POST("/v1/customers/{customer}/cards/{id}", params.FromStruct(stripe.PaymentSourceUpdateParams{}), updateSource),
		api.DELETE("/v1/customers/{customer}/cards/{id}", params.FromStruct(stripe.PaymentSourceDeleteParams{}), deleteSource),

		api.GET("/v1/customers/{customer}/bank_accounts", params.FromStruct(stripe.ListParams{}), typedSources("bank_account")),
		api.POST("/v1/customers/{customer}/bank_accounts", sources.With("bank_account", params.AnyParam()), createBankAccountSource),
		api.GET("/v1/customers/{customer}/bank_accounts/{id}", params.FromStruct(stripe.PaymentSourceRetrieveParams{}), bankAccountSource),
		api.POST("/v1/customers/{customer}/bank_accounts/{id}", params.FromStruct(stripe.PaymentSourceUpdateParams{}), bankAccountSource),
		api.DELETE("/v1/customers/{customer}/bank_accounts/{id}", params.FromStruct(stripe.PaymentSourceDeleteParams{}), bankAccountSource),
		api.POST("/v1/customers/{customer}/bank_accounts/{id}/verify", params.FromStruct(stripe.PaymentSourceVerifyParams{}), verifySource),
	}
}

// --- a charge's refunds ------------------------------------------------

func listChargeRefunds(c *api.Call) (any, error) {
	id := c.Var("charge")
	if _, err := c.Load("charge", id, "id"); err != nil {
		return nil, err
	}
	return c.As(listRefunds, nil, map[string]any{"charge": id})
}

// createChargeRefund is POST /v1/refunds with charge= the path's charge.
func createChargeRefund(c *api.Call) (any, error) {
	id := c.Var("charge")
	if _, err := c.Load("charge", id, "id"); err != nil {
		return nil, err
	}
	return c.As(createRefund, nil, map[string]any{"charge": id})
}

// refundCharge is the oldest form, POST /v1/charges/{charge}/refund: a
// refund made as POST /v1/refunds makes it, answered with the charge.
func refundCharge(c *api.Call) (any, error) {
	id := c.Var("charge")
	if _, err := c.Load("charge", id, "id"); err != nil {
		return nil, err
	}
	if _, err := c.As(createRefund, nil, map[string]any{"charge": id}); err != nil {
		return nil, err
	}
	ch, _ := c.Tx.Get(c.Account, "charge", id)
	return ch, nil
}

// chargeRefundRoute serves a refund of the path's charge with h, which
// reads the refund's id as {id}; a refund of another charge is missing.
func chargeRefundRoute(h func(*api.Call) (any, error)) func(*api.Call) (any, error) {
	return func(c *api.Call) (any, error) {
		chID, reID := c.Var("charge"), c.Var("refund")
		if _, err := c.Load("charge", chID, "id"); err != nil {
			return nil, err
		}
		f, ok := c.Tx.Fields(c.Account, "refund", reID, "charge")
		if !ok || f[0].String() != chID {
			return nil, apierr.NoSuchObject("refund", reID, "id")
		}
		return c.As(h, map[string]string{"id": reID}, nil)
	}
}

// --- a charge's dispute ------------------------------------------------

// chargeDisputeRoute serves the path's charge's dispute (its latest: a
// charge disputed again after an inquiry has two) with h, which reads the
// dispute's id as {id}.
func chargeDisputeRoute(h func(*api.Call) (any, error)) func(*api.Call) (any, error) {
	return func(c *api.Call) (any, error) {
		chID := c.Var("charge")
		if _, err := c.Load("charge", chID, "id"); err != nil {
			return nil, err
		}
		p := c.Tx.List(c.Account, "dispute", store.Query{Index: "charge", Value: chID, Limit: 1})
		if len(p.Data) == 0 {
			e := apierr.InvalidRequest("Charge %s has no dispute.", chID).WithCode("resource_missing").WithParam("charge")
			e.Status = 404
			return nil, e
		}
		return c.As(h, map[string]string{"id": api.Str(p.Data[0]["id"])}, nil)
	}
}

// --- balance history ---------------------------------------------------

// listBalanceHistory is GET /v1/balance_transactions under its older name
// (the list's url is the older path).
func listBalanceHistory(c *api.Call) (any, error) {
	return c.As(listBalanceTransactions, nil, nil)
}

// --- application fees --------------------------------------------------

// refundApplicationFee is the older POST /v1/application_fees/{id}/refund:
// a refund made as POST /v1/application_fees/{id}/refunds makes it,
// answered with the application fee.
func refundApplicationFee(c *api.Call) (any, error) {
	if _, err := c.As(createFeeRefund, c.Vars, nil); err != nil {
		return nil, err
	}
	fee, _ := c.Tx.Get(c.Account, "application_fee", c.Var("id"))
	return fee, nil
}

// --- a customer's cards and bank accounts ------------------------------

// typedSources lists a customer's sources of one type, as GET
// /v1/customers/{customer}/sources?object=… does.
func typedSources(object string) func(*api.Call) (any, error) {
	return func(c *api.Call) (any, error) {
		return c.As(listSources, c.Vars, map[string]any{"object": object})
	}
}

// bankAccountsNotEmulated is why a bank account source cannot be added:
// only cards are emulated as sources.
func bankAccountsNotEmulated(param string) error {
	return apierr.InvalidRequest("stripe-emu does not emulate bank account sources: a customer's sources are cards (ACH and other bank debits are emulated as PaymentMethods).").WithParam(param)
}

func createBankAccountSource(c *api.Call) (any, error) {
	if _, err := sourceCustomer(c); err != nil {
		return nil, err
	}
	if c.Params.Has("bank_account") {
		return nil, bankAccountsNotEmulated("bank_account")
	}
	return nil, bankAccountsNotEmulated("source")
}

// bankAccountSource answers a customer's bank account source: there are
// none (bank account sources are not emulated), so every id is missing,
// as Stripe answers for a source of another type.
func bankAccountSource(c *api.Call) (any, error) {
	if _, err := sourceCustomer(c); err != nil {
		return nil, err
	}
	e := apierr.InvalidRequest("Customer %s does not have bank account with ID %s", c.Var("customer"), c.Var("id")).WithParam("id").WithCode("resource_missing")
	e.Status = 404
	return nil, e
}
