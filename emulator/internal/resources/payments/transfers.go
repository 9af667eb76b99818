package payments

import (
	"fmt"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/countryspecs"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// The Connect endpoints: transfers and their reversals, application fees
// and their refunds.
func connectRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/transfers", params.FromStruct(stripe.TransferCreateParams{}).Require("currency", "destination"), createTransfer),
		api.GET("/v1/transfers", params.FromStruct(stripe.TransferListParams{}), listTransfers),
		api.GET("/v1/transfers/{id}", params.FromStruct(stripe.TransferRetrieveParams{}), retrieveTransfer),
		api.POST("/v1/transfers/{id}", params.FromStruct(stripe.TransferUpdateParams{}), updateTransfer),
		api.POST("/v1/transfers/{id}/reversals", params.FromStruct(stripe.TransferReversalCreateParams{}), createReversal),
		api.GET("/v1/transfers/{id}/reversals", params.FromStruct(stripe.TransferReversalListParams{}), reversals.listHandler),
		api.GET("/v1/transfers/{id}/reversals/{reversal}", params.FromStruct(stripe.TransferReversalRetrieveParams{}), reversals.retrieve),
		api.POST("/v1/transfers/{id}/reversals/{reversal}", params.FromStruct(stripe.TransferReversalUpdateParams{}), reversals.update),
		api.GET("/v1/application_fees", params.FromStruct(stripe.ApplicationFeeListParams{}), listApplicationFees),
		api.GET("/v1/application_fees/{id}", params.FromStruct(stripe.ApplicationFeeRetrieveParams{}), retrieveApplicationFee),
		api.POST("/v1/application_fees/{id}/refunds", params.FromStruct(stripe.FeeRefundCreateParams{}), createFeeRefund),
		api.GET("/v1/application_fees/{id}/refunds", params.FromStruct(stripe.FeeRefundListParams{}), feeRefunds.listHandler),
		api.GET("/v1/application_fees/{id}/refunds/{refund}", params.FromStruct(stripe.FeeRefundRetrieveParams{}), feeRefunds.retrieve),
		api.POST("/v1/application_fees/{id}/refunds/{refund}", params.FromStruct(stripe.FeeRefundUpdateParams{}), feeRefunds.update),
	}
}

// insufficientFunds is Stripe's answer to a transfer the platform's
// available balance cannot cover.
func insufficientFunds() error {
	return apierr.InvalidRequest("You have insufficient available funds in your Stripe account. Try adding funds directly to your available balance by creating Charges using the 4000000000000077 test card. See: https://stripe.com/docs/testing#available-balance").WithCode("balance_insufficient")
}

// drawnSourceType is the part of the balance a payout or transfer draws
// from, its source_type: card (every payment; bank debits settle into it
// too, as Stripe's non-legacy ones do) unless bank_account (top-ups). fpx
// is left unread, so refused as not emulated.
func drawnSourceType(c *api.Call) string {
	if v, _ := c.Params.Sent("source_type"); v == "card" || v == "bank_account" {
		c.Params.MarkRead("source_type")
		return v.(string)
	}
	return "card"
}

// sourceTypeOr is a source type, card when unset.
func sourceTypeOr(t string) string {
	if t == "" {
		return "card"
	}
	return t
}

// requestMetadata is the metadata a request sets on a new object.
func requestMetadata(c *api.Call) (map[string]any, error) {
	o := store.Obj{"metadata": map[string]any{}}
	if err := c.ApplyMetadata(o); err != nil {
		return nil, err
	}
	return o["metadata"].(map[string]any), nil
}

func createTransfer(c *api.Call) (any, error) {
	sourceType := drawnSourceType(c)
	amount, currency, err := moneyParams(c)
	if err != nil {
		return nil, err
	}
	dest, _ := c.Params.Str("destination")
	if c.Connected && dest == c.Platform {
		// Stripe's account debits (platforms liable for a connected
		// account's negative balance) are a money flow of their own.
		return nil, apierr.InvalidRequest("stripe-emu does not emulate account debits (a transfer from a connected account to its platform): reverse a transfer to the account instead (POST /v1/transfers/{id}/reversals).").WithParam("destination")
	}
	if err := destinationAccount(c, dest, "destination"); err != nil {
		return nil, err
	}
	if err := transferRegion(c, dest); err != nil {
		return nil, err
	}
	t := newTransfer{amount: amount, currency: currency, destination: dest, at: availableNow(c), sourceType: sourceType}
	if v, ok := c.Params.Str("transfer_group"); ok && v != "" {
		t.group = v
	}
	if v, ok := c.Params.Str("description"); ok && v != "" {
		t.description = v
	}
	if src, ok := c.Params.Str("source_transaction"); ok && src != "" {
		ch, ok := c.Tx.Get(c.Account, "charge", src)
		if !ok {
			return nil, apierr.NoSuchObject("charge", src, "source_transaction")
		}
		if ch["status"] != "succeeded" || !api.Bool(ch["captured"]) {
			return nil, apierr.InvalidRequest("The source_transaction %s has not succeeded: a transfer can only use the funds of a captured charge.", src).WithParam("source_transaction")
		}
		if ch["currency"] != currency {
			return nil, apierr.InvalidRequest("The currency of source_transaction %s (%s) must be the same as the transfer currency (%s).", src, ch["currency"], currency).WithParam("currency")
		}
		// The charge's funds not yet refunded, transferred or reversed
		// back to it.
		left := api.Int(ch["amount_captured"]) - api.Int(ch["amount_refunded"])
		for _, tr := range c.Tx.List(c.Account, "transfer", store.Query{Index: "source_transaction", Value: src}).Data {
			left -= api.Int(tr["amount"]) - api.Int(tr["amount_reversed"])
		}
		if amount > left {
			return nil, apierr.InvalidRequest("Transfer amount (%s) exceeds the funds left on source_transaction %s (%s).", money(amount, currency), src, money(max(left, 0), currency)).WithParam("amount")
		}
		t.source = ch
		// The transfer uses the charge's funds, available when they are.
		t.at = fundsOf(c, c.Account, api.Str(ch["balance_transaction"]))
		if t.group == nil {
			// Stripe's guide: the charge's transfer_group, else
			// group_<its PaymentIntent> given to the charge too. One sent
			// with the transfer is kept as sent (how Stripe weighs the
			// two is not documented).
			group, err := sourceGroup(c, ch)
			if err != nil {
				return nil, err
			}
			t.group = group
		}
	} else if balanceSums(c, c.Account)[currency].of(sourceType).available < amount {
		return nil, insufficientFunds()
	}
	metadata, err := requestMetadata(c)
	if err != nil {
		return nil, err
	}
	t.metadata = metadata
	tr, _, err := makeTransfer(c, t)
	return tr, err
}

// sourceGroup is the transfer_group of a transfer funded by charge ch:
// the charge's, else group_ and its PaymentIntent's id (its own id for a
// charge of the Charges API, as its destination charges are grouped),
// which the charge is given too. No event is sent for that (Stripe's is
// not documented).
func sourceGroup(c *api.Call, ch store.Obj) (string, error) {
	if g := api.Str(ch["transfer_group"]); g != "" {
		return g, nil
	}
	owner := api.Str(ch["payment_intent"])
	if owner == "" {
		owner = api.Str(ch["id"])
	}
	group := "group_" + owner
	after := api.Clone(ch)
	after["transfer_group"] = group
	return group, c.Put(after)
}

func listTransfers(c *api.Call) (any, error) {
	q, err := c.ListQuery("transfer")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "destination")
	if g, _ := c.Params.Str("transfer_group"); g != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Str(o["transfer_group"]) == g })
	}
	return c.Page("transfer", "/v1/transfers", q), nil
}

func retrieveTransfer(c *api.Call) (any, error) {
	return c.Retrieve("transfer", c.Var("id"))
}

func updateTransfer(c *api.Call) (any, error) { return c.UpdateFields("transfer", "description") }

func createReversal(c *api.Call) (any, error) {
	// Stripe's reversal object shows no description.
	c.Inert("description")
	before, err := c.Load("transfer", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	amount, err := amountParam(c, api.Int(before["amount"])-api.Int(before["amount_reversed"]))
	if err != nil {
		return nil, err
	}
	metadata, err := requestMetadata(c)
	if err != nil {
		return nil, err
	}
	trr, tr, err := reverseTransfer(c, before, c.NewID("transfer_reversal"), amount, nil, metadata)
	if err != nil {
		return nil, err
	}
	if refund, _ := c.Params.Bool("refund_application_fee"); refund {
		// A destination charge's fee, given back in proportion to the
		// transfer reversed (all that is left of it once fully reversed).
		if src := api.Str(tr["source_transaction"]); src != "" && fromDestinationCharge(c, tr) {
			ch, _ := c.Tx.Get(c.Account, "charge", src)
			if fee, ok := c.Tx.Get(c.Account, "application_fee", api.Str(ch["application_fee"])); ok {
				left := api.Int(fee["amount"]) - api.Int(fee["amount_refunded"])
				n := min(currency.Share(api.Int(fee["amount"]), amount, api.Int(tr["amount"])), left)
				if api.Bool(tr["reversed"]) {
					n = left
				}
				if n > 0 {
					if _, err := refundFee(c, fee, n, map[string]any{}); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return trr, nil
}

func listApplicationFees(c *api.Call) (any, error) {
	q, err := c.ListQuery("application_fee")
	if err != nil {
		return nil, err
	}
	q = api.IndexedFilters(c, q, "charge")
	return c.Page("application_fee", "/v1/application_fees", q), nil
}

func retrieveApplicationFee(c *api.Call) (any, error) {
	return c.Retrieve("application_fee", c.Var("id"))
}

func createFeeRefund(c *api.Call) (any, error) {
	before, err := c.Load("application_fee", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	amount, err := amountParam(c, api.Int(before["amount"])-api.Int(before["amount_refunded"]))
	if err != nil {
		return nil, err
	}
	metadata, err := requestMetadata(c)
	if err != nil {
		return nil, err
	}
	return refundFee(c, before, amount, metadata)
}

// nested serves objects that live under a parent and are also carried in
// the parent's own list: a transfer's reversals, an application fee's
// refunds.
type nested struct {
	parent, child string // object types
	childVar      string // the path variable naming the child
	index         string // the child's index on its parent
	list          string // the parent's field listing its children
	path          string // the list's URL, %s = the parent's id
	updateEvent   bool   // an update sends <child event prefix>.updated
}

var (
	reversals  = nested{parent: "transfer", child: "transfer_reversal", childVar: "reversal", index: "transfer", list: "reversals", path: "/v1/transfers/%s/reversals"}
	feeRefunds = nested{parent: "application_fee", child: "fee_refund", childVar: "refund", index: "fee", list: "refunds", path: "/v1/application_fees/%s/refunds", updateEvent: true}
)

// load is the child in the path, of the parent in the path.
func (n nested) load(c *api.Call) (store.Obj, error) {
	if _, err := c.Load(n.parent, c.Var("id"), "id"); err != nil {
		return nil, err
	}
	o, ok := c.Tx.Get(c.Account, n.child, c.Var(n.childVar))
	if !ok || o[n.index] != c.Var("id") {
		return nil, apierr.NoSuchObject(n.child, c.Var(n.childVar), "id")
	}
	return o, nil
}

func (n nested) listHandler(c *api.Call) (any, error) {
	id := c.Var("id")
	if _, err := c.Load(n.parent, id, "id"); err != nil {
		return nil, err
	}
	q, err := c.ListQuery(n.child)
	if err != nil {
		return nil, err
	}
	q.Index, q.Value = n.index, id
	return c.Page(n.child, fmt.Sprintf(n.path, id), q), nil
}

func (n nested) retrieve(c *api.Call) (any, error) { return n.load(c) }

// update sets a child's metadata (reversals send no event for it, fee
// refunds application_fee.refund.updated); the parent's list shows the
// change.
func (n nested) update(c *api.Call) (any, error) {
	before, err := n.load(c)
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if n.updateEvent {
		err = c.Save(before, after)
	} else {
		err = c.Put(after)
	}
	if err != nil {
		return nil, err
	}
	parentBefore, _ := c.Tx.Get(c.Account, n.parent, c.Var("id"))
	if list, ok := replaceInList(parentBefore[n.list], after); ok {
		parent := api.Clone(parentBefore)
		parent[n.list] = list
		if err := c.Put(parent); err != nil {
			return nil, err
		}
	}
	return after, nil
}

// amountParam is the request's amount, all that is left when not sent.
func amountParam(c *api.Call, left int64) (int64, error) {
	n, ok := c.Params.Int("amount")
	if !ok {
		return left, nil
	}
	if n < 1 {
		return 0, amountBelowOne()
	}
	return n, nil
}

// amountBelowOne is Stripe's refusal of an amount of money below 1 (0 or
// negative), as its transfers, payouts and refunds answer it.
func amountBelowOne() error {
	return apierr.InvalidRequest("This value must be greater than or equal to 1.").WithParam("amount").WithCode("parameter_invalid_integer")
}

// moneyParams reads a money movement's amount (a positive integer) and
// currency (a lowercase three-letter code).
func moneyParams(c *api.Call) (int64, string, error) {
	amount, ok := c.Params.Int("amount")
	if !ok {
		return 0, "", apierr.MissingParam("amount")
	}
	if amount < 1 {
		return 0, "", amountBelowOne()
	}
	currency, _ := c.Params.Str("currency")
	currency = strings.ToLower(currency)
	if len(currency) != 3 {
		return 0, "", apierr.InvalidRequest("Invalid currency: %s", currency).WithParam("currency")
	}
	return amount, currency, nil
}

// transferRegion refuses a transfer to an account outside the platform's
// region (or abroad under the full service agreement, from the US), in
// Stripe's words as integrations quote them. Countries the emulator has no
// spec for are not checked.
func transferRegion(c *api.Call, dest string) error {
	platform, _ := c.Tx.Get(c.Platform, "account", c.Platform)
	acct, _ := c.Tx.Get(c.Platform, "account", dest)
	to := api.Str(acct["country"])
	agreement := api.Str(api.Obj(acct["tos_acceptance"])["service_agreement"])
	if ok, known := countryspecs.TransferAllowed(api.Str(platform["country"]), to, agreement); known && !ok {
		return apierr.InvalidRequest("Funds can't be sent to accounts located in %s because it's restricted outside of your platform's region", to).
			WithParam("destination").WithCode("transfers_not_allowed")
	}
	return nil
}
