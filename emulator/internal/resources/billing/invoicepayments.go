package billing

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

func invoicePaymentRoutes() []api.Route {
	return []api.Route{
		api.GET("/v1/invoice_payments", params.FromStruct(stripe.InvoicePaymentListParams{}), listInvoicePayments),
		api.GET("/v1/invoice_payments/{id}", params.FromStruct(stripe.InvoicePaymentRetrieveParams{}), retrieveInvoicePayment),
	}
}

func init() {
	payments.OnChange = append(payments.OnChange, onIntentChange)
	payments.OnConfirmFailed = append(payments.OnConfirmFailed, func(c *api.Call, pi store.Obj) error {
		return customerAttemptFailed(c, api.Str(pi["id"]))
	})
	payments.OnSetupSucceeded = append(payments.OnSetupSucceeded, onSetupSucceeded)
	payments.OnDetached = append(payments.OnDetached, onPaymentMethodDetached)
	payments.Guards = append(payments.Guards, guardInvoiceIntent)
	// An open invoice's default payment takes the customer's cash balance
	// (customer_balance) only for its whole amount; a transfer quoting the
	// invoice's number pays it first.
	payments.ManagedIntent = func(c *api.Call, piID string) (bool, string, int64) {
		pay := paymentOf(c, piID)
		if pay == nil || !api.Bool(pay["is_default"]) || pay["status"] != "open" {
			return false, "", 0
		}
		f, _ := c.Tx.Fields(c.Account, "invoice", api.Str(pay["invoice"]), "number", "due_date")
		if len(f) < 2 {
			return true, "", 0
		}
		return true, f[0].String(), f[1].Int()
	}
}

// invoicePayments is the includable invoice.payments list.
func invoicePayments(c *api.Call, inv store.Obj) (any, error) {
	p := c.Tx.List(c.Account, "invoice_payment", store.Query{Index: "invoice", Value: api.Str(inv["id"]), Limit: 10})
	data := make([]any, len(p.Data))
	for i, o := range p.Data {
		data[i] = o
	}
	return store.Obj{"object": "list", "data": data, "has_more": p.HasMore, "url": "/v1/invoice_payments?invoice=" + api.Str(inv["id"])}, nil
}

func retrieveInvoicePayment(c *api.Call) (any, error) {
	return c.Load("invoice_payment", c.Var("id"), "id")
}

func listInvoicePayments(c *api.Call) (any, error) {
	q, err := c.ListQuery("invoice_payment")
	if err != nil {
		return nil, err
	}
	if inv, ok := c.Params.Str("invoice"); ok && inv != "" {
		q.Index, q.Value = "invoice", inv
	}
	if pay, ok := c.Params.Obj("payment"); ok {
		typ, _ := pay.Str("type")
		if typ == "" {
			return nil, apierr.MissingParam("payment[type]")
		}
		if typ != "payment_intent" && typ != "charge" {
			return nil, apierr.InvalidRequest("Invalid payment[type]: must be one of charge or payment_intent").WithParam("payment[type]")
		}
		if pi, ok := pay.Str("payment_intent"); ok && pi != "" {
			if q.Index == "" {
				q.Index, q.Value = "payment_intent", pi
			}
			q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Obj(o["payment"])["payment_intent"] == pi })
		}
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Obj(o["payment"])["type"] == typ })
	}
	if st, ok := c.Params.Str("status"); ok && st != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["status"] == st })
	}
	return c.Page("invoice_payment", "/v1/invoice_payments", q), nil
}

// attachPayment links another PaymentIntent to an open invoice; it is
// credited when (or if already) it succeeds.
func attachPayment(c *api.Call) (any, error) {
	inv, err := loadInvoice(c)
	if err != nil {
		return nil, err
	}
	onInvoiceClock(c, inv)
	if inv["status"] != "open" {
		return nil, apierr.InvalidRequest("You can only attach payments to open invoices; this invoice has status %s.", inv["status"]).WithCode("invoice_not_editable")
	}
	if subID := api.Str(api.Obj(api.Obj(inv["parent"])["subscription_details"])["subscription"]); subID != "" && inv["collection_method"] == "charge_automatically" {
		return nil, apierr.InvalidRequest("Partial payments aren't supported for subscription invoices with collection_method=charge_automatically.")
	}
	piID, _ := c.Params.Str("payment_intent")
	pi, ok := c.Tx.Get(c.Account, "payment_intent", piID)
	if !ok {
		return nil, apierr.NoSuchObject("payment_intent", piID, "payment_intent")
	}
	if existing := c.Tx.List(c.Account, "invoice_payment", store.Query{Index: "payment_intent", Value: piID, Limit: 1}); len(existing.Data) > 0 {
		return nil, apierr.InvalidRequest("The PaymentIntent %s is already attached to invoice %s.", piID, existing.Data[0]["invoice"]).WithParam("payment_intent")
	}
	switch {
	case pi["customer"] != inv["customer"]:
		return nil, apierr.InvalidRequest("The PaymentIntent's customer (%v) must match the invoice's customer (%s).", pi["customer"], inv["customer"]).WithParam("payment_intent")
	case pi["currency"] != inv["currency"]:
		return nil, apierr.InvalidRequest("The PaymentIntent's currency (%s) must match the invoice's currency (%s).", pi["currency"], inv["currency"]).WithParam("payment_intent")
	case pi["status"] == payments.Canceled:
		return nil, apierr.InvalidRequest("A canceled PaymentIntent can't be attached to an invoice.").WithParam("payment_intent")
	case api.Int(pi["amount"]) > api.Int(inv["amount_remaining"]):
		return nil, apierr.InvalidRequest("The PaymentIntent's amount (%d) is greater than the invoice's amount_remaining (%d).", api.Int(pi["amount"]), api.Int(inv["amount_remaining"])).WithParam("payment_intent")
	}
	pay := newInvoicePayment(c, inv, pi, false)
	if err := c.Put(pay); err != nil {
		return nil, err
	}
	if pi["status"] == payments.Succeeded {
		if err := credit(c, pay, pi); err != nil {
			return nil, err
		}
	}
	out, _ := c.Tx.Get(c.Account, "invoice", api.Str(inv["id"]))
	return out, nil
}

// paymentOf finds the InvoicePayment of a PaymentIntent.
func paymentOf(c *api.Call, piID string) store.Obj {
	p := c.Tx.List(c.Account, "invoice_payment", store.Query{Index: "payment_intent", Value: piID, Limit: 1})
	if len(p.Data) == 0 {
		return nil
	}
	return p.Data[0]
}

// onIntentChange keeps InvoicePayments and their invoices in step with
// their PaymentIntents.
func onIntentChange(c *api.Call, ch payments.IntentChange) error {
	pay := paymentOf(c, ch.ID)
	if pay == nil || pay["status"] != "open" {
		return nil
	}
	switch ch.To {
	case payments.Succeeded:
		return credit(c, pay, ch.Intent())
	case payments.Canceled:
		next := api.Clone(pay)
		next["status"] = "canceled"
		api.Obj(next["status_transitions"])["canceled_at"] = c.Now
		return c.Put(next)
	case payments.Processing:
		if api.Bool(pay["is_default"]) {
			return attemptProcessing(c, api.Str(pay["invoice"]))
		}
	case payments.RequiresPaymentMethod:
		switch {
		case ch.From == payments.Processing && !api.Bool(pay["is_default"]):
			// An attached bank debit that failed: the invoice says so.
			inv, _ := c.Tx.Get(c.Account, "invoice", api.Str(pay["invoice"]))
			c.Emit("invoice.payment_failed", inv, nil)
		case ch.From == payments.Processing:
			// The invoice's own bank debit failed days after it was made:
			// a failed attempt, as a declined card's is at once.
			return debitFailed(c, api.Str(pay["invoice"]))
		case ch.From == payments.RequiresAction:
			// The customer failed 3-D Secure, or the card declined once
			// authenticated.
			return customerAttemptFailed(c, ch.ID)
		}
	}
	return nil
}

// attemptProcessing plans no attempt while the invoice's bank debit is
// processing: its outcome decides whether a retry is due.
func attemptProcessing(c *api.Call, invID string) error {
	before, ok := c.Tx.Get(c.Account, "invoice", invID)
	if !ok || before["status"] != "open" || before["next_payment_attempt"] == nil {
		return nil
	}
	inv := api.Clone(before)
	inv["next_payment_attempt"] = nil
	return c.Put(inv)
}

// debitFailed records the failure of the bank debit paying an invoice: an
// automatic attempt's under automatic collection (counted, retried on the
// schedule, the subscription past due), the customer's otherwise.
func debitFailed(c *api.Call, invID string) error {
	inv, ok := c.Tx.Get(c.Account, "invoice", invID)
	if !ok || inv["status"] != "open" {
		return nil
	}
	if inv["collection_method"] == "charge_automatically" {
		return automaticAttemptFailed(c, invID, false)
	}
	pay := defaultPayment(c, invID)
	return customerAttemptFailed(c, api.Str(api.Obj(pay["payment"])["payment_intent"]))
}

// customerAttemptFailed records a failed attempt to pay an invoice that
// the customer (or the merchant's client) made by confirming one of its
// PaymentIntents: Stripe says invoice.payment_failed "whenever an invoice
// payment attempt fails". Any attempt counts as the first; further ones
// count only when automatic (attempt_count's reference), so no retry is
// scheduled here. Billing's own attempts are recorded by
// recordFailedAttempt instead, once per request and intent.
func customerAttemptFailed(c *api.Call, piID string) error {
	key := attemptKey(piID)
	if c.Scratch(key) != nil {
		return nil
	}
	c.SetScratch(key, true)
	pay := paymentOf(c, piID)
	if pay == nil || pay["status"] != "open" {
		return nil
	}
	inv, ok := c.Tx.Get(c.Account, "invoice", api.Str(pay["invoice"]))
	if !ok || inv["status"] != "open" {
		return nil
	}
	if api.Int(inv["attempt_count"]) == 0 {
		inv = api.Clone(inv)
		inv["attempt_count"] = int64(1)
		inv["attempted"] = true
		if err := c.Put(inv); err != nil {
			return err
		}
	}
	c.Emit("invoice.payment_failed", inv, nil)
	return nil
}

// attemptKey marks, for one request, an intent whose failed attempt is
// already recorded on its invoice.
func attemptKey(piID string) string { return "billing.attempt:" + piID }

// automaticKey marks, for one request, an invoice billing attempts on its
// own (its first automatic attempt, or a retry): one that pays it counts.
func automaticKey(invID string) string { return "billing.automatic:" + invID }

// credit books a succeeded PaymentIntent on its invoice: the payment turns
// paid, the invoice's amounts move, and the invoice turns paid when
// nothing remains. The default payment follows what remains.
//
// Objects are changed in place where no event shows what they were (the
// payment, a paid invoice); a partly paid invoice's update event does.
func credit(c *api.Call, pay, pi store.Obj) error {
	received := api.Int(pi["amount_received"])
	pay["status"] = "paid"
	pay["amount_paid"] = received
	api.Obj(pay["status_transitions"])["paid_at"] = c.Now
	if err := c.Put(pay); err != nil {
		return err
	}
	inv, _ := c.Tx.Get(c.Account, "invoice", api.Str(pay["invoice"]))
	paid := api.Int(inv["amount_paid"]) + received
	due := api.Int(inv["amount_due"])
	wasPaid := inv["status"] == "paid"
	overBefore := api.Int(inv["amount_overpaid"])
	invBefore := inv
	if paid < due {
		inv = api.Clone(inv)
	}
	inv["amount_paid"] = paid
	inv["amount_remaining"] = max(due-paid, 0)
	inv["amount_overpaid"] = max(paid-due, 0)
	if api.Bool(pay["is_default"]) && !wasPaid {
		// The attempt that paid counts as the failed ones do:
		// attempt_count's reference, "Any payment attempt counts as
		// the first attempt, and subsequently only automatic retries
		// increment the attempt count."
		n := api.Int(inv["attempt_count"])
		if (n == 0 && c.Scratch(scratchPaidOnPage) == nil) || c.Scratch(automaticKey(api.Str(inv["id"]))) != nil {
			inv["attempt_count"] = n + 1
		}
		inv["attempted"] = true
	}
	c.Emit("invoice_payment.paid", pay, nil)
	if over := api.Int(inv["amount_overpaid"]) - overBefore; over > 0 {
		if err := creditOverpaid(c, inv, over); err != nil {
			return err
		}
	}
	if wasPaid {
		// A payment still attached when others paid it: only the
		// overpayment is news.
		if err := c.Put(inv); err != nil {
			return err
		}
		c.Emit("invoice.overpaid", inv, nil)
		return nil
	}
	if paid >= due {
		inv["status"] = "paid"
		inv["next_payment_attempt"] = nil
		inv["auto_advance"] = false // Stripe: never on a paid, void or uncollectible invoice
		api.Obj(inv["status_transitions"])["paid_at"] = c.Now
		if err := c.Put(inv); err != nil {
			return err
		}
		c.Emit("invoice.paid", inv, nil)
		c.Emit("invoice.payment_succeeded", inv, nil)
		if paid > due {
			c.Emit("invoice.overpaid", inv, nil)
		}
		if err := setDelinquent(c, api.Str(inv["customer"]), false); err != nil {
			return err
		}
	} else if err := c.Save(invBefore, inv); err != nil {
		return err
	}
	if !api.Bool(pay["is_default"]) {
		if err := syncDefault(c, inv); err != nil {
			return err
		}
	}
	if inv["status"] == "paid" {
		return subscriptionInvoicePaid(c, inv, api.Str(pi["payment_method"]))
	}
	return nil
}

// creditOverpaid credits what payments paid over an invoice's amount due
// to its customer's balance, as amount_overpaid's reference says ("The
// amount overpaid is credited to the customer's credit balance"): an
// invoice_overpaid transaction, in the invoice's currency.
func creditOverpaid(c *api.Call, inv store.Obj, over int64) error {
	cus, ok := c.Tx.Get(c.Account, "customer", api.Str(inv["customer"]))
	if !ok || api.Bool(cus["deleted"]) {
		return nil
	}
	return moveCustomerBalance(c, cus, -over, api.Str(inv["currency"]), "invoice_overpaid", store.Obj{"invoice": inv["id"]})
}

// syncDefault keeps the default payment asking for what remains, and
// cancels it once nothing does.
func syncDefault(c *api.Call, inv store.Obj) error {
	def := defaultPayment(c, api.Str(inv["id"]))
	if def == nil || def["status"] != "open" {
		return nil
	}
	remaining := api.Int(inv["amount_remaining"])
	if remaining == 0 {
		return cancelPayment(c, def)
	}
	pi, ok := c.Tx.Get(c.Account, "payment_intent", api.Str(api.Obj(def["payment"])["payment_intent"]))
	if !ok || pi["status"] == payments.Processing || pi["status"] == payments.Succeeded {
		return nil
	}
	if _, err := payments.SetAmount(c, pi, remaining); err != nil {
		return err
	}
	next := api.Clone(def)
	next["amount_requested"] = remaining
	return c.Put(next)
}

// guardInvoiceIntent keeps apps from editing or cancelling the
// PaymentIntent an invoice manages; confirming it (paying) is fine.
func guardInvoiceIntent(c *api.Call, pi store.Obj, action string) error {
	if action == "confirm" {
		return nil
	}
	pay := paymentOf(c, api.Str(pi["id"]))
	if pay == nil || !api.Bool(pay["is_default"]) {
		return nil
	}
	return apierr.InvalidRequest("This PaymentIntent is the default payment of invoice %s and is managed by it; you can't %s it directly. Update, pay or void the invoice instead.", pay["invoice"], action).WithCode("payment_intent_unexpected_state")
}
