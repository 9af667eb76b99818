package quotes

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billing"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// A quote's Connect terms, which what accepting it makes takes:
// on_behalf_of (its invoice or subscription's), transfer_data and the
// platform's fee. Stripe's reference splits them by what the quote bills:
// application_fee_amount and transfer_data[amount] only without recurring
// lines (its one-off invoice's amounts), application_fee_percent and
// transfer_data[amount_percent] only with one (its subscription's
// percentages).

// applyConnect sets the Connect terms sent on create or update (an empty
// value clears one), checking the accounts as a PaymentIntent does.
func applyConnect(c *api.Call, q store.Obj) error {
	if err := billing.ApplyOnBehalfOf(c, q); err != nil {
		return err
	}
	if c.Params.Has("transfer_data") {
		if c.Params.Unset("transfer_data") {
			q["transfer_data"] = nil
		} else {
			td, _ := c.Params.Obj("transfer_data")
			dest, _ := td.Str("destination")
			if dest == "" {
				return apierr.MissingParam("transfer_data[destination]")
			}
			if err := payments.DestinationAccount(c, dest, "transfer_data[destination]"); err != nil {
				return err
			}
			out := store.Obj{"amount": nil, "amount_percent": nil, "destination": dest}
			if amount, ok := td.Int("amount"); ok {
				if amount < 1 {
					return apierr.InvalidRequest("This value must be greater than or equal to 1.").WithParam("transfer_data[amount]").WithCode("parameter_invalid_integer")
				}
				out["amount"] = amount
			}
			if p, ok := td.Float("amount_percent"); ok {
				if err := billing.CheckPercent(p, "transfer_data[amount_percent]"); err != nil {
					return err
				}
				out["amount_percent"] = p
			}
			q["transfer_data"] = out
		}
	}
	if c.Params.Unset("application_fee_amount") {
		q["application_fee_amount"] = nil
	} else if fee, ok := c.Params.Int("application_fee_amount"); ok {
		if fee < 0 {
			return apierr.InvalidRequest("This value must be greater than or equal to 0.").WithParam("application_fee_amount").WithCode("parameter_invalid_integer")
		}
		q["application_fee_amount"] = fee
	}
	if c.Params.Unset("application_fee_percent") {
		q["application_fee_percent"] = nil
	} else if p, ok := c.Params.Float("application_fee_percent"); ok {
		if err := billing.CheckPercent(p, "application_fee_percent"); err != nil {
			return err
		}
		q["application_fee_percent"] = p
	}
	return nil
}

// checkConnect checks the Connect terms against the quote's lines (once
// it has some: a draft may take its lines after its terms) and against
// each other, as the invoice or subscription it makes would. Stripe's
// wording for these refusals is not documented.
func checkConnect(c *api.Call, q store.Obj, d data) error {
	td := api.Obj(q["transfer_data"])
	if len(d.Lines) > 0 {
		recurs := recurring(d)
		switch {
		case recurs && q["application_fee_amount"] != nil:
			return apierr.InvalidRequest("There cannot be any line items with recurring prices when using `application_fee_amount`: use `application_fee_percent` for a quote that starts a subscription.").WithParam("application_fee_amount")
		case recurs && td["amount"] != nil:
			return apierr.InvalidRequest("There cannot be any line items with recurring prices when using `transfer_data[amount]`: use `transfer_data[amount_percent]` for a quote that starts a subscription.").WithParam("transfer_data[amount]")
		case !recurs && q["application_fee_percent"] != nil:
			return apierr.InvalidRequest("There must be at least 1 line item with a recurring price to use `application_fee_percent`: use `application_fee_amount` for a quote of one-time prices.").WithParam("application_fee_percent")
		case !recurs && td["amount_percent"] != nil:
			return apierr.InvalidRequest("There must be at least 1 line item with a recurring price to use `transfer_data[amount_percent]`: use `transfer_data[amount]` for a quote of one-time prices.").WithParam("transfer_data[amount_percent]")
		}
	}
	for _, fee := range []string{"application_fee_amount", "application_fee_percent"} {
		if q[fee] != nil && td["destination"] == nil && !c.Connected {
			return apierr.InvalidRequest("Can only apply an %s when the request is made on behalf of another account (using an OAuth key or Stripe-Account header) or when the quote has `transfer_data[destination]`.", fee).WithParam(fee)
		}
	}
	if (q["application_fee_amount"] != nil && td["amount"] != nil) || (q["application_fee_percent"] != nil && td["amount_percent"] != nil) {
		// As for invoices and subscriptions: how the two combine is not
		// emulated.
		return apierr.InvalidRequest("stripe-emu does not emulate a quote with both a transfer amount and an application fee: use one of them.").WithParam("transfer_data")
	}
	if obo, dest := api.Str(q["on_behalf_of"]), api.Str(td["destination"]); obo != "" && dest != "" && obo != dest {
		// A PaymentIntent's refusal: its card payment would make it.
		return apierr.InvalidRequest("You cannot specify an `on_behalf_of` value that is different from the `transfer_data[destination]` value when using `card` or `card_present` in `payment_method_types`.").WithParam("on_behalf_of")
	}
	if api.Obj(q["subscription_data"])["effective_date"] != nil && (q["on_behalf_of"] != nil || q["transfer_data"] != nil || q["application_fee_percent"] != nil) {
		// The schedule it would make takes no Connect terms in its phases.
		return apierr.InvalidRequest("stripe-emu does not emulate a quote with both `subscription_data[effective_date]` and Connect terms (`on_behalf_of`, `transfer_data`, `application_fee_percent`): the subscription schedule it would make does not take them.").WithParam("subscription_data[effective_date]")
	}
	return nil
}

// connectTerms hands the quote's Connect terms to what accepting it
// makes.
func connectTerms(q store.Obj, t *billing.QuoteTerms) {
	t.OnBehalfOf = api.Str(q["on_behalf_of"])
	td := api.Obj(q["transfer_data"])
	t.Destination = api.Str(td["destination"])
	t.TransferAmount, t.TransferPercent = td["amount"], td["amount_percent"]
	t.FeeAmount, t.FeePercent = q["application_fee_amount"], q["application_fee_percent"]
}
