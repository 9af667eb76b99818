package customers

import (
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// BalanceTransactionKind is a move of a customer's credit balance
// (Stripe's "customer balance"): a negative balance is credit the next
// invoices use, a positive one is owed and added to the next invoice.
var BalanceTransactionKind = &api.Kind{
	Object: "customer_balance_transaction", Prefix: "cbtxn_", Name: "customer_balance_transaction",
	Expandable: []string{"customer", "invoice", "credit_note", "checkout_session"},
	Indexes:    []store.Index{{Name: "customer", Path: "customer"}},
}

// BalanceRoutes are the endpoints under /v1/customers/{id}/balance_transactions.
func BalanceRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/customers/{customer}/balance_transactions", params.FromStruct(stripe.CustomerBalanceTransactionCreateParams{}).Require("amount", "currency"), createBalanceTransaction),
		api.GET("/v1/customers/{customer}/balance_transactions", params.FromStruct(stripe.CustomerBalanceTransactionListParams{}), listBalanceTransactions),
		api.GET("/v1/customers/{customer}/balance_transactions/{id}", params.FromStruct(stripe.CustomerBalanceTransactionRetrieveParams{}), retrieveBalanceTransaction),
		api.POST("/v1/customers/{customer}/balance_transactions/{id}", params.FromStruct(stripe.CustomerBalanceTransactionUpdateParams{}), updateBalanceTransaction),
	}
}

// MoveBalance records a balance transaction of typ moving cus's balance
// in currency by amount. In the customer's own currency it changes
// cus["balance"] to match; cus is then the caller's to store: it must be
// a copy or an object the caller stores anyway. A balance in another
// currency is kept beside the customer, which it leaves as it is (see
// OwnCurrency). The transaction is stored; extra sets fields such as
// invoice or credit_note.
func MoveBalance(c *api.Call, cus store.Obj, amount int64, currency, typ string, extra store.Obj) (store.Obj, error) {
	// Past what the store keeps exactly, a balance would be kept rounded
	// (or, summed, wrap around): refused as an integer out of range.
	// Stripe's own limit is not documented.
	if amount > params.MaxInt || amount < -params.MaxInt {
		return nil, &jsonenc.InexactError{N: amount}
	}
	own := OwnCurrency(cus, currency)
	ending := BalanceIn(c, cus, currency) + amount
	if ending > params.MaxInt || ending < -params.MaxInt {
		return nil, &jsonenc.InexactError{N: ending}
	}
	txn := c.Object("customer_balance_transaction", c.NewID("customer_balance_transaction"), store.Obj{
		"amount": amount, "checkout_session": nil, "credit_note": nil, "currency": currency, "customer": cus["id"],
		"description": nil, "ending_balance": ending, "invoice": nil, "metadata": map[string]any{}, "type": typ,
	})
	for k, v := range extra {
		txn[k] = v
	}
	if own {
		cus["balance"] = ending
	} else {
		m := otherBalances(c, api.Str(cus["id"]))
		m[currency] = ending
		if err := setOtherBalances(c, api.Str(cus["id"]), m); err != nil {
			return nil, err
		}
	}
	if err := c.Put(txn); err != nil {
		return nil, err
	}
	for _, hook := range BalanceMovedHooks {
		if err := hook(c, api.Str(cus["id"]), ending, currency, api.Str(txn["invoice"])); err != nil {
			return nil, err
		}
	}
	return txn, nil
}

// BalanceMovedHooks run, in the same transaction, after a customer's
// balance in currency moved to balance: billing keeps the starting_balance
// of the customer's drafts in that currency, which shows the current
// balance until they are finalized, the same. invoice is the one the move
// was for, if any (being finalized, it records its own).
var BalanceMovedHooks []func(c *api.Call, customer string, balance int64, currency, invoice string) error

// balanceCurrency is the currency a direct change of balance is in: the
// customer's, or the account's default (usd here) for one without.
func balanceCurrency(cus store.Obj) string {
	if cur := api.Str(cus["currency"]); cur != "" {
		return cur
	}
	return "usd"
}

// pathCustomer loads the customer in the path ({customer}), which must
// not be deleted. Stripe answers a customer that is not there with a 404
// (the customer is part of the URL), naming it.
func pathCustomer(c *api.Call) (store.Obj, error) {
	cus, ok := c.Tx.Get(c.Account, "customer", c.Var("customer"))
	if !ok || api.Bool(cus["deleted"]) {
		e := apierr.NoSuchObject("customer", c.Var("customer"), "customer")
		e.Status = 404
		return nil, e
	}
	return cus, nil
}

// balanceTransactionLengths are the string limits of a balance
// transaction's create and update in Stripe's OpenAPI spec.
var balanceTransactionLengths = []api.MaxLength{{Path: "description", Limit: 350}}

func createBalanceTransaction(c *api.Call) (any, error) {
	before, err := pathCustomer(c)
	if err != nil {
		return nil, err
	}
	if err := c.CheckLengths(balanceTransactionLengths...); err != nil {
		return nil, err
	}
	amount, _ := c.Params.Int("amount")
	if amount == 0 {
		return nil, apierr.InvalidRequest("Amount must be non-zero.").WithParam("amount")
	}
	sent, _ := c.Params.Str("currency")
	// Stripe takes a currency in either case, and only one it supports.
	cur := strings.ToLower(sent)
	if !currency.Supported(cur) {
		return nil, currency.Invalid(sent, "currency")
	}
	// Another currency than the customer's moves its balance in that
	// currency (invoice_credit_balance), which invoices in it use.
	cus := api.Clone(before)
	if cus["currency"] == nil {
		// Like Stripe: the transaction's currency becomes the customer's.
		cus["currency"] = cur
	}
	txn, err := MoveBalance(c, cus, amount, cur, "adjustment", nil)
	if err != nil {
		return nil, err
	}
	c.Copy(txn, "description")
	if err := c.ApplyMetadata(txn); err != nil {
		return nil, err
	}
	if err := c.Put(txn); err != nil {
		return nil, err
	}
	if err := c.Save(before, cus); err != nil {
		return nil, err
	}
	return txn, nil
}

func loadBalanceTransaction(c *api.Call) (store.Obj, error) {
	if _, err := pathCustomer(c); err != nil {
		return nil, err
	}
	txn, ok := c.Tx.Get(c.Account, "customer_balance_transaction", c.Var("id"))
	if !ok || txn["customer"] != c.Var("customer") {
		return nil, apierr.NoSuchObject("customer_balance_transaction", c.Var("id"), "id")
	}
	return txn, nil
}

func retrieveBalanceTransaction(c *api.Call) (any, error) {
	return loadBalanceTransaction(c)
}

func updateBalanceTransaction(c *api.Call) (any, error) {
	before, err := loadBalanceTransaction(c)
	if err != nil {
		return nil, err
	}
	if err := c.CheckLengths(balanceTransactionLengths...); err != nil {
		return nil, err
	}
	after := api.Clone(before)
	c.Copy(after, "description")
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	// No event: Stripe sends none about balance transactions.
	if err := c.Put(after); err != nil {
		return nil, err
	}
	return after, nil
}

func listBalanceTransactions(c *api.Call) (any, error) {
	if _, err := pathCustomer(c); err != nil {
		return nil, err
	}
	q, err := c.ListQuery("customer_balance_transaction")
	if err != nil {
		return nil, err
	}
	q.Index, q.Value = "customer", c.Var("customer")
	return c.Page("customer_balance_transaction", "/v1/customers/"+c.Var("customer")+"/balance_transactions", q), nil
}

// recordDirectBalance records the balance a customer create or update
// sets directly as a transaction, as Stripe does: "initial" for a new
// customer, "adjustment" for a change. cus carries the new balance and
// is the caller's to store; old is the balance before.
func recordDirectBalance(c *api.Call, cus store.Obj, old int64, typ string) error {
	bal := api.Int(cus["balance"])
	if bal == old {
		return nil
	}
	cus["balance"] = old
	cur := balanceCurrency(cus)
	if cus["currency"] == nil {
		// Like Stripe: a customer's balance adjusted gives it a currency,
		// the account's default when it had none.
		cus["currency"] = cur
	}
	_, err := MoveBalance(c, cus, bal-old, cur, typ, nil)
	return err
}
