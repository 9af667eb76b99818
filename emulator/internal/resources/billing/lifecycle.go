package billing

import (
	"errors"
	"fmt"
	"slices"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// finalize turns a draft into an open invoice with its number and its
// default InvoicePayment (and PaymentIntent), or straight into a paid one
// when nothing is due.
func finalize(c *api.Call, before store.Obj) (store.Obj, error) {
	return finalizeWith(c, before, nil, false)
}

// finalizePaidBy is finalize for an invoice a payment already made pays
// (paidBy, a PaymentIntent: a Checkout Session's post-payment invoice):
// no PaymentIntent of its own, paidBy attached instead (the caller credits
// it), and neither billing credits nor the customer's balance taken, the
// amount being what was paid. paidBy nil is a purchase that cost nothing:
// the invoice, with nothing due, is paid as it is finalized.
func finalizePaidBy(c *api.Call, before, paidBy store.Obj) (store.Obj, error) {
	return finalizeWith(c, before, paidBy, true)
}

// finalizeWith finalizes; settled says a purchase already paid for (or
// free) is invoiced, so neither credits nor the balance apply.
func finalizeWith(c *api.Call, before, paidBy store.Obj, settled bool) (store.Obj, error) {
	if before["status"] != "draft" {
		return nil, apierr.InvalidRequest("This invoice is already finalized, you can't re-finalize a non-draft invoice.").WithCode("invoice_not_editable")
	}
	if before["from_invoice"] == nil { // every invoice but a revision
		return finalizeDraft(c, before, paidBy, settled)
	}
	orig, err := revisionOriginal(c, before)
	if err != nil {
		return nil, err
	}
	inv, err := finalizeDraft(c, before, paidBy, settled)
	if err != nil || orig == nil {
		return inv, err
	}
	return inv, supersede(c, orig, inv)
}

// finalizeDraft is finalizeWith for a draft whose revised invoice, if
// any, has been checked.
func finalizeDraft(c *api.Call, before, paidBy store.Obj, settled bool) (store.Obj, error) {
	// Changed in place and stored below: no event of finalization shows
	// what the draft was, so there is nothing to keep a copy for.
	inv := before
	if err := refreshUsageLines(c, inv); err != nil {
		return nil, err
	}
	if autoTaxOn(inv) {
		if err := finalizeAutoTax(c, inv); err != nil {
			return nil, err
		}
	}
	// Billing credits come off before tax, so before the customer's
	// balance pays what is left.
	if !settled {
		if err := applyPretaxCredits(c, inv); err != nil {
			return nil, err
		}
	}
	// A once discount the invoice takes is used up (a subscription's
	// invoice marked it as it was made; a one-off invoice does now).
	if err := markOnceUsed(c, inv); err != nil {
		return nil, err
	}
	if cus, _ := c.Tx.Get(c.Account, "customer", api.Str(inv["customer"])); cus != nil {
		if !api.Bool(cus["deleted"]) {
			// The customer's tax IDs as they are now stay on the
			// invoice: later changes to them no longer show.
			inv["customer_tax_ids"] = customers.InvoiceTaxIDs(c, api.Str(cus["id"]))
			copyCustomerDetails(inv, cus)
		}
		seq := max(api.Int(cus["next_invoice_sequence"]), 1)
		if inv["number"] == nil {
			inv["number"] = fmt.Sprintf("%s-%04d", api.Str(cus["invoice_prefix"]), seq)
		}
		cus["next_invoice_sequence"] = seq + 1
		var prev store.Obj
		var err error
		if !settled {
			prev, err = applyBalance(c, inv, cus)
		} else {
			bal := customers.BalanceIn(c, cus, api.Str(inv["currency"]))
			inv["starting_balance"], inv["ending_balance"] = bal, bal
		}
		if err != nil {
			return nil, err
		}
		if prev != nil {
			err = c.PutEmit(cus, "customer.updated", prev)
		} else {
			err = c.Put(cus)
		}
		if err != nil {
			return nil, err
		}
	}
	defaultAccountTaxIDs(c, inv)
	inv["status"] = "open"
	inv["automatically_finalizes_at"] = nil
	// "This field is cleared when the invoice is successfully finalized."
	inv["last_finalization_error"] = nil
	if inv["effective_at"] == nil {
		inv["effective_at"] = c.Now
	}
	api.Obj(inv["status_transitions"])["finalized_at"] = c.Now
	if c.BaseURL != nil {
		inv["hosted_invoice_url"] = c.PageURL("/invoices/" + api.Str(inv["id"]))
		inv["invoice_pdf"] = c.PageURL("/invoices/" + api.Str(inv["id"]) + "/pdf")
	}
	due := api.Int(inv["amount_due"])
	if due == 0 {
		// No payment to give Connect terms to.
		c.DeleteMeta(intentTermsKey(c.Account, api.Str(inv["id"])))
		inv["status"] = "paid"
		// Stripe's example of such an invoice: "attempt_count": 0,
		// "attempted": true.
		inv["attempted"] = true
		inv["auto_advance"] = false
		inv["next_payment_attempt"] = nil
		api.Obj(inv["status_transitions"])["paid_at"] = c.Now
		if err := c.Put(inv); err != nil {
			return nil, err
		}
		c.Emit("invoice.finalized", inv, nil)
		c.Emit("invoice.paid", inv, nil)
		c.Emit("invoice.payment_succeeded", inv, nil)
		return inv, subscriptionInvoicePaid(c, inv, "")
	}
	if paidBy != nil {
		if err := c.Put(newInvoicePayment(c, inv, paidBy, false)); err != nil {
			return nil, err
		}
		return inv, c.PutEmit(inv, "invoice.finalized", nil)
	}
	pi := payments.NewIntent(c, due, api.Str(inv["currency"]), inv["customer"])
	pi["description"] = "Invoice " + api.Str(inv["number"])
	if types, _ := api.Obj(inv["payment_settings"])["payment_method_types"].([]any); len(types) > 0 {
		pi["payment_method_types"], pi["automatic_payment_methods"] = types, nil
	}
	pi["created"] = c.Now
	if err := applyIntentTerms(c, inv, pi); err != nil {
		return nil, err
	}
	if savesMethodOfFirstPayment(c, inv) {
		// The method that pays becomes the subscription's default, so
		// it is saved to the customer as the payment succeeds.
		pi["setup_future_usage"] = "off_session"
	}
	if err := payments.InsertIntent(c, pi); err != nil {
		return nil, err
	}
	pay := newInvoicePayment(c, inv, pi, true)
	if err := c.Put(pay); err != nil {
		return nil, err
	}
	if err := c.Put(inv); err != nil {
		return nil, err
	}
	c.Emit("invoice.finalized", inv, nil)
	if types, _ := api.Obj(inv["payment_settings"])["payment_method_types"].([]any); inv["collection_method"] == "send_invoice" && slices.Contains(types, any("customer_balance")) {
		// A customer whose cash balance already holds the funds pays
		// at once (automatic reconciliation); the hooks crediting the
		// invoice run now, so callers see it paid.
		if err := payments.ReconcileCash(c, api.Str(inv["customer"]), api.Str(inv["currency"])); err != nil {
			return nil, err
		}
		if err := c.Flush(); err != nil {
			return nil, err
		}
	}
	return inv, nil
}

// applyBalance uses the customer's balance in the invoice's currency on
// an invoice being finalized, as Stripe does: credit (a negative balance)
// pays what it can of the total, a debt (a positive balance) is added to
// what is due, and a negative total is credited to the balance. The
// invoice records starting_balance and ending_balance; an
// applied_to_invoice transaction moves the balance, the customer's own
// changed in cus (the caller stores it). It returns the customer's
// previous attributes when its balance field moved, nil otherwise. A
// customer without a balance costs only the read of the field.
func applyBalance(c *api.Call, inv, cus store.Obj) (store.Obj, error) {
	cur := api.Str(inv["currency"])
	bal := customers.BalanceIn(c, cus, cur)
	inv["starting_balance"] = bal
	inv["ending_balance"] = bal
	total := api.Int(inv["total"])
	var applied int64
	switch {
	case total < 0:
		// Nothing is due; what the invoice owes the customer (a credit
		// proration, say) becomes credit on their balance.
		applied = -total
	case bal == 0:
		return nil, nil
	case bal > 0:
		applied = bal // a debt is all added
	default:
		applied = -min(-bal, total)
	}
	if applied == 0 {
		return nil, nil
	}
	if total >= 0 {
		due := max(total+applied, 0)
		inv["amount_due"] = due
		inv["amount_remaining"] = max(due-api.Int(inv["amount_paid"]), 0)
	}
	if _, err := customers.MoveBalance(c, cus, -applied, cur, "applied_to_invoice", store.Obj{"invoice": inv["id"]}); err != nil {
		return nil, err
	}
	inv["ending_balance"] = bal - applied
	if !customers.OwnCurrency(cus, cur) {
		return nil, nil // the customer's own balance did not move
	}
	return store.Obj{"balance": bal}, nil
}

// unapplyBalance gives a voided invoice's customer back the balance its
// finalization applied (credit it used, or a debt it took on), as Stripe
// has since 2019-12-03: an unapplied_from_invoice transaction of the
// opposite of what applied_to_invoice moved.
func unapplyBalance(c *api.Call, inv store.Obj) error {
	moved := api.Int(inv["ending_balance"]) - api.Int(inv["starting_balance"])
	if moved == 0 || inv["ending_balance"] == nil {
		return nil
	}
	cus, ok := c.Tx.Get(c.Account, "customer", api.Str(inv["customer"]))
	if !ok || api.Bool(cus["deleted"]) {
		return nil
	}
	return moveCustomerBalance(c, cus, -moved, api.Str(inv["currency"]), "unapplied_from_invoice", store.Obj{"invoice": inv["id"]})
}

// moveCustomerBalance moves cus's balance in cur (MoveBalance) and, when
// that is its own balance field, stores cus with customer.updated.
func moveCustomerBalance(c *api.Call, cus store.Obj, amount int64, cur, typ string, extra store.Obj) error {
	own := customers.OwnCurrency(cus, cur)
	prev := store.Obj{"balance": cus["balance"]}
	if own {
		cus = api.Clone(cus)
	}
	if _, err := customers.MoveBalance(c, cus, amount, cur, typ, extra); err != nil {
		return err
	}
	if !own {
		return nil
	}
	return c.PutEmit(cus, "customer.updated", prev)
}

// savesMethodOfFirstPayment reports whether an invoice is one a client
// pays by hand for a subscription that keeps the paying method (its first
// invoice, or one an update made), where Stripe asks the intent to set
// the method up for later. Renewals are charged with the saved method.
func savesMethodOfFirstPayment(c *api.Call, inv store.Obj) bool {
	if r := inv["billing_reason"]; r != "subscription_create" && r != "subscription_update" {
		return false
	}
	sub, ok := c.Tx.Get(c.Account, "subscription", api.Str(api.Obj(api.Obj(inv["parent"])["subscription_details"])["subscription"]))
	return ok && savesPaymentMethod(sub)
}

// confirmationSecret is the includable invoice.confirmation_secret: the
// client secret of the PaymentIntent finalization made for the invoice,
// which a client confirms (expand[]=latest_invoice.confirmation_secret is
// how basil integrations reach it; without expansion it is left out).
func confirmationSecret(c *api.Call, inv store.Obj) (any, error) {
	pay := defaultPayment(c, api.Str(inv["id"]))
	if pay == nil {
		return nil, nil
	}
	pi, ok := c.Tx.Get(c.Account, "payment_intent", api.Str(api.Obj(pay["payment"])["payment_intent"]))
	if !ok {
		return nil, nil
	}
	return store.Obj{"client_secret": pi["client_secret"], "type": "payment_intent"}, nil
}

func newInvoicePayment(c *api.Call, inv, pi store.Obj, isDefault bool) store.Obj {
	p := c.Object("invoice_payment", c.NewID("invoice_payment"), store.Obj{
		"amount_paid": nil, "amount_requested": pi["amount"], "currency": pi["currency"], "invoice": inv["id"],
		"is_default": isDefault, "payment": store.Obj{"type": "payment_intent", "payment_intent": pi["id"]},
		"status": "open", "status_transitions": store.Obj{"canceled_at": nil, "paid_at": nil},
	})
	return p
}

// defaultPayment returns the open default InvoicePayment of an invoice.
func defaultPayment(c *api.Call, invID string) store.Obj {
	for _, p := range c.Tx.List(c.Account, "invoice_payment", store.Query{Index: "invoice", Value: invID}).Data {
		if api.Bool(p["is_default"]) {
			return p
		}
	}
	return nil
}

// errNoPaymentMethod is the answer when there is nothing to charge.
func errNoPaymentMethod() error {
	return apierr.InvalidRequest("This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://stripe.com/docs/billing/subscriptions/payment-methods-setting#payment-method-priority.")
}

// payingMethod picks the payment method an automatic attempt uses: the
// invoice's default_payment_method, then its default_source, its
// subscription's, then the customer's default.
func payingMethod(c *api.Call, inv store.Obj) string {
	if pm := api.Str(inv["default_payment_method"]); pm != "" {
		return pm
	}
	if src := api.Str(inv["default_source"]); src != "" {
		return src
	}
	if subID := api.Str(api.Obj(api.Obj(inv["parent"])["subscription_details"])["subscription"]); subID != "" {
		// The subscription's default_payment_method, then its
		// default_source, then the customer's defaults (Stripe's order).
		if f, ok := c.Tx.Fields(c.Account, "subscription", subID, "default_payment_method", "default_source"); ok {
			if f[0].String() != "" {
				return f[0].String()
			}
			if f[1].String() != "" {
				return f[1].String()
			}
		}
	}
	return payments.DefaultPaymentMethod(c, api.Str(inv["customer"]))
}

// errAwaitingAction is attempt's answer when the card asked for 3-D
// Secure: the invoice's PaymentIntent waits in requires_action for the
// customer. The attempt counts (invoice.payment_failed), but Stripe does
// not retry it: the payment "has not technically failed" (Stripe's support
// article on subscription retries for 3D Secure).
var errAwaitingAction = errors.New("billing: the invoice's payment waits for the customer's authentication")

// attempt charges an open invoice's default payment. It returns the
// decline (a *api.KeptError) if the card declined, or errAwaitingAction
// if the card waits for 3-D Secure; the caller records either attempt.
func attempt(c *api.Call, invID, pmID string) error {
	pay := defaultPayment(c, invID)
	if pay == nil || pay["status"] != "open" {
		return apierr.InvalidRequest("Invoice %s has no open payment to attempt.", invID)
	}
	pi, ok := c.Tx.Get(c.Account, "payment_intent", api.Str(api.Obj(pay["payment"])["payment_intent"]))
	if !ok {
		return apierr.Internal("invoice payment without its PaymentIntent")
	}
	after, err := payments.Charge(c, pi, pmID, true)
	if err != nil || after["status"] != payments.Succeeded {
		// Recorded by the caller, not as the customer's attempt (the
		// hooks run at the next Flush, after this).
		c.SetScratch(attemptKey(api.Str(pi["id"])), true)
	}
	var kept *api.KeptError
	if err != nil && !errors.As(err, &kept) {
		return err
	}
	if err == nil && after["status"] == payments.RequiresAction {
		if api.Obj(after["next_action"])["type"] == "use_stripe_sdk" {
			return errAwaitingAction
		}
		// A bank transfer or a redirect waits for the customer too, but
		// is no failed attempt.
		inv, _ := c.Tx.Get(c.Account, "invoice", invID)
		c.Emit("invoice.payment_action_required", inv, nil)
	}
	return err
}

// failedAttempt reports whether attempt's error is an attempt to record
// on the invoice (a decline, or a payment waiting for 3-D Secure) rather
// than an error of the request.
func failedAttempt(err error) bool {
	var kept *api.KeptError
	return err == errAwaitingAction || errors.As(err, &kept)
}

// recordFailedAttempt counts an automatic attempt that failed and
// schedules the next one per the retry schedule. An attempt waiting for
// the customer's authentication (awaiting) is not retried, and says
// invoice.payment_action_required after invoice.payment_failed.
func recordFailedAttempt(c *api.Call, invID string, awaiting bool) error {
	return recordAttempt(c, invID, awaiting, true)
}

// recordAttempt is recordFailedAttempt for an automatic attempt or, not
// automatic, one made through POST /v1/invoices/:id/pay: only an automatic
// failure makes the customer delinquent (Customer.delinquent's reference).
func recordAttempt(c *api.Call, invID string, awaiting, automatic bool) error {
	before, _ := c.Tx.Get(c.Account, "invoice", invID)
	if before == nil || before["status"] != "open" {
		return nil
	}
	inv := api.Clone(before)
	n := api.Int(inv["attempt_count"]) + 1
	inv["attempt_count"] = n
	inv["attempted"] = true
	inv["next_payment_attempt"] = nil
	// A one-off invoice is retried only under automatic collection
	// (auto_advance): without it the invoice "doesn't automatically
	// advance without an explicit action". A subscription's invoices
	// follow its retry schedule (cancelling it stops them, stopCollection).
	sub := api.Str(api.Obj(api.Obj(inv["parent"])["subscription_details"])["subscription"])
	if days := LoadSettings(c.Tx, c.Account).RetryDays; !awaiting && int(n) <= len(days) && inv["collection_method"] == "charge_automatically" && (sub != "" || api.Bool(inv["auto_advance"])) {
		inv["next_payment_attempt"] = c.Now + int64(days[n-1])*86400
	}
	if err := c.Put(inv); err != nil {
		return err
	}
	c.Emit("invoice.payment_failed", inv, nil)
	if awaiting {
		c.Emit("invoice.payment_action_required", inv, nil)
	} else if automatic {
		if err := setDelinquent(c, api.Str(inv["customer"]), true); err != nil {
			return err
		}
	}
	return subscriptionPaymentFailed(c, inv, awaiting)
}

// actionRequiredOnPay is POST /v1/invoices/:id/pay's answer when the card
// asked for 3-D Secure: a 402 whose payment_intent is the invoice's, left
// in requires_action for the customer to complete on-session.
func actionRequiredOnPay(c *api.Call, invID string) error {
	e := &apierr.Error{Status: 402, Type: apierr.TypeCard, Message: "This payment requires additional user action before it can be completed successfully. " +
		"Payment can be completed using the PaymentIntent associated with the invoice. For more details see: https://stripe.com/docs/billing/subscriptions/payment#handling-action-required"}
	e.WithCode("invoice_payment_intent_requires_action")
	if pay := defaultPayment(c, invID); pay != nil {
		e.PaymentIntent, _ = c.Tx.Get(c.Account, "payment_intent", api.Str(api.Obj(pay["payment"])["payment_intent"]))
	}
	return api.Keep(e)
}

// onInvoiceClock dates what a request does to an invoice by the
// invoice's clock: its customer's test clock when it has one.
func onInvoiceClock(c *api.Call, inv store.Obj) {
	c.Now = c.ClockNow(store.Obj{"test_clock": inv["test_clock"]})
}

func finalizeInvoice(c *api.Call) (any, error) {
	inv, err := loadInvoice(c)
	if err != nil {
		return nil, err
	}
	onInvoiceClock(c, inv)
	inv = api.Clone(inv)
	if v, ok := c.Params.Bool("auto_advance"); ok {
		inv["auto_advance"] = v
	}
	if inv["status"] == "draft" && api.Bool(inv["auto_advance"]) && inv["collection_method"] == "charge_automatically" {
		// Automatic collection charges it in an hour (Stripe's wait
		// before it attempts an invoice finalized with auto_advance on;
		// the clock's retry work makes the attempt). Finalizing an
		// invoice with nothing due clears it again.
		inv["next_payment_attempt"] = c.Now + AutoFinalizeDelay
	}
	return finalize(c, inv)
}

func payInvoice(c *api.Call) (any, error) {
	inv, err := loadInvoice(c)
	if err != nil {
		return nil, err
	}
	onInvoiceClock(c, inv)
	// forgive=false is Stripe's default (nothing pre-funded is forgiven);
	// forgiving a short pre-funded source is not emulated.
	c.AcceptWhen("forgive", false)
	if inv["status"] == "draft" {
		if inv, err = finalize(c, inv); err != nil {
			return nil, err
		}
		if inv["status"] == "paid" {
			// Nothing was due (the customer's credit, say): finalizing
			// paid it, which is what was asked.
			c.AcceptWhen("off_session", true)
			c.Inert("paid_out_of_band", "payment_method")
			return inv, nil
		}
	}
	switch inv["status"] {
	case "open", "uncollectible":
	case "paid":
		return nil, apierr.InvalidRequest("Invoice is already paid").WithCode("invoice_already_paid")
	default:
		return nil, apierr.InvalidRequest("You cannot pay this invoice because it has a status of %s.", inv["status"]).WithCode("invoice_not_editable")
	}
	// Attempts here are off-session, Stripe's default for paying an invoice.
	c.AcceptWhen("off_session", true)
	if oob, _ := c.Params.Bool("paid_out_of_band"); oob {
		return payOutOfBand(c, inv)
	}
	pmID, _ := c.Params.Str("payment_method")
	if pmID == "" {
		pmID = payingMethod(c, inv)
	}
	if pmID == "" {
		return nil, errNoPaymentMethod()
	}
	err = attempt(c, api.Str(inv["id"]), pmID)
	if ferr := c.Flush(); ferr != nil {
		return nil, ferr
	}
	if err != nil {
		if failedAttempt(err) {
			if ferr := recordAttempt(c, api.Str(inv["id"]), err == errAwaitingAction, false); ferr != nil {
				return nil, ferr
			}
		}
		if err == errAwaitingAction {
			return nil, actionRequiredOnPay(c, api.Str(inv["id"]))
		}
		return nil, err
	}
	out, _ := c.Tx.Get(c.Account, "invoice", api.Str(inv["id"]))
	return out, nil
}

// payOutOfBand marks an invoice paid outside Stripe: basil counts it in
// amount_paid; invoice.paid is sent but not invoice.payment_succeeded.
func payOutOfBand(c *api.Call, before store.Obj) (any, error) {
	if pay := defaultPayment(c, api.Str(before["id"])); pay != nil && pay["status"] == "open" {
		if err := cancelPayment(c, pay); err != nil {
			return nil, err
		}
	}
	inv, _ := c.Tx.Get(c.Account, "invoice", api.Str(before["id"]))
	inv = api.Clone(inv)
	inv["amount_paid"] = api.Int(inv["amount_paid"]) + api.Int(inv["amount_remaining"])
	inv["amount_remaining"] = int64(0)
	inv["status"] = "paid"
	inv["next_payment_attempt"] = nil
	inv["auto_advance"] = false
	api.Obj(inv["status_transitions"])["paid_at"] = c.Now
	if err := c.Put(inv); err != nil {
		return nil, err
	}
	c.Emit("invoice.paid", inv, nil)
	if err := setDelinquent(c, api.Str(inv["customer"]), false); err != nil {
		return nil, err
	}
	return inv, subscriptionInvoicePaid(c, inv, "")
}

// cancelPayment cancels an open InvoicePayment and its PaymentIntent.
func cancelPayment(c *api.Call, pay store.Obj) error {
	pi, ok := c.Tx.Get(c.Account, "payment_intent", api.Str(api.Obj(pay["payment"])["payment_intent"]))
	if ok && pi["status"] != payments.Canceled && pi["status"] != payments.Succeeded && pi["status"] != payments.Processing {
		// The intent's cancellation cancels the payment (see onIntentChange).
		if _, err := payments.Cancel(c, pi, "abandoned"); err != nil {
			return err
		}
		return nil
	}
	after := api.Clone(pay)
	after["status"] = "canceled"
	api.Obj(after["status_transitions"])["canceled_at"] = c.Now
	return c.Put(after)
}

// blockingPayments reports whether an invoice has payments that stop it
// being voided: paid ones, or attached ones still in flight.
func blockingPayments(c *api.Call, invID string) bool {
	for _, p := range c.Tx.List(c.Account, "invoice_payment", store.Query{Index: "invoice", Value: invID}).Data {
		if p["status"] == "paid" {
			return true
		}
		if p["status"] == "open" && !api.Bool(p["is_default"]) {
			return true
		}
	}
	return false
}

func voidInvoice(c *api.Call) (any, error) {
	inv, err := loadInvoice(c)
	if err != nil {
		return nil, err
	}
	onInvoiceClock(c, inv)
	return void(c, inv)
}

func void(c *api.Call, before store.Obj) (store.Obj, error) {
	if before["status"] != "open" && before["status"] != "uncollectible" {
		return nil, apierr.InvalidRequest("You can only void invoices that are open or uncollectible; this one is %s.", before["status"]).WithCode("invoice_not_editable")
	}
	if blockingPayments(c, api.Str(before["id"])) {
		return nil, apierr.InvalidRequest("This invoice can't be voided because it has payments that are paid or still open. Refund or cancel them first.").WithCode("invoice_not_editable")
	}
	if pay := defaultPayment(c, api.Str(before["id"])); pay != nil && pay["status"] == "open" {
		if err := cancelPayment(c, pay); err != nil {
			return nil, err
		}
	}
	inv, _ := c.Tx.Get(c.Account, "invoice", api.Str(before["id"]))
	inv = api.Clone(inv)
	inv["status"] = "void"
	inv["next_payment_attempt"] = nil
	inv["auto_advance"] = false
	api.Obj(inv["status_transitions"])["voided_at"] = c.Now
	if err := c.Put(inv); err != nil {
		return nil, err
	}
	c.Emit("invoice.voided", inv, nil)
	if err := unapplyBalance(c, inv); err != nil {
		return nil, err
	}
	if tookCredits(inv) {
		for _, hook := range VoidCreditHooks {
			if err := hook(c, inv); err != nil {
				return nil, err
			}
		}
	}
	return inv, nil
}

func markUncollectible(c *api.Call) (any, error) {
	before, err := loadInvoice(c)
	if err != nil {
		return nil, err
	}
	onInvoiceClock(c, before)
	inv, err := uncollectible(c, before)
	if err != nil {
		return nil, err
	}
	// Marked through the API it clears the customer's delinquent flag;
	// dunning's own marking (uncollectible alone) does not.
	return inv, setDelinquent(c, api.Str(inv["customer"]), false)
}

// setDelinquent records a change of the customer's delinquent flag, which
// "tracks the most recent state change on any invoice belonging to the
// customer" (Customer.delinquent), with customer.updated. A payment finds
// the customer already held by the finalization before it, so the common
// case, nothing to change, reads nothing more.
func setDelinquent(c *api.Call, cusID string, v bool) error {
	cus, ok := c.Tx.Get(c.Account, "customer", cusID)
	if !ok || api.Bool(cus["deleted"]) || api.Bool(cus["delinquent"]) == v {
		return nil
	}
	cus["delinquent"] = v
	return c.PutEmit(cus, "customer.updated", store.Obj{"delinquent": !v})
}

// uncollectible marks an open invoice uncollectible.
func uncollectible(c *api.Call, before store.Obj) (store.Obj, error) {
	if before["status"] != "open" {
		return nil, apierr.InvalidRequest("You can only mark open invoices as uncollectible; this one is %s.", before["status"]).WithCode("invoice_not_editable")
	}
	for _, p := range c.Tx.List(c.Account, "invoice_payment", store.Query{Index: "invoice", Value: api.Str(before["id"])}).Data {
		if p["status"] == "open" && !api.Bool(p["is_default"]) {
			return nil, apierr.InvalidRequest("This invoice has open payments and can't be marked uncollectible.").WithCode("invoice_not_editable")
		}
	}
	inv := api.Clone(before)
	inv["status"] = "uncollectible"
	inv["next_payment_attempt"] = nil
	inv["auto_advance"] = false // Stripe: never on a paid, void or uncollectible invoice
	api.Obj(inv["status_transitions"])["marked_uncollectible_at"] = c.Now
	if err := c.Put(inv); err != nil {
		return nil, err
	}
	c.Emit("invoice.marked_uncollectible", inv, nil)
	return inv, nil
}

func sendInvoice(c *api.Call) (any, error) {
	inv, err := loadInvoice(c)
	if err != nil {
		return nil, err
	}
	onInvoiceClock(c, inv)
	if inv["collection_method"] != "send_invoice" {
		return nil, apierr.InvalidRequest("You can only manually send an invoice if its collection method is 'send_invoice'.")
	}
	if inv["status"] == "draft" {
		if inv, err = finalize(c, inv); err != nil {
			return nil, err
		}
	}
	// A paid invoice can be sent again (Stripe's reference: its email
	// then makes no reference to the payment).
	if inv["status"] != "open" && inv["status"] != "paid" {
		return nil, apierr.InvalidRequest("You can only send open or paid invoices; this one is %s.", inv["status"])
	}
	c.Emit("invoice.sent", inv, nil)
	return inv, nil
}
