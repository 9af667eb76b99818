package payments

import (
	"github.com/stripe/stripe-go/v82"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/accounts"
	"github.com/stripe-emu/stripe-emu/emulator/internal/search"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// ChargeKind is the charge object.
var ChargeKind = &api.Kind{
	Object: "charge",
	Prefix: "ch_",
	// A transfer's payment on its destination account is a charge too.
	OtherPrefixes: []string{paymentPrefix},
	Expandable:    []string{"customer", "payment_intent", "balance_transaction", "payment_method", "review", "application", "application_fee", "failure_balance_transaction", "on_behalf_of", "source_transfer", "transfer", "transfer_data.destination"},
	Includable:    map[string]func(c *api.Call, o store.Obj) (any, error){"refunds": chargeRefunds},
	Indexes: []store.Index{
		{Name: "customer", Path: "customer"},
		{Name: "payment_intent", Path: "payment_intent"},
	},
}

var chargeSearchFields, chargeSearchValues = chargeSearch()

// chargeSearch gives a charge's query fields and where it keeps the dotted
// ones. A charge's refunded is, to search, true once fully refunded, false
// while partially refunded and null before any refund: "refunded:null
// filters for non-refunded charges". Stripe's guide lists payment_method_details.{SOURCE}.last4,
// exp_month, exp_year, brand and fingerprint, SOURCE being card for online
// charges and card_present or interac_present for Terminal's.
func chargeSearch() (search.Fields, search.Values) {
	fields := search.Fields{
		"amount": search.Number, "currency": search.Token, "customer": search.Token,
		"refunded": search.Bool, "status": search.Token, "created": search.Number, "metadata": search.Metadata,
		"disputed": search.Bool, "billing_details.address.postal_code": search.Token,
	}
	paths := search.Paths{"billing_details.address.postal_code": {"billing_details", "address", "postal_code"}}
	for _, source := range []string{"card", "card_present", "interac_present"} {
		for _, field := range []string{"last4", "exp_month", "exp_year", "brand", "fingerprint"} {
			name := "payment_method_details." + source + "." + field
			fields[name] = search.Token
			paths[name] = []string{"payment_method_details", source, field}
		}
	}
	values := paths.Values()
	values["refunded"] = func(ch store.Obj) any {
		if api.Int(ch["amount_refunded"]) == 0 {
			return nil
		}
		return ch["refunded"]
	}
	return fields, values
}

func chargeRoutes() []api.Route {
	return []api.Route{
		api.GET("/v1/charges", params.FromStruct(stripe.ChargeListParams{}), listCharges),
		api.GET("/v1/charges/search", params.FromStruct(stripe.ChargeSearchParams{}).Require("query"), searchCharges),
		api.GET("/v1/charges/{id}", params.FromStruct(stripe.ChargeRetrieveParams{}), retrieveCharge),
		api.POST("/v1/charges", params.FromStruct(stripe.ChargeCreateParams{}).With("source", sourceParam()).Require("amount", "currency"), createCharge),
		api.POST("/v1/charges/{id}", params.FromStruct(stripe.ChargeUpdateParams{}), updateCharge),
		api.POST("/v1/charges/{id}/capture", params.FromStruct(stripe.ChargeCaptureParams{}), captureCharge),
	}
}

// defaultDescriptor stands for the statement descriptor of an account
// that sets none (Stripe's accounts have one from activation).
const defaultDescriptor = "STRIPE-EMU"

// calculatedDescriptor is what Stripe's statement descriptor guide says
// a charge's statement shows: a card payment with a suffix shows the
// account's prefix (its card payments' statement_descriptor_prefix, else
// the first 10 characters of its static descriptor), "* " and the suffix;
// any other payment its own statement_descriptor, else the account's
// static descriptor. The account is on_behalf_of's when set. Stripe
// asks that the combination fit 22 characters; what it does with a
// longer one is not documented, so it is kept whole.
func calculatedDescriptor(c *api.Call, pi, pm store.Obj) string {
	acct := c.Account
	if obo := api.Str(pi["on_behalf_of"]); obo != "" {
		acct = obo
	}
	static, prefix := accounts.StatementDescriptors(c.Tx, c.Platform, acct)
	if static == "" {
		static = defaultDescriptor
	}
	suffix := api.Str(pi["statement_descriptor_suffix"])
	if pm["type"] != "card" || suffix == "" {
		if own := api.Str(pi["statement_descriptor"]); own != "" {
			return own
		}
		return static
	}
	if prefix == "" {
		r := []rune(static)
		prefix = strings.TrimSpace(string(r[:min(len(r), 10)]))
	}
	return prefix + "* " + suffix
}

// newCharge records a charge attempt of a PaymentIntent with a payment
// method. status is succeeded, pending or failed.
func newCharge(c *api.Call, pi, pm store.Obj, status string, captured bool, fail *apierr.Error) store.Obj {
	amount := api.Int(pi["amount"])
	if pi["transfer_data"] != nil && pi["transfer_group"] == nil && pi["id"] != nil {
		// A destination charge's payment and transfer are grouped under
		// the intent, as Stripe names the group (the intent is stored
		// again by every caller; a charge without one is grouped under
		// itself by its caller).
		pi["transfer_group"] = "group_" + api.Str(pi["id"])
	}
	ch := c.Object("charge", c.NewID("charge"), store.Obj{
		"amount": amount, "amount_captured": int64(0), "amount_refunded": int64(0), "application": nil,
		"application_fee": nil, "application_fee_amount": pi["application_fee_amount"], "balance_transaction": nil,
		"billing_details": pm["billing_details"], "calculated_statement_descriptor": calculatedDescriptor(c, pi, pm),
		"captured": false, "currency": pi["currency"], "customer": pi["customer"], "description": pi["description"],
		"disputed": false, "failure_balance_transaction": nil, "failure_code": nil, "failure_message": nil,
		"fraud_details": store.Obj{}, "metadata": api.Clone(api.Obj(pi["metadata"])), "on_behalf_of": pi["on_behalf_of"],
		"outcome": chargeOutcome(api.Str(pm["type"]), status, fail), "paid": status == "succeeded", "payment_intent": pi["id"],
		"payment_method": pm["id"], "payment_method_details": paymentMethodDetails(pm, pi, amount), "receipt_email": pi["receipt_email"],
		"receipt_number": nil, "receipt_url": nil, "refunded": false, "review": nil, "shipping": pi["shipping"],
		"source": nil, "source_transfer": nil, "statement_descriptor": pi["statement_descriptor"],
		"statement_descriptor_suffix": pi["statement_descriptor_suffix"], "status": status,
		"transfer_data": chargeTransferData(pi), "transfer_group": pi["transfer_group"],
	})
	if c.Connected {
		// Made by the platform on its connected account: the platform's
		// Connect application created it.
		ch["application"] = c.ConnectApplication()
	}
	if fail != nil {
		ch["failure_code"] = fail.Code
		ch["failure_message"] = fail.Message
	}
	if captured {
		ch["captured"] = true
		ch["amount_captured"] = amount
	}
	if pm["type"] == "card" {
		cd := cardOf(c, pm)
		api.Obj(api.Obj(ch["payment_method_details"])["card"])["checks"] = paymentChecks(pm, cd)
		applyRisk(c, ch, cd)
		if c.Scratch(scratchThreeDSecure) != nil {
			api.Obj(api.Obj(ch["payment_method_details"])["card"])["three_d_secure"] = threeDSecureDetails(c, api.Str(api.Obj(pm["card"])["brand"]))
		}
		if status == "succeeded" {
			// What the issuer authorized; a declined charge has none.
			api.Obj(api.Obj(ch["payment_method_details"])["card"])["amount_authorized"] = amount
		}
		if status == "succeeded" && !captured && captureMethodFor(pi, "card") == "manual" {
			setCaptureBefore(c, ch)
		}
	}
	if isVoucher(api.Str(pm["type"])) {
		// The voucher the customer paid.
		d := store.Obj{"number": c.Scratch(scratchVoucherNumber)}
		switch pm["type"] {
		case "boleto":
			d = store.Obj{"tax_id": api.Obj(pm["boleto"])["tax_id"]}
		case "konbini":
			d = store.Obj{"store": store.Obj{"chain": konbiniPaidAt}}
		case "multibanco":
			d, _ = c.Scratch(scratchMultibanco).(store.Obj)
		}
		ch["payment_method_details"] = store.Obj{"type": pm["type"], api.Str(pm["type"]): d}
	}
	if pm["type"] == "card_present" && status == "succeeded" && !captured {
		api.Obj(api.Obj(ch["payment_method_details"])["card_present"])["capture_before"] = c.Now + CardPresentCaptureDays*86400
	}
	if pm["type"] == "card_present" && status == "failed" {
		// As for a card: the issuer authorized nothing.
		api.Obj(api.Obj(ch["payment_method_details"])["card_present"])["amount_authorized"] = nil
	}
	if c.BaseURL != nil && status != "failed" {
		ch["receipt_url"] = c.PageURL("/receipts/" + api.Str(ch["id"]))
	}
	return ch
}

// chargeTransferData is a destination charge's transfer_data: on a charge
// the amount is always listed, null unless the intent set one (the whole
// charge is transferred then), as Stripe's charges show it.
func chargeTransferData(pi store.Obj) any {
	if pi["transfer_data"] == nil {
		return nil // api.Obj would make it an empty object
	}
	td := api.Obj(pi["transfer_data"])
	return store.Obj{"amount": td["amount"], "destination": td["destination"]}
}

// chargeOutcome is the outcome of a charge of pmType. Radar assesses card
// payments only: Stripe's reference gives any other risk_level
// not_assessed and no risk_score. (A card_present payment is assessed as
// a card's here; Stripe does not document it.)
func chargeOutcome(pmType, status string, fail *apierr.Error) store.Obj {
	o := store.Obj{"advice_code": nil, "network_advice_code": nil, "network_decline_code": nil,
		"network_status": "approved_by_network", "reason": nil, "risk_level": "normal", "risk_score": int64(20),
		"seller_message": "Payment complete.", "type": "authorized"}
	if status == "failed" && fail != nil {
		reason := fail.DeclineCode
		if reason == "" && fail.Type == apierr.TypeCard {
			reason = fail.Code // an expired card, a wrong CVC…: the code is the reason
		}
		o["network_status"] = "declined_by_network"
		o["reason"] = reason
		o["seller_message"] = "The bank returned the decline code `" + reason + "`."
		o["type"] = "issuer_declined"
		switch reason {
		case "generic_decline":
			o["seller_message"] = "The bank did not return any further details with this decline."
		case "test_mode_live_card":
			// Test mode stops a live card before the network.
			o["network_status"], o["type"], o["risk_score"] = "not_sent_to_network", "invalid", int64(50)
			o["seller_message"] = "This charge request was in test mode, but did not use a Stripe test card number. For the list of these numbers, see stripe.com/docs/testing"
		}
	}
	if pmType != "card" && pmType != "card_present" {
		o["risk_level"] = "not_assessed"
		delete(o, "risk_score")
	}
	return o
}

// paymentMethodDetails renders a charge's payment_method_details; amount
// is the charge's, what overcapture's maximum is worked out from.
func paymentMethodDetails(pm, pi store.Obj, amount int64) store.Obj {
	typ := api.Str(pm["type"])
	d := store.Obj{"type": typ}
	if isRedirect(typ) {
		d[typ] = redirectDetails(pm, pi)
		return d
	}
	switch typ {
	case "card":
		cd := api.Obj(pm["card"])
		d["card"] = store.Obj{
			"amount_authorized": nil, "authorization_code": nil, "brand": cd["brand"],
			"checks":  store.Obj{"address_line1_check": nil, "address_postal_code_check": nil, "cvc_check": nil},
			"country": cd["country"], "exp_month": cd["exp_month"], "exp_year": cd["exp_year"],
			"extended_authorization": store.Obj{"status": extendedAuthorization(pi, cd)}, "fingerprint": cd["fingerprint"],
			"funding": cd["funding"], "incremental_authorization": store.Obj{"status": incrementalAuthorization(pi, cd)},
			"installments": nil, "last4": cd["last4"], "mandate": nil,
			"multicapture": store.Obj{"status": multicapture(pi, cd)}, "network": cd["brand"],
			"network_token": store.Obj{"used": false}, "network_transaction_id": nil,
			"overcapture":      overcapture(pi, cd, amount),
			"regulated_status": "unregulated", "three_d_secure": nil, "wallet": nil,
		}
	case "card_present":
		d["card_present"] = cardPresentDetails(pm, pi)
	case "interac_present":
		d["interac_present"] = interacPresentDetails(pm)
	case "customer_balance":
		d["customer_balance"] = store.Obj{}
	case "link":
		// The country of the funding source beneath Link: Stripe's test
		// Link accounts' is not documented; the US is assumed.
		d["link"] = store.Obj{"country": "US"}
	case "sepa_debit":
		sd := api.Obj(pm["sepa_debit"])
		d["sepa_debit"] = store.Obj{"bank_code": sd["bank_code"], "branch_code": sd["branch_code"], "country": sd["country"],
			"fingerprint": sd["fingerprint"], "last4": sd["last4"], "mandate": nil}
	case "bacs_debit":
		bd := api.Obj(pm["bacs_debit"])
		d["bacs_debit"] = store.Obj{"fingerprint": bd["fingerprint"], "last4": bd["last4"], "mandate": nil, "sort_code": bd["sort_code"]}
	case "au_becs_debit":
		ad := api.Obj(pm["au_becs_debit"])
		// As for us_bank_account, Stripe's spec has mandate absent rather
		// than null when there is none (withMandate names one).
		d["au_becs_debit"] = store.Obj{"bsb_number": ad["bsb_number"], "fingerprint": ad["fingerprint"], "last4": ad["last4"]}
	case "acss_debit":
		ad := api.Obj(pm["acss_debit"])
		// mandate absent when there is none, as for au_becs_debit.
		d["acss_debit"] = store.Obj{"bank_name": ad["bank_name"], "fingerprint": ad["fingerprint"], "institution_number": ad["institution_number"],
			"last4": ad["last4"], "transit_number": ad["transit_number"]}
	case "us_bank_account":
		ud := api.Obj(pm["us_bank_account"])
		// Stripe's spec has mandate absent rather than null when there is
		// none (withMandate names one).
		d["us_bank_account"] = store.Obj{"account_holder_type": ud["account_holder_type"], "account_type": ud["account_type"],
			"bank_name": ud["bank_name"], "fingerprint": ud["fingerprint"], "last4": ud["last4"],
			"payment_reference": nil, "routing_number": ud["routing_number"]}
	}
	return d
}

// settleFunds gives a captured charge its balance transaction (amount less
// Stripe's standard 2.9% + 30¢ card fee, 4.4% + 30¢ for an international card, or 0.8% capped at $5 for bank
// debits, and less the platform's application fee on a direct charge),
// pending until its available_on, or available at once for the test card
// that bypasses the pending balance. Then the Connect funds move (a
// destination charge's transfer, application fees): the charge gets its
// transfer and application_fee, for the caller to store.
func settleFunds(c *api.Call, ch store.Obj) (store.Obj, error) {
	amount := api.Int(ch["amount_captured"])
	var fee int64
	// The account's payout delay (delay_days) holds the charge's funds.
	home, delay := accounts.Settlement(c.Tx, c.Platform, c.Account)
	status, availableOn := "pending", fundsAvailableOn(c.Now, delay)
	if pmd := api.Obj(ch["payment_method_details"]); pmd["type"] == "card" {
		rate := int64(29)
		if internationalCard(home, api.Str(api.Obj(pmd["card"])["country"])) {
			rate += 15
		}
		fee = (amount*rate+500)/1000 + 30
		if cardByID(c, api.Str(ch["payment_method"])).BypassPending {
			status, availableOn = "available", c.Now
		}
	} else if pmd["type"] == "card_present" {
		// In person: 2.7% + 5¢ (Stripe Terminal's US price).
		fee = (amount*27+500)/1000 + 5
	} else if pmd["type"] == "interac_present" {
		// Interac in person: a flat 15¢ (Stripe Terminal's Canadian
		// price, not verified).
		fee = 15
	} else if delayed[api.Str(pmd["type"])] {
		fee = min((amount*8+500)/1000, 500)
	} else if pmd["type"] == "customer_balance" {
		// Bank transfers: 0.5%, capped at $5 (Stripe's US price).
		fee = min((amount*5+500)/1000, 500)
	} else {
		// Redirect methods: priced per country and method at Stripe;
		// the emulator takes the standard card rate.
		fee = (amount*29+500)/1000 + 30
	}
	details := []any{store.Obj{"amount": fee, "application": nil, "currency": ch["currency"], "description": "Stripe processing fees", "type": "stripe_fee"}}
	appFee := appFeeOf(ch)
	if c.Connected && appFee > 0 {
		// A direct charge: the platform's fee is taken out of the
		// connected account's charge, listed before Stripe's as Stripe's
		// charges list it.
		details = append([]any{applicationFeeDetail(appFee, ch["currency"], c.ConnectApplication())}, details...)
	}
	var total int64
	for _, d := range details {
		total += api.Int(api.Obj(d)["amount"])
	}
	var typ any = "charge" // an any of a constant: no allocation
	if !cardBased(api.Str(api.Obj(ch["payment_method_details"])["type"])) {
		typ = "payment"
	}
	txn, err := putBalanceTransaction(c, store.Obj{
		"amount": amount, "available_on": availableOn, "currency": ch["currency"], "description": ch["description"],
		"exchange_rate": nil, "fee": total, "fee_details": details,
		"balance_type": "payments", "net": amount - total, "reporting_category": "charge", "source": ch["id"], "status": status, "type": typ,
	})
	if err != nil {
		return nil, err
	}
	if err := moveChargeFunds(c, ch, txn, appFee); err != nil {
		return nil, err
	}
	if status == "available" && api.Int(txn["net"]) > 0 {
		// Funds available at once grow the available balance now: Stripe
		// tells the account as it does when pending funds become available
		// (seen after a pm_card_bypassPending payment in stripe-cli's
		// payout triggers).
		c.Emit("balance.available", balanceOf(c), nil)
	}
	return txn, nil
}

// cardBased says whether a payment by a method of that type is a card
// payment, whose balance transactions Stripe types charge and refund;
// every other method's are payment and payment_refund (Stripe's reporting
// categories guide). Link is counted with cards, as the cards it pays
// with are charged as cards.
func cardBased(pmType string) bool {
	switch pmType {
	case "card", "card_present", "interac_present", "link":
		return true
	}
	return false
}

// internationalCard says whether a card issued in country is an
// international one for an account in home: Stripe's standard pricing
// takes 1.5% more for a card issued outside the account's country (what
// the test cards of other countries are for).
func internationalCard(home, country string) bool {
	if home == "" {
		home = "US"
	}
	return country != "" && country != home
}

// chargeRefunds is the includable charge.refunds: the ten most recent, as
// Stripe's docs say, the rest at the list's url.
func chargeRefunds(c *api.Call, ch store.Obj) (any, error) {
	p := c.Tx.List(c.Account, "refund", store.Query{Index: "charge", Value: api.Str(ch["id"]), Limit: api.EmbeddedListLimit})
	data := make([]any, len(p.Data))
	for i, o := range p.Data {
		data[i] = o
	}
	return store.Obj{"object": "list", "data": data, "has_more": p.HasMore, "url": "/v1/charges/" + api.Str(ch["id"]) + "/refunds"}, nil
}

func retrieveCharge(c *api.Call) (any, error) {
	return c.Retrieve("charge", c.Var("id"))
}

func updateCharge(c *api.Call) (any, error) {
	before, err := c.Load("charge", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if g, ok := c.Params.Str("transfer_group"); ok && before["transfer_group"] != nil && g != api.Str(before["transfer_group"]) {
		// Stripe's reference: transfer_group may only be provided if it
		// has not been set (a destination charge sets its own); worded as
		// a PaymentIntent's refusal, the emulator's.
		return nil, apierr.InvalidRequest("You cannot change `transfer_group` once it is set (it is %s).", before["transfer_group"]).WithParam("transfer_group")
	}
	if c.Params.Unset("fraud_details") {
		// An object without an empty value of its own.
		return nil, apierr.InvalidEmpty("fraud_details")
	}
	after := api.Clone(before)
	c.Copy(after, "description", "receipt_email", "shipping", "transfer_group")
	if report, ok := c.Params.Str("fraud_details.user_report"); ok {
		// Only the integration's report changes (Stripe's own,
		// stripe_report, stays); an empty one withdraws it, leaving no key,
		// as a charge nobody reported shows.
		fd := api.Clone(api.Obj(before["fraud_details"]))
		delete(fd, "user_report")
		if report != "" {
			fd["user_report"] = report
		}
		after["fraud_details"] = fd
	}
	after["shipping"] = wholeShipping(after["shipping"])
	if cus, ok := c.Params.Str("customer"); ok && cus != "" {
		if before["customer"] != nil && before["customer"] != cus {
			return nil, apierr.InvalidRequest("This charge already has a customer; it can't be changed.").WithParam("customer")
		}
		if !c.Tx.Exists(c.Account, "customer", cus) {
			return nil, apierr.NoSuchObject("customer", cus, "customer")
		}
		after["customer"] = cus
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	return after, c.Save(before, after)
}

func listCharges(c *api.Call) (any, error) {
	q, err := c.ListQuery("charge")
	if err != nil {
		return nil, err
	}
	if pi, ok := c.Params.Str("payment_intent"); ok && pi != "" {
		q.Index, q.Value = "payment_intent", pi
	} else if cus, ok := c.Params.Str("customer"); ok && cus != "" {
		q.Index, q.Value = "customer", cus
	}
	if cus, ok := c.Params.Str("customer"); ok && cus != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["customer"] == cus })
	}
	if tg, ok := c.Params.Str("transfer_group"); ok && tg != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["transfer_group"] == tg })
	}
	return c.Page("charge", "/v1/charges", q), nil
}

func searchCharges(c *api.Call) (any, error) {
	return search.RunWith(c, "charge", "/v1/charges/search", chargeSearchFields, chargeSearchValues)
}
