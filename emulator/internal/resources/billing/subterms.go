package billing

import (
	"encoding/json"
	"math"
	"slices"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Subscription terms that reach the payments of its invoices: a Connect
// platform's destination (transfer_data), settlement merchant
// (on_behalf_of) and cut (application_fee_percent), and the
// payment_method_options its invoices' PaymentIntents are made with.

// billingModeParam reads billing_mode on create: classic is what the
// emulator does (the subscription shows {type: classic} either way);
// flexible bills differently in ways not emulated.
func billingModeParam(c *api.Call) error {
	c.AcceptWhen("billing_mode.type", "classic")
	if t, _ := c.Params.Str("billing_mode.type"); t == "flexible" {
		return apierr.InvalidRequest("stripe-emu does not emulate flexible billing mode (`billing_mode[type]=flexible`), so it refused the request rather than answer as if it had taken effect. Leave it out or use `classic`.").WithParam("billing_mode[type]")
	}
	return nil
}

// issuerParam accepts invoice_settings[issuer][type]=self, the default
// every invoice shows; an account issuer is left unread, so refused.
func issuerParam(c *api.Call) { c.AcceptWhen("invoice_settings.issuer.type", "self") }

// checkPercent checks a percentage parameter: at least 0, at most 100,
// with at most two decimal places.
func checkPercent(p float64, param string) error {
	if p < 0 || p > 100 {
		return apierr.InvalidRequest("Invalid %s: must be a number between 0 and 100", param).WithParam(param)
	}
	if math.Abs(p*100-math.Round(p*100)) > 1e-6 {
		return apierr.InvalidRequest("Invalid %s: must have at most 2 decimal places", param).WithParam(param)
	}
	return nil
}

// CheckPercent is checkPercent for the quotes' Connect terms.
func CheckPercent(p float64, param string) error { return checkPercent(p, param) }

// ApplyOnBehalfOf sets o's on_behalf_of from the request, if it sent one
// (empty clears it), refusing an account that is not one of the
// platform's connected accounts, as a PaymentIntent does. Subscriptions,
// invoices and quotes take it alike.
func ApplyOnBehalfOf(c *api.Call, o store.Obj) error {
	if !c.Params.Has("on_behalf_of") {
		return nil
	}
	obo, _ := c.Params.Str("on_behalf_of")
	if obo == "" {
		o["on_behalf_of"] = nil
		return nil
	}
	if err := payments.ConnectedAccount(c, "account", obo, "on_behalf_of"); err != nil {
		return err
	}
	o["on_behalf_of"] = obo
	return nil
}

// applySubscriptionConnect sets a subscription's Connect terms on create
// and update (an empty value clears one), with the refusals a
// PaymentIntent's give: the destination and on_behalf_of must be the
// platform's connected accounts, a fee needs a destination or a
// connected account to come from.
func applySubscriptionConnect(c *api.Call, sub store.Obj) error {
	if c.Params.Has("transfer_data") {
		if c.Params.Unset("transfer_data") {
			sub["transfer_data"] = nil
		} else {
			td, _ := c.Params.Obj("transfer_data")
			dest, _ := td.Str("destination")
			if dest == "" {
				return apierr.MissingParam("transfer_data[destination]")
			}
			out := store.Obj{"amount_percent": nil, "destination": dest}
			if p, ok := td.Float("amount_percent"); ok {
				if err := checkPercent(p, "transfer_data[amount_percent]"); err != nil {
					return err
				}
				out["amount_percent"] = p
			}
			if err := payments.DestinationAccount(c, dest, "transfer_data[destination]"); err != nil {
				return err
			}
			sub["transfer_data"] = out
		}
	}
	if err := ApplyOnBehalfOf(c, sub); err != nil {
		return err
	}
	if c.Params.Has("application_fee_percent") {
		if c.Params.Unset("application_fee_percent") {
			sub["application_fee_percent"] = nil
		} else {
			p, _ := c.Params.Float("application_fee_percent")
			if err := checkPercent(p, "application_fee_percent"); err != nil {
				return err
			}
			sub["application_fee_percent"] = p
		}
	}
	if sub["application_fee_percent"] != nil {
		if sub["transfer_data"] == nil && !c.Connected {
			return apierr.InvalidRequest("Can only apply an application_fee_percent when the request is made on behalf of another account (using an OAuth key or Stripe-Account header) or when the subscription has `transfer_data[destination]`.").WithParam("application_fee_percent")
		}
		if api.Obj(sub["transfer_data"])["amount_percent"] != nil {
			// As for a PaymentIntent's transfer_data[amount] with an
			// application_fee_amount: how the two combine is not emulated.
			return apierr.InvalidRequest("stripe-emu does not emulate a subscription with both `transfer_data[amount_percent]` and `application_fee_percent`: use one of them.").WithParam("application_fee_percent")
		}
	}
	return nil
}

// intentTerms are what a subscription invoice's PaymentIntent is made
// with beyond its amount, kept from the subscription as the invoice is
// made (in m:invterms:…, only for subscriptions that have any) so that
// finalizing it an hour later needs no read of the subscription.
type intentTerms struct {
	Destination   string  `json:"destination,omitempty"`
	AmountPercent float64 `json:"amount_percent,omitempty"`
	HasPercent    bool    `json:"has_percent,omitempty"`
	FeePercent    float64 `json:"fee_percent,omitempty"`
	HasFee        bool    `json:"has_fee,omitempty"`
	// A one-off invoice's are amounts: transfer_data[amount] and
	// application_fee_amount.
	Amount       int64 `json:"amount,omitempty"`
	HasAmount    bool  `json:"has_amount,omitempty"`
	FeeAmount    int64 `json:"fee_amount,omitempty"`
	HasFeeAmount bool  `json:"has_fee_amount,omitempty"`
}

// invoiceFeeWithoutConnect is the refusal of an invoice's fee that has
// neither a destination nor a connected account to come from.
const invoiceFeeWithoutConnect = "Can only apply an application_fee_amount when the request is made on behalf of another account " +
	"(using an OAuth key or Stripe-Account header) or when the invoice has `transfer_data[destination]`."

// applyInvoiceConnect sets a draft invoice's Connect terms on create and
// update, as Stripe's "Create an invoice with Connect" guide has them:
// on_behalf_of (shown on the invoice), and transfer_data and
// application_fee_amount, which basil's invoice does not show and which
// are kept (as a subscription's are, in m:invterms:…) for the
// PaymentIntent finalization makes. An empty value removes one; the
// refusals are a PaymentIntent's. issuer[type]=self, what every invoice
// shows, is accepted; an account issuer is left unread, so refused.
func applyInvoiceConnect(c *api.Call, inv store.Obj) error {
	c.AcceptWhen("issuer.type", "self")
	if err := ApplyOnBehalfOf(c, inv); err != nil {
		return err
	}
	if !c.Params.Has("transfer_data") && !c.Params.Has("application_fee_amount") && !c.Params.Has("on_behalf_of") {
		return nil
	}
	key := intentTermsKey(c.Account, api.Str(inv["id"]))
	var t intentTerms
	if raw, ok := c.Tx.GetMeta(key); ok {
		if err := json.Unmarshal([]byte(raw), &t); err != nil {
			return apierr.Internal("invoice terms: %v", err)
		}
	}
	before := t
	if c.Params.Unset("transfer_data") {
		t.Destination, t.Amount, t.HasAmount = "", 0, false
	} else if td, ok := c.Params.Obj("transfer_data"); ok {
		dest, _ := td.Str("destination")
		if dest == "" {
			return apierr.MissingParam("transfer_data[destination]")
		}
		if err := payments.DestinationAccount(c, dest, "transfer_data[destination]"); err != nil {
			return err
		}
		t.Destination, t.Amount, t.HasAmount = dest, 0, false
		if amount, ok := td.Int("amount"); ok {
			if amount < 1 {
				return apierr.InvalidRequest("This value must be greater than or equal to 1.").WithParam("transfer_data[amount]").WithCode("parameter_invalid_integer")
			}
			t.Amount, t.HasAmount = amount, true
		}
	}
	if c.Params.Unset("application_fee_amount") {
		t.FeeAmount, t.HasFeeAmount = 0, false
	} else if fee, ok := c.Params.Int("application_fee_amount"); ok {
		if fee < 0 {
			return apierr.InvalidRequest("This value must be greater than or equal to 0.").WithParam("application_fee_amount").WithCode("parameter_invalid_integer")
		}
		t.FeeAmount, t.HasFeeAmount = fee, true
	}
	if t.HasFeeAmount && t.Destination == "" && !c.Connected {
		return apierr.InvalidRequest("%s", invoiceFeeWithoutConnect).WithParam("application_fee_amount")
	}
	if t.HasFeeAmount && t.HasAmount {
		// As for a PaymentIntent: how the two combine is not emulated.
		return apierr.InvalidRequest("stripe-emu does not emulate an invoice with both `transfer_data[amount]` and `application_fee_amount`: use one of them.").WithParam("application_fee_amount")
	}
	if obo := api.Str(inv["on_behalf_of"]); obo != "" && t.Destination != "" && obo != t.Destination {
		// A PaymentIntent's refusal: its card payment would make it.
		return apierr.InvalidRequest("You cannot specify an `on_behalf_of` value that is different from the `transfer_data[destination]` value when using `card` or `card_present` in `payment_method_types`.").WithParam("on_behalf_of")
	}
	if t == before {
		return nil
	}
	if t == (intentTerms{}) {
		c.DeleteMeta(key)
		return nil
	}
	b, _ := json.Marshal(t)
	return c.SetMeta(key, string(b))
}

func intentTermsKey(account, invoice string) string { return "invterms:" + account + ":" + invoice }

// keepIntentTerms records a subscription's Connect terms for an invoice
// it makes (map lookups on the subscription at hand; nothing is written
// for subscriptions without them).
func keepIntentTerms(c *api.Call, sub, inv store.Obj) error {
	td, fee := api.Obj(sub["transfer_data"]), sub["application_fee_percent"]
	if td["destination"] == nil && fee == nil {
		return nil
	}
	t := intentTerms{Destination: api.Str(td["destination"])}
	if p, ok := td["amount_percent"].(float64); ok {
		t.AmountPercent, t.HasPercent = p, true
	}
	if p, ok := fee.(float64); ok {
		t.FeePercent, t.HasFee = p, true
	}
	b, _ := json.Marshal(t)
	return c.SetMeta(intentTermsKey(c.Account, api.Str(inv["id"])), string(b))
}

// percentOf is pct percent of amount, rounded half away from zero.
func percentOf(amount int64, pct float64) int64 {
	return int64(math.Round(float64(amount) * pct / 100))
}

// applyIntentTerms gives a subscription invoice's new PaymentIntent what
// the subscription asks of its payments: a destination charge for
// transfer_data (amount_percent of the invoice's total, at most what the
// intent collects), the platform's application_fee_percent of the total,
// the invoice's on_behalf_of, and the payment_method_options its
// payment_settings carry; a one-off invoice's transfer_data and
// application_fee_amount likewise.
func applyIntentTerms(c *api.Call, inv, pi store.Obj) error {
	if obo := inv["on_behalf_of"]; obo != nil {
		pi["on_behalf_of"] = obo
	}
	if opts := intentMethodOptions(inv); opts != nil {
		pi["payment_method_options"] = opts
	}
	key := intentTermsKey(c.Account, api.Str(inv["id"]))
	raw, ok := c.Tx.GetMeta(key)
	if !ok {
		return nil
	}
	var t intentTerms
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		return apierr.Internal("invoice terms: %v", err)
	}
	total := api.Int(inv["total"])
	if t.Destination != "" {
		td := store.Obj{"destination": t.Destination}
		if t.HasPercent {
			td["amount"] = min(percentOf(total, t.AmountPercent), api.Int(pi["amount"]))
		}
		pi["transfer_data"] = td
	}
	if t.HasFee {
		pi["application_fee_amount"] = min(percentOf(total, t.FeePercent), api.Int(pi["amount"]))
	}
	// A one-off invoice's amounts, at most what the intent collects (the
	// customer's credit may have paid part of the invoice).
	if t.HasAmount && t.Destination != "" {
		pi["transfer_data"].(store.Obj)["amount"] = min(t.Amount, api.Int(pi["amount"]))
	}
	if t.HasFeeAmount {
		pi["application_fee_amount"] = min(t.FeeAmount, api.Int(pi["amount"]))
	}
	c.DeleteMeta(key)
	return nil
}

// methodOptionTypes are the payment method types a subscription's
// payment_method_options has room for, each null unless set.
var methodOptionTypes = []string{"acss_debit", "bancontact", "card", "customer_balance", "konbini", "sepa_debit", "us_bank_account"}

// methodOptionsParam reads payment_settings[payment_method_options] (ps
// is payment_settings) for a subscription: the options its invoices and
// their PaymentIntents are made with. Accepted are those whose effect
// the emulator shows, or that ask for what it does anyway: card 3D
// Secure left to Stripe (automatic), Bancontact's page language (the
// redirect page speaks it), how US bank accounts are verified (the
// PaymentIntents' microdeposits), and SEPA Debit (no options). The rest stay unread, so refused by name.
// It returns the subscription's payment_method_options and whether they
// were sent (nil: cleared).
func methodOptionsParam(c *api.Call, current any) (any, bool, error) {
	// Sent, not Has: asking whether an object was sent would count it as
	// read; each type's options are opened (Obj) so that what is left
	// unread in them is refused by its full name.
	const name = "payment_settings.payment_method_options"
	raw, ok := c.Params.Sent(name)
	if !ok {
		return current, false, nil
	}
	if raw == params.Unset {
		c.Params.MarkRead(name)
		return nil, true, nil
	}
	opts, _ := c.Params.Obj(name)
	out := store.Obj{}
	for _, t := range methodOptionTypes {
		out[t] = nil
	}
	// acceptAutomatic reads field of one type's options when it asks for
	// what the emulator does anyway.
	acceptAutomatic := func(typ, field string) bool {
		o, ok := opts.Obj(typ)
		if v, _ := o.Sent(field); ok && v == "automatic" {
			o.MarkRead(field)
			return true
		}
		return false
	}
	if acceptAutomatic("card", "request_three_d_secure") {
		out["card"] = store.Obj{"network": nil, "request_three_d_secure": "automatic"}
	}
	if b, ok := opts.Obj("bancontact"); ok {
		if v, ok := b.Str("preferred_language"); ok {
			switch v {
			case "de", "en", "fr", "nl":
			default:
				return nil, false, apierr.InvalidRequest("Invalid payment_settings[payment_method_options][bancontact][preferred_language]: must be one of de, en, fr, or nl").WithParam("payment_settings[payment_method_options][bancontact][preferred_language]")
			}
			out["bancontact"] = store.Obj{"preferred_language": v}
		}
	}
	if u, ok := opts.Obj("us_bank_account"); ok {
		// The invoices' PaymentIntents verify accounts as asked (payments'
		// microdeposits).
		if v, ok := u.Str("verification_method"); ok {
			switch v {
			case "automatic", "instant", "microdeposits":
			default:
				return nil, false, apierr.InvalidRequest("Invalid payment_settings[payment_method_options][us_bank_account][verification_method]: must be one of automatic, instant, or microdeposits").WithParam("payment_settings[payment_method_options][us_bank_account][verification_method]")
			}
			out["us_bank_account"] = store.Obj{"verification_method": v}
		}
	}
	if _, ok := opts.Sent("sepa_debit"); ok {
		opts.MarkRead("sepa_debit") // SEPA Debit takes no options
		out["sepa_debit"] = store.Obj{}
	}
	return out, true, nil
}

// invoiceMethodOptions is a subscription's payment_method_options as its
// invoices' payment_settings show them (nil when it has none).
func invoiceMethodOptions(sub store.Obj) any {
	opts, _ := api.Obj(sub["payment_settings"])["payment_method_options"].(map[string]any)
	if opts == nil {
		return nil
	}
	out := store.Obj{}
	for _, t := range methodOptionTypes {
		out[t] = nil
	}
	if card := api.Obj(opts["card"]); card["request_three_d_secure"] != nil {
		out["card"] = store.Obj{"request_three_d_secure": card["request_three_d_secure"]}
	}
	for _, t := range []string{"bancontact", "us_bank_account", "sepa_debit"} {
		if v, ok := opts[t].(map[string]any); ok {
			out[t] = api.Clone(v)
		}
	}
	return out
}

// intentMethodOptions is what an invoice's payment_settings hand its
// PaymentIntent of their payment_method_options: the options the
// payments family knows (nil when there are none).
func intentMethodOptions(inv store.Obj) store.Obj {
	opts, _ := api.Obj(inv["payment_settings"])["payment_method_options"].(map[string]any)
	if opts == nil {
		return nil
	}
	out := store.Obj{}
	if v := api.Obj(opts["card"])["request_three_d_secure"]; v != nil {
		out["card"] = store.Obj{"request_three_d_secure": v}
	}
	if v := api.Obj(opts["bancontact"])["preferred_language"]; v != nil {
		out["bancontact"] = store.Obj{"preferred_language": v}
	}
	if v := api.Obj(opts["us_bank_account"])["verification_method"]; v != nil {
		out["us_bank_account"] = store.Obj{"verification_method": v}
	}
	if cb, ok := opts["customer_balance"].(map[string]any); ok {
		// A one-off invoice's, checked as it was set.
		out["customer_balance"] = api.Clone(cb)
	}
	if _, ok := opts["sepa_debit"].(map[string]any); ok {
		out["sepa_debit"] = store.Obj{}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// applySubscriptionTerms applies what create and update share of these
// terms.
func applySubscriptionTerms(c *api.Call, sub store.Obj) error {
	issuerParam(c)
	if err := applyPendingInterval(c, sub, c.Now); err != nil {
		return err
	}
	return applySubscriptionConnect(c, sub)
}

// subscriptionInvoiceTerms puts a subscription's application,
// on_behalf_of, payment_method_options and payment_method_types on an
// invoice it makes (map lookups on the subscription at hand).
func subscriptionInvoiceTerms(sub, inv store.Obj) {
	inv["application"] = sub["application"]
	if obo := sub["on_behalf_of"]; obo != nil {
		inv["on_behalf_of"] = obo
	}
	opts := invoiceMethodOptions(sub)
	types, _ := api.Obj(sub["payment_settings"])["payment_method_types"].([]any)
	if opts != nil || len(types) > 0 {
		ps := api.Clone(api.Obj(inv["payment_settings"]))
		if opts != nil {
			ps["payment_method_options"] = opts
		}
		if len(types) > 0 {
			// The types its invoices' payments offer (customer_balance:
			// paid from the cash balance).
			ps["payment_method_types"] = slices.Clone(types)
		}
		inv["payment_settings"] = ps
	}
}
